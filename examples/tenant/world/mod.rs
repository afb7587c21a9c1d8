//! A realistic synthetic tenant with ground truth, for measuring the detectors' recall and false
//! alarms (used by `examples/tenant/main.rs` and `tests/tenant.rs`).
//!
//! Everything is a pure function of [`Config`]: the same seed gives the same sign-ins. A tenant is a
//! country profile ([`places`]: offices, home ISPs, mobile carriers with IP pools geolocated to other
//! cities, a corporate VPN egress in a neighbouring country, Microsoft's data centres), a population
//! of benign users of several kinds ([`people`]: office and home workers with laptops and phones,
//! travellers, VPN users, night and weekend shifts, part-timers, new hires, field workers, service
//! accounts, a scan-to-email printer), labelled decoys (a flight, a home IP change, a new managed
//! laptop, one unanswered push...) each with the highest risk it may get, and planted attacks
//! ([`attacks`]) each naming the detectors that must find it. [`output`] writes Graph beta pages or
//! builds the normalized table directly; [`score`] compares an audit with the truth.
//!
//! All names, addresses and identifiers are invented; autonomous system numbers are those of the
//! kind of operator they stand for (carrier, ISP, hosting, Microsoft), so network classes can be
//! inferred from them, and `strip_asn` removes them as many exports do.

mod accounts;
pub mod attacks;
mod catalog;
mod credential_attacks;
pub mod days;
pub mod output;
pub mod people;
pub mod places;
pub mod score;

use std::collections::BTreeMap;

use places::City;
use serde::{Deserialize, Serialize};

pub const MINUTE: i64 = 60_000_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// The newest sign-in is just before 2026-03-02T00:00:00Z (a Monday): no daylight-saving change in
/// Europe or North America falls inside a 60-day export ending there.
pub const END: i64 = 20_514 * DAY;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub users: usize,
    /// Days of evidence, ending at [`END`].
    pub days: u32,
    /// Planted attacks per detector.
    pub attacks_per_detector: usize,
    /// Leave `autonomousSystemNumber` out of every record (Export-Csv, older exports).
    pub strip_asn: bool,
    /// Country profile (`US`, `DE`, `GB`, `FR`); `None` picks one from the seed.
    pub country: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config { seed: 1, users: 150, days: 44, attacks_per_detector: 3, strip_asn: false, country: None }
    }
}

/// The library generator's splitmix64 ([`signin_audit::generate::Rng`]), with the tenant's own
/// streams and draws on top.
#[derive(Debug, Clone)]
pub struct Rng(signin_audit::generate::Rng);

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(signin_audit::generate::Rng::new(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// A random GUID.
    pub fn guid(&mut self) -> String {
        self.0.guid_text()
    }

    /// A token-like id (`uniqueTokenIdentifier`).
    pub fn token(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..22).map(|_| ALPHABET[self.below(64) as usize] as char).collect()
    }
}

/// Interactive or non-interactive user sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Interactive,
    NonInteractive,
}

/// A device as `deviceDetail` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: Option<String>,
    pub name: String,
    pub os: &'static str,
    pub browser: &'static str,
    pub managed: bool,
    pub compliant: bool,
    pub trust: &'static str,
}

/// One step of `authenticationDetails`: method, succeeded, result detail.
pub type Step = (&'static str, bool, &'static str);

/// Entra ID Protection's verdict on a sign-in: level during sign-in, state, detail, event types.
pub type RiskVerdict = (&'static str, &'static str, &'static str, Vec<&'static str>);

/// One generated sign-in.
#[derive(Debug, Clone)]
pub struct Rec {
    pub t: i64,
    pub id: String,
    pub upn: String,
    pub user_id: String,
    pub display: String,
    pub event: Event,
    pub app: places::App,
    pub resource: places::App,
    pub ip: String,
    pub asn: u32,
    pub place: &'static City,
    pub client: &'static str,
    pub ua: String,
    pub device: Option<Device>,
    pub code: i32,
    pub details: Option<&'static str>,
    pub requirement: &'static str,
    pub steps: Vec<Step>,
    pub session: Option<String>,
    pub token: String,
    pub corr: String,
    pub protocol: &'static str,
    pub transfer: &'static str,
    pub incoming: &'static str,
    pub risk: Option<RiskVerdict>,
}

/// A benign user as the truth file describes them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserTruth {
    pub upn: String,
    pub kind: String,
    /// False when a planted attack touched the user (their findings are not false alarms).
    pub benign: bool,
}

/// A planted attack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttackTruth {
    pub id: String,
    pub kind: String,
    pub description: String,
    /// Accounts whose findings must show it.
    pub victims: Vec<String>,
    /// Detectors that must find it, each with the lowest risk that counts as found.
    pub detectors: BTreeMap<String, String>,
    /// Sign-ins a finding must cite (any of them).
    pub sign_ins: Vec<String>,
    /// Only visible with `--include-non-interactive`.
    pub non_interactive: bool,
}

/// A benign activity that looks odd, with the highest risk it may get.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecoyTruth {
    pub class: String,
    pub bracket: String,
    pub user: String,
    pub sign_ins: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Truth {
    pub seed: u64,
    pub country: String,
    pub days: u32,
    pub users: Vec<UserTruth>,
    pub attacks: Vec<AttackTruth>,
    pub decoys: Vec<DecoyTruth>,
}

/// The generated tenant.
pub struct Tenant {
    pub records: Vec<Rec>,
    pub truth: Truth,
}

/// Generate a tenant.
pub fn generate(cfg: &Config) -> Tenant {
    let country = places::profile(cfg);
    let start = END - cfg.days as i64 * DAY;
    let mut world = people::World::new(cfg, country, start);
    world.populate();
    world.live();
    attacks::plant(&mut world);
    let mut truth = Truth { seed: cfg.seed, country: country.cc.to_string(), days: cfg.days, ..Truth::default() };
    truth.users =
        world.users.iter().map(|u| UserTruth { upn: u.upn.clone(), kind: u.kind.name().to_string(), benign: !u.attacked }).collect();
    truth.attacks = std::mem::take(&mut world.attacks);
    truth.decoys = world.decoy_truth();
    let mut records = std::mem::take(&mut world.records);
    if cfg.strip_asn {
        for r in &mut records {
            r.asn = 0;
        }
    }
    records.sort_by(|a, b| (a.t, &a.id).cmp(&(b.t, &b.id)));
    Tenant { records, truth }
}

/// Microseconds of a local wall-clock time on the UTC day starting at `day` for a city `tz` hours
/// east of UTC.
pub fn local(day: i64, tz: i32, hour: f64) -> i64 {
    day + (hour * HOUR as f64) as i64 - tz as i64 * HOUR
}

/// 0 = Monday.
pub fn weekday(day: i64) -> i64 {
    (day.div_euclid(DAY) + 3).rem_euclid(7)
}
