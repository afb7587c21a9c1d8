//! Evidence files: finding them, opening them read-only, hashing them, and undoing their containers.
//!
//! An evidence *file* is what the examiner handed over (a `.json`, a `.csv`, a `.gz`, a `.zip`).
//! [`open`] hashes it (a large plain file: later, while it is parsed) and lists its *entries* (the file itself, or each zip member) without
//! inflating anything; [`EvidenceFile::materialize`] turns one entry into an [`Input`], the decoded
//! bytes to parse (decompressed, UTF-8 BOM skipped, UTF-16 transcoded), just before it is parsed, so
//! only the inputs being parsed hold bytes. Plain files are parsed through read-only memory maps of
//! the ranges being parsed; inflated and transcoded bytes go to memory while small and to an unlinked
//! temporary file beyond that ([`spill`]). Nothing here writes to evidence.
//!
//! Damage is per item: a cut gzip stream, a zip without its central directory, an encrypted member,
//! a member that inflates past its declared size or `--max-inflate`, an unreadable or special file
//! in a folder are each reported on that item ([`Damage`]) and everything readable is still read.
//!
//! Names: a zip member is `archive.zip!dir/member.json`; when several members share a name, each is
//! `archive.zip!dir/member.json#N` with N its 1-based position in the archive (central directory order,
//! or local header order when the directory is missing). A `.gz` file keeps its own path.

mod discover;
pub mod fs;
mod gzip;
pub mod mmap;
mod payload;
mod spill;
mod text;
pub mod zip;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use discover::{Found, discover};
pub use fs::{sha256_bytes, sha256_file};
pub use payload::{Bytes, Input, Payload};

use crate::error::{Damage, EvidenceError};
use fs::Stamp;

/// Default of `--max-inflate`: the most bytes one `.gz` file or zip member may inflate to. A real
/// 30-day export of a large tenant is a few GB; inflated bytes beyond 8 MiB go to a temporary file,
/// so this bounds temporary disk, not memory.
pub const DEFAULT_MAX_INFLATE: u64 = 16 << 30;

/// [`DEFAULT_MAX_INFLATE`] as the command line writes it (a test checks they agree).
pub const DEFAULT_MAX_INFLATE_ARG: &str = "16G";

/// Bytes of a file kept to recognize it by its magic number.
const MAGIC_BYTES: usize = 16;

/// Plain files up to this size are read into memory with one read instead of being mapped: a map
/// costs two system calls, a page fault per page and a TLB flush on the other threads when it is
/// removed, which dominated the time of 12,000 one-record `PT1H.json` files.
const READ_SMALL_BYTES: u64 = 1 << 20;

/// A plain file over this size is hashed while it is parsed instead of before
/// ([`EvidenceFile::hash_pending`]): hashing one large file first kept one core busy and the other
/// idle for ~2 s per 3.4 GB. The size at which a file is parsed in parallel segments
/// (`ingest::input::SEGMENT_BYTES`). Compressed files, archives and Parquet dataset files are always
/// hashed first (reading them, or checking a dataset's manifest, needs the hash or the whole file).
pub const HASH_LATER_BYTES: u64 = 64 << 20;

/// Magic number of Parquet files (dataset parts, whose hash the manifest check needs first).
const PARQUET_MAGIC: &[u8] = b"PAR1";

/// Limits on what reading one item may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes a `.gz` file or zip member may inflate to; the rest is cut with damage.
    pub max_inflate: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_inflate: DEFAULT_MAX_INFLATE }
    }
}

/// How an entry's bytes are obtained.
#[derive(Debug, Clone)]
enum EntryKind {
    Plain,
    Gzip,
    Zip(zip::Member),
}

/// One thing an evidence file holds: the file itself, or one zip member.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Name in reports (`archive.zip!member`).
    pub display: String,
    /// Base name, for formats recognized partly by name.
    pub name: String,
    /// Bytes it is expected to hold once inflated (declared, so only for planning work).
    pub size_hint: u64,
    kind: EntryKind,
}

/// An evidence file: hashed, its entries listed, nothing inflated yet.
#[derive(Debug)]
pub struct EvidenceFile {
    pub path: PathBuf,
    pub display: String,
    pub bytes: u64,
    pub sha256: String,
    /// The first bytes of the file (magic numbers).
    pub head: Vec<u8>,
    pub entries: Vec<Entry>,
    /// What is wrong with the container itself (a missing central directory...).
    pub damage: Vec<String>,
    stamp: Stamp,
    /// `sha256` is still empty: [`EvidenceFile::hash`] computes it (while the file is parsed).
    hash_pending: bool,
}

/// One entry, ready to parse or not readable at all.
pub enum Opened {
    Input(Input),
    /// Why nothing of the entry can be read (encrypted, unsupported method, file changed...).
    NotRead(String),
}

/// Open an evidence file read-only, hash it and list its entries. A file that cannot be opened or
/// read is damage, not an error of the run.
pub fn open(path: &Path, limits: &Limits) -> Result<EvidenceFile, Damage> {
    let display = path.display().to_string();
    let damage = |reason: String| Damage { item: display.clone(), reason };
    let (file, stamp) = fs::open_regular(path).map_err(|e| damage(e.to_string()))?;
    let mut head = vec![0u8; MAGIC_BYTES];
    let n = fs::read_at(&file, &mut head, 0).map_err(|e| damage(format!("cannot read: {e}")))?;
    head.truncate(n);
    let hash_pending = stamp.len > HASH_LATER_BYTES && !gzip::is_gzip(&head) && !zip::is_zip(&head) && !head.starts_with(PARQUET_MAGIC);
    let (sha256, bytes) = if hash_pending {
        (String::new(), stamp.len)
    } else {
        sha256_file(&file, stamp.len).map_err(|e| damage(format!("cannot read: {e}")))?
    };
    let name = base_name(&display).to_string();
    let mut ev = EvidenceFile {
        path: path.to_path_buf(),
        display,
        bytes,
        sha256,
        head,
        entries: Vec::new(),
        damage: Vec::new(),
        stamp,
        hash_pending,
    };
    let plain = |kind| Entry { display: ev.display.clone(), name: name.clone(), size_hint: bytes, kind };
    if gzip::is_gzip(&ev.head) {
        ev.entries = vec![plain(EntryKind::Gzip)];
    } else if zip::is_zip(&ev.head) {
        let listing = zip::list(&file, stamp.len, limits.max_inflate);
        ev.damage = listing.damage;
        ev.entries = member_entries(&ev.display, listing.members);
    } else {
        ev.entries = vec![plain(EntryKind::Plain)];
    }
    Ok(ev)
}

/// Entries for the members of an archive, sorted by name then position; directories left out.
fn member_entries(archive: &str, mut members: Vec<zip::Member>) -> Vec<Entry> {
    members.retain(|m| !m.is_dir());
    members.sort_by(|a, b| (&a.name, a.position).cmp(&(&b.name, b.position)));
    let mut count: HashMap<&str, u32> = HashMap::new();
    for m in &members {
        *count.entry(m.name.as_str()).or_default() += 1;
    }
    let shared: Vec<bool> = members.iter().map(|m| count[m.name.as_str()] > 1).collect();
    members
        .into_iter()
        .zip(shared)
        .map(|(m, dup)| Entry {
            display: if dup { format!("{archive}!{}#{}", m.name, m.position) } else { format!("{archive}!{}", m.name) },
            name: base_name(&m.name).to_string(),
            size_hint: m.size.or(m.compressed).unwrap_or(0),
            kind: EntryKind::Zip(m),
        })
        .collect()
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl EvidenceFile {
    /// The file is large and plain: its SHA-256 is computed by [`EvidenceFile::hash`] while it is
    /// parsed, and `sha256` is empty until then.
    pub fn hash_pending(&self) -> bool {
        self.hash_pending
    }

    /// SHA-256 of a file whose hash is pending, read from its start, or why it cannot be had (the
    /// file cannot be read, or changed since it was opened: its size or modification time differ).
    pub fn hash(&self) -> Result<String, String> {
        let (file, stamp) = fs::open_regular(&self.path).map_err(|e| e.to_string())?;
        let (sha256, bytes) = sha256_file(&file, stamp.len).map_err(|e| format!("cannot read: {e}"))?;
        if stamp != self.stamp || bytes != self.bytes {
            return Err("changed while it was read (size or modification time differ): its SHA-256 is not that of what was parsed".into());
        }
        Ok(sha256)
    }

    /// Inflate and decode entry `i` for parsing. Only a temporary file that cannot be written is an
    /// error; everything wrong with the evidence is damage on the entry.
    pub fn materialize(&self, i: usize, limits: &Limits) -> Result<Opened, EvidenceError> {
        let entry = &self.entries[i];
        let (file, stamp) = match fs::open_regular(&self.path) {
            Ok(x) => x,
            Err(e) => return Ok(Opened::NotRead(e.to_string())),
        };
        if stamp != self.stamp {
            return Ok(Opened::NotRead("changed since it was hashed (size or modification time differ): not read".into()));
        }
        let spill_error = |source| EvidenceError::Spill { source };
        let file = std::sync::Arc::new(file);
        let mut input = Input {
            display: entry.display.clone(),
            name: entry.name.clone(),
            payload: Payload::File { file: file.clone(), skip: 0, len: stamp.len },
            inner_sha256: None,
            notes: Vec::new(),
            damage: Vec::new(),
        };
        match &entry.kind {
            EntryKind::Plain if stamp.len <= READ_SMALL_BYTES => {
                let mut bytes = vec![0u8; stamp.len as usize];
                match fs::read_at(&file, &mut bytes, 0) {
                    Ok(n) if n as u64 == stamp.len => input.payload = Payload::Memory(std::sync::Arc::new(bytes)),
                    Ok(_) => return Ok(Opened::NotRead("changed since it was hashed (it is shorter now): not read".into())),
                    Err(e) => return Ok(Opened::NotRead(format!("cannot read: {e}"))),
                }
            }
            EntryKind::Plain => {}
            EntryKind::Gzip => {
                let g = gzip::gunzip(input.payload.reader(0), limits.max_inflate).map_err(spill_error)?;
                // The evidence is the .gz file: its own path and hash are reported; the decompressed
                // hash is a note.
                input.notes.push(format!("gzip-compressed; decompressed SHA-256 {}", g.out.sha256));
                input.notes.extend(g.notes);
                input.damage.extend(g.damage);
                input.payload = g.out.payload;
            }
            EntryKind::Zip(m) => {
                let (out, damage) = match zip::inflate(&file, stamp.len, m, limits.max_inflate).map_err(spill_error)? {
                    zip::Inflated::Read { out, damage } => (out, damage),
                    zip::Inflated::NotRead(why) => return Ok(Opened::NotRead(why)),
                };
                input.inner_sha256 = Some(out.sha256);
                input.damage.extend(damage);
                input.payload = out.payload;
                input.notes.push("zip member".into());
                let magic = magic(&input.payload);
                if gzip::is_gzip(&magic) {
                    let g = gzip::gunzip(input.payload.reader(0), limits.max_inflate).map_err(spill_error)?;
                    input.notes = vec![format!("zip member, gzip-compressed; decompressed SHA-256 {}", g.out.sha256)];
                    input.notes.extend(g.notes);
                    input.damage.extend(g.damage);
                    input.payload = g.out.payload;
                } else if zip::is_zip(&magic) {
                    input.damage.push("a zip archive inside a zip archive is not opened: extract it and give it as evidence".into());
                }
            }
        }
        match text::decode(input.payload.clone()) {
            Ok((payload, notes)) => {
                input.payload = payload;
                input.notes.extend(notes);
            }
            Err(e) => return Ok(Opened::NotRead(format!("cannot read: {e}"))),
        }
        Ok(Opened::Input(input))
    }
}

/// The first bytes of a payload (an unreadable payload has none).
fn magic(p: &Payload) -> Vec<u8> {
    let mut head = Vec::with_capacity(MAGIC_BYTES);
    let _ = std::io::Read::read_to_end(&mut std::io::Read::take(p.reader(0), MAGIC_BYTES as u64), &mut head);
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_member_names_get_their_position() {
        let m = |name: &str, position| zip::Member {
            name: name.into(),
            position,
            header: 0,
            flags: 0,
            method: 8,
            crc: None,
            compressed: None,
            size: Some(1),
        };
        let e = member_entries("e.zip", vec![m("b/p.json", 1), m("a.json", 2), m("b/p.json", 3), m("d/", 4)]);
        let names: Vec<(&str, &str)> = e.iter().map(|e| (e.display.as_str(), e.name.as_str())).collect();
        assert_eq!(names, vec![("e.zip!a.json", "a.json"), ("e.zip!b/p.json#1", "p.json"), ("e.zip!b/p.json#3", "p.json")]);
    }
}
