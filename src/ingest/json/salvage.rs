//! Reading what is whole in JSON that is not: one value the structural scanner cut out of a damaged
//! input, a truncated page (its complete records are kept, wherever the cut is), trailing commas
//! (blanked, so every byte keeps its offset), and a record whose only fault is a number out of range
//! (`1e400`, an ASN of 26 digits: the field is nulled, marked lost and warned about).

use simd_json::prelude::*;
use typed_arena::Arena;

use super::classify::Declared;
use super::record::MapCtx;
use super::split::{self, Span};
use super::{Doc, RECORD_MIN_KEYS, record, walk, with_tape};
use crate::ingest::sink::Sink;
use crate::model::SignIn;

/// How many out-of-range numbers one record may have nulled before it is rejected instead.
const MAX_NUMBER_REPAIRS: usize = 8;

/// One value of `bytes` (which start at byte `base` of the input): parse it alone, repair it, or
/// salvage the records of the page / batch / array it is. Returns `false` when nothing could be
/// read (the caller rejects it as one record); every record it did read is accounted for in `sink`.
pub(super) fn span(bytes: &[u8], base: u64, s: Span, sink: &mut Sink, off: i32, line: Option<u64>, depth: u32) -> bool {
    let text = &bytes[s.start..s.end];
    let at = base + s.start as u64;
    if !s.truncated {
        if whole(text, at, sink, off, line, depth, &[]).is_ok() {
            return true;
        }
        let mut repaired = text.to_vec();
        let blanked = split::blank_trailing_commas(&mut repaired);
        if blanked > 0 && whole(&repaired, at, sink, off, line, depth, &[]).is_ok() {
            sink.warn(format!("byte {at}: invalid JSON repaired: {blanked} trailing comma(s) ignored (hand-edited or documentation JSON)"));
            return true;
        }
    }
    let inner = match bytes[s.start] {
        b'[' => Some((s.start, None)),
        _ => split::member_array(bytes, s.start, s.end, b"value")
            .map(|i| (i, Some("graph-page")))
            .or_else(|| split::member_array(bytes, s.start, s.end, b"records").map(|i| (i, Some("azure-monitor")))),
    };
    let Some((array, container)) = inner.filter(|_| depth < 2) else {
        // One record that does not parse: repair a bad number, or reject it with the parser's reason.
        if !s.truncated && text.first() == Some(&b'{') {
            element(text, at, sink, off, line, depth);
            return true;
        }
        return false;
    };
    if let Some(format) = container {
        // A page or batch, even one cut inside its first record, makes this a sign-in export.
        sink.containers += 1;
        sink.set_format(format);
        if format == "graph-page" {
            // Whether the cut page pointed further is unknown: claim nothing about the set.
            sink.pages += 1;
            sink.last_page_has_next = false;
        }
    }
    let elements = split::array_elements(bytes, array, s.end);
    sink.warn(format!(
        "byte {at}: {} JSON value; its {} complete element(s) were read one by one",
        if s.truncated { "truncated" } else { "invalid" },
        elements.iter().filter(|e| !e.truncated).count()
    ));
    for e in elements {
        let e_at = base + e.start as u64;
        if e.truncated {
            let r = sink.begin(e_at, line);
            sink.reject(r, "record cut short (truncated file)".into());
        } else {
            element(&bytes[e.start..e.end], e_at, sink, off, line, depth);
        }
    }
    true
}

/// One element of a salvaged array, at byte `at` of the input.
fn element(text: &[u8], at: u64, sink: &mut Sink, off: i32, line: Option<u64>, depth: u32) {
    let first = match whole(text, at, sink, off, line, depth + 1, &[]) {
        Ok(()) => return,
        Err(e) => e,
    };
    if let Some((fixed, fields)) = null_bad_numbers(text, &first) {
        if let Some((key, number)) = fields.iter().find(|(k, _)| is_result_key(k)) {
            // Nulling the result would make a failure look like a success.
            let r = sink.begin(at, line);
            return sink.reject(r, format!("the sign-in's result `{key}` is a number out of range ({number})"));
        }
        let lost: Vec<&'static str> = fields.iter().map(|(k, _)| lost_name(k)).collect();
        if whole(&fixed, at, sink, off, line, depth + 1, &lost).is_ok() {
            let (key, number) = &fields[0];
            sink.warn(format!(
                "record at byte {at}: number out of range in `{key}` ({number}); the field was left empty and the rest of the record kept"
            ));
            return;
        }
    }
    let r = sink.begin(at, line);
    sink.reject(r, format!("invalid JSON at byte {}: {:?}", at + first.index() as u64, first.error()));
}

/// Parse `text` (at byte `at`) as one value and walk it; `lost` names fields a repair emptied.
fn whole(
    text: &[u8],
    at: u64,
    sink: &mut Sink,
    off: i32,
    line: Option<u64>,
    depth: u32,
    lost: &[&'static str],
) -> Result<(), simd_json::Error> {
    with_tape(text, at, |v, st| {
        let arena = Arena::new();
        let mut doc = Doc { st, ctx: MapCtx::new(&arena, off), line };
        doc.ctx.lost = lost.to_vec();
        match v.as_object() {
            Some(o) if o.len() >= RECORD_MIN_KEYS => {
                let r = doc.begin(sink, v, 0);
                record(&doc, o, r, Declared::Unknown, sink, &mut SignIn::default());
            }
            _ => walk(&doc, v, 0, sink, depth, Declared::Unknown),
        }
        doc.ctx.report(sink);
    })
}

/// A number that was nulled: its key and its text.
type Nulled = (String, String);

/// Is `b` part of a JSON number token?
fn number_byte(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
}

/// `text` with every number simd-json cannot represent replaced by `null` (padded with spaces, so
/// offsets do not move), and the (key, number) pairs replaced; `None` if the error is not about a
/// number or the record has too many of them.
fn null_bad_numbers(text: &[u8], first: &simd_json::Error) -> Option<(Vec<u8>, Vec<Nulled>)> {
    use simd_json::ErrorType::{InvalidExponent, InvalidNumber, Overflow};
    let mut fixed = text.to_vec();
    let mut fields = Vec::new();
    let mut err_at = Some(first.index()).filter(|_| matches!(first.error(), InvalidNumber | InvalidExponent | Overflow));
    while let Some(i) = err_at {
        let mut start = i.min(fixed.len());
        while start > 0 && number_byte(fixed[start - 1]) {
            start -= 1;
        }
        let end = start + fixed[start..].iter().take_while(|&&b| number_byte(b)).count();
        // Only a number of at least 4 characters can be out of range, and `null` fits in it.
        if end - start < 4 || fields.len() >= MAX_NUMBER_REPAIRS {
            return None;
        }
        fields.push((key_before(&fixed, start), String::from_utf8_lossy(&fixed[start..end]).into_owned()));
        fixed[start..start + 4].copy_from_slice(b"null");
        fixed[start + 4..end].fill(b' ');
        let mut probe = fixed.clone();
        err_at = match simd_json::to_tape(&mut probe) {
            Ok(_) => None,
            Err(e) if matches!(e.error(), InvalidNumber | InvalidExponent | Overflow) => Some(e.index()),
            Err(_) => return None,
        };
    }
    (!fields.is_empty()).then_some((fixed, fields))
}

/// The object key written just before the value at `at` (`"key": value`), for the warning.
fn key_before(text: &[u8], at: usize) -> String {
    let before = text[..at].trim_ascii_end();
    let Some(before) = before.strip_suffix(b":") else { return "?".into() };
    let before = before.trim_ascii_end();
    let Some(body) = before.strip_suffix(b"\"") else { return "?".into() };
    let start = body.iter().rposition(|&b| b == b'"').map_or(0, |i| i + 1);
    String::from_utf8_lossy(&body[start..]).into_owned()
}

fn is_result_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("errorCode") || key.eq_ignore_ascii_case("resultType") || key.eq_ignore_ascii_case("StatusErrorCode")
}

/// The name recorded in `lost_fields` for a nulled number (the Graph name of the fields the model
/// reads; any other key is one the model ignores anyway).
fn lost_name(key: &str) -> &'static str {
    match key.to_ascii_lowercase().as_str() {
        "latitude" => "location.geoCoordinates.latitude",
        "longitude" => "location.geoCoordinates.longitude",
        "autonomoussystemnumber" => "autonomousSystemNumber",
        _ => "other number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_numbers_are_nulled_in_place() {
        let text = br#"{"a": 1, "autonomousSystemNumber": 100000000000000000000000000, "geo": {"latitude": 1e400}}"#;
        let mut probe = text.to_vec();
        let err = simd_json::to_tape(&mut probe).unwrap_err();
        let (fixed, fields) = null_bad_numbers(text, &err).expect("repairable");
        assert_eq!(fixed.len(), text.len(), "offsets do not move");
        assert_eq!(fields[0], ("autonomousSystemNumber".to_string(), "100000000000000000000000000".to_string()));
        assert_eq!(fields[1].0, "latitude");
        let mut probe = fixed.clone();
        assert!(simd_json::to_tape(&mut probe).is_ok());
        let mut other = br#"{"a": "unterminated}"#.to_vec();
        let err = simd_json::to_tape(&mut other).unwrap_err();
        assert!(null_bad_numbers(br#"{"a": "unterminated}"#, &err).is_none());
    }
}
