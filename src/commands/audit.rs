//! `signin-audit audit`: the main job.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use clap::ValueEnum;

use crate::audit::bucketed::audit_buckets;
use crate::audit::coverage::{Coverage, coverage};
use crate::audit::{AuditConfig, AuditResult, audit};
use crate::cli::{AuditArgs, AuditFormat, EnrichArgs, ScopeArgs};
use crate::enrich::{SourcePaths, Sources};
use crate::error::{EnrichError, Error, EvidenceError};
use crate::ingest::dataset::buckets::DatasetBuckets;
use crate::ingest::spill::Spill;
use crate::model::time::{TimeValue, parse_time};
use crate::report::audit::{AuditReport, write_csv, write_json, write_jsonl, write_table};
use crate::report::html::{HtmlPage, ScopeSection, collect};

pub fn run(a: &AuditArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let cfg = config(&a.scope, &a.enrich)?;
    if a.buckets.bucket.is_some() {
        return super::distributed::audit_bucket(a, &cfg, out);
    }
    if !a.buckets.facts.is_empty() || !a.buckets.aggregates.is_empty() {
        return Err(Error::Usage("--facts and --aggregates go with --bucket N (or with merge)".into()));
    }
    if let Some(dataset) = bucketed_dataset(a)? {
        return run_bucketed(a, &cfg, &dataset, out);
    }
    if let Some(buckets) = spill_buckets(a)? {
        return run_spilled(a, &cfg, buckets, out);
    }
    let mut status = super::status(&a.evidence, a.quiet);
    let ingested = super::load(&a.evidence, &status)?;
    // An audit that looks at nothing must never read as clean, not even with -q.
    let covered = coverage(&ingested.table, &cfg);
    if let Some(e) = covered.nothing_analysed(&ingested.table, &cfg) {
        return Err(Error::Usage(e));
    }
    status.stage(format!("auditing {} principal(s)", ingested.table.users.len()));
    let result = super::with_threads(a.scope.concurrency, || audit(&ingested.table, &cfg))?;
    drop(status);
    report(a, &ingested, &result, &covered, out)
}

/// Hidden switch: `SIGNIN_AUDIT_IN_MEMORY=1` audits an exported dataset in memory as any other
/// evidence (the tests compare both ways).
const IN_MEMORY_ENV: &str = "SIGNIN_AUDIT_IN_MEMORY";

/// The dataset to audit bucket by bucket: the evidence is one exported dataset directory, and the
/// report needs no more than buckets give (not `-o html`, which draws every user's sign-ins; not
/// `--ioc` / `--pivot-from`, whose scope section scans the whole table).
fn bucketed_dataset(a: &AuditArgs) -> Result<Option<DatasetBuckets>, Error> {
    let [dir] = a.evidence.evidence.as_slice() else { return Ok(None) };
    let readable_format = matches!(a.evidence.format, None | Some(crate::cli::FormatArg::Dataset));
    let needs_table = a.output == AuditFormat::Html && !a.json && !a.quiet;
    let scope = a.enrich.ioc.is_some() || a.enrich.pivot_from.is_some();
    if !dir.is_dir() || !readable_format || needs_table || scope || std::env::var_os(IN_MEMORY_ENV).is_some_and(|v| v == "1") {
        return Ok(None);
    }
    DatasetBuckets::open(dir)
}

/// `audit DATASET` one bucket at a time: the dataset is verified and counted (no row kept), then
/// audited bucket by bucket ([`crate::audit::bucketed`]); the report is the in-memory audit's.
fn run_bucketed(a: &AuditArgs, cfg: &AuditConfig, dataset: &DatasetBuckets, out: &mut dyn Write) -> Result<u8, Error> {
    let mut status = super::status(&a.evidence, a.quiet);
    let ingested = super::load_with(&a.evidence, &status, |o| o.count_only = true)?;
    status.stage(format!("auditing {} bucket(s) one at a time", dataset.files.len()));
    let run = super::with_threads(a.scope.concurrency, || audit_buckets(dataset, cfg))??;
    if let Some(e) = run.nothing_analysed(cfg) {
        return Err(Error::Usage(e));
    }
    drop(status);
    report(a, &ingested, &run.result, &run.coverage, out)
}

/// Evidence above this size is parsed into user buckets on disk unless `--work-dir` says where:
/// about 3.5 million Graph sign-ins (2.4 KB each in a Graph export, `docs/perf.md`), whose table
/// (about 870 bytes per sign-in) would take 3 GB in memory. Below it the in-memory audit is faster.
pub const SPILL_ABOVE_BYTES: u64 = 8 << 30;

/// Bytes of a Graph export per sign-in (10 million sign-ins are about 24 GB of pages, issue 11),
/// to size the buckets from the evidence before it is parsed.
const EVIDENCE_BYTES_PER_SIGN_IN: u64 = 2_400;

/// Hidden switch for tests and measurements: `SIGNIN_AUDIT_SPILL_BUCKETS=N` spills into N buckets
/// (any evidence); `0` keeps any evidence in memory.
const SPILL_BUCKETS_ENV: &str = "SIGNIN_AUDIT_SPILL_BUCKETS";

/// How many buckets to spill the evidence into, or `None` to audit it in memory.
fn spill_buckets(a: &AuditArgs) -> Result<Option<usize>, Error> {
    let forced: Option<usize> = std::env::var(SPILL_BUCKETS_ENV).ok().and_then(|v| v.parse().ok());
    if forced == Some(0) {
        return Ok(None);
    }
    let found = crate::evidence::discover(&a.evidence.evidence)?;
    let bytes: u64 = found.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    if a.work.work_dir.is_none() && forced.is_none() && bytes <= SPILL_ABOVE_BYTES {
        return Ok(None);
    }
    let whole_table = (a.output == AuditFormat::Html && !a.json && !a.quiet) || a.enrich.ioc.is_some() || a.enrich.pivot_from.is_some();
    if whole_table {
        if a.work.work_dir.is_some() {
            return Err(Error::Usage(
                "--work-dir audits one bucket at a time: -o html, --ioc and --pivot-from need the whole table".into(),
            ));
        }
        return Ok(None);
    }
    let rows = bytes / EVIDENCE_BYTES_PER_SIGN_IN;
    let by_size = crate::export::bucket::bucket_count(usize::try_from(rows).unwrap_or(usize::MAX));
    Ok(Some(forced.unwrap_or(by_size).clamp(1, crate::export::bucket::MAX_BUCKETS)))
}

/// Removes the work directory when the run ends, however it ends (unless it is to be kept).
struct WorkDir(Arc<Spill>, bool);

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.1 {
            // A work directory that cannot be removed is left for the examiner; nothing to report it on.
            let _ = self.0.remove();
        }
    }
}

/// `audit --work-dir`: parse the evidence into user buckets on disk, then audit one bucket at a time.
fn run_spilled(a: &AuditArgs, cfg: &AuditConfig, buckets: usize, out: &mut dyn Write) -> Result<u8, Error> {
    let base = a.work.work_dir.clone().unwrap_or_else(std::env::temp_dir);
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = base.join(format!("signin-audit-{}-{stamp}", std::process::id()));
    let dir = crate::export::safety::check_output(&dir, &a.evidence.evidence)?;
    let spill = Arc::new(Spill::create(dir, buckets)?);
    let _work = WorkDir(spill.clone(), a.work.keep_work_dir);
    let mut status = super::status(&a.evidence, a.quiet);
    let mut ingested = super::load_with(&a.evidence, &status, |o| o.spill = Some(spill.clone()))?;
    status.stage(format!("auditing {buckets} bucket(s) one at a time"));
    let run = super::with_threads(a.scope.concurrency, || audit_buckets(&*spill, cfg))??;
    crate::ingest::apply_stats(&mut ingested.inputs, &spill.stats());
    let evidence_warnings = crate::ingest::evidence_warnings(&ingested.inputs, (run.rows, spill.ual_rows()));
    ingested.warnings.extend(evidence_warnings);
    if let Some(e) = run.nothing_analysed(cfg) {
        return Err(Error::Usage(e));
    }
    drop(status);
    report(a, &ingested, &run.result, &run.coverage, out)
}

/// The exit status of a finished audit, and its report in the chosen format.
pub(super) fn report(
    a: &AuditArgs,
    ingested: &crate::ingest::Ingested,
    result: &AuditResult,
    covered: &Coverage,
    out: &mut dyn Write,
) -> Result<u8, Error> {
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
    let report = AuditReport::new(ingested, result, covered);
    let written = match if a.json { AuditFormat::Json } else { a.output } {
        AuditFormat::Json => write_json(&report, out),
        AuditFormat::Jsonl => write_jsonl(&report, out),
        AuditFormat::Csv => write_csv(&report, out),
        AuditFormat::Table => write_table(&report, out, std::io::stdout().is_terminal()),
        AuditFormat::Html => crate::report::html::write_html(&html_page(a, ingested, result, &report)?, out),
    };
    match written {
        // `audit ... | head`: the findings were still found; the exit status must say so.
        Err(e) if !e.is_broken_pipe() => Err(e),
        _ => Ok(code),
    }
}

/// Validate the scope flags (shared with `timeline`) and load the enrichment sources into audit
/// settings.
pub fn config(a: &ScopeArgs, e: &EnrichArgs) -> Result<AuditConfig, Error> {
    if a.concurrency == Some(0) {
        return Err(Error::Usage("--concurrency must be at least 1".into()));
    }
    // Databases and lists first: a bad one is a usage error before minutes of ingest.
    let sources = Arc::new(load_sources(e)?);
    let pivot_from = e.pivot_from.as_ref().map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty());
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

/// Everything `-o html` shows: the report, the per-file sizes and warnings, the settings as flags,
/// and the sign-ins of the users with findings.
fn html_page<'a>(
    a: &AuditArgs,
    ingested: &'a crate::ingest::Ingested,
    result: &AuditResult,
    report: &'a AuditReport<'a>,
) -> Result<HtmlPage<'a>, Error> {
    let scope = result.scope.as_ref().map(scope_section);
    Ok(HtmlPage { report, inputs: &ingested.inputs, flags: flags(a), data: collect(&ingested.table, result)?, scope })
}

/// The scope of compromise as the page's table: one row per account that touched the indicators.
fn scope_section(s: &crate::audit::scope::Scope) -> ScopeSection {
    let how = match s.mode {
        crate::audit::scope::ScopeMode::Ioc => "the indicators of",
        crate::audit::scope::ScopeMode::Pivot => "the infrastructure of the high-risk findings of",
    };
    let touched = s.indicators.iter().filter(|i| i.sign_ins > 0).count();
    ScopeSection {
        summary: format!(
            "{} account(s) signed in from or with {how} {} ({touched} of {} indicator(s) seen).",
            s.accounts.len(),
            s.source,
            s.indicators.len()
        ),
        columns: ["account", "first contact", "last contact", "sign-ins", "successes", "failures", "indicators", "IP addresses"]
            .map(String::from)
            .to_vec(),
        rows: s
            .accounts
            .iter()
            .map(|a| {
                vec![
                    if a.pivot { format!("{} (pivot)", a.user) } else { a.user.clone() },
                    a.first_contact.clone(),
                    a.last_contact.clone(),
                    a.sign_ins.to_string(),
                    a.successes.to_string(),
                    a.failures.to_string(),
                    a.indicators.join(", "),
                    a.ips.join(", "),
                ]
            })
            .collect(),
    }
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
    let n = &a.enrich;
    f.extend(n.geoip_db.iter().map(|p| format!("--geoip-db {}", p.display())));
    f.extend(n.asn_db.iter().map(|p| format!("--asn-db {}", p.display())));
    f.extend(n.anonymizer_list.iter().map(|l| format!("--anonymizer-list {l}")));
    f.extend(n.ioc.iter().map(|p| format!("--ioc {}", p.display())));
    f.extend(n.pivot_from.iter().map(|u| format!("--pivot-from {u}")));
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
