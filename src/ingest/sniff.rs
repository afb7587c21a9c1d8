//! Content-based format detection. Extensions are never trusted: a `.txt` may hold Graph JSON and a
//! `.json` may be a README. `--format` overrides detection.

use super::csv::{self, CsvKind};
use crate::error::EvidenceError;
use crate::evidence::Input;

/// Bytes of an input looked at to detect its format.
pub const HEAD_BYTES: usize = 64 * 1024;

/// How an input is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Every JSON rendering (the JSON module tells Graph pages, records, batches and rows apart).
    Json,
    Csv(CsvKind),
    /// A parquet file of a dataset written by `signin-audit export`.
    Dataset,
    /// The `manifest.json` beside such a dataset.
    DatasetManifest,
}

impl Format {
    /// The label used for an input before the parser refines it.
    pub fn label(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv(k) => k.label(),
            Format::Dataset => "signin-audit-dataset",
            Format::DatasetManifest => "signin-audit-manifest",
        }
    }
}

/// Offset of the first byte of `input` that is not white space, reading it a window at a time
/// (never whole); `None` if it holds only white space. Detection starts there, so megabytes of
/// padding before a page do not hide it.
pub fn content_start(input: &Input) -> Result<Option<u64>, EvidenceError> {
    const WINDOW: u64 = 1 << 20;
    let len = input.len();
    let mut at = 0;
    while at < len {
        let n = WINDOW.min(len - at);
        let w = input.read_range(at, n as usize)?;
        if let Some(i) = w.iter().position(|b| !b.is_ascii_whitespace()) {
            return Ok(Some(at + i as u64));
        }
        at += n;
    }
    Ok(None)
}

/// Detect the format of an input from its first bytes (decoded) and its file name.
pub fn sniff(head: &[u8], file_name: &str) -> Option<Format> {
    if head.starts_with(b"PAR1") {
        return Some(Format::Dataset);
    }
    let text = head.trim_ascii_start();
    match text.first() {
        Some(b'{') | Some(b'[') => {
            if is_manifest(text) {
                Some(Format::DatasetManifest)
            } else {
                Some(Format::Json)
            }
        }
        _ => csv::sniff(head, file_name).map(Format::Csv).or_else(|| json_after_junk(text)),
    }
}

/// `az rest ... > f 2>&1` puts `WARNING:` lines before the JSON: a few non-JSON lines followed by
/// a line opening a JSON value is still JSON (the parser skips the junk with a warning).
fn json_after_junk(text: &[u8]) -> Option<Format> {
    /// Non-JSON lines tolerated before the JSON starts.
    const MAX_JUNK_LINES: usize = 5;
    text.split(|&b| b == b'\n')
        .take(MAX_JUNK_LINES + 1)
        .skip(1)
        .any(|l| matches!(l.trim_ascii_start().first(), Some(b'{') | Some(b'[')))
        .then_some(Format::Json)
}

fn is_manifest(text: &[u8]) -> bool {
    let probe = &text[..text.len().min(4096)];
    memchr::memmem::find(probe, b"\"signin-audit-dataset\"").is_some()
}

/// A short description of an unrecognized input for the warning.
pub fn describe_unknown(head: &[u8]) -> String {
    if head.iter().take(512).any(|&b| b == 0) {
        return "binary data".into();
    }
    let first = head.trim_ascii().split(|&b| b == b'\n').next().unwrap_or(&[]);
    if first.is_empty() {
        return "only white space".into();
    }
    let line = String::from_utf8_lossy(&first[..first.len().min(60)]);
    format!("text starting {:?}", line.trim_end())
}
