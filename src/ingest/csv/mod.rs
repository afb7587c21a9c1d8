//! CSV exports: the Entra admin-center download ([`portal`]), Log Analytics / Sentinel exports
//! ([`log_analytics`]), PowerShell `Export-Csv` of `Get-AzureADAuditSignInLogs` /
//! `Get-MgAuditLogSignIn` ([`powershell`], with [`ps_text`] for the `ToString()` renderings in its
//! cells) and the portal's authentication-details side file ([`auth_details`]). [`target`] holds
//! the cell-to-field conversions the portal and PowerShell mappers share.
//!
//! This module owns what the families share: detecting the family from the header ([`sniff`],
//! formats.md §15.5), reading and normalizing the header (delimiter, `#TYPE` line, whitespace-damaged
//! names), cutting a file into record-aligned chunks for parallel parsing ([`chunks`]), and the row
//! loop ([`parse_chunk`]) that hands each record to its family's mapper. Columns are mapped by name
//! once per file ([`layout`]); the row loop reuses one `csv::ByteRecord` and borrows cells from it.

pub mod auth_details;
pub mod log_analytics;
pub mod portal;
pub mod powershell;
pub mod ps_text;
pub mod target;
#[cfg(test)]
mod tests;

use std::ops::Range;

use csv::{ByteRecord, ReaderBuilder};

use super::json::classify::Kind;
use super::sink::Sink;
use crate::model::{EventType, SignIn, SourceRef};

/// Which CSV family an input belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    Portal,
    LogAnalytics,
    PowerShell,
    /// The portal's `*_AuthDetails_*.csv`: one row per authentication step, no sign-ins.
    AuthDetails,
}

impl CsvKind {
    pub fn label(self) -> &'static str {
        match self {
            CsvKind::Portal => "portal-csv",
            CsvKind::LogAnalytics => "log-analytics-csv",
            CsvKind::PowerShell => "powershell-csv",
            CsvKind::AuthDetails => "portal-authdetails-csv",
        }
    }
}

/// Delimiters a header is tested for: comma (every exporter's default), semicolon (PowerShell
/// `-Delimiter ';'` / `-UseCulture` in de-DE, fr-FR..., formats.md §4.2) and tab (spreadsheet saves).
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The header of a CSV input, read once.
#[derive(Debug, Clone)]
pub struct Header {
    pub delimiter: u8,
    /// Normalized column names ([`normalize_header`]), in file order.
    pub names: Vec<String>,
    /// The first column name exactly as written (to spot a header repeated inside the data).
    pub raw_first: Vec<u8>,
    /// Byte offset of the first data row.
    pub data_start: usize,
    /// A PowerShell `#TYPE ...` line preceded the header.
    pub type_line: bool,
}

/// Trim, collapse inner whitespace to one space, case-fold, drop a stray BOM: the portal writes
/// `"Application ID "` and `"Autonomous system  number"` (formats.md §6.1).
pub fn normalize_header(name: &str) -> String {
    let name = name.trim_start_matches('\u{feff}');
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.to_lowercase()
}

/// The line starting at `at` (without its terminator) and where the next one starts.
fn line_at(bytes: &[u8], at: usize) -> (&[u8], usize) {
    let rest = bytes.get(at..).unwrap_or(&[]);
    match memchr::memchr(b'\n', rest) {
        Some(i) => (rest[..i].strip_suffix(b"\r").unwrap_or(&rest[..i]), at + i + 1),
        None => (rest, bytes.len()),
    }
}

/// The delimiter that splits the header line most often outside quotes (ties: comma).
fn detect_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
            counts[i] += 1;
        }
    }
    let mut best = 0;
    for i in 1..DELIMITERS.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    DELIMITERS[best]
}

/// Read the header: skip a UTF-8 BOM, blank lines, a PowerShell `#TYPE` line or an Excel `sep=`
/// line, detect the delimiter, and split the names. `None` if there is no header of two or more
/// columns (no sign-in export has fewer).
pub fn read_header(bytes: &[u8]) -> Option<Header> {
    let mut at = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let mut forced = None;
    let mut type_line = false;
    loop {
        let (line, next) = line_at(bytes, at);
        if at >= bytes.len() {
            return None;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            at = next;
        } else if line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"#TYPE") {
            type_line = true;
            at = next;
        } else if line.len() == 5 && line[..4].eq_ignore_ascii_case(b"sep=") {
            forced = Some(line[4]);
            at = next;
        } else {
            break;
        }
    }
    let (line, _) = line_at(bytes, at);
    let delimiter = forced.unwrap_or_else(|| detect_delimiter(line));
    let mut rdr = ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(&bytes[at..]);
    let mut rec = ByteRecord::new();
    if !matches!(rdr.read_byte_record(&mut rec), Ok(true)) || rec.len() < 2 {
        return None;
    }
    let mut data_start = at.saturating_add(usize::try_from(rdr.position().byte()).unwrap_or(usize::MAX)).min(bytes.len());
    // The reader may stop between the `\r` and `\n` of the header's terminator.
    while data_start < bytes.len() && (bytes[data_start] == b'\n' || bytes[data_start] == b'\r') {
        data_start += 1;
    }
    let names = rec.iter().map(|n| normalize_header(&String::from_utf8_lossy(n))).collect();
    let raw_first = rec.get(0).unwrap_or_default().to_vec();
    Some(Header { delimiter, names, raw_first, data_start, type_line })
}

/// Header name without the Log Analytics portal's datetime suffix, and whether that suffix said UTC
/// (`TimeGenerated [UTC]`, `CreatedDateTime [Local Time]`, formats.md §8.4).
pub fn split_zone_suffix(name: &str) -> (&str, Option<bool>) {
    if let Some(base) = name.strip_suffix("[utc]") {
        return (base.trim_end(), Some(true));
    }
    if let Some(i) = name.rfind(" [")
        && name.ends_with(']')
    {
        return (&name[..i], Some(false));
    }
    (name, None)
}

/// Classify a header (formats.md §15.5). Order matters: the auth-details file also has `Request ID`.
fn classify(h: &Header, file_name: &str) -> Option<CsvKind> {
    let has = |n: &str| h.names.iter().any(|x| x == n);
    // Log Analytics names without a `[UTC]` suffix or a custom-table type suffix (`ResultType_s`).
    let la_name = |x: &str| -> String {
        let base = split_zone_suffix(x).0;
        crate::ingest::json::classify::custom_base(base).unwrap_or(base).to_string()
    };
    let has_base = |n: &str| h.names.iter().any(|x| la_name(x) == n);
    let user_columns = has("username") || has("user agent") || has("ip address");
    let aux_name = file_name.to_ascii_lowercase().contains("_authdetails");
    if has("request id") && has("authentication method") && (has("succeeded") || aux_name) && !user_columns {
        return Some(CsvKind::AuthDetails);
    }
    if has("date (utc)") && (has("request id") || has("username") || has("service principal id")) {
        return Some(CsvKind::Portal);
    }
    let la_marker = has_base("resulttype") || has("type") || has_base("category") || has_base("operationname") || has("sourcesystem");
    if (has_base("timegenerated") && la_marker) || (has_base("resulttype") && has_base("createddatetime")) {
        return Some(CsvKind::LogAnalytics);
    }
    if has("createddatetime") && (h.type_line || has("userprincipalname") || has("serviceprincipalid") || has("id")) {
        return Some(CsvKind::PowerShell);
    }
    without_time(h, la_marker)
}

/// Sign-in columns a header must name to be a sign-in export when its time column is missing (one
/// of them a request or correlation id: `User`, `Status` and `Location` alone are any spreadsheet).
const MIN_SIGN_IN_COLUMNS: usize = 4;

/// The columns that identify a sign-in in each family (normalized names).
const ID_COLUMNS: [&str; 4] = ["request id", "correlation id", "id", "correlationid"];

/// A header of a sign-in export whose time column is missing: still that family, so the examiner
/// is told the time column is missing (by [`layout`]) rather than that the file is not a sign-in
/// export at all (or, when a JSON cell starts a line, "unrecognized JSON").
fn without_time(h: &Header, la_marker: bool) -> Option<CsvKind> {
    let count = |f: fn(&str) -> bool| h.names.iter().filter(|n| f(n)).count();
    let portal = count(portal::is_column);
    let la = count(log_analytics::is_column);
    let ps = count(powershell::is_column);
    let best = portal.max(la).max(ps);
    let has_id = h.names.iter().any(|n| ID_COLUMNS.contains(&n.as_str()));
    if best < MIN_SIGN_IN_COLUMNS || !has_id {
        None
    } else if portal == best {
        Some(CsvKind::Portal)
    } else if la_marker || la > ps {
        Some(CsvKind::LogAnalytics)
    } else {
        Some(CsvKind::PowerShell)
    }
}

/// Detect a CSV family from the header line. `head` is the start of the decoded text.
pub fn sniff(head: &[u8], file_name: &str) -> Option<CsvKind> {
    classify(&read_header(head)?, file_name)
}

/// Column mapping of one family.
#[derive(Debug, Clone)]
enum Mapping {
    Portal(Vec<Option<target::Col>>),
    LogAnalytics(log_analytics::Columns),
    PowerShell(powershell::Columns),
    AuthDetails(auth_details::Columns),
}

/// Everything needed to parse any part of a file: decided once from its header.
#[derive(Debug, Clone)]
pub struct CsvLayout {
    pub kind: CsvKind,
    pub delimiter: u8,
    /// Byte offset of the first data row.
    pub data_start: usize,
    /// 1-based line number of the first data row.
    pub first_line: u64,
    /// Number of header columns.
    pub columns: usize,
    /// Event type for rows that do not carry one (portal file-name prefix, LA table in the name).
    pub event_type: Option<EventType>,
    /// Findings about the file as a whole, reported once with the first chunk.
    pub notes: Vec<String>,
    raw_first: Vec<u8>,
    map: Mapping,
}

/// Read the header of `bytes` and map its columns for `kind`.
pub fn layout(bytes: &[u8], file_name: &str, kind: CsvKind) -> Result<CsvLayout, String> {
    let h = read_header(bytes).ok_or("no CSV header line with two or more columns")?;
    let mut notes = Vec::new();
    let (map, event_type) = match kind {
        CsvKind::Portal => {
            let (cols, et) = portal::map_header(&h.names, file_name, &mut notes)?;
            (Mapping::Portal(cols), et)
        }
        CsvKind::LogAnalytics => {
            let cols = log_analytics::map_header(&h.names, &mut notes)?;
            (Mapping::LogAnalytics(cols), log_analytics::event_type_from_name(file_name))
        }
        CsvKind::PowerShell => (Mapping::PowerShell(powershell::map_header(&h.names)?), None),
        CsvKind::AuthDetails => (Mapping::AuthDetails(auth_details::map_header(&h.names)?), None),
    };
    let first_line = 1 + memchr::memchr_iter(b'\n', &bytes[..h.data_start]).count() as u64;
    Ok(CsvLayout {
        kind,
        delimiter: h.delimiter,
        data_start: h.data_start,
        first_line,
        columns: h.names.len(),
        event_type,
        notes,
        raw_first: h.raw_first,
        map,
    })
}

/// A record-aligned part of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub range: Range<usize>,
    /// 1-based line number of the first byte of `range`.
    pub first_line: u64,
}

/// Record-aligned chunks of about `target` bytes after the header. A newline ends a record iff the
/// number of `"` before it is even (RFC 4180 doubles quotes inside fields), so a chunk never starts
/// inside a multi-line quoted cell.
pub fn chunks(bytes: &[u8], layout: &CsvLayout, target: usize) -> Vec<Chunk> {
    let target = target.max(1);
    let mut out = Vec::new();
    let mut start = layout.data_start.min(bytes.len());
    let mut line = layout.first_line;
    while start < bytes.len() {
        let want = start.saturating_add(target);
        let end = if want >= bytes.len() { bytes.len() } else { record_end(bytes, start, want) };
        out.push(Chunk { range: start..end, first_line: line });
        line += memchr::memchr_iter(b'\n', &bytes[start..end]).count() as u64;
        start = end;
    }
    out
}

/// The first record boundary at or after `from`, for a chunk that starts on a boundary at `start`.
fn record_end(bytes: &[u8], start: usize, from: usize) -> usize {
    let mut odd = memchr::memchr_iter(b'"', &bytes[start..from]).count() % 2 == 1;
    for i in memchr::memchr2_iter(b'"', b'\n', &bytes[from..]) {
        let p = from + i;
        if bytes[p] == b'"' {
            odd = !odd;
        } else if !odd {
            return p + 1;
        }
    }
    bytes.len()
}

/// Parse a CSV input.
pub fn parse(bytes: &[u8], file_name: &str, kind: CsvKind, sink: &mut Sink, assumed_offset_secs: i32) {
    sink.set_format(kind.label());
    match layout(bytes, file_name, kind) {
        Ok(l) => {
            let chunk = Chunk { range: l.data_start..bytes.len(), first_line: l.first_line };
            if parse_rows(bytes, &chunk, &l, sink, assumed_offset_secs) == 0 {
                sink.warn("header only: the file holds no data rows");
            }
        }
        Err(e) => sink.warn(format!("cannot read as {}: {e}", kind.label())),
    }
}

/// Parse the rows of one chunk (see [`chunks`]) into `sink`.
pub fn parse_chunk(bytes: &[u8], chunk: &Chunk, layout: &CsvLayout, sink: &mut Sink, assumed_offset_secs: i32) {
    parse_rows(bytes, chunk, layout, sink, assumed_offset_secs);
}

/// The row loop; returns the number of data rows seen.
fn parse_rows(bytes: &[u8], chunk: &Chunk, layout: &CsvLayout, sink: &mut Sink, off: i32) -> u64 {
    sink.set_format(layout.kind.label());
    if chunk.range.start <= layout.data_start {
        for n in &layout.notes {
            sink.warn(n.clone());
        }
    }
    let Some(data) = bytes.get(chunk.range.clone()) else {
        sink.warn(format!("internal: chunk {:?} lies outside the {}-byte input", chunk.range, bytes.len()));
        return 0;
    };
    let mut rows = Rows { data, chunk, layout, seen: 0, empty: 0, misaligned: 0, first_misaligned: None, repeated_header: None };
    match &layout.map {
        Mapping::Portal(cols) => rows.each(sink, |r, at, sink| {
            let mut rec = SignIn::default();
            portal::map_row(r, cols, layout.event_type, &mut rec, off);
            rec.source = at;
            sink.push(&rec);
        }),
        Mapping::LogAnalytics(cols) => rows.each(sink, |r, at, sink| {
            let arena = typed_arena::Arena::new();
            let mut rec = SignIn::default();
            match log_analytics::map_row(r, cols, layout.event_type, &mut rec, &arena, off) {
                Kind::SignIn => {
                    rec.source = at;
                    sink.push(&rec);
                }
                Kind::Other(category) => sink.not_sign_in(&category),
            }
        }),
        Mapping::PowerShell(cols) => rows.each(sink, |r, at, sink| {
            let mut rec = SignIn::default();
            powershell::map_row(r, cols, &mut rec, off);
            rec.source = at;
            sink.push(&rec);
        }),
        Mapping::AuthDetails(cols) => {
            let mut tally = auth_details::Tally::default();
            rows.each(sink, |r, _, sink| {
                tally.add(r, cols);
                sink.not_sign_in(auth_details::CATEGORY);
            });
            if tally.rows > 0 {
                tally.report(sink);
            }
        }
    }
    rows.report(sink);
    rows.seen
}

/// Reads the records of one chunk and counts the odd ones.
struct Rows<'a> {
    data: &'a [u8],
    chunk: &'a Chunk,
    layout: &'a CsvLayout,
    seen: u64,
    empty: u64,
    misaligned: u64,
    first_misaligned: Option<u64>,
    repeated_header: Option<u64>,
}

impl Rows<'_> {
    /// Hand every data row whose cells line up with the header to `f`, with its position; reject
    /// the others. A row with a missing or extra cell (a stray or unbalanced quote) is never mapped
    /// by position: its `Username` cell could hold the user type, and the sign-in would be given to
    /// someone else.
    fn each(&mut self, sink: &mut Sink, mut f: impl FnMut(&ByteRecord, SourceRef, &mut Sink)) {
        let mut rdr = ReaderBuilder::new().delimiter(self.layout.delimiter).has_headers(false).flexible(true).from_reader(self.data);
        let mut rec = ByteRecord::new();
        let base = self.chunk.range.start as u64;
        // Line numbers are counted here: csv-core does not count the newlines inside quoted cells.
        let mut counted = (0usize, self.chunk.first_line);
        let mut line_of = |byte: u64| {
            let byte = usize::try_from(byte).unwrap_or(usize::MAX).min(self.data.len());
            if byte > counted.0 {
                counted.1 += memchr::memchr_iter(b'\n', &self.data[counted.0..byte]).count() as u64;
                counted.0 = byte;
            }
            counted.1
        };
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let byte = e.position().map_or(rdr.position().byte(), |p| p.byte());
                    let at = sink.begin(base.saturating_add(byte), Some(line_of(byte)));
                    sink.reject(at, format!("malformed CSV: {e}"));
                    continue;
                }
            }
            // With CRLF the reader stops between `\r` and `\n`: the record starts after the `\n`.
            let mut byte = rec.position().map_or(0, |p| p.byte());
            while self.data.get(byte as usize).is_some_and(|b| *b == b'\n' || *b == b'\r') {
                byte += 1;
            }
            let line = line_of(byte);
            if rec.as_slice().iter().all(u8::is_ascii_whitespace) {
                self.empty += 1;
                continue;
            }
            if rec.len() == self.layout.columns && rec.get(0) == Some(self.layout.raw_first.as_slice()) {
                self.repeated_header.get_or_insert(line);
                continue;
            }
            self.seen += 1;
            let at = sink.begin(base.saturating_add(byte), Some(line));
            if rec.len() != self.layout.columns {
                self.misaligned += 1;
                self.first_misaligned.get_or_insert(line);
                sink.reject(
                    at,
                    format!(
                        "{} cell(s) where the header has {}: the cells do not line up with the columns",
                        rec.len(),
                        self.layout.columns
                    ),
                );
                continue;
            }
            f(&rec, at, sink);
        }
    }

    fn report(&self, sink: &mut Sink) {
        if self.empty > 0 {
            sink.warn(format!("{} empty row(s) skipped", self.empty));
        }
        if let Some(l) = self.repeated_header {
            sink.warn(format!("the header line repeats at line {l} (files concatenated?): repeated headers skipped"));
        }
        if let Some(l) = self.first_misaligned {
            sink.warn(format!(
                "{} row(s) do not have the header's {} columns (first at line {l}: a missing cell or a stray quote?): rejected, never mapped by position",
                self.misaligned, self.layout.columns
            ));
        }
    }
}
