//! IP prefixes (CIDR blocks) as the examiner's lists write them, and a longest-prefix table to look
//! addresses up in them.
//!
//! IPv4 and IPv6 are kept apart (an IPv4 prefix never contains an IPv6 address); IPv4-mapped IPv6
//! addresses (`::ffff:192.0.2.1`) are read as the IPv4 address they carry.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

/// One IP prefix: the network bits (host bits cleared), the prefix length and the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpPrefix {
    v6: bool,
    len: u8,
    bits: u128,
}

/// An address as (is IPv6, value), IPv4-mapped addresses read as IPv4.
pub fn ip_key(ip: IpAddr) -> (bool, u128) {
    match ip.to_canonical() {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (true, u128::from(v6)),
    }
}

fn mask(v6: bool, len: u8, bits: u128) -> u128 {
    let width = if v6 { 128 } else { 32 };
    if len == 0 {
        return 0;
    }
    let keep = u32::from(width - len);
    (bits >> keep) << keep
}

impl IpPrefix {
    /// `a.b.c.d/n` or `x:y::/n`. Host bits are cleared (lists often write `192.0.2.7/24`).
    pub fn parse(s: &str) -> Option<Self> {
        let (addr, len) = s.trim().split_once('/')?;
        let ip: IpAddr = addr.trim().parse().ok()?;
        let len: u8 = len.trim().parse().ok()?;
        let (v6, bits) = ip_key(ip);
        // An IPv4-mapped IPv6 prefix (::ffff:0:0/96 and longer) is an IPv4 prefix.
        let (v6, len) = match (ip.to_canonical(), ip) {
            (IpAddr::V4(_), IpAddr::V6(_)) => (false, len.checked_sub(96)?),
            _ => (v6, len),
        };
        if len > if v6 { 128 } else { 32 } {
            return None;
        }
        Some(IpPrefix { v6, len, bits: mask(v6, len, bits) })
    }

    /// The single address `ip` as a /32 or /128.
    pub fn host(ip: IpAddr) -> Self {
        let (v6, bits) = ip_key(ip);
        IpPrefix { v6, len: if v6 { 128 } else { 32 }, bits }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let (v6, bits) = ip_key(ip);
        v6 == self.v6 && mask(v6, self.len, bits) == self.bits
    }
}

impl fmt::Display for IpPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.v6 {
            write!(f, "{}/{}", std::net::Ipv6Addr::from(self.bits), self.len)
        } else {
            write!(f, "{}/{}", std::net::Ipv4Addr::from(self.bits as u32), self.len)
        }
    }
}

/// Prefixes with a value each; a lookup returns the value of the longest prefix containing the
/// address (one hash probe per distinct prefix length in the table).
#[derive(Debug, Clone)]
pub struct PrefixTable<T> {
    map: HashMap<IpPrefix, T>,
    /// Distinct (family, length) pairs, longest first.
    lengths: Vec<(bool, u8)>,
}

impl<T> Default for PrefixTable<T> {
    fn default() -> Self {
        PrefixTable { map: HashMap::new(), lengths: Vec::new() }
    }
}

impl<T> PrefixTable<T> {
    /// Add a prefix; the first value given for a prefix is kept.
    pub fn insert(&mut self, p: IpPrefix, value: T) {
        if !self.lengths.contains(&(p.v6, p.len)) {
            self.lengths.push((p.v6, p.len));
            self.lengths.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        self.map.entry(p).or_insert(value);
    }

    pub fn get(&self, ip: IpAddr) -> Option<(IpPrefix, &T)> {
        let (v6, bits) = ip_key(ip);
        self.lengths.iter().filter(|(f, _)| *f == v6).find_map(|&(_, len)| {
            let p = IpPrefix { v6, len, bits: mask(v6, len, bits) };
            self.map.get(&p).map(|v| (p, v))
        })
    }

    /// Every prefix containing `ip`, longest first.
    pub fn all(&self, ip: IpAddr) -> impl Iterator<Item = (IpPrefix, &T)> + '_ {
        let (v6, bits) = ip_key(ip);
        self.lengths.iter().filter(move |(f, _)| *f == v6).filter_map(move |&(_, len)| {
            let p = IpPrefix { v6, len, bits: mask(v6, len, bits) };
            self.map.get(&p).map(|v| (p, v))
        })
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parse_and_contain() {
        let p = IpPrefix::parse("192.0.2.77/24").unwrap();
        assert_eq!(p.to_string(), "192.0.2.0/24");
        assert!(p.contains(ip("192.0.2.1")));
        assert!(p.contains(ip("::ffff:192.0.2.9")), "IPv4-mapped addresses are IPv4");
        assert!(!p.contains(ip("192.0.3.1")));
        assert!(!p.contains(ip("2001:db8::1")));
        let v6 = IpPrefix::parse("2001:db8:12::/48").unwrap();
        assert!(v6.contains(ip("2001:db8:12:34::1")));
        assert!(!v6.contains(ip("2001:db8:13::1")));
        assert_eq!(IpPrefix::parse("::ffff:198.51.100.0/120"), IpPrefix::parse("198.51.100.0/24"));
        assert!(IpPrefix::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.5")));
        for bad in ["192.0.2.0/33", "2001:db8::/129", "192.0.2.0", "x/8", "192.0.2.0/"] {
            assert_eq!(IpPrefix::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn longest_prefix_wins() {
        let mut t = PrefixTable::default();
        t.insert(IpPrefix::parse("198.51.0.0/16").unwrap(), "wide");
        t.insert(IpPrefix::parse("198.51.100.0/24").unwrap(), "narrow");
        t.insert(IpPrefix::host(ip("198.51.100.7")), "host");
        assert_eq!(t.get(ip("198.51.100.7")).map(|x| *x.1), Some("host"));
        assert_eq!(t.get(ip("198.51.100.8")).map(|x| *x.1), Some("narrow"));
        assert_eq!(t.get(ip("198.51.7.8")).map(|x| *x.1), Some("wide"));
        assert_eq!(t.get(ip("203.0.113.1")), None);
        assert_eq!(t.get(ip("2001:db8::1")), None);
    }
}
