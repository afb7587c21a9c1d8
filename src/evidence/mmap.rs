//! The crate's only `unsafe`: read-only memory maps of evidence files.

use std::fs::File;
use std::io;

use memmap2::{Mmap, MmapOptions};

/// Map `len` bytes of `file` starting at `offset` (any offset; alignment is handled here).
/// Returns the map and the index in it where `offset` starts.
pub fn map_range(file: &File, offset: u64, len: usize) -> io::Result<(Mmap, usize)> {
    let page = page_size();
    let aligned = offset - offset % page;
    let lead = (offset - aligned) as usize;
    #[allow(unsafe_code)]
    // SAFETY: the map is read-only (the file was opened read-only) and lives no longer than the parse of
    // this range. Evidence under legal hold is not expected to change while it is read; if another
    // process truncated it anyway, reads past the new end would fault, which is why inputs are
    // hashed and the hash reported: a changed file is visible in the report.
    let map = unsafe { MmapOptions::new().offset(aligned).len(len + lead).map(file)? };
    Ok((map, lead))
}

fn page_size() -> u64 {
    // 64 KiB is a multiple of every page size in use (4 KiB x86, 16/64 KiB arm64) and of Windows'
    // allocation granularity, so an offset aligned to it is always valid for mmap.
    65_536
}
