//! One table of source fields: each field of a sign-in, by its name in each export family, and the
//! [`Target`] it fills in a [`SignIn`]. Every format reader maps through it:
//!
//! * JSON (Graph, the PowerShell modules' JSON, Log Analytics rows, Azure Monitor `properties`):
//!   [`json_top`] / [`json_nested`], built from the Graph name ([`SourceField::graph`], camelCase),
//!   its PascalCase spelling, the v1 SDK's concatenated spelling of nested properties
//!   (`StatusErrorCode`), and the listed other spellings ([`SourceField::json`]);
//! * PowerShell CSV: the same names case-folded, dotted (`Status.ErrorCode`) or concatenated
//!   ([`powershell_top`], [`powershell_nested`]);
//! * the portal CSV: its column title ([`SourceField::portal`], [`portal`]).
//!
//! The table holds the fields that go straight into one record field. Structural keys (nested
//! objects and lists, the Azure Monitor envelope, Log Analytics fallbacks such as `TimeGenerated`)
//! are read by each format's own code around it. A test checks that every column declared as fed
//! from a record field (`crate::model::columns`) is reached from some entry.

use std::sync::OnceLock;

use crate::model::signin::{SignIn, Str};

/// The destination of one source value in a [`SignIn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A timestamp the header declares UTC (portal `Date (UTC)`, Log Analytics `… [UTC]`).
    TimeUtc,
    /// A timestamp without a declared zone (PowerShell culture dates, JSON `createdDateTime`):
    /// `--input-timezone` applies.
    TimeLocal,
    RequestId,
    UserPrincipalName,
    UserId,
    UserDisplayName,
    UserType,
    IsInteractive,
    EventType,
    Outcome,
    ErrorCode,
    FailureReason,
    AdditionalDetails,
    AppId,
    AppName,
    ResourceId,
    ResourceName,
    ServicePrincipalId,
    ServicePrincipalName,
    IpAddress,
    /// The portal's one-string location `"City, State, CC"` (formats.md §6.1).
    Location,
    City,
    State,
    Country,
    Latitude,
    Longitude,
    ClientAppUsed,
    AuthenticationProtocol,
    UserAgent,
    DeviceId,
    DeviceName,
    DeviceOs,
    DeviceBrowser,
    DeviceCompliant,
    DeviceManaged,
    DeviceTrustType,
    AuthenticationRequirement,
    MfaResult,
    MfaMethod,
    MfaDetail,
    ConditionalAccessStatus,
    RiskLevelAggregated,
    RiskLevelDuringSignIn,
    RiskState,
    RiskDetail,
    SessionId,
    UniqueTokenIdentifier,
    CorrelationId,
    OriginalRequestId,
    IncomingTokenType,
    TokenIssuerType,
    CrossTenantAccessType,
    OriginalTransferMethod,
    ClientCredentialType,
    HomeTenantId,
    ResourceTenantId,
    AutonomousSystemNumber,
}

impl Target {
    /// A field that tells where or what a sign-in came from or went to (it tells a broken sign-in
    /// from an unrelated object, `crate::ingest::json::classify`).
    pub fn is_context(self) -> bool {
        matches!(self, Target::AppName | Target::IpAddress | Target::ClientAppUsed | Target::UserAgent)
    }
}

/// The string field of a target that holds plain text; `None` for targets parsed into another type.
pub fn slot<'s, 'r>(rec: &'s mut SignIn<'r>, t: Target) -> Option<&'s mut Str<'r>> {
    use Target::*;
    Some(match t {
        RequestId => &mut rec.request_id,
        UserPrincipalName => &mut rec.user_principal_name,
        UserId => &mut rec.user_id,
        UserDisplayName => &mut rec.user_display_name,
        UserType => &mut rec.user_type,
        FailureReason => &mut rec.failure_reason,
        AdditionalDetails => &mut rec.additional_details,
        AppId => &mut rec.app_id,
        AppName => &mut rec.app_name,
        ResourceId => &mut rec.resource_id,
        ResourceName => &mut rec.resource_name,
        ServicePrincipalId => &mut rec.service_principal_id,
        ServicePrincipalName => &mut rec.service_principal_name,
        IpAddress => &mut rec.ip_address,
        City => &mut rec.city,
        State => &mut rec.state,
        Country => &mut rec.country,
        ClientAppUsed => &mut rec.client_app_used,
        AuthenticationProtocol => &mut rec.authentication_protocol,
        UserAgent => &mut rec.user_agent,
        DeviceId => &mut rec.device_id,
        DeviceName => &mut rec.device_name,
        DeviceOs => &mut rec.device_os,
        DeviceBrowser => &mut rec.device_browser,
        DeviceTrustType => &mut rec.device_trust_type,
        AuthenticationRequirement => &mut rec.authentication_requirement,
        MfaResult => &mut rec.mfa_result,
        MfaMethod => &mut rec.mfa_method,
        MfaDetail => &mut rec.mfa_detail,
        ConditionalAccessStatus => &mut rec.conditional_access_status,
        RiskLevelAggregated => &mut rec.risk_level_aggregated,
        RiskLevelDuringSignIn => &mut rec.risk_level_during_sign_in,
        RiskState => &mut rec.risk_state,
        RiskDetail => &mut rec.risk_detail,
        SessionId => &mut rec.session_id,
        UniqueTokenIdentifier => &mut rec.unique_token_identifier,
        CorrelationId => &mut rec.correlation_id,
        OriginalRequestId => &mut rec.original_request_id,
        IncomingTokenType => &mut rec.incoming_token_type,
        TokenIssuerType => &mut rec.token_issuer_type,
        CrossTenantAccessType => &mut rec.cross_tenant_access_type,
        OriginalTransferMethod => &mut rec.original_transfer_method,
        ClientCredentialType => &mut rec.client_credential_type,
        HomeTenantId => &mut rec.home_tenant_id,
        ResourceTenantId => &mut rec.resource_tenant_id,
        TimeUtc
        | TimeLocal
        | IsInteractive
        | EventType
        | Outcome
        | ErrorCode
        | Location
        | Latitude
        | Longitude
        | DeviceCompliant
        | DeviceManaged
        | AutonomousSystemNumber => return None,
    })
}

/// One source field.
#[derive(Debug, Clone, Copy)]
pub struct SourceField {
    pub target: Target,
    /// The Graph `signIn` property (camelCase), dotted below a complex property
    /// (`status.errorCode`, `location.geoCoordinates.latitude`); `None` if only a CSV has it.
    pub graph: Option<&'static str>,
    /// Other JSON spellings: the PowerShell modules' and Log Analytics' own names (`IPAddress`), the
    /// v1 SDK's shortened concatenations (`GeoCoordinatesLatitude`). PowerShell CSV reads them too.
    pub json: &'static [&'static str],
    /// The portal CSV column title, normalized (lowercase, single spaces).
    pub portal: Option<&'static str>,
}

const fn f(target: Target, graph: &'static str, portal: &'static str) -> SourceField {
    SourceField { target, graph: Some(graph), json: &[], portal: Some(portal) }
}

const fn graph(target: Target, graph: &'static str) -> SourceField {
    SourceField { target, graph: Some(graph), json: &[], portal: None }
}

const fn portal_only(target: Target, portal: &'static str) -> SourceField {
    SourceField { target, graph: None, json: &[], portal: Some(portal) }
}

/// Every source field (formats.md §1 Graph, §4–5 PowerShell, §6.1 portal, §8 Log Analytics). Portal
/// titles with no place in the model (`Latency`, `Home tenant name`, `Token issuer name`, Global
/// Secure Access columns...) are not listed.
pub const FIELDS: &[SourceField] = {
    use Target::*;
    &[
        graph(TimeLocal, "createdDateTime"),
        portal_only(TimeUtc, "date (utc)"),
        f(RequestId, "id", "request id"),
        f(UserDisplayName, "userDisplayName", "user"),
        f(UserPrincipalName, "userPrincipalName", "username"),
        f(UserId, "userId", "user id"),
        f(UserType, "userType", "user type"),
        graph(IsInteractive, "isInteractive"),
        portal_only(Outcome, "status"),
        f(ErrorCode, "status.errorCode", "sign-in error code"),
        f(FailureReason, "status.failureReason", "failure reason"),
        f(AdditionalDetails, "status.additionalDetails", "additional details"),
        f(AppId, "appId", "application id"),
        f(AppName, "appDisplayName", "application"),
        f(ResourceId, "resourceId", "resource id"),
        f(ResourceName, "resourceDisplayName", "resource"),
        f(ServicePrincipalId, "servicePrincipalId", "service principal id"),
        f(ServicePrincipalName, "servicePrincipalName", "service principal name"),
        SourceField { target: IpAddress, graph: Some("ipAddress"), json: &["IPAddress"], portal: Some("ip address") },
        portal_only(Location, "location"),
        graph(City, "location.city"),
        graph(State, "location.state"),
        graph(Country, "location.countryOrRegion"),
        SourceField {
            target: Latitude,
            graph: Some("location.geoCoordinates.latitude"),
            json: &["GeoCoordinatesLatitude", "GeoCoordinateLatitude", "LocationGeoCoordinateLatitude"],
            portal: None,
        },
        SourceField {
            target: Longitude,
            graph: Some("location.geoCoordinates.longitude"),
            json: &["GeoCoordinatesLongitude", "GeoCoordinateLongitude", "LocationGeoCoordinateLongitude"],
            portal: None,
        },
        f(ClientAppUsed, "clientAppUsed", "client app"),
        f(AuthenticationProtocol, "authenticationProtocol", "authentication protocol"),
        f(UserAgent, "userAgent", "user agent"),
        f(DeviceId, "deviceDetail.deviceId", "device id"),
        graph(DeviceName, "deviceDetail.displayName"),
        f(DeviceOs, "deviceDetail.operatingSystem", "operating system"),
        f(DeviceBrowser, "deviceDetail.browser", "browser"),
        f(DeviceCompliant, "deviceDetail.isCompliant", "compliant"),
        f(DeviceManaged, "deviceDetail.isManaged", "managed"),
        f(DeviceTrustType, "deviceDetail.trustType", "join type"),
        f(AuthenticationRequirement, "authenticationRequirement", "authentication requirement"),
        portal_only(MfaResult, "multifactor authentication result"),
        f(MfaMethod, "mfaDetail.authMethod", "multifactor authentication auth method"),
        f(MfaDetail, "mfaDetail.authDetail", "multifactor authentication auth detail"),
        f(ConditionalAccessStatus, "conditionalAccessStatus", "conditional access"),
        graph(RiskLevelAggregated, "riskLevelAggregated"),
        graph(RiskLevelDuringSignIn, "riskLevelDuringSignIn"),
        graph(RiskState, "riskState"),
        graph(RiskDetail, "riskDetail"),
        f(SessionId, "sessionId", "session id"),
        f(UniqueTokenIdentifier, "uniqueTokenIdentifier", "unique token identifier"),
        f(CorrelationId, "correlationId", "correlation id"),
        graph(OriginalRequestId, "originalRequestId"),
        f(IncomingTokenType, "incomingTokenType", "incoming token type"),
        f(TokenIssuerType, "tokenIssuerType", "token issuer type"),
        f(CrossTenantAccessType, "crossTenantAccessType", "cross tenant access type"),
        f(OriginalTransferMethod, "originalTransferMethod", "original transfer method"),
        f(ClientCredentialType, "clientCredentialType", "client credential type"),
        f(HomeTenantId, "homeTenantId", "home tenant id"),
        f(ResourceTenantId, "resourceTenantId", "resource tenant id"),
        f(AutonomousSystemNumber, "autonomousSystemNumber", "autonomous system number"),
    ]
};

/// A complex property whose members are source fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    Status,
    DeviceDetail,
    Location,
    /// `location.geoCoordinates`.
    GeoCoordinates,
    MfaDetail,
}

impl Parent {
    const ALL: [Parent; 5] = [Parent::Status, Parent::DeviceDetail, Parent::Location, Parent::GeoCoordinates, Parent::MfaDetail];

    /// The Graph path of the property.
    pub fn path(self) -> &'static str {
        match self {
            Parent::Status => "status",
            Parent::DeviceDetail => "deviceDetail",
            Parent::Location => "location",
            Parent::GeoCoordinates => "location.geoCoordinates",
            Parent::MfaDetail => "mfaDetail",
        }
    }
}

/// The JSON spellings of every source field, sorted for lookup (built once from [`FIELDS`]).
struct JsonKeys {
    /// Top-level names by length, then bytes: a key costs its length and a few comparisons.
    top: Vec<Vec<(Box<str>, Target)>>,
    /// Members of each [`Parent`] (camelCase and PascalCase), in [`Parent::ALL`] order.
    nested: [Vec<(Box<str>, Target)>; 5],
}

fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

/// Every top-level spelling of a field: camel and Pascal for a top-level property, the PascalCase
/// concatenation of a nested one (`StatusErrorCode`), and the listed other spellings.
fn top_spellings(field: &SourceField) -> Vec<String> {
    let mut out: Vec<String> = field.json.iter().map(|s| s.to_string()).collect();
    match field.graph {
        Some(g) if !g.contains('.') => {
            out.push(g.to_string());
            out.push(pascal(g));
        }
        Some(g) => out.push(g.split('.').map(pascal).collect()),
        None => {}
    }
    out
}

fn json_keys() -> &'static JsonKeys {
    static KEYS: OnceLock<JsonKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut top: Vec<Vec<(Box<str>, Target)>> = Vec::new();
        let mut nested: [Vec<(Box<str>, Target)>; 5] = Default::default();
        for field in FIELDS {
            for s in top_spellings(field) {
                if top.len() <= s.len() {
                    top.resize_with(s.len() + 1, Vec::new);
                }
                top[s.len()].push((s.into(), field.target));
            }
            let Some((parent, leaf)) = field.graph.and_then(|g| g.rsplit_once('.')) else { continue };
            if let Some(i) = Parent::ALL.iter().position(|p| p.path() == parent) {
                nested[i].push((leaf.into(), field.target));
                nested[i].push((pascal(leaf).into(), field.target));
            }
        }
        JsonKeys { top, nested }
    })
}

/// The target of a top-level JSON key (exact spelling).
pub fn json_top(key: &str) -> Option<Target> {
    let bucket = json_keys().top.get(key.len())?;
    bucket.iter().find(|(k, _)| k.as_bytes() == key.as_bytes()).map(|(_, t)| *t)
}

/// The target of a member of a JSON complex property (exact camelCase or PascalCase spelling).
pub fn json_nested(parent: Parent, key: &str) -> Option<Target> {
    let i = Parent::ALL.iter().position(|p| *p == parent)?;
    json_keys().nested[i].iter().find(|(k, _)| &**k == key).map(|(_, t)| *t)
}

/// The target of a top-level PowerShell CSV column (its header case-folded: `IPAddress` and
/// `IpAddress` alike), the v1 SDK's concatenations (`StatusErrorCode`) included.
pub fn powershell_top(name: &str) -> Option<Target> {
    FIELDS.iter().find(|f| top_spellings(f).iter().any(|s| s.eq_ignore_ascii_case(name))).map(|f| f.target)
}

/// The target of `key` inside `parent`'s value in a PowerShell cell or dotted header, where
/// `middle` is the nested object between them (`GeoCoordinates` in a location). Case-insensitive.
pub fn powershell_nested(parent: Parent, middle: Option<&str>, key: &str) -> Option<Target> {
    let prefix = parent.path();
    FIELDS
        .iter()
        .find(|f| {
            let Some(rest) = f.graph.and_then(|g| g.strip_prefix(prefix)).and_then(|r| r.strip_prefix('.')) else { return false };
            match (middle, rest.split_once('.')) {
                (None, None) => rest.eq_ignore_ascii_case(key),
                (Some(m), Some((gm, leaf))) => gm.eq_ignore_ascii_case(m) && leaf.eq_ignore_ascii_case(key),
                _ => false,
            }
        })
        .map(|f| f.target)
}

/// The target of a portal CSV column title (normalized).
pub fn portal(title: &str) -> Option<Target> {
    FIELDS.iter().find(|f| f.portal == Some(title)).map(|f| f.target)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::BTreeSet;

    use arrow_array::{Array, RecordBatch};

    use super::*;
    use crate::ingest::csv::target::set;
    use crate::model::TableBuilder;
    use crate::model::columns::{COLUMNS, Source};
    use crate::model::time::parse_time;

    fn row(base: &str, t: Option<Target>) -> RecordBatch {
        let mut r = SignIn { time: parse_time("2024-01-01T00:00:00Z", 0), ..Default::default() };
        match base {
            "user" => r.user_principal_name = Some(Cow::Borrowed("a@b.c")),
            _ => r.service_principal_name = Some(Cow::Borrowed("sp")),
        }
        if let Some(t) = t {
            let v = match t {
                Target::TimeUtc | Target::TimeLocal => "2024-01-02T00:00:00Z",
                Target::Location => "Paris, Ile-de-France, FR",
                Target::IsInteractive | Target::DeviceCompliant | Target::DeviceManaged => "true",
                Target::ErrorCode | Target::Latitude | Target::Longitude | Target::AutonomousSystemNumber => "7",
                Target::Outcome => "failure",
                _ => "x",
            };
            set(&mut r, t, Cow::Borrowed(v), 0);
            // Coordinates are kept in pairs.
            r.latitude = r.latitude.or(r.longitude);
            r.longitude = r.longitude.or(r.latitude);
        }
        let mut b = TableBuilder::new("f", "graph", 0);
        b.push(&r).unwrap();
        b.finish().unwrap().batch
    }

    fn filled(b: &RecordBatch) -> BTreeSet<String> {
        b.schema().fields().iter().zip(b.columns()).filter(|(_, c)| c.is_valid(0)).map(|(f, _)| f.name().clone()).collect()
    }

    /// Every column a record field feeds is reached from some source field of the table.
    #[test]
    fn every_fed_column_has_a_source_field() {
        let mut reached = BTreeSet::new();
        for base in ["user", "service principal"] {
            let before = filled(&row(base, None));
            for field in FIELDS {
                reached.extend(filled(&row(base, Some(field.target))).difference(&before).cloned());
            }
        }
        for c in COLUMNS {
            if let Source::Field { .. } = c.source {
                assert!(reached.contains(c.name), "column {} has no source field in ingest::fields::FIELDS", c.name);
            }
        }
    }

    #[test]
    fn spellings_of_each_family() {
        assert_eq!(json_top("ipAddress"), Some(Target::IpAddress));
        assert_eq!(json_top("IpAddress"), Some(Target::IpAddress));
        assert_eq!(json_top("IPAddress"), Some(Target::IpAddress));
        assert_eq!(json_top("ipaddress"), None, "JSON keys are exact");
        assert_eq!(json_top("StatusErrorCode"), Some(Target::ErrorCode));
        assert_eq!(json_top("LocationGeoCoordinatesLatitude"), Some(Target::Latitude));
        assert_eq!(json_top("status"), None, "complex properties are read by the format code");
        assert_eq!(json_nested(Parent::Status, "ErrorCode"), Some(Target::ErrorCode));
        assert_eq!(json_nested(Parent::GeoCoordinates, "longitude"), Some(Target::Longitude));
        assert_eq!(json_nested(Parent::Location, "latitude"), None);
        assert_eq!(powershell_top("ipaddress"), Some(Target::IpAddress));
        assert_eq!(powershell_top("geocoordinatelatitude"), Some(Target::Latitude));
        assert_eq!(powershell_nested(Parent::Location, Some("GEOCOORDINATES"), "latitude"), Some(Target::Latitude));
        assert_eq!(powershell_nested(Parent::DeviceDetail, None, "displayname"), Some(Target::DeviceName));
        assert_eq!(portal("join type"), Some(Target::DeviceTrustType));
        // No spelling names two targets.
        let mut seen = std::collections::HashMap::new();
        for f in FIELDS {
            for s in top_spellings(f) {
                assert_eq!(*seen.entry(s.to_ascii_lowercase()).or_insert(f.target), f.target, "{s}");
            }
        }
    }
}
