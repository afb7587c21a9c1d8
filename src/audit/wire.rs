//! The bucketed audit's passes as JSON lines, so each bucket can be handled by another process or
//! machine (`signin-audit aggregate`, `audit --bucket N`, `merge`; a Spark job runs them on its
//! executors, see `docs/scale.md`).
//!
//! One line per bucket and pass: `{"kind": "facts" | "aggregates" | "part", "bucket": N,
//! "settings": "...", ...}`. Files may hold the lines of any buckets in any order; a reader adds
//! them up after checking that every bucket of the dataset is there exactly once (a retried task
//! that wrote its line twice is fine if both copies agree) and, for the passes that depend on them,
//! that the audit settings are the reader's own. Coordinates travel as the bits of their `f64`, so
//! a merged audit gives the single run's bytes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::bucketed::{Aggregates, Facts, Part};
use super::coverage::Coverage;
use super::{AuditConfig, UserResult};
use crate::baseline::TenantProfile;
use crate::detect::tenant::Aggregate;
use crate::detect::{Cite, Finding, Risk};
use crate::enrich::report::{RowCounts, SignInCoverage};
use crate::geo::OwnedPlace;

/// The values of `located_by`, `place_filled_from` and the detectors, as the report spells them.
const LOCATED_BY: &[&str] = &["record", "evidence_city", "database", "country_centroid", "none"];
const FILLED_FROM: &[&str] = &["evidence_ip", "database"];

/// One line of a pass's output.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    Facts { bucket: usize, facts: FactsWire },
    Aggregates { bucket: usize, settings: String, aggregates: AggregatesWire },
    Part { bucket: usize, settings: String, part: PartWire },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactsWire {
    latest: Option<i64>,
    rows: usize,
    /// (address, principal of its first record, ASN).
    asns: Vec<(String, String, Option<u32>)>,
    /// (city key, principal, latitude bits, longitude bits).
    cities: Vec<(String, String, u64, u64)>,
    /// (address, principal, place).
    placed: Vec<(String, String, OwnedPlace)>,
}

impl FactsWire {
    pub fn from_facts(f: &Facts) -> Self {
        let mut asns: Vec<_> = f.asns.iter().map(|(ip, (p, a))| (ip.clone(), p.to_string(), *a)).collect();
        let mut cities: Vec<_> = f.cities.iter().map(|(k, (p, c))| (k.clone(), p.to_string(), c.0.to_bits(), c.1.to_bits())).collect();
        let mut placed: Vec<_> = f.placed.iter().map(|(ip, (p, place))| (ip.clone(), p.to_string(), place.clone())).collect();
        asns.sort();
        cities.sort();
        placed.sort();
        FactsWire { latest: f.latest, rows: f.rows, asns, cities, placed }
    }

    pub fn into_facts(self) -> Facts {
        let mut principals: HashMap<String, Arc<str>> = HashMap::new();
        let mut intern = |p: String| principals.entry(p.clone()).or_insert_with(|| Arc::from(p)).clone();
        Facts {
            latest: self.latest,
            rows: self.rows,
            asns: self.asns.into_iter().map(|(ip, p, a)| (ip, (intern(p), a))).collect(),
            cities: self.cities.into_iter().map(|(k, p, la, lo)| (k, (intern(p), (f64::from_bits(la), f64::from_bits(lo))))).collect(),
            placed: self.placed.into_iter().map(|(ip, p, place)| (ip, (intern(p), place))).collect(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AggregatesWire {
    profile: TenantProfile,
    tenant: Aggregate,
    coverage: CoverageWire,
}

#[derive(Debug, Serialize, Deserialize)]
struct CoverageWire {
    in_window: u64,
    before_window: u64,
    after_window: u64,
    users_outside_window: Vec<String>,
    other_event_types: u64,
    span: Option<(i64, i64)>,
}

impl AggregatesWire {
    pub fn from_aggregates(a: Aggregates) -> Self {
        let c = a.coverage;
        let coverage = CoverageWire {
            in_window: c.in_window,
            before_window: c.before_window,
            after_window: c.after_window,
            span: c.span(),
            users_outside_window: c.users_outside_window,
            other_event_types: c.other_event_types,
        };
        AggregatesWire { profile: a.profile, tenant: a.tenant, coverage }
    }

    pub fn into_aggregates(self) -> Aggregates {
        let c = self.coverage;
        let mut coverage = Coverage::default();
        coverage.in_window = c.in_window;
        coverage.before_window = c.before_window;
        coverage.after_window = c.after_window;
        coverage.users_outside_window = c.users_outside_window;
        coverage.other_event_types = c.other_event_types;
        coverage.set_span(c.span);
        Aggregates { profile: self.profile, tenant: self.tenant, coverage }
    }
}

/// A finding with the time it sorts by (what the report leaves out is not needed after the audit).
#[derive(Debug, Serialize, Deserialize)]
struct FindingWire {
    user: String,
    detector: String,
    risk: Risk,
    time: String,
    micros: i64,
    sign_in_ids: Vec<String>,
    evidence: Vec<Cite>,
    summary: String,
    risk_notes: Vec<String>,
    details: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PartWire {
    users: Vec<UserResult>,
    findings: Vec<FindingWire>,
    analysed: usize,
    without_asn: usize,
    located_by: BTreeMap<String, usize>,
    place_filled_from: BTreeMap<String, usize>,
    findings_to_sharpen: BTreeMap<String, usize>,
}

/// The `&'static str` a report names `name` by, among `known`.
fn known(name: &str, known: &[&'static str]) -> Result<&'static str, String> {
    known.iter().find(|k| **k == name).copied().ok_or_else(|| format!("unknown name {name:?}"))
}

fn detector(id: &str) -> Result<&'static str, String> {
    crate::detect::registry::find(id).map(|d| d.id()).ok_or_else(|| format!("unknown detector {id:?}"))
}

fn statics(m: BTreeMap<String, usize>, f: impl Fn(&str) -> Result<&'static str, String>) -> Result<BTreeMap<&'static str, usize>, String> {
    m.into_iter().map(|(k, v)| Ok((f(&k)?, v))).collect()
}

impl PartWire {
    pub fn from_part(p: Part) -> Self {
        let findings = p
            .findings
            .into_iter()
            .map(|f| FindingWire {
                user: f.user,
                detector: f.detector.to_string(),
                risk: f.risk,
                time: f.time,
                micros: f.micros,
                sign_in_ids: f.sign_in_ids,
                evidence: f.evidence,
                summary: f.summary,
                risk_notes: f.risk_notes,
                details: f.details,
            })
            .collect();
        let c = p.counts.sign_ins;
        let owned = |m: BTreeMap<&'static str, usize>| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        PartWire {
            users: p.users,
            findings,
            analysed: c.analysed,
            without_asn: c.without_asn,
            located_by: owned(c.located_by),
            place_filled_from: owned(c.place_filled_from),
            findings_to_sharpen: owned(p.counts.findings_to_sharpen),
        }
    }

    pub fn into_part(self) -> Result<Part, String> {
        let mut findings = Vec::with_capacity(self.findings.len());
        for f in self.findings {
            findings.push(Finding {
                user: f.user,
                detector: detector(&f.detector)?,
                risk: f.risk,
                time: f.time,
                sign_in_ids: f.sign_in_ids,
                evidence: f.evidence,
                summary: f.summary,
                risk_notes: f.risk_notes,
                details: f.details,
                micros: f.micros,
                rows: Vec::new(),
                successes: Vec::new(),
                sessions: Vec::new(),
                facts: Vec::new(),
            });
        }
        let sign_ins = SignInCoverage {
            analysed: self.analysed,
            located_by: statics(self.located_by, |k| known(k, LOCATED_BY))?,
            place_filled_from: statics(self.place_filled_from, |k| known(k, FILLED_FROM))?,
            without_asn: self.without_asn,
        };
        let counts = RowCounts { sign_ins, findings_to_sharpen: statics(self.findings_to_sharpen, detector)? };
        Ok(Part { users: self.users, findings, counts })
    }
}

/// The settings a pass's output depends on, as one line: every reader checks them against its own.
pub fn settings(cfg: &AuditConfig) -> String {
    let sources: Vec<&str> = cfg.sources.files.iter().map(|f| f.sha256.as_str()).collect();
    format!(
        "days={} baseline_days={} as_of={:?} non_interactive={} service_principal={} risk_threshold={} users={:?} sources={:?}",
        cfg.days,
        cfg.baseline_days,
        cfg.as_of,
        cfg.include_non_interactive,
        cfg.include_service_principal,
        cfg.risk_threshold.as_str(),
        cfg.users,
        sources
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_a_part_carries_are_the_reports() {
        for s in ["record", "evidence_city", "database", "country_centroid"] {
            assert!(
                [
                    crate::geo::LocationSource::Record,
                    crate::geo::LocationSource::EvidenceCity,
                    crate::geo::LocationSource::Database,
                    crate::geo::LocationSource::CountryCentroid
                ]
                .iter()
                .any(|l| l.as_str() == s)
            );
        }
        assert!(LOCATED_BY.contains(&"none"));
        for f in [crate::geo::FillSource::EvidenceIp, crate::geo::FillSource::Database] {
            assert!(FILLED_FROM.contains(&f.as_str()));
        }
        assert!(detector("password_spray").is_ok());
        assert!(known("elsewhere", LOCATED_BY).is_err());
    }
}
