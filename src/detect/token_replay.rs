//! `token_replay`: one session or token used from places that cannot be one client, and
//! non-interactive (token) successes from networks the user never signed in from interactively when
//! something says the token left the user's device.
//!
//! Keys are `sessionId` and `uniqueTokenIdentifier`, not `correlationId`, which the client chooses
//! and Entra "can't guarantee" (Microsoft Graph beta `signIn` resource documentation).
//!
//! What is *not* replay, and why:
//! - Microsoft's own services sign in on the user's behalf (on-behalf-of flows of Exchange,
//!   SharePoint, Teams) from Microsoft's network inside the user's session: a Microsoft network is
//!   not a place the user's client is, so those sign-ins are never compared.
//! - Phones refresh tokens from carrier networks and home Wi-Fi, laptops from home and the office,
//!   VPN clients from the corporate egress: a new `/24` alone is normal. A network the
//!   organization shares ([`crate::baseline::TenantProfile`]), one the user's baseline knows, or one
//!   the user signed in from interactively vouches for itself.
//! - One registered device (the same device id, which Entra takes from the device's own
//!   credential) in two places at once is a device whose traffic leaves through two networks (a
//!   roaming phone, a VPN toggle), not two clients.
//!
//! A non-interactive success from an unvouched network is rated by its corroborations
//! ([`Hint`]): none is low, one medium, [`HIGH_AT`] or more high.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::json;

use super::common::{Familiar, familiar_place, infrastructure_fact};
use super::impossible_travel::impossible_speed;
use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};
use crate::baseline::{network, os_family, service_side};
use crate::enrich::NetClass;
use crate::geo::distance_km;

/// Uses of one session this many minutes apart or closer are compared (Elastic's concurrent-session
/// rules look at one hour; Splunk's at 5-minute buckets). Two countries inside the window are high
/// only when no traveller covers the distance in the time ([`impossible_speed`], the
/// `impossible_travel` thresholds): New York → Toronto is a 100-minute flight with one laptop.
pub const CONCURRENT_MINUTES: i64 = 120;

/// Corroborations of a non-interactive success from an unvouched network at or above which it is
/// high (one is medium, none low: a new network alone is how phones and laptops live).
pub const HIGH_AT: usize = 2;

/// The detector's id in every report.
pub const ID: &str = "token_replay";

/// What says a token left the user's device (Microsoft Entra ID Protection "anomalous token" and
/// "unfamiliar sign-in properties" guidance; Elastic's concurrent-session rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hint {
    /// A country the user never signed in from interactively (and not a carrier's pool).
    NewCountry,
    /// A hosting, VPN, Tor or listed anonymizer network.
    Anonymizing,
    /// Another device or client family than the session's (or, without one, than the user's).
    OtherClient,
    /// The session's interactive sign-ins are in another country, out of travel reach.
    SessionElsewhere,
}

impl Hint {
    fn as_str(self) -> &'static str {
        match self {
            Hint::NewCountry => "a country never used interactively",
            Hint::Anonymizing => "a hosting or anonymizing network",
            Hint::OtherClient => "another device or client than the session's",
            Hint::SessionElsewhere => "the session's interactive sign-ins elsewhere",
        }
    }
}

pub struct TokenReplay;

impl Declared for TokenReplay {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: format!(
                "one session or token used within {CONCURRENT_MINUTES} min from two countries beyond travel or by two clients on two networks; token use from a network never signed in from interactively, when corroborated"
            ),
            threshold: format!(
                "two countries beyond travel high, two clients on two networks medium (high from a hosting network); an unvouched token network: no corroboration low, one medium, {HIGH_AT}+ high; Microsoft's, the organization's and the user's own networks never count"
            ),
            sources: &[
                "Elastic detection-rules `rules/integrations/azure/` OAuth device code / concurrent sign-in rules (one session, >= 2 IPs or user agents)",
                "Splunk security_content `Azure AD Concurrent Sessions From Different Ips`",
                "Microsoft Entra ID Protection risk detections (anomalous token; unfamiliar properties on non-interactive sign-ins: token replay)",
            ],
        }
    }

    fn needs_baseline(&self) -> bool {
        false
    }

    fn roles(&self) -> &'static [Role] {
        &[Role::FatiguePartner]
    }
}

impl Detector for TokenReplay {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let first = first_interactive(cx);
        for (kind, get) in [("session", 0), ("token", 1)] {
            let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &i in cx.judged {
                let key = if get == 0 { r.session_id.get(i) } else { r.unique_token.get(i) };
                if let Some(k) = key
                    && !microsoft(cx, i)
                {
                    groups.entry(k).or_default().push(i);
                }
            }
            for (key, rows) in groups {
                if let Some(f) = concurrent_use(cx, &first, kind, key, &rows) {
                    out.push(f);
                }
            }
        }
        unvouched_token_networks(cx, out);
    }
}

/// A sign-in of Microsoft's services on the user's behalf ([`service_side`]).
fn microsoft(cx: &UserContext<'_>, i: usize) -> bool {
    service_side(cx.rows, i, cx.net)
}

/// Whether one traveller can have made both sign-ins: true unless both are located and the hop
/// needs an impossible speed. Unlocated pairs in two countries are treated as not travelled.
fn travelled(cx: &UserContext<'_>, a: usize, b: usize) -> bool {
    let r = cx.rows;
    let (Some(la), Some(lb)) = (cx.geo.locate(r, a), cx.geo.locate(r, b)) else {
        return false;
    };
    let km = distance_km((la.lat, la.lon), (lb.lat, lb.lon));
    impossible_speed(km, (r.time(b) - r.time(a)).abs() as f64 / 60e6).is_none()
}

/// When the user first signed in successfully and interactively from each network, up to the as-of
/// time (computed once per user: [`vouched`] asks it for every pair of a session's uses).
fn first_interactive(cx: &UserContext<'_>) -> HashMap<String, i64> {
    let r = cx.rows;
    let mut first = HashMap::new();
    for &h in cx.interactive_history.iter().filter(|&&h| r.is_success(h)) {
        if let Some(ip) = r.ip.get(h) {
            first.entry(network(ip)).or_insert(r.time(h));
        }
    }
    first
}

/// Whether the network of row `i` is vouched for: the organization's, the user's baseline's (never by
/// the row's own day), the user's address block in that city, one the user's own device signed in from
/// ([`familiar_place`]), or one the user signed in from interactively before `i` (`first`, from
/// [`first_interactive`]).
fn vouched(cx: &UserContext<'_>, first: &HashMap<String, i64>, i: usize) -> bool {
    let r = cx.rows;
    let Some(ip) = r.ip.get(i) else { return false };
    familiar_place(cx, i).is_some() || first.get(&network(ip)).is_some_and(|&t| t < r.time(i))
}

/// Two rows of one registered device (the same device id on both).
fn same_device(cx: &UserContext<'_>, a: usize, b: usize) -> bool {
    let d = |i| cx.rows.device_id.get(i).filter(|d| !d.is_empty());
    d(a).is_some() && d(a) == d(b)
}

/// Two different clients: device ids that differ, or client families that differ.
fn other_client(cx: &UserContext<'_>, a: usize, b: usize) -> bool {
    let r = cx.rows;
    let (da, db) = (r.device_id.get(a), r.device_id.get(b));
    if let (Some(x), Some(y)) = (da, db)
        && !x.eq_ignore_ascii_case(y)
    {
        return true;
    }
    matches!((os_family(r, a), os_family(r, b)), (Some(x), Some(y)) if !x.eq_ignore_ascii_case(y))
}

/// The most telling pair of uses of one session/token within [`CONCURRENT_MINUTES`].
fn concurrent_use(cx: &UserContext<'_>, first: &HashMap<String, i64>, kind: &str, key: &str, rows: &[usize]) -> Option<Finding> {
    let r = cx.rows;
    let window = CONCURRENT_MINUTES * 60_000_000;
    // Whether each use's network is vouched for, asked once per use (not once per pair).
    let mut known: Vec<Option<bool>> = vec![None; rows.len()];
    let mut vouched_at = |k: usize| *known[k].get_or_insert_with(|| vouched(cx, first, rows[k]));
    // (risk, a, b, whether the pair rests only on one device in two countries)
    let mut best: Option<(Risk, usize, usize, bool)> = None;
    for (n, &a) in rows.iter().enumerate() {
        for (m, &b) in rows.iter().enumerate().skip(n + 1) {
            if r.time(b) - r.time(a) > window {
                break;
            }
            if same_device(cx, a, b) || (vouched_at(n) && vouched_at(m)) {
                continue;
            }
            let (na, nb) = (r.ip.get(a).map(network), r.ip.get(b).map(network));
            if na.is_none() || nb.is_none() || na == nb {
                continue;
            }
            let (ca, cb) = (r.country.get(a), r.country.get(b));
            let two_clients = other_client(cx, a, b);
            let hosting = [a, b].iter().any(|&i| cx.net_class(i).is_some_and(NetClass::is_anonymizing));
            let (risk, countries_only) = if ca.is_some() && cb.is_some() && ca != cb && !travelled(cx, a, b) {
                // Without another client, one device in two countries is most often a phone
                // roaming through its home carrier; still worth a look.
                if two_clients || hosting { (Risk::High, false) } else { (Risk::Medium, true) }
            } else if two_clients {
                (if hosting { Risk::High } else { Risk::Medium }, false)
            } else {
                continue;
            };
            if best.is_none_or(|(br, _, _, _)| risk > br) {
                best = Some((risk, a, b, countries_only));
            }
        }
    }
    let (risk, a, b, countries_only) = best?;
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
    let mut f = cx.finding(
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
    );
    if countries_only {
        // One client in a country new to the user: the fact new_location reports too.
        let own = |i| cx.baseline.own_day(r, i);
        for i in [a, b] {
            if let Some(c) = r.country.get(i).filter(|c| !cx.baseline.countries.vouches(c, own(i))) {
                f.facts.push(format!("country:{c}"));
            }
        }
    }
    Some(f)
}

fn describe(cx: &UserContext<'_>, i: usize) -> String {
    let r = cx.rows;
    format!("{} ({})", r.ip.get(i).unwrap_or("unknown IP"), r.country.get(i).unwrap_or("??"))
}

/// Non-interactive successes from a network the user never signed in from interactively (Entra ID
/// Protection guidance: unfamiliar properties on non-interactive sign-ins "deserve increased scrutiny
/// due to the risk of token replay"), rated by what corroborates it. Only *successful* interactive
/// sign-ins vouch for a network: the thief who phished a session usually also tried the password
/// from the same server and was stopped at MFA.
fn unvouched_token_networks(cx: &UserContext<'_>, out: &mut Vec<Finding>) {
    let r = cx.rows;
    let interactive: Vec<usize> = cx.interactive_history.iter().copied().filter(|&i| r.is_success(i)).collect();
    if interactive.is_empty() {
        return;
    }
    let known_nets: BTreeSet<String> = interactive.iter().filter_map(|&i| r.ip.get(i).map(network)).collect();
    let known_countries: BTreeSet<&str> = interactive.iter().filter_map(|&i| r.country.get(i)).collect();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &i in cx.judged {
        if r.event_type.get(i) != Some("nonInteractiveUser") || !r.is_success(i) || microsoft(cx, i) {
            continue;
        }
        let Some(ip) = r.ip.get(i) else { continue };
        let net = network(ip);
        if known_nets.contains(&net) || familiar_place(cx, i).is_some() {
            continue;
        }
        groups.entry(net).or_default().push(i);
    }
    for (net, rows) in groups {
        let mut hints = BTreeSet::new();
        for &i in &rows {
            hints.extend(hints_of(cx, i, &interactive, &known_countries));
        }
        let risk = match hints.len() {
            0 => Risk::Low,
            n if n >= HIGH_AT => Risk::High,
            _ => Risk::Medium,
        };
        let countries: BTreeSet<&str> = rows.iter().filter_map(|&i| r.country.get(i)).collect();
        let why: Vec<&str> = hints.iter().map(|h| h.as_str()).collect();
        let summary = format!(
            "{} non-interactive (token) success(es) from {net}{}, a network never used interactively ({} successful interactive sign-ins from {} network(s) known); {}",
            rows.len(),
            if countries.is_empty() { String::new() } else { format!(" in {}", countries.iter().copied().collect::<Vec<_>>().join("/")) },
            interactive.len(),
            known_nets.len(),
            if why.is_empty() { "nothing else unusual".to_string() } else { format!("corroborated by {}", why.join(", ")) }
        );
        let mut f = cx.finding(
            ID,
            risk,
            &rows,
            summary,
            details([
                ("kind", json!("non_interactive_network")),
                ("network", json!(net)),
                ("countries", json!(countries)),
                ("sign_ins", json!(rows.len())),
                ("corroborated_by", json!(why)),
            ]),
        );
        // The facts its rating rests on: the new country and the hosting network are new_location's
        // facts too.
        for h in &hints {
            f.facts.extend(match h {
                Hint::NewCountry => countries.iter().map(|c| format!("country:{c}")).collect(),
                Hint::Anonymizing => rows.iter().filter_map(|&i| r.ip.get(i)).take(1).map(infrastructure_fact).collect(),
                other => vec![format!("hint:{other:?}")],
            });
        }
        out.push(f);
    }
}

/// What corroborates that non-interactive row `i` is a token used away from the user's device.
fn hints_of(cx: &UserContext<'_>, i: usize, interactive: &[usize], known_countries: &BTreeSet<&str>) -> Vec<Hint> {
    let r = cx.rows;
    let mut hints = Vec::new();
    let class = cx.net_class(i);
    if class.is_some_and(NetClass::is_anonymizing) {
        hints.push(Hint::Anonymizing);
    }
    if class != Some(NetClass::MobileCarrier) && r.country.get(i).is_some_and(|c| !known_countries.contains(c)) {
        hints.push(Hint::NewCountry);
    }
    // The session's interactive sign-ins (its root authentication and later browser use).
    let session: Vec<usize> = match r.session_id.get(i) {
        Some(s) => interactive.iter().copied().filter(|&h| r.session_id.get(h) == Some(s)).collect(),
        None => Vec::new(),
    };
    let other = if session.is_empty() {
        // No interactive part of the session in the evidence: compare with the user's devices.
        // A device id the baseline does not know, a family it never shows, or a family it
        // shows only from registered devices arriving without a device id.
        let b = cx.baseline;
        let own = b.own_day(r, i);
        let family = os_family(r, i);
        match r.device_id.get(i) {
            Some(d) => !b.devices.vouches(&d.to_ascii_lowercase(), own),
            None => {
                family.is_some_and(|f| !b.families.is_empty() && (!b.families.vouches(f, own) || !b.anonymous_families.vouches(f, own)))
            }
        }
    } else {
        let session_has_device = session.iter().any(|&h| r.device_id.get(h).is_some());
        (session_has_device && r.device_id.get(i).is_none()) || session.iter().all(|&h| other_client(cx, h, i))
    };
    if other {
        hints.push(Hint::OtherClient);
    }
    // The session's interactive sign-in nearest in time: in another country, out of reach? (Not when
    // it is the same registered device, one device whose traffic leaves through two networks, nor
    // when it is on a mobile carrier, located where the carrier's pool is: a roaming phone. Without a
    // class, an address the user's baseline knows only by its block in that city is such a pool,
    // [`Familiar::UserBlock`].)
    if let Some(&near) = session.iter().min_by_key(|&&h| (r.time(h) - r.time(i)).abs())
        && !same_device(cx, near, i)
        && cx.net_class(near) != Some(NetClass::MobileCarrier)
        && familiar_place(cx, near) != Some(Familiar::UserBlock)
        && r.country.get(near).is_some()
        && r.country.get(i).is_some()
        && r.country.get(near) != r.country.get(i)
        && !travelled(cx, near, i)
    {
        hints.push(Hint::SessionElsewhere);
    }
    hints
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
                in_session(rec("2024-03-13T14:00:00Z", "198.51.100.10", "US", NEW_YORK), "Windows Edge"),
                in_session(rec("2024-03-13T14:15:00Z", "203.0.113.66", "RU", MOSCOW), "python-requests/2.31"),
            ],
            0,
        );
        assert_eq!(replay.len(), 1, "{replay:?}");
        assert_eq!(replay[0].risk, Risk::High);
        // 550 km in 100 minutes, same browser: one traveller.
        let flight = run(
            &TokenReplay,
            &[
                in_session(rec("2024-03-13T07:00:00Z", "198.51.100.10", "US", NEW_YORK), "Windows Edge"),
                in_session(rec("2024-03-13T08:40:00Z", "203.0.113.90", "CA", TORONTO), "Windows Edge"),
            ],
            0,
        );
        assert!(flight.is_empty(), "{flight:?}");
        // The same hop by another client family on another network is still worth a look.
        let other = run(
            &TokenReplay,
            &[
                in_session(rec("2024-03-13T07:00:00Z", "198.51.100.10", "US", NEW_YORK), "Windows Edge"),
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
        token.user_agent = Some(Cow::Borrowed("python-requests/2.31"));
        let mut home = rec("2024-03-13T09:00:00Z", "198.51.100.10", "US", NEW_YORK);
        home.user_agent = Some(Cow::Borrowed("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"));
        let found = run(&TokenReplay, &[home, blocked, token], 1);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rows, [2]);
        assert_eq!(found[0].risk, Risk::High, "a new country and another client: {}", found[0].summary);
    }
}
