//! Parsing one input: detect its format, parse it (into the builder its group shares, or in
//! segments with builders of their own when it is large), decide its day/month order once, and add
//! up its report.
//!
//! Small inputs append to the builder of their group ([`super::batch`]): a builder and a batch per
//! input cost ~50 KB of heap and ~250 KB of resident memory even for one record. Inputs over
//! [`SEGMENT_BYTES`] that can be cut safely (JSON lines, CSV) are cut at record boundaries into
//! segments of about that size and parsed in parallel, so a multi-GB file uses both cores. JSON lines
//! are cut and mapped segment by segment, never whole; a CSV is mapped whole once (finding safe cuts
//! needs its quote parity). The cut points depend only on the file, never on the thread count, so
//! the output does not either. Every call into a parser is [`contain`]ed: a panic is damage on the
//! input, not the end of the run.

use std::ops::Range;

use rayon::prelude::*;

use super::contain::contain;
use super::csv::{self};
use super::sink::Sink;
use super::{Format, IngestOptions, InputReport, SUMMARY_READS, count_warnings, dataset, json, sniff, summarize};
use crate::error::Error;
use crate::evidence::{EvidenceFile, Input};
use crate::model::time::{DateOrder, DateOrderVotes};
use crate::model::{BuiltBatch, TableBuilder};

/// Inputs larger than this are parsed in segments of about this size.
/// 64 MiB: large enough that per-segment overhead (a map, a builder, dictionaries) is noise, small
/// enough that two segments in flight per core keep the resident set far below 1 GiB.
pub const SEGMENT_BYTES: u64 = 64 << 20;

/// A line longer than this is not looked for when probing a large file for JSON lines.
const MAX_PROBE_LINE: u64 = 256 << 20;

/// Where a segment lies in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    start: u64,
    end: u64,
}

/// The sinks of a large input's segments, and the damage (panics) met while parsing them.
type Segments = (Vec<Sink>, Vec<String>);

/// Where an input's rows went.
pub(super) enum Rows {
    /// Rows `[start, end)` of the group's shared builder; the report is summarized when the builder
    /// is finished.
    Shared(Range<usize>),
    /// Batches of its own (a large input's segments, a dataset file), already summarized.
    Own(Vec<BuiltBatch>),
}

/// The report of an input before parsing: where it came from, how it was decoded, what is damaged.
fn new_report(file: &EvidenceFile, input: &Input) -> InputReport {
    let mut warnings: Vec<String> = input.notes.iter().map(|n| format!("note: {n}")).collect();
    warnings.extend(input.damage.iter().map(|d| format!("damaged: {d}")));
    InputReport {
        path: input.display.clone(),
        sha256: input.inner_sha256.clone().unwrap_or_else(|| file.sha256.clone()),
        bytes: if input.inner_sha256.is_some() { input.len() } else { file.bytes },
        container: input.inner_sha256.as_ref().map(|_| (file.display.clone(), file.sha256.clone())),
        warnings,
        damage: input.damage.clone(),
        ..Default::default()
    }
}

pub(super) fn parse_input(
    file: &EvidenceFile,
    input: &Input,
    opts: &IngestOptions,
    shared: &mut Option<TableBuilder>,
) -> Result<(InputReport, Rows), Error> {
    let mut report = new_report(file, input);
    let none = Rows::Shared(0..0);
    let Some(start) = sniff::content_start(input)? else {
        report.warnings.push("empty file".into());
        return Ok((report, none));
    };
    let head = input.read_range(start, sniff::HEAD_BYTES.min((input.len() - start) as usize))?.to_vec();
    let format = match opts.format {
        Some(f) => f,
        None => match sniff::sniff(&head, input.file_name()) {
            Some(f) => f,
            None => {
                report.warnings.push(format!("unrecognized file, skipped: {}", sniff::describe_unknown(&head)));
                return Ok((report, none));
            }
        },
    };
    match format {
        Format::DatasetManifest => {
            dataset_manifest(input, &mut report)?;
            Ok((report, none))
        }
        Format::Dataset => {
            // Only counted (the bucketed audit reads the buckets itself): decode what the report needs.
            let counted = opts.count_only && opts.spill.is_none();
            let batches = dataset_file(input, &mut report, counted)?;
            Ok((report, Rows::Own(batches)))
        }
        Format::Json | Format::Csv(_) if input.len() > SEGMENT_BYTES => {
            let sinks = match format {
                Format::Csv(kind) => parse_csv_segments(input, kind, opts)?,
                _ => match parse_json_segments(input, opts)? {
                    Some(lines) => Some(lines),
                    None => parse_json_array(input, opts)?,
                },
            };
            match sinks {
                Some((sinks, damage)) => {
                    report.note_damage(damage);
                    let batches = finish_own(sinks, format, &mut report, opts)?;
                    Ok((report, Rows::Own(batches)))
                }
                None => parse_shared(input, format, report, opts, shared),
            }
        }
        Format::Json | Format::Csv(_) => parse_shared(input, format, report, opts, shared),
    }
}

/// `manifest.json` of a dataset: nothing to parse, but the original evidence's warnings (an
/// incomplete export, ambiguous dates...) still hold for the dataset, so they are repeated.
fn dataset_manifest(input: &Input, report: &mut InputReport) -> Result<(), Error> {
    report.format = Some(Format::DatasetManifest.label().to_string());
    report.warnings.push("note: manifest of a signin-audit dataset (its parquet files are read)".into());
    let bytes = input.read_all()?;
    if let Ok(m) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && let Some(ws) = m.get("warnings").and_then(|w| w.as_array())
    {
        report.warnings.extend(ws.iter().filter_map(|w| w.as_str()).map(|w| format!("from the dataset's original evidence: {w}")));
    }
    Ok(())
}

/// A parquet file of a dataset: one batch, or damage. When its rows are only `counted`, only the
/// columns of [`SUMMARY_READS`] are decoded (the others are nulls, the rows' completeness unknown).
fn dataset_file(input: &Input, report: &mut InputReport, counted: bool) -> Result<Vec<BuiltBatch>, Error> {
    let bytes = bytes::Bytes::from_owner(input.read_all()?);
    let read = || match counted {
        false => dataset::read(bytes),
        true => dataset::read_columns(bytes, SUMMARY_READS).map(|batch| BuiltBatch { completeness: vec![0; batch.num_rows()], batch }),
    };
    match contain(read) {
        Ok(Ok(b)) => {
            report.format = Some(Format::Dataset.label().to_string());
            summarize(&b.batch, report)?;
            report.records_in = report.records;
            count_warnings(report);
            Ok(vec![b])
        }
        Ok(Err(e)) => {
            report.note_damage(vec![format!("cannot read parquet dataset file: {e}")]);
            Ok(Vec::new())
        }
        Err(panic) => {
            report.note_damage(vec![format!("the parquet decoder panicked ({panic}): the file is damaged; nothing of it is read")]);
            Ok(Vec::new())
        }
    }
}

/// A small input: parsed into the group's builder.
fn parse_shared(
    input: &Input,
    format: Format,
    mut report: InputReport,
    opts: &IngestOptions,
    shared: &mut Option<TableBuilder>,
) -> Result<(InputReport, Rows), Error> {
    let label = match format {
        Format::Csv(kind) => kind.label(),
        _ => Format::Json.label(),
    };
    let mut builder = shared.take().unwrap_or_else(|| TableBuilder::new(&input.display, label, opts.assumed_offset_secs));
    builder.set_source(&input.display, label);
    let start = builder.len();
    let votes_before = builder.date_votes();
    let mut sink = Sink::with_builder(&input.display, builder);
    let bytes = input.read_all()?;
    let parsed = contain(|| match format {
        Format::Csv(kind) => csv::parse(&bytes, input.file_name(), kind, &mut sink, opts.assumed_offset_secs),
        _ => json::parse(&bytes, &mut sink, opts.assumed_offset_secs),
    });
    drop(bytes);
    if let Err(panic) = parsed {
        report.note_damage(vec![format!("the parser panicked ({panic}): records read before it are kept")]);
    }
    let mut sinks = vec![sink];
    let keep = finish_sinks(&mut sinks, votes_before, format, &mut report, opts);
    *shared = sinks.pop().map(|s| s.builder);
    let end = shared.as_ref().map_or(start, |b| b.len());
    Ok((report, Rows::Shared(if keep { start..end } else { start..start })))
}

/// JSON lines over [`SEGMENT_BYTES`]: one sink per segment, parsed in parallel. `None` if the input
/// is not JSON lines (it is then parsed whole).
fn parse_json_segments(input: &Input, opts: &IngestOptions) -> Result<Option<Segments>, Error> {
    let Some(cuts) = json_line_cuts(input)? else { return Ok(None) };
    let parsed: Result<Vec<(Sink, Option<String>)>, Error> = cuts
        .par_iter()
        .map(|c| {
            let mut sink = Sink::new(&input.display, Format::Json.label(), opts.assumed_offset_secs);
            let bytes = input.read_range(c.start, (c.end - c.start) as usize)?;
            let panic = contain(|| json::parse_lines(&bytes, &mut sink, opts.assumed_offset_secs, c.start)).err();
            Ok((sink, panic.map(|p| format!("the parser panicked in bytes {}..{} ({p}): records read before it are kept", c.start, c.end))))
        })
        .collect();
    let (sinks, panics): (Vec<Sink>, Vec<Option<String>>) = parsed?.into_iter().unzip();
    Ok(Some((sinks, panics.into_iter().flatten().collect())))
}

/// A JSON input over [`SEGMENT_BYTES`] that is one top-level array: cut between its elements about
/// every [`SEGMENT_BYTES`] and parsed in pieces in parallel (`json::array`). `None` if it is not
/// one array, or any piece is not clean JSON: it is then parsed as one document, as before.
fn parse_json_array(input: &Input, opts: &IngestOptions) -> Result<Option<Segments>, Error> {
    let Some(cuts) = json_array_cuts(input)? else { return Ok(None) };
    let parsed: Result<Vec<Option<(Sink, json::array::Repeats)>>, Error> = cuts
        .pieces()
        .par_iter()
        .map(|&(start, end)| {
            let mut sink = Sink::new(&input.display, Format::Json.label(), opts.assumed_offset_secs);
            let bytes = input.read_range(start, (end - start) as usize)?;
            // A panic, like a piece that does not parse, sends the input to the one-document path.
            let repeats = contain(|| json::array::parse_piece(&bytes, start, &mut sink, opts.assumed_offset_secs)).ok().flatten();
            Ok(repeats.map(|r| (sink, r)))
        })
        .collect();
    let Some(pieces) = parsed?.into_iter().collect::<Option<Vec<_>>>() else { return Ok(None) };
    let mut repeats = json::array::Repeats::default();
    let mut sinks = Vec::with_capacity(pieces.len());
    for (sink, r) in pieces {
        repeats.add(r);
        sinks.push(sink);
    }
    if let Some(last) = sinks.last_mut() {
        repeats.report(last);
    }
    Ok(Some((sinks, Vec::new())))
}

/// Where a large JSON input that is one top-level array can be cut, read in windows (never mapped
/// whole), or `None` if it is not one array.
fn json_array_cuts(input: &Input) -> Result<Option<json::split::ArrayCuts>, Error> {
    const WINDOW: u64 = 16 << 20;
    let len = input.len();
    let mut cutter = json::split::ArrayCutter::new(SEGMENT_BYTES);
    let mut at = 0;
    while at < len && !cutter.gave_up() {
        let n = WINDOW.min(len - at);
        cutter.feed(&input.read_range(at, n as usize)?);
        at += n;
    }
    Ok(cutter.finish())
}

/// A CSV over [`SEGMENT_BYTES`]: record-aligned chunks parsed in parallel. Finding the chunk
/// boundaries reads the whole input once (quote parity), through one map. `None` if its header
/// cannot be laid out (it is then parsed whole, which reports why).
fn parse_csv_segments(input: &Input, kind: csv::CsvKind, opts: &IngestOptions) -> Result<Option<Segments>, Error> {
    let bytes = input.read_all()?;
    let Ok(layout) = csv::layout(&bytes, input.file_name(), kind) else { return Ok(None) };
    let chunks = csv::chunks(&bytes, &layout, SEGMENT_BYTES as usize);
    let parsed: Vec<(Sink, Option<String>)> = chunks
        .par_iter()
        .map(|c| {
            let mut sink = Sink::new(&input.display, kind.label(), opts.assumed_offset_secs);
            let panic = contain(|| csv::parse_chunk(&bytes, c, &layout, &mut sink, opts.assumed_offset_secs)).err();
            (sink, panic.map(|p| format!("the parser panicked at line {} ({p}): records read before it are kept", c.first_line)))
        })
        .collect();
    let (sinks, panics): (Vec<Sink>, Vec<Option<String>>) = parsed.into_iter().unzip();
    Ok(Some((sinks, panics.into_iter().flatten().collect())))
}

/// Cut points of a large JSON-lines input, or `None` if its first line is not a complete value.
fn json_line_cuts(input: &Input) -> Result<Option<Vec<Cut>>, Error> {
    let len = input.len();
    let Some(first_end) = next_newline(input, 0)? else { return Ok(None) };
    let first = input.read_range(0, first_end as usize)?;
    if !json::looks_like_json_lines(&[&first[..], b"\n{}"].concat()) {
        return Ok(None);
    }
    let mut cuts = Vec::new();
    let mut start = 0u64;
    while start < len {
        let target = start + SEGMENT_BYTES;
        let end = if target >= len {
            len
        } else {
            match next_newline(input, target)? {
                Some(nl) => nl + 1,
                None => len,
            }
        };
        cuts.push(Cut { start, end });
        start = end;
    }
    Ok(Some(cuts))
}

/// Offset of the first `\n` at or after `from`, reading small windows (never the whole input).
fn next_newline(input: &Input, from: u64) -> Result<Option<u64>, Error> {
    const WINDOW: u64 = 1 << 20;
    let len = input.len();
    let mut at = from;
    while at < len && at - from < MAX_PROBE_LINE {
        let n = WINDOW.min(len - at);
        let w = input.read_range(at, n as usize)?;
        if let Some(i) = memchr::memchr(b'\n', &w) {
            return Ok(Some(at + i as u64));
        }
        at += n;
    }
    Ok(None)
}

/// Finish the segments of a large input: each builder becomes a batch, added up in the report.
fn finish_own(mut sinks: Vec<Sink>, format: Format, report: &mut InputReport, opts: &IngestOptions) -> Result<Vec<BuiltBatch>, Error> {
    if !finish_sinks(&mut sinks, DateOrderVotes::default(), format, report, opts) {
        return Ok(Vec::new());
    }
    let mut batches = Vec::with_capacity(sinks.len());
    for s in sinks {
        let built = s.builder.finish()?;
        summarize(&built.batch, report)?;
        batches.push(built);
    }
    count_warnings(report);
    Ok(batches)
}

/// Decide the input's day/month order over all its sinks (`votes_before`: what the shared builder
/// had counted before this input), resolve its dates, and move counts, rejections and warnings into
/// the report. Returns `false` when the input turned out not to be a sign-in export at all.
fn finish_sinks(sinks: &mut [Sink], votes_before: DateOrderVotes, format: Format, report: &mut InputReport, opts: &IngestOptions) -> bool {
    let mut votes = DateOrderVotes::default();
    let mut pending = 0;
    for s in sinks.iter() {
        votes.merge(&s.builder.date_votes());
        pending += s.builder.pending_dates();
    }
    let (order, notes) = decide_order(subtract(votes, votes_before), pending, opts.date_order);
    report.warnings.extend(notes);

    let mut objects = 0;
    let mut detected = None;
    let mut flipped = 0;
    for s in sinks.iter_mut() {
        flipped += s.builder.resolve_dates(order);
        objects += s.records_in;
        detected = detected.or(s.format);
    }
    if format == Format::Json && !sinks.iter().any(Sink::recognized) {
        // Objects, but none of them sign-ins or log records: an unrelated JSON file, not a broken export.
        report.warnings.push(format!("unrecognized JSON, skipped: no sign-in records among {objects} object(s)"));
        return false;
    }
    super::sink::rebase(sinks);
    if flipped > 0 {
        report.warnings.push(format!("{flipped} date(s) impossible in the chosen day/month order were read in the other order"));
    }
    report.format = Some(detected.unwrap_or(format.label()).to_string());
    for s in sinks.iter_mut() {
        s.add_to(report);
    }
    // One page per file is the normal way to save a set: only a file of several pages whose last
    // one still points further is incomplete on its own (sets are judged in `mod.rs`). The last page
    // is that of the last segment holding pages (a segment's own last page is not the file's).
    let last_has_next = sinks.iter().rev().find(|s| s.pages > 0).is_some_and(|s| s.last_page_has_next);
    if last_has_next && report.pages > 1 {
        let w = "export incomplete: the last page in this file still has @odata.nextLink".to_string();
        if !report.warnings.contains(&w) {
            report.warnings.push(w);
        }
    }
    true
}

/// The votes counted since `before` (the builder's votes grow as inputs are added to it).
fn subtract(after: DateOrderVotes, before: DateOrderVotes) -> DateOrderVotes {
    DateOrderVotes {
        day_first: after.day_first - before.day_first,
        month_first: after.month_first - before.month_first,
        ambiguous: after.ambiguous - before.ambiguous,
        dotted: after.dotted - before.dotted,
    }
}

/// The day/month order for an input's ambiguous slash dates, and what to tell the examiner.
fn decide_order(votes: DateOrderVotes, pending: usize, forced: Option<DateOrder>) -> (DateOrder, Vec<String>) {
    let mut notes = Vec::new();
    if votes.is_empty() {
        return (DateOrder::MonthFirst, notes);
    }
    let order = match (forced, votes.decided()) {
        (Some(o), _) => o,
        (None, Some(o)) => {
            if pending > 0 {
                notes.push(format!(
                    "note: day/month order detected from the data ({}); applied to {pending} ambiguous date(s)",
                    order_name(o)
                ));
            }
            o
        }
        (None, None) => {
            let o = votes.fallback();
            if votes.conflicting() {
                notes.push("dates mix day-first and month-first values: the file combines exports from different locales".into());
            }
            if pending > 0 {
                notes.push(format!(
                    "day/month order cannot be told from the data: {pending} date(s) read as {} (set --date-order to override)",
                    order_name(o)
                ));
            }
            o
        }
    };
    (order, notes)
}

fn order_name(o: DateOrder) -> &'static str {
    match o {
        DateOrder::MonthFirst => "month first, M/D/YYYY",
        DateOrder::DayFirst => "day first, D/M/YYYY",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_decisions() {
        let mut v = DateOrderVotes::default();
        assert_eq!(decide_order(v, 0, None).0, DateOrder::MonthFirst);
        v.day_first = 1;
        v.ambiguous = 3;
        let (o, notes) = decide_order(v, 3, None);
        assert_eq!(o, DateOrder::DayFirst);
        assert!(notes[0].contains("detected"));
        v.month_first = 1;
        let (o, notes) = decide_order(v, 3, None);
        assert_eq!(o, DateOrder::MonthFirst);
        assert!(notes.iter().any(|n| n.contains("mix")));
        assert_eq!(decide_order(v, 3, Some(DateOrder::DayFirst)).0, DateOrder::DayFirst);
        assert_eq!(subtract(v, DateOrderVotes { day_first: 1, ..Default::default() }).day_first, 0);
    }
}
