//! `mfa_fatigue`: a burst of denied or unanswered MFA prompts, then a success. The success is the
//! finding; the burst is its evidence. A burst with no success yet is reported too, lower.
//!
//! One MFA attempt counts once even where the export writes several rows for it: Azure Monitor and
//! Log Analytics repeat a sign-in per MFA step with the same correlation id (Microsoft Entra
//! sign-in log documentation).
//!
//! The success must plausibly be the prompter's: a success from one of the user's own baseline
//! networks that none of the denied prompts came from is the victim signing in themselves after
//! declining the pushes (Sentinel's `MFASpammingfollowedbySuccessfullogin.yaml` groups denials and
//! the success per UPN + IP). The burst
//! is then reported as one with no success.

use std::collections::BTreeSet;

use serde_json::json;

use super::common::list_ips;
use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};
use crate::baseline::network;

/// Denied / unanswered attempts that make a burst. Elastic's push-bombing rule fires at 5 denials
/// then a success (Okta), Splunk "Azure AD Multiple Denied MFA Requests For User" at > 9 per
/// 10 min, Sentinel `MFASpammingfollowedbySuccessfullogin.yaml` at > 10 per 5 min; 5 catches
/// slower, throttling-aware campaigns while one or two fat-fingered codes stay quiet.
pub const MIN_DENIALS: usize = 5;

/// The burst must fall within this many minutes before the success (or before its last denial).
pub const WINDOW_MINUTES: i64 = 60;

/// `500121`: "Authentication failed during strong authentication request" (Entra error codes).
pub const MFA_FAILED_CODE: i32 = 500121;

/// Texts of a denied or unanswered prompt in `additionalDetails`, `authenticationStepResultDetail`
/// or the portal's MFA result column (Sentinel MFASpamming / MFARejectedbyUser rules).
const DENIAL_TEXTS: &[&str] = &["mfa denied", "did not respond", "declined the authentication", "reported fraud", "user did not approve"];

/// A burst followed by a success from the prompting side: the push bombing worked (Sentinel rates
/// its rule high).
pub const BOMBING_WORKED: Risk = Risk::High;
/// A burst that never ended in a success: someone holds the password and is trying.
pub const BOMBING: Risk = Risk::Medium;

/// The detector's id in every report.
pub const ID: &str = "mfa_fatigue";

pub struct MfaFatigue;

/// Denied attempts among the judged sign-ins, in time order, one per correlation id.
fn denials(cx: &UserContext<'_>) -> Vec<usize> {
    let r = cx.rows;
    let mut seen = BTreeSet::new();
    cx.judged.iter().copied().filter(|&i| is_denial(cx, i) && r.correlation_id.get(i).is_none_or(|c| seen.insert(c.to_string()))).collect()
}

/// The bursts among `rest` (denials no success claimed, time order) that never ended in a success.
fn unanswered_bursts(cx: &UserContext<'_>, rest: &[usize], out: &mut Vec<Finding>) {
    let r = cx.rows;
    let window = WINDOW_MINUTES * 60_000_000;
    let mut k = 0;
    while k < rest.len() {
        let t0 = r.time(rest[k]);
        let burst: Vec<usize> = rest[k..].iter().copied().take_while(|&d| r.time(d) - t0 <= window).collect();
        if burst.len() < MIN_DENIALS {
            k += 1;
            continue;
        }
        let ips: BTreeSet<&str> = burst.iter().filter_map(|&d| r.ip.get(d)).collect();
        let summary = format!(
            "{} denied/unanswered MFA prompts within {WINDOW_MINUTES} min from {}, no successful sign-in from there after them",
            burst.len(),
            list_ips(&ips)
        );
        let last = burst[burst.len() - 1];
        let mut rows = vec![last];
        rows.extend(burst.iter().copied().filter(|&d| d != last));
        out.push(cx.finding(ID, BOMBING, &rows, summary, details([("denials", json!(burst.len())), ("success", json!(false))])));
        k += burst.len();
    }
}

fn is_denial(cx: &UserContext<'_>, i: usize) -> bool {
    let r = cx.rows;
    if r.is_success(i) {
        return false;
    }
    let has = |s: Option<&str>| {
        s.is_some_and(|s| {
            let l = s.to_ascii_lowercase();
            DENIAL_TEXTS.iter().any(|t| l.contains(t))
        })
    };
    r.error_code(i) == Some(MFA_FAILED_CODE)
        || has(r.additional_details.get(i))
        || has(r.mfa_result.get(i))
        || r.steps(i).any(|s| s.succeeded != Some(true) && has(s.result_detail))
}

impl Declared for MfaFatigue {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: format!("{MIN_DENIALS}+ denied or unanswered MFA prompts within {WINDOW_MINUTES} min, then a success (push bombing)"),
            threshold: format!(
                ">= {MIN_DENIALS} prompts (one per correlation id) in {WINDOW_MINUTES} min; then a success from the prompting side {}, no success {}",
                BOMBING_WORKED.as_str(),
                BOMBING.as_str()
            ),
            sources: &[
                "Microsoft Sentinel `Solutions/Microsoft Entra ID/Analytic Rules/MFASpammingfollowedbySuccessfullogin.yaml`",
                "Elastic detection-rules `rules/integrations/okta/credential_access_okta_potentially_successful_okta_bombing_via_push_notifications.toml` (5 denials then a success)",
                "Splunk security_content `Azure AD Multiple Denied MFA Requests For User`",
            ],
        }
    }

    fn roles(&self) -> &'static [Role] {
        &[Role::PushBombing]
    }

    fn needs_baseline(&self) -> bool {
        false
    }
}

impl Detector for MfaFatigue {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let window = WINDOW_MINUTES * 60_000_000;
        let denials = denials(cx);
        if denials.len() < MIN_DENIALS {
            return;
        }
        let mut used = 0; // denials before this index belong to a burst already reported
        for &s in cx.judged {
            if !r.is_success(s) {
                continue;
            }
            let t = r.time(s);
            let burst: Vec<usize> = denials[used..].iter().copied().filter(|&d| r.time(d) <= t && r.time(d) >= t - window).collect();
            if burst.len() < MIN_DENIALS {
                continue;
            }
            let burst_nets: BTreeSet<String> = burst.iter().filter_map(|&d| r.ip.get(d).map(network)).collect();
            let own_day = cx.baseline.own_day(r, s);
            let victims_own =
                r.ip.get(s).map(network).is_some_and(|n| !burst_nets.contains(&n) && cx.baseline.networks.vouches(&n, own_day));
            if victims_own {
                continue;
            }
            if let Some(&last) = burst.last() {
                used = denials.iter().position(|&d| d == last).map_or(used, |p| p + 1);
            }
            let first = burst[0];
            let minutes = (t - r.time(first)) / 60_000_000;
            let ips: BTreeSet<&str> = burst.iter().filter_map(|&d| r.ip.get(d)).collect();
            let summary = format!(
                "{} denied/unanswered MFA prompts in {} min, then a successful sign-in from {} ({})",
                burst.len(),
                minutes,
                r.ip.get(s).unwrap_or("unknown IP"),
                r.country.get(s).unwrap_or("??")
            );
            let mut rows = vec![s];
            rows.extend(&burst);
            out.push(cx.finding(
                self.id(),
                BOMBING_WORKED,
                &rows,
                summary,
                details([
                    ("denials", json!(burst.len())),
                    ("minutes", json!(minutes)),
                    ("denial_ips", json!(ips)),
                    ("success_ip", json!(r.ip.get(s))),
                    ("success_app", json!(r.app_name.get(s))),
                ]),
            ));
        }
        unanswered_bursts(cx, &denials[used..], out);
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{NEW_YORK, rec, run};
    use crate::model::SignIn;

    fn denied(minute: u32) -> SignIn<'static> {
        let mut r = rec(&format!("2024-03-13T14:{minute:02}:00Z"), "203.0.113.44", "US", NEW_YORK);
        r.error_code = Some(MFA_FAILED_CODE);
        r.additional_details = Some(Cow::Borrowed("MFA denied; user declined the authentication"));
        r.correlation_id = Some(Cow::Owned(format!("c-{minute}")));
        r
    }

    fn bombing(success_ip: &'static str) -> Vec<Finding> {
        let mut records = vec![rec("2024-03-12T09:00:00Z", "198.51.100.10", "US", NEW_YORK)];
        records.extend((0..8).map(|k| denied(2 * k)));
        records.push(rec("2024-03-13T14:25:00Z", success_ip, "US", NEW_YORK));
        run(&MfaFatigue, &records, 1)
    }

    #[test]
    fn a_success_from_the_prompting_network_is_high() {
        let found = bombing("203.0.113.44");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].risk, found[0].rows[0]), (Risk::High, 9));
    }

    #[test]
    fn the_victim_signing_in_from_home_after_declining_is_not_the_success() {
        let found = bombing("198.51.100.10");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].risk, Risk::Medium);
        assert_eq!(
            found[0].summary,
            "8 denied/unanswered MFA prompts within 60 min from 203.0.113.44, no successful sign-in from there after them"
        );
    }
}
