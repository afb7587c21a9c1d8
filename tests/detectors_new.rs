//! The detectors of issue #7 section 3 (`password_spray`, `brute_force`, `device_code`,
//! `valid_credentials_blocked`, `entra_risk`, `mfa_sweep`) against a crafted attack and its benign
//! twin, through the library API, in the style of `tests/detectors.rs`.
//!
//! Every user has a realistic history: twenty-two working days (Monday 2024-02-12 on) of hourly
//! sign-ins at 08-17 UTC from home in New York on a managed laptop. The events under test happen on
//! Wednesday 2024-03-13; the audit runs as of Saturday 2024-03-16 over the 5 days before it, with a
//! 30-day baseline. The log goes through `TableBuilder` -> `SignInTable::merge` -> `audit`, exactly
//! as evidence files do. All data is synthetic: documentation IP ranges and AS numbers, tenant
//! `contoso.example`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;
use std::collections::BTreeSet;

use signin_audit::audit::{AuditConfig, AuditResult, audit};
use signin_audit::detect::tenant::{Aggregate, Scope};
use signin_audit::detect::{Finding, Risk};
use signin_audit::enrich::Enrichment;
use signin_audit::model::table::Segment;
use signin_audit::model::time::days_from_civil;
use signin_audit::model::view::Rows;
use signin_audit::model::{AuthStep, EventType, SignIn, SignInTable, SourceRef, TableBuilder, TimeValue};

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

fn date(y: i32, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d).unwrap() * DAY
}

/// 2024-03-13 (the attack day) at `h:min` UTC.
fn on13(h: i64, min: i64) -> i64 {
    date(2024, 3, 13) + h * HOUR + min * MINUTE
}

fn cfg() -> AuditConfig {
    AuditConfig { as_of: Some(date(2024, 3, 16)), days: 5, baseline_days: 30, ..AuditConfig::default() }
}

#[derive(Debug, Clone, Copy)]
struct Place {
    city: &'static str,
    country: &'static str,
    lat: f64,
    lon: f64,
}

const NEW_YORK: Place = Place { city: "New York", country: "US", lat: 40.7128, lon: -74.0060 };
const LONDON: Place = Place { city: "London", country: "GB", lat: 51.5074, lon: -0.1278 };
const AMSTERDAM: Place = Place { city: "Amsterdam", country: "NL", lat: 52.3676, lon: 4.9041 };
const MOSCOW: Place = Place { city: "Moscow", country: "RU", lat: 55.7558, lon: 37.6173 };
const ASHBURN: Place = Place { city: "Ashburn", country: "US", lat: 39.0438, lon: -77.4874 };

const HOME_IP: &str = "198.51.100.10";
const OFFICE_NAT: &str = "192.0.2.10";
const LAPTOP_ID: &str = "6f1c2d3e-0000-4000-8000-00000000a001";
const EDGE_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91";
const OUTLOOK_IOS_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) Outlook-iOS/709.2189947.prod.iphone (4.2405.0)";
const ATTACKER_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36";
const TEAMS: (&str, &str) = ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams");
const OFFICE_HOME: (&str, &str) = ("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome");
const AUTH_BROKER: (&str, &str) = ("29d9ed98-a469-4536-ade2-f981bc1d605e", "Microsoft Authentication Broker");
const AZURE_CLI: (&str, &str) = ("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI");

/// One sign-in under construction: a successful interactive browser sign-in from home unless told.
#[derive(Debug, Clone)]
struct Ev {
    user: String,
    time: i64,
    ip: String,
    place: Place,
    app: (&'static str, &'static str),
    ua: String,
    device_id: Option<&'static str>,
    error: i32,
    protocol: Option<&'static str>,
    transfer: Option<&'static str>,
    session: Option<String>,
    correlation: Option<String>,
    asn: Option<u32>,
    risk: Option<(&'static str, &'static str, &'static str)>,
    password_ok: bool,
    event: EventType,
}

impl Ev {
    fn ip(mut self, ip: &str, place: Place) -> Self {
        self.ip = ip.to_string();
        self.place = place;
        self
    }
    fn app(mut self, app: (&'static str, &'static str)) -> Self {
        self.app = app;
        self
    }
    fn ua(mut self, ua: &str) -> Self {
        self.ua = ua.to_string();
        self
    }
    fn foreign_device(mut self) -> Self {
        self.device_id = None;
        self
    }
    /// Failed or interrupted with this code (the portal's outcome follows from the code).
    fn error(mut self, code: i32) -> Self {
        self.error = code;
        self
    }
    fn ropc(mut self) -> Self {
        self.protocol = Some("ropc");
        self
    }
    fn device_code(mut self) -> Self {
        self.protocol = Some("deviceCode");
        self.transfer = Some("deviceCodeFlow");
        self
    }
    fn session(mut self, s: &str) -> Self {
        self.session = Some(s.to_string());
        self
    }
    fn correlation(mut self, c: &str) -> Self {
        self.correlation = Some(c.to_string());
        self
    }
    fn asn(mut self, asn: u32) -> Self {
        self.asn = Some(asn);
        self
    }
    /// `riskLevelDuringSignIn`, `riskState`, one `riskEventTypes_v2` entry.
    fn risk(mut self, level: &'static str, state: &'static str, kind: &'static str) -> Self {
        self.risk = Some((level, state, kind));
        self
    }
    /// The password step succeeded ("Correct password") whatever the outcome.
    fn password_ok(mut self) -> Self {
        self.password_ok = true;
        self
    }
    fn non_interactive(mut self) -> Self {
        self.event = EventType::NonInteractive;
        self
    }
}

/// A log being built; request ids are `req-00000`, `req-00001`... in insertion order.
#[derive(Default)]
struct Log {
    events: Vec<Ev>,
}

impl Log {
    fn add(&mut self, e: Ev) -> String {
        self.events.push(e);
        format!("req-{:05}", self.events.len() - 1)
    }

    /// A sign-in of `user` at `time` (home, laptop, Edge, OfficeHome, success).
    fn ev(user: &str, time: i64) -> Ev {
        Ev {
            user: user.to_string(),
            time,
            ip: HOME_IP.to_string(),
            place: NEW_YORK,
            app: OFFICE_HOME,
            ua: EDGE_UA.to_string(),
            device_id: Some(LAPTOP_ID),
            error: 0,
            protocol: None,
            transfer: None,
            session: None,
            correlation: None,
            asn: None,
            risk: None,
            password_ok: false,
            event: EventType::Interactive,
        }
    }

    /// Twenty-two working days of hourly sign-ins from `ip` (home by default), one session a day.
    fn office_worker_at(&mut self, user: &str, ip: &str) {
        let mut day = date(2024, 2, 12);
        let mut n = 0;
        while n < 22 {
            if (day / DAY + 3).rem_euclid(7) < 5 {
                for h in 8..=17 {
                    self.add(Self::ev(user, day + h * HOUR + 5 * MINUTE).ip(ip, NEW_YORK).session(&format!("{user}-{}", day / DAY)));
                }
                n += 1;
            }
            day += DAY;
        }
    }

    fn office_worker(&mut self, user: &str) {
        self.office_worker_at(user, HOME_IP);
    }

    fn table(&self) -> SignInTable {
        let mut b = TableBuilder::new("synthetic/signins.json", "graph", 0);
        for (n, e) in self.events.iter().enumerate() {
            let s = |v: &str| Some(Cow::Owned(v.to_string()));
            let r = SignIn {
                time: Some(TimeValue::Utc { micros: e.time, zoned: true }),
                request_id: s(&format!("req-{n:05}")),
                user_principal_name: s(&e.user),
                event_type: Some(e.event),
                is_interactive: Some(e.event == EventType::Interactive),
                error_code: Some(e.error),
                app_id: s(e.app.0),
                app_name: s(e.app.1),
                ip_address: s(&e.ip),
                city: s(e.place.city),
                country: s(e.place.country),
                latitude: Some(e.place.lat),
                longitude: Some(e.place.lon),
                client_app_used: s("Browser"),
                authentication_protocol: e.protocol.and_then(s),
                original_transfer_method: e.transfer.and_then(s),
                user_agent: s(&e.ua),
                device_id: e.device_id.and_then(s),
                auth_details: if e.password_ok {
                    vec![AuthStep {
                        method: s("Password"),
                        succeeded: Some(true),
                        result_detail: s("Correct password"),
                        ..AuthStep::default()
                    }]
                } else {
                    Vec::new()
                },
                risk_level_during_sign_in: e.risk.and_then(|r| s(r.0)),
                risk_state: e.risk.and_then(|r| s(r.1)),
                risk_event_types: e.risk.map(|r| vec![Cow::Owned(r.2.to_string())]).unwrap_or_default(),
                session_id: e.session.as_deref().and_then(s),
                correlation_id: e.correlation.as_deref().and_then(s),
                autonomous_system_number: e.asn,
                source: SourceRef { offset: n as u64 * 100, record: n as u64 + 1, line: Some(n as u64 + 1) },
                ..SignIn::default()
            };
            b.push(&r).unwrap();
        }
        SignInTable::merge(vec![Segment { file: 0, built: b.finish().unwrap() }]).unwrap().0
    }

    fn audit(&self, cfg: &AuditConfig) -> AuditResult {
        audit(&self.table(), cfg)
    }
}

fn of<'a>(r: &'a AuditResult, user: &str, detector: &str) -> Vec<&'a Finding> {
    r.findings.iter().filter(|f| f.user == user && f.detector == detector).collect()
}

fn dump(r: &AuditResult) -> String {
    r.findings.iter().map(|f| format!("  {} {} {:?} {} {:?}\n", f.user, f.detector, f.risk, f.summary, f.risk_notes)).collect()
}

#[track_caller]
fn one<'a>(r: &'a AuditResult, user: &str, detector: &str) -> &'a Finding {
    let f = of(r, user, detector);
    assert_eq!(f.len(), 1, "expected one {detector} finding for {user}, got:\n{}", dump(r));
    f[0]
}

#[track_caller]
fn quiet(r: &AuditResult, user: &str, detector: &str) {
    assert!(of(r, user, detector).is_empty(), "expected no {detector} finding for {user}, got:\n{}", dump(r));
}

fn upn(name: &str) -> String {
    format!("{name}@contoso.example")
}

// ---------------------------------------------------------------------------------------------
// password_spray
// ---------------------------------------------------------------------------------------------

const SPRAY_IP: &str = "203.0.113.50";

/// Eight colleagues with a history; a spray from one address over ROPC at 03:00-03:14 against them
/// and two names that do not exist. `bob` falls to it, `carol`'s password is right but MFA stops it.
fn spray_log() -> Log {
    let mut log = Log::default();
    let names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
    for n in names {
        log.office_worker(&upn(n));
    }
    let targets = ["alice", "bob", "carol", "dave", "admin", "erin", "frank", "test", "grace", "heidi"];
    for (k, t) in targets.iter().enumerate() {
        let e =
            Log::ev(&upn(t), on13(3, 1 + k as i64 * 90 / 60)).ip(SPRAY_IP, AMSTERDAM).app(TEAMS).ua(ATTACKER_UA).foreign_device().ropc();
        let e = match *t {
            "bob" => e.session("bob-stolen"),
            "carol" => e.error(50076).password_ok(),
            "admin" | "test" => e.error(50034),
            _ => e.error(50126),
        };
        log.add(e);
    }
    // The attacker comes back to bob's mailbox later that day from the same address.
    log.add(Log::ev(&upn("bob"), on13(9, 30)).ip(SPRAY_IP, AMSTERDAM).ua(ATTACKER_UA).foreign_device().session("bob-stolen"));
    log
}

#[test]
fn password_spray_the_account_that_fell_is_high_and_chains() {
    let r = spray_log().audit(&cfg());
    let bob = one(&r, &upn("bob"), "password_spray");
    assert!(bob.risk >= Risk::High, "{bob:?}");
    assert!(bob.summary.starts_with("password spray: 8 accounts failed from 203.0.113.50 within"), "{}", bob.summary);
    assert!(bob.summary.ends_with("then this account signed in successfully from 203.0.113.50"), "{}", bob.summary);
    assert_eq!(bob.details["account_outcome"], "succeeded");
    assert_eq!(bob.details["clients"]["ropc"], 8);
    // His own attempt first, then the other accounts' failures as evidence of the spray.
    assert_eq!(bob.sign_in_ids.len(), 2 + 8, "{:?}", bob.sign_in_ids);
    // The success from the Netherlands is also a new country: the two detectors chain.
    assert!(bob.risk_notes.iter().any(|n| n.contains("new_location")), "{:?}", bob.risk_notes);
    assert_eq!(r.exit_code(), 2);
}

#[test]
fn password_spray_a_correct_password_stopped_by_mfa_is_high() {
    let r = spray_log().audit(&cfg());
    let carol = one(&r, &upn("carol"), "password_spray");
    assert_eq!(carol.risk, Risk::High, "{carol:?}");
    assert!(carol.summary.contains("this account's password was right"), "{}", carol.summary);
}

#[test]
fn password_spray_accounts_that_only_failed_are_low() {
    let r = spray_log().audit(&cfg());
    for name in ["alice", "dave", "heidi", "admin", "test"] {
        let f = one(&r, &upn(name), "password_spray");
        assert_eq!(f.risk, Risk::Low, "{f:?}");
        assert!(f.summary.ends_with("this account's 1 attempt(s) failed"), "{}", f.summary);
    }
}

#[test]
fn password_spray_is_seen_when_only_the_victim_is_audited() {
    let mut c = cfg();
    c.users = Some(BTreeSet::from([upn("bob")]));
    let r = spray_log().audit(&c);
    assert!(one(&r, &upn("bob"), "password_spray").risk >= Risk::High);
    assert!(r.findings.iter().all(|f| f.user == upn("bob")), "{}", dump(&r));
}

#[test]
fn password_spray_rotating_addresses_of_one_autonomous_system() {
    let mut log = Log::default();
    for n in ["alice", "bob", "carol", "dave", "erin", "frank"] {
        log.office_worker(&upn(n));
    }
    for (k, n) in ["alice", "bob", "carol", "dave", "erin", "frank"].iter().enumerate() {
        let e = Log::ev(&upn(n), on13(3, 2 * k as i64))
            .ip(&format!("203.0.113.{}", 131 + k), ASHBURN)
            .ua(ATTACKER_UA)
            .foreign_device()
            .asn(64506);
        log.add(if *n == "frank" { e } else { e.error(50126) });
    }
    let r = log.audit(&cfg());
    let frank = one(&r, &upn("frank"), "password_spray");
    assert!(frank.risk >= Risk::High, "{frank:?}");
    assert!(frank.summary.starts_with("password spray: 5 accounts failed from AS64506"), "{}", frank.summary);
    assert_eq!(frank.details["source_kind"], "network");
}

#[test]
fn password_spray_twin_office_nat_on_a_monday_morning() {
    // Forty people behind one office address; on Monday morning eight of them mistype their
    // password once within ten minutes, then sign in a minute later.
    let mut log = Log::default();
    for k in 0..40 {
        log.office_worker_at(&upn(&format!("staff{k:02}")), OFFICE_NAT);
    }
    let monday = date(2024, 3, 11);
    for k in 0..8 {
        let who = upn(&format!("staff{k:02}"));
        log.add(Log::ev(&who, monday + 8 * HOUR + 30 * MINUTE + k * MINUTE).ip(OFFICE_NAT, NEW_YORK).error(50126));
        log.add(Log::ev(&who, monday + 8 * HOUR + 31 * MINUTE + k * MINUTE).ip(OFFICE_NAT, NEW_YORK));
    }
    let r = log.audit(&cfg());
    assert!(r.findings.iter().all(|f| f.detector != "password_spray" && f.detector != "brute_force"), "{}", dump(&r));
}

#[test]
fn password_spray_aggregate_does_not_depend_on_how_users_are_bucketed() {
    let table = spray_log().table();
    let rows = Rows::new(&table.batch).unwrap();
    let net = Enrichment::from_records(&table);
    let includes = |e: Option<&str>| e != Some("nonInteractiveUser");
    let scope = Scope { start: date(2024, 3, 11), end: date(2024, 3, 16), includes: &includes };
    let whole = Aggregate::merge(vec![Aggregate::collect(&rows, &table.users, &scope, &net)]);
    assert!(!whole.failures.is_empty());
    for cut in [1, 3, 7] {
        let (a, b) = table.users.split_at(cut);
        let parts = vec![Aggregate::collect(&rows, b, &scope, &net), Aggregate::collect(&rows, a, &scope, &net)];
        assert_eq!(Aggregate::merge(parts), whole, "cut after {cut} users");
    }
}

// ---------------------------------------------------------------------------------------------
// brute_force
// ---------------------------------------------------------------------------------------------

#[test]
fn brute_force_twelve_guesses_then_a_success_from_the_guessing_address_is_high() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    for k in 0..12 {
        log.add(Log::ev(&u, on13(2, k)).ip("203.0.113.9", MOSCOW).ua(ATTACKER_UA).foreign_device().error(50126));
    }
    log.add(Log::ev(&u, on13(2, 13)).ip("203.0.113.9", MOSCOW).ua(ATTACKER_UA).foreign_device());
    let r = log.audit(&cfg());
    let f = one(&r, &u, "brute_force");
    assert!(f.risk >= Risk::High, "{f:?}");
    assert_eq!(f.summary, "12 failed sign-ins in 11 min from 203.0.113.9; then a successful sign-in from 203.0.113.9");
}

#[test]
fn brute_force_without_a_success_is_medium() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    for k in 0..15 {
        log.add(Log::ev(&u, on13(2, k)).ip(&format!("203.0.113.{}", 100 + k % 3), MOSCOW).ua(ATTACKER_UA).foreign_device().error(50126));
    }
    let r = log.audit(&cfg());
    assert_eq!(one(&r, &u, "brute_force").risk, Risk::Medium, "{}", dump(&r));
}

#[test]
fn brute_force_twin_phone_with_a_stale_password_after_a_change() {
    // The user changed her password; her phone keeps retrying the old one from home every minute
    // until she updates it, then signs in.
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    for k in 0..18 {
        log.add(Log::ev(&u, on13(9, k)).ua(OUTLOOK_IOS_UA).foreign_device().error(50126));
    }
    log.add(Log::ev(&u, on13(9, 20)).ua(OUTLOOK_IOS_UA).foreign_device());
    let r = log.audit(&cfg());
    assert_eq!(one(&r, &u, "brute_force").risk, Risk::Low, "{}", dump(&r));
    assert_eq!(r.exit_code(), 0, "{}", dump(&r));
}

// ---------------------------------------------------------------------------------------------
// device_code
// ---------------------------------------------------------------------------------------------

#[test]
fn device_code_phish_whose_session_is_then_used_from_another_country_is_high() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    // She types the attacker's code at microsoft.com/devicelogin from home...
    log.add(Log::ev(&u, on13(14, 0)).app(AUTH_BROKER).device_code().session("phished"));
    // ...and the attacker's poller uses the session from a Dutch hosting address.
    log.add(
        Log::ev(&u, on13(14, 3))
            .ip("203.0.113.66", AMSTERDAM)
            .ua("python-requests/2.31.0")
            .foreign_device()
            .session("phished")
            .non_interactive(),
    );
    let mut c = cfg();
    c.include_non_interactive = true;
    let r = log.audit(&c);
    let f = one(&r, &u, "device_code");
    assert!(f.risk >= Risk::High, "{f:?}");
    assert!(f.summary.contains("the session was then used from 203.0.113.66 (NL)"), "{}", f.summary);
    assert!(f.summary.contains("the user never signed in with a device code before"), "{}", f.summary);
    // Interactive sign-ins only: the first device-code sign-in to the token broker is still high.
    let r = log.audit(&cfg());
    assert_eq!(one(&r, &u, "device_code").risk, Risk::High, "{}", dump(&r));
}

#[test]
fn device_code_twin_conference_room_user_from_the_office() {
    // Every Tuesday she starts the meeting-room device with a device code, typed on her laptop;
    // the room device then uses the session from the office network.
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    for week in 0..5 {
        let day = date(2024, 2, 13) + week * 7 * DAY;
        let s = format!("room-{week}");
        log.add(Log::ev(&u, day + 10 * HOUR).app(TEAMS).device_code().session(&s));
        log.add(
            Log::ev(&u, day + 10 * HOUR + 2 * MINUTE).ip(OFFICE_NAT, NEW_YORK).app(TEAMS).ua("Teams Rooms").foreign_device().session(&s),
        );
    }
    // The room device's address is the office's, which she also signs in from.
    log.add(Log::ev(&u, date(2024, 2, 20) + 12 * HOUR).ip(OFFICE_NAT, NEW_YORK));
    let r = log.audit(&cfg());
    quiet(&r, &u, "device_code");
}

#[test]
fn device_code_twin_a_developer_s_habitual_cli_login() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    for day in [date(2024, 2, 14), date(2024, 2, 28), on13(0, 0)] {
        log.add(Log::ev(&u, day + 11 * HOUR).app(AZURE_CLI).device_code());
    }
    quiet(&log.audit(&cfg()), &u, "device_code");
}

// ---------------------------------------------------------------------------------------------
// valid_credentials_blocked
// ---------------------------------------------------------------------------------------------

#[test]
fn valid_credentials_blocked_by_mfa_from_a_new_country_is_medium() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    log.add(Log::ev(&u, on13(3, 0)).ip("203.0.113.66", MOSCOW).ua(ATTACKER_UA).foreign_device().error(50076));
    log.add(Log::ev(&u, on13(3, 4)).ip("203.0.113.66", MOSCOW).ua(ATTACKER_UA).foreign_device().error(53003).password_ok());
    let r = log.audit(&cfg());
    let f = one(&r, &u, "valid_credentials_blocked");
    assert_eq!(f.risk, Risk::Medium, "{f:?}");
    assert_eq!(f.sign_in_ids.len(), 2);
    assert!(
        f.summary.starts_with("password accepted from RU (new country) but the sign-in was stopped (error 50076, 53003)"),
        "{}",
        f.summary
    );
    assert_eq!(r.exit_code(), 3);
}

#[test]
fn valid_credentials_blocked_twin_traveller_completes_mfa_abroad() {
    // A business trip: the first sign-in in London asks for MFA (interrupted), she answers, it
    // succeeds. The success is new_location's to judge; there is no blocked password here.
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    log.add(Log::ev(&u, on13(9, 0)).ip("203.0.113.80", LONDON).foreign_device().error(50074).correlation("c-1"));
    log.add(Log::ev(&u, on13(9, 1)).ip("203.0.113.80", LONDON).foreign_device().correlation("c-1"));
    // Her own laptop, blocked once by a location policy on the hotel Wi-Fi.
    log.add(Log::ev(&u, on13(20, 0)).ip("203.0.113.81", LONDON).error(53003));
    let r = log.audit(&cfg());
    quiet(&r, &u, "valid_credentials_blocked");
}

// ---------------------------------------------------------------------------------------------
// entra_risk
// ---------------------------------------------------------------------------------------------

#[test]
fn entra_risk_high_at_risk_sign_in_is_high_and_chains() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    log.add(Log::ev(&u, on13(3, 0)).ip("203.0.113.66", MOSCOW).ua(ATTACKER_UA).foreign_device().risk(
        "high",
        "atRisk",
        "unfamiliarFeatures",
    ));
    let r = log.audit(&cfg());
    let f = one(&r, &u, "entra_risk");
    assert!(f.risk >= Risk::High, "{f:?}");
    assert!(f.summary.starts_with("Entra ID Protection rated 1 sign-in(s) high risk (unfamiliarFeatures); state atRisk"), "{}", f.summary);
    assert!(f.risk_notes.iter().any(|n| n.contains("new_location")), "{:?}", f.risk_notes);
}

#[test]
fn entra_risk_twin_remediated_low_risk_and_hidden_risk() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    // A traveller: Microsoft's low unfamiliar-properties risk, remediated by her own MFA.
    log.add(Log::ev(&u, on13(9, 0)).risk("low", "remediated", "unfamiliarFeatures"));
    // A tenant without P2: the level is hidden.
    log.add(Log::ev(&u, on13(10, 0)).risk("hidden", "none", "generic"));
    let r = log.audit(&cfg());
    let f = one(&r, &u, "entra_risk");
    assert_eq!(f.risk, Risk::Low, "{f:?}");
    assert_eq!(r.exit_code(), 0, "{}", dump(&r));
}

// ---------------------------------------------------------------------------------------------
// mfa_sweep
// ---------------------------------------------------------------------------------------------

const SWEEP_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063",
];

#[test]
fn mfa_sweep_six_platforms_four_services_with_the_right_password_is_high() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    let apps = [OFFICE_HOME, TEAMS, AZURE_CLI, ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online")];
    for (k, ua) in SWEEP_AGENTS.iter().enumerate() {
        log.add(
            Log::ev(&u, on13(3, 0) + k as i64 * 20_000_000)
                .ip("203.0.113.77", ASHBURN)
                .app(apps[k % 4])
                .ua(ua)
                .foreign_device()
                .error(50076),
        );
    }
    // ActiveSync asks no MFA: the sweep's find.
    log.add(Log::ev(&u, on13(3, 3)).ip("203.0.113.77", ASHBURN).app(apps[3]).ua("Apple-iPhone15C3/2107.100").foreign_device());
    let r = log.audit(&cfg());
    let f = one(&r, &u, "mfa_sweep");
    assert!(f.risk >= Risk::High, "{f:?}");
    assert!(f.summary.starts_with("7 sign-ins from 203.0.113.77 in 3 min to 4 apps with 7 user agents claiming"), "{}", f.summary);
}

#[test]
fn mfa_sweep_twin_laptop_and_phone_starting_the_day() {
    let mut log = Log::default();
    let u = upn("amara");
    log.office_worker(&u);
    let apps = [OFFICE_HOME, TEAMS, AZURE_CLI, ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online")];
    for k in 0..8 {
        let ua = if k % 2 == 0 { format!("{EDGE_UA} app/{k}") } else { format!("{OUTLOOK_IOS_UA} app/{k}") };
        log.add(Log::ev(&u, on13(8, 0) + k * 30_000_000).app(apps[k as usize % 4]).ua(&ua));
    }
    quiet(&log.audit(&cfg()), &u, "mfa_sweep");
}
