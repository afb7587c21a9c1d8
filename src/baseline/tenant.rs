//! [`TenantProfile`]: what the users of the tenant share, learned once from every user's baseline.
//!
//! A network (its `/24` or `/48`) or a city that several users of the tenant sign in from
//! successfully in their own baselines is the organization's: an office NAT, the corporate VPN or
//! SDP egress, a carrier's gateway, Microsoft's service front ends. Entra ID Protection's atypical
//! travel "ignores VPNs and locations regularly used by other users in the organization" and
//! Defender for Cloud Apps suppresses locations "regularly used by other users" the same way; the
//! detectors use this profile for the same purpose. Only baseline successes count, so an attacker's
//! infrastructure used against several accounts during the analysis window never becomes
//! "the organization's".

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::{city_key, network};
use crate::model::SignInTable;
use crate::model::view::Rows;

/// A network or city is the organization's when at least this many distinct users signed in from it
/// successfully during their baselines. Two could be a couple sharing a home connection; three is
/// a shared place (Microsoft publishes no number for "regularly used by other users").
pub const COMMON_MIN_USERS: u32 = 3;

/// Places the tenant's users share.
#[derive(Debug, Default)]
pub struct TenantProfile {
    /// Distinct users per network (`/24`, `/48`).
    networks: HashMap<String, u32>,
    /// Distinct users per `country|state|city`.
    cities: HashMap<String, u32>,
    /// Users with a baseline.
    pub users: usize,
}

/// One user's distinct networks and cities.
type Places = (BTreeSet<String>, BTreeSet<String>);

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
                    if let Some(ip) = rows.ip.get(i) {
                        places.0.insert(network(ip));
                    }
                    if let Some(c) = city_key(&rows, i) {
                        places.1.insert(c);
                    }
                }
                places
            })
            .collect();
        let mut p = TenantProfile::default();
        for (nets, cities) in per_user {
            if nets.is_empty() && cities.is_empty() {
                continue;
            }
            p.users += 1;
            for n in nets {
                *p.networks.entry(n).or_default() += 1;
            }
            for c in cities {
                *p.cities.entry(c).or_default() += 1;
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
