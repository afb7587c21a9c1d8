//! [`UserBaseline`]: what one user normally looks like, learned from the baseline period.
//!
//! Sets of countries, cities, IPs and their networks, devices, OS/browser pairs, user agents, apps,
//! client apps and authentication methods, whether legacy clients were used, and a weekday x
//! hour-of-day histogram in UTC (the user's time zone is unknown, so working hours are learned in UTC,
//! which also makes a night-shift worker's 3 a.m. normal for them).
//!
//! Everything is learned from the *successful* sign-ins of the period only. Failed and interrupted
//! sign-ins are where password sprays and stolen-password attempts show up (every account collects
//! them, from abroad and over IMAP/SMTP); learning from them would make the attacker's country,
//! network, device and legacy client "familiar" before the attack succeeds.

use std::collections::HashSet;

use serde::Serialize;

use crate::model::view::Rows;

/// Below this many successful baseline sign-ins a baseline is "thin": findings that depend on it are
/// downgraded. Entra ID Protection leaves learning mode after 14 days *or 10 sign-ins* (atypical
/// travel, research/peers.md §3.1); only successes count, as only they teach the baseline.
pub const MIN_BASELINE_SIGN_INS: usize = 10;

/// How the baseline period was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineMode {
    /// The `--baseline-days` before the analysis window (the evidence reaches back far enough).
    Window,
    /// The evidence does not reach back before the analysis window (a 30-day export): the user's
    /// first `--baseline-days` of history form the baseline, and those sign-ins are not judged by
    /// the baseline-dependent detectors.
    UserHistory,
}

/// One user's normal behaviour.
#[derive(Debug, Clone)]
pub struct UserBaseline {
    pub mode: BaselineMode,
    /// Period the baseline was learned from, `[start, end)` in microseconds UTC.
    pub start: i64,
    pub end: i64,
    /// Every sign-in of the period, failed ones included.
    pub sign_ins: usize,
    pub countries: HashSet<String>,
    /// `country|state|city`
    pub cities: HashSet<String>,
    pub ips: HashSet<String>,
    pub networks: HashSet<String>,
    pub devices: HashSet<String>,
    /// `os|browser` with version numbers removed.
    pub platforms: HashSet<String>,
    pub user_agents: HashSet<String>,
    pub apps: HashSet<String>,
    pub client_apps: HashSet<String>,
    pub auth_methods: HashSet<String>,
    /// Successful sign-ins per weekday (0 = Monday) and UTC hour.
    pub hours: [[u32; 24]; 7],
    /// Successful sign-ins of the period: the ones everything above was learned from.
    pub successes: usize,
}

impl UserBaseline {
    pub fn thin(&self) -> bool {
        self.successes < MIN_BASELINE_SIGN_INS
    }

    /// Learn from the successful sign-ins among `indices` of `rows`.
    pub fn build(rows: &Rows<'_>, indices: &[usize], mode: BaselineMode, start: i64, end: i64) -> Self {
        let mut b = UserBaseline {
            mode,
            start,
            end,
            sign_ins: indices.len(),
            countries: HashSet::new(),
            cities: HashSet::new(),
            ips: HashSet::new(),
            networks: HashSet::new(),
            devices: HashSet::new(),
            platforms: HashSet::new(),
            user_agents: HashSet::new(),
            apps: HashSet::new(),
            client_apps: HashSet::new(),
            auth_methods: HashSet::new(),
            hours: [[0; 24]; 7],
            successes: 0,
        };
        for &i in indices {
            if !rows.is_success(i) {
                continue;
            }
            b.successes += 1;
            let (day, hour) = weekday_hour(rows.time(i));
            b.hours[day][hour] += 1;
            if let Some(c) = rows.country.get(i) {
                b.countries.insert(c.to_string());
            }
            if let Some(c) = city_key(rows, i) {
                b.cities.insert(c);
            }
            if let Some(ip) = rows.ip.get(i) {
                b.ips.insert(ip.to_string());
                b.networks.insert(network(ip));
            }
            if let Some(d) = rows.device_id.get(i) {
                b.devices.insert(d.to_ascii_lowercase());
            }
            if let Some(p) = platform(rows, i) {
                b.platforms.insert(p);
            }
            if let Some(ua) = rows.user_agent.get(i) {
                b.user_agents.insert(ua.to_string());
            }
            if let Some(a) = rows.app_id.get(i).or(rows.app_name.get(i)) {
                b.apps.insert(a.to_string());
            }
            if let Some(c) = rows.client_app.get(i) {
                b.client_apps.insert(c.to_ascii_lowercase());
            }
            for s in rows.steps(i) {
                if let Some(m) = s.method {
                    b.auth_methods.insert(m.to_string());
                }
            }
        }
        b
    }
}

/// `country|state|city` of a row, if it has a city.
pub fn city_key(rows: &Rows<'_>, i: usize) -> Option<String> {
    let city = rows.city.get(i)?;
    Some(format!("{}|{}|{}", rows.country.get(i).unwrap_or(""), rows.state.get(i).unwrap_or(""), city))
}

/// `os|browser` without version numbers ("Windows 10|Edge"), so browser updates are not new devices.
pub fn platform(rows: &Rows<'_>, i: usize) -> Option<String> {
    let os = rows.device_os.get(i);
    let browser = rows.device_browser.get(i);
    if os.is_none() && browser.is_none() {
        return None;
    }
    let strip = |s: &str| s.split(|c: char| c.is_ascii_digit()).next().unwrap_or(s).trim().to_string();
    Some(format!("{}|{}", os.unwrap_or(""), browser.map(strip).unwrap_or_default()))
}

/// The /24 of an IPv4 address or the /48 of an IPv6 address, as text.
pub fn network(ip: &str) -> String {
    if let Ok(v4) = ip.parse::<std::net::Ipv4Addr>() {
        let o = v4.octets();
        return format!("{}.{}.{}.0/24", o[0], o[1], o[2]);
    }
    if let Ok(v6) = ip.parse::<std::net::Ipv6Addr>() {
        let s = v6.segments();
        return format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]);
    }
    ip.to_string()
}

/// (weekday 0 = Monday, hour) in UTC.
pub fn weekday_hour(micros: i64) -> (usize, usize) {
    let secs = micros.div_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let hour = (secs.rem_euclid(86_400) / 3600) as usize;
    // 1970-01-01 was a Thursday (weekday 3 when Monday is 0).
    let weekday = (days + 3).rem_euclid(7) as usize;
    (weekday, hour)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::{TimeValue, parse_time};

    fn t(s: &str) -> i64 {
        match parse_time(s, 0) {
            Some(TimeValue::Utc { micros, .. }) => micros,
            _ => panic!(),
        }
    }

    #[test]
    fn weekday_and_hour() {
        assert_eq!(weekday_hour(t("2024-01-15T03:10:00Z")), (0, 3)); // a Monday
        assert_eq!(weekday_hour(t("2024-01-14T23:59:59Z")), (6, 23)); // a Sunday
        assert_eq!(weekday_hour(t("1969-12-31T23:00:00Z")), (2, 23)); // a Wednesday
    }

    #[test]
    fn learns_only_from_successes() {
        use std::borrow::Cow;

        use crate::model::{SignIn, TableBuilder};
        let mut tb = TableBuilder::new("f", "graph", 0);
        let row = |id: &'static str, country: &'static str, ip: &'static str, client: &'static str, code: i32| SignIn {
            request_id: Some(Cow::Borrowed(id)),
            user_principal_name: Some(Cow::Borrowed("u@contoso.example")),
            time: parse_time("2024-01-15T10:00:00Z", 0),
            country: Some(Cow::Borrowed(country)),
            ip_address: Some(Cow::Borrowed(ip)),
            client_app_used: Some(Cow::Borrowed(client)),
            error_code: Some(code),
            ..Default::default()
        };
        tb.push(&row("a", "US", "198.51.100.1", "Browser", 0)).unwrap();
        // A password spray over IMAP from abroad, and an attacker stopped at MFA (interrupted).
        tb.push(&row("b", "NG", "203.0.113.9", "IMAP4", 50126)).unwrap();
        tb.push(&row("c", "RU", "203.0.113.66", "Browser", 50074)).unwrap();
        let built = tb.finish().unwrap();
        let rows = Rows::new(&built.batch).unwrap();
        let b = UserBaseline::build(&rows, &[0, 1, 2], BaselineMode::Window, 0, 1);
        assert_eq!((b.sign_ins, b.successes), (3, 1));
        assert_eq!(b.countries.iter().collect::<Vec<_>>(), ["US"]);
        assert_eq!(b.networks.iter().collect::<Vec<_>>(), ["198.51.100.0/24"]);
        assert_eq!(b.client_apps.iter().collect::<Vec<_>>(), ["browser"]);
        assert!(b.thin());
    }

    #[test]
    fn networks() {
        assert_eq!(network("203.0.113.77"), "203.0.113.0/24");
        assert_eq!(network("2001:db8:12:34::1"), "2001:db8:12::/48");
    }
}
