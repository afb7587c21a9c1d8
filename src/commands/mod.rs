//! One function per subcommand: validate the parsed flags, run the pipeline, write the report.
//! Everything returns an exit code; errors are typed and `main` prints them on one line.

pub mod audit;
pub mod export;
pub mod inventory;
pub mod progress;
pub mod timeline;

use std::io::Write;

use crate::cli::{Cli, Command, DateOrderArg, EvidenceArgs, FormatArg};
use crate::error::Error;
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
    }
}

/// Validate the evidence flags into ingest options.
pub fn ingest_options(a: &EvidenceArgs) -> Result<IngestOptions, Error> {
    let assumed_offset_secs = parse_offset_arg(&a.input_timezone)
        .ok_or_else(|| Error::Usage(format!("--input-timezone {:?}: expected UTC or a fixed offset such as +02:00", a.input_timezone)))?;
    if a.threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    Ok(IngestOptions {
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
    })
}

/// Ingest the evidence on a pool of `--threads` workers, honouring `--strict`, with the bytes done
/// shown by `status` (see [`progress`]).
pub fn load(a: &EvidenceArgs, status: &progress::Status) -> Result<Ingested, Error> {
    let mut opts = ingest_options(a)?;
    opts.progress = status.ingest_counters();
    let ingested = with_threads(a.threads, || crate::ingest::ingest(&a.evidence, &opts))??;
    if a.strict
        && let Some(first) = ingested.first_reject()
    {
        return Err(Error::Strict { count: ingested.rejected(), first: first.clone() });
    }
    Ok(ingested)
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
