//! MaxMind DB (`.mmdb`) files: GeoIP2 / GeoLite2 City, Country and ASN databases, and the flat
//! layout of the ip-location-db project. The layout is read from the records themselves (the keys
//! of the first record in the file, with the metadata's `database_type` for the report), never from
//! the file name:
//!
//! | record keys | layout | what it gives |
//! |---|---|---|
//! | `country` / `city` / `location` maps | GeoIP2 City or Country (MaxMind, DB-IP lite) | country, subdivision, city, coordinates |
//! | `country_code`, `state1`, `city`, `latitude` (f32) | ip-location-db city / country | the same |
//! | `autonomous_system_number` | GeoLite2 ASN, GeoIP2 ISP | ASN and organisation |
//!
//! Files are read into memory (`Reader::from_source`); the crate's memory map is `unsafe` and this
//! crate keeps `unsafe` in `evidence/mmap.rs`. An address the database does not know is not an
//! error; a record that cannot be decoded is (the file is damaged).

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use maxminddb::{MaxMindDbError, Reader, geoip2};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::IpLocation;

/// What a database's records look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// MaxMind GeoIP2 / GeoLite2 City or Country (nested maps, localized names, f64 coordinates).
    GeoIp2,
    /// ip-location-db: one flat map per network (`country_code`, `state1`, `city`, f32 coordinates).
    Flat,
    /// GeoLite2 ASN / GeoIP2 ISP: `autonomous_system_number`, `autonomous_system_organization`.
    Asn,
}

impl Layout {
    pub fn describe(self) -> &'static str {
        match self {
            Layout::GeoIp2 => "MaxMind GeoIP2 location layout",
            Layout::Flat => "ip-location-db flat location layout",
            Layout::Asn => "MaxMind ASN layout",
        }
    }
}

/// An open database.
pub struct Mmdb {
    reader: Reader<Vec<u8>>,
    pub layout: Layout,
}

impl fmt::Debug for Mmdb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.reader.metadata();
        write!(f, "Mmdb({:?}, {}, IPv{})", self.layout, m.database_type, m.ip_version)
    }
}

/// Whether `bytes` end like a MaxMind DB (the metadata marker is within the last 128 KiB).
pub fn looks_like_mmdb(bytes: &[u8]) -> bool {
    const MARKER: &[u8] = b"\xab\xcd\xefMaxMind.com";
    let tail = &bytes[bytes.len().saturating_sub(128 * 1024)..];
    memchr::memmem::rfind(tail, MARKER).is_some()
}

impl Mmdb {
    /// Open a database from its bytes and detect its layout. The error is a sentence for the
    /// examiner (the caller adds the path).
    pub fn open(bytes: Vec<u8>) -> Result<Self, String> {
        let reader = Reader::from_source(bytes).map_err(|e| format!("not a valid MaxMind DB file: {e}"))?;
        let layout = probe(&reader)?;
        Ok(Mmdb { reader, layout })
    }

    /// One line for the report: `GeoLite2-City (MaxMind GeoIP2 location layout, IPv6, built 2026-06-17)`.
    pub fn describe(&self) -> String {
        let m = self.reader.metadata();
        let built = crate::model::time::format_rfc3339(m.build_epoch.min(i64::MAX as u64 / 1_000_000) as i64 * 1_000_000);
        format!("{} ({}, IPv{}, built {})", m.database_type, self.layout.describe(), m.ip_version, &built[..10.min(built.len())])
    }

    /// Whether this database can hold `ip` (an IPv4-only file cannot hold IPv6 addresses).
    pub fn covers(&self, ip: IpAddr) -> bool {
        self.reader.metadata().ip_version == 6 || ip.to_canonical().is_ipv4()
    }

    /// The location of `ip`, if the database knows it.
    pub fn location(&self, ip: IpAddr) -> Result<Option<IpLocation>, MaxMindDbError> {
        if !self.covers(ip) {
            return Ok(None);
        }
        let found = self.reader.lookup(ip.to_canonical())?;
        match self.layout {
            Layout::GeoIp2 => Ok(found.decode::<geoip2::City<'_>>()?.map(|c| from_geoip2(&c)).filter(|l| l.country.is_some())),
            Layout::Flat => Ok(found.decode::<FlatRecord<'_>>()?.map(FlatRecord::into_location).filter(|l| l.country.is_some())),
            Layout::Asn => Ok(None),
        }
    }

    /// The AS number and organisation of `ip`, if the database knows it.
    pub fn asn(&self, ip: IpAddr) -> Result<Option<(u32, Option<String>)>, MaxMindDbError> {
        if self.layout != Layout::Asn || !self.covers(ip) {
            return Ok(None);
        }
        let rec = self.reader.lookup(ip.to_canonical())?.decode::<geoip2::Asn<'_>>()?;
        Ok(rec.and_then(|r| r.autonomous_system_number.map(|n| (n, r.autonomous_system_organization.map(str::to_string)))))
    }
}

/// Decide the layout from the keys of the first record in the file.
fn probe(reader: &Reader<Vec<u8>>) -> Result<Layout, String> {
    let db_type = &reader.metadata().database_type;
    let first = reader
        .networks(Default::default())
        .map_err(|e| format!("cannot read the networks of {db_type:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("database {db_type:?} holds no network"))?
        .map_err(|e| format!("cannot read the first record of {db_type:?}: {e}"))?;
    let keys: BTreeMap<String, IgnoredAny> =
        first.decode().map_err(|e| format!("the records of {db_type:?} are not maps: {e}"))?.unwrap_or_default();
    let has = |k: &str| keys.contains_key(k);
    if has("autonomous_system_number") {
        Ok(Layout::Asn)
    } else if has("country_code") {
        Ok(Layout::Flat)
    } else if has("country") || has("location") || has("city") || has("registered_country") {
        Ok(Layout::GeoIp2)
    } else {
        let names: Vec<&str> = keys.keys().map(String::as_str).collect();
        Err(format!("database {db_type:?} has neither location nor ASN records (record keys: {})", names.join(", ")))
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn from_geoip2(c: &geoip2::City<'_>) -> IpLocation {
    let country = non_empty(c.country.iso_code).or_else(|| non_empty(c.registered_country.iso_code));
    let city = non_empty(c.city.names.english);
    IpLocation {
        city_level: city.is_some(),
        city,
        state: c.subdivisions.first().and_then(|s| non_empty(s.names.english)),
        country,
        latitude: c.location.latitude,
        longitude: c.location.longitude,
    }
}

/// A coordinate stored as MMDB float (f32, ip-location-db) or double (f64).
#[derive(Debug, Clone, Copy)]
struct Coord(f64);

impl<'de> Deserialize<'de> for Coord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Coord;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a float or double coordinate")
            }
            fn visit_f32<E>(self, v: f32) -> Result<Coord, E> {
                // Through the decimal text: 51.4036_f32 as f64 is 51.40359878540039.
                Ok(Coord(v.to_string().parse().unwrap_or(f64::from(v))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Coord, E> {
                Ok(Coord(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// The ip-location-db record: missing values are empty strings.
#[derive(Debug, Deserialize)]
struct FlatRecord<'a> {
    #[serde(borrow, default)]
    country_code: Option<&'a str>,
    #[serde(borrow, default)]
    state1: Option<&'a str>,
    #[serde(borrow, default)]
    city: Option<&'a str>,
    #[serde(default)]
    latitude: Option<Coord>,
    #[serde(default)]
    longitude: Option<Coord>,
}

impl FlatRecord<'_> {
    fn into_location(self) -> IpLocation {
        let city = non_empty(self.city);
        IpLocation {
            city_level: city.is_some(),
            city,
            state: non_empty(self.state1),
            country: non_empty(self.country_code),
            latitude: self.latitude.map(|c| c.0),
            longitude: self.longitude.map(|c| c.0),
        }
    }
}
