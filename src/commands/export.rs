//! `signin-audit export --out DIR`: the normalized table as a Parquet dataset.
//!
//! The output directory is checked against the evidence before anything is read, so a refused run
//! writes nothing. stdout gets a one-line summary; the details are in `DIR/manifest.json`.

use std::io::Write;

use crate::cli::ExportArgs;
use crate::error::Error;
use crate::export::{safety, write_dataset_with_buckets};

pub fn run(a: &ExportArgs, out: &mut dyn Write) -> Result<u8, Error> {
    if a.buckets.is_some_and(|n| !(1..=crate::export::bucket::MAX_BUCKETS).contains(&n)) {
        return Err(Error::Usage(format!("--buckets must be between 1 and {}", crate::export::bucket::MAX_BUCKETS)));
    }
    let target = safety::check_output(&a.out, &a.evidence.evidence)?;
    let mut status = super::status(&a.evidence, false);
    let ingested = super::load(&a.evidence, &status)?;
    status.stage(format!("writing {} sign-in(s) to {}", ingested.table.len(), a.out.display()));
    let buckets = a.buckets.unwrap_or_else(|| crate::export::bucket::bucket_count(ingested.table.len()));
    let summary = super::with_threads(a.evidence.threads, || write_dataset_with_buckets(&ingested, &target, buckets))??;
    drop(status);
    writeln!(
        out,
        "exported {} sign-in(s) of {} user(s) and {} service principal(s) into {} parquet file(s) and manifest.json in {}",
        summary.rows,
        summary.users,
        summary.service_principals,
        summary.files.len(),
        a.out.display()
    )?;
    Ok(0)
}
