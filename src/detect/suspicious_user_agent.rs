//! `suspicious_user_agent`: sign-ins whose user agent is attacker tooling, an HTTP library, or a
//! legacy flow marker, with known benign system agents excluded.

use std::collections::BTreeMap;

use serde_json::json;

use super::common::{FAILED_PASSWORD_RIGHT, FAILED_WRONG_PASSWORD, failure_risk};
use super::{Declared, Detector, Doc, Finding, Risk, Role, UserContext, details};

/// Lowercase substrings of attacker tooling and scripting libraries, with their source
/// (LETHAL-FORENSICS Microsoft-Analyzer-Suite user-agent blacklist, Elastic detection-rules and
/// SigmaHQ rules).
pub const SUSPICIOUS_AGENTS: &[(&str, &str)] = &[
    ("aadinternals", "AADInternals"),
    ("azurehound", "AzureHound (BloodHound)"),
    ("bloodhound", "BloodHound"),
    ("sharphound", "SharpHound"),
    ("roadtools", "ROADtools"),
    ("roadrecon", "ROADrecon"),
    ("teamfiltration", "TeamFiltration"),
    ("teams/1.3.00.30866", "TeamFiltration (spoofed Teams/Electron 8.5.1)"),
    ("kali365", "Kali365 phishing kit"),
    ("bav2ropc", "BAV2ROPC legacy ROPC flow"),
    ("aconsumerv2ropc", "ROPC legacy flow"),
    ("cbainprod", "CBAinPROD legacy flow"),
    ("cbaintar", "CBAinTAR legacy flow"),
    ("python-requests", "python-requests"),
    ("python-urllib", "Python urllib"),
    ("python/", "Python HTTP client"),
    ("aiohttp", "aiohttp (ROADrecon)"),
    ("axios", "axios (Tycoon2FA / AiTM kits)"),
    ("node-fetch", "node-fetch"),
    ("undici", "undici (Node.js)"),
    ("go-http-client", "Go net/http"),
    ("go-resty", "go-resty"),
    ("guzzlehttp", "GuzzleHttp (PHP)"),
    ("okhttp", "OkHttp"),
    ("fasthttp", "fasthttp"),
    ("curl/", "curl"),
    ("wget/", "wget"),
    ("postmanruntime", "Postman"),
    ("powershell/", "PowerShell web cmdlets"),
    ("libwww-perl", "libwww-perl"),
    ("emclient", "eM Client (mailbox exfiltration client)"),
];

/// A success with tooling the user's baseline never shows: someone scripted against the account
/// (Sigma's AzureHound rule is high; Microsoft-Analyzer-Suite marks these red).
pub const SUCCESS_NEW: Risk = Risk::High;

/// The same agent on other baseline days: the account's own tooling or automation (Elastic's
/// new-terms rules alert on first use only); whether the place is odd is for the location and
/// device detectors to say.
pub const SUCCESS_KNOWN: Risk = Risk::Low;

/// Exact agents that look like libraries but are Microsoft's own (Elastic excludes them).
pub const BENIGN_AGENTS: &[&str] = &["mozilla/5.0 (compatible; msal 1.0) pkeyauth/1.0", "windows-azuread-authentication-provider/1.0"];

/// Microsoft's own admin tools, whose agents contain `python/` (Azure CLI) or `PowerShell/`:
/// an admin using them is not attacker tooling (their misuse shows as new location or device).
/// Microsoft-Analyzer-Suite lists AZURECLI/ only as a yellow, low-confidence marker.
pub const BENIGN_SUBSTRINGS: &[&str] = &["azurecli/", "azurepowershell/", "azure-cli/"];

/// The detector's id in every report.
pub const ID: &str = "suspicious_user_agent";

pub struct SuspiciousUserAgent;

/// The tool a user agent belongs to, if it is one of [`SUSPICIOUS_AGENTS`] (benign ones excluded).
pub fn classify(ua: &str) -> Option<&'static str> {
    let l = ua.to_ascii_lowercase();
    if BENIGN_AGENTS.iter().any(|b| l.trim() == *b) || BENIGN_SUBSTRINGS.iter().any(|b| l.contains(b)) {
        return None;
    }
    if l.trim() == "node" {
        return Some("node (Tycoon2FA)");
    }
    SUSPICIOUS_AGENTS.iter().find(|(p, _)| l.contains(p)).map(|(_, name)| *name)
}

impl Declared for SuspiciousUserAgent {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports:
                "user agents of attacker tooling and HTTP libraries (AzureHound, ROADtools, TeamFiltration, python-requests, axios...)"
                    .into(),
            threshold: format!(
                "any of {} listed agents; a success {}, {} when the same agent is in the baseline on other days; failures {}, {} when the password was right",
                SUSPICIOUS_AGENTS.len() + 1,
                SUCCESS_NEW.as_str(),
                SUCCESS_KNOWN.as_str(),
                FAILED_WRONG_PASSWORD.as_str(),
                FAILED_PASSWORD_RIGHT.as_str()
            ),
            sources: &[
                "LETHAL-FORENSICS Microsoft-Analyzer-Suite `EntraSignInLogs-Analyzer.ps1` user-agent blacklist",
                "Elastic detection-rules `rules/integrations/azure/` BloodHound, TeamFiltration and Tycoon2FA user-agent rules",
                "SigmaHQ sigma `rules/cloud/azure/signin_logs/` AzureHound and axios rules",
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

impl Detector for SuspiciousUserAgent {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let b = cx.baseline;
        // Grouped by tool, outcome and how established the agent is for this user.
        let mut groups: BTreeMap<(&'static str, bool, bool), Vec<usize>> = BTreeMap::new();
        for &i in cx.judged {
            let Some(ua) = r.user_agent.get(i) else { continue };
            let Some(tool) = classify(ua) else { continue };
            let own = b.own_day(r, i);
            groups.entry((tool, r.is_success(i), b.user_agents.vouches(ua, own))).or_default().push(i);
        }
        for ((tool, success, known), rows) in groups {
            let first = rows[0];
            let ua = r.user_agent.get(first).unwrap_or("");
            let ips: std::collections::BTreeSet<&str> = rows.iter().filter_map(|&i| r.ip.get(i)).collect();
            let risk = match (success, known) {
                (true, false) => SUCCESS_NEW,
                (true, true) => SUCCESS_KNOWN,
                (false, _) => failure_risk(r, &rows),
            };
            let summary = format!(
                "{} {} sign-in(s) from {}{} with the user agent of {tool}: {ua:?}{}",
                rows.len(),
                if success { "successful" } else { "failed" },
                r.ip.get(first).unwrap_or("unknown IP"),
                if ips.len() > 1 { format!(" and {} other IP(s)", ips.len() - 1) } else { String::new() },
                if known { "; the same agent is in the baseline on other days (the account's own tooling)" } else { "" }
            );
            out.push(cx.finding(
                self.id(),
                risk,
                &rows,
                summary,
                details([
                    ("tool", json!(tool)),
                    ("user_agent", json!(ua)),
                    ("success", json!(success)),
                    ("sign_ins", json!(rows.len())),
                    ("in_baseline", json!(known)),
                ]),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_tools_not_browsers() {
        assert_eq!(classify("python-requests/2.31.0"), Some("python-requests"));
        assert_eq!(classify("azurehound/v2.1.7"), Some("AzureHound (BloodHound)"));
        assert_eq!(
            classify("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
            None
        );
        assert_eq!(classify("Mozilla/5.0 (compatible; MSAL 1.0) PKeyAuth/1.0"), None);
        assert_eq!(classify("node"), Some("node (Tycoon2FA)"));
        assert_eq!(classify("python/3.11.8 (Windows-10-10.0.19045-SP0) AZURECLI/2.58.0 (MSI)"), None);
        assert_eq!(
            classify(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.3.00.30866 Chrome/80.0.3987.165 Electron/8.5.1 Safari/537.36"
            ),
            Some("TeamFiltration (spoofed Teams/Electron 8.5.1)")
        );
    }
}
