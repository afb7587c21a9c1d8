//! `new_location`: a country never seen in the user's baseline, a city far from every place in it,
//! or an autonomous system the user never used that is attacker infrastructure (a hosting or VPS
//! provider, Tor, a listed anonymizer). Risk grows with success and with sensitive apps.
//!
//! A new ASN alone is how people live (a café, a hotel, a friend's home): it is a signal only where
//! the enrichment classifies it as infrastructure people do not sign in from (Microsoft Sentinel's
//! "sign-ins from VPS providers" hunting query; the suspicious-ASN lists of Elastic's Entra ID
//! rules). Without an ASN (no record field, no `--asn-db`) that signal is silent, and the report says
//! which findings a database would sharpen.

use std::collections::BTreeMap;

use serde_json::json;

use super::common::{FAILED_ONLY, Familiar, Outcome, SUCCEEDED, SUCCEEDED_SENSITIVE, familiar_place, infrastructure_fact, own_device};
use super::infra::attacker_network;
use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};
use crate::baseline::{city_key, service_side};
use crate::geo::distance_km;

/// A new city counts only if it is at least this far (km) from every located baseline sign-in:
/// mobile carriers move users between nearby cities all day (Microsoft sign-in log docs), and Sentinel's
/// new-location hunting query is equally noisy without a distance floor. 300 km is about a state
/// or small country away.
pub const NEW_CITY_MIN_KM: f64 = 300.0;

/// The detector's id in every report.
pub const ID: &str = "new_location";

pub struct NewLocation;

impl Declared for NewLocation {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: format!(
                "a country never seen in the baseline, a city more than {NEW_CITY_MIN_KM:.0} km from every baseline location, or a hosting, Tor or anonymizer network (by ASN) the user never used"
            ),
            threshold: format!(
                "new country or new infrastructure ASN: failures {}, a success {}, a success into an admin app {}; a new country one level lower from the organization's network, and again on the user's own device (where an admin app is not an escalation); far city (>= {NEW_CITY_MIN_KM:.0} km) low",
                FAILED_ONLY.as_str(),
                SUCCEEDED.as_str(),
                SUCCEEDED_SENSITIVE.as_str()
            ),
            sources: &[
                "Microsoft Sentinel `Authentication attempt from new country` and `new_locations_azuread_signin.yaml` hunting query (14 days)",
                "Microsoft Defender for Cloud Apps `Activity from infrequent country`",
                "Microsoft Sentinel `Hunting Queries/SigninLogs/` sign-ins from VPS providers; Elastic detection-rules `rules/integrations/azure/` suspicious-ASN lists",
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

impl Detector for NewLocation {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let b = cx.baseline;
        if b.successes == 0 {
            return;
        }
        // Where the user was: successful baseline sign-ins only (failures are the sprayers' places),
        // each distinct point once.
        let mut home: Vec<(f64, f64)> =
            cx.baseline_rows.iter().filter(|&&i| r.is_success(i)).filter_map(|&i| cx.geo.locate(r, i)).map(|l| (l.lat, l.lon)).collect();
        home.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        home.dedup();
        // country -> sign-ins, split by what explains them (the organization's network, the user's
        // own device), since a trip on the company laptop and a stranger's browser are two stories.
        let mut countries: BTreeMap<(&str, bool, bool), Vec<usize>> = BTreeMap::new();
        // city -> (km to the nearest baseline location, sign-ins)
        let mut cities: BTreeMap<String, (f64, Vec<usize>)> = BTreeMap::new();
        // AS number of attacker infrastructure the user never used -> sign-ins
        let mut networks: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for &i in cx.judged_after_baseline {
            let Some(country) = r.country.get(i) else { continue };
            if service_side(r, i, cx.net) {
                continue;
            }
            if !b.countries.contains(country) {
                // The organization's egress, or a place the user's own device vouches for (the hotel
                // the company laptop signs in from is where the phone is too).
                let org = familiar_place(cx, i) == Some(Familiar::Organization);
                let own = own_device(cx, i) || familiar_place(cx, i) == Some(Familiar::OwnDevicePresence);
                countries.entry((country, org, own)).or_default().push(i);
                continue;
            }
            if let Some(asn) = new_infrastructure(cx, i) {
                networks.entry(asn).or_default().push(i);
                continue;
            }
            let Some(city) = city_key(r, i) else { continue };
            if b.cities.contains(&city) || !r.is_success(i) {
                continue;
            }
            if let Some(here) = cx.geo.locate(r, i)
                && let Some(nearest) = home.iter().map(|&h| distance_km(h, (here.lat, here.lon))).min_by(f64::total_cmp)
                && nearest >= NEW_CITY_MIN_KM
            {
                let entry = cities.entry(city).or_insert((f64::INFINITY, Vec::new()));
                entry.0 = entry.0.min(nearest);
                entry.1.push(i);
            }
        }
        let known: Vec<&str> = {
            let mut k: Vec<&str> = b.countries.values().collect();
            k.sort();
            k
        };
        for ((country, org, own), rows) in countries {
            out.push(country_finding(cx, country, org, own, &rows, &known));
        }
        for (asn, rows) in networks {
            out.push(network_finding(cx, asn, &rows));
        }
        for (city, (km, rows)) in cities {
            out.push(city_finding(cx, &city, km, &rows));
        }
    }
}

/// The finding about the successful sign-ins from one far city (`country|state|city`), `km` from the
/// nearest baseline location: low, a trip as often as not.
fn city_finding(cx: &UserContext<'_>, city: &str, km: f64, rows: &[usize]) -> Finding {
    let b = cx.baseline;
    let label = city.split('|').rev().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ");
    let summary = format!(
        "{} successful sign-in(s) from {label}, {km:.0} km from the nearest baseline location; {} successful baseline sign-ins from {} cit{}",
        rows.len(),
        b.successes,
        b.cities.len(),
        if b.cities.len() == 1 { "y" } else { "ies" }
    );
    cx.finding(
        ID,
        Risk::Low,
        rows,
        summary,
        details([
            ("kind", json!("city")),
            ("city", json!(label)),
            ("sign_ins", json!(rows.len())),
            ("nearest_baseline_km", json!(km.round())),
        ]),
    )
}

/// The AS number of row `i` when it is attacker infrastructure ([`attacker_network`]) the user's
/// baseline never shows and nothing familiar explains (the organization's or the user's own
/// network, the user's own device).
fn new_infrastructure(cx: &UserContext<'_>, i: usize) -> Option<u32> {
    attacker_network(cx, i)?;
    let asn = cx.net.row_asn(cx.rows, i)?;
    let known = cx.baseline.asns.vouches(&asn.to_string(), cx.baseline.own_day(cx.rows, i));
    (!known && familiar_place(cx, i).is_none() && !own_device(cx, i)).then_some(asn)
}

/// The finding about the sign-ins from one autonomous system of attacker infrastructure.
fn network_finding(cx: &UserContext<'_>, asn: u32, rows: &[usize]) -> Finding {
    let r = cx.rows;
    let outcome = Outcome::of(cx, rows);
    let key = outcome.key;
    let class = attacker_network(cx, key).map_or("hosting", |c| c.as_str());
    let org = r.ip.get(key).and_then(|ip| cx.net.info(ip)).and_then(|x| x.org.as_deref());
    let summary = format!(
        "first sign-in from AS{asn}{}, a {class} network the user never used ({} of them, {} successful, from {}); {} successful baseline sign-ins from {} autonomous system(s)",
        org.map(|o| format!(" ({o})")).unwrap_or_default(),
        rows.len(),
        outcome.successes.len(),
        r.ip.get(key).unwrap_or("unknown IP"),
        cx.baseline.successes,
        cx.baseline.asns.len()
    );
    let mut f = cx.finding(
        ID,
        outcome.risk,
        &outcome.cited(rows),
        summary,
        details([
            ("kind", json!("network")),
            ("asn", json!(asn)),
            ("organization", json!(org)),
            ("network_class", json!(class)),
            ("sign_ins", json!(rows.len())),
            ("successes", json!(outcome.successes.len())),
            ("sensitive_app", json!(outcome.sensitive)),
        ]),
    );
    let mut facts: Vec<String> = rows.iter().filter_map(|&i| r.ip.get(i)).map(infrastructure_fact).collect();
    facts.sort();
    facts.dedup();
    f.facts = facts;
    f
}

/// The finding about the sign-ins of one new country (split by what explains them).
fn country_finding(cx: &UserContext<'_>, country: &str, org: bool, own: bool, rows: &[usize], known: &[&str]) -> Finding {
    let r = cx.rows;
    let b = cx.baseline;
    let outcome = Outcome::of(cx, rows);
    let first = outcome.key;
    let mut why = Vec::new();
    // On the user's own device an admin app is the admin at work: no escalation for it.
    let mut risk = if own && outcome.sensitive { SUCCEEDED } else { outcome.risk };
    if org {
        risk = risk.lower();
        why.push("from a network several users of the organization use (a VPN or SDP egress)");
    }
    if own {
        risk = risk.lower();
        why.push("on the user's own managed or known device, or where it signed in");
    }
    let summary = format!(
        "first sign-in from {country} ({} of them, {} successful, from {}); {} successful baseline sign-ins all from {}{}",
        rows.len(),
        outcome.successes.len(),
        r.ip.get(first).unwrap_or("unknown IP"),
        b.successes,
        if known.is_empty() { "unknown places".to_string() } else { known.join("/") },
        if why.is_empty() { String::new() } else { format!("; {}", why.join(", ")) }
    );
    cx.finding(
        ID,
        risk,
        &outcome.cited(rows),
        summary,
        details([
            ("kind", json!("country")),
            ("country", json!(country)),
            ("sign_ins", json!(rows.len())),
            ("successes", json!(outcome.successes.len())),
            ("baseline_countries", json!(known)),
            ("sensitive_app", json!(outcome.sensitive)),
            ("organization_network", json!(org)),
            ("own_device", json!(own)),
        ]),
    )
    .resting_on(format!("country:{country}"))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{LAGOS, NEW_YORK, rec, run};
    use crate::model::SignIn;

    fn city(mut r: SignIn<'static>, name: &'static str) -> SignIn<'static> {
        r.city = Some(Cow::Borrowed(name));
        r
    }

    #[test]
    fn sprays_in_the_baseline_are_not_home() {
        let mut spray = rec("2024-03-01T02:00:00Z", "203.0.113.201", "NG", LAGOS);
        spray.error_code = Some(50126);
        let found = run(
            &NewLocation,
            &[rec("2024-03-01T09:00:00Z", "198.51.100.10", "US", NEW_YORK), spray, rec("2024-03-13T14:00:00Z", "203.0.113.9", "NG", LAGOS)],
            2,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rows, [2]);
        assert_eq!(
            found[0].summary,
            "first sign-in from NG (1 of them, 1 successful, from 203.0.113.9); 1 successful baseline sign-ins all from US"
        );
    }

    #[test]
    fn a_hosting_network_the_user_never_used_is_a_signal_with_its_asn_only() {
        let on = |mut r: SignIn<'static>, asn: u32| {
            r.autonomous_system_number = Some(asn);
            r
        };
        let home = on(rec("2024-03-01T09:00:00Z", "198.51.100.10", "US", NEW_YORK), 7922);
        // DigitalOcean (AS14061, hosting in the built-in list), in the user's own country.
        let vps = on(rec("2024-03-13T14:00:00Z", "203.0.113.9", "US", NEW_YORK), 14061);
        let found = run(&NewLocation, &[home.clone(), vps.clone()], 1);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].risk, found[0].details["kind"].as_str()), (Risk::Medium, Some("network")));
        assert!(found[0].summary.starts_with("first sign-in from AS14061 (DigitalOcean, LLC), a hosting network the user never used"));
        // A user who works from that provider every day, and a record without an ASN: nothing.
        let used = on(rec("2024-03-02T09:00:00Z", "203.0.113.20", "US", NEW_YORK), 14061);
        assert!(run(&NewLocation, &[home.clone(), used, vps.clone()], 2).is_empty());
        let mut unknown = vps;
        unknown.autonomous_system_number = None;
        assert!(run(&NewLocation, &[home, unknown], 1).is_empty());
    }

    #[test]
    fn a_far_city_says_how_far() {
        let found = run(
            &NewLocation,
            &[
                city(rec("2024-03-01T09:00:00Z", "198.51.100.10", "US", NEW_YORK), "New York"),
                city(rec("2024-03-13T14:00:00Z", "192.0.2.9", "US", (41.8781, -87.6298)), "Chicago"),
                city(rec("2024-03-13T15:00:00Z", "192.0.2.9", "US", (41.8781, -87.6298)), "Chicago"),
            ],
            1,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].summary,
            "2 successful sign-in(s) from Chicago, US, 1144 km from the nearest baseline location; 1 successful baseline sign-ins from 1 city"
        );
    }
}
