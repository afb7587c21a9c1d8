//! The audit report in four formats.
//!
//! JSON (one object; scripts rely on these names, new fields may be added):
//! ```text
//! { "tool": {"name","version"},
//!   "evidence_files": [{"path","sha256","format","records","rejected","duplicates"}],
//!   "window": {"as_of","days","baseline_days","analysis":{"start","end"},"baseline":{"start","end"},"event_types"},
//!   "coverage": {"in_window","before_window","after_window","users_outside_window","first","last","other_event_types"},
//!   "users": [{"user","sign_ins","baseline":{"mode","period","sign_ins","thin"},"risk","findings","note"?}],
//!   "findings": [{"user","detector","risk","time","sign_in_ids","evidence":[{"file","offset","record","line"?}],
//!                 "summary","risk_notes"?,"details"}],
//!   "enrichment": {..see enrich::report..},
//!   "scope"?: {"mode","source","indicators":[..],"excluded"?:[..],"accounts":[..],"notes"?:[..]},
//!   "warnings": [..] }
//! ```
//! JSONL: one finding object per line (then one line per account in scope). CSV: one finding per
//! row (then one `scope` row per account in scope; cells defused against formula injection). Table:
//! one block per user, for a person at a terminal (attacker strings escaped), then the scope and the
//! enrichment notes. The scope rendering lives in [`super::scope`].

use std::io::Write;

use serde::Serialize;

use super::describe::{citation, parse_risk};
use super::inventory::Tool;
use super::text::{spreadsheet, terminal};
use crate::audit::AuditResult;
use crate::audit::coverage::{Coverage, MAX_NAMED_USERS};
use crate::audit::scope::Scope;
use crate::detect::{Finding, Risk};
use crate::enrich::report::EnrichmentSummary;
use crate::error::Error;
use crate::ingest::Ingested;

#[derive(Debug, Serialize)]
pub struct EvidenceFileEntry {
    pub path: String,
    pub sha256: String,
    pub format: Option<String>,
    pub records: u64,
    pub rejected: u64,
    pub duplicates: u64,
}

#[derive(Debug, Serialize)]
pub struct AuditReport<'a> {
    pub tool: Tool,
    pub evidence_files: Vec<EvidenceFileEntry>,
    pub window: &'a crate::audit::Window,
    pub coverage: &'a Coverage,
    pub users: &'a [crate::audit::UserResult],
    pub findings: &'a [Finding],
    pub enrichment: &'a EnrichmentSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'a Scope>,
    pub warnings: &'a [String],
}

impl<'a> AuditReport<'a> {
    pub fn new(ing: &'a Ingested, result: &'a AuditResult, coverage: &'a Coverage) -> Self {
        AuditReport {
            tool: Tool::current(),
            evidence_files: ing
                .inputs
                .iter()
                .map(|i| EvidenceFileEntry {
                    path: i.path.clone(),
                    sha256: i.sha256.clone(),
                    format: i.format.clone(),
                    records: i.records,
                    rejected: i.rejected,
                    duplicates: i.duplicates,
                })
                .collect(),
            window: &result.window,
            coverage,
            users: &result.users,
            findings: &result.findings,
            enrichment: &result.enrichment,
            scope: result.scope.as_ref(),
            warnings: &ing.warnings,
        }
    }
}

pub fn write_json(r: &AuditReport<'_>, out: &mut dyn Write) -> Result<(), Error> {
    serde_json::to_writer_pretty(&mut *out, r).map_err(|e| Error::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}

pub fn write_jsonl(r: &AuditReport<'_>, out: &mut dyn Write) -> Result<(), Error> {
    for f in r.findings {
        serde_json::to_writer(&mut *out, f).map_err(|e| Error::Output(e.into()))?;
        writeln!(out)?;
    }
    if let Some(s) = r.scope {
        super::scope::write_jsonl(s, out)?;
    }
    Ok(())
}

/// CSV columns, in order.
pub const CSV_COLUMNS: &[&str] = &["user", "detector", "risk", "time", "summary", "sign_in_ids", "evidence", "risk_notes", "details"];

pub fn write_csv(r: &AuditReport<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS).map_err(super::csv_error)?;
    for f in r.findings {
        let evidence: Vec<String> = f.evidence.iter().map(citation).collect();
        let details = serde_json::to_string(&f.details).map_err(|e| Error::Output(e.into()))?;
        let cells = [
            f.user.clone(),
            f.detector.to_string(),
            f.risk.as_str().to_string(),
            f.time.clone(),
            f.summary.clone(),
            f.sign_in_ids.join(";"),
            evidence.join(";"),
            f.risk_notes.join("; "),
            details,
        ];
        w.write_record(cells.iter().map(|c| spreadsheet(c).into_owned())).map_err(super::csv_error)?;
    }
    for cells in r.scope.map(super::scope::csv_rows).transpose()?.unwrap_or_default() {
        w.write_record(cells.iter().map(|c| spreadsheet(c).into_owned())).map_err(super::csv_error)?;
    }
    w.flush()?;
    Ok(())
}

/// Where the audited sign-ins fall: inside the window (analysed), before it, after it, and the
/// users it misses entirely.
fn write_coverage(c: &Coverage, out: &mut dyn Write) -> Result<(), Error> {
    writeln!(out, "sign-ins analysed: {} in the window, {} before it, {} after it", c.in_window, c.before_window, c.after_window)?;
    if !c.users_outside_window.is_empty() {
        let named: Vec<String> = c.users_outside_window.iter().take(MAX_NAMED_USERS).map(|u| terminal(u).into_owned()).collect();
        let more = c.users_outside_window.len().saturating_sub(MAX_NAMED_USERS);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        writeln!(
            out,
            "{} user(s) have sign-ins, none in the window (not analysed): {}{more}",
            c.users_outside_window.len(),
            named.join(", ")
        )?;
    }
    Ok(())
}

/// ANSI colour of a risk (only when writing to a terminal).
fn paint(risk: Risk, text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match risk {
        Risk::Critical => "1;35",
        Risk::High => "1;31",
        Risk::Medium => "33",
        Risk::Low => "36",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

pub fn write_table(r: &AuditReport<'_>, out: &mut dyn Write, color: bool) -> Result<(), Error> {
    let w = r.window;
    writeln!(out, "signin-audit {}  as of {}", r.tool.version, w.as_of)?;
    writeln!(
        out,
        "analysis window: {} .. {} ({} days)  event types: {}",
        w.analysis.start,
        w.analysis.end,
        w.days,
        w.event_types.join(", ")
    )?;
    writeln!(
        out,
        "baseline window: {} .. {} ({} days; users without that history use their own first {} days)",
        w.baseline.start, w.baseline.end, w.baseline_days, w.baseline_days
    )?;
    let files: u64 = r.evidence_files.iter().map(|f| f.records).sum();
    writeln!(out, "evidence: {} file(s), {} record(s)", r.evidence_files.len(), files)?;
    write_coverage(r.coverage, out)?;
    for u in r.users {
        let mine: Vec<&Finding> = r.findings.iter().filter(|f| f.user == u.user).collect();
        if mine.is_empty() && u.note.is_none() {
            continue;
        }
        writeln!(out)?;
        let risk = parse_risk(&u.risk);
        let label = risk.map_or_else(|| "NONE".to_string(), |k| paint(k, &k.as_str().to_uppercase(), color));
        writeln!(out, "== {}  risk {}  ({} finding(s), {} sign-in(s) analysed)", terminal(&u.user), label, mine.len(), u.sign_ins)?;
        if let Some(b) = &u.baseline {
            writeln!(
                out,
                "   baseline: {} .. {}, {} sign-in(s), {} successful{}{}",
                b.period.start,
                b.period.end,
                b.sign_ins,
                b.successes,
                if matches!(b.mode, crate::baseline::BaselineMode::UserHistory) { ", from the user's first days" } else { "" },
                if b.thin { ", THIN: device/location/hour findings lowered" } else { "" }
            )?;
        }
        if let Some(n) = &u.note {
            writeln!(out, "   {n}")?;
        }
        // The detector column fits the longest registered id (`valid_credentials_blocked`).
        let w = crate::detect::registry::id_width();
        for f in mine {
            writeln!(out, "   {}  {:<8}  {:<w$}  {}", f.time, paint(f.risk, f.risk.as_str(), color), f.detector, terminal(&f.summary))?;
            for note in &f.risk_notes {
                writeln!(out, "   {:20}  {:8}  {:w$}  ({})", "", "", "", terminal(note))?;
            }
            if let Some(c) = f.evidence.first() {
                let more = if f.sign_in_ids.len() > 1 { format!(" +{} more", f.sign_in_ids.len() - 1) } else { String::new() };
                writeln!(
                    out,
                    "   {:20}  {:8}  {:w$}  sign-in {} in {}{more}",
                    "",
                    "",
                    "",
                    terminal(&f.sign_in_ids[0]),
                    terminal(&citation(c))
                )?;
            }
        }
    }
    if let Some(s) = r.scope {
        super::scope::write_table(s, out)?;
    }
    let flagged = r.users.iter().filter(|u| u.risk != "none").count();
    writeln!(out)?;
    writeln!(out, "{} user(s) audited, {} with findings, {} finding(s)", r.users.len(), flagged, r.findings.len())?;
    super::scope::write_enrichment(r.enrichment, out)?;
    for warning in r.warnings {
        writeln!(out, "warning: {}", terminal(warning))?;
    }
    Ok(())
}
