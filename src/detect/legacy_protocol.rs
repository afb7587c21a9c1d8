//! `legacy_protocol`: sign-ins over legacy clients that cannot do MFA (IMAP, POP, SMTP AUTH,
//! ActiveSync, EWS, MAPI, Autodiscover, "Other clients") or the ROPC flow.
//!
//! One finding per client and outcome, listing its sign-ins: a mailbox polled over IMAP every five
//! minutes is one story, not three hundred. A success is worse than a failure (the password worked
//! without MFA), and a client the user never used successfully in the baseline is worse still (the
//! baseline learns from successes only, so the IMAP/SMTP sprays every mailbox collects do not make a
//! protocol "familiar").

use std::collections::BTreeMap;

use serde_json::json;

use super::common::{FAILED_PASSWORD_RIGHT, FAILED_WRONG_PASSWORD, failure_risk, list_ips, password_was_right};
use super::{Declared, Detector, Doc, Finding, Risk, UserContext, details};

/// `clientAppUsed` values of legacy authentication (Sentinel `LegacyAuthAttempt.yaml`, Elastic
/// new-terms legacy client list, Microsoft Graph `signIn` documentation). Compared case-insensitively.
pub const LEGACY_CLIENT_APPS: &[&str] = &[
    "authenticated smtp",
    "autodiscover",
    "exchange activesync",
    "exchange online powershell",
    "exchange web services",
    "imap4",
    "imap",
    "mapi over http",
    "mapi",
    "offline address book",
    "outlook anywhere (rpc over http)",
    "outlook service",
    "pop3",
    "pop",
    "smtp",
    "reporting web services",
    "other clients",
];

/// A success over a legacy client the baseline never shows: the password worked without MFA
/// (Elastic's legacy-auth and ROPC rules fire on the first use per user).
pub const SUCCESS_NEW_CLIENT: Risk = Risk::High;

/// A success over a client the user's baseline shows on other days.
pub const SUCCESS_KNOWN_CLIENT: Risk = Risk::Low;

/// User agents of the ROPC legacy flow (Sentinel `LegacyAuthUserAgents.yaml`, Sigma, MAS).
pub const ROPC_USER_AGENTS: &[&str] = &["bav2ropc", "aconsumerv2ropc", "cbainprod", "cbaintar"];

/// The detector's id in every report.
pub const ID: &str = "legacy_protocol";

pub struct LegacyProtocol;

/// The legacy client a row used, if any.
fn legacy_client(cx: &UserContext<'_>, i: usize) -> Option<String> {
    let r = cx.rows;
    if let Some(c) = r.client_app.get(i) {
        let lc = c.to_ascii_lowercase();
        if LEGACY_CLIENT_APPS.contains(&lc.as_str()) {
            return Some(c.to_string());
        }
    }
    if r.auth_protocol.get(i).is_some_and(|p| p.eq_ignore_ascii_case("ropc")) {
        return Some("ROPC".into());
    }
    let ua = r.user_agent.get(i)?.to_ascii_lowercase();
    ROPC_USER_AGENTS.iter().any(|p| ua.contains(p)).then(|| "ROPC".into())
}

impl Declared for LegacyProtocol {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: "sign-ins over legacy clients that bypass MFA (IMAP, POP3, SMTP, EAS, EWS, MAPI, Autodiscover, ROPC...)".into(),
            threshold: format!(
                "any; a success with a client the baseline never shows {}, a known client {}; failures {}, {} when the password was right",
                SUCCESS_NEW_CLIENT.as_str(),
                SUCCESS_KNOWN_CLIENT.as_str(),
                FAILED_WRONG_PASSWORD.as_str(),
                FAILED_PASSWORD_RIGHT.as_str()
            ),
            sources: &[
                "Microsoft Sentinel `Hunting Queries/SigninLogs/LegacyAuthAttempt.yaml`",
                "Microsoft Sentinel `Detections/SigninLogs/LegacyAuthUserAgents.yaml` (BAV2ROPC)",
                "Elastic detection-rules `rules/integrations/azure/` legacy-auth new-terms rules",
            ],
        }
    }

    fn needs_baseline(&self) -> bool {
        false
    }
}

impl Detector for LegacyProtocol {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        // Grouped by client, outcome, whether the baseline vouches for the client (a sign-in of the
        // baseline period itself is vouched for only by other days, never by itself) and, for
        // failures, whether the password was right.
        let r = cx.rows;
        let mut groups: BTreeMap<(String, bool, bool, bool), Vec<usize>> = BTreeMap::new();
        for &i in cx.judged {
            if let Some(client) = legacy_client(cx, i) {
                let known = cx.baseline.client_apps.vouches(&client.to_ascii_lowercase(), cx.baseline.own_day(r, i));
                groups.entry((client, r.is_success(i), known, password_was_right(r, i))).or_default().push(i);
            }
        }
        for ((client, success, known, _), rows) in groups {
            let risk = match (success, known) {
                (true, false) => SUCCESS_NEW_CLIENT,
                // A client the user has always used (the ActiveSync phone, the scan-to-email
                // printer) is a configuration risk to fix, not a sign of compromise: reported, but
                // alone it keeps the exit status 0.
                (true, true) => SUCCESS_KNOWN_CLIENT,
                (false, _) => failure_risk(r, &rows),
            };
            let ips: std::collections::BTreeSet<&str> = rows.iter().filter_map(|&i| r.ip.get(i)).collect();
            let summary = format!(
                "{} {} sign-in(s) over {client} from {}; {}",
                rows.len(),
                if success { "successful" } else { "failed" },
                list_ips(&ips),
                if known {
                    format!("the user also used it in the baseline ({} successful sign-ins)", cx.baseline.successes)
                } else {
                    format!("never used in the baseline ({} successful sign-ins)", cx.baseline.successes)
                }
            );
            out.push(cx.finding(
                self.id(),
                risk,
                &rows,
                summary,
                details([
                    ("client", json!(client)),
                    ("success", json!(success)),
                    ("count", json!(rows.len())),
                    ("ips", json!(ips)),
                    ("in_baseline", json!(known)),
                ]),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{NEW_YORK, rec, run};
    use crate::model::SignIn;

    fn imap(mut r: SignIn<'static>, code: i32) -> SignIn<'static> {
        r.client_app_used = Some(Cow::Borrowed("IMAP4"));
        r.error_code = Some(code);
        r
    }

    #[test]
    fn a_spray_in_the_baseline_does_not_make_the_protocol_familiar() {
        let found = run(
            &LegacyProtocol,
            &[
                rec("2024-03-01T09:00:00Z", "198.51.100.10", "US", NEW_YORK),
                imap(rec("2024-03-02T03:00:00Z", "203.0.113.200", "US", NEW_YORK), 50126),
                imap(rec("2024-03-13T14:00:00Z", "203.0.113.20", "US", NEW_YORK), 0),
            ],
            2,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].risk, Risk::High);
        assert_eq!(
            found[0].summary,
            "1 successful sign-in(s) over IMAP4 from 203.0.113.20; never used in the baseline (1 successful sign-ins)"
        );
    }
}
