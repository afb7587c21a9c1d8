//! `impossible_travel`: two successful interactive sign-ins whose distance over the time between them
//! needs a speed no traveller has.

use serde_json::json;

use super::{Detector, Finding, Risk, UserContext, details};
use crate::geo::{Precision, distance_km};

/// Above this ground speed (km/h) between two sign-ins, the pair is reported. Panther's rule uses
/// 900 km/h ("Boeing 747 cruising speed"); Elastic 800 km/h; RiskyUserTroubleshooter 1000 km/h
/// (research/peers.md §4.1). 900 lets a real New York → London flight (~800 km/h block speed) pass.
pub const MAX_SPEED_KMH: f64 = 900.0;

/// Pairs closer than this (km) are never reported: GeoIP and city centroids are off by hundreds of
/// km (Elastic requires >= 500 km; Panther treats < 50 km as GeoIP noise).
pub const MIN_DISTANCE_KM: f64 = 500.0;

/// Time between sign-ins is floored at this many minutes, so two sign-ins in the same second are
/// not "infinitely fast" (Panther floors hours at 0.0001; a minute is the precision of many exports).
pub const MIN_ELAPSED_MINUTES: f64 = 1.0;

/// Above this speed the pair is critical: no aircraft, at any distance (a hop across an ocean in
/// minutes means two parties hold the account at once).
pub const CRITICAL_SPEED_KMH: f64 = 5000.0;

pub struct ImpossibleTravel;

impl Detector for ImpossibleTravel {
    fn id(&self) -> &'static str {
        "impossible_travel"
    }

    fn summary(&self) -> &'static str {
        "two successful interactive sign-ins too far apart for the time between them (>= 500 km at > 900 km/h)"
    }

    fn needs_baseline(&self) -> bool {
        false
    }

    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        // Successful interactive sign-ins only: MDCA and Elastic exclude failures and non-interactive
        // (token refreshes egress through cloud regions).
        let located: Vec<(usize, crate::geo::Located)> = cx
            .judged
            .iter()
            .copied()
            .filter(|&i| r.is_success(i) && r.is_interactive(i))
            .filter_map(|i| cx.geo.locate(r, i).map(|l| (i, l)))
            .collect();
        for pair in located.windows(2) {
            let ((a, la), (b, lb)) = (pair[0], pair[1]);
            if r.ip.get(a).is_some() && r.ip.get(a) == r.ip.get(b) {
                continue;
            }
            let (ca, cb) = (r.country.get(a), r.country.get(b));
            // Same country: mobile carriers and VPNs hand out addresses from national pools far
            // from the device (Microsoft sign-in log docs); MDCA never alerts within one country.
            if ca.is_some() && ca == cb {
                continue;
            }
            let km = distance_km((la.lat, la.lon), (lb.lat, lb.lon));
            if km < MIN_DISTANCE_KM {
                continue;
            }
            let minutes = ((r.time(b) - r.time(a)) as f64 / 60e6).max(MIN_ELAPSED_MINUTES);
            let speed = km / (minutes / 60.0);
            if speed <= MAX_SPEED_KMH {
                continue;
            }
            let approximate = la.precision == Precision::Country || lb.precision == Precision::Country;
            let mut risk = if speed >= CRITICAL_SPEED_KMH { Risk::Critical } else { Risk::High };
            if approximate {
                risk = risk.lower();
            }
            let place = |i: usize| {
                let city = r.city.get(i).map(|c| format!("{c}, ")).unwrap_or_default();
                format!("{city}{}", r.country.get(i).unwrap_or("??"))
            };
            let summary = format!(
                "{} then {} {:.0} min later: {:.0} km at {:.0} km/h{}",
                place(a),
                place(b),
                minutes,
                km,
                speed,
                if approximate { " (one side located by country only)" } else { "" }
            );
            out.push(cx.finding(
                self.id(),
                risk,
                &[b, a],
                summary,
                details([
                    ("distance_km", json!(km.round())),
                    ("speed_kmh", json!(speed.round())),
                    ("minutes", json!((minutes * 10.0).round() / 10.0)),
                    ("from", json!({"ip": r.ip.get(a), "country": ca, "city": r.city.get(a)})),
                    ("to", json!({"ip": r.ip.get(b), "country": cb, "city": r.city.get(b)})),
                    ("approximate", json!(approximate)),
                ]),
            ));
        }
    }
}
