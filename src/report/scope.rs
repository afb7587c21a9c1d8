//! The scope section (`--ioc`, `--pivot-from`) and the enrichment notes of the audit report, in the
//! table, JSONL and CSV renderings (JSON serializes [`Scope`] and [`EnrichmentSummary`] as they are).
//!
//! - JSONL: after the findings, one line per account in scope:
//!   `{"scope_account": {..}, "mode": "ioc"|"pivot", "source": ".."}`.
//! - CSV: after the findings, one row per account in scope with `detector` = `scope`, `risk` empty,
//!   `time` = first contact, and the account as JSON in `details`.
//! - Table: a block listing the indicators, what was excluded and why, and the accounts.

use std::io::Write;

use serde::Serialize;
use serde_json::json;

use super::text::terminal;
use crate::audit::scope::{Scope, ScopeAccount, ScopeMode};
use crate::enrich::report::EnrichmentSummary;
use crate::error::{Error, OutputError};

/// The `detector` cell of a scope row in the CSV report.
pub const CSV_SCOPE_ROW: &str = "scope";

fn account_line(a: &ScopeAccount) -> String {
    format!(
        "{} sign-in(s), {} successful, {} failed, {} .. {}, via {}",
        a.sign_ins,
        a.successes,
        a.failures,
        a.first_contact,
        a.last_contact,
        a.indicators.join(", ")
    )
}

pub fn write_table(s: &Scope, out: &mut dyn Write) -> Result<(), Error> {
    let touched = s.indicators.iter().filter(|i| i.sign_ins > 0).count();
    writeln!(out)?;
    writeln!(
        out,
        "scope of compromise ({} {}): {} account(s) touched {} of {} indicator(s)",
        match s.mode {
            ScopeMode::Ioc => "--ioc",
            ScopeMode::Pivot => "--pivot-from",
        },
        terminal(&s.source),
        s.accounts.len(),
        touched,
        s.indicators.len()
    )?;
    for i in &s.indicators {
        writeln!(
            out,
            "   indicator {}:{}  {} sign-in(s), {} account(s)  ({})",
            i.kind,
            terminal(&i.value),
            i.sign_ins,
            i.accounts,
            terminal(&i.origin)
        )?;
    }
    for e in &s.excluded {
        writeln!(out, "   excluded  {}:{}  {}", e.kind, terminal(&e.value), terminal(&e.reason))?;
    }
    for a in &s.accounts {
        let mark = if a.pivot { " (pivot)" } else { "" };
        writeln!(out, "   account   {}{mark}  {}", terminal(&a.user), terminal(&account_line(a)))?;
    }
    for n in &s.notes {
        writeln!(out, "   note: {}", terminal(n))?;
    }
    Ok(())
}

/// One JSONL line of the scope (fields in this order).
#[derive(Serialize)]
struct ScopeLine<'a> {
    scope_account: &'a ScopeAccount,
    mode: ScopeMode,
    source: &'a str,
}

pub fn write_jsonl(s: &Scope, out: &mut dyn Write) -> Result<(), Error> {
    for a in &s.accounts {
        let line = ScopeLine { scope_account: a, mode: s.mode, source: &s.source };
        serde_json::to_writer(&mut *out, &line).map_err(|e| Error::Output(e.into()))?;
        writeln!(out)?;
    }
    Ok(())
}

/// CSV cells (in the report's column order) of each account in scope.
pub fn csv_rows(s: &Scope) -> Result<Vec<[String; 9]>, Error> {
    s.accounts
        .iter()
        .map(|a| {
            let evidence: Vec<String> = a.evidence.iter().map(super::describe::citation).collect();
            let details = json!({"mode": s.mode, "source": s.source, "account": a});
            Ok([
                a.user.clone(),
                CSV_SCOPE_ROW.to_string(),
                String::new(),
                a.first_contact.clone(),
                format!("in scope: {}", account_line(a)),
                a.sign_in_ids.join(";"),
                evidence.join(";"),
                String::new(),
                serde_json::to_string(&details).map_err(|e| Error::Output(OutputError::Json(e)))?,
            ])
        })
        .collect()
}

/// The enrichment lines of the table report: the inputs with their hashes, then the notes.
pub fn write_enrichment(e: &EnrichmentSummary, out: &mut dyn Write) -> Result<(), Error> {
    for f in &e.inputs {
        writeln!(out, "{}: {} sha256 {} ({})", f.role, terminal(&f.path), f.sha256, terminal(&f.kind))?;
    }
    if !e.inputs.is_empty() || !e.ips_by_class.is_empty() {
        let classes: Vec<String> = e.ips_by_class.iter().map(|(c, n)| format!("{c} {n}")).collect();
        writeln!(
            out,
            "enrichment: {} distinct IP(s), {} with an ASN, {} located by a database{}{}",
            e.distinct_ips,
            e.ips_with_asn,
            e.ips_located_by_database,
            if classes.is_empty() { "" } else { "; network classes: " },
            classes.join(", ")
        )?;
    }
    for n in &e.notes {
        writeln!(out, "note: {}", terminal(n))?;
    }
    for l in &e.lookup_errors {
        writeln!(out, "warning: {}: {} lookup(s) failed, first: {}", terminal(&l.file), l.count, terminal(&l.error))?;
    }
    for w in &e.warnings {
        writeln!(out, "warning: {}", terminal(w))?;
    }
    Ok(())
}
