//! `aggregate`, `audit --bucket N` and `merge`: an exported dataset's audit split by bucket, each
//! step a process that a cluster can run anywhere the dataset is readable (see `docs/scale.md`).
//!
//! 1. `aggregate DATASET [--bucket N]` → the facts line of each bucket;
//! 2. `aggregate --facts F DATASET [--bucket N]` → the cross-user aggregates line of each bucket;
//! 3. `audit --bucket N --facts F --aggregates A DATASET` → bucket N's part (users, findings, counts);
//! 4. `merge --facts F --aggregates A --part P... DATASET` → the report `audit DATASET` gives.
//!
//! Every bucket read is checked against the manifest ([`DatasetBuckets::read_bucket`]); `merge`
//! verifies the whole dataset again, as `audit` does, for the report's evidence list.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use crate::audit::AuditConfig;
use crate::audit::bucketed::{Aggregates, Facts, Judged, Part, Run, Shared};
use crate::audit::wire::{AggregatesWire, FactsWire, Line, PartWire, settings};
use crate::cli::{AggregateArgs, AuditArgs, EvidenceArgs, MergeArgs};
use crate::error::{Error, EvidenceError};
use crate::ingest::dataset::buckets::DatasetBuckets;

/// The one exported dataset directory these commands take.
fn dataset(e: &EvidenceArgs) -> Result<DatasetBuckets, Error> {
    let not_one = || Error::Usage("the bucket-wise commands take one exported dataset directory (signin-audit export --out DIR)".into());
    let [dir] = e.evidence.as_slice() else { return Err(not_one()) };
    DatasetBuckets::open(dir)?.ok_or_else(not_one)
}

/// The buckets to handle: `(bucket number, index of its file in the manifest)`.
fn chosen(ds: &DatasetBuckets, bucket: Option<usize>) -> Result<Vec<(usize, usize)>, Error> {
    let all: Vec<(usize, usize)> = ds.bucket_numbers().into_iter().enumerate().map(|(i, b)| (b, i)).collect();
    match bucket {
        None => Ok(all),
        Some(n) => match all.iter().find(|(b, _)| *b == n) {
            Some(&one) => Ok(vec![one]),
            None => Err(Error::Usage(format!("--bucket {n}: the dataset has no such bucket (its buckets: {:?})", ds.bucket_numbers()))),
        },
    }
}

fn write_line(out: &mut dyn Write, line: &Line) -> Result<(), Error> {
    serde_json::to_writer(&mut *out, line).map_err(|e| Error::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}

pub fn aggregate(a: &AggregateArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let cfg = super::audit::config(&a.scope, &a.enrich)?;
    let ds = dataset(&a.evidence)?;
    let buckets = chosen(&ds, a.buckets.bucket)?;
    let lines = super::with_threads(a.scope.concurrency, || -> Result<Vec<Line>, Error> {
        let mut lines = Vec::new();
        if a.buckets.facts.is_empty() {
            for (bucket, i) in buckets {
                let facts = FactsWire::from_facts(&Facts::collect(&ds.read_bucket(i)?));
                lines.push(Line::Facts { bucket, facts });
            }
            return Ok(lines);
        }
        let shared = Shared::new(read_facts(&a.buckets.facts, &ds)?, &cfg);
        for (bucket, i) in buckets {
            let aggregates = AggregatesWire::from_aggregates(Aggregates::of_bucket(&ds.read_bucket(i)?, &shared, &cfg));
            lines.push(Line::Aggregates { bucket, settings: settings(&cfg), aggregates });
        }
        Ok(lines)
    })??;
    for line in &lines {
        write_line(out, line)?;
    }
    Ok(0)
}

/// `audit --bucket N`: the part of bucket N, for `merge`.
pub fn audit_bucket(a: &AuditArgs, cfg: &AuditConfig, out: &mut dyn Write) -> Result<u8, Error> {
    let ds = dataset(&a.evidence)?;
    let buckets = chosen(&ds, a.buckets.bucket)?;
    let (shared, judged, _) = shared_and_judged(&a.buckets.facts, &a.buckets.aggregates, &ds, cfg)?;
    let lines = super::with_threads(a.scope.concurrency, || -> Result<Vec<Line>, Error> {
        let mut lines = Vec::new();
        for (bucket, i) in buckets {
            let part = PartWire::from_part(Part::of_bucket(&ds.read_bucket(i)?, &shared, &judged, cfg));
            lines.push(Line::Part { bucket, settings: settings(cfg), part });
        }
        Ok(lines)
    })??;
    for line in &lines {
        write_line(out, line)?;
    }
    Ok(0)
}

/// `merge`: the report of the whole dataset from every bucket's part.
pub fn merge(m: &MergeArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let a = &m.audit;
    if a.buckets.bucket.is_some() {
        return Err(Error::Usage("merge combines every bucket: --bucket does not apply".into()));
    }
    if a.output == crate::cli::AuditFormat::Html && !a.json {
        return Err(Error::Usage("merge writes json, jsonl, csv or table (-o html draws every sign-in: audit the dataset)".into()));
    }
    let cfg = super::audit::config(&a.scope, &a.enrich)?;
    if cfg.sources.ioc.is_some() || cfg.pivot_from.is_some() {
        return Err(Error::Usage("--ioc and --pivot-from scan the whole table: audit the dataset on one machine".into()));
    }
    let ds = dataset(&a.evidence)?;
    let (shared, _, coverage) = shared_and_judged(&a.buckets.facts, &a.buckets.aggregates, &ds, &cfg)?;
    let mut all = Part::default();
    let own = settings(&cfg);
    for (_, part) in per_bucket(
        &m.parts,
        &ds,
        "part",
        |line| match line {
            Line::Part { bucket, settings, part } => Some((bucket, Some(settings), part)),
            _ => None,
        },
        &own,
    )? {
        all.add(part.into_part().map_err(|e| Error::Usage(format!("a part: {e}")))?);
    }
    let status = super::status(&a.evidence, a.quiet);
    let ingested = super::load_with(&a.evidence, &status, |o| o.count_only = true)?;
    drop(status);
    let run = Run::finish(shared, coverage, all, &cfg);
    if let Some(e) = run.nothing_analysed(&cfg) {
        return Err(Error::Usage(e));
    }
    super::audit::report(a, &ingested, &run.result, &run.coverage, out)
}

fn read_facts(files: &[PathBuf], ds: &DatasetBuckets) -> Result<Facts, Error> {
    if files.is_empty() {
        return Err(Error::Usage("--facts FILE is needed: the facts of every bucket (signin-audit aggregate DATASET)".into()));
    }
    let mut facts = Facts::default();
    for (_, f) in per_bucket(
        files,
        ds,
        "facts",
        |line| match line {
            Line::Facts { bucket, facts } => Some((bucket, None, facts)),
            _ => None,
        },
        "",
    )? {
        facts.add(f.into_facts());
    }
    Ok(facts)
}

fn shared_and_judged(
    facts: &[PathBuf],
    aggregates: &[PathBuf],
    ds: &DatasetBuckets,
    cfg: &AuditConfig,
) -> Result<(Shared, Judged, crate::audit::coverage::Coverage), Error> {
    let shared = Shared::new(read_facts(facts, ds)?, cfg);
    if aggregates.is_empty() {
        return Err(Error::Usage(
            "--aggregates FILE is needed: the aggregates of every bucket (signin-audit aggregate --facts F DATASET)".into(),
        ));
    }
    let mut agg = Aggregates::default();
    let own = settings(cfg);
    for (_, a) in per_bucket(
        aggregates,
        ds,
        "aggregates",
        |line| match line {
            Line::Aggregates { bucket, settings, aggregates } => Some((bucket, Some(settings), aggregates)),
            _ => None,
        },
        &own,
    )? {
        agg.add(a.into_aggregates());
    }
    let (judged, coverage) = Judged::new(agg);
    Ok((shared, judged, coverage))
}

/// The lines of one kind in `files`, one per bucket of `ds` (identical copies of a line are one),
/// each written with the settings `own` (when the pass depends on them).
fn per_bucket<T>(
    files: &[PathBuf],
    ds: &DatasetBuckets,
    kind: &str,
    pick: impl Fn(Line) -> Option<(usize, Option<String>, T)>,
    own: &str,
) -> Result<BTreeMap<usize, T>, Error> {
    let mut seen: BTreeMap<usize, (String, T)> = BTreeMap::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| EvidenceError::Read { path: path.clone(), source: e })?;
        for (n, raw) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let bad = |why: String| Error::Usage(format!("{} line {}: {why}", path.display(), n + 1));
            let line: Line =
                serde_json::from_str(raw).map_err(|e| bad(format!("not a line of signin-audit aggregate/audit --bucket: {e}")))?;
            let Some((bucket, written_with, value)) = pick(line) else { return Err(bad(format!("not a {kind} line"))) };
            if written_with.is_some_and(|s| s != own) {
                return Err(bad("written with other audit settings (--days, --as-of, --include-..., --user, databases): run every step with the same flags".into()));
            }
            match seen.get(&bucket) {
                Some((earlier, _)) if earlier == raw => {}
                Some(_) => return Err(bad(format!("bucket {bucket} twice, with different content"))),
                None => {
                    seen.insert(bucket, (raw.to_string(), value));
                }
            }
        }
    }
    let expected = ds.bucket_numbers();
    let missing: Vec<usize> = expected.iter().copied().filter(|b| !seen.contains_key(b)).collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!("{kind} of bucket(s) {missing:?} missing: every bucket of the dataset is needed")));
    }
    if let Some(extra) = seen.keys().find(|b| !expected.contains(b)) {
        return Err(Error::Usage(format!("{kind} of bucket {extra}, which the dataset does not have (another dataset?)")));
    }
    Ok(seen.into_iter().map(|(b, (_, v))| (b, v)).collect())
}
