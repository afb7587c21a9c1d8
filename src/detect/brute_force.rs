//! `brute_force`: many failed passwords against one account within minutes, then a success from an
//! address that was guessing, or not.
//!
//! A burst is a run of [`WINDOW_MINUTES`] windows holding at least [`MIN_FAILURES`] credential
//! failures ([`Credential::Failed`]: wrong password, locked, unknown or disabled account), from any
//! number of addresses (distributed guessing is still guessing).
//!
//! The commonest burst is not an attack: a phone or mail client retrying a password the user has
//! just changed. It comes from the user's own client: a network, registered device or exact user
//! agent their baseline knows. Such a burst is low, whatever follows. A burst from elsewhere is
//! medium, and high when one of its addresses then signs in successfully (the guess worked).
//!
//! Chaining: a high finding cites that success, so it chains with what other detectors say about the
//! same sign-in or session (a new country, a new device); the others cite failures only, which never
//! chain.

use std::collections::BTreeSet;

use serde_json::json;

use super::common::{Familiar, familiar_place, list_ips, own_device};
use super::credentials::{Credential, classify};
use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};

/// Failures in one window that make a burst: Sentinel `SigninBruteForce-AzurePortal.yaml`
/// (Azure/Azure-Sentinel) alerts on 10 or more failures within a 20-minute session before a
/// success; Elastic's password-guessing case (30 attempts in 5 min) catches only fast tools.
pub const MIN_FAILURES: usize = 10;

/// The window of [`MIN_FAILURES`] (Sentinel's 20-minute session).
pub const WINDOW_MINUTES: i64 = 20;

/// A burst from elsewhere followed by a success from one of its addresses: the guess worked
/// (Sentinel `SigninBruteForce-AzurePortal.yaml` alerts on the success after the failures).
pub const GUESSED_THEN_IN: Risk = Risk::High;
/// A burst from elsewhere with no success from its addresses: the account is targeted.
pub const GUESSING: Risk = Risk::Medium;
/// A burst from the user's own client (a phone retrying a changed password).
pub const STALE_PASSWORD: Risk = Risk::Low;

/// The detector's id in every report.
pub const ID: &str = "brute_force";

pub struct BruteForce;

impl Declared for BruteForce {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: "many failed passwords against one account, from any number of addresses".into(),
            threshold: format!(
                ">= {MIN_FAILURES} credential failures within {WINDOW_MINUTES} min; then a success from a guessing address {}, none {}; every failure from the user's own network, device or user agent (a stale password) {}",
                GUESSED_THEN_IN.as_str(),
                GUESSING.as_str(),
                STALE_PASSWORD.as_str()
            ),
            sources: &[
                "Microsoft Sentinel `Solutions/Microsoft Entra ID/Analytic Rules/SigninBruteForce-AzurePortal.yaml` (10 failures in a 20-minute session, then a success)",
                "Elastic detection-rules `rules/integrations/azure/credential_access_entra_id_brute_force_activity.toml`",
            ],
        }
    }

    fn roles(&self) -> &'static [Role] {
        &[Role::FatiguePartner]
    }

    fn needs_baseline(&self) -> bool {
        true
    }
}

impl Detector for BruteForce {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let failures: Vec<usize> =
            cx.judged_after_baseline.iter().copied().filter(|&i| classify(r, i) == Some(Credential::Failed)).collect();
        for (s, e) in bursts(cx, &failures) {
            let burst = &failures[s..=e];
            let ips: BTreeSet<&str> = burst.iter().filter_map(|&i| r.ip.get(i)).collect();
            let own = burst.iter().all(|&i| own_client(cx, i));
            let start = r.time(burst[0]);
            let success = cx
                .judged
                .iter()
                .copied()
                .find(|&i| r.time(i) >= start && r.is_success(i) && r.ip.get(i).is_some_and(|ip| ips.contains(ip)));
            let risk = match (own, success) {
                (true, _) => STALE_PASSWORD,
                (false, Some(_)) => GUESSED_THEN_IN,
                (false, None) => GUESSING,
            };
            let minutes = (r.time(burst[burst.len() - 1]) - start) / 60_000_000;
            let tail = match (own, success) {
                (true, _) => "from the user's own network, device or user agent (a stale password, most likely)".to_string(),
                (false, Some(s)) => format!("then a successful sign-in from {}", r.ip.get(s).unwrap_or("?")),
                (false, None) => "no successful sign-in from those addresses".to_string(),
            };
            let summary = format!("{} failed sign-ins in {minutes} min from {}; {tail}", burst.len(), list_ips(&ips));
            let mut rows: Vec<usize> = success.into_iter().collect();
            rows.extend(burst);
            out.push(cx.finding(
                self.id(),
                risk,
                &rows,
                summary,
                details([
                    ("failures", json!(burst.len())),
                    ("minutes", json!(minutes)),
                    ("ips", json!(ips)),
                    ("own_client", json!(own)),
                    ("success_ip", json!(success.and_then(|s| r.ip.get(s)))),
                ]),
            ));
        }
    }
}

/// Index ranges (inclusive) of `failures` (time order) where a [`WINDOW_MINUTES`] window holds at
/// least [`MIN_FAILURES`]; overlapping windows are merged.
fn bursts(cx: &UserContext<'_>, failures: &[usize]) -> Vec<(usize, usize)> {
    let r = cx.rows;
    let window = WINDOW_MINUTES * 60_000_000;
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut j = 0;
    for i in 0..failures.len() {
        while j < failures.len() && r.time(failures[j]) - r.time(failures[i]) <= window {
            j += 1;
        }
        if j - i >= MIN_FAILURES {
            match out.last_mut() {
                Some(last) if last.1 >= i => last.1 = j - 1,
                _ => out.push((i, j - 1)),
            }
        }
    }
    out
}

/// Whether row `i` came from the user's own client: the user's own device ([`own_device`]), a
/// network of the user's ([`familiar_place`]; the organization's shared networks are not the
/// user's own), or the exact user agent of the user's baseline.
fn own_client(cx: &UserContext<'_>, i: usize) -> bool {
    let r = cx.rows;
    own_device(cx, i)
        || familiar_place(cx, i).is_some_and(|f| f != Familiar::Organization)
        || r.user_agent.get(i).is_some_and(|ua| cx.baseline.user_agents.vouches(ua, cx.baseline.own_day(r, i)))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{LAGOS, NEW_YORK, rec, run};
    use crate::model::SignIn;

    fn failed(minute: u32, ip: &'static str) -> SignIn<'static> {
        let mut r = rec(&format!("2024-03-13T14:{minute:02}:00Z"), ip, "NG", LAGOS);
        r.error_code = Some(50126);
        r.user_agent = Some(Cow::Borrowed("python-requests/2.31"));
        r
    }

    fn history() -> Vec<SignIn<'static>> {
        (1..=10).map(|d| rec(&format!("2024-03-{d:02}T09:00:00Z"), "198.51.100.10", "US", NEW_YORK)).collect()
    }

    #[test]
    fn guessing_then_a_success_from_the_guessing_address_is_high() {
        let mut records = history();
        records.extend((0..12).map(|k| failed(k, "203.0.113.9")));
        records.push(rec("2024-03-13T14:13:00Z", "203.0.113.9", "NG", LAGOS));
        let found = run(&BruteForce, &records, 10);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].risk, found[0].rows[0], found[0].rows.len()), (Risk::High, 22, 13));
        assert_eq!(found[0].summary, "12 failed sign-ins in 11 min from 203.0.113.9; then a successful sign-in from 203.0.113.9");
    }

    #[test]
    fn nine_failures_are_not_a_burst_and_the_users_own_network_is_low() {
        let mut records = history();
        records.extend((0..9).map(|k| failed(k, "203.0.113.9")));
        assert!(run(&BruteForce, &records, 10).is_empty());
        let mut records = history();
        records.extend((0..12).map(|k| failed(k, "198.51.100.10")));
        let found = run(&BruteForce, &records, 10);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].risk, Risk::Low);
    }
}
