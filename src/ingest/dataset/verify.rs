//! A dataset is checked against its `manifest.json` before it is trusted.
//!
//! For a legal-hold copy this is the check that matters: every parquet file the manifest lists must
//! be there with the SHA-256 and size it lists and, once read, the row count it lists; a parquet file
//! under the dataset directory that the manifest does not list, or totals that do not add up, are
//! just as wrong. Any of these is an error on the dataset ([`DatasetMismatch`], exit status 1): a
//! tampered or incomplete copy must not produce a clean-looking report. Hashes are compared before
//! any part is parsed; rows after.
//!
//! Paths in the manifest are data: they are only compared with the paths of the evidence files,
//! and one that is not a plain relative path (`..`, absolute) is itself a mismatch.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::{DatasetMismatch, Error};
use crate::evidence::EvidenceFile;
use crate::export::manifest::{MANIFEST_FILE, ManifestRead};
use crate::ingest::InputReport;

/// A manifest larger than this is not read (one with 100,000 inputs is about 60 MB).
const MAX_MANIFEST_BYTES: u64 = 1 << 30;

/// The magic number that starts (and ends) every parquet file.
const PARQUET_MAGIC: &[u8] = b"PAR1";

/// The datasets among the evidence, checked so far; rows are checked by [`Datasets::check_rows`].
#[derive(Debug, Default)]
pub struct Datasets {
    /// Display path of each verified part → (dataset directory, rows the manifest lists).
    parts: HashMap<String, (String, u64)>,
    /// Things to say that are not errors (parts not given as evidence, unverified parquet files).
    pub warnings: Vec<String>,
}

struct Dataset {
    dir: PathBuf,
    manifest: ManifestRead,
}

impl Datasets {
    /// Find every manifest among `files` and compare its dataset with it.
    pub fn check(files: &[EvidenceFile]) -> Result<Self, Error> {
        let mut out = Datasets::default();
        let mut datasets = Vec::new();
        for f in files.iter().filter(|f| f.path.file_name().is_some_and(|n| n == MANIFEST_FILE)) {
            let dir = f.path.parent().unwrap_or(Path::new("")).to_path_buf();
            match read_manifest(&f.path) {
                Ok(Some(manifest)) => datasets.push(Dataset { dir, manifest }),
                Ok(None) => {}
                Err(problem) => return Err(mismatch(&dir, vec![format!("{MANIFEST_FILE} cannot be read: {problem}")])),
            }
        }
        let by_path: HashMap<&Path, &EvidenceFile> = files.iter().map(|f| (f.path.as_path(), f)).collect();
        for d in &datasets {
            let problems = out.check_dataset(d, &by_path);
            if !problems.is_empty() {
                return Err(mismatch(&d.dir, problems));
            }
        }
        // Parquet files of no dataset, or not listed by theirs.
        for f in files.iter().filter(|f| f.head.starts_with(PARQUET_MAGIC)) {
            if out.parts.contains_key(&f.display) {
                continue;
            }
            match datasets.iter().filter(|d| f.path.starts_with(&d.dir)).max_by_key(|d| d.dir.components().count()) {
                Some(d) => {
                    let rel = f.path.strip_prefix(&d.dir).unwrap_or(&f.path).display();
                    return Err(mismatch(&d.dir, vec![format!("{rel} is not listed in {MANIFEST_FILE} (added after the export?)")]));
                }
                None => out.warnings.push(format!(
                    "{}: parquet file not verified: no {MANIFEST_FILE} of its dataset among the evidence (name the dataset directory)",
                    f.display
                )),
            }
        }
        Ok(out)
    }

    /// Problems of one dataset: listed parts missing or different, totals that do not add up.
    fn check_dataset(&mut self, d: &Dataset, by_path: &HashMap<&Path, &EvidenceFile>) -> Vec<String> {
        let mut problems = Vec::new();
        let mut not_given = 0;
        for part in &d.manifest.files {
            if !is_plain_relative(&part.path) {
                problems.push(format!("{:?} is not a path inside the dataset", part.path));
                continue;
            }
            let path = d.dir.join(&part.path);
            let Some(f) = by_path.get(path.as_path()) else {
                if path.is_file() {
                    not_given += 1;
                } else {
                    problems.push(format!("{} is listed but missing", part.path));
                }
                continue;
            };
            if f.sha256 != part.sha256 {
                problems.push(format!("{}: SHA-256 is {}, the manifest says {}", part.path, f.sha256, part.sha256));
            } else if f.bytes != part.bytes {
                problems.push(format!("{}: {} bytes, the manifest says {}", part.path, f.bytes, part.bytes));
            }
            self.parts.insert(f.display.clone(), (d.dir.display().to_string(), part.rows));
        }
        let listed: u64 = d.manifest.files.iter().map(|p| p.rows).sum();
        if listed != d.manifest.totals.unique_sign_ins {
            problems
                .push(format!("its files list {listed} row(s) but its totals say {} unique sign-in(s)", d.manifest.totals.unique_sign_ins));
        }
        if not_given > 0 {
            self.warnings.push(format!(
                "{}: {not_given} parquet file(s) of this dataset were not given as evidence, so not read (name the dataset directory)",
                d.dir.display()
            ));
        }
        problems
    }

    /// After parsing: each verified part must have given the rows its manifest lists.
    pub fn check_rows(&self, inputs: &[InputReport]) -> Result<(), Error> {
        let mut problems: HashMap<&str, Vec<String>> = HashMap::new();
        for i in inputs {
            if let Some((dir, rows)) = self.parts.get(&i.path)
                && i.records != *rows
            {
                problems.entry(dir).or_default().push(format!("{}: {} row(s) read, the manifest says {rows}", i.path, i.records));
            }
        }
        match problems.into_iter().min_by(|a, b| a.0.cmp(b.0)) {
            Some((dir, p)) => Err(mismatch(Path::new(dir), p)),
            None => Ok(()),
        }
    }
}

pub(crate) fn mismatch(dir: &Path, mut problems: Vec<String>) -> Error {
    let more = problems.len().saturating_sub(1);
    let dataset = if dir.as_os_str().is_empty() { ".".to_string() } else { dir.display().to_string() };
    Error::Dataset(DatasetMismatch { dataset, problem: problems.swap_remove(0), more })
}

/// `bucket=00/part-0.parquet`: only named components, nothing that could leave the directory.
fn is_plain_relative(p: &str) -> bool {
    !p.is_empty() && Path::new(p).components().all(|c| matches!(c, Component::Normal(_)))
}

/// The manifest at `path`, `None` if the file is not one.
fn read_manifest(path: &Path) -> Result<Option<ManifestRead>, String> {
    let (file, _) = crate::evidence::fs::open_regular(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    ManifestRead::parse(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_must_stay_inside() {
        assert!(is_plain_relative("bucket=00/part-0.parquet"));
        assert!(!is_plain_relative("../x.parquet"));
        assert!(!is_plain_relative("/etc/passwd"));
        assert!(!is_plain_relative("bucket=00/../../x"));
        assert!(!is_plain_relative(""));
    }
}
