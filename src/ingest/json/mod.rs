//! Every JSON rendering of sign-in logs: Graph pages (v1.0, beta, `az rest`), arrays of pages or of
//! records, JSON lines, single records, Azure Monitor `{"records":[...]}` batches, Log Analytics rows
//! and query results, and PowerShell `ConvertTo-Json` output.
//!
//! The fast path parses a whole input with simd-json (into a reused, mutable copy: simd-json
//! unescapes strings in place, and evidence maps are read-only) and walks the tape; the structural
//! index simd-json built on the way ([`locate`]) gives the first byte of every record. When the input
//! is not one JSON document, the structural scanner in [`split`] finds the values it holds and each
//! is parsed alone ([`salvage`]), so one bad page costs only that page, and a truncated page keeps
//! every complete record before the cut.
//!
//! Each record is classified ([`classify::classify`]): a sign-in is mapped and pushed, a record of
//! another log (an audit event in the same diagnostic-settings export) is counted by its category.

pub mod array;
pub mod classify;
mod keys;
pub mod locate;
pub mod record;
mod salvage;
pub mod split;

use simd_json::prelude::*;
use simd_json::tape::{Object, Value};
use typed_arena::Arena;

use super::sink::Sink;
use crate::model::{SignIn, SourceRef};
use classify::{Declared, Kind, classify};
use locate::{Elements, Structure};
use record::MapCtx;

/// At least this many keys make an object a record rather than a container (pages, batches and
/// error envelopes have at most four keys; the sparsest real records have ten or more).
const RECORD_MIN_KEYS: usize = 6;

/// Reusable buffers of one worker thread: the mutable copy simd-json parses in place, and its own
/// aligned input, string and structural-index buffers. Allocating them afresh for every file of a
/// 1,000-file export costs page faults on every page of every file.
#[derive(Default)]
struct JsonScratch {
    copy: Vec<u8>,
    buffers: simd_json::Buffers,
}

/// A worker keeps its buffers up to this size; a larger input's are freed after it.
const KEEP_SCRATCH_BYTES: usize = 256 << 20;

thread_local! {
    static SCRATCH: std::cell::RefCell<JsonScratch> = std::cell::RefCell::new(JsonScratch::default());
}

/// Run `f` on a parsed copy of `bytes` (which start at byte `base` of the input) with this thread's
/// buffers, or say why it is not valid JSON. Never called from inside `f`.
fn with_tape<T>(bytes: &[u8], base: u64, f: impl FnOnce(Value<'_, '_>, Structure<'_>) -> T) -> Result<T, simd_json::Error> {
    SCRATCH.with_borrow_mut(|s| {
        s.copy.clear();
        s.copy.extend_from_slice(bytes);
        let JsonScratch { copy, buffers } = s;
        // Strings of the tape borrow from the copy: their addresses place records (`locate`).
        let addr = copy.as_ptr() as usize;
        let out = simd_json::to_tape_with_buffers(copy, buffers)
            .map(|tape| f(tape.as_value(), Structure::new(bytes, buffers.structural_indexes(), base, addr)));
        if s.copy.capacity() > KEEP_SCRATCH_BYTES {
            *s = JsonScratch::default();
        }
        out
    })
}

/// One parsed document: where its values start, the mapping context, and its line (JSON lines).
struct Doc<'s, 'x> {
    st: Structure<'s>,
    ctx: MapCtx<'x>,
    line: Option<u64>,
}

impl<'s> Doc<'s, '_> {
    /// Start the record `v`, at structural position `k` if its own first key cannot place it.
    fn begin(&self, sink: &mut Sink, v: Value<'_, '_>, k: usize) -> SourceRef {
        let at = first_string(v).and_then(|(s, open)| self.st.opening_before(s, open)).unwrap_or_else(|| self.st.offset(k));
        sink.begin(at, self.line)
    }

    /// The `len` elements of the array at structural position `array`.
    fn elements(&self, array: Option<usize>, len: usize) -> Elements<'s> {
        Elements::new(self.st, array, len)
    }

    /// Start element `i` of `els`, which is `v`.
    fn begin_element(&self, sink: &mut Sink, els: &mut Elements<'_>, i: usize, v: Value<'_, '_>) -> SourceRef {
        sink.begin(els.offset(i, first_string(v)), self.line)
    }
}

/// The first key of an object, or the first element of an array if it is a string, with the
/// bracket that opens the value: what places a value in O(1) ([`Structure::opening_before`]).
fn first_string<'i>(v: Value<'_, 'i>) -> Option<(&'i str, u8)> {
    if let Some(o) = v.as_object() {
        return o.keys().next().map(|k| (k, b'{'));
    }
    v.as_array().and_then(|a| a.iter().next()).and_then(|x| x.into_string()).map(|s| (s, b'['))
}

/// Parse one JSON input held in `bytes` (decoded text).
pub fn parse(bytes: &[u8], sink: &mut Sink, assumed_offset_secs: i32) {
    let parsed = with_tape(bytes, 0, |v, st| {
        let arena = Arena::new();
        let doc = Doc { st, ctx: MapCtx::new(&arena, assumed_offset_secs), line: None };
        walk(&doc, v, 0, sink, 0, Declared::Unknown);
        doc.ctx.report(sink);
    });
    if parsed.is_err() {
        parse_pieces(bytes, sink, assumed_offset_secs);
    }
}

/// The input is not one document: JSON lines, back-to-back values, a truncated or damaged file.
fn parse_pieces(bytes: &[u8], sink: &mut Sink, assumed_offset_secs: i32) {
    if looks_like_json_lines(bytes) {
        return parse_lines(bytes, sink, assumed_offset_secs, 0);
    }
    let mut junk = Vec::new();
    let spans = split::top_level(bytes, &mut junk);
    for j in &junk {
        let text = String::from_utf8_lossy(&bytes[j.start..j.end.min(j.start + 60)]);
        sink.warn(format!("skipped non-JSON text at byte {}: {:?}", j.start, text.trim_end()));
    }
    for s in spans {
        if !salvage::span(bytes, 0, s, sink, assumed_offset_secs, None, 0) {
            let at = sink.begin(s.start as u64, None);
            let what = if s.truncated { "truncated" } else { "invalid" };
            sink.reject(at, format!("{what} JSON value ({} bytes) with no readable records", s.end - s.start));
        }
    }
}

/// True when the first non-empty line is a complete JSON value and something follows it.
/// The first line may be cut (a file copied from the middle of a stream), so any of the first
/// [`JSON_LINES_PROBE`] lines being a complete, non-empty object or array is enough. Pretty-printed
/// JSON never has such a line (its objects span lines; `{}` alone is empty).
pub fn looks_like_json_lines(bytes: &[u8]) -> bool {
    let lines: Vec<&[u8]> = bytes.split(|&c| c == b'\n').filter(|l| !l.trim_ascii().is_empty()).take(JSON_LINES_PROBE).collect();
    if lines.len() < 2 {
        return false;
    }
    lines.iter().any(|l| {
        let mut copy = l.trim_ascii().to_vec();
        match simd_json::to_tape(&mut copy) {
            Ok(t) => {
                let v = t.as_value();
                v.as_object().is_some_and(|o| !o.is_empty()) || v.as_array().is_some_and(|a| !a.is_empty())
            }
            Err(_) => false,
        }
    })
}

/// Lines looked at to recognize JSON lines.
const JSON_LINES_PROBE: usize = 5;

/// One JSON value per line. `base` is the byte offset of `bytes` in the input. Lines are numbered
/// from 1 within `bytes` (a segment of a large file is renumbered once all segments are parsed).
pub fn parse_lines(bytes: &[u8], sink: &mut Sink, assumed_offset_secs: i32, base: u64) {
    let mut pieces = 0u64;
    for (n, (start, line)) in lines_of(bytes).enumerate() {
        pieces += 1;
        let lead = line.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(line.len());
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let line_no = Some(n as u64 + 1);
        let at = base + (start + lead) as u64;
        let parsed = with_tape(text, at, |v, st| {
            let arena = Arena::new();
            let doc = Doc { st, ctx: MapCtx::new(&arena, assumed_offset_secs), line: line_no };
            match v.as_object() {
                Some(o) if o.len() >= RECORD_MIN_KEYS => {
                    let at = doc.begin(sink, v, 0);
                    record(&doc, o, at, Declared::Unknown, sink, &mut SignIn::default());
                }
                _ => walk(&doc, v, 0, sink, 0, Declared::Unknown),
            }
            doc.ctx.report(sink);
        });
        if let Err(e) = parsed {
            // A page or array cut short keeps its complete records; anything else is one bad record.
            let end = start + lead + text.len();
            let span = split::Span { start: start + lead, end, truncated: split::value_end(&bytes[..end], start + lead).is_err() };
            if !salvage::span(bytes, base, span, sink, assumed_offset_secs, line_no, 0) {
                let r = sink.begin(at, line_no);
                sink.reject(r, format!("invalid JSON at byte {}: {:?}", at + e.index() as u64, e.error()));
            }
        }
    }
    // As many newlines as pieces between them, less one.
    sink.local_lines = Some(pieces.saturating_sub(1));
}

/// The lines of `b` split at `\n`, with their offsets, the text after the last newline included (as
/// `split` gives them, but found with `memchr`: a byte-at-a-time split was 10 % of a JSON-lines run).
fn lines_of(b: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut next = Some(0usize);
    std::iter::from_fn(move || {
        let s = next?;
        match memchr::memchr(b'\n', &b[s..]) {
            Some(k) => {
                next = Some(s + k + 1);
                Some((s, &b[s..s + k]))
            }
            None => {
                next = None;
                Some((s, &b[s..]))
            }
        }
    })
}

/// Walk a parsed value at structural position `pos`: a page, a batch, an array of either, or a record.
fn walk<'x>(doc: &Doc<'_, 'x>, v: Value<'_, 'x>, pos: usize, sink: &mut Sink, depth: u32, declared: Declared<'x>) {
    let mut rec = SignIn::default();
    let rec = &mut rec;
    if let Some(a) = v.as_array() {
        let mut els = doc.elements(Some(pos), a.len());
        for (i, el) in a.iter().enumerate() {
            match el.as_object() {
                Some(o) if o.len() >= RECORD_MIN_KEYS => {
                    let at = doc.begin_element(sink, &mut els, i, el);
                    record(doc, o, at, declared, sink, rec);
                }
                Some(_) if depth < 2 => walk(doc, el, els.position(i).unwrap_or(usize::MAX), sink, depth + 1, declared),
                None if depth < 2 && el.as_array().is_some() => {
                    walk(doc, el, els.position(i).unwrap_or(usize::MAX), sink, depth + 1, declared)
                }
                _ => {
                    let at = doc.begin_element(sink, &mut els, i, el);
                    sink.reject(at, "array element is not a sign-in object".into());
                }
            }
        }
        return;
    }
    let Some(o) = v.as_object() else {
        let at = doc.begin(sink, v, pos);
        sink.reject(at, "top-level JSON value is not an object or array".into());
        return;
    };
    if o.len() >= RECORD_MIN_KEYS {
        let at = doc.begin(sink, v, pos);
        return record(doc, o, at, declared, sink, rec);
    }
    container(doc, o, pos, sink, rec, declared);
}

/// A small object: a Graph page, an Azure Monitor batch, a query result, a saved error, or a sparse
/// single record.
fn container<'x>(doc: &Doc<'_, 'x>, o: Object<'_, 'x>, pos: usize, sink: &mut Sink, rec: &mut SignIn<'x>, declared: Declared<'x>) {
    let mut value = None;
    let mut records = None;
    let mut context = None;
    let mut next = false;
    let mut error = None;
    let mut tables = None;
    for (k, x) in o.iter() {
        match k {
            "value" => value = x.as_array(),
            "records" => records = x.as_array(),
            "@odata.context" => context = x.into_string(),
            "@odata.nextLink" => next = x.into_string().is_some_and(|s| !s.is_empty()),
            "error" => error = x.as_object(),
            "tables" => tables = x.as_array(),
            _ => {}
        }
    }
    if value.is_some() || records.is_some() || error.is_some() || tables.is_some() {
        sink.containers += 1;
    }
    if let Some(items) = value {
        sink.pages += 1;
        sink.last_page_has_next = next;
        if next {
            sink.pages_with_next += 1;
        }
        sink.set_format(match context {
            Some(c) if crate::ingest::ual::json::is_query_context(c) => crate::ingest::ual::Shape::GraphQuery.label(),
            Some(c) if c.contains("/beta/") => "graph-beta",
            Some(c) if c.contains("/v1.0/") => "graph-v1.0",
            _ => "graph-page",
        });
        let declared = match Declared::from_context(context) {
            Declared::Unknown => declared,
            d => d,
        };
        items_of(doc, items, doc.st.member(pos, b"value"), sink, rec, declared, "page element is not an object");
    } else if let Some(items) = records {
        sink.set_format("azure-monitor");
        items_of(doc, items, doc.st.member(pos, b"records"), sink, rec, declared, "records element is not an object");
    } else if let Some(e) = error {
        let field = |k: &str| e.get(k).and_then(|v| v.into_string()).unwrap_or("").to_string();
        sink.warn(format!("byte {}: a saved Graph error response, not a page: {} {}", doc.st.offset(pos), field("code"), field("message")));
    } else if let Some(t) = tables {
        log_analytics_tables(doc, t, doc.st.member(pos, b"tables"), sink);
    } else {
        // A sparse single record (few keys): let the record test decide.
        let at = sink.begin(o.keys().next().and_then(|k| doc.st.opening_before(k, b'{')).unwrap_or_else(|| doc.st.offset(pos)), doc.line);
        record(doc, o, at, declared, sink, rec);
    }
}

/// The records of a page's `value` or a batch's `records` (at structural position `pos`, if known).
fn items_of<'x>(
    doc: &Doc<'_, 'x>,
    items: simd_json::tape::Array<'_, 'x>,
    pos: Option<usize>,
    sink: &mut Sink,
    rec: &mut SignIn<'x>,
    declared: Declared<'x>,
    not_object: &str,
) {
    let mut els = doc.elements(pos, items.len());
    for (i, el) in items.iter().enumerate() {
        let start = doc.begin_element(sink, &mut els, i, el);
        match el.as_object() {
            Some(r) => record(doc, r, start, declared, sink, rec),
            None => sink.reject(start, not_object.into()),
        }
    }
}

/// `{"tables":[{"name":..,"columns":[{"name":..,"type":..}],"rows":[[..]]}]}` (Log Analytics query API).
fn log_analytics_tables<'x>(doc: &Doc<'_, 'x>, tables: simd_json::tape::Array<'_, 'x>, pos: Option<usize>, sink: &mut Sink) {
    sink.set_format("log-analytics-query");
    let mut rec = SignIn::default();
    let mut table_at = doc.elements(pos, tables.len());
    for (ti, t) in tables.iter().enumerate() {
        let Some(t) = t.as_object() else { continue };
        let names: Vec<&str> = t
            .get("columns")
            .and_then(|c| c.as_array())
            .map(|c| c.iter().map(|col| col.get("name").and_then(|n| n.into_string()).unwrap_or("")).collect())
            .unwrap_or_default();
        let Some(rows) = t.get("rows").and_then(|r| r.as_array()) else { continue };
        let rows_pos = table_at.position(ti).and_then(|k| doc.st.member(k, b"rows"));
        let mut row_at = doc.elements(rows_pos, rows.len());
        for (ri, row) in rows.iter().enumerate() {
            let at = doc.begin_element(sink, &mut row_at, ri, row);
            let Some(cells) = row.as_array() else {
                sink.reject(at, "query result row is not an array".into());
                continue;
            };
            rec.clear();
            let mut fb = record::Fallbacks::default();
            for (name, cell) in names.iter().zip(cells.iter()) {
                record::apply_field(name, cell, &mut rec, &mut fb, &doc.ctx);
            }
            record::finish(&mut rec, &mut fb);
            note_custom(&fb, sink);
            match classify(&fb, Declared::Unknown) {
                Kind::SignIn => {
                    rec.source = at;
                    sink.push(&rec);
                }
                Kind::Other(category) => sink.not_sign_in(&category),
            }
        }
    }
}

/// Map one record object that starts at `at`. `rec` is reused across the records of a page (its
/// vectors keep their capacity), so a page costs no per-record allocation on the common path.
fn record<'x>(doc: &Doc<'_, 'x>, o: Object<'_, 'x>, at: SourceRef, declared: Declared<'x>, sink: &mut Sink, rec: &mut SignIn<'x>) {
    rec.clear();
    let fb = record::map_fields(&o, rec, &doc.ctx);
    if fb.ual.is_ual() {
        return crate::ingest::ual::json::record(&o, at, fb.ual, sink, rec, &doc.ctx);
    }
    for f in &doc.ctx.lost {
        rec.mark_lost(f);
    }
    if sink.format.is_none() {
        sink.set_format(if fb.azure_monitor {
            "azure-monitor"
        } else if fb.log_analytics {
            "log-analytics-json"
        } else if fb.pascal {
            "powershell-json"
        } else {
            "graph-records"
        });
    }
    note_custom(&fb, sink);
    match classify(&fb, declared) {
        Kind::SignIn => {
            rec.source = at;
            sink.push(rec);
        }
        Kind::Other(category) => sink.not_sign_in(&category),
    }
}

/// Say once per input that custom-table column names were read as their native columns.
fn note_custom(fb: &record::Fallbacks<'_>, sink: &mut Sink) {
    if fb.custom_columns {
        sink.warn(
            "note: Log Analytics custom-table columns (`_dynamic`, `_string`, `_s`, `_d`, `_b`, `_g`, `_t`) read as their native columns",
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_are_cut_as_split_cuts_them() {
        for b in [&b""[..], b"\n", b"a", b"a\n", b"a\nbc\n\nd", b"\n\na\r\n"] {
            let ours: Vec<(usize, &[u8])> = super::lines_of(b).collect();
            let mut at = 0;
            let split: Vec<(usize, &[u8])> = b
                .split(|&c| c == b'\n')
                .map(|l| {
                    at += l.len() + 1;
                    (at - l.len() - 1, l)
                })
                .collect();
            assert_eq!(ours, split, "{:?}", String::from_utf8_lossy(b));
        }
    }
}
