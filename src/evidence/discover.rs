//! Finding the evidence files under the paths given on the command line.
//!
//! A path named on the command line that does not exist, or that is a FIFO, socket or device, is an
//! error: the examiner named it, and reading a FIFO would block forever. Inside a directory the same
//! things are damage on that item and the walk goes on: an unreadable directory or file, a special
//! file, a symbolic link loop, a link to nothing. Symbolic links to files are followed; links to
//! directories are not (no cycles), and are named in a warning.

use std::io;
use std::path::{Path, PathBuf};

use super::fs::special_kind;
use crate::error::{Damage, EvidenceError};

/// What the walk found.
#[derive(Debug, Default)]
pub struct Found {
    /// Regular files (or links to them), sorted, without repeats.
    pub files: Vec<PathBuf>,
    /// Items that cannot be read at all.
    pub damage: Vec<Damage>,
    /// Things the examiner should know that are not damage (a directory link not followed).
    pub warnings: Vec<String>,
}

/// All files under the given paths (directories are walked recursively).
pub fn discover(inputs: &[PathBuf]) -> Result<Found, EvidenceError> {
    let mut found = Found::default();
    for p in inputs {
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => EvidenceError::NotFound { path: p.clone() },
            _ => EvidenceError::Read { path: p.clone(), source: e },
        })?;
        if meta.is_dir() {
            walk(p, &mut found);
        } else if meta.is_file() {
            found.files.push(p.clone());
        } else {
            return Err(EvidenceError::Special { path: p.clone(), kind: special_kind(&meta.file_type()) });
        }
    }
    found.files.sort();
    found.files.dedup();
    found.damage.sort_by(|a, b| a.item.cmp(&b.item));
    found.damage.dedup();
    Ok(found)
}

fn damage(found: &mut Found, path: &Path, reason: impl Into<String>) {
    found.damage.push(Damage { item: path.display().to_string(), reason: reason.into() });
}

fn walk(dir: &Path, found: &mut Found) {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => return damage(found, dir, format!("cannot list directory: {e}")),
    };
    for entry in rd {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => return damage(found, dir, format!("cannot list directory: {e}")),
        };
        let path = entry.path();
        let ft = match entry.file_type() {
            Ok(ft) => ft,
            Err(e) => {
                damage(found, &path, format!("cannot read: {e}"));
                continue;
            }
        };
        if ft.is_dir() {
            walk(&path, found);
        } else if ft.is_file() {
            found.files.push(path);
        } else if ft.is_symlink() {
            follow(path, found);
        } else {
            damage(found, &path, format!("not a regular file ({}): not read", special_kind(&ft)));
        }
    }
}

/// A symbolic link inside a directory: a file it points to is read; anything else is said.
fn follow(path: PathBuf, found: &mut Found) {
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => found.files.push(path),
        Ok(m) if m.is_dir() => found
            .warnings
            .push(format!("{}: symbolic link to a directory, not followed (name the directory itself to read it)", path.display())),
        Ok(m) => damage(found, &path, format!("symbolic link to {}: not read", special_kind(&m.file_type()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => damage(found, &path, "symbolic link to nothing (its target is missing)"),
        Err(e) if is_loop(&e) => damage(found, &path, "symbolic link loop: not read"),
        Err(e) => damage(found, &path, format!("cannot follow symbolic link: {e}")),
    }
}

fn is_loop(e: &io::Error) -> bool {
    #[cfg(unix)]
    return e.raw_os_error() == Some(libc::ELOOP);
    #[cfg(not(unix))]
    return false;
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn special_items_in_a_folder_are_damage_and_named_ones_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.json"), "{}").unwrap();
        std::os::unix::fs::symlink("loop2", d.join("loop1")).unwrap();
        std::os::unix::fs::symlink("loop1", d.join("loop2")).unwrap();
        std::os::unix::fs::symlink("missing", d.join("dangling")).unwrap();
        std::os::unix::fs::symlink(".", d.join("self")).unwrap();
        std::os::unix::fs::symlink("a.json", d.join("link.json")).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(d.join("pipe")).status().unwrap().success());
        let found = discover(&[d.to_path_buf()]).unwrap();
        assert_eq!(found.files, vec![d.join("a.json"), d.join("link.json")]);
        let reasons: Vec<(String, &str)> = found
            .damage
            .iter()
            .map(|x| (Path::new(&x.item).file_name().unwrap().to_string_lossy().into_owned(), x.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                ("dangling".into(), "symbolic link to nothing (its target is missing)"),
                ("loop1".into(), "symbolic link loop: not read"),
                ("loop2".into(), "symbolic link loop: not read"),
                ("pipe".into(), "not a regular file (a FIFO): not read"),
            ]
        );
        assert!(found.warnings[0].contains("self: symbolic link to a directory"), "{:?}", found.warnings);

        match discover(&[d.join("pipe")]) {
            Err(EvidenceError::Special { kind, .. }) => assert_eq!(kind, "a FIFO"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(discover(&[d.join("nope")]), Err(EvidenceError::NotFound { .. })));
    }
}
