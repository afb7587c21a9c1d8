//! The ip-location-db ASN table (`asn-ipv4.csv`, `asn-ipv6.csv`, CC BY 4.0, from RouteViews, DB-IP
//! and the NRO): `range_start,range_end,autonomous_system_number,autonomous_system_organization`,
//! no header, organisations quoted when they hold a comma. The `-num` variants write the range as
//! integers instead of addresses; both are read (an integer above 2^32 - 1 is an IPv6 address).
//!
//! Loaded once into sorted range tables and searched by binary search.

use std::collections::HashMap;
use std::net::IpAddr;

use super::prefix::ip_key;

/// One file's ranges, IPv4 and IPv6 apart, sorted by start.
#[derive(Debug, Default)]
pub struct AsnRanges {
    v4: Vec<(u32, u32, u32, u32)>,
    v6: Vec<(u128, u128, u32, u32)>,
    orgs: Vec<String>,
}

/// A range bound: an address, or its integer form.
fn bound(s: &str) -> Option<(bool, u128)> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip_key(ip));
    }
    let n: u128 = s.parse().ok()?;
    Some((n > u128::from(u32::MAX), n))
}

impl AsnRanges {
    /// Parse the CSV text. Errors carry the 1-based line and the reason.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut out = AsnRanges::default();
        let mut org_ids: HashMap<String, u32> = HashMap::new();
        let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        // One record reused for every line: the files have half a million of them.
        let mut rec = csv::StringRecord::new();
        loop {
            let line = rd.position().line() as usize;
            match rd.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err((line, e.to_string())),
            }
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let bad = |what: &str| (line, format!("{what} (expected range_start,range_end,asn,organisation)"));
            let (Some((s6, start)), Some((e6, end))) = (rec.get(0).and_then(bound), rec.get(1).and_then(bound)) else {
                return Err(bad("not an address range"));
            };
            let asn: u32 = rec.get(2).and_then(|a| a.trim().parse().ok()).ok_or_else(|| bad("no AS number"))?;
            if s6 != e6 || end < start {
                return Err(bad("the range ends before it starts or mixes IPv4 and IPv6"));
            }
            let org = rec.get(3).map(str::trim).unwrap_or("");
            let id = match org_ids.get(org) {
                Some(&id) => id,
                None => {
                    let id = out.orgs.len() as u32;
                    org_ids.insert(org.to_string(), id);
                    out.orgs.push(org.to_string());
                    id
                }
            };
            if s6 {
                out.v6.push((start, end, asn, id));
            } else {
                out.v4.push((start as u32, end as u32, asn, id));
            }
        }
        out.v4.sort_unstable();
        out.v6.sort_unstable();
        Ok(out)
    }

    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The AS number and organisation (if the file names one) of the range holding `ip`.
    pub fn lookup(&self, ip: IpAddr) -> Option<(u32, Option<&str>)> {
        let (v6, n) = ip_key(ip);
        let found = if v6 {
            let i = self.v6.partition_point(|r| r.0 <= n).checked_sub(1)?;
            let r = self.v6[i];
            (n <= r.1).then_some((r.2, r.3))
        } else {
            let n = n as u32;
            let i = self.v4.partition_point(|r| r.0 <= n).checked_sub(1)?;
            let r = self.v4[i];
            (n <= r.1).then_some((r.2, r.3))
        }?;
        let org = self.orgs.get(found.1 as usize).map(String::as_str).filter(|o| !o.is_empty());
        Some((found.0, org))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn text_and_numeric_ranges() {
        let text = "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\n2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64500,Example\n3221225984,3221226239,64496,Documentation\n";
        let t = AsnRanges::parse(text).unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t.lookup(ip("1.0.0.9")), Some((13335, Some("Cloudflare, Inc."))));
        assert_eq!(t.lookup(ip("1.0.7.255")), Some((38803, Some("Gtelecom Pty Ltd"))));
        assert_eq!(t.lookup(ip("1.0.8.0")), None);
        assert_eq!(t.lookup(ip("0.255.255.255")), None);
        assert_eq!(t.lookup(ip("2001:db8:1::7")), Some((64500, Some("Example"))));
        assert_eq!(t.lookup(ip("192.0.2.7")), Some((64496, Some("Documentation"))), "3221225984 is 192.0.2.0");
        assert_eq!(t.lookup(ip("::ffff:1.0.0.1")), Some((13335, Some("Cloudflare, Inc."))));
    }

    #[test]
    fn bad_lines_are_named() {
        let err = AsnRanges::parse("1.0.0.0,1.0.0.255,13335,X\nnot,a,range\n").unwrap_err();
        assert_eq!(err.0, 2, "{err:?}");
        let err = AsnRanges::parse("1.0.0.9,1.0.0.1,1,X\n").unwrap_err();
        assert!(err.1.contains("ends before"), "{err:?}");
    }
}
