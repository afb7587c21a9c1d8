//! The benign population and its daily life: who signs in from where, on which device, when.
//!
//! Every user has a home city and (most) a home ISP address; hybrid workers go to one of the
//! offices (a NAT shared by everyone there); laptops are managed and refresh tokens all day
//! (Outlook, Teams, OneDrive) inside a session that lasts days; phones refresh all waking day from
//! home Wi-Fi, the office Wi-Fi or their mobile carrier, whose addresses geolocate to the carrier's
//! gateway cities; Microsoft's services sign in on the user's behalf from Microsoft's network inside
//! the laptop's session. Odd-but-normal events are recorded as decoys with the highest risk they may
//! get (see the module docs of `world`).

use std::collections::BTreeMap;

use super::catalog::{
    ANDROID_OUTLOOK_UA, ANDROID_TEAMS_UA, CHROME_WIN_UA, EDGE_UA, FIRST, IOS_OUTLOOK_UA, IOS_TEAMS_UA, LAST, OUTLOOK_MAC_UA,
    OUTLOOK_WIN_UA, SAFARI_MAC_UA, TEAMS_MAC_UA, TEAMS_WIN_UA,
};
use super::places::{self, App, City, Country, MICROSOFT, Net};
use super::{Config, DAY, DecoyTruth, Device, Event, Rec, Rng, Step};

/// Kinds of benign users, with their share of a tenant (per mille; service accounts and the
/// printer are added on top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hybrid,
    Remote,
    OfficeOnly,
    Traveller,
    VpnUser,
    Admin,
    NightShift,
    WeekendWorker,
    PartTimer,
    NewHire,
    FieldWorker,
    Service,
    Automation,
    Printer,
}

const MIX: &[(Kind, u64)] = &[
    (Kind::Hybrid, 300),
    (Kind::Remote, 140),
    (Kind::OfficeOnly, 70),
    (Kind::Traveller, 90),
    (Kind::VpnUser, 120),
    (Kind::Admin, 40),
    (Kind::NightShift, 50),
    (Kind::WeekendWorker, 40),
    (Kind::PartTimer, 50),
    (Kind::NewHire, 50),
    (Kind::FieldWorker, 50),
];

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Hybrid => "hybrid",
            Kind::Remote => "remote",
            Kind::OfficeOnly => "office_only",
            Kind::Traveller => "traveller",
            Kind::VpnUser => "vpn_user",
            Kind::Admin => "admin",
            Kind::NightShift => "night_shift",
            Kind::WeekendWorker => "weekend_worker",
            Kind::PartTimer => "part_timer",
            Kind::NewHire => "new_hire",
            Kind::FieldWorker => "field_worker",
            Kind::Service => "service_account",
            Kind::Automation => "automation_account",
            Kind::Printer => "printer",
        }
    }

    /// A person with a laptop and (usually) a phone, working a schedule.
    pub fn is_person(self) -> bool {
        !matches!(self, Kind::Service | Kind::Automation | Kind::Printer)
    }
}

/// Where a sign-in comes from.
#[derive(Debug, Clone)]
pub struct Loc {
    pub ip: String,
    pub asn: u32,
    pub place: &'static City,
}

impl Loc {
    pub fn on(net: &Net, ip: String, place: &'static City) -> Loc {
        Loc { ip, asn: net.asn, place }
    }
}

/// A trip: days away, destination, its network, and the decoy class of its sign-ins.
#[derive(Debug, Clone)]
pub struct Trip {
    pub depart: i64,
    pub back: i64,
    pub place: &'static City,
    pub net: Net,
    pub class: &'static str,
    /// A holiday: the laptop stays at home, only the phone travels.
    pub phone_only: bool,
}

/// One user.
#[derive(Debug, Clone)]
pub struct User {
    pub upn: String,
    pub id: String,
    pub display: String,
    pub kind: Kind,
    pub home: &'static City,
    pub home_net: Net,
    pub home_sub: u8,
    pub home_host: u8,
    /// The day the home address changes, and the new `/24`.
    pub renumber: Option<(i64, u8)>,
    pub office: Option<&'static City>,
    pub office_sub: u8,
    pub office_days: [bool; 7],
    pub workdays: [bool; 7],
    /// Local start hour and length of the working day.
    pub start_hour: f64,
    pub hours: f64,
    pub first_day: i64,
    pub laptop: Option<Device>,
    /// A new managed laptop from this day on.
    pub new_laptop: Option<(i64, Device)>,
    pub browser_ua: &'static str,
    pub outlook_ua: &'static str,
    pub teams_ua: &'static str,
    pub phone: Option<Device>,
    pub phone_uas: (&'static str, &'static str),
    pub carrier: usize,
    pub trips: Vec<Trip>,
    pub attacked: bool,
}

/// The tenant being generated.
pub struct World {
    pub cfg: Config,
    pub country: &'static Country,
    pub start: i64,
    pub analysis_start: i64,
    pub rng: Rng,
    pub users: Vec<User>,
    pub records: Vec<Rec>,
    pub attacks: Vec<super::AttackTruth>,
    decoys: BTreeMap<(&'static str, usize), (&'static str, Vec<String>)>,
}

pub const MFA_DONE: Step = ("Mobile app notification", true, "MFA successfully completed");
pub const PASSWORD_OK: Step = ("Password", true, "Correct password");
pub const PREVIOUSLY: Step = ("Previously satisfied", true, "MFA requirement satisfied by claim in the token");

impl World {
    pub fn new(cfg: &Config, country: &'static Country, start: i64) -> World {
        World {
            cfg: cfg.clone(),
            country,
            start,
            analysis_start: super::END - 30 * DAY,
            rng: Rng::new(cfg.seed, 1),
            users: Vec::new(),
            records: Vec::new(),
            attacks: Vec::new(),
            decoys: BTreeMap::new(),
        }
    }

    /// Create the users.
    pub fn populate(&mut self) {
        let total: u64 = MIX.iter().map(|m| m.1).sum();
        let people = self.cfg.users.saturating_sub(3).max(1);
        let mut kinds = Vec::new();
        for (k, share) in MIX {
            let n = ((people as u64 * share + total / 2) / total) as usize;
            kinds.extend(std::iter::repeat_n(*k, n));
        }
        kinds.truncate(people);
        while kinds.len() < people {
            kinds.push(Kind::Hybrid);
        }
        kinds.extend([Kind::Service, Kind::Automation, Kind::Printer]);
        // Shuffle so kinds are not grouped by user number.
        for i in (1..kinds.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            kinds.swap(i, j);
        }
        let mut names = std::collections::BTreeSet::new();
        for kind in kinds {
            let u = self.make_user(kind, &mut names);
            self.users.push(u);
        }
    }

    fn make_user(&mut self, kind: Kind, names: &mut std::collections::BTreeSet<String>) -> User {
        let c = self.country;
        let rng = &mut self.rng;
        let (first, last) = loop {
            let (f, l) = (*rng.pick(FIRST), *rng.pick(LAST));
            let key = format!("{f}.{l}");
            if names.insert(key) {
                break (f, l);
            }
            if names.len() > FIRST.len() * LAST.len() / 2 {
                break (f, l);
            }
        };
        let (upn, display) = match kind {
            Kind::Service => ("svc-payroll-sync".to_string(), "Payroll sync (service)".to_string()),
            Kind::Automation => ("svc-reporting".to_string(), "Reporting automation".to_string()),
            Kind::Printer => ("scanner-hq".to_string(), "HQ scanner (scan to e-mail)".to_string()),
            _ => (format!("{first}.{last}{}", names.len()), format!("{} {}", cap(first), cap(last))),
        };
        let office_city = &c.cities[*rng.pick(c.offices)];
        // Most people live within reach of an office; remote and field staff anywhere.
        let home = if matches!(kind, Kind::Remote | Kind::FieldWorker) || rng.chance(0.15) { rng.pick(c.cities) } else { office_city };
        let goes_to_office =
            matches!(kind, Kind::Hybrid | Kind::OfficeOnly | Kind::Traveller | Kind::Admin | Kind::NightShift | Kind::NewHire);
        let (office_days, workdays, start_hour) = schedule(kind, goes_to_office, rng);
        let (laptop, phone, mac, ios) = devices(first, rng);
        let has_phone = kind.is_person() && kind != Kind::PartTimer && (kind == Kind::FieldWorker || rng.chance(0.85));
        let first_day = if kind == Kind::NewHire {
            self.analysis_start + rng.range(1, 22) * DAY
        } else if rng.chance(0.1) && kind.is_person() {
            // Joined during the learning period: a thin or short baseline.
            self.start + rng.range(3, 12) * DAY
        } else {
            self.start
        };
        let renumber =
            (kind.is_person() && rng.chance(0.12)).then(|| (self.analysis_start + rng.range(2, 26) * DAY, rng.below(200) as u8 + 40));
        let new_laptop = (kind.is_person() && rng.chance(0.06)).then(|| {
            let d = Device {
                id: Some(rng.guid()),
                name: format!("LT-{:05}", rng.below(100_000)),
                browser: "Edge 122.0.2365",
                ..laptop.clone()
            };
            (self.analysis_start + rng.range(3, 26) * DAY, d)
        });
        let mut u = User {
            upn: format!("{upn}@{}", c.domain),
            id: rng.guid(),
            display,
            kind,
            home,
            home_net: *rng.pick(c.home_isps),
            home_sub: rng.below(200) as u8 + 20,
            home_host: rng.range(2, 250) as u8,
            renumber,
            office: goes_to_office.then_some(office_city),
            office_sub: 10 + c.offices.iter().position(|&o| std::ptr::eq(&c.cities[o], office_city)).unwrap_or(0) as u8,
            office_days,
            workdays,
            start_hour,
            hours: 8.0 + rng.below(4) as f64 * 0.5,
            first_day: first_day.div_euclid(DAY) * DAY,
            laptop: kind.is_person().then_some(laptop),
            new_laptop,
            browser_ua: if mac {
                SAFARI_MAC_UA
            } else if rng.chance(0.3) {
                CHROME_WIN_UA
            } else {
                EDGE_UA
            },
            outlook_ua: if mac { OUTLOOK_MAC_UA } else { OUTLOOK_WIN_UA },
            teams_ua: if mac { TEAMS_MAC_UA } else { TEAMS_WIN_UA },
            phone: has_phone.then_some(phone),
            phone_uas: if ios { (IOS_OUTLOOK_UA, IOS_TEAMS_UA) } else { (ANDROID_OUTLOOK_UA, ANDROID_TEAMS_UA) },
            carrier: rng.below(c.carriers.len() as u64) as usize,
            trips: Vec::new(),
            attacked: false,
        };
        u.trips = self.plan_trips(&u);
        u
    }

    fn plan_trips(&mut self, u: &User) -> Vec<Trip> {
        let rng = &mut self.rng;
        let mut trips = Vec::new();
        let travels = match u.kind {
            Kind::Traveller => true,
            Kind::Hybrid | Kind::Admin | Kind::Remote => rng.chance(0.08),
            _ => false,
        };
        let abroad: Vec<&(City, Net)> = places::DESTINATIONS.iter().filter(|d| d.0.cc != self.country.cc).collect();
        if u.first_day > self.start || !u.kind.is_person() {
            return trips;
        }
        if !travels {
            // A holiday abroad with only the phone: not one of the classes, but what a real
            // tenant has, and what `new_location` is meant to show (medium).
            if rng.chance(0.04) {
                let (place, net) = *rng.pick(&abroad);
                let d = self.analysis_start + rng.range(3, 20) * DAY;
                trips.push(Trip {
                    depart: d,
                    back: d + rng.range(3, 7) * DAY,
                    place,
                    net: *net,
                    class: "vacation_phone_only",
                    phone_only: true,
                });
            }
            return trips;
        }
        let usual = *rng.pick(&abroad);
        let learning_days = (self.analysis_start - self.start) / DAY;
        let learned = u.kind == Kind::Traveller && learning_days > 8;
        if learned {
            let d = self.start + rng.range(1, learning_days - 6) * DAY;
            trips.push(Trip {
                depart: d,
                back: d + rng.range(2, 4) * DAY,
                place: &usual.0,
                net: usual.1,
                class: "trip_in_learning",
                phone_only: false,
            });
        }
        // A trip to a country the learning period showed is routine; the first one is new.
        let d = self.analysis_start + rng.range(2, 12) * DAY;
        let class = if learned { "trip" } else { "trip_new_country" };
        trips.push(Trip { depart: d, back: d + rng.range(2, 5) * DAY, place: &usual.0, net: usual.1, class, phone_only: false });
        if rng.chance(0.5) {
            let other = *rng.pick(&abroad);
            let d = self.analysis_start + rng.range(17, 24) * DAY;
            let class = if learned && other.0.cc == usual.0.cc { "trip" } else { "trip_new_country" };
            trips.push(Trip { depart: d, back: d + rng.range(2, 4) * DAY, place: &other.0, net: other.1, class, phone_only: false });
        } else {
            // A domestic trip to another city (conference, customer).
            let city = rng.pick(self.country.cities);
            let net = *rng.pick(self.country.home_isps);
            let d = self.analysis_start + rng.range(17, 24) * DAY;
            trips.push(Trip { depart: d, back: d + rng.range(1, 3) * DAY, place: city, net, class: "domestic_trip", phone_only: false });
        }
        trips
    }

    /// Record that `id` (a sign-in of user `u`) belongs to a decoy class.
    pub fn decoy(&mut self, class: &'static str, bracket: &'static str, u: usize, id: &str) {
        self.decoys.entry((class, u)).or_insert_with(|| (bracket, Vec::new())).1.push(id.to_string());
    }

    pub fn decoy_truth(&self) -> Vec<DecoyTruth> {
        self.decoys
            .iter()
            .filter(|((_, u), _)| !self.users[*u].attacked)
            .map(|((class, u), (bracket, ids))| DecoyTruth {
                class: class.to_string(),
                bracket: bracket.to_string(),
                user: self.users[*u].upn.clone(),
                sign_ins: ids.clone(),
            })
            .collect()
    }

    /// A successful interactive browser sign-in of user `u` at `t` from `loc`, to be adjusted.
    pub fn base(&mut self, u: usize, t: i64, loc: &Loc) -> Rec {
        let user = &self.users[u];
        Rec {
            t,
            id: self.rng.guid(),
            upn: user.upn.clone(),
            user_id: user.id.clone(),
            display: user.display.clone(),
            event: Event::Interactive,
            app: places::OFFICE_HOME,
            resource: places::OFFICE_HOME,
            ip: loc.ip.clone(),
            asn: loc.asn,
            place: loc.place,
            client: "Browser",
            ua: String::new(),
            device: None,
            code: 0,
            details: None,
            requirement: "multiFactorAuthentication",
            steps: vec![PREVIOUSLY],
            session: None,
            token: self.rng.token(),
            corr: self.rng.guid(),
            protocol: "none",
            transfer: "none",
            incoming: "none",
            risk: None,
        }
    }

    /// Add a sign-in; returns its request id.
    pub fn push(&mut self, r: Rec) -> String {
        let id = r.id.clone();
        if r.t < super::END && r.t >= self.start {
            self.records.push(r);
        }
        id
    }

    pub fn home_loc(&self, u: usize, t: i64) -> Loc {
        let user = &self.users[u];
        let sub = match user.renumber {
            Some((day, sub)) if t >= day => sub,
            _ => user.home_sub,
        };
        Loc::on(&user.home_net, user.home_net.ip(sub, user.home_host), user.home)
    }

    pub fn office_loc(&mut self, u: usize) -> Loc {
        let user = &self.users[u];
        let city = user.office.unwrap_or(user.home);
        let host = 10 + self.rng.below(4) as u8;
        let net = self.country.business_isp;
        Loc::on(&net, net.ip(user.office_sub, host), city)
    }

    pub fn vpn_loc(&mut self) -> Loc {
        let country = self.country;
        let host = 1 + self.rng.below(8) as u8;
        Loc::on(&country.vpn, country.vpn.ip(1, host), &country.vpn_city)
    }

    pub fn carrier_loc(&mut self, u: usize) -> Loc {
        let country = self.country;
        let (net, cities) = &country.carriers[self.users[u].carrier];
        let sub = self.rng.below(256) as u8;
        let city = &country.cities[cities[sub as usize % cities.len()]];
        Loc::on(net, net.ip(sub, self.rng.range(1, 254) as u8), city)
    }

    pub fn microsoft_loc(&mut self) -> Loc {
        let country = self.country;
        let sub = self.rng.below(64) as u8;
        let city = &country.ms_cities[sub as usize % self.country.ms_cities.len()];
        Loc::on(&MICROSOFT, MICROSOFT.ip(sub, self.rng.range(1, 254) as u8), city)
    }

    /// The trip user `u` is on at `t`, if any (from departure to return, both inclusive days).
    pub fn trip_at(&self, u: usize, t: i64) -> Option<&Trip> {
        self.users[u].trips.iter().find(|tr| t >= tr.depart && t < tr.back + DAY)
    }

    /// Simulate every user's days.
    pub fn live(&mut self) {
        for u in 0..self.users.len() {
            let mut rng = Rng::new(self.cfg.seed, 1000 + u as u64);
            match self.users[u].kind {
                Kind::Service => self.service_account(u, &mut rng),
                Kind::Automation => self.automation_account(u, &mut rng),
                Kind::Printer => self.printer(u, &mut rng),
                _ => super::days::person(self, u, &mut rng),
            }
        }
        super::days::internet_noise(self);
    }
}

/// Which weekdays a user works and goes to the office, and when their day starts (local time).
fn schedule(kind: Kind, goes_to_office: bool, rng: &mut Rng) -> ([bool; 7], [bool; 7], f64) {
    let mut office_days = [false; 7];
    if goes_to_office {
        let n = if kind == Kind::OfficeOnly || kind == Kind::NightShift { 5 } else { rng.range(2, 4) as usize };
        let mut days: Vec<usize> = (0..5).collect();
        for _ in 0..(5 - n) {
            let k = rng.below(days.len() as u64) as usize;
            days.remove(k);
        }
        for d in days {
            office_days[d] = true;
        }
    }
    let workdays = match kind {
        Kind::WeekendWorker => [false, false, true, true, true, true, true],
        Kind::NightShift => [true, true, true, true, false, false, true],
        Kind::PartTimer => {
            let a = rng.below(5) as usize;
            let mut w = [false; 7];
            w[a] = true;
            w[(a + 2) % 5] = true;
            w
        }
        _ => [true, true, true, true, true, false, false],
    };
    let start_hour = match kind {
        Kind::NightShift => 21.5 + rng.below(3) as f64 * 0.25,
        _ => 7.0 + rng.below(9) as f64 * 0.25,
    };
    (office_days, workdays, start_hour)
}

/// A user's managed laptop and phone (60 % iPhones; 60 % registered with a device id), and whether
/// the laptop is a Mac and the phone an iPhone.
fn devices(first: &str, rng: &mut Rng) -> (Device, Device, bool, bool) {
    let mac = rng.chance(0.15);
    let laptop = Device {
        id: Some(rng.guid()),
        name: format!("{}-{:05}", if mac { "MAC" } else { "LT" }, rng.below(100_000)),
        os: if mac { "MacOs" } else { "Windows10" },
        browser: if mac { "Safari 17.3" } else { "Edge 121.0.2277" },
        managed: true,
        compliant: true,
        trust: if mac { "Azure AD registered" } else { "Hybrid Azure AD joined" },
    };
    let ios = rng.chance(0.6);
    let registered = rng.chance(0.6);
    let phone = Device {
        id: registered.then(|| rng.guid()),
        name: if registered { format!("{}'s {}", cap(first), if ios { "iPhone" } else { "Pixel" }) } else { String::new() },
        os: if ios { "Ios" } else { "Android" },
        browser: if ios { "Mobile Safari" } else { "Chrome Mobile" },
        managed: false,
        compliant: false,
        trust: if registered { "Azure AD registered" } else { "" },
    };
    (laptop, phone, mac, ios)
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Every app a laptop's desktop clients refresh tokens for.
pub const LAPTOP_REFRESH: &[(App, App)] =
    &[(places::OUTLOOK_DESKTOP, places::EXCHANGE), (places::TEAMS, places::GRAPH), (places::ONEDRIVE, places::SHAREPOINT)];
