//! `device_code`: successful sign-ins through the OAuth device-code flow (`authenticationProtocol`
//! deviceCode, `originalTransferMethod` deviceCodeFlow), the flow device-code phishing abuses
//! (Storm-2372): the victim types the attacker's code at microsoft.com/devicelogin from their own
//! browser, so the sign-in itself looks like them, and the attacker's poller receives the tokens.
//!
//! What gives it away is what the session does next and whether the user ever did this before:
//! - the session (`sessionId`) is then used from another country than both the device-code sign-in
//!   and the user's baseline, or from a hosting / Tor / anonymizer network: high (Elastic
//!   "OAuth Device Code Flow with Concurrent Sign-ins": one session, two addresses or agents);
//! - the user never completed a device-code sign-in before (Elastic's new-terms rule on device-code
//!   users): medium; judged only after a baseline that is not thin, since a user whose habits are
//!   unknown cannot be "new" to anything;
//! - the session used from a network that is neither the sign-in's nor familiar (the user's, the
//!   organization's, where the user's own device is: [`familiar_place`]), or a
//!   device-code sign-in to the Microsoft Authentication Broker or Device Registration Service (the
//!   PRT-phishing chain, Microsoft-Analyzer-Suite rules LETHAL-012 and LETHAL-014): one level more.
//!
//! A user who routinely signs in to a conference-room device or a CLI with a device code from the
//! office has used the flow before and the office network is theirs: no finding.
//!
//! Chaining: the finding cites the successful device-code sign-in and the session's later uses, so it
//! chains with `token_replay`, `new_location` and the rest on that session.

use serde_json::json;

use super::common::familiar_place;
use super::infra::attacker_network;
use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};
use crate::baseline::{MIN_BASELINE_SIGN_INS, network};

/// Apps whose device-code sign-in mints a primary refresh token or registers a device (Microsoft
/// Authentication Broker, Device Registration Service; peers' well-known ids).
pub const PRT_APPS: &[&str] = &["29d9ed98-a469-4536-ade2-f981bc1d605e", "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9"];

/// The session of a device-code sign-in then used from another country or attacker infrastructure:
/// the attacker's poller holds the tokens (Elastic "OAuth Device Code Flow with Concurrent Sign-ins").
pub const SESSION_ELSEWHERE: Risk = Risk::High;
/// The user's first device-code sign-in (Elastic's device-code new-terms rule).
pub const FIRST_USE: Risk = Risk::Medium;

/// The detector's id in every report.
pub const ID: &str = "device_code";

pub struct DeviceCode;

/// Whether row `i` went through the device-code flow.
pub fn is_device_code(cx: &UserContext<'_>, i: usize) -> bool {
    let r = cx.rows;
    r.auth_protocol.get(i).is_some_and(|p| p.eq_ignore_ascii_case("deviceCode"))
        || r.original_transfer_method.get(i).is_some_and(|m| m.eq_ignore_ascii_case("deviceCodeFlow"))
}

impl Declared for DeviceCode {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports:
                "successful sign-ins through the OAuth device-code flow (deviceCode, deviceCodeFlow), the flow device-code phishing abuses"
                    .into(),
            threshold: format!(
                "the session then used from another country or a hosting, Tor or anonymizer network {}; the user's first use {} (judged only after a baseline of >= {MIN_BASELINE_SIGN_INS} successes); one level more when the session is used from a network neither the user nor the organization uses, or the app mints device tokens (PRT phishing); a routine device-code user on their own network: nothing",
                SESSION_ELSEWHERE.as_str(),
                FIRST_USE.as_str()
            ),
            sources: &[
                "Elastic detection-rules `rules/integrations/azure/` \"OAuth Device Code Flow with Concurrent Sign-ins\" and device-code new-terms rule",
                "LETHAL-FORENSICS Microsoft-Analyzer-Suite `EntraSignInLogs-Analyzer.ps1` rules LETHAL-012 and LETHAL-014 (device code to the Authentication Broker or Device Registration Service)",
            ],
        }
    }

    fn roles(&self) -> &'static [Role] {
        &[Role::FatiguePartner]
    }

    /// The first-use signal compares with the baseline, but only when there is a solid one; the
    /// session signals need none, so every sign-in of the window is judged.
    fn needs_baseline(&self) -> bool {
        false
    }
}

impl Detector for DeviceCode {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let mut prior = cx.baseline_rows.iter().any(|&i| r.is_success(i) && is_device_code(cx, i));
        for &i in cx.judged {
            if !(r.is_success(i) && is_device_code(cx, i)) {
                continue;
            }
            let first_use = if prior {
                Some(false)
            } else if !cx.baseline.thin() && cx.judged_after_baseline.binary_search(&i).is_ok() {
                Some(true)
            } else {
                None
            };
            prior = true;
            if let Some(f) = judge(self.id(), cx, i, first_use) {
                out.push(f);
            }
        }
    }
}

/// Rate one device-code sign-in; `first_use` is unknown (`None`) without a solid baseline.
fn judge(id: &'static str, cx: &UserContext<'_>, i: usize, first_use: Option<bool>) -> Option<Finding> {
    let r = cx.rows;
    let (country, net) = (r.country.get(i), r.ip.get(i).map(network));
    let mut elsewhere: Vec<usize> = Vec::new();
    let mut new_network: Vec<usize> = Vec::new();
    if let Some(session) = r.session_id.get(i) {
        for &j in cx.judged {
            if j == i || r.time(j) < r.time(i) || r.session_id.get(j) != Some(session) {
                continue;
            }
            let own = cx.baseline.own_day(r, j);
            let other_country = r.country.get(j).is_some_and(|c| Some(c) != country && !cx.baseline.countries.vouches(c, own));
            let attacker_net = attacker_network(cx, j).is_some();
            let n = r.ip.get(j).map(network);
            if other_country || attacker_net {
                elsewhere.push(j);
            } else if n.is_some() && n != net && familiar_place(cx, j).is_none() {
                new_network.push(j);
            }
        }
    }
    let prt_app = r.app_id.get(i).is_some_and(|a| PRT_APPS.contains(&a));
    let mut risk = if first_use == Some(true) { Some(FIRST_USE) } else { None };
    if !new_network.is_empty() {
        risk = Some(risk.map_or(FIRST_USE, Risk::raise));
    }
    if prt_app {
        risk = risk.map(Risk::raise);
    }
    if !elsewhere.is_empty() {
        risk = Some(SESSION_ELSEWHERE);
    }
    let risk = risk?.min(SESSION_ELSEWHERE);
    let app = r.app_name.get(i).or(r.app_id.get(i)).unwrap_or("an unknown app");
    let mut reasons = Vec::new();
    if let Some(&j) = elsewhere.first() {
        let class = attacker_network(cx, j).map_or(String::new(), |c| format!(", {}", c.as_str()));
        reasons.push(format!(
            "the session was then used from {} ({}{class})",
            r.ip.get(j).unwrap_or("?"),
            r.country.get(j).unwrap_or("??")
        ));
    }
    if let Some(&j) = new_network.first() {
        reasons.push(format!("the session was then used from a network the user never used ({})", r.ip.get(j).unwrap_or("?")));
    }
    if first_use == Some(true) {
        reasons.push("the user never signed in with a device code before".into());
    }
    if prt_app {
        reasons.push("the app mints device tokens (primary refresh token phishing)".into());
    }
    let summary = format!(
        "device-code sign-in to {app} from {} ({}): {}",
        r.ip.get(i).unwrap_or("unknown IP"),
        country.unwrap_or("??"),
        reasons.join("; ")
    );
    let mut rows = vec![i];
    rows.extend(elsewhere.iter().chain(&new_network));
    Some(cx.finding(
        id,
        risk,
        &rows,
        summary,
        details([
            ("app", json!(app)),
            ("first_use", json!(first_use)),
            ("session_used_elsewhere", json!(elsewhere.len())),
            ("session_used_from_new_networks", json!(new_network.len())),
            ("prt_app", json!(prt_app)),
        ]),
    ))
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

    fn device_code(mut r: SignIn<'static>) -> SignIn<'static> {
        r.authentication_protocol = Some(Cow::Borrowed("deviceCode"));
        r.original_transfer_method = Some(Cow::Borrowed("deviceCodeFlow"));
        r.session_id = Some(Cow::Borrowed("s-1"));
        r
    }

    #[test]
    fn a_first_device_code_whose_session_is_then_used_abroad_is_high() {
        let mut records = history();
        records.push(device_code(rec("2024-03-13T14:00:00Z", "198.51.100.10", "US", NEW_YORK)));
        let mut replay = rec("2024-03-13T14:05:00Z", "203.0.113.66", "RU", MOSCOW);
        replay.session_id = Some(Cow::Borrowed("s-1"));
        records.push(replay);
        let found = run(&DeviceCode, &records, 10);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].risk, &found[0].rows[..]), (Risk::High, &[10, 11][..]));
        assert_eq!(
            found[0].summary,
            "device-code sign-in to an unknown app from 198.51.100.10 (US): the session was then used from 203.0.113.66 (RU); the user never signed in with a device code before"
        );
    }

    #[test]
    fn a_routine_device_code_user_is_quiet_and_a_first_one_is_medium() {
        let mut records = history();
        records[3] = device_code(records[3].clone());
        records.push(device_code(rec("2024-03-13T14:00:00Z", "198.51.100.10", "US", NEW_YORK)));
        assert!(run(&DeviceCode, &records, 10).is_empty());
        let mut records = history();
        records.push(device_code(rec("2024-03-13T14:00:00Z", "198.51.100.10", "US", NEW_YORK)));
        let found = run(&DeviceCode, &records, 10);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].risk, Risk::Medium);
    }
}
