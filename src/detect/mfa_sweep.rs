//! `mfa_sweep`: MFASweep-style probing. With a password in hand, a tool signs in to several
//! Microsoft services (Graph, Azure management, Exchange Web Services, ActiveSync, the web portal)
//! claiming to be several device platforms (Windows, Linux, macOS, Android, iPhone, Windows Phone)
//! within minutes, to find the one combination no Conditional Access policy asks MFA of
//! (dafthack/MFASweep README).
//!
//! From one address within [`WINDOW_MINUTES`]: at least [`MIN_APPS`] applications (Splunk "Azure AD
//! Multiple AppIDs and UserAgents Authentication Spike": more than 2 app ids in 5 minutes) with user
//! agents claiming at least [`MIN_PLATFORMS`] operating systems. Splunk counts user agents (more
//! than 5); counting the operating systems they claim is the sharper rule both ways: a person's
//! laptop and phone behind one home router open many apps with many agent strings at 9 a.m., but
//! from two platforms, while a public MFASweep run recorded in a lab tenant (blueteam0ps/
//! det-eng-samples, `t1592.004_mfa_sweep.csv`) shows 5 agents of 5 platforms within 11 seconds.
//!
//! Only agents the user's baseline never saw count: MFASweep sends canned agent strings, while a
//! shared front-desk account signed in on the office's Windows PCs, iPads and Android phones repeats
//! the agents of its own devices. So the detector needs a baseline and never judges the sign-ins it
//! was made of.
//!
//! High when any probe got the password right or succeeded (the account's password is known and the
//! gap, if any, found); medium when every probe failed on the password.
//!
//! Chaining: a probe that succeeded chains with the other detectors on that sign-in (the unmanaged
//! device, the new place).

use std::collections::BTreeSet;

use serde_json::json;

use super::credentials::{Credential, classify};
use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};
use crate::baseline::family_of_text;

/// Distinct applications from one address within the window (Splunk: more than 2).
pub const MIN_APPS: usize = 3;

/// Distinct operating systems the user agents claim (MFASweep cycles through six for the web
/// portal alone; a person's devices are a laptop and a phone, rarely a third platform).
pub const MIN_PLATFORMS: usize = 4;

/// The window (Splunk's 5-minute buckets, as a sliding window).
pub const WINDOW_MINUTES: i64 = 5;

/// A probe got the password right or in: the account's password is known and the gap, if any,
/// found.
pub const PASSWORD_KNOWN: Risk = Risk::High;
/// Every probe failed on the password.
pub const PROBED: Risk = Risk::Medium;

/// The detector's id in every report.
pub const ID: &str = "mfa_sweep";

pub struct MfaSweep;

impl Declared for MfaSweep {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: "MFASweep-style probing: several apps from one address within minutes, with user agents the baseline never saw claiming several operating systems".into(),
            threshold: format!(
                ">= {MIN_APPS} apps and >= {MIN_PLATFORMS} claimed platforms from one address within {WINDOW_MINUTES} min; {} when a probe got the password right, else {}",
                PASSWORD_KNOWN.as_str(),
                PROBED.as_str()
            ),
            sources: &[
                "Splunk security_content `Azure AD Multiple AppIDs and UserAgents Authentication Spike` (more than 2 apps in 5 min)",
                "dafthack MFASweep README (the services and platforms it tries)",
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

impl Detector for MfaSweep {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let mut by_ip: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
        for &i in cx.judged_after_baseline {
            let unknown_agent = r.user_agent.get(i).is_some_and(|ua| !cx.baseline.user_agents.contains(ua));
            if let (Some(ip), true) = (r.ip.get(i), unknown_agent) {
                by_ip.entry(ip).or_default().push(i);
            }
        }
        let window = WINDOW_MINUTES * 60_000_000;
        for (ip, rows) in by_ip {
            let mut k = 0;
            while k < rows.len() {
                let end = k + rows[k..].iter().take_while(|&&j| r.time(j) - r.time(rows[k]) <= window).count();
                // Fewer sign-ins than the platforms needed cannot be a sweep (most windows: a cheap skip).
                if end - k < MIN_PLATFORMS {
                    k += 1;
                    continue;
                }
                let probe = &rows[k..end];
                let (apps, agents, platforms) = spread(cx, probe);
                if apps.len() < MIN_APPS || platforms.len() < MIN_PLATFORMS {
                    k += 1;
                    continue;
                }
                let verified = probe.iter().any(|&j| matches!(classify(r, j), Some(Credential::Verified | Credential::Succeeded)));
                let successes = probe.iter().filter(|&&j| r.is_success(j)).count();
                let summary = format!(
                    "{} sign-ins from {ip} in {} min to {} apps with {} user agents claiming {}; {}",
                    probe.len(),
                    (r.time(probe[probe.len() - 1]) - r.time(probe[0])) / 60_000_000,
                    apps.len(),
                    agents.len(),
                    platforms.iter().copied().collect::<Vec<_>>().join(", "),
                    if successes > 0 {
                        format!("{successes} succeeded")
                    } else if verified {
                        "the password was right, MFA or Conditional Access stopped them".into()
                    } else {
                        "all failed on the password".into()
                    }
                );
                out.push(cx.finding(
                    self.id(),
                    if verified { PASSWORD_KNOWN } else { PROBED },
                    probe,
                    summary,
                    details([
                        ("ip", json!(ip)),
                        ("sign_ins", json!(probe.len())),
                        ("apps", json!(apps)),
                        ("platforms", json!(platforms)),
                        ("user_agents", json!(agents.len())),
                        ("successes", json!(successes)),
                    ]),
                ));
                k = end;
            }
        }
    }
}

/// Distinct apps, user agents and claimed platforms of `rows`.
fn spread<'a>(cx: &UserContext<'a>, rows: &[usize]) -> (BTreeSet<&'a str>, BTreeSet<&'a str>, BTreeSet<&'static str>) {
    let r = cx.rows;
    let apps = rows.iter().filter_map(|&j| r.app_id.get(j).or(r.app_name.get(j))).collect();
    let agents: BTreeSet<&str> = rows.iter().filter_map(|&j| r.user_agent.get(j)).collect();
    let platforms = agents.iter().filter_map(|ua| family_of_text(ua)).collect();
    (apps, agents, platforms)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{NEW_YORK, rec, run};
    use crate::model::SignIn;
    use crate::model::time::parse_time;

    const AGENTS: &[&str] = &[
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0",
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
        "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1) Edge/15.15063",
    ];

    fn probe(k: usize, code: i32) -> SignIn<'static> {
        let mut r = rec(&format!("2024-03-13T14:{:02}:{:02}Z", k * 20 / 60, k * 20 % 60), "203.0.113.77", "US", NEW_YORK);
        r.error_code = Some(code);
        r.user_agent = Some(Cow::Borrowed(AGENTS[k % AGENTS.len()]));
        r.app_id = Some(Cow::Owned(format!("app-{}", k % 4)));
        r
    }

    #[test]
    fn six_platforms_and_four_apps_in_a_minute_is_a_sweep() {
        let found = run(&MfaSweep, &(0..8).map(|k| probe(k, if k == 5 { 0 } else { 50076 })).collect::<Vec<_>>(), 0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].risk, Risk::High);
        assert_eq!(found[0].rows.len(), 8);
        let failed = run(&MfaSweep, &(0..8).map(|k| probe(k, 50126)).collect::<Vec<_>>(), 0);
        assert_eq!(failed[0].risk, Risk::Medium, "{failed:?}");
    }

    #[test]
    fn five_platforms_in_seconds_with_a_repeated_agent_is_a_sweep_three_are_not() {
        // The shape of a recorded MFASweep run: PowerShell to two apps, then the web portal as
        // Linux, Mac, Android and Windows Phone, all within a quarter of a minute.
        let agents = [AGENTS[0], AGENTS[0], AGENTS[1], AGENTS[2], AGENTS[3], AGENTS[5]];
        let records: Vec<SignIn<'static>> = agents
            .iter()
            .enumerate()
            .map(|(k, ua)| {
                let mut r = rec(&format!("2024-03-13T14:00:{:02}Z", 2 * k), "203.0.113.77", "US", NEW_YORK);
                r.user_agent = Some(Cow::Borrowed(ua));
                r.app_id = Some(Cow::Borrowed(["app-ps", "app-azps", "app-exo", "app-exo", "app-exo", "app-exo"][k]));
                r
            })
            .collect();
        assert_eq!(run(&MfaSweep, &records, 0).len(), 1);
        assert!(run(&MfaSweep, &records[..4], 0).is_empty(), "Windows, Linux and macOS only");
    }

    #[test]
    fn a_shared_account_on_the_offices_own_devices_is_not_a_sweep() {
        // Six platforms from one address, but every agent is one the baseline knows.
        let mut records: Vec<SignIn<'static>> = (0..6).map(|k| probe(k, 0)).collect();
        for r in &mut records {
            r.time = parse_time("2024-03-01T09:00:00Z", 0);
        }
        records.extend((0..8).map(|k| probe(k, 0)));
        assert!(run(&MfaSweep, &records, 6).is_empty());
    }

    #[test]
    fn a_laptop_and_a_phone_opening_many_apps_are_two_platforms() {
        let records: Vec<SignIn<'static>> = (0..10)
            .map(|k| {
                let mut r = probe(k, 0);
                r.user_agent = Some(Cow::Owned(format!("{} v{k}", AGENTS[if k % 2 == 0 { 0 } else { 4 }])));
                r
            })
            .collect();
        assert!(run(&MfaSweep, &records, 0).is_empty());
    }

    #[test]
    fn platforms() {
        assert_eq!(family_of_text(AGENTS[5]), Some("windows phone"));
        assert_eq!(family_of_text(AGENTS[3]), Some("android"));
        assert_eq!(family_of_text(AGENTS[1]), Some("linux"));
        assert_eq!(family_of_text("python-requests/2.31"), None);
    }
}
