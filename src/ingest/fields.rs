//! One table of source fields: each field of a sign-in, by its name in each export family, and the
//! [`Target`] it fills in a [`SignIn`]. Every format reader maps through it:
//!
//! * JSON (Graph, the PowerShell modules' JSON, Log Analytics rows, Azure Monitor `properties`):
//!   [`json_key`] / [`json_nested`], `match`es generated from the table's JSON spellings
//!   ([`SourceField::json`]: the Graph name, its PascalCase, the v1 SDK's concatenation of a nested
//!   property such as `StatusErrorCode`, other modules' names), checked by a test against the
//!   Graph path ([`SourceField::graph`]);
//! * PowerShell CSV: the same names case-folded, dotted (`Status.ErrorCode`) or concatenated
//!   ([`powershell_top`], [`powershell_nested`]);
//! * the portal CSV: its column title ([`SourceField::portal`], [`portal`]).
//!
//! The table holds the fields that go straight into one record field. Structural keys (nested
//! objects and lists, the Azure Monitor envelope, Log Analytics fallbacks such as `TimeGenerated`)
//! are listed beside it as [`Structure`] keys, so one key match serves JSON, and read by each
//! format's own code. A test checks that every column declared as fed
//! from a record field (`crate::model::columns`) is reached from some entry.

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
#[inline(always)]
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
    /// Every top-level JSON spelling: the Graph name and its PascalCase (the PowerShell modules,
    /// Log Analytics), the v1 SDK's concatenation of a nested property (`StatusErrorCode`,
    /// `GeoCoordinatesLatitude`), other modules' names (`IPAddress`). PowerShell CSV headers are
    /// these case-folded.
    pub json: &'static [&'static str],
    /// The portal CSV column title, normalized (lowercase, single spaces).
    pub portal: Option<&'static str>,
}

macro_rules! optional {
    () => {
        None
    };
    ($v:literal) => {
        Some($v)
    };
}

/// Expands the table into [`FIELDS`] and the JSON key matches ([`json_key`], [`json_nested`]):
/// `match`es on the spellings, which the compiler turns into a switch on the length and a few
/// comparisons of constant-length bytes (the hot path of JSON ingest: every key of every record).
macro_rules! source_fields {
    (
        fields { $( $t:ident $([$($json:literal),+])? $(graph $g:literal)? $(portal $p:literal)?; )* }
        nested { $( $parent:ident $leaf:literal | $pleaf:literal => $nt:ident; )* }
        structure { $( $($sk:literal)|+ => $s:ident; )* }
    ) => {
        /// Every source field (formats.md §1 Graph, §4–5 PowerShell, §6.1 portal, §8 Log Analytics).
        /// Portal titles with no place in the model (`Latency`, `Home tenant name`, `Token issuer
        /// name`, Global Secure Access columns...) are not listed.
        pub const FIELDS: &[SourceField] = &[$(
            SourceField { target: Target::$t, graph: optional!($($g)?), json: &[$($($json),+)?], portal: optional!($($p)?) },
        )*];

        /// What a top-level JSON key is (exact spelling): a source field, or a key the JSON reader
        /// reads in its own way.
        #[inline(always)]
        pub fn json_key(key: &str) -> Option<JsonKey> {
            match key {
                $($( $($json)|+ => Some(JsonKey::Field(Target::$t)), )?)*
                $( $($sk)|+ => Some(JsonKey::Structure(Structure::$s)), )*
                _ => None,
            }
        }

        /// The target of a member of a JSON complex property (exact camelCase or PascalCase
        /// spelling; a test checks them against the Graph paths of [`FIELDS`]).
        #[inline(always)]
        pub fn json_nested(parent: Parent, key: &str) -> Option<Target> {
            match (parent, key) {
                $( (Parent::$parent, $leaf | $pleaf) => Some(Target::$nt), )*
                _ => None,
            }
        }
    };
}

// Each field: its target, [every top-level JSON spelling: Graph camelCase and PascalCase, the v1
// SDK's concatenation of a nested property, the modules' own names], its Graph path, its portal title.
source_fields! {
    fields {
        TimeLocal ["createdDateTime", "CreatedDateTime"] graph "createdDateTime";
        TimeUtc portal "date (utc)";
        RequestId ["id", "Id"] graph "id" portal "request id";
        UserDisplayName ["userDisplayName", "UserDisplayName"] graph "userDisplayName" portal "user";
        UserPrincipalName ["userPrincipalName", "UserPrincipalName"] graph "userPrincipalName" portal "username";
        UserId ["userId", "UserId"] graph "userId" portal "user id";
        UserType ["userType", "UserType"] graph "userType" portal "user type";
        IsInteractive ["isInteractive", "IsInteractive"] graph "isInteractive";
        Outcome portal "status";
        ErrorCode ["StatusErrorCode"] graph "status.errorCode" portal "sign-in error code";
        FailureReason ["StatusFailureReason"] graph "status.failureReason" portal "failure reason";
        AdditionalDetails ["StatusAdditionalDetails"] graph "status.additionalDetails" portal "additional details";
        AppId ["appId", "AppId"] graph "appId" portal "application id";
        AppName ["appDisplayName", "AppDisplayName"] graph "appDisplayName" portal "application";
        ResourceId ["resourceId", "ResourceId"] graph "resourceId" portal "resource id";
        ResourceName ["resourceDisplayName", "ResourceDisplayName"] graph "resourceDisplayName" portal "resource";
        ServicePrincipalId ["servicePrincipalId", "ServicePrincipalId"] graph "servicePrincipalId" portal "service principal id";
        ServicePrincipalName ["servicePrincipalName", "ServicePrincipalName"] graph "servicePrincipalName" portal "service principal name";
        IpAddress ["ipAddress", "IpAddress", "IPAddress"] graph "ipAddress" portal "ip address";
        Location portal "location";
        City ["LocationCity"] graph "location.city";
        State ["LocationState"] graph "location.state";
        Country ["LocationCountryOrRegion"] graph "location.countryOrRegion";
        Latitude ["LocationGeoCoordinatesLatitude", "GeoCoordinatesLatitude", "GeoCoordinateLatitude", "LocationGeoCoordinateLatitude"] graph "location.geoCoordinates.latitude";
        Longitude ["LocationGeoCoordinatesLongitude", "GeoCoordinatesLongitude", "GeoCoordinateLongitude", "LocationGeoCoordinateLongitude"] graph "location.geoCoordinates.longitude";
        ClientAppUsed ["clientAppUsed", "ClientAppUsed"] graph "clientAppUsed" portal "client app";
        AuthenticationProtocol ["authenticationProtocol", "AuthenticationProtocol"] graph "authenticationProtocol" portal "authentication protocol";
        UserAgent ["userAgent", "UserAgent"] graph "userAgent" portal "user agent";
        DeviceId ["DeviceDetailDeviceId"] graph "deviceDetail.deviceId" portal "device id";
        DeviceName ["DeviceDetailDisplayName"] graph "deviceDetail.displayName";
        DeviceOs ["DeviceDetailOperatingSystem"] graph "deviceDetail.operatingSystem" portal "operating system";
        DeviceBrowser ["DeviceDetailBrowser"] graph "deviceDetail.browser" portal "browser";
        DeviceCompliant ["DeviceDetailIsCompliant"] graph "deviceDetail.isCompliant" portal "compliant";
        DeviceManaged ["DeviceDetailIsManaged"] graph "deviceDetail.isManaged" portal "managed";
        DeviceTrustType ["DeviceDetailTrustType"] graph "deviceDetail.trustType" portal "join type";
        AuthenticationRequirement ["authenticationRequirement", "AuthenticationRequirement"] graph "authenticationRequirement" portal "authentication requirement";
        MfaResult portal "multifactor authentication result";
        MfaMethod ["MfaDetailAuthMethod"] graph "mfaDetail.authMethod" portal "multifactor authentication auth method";
        MfaDetail ["MfaDetailAuthDetail"] graph "mfaDetail.authDetail" portal "multifactor authentication auth detail";
        ConditionalAccessStatus ["conditionalAccessStatus", "ConditionalAccessStatus"] graph "conditionalAccessStatus" portal "conditional access";
        RiskLevelAggregated ["riskLevelAggregated", "RiskLevelAggregated"] graph "riskLevelAggregated";
        RiskLevelDuringSignIn ["riskLevelDuringSignIn", "RiskLevelDuringSignIn"] graph "riskLevelDuringSignIn";
        RiskState ["riskState", "RiskState"] graph "riskState";
        RiskDetail ["riskDetail", "RiskDetail"] graph "riskDetail";
        SessionId ["sessionId", "SessionId"] graph "sessionId" portal "session id";
        UniqueTokenIdentifier ["uniqueTokenIdentifier", "UniqueTokenIdentifier"] graph "uniqueTokenIdentifier" portal "unique token identifier";
        CorrelationId ["correlationId", "CorrelationId"] graph "correlationId" portal "correlation id";
        OriginalRequestId ["originalRequestId", "OriginalRequestId"] graph "originalRequestId";
        IncomingTokenType ["incomingTokenType", "IncomingTokenType"] graph "incomingTokenType" portal "incoming token type";
        TokenIssuerType ["tokenIssuerType", "TokenIssuerType"] graph "tokenIssuerType" portal "token issuer type";
        CrossTenantAccessType ["crossTenantAccessType", "CrossTenantAccessType"] graph "crossTenantAccessType" portal "cross tenant access type";
        OriginalTransferMethod ["originalTransferMethod", "OriginalTransferMethod"] graph "originalTransferMethod" portal "original transfer method";
        ClientCredentialType ["clientCredentialType", "ClientCredentialType"] graph "clientCredentialType" portal "client credential type";
        HomeTenantId ["homeTenantId", "HomeTenantId"] graph "homeTenantId" portal "home tenant id";
        ResourceTenantId ["resourceTenantId", "ResourceTenantId"] graph "resourceTenantId" portal "resource tenant id";
        AutonomousSystemNumber ["autonomousSystemNumber", "AutonomousSystemNumber"] graph "autonomousSystemNumber" portal "autonomous system number";
    }
    nested {
        Status "errorCode" | "ErrorCode" => ErrorCode;
        Status "failureReason" | "FailureReason" => FailureReason;
        Status "additionalDetails" | "AdditionalDetails" => AdditionalDetails;
        Location "city" | "City" => City;
        Location "state" | "State" => State;
        Location "countryOrRegion" | "CountryOrRegion" => Country;
        GeoCoordinates "latitude" | "Latitude" => Latitude;
        GeoCoordinates "longitude" | "Longitude" => Longitude;
        DeviceDetail "deviceId" | "DeviceId" => DeviceId;
        DeviceDetail "displayName" | "DisplayName" => DeviceName;
        DeviceDetail "operatingSystem" | "OperatingSystem" => DeviceOs;
        DeviceDetail "browser" | "Browser" => DeviceBrowser;
        DeviceDetail "isCompliant" | "IsCompliant" => DeviceCompliant;
        DeviceDetail "isManaged" | "IsManaged" => DeviceManaged;
        DeviceDetail "trustType" | "TrustType" => DeviceTrustType;
        MfaDetail "authMethod" | "AuthMethod" => MfaMethod;
        MfaDetail "authDetail" | "AuthDetail" => MfaDetail;
    }
    structure {
        "time" | "TimeGenerated" => Time;
        "identity" | "Identity" => Identity;
        "callerIpAddress" => CallerIp;
        "ResourceIdentity" => ResourceIdentity;
        "riskEventTypes_v2" | "RiskEventTypes_V2" | "RiskEventTypesV2" => RiskEventTypesV2;
        "riskEventTypes" | "RiskEventTypes" => RiskEventTypes;
        "status" | "Status" => Status;
        "deviceDetail" | "DeviceDetail" => DeviceDetail;
        "location" | "Location" => Location;
        "LocationDetails" => LocationDetails;
        "appliedConditionalAccessPolicies" | "AppliedConditionalAccessPolicies" | "ConditionalAccessPolicies" => CaPolicies;
        "authenticationDetails" | "AuthenticationDetails" => AuthDetails;
        "signInEventTypes" | "SignInEventTypes" => SignInEventTypes;
        "category" | "Category" => Category;
        "Type" => Type;
        "mfaDetail" | "MfaDetail" => MfaDetail;
        "resultType" | "ResultType" => ResultType;
        "resultDescription" | "ResultDescription" => ResultDescription;
        "properties" => Properties;
        "AdditionalProperties" => AdditionalProperties;
    }
}

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
    #[cfg(test)]
    const ALL: [Parent; 5] = [Parent::Status, Parent::DeviceDetail, Parent::Location, Parent::GeoCoordinates, Parent::MfaDetail];

    /// The property whose Graph path is `path`.
    #[cfg(test)]
    fn of_path(path: &str) -> Option<Parent> {
        Parent::ALL.into_iter().find(|p| p.path() == path)
    }

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

/// A top-level JSON key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKey {
    /// A source field of [`FIELDS`].
    Field(Target),
    /// A key of the record's structure.
    Structure(Structure),
}

/// Top-level JSON keys that are not one source field: complex properties and lists, the Azure
/// Monitor envelope, Log Analytics' fallback columns. `crate::ingest::json::record` reads each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// Azure Monitor `time` / Log Analytics `TimeGenerated`: the time when `createdDateTime` is absent.
    Time,
    /// Log Analytics `Identity`: the display name when `userDisplayName` is absent.
    Identity,
    /// Azure Monitor `callerIpAddress`: the IP when `ipAddress` is absent.
    CallerIp,
    /// Log Analytics `ResourceIdentity`: the resource app id.
    ResourceIdentity,
    RiskEventTypesV2,
    RiskEventTypes,
    Status,
    DeviceDetail,
    /// Graph's `location` object, or the Azure Monitor / Log Analytics country string.
    Location,
    /// Log Analytics `LocationDetails`.
    LocationDetails,
    CaPolicies,
    AuthDetails,
    SignInEventTypes,
    /// Azure Monitor `category` / Log Analytics `Category`: the log.
    Category,
    /// Log Analytics `Type`: the table.
    Type,
    MfaDetail,
    /// Azure Monitor / Log Analytics `resultType`: the error code when `status` is absent.
    ResultType,
    /// Azure Monitor / Log Analytics `resultDescription`: the failure reason when `status` is absent.
    ResultDescription,
    /// The Azure Monitor envelope's record.
    Properties,
    /// Get-MgBetaAuditLogSignIn's bag of properties unknown to the SDK.
    AdditionalProperties,
}

/// The target of a top-level JSON key that is a source field.
pub fn json_top(key: &str) -> Option<Target> {
    match json_key(key) {
        Some(JsonKey::Field(t)) => Some(t),
        _ => None,
    }
}

/// The target of a top-level PowerShell CSV column (its header case-folded: `IPAddress` and
/// `IpAddress` alike), the v1 SDK's concatenations (`StatusErrorCode`) included.
pub fn powershell_top(name: &str) -> Option<Target> {
    FIELDS.iter().find(|f| f.json.iter().any(|s| s.eq_ignore_ascii_case(name))).map(|f| f.target)
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
        assert_eq!(json_key("Status"), Some(JsonKey::Structure(Structure::Status)));
        assert_eq!(json_key("type"), None);
        assert_eq!(json_top("authenticationRequirement"), Some(Target::AuthenticationRequirement));
        assert_eq!(json_top("authenticatiXnRequirement"), None, "long keys are compared in full");
        assert_eq!(json_top("id"), Some(Target::RequestId));
        assert_eq!((json_top(""), json_top("i"), json_top("Idx")), (None, None, None));
        assert_eq!(json_nested(Parent::Status, "ErrorCode"), Some(Target::ErrorCode));
        assert_eq!(json_nested(Parent::GeoCoordinates, "longitude"), Some(Target::Longitude));
        assert_eq!(json_nested(Parent::Location, "latitude"), None);
        assert_eq!(powershell_top("ipaddress"), Some(Target::IpAddress));
        assert_eq!(powershell_top("geocoordinatelatitude"), Some(Target::Latitude));
        assert_eq!(powershell_nested(Parent::Location, Some("GEOCOORDINATES"), "latitude"), Some(Target::Latitude));
        assert_eq!(powershell_nested(Parent::DeviceDetail, None, "displayname"), Some(Target::DeviceName));
        assert_eq!(portal("join type"), Some(Target::DeviceTrustType));
        // No spelling names two targets (case-folded, as PowerShell CSV reads them).
        let mut seen = std::collections::HashMap::new();
        for f in FIELDS {
            for s in f.json {
                assert_eq!(*seen.entry(s.to_ascii_lowercase()).or_insert(f.target), f.target, "{s}");
            }
        }
    }

    fn pascal(s: &str) -> String {
        let mut c = s.chars();
        c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
    }

    /// The JSON spellings agree with the Graph path: camel and Pascal for a top-level property, the
    /// concatenation and the member names for a nested one.
    #[test]
    fn json_spellings_follow_the_graph_path() {
        for f in FIELDS {
            let Some(g) = f.graph else { continue };
            let want: Vec<String> = match g.rsplit_once('.') {
                None => vec![g.to_string(), pascal(g)],
                Some((parent, leaf)) => {
                    let p = Parent::of_path(parent).unwrap();
                    assert_eq!((json_nested(p, leaf), json_nested(p, &pascal(leaf))), (Some(f.target), Some(f.target)), "{g}");
                    vec![g.split('.').map(pascal).collect()]
                }
            };
            for w in want {
                assert!(f.json.contains(&w.as_str()), "{g}: {w} missing");
                assert_eq!(json_top(&w), Some(f.target), "{w}");
            }
        }
    }
}
