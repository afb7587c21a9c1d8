//! The detectors on a realistic synthetic tenant (`examples/tenant/world`): every planted attack of
//! a registered detector is found at its documented risk, and at most 3 % of benign users get a
//! medium-or-worse finding, with and without non-interactive sign-ins.
//!
//! The tenant is small here (the test budget); the full measurement (150+ users, several seeds,
//! every country profile) is `cargo run --release --example tenant -- measure`, see
//! `docs/detection.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../examples/tenant/world/mod.rs"]
mod world;

use signin_audit::audit::{AuditConfig, audit};
use signin_audit::detect::registry;
use world::score::{Found, score};

/// Audit `records` with and without non-interactive sign-ins and check the targets.
fn check(truth: &world::Truth, records: &[world::Rec], label: &str) {
    let table = world::output::table(records);
    let known = registry::ids();
    for non_interactive in [false, true] {
        let r = audit(&table, &AuditConfig { include_non_interactive: non_interactive, ..AuditConfig::default() });
        let found: Vec<Found> = r
            .findings
            .iter()
            .map(|f| Found {
                user: f.user.clone(),
                detector: f.detector.to_string(),
                risk: f.risk,
                sign_in_ids: f.sign_in_ids.clone(),
                summary: f.summary.clone(),
                notes: f.risk_notes.clone(),
            })
            .collect();
        let s = score(truth, &found, non_interactive);
        let text = world::score::report(&format!("{label}, non-interactive {non_interactive}"), std::slice::from_ref(&s), &known);
        assert!(s.weak(0.95, &known).is_empty(), "recall below 0.95:\n{text}");
        assert!(s.false_alarm_share() <= 0.03, "too many benign users flagged:\n{text}");
        assert!(s.benign_users >= 30, "{text}");
    }
}

/// A 30-day export (each user's first 14 days are their baseline) whose records carry no ASN, the
/// harder case: networks are known only from the records' addresses and places.
#[test]
fn a_realistic_tenant_without_asns() {
    let cfg = world::Config { seed: 3, users: 50, days: 30, attacks_per_detector: 1, strip_asn: true, country: None };
    let t = world::generate(&cfg);
    check(&t.truth, &t.records, "seed 3, 30 days, without ASNs");
}
