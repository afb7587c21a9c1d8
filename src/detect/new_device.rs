//! `new_device`: a device id, or an OS/browser pair, never seen in the user's baseline, used from a
//! network and city the baseline does not know either.
//!
//! A new laptop in the home city is normal (so is a browser update: versions are ignored), and so
//! is a device the organization manages or has marked compliant. What remains is a new machine in a
//! new place, which is what a stolen password used elsewhere looks like.
//!
//! A new *country* does not raise the rating here: `new_location` reports it, and risk chaining
//! raises both findings when they meet on one sign-in. Counting it in both would rate one fact twice.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Detector, Finding, Risk, UserContext, details};
use crate::baseline::{city_key, network, platform};

pub struct NewDevice;

impl Detector for NewDevice {
    fn id(&self) -> &'static str {
        "new_device"
    }

    fn summary(&self) -> &'static str {
        "a device or OS/browser never seen in the baseline, used from an unfamiliar network and city"
    }

    fn needs_baseline(&self) -> bool {
        true
    }

    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let b = cx.baseline;
        if b.successes == 0 {
            return;
        }
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in cx.judged_after_baseline {
            let device = r.device_id.get(i).map(str::to_ascii_lowercase);
            let new_id = device.as_ref().is_some_and(|d| !b.devices.contains(d));
            let plat = platform(r, i);
            let new_platform = plat.as_ref().is_some_and(|p| !b.platforms.contains(p));
            if !new_id && !new_platform {
                continue;
            }
            // Devices IT enrolled are not the attacker's.
            if r.managed(i) == Some(true) || r.compliant(i) == Some(true) {
                continue;
            }
            let known_net = r.ip.get(i).is_some_and(|ip| b.networks.contains(&network(ip)));
            let known_city = city_key(r, i).is_some_and(|c| b.cities.contains(&c));
            if known_net || known_city {
                continue;
            }
            let key = match (new_id, device) {
                (true, Some(d)) => format!("device {d}"),
                _ => format!("platform {}", plat.unwrap_or_default().replace('|', " / ")),
            };
            groups.entry(key).or_default().push(i);
        }
        for (key, rows) in groups {
            let successes: Vec<usize> = rows.iter().copied().filter(|&i| r.is_success(i)).collect();
            let sensitive = successes.iter().any(|&i| cx.sensitive_app(i));
            let new_country = rows.iter().any(|&i| r.country.get(i).is_some_and(|c| !b.countries.contains(c)));
            let risk = match (successes.is_empty(), sensitive) {
                (true, _) => Risk::Low,
                (false, false) => Risk::Medium,
                (false, true) => Risk::High,
            };
            let first = successes.first().copied().unwrap_or(rows[0]);
            let mut cited = vec![first];
            cited.extend(rows.iter().copied().filter(|&i| i != first));
            let summary = format!(
                "first sign-in from {key}{}, unmanaged, from {} in {}; {} sign-in(s), {} successful; baseline: {} device(s), {} platform(s) over {} successful sign-ins",
                if key.starts_with("device ") { format!(" ({})", r.device_os.get(first).unwrap_or("unknown OS")) } else { String::new() },
                r.ip.get(first).unwrap_or("unknown IP"),
                r.country.get(first).unwrap_or("??"),
                rows.len(),
                successes.len(),
                b.devices.len(),
                b.platforms.len(),
                b.successes
            );
            out.push(cx.finding(
                self.id(),
                risk,
                &cited,
                summary,
                details([
                    ("device", json!(key)),
                    ("os", json!(r.device_os.get(first))),
                    ("browser", json!(r.device_browser.get(first))),
                    ("sign_ins", json!(rows.len())),
                    ("successes", json!(successes.len())),
                    ("sensitive_app", json!(sensitive)),
                    ("new_country", json!(new_country)),
                ]),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{LAGOS, NEW_YORK, rec, run};
    use crate::model::SignIn;

    fn on(mut r: SignIn<'static>, device: &'static str, managed: bool) -> SignIn<'static> {
        r.device_id = Some(Cow::Borrowed(device));
        r.device_os = Some(Cow::Borrowed("Windows 10"));
        r.device_managed = Some(managed);
        r
    }

    #[test]
    fn a_new_country_is_not_counted_twice() {
        let found = run(
            &NewDevice,
            &[
                on(rec("2024-03-12T09:00:00Z", "198.51.100.10", "US", NEW_YORK), "laptop", true),
                on(rec("2024-03-13T14:00:00Z", "203.0.113.9", "NG", LAGOS), "rogue", false),
            ],
            1,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].risk, Risk::Medium, "new_location reports the country; chaining raises both");
        assert_eq!(found[0].details["new_country"], true);
    }
}
