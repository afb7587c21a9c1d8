//! `new_location`: a country never seen in the user's baseline, or a city far from every place in
//! it. Risk grows with success and with sensitive apps.

use std::collections::BTreeMap;

use serde_json::json;

use super::common::{FAILED_ONLY, Familiar, Outcome, SUCCEEDED, SUCCEEDED_SENSITIVE, familiar_place, own_device};
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
                "a country never seen in the baseline, or a city more than {NEW_CITY_MIN_KM:.0} km from every baseline location"
            ),
            threshold: format!(
                "new country: failures {}, a success {}, a success into an admin app {}; one level lower from the organization's network, and again on the user's own device (where an admin app is not an escalation); far city (>= {NEW_CITY_MIN_KM:.0} km) low",
                FAILED_ONLY.as_str(),
                SUCCEEDED.as_str(),
                SUCCEEDED_SENSITIVE.as_str()
            ),
            sources: &[
                "Microsoft Sentinel `Authentication attempt from new country` and `new_locations_azuread_signin.yaml` hunting query (14 days)",
                "Microsoft Defender for Cloud Apps `Activity from infrequent country`",
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
        for (city, (km, rows)) in cities {
            let label = city.split('|').rev().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ");
            let summary = format!(
                "{} successful sign-in(s) from {label}, {km:.0} km from the nearest baseline location; {} successful baseline sign-ins from {} cit{}",
                rows.len(),
                b.successes,
                b.cities.len(),
                if b.cities.len() == 1 { "y" } else { "ies" }
            );
            out.push(cx.finding(
                self.id(),
                Risk::Low,
                &rows,
                summary,
                details([
                    ("kind", json!("city")),
                    ("city", json!(label)),
                    ("sign_ins", json!(rows.len())),
                    ("nearest_baseline_km", json!(km.round())),
                ]),
            ));
        }
    }
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
