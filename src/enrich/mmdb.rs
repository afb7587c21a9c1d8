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
    let layout = if has("autonomous_system_number") {
        Layout::Asn
    } else if has("country_code") {
        Layout::Flat
    } else if has("country") || has("location") || has("city") || has("registered_country") {
        Layout::GeoIp2
    } else {
        let names: Vec<&str> = keys.keys().map(String::as_str).collect();
        return Err(format!("database {db_type:?} has neither location nor ASN records (record keys: {})", names.join(", ")));
    };
    // Decode the first record as the layout says, so a damaged file is refused now, not mid-audit.
    let decoded = match layout {
        Layout::GeoIp2 => first.decode::<geoip2::City<'_>>().map(|_| ()),
        Layout::Flat => first.decode::<FlatRecord<'_>>().map(|_| ()),
        Layout::Asn => first.decode::<geoip2::Asn<'_>>().map(|_| ()),
    };
    decoded.map_err(|e| format!("the records of {db_type:?} cannot be decoded as the {}: {e}", layout.describe()))?;
    Ok(layout)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of `tests/fixtures/mmdb/` (MaxMind's test files and our synthetic ones).
    pub(crate) fn fixture(name: &str) -> Mmdb {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mmdb").join(name);
        Mmdb::open(std::fs::read(&path).unwrap()).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn maxmind_city_layout() {
        let db = fixture("GeoIP2-City-Test.mmdb");
        assert_eq!(db.layout, Layout::GeoIp2);
        assert!(db.describe().starts_with("GeoIP2-City (MaxMind GeoIP2 location layout, IPv6, built "), "{}", db.describe());
        let london = db.location(ip("81.2.69.142")).unwrap().unwrap();
        assert_eq!((london.country.as_deref(), london.city.as_deref(), london.city_level), (Some("GB"), Some("London"), true));
        assert!((london.latitude.unwrap() - 51.5142).abs() < 0.01, "{london:?}");
        let linkoping = db.location(ip("89.160.20.128")).unwrap().unwrap();
        assert_eq!((linkoping.country.as_deref(), linkoping.city.as_deref()), (Some("SE"), Some("Linköping")));
        assert_eq!(linkoping.state.as_deref(), Some("Östergötland County"));
        let japan = db.location(ip("2001:218::1")).unwrap().unwrap();
        assert_eq!((japan.country.as_deref(), japan.city_level), (Some("JP"), false), "country only: {japan:?}");
        assert_eq!(db.location(ip("8.8.8.8")).unwrap(), None, "an unknown address is not an error");
        assert_eq!(db.asn(ip("81.2.69.142")).unwrap(), None, "a city database has no ASN");
    }

    #[test]
    fn maxmind_asn_layout() {
        let db = fixture("GeoLite2-ASN-Test.mmdb");
        assert_eq!(db.layout, Layout::Asn);
        assert_eq!(db.asn(ip("1.128.0.0")).unwrap(), Some((1221, Some("Telstra Pty Ltd".to_string()))));
        assert_eq!(db.asn(ip("89.160.20.128")).unwrap(), Some((29518, Some("Bredband2 AB".to_string()))));
        assert_eq!(db.asn(ip("149.101.100.0")).unwrap(), Some((6167, Some("CELLCO-PART".to_string()))));
        assert_eq!(db.asn(ip("216.160.83.56")).unwrap(), Some((209, None)));
        assert_eq!(db.asn(ip("8.8.8.8")).unwrap(), None);
        assert_eq!(db.location(ip("1.128.0.0")).unwrap(), None);
    }

    #[test]
    fn ip_location_db_flat_layout_with_f32_coordinates() {
        let v4 = fixture("iplocdb-city-ipv4.mmdb");
        assert_eq!(v4.layout, Layout::Flat);
        assert!(v4.describe().starts_with("city ipv4 (ip-location-db flat location layout, IPv4, built 2026-01-01)"), "{}", v4.describe());
        let lagos = v4.location(ip("203.0.113.9")).unwrap().unwrap();
        assert_eq!(
            lagos,
            IpLocation {
                city: Some("Lagos".into()),
                state: Some("Lagos".into()),
                country: Some("NG".into()),
                latitude: Some(6.5244),
                longitude: Some(3.3792),
                city_level: true,
            },
            "f32 coordinates read back as their decimal value"
        );
        let us = v4.location(ip("198.51.100.1")).unwrap().unwrap();
        assert_eq!((us.country.as_deref(), us.city, us.city_level), (Some("US"), None, false), "empty strings are absent values");
        assert_eq!(v4.location(ip("2001:db8:66::1")).unwrap(), None, "an IPv4 file does not hold IPv6 addresses");
        let v6 = fixture("iplocdb-city-ipv6.mmdb");
        assert_eq!(v6.location(ip("2001:db8:66::1")).unwrap().unwrap().country.as_deref(), Some("NG"));
        assert_eq!(v6.location(ip("203.0.113.9")).unwrap(), None, "ip-location-db's IPv6 file has no IPv4 subtree");
    }

    #[test]
    fn damaged_and_foreign_files_are_refused() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mmdb");
        // Its first record decodes; most others do not: a lookup error, not "unknown address".
        let broken = Mmdb::open(std::fs::read(dir.join("GeoIP2-City-Test-Broken-Double-Format.mmdb")).unwrap()).unwrap();
        let err = broken.location(ip("81.2.69.142")).unwrap_err().to_string();
        assert!(err.contains("double of size"), "{err}");
        let text = Mmdb::open(std::fs::read(dir.join("asn-ipv4.csv")).unwrap()).unwrap_err();
        assert!(text.starts_with("not a valid MaxMind DB file"), "{text}");
        assert!(!looks_like_mmdb(b"192.0.2.0,192.0.2.255,64496,X\n"));
        assert!(looks_like_mmdb(&std::fs::read(dir.join("GeoLite2-ASN-Test.mmdb")).unwrap()));
    }
}
