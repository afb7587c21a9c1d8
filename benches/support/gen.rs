//! Synthetic Entra ID sign-in evidence: Microsoft Graph **beta** `auditLogs/signIns` pages as a
//! paging script saves them, and the Entra portal CSV download of the same sign-ins.
//!
//! The one copy of the generator core, used by `examples/generate.rs` (the command-line tool) and
//! `benches/ingest.rs` (which generates its data set into a temporary directory at startup); both
//! include this file with `#[path]`.
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
fn remove_stale_pages(dir: &Path) -> io::Result<()> {
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
struct Counting<W> {
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
struct CsvOut {
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
}

/// A hash of two words (one draw of a stream seeded by both).
pub fn mix(a: u64, b: u64) -> u64 {
    Rng::new(a ^ b.wrapping_mul(0xD6E8_FEB8_6659_FD93)).next_u64()
}

/// Pick by weight (weights in any unit; `r` uniform).
fn weighted<T: Copy>(rng: &mut Rng, table: &[(T, u32)]) -> T {
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

// ---------------------------------------------------------------------------------------------
// Vocabulary

const FIRST_NAMES: &[&str] = &[
    "Zoë",
    "José",
    "François",
    "Jürgen",
    "Søren",
    "Łukasz",
    "Chloé",
    "Björn",
    "Inès",
    "Mateus",
    "Ana",
    "Oliver",
    "Emma",
    "Liam",
    "Noah",
    "Mia",
    "Sofía",
    "Aurélie",
    "Jiří",
    "Ingrid",
    "Kenji",
    "Priya",
    "Fatima",
    "Olga",
    "Sean",
    "Grace",
    "Lucas",
    "Hannah",
    "Mei",
    "Ahmed",
];
const LAST_NAMES: &[&str] = &[
    "Müller",
    "García",
    "Østergaard",
    "Nowak",
    "Silva",
    "Smith",
    "Johnson",
    "Dubois",
    "Kowalski",
    "Ólafsson",
    "Martín",
    "O'Brien",
    "Novák",
    "Jensen",
    "Costa",
    "Peña",
    "Brown",
    "Yamamoto",
    "Sharma",
    "Haddad",
    "Ivanova",
    "Nguyen",
    "Schäfer",
    "Lefèvre",
];

/// (city, state, country, latitude, longitude), as Graph's geolocation renders them.
const CITIES: &[(&str, &str, &str, &str, &str)] = &[
    ("Zürich", "Zurich", "CH", "47.3769", "8.5417"),
    ("São Paulo", "Sao Paulo", "BR", "-23.5475", "-46.6361"),
    ("München", "Bayern", "DE", "48.1374", "11.5755"),
    ("Kraków", "Malopolskie", "PL", "50.0614", "19.9366"),
    ("Montréal", "Quebec", "CA", "45.5088", "-73.5878"),
    ("Malmö", "Skane Lan", "SE", "55.6059", "13.0007"),
    ("Reykjavík", "Hofudborgarsvaedi", "IS", "64.1355", "-21.8954"),
    ("Redmond", "Washington", "US", "47.6740", "-122.1215"),
    ("Seattle", "Washington", "US", "47.6062", "-122.3321"),
    ("New York", "New York", "US", "40.7128", "-74.0060"),
    ("Chicago", "Illinois", "US", "41.8500", "-87.6500"),
    ("London", "London, City of", "GB", "51.5085", "-0.1257"),
    ("Paris", "Paris", "FR", "48.8534", "2.3488"),
    ("Amsterdam", "Noord-Holland", "NL", "52.3740", "4.8897"),
    ("Dublin", "Dublin", "IE", "53.3331", "-6.2489"),
    ("Madrid", "Madrid", "ES", "40.4165", "-3.7026"),
    ("Lisboa", "Lisboa", "PT", "38.7167", "-9.1333"),
    ("Tokyo", "Tokyo", "JP", "35.6895", "139.6917"),
    ("Singapore", "Central Singapore", "SG", "1.2897", "103.8501"),
    ("Bengaluru", "Karnataka", "IN", "12.9719", "77.5937"),
    ("Sydney", "New South Wales", "AU", "-33.8678", "151.2073"),
    ("Toronto", "Ontario", "CA", "43.7001", "-79.4163"),
];

const ASNS: &[u32] = &[8075, 3320, 3215, 2856, 7922, 3598, 16509, 15169, 6830, 13335, 12322, 1136, 28573, 4766, 7545, 3303, 5089, 9498];
const V4_FIRST_OCTETS: &[u8] = &[
    20, 23, 31, 37, 40, 45, 51, 52, 62, 77, 78, 80, 81, 82, 85, 86, 88, 89, 90, 91, 92, 93, 94, 95, 98, 104, 107, 109, 130, 131, 141, 145,
    151, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217,
];

#[derive(Clone, Copy)]
struct App {
    name: &'static str,
    id: &'static str,
}

const APPS_INTERACTIVE: &[(App, u32)] = &[
    (App { name: "OfficeHome", id: "4765445b-32c6-49b0-83e6-1d93765276ca" }, 20),
    (App { name: "Microsoft Teams", id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264" }, 18),
    (App { name: "One Outlook Web", id: "9199bf20-a13f-4107-85dc-02114787ef48" }, 14),
    (App { name: "Microsoft Office", id: "d3590ed6-52b3-4102-aeff-aad2292ab01c" }, 14),
    (App { name: "Azure Portal", id: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c" }, 6),
    (App { name: "Microsoft Authentication Broker", id: "29d9ed98-a469-4536-ade2-f981bc1d605e" }, 10),
    (App { name: "Microsoft Azure CLI", id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" }, 3),
    (App { name: "Microsoft Edge", id: "ecd6b820-32c2-49b6-98a6-444530e5a77a" }, 8),
    (App { name: "Outlook Mobile", id: "27922004-5251-4030-b22d-91ecd9a37ea4" }, 7),
];
const APPS_NON_INTERACTIVE: &[(App, u32)] = &[
    (App { name: "Microsoft Teams", id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264" }, 25),
    (App { name: "Microsoft Office", id: "d3590ed6-52b3-4102-aeff-aad2292ab01c" }, 20),
    (App { name: "Microsoft Authentication Broker", id: "29d9ed98-a469-4536-ade2-f981bc1d605e" }, 18),
    (App { name: "Outlook Mobile", id: "27922004-5251-4030-b22d-91ecd9a37ea4" }, 12),
    (App { name: "Microsoft Edge", id: "ecd6b820-32c2-49b6-98a6-444530e5a77a" }, 10),
    (App { name: "OneDrive SyncEngine", id: "ab9b8c07-8f02-4f72-87fa-80105867a763" }, 15),
];
const RESOURCES: &[(App, u32)] = &[
    (App { name: "Microsoft Graph", id: "00000003-0000-0000-c000-000000000000" }, 30),
    (App { name: "Office 365 Exchange Online", id: "00000002-0000-0ff1-ce00-000000000000" }, 25),
    (App { name: "Office 365 SharePoint Online", id: "00000003-0000-0ff1-ce00-000000000000" }, 20),
    (App { name: "Microsoft Teams Services", id: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe" }, 12),
    (App { name: "Windows Azure Active Directory", id: "00000002-0000-0000-c000-000000000000" }, 8),
    (App { name: "Windows Azure Service Management API", id: "797f4846-ba00-4fd7-ba43-dac1f8f63013" }, 5),
];

/// A client: user agent (raw text), OS and browser as Graph derives them, client app, whether it
/// signs in interactively, non-interactively, or both.
#[derive(Clone, Copy)]
struct Client {
    ua: &'static str,
    os: &'static str,
    browser: &'static str,
    client_app: &'static str,
    library: &'static str,
}

const BROWSER: &str = "Browser";
const MOBILE: &str = "Mobile Apps and Desktop clients";

const CLIENTS_INTERACTIVE: &[(Client, u32)] = &[
    (
        Client {
            ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
            os: "Windows10",
            browser: "Edge 124.0.2478",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        30,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            os: "Windows10",
            browser: "Chrome 124.0.0",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        22,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
            os: "MacOs",
            browser: "Safari 17.4.1",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        12,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            os: "Linux",
            browser: "Firefox 125.0",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        5,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
            os: "Ios",
            browser: "Mobile Safari 17.4.1",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        10,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.22631; de-CH) PowerShell/7.4.2 \"Invoke-MgGraphRequest\" Microsoft.Graph/2.19.0",
            os: "Windows10",
            browser: "Rich Client 4.60.3.0",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.NET 4.60.3.0 Platform: .NET",
        },
        4,
    ),
    (
        Client {
            ua: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)",
            os: "Windows10",
            browser: "Rich Client 16.0.17531",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.cpp 1.1.0 Platform: Windows",
        },
        12,
    ),
    (
        Client {
            ua: "Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007) \"Company Portal\" PKeyAuth/1.0",
            os: "Android",
            browser: "Rich Client 5.0.6189",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.Android 5.2.0 Platform: Android",
        },
        5,
    ),
];
const CLIENTS_NON_INTERACTIVE: &[(Client, u32)] = &[
    (
        Client {
            ua: "Windows-AzureAD-Authentication-Provider/1.0",
            os: "Windows10",
            browser: "",
            client_app: MOBILE,
            library: "Family: Unknown Library: Unknown Platform: Unknown",
        },
        20,
    ),
    (
        Client {
            ua: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)",
            os: "Windows10",
            browser: "Rich Client 16.0.17531",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.cpp 1.1.0 Platform: Windows",
        },
        25,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
            os: "Windows10",
            browser: "Edge 124.0.2478",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        20,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 \"Microsoft Teams\"/6.9.1",
            os: "Ios",
            browser: "Rich Client 6.9.1",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.iOS 1.3.2 Platform: iOS",
        },
        15,
    ),
    (
        Client {
            ua: "Microsoft SkyDriveSync 24.076.0414.0003 ship; Windows NT 10.0 (22631)",
            os: "Windows10",
            browser: "Rich Client 24.076.0414",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.cpp 1.1.0 Platform: Windows",
        },
        20,
    ),
];

/// A sign-in status: code, failure reason, additional details (JSON-escaped text, `None` = null),
/// how the portal shows it.
#[derive(Clone, Copy)]
struct Status {
    code: u32,
    reason: &'static str,
    details: Option<&'static str>,
    portal: &'static str,
}

const OK: Status = Status { code: 0, reason: "Other.", details: None, portal: "Success" };
const OK_MFA_CLAIM: Status =
    Status { code: 0, reason: "Other.", details: Some("MFA requirement satisfied by claim in the token"), portal: "Success" };
const E50126: Status = Status {
    code: 50126,
    reason: "Error validating credentials due to invalid username or password.",
    details: Some(
        "The user didn't enter the right credentials. \\u00a0It's expected to see some number of these errors in your logs due to users making mistakes.",
    ),
    portal: "Failure",
};
const E50074: Status = Status {
    code: 50074,
    reason: "Strong Authentication is required.",
    details: Some(
        "The user is required to perform MFA. This is an expected interrupt that shows up when a user signs in and is asked to complete MFA.",
    ),
    portal: "Interrupted",
};
const E500121: Status = Status {
    code: 500121,
    reason: "Authentication failed during strong authentication request.",
    details: Some(
        "The user didn't complete the MFA prompt. They may have decided not to authenticate, timed out while doing other work, or has an issue with their authentication setup.",
    ),
    portal: "Failure",
};
const E50140: Status = Status {
    code: 50140,
    reason: "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.",
    details: Some(
        "This is an expected part of the sign in flow, where a user is asked if they want to remain signed into their current browser to make further logins easier.",
    ),
    portal: "Interrupted",
};
const E50053: Status = Status {
    code: 50053,
    reason: "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
    details: Some("The account is locked due to repeated sign-in attempts with an incorrect password (Smart Lockout)."),
    portal: "Failure",
};
const E53003: Status = Status {
    code: 53003,
    reason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
    details: Some(
        "The sign-in was blocked by a Conditional Access policy. Review the policy details to see which conditions were not satisfied.",
    ),
    portal: "Failure",
};
const E50058: Status = Status {
    code: 50058,
    reason: "Session information is not sufficient for single-sign-on.",
    details: Some(
        "This means that a user is not signed in. This is a common error that's expected when a user is unauthenticated and has not yet signed in.",
    ),
    portal: "Interrupted",
};
const E65001: Status = Status {
    code: 65001,
    reason: "The user or administrator has not consented to use the application.",
    details: None,
    portal: "Interrupted",
};
const E70044: Status = Status {
    code: 70044,
    reason: "The session has expired or is invalid due to sign-in frequency checks by conditional access.",
    details: Some("The user's session has expired because of a sign-in frequency policy. The user must sign in again."),
    portal: "Failure",
};
const E700082: Status = Status {
    code: 700082,
    reason: "The refresh token has expired due to inactivity.",
    details: Some("The token was issued long ago and was not used for the configured inactivity period; a fresh sign-in is required."),
    portal: "Failure",
};
const E50173: Status = Status {
    code: 50173,
    reason: "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
    details: Some("Either the user changed their password or an administrator revoked the user's sessions."),
    portal: "Failure",
};

const STATUS_INTERACTIVE: &[(Status, u32)] = &[
    (OK, 720),
    (OK_MFA_CLAIM, 100),
    (E50126, 45),
    (E50074, 50),
    (E500121, 15),
    (E50140, 35),
    (E50053, 5),
    (E53003, 8),
    (E50058, 13),
    (E65001, 4),
];
const STATUS_NON_INTERACTIVE: &[(Status, u32)] =
    &[(OK, 700), (OK_MFA_CLAIM, 240), (E70044, 10), (E50173, 10), (E700082, 12), (E50058, 15), (E53003, 5), (E50074, 8)];

const POLICY_NAMES: &[&str] = &[
    "Require MFA for all users",
    "Block legacy authentication",
    "Require compliant or hybrid joined device for admins",
    "Sign-in frequency – unmanaged devices",
    "Block access from untrusted countries",
    "Require MFA for Azure management",
    "Report-only: Require phishing-resistant MFA",
    "Require terms of use – Guests",
];

const MFA_METHODS: &[(&str, &str)] = &[
    ("Mobile app notification", ""),
    ("Authenticator App", ""),
    ("Text message", "+X XXXXXXXX42"),
    ("OATH verification code", ""),
    ("FIDO2 security key", ""),
];

// ---------------------------------------------------------------------------------------------
// One sign-in

/// A sign-in before rendering: everything the JSON record and the CSV row are written from.
pub struct Event {
    pub interactive: bool,
    /// 100 ns ticks since the Unix epoch.
    pub time: i64,
    id: [u8; 16],
    correlation: [u8; 16],
    session: [u8; 16],
    token: [u8; 16],
    user: u64,
    guest: bool,
    app: App,
    resource: App,
    client: Client,
    ip: u64,
    status: Status,
    mfa: Option<(&'static str, &'static str)>,
    ca_status: &'static str,
    policies: [(u8, u8); 4],
    n_policies: usize,
    device: bool,
    compliant: bool,
    latency: u32,
    auth_age_secs: i64,
    named_network: bool,
    kmsi: bool,
    /// A non-interactive sign-in lists its (previously satisfied) authentication step.
    steps: bool,
}

/// Per-run constants and the sign-in factory.
pub struct Generator {
    cfg: Config,
    tenant: [u8; 16],
    guest_tenant: [u8; 16],
    policy_ids: Vec<[u8; 16]>,
}

impl Generator {
    pub fn new(cfg: &Config) -> Self {
        let mut r = Rng::new(mix(cfg.seed, u64::MAX));
        let tenant = r.guid();
        let guest_tenant = r.guid();
        let policy_ids = POLICY_NAMES.iter().map(|_| r.guid()).collect();
        Generator { cfg: cfg.clone(), tenant, guest_tenant, policy_ids }
    }

    /// Time of sign-in `i`: evenly spread, newest first, jittered inside its own slot so the order
    /// stays strictly newest-to-oldest across pages.
    pub fn time(&self, i: u64) -> i64 {
        let span = i128::from(self.cfg.days.max(1)) * 86_400 * i128::from(TICKS);
        let n = i128::from(self.cfg.sign_ins.max(1));
        let slot = (span / n).max(1) as i64;
        let base = END - (i128::from(i) * span / n) as i64;
        let jitter = (mix(self.cfg.seed ^ 0x7133, i) % slot as u64) as i64;
        // 100 ns precision like Graph (trailing zeros are dropped when written).
        base - 1 - jitter
    }

    pub fn event(&self, index: u64) -> Event {
        let seed = self.cfg.seed;
        let mut r = Rng::new(mix(seed, index));
        // Few heavy users, many light ones: square a uniform draw.
        let u = r.below(1 << 20);
        let user = (((u * u) >> 20) * self.cfg.users) >> 20;
        let mut ur = Rng::new(mix(seed ^ 0x05e5, user));
        let guest = ur.chance(30);
        let home_city = ur.below(CITIES.len() as u64);
        let has_device = ur.chance(700);
        let interactive = r.chance(300);
        let (app, client) = if interactive {
            (weighted(&mut r, APPS_INTERACTIVE), weighted(&mut r, CLIENTS_INTERACTIVE))
        } else {
            (weighted(&mut r, APPS_NON_INTERACTIVE), weighted(&mut r, CLIENTS_NON_INTERACTIVE))
        };
        let resource = weighted(&mut r, RESOURCES);
        // 85% from one of the user's three home IPs (all in the home city), otherwise anywhere.
        let per_city = IP_POOL / CITIES.len() as u64;
        let ip = if r.chance(850) {
            home_city + CITIES.len() as u64 * (mix(seed ^ 0x1b, user * 3 + r.below(3)) % per_city)
        } else {
            r.below(IP_POOL)
        };
        let status = weighted(&mut r, if interactive { STATUS_INTERACTIVE } else { STATUS_NON_INTERACTIVE });
        let mfa = match status.code {
            0 if status.details.is_some() => Some(("Previously satisfied", "")),
            0 if interactive && r.chance(450) => Some(*r.pick(MFA_METHODS)),
            500121 => Some(*r.pick(MFA_METHODS)),
            _ => None,
        };
        let n_policies = weighted(&mut r, &[(1usize, 60), (2, 25), (3, 10), (4, 5)]);
        let mut policies = [(0u8, 0u8); 4];
        let first = r.below(POLICY_NAMES.len() as u64);
        for (k, p) in policies.iter_mut().enumerate().take(n_policies) {
            let id = ((first + k as u64) % POLICY_NAMES.len() as u64) as u8;
            let result = if status.code == 53003 && k == 0 {
                1
            } else if id == 6 {
                4 // report-only
            } else if r.chance(550) {
                0
            } else {
                2
            };
            *p = (id, result);
        }
        let ca_status = if status.code == 53003 {
            "failure"
        } else if policies[..n_policies].iter().any(|p| p.1 == 0) {
            "success"
        } else {
            "notApplied"
        };
        Event {
            interactive,
            time: self.time(index),
            id: r.guid(),
            correlation: r.guid(),
            session: ur.guid(),
            token: r.guid(),
            user,
            guest,
            app,
            resource,
            client,
            ip,
            status,
            mfa,
            ca_status,
            policies,
            n_policies,
            device: has_device && !matches!(client.os, "Linux"),
            compliant: has_device && ur.chance(850),
            latency: 40 + r.below(if interactive { 900 } else { 250 }) as u32,
            auth_age_secs: r.below(14 * 86_400) as i64,
            named_network: r.chance(300),
            kmsi: r.chance(200),
            steps: r.chance(600),
        }
    }

    fn user_name(&self, user: u64) -> (&'static str, &'static str) {
        let h = mix(self.cfg.seed ^ 0x4a3e, user);
        (FIRST_NAMES[(h % FIRST_NAMES.len() as u64) as usize], LAST_NAMES[((h >> 32) % LAST_NAMES.len() as u64) as usize])
    }

    fn user_guid(&self, user: u64) -> [u8; 16] {
        Rng::new(mix(self.cfg.seed ^ 0x0b1d, user)).guid()
    }

    fn device_guid(&self, user: u64) -> [u8; 16] {
        Rng::new(mix(self.cfg.seed ^ 0xde71, user)).guid()
    }

    fn upn(&self, b: &mut Vec<u8>, ev: &Event) {
        b.extend_from_slice(b"user");
        push_u64(b, ev.user);
        b.extend_from_slice(if ev.guest { b"@fabrikam.example" } else { b"@contoso.example" });
    }

    /// One Graph beta signIn object, compact, Graph's field order.
    pub fn write_json(&self, ev: &Event, b: &mut Vec<u8>) {
        let (first, last) = self.user_name(ev.user);
        let home_tenant = if ev.guest { self.guest_tenant } else { self.tenant };
        let city = CITIES[(ev.ip % CITIES.len() as u64) as usize];
        let mfa_required = ev.mfa.is_some() || matches!(ev.status.code, 50074 | 500121);

        b.extend_from_slice(b"{\"id\":");
        q_guid(b, &ev.id);
        b.extend_from_slice(b",\"createdDateTime\":\"");
        push_time(b, ev.time, true);
        b.extend_from_slice(b"\",\"userDisplayName\":\"");
        esc(b, first);
        b.push(b' ');
        esc(b, last);
        b.extend_from_slice(b"\",\"userPrincipalName\":\"");
        self.upn(b, ev);
        b.extend_from_slice(b"\",\"userId\":");
        q_guid(b, &self.user_guid(ev.user));
        b.extend_from_slice(b",\"appId\":\"");
        b.extend_from_slice(ev.app.id.as_bytes());
        b.extend_from_slice(b"\",\"appDisplayName\":\"");
        esc(b, ev.app.name);
        b.extend_from_slice(b"\",\"ipAddress\":\"");
        push_ip(b, self.cfg.seed, ev.ip);
        b.extend_from_slice(b"\",\"ipAddressFromResourceProvider\":null,\"clientAppUsed\":\"");
        b.extend_from_slice(ev.client.client_app.as_bytes());
        b.extend_from_slice(b"\",\"userAgent\":\"");
        esc(b, ev.client.ua);
        b.extend_from_slice(b"\",\"correlationId\":");
        q_guid(b, &ev.correlation);
        b.extend_from_slice(b",\"conditionalAccessStatus\":\"");
        b.extend_from_slice(ev.ca_status.as_bytes());
        b.extend_from_slice(b"\",\"originalRequestId\":");
        q_guid(b, &ev.id);
        b.extend_from_slice(if ev.interactive { b",\"isInteractive\":true" } else { b",\"isInteractive\":false" });
        b.extend_from_slice(b",\"tokenIssuerName\":\"\",\"tokenIssuerType\":\"AzureAD\",\"clientCredentialType\":\"none\",\"processingTimeInMilliseconds\":");
        push_u64(b, u64::from(ev.latency));
        b.extend_from_slice(b",\"riskDetail\":\"none\",\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\",\"riskEventTypes\":[],\"riskEventTypes_v2\":[],\"resourceDisplayName\":\"");
        esc(b, ev.resource.name);
        b.extend_from_slice(b"\",\"resourceId\":\"");
        b.extend_from_slice(ev.resource.id.as_bytes());
        b.extend_from_slice(b"\",\"resourceTenantId\":");
        q_guid(b, &self.tenant);
        b.extend_from_slice(b",\"homeTenantId\":");
        q_guid(b, &home_tenant);
        b.extend_from_slice(b",\"homeTenantName\":\"\",\"authenticationMethodsUsed\":[");
        if ev.interactive && !matches!(ev.status.code, 50058 | 65001) {
            b.extend_from_slice(b"\"Password\"");
            if let Some((m, _)) = ev.mfa.filter(|m| m.0 != "Previously satisfied") {
                b.extend_from_slice(b",\"");
                b.extend_from_slice(m.as_bytes());
                b.push(b'"');
            }
        }
        b.extend_from_slice(b"],\"authenticationRequirement\":\"");
        b.extend_from_slice(if mfa_required { b"multiFactorAuthentication" } else { b"singleFactorAuthentication" });
        b.extend_from_slice(b"\",\"signInIdentifier\":\"");
        if ev.interactive {
            self.upn(b, ev);
        }
        b.extend_from_slice(b"\",\"signInIdentifierType\":null,\"servicePrincipalName\":\"\",\"signInEventTypes\":[\"");
        b.extend_from_slice(if ev.interactive { b"interactiveUser" } else { b"nonInteractiveUser" });
        b.extend_from_slice(b"\"],\"servicePrincipalId\":\"\",\"userType\":\"");
        b.extend_from_slice(if ev.guest { b"guest" } else { b"member" });
        b.extend_from_slice(b"\",\"flaggedForReview\":false,\"isTenantRestricted\":false,\"autonomousSystemNumber\":");
        push_u64(b, u64::from(asn(self.cfg.seed, ev.ip)));
        b.extend_from_slice(b",\"crossTenantAccessType\":\"");
        b.extend_from_slice(if ev.guest { b"b2bCollaboration" } else { b"none" });
        b.extend_from_slice(b"\",\"uniqueTokenIdentifier\":\"");
        push_b64(b, &ev.token);
        b.extend_from_slice(b"\",\"incomingTokenType\":\"");
        b.extend_from_slice(incoming_token(ev).as_bytes());
        b.extend_from_slice(b"\",\"authenticationProtocol\":\"");
        b.extend_from_slice(if ev.interactive { b"oAuth2" } else { b"none" });
        b.extend_from_slice(b"\",\"signInTokenProtectionStatus\":\"");
        b.extend_from_slice(if ev.device { b"bound" } else { b"unbound" });
        b.extend_from_slice(b"\",\"originalTransferMethod\":\"none\",\"isThroughGlobalSecureAccess\":false,\"sessionId\":");
        q_guid(b, &ev.session);
        b.extend_from_slice(b",\"mfaDetail\":{\"authMethod\":");
        match ev.mfa {
            Some((m, d)) => {
                b.push(b'"');
                b.extend_from_slice(m.as_bytes());
                b.extend_from_slice(b"\",\"authDetail\":");
                if d.is_empty() {
                    b.extend_from_slice(b"null");
                } else {
                    b.push(b'"');
                    b.extend_from_slice(d.as_bytes());
                    b.push(b'"');
                }
            }
            None => b.extend_from_slice(b"null,\"authDetail\":null"),
        }
        b.extend_from_slice(b"},\"status\":{\"errorCode\":");
        push_u64(b, u64::from(ev.status.code));
        b.extend_from_slice(b",\"failureReason\":\"");
        b.extend_from_slice(ev.status.reason.as_bytes());
        b.extend_from_slice(b"\",\"additionalDetails\":");
        match ev.status.details {
            Some(d) => {
                b.push(b'"');
                b.extend_from_slice(d.as_bytes());
                b.push(b'"');
            }
            None => b.extend_from_slice(b"null"),
        }
        b.extend_from_slice(b"},\"deviceDetail\":{\"deviceId\":\"");
        if ev.device {
            push_guid(b, &self.device_guid(ev.user));
        }
        b.extend_from_slice(b"\",\"displayName\":\"");
        if ev.device {
            device_name(b, ev.user, ev.client.os);
        }
        b.extend_from_slice(b"\",\"operatingSystem\":\"");
        b.extend_from_slice(ev.client.os.as_bytes());
        b.extend_from_slice(b"\",\"browser\":\"");
        b.extend_from_slice(ev.client.browser.as_bytes());
        b.extend_from_slice(b"\",\"isCompliant\":");
        b.extend_from_slice(if ev.device && ev.compliant { b"true" } else { b"false" });
        b.extend_from_slice(b",\"isManaged\":");
        b.extend_from_slice(if ev.device { b"true" } else { b"false" });
        b.extend_from_slice(b",\"trustType\":\"");
        if ev.device {
            b.extend_from_slice(trust_type(ev.client.os).as_bytes());
        }
        b.extend_from_slice(b"\"},\"location\":{\"city\":\"");
        b.extend_from_slice(city.0.as_bytes());
        b.extend_from_slice(b"\",\"state\":\"");
        b.extend_from_slice(city.1.as_bytes());
        b.extend_from_slice(b"\",\"countryOrRegion\":\"");
        b.extend_from_slice(city.2.as_bytes());
        b.extend_from_slice(b"\",\"geoCoordinates\":{\"altitude\":null,\"latitude\":");
        b.extend_from_slice(city.3.as_bytes());
        b.extend_from_slice(b",\"longitude\":");
        b.extend_from_slice(city.4.as_bytes());
        b.extend_from_slice(b"}},\"appliedConditionalAccessPolicies\":[");
        for (k, &(p, result)) in ev.policies[..ev.n_policies].iter().enumerate() {
            if k > 0 {
                b.push(b',');
            }
            self.write_policy(b, p, result);
        }
        b.extend_from_slice(
            b"],\"authenticationContextClassReferences\":[],\"authenticationProcessingDetails\":[{\"key\":\"Is CAE Token\",\"value\":\"",
        );
        if ev.interactive {
            b.extend_from_slice(
                b"False\"},{\"key\":\"Oauth Scope Info\",\"value\":\"[\\\"email\\\",\\\"openid\\\",\\\"profile\\\",\\\"User.Read\\\"]",
            );
        } else {
            b.extend_from_slice(b"True\"},{\"key\":\"Azure AD App Authentication Library\",\"value\":\"");
            b.extend_from_slice(ev.client.library.as_bytes());
        }
        b.extend_from_slice(b"\"}],\"networkLocationDetails\":[");
        if ev.named_network {
            b.extend_from_slice(b"{\"networkType\":\"namedNetwork\",\"networkNames\":[\"");
            b.extend_from_slice(city.2.as_bytes());
            b.extend_from_slice(b" offices\"]}");
        }
        b.extend_from_slice(b"],\"authenticationDetails\":[");
        self.write_auth_details(b, ev);
        b.extend_from_slice(b"],\"authenticationRequirementPolicies\":[");
        if mfa_required {
            b.extend_from_slice(b"{\"requirementProvider\":\"multiConditionalAccess\",\"detail\":\"Conditional Access\"}");
        }
        b.extend_from_slice(b"],\"sessionLifetimePolicies\":[");
        if ev.kmsi {
            b.extend_from_slice(b"{\"expirationRequirement\":\"rememberMultifactorAuthenticationOnTrustedDevices\",\"detail\":\"Remember MFA on trusted devices\"}");
        } else if !ev.device && ev.interactive {
            b.extend_from_slice(b"{\"expirationRequirement\":\"signInFrequencyPeriodicReauthentication\",\"detail\":\"Sign-in frequency periodic reauthentication\"}");
        }
        b.extend_from_slice(b"]}");
    }

    fn write_policy(&self, b: &mut Vec<u8>, p: u8, result: u8) {
        const RESULTS: [&str; 5] = ["success", "failure", "notApplied", "notEnabled", "reportOnlySuccess"];
        let applied = result != 2;
        b.extend_from_slice(b"{\"id\":");
        q_guid(b, &self.policy_ids[p as usize]);
        b.extend_from_slice(b",\"displayName\":\"");
        esc(b, POLICY_NAMES[p as usize]);
        b.extend_from_slice(b"\",\"enforcedGrantControls\":[");
        if applied {
            b.extend_from_slice(match p {
                1 | 4 => b"\"Block\"".as_slice(),
                2 => b"\"RequireCompliantDevice\",\"RequireDomainJoinedDevice\"",
                7 => b"\"TermsOfUse\"",
                _ => b"\"Mfa\"",
            });
        }
        b.extend_from_slice(b"],\"enforcedSessionControls\":[");
        if applied && p == 3 {
            b.extend_from_slice(b"\"SignInFrequency\"");
        }
        b.extend_from_slice(b"],\"result\":\"");
        b.extend_from_slice(RESULTS[result as usize].as_bytes());
        b.extend_from_slice(b"\",\"conditionsSatisfied\":\"");
        b.extend_from_slice(if applied { b"application,users" } else { b"none" });
        b.extend_from_slice(b"\"}");
    }

    fn write_auth_details(&self, b: &mut Vec<u8>, ev: &Event) {
        let step = |b: &mut Vec<u8>, t: i64, method: &str, detail: Option<&str>, ok: bool, result: &str, requirement: &str| {
            b.extend_from_slice(b"{\"authenticationStepDateTime\":\"");
            push_time(b, t, false);
            b.extend_from_slice(b"\",\"authenticationMethod\":\"");
            b.extend_from_slice(method.as_bytes());
            b.extend_from_slice(b"\",\"authenticationMethodDetail\":");
            match detail {
                Some(d) => {
                    b.push(b'"');
                    b.extend_from_slice(d.as_bytes());
                    b.push(b'"');
                }
                None => b.extend_from_slice(b"null"),
            }
            b.extend_from_slice(if ok { b",\"succeeded\":true" } else { b",\"succeeded\":false" });
            b.extend_from_slice(b",\"authenticationStepResultDetail\":\"");
            b.extend_from_slice(result.as_bytes());
            b.extend_from_slice(b"\",\"authenticationStepRequirement\":\"");
            b.extend_from_slice(requirement.as_bytes());
            b.extend_from_slice(b"\"}");
        };
        let t = ev.time;
        let earlier = t - (ev.auth_age_secs * TICKS);
        if !ev.interactive {
            // Refresh-token redemptions often carry no step at all.
            if ev.steps {
                step(
                    b,
                    earlier,
                    "Previously satisfied",
                    None,
                    true,
                    "First factor requirement satisfied by claim in the token",
                    "Primary authentication",
                );
            }
            return;
        }
        match ev.status.code {
            50058 | 65001 => {}
            50126 | 50053 => step(
                b,
                t,
                "Password",
                Some("Password in the cloud"),
                false,
                "Invalid username or password or Invalid on-premise username or password.",
                "Primary authentication",
            ),
            _ => {
                step(b, t, "Password", Some("Password in the cloud"), true, "Correct password", "Primary authentication");
                match (ev.mfa, ev.status.code) {
                    (Some(("Previously satisfied", _)), _) => {
                        b.push(b',');
                        step(
                            b,
                            earlier,
                            "Previously satisfied",
                            None,
                            true,
                            "MFA requirement satisfied by claim in the token",
                            "Multi-factor authentication",
                        );
                    }
                    (Some((m, _)), 500121) => {
                        b.push(b',');
                        step(b, t, m, None, false, "Authentication in progress", "Multi-factor authentication");
                    }
                    (Some((m, _)), _) => {
                        b.push(b',');
                        step(b, t, m, None, true, "MFA successfully completed", "Multi-factor authentication");
                    }
                    (None, 50074) => {
                        b.push(b',');
                        step(b, t, "Mobile app notification", None, false, "MFA required in Azure AD", "Multi-factor authentication");
                    }
                    _ => {}
                }
            }
        }
    }

    /// One portal CSV row (57 quoted fields, CRLF), the same sign-in as [`Self::write_json`].
    pub fn write_csv(&self, ev: &Event, b: &mut Vec<u8>) {
        let (first, last) = self.user_name(ev.user);
        let home_tenant = if ev.guest { self.guest_tenant } else { self.tenant };
        let city = CITIES[(ev.ip % CITIES.len() as u64) as usize];
        let mfa_required = ev.mfa.is_some() || matches!(ev.status.code, 50074 | 500121);
        let mut f = Fields { b, first: true };
        f.with(|b| push_time_seconds(b, ev.time));
        f.with(|b| push_guid(b, &ev.id));
        f.text(ev.client.ua);
        f.with(|b| push_guid(b, &ev.correlation));
        f.with(|b| push_guid(b, &self.user_guid(ev.user)));
        f.with(|b| {
            b.extend_from_slice(first.as_bytes());
            b.push(b' ');
            csv_esc(b, last);
        });
        f.with(|b| self.upn(b, ev));
        f.text(if ev.guest { "Guest" } else { "Member" });
        f.text(if ev.guest { "b2bCollaboration" } else { "none" });
        f.text(incoming_token(ev));
        f.text(if ev.interactive { "oAuth2" } else { "none" });
        f.with(|b| push_b64(b, &ev.token));
        f.text("none");
        f.text("none");
        f.text(if ev.device { "bound" } else { "unbound" });
        f.text(if ev.device { "0" } else { "1002" });
        f.text(ev.app.name);
        f.text(ev.app.id);
        f.text(""); // App owner tenant ID: a newer column, left empty
        f.text(ev.resource.name);
        f.text(ev.resource.id);
        f.with(|b| push_guid(b, &self.tenant));
        f.text(""); // Resource owner tenant ID
        f.with(|b| push_guid(b, &home_tenant));
        f.text("");
        f.with(|b| push_ip(b, self.cfg.seed, ev.ip));
        f.with(|b| {
            b.extend_from_slice(city.0.as_bytes());
            b.extend_from_slice(b", ");
            b.extend_from_slice(city.1.as_bytes());
            b.extend_from_slice(b", ");
            b.extend_from_slice(city.2.as_bytes());
        });
        f.text(ev.status.portal);
        f.with(|b| push_u64(b, u64::from(ev.status.code)));
        f.text(if ev.status.code == 0 { "" } else { ev.status.reason });
        f.text(ev.client.client_app);
        f.with(|b| {
            if ev.device {
                push_guid(b, &self.device_guid(ev.user));
            }
        });
        f.text(ev.client.browser);
        f.text(ev.client.os);
        f.text(if ev.device && ev.compliant { "Yes" } else { "No" });
        f.text(if ev.device { "Yes" } else { "No" });
        f.text(if ev.device { trust_type(ev.client.os) } else { "" });
        let (mfa_result, mfa_method, mfa_detail) = match (ev.mfa, ev.status.code) {
            (Some(("Previously satisfied", _)), _) => ("MFA requirement satisfied by claim in the token", "Previously satisfied", ""),
            (Some((m, d)), 500121) => ("Authentication in progress", m, d),
            (Some((m, d)), _) => ("MFA successfully completed", m, d),
            (None, 50074) => ("MFA required in Azure AD", "", ""),
            _ => ("", "", ""),
        };
        f.text(mfa_result);
        f.text(mfa_method);
        f.text(mfa_detail);
        f.text(if mfa_required { "Multifactor authentication" } else { "Single-factor authentication" });
        f.with(|b| {
            if ev.interactive {
                self.upn(b, ev);
            }
        });
        f.with(|b| push_guid(b, &ev.session));
        f.text("");
        f.text("No");
        f.text("");
        f.with(|b| push_u64(b, u64::from(asn(self.cfg.seed, ev.ip))));
        f.text("No");
        f.text("AzureAD");
        f.text(incoming_token(ev));
        f.text("");
        f.with(|b| {
            push_u64(b, u64::from(ev.latency));
            b.extend_from_slice(b"ms");
        });
        f.text(match ev.ca_status {
            "success" => "Success",
            "failure" => "Failure",
            _ => "Not Applied",
        });
        for _ in 0..4 {
            f.text("");
        }
        f.b.extend_from_slice(b"\r\n");
    }
}

/// Writes quoted CSV fields separated by commas.
struct Fields<'a> {
    b: &'a mut Vec<u8>,
    first: bool,
}

impl Fields<'_> {
    fn open(&mut self) {
        if !self.first {
            self.b.push(b',');
        }
        self.first = false;
        self.b.push(b'"');
    }

    fn text(&mut self, s: &str) {
        self.open();
        csv_esc(self.b, s);
        self.b.push(b'"');
    }

    /// A field written by `f` (whose output must not contain `"`).
    fn with(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        self.open();
        f(self.b);
        self.b.push(b'"');
    }
}

fn incoming_token(ev: &Event) -> &'static str {
    match (ev.interactive, ev.device) {
        (true, _) => "none",
        (false, true) => "primaryRefreshToken",
        (false, false) => "refreshToken",
    }
}

fn trust_type(os: &str) -> &'static str {
    match os {
        "Windows10" => "Azure AD joined",
        _ => "Azure AD registered",
    }
}

fn device_name(b: &mut Vec<u8>, user: u64, os: &str) {
    let prefix: &[u8] = match os {
        "Windows10" => b"DESKTOP-",
        "MacOs" => b"MAC-",
        "Ios" => b"iPhone-",
        _ => b"DEVICE-",
    };
    b.extend_from_slice(prefix);
    let h = mix(0x00d3_71ce, user);
    for k in 0..7 {
        b.push(b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[((h >> (k * 6)) % 34) as usize]);
    }
}

fn asn(seed: u64, ip: u64) -> u32 {
    ASNS[(mix(seed ^ 0xa5, ip) % ASNS.len() as u64) as usize]
}

/// IP address number `k` of the pool: mostly public-looking IPv4, about 6% IPv6.
fn push_ip(b: &mut Vec<u8>, seed: u64, k: u64) {
    let h = mix(seed ^ 0x1b1b, k);
    if h % 100 < 6 {
        let words = [0x2a02u16, (h >> 8) as u16, (h >> 24) as u16 & 0x0fff, (h >> 40) as u16];
        for w in words {
            push_hex(b, u64::from(w));
            b.push(b':');
        }
        b.push(b':');
        push_hex(b, k & 0xffff);
    } else {
        let o1 = V4_FIRST_OCTETS[((h >> 8) % V4_FIRST_OCTETS.len() as u64) as usize];
        for (i, o) in [u64::from(o1), (h >> 16) & 0xff, (h >> 24) & 0xff, 1 + (h >> 32) % 254].into_iter().enumerate() {
            if i > 0 {
                b.push(b'.');
            }
            push_u64(b, o);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Formatting

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_guid(b: &mut Vec<u8>, g: &[u8; 16]) {
    for (i, x) in g.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            b.push(b'-');
        }
        b.push(HEX[(x >> 4) as usize]);
        b.push(HEX[(x & 15) as usize]);
    }
}

fn q_guid(b: &mut Vec<u8>, g: &[u8; 16]) {
    b.push(b'"');
    push_guid(b, g);
    b.push(b'"');
}

fn push_hex(b: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 16];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = HEX[(n & 15) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

fn push_u64(b: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

fn push_2(b: &mut Vec<u8>, n: i64) {
    b.push(b'0' + (n / 10) as u8);
    b.push(b'0' + (n % 10) as u8);
}

/// Base64 (standard alphabet, unpadded) of 16 bytes: 22 characters, like Graph's token identifiers.
fn push_b64(b: &mut Vec<u8>, g: &[u8; 16]) {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    for &x in g {
        bits = (bits << 8) | u32::from(x);
        n += 8;
        while n >= 6 {
            n -= 6;
            b.push(A[((bits >> n) & 63) as usize]);
        }
    }
    if n > 0 {
        b.push(A[((bits << (6 - n)) & 63) as usize]);
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn push_date(b: &mut Vec<u8>, days: i64) {
    let (y, m, d) = civil_from_days(days);
    push_u64(b, y as u64);
    b.push(b'-');
    push_2(b, m);
    b.push(b'-');
    push_2(b, d);
}

/// `yyyy-mm-dd` of a tick time.
fn date(ticks: i64) -> String {
    let mut b = Vec::new();
    push_date(&mut b, ticks.div_euclid(86_400 * TICKS));
    String::from_utf8_lossy(&b).into_owned()
}

/// `2026-04-28T23:59:57.1234567Z` (Graph: up to 7 fractional digits, trailing zeros dropped);
/// `fraction = false` writes whole seconds.
fn push_time(b: &mut Vec<u8>, ticks: i64, fraction: bool) {
    let days = ticks.div_euclid(86_400 * TICKS);
    let rest = ticks.rem_euclid(86_400 * TICKS);
    let secs = rest / TICKS;
    push_date(b, days);
    b.push(b'T');
    push_2(b, secs / 3600);
    b.push(b':');
    push_2(b, secs / 60 % 60);
    b.push(b':');
    push_2(b, secs % 60);
    let mut frac = rest % TICKS;
    if fraction && frac != 0 {
        b.push(b'.');
        let mut digits = 7;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        let mut tmp = [b'0'; 7];
        for i in (0..digits).rev() {
            tmp[i] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        b.extend_from_slice(&tmp[..digits]);
    }
    b.push(b'Z');
}

fn push_time_seconds(b: &mut Vec<u8>, ticks: i64) {
    push_time(b, ticks, false);
}

/// JSON string body: `"` and `\` escaped, control characters as `\u00XX`, the rest raw UTF-8.
fn esc(b: &mut Vec<u8>, s: &str) {
    for &c in s.as_bytes() {
        match c {
            b'"' => b.extend_from_slice(b"\\\""),
            b'\\' => b.extend_from_slice(b"\\\\"),
            0..=0x1f => {
                b.extend_from_slice(b"\\u00");
                b.push(HEX[(c >> 4) as usize]);
                b.push(HEX[(c & 15) as usize]);
            }
            _ => b.push(c),
        }
    }
}

/// CSV field body: `"` doubled (JSON escapes in the texts are turned back into characters).
fn csv_esc(b: &mut Vec<u8>, s: &str) {
    let s = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' => b.extend_from_slice(b"\"\""),
            b'\\' if s[i..].starts_with(b"\\u00a0") => {
                b.extend_from_slice("\u{a0}".as_bytes());
                i += 5;
            }
            c => b.push(c),
        }
        i += 1;
    }
}
