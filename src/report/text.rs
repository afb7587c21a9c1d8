//! Making attacker-controlled strings safe to print, and numbers easy to read.
//!
//! User agents, app names and UPNs come from the evidence, which an attacker partly wrote. On a
//! terminal, control characters (ESC sequences can rewrite the screen or the window title) are shown
//! as visible escapes; in CSV, cells that a spreadsheet would run as a formula are defused.

use std::borrow::Cow;

/// Replace control characters (C0, DEL, C1, and the bidi overrides that reorder text) with visible
/// `\u{..}` escapes. Printable text, including non-ASCII letters, is unchanged.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Defuse CSV formula injection (CWE-1236): a cell starting with `=`, `+`, `-`, `@`, tab or CR is
/// prefixed with `'` so Excel, LibreOffice and Google Sheets show it as text (OWASP guidance).
pub fn spreadsheet(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn terminal_escapes_controls_only() {
        assert_eq!(terminal("Zoë/1.0"), "Zoë/1.0");
        assert_eq!(terminal("a\x1b]0;pwned\x07b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(terminal("x\u{202e}y"), "x\\u{202e}y");
    }

    #[test]
    fn spreadsheet_defuses_formulas() {
        assert_eq!(spreadsheet("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet("-1+2"), "'-1+2");
        assert_eq!(spreadsheet("Mozilla/5.0"), "Mozilla/5.0");
    }
}
