//! `signin-audit audit`: the main job.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};

use clap::ValueEnum;

use crate::audit::coverage::coverage;
use crate::audit::{AuditConfig, AuditResult, audit};
use crate::cli::{AuditArgs, AuditFormat, ScopeArgs};
use crate::error::{Error, EvidenceError};
use crate::model::time::{TimeValue, parse_time};
use crate::report::audit::{AuditReport, write_csv, write_json, write_jsonl, write_table};
use crate::report::html::{HtmlPage, collect};

pub fn run(a: &AuditArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let cfg = config(&a.scope)?;
    let mut status = super::status(&a.evidence, a.quiet);
    let ingested = super::load(&a.evidence, &status)?;
    // An audit that looks at nothing must never read as clean, not even with -q.
    let covered = coverage(&ingested.table, &cfg);
    if let Some(e) = covered.nothing_analysed(&ingested.table, &cfg) {
        return Err(Error::Usage(e));
    }
    status.stage(format!("auditing {} principal(s)", ingested.table.users.len()));
    let result = super::with_threads(a.scope.concurrency, || audit(&ingested.table, &cfg))?;
    let code = result.exit_code();
    drop(status);
    if a.quiet {
        return Ok(code);
    }
    let report = AuditReport::new(&ingested, &result, &covered);
    let written = match if a.json { AuditFormat::Json } else { a.output } {
        AuditFormat::Json => write_json(&report, out),
        AuditFormat::Jsonl => write_jsonl(&report, out),
        AuditFormat::Csv => write_csv(&report, out),
        AuditFormat::Table => write_table(&report, out, std::io::stdout().is_terminal()),
        AuditFormat::Html => crate::report::html::write_html(&html_page(a, &ingested, &result, &report)?, out),
    };
    match written {
        // `audit ... | head`: the findings were still found; the exit status must say so.
        Err(e) if !e.is_broken_pipe() => Err(e),
        _ => Ok(code),
    }
}

/// Validate the scope flags (shared with `timeline`) into audit settings.
pub fn config(a: &ScopeArgs) -> Result<AuditConfig, Error> {
    if a.concurrency == Some(0) {
        return Err(Error::Usage("--concurrency must be at least 1".into()));
    }
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
    Ok(AuditConfig {
        users: if users.is_empty() && a.batch.is_none() && a.users.is_empty() { None } else { Some(users) },
        days: a.days,
        baseline_days: a.baseline_days,
        as_of,
        include_non_interactive: a.include_non_interactive,
        include_service_principal: a.include_service_principal,
        risk_threshold: a.risk_threshold,
    })
}

/// Everything `-o html` shows: the report, the per-file sizes and warnings, the settings as flags,
/// and the sign-ins of the users with findings.
fn html_page<'a>(
    a: &AuditArgs,
    ingested: &'a crate::ingest::Ingested,
    result: &AuditResult,
    report: &'a AuditReport<'a>,
) -> Result<HtmlPage<'a>, Error> {
    Ok(HtmlPage { report, inputs: &ingested.inputs, flags: flags(a), data: collect(&ingested.table, result)?, scope: None })
}

/// The settings of a run as the flags that give them (defaults included), for the report.
fn flags(a: &AuditArgs) -> Vec<String> {
    let s = &a.scope;
    let mut f = vec![format!("--days {}", s.days), format!("--baseline-days {}", s.baseline_days)];
    if let Some(t) = &s.as_of {
        f.push(format!("--as-of {t}"));
    }
    for u in &s.users {
        f.push(format!("--user {u}"));
    }
    if let Some(b) = &s.batch {
        f.push(format!("--batch {}", b.display()));
    }
    if s.include_non_interactive {
        f.push("--include-non-interactive".into());
    }
    if s.include_service_principal {
        f.push("--include-service-principal".into());
    }
    f.push(format!("--risk-threshold {}", s.risk_threshold.as_str()));
    let e = &a.evidence;
    if let Some(fmt) = e.format {
        f.push(format!("--format {}", fmt.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string())));
    }
    f.push(format!("--input-timezone {}", e.input_timezone));
    if let Some(d) = e.date_order {
        f.push(format!("--date-order {}", d.to_possible_value().map_or_else(String::new, |v| v.get_name().to_string())));
    }
    if e.strict {
        f.push("--strict".into());
    }
    f
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> AuditArgs {
        match Cli::try_parse_from([&["signin-audit", "audit", "evidence"][..], args].concat()).unwrap().command {
            Command::Audit(a) => a,
            other => panic!("not audit: {other:?}"),
        }
    }

    #[test]
    fn the_settings_shown_are_flags_that_give_the_same_settings() {
        let given = [
            "--days",
            "7",
            "--baseline-days",
            "3",
            "--as-of",
            "2026-01-31T00:00:00Z",
            "--user",
            "a@x.example",
            "--include-non-interactive",
            "--include-service-principal",
            "--risk-threshold",
            "medium",
            "--format",
            "portal-csv",
            "--input-timezone",
            "+02:00",
            "--date-order",
            "dmy",
            "--strict",
        ];
        let shown = flags(&parse(&given));
        let again: Vec<&str> = shown.iter().flat_map(|f| f.splitn(2, ' ')).collect();
        assert_eq!(flags(&parse(&again)), shown);
        assert_eq!(shown.len(), 11, "every setting given is shown: {shown:?}");
    }
}
