//! The examiner's indicators of compromise (`--ioc FILE`) and the sign-ins they match.
//!
//! One indicator per line; blank lines and `#` comments are ignored, defanged addresses
//! (`203.0.113[.]7`) are read as addresses. A line is typed by its prefix or recognised:
//!
//! | prefix | matches | recognised without prefix |
//! |---|---|---|
//! | `ip:` | the sign-in's IP address | an IP address |
//! | `cidr:` | an IP inside the block | `a.b.c.d/n`, `x::/n` |
//! | `asn:` | the IP's AS number (the record's, else the `--asn-db`'s) | `AS64500` |
//! | `ua:` | a user-agent substring, case-insensitive | never (any text could be one) |
//! | `session:` | the session id | a GUID matches both session and app ids |
//! | `app:` | the app id or display name, case-insensitive | (see above) |
//!
//! Lines that are none of these (domains, URLs, file hashes of a mixed threat-intelligence list)
//! are skipped and listed in the report, not an error: the rest of the list still counts. A prefixed
//! line whose value is malformed is an error, since the examiner said what it was.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;

use super::lists::{clean_line, parse_asn};
use super::prefix::{IpPrefix, PrefixTable};

/// What an indicator is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IocKind {
    Ip,
    Cidr,
    Asn,
    UserAgent,
    Session,
    App,
}

/// Every kind with its line prefix.
const PREFIXES: &[(&str, IocKind)] = &[
    ("ip", IocKind::Ip),
    ("cidr", IocKind::Cidr),
    ("asn", IocKind::Asn),
    ("ua", IocKind::UserAgent),
    ("session", IocKind::Session),
    ("app", IocKind::App),
];

impl IocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IocKind::Ip => "ip",
            IocKind::Cidr => "cidr",
            IocKind::Asn => "asn",
            IocKind::UserAgent => "ua",
            IocKind::Session => "session",
            IocKind::App => "app",
        }
    }

    /// Whether the indicator names one machine or one stolen session (an address, a block, a
    /// session id) rather than a population (an ASN, a user-agent substring, an app).
    pub fn is_specific(self) -> bool {
        matches!(self, IocKind::Ip | IocKind::Cidr | IocKind::Session)
    }
}

/// One indicator, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ioc {
    pub kind: IocKind,
    pub value: String,
    /// 1-based line of the IOC file.
    pub line: usize,
}

impl Ioc {
    /// `ip:203.0.113.7`
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.value)
    }
}

/// A parsed IOC list with lookup tables per kind (values are indices into `iocs`).
#[derive(Debug, Default)]
pub struct IocList {
    pub iocs: Vec<Ioc>,
    /// Lines that are no indicator this tool can match: (line, text).
    pub skipped: Vec<(usize, String)>,
    prefixes: PrefixTable<Vec<u32>>,
    asns: HashMap<u32, Vec<u32>>,
    sessions: HashMap<String, Vec<u32>>,
    apps: HashMap<String, Vec<u32>>,
    agents: Vec<(String, u32)>,
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36 && b.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

/// The indicators one line holds (a bare GUID is two: a session id and an app id).
fn parse_line(line: &str) -> Result<Vec<(IocKind, String)>, Option<String>> {
    let typed = line.split_once(':').and_then(|(head, rest)| {
        let head = head.trim().to_ascii_lowercase();
        PREFIXES.iter().find(|(p, _)| *p == head).map(|(_, k)| (*k, rest.trim()))
    });
    let Some((kind, value)) = typed else {
        // Recognise.
        if let Ok(ip) = line.parse::<IpAddr>() {
            return Ok(vec![(IocKind::Ip, ip.to_canonical().to_string())]);
        }
        if let Some(p) = IpPrefix::parse(line) {
            return Ok(vec![(IocKind::Cidr, p.to_string())]);
        }
        if line.len() > 2 && line.get(..2).is_some_and(|h| h.eq_ignore_ascii_case("as")) && line.bytes().skip(2).all(|b| b.is_ascii_digit())
        {
            return Ok(vec![(IocKind::Asn, format!("AS{}", &line[2..]))]);
        }
        if is_guid(line) {
            let id = line.to_ascii_lowercase();
            return Ok(vec![(IocKind::Session, id.clone()), (IocKind::App, id)]);
        }
        return Err(None);
    };
    if value.is_empty() {
        return Err(Some(format!("{}: has no value", kind.as_str())));
    }
    let bad = |what: &str| Err(Some(format!("{value:?} is not {what}")));
    match kind {
        IocKind::Ip | IocKind::Cidr => match (value.parse::<IpAddr>(), IpPrefix::parse(value)) {
            (Ok(ip), _) => Ok(vec![(IocKind::Ip, ip.to_canonical().to_string())]),
            (_, Some(p)) => Ok(vec![(IocKind::Cidr, p.to_string())]),
            _ => bad("an IP address or CIDR block"),
        },
        IocKind::Asn => match parse_asn(value) {
            Some(a) => Ok(vec![(IocKind::Asn, format!("AS{a}"))]),
            None => bad("an AS number"),
        },
        IocKind::Session => Ok(vec![(kind, value.to_ascii_lowercase())]),
        IocKind::UserAgent | IocKind::App => Ok(vec![(kind, value.to_string())]),
    }
}

impl IocList {
    /// Parse an IOC file. A malformed prefixed line is an error: (line, reason).
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut list = IocList::default();
        let mut by_prefix: Vec<(IpPrefix, u32)> = Vec::new();
        for (k, raw) in text.lines().enumerate() {
            let line = clean_line(raw);
            if line.is_empty() {
                continue;
            }
            let parsed = match parse_line(&line) {
                Ok(p) => p,
                Err(None) => {
                    list.skipped.push((k + 1, line));
                    continue;
                }
                Err(Some(why)) => return Err((k + 1, why)),
            };
            for (kind, value) in parsed {
                let id = list.iocs.len() as u32;
                match kind {
                    IocKind::Ip | IocKind::Cidr => {
                        let p = value.parse::<IpAddr>().ok().map(IpPrefix::host).or_else(|| IpPrefix::parse(&value));
                        by_prefix.extend(p.map(|p| (p, id)));
                    }
                    IocKind::Asn => list.asns.entry(parse_asn(&value).unwrap_or(0)).or_default().push(id),
                    IocKind::Session => list.sessions.entry(value.clone()).or_default().push(id),
                    IocKind::App => list.apps.entry(value.to_lowercase()).or_default().push(id),
                    IocKind::UserAgent => list.agents.push((value.to_lowercase(), id)),
                }
                list.iocs.push(Ioc { kind, value, line: k + 1 });
            }
        }
        let mut grouped: HashMap<IpPrefix, Vec<u32>> = HashMap::new();
        for (p, id) in by_prefix {
            grouped.entry(p).or_default().push(id);
        }
        let mut grouped: Vec<(IpPrefix, Vec<u32>)> = grouped.into_iter().collect();
        grouped.sort();
        for (p, ids) in grouped {
            list.prefixes.insert(p, ids);
        }
        Ok(list)
    }

    pub fn is_empty(&self) -> bool {
        self.iocs.is_empty()
    }

    /// Indicators an address matches, by itself or by its AS number.
    pub fn by_network(&self, ip: Option<IpAddr>, asn: Option<u32>) -> Vec<u32> {
        let mut out: Vec<u32> = ip.map(|ip| self.prefixes.all(ip).flat_map(|(_, ids)| ids.iter().copied()).collect()).unwrap_or_default();
        if let Some(ids) = asn.and_then(|a| self.asns.get(&a)) {
            out.extend(ids);
        }
        out.sort_unstable();
        out
    }

    /// Whether any indicator looks at something other than the network (user agent, session, app).
    pub fn has_row_indicators(&self) -> bool {
        !(self.sessions.is_empty() && self.apps.is_empty() && self.agents.is_empty())
    }

    /// Indicators a user agent matches.
    pub fn by_agent(&self, ua: &str) -> Vec<u32> {
        if self.agents.is_empty() {
            return Vec::new();
        }
        let ua = ua.to_lowercase();
        self.agents.iter().filter(|(needle, _)| ua.contains(needle.as_str())).map(|(_, id)| *id).collect()
    }

    /// Indicators a session id matches.
    pub fn by_session(&self, session: &str) -> &[u32] {
        self.sessions.get(&session.to_ascii_lowercase()).map_or(&[], Vec::as_slice)
    }

    /// Indicators an app id or display name matches.
    pub fn by_app(&self, app: &str) -> &[u32] {
        self.apps.get(&app.to_lowercase()).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "\
# attacker infrastructure, case 2026-117
203.0.113[.]7
198.51.100.0/24   # VPS block
AS64500
ua:python-requests
session:6F0D1E2C-0000-4000-8000-0000000000AA
app:Microsoft Azure CLI
c44b4083-3bb0-49c1-b47d-974e53cbdf3c
evil.example.com
44d88612fea8a8f36de82e1278abb02f
";

    #[test]
    fn typed_and_recognised() {
        let l = IocList::parse(LIST).unwrap();
        let labels: Vec<String> = l.iocs.iter().map(Ioc::label).collect();
        assert_eq!(
            labels,
            [
                "ip:203.0.113.7",
                "cidr:198.51.100.0/24",
                "asn:AS64500",
                "ua:python-requests",
                "session:6f0d1e2c-0000-4000-8000-0000000000aa",
                "app:Microsoft Azure CLI",
                "session:c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
                "app:c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
            ]
        );
        assert_eq!(l.iocs[1].line, 3);
        assert_eq!(l.skipped, [(9, "evil.example.com".to_string()), (10, "44d88612fea8a8f36de82e1278abb02f".to_string())]);
    }

    #[test]
    fn matching() {
        let l = IocList::parse(LIST).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        assert_eq!(l.by_network(ip("203.0.113.7"), None), [0]);
        assert_eq!(l.by_network(ip("198.51.100.200"), Some(64500)), [1, 2]);
        assert!(l.by_network(ip("192.0.2.1"), Some(1)).is_empty());
        assert_eq!(l.by_agent("Python-Requests/2.31"), [3]);
        assert_eq!(l.by_session("6f0d1e2c-0000-4000-8000-0000000000AA"), [4]);
        assert_eq!(l.by_app("microsoft azure cli"), [5]);
        assert_eq!(l.by_app("C44B4083-3BB0-49C1-B47D-974E53CBDF3C"), [7]);
        assert!(l.has_row_indicators());
    }

    #[test]
    fn malformed_prefixed_lines_are_errors() {
        assert_eq!(IocList::parse("ip:203.0.113.500\n").unwrap_err().0, 1);
        assert_eq!(IocList::parse("\nasn:ASX\n").unwrap_err().0, 2);
        assert!(IocList::parse("ua:\n").unwrap_err().1.contains("no value"));
        let empty = IocList::parse("# nothing\n\n").unwrap();
        assert!(empty.is_empty() && !empty.has_row_indicators());
    }
}
