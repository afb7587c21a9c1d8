//! The examiner's network lists (`--anonymizer-list`): IP addresses, CIDR blocks and ASNs, each with
//! the class it gives an address.
//!
//! One entry per line; blank lines and `#` comments are ignored. An entry is an IP (`203.0.113.7`),
//! a CIDR block (`198.51.100.0/24`), or an ASN (`AS9009`, `asn:9009` or `9009`), optionally prefixed
//! by a class (`tor:`, `vpn:`, `hosting:`, `anonymizer:`, `mobile_carrier:`, `microsoft:`); without
//! one, the file's class applies (`anonymizer`, or the `CLASS=FILE` form of the flag). A line whose
//! first comma-separated field is an entry is read as that entry, so Apple's iCloud Private Relay
//! `egress-ip-ranges.csv` (`prefix,country,region,city,`) can be given as it is downloaded.
//!
//! The Tor Project's exit list (`https://check.torproject.org/exit-addresses`, the TorDNSEL format:
//! blocks of `ExitNode FINGERPRINT`, `Published DATE TIME`, `LastStatus DATE TIME` and one or more
//! `ExitAddress IP DATE TIME` lines) is recognised line by line: every `ExitAddress` is a Tor exit,
//! the other keywords are skipped. The bulk list (`torbulkexitlist`, one IP per line) is a plain list:
//! give it as `--anonymizer-list tor=FILE`.

use std::collections::HashMap;
use std::net::IpAddr;

use super::NetClass;
use super::prefix::{IpPrefix, PrefixTable};

/// Every class, by the name the lists and the reports use.
pub const CLASSES: &[NetClass] =
    &[NetClass::Microsoft, NetClass::MobileCarrier, NetClass::Hosting, NetClass::Vpn, NetClass::Tor, NetClass::Anonymizer];

/// The class named `s` (`tor`, `vpn`...).
pub fn class_named(s: &str) -> Option<NetClass> {
    let s = s.trim().to_ascii_lowercase();
    CLASSES.iter().copied().find(|c| c.as_str() == s)
}

/// A line without its comment, trimmed, with defanged IOC notation undone (`203.0.113[.]7`,
/// `2001:db8[:]:1`), as threat-intelligence reports write addresses.
pub fn clean_line(line: &str) -> String {
    let line = line.split('#').next().unwrap_or("").trim();
    line.replace("[.]", ".").replace("(.)", ".").replace("[:]", ":")
}

/// `AS9009`, `as9009`, `asn:9009`, `ASN 9009` or a bare number.
pub fn parse_asn(s: &str) -> Option<u32> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let digits = lower.strip_prefix("asn:").or_else(|| lower.strip_prefix("asn")).or_else(|| lower.strip_prefix("as")).unwrap_or(&lower);
    let digits = digits.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// One network entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetEntry {
    Ip(IpAddr),
    Prefix(IpPrefix),
    Asn(u32),
}

/// An IP, a CIDR block or an ASN.
pub fn parse_net_entry(s: &str) -> Option<NetEntry> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(NetEntry::Ip(ip));
    }
    if s.contains('/') {
        return IpPrefix::parse(s).map(NetEntry::Prefix);
    }
    parse_asn(s).map(NetEntry::Asn)
}

/// Networks with a class, merged from every `--anonymizer-list` file.
#[derive(Debug, Default, Clone)]
pub struct NetList {
    /// Addresses (as /32 and /128) and blocks; the most specific wins.
    pub prefixes: PrefixTable<NetClass>,
    pub asns: HashMap<u32, NetClass>,
}

impl NetList {
    /// Add the entries of one file. Returns the number of entries, or the first bad line (1-based)
    /// and why it is bad.
    pub fn add_text(&mut self, text: &str, class: NetClass) -> Result<usize, (usize, String)> {
        let mut n = 0;
        for (k, raw) in text.lines().enumerate() {
            let line = clean_line(raw);
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let (class, value) = match words.next().unwrap_or("") {
                "ExitNode" | "Published" | "LastStatus" => continue,
                "ExitAddress" => (NetClass::Tor, words.next().unwrap_or("").to_string()),
                _ => match line.split_once(':') {
                    Some((head, rest)) if class_named(head).is_some() => (class_named(head).unwrap_or(class), rest.trim().to_string()),
                    _ => (class, line.clone()),
                },
            };
            let field = value.split(',').next().unwrap_or("").trim();
            match parse_net_entry(field) {
                Some(NetEntry::Ip(ip)) => self.prefixes.insert(IpPrefix::host(ip), class),
                Some(NetEntry::Prefix(p)) => self.prefixes.insert(p, class),
                Some(NetEntry::Asn(a)) => {
                    self.asns.entry(a).or_insert(class);
                }
                None => return Err((k + 1, format!("{value:?} is not an IP address, a CIDR block or an AS number"))),
            }
            n += 1;
        }
        Ok(n)
    }

    /// The class the lists give `ip` (an address or block entry wins over its ASN's entry).
    pub fn class_of(&self, ip: Option<IpAddr>, asn: Option<u32>) -> Option<NetClass> {
        ip.and_then(|ip| self.prefixes.get(ip).map(|(_, c)| *c)).or_else(|| asn.and_then(|a| self.asns.get(&a).copied()))
    }

    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty() && self.asns.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn plain_list_with_prefixes_and_comments() {
        let mut l = NetList::default();
        let text = "# our VPN egress\nvpn: 192.0.2.0/28  # Paris PoP\n203.0.113.7\nAS64500\n\ntor:2001:db8::66\nhosting:asn:64501\n198.51.100[.]9\n";
        assert_eq!(l.add_text(text, NetClass::Anonymizer), Ok(6));
        assert_eq!(l.class_of(ip("192.0.2.5"), None), Some(NetClass::Vpn));
        assert_eq!(l.class_of(ip("203.0.113.7"), Some(64500)), Some(NetClass::Anonymizer), "the address entry wins");
        assert_eq!(l.class_of(ip("203.0.113.8"), Some(64500)), Some(NetClass::Anonymizer));
        assert_eq!(l.class_of(ip("2001:db8::66"), None), Some(NetClass::Tor));
        assert_eq!(l.class_of(None, Some(64501)), Some(NetClass::Hosting));
        assert_eq!(l.class_of(ip("198.51.100.9"), None), Some(NetClass::Anonymizer), "defanged");
        assert_eq!(l.class_of(ip("198.51.100.10"), Some(1)), None);
    }

    #[test]
    fn tor_exit_addresses_format() {
        let text = "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished 2026-10-30 12:05:11\nLastStatus 2026-10-31 13:00:00\nExitAddress 198.51.100.77 2026-10-31 13:08:21\nExitAddress 198.51.100.78 2026-10-31 14:08:21\n";
        let mut l = NetList::default();
        assert_eq!(l.add_text(text, NetClass::Anonymizer), Ok(2));
        assert_eq!(l.class_of(ip("198.51.100.78"), None), Some(NetClass::Tor));
    }

    #[test]
    fn relay_csv_and_errors() {
        let mut l = NetList::default();
        assert_eq!(l.add_text("172.224.226.0/27,US,US-CA,Los Angeles,\n", NetClass::Vpn), Ok(1));
        assert_eq!(l.class_of(ip("172.224.226.3"), None), Some(NetClass::Vpn));
        let err = l.add_text("192.0.2.1\nexample.com\n", NetClass::Anonymizer).unwrap_err();
        assert_eq!(err.0, 2);
        assert!(err.1.contains("example.com"), "{}", err.1);
        assert_eq!(parse_asn("ASN 9009"), Some(9009));
        assert_eq!(parse_asn("AS"), None);
        assert_eq!(class_named("Mobile_Carrier"), Some(NetClass::MobileCarrier));
    }
}
