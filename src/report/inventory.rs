//! The inventory report.
//!
//! JSON shape (scripts rely on these names; new fields may be added, none renamed):
//!
//! ```text
//! {
//!   "tool":   {"name": "signin-audit", "version": "0.1.0"},
//!   "files":  [{"path", "format", "sha256", "bytes", "records_in", "sign_ins", "rejected",
//!               "duplicates", "not_sign_in", "not_sign_in_by_category", "records", "first", "last",
//!               "by_event_type", "warnings", "rejects", "container"?}],
//!   "totals": {"files", "unique_sign_ins", "users", "service_principals", "by_event_type",
//!              "first", "last", "records_in", "records", "rejected", "duplicates", "not_sign_in",
//!              "not_sign_in_by_category"},
//!   "warnings": ["..."]
//! }
//! ```
//! Per file, `records_in` (every record read) = `sign_ins` (normalized and kept) + `rejected` +
//! `duplicates` (copies of a sign-in kept from another record) + `not_sign_in` (records of other
//! logs, by category). `records` is `sign_ins + duplicates`. `format` is null for an unrecognized
//! file. Times are RFC 3339 UTC. `rejects` lists the first rejected records of a file (position, in
//! the numbering of [`crate::model::SourceRef`], and reason); `rejected` counts them all.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::text::terminal;
use crate::error::Error;
use crate::ingest::Ingested;
use crate::model::time::format_rfc3339;

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn current() -> Self {
        Tool { name: env!("CARGO_PKG_NAME"), version: env!("CARGO_PKG_VERSION") }
    }
}

#[derive(Debug, Serialize)]
pub struct Container {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct RejectEntry {
    pub position: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub format: Option<String>,
    pub sha256: String,
    pub bytes: u64,
    pub records_in: u64,
    pub sign_ins: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub not_sign_in: u64,
    pub not_sign_in_by_category: BTreeMap<String, u64>,
    pub records: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub by_event_type: BTreeMap<String, u64>,
    pub warnings: Vec<String>,
    pub rejects: Vec<RejectEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub files: usize,
    pub unique_sign_ins: u64,
    pub users: u64,
    pub service_principals: u64,
    pub by_event_type: BTreeMap<String, u64>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub records_in: u64,
    pub records: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub not_sign_in: u64,
    pub not_sign_in_by_category: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize)]
pub struct Inventory {
    pub tool: Tool,
    pub files: Vec<FileEntry>,
    pub totals: Totals,
    pub warnings: Vec<String>,
}

impl Inventory {
    pub fn new(ing: &Ingested) -> Result<Self, Error> {
        let files: Vec<FileEntry> = ing
            .inputs
            .iter()
            .map(|i| FileEntry {
                path: i.path.clone(),
                format: i.format.clone(),
                sha256: i.sha256.clone(),
                bytes: i.bytes,
                records_in: i.records_in,
                sign_ins: i.sign_ins,
                rejected: i.rejected,
                duplicates: i.duplicates,
                not_sign_in: i.not_sign_in.values().sum(),
                not_sign_in_by_category: i.not_sign_in.clone(),
                records: i.records,
                first: i.first.map(format_rfc3339),
                last: i.last.map(format_rfc3339),
                by_event_type: i.by_event_type.clone(),
                warnings: i.warnings.clone(),
                rejects: i.rejects.iter().map(|r| RejectEntry { position: r.position.clone(), reason: r.reason.clone() }).collect(),
                container: i.container.as_ref().map(|(p, s)| Container { path: p.clone(), sha256: s.clone() }),
            })
            .collect();
        let t = &ing.table;
        let by_event_type = crate::model::table::count_dict(&t.batch, crate::model::schema::col::EVENT_TYPE)?;
        let ts = crate::model::table::time_span(&t.batch)?;
        let sps = t.users.iter().filter(|u| u.principal.starts_with("sp:")).count() as u64;
        let totals = Totals {
            files: files.len(),
            unique_sign_ins: t.len() as u64,
            users: t.users.len() as u64 - sps,
            service_principals: sps,
            by_event_type,
            first: ts.map(|s| format_rfc3339(s.0)),
            last: ts.map(|s| format_rfc3339(s.1)),
            records_in: files.iter().map(|f| f.records_in).sum(),
            records: files.iter().map(|f| f.records).sum(),
            rejected: files.iter().map(|f| f.rejected).sum(),
            duplicates: files.iter().map(|f| f.duplicates).sum(),
            not_sign_in: files.iter().map(|f| f.not_sign_in).sum(),
            not_sign_in_by_category: files.iter().flat_map(|f| &f.not_sign_in_by_category).fold(BTreeMap::new(), |mut m, (k, v)| {
                *m.entry(k.clone()).or_default() += v;
                m
            }),
        };
        Ok(Inventory { tool: Tool::current(), files, totals, warnings: ing.warnings.clone() })
    }
}

pub fn write_json(inv: &Inventory, out: &mut dyn Write) -> Result<(), Error> {
    serde_json::to_writer_pretty(&mut *out, inv).map_err(|e| Error::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}

pub fn write_table(inv: &Inventory, out: &mut dyn Write) -> Result<(), Error> {
    writeln!(
        out,
        "{:<22} {:>9} {:>9} {:>7} {:>7} {:>7}  {:<27}  {:<27}  {:<12}  PATH",
        "FORMAT", "IN", "SIGN-INS", "REJECT", "DUPS", "OTHER", "FIRST", "LAST", "SHA256"
    )?;
    for f in &inv.files {
        writeln!(
            out,
            "{:<22} {:>9} {:>9} {:>7} {:>7} {:>7}  {:<27}  {:<27}  {:<12}  {}",
            f.format.as_deref().unwrap_or("(unrecognized)"),
            f.records_in,
            f.sign_ins,
            f.rejected,
            f.duplicates,
            f.not_sign_in,
            f.first.as_deref().unwrap_or("-"),
            f.last.as_deref().unwrap_or("-"),
            &f.sha256[..f.sha256.len().min(12)],
            terminal(&f.path)
        )?;
        if !f.not_sign_in_by_category.is_empty() {
            writeln!(out, "    not sign-ins (counted, not analysed): {}", terminal(&categories(&f.not_sign_in_by_category)))?;
        }
        for w in &f.warnings {
            writeln!(out, "    {}", terminal(w))?;
        }
        for r in &f.rejects {
            writeln!(out, "    rejected at {}: {}", r.position, terminal(&r.reason))?;
        }
        if f.rejected > f.rejects.len() as u64 {
            writeln!(out, "    ... and {} more rejected record(s)", f.rejected - f.rejects.len() as u64)?;
        }
    }
    let t = &inv.totals;
    writeln!(out)?;
    writeln!(
        out,
        "{} file(s), {} record(s) read: {} sign-in(s) kept, {} rejected, {} duplicate(s) dropped, {} not sign-ins",
        t.files,
        t.records_in,
        t.records - t.duplicates,
        t.rejected,
        t.duplicates,
        t.not_sign_in
    )?;
    writeln!(out, "{} unique sign-in(s), {} user(s), {} service principal(s)", t.unique_sign_ins, t.users, t.service_principals)?;
    if let (Some(a), Some(b)) = (&t.first, &t.last) {
        writeln!(out, "time span: {a} .. {b}")?;
    }
    for (k, v) in &t.by_event_type {
        writeln!(out, "  {k:<20} {v}")?;
    }
    if !t.not_sign_in_by_category.is_empty() {
        writeln!(out, "not sign-ins: {}", terminal(&categories(&t.not_sign_in_by_category)))?;
    }
    if !inv.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "warnings:")?;
        for w in &inv.warnings {
            writeln!(out, "  - {}", terminal(w))?;
        }
    }
    Ok(())
}

/// `AuditLogs 3, MicrosoftGraphActivityLogs 2`.
fn categories(by: &BTreeMap<String, u64>) -> String {
    by.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
}
