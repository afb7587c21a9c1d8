//! One function per subcommand: validate the parsed flags, run the pipeline, write the report.
//! Everything returns an exit code; errors are typed and `main` prints them on one line.

pub mod audit;
pub mod distributed;
pub mod export;
pub mod inventory;
pub mod progress;
pub mod timeline;

use std::io::Write;

use crate::cli::{Cli, Command, DateOrderArg, EvidenceArgs, FormatArg};
use crate::error::Error;
use crate::evidence::Limits;
use crate::ingest::csv::CsvKind;
use crate::ingest::{Format, IngestOptions, Ingested};
use crate::model::time::{DateOrder, parse_offset_arg};

/// Run a parsed command line, writing the report to `out`. Returns the process exit code.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<u8, Error> {
    match cli.command {
        Command::Audit(a) => audit::run(&a, out),
        Command::Inventory(a) => inventory::run(&a, out),
        Command::Export(a) => export::run(&a, out),
        Command::Timeline(a) => timeline::run(&a, out),
        Command::Aggregate(a) => distributed::aggregate(&a, out),
        Command::Merge(a) => distributed::merge(&a, out),
    }
}

/// Validate the evidence flags into ingest options.
pub fn ingest_options(a: &EvidenceArgs) -> Result<IngestOptions, Error> {
    let assumed_offset_secs = parse_offset_arg(&a.input_timezone)
        .ok_or_else(|| Error::Usage(format!("--input-timezone {:?}: expected UTC or a fixed offset such as +02:00", a.input_timezone)))?;
    if a.threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    let max_inflate = parse_size(&a.max_inflate)
        .filter(|n| *n > 0)
        .ok_or_else(|| Error::Usage(format!("--max-inflate {:?}: expected a size such as 512M or 16G", a.max_inflate)))?;
    Ok(IngestOptions {
        limits: Limits { max_inflate },
        format: a.format.map(|f| match f {
            FormatArg::Json => Format::Json,
            FormatArg::PortalCsv => Format::Csv(CsvKind::Portal),
            FormatArg::LogAnalyticsCsv => Format::Csv(CsvKind::LogAnalytics),
            FormatArg::PowershellCsv => Format::Csv(CsvKind::PowerShell),
            FormatArg::Dataset => Format::Dataset,
        }),
        assumed_offset_secs,
        date_order: a.date_order.map(|d| match d {
            DateOrderArg::Mdy => DateOrder::MonthFirst,
            DateOrderArg::Dmy => DateOrder::DayFirst,
        }),
        progress: None,
        count_only: false,
        spill: None,
    })
}

/// Ingest the evidence on a pool of `--threads` workers, honouring `--strict`, with the bytes done
/// shown by `status` (see [`progress`]).
pub fn load(a: &EvidenceArgs, status: &progress::Status) -> Result<Ingested, Error> {
    load_with(a, status, |_| {})
}

/// [`load`] with other ingest options (keep no row, spill rows into buckets).
pub fn load_with(a: &EvidenceArgs, status: &progress::Status, set: impl FnOnce(&mut IngestOptions)) -> Result<Ingested, Error> {
    let mut opts = ingest_options(a)?;
    opts.progress = status.ingest_counters();
    set(&mut opts);
    let ingested = with_threads(a.threads, || crate::ingest::ingest(&a.evidence, &opts))??;
    if a.strict
        && let Some(first) = ingested.damage.first()
    {
        return Err(Error::Damaged { count: ingested.damage.len(), first: first.clone() });
    }
    if a.strict
        && let Some(first) = ingested.first_reject()
    {
        return Err(Error::Strict { count: ingested.rejected(), first: first.clone() });
    }
    Ok(ingested)
}

/// A byte count with an optional binary suffix: `1048576`, `512K`, `64M`, `16G`, `1T` (`KiB`, `MB`...
/// are read the same way).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let n: u64 = s[..digits].parse().ok()?;
    let unit = s[digits..].trim().to_ascii_uppercase();
    let shift = match unit.trim_end_matches('B').trim_end_matches('I') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

/// The progress display of a run: shown unless `quiet` (`-q`) or `--no-progress`, and only on a
/// terminal.
pub fn status(a: &EvidenceArgs, quiet: bool) -> progress::Status {
    progress::Status::new(!quiet && !a.no_progress)
}

/// Run `f` on a rayon pool of `threads` workers (the global pool when `None`).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().map_err(|e| Error::Usage(format!("--threads {n}: {e}")))?;
            Ok(pool.install(f))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("512K"), Some(512 << 10));
        assert_eq!(parse_size("64mib"), Some(64 << 20));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size(crate::evidence::DEFAULT_MAX_INFLATE_ARG), Some(crate::evidence::DEFAULT_MAX_INFLATE));
        assert_eq!(parse_size("12Q"), None);
        assert_eq!(parse_size("G"), None);
        assert_eq!(parse_size("99999999999T"), None);
    }
}
