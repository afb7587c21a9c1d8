//! Offline enrichment of the evidence's IP addresses: autonomous system, organisation, network
//! class and (with a database) location. Every distinct IP is looked up once, before the audit, and
//! the detectors read the result through [`Enrichment`] (via `UserContext::net`).
//!
//! What is known about an address, in order of trust:
//! - **ASN**: the record's own `autonomousSystemNumber` (Microsoft's view at sign-in time), else the
//!   `--asn-db` databases in the order given.
//! - **class**: the examiner's `--anonymizer-list` entries (an address or block before an ASN), else
//!   the built-in list of [`networks`] for the ASN.
//! - **location**: the `--geoip-db` databases in the order given. The record's own location stays in
//!   the table and wins where both exist ([`crate::geo`] decides).
//!
//! Without any database the enrichment still knows what the records carry themselves and classifies
//! those ASNs. This module owns IP facts only; what a class means for risk is decided by the detectors.

pub mod annotate;
pub mod asn_csv;
pub mod ioc;
pub mod lists;
pub mod mmdb;
pub mod networks;
pub mod prefix;
pub mod report;
pub mod sources;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use self::ioc::Ioc;
pub use self::sources::{InputFile, SourcePaths, Sources};
use crate::model::SignInTable;
use crate::model::view::Rows;

/// What kind of network an address belongs to, where that matters to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NetClass {
    /// Microsoft's own networks: service-side sign-ins (on-behalf-of flows of Exchange, SharePoint,
    /// Teams) come from here on the user's behalf.
    Microsoft,
    /// A mobile carrier: addresses come from central pools, often far from the device.
    MobileCarrier,
    /// Cloud, VPS and hosting providers: where attacker infrastructure usually lives.
    Hosting,
    /// A commercial VPN, privacy relay or SDP egress.
    Vpn,
    /// A Tor exit node.
    Tor,
    /// Listed by the examiner as an anonymizer (`--anonymizer-list`).
    Anonymizer,
}

impl NetClass {
    pub fn as_str(self) -> &'static str {
        match self {
            NetClass::Microsoft => "microsoft",
            NetClass::MobileCarrier => "mobile_carrier",
            NetClass::Hosting => "hosting",
            NetClass::Vpn => "vpn",
            NetClass::Tor => "tor",
            NetClass::Anonymizer => "anonymizer",
        }
    }

    /// Networks that hide where the user really is (hosting, VPN, Tor, anonymizers).
    pub fn is_anonymizing(self) -> bool {
        matches!(self, NetClass::Hosting | NetClass::Vpn | NetClass::Tor | NetClass::Anonymizer)
    }
}

/// A location a database gives for an address (the record's own location stays in the table).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IpLocation {
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The database placed the address in a city; otherwise the coordinates are the country's.
    pub city_level: bool,
}

/// Where a fact about an address comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The sign-in record itself.
    Record,
    /// A `--geoip-db` / `--asn-db` database.
    Database,
}

/// Everything known about one IP address.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IpInfo {
    pub asn: Option<u32>,
    pub org: Option<String>,
    pub class: Option<NetClass>,
    pub location: Option<IpLocation>,
    /// Where `asn` comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asn_source: Option<Origin>,
    /// The database's AS number where it differs from the record's (both are kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_asn: Option<u32>,
}

/// Facts about every IP address of the evidence, looked up once.
#[derive(Debug, Default)]
pub struct Enrichment {
    /// Shared with [`crate::geo::Geo`], which locates sign-ins from the database locations.
    by_ip: Arc<HashMap<String, IpInfo>>,
    sources: Arc<Sources>,
    /// IOC indices matched by each address (by itself or its ASN), for addresses that match any.
    ioc_by_ip: HashMap<String, Vec<u32>>,
    /// IOC indices matched by each user agent that matches any.
    ioc_by_agent: HashMap<String, Vec<u32>>,
    /// Distinct addresses in the evidence.
    pub distinct_ips: usize,
    /// Lookups a damaged database could not answer: (file, first error, count).
    pub lookup_errors: Vec<(String, String, usize)>,
}

/// Database errors met by a lookup: (index of the input file, error).
type LookupErrors = Vec<(usize, String)>;

/// One address's lookup: what is known and the database errors met.
fn lookup(ip: &str, record_asn: Option<u32>, s: &Sources) -> (IpInfo, LookupErrors) {
    let mut errors = Vec::new();
    let parsed: Option<IpAddr> = ip.parse().ok();
    let mut db_asn: Option<(u32, Option<String>)> = None;
    let mut location = None;
    if let Some(addr) = parsed {
        for (file, db) in &s.asn {
            match db.lookup(addr) {
                Ok(Some(found)) => {
                    db_asn = Some(found);
                    break;
                }
                Ok(None) => {}
                Err(e) => errors.push((*file, e)),
            }
        }
        for (file, db) in &s.geo {
            match db.location(addr) {
                Ok(Some(found)) => {
                    location = Some(found);
                    break;
                }
                Ok(None) => {}
                Err(e) => errors.push((*file, e.to_string())),
            }
        }
    }
    let asn = record_asn.or(db_asn.as_ref().map(|d| d.0));
    let asn_source = match (record_asn, &db_asn) {
        (Some(_), _) => Some(Origin::Record),
        (None, Some(_)) => Some(Origin::Database),
        _ => None,
    };
    let db_org = db_asn.as_ref().filter(|d| Some(d.0) == asn).and_then(|d| d.1.clone());
    let info = IpInfo {
        asn,
        org: asn.and_then(networks::org_of_asn).map(str::to_string).or(db_org),
        class: s.nets.class_of(parsed, asn).or_else(|| asn.and_then(networks::class_of_asn)),
        location,
        asn_source,
        database_asn: db_asn.map(|d| d.0).filter(|&d| record_asn.is_some_and(|r| r != d)),
    };
    (info, errors)
}

/// The first ASN a record gives each address of `rows`, in row order (so the result does not
/// depend on threads), with the row it came from: `(row, None)` is the address's first row when no
/// record gives an ASN. A bucketed audit merges these per address by table order.
pub fn record_asns<'a>(rows: &Rows<'a>) -> HashMap<&'a str, (usize, Option<u32>)> {
    let mut out: HashMap<&'a str, (usize, Option<u32>)> = HashMap::new();
    for i in 0..rows.len {
        if let Some(ip) = rows.ip.get(i) {
            let e = out.entry(ip).or_insert((i, None));
            if e.1.is_none()
                && let Some(asn) = rows.asn(i)
            {
                *e = (i, Some(asn));
            }
        }
    }
    out
}

impl Enrichment {
    /// What the records themselves say: the ASN a record carries (first one seen in table order, so
    /// the result does not depend on threads), classified by the built-in lists.
    pub fn from_records(table: &SignInTable) -> Self {
        Self::build(table, &Arc::new(Sources::default()))
    }

    /// Look every distinct address of `table` up once in the records and in `sources`.
    pub fn build(table: &SignInTable, sources: &Arc<Sources>) -> Self {
        let Ok(rows) = Rows::new(&table.batch) else { return Enrichment { sources: sources.clone(), ..Default::default() } };
        let ips: Vec<(&str, Option<u32>)> = record_asns(&rows).into_iter().map(|(ip, (_, asn))| (ip, asn)).collect();
        Self::from_ips(ips, sources).for_rows(Some(&rows))
    }

    /// Look up `ips` (each with the first ASN a record gives it, see [`record_asns`]) in the records
    /// and in `sources`. User-agent indicators are matched per table by [`Self::for_rows`].
    pub fn from_ips(mut ips: Vec<(&str, Option<u32>)>, sources: &Arc<Sources>) -> Self {
        ips.sort_unstable();
        let looked: Vec<(&str, IpInfo, LookupErrors)> = ips
            .par_iter()
            .map(|&(ip, asn)| {
                let (info, errors) = lookup(ip, asn, sources);
                (ip, info, errors)
            })
            .collect();
        let mut by_ip = HashMap::new();
        let mut ioc_by_ip = HashMap::new();
        let mut errors: Vec<(usize, String, usize)> = Vec::new();
        for (ip, info, errs) in looked {
            for (file, e) in errs {
                match errors.iter_mut().find(|x| x.0 == file) {
                    Some(x) => x.2 += 1,
                    None => errors.push((file, e, 1)),
                }
            }
            if let Some(list) = &sources.ioc {
                let hits = list.by_network(ip.parse().ok(), info.asn);
                if !hits.is_empty() {
                    ioc_by_ip.insert(ip.to_string(), hits);
                }
            }
            if info != IpInfo::default() {
                by_ip.insert(ip.to_string(), info);
            }
        }
        errors.sort();
        Enrichment {
            by_ip: Arc::new(by_ip),
            sources: sources.clone(),
            ioc_by_ip,
            ioc_by_agent: HashMap::new(),
            distinct_ips: ips.len(),
            lookup_errors: errors.into_iter().map(|(f, e, n)| (sources.files[f].path.clone(), e, n)).collect(),
        }
    }

    /// The same facts, with the user-agent indicators matched against the agents of `rows` (the
    /// only rows the result will be asked about). Cheap without row indicators.
    pub fn for_rows(&self, rows: Option<&Rows<'_>>) -> Self {
        let ioc_by_agent = match (&self.sources.ioc, rows) {
            (Some(list), Some(rows)) if list.has_row_indicators() => {
                let agents: HashSet<&str> = (0..rows.len).filter_map(|i| rows.user_agent.get(i)).collect();
                agents.into_iter().filter_map(|ua| Some((ua.to_string(), Some(list.by_agent(ua)).filter(|h| !h.is_empty())?))).collect()
            }
            _ => HashMap::new(),
        };
        Enrichment {
            by_ip: self.by_ip.clone(),
            sources: self.sources.clone(),
            ioc_by_ip: self.ioc_by_ip.clone(),
            ioc_by_agent,
            distinct_ips: self.distinct_ips,
            lookup_errors: self.lookup_errors.clone(),
        }
    }

    /// Record what is known about `ip` (used by tests).
    pub fn insert(&mut self, ip: &str, info: IpInfo) {
        Arc::make_mut(&mut self.by_ip).insert(ip.to_string(), info);
    }

    pub fn info(&self, ip: &str) -> Option<&IpInfo> {
        self.by_ip.get(ip)
    }

    pub fn class(&self, ip: &str) -> Option<NetClass> {
        self.info(ip).and_then(|i| i.class)
    }

    pub fn asn(&self, ip: &str) -> Option<u32> {
        self.info(ip).and_then(|i| i.asn)
    }

    /// The AS number of row `i`: the record's own, else what is known about its address. This is
    /// the per-sign-in ASN a baseline learns and a "new ASN" signal compares.
    pub fn row_asn(&self, rows: &Rows<'_>, i: usize) -> Option<u32> {
        rows.asn(i).or_else(|| rows.ip.get(i).and_then(|ip| self.asn(ip)))
    }

    /// What is known about every address that has any fact (no order).
    pub fn infos(&self) -> impl Iterator<Item = &IpInfo> {
        self.by_ip.values()
    }

    /// Every address's facts, shared (for [`crate::geo::Geo`]).
    pub fn shared(&self) -> Arc<HashMap<String, IpInfo>> {
        self.by_ip.clone()
    }

    /// The inputs the enrichment was built from.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// The examiner's indicators (`--ioc`), empty without a list.
    pub fn iocs(&self) -> &[Ioc] {
        self.sources.ioc.as_ref().map_or(&[], |l| l.iocs.as_slice())
    }

    /// Indices into [`Self::iocs`] of the indicators row `i` matches, sorted and unique.
    pub fn ioc_matches(&self, rows: &Rows<'_>, i: usize) -> Vec<u32> {
        let Some(list) = &self.sources.ioc else { return Vec::new() };
        let mut out: Vec<u32> = rows.ip.get(i).and_then(|ip| self.ioc_by_ip.get(ip)).cloned().unwrap_or_default();
        // The row's own ASN may differ from the address's (first-seen) one.
        if let Some(asn) = rows.asn(i).filter(|a| Some(*a) != rows.ip.get(i).and_then(|ip| self.asn(ip))) {
            out.extend(list.by_network(None, Some(asn)));
        }
        if list.has_row_indicators() {
            if let Some(hits) = rows.user_agent.get(i).and_then(|ua| self.ioc_by_agent.get(ua)) {
                out.extend(hits);
            }
            if let Some(s) = rows.session_id.get(i) {
                out.extend(list.by_session(s));
            }
            for app in [rows.app_id.get(i), rows.app_name.get(i)].into_iter().flatten() {
                out.extend(list.by_app(app));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn len(&self) -> usize {
        self.by_ip.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_ip.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::model::{SignIn, TableBuilder};

    fn table(rows: &[(&'static str, Option<u32>)]) -> SignInTable {
        let mut tb = TableBuilder::new("t.json", "graph", 0);
        for &(ip, asn) in rows {
            tb.push(&SignIn {
                time: crate::model::time::parse_time("2024-03-13T14:00:00Z", 0),
                user_principal_name: Some(Cow::Borrowed("u@contoso.example")),
                ip_address: Some(Cow::Borrowed(ip)),
                autonomous_system_number: asn,
                user_agent: Some(Cow::Borrowed("python-requests/2.31")),
                ..Default::default()
            })
            .unwrap();
        }
        SignInTable::from_sorted(tb.finish().unwrap().batch).unwrap()
    }

    #[test]
    fn classes_by_precedence_and_ioc_matches() {
        let mut sources = Sources::default();
        // The examiner's VPN egress inside Microsoft's AS8075, and a hosting ASN of their own.
        sources.nets.add_text("vpn:192.0.2.0/28\nhosting:AS64500\n", NetClass::Anonymizer).unwrap();
        sources.ioc = Some(ioc::IocList::parse("AS14061\nua:python\n").unwrap());
        let t =
            table(&[("192.0.2.1", Some(8075)), ("192.0.2.99", Some(8075)), ("198.51.100.1", Some(64500)), ("203.0.113.1", Some(14061))]);
        let net = Enrichment::build(&t, &Arc::new(sources));
        assert_eq!(net.class("192.0.2.1"), Some(NetClass::Vpn), "an address entry beats the built-in ASN list");
        assert_eq!(net.class("192.0.2.99"), Some(NetClass::Microsoft));
        assert_eq!(net.class("198.51.100.1"), Some(NetClass::Hosting));
        assert_eq!(net.info("203.0.113.1").and_then(|i| i.org.as_deref()), Some("DigitalOcean, LLC"));
        assert_eq!(net.distinct_ips, 4);
        let rows = Rows::new(&t.batch).unwrap();
        assert_eq!(net.ioc_matches(&rows, 3), [0, 1]);
        assert_eq!(net.ioc_matches(&rows, 0), [1]);
        assert_eq!(net.row_asn(&rows, 2), Some(64500));
    }
}
