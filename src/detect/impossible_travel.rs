//! `impossible_travel`: two successful interactive sign-ins whose distance over the time between them
//! needs a speed no traveller has.
//!
//! A single sign-in far from two others around it (New York, Lagos 30 minutes later, New York again
//! 30 minutes after that) is one finding about the outlier, not two about each leg.
//!
//! What a leg says depends on where its ends are located, so some legs are not travel at all:
//! - both ends are the user's: networks the user's baseline or the organization already uses (an
//!   office NAT and the corporate VPN egress in the next country), the user's own address block in that
//!   city (a carrier's pool), or the user's own managed device (the company laptop at a hotel while
//!   the phone roams through its home carrier). Entra ID Protection's atypical travel needs at
//!   least one location atypical for the user and ignores "locations regularly used by other users
//!   in the organization"; such legs are skipped;
//! - both ends carry the same device id: one registered device whose traffic left through two
//!   networks (VPN on and off), skipped;
//! - an end on a mobile carrier, VPN or Microsoft network: the address is located where the
//!   carrier's pool or the egress is, not where the device is (Microsoft sign-in log docs; Panther
//!   rates VPN legs informational): reported low. Without a class, an end the user's baseline knows
//!   only by its address block in that city ([`Familiar::UserBlock`]: a carrier's rotating pool) is
//!   such an end too: a phone abroad roaming through its home carrier alternates between the
//!   hotel's Wi-Fi and a pool located at home;
//! - an end on a network the organization shares (three or more users use it regularly: an office
//!   NAT, the corporate VPN or SDP egress, whose class a database may not know): one level lower,
//!   since a shared egress is located where the company's traffic leaves, not where the user is.
//!   The other end alone makes the leg atypical (Entra ID Protection ignores "locations regularly
//!   used by other users in the organization"); an intruder abroad minutes after the user's office
//!   sign-in is still reported, and chains with `new_location`.

use serde_json::json;

use super::common::{Familiar, familiar_place, own_device};
use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};
use crate::enrich::NetClass;
use crate::geo::{Located, Precision, distance_km};

/// Above this ground speed (km/h) between two sign-ins, the pair is reported. Panther's rule uses
/// 900 km/h ("Boeing 747 cruising speed"); Elastic 800 km/h; RiskyUserTroubleshooter 1000 km/h
/// (Panther `impossible_travel_login.py`, Elastic `initial_access_entra_id_signin_impossible_travel.toml`).
/// 900 lets a real New York → London flight (~800 km/h block speed) pass.
pub const MAX_SPEED_KMH: f64 = 900.0;

/// Pairs closer than this (km) are never reported: GeoIP and city centroids are off by hundreds of
/// km (Elastic requires >= 500 km; Panther treats < 50 km as GeoIP noise).
pub const MIN_DISTANCE_KM: f64 = 500.0;

/// Time between sign-ins is floored at this many minutes, so two sign-ins in the same second are
/// not "infinitely fast" (Panther floors hours at 0.0001; a minute is the precision of many exports).
pub const MIN_ELAPSED_MINUTES: f64 = 1.0;

/// The rating of a leg with an end on a mobile carrier, VPN or Microsoft network, whose location is
/// the pool's or the egress's, not the device's.
pub const ARTEFACT_RISK: Risk = Risk::Low;

/// The rating of an impossible pair. Not higher by speed: the fastest "travel" (another continent
/// within minutes) is exactly what a VPN or proxy toggle looks like, which Panther rates info and the
/// Microsoft sign-in log docs warn about, and offline we cannot tell a VPN exit from an intruder.
/// Critical comes only from corroboration (risk chaining).
pub const RISK: Risk = Risk::High;

/// Whether covering `km` in `minutes` needs more than [`MAX_SPEED_KMH`] over at least
/// [`MIN_DISTANCE_KM`]: no traveller, one client. Returns the speed (km/h) when it does.
pub fn impossible_speed(km: f64, minutes: f64) -> Option<f64> {
    let speed = km / (minutes.max(MIN_ELAPSED_MINUTES) / 60.0);
    (km >= MIN_DISTANCE_KM && speed > MAX_SPEED_KMH).then_some(speed)
}

/// The detector's id in every report.
pub const ID: &str = "impossible_travel";

pub struct ImpossibleTravel;

/// One impossible hop between two consecutive located sign-ins.
#[derive(Clone, Copy)]
struct Leg {
    from: usize,
    to: usize,
    km: f64,
    minutes: f64,
    speed: f64,
    approximate: bool,
    /// The class of an end whose location is not the device's (carrier, VPN, Microsoft).
    artefact: Option<NetClass>,
    /// Without such a class, an end on the user's own rotating pool ([`Familiar::UserBlock`]).
    pool: bool,
    /// An end is on a network the organization shares ([`Familiar::Organization`]).
    shared: bool,
}

/// Whether an end is the user's: a place the user, their address blocks, their own devices or the
/// organization already use ([`familiar_place`]), or the user's own device.
fn familiar(cx: &UserContext<'_>, i: usize) -> bool {
    own_device(cx, i) || familiar_place(cx, i).is_some()
}

/// The hop from `a` to `b`, if it is impossible (same IP and same country never are) and is travel
/// at all (see the module docs).
fn leg(cx: &UserContext<'_>, (a, la): (usize, Located), (b, lb): (usize, Located)) -> Option<Leg> {
    let r = cx.rows;
    if r.ip.get(a).is_some() && r.ip.get(a) == r.ip.get(b) {
        return None;
    }
    let device = |i| r.device_id.get(i).filter(|d| !d.is_empty());
    if device(a).is_some() && device(a) == device(b) {
        return None;
    }
    if familiar(cx, a) && familiar(cx, b) {
        return None;
    }
    let shared = [a, b].into_iter().any(|i| familiar_place(cx, i) == Some(Familiar::Organization));
    let pool = [a, b].into_iter().any(|i| familiar_place(cx, i) == Some(Familiar::UserBlock));
    // Same country: mobile carriers and VPNs hand out addresses from national pools far from the
    // device (Microsoft sign-in log docs); MDCA never alerts within one country.
    let (ca, cb) = (r.country.get(a), r.country.get(b));
    if ca.is_some() && ca == cb {
        return None;
    }
    let km = distance_km((la.lat, la.lon), (lb.lat, lb.lon));
    let minutes = ((r.time(b) - r.time(a)) as f64 / 60e6).max(MIN_ELAPSED_MINUTES);
    let speed = impossible_speed(km, minutes)?;
    let approximate = la.precision == Precision::Country || lb.precision == Precision::Country;
    let artefact = [a, b]
        .into_iter()
        .filter_map(|i| cx.net_class(i))
        .find(|c| matches!(c, NetClass::MobileCarrier | NetClass::Vpn | NetClass::Microsoft));
    Some(Leg { from: a, to: b, km, minutes, speed, approximate, artefact, pool, shared })
}

fn place(cx: &UserContext<'_>, i: usize) -> String {
    let r = cx.rows;
    let city = r.city.get(i).map(|c| format!("{c}, ")).unwrap_or_default();
    format!("{city}{}", r.country.get(i).unwrap_or("??"))
}

fn end(cx: &UserContext<'_>, i: usize) -> serde_json::Value {
    let r = cx.rows;
    json!({"ip": r.ip.get(i), "country": r.country.get(i), "city": r.city.get(i)})
}

impl Declared for ImpossibleTravel {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: format!(
                "two successful interactive sign-ins at least {MIN_DISTANCE_KM:.0} km apart that need more than {MAX_SPEED_KMH:.0} km/h"
            ),
            threshold: format!(
                ">= {MIN_DISTANCE_KM:.0} km at > {MAX_SPEED_KMH:.0} km/h (time floored at {MIN_ELAPSED_MINUTES:.0} min); {}, one level lower when located by country only and again with an end on a network the organization shares, {} with an end on a carrier, VPN or Microsoft network (without a class: on the user's own address block, a rotating pool); same-country legs, legs between networks the user or the organization uses and legs of one device skipped",
                RISK.as_str(),
                ARTEFACT_RISK.as_str()
            ),
            sources: &[
                "Panther panther-analysis `rules/standard_rules/impossible_travel_login.py` (900 km/h)",
                "Elastic detection-rules `rules/integrations/azure/initial_access_entra_id_signin_impossible_travel.toml` (500 km, 800 km/h)",
                "Microsoft Defender for Cloud Apps anomaly detection policies (no alert within one country)",
            ],
        }
    }

    fn roles(&self) -> &'static [Role] {
        &[Role::FatiguePartner]
    }

    fn needs_baseline(&self) -> bool {
        false
    }
}

impl Detector for ImpossibleTravel {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        // Successful interactive sign-ins only: MDCA and Elastic exclude failures and non-interactive
        // (token refreshes egress through cloud regions).
        let located: Vec<(usize, Located)> = cx
            .judged
            .iter()
            .copied()
            .filter(|&i| r.is_success(i) && r.is_interactive(i))
            .filter_map(|i| cx.geo.locate(r, i).map(|l| (i, l)))
            .collect();
        let legs: Vec<Option<Leg>> = located.windows(2).map(|w| leg(cx, w[0], w[1])).collect();
        let mut k = 0;
        while k < legs.len() {
            let Some(out_leg) = legs[k] else {
                k += 1;
                continue;
            };
            // Out and straight back: the two ends agree with each other, the middle is the outlier.
            let back = legs.get(k + 1).copied().flatten().filter(|_| leg(cx, located[k], located[k + 2]).is_none());
            let approximate = out_leg.approximate || back.is_some_and(|b| b.approximate);
            let artefact = out_leg.artefact.or(back.and_then(|b| b.artefact));
            let shared = out_leg.shared || back.is_some_and(|b| b.shared);
            let pool = artefact.is_none() && (out_leg.pool || back.is_some_and(|b| b.pool));
            let risk = match artefact {
                Some(_) => ARTEFACT_RISK,
                None if pool => ARTEFACT_RISK,
                None => [approximate, shared].into_iter().filter(|&x| x).fold(RISK, |r, _| r.lower()),
            };
            let (a, b) = (out_leg.from, out_leg.to);
            let mut summary = format!(
                "{} then {} {:.0} min later: {:.0} km at {:.0} km/h",
                place(cx, a),
                place(cx, b),
                out_leg.minutes,
                out_leg.km,
                out_leg.speed
            );
            let mut rows = vec![b, a];
            let mut d = details([
                ("distance_km", json!(out_leg.km.round())),
                ("speed_kmh", json!(out_leg.speed.round())),
                ("minutes", json!((out_leg.minutes * 10.0).round() / 10.0)),
                ("from", end(cx, a)),
                ("to", end(cx, b)),
                ("approximate", json!(approximate)),
            ]);
            if let Some(back) = back {
                summary.push_str(&format!(", and {} again {:.0} min after that", place(cx, back.to), back.minutes));
                rows.push(back.to);
                d.insert("back".into(), end(cx, back.to));
                d.insert("back_minutes".into(), json!((back.minutes * 10.0).round() / 10.0));
                k += 1;
            }
            if approximate {
                summary.push_str(" (located by country only)");
            }
            if pool {
                summary.push_str(" (one end on the user's own address block in that city, a rotating pool located where the pool is)");
            }
            if shared && artefact.is_none() && !pool {
                summary.push_str(" (one end on a network several users of the organization use, located where its egress is)");
            }
            d.insert("organization_network".into(), json!(shared));
            d.insert("user_address_block".into(), json!(pool));
            if let Some(class) = artefact {
                summary.push_str(&format!(
                    " (one end on a {} network, located where its pool or egress is)",
                    class.as_str().replace('_', " ")
                ));
                d.insert("network_class".into(), json!(class.as_str()));
            }
            out.push(cx.finding(self.id(), risk, &rows, summary, d));
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::fixture::{LAGOS, NEW_YORK, rec, run};

    #[test]
    fn out_and_back_is_one_high_finding_about_the_outlier() {
        let found = run(
            &ImpossibleTravel,
            &[
                rec("2024-03-13T14:00:00Z", "198.51.100.10", "US", NEW_YORK),
                rec("2024-03-13T14:30:00Z", "203.0.113.9", "NG", LAGOS),
                rec("2024-03-13T15:00:00Z", "198.51.100.10", "US", NEW_YORK),
            ],
            0,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(f.rows, [1, 0, 2]);
        assert_eq!(f.risk, Risk::High, "the speed alone does not make it critical");
        assert!(f.summary.ends_with("NG 30 min later: 8473 km at 16945 km/h, and US again 30 min after that"), "{}", f.summary);
    }

    #[test]
    fn a_move_that_stays_is_one_leg() {
        let found = run(
            &ImpossibleTravel,
            &[
                rec("2024-03-13T14:00:00Z", "198.51.100.10", "US", NEW_YORK),
                rec("2024-03-13T14:30:00Z", "203.0.113.9", "NG", LAGOS),
                rec("2024-03-13T15:00:00Z", "203.0.113.10", "NG", LAGOS),
            ],
            0,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rows, [1, 0]);
    }

    #[test]
    fn speed_rule() {
        // New York -> Lagos (8,470 km) in 30 minutes: impossible.
        assert!(impossible_speed(8470.0, 30.0).is_some_and(|s| s > 16_000.0));
        // New York -> London (5,570 km) in 7.5 h: an airliner.
        assert_eq!(impossible_speed(5570.0, 450.0), None);
        // Close pairs are GeoIP noise however fast.
        assert_eq!(impossible_speed(400.0, 1.0), None);
        // Same second: floored at a minute, not infinite.
        assert_eq!(impossible_speed(1000.0, 0.0), Some(60_000.0));
    }
}
