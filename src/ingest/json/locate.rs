//! Where each value of a parsed JSON document starts, from simd-json's structural index.
//!
//! simd-json's tape keeps no byte offsets, but its first stage lists the offset of every structural
//! character (`{ } [ ] : ,`) and of the first byte of every scalar and string
//! ([`simd_json::Buffers::structural_indexes`]). Walking that list alongside the tape gives the first
//! byte of every record for the cost of reading a few hundred integers per record, instead of a
//! second scan of the text: that is how citations point at the record itself, not at its page.
//!
//! A position is an index into the structural list. [`Structure`] never trusts the list blindly:
//! any position it cannot follow yields the document's own start, never a wrong record.
//!
//! Most records need not even that walk: simd-json leaves a string without escapes where it was in
//! the parsed copy, so the first key of a record points back to the record's `{` in O(1)
//! ([`Structure::opening_before`], checked against the original bytes before it is believed).

/// How a structural character changes the nesting depth.
const DEPTH: [i8; 256] = {
    let mut t = [0i8; 256];
    t[b'{' as usize] = 1;
    t[b'[' as usize] = 1;
    t[b'}' as usize] = -1;
    t[b']' as usize] = -1;
    t
};

/// The structural index of one parsed document.
#[derive(Clone, Copy)]
pub struct Structure<'a> {
    /// The bytes that were parsed (a whole input, a line, or one value cut out of an input).
    bytes: &'a [u8],
    /// simd-json's structural offsets into `bytes`.
    idx: &'a [u32],
    /// Offset of `bytes` in the input.
    base: u64,
    /// Address of the copy simd-json parsed (its strings borrow from it), 0 if unknown.
    copy: usize,
}

impl<'a> Structure<'a> {
    /// `copy` is the address of the buffer simd-json parsed (a copy of `bytes`, its strings point
    /// into it), 0 if unknown.
    pub fn new(bytes: &'a [u8], idx: &'a [u32], base: u64, copy: usize) -> Self {
        Structure { bytes, idx, base, copy }
    }

    /// A structure that knows no positions: every value is placed at `base`.
    pub fn at(base: u64) -> Structure<'static> {
        Structure { bytes: &[], idx: &[], base, copy: 0 }
    }

    /// Offset of the object (`open` = `{`) or array (`[`) whose first key or element is the string
    /// `first`, borrowed from the parsed copy: the last non-blank byte before the string's quote.
    /// `None` unless the original bytes confirm it (a string with escapes may live elsewhere).
    pub fn opening_before(&self, first: &str, open: u8) -> Option<u64> {
        if self.copy == 0 {
            return None;
        }
        let quote = (first.as_ptr() as usize).checked_sub(self.copy)?.checked_sub(1)?;
        if self.bytes.get(quote) != Some(&b'"') {
            return None;
        }
        let j = self.bytes[..quote].iter().rposition(|b| !b.is_ascii_whitespace())?;
        (self.bytes[j] == open).then_some(self.base + j as u64)
    }

    fn byte(&self, k: usize) -> Option<u8> {
        self.idx.get(k).and_then(|&i| self.bytes.get(i as usize)).copied()
    }

    /// Offset in the input of the value at position `k` (the document start if unknown).
    pub fn offset(&self, k: usize) -> u64 {
        match self.idx.get(k) {
            Some(&i) if (i as usize) < self.bytes.len() => self.base + i as u64,
            _ => self.base + self.bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0) as u64,
        }
    }

    /// Position just past the value at `k`.
    fn skip(&self, k: usize) -> usize {
        if !matches!(self.byte(k), Some(b'{' | b'[')) {
            return k + 1;
        }
        // Branch-free depth over the structurals: only brackets change it.
        let mut depth = 0i64;
        for (j, &i) in self.idx.iter().enumerate().skip(k) {
            depth += DEPTH[self.bytes.get(i as usize).copied().unwrap_or(b' ') as usize] as i64;
            if depth == 0 {
                return j + 1;
            }
        }
        self.idx.len()
    }

    /// Positions of the elements of the array at `k`; empty unless exactly `expected` are found
    /// (so a disagreement with the tape never shifts a citation onto another record).
    pub fn elements(&self, k: usize, expected: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(expected);
        if self.byte(k) != Some(b'[') {
            return Vec::new();
        }
        let mut j = k + 1;
        if self.byte(j) == Some(b']') {
            return out;
        }
        loop {
            if self.byte(j).is_none() {
                return Vec::new();
            }
            out.push(j);
            j = self.skip(j);
            match self.byte(j) {
                Some(b',') => j += 1,
                Some(b']') => break,
                _ => return Vec::new(),
            }
        }
        if out.len() == expected { out } else { Vec::new() }
    }

    /// Position of the value of `key` directly inside the object at `k` (its first occurrence).
    pub fn member(&self, k: usize, key: &[u8]) -> Option<usize> {
        if self.byte(k) != Some(b'{') {
            return None;
        }
        let mut j = k + 1;
        while self.byte(j) == Some(b'"') {
            let at = self.idx[j] as usize + 1;
            let value = j + 2;
            if self.bytes.get(at..at + key.len()) == Some(key) && self.bytes.get(at + key.len()) == Some(&b'"') {
                return Some(value);
            }
            j = self.skip(value);
            if self.byte(j) != Some(b',') {
                return None;
            }
            j += 1;
        }
        None
    }
}

/// The elements of one array: each placed from its own first string when it has one (O(1)),
/// otherwise from the structural index, walked once for the array on first need.
pub struct Elements<'s> {
    st: Structure<'s>,
    array: Option<usize>,
    len: usize,
    walked: Option<Vec<usize>>,
}

impl<'s> Elements<'s> {
    /// The `len` elements of the array at structural position `array` (if known).
    pub fn new(st: Structure<'s>, array: Option<usize>, len: usize) -> Self {
        Elements { st, array, len, walked: None }
    }

    /// Structural position of element `i`.
    pub fn position(&mut self, i: usize) -> Option<usize> {
        let (st, array, len) = (self.st, self.array, self.len);
        self.walked.get_or_insert_with(|| array.map(|a| st.elements(a, len)).unwrap_or_default()).get(i).copied()
    }

    /// Offset of element `i`, whose first key (`{`) or first string element (`[`) is `first`.
    pub fn offset(&mut self, i: usize, first: Option<(&str, u8)>) -> u64 {
        if let Some(at) = first.and_then(|(s, open)| self.st.opening_before(s, open)) {
            return at;
        }
        let p = self.position(i).unwrap_or(usize::MAX);
        self.st.offset(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_structure<T>(text: &str, f: impl FnOnce(Structure<'_>) -> T) -> T {
        let mut copy = text.as_bytes().to_vec();
        let mut buffers = simd_json::Buffers::default();
        let _tape = simd_json::to_tape_with_buffers(&mut copy, &mut buffers).unwrap();
        f(Structure::new(text.as_bytes(), buffers.structural_indexes(), 100, 0))
    }

    #[test]
    fn finds_records_of_a_page() {
        let text = r#" {"@odata.context":"x,]}","n":[1,{"a":"}"}],"value":[ {"id":"a","s":{"e":[1,2]}} , {"id":"b"},[] ]}"#;
        with_structure(text, |st| {
            let v = st.member(0, b"value").unwrap();
            let els = st.elements(v, 3);
            assert_eq!(els.len(), 3);
            assert_eq!(st.offset(els[0]), 100 + text.find(r#"{"id":"a""#).unwrap() as u64);
            assert_eq!(st.offset(els[1]), 100 + text.find(r#"{"id":"b""#).unwrap() as u64);
            assert_eq!(st.offset(els[2]), 100 + text.find("[]").unwrap() as u64);
            assert!(st.elements(v, 2).is_empty(), "a count that disagrees with the tape gives nothing");
            assert_eq!(st.member(0, b"missing"), None);
            assert_eq!(st.offset(0), 101);
        });
    }

    #[test]
    fn a_record_is_found_from_its_first_key() {
        let text = "[ {\n  \"id\": \"a\"}, {\"i\\u0064\":\"b\"}, 7 ]";
        let mut copy = text.as_bytes().to_vec();
        let addr = copy.as_ptr() as usize;
        let mut buffers = simd_json::Buffers::default();
        let tape = simd_json::to_tape_with_buffers(&mut copy, &mut buffers).unwrap();
        let st = Structure::new(text.as_bytes(), buffers.structural_indexes(), 10, addr);
        let a = tape.as_value().as_array().unwrap();
        let firsts: Vec<Option<&str>> = a.iter().map(|v| v.as_object().and_then(|o| o.keys().next())).collect();
        let mut els = Elements::new(st, Some(0), 3);
        assert_eq!(els.offset(0, firsts[0].map(|k| (k, b'{'))), 12);
        // An escaped key may not be where it was: the structural walk places it instead.
        assert_eq!(els.offset(1, firsts[1].map(|k| (k, b'{'))), 10 + text.find("{\"i").unwrap() as u64);
        assert_eq!(els.offset(2, None), 10 + text.find('7').unwrap() as u64);
    }

    #[test]
    fn unknown_positions_fall_back_to_the_document() {
        let st = Structure::at(7);
        assert_eq!(st.offset(3), 7);
        assert!(st.elements(0, 0).is_empty());
    }
}
