//! `manifest.json`: what a dataset holds and where it came from.
//!
//! Written last, so a dataset without a manifest is recognizably incomplete. Deterministic: no
//! wall-clock time, files in bucket order, inputs in evidence path order, maps sorted by key; the
//! same evidence exported twice gives the same bytes. The `inputs`, `totals` and `warnings` are those
//! of the inventory report (same field names), so the chain of custody of every input (path, SHA-256,
//! size, counts) travels with the dataset. `ingest` recognizes this file by its `kind`, and checks
//! the dataset against it before reading it ([`ManifestRead`], `ingest::dataset::verify`): the
//! SHA-256, size and rows of every file. The manifest itself is not signed: its own SHA-256 is in
//! every report, to compare with the one recorded when the dataset was made.
//!
//! ```text
//! {
//!   "kind": "signin-audit-dataset",
//!   "tool": {"name", "version"},
//!   "schema_version": 1,
//!   "bucket_count": 1,
//!   "partitioning": "bucket = fnv1a64(principal) % bucket_count",
//!   "sorted_by": ["principal", "timestamp"],
//!   "files": [{"path": "bucket=00/part-0.parquet", "rows", "users", "bytes", "sha256"}],
//!   "inputs": [inventory file entries],
//!   "totals": {inventory totals},
//!   "warnings": ["..."]
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ingest::Ingested;
use crate::model::schema::{SCHEMA_VERSION, col};
use crate::report::inventory::{FileEntry, Inventory, Tool, Totals};

/// Value of `kind`; [`crate::ingest::sniff`] looks for this exact string to skip the manifest.
pub const MANIFEST_KIND: &str = "signin-audit-dataset";

/// File name of the manifest in the dataset directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// One parquet file of the dataset (written, and read back to verify the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFile {
    /// Relative to the dataset directory, `/`-separated.
    pub path: String,
    pub rows: u64,
    /// Principals (users and service principals) whose rows are in this file.
    pub users: u64,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub kind: &'static str,
    pub tool: Tool,
    pub schema_version: u32,
    pub bucket_count: usize,
    pub partitioning: &'static str,
    pub sorted_by: [&'static str; 2],
    pub files: Vec<DataFile>,
    pub inputs: Vec<FileEntry>,
    pub totals: Totals,
    pub warnings: Vec<String>,
}

/// What a reader checks in a manifest (the rest is for people and other tools).
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestRead {
    pub kind: String,
    pub schema_version: u32,
    pub files: Vec<DataFile>,
    pub totals: TotalsRead,
}

/// The totals a reader checks: the rows of all files add up to the unique sign-ins.
#[derive(Debug, Clone, Deserialize)]
pub struct TotalsRead {
    pub unique_sign_ins: u64,
}

impl ManifestRead {
    /// Parse a manifest; `None` if the bytes are not a manifest of a signin-audit dataset at all.
    pub fn parse(bytes: &[u8]) -> Result<Option<Self>, String> {
        let v: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => return if is_manifest_text(bytes) { Err(format!("not valid JSON: {e}")) } else { Ok(None) },
        };
        if v.get("kind").and_then(|k| k.as_str()) != Some(MANIFEST_KIND) {
            return Ok(None);
        }
        serde_json::from_value(v).map(Some).map_err(|e| format!("unexpected content: {e}"))
    }
}

/// The manifest's `kind` appears in the text (so a manifest that no longer parses is still one).
fn is_manifest_text(bytes: &[u8]) -> bool {
    memchr::memmem::find(&bytes[..bytes.len().min(4096)], format!("\"{MANIFEST_KIND}\"").as_bytes()).is_some()
}

impl Manifest {
    pub fn new(ingested: &Ingested, bucket_count: usize, files: Vec<DataFile>) -> Result<Self, Error> {
        let inv = Inventory::new(ingested)?;
        Ok(Manifest {
            kind: MANIFEST_KIND,
            tool: inv.tool,
            schema_version: SCHEMA_VERSION,
            bucket_count,
            partitioning: super::bucket::PARTITIONING,
            sorted_by: [col::PRINCIPAL, col::TIMESTAMP],
            files,
            inputs: inv.files,
            totals: inv.totals,
            warnings: inv.warnings,
        })
    }

    /// Pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = serde_json::to_vec_pretty(self).map_err(|e| Error::Output(e.into()))?;
        out.push(b'\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_is_recognized_by_sniff() {
        let ing = Ingested { inputs: Vec::new(), table: crate::model::SignInTable::empty(), warnings: Vec::new(), damage: Vec::new() };
        let m = Manifest::new(&ing, 1, Vec::new()).unwrap();
        let bytes = m.to_bytes().unwrap();
        assert_eq!(crate::ingest::sniff::sniff(&bytes, MANIFEST_FILE), Some(crate::ingest::Format::DatasetManifest));
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["kind"], MANIFEST_KIND);
        assert_eq!(v["schema_version"], SCHEMA_VERSION);
        let read = ManifestRead::parse(&bytes).unwrap().unwrap();
        assert_eq!(read.schema_version, SCHEMA_VERSION);
        assert!(read.files.is_empty());
        assert!(ManifestRead::parse(b"{\"kind\": \"something else\"}").unwrap().is_none());
        assert!(ManifestRead::parse(&bytes[..bytes.len() / 2]).is_err());
    }
}
