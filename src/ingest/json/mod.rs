//! Every JSON rendering of sign-in logs: Graph pages (v1.0, beta, `az rest`), arrays of pages or of
//! records, JSON lines, single records, Azure Monitor `{"records":[...]}` batches, Log Analytics rows
//! and query results, and PowerShell `ConvertTo-Json` output.
//!
//! The fast path parses a whole input with simd-json (into a reused, mutable copy: simd-json
//! unescapes strings in place, and evidence maps are read-only) and walks the tape. When the input is
//! not one JSON document, the structural scanner in [`split`] finds the values it holds and each is
//! parsed alone, so one bad page costs only that page, and a truncated page keeps every complete
//! record before the cut.

pub mod record;
pub mod split;

use simd_json::prelude::*;
use simd_json::tape::{Object, Value};
use typed_arena::Arena;

use super::sink::{Sink, position};
use crate::model::SignIn;
use record::{MapCtx, map_object};

/// At least this many keys make an object a record rather than a container (pages, batches and
/// error envelopes have at most four keys; the sparsest real records have ten or more).
const RECORD_MIN_KEYS: usize = 6;

/// An object with at least this many sign-in keys is a sign-in, even if it cannot be normalized
/// (then it is rejected, not ignored); fewer, and the file is not a sign-in export at all.
const SIGN_IN_MIN_KNOWN_KEYS: u32 = 3;

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

/// Run `f` on a parsed copy of `bytes`, with this thread's buffers; `None` if it is not valid JSON.
fn with_tape<T>(bytes: &[u8], f: impl FnOnce(Value<'_, '_>) -> T) -> Option<T> {
    SCRATCH.with_borrow_mut(|s| {
        s.copy.clear();
        s.copy.extend_from_slice(bytes);
        let JsonScratch { copy, buffers } = s;
        let out = simd_json::to_tape_with_buffers(copy, buffers).ok().map(|tape| f(tape.as_value()));
        if s.copy.capacity() > KEEP_SCRATCH_BYTES {
            *s = JsonScratch::default();
        }
        out
    })
}

/// Parse one JSON input held in `bytes` (decoded text).
pub fn parse(bytes: &[u8], sink: &mut Sink, assumed_offset_secs: i32) {
    let parsed = with_tape(bytes, |v| {
        let arena = Arena::new();
        let ctx = MapCtx { arena: &arena, assumed_offset_secs };
        walk(v, 0, sink, &ctx, 0);
    });
    if parsed.is_none() {
        parse_pieces(bytes, sink, assumed_offset_secs);
    }
}

/// The input is not one document: JSON lines, back-to-back values, a truncated or damaged file.
fn parse_pieces(bytes: &[u8], sink: &mut Sink, assumed_offset_secs: i32) {
    if looks_like_json_lines(bytes) {
        return parse_lines(bytes, sink, assumed_offset_secs, 0, Some(0));
    }
    let mut junk = Vec::new();
    let spans = split::top_level(bytes, &mut junk);
    for j in &junk {
        let text = String::from_utf8_lossy(&bytes[j.start..j.end.min(j.start + 60)]);
        sink.warn(format!("skipped non-JSON text at byte {}: {:?}", j.start, text.trim_end()));
    }
    for s in spans {
        parse_span(bytes, s, sink, assumed_offset_secs, 0);
    }
}

/// One value the scanner found: parse it alone, repair trailing commas, or salvage its records.
fn parse_span(bytes: &[u8], s: split::Span, sink: &mut Sink, assumed_offset_secs: i32, depth: u32) {
    let mut buf = bytes[s.start..s.end].to_vec();
    if !s.truncated {
        if let Ok(tape) = simd_json::to_tape(&mut buf) {
            let arena = Arena::new();
            let ctx = MapCtx { arena: &arena, assumed_offset_secs };
            return walk(tape.as_value(), s.start as u64, sink, &ctx, 0);
        }
        let mut repaired = bytes[s.start..s.end].to_vec();
        let removed = split::strip_trailing_commas(&mut repaired);
        if removed > 0
            && let Ok(tape) = simd_json::to_tape(&mut repaired)
        {
            sink.warn(format!(
                "byte {}: invalid JSON repaired: {removed} trailing comma(s) removed (hand-edited or documentation JSON)",
                s.start
            ));
            let arena = Arena::new();
            let ctx = MapCtx { arena: &arena, assumed_offset_secs };
            return walk(tape.as_value(), s.start as u64, sink, &ctx, 0);
        }
    }
    // Salvage: the records inside a page / batch / array, each on its own.
    let inner = match bytes[s.start] {
        b'[' => Some(s.start),
        _ => split::member_array(bytes, s.start, s.end, b"value").or_else(|| split::member_array(bytes, s.start, s.end, b"records")),
    };
    let what = if s.truncated { "truncated" } else { "invalid" };
    match inner {
        Some(at) if depth < 2 => {
            let elements = split::array_elements(bytes, at, s.end);
            sink.warn(format!(
                "byte {}: {what} JSON value; its {} complete element(s) were read one by one",
                s.start,
                elements.iter().filter(|e| !e.truncated).count()
            ));
            if bytes[s.start] == b'{' {
                sink.pages += 1;
                sink.set_format("graph-page");
            }
            for (i, e) in elements.into_iter().enumerate() {
                if e.truncated {
                    sink.reject(position(e.start as u64, i as u32, None), "record cut short (truncated file)".into());
                    continue;
                }
                let mut one = bytes[e.start..e.end].to_vec();
                match simd_json::to_tape(&mut one) {
                    Ok(tape) => {
                        let arena = Arena::new();
                        let ctx = MapCtx { arena: &arena, assumed_offset_secs };
                        let v = tape.as_value();
                        match v.as_object() {
                            Some(o) if o.len() >= RECORD_MIN_KEYS => {
                                record(o, s.start as u64, i as u32, None, sink, &ctx, &mut SignIn::default())
                            }
                            _ => walk(v, e.start as u64, sink, &ctx, depth + 1),
                        }
                    }
                    Err(err) => sink.reject(
                        position(e.start as u64, i as u32, None),
                        format!("invalid JSON at byte {}: {}", e.start + err.index(), err),
                    ),
                }
            }
        }
        _ => sink
            .reject(position(s.start as u64, 0, None), format!("{what} JSON value ({} bytes) with no readable records", s.end - s.start)),
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

/// One JSON value per line. `base` is the byte offset of `bytes` in the input; `line_base` the number
/// of lines before it, when known (a segment of a large file only knows its byte offset).
pub fn parse_lines(bytes: &[u8], sink: &mut Sink, assumed_offset_secs: i32, base: u64, line_base: Option<u64>) {
    let mut offset = base as usize;
    for (n, line) in bytes.split(|&c| c == b'\n').enumerate() {
        let start = offset;
        offset += line.len() + 1;
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let line_no = line_base.map(|b| b + n as u64 + 1);
        let parsed = with_tape(text, |v| {
            let arena = Arena::new();
            let ctx = MapCtx { arena: &arena, assumed_offset_secs };
            match v.as_object() {
                Some(o) if o.len() >= RECORD_MIN_KEYS => record(o, start as u64, 0, line_no, sink, &ctx, &mut SignIn::default()),
                _ => walk(v, start as u64, sink, &ctx, 0),
            }
        });
        if parsed.is_none() {
            // Parse again on a plain copy only to say why (the rare path).
            let mut buf = text.to_vec();
            let why =
                simd_json::to_tape(&mut buf).err().map_or_else(|| "invalid JSON".to_string(), |e| format!("invalid JSON: {:?}", e.error()));
            sink.reject(position(start as u64, 0, line_no), why);
        }
    }
}

/// Walk a parsed value: a page, a batch, an array of either, or a record.
fn walk<'x>(v: Value<'_, 'x>, base: u64, sink: &mut Sink, ctx: &MapCtx<'x>, depth: u32) {
    let mut rec = SignIn::default();
    let rec = &mut rec;
    if let Some(a) = v.as_array() {
        for (i, el) in a.iter().enumerate() {
            match el.as_object() {
                Some(o) if o.len() >= RECORD_MIN_KEYS => record(o, base, i as u32, None, sink, ctx, rec),
                Some(_) if depth < 2 => walk(el, base, sink, ctx, depth + 1),
                None if depth < 2 && el.as_array().is_some() => walk(el, base, sink, ctx, depth + 1),
                _ => sink.reject(position(base, i as u32, None), "array element is not a sign-in object".into()),
            }
        }
        return;
    }
    let Some(o) = v.as_object() else {
        sink.reject(position(base, 0, None), "top-level JSON value is not an object or array".into());
        return;
    };
    if o.len() >= RECORD_MIN_KEYS {
        return record(o, base, 0, None, sink, ctx, rec);
    }
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
            Some(c) if c.contains("/beta/") => "graph-beta",
            Some(c) if c.contains("/v1.0/") => "graph-v1.0",
            _ => "graph-page",
        });
        for (i, el) in items.iter().enumerate() {
            match el.as_object() {
                Some(r) => record(r, base, i as u32, None, sink, ctx, rec),
                None => sink.reject(position(base, i as u32, None), "page element is not an object".into()),
            }
        }
    } else if let Some(items) = records {
        sink.set_format("azure-monitor");
        for (i, el) in items.iter().enumerate() {
            match el.as_object() {
                Some(r) => record(r, base, i as u32, None, sink, ctx, rec),
                None => sink.reject(position(base, i as u32, None), "records element is not an object".into()),
            }
        }
    } else if let Some(e) = error {
        let field = |k: &str| e.get(k).and_then(|v| v.into_string()).unwrap_or("").to_string();
        sink.warn(format!("byte {base}: a saved Graph error response, not a page: {} {}", field("code"), field("message")));
    } else if let Some(t) = tables {
        log_analytics_tables(t, base, sink, ctx);
    } else {
        // A sparse single record (few keys): let the record test decide.
        record(o, base, 0, None, sink, ctx, rec);
    }
}

/// `{"tables":[{"name":..,"columns":[{"name":..,"type":..}],"rows":[[..]]}]}` (Log Analytics query API).
fn log_analytics_tables<'x>(tables: simd_json::tape::Array<'_, 'x>, base: u64, sink: &mut Sink, ctx: &MapCtx<'x>) {
    sink.set_format("log-analytics-query");
    let mut rec = SignIn::default();
    let mut index = 0u32;
    for t in tables.iter() {
        let Some(t) = t.as_object() else { continue };
        let names: Vec<&str> = t
            .get("columns")
            .and_then(|c| c.as_array())
            .map(|c| c.iter().map(|col| col.get("name").and_then(|n| n.into_string()).unwrap_or("")).collect())
            .unwrap_or_default();
        let Some(rows) = t.get("rows").and_then(|r| r.as_array()) else { continue };
        for row in rows.iter() {
            let Some(cells) = row.as_array() else { continue };
            rec.clear();
            let mut fb = record::Fallbacks::default();
            for (name, cell) in names.iter().zip(cells.iter()) {
                record::apply_field(name, cell, &mut rec, &mut fb, ctx);
            }
            record::finish(&mut rec, &mut fb);
            rec.source = crate::model::SourceRef { offset: base, index, line: None };
            sink.push(&rec);
            index += 1;
        }
    }
}

/// Map one record object. `rec` is reused across the records of a page (its vectors keep their
/// capacity), so a page costs no per-record allocation on the common path.
fn record<'x>(o: Object<'_, 'x>, base: u64, index: u32, line: Option<u64>, sink: &mut Sink, ctx: &MapCtx<'x>, rec: &mut SignIn<'x>) {
    rec.clear();
    let fb = map_object(o, rec, ctx);
    if fb.known >= SIGN_IN_MIN_KNOWN_KEYS {
        sink.signin_like += 1;
    }
    rec.source = crate::model::SourceRef { offset: base, index, line };
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
    sink.push(rec);
}
