//! Timestamp parsing for every rendering the export formats use.
//!
//! Everything becomes microseconds since the Unix epoch, UTC. The hot path is RFC 3339 as Graph writes
//! it (`2024-01-15T10:22:33.1234567Z`), parsed by hand without allocation. The slow paths cover the
//! renderings documented in `research/formats.md` §11: offsets (`+00:00`, `-05:00`), zone-less ISO,
//! US-locale `M/D/YYYY h:mm:ss AM`, Log Analytics portal `M/D/YYYY, h:mm:ss.fff AM`, European
//! `D.M.YYYY HH:mm:ss`, and PowerShell 5.1 `\/Date(ms)\/`.
//!
//! Zone-less values are never guessed silently: the parse result says whether a zone was present, and
//! slash dates whose day/month order cannot be told from the value itself are returned as
//! [`TimeValue::Local`] so the caller can decide the order once per file (see [`DateOrderVotes`]).

use chrono::{DateTime, NaiveDate};

/// Microseconds per second.
const MICROS: i64 = 1_000_000;

/// A parsed timestamp, possibly still waiting for a file-level day/month decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeValue {
    /// Fully resolved: microseconds since the epoch, UTC. `zoned` is false when the text carried no
    /// zone and UTC (or `--input-timezone`) was assumed.
    Utc { micros: i64, zoned: bool },
    /// A slash date such as `3/4/2024 10:00:00` whose day/month order is not known from the value.
    Local(LocalDate),
}

/// A date written as `a/b/yyyy` (or `a.b.yyyy`) with its time of day, kept until the order is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDate {
    pub first: u8,
    pub second: u8,
    pub year: i32,
    /// Microseconds since midnight.
    pub time_of_day: i64,
    /// Explicit offset in seconds east of UTC, if the text had one.
    pub offset: Option<i32>,
    /// The text used a dot separator (European `D.M.YYYY`): day first unless the values say otherwise.
    pub dotted: bool,
}

/// Order of the two leading numbers of a slash date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// `M/D/YYYY` (en-US, the PowerShell default culture).
    #[default]
    MonthFirst,
    /// `D/M/YYYY` (en-GB, de-DE, fr-FR...).
    DayFirst,
}

/// Evidence about the day/month order collected over one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateOrderVotes {
    /// Values whose first number is > 12 (so it must be the day).
    pub day_first: u64,
    /// Values whose second number is > 12 (so it must be the day).
    pub month_first: u64,
    /// Values that fit both orders.
    pub ambiguous: u64,
    /// Values written with dots (European convention).
    pub dotted: u64,
}

impl DateOrderVotes {
    pub fn add(&mut self, d: &LocalDate) {
        if d.dotted {
            self.dotted += 1;
        }
        match (d.first > 12, d.second > 12) {
            (true, false) => self.day_first += 1,
            (false, true) => self.month_first += 1,
            _ => self.ambiguous += 1,
        }
    }

    pub fn merge(&mut self, o: &DateOrderVotes) {
        self.day_first += o.day_first;
        self.month_first += o.month_first;
        self.ambiguous += o.ambiguous;
        self.dotted += o.dotted;
    }

    pub fn is_empty(&self) -> bool {
        self.day_first + self.month_first + self.ambiguous == 0
    }

    /// The order the data proves, if it proves one (and only one).
    pub fn decided(&self) -> Option<DateOrder> {
        match (self.day_first > 0, self.month_first > 0) {
            (true, false) => Some(DateOrder::DayFirst),
            (false, true) => Some(DateOrder::MonthFirst),
            _ => None,
        }
    }

    /// The data contradicts itself (both orders proven): the file mixes cultures.
    pub fn conflicting(&self) -> bool {
        self.day_first > 0 && self.month_first > 0
    }

    /// Best guess when the data proves nothing: dots mean European day-first, slashes en-US.
    pub fn fallback(&self) -> DateOrder {
        if self.dotted > 0 { DateOrder::DayFirst } else { DateOrder::MonthFirst }
    }
}

impl LocalDate {
    /// Resolve to UTC microseconds with the given order and the offset assumed for zone-less values.
    pub fn resolve(&self, order: DateOrder, assumed_offset_secs: i32) -> Option<i64> {
        let (month, day) = match order {
            DateOrder::MonthFirst => (self.first, self.second),
            DateOrder::DayFirst => (self.second, self.first),
        };
        let days = days_from_civil(self.year, month as u32, day as u32)?;
        let offset = self.offset.unwrap_or(assumed_offset_secs) as i64;
        Some(days * 86_400 * MICROS + self.time_of_day - offset * MICROS)
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date, or `None` if the date does not exist.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some((date - epoch).num_days())
}

/// Parse any supported rendering. `assumed_offset_secs` applies to values without a zone.
pub fn parse_time(s: &str, assumed_offset_secs: i32) -> Option<TimeValue> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        return parse_iso(b, assumed_offset_secs);
    }
    if let Some(ms) = parse_ms_date(s) {
        // Found by fuzzing: 18 digits of milliseconds overflow i64 microseconds (a panic in debug
        // builds, a wrapped, wrong time in release). Such a value is no usable timestamp.
        return ms.checked_mul(1000).map(|micros| TimeValue::Utc { micros, zoned: true });
    }
    parse_local(b, assumed_offset_secs)
}

/// `YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]][Z|±HH:MM|±HHMM]`
fn parse_iso(b: &[u8], assumed_offset_secs: i32) -> Option<TimeValue> {
    let year = num(b, 0, 4)? as i32;
    let month = num(b, 5, 2)?;
    let day = num(b, 8, 2)?;
    let days = days_from_civil(year, month, day)?;
    let mut i = 10;
    let mut tod = 0i64;
    if i < b.len() && (b[i] == b'T' || b[i] == b't' || b[i] == b' ') {
        i += 1;
        let hh = num(b, i, 2)? as i64;
        if b.get(i + 2) != Some(&b':') {
            return None;
        }
        let mm = num(b, i + 3, 2)? as i64;
        i += 5;
        let mut ss = 0i64;
        if b.get(i) == Some(&b':') {
            ss = num(b, i + 1, 2)? as i64;
            i += 3;
        }
        if hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        tod = (hh * 3600 + mm * 60 + ss) * MICROS;
        if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
            i += 1;
            let (frac, used) = fraction_micros(&b[i..]);
            if used == 0 {
                return None;
            }
            tod += frac;
            i += used;
        }
    }
    let (offset, zoned) = parse_zone(&b[i..])?;
    let offset = if zoned { offset } else { assumed_offset_secs };
    let micros = days * 86_400 * MICROS + tod - offset as i64 * MICROS;
    Some(TimeValue::Utc { micros, zoned })
}

/// Fractional seconds: up to 9 digits are read, the value truncated to microseconds.
fn fraction_micros(b: &[u8]) -> (i64, usize) {
    let mut used = 0;
    let mut micros = 0i64;
    while used < b.len() && b[used].is_ascii_digit() {
        if used < 6 {
            micros = micros * 10 + (b[used] - b'0') as i64;
        }
        used += 1;
    }
    for _ in used..6 {
        micros *= 10;
    }
    (micros, used)
}

/// Trailing zone: empty (none), `Z`, ` UTC`, `±HH:MM`, `±HHMM`, `±HH`. Returns (offset secs, zoned).
fn parse_zone(b: &[u8]) -> Option<(i32, bool)> {
    let b = trim_ascii(b);
    match b {
        [] => Some((0, false)),
        [b'Z' | b'z'] => Some((0, true)),
        _ if b.eq_ignore_ascii_case(b"UTC") || b.eq_ignore_ascii_case(b"GMT") => Some((0, true)),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (digits2(*h1, *h2)?, digits2(*m1, *m2)?),
                [h1, h2] => (digits2(*h1, *h2)?, 0),
                _ => return None,
            };
            if h > 14 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) as i32;
            Some((if *sign == b'-' { -secs } else { secs }, true))
        }
        _ => None,
    }
}

/// PowerShell 5.1 `ConvertTo-Json`: `/Date(1705314153123)/` (the backslashes are JSON escapes),
/// optionally with an offset suffix `/Date(1705314153123+0100)/` that does not change the instant.
fn parse_ms_date(s: &str) -> Option<i64> {
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let end = inner.char_indices().skip(1).find(|(_, c)| *c == '+' || *c == '-').map(|(i, _)| i);
    inner[..end.unwrap_or(inner.len())].parse().ok()
}

/// `A/B/YYYY[,] h:mm[:ss[.fff]] [AM|PM] [±HH:MM]` and `A.B.YYYY HH:mm:ss`.
fn parse_local(b: &[u8], assumed_offset_secs: i32) -> Option<TimeValue> {
    let mut i = 0;
    let first = small_num(b, &mut i)?;
    let sep = *b.get(i)?;
    if sep != b'/' && sep != b'.' && sep != b'-' {
        return None;
    }
    i += 1;
    let second = small_num(b, &mut i)?;
    if b.get(i) != Some(&sep) {
        return None;
    }
    i += 1;
    let ystart = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i - ystart != 4 {
        return None;
    }
    let year = num(b, ystart, 4)? as i32;
    if b.get(i) == Some(&b',') {
        i += 1;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let mut tod = 0i64;
    if i < b.len() && b[i].is_ascii_digit() {
        let mut hh = small_num(b, &mut i)? as i64;
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        let mm = small_num(b, &mut i)? as i64;
        let mut ss = 0;
        if b.get(i) == Some(&b':') {
            i += 1;
            ss = small_num(b, &mut i)? as i64;
        }
        let mut frac = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let (f, used) = fraction_micros(&b[i..]);
            frac = f;
            i += used;
        }
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let rest = &b[i..];
        if rest.len() >= 2 && (rest[..2].eq_ignore_ascii_case(b"AM") || rest[..2].eq_ignore_ascii_case(b"PM")) {
            if hh == 0 || hh > 12 {
                return None;
            }
            let pm = rest[0].eq_ignore_ascii_case(&b'P');
            hh = match (pm, hh) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
            i += 2;
        }
        if hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        tod = (hh * 3600 + mm * 60 + ss) * MICROS + frac;
    }
    let (offset, zoned) = parse_zone(&b[i..])?;
    let first = u8::try_from(first).ok()?;
    let second = u8::try_from(second).ok()?;
    if first == 0 || second == 0 || first > 31 || second > 31 || (first > 12 && second > 12) {
        return None;
    }
    let local = LocalDate { first, second, year, time_of_day: tod, offset: zoned.then_some(offset), dotted: sep == b'.' };
    // A value whose order is forced by its own numbers needs no file-level decision.
    let forced = match (first > 12, second > 12) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ if first == second => Some(DateOrder::MonthFirst),
        _ => None,
    };
    match forced {
        Some(order) => Some(TimeValue::Utc { micros: local.resolve(order, assumed_offset_secs)?, zoned }),
        None => Some(TimeValue::Local(local)),
    }
}

fn small_num(b: &[u8], i: &mut usize) -> Option<u32> {
    let start = *i;
    let mut v = 0u32;
    while *i < b.len() && b[*i].is_ascii_digit() && *i - start < 2 {
        v = v * 10 + (b[*i] - b'0') as u32;
        *i += 1;
    }
    (*i > start).then_some(v)
}

fn num(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let digits = b.get(at..at + len)?;
    let mut v = 0u32;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (d - b'0') as u32;
    }
    Some(v)
}

fn digits2(a: u8, b: u8) -> Option<u32> {
    (a.is_ascii_digit() && b.is_ascii_digit()).then(|| ((a - b'0') * 10 + (b - b'0')) as u32)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

/// Render microseconds since the epoch as RFC 3339 UTC with whole seconds when there is no fraction,
/// otherwise with microseconds (`2024-01-15T10:22:33Z`, `2024-01-15T10:22:33.123456Z`).
pub fn format_rfc3339(micros: i64) -> String {
    let secs = micros.div_euclid(MICROS);
    let frac = micros.rem_euclid(MICROS);
    match DateTime::from_timestamp(secs, 0) {
        Some(dt) if frac == 0 => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(dt) => format!("{}.{frac:06}Z", dt.format("%Y-%m-%dT%H:%M:%S")),
        None => format!("@{micros}us"),
    }
}

/// Parse a fixed UTC offset given on the command line: `UTC`, `Z`, `+02:00`, `-0500`.
pub fn parse_offset_arg(s: &str) -> Option<i32> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let t = t.strip_prefix("UTC").or_else(|| t.strip_prefix("utc")).unwrap_or(t);
    match parse_zone(t.as_bytes())? {
        (off, true) => Some(off),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        match parse_time(s, 0) {
            Some(TimeValue::Utc { micros, .. }) => micros,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn graph_forms_agree() {
        let base = utc("2007-01-09T09:41:00Z");
        assert_eq!(format_rfc3339(base), "2007-01-09T09:41:00Z");
        assert_eq!(utc("2007-01-09T09:41:00.22Z") - base, 220_000);
        assert_eq!(utc("2007-01-09T09:41:00.6816663Z") - base, 681_666);
        assert_eq!(utc("2007-01-09T09:41:00.535404056Z") - base, 535_404);
        assert_eq!(utc("2007-01-09T09:41:00.992099+00:00") - base, 992_099);
        assert_eq!(utc("2007-01-09T11:41:00+02:00"), base);
        assert_eq!(utc("2019-10-18T04:45:48-05:00"), utc("2019-10-18T09:45:48Z"));
        assert_eq!(utc("2007-01-09 09:41:00"), base);
    }

    #[test]
    fn zone_presence_is_reported() {
        assert_eq!(parse_time("2007-01-09T09:41:00", 0), Some(TimeValue::Utc { micros: utc("2007-01-09T09:41:00Z"), zoned: false }));
        assert!(matches!(parse_time("2007-01-09T09:41:00Z", 0), Some(TimeValue::Utc { zoned: true, .. })));
        // --input-timezone +02:00 shifts zone-less values only.
        assert_eq!(parse_time("2007-01-09T11:41:00", 7200), Some(TimeValue::Utc { micros: utc("2007-01-09T09:41:00Z"), zoned: false }));
    }

    #[test]
    fn us_locale_forms() {
        let base = utc("2007-01-09T09:41:00Z");
        let TimeValue::Local(d) = parse_time("1/9/2007 9:41:00 AM", 0).unwrap() else { panic!() };
        assert_eq!(d.resolve(DateOrder::MonthFirst, 0), Some(base));
        let TimeValue::Local(d) = parse_time("1/9/2007 10:41:00 AM +01:00", 0).unwrap() else { panic!() };
        assert_eq!(d.resolve(DateOrder::MonthFirst, 0), Some(base));
        assert_eq!(utc("11/14/2025 1:48:53 AM"), utc("2025-11-14T01:48:53Z"));
        assert_eq!(utc("5/25/2023, 4:32:49.469 PM"), utc("2023-05-25T16:32:49.469Z"));
        assert_eq!(utc("12/12/2023 12:00:00 AM"), utc("2023-12-12T00:00:00Z"));
    }

    #[test]
    fn european_forms() {
        assert_eq!(utc("15.01.2024 10:22:33"), utc("2024-01-15T10:22:33Z"));
        assert_eq!(utc("15/01/2024 10:22:33"), utc("2024-01-15T10:22:33Z"));
        let mut votes = DateOrderVotes::default();
        let TimeValue::Local(d) = parse_time("03.04.2024 10:00:00", 0).unwrap() else { panic!() };
        votes.add(&d);
        assert_eq!(votes.decided(), None);
        assert_eq!(votes.fallback(), DateOrder::DayFirst);
    }

    #[test]
    fn ms_date() {
        assert_eq!(utc("/Date(1705314153123)/"), utc("2024-01-15T10:22:33.123Z"));
        // Fuzzing regression (fuzz target `time`): milliseconds that overflow microseconds.
        assert_eq!(parse_time("/Date(176717708077007879)/", 0), None);
        assert_eq!(parse_time("/Date(-9223372036854775808)/", 0), None);
    }

    #[test]
    fn garbage_is_rejected() {
        for s in
            ["", "yesterday", "2024-13-01T00:00:00Z", "2024-02-30", "13/13/2024 10:00", "2024-01-01T25:00:00Z", "2024-01-01T10:00:00+99:00"]
        {
            assert_eq!(parse_time(s, 0), None, "{s}");
        }
    }

    #[test]
    fn offsets_on_the_command_line() {
        assert_eq!(parse_offset_arg("UTC"), Some(0));
        assert_eq!(parse_offset_arg("+02:00"), Some(7200));
        assert_eq!(parse_offset_arg("-0500"), Some(-18000));
        assert_eq!(parse_offset_arg("Europe/Paris"), None);
    }
}
