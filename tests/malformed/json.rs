//! JSON: truncations at many cut points, wrong types for the fields, null and empty ids, times and
//! users, dates at the edges of the calendar, leap seconds, a 50 MB line, nesting 100,000 deep.

use std::path::Path;

use serde_json::{Value, json};

use super::make::*;
use super::{Case, case};

/// A page of three records cut just before byte `at(page)`.
fn cut(name: &'static str, at: fn(&[u8]) -> usize) -> Case {
    let p = page_of(3);
    let n = at(&p);
    case(name, vec![("page.json", p[..n].to_vec())])
}

/// One page holding one record.
fn one(name: &'static str, r: Value) -> Case {
    case(name, vec![("page.json", page(&[r]))])
}

pub fn cases() -> Vec<Case> {
    vec![
        case("page-whole", vec![("page.json", page_of(3))]).inputs(&[("page.json", 3, 0, 0)]),
        // Truncations: every whole record before the cut is kept, the one it falls in is rejected.
        cut("cut-after-1-byte", |_| 1).inputs(&[("page.json", 0, 0, 0)]).says("unrecognized"),
        cut("cut-in-odata-context", |_| 30).inputs(&[("page.json", 0, 0, 0)]).says("unrecognized"),
        cut("cut-after-value-bracket", |p| find(p, b"[") + 1).inputs(&[("page.json", 0, 0, 0)]).says("truncated JSON value"),
        cut("cut-in-first-record", |p| record_start(p, 0) + 40).inputs(&[("page.json", 0, 1, 0)]).says("cut short"),
        // TODO(ingest branch): the file ends right after the first record's closing brace, yet a
        // "record 2, cut short" is rejected at the end of the file.
        cut("cut-after-first-record", |p| record_start(p, 1) - 6).inputs(&[("page.json", 1, 1, 0)]).says("truncated"),
        cut("cut-in-second-record", |p| record_start(p, 1) + 100).inputs(&[("page.json", 1, 1, 0)]).says("cut short"),
        cut("cut-in-third-record", |p| record_start(p, 2) + 300).inputs(&[("page.json", 2, 1, 0)]).says("cut short"),
        cut("cut-before-closing-brackets", |p| p.len() - 4).inputs(&[("page.json", 3, 0, 0)]).says("truncated"),
        cut("cut-before-last-newline", |p| p.len() - 1).inputs(&[("page.json", 3, 0, 0)]),
        case(
            "jsonl-cut-in-third-line",
            vec![("s.jsonl", {
                let l = lines(&(1..=4).map(record).collect::<Vec<_>>());
                let third = find(&l, rid(3).as_bytes());
                l[..third + 40].to_vec()
            })],
        )
        .inputs(&[("s.jsonl", 2, 1, 0)])
        .says("line 3"),
        case("pages-appended", vec![("p.json", [page(&[record(1), record(2)]), page(&[record(3), record(2)])].concat())])
            .inputs(&[("p.json", 4, 0, 1)]),
        case("page-then-text", vec![("p.json", [page_of(2), b"Done.\r\n".to_vec()].concat())])
            .inputs(&[("p.json", 2, 0, 0)])
            .says("non-JSON text"),
        case("same-record-twice-in-a-page", vec![("p.json", page(&[record(1), record(1)]))]).inputs(&[("p.json", 2, 0, 1)]),
        case("empty-array", vec![("a.json", b"[]".to_vec())]).inputs(&[("a.json", 0, 0, 0)]).says("unrecognized"),
        case("empty-object", vec![("o.json", b"{}".to_vec())]).inputs(&[("o.json", 0, 0, 0)]).says("unrecognized"),
        case("json-null", vec![("n.json", b"null".to_vec())]).inputs(&[("n.json", 0, 0, 0)]).says("unrecognized"),
        // Wrong JSON types, one field at a time.
        one("time-as-number", with(1, "createdDateTime", json!(1767225600))).inputs(&[("page.json", 0, 1, 0)]).says("timestamp"),
        one("time-as-object", with(1, "createdDateTime", json!({"t": 1}))).inputs(&[("page.json", 0, 1, 0)]).says("timestamp"),
        one("upn-as-object", with(1, "userPrincipalName", json!({"x": 1}))).inputs(&[("page.json", 1, 0, 0)]),
        one("status-as-string", with(1, "status", json!("Success"))).inputs(&[("page.json", 1, 0, 0)]),
        one("location-as-array", with(1, "location", json!([1, 2]))).inputs(&[("page.json", 1, 0, 0)]),
        one("ip-as-number", with(1, "ipAddress", json!(3_325_256_824u64))).inputs(&[("page.json", 1, 0, 0)]),
        one("interactive-as-string", with(1, "isInteractive", json!("yes"))).inputs(&[("page.json", 1, 0, 0)]),
        one("event-types-as-object", with(1, "signInEventTypes", json!({"a": "b"}))).inputs(&[("page.json", 1, 0, 0)]),
        one("asn-out-of-range", with(1, "autonomousSystemNumber", json!(1e26))).inputs(&[("page.json", 1, 0, 0)]),
        one("every-field-an-array", {
            let mut r = record(1);
            if let Some(o) = r.as_object_mut() {
                o.values_mut().for_each(|v| *v = json!([]));
            }
            r
        })
        // An object of only wrong-typed sign-in keys is a sign-in that cannot be normalized.
        .inputs(&[("page.json", 0, 1, 0)]),
        // Null and empty ids, times and users.
        one("id-null", with(1, "id", Value::Null)).inputs(&[("page.json", 1, 0, 0)]),
        one("id-empty", with(1, "id", json!(""))).inputs(&[("page.json", 1, 0, 0)]),
        one("time-null", with(1, "createdDateTime", Value::Null)).inputs(&[("page.json", 0, 1, 0)]).says("timestamp"),
        one("time-empty", with(1, "createdDateTime", json!(""))).inputs(&[("page.json", 0, 1, 0)]).says("timestamp"),
        one("time-missing", without(1, &["createdDateTime"])).inputs(&[("page.json", 0, 1, 0)]).says("timestamp"),
        one("users-null", {
            let mut r = with(1, "userPrincipalName", Value::Null);
            r["userId"] = Value::Null;
            r
        })
        .inputs(&[("page.json", 0, 1, 0)])
        .says("no user"),
        one("users-empty", {
            let mut r = with(1, "userPrincipalName", json!(""));
            r["userId"] = json!("");
            r["userDisplayName"] = json!("");
            r
        })
        .inputs(&[("page.json", 0, 1, 0)])
        .says("no user"),
        // The calendar's edges: FILETIME zero, .NET MinValue and MaxValue, a leap second.
        one("date-1601", with(1, "createdDateTime", json!("1601-01-01T00:00:00Z"))).inputs(&[("page.json", 1, 0, 0)]),
        one("date-0001", with(1, "createdDateTime", json!("0001-01-01T00:00:00Z"))).inputs(&[("page.json", 1, 0, 0)]),
        one("date-9999", with(1, "createdDateTime", json!("9999-12-31T23:59:59.9999999Z"))).inputs(&[("page.json", 1, 0, 0)]),
        one("date-leap-second", with(1, "createdDateTime", json!("2016-12-31T23:59:60Z"))).inputs(&[("page.json", 1, 0, 0)]),
        // Found by the `time` fuzz target: 18 digits of milliseconds overflowed (a wrong time in
        // release builds, a panic in debug builds).
        one("date-powershell-ms-overflow", with(1, "createdDateTime", json!("/Date(176717708077007879)/")))
            .inputs(&[("page.json", 0, 1, 0)])
            .says("timestamp"),
        one("date-february-30", with(1, "createdDateTime", json!("2026-02-30T10:00:00Z"))).inputs(&[("page.json", 0, 1, 0)]),
        // Sizes and depths.
        case("line-of-50-mb", Vec::new()).setup(fifty_mb_line).inputs(&[("big.jsonl", 2, 0, 0)]),
        case("arrays-100000-deep", vec![("deep.json", [vec![b'['; 100_000], vec![b']'; 100_000]].concat())])
            .inputs(&[("deep.json", 0, 0, 0)])
            .says("unrecognized"),
        // TODO(ingest branch): the record is rejected whole (simd-json's depth limit); it could be
        // kept with the too-deep field nulled, as other unreadable optional fields are.
        case("record-field-100000-deep", vec![("deep.json", deep_record())]).inputs(&[("deep.json", 0, 1, 0)]).says("DepthLimitExceeded"),
        case("unclosed-100000-deep", vec![("deep.json", vec![b'{'; 100_000])]).inputs(&[("deep.json", 0, 0, 0)]).says("unrecognized"),
    ]
}

/// JSON lines whose first line is one record with a 50 MB user agent.
fn fifty_mb_line(ev: &Path) {
    let big = with(1, "userAgent", json!("A".repeat(50 << 20)));
    std::fs::write(ev.join("big.jsonl"), lines(&[big, record(2)])).unwrap();
}

/// A page of one record whose `deviceDetail` nests objects 100,000 deep.
fn deep_record() -> Vec<u8> {
    let r = serde_json::to_string(&record(1)).unwrap();
    let at = r.find("\"deviceDetail\":").unwrap() + "\"deviceDetail\":".len();
    let depth = 100_000;
    let nested = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let end = at + r[at..].find('}').unwrap() + 1;
    format!("{{\"value\":[{}{}{}]}}", &r[..at], nested, &r[end..]).into_bytes()
}
