//! [`TenantProfile`]: what the users of the tenant share, learned once from every user's baseline.
//!
//! A network (its `/24` or `/48`) or a city that several users of the tenant sign in from
//! successfully in their own baselines, each on several days, is the organization's: an office NAT,
//! the corporate VPN or SDP egress, a carrier's gateway, Microsoft's service front ends. Entra ID
//! Protection's atypical travel "ignores VPNs and locations regularly used by other users in the
//! organization" and Defender for Cloud Apps suppresses locations "regularly used by other users"
//! the same way; the detectors use this profile for the same purpose.
//!
//! Only baseline successes count, so an attacker's infrastructure used against several accounts
//! during the analysis window never becomes "the organization's". And "regularly" is taken at its
//! word: a user counts for a place only when their successes from it fall on
//! [`REGULAR_MIN_DAYS`] or more days. An attacker who got into three accounts from one hosting
//! `/24` in the weeks before the window (each a session of one day) has not made it a place the
//! organization uses, while the office, the VPN egress and the front ends are used every week.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{city_key, day_of, network};
use crate::model::SignInTable;
use crate::model::view::Rows;

/// A network or city is the organization's when at least this many distinct users signed in from it
/// successfully during their baselines. Two could be a couple sharing a home connection; three is
/// a shared place (Microsoft publishes no number for "regularly used by other users").
pub const COMMON_MIN_USERS: u32 = 3;

/// A user uses a place regularly when their successful baseline sign-ins from it fall on at least
/// this many distinct days (UTC): one day is a visit, or one attacker session; two is a habit (the
/// same reading of Microsoft's "regularly used" as [`COMMON_MIN_USERS`]; project choice).
pub const REGULAR_MIN_DAYS: usize = 2;

/// Places the tenant's users share.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TenantProfile {
    /// Distinct users per network (`/24`, `/48`).
    networks: HashMap<String, u32>,
    /// Distinct users per `country|state|city`.
    cities: HashMap<String, u32>,
    /// Users with a baseline.
    pub users: usize,
}

/// One user's networks and cities, each with the days (UTC, up to [`REGULAR_MIN_DAYS`]) it was used.
#[derive(Default)]
struct Places {
    networks: BTreeMap<String, BTreeSet<i64>>,
    cities: BTreeMap<String, BTreeSet<i64>>,
}

impl Places {
    fn note(map: &mut BTreeMap<String, BTreeSet<i64>>, key: String, day: i64) {
        let days = map.entry(key).or_default();
        if days.len() < REGULAR_MIN_DAYS {
            days.insert(day);
        }
    }

    /// The places used on enough days.
    fn regular(map: BTreeMap<String, BTreeSet<i64>>) -> impl Iterator<Item = String> {
        map.into_iter().filter(|(_, days)| days.len() >= REGULAR_MIN_DAYS).map(|(k, _)| k)
    }
}

impl TenantProfile {
    /// Learn from every user of `table`; `baseline_rows` gives the rows a user's baseline learns
    /// places from (the audit's own choice of baseline, so the profile and the user baselines agree).
    pub fn build(table: &SignInTable, baseline_rows: impl Fn(&Rows<'_>) -> Vec<usize> + Sync) -> Self {
        let per_user: Vec<Places> = table
            .users
            .par_iter()
            .map(|u| {
                let batch = table.user_batch(u);
                let Ok(rows) = Rows::new(&batch) else { return Places::default() };
                let mut places = Places::default();
                for i in baseline_rows(&rows) {
                    if !rows.is_success(i) {
                        continue;
                    }
                    let day = day_of(rows.time(i));
                    if let Some(ip) = rows.ip.get(i) {
                        Places::note(&mut places.networks, network(ip), day);
                    }
                    if let Some(c) = city_key(&rows, i) {
                        Places::note(&mut places.cities, c, day);
                    }
                }
                places
            })
            .collect();
        let mut p = TenantProfile::default();
        for places in per_user {
            if places.networks.is_empty() && places.cities.is_empty() {
                continue;
            }
            p.users += 1;
            for n in Places::regular(places.networks) {
                *p.networks.entry(n).or_default() += 1;
            }
            for c in Places::regular(places.cities) {
                *p.cities.entry(c).or_default() += 1;
            }
        }
        p
    }

    /// Add profiles learned from disjoint sets of users (the buckets of a bucketed audit): a user
    /// counts for a place in exactly one of them, so the counts add up.
    pub fn merge(parts: impl IntoIterator<Item = TenantProfile>) -> Self {
        let mut p = TenantProfile::default();
        for part in parts {
            p.users += part.users;
            for (n, c) in part.networks {
                *p.networks.entry(n).or_default() += c;
            }
            for (k, c) in part.cities {
                *p.cities.entry(k).or_default() += c;
            }
        }
        p
    }

    /// Users whose baseline holds the network of `ip`.
    pub fn network_users(&self, ip: &str) -> u32 {
        self.networks.get(&network(ip)).copied().unwrap_or(0)
    }

    /// Whether the network of `ip` is one the organization uses ([`COMMON_MIN_USERS`]).
    pub fn common_network(&self, ip: &str) -> bool {
        self.network_users(ip) >= COMMON_MIN_USERS
    }

    /// Whether a `country|state|city` is one the organization's users sign in from.
    pub fn common_city(&self, key: &str) -> bool {
        self.cities.get(key).is_some_and(|&n| n >= COMMON_MIN_USERS)
    }

    /// A profile that knows the given networks as shared (tests).
    pub fn with_networks<'a>(nets: impl IntoIterator<Item = &'a str>) -> Self {
        let networks = nets.into_iter().map(|ip| (network(ip), COMMON_MIN_USERS)).collect();
        TenantProfile { networks, cities: HashMap::new(), users: COMMON_MIN_USERS as usize }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::model::time::parse_time;
    use crate::model::{SignIn, TableBuilder};

    /// Three users, each signing in successfully from 203.0.113.0/24 at the given times.
    fn profile(times: &[&str]) -> TenantProfile {
        let mut tb = TableBuilder::new("t.json", "graph", 0);
        for user in ["a@contoso.example", "b@contoso.example", "c@contoso.example"] {
            for t in times {
                tb.push(&SignIn {
                    time: parse_time(t, 0),
                    user_principal_name: Some(Cow::Borrowed(user)),
                    error_code: Some(0),
                    ip_address: Some(Cow::Borrowed("203.0.113.45")),
                    ..Default::default()
                })
                .unwrap();
            }
        }
        let table = SignInTable::from_sorted(tb.finish().unwrap().batch).unwrap();
        TenantProfile::build(&table, |rows| (0..rows.len).collect())
    }

    #[test]
    fn a_place_is_the_organizations_when_several_users_use_it_on_several_days() {
        assert!(profile(&["2024-03-04T09:00:00Z", "2024-03-05T09:00:00Z"]).common_network("203.0.113.7"));
        // Three accounts broken into from one network, each in a session of one day: not a place
        // the organization uses, however many sign-ins the sessions hold.
        let attacked = profile(&["2024-03-04T09:00:00Z", "2024-03-04T11:00:00Z", "2024-03-04T15:00:00Z"]);
        assert!(!attacked.common_network("203.0.113.7"));
        assert_eq!(attacked.users, 3);
    }
}
