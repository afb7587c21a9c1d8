//! `signin-audit timeline` on the bundled samples: golden CSV and JSON lines, Timesketch's format
//! (mandatory columns, ISO 8601 datetimes), one finding row per finding of `audit`, formula
//! injection defused, exit status 0 whatever the findings, and the same bytes at any thread count.
//!
//! Re-bless after an intended change: `UPDATE_GOLDEN=1 cargo test --test timeline`.

// Test helpers outside `#[test]` functions, where clippy's allow-unwrap-in-tests does not reach:
// failing loudly is what they are for.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{BIN, assert_golden, describe};
use serde_json::Value;

/// Run `signin-audit ARGS` from the repository root (so paths read `samples/...`).
fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(Path::new(env!("CARGO_MANIFEST_DIR"))).output().unwrap()
}

fn ok(args: &[&str]) -> Vec<u8> {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "{}", describe(args, &o));
    assert!(o.stderr.is_empty(), "{}", describe(args, &o));
    o.stdout
}

fn rows(csv_bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(csv_bytes);
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

#[test]
fn csv_golden_last_week() {
    assert_golden("timeline/days-7.csv", &ok(&["timeline", "samples", "--days", "7"]));
}

#[test]
fn jsonl_golden_two_victims() {
    let args = ["timeline", "samples", "-o", "jsonl", "--user", "daniel.kim@contoso.example", "--user", "Miguel.Alvarez@contoso.example"];
    assert_golden("timeline/two-users.jsonl", &ok(&args));
}

#[test]
fn csv_is_timesketch_format_and_holds_every_finding() {
    let (header, rows) = rows(&ok(&["timeline", "samples"]));
    assert_eq!(&header[..4], ["message", "datetime", "timestamp", "timestamp_desc"], "Timesketch's mandatory fields first");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (dt, ts, desc, det) = (col("datetime"), col("timestamp"), col("timestamp_desc"), col("detector"));
    let mut last = i64::MIN;
    for r in &rows {
        let d = &r[dt];
        assert!(d.len() >= 25 && d.ends_with("+00:00") && &d[10..11] == "T", "datetime {d:?} is not ISO 8601 UTC");
        let micros: i64 = r[ts].parse().unwrap();
        assert!(micros >= last, "events are in time order");
        last = micros;
        assert!(["Sign-in", "Sign-in failure", "Sign-in interrupted", "Finding"].contains(&r[desc].as_str()), "{:?}", r[desc]);
        assert!(!r[0].is_empty(), "every event has a message");
    }
    let audit: Value = serde_json::from_slice(&run(&["audit", "samples", "-o", "json"]).stdout).unwrap();
    let findings = audit["findings"].as_array().unwrap();
    let finding_rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[desc] == "Finding").collect();
    assert_eq!(finding_rows.len(), findings.len(), "one Finding event per finding of `audit`");
    for f in findings {
        let detector = f["detector"].as_str().unwrap();
        // CSV cells that would run as a formula carry a leading `'` (the samples have such a UPN).
        let user = f["user"].as_str().unwrap();
        let user = if user.starts_with(['=', '+', '-', '@']) { format!("'{user}") } else { user.to_string() };
        assert!(finding_rows.iter().any(|r| r[det] == detector && r[col("user")] == user), "no row for {detector} of {user}");
    }
    let sign_ins: u64 = audit["users"].as_array().unwrap().iter().map(|u| u["sign_ins"].as_u64().unwrap()).sum();
    assert_eq!((rows.len() - findings.len()) as u64, sign_ins, "one event per sign-in `audit` analysed");
}

#[test]
fn csv_cells_are_defused_and_findings_do_not_change_the_exit_status() {
    // The samples hold a user named `=cmd|' /c calc'!a0@contoso.example` and high findings.
    let out = ok(&["timeline", "samples", "--include-non-interactive"]);
    let (_, rows) = rows(&out);
    let mut hostile = 0;
    for cell in rows.iter().flatten() {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "cell {cell:?} would run as a formula");
        hostile += usize::from(cell.starts_with("'=cmd"));
    }
    assert!(hostile > 0, "the hostile UPN of the samples is in the timeline, defused");
}

#[test]
fn jsonl_lines_carry_the_mandatory_fields_and_finding_tags() {
    let out = ok(&["timeline", "samples", "-o", "jsonl", "--days", "14"]);
    let text = String::from_utf8(out).unwrap();
    let mut findings = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for key in ["message", "datetime", "timestamp", "timestamp_desc", "user", "source_file", "source_offset", "source_record"] {
            assert!(v.get(key).is_some(), "{key} missing in {line}");
        }
        if v["timestamp_desc"] == "Finding" {
            findings += 1;
            let tags: Vec<&str> = v["tag"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
            assert_eq!(tags, ["finding", v["detector"].as_str().unwrap(), v["risk"].as_str().unwrap()]);
        }
    }
    assert!(findings > 0);
}

#[test]
fn output_does_not_depend_on_threads() {
    let a = ok(&["timeline", "samples", "--threads", "1", "--concurrency", "1"]);
    let b = ok(&["timeline", "samples", "--threads", "3", "--concurrency", "4"]);
    assert!(a == b, "timeline output differs between thread counts");
}

#[test]
fn scope_flags_are_validated_like_audit() {
    let o = run(&["timeline", "samples", "--concurrency", "0"]);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&["--concurrency 0"], &o));
    let o = run(&["timeline", "samples", "--as-of", "yesterday"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["timeline", "samples", "-o", "html"]);
    assert_eq!(o.status.code(), Some(1), "the timeline has no html format");
}
