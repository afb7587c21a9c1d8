//! Filling the place (country, state, city) of records that lost it, before the audit.
//!
//! A record without a country takes the place other records of the evidence give for the same
//! address (Microsoft's own geolocation of that address, in this evidence), else the `--geoip-db`
//! location of the address. The coordinates are never filled: [`super::Geo::locate`] finds them
//! from the city or the database, and says so.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::ArrowError;
use serde::Serialize;

use super::Geo;
use crate::model::SignInTable;
use crate::model::schema::col;
use crate::model::view::{DictCol, Rows};

/// Where a filled record's place comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FillSource {
    /// Another record of the evidence with the same address.
    EvidenceIp,
    /// The `--geoip-db` location of the address.
    Database,
}

impl FillSource {
    pub fn as_str(self) -> &'static str {
        match self {
            FillSource::EvidenceIp => "evidence_ip",
            FillSource::Database => "database",
        }
    }
}

/// A place to write into a row: (country, state, city).
type Place<'a> = (&'a str, Option<&'a str>, Option<&'a str>);

fn column<'a>(rows: &Rows<'_>, col: DictCol<'_>, fills: &[Option<Place<'a>>], pick: fn(&Place<'a>) -> Option<&'a str>) -> ArrayRef {
    let mut b = StringDictionaryBuilder::<Int32Type>::new();
    for (i, fill) in fills.iter().enumerate().take(rows.len) {
        match fill.as_ref().map_or(col.get(i), pick) {
            Some(v) => {
                b.append_value(v);
            }
            None => b.append_null(),
        }
    }
    Arc::new(b.finish())
}

/// A place as a bucketed audit carries it between buckets: (country, state, city).
pub type OwnedPlace = (String, Option<String>, Option<String>);

/// The first row (in row order) of each address of `rows` that has a country.
pub fn placed_rows<'a>(rows: &Rows<'a>) -> HashMap<&'a str, usize> {
    let mut placed: HashMap<&str, usize> = HashMap::new();
    for i in 0..rows.len {
        if let (Some(ip), Some(_)) = (rows.ip.get(i), rows.country.get(i)) {
            placed.entry(ip).or_insert(i);
        }
    }
    placed
}

/// The place of row `j` (which has a country).
pub fn place_of(rows: &Rows<'_>, j: usize) -> Option<OwnedPlace> {
    let country = rows.country.get(j)?;
    Some((country.to_string(), rows.state.get(j).map(str::to_string), rows.city.get(j).map(str::to_string)))
}

impl Geo {
    /// Fill the place of every record without a country that another record or the database can
    /// place. Returns the filled table, or `None` when no record needed or got a place.
    pub fn fill(&mut self, table: &SignInTable) -> Result<Option<SignInTable>, ArrowError> {
        let rows = Rows::new(&table.batch)?;
        // The first record of each address that has a country (table order, thread-independent).
        let placed = placed_rows(&rows);
        let of = |ip: &str| placed.get(ip).and_then(|&j| Some((rows.country.get(j)?, rows.state.get(j), rows.city.get(j))));
        self.fill_by(table, &rows, &of)
    }

    /// [`Self::fill`] with the places other records give each address known beforehand (from
    /// every bucket of a bucketed audit).
    pub fn fill_from(&mut self, table: &SignInTable, placed: &HashMap<String, OwnedPlace>) -> Result<Option<SignInTable>, ArrowError> {
        let rows = Rows::new(&table.batch)?;
        let of = |ip: &str| placed.get(ip).map(|p| (p.0.as_str(), p.1.as_deref(), p.2.as_deref()));
        self.fill_by(table, &rows, &of)
    }

    fn fill_by<'a>(
        &mut self,
        table: &SignInTable,
        rows: &Rows<'a>,
        placed: &dyn Fn(&str) -> Option<Place<'a>>,
    ) -> Result<Option<SignInTable>, ArrowError> {
        let mut fills: Vec<Option<Place<'_>>> = vec![None; rows.len];
        let mut sources: Vec<Option<FillSource>> = vec![None; rows.len];
        let ips = self.ips.clone();
        for i in 0..rows.len {
            let Some(ip) = rows.ip.get(i).filter(|_| rows.country.get(i).is_none()) else { continue };
            if let Some(place) = placed(ip) {
                fills[i] = Some(place);
                sources[i] = Some(FillSource::EvidenceIp);
            } else if let Some(loc) = ips.get(ip).and_then(|info| info.location.as_ref())
                && let Some(country) = loc.country.as_deref()
            {
                fills[i] = Some((country, loc.state.as_deref(), loc.city.as_deref()));
                sources[i] = Some(FillSource::Database);
            }
        }
        if sources.iter().all(Option::is_none) {
            return Ok(None);
        }
        let schema = table.batch.schema();
        let mut columns: Vec<ArrayRef> = table.batch.columns().to_vec();
        columns[schema.index_of(col::COUNTRY)?] = column(rows, rows.country, &fills, |p| Some(p.0));
        columns[schema.index_of(col::STATE)?] = column(rows, rows.state, &fills, |p| p.1);
        columns[schema.index_of(col::CITY)?] = column(rows, rows.city, &fills, |p| p.2);
        let batch = RecordBatch::try_new(schema, columns)?;
        self.filled = sources;
        Ok(Some(SignInTable { batch, users: table.users.clone() }))
    }
}
