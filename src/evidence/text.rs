//! Text encodings: a UTF-8 byte-order mark is skipped, UTF-16 (PowerShell 5.1 `>` writes it, with
//! or without a BOM) is transcoded to UTF-8 as a stream, and UTF-32 is named so that the file is
//! reported rather than misread. Byte offsets of records in transcoded text are offsets in the
//! UTF-8 text.

use std::io::{self, Read};

use super::Payload;
use super::spill::Spill;

/// Bytes looked at to recognize an encoding.
pub const HEAD_BYTES: usize = 4096;

/// Bytes transcoded per read.
const CHUNK: usize = 1 << 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8 {
        bom: bool,
    },
    Utf16 {
        little_endian: bool,
        bom: bool,
    },
    /// Not transcoded: no export tool writes it; the input is reported as unrecognized.
    Utf32 {
        little_endian: bool,
    },
}

/// BOMs first; without one, text where every other byte is NUL is UTF-16 (PowerShell 5.1 `>`).
pub fn detect(head: &[u8]) -> Encoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8 { bom: true };
    }
    if head.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Encoding::Utf32 { little_endian: true };
    }
    if head.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Encoding::Utf32 { little_endian: false };
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16 { little_endian: true, bom: true };
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Encoding::Utf16 { little_endian: false, bom: true };
    }
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let odd_nul = head.chunks_exact(2).filter(|c| c[1] == 0 && c[0] != 0).count();
        let even_nul = head.chunks_exact(2).filter(|c| c[0] == 0 && c[1] != 0).count();
        if odd_nul * 10 >= pairs * 9 {
            return Encoding::Utf16 { little_endian: true, bom: false };
        }
        if even_nul * 10 >= pairs * 9 {
            return Encoding::Utf16 { little_endian: false, bom: false };
        }
    }
    Encoding::Utf8 { bom: false }
}

/// Decode a payload: skip a UTF-8 BOM, transcode UTF-16. Returns the UTF-8 payload and notes.
pub fn decode(payload: Payload) -> io::Result<(Payload, Vec<String>)> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    payload.reader(0).take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    match detect(&head) {
        Encoding::Utf8 { bom: false } => Ok((payload, Vec::new())),
        Encoding::Utf8 { bom: true } => Ok((payload.skip(3), vec!["UTF-8 byte-order mark skipped".into()])),
        Encoding::Utf32 { little_endian } => {
            let note = format!("UTF-32{} text is not read", if little_endian { "LE" } else { "BE" });
            Ok((payload, vec![note]))
        }
        Encoding::Utf16 { little_endian, bom } => {
            let mut out = Spill::new(u64::MAX);
            transcode_utf16(payload.reader(if bom { 2 } else { 0 }), little_endian, &mut out)?;
            let note =
                format!("UTF-16{} transcoded to UTF-8 (byte offsets refer to the UTF-8 text)", if little_endian { "LE" } else { "BE" });
            Ok((out.finish()?.payload, vec![note]))
        }
    }
}

/// Transcode UTF-16 to UTF-8 chunk by chunk. Unpaired surrogates and an odd last byte become U+FFFD.
pub fn transcode_utf16(mut r: impl Read, little_endian: bool, out: &mut Spill) -> io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    let mut have = 0;
    let mut text = String::new();
    loop {
        let n = r.read(&mut buf[have..])?;
        let end = n == 0;
        have += n;
        let mut units: Vec<u16> = buf[..have - have % 2]
            .chunks_exact(2)
            .map(|c| if little_endian { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
            .collect();
        // A high surrogate at the end of a chunk waits for its pair in the next one.
        let mut carry = 0;
        if !end && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            units.pop();
            carry = 2;
        }
        text.clear();
        text.extend(char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        if end && have % 2 == 1 {
            text.push(char::REPLACEMENT_CHARACTER);
        }
        out.write(text.as_bytes())?;
        if end {
            return Ok(());
        }
        let used = have - have % 2 - carry;
        buf.copy_within(used..have, 0);
        have -= used;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }).collect()
    }

    fn transcode(b: &[u8], le: bool) -> String {
        let mut out = Spill::new(u64::MAX);
        transcode_utf16(b, le, &mut out).unwrap();
        match out.finish().unwrap().payload {
            Payload::Memory(v) => String::from_utf8(v.to_vec()).unwrap(),
            Payload::File { .. } => unreachable!(),
        }
    }

    #[test]
    fn encodings() {
        assert_eq!(detect(b"\xEF\xBB\xBF{}"), Encoding::Utf8 { bom: true });
        assert_eq!(detect(b"\xFF\xFE{\0}\0"), Encoding::Utf16 { little_endian: true, bom: true });
        assert_eq!(detect(b"\xFF\xFE\0\0{\0\0\0"), Encoding::Utf32 { little_endian: true });
        assert_eq!(detect(b"{\0\"\0a\0\"\0"), Encoding::Utf16 { little_endian: true, bom: false });
        assert_eq!(detect(b"\0{\0\"\0a\0\""), Encoding::Utf16 { little_endian: false, bom: false });
        assert_eq!(detect(b"{\"a\":1}"), Encoding::Utf8 { bom: false });
    }

    #[test]
    fn transcodes_across_chunks_and_surrogates() {
        assert_eq!(transcode(b"{\0\xE9\0}\0", true), "{é}");
        // A surrogate pair straddling the chunk boundary stays one character.
        let s = format!("{}😀{}", "a".repeat(CHUNK / 2 - 1), "b".repeat(10));
        assert_eq!(transcode(&utf16(&s, true), true), s);
        assert_eq!(transcode(&utf16(&s, false), false), s);
        // A lone surrogate and an odd last byte are replaced, never dropped silently.
        assert_eq!(transcode(b"a\0\x00\xD8b\0", true), "a\u{FFFD}b");
        assert_eq!(transcode(b"a\0b", true), "a\u{FFFD}");
    }
}
