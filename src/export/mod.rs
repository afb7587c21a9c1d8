//! Writing the normalized table as a Parquet dataset (`signin-audit export`).
//!
//! Layout (Hive style):
//!
//! ```text
//! DIR/manifest.json
//! DIR/bucket=00/part-0.parquet
//! DIR/bucket=05/part-0.parquet      (empty buckets have no file)
//! ```
//!
//! Checked by hand with DuckDB 2.0 (`read_parquet('DIR/**/*.parquet', hive_partitioning=1)`) and
//! pyarrow 26 (`pyarrow.dataset.dataset(DIR, partitioning='hive', exclude_invalid_files=True)`:
//! without that flag pyarrow also tries to open `manifest.json` as parquet and fails).
//!
//! Users are hashed into buckets ([`bucket`]) so that a large tenant gives a few dozen files, not one
//! per user; every user's rows are in exactly one file, contiguous and in time order, because the
//! table is already sorted by principal then time and a bucket is the concatenation of its users'
//! slices. The source columns still name the original evidence, so findings computed from a dataset
//! cite the files the examiner received. [`safety`] decides whether the output directory may be used;
//! [`writer`] writes one file; [`manifest`] describes the whole.

pub mod bucket;
pub mod manifest;
pub mod safety;
pub mod writer;

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::error::{Error, OutputError};
use crate::ingest::Ingested;
use crate::model::schema;
use crate::model::table::{SignInTable, UserRange};
use manifest::{DataFile, MANIFEST_FILE, Manifest};

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub rows: u64,
    pub users: u64,
    pub service_principals: u64,
    pub files: Vec<DataFile>,
    pub bucket_count: usize,
}

/// Write `ingested` as a dataset into `dir`, which must be absent or empty (see
/// [`safety::check_output`], which the caller runs first). Buckets are written in parallel on the
/// current rayon pool; the bytes do not depend on the number of threads.
pub fn write_dataset(ingested: &Ingested, dir: &Path) -> Result<ExportSummary, Error> {
    write_dataset_with_buckets(ingested, dir, bucket::bucket_count(ingested.table.len()))
}

/// [`write_dataset`] with an explicit bucket count (clamped to `[1, MAX_BUCKETS]`), so tests can
/// exercise a many-file layout without a quarter of a million rows.
pub fn write_dataset_with_buckets(ingested: &Ingested, dir: &Path, bucket_count: usize) -> Result<ExportSummary, Error> {
    let table = &ingested.table;
    let bucket_count = bucket_count.clamp(1, bucket::MAX_BUCKETS);
    let mut groups: Vec<Vec<&UserRange>> = vec![Vec::new(); bucket_count];
    for u in &table.users {
        groups[bucket::bucket_of(&u.principal, bucket_count)].push(u);
    }
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let jobs: Vec<(usize, Vec<&UserRange>)> = groups.into_iter().enumerate().filter(|(_, users)| !users.is_empty()).collect();
    let files: Result<Vec<DataFile>, Error> = jobs.par_iter().map(|(b, users)| write_bucket(table, dir, *b, users)).collect();
    let files = files?;

    let manifest = Manifest::new(ingested, bucket_count, files.clone())?;
    let path = dir.join(MANIFEST_FILE);
    let mut f = create_new(&path)?;
    f.write_all(&manifest.to_bytes()?).map_err(|e| io_error(&path, e))?;
    f.sync_all().map_err(|e| io_error(&path, e))?;

    let service_principals = table.users.iter().filter(|u| u.principal.starts_with("sp:")).count() as u64;
    Ok(ExportSummary {
        rows: table.len() as u64,
        users: table.users.len() as u64 - service_principals,
        service_principals,
        files,
        bucket_count,
    })
}

/// Concatenate the users of one bucket (already in principal order) and write them as one file.
fn write_bucket(table: &SignInTable, dir: &Path, b: usize, users: &[&UserRange]) -> Result<DataFile, Error> {
    let slices: Vec<_> = users.iter().map(|u| table.user_batch(u)).collect();
    let batch = arrow_select::concat::concat_batches(&schema::schema(), &slices)?;
    drop(slices);
    let sub = dir.join(bucket::dir_name(b));
    std::fs::create_dir(&sub).map_err(|e| io_error(&sub, e))?;
    let rel = bucket::file_path(b);
    let path = dir.join(&rel);
    let file = create_new(&path)?;
    let w = writer::write_parquet(writer::HashingWriter::new(BufWriter::new(file)), &batch)?;
    let (buffered, sha256, bytes) = w.finish();
    let file = buffered.into_inner().map_err(|e| io_error(&path, e.into_error()))?;
    file.sync_all().map_err(|e| io_error(&path, e))?;
    Ok(DataFile { path: rel, rows: batch.num_rows() as u64, users: users.len() as u64, bytes, sha256 })
}

/// Create a file that must not exist yet (never overwrite, never follow a planted symlink).
fn create_new(path: &Path) -> Result<File, Error> {
    OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| io_error(path, e))
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Output(OutputError::Io { path: path.to_path_buf(), source })
}
