//! [`Input`]: one thing to parse (a plain file, a decompressed `.gz`, a zip member), and the bytes
//! it is parsed from.

use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

use super::mmap;
use crate::error::EvidenceError;

/// Where an input's decoded bytes live.
#[derive(Clone)]
pub enum Payload {
    /// A file (the evidence itself, or a temporary file of inflated bytes), parsed through maps of
    /// `[skip, skip + len)`; `skip` is a UTF-8 byte-order mark.
    File { file: Arc<File>, skip: u64, len: u64 },
    /// Bytes in memory (small inflated or transcoded inputs).
    Memory(Arc<Vec<u8>>),
}

impl Payload {
    pub fn len(&self) -> u64 {
        match self {
            Payload::File { len, .. } => *len,
            Payload::Memory(v) => v.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A `Read` over the payload from `offset`.
    pub fn reader(&self, offset: u64) -> Box<dyn Read + '_> {
        match self {
            Payload::File { file, skip, len } => Box::new(super::fs::At::new(file, skip + offset, skip + len)),
            Payload::Memory(v) => Box::new(&v[(offset as usize).min(v.len())..]),
        }
    }

    /// The same bytes without their first `n` (a byte-order mark).
    pub fn skip(self, n: u64) -> Payload {
        match self {
            Payload::File { file, skip, len } => Payload::File { file, skip: skip + n.min(len), len: len - n.min(len) },
            Payload::Memory(v) => {
                let n = (n as usize).min(v.len());
                Payload::Memory(Arc::new(v[n..].to_vec()))
            }
        }
    }
}

/// One thing to parse.
#[derive(Clone)]
pub struct Input {
    /// Name shown in reports: the file path, or `archive.zip!member` for a zip member.
    pub display: String,
    /// Base name of the file or member, for formats recognized partly by name (portal CSVs).
    pub name: String,
    pub payload: Payload,
    /// SHA-256 of the input's own bytes for zip members and decompressed files (the evidence file's
    /// hash is on the [`super::EvidenceFile`]).
    pub inner_sha256: Option<String>,
    /// How the bytes were obtained ("gzip-compressed", "UTF-16LE transcoded to UTF-8"...).
    pub notes: Vec<String>,
    /// What could not be read ("cut short after 1234 decompressed bytes"): the rest is parsed.
    pub damage: Vec<String>,
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

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Input {
    /// Length of the parseable (decoded) bytes.
    pub fn len(&self) -> u64 {
        self.payload.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// File name of the input (the member name inside an archive).
    pub fn file_name(&self) -> &str {
        &self.name
    }

    /// The decoded bytes in `[offset, offset + len)`, clamped to the input.
    pub fn read_range(&self, offset: u64, len: usize) -> Result<Bytes, EvidenceError> {
        match &self.payload {
            Payload::File { file, skip, len: total } => {
                let start = offset.min(*total);
                let len = (len as u64).min(total - start) as usize;
                if len == 0 {
                    return Ok(Bytes::Shared(Arc::new(Vec::new()), 0, 0));
                }
                let (m, lead) = mmap::map_range(file, skip + start, len).map_err(|e| self.read_error(e))?;
                Ok(Bytes::Mapped(m, lead))
            }
            Payload::Memory(v) => {
                let start = (offset as usize).min(v.len());
                let end = start.saturating_add(len).min(v.len());
                Ok(Bytes::Shared(v.clone(), start, end))
            }
        }
    }

    /// All the decoded bytes.
    pub fn read_all(&self) -> Result<Bytes, EvidenceError> {
        self.read_range(0, self.len() as usize)
    }

    /// The first `n` decoded bytes (for sniffing).
    pub fn head(&self, n: usize) -> Result<Vec<u8>, EvidenceError> {
        let n = n.min(self.len() as usize);
        Ok(self.read_range(0, n)?.to_vec())
    }

    fn read_error(&self, source: io::Error) -> EvidenceError {
        EvidenceError::Read { path: self.display.clone().into(), source }
    }
}
