//! [`UserBaseline`]: what one user normally looks like, learned from the baseline period, and
//! [`TenantProfile`]: what the tenant as a whole uses (its offices, VPN egresses, carriers).
//!
//! Sets of countries, cities, IPs and their networks, devices, OS/browser pairs, OS families, user
//! agents, apps, client apps and authentication methods, and a weekday x hour-of-day histogram in
//! UTC (the user's time zone is unknown, so working hours are learned in UTC, which also makes a
//! night-shift worker's 3 a.m. normal for them).
//!
//! Everything is learned from the *successful* sign-ins of the period only. Failed and interrupted
//! sign-ins are where password sprays and stolen-password attempts show up (every account collects
//! them, from abroad and over IMAP/SMTP); learning from them would make the attacker's country,
//! network, device and legacy client "familiar" before the attack succeeds.
//!
//! **A sign-in is never its own baseline evidence.** Every value remembers the days it was seen
//! on ([`Seen`]); when a sign-in that is itself part of the baseline is judged (the user's own first
//! days form the baseline of a 30-day export, and detectors that do not depend on the baseline
//! judge those days too), only evidence from *other* days vouches for it: one afternoon of IMAP
//! does not make IMAP the user's habit.

pub mod tenant;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::enrich::Enrichment;
use crate::model::EventType;
use crate::model::view::Rows;
pub use tenant::TenantProfile;

const DAY: i64 = 86_400_000_000;

/// Below this many successful baseline sign-ins (audited or not: every sign-in of the user teaches
/// where they are) a baseline is "thin": findings that depend on it are downgraded. Entra ID Protection leaves learning mode after 14 days *or 10 sign-ins* (atypical
/// travel; Microsoft Entra ID Protection risk detections documentation); only successes count, as
/// only they teach the baseline.
pub const MIN_BASELINE_SIGN_INS: usize = 10;

/// How the baseline period was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineMode {
    /// The `--baseline-days` before the analysis window (the evidence reaches back far enough).
    Window,
    /// The evidence does not reach back before the analysis window (a 30-day export): the user's
    /// first `--baseline-days` of history form the baseline, and those sign-ins are not judged by
    /// the baseline-dependent detectors.
    UserHistory,
}

/// Values seen in the baseline, each with up to two distinct days (UTC) it was seen on: enough to
/// tell whether a value is vouched for by a day other than a given one.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    days: HashMap<String, (i64, Option<i64>)>,
}

impl Seen {
    pub fn insert(&mut self, value: &str, day: i64) {
        match self.days.get_mut(value) {
            Some((first, second)) => {
                if *first != day && second.is_none() {
                    *second = Some(day);
                }
            }
            None => {
                self.days.insert(value.to_string(), (day, None));
            }
        }
    }

    /// Seen at all.
    pub fn contains(&self, value: &str) -> bool {
        self.days.contains_key(value)
    }

    /// Whether the baseline vouches for `value` for a sign-in made on `own_day`, where `own_day` is
    /// set only when that sign-in is itself one the baseline was learned from: then a day other
    /// than its own must show the value.
    pub fn vouches(&self, value: &str, own_day: Option<i64>) -> bool {
        match (self.days.get(value), own_day) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some((first, second)), Some(own)) => *first != own || second.is_some(),
        }
    }

    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The values, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.days.keys().map(String::as_str)
    }
}

/// The UTC day (midnight, in microseconds) of a time.
pub fn day_of(micros: i64) -> i64 {
    micros.div_euclid(DAY) * DAY
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
    pub countries: Seen,
    /// `country|state|city`
    pub cities: Seen,
    pub ips: Seen,
    pub networks: Seen,
    /// Device ids, lowercased.
    pub devices: Seen,
    /// `os|browser` with version numbers removed.
    pub platforms: Seen,
    /// Operating-system families ([`os_family`]).
    pub families: Seen,
    /// The families seen on sign-ins without a device id (an unregistered phone, a browser at a
    /// kiosk): a family seen only with device ids is the user's registered devices.
    pub anonymous_families: Seen,
    /// `block|country|state|city` ([`block_key`]): an address block where the user met it (a
    /// carrier's rotating pool at its gateway city, the home ISP's dynamic range), so a new address
    /// of the same block in the same city is not a stranger.
    pub blocks: Seen,
    /// Autonomous systems the user signed in from (`row_asn`: the record's, else a database's).
    pub asns: Seen,
    /// `AS<n>|country|state|city` of sign-ins on a network classified as a mobile carrier
    /// ([`carrier_key`]): a carrier's pool spans many blocks at each gateway city, and the class
    /// says the ASN is mobile only, so the user's carrier at a gateway the user's phone met is the
    /// user's phone wherever the pool hands out the next address.
    pub carriers: Seen,
    pub user_agents: Seen,
    pub apps: Seen,
    /// Client apps, lowercased.
    pub client_apps: Seen,
    pub auth_methods: Seen,
    /// Successful sign-ins per weekday (0 = Monday) and UTC hour.
    pub hours: [[u32; 24]; 7],
    /// Successful audited sign-ins of the period: the ones behaviour was learned from.
    pub successes: usize,
    /// Successful sign-ins of the user in the period, audited or not: the ones places and devices
    /// were learned from, and what decides whether the baseline is thin.
    pub known_successes: usize,
}

impl UserBaseline {
    pub fn thin(&self) -> bool {
        self.known_successes < MIN_BASELINE_SIGN_INS
    }

    /// Learn from the successful sign-ins of `plan` in `rows`: behaviour (hours, agents, apps,
    /// clients, methods) from the audited ones ([`BaselinePlan::rows`]), places and devices from
    /// all of the user's own sign-ins of the period ([`BaselinePlan::context`]); `net` knows each
    /// address's autonomous system.
    pub fn build(rows: &Rows<'_>, plan: &BaselinePlan, net: &Enrichment) -> Self {
        let mut b = UserBaseline {
            mode: plan.mode,
            start: plan.start,
            end: plan.end,
            sign_ins: plan.rows.len(),
            countries: Seen::default(),
            cities: Seen::default(),
            ips: Seen::default(),
            networks: Seen::default(),
            devices: Seen::default(),
            platforms: Seen::default(),
            families: Seen::default(),
            anonymous_families: Seen::default(),
            blocks: Seen::default(),
            asns: Seen::default(),
            carriers: Seen::default(),
            user_agents: Seen::default(),
            apps: Seen::default(),
            client_apps: Seen::default(),
            auth_methods: Seen::default(),
            hours: [[0; 24]; 7],
            successes: 0,
            known_successes: 0,
        };
        for &i in plan.rows.iter().filter(|&&i| rows.is_success(i)) {
            b.successes += 1;
            let t = rows.time(i);
            let day = day_of(t);
            let (weekday, hour) = weekday_hour(t);
            b.hours[weekday][hour] += 1;
            if let Some(ua) = rows.user_agent.get(i) {
                b.user_agents.insert(ua, day);
            }
            if let Some(a) = rows.app_id.get(i).or(rows.app_name.get(i)) {
                b.apps.insert(a, day);
            }
            if let Some(c) = rows.client_app.get(i) {
                b.client_apps.insert(&c.to_ascii_lowercase(), day);
            }
            for s in rows.steps(i) {
                if let Some(m) = s.method {
                    b.auth_methods.insert(m, day);
                }
            }
        }
        for &i in plan.context.iter().filter(|&&i| rows.is_success(i)) {
            b.known_successes += 1;
            b.learn_place(rows, i, net);
        }
        b
    }

    /// Where row `i` was and on which device.
    fn learn_place(&mut self, rows: &Rows<'_>, i: usize, net: &Enrichment) {
        let day = day_of(rows.time(i));
        // Microsoft's services acting for the user are not a place the user is.
        if !service_side(rows, i, net) {
            if let Some(c) = rows.country.get(i) {
                self.countries.insert(c, day);
            }
            if let Some(c) = city_key(rows, i) {
                self.cities.insert(&c, day);
            }
            if let Some(ip) = rows.ip.get(i) {
                self.ips.insert(ip, day);
                self.networks.insert(&network(ip), day);
            }
            if let Some(k) = block_key(rows, i) {
                self.blocks.insert(&k, day);
            }
            if let Some(asn) = net.row_asn(rows, i) {
                self.asns.insert(&asn.to_string(), day);
            }
            if let Some(k) = carrier_key(rows, i, net) {
                self.carriers.insert(&k, day);
            }
        }
        if let Some(d) = rows.device_id.get(i) {
            self.devices.insert(&d.to_ascii_lowercase(), day);
        }
        if let Some(p) = platform(rows, i) {
            self.platforms.insert(&p, day);
        }
        if let Some(f) = os_family(rows, i) {
            self.families.insert(f, day);
            if rows.device_id.get(i).is_none() {
                self.anonymous_families.insert(f, day);
            }
        }
    }

    /// The day of row `i` when the row is one of those this baseline was learned from (a row of the
    /// baseline period): the day whose evidence may not vouch for it ([`Seen::vouches`]).
    pub fn own_day(&self, rows: &Rows<'_>, i: usize) -> Option<i64> {
        let t = rows.time(i);
        (t >= self.start && t < self.end).then(|| day_of(t))
    }
}

/// Which sign-ins form a user's baseline.
#[derive(Debug, Clone)]
pub struct BaselinePlan {
    pub mode: BaselineMode,
    /// The audited sign-ins (included event types) of the period: behaviour is learned from them.
    pub rows: Vec<usize>,
    /// Every interactive and non-interactive sign-in of the user in the period: where the user is
    /// and which devices are theirs is learned from all of them, so judging only interactive
    /// sign-ins does not forget the phone's carrier or the laptop's hotel.
    pub context: Vec<usize>,
    /// `[start, end)` in microseconds UTC.
    pub start: i64,
    pub end: i64,
}

/// Choose a user's baseline among their `included` rows (time order): the `baseline_days` window
/// before `analysis_start` when it has enough sign-ins or the evidence reaches back before it for
/// this user (a thin baseline is then the truth, not an export artefact); otherwise the user's own
/// first `baseline_days` ([`BaselineMode::UserHistory`]). `own` are all of the user's interactive
/// and non-interactive rows up to the as-of time, of which those in the chosen period become the
/// [`BaselinePlan::context`].
pub fn plan(
    rows: &Rows<'_>,
    included: &[usize],
    own: &[usize],
    baseline_start: i64,
    analysis_start: i64,
    baseline_days: u32,
) -> BaselinePlan {
    let window: Vec<usize> =
        included.iter().copied().filter(|&i| rows.time(i) > baseline_start && rows.time(i) <= analysis_start).collect();
    let earlier_history = included.iter().any(|&i| rows.time(i) <= baseline_start);
    if window.len() >= MIN_BASELINE_SIGN_INS || earlier_history || included.is_empty() {
        let context = own.iter().copied().filter(|&i| rows.time(i) > baseline_start && rows.time(i) <= analysis_start).collect();
        return BaselinePlan { mode: BaselineMode::Window, rows: window, context, start: baseline_start, end: analysis_start };
    }
    let first = rows.time(included[0]);
    let end = first + baseline_days as i64 * DAY;
    let rows_in: Vec<usize> = included.iter().copied().filter(|&i| rows.time(i) < end).collect();
    let context = own.iter().copied().filter(|&i| rows.time(i) >= first && rows.time(i) < end).collect();
    BaselinePlan { mode: BaselineMode::UserHistory, rows: rows_in, context, start: first, end }
}

/// The rows a user's places and devices are learned from: up to `as_of`, the audited ones
/// (`included`) and every interactive and non-interactive sign-in besides.
pub fn own_sign_ins(rows: &Rows<'_>, as_of: i64, included: impl Fn(Option<&str>) -> bool) -> Vec<usize> {
    (0..rows.len)
        .filter(|&i| {
            let event = rows.event_type.get(i);
            rows.time(i) <= as_of
                && (included(event) || matches!(event.and_then(EventType::parse), Some(EventType::Interactive | EventType::NonInteractive)))
        })
        .collect()
}

/// Whether row `i` is Microsoft acting for the user rather than the user's client: a sign-in from
/// Microsoft's network, or a non-interactive one that presents no client at all (no user agent, no
/// device), as the on-behalf-of sign-ins of Exchange, SharePoint and Teams do. Its location is a
/// Microsoft data centre, not where the user is.
pub fn service_side(rows: &Rows<'_>, i: usize, net: &Enrichment) -> bool {
    if rows.ip.get(i).and_then(|ip| net.class(ip)) == Some(crate::enrich::NetClass::Microsoft) {
        return true;
    }
    !rows.is_interactive(i) && rows.user_agent.get(i).is_none_or(|u| u.trim().is_empty()) && rows.device_id.get(i).is_none()
}

/// `block|country|state|city` of a row: the address block ([`block`]) where it was located. A
/// carrier's pool and a home ISP's dynamic range rotate addresses inside their blocks; the block
/// is used rather than the autonomous system because one operator often runs its fixed and mobile
/// networks under one ASN (Deutsche Telekom, Orange), and a residential proxy on the same national
/// operator is not the user's own pool.
pub fn block_key(rows: &Rows<'_>, i: usize) -> Option<String> {
    Some(format!("{}|{}", block(rows.ip.get(i)?), city_key(rows, i)?))
}

/// `AS<n>|country|state|city` of a row on a network classified as a mobile carrier (see
/// [`UserBaseline::carriers`]); `None` for any other network or without a class.
pub fn carrier_key(rows: &Rows<'_>, i: usize, net: &Enrichment) -> Option<String> {
    let class = rows.ip.get(i).and_then(|ip| net.class(ip));
    if class != Some(crate::enrich::NetClass::MobileCarrier) {
        return None;
    }
    Some(format!("AS{}|{}", net.row_asn(rows, i)?, city_key(rows, i)?))
}

/// The `/16` of an IPv4 address or the `/32` of an IPv6 address, as text.
pub fn block(ip: &str) -> String {
    if let Ok(v4) = ip.parse::<std::net::Ipv4Addr>() {
        let o = v4.octets();
        return format!("{}.{}.0.0/16", o[0], o[1]);
    }
    if let Ok(v6) = ip.parse::<std::net::Ipv6Addr>() {
        let s = v6.segments();
        return format!("{:x}:{:x}::/32", s[0], s[1]);
    }
    ip.to_string()
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

/// The client family a sign-in came from: the operating system (from the device's own report when
/// present, else the user agent), or, for an agent that names none, its product token
/// (`python-requests`, `BAV2ROPC`). Versions, browsers and apps do not matter: Outlook and Edge on
/// one laptop are one family. `None` when nothing says (service-side sign-ins).
pub fn os_family<'a>(rows: &Rows<'a>, i: usize) -> Option<&'a str> {
    if let Some(f) = rows.device_os.get(i).and_then(family_of_text) {
        return Some(f);
    }
    let ua = rows.user_agent.get(i)?.trim();
    family_of_text(ua).or_else(|| ua.split(['/', ' ']).next().filter(|t| !t.is_empty()))
}

/// Families of the texts an OS name or user agent contains, most specific first (an iPhone user
/// agent says "like Mac OS X"; "Mozilla/5.0 (Linux; Android 14...)" is Android; a Windows Phone
/// agent names Android too). Also the platforms `mfa_sweep` counts.
const OS_FAMILIES: &[(&str, &str)] = &[
    ("windows phone", "windows phone"),
    ("iphone", "ios"),
    ("ipad", "ios"),
    ("android", "android"),
    ("windows", "windows"),
    ("mac os", "macos"),
    ("macos", "macos"),
    ("macintosh", "macos"),
    ("ios", "ios"),
    ("; cros ", "chromeos"),
    ("linux", "linux"),
    ("x11", "linux"),
];

/// The operating-system family an OS name or user agent claims ([`OS_FAMILIES`]), if it names one.
pub fn family_of_text(s: &str) -> Option<&'static str> {
    let l = s.to_ascii_lowercase();
    OS_FAMILIES.iter().find(|(p, _)| l.contains(p)).map(|(_, f)| *f)
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
        let plan = BaselinePlan { mode: BaselineMode::Window, rows: vec![0, 1, 2], context: vec![0, 1, 2], start: 0, end: 1 };
        let b = UserBaseline::build(&rows, &plan, &Enrichment::default());
        assert_eq!((b.sign_ins, b.successes), (3, 1));
        assert_eq!(b.countries.values().collect::<Vec<_>>(), ["US"]);
        assert_eq!(b.networks.values().collect::<Vec<_>>(), ["198.51.100.0/24"]);
        assert_eq!(b.client_apps.values().collect::<Vec<_>>(), ["browser"]);
        assert!(b.thin());
    }

    #[test]
    fn a_value_seen_on_one_day_does_not_vouch_for_that_day() {
        let mut seen = Seen::default();
        seen.insert("imap4", 5 * DAY);
        assert!(seen.vouches("imap4", None), "a sign-in after the baseline: any baseline day counts");
        assert!(!seen.vouches("imap4", Some(5 * DAY)), "the baseline day of the sign-in itself does not");
        assert!(seen.vouches("imap4", Some(6 * DAY)));
        seen.insert("imap4", 5 * DAY);
        assert!(!seen.vouches("imap4", Some(5 * DAY)), "the same day twice is still one day");
        seen.insert("imap4", 9 * DAY);
        assert!(seen.vouches("imap4", Some(5 * DAY)));
        assert!(!seen.vouches("pop3", None));
    }

    #[test]
    fn families() {
        assert_eq!(family_of_text("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X)"), Some("ios"));
        assert_eq!(family_of_text("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)"), Some("windows"));
        assert_eq!(family_of_text("Windows10"), Some("windows"));
        assert_eq!(family_of_text("MacOs"), Some("macos"));
        assert_eq!(family_of_text("Mozilla/5.0 (X11; Linux x86_64)"), Some("linux"));
        assert_eq!(family_of_text("Outlook-iOS/709.2226530.prod.iphone (4.2404.0)"), Some("ios"));
        assert_eq!(family_of_text("python-requests/2.31"), None);
    }

    #[test]
    fn networks() {
        assert_eq!(block("203.0.113.77"), "203.0.0.0/16");
        assert_eq!(block("2001:db8:12:34::1"), "2001:db8::/32");
        assert_eq!(network("203.0.113.77"), "203.0.113.0/24");
        assert_eq!(network("2001:db8:12:34::1"), "2001:db8:12::/48");
    }
}
