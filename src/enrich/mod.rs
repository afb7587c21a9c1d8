//! Offline enrichment of the evidence's IP addresses: autonomous system, organisation, network
//! class and (with a database) location. Every distinct IP is looked up once, before the audit, and
//! the detectors read the result through [`Enrichment`] (via `UserContext::net`).
//!
//! Without any database the enrichment still knows what the records carry themselves (Graph beta's
//! `autonomousSystemNumber`) and classifies those ASNs with the built-in lists of [`networks`].
//! This module owns IP facts only; what a class means for risk is decided by the detectors.

pub mod networks;

use std::collections::HashMap;

use serde::Serialize;

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
}

/// Everything known about one IP address.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IpInfo {
    pub asn: Option<u32>,
    pub org: Option<String>,
    pub class: Option<NetClass>,
    pub location: Option<IpLocation>,
}

/// Facts about every IP address of the evidence, looked up once.
#[derive(Debug, Default)]
pub struct Enrichment {
    by_ip: HashMap<String, IpInfo>,
}

impl Enrichment {
    /// What the records themselves say: the ASN a record carries (first one seen in table order, so
    /// the result does not depend on threads), classified by the built-in lists.
    pub fn from_records(table: &SignInTable) -> Self {
        let mut by_ip: HashMap<String, IpInfo> = HashMap::new();
        if let Ok(rows) = Rows::new(&table.batch) {
            for i in 0..rows.len {
                let (Some(ip), Some(asn)) = (rows.ip.get(i), rows.asn(i)) else { continue };
                by_ip.entry(ip.to_string()).or_insert_with(|| IpInfo {
                    asn: Some(asn),
                    org: networks::org_of_asn(asn).map(str::to_string),
                    class: networks::class_of_asn(asn),
                    location: None,
                });
            }
        }
        Enrichment { by_ip }
    }

    /// Record what is known about `ip` (used by the database loaders and by tests).
    pub fn insert(&mut self, ip: &str, info: IpInfo) {
        self.by_ip.insert(ip.to_string(), info);
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

    pub fn len(&self) -> usize {
        self.by_ip.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_ip.is_empty()
    }
}
