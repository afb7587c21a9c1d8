//! `token_replay`: one session or token used from places that cannot be one client, and
//! non-interactive (token) successes from networks the user never signed in from interactively.
//!
//! Keys are `sessionId` and `uniqueTokenIdentifier`, not `correlationId`, which the client chooses
//! and Entra "can't guarantee" (Graph beta signIn docs; research/peers.md §4.4).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::{Detector, Finding, Risk, UserContext, details};
use crate::baseline::network;

/// Two uses of one session from different countries within this many minutes cannot be the same
/// traveller; a real flight between them takes longer (Elastic's concurrent-session rules look at
/// one hour; Splunk's at 5-minute buckets).
pub const CONCURRENT_MINUTES: i64 = 120;

pub struct TokenReplay;

impl Detector for TokenReplay {
    fn id(&self) -> &'static str {
        "token_replay"
    }

    fn summary(&self) -> &'static str {
        "one session/token used from two countries, or from two networks with two user agents, within 2 h; token use from networks never used interactively"
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

/// The closest pair of uses of one session/token that disagree on country (or on network and user
/// agent together) within [`CONCURRENT_MINUTES`].
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
            let risk = if ca.is_some() && cb.is_some() && ca != cb {
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
        "token_replay",
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

/// Non-interactive successes from a network the user never used interactively (Entra ID Protection
/// guidance: unfamiliar properties on non-interactive sign-ins "deserve increased scrutiny due to
/// the risk of token replay").
fn unfamiliar_token_networks(cx: &UserContext<'_>, out: &mut Vec<Finding>) {
    let r = cx.rows;
    if cx.interactive_history.is_empty() {
        return;
    }
    let known_nets: BTreeSet<String> = cx.interactive_history.iter().filter_map(|&i| r.ip.get(i).map(network)).collect();
    let known_countries: BTreeSet<&str> = cx.interactive_history.iter().filter_map(|&i| r.country.get(i)).collect();
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
            "{} non-interactive (token) success(es) from {net}{}, a network never used interactively ({} interactive sign-ins known)",
            rows.len(),
            if new_country { format!(" in {}", countries.iter().copied().collect::<Vec<_>>().join("/")) } else { String::new() },
            cx.interactive_history.len()
        );
        out.push(cx.finding(
            "token_replay",
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
