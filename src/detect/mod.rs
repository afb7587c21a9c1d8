//! The detectors: one file each, behind one trait, listed in one registry ([`DETECTORS`]).
//!
//! A detector is a pure function of one user's sign-ins ([`UserContext`]) and returns findings. It
//! does no I/O, keeps no global state, and reads its thresholds from named constants in its own file
//! (each with the peer rule or document it comes from). Risk chaining across detectors happens
//! afterwards in [`crate::audit::score`].

pub mod impossible_travel;
pub mod ioc_match;
pub mod legacy_protocol;
pub mod mfa_fatigue;
pub mod new_device;
pub mod new_location;
pub mod off_hours;
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

use serde::Serialize;

use crate::baseline::UserBaseline;
use crate::enrich::{Enrichment, NetClass};
use crate::geo::Geo;
use crate::model::view::Rows;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
}

/// A finding cites at most this many sign-ins in full (the count is in its details).
pub const MAX_CITES: usize = 20;

impl Finding {
    /// Drop the row indices kept for risk chaining (they are not reported).
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
        }
    }
}

/// One anomaly detector.
pub trait Detector: Sync {
    /// Stable id used in every report (`impossible_travel`).
    fn id(&self) -> &'static str;
    /// One line for `--help` and the README.
    fn summary(&self) -> &'static str;
    /// Whether the detector compares against the user's baseline (its findings are downgraded when
    /// the baseline is too thin to trust, and it never judges the sign-ins the baseline was made of).
    fn needs_baseline(&self) -> bool;
    /// Pure: same context, same findings.
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>);
}

/// Apps whose compromise matters most: admin portals and shells, and the broker used to register
/// devices and mint PRTs (research/peers.md §4.9). Matched against app id or display name.
pub const SENSITIVE_APPS: &[&str] = &[
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", // Azure Portal
    "1950a258-227b-4e31-a9cf-717495945fc2", // Microsoft Azure PowerShell
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46", // Microsoft Azure CLI
    "1b730954-1685-4b74-9bfd-dac224a7b894", // Azure Active Directory PowerShell
    "a0c73c16-a7e3-4564-9a95-2bdf47383716", // Exchange Online PowerShell
    "14d82eec-204b-4c2f-b7e8-296a70dab67e", // Microsoft Graph PowerShell / Command Line Tools
    "de8bc8b5-d9f9-48b1-a8ad-b748da725064", // Graph Explorer
    "29d9ed98-a469-4536-ade2-f981bc1d605e", // Microsoft Authentication Broker
    "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", // Device Registration Service
    "aebc6443-996d-45c2-90f0-388ff96faa56", // Visual Studio Code (FOCI pivots)
];

/// Display names of the same apps, for exports without app ids.
pub const SENSITIVE_APP_NAMES: &[&str] = &[
    "azure portal",
    "microsoft azure powershell",
    "microsoft azure cli",
    "azure active directory powershell",
    "exchange online powershell",
    "microsoft graph command line tools",
    "graph explorer",
    "microsoft authentication broker",
    "device registration service",
];

impl UserContext<'_> {
    /// The network class of row `i`'s IP address, when known.
    pub fn net_class(&self, i: usize) -> Option<NetClass> {
        self.rows.ip.get(i).and_then(|ip| self.net.class(ip))
    }

    /// Whether row `i` signed in to a sensitive app.
    pub fn sensitive_app(&self, i: usize) -> bool {
        self.rows.app_id.get(i).is_some_and(|a| SENSITIVE_APPS.contains(&a))
            || self.rows.app_name.get(i).is_some_and(|n| SENSITIVE_APP_NAMES.contains(&n.to_ascii_lowercase().as_str()))
    }
}

/// Every detector, in report order. Adding one = one file + one line here.
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
    use crate::baseline::{BaselineMode, UserBaseline};
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
        let built = tb.finish().unwrap();
        let rows = Rows::new(&built.batch).unwrap();
        let base: Vec<usize> = (0..baseline).collect();
        let judged: Vec<usize> = (baseline..rows.len).collect();
        let history: Vec<usize> = (0..rows.len).filter(|&i| rows.is_interactive(i)).collect();
        let b = UserBaseline::build(&rows, &base, BaselineMode::Window, 0, 1);
        let geo = Geo::default();
        let net = crate::enrich::Enrichment::default();
        let cx = UserContext {
            principal: "u@contoso.example",
            rows: &rows,
            judged: &judged,
            judged_after_baseline: &judged,
            baseline: &b,
            baseline_rows: &base,
            geo: &geo,
            net: &net,
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
    fn registry_ids_are_unique_snake_case_and_documented() {
        let mut ids: Vec<&str> = DETECTORS.iter().map(|d| d.id()).collect();
        for id in &ids {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{id}");
        }
        for d in DETECTORS {
            assert!(!d.summary().is_empty(), "{}", d.id());
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), DETECTORS.len());
    }

    #[test]
    fn risk_steps() {
        assert_eq!(Risk::Low.raise(), Risk::Medium);
        assert_eq!(Risk::Critical.raise(), Risk::Critical);
        assert_eq!(Risk::Low.lower(), Risk::Low);
        assert!(Risk::High > Risk::Medium);
    }
}
