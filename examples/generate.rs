//! Generate realistic, deterministic sign-in evidence for benchmarks and load tests.
//!
//! ```sh
//! cargo run --release --example generate -- --sign-ins 1000000 --out bench-data/graph
//! cargo run --release --example generate -- --sign-ins 1000000 --layout lines --out bench-data/graph-lines.json
//! cargo run --release --example generate -- --sign-ins 100000 --out bench-data/graph --csv bench-data/portal
//! ```
//!
//! Writes Microsoft Graph beta `auditLogs/signIns` pages as a paging script saves them (1000 records
//! per compact page, `@odata.nextLink` on every page but the last; ~3.3 KB per record), and with
//! `--csv DIR` the Entra portal CSV downloads of the same sign-ins (`InteractiveSignIns_<first>_<last>.csv`
//! and `NonInteractiveSignIns_…`, 57 columns). Output is streamed; memory stays flat at any size.
//! The generator core is the library's `signin_audit::generate` (feature `generate`, shared with
//! `benches/ingest.rs`).
//! `bench-data/` is git-ignored: never commit generated data.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use signin_audit::generate::{Config, Layout, generate};

/// Generate synthetic Graph beta sign-in pages (and portal CSV) for benchmarks.
#[derive(Debug, Parser)]
#[command(name = "generate")]
struct Args {
    /// Number of sign-in records.
    #[arg(long, default_value_t = 100_000)]
    sign_ins: u64,

    /// Distinct users (UPNs `user{n}@contoso.example`; ~3% are guests `@fabrikam.example`).
    #[arg(long, default_value_t = 5000)]
    users: u64,

    /// PRNG seed; the same seed and options give byte-identical output.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Days the sign-ins are spread over (ending 2026-04-29T00:00:00Z, newest first).
    #[arg(long, default_value_t = 30)]
    days: u32,

    /// Records per Graph page.
    #[arg(long, default_value_t = signin_audit::generate::PAGE_SIZE)]
    page_size: usize,

    /// `files`: one page per file in the --out directory (`page-000001.json`...).
    /// `lines`: every page appended to the one file --out, one page per line.
    #[arg(long, value_enum, default_value = "files")]
    layout: LayoutArg,

    /// Output directory (`files`) or file (`lines`).
    #[arg(long, default_value = "bench-data/graph")]
    out: PathBuf,

    /// Also write the portal CSV downloads of the same sign-ins into this directory.
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LayoutArg {
    Files,
    Lines,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let cfg = Config { seed: a.seed, users: a.users, sign_ins: a.sign_ins, page_size: a.page_size, days: a.days };
    let layout = match a.layout {
        LayoutArg::Files => Layout::Files,
        LayoutArg::Lines => Layout::Lines,
    };
    let started = Instant::now();
    let sum = generate(&cfg, layout, &a.out, a.csv.as_deref()).with_context(|| format!("writing {}", a.out.display()))?;
    let secs = started.elapsed().as_secs_f64();
    let total = sum.json_bytes + sum.csv_bytes;
    eprintln!(
        "{} sign-ins ({} interactive) in {} page(s), {} file(s): {} bytes of JSON ({:.0} B/record) -> {}",
        sum.records,
        sum.interactive,
        sum.pages,
        sum.json_files.len(),
        sum.json_bytes,
        sum.json_bytes as f64 / sum.records.max(1) as f64,
        a.out.display()
    );
    if let Some(dir) = &a.csv {
        eprintln!(
            "{} CSV rows, {} bytes ({:.0} B/row) -> {}",
            sum.csv_rows,
            sum.csv_bytes,
            sum.csv_bytes as f64 / sum.csv_rows.max(1) as f64,
            dir.display()
        );
        for f in &sum.csv_files {
            eprintln!("  {}", f.display());
        }
    }
    eprintln!("{:.1} s, {:.0} MB/s written", secs, total as f64 / 1e6 / secs.max(1e-9));
    Ok(())
}
