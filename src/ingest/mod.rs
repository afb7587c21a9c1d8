//! Evidence in, normalized table out.
//!
//! `ingest` finds every file under the evidence paths, opens and hashes them and lists what they
//! hold ([`crate::evidence`]; a large plain file is hashed on one thread while the others parse), checks datasets against their manifests ([`dataset`]), then parses the
//! inputs in parallel with rayon: consecutive small inputs in groups that share one builder
//! ([`batch`]), each input's format detected from its content ([`sniff`]) and parsed by its format
//! module ([`json`], [`csv`], [`dataset`]). Everything is merged into one deduplicated
//! [`SignInTable`]. The result is the same at any thread count: inputs are processed in path order,
//! groups are cut from the evidence alone, and every merge step sorts by a stable key.
//!
//! Damage is per item: what cannot be read (a special file in a folder, an encrypted zip member, a
//! parser that panicked) is a [`Damage`] on that item and a warning, and the run goes on.

mod batch;
pub(crate) mod contain;
pub mod csv;
pub mod dataset;
pub mod fields;
mod input;
pub mod json;
pub mod sink;
pub mod sniff;
pub mod spill;
pub mod ual;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use rayon::prelude::*;

use crate::error::{Damage, Error, Rejected};
use crate::evidence::{self, EvidenceFile, Limits};
use crate::model::schema::col;
use crate::model::table::MergeStats;
use crate::model::time::DateOrder;
use crate::model::{EventType, SignInTable};
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
    /// What reading one item may cost (`--max-inflate`).
    pub limits: Limits,
    /// Bytes done so far, for a progress bar (nothing reads it here).
    pub progress: Option<Arc<Progress>>,
    /// Read, check and count every record but keep none: the table is left empty (the bucketed
    /// audit of one dataset reads its buckets again one at a time). Duplicates are not looked for,
    /// so this is only for evidence that holds none (one exported dataset).
    pub count_only: bool,
    /// Write every parsed row into the user buckets of a work directory instead of keeping it (the
    /// table is left empty; see [`spill`]). Implies `count_only`'s counting.
    pub spill: Option<Arc<spill::Spill>>,
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
    /// What of this input could not be read (also in `warnings`, prefixed "damaged: ").
    pub damage: Vec<String>,
}

impl InputReport {
    /// Record damage on this input: in its warnings and in the run's list of damaged items.
    pub fn note_damage(&mut self, reasons: Vec<String>) {
        self.warnings.extend(reasons.iter().map(|r| format!("damaged: {r}")));
        self.damage.extend(reasons);
    }
}

/// Everything `ingest` produced.
pub struct Ingested {
    pub inputs: Vec<InputReport>,
    pub table: SignInTable,
    /// Findings about the evidence as a whole (incomplete Graph export, missing log types, damaged
    /// items...).
    pub warnings: Vec<String>,
    /// Every item that could not be read completely, sorted by item.
    pub damage: Vec<Damage>,
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
    let found = evidence::discover(paths)?;
    let mut damage = found.damage;
    let mut warnings = found.warnings;
    let progress = opts.progress.as_deref();
    let sizes: Vec<u64> = found.files.iter().map(|f| std::fs::metadata(f).map_or(0, |m| m.len())).collect();
    if let Some(p) = progress {
        p.total.store(sizes.iter().sum(), Ordering::Relaxed);
    }
    let opened: Vec<Result<EvidenceFile, Damage>> = found
        .files
        .par_iter()
        .zip(&sizes)
        .map(|(p, size)| {
            let f = contain::contain(|| evidence::open(p, &opts.limits)).unwrap_or_else(|panic| {
                Err(Damage { item: p.display().to_string(), reason: format!("listing its contents panicked ({panic}): not read") })
            });
            // A file that cannot be read is done: hashed and parsed, as far as the progress goes.
            let done = f.as_ref().map_or(*size, |f| f.bytes);
            if !f.as_ref().is_ok_and(EvidenceFile::hash_pending) {
                bump(progress.map(|p| &p.hashed), done);
            }
            if f.is_err() {
                bump(progress.map(|p| &p.parsed), done);
            }
            f
        })
        .collect();
    let mut files = Vec::with_capacity(opened.len());
    for o in opened {
        match o {
            Ok(f) => files.push(f),
            Err(d) => damage.push(d),
        }
    }
    for f in &files {
        damage.extend(f.damage.iter().map(|reason| Damage { item: f.display.clone(), reason: reason.clone() }));
        if f.entries.is_empty() {
            bump(progress.map(|p| &p.parsed), f.bytes);
            if f.damage.is_empty() {
                warnings.push(format!("{}: archive holds no files", f.display));
            }
        }
    }
    let datasets = dataset::verify::Datasets::check(&files)?;
    warnings.extend(datasets.warnings.iter().cloned());

    let (units, groups) = batch::plan(&files);
    let ual_rows = AtomicU64::new(0);
    // Large plain files are hashed on one thread while the others parse (see `evidence::open`).
    let (hashes, outs) = rayon::join(
        || hash_pending(&files, progress),
        || -> Result<Vec<batch::GroupOut>, Error> {
            groups.par_iter().enumerate().map(|(k, g)| run_group(&files, &units[g.clone()], k, opts, &ual_rows)).collect()
        },
    );
    let outs = outs?;
    if let Some(spill) = &opts.spill {
        spill.finish_writing(&outs.iter().map(|o| o.reports.len()).collect::<Vec<_>>())?;
    }
    let mut inputs = Vec::new();
    let mut segments = Vec::new();
    for mut out in outs {
        let base = inputs.len();
        for s in &mut out.segments {
            s.files.iter_mut().for_each(|f| f.1 += base);
        }
        inputs.extend(out.reports);
        segments.extend(out.segments);
        damage.extend(out.damage);
    }
    drop(files);
    apply_hashes(hashes, &mut inputs, &mut damage);
    datasets.check_rows(&inputs)?;

    // Parsing freed many temporaries between the segments it keeps: hand them back before the
    // merge allocates the table (see `crate::sys`).
    crate::sys::release_free_memory();
    let (table, stats) = SignInTable::merge(segments)?;
    apply_stats(&mut inputs, &stats);
    damage.sort_by(|a, b| a.item.cmp(&b.item));
    warnings.extend(damage.iter().map(|d| format!("damaged: {d}")));
    let counted = if opts.count_only {
        (inputs.iter().map(|i| i.records).sum::<u64>() as usize, ual_rows.into_inner() as usize)
    } else {
        (table.len(), ual::from_ual(&table.batch))
    };
    // Spilled rows are deduplicated bucket by bucket later: the caller adds these warnings then.
    if opts.spill.is_none() {
        warnings.extend(evidence_warnings(&inputs, counted));
    }
    Ok(Ingested { inputs, table, warnings, damage })
}

/// Parse one group of inputs; with a spill, its segments go to the work directory's buckets; when
/// only counting, its rows are counted (UAL sign-ins among them) and dropped.
fn run_group(
    files: &[EvidenceFile],
    units: &[batch::Unit],
    k: usize,
    opts: &IngestOptions,
    ual_rows: &AtomicU64,
) -> Result<batch::GroupOut, Error> {
    let mut out = batch::run(files, units, opts)?;
    if let Some(spill) = &opts.spill {
        for (j, s) in out.segments.iter().enumerate() {
            spill.write(k, j, s)?;
        }
        out.segments.clear();
    }
    if opts.count_only {
        let n: usize = out.segments.iter().map(|s| ual::from_ual(&s.built.batch)).sum();
        ual_rows.fetch_add(n as u64, Ordering::Relaxed);
        out.segments.clear();
    }
    Ok(out)
}

/// The SHA-256 of every file whose hash was left for later, by display name, or why it has none.
fn hash_pending(files: &[EvidenceFile], progress: Option<&Progress>) -> Vec<(String, Result<String, String>)> {
    let pending: Vec<&EvidenceFile> = files.iter().filter(|f| f.hash_pending()).collect();
    pending
        .into_iter()
        .map(|f| {
            let h = f.hash();
            bump(progress.map(|p| &p.hashed), f.bytes);
            (f.display.clone(), h)
        })
        .collect()
}

/// Put the late hashes into the reports of their inputs (a plain file is one input of the same
/// name); a file that could not be hashed is damage.
fn apply_hashes(hashes: Vec<(String, Result<String, String>)>, inputs: &mut [InputReport], damage: &mut Vec<Damage>) {
    for (display, h) in hashes {
        match h {
            Ok(sha256) => {
                for r in inputs.iter_mut().filter(|r| r.path == display && r.container.is_none() && r.sha256.is_empty()) {
                    r.sha256.clone_from(&sha256);
                }
            }
            Err(reason) => damage.push(Damage { item: display, reason }),
        }
    }
}

/// Add what merging found (duplicates, request-id collisions) to the inputs' reports.
pub fn apply_stats(inputs: &mut [InputReport], stats: &MergeStats) {
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

/// The nullable columns [`summarize`] and the UAL count (`ual::from_ual`) read, beside the required
/// ones: a dataset whose rows are only counted decodes just these (`input::dataset_file`).
pub(crate) const SUMMARY_READS: &[&str] = &[col::LOST_FIELDS];

/// Add one batch's rows, time span, event types and zone-less timestamps to its input's report.
fn summarize(b: &RecordBatch, report: &mut InputReport) -> Result<(), Error> {
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

/// Warnings about the evidence as a whole, whose table holds `rows` rows, `ual_rows` of them
/// normalized from UAL records.
pub fn evidence_warnings(inputs: &[InputReport], (rows, ual_rows): (usize, usize)) -> Vec<String> {
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
    if rows == 0 {
        w.push("no sign-in records found in the evidence".into());
        return w;
    }
    w.extend(ual::evidence_note_for(ual_rows));
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
