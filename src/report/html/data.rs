//! What the page's script draws, collected from the normalized table and the audit result.
//!
//! Findings cite at most [`crate::detect::MAX_CITES`] sign-ins, and the audit result carries no
//! rows, so the page reads the sign-ins of the users with findings from the table itself, here, at
//! no cost to the other output formats. Everything is capped so that a tenant of a million sign-ins
//! still gives a page a laptop opens ([`MAX_DRAWN_USERS`], [`MAX_ROWS_PER_USER`], [`MAX_FINDINGS`]);
//! each cap that bites adds a sentence to [`Data::caps`], which the page shows.
//!
//! Strings are interned ([`Data::strings`], index 0 is the empty string) and sign-ins are arrays,
//! so a user agent seen ten thousand times is written once. Times are milliseconds since the epoch.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use super::super::describe::{citation_position, parse_risk, period_micros, place, row_cite};
use crate::audit::{AuditResult, UserResult};
use crate::detect::Finding;
use crate::error::Error;
use crate::geo::{Geo, Precision};
use crate::model::SignInTable;
use crate::model::view::Rows;
use crate::report::text::thousands;

/// Users with findings drawn on the map and the timelines, highest risk first. Project choice:
/// a hundred timelines is already more than a reader scrolls through, and it bounds the page
/// (the budget: under 20 MB at 1,000,000 sign-ins and 150,000 findings).
pub const MAX_DRAWN_USERS: usize = 100;

/// Sign-ins drawn per user (every cited one, then an even sample of the rest). Project choice: 400
/// marks on a 1,000-pixel axis are already a solid band.
pub const MAX_ROWS_PER_USER: usize = 400;

/// Findings listed in the page's table, highest risk first (the complete list is `-o json` / `-o
/// csv`). Project choice, for the size budget above: about 0.5 KB each with their citations.
pub const MAX_FINDINGS: usize = 3_000;

/// Rows of the findings table drawn at once (the filters reach the rest). Project choice: a table
/// of a thousand rows still sorts and filters at once on a laptop.
pub const MAX_TABLE_ROWS: usize = 1_000;

/// Sign-ins listed when a point of the map is clicked (the count is always complete).
pub const MAX_POINT_SIGN_INS: usize = 25;

/// Distinct places without coordinates listed under the map.
pub const MAX_UNLOCATED: usize = 200;

/// How a sign-in is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub enum Kind {
    /// Inside the user's baseline period: what the user normally does.
    Baseline = 0,
    /// In the analysis window, not cited by any finding.
    Analysed = 1,
    /// Cited by a finding.
    Suspicious = 2,
}

impl From<Kind> for u8 {
    fn from(k: Kind) -> u8 {
        k as u8
    }
}

/// One sign-in: `[time, user, result, ip, place, app, client, user agent, error code, source
/// file, source position, request id, kind, point]` (strings as indices into [`Data::strings`];
/// result 0 success, 1 failure, 2 interrupted; point is an index into [`Data::points`] or -1).
#[derive(Debug, Serialize)]
pub struct SignIn(i64, u32, u8, u32, u32, u32, u32, u32, Option<i32>, u32, u32, u32, Kind, i64);

/// A user drawn on a timeline.
#[derive(Debug, Serialize)]
pub struct User {
    pub user: u32,
    pub risk: String,
    pub findings: usize,
    /// Sign-ins of the included event types in the analysis window.
    pub analysed: usize,
    /// The user's baseline period (ms), when there is one.
    pub baseline: Option<[i64; 2]>,
    pub thin: bool,
    /// Indices into [`Data::sign_ins`], in time order.
    pub rows: Vec<u32>,
    /// Sign-ins the user has in the drawn period (`rows` holds at most [`MAX_ROWS_PER_USER`]).
    pub total: usize,
}

/// A finding of the table.
#[derive(Debug, Serialize)]
pub struct FindingRow {
    pub user: u32,
    pub detector: &'static str,
    pub risk: &'static str,
    pub time: i64,
    pub summary: String,
    pub notes: Vec<String>,
    /// The detector's details as `[name, JSON text]`.
    pub details: Vec<(String, String)>,
    /// The cited sign-ins: indices into [`Data::sign_ins`].
    pub cited: Vec<u32>,
    /// Cited sign-ins not found in the table, as `[id, citation]` (never expected; kept honest).
    pub missing: Vec<(String, String)>,
    /// Index of the user in [`Data::users`], or -1 when not drawn.
    pub drawn: i64,
}

/// Sign-ins aggregated at one place of the map.
#[derive(Debug, Serialize)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
    /// Baseline when any sign-in there is in its user's baseline, else suspicious when any is cited.
    pub kind: Kind,
    pub count: usize,
    /// How many of them a finding cites.
    pub cited: usize,
    /// The first [`MAX_POINT_SIGN_INS`] sign-ins (indices into [`Data::sign_ins`]).
    pub rows: Vec<u32>,
}

/// Everything the script draws.
#[derive(Debug, Serialize)]
pub struct Data {
    pub strings: Vec<String>,
    pub as_of: i64,
    pub analysis: [i64; 2],
    pub baseline: [i64; 2],
    pub sign_ins: Vec<SignIn>,
    pub users: Vec<User>,
    pub findings: Vec<FindingRow>,
    pub points: Vec<Point>,
    /// Impossible-travel legs: `[from lat, from lon, to lat, to lon, finding index]`.
    pub arcs: Vec<(f64, f64, f64, f64, usize)>,
    /// Places of drawn sign-ins without coordinates: `[place, sign-ins]`.
    pub unlocated: Vec<(String, usize)>,
    /// What was left out, one sentence each.
    pub caps: Vec<String>,
    /// [`MAX_TABLE_ROWS`], for the script.
    pub max_table_rows: usize,
}

/// Sort key of a user's risk as the audit result writes it (`none` last).
pub fn risk_rank(risk: &str) -> u8 {
    parse_risk(risk).map_or(0, |r| r as u8 + 1)
}

fn ms(micros: i64) -> i64 {
    micros.div_euclid(1000)
}

/// Coordinates rounded to 4 decimals (11 m): enough for a map, stable in JSON.
fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Interned strings.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Strings {
    fn new() -> Self {
        let mut s = Strings::default();
        s.add("");
        s
    }

    fn add(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// The table and windows the collection reads.
struct Source<'a> {
    rows: Rows<'a>,
    /// Principal -> (offset, len) of its partition.
    ranges: HashMap<&'a str, (usize, usize)>,
    types: HashSet<&'a str>,
    analysis_start: i64,
    baseline_start: i64,
    as_of: i64,
}

impl<'a> Source<'a> {
    fn new(table: &'a SignInTable, result: &'a AuditResult) -> Result<Self, Error> {
        let bad = |what: &str| Error::Usage(format!("unreadable {what} window in the audit result"));
        let (analysis_start, as_of) = period_micros(&result.window.analysis).ok_or_else(|| bad("analysis"))?;
        let (baseline_start, _) = period_micros(&result.window.baseline).ok_or_else(|| bad("baseline"))?;
        Ok(Source {
            rows: Rows::new(&table.batch)?,
            ranges: table.users.iter().map(|u| (u.principal.as_str(), (u.offset, u.len))).collect(),
            types: result.window.event_types.iter().copied().collect(),
            analysis_start,
            baseline_start,
            as_of,
        })
    }

    fn partition(&self, user: &str) -> std::ops::Range<usize> {
        let (off, len) = self.ranges.get(user).copied().unwrap_or((0, 0));
        off..off + len
    }

    /// Row of each cited sign-in of each finding, found by id in its user's partition.
    fn cited_rows(&self, shown: &[(usize, &'a Finding)]) -> Vec<Vec<Option<usize>>> {
        let mut ids_by_user: HashMap<&str, HashMap<String, usize>> = HashMap::new();
        shown
            .iter()
            .map(|(_, f)| {
                let ids = ids_by_user
                    .entry(f.user.as_str())
                    .or_insert_with(|| self.partition(&f.user).map(|i| (self.rows.sign_in_id(i), i)).collect());
                f.sign_in_ids.iter().map(|id| ids.get(id).copied()).collect()
            })
            .collect()
    }

    /// A user's sign-ins of the included types from the start of their baseline to the as-of time:
    /// the drawn ones and how many there are.
    fn user_rows(&self, u: &UserResult, cited: &HashSet<usize>) -> (Vec<usize>, usize) {
        let from = u.baseline.as_ref().and_then(|b| period_micros(&b.period)).map_or(self.baseline_start, |p| p.0.min(self.baseline_start));
        let r = &self.rows;
        let all: Vec<usize> = self
            .partition(&u.user)
            .filter(|&i| r.time(i) >= from && r.time(i) <= self.as_of && r.event_type.get(i).is_some_and(|e| self.types.contains(e)))
            .collect();
        (sample(&all, cited), all.len())
    }

    /// One sign-in as the page gets it, and its coordinates when they are known (not a country's
    /// centre).
    fn sign_in(&self, i: usize, kind: Kind, geo: &Geo, strings: &mut Strings) -> (SignIn, Option<(f64, f64)>) {
        let r = &self.rows;
        let result_code = match r.result.get(i) {
            Some("success") => 0,
            Some("interrupted") => 2,
            _ => 1,
        };
        let cite = row_cite(r, i);
        let mut s = |v: Option<&str>| strings.add(v.unwrap_or(""));
        let row = SignIn(
            ms(r.time(i)),
            s(r.principal.get(i)),
            result_code,
            s(r.ip.get(i)),
            s(Some(&place(r, i))),
            s(r.app_name.get(i).or(r.app_id.get(i))),
            s(r.client_app.get(i)),
            s(r.user_agent.get(i)),
            r.error_code(i),
            s(Some(&cite.file)),
            s(Some(&citation_position(&cite))),
            s(Some(&r.sign_in_id(i))),
            kind,
            -1,
        );
        let at = geo.locate(r, i).filter(|l| l.precision != Precision::Country).map(|l| (round4(l.lat), round4(l.lon)));
        (row, at)
    }
}

/// The users drawn (highest risk first, capped) and the findings listed (highest risk first,
/// capped, then back in report order, with their index in the result).
fn pick<'a>(result: &'a AuditResult, caps: &mut Vec<String>) -> (Vec<&'a UserResult>, Vec<(usize, &'a Finding)>) {
    let mut flagged: Vec<&UserResult> = result.users.iter().filter(|u| u.findings > 0).collect();
    flagged.sort_by(|a, b| risk_rank(&b.risk).cmp(&risk_rank(&a.risk)).then_with(|| a.user.cmp(&b.user)));
    if flagged.len() > MAX_DRAWN_USERS {
        caps.push(format!(
            "Map and timelines: the {MAX_DRAWN_USERS} highest-risk of {} users with findings are drawn.",
            thousands(flagged.len() as u64)
        ));
        flagged.truncate(MAX_DRAWN_USERS);
    }
    let mut shown: Vec<(usize, &Finding)> = result.findings.iter().enumerate().collect();
    shown.sort_by(|a, b| b.1.risk.cmp(&a.1.risk).then(a.0.cmp(&b.0)));
    if shown.len() > MAX_FINDINGS {
        caps.push(format!(
            "Findings table: the {} highest-risk of {} findings are listed; -o json or -o csv lists them all.",
            thousands(MAX_FINDINGS as u64),
            thousands(shown.len() as u64)
        ));
        shown.truncate(MAX_FINDINGS);
    }
    shown.sort_by_key(|s| s.0);
    (flagged, shown)
}

/// Collect what the page draws.
pub fn collect(table: &SignInTable, result: &AuditResult) -> Result<Data, Error> {
    let src = Source::new(table, result)?;
    let mut caps = Vec::new();
    let (flagged, shown) = pick(result, &mut caps);
    let cited_rows = src.cited_rows(&shown);
    let cited: HashSet<usize> = cited_rows.iter().flatten().flatten().copied().collect();
    let per_user: Vec<(Vec<usize>, usize)> = flagged.iter().map(|u| src.user_rows(u, &cited)).collect();
    if per_user.iter().any(|(drawn, total)| drawn.len() < *total) {
        caps.push(format!(
            "Timelines: at most {MAX_ROWS_PER_USER} sign-ins per user are drawn (every cited one, then an even sample); each timeline says how many it has."
        ));
    }

    let mut needed: BTreeSet<usize> = per_user.iter().flat_map(|(d, _)| d.iter().copied()).collect();
    needed.extend(cited.iter().copied());
    let baselines = user_baselines(result, src.baseline_start, src.analysis_start);
    let geo = Geo::learn(table, &result.net);
    let mut strings = Strings::new();
    let mut index: HashMap<usize, u32> = HashMap::with_capacity(needed.len());
    let (mut sign_ins, mut located) = (Vec::with_capacity(needed.len()), Vec::with_capacity(needed.len()));
    for &i in &needed {
        let t = src.rows.time(i);
        let in_baseline = src.rows.principal.get(i).and_then(|u| baselines.get(u)).is_some_and(|&(s, e)| t >= s && t < e);
        let kind = if cited.contains(&i) {
            Kind::Suspicious
        } else if in_baseline {
            Kind::Baseline
        } else {
            Kind::Analysed
        };
        index.insert(i, sign_ins.len() as u32);
        let (row, at) = src.sign_in(i, kind, &geo, &mut strings);
        sign_ins.push(row);
        located.push(at);
    }

    let users: Vec<User> = flagged
        .iter()
        .zip(&per_user)
        .map(|(u, (drawn, total))| User {
            user: strings.add(&u.user),
            risk: u.risk.clone(),
            findings: u.findings,
            analysed: u.sign_ins,
            baseline: u.baseline.as_ref().and_then(|b| period_micros(&b.period)).map(|(s, e)| [ms(s), ms(e)]),
            thin: u.baseline.as_ref().is_some_and(|b| b.thin),
            rows: drawn.iter().filter_map(|i| index.get(i).copied()).collect(),
            total: *total,
        })
        .collect();
    let drawn_users: HashMap<&str, usize> = flagged.iter().enumerate().map(|(k, u)| (u.user.as_str(), k)).collect();
    let findings: Vec<FindingRow> =
        shown.iter().zip(&cited_rows).map(|((_, f), found)| finding_row(f, found, &index, &mut strings, &drawn_users)).collect();

    // The map is about the drawn users: their drawn sign-ins.
    let on_map: BTreeSet<u32> = users.iter().flat_map(|u| u.rows.iter().copied()).collect();
    let (points, unlocated) = places(&mut sign_ins, &located, &on_map, &strings.list);
    if unlocated.len() > MAX_UNLOCATED {
        caps.push(format!("Places without coordinates: the first {MAX_UNLOCATED} of {} are listed.", thousands(unlocated.len() as u64)));
    }
    let arcs = travel_arcs(&findings, &located);
    Ok(Data {
        strings: strings.list,
        as_of: ms(src.as_of),
        analysis: [ms(src.analysis_start), ms(src.as_of)],
        baseline: [ms(src.baseline_start), ms(src.analysis_start)],
        sign_ins,
        users,
        findings,
        points,
        arcs,
        unlocated: unlocated.into_iter().take(MAX_UNLOCATED).collect(),
        caps,
        max_table_rows: MAX_TABLE_ROWS,
    })
}

/// Every cited row of `all`, then an even sample of the rest up to [`MAX_ROWS_PER_USER`].
fn sample(all: &[usize], cited: &HashSet<usize>) -> Vec<usize> {
    if all.len() <= MAX_ROWS_PER_USER {
        return all.to_vec();
    }
    let keep: Vec<usize> = all.iter().copied().filter(|i| cited.contains(i)).collect();
    let rest: Vec<usize> = all.iter().copied().filter(|i| !cited.contains(i)).collect();
    let room = MAX_ROWS_PER_USER.saturating_sub(keep.len());
    let mut out = keep;
    if room > 0 && !rest.is_empty() {
        out.extend((0..room.min(rest.len())).map(|k| rest[k * rest.len() / room.min(rest.len())]));
    }
    out.sort_unstable();
    out
}

/// Each user's baseline period in microseconds (the window's when the user has none).
fn user_baselines(result: &AuditResult, baseline_start: i64, analysis_start: i64) -> HashMap<&str, (i64, i64)> {
    result
        .users
        .iter()
        .map(|u| {
            let p = u.baseline.as_ref().and_then(|b| period_micros(&b.period)).unwrap_or((baseline_start, analysis_start));
            (u.user.as_str(), p)
        })
        .collect()
}

fn finding_row(
    f: &Finding,
    found: &[Option<usize>],
    index: &HashMap<usize, u32>,
    strings: &mut Strings,
    drawn_users: &HashMap<&str, usize>,
) -> FindingRow {
    let mut cited = Vec::new();
    let mut missing = Vec::new();
    for (k, row) in found.iter().enumerate() {
        match row.and_then(|r| index.get(&r)) {
            Some(&i) => cited.push(i),
            None => missing.push((
                f.sign_in_ids.get(k).cloned().unwrap_or_default(),
                f.evidence.get(k).map(super::super::describe::citation).unwrap_or_default(),
            )),
        }
    }
    FindingRow {
        user: strings.add(&f.user),
        detector: f.detector,
        risk: f.risk.as_str(),
        time: ms(f.micros),
        summary: f.summary.clone(),
        notes: f.risk_notes.clone(),
        details: f.details.iter().map(|(k, v)| (k.clone(), v.to_string())).collect(),
        cited,
        missing,
        drawn: drawn_users.get(f.user.as_str()).map_or(-1, |&k| k as i64),
    }
}

/// Aggregate the drawn sign-ins by place (coordinates to 0.01°, about 1 km); the rest are listed by
/// place name. Sets each sign-in's point index.
fn places(
    sign_ins: &mut [SignIn],
    located: &[Option<(f64, f64)>],
    on_map: &BTreeSet<u32>,
    strings: &[String],
) -> (Vec<Point>, Vec<(String, usize)>) {
    let mut at: BTreeMap<(i64, i64), Point> = BTreeMap::new();
    let mut unlocated: BTreeMap<&str, usize> = BTreeMap::new();
    for &k in on_map {
        let k = k as usize;
        match located[k] {
            Some((lat, lon)) => {
                let key = ((lat * 100.0).round() as i64, (lon * 100.0).round() as i64);
                let p = at.entry(key).or_insert(Point { lat, lon, kind: Kind::Analysed, count: 0, cited: 0, rows: Vec::new() });
                let kind = sign_ins[k].12;
                // A place the baseline knows stays a baseline place (with its cited sign-ins
                // counted); a new place with a cited sign-in is suspicious.
                p.kind = match (p.kind, kind) {
                    (Kind::Baseline, _) | (_, Kind::Baseline) => Kind::Baseline,
                    (a, b) => a.max(b),
                };
                p.cited += usize::from(kind == Kind::Suspicious);
                p.count += 1;
                if p.rows.len() < MAX_POINT_SIGN_INS {
                    p.rows.push(k as u32);
                }
            }
            None => {
                let place = strings.get(sign_ins[k].4 as usize).map_or("", String::as_str);
                *unlocated.entry(if place.is_empty() { "(no location)" } else { place }).or_default() += 1;
            }
        }
    }
    let points: Vec<Point> = at.into_values().collect();
    for (pi, p) in points.iter().enumerate() {
        for &k in &p.rows {
            sign_ins[k as usize].13 = pi as i64;
        }
    }
    let mut unlocated: Vec<(String, usize)> = unlocated.into_iter().map(|(p, n)| (p.to_string(), n)).collect();
    unlocated.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (points, unlocated)
}

/// Impossible-travel legs: the finding cites the arrival first, then the departure, then (out and
/// straight back) the return.
fn travel_arcs(findings: &[FindingRow], located: &[Option<(f64, f64)>]) -> Vec<(f64, f64, f64, f64, usize)> {
    let mut arcs = Vec::new();
    for (k, f) in findings.iter().enumerate().filter(|(_, f)| f.detector == "impossible_travel") {
        let at = |n: usize| f.cited.get(n).and_then(|&i| located[i as usize]);
        if let (Some(to), Some(from)) = (at(0), at(1)) {
            arcs.push((from.0, from.1, to.0, to.1, k));
            if let Some(back) = at(2) {
                arcs.push((to.0, to.1, back.0, back.1, k));
            }
        }
    }
    arcs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_keeps_cited_rows_and_spreads_the_rest() {
        let all: Vec<usize> = (0..10_000).collect();
        let cited: HashSet<usize> = [5, 9_999].into_iter().collect();
        let s = sample(&all, &cited);
        assert_eq!(s.len(), MAX_ROWS_PER_USER);
        assert!(s.contains(&5) && s.contains(&9_999));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(*s.iter().filter(|&&i| i != 9_999).max().unwrap() > 9_000, "the sample reaches the end");
        assert_eq!(sample(&all[..3], &cited), [0, 1, 2]);
    }

    fn row(kind: Kind, place: u32) -> SignIn {
        SignIn(0, 1, 0, 0, place, 0, 0, 0, None, 0, 0, 0, kind, -1)
    }

    #[test]
    fn places_keep_baseline_places_and_flag_new_ones_and_list_the_unlocated() {
        let strings: Vec<String> = ["", "u", "New York, US", "Lagos, NG", "Somewhere, XX"].map(String::from).to_vec();
        let mut rows = vec![
            row(Kind::Baseline, 2),
            row(Kind::Suspicious, 2),
            row(Kind::Analysed, 3),
            row(Kind::Suspicious, 3),
            row(Kind::Suspicious, 4),
        ];
        let ny = Some((40.7128, -74.006));
        let lagos = Some((6.5244, 3.3792));
        let located = [ny, ny, lagos, lagos, None];
        let on_map: BTreeSet<u32> = (0..5).collect();
        let (points, unlocated) = places(&mut rows, &located, &on_map, &strings);
        assert_eq!(points.len(), 2);
        let home = points.iter().find(|p| p.lat > 40.0).unwrap();
        assert_eq!((home.kind, home.count, home.cited), (Kind::Baseline, 2, 1), "a baseline place stays one, its cited sign-in counted");
        let away = points.iter().find(|p| p.lat < 10.0).unwrap();
        assert_eq!((away.kind, away.count, away.cited), (Kind::Suspicious, 2, 1));
        assert_eq!(unlocated, [("Somewhere, XX".to_string(), 1)], "no coordinates: listed, not drawn");
        assert_eq!(rows[4].13, -1);
        assert!(rows[..4].iter().all(|r| r.13 >= 0), "every drawn sign-in knows its point");
    }

    #[test]
    fn risks_rank_in_order() {
        assert!(risk_rank("critical") > risk_rank("high"));
        assert!(risk_rank("low") > risk_rank("none"));
    }
}
