//! A large document that is one JSON array (the portal's JSON download, a `jq -s` of pages, an
//! export tool's array of records), parsed in pieces in parallel instead of as one document on one
//! thread.
//!
//! [`split::ArrayCutter`] finds top-level commas to cut at; each piece's elements are parsed here
//! one by one, exactly as the one-document path treats the elements of a top-level array (a record,
//! a page or batch, a nested array, or a rejected scalar), each cited at its own first byte. The
//! cuts depend only on the bytes, never on the thread count. A piece that is not clean JSON (a bad
//! separator, an element that does not parse) is reported as such, and the caller then parses the
//! whole input as one document, which says what is wrong with it exactly as before.

use typed_arena::Arena;

use super::classify::Declared;
use super::record::MapCtx;
use super::{Doc, RECORD_MIN_KEYS, record, split, walk, with_tape};
use crate::ingest::sink::Sink;
use crate::model::SignIn;

/// Records that repeat a key, and the first such key (added up over the pieces of one input, then
/// reported once, as for one document).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Repeats {
    pub records: u64,
    pub first: Option<String>,
}

impl Repeats {
    /// Add the repeats of a later piece or element.
    pub fn add(&mut self, later: Repeats) {
        self.records += later.records;
        if self.first.is_none() {
            self.first = later.first;
        }
    }

    /// Warn about them in `sink` (once per input, as [`MapCtx::report`] does per document).
    pub fn report(&self, sink: &mut Sink) {
        if let Some(k) = &self.first {
            sink.warn(super::record::repeated_key_warning(self.records, k));
        }
    }
}

/// Parse the elements of one piece `b`, which starts at byte `base` of the input, into `sink`.
/// `None` if the piece is not clean JSON (the caller falls back to the one-document path).
pub fn parse_piece(b: &[u8], base: u64, sink: &mut Sink, assumed_offset_secs: i32) -> Option<Repeats> {
    let mut repeats = Repeats::default();
    for el in split::piece_elements(b)? {
        let parsed = with_tape(&b[el.start..el.end], base + el.start as u64, |v, st| {
            let arena = Arena::new();
            let doc = Doc { st, ctx: MapCtx::new(&arena, assumed_offset_secs), line: None };
            match v.as_object() {
                Some(o) if o.len() >= RECORD_MIN_KEYS => {
                    let at = doc.begin(sink, v, 0);
                    record(&doc, o, at, Declared::Unknown, sink, &mut SignIn::default());
                }
                Some(_) => walk(&doc, v, 0, sink, 1, Declared::Unknown),
                None if v.as_array().is_some() => walk(&doc, v, 0, sink, 1, Declared::Unknown),
                None => {
                    let at = doc.begin(sink, v, 0);
                    sink.reject(at, "array element is not a sign-in object".into());
                }
            }
            let (records, first) = doc.ctx.repeats();
            Repeats { records, first }
        });
        repeats.add(parsed.ok()?);
    }
    Some(repeats)
}
