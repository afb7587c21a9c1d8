//! An audit says where its window falls in the evidence: how many sign-ins it analysed, how many
//! fall before and after it, which users it misses; and an audit that analysed nothing is an
//! error, never a clean report (fixtures in `tests/fixtures/real-evidence/windows`).

mod common;

use common::*;
use serde_json::Value;

/// Interactive sign-ins in January 2024; the latest sign-in (non-interactive, so not audited by
/// default) in February 2026 sets the default `--as-of`: the default window holds nothing.
const YEARS: &str = "real-evidence/windows/years";

#[test]
fn a_window_that_holds_no_sign_in_is_an_error_even_with_q() {
    for args in [vec!["audit", YEARS], vec!["audit", "-q", YEARS], vec!["audit", "-o", "json", YEARS]] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{}", describe(&args, &o));
        assert!(o.stdout.is_empty(), "no report when nothing was analysed\n{}", describe(&args, &o));
        let line = one_line_error(&args, &o);
        assert!(line.contains("nothing analysed"), "{line}");
        assert!(line.contains("span 2024-01-10T09:00:00Z .. 2024-01-15T09:00:00Z"), "{line}");
        assert!(line.contains("use --as-of 2024-01-15T09:00:00Z --days 6"), "{line}");
    }
}

#[test]
fn the_suggested_window_covers_the_evidence() {
    let args = ["audit", "-o", "json", "--as-of", "2024-01-15T09:00:00Z", "--days", "6", YEARS];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&args, &o));
    let r: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(r["coverage"]["in_window"], 6, "{}", r["coverage"]);
    assert_eq!(r["coverage"]["before_window"], 0);
    assert_eq!(r["coverage"]["users_outside_window"], serde_json::json!([]));
}

#[test]
fn a_partial_window_counts_what_it_misses_and_names_the_users() {
    let path = "real-evidence/windows/partial";
    let o = run(&["audit", "-o", "json", path]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&["audit", path], &o));
    let r: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let c = &r["coverage"];
    assert_eq!((c["in_window"].as_u64(), c["before_window"].as_u64(), c["after_window"].as_u64()), (Some(4), Some(1), Some(0)), "{c}");
    assert_eq!(c["users_outside_window"], serde_json::json!(["mei.tanaka@contoso.example"]));
    let table = text(&run_ok(&["audit", path]));
    assert!(table.contains("sign-ins analysed: 4 in the window, 1 before it, 0 after it"), "{table}");
    assert!(table.contains("1 user(s) have sign-ins, none in the window (not analysed): mei.tanaka@contoso.example"), "{table}");
    // Sign-ins after --as-of are counted too.
    let r: Value = serde_json::from_slice(&run_ok(&["audit", "-o", "json", "--as-of", "2026-02-02T12:00:00Z", path])).expect("JSON");
    assert_eq!(r["coverage"]["after_window"], 2, "{}", r["coverage"]);
}
