//! Built-in knowledge of a few autonomous systems whose class matters to a finding: Microsoft's own
//! networks, major mobile carriers, and major cloud / VPS / VPN providers. Each entry names its source.
//!
//! The list is deliberately small and conservative: an ASN not listed has no class, and an operator
//! whose ASN carries both home broadband and mobile traffic (Telstra AS1221, Vodafone DE AS3209) is
//! left out rather than guessed. Examiners extend or override it with `--anonymizer-list`.
//!
//! Sources: `source` names the registry record of each ASN (RIR, AS number, registered holder) and,
//! where there is one, the operator's documentation or the peer rule that lists it. `org` is the
//! holder name as the RouteViews / DB-IP ASN data publish it (`@ip-location-db/asn`, 2026-06-17), so
//! it matches what `--asn-db` reports for the same ASN. Several hosting ASNs also appear in the
//! suspicious-ASN list of Elastic's Entra ID device-registration rules (elastic/detection-rules,
//! `rules/integrations/azure/`) or the ASN blacklist of LETHAL-FORENSICS/Microsoft-Analyzer-Suite.

use super::NetClass;

/// One known autonomous system.
#[derive(Debug, Clone, Copy)]
pub struct KnownAsn {
    pub asn: u32,
    pub class: NetClass,
    pub org: &'static str,
    /// Where the assignment comes from (a registry record or the operator's own documentation).
    pub source: &'static str,
}

const fn known(asn: u32, class: NetClass, org: &'static str, source: &'static str) -> KnownAsn {
    KnownAsn { asn, class, org, source }
}

use NetClass::{Hosting, Microsoft, MobileCarrier, Vpn};

/// Sorted by ASN (checked by a test).
///
/// Microsoft: service-side sign-ins (Exchange, SharePoint, Teams acting on the user's behalf) come
/// from these. Azure virtual machines egress from AS8075 too, so the class means "Microsoft's
/// network", not "benign".
/// Mobile carriers: ASNs that carry the operator's mobile network only; their addresses come from
/// national pools, geolocated far from the handset.
/// Hosting: cloud and VPS providers, where attacker infrastructure usually runs.
/// VPN: privacy relays and security proxies that hide where the user is.
pub static KNOWN_ASNS: &[KnownAsn] = &[
    known(3598, Microsoft, "Microsoft Corporation", "ARIN AS3598 (Microsoft Corporation)"),
    known(6167, MobileCarrier, "Verizon Business", "ARIN AS6167 (Cellco Partnership DBA Verizon Wireless)"),
    known(8068, Microsoft, "Microsoft Corporation", "ARIN AS8068 (Microsoft Corporation)"),
    known(8069, Microsoft, "Microsoft Corporation", "ARIN AS8069 (Microsoft Corporation)"),
    known(8075, Microsoft, "Microsoft Corporation", "ARIN AS8075 (MICROSOFT-CORP-MSN-AS-BLOCK)"),
    known(9009, Hosting, "M247 Europe SRL", "RIPE AS9009 (M247); Elastic Entra ID suspicious-ASN list"),
    known(
        12076,
        Microsoft,
        "Microsoft Corporation",
        "ARIN AS12076; Microsoft's ExpressRoute ASN (learn.microsoft.com/azure/expressroute/expressroute-routing)",
    ),
    known(12876, Hosting, "Scaleway SAS", "RIPE AS12876 (Scaleway)"),
    known(13335, Vpn, "Cloudflare, Inc.", "ARIN AS13335 (Cloudflare): WARP and privacy-relay egress, also Workers"),
    known(14061, Hosting, "DigitalOcean, LLC", "ARIN AS14061 (DigitalOcean); Elastic Entra ID suspicious-ASN list"),
    known(14618, Hosting, "Amazon.com, Inc.", "ARIN AS14618 (Amazon AWS)"),
    known(16276, Hosting, "OVH SAS", "RIPE AS16276 (OVH)"),
    known(16509, Hosting, "Amazon.com, Inc.", "ARIN AS16509 (Amazon AWS)"),
    known(20057, MobileCarrier, "AT&T Enterprises, LLC", "ARIN AS20057 (AT&T Mobility LLC)"),
    known(20473, Hosting, "The Constant Company, LLC", "ARIN AS20473 (The Constant Company / Vultr)"),
    known(21928, MobileCarrier, "T-Mobile USA, Inc.", "ARIN AS21928 (T-Mobile USA)"),
    known(22394, MobileCarrier, "Verizon Business", "ARIN AS22394 (Cellco Partnership DBA Verizon Wireless)"),
    known(24940, Hosting, "Hetzner Online GmbH", "RIPE AS24940 (Hetzner Online)"),
    known(31898, Hosting, "Oracle Corporation", "ARIN AS31898 (Oracle Cloud Infrastructure)"),
    known(45102, Hosting, "Alibaba (US) Technology Co., Ltd.", "APNIC AS45102 (Alibaba Cloud); Elastic Entra ID suspicious-ASN list"),
    known(51167, Hosting, "Contabo GmbH", "RIPE AS51167 (Contabo)"),
    known(60068, Hosting, "Datacamp Limited", "RIPE AS60068 (Datacamp / CDN77): commercial VPN egress"),
    known(60781, Hosting, "LeaseWeb Netherlands B.V.", "RIPE AS60781 (Leaseweb)"),
    known(62044, Vpn, "Zscaler Switzerland GmbH", "RIPE AS62044 (Zscaler): security-proxy egress"),
    known(63949, Hosting, "Akamai Technologies, Inc.", "ARIN AS63949 (Linode, now Akamai)"),
    known(
        132203,
        Hosting,
        "Shenzhen Tencent Computer Systems Company Limited",
        "APNIC AS132203 (Tencent Cloud); Elastic Entra ID suspicious-ASN list",
    ),
    known(396982, Hosting, "Google LLC", "ARIN AS396982 (Google Cloud Platform)"),
];

fn find(asn: u32) -> Option<&'static KnownAsn> {
    KNOWN_ASNS.binary_search_by_key(&asn, |k| k.asn).ok().map(|i| &KNOWN_ASNS[i])
}

/// The class of a listed ASN.
pub fn class_of_asn(asn: u32) -> Option<NetClass> {
    find(asn).map(|k| k.class)
}

/// The organisation of a listed ASN.
pub fn org_of_asn(asn: u32) -> Option<&'static str> {
    find(asn).map(|k| k.org)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_and_sourced() {
        assert!(KNOWN_ASNS.windows(2).all(|w| w[0].asn < w[1].asn));
        for k in KNOWN_ASNS {
            assert!(k.source.contains(&format!("AS{}", k.asn)), "the source of AS{} must name it", k.asn);
            assert!(!k.org.is_empty());
        }
        assert_eq!(class_of_asn(8075), Some(NetClass::Microsoft));
        assert_eq!(class_of_asn(14061), Some(NetClass::Hosting));
        assert_eq!(class_of_asn(21928), Some(NetClass::MobileCarrier));
        assert_eq!(class_of_asn(1), None);
    }
}
