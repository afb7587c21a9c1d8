//! The cross-user pass's aggregate: what cross-user detectors need to know about every account at
//! once, small enough to build per bucket of users, merge, and judge.
//!
//! For each bucket (a contiguous run of user partitions) [`Aggregate::collect`] keeps
//! - every credential failure of the analysis window (wrong password, unknown, locked or disabled
//!   account: [`Credential::Failed`]) with its time, account, address, network and citation; failures
//!   are a few percent of sign-ins, so this stays small;
//! - per address and per network, how many distinct accounts signed in successfully from it. Each
//!   account lives in exactly one bucket, so these counts add up across buckets.
//!
//! [`Aggregate::merge`] adds buckets together and sorts the failures, so the merged aggregate (and
//! everything judged from it) does not depend on how the table was cut or on thread scheduling.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::baseline::network;
use crate::detect::Cite;
use crate::detect::credentials::{Credential, classify};
use crate::enrich::Enrichment;
use crate::model::UserRange;
use crate::model::view::Rows;

/// Which sign-ins the pass looks at: the analysis window and the included event types, as the
/// per-user audit judges them.
pub struct Scope<'a> {
    /// Exclusive start of the analysis window (microseconds UTC).
    pub start: i64,
    /// Inclusive end (the as-of time).
    pub end: i64,
    /// Whether sign-ins of an event type (`interactiveUser`...) are part of the audit.
    pub includes: &'a (dyn Fn(Option<&str>) -> bool + Sync),
}

/// One failed credential attempt against one account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attempt {
    pub ip: String,
    pub time: i64,
    pub principal: String,
    pub sign_in_id: String,
    /// The address's network: `AS<n>` when its autonomous system is known, else its /24 (/48).
    pub network: String,
    pub cite: Cite,
    /// `ropc` for the ROPC flow, else the client app (`Browser`, `IMAP4`...), if recorded.
    pub client: Option<String>,
}

/// The tenant-wide facts cross-user detectors judge.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// Credential failures, sorted by address, time, account and sign-in id (after [`Aggregate::merge`]).
    pub failures: Vec<Attempt>,
    /// Distinct accounts with a successful sign-in from each address.
    pub ip_successes: HashMap<String, u32, ahash::RandomState>,
    /// The same per network (`AS<n>` or prefix).
    pub network_successes: HashMap<String, u32, ahash::RandomState>,
}

/// The network key of an address (see [`Attempt::network`]).
pub fn network_key(net: &Enrichment, ip: &str) -> String {
    match net.asn(ip) {
        Some(asn) => format!("AS{asn}"),
        None => network(ip),
    }
}

impl Aggregate {
    /// Collect one bucket: the users `users` of `rows` (the whole table's view; user ranges index it).
    pub fn collect(rows: &Rows<'_>, users: &[UserRange], scope: &Scope<'_>, net: &Enrichment) -> Aggregate {
        let mut agg = Aggregate::default();
        let mut included: Vec<Option<bool>> = vec![None; rows.event_type.values_len()];
        // Per distinct address of the batch (dictionary index): its network's id, and success counts.
        let mut net_of: Vec<u32> = vec![u32::MAX; rows.ip.values_len()];
        let mut networks: Vec<String> = Vec::new();
        let mut net_ids: HashMap<String, u32, ahash::RandomState> = HashMap::default();
        let mut ip_count: Vec<u32> = vec![0; rows.ip.values_len()];
        let mut net_count: Vec<u32> = Vec::new();
        let mut ips: Vec<usize> = Vec::new();
        let mut nets: Vec<u32> = Vec::new();
        for u in users {
            ips.clear();
            for i in u.offset..u.offset + u.len {
                let t = rows.time(i);
                if t <= scope.start || t > scope.end {
                    continue;
                }
                let inc = match rows.event_type.key(i) {
                    Some(k) => *included[k].get_or_insert_with(|| (scope.includes)(Some(rows.event_type.value(k)))),
                    None => (scope.includes)(None),
                };
                if !inc {
                    continue;
                }
                match classify(rows, i) {
                    Some(Credential::Succeeded) => ips.extend(rows.ip.key(i)),
                    Some(Credential::Failed) => {
                        let Some(ip) = rows.ip.get(i) else { continue };
                        let client = if rows.auth_protocol.get(i).is_some_and(|p| p.eq_ignore_ascii_case("ropc")) {
                            Some("ropc".to_string())
                        } else {
                            rows.client_app.get(i).map(str::to_string)
                        };
                        agg.failures.push(Attempt {
                            ip: ip.to_string(),
                            time: t,
                            principal: u.principal.clone(),
                            sign_in_id: rows.sign_in_id(i),
                            network: network_key(net, ip),
                            cite: Cite::of(rows, i),
                            client,
                        });
                    }
                    _ => {}
                }
            }
            ips.sort_unstable();
            ips.dedup();
            nets.clear();
            for &k in &ips {
                ip_count[k] += 1;
                if net_of[k] == u32::MAX {
                    let key = network_key(net, rows.ip.value(k));
                    let next = networks.len() as u32;
                    let id = *net_ids.entry(key.clone()).or_insert(next);
                    if id == next {
                        networks.push(key);
                        net_count.push(0);
                    }
                    net_of[k] = id;
                }
                nets.push(net_of[k]);
            }
            nets.sort_unstable();
            nets.dedup();
            for &n in &nets {
                net_count[n as usize] += 1;
            }
        }
        for (k, &c) in ip_count.iter().enumerate() {
            if c > 0 {
                agg.ip_successes.insert(rows.ip.value(k).to_string(), c);
            }
        }
        for (key, c) in networks.into_iter().zip(net_count) {
            agg.network_successes.insert(key, c);
        }
        agg
    }

    /// Add buckets together (in any order: the result is sorted).
    pub fn merge(parts: Vec<Aggregate>) -> Aggregate {
        let mut out = Aggregate::default();
        for p in parts {
            out.failures.extend(p.failures);
            for (k, c) in p.ip_successes {
                *out.ip_successes.entry(k).or_default() += c;
            }
            for (k, c) in p.network_successes {
                *out.network_successes.entry(k).or_default() += c;
            }
        }
        out.failures.sort();
        out
    }

    pub fn ip_success_accounts(&self, ip: &str) -> u32 {
        self.ip_successes.get(ip).copied().unwrap_or(0)
    }

    pub fn network_success_accounts(&self, network: &str) -> u32 {
        self.network_successes.get(network).copied().unwrap_or(0)
    }
}
