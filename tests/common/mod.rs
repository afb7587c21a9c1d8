//! Helpers shared by the integration tests: run the built binary against `tests/fixtures`, read its
//! JSON report, compare against golden files, and snapshot evidence to prove it is left untouched.
//!
//! Every run uses `tests/fixtures` as the working directory and relative evidence paths
//! (`evidence/...`), so paths in reports, and therefore the golden files, do not depend on where the
//! repository is checked out.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The binary under test (built by cargo for the integration tests).
pub const BIN: &str = env!("CARGO_BIN_EXE_signin-audit");

/// `tests/fixtures`: the working directory of every run.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// `tests/golden`.
pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden")
}

/// Run `signin-audit ARGS` in `tests/fixtures`, stdin closed, stdout and stderr captured (so neither is
/// a terminal and no progress bar may be drawn).
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(fixtures())
        .stdin(Stdio::null())
        .env_remove("RUST_LOG")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BIN}: {e}"))
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap_or_else(|e| panic!("output is not UTF-8: {e}"))
}

/// Describe a run for assertion messages.
pub fn describe(args: &[&str], o: &Output) -> String {
    format!(
        "signin-audit {}\n  exit: {:?}\n  stderr: {}\n  stdout (first 2000 bytes): {}",
        args.join(" "),
        o.status.code(),
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout[..o.stdout.len().min(2000)])
    )
}

/// Run a command that must succeed with an empty stderr; returns stdout.
pub fn run_ok(args: &[&str]) -> Vec<u8> {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "{}", describe(args, &o));
    assert!(o.stderr.is_empty(), "stderr must be empty when it is not a terminal\n{}", describe(args, &o));
    o.stdout
}

/// `signin-audit inventory -o json PATHS...`, parsed.
pub fn inventory_json(paths: &[&str]) -> Value {
    let mut args = vec!["inventory", "-o", "json"];
    args.extend_from_slice(paths);
    let out = run_ok(&args);
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{}", String::from_utf8_lossy(&out)))
}

/// The `files[]` entry of the report whose `path` is `path`.
pub fn file_entry<'a>(inv: &'a Value, path: &str) -> &'a Value {
    let files = inv["files"].as_array().unwrap_or_else(|| panic!("no files[] in report: {inv}"));
    files.iter().find(|f| f["path"] == path).unwrap_or_else(|| {
        let paths: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
        panic!("no entry for {path:?} in the report; paths: {paths:#?}")
    })
}

/// The warnings of a report entry (or of the report) as strings.
pub fn warnings(v: &Value) -> Vec<String> {
    v["warnings"].as_array().map(|a| a.iter().filter_map(|w| w.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// Compare `actual` with `tests/golden/NAME` byte for byte. With `UPDATE_GOLDEN=1` in the environment
/// the golden file is (re)written instead (blessing the current output).
pub fn assert_golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::create_dir_all(golden_dir()).unwrap_or_else(|e| panic!("cannot create {}: {e}", golden_dir().display()));
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("blessed {}", path.display());
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!("cannot read golden file {}: {e}\nRun `UPDATE_GOLDEN=1 cargo test` to create it, then review the diff.", path.display())
    });
    if expected == actual {
        return;
    }
    let (e, a) = (String::from_utf8_lossy(&expected), String::from_utf8_lossy(actual));
    let mut report = String::new();
    let (el, al): (Vec<&str>, Vec<&str>) = (e.split('\n').collect(), a.split('\n').collect());
    let mut shown = 0;
    for i in 0..el.len().max(al.len()) {
        let (x, y) = (el.get(i).copied(), al.get(i).copied());
        if x != y {
            report.push_str(&format!("line {}:\n  golden: {:?}\n  actual: {:?}\n", i + 1, x, y));
            shown += 1;
            if shown == 10 {
                report.push_str("  ...\n");
                break;
            }
        }
    }
    panic!(
        "output differs from {} ({} bytes golden, {} bytes actual)\n{report}\
         If the change is intended, run `UPDATE_GOLDEN=1 cargo test` and review the diff of tests/golden/.",
        path.display(),
        expected.len(),
        actual.len()
    );
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

/// Every file under `dir`, recursively, sorted.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display())) {
            let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()));
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// What is checked to prove a file was not modified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub sha256: String,
    pub len: u64,
    pub modified: SystemTime,
}

/// SHA-256, length and mtime of every file under `dir`.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, FileState> {
    all_files(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            let meta = std::fs::metadata(&p).unwrap_or_else(|e| panic!("cannot stat {}: {e}", p.display()));
            let modified = meta.modified().unwrap_or_else(|e| panic!("no mtime for {}: {e}", p.display()));
            (p, FileState { sha256: sha256_hex(&bytes), len: meta.len(), modified })
        })
        .collect()
}

/// Assert that stderr holds exactly one line, `signin-audit: ...`, and return it.
pub fn one_line_error(args: &[&str], o: &Output) -> String {
    let err = text(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected exactly one line on stderr\n{}", describe(args, o));
    assert!(err.ends_with('\n'), "the error line must end with a newline\n{}", describe(args, o));
    assert!(lines[0].starts_with("signin-audit: "), "the error line must name the program\n{}", describe(args, o));
    lines[0].to_string()
}

/// The decoded bytes an input's `path` (as reports and the `source_file` column name it, relative
/// to `tests/fixtures` or absolute) refers to: the file itself, a `.gz` decompressed, or a zip
/// member (`archive.zip!/member` or `archive.zip!member`). Byte offsets in reports count in these.
pub fn input_bytes(path: &str) -> Vec<u8> {
    use std::io::Read;
    let (disk, member) = match path.split_once('!') {
        Some((d, m)) => (d, Some(m.trim_start_matches('/'))),
        None => (path, None),
    };
    let raw = std::fs::read(fixtures().join(disk)).unwrap_or_else(|e| panic!("{disk}: {e}"));
    if let Some(member) = member {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(raw)).unwrap_or_else(|e| panic!("{disk}: {e}"));
        let mut m = zip.by_name(member).unwrap_or_else(|e| panic!("{disk}!{member}: {e}"));
        let mut out = Vec::new();
        m.read_to_end(&mut out).unwrap_or_else(|e| panic!("{disk}!{member}: {e}"));
        out
    } else if disk.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap_or_else(|e| panic!("{disk}: {e}"));
        out
    } else {
        raw
    }
}
