//! ZIP archives, read in place member by member, trusting nothing the archive says.
//!
//! The `zip` crate keys members by name, so of two members with the same name it reads one, and it
//! refuses an archive without its central directory. Evidence needs both: every member is listed
//! from the central directory in archive order (duplicates included, cited by position), and when
//! the directory is missing or damaged (a copy cut short) members are found from their local
//! headers. Each member is inflated as a stream into a [`Spill`], never past its declared size or
//! `--max-inflate`; its CRC-32 is checked; a cut member keeps what inflated before the cut.
//! Encrypted members and unsupported methods are reported, not read. Member names are data: they
//! name the member in reports and are never used as a path.

use std::fs::File;
use std::io::{self, BufReader, Read};

use flate2::bufread::DeflateDecoder;

use super::fs::{At, read_at};
use super::spill::{Spill, Spilled};

const LOCAL_SIG: &[u8; 4] = b"PK\x03\x04";
const CENTRAL_SIG: &[u8; 4] = b"PK\x01\x02";
const END_SIG: &[u8; 4] = b"PK\x05\x06";
const ZIP64_LOCATOR_SIG: &[u8; 4] = b"PK\x06\x07";
const ZIP64_END_SIG: &[u8; 4] = b"PK\x06\x06";
const DESCRIPTOR_SIG: &[u8; 4] = b"PK\x07\x08";
const LOCAL_LEN: usize = 30;
const CENTRAL_LEN: usize = 46;
const END_LEN: usize = 22;
const ZIP64_LOCATOR_LEN: u64 = 20;
const ZIP64_END_LEN: usize = 56;
/// The end record may be followed by a comment of up to 65,535 bytes.
const MAX_COMMENT: u64 = 65_535;
/// A central directory larger than this is not believed (a million members take about 100 MB).
const MAX_CENTRAL_BYTES: u64 = 1 << 30;
/// Window read at a time when looking for local headers.
const SCAN_WINDOW: usize = 1 << 20;
const CHUNK: usize = 1 << 16;

const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_UTF8: u16 = 1 << 11;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
const METHOD_AES: u16 = 99;

/// Whether bytes start like a zip archive (a member, or the end record of an empty archive).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(LOCAL_SIG) || head.starts_with(END_SIG)
}

/// One member as the archive describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The stored name (UTF-8; names without the UTF-8 flag that are not valid UTF-8 read as Latin-1).
    pub name: String,
    /// 1-based position in the archive: central directory order, or local header order when recovered.
    pub position: u32,
    /// Offset of the member's local header in the file.
    pub header: u64,
    pub flags: u16,
    pub method: u16,
    pub crc: Option<u32>,
    pub compressed: Option<u64>,
    /// Declared uncompressed size.
    pub size: Option<u64>,
}

impl Member {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/') || self.name.ends_with('\\')
    }
}

/// The members of an archive and what was wrong with its directory.
#[derive(Debug, Default)]
pub struct Listing {
    pub members: Vec<Member>,
    pub damage: Vec<String>,
}

/// List the members of the zip archive in `file` (`len` bytes). Never fails: an unreadable directory
/// is damage, and members are then looked for from their local headers.
pub fn list(file: &File, len: u64, limit: u64) -> Listing {
    let mut out = Listing::default();
    match central_directory(file, len) {
        Ok(Some(members)) => out.members = members,
        Ok(None) => out
            .damage
            .push("no central directory (the archive is cut short or damaged): members were found from their local headers".into()),
        Err(why) => out.damage.push(format!("central directory unreadable ({why}): members were found from their local headers")),
    }
    if !out.damage.is_empty() {
        out.members = scan_local_headers(file, len, limit);
    }
    out
}

/// What inflating one member gave.
pub enum Inflated {
    /// The bytes (possibly cut), with what is wrong with them.
    Read { out: Spilled, damage: Vec<String> },
    /// Nothing could be read, and why.
    NotRead(String),
}

/// Inflate one member, keeping at most `limit` bytes (and never more than its declared size).
/// Only a failure to write the temporary file is an error.
pub fn inflate(file: &File, len: u64, m: &Member, limit: u64) -> io::Result<Inflated> {
    let (local_flags, data) = match local_header(file, len, m.header) {
        Ok(Some(h)) => h,
        Ok(None) => return Ok(Inflated::NotRead(format!("no local header at byte {} (the archive is damaged): not read", m.header))),
        Err(e) => return Ok(Inflated::NotRead(format!("cannot read its local header: {e}"))),
    };
    if (m.flags | local_flags) & FLAG_ENCRYPTED != 0 || m.method == METHOD_AES {
        return Ok(Inflated::NotRead("encrypted member: not read (no password is tried)".into()));
    }
    let end = m.compressed.map_or(len, |c| data.saturating_add(c).min(len));
    let source = At::new(file, data, end);
    let mut reader: Box<dyn Read> = match m.method {
        METHOD_DEFLATE => Box::new(DeflateDecoder::new(BufReader::with_capacity(CHUNK, source))),
        METHOD_STORED => match m.compressed {
            Some(_) => Box::new(source),
            None => return Ok(Inflated::NotRead("stored member of unknown size (written as a stream): not read".into())),
        },
        other => {
            return Ok(Inflated::NotRead(format!(
                "compressed with {} (method {other}), which is not supported: not read",
                method_name(other)
            )));
        }
    };
    let cap = m.size.map_or(limit, |s| s.min(limit));
    let mut spill = Spill::new(cap);
    let mut crc = flate2::Crc::new();
    let mut buf = vec![0u8; CHUNK];
    let mut damage = Vec::new();
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let kept = (cap - spill.len()).min(n as u64) as usize;
                crc.update(&buf[..kept]);
                if !spill.write(&buf[..n])? {
                    damage.push(match m.size {
                        Some(s) if s < limit => {
                            format!("inflates beyond its declared size of {s} bytes: cut there (the archive is damaged or crafted)")
                        }
                        _ => format!("inflates to more than {limit} bytes (--max-inflate): cut there; the rest is not read"),
                    });
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                damage.push(cut_message(&e, spill.len()));
                break;
            }
        }
    }
    if damage.is_empty() {
        if m.method == METHOD_STORED && m.compressed.is_some_and(|c| data.saturating_add(c) > len) {
            damage.push(cut_message(&io::ErrorKind::UnexpectedEof.into(), spill.len()));
        } else if let Some(s) = m.size.filter(|s| *s > spill.len()) {
            damage.push(format!("shorter than its declared size ({} of {s} bytes)", spill.len()));
        } else if let Some(expected) = m.crc.filter(|c| *c != crc.sum()) {
            damage.push(format!("CRC-32 mismatch (directory says {expected:08x}, data gives {:08x}): the member is corrupt", crc.sum()));
        }
    }
    Ok(Inflated::Read { out: spill.finish()?, damage })
}

fn cut_message(e: &io::Error, inflated: u64) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        format!("cut short: the archive ends inside this member after {inflated} decompressed byte(s); everything before the cut is kept")
    } else {
        format!("damaged after {inflated} decompressed byte(s) ({e}); everything before is kept")
    }
}

fn method_name(m: u16) -> &'static str {
    match m {
        9 => "Deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        95 => "XZ",
        98 => "PPMd",
        _ => "an unknown method",
    }
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

fn read_exact_at(file: &File, len: usize, offset: u64) -> io::Result<Option<Vec<u8>>> {
    let mut b = vec![0u8; len];
    Ok((read_at(file, &mut b, offset)? == len).then_some(b))
}

fn decode_name(raw: &[u8], flags: u16) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) if flags & FLAG_UTF8 != 0 => String::from_utf8_lossy(raw).into_owned(),
        Err(_) => raw.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Where the central directory is and how many members it lists.
struct End {
    entries: u64,
    cd_offset: u64,
    cd_size: u64,
    /// Where the directory really ends (the end record, or the zip64 end record).
    cd_end: u64,
}

/// The members listed in the central directory; `None` when there is no end record.
fn central_directory(file: &File, len: u64) -> Result<Option<Vec<Member>>, String> {
    let Some(end) = end_record(file, len).map_err(|e| e.to_string())? else { return Ok(None) };
    // Data prepended to the archive (a self-extractor stub) shifts every offset by the same amount.
    let shift = end.cd_end.checked_sub(end.cd_offset.saturating_add(end.cd_size)).ok_or("its offsets point past its end")?;
    if end.cd_size > MAX_CENTRAL_BYTES.min(len) {
        return Err(format!("it claims {} bytes", end.cd_size));
    }
    let cd = read_exact_at(file, end.cd_size as usize, end.cd_offset + shift).map_err(|e| e.to_string())?.ok_or("it is cut short")?;
    let mut members = Vec::new();
    let mut at = 0usize;
    while (members.len() as u64) < end.entries {
        let Some(h) = cd.get(at..at + CENTRAL_LEN).filter(|h| h.starts_with(CENTRAL_SIG)) else {
            return Err(format!("entry {} of {} is damaged", members.len() + 1, end.entries));
        };
        let (name_len, extra_len, comment_len) = (u16_at(h, 28) as usize, u16_at(h, 30) as usize, u16_at(h, 32) as usize);
        let var = at + CENTRAL_LEN;
        let (Some(raw_name), Some(extra)) = (cd.get(var..var + name_len), cd.get(var + name_len..var + name_len + extra_len)) else {
            return Err(format!("entry {} of {} is cut short", members.len() + 1, end.entries));
        };
        let flags = u16_at(h, 8);
        let mut size = u32_at(h, 24) as u64;
        let mut compressed = u32_at(h, 20) as u64;
        let mut header = u32_at(h, 42) as u64;
        zip64_extra(extra, &mut size, &mut compressed, Some(&mut header));
        members.push(Member {
            name: decode_name(raw_name, flags),
            position: members.len() as u32 + 1,
            header: header.saturating_add(shift),
            flags,
            method: u16_at(h, 10),
            crc: Some(u32_at(h, 16)),
            compressed: Some(compressed),
            size: Some(size),
        });
        at = var + name_len + extra_len + comment_len;
    }
    Ok(Some(members))
}

/// Replace 32-bit fields saturated at 0xFFFFFFFF by their zip64 extra values (in field order).
fn zip64_extra(mut extra: &[u8], size: &mut u64, compressed: &mut u64, header: Option<&mut u64>) {
    while extra.len() >= 4 {
        let (id, n) = (u16_at(extra, 0), u16_at(extra, 2) as usize);
        let Some(data) = extra.get(4..4 + n) else { return };
        if id == 0x0001 {
            let mut fields = data.chunks_exact(8).map(|c| u64_at(c, 0));
            if *size == 0xFFFF_FFFF {
                *size = fields.next().unwrap_or(*size);
            }
            if *compressed == 0xFFFF_FFFF {
                *compressed = fields.next().unwrap_or(*compressed);
            }
            if let Some(h) = header
                && *h == 0xFFFF_FFFF
            {
                *h = fields.next().unwrap_or(*h);
            }
            return;
        }
        extra = &extra[4 + n..];
    }
}

/// The end of central directory record (and its zip64 form), searched from the end of the file.
fn end_record(file: &File, len: u64) -> io::Result<Option<End>> {
    let tail_len = len.min(END_LEN as u64 + MAX_COMMENT);
    let tail_start = len - tail_len;
    let Some(tail) = read_exact_at(file, tail_len as usize, tail_start)? else { return Ok(None) };
    if tail.len() < END_LEN {
        return Ok(None);
    }
    // The record whose comment ends exactly at the end of the file; else the last one found.
    let candidates: Vec<usize> = (0..=tail.len() - END_LEN).rev().filter(|&i| tail[i..].starts_with(END_SIG)).collect();
    let Some(&i) = candidates.iter().find(|&&i| i + END_LEN + u16_at(&tail, i + 20) as usize == tail.len()).or(candidates.first()) else {
        return Ok(None);
    };
    let r = &tail[i..];
    let pos = tail_start + i as u64;
    let mut end = End { entries: u16_at(r, 10) as u64, cd_size: u32_at(r, 12) as u64, cd_offset: u32_at(r, 16) as u64, cd_end: pos };
    if pos >= ZIP64_LOCATOR_LEN
        && let Some(loc) = read_exact_at(file, ZIP64_LOCATOR_LEN as usize, pos - ZIP64_LOCATOR_LEN)?
        && loc.starts_with(ZIP64_LOCATOR_SIG)
    {
        let at = u64_at(&loc, 8);
        if let Some(z) = read_exact_at(file, ZIP64_END_LEN, at)?.filter(|z| z.starts_with(ZIP64_END_SIG)) {
            end = End { entries: u64_at(&z, 32), cd_size: u64_at(&z, 40), cd_offset: u64_at(&z, 48), cd_end: at };
        }
    }
    Ok(Some(end))
}

/// Flags of the local header at `at` and where the member's data starts; `None` if there is none.
fn local_header(file: &File, len: u64, at: u64) -> io::Result<Option<(u16, u64)>> {
    if at >= len {
        return Ok(None);
    }
    let Some(h) = read_exact_at(file, LOCAL_LEN, at)? else { return Ok(None) };
    if !h.starts_with(LOCAL_SIG) {
        return Ok(None);
    }
    let data = at + LOCAL_LEN as u64 + u16_at(&h, 26) as u64 + u16_at(&h, 28) as u64;
    Ok((data <= len).then_some((u16_at(&h, 6), data)))
}

/// Recovery: every plausible local header, in file order. A member whose size the header does not
/// give (written as a stream) is inflated once, output discarded, to find where it ends.
fn scan_local_headers(file: &File, len: u64, limit: u64) -> Vec<Member> {
    let mut members = Vec::new();
    let mut pos = 0u64;
    while let Ok(Some(at)) = find(file, len, pos, LOCAL_SIG) {
        pos = at + 1;
        let Ok(Some(h)) = read_exact_at(file, LOCAL_LEN, at) else { break };
        let (name_len, extra_len) = (u16_at(&h, 26) as usize, u16_at(&h, 28) as usize);
        let Ok(Some(var)) = read_exact_at(file, name_len + extra_len, at + LOCAL_LEN as u64) else { continue };
        if name_len == 0 {
            continue;
        }
        let (flags, method) = (u16_at(&h, 6), u16_at(&h, 8));
        let data = at + (LOCAL_LEN + name_len + extra_len) as u64;
        let streamed = flags & FLAG_DESCRIPTOR != 0;
        let (mut size, mut compressed) = (u32_at(&h, 22) as u64, u32_at(&h, 18) as u64);
        zip64_extra(&var[name_len..], &mut size, &mut compressed, None);
        let mut m = Member {
            name: decode_name(&var[..name_len], flags),
            position: members.len() as u32 + 1,
            header: at,
            flags,
            method,
            crc: (!streamed).then(|| u32_at(&h, 14)),
            compressed: (!streamed).then_some(compressed),
            size: (!streamed).then_some(size),
        };
        if streamed && method == METHOD_DEFLATE && flags & FLAG_ENCRYPTED == 0 {
            if let Some(used) = deflate_length(file, data, len, limit) {
                read_descriptor(file, data + used, &mut m);
                pos = data + used;
            }
        } else if let Some(c) = m.compressed {
            pos = pos.max(data.saturating_add(c));
        }
        members.push(m);
    }
    members
}

/// Compressed length of the deflate stream at `data`, by inflating it (output discarded).
fn deflate_length(file: &File, data: u64, len: u64, limit: u64) -> Option<u64> {
    let mut dec = DeflateDecoder::new(BufReader::with_capacity(CHUNK, At::new(file, data, len)));
    let mut sink = io::sink();
    let copied = io::copy(&mut (&mut dec).take(limit), &mut sink).ok()?;
    (copied < limit).then(|| dec.total_in())
}

/// A data descriptor after a streamed member: its CRC and sizes.
fn read_descriptor(file: &File, at: u64, m: &mut Member) {
    if let Ok(Some(d)) = read_exact_at(file, 16, at)
        && d.starts_with(DESCRIPTOR_SIG)
    {
        m.crc = Some(u32_at(&d, 4));
        m.compressed = Some(u32_at(&d, 8) as u64);
        m.size = Some(u32_at(&d, 12) as u64);
    }
}

/// Offset of the next `sig` at or after `from`.
fn find(file: &File, len: u64, from: u64, sig: &[u8]) -> io::Result<Option<u64>> {
    let mut buf = vec![0u8; SCAN_WINDOW];
    let mut at = from;
    while at < len {
        let n = read_at(file, &mut buf, at)?;
        if n < sig.len() {
            return Ok(None);
        }
        if let Some(i) = memchr::memmem::find(&buf[..n], sig) {
            return Ok(Some(at + i as u64));
        }
        at += (n - (sig.len() - 1)) as u64;
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
