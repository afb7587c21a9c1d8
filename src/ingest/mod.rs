//! Evidence in, normalized table out.
//!
//! `ingest` finds every file under the evidence paths, opens and hashes them ([`crate::evidence`]),
//! detects each input's format from its content ([`sniff`]), parses inputs in parallel with rayon
//! (one format module each: [`json`], [`csv`], [`dataset`]), resolves locale dates per file, and
//! merges everything into one deduplicated [`SignInTable`]. The result is the same at any thread
//! count: inputs are processed in path order and every merge step sorts by a stable key.

pub mod csv;
pub mod dataset;
pub mod json;
pub mod sink;
pub mod sniff;

use std::collections::BTreeMap;
use std::path::PathBuf;

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
use sink::Sink;
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
    /// Records normalized from this input (duplicates included).
    pub records: u64,
    pub rejected: u64,
    /// Records of this input dropped because another copy was kept.
    pub duplicates: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub by_event_type: BTreeMap<String, u64>,
    /// Graph pages in this input, and how many still pointed to a next page.
    pub pages: u64,
    pub pages_with_next: u64,
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
    let opened: Result<Vec<EvidenceFile>, _> = files.par_iter().map(|p| evidence::open(p)).collect();
    let opened = opened?;
    ingest_opened(opened, opts)
}

/// One parsed input, before merging.
struct Parsed {
    report: InputReport,
    batch: Option<BuiltBatch>,
}

fn ingest_opened(files: Vec<EvidenceFile>, opts: &IngestOptions) -> Result<Ingested, Error> {
    let mut global = Vec::new();
    let mut jobs: Vec<(&EvidenceFile, &Input)> = Vec::new();
    for f in &files {
        global.extend(f.warnings.iter().cloned());
        for i in &f.inputs {
            jobs.push((f, i));
        }
        if f.inputs.is_empty() && f.warnings.is_empty() {
            global.push(format!("{}: archive holds no files", f.display));
        }
    }
    let parsed: Result<Vec<Parsed>, Error> = jobs.par_iter().map(|(f, i)| parse_input(f, i, opts)).collect();
    let mut parsed = parsed?;

    let mut segments = Vec::new();
    for (idx, p) in parsed.iter_mut().enumerate() {
        if let Some(b) = p.batch.take() {
            segments.push(Segment { file: idx, built: b });
        }
    }
    let (table, stats) = SignInTable::merge(segments)?;
    let mut inputs: Vec<InputReport> = parsed.into_iter().map(|p| p.report).collect();
    apply_stats(&mut inputs, &stats);
    global.extend(evidence_warnings(&inputs, &table));
    Ok(Ingested { inputs, table, warnings: global })
}

fn apply_stats(inputs: &mut [InputReport], stats: &MergeStats) {
    for (i, r) in inputs.iter_mut().enumerate() {
        r.duplicates = stats.duplicates.get(&i).copied().unwrap_or(0);
    }
}

fn parse_input(file: &EvidenceFile, input: &Input, opts: &IngestOptions) -> Result<Parsed, Error> {
    let mut report = InputReport {
        path: input.display.clone(),
        sha256: input.inner_sha256.clone().unwrap_or_else(|| file.sha256.clone()),
        bytes: if input.inner_sha256.is_some() { input.len() } else { file.bytes },
        container: input.inner_sha256.as_ref().map(|_| (file.display.clone(), file.sha256.clone())),
        warnings: input.notes.iter().map(|n| format!("note: {n}")).collect(),
        ..Default::default()
    };
    if input.is_empty() {
        report.warnings.push("empty file".into());
        return Ok(Parsed { report, batch: None });
    }
    let head = input.head(sniff::HEAD_BYTES)?;
    let format = match opts.format {
        Some(f) => f,
        None => match sniff::sniff(&head, input.file_name()) {
            Some(f) => f,
            None => {
                report.warnings.push(format!("unrecognized file, skipped: {}", sniff::describe_unknown(&head)));
                return Ok(Parsed { report, batch: None });
            }
        },
    };
    if format == Format::DatasetManifest {
        report.format = Some(format.label().to_string());
        report.warnings.push("note: manifest of a signin-audit dataset (its parquet files are read)".into());
        return Ok(Parsed { report, batch: None });
    }
    let mut sink = Sink::new(&input.display, format.label(), opts.assumed_offset_secs);
    let bytes = input.read_range(0, input.len() as usize)?;
    let dataset_batch = match format {
        Format::Json => {
            let mut scratch = json::JsonScratch::default();
            json::parse(&bytes, &mut sink, &mut scratch, opts.assumed_offset_secs);
            None
        }
        Format::Csv(kind) => {
            csv::parse(&bytes, input.file_name(), kind, &mut sink, opts.assumed_offset_secs);
            None
        }
        Format::Dataset => match dataset::read(&bytes, &input.display) {
            Ok(b) => Some(b),
            Err(e) => {
                report.warnings.push(format!("cannot read parquet dataset file: {e}"));
                return Ok(Parsed { report, batch: None });
            }
        },
        Format::DatasetManifest => None,
    };
    drop(bytes);

    let built = match dataset_batch {
        Some(b) => {
            sink.set_format("signin-audit-dataset");
            b
        }
        None => {
            resolve_dates(&mut sink, opts);
            if sink.builder.is_empty() && sink.pages == 0 && sink.format.is_some_and(|f| f == "graph-records" || f == "powershell-json") {
                // Objects, but none of them sign-ins: an unrelated JSON file, not a broken export.
                report.warnings.push(format!("unrecognized JSON, skipped: no sign-in records among {} object(s)", sink.rejected));
                return Ok(Parsed { report, batch: None });
            }
            let builder = std::mem::replace(&mut sink.builder, crate::model::TableBuilder::new("", "", 0));
            builder.finish()?
        }
    };
    report.format = sink.format.map(str::to_string).or(Some(format.label().to_string()));
    report.rejected = sink.rejected;
    report.pages = sink.pages;
    report.pages_with_next = sink.pages_with_next;
    report.rejects = std::mem::take(&mut sink.reject_details);
    report.warnings.append(&mut sink.warnings);
    if sink.last_page_has_next {
        report.warnings.push("export incomplete: the last page in this file still has @odata.nextLink".into());
    }
    summarize(&built, &mut report)?;
    Ok(Parsed { report, batch: Some(built) })
}

/// Decide the day/month order for this input's ambiguous slash dates and say what was decided.
fn resolve_dates(sink: &mut Sink, opts: &IngestOptions) {
    let votes = sink.builder.date_votes();
    if votes.is_empty() {
        return;
    }
    let pending = sink.builder.pending_dates();
    let order = match (opts.date_order, votes.decided()) {
        (Some(o), _) => o,
        (None, Some(o)) => {
            if pending > 0 {
                sink.warn(format!(
                    "note: day/month order detected from the data ({}); applied to {pending} ambiguous date(s)",
                    order_name(o)
                ));
            }
            o
        }
        (None, None) => {
            let o = votes.fallback();
            if votes.conflicting() {
                sink.warn("dates mix day-first and month-first values: the file combines exports from different locales");
            }
            if pending > 0 {
                sink.warn(format!(
                    "day/month order cannot be told from the data: {pending} date(s) read as {} (set --date-order to override)",
                    order_name(o)
                ));
            }
            o
        }
    };
    sink.builder.resolve_dates(order);
}

fn order_name(o: DateOrder) -> &'static str {
    match o {
        DateOrder::MonthFirst => "month first, M/D/YYYY",
        DateOrder::DayFirst => "day first, D/M/YYYY",
    }
}

/// Count rows, time span, event types and zone-less timestamps of one input.
fn summarize(built: &BuiltBatch, report: &mut InputReport) -> Result<(), Error> {
    let b = &built.batch;
    report.records = b.num_rows() as u64;
    let ts = crate::model::table::column(b, col::TIMESTAMP)?.as_primitive::<TimestampMicrosecondType>();
    report.first = ts.values().iter().copied().min();
    report.last = ts.values().iter().copied().max();
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
    let zoneless = assumed.true_count();
    if zoneless > 0 {
        report.warnings.push(format!("{zoneless} timestamp(s) carry no time zone: read as UTC unless --input-timezone says otherwise"));
    }
    let lost = crate::model::table::column(b, col::LOST_FIELDS)?;
    let lost_rows = lost.len() - lost.null_count();
    if lost_rows > 0 {
        report.warnings.push(format!(
            "{lost_rows} record(s) have fields the export destroyed (PowerShell type names instead of values); those fields are missing"
        ));
    }
    Ok(())
}

/// Warnings about the evidence as a whole.
fn evidence_warnings(inputs: &[InputReport], table: &SignInTable) -> Vec<String> {
    let mut w = Vec::new();
    let pages: u64 = inputs.iter().map(|i| i.pages).sum();
    let with_next: u64 = inputs.iter().map(|i| i.pages_with_next).sum();
    if pages > 0 && with_next == pages {
        w.push(format!("Graph export incomplete: all {pages} saved page(s) carry @odata.nextLink, so the last page was never saved"));
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
