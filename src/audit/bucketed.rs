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
use crate::model::columns::FACTS_READS;
use crate::model::view::Rows;

/// Where the buckets of users come from.
pub trait Buckets: Sync {
    type Error;
    /// How many buckets there are.
    fn count(&self) -> usize;
    /// Bucket `k` (`k < count()`): whole users, sorted by principal then time.
    fn load(&self, k: usize) -> Result<Cow<'_, SignInTable>, Self::Error>;
    /// Bucket `k` for [`Facts::collect`]: only [`FACTS_READS`] (and the required columns) need to
    /// hold their values.
    fn load_for_facts(&self, k: usize) -> Result<Cow<'_, SignInTable>, Self::Error> {
        self.load(k)
    }
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
    fn load_for_facts(&self, k: usize) -> Result<Cow<'_, SignInTable>, Self::Error> {
        Ok(Cow::Owned(self.read_bucket_columns(k, FACTS_READS)?))
    }
}

impl Buckets for crate::ingest::spill::Spill {
    type Error = crate::error::Error;
    fn count(&self) -> usize {
        self.buckets
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
    pub(super) asns: HashMap<String, First<Option<u32>>>,
    pub(super) cities: HashMap<String, First<(f64, f64)>>,
    pub(super) placed: HashMap<String, First<OwnedPlace>>,
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

/// The merged facts of every bucket, ready to prepare buckets with, and the windows they fix.
pub struct Shared {
    net: Enrichment,
    cities: Arc<HashMap<String, (f64, f64)>>,
    placed: HashMap<String, OwnedPlace>,
    /// Rows of every bucket.
    pub rows: usize,
    pub as_of: i64,
    /// Exclusive start of the analysis window, and of the baseline window.
    pub analysis_start: i64,
    pub baseline_start: i64,
}

impl Shared {
    /// From the facts of every bucket, added up.
    pub fn new(facts: Facts, cfg: &AuditConfig) -> Shared {
        let as_of = cfg.as_of.unwrap_or(facts.latest.unwrap_or(0));
        let analysis_start = as_of - cfg.days as i64 * DAY;
        let baseline_start = analysis_start - cfg.baseline_days as i64 * DAY;
        let ips: Vec<(&str, Option<u32>)> = facts.asns.iter().map(|(ip, (_, asn))| (ip.as_str(), *asn)).collect();
        let net = Enrichment::from_ips(ips, &cfg.sources);
        let cities = Arc::new(facts.cities.into_iter().map(|(k, (_, c))| (k, c)).collect());
        let placed = facts.placed.into_iter().map(|(k, (_, p))| (k, p)).collect();
        Shared { net, cities, placed, rows: facts.rows, as_of, analysis_start, baseline_start }
    }

    fn prepare(&self, table: &SignInTable) -> Prepared {
        let mut geo = Geo::from_cities(self.cities.clone(), &self.net);
        // Records that lost their place get the one other records or the database give their address.
        let table = geo.fill_from(table, &self.placed).ok().flatten().unwrap_or_else(|| table.clone());
        let net = self.net.for_rows(Rows::new(&table.batch).ok().as_ref());
        Prepared { table, geo, net }
    }
}

/// Pass 2 of one bucket, or of several added up: the cross-user aggregates and the window's coverage.
#[derive(Debug, Default)]
pub struct Aggregates {
    pub profile: TenantProfile,
    pub tenant: Aggregate,
    pub coverage: Coverage,
}

impl Aggregates {
    fn collect(p: &Prepared, shared: &Shared, cfg: &AuditConfig) -> Aggregates {
        let (as_of, analysis_start) = (shared.as_of, shared.analysis_start);
        let includes = |e: Option<&str>| cfg.includes(e);
        let scope = Scope { start: analysis_start, end: as_of, includes: &includes };
        // What the organization shares is learned from every user, audited or not.
        let profile = TenantProfile::build(&p.table, |rows| {
            crate::baseline::plan(
                rows,
                &cfg.included(rows, as_of),
                &own_sign_ins(rows, as_of, |e| cfg.includes(e)),
                shared.baseline_start,
                analysis_start,
                cfg.baseline_days,
            )
            .context
        });
        Aggregates {
            profile,
            tenant: tenant::aggregate(&p.table, &scope, &p.net),
            coverage: coverage::count(&p.table, cfg, as_of, analysis_start),
        }
    }

    /// Pass 2 of one bucket (`audit --bucket` on a cluster, then [`Self::add`] on the driver).
    pub fn of_bucket(table: &SignInTable, shared: &Shared, cfg: &AuditConfig) -> Aggregates {
        Self::collect(&shared.prepare(table), shared, cfg)
    }

    pub fn add(&mut self, other: Aggregates) {
        let profile = std::mem::take(&mut self.profile);
        self.profile = TenantProfile::merge([profile, other.profile]);
        let tenant = std::mem::take(&mut self.tenant);
        self.tenant = Aggregate::merge(vec![tenant, other.tenant]);
        self.coverage.add(other.coverage);
    }
}

/// What every bucket's audit shares once pass 2 is merged.
pub struct Judged {
    profile: TenantProfile,
    verdicts: tenant::Verdicts,
}

impl Judged {
    pub fn new(agg: Aggregates) -> (Judged, Coverage) {
        let mut coverage = agg.coverage;
        coverage.finish();
        (Judged { verdicts: tenant::judge(&agg.tenant), profile: agg.profile }, coverage)
    }
}

/// Pass 3 of one bucket: its users, their findings, its rows' enrichment counts.
#[derive(Debug, Default)]
pub struct Part {
    pub users: Vec<UserResult>,
    pub findings: Vec<Finding>,
    pub counts: RowCounts,
}

impl Part {
    fn collect(p: &Prepared, shared: &Shared, judged: &Judged, cfg: &AuditConfig) -> Part {
        let (as_of, analysis_start) = (shared.as_of, shared.analysis_start);
        let env = Env { geo: &p.geo, net: &p.net, tenant: &judged.profile, verdicts: &judged.verdicts };
        let selected: Vec<_> = p.table.users.iter().filter(|u| cfg.users.as_ref().is_none_or(|s| s.contains(&u.principal))).collect();
        let per_user: Vec<(UserResult, Vec<Finding>)> =
            selected.par_iter().map(|u| audit_user(&p.table, u, cfg, &env, as_of, analysis_start, shared.baseline_start)).collect();
        let mut part = Part::default();
        for (u, f) in per_user {
            // Principals with nothing of the included event types (service principals by default) are
            // not part of this audit, unless they were asked for by name.
            if u.included == 0 && cfg.users.is_none() {
                continue;
            }
            part.users.push(u);
            part.findings.extend(f);
        }
        let analysed = |r: &Rows<'_>, i: usize| {
            r.time(i) > analysis_start
                && r.time(i) <= as_of
                && cfg.includes(r.event_type.get(i))
                && cfg.users.as_ref().is_none_or(|s| r.principal.get(i).is_some_and(|p| s.contains(p)))
        };
        part.counts = crate::enrich::report::count_rows(&p.table, &p.net, &p.geo, &part.findings, &analysed);
        part
    }

    /// Pass 3 of one bucket (`audit --bucket N` on a cluster).
    pub fn of_bucket(table: &SignInTable, shared: &Shared, judged: &Judged, cfg: &AuditConfig) -> Part {
        Self::collect(&shared.prepare(table), shared, judged, cfg)
    }

    pub fn add(&mut self, other: Part) {
        self.users.extend(other.users);
        self.findings.extend(other.findings);
        self.counts.add(other.counts);
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

    /// The result of every bucket's [`Part`], added up (the scope section is not built: it needs
    /// the whole table).
    pub fn finish(shared: Shared, coverage: Coverage, mut part: Part, cfg: &AuditConfig) -> Run {
        let known: std::collections::BTreeSet<String> = part.users.iter().map(|u| u.user.clone()).collect();
        add_missing_from(&mut part.users, cfg, &known);
        part.users.sort_by(|a, b| a.user.cmp(&b.user));
        sort_findings(&mut part.findings);
        let enrichment = crate::enrich::report::finish(&shared.net, part.counts);
        let (as_of, analysis_start) = (shared.as_of, shared.analysis_start);
        let result = AuditResult {
            window: window(cfg, as_of, analysis_start, shared.baseline_start),
            users: part.users,
            findings: part.findings,
            enrichment,
            scope: None,
            net: Arc::new(shared.net),
        };
        Run { result, coverage, rows: shared.rows, as_of, analysis_start }
    }
}

/// Run the audit bucket by bucket.
pub fn audit_buckets<B: Buckets>(src: &B, cfg: &AuditConfig) -> Result<Run, B::Error> {
    let n = src.count();
    let mut facts = Facts::default();
    for k in 0..n {
        let table = src.load_for_facts(k)?;
        facts.add(Facts::collect(&table));
    }
    let shared = Shared::new(facts, cfg);
    // A bucket is prepared in pass 2 and again in pass 3, one at a time, except the last of pass 2,
    // which is kept for pass 3 (the whole table of the in-memory audit is prepared once).
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
    let mut agg = Aggregates::default();
    for k in 0..n {
        let p = prepared(&mut kept, k)?;
        agg.add(Aggregates::collect(&p, &shared, cfg));
        if k + 1 == n {
            kept = Some(p);
        }
    }
    let (judged, coverage) = Judged::new(agg);
    let mut all = Part::default();
    let mut scope = None;
    let mut net_shown = None;
    // Pass 3 goes backwards, from the bucket pass 2 ended with (kept): parts add up in any order
    // (users and findings are sorted at the end, a user's findings all come from one bucket).
    for k in (0..n).rev() {
        let p = prepared(&mut kept, k)?;
        all.add(Part::collect(&p, &shared, &judged, cfg));
        if n == 1 {
            // The scope section scans the whole table: built when there is one bucket.
            let mut users = all.users.clone();
            add_missing(&mut users, cfg, &p.table);
            sort_findings(&mut all.findings);
            let (as_of, start) = (shared.as_of, shared.analysis_start);
            let input = scope::ScopeInput {
                table: &p.table,
                net: &p.net,
                users: &users,
                findings: &all.findings,
                in_window: &|r: &Rows<'_>, i: usize| r.time(i) > start && r.time(i) <= as_of,
                included: &|r: &Rows<'_>, i: usize| cfg.includes(r.event_type.get(i)),
            };
            scope = scope::build(&input, cfg.pivot_from.as_deref());
            net_shown = Some(p.net);
        }
    }
    let mut run = Run::finish(shared, coverage, all, cfg);
    run.result.scope = scope;
    if let Some(net) = net_shown {
        run.result.net = Arc::new(net);
    }
    Ok(run)
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

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::model::table::Segment;
    use crate::model::time::parse_time;
    use crate::model::{SignIn, TableBuilder};

    /// One user's table: a sign-in in Paris at `coords`, and one from 203.0.113.9 placed in
    /// `city` with `asn`.
    fn bucket(user: &'static str, coords: (f64, f64), city: &'static str, asn: Option<u32>) -> SignInTable {
        let mut b = TableBuilder::new("f.json", "graph", 0);
        for (n, t) in ["2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z"].into_iter().enumerate() {
            let with_ip = n == 1;
            b.push(&SignIn {
                request_id: Some(Cow::Owned(format!("id-{user}-{n}"))),
                user_principal_name: Some(Cow::Borrowed(user)),
                time: parse_time(t, 0),
                ip_address: with_ip.then_some(Cow::Borrowed("203.0.113.9")),
                city: Some(Cow::Borrowed(if with_ip { city } else { "Paris" })),
                country: Some(Cow::Borrowed("FR")),
                latitude: (!with_ip).then_some(coords.0),
                longitude: (!with_ip).then_some(coords.1),
                autonomous_system_number: asn.filter(|_| with_ip),
                ..Default::default()
            })
            .unwrap();
        }
        SignInTable::merge(vec![Segment::single(0, b.finish().unwrap())]).unwrap().0
    }

    /// Where buckets disagree, the merged facts are those of the first record in table order (the
    /// smallest principal), whatever order the buckets are added in: the in-memory table's answer.
    #[test]
    fn facts_take_the_first_record_in_table_order() {
        let early = || Facts::collect(&bucket("a@x.example", (1.0, 2.0), "Lyon", None));
        let late = || Facts::collect(&bucket("b@x.example", (3.0, 4.0), "Nice", Some(64500)));
        for order in [[0, 1], [1, 0]] {
            let mut f = Facts::default();
            for k in order {
                f.add(if k == 0 { early() } else { late() });
            }
            assert_eq!(f.rows, 4);
            // Coordinates and place: the earlier principal's. ASN: the first record that gives one.
            let paris: Vec<_> = f.cities.values().map(|v| v.1).collect();
            assert!(paris.contains(&(1.0, 2.0)) && !paris.contains(&(3.0, 4.0)), "{order:?}: {paris:?}");
            assert_eq!(f.placed["203.0.113.9"].1.2.as_deref(), Some("Lyon"), "{order:?}");
            assert_eq!(f.asns["203.0.113.9"].1, Some(64500), "{order:?}");
        }
        assert_eq!(early().asns["203.0.113.9"].1, None);
        assert_eq!(late().latest, early().latest);
    }

    /// `table` with every nullable column not in `wanted` emptied (as a dataset's bucket read for
    /// the facts is).
    fn only(table: &SignInTable, wanted: &[&str]) -> SignInTable {
        let b = &table.batch;
        let columns = b
            .schema()
            .fields()
            .iter()
            .zip(b.columns())
            .map(|(f, a)| {
                if f.is_nullable() && !wanted.contains(&f.name().as_str()) {
                    arrow_array::new_null_array(f.data_type(), b.num_rows())
                } else {
                    a.clone()
                }
            })
            .collect();
        SignInTable::from_sorted(arrow_array::RecordBatch::try_new(b.schema(), columns).unwrap()).unwrap()
    }

    /// The first pass reads only [`FACTS_READS`]: its facts are those of the whole rows.
    #[test]
    fn facts_read_only_their_columns() {
        let t = bucket("a@x.example", (1.0, 2.0), "Lyon", Some(64500));
        let (all, some) = (Facts::collect(&t), Facts::collect(&only(&t, FACTS_READS)));
        assert_eq!(
            (all.latest, all.rows, &all.asns, &all.cities, &all.placed),
            (some.latest, some.rows, &some.asns, &some.cities, &some.placed)
        );
        assert!(!all.asns.is_empty() && !all.cities.is_empty() && !all.placed.is_empty());
        // Fewer columns do change them (the test can fail).
        let less = Facts::collect(&only(&t, &FACTS_READS[..FACTS_READS.len() - 2]));
        assert_ne!(less.cities, all.cities);
        // The audit reads every column the facts read.
        assert!(FACTS_READS.iter().all(|c| crate::model::columns::AUDIT_READS.contains(c)));
    }
}
