//! Evidence files: finding them, opening them read-only, hashing them, and undoing their containers.
//!
//! An evidence *file* is what the examiner handed over (a `.json`, a `.csv`, a `.zip`). It yields one
//! or more *inputs*: the file itself, or each member of a zip, after decompression (`.gz`) and after
//! decoding (UTF-8 BOM stripped, UTF-16 transcoded). Plain files are never copied: they are parsed
//! through read-only memory maps of the ranges being parsed. Nothing here writes to evidence.

pub mod mmap;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::error::EvidenceError;

/// Bytes hashed per read when hashing a file from disk.
const HASH_CHUNK: usize = 1 << 20;

/// Largest decompressed size accepted for one `.gz` file or zip member, as a guard against
/// decompression bombs (a real 30-day export of a large tenant is a few GB).
pub const MAX_DECOMPRESSED: u64 = 16 << 30;

/// All files under the given paths (directories are walked recursively), sorted, without repeats.
/// Symbolic links to files are followed; links to directories are not (no cycles).
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, EvidenceError> {
    let mut out = Vec::new();
    for p in inputs {
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => EvidenceError::NotFound { path: p.clone() },
            _ => EvidenceError::Read { path: p.clone(), source: e },
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), EvidenceError> {
    let rd = std::fs::read_dir(dir).map_err(|e| EvidenceError::Read { path: dir.to_path_buf(), source: e })?;
    for entry in rd {
        let entry = entry.map_err(|e| EvidenceError::Read { path: dir.to_path_buf(), source: e })?;
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| EvidenceError::Read { path: path.clone(), source: e })?;
        if ft.is_dir() {
            walk(&path, out)?;
        } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

/// SHA-256 of a file, read sequentially (no map, so hashing a large file does not grow the RSS).
pub fn sha256_file(path: &Path) -> Result<(String, u64), EvidenceError> {
    let mut f = File::open(path).map_err(|e| EvidenceError::Read { path: path.to_path_buf(), source: e })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_CHUNK];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| EvidenceError::Read { path: path.to_path_buf(), source: e })?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex(&hasher.finalize()), total))
}

pub fn sha256_bytes(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where an input's bytes live.
#[derive(Clone)]
pub enum Payload {
    /// A plain UTF-8 file: parsed through maps of `[skip, len)` (skip = a UTF-8 BOM).
    Disk { path: PathBuf, len: u64, skip: u64 },
    /// Bytes decoded in memory (decompressed or transcoded).
    Memory(Arc<Vec<u8>>),
}

/// One thing to parse.
#[derive(Clone)]
pub struct Input {
    /// Path shown in reports: the file path, or `archive.zip!/member.json` for zip members.
    pub display: String,
    pub payload: Payload,
    /// SHA-256 of the input's own bytes for zip members and decompressed files (the evidence file's
    /// hash is on the [`EvidenceFile`]).
    pub inner_sha256: Option<String>,
    /// How the bytes were obtained ("gzip", "UTF-16LE transcoded to UTF-8"...).
    pub notes: Vec<String>,
}

impl Input {
    /// Length of the parseable (decoded) bytes.
    pub fn len(&self) -> u64 {
        match &self.payload {
            Payload::Disk { len, skip, .. } => len - skip,
            Payload::Memory(v) => v.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// File name of the input (the member name inside an archive).
    pub fn file_name(&self) -> &str {
        (self.display.rsplit(['/', '\\', '!']).next().unwrap_or(&self.display)) as _
    }
}

/// An evidence file and the inputs it yields.
pub struct EvidenceFile {
    pub path: PathBuf,
    pub display: String,
    pub bytes: u64,
    pub sha256: String,
    pub inputs: Vec<Input>,
    /// Problems opening the container (a corrupt zip member...).
    pub warnings: Vec<String>,
}

/// A view of bytes that may be mapped or owned.
pub enum Bytes {
    Mapped(memmap2::Mmap, usize),
    Shared(Arc<Vec<u8>>, usize, usize),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m, lead) => &m[*lead..],
            Bytes::Shared(v, start, end) => &v[*start..*end],
        }
    }
}

impl Input {
    /// The decoded bytes in `[offset, offset + len)` (offsets in decoded space).
    pub fn read_range(&self, offset: u64, len: usize) -> Result<Bytes, EvidenceError> {
        match &self.payload {
            Payload::Disk { path, skip, .. } => {
                if len == 0 {
                    return Ok(Bytes::Shared(Arc::new(Vec::new()), 0, 0));
                }
                let f = File::open(path).map_err(|e| EvidenceError::Read { path: path.clone(), source: e })?;
                let (m, lead) =
                    mmap::map_range(&f, skip + offset, len).map_err(|e| EvidenceError::Read { path: path.clone(), source: e })?;
                Ok(Bytes::Mapped(m, lead))
            }
            Payload::Memory(v) => {
                let start = (offset as usize).min(v.len());
                let end = (start + len).min(v.len());
                Ok(Bytes::Shared(v.clone(), start, end))
            }
        }
    }

    /// The first `n` decoded bytes (for sniffing).
    pub fn head(&self, n: usize) -> Result<Vec<u8>, EvidenceError> {
        let n = n.min(self.len() as usize);
        Ok(self.read_range(0, n)?.to_vec())
    }
}

/// Open an evidence file: hash it, undo compression and decode text.
pub fn open(path: &Path) -> Result<EvidenceFile, EvidenceError> {
    let (sha256, bytes) = sha256_file(path)?;
    let display = path.display().to_string();
    let mut head = [0u8; 4];
    let n = read_head(path, &mut head)?;
    let head = &head[..n];
    let mut warnings = Vec::new();
    let inputs = if head.starts_with(&[0x1f, 0x8b]) {
        let raw = std::fs::read(path).map_err(|e| EvidenceError::Read { path: path.to_path_buf(), source: e })?;
        let data = gunzip(&raw).map_err(|m| EvidenceError::Decompress { path: path.to_path_buf(), message: m })?;
        // The evidence is the .gz file: report its own path and hash; the decompressed hash is a note.
        let mut input = memory_input(display.clone(), data, "gzip-compressed");
        if let Some(inner) = input.inner_sha256.take() {
            input.notes[0] = format!("gzip-compressed; decompressed SHA-256 {inner}");
        }
        vec![input]
    } else if head.starts_with(b"PK\x03\x04") {
        unzip(path, &display, &mut warnings)?
    } else {
        vec![disk_input(path, &display, bytes)?]
    };
    Ok(EvidenceFile { path: path.to_path_buf(), display, bytes, sha256, inputs, warnings })
}

fn read_head(path: &Path, buf: &mut [u8]) -> Result<usize, EvidenceError> {
    let mut f = File::open(path).map_err(|e| EvidenceError::Read { path: path.to_path_buf(), source: e })?;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(EvidenceError::Read { path: path.to_path_buf(), source: e }),
        }
    }
    Ok(n)
}

fn disk_input(path: &Path, display: &str, len: u64) -> Result<Input, EvidenceError> {
    let mut head = vec![0u8; 4096.min(len as usize)];
    let n = read_head(path, &mut head)?;
    head.truncate(n);
    match detect_encoding(&head) {
        Encoding::Utf8 { bom } => Ok(Input {
            display: display.to_string(),
            payload: Payload::Disk { path: path.to_path_buf(), len, skip: if bom { 3 } else { 0 } },
            inner_sha256: None,
            notes: if bom { vec!["UTF-8 byte-order mark skipped".into()] } else { vec![] },
        }),
        Encoding::Utf16 { .. } => {
            let raw = std::fs::read(path).map_err(|e| EvidenceError::Read { path: path.to_path_buf(), source: e })?;
            Ok(decoded_input(display.to_string(), raw, None))
        }
    }
}

fn memory_input(display: String, data: Vec<u8>, how: &str) -> Input {
    let sha = sha256_bytes(&data);
    let mut input = decoded_input(display, data, Some(sha));
    input.notes.insert(0, how.to_string());
    input
}

/// Decode in-memory bytes: strip a UTF-8 BOM, transcode UTF-16.
fn decoded_input(display: String, data: Vec<u8>, inner_sha256: Option<String>) -> Input {
    let mut notes = Vec::new();
    let data = match detect_encoding(&data[..data.len().min(4096)]) {
        Encoding::Utf8 { bom: true } => {
            notes.push("UTF-8 byte-order mark skipped".into());
            data[3..].to_vec()
        }
        Encoding::Utf8 { bom: false } => data,
        Encoding::Utf16 { little_endian, bom } => {
            notes.push(format!(
                "UTF-16{} transcoded to UTF-8 (byte offsets refer to the UTF-8 text)",
                if little_endian { "LE" } else { "BE" }
            ));
            transcode_utf16(&data[if bom { 2 } else { 0 }..], little_endian)
        }
    };
    Input { display, payload: Payload::Memory(Arc::new(data)), inner_sha256, notes }
}

#[derive(Debug, PartialEq, Eq)]
enum Encoding {
    Utf8 { bom: bool },
    Utf16 { little_endian: bool, bom: bool },
}

/// BOMs first; without one, text where every other byte is NUL is UTF-16 (PowerShell 5.1 `>`).
fn detect_encoding(head: &[u8]) -> Encoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8 { bom: true };
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16 { little_endian: true, bom: true };
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Encoding::Utf16 { little_endian: false, bom: true };
    }
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let odd_nul = head.chunks_exact(2).filter(|c| c[1] == 0 && c[0] != 0).count();
        let even_nul = head.chunks_exact(2).filter(|c| c[0] == 0 && c[1] != 0).count();
        if odd_nul * 10 >= pairs * 9 {
            return Encoding::Utf16 { little_endian: true, bom: false };
        }
        if even_nul * 10 >= pairs * 9 {
            return Encoding::Utf16 { little_endian: false, bom: false };
        }
    }
    Encoding::Utf8 { bom: false }
}

fn transcode_utf16(b: &[u8], little_endian: bool) -> Vec<u8> {
    let units = b.chunks_exact(2).map(|c| if little_endian { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
    let s: String = char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    s.into_bytes()
}

fn gunzip(raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let dec = flate2::read::MultiGzDecoder::new(raw);
    dec.take(MAX_DECOMPRESSED + 1).read_to_end(&mut out).map_err(|e| e.to_string())?;
    if out.len() as u64 > MAX_DECOMPRESSED {
        return Err(format!("larger than {} bytes once decompressed", MAX_DECOMPRESSED));
    }
    Ok(out)
}

fn unzip(path: &Path, display: &str, warnings: &mut Vec<String>) -> Result<Vec<Input>, EvidenceError> {
    let f = File::open(path).map_err(|e| EvidenceError::Read { path: path.to_path_buf(), source: e })?;
    let mut archive =
        zip::ZipArchive::new(f).map_err(|e| EvidenceError::Decompress { path: path.to_path_buf(), message: e.to_string() })?;
    let mut names: Vec<(String, usize)> =
        (0..archive.len()).filter_map(|i| archive.name_for_index(i).map(|n| (n.to_string(), i))).collect();
    names.sort();
    let mut inputs = Vec::new();
    for (name, i) in names {
        if name.ends_with('/') {
            continue;
        }
        let mut member = match archive.by_index(i) {
            Ok(m) => m,
            Err(e) => {
                warnings.push(format!("{display}!/{name}: cannot read zip member: {e}"));
                continue;
            }
        };
        if member.size() > MAX_DECOMPRESSED {
            warnings.push(format!("{display}!/{name}: skipped, larger than {MAX_DECOMPRESSED} bytes once decompressed"));
            continue;
        }
        // The declared size is attacker-controlled: never pre-allocate more than a sane amount.
        let mut data = Vec::with_capacity(member.size().min(64 << 20) as usize);
        if let Err(e) = (&mut member).take(MAX_DECOMPRESSED + 1).read_to_end(&mut data) {
            warnings.push(format!("{display}!/{name}: cannot decompress zip member: {e}"));
            continue;
        }
        if data.len() as u64 > MAX_DECOMPRESSED {
            warnings.push(format!("{display}!/{name}: skipped, larger than {MAX_DECOMPRESSED} bytes once decompressed"));
            continue;
        }
        let member_display = format!("{display}!/{name}");
        if data.starts_with(&[0x1f, 0x8b]) {
            match gunzip(&data) {
                Ok(d) => inputs.push(memory_input(
                    member_display.strip_suffix(".gz").unwrap_or(&member_display).to_string(),
                    d,
                    "zip member, gzip-compressed",
                )),
                Err(m) => warnings.push(format!("{member_display}: cannot decompress: {m}")),
            }
        } else {
            inputs.push(memory_input(member_display, data, "zip member"));
        }
    }
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBF{}"), Encoding::Utf8 { bom: true });
        assert_eq!(detect_encoding(b"\xFF\xFE{\0}\0"), Encoding::Utf16 { little_endian: true, bom: true });
        assert_eq!(detect_encoding(b"{\0\"\0a\0\"\0"), Encoding::Utf16 { little_endian: true, bom: false });
        assert_eq!(detect_encoding(b"{\"a\":1}"), Encoding::Utf8 { bom: false });
        assert_eq!(transcode_utf16(b"{\0\xE9\0}\0", true), "{é}".as_bytes());
    }

    #[test]
    fn gzip_round_trip() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello").unwrap();
        assert_eq!(gunzip(&enc.finish().unwrap()).unwrap(), b"hello");
        assert!(gunzip(b"\x1f\x8bnot gzip").is_err());
    }
}
