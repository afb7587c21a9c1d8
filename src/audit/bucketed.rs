//! The audit over buckets of users, never holding more than one bucket's rows: the in-memory audit
//! is the same code over one bucket (the whole table), so both give the same bytes.
//!
//! A bucket ([`Buckets::load`]) is a sorted [`SignInTable`] holding every row of each of its users
//! (a dataset's `bucket=NN` file). What a user's audit needs from other users is small and is
//! gathered in passes over the buckets, each merged before the next:
//!
//! 1. **facts** ([`Facts`]): the latest sign-in (the default as-of time), and per address, per city
//!    and per address-with-a-place the value of the first record in table order (table order is
//!    principal then time, so across buckets the smallest principal wins): the ASN records give an
//!    address (the enrichment's lookup key), a city's coordinates, an address's place (to fill
//!    records that lost theirs);
//! 2. **aggregates**: the tenant profile (places several users share, counted per user) and the
//!    cross-user detectors' [`Aggregate`] (credential failures, success counts per address and
//!    network), both adding up over disjoint users; then the coverage of the window;
//! 3. **audit**: each bucket's users audited with the merged facts and the judged cross-user
//!    verdicts, and the enrichment's row counts.
//!
//! Users, findings and counts are then sorted and added up as the in-memory audit orders them.
//! The scope section (`--ioc`, `--pivot-from`) still needs the whole table: it is built only when
//! there is one bucket.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::coverage::{self, Coverage};
use super::{AuditConfig, AuditResult, DAY, Env, UserResult, audit_user, scope, window};
use crate::baseline::{TenantProfile, own_sign_ins};
use crate::detect::Finding;
use crate::detect::tenant::{self, Aggregate, Scope};
use crate::enrich::Enrichment;
use crate::enrich::report::RowCounts;
use crate::geo::{Geo, OwnedPlace};
use crate::model::SignInTable;
use crate::model::view::Rows;

/// Where the buckets of users come from.
pub trait Buckets: Sync {
    type Error;
    /// How many buckets there are.
    fn count(&self) -> usize;
    /// Bucket `k` (`k < count()`): whole users, sorted by principal then time.
    fn load(&self, k: usize) -> Result<Cow<'_, SignInTable>, Self::Error>;
}

/// The whole table as one bucket (the in-memory audit).
pub struct Whole<'a>(pub &'a SignInTable);

impl Buckets for Whole<'_> {
    type Error = std::convert::Infallible;
    fn count(&self) -> usize {
        1
    }
    fn load(&self, _: usize) -> Result<Cow<'_, SignInTable>, Self::Error> {
        Ok(Cow::Borrowed(self.0))
    }
}

impl Buckets for crate::ingest::dataset::buckets::DatasetBuckets {
    type Error = crate::error::Error;
    fn count(&self) -> usize {
        self.files.len()
    }
    fn load(&self, k: usize) -> Result<Cow<'_, SignInTable>, Self::Error> {
        Ok(Cow::Owned(self.read_bucket(k)?))
    }
}

/// A value taken from the first record (in table order) that gives one: the principal of that
/// record says which of two buckets' values comes first.
type First<T> = (Arc<str>, T);

/// Keep the value of the earlier principal.
fn first_of<K: std::hash::Hash + Eq, T>(into: &mut HashMap<K, First<T>>, from: HashMap<K, First<T>>) {
    for (k, v) in from {
        match into.get_mut(&k) {
            Some(have) if have.0 <= v.0 => {}
            Some(have) => *have = v,
            None => {
                into.insert(k, v);
            }
        }
    }
}

/// Pass 1: what every bucket's audit needs from the others' rows (see the module header).
#[derive(Debug, Default)]
pub struct Facts {
    pub latest: Option<i64>,
    pub rows: usize,
    /// Per address, the first ASN a record gives it (the principal is the first row's when none does).
    asns: HashMap<String, First<Option<u32>>>,
    cities: HashMap<String, First<(f64, f64)>>,
    placed: HashMap<String, First<OwnedPlace>>,
}

impl Facts {
    /// The facts of one bucket.
    pub fn collect(table: &SignInTable) -> Facts {
        let mut f = Facts { rows: table.len(), ..Default::default() };
        f.latest = crate::model::table::time_span(&table.batch).ok().flatten().map(|s| s.1);
        let Ok(rows) = Rows::new(&table.batch) else { return f };
        let principal = |i: usize| -> Arc<str> { Arc::from(rows.principal.get(i).unwrap_or_default()) };
        f.asns = crate::enrich::record_asns(&rows).into_iter().map(|(ip, (i, asn))| (ip.to_string(), (principal(i), asn))).collect();
        f.cities = crate::geo::city_coordinates(&rows).into_iter().map(|(k, (i, c))| (k, (principal(i), c))).collect();
        f.placed = crate::geo::placed_rows(&rows)
            .into_iter()
            .filter_map(|(ip, j)| Some((ip.to_string(), (principal(j), crate::geo::place_of(&rows, j)?))))
            .collect();
        f
    }

    /// Add another bucket's facts.
    pub fn add(&mut self, other: Facts) {
        self.latest = self.latest.max(other.latest);
        self.rows += other.rows;
        // An address's ASN is the first record's that gives one: a bucket that has one wins over one
        // that has none, then the earlier principal.
        for (ip, v) in other.asns {
            match self.asns.get_mut(&ip) {
                Some(have) if have.1.is_some() && (v.1.is_none() || have.0 <= v.0) => {}
                Some(have) if have.1.is_none() && v.1.is_none() => {}
                Some(have) => *have = v,
                None => {
                    self.asns.insert(ip, v);
                }
            }
        }
        first_of(&mut self.cities, other.cities);
        first_of(&mut self.placed, other.placed);
    }
}

/// What one bucket's audit works on: its rows with their places filled, and the facts about them.
struct Prepared {
    table: SignInTable,
    geo: Geo,
    net: Enrichment,
}

/// The merged facts, ready to prepare buckets with.
struct Shared {
    net: Enrichment,
    cities: Arc<HashMap<String, (f64, f64)>>,
    placed: HashMap<String, OwnedPlace>,
}

impl Shared {
    fn new(facts: Facts, cfg: &AuditConfig) -> Shared {
        let ips: Vec<(&str, Option<u32>)> = facts.asns.iter().map(|(ip, (_, asn))| (ip.as_str(), *asn)).collect();
        let net = Enrichment::from_ips(ips, &cfg.sources);
        let cities = Arc::new(facts.cities.into_iter().map(|(k, (_, c))| (k, c)).collect());
        let placed = facts.placed.into_iter().map(|(k, (_, p))| (k, p)).collect();
        Shared { net, cities, placed }
    }

    fn prepare(&self, table: &SignInTable) -> Prepared {
        let mut geo = Geo::from_cities(self.cities.clone(), &self.net);
        // Records that lost their place get the one other records or the database give their address.
        let table = geo.fill_from(table, &self.placed).ok().flatten().unwrap_or_else(|| table.clone());
        let net = self.net.for_rows(Rows::new(&table.batch).ok().as_ref());
        Prepared { table, geo, net }
    }
}

/// A bucketed audit's result, with the coverage of its window.
pub struct Run {
    pub result: AuditResult,
    pub coverage: Coverage,
    /// Rows of every bucket.
    pub rows: usize,
    /// The as-of time and the (exclusive) start of the analysis window.
    pub as_of: i64,
    pub analysis_start: i64,
}

impl Run {
    /// The error for an audit that analysed nothing (see [`Coverage::nothing_analysed`]).
    pub fn nothing_analysed(&self, cfg: &AuditConfig) -> Option<String> {
        self.coverage.nothing_analysed_in(self.rows == 0, self.as_of, self.analysis_start, cfg)
    }
}

/// Run the audit bucket by bucket.
pub fn audit_buckets<B: Buckets>(src: &B, cfg: &AuditConfig) -> Result<Run, B::Error> {
    let n = src.count();
    let mut facts = Facts::default();
    for k in 0..n {
        let table = src.load(k)?;
        facts.add(Facts::collect(&table));
    }
    let as_of = cfg.as_of.unwrap_or(facts.latest.unwrap_or(0));
    let analysis_start = as_of - cfg.days as i64 * DAY;
    let baseline_start = analysis_start - cfg.baseline_days as i64 * DAY;
    let rows = facts.rows;
    let shared = Shared::new(facts, cfg);
    // One bucket is prepared once; more are prepared again in each pass, one at a time.
    let mut kept: Option<Prepared> = None;
    let prepared = |kept: &mut Option<Prepared>, k: usize| -> Result<Prepared, B::Error> {
        match kept.take() {
            Some(p) => Ok(p),
            None => {
                let table = src.load(k)?;
                Ok(shared.prepare(&table))
            }
        }
    };

    let includes = |e: Option<&str>| cfg.includes(e);
    let tenant_scope = Scope { start: analysis_start, end: as_of, includes: &includes };
    let (mut profiles, mut aggregates, mut covered) = (Vec::new(), Vec::new(), Coverage::default());
    for k in 0..n {
        let p = prepared(&mut kept, k)?;
        // What the organization shares is learned from every user, audited or not.
        profiles.push(TenantProfile::build(&p.table, |rows| {
            crate::baseline::plan(
                rows,
                &cfg.included(rows, as_of),
                &own_sign_ins(rows, as_of, |e| cfg.includes(e)),
                baseline_start,
                analysis_start,
                cfg.baseline_days,
            )
            .context
        }));
        aggregates.push(tenant::aggregate(&p.table, &tenant_scope, &p.net));
        covered.add(coverage::count(&p.table, cfg, as_of, analysis_start));
        if n == 1 {
            kept = Some(p);
        }
    }
    covered.finish();
    let profile = TenantProfile::merge(profiles);
    let verdicts = tenant::judge(&Aggregate::merge(aggregates));

    let mut users: Vec<UserResult> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut counts = RowCounts::default();
    let mut scope = None;
    let mut net_shown = None;
    for k in 0..n {
        let p = prepared(&mut kept, k)?;
        let env = Env { geo: &p.geo, net: &p.net, tenant: &profile, verdicts: &verdicts };
        let selected: Vec<_> = p.table.users.iter().filter(|u| cfg.users.as_ref().is_none_or(|s| s.contains(&u.principal))).collect();
        let per_user: Vec<(UserResult, Vec<Finding>)> =
            selected.par_iter().map(|u| audit_user(&p.table, u, cfg, &env, as_of, analysis_start, baseline_start)).collect();
        let mut bucket_users = Vec::new();
        let mut bucket_findings = Vec::new();
        for (u, f) in per_user {
            // Principals with nothing of the included event types (service principals by default) are
            // not part of this audit, unless they were asked for by name.
            if u.included == 0 && cfg.users.is_none() {
                continue;
            }
            bucket_users.push(u);
            bucket_findings.extend(f);
        }
        let in_window = |r: &Rows<'_>, i: usize| r.time(i) > analysis_start && r.time(i) <= as_of;
        let included = |r: &Rows<'_>, i: usize| cfg.includes(r.event_type.get(i));
        let selected = |r: &Rows<'_>, i: usize| cfg.users.as_ref().is_none_or(|s| r.principal.get(i).is_some_and(|p| s.contains(p)));
        let analysed = |r: &Rows<'_>, i: usize| in_window(r, i) && included(r, i) && selected(r, i);
        counts.add(crate::enrich::report::count_rows(&p.table, &p.net, &p.geo, &bucket_findings, &analysed));
        users.extend(bucket_users);
        findings.extend(bucket_findings);
        if n == 1 {
            let mut all_users = users.clone();
            add_missing(&mut all_users, cfg, &p.table);
            sort_findings(&mut findings);
            let input = scope::ScopeInput {
                table: &p.table,
                net: &p.net,
                users: &all_users,
                findings: &findings,
                in_window: &in_window,
                included: &included,
            };
            scope = scope::build(&input, cfg.pivot_from.as_deref());
            net_shown = Some(p.net);
        }
    }
    let known: std::collections::BTreeSet<String> = users.iter().map(|u| u.user.clone()).collect();
    add_missing_from(&mut users, cfg, &known);
    users.sort_by(|a, b| a.user.cmp(&b.user));
    sort_findings(&mut findings);
    let net = net_shown.unwrap_or(shared.net);
    let enrichment = crate::enrich::report::finish(&net, counts);
    let result =
        AuditResult { window: window(cfg, as_of, analysis_start, baseline_start), users, findings, enrichment, scope, net: Arc::new(net) };
    Ok(Run { result, coverage: covered, rows, as_of, analysis_start })
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (&a.user, a.micros, a.detector, &a.sign_in_ids).cmp(&(&b.user, b.micros, b.detector, &b.sign_in_ids)));
}

/// Users asked for by name (`--user`, `--batch`) with no sign-ins in `table`, reported as such.
fn add_missing(users: &mut Vec<UserResult>, cfg: &AuditConfig, table: &SignInTable) {
    let known = table.users.iter().map(|u| u.principal.clone()).collect();
    add_missing_from(users, cfg, &known);
    users.sort_by(|a, b| a.user.cmp(&b.user));
}

fn add_missing_from(users: &mut Vec<UserResult>, cfg: &AuditConfig, known: &std::collections::BTreeSet<String>) {
    let Some(wanted) = &cfg.users else { return };
    for w in wanted.iter().filter(|w| !known.contains(*w)) {
        users.push(UserResult {
            user: w.clone(),
            sign_ins: 0,
            baseline: None,
            risk: "none".into(),
            findings: 0,
            note: Some("no sign-ins in the evidence".into()),
            included: 0,
        });
    }
}
