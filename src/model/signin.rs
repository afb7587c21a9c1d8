//! The normalized sign-in record as a parser fills it, before it becomes a row of the Arrow table.
//!
//! Every format module maps *its* field names onto [`SignIn`]; nothing downstream knows where a value
//! came from except through [`SourceRef`]. Strings borrow from the input wherever the format allows
//! (`Cow::Borrowed`), so a parser allocates only for values it had to unescape or rebuild.

use std::borrow::Cow;

use super::time::TimeValue;

/// An optional string value as parsers produce it.
pub type Str<'a> = Option<Cow<'a, str>>;

/// Which of Entra's four sign-in logs an event belongs to (Graph `signInEventTypes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventType {
    Interactive,
    NonInteractive,
    ServicePrincipal,
    ManagedIdentity,
}

impl EventType {
    pub const ALL: [EventType; 4] = [Self::Interactive, Self::NonInteractive, Self::ServicePrincipal, Self::ManagedIdentity];

    /// The Graph enum name, used in the table and every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interactive => "interactiveUser",
            Self::NonInteractive => "nonInteractiveUser",
            Self::ServicePrincipal => "servicePrincipal",
            Self::ManagedIdentity => "managedIdentity",
        }
    }

    /// Accepts the Graph enum, the Azure Monitor category, the Log Analytics table and the portal file
    /// prefix spellings (formats.md §13.6).
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        if let Some(SignInLog::Entra(e)) = sign_in_log(t) {
            return Some(e);
        }
        let eq = |a: &str| t.eq_ignore_ascii_case(a);
        if eq("interactiveUser") || eq("InteractiveSignIns") || eq("interactive") {
            Some(Self::Interactive)
        } else if eq("nonInteractiveUser") || eq("NonInteractiveSignIns") || eq("non-interactive") {
            Some(Self::NonInteractive)
        } else if eq("servicePrincipal") || eq("ApplicationSignIns") {
            Some(Self::ServicePrincipal)
        } else if eq("managedIdentity") || eq("MSISignIns") {
            Some(Self::ManagedIdentity)
        } else {
            None
        }
    }
}

/// A log that holds sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInLog {
    /// One of Entra ID's four sign-in logs: normalized and analysed.
    Entra(EventType),
    /// AD FS sign-ins (Connect Health): authentication at the on-premises federation server, not an
    /// Entra sign-in. Counted as records of another log, not analysed: their location, device and
    /// token fields are not Entra's, and mixing two identity providers would blur each user's
    /// baseline.
    Adfs,
}

/// Every name a record uses for a sign-in log: the diagnostic-settings categories
/// (https://learn.microsoft.com/entra/identity/monitoring-health/concept-diagnostic-settings-logs-options)
/// and the Log Analytics tables they land in (https://learn.microsoft.com/azure/azure-monitor/reference/tables/signinlogs,
/// `aadnoninteractiveusersigninlogs`, `aadserviceprincipalsigninlogs`, `aadmanagedidentitysigninlogs`,
/// `aadfirstpartytofirstpartysigninlogs` for `MicrosoftServicePrincipalSignInLogs`, `adfssigninlogs`).
/// Matched case-insensitively (`SignInLogs` is the category, `SigninLogs` the table). Every other
/// category (`AuditLogs`, `MicrosoftGraphActivityLogs`, `RiskyUsers`, `UserRiskEvents`,
/// `ProvisioningLogs`...) is not a sign-in log.
pub const SIGN_IN_LOGS: &[(&str, SignInLog)] = &[
    ("SignInLogs", SignInLog::Entra(EventType::Interactive)),
    ("NonInteractiveUserSignInLogs", SignInLog::Entra(EventType::NonInteractive)),
    ("AADNonInteractiveUserSignInLogs", SignInLog::Entra(EventType::NonInteractive)),
    ("ServicePrincipalSignInLogs", SignInLog::Entra(EventType::ServicePrincipal)),
    ("AADServicePrincipalSignInLogs", SignInLog::Entra(EventType::ServicePrincipal)),
    ("MicrosoftServicePrincipalSignInLogs", SignInLog::Entra(EventType::ServicePrincipal)),
    ("AADFirstPartyToFirstPartySignInLogs", SignInLog::Entra(EventType::ServicePrincipal)),
    ("ManagedIdentitySignInLogs", SignInLog::Entra(EventType::ManagedIdentity)),
    ("AADManagedIdentitySignInLogs", SignInLog::Entra(EventType::ManagedIdentity)),
    ("ADFSSignInLogs", SignInLog::Adfs),
];

/// The sign-in log a category or table name denotes.
pub fn sign_in_log(name: &str) -> Option<SignInLog> {
    let name = name.trim();
    SIGN_IN_LOGS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, l)| *l)
}

/// Outcome of a sign-in as the portal shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Success,
    Failure,
    Interrupted,
}

/// Error codes the portal shows as "Interrupted" rather than "Failure": the user was asked for
/// something (MFA, KMSI, consent, device auth) after the first factor. Source: Entra error-code
/// reference via research/peers.md §5 ("yes"/"yes*" rows that are interrupts) and formats.md §13.8.
pub const INTERRUPT_CODES: &[i32] =
    &[16000, 16001, 50058, 50072, 50074, 50076, 50079, 50097, 50125, 50140, 50143, 50158, 50199, 65001, 81010, 81012, 90095];

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("success") || t.eq_ignore_ascii_case("succeeded") {
            Some(Self::Success)
        } else if t.eq_ignore_ascii_case("failure") || t.eq_ignore_ascii_case("failed") {
            Some(Self::Failure)
        } else if t.eq_ignore_ascii_case("interrupted") {
            Some(Self::Interrupted)
        } else {
            None
        }
    }

    pub fn from_error_code(code: i32) -> Self {
        if code == 0 {
            Self::Success
        } else if INTERRUPT_CODES.contains(&code) {
            Self::Interrupted
        } else {
            Self::Failure
        }
    }
}

/// One step of `authenticationDetails`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthStep<'a> {
    pub time: Option<i64>,
    pub method: Str<'a>,
    pub method_detail: Str<'a>,
    pub succeeded: Option<bool>,
    pub result_detail: Str<'a>,
    pub requirement: Str<'a>,
}

/// One entry of `appliedConditionalAccessPolicies`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaPolicy<'a> {
    pub id: Str<'a>,
    pub name: Str<'a>,
    pub result: Str<'a>,
    /// `enforcedGrantControls` joined with `,`.
    pub grant_controls: Str<'a>,
}

/// Where a record came from inside its file: the one numbering every report uses.
///
/// `offset` is the first byte of the record itself (its `{`, its `[`, the first byte of its CSV
/// row or JSON line), counted in the decoded input (for an archive member or a compressed file: in
/// the decompressed member). `record` is the record's 1-based ordinal within that input, counting
/// every record read from it: normalized, rejected and not-a-sign-in alike. `line` is the 1-based
/// line the record starts on, where the format has lines (CSV rows, JSON lines).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceRef {
    pub offset: u64,
    pub record: u64,
    pub line: Option<u64>,
}

impl std::fmt::Display for SourceRef {
    /// `record 7, line 9, byte 1234` (the line only where the format has lines).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "record {}, line {l}, byte {}", self.record, self.offset),
            None => write!(f, "record {}, byte {}", self.record, self.offset),
        }
    }
}

/// A sign-in as a parser produced it. Fields left `None` are missing from the source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignIn<'a> {
    pub time: Option<TimeValue>,
    pub request_id: Str<'a>,
    pub user_principal_name: Str<'a>,
    pub user_id: Str<'a>,
    pub user_display_name: Str<'a>,
    pub user_type: Str<'a>,
    pub event_type: Option<EventType>,
    pub is_interactive: Option<bool>,
    /// Explicit outcome text (portal `Status`, UAL `ResultStatus`); otherwise derived from the code.
    pub outcome: Option<Outcome>,
    pub error_code: Option<i32>,
    pub failure_reason: Str<'a>,
    pub additional_details: Str<'a>,
    pub app_id: Str<'a>,
    pub app_name: Str<'a>,
    pub resource_id: Str<'a>,
    pub resource_name: Str<'a>,
    pub service_principal_id: Str<'a>,
    pub service_principal_name: Str<'a>,
    pub ip_address: Str<'a>,
    pub city: Str<'a>,
    pub state: Str<'a>,
    pub country: Str<'a>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub client_app_used: Str<'a>,
    pub authentication_protocol: Str<'a>,
    pub user_agent: Str<'a>,
    pub device_id: Str<'a>,
    pub device_name: Str<'a>,
    pub device_os: Str<'a>,
    pub device_browser: Str<'a>,
    pub device_compliant: Option<bool>,
    pub device_managed: Option<bool>,
    pub device_trust_type: Str<'a>,
    pub authentication_requirement: Str<'a>,
    /// Portal CSV `Multifactor authentication result` / legacy `mfaDetail`.
    pub mfa_result: Str<'a>,
    pub mfa_method: Str<'a>,
    pub mfa_detail: Str<'a>,
    pub auth_details: Vec<AuthStep<'a>>,
    pub conditional_access_status: Str<'a>,
    pub ca_policies: Vec<CaPolicy<'a>>,
    pub risk_level_aggregated: Str<'a>,
    pub risk_level_during_sign_in: Str<'a>,
    pub risk_state: Str<'a>,
    pub risk_detail: Str<'a>,
    pub risk_event_types: Vec<Cow<'a, str>>,
    pub session_id: Str<'a>,
    pub unique_token_identifier: Str<'a>,
    pub correlation_id: Str<'a>,
    pub original_request_id: Str<'a>,
    pub incoming_token_type: Str<'a>,
    pub token_issuer_type: Str<'a>,
    pub cross_tenant_access_type: Str<'a>,
    pub original_transfer_method: Str<'a>,
    pub client_credential_type: Str<'a>,
    pub home_tenant_id: Str<'a>,
    pub resource_tenant_id: Str<'a>,
    pub autonomous_system_number: Option<u32>,
    /// Names of source fields that were present but whose content the export destroyed (a
    /// PowerShell type name such as `Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus`
    /// where an object was expected). They are missing, not garbage.
    pub lost_fields: Vec<&'static str>,
    pub source: SourceRef,
}

impl<'a> SignIn<'a> {
    /// Reset for reuse while keeping the vectors' capacity.
    pub fn clear(&mut self) {
        let mut auth = std::mem::take(&mut self.auth_details);
        let mut ca = std::mem::take(&mut self.ca_policies);
        let mut risk = std::mem::take(&mut self.risk_event_types);
        let mut lost = std::mem::take(&mut self.lost_fields);
        auth.clear();
        ca.clear();
        risk.clear();
        lost.clear();
        *self = SignIn { auth_details: auth, ca_policies: ca, risk_event_types: risk, lost_fields: lost, ..Default::default() };
    }

    /// Mark a field as present-but-destroyed by the export (see [`SignIn::lost_fields`]).
    pub fn mark_lost(&mut self, field: &'static str) {
        if !self.lost_fields.contains(&field) {
            self.lost_fields.push(field);
        }
    }
}

/// Values that mean "no value" in one export or another (formats.md §11 "Nulls / empties").
pub fn is_empty_value(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "[]" || t == "{}" || t == "null" || t == "\"\""
}

/// Parse a boolean the way the exports write them: `true`/`True`/`TRUE`, `Yes`, `1`.
pub fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("yes") || t == "1" {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") || t.eq_ignore_ascii_case("no") || t == "0" {
        Some(false)
    } else {
        None
    }
}

/// A .NET type name standing where data was (`System.Object[]`, `Microsoft.Graph...Models.X`,
/// `System.Collections.Generic.List`1[...]`): the export lost the value.
pub fn is_type_name(s: &str) -> bool {
    let t = s.trim();
    t.starts_with("System.")
        || t.starts_with("Microsoft.Graph.")
        || t.starts_with("Microsoft.Open.")
        || t.starts_with("Microsoft.Graph.Beta.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_type_spellings() {
        for (s, e) in [
            ("interactiveUser", EventType::Interactive),
            ("SignInLogs", EventType::Interactive),
            ("AADNonInteractiveUserSignInLogs", EventType::NonInteractive),
            ("MicrosoftServicePrincipalSignInLogs", EventType::ServicePrincipal),
            ("MSISignIns", EventType::ManagedIdentity),
        ] {
            assert_eq!(EventType::parse(s), Some(e), "{s}");
        }
        assert_eq!(EventType::parse("ADFSSignInLogs"), None);
        assert_eq!(sign_in_log("adfssigninlogs"), Some(SignInLog::Adfs));
        assert_eq!(sign_in_log("AuditLogs"), None);
        // Every sign-in log name resolves to itself, so one table serves categories and tables alike.
        for (n, l) in SIGN_IN_LOGS {
            assert_eq!(sign_in_log(n), Some(*l), "{n}");
        }
    }

    #[test]
    fn outcome_from_code() {
        assert_eq!(Outcome::from_error_code(0), Outcome::Success);
        assert_eq!(Outcome::from_error_code(50126), Outcome::Failure);
        assert_eq!(Outcome::from_error_code(50140), Outcome::Interrupted);
    }

    #[test]
    fn empties_and_type_names() {
        assert!(is_empty_value(" [] "));
        assert!(!is_empty_value("x"));
        assert!(is_type_name("System.Collections.Generic.List`1[Microsoft.Open.MSGraph.Model.AppliedConditionalAccessPolicy]"));
        assert!(is_type_name("Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus"));
        assert!(!is_type_name("Mozilla/5.0"));
    }

    #[test]
    fn source_positions_read_the_same_everywhere() {
        assert_eq!(SourceRef { offset: 17, record: 2, line: None }.to_string(), "record 2, byte 17");
        assert_eq!(SourceRef { offset: 0, record: 1, line: Some(2) }.to_string(), "record 1, line 2, byte 0");
    }

    #[test]
    fn clear_keeps_capacity() {
        let mut r = SignIn::default();
        r.risk_event_types.push(Cow::Borrowed("x"));
        r.request_id = Some(Cow::Borrowed("id"));
        r.clear();
        assert!(r.request_id.is_none() && r.risk_event_types.is_empty() && r.risk_event_types.capacity() >= 1);
    }
}
