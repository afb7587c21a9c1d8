//! The enrichment inputs named on the command line (`--geoip-db`, `--asn-db`, `--anonymizer-list`,
//! `--ioc`): each file read once, hashed (its SHA-256 goes in the report, like every evidence file's),
//! its layout detected from its content, and any problem a usage error naming the file.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::NetClass;
use super::asn_csv::AsnRanges;
use super::ioc::IocList;
use super::lists::{NetList, class_named};
use super::mmdb::{Layout, Mmdb, looks_like_mmdb};
use crate::error::EnrichError;

/// The `role` of each kind of input in the report.
pub mod role {
    pub const GEOIP_DB: &str = "geoip_db";
    pub const ASN_DB: &str = "asn_db";
    pub const ANONYMIZER_LIST: &str = "anonymizer_list";
    pub const IOC: &str = "ioc";
}

/// One enrichment input as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    /// One of [`role`].
    pub role: &'static str,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// What the file was read as: `GeoLite2-City (MaxMind GeoIP2 location layout, IPv6, built ...)`.
    pub kind: String,
}

/// Where ASNs come from.
#[derive(Debug)]
pub enum AsnSource {
    Mmdb(Mmdb),
    Csv(AsnRanges),
}

impl AsnSource {
    /// The AS number and organisation of `ip`; an error is a damaged database record.
    pub fn lookup(&self, ip: IpAddr) -> Result<Option<(u32, Option<String>)>, String> {
        match self {
            AsnSource::Mmdb(db) => db.asn(ip).map_err(|e| e.to_string()),
            AsnSource::Csv(t) => Ok(t.lookup(ip).map(|(a, o)| (a, o.map(str::to_string)))),
        }
    }
}

/// The file names given on the command line.
#[derive(Debug, Default, Clone)]
pub struct SourcePaths {
    pub geoip_dbs: Vec<PathBuf>,
    pub asn_dbs: Vec<PathBuf>,
    /// `FILE` or `CLASS=FILE` (`tor=exits.txt`).
    pub anonymizer_lists: Vec<String>,
    pub ioc: Option<PathBuf>,
}

/// Every loaded input. Databases are tried in the order given; the first that knows an address wins.
#[derive(Debug, Default)]
pub struct Sources {
    /// (index into `files`, database)
    pub geo: Vec<(usize, Mmdb)>,
    pub asn: Vec<(usize, AsnSource)>,
    pub nets: NetList,
    pub ioc: Option<IocList>,
    pub files: Vec<InputFile>,
    /// Lines of the IOC list that were skipped, as report warnings.
    pub warnings: Vec<String>,
}

fn read(role: &'static str, path: &Path) -> Result<(Vec<u8>, InputFile), EnrichError> {
    let bytes = std::fs::read(path).map_err(|e| EnrichError::Read { path: path.to_path_buf(), source: e })?;
    let file = InputFile {
        role,
        path: path.display().to_string(),
        sha256: crate::evidence::sha256_bytes(&bytes),
        bytes: bytes.len() as u64,
        kind: String::new(),
    };
    Ok((bytes, file))
}

/// Text of a list file: UTF-8 (a byte-order mark skipped) or UTF-16 with a byte-order mark, as
/// Notepad and PowerShell 5.1 write them. UTF-8 is taken over without a copy.
fn text(path: &Path, mut bytes: Vec<u8>) -> Result<String, EnrichError> {
    let utf16 = |b: &[u8], le: bool| {
        let units = b[2..].chunks_exact(2).map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        char::decode_utf16(units).collect::<Result<String, _>>().ok()
    };
    let decoded = match bytes.as_slice() {
        [0xFF, 0xFE, ..] => utf16(&bytes, true),
        [0xFE, 0xFF, ..] => utf16(&bytes, false),
        _ => {
            if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                bytes.drain(..3);
            }
            String::from_utf8(bytes).ok()
        }
    };
    decoded.ok_or_else(|| EnrichError::Invalid {
        path: path.to_path_buf(),
        message: "not a text file (UTF-8 or UTF-16 with a byte-order mark)".into(),
    })
}

fn line_error(path: &Path) -> impl Fn((usize, String)) -> EnrichError + '_ {
    move |(line, message)| EnrichError::Line { path: path.to_path_buf(), line, message }
}

/// `CLASS=FILE` -> (class, FILE); anything else is a file of anonymizers.
pub fn split_class(spec: &str) -> (NetClass, &str) {
    match spec.split_once('=') {
        Some((c, file)) if class_named(c).is_some() => (class_named(c).unwrap_or(NetClass::Anonymizer), file),
        _ => (NetClass::Anonymizer, spec),
    }
}

impl Sources {
    pub fn load(p: &SourcePaths) -> Result<Self, EnrichError> {
        let mut s = Sources::default();
        for path in &p.geoip_dbs {
            let (bytes, mut file) = read(role::GEOIP_DB, path)?;
            let db = open_mmdb(path, bytes)?;
            if db.layout == Layout::Asn {
                return Err(invalid(path, &format!("{} is an ASN database: give it with --asn-db", db.describe())));
            }
            file.kind = db.describe();
            s.geo.push((s.files.len(), db));
            s.files.push(file);
        }
        for path in &p.asn_dbs {
            let (bytes, mut file) = read(role::ASN_DB, path)?;
            let source = if looks_like_mmdb(&bytes) {
                let db = open_mmdb(path, bytes)?;
                if db.layout != Layout::Asn {
                    return Err(invalid(path, &format!("{} has no ASN records: give it with --geoip-db", db.describe())));
                }
                file.kind = db.describe();
                AsnSource::Mmdb(db)
            } else {
                let t = AsnRanges::parse(&text(path, bytes)?).map_err(line_error(path))?;
                if t.is_empty() {
                    return Err(invalid(path, "holds no ASN range"));
                }
                file.kind = format!("ASN ranges CSV (ip-location-db layout), {} range(s)", t.len());
                AsnSource::Csv(t)
            };
            s.asn.push((s.files.len(), source));
            s.files.push(file);
        }
        for spec in &p.anonymizer_lists {
            let (class, name) = split_class(spec);
            let path = Path::new(name);
            let (bytes, mut file) = read(role::ANONYMIZER_LIST, path)?;
            let n = s.nets.add_text(&text(path, bytes)?, class).map_err(line_error(path))?;
            file.kind = format!("network list, {n} entr{} (default class {})", if n == 1 { "y" } else { "ies" }, class.as_str());
            s.files.push(file);
        }
        if let Some(path) = &p.ioc {
            let (bytes, mut file) = read(role::IOC, path)?;
            let list = IocList::parse(&text(path, bytes)?).map_err(line_error(path))?;
            file.kind = format!("IOC list, {} indicator(s), {} line(s) skipped", list.iocs.len(), list.skipped.len());
            for (line, what) in &list.skipped {
                s.warnings.push(format!(
                    "{}: line {line}: {what:?} is no indicator this tool can match (IP, CIDR, ASN, ua:, session:, app:); skipped",
                    path.display()
                ));
            }
            s.ioc = Some(list);
            s.files.push(file);
        }
        Ok(s)
    }

    /// Whether any database was given (without one, only what the records say is known).
    pub fn has_geo(&self) -> bool {
        !self.geo.is_empty()
    }

    pub fn has_asn(&self) -> bool {
        !self.asn.is_empty()
    }
}

fn invalid(path: &Path, message: &str) -> EnrichError {
    EnrichError::Invalid { path: path.to_path_buf(), message: message.to_string() }
}

fn open_mmdb(path: &Path, bytes: Vec<u8>) -> Result<Mmdb, EnrichError> {
    Mmdb::open(bytes).map_err(|m| invalid(path, &m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_prefix_of_a_list_file() {
        assert_eq!(split_class("tor=exits.txt"), (NetClass::Tor, "exits.txt"));
        assert_eq!(split_class("lists/a=b.txt"), (NetClass::Anonymizer, "lists/a=b.txt"));
        assert_eq!(split_class("vpn.txt"), (NetClass::Anonymizer, "vpn.txt"));
    }

    #[test]
    fn text_encodings() {
        let p = Path::new("x");
        assert_eq!(text(p, b"\xEF\xBB\xBFAS1\n".to_vec()).unwrap(), "AS1\n");
        assert_eq!(text(p, b"\xFF\xFEA\0S\x001\0".to_vec()).unwrap(), "AS1");
        assert!(text(p, b"\xC0\xAF".to_vec()).is_err());
    }
}
