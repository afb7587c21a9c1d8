//! Evidence in, normalized table out.
//!
//! `ingest` finds every file under the evidence paths, opens and hashes them ([`crate::evidence`]),
//! detects each input's format from its content ([`sniff`]), parses inputs in parallel with rayon
//! (one format module each: [`json`], [`csv`], [`dataset`]), resolves locale dates per file, and
//! merges everything into one deduplicated [`SignInTable`]. The result is the same at any thread
//! count: inputs are processed in path order and every merge step sorts by a stable key.

pub mod csv;
pub mod dataset;
mod input;
pub mod json;
pub mod sink;
pub mod sniff;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampMicrosecondType};
use rayon::prelude::*;

use crate::error::{Error, Rejected};
use crate::evidence::{self, EvidenceFile, Input};
use crate::model::schema::col;
use crate::model::table::{MergeStats, Segment};
use crate::model::time::DateOrder;
use crate::model::{BuiltBatch, EventType, SignInTable};
pub use sniff::Format;

/// Options that change how evidence is read.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Skip detection and read every input as this format.
    pub format: Option<Format>,
    /// Offset (seconds east of UTC) assumed for timestamps written without a zone.
    pub assumed_offset_secs: i32,
    /// Day/month order for ambiguous slash dates, instead of detecting it per file.
    pub date_order: Option<DateOrder>,
    /// Bytes done so far, for a progress bar (nothing reads it here).
    pub progress: Option<Arc<Progress>>,
}

/// How far an ingest is, in bytes of evidence files: all of them are hashed, then parsed.
/// Bumped as each file is hashed and as each input is parsed (an archive's members share its size).
#[derive(Debug, Default)]
pub struct Progress {
    /// Size of every evidence file, known once discovery is done.
    pub total: AtomicU64,
    pub hashed: AtomicU64,
    pub parsed: AtomicU64,
}

fn bump(counter: Option<&AtomicU64>, bytes: u64) {
    if let Some(c) = counter {
        c.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// What one input (a file, or a member of an archive) held.
#[derive(Debug, Clone, Default)]
pub struct InputReport {
    pub path: String,
    /// Detected format, or `None` for an unrecognized file.
    pub format: Option<String>,
    /// SHA-256 of the evidence file (for archive members: of the member's bytes).
    pub sha256: String,
    pub bytes: u64,
    /// For archive members and compressed files: the evidence file they came from and its hash.
    pub container: Option<(String, String)>,
    /// Records read from this input: every record, whatever became of it. Always
    /// `sign_ins + rejected + duplicates + not_sign_in`.
    pub records_in: u64,
    /// Records normalized from this input (duplicates included).
    pub records: u64,
    /// Normalized records of this input kept in the table (`records - duplicates`).
    pub sign_ins: u64,
    pub rejected: u64,
    /// Records of this input dropped because another copy of the same sign-in was kept.
    pub duplicates: u64,
    /// Records of other logs (audit logs, Graph activity, risk events...), by category: counted,
    /// never normalized, never rejected.
    pub not_sign_in: BTreeMap<String, u64>,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub by_event_type: BTreeMap<String, u64>,
    /// Graph pages in this input, and how many still pointed to a next page.
    pub pages: u64,
    pub pages_with_next: u64,
    /// Rows whose timestamp had no zone, and rows with fields the export destroyed.
    pub zoneless: u64,
    pub lost: u64,
    pub warnings: Vec<String>,
    /// The first rejections, with position and reason.
    pub rejects: Vec<Rejected>,
}

/// Everything `ingest` produced.
pub struct Ingested {
    pub inputs: Vec<InputReport>,
    pub table: SignInTable,
    /// Findings about the evidence as a whole (incomplete Graph export, missing log types...).
    pub warnings: Vec<String>,
}

impl Ingested {
    pub fn rejected(&self) -> u64 {
        self.inputs.iter().map(|i| i.rejected).sum()
    }

    pub fn first_reject(&self) -> Option<&Rejected> {
        self.inputs.iter().flat_map(|i| i.rejects.first()).next()
    }
}

/// Read all evidence under `paths`.
pub fn ingest(paths: &[PathBuf], opts: &IngestOptions) -> Result<Ingested, Error> {
    let files = evidence::discover(paths)?;
    let progress = opts.progress.as_deref();
    if let Some(p) = progress {
        let total = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
        p.total.store(total, Ordering::Relaxed);
    }
    let opened: Result<Vec<EvidenceFile>, _> = files
        .par_iter()
        .map(|p| {
            let f = evidence::open(p);
            bump(progress.map(|p| &p.hashed), f.as_ref().map_or(0, |f| f.bytes));
            f
        })
        .collect();
    let opened = opened?;
    ingest_opened(opened, opts)
}

/// One parsed input, before merging: its report and one batch per segment.
struct Parsed {
    report: InputReport,
    batches: Vec<BuiltBatch>,
}

fn ingest_opened(files: Vec<EvidenceFile>, opts: &IngestOptions) -> Result<Ingested, Error> {
    let mut global = Vec::new();
    let mut jobs: Vec<(&EvidenceFile, &Input, u64)> = Vec::new();
    for f in &files {
        global.extend(f.warnings.iter().cloned());
        let n = f.inputs.len() as u64;
        if n == 0 {
            bump(opts.progress.as_deref().map(|p| &p.parsed), f.bytes);
        }
        for (k, i) in f.inputs.iter().enumerate() {
            // This input's share of its file's size, for the progress count.
            let k = k as u64;
            jobs.push((f, i, f.bytes * (k + 1) / n - f.bytes * k / n));
        }
        if f.inputs.is_empty() && f.warnings.is_empty() {
            global.push(format!("{}: archive holds no files", f.display));
        }
    }
    let parsed: Result<Vec<Parsed>, Error> = jobs
        .par_iter()
        .map(|(f, i, share)| {
            let p = input::parse_input(f, i, opts);
            bump(opts.progress.as_deref().map(|p| &p.parsed), *share);
            p
        })
        .collect();
    let mut parsed = parsed?;

    let mut segments = Vec::new();
    for (idx, p) in parsed.iter_mut().enumerate() {
        for b in p.batches.drain(..) {
            segments.push(Segment { file: idx, built: b });
        }
    }
    // Parsing freed many temporaries between the segments it keeps: hand them back before the
    // merge allocates the table (see `crate::sys`).
    crate::sys::release_free_memory();
    let (table, stats) = SignInTable::merge(segments)?;
    let mut inputs: Vec<InputReport> = parsed.into_iter().map(|p| p.report).collect();
    apply_stats(&mut inputs, &stats);
    global.extend(evidence_warnings(&inputs, &table));
    Ok(Ingested { inputs, table, warnings: global })
}

fn apply_stats(inputs: &mut [InputReport], stats: &MergeStats) {
    for (i, r) in inputs.iter_mut().enumerate() {
        r.duplicates = stats.duplicates.get(&i).copied().unwrap_or(0);
        r.sign_ins = r.records.saturating_sub(r.duplicates);
    }
    for (i, w) in &stats.collisions {
        if let Some(r) = inputs.get_mut(*i) {
            r.warnings.push(w.clone());
        }
    }
}

/// Add one batch's rows, time span, event types and zone-less timestamps to its input's report.
fn summarize(built: &BuiltBatch, report: &mut InputReport) -> Result<(), Error> {
    let b = &built.batch;
    report.records += b.num_rows() as u64;
    let ts = crate::model::table::column(b, col::TIMESTAMP)?.as_primitive::<TimestampMicrosecondType>();
    if let Some(min) = ts.values().iter().copied().min() {
        report.first = Some(report.first.map_or(min, |f| f.min(min)));
    }
    if let Some(max) = ts.values().iter().copied().max() {
        report.last = Some(report.last.map_or(max, |l| l.max(max)));
    }
    let et = crate::model::table::column(b, col::EVENT_TYPE)?.as_dictionary::<Int32Type>();
    let names = et.values().as_string::<i32>();
    let mut counts = vec![0u64; names.len()];
    for k in et.keys().values() {
        counts[*k as usize] += 1;
    }
    for (i, c) in counts.into_iter().enumerate() {
        if c > 0 {
            *report.by_event_type.entry(names.value(i).to_string()).or_default() += c;
        }
    }
    let assumed = crate::model::table::column(b, col::TIME_ZONE_ASSUMED)?.as_boolean();
    report.zoneless += assumed.true_count() as u64;
    let lost = crate::model::table::column(b, col::LOST_FIELDS)?;
    report.lost += (lost.len() - lost.null_count()) as u64;
    Ok(())
}

/// Warnings derived from the summed counts of an input.
fn count_warnings(report: &mut InputReport) {
    if report.zoneless > 0 {
        report
            .warnings
            .push(format!("{} timestamp(s) carry no time zone: read as UTC unless --input-timezone says otherwise", report.zoneless));
    }
    if report.lost > 0 {
        report.warnings.push(format!(
            "{} record(s) have fields the export destroyed (PowerShell type names or numbers out of range instead of values); those fields are missing",
            report.lost
        ));
    }
}

/// Warnings about the evidence as a whole.
fn evidence_warnings(inputs: &[InputReport], table: &SignInTable) -> Vec<String> {
    let mut w = Vec::new();
    // A saved set of pages is the pages of one folder (or one archive folder). A complete set has
    // exactly one page without @odata.nextLink: the last one.
    let mut sets: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for i in inputs.iter().filter(|i| i.pages > 0) {
        let dir = i.path.rfind(['/', '\\']).map_or("", |k| &i.path[..k]);
        let e = sets.entry(dir).or_default();
        e.0 += i.pages;
        e.1 += i.pages_with_next;
    }
    for (dir, (pages, with_next)) in sets {
        if with_next == pages {
            let place = if dir.is_empty() { "." } else { dir };
            w.push(format!(
                "Graph export incomplete in {place}: all {pages} saved page(s) carry @odata.nextLink, so the last page was never saved"
            ));
        }
    }
    if table.is_empty() {
        w.push("no sign-in records found in the evidence".into());
        return w;
    }
    let mut types: BTreeMap<&str, u64> = BTreeMap::new();
    for i in inputs {
        for (k, v) in &i.by_event_type {
            *types.entry(k.as_str()).or_default() += v;
        }
    }
    if !types.contains_key(EventType::NonInteractive.as_str()) {
        w.push(
            "the evidence holds no non-interactive sign-ins: token replay shows mostly there; Graph returns them only with a signInEventTypes filter (beta)".into(),
        );
    }
    w
}
