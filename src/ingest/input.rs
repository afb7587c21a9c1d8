//! Parsing one input: detect its format, cut it into segments, parse the segments in parallel,
//! decide its day/month order once, and add up its report.
//!
//! Small inputs are one segment. Inputs over [`SEGMENT_BYTES`] that can be cut safely (JSON lines,
//! CSV) are cut at record boundaries into segments of about that size and parsed in parallel, so a
//! multi-GB file uses both cores. JSON lines are cut and mapped segment by segment, never whole; a
//! CSV is mapped whole once (finding safe cuts needs its quote parity). The cut points depend only
//! on the file, never on the thread count, so the output does not either.

use rayon::prelude::*;

use super::csv::{self};
use super::sink::Sink;
use super::{Format, IngestOptions, InputReport, Parsed, count_warnings, dataset, json, sniff, summarize};
use crate::error::Error;
use crate::evidence::{EvidenceFile, Input};
use crate::model::time::DateOrder;
use crate::model::time::DateOrderVotes;
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

pub(super) fn parse_input(file: &EvidenceFile, input: &Input, opts: &IngestOptions) -> Result<Parsed, Error> {
    let mut report = InputReport {
        path: input.display.clone(),
        sha256: input.inner_sha256.clone().unwrap_or_else(|| file.sha256.clone()),
        bytes: if input.inner_sha256.is_some() { input.len() } else { file.bytes },
        container: input.inner_sha256.as_ref().map(|_| (file.display.clone(), file.sha256.clone())),
        warnings: input.notes.iter().map(|n| format!("note: {n}")).collect(),
        ..Default::default()
    };
    let Some(start) = sniff::content_start(input)? else {
        report.warnings.push("empty file".into());
        return Ok(Parsed { report, batches: Vec::new() });
    };
    let head = input.read_range(start, sniff::HEAD_BYTES.min((input.len() - start) as usize))?.to_vec();
    let format = match opts.format {
        Some(f) => f,
        None => match sniff::sniff(&head, input.file_name()) {
            Some(f) => f,
            None => {
                report.warnings.push(format!("unrecognized file, skipped: {}", sniff::describe_unknown(&head)));
                return Ok(Parsed { report, batches: Vec::new() });
            }
        },
    };
    if format == Format::DatasetManifest {
        report.format = Some(format.label().to_string());
        report.warnings.push("note: manifest of a signin-audit dataset (its parquet files are read)".into());
        // The original evidence's warnings (an incomplete export, ambiguous dates...) still hold
        // for the dataset: repeat them so a re-analysis does not lose them.
        let bytes = input.read_range(0, input.len() as usize)?;
        if let Ok(m) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && let Some(ws) = m.get("warnings").and_then(|w| w.as_array())
        {
            report.warnings.extend(ws.iter().filter_map(|w| w.as_str()).map(|w| format!("from the dataset's original evidence: {w}")));
        }
        return Ok(Parsed { report, batches: Vec::new() });
    }
    if format == Format::Dataset {
        let bytes = input.read_range(0, input.len() as usize)?;
        return match dataset::read(&bytes, &input.display) {
            Ok(b) => {
                report.format = Some(format.label().to_string());
                summarize(&b, &mut report)?;
                report.records_in = report.records;
                count_warnings(&mut report);
                Ok(Parsed { report, batches: vec![b] })
            }
            Err(e) => {
                report.warnings.push(format!("cannot read parquet dataset file: {e}"));
                Ok(Parsed { report, batches: Vec::new() })
            }
        };
    }

    let sinks = match format {
        Format::Json => parse_json(input, opts)?,
        Format::Csv(kind) => parse_csv(input, kind, opts)?,
        Format::Dataset | Format::DatasetManifest => Vec::new(),
    };
    finish_input(sinks, format, report, opts)
}

/// JSON: one segment, unless the input is large JSON lines.
fn parse_json(input: &Input, opts: &IngestOptions) -> Result<Vec<Sink>, Error> {
    let len = input.len();
    if len > SEGMENT_BYTES
        && let Some(cuts) = json_line_cuts(input)?
    {
        return cuts
            .par_iter()
            .map(|c| {
                let mut sink = Sink::new(&input.display, Format::Json.label(), opts.assumed_offset_secs);
                let bytes = input.read_range(c.start, (c.end - c.start) as usize)?;
                json::parse_lines(&bytes, &mut sink, opts.assumed_offset_secs, c.start);
                Ok(sink)
            })
            .collect();
    }
    let mut sink = Sink::new(&input.display, Format::Json.label(), opts.assumed_offset_secs);
    let bytes = input.read_range(0, len as usize)?;
    json::parse(&bytes, &mut sink, opts.assumed_offset_secs);
    Ok(vec![sink])
}

/// CSV: one pass for small inputs; record-aligned chunks parsed in parallel for large ones. Finding
/// the chunk boundaries reads the whole input once (quote parity), through one map.
fn parse_csv(input: &Input, kind: csv::CsvKind, opts: &IngestOptions) -> Result<Vec<Sink>, Error> {
    let bytes = input.read_range(0, input.len() as usize)?;
    let new_sink = || Sink::new(&input.display, kind.label(), opts.assumed_offset_secs);
    if input.len() > SEGMENT_BYTES
        && let Ok(layout) = csv::layout(&bytes, input.file_name(), kind)
    {
        let chunks = csv::chunks(&bytes, &layout, SEGMENT_BYTES as usize);
        return Ok(chunks
            .par_iter()
            .map(|c| {
                let mut sink = new_sink();
                csv::parse_chunk(&bytes, c, &layout, &mut sink, opts.assumed_offset_secs);
                sink
            })
            .collect());
    }
    let mut sink = new_sink();
    csv::parse(&bytes, input.file_name(), kind, &mut sink, opts.assumed_offset_secs);
    Ok(vec![sink])
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

/// Decide the input's day/month order over all its segments, finish the batches, add up the report.
fn finish_input(mut sinks: Vec<Sink>, format: Format, mut report: InputReport, opts: &IngestOptions) -> Result<Parsed, Error> {
    let mut votes = DateOrderVotes::default();
    let mut pending = 0;
    for s in &sinks {
        votes.merge(&s.builder.date_votes());
        pending += s.builder.pending_dates();
    }
    let (order, notes) = decide_order(votes, pending, opts.date_order);
    report.warnings.extend(notes);

    let mut objects = 0;
    let mut detected = None;
    let mut flipped = 0;
    for s in &mut sinks {
        flipped += s.builder.resolve_dates(order);
        objects += s.records_in;
        detected = detected.or(s.format);
    }
    if format == Format::Json && !sinks.iter().any(Sink::recognized) {
        // Objects, but none of them sign-ins or log records: an unrelated JSON file, not a broken export.
        report.warnings.push(format!("unrecognized JSON, skipped: no sign-in records among {objects} object(s)"));
        return Ok(Parsed { report, batches: Vec::new() });
    }
    super::sink::rebase(&mut sinks);
    if flipped > 0 {
        report.warnings.push(format!("{flipped} date(s) impossible in the chosen day/month order were read in the other order"));
    }
    report.format = Some(detected.unwrap_or(format.label()).to_string());
    let mut batches = Vec::with_capacity(sinks.len());
    for mut s in sinks {
        s.add_to(&mut report);
        // One page per file is the normal way to save a set: only a file of several pages whose
        // last one still points further is incomplete on its own (sets are judged in `mod.rs`).
        if s.last_page_has_next && s.pages > 1 {
            let w = "export incomplete: the last page in this file still has @odata.nextLink".to_string();
            if !report.warnings.contains(&w) {
                report.warnings.push(w);
            }
        }
        let builder = std::mem::replace(&mut s.builder, TableBuilder::new("", "", 0));
        let built: BuiltBatch = builder.finish()?;
        summarize(&built, &mut report)?;
        batches.push(built);
    }
    count_warnings(&mut report);
    Ok(Parsed { report, batches })
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
    }
}
