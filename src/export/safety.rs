//! Where the dataset may be written: never into, onto or around the evidence.
//!
//! Refused before anything is read or written:
//! - the output directory is an evidence path, or inside one (a later run over that evidence directory
//!   would read our own output as evidence, and the examiner's copy would no longer match its hashes);
//! - the output directory contains an evidence path (same problem the other way round);
//! - the output directory exists and is not an empty directory (never mix with or overwrite files).
//!
//! Paths are compared after canonicalization, so `./case/../case/out`, symbolic links and relative
//! paths cannot slip past. The output directory usually does not exist yet: its nearest existing
//! ancestor is canonicalized and the missing components appended (they cannot be symbolic links,
//! since they do not exist). A `..` among the missing components is refused rather than guessed at.
//! Files are later created with `create_new`, so even a race cannot overwrite an existing file.

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, EvidenceError, OutputError};

/// Check `out` against the evidence paths. Returns the canonical output directory to write into (it
/// may not exist yet).
pub fn check_output(out: &Path, evidence: &[PathBuf]) -> Result<PathBuf, Error> {
    let target = resolve_output(out)?;
    for e in evidence {
        let canonical = std::fs::canonicalize(e).map_err(|err| match err.kind() {
            io::ErrorKind::NotFound => EvidenceError::NotFound { path: e.clone() },
            _ => EvidenceError::Read { path: e.clone(), source: err },
        })?;
        let why = if target == canonical {
            Some("it is the evidence path")
        } else if target.starts_with(&canonical) {
            Some("it is inside the evidence path")
        } else if canonical.starts_with(&target) {
            Some("it contains the evidence path")
        } else {
            None
        };
        if let Some(why) = why {
            return Err(refuse(out, &format!("{why} {}", e.display())));
        }
    }
    Ok(target)
}

fn refuse(out: &Path, why: &str) -> Error {
    Error::Output(OutputError::Refused(format!("refusing to write the dataset to {}: {why}", out.display())))
}

/// Canonical form of the output directory, checking that it is absent or an empty directory.
fn resolve_output(out: &Path) -> Result<PathBuf, Error> {
    let io_err = |source: io::Error| Error::Output(OutputError::Io { path: out.to_path_buf(), source });
    match std::fs::metadata(out) {
        Ok(meta) => {
            if !meta.is_dir() {
                return Err(refuse(out, "it exists and is not a directory"));
            }
            let mut entries = std::fs::read_dir(out).map_err(io_err)?;
            if entries.next().is_some() {
                return Err(refuse(out, "it exists and is not empty"));
            }
            std::fs::canonicalize(out).map_err(io_err)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(out).is_ok() {
                return Err(refuse(out, "it is a broken symbolic link"));
            }
            resolve_missing(out).map_err(|e| match e {
                Missing::Io(source) => io_err(source),
                Missing::ParentDir => refuse(out, "`..` after the last existing directory is ambiguous; give a plain path"),
            })
        }
        Err(e) => Err(io_err(e)),
    }
}

enum Missing {
    Io(io::Error),
    ParentDir,
}

/// Canonicalize the nearest existing ancestor of a path that does not exist, then append the rest.
fn resolve_missing(out: &Path) -> Result<PathBuf, Missing> {
    let absolute = if out.is_absolute() { out.to_path_buf() } else { std::env::current_dir().map_err(Missing::Io)?.join(out) };
    // `ancestors()` ends with the root, which always exists, so the loop finds one.
    let mut existing = absolute.as_path();
    for a in absolute.ancestors() {
        existing = a;
        if std::fs::symlink_metadata(a).is_ok() {
            break;
        }
    }
    let base = std::fs::canonicalize(existing).map_err(Missing::Io)?;
    let rest = absolute.strip_prefix(existing).map_err(|_| Missing::ParentDir)?;
    let mut target = base;
    for c in rest.components() {
        match c {
            Component::Normal(n) => target.push(n),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return Err(Missing::ParentDir),
        }
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(r: Result<PathBuf, Error>) -> bool {
        matches!(r, Err(Error::Output(OutputError::Refused(_))))
    }

    #[test]
    fn refuses_inside_equal_containing_and_non_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let ev = tmp.path().join("case");
        std::fs::create_dir(&ev).unwrap();
        std::fs::write(ev.join("a.json"), "{}").unwrap();
        let evs = vec![ev.clone()];
        assert!(refused(check_output(&ev, &evs)));
        assert!(refused(check_output(&ev.join("out"), &evs)));
        assert!(refused(check_output(&ev.join("new/deeper/out"), &evs)));
        assert!(refused(check_output(tmp.path(), &evs)));
        assert!(refused(check_output(&tmp.path().join("x/../case/out"), &evs)));
        // An evidence file: writing beside it is fine, onto it is not.
        let file = vec![ev.join("a.json")];
        assert!(refused(check_output(&ev.join("a.json"), &file)));
        assert!(check_output(&ev.join("out"), &file).is_ok());
        // Existing directories: empty is fine, non-empty is not.
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        assert_eq!(check_output(&out, &evs).unwrap(), std::fs::canonicalize(&out).unwrap());
        std::fs::write(out.join("x"), "").unwrap();
        assert!(refused(check_output(&out, &evs)));
        // Missing evidence is an evidence error, not a refusal.
        assert!(matches!(check_output(&tmp.path().join("o2"), &[tmp.path().join("nope")]), Err(Error::Evidence(_))));
    }

    #[cfg(unix)]
    #[test]
    fn sees_through_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let ev = tmp.path().join("case");
        std::fs::create_dir(&ev).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&ev, &link).unwrap();
        assert!(refused(check_output(&link.join("out"), std::slice::from_ref(&ev))));
        assert!(!refused(check_output(&tmp.path().join("out"), std::slice::from_ref(&link))));
        let target = check_output(&tmp.path().join("a/b"), &[link]).unwrap();
        assert_eq!(target, std::fs::canonicalize(tmp.path()).unwrap().join("a/b"));
    }
}
