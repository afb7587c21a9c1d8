//! `valid_credentials_blocked`: the password was right, but MFA or Conditional Access stopped the
//! sign-in, from a country the user never signed in from or from attacker infrastructure. No success
//! shows, yet the password is known to someone else and must be changed (Sentinel
//! `NewCountryValidCreds.yaml`, Azure/Azure-Sentinel: a failed sign-in whose password step
//! succeeded, from a country without a success in the user's history).
//!
//! "The password was right" is [`Credential::Verified`]: an MFA or Conditional Access code returned
//! only after the first factor (50074, 50076, 50079, 500121, 53003...), or a failed sign-in whose
//! password step succeeded.
//!
//! Conditional Access blocks are part of this detector (a block after a correct password is exactly
//! this story); there is no separate `ca_failure`. A *success* that a policy requiring MFA did not
//! cover is a policy gap, not a stolen password, and is left to a future detector: most exports
//! lack `appliedConditionalAccessPolicies` (Graph returns it empty without Policy.Read.All).
//!
//! Not reported:
//! - an interrupted sign-in completed within [`FOLLOW_UP_MINUTES`] by a success from the same
//!   network or with the same correlation id: every MFA sign-in starts with such an interrupt, and
//!   the success is what the location and device detectors judge (a traveller abroad);
//! - attempts from the user's own device (managed, compliant or known to the baseline: the
//!   traveller's own laptop, blocked by a location policy).
//!
//! Medium; high when the account has no MFA method yet (50072/50079: whoever holds the password can
//! register their own) or when a new country and attacker infrastructure coincide; low when every
//! attempt carried a user agent the user's baseline knows exactly.
//!
//! Chaining: none by design: the finding is about failed sign-ins, and failed attempts do not chain.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::common::{list_ips, own_device};
use super::credentials::{Credential, MFA_REGISTRATION_CODES, PASSWORD_VERIFIED_CODES, classify};
use super::infra::attacker_network;
use super::{Declared, Detector, Doc, Finding, Risk, UserContext, details};
use crate::baseline::network;

/// An interrupted sign-in completed by a success this soon after is one sign-in (project choice:
/// an MFA prompt is answered within minutes; an hour leaves room for a slow user, while an attacker
/// stopped by MFA never completes).
pub const FOLLOW_UP_MINUTES: i64 = 60;

/// The password is known to someone else (Sentinel `NewCountryValidCreds.yaml`: medium, reset the
/// credentials).
pub const BLOCKED: Risk = Risk::Medium;
/// No MFA method yet (whoever holds the password can register one), or a new country on attacker
/// infrastructure at once.
pub const TAKEOVER_RISK: Risk = Risk::High;
/// Every attempt carried a user agent the user's baseline knows exactly (the user abroad, stopped
/// by a location policy).
pub const OWN_AGENT: Risk = Risk::Low;

/// The detector's id in every report.
pub const ID: &str = "valid_credentials_blocked";

pub struct ValidCredentialsBlocked;

impl Declared for ValidCredentialsBlocked {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        let codes = |set: &[i32]| set.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
        Doc {
            reports: "the password was right but MFA or Conditional Access stopped the sign-in, from a new country or attacker infrastructure, and it was not completed; includes Conditional Access blocks (no separate ca_failure)".into(),
            threshold: format!(
                "error {} (or a failed sign-in whose password step succeeded) not completed within {FOLLOW_UP_MINUTES} min: {}; no MFA method yet ({}) or a new country on a hosting, Tor or anonymizer network {}; the user's own user agent {}",
                codes(PASSWORD_VERIFIED_CODES),
                BLOCKED.as_str(),
                codes(MFA_REGISTRATION_CODES),
                TAKEOVER_RISK.as_str(),
                OWN_AGENT.as_str()
            ),
            sources: &["Microsoft Sentinel `Detections/SigninLogs/NewCountryValidCreds.yaml`"],
        }
    }

    fn needs_baseline(&self) -> bool {
        true
    }
}

impl Detector for ValidCredentialsBlocked {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let b = cx.baseline;
        // (country, attacker class) -> attempts
        let mut groups: BTreeMap<(Option<&str>, Option<&str>), Vec<usize>> = BTreeMap::new();
        for &i in cx.judged_after_baseline {
            if classify(r, i) != Some(Credential::Verified) || completed(cx, i) {
                continue;
            }
            if own_device(cx, i) {
                continue;
            }
            let country = r.country.get(i);
            let new_country = country.is_some_and(|c| !b.countries.contains(c));
            let infra = attacker_network(cx, i).map(|c| c.as_str());
            if new_country || infra.is_some() {
                groups.entry((country.filter(|_| new_country), infra)).or_default().push(i);
            }
        }
        for ((new_country, infra), rows) in groups {
            let codes: BTreeSet<i32> = rows.iter().filter_map(|&i| r.error_code(i)).collect();
            let ips: BTreeSet<&str> = rows.iter().filter_map(|&i| r.ip.get(i)).collect();
            let known_agent = rows.iter().all(|&i| r.user_agent.get(i).is_some_and(|ua| b.user_agents.contains(ua)));
            let registration = codes.iter().any(|c| MFA_REGISTRATION_CODES.contains(c));
            let risk = if known_agent {
                OWN_AGENT
            } else if registration || (new_country.is_some() && infra.is_some()) {
                TAKEOVER_RISK
            } else {
                BLOCKED
            };
            let place = match (new_country, infra) {
                (Some(c), Some(n)) => format!("{c} (new country) on a {n} network"),
                (Some(c), None) => format!("{c} (new country)"),
                (None, Some(n)) => format!("a {n} network"),
                (None, None) => "elsewhere".into(),
            };
            let codes_text = codes.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
            let mut summary = format!(
                "password accepted from {place} but the sign-in was stopped (error {codes_text}) and not completed: {} attempt(s) from {}",
                rows.len(),
                list_ips(&ips)
            );
            if registration {
                summary.push_str("; the account has no MFA method yet, so whoever holds the password can register one");
            }
            if known_agent {
                summary.push_str("; the user agent is the user's own");
            }
            out.push(cx.finding(
                self.id(),
                risk,
                &rows,
                summary,
                details([
                    ("country", json!(new_country)),
                    ("network_class", json!(infra)),
                    ("error_codes", json!(codes)),
                    ("ips", json!(ips)),
                    ("attempts", json!(rows.len())),
                    ("mfa_registration_required", json!(registration)),
                ]),
            ));
        }
    }
}

/// Whether the interrupted sign-in `i` was completed: a success within [`FOLLOW_UP_MINUTES`] with
/// the same correlation id or from the same network.
fn completed(cx: &UserContext<'_>, i: usize) -> bool {
    let r = cx.rows;
    let (t, corr, net) = (r.time(i), r.correlation_id.get(i), r.ip.get(i).map(network));
    let start = cx.judged.partition_point(|&j| r.time(j) < t);
    cx.judged[start..].iter().take_while(|&&j| r.time(j) - t <= FOLLOW_UP_MINUTES * 60_000_000).any(|&j| {
        r.is_success(j) && ((corr.is_some() && r.correlation_id.get(j) == corr) || (net.is_some() && r.ip.get(j).map(network) == net))
    })
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{MOSCOW, NEW_YORK, rec, run};
    use crate::model::SignIn;

    fn history() -> Vec<SignIn<'static>> {
        (1..=10).map(|d| rec(&format!("2024-03-{d:02}T09:00:00Z"), "198.51.100.10", "US", NEW_YORK)).collect()
    }

    fn blocked(time: &str, code: i32) -> SignIn<'static> {
        let mut r = rec(time, "203.0.113.66", "RU", MOSCOW);
        r.error_code = Some(code);
        r.user_agent = Some(Cow::Borrowed("Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0"));
        r
    }

    #[test]
    fn a_blocked_correct_password_from_a_new_country_is_medium() {
        let mut records = history();
        records.push(blocked("2024-03-13T14:00:00Z", 50076));
        let found = run(&ValidCredentialsBlocked, &records, 10);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].risk, Risk::Medium);
        assert_eq!(
            found[0].summary,
            "password accepted from RU (new country) but the sign-in was stopped (error 50076) and not completed: 1 attempt(s) from 203.0.113.66"
        );
    }

    #[test]
    fn an_interrupt_completed_from_the_same_network_is_the_success_s_business() {
        let mut records = history();
        records.push(blocked("2024-03-13T14:00:00Z", 50074));
        records.push(rec("2024-03-13T14:01:00Z", "203.0.113.66", "RU", MOSCOW));
        assert!(run(&ValidCredentialsBlocked, &records, 10).is_empty());
    }

    #[test]
    fn no_mfa_method_yet_is_high() {
        let mut records = history();
        records.push(blocked("2024-03-13T14:00:00Z", 50079));
        let found = run(&ValidCredentialsBlocked, &records, 10);
        assert_eq!(found[0].risk, Risk::High, "{found:?}");
    }
}
