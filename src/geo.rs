//! Offline geolocation: where a sign-in was, from what the evidence says, then from a database.
//!
//! [`Geo::locate`] tries, in order:
//! 1. the record's own `geoCoordinates` (Microsoft's geolocation at sign-in time);
//! 2. the coordinates other records of the evidence give for the record's city (the same
//!    geolocation, for an export that kept the city but dropped the coordinates: the portal CSV);
//! 3. the `--geoip-db` location of the address, when the database agrees with the record's country
//!    (or the record has none): a database describes the address today, the record at sign-in time,
//!    so where both speak the record wins;
//! 4. the centroid of the record's country (a built-in table), marked approximate.
//!
//! Exports that lost the location entirely (a PowerShell `Export-Csv` whose `Location` cell is a
//! type name) are filled before the audit by [`Geo::fill`]: a record without a country takes the
//! country, state and city that other records of the evidence give for the same address, else the
//! database's. Only those three columns are filled, never the coordinates, so "the record's own
//! coordinates" stays true, and the rows filled are remembered so a finding can say where its
//! location came from.

use std::collections::HashMap;
use std::sync::Arc;

use crate::baseline::city_key;
use crate::enrich::{Enrichment, IpInfo};
use crate::model::SignInTable;
use crate::model::view::Rows;

mod fill;

pub use fill::{FillSource, OwnedPlace, place_of, placed_rows};

/// How precise a location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Country,
    City,
    Record,
}

/// Where a location's coordinates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LocationSource {
    /// The record's own coordinates.
    Record,
    /// Coordinates other records give for the record's city.
    EvidenceCity,
    /// The `--geoip-db` location of the address.
    Database,
    /// The centroid of the record's country.
    CountryCentroid,
}

impl LocationSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LocationSource::Record => "record",
            LocationSource::EvidenceCity => "evidence_city",
            LocationSource::Database => "database",
            LocationSource::CountryCentroid => "country_centroid",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    pub lat: f64,
    pub lon: f64,
    pub precision: Precision,
    pub source: LocationSource,
}

/// Locations learned from the evidence, and the database's per address.
#[derive(Debug, Default)]
pub struct Geo {
    cities: Arc<HashMap<String, (f64, f64)>>,
    ips: Arc<HashMap<String, IpInfo>>,
    /// Per row of the table (global index): how [`Geo::fill`] filled its place, if it did.
    filled: Vec<Option<FillSource>>,
}

impl Geo {
    /// Learn city coordinates from every record that carries them (first seen in table order wins,
    /// so the result does not depend on threads), and take the database locations of `net`.
    pub fn learn(table: &SignInTable, net: &Enrichment) -> Self {
        let cities = match Rows::new(&table.batch) {
            Ok(rows) => city_coordinates(&rows).into_iter().map(|(k, (_, c))| (k, c)).collect(),
            Err(_) => HashMap::new(),
        };
        Self::from_cities(Arc::new(cities), net)
    }

    /// A `Geo` from city coordinates learned elsewhere (a bucketed audit merges them over buckets).
    pub fn from_cities(cities: Arc<HashMap<String, (f64, f64)>>, net: &Enrichment) -> Self {
        Geo { cities, ips: net.shared(), filled: Vec::new() }
    }

    pub fn locate(&self, rows: &Rows<'_>, i: usize) -> Option<Located> {
        if let Some((lat, lon)) = rows.coordinates(i) {
            return Some(Located { lat, lon, precision: Precision::Record, source: LocationSource::Record });
        }
        if let Some(&(lat, lon)) = city_key(rows, i).and_then(|k| self.cities.get(&k)) {
            return Some(Located { lat, lon, precision: Precision::City, source: LocationSource::EvidenceCity });
        }
        let country = rows.country.get(i);
        if let Some(db) = rows.ip.get(i).and_then(|ip| self.ips.get(ip)).and_then(|info| info.location.as_ref())
            && let (Some(lat), Some(lon)) = (db.latitude, db.longitude)
            && (country.is_none() || country == db.country.as_deref())
        {
            let precision = if db.city_level { Precision::City } else { Precision::Country };
            return Some(Located { lat, lon, precision, source: LocationSource::Database });
        }
        let (lat, lon) = country_centroid(country?)?;
        Some(Located { lat, lon, precision: Precision::Country, source: LocationSource::CountryCentroid })
    }

    /// How [`Geo::fill`] filled the place of row `global` (its index in the whole table), if it did.
    pub fn filled(&self, global: usize) -> Option<FillSource> {
        self.filled.get(global).copied().flatten()
    }
}

/// The coordinates of each city key (`country|state|city`) of `rows`: those of its first row (in
/// row order) that carries coordinates, with that row.
pub fn city_coordinates(rows: &Rows<'_>) -> HashMap<String, (usize, (f64, f64))> {
    let mut cities = HashMap::new();
    for i in 0..rows.len {
        if let (Some(c), Some(key)) = (rows.coordinates(i), city_key(rows, i)) {
            cities.entry(key).or_insert((i, c));
        }
    }
    cities
}

/// Mean Earth radius (km), IUGG.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in km (haversine).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Approximate geographic centre of a country (ISO 3166-1 alpha-2), or of its main population area
/// where the geometric centre is empty land (RU, CA, AU use their populated regions).
pub fn country_centroid(code: &str) -> Option<(f64, f64)> {
    let code = code.trim();
    COUNTRIES.binary_search_by(|(c, _, _)| c.cmp(&code)).ok().map(|i| (COUNTRIES[i].1, COUNTRIES[i].2))
}

/// Sorted by code (checked by a test).
static COUNTRIES: &[(&str, f64, f64)] = &[
    ("AE", 23.4, 53.8),
    ("AF", 33.9, 67.7),
    ("AL", 41.2, 20.2),
    ("AM", 40.1, 45.0),
    ("AO", -11.2, 17.9),
    ("AR", -38.4, -63.6),
    ("AT", 47.5, 14.6),
    ("AU", -33.0, 146.0),
    ("AZ", 40.1, 47.6),
    ("BA", 43.9, 17.7),
    ("BD", 23.7, 90.4),
    ("BE", 50.5, 4.5),
    ("BG", 42.7, 25.5),
    ("BH", 26.0, 50.6),
    ("BO", -16.3, -63.6),
    ("BR", -14.2, -51.9),
    ("BY", 53.7, 27.9),
    ("CA", 45.5, -75.0),
    ("CD", -4.0, 21.8),
    ("CH", 46.8, 8.2),
    ("CI", 7.5, -5.5),
    ("CL", -35.7, -71.5),
    ("CM", 7.4, 12.4),
    ("CN", 35.9, 104.2),
    ("CO", 4.6, -74.3),
    ("CR", 9.7, -83.8),
    ("CU", 21.5, -77.8),
    ("CY", 35.1, 33.4),
    ("CZ", 49.8, 15.5),
    ("DE", 51.2, 10.5),
    ("DK", 56.3, 9.5),
    ("DO", 18.7, -70.2),
    ("DZ", 28.0, 1.7),
    ("EC", -1.8, -78.2),
    ("EE", 58.6, 25.0),
    ("EG", 26.8, 30.8),
    ("ES", 40.5, -3.7),
    ("ET", 9.1, 40.5),
    ("FI", 61.9, 25.7),
    ("FR", 46.2, 2.2),
    ("GB", 53.0, -1.5),
    ("GE", 42.3, 43.4),
    ("GH", 7.9, -1.0),
    ("GR", 39.1, 21.8),
    ("GT", 15.8, -90.2),
    ("HK", 22.3, 114.2),
    ("HN", 15.2, -86.2),
    ("HR", 45.1, 15.2),
    ("HU", 47.2, 19.5),
    ("ID", -2.5, 113.9),
    ("IE", 53.4, -8.2),
    ("IL", 31.0, 34.9),
    ("IN", 20.6, 79.0),
    ("IQ", 33.2, 43.7),
    ("IR", 32.4, 53.7),
    ("IS", 64.1, -21.9),
    ("IT", 41.9, 12.6),
    ("JM", 18.1, -77.3),
    ("JO", 30.6, 36.2),
    ("JP", 36.2, 138.3),
    ("KE", 0.0, 37.9),
    ("KH", 12.6, 104.9),
    ("KP", 40.3, 127.5),
    ("KR", 35.9, 127.8),
    ("KW", 29.3, 47.5),
    ("KZ", 48.0, 66.9),
    ("LB", 33.9, 35.9),
    ("LK", 7.9, 80.8),
    ("LT", 55.2, 23.9),
    ("LU", 49.8, 6.1),
    ("LV", 56.9, 24.6),
    ("LY", 26.3, 17.2),
    ("MA", 31.8, -7.1),
    ("MD", 47.4, 28.4),
    ("MG", -18.8, 46.9),
    ("MK", 41.6, 21.7),
    ("MM", 21.9, 95.9),
    ("MN", 46.9, 103.8),
    ("MT", 35.9, 14.4),
    ("MX", 23.6, -102.5),
    ("MY", 4.2, 102.0),
    ("NG", 9.1, 8.7),
    ("NI", 12.9, -85.2),
    ("NL", 52.1, 5.3),
    ("NO", 60.5, 8.5),
    ("NP", 28.4, 84.1),
    ("NZ", -40.9, 174.9),
    ("OM", 21.5, 55.9),
    ("PA", 8.5, -80.8),
    ("PE", -9.2, -75.0),
    ("PH", 12.9, 121.8),
    ("PK", 30.4, 69.3),
    ("PL", 51.9, 19.1),
    ("PR", 18.2, -66.6),
    ("PS", 31.9, 35.2),
    ("PT", 39.4, -8.2),
    ("PY", -23.4, -58.4),
    ("QA", 25.4, 51.2),
    ("RO", 45.9, 25.0),
    ("RS", 44.0, 21.0),
    ("RU", 55.8, 37.6),
    ("SA", 23.9, 45.1),
    ("SE", 60.1, 18.6),
    ("SG", 1.35, 103.8),
    ("SI", 46.2, 14.9),
    ("SK", 48.7, 19.7),
    ("SN", 14.5, -14.5),
    ("SV", 13.8, -88.9),
    ("SY", 34.8, 39.0),
    ("TH", 15.9, 101.0),
    ("TN", 33.9, 9.5),
    ("TR", 39.0, 35.2),
    ("TW", 23.7, 121.0),
    ("TZ", -6.4, 34.9),
    ("UA", 48.4, 31.2),
    ("UG", 1.4, 32.3),
    ("US", 39.8, -98.6),
    ("UY", -32.5, -55.8),
    ("UZ", 41.4, 64.6),
    ("VE", 6.4, -66.6),
    ("VN", 14.1, 108.3),
    ("YE", 15.6, 48.5),
    ("ZA", -30.6, 22.9),
    ("ZM", -13.1, 27.8),
    ("ZW", -19.0, 29.2),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_valid() {
        for w in COUNTRIES.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        for (c, lat, lon) in COUNTRIES {
            assert!(c.len() == 2 && lat.abs() <= 90.0 && lon.abs() <= 180.0);
        }
        assert_eq!(country_centroid("FR"), Some((46.2, 2.2)));
        assert_eq!(country_centroid("XX"), None);
    }

    #[test]
    fn fill_and_locate_in_order() {
        use std::borrow::Cow;

        use crate::enrich::{Enrichment, IpLocation};
        use crate::model::{SignIn, TableBuilder};
        let rec = |ip: &'static str, place: Option<(&'static str, &'static str)>, coords: Option<(f64, f64)>| SignIn {
            time: crate::model::time::parse_time("2024-03-13T14:00:00Z", 0),
            user_principal_name: Some(Cow::Borrowed("u@contoso.example")),
            ip_address: Some(Cow::Borrowed(ip)),
            country: place.map(|p| Cow::Borrowed(p.0)),
            city: place.map(|p| Cow::Borrowed(p.1)),
            latitude: coords.map(|c| c.0),
            longitude: coords.map(|c| c.1),
            ..Default::default()
        };
        let mut tb = TableBuilder::new("t.json", "graph", 0);
        for r in [
            rec("192.0.2.1", Some(("US", "New York")), Some((40.7, -74.0))), // 0: the record's own
            rec("192.0.2.1", None, None),                                    // 1: placed by row 0
            rec("203.0.113.9", None, None),                                  // 2: placed by the database
            rec("198.51.100.7", Some(("FR", "")), None),                     // 3: the database disagrees
            rec("198.51.100.8", None, None),                                 // 4: nobody knows
        ] {
            tb.push(&r).unwrap();
        }
        let built = tb.finish().unwrap();
        let table = crate::model::SignInTable::from_sorted(built.batch).unwrap();
        let mut net = Enrichment::default();
        let lagos = IpLocation {
            country: Some("NG".into()),
            city: Some("Lagos".into()),
            latitude: Some(6.5),
            longitude: Some(3.4),
            city_level: true,
            ..Default::default()
        };
        net.insert("203.0.113.9", crate::enrich::IpInfo { location: Some(lagos.clone()), ..Default::default() });
        net.insert("198.51.100.7", crate::enrich::IpInfo { location: Some(lagos), ..Default::default() });
        let mut geo = Geo::learn(&table, &net);
        let filled = geo.fill(&table).unwrap().unwrap();
        let rows = Rows::new(&filled.batch).unwrap();
        let found: Vec<_> =
            (0..5).map(|i| (rows.country.get(i), geo.filled(i), geo.locate(&rows, i).map(|l| (l.source, l.precision)))).collect();
        use LocationSource::*;
        assert_eq!(
            found,
            [
                (Some("US"), None, Some((Record, Precision::Record))),
                (Some("US"), Some(FillSource::EvidenceIp), Some((EvidenceCity, Precision::City))),
                (Some("NG"), Some(FillSource::Database), Some((Database, Precision::City))),
                (Some("FR"), None, Some((CountryCentroid, Precision::Country))),
                (None, None, None),
            ]
        );
        assert_eq!(rows.city.get(2), Some("Lagos"));
        assert_eq!(rows.coordinates(2), None, "coordinates are never filled");
    }

    #[test]
    fn haversine_new_york_london() {
        let d = distance_km((40.7128, -74.0060), (51.5074, -0.1278));
        assert!((d - 5570.0).abs() < 10.0, "{d}");
        assert_eq!(distance_km((1.0, 2.0), (1.0, 2.0)), 0.0);
    }
}
