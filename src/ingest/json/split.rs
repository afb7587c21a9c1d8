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

/// JSON's own whitespace (no form feed: a parser rejects it).
fn is_json_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// Where a large document that is one top-level array can be cut between its elements, so the
/// pieces can be parsed in parallel: `open` is its `[`, `close` its `]`, and `commas` the top-level
/// commas it is cut at (the first one at or past every `every` bytes). Found by [`ArrayCutter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrayCuts {
    pub open: u64,
    pub close: u64,
    pub commas: Vec<u64>,
}

impl ArrayCuts {
    /// The pieces between the cuts, `[start, end)` (brackets and cut commas excluded).
    pub fn pieces(&self) -> Vec<(u64, u64)> {
        let starts = std::iter::once(self.open).chain(self.commas.iter().copied()).map(|c| c + 1);
        let ends = self.commas.iter().copied().chain(std::iter::once(self.close));
        starts.zip(ends).collect()
    }
}

/// Where the scan is: before the array, inside it, or after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Before,
    Inside,
    After,
    /// Not one array (text before or after it, unterminated): no cuts.
    No,
}

/// A resumable scan of one input, fed in windows of any size, that finds [`ArrayCuts`]. It tracks
/// only strings (with their escapes) and bracket depth, like the rest of this module; it does not
/// validate the elements (each piece is parsed, and a piece that fails sends the whole input back
/// to the one-document path).
pub struct ArrayCutter {
    every: u64,
    at: u64,
    phase: Phase,
    depth: u64,
    in_string: bool,
    escape: bool,
    open: u64,
    close: u64,
    next: u64,
    commas: Vec<u64>,
}

impl ArrayCutter {
    /// Cut about every `every` bytes.
    pub fn new(every: u64) -> Self {
        ArrayCutter {
            every,
            at: 0,
            phase: Phase::Before,
            depth: 0,
            in_string: false,
            escape: false,
            open: 0,
            close: 0,
            next: 0,
            commas: Vec::new(),
        }
    }

    /// The next `w.len()` bytes of the input.
    pub fn feed(&mut self, w: &[u8]) {
        let mut i = 0;
        while i < w.len() && self.phase != Phase::No {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                    i += 1;
                    continue;
                }
                match memchr2(b'"', b'\\', &w[i..]) {
                    Some(k) => {
                        if w[i + k] == b'"' {
                            self.in_string = false;
                        } else {
                            self.escape = true;
                        }
                        i += k + 1;
                    }
                    None => i = w.len(),
                }
                continue;
            }
            let c = w[i];
            let here = self.at + i as u64;
            match self.phase {
                Phase::Before | Phase::After if is_json_space(c) => {}
                Phase::Before if c == b'[' => {
                    self.phase = Phase::Inside;
                    self.depth = 1;
                    self.open = here;
                    self.next = here + self.every;
                }
                Phase::Before | Phase::After | Phase::No => self.phase = Phase::No,
                Phase::Inside => match c {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            self.phase = if c == b']' { Phase::After } else { Phase::No };
                            self.close = here;
                        }
                    }
                    b',' if self.depth == 1 && here >= self.next => {
                        self.commas.push(here);
                        self.next = here + self.every;
                    }
                    _ => {}
                },
            }
            i += 1;
        }
        self.at += w.len() as u64;
    }

    /// The input is not one array: feeding more changes nothing.
    pub fn gave_up(&self) -> bool {
        self.phase == Phase::No
    }

    /// The cuts, if the input was exactly one closed array (whitespace around it) with at least one.
    pub fn finish(self) -> Option<ArrayCuts> {
        (self.phase == Phase::After && !self.commas.is_empty()).then_some(ArrayCuts {
            open: self.open,
            close: self.close,
            commas: self.commas,
        })
    }
}

/// The elements of one piece of an array ([`ArrayCuts::pieces`]), as spans of `b`: exactly one
/// comma between elements and none before the first or after the last, or `None` (the input is
/// then parsed as one document, which says what is wrong with it).
pub fn piece_elements(b: &[u8]) -> Option<Vec<Span>> {
    let skip = |mut i: usize| {
        while i < b.len() && is_json_space(b[i]) {
            i += 1;
        }
        i
    };
    let mut out = Vec::new();
    let mut i = skip(0);
    loop {
        let end = match *b.get(i)? {
            b'{' | b'[' => value_end(b, i).ok()?,
            b'"' => skip_string(b, i)?,
            b',' | b']' | b'}' => return None,
            _ => i + b[i..].iter().take_while(|&&c| c != b',' && !is_json_space(c)).count(),
        };
        out.push(Span { start: i, end, truncated: false });
        i = skip(end);
        if i == b.len() {
            return Some(out);
        }
        if b[i] != b',' {
            return None;
        }
        i = skip(i + 1);
    }
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

    /// Cut `b` with `every`, fed in windows of `window` bytes.
    fn cut(b: &[u8], every: u64, window: usize) -> Option<ArrayCuts> {
        let mut c = ArrayCutter::new(every);
        for w in b.chunks(window.max(1)) {
            c.feed(w);
        }
        c.finish()
    }

    /// The text of every element of every piece, in order.
    fn pieces_text(b: &[u8], cuts: &ArrayCuts) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for (s, e) in cuts.pieces() {
            let piece = &b[s as usize..e as usize];
            out.extend(piece_elements(piece)?.iter().map(|x| String::from_utf8_lossy(&piece[x.start..x.end]).into_owned()));
        }
        Some(out)
    }

    #[test]
    fn an_array_is_cut_at_top_level_commas_only() {
        let b = br#" [ {"a":",]\\}","b":[1,2]} , "x,y" ,[3,{"c":"]"}], 7 ,{"d":{}} ] "#;
        let cuts = cut(b, 1, b.len()).unwrap();
        assert_eq!(cuts.commas.len(), 4);
        assert!(cuts.commas.iter().all(|&c| b[c as usize] == b','));
        assert_eq!((b[cuts.open as usize], b[cuts.close as usize]), (b'[', b']'));
        let texts = pieces_text(b, &cuts).unwrap();
        assert_eq!(texts, [r#"{"a":",]\\}","b":[1,2]}"#, r#""x,y""#, r#"[3,{"c":"]"}]"#, "7", r#"{"d":{}}"#]);
        // Far apart cuts: one piece holds several elements.
        let few = cut(b, 20, 3).unwrap();
        assert!(few.commas.len() < 4 && !few.commas.is_empty());
        assert_eq!(pieces_text(b, &few).unwrap(), texts);
    }

    #[test]
    fn what_is_not_one_clean_array_is_not_cut() {
        for b in [&br#"{"value":[1,2,3]}"#[..], b"[1,2", b"[1,2] x", b"x [1,2]", b"[1,2]]", b"[1]", b"[1,2]", b"[1,2}"] {
            assert_eq!(cut(b, 1, 2), None, "{}", String::from_utf8_lossy(b));
        }
        // Cut, but a piece with a stray separator sends the input to the one-document path.
        for b in [&b"[1,,2]"[..], b"[1,2,]", b"[,1,2]", b"[1 2,3]"] {
            let cuts = cut(b, 1, 1).unwrap();
            assert_eq!(pieces_text(b, &cuts), None, "{}", String::from_utf8_lossy(b));
        }
    }

    /// A JSON value hard on a scanner: strings full of quotes, backslashes, brackets and commas.
    fn tricky_value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            "[a-z,:\\\\\"\\[\\]{} ]{0,8}".prop_map(|s| serde_json::Value::String(s).to_string()),
            any::<i32>().prop_map(|n| n.to_string()),
            Just("null".to_string()),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec(("[a-z,\\\\\"]{0,4}", inner), 0..4).prop_map(|v| {
                    let members: Vec<String> = v.iter().map(|(k, x)| format!("{}:{x}", serde_json::Value::String(k.clone()))).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    proptest! {
        /// The pieces of a valid array hold exactly its elements, in order, wherever it is cut and
        /// however it is fed.
        #[test]
        fn pieces_hold_the_elements(els in proptest::collection::vec(tricky_value(), 1..12), every in 1u64..80, window in 1usize..64, pad in "[ \n\t]{0,2}") {
            let text = format!("{pad}[{pad}{}{pad}]{pad}", els.join(&format!("{pad},{pad}")));
            let b = text.as_bytes();
            prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
            if let Some(cuts) = cut(b, every, window) {
                prop_assert_eq!(pieces_text(b, &cuts), Some(els.clone()));
            }
            let all = cut(b, 1, window);
            if els.len() > 1 {
                prop_assert_eq!(all.map(|c| c.commas.len()), Some(els.len() - 1));
            } else {
                prop_assert_eq!(all, None);
            }
        }

        /// On arbitrary bytes the cutter never panics, gives the same cuts however it is fed, and
        /// every cut is a comma between the array's brackets.
        #[test]
        fn cutter_is_total(data in proptest::collection::vec(prop_oneof![Just(b'['), Just(b']'), Just(b','), Just(b'"'), Just(b'\\'), Just(b'{'), Just(b' '), any::<u8>()], 0..200), every in 1u64..16, window in 1usize..32) {
            let whole = cut(&data, every, data.len());
            prop_assert_eq!(&whole, &cut(&data, every, window));
            if let Some(c) = whole {
                prop_assert_eq!((data[c.open as usize], data[c.close as usize]), (b'[', b']'));
                let mut last = c.open;
                for &k in &c.commas {
                    prop_assert!(k > last && k < c.close && data[k as usize] == b',');
                    last = k;
                }
                for (s, e) in c.pieces() {
                    let _ = piece_elements(&data[s as usize..e as usize]);
                }
            }
        }

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
