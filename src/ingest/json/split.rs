//! A structural scanner that finds where JSON values begin and end without parsing them.
//!
//! Used when a file is not one JSON document: pages appended back to back (`az rest ... >> f`),
//! Extractor-Suite's back-to-back arrays, pretty-printed records one after another, a page cut short,
//! and for splitting very large files into segments that can be parsed in parallel. It only tracks
//! strings (skipped with `memchr`) and bracket depth, so it runs at memory speed on string-heavy
//! sign-in JSON. It never decides validity: the parser does that on each span it returns.

use memchr::memchr2;

/// A byte range holding one JSON value (or what is left of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// The value was still open at the end of the input (a truncated file).
    pub truncated: bool,
}

/// Text between values that is not JSON (a `WARNING:` line mixed in by `2>&1`, a shell prompt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Junk {
    pub start: usize,
    pub end: usize,
}

/// End (exclusive) of the string whose opening quote is at `i`, or `None` if unterminated.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let k = j + memchr2(b'"', b'\\', &b[j..])?;
        if b[k] == b'"' {
            return Some(k + 1);
        }
        j = k + 2;
        if j > b.len() {
            return None;
        }
    }
}

/// End (exclusive) of the object or array opening at `i`; `Err(len)` if the input ends first.
pub fn value_end(b: &[u8], i: usize) -> Result<usize, usize> {
    let mut depth = 0usize;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'"' => match skip_string(b, j) {
                Some(k) => {
                    j = k;
                    continue;
                }
                None => return Err(b.len()),
            },
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Ok(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
    Err(b.len())
}

fn skip_separators(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
        i += 1;
    }
    i
}

/// Top-level values of `b`. Scalars and other text between values are reported as junk.
pub fn top_level(b: &[u8], junk: &mut Vec<Junk>) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut i = skip_separators(b, 0);
    while i < b.len() {
        if b[i] == b'{' || b[i] == b'[' {
            match value_end(b, i) {
                Ok(end) => {
                    spans.push(Span { start: i, end, truncated: false });
                    i = end;
                }
                Err(end) => {
                    spans.push(Span { start: i, end, truncated: true });
                    break;
                }
            }
        } else {
            let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k + 1);
            junk.push(Junk { start: i, end });
            i = end;
        }
        i = skip_separators(b, i);
    }
    spans
}

/// Elements of the array spanning `[start, end)` (`b[start] == b'['`), scalars included (a `null`
/// where a record should be is still an element, rejected as such). The last element is marked
/// truncated when the array is cut short.
pub fn array_elements(b: &[u8], start: usize, end: usize) -> Vec<Span> {
    let b = &b[..end];
    let mut out = Vec::new();
    let mut i = skip_separators(b, start + 1);
    while i < b.len() && b[i] != b']' {
        let (e, truncated) = match b[i] {
            b'{' | b'[' => match value_end(b, i) {
                Ok(e) => (e, false),
                Err(e) => (e, true),
            },
            b'"' => match skip_string(b, i) {
                Some(e) => (e, false),
                None => (b.len(), true),
            },
            _ => (i + b[i..].iter().take_while(|&&c| !matches!(c, b',' | b']') && !c.is_ascii_whitespace()).count().max(1), false),
        };
        out.push(Span { start: i, end: e, truncated });
        if truncated {
            break;
        }
        i = skip_separators(b, e);
    }
    out
}

/// Position of the `[` of the array stored under `key` directly inside the object at `start`.
pub fn member_array(b: &[u8], start: usize, end: usize, key: &[u8]) -> Option<usize> {
    let b = &b[..end];
    let mut i = start + 1;
    while i < b.len() {
        i = skip_separators(b, i);
        if i >= b.len() || b[i] != b'"' {
            return None;
        }
        let kend = skip_string(b, i)?;
        let name = &b[i + 1..kend - 1];
        i = skip_separators(b, kend);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_separators(b, i + 1);
        let v = *b.get(i)?;
        if name == key {
            return (v == b'[').then_some(i);
        }
        i = match v {
            b'{' | b'[' => value_end(b, i).ok()?,
            b'"' => skip_string(b, i)?,
            _ => {
                let mut j = i;
                while j < b.len() && !matches!(b[j], b',' | b'}') {
                    j += 1;
                }
                j
            }
        };
    }
    None
}

/// Blank (replace with a space) every comma that directly precedes `}` or `]` outside strings, so
/// the value parses and every byte keeps its offset. Returns the number blanked. Hand-edited and
/// documentation JSON often has them; Graph itself never writes them.
pub fn blank_trailing_commas(b: &mut [u8]) -> usize {
    let mut blanked = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i = skip_string(b, i).unwrap_or(b.len());
                continue;
            }
            b',' => {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && (b[j] == b'}' || b[j] == b']') {
                    b[i] = b' ';
                    blanked += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    blanked
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn back_to_back_values_and_junk() {
        let b = b"{\"a\":\"}\"}\r\n[1,{\"b\":[]}]\nWARNING: throttled\n{\"c\":";
        let mut junk = Vec::new();
        let spans = top_level(b, &mut junk);
        assert_eq!(spans.len(), 3);
        assert_eq!(&b[spans[0].start..spans[0].end], b"{\"a\":\"}\"}");
        assert!(spans[2].truncated);
        assert_eq!(junk.len(), 1);
        let els = array_elements(b, spans[1].start, spans[1].end);
        assert_eq!(els.len(), 2, "scalars are elements too");
        assert_eq!(&b[els[0].start..els[0].end], b"1");
    }

    #[test]
    fn escaped_quotes_do_not_end_strings() {
        let b = br#"{"ua":"a\"}b\\"}"#;
        assert_eq!(value_end(b, 0), Ok(b.len()));
    }

    #[test]
    fn finds_value_array() {
        let b = br#"{"@odata.context":"x","n":1.5,"o":{"value":[9]},"value":[{"id":1},{"id":2},{"id""#;
        let at = member_array(b, 0, b.len(), b"value").unwrap();
        let els = array_elements(b, at, b.len());
        assert_eq!(els.len(), 3);
        assert!(els[2].truncated && !els[1].truncated);
    }

    #[test]
    fn trailing_commas() {
        let mut b = br#"{"a":[1,2,],"s":",]","b":{"c":1,},}"#.to_vec();
        assert_eq!(blank_trailing_commas(&mut b), 3);
        assert_eq!(b, br#"{"a":[1,2 ],"s":",]","b":{"c":1 } }"#.to_vec());
    }

    proptest! {
        /// Arbitrary bytes never panic the scanner and spans stay inside the input, in order.
        #[test]
        fn scanner_is_total(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut junk = Vec::new();
            let spans = top_level(&data, &mut junk);
            let mut last = 0;
            for s in &spans {
                prop_assert!(s.start >= last && s.start < s.end && s.end <= data.len());
                last = s.end;
                if data[s.start] == b'[' {
                    for e in array_elements(&data, s.start, s.end) {
                        prop_assert!(e.start > s.start && e.end <= s.end);
                    }
                }
            }
            let mut copy = data.clone();
            blank_trailing_commas(&mut copy);
        }
    }
}
