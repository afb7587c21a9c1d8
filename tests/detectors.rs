//! Every detector against a crafted attack and its benign twin, through the library API.
//!
//! A small DSL builds [`SignIn`] records (one [`Ev`] each) for users with a realistic history:
//! twenty working days of sign-ins at 08-17 UTC from one home city, network and managed laptop,
//! then the events under test. The log goes through `TableBuilder` -> `SignInTable::merge` ->
//! `audit`, exactly as evidence files do, and the tests assert on the findings.
//!
//! All data is synthetic: documentation IP ranges, tenant `contoso.example`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;
use std::collections::BTreeSet;

use signin_audit::audit::{AuditConfig, AuditResult, audit};
use signin_audit::baseline::BaselineMode;
use signin_audit::detect::{Finding, Risk};
use signin_audit::model::table::Segment;
use signin_audit::model::time::days_from_civil;
use signin_audit::model::{AuthStep, EventType, Outcome, SignIn, SignInTable, SourceRef, TableBuilder, TimeValue};

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Midnight UTC of a date, in microseconds.
fn date(y: i32, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d).unwrap() * DAY
}

/// A UTC time, in microseconds.
fn at(y: i32, m: u32, d: u32, h: i64, min: i64) -> i64 {
    date(y, m, d) + h * HOUR + min * MINUTE
}

/// Midnights of `n` working days (Monday to Friday) from `start` on.
fn weekdays(start: i64, n: usize) -> Vec<i64> {
    let mut out = Vec::new();
    let mut day = start;
    while out.len() < n {
        // 1970-01-01 was a Thursday: weekday 3 when Monday is 0.
        if (day / DAY + 3).rem_euclid(7) < 5 {
            out.push(day);
        }
        day += DAY;
    }
    out
}

/// The history of the standard scenario starts on Monday 2024-02-12 and runs 22 working days, to
/// Tuesday 2024-03-12; the events under test happen on Wednesday 2024-03-13.
fn history_start() -> i64 {
    date(2024, 2, 12)
}
const HISTORY_DAYS: usize = 22;

/// The standard window: as of Saturday 2024-03-16, analysing the 5 days before it (Mar 11-15) with
/// a 30-day baseline before that (Feb 10 - Mar 10), which holds 20 working days of history.
fn cfg() -> AuditConfig {
    AuditConfig { as_of: Some(date(2024, 3, 16)), days: 5, baseline_days: 30, ..AuditConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Places, devices, agents
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Place {
    city: &'static str,
    state: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
}

const NEW_YORK: Place = Place { city: "New York", state: "New York", country: "US", lat: 40.7128, lon: -74.0060 };
/// About 53 km from New York.
const STAMFORD: Place = Place { city: "Stamford", state: "Connecticut", country: "US", lat: 41.0534, lon: -73.5387 };
const LOS_ANGELES: Place = Place { city: "Los Angeles", state: "California", country: "US", lat: 34.0522, lon: -118.2437 };
const TORONTO: Place = Place { city: "Toronto", state: "Ontario", country: "CA", lat: 43.6532, lon: -79.3832 };
const LONDON: Place = Place { city: "London", state: "England", country: "GB", lat: 51.5074, lon: -0.1278 };
const LAGOS: Place = Place { city: "Lagos", state: "Lagos", country: "NG", lat: 6.5244, lon: 3.3792 };
const MOSCOW: Place = Place { city: "Moscow", state: "Moscow", country: "RU", lat: 55.7558, lon: 37.6173 };
const AMSTERDAM: Place = Place { city: "Amsterdam", state: "North Holland", country: "NL", lat: 52.3676, lon: 4.9041 };

#[derive(Debug, Clone, Copy)]
struct Device {
    id: Option<&'static str>,
    os: Option<&'static str>,
    browser: Option<&'static str>,
    managed: Option<bool>,
    compliant: Option<bool>,
}

const LAPTOP: Device = Device {
    id: Some("6f1c2d3e-0000-4000-8000-00000000a001"),
    os: Some("Windows 10"),
    browser: Some("Edge 120.0.2210"),
    managed: Some(true),
    compliant: Some(true),
};
/// A replacement laptop IT enrolled.
const NEW_LAPTOP: Device = Device {
    id: Some("6f1c2d3e-0000-4000-8000-00000000a002"),
    os: Some("Windows 10"),
    browser: Some("Edge 121.0.2277"),
    managed: Some(true),
    compliant: Some(true),
};
/// The attacker's machine: unregistered, another browser.
const ROGUE_PC: Device =
    Device { id: None, os: Some("Linux"), browser: Some("Chrome 119.0.0"), managed: Some(false), compliant: Some(false) };
/// An unmanaged device that did register (it has an id).
const ROGUE_REGISTERED: Device = Device {
    id: Some("0badc0de-0000-4000-8000-00000000f001"),
    os: Some("Windows 10"),
    browser: Some("Chrome 119.0.0"),
    managed: Some(false),
    compliant: Some(false),
};
/// What a phishing proxy relays: the victim's own browser and OS, but no device id and unmanaged.
const RELAYED_BROWSER: Device =
    Device { id: None, os: Some("Windows 10"), browser: Some("Edge 120.0.2210"), managed: Some(false), compliant: Some(false) };
const PHONE: Device = Device { id: None, os: Some("Ios"), browser: None, managed: None, compliant: None };
const NO_DEVICE: Device = Device { id: None, os: None, browser: None, managed: None, compliant: None };

const EDGE_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91";
const CHROME_LINUX_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36";
const OUTLOOK_UA: &str = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)";
const TEAMFILTRATION_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.3.00.30866 Chrome/80.0.3987.165 Electron/8.5.1 Safari/537.36";

const OFFICE_HOME: (&str, &str) = ("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome");
const EXCHANGE: (&str, &str) = ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online");

const HOME_IP: &str = "198.51.100.10";

const MFA_DECLINED: &str = "MFA denied; user declined the authentication";

// ---------------------------------------------------------------------------------------------
// Sign-ins
// ---------------------------------------------------------------------------------------------

/// One sign-in under construction.
#[derive(Debug, Clone)]
struct Ev {
    user: String,
    time: i64,
    ip: String,
    place: Option<Place>,
    app: (&'static str, &'static str),
    client_app: &'static str,
    ua: Option<String>,
    device: Device,
    error: i32,
    additional: Option<String>,
    outcome: Option<Outcome>,
    session: Option<String>,
    token: Option<String>,
    correlation: Option<String>,
    steps: Vec<(&'static str, bool, String)>,
    event: EventType,
    asn: Option<u32>,
}

impl Ev {
    fn ip(mut self, ip: &str) -> Self {
        self.ip = ip.to_string();
        self
    }
    fn place(mut self, p: Place) -> Self {
        self.place = Some(p);
        self
    }
    fn app(mut self, app: (&'static str, &'static str)) -> Self {
        self.app = app;
        self
    }
    fn client(mut self, c: &'static str) -> Self {
        self.client_app = c;
        self
    }
    fn ua(mut self, ua: &str) -> Self {
        self.ua = Some(ua.to_string());
        self
    }
    fn no_ua(mut self) -> Self {
        self.ua = None;
        self
    }
    fn device(mut self, d: Device) -> Self {
        self.device = d;
        self
    }
    /// A failed (or interrupted, for interrupt codes) sign-in with this error code and detail.
    fn error(mut self, code: i32, detail: &str) -> Self {
        self.error = code;
        self.additional = Some(detail.to_string());
        self
    }
    fn session(mut self, s: &str) -> Self {
        self.session = Some(s.to_string());
        self
    }
    fn token(mut self, t: &str) -> Self {
        self.token = Some(t.to_string());
        self
    }
    fn correlation(mut self, c: &str) -> Self {
        self.correlation = Some(c.to_string());
        self
    }
    fn step(mut self, method: &'static str, ok: bool, detail: &str) -> Self {
        self.steps.push((method, ok, detail.to_string()));
        self
    }
    fn asn(mut self, asn: u32) -> Self {
        self.asn = Some(asn);
        self
    }
    fn non_interactive(mut self) -> Self {
        self.event = EventType::NonInteractive;
        self
    }
}

/// A user and their normal place, network and device.
#[derive(Debug, Clone)]
struct Profile {
    user: String,
    place: Place,
    ip: &'static str,
    device: Device,
    ua: &'static str,
}

impl Profile {
    fn new(user: &str) -> Self {
        Profile { user: user.to_string(), place: NEW_YORK, ip: HOME_IP, device: LAPTOP, ua: EDGE_UA }
    }

    /// A successful interactive browser sign-in from home.
    fn ev(&self, time: i64) -> Ev {
        Ev {
            user: self.user.clone(),
            time,
            ip: self.ip.to_string(),
            place: Some(self.place),
            app: OFFICE_HOME,
            client_app: "Browser",
            ua: Some(self.ua.to_string()),
            device: self.device,
            error: 0,
            additional: None,
            outcome: None,
            session: None,
            token: None,
            correlation: None,
            steps: Vec::new(),
            event: EventType::Interactive,
            asn: None,
        }
    }
}

/// A log being built; request ids are `req-00000`, `req-00001`... in insertion order.
#[derive(Default)]
struct Log {
    events: Vec<Ev>,
}

impl Log {
    /// Add a sign-in and return its request id.
    fn add(&mut self, e: Ev) -> String {
        self.events.push(e);
        Self::id(self.events.len() - 1)
    }

    fn id(n: usize) -> String {
        format!("req-{n:05}")
    }

    /// A user with the standard history: [`HISTORY_DAYS`] working days from [`history_start`],
    /// one sign-in every hour 08:05-17:05 UTC from home, one session per day.
    fn office_worker(&mut self, user: &str) -> Profile {
        let p = Profile::new(user);
        self.office_days(&p, history_start(), HISTORY_DAYS);
        p
    }

    fn office_days(&mut self, p: &Profile, start: i64, n: usize) {
        for day in weekdays(start, n) {
            let session = format!("{}-{}", p.user, day / DAY);
            for h in 8..=17 {
                self.add(p.ev(day + h * HOUR + 5 * MINUTE).session(&session));
            }
        }
    }

    fn table(&self) -> SignInTable {
        let mut b = TableBuilder::new("synthetic/signins.json", "graph", 0);
        for (n, e) in self.events.iter().enumerate() {
            let s = |v: &str| Some(Cow::Owned(v.to_string()));
            let (outcome, code) = (e.outcome, e.error);
            let r = SignIn {
                time: Some(TimeValue::Utc { micros: e.time, zoned: true }),
                request_id: s(&Self::id(n)),
                user_principal_name: s(&e.user),
                event_type: Some(e.event),
                is_interactive: Some(e.event == EventType::Interactive),
                outcome,
                error_code: Some(code),
                additional_details: e.additional.as_deref().and_then(s),
                app_id: s(e.app.0),
                app_name: s(e.app.1),
                ip_address: s(&e.ip),
                city: e.place.and_then(|p| s(p.city)),
                state: e.place.and_then(|p| s(p.state)),
                country: e.place.and_then(|p| s(p.country)),
                latitude: e.place.map(|p| p.lat),
                longitude: e.place.map(|p| p.lon),
                client_app_used: s(e.client_app),
                user_agent: e.ua.as_deref().and_then(s),
                device_id: e.device.id.and_then(s),
                device_os: e.device.os.and_then(s),
                device_browser: e.device.browser.and_then(s),
                device_managed: e.device.managed,
                device_compliant: e.device.compliant,
                auth_details: e
                    .steps
                    .iter()
                    .map(|(m, ok, d)| AuthStep { method: s(m), succeeded: Some(*ok), result_detail: s(d), ..AuthStep::default() })
                    .collect(),
                session_id: e.session.as_deref().and_then(s),
                unique_token_identifier: e.token.as_deref().and_then(s),
                correlation_id: e.correlation.as_deref().and_then(s),
                autonomous_system_number: e.asn,
                source: SourceRef { offset: n as u64 * 100, record: n as u64 + 1, line: Some(n as u64 + 1) },
                ..SignIn::default()
            };
            b.push(&r).unwrap();
        }
        let built = b.finish().unwrap();
        SignInTable::merge(vec![Segment::single(0, built)]).unwrap().0
    }

    fn audit(&self, cfg: &AuditConfig) -> AuditResult {
        audit(&self.table(), cfg)
    }
}

// ---------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------

fn of<'a>(r: &'a AuditResult, user: &str, detector: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.user == user && f.detector == detector).collect()
}

fn dump(r: &AuditResult) -> String {
    r.findings.iter().map(|f| format!("  {} {} {:?} {} {:?}\n", f.user, f.detector, f.risk, f.summary, f.risk_notes)).collect()
}

/// The one finding of `detector` for `user`.
#[track_caller]
fn one<'a>(r: &'a AuditResult, user: &str, detector: &str) -> &'a Finding {
    let f = of(r, user, detector);
    assert_eq!(f.len(), 1, "expected one {detector} finding for {user}, got:\n{}", dump(r));
    f[0]
}

#[track_caller]
fn quiet(r: &AuditResult, user: &str, detector: &str) {
    let f = of(r, user, detector);
    assert!(f.is_empty(), "expected no {detector} finding for {user}, got:\n{}", dump(r));
}

#[track_caller]
fn mentions(f: &Finding, parts: &[&str]) {
    for p in parts {
        assert!(f.summary.contains(p), "summary of {} lacks {p:?}: {}", f.detector, f.summary);
    }
    assert!(!f.summary.contains('\n'), "summary is one line: {}", f.summary);
}

/// Every finding of `user` is at most `bracket` (the highest risk a benign class may get).
#[track_caller]
fn at_most(r: &AuditResult, user: &str, bracket: Risk) {
    let over: Vec<&Finding> = r.findings.iter().filter(|f| f.user == user && f.risk > bracket).collect();
    assert!(over.is_empty(), "{user}: findings above {}:\n{}", bracket.as_str(), dump(r));
}

fn noted(f: &Finding, text: &str) -> bool {
    f.risk_notes.iter().any(|n| n.contains(text))
}

// ---------------------------------------------------------------------------------------------
// impossible_travel
// ---------------------------------------------------------------------------------------------

#[test]
fn impossible_travel_new_york_to_lagos_in_30_minutes_is_high() {
    let mut log = Log::default();
    let p = log.office_worker("amara@contoso.example");
    // She visited the Lagos office one weekend in the baseline, so Lagos itself is familiar: only the
    // speed between the two sign-ins is wrong.
    for d in [date(2024, 2, 24), date(2024, 2, 25)] {
        log.add(p.ev(d + 10 * HOUR).place(LAGOS).ip("192.0.2.40"));
    }
    let home = log.add(p.ev(at(2024, 3, 13, 14, 0)));
    // A phishing proxy relays her own browser: nothing but the speed is odd.
    let lagos = log.add(p.ev(at(2024, 3, 13, 14, 30)).place(LAGOS).ip("203.0.113.9").device(RELAYED_BROWSER));
    let r = log.audit(&cfg());
    let f = one(&r, "amara@contoso.example", "impossible_travel");
    assert_eq!(f.risk, Risk::High, "{f:?}");
    assert!(f.risk_notes.is_empty(), "{:?}", f.risk_notes);
    assert_eq!(f.sign_in_ids, vec![lagos, home]);
    assert_eq!(f.time, "2024-03-13T14:30:00Z");
    mentions(f, &["New York, US then Lagos, NG 30 min later", "km/h"]);
    assert!(f.details["speed_kmh"].as_f64().unwrap() > 9000.0, "{:?}", f.details);
    quiet(&r, "amara@contoso.example", "new_location");
    assert_eq!(r.exit_code(), 2);
}

#[test]
fn impossible_travel_from_a_new_country_is_raised_by_chaining() {
    let mut log = Log::default();
    let p = log.office_worker("amara@contoso.example");
    log.add(p.ev(at(2024, 3, 13, 14, 0)));
    log.add(p.ev(at(2024, 3, 13, 14, 30)).place(LAGOS).ip("203.0.113.9").device(ROGUE_PC).ua(CHROME_LINUX_UA));
    let r = log.audit(&cfg());
    let f = one(&r, "amara@contoso.example", "impossible_travel");
    assert_eq!(f.risk, Risk::Critical, "{f:?}");
    assert!(noted(f, "new_location"), "{:?}", f.risk_notes);
}

#[test]
fn impossible_travel_twin_real_flight_new_york_to_london() {
    let mut log = Log::default();
    let p = log.office_worker("amara@contoso.example");
    log.add(p.ev(at(2024, 3, 13, 8, 0)));
    // 5,570 km in 7.5 h: about 740 km/h, an airliner.
    log.add(p.ev(at(2024, 3, 13, 15, 30)).place(LONDON).ip("203.0.113.80"));
    let r = log.audit(&cfg());
    quiet(&r, "amara@contoso.example", "impossible_travel");
}

#[test]
fn impossible_travel_twin_two_us_cities_20_minutes_apart() {
    let mut log = Log::default();
    let p = log.office_worker("amara@contoso.example");
    log.add(p.ev(at(2024, 3, 13, 14, 0)));
    // A mobile carrier's national pool: the address geolocates to the other coast.
    log.add(p.ev(at(2024, 3, 13, 14, 20)).place(LOS_ANGELES).ip("192.0.2.130"));
    let r = log.audit(&cfg());
    quiet(&r, "amara@contoso.example", "impossible_travel");
}

#[test]
fn impossible_travel_twin_same_ip_twice() {
    let mut log = Log::default();
    let p = log.office_worker("amara@contoso.example");
    // One address, geolocated differently by two lookups half an hour apart.
    log.add(p.ev(at(2024, 3, 13, 14, 0)).ip("203.0.113.50"));
    log.add(p.ev(at(2024, 3, 13, 14, 30)).ip("203.0.113.50").place(LAGOS));
    let r = log.audit(&cfg());
    quiet(&r, "amara@contoso.example", "impossible_travel");
}

// ---------------------------------------------------------------------------------------------
// legacy_protocol
// ---------------------------------------------------------------------------------------------

/// Three users: an IMAP4 intruder (successful, never used before), an ActiveSync phone the user has
/// had all along, and a failed SMTP AUTH spray.
fn legacy_log() -> Log {
    let mut log = Log::default();
    let imap = log.office_worker("imap.victim@contoso.example");
    for k in 0..3 {
        // A residential proxy in the victim's own city.
        log.add(imap.ev(at(2024, 3, 13, 14, 5 * k)).ip("203.0.113.20").client("IMAP4").app(EXCHANGE).device(NO_DEVICE).no_ua());
    }
    let phone = log.office_worker("phone.user@contoso.example");
    for day in weekdays(history_start(), HISTORY_DAYS + 3) {
        log.add(
            phone
                .ev(day + 7 * HOUR + 30 * MINUTE)
                .ip("192.0.2.50")
                .client("Exchange ActiveSync")
                .app(EXCHANGE)
                .device(PHONE)
                .ua("Apple-iPhone15C2/2104.180"),
        );
    }
    let smtp = log.office_worker("smtp.target@contoso.example");
    for k in 0..5 {
        log.add(
            smtp.ev(at(2024, 3, 13, 14, 3 * k))
                .ip("203.0.113.30")
                .client("Authenticated SMTP")
                .app(EXCHANGE)
                .device(NO_DEVICE)
                .no_ua()
                .error(50126, "Invalid username or password"),
        );
    }
    log
}

#[test]
fn legacy_imap_success_never_used_before_is_high() {
    let r = legacy_log().audit(&cfg());
    let f = one(&r, "imap.victim@contoso.example", "legacy_protocol");
    assert_eq!(f.risk, Risk::High, "{f:?}");
    assert_eq!(f.sign_in_ids.len(), 3);
    mentions(f, &["3 successful sign-in(s) over IMAP4 from 203.0.113.20; never used in the baseline (200 successful sign-ins)"]);
}

#[test]
fn legacy_twin_long_standing_activesync_phone_is_lower_than_the_attack() {
    let r = legacy_log().audit(&cfg());
    let attack = one(&r, "imap.victim@contoso.example", "legacy_protocol").risk;
    let phone = one(&r, "phone.user@contoso.example", "legacy_protocol");
    assert!(phone.risk <= Risk::Medium && phone.risk < attack, "{phone:?}");
    mentions(phone, &["Exchange ActiveSync", "used it in the baseline"]);
}

#[test]
fn legacy_failed_smtp_only_is_lower_than_a_success() {
    let r = legacy_log().audit(&cfg());
    let attack = one(&r, "imap.victim@contoso.example", "legacy_protocol").risk;
    let smtp = one(&r, "smtp.target@contoso.example", "legacy_protocol");
    assert!(smtp.risk < attack, "{smtp:?}");
    mentions(smtp, &["5 failed sign-in(s) over Authenticated SMTP"]);
}

#[test]
fn legacy_spray_in_the_baseline_does_not_make_imap_familiar() {
    // Password spraying over IMAP hits every mailbox all the time: the baseline is full of failed
    // IMAP4 attempts from abroad. When the spray finally succeeds it is still a first success.
    let mut log = Log::default();
    let p = log.office_worker("imap.victim@contoso.example");
    for day in weekdays(history_start(), 20).into_iter().step_by(2) {
        log.add(
            p.ev(day + 3 * HOUR)
                .place(LAGOS)
                .ip("203.0.113.200")
                .client("IMAP4")
                .app(EXCHANGE)
                .device(NO_DEVICE)
                .no_ua()
                .error(50126, "Invalid username or password"),
        );
    }
    log.add(p.ev(at(2024, 3, 13, 14, 0)).ip("203.0.113.20").client("IMAP4").app(EXCHANGE).device(NO_DEVICE).no_ua());
    let r = log.audit(&cfg());
    let f = one(&r, "imap.victim@contoso.example", "legacy_protocol");
    assert_eq!(f.risk, Risk::High, "{f:?}");
}

// ---------------------------------------------------------------------------------------------
// mfa_fatigue
// ---------------------------------------------------------------------------------------------

/// `attempts` denied pushes 2.5 min apart from `start`, each written `rows_per_attempt` times with
/// one correlation id (Azure Monitor repeats a sign-in per MFA step); returns the first row ids.
fn push_denials(log: &mut Log, p: &Profile, start: i64, attempts: usize, rows_per_attempt: usize, from: Place, ip: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for k in 0..attempts {
        let corr = format!("corr-{}-{k}", p.user);
        for step in 0..rows_per_attempt {
            let id = log.add(
                p.ev(start + k as i64 * 150_000_000 + step as i64 * 1_000_000)
                    .place(from)
                    .ip(ip)
                    .device(ROGUE_PC)
                    .ua(CHROME_LINUX_UA)
                    .error(500121, MFA_DECLINED)
                    .correlation(&corr)
                    .step("Password", true, "Correct password")
                    .step("Mobile app notification", false, MFA_DECLINED),
            );
            if step == 0 {
                ids.push(id);
            }
        }
    }
    ids
}

#[test]
fn mfa_fatigue_eight_denied_pushes_then_success_is_high() {
    let mut log = Log::default();
    let p = log.office_worker("lena@contoso.example");
    let start = at(2024, 3, 13, 14, 0);
    // A residential proxy in her own city: nothing but the pushes is odd.
    let denials = push_denials(&mut log, &p, start, 8, 1, NEW_YORK, "203.0.113.44");
    let ok = log.add(p.ev(start + 20 * MINUTE).ip("203.0.113.44").device(RELAYED_BROWSER).step("Password", true, "Correct password").step(
        "Mobile app notification",
        true,
        "MFA successfully completed",
    ));
    let r = log.audit(&cfg());
    let f = one(&r, "lena@contoso.example", "mfa_fatigue");
    assert_eq!(f.risk, Risk::High, "{f:?}");
    assert_eq!(f.sign_in_ids[0], ok);
    assert_eq!(f.sign_in_ids[1..], denials[..]);
    mentions(f, &["8 denied/unanswered MFA prompts in 20 min", "203.0.113.44"]);
}

#[test]
fn mfa_fatigue_twin_victim_declines_then_signs_in_from_home() {
    // The pushes are declined; later the user signs in from her own laptop at home. The burst is
    // still reported (someone has her password), but not as a push bombing that worked.
    let mut log = Log::default();
    let p = log.office_worker("lena@contoso.example");
    let start = at(2024, 3, 13, 14, 0);
    push_denials(&mut log, &p, start, 8, 1, NEW_YORK, "203.0.113.44");
    let home = log.add(p.ev(start + 30 * MINUTE));
    let r = log.audit(&cfg());
    let f = one(&r, "lena@contoso.example", "mfa_fatigue");
    assert_eq!(f.risk, Risk::Medium, "{f:?}");
    assert!(!f.sign_in_ids.contains(&home));
    mentions(f, &["8 denied/unanswered MFA prompts within 60 min from 203.0.113.44, no successful sign-in from there"]);
}

#[test]
fn mfa_fatigue_success_from_a_new_country_is_critical() {
    let mut log = Log::default();
    let p = log.office_worker("lena@contoso.example");
    let start = at(2024, 3, 13, 14, 0);
    push_denials(&mut log, &p, start, 8, 1, LAGOS, "203.0.113.9");
    let ok = log.add(p.ev(start + 20 * MINUTE).place(LAGOS).ip("203.0.113.9").device(ROGUE_PC).ua(CHROME_LINUX_UA));
    let r = log.audit(&cfg());
    let f = one(&r, "lena@contoso.example", "mfa_fatigue");
    assert_eq!(f.risk, Risk::Critical, "{f:?}");
    assert!(noted(f, "raised to critical: MFA fatigue succeeded and") && noted(f, "new_location"), "{:?}", f.risk_notes);
    let loc = one(&r, "lena@contoso.example", "new_location");
    assert_eq!(loc.risk, Risk::Critical, "{loc:?}");
    assert_eq!(loc.sign_in_ids[0], ok);
    let user = r.users.iter().find(|u| u.user == "lena@contoso.example").unwrap();
    assert_eq!(user.risk, "critical");
}

#[test]
fn mfa_fatigue_rows_repeated_per_mfa_step_count_once() {
    let mut log = Log::default();
    let p = log.office_worker("lena@contoso.example");
    let start = at(2024, 3, 13, 14, 0);
    // Two real attempts, three rows each: six 500121 rows, two prompts.
    push_denials(&mut log, &p, start, 2, 3, NEW_YORK, HOME_IP);
    log.add(p.ev(start + 10 * MINUTE));
    let r = log.audit(&cfg());
    quiet(&r, "lena@contoso.example", "mfa_fatigue");
}

#[test]
fn mfa_fatigue_repeated_rows_do_not_inflate_a_real_burst() {
    let mut log = Log::default();
    let p = log.office_worker("lena@contoso.example");
    let start = at(2024, 3, 13, 14, 0);
    push_denials(&mut log, &p, start, 8, 3, NEW_YORK, "203.0.113.44");
    log.add(p.ev(start + 20 * MINUTE).ip("203.0.113.44"));
    let r = log.audit(&cfg());
    let f = one(&r, "lena@contoso.example", "mfa_fatigue");
    mentions(f, &["8 denied/unanswered MFA prompts"]);
    assert_eq!(f.details["denials"], 8);
}

#[test]
fn mfa_fatigue_twin_one_mistyped_code_then_success() {
    let mut log = Log::default();
    let p = log.office_worker("lena@contoso.example");
    let start = at(2024, 3, 13, 9, 0);
    log.add(p.ev(start).error(500121, "Authentication failed during strong authentication request.").correlation("corr-typo").step(
        "OATH verification code",
        false,
        "Invalid verification code",
    ));
    log.add(p.ev(start + MINUTE).correlation("corr-typo-2").step("OATH verification code", true, "MFA successfully completed"));
    let r = log.audit(&cfg());
    quiet(&r, "lena@contoso.example", "mfa_fatigue");
}

// ---------------------------------------------------------------------------------------------
// token_replay
// ---------------------------------------------------------------------------------------------

#[test]
fn token_replay_one_session_from_us_then_russia_15_minutes_later() {
    let mut log = Log::default();
    let p = log.office_worker("omar@contoso.example");
    let home = log.add(p.ev(at(2024, 3, 13, 14, 0)).session("sess-aitm"));
    let moscow =
        log.add(p.ev(at(2024, 3, 13, 14, 15)).session("sess-aitm").place(MOSCOW).ip("203.0.113.66").device(ROGUE_PC).ua(CHROME_LINUX_UA));
    let r = log.audit(&cfg());
    let f = one(&r, "omar@contoso.example", "token_replay");
    assert!(f.risk >= Risk::High, "{f:?}");
    assert_eq!(f.sign_in_ids[..2], [moscow, home]);
    assert_eq!(f.details["kind"], "session");
    mentions(f, &["session used from 198.51.100.10 (US) and 203.0.113.66 (RU) 15 min apart", "2 user agents"]);
}

/// Non-interactive (refresh token) successes from an Amsterdam hosting network the user never
/// signed in from interactively.
fn stolen_refresh_token(log: &mut Log, p: &Profile) {
    for k in 0..4 {
        log.add(
            p.ev(at(2024, 3, 13, 15, 10 * k))
                .non_interactive()
                .place(AMSTERDAM)
                .ip("203.0.113.150")
                .app(EXCHANGE)
                .device(NO_DEVICE)
                .ua("python-requests/2.31.0")
                .token(&format!("tok-{k}")),
        );
    }
}

#[test]
fn token_replay_non_interactive_from_a_network_never_used_interactively() {
    let mut log = Log::default();
    let p = log.office_worker("omar@contoso.example");
    stolen_refresh_token(&mut log, &p);
    let with = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    let f = one(&with, "omar@contoso.example", "token_replay");
    assert_eq!(f.details["kind"], "non_interactive_network");
    assert_eq!(f.sign_in_ids.len(), 4);
    assert!(f.risk >= Risk::High, "{f:?}");
    mentions(f, &["4 non-interactive (token) success(es) from 203.0.113.0/24 in NL", "never used interactively"]);
    // Non-interactive sign-ins are not audited unless asked for.
    let without = log.audit(&cfg());
    quiet(&without, "omar@contoso.example", "token_replay");
}

#[test]
fn token_replay_failed_interactive_attempts_do_not_vouch_for_a_network() {
    // The attacker also tried the phished password interactively from the same server and was
    // stopped at MFA; that does not make the server's network one the user signs in from.
    let mut log = Log::default();
    let p = log.office_worker("omar@contoso.example");
    log.add(
        p.ev(at(2024, 3, 13, 14, 50))
            .place(AMSTERDAM)
            .ip("203.0.113.150")
            .device(ROGUE_PC)
            .ua(CHROME_LINUX_UA)
            .error(50074, "Strong Authentication is required."),
    );
    stolen_refresh_token(&mut log, &p);
    let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    let f = one(&r, "omar@contoso.example", "token_replay");
    assert_eq!(f.details["kind"], "non_interactive_network");
}

#[test]
fn token_replay_twin_new_dhcp_lease_in_the_same_network() {
    let mut log = Log::default();
    let p = log.office_worker("omar@contoso.example");
    log.add(p.ev(at(2024, 3, 13, 9, 0)).session("sess-home"));
    // The router renewed its lease mid-session; Outlook keeps refreshing tokens from the new address.
    for k in 0..6 {
        log.add(
            p.ev(at(2024, 3, 13, 9, 30 + 5 * k)).session("sess-home").ip("198.51.100.77").ua(OUTLOOK_UA).app(EXCHANGE).non_interactive(),
        );
    }
    log.add(p.ev(at(2024, 3, 13, 10, 15)).session("sess-home").ip("198.51.100.77"));
    let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    quiet(&r, "omar@contoso.example", "token_replay");
}

#[test]
fn token_replay_twin_new_isp_address_for_a_new_session() {
    let mut log = Log::default();
    let mut p = log.office_worker("omar@contoso.example");
    // He switched ISP overnight: a new address in another network, same city, new session.
    p.ip = "192.0.2.200";
    log.add(p.ev(at(2024, 3, 13, 8, 30)).session("sess-new-isp"));
    for k in 0..6 {
        log.add(p.ev(at(2024, 3, 13, 9, 5 * k)).session("sess-new-isp").ua(OUTLOOK_UA).app(EXCHANGE).non_interactive());
    }
    let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    quiet(&r, "omar@contoso.example", "token_replay");
}

#[test]
fn token_replay_twin_same_session_across_a_real_flight() {
    let mut log = Log::default();
    let p = log.office_worker("omar@contoso.example");
    log.add(p.ev(at(2024, 3, 13, 6, 0)).session("sess-trip"));
    log.add(p.ev(at(2024, 3, 13, 14, 0)).session("sess-trip").place(LONDON).ip("203.0.113.81"));
    let r = log.audit(&cfg());
    quiet(&r, "omar@contoso.example", "token_replay");
    // A real flight [low]: London is a new country, but on his own managed laptop (one level lower);
    // the 06:00 departure is off-hours (low), and low findings raise nothing.
    assert_eq!(one(&r, "omar@contoso.example", "off_hours").risk, Risk::Low);
    let london = one(&r, "omar@contoso.example", "new_location");
    assert_eq!(london.risk, Risk::Low, "{london:?}");
    mentions(london, &["on the user's own managed or known device"]);
    assert_eq!(r.exit_code(), 0);
}

#[test]
fn token_replay_twin_same_session_across_a_short_flight_to_another_country() {
    // New York to Toronto is 550 km, 100 minutes gate to gate: two countries inside the two-hour
    // concurrency window, but one traveller with one laptop.
    let mut log = Log::default();
    let p = log.office_worker("omar@contoso.example");
    log.add(p.ev(at(2024, 3, 13, 7, 0)).session("sess-yyz"));
    log.add(p.ev(at(2024, 3, 13, 8, 40)).session("sess-yyz").place(TORONTO).ip("203.0.113.90"));
    let r = log.audit(&cfg());
    quiet(&r, "omar@contoso.example", "token_replay");
}

// ---------------------------------------------------------------------------------------------
// new_device / new_location
// ---------------------------------------------------------------------------------------------

#[test]
fn new_country_with_an_unmanaged_new_device_fires_both_and_chains() {
    let mut log = Log::default();
    let p = log.office_worker("kim@contoso.example");
    let lagos = log.add(p.ev(at(2024, 3, 13, 14, 0)).place(LAGOS).ip("203.0.113.9").device(ROGUE_REGISTERED).ua(CHROME_LINUX_UA));
    let r = log.audit(&cfg());
    let dev = one(&r, "kim@contoso.example", "new_device");
    let loc = one(&r, "kim@contoso.example", "new_location");
    assert_eq!(dev.sign_in_ids, vec![lagos.clone()]);
    assert_eq!(loc.sign_in_ids, vec![lagos]);
    mentions(loc, &["first sign-in from NG (1 of them, 1 successful, from 203.0.113.9)", "baseline sign-ins all from US"]);
    mentions(dev, &["0badc0de-0000-4000-8000-00000000f001", "unmanaged", "203.0.113.9", "NG", "baseline: 1 device(s)"]);
    // Chaining: each raised one level by the other; two detectors on one sign-in is high.
    assert!(noted(dev, "new_location") && noted(loc, "new_device"), "{:?} {:?}", dev.risk_notes, loc.risk_notes);
    assert_eq!(loc.risk, Risk::High, "{loc:?}");
    assert_eq!(dev.risk, Risk::High, "{dev:?}");
}

#[test]
fn new_location_failed_sprays_in_the_baseline_do_not_make_a_country_familiar() {
    // Spray attempts from Lagos fail against the account every few days of the baseline; they are
    // the attacker's places, not the user's. The first success from Lagos is a new country.
    let mut log = Log::default();
    let p = log.office_worker("kim@contoso.example");
    for day in weekdays(history_start(), 20).into_iter().step_by(3) {
        log.add(
            p.ev(day + 2 * HOUR)
                .place(LAGOS)
                .ip("203.0.113.201")
                .device(ROGUE_REGISTERED)
                .ua(CHROME_LINUX_UA)
                .error(50126, "Invalid username or password"),
        );
    }
    let lagos = log.add(p.ev(at(2024, 3, 13, 14, 0)).place(LAGOS).ip("203.0.113.9").device(ROGUE_REGISTERED).ua(CHROME_LINUX_UA));
    let r = log.audit(&cfg());
    let loc = one(&r, "kim@contoso.example", "new_location");
    assert_eq!(loc.sign_in_ids, vec![lagos.clone()]);
    mentions(loc, &["first sign-in from NG"]);
    let dev = one(&r, "kim@contoso.example", "new_device");
    assert_eq!(dev.sign_in_ids, vec![lagos]);
}

#[test]
fn new_device_twin_new_managed_laptop_in_the_home_city() {
    let mut log = Log::default();
    let mut p = log.office_worker("kim@contoso.example");
    p.device = NEW_LAPTOP;
    for h in 8..=17 {
        log.add(p.ev(at(2024, 3, 13, h, 5)));
    }
    let r = log.audit(&cfg());
    quiet(&r, "kim@contoso.example", "new_device");
    quiet(&r, "kim@contoso.example", "new_location");
}

#[test]
fn new_location_twin_second_city_50_km_from_home() {
    let mut log = Log::default();
    let p = log.office_worker("kim@contoso.example");
    for h in 9..=16 {
        log.add(p.ev(at(2024, 3, 13, h, 20)).place(STAMFORD).ip("192.0.2.77"));
    }
    let r = log.audit(&cfg());
    quiet(&r, "kim@contoso.example", "new_location");
    quiet(&r, "kim@contoso.example", "new_device");
}

// ---------------------------------------------------------------------------------------------
// suspicious_user_agent
// ---------------------------------------------------------------------------------------------

#[test]
fn suspicious_user_agents_of_tooling_fire() {
    let mut log = Log::default();
    let p = log.office_worker("sam@contoso.example");
    let agents = [("python-requests/2.31", "python-requests"), ("azurehound/2.1", "AzureHound"), (TEAMFILTRATION_UA, "TeamFiltration")];
    for (k, (ua, _)) in agents.iter().enumerate() {
        log.add(p.ev(at(2024, 3, 13, 14, 10 * k as i64)).ua(ua));
    }
    let r = log.audit(&cfg());
    let found = of(&r, "sam@contoso.example", "suspicious_user_agent");
    assert_eq!(found.len(), 3, "{}", dump(&r));
    for (ua, tool) in agents {
        let f = found.iter().find(|f| f.details["user_agent"] == ua).unwrap_or_else(|| panic!("no finding for {ua}:\n{}", dump(&r)));
        assert!(f.details["tool"].as_str().unwrap().contains(tool), "{f:?}");
        assert_eq!(f.risk, Risk::High, "{f:?}");
        mentions(f, &[&format!("1 successful sign-in(s) from {HOME_IP} with the user agent of {tool}")]);
    }
}

#[test]
fn suspicious_user_agent_twin_browsers_and_msal() {
    let mut log = Log::default();
    let p = log.office_worker("sam@contoso.example");
    let agents = [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0 Teams/24004.1307.2669.7070",
        OUTLOOK_UA,
        "Mozilla/5.0 (compatible; MSAL 1.0) PKeyAuth/1.0",
        "Windows-AzureAD-Authentication-Provider/1.0",
    ];
    for (k, ua) in agents.iter().enumerate() {
        log.add(p.ev(at(2024, 3, 13, 9, 5 * k as i64)).ua(ua));
    }
    let r = log.audit(&cfg());
    quiet(&r, "sam@contoso.example", "suspicious_user_agent");
}

// ---------------------------------------------------------------------------------------------
// off_hours
// ---------------------------------------------------------------------------------------------

#[test]
fn off_hours_office_worker_at_three_in_the_morning() {
    let mut log = Log::default();
    let p = log.office_worker("ines@contoso.example");
    let night = log.add(p.ev(at(2024, 3, 13, 3, 0)));
    let r = log.audit(&cfg());
    let f = one(&r, "ines@contoso.example", "off_hours");
    assert_eq!(f.risk, Risk::Low);
    assert_eq!(f.sign_in_ids, vec![night]);
    mentions(f, &["1 successful sign-in(s) at 03:00 UTC on a Wednesday", "in hours 08-17 UTC", "never on a weekend"]);
    assert_eq!(r.exit_code(), 0, "low findings do not change the exit code");
}

#[test]
fn off_hours_twin_night_shift_worker_at_three_in_the_morning() {
    let mut log = Log::default();
    let p = Profile::new("nico@contoso.example");
    // Night shifts, Monday to Friday nights, 22:00-06:00 UTC.
    for day in weekdays(history_start(), HISTORY_DAYS) {
        let session = format!("night-{}", day / DAY);
        for h in 22..=30 {
            log.add(p.ev(day + h * HOUR + 10 * MINUTE).session(&session));
        }
    }
    log.add(p.ev(at(2024, 3, 13, 3, 0)));
    let r = log.audit(&cfg());
    quiet(&r, "nico@contoso.example", "off_hours");
}

// ---------------------------------------------------------------------------------------------
// Benign classes (issue 7, section 1): each stays at or below its bracket
// ---------------------------------------------------------------------------------------------

const DUBLIN: Place = Place { city: "Dublin", state: "Leinster", country: "IE", lat: 53.3498, lon: -6.2603 };
const CHICAGO: Place = Place { city: "Chicago", state: "Illinois", country: "US", lat: 41.8781, lon: -87.6298 };
const DALLAS: Place = Place { city: "Dallas", state: "Texas", country: "US", lat: 32.7767, lon: -96.7970 };
const IPHONE_OUTLOOK_UA: &str = "Outlook-iOS/709.2226530.prod.iphone (4.2404.0)";
/// An unregistered iPhone living on its mobile carrier.
const CARRIER_PHONE: Device =
    Device { id: None, os: Some("Ios"), browser: Some("Mobile Safari"), managed: Some(false), compliant: Some(false) };

/// Sign-in `n` of a phone on its carrier: the next address of the carrier's pool (172.56/16),
/// located at one of the carrier's gateway cities, far from home.
fn on_carrier(e: Ev, n: u32) -> Ev {
    e.place([CHICAGO, DALLAS, LOS_ANGELES][n as usize % 3]).ip(&format!("172.56.{}.{}", (n * 37) % 250, 1 + n % 200))
}

/// `days` days of the user's phone on its carrier from [`history_start`], three sign-ins a day in
/// one session: interactive now and then (one in nine), token refreshes otherwise. Returns how many.
fn carrier_days(log: &mut Log, p: &Profile, days: i64) -> u32 {
    let mut n = 0u32;
    for day in 0..days {
        for h in [7, 12, 19] {
            n += 1;
            let e = p
                .ev(history_start() + day * DAY + h * HOUR)
                .session("sess-phone")
                .device(CARRIER_PHONE)
                .ua(IPHONE_OUTLOOK_UA)
                .app(EXCHANGE);
            let e = on_carrier(e, n);
            log.add(if n.is_multiple_of(9) { e } else { e.non_interactive() });
        }
    }
    n
}

/// Non-interactive sign-ins of Microsoft's services on the user's behalf, inside the user's session,
/// located in a Microsoft data centre abroad [low]: with the records' AS8075, and without any ASN
/// (then they are recognized as presenting no client at all).
#[test]
fn benign_microsoft_service_side_sign_ins_are_low() {
    for with_asn in [true, false] {
        let mut log = Log::default();
        let p = log.office_worker("mia@contoso.example");
        log.add(p.ev(at(2024, 3, 13, 9, 0)).session("sess-work"));
        for k in 0..8 {
            let mut e = p
                .ev(at(2024, 3, 13, 9, 20 + 5 * k))
                .session("sess-work")
                .place(DUBLIN)
                .ip(&format!("52.96.{}.20", 10 + k))
                .non_interactive();
            e = e.app(EXCHANGE).device(NO_DEVICE).no_ua();
            if with_asn {
                e = e.asn(8075);
            }
            log.add(e);
        }
        let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
        at_most(&r, "mia@contoso.example", Risk::Low);
        quiet(&r, "mia@contoso.example", "token_replay");
        quiet(&r, "mia@contoso.example", "new_location");
    }
}

/// A scan-to-email printer account: Authenticated SMTP every weekday from the office, in hours that
/// are its own [medium] — in a window baseline and in a 30-day export (its own first days).
#[test]
fn benign_printer_smtp_every_weekday_is_at_most_medium() {
    for config in [cfg(), AuditConfig::default()] {
        let mut log = Log::default();
        let printer = Profile { ip: "192.0.2.10", ..Profile::new("scanner@contoso.example") };
        for day in weekdays(history_start(), HISTORY_DAYS + 3) {
            for h in 7..=18 {
                log.add(printer.ev(day + h * HOUR + 20 * MINUTE).client("Authenticated SMTP").app(EXCHANGE).device(NO_DEVICE).no_ua());
            }
        }
        let r = log.audit(&config);
        at_most(&r, "scanner@contoso.example", Risk::Medium);
        quiet(&r, "scanner@contoso.example", "off_hours");
    }
}

/// A phone on a mobile carrier: its addresses rotate through the carrier's pool, geolocated to the
/// carrier's gateway cities far from home, all day, mostly non-interactive [medium].
#[test]
fn benign_carrier_pool_city_hops_are_at_most_medium() {
    let mut log = Log::default();
    let p = log.office_worker("noor@contoso.example");
    carrier_days(&mut log, &p, 33);
    for config in [cfg(), AuditConfig { include_non_interactive: true, ..cfg() }] {
        let r = log.audit(&config);
        at_most(&r, "noor@contoso.example", Risk::Medium);
        quiet(&r, "noor@contoso.example", "impossible_travel");
    }
}

/// A phone on a carrier the built-in list classifies (T-Mobile US, AS21928) whose pool hands out
/// addresses from blocks the baseline never showed, at the gateway cities it did: the user's own
/// carrier, so its token refreshes need no interactive sign-in there to be vouched for. Without the
/// ASN the same refreshes are an unvouched network, reported low with nothing else unusual.
#[test]
fn benign_classified_carrier_pool_across_blocks_is_the_users_own() {
    for with_asn in [true, false] {
        let mut log = Log::default();
        let p = log.office_worker("omar@contoso.example");
        let gateways = [CHICAGO, DALLAS, LOS_ANGELES];
        for day in 0..33 {
            for (k, h) in [7, 12, 19].into_iter().enumerate() {
                // The learning period on 172.56/16, the analysis window on 172.58/16.
                let block = if day < 28 { 56 } else { 58 };
                let n = day * 3 + k as i64;
                let mut e = p
                    .ev(history_start() + day * DAY + h * HOUR)
                    .session("sess-phone")
                    .place(gateways[k])
                    .ip(&format!("172.{block}.{}.{}", (n * 37) % 250, 1 + n % 200))
                    .device(PHONE)
                    .ua(IPHONE_OUTLOOK_UA)
                    .app(EXCHANGE);
                if with_asn {
                    e = e.asn(21928);
                }
                log.add(if n % 9 == 0 && day < 28 { e } else { e.non_interactive() });
            }
        }
        let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
        if with_asn {
            quiet(&r, "omar@contoso.example", "token_replay");
        } else {
            assert!(of(&r, "omar@contoso.example", "token_replay").iter().all(|f| f.risk == Risk::Low), "{:?}", r.findings);
            assert!(!of(&r, "omar@contoso.example", "token_replay").is_empty());
        }
    }
}

/// A phone-only holiday abroad, with no carrier classification (no ASN): the phone alternates
/// between the hotel's Wi-Fi and its home carrier, whose roaming addresses are located at the
/// carrier's gateways at home, in one session. The carrier end is the user's own address block: it
/// is where the pool is, not where the phone is, so the session is not "elsewhere" and the hop
/// between the two is not travel (low) [medium].
#[test]
fn benign_phone_only_holiday_roaming_through_the_home_carrier_is_at_most_medium() {
    let mut log = Log::default();
    let p = log.office_worker("ines@contoso.example");
    let mut n = carrier_days(&mut log, &p, 28);
    // Wednesday to Friday in London: a new session signed in on the roaming carrier, then token
    // refreshes from the hotel and the carrier.
    for (k, h) in (0..3).flat_map(|d| [7, 9, 12, 15, 19].map(move |h| at(2024, 3, 13 + d, h, 0))).enumerate() {
        n += 1;
        let e = p.ev(h).session("sess-holiday").device(CARRIER_PHONE).ua(IPHONE_OUTLOOK_UA).app(EXCHANGE);
        let e = if k % 2 == 0 { on_carrier(e, n) } else { e.place(LONDON).ip("81.2.69.142") };
        // Signed in on the carrier, then once at the hotel; the rest are token refreshes.
        log.add(if k < 2 { e } else { e.non_interactive() });
    }
    let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    at_most(&r, "ines@contoso.example", Risk::Medium);
    // Low by its own rating (raised to medium by the new country on the same sign-in).
    mentions(one(&r, "ines@contoso.example", "impossible_travel"), &["the user's own address block in that city"]);
    for f in r.findings.iter().filter(|f| f.user == "ines@contoso.example") {
        assert!(!f.summary.contains("the session's interactive sign-ins elsewhere"), "{f:?}");
    }
}

/// A VPN user's leg from the organization's shared egress in the neighbouring country to a carrier
/// address the user never used, without classes (no ASN): the egress is located where the company's
/// traffic leaves, so the leg is one level lower than a traveller's [medium].
#[test]
fn benign_leg_from_the_shared_vpn_egress_to_an_unknown_carrier_address_is_medium() {
    let mut log = Log::default();
    let egress = |k: usize| format!("165.225.1.{}", 1 + k % 8);
    for u in 0..5 {
        let p = log.office_worker(&format!("vpn{u}@contoso.example"));
        for (k, day) in weekdays(history_start(), HISTORY_DAYS).into_iter().enumerate() {
            log.add(p.ev(day + 13 * HOUR).place(TORONTO).ip(&egress(k + u)));
        }
    }
    let p = Profile::new("vpn0@contoso.example");
    log.add(p.ev(at(2024, 3, 13, 9, 0)).place(TORONTO).ip(&egress(3)));
    // Tethered to a phone on a carrier the user never used.
    log.add(p.ev(at(2024, 3, 13, 9, 40)).place(DALLAS).ip("172.58.91.20").device(RELAYED_BROWSER));
    let r = log.audit(&cfg());
    let f = one(&r, "vpn0@contoso.example", "impossible_travel");
    assert_eq!(f.risk, Risk::Medium, "{f:?}");
    mentions(f, &["a network several users of the organization use"]);
}

/// The corporate VPN / SDP egress in the neighbouring country, used by many users of the tenant; one
/// of them starts using it only in the analysis window, minutes after signing in from home [medium].
#[test]
fn benign_shared_vpn_egress_in_a_neighbouring_country_is_at_most_medium() {
    let mut log = Log::default();
    let egress = |k: usize| format!("165.225.1.{}", 1 + k % 8);
    for u in 0..5 {
        let p = log.office_worker(&format!("vpn{u}@contoso.example"));
        for (k, day) in weekdays(history_start(), HISTORY_DAYS).into_iter().enumerate() {
            log.add(p.ev(day + 13 * HOUR).place(TORONTO).ip(&egress(k + u)));
        }
    }
    let p = log.office_worker("newvpn@contoso.example");
    log.add(p.ev(at(2024, 3, 13, 9, 0)));
    for k in 0..6 {
        log.add(p.ev(at(2024, 3, 13, 9, 10 + 20 * k)).place(TORONTO).ip(&egress(k as usize)));
    }
    let r = log.audit(&cfg());
    at_most(&r, "newvpn@contoso.example", Risk::Medium);
    quiet(&r, "newvpn@contoso.example", "impossible_travel");
    let f = one(&r, "newvpn@contoso.example", "new_location");
    assert_eq!(f.risk, Risk::Low, "{f:?}");
    mentions(f, &["a network several users of the organization use"]);
}

/// A business trip to London during the learning period, and again in the analysis window from
/// another hotel [low].
#[test]
fn benign_business_trip_in_the_learning_period_is_low() {
    let mut log = Log::default();
    let p = log.office_worker("leo@contoso.example");
    for d in [date(2024, 2, 20), date(2024, 2, 21)] {
        log.add(p.ev(d + 10 * HOUR).place(LONDON).ip("203.0.113.81"));
    }
    for h in 9..=16 {
        log.add(p.ev(at(2024, 3, 13, h, 0)).place(LONDON).ip("192.0.2.181"));
    }
    let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    at_most(&r, "leo@contoso.example", Risk::Low);
    quiet(&r, "leo@contoso.example", "new_location");
}

/// The home ISP renumbers the connection: a new address, same city, same laptop; Outlook keeps
/// refreshing tokens from it [low].
#[test]
fn benign_home_ip_change_is_low() {
    let mut log = Log::default();
    let mut p = log.office_worker("omar@contoso.example");
    p.ip = "198.51.77.12";
    for k in 0..6 {
        log.add(p.ev(at(2024, 3, 13, 8, 10 * k)).ua(OUTLOOK_UA).app(EXCHANGE).session("sess-home").non_interactive());
    }
    for h in 9..=17 {
        log.add(p.ev(at(2024, 3, 13, h, 5)).session("sess-home"));
    }
    let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    at_most(&r, "omar@contoso.example", Risk::Low);
}

/// A new laptop IT enrolled, first used at home [low].
#[test]
fn benign_new_managed_laptop_at_home_is_low() {
    let mut log = Log::default();
    let mut p = log.office_worker("kim@contoso.example");
    p.device = NEW_LAPTOP;
    p.ip = "198.51.100.11";
    for h in 8..=17 {
        log.add(p.ev(at(2024, 3, 13, h, 5)).session("sess-new"));
        log.add(p.ev(at(2024, 3, 13, h, 35)).session("sess-new").ua(OUTLOOK_UA).app(EXCHANGE).non_interactive());
    }
    let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    at_most(&r, "kim@contoso.example", Risk::Low);
}

/// One MFA push the user did not answer, then the sign-in a minute later [low].
#[test]
fn benign_one_unanswered_push_is_low() {
    let mut log = Log::default();
    let p = log.office_worker("lena@contoso.example");
    let t = at(2024, 3, 13, 9, 0);
    log.add(
        p.ev(t)
            .error(500121, "MFA denied; user did not respond to mobile app notification")
            .step("Password", true, "Correct password")
            .step("Mobile app notification", false, "MFA denied; user did not respond to mobile app notification"),
    );
    log.add(p.ev(t + 2 * MINUTE).step("Password", true, "Correct password").step(
        "Mobile app notification",
        true,
        "MFA successfully completed",
    ));
    let r = log.audit(&cfg());
    at_most(&r, "lena@contoso.example", Risk::Low);
    quiet(&r, "lena@contoso.example", "mfa_fatigue");
}

/// A weekend worker (Wednesday to Sunday) signs in on a Saturday [low].
#[test]
fn benign_weekend_worker_is_low() {
    let mut log = Log::default();
    let p = Profile::new("wes@contoso.example");
    for day in 0..33 {
        let d = history_start() + day * DAY;
        if (d / DAY + 3).rem_euclid(7) >= 2 {
            for h in 10..=18 {
                log.add(p.ev(d + h * HOUR));
            }
        }
    }
    log.add(p.ev(at(2024, 3, 16, 11, 0) - 30 * MINUTE));
    let r = log.audit(&AuditConfig { as_of: Some(date(2024, 3, 17)), ..cfg() });
    at_most(&r, "wes@contoso.example", Risk::Low);
    quiet(&r, "wes@contoso.example", "off_hours");
}

/// The most common false alarm before: a phone refreshing tokens from a carrier address never used
/// interactively, in the phone's own session, same client family, same country [low]. With one
/// corroboration (another country than any interactive use) it is medium.
#[test]
fn token_replay_a_new_network_alone_is_low_and_one_corroboration_medium() {
    let mut log = Log::default();
    let p = log.office_worker("ana@contoso.example");
    let phone = CARRIER_PHONE;
    // Her phone, known from the baseline: it refreshes from home every evening.
    for day in weekdays(history_start(), HISTORY_DAYS) {
        log.add(p.ev(day + 19 * HOUR).session("sess-phone").device(phone).ua(IPHONE_OUTLOOK_UA).app(EXCHANGE).non_interactive());
    }
    log.add(p.ev(at(2024, 3, 13, 8, 0)).session("sess-phone").device(phone).ua(IPHONE_OUTLOOK_UA).app(EXCHANGE));
    let refresh = log.add(
        p.ev(at(2024, 3, 13, 12, 0))
            .session("sess-phone")
            .place(STAMFORD)
            .ip("100.64.7.9")
            .device(phone)
            .ua(IPHONE_OUTLOOK_UA)
            .app(EXCHANGE)
            .non_interactive(),
    );
    let abroad = log.add(
        p.ev(at(2024, 3, 14, 12, 0))
            .session("sess-phone")
            .place(TORONTO)
            .ip("100.99.7.9")
            .device(phone)
            .ua(IPHONE_OUTLOOK_UA)
            .app(EXCHANGE)
            .non_interactive(),
    );
    let r = log.audit(&AuditConfig { include_non_interactive: true, ..cfg() });
    let found = of(&r, "ana@contoso.example", "token_replay");
    let low = found.iter().find(|f| f.sign_in_ids == [refresh.clone()]).unwrap_or_else(|| panic!("{}", dump(&r)));
    assert_eq!(low.risk, Risk::Low, "{low:?}");
    mentions(low, &["nothing else unusual"]);
    let medium = found.iter().find(|f| f.sign_in_ids == [abroad.clone()]).unwrap_or_else(|| panic!("{}", dump(&r)));
    // Medium by its own rating; new_location reports the same new country and chaining raises both.
    assert!(medium.risk == Risk::Medium || (medium.risk == Risk::High && noted(medium, "raised: new_location")), "{medium:?}");
    mentions(medium, &["corroborated by a country never used interactively"]);
}

// ---------------------------------------------------------------------------------------------
// Windows, thresholds, users
// ---------------------------------------------------------------------------------------------

#[test]
fn as_of_fixes_the_window() {
    let mut log = Log::default();
    let p = log.office_worker("sam@contoso.example");
    log.add(p.ev(at(2024, 3, 15, 12, 0)).ua("python-requests/2.31"));
    // As of Thursday: Friday's script has not happened yet.
    let before = log.audit(&AuditConfig { as_of: Some(date(2024, 3, 14)), ..cfg() });
    quiet(&before, "sam@contoso.example", "suspicious_user_agent");
    assert_eq!(before.window.as_of, "2024-03-14T00:00:00Z");
    assert_eq!(before.window.analysis.start, "2024-03-09T00:00:00Z");
    assert_eq!(before.window.baseline.start, "2024-02-08T00:00:00Z");
    // Without --as-of the window ends at the latest sign-in, not at the wall clock.
    let latest = log.audit(&AuditConfig { as_of: None, ..cfg() });
    assert_eq!(latest.window.as_of, "2024-03-15T12:00:00Z");
    one(&latest, "sam@contoso.example", "suspicious_user_agent");
}

/// A 30-day export: Friday 2024-02-16 to Friday 2024-03-15, nothing before.
fn thirty_day_export(log: &mut Log, user: &str) -> Profile {
    let p = Profile::new(user);
    log.office_days(&p, date(2024, 2, 16), 21);
    p
}

#[test]
fn user_history_baseline_for_a_30_day_export() {
    let mut log = Log::default();
    let p = thirty_day_export(&mut log, "ana@contoso.example");
    // Day 3 (inside the user's first 14 days): a script, and a Lagos sign-in half an hour after New York.
    let script = log.add(p.ev(at(2024, 2, 20, 14, 0)).ua("python-requests/2.31"));
    let early_lagos = log.add(p.ev(at(2024, 2, 20, 14, 35)).place(LAGOS).ip("203.0.113.9").device(ROGUE_REGISTERED));
    // Saturday of week 4: London, never seen in the first 14 days.
    let london = log.add(p.ev(at(2024, 3, 9, 12, 0)).place(LONDON).ip("203.0.113.80"));
    let r = log.audit(&AuditConfig::default());
    let u = r.users.iter().find(|u| u.user == "ana@contoso.example").unwrap();
    let b = u.baseline.as_ref().unwrap();
    assert_eq!(b.mode, BaselineMode::UserHistory);
    assert_eq!(b.period.start, "2024-02-16T08:05:00Z");
    assert_eq!(b.period.end, "2024-03-01T08:05:00Z");
    assert!(!b.thin);
    // Baseline-independent detectors judge the baseline days too.
    let ua = one(&r, "ana@contoso.example", "suspicious_user_agent");
    assert_eq!(ua.sign_in_ids, vec![script]);
    // Out to Lagos and back to New York 30 minutes later: one finding about the Lagos sign-in.
    let travel = one(&r, "ana@contoso.example", "impossible_travel");
    assert_eq!(travel.sign_in_ids[0], early_lagos);
    assert_eq!(travel.sign_in_ids.len(), 3);
    mentions(travel, &["New York, US then Lagos, NG 30 min later", "and New York, US again 30 min after that"]);
    // Baseline-dependent ones judge only what came after the baseline.
    for f in r.findings.iter().filter(|f| ["new_device", "new_location", "off_hours"].contains(&f.detector)) {
        assert!(f.time.as_str() >= "2024-03-01T08:05:00Z", "{f:?}");
    }
    let loc = one(&r, "ana@contoso.example", "new_location");
    assert_eq!(loc.sign_in_ids, vec![london]);
    mentions(loc, &["first sign-in from GB"]);
}

#[test]
fn a_sign_in_is_never_its_own_baseline_evidence() {
    // A 30-day export: the user's first 14 days are the baseline, and legacy_protocol (which does not
    // depend on the baseline) judges those days too. One IMAP4 success on day 5 must not count as
    // "the user already uses IMAP4" because it is itself part of the baseline.
    let mut log = Log::default();
    let p = thirty_day_export(&mut log, "ana@contoso.example");
    let once = log.add(p.ev(at(2024, 2, 21, 3, 10)).ip("203.0.113.20").client("IMAP4").app(EXCHANGE).device(NO_DEVICE).no_ua());
    // A mailbox a script polls over POP3 every weekday: the other days vouch for each one.
    let q = Profile::new("bob@contoso.example");
    log.office_days(&q, date(2024, 2, 16), 21);
    for day in weekdays(date(2024, 2, 16), 21) {
        log.add(q.ev(day + 6 * HOUR).client("POP3").app(EXCHANGE).device(NO_DEVICE).no_ua());
    }
    let r = log.audit(&AuditConfig::default());
    assert_eq!(
        r.users.iter().find(|u| u.user == "ana@contoso.example").unwrap().baseline.as_ref().unwrap().mode,
        BaselineMode::UserHistory
    );
    let f = one(&r, "ana@contoso.example", "legacy_protocol");
    assert_eq!(f.sign_in_ids, vec![once]);
    assert_eq!(f.risk, Risk::High, "{f:?}");
    mentions(f, &["never used in the baseline"]);
    let pop: Vec<&Finding> = of(&r, "bob@contoso.example", "legacy_protocol");
    assert!(
        !pop.is_empty() && pop.iter().all(|f| f.risk == Risk::Low && f.summary.contains("also used it in the baseline")),
        "{}",
        dump(&r)
    );
}

#[test]
fn a_push_bombing_success_does_not_vouch_for_its_own_network() {
    // In a 30-day export the bombing happens in the user's first 14 days (her baseline). The
    // attacker's success comes from a second address: it is in the baseline only because of itself,
    // so it is not "the victim's own network".
    let mut log = Log::default();
    let p = thirty_day_export(&mut log, "lena@contoso.example");
    let start = at(2024, 2, 21, 2, 0);
    push_denials(&mut log, &p, start, 8, 1, NEW_YORK, "203.0.113.44");
    let ok = log.add(p.ev(start + 25 * MINUTE).ip("198.18.0.9").device(ROGUE_PC).ua(CHROME_LINUX_UA));
    let r = log.audit(&AuditConfig::default());
    let f = one(&r, "lena@contoso.example", "mfa_fatigue");
    assert_eq!(f.sign_in_ids[0], ok, "{f:?}");
    assert!(f.risk >= Risk::High, "{f:?}");
}

#[test]
fn thin_baseline_lowers_baseline_findings_with_a_note() {
    let mut log = Log::default();
    let p = Profile::new("pat@contoso.example");
    // A part-timer: six sign-ins in the first two weeks of a 30-day export, then daily.
    for (d, h) in [(16, 8), (19, 10), (21, 12), (23, 14), (26, 16), (28, 17)] {
        log.add(p.ev(at(2024, 2, d, h, 0)));
    }
    log.office_days(&p, date(2024, 3, 4), 7);
    let lagos = log.add(p.ev(at(2024, 3, 13, 14, 0)).place(LAGOS).ip("203.0.113.9"));
    let r = log.audit(&AuditConfig::default());
    let u = r.users.iter().find(|u| u.user == "pat@contoso.example").unwrap();
    let b = u.baseline.as_ref().unwrap();
    assert_eq!(b.mode, BaselineMode::UserHistory);
    assert!(b.thin, "{b:?}");
    let loc = one(&r, "pat@contoso.example", "new_location");
    assert_eq!(loc.sign_in_ids, vec![lagos]);
    assert_eq!(loc.risk, Risk::Low, "a successful new country is medium, lowered one level: {loc:?}");
    assert!(noted(loc, "lowered: thin baseline (6 "), "{:?}", loc.risk_notes);
}

/// Three users: a low (off-hours) one, a medium (SMTP with the right password, blocked) one and a
/// high (script) one.
fn graded_log() -> Log {
    let mut log = Log::default();
    let low = log.office_worker("low@contoso.example");
    log.add(low.ev(at(2024, 3, 13, 3, 0)));
    let medium = log.office_worker("medium@contoso.example");
    for k in 0..4 {
        // The password was right; Conditional Access blocked the legacy client.
        log.add(
            medium
                .ev(at(2024, 3, 13, 14, k))
                .ip("203.0.113.30")
                .client("Authenticated SMTP")
                .app(EXCHANGE)
                .device(NO_DEVICE)
                .no_ua()
                .error(53003, "Access has been blocked by Conditional Access policies."),
        );
    }
    let high = log.office_worker("high@contoso.example");
    log.add(high.ev(at(2024, 3, 13, 14, 0)).ua("python-requests/2.31"));
    log
}

fn users(names: &[&str]) -> Option<BTreeSet<String>> {
    Some(names.iter().map(|s| s.to_string()).collect())
}

#[test]
fn risk_threshold_and_exit_codes() {
    let log = graded_log();
    let all = log.audit(&cfg());
    let risks: Vec<(&str, Risk)> = all.findings.iter().map(|f| (f.user.as_str(), f.risk)).collect();
    assert_eq!(
        risks,
        vec![("high@contoso.example", Risk::High), ("low@contoso.example", Risk::Low), ("medium@contoso.example", Risk::Medium)],
        "{}",
        dump(&all)
    );
    assert_eq!(all.exit_code(), 2);
    assert_eq!(log.audit(&AuditConfig { users: users(&["medium@contoso.example"]), ..cfg() }).exit_code(), 3);
    assert_eq!(log.audit(&AuditConfig { users: users(&["low@contoso.example"]), ..cfg() }).exit_code(), 0);

    let medium_up = log.audit(&AuditConfig { risk_threshold: Risk::Medium, ..cfg() });
    assert_eq!(medium_up.findings.len(), 2);
    assert!(medium_up.findings.iter().all(|f| f.risk >= Risk::Medium));
    let low_user = medium_up.users.iter().find(|u| u.user == "low@contoso.example").unwrap();
    assert_eq!((low_user.risk.as_str(), low_user.findings), ("none", 0));

    let high_up = log.audit(&AuditConfig { risk_threshold: Risk::High, users: users(&["medium@contoso.example"]), ..cfg() });
    assert!(high_up.findings.is_empty());
    assert_eq!(high_up.exit_code(), 0);
    let critical = log.audit(&AuditConfig { risk_threshold: Risk::Critical, ..cfg() });
    assert!(critical.findings.is_empty());
    assert_eq!(critical.exit_code(), 0);
}

#[test]
fn users_filter_reports_an_absent_user_with_a_note() {
    let log = graded_log();
    let r = log.audit(&AuditConfig { users: users(&["ghost@contoso.example", "high@contoso.example"]), ..cfg() });
    let names: Vec<&str> = r.users.iter().map(|u| u.user.as_str()).collect();
    assert_eq!(names, ["ghost@contoso.example", "high@contoso.example"]);
    let ghost = &r.users[0];
    assert_eq!(ghost.note.as_deref(), Some("no sign-ins in the evidence"));
    assert_eq!((ghost.sign_ins, ghost.findings, ghost.risk.as_str()), (0, 0, "none"));
    assert!(r.findings.iter().all(|f| f.user == "high@contoso.example"));
    assert!(!r.findings.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------------

#[test]
fn same_findings_on_one_thread_and_on_four() {
    let mut log = legacy_log();
    for (n, user) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
        let p = log.office_worker(&format!("{user}@contoso.example"));
        let t = at(2024, 3, 13, 14, n as i64);
        push_denials(&mut log, &p, t, 6, 2, LAGOS, "203.0.113.9");
        log.add(p.ev(t + 20 * MINUTE).place(LAGOS).ip("203.0.113.9").session("s").device(ROGUE_PC).ua("python-requests/2.31"));
        log.add(p.ev(t + 25 * MINUTE).session("s"));
        log.add(p.ev(at(2024, 3, 14, 3, 0)));
    }
    let table = log.table();
    let config = AuditConfig { include_non_interactive: true, ..cfg() };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let r = pool.install(|| audit(&table, &config));
        (serde_json::to_string(&r.findings).unwrap(), serde_json::to_string(&r.users).unwrap())
    };
    let one_thread = run(1);
    assert!(one_thread.0.len() > 1000, "the scenario produces findings");
    for _ in 0..3 {
        assert_eq!(run(4), one_thread);
    }
}
