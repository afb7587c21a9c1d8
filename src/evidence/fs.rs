//! Opening evidence read-only without ever blocking, hashing it, and reading it at an offset.
//!
//! Opening a FIFO for reading blocks until a writer appears, and a device may never end. So every
//! file is opened with `O_NONBLOCK` (which changes nothing for a regular file) and checked with
//! `fstat` on the open handle, which also closes the race between a directory listing and the open.
//! Reads are positional (`pread`), so several workers can read one archive through one handle.

use std::cell::RefCell;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// Bytes hashed per read. A buffer of this size is kept per worker thread; smaller files use less.
const HASH_CHUNK: usize = 1 << 20;

/// Why a path could not be opened as evidence.
#[derive(Debug)]
pub enum OpenError {
    Io(io::Error),
    /// Not a regular file: a FIFO, socket or device (the name of the kind).
    Special(&'static str),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Io(e) => write!(f, "cannot read: {e}"),
            OpenError::Special(kind) => write!(f, "not a regular file ({kind}): not read"),
        }
    }
}

/// What identifies the version of a file that was hashed: a file that changes afterwards is noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl Stamp {
    pub fn of(meta: &Metadata) -> Self {
        Stamp { len: meta.len(), modified: meta.modified().ok() }
    }
}

/// Open a regular file read-only. Never blocks on a FIFO and never reads a device.
pub fn open_regular(path: &Path) -> Result<(File, Stamp), OpenError> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(OpenError::Io)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if !meta.is_file() {
        return Err(OpenError::Special(special_kind(&meta.file_type())));
    }
    Ok((file, Stamp::of(&meta)))
}

/// A name for a file type that is neither a regular file nor a directory.
pub fn special_kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
    }
    if ft.is_dir() {
        return "a directory";
    }
    "a special file"
}

thread_local! {
    static HASH_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// SHA-256 and length of an open file, read sequentially from its start (no map, so hashing a large
/// file does not grow the resident set). The buffer is sized to the file, at most [`HASH_CHUNK`].
pub fn sha256_file(file: &File, len_hint: u64) -> io::Result<(String, u64)> {
    HASH_BUF.with_borrow_mut(|buf| {
        let want = (len_hint as usize).clamp(4096, HASH_CHUNK);
        if buf.len() < want {
            buf.resize(want, 0);
        }
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        let mut reader = file;
        loop {
            let n = match reader.read(&mut buf[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            total += n as u64;
            hasher.update(&buf[..n]);
        }
        Ok((hex(&hasher.finalize()), total))
    })
}

pub fn sha256_bytes(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

pub fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Read up to `buf.len()` bytes at `offset`; fewer only at the end of the file.
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match pread(file, &mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(unix)]
fn pread(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn pread(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// A `Read` over `[pos, end)` of a file, by positional reads (the handle's own position is unused).
pub struct At<'f> {
    file: &'f File,
    pos: u64,
    end: u64,
}

impl<'f> At<'f> {
    pub fn new(file: &'f File, pos: u64, end: u64) -> Self {
        At { file, pos, end }
    }
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let n = (buf.len() as u64).min(left) as usize;
        if n == 0 {
            return Ok(0);
        }
        let got = pread(self.file, &mut buf[..n], self.pos)?;
        self.pos += got as u64;
        Ok(got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_reads_at_offsets() {
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, b"abc").unwrap();
        let f2 = f.try_clone().unwrap();
        std::io::Seek::rewind(&mut f).unwrap();
        assert_eq!(sha256_file(&f, 3).unwrap(), ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string(), 3));
        let mut buf = [0u8; 8];
        assert_eq!(read_at(&f2, &mut buf, 1).unwrap(), 2);
        assert_eq!(&buf[..2], b"bc");
        let mut s = String::new();
        At::new(&f2, 1, 2).read_to_string(&mut s).unwrap();
        assert_eq!(s, "b");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&p).status().unwrap().success());
        match open_regular(&p) {
            Err(OpenError::Special(kind)) => assert_eq!(kind, "a FIFO"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
