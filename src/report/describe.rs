//! How every report describes one sign-in: where it came from in the evidence (its citation),
//! where it happened (its place) and the window bounds it is judged against.
//!
//! A citation is formatted in ONE function, [`citation`], so that when [`Cite`] changes shape
//! (file, byte offset, record number, line) only this file changes. Every writer (table, CSV,
//! HTML, timeline) goes through it.

use crate::audit::Period;
use crate::detect::{Cite, Risk};
use crate::model::time::{TimeValue, parse_time};
use crate::model::view::Rows;

/// `file (record 3, byte 1234)` or `file (record 3, line 17, byte 1234)`: a citation as one piece of text.
pub fn citation(c: &Cite) -> String {
    format!("{} ({})", c.file, citation_position(c))
}

/// The position part of a citation alone (for reports with a column for the file).
pub fn citation_position(c: &Cite) -> String {
    c.position()
}

/// The citation of row `i` of a batch, for sign-ins no finding cites.
pub fn row_cite(rows: &Rows<'_>, i: usize) -> Cite {
    Cite::of(rows, i)
}

/// "City, State, CC" from whatever parts row `i` has ("" when it has none).
pub fn place(rows: &Rows<'_>, i: usize) -> String {
    let parts = [rows.city.get(i), rows.state.get(i), rows.country.get(i)];
    let parts: Vec<&str> = parts.into_iter().flatten().map(str::trim).filter(|s| !s.is_empty()).collect();
    parts.join(", ")
}

/// A risk as the audit result writes it for a user (`"high"`, or `"none"` for no finding).
pub fn parse_risk(s: &str) -> Option<Risk> {
    [Risk::Low, Risk::Medium, Risk::High, Risk::Critical].into_iter().find(|r| r.as_str() == s)
}

/// A report period back in microseconds: `(start, end)`.
pub fn period_micros(p: &Period) -> Option<(i64, i64)> {
    Some((micros(&p.start)?, micros(&p.end)?))
}

/// An RFC 3339 time written by the tool, in microseconds.
pub fn micros(s: &str) -> Option<i64> {
    match parse_time(s, 0) {
        Some(TimeValue::Utc { micros, .. }) => Some(micros),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citation_joins_file_and_position() {
        let c = Cite { file: "samples/graph/page-0001.json".into(), offset: 12, record: 1, line: None };
        assert_eq!(citation(&c), format!("samples/graph/page-0001.json ({})", c.position()));
    }

    #[test]
    fn risks_parse_back() {
        assert_eq!(parse_risk("critical"), Some(Risk::Critical));
        assert_eq!(parse_risk("none"), None);
    }

    #[test]
    fn periods_round_trip() {
        let p = Period { start: "2026-10-01T23:55:00Z".into(), end: "2026-10-31T23:55:00.000001Z".into() };
        let (a, b) = period_micros(&p).unwrap();
        assert_eq!(crate::model::time::format_rfc3339(a), p.start);
        assert_eq!(crate::model::time::format_rfc3339(b), p.end);
    }
}
