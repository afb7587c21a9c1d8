//! PowerShell `Export-Csv` of `Get-AzureADAuditSignInLogs` (AzureADPreview, formats.md §4.2) and
//! `Get-MgAuditLogSignIn` / `Get-MgBetaAuditLogSignIn` (Microsoft Graph SDK, §5.1).
//!
//! Export-Csv writes each property's `ToString()`, so one column can hold:
//! * a swagger-codegen block (AzureADPreview): `class SignInStatus {\n  ErrorCode: 0\n ...}` with
//!   nested `GeoCoordinates: class GeoCoordinates {...}`: the `Key: value` lines are recovered;
//! * a PSCustomObject (`Import-Csv`/`ConvertFrom-Json` round trips): `@{ErrorCode=0; ...}`;
//! * JSON text (Graph JSON flattened to CSV by pandas or jq, whose camelCase headers fold to the
//!   same names);
//! * a .NET type name (`Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus`,
//!   `System.Collections.Generic.List`1[...]`, `System.Object[]`): the data is gone, and the field is
//!   marked lost (missing, never the type name as a value).
//!
//! Hand-flattened exports are read too: dotted headers (`Status.ErrorCode`, `Location.City`,
//! `DeviceDetail.Browser`, `AppliedConditionalAccessPolicies.1.DisplayName`, BP
//! `ConvertTo-FlatObject`) and the v1 SDK's concatenated names (`StatusErrorCode`, `LocationCity`).
//! `CreatedDateTime` is culture-formatted without a zone (`1/15/2024 10:22:33 AM`,
//! `15.01.2024 10:22:33`); ambiguous day/month values are left to the per-file decision.

use std::borrow::Cow;

use csv::ByteRecord;

use super::ps_text;
use super::target::{self, Col, Target, subslice};
use crate::ingest::fields::{self, Parent};
use crate::model::signin::{AuthStep, CaPolicy, EventType, SignIn, is_empty_value, is_type_name, parse_bool};
use crate::model::time::{TimeValue, parse_time};

/// Largest element number accepted in a flattened header (`X.N.Key`). Entra allows 195 Conditional
/// Access policies per tenant; the bound keeps a hostile header like `X.4000000000` from sizing a
/// vector per row.
const MAX_FLAT_INDEX: usize = 1024;

/// A nested object rendered into one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    Status,
    DeviceDetail,
    Location,
    MfaDetail,
}

impl Obj {
    fn of(name: &str) -> Option<Obj> {
        Some(match name {
            "status" => Obj::Status,
            "devicedetail" => Obj::DeviceDetail,
            "location" => Obj::Location,
            "mfadetail" => Obj::MfaDetail,
            _ => return None,
        })
    }

    /// The complex property of the source-field table.
    fn parent(self) -> Parent {
        match self {
            Obj::Status => Parent::Status,
            Obj::DeviceDetail => Parent::DeviceDetail,
            Obj::Location => Parent::Location,
            Obj::MfaDetail => Parent::MfaDetail,
        }
    }

    /// The Graph name recorded in `lost_fields` (same as the JSON mapper).
    fn lost(self) -> &'static str {
        match self {
            Obj::Status => "status",
            Obj::DeviceDetail => "deviceDetail",
            Obj::Location => "location",
            Obj::MfaDetail => "mfaDetail",
        }
    }
}

/// A list of strings rendered into one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    RiskV2,
    RiskV1,
    EventTypes,
}

impl List {
    fn lost(self) -> &'static str {
        match self {
            List::RiskV2 => "riskEventTypes_v2",
            List::RiskV1 => "riskEventTypes",
            List::EventTypes => "signInEventTypes",
        }
    }
}

/// A list of objects: never recoverable from one cell, only from flattened `X.N.Key` columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coll {
    Ca,
    Auth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CaKey {
    Id,
    Name,
    Result,
    Grant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthKey {
    Time,
    Method,
    MethodDetail,
    Succeeded,
    ResultDetail,
    Requirement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Scalar(Col),
    Object(Obj),
    List(List),
    ListItem(List),
    Coll(Coll),
    CaItem(usize, CaKey),
    AuthItem(usize, AuthKey),
}

/// Column fields of one file.
#[derive(Debug, Clone)]
pub struct Columns {
    fields: Vec<Option<Field>>,
}

/// Top-level property (normalized) → target, from the source-field table: the PascalCase
/// properties of both modules (AzureADPreview `IpAddress`, Graph SDK `IPAddress` fold to the same
/// name) and the v1 SDK's flattened names (`StatusErrorCode`, `LocationCity`,
/// `GeoCoordinatesLatitude`, formats.md §5).
fn scalar(name: &str) -> Option<Target> {
    fields::powershell_top(name)
}

/// A property of a nested object → target. `parent` is the nested object holding `key` below the
/// top one (`GeoCoordinates` in a location).
fn sub_target(o: Obj, parent: Option<&str>, key: &str) -> Option<Target> {
    fields::powershell_nested(o.parent(), parent, key)
}

fn list_of(name: &str) -> Option<List> {
    match name {
        "riskeventtypesv2" | "riskeventtypes_v2" => Some(List::RiskV2),
        "riskeventtypes" => Some(List::RiskV1),
        "signineventtypes" => Some(List::EventTypes),
        _ => None,
    }
}

fn coll_of(name: &str) -> Option<Coll> {
    match name {
        "appliedconditionalaccesspolicies" => Some(Coll::Ca),
        "authenticationdetails" => Some(Coll::Auth),
        _ => None,
    }
}

/// One header name → field, with flattened indices still raw (made 0-based by [`map_header`]).
fn field_of(name: &str) -> Option<Field> {
    if let Some(t) = scalar(name) {
        return Some(Field::Scalar(Col { target: t, fallback: false }));
    }
    if let Some(o) = Obj::of(name) {
        return Some(Field::Object(o));
    }
    if let Some(l) = list_of(name) {
        return Some(Field::List(l));
    }
    if let Some(c) = coll_of(name) {
        return Some(Field::Coll(c));
    }
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [o, key] if Obj::of(o).is_some() => Obj::of(o).and_then(|o| sub_target(o, None, key)).map(scalar_field),
        [o, parent, key] if Obj::of(o).is_some() => Obj::of(o).and_then(|o| sub_target(o, Some(parent), key)).map(scalar_field),
        [l, n] if n.parse::<usize>().is_ok() => list_of(l).map(Field::ListItem),
        [c, n, key] => {
            let i = n.parse::<usize>().ok().filter(|i| *i <= MAX_FLAT_INDEX)?;
            match coll_of(c)? {
                Coll::Ca => ca_key(key).map(|k| Field::CaItem(i, k)),
                Coll::Auth => auth_key(key).map(|k| Field::AuthItem(i, k)),
            }
        }
        _ => None,
    }
}

/// Whether a (normalized) header name is a column the PowerShell mapper reads.
pub fn is_column(name: &str) -> bool {
    field_of(name).is_some()
}

fn scalar_field(t: Target) -> Field {
    Field::Scalar(Col { target: t, fallback: false })
}

fn ca_key(k: &str) -> Option<CaKey> {
    Some(match k {
        "id" => CaKey::Id,
        "displayname" => CaKey::Name,
        "result" => CaKey::Result,
        "enforcedgrantcontrols" => CaKey::Grant,
        _ => return None,
    })
}

fn auth_key(k: &str) -> Option<AuthKey> {
    Some(match k {
        "authenticationstepdatetime" => AuthKey::Time,
        "authenticationmethod" => AuthKey::Method,
        "authenticationmethoddetail" => AuthKey::MethodDetail,
        "succeeded" => AuthKey::Succeeded,
        "authenticationstepresultdetail" => AuthKey::ResultDetail,
        "authenticationsteprequirement" => AuthKey::Requirement,
        _ => return None,
    })
}

/// Map the header. Requires `CreatedDateTime`.
pub fn map_header(names: &[String]) -> Result<Columns, String> {
    let mut fields: Vec<Option<Field>> = names.iter().map(|n| field_of(n)).collect();
    if !fields.iter().flatten().any(|f| matches!(f, Field::Scalar(c) if c.target == Target::TimeLocal)) {
        return Err("no `CreatedDateTime` column".into());
    }
    // `riskEventTypes` is the legacy list: with a v2 column present it only duplicates it.
    if fields.iter().flatten().any(|f| matches!(f, Field::List(List::RiskV2) | Field::ListItem(List::RiskV2))) {
        for f in fields.iter_mut() {
            if matches!(f, Some(Field::List(List::RiskV1) | Field::ListItem(List::RiskV1))) {
                *f = None;
            }
        }
    }
    // ConvertTo-FlatObject numbers elements from its -Base (1 in BP's scripts, 0 by default).
    let base = |coll: Coll| {
        fields
            .iter()
            .flatten()
            .filter_map(|f| match (f, coll) {
                (Field::CaItem(i, _), Coll::Ca) | (Field::AuthItem(i, _), Coll::Auth) => Some(*i),
                _ => None,
            })
            .min()
            .unwrap_or(0)
    };
    let (ca_base, auth_base) = (base(Coll::Ca), base(Coll::Auth));
    let mut seen: Vec<Target> = Vec::new();
    for f in fields.iter_mut().flatten() {
        match f {
            Field::CaItem(i, _) => *i -= ca_base,
            Field::AuthItem(i, _) => *i -= auth_base,
            Field::Scalar(c) => {
                c.fallback = seen.contains(&c.target);
                seen.push(c.target);
            }
            _ => {}
        }
    }
    Ok(Columns { fields })
}

/// Map one data row.
pub fn map_row<'r>(r: &'r ByteRecord, cols: &Columns, rec: &mut SignIn<'r>, off: i32) {
    for (raw, field) in r.iter().zip(&cols.fields) {
        let Some(field) = field else { continue };
        if raw.is_empty() {
            continue;
        }
        let v = target::text(raw);
        match *field {
            Field::Scalar(c) => {
                if !(c.fallback && target::is_filled(rec, c.target)) {
                    target::set(rec, c.target, v, off);
                }
            }
            Field::Object(o) => object_cell(rec, o, v),
            Field::List(l) => list_cell(rec, l, v),
            Field::ListItem(l) => push_item(rec, l, subslice(&v, v.trim())),
            Field::Coll(c) => {
                if is_type_name(&v) {
                    rec.mark_lost(match c {
                        Coll::Ca => "appliedConditionalAccessPolicies",
                        Coll::Auth => "authenticationDetails",
                    });
                }
            }
            Field::CaItem(i, k) => ca_item(rec, i, k, v),
            Field::AuthItem(i, k) => auth_item(rec, i, k, v, off),
        }
    }
    rec.ca_policies.retain(|p| *p != CaPolicy::default());
    rec.auth_details.retain(|a| *a != AuthStep::default());
}

/// A nested object's cell: a class block, a PSCustomObject, or a type name.
fn object_cell<'r>(rec: &mut SignIn<'r>, o: Obj, v: Cow<'r, str>) {
    let v = &v;
    let t = v.trim();
    if is_empty_value(t) {
        return;
    }
    if is_type_name(t) {
        rec.mark_lost(o.lost());
    } else if t.starts_with('{') {
        // JSON text: a Graph export flattened to CSV by another tool (pandas, jq), or
        // `ConvertTo-Json -Compress` in a calculated property. Rare, so owned values are fine.
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(t) {
            for (k, v) in &m {
                if let serde_json::Value::Object(inner) = v {
                    for (k2, v2) in inner {
                        if let Some(x) = json_scalar(v2) {
                            apply_sub(rec, o, Some(k), k2, Cow::Owned(x));
                        }
                    }
                } else if let Some(x) = json_scalar(v) {
                    apply_sub(rec, o, None, k, Cow::Owned(x));
                }
            }
        }
    } else {
        ps_text::object_entries(t, |parent, key, value| apply_sub(rec, o, parent, key, subslice(v, value)));
    }
}

/// A JSON scalar as text (`null` and nested values give nothing).
fn json_scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn apply_sub<'r>(rec: &mut SignIn<'r>, o: Obj, parent: Option<&str>, key: &str, value: Cow<'r, str>) {
    if is_empty_value(&value) {
        return;
    }
    if is_type_name(&value) {
        if o == Obj::Location && key.eq_ignore_ascii_case("geocoordinates") {
            rec.mark_lost("location.geoCoordinates");
        }
        return;
    }
    if let Some(t) = sub_target(o, parent, key) {
        target::set(rec, t, value, 0);
    }
}

/// A string list's cell: a type name (lost), or text joined with `,`/`;` (`{a, b}` from Format-*).
fn list_cell<'r>(rec: &mut SignIn<'r>, l: List, v: Cow<'r, str>) {
    let v = &v;
    let t = v.trim();
    if is_empty_value(t) {
        return;
    }
    if is_type_name(t) {
        rec.mark_lost(l.lost());
        return;
    }
    if t.starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<serde_json::Value>>(t) {
            for x in items.iter().filter_map(json_scalar) {
                push_item(rec, l, Cow::Owned(x));
            }
        }
        return;
    }
    ps_text::list_items(t, |p| push_item(rec, l, subslice(v, p)));
}

fn push_item<'r>(rec: &mut SignIn<'r>, l: List, v: Cow<'r, str>) {
    if is_empty_value(&v) || is_type_name(&v) {
        return;
    }
    match l {
        List::RiskV2 | List::RiskV1 => rec.risk_event_types.push(v),
        List::EventTypes => {
            if rec.event_type.is_none() {
                rec.event_type = EventType::parse(&v);
            }
        }
    }
}

fn ca_item<'r>(rec: &mut SignIn<'r>, i: usize, k: CaKey, v: Cow<'r, str>) {
    if rec.ca_policies.len() <= i {
        rec.ca_policies.resize_with(i + 1, CaPolicy::default);
    }
    let p = &mut rec.ca_policies[i];
    match k {
        CaKey::Id => p.id = Some(v),
        CaKey::Name => p.name = Some(v),
        CaKey::Result => p.result = Some(v),
        CaKey::Grant if !is_type_name(&v) => p.grant_controls = Some(v),
        CaKey::Grant => {}
    }
}

fn auth_item<'r>(rec: &mut SignIn<'r>, i: usize, k: AuthKey, v: Cow<'r, str>, off: i32) {
    if rec.auth_details.len() <= i {
        rec.auth_details.resize_with(i + 1, AuthStep::default);
    }
    let a = &mut rec.auth_details[i];
    match k {
        AuthKey::Time => {
            a.time = match parse_time(&v, off) {
                Some(TimeValue::Utc { micros, .. }) => Some(micros),
                _ => None,
            }
        }
        AuthKey::Method => a.method = Some(v),
        AuthKey::MethodDetail => a.method_detail = Some(v),
        AuthKey::Succeeded => a.succeeded = parse_bool(&v),
        AuthKey::ResultDetail => a.result_detail = Some(v),
        AuthKey::Requirement => a.requirement = Some(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::csv::normalize_header;

    fn cols(names: &[&str]) -> Columns {
        let names: Vec<String> = names.iter().map(|s| normalize_header(s)).collect();
        map_header(&names).unwrap()
    }

    fn row<'r>(r: &'r ByteRecord, c: &Columns) -> SignIn<'r> {
        let mut rec = SignIn::default();
        map_row(r, c, &mut rec, 0);
        rec
    }

    const STATUS: &str = "class SignInStatus {\n  ErrorCode: 50126\n  FailureReason: Error validating credentials due to invalid username or password.\n  AdditionalDetails: \n}\n";
    const LOCATION: &str = "class SignInLocation {\n  City: Redmond\n  State: Washington\n  CountryOrRegion: US\n  GeoCoordinates: class GeoCoordinates {\n  Altitude: \n  Latitude: 47.68\n  Longitude: -122.12\n}\n\n}\n";

    #[test]
    fn class_blocks_are_recovered() {
        let c = cols(&["Id", "CreatedDateTime", "UserPrincipalName", "Status", "Location", "DeviceDetail", "MfaDetail"]);
        let device = "class DeviceDetail {\r\n  DeviceId: \r\n  DisplayName: LAPTOP-01\r\n  OperatingSystem: Windows 10\r\n  Browser: Edge 120.0\r\n  IsCompliant: False\r\n  IsManaged: True\r\n  TrustType: Hybrid Azure AD joined\r\n}\r\n";
        let mfa = "class MfaDetail {\n  AuthMethod: PhoneAppNotification\n  AuthDetail: \n}\n";
        let r = ByteRecord::from(vec!["id-1", "2024-01-15T10:22:33Z", "a@contoso.example", STATUS, LOCATION, device, mfa]);
        let rec = row(&r, &c);
        assert_eq!(rec.error_code, Some(50126));
        assert_eq!(rec.failure_reason.as_deref(), Some("Error validating credentials due to invalid username or password."));
        assert_eq!(rec.additional_details, None);
        assert_eq!((rec.city.as_deref(), rec.state.as_deref(), rec.country.as_deref()), (Some("Redmond"), Some("Washington"), Some("US")));
        assert_eq!((rec.latitude, rec.longitude), (Some(47.68), Some(-122.12)));
        assert_eq!(rec.device_name.as_deref(), Some("LAPTOP-01"));
        assert_eq!(rec.device_compliant, Some(false));
        assert_eq!(rec.device_managed, Some(true));
        assert_eq!(rec.device_trust_type.as_deref(), Some("Hybrid Azure AD joined"));
        assert_eq!(rec.mfa_method.as_deref(), Some("PhoneAppNotification"));
        assert!(rec.lost_fields.is_empty());
        assert!(matches!(rec.city, Some(Cow::Borrowed(_))), "values borrow from the record");
    }

    #[test]
    fn type_names_mean_lost() {
        let c = cols(&[
            "CreatedDateTime",
            "UserPrincipalName",
            "Status",
            "Location",
            "AppliedConditionalAccessPolicies",
            "RiskEventTypes_V2",
            "RiskEventTypes",
            "AdditionalProperties",
        ]);
        let r = ByteRecord::from(vec![
            "1/15/2024 10:22:33 AM",
            "a@contoso.example",
            "Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus",
            "Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInLocation",
            "System.Collections.Generic.List`1[Microsoft.Open.MSGraph.Model.AppliedConditionalAccessPolicy]",
            "System.Object[]",
            "System.String[]",
            "System.Collections.Generic.Dictionary`2[System.String,System.Object]",
        ]);
        let rec = row(&r, &c);
        assert_eq!(rec.error_code, None);
        assert_eq!(rec.city, None);
        assert!(rec.risk_event_types.is_empty());
        assert_eq!(rec.lost_fields, vec!["status", "location", "appliedConditionalAccessPolicies", "riskEventTypes_v2"]);
        // A type name for the nested coordinates only loses the coordinates.
        let c = cols(&["CreatedDateTime", "Location"]);
        let loc = "class SignInLocation {\n  City: Oslo\n  GeoCoordinates: Microsoft.Open.MSGraph.Model.GeoCoordinates\n}\n";
        let r = ByteRecord::from(vec!["2024-01-15T10:22:33Z", loc]);
        let rec = row(&r, &c);
        assert_eq!(rec.city.as_deref(), Some("Oslo"));
        assert_eq!(rec.lost_fields, vec!["location.geoCoordinates"]);
    }

    #[test]
    fn flattened_headers() {
        let c = cols(&[
            "CreatedDateTime",
            "UserPrincipalName",
            "Status.ErrorCode",
            "Location.City",
            "Location.GeoCoordinates.Latitude",
            "DeviceDetail.Browser",
            "StatusFailureReason",
            "LocationCountryOrRegion",
            "RiskEventTypesV2.1",
            "AppliedConditionalAccessPolicies.1.DisplayName",
            "AppliedConditionalAccessPolicies.1.Result",
            "AppliedConditionalAccessPolicies.2.DisplayName",
            "AuthenticationDetails.1.AuthenticationMethod",
            "AuthenticationDetails.1.Succeeded",
        ]);
        let r = ByteRecord::from(vec![
            "2024-01-15T10:22:33Z",
            "a@contoso.example",
            "0",
            "Berlin",
            "52,52",
            "Chrome 120",
            "Other.",
            "DE",
            "unfamiliarFeatures",
            "Require MFA",
            "success",
            "",
            "Password",
            "True",
        ]);
        let rec = row(&r, &c);
        assert_eq!(rec.error_code, Some(0));
        assert_eq!(rec.city.as_deref(), Some("Berlin"));
        assert_eq!(rec.latitude, Some(52.52));
        assert_eq!(rec.device_browser.as_deref(), Some("Chrome 120"));
        assert_eq!(rec.failure_reason.as_deref(), Some("Other."));
        assert_eq!(rec.country.as_deref(), Some("DE"));
        assert_eq!(rec.risk_event_types, vec![Cow::Borrowed("unfamiliarFeatures")]);
        assert_eq!(rec.ca_policies.len(), 1, "the empty second policy is dropped");
        assert_eq!(rec.ca_policies[0].name.as_deref(), Some("Require MFA"));
        assert_eq!(rec.auth_details[0].succeeded, Some(true));
    }

    #[test]
    fn pscustomobject_and_lists() {
        let c = cols(&["CreatedDateTime", "UserPrincipalName", "Status", "SignInEventTypes", "RiskEventTypesV2"]);
        let r = ByteRecord::from(vec![
            "2024-01-15T10:22:33Z",
            "a@contoso.example",
            "@{ErrorCode=50074; FailureReason=Strong Authentication is required.; AdditionalDetails=}",
            "nonInteractiveUser",
            "{unlikelyTravel, anonymizedIPAddress}",
        ]);
        let rec = row(&r, &c);
        assert_eq!(rec.error_code, Some(50074));
        assert_eq!(rec.failure_reason.as_deref(), Some("Strong Authentication is required."));
        assert_eq!(rec.event_type, Some(EventType::NonInteractive));
        assert_eq!(rec.risk_event_types.len(), 2);
    }

    #[test]
    fn json_text_cells_from_other_flatteners() {
        // pandas `json_normalize` / jq: camelCase Graph names fold to the same columns.
        let c = cols(&["createdDateTime", "userPrincipalName", "status", "location", "riskEventTypes_v2"]);
        let r = ByteRecord::from(vec![
            "2024-01-15T10:22:33Z",
            "a@contoso.example",
            r#"{"errorCode":50126,"failureReason":"Invalid password","additionalDetails":null}"#,
            r#"{"city":"Oslo","countryOrRegion":"NO","geoCoordinates":{"latitude":59.91,"longitude":10.75}}"#,
            r#"["unlikelyTravel"]"#,
        ]);
        let rec = row(&r, &c);
        assert_eq!(rec.error_code, Some(50126));
        assert_eq!(rec.additional_details, None);
        assert_eq!((rec.city.as_deref(), rec.country.as_deref(), rec.longitude), (Some("Oslo"), Some("NO"), Some(10.75)));
        assert_eq!(rec.risk_event_types, vec![Cow::<str>::Owned("unlikelyTravel".into())]);
    }

    #[test]
    fn requires_created_date_time() {
        let names: Vec<String> = ["Id", "UserPrincipalName"].iter().map(|s| normalize_header(s)).collect();
        assert!(map_header(&names).is_err());
    }
}
