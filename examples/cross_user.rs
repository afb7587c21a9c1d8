//! Time the cross-user pass (aggregate -> merge -> judge, `signin_audit::detect::tenant`) against the
//! whole audit, on any evidence, in one process (evidence is ingested once).
//!
//! ```sh
//! cargo run --release --example generate -- --sign-ins 1000000 --out /tmp/g1m
//! cargo run --release --example cross_user -- /tmp/g1m
//! ```
//!
//! Prints the ingest time, then for the interactive-only and the all-event-types audits the best of
//! three runs of the cross-user pass alone and of the whole audit (which includes it).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use signin_audit::audit::{AuditConfig, audit};
use signin_audit::detect::tenant::{self, Scope};
use signin_audit::enrich::Enrichment;
use signin_audit::ingest::{IngestOptions, ingest};
use signin_audit::model::table::time_span;

const RUNS: usize = 3;
const DAY: i64 = 86_400_000_000;

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    match out {
        Some(v) => (best, v),
        None => unreachable!("RUNS > 0"),
    }
}

fn main() -> anyhow::Result<()> {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    anyhow::ensure!(!paths.is_empty(), "usage: cross_user EVIDENCE...");
    let t = Instant::now();
    let ingested = ingest(&paths, &IngestOptions::default())?;
    let table = &ingested.table;
    println!("ingest: {} sign-ins, {} principals in {:.2} s", table.len(), table.users.len(), t.elapsed().as_secs_f64());
    let latest = time_span(&table.batch)?.map_or(0, |s| s.1);
    for include_non_interactive in [false, true] {
        let cfg = AuditConfig { include_non_interactive, ..AuditConfig::default() };
        // The same windows as `audit` (defaults: --days 30, as of the latest sign-in).
        let (start, end) = (latest - i64::from(cfg.days) * DAY, latest);
        let includes = |e: Option<&str>| match e {
            Some("nonInteractiveUser") => include_non_interactive,
            Some("servicePrincipal" | "managedIdentity") => false,
            _ => true,
        };
        let net = Enrichment::from_records(table);
        let (pass, verdicts) = best(|| tenant::run(table, &Scope { start, end, includes: &includes }, &net));
        let episodes: usize = verdicts.episodes.iter().map(Vec::len).sum();
        let (whole, result) = best(|| audit(table, &cfg));
        println!(
            "{}: cross-user pass {:.3} s ({episodes} episodes); whole audit {:.3} s ({} findings)",
            if include_non_interactive { "all user sign-ins" } else { "interactive only" },
            pass.as_secs_f64(),
            whole.as_secs_f64(),
            result.findings.len()
        );
    }
    Ok(())
}
