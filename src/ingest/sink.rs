//! [`Sink`]: where a parser delivers records, rejections, not-a-sign-in records and warnings for one
//! input (or one segment of it), and how a finished input's segments are added up.
//!
//! Every record a parser reads is accounted for exactly once. The parser calls [`Sink::begin`] when
//! a record starts (which numbers it, see [`SourceRef`]), then exactly one of [`Sink::push`] (a
//! sign-in: normalized, or rejected if it cannot be), [`Sink::reject`] (unreadable) or
//! [`Sink::not_sign_in`] (a record of another log, counted by category). So per input,
//! records in = normalized + rejected + not a sign-in, and the inventory shows all of them.

use std::collections::BTreeMap;

use crate::error::Rejected;
use crate::ingest::InputReport;
use crate::model::{SignIn, SourceRef, TableBuilder};

/// How many rejections are kept with their details per input (all are counted).
pub const MAX_REJECT_DETAILS: usize = 100;

/// The category of a not-a-sign-in record that does not say which log it belongs to.
pub const NO_CATEGORY: &str = "(no category)";

/// Collects the output of parsing one input (or one segment of it).
pub struct Sink {
    pub display: String,
    pub builder: TableBuilder,
    pub rejected: u64,
    /// The first rejections: position and reason.
    pub reject_details: Vec<(SourceRef, String)>,
    pub warnings: Vec<String>,
    /// Format name detected for this input ("graph-beta", "portal-csv"...), the first one wins.
    pub format: Option<&'static str>,
    /// Graph pages seen, and how many of them carried `@odata.nextLink`.
    pub pages: u64,
    pub pages_with_next: u64,
    /// The last page of this input carried `@odata.nextLink`.
    pub last_page_has_next: bool,
    /// Records begun ([`Sink::begin`]): every record read, whatever became of it.
    pub records_in: u64,
    /// Records classified as sign-ins (normalized or rejected by the builder).
    pub sign_ins_seen: u64,
    /// Records of other logs, by category / table / operation.
    pub not_sign_in: BTreeMap<String, u64>,
    /// Sign-in log containers seen (pages, record batches, query results, saved error responses):
    /// a file of those is a sign-in export even when it holds no record.
    pub containers: u64,
    /// For a segment whose line numbers count from its own start (a part of a large JSON-lines
    /// file): the number of lines it holds, so later segments can be renumbered.
    pub local_lines: Option<u64>,
}

impl Sink {
    pub fn new(display: &str, format_label: &'static str, assumed_offset_secs: i32) -> Self {
        Sink {
            display: display.to_string(),
            builder: TableBuilder::new(display, format_label, assumed_offset_secs),
            rejected: 0,
            reject_details: Vec::new(),
            warnings: Vec::new(),
            format: None,
            pages: 0,
            pages_with_next: 0,
            last_page_has_next: false,
            records_in: 0,
            sign_ins_seen: 0,
            not_sign_in: BTreeMap::new(),
            containers: 0,
            local_lines: None,
        }
    }

    /// A record starts at byte `offset` (on `line`, where the format has lines): number it.
    pub fn begin(&mut self, offset: u64, line: Option<u64>) -> SourceRef {
        self.records_in += 1;
        SourceRef { offset, record: self.records_in, line }
    }

    /// A sign-in (its `source` set from [`Sink::begin`]): append it, or count it as rejected.
    pub fn push(&mut self, rec: &SignIn<'_>) {
        self.sign_ins_seen += 1;
        if let Err(why) = self.builder.push(rec) {
            self.reject(rec.source, why.as_str().to_string());
        }
    }

    /// A record that cannot be read or normalized.
    pub fn reject(&mut self, at: SourceRef, reason: String) {
        self.rejected += 1;
        if self.reject_details.len() < MAX_REJECT_DETAILS {
            self.reject_details.push((at, reason));
        }
    }

    /// A record of another log (`AuditLogs`, `MicrosoftGraphActivityLogs`, a UAL operation...):
    /// counted by its category, never normalized, never rejected.
    pub fn not_sign_in(&mut self, category: &str) {
        match self.not_sign_in.get_mut(category) {
            Some(n) => *n += 1,
            None => {
                self.not_sign_in.insert(category.to_string(), 1);
            }
        }
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        let w = w.into();
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    pub fn set_format(&mut self, f: &'static str) {
        if self.format.is_none() {
            self.format = Some(f);
        }
    }

    /// Whether anything in this segment shows it belongs to a sign-in export (or to a log export
    /// holding other categories): otherwise its objects are unrelated JSON.
    pub fn recognized(&self) -> bool {
        self.sign_ins_seen > 0 || self.containers > 0 || self.not_sign_in.keys().any(|k| k != NO_CATEGORY)
    }

    /// Add this segment's counts, rejections and warnings to its input's report. Called in input
    /// order once the segment has been renumbered ([`rebase`]).
    pub fn add_to(&mut self, report: &mut InputReport) {
        report.records_in += self.records_in;
        report.rejected += self.rejected;
        report.pages += self.pages;
        report.pages_with_next += self.pages_with_next;
        for (k, v) in std::mem::take(&mut self.not_sign_in) {
            *report.not_sign_in.entry(k).or_default() += v;
        }
        let room = MAX_REJECT_DETAILS.saturating_sub(report.rejects.len());
        report.rejects.extend(self.reject_details.drain(..).take(room).map(|(at, reason)| Rejected {
            file: self.display.clone(),
            position: at.to_string(),
            reason,
        }));
        for w in self.warnings.drain(..) {
            if !report.warnings.contains(&w) {
                report.warnings.push(w);
            }
        }
    }
}

/// Renumber the segments of one input: each segment numbered its records (and, for JSON lines, its
/// lines) from 1; the records and lines of the segments before it are added now.
pub fn rebase(sinks: &mut [Sink]) {
    let mut records = 0;
    let mut lines = 0;
    for s in sinks {
        let line_base = if s.local_lines.is_some() { lines } else { 0 };
        s.builder.rebase(records, line_base);
        for (at, _) in &mut s.reject_details {
            at.record += records;
            at.line = at.line.map(|l| l + line_base);
        }
        records += s.records_in;
        lines += s.local_lines.unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_numbered_as_one_input() {
        let mut a = Sink::new("f", "json", 0);
        a.local_lines = Some(3);
        for line in 1..=3 {
            let at = a.begin(0, Some(line));
            a.reject(at, "x".into());
        }
        let mut b = Sink::new("f", "json", 0);
        b.local_lines = Some(2);
        let at = b.begin(100, Some(2));
        b.reject(at, "y".into());
        let mut sinks = [a, b];
        rebase(&mut sinks);
        assert_eq!(sinks[1].reject_details[0].0, SourceRef { offset: 100, record: 4, line: Some(5) });
        let mut report = InputReport::default();
        for s in &mut sinks {
            s.add_to(&mut report);
        }
        assert_eq!((report.records_in, report.rejected), (4, 4));
        assert_eq!(report.rejects[3].position, "record 4, line 5, byte 100");
    }
}
