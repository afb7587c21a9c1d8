//! `ioc_match`: sign-ins that match the examiner's indicators of compromise (`--ioc FILE`). One
//! finding per user and indicator, citing every matching sign-in (successful ones first). Without a
//! list it finds nothing. The indicators and their matching live in [`crate::enrich::ioc`].

use std::collections::BTreeMap;

use serde_json::json;

use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};
use crate::model::time::format_rfc3339;

/// A successful sign-in from an indicator that names one machine or one session (an address, a
/// block, a session id): the attacker used the account. SigmaHQ rates a sign-in from an address
/// Microsoft knows to be malicious high (SigmaHQ/sigma `rules/cloud/azure/identity_protection/
/// azure_identity_protection_malicious_ip_address.yml`, level high).
pub const SPECIFIC_SUCCESS: Risk = Risk::High;
/// Only failures from such an indicator: the account was targeted; nothing shows the attacker in.
pub const SPECIFIC_FAILURE: Risk = Risk::Medium;
/// An ASN, a user-agent substring or an app names a population, not one machine: a success is one
/// level below [`SPECIFIC_SUCCESS`].
pub const BROAD_SUCCESS: Risk = Risk::Medium;
/// Failures matching a population indicator.
pub const BROAD_FAILURE: Risk = Risk::Low;

/// The detector's id in every report.
pub const ID: &str = "ioc_match";

pub struct IocMatch;

impl Declared for IocMatch {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: "sign-ins matching an indicator of compromise given with --ioc (IP, CIDR, ASN, user agent, session, app); one finding per user and indicator".into(),
            threshold: format!(
                "any match; an address, block or session id: a success {}, failures only {}; an ASN, user-agent substring or app (a population, not one machine): a success {}, failures only {}",
                SPECIFIC_SUCCESS.as_str(),
                SPECIFIC_FAILURE.as_str(),
                BROAD_SUCCESS.as_str(),
                BROAD_FAILURE.as_str()
            ),
            sources: &[
                "SigmaHQ sigma `rules/cloud/azure/identity_protection/azure_identity_protection_malicious_ip_address.yml` (a sign-in from a known-malicious address: high)",
            ],
        }
    }

    fn roles(&self) -> &'static [Role] {
        &[Role::FatiguePartner]
    }

    fn needs_baseline(&self) -> bool {
        false
    }
}

impl Detector for IocMatch {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let iocs = cx.net.iocs();
        if iocs.is_empty() {
            return;
        }
        let r = cx.rows;
        let mut by_ioc: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for &i in cx.judged {
            for k in cx.net.ioc_matches(r, i) {
                by_ioc.entry(k).or_default().push(i);
            }
        }
        for (k, rows) in by_ioc {
            let ioc = &iocs[k as usize];
            let (ok, failed): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&i| r.is_success(i));
            let risk = match (ioc.kind.is_specific(), ok.is_empty()) {
                (true, false) => SPECIFIC_SUCCESS,
                (true, true) => SPECIFIC_FAILURE,
                (false, false) => BROAD_SUCCESS,
                (false, true) => BROAD_FAILURE,
            };
            let mut ips: Vec<&str> = rows.iter().filter_map(|&i| r.ip.get(i)).collect();
            ips.sort_unstable();
            ips.dedup();
            let (first, last) = (r.time(rows[0]), r.time(rows[rows.len() - 1]));
            let summary = format!(
                "{} sign-in(s) matched the indicator {} (line {} of the IOC list), {} successful, from {} to {}",
                rows.len(),
                ioc.label(),
                ioc.line,
                ok.len(),
                format_rfc3339(first),
                format_rfc3339(last)
            );
            let cited: Vec<usize> = ok.iter().chain(failed.iter()).copied().collect();
            out.push(cx.finding(
                self.id(),
                risk,
                &cited,
                summary,
                details([
                    ("indicator", json!(ioc)),
                    ("sign_ins", json!(rows.len())),
                    ("successes", json!(ok.len())),
                    ("failures", json!(failed.len())),
                    ("first", json!(format_rfc3339(first))),
                    ("last", json!(format_rfc3339(last))),
                    ("ips", json!(ips.iter().take(super::MAX_CITES).collect::<Vec<_>>())),
                ]),
            ));
        }
    }
}
