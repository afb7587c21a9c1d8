//! Work groups: consecutive small inputs parsed by one worker into one shared builder.
//!
//! An Azure Monitor storage export is one `PT1H.json` blob per hour: months of it are tens of
//! thousands of files of one or a few records. A builder and a batch per input cost far more than
//! such a file (~50 KB of heap, and the allocator's fragmentation made it ~250 KB resident), so
//! consecutive small inputs are parsed by one worker into one builder, each input's rows tagged with
//! their source file. Groups are cut from the evidence alone (sizes declared on disk or in the zip
//! directory, in evidence order), never from the thread count, and a group keeps its inputs in order,
//! so the merged table is the same at any `--threads`.

use std::ops::Range;

use super::contain::contain;
use super::input::{self, Rows};
use super::{IngestOptions, InputReport, count_warnings, summarize};
use crate::error::{Damage, Error};
use crate::evidence::{EvidenceFile, Opened};
use crate::model::TableBuilder;
use crate::model::table::Segment;

/// An input expected to hold at least this many bytes is a group of its own (a builder per input
/// is noise at that size, and keeping it alone keeps large files parallel).
const SMALL_INPUT_BYTES: u64 = 1 << 20;

/// A group of small inputs holds about this many bytes (a few such groups per core keeps both cores
/// busy on a few hundred MB of small files) ...
const GROUP_BYTES: u64 = 16 << 20;

/// ... and at most this many inputs.
const GROUP_INPUTS: usize = 4096;

/// One entry of one evidence file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Unit {
    pub file: usize,
    pub entry: usize,
}

/// Every entry of the evidence in order, and the groups (ranges of it) to parse.
pub(super) fn plan(files: &[EvidenceFile]) -> (Vec<Unit>, Vec<Range<usize>>) {
    let sizes = files.iter().enumerate().flat_map(|(fi, f)| f.entries.iter().enumerate().map(move |(ei, e)| (fi, ei, e.size_hint)));
    let mut units = Vec::new();
    let mut groups = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (file, entry, size) in sizes {
        let i = units.len();
        units.push(Unit { file, entry });
        if size >= SMALL_INPUT_BYTES {
            if start < i {
                groups.push(start..i);
            }
            groups.push(i..i + 1);
            (start, bytes) = (i + 1, 0);
            continue;
        }
        bytes += size;
        if bytes >= GROUP_BYTES || i + 1 - start >= GROUP_INPUTS {
            groups.push(start..i + 1);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < units.len() {
        groups.push(start..units.len());
    }
    (units, groups)
}

/// What one group produced. Input indices in `segments` are indices into `reports`.
#[derive(Default)]
pub(super) struct GroupOut {
    pub reports: Vec<InputReport>,
    pub segments: Vec<Segment>,
    pub damage: Vec<Damage>,
}

/// The group being parsed: its output, its shared builder, and the inputs whose rows are in it.
struct Group {
    out: GroupOut,
    shared: Option<TableBuilder>,
    pending: Vec<(usize, Range<usize>)>,
}

/// Parse a group of units, in order, on the current thread (a large input still parses its segments
/// in parallel).
pub(super) fn run(files: &[EvidenceFile], units: &[Unit], opts: &IngestOptions) -> Result<GroupOut, Error> {
    let mut g = Group { out: GroupOut::default(), shared: None, pending: Vec::new() };
    let progress = opts.progress.as_deref().map(|p| &p.parsed);
    for u in units {
        let f = &files[u.file];
        // This entry's share of its file's size, for the progress count (done whatever happens).
        let (k, n) = (u.entry as u64, f.entries.len() as u64);
        super::bump(progress, f.bytes * (k + 1) / n - f.bytes * k / n);
        let item = || f.entries[u.entry].display.clone();
        let input = match contain(|| f.materialize(u.entry, &opts.limits)) {
            Ok(Ok(Opened::Input(i))) => i,
            Ok(Ok(Opened::NotRead(reason))) => {
                g.out.damage.push(Damage { item: item(), reason });
                continue;
            }
            Ok(Err(e)) => return Err(e.into()),
            Err(panic) => {
                g.out.damage.push(Damage { item: item(), reason: format!("the decompressor panicked ({panic}): not read") });
                continue;
            }
        };
        let idx = g.out.reports.len();
        let (report, rows) = input::parse_input(f, &input, opts, &mut g.shared)?;
        drop(input);
        g.out.damage.extend(report.damage.iter().map(|reason| Damage { item: report.path.clone(), reason: reason.clone() }));
        g.out.reports.push(report);
        match rows {
            Rows::Shared(rows) => g.pending.push((idx, rows)),
            Rows::Own(batches) => {
                // Keep the segments in input order: the shared rows so far come first.
                g.flush()?;
                g.out.segments.extend(batches.into_iter().map(|b| Segment::single(idx, b)));
            }
        }
    }
    g.flush()?;
    Ok(g.out)
}

impl Group {
    /// Finish the shared builder into a segment and add each of its inputs' rows to their reports.
    fn flush(&mut self) -> Result<(), Error> {
        let built = match self.shared.take() {
            Some(b) if !b.is_empty() => Some(b.finish()?),
            _ => None,
        };
        let mut files = Vec::new();
        for (i, rows) in self.pending.drain(..) {
            let report = &mut self.out.reports[i];
            if let Some(b) = &built
                && !rows.is_empty()
            {
                summarize(&b.batch.slice(rows.start, rows.len()), report)?;
                files.push((rows.start, i));
            }
            count_warnings(report);
        }
        if let Some(built) = built {
            self.out.segments.push(Segment { files, built });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_inputs_are_grouped_and_large_ones_stand_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (name, size) in [("a", 10usize), ("b", 2 << 20), ("c", 10), ("d", 10)] {
            let p = dir.path().join(name);
            std::fs::write(&p, vec![b' '; size]).unwrap();
            files.push(crate::evidence::open(&p, &Default::default()).unwrap());
        }
        let (units, groups) = plan(&files);
        assert_eq!(units.len(), 4);
        assert_eq!(groups, vec![0..1, 1..2, 2..4]);
    }

    /// Rows of several groups: duplicates are charged to the right file, rows cite their own file,
    /// and the table does not depend on the number of threads.
    #[test]
    fn rows_and_duplicates_keep_their_files_across_groups() {
        use arrow_array::cast::AsArray;
        use arrow_array::types::Int32Type;

        let rec = |n: u32| {
            format!(
                r#"{{"id":"id-{n}","createdDateTime":"2026-01-0{n}T00:00:00Z","userPrincipalName":"a@contoso.example","userId":"u1","appDisplayName":"Teams","ipAddress":"192.0.2.{n}","clientAppUsed":"Browser"}}"#
            )
        };
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.json"), format!("[{},{}]", rec(1), rec(2))).unwrap();
        // Over SMALL_INPUT_BYTES: a group of its own between the two small files.
        std::fs::write(d.join("b.json"), format!("[{},{}]{}", rec(2), rec(3), " ".repeat(SMALL_INPUT_BYTES as usize))).unwrap();
        std::fs::write(d.join("c.json"), format!("[{},{}]", rec(1), rec(4))).unwrap();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| crate::ingest::ingest(&[d.to_path_buf()], &Default::default())).unwrap()
        };
        let one = run(1);
        let two = run(2);
        assert_eq!(one.table.batch, two.table.batch);
        let counts: Vec<(u64, u64)> = one.inputs.iter().map(|i| (i.records, i.duplicates)).collect();
        assert_eq!(counts, vec![(2, 0), (2, 1), (2, 1)]);
        let b = &one.table.batch;
        let files = b.column_by_name("source_file").unwrap().as_dictionary::<Int32Type>();
        let names = files.values().as_string::<i32>();
        let ids = b.column_by_name("request_id").unwrap().as_string::<i32>();
        let cited: Vec<(String, String)> = (0..b.num_rows())
            .map(|r| {
                let file = names.value(files.keys().value(r) as usize);
                (ids.value(r).to_string(), file.rsplit('/').next().unwrap().to_string())
            })
            .collect();
        let want = [("id-1", "a.json"), ("id-2", "a.json"), ("id-3", "b.json"), ("id-4", "c.json")];
        assert_eq!(cited, want.map(|(i, f)| (i.to_string(), f.to_string())));
    }
}
