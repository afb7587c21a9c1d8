//! Helpers several detectors share, so each rule is written once: how a group of sign-ins is rated
//! (failed / succeeded / succeeded into a sensitive app), which sign-in a finding cites first, how
//! IP lists are shown, and how a failure is rated by whether the password was right (the error
//! codes themselves are declared once, in [`super::credentials`]).

use std::collections::BTreeSet;

use super::credentials::{Credential, classify};
use super::{Risk, UserContext};
use crate::baseline::{block_key, carrier_key, network};
use crate::model::view::Rows;

/// Apps whose compromise matters most: admin portals and shells, and the broker used to register
/// devices and mint PRTs (the ids Elastic detection-rules and Microsoft-Analyzer-Suite key on).
/// Matched against app id or display name.
pub const SENSITIVE_APPS: &[&str] = &[
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", // Azure Portal
    "1950a258-227b-4e31-a9cf-717495945fc2", // Microsoft Azure PowerShell
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46", // Microsoft Azure CLI
    "1b730954-1685-4b74-9bfd-dac224a7b894", // Azure Active Directory PowerShell
    "a0c73c16-a7e3-4564-9a95-2bdf47383716", // Exchange Online PowerShell
    "14d82eec-204b-4c2f-b7e8-296a70dab67e", // Microsoft Graph PowerShell / Command Line Tools
    "de8bc8b5-d9f9-48b1-a8ad-b748da725064", // Graph Explorer
    "29d9ed98-a469-4536-ade2-f981bc1d605e", // Microsoft Authentication Broker
    "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", // Device Registration Service
    "aebc6443-996d-45c2-90f0-388ff96faa56", // Visual Studio Code (FOCI pivots)
];

/// Display names of the same apps, for exports without app ids.
pub const SENSITIVE_APP_NAMES: &[&str] = &[
    "azure portal",
    "microsoft azure powershell",
    "microsoft azure cli",
    "azure active directory powershell",
    "exchange online powershell",
    "microsoft graph command line tools",
    "graph explorer",
    "microsoft authentication broker",
    "device registration service",
];

/// The rating of a group of unfamiliar sign-ins (a new place, a new device) by how far they got:
/// failures only are someone trying (Microsoft Defender for Cloud Apps and Entra ID Protection's
/// location detections ignore failed sign-ins); a success is a session; a success into an admin
/// tool or the device-registration broker is a session with the keys to the tenant.
pub const FAILED_ONLY: Risk = Risk::Low;
pub const SUCCEEDED: Risk = Risk::Medium;
pub const SUCCEEDED_SENSITIVE: Risk = Risk::High;

/// How a group of sign-ins went.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The successful ones, in the group's order.
    pub successes: Vec<usize>,
    /// Whether a success reached a sensitive app.
    pub sensitive: bool,
    /// [`FAILED_ONLY`], [`SUCCEEDED`] or [`SUCCEEDED_SENSITIVE`].
    pub risk: Risk,
    /// The sign-in the finding is about: the first success, else the first attempt.
    pub key: usize,
}

impl Outcome {
    pub fn of(cx: &UserContext<'_>, rows: &[usize]) -> Outcome {
        let successes: Vec<usize> = rows.iter().copied().filter(|&i| cx.rows.is_success(i)).collect();
        let sensitive = successes.iter().any(|&i| cx.sensitive_app(i));
        let risk = match (successes.is_empty(), sensitive) {
            (true, _) => FAILED_ONLY,
            (false, false) => SUCCEEDED,
            (false, true) => SUCCEEDED_SENSITIVE,
        };
        let key = successes.first().copied().or(rows.first().copied()).unwrap_or(0);
        Outcome { successes, sensitive, risk, key }
    }

    /// The group with the key sign-in first (a finding cites its key sign-in first).
    pub fn cited(&self, rows: &[usize]) -> Vec<usize> {
        key_first(self.key, rows)
    }
}

/// `rows` with `key` moved to the front.
pub fn key_first(key: usize, rows: &[usize]) -> Vec<usize> {
    let mut cited = vec![key];
    cited.extend(rows.iter().copied().filter(|&i| i != key));
    cited
}

/// Whether row `i` came from the user's own device: one the organization manages or marked
/// compliant, or a device id the baseline knows (never by the row's own day). Entra takes the
/// device id and these flags from the device's own credential, unlike a user agent, which any
/// client can copy.
pub fn own_device(cx: &UserContext<'_>, i: usize) -> bool {
    let r = cx.rows;
    r.managed(i) == Some(true)
        || r.compliant(i) == Some(true)
        || r.device_id.get(i).is_some_and(|d| cx.baseline.devices.vouches(&d.to_ascii_lowercase(), cx.baseline.own_day(r, i)))
}

/// How the place (network) of a sign-in is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Familiar {
    /// Several users of the organization use the network ([`crate::baseline::TenantProfile`]).
    Organization,
    /// The user's baseline has the network.
    UserNetwork,
    /// The user's baseline has the same address block in the same city: a carrier's rotating pool,
    /// a renumbered home connection.
    UserBlock,
    /// A network classified as a mobile carrier whose ASN the user's baseline has at the same
    /// gateway city: the user's phone on the next address of its carrier's pool.
    UserCarrier,
    /// The user's own device signed in successfully from the network within [`PRESENCE_HOURS`].
    OwnDevicePresence,
}

impl Familiar {
    pub fn as_str(self) -> &'static str {
        match self {
            Familiar::Organization => "a network several users of the organization use",
            Familiar::UserNetwork => "a network of the user's baseline",
            Familiar::UserBlock => "the user's own address block in that city",
            Familiar::UserCarrier => "the user's own mobile carrier at that gateway",
            Familiar::OwnDevicePresence => "a network the user's own device signed in from",
        }
    }
}

/// A network the user's own device signed in from this many hours before or after a sign-in is
/// where the user is (a hotel on a business trip): the phone's sign-ins from there are the user's.
pub const PRESENCE_HOURS: i64 = 24;

/// How the network of row `i` is known to the user or the organization, if it is (a sign-in is
/// never its own evidence).
pub fn familiar_place(cx: &UserContext<'_>, i: usize) -> Option<Familiar> {
    let r = cx.rows;
    let ip = r.ip.get(i)?;
    let own = cx.baseline.own_day(r, i);
    let net = network(ip);
    if cx.tenant.common_network(ip) {
        return Some(Familiar::Organization);
    }
    if cx.baseline.networks.vouches(&net, own) {
        return Some(Familiar::UserNetwork);
    }
    if block_key(r, i).is_some_and(|k| cx.baseline.blocks.vouches(&k, own)) {
        return Some(Familiar::UserBlock);
    }
    if carrier_key(r, i, cx.net).is_some_and(|k| cx.baseline.carriers.vouches(&k, own)) {
        return Some(Familiar::UserCarrier);
    }
    let t = r.time(i);
    let window = PRESENCE_HOURS * 3_600_000_000;
    let times = r.times();
    let from = times.partition_point(|&x| x < t - window);
    let to = times.partition_point(|&x| x <= (t + window).min(cx.as_of));
    // The cheap tests first: most rows around a sign-in are not the user's own device's successes.
    (from..to)
        .any(|j| j != i && r.is_success(j) && own_device(cx, j) && r.ip.get(j).is_some_and(|x| network(x) == net))
        .then_some(Familiar::OwnDevicePresence)
}

/// The fact (see [`crate::detect::Finding::facts`]) of a sign-in from hosting or anonymizing
/// infrastructure, by network: `token_replay` and `new_location` both rate it, once.
pub fn infrastructure_fact(ip: &str) -> String {
    format!("infrastructure:{}", network(ip))
}

/// IP addresses shown in a summary before "and N more".
pub const SHOWN_IPS: usize = 3;

/// "203.0.113.1, 203.0.113.2 and 5 more IPs"
pub fn list_ips(ips: &BTreeSet<&str>) -> String {
    if ips.is_empty() {
        return "unknown IPs".into();
    }
    let shown: Vec<&str> = ips.iter().copied().take(SHOWN_IPS).collect();
    let rest = ips.len() - shown.len();
    if rest == 0 { shown.join(", ") } else { format!("{} and {rest} more IPs", shown.join(", ")) }
}

/// The rating of failed attempts by what they prove: a wrong password (50126, a lockout) is the
/// background noise every tenant collects from the internet, reported low; a failure after the
/// password was accepted ([`Credential::Verified`]: the codes of
/// [`super::credentials::PASSWORD_VERIFIED_CODES`]) means someone has the password: medium
/// (Microsoft Sentinel `NewCountryValidCreds.yaml` resets credentials on exactly that).
pub const FAILED_WRONG_PASSWORD: Risk = Risk::Low;
pub const FAILED_PASSWORD_RIGHT: Risk = Risk::Medium;

/// [`FAILED_PASSWORD_RIGHT`] when any of `rows` failed after the password was accepted, else
/// [`FAILED_WRONG_PASSWORD`].
pub fn failure_risk(rows: &Rows<'_>, group: &[usize]) -> Risk {
    if group.iter().any(|&i| password_was_right(rows, i)) { FAILED_PASSWORD_RIGHT } else { FAILED_WRONG_PASSWORD }
}

/// Whether row `i` failed after the password was accepted ([`Credential::Verified`]).
pub fn password_was_right(rows: &Rows<'_>, i: usize) -> bool {
    classify(rows, i) == Some(Credential::Verified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_lists() {
        let ips: BTreeSet<&str> = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"].into_iter().collect();
        assert_eq!(list_ips(&ips), "192.0.2.1, 192.0.2.2, 192.0.2.3 and 1 more IPs");
        assert_eq!(list_ips(&Default::default()), "unknown IPs");
    }
}
