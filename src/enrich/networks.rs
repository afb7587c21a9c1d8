//! Built-in knowledge of a few autonomous systems whose class matters to a finding: Microsoft's own
//! networks, major mobile carriers, and major cloud / VPS / VPN providers. Each entry names its source.
//! The list is deliberately small and conservative: an ASN not listed has no class.

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

/// Sorted by ASN (checked by a test).
pub static KNOWN_ASNS: &[KnownAsn] = &[KnownAsn {
    asn: 8075,
    class: NetClass::Microsoft,
    org: "Microsoft Corporation",
    source: "ARIN AS8075 (MICROSOFT-CORP-MSN-AS-BLOCK)",
}];

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
    fn sorted_and_unique() {
        assert!(KNOWN_ASNS.windows(2).all(|w| w[0].asn < w[1].asn));
        assert_eq!(class_of_asn(8075), Some(NetClass::Microsoft));
        assert_eq!(class_of_asn(1), None);
    }
}
