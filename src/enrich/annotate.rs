//! What the enrichment adds to a finding: an `enrichment` detail about its key sign-in (the first
//! one it cites) when there is something the record alone does not say: the network's organisation
//! or class, an ASN from a database, a place filled from other records or a database, coordinates
//! that are not the record's own, or a database that disagrees with the record's country.
//!
//! ```text
//! "enrichment": {"ip", "asn"?, "org"?, "class"?, "asn_source"?,
//!                "location_source"?: "record" | "evidence_city" | "database" | "country_centroid" | "none",
//!                "approximate"?, "place_filled_from"?: "evidence_ip" | "database",
//!                "record_place"?: "City, State, CC", "database_place"?: "City, State, CC"}
//! ```
//! Where the record and the database disagree both places are given, and `location_source` says
//! which one the location-based detectors used (the record's, see [`crate::geo`]).

use serde_json::{Map, Value, json};

use super::{IpLocation, Origin};
use crate::detect::{Finding, UserContext};
use crate::geo::{LocationSource, Precision};

/// A place as one line, `City, State, CC` (the portal CSV's `Location` form), empty parts left out.
fn place(country: Option<&str>, state: Option<&str>, city: Option<&str>) -> Value {
    let parts: Vec<&str> = [city, state, country].into_iter().flatten().filter(|p| !p.is_empty()).collect();
    Value::String(parts.join(", "))
}

fn db_place(l: &IpLocation) -> Value {
    place(l.country.as_deref(), l.state.as_deref(), l.city.as_deref())
}

/// The `enrichment` detail of row `i` (`offset` is the partition's first row in the whole table),
/// or `None` when the record says it all.
pub fn detail(cx: &UserContext<'_>, offset: usize, i: usize) -> Option<Value> {
    let r = cx.rows;
    let ip = r.ip.get(i)?;
    let info = cx.net.info(ip);
    let mut d = Map::new();
    if let Some(info) =
        info.filter(|x| x.class.is_some() || x.org.is_some() || x.asn_source == Some(Origin::Database) || x.database_asn.is_some())
    {
        // Only what is known: a finding can be one of hundreds of thousands.
        let known = [
            ("asn", info.asn.map(|a| json!(a))),
            ("org", info.org.as_ref().map(|o| json!(o))),
            ("class", info.class.map(|c| json!(c.as_str()))),
            ("asn_source", info.asn_source.map(|o| json!(o))),
            ("database_asn", info.database_asn.map(|a| json!(a))),
        ];
        d.extend(known.into_iter().filter_map(|(k, v)| Some((k.to_string(), v?))));
    }
    let filled = cx.geo.filled(offset + i);
    let located = cx.geo.locate(r, i);
    let db = info.and_then(|x| x.location.as_ref());
    let disagree = filled.is_none()
        && db.is_some_and(|l| l.country.is_some() && r.country.get(i).is_some() && l.country.as_deref() != r.country.get(i));
    if filled.is_some() || disagree || located.is_some_and(|l| l.source != LocationSource::Record) {
        d.insert("location_source".into(), json!(located.map_or("none", |l| l.source.as_str())));
        d.insert("approximate".into(), json!(located.is_none_or(|l| l.precision == Precision::Country)));
        if let Some(f) = filled {
            d.insert("place_filled_from".into(), json!(f.as_str()));
        } else if r.country.get(i).is_some() {
            d.insert("record_place".into(), place(r.country.get(i), r.state.get(i), r.city.get(i)));
        }
        if let Some(l) = db {
            d.insert("database_place".into(), db_place(l));
        }
    }
    if d.is_empty() {
        return None;
    }
    d.insert("ip".into(), json!(ip));
    Some(Value::Object(d))
}

/// Add the `enrichment` detail of each finding's key sign-in (findings still hold their rows).
pub fn annotate(cx: &UserContext<'_>, offset: usize, findings: &mut [Finding]) {
    for f in findings {
        if let Some(v) = f.rows.first().and_then(|&i| detail(cx, offset, i)) {
            f.details.insert("enrichment".into(), v);
        }
    }
}
