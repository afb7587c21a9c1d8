//! `password_spray`: one address (or one network's rotating addresses) failing against many accounts
//! within minutes; the accounts it then got into, or whose password it got right, are high.
//!
//! Judged across accounts from the [`Aggregate`]'s credential failures:
//! 1. per address: a window of [`WINDOW_MINUTES`] in which [`MIN_ACCOUNTS`] or more distinct
//!    accounts failed makes the address a spray source (overlapping windows are one episode);
//! 2. per network (`AS<n>` when the autonomous system is known, else the /24 or /48), over the
//!    failures no address-level episode claimed, the same windows with at least
//!    [`MIN_NETWORK_ADDRESSES`] addresses: a spray rotating through a cloud provider's addresses.
//!
//! A shared egress is not a spray: an office NAT or a VPN where people mistype on a Monday morning
//! shows many failing accounts, but those people then sign in from it. As Sentinel's
//! `SigninPasswordSpray.yaml` does (Azure/Azure-Sentinel, Microsoft Entra ID solution), an episode
//! counts only when more distinct accounts failed in it than signed in successfully from the source
//! in the whole analysis window; mistyping users are always among those who signed in, so they can
//! never outnumber them.
//!
//! Each account an episode touched gets a finding: high when the account then signed in from one of
//! the episode's addresses (any address of the network, for a network-wide episode: the rotation
//! goes on after the hit), or when an attempt from there was stopped only after the password was
//! accepted (MFA or Conditional Access; [`PASSWORD_VERIFIED_CODES`]); low when all its attempts
//! failed (the account was targeted, nothing got in).
//!
//! Chaining: an account's finding cites its own sign-ins (the success from the source first), so a
//! sprayed account that then signed in chains with `new_location`, `suspicious_user_agent` and the
//! rest on that sign-in or session; the other accounts' failures are cited as evidence only.
//!
//! [`PASSWORD_VERIFIED_CODES`]: crate::detect::credentials::PASSWORD_VERIFIED_CODES

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::aggregate::network_key;
use super::{Aggregate, Attempt, Episode, TenantDetector};
use crate::detect::credentials::{CREDENTIAL_FAILURE_CODES, Credential, classify};
use crate::detect::{Declared, Doc, Finding, MAX_CITES, Risk, Role, UserContext, details};
use crate::model::time::format_rfc3339;

/// Distinct accounts failing from one source within [`WINDOW_MINUTES`] that make a spray: Sentinel
/// `SigninPasswordSpray.yaml` counts at least 5 distinct accounts per address in a 20-minute bin.
/// Elastic's spraying threshold (15 accounts in 30 min, `credential_access_entra_id_brute_force_activity.toml`)
/// and Splunk's (30 accounts in 5 min, "Azure AD Multiple Users Failing To Authenticate From Ip")
/// target bigger tenants; the shared-egress guard keeps a busy office from reaching 5.
pub const MIN_ACCOUNTS: usize = 5;

/// The window those accounts fail in (Sentinel's 20-minute bin, as a sliding window).
pub const WINDOW_MINUTES: i64 = 20;

/// A network-wide episode must use at least this many addresses (fewer is an address-level spray,
/// judged as such); TeamFiltration and similar tools rotate cloud addresses per attempt.
pub const MIN_NETWORK_ADDRESSES: usize = 2;

/// An account the spray then signed in to, or whose password it got right (MFA or Conditional
/// Access stopped it): Sentinel counts those codes as the spray's successes.
pub const ACCOUNT_BREACHED: Risk = Risk::High;
/// An account the spray only failed against: targeted, nothing got in (the background noise of
/// every tenant, like any wrong password).
pub const ACCOUNT_TARGETED: Risk = Risk::Low;

/// The detector's id in every report.
pub const ID: &str = "password_spray";

pub struct PasswordSpray;

impl Declared for PasswordSpray {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        let codes = CREDENTIAL_FAILURE_CODES.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
        Doc {
            reports: format!(
                "one address, or one network's rotating addresses (AS<n>, else the /24 or /48), failing against many accounts ({codes}); a shared egress (as many accounts signed in from it as failed: an office NAT on a Monday morning) is not a spray"
            ),
            threshold: format!(
                ">= {MIN_ACCOUNTS} accounts failing within {WINDOW_MINUTES} min, more than signed in from the source; a network needs >= {MIN_NETWORK_ADDRESSES} addresses; an account then signed in to, or whose password it got right, {}, the others {}",
                ACCOUNT_BREACHED.as_str(),
                ACCOUNT_TARGETED.as_str()
            ),
            sources: &[
                "Microsoft Sentinel `Solutions/Microsoft Entra ID/Analytic Rules/SigninPasswordSpray.yaml` (5 accounts per address in 20 min; failed accounts outnumber successful ones)",
            ],
        }
    }

    fn needs_baseline(&self) -> bool {
        false
    }

    fn roles(&self) -> &'static [Role] {
        &[Role::FatiguePartner]
    }
}

impl TenantDetector for PasswordSpray {
    fn judge(&self, agg: &Aggregate, out: &mut Vec<Episode>) {
        let mut claimed = vec![false; agg.failures.len()];
        let f = &agg.failures;
        let mut a = 0;
        while a < f.len() {
            let b = a + f[a..].iter().take_while(|x| x.ip == f[a].ip).count();
            let group: Vec<&Attempt> = f[a..b].iter().collect();
            for (s, e) in windows(&group) {
                let accounts = distinct_accounts(&group[s..=e]);
                if accounts > agg.ip_success_accounts(&f[a].ip) as usize {
                    out.push(episode(&f[a].ip, "address", &group[s..=e], agg.ip_success_accounts(&f[a].ip)));
                    claimed[a + s..=a + e].iter_mut().for_each(|c| *c = true);
                }
            }
            a = b;
        }
        let mut by_network: BTreeMap<&str, Vec<&Attempt>> = BTreeMap::new();
        for (k, x) in f.iter().enumerate() {
            if !claimed[k] {
                by_network.entry(&x.network).or_default().push(x);
            }
        }
        for (net, mut group) in by_network {
            group.sort_by(|x, y| (x.time, &x.principal, &x.sign_in_id).cmp(&(y.time, &y.principal, &y.sign_in_id)));
            for (s, e) in windows(&group) {
                let part = &group[s..=e];
                let addresses: BTreeSet<&str> = part.iter().map(|x| x.ip.as_str()).collect();
                let successes = agg.network_success_accounts(net);
                if addresses.len() >= MIN_NETWORK_ADDRESSES && distinct_accounts(part) > successes as usize {
                    out.push(episode(net, "network", part, successes));
                }
            }
        }
        out.sort_by(|x, y| (x.start, &x.source).cmp(&(y.start, &y.source)));
    }

    fn finish(&self, episodes: &[Episode], cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        for ep in episodes {
            if let Some(f) = account_finding(self.id(), ep, cx) {
                out.push(f);
            }
        }
    }
}

fn distinct_accounts(part: &[&Attempt]) -> usize {
    part.iter().map(|x| x.principal.as_str()).collect::<BTreeSet<_>>().len()
}

/// Index ranges (inclusive) of `group` (sorted by time) where some [`WINDOW_MINUTES`] window holds
/// [`MIN_ACCOUNTS`] distinct accounts; overlapping qualifying windows are merged.
fn windows(group: &[&Attempt]) -> Vec<(usize, usize)> {
    let window = WINDOW_MINUTES * 60_000_000;
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut j = 0;
    for i in 0..group.len() {
        while j < group.len() && group[j].time - group[i].time <= window {
            *counts.entry(&group[j].principal).or_default() += 1;
            j += 1;
        }
        if counts.len() >= MIN_ACCOUNTS {
            match out.last_mut() {
                Some(last) if last.1 >= i => last.1 = j - 1,
                _ => out.push((i, j - 1)),
            }
        }
        if let Some(c) = counts.get_mut(group[i].principal.as_str()) {
            *c -= 1;
            if *c == 0 {
                counts.remove(group[i].principal.as_str());
            }
        }
    }
    out
}

fn episode(source: &str, kind: &str, part: &[&Attempt], success_accounts: u32) -> Episode {
    let accounts: BTreeSet<String> = part.iter().map(|x| x.principal.clone()).collect();
    let ips: BTreeSet<String> = part.iter().map(|x| x.ip.clone()).collect();
    let mut clients: BTreeMap<&str, usize> = BTreeMap::new();
    for x in part {
        *clients.entry(x.client.as_deref().unwrap_or("unknown")).or_default() += 1;
    }
    // The first failure against each account, in time order, as evidence.
    let mut seen = BTreeSet::new();
    let evidence =
        part.iter().filter(|x| seen.insert(&x.principal)).take(MAX_CITES).map(|x| (x.sign_in_id.clone(), x.cite.clone())).collect();
    let (start, end) = (part[0].time, part[part.len() - 1].time);
    Episode {
        source: source.to_string(),
        details: details([
            ("source", json!(source)),
            ("source_kind", json!(kind)),
            ("accounts_failed", json!(accounts.len())),
            ("failed_attempts", json!(part.len())),
            ("addresses", json!(ips)),
            ("clients", json!(clients)),
            ("accounts_signed_in_from_source", json!(success_accounts)),
            ("first_attempt", json!(format_rfc3339(start))),
            ("last_attempt", json!(format_rfc3339(end))),
        ]),
        ips,
        network: (kind == "network").then(|| source.to_string()),
        start,
        end,
        failures: part.len(),
        accounts,
        evidence,
    }
}

/// The account's part in one episode: its attempts from the episode's addresses (or network)
/// during it, and its successes or password-verified attempts from them afterwards.
fn account_finding(id: &'static str, ep: &Episode, cx: &UserContext<'_>) -> Option<Finding> {
    let r = cx.rows;
    let first = cx.judged.partition_point(|&i| r.time(i) < ep.start);
    let mut own: Vec<(usize, Credential)> = Vec::new();
    // A network episode's other addresses: compared by AS number without building a key per row.
    let asn = ep.network.as_deref().and_then(|n| n.strip_prefix("AS")).and_then(|n| n.parse::<u32>().ok());
    let from_source = |ip: &str| {
        ep.ips.contains(ip)
            || match (&ep.network, asn) {
                (_, Some(a)) => cx.net.asn(ip) == Some(a),
                (Some(n), None) => *n == network_key(cx.net, ip),
                (None, None) => false,
            }
    };
    for &i in &cx.judged[first..] {
        if !r.ip.get(i).is_some_and(from_source) {
            continue;
        }
        match classify(r, i) {
            Some(c) if r.time(i) <= ep.end || c != Credential::Failed => own.push((i, c)),
            _ => {}
        }
    }
    if own.is_empty() {
        return None;
    }
    let pick = |c: Credential| own.iter().find(|(_, x)| *x == c).map(|(i, _)| *i);
    let key = pick(Credential::Succeeded).or_else(|| pick(Credential::Verified)).unwrap_or(own[0].0);
    let outcome = own.iter().map(|(_, c)| *c).max().unwrap_or(Credential::Failed);
    let minutes = (ep.end - ep.start) / 60_000_000;
    let what = match outcome {
        Credential::Succeeded => format!("then this account signed in successfully from {}", r.ip.get(key).unwrap_or("?")),
        Credential::Verified => format!(
            "this account's password was right: the sign-in from {} was stopped by error {} (MFA or Conditional Access)",
            r.ip.get(key).unwrap_or("?"),
            r.error_code(key).map_or_else(|| "?".to_string(), |c| c.to_string())
        ),
        Credential::Failed => format!("this account's {} attempt(s) failed", own.len()),
    };
    let summary = format!(
        "password spray: {} accounts failed from {} within {minutes} min from {}; {what}",
        ep.accounts.len(),
        ep.source,
        format_rfc3339(ep.start - ep.start.rem_euclid(1_000_000))
    );
    let risk = if outcome == Credential::Failed { ACCOUNT_TARGETED } else { ACCOUNT_BREACHED };
    let mut rows = vec![key];
    rows.extend(own.iter().map(|(i, _)| *i).filter(|&i| i != key));
    let mut d = ep.details.clone();
    d.insert("account_outcome".into(), json!(outcome.as_str()));
    d.insert("account_attempts".into(), json!(own.len()));
    let mut f = cx.finding(id, risk, &rows, summary, d);
    for (sid, cite) in &ep.evidence {
        if f.sign_in_ids.len() >= MAX_CITES {
            break;
        }
        if !f.sign_in_ids.contains(sid) {
            f.sign_in_ids.push(sid.clone());
            f.evidence.push(cite.clone());
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Cite;

    fn attempt(ip: &str, minute: i64, who: &str) -> Attempt {
        Attempt {
            ip: ip.to_string(),
            time: minute * 60_000_000,
            principal: who.to_string(),
            sign_in_id: format!("{ip}-{minute}-{who}"),
            network: "AS64506".to_string(),
            cite: Cite { file: "f".into(), offset: 0, record: 1, line: Some(1) },
            client: Some("ropc".into()),
        }
    }

    fn agg(failures: Vec<Attempt>, ip_successes: &[(&str, u32)], network_successes: u32) -> Aggregate {
        let mut a = Aggregate { failures, ..Aggregate::default() };
        for (ip, n) in ip_successes {
            a.ip_successes.insert(ip.to_string(), *n);
        }
        a.network_successes.insert("AS64506".into(), network_successes);
        Aggregate::merge(vec![a])
    }

    fn judged(a: &Aggregate) -> Vec<Episode> {
        let mut out = Vec::new();
        PasswordSpray.judge(a, &mut out);
        out
    }

    #[test]
    fn five_accounts_in_twenty_minutes_from_one_address_is_a_spray() {
        let f: Vec<Attempt> = (0..5).map(|k| attempt("203.0.113.7", 4 * k, &format!("u{k}"))).collect();
        let eps = judged(&agg(f, &[("203.0.113.7", 1)], 1));
        assert_eq!(eps.len(), 1, "{eps:?}");
        assert_eq!((eps[0].source.as_str(), eps[0].accounts.len(), eps[0].failures), ("203.0.113.7", 5, 5));
    }

    #[test]
    fn four_accounts_or_a_slower_pace_is_not() {
        let four: Vec<Attempt> = (0..4).map(|k| attempt("203.0.113.7", k, &format!("u{k}"))).collect();
        assert!(judged(&agg(four, &[], 0)).is_empty());
        let slow: Vec<Attempt> = (0..8).map(|k| attempt("203.0.113.7", 6 * k, &format!("u{k}"))).collect();
        assert!(judged(&agg(slow, &[], 0)).is_empty());
    }

    #[test]
    fn an_office_nat_whose_mistyping_users_then_sign_in_is_not_a_spray() {
        let f: Vec<Attempt> = (0..8).map(|k| attempt("192.0.2.10", k, &format!("u{k}"))).collect();
        assert!(judged(&agg(f, &[("192.0.2.10", 40)], 40)).is_empty());
    }

    #[test]
    fn rotating_addresses_of_one_network_are_one_episode() {
        let f: Vec<Attempt> = (0..6).map(|k| attempt(&format!("198.51.100.{}", 131 + k), 3 * k, &format!("u{k}"))).collect();
        let eps = judged(&agg(f, &[("198.51.100.136", 1)], 1));
        assert_eq!(eps.len(), 1, "{eps:?}");
        assert_eq!((eps[0].source.as_str(), eps[0].ips.len()), ("AS64506", 6));
        assert_eq!(eps[0].details["source_kind"], "network");
    }
}
