//! A dataset read one bucket at a time, for the bucketed audit ([`crate::audit::bucketed`]).
//!
//! Each `bucket=NN/part-0.parquet` of an export holds every row of its users (the bucket of a user
//! is a hash of the principal), sorted by principal then time, so one file is a table of whole
//! users. The whole dataset has been verified against its manifest by `ingest` before a bucket is
//! read here; each bucket is checked again as it is read (its SHA-256, size and rows against the
//! manifest), so a file changed between the check and the read is an error, not a finding.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::verify::mismatch;
use crate::error::{Error, EvidenceError};
use crate::evidence::fs::OpenError;
use crate::export::manifest::{DataFile, MANIFEST_FILE, ManifestRead};
use crate::model::SignInTable;
use crate::model::columns::AUDIT_READS;

/// A manifest larger than this is not read (as in [`super::verify`]).
const MAX_MANIFEST_BYTES: u64 = 1 << 30;

/// The buckets of one dataset directory, in manifest (bucket) order.
#[derive(Debug, Clone)]
pub struct DatasetBuckets {
    pub dir: PathBuf,
    pub files: Vec<DataFile>,
}

impl DatasetBuckets {
    /// The dataset whose `manifest.json` is in `dir`, or `None` when `dir` holds no manifest of a
    /// signin-audit dataset.
    pub fn open(dir: &Path) -> Result<Option<Self>, Error> {
        let path = dir.join(MANIFEST_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let bytes = read_file(&path, MAX_MANIFEST_BYTES)?;
        match ManifestRead::parse(&bytes) {
            Ok(Some(m)) => Ok(Some(DatasetBuckets { dir: dir.to_path_buf(), files: m.files })),
            Ok(None) => Ok(None),
            Err(problem) => Err(mismatch(dir, vec![format!("{MANIFEST_FILE} cannot be read: {problem}")])),
        }
    }

    /// The bucket number of each file (its `bucket=NN` directory; its position in the manifest
    /// for a file laid out otherwise).
    pub fn bucket_numbers(&self) -> Vec<usize> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| f.path.strip_prefix("bucket=").and_then(|rest| rest.split('/').next()).and_then(|n| n.parse().ok()).unwrap_or(i))
            .collect()
    }

    /// Rows of the whole dataset, as its manifest lists them.
    pub fn rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }

    /// Read bucket `k` (its file checked again against the manifest), the columns the audit reads.
    pub fn read_bucket(&self, k: usize) -> Result<SignInTable, Error> {
        self.read_bucket_columns(k, AUDIT_READS)
    }

    /// Read bucket `k` (its file checked again against the manifest), decoding only the required
    /// columns and those named in `wanted` (the others are nulls).
    pub fn read_bucket_columns(&self, k: usize, wanted: &[&str]) -> Result<SignInTable, Error> {
        let Some(part) = self.files.get(k) else { return Ok(SignInTable::empty()) };
        let path = self.dir.join(&part.path);
        let bytes = read_file(&path, part.bytes.saturating_add(1))?;
        let sha256 = crate::evidence::sha256_bytes(&bytes);
        if bytes.len() as u64 != part.bytes || sha256 != part.sha256 {
            return Err(mismatch(&self.dir, vec![format!("{} changed after it was verified (SHA-256 now {sha256})", part.path)]));
        }
        // Only the columns the audit reads are decoded; every byte was hashed above all the same.
        let read = crate::ingest::contain::contain(|| super::read_columns(bytes::Bytes::from(bytes), wanted))
            .map_err(|panic| format!("the decoder panicked ({panic})"))
            .and_then(|r| r);
        let batch = read.map_err(|problem| mismatch(&self.dir, vec![format!("{}: {problem}", part.path)]))?;
        if batch.num_rows() as u64 != part.rows {
            return Err(mismatch(&self.dir, vec![format!("{}: {} row(s), the manifest says {}", part.path, batch.num_rows(), part.rows)]));
        }
        Ok(SignInTable::from_sorted(batch)?)
    }
}

/// At most `limit` bytes of the regular file `path`.
fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let read_error = |e: std::io::Error| Error::from(EvidenceError::Read { path: path.to_path_buf(), source: e });
    let (file, _) = crate::evidence::fs::open_regular(path).map_err(|e| match e {
        OpenError::Io(e) => read_error(e),
        OpenError::Special(kind) => read_error(std::io::Error::other(format!("not a regular file ({kind})"))),
    })?;
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes).map_err(read_error)?;
    Ok(bytes)
}
