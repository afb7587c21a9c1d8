//! `new_device`: a device id, or an OS/browser pair, never seen in the user's baseline, used from a
//! place the user does not know either.
//!
//! A new laptop at home is normal (so is a browser update: versions are ignored), and so is a
//! device the organization manages or has marked compliant. A place is known when the user's
//! baseline, the user's address block (a carrier's pool) in that city, the user's own devices or the organization
//! vouch for its network ([`familiar_place`]): the city alone does not, since carrier pools make
//! every big city "known" and a residential proxy can sit in any of them. What remains is a new
//! machine on a stranger's network, which is what a stolen password used elsewhere looks like.
//!
//! A new *country* does not raise the rating here: `new_location` reports it, and risk chaining
//! raises both findings when they meet on one sign-in. Counting it in both would rate one fact twice.

use std::collections::BTreeMap;

use serde_json::json;

use super::common::{FAILED_ONLY, Outcome, SUCCEEDED, SUCCEEDED_SENSITIVE, familiar_place};
use super::{Declared, Detector, Doc, Finding, Role, UserContext, details};
use crate::baseline::platform;

/// The detector's id in every report.
pub const ID: &str = "new_device";

pub struct NewDevice;

impl Declared for NewDevice {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: "a device or OS/browser never seen in the baseline, unmanaged, used from a network neither the user nor the organization knows".into(),
            threshold: format!(
                "first use; failures {}, a success {}, a success into an admin app {}",
                FAILED_ONLY.as_str(),
                SUCCEEDED.as_str(),
                SUCCEEDED_SENSITIVE.as_str()
            ),
            sources: &[
                "Elastic detection-rules `rules/integrations/azure/` unmanaged-device new-terms rule (user, device id; 7 days)",
                "Microsoft Entra ID Protection unfamiliar sign-in properties (device, browser, IP, location)",
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

impl Detector for NewDevice {
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
            // A place the user, their address block in that city, their own devices or the organization
            // already use: a new personal device at home, a colleague's office.
            if familiar_place(cx, i).is_some() {
                continue;
            }
            let key = match (new_id, device) {
                (true, Some(d)) => format!("device {d}"),
                _ => format!("platform {}", plat.unwrap_or_default().replace('|', " / ")),
            };
            groups.entry(key).or_default().push(i);
        }
        for (key, rows) in groups {
            let outcome = Outcome::of(cx, &rows);
            let new_country = rows.iter().any(|&i| r.country.get(i).is_some_and(|c| !b.countries.contains(c)));
            let first = outcome.key;
            let summary = format!(
                "first sign-in from {key}{}, unmanaged, from {} in {}; {} sign-in(s), {} successful; baseline: {} device(s), {} platform(s) over {} successful sign-ins",
                if key.starts_with("device ") { format!(" ({})", r.device_os.get(first).unwrap_or("unknown OS")) } else { String::new() },
                r.ip.get(first).unwrap_or("unknown IP"),
                r.country.get(first).unwrap_or("??"),
                rows.len(),
                outcome.successes.len(),
                b.devices.len(),
                b.platforms.len(),
                b.successes
            );
            out.push(cx.finding(
                self.id(),
                outcome.risk,
                &outcome.cited(&rows),
                summary,
                details([
                    ("device", json!(key)),
                    ("os", json!(r.device_os.get(first))),
                    ("browser", json!(r.device_browser.get(first))),
                    ("sign_ins", json!(rows.len())),
                    ("successes", json!(outcome.successes.len())),
                    ("sensitive_app", json!(outcome.sensitive)),
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
    use crate::detect::Risk;
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
