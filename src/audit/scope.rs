//! The scope of a compromise: which accounts touched the attacker's infrastructure, first and last
//! contact, successes and failures. Built once after the audit, over the same sign-ins the findings
//! judge (the analysis window, the included event types), from one of:
//!
//! - **`--ioc FILE`**: the examiner's indicators ([`crate::enrich::ioc`]), matched as `ioc_match` does.
//! - **`--pivot-from USER`**: the IP addresses, ASNs, session ids and user agents of the sign-ins that
//!   USER's high and critical findings cite. Benign shared infrastructure must not pull the whole
//!   tenant into scope, so a value is **excluded** (and listed with the reason) when it is
//!   - Microsoft's own network (service-side sign-ins of every user come from it),
//!   - a private or loopback address (an on-premises hop, not the attacker's), or
//!   - normal for an account: used in a successful sign-in of the baseline period of any account,
//!     the pivot user's own included (the office NAT, a VPN egress, the common browser, the user's
//!     home network); user agents are compared without their version numbers, as the baseline
//!     compares browsers, so a browser update after the baseline is still the common browser. The
//!     baseline is what the whole audit takes as normal; an attacker who was already in during the
//!     baseline is outside what any baseline-based tool can separate.
//!
//! [`Scope`] is a public, serializable type so every report format (and an HTML report) renders the
//! same facts.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use rayon::prelude::*;
use serde::Serialize;

use super::UserResult;
use crate::detect::{Cite, Finding, MAX_CITES, Risk};
use crate::enrich::{Enrichment, NetClass};
use crate::model::time::{TimeValue, format_rfc3339, parse_time};
use crate::model::view::Rows;
use crate::model::{SignInTable, UserRange};

/// Where the indicators of the scope come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeMode {
    Ioc,
    Pivot,
}

/// One indicator and how far it reached.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeIndicator {
    /// `ip`, `cidr`, `asn`, `ua`, `session`, `app`.
    pub kind: &'static str,
    pub value: String,
    /// Where it comes from: `line 4 of the IOC list`, or the pivot finding that cited it.
    pub origin: String,
    pub sign_ins: usize,
    pub accounts: usize,
}

/// A pivot value left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Exclusion {
    pub kind: &'static str,
    pub value: String,
    pub reason: String,
}

/// One account that touched the indicators.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeAccount {
    pub user: String,
    /// The account the pivot started from.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pivot: bool,
    pub first_contact: String,
    pub last_contact: String,
    pub sign_ins: usize,
    pub successes: usize,
    pub failures: usize,
    /// `kind:value` of every indicator the account's sign-ins matched.
    pub indicators: Vec<String>,
    /// Distinct IP addresses of those sign-ins (at most [`MAX_CITES`]).
    pub ips: Vec<String>,
    /// The first sign-ins in time (at most [`MAX_CITES`]), with their evidence positions.
    pub sign_in_ids: Vec<String>,
    pub evidence: Vec<Cite>,
}

/// The scope section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    pub mode: ScopeMode,
    /// The IOC file, or the pivot user.
    pub source: String,
    pub indicators: Vec<ScopeIndicator>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Exclusion>,
    pub accounts: Vec<ScopeAccount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What the scope is built from.
pub struct ScopeInput<'a> {
    pub table: &'a SignInTable,
    pub net: &'a Enrichment,
    pub users: &'a [UserResult],
    pub findings: &'a [Finding],
    /// Whether row `i` is in the analysis window.
    pub in_window: &'a (dyn Fn(&Rows<'_>, usize) -> bool + Sync),
    /// Whether row `i`'s event type is included.
    pub included: &'a (dyn Fn(&Rows<'_>, usize) -> bool + Sync),
}

/// The scope for `--pivot-from USER` (lowercased), else for the `--ioc` list, else none.
pub fn build(input: &ScopeInput<'_>, pivot_from: Option<&str>) -> Option<Scope> {
    if let Some(user) = pivot_from {
        return Some(pivot(input, user));
    }
    let list = input.net.sources().ioc.as_ref()?;
    let source =
        input.net.sources().files.iter().find(|f| f.role == crate::enrich::sources::role::IOC).map_or_else(String::new, |f| f.path.clone());
    let indicators: Vec<(&'static str, String, String)> =
        list.iocs.iter().map(|i| (i.kind.as_str(), i.value.clone(), format!("line {} of the IOC list", i.line))).collect();
    let matcher = |rows: &Rows<'_>, i: usize| input.net.ioc_matches(rows, i);
    Some(assemble(input, ScopeMode::Ioc, source, indicators, Vec::new(), None, &matcher))
}

/// Per-account tally while scanning.
struct Tally {
    rows: Vec<usize>,
    successes: usize,
    hits: BTreeSet<u32>,
    ips: BTreeSet<String>,
}

/// Scan every account's sign-ins with `matcher` (indices into `indicators`) and assemble the scope.
fn assemble(
    input: &ScopeInput<'_>,
    mode: ScopeMode,
    source: String,
    indicators: Vec<(&'static str, String, String)>,
    excluded: Vec<Exclusion>,
    pivot_user: Option<&str>,
    matcher: &(dyn Fn(&Rows<'_>, usize) -> Vec<u32> + Sync),
) -> Scope {
    let labels: Vec<String> = indicators.iter().map(|(kind, value, _)| format!("{kind}:{value}")).collect();
    let per_user: Vec<Scanned> = input.table.users.par_iter().map(|u| scan_user(input, u, indicators.len(), pivot_user, matcher)).collect();
    let mut counts = vec![(0usize, 0usize); indicators.len()];
    let mut accounts = Vec::new();
    let mut excluded_types = 0;
    for s in per_user {
        excluded_types += s.other;
        for (k, n) in s.sign_ins.into_iter().enumerate() {
            counts[k].0 += n;
            counts[k].1 += usize::from(n > 0);
        }
        if let Some((mut account, hits)) = s.account {
            account.indicators = hits.iter().filter_map(|&k| labels.get(k as usize).cloned()).collect();
            accounts.push(account);
        }
    }
    let mut notes = Vec::new();
    if excluded_types > 0 {
        notes.push(format!(
            "{excluded_types} more sign-in(s) in the window match but are of event types this audit leaves out (--include-non-interactive, --include-service-principal)"
        ));
    }
    let indicators = indicators
        .into_iter()
        .zip(counts)
        .map(|((kind, value, origin), (sign_ins, accounts))| ScopeIndicator { kind, value, origin, sign_ins, accounts })
        .collect();
    Scope { mode, source, indicators, excluded, accounts, notes }
}

/// One account's scan: its entry (with the indices of the indicators it matched), the sign-ins per
/// indicator, and the matching sign-ins of event types left out.
struct Scanned {
    account: Option<(ScopeAccount, BTreeSet<u32>)>,
    sign_ins: Vec<usize>,
    other: usize,
}

fn scan_user(
    input: &ScopeInput<'_>,
    u: &UserRange,
    n: usize,
    pivot_user: Option<&str>,
    matcher: &(dyn Fn(&Rows<'_>, usize) -> Vec<u32> + Sync),
) -> Scanned {
    let mut sign_ins = vec![0; n];
    let batch = input.table.user_batch(u);
    let Ok(r) = Rows::new(&batch) else { return Scanned { account: None, sign_ins, other: 0 } };
    let mut t = Tally { rows: Vec::new(), successes: 0, hits: BTreeSet::new(), ips: BTreeSet::new() };
    let mut other = 0;
    for i in (0..r.len).filter(|&i| (input.in_window)(&r, i)) {
        let hits = matcher(&r, i);
        if hits.is_empty() {
            continue;
        }
        if !(input.included)(&r, i) {
            other += 1;
            continue;
        }
        for &k in &hits {
            sign_ins[k as usize] += 1;
        }
        t.hits.extend(hits);
        t.rows.push(i);
        t.successes += usize::from(r.is_success(i));
        t.ips.extend(r.ip.get(i).map(str::to_string));
    }
    if t.rows.is_empty() {
        return Scanned { account: None, sign_ins, other };
    }
    let (first, last) = (r.time(t.rows[0]), r.time(t.rows[t.rows.len() - 1]));
    let account = ScopeAccount {
        user: u.principal.clone(),
        pivot: pivot_user == Some(u.principal.as_str()),
        first_contact: format_rfc3339(first),
        last_contact: format_rfc3339(last),
        sign_ins: t.rows.len(),
        successes: t.successes,
        failures: t.rows.len() - t.successes,
        indicators: Vec::new(),
        ips: t.ips.into_iter().take(MAX_CITES).collect(),
        sign_in_ids: t.rows.iter().take(MAX_CITES).map(|&i| r.sign_in_id(i)).collect(),
        evidence: t.rows.iter().take(MAX_CITES).map(|&i| Cite::of(&r, i)).collect(),
    };
    Scanned { account: Some((account, t.hits)), sign_ins, other }
}

/// A value a pivot can use.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Value {
    Ip(String),
    Asn(u32),
    Session(String),
    Agent(String),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Ip(_) => "ip",
            Value::Asn(_) => "asn",
            Value::Session(_) => "session",
            Value::Agent(_) => "ua",
        }
    }

    /// The form compared with what is normal: a user agent without its version numbers, as the
    /// baseline compares browsers (a browser update is not a new browser).
    fn normal_form(&self) -> Value {
        match self {
            Value::Agent(ua) => Value::Agent(ua.chars().filter(|c| !c.is_ascii_digit() && !matches!(c, '.' | '_')).collect()),
            v => v.clone(),
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Ip(s) | Value::Session(s) | Value::Agent(s) => s.clone(),
            Value::Asn(a) => format!("AS{a}"),
        }
    }
}

/// The pivot values of row `i`.
fn values(r: &Rows<'_>, i: usize, net: &Enrichment) -> Vec<Value> {
    let mut v = Vec::new();
    v.extend(r.ip.get(i).map(|s| Value::Ip(s.to_string())));
    v.extend(net.row_asn(r, i).map(Value::Asn));
    v.extend(r.session_id.get(i).map(|s| Value::Session(s.to_ascii_lowercase())));
    v.extend(r.user_agent.get(i).map(|s| Value::Agent(s.to_string())));
    v
}

fn micros(s: &str) -> Option<i64> {
    match parse_time(s, 0) {
        Some(TimeValue::Utc { micros, .. }) => Some(micros),
        _ => None,
    }
}

/// The accounts (sorted) whose successful baseline sign-ins used each of `wanted`, keyed by
/// [`Value::normal_form`].
fn normal_for(input: &ScopeInput<'_>, wanted: &BTreeMap<Value, String>) -> HashMap<Value, BTreeSet<String>> {
    let wanted: BTreeSet<Value> = wanted.keys().map(Value::normal_form).collect();
    let periods: HashMap<&str, (i64, i64)> = input
        .users
        .iter()
        .filter_map(|u| {
            let b = u.baseline.as_ref()?;
            Some((u.user.as_str(), (micros(&b.period.start)?, micros(&b.period.end)?)))
        })
        .collect();
    let per_user: Vec<Vec<(Value, String)>> = input
        .table
        .users
        .par_iter()
        .filter_map(|u| {
            let &(start, end) = periods.get(u.principal.as_str())?;
            let batch = input.table.user_batch(u);
            let r = Rows::new(&batch).ok()?;
            let mut seen = BTreeSet::new();
            for i in (0..r.len).filter(|&i| r.is_success(i) && r.time(i) >= start && r.time(i) <= end && (input.included)(&r, i)) {
                seen.extend(values(&r, i, input.net).iter().map(Value::normal_form).filter(|v| wanted.contains(v)));
            }
            Some(seen.into_iter().map(|v| (v, u.principal.clone())).collect())
        })
        .collect();
    let mut out: HashMap<Value, BTreeSet<String>> = HashMap::new();
    for (v, user) in per_user.into_iter().flatten() {
        out.entry(v).or_default().insert(user);
    }
    out
}

fn is_internal(ip: &str) -> bool {
    match ip.parse::<IpAddr>().map(|a| a.to_canonical()) {
        Ok(IpAddr::V4(a)) => a.is_private() || a.is_loopback() || a.is_link_local() || a.is_unspecified(),
        Ok(IpAddr::V6(a)) => {
            a.is_loopback() || a.is_unspecified() || (a.segments()[0] & 0xfe00) == 0xfc00 || (a.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// Why a pivot value is left out, if it is.
fn exclusion(v: &Value, net: &Enrichment, normal: &HashMap<Value, BTreeSet<String>>) -> Option<String> {
    let microsoft = |class: Option<NetClass>| class == Some(NetClass::Microsoft);
    match v {
        Value::Ip(ip) if is_internal(ip) => return Some("a private or loopback address: an on-premises hop, not the attacker's".into()),
        Value::Ip(ip) if microsoft(net.class(ip)) => {
            return Some("Microsoft's network: service-side sign-ins of every user come from it".into());
        }
        Value::Asn(a) if microsoft(crate::enrich::networks::class_of_asn(*a)) => {
            return Some("Microsoft's network: service-side sign-ins of every user come from it".into());
        }
        _ => {}
    }
    let users = normal.get(&v.normal_form())?;
    let named: Vec<&str> = users.iter().take(3).map(String::as_str).collect();
    Some(format!(
        "normal for {} account(s) ({}{}): used in successful sign-ins of their baseline, so the tenant's own infrastructure",
        users.len(),
        named.join(", "),
        if users.len() > named.len() { ", ..." } else { "" }
    ))
}

/// The scope of `--pivot-from user`.
fn pivot(input: &ScopeInput<'_>, user: &str) -> Scope {
    let empty = |note: String| Scope {
        mode: ScopeMode::Pivot,
        source: user.to_string(),
        indicators: Vec::new(),
        excluded: Vec::new(),
        accounts: Vec::new(),
        notes: vec![note],
    };
    let Some(range) = input.table.users.iter().find(|u| u.principal == user) else {
        return empty(format!("{user} has no sign-ins in the evidence: nothing to pivot from"));
    };
    let high: Vec<&Finding> = input.findings.iter().filter(|f| f.user == user && f.risk >= Risk::High).collect();
    if high.is_empty() {
        return empty(format!("{user} has no high or critical finding: nothing to pivot from"));
    }
    let batch = input.table.user_batch(range);
    let Ok(r) = Rows::new(&batch) else { return empty(format!("{user}: unreadable partition")) };
    let by_id: HashMap<String, usize> = (0..r.len).map(|i| (r.sign_in_id(i), i)).collect();
    // Every value of every cited sign-in, with the first finding that cited it.
    let mut wanted: BTreeMap<Value, String> = BTreeMap::new();
    for f in &high {
        for i in f.sign_in_ids.iter().filter_map(|id| by_id.get(id)) {
            for v in values(&r, *i, input.net) {
                wanted.entry(v).or_insert_with(|| format!("{} {} finding of {user} at {}", f.risk.as_str(), f.detector, f.time));
            }
        }
    }
    let normal = normal_for(input, &wanted);
    let mut kept: Vec<(Value, String)> = Vec::new();
    let mut excluded = Vec::new();
    for (v, origin) in wanted {
        match exclusion(&v, input.net, &normal) {
            Some(reason) => excluded.push(Exclusion { kind: v.kind(), value: v.text(), reason }),
            None => kept.push((v, origin)),
        }
    }
    let index: HashMap<Value, u32> = kept.iter().enumerate().map(|(k, (v, _))| (v.clone(), k as u32)).collect();
    let matcher = |rows: &Rows<'_>, i: usize| {
        let mut hits: Vec<u32> = values(rows, i, input.net).iter().filter_map(|v| index.get(v).copied()).collect();
        hits.sort_unstable();
        hits
    };
    let indicators = kept.into_iter().map(|(v, origin)| (v.kind(), v.text(), origin)).collect();
    let mut scope = assemble(input, ScopeMode::Pivot, user.to_string(), indicators, excluded, Some(user), &matcher);
    if scope.indicators.is_empty() {
        scope.notes.push(format!("every value of {user}'s high-risk sign-ins is excluded as shared or normal: nobody else is pulled in"));
    }
    scope
}
