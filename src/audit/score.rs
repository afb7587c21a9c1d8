//! Risk chaining: signals on the same sign-in or session raise each other.
//!
//! Rules (applied once, from the detectors' own ratings, so the order of findings does not matter):
//! - an MFA-fatigue success that is also flagged by a location, device, travel, token or tooling
//!   detector is critical, and so are those findings (push bombing that worked, from a new place);
//! - otherwise a finding that shares a *successful* sign-in or its session with another detector's
//!   finding is raised one level, with a note naming the other detectors. Failed attempts do not
//!   chain: one failed spray attempt flagged by three detectors is still one failed attempt. A
//!   session shared by findings more than [`SESSION_CHAIN_HOURS`] apart does not chain either: a
//!   phone's session lasts weeks, and a holiday sign-in does not corroborate a refresh from home
//!   days earlier.
//!
//! A partner that rests only on facts the finding itself reports ([`Finding::facts`]: the token
//! replay whose only corroboration is the new country `new_location` reports) raises nothing: one
//! fact is rated once.
//!
//! Only partners rated at least [`MIN_PARTNER_RISK`] by their own detector raise others: a low
//! finding (an early-morning sign-in, a far city, failures only, anything lowered for a thin
//! baseline) is context, not corroboration. Otherwise an early departure on the day of a business
//! trip would turn the trip's new-country sign-in high.
//!
//! A user's risk is the highest of their findings, raised to at least high when three or more
//! detectors rate them medium or above.

use std::collections::{BTreeSet, HashSet};

use crate::detect::registry::has_role;
use crate::detect::{Finding, Risk, Role};

/// Distinct detectors at medium or above that make a user at least high.
pub const CORROBORATING_DETECTORS: usize = 3;

/// A finding raises the findings it shares a sign-in or session with only when its own detector
/// rated it at least this (project choice: low findings are weak context, see the module docs).
pub const MIN_PARTNER_RISK: Risk = Risk::Medium;

/// Findings that share only a session (no sign-in) chain when their key sign-ins are at most this
/// many hours apart (project choice: one day's use of a session is one story; a stolen session is
/// used within hours of the theft).
pub const SESSION_CHAIN_HOURS: i64 = 12;

pub fn chain(findings: &mut [Finding]) {
    let keys: Vec<(HashSet<usize>, HashSet<&str>)> =
        findings.iter().map(|f| (f.successes.iter().copied().collect(), f.sessions.iter().map(String::as_str).collect())).collect();
    let mut partners: Vec<BTreeSet<&'static str>> = vec![BTreeSet::new(); findings.len()];
    for a in 0..findings.len() {
        for b in 0..findings.len() {
            if a == b
                || findings[a].detector == findings[b].detector
                || findings[b].risk < MIN_PARTNER_RISK
                || restates(&findings[b], &findings[a])
            {
                continue;
            }
            let close = (findings[a].micros - findings[b].micros).abs() <= SESSION_CHAIN_HOURS * 3_600_000_000;
            let shared = keys[a].0.iter().any(|r| keys[b].0.contains(r)) || (close && keys[a].1.iter().any(|s| keys[b].1.contains(s)));
            if shared {
                partners[a].insert(findings[b].detector);
            }
        }
    }
    let bombing = |id: &str| has_role(id, Role::PushBombing);
    let partner = |id: &str| has_role(id, Role::FatiguePartner);
    let fatigue_success = |f: &Finding| bombing(f.detector) && f.risk >= Risk::High;
    let critical: Vec<bool> = (0..findings.len())
        .map(|a| {
            let f = &findings[a];
            (fatigue_success(f) && partners[a].iter().any(|p| partner(p)))
                || (partner(f.detector)
                    && f.risk >= MIN_PARTNER_RISK
                    && partners[a].iter().any(|p| bombing(p))
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
            let others: Vec<&str> = names.iter().copied().filter(|&n| !bombing(n) && n != f.detector).collect();
            f.risk_notes.push(if bombing(f.detector) {
                format!("raised to critical: MFA fatigue succeeded and {} flagged the same sign-in or session", others.join(", "))
            } else if others.is_empty() {
                "raised to critical: MFA fatigue succeeded on the same sign-in or session".to_string()
            } else {
                format!("raised to critical: MFA fatigue succeeded on the same sign-in or session (also flagged by {})", others.join(", "))
            });
        } else if !critical[a] {
            let before = f.risk;
            f.risk = f.risk.raise();
            if f.risk != before {
                f.risk_notes.push(format!("raised: {} also flagged the same sign-in or session", names.join(", ")));
            }
        }
    }
}

/// Whether `partner` rests only on facts `f` already reports (a new country seen by two detectors).
fn restates(partner: &Finding, f: &Finding) -> bool {
    !partner.facts.is_empty() && partner.facts.iter().all(|x| f.facts.contains(x))
}

fn shares(a: &Finding, b: &Finding) -> bool {
    let close = (a.micros - b.micros).abs() <= SESSION_CHAIN_HOURS * 3_600_000_000;
    a.successes.iter().any(|r| b.successes.contains(r)) || (close && a.sessions.iter().any(|s| b.sessions.contains(s)))
}

/// A user's overall risk.
pub fn user_risk(findings: &[Finding]) -> Option<Risk> {
    let max = findings.iter().map(|f| f.risk).max()?;
    let strong: BTreeSet<&str> = findings.iter().filter(|f| f.risk >= Risk::Medium).map(|f| f.detector).collect();
    Some(if strong.len() >= CORROBORATING_DETECTORS { max.max(Risk::High) } else { max })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::detect::{mfa_fatigue, new_device, new_location, off_hours};

    fn finding(detector: &'static str, risk: Risk, rows: &[usize], session: &str) -> Finding {
        Finding {
            user: "u".into(),
            detector,
            risk,
            time: String::new(),
            sign_in_ids: Vec::new(),
            evidence: Vec::new(),
            summary: String::new(),
            risk_notes: Vec::new(),
            details: BTreeMap::new(),
            micros: 0,
            rows: rows.to_vec(),
            successes: rows.to_vec(),
            sessions: vec![session.to_string()],
            facts: Vec::new(),
        }
    }

    #[test]
    fn medium_partners_raise_each_other() {
        let mut f = [finding(new_device::ID, Risk::Medium, &[7], "s"), finding(new_location::ID, Risk::Medium, &[7], "s")];
        chain(&mut f);
        assert_eq!((f[0].risk, f[1].risk), (Risk::High, Risk::High));
        assert_eq!(f[0].risk_notes, ["raised: new_location also flagged the same sign-in or session"]);
    }

    #[test]
    fn a_low_finding_is_raised_but_raises_nothing() {
        // An early departure (off-hours, low) and the trip's new country later in the same session.
        let mut f = [finding(off_hours::ID, Risk::Low, &[1], "trip"), finding(new_location::ID, Risk::Medium, &[2], "trip")];
        chain(&mut f);
        assert_eq!(f[0].risk, Risk::Medium);
        assert_eq!(f[1].risk, Risk::Medium);
        assert!(f[1].risk_notes.is_empty());
    }

    #[test]
    fn one_fact_seen_by_two_detectors_is_rated_once() {
        let mut f = [
            finding(new_location::ID, Risk::Medium, &[4], "phone").resting_on("country:JP".into()),
            finding("token_replay", Risk::Medium, &[4], "phone").resting_on("country:JP".into()),
        ];
        chain(&mut f);
        assert_eq!((f[0].risk, f[1].risk), (Risk::Medium, Risk::Medium));
        // Another fact of the partner (another client) is corroboration.
        f[1].facts.push("client:python".into());
        chain(&mut f);
        assert_eq!(f[0].risk, Risk::High);
    }

    #[test]
    fn a_session_shared_days_apart_does_not_chain() {
        let mut f = [finding(new_location::ID, Risk::Medium, &[1], "phone"), finding(off_hours::ID, Risk::Low, &[2], "phone")];
        f[1].micros = (SESSION_CHAIN_HOURS + 1) * 3_600_000_000;
        chain(&mut f);
        assert_eq!((f[0].risk, f[1].risk), (Risk::Medium, Risk::Low));
        f[1].micros = SESSION_CHAIN_HOURS * 3_600_000_000;
        chain(&mut f);
        assert_eq!(f[1].risk, Risk::Medium);
    }

    #[test]
    fn fatigue_success_with_a_new_place_is_critical() {
        let mut f = [finding(mfa_fatigue::ID, Risk::High, &[5, 1, 2], "a"), finding(new_location::ID, Risk::Medium, &[5], "b")];
        chain(&mut f);
        assert_eq!((f[0].risk, f[1].risk), (Risk::Critical, Risk::Critical));
        assert_eq!(f[0].risk_notes, ["raised to critical: MFA fatigue succeeded and new_location flagged the same sign-in or session"]);
        assert_eq!(f[1].risk_notes, ["raised to critical: MFA fatigue succeeded on the same sign-in or session"]);
    }

    #[test]
    fn a_thin_low_place_finding_does_not_make_fatigue_critical() {
        let mut f = [finding(mfa_fatigue::ID, Risk::High, &[5, 1, 2], "a"), finding(new_location::ID, Risk::Low, &[5], "b")];
        chain(&mut f);
        assert_eq!((f[0].risk, f[1].risk), (Risk::High, Risk::Medium));
    }
}
