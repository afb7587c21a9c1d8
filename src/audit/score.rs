//! Risk chaining: signals on the same sign-in or session raise each other.
//!
//! Rules (applied once, from the detectors' own ratings, so the order of findings does not matter):
//! - an MFA-fatigue success that is also flagged by a location, device, travel, token or tooling
//!   detector is critical, and so are those findings (push bombing that worked, from a new place);
//! - otherwise a finding that shares a sign-in or session with another detector's finding is raised
//!   one level, with a note naming the other detectors.
//!
//! A user's risk is the highest of their findings, raised to at least high when three or more
//! detectors rate them medium or above.

use std::collections::{BTreeSet, HashSet};

use crate::detect::{Finding, Risk};

/// Detectors whose agreement with an MFA-fatigue success makes it critical.
const FATIGUE_PARTNERS: &[&str] = &["new_location", "new_device", "impossible_travel", "token_replay", "suspicious_user_agent"];

/// Distinct detectors at medium or above that make a user at least high.
pub const CORROBORATING_DETECTORS: usize = 3;

pub fn chain(findings: &mut [Finding]) {
    let keys: Vec<(HashSet<usize>, HashSet<&str>)> =
        findings.iter().map(|f| (f.rows.iter().copied().collect(), f.sessions.iter().map(String::as_str).collect())).collect();
    let mut partners: Vec<BTreeSet<&'static str>> = vec![BTreeSet::new(); findings.len()];
    for a in 0..findings.len() {
        for b in 0..findings.len() {
            if a == b || findings[a].detector == findings[b].detector {
                continue;
            }
            let shared = keys[a].0.iter().any(|r| keys[b].0.contains(r)) || keys[a].1.iter().any(|s| keys[b].1.contains(s));
            if shared {
                partners[a].insert(findings[b].detector);
            }
        }
    }
    let fatigue_success = |f: &Finding| f.detector == "mfa_fatigue" && f.risk >= Risk::High;
    let critical: Vec<bool> = (0..findings.len())
        .map(|a| {
            let f = &findings[a];
            (fatigue_success(f) && partners[a].iter().any(|p| FATIGUE_PARTNERS.contains(p)))
                || (FATIGUE_PARTNERS.contains(&f.detector)
                    && partners[a].contains("mfa_fatigue")
                    && findings.iter().any(|o| fatigue_success(o) && shares(o, f)))
        })
        .collect();
    for (a, f) in findings.iter_mut().enumerate() {
        if partners[a].is_empty() {
            continue;
        }
        let names: Vec<&str> = partners[a].iter().copied().collect();
        if critical[a] && f.risk < Risk::Critical {
            f.risk = Risk::Critical;
            f.risk_notes
                .push(format!("raised to critical: MFA fatigue succeeded and {} flagged the same sign-in or session", names.join(", ")));
        } else if !critical[a] {
            let before = f.risk;
            f.risk = f.risk.raise();
            if f.risk != before {
                f.risk_notes.push(format!("raised: {} also flagged the same sign-in or session", names.join(", ")));
            }
        }
    }
}

fn shares(a: &Finding, b: &Finding) -> bool {
    a.rows.iter().any(|r| b.rows.contains(r)) || a.sessions.iter().any(|s| b.sessions.contains(s))
}

/// A user's overall risk.
pub fn user_risk(findings: &[Finding]) -> Option<Risk> {
    let max = findings.iter().map(|f| f.risk).max()?;
    let strong: BTreeSet<&str> = findings.iter().filter(|f| f.risk >= Risk::Medium).map(|f| f.detector).collect();
    Some(if strong.len() >= CORROBORATING_DETECTORS { max.max(Risk::High) } else { max })
}
