//! Planted attacks: a few of every kind a detector of the project (or of the cross-user pass) must
//! find, each on its own victim, inside the analysis window, after the victim's normal history.
//!
//! Each attack records the detectors that must find it and the lowest risk that counts as found
//! (medium, except `off_hours`, which is low by design), and the request ids a finding must cite.

use std::collections::BTreeMap;

use super::credential_attacks;
use super::people::{Kind, Loc, MFA_DONE, PASSWORD_OK, PREVIOUSLY, World};
use super::places::{self, City, Net};
use super::{AttackTruth, DAY, Device, END, Event, HOUR, MINUTE, Rec, Rng, local, weekday};

/// Every kind of planted attack, in planting order.
pub const KINDS: &[&str] = &[
    "impossible_travel",
    "legacy_protocol",
    "mfa_fatigue",
    "session_hijack",
    "refresh_token_theft",
    "new_device",
    "new_location",
    "attacker_tooling",
    "off_hours",
    "password_spray",
    "brute_force",
    "device_code",
    "valid_credentials_blocked",
    "entra_risk",
    "mfa_sweep",
];

pub(super) const CHROME_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
pub(super) const FIREFOX_LINUX_UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0";
const TOOL_UAS: &[&str] = &[
    "python-requests/2.31.0",
    "azurehound/v2.1.7",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.3.00.30866 Chrome/80.0.3987.165 Electron/8.5.1 Safari/537.36",
    "axios/1.6.7",
    "Go-http-client/1.1",
    "python/3.11 aiohttp/3.9.1 roadrecon",
];

pub(super) fn rogue(os: &'static str, browser: &'static str) -> Device {
    Device { id: None, name: String::new(), os, browser, managed: false, compliant: false, trust: "" }
}

/// Plant `attacks_per_detector` attacks of every kind.
pub fn plant(w: &mut World) {
    let mut rng = Rng::new(w.cfg.seed, 99);
    for round in 0..w.cfg.attacks_per_detector {
        for kind in KINDS {
            let Some(victim) = pick_victim(w, &mut rng) else { return };
            let day = pick_day(w, victim, &mut rng);
            let id = format!("{kind}-{}", round + 1);
            let a = match *kind {
                "impossible_travel" => impossible_travel(w, victim, day, &mut rng),
                "legacy_protocol" => legacy(w, victim, day, &mut rng),
                "mfa_fatigue" => fatigue(w, victim, day, &mut rng),
                "session_hijack" => session_hijack(w, victim, day, &mut rng),
                "refresh_token_theft" => refresh_theft(w, victim, day, &mut rng),
                "new_device" => new_device(w, victim, day, &mut rng),
                "new_location" => new_location(w, victim, day, &mut rng),
                "attacker_tooling" => tooling(w, victim, day, &mut rng),
                "off_hours" => off_hours(w, victim, day, &mut rng),
                "password_spray" => credential_attacks::spray(w, victim, day, &mut rng),
                "brute_force" => credential_attacks::brute_force(w, victim, day, &mut rng),
                "device_code" => credential_attacks::device_code(w, victim, day, &mut rng),
                "valid_credentials_blocked" => credential_attacks::blocked(w, victim, day, &mut rng),
                "entra_risk" => credential_attacks::entra_risk(w, victim, day, &mut rng),
                _ => credential_attacks::sweep(w, victim, day, &mut rng),
            };
            let (description, detectors, sign_ins, victims, non_interactive) = a;
            for v in &victims {
                if let Some(u) = w.users.iter_mut().find(|u| &u.upn == v) {
                    u.attacked = true;
                }
            }
            w.attacks.push(AttackTruth { id, kind: kind.to_string(), description, victims, detectors, sign_ins, non_interactive });
        }
    }
}

pub(super) type Planted = (String, BTreeMap<String, String>, Vec<String>, Vec<String>, bool);

pub(super) fn must(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(d, r)| (d.to_string(), r.to_string())).collect()
}

/// A benign person with the full history, not attacked yet.
fn pick_victim(w: &mut World, rng: &mut Rng) -> Option<usize> {
    let ok: Vec<usize> = (0..w.users.len())
        .filter(|&u| {
            let x = &w.users[u];
            !x.attacked
                && x.first_day <= w.start
                && x.trips.is_empty()
                && matches!(x.kind, Kind::Hybrid | Kind::Remote | Kind::OfficeOnly | Kind::VpnUser | Kind::Admin | Kind::FieldWorker)
        })
        .collect();
    if ok.is_empty() {
        return None;
    }
    let u = *rng.pick(&ok);
    w.users[u].attacked = true;
    Some(u)
}

/// A working day of the victim in the analysis window, after at least 14 days of their history
/// (a 30-day export's first two weeks are the learning period), not in the last two days.
fn pick_day(w: &World, u: usize, rng: &mut Rng) -> i64 {
    let first = (w.start + 15 * DAY).max(w.analysis_start + 2 * DAY);
    let span = ((END - 3 * DAY - first) / DAY).max(1);
    loop {
        let d = first + rng.range(0, span) * DAY;
        if w.users[u].workdays[weekday(d) as usize] && d < END - 2 * DAY {
            return d;
        }
    }
}

pub(super) fn hosting(rng: &mut Rng, abroad_of: &str) -> (Loc, &'static City) {
    let choices: Vec<&(City, Net)> = places::HOSTING.iter().filter(|h| h.0.cc != abroad_of).collect();
    let (city, net) = *rng.pick(&choices);
    (Loc::on(net, net.any_ip(rng), city), city)
}

pub(super) fn foreign(rng: &mut Rng, abroad_of: &str) -> Loc {
    if rng.chance(0.5) {
        hosting(rng, abroad_of).0
    } else {
        let (city, net) = rng.pick(places::FOREIGN_RESIDENTIAL);
        Loc::on(net, net.any_ip(rng), city)
    }
}

/// A residential address of the tenant's own country in `city` (a residential proxy).
fn domestic(w: &World, rng: &mut Rng, city: &'static City) -> Loc {
    let net = *rng.pick(w.country.home_isps);
    Loc::on(&net, net.ip(rng.range(230, 254) as u8, rng.range(2, 250) as u8), city)
}

/// The victim's own sign-in at `t` from where they work that day, on their laptop.
fn victim_sign_in(w: &mut World, u: usize, t: i64) -> String {
    let loc = w.home_loc(u, t);
    let user = w.users[u].clone();
    let mut r = w.base(u, t, &loc);
    r.ua = user.browser_ua.into();
    r.device = user.laptop.clone();
    r.session = Some(w.rng.guid());
    w.push(r)
}

pub(super) fn attacker(w: &mut World, u: usize, t: i64, loc: &Loc, ua: &str, device: Device) -> Rec {
    let mut r = w.base(u, t, loc);
    r.ua = ua.into();
    r.device = Some(device);
    r.steps = vec![PREVIOUSLY];
    r
}

fn impossible_travel(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let tz = w.users[u].home.tz;
    let t0 = local(day, tz, 10.0 + rng.below(6) as f64);
    victim_sign_in(w, u, t0);
    // Far enough that no flight covers it in the minutes between (the next country may be closer
    // than the detector's 500 km floor, where GeoIP error and real travel overlap).
    let home = w.users[u].home;
    let loc = loop {
        let l = foreign(rng, w.country.cc);
        if super::days::distance(l.place, home) > 1500.0 {
            break l;
        }
    };
    let r = attacker(w, u, t0 + rng.range(10, 50) * MINUTE, &loc, CHROME_UA, rogue("Windows10", "Chrome 120.0.0"));
    let id = w.push(r);
    (
        format!("stolen session replayed from {} ({}) minutes after the victim's own sign-in", loc.place.name, loc.place.cc),
        must(&[("impossible_travel", "medium")]),
        vec![id],
        vec![w.users[u].upn.clone()],
        false,
    )
}

fn legacy(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let (loc, _) = hosting(rng, "");
    let t0 = day + rng.range(0, 23) * HOUR;
    let client = *rng.pick(&["IMAP4", "POP3", "Exchange Web Services", "Authenticated SMTP"]);
    let mut ids = Vec::new();
    for k in 0..rng.range(3, 8) {
        let mut r = w.base(u, t0 + k * rng.range(2, 9) * MINUTE, &loc);
        r.app = places::EXCHANGE;
        r.resource = places::EXCHANGE;
        r.client = client;
        r.requirement = "singleFactorAuthentication";
        r.steps = vec![PASSWORD_OK];
        ids.push(w.push(r));
    }
    (
        format!("{client} sign-ins with the victim's password from {} ({})", loc.place.name, loc.place.cc),
        must(&[("legacy_protocol", "medium")]),
        ids,
        vec![w.users[u].upn.clone()],
        false,
    )
}

fn fatigue(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let tz = w.users[u].home.tz;
    let loc = if rng.chance(0.5) { foreign(rng, w.country.cc) } else { hosting(rng, "").0 };
    let mut t = local(day, tz, 1.0 + rng.below(4) as f64);
    let mut ids = Vec::new();
    for _ in 0..rng.range(6, 12) {
        let mut r = attacker(w, u, t, &loc, CHROME_UA, rogue("Windows10", "Chrome 120.0.0"));
        let detail = if rng.chance(0.5) {
            "MFA denied; user did not respond to mobile app notification"
        } else {
            "MFA denied; user declined the authentication"
        };
        r.code = 500121;
        r.details = Some(detail);
        r.steps = vec![PASSWORD_OK, ("Mobile app notification", false, detail)];
        ids.push(w.push(r));
        t += rng.range(90, 300) * 1_000_000;
    }
    let mut r = attacker(w, u, t + 2 * MINUTE, &loc, CHROME_UA, rogue("Windows10", "Chrome 120.0.0"));
    r.steps = vec![PASSWORD_OK, MFA_DONE];
    let ok = w.push(r);
    let mut cited = vec![ok];
    cited.extend(ids);
    (
        format!("{} push prompts at night from {} ({}), then an approved one", cited.len() - 1, loc.place.name, loc.place.cc),
        must(&[("mfa_fatigue", "medium")]),
        cited,
        vec![w.users[u].upn.clone()],
        false,
    )
}

/// The victim's laptop session in use on `day` (a non-interactive row of it), if any.
fn session_on(w: &World, u: usize, day: i64) -> Option<(String, i64)> {
    let upn = &w.users[u].upn;
    w.records
        .iter()
        .filter(|r| {
            &r.upn == upn
                && r.t >= day
                && r.t < day + DAY
                && r.event == Event::NonInteractive
                && r.device.as_ref().is_some_and(|d| d.managed)
        })
        .find_map(|r| r.session.clone().map(|s| (s, r.t)))
}

fn session_hijack(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let (sess, tv) = session_on(w, u, day).unwrap_or_else(|| (w.rng.guid(), day + 12 * HOUR));
    let (loc, _) = hosting(rng, w.country.cc);
    let ua = if rng.chance(0.5) { "python-requests/2.31.0".to_string() } else { w.users[u].outlook_ua.to_string() };
    let mut ids = Vec::new();
    let mut t = tv + rng.range(5, 60) * MINUTE;
    for _ in 0..rng.range(3, 6) {
        let mut r = attacker(w, u, t, &loc, &ua, rogue("", ""));
        r.device = None;
        r.event = Event::NonInteractive;
        r.app = places::OUTLOOK_DESKTOP;
        r.resource = places::EXCHANGE;
        r.client = "Mobile Apps and Desktop clients";
        r.session = Some(sess.clone());
        r.incoming = "refreshToken";
        ids.push(w.push(r));
        t += rng.range(3, 20) * MINUTE;
    }
    (
        format!("the victim's laptop session replayed from {} ({}) while they work", loc.place.name, loc.place.cc),
        must(&[("token_replay", "medium")]),
        ids,
        vec![w.users[u].upn.clone()],
        true,
    )
}

fn refresh_theft(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    // The session of the victim's laptop on one of the last days before (where an infostealer
    // took the token).
    let (sess, _) = (1..8).find_map(|k| session_on(w, u, day - k * DAY)).unwrap_or_else(|| (w.rng.guid(), day));
    let abroad = rng.chance(0.7);
    let (loc, _) = if abroad { hosting(rng, w.country.cc) } else { domestic_hosting(w, rng) };
    let spoof = rng.chance(0.5);
    let ua = if spoof { w.users[u].outlook_ua.to_string() } else { "python-requests/2.31.0".to_string() };
    let mut ids = Vec::new();
    let mut t = day + rng.range(0, 20) * HOUR;
    for _ in 0..rng.range(4, 10) {
        let mut r = attacker(w, u, t, &loc, &ua, rogue("", ""));
        r.device = None;
        r.event = Event::NonInteractive;
        r.app = *rng.pick(&[places::OUTLOOK_DESKTOP, places::TEAMS]);
        r.resource = places::GRAPH;
        r.client = "Mobile Apps and Desktop clients";
        r.session = Some(sess.clone());
        r.incoming = "refreshToken";
        ids.push(w.push(r));
        t += rng.range(10, 90) * MINUTE;
    }
    let how = if spoof { "with the victim's own user agent" } else { "with python-requests" };
    (
        format!("a stolen refresh token redeemed from {} ({}) {how}", loc.place.name, loc.place.cc),
        must(&[("token_replay", "medium")]),
        ids,
        vec![w.users[u].upn.clone()],
        true,
    )
}

fn domestic_hosting(w: &World, rng: &mut Rng) -> (Loc, &'static City) {
    let choices: Vec<&(City, Net)> = places::HOSTING.iter().filter(|h| h.0.cc == w.country.cc).collect();
    if choices.is_empty() {
        return hosting(rng, "");
    }
    let (city, net) = *rng.pick(&choices);
    (Loc::on(net, net.any_ip(rng), city), city)
}

/// A city of the tenant's country at least 300 km from the victim's home and office.
fn far_city(w: &World, u: usize, rng: &mut Rng) -> &'static City {
    let user = &w.users[u];
    let far: Vec<&'static City> = w
        .country
        .cities
        .iter()
        .filter(|c| super::days::distance(c, user.home) > 350.0 && user.office.is_none_or(|o| super::days::distance(c, o) > 350.0))
        .collect();
    let cities: &'static [City] = w.country.cities;
    if far.is_empty() { rng.pick(cities) } else { far[rng.below(far.len() as u64) as usize] }
}

fn new_device(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let city = far_city(w, u, rng);
    let loc = domestic(w, rng, city);
    let t = local(day, city.tz, 9.0 + rng.below(8) as f64);
    let dev = if rng.chance(0.5) { rogue("Linux", "Firefox 122.0") } else { rogue("Windows10", "Chrome 120.0.0") };
    let ua = if dev.os == "Linux" { FIREFOX_LINUX_UA } else { CHROME_UA };
    let mut ids = Vec::new();
    for k in 0..rng.range(1, 3) {
        let mut r = attacker(w, u, t + k * 7 * MINUTE, &loc, ua, dev.clone());
        r.steps = vec![PASSWORD_OK, MFA_DONE];
        ids.push(w.push(r));
    }
    (
        format!("an unmanaged {} device in {} (a residential proxy)", dev.os, city.name),
        must(&[("new_device", "medium")]),
        ids,
        vec![w.users[u].upn.clone()],
        false,
    )
}

fn new_location(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    // A country the victim never signs in from (not the corporate VPN's either).
    let loc = loop {
        let l = foreign(rng, w.country.cc);
        if l.place.cc != w.country.vpn_city.cc {
            break l;
        }
    };
    let t = day + rng.range(0, 23) * HOUR;
    let mut r = attacker(w, u, t, &loc, CHROME_UA, rogue("Windows10", "Chrome 120.0.0"));
    r.steps = vec![PASSWORD_OK, MFA_DONE];
    let id = w.push(r);
    (
        format!("a successful sign-in from {} ({})", loc.place.name, loc.place.cc),
        must(&[("new_location", "medium")]),
        vec![id],
        vec![w.users[u].upn.clone()],
        false,
    )
}

fn tooling(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let (loc, _) = hosting(rng, "");
    let ua = *rng.pick(TOOL_UAS);
    let t = day + rng.range(0, 23) * HOUR;
    let mut ids = Vec::new();
    for k in 0..rng.range(1, 4) {
        let mut r = attacker(w, u, t + k * 3 * MINUTE, &loc, ua, rogue("", ""));
        r.device = None;
        r.app = *rng.pick(&[places::AZURE_CLI, places::GRAPH_POWERSHELL, places::OFFICE_HOME]);
        r.resource = *rng.pick(&[places::GRAPH, places::AAD_GRAPH]);
        r.client = "Mobile Apps and Desktop clients";
        r.protocol = if rng.chance(0.5) { "ropc" } else { "none" };
        r.requirement = "singleFactorAuthentication";
        r.steps = vec![PASSWORD_OK];
        ids.push(w.push(r));
    }
    (
        format!("attacker tooling ({ua}) signs in from {} ({})", loc.place.name, loc.place.cc),
        must(&[("suspicious_user_agent", "medium")]),
        ids,
        vec![w.users[u].upn.clone()],
        false,
    )
}

fn off_hours(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let user = w.users[u].clone();
    let loc = domestic(w, rng, user.home);
    let t = local(day, user.home.tz, 2.0 + rng.below(3) as f64);
    let dev = Device { id: None, ..user.laptop.clone().unwrap_or_else(|| rogue("Windows10", "Edge 121.0.2277")) };
    let mut r = attacker(w, u, t, &loc, user.browser_ua, dev);
    if let Some(d) = r.device.as_mut() {
        d.managed = false;
    }
    r.steps = vec![PASSWORD_OK, MFA_DONE];
    let id = w.push(r);
    (
        "a sign-in at night from the victim's own city (residential proxy), nothing else unusual".to_string(),
        must(&[("off_hours", "low")]),
        vec![id],
        vec![user.upn.clone()],
        false,
    )
}
