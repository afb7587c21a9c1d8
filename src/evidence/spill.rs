//! Where inflated and transcoded bytes go: memory while they are few, then an unlinked temporary
//! file that the parser reads through maps of the ranges it parses, like a plain evidence file.
//!
//! This is what bounds the memory of decompression: a 2 GiB zip member costs a 2 GiB temporary file
//! (removed by the OS when the handle closes, even after a crash), not 2 GiB of heap. Every byte is
//! hashed on the way in, and bytes beyond the limit are counted but not kept.

use std::fs::File;
use std::io::{self, Write};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::Payload;

/// Inflated bytes kept in memory before they move to a temporary file. Only the inputs being parsed
/// hold one (a few per worker thread), so this bounds the memory of small members without writing
/// a temporary file for each of 100,000 tiny `.gz` files.
pub const IN_MEMORY_BYTES: usize = 8 << 20;

/// Bytes being collected, with their SHA-256.
pub struct Spill {
    mem: Vec<u8>,
    file: Option<io::BufWriter<File>>,
    len: u64,
    limit: u64,
    over: bool,
    hasher: Sha256,
}

/// The collected bytes.
pub struct Spilled {
    pub payload: Payload,
    /// SHA-256 of the kept bytes.
    pub sha256: String,
    pub len: u64,
    /// More bytes were offered than the limit allowed: the payload is cut at the limit.
    pub over_limit: bool,
}

impl Spill {
    /// Keep at most `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Spill { mem: Vec::new(), file: None, len: 0, limit, over: false, hasher: Sha256::new() }
    }

    /// Append bytes. Returns `false` once the limit is reached (the rest of `b` was dropped), so the
    /// caller can stop producing.
    pub fn write(&mut self, b: &[u8]) -> io::Result<bool> {
        let room = self.limit - self.len;
        let keep = &b[..(b.len() as u64).min(room) as usize];
        if keep.len() < b.len() {
            self.over = true;
        }
        self.hasher.update(keep);
        self.len += keep.len() as u64;
        match &mut self.file {
            Some(f) => f.write_all(keep)?,
            None if self.mem.len() + keep.len() <= IN_MEMORY_BYTES => self.mem.extend_from_slice(keep),
            None => {
                let mut f = io::BufWriter::with_capacity(1 << 20, tempfile::tempfile()?);
                f.write_all(&self.mem)?;
                f.write_all(keep)?;
                self.mem = Vec::new();
                self.file = Some(f);
            }
        }
        Ok(!self.over)
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn finish(self) -> io::Result<Spilled> {
        let sha256 = super::fs::hex(&self.hasher.finalize());
        let payload = match self.file {
            Some(f) => {
                let file = f.into_inner().map_err(|e| e.into_error())?;
                Payload::File { file: Arc::new(file), skip: 0, len: self.len }
            }
            None => {
                let mut mem = self.mem;
                mem.shrink_to_fit();
                Payload::Memory(Arc::new(mem))
            }
        };
        Ok(Spilled { payload, sha256, len: self.len, over_limit: self.over })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_up_to_the_limit_and_moves_to_a_file_when_large() {
        let mut s = Spill::new(5);
        assert!(s.write(b"abc").unwrap());
        assert!(!s.write(b"defg").unwrap());
        let out = s.finish().unwrap();
        assert!(out.over_limit);
        assert_eq!(out.len, 5);
        assert_eq!(out.sha256, super::super::fs::sha256_bytes(b"abcde"));

        let mut s = Spill::new(u64::MAX);
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..(IN_MEMORY_BYTES >> 20) + 1 {
            s.write(&chunk).unwrap();
        }
        let out = s.finish().unwrap();
        assert!(matches!(out.payload, Payload::File { .. }));
        assert_eq!(out.len, IN_MEMORY_BYTES as u64 + (1 << 20));
    }
}
