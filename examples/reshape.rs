//! Reshape Graph pages saved one per line (`examples/generate --layout lines`) into the other two
//! layouts an examiner meets, byte for byte the same records, for `benches/compare_duckdb.sh`:
//!
//! ```sh
//! cargo run --release --example reshape -- PAGES_LINES --records-lines OUT.jsonl --array OUT.json
//! ```
//!
//! `--records-lines`: one record per line (what DuckDB reads fastest). `--array`: every record in one
//! JSON array, one record per line with a trailing comma (`[`, `{...},`, ..., `]`): a large document
//! that is not line-delimited, like the portal's JSON download. Records are cut out with the
//! library's structural scanner, so they keep their exact bytes. Never commit the output.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use signin_audit::ingest::json::split;

/// Reshape Graph pages (one per line) into records per line and one JSON array.
#[derive(Debug, Parser)]
#[command(name = "reshape")]
struct Args {
    /// Graph pages, one per line.
    pages: PathBuf,
    /// Write one record per line here.
    #[arg(long, value_name = "FILE")]
    records_lines: Option<PathBuf>,
    /// Write all records as one JSON array here.
    #[arg(long, value_name = "FILE")]
    array: Option<PathBuf>,
}

fn create(p: &Option<PathBuf>) -> anyhow::Result<Option<BufWriter<File>>> {
    p.as_ref()
        .map(|p| File::create(p).map(|f| BufWriter::with_capacity(1 << 20, f)).with_context(|| format!("creating {}", p.display())))
        .transpose()
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let mut lines = create(&a.records_lines)?;
    let mut array = create(&a.array)?;
    if let Some(w) = array.as_mut() {
        w.write_all(b"[\n")?;
    }
    let mut input = BufReader::with_capacity(1 << 20, File::open(&a.pages).with_context(|| format!("opening {}", a.pages.display()))?);
    let mut page = Vec::new();
    let mut records = 0u64;
    loop {
        page.clear();
        if input.read_until(b'\n', &mut page)? == 0 {
            break;
        }
        let end = page.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
        if end == 0 {
            continue;
        }
        let Some(value) = split::member_array(&page, 0, end, b"value") else { bail!("a line without a `value` array") };
        for r in split::array_elements(&page, value, end) {
            let rec = &page[r.start..r.end];
            if let Some(w) = lines.as_mut() {
                w.write_all(rec)?;
                w.write_all(b"\n")?;
            }
            if let Some(w) = array.as_mut() {
                if records > 0 {
                    w.write_all(b",\n")?;
                }
                w.write_all(rec)?;
            }
            records += 1;
        }
    }
    if let Some(w) = array.as_mut() {
        w.write_all(b"\n]\n")?;
    }
    for w in [lines, array].into_iter().flatten() {
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    eprintln!("{records} records");
    Ok(())
}
