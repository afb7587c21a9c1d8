//! Log Analytics / Sentinel CSV: `SigninLogs`, `AADNonInteractiveUserSignInLogs`,
//! `AADServicePrincipalSignInLogs`, `AADManagedIdentitySignInLogs` (formats.md §8).
//!
//! The columns are the table's column names, the same keys as a Log Analytics JSON row, so each
//! CSV row is handed to the JSON mapper ([`crate::ingest::json::record::map_object`]) as a flat
//! tape object of strings: nested values (`Status`, `DeviceDetail`, `LocationDetails`,
//! `ConditionalAccessPolicies`, `AuthenticationDetails`, `RiskEventTypes_V2`, `MfaDetail`...) are JSON
//! text inside the cell, which that mapper already parses (copied into the per-row arena), and the
//! LA fallbacks (`TimeGenerated`, `ResultType`, `Location`, `Identity`) behave the same in both
//! renderings. The portal's Logs › Export renames datetime columns `TimeGenerated [UTC]` and writes
//! `M/D/YYYY, h:mm:ss.fff AM` (§8.4): the suffix is stripped and the zone it declares applied.

use csv::ByteRecord;
use simd_json::Node;
use simd_json::prelude::*;
use simd_json::tape::Tape;
use typed_arena::Arena;

use super::target::{self, declared_utc};
use crate::ingest::json::classify::{Declared, Kind, classify, custom_base};
use crate::ingest::json::record::{MapCtx, map_object};
use crate::model::time::parse_time;
use crate::model::{EventType, SignIn};

/// Log Analytics columns the JSON mapper reads, in the spelling it matches (formats.md §8.1–8.3).
/// Other columns (`DurationMs`, `Level`, `_BilledSize`...) are skipped before the mapper sees them.
const KNOWN: &[&str] = &[
    "Id",
    "CreatedDateTime",
    "TimeGenerated",
    "UserDisplayName",
    "Identity",
    "UserPrincipalName",
    "UserId",
    "UserType",
    "AppId",
    "AppDisplayName",
    "IPAddress",
    "ClientAppUsed",
    "CorrelationId",
    "ConditionalAccessStatus",
    "IsInteractive",
    "ResourceDisplayName",
    "ResourceId",
    "ResourceIdentity",
    "RiskDetail",
    "RiskLevelAggregated",
    "RiskLevelDuringSignIn",
    "RiskState",
    "RiskEventTypes_V2",
    "RiskEventTypes",
    "Status",
    "DeviceDetail",
    "Location",
    "LocationDetails",
    "ConditionalAccessPolicies",
    "AppliedConditionalAccessPolicies",
    "AuthenticationDetails",
    "SignInEventTypes",
    "Category",
    "Type",
    "AuthenticationRequirement",
    "AuthenticationProtocol",
    "UserAgent",
    "MfaDetail",
    "IncomingTokenType",
    "TokenIssuerType",
    "CrossTenantAccessType",
    "OriginalTransferMethod",
    "ClientCredentialType",
    "HomeTenantId",
    "ResourceTenantId",
    "SessionId",
    "UniqueTokenIdentifier",
    "OriginalRequestId",
    "ServicePrincipalId",
    "ServicePrincipalName",
    "AutonomousSystemNumber",
    "ResultType",
    "ResultDescription",
];

/// The mapper's spelling of a column name (compared case-insensitively: CSV headers are folded).
fn known(name: &str) -> Option<&'static str> {
    KNOWN.iter().copied().find(|k| k.eq_ignore_ascii_case(name))
}

/// Whether a (normalized) header name is a Log Analytics sign-in column.
pub fn is_column(name: &str) -> bool {
    let base = super::split_zone_suffix(name).0;
    known(base).or_else(|| custom_base(base).and_then(known)).is_some()
}

/// Column keys of one file.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Per column: the mapper key, or `None` for a column the model has no place for.
    keys: Vec<Option<&'static str>>,
    /// The datetime headers carried `[UTC]`.
    utc: bool,
}

/// Map the header. Requires a time column.
pub fn map_header(names: &[String], notes: &mut Vec<String>) -> Result<Columns, String> {
    let mut utc = false;
    let mut local = false;
    let mut custom = false;
    let keys: Vec<Option<&'static str>> = names
        .iter()
        .map(|n| {
            let (base, zone) = super::split_zone_suffix(n);
            let key = known(base).or_else(|| custom_base(base).and_then(known));
            custom |= key.is_some() && known(base).is_none();
            match zone {
                Some(true) => utc = true,
                Some(false) => local |= key.is_some(),
                None => {}
            }
            key
        })
        .collect();
    if !keys.iter().flatten().any(|k| *k == "TimeGenerated" || *k == "CreatedDateTime") {
        return Err("no `TimeGenerated` or `CreatedDateTime` column".into());
    }
    if custom {
        notes.push(
            "note: Log Analytics custom-table columns (`_dynamic`, `_string`, `_s`, `_d`, `_b`, `_g`, `_t`) read as their native columns"
                .into(),
        );
    }
    if local && !utc {
        notes.push(
            "datetime columns are in the exporting browser's local time (`[Local Time]` header): read with --input-timezone (default UTC)"
                .into(),
        );
    }
    Ok(Columns { keys, utc })
}

/// The table a file name mentions (`AADNonInteractiveUserSignInLogs_2024.csv`), for rows without a
/// `Type`/`Category` column. The specific names are tested before `SigninLogs`, which they contain.
pub fn event_type_from_name(file_name: &str) -> Option<EventType> {
    let n = file_name.to_ascii_lowercase();
    if n.contains("noninteractive") {
        Some(EventType::NonInteractive)
    } else if n.contains("serviceprincipal") {
        Some(EventType::ServicePrincipal)
    } else if n.contains("managedidentity") {
        Some(EventType::ManagedIdentity)
    } else if n.contains("signinlogs") {
        Some(EventType::Interactive)
    } else {
        None
    }
}

/// Map one data row; strings borrow from the record, or from `arena` for repaired text. Returns
/// what the row is: a sign-in, or a row of another table (`Type`/`Category` say which).
pub fn map_row<'x>(
    r: &'x ByteRecord,
    cols: &Columns,
    default_event: Option<EventType>,
    rec: &mut SignIn<'x>,
    arena: &'x Arena<u8>,
    off: i32,
) -> Kind<'x> {
    let mut nodes: Vec<Node<'x>> = Vec::with_capacity(1 + 2 * cols.keys.len());
    nodes.push(Node::Object { len: 0, count: 0 });
    for (raw, key) in r.iter().zip(&cols.keys) {
        let Some(key) = key else { continue };
        if raw.is_empty() {
            continue;
        }
        let value: &'x str = match std::str::from_utf8(raw) {
            Ok(s) => s,
            Err(_) => {
                let fixed = arena.alloc_extend(String::from_utf8_lossy(raw).bytes());
                std::str::from_utf8(fixed).unwrap_or_default()
            }
        };
        nodes.push(Node::String(key));
        nodes.push(Node::String(value));
    }
    let pairs = (nodes.len() - 1) / 2;
    nodes[0] = Node::Object { len: pairs, count: 2 * pairs };
    let tape = Tape(nodes);
    // A `[UTC]` header makes zone-less values UTC whatever --input-timezone says.
    let ctx = MapCtx::new(arena, if cols.utc { 0 } else { off });
    let fb = match tape.as_value().as_object() {
        Some(o) => map_object(o, rec, &ctx),
        None => Default::default(),
    };
    if cols.utc {
        rec.time = declared_utc(rec.time);
    }
    // The mapper takes `CreatedDateTime`, falling back to `TimeGenerated`: re-read the same cell.
    let cell = |k: &str| cols.keys.iter().position(|c| *c == Some(k)).and_then(|i| r.get(i)).filter(|c| !c.is_empty());
    if let Some(text) = cell("CreatedDateTime").filter(|c| parse_time(&target::text(c), 0).is_some()).or_else(|| cell("TimeGenerated")) {
        rec.time = target::voting(&target::text(text), rec.time, cols.utc);
    }
    if rec.event_type.is_none() {
        rec.event_type = default_event;
    }
    // The header made this a sign-in export: rows say otherwise only by their table or category.
    classify(&fb, Declared::SignIns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::csv::normalize_header;
    use crate::model::time::{DateOrder, TimeValue};

    fn cols(names: &[&str]) -> Columns {
        let names: Vec<String> = names.iter().map(|s| normalize_header(s)).collect();
        map_header(&names, &mut Vec::new()).unwrap()
    }

    #[test]
    fn json_text_cells_and_utc_suffix() {
        let c = cols(&[
            "TimeGenerated [UTC]",
            "Id",
            "UserPrincipalName",
            "ResultType",
            "Status",
            "LocationDetails",
            "DeviceDetail",
            "Type",
            "DurationMs",
        ]);
        let r = ByteRecord::from(vec![
            "5/25/2023, 4:32:49.469 AM",
            "abc",
            "a@contoso.example",
            "50126",
            r#"{"errorCode":50126,"failureReason":"Invalid username or password."}"#,
            r#"{"city":"Lyon","countryOrRegion":"FR","geoCoordinates":{"latitude":45.75,"longitude":4.85}}"#,
            r#"{"operatingSystem":"Windows 10","browser":"Edge 120"}"#,
            "AADNonInteractiveUserSignInLogs",
            "12",
        ]);
        let arena = Arena::new();
        let mut rec = SignIn::default();
        map_row(&r, &c, None, &mut rec, &arena, 7200);
        assert_eq!(rec.error_code, Some(50126));
        assert_eq!(rec.failure_reason.as_deref(), Some("Invalid username or password."));
        assert_eq!(rec.city.as_deref(), Some("Lyon"));
        assert_eq!(rec.latitude, Some(45.75));
        assert_eq!(rec.device_os.as_deref(), Some("Windows 10"));
        assert_eq!(rec.event_type, Some(EventType::NonInteractive));
        // 2023-05-25T04:32:49.469Z, zoned because of the header, not shifted by --input-timezone; kept
        // local so its proven month-first order votes for the file.
        let Some(TimeValue::Local(d)) = rec.time else { panic!("{:?}", rec.time) };
        assert_eq!(d.offset, Some(0));
        assert_eq!(d.resolve(DateOrder::MonthFirst, 7200), Some(1_684_989_169_469_000));
        assert_eq!(d.resolve(DateOrder::DayFirst, 7200), None);
    }

    /// `KNOWN` only spells the JSON mapper's keys (the one mapping table): every entry must be one.
    #[test]
    fn known_columns_are_keys_of_the_json_mapper() {
        let arena = Arena::new();
        let ctx = MapCtx::new(&arena, 0);
        for k in KNOWN {
            let mut text = format!(r#"{{"{k}":"1"}}"#).into_bytes();
            let tape = simd_json::to_tape(&mut text).unwrap();
            let mut rec = SignIn::default();
            let fb = map_object(tape.as_value().as_object().unwrap(), &mut rec, &ctx);
            assert_eq!(fb.known, 1, "{k} is not a key of json::record::apply_field");
        }
    }

    #[test]
    fn custom_table_columns_map_to_native_ones() {
        let c = cols(&[
            "TimeGenerated [UTC]",
            "Id_g",
            "UserPrincipalName_s",
            "ResultType_d",
            "LocationDetails_dynamic",
            "LocationDetails_string",
            "DeviceDetail_dynamic",
            "ConditionalAccessPolicies_dynamic",
            "IsInteractive_b",
            "Type",
        ]);
        let r = ByteRecord::from(vec![
            "2026-01-02T03:04:05Z",
            "a1",
            "a@contoso.example",
            "50126.0",
            r#"{"city":"Lyon","geoCoordinates":{"latitude":45.75,"longitude":4.85}}"#,
            "",
            r#"{"operatingSystem":"Windows 10","browser":"Edge 120"}"#,
            r#"[{"id":"p1","displayName":"Require MFA","result":"success"}]"#,
            "true",
            "SigninLogs_CL",
        ]);
        let arena = Arena::new();
        let mut rec = SignIn::default();
        assert_eq!(map_row(&r, &c, None, &mut rec, &arena, 0), Kind::SignIn);
        assert_eq!(rec.request_id.as_deref(), Some("a1"));
        assert_eq!(rec.error_code, Some(50126));
        assert_eq!(rec.city.as_deref(), Some("Lyon"), "the empty _string twin does not erase the _dynamic column");
        assert_eq!(rec.latitude, Some(45.75));
        assert_eq!((rec.device_os.as_deref(), rec.device_browser.as_deref()), (Some("Windows 10"), Some("Edge 120")));
        assert_eq!(rec.ca_policies.len(), 1);
        assert_eq!(rec.is_interactive, Some(true));
    }

    #[test]
    fn requires_a_time_column() {
        let names: Vec<String> = ["Id", "ResultType"].iter().map(|s| normalize_header(s)).collect();
        assert!(map_header(&names, &mut Vec::new()).is_err());
    }

    #[test]
    fn event_type_from_file_name() {
        assert_eq!(event_type_from_name("AADNonInteractiveUserSignInLogs.csv"), Some(EventType::NonInteractive));
        assert_eq!(event_type_from_name("la_signinlogs_export.csv"), Some(EventType::Interactive));
        assert_eq!(event_type_from_name("query_data.csv"), None);
    }
}
