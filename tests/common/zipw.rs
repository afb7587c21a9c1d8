//! A minimal ZIP writer for tests, able to write what well-behaved writers refuse to: two members
//! with one name, a size that lies, an encrypted flag, no central directory.
//!
//! Shared by the unit tests of `src/evidence/zip.rs` (through `#[path]`) and the integration tests.

#![allow(dead_code)]
// Test-only code: a failed write to a Vec is a broken test.
#![allow(clippy::unwrap_used)]

use std::io::Write;

/// One member to write.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub data: Vec<u8>,
    /// Deflate (8) or stored (0).
    pub deflate: bool,
    /// General purpose flags (1 = encrypted, 8 = data descriptor).
    pub flags: u16,
    /// Uncompressed size written in the headers, when it should lie.
    pub declared_size: Option<u32>,
}

impl Entry {
    pub fn new(name: &str, data: &[u8]) -> Self {
        Entry { name: name.to_string(), data: data.to_vec(), deflate: true, flags: 0, declared_size: None }
    }
}

fn crc32(b: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(b);
    c.sum()
}

fn deflate(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// The archive bytes, with or without its central directory and end record.
pub fn build(entries: &[Entry], central_directory: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let body = if e.deflate { deflate(&e.data) } else { e.data.clone() };
        let method: u16 = if e.deflate { 8 } else { 0 };
        let crc = crc32(&e.data);
        let size = e.declared_size.unwrap_or(e.data.len() as u32);
        let streamed = e.flags & 8 != 0;
        let mut local = Vec::new();
        local.extend(b"PK\x03\x04");
        local.extend(20u16.to_le_bytes());
        local.extend(e.flags.to_le_bytes());
        local.extend(method.to_le_bytes());
        local.extend([0u8; 4]); // time, date
        for v in [if streamed { 0 } else { crc }, if streamed { 0 } else { body.len() as u32 }, if streamed { 0 } else { size }] {
            local.extend(v.to_le_bytes());
        }
        local.extend((e.name.len() as u16).to_le_bytes());
        local.extend(0u16.to_le_bytes());
        local.extend(e.name.as_bytes());
        out.extend(&local);
        out.extend(&body);
        if streamed {
            out.extend(b"PK\x07\x08");
            for v in [crc, body.len() as u32, size] {
                out.extend(v.to_le_bytes());
            }
        }
        central.extend(b"PK\x01\x02");
        central.extend(20u16.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        central.extend(e.flags.to_le_bytes());
        central.extend(method.to_le_bytes());
        central.extend([0u8; 4]);
        for v in [crc, body.len() as u32, size] {
            central.extend(v.to_le_bytes());
        }
        central.extend((e.name.len() as u16).to_le_bytes());
        central.extend([0u8; 8]); // extra, comment, disk, internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(e.name.as_bytes());
    }
    if central_directory {
        let cd_offset = out.len() as u32;
        out.extend(&central);
        out.extend(b"PK\x05\x06");
        out.extend([0u8; 4]);
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((entries.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend(0u16.to_le_bytes());
    }
    out
}
