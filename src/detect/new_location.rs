//! `new_location`: a country never seen in the user's baseline, or a city far from every place in
//! it. Risk grows with success and with sensitive apps.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Detector, Finding, Risk, UserContext, details};
use crate::baseline::city_key;
use crate::geo::distance_km;

/// A new city counts only if it is at least this far (km) from every located baseline sign-in:
/// mobile carriers move users between nearby cities all day (Microsoft sign-in log docs), and Sentinel's
/// new-location hunting query is equally noisy without a distance floor. 300 km is about a state
/// or small country away.
pub const NEW_CITY_MIN_KM: f64 = 300.0;

pub struct NewLocation;

impl Detector for NewLocation {
    fn id(&self) -> &'static str {
        "new_location"
    }

    fn summary(&self) -> &'static str {
        "a country never seen in the baseline, or a city more than 300 km from every baseline location"
    }

    fn needs_baseline(&self) -> bool {
        true
    }

    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let b = cx.baseline;
        if b.sign_ins == 0 {
            return;
        }
        let home: Vec<(f64, f64)> = cx.baseline_rows.iter().filter_map(|&i| cx.geo.locate(r, i)).map(|l| (l.lat, l.lon)).collect();
        let mut countries: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut cities: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in cx.judged_after_baseline {
            let Some(country) = r.country.get(i) else { continue };
            if !b.countries.contains(country) {
                countries.entry(country).or_default().push(i);
                continue;
            }
            let Some(city) = city_key(r, i) else { continue };
            if b.cities.contains(&city) || !r.is_success(i) {
                continue;
            }
            if let Some(here) = cx.geo.locate(r, i)
                && !home.is_empty()
                && home.iter().all(|&h| distance_km(h, (here.lat, here.lon)) >= NEW_CITY_MIN_KM)
            {
                cities.entry(city).or_default().push(i);
            }
        }
        let known: Vec<&str> = {
            let mut k: Vec<&str> = b.countries.iter().map(String::as_str).collect();
            k.sort();
            k
        };
        for (country, rows) in countries {
            let successes: Vec<usize> = rows.iter().copied().filter(|&i| r.is_success(i)).collect();
            let sensitive = successes.iter().any(|&i| cx.sensitive_app(i));
            let risk = match (successes.is_empty(), sensitive) {
                (true, _) => Risk::Low,
                (false, false) => Risk::Medium,
                (false, true) => Risk::High,
            };
            let first = successes.first().copied().unwrap_or(rows[0]);
            let mut cited = vec![first];
            cited.extend(rows.iter().copied().filter(|&i| i != first));
            let summary = format!(
                "first sign-in from {country} ({} of them, {} successful, from {}); {} baseline sign-ins all from {}",
                rows.len(),
                successes.len(),
                r.ip.get(first).unwrap_or("unknown IP"),
                b.sign_ins,
                if known.is_empty() { "unknown places".to_string() } else { known.join("/") }
            );
            out.push(cx.finding(
                self.id(),
                risk,
                &cited,
                summary,
                details([
                    ("kind", json!("country")),
                    ("country", json!(country)),
                    ("sign_ins", json!(rows.len())),
                    ("successes", json!(successes.len())),
                    ("baseline_countries", json!(known)),
                    ("sensitive_app", json!(sensitive)),
                ]),
            ));
        }
        for (city, rows) in cities {
            let label = city.split('|').rev().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ");
            let summary = format!(
                "successful sign-in from {label}, more than {NEW_CITY_MIN_KM:.0} km from every baseline location ({} sign-in(s))",
                rows.len()
            );
            out.push(cx.finding(
                self.id(),
                Risk::Low,
                &rows,
                summary,
                details([("kind", json!("city")), ("city", json!(label)), ("sign_ins", json!(rows.len()))]),
            ));
        }
    }
}
