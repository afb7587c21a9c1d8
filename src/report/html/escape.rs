//! Evidence strings into a web page: HTML-escaped in markup, JSON-escaped into the data block.
//!
//! Two ways in, no third: markup text and attribute values go through [`html`]; everything the
//! page's script draws travels in one `<script type="application/json">` block written by
//! [`script_json`], whose output never contains `<`, `>` or `&` (so `</script>` or `<!--` in a user
//! agent cannot end the block) and which the script only ever puts into the page as text.

use std::borrow::Cow;

use serde::Serialize;

use crate::error::Error;

/// Escape `& < > " '` for HTML text and quoted attribute values.
pub fn html(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JavaScript line
/// separators U+2028/U+2029 written as `\uXXXX` escapes (valid JSON, read back by `JSON.parse`).
pub fn script_json<T: Serialize + ?Sized>(v: &T) -> Result<String, Error> {
    let raw = serde_json::to_string(v).map_err(|e| Error::Output(e.into()))?;
    let mut out = String::with_capacity(raw.len() + raw.len() / 64);
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Standard base64 (RFC 4648, padded), for the script hash of the Content-Security-Policy.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "</script><img src=x onerror=alert(1)><!-- \u{2028}&amp;";

    #[test]
    fn markup_escapes_every_special_character() {
        assert_eq!(html("Zoë"), "Zoë");
        assert_eq!(html("<a href='x'>\"&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
    }

    #[test]
    fn script_json_cannot_close_the_block_and_reads_back() {
        let s = script_json(&[HOSTILE]).unwrap();
        assert!(!s.contains(['<', '>', '&', '\u{2028}']), "{s}");
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back, [HOSTILE]);
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}
