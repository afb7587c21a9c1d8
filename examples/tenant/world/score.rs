//! Compare an audit's findings with a tenant's truth: recall per detector, the share of benign users
//! with a medium-or-worse finding, and benign decoys rated above their bracket.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use signin_audit::detect::{Finding, Risk};

use super::Truth;

/// What the scorer needs of a finding.
#[derive(Debug, Clone)]
pub struct Found {
    pub user: String,
    pub detector: String,
    pub risk: Risk,
    pub sign_in_ids: Vec<String>,
    pub summary: String,
    pub notes: Vec<String>,
}

impl Found {
    /// What the scorer needs of an audit's findings.
    pub fn of(findings: &[Finding]) -> Vec<Found> {
        findings
            .iter()
            .map(|f| Found {
                user: f.user.clone(),
                detector: f.detector.to_string(),
                risk: f.risk,
                sign_in_ids: f.sign_in_ids.clone(),
                summary: f.summary.clone(),
                notes: f.risk_notes.clone(),
            })
            .collect()
    }
}

/// Detectors whose findings a tenant cannot plant: `ioc_match` reports what the examiner's own
/// indicator list names, not behaviour.
pub const NOT_MEASURED: &[&str] = &["ioc_match"];

/// The registered detectors the tenant measures.
pub fn measured() -> Vec<&'static str> {
    signin_audit::detect::registry::ids().into_iter().filter(|id| !NOT_MEASURED.contains(id)).collect()
}

pub fn parse_risk(s: &str) -> Option<Risk> {
    match s {
        "low" => Some(Risk::Low),
        "medium" => Some(Risk::Medium),
        "high" => Some(Risk::High),
        "critical" => Some(Risk::Critical),
        _ => None,
    }
}

/// The result of scoring one audit.
#[derive(Debug, Clone, Default)]
pub struct Score {
    /// detector -> (planted, found); detectors the build does not have are listed too.
    pub recall: BTreeMap<String, (usize, usize)>,
    /// Attacks missed: (attack id, detector, what was found instead).
    pub missed: Vec<(String, String, String)>,
    pub benign_users: usize,
    /// Benign users with a medium-or-worse finding, with that finding.
    pub flagged: BTreeMap<String, Vec<Found>>,
    /// Decoy class -> (findings citing it, findings above its bracket).
    pub classes: BTreeMap<String, (usize, usize)>,
    /// Examples of findings above their bracket: (class, bracket, finding).
    pub violations: Vec<(String, String, Found)>,
}

impl Score {
    pub fn false_alarm_share(&self) -> f64 {
        self.flagged.len() as f64 / self.benign_users.max(1) as f64
    }

    /// Detectors of the registry whose recall is below `min` (detectors the build lacks are skipped).
    pub fn weak(&self, min: f64, known: &[&str]) -> Vec<String> {
        self.recall
            .iter()
            .filter(|(d, (planted, found))| known.contains(&d.as_str()) && *planted > 0 && (*found as f64) < min * *planted as f64)
            .map(|(d, _)| d.clone())
            .collect()
    }
}

/// Score `findings` against `truth`. Attacks that only show in non-interactive sign-ins count only
/// when `non_interactive` was audited.
pub fn score(truth: &Truth, findings: &[Found], non_interactive: bool) -> Score {
    let mut s = Score::default();
    let by_id: HashMap<&str, Vec<&Found>> = findings.iter().fold(HashMap::new(), |mut m, f| {
        for id in &f.sign_in_ids {
            m.entry(id.as_str()).or_default().push(f);
        }
        m
    });
    for a in &truth.attacks {
        if a.non_interactive && !non_interactive {
            continue;
        }
        for (detector, min) in &a.detectors {
            let min = parse_risk(min).unwrap_or(Risk::Medium);
            let e = s.recall.entry(detector.to_string()).or_default();
            e.0 += 1;
            let cited: Vec<&Found> = a.sign_ins.iter().flat_map(|id| by_id.get(id.as_str()).into_iter().flatten().copied()).collect();
            if cited.iter().any(|f| f.detector == *detector && f.risk >= min) {
                e.1 += 1;
            } else {
                let mut instead: Vec<String> = cited.iter().map(|f| format!("{} {}", f.detector, f.risk.as_str())).collect();
                instead.sort();
                instead.dedup();
                s.missed.push((a.id.clone(), detector.to_string(), instead.join(", ")));
            }
        }
    }
    let benign: BTreeSet<&str> = truth.users.iter().filter(|u| u.benign).map(|u| u.upn.as_str()).collect();
    s.benign_users = benign.len();
    let mut decoy_of: HashMap<&str, (&str, &str)> = HashMap::new();
    for d in &truth.decoys {
        for id in &d.sign_ins {
            decoy_of.insert(id.as_str(), (d.class.as_str(), d.bracket.as_str()));
        }
    }
    for f in findings {
        if !benign.contains(f.user.as_str()) {
            continue;
        }
        if f.risk >= Risk::Medium {
            s.flagged.entry(f.user.clone()).or_default().push(f.clone());
        }
        let classes: BTreeMap<&str, &str> = f.sign_in_ids.iter().filter_map(|id| decoy_of.get(id.as_str()).copied()).collect();
        let allowed = classes.values().filter_map(|b| parse_risk(b)).max().unwrap_or(Risk::Low);
        let label = if classes.is_empty() { "routine".to_string() } else { classes.keys().copied().collect::<Vec<_>>().join("+") };
        let e = s.classes.entry(label.clone()).or_default();
        e.0 += 1;
        if f.risk > allowed {
            e.1 += 1;
            s.violations.push((label, allowed.as_str().to_string(), f.clone()));
        }
    }
    s
}

/// A human-readable report of one or more scores (one per tenant).
pub fn report(title: &str, scores: &[Score], known: &[&str]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "== {title} ({} tenant(s))", scores.len());
    let mut recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in scores {
        for (d, (p, f)) in &s.recall {
            let e = recall.entry(d.clone()).or_default();
            e.0 += p;
            e.1 += f;
        }
    }
    let _ = writeln!(out, "recall per detector (planted attacks found at their documented risk):");
    for (d, (p, f)) in &recall {
        let note = if known.contains(&d.as_str()) { "" } else { "  (not in this build)" };
        let _ = writeln!(out, "  {d:28} {f:3}/{p:3} = {:.2}{note}", *f as f64 / (*p).max(1) as f64);
    }
    let benign: usize = scores.iter().map(|s| s.benign_users).sum();
    let flagged: usize = scores.iter().map(|s| s.flagged.len()).sum();
    let _ = writeln!(
        out,
        "benign users with a medium-or-worse finding: {flagged}/{benign} = {:.1} %",
        100.0 * flagged as f64 / benign.max(1) as f64
    );
    let shares: Vec<String> = scores.iter().map(|s| format!("{:.1}", 100.0 * s.false_alarm_share())).collect();
    let _ = writeln!(out, "  per tenant (%): {}", shares.join(", "));
    let mut classes: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in scores {
        for (c, (n, v)) in &s.classes {
            let e = classes.entry(c.clone()).or_default();
            e.0 += n;
            e.1 += v;
        }
    }
    let _ = writeln!(out, "benign findings by decoy class (findings, above the class's bracket):");
    for (c, (n, v)) in &classes {
        let _ = writeln!(out, "  {c:40} {n:5} {v:5}");
    }
    let mut by_detector: BTreeMap<String, usize> = BTreeMap::new();
    for s in scores {
        for fs in s.flagged.values() {
            for f in fs {
                *by_detector.entry(format!("{} {}", f.detector, f.risk.as_str())).or_default() += 1;
            }
        }
    }
    let _ = writeln!(out, "medium-or-worse findings on benign users by detector:");
    for (d, n) in &by_detector {
        let _ = writeln!(out, "  {d:36} {n}");
    }
    for s in scores {
        for (id, d, instead) in s.missed.iter().take(10) {
            let _ = writeln!(out, "  missed {id} by {d}; found instead: [{instead}]");
        }
        for (class, bracket, f) in s.violations.iter().take(5) {
            let _ = writeln!(out, "  above bracket {class} ({bracket}): {} {} {}: {}", f.user, f.detector, f.risk.as_str(), f.summary);
        }
        for fs in s.flagged.values().take(6) {
            for f in fs.iter().take(2) {
                let _ = writeln!(out, "  flagged {} {} {}: {} {:?}", f.user, f.detector, f.risk.as_str(), f.summary, f.notes);
            }
        }
    }
    out
}
