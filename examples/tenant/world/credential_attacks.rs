//! Planted attacks for the cross-user and credential detectors (`password_spray`, `brute_force`,
//! `device_code`, `valid_credentials_blocked`, `entra_risk`, `mfa_sweep`): the shapes their peers'
//! rules describe (Sentinel, Elastic and Splunk rules; MFASweep), each on its own victim.

use super::attacks::{CHROME_UA, FIREFOX_LINUX_UA, Planted, attacker, foreign, hosting, must, rogue};
use super::people::{Loc, MFA_DONE, PASSWORD_OK, World};
use super::{Event, HOUR, MINUTE, Rng, local, places};

/// The user agents MFASweep cycles through, one per app it tries.
const SWEEP_UAS: &[&str] = &[
    CHROME_UA,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063",
    FIREFOX_LINUX_UA,
];

pub(super) fn spray(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let (loc, _) = hosting(rng, "");
    let t0 = day + rng.range(0, 22) * HOUR;
    let targets: Vec<usize> = (0..w.users.len()).filter(|&x| x != u && w.users[x].kind.is_person()).collect();
    let n = rng.range(25, 40).min(targets.len() as i64) as usize;
    let mut sprayed = Vec::new();
    for k in 0..n {
        let x = targets[(rng.below(targets.len() as u64) as usize + k) % targets.len()];
        if sprayed.contains(&x) {
            continue;
        }
        sprayed.push(x);
        let mut r = attacker(w, x, t0 + k as i64 * rng.range(20, 60) * 1_000_000, &loc, "BAV2ROPC", rogue("", ""));
        r.device = None;
        r.protocol = "ropc";
        r.client = "Other clients";
        r.app = places::EXCHANGE;
        r.code = if rng.chance(0.08) { 50053 } else { 50126 };
        r.requirement = "singleFactorAuthentication";
        r.steps = vec![("Password", false, "Invalid username or password or Invalid on-premise username or password.")];
        let id = w.push(r);
        w.decoy("spray_target", "low", x, &id);
    }
    for k in 0..3 {
        let mut r = attacker(w, u, t0 + k * 40_000_000, &loc, "BAV2ROPC", rogue("", ""));
        r.upn = format!("{}{}@{}", ["admin", "test", "scanner"][k as usize], rng.below(100), w.country.domain);
        r.user_id = String::new();
        r.device = None;
        r.protocol = "ropc";
        r.code = 50034;
        w.push(r);
    }
    let mut r = attacker(w, u, t0 + n as i64 * 30_000_000, &loc, "BAV2ROPC", rogue("", ""));
    r.device = None;
    r.protocol = "ropc";
    r.client = "Other clients";
    r.app = places::EXCHANGE;
    r.requirement = "singleFactorAuthentication";
    r.steps = vec![PASSWORD_OK];
    let id = w.push(r);
    (
        format!("ROPC password spray from {} against {n} accounts; the victim's password works", loc.ip),
        must(&[("password_spray", "medium")]),
        vec![id],
        vec![w.users[u].upn.clone()],
        false,
    )
}

pub(super) fn brute_force(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let (loc, _) = hosting(rng, "");
    let mut t = day + rng.range(0, 22) * HOUR;
    let mut ids = Vec::new();
    for _ in 0..rng.range(30, 60) {
        let mut r = attacker(w, u, t, &loc, CHROME_UA, rogue("", ""));
        r.device = None;
        r.code = 50126;
        r.requirement = "singleFactorAuthentication";
        r.steps = vec![("Password", false, "Invalid username or password or Invalid on-premise username or password.")];
        ids.push(w.push(r));
        t += rng.range(10, 50) * 1_000_000;
    }
    let succeeded = rng.chance(0.7);
    if succeeded {
        let mut r = attacker(w, u, t, &loc, CHROME_UA, rogue("", ""));
        r.device = None;
        r.steps = vec![PASSWORD_OK, MFA_DONE];
        ids.insert(0, w.push(r));
    }
    (
        format!("{} password guesses from {}{}", ids.len(), loc.ip, if succeeded { ", the last one right" } else { "" }),
        must(&[("brute_force", "medium")]),
        ids,
        vec![w.users[u].upn.clone()],
        false,
    )
}

pub(super) fn device_code(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let user = w.users[u].clone();
    let t = local(day, user.home.tz, 10.0 + rng.below(6) as f64);
    let home = w.home_loc(u, t);
    let sess = w.rng.guid();
    let mut r = w.base(u, t, &home);
    r.ua = user.browser_ua.into();
    r.app = places::BROKER;
    r.resource = places::GRAPH;
    r.protocol = "deviceCode";
    r.transfer = "deviceCodeFlow";
    r.steps = vec![PASSWORD_OK, MFA_DONE];
    r.session = Some(sess.clone());
    let mut ids = vec![w.push(r)];
    let (loc, _) = hosting(rng, "");
    for k in 0..rng.range(2, 5) {
        let mut r = attacker(w, u, t + (2 + k * 15) * MINUTE, &loc, "python-requests/2.31.0", rogue("", ""));
        r.device = None;
        r.event = Event::NonInteractive;
        r.app = places::BROKER;
        r.resource = places::GRAPH;
        r.transfer = "deviceCodeFlow";
        r.incoming = "refreshToken";
        r.session = Some(sess.clone());
        ids.push(w.push(r));
    }
    (
        format!("device-code phishing: the victim enters the attacker's code; tokens used from {}", loc.ip),
        must(&[("device_code", "medium")]),
        ids,
        vec![user.upn.clone()],
        false,
    )
}

pub(super) fn blocked(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let loc = foreign(rng, w.country.cc);
    let t = day + rng.range(0, 22) * HOUR;
    let mut ids = Vec::new();
    for k in 0..rng.range(1, 4) {
        let mut r = attacker(w, u, t + k * 4 * MINUTE, &loc, CHROME_UA, rogue("Windows10", "Chrome 120.0.0"));
        let (code, detail) = *rng.pick(&[
            (50074, "Strong Authentication is required."),
            (50076, "MFA required in Azure AD"),
            (53003, "Blocked by Conditional Access"),
        ]);
        r.code = code;
        r.details = Some(detail);
        r.steps = vec![PASSWORD_OK];
        ids.push(w.push(r));
    }
    (
        format!("the right password from {} ({}), stopped by MFA or Conditional Access", loc.place.name, loc.place.cc),
        must(&[("valid_credentials_blocked", "medium")]),
        ids,
        vec![w.users[u].upn.clone()],
        false,
    )
}

pub(super) fn entra_risk(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let (city, net) = rng.pick(places::TOR);
    let loc = Loc::on(net, net.any_ip(rng), city);
    let t = day + rng.range(0, 22) * HOUR;
    let mut r = attacker(w, u, t, &loc, CHROME_UA, rogue("Windows10", "Chrome 120.0.0"));
    r.steps = vec![PASSWORD_OK, MFA_DONE];
    r.risk = Some(("high", "atRisk", "none", vec!["anonymizedIPAddress", "unfamiliarFeatures"]));
    let id = w.push(r);
    (
        "a success Entra ID Protection rated high risk (anonymized IP, unfamiliar features)".to_string(),
        must(&[("entra_risk", "medium")]),
        vec![id],
        vec![w.users[u].upn.clone()],
        false,
    )
}

pub(super) fn sweep(w: &mut World, u: usize, day: i64, rng: &mut Rng) -> Planted {
    let (loc, _) = hosting(rng, "");
    let t = day + rng.range(0, 22) * HOUR;
    let targets = [
        (places::GRAPH, "Browser", "none"),
        (places::EXCHANGE, "Exchange Web Services", "none"),
        (places::ACTIVESYNC_APP, "Exchange ActiveSync", "none"),
        (places::AZURE_MGMT, "Mobile Apps and Desktop clients", "ropc"),
        (places::TEAMS, "Mobile Apps and Desktop clients", "none"),
        (places::AAD_GRAPH, "Mobile Apps and Desktop clients", "ropc"),
    ];
    let mut ids = Vec::new();
    for (k, (app, client, protocol)) in targets.iter().enumerate() {
        let mut r = attacker(w, u, t + k as i64 * 35_000_000, &loc, SWEEP_UAS[k], rogue("", ""));
        r.device = None;
        r.app = *app;
        r.resource = *app;
        r.client = client;
        r.protocol = protocol;
        let single = client.starts_with("Exchange");
        if single {
            r.requirement = "singleFactorAuthentication";
            r.steps = vec![PASSWORD_OK];
        } else {
            r.code = 50076;
            r.details = Some("MFA required in Azure AD");
            r.steps = vec![PASSWORD_OK];
        }
        ids.push(w.push(r));
    }
    (
        format!("MFASweep from {}: {} apps and user agents in minutes", loc.ip, targets.len()),
        must(&[("mfa_sweep", "medium")]),
        ids,
        vec![w.users[u].upn.clone()],
        false,
    )
}
