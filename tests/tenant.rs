//! The detectors on a realistic synthetic tenant (`examples/tenant/world`): every registered
//! detector, per user and cross-user (all but `ioc_match`, which reports the examiner's own list),
//! has planted attacks and finds them at their documented risk, and at most 3 % of benign users get
//! a medium-or-worse finding, with and without non-interactive sign-ins, with and without ASNs.
//!
//! The tenant is small here (the test budget); the full measurement (150+ users, several seeds,
//! every country profile) is `cargo run --release --example tenant -- measure`, see
//! `docs/detection.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../examples/tenant/world/mod.rs"]
mod world;

use signin_audit::audit::{AuditConfig, audit};
use world::score::{Found, measured, score};

/// Audit `records` with and without non-interactive sign-ins and check the targets.
fn check(truth: &world::Truth, records: &[world::Rec], label: &str) {
    let table = world::output::table(records);
    let known = measured();
    for non_interactive in [false, true] {
        let r = audit(&table, &AuditConfig { include_non_interactive: non_interactive, ..AuditConfig::default() });
        let s = score(truth, &Found::of(&r.findings), non_interactive);
        let text = world::score::report(&format!("{label}, non-interactive {non_interactive}"), std::slice::from_ref(&s), &known);
        // Every measured detector, the per-user and the cross-user ones, has planted attacks here.
        for id in &known {
            let planted = s.recall.get(*id).map_or(0, |r| r.0);
            assert!(planted > 0 || (*id == "token_replay" && !non_interactive), "no planted attack for {id}:\n{text}");
        }
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

/// A US tenant whose records keep their ASNs: the built-in list classifies its mobile carriers,
/// Microsoft's networks and the attackers' hosting providers, and the classes take part in the
/// rules (carrier legs, attacker infrastructure, new hosting networks).
#[test]
fn a_realistic_tenant_with_asns_and_the_built_in_classes() {
    let cfg = world::Config { seed: 4, users: 50, days: 30, attacks_per_detector: 1, strip_asn: false, country: Some("US".into()) };
    let t = world::generate(&cfg);
    check(&t.truth, &t.records, "seed 4, US, 30 days, with ASNs");
}
