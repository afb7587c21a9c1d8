//! Where a CSV cell goes in a [`SignIn`]: the [`Target`] of its column (from the source-field table,
//! [`crate::ingest::fields`], shared by the portal and PowerShell mappers), and the cell-to-value conversions (UTF-8, numbers, booleans, display enums, the portal
//! `Location` string).
//!
//! A column is resolved to a `Target` once per file (from its header), so the per-row work is one
//! `match` per non-empty cell; strings stay borrowed from the CSV record.

use std::borrow::Cow;

use crate::ingest::fields::slot;
use crate::model::signin::{EventType, Outcome, SignIn, parse_bool};
use crate::model::time::{LocalDate, TimeValue, parse_time};

/// The destination of one CSV value (declared with the source-field table).
pub use crate::ingest::fields::Target;

/// A mapped column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Col {
    pub target: Target,
    /// A later column with a target an earlier column already has (the portal writes
    /// `Incoming token type` twice, formats.md §6.1): it only fills a value the first left empty.
    pub fallback: bool,
}

/// Turn per-column targets into columns, marking repeated targets as fallbacks.
pub fn columns(targets: impl IntoIterator<Item = Option<Target>>) -> Vec<Option<Col>> {
    let mut seen: Vec<Target> = Vec::new();
    targets
        .into_iter()
        .map(|t| {
            t.map(|target| {
                let fallback = seen.contains(&target);
                if !fallback {
                    seen.push(target);
                }
                Col { target, fallback }
            })
        })
        .collect()
}

/// A cell as text: borrowed when it is valid UTF-8 (the common case), else a lossy owned copy.
pub fn text(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(String::from_utf8_lossy(b).into_owned()),
    }
}

/// `part` (a slice of `whole`'s text) with `whole`'s lifetime when `whole` is borrowed.
pub fn subslice<'r>(whole: &Cow<'r, str>, part: &str) -> Cow<'r, str> {
    if let Cow::Borrowed(w) = whole {
        let start = (part.as_ptr() as usize).wrapping_sub(w.as_ptr() as usize);
        if let Some(s) = start.checked_add(part.len()).and_then(|end| w.get(start..end)) {
            return Cow::Borrowed(s);
        }
    }
    Cow::Owned(part.to_string())
}

/// A time value whose column header declares UTC: a zone-less reading is UTC, not assumed.
pub fn declared_utc(t: Option<TimeValue>) -> Option<TimeValue> {
    match t {
        Some(TimeValue::Utc { micros, .. }) => Some(TimeValue::Utc { micros, zoned: true }),
        Some(TimeValue::Local(mut d)) => {
            d.offset.get_or_insert(0);
            Some(TimeValue::Local(d))
        }
        None => None,
    }
}

/// Microseconds per day.
const DAY_MICROS: i64 = 86_400_000_000;

/// A zone-less culture date whose own numbers prove its day/month order (`15/01/2024`) is handed to
/// the builder as a local date anyway, so that it votes in the per-file day/month decision
/// (`model::time::DateOrderVotes`): `parse_time` resolves such values itself, and without their
/// votes the ambiguous dates of an en-GB file (`05/01/2024`) would fall back to month-first. A
/// value whose reading is fixed by its own numbers resolves to the same instant under the file's
/// decision, or under the other order when the decision makes it impossible (the builder retries).
/// `header_utc`: the column header declares UTC.
pub fn voting(text: &str, parsed: Option<TimeValue>, header_utc: bool) -> Option<TimeValue> {
    let Some(TimeValue::Utc { .. }) = parsed else { return parsed };
    let b = text.trim().as_bytes();
    let number = |i: &mut usize| {
        let start = *i;
        let mut v = 0u8;
        while *i < b.len() && *i - start < 2 && b[*i].is_ascii_digit() {
            v = v * 10 + (b[*i] - b'0');
            *i += 1;
        }
        (*i > start).then_some(v)
    };
    let mut i = 0;
    let Some(first) = number(&mut i) else { return parsed };
    let sep = b.get(i).copied();
    if !matches!(sep, Some(b'/' | b'.' | b'-')) {
        return parsed;
    }
    i += 1;
    let Some(second) = number(&mut i) else { return parsed };
    if b.get(i).copied() != sep || first == second {
        return parsed;
    }
    // Re-read without any offset: a zone-less value gives its wall-clock time; one with its own
    // zone keeps the resolved instant (it carries no day/month question worth a vote).
    let Some(TimeValue::Utc { micros: wall, zoned: false }) = parse_time(text, 0) else { return parsed };
    let days = wall.div_euclid(DAY_MICROS);
    let Some(year) = chrono::DateTime::from_timestamp(days * 86_400, 0).map(|d| chrono::Datelike::year(&d)) else {
        return parsed;
    };
    Some(TimeValue::Local(LocalDate {
        first,
        second,
        year,
        time_of_day: wall.rem_euclid(DAY_MICROS),
        offset: header_utc.then_some(0),
        dotted: sep == Some(b'.'),
    }))
}

/// Whether the record already holds a value for `t` (for fallback columns).
pub fn is_filled(rec: &mut SignIn<'_>, t: Target) -> bool {
    use Target::*;
    match t {
        TimeUtc | TimeLocal => rec.time.is_some(),
        IsInteractive => rec.is_interactive.is_some(),
        EventType => rec.event_type.is_some(),
        Outcome => rec.outcome.is_some(),
        ErrorCode => rec.error_code.is_some(),
        Location => rec.country.is_some() || rec.city.is_some(),
        Latitude => rec.latitude.is_some(),
        Longitude => rec.longitude.is_some(),
        DeviceCompliant => rec.device_compliant.is_some(),
        DeviceManaged => rec.device_managed.is_some(),
        AutonomousSystemNumber => rec.autonomous_system_number.is_some(),
        _ => slot(rec, t).is_some_and(|s| s.is_some()),
    }
}

/// Store `v` (a non-empty cell) into `rec`. Values that do not parse as the target's type are left
/// missing: a garbled number is absent, never zero.
pub fn set<'r>(rec: &mut SignIn<'r>, t: Target, v: Cow<'r, str>, assumed_offset_secs: i32) {
    match t {
        Target::TimeUtc => rec.time = voting(&v, declared_utc(parse_time(&v, 0)), true),
        Target::TimeLocal => rec.time = voting(&v, parse_time(&v, assumed_offset_secs), false),
        Target::IsInteractive => rec.is_interactive = parse_bool(&v),
        Target::EventType => rec.event_type = EventType::parse(&v).or(rec.event_type),
        Target::Outcome => rec.outcome = Outcome::parse(&v),
        Target::ErrorCode => rec.error_code = v.trim().parse().ok(),
        Target::Location => split_location(rec, v),
        Target::Latitude => rec.latitude = number(&v),
        Target::Longitude => rec.longitude = number(&v),
        Target::DeviceCompliant => rec.device_compliant = parse_bool(&v),
        Target::DeviceManaged => rec.device_managed = parse_bool(&v),
        Target::AutonomousSystemNumber => rec.autonomous_system_number = v.trim().parse().ok(),
        Target::ConditionalAccessStatus | Target::AuthenticationRequirement => rec_slot(rec, t, graph_enum(v)),
        _ => rec_slot(rec, t, v),
    }
}

fn rec_slot<'r>(rec: &mut SignIn<'r>, t: Target, v: Cow<'r, str>) {
    if let Some(s) = slot(rec, t) {
        *s = Some(v);
    }
}

/// A decimal number; a single decimal comma (de-DE `Export-Csv` of a double, `47,68`) is accepted.
fn number(v: &str) -> Option<f64> {
    let t = v.trim();
    t.parse().ok().or_else(|| (t.matches(',').count() == 1).then(|| t.replace(',', ".").parse().ok()).flatten())
}

/// The portal writes display text where Graph has enum names (formats.md §11 "Types drift"); the
/// two enums the detectors compare are mapped to the Graph spelling so all formats agree.
fn graph_enum(v: Cow<'_, str>) -> Cow<'_, str> {
    let t = v.trim();
    let mapped = match () {
        _ if t.eq_ignore_ascii_case("Not Applied") => "notApplied",
        _ if t.eq_ignore_ascii_case("Success") => "success",
        _ if t.eq_ignore_ascii_case("Failure") => "failure",
        _ if t.eq_ignore_ascii_case("Single-factor authentication") => "singleFactorAuthentication",
        _ if t.eq_ignore_ascii_case("Multifactor authentication") || t.eq_ignore_ascii_case("Multi-factor authentication") => {
            "multiFactorAuthentication"
        }
        _ => return v,
    };
    Cow::Borrowed(mapped)
}

/// Split the portal `Location` ("Redmond, Washington, US", "Sydney, AU", "AU", "London, , GB")
/// into city, state and country. The country is the last part when it is a two-letter code (TM
/// `parse_graph_location`); the part before it is the state when there are three or more parts.
pub fn split_location<'r>(rec: &mut SignIn<'r>, whole: Cow<'r, str>) {
    let whole = &whole;
    let s: &str = whole;
    let (rest, last) = match s.rfind(',') {
        Some(i) => (Some(&s[..i]), &s[i + 1..]),
        None => (None, s),
    };
    let is_code = |p: &str| p.trim().len() == 2 && p.trim().bytes().all(|b| b.is_ascii_alphabetic());
    let (head, country) = if is_code(last) {
        (rest, Some(last))
    } else {
        // No country code at the end: the parts are city[, state].
        (Some(s), None)
    };
    let (city, state) = match (head, country) {
        (Some(h), Some(_)) => match h.rfind(',') {
            Some(i) => (Some(&h[..i]), Some(&h[i + 1..])),
            None => (Some(h), None),
        },
        (Some(h), None) => match h.find(',') {
            Some(i) => (Some(&h[..i]), Some(&h[i + 1..])),
            None => (Some(h), None),
        },
        (None, _) => (None, None),
    };
    let part = |p: Option<&str>| p.map(str::trim).filter(|p| !p.is_empty()).map(|p| subslice(whole, p));
    rec.city = part(city);
    rec.state = part(state);
    rec.country = part(country);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(s: &str) -> (Option<String>, Option<String>, Option<String>) {
        let mut r = SignIn::default();
        split_location(&mut r, Cow::Borrowed(s));
        let o = |v: crate::model::signin::Str<'_>| v.map(|c| c.into_owned());
        (o(r.city), o(r.state), o(r.country))
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn location_parts() {
        assert_eq!(loc("Redmond, Washington, US"), (some("Redmond"), some("Washington"), some("US")));
        assert_eq!(loc("Sydney, AU"), (some("Sydney"), None, some("AU")));
        assert_eq!(loc("AU"), (None, None, some("AU")));
        assert_eq!(loc("London, , GB"), (some("London"), None, some("GB")));
        assert_eq!(loc("Washington, District of Columbia, US"), (some("Washington"), some("District of Columbia"), some("US")));
        assert_eq!(loc("Redmond, Washington"), (some("Redmond"), some("Washington"), None), "no country code: city, state");
    }

    #[test]
    fn location_borrows_from_the_cell() {
        let mut r = SignIn::default();
        split_location(&mut r, Cow::Borrowed("Paris, Ile-de-France, FR"));
        assert!(matches!(r.city, Some(Cow::Borrowed("Paris"))));
        assert!(matches!(r.country, Some(Cow::Borrowed("FR"))));
    }

    #[test]
    fn values_by_type() {
        let mut r = SignIn::default();
        set(&mut r, Target::ErrorCode, Cow::Borrowed(" 50126 "), 0);
        set(&mut r, Target::Latitude, Cow::Borrowed("47,68"), 0);
        set(&mut r, Target::AutonomousSystemNumber, Cow::Borrowed("not a number"), 0);
        set(&mut r, Target::ConditionalAccessStatus, Cow::Borrowed("Not Applied"), 0);
        set(&mut r, Target::DeviceCompliant, Cow::Borrowed("Yes"), 0);
        set(&mut r, Target::TimeUtc, Cow::Borrowed("2026-01-02T03:04:05"), 3600);
        assert_eq!(r.error_code, Some(50126));
        assert_eq!(r.latitude, Some(47.68));
        assert_eq!(r.autonomous_system_number, None);
        assert_eq!(r.conditional_access_status.as_deref(), Some("notApplied"));
        assert_eq!(r.device_compliant, Some(true));
        assert_eq!(r.time, Some(TimeValue::Utc { micros: 1_767_323_045_000_000, zoned: true }), "declared UTC ignores the assumed offset");
    }

    #[test]
    fn proven_culture_dates_still_vote() {
        use crate::model::time::DateOrder;
        let Some(TimeValue::Local(d)) = voting("15/01/2024 10:22:33", parse_time("15/01/2024 10:22:33", 3600), false) else { panic!() };
        assert_eq!((d.first, d.second, d.year, d.offset, d.dotted), (15, 1, 2024, None, false));
        let want = parse_time("2024-01-15T09:22:33Z", 0);
        assert_eq!(d.resolve(DateOrder::DayFirst, 3600).map(|m| TimeValue::Utc { micros: m, zoned: true }), want);
        let Some(TimeValue::Local(d)) = voting("1/13/2026, 10:00:05.123 AM", parse_time("1/13/2026, 10:00:05.123 AM", 0), true) else {
            panic!()
        };
        assert_eq!((d.first, d.second, d.offset, d.time_of_day), (1, 13, Some(0), 36_005_123_000));
        // ISO, equal day and month, explicit zones and failures are left as they are.
        for s in ["2024-01-15T10:22:33", "5/5/2024 10:00", "15/01/2024 10:00 +02:00", "garbage"] {
            assert_eq!(voting(s, parse_time(s, 0), false), parse_time(s, 0), "{s}");
        }
    }

    #[test]
    fn repeated_targets_become_fallbacks() {
        let c = columns([Some(Target::IncomingTokenType), None, Some(Target::IncomingTokenType)]);
        assert_eq!(c[0], Some(Col { target: Target::IncomingTokenType, fallback: false }));
        assert_eq!(c[2], Some(Col { target: Target::IncomingTokenType, fallback: true }));
    }

    #[test]
    fn subslice_keeps_or_copies() {
        let whole = Cow::Borrowed("abc, def");
        assert!(matches!(subslice(&whole, &whole[5..]), Cow::Borrowed("def")));
        let owned: Cow<'_, str> = Cow::Owned("abc".into());
        assert!(matches!(subslice(&owned, "zz"), Cow::Owned(_)));
    }
}
