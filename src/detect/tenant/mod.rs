//! Cross-user detectors: attacks that only show across accounts (one address failing against many
//! accounts). They are a second kind of detector, with their own trait ([`TenantDetector`]) and
//! slice of the registry ([`TENANT_DETECTORS`]; what they declare, id, [`crate::detect::Doc`] and
//! roles, is the same [`Declared`] as every detector's), run in three steps:
//!
//! 1. **aggregate**: each bucket of users (a contiguous run of partitions of the sorted table) is
//!    reduced to an [`Aggregate`] in parallel: its credential failures and, per address and network,
//!    how many of its accounts signed in successfully from there;
//! 2. **merge**: the buckets' aggregates are added together ([`Aggregate::merge`]);
//! 3. **judge**: each tenant detector reads the merged aggregate and names the [`Episode`]s it finds
//!    (a spray from one address between two times).
//!
//! Each user's audit then asks every tenant detector to **finish** the episodes for that user: the
//! detector reads the user's own partition (rows relative to it, as per-user detectors do) and
//! returns findings about the user's part in an episode. Those findings go through risk chaining
//! with the per-user detectors' findings, so a sprayed account that then signed in from a new
//! country chains with `new_location`.
//!
//! In memory the whole table is cut into a few runs of users here ([`run`]); a bucketed audit
//! ([`crate::audit::bucketed`]) runs [`aggregate`] per bucket of the dataset, keeps only the
//! aggregates, merges them and judges once.

pub mod aggregate;
pub mod password_spray;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

pub use self::aggregate::{Aggregate, Attempt, Scope};
use super::{Cite, Declared, Finding, UserContext};
use crate::enrich::Enrichment;
use crate::model::SignInTable;
use crate::model::view::Rows;

/// An attack judged across accounts: what a tenant detector found in the aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// Where it came from, as shown: an address, `AS<n>` or a network prefix.
    pub source: String,
    /// The addresses it used.
    pub ips: BTreeSet<String>,
    /// For an attack spread over a network's addresses, that network (`AS<n>` or a prefix, see
    /// [`aggregate::network_key`]): its other addresses belong to the attacker too.
    pub network: Option<String>,
    /// First and last attempt (microseconds UTC).
    pub start: i64,
    pub end: i64,
    /// Accounts it failed against.
    pub accounts: BTreeSet<String>,
    /// Its failed attempts (all accounts).
    pub failures: usize,
    /// A few of those attempts, cited as evidence in every account's finding (request id, source).
    pub evidence: Vec<(String, Cite)>,
    /// Tenant-level facts reported with every account's finding.
    pub details: BTreeMap<String, serde_json::Value>,
}

/// A detector that needs every account's sign-ins at once; what it declares about itself (id,
/// documentation, roles) is [`Declared`].
pub trait TenantDetector: Declared {
    /// Judge the merged aggregate. Pure: the same aggregate gives the same episodes, in order.
    fn judge(&self, agg: &Aggregate, out: &mut Vec<Episode>);
    /// The findings of one user's part in `episodes` (never empty when called), from the user's
    /// own partition. Pure.
    fn finish(&self, episodes: &[Episode], cx: &UserContext<'_>, out: &mut Vec<Finding>);
}

/// Every cross-user detector, in report order (after the per-user ones, see
/// [`crate::detect::registry::all`]). Adding one = one file + one line here.
pub const TENANT_DETECTORS: &[&dyn TenantDetector] = &[&password_spray::PasswordSpray];

/// The episodes each tenant detector found (same order as [`TENANT_DETECTORS`]).
#[derive(Debug, Default)]
pub struct Verdicts {
    pub episodes: Vec<Vec<Episode>>,
}

impl Verdicts {
    /// Append the findings of one user's part in every episode.
    pub fn finish(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        for (d, eps) in TENANT_DETECTORS.iter().zip(&self.episodes) {
            if !eps.is_empty() {
                d.finish(eps, cx, out);
            }
        }
    }
}

/// Buckets per thread: enough to balance uneven users, few enough that merging stays trivial.
const BUCKETS_PER_THREAD: usize = 4;

/// Run the cross-user pass over the whole table: aggregate buckets in parallel, merge, judge.
pub fn run(table: &SignInTable, scope: &Scope<'_>, net: &Enrichment) -> Verdicts {
    judge(&aggregate(table, scope, net))
}

/// Step 1 and 2 over one table (the whole evidence, or one bucket of a bucketed audit whose
/// aggregates are merged afterwards with [`Aggregate::merge`]): cut it into runs of users,
/// aggregate them in parallel, merge.
pub fn aggregate(table: &SignInTable, scope: &Scope<'_>, net: &Enrichment) -> Aggregate {
    let Ok(rows) = Rows::new(&table.batch) else {
        return Aggregate::default();
    };
    let buckets = buckets(&table.users, rayon::current_num_threads() * BUCKETS_PER_THREAD);
    let parts: Vec<Aggregate> = buckets.par_iter().map(|b| Aggregate::collect(&rows, b, scope, net)).collect();
    Aggregate::merge(parts)
}

/// Every tenant detector's episodes from a merged aggregate.
pub fn judge(agg: &Aggregate) -> Verdicts {
    Verdicts {
        episodes: TENANT_DETECTORS
            .iter()
            .map(|d| {
                let mut eps = Vec::new();
                d.judge(agg, &mut eps);
                eps
            })
            .collect(),
    }
}

/// Cut `users` into about `n` contiguous runs of similar row counts.
fn buckets(users: &[crate::model::UserRange], n: usize) -> Vec<&[crate::model::UserRange]> {
    let total: usize = users.iter().map(|u| u.len).sum();
    let target = total.div_ceil(n.max(1)).max(1);
    let mut out = Vec::new();
    let (mut start, mut rows) = (0, 0);
    for (k, u) in users.iter().enumerate() {
        rows += u.len;
        if rows >= target {
            out.push(&users[start..=k]);
            start = k + 1;
            rows = 0;
        }
    }
    if start < users.len() {
        out.push(&users[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::UserRange;

    #[test]
    fn buckets_cover_every_user_once_in_order() {
        let users: Vec<UserRange> =
            (0..10).map(|k| UserRange { principal: format!("u{k}"), offset: k * 3, len: if k == 4 { 20 } else { 3 } }).collect();
        for n in [1, 2, 3, 7, 50] {
            let b = buckets(&users, n);
            let flat: Vec<&str> = b.iter().flat_map(|s| s.iter().map(|u| u.principal.as_str())).collect();
            assert_eq!(flat.len(), users.len(), "n={n}");
            assert!(flat.iter().zip(&users).all(|(a, u)| *a == u.principal), "n={n}");
            assert!(b.iter().all(|s| !s.is_empty()), "n={n}");
        }
        assert_eq!(buckets(&[], 4).len(), 0);
    }
}
