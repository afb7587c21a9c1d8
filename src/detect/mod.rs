//! The detectors: one file each, behind one trait, listed in one registry ([`DETECTORS`]).
//!
//! A detector is a pure function of one user's sign-ins ([`UserContext`]) and returns findings. It
//! does no I/O, keeps no global state, and reads its thresholds from named constants in its own file
//! (each with the peer rule or document it comes from). It declares its own id, documentation and
//! chaining role ([`registry`]): the README table, `--help` and risk chaining are derived from
//! that. Risk chaining across detectors happens afterwards in [`crate::audit::score`].

pub mod common;
pub mod impossible_travel;
pub mod ioc_match;
pub mod legacy_protocol;
pub mod mfa_fatigue;
pub mod new_device;
pub mod new_location;
pub mod off_hours;
pub mod registry;
pub mod suspicious_user_agent;
pub mod token_replay;

// Issue #7 section 3: detectors across users and protocols (the cross-user ones in `tenant`).
pub mod brute_force;
pub mod credentials;
pub mod device_code;
pub mod entra_risk;
pub mod infra;
pub mod mfa_sweep;
pub mod tenant;
pub mod valid_credentials_blocked;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use registry::{Declared, Doc, Role};

use crate::baseline::{TenantProfile, UserBaseline};
use crate::enrich::{Enrichment, NetClass};
use crate::geo::Geo;
use crate::model::view::Rows;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
    Critical,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }

    pub fn raise(self) -> Risk {
        match self {
            Risk::Low => Risk::Medium,
            Risk::Medium => Risk::High,
            _ => Risk::Critical,
        }
    }

    pub fn lower(self) -> Risk {
        match self {
            Risk::Critical => Risk::High,
            Risk::High => Risk::Medium,
            _ => Risk::Low,
        }
    }
}

/// Where a sign-in came from in the evidence: the file, the first byte of the record in it, the
/// record's 1-based ordinal within the file and, where the format has lines, its line
/// ([`crate::model::SourceRef`], the numbering every report uses).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cite {
    pub file: String,
    pub offset: u64,
    pub record: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl Cite {
    /// The citation of row `i` of a batch: its file and where the record starts in it.
    pub fn of(rows: &Rows<'_>, i: usize) -> Cite {
        let (file, at) = rows.source(i);
        Cite { file: file.to_string(), offset: at.offset, record: at.record, line: at.line }
    }

    /// `record 7, line 9, byte 1234`.
    pub fn position(&self) -> String {
        crate::model::SourceRef { offset: self.offset, record: self.record, line: self.line }.to_string()
    }
}

/// One anomaly.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub user: String,
    pub detector: &'static str,
    pub risk: Risk,
    /// RFC 3339 UTC time of the sign-in the finding is about.
    pub time: String,
    /// Request ids of the sign-ins involved (the key sign-in first).
    pub sign_in_ids: Vec<String>,
    /// Evidence file and position of each of those sign-ins (same order, at most [`MAX_CITES`]).
    pub evidence: Vec<Cite>,
    pub summary: String,
    /// Why the risk differs from the detector's own rating (chaining, thin baseline).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risk_notes: Vec<String>,
    pub details: BTreeMap<String, serde_json::Value>,
    /// Microseconds of `time`, for sorting.
    #[serde(skip)]
    pub micros: i64,
    /// Row indices (in the user's partition) of the sign-ins involved.
    #[serde(skip)]
    pub rows: Vec<usize>,
    /// The successful ones among `rows`, and their session ids: what risk chaining links on (failed
    /// attempts flagged by several detectors are one failed attempt, not corroboration).
    #[serde(skip)]
    pub successes: Vec<usize>,
    #[serde(skip)]
    pub sessions: Vec<String>,
    /// The facts the rating rests on (`country:NG`), when another detector may report the same
    /// fact: a partner that only restates a finding's facts does not raise it (one fact is rated
    /// once).
    #[serde(skip)]
    pub facts: Vec<String>,
}

/// A finding cites at most this many sign-ins in full (the count is in its details).
pub const MAX_CITES: usize = 20;

impl Finding {
    /// Drop the row indices kept for risk chaining (they are not reported).
    /// The finding rests on `fact` (see [`Finding::facts`]).
    pub fn resting_on(mut self, fact: String) -> Self {
        self.facts.push(fact);
        self
    }

    pub fn release_rows(&mut self) {
        self.rows = Vec::new();
        self.successes = Vec::new();
        self.sessions = Vec::new();
    }
}

/// What a detector sees of one user.
pub struct UserContext<'a> {
    pub principal: &'a str,
    pub rows: &'a Rows<'a>,
    /// Rows inside the analysis window with an included event type, in time order.
    pub judged: &'a [usize],
    /// Rows a baseline-dependent detector may judge: `judged` minus those that formed the baseline.
    pub judged_after_baseline: &'a [usize],
    pub baseline: &'a UserBaseline,
    /// The rows the baseline was learned from.
    pub baseline_rows: &'a [usize],
    pub geo: &'a Geo,
    /// What is known about each IP address (ASN, network class, database location).
    pub net: &'a Enrichment,
    /// What the organization's users share (offices, VPN egresses, carrier gateways).
    pub tenant: &'a TenantProfile,
    /// The end of the analysis window: no sign-in after it is evidence.
    pub as_of: i64,
    /// Every interactive row of the user up to the as-of time (baseline and analysis window).
    pub interactive_history: &'a [usize],
}

impl UserContext<'_> {
    /// Build a finding about `rows` (the first is the key sign-in whose time the finding carries).
    pub fn finding(
        &self,
        detector: &'static str,
        risk: Risk,
        rows: &[usize],
        summary: String,
        details: BTreeMap<String, serde_json::Value>,
    ) -> Finding {
        let key = rows.first().copied().unwrap_or(0);
        let micros = self.rows.time(key);
        let successes: Vec<usize> = rows.iter().copied().filter(|&r| self.rows.is_success(r)).collect();
        let mut sessions: Vec<String> = successes.iter().filter_map(|&r| self.rows.session_id.get(r).map(str::to_string)).collect();
        sessions.sort();
        sessions.dedup();
        Finding {
            user: self.principal.to_string(),
            detector,
            risk,
            time: crate::model::time::format_rfc3339(micros),
            sign_in_ids: rows.iter().take(MAX_CITES).map(|&r| self.rows.sign_in_id(r)).collect(),
            evidence: rows.iter().take(MAX_CITES).map(|&r| Cite::of(self.rows, r)).collect(),
            summary,
            risk_notes: Vec::new(),
            details,
            micros,
            rows: rows.to_vec(),
            successes,
            sessions,
            facts: Vec::new(),
        }
    }
}

/// One anomaly detector of one user's sign-ins; what it declares about itself (id, [`Doc`],
/// roles) is [`Declared`].
pub trait Detector: Declared {
    /// Pure: same context, same findings.
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>);
}

impl UserContext<'_> {
    /// The network class of row `i`'s IP address, when known.
    pub fn net_class(&self, i: usize) -> Option<NetClass> {
        self.rows.ip.get(i).and_then(|ip| self.net.class(ip))
    }

    /// Whether row `i` signed in to a sensitive app ([`common::SENSITIVE_APPS`]).
    pub fn sensitive_app(&self, i: usize) -> bool {
        self.rows.app_id.get(i).is_some_and(|a| common::SENSITIVE_APPS.contains(&a))
            || self.rows.app_name.get(i).is_some_and(|n| common::SENSITIVE_APP_NAMES.contains(&n.to_ascii_lowercase().as_str()))
    }
}

/// Every detector, in report order. Adding one = one file (with its `ID`, [`Doc`] and roles) and
/// one line here; the README table (`UPDATE_README=1 cargo test`) follows.
pub const DETECTORS: &[&dyn Detector] = &[
    &impossible_travel::ImpossibleTravel,
    &legacy_protocol::LegacyProtocol,
    &mfa_fatigue::MfaFatigue,
    &token_replay::TokenReplay,
    &new_device::NewDevice,
    &new_location::NewLocation,
    &suspicious_user_agent::SuspiciousUserAgent,
    &off_hours::OffHours,
    &brute_force::BruteForce,
    &device_code::DeviceCode,
    &valid_credentials_blocked::ValidCredentialsBlocked,
    &entra_risk::EntraRisk,
    &mfa_sweep::MfaSweep,
    &ioc_match::IocMatch,
];

/// Shorthand for detail maps.
pub fn details<const N: usize>(pairs: [(&str, serde_json::Value); N]) -> BTreeMap<String, serde_json::Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Unit-test fixture: run one detector over a few hand-made sign-ins of one user.
#[cfg(test)]
pub(crate) mod fixture {
    use std::borrow::Cow;

    use super::{Detector, Finding, UserContext};
    use crate::baseline::{BaselineMode, BaselinePlan, UserBaseline};
    use crate::geo::Geo;
    use crate::model::time::parse_time;
    use crate::model::view::Rows;
    use crate::model::{EventType, SignIn, TableBuilder};

    /// A successful interactive sign-in at `time` (RFC 3339) from `ip` in `country`, at `coords`.
    pub fn rec(time: &str, ip: &'static str, country: &'static str, coords: (f64, f64)) -> SignIn<'static> {
        SignIn {
            time: parse_time(time, 0),
            user_principal_name: Some(Cow::Borrowed("u@contoso.example")),
            event_type: Some(EventType::Interactive),
            error_code: Some(0),
            ip_address: Some(Cow::Borrowed(ip)),
            country: Some(Cow::Borrowed(country)),
            latitude: Some(coords.0),
            longitude: Some(coords.1),
            ..Default::default()
        }
    }

    pub const NEW_YORK: (f64, f64) = (40.7128, -74.0060);
    pub const TORONTO: (f64, f64) = (43.6532, -79.3832);
    pub const LAGOS: (f64, f64) = (6.5244, 3.3792);
    pub const MOSCOW: (f64, f64) = (55.7558, 37.6173);

    /// Run `d` with the first `baseline` records (in time order) as the baseline and the rest judged.
    pub fn run(d: &dyn Detector, records: &[SignIn<'static>], baseline: usize) -> Vec<Finding> {
        let mut tb = TableBuilder::new("t.json", "graph", 0);
        for r in records {
            tb.push(r).unwrap();
        }
        let table = crate::model::SignInTable::from_sorted(tb.finish().unwrap().batch).unwrap();
        let rows = Rows::new(&table.batch).unwrap();
        let base: Vec<usize> = (0..baseline).collect();
        let judged: Vec<usize> = (baseline..rows.len).collect();
        let history: Vec<usize> = (0..rows.len).filter(|&i| rows.is_interactive(i)).collect();
        // What the records say of their networks (their ASNs, classified by the built-in list).
        let net = crate::enrich::Enrichment::from_records(&table);
        let plan = BaselinePlan { mode: BaselineMode::Window, rows: base.clone(), context: base.clone(), start: 0, end: 1 };
        let b = UserBaseline::build(&rows, &plan, &net);
        let geo = Geo::default();
        let tenant = crate::baseline::TenantProfile::default();
        let cx = UserContext {
            principal: "u@contoso.example",
            rows: &rows,
            judged: &judged,
            judged_after_baseline: &judged,
            baseline: &b,
            baseline_rows: &base,
            geo: &geo,
            net: &net,
            tenant: &tenant,
            as_of: i64::MAX,
            interactive_history: &history,
        };
        let mut out = Vec::new();
        d.detect(&cx, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_steps() {
        assert_eq!(Risk::Low.raise(), Risk::Medium);
        assert_eq!(Risk::Critical.raise(), Risk::Critical);
        assert_eq!(Risk::Low.lower(), Risk::Low);
        assert!(Risk::High > Risk::Medium);
    }
}
