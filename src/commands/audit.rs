//! `signin-audit audit`: the main job.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use crate::audit::{AuditConfig, audit};
use crate::cli::{AuditArgs, AuditFormat, EnrichArgs};
use crate::enrich::{SourcePaths, Sources};
use crate::error::{EnrichError, Error, EvidenceError};
use crate::model::time::{TimeValue, parse_time};
use crate::report::audit::{AuditReport, write_csv, write_json, write_jsonl, write_table};

pub fn run(a: &AuditArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let cfg = config(a)?;
    if a.concurrency == Some(0) {
        return Err(Error::Usage("--concurrency must be at least 1".into()));
    }
    let ingested = super::load(&a.evidence, a.quiet)?;
    let result = super::with_threads(a.concurrency, || audit(&ingested.table, &cfg))?;
    // A database whose records cannot be decoded is as unusable as one that does not open.
    if let Some(e) = result.enrichment.lookup_errors.first() {
        return Err(EnrichError::Invalid {
            path: e.file.clone().into(),
            message: format!("{} lookup(s) failed, the database is damaged; first: {}", e.count, e.error),
        }
        .into());
    }
    let code = result.exit_code();
    if a.quiet {
        return Ok(code);
    }
    let report = AuditReport::new(&ingested, &result);
    let written = match if a.json { AuditFormat::Json } else { a.output } {
        AuditFormat::Json => write_json(&report, out),
        AuditFormat::Jsonl => write_jsonl(&report, out),
        AuditFormat::Csv => write_csv(&report, out),
        AuditFormat::Table => write_table(&report, out, std::io::stdout().is_terminal()),
    };
    match written {
        // `audit ... | head`: the findings were still found; the exit status must say so.
        Err(e) if !e.is_broken_pipe() => Err(e),
        _ => Ok(code),
    }
}

fn config(a: &AuditArgs) -> Result<AuditConfig, Error> {
    // Databases and lists first: a bad one is a usage error before minutes of ingest.
    let sources = Arc::new(load_sources(&a.enrich)?);
    let pivot_from = a.enrich.pivot_from.as_ref().map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty());
    let mut users: BTreeSet<String> = a.users.iter().map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty()).collect();
    if let Some(path) = &a.batch {
        let text = std::fs::read_to_string(path).map_err(|e| EvidenceError::Read { path: path.clone(), source: e })?;
        // Notepad and PowerShell 5.1 write a byte-order mark: it must not become part of a UPN.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        for line in text.lines() {
            let l = line.trim();
            if !l.is_empty() && !l.starts_with('#') {
                users.insert(l.to_lowercase());
            }
        }
    }
    let as_of = match &a.as_of {
        None => None,
        Some(s) => match parse_time(s, 0) {
            Some(TimeValue::Utc { micros, zoned: true }) => Some(micros),
            _ => return Err(Error::Usage(format!("--as-of {s:?}: expected an RFC 3339 time with a zone, e.g. 2026-01-31T00:00:00Z"))),
        },
    };
    if a.days == 0 {
        return Err(Error::Usage("--days must be at least 1".into()));
    }
    let filtered = !(users.is_empty() && a.batch.is_none() && a.users.is_empty());
    // The pivot user's findings seed the scope: audit them even when --user names others.
    users.extend(pivot_from.iter().filter(|_| filtered).cloned());
    Ok(AuditConfig {
        users: if filtered { Some(users) } else { None },
        days: a.days,
        baseline_days: a.baseline_days,
        as_of,
        include_non_interactive: a.include_non_interactive,
        include_service_principal: a.include_service_principal,
        risk_threshold: a.risk_threshold,
        sources,
        pivot_from,
    })
}

/// Read, hash and check every `--geoip-db`, `--asn-db`, `--anonymizer-list` and `--ioc` file.
fn load_sources(e: &EnrichArgs) -> Result<Sources, Error> {
    let paths = SourcePaths {
        geoip_dbs: e.geoip_db.clone(),
        asn_dbs: e.asn_db.clone(),
        anonymizer_lists: e.anonymizer_list.clone(),
        ioc: e.ioc.clone(),
    };
    Ok(Sources::load(&paths)?)
}
