//! The audit: choose the analysis window and each user's baseline, run every detector on every user
//! in parallel, chain the risks, and keep what passes the threshold.
//!
//! Windows are fixed by `--as-of` (default: the latest sign-in in the evidence, never the wall
//! clock, so a re-run next year gives the same report): the analysis window is the `--days` before
//! it, the baseline window the `--baseline-days` before that. When the evidence does not reach back
//! that far for a user (a 30-day export), the user's own first `--baseline-days` of history become
//! the baseline ([`BaselineMode::UserHistory`]); baseline-dependent detectors then judge only the
//! sign-ins after it, while the others judge the whole window.
//!
//! Cross-user detectors ([`crate::detect::tenant`]) run first, once, over every user's sign-ins of
//! the same window and event types (whatever `--user` selects: a spray is seen across accounts);
//! each user's audit then adds its part in what they found before risks are chained.

pub mod bucketed;
pub mod coverage;
pub mod scope;
pub mod score;
pub mod wire;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::baseline::{BaselineMode, MIN_BASELINE_SIGN_INS, TenantProfile, UserBaseline, own_sign_ins};
use crate::detect::tenant::Verdicts;
use crate::detect::{DETECTORS, Finding, Risk, UserContext};
use crate::enrich::report::EnrichmentSummary;
use crate::enrich::{Enrichment, Sources};
use crate::geo::Geo;
use crate::model::time::format_rfc3339;
use crate::model::view::Rows;
use crate::model::{EventType, SignInTable, UserRange};

const DAY: i64 = 86_400_000_000;

/// Validated audit settings.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// Audit only these principals (lowercased); `None` = everyone.
    pub users: Option<BTreeSet<String>>,
    pub days: u32,
    pub baseline_days: u32,
    pub as_of: Option<i64>,
    pub include_non_interactive: bool,
    pub include_service_principal: bool,
    pub risk_threshold: Risk,
    /// GeoIP/ASN databases, network lists and IOCs (`--geoip-db`, `--asn-db`, `--anonymizer-list`, `--ioc`).
    pub sources: Arc<Sources>,
    /// `--pivot-from`: the principal (lowercased) whose high-risk findings seed the scope.
    pub pivot_from: Option<String>,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            users: None,
            days: 30,
            baseline_days: 14,
            as_of: None,
            include_non_interactive: false,
            include_service_principal: false,
            risk_threshold: Risk::Low,
            sources: Arc::default(),
            pivot_from: None,
        }
    }
}

impl AuditConfig {
    fn includes(&self, event_type: Option<&str>) -> bool {
        match event_type.and_then(EventType::parse) {
            Some(EventType::Interactive) | None => true,
            Some(EventType::NonInteractive) => self.include_non_interactive,
            Some(EventType::ServicePrincipal | EventType::ManagedIdentity) => self.include_service_principal,
        }
    }

    /// The rows of a user's partition the audit looks at: included event types, up to `as_of`.
    fn included(&self, rows: &Rows<'_>, as_of: i64) -> Vec<usize> {
        (0..rows.len).filter(|&i| rows.time(i) <= as_of && self.includes(rows.event_type.get(i))).collect()
    }
}

/// A period in RFC 3339: `(start, end]` for the analysis and baseline windows (the latest sign-in,
/// at the as-of time, is inside the analysis window); `[start, end)` for a baseline formed from a
/// user's own first days.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Period {
    pub start: String,
    pub end: String,
}

fn period(start: i64, end: i64) -> Period {
    Period { start: format_rfc3339(start), end: format_rfc3339(end) }
}

/// The windows of the run.
#[derive(Debug, Clone, Serialize)]
pub struct Window {
    pub as_of: String,
    pub days: u32,
    pub baseline_days: u32,
    pub analysis: Period,
    pub baseline: Period,
    pub event_types: Vec<&'static str>,
}

/// One user's baseline as reported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineSummary {
    pub mode: BaselineMode,
    pub period: Period,
    pub sign_ins: usize,
    /// The successful ones: what the baseline was learned from.
    pub successes: usize,
    /// Fewer than the minimum successful sign-ins: new-device / new-location / off-hours findings
    /// were downgraded.
    pub thin: bool,
}

/// One audited user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserResult {
    pub user: String,
    /// Sign-ins of the included event types in the analysis window.
    pub sign_ins: usize,
    pub baseline: Option<BaselineSummary>,
    /// Highest finding risk at or above the threshold, `none` when there is none.
    pub risk: String,
    pub findings: usize,
    /// Set when a user asked for with `--user`/`--batch` has no sign-ins in the evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Sign-ins of the included event types up to the as-of time (0 for a service principal when
    /// service principals are not included: such principals are left out of the report).
    #[serde(skip)]
    pub included: usize,
}

/// The result of an audit.
#[derive(Debug, Clone, Serialize)]
pub struct AuditResult {
    pub window: Window,
    pub users: Vec<UserResult>,
    pub findings: Vec<Finding>,
    /// What the GeoIP/ASN enrichment knew, and what a database would sharpen.
    pub enrichment: EnrichmentSummary,
    /// Accounts that touched the `--ioc` indicators or the `--pivot-from` user's attacker.
    pub scope: Option<scope::Scope>,
    /// The lookups themselves, for reports that place sign-ins (the HTML map).
    #[serde(skip)]
    pub net: std::sync::Arc<Enrichment>,
}

impl AuditResult {
    /// 2 if any reported finding is high or critical, 3 if any is medium, else 0.
    pub fn exit_code(&self) -> u8 {
        match self.findings.iter().map(|f| f.risk).max() {
            Some(Risk::High | Risk::Critical) => 2,
            Some(Risk::Medium) => 3,
            _ => 0,
        }
    }
}

/// Run the audit over a normalized table (one bucket holding every user, see [`bucketed`]).
pub fn audit(table: &SignInTable, cfg: &AuditConfig) -> AuditResult {
    match bucketed::audit_buckets(&bucketed::Whole(table), cfg) {
        Ok(run) => run.result,
        Err(never) => match never {},
    }
}

/// The windows of a run ending at `as_of`, as reported.
fn window(cfg: &AuditConfig, as_of: i64, analysis_start: i64, baseline_start: i64) -> Window {
    let mut event_types = vec![EventType::Interactive.as_str()];
    if cfg.include_non_interactive {
        event_types.push(EventType::NonInteractive.as_str());
    }
    if cfg.include_service_principal {
        event_types.extend([EventType::ServicePrincipal.as_str(), EventType::ManagedIdentity.as_str()]);
    }
    Window {
        as_of: format_rfc3339(as_of),
        days: cfg.days,
        baseline_days: cfg.baseline_days,
        analysis: period(analysis_start, as_of),
        baseline: period(baseline_start, analysis_start),
        event_types,
    }
}

/// What every user's audit shares: where places are, what networks are, what the tenant uses, what
/// the cross-user pass found.
struct Env<'a> {
    geo: &'a Geo,
    net: &'a Enrichment,
    tenant: &'a TenantProfile,
    verdicts: &'a Verdicts,
}

/// The as-of time, and the starts of the analysis and baseline windows.
fn bounds(table: &SignInTable, cfg: &AuditConfig) -> (i64, i64, i64) {
    let latest = crate::model::table::time_span(&table.batch).ok().flatten().map(|s| s.1).unwrap_or(0);
    let as_of = cfg.as_of.unwrap_or(latest);
    let analysis_start = as_of - cfg.days as i64 * DAY;
    (as_of, analysis_start, analysis_start - cfg.baseline_days as i64 * DAY)
}

/// Every detector's findings about one user: the per-user detectors (annotated with what the
/// enrichment knew, lowered when they need a baseline and it is thin), then the user's part in what
/// the cross-user pass found. `offset` is the user's first row in the whole table.
fn detect_user(cx: &UserContext<'_>, offset: usize, verdicts: &Verdicts) -> Vec<Finding> {
    let mut findings = Vec::new();
    for d in DETECTORS {
        let before = findings.len();
        d.detect(cx, &mut findings);
        crate::enrich::annotate::annotate(cx, offset, &mut findings[before..]);
        if d.needs_baseline() && cx.baseline.thin() {
            for f in &mut findings[before..] {
                f.risk = f.risk.lower();
                f.risk_notes.push(format!(
                    "lowered: thin baseline ({} successful sign-ins, fewer than {MIN_BASELINE_SIGN_INS})",
                    cx.baseline.known_successes
                ));
            }
        }
    }
    verdicts.finish(cx, &mut findings);
    findings
}

fn audit_user(
    table: &SignInTable,
    u: &UserRange,
    cfg: &AuditConfig,
    env: &Env<'_>,
    as_of: i64,
    analysis_start: i64,
    baseline_start: i64,
) -> (UserResult, Vec<Finding>) {
    let batch = table.user_batch(u);
    let Ok(rows) = Rows::new(&batch) else {
        return (
            UserResult {
                user: u.principal.clone(),
                sign_ins: 0,
                baseline: None,
                risk: "none".into(),
                findings: 0,
                note: Some("unreadable partition".into()),
                included: 0,
            },
            Vec::new(),
        );
    };
    let included = cfg.included(&rows, as_of);
    let judged: Vec<usize> = included.iter().copied().filter(|&i| rows.time(i) > analysis_start).collect();
    let plan = crate::baseline::plan(
        &rows,
        &included,
        &own_sign_ins(&rows, as_of, |e| cfg.includes(e)),
        baseline_start,
        analysis_start,
        cfg.baseline_days,
    );
    let baseline = UserBaseline::build(&rows, &plan, env.net);
    let (mode, base_rows, b_start, b_end) = (plan.mode, plan.rows, plan.start, plan.end);
    let judged_after: Vec<usize> = judged.iter().copied().filter(|&i| rows.time(i) >= b_end).collect();
    let interactive_history: Vec<usize> = (0..rows.len).filter(|&i| rows.time(i) <= as_of && rows.is_interactive(i)).collect();
    let cx = UserContext {
        principal: &u.principal,
        rows: &rows,
        judged: &judged,
        judged_after_baseline: &judged_after,
        baseline: &baseline,
        baseline_rows: &base_rows,
        geo: env.geo,
        net: env.net,
        tenant: env.tenant,
        as_of,
        interactive_history: &interactive_history,
    };
    let mut findings = detect_user(&cx, u.offset, env.verdicts);
    score::chain(&mut findings);
    findings.retain(|f| f.risk >= cfg.risk_threshold);
    for f in &mut findings {
        // Row indices only serve chaining; a finding about a long session can hold thousands.
        f.release_rows();
    }
    let risk = score::user_risk(&findings).map_or("none", Risk::as_str).to_string();
    let summary = UserResult {
        user: u.principal.clone(),
        sign_ins: judged.len(),
        baseline: Some(BaselineSummary {
            mode,
            period: period(b_start, b_end),
            sign_ins: baseline.sign_ins,
            successes: baseline.successes,
            thin: baseline.thin(),
        }),
        risk,
        findings: findings.len(),
        note: None,
        included: included.len(),
    };
    (summary, findings)
}
