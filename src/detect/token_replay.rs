//! `token_replay`: one session or token used from places that cannot be one client, and
//! non-interactive (token) successes from networks the user never signed in from interactively.
//!
//! Keys are `sessionId` and `uniqueTokenIdentifier`, not `correlationId`, which the client chooses
//! and Entra "can't guarantee" (Graph beta signIn docs; research/peers.md §4.4).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::impossible_travel::impossible_speed;
use super::{Detector, Doc, Finding, Risk, Role, UserContext, details};
use crate::baseline::network;
use crate::geo::distance_km;

/// Uses of one session this many minutes apart or closer are compared (Elastic's concurrent-session
/// rules look at one hour; Splunk's at 5-minute buckets). Two countries inside the window are high
/// only when no traveller covers the distance in the time ([`impossible_speed`], the
/// `impossible_travel` thresholds): New York → Toronto is a 100-minute flight with one laptop.
pub const CONCURRENT_MINUTES: i64 = 120;

/// The detector's id in every report.
pub const ID: &str = "token_replay";

pub struct TokenReplay;

impl Detector for TokenReplay {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: format!(
                "one session or token used from two countries too far apart for the time, or from two networks with two client families, within {CONCURRENT_MINUTES} min; token use from networks never signed in from interactively"
            ),
            threshold: format!("uses <= {CONCURRENT_MINUTES} min apart; two countries beyond travel high, two networks and clients medium"),
            sources: &[
                "Elastic detection-rules `rules/integrations/azure/` OAuth device code / concurrent sign-in rules (one session, >= 2 IPs or user agents)",
                "Splunk security_content `Azure AD Concurrent Sessions From Different Ips`",
                "Microsoft Entra ID Protection risk detections (unfamiliar sign-in properties on non-interactive sign-ins: token replay)",
            ],
        }
    }

    fn roles(&self) -> &'static [Role] {
        &[Role::FatiguePartner]
    }

    fn needs_baseline(&self) -> bool {
        false
    }

    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        for (kind, get) in [("session", 0), ("token", 1)] {
            let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &i in cx.judged {
                let key = if get == 0 { r.session_id.get(i) } else { r.unique_token.get(i) };
                if let Some(k) = key {
                    groups.entry(k).or_default().push(i);
                }
            }
            for (key, rows) in groups {
                if let Some(f) = concurrent_use(cx, kind, key, &rows) {
                    out.push(f);
                }
            }
        }
        unfamiliar_token_networks(cx, out);
    }
}

/// Whether one traveller can have made both sign-ins: true unless both are located and the hop
/// needs an impossible speed. Unlocated pairs in two countries are treated as not travelled.
fn travelled(cx: &UserContext<'_>, a: usize, b: usize) -> bool {
    let r = cx.rows;
    let (Some(la), Some(lb)) = (cx.geo.locate(r, a), cx.geo.locate(r, b)) else {
        return false;
    };
    let km = distance_km((la.lat, la.lon), (lb.lat, lb.lon));
    impossible_speed(km, (r.time(b) - r.time(a)) as f64 / 60e6).is_none()
}

/// The closest pair of uses of one session/token that disagree on country beyond travel (or on
/// network and user agent together) within [`CONCURRENT_MINUTES`].
fn concurrent_use(cx: &UserContext<'_>, kind: &str, key: &str, rows: &[usize]) -> Option<Finding> {
    let r = cx.rows;
    let window = CONCURRENT_MINUTES * 60_000_000;
    let mut best: Option<(Risk, usize, usize)> = None;
    for (n, &a) in rows.iter().enumerate() {
        for &b in &rows[n + 1..] {
            if r.time(b) - r.time(a) > window {
                break;
            }
            let (ca, cb) = (r.country.get(a), r.country.get(b));
            let (na, nb) = (r.ip.get(a).map(network), r.ip.get(b).map(network));
            let risk = if ca.is_some() && cb.is_some() && ca != cb && !travelled(cx, a, b) {
                Risk::High
            } else if na.is_some() && nb.is_some() && na != nb && r.user_agent.get(a) != r.user_agent.get(b) {
                Risk::Medium
            } else {
                continue;
            };
            if best.is_none_or(|(br, _, _)| risk > br) {
                best = Some((risk, a, b));
            }
        }
    }
    let (risk, a, b) = best?;
    let countries: BTreeSet<&str> = rows.iter().filter_map(|&i| r.country.get(i)).collect();
    let nets: BTreeSet<String> = rows.iter().filter_map(|&i| r.ip.get(i).map(network)).collect();
    let uas: BTreeSet<&str> = rows.iter().filter_map(|&i| r.user_agent.get(i)).collect();
    let minutes = (r.time(b) - r.time(a)) / 60_000_000;
    let summary = format!(
        "{kind} used from {} and {} {minutes} min apart ({} sign-ins, {} networks, {} user agents)",
        describe(cx, a),
        describe(cx, b),
        rows.len(),
        nets.len(),
        uas.len()
    );
    let mut cited = vec![b, a];
    cited.extend(rows.iter().copied().filter(|&i| i != a && i != b));
    Some(cx.finding(
        ID,
        risk,
        &cited,
        summary,
        details([
            ("kind", json!(kind)),
            ("id", json!(key)),
            ("sign_ins", json!(rows.len())),
            ("countries", json!(countries)),
            ("networks", json!(nets)),
            ("user_agents", json!(uas)),
            ("minutes_apart", json!(minutes)),
        ]),
    ))
}

fn describe(cx: &UserContext<'_>, i: usize) -> String {
    let r = cx.rows;
    format!("{} ({})", r.ip.get(i).unwrap_or("unknown IP"), r.country.get(i).unwrap_or("??"))
}

/// Non-interactive successes from a network the user never signed in from interactively (Entra ID
/// Protection guidance: unfamiliar properties on non-interactive sign-ins "deserve increased scrutiny
/// due to the risk of token replay"). Only *successful* interactive sign-ins vouch for a network: the
/// thief who phished a session usually also tried the password from the same server and was stopped
/// at MFA.
fn unfamiliar_token_networks(cx: &UserContext<'_>, out: &mut Vec<Finding>) {
    let r = cx.rows;
    let vouched: Vec<usize> = cx.interactive_history.iter().copied().filter(|&i| r.is_success(i)).collect();
    if vouched.is_empty() {
        return;
    }
    let known_nets: BTreeSet<String> = vouched.iter().filter_map(|&i| r.ip.get(i).map(network)).collect();
    let known_countries: BTreeSet<&str> = vouched.iter().filter_map(|&i| r.country.get(i)).collect();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in cx.judged {
        if r.event_type.get(i) != Some("nonInteractiveUser") || !r.is_success(i) {
            continue;
        }
        if let Some(net) = r.ip.get(i).map(network)
            && !known_nets.contains(&net)
        {
            groups.entry(net).or_default().push(i);
        }
    }
    for (net, rows) in groups {
        let countries: BTreeSet<&str> = rows.iter().filter_map(|&i| r.country.get(i)).collect();
        let new_country = countries.iter().any(|c| !known_countries.contains(c));
        let risk = if new_country { Risk::High } else { Risk::Medium };
        let summary = format!(
            "{} non-interactive (token) success(es) from {net}{}, a network never used interactively ({} successful interactive sign-ins from {} network(s) known)",
            rows.len(),
            if new_country { format!(" in {}", countries.iter().copied().collect::<Vec<_>>().join("/")) } else { String::new() },
            vouched.len(),
            known_nets.len()
        );
        out.push(cx.finding(
            ID,
            risk,
            &rows,
            summary,
            details([
                ("kind", json!("non_interactive_network")),
                ("network", json!(net)),
                ("countries", json!(countries)),
                ("sign_ins", json!(rows.len())),
            ]),
        ));
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{MOSCOW, NEW_YORK, TORONTO, rec, run};
    use crate::model::{EventType, SignIn};

    fn in_session(mut r: SignIn<'static>, ua: &'static str) -> SignIn<'static> {
        r.session_id = Some(Cow::Borrowed("s-1"));
        r.user_agent = Some(Cow::Borrowed(ua));
        r
    }

    #[test]
    fn two_countries_beyond_travel_are_high_a_short_flight_is_not() {
        let replay = run(
            &TokenReplay,
            &[
                in_session(rec("2024-03-13T14:00:00Z", "198.51.100.10", "US", NEW_YORK), "Edge"),
                in_session(rec("2024-03-13T14:15:00Z", "203.0.113.66", "RU", MOSCOW), "Chrome"),
            ],
            0,
        );
        assert_eq!(replay.len(), 1, "{replay:?}");
        assert_eq!(replay[0].risk, Risk::High);
        // 550 km in 100 minutes, same browser: one traveller.
        let flight = run(
            &TokenReplay,
            &[
                in_session(rec("2024-03-13T07:00:00Z", "198.51.100.10", "US", NEW_YORK), "Edge"),
                in_session(rec("2024-03-13T08:40:00Z", "203.0.113.90", "CA", TORONTO), "Edge"),
            ],
            0,
        );
        assert!(flight.is_empty(), "{flight:?}");
        // The same hop with another browser on another network is still worth a look.
        let other = run(
            &TokenReplay,
            &[
                in_session(rec("2024-03-13T07:00:00Z", "198.51.100.10", "US", NEW_YORK), "Edge"),
                in_session(rec("2024-03-13T08:40:00Z", "203.0.113.90", "CA", TORONTO), "python-requests/2.31"),
            ],
            0,
        );
        assert_eq!(other.len(), 1, "{other:?}");
        assert_eq!(other[0].risk, Risk::Medium);
    }

    #[test]
    fn failed_interactive_sign_ins_do_not_vouch_for_a_network() {
        let mut blocked = rec("2024-03-13T14:50:00Z", "203.0.113.150", "NL", (52.37, 4.90));
        blocked.error_code = Some(50074);
        let mut token = rec("2024-03-13T15:00:00Z", "203.0.113.150", "NL", (52.37, 4.90));
        token.event_type = Some(EventType::NonInteractive);
        let found = run(&TokenReplay, &[rec("2024-03-13T09:00:00Z", "198.51.100.10", "US", NEW_YORK), blocked, token], 0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rows, [2]);
        assert_eq!(found[0].risk, Risk::High);
    }
}
