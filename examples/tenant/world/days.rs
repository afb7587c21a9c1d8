//! One person's days: laptop working blocks (office, home, VPN, hotel), phone refreshes through the
//! waking day, flights, and the odd-but-normal decoys (an unanswered push, a mistyped password, a
//! new laptop), plus the failed password guesses from the internet every tenant collects.

use super::catalog::EDGE_UA;
use super::people::{Kind, LAPTOP_REFRESH, Loc, MFA_DONE, PASSWORD_OK, PREVIOUSLY, World};
use super::places::{self, City};
use super::{DAY, END, Event, HOUR, MINUTE, Rec, Rng, local, weekday};

/// A long-lived session of one device: its id and when it must be renewed.
#[derive(Default)]
struct Sessions {
    laptop: Option<(String, i64)>,
    phone: Option<(String, i64)>,
    /// The carrier address the phone holds, and until when.
    carrier: Option<(Loc, i64)>,
    /// Days of the one-off decoys still to happen.
    unanswered_push: Option<i64>,
    mistyped: Option<i64>,
}

/// Where the laptop works today, the decoy class of that place, and the local time zone.
struct Block {
    loc: Loc,
    class: Option<(&'static str, &'static str)>,
    tz: i32,
    from: f64,
    to: f64,
}

/// Simulate user `u` from their first day to the end of the export.
pub fn person(w: &mut World, u: usize, rng: &mut Rng) {
    let analysis = w.analysis_start;
    let mut s = Sessions {
        unanswered_push: rng.chance(0.12).then(|| analysis + rng.range(1, 28) * DAY),
        mistyped: rng.chance(0.15).then(|| analysis + rng.range(1, 28) * DAY),
        ..Sessions::default()
    };
    let mut day = w.users[u].first_day.max(w.start);
    while day < END {
        let user = w.users[u].clone();
        let wd = weekday(day) as usize;
        let trip = w.trip_at(u, day + 12 * HOUR).cloned();
        let works = trip.as_ref().map_or(user.workdays[wd] && !rng.chance(0.04), |t| !t.phone_only);
        let home_tz = user.home.tz;
        let blocks: Vec<Block> = match &trip {
            Some(tr) if tr.phone_only => Vec::new(),
            Some(tr) if day == tr.depart || day == tr.back => flight_day(w, u, day, tr, rng),
            Some(tr) => {
                let loc = Loc::on(&tr.net, tr.net.ip(7, 20 + (u % 200) as u8), tr.place);
                let start = 8.0 + rng.below(4) as f64 * 0.25;
                vec![Block { loc, class: Some((tr.class, bracket(tr.class))), tz: tr.place.tz, from: start, to: start + user.hours }]
            }
            None if works => {
                let (loc, class) = if user.kind == Kind::VpnUser && rng.chance(0.9) {
                    (w.vpn_loc(), Some(("vpn_egress", "medium")))
                } else if user.office.is_some() && user.office_days[wd] {
                    (w.office_loc(u), None)
                } else {
                    let class = match user.renumber {
                        Some((d, _)) if day >= d => Some(("home_ip_change", "low")),
                        _ => None,
                    };
                    (w.home_loc(u, day), class)
                };
                let class = class.or(match user.kind {
                    Kind::NightShift => Some(("night_shift", "low")),
                    Kind::WeekendWorker if wd >= 5 => Some(("weekend_work", "low")),
                    _ => None,
                });
                let start = user.start_hour + rng.range(-2, 2) as f64 * 0.25;
                let hours = if user.kind == Kind::FieldWorker { 2.0 } else { user.hours };
                vec![Block { loc, class, tz: home_tz, from: start, to: start + hours }]
            }
            None => Vec::new(),
        };
        for b in &blocks {
            laptop_block(w, u, day, b, &mut s, rng);
        }
        if w.users[u].phone.is_some() {
            phone_day(w, u, day, &blocks, trip.as_ref(), &mut s, rng);
        }
        day += DAY;
    }
}

fn bracket(class: &str) -> &'static str {
    if class == "trip_new_country" || class == "vacation_phone_only" { "medium" } else { "low" }
}

/// Departure or return day: work at the origin in the morning, fly, a short evening at the
/// destination. Flight time is the great-circle distance at 800 km/h plus taxiing.
fn flight_day(w: &mut World, u: usize, day: i64, tr: &super::people::Trip, rng: &mut Rng) -> Vec<Block> {
    let user = &w.users[u];
    let (from_city, to_city): (&'static City, &'static City) = if day == tr.depart { (user.home, tr.place) } else { (tr.place, user.home) };
    let km = distance(from_city, to_city);
    let flight_hours = km / 800.0 + 0.75;
    let leave = 9.0 + rng.below(8) as f64 * 0.5;
    let origin = if day == tr.depart { w.home_loc(u, day) } else { Loc::on(&tr.net, tr.net.ip(7, 20 + (u % 200) as u8), tr.place) };
    let dest = if day == tr.depart { Loc::on(&tr.net, tr.net.ip(7, 20 + (u % 200) as u8), tr.place) } else { w.home_loc(u, day) };
    let arrive_utc = local(day, from_city.tz, leave) + (flight_hours * HOUR as f64) as i64;
    let arrive_local = (arrive_utc - day) as f64 / HOUR as f64 + to_city.tz as f64;
    vec![
        Block { loc: origin, class: Some(("flight", "low")), tz: from_city.tz, from: leave - 2.5, to: leave - 0.75 },
        Block { loc: dest, class: Some(("flight", "low")), tz: to_city.tz, from: arrive_local + 1.0, to: arrive_local + 3.0 },
    ]
}

pub fn distance(a: &City, b: &City) -> f64 {
    let (la1, lo1, la2, lo2) = (a.lat.to_radians(), a.lon.to_radians(), b.lat.to_radians(), b.lon.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// The laptop's sign-ins of one working block.
fn laptop_block(w: &mut World, u: usize, day: i64, b: &Block, s: &mut Sessions, rng: &mut Rng) {
    let user = w.users[u].clone();
    let (device, new_laptop) = match &user.new_laptop {
        Some((d, dev)) if day >= *d => (dev.clone(), day < d + 2 * DAY),
        _ => match &user.laptop {
            Some(l) => (l.clone(), false),
            None => return,
        },
    };
    let (t0, t1) = (local(day, b.tz, b.from), local(day, b.tz, b.to));
    if t1 <= t0 {
        return;
    }
    let lb = Labels { class: b.class, new_laptop };
    // A session lasts a few days; a new laptop starts a new one.
    let fresh = match &s.laptop {
        Some((_, until)) => *until < t0 || (new_laptop && day == user.new_laptop.as_ref().map_or(0, |n| n.0)),
        None => true,
    };
    if fresh {
        start_session(w, u, day, t0, b, &device, lb, s, rng);
    }
    let Some((sess, _)) = s.laptop.clone() else { return };
    let stamp = |r: &mut Rec| {
        r.device = Some(device.clone());
        r.session = Some(sess.clone());
    };
    // A few interactive app sign-ins during the block (admins also use their admin tools).
    let extra = rng.range(0, 2) + if user.kind == Kind::Admin { 2 } else { 0 };
    for k in 0..extra {
        let t = rng.range(t0, t1);
        let mut r = w.base(u, t, &b.loc);
        r.app = if user.kind == Kind::Admin && k < 2 {
            *rng.pick(&[places::AZURE_PORTAL, places::GRAPH_POWERSHELL])
        } else {
            *rng.pick(&[places::OFFICE_HOME, places::SHAREPOINT, places::TEAMS, places::MY_SIGNINS])
        };
        r.resource = if r.app == places::AZURE_PORTAL { places::AZURE_MGMT } else { places::GRAPH };
        r.ua = if r.app == places::GRAPH_POWERSHELL { ADMIN_POWERSHELL_UA.into() } else { user.browser_ua.into() };
        if r.app == places::GRAPH_POWERSHELL {
            r.client = "Mobile Apps and Desktop clients";
        }
        stamp(&mut r);
        let id = w.push(r);
        lb.apply(w, u, &id);
    }
    // Desktop clients refresh their tokens through the block.
    let windows = device.os.starts_with("Windows");
    for (n, (app, resource)) in LAPTOP_REFRESH.iter().enumerate() {
        let every = [(100, 160), (150, 240), (300, 480)][n];
        let mut t = t0 + rng.range(5, 40) * MINUTE;
        while t < t1 {
            let mut r = w.base(u, t, &b.loc);
            r.event = Event::NonInteractive;
            r.app = *app;
            r.resource = *resource;
            r.client = "Mobile Apps and Desktop clients";
            r.ua = [user.outlook_ua, user.teams_ua, ONEDRIVE_UA][n].into();
            r.incoming = if windows { "primaryRefreshToken" } else { "refreshToken" };
            stamp(&mut r);
            let id = w.push(r);
            lb.apply(w, u, &id);
            t += rng.range(every.0, every.1) * MINUTE;
        }
    }
    microsoft_service_side(w, u, t0, t1, &sess, rng);
}

const ADMIN_POWERSHELL_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.22631; en-US) PowerShell/7.4.1";
const ONEDRIVE_UA: &str = "Microsoft SkyDriveSync 24.010.0114.0003 ship; Windows NT 10.0 (19045)";

/// The decoy classes a block's sign-ins belong to.
#[derive(Clone, Copy)]
struct Labels {
    class: Option<(&'static str, &'static str)>,
    new_laptop: bool,
}

impl Labels {
    fn apply(self, w: &mut World, u: usize, id: &str) {
        if let Some((class, br)) = self.class {
            w.decoy(class, br, u, id);
        }
        if self.new_laptop {
            w.decoy("new_managed_laptop", "low", u, id);
        }
    }
}

/// A new laptop session: the full sign-in with MFA, preceded on its day by the one-off decoys (a
/// mistyped password, an unanswered push).
#[allow(clippy::too_many_arguments)]
fn start_session(
    w: &mut World,
    u: usize,
    day: i64,
    t0: i64,
    b: &Block,
    device: &super::Device,
    lb: Labels,
    s: &mut Sessions,
    rng: &mut Rng,
) {
    let browser_ua = w.users[u].browser_ua;
    let sess = w.rng.guid();
    s.laptop = Some((sess.clone(), t0 + rng.range(1, 6) * DAY));
    let mut t = t0;
    if s.mistyped.is_some_and(|d| day >= d) {
        s.mistyped = None;
        let mut r = w.base(u, t, &b.loc);
        r.ua = browser_ua.into();
        r.device = Some(device.clone());
        r.code = 50126;
        r.requirement = "singleFactorAuthentication";
        r.steps = vec![("Password", false, "Invalid username or password or Invalid on-premise username or password.")];
        let id = w.push(r);
        w.decoy("mistyped_password", "low", u, &id);
        t += MINUTE;
    }
    if s.unanswered_push.is_some_and(|d| day >= d) {
        s.unanswered_push = None;
        let mut r = w.base(u, t, &b.loc);
        r.ua = browser_ua.into();
        r.device = Some(device.clone());
        r.code = 500121;
        r.details = Some("MFA denied; user did not respond to mobile app notification");
        r.steps = vec![PASSWORD_OK, ("Mobile app notification", false, "MFA denied; user did not respond to mobile app notification")];
        let id = w.push(r);
        w.decoy("unanswered_push", "low", u, &id);
        t += 2 * MINUTE + rng.range(0, 120) * 1_000_000;
    }
    let mut r = w.base(u, t, &b.loc);
    r.ua = browser_ua.into();
    r.steps = vec![PASSWORD_OK, MFA_DONE];
    r.device = Some(device.clone());
    r.session = Some(sess);
    let id = w.push(r);
    lb.apply(w, u, &id);
}

/// Microsoft's services acting for the user (on-behalf-of), inside the laptop's session.
fn microsoft_service_side(w: &mut World, u: usize, t0: i64, t1: i64, sess: &str, rng: &mut Rng) {
    for _ in 0..rng.range(1, 3) {
        let t = rng.range(t0, t1);
        let loc = w.microsoft_loc();
        let mut r = w.base(u, t, &loc);
        r.event = Event::NonInteractive;
        r.app = *rng.pick(&[places::EXCHANGE, places::SHAREPOINT, places::TEAMS]);
        r.resource = places::GRAPH;
        r.client = "Mobile Apps and Desktop clients";
        r.incoming = "refreshToken";
        r.session = Some(sess.to_string());
        let id = w.push(r);
        w.decoy("microsoft_service", "low", u, &id);
    }
}

/// When the traveller takes off and lands on a departure or return day (UTC): the laptop's
/// blocks of a flight day end before the gate and start after landing; a phone-only holiday flies
/// at 10:00 from the origin. `None` on other days.
fn flight_window(w: &World, u: usize, day: i64, blocks: &[Block], trip: Option<&super::people::Trip>) -> Option<(i64, i64)> {
    let tr = trip.filter(|tr| day == tr.depart || day == tr.back)?;
    if let [origin, dest] = blocks {
        return Some((local(day, origin.tz, origin.to + 0.75), local(day, dest.tz, dest.from - 1.0)));
    }
    let home = w.users[u].home;
    let from = if day == tr.depart { home } else { tr.place };
    let leave = local(day, from.tz, 10.0);
    Some((leave, leave + ((distance(home, tr.place) / 800.0 + 0.75) * HOUR as f64) as i64))
}

/// The phone through the waking day: where it is decides the network. On a flight day it is at the
/// origin until take-off, off during the flight, and at the destination after landing.
fn phone_day(w: &mut World, u: usize, day: i64, blocks: &[Block], trip: Option<&super::people::Trip>, s: &mut Sessions, rng: &mut Rng) {
    let user = w.users[u].clone();
    let Some(phone) = user.phone.clone() else { return };
    let flight = flight_window(w, u, day, blocks, trip);
    let departing = trip.is_some_and(|tr| day == tr.depart);
    let tz = if departing { user.home.tz } else { trip.map_or(user.home.tz, |t| t.place.tz) };
    let (wake, sleep) = if user.kind == Kind::NightShift { (13.0, 27.0) } else { (7.0, 22.5) };
    let mut h = wake + rng.below(60) as f64 / 60.0;
    let weekend = weekday(day) >= 5;
    while h < sleep {
        let t = local(day, tz, h);
        h += rng.range(80, 160) as f64 / 60.0;
        // Where the phone is: abroad on the trip's days, except before take-off on the way out and
        // after landing on the way back.
        let trip = match flight {
            Some((leave, land)) if t >= leave && t < land => continue,
            Some((leave, _)) if (t < leave) == departing => None,
            _ => trip,
        };
        let at_work = blocks.iter().find(|b| t >= local(day, b.tz, b.from) && t <= local(day, b.tz, b.to));
        let (loc, class) = if let Some(tr) = trip {
            if rng.chance(0.7) {
                (carrier(w, u, t, s, rng), Some(("carrier_pool", "medium")))
            } else {
                (Loc::on(&tr.net, tr.net.ip(7, 20 + (u % 200) as u8), tr.place), Some((tr.class, bracket(tr.class))))
            }
        } else if let Some(b) = at_work.filter(|b| b.class.is_none() && b.loc.asn != user.home_net.asn) {
            if rng.chance(0.6) { (b.loc.clone(), None) } else { (carrier(w, u, t, s, rng), Some(("carrier_pool", "medium"))) }
        } else if user.kind == Kind::FieldWorker && !weekend && at_work.is_none() && (9.0..17.0).contains(&h) {
            (carrier(w, u, t, s, rng), Some(("carrier_pool", "medium")))
        } else if rng.chance(if weekend { 0.6 } else { 0.8 }) {
            (w.home_loc(u, t), None)
        } else {
            (carrier(w, u, t, s, rng), Some(("carrier_pool", "medium")))
        };
        let fresh = s.phone.as_ref().is_none_or(|(_, until)| *until < t);
        if fresh {
            s.phone = Some((w.rng.guid(), t + rng.range(10, 20) * DAY));
        }
        let Some((sess, _)) = s.phone.clone() else { return };
        let interactive = fresh || rng.chance(0.02) || (user.kind == Kind::FieldWorker && rng.chance(0.2));
        let mut r = w.base(u, t, &loc);
        let outlook = rng.chance(0.5);
        r.app = if outlook { places::OUTLOOK_MOBILE } else { places::TEAMS };
        r.resource = if outlook { places::EXCHANGE } else { places::GRAPH };
        r.client = "Mobile Apps and Desktop clients";
        r.ua = if outlook { user.phone_uas.0.into() } else { user.phone_uas.1.into() };
        r.device = Some(phone.clone());
        r.session = Some(sess);
        if interactive {
            r.steps = if fresh { vec![PASSWORD_OK, MFA_DONE] } else { vec![PREVIOUSLY] };
        } else {
            r.event = Event::NonInteractive;
            r.incoming = "refreshToken";
        }
        let id = w.push(r);
        if let Some((class, br)) = class {
            w.decoy(class, br, u, &id);
        }
        if user.kind == Kind::NightShift {
            w.decoy("night_shift", "low", u, &id);
        }
    }
}

/// The phone's carrier address: kept for 1-3 hours, then a new one from the pool.
fn carrier(w: &mut World, u: usize, t: i64, s: &mut Sessions, rng: &mut Rng) -> Loc {
    match &s.carrier {
        Some((loc, until)) if *until > t => loc.clone(),
        _ => {
            let loc = w.carrier_loc(u);
            s.carrier = Some((loc.clone(), t + rng.range(60, 180) * MINUTE));
            loc
        }
    }
}

/// Failed password guesses from the internet: every tenant collects them (hosting and foreign
/// residential addresses, browsers, scripts and legacy clients, wrong passwords).
pub fn internet_noise(w: &mut World) {
    let mut rng = Rng::new(w.cfg.seed, 7);
    for u in 0..w.users.len() {
        if !w.users[u].kind.is_person() || !rng.chance(0.25) {
            continue;
        }
        for _ in 0..rng.range(1, 4) {
            let (place, net) = if rng.chance(0.5) { rng.pick(places::HOSTING) } else { rng.pick(places::FOREIGN_RESIDENTIAL) };
            let loc = Loc::on(net, net.any_ip(&mut rng), place);
            let t = rng.range(w.start, END - HOUR);
            let mut r = w.base(u, t, &loc);
            r.code = if rng.chance(0.1) { 50053 } else { 50126 };
            r.requirement = "singleFactorAuthentication";
            r.steps = vec![("Password", false, "Invalid username or password or Invalid on-premise username or password.")];
            match rng.below(4) {
                0 => r.client = "IMAP4",
                1 => r.client = "Authenticated SMTP",
                2 => {
                    r.ua = "BAV2ROPC".into();
                    r.protocol = "ropc";
                    r.client = "Other clients";
                }
                _ => r.ua = EDGE_UA.into(),
            }
            r.app = places::EXCHANGE;
            let id = w.push(r);
            w.decoy("internet_noise", "low", u, &id);
        }
    }
}
