//! Synthetic Entra ID sign-in evidence: Microsoft Graph **beta** `auditLogs/signIns` pages as a
//! paging script saves them, and the Entra portal CSV download of the same sign-ins.
//!
//! Behind the `generate` feature (enabled for this crate's own tests, benches and examples through
//! its dev-dependency on itself): used by `examples/generate.rs` (the command-line tool),
//! `benches/ingest.rs` (which generates its data set into a temporary directory at startup), and any
//! caller that wants sign-ins on the fly ([`Generator::event`], [`generate`]). Split by job: this
//! file holds the configuration, the file layout and the random streams; [`vocab`] the names,
//! places, apps and statuses drawn from; [`signin`] one sign-in and its JSON record and CSV row;
//! [`text`] the field writers and escapes.
//!
//! Everything is a pure function of `(seed, index)`: sign-in *i* is built from its own splitmix64
//! stream, so any record can be regenerated alone and nothing is held in memory but the record
//! being written. Sign-ins run newest first across pages (Graph's default `createdDateTime desc`),
//! spread evenly over `days` days ending at [`END`]. Record shape: ~74 top-level fields in Graph's
//! order (scalars, then complex properties), field list and value shapes from
//! `shared/research/formats.md` §1–2 and the Graph beta documentation example; about 3.3 KB of
//! compact JSON per record. Names and cities are written as raw UTF-8 (as `az rest`, `jq` and
//! PowerShell 7 save them); the non-breaking space in `additionalDetails` is escaped `\u00a0` as in
//! Graph's own example; some user agents and `Oauth Scope Info` values contain escaped `\"`.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

mod signin;
mod text;
mod vocab;

pub use signin::{Event, Generator};
use text::*;

/// Records per Graph page (Graph's default and maximum `$top`).
pub const PAGE_SIZE: usize = 1000;
/// Distinct client IP addresses the sign-ins come from.
pub const IP_POOL: u64 = 23_000;
/// Newest possible sign-in: 2026-04-29T00:00:00Z, in 100 ns ticks since the Unix epoch.
pub const END: i64 = days_from_civil(2026, 4, 29) * 86_400 * TICKS;
const TICKS: i64 = 10_000_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub users: u64,
    pub sign_ins: u64,
    pub page_size: usize,
    pub days: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config { seed: 42, users: 5000, sign_ins: 100_000, page_size: PAGE_SIZE, days: 30 }
    }
}

/// How the Graph pages are laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One page per file: `page-000001.json`, `page-000002.json`... (`--out` is a directory).
    Files,
    /// Every page appended to one file, one compact page per line (`az rest ... >> f`; `--out` is the file).
    Lines,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub records: u64,
    pub pages: u64,
    pub interactive: u64,
    pub json_bytes: u64,
    pub csv_rows: u64,
    pub csv_bytes: u64,
    /// Graph page files (one per page, or the single `lines` file).
    pub json_files: Vec<PathBuf>,
    pub csv_files: Vec<PathBuf>,
}

/// Write the Graph pages (and, with `csv_dir`, the portal CSV files) for `cfg`.
///
/// `csv_dir` receives `InteractiveSignIns_<first>_<last>.csv` and `NonInteractiveSignIns_<first>_<last>.csv`
/// (the portal's two user sign-in tabs; same 57-column header) holding the same sign-ins as the pages.
pub fn generate(cfg: &Config, layout: Layout, out: &Path, csv_dir: Option<&Path>) -> io::Result<Summary> {
    if cfg.page_size == 0 || cfg.users == 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "page size and user count must be at least 1"));
    }
    let g = Generator::new(cfg);
    let mut sum = Summary::default();
    let mut csv = match csv_dir {
        Some(dir) => Some(CsvOut::create(dir, &g, cfg.sign_ins)?),
        None => None,
    };
    let mut lines_out = match layout {
        Layout::Files => {
            fs::create_dir_all(out)?;
            remove_stale_pages(out)?;
            None
        }
        Layout::Lines => {
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                fs::create_dir_all(parent)?;
            }
            sum.json_files.push(out.to_path_buf());
            Some(Counting::new(BufWriter::with_capacity(1 << 20, File::create(out)?)))
        }
    };
    let pages = cfg.sign_ins.div_ceil(cfg.page_size as u64).max(1);
    let mut rec = Vec::with_capacity(8 << 10);
    let mut row = Vec::with_capacity(2 << 10);
    for p in 0..pages {
        let mut file_out = match layout {
            Layout::Files => {
                let path = out.join(format!("page-{:06}.json", p + 1));
                sum.json_files.push(path.clone());
                Some(Counting::new(BufWriter::with_capacity(1 << 20, File::create(path)?)))
            }
            Layout::Lines => None,
        };
        let w: &mut Counting<BufWriter<File>> = match (&mut file_out, &mut lines_out) {
            (Some(w), _) | (None, Some(w)) => w,
            (None, None) => unreachable!("one of the two outputs is open"),
        };
        w.write_all(b"{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\",\"value\":[")?;
        let first = p * cfg.page_size as u64;
        let last = (first + cfg.page_size as u64).min(cfg.sign_ins);
        for i in first..last {
            let ev = g.event(i);
            rec.clear();
            if i > first {
                rec.push(b',');
            }
            g.write_json(&ev, &mut rec);
            w.write_all(&rec)?;
            sum.records += 1;
            if ev.interactive {
                sum.interactive += 1;
            }
            if let Some(c) = csv.as_mut() {
                row.clear();
                g.write_csv(&ev, &mut row);
                c.write_row(ev.interactive, &row)?;
            }
        }
        w.write_all(b"]")?;
        if p + 1 < pages {
            // Opaque continuation token, shaped like Graph's (`<32 hex>_<n>`).
            let token = mix(cfg.seed ^ 0x5eed, p) as u128 | ((mix(cfg.seed ^ 0x70ce, p) as u128) << 64);
            write!(w, ",\"@odata.nextLink\":\"https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken={token:032x}_{}\"", p + 1)?;
        }
        w.write_all(b"}")?;
        if layout == Layout::Lines {
            w.write_all(b"\n")?;
        }
        sum.pages += 1;
        if let Some(mut w) = file_out {
            w.flush()?;
            sum.json_bytes += w.count;
        }
    }
    if let Some(mut w) = lines_out {
        w.flush()?;
        sum.json_bytes += w.count;
    }
    if let Some(c) = csv {
        c.finish(&mut sum)?;
    }
    Ok(sum)
}

/// Delete `page-NNNNNN.json` files left by an earlier, larger run (nothing else is touched).
pub(super) fn remove_stale_pages(dir: &Path) -> io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        let stem = name.strip_prefix("page-").and_then(|n| n.strip_suffix(".json"));
        if stem.is_some_and(|s| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())) {
            fs::remove_file(e.path())?;
        }
    }
    Ok(())
}

/// A writer that counts the bytes written through it.
pub(super) struct Counting<W> {
    inner: W,
    count: u64,
}

impl<W: Write> Counting<W> {
    fn new(inner: W) -> Self {
        Counting { inner, count: 0 }
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The two portal CSV downloads (interactive and non-interactive tabs).
pub(super) struct CsvOut {
    files: [(PathBuf, Counting<BufWriter<File>>); 2],
    rows: u64,
}

/// The Entra admin center "Download CSV" header as of 2025-01…2026-04 (57 columns; formats.md §6.1).
pub const PORTAL_HEADER: &str = "\"Date (UTC)\",\"Request ID\",\"User agent\",\"Correlation ID\",\"User ID\",\"User\",\"Username\",\"User type\",\"Cross tenant access type\",\"Incoming token type\",\"Authentication Protocol\",\"Unique token identifier\",\"Original transfer method\",\"Client credential type\",\"Token Protection - Sign In Session\",\"Token Protection - Sign In Session StatusCode\",\"Application\",\"Application ID \",\"App owner tenant ID\",\"Resource\",\"Resource ID \",\"Resource tenant ID\",\"Resource owner tenant ID\",\"Home tenant ID\",\"Home tenant name\",\"IP address\",\"Location\",\"Status\",\"Sign-in error code\",\"Failure reason\",\"Client app\",\"Device ID\",\"Browser\",\"Operating System\",\"Compliant\",\"Managed\",\"Join Type\",\"Multifactor authentication result\",\"Multifactor authentication auth method\",\"Multifactor authentication auth detail\",\"Authentication requirement\",\"Sign-in identifier\",\"Session ID\",\"IP address (seen by resource)\",\"Through Global Secure Access\",\"Global Secure Access IP address\",\"Autonomous system  number\",\"Flagged for review\",\"Token issuer type\",\"Incoming token type\",\"Token issuer name\",\"Latency\",\"Conditional Access\",\"Managed Identity type\",\"Associated Resource Id\",\"Federated Token Id\",\"Federated Token Issuer\"";

impl CsvOut {
    fn create(dir: &Path, g: &Generator, n: u64) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        // File names carry the covered dates, oldest first (yyyy-mm-dd), as the portal names them.
        let newest = date(g.time(0));
        let oldest = date(g.time(n.saturating_sub(1)));
        let open = |prefix: &str| -> io::Result<(PathBuf, Counting<BufWriter<File>>)> {
            let path = dir.join(format!("{prefix}_{oldest}_{newest}.csv"));
            let mut w = Counting::new(BufWriter::with_capacity(1 << 20, File::create(&path)?));
            // UTF-8 byte-order mark (Excel-friendly download; formats.md §6.1 calls it plausible).
            w.write_all(b"\xEF\xBB\xBF")?;
            w.write_all(PORTAL_HEADER.as_bytes())?;
            w.write_all(b"\r\n")?;
            Ok((path, w))
        };
        Ok(CsvOut { files: [open("InteractiveSignIns")?, open("NonInteractiveSignIns")?], rows: 0 })
    }

    fn write_row(&mut self, interactive: bool, row: &[u8]) -> io::Result<()> {
        let (_, w) = &mut self.files[usize::from(!interactive)];
        w.write_all(row)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(self, sum: &mut Summary) -> io::Result<()> {
        sum.csv_rows = self.rows;
        for (path, mut w) in self.files {
            w.flush()?;
            sum.csv_bytes += w.count;
            sum.csv_files.push(path);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast, good enough for synthetic data, and seekable (one stream per record).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    pub fn guid(&mut self) -> [u8; 16] {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        let mut g = [0u8; 16];
        g[..8].copy_from_slice(&a);
        g[8..].copy_from_slice(&b);
        g[6] = (g[6] & 0x0f) | 0x40; // version 4
        g[8] = (g[8] & 0x3f) | 0x80; // RFC 4122 variant
        g
    }

    /// A version-4 GUID as text, drawn from two words: the high bits of the first make the first
    /// three groups, the second the variant group and the node.
    pub fn guid_text(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// A hash of two words (one draw of a stream seeded by both).
pub fn mix(a: u64, b: u64) -> u64 {
    Rng::new(a ^ b.wrapping_mul(0xD6E8_FEB8_6659_FD93)).next_u64()
}

/// Pick by weight (weights in any unit; `r` uniform).
pub(super) fn weighted<T: Copy>(rng: &mut Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|t| t.1).sum();
    let mut x = rng.below(u64::from(total)) as u32;
    for &(v, w) in table {
        if x < w {
            return v;
        }
        x -= w;
    }
    table[table.len() - 1].0
}
