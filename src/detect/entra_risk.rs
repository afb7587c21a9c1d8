//! `entra_risk`: Entra ID Protection's own verdicts carried by the records
//! (`riskLevelDuringSignIn`, `riskLevelAggregated`, `riskEventTypes_v2`, `riskState`,
//! `riskDetail`), surfaced as findings instead of lost in a column nobody reads.
//!
//! Microsoft's level becomes the finding's risk (low, medium, high), the higher of the real-time
//! and aggregated levels. Its state adjusts it: a risk the user remediated (MFA, password reset),
//! an admin dismissed or confirmed safe is one level lower; an admin-confirmed compromise is at
//! least high. `hidden` (a tenant without Entra ID P2), `none` and `unknownFutureValue` are not
//! verdicts and give no finding (Graph beta `signIn` resource; Elastic "High Risk Sign-in" skips
//! remediated and dismissed risk the same way).
//!
//! One finding per session (or per sign-in without one) and verdict, citing its sign-ins.
//!
//! Chaining: a successful risky sign-in chains with what the other detectors say about it, so
//! Microsoft's verdict and ours corroborate each other.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};

/// `riskState` values after which the risk no longer stands as Microsoft rated it.
pub const CLEARED_STATES: &[&str] = &["remediated", "dismissed", "confirmedSafe"];

/// `riskState` of an admin-confirmed compromise.
pub const CONFIRMED_COMPROMISED: &str = "confirmedCompromised";

/// An admin-confirmed compromise is at least this.
pub const CONFIRMED_AT_LEAST: Risk = Risk::High;

/// The detector's id in every report.
pub const ID: &str = "entra_risk";

pub struct EntraRisk;

/// Microsoft's risk level as a finding risk (`low`, `medium`, `high`); anything else is no verdict.
fn level(s: Option<&str>) -> Option<Risk> {
    match s?.trim() {
        l if l.eq_ignore_ascii_case("low") => Some(Risk::Low),
        l if l.eq_ignore_ascii_case("medium") => Some(Risk::Medium),
        l if l.eq_ignore_ascii_case("high") => Some(Risk::High),
        _ => None,
    }
}

impl Declared for EntraRisk {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: "Entra ID Protection's own verdicts in the records (riskLevelDuringSignIn, riskLevelAggregated, riskEventTypes_v2, riskState)".into(),
            threshold: format!(
                "Microsoft's level (low, medium, high); {} one level lower; {CONFIRMED_COMPROMISED} at least {}; hidden (no P2) and none ignored",
                CLEARED_STATES.join(", "),
                CONFIRMED_AT_LEAST.as_str()
            ),
            sources: &[
                "Microsoft Graph beta `signIn` resource (riskLevelDuringSignIn, riskState, riskDetail)",
                "Elastic detection-rules `rules/integrations/azure/` \"High Risk Sign-in\" (remediated, dismissed and confirmed-safe risk skipped)",
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

impl Detector for EntraRisk {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        // (session or request id, level, state, detections) -> sign-ins
        type Key = (String, Risk, String, Vec<String>);
        let mut groups: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
        for &i in cx.judged {
            let Some(microsoft) = level(r.risk_level_during_sign_in.get(i)).max(level(r.risk_level_aggregated.get(i))) else {
                continue;
            };
            let mut types: Vec<String> = r.risk_event_types(i).map(str::to_string).collect();
            types.sort();
            types.dedup();
            let state = r.risk_state.get(i).unwrap_or("").to_string();
            let session = r.session_id.get(i).filter(|s| !s.is_empty()).map_or_else(|| r.sign_in_id(i), str::to_string);
            groups.entry((session, microsoft, state, types)).or_default().push(i);
        }
        for ((_, microsoft, state, types), rows) in groups {
            let risk = if CLEARED_STATES.iter().any(|s| s.eq_ignore_ascii_case(&state)) {
                microsoft.lower()
            } else if state.eq_ignore_ascii_case(CONFIRMED_COMPROMISED) {
                microsoft.max(CONFIRMED_AT_LEAST)
            } else {
                microsoft
            };
            let details_text: BTreeSet<&str> = rows.iter().filter_map(|&i| r.risk_detail.get(i)).filter(|d| *d != "none").collect();
            let detections = if types.is_empty() { "no detection named".to_string() } else { types.join(", ") };
            let state_text = if state.is_empty() { "no risk state".to_string() } else { format!("state {state}") };
            let summary =
                format!("Entra ID Protection rated {} sign-in(s) {} risk ({detections}); {state_text}", rows.len(), microsoft.as_str());
            out.push(cx.finding(
                self.id(),
                risk,
                &rows,
                summary,
                details([
                    ("microsoft_level", json!(microsoft.as_str())),
                    ("risk_event_types", json!(types)),
                    ("risk_state", json!(state)),
                    ("risk_detail", json!(details_text)),
                    ("sign_ins", json!(rows.len())),
                ]),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::detect::fixture::{NEW_YORK, rec, run};
    use crate::model::SignIn;

    fn risky(level: &'static str, state: &'static str) -> SignIn<'static> {
        let mut r = rec("2024-03-13T14:00:00Z", "203.0.113.5", "US", NEW_YORK);
        r.risk_level_during_sign_in = Some(Cow::Borrowed(level));
        r.risk_level_aggregated = Some(Cow::Borrowed("none"));
        r.risk_state = Some(Cow::Borrowed(state));
        r.risk_event_types = vec![Cow::Borrowed("unfamiliarFeatures")];
        r
    }

    #[test]
    fn microsofts_level_and_state() {
        let found = run(&EntraRisk, &[risky("high", "atRisk")], 0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].risk, Risk::High);
        assert_eq!(found[0].summary, "Entra ID Protection rated 1 sign-in(s) high risk (unfamiliarFeatures); state atRisk");
        assert_eq!(run(&EntraRisk, &[risky("medium", "remediated")], 0)[0].risk, Risk::Low);
        assert_eq!(run(&EntraRisk, &[risky("low", "confirmedCompromised")], 0)[0].risk, Risk::High);
    }

    #[test]
    fn hidden_and_none_are_not_verdicts() {
        assert!(run(&EntraRisk, &[risky("hidden", "none"), risky("none", "none")], 0).is_empty());
    }
}
