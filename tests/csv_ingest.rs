//! End-to-end tests of the CSV readers on the synthetic fixtures in `tests/fixtures/evidence/csv/`
//! (fake tenant `contoso.example`): counts, detected formats, warnings, and normalized values read
//! back from the table.

// Test-only crate: clippy's `allow-unwrap-in-tests` then covers the helpers too.
#![cfg(test)]

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, TimestampMicrosecondType, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use signin_audit::ingest::{IngestOptions, Ingested, InputReport, ingest};
use signin_audit::model::DateOrder;
use signin_audit::model::schema::col;
use signin_audit::model::table::dict_value;
use signin_audit::model::time::{TimeValue, parse_time};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evidence/csv").join(name)
}

fn load_with(name: &str, opts: &IngestOptions) -> Ingested {
    ingest(&[fixture(name)], opts).unwrap()
}

fn load(name: &str) -> Ingested {
    load_with(name, &IngestOptions::default())
}

fn input(i: &Ingested) -> &InputReport {
    assert_eq!(i.inputs.len(), 1);
    &i.inputs[0]
}

/// The request id of a fixture row (see the generator's `gid`).
fn gid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn row(b: &RecordBatch, id: &str) -> usize {
    let ids = b.column_by_name(col::REQUEST_ID).unwrap().as_string::<i32>();
    (0..b.num_rows()).find(|&i| ids.value(i) == id).unwrap_or_else(|| panic!("no row {id}"))
}

fn text<'b>(b: &'b RecordBatch, c: &str, r: usize) -> Option<&'b str> {
    dict_value(b, c, r).unwrap()
}

fn micros(s: &str) -> i64 {
    match parse_time(s, 0) {
        Some(TimeValue::Utc { micros, .. }) => micros,
        other => panic!("{s}: {other:?}"),
    }
}

fn ts(b: &RecordBatch, r: usize) -> i64 {
    b.column_by_name(col::TIMESTAMP).unwrap().as_primitive::<TimestampMicrosecondType>().value(r)
}

fn code(b: &RecordBatch, r: usize) -> Option<i32> {
    let a = b.column_by_name(col::ERROR_CODE).unwrap().as_primitive::<Int32Type>();
    a.is_valid(r).then(|| a.value(r))
}

fn flag(b: &RecordBatch, c: &str, r: usize) -> Option<bool> {
    let a = b.column_by_name(c).unwrap().as_boolean();
    a.is_valid(r).then(|| a.value(r))
}

fn float(b: &RecordBatch, c: &str, r: usize) -> Option<f64> {
    let a = b.column_by_name(c).unwrap().as_primitive::<Float64Type>();
    a.is_valid(r).then(|| a.value(r))
}

fn list_len(b: &RecordBatch, c: &str, r: usize) -> usize {
    let a = b.column_by_name(c).unwrap().as_list::<i32>();
    if a.is_valid(r) { a.value(r).len() } else { 0 }
}

/// Every row's source position points at its record: the line number counts every newline before
/// the offset (including those inside quoted cells), and the record starts with its request id.
fn check_sources(i: &Ingested, name: &str, quote: &str) {
    let bytes = std::fs::read(fixture(name)).unwrap();
    let skip = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let text = &bytes[skip..];
    let b = &i.table.batch;
    let ids = b.column_by_name(col::REQUEST_ID).unwrap().as_string::<i32>();
    let offs = b.column_by_name(col::SOURCE_OFFSET).unwrap().as_primitive::<UInt64Type>();
    let lines = b.column_by_name(col::SOURCE_LINE).unwrap().as_primitive::<UInt64Type>();
    for r in 0..b.num_rows() {
        let off = offs.value(r) as usize;
        let line = 1 + text[..off].iter().filter(|&&c| c == b'\n').count() as u64;
        assert_eq!(lines.value(r), line, "{name} row {r}");
        assert!(off == 0 || text[off - 1] == b'\n', "{name} row {r}: offset {off} is not a line start");
        let want = format!("{quote}{}{quote}", ids.value(r));
        let found = text[off..].windows(want.len()).position(|w| w == want.as_bytes()).unwrap();
        let line_end = text[off..].iter().position(|&c| c == b'\n').unwrap_or(text.len() - off);
        assert!(found < line_end, "{name} row {r}: request id not on the record's first line");
    }
}

#[test]
fn portal_interactive() {
    let i = load("InteractiveSignIns_2026-01-01_2026-01-08.csv");
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (8, 0, Some("portal-csv")));
    assert_eq!(rep.by_event_type.get("interactiveUser"), Some(&8));
    assert!(rep.warnings.is_empty(), "{:?}", rep.warnings);
    check_sources(&i, "InteractiveSignIns_2026-01-01_2026-01-08.csv", "\"");
    let b = &i.table.batch;

    let r = row(b, &gid(101));
    assert_eq!(ts(b, r), micros("2026-01-01T08:00:01Z"));
    assert_eq!(flag(b, col::TIME_ZONE_ASSUMED, r), Some(false));
    assert_eq!(text(b, col::USER_PRINCIPAL_NAME, r), Some("adele.vance@contoso.example"));
    assert_eq!(text(b, col::USER_DISPLAY_NAME, r), Some("Adele.Vance"));
    assert_eq!(
        (text(b, col::CITY, r), text(b, col::STATE, r), text(b, col::COUNTRY, r)),
        (Some("Redmond"), Some("Washington"), Some("US"))
    );
    assert_eq!(text(b, col::APP_ID, r), Some("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"), "`Application ID ` with its trailing space");
    assert_eq!(text(b, col::RESULT, r), Some("success"));
    assert_eq!(code(b, r), Some(0));
    assert_eq!(flag(b, col::IS_INTERACTIVE, r), Some(true));
    assert_eq!(text(b, col::INCOMING_TOKEN_TYPE, r), Some("none"));
    assert_eq!(text(b, col::CONDITIONAL_ACCESS_STATUS, r), Some("notApplied"));
    assert_eq!(text(b, col::AUTHENTICATION_REQUIREMENT, r), Some("singleFactorAuthentication"));
    let asn = b.column_by_name(col::AUTONOMOUS_SYSTEM_NUMBER).unwrap().as_primitive::<UInt32Type>();
    assert_eq!(asn.value(r), 64500, "`Autonomous system  number` with its double space");

    let r = row(b, &gid(102));
    assert_eq!((text(b, col::RESULT, r), code(b, r)), (Some("failure"), Some(50126)));
    assert_eq!(text(b, col::FAILURE_REASON, r), Some("Error validating credentials due to invalid username or password."));
    assert_eq!((text(b, col::CITY, r), text(b, col::STATE, r), text(b, col::COUNTRY, r)), (Some("Sydney"), None, Some("AU")));

    let r = row(b, &gid(103));
    assert_eq!((text(b, col::RESULT, r), code(b, r)), (Some("interrupted"), Some(50074)));
    assert_eq!((text(b, col::CITY, r), text(b, col::STATE, r), text(b, col::COUNTRY, r)), (Some("London"), None, Some("GB")));
    assert_eq!((flag(b, col::DEVICE_COMPLIANT, r), flag(b, col::DEVICE_MANAGED, r)), (Some(true), Some(true)));
    assert_eq!(text(b, col::DEVICE_TRUST_TYPE, r), Some("Microsoft Entra registered"));

    let r = row(b, &gid(104));
    assert_eq!(text(b, col::MFA_RESULT, r), Some("MFA successfully completed"));
    assert_eq!(text(b, col::MFA_METHOD, r), Some("Mobile app notification"));
    assert_eq!(text(b, col::AUTHENTICATION_REQUIREMENT, r), Some("multiFactorAuthentication"));
    assert_eq!(text(b, col::CONDITIONAL_ACCESS_STATUS, r), Some("success"));

    // A formula-injection user agent is data: kept verbatim, never evaluated or trimmed.
    let r = row(b, &gid(105));
    assert_eq!(text(b, col::USER_AGENT, r), Some("=cmd|' /C calc'!A0"));
    assert_eq!(text(b, col::IP_ADDRESS, r), Some("2001:db8::5"));
    assert_eq!((text(b, col::CITY, r), text(b, col::COUNTRY, r)), (None, Some("AU")));

    let r = row(b, &gid(106));
    assert_eq!((text(b, col::RESULT, r), code(b, r), text(b, col::USER_TYPE, r)), (Some("failure"), Some(50053), Some("guest")));

    // `Incoming token type` appears twice: the second fills only what the first left empty.
    let r = row(b, &gid(108));
    assert_eq!(text(b, col::INCOMING_TOKEN_TYPE, r), Some("primaryRefreshToken"));
}

#[test]
fn portal_non_interactive_2024_header() {
    let i = load("NonInteractiveSignIns_2026-01-01_2026-01-08.csv");
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (4, 0, Some("portal-csv")));
    assert_eq!(rep.by_event_type.get("nonInteractiveUser"), Some(&4));
    check_sources(&i, "NonInteractiveSignIns_2026-01-01_2026-01-08.csv", "\"");
    let b = &i.table.batch;
    let r = row(b, &gid(111));
    assert_eq!(flag(b, col::IS_INTERACTIVE, r), Some(false));
    assert_eq!(text(b, col::INCOMING_TOKEN_TYPE, r), Some("primaryRefreshToken"));
    assert_eq!(text(b, col::CLIENT_APP_USED, r), Some("Mobile Apps and Desktop clients"));
    let r = row(b, &gid(113));
    assert_eq!((text(b, col::RESULT, r), code(b, r)), (Some("failure"), Some(70043)));
    assert_eq!(text(b, col::COUNTRY, r), Some("NL"));
}

#[test]
fn portal_service_principal_and_managed_identity() {
    let i = load("ApplicationSignIns_2026-01-01_2026-01-08.csv");
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (3, 0, Some("portal-csv")));
    assert_eq!(rep.by_event_type.get("servicePrincipal"), Some(&3));
    let b = &i.table.batch;
    let r = row(b, &gid(503));
    assert_eq!(text(b, col::PRINCIPAL, r), Some(format!("sp:{}", gid(701)).as_str()));
    assert_eq!(text(b, col::SERVICE_PRINCIPAL_NAME, r), Some("contoso-backup-app"));
    assert_eq!((text(b, col::RESULT, r), code(b, r)), (Some("failure"), Some(7000215)));
    assert_eq!((text(b, col::CITY, r), text(b, col::COUNTRY, r)), (Some("Frankfurt am Main"), Some("DE")));

    let i = load("MSISignIns_2026-01-01_2026-01-08.csv");
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (2, 0, Some("portal-csv")));
    assert_eq!(rep.by_event_type.get("managedIdentity"), Some(&2));
    let b = &i.table.batch;
    let r = row(b, &gid(504));
    assert_eq!((text(b, col::IP_ADDRESS, r), text(b, col::COUNTRY, r)), (None, None));
    assert_eq!(flag(b, col::IS_INTERACTIVE, r), Some(false));
}

#[test]
fn portal_auth_details_is_counted_not_ingested() {
    let i = load("InteractiveSignIns_AuthDetails_2026-01-01_2026-01-08.csv");
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (0, 0, Some("portal-authdetails-csv")));
    assert!(
        rep.warnings.contains(&"authentication-details file: 3 step rows for 2 sign-ins (not joined into the sign-in rows)".to_string()),
        "{:?}",
        rep.warnings
    );
}

#[test]
fn log_analytics_portal_export() {
    let i = load("la_signinlogs_export.csv");
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (4, 0, Some("log-analytics-csv")));
    assert_eq!(rep.by_event_type.get("interactiveUser"), Some(&4));
    assert!(rep.warnings.iter().any(|w| w.contains("byte-order mark")), "{:?}", rep.warnings);
    assert!(rep.warnings.iter().any(|w| w.contains("day/month order detected from the data (month first")), "{:?}", rep.warnings);
    assert!(!rep.warnings.iter().any(|w| w.contains("no time zone")), "`[UTC]` headers declare the zone: {:?}", rep.warnings);
    check_sources(&i, "la_signinlogs_export.csv", "");
    let b = &i.table.batch;

    // `CreatedDateTime [UTC]` wins over `TimeGenerated [UTC]`.
    let r = row(b, &gid(1101));
    assert_eq!(ts(b, r), micros("2026-01-13T10:00:01Z"));
    assert_eq!(flag(b, col::TIME_ZONE_ASSUMED, r), Some(false));
    assert_eq!((text(b, col::CITY, r), text(b, col::COUNTRY, r)), (Some("Redmond"), Some("US")));
    assert_eq!(float(b, col::LATITUDE, r), Some(47.68));
    assert_eq!(text(b, col::DEVICE_OS, r), Some("Windows 10"));
    assert_eq!(text(b, col::RESOURCE_ID, r), Some("797f4846-ba00-4fd7-ba43-dac1f8f63013"), "ResourceIdentity, not the ARM ResourceId");
    assert_eq!(list_len(b, col::CA_POLICIES, r), 1);
    assert_eq!(list_len(b, col::AUTH_DETAILS, r), 1);
    assert_eq!(list_len(b, col::RISK_EVENT_TYPES, r), 0, "`[]` is no risk");

    let r = row(b, &gid(1102));
    assert_eq!((text(b, col::RESULT, r), code(b, r)), (Some("failure"), Some(50126)));
    assert_eq!(list_len(b, col::RISK_EVENT_TYPES, r), 1);
    assert_eq!(text(b, col::RISK_LEVEL_DURING_SIGN_IN, r), Some("medium"));
    let r = row(b, &gid(1103));
    assert_eq!((text(b, col::RESULT, r), code(b, r)), (Some("interrupted"), Some(50074)));
    assert_eq!(ts(b, r), micros("2026-01-14T13:14:58Z"), "PM hours");
    let r = row(b, &gid(1104));
    assert_eq!(ts(b, r), micros("2026-01-01T23:59:59Z"));
    assert_eq!(text(b, col::MFA_METHOD, r), Some("PhoneAppNotification"));
}

#[test]
fn azuread_preview_export_with_type_line() {
    let i = load("azuread_export_typeinfo.csv");
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (3, 0, Some("powershell-csv")));
    assert!(rep.warnings.iter().any(|w| w.starts_with("3 record(s) have fields the export destroyed")), "{:?}", rep.warnings);
    check_sources(&i, "azuread_export_typeinfo.csv", "\"");
    let b = &i.table.batch;

    let r = row(b, &gid(2101));
    assert_eq!(ts(b, r), micros("2026-01-03T08:15:30.123456Z"));
    assert_eq!(flag(b, col::TIME_ZONE_ASSUMED, r), Some(false));
    assert_eq!((text(b, col::RESULT, r), code(b, r)), (Some("success"), Some(0)));
    assert_eq!(text(b, col::IP_ADDRESS, r), Some("198.51.100.21"));
    assert_eq!(
        (text(b, col::CITY, r), text(b, col::STATE, r), text(b, col::COUNTRY, r)),
        (Some("Redmond"), Some("Washington"), Some("US"))
    );
    assert_eq!((float(b, col::LATITUDE, r), float(b, col::LONGITUDE, r)), (Some(47.6801), Some(-122.1206)));
    assert_eq!(text(b, col::DEVICE_NAME, r), Some("CONTOSO-LT-01"));
    assert_eq!(text(b, col::DEVICE_TRUST_TYPE, r), Some("Hybrid Azure AD joined"));
    assert_eq!(flag(b, col::DEVICE_COMPLIANT, r), Some(true));
    assert_eq!(text(b, col::LOST_FIELDS, r), Some("riskEventTypes_v2,appliedConditionalAccessPolicies"));
    assert_eq!(list_len(b, col::CA_POLICIES, r), 0, "a type name is missing data, not a policy");

    let r = row(b, &gid(2102));
    assert_eq!((text(b, col::RESULT, r), code(b, r)), (Some("failure"), Some(50126)));
    assert!(text(b, col::ADDITIONAL_DETAILS, r).is_some_and(|d| d.starts_with("The user didn't enter the right credentials.")));
    assert_eq!(text(b, col::DEVICE_OS, r), Some("Linux"));
    assert_eq!(flag(b, col::DEVICE_COMPLIANT, r), None);

    let r = row(b, &gid(2103));
    assert_eq!(text(b, col::MFA_METHOD, r), Some("PhoneAppNotification"));
    assert_eq!((text(b, col::CITY, r), text(b, col::COUNTRY, r), float(b, col::LATITUDE, r)), (Some("London"), Some("GB"), None));
    assert_eq!(text(b, col::LOST_FIELDS, r), Some("riskEventTypes_v2,location.geoCoordinates,appliedConditionalAccessPolicies"));
}

#[test]
fn graph_sdk_export_german_semicolon() {
    let i = load("mg_export_de.csv");
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (3, 0, Some("powershell-csv")));
    assert!(rep.warnings.iter().any(|w| w.contains("day/month order detected from the data (day first")), "{:?}", rep.warnings);
    assert!(rep.warnings.iter().any(|w| w.starts_with("3 timestamp(s) carry no time zone")), "{:?}", rep.warnings);
    check_sources(&i, "mg_export_de.csv", "\"");
    let b = &i.table.batch;
    let r = row(b, &gid(3101));
    assert_eq!(ts(b, r), micros("2026-01-15T10:22:33Z"));
    assert_eq!(flag(b, col::TIME_ZONE_ASSUMED, r), Some(true));
    assert_eq!(code(b, r), None, "the status was a type name: the code is missing, not 0");
    assert_eq!(text(b, col::LOST_FIELDS, r), Some("appliedConditionalAccessPolicies,deviceDetail,location,riskEventTypes_v2,status"));
    assert_eq!(text(b, col::CONDITIONAL_ACCESS_STATUS, r), Some("success"));
    // 02.01.2026 is ambiguous on its own; the file proves day-first.
    let r = row(b, &gid(3102));
    assert_eq!(ts(b, r), micros("2026-01-02T07:05:09Z"));
    assert_eq!(text(b, col::IP_ADDRESS, r), Some("2001:db8::31"));
    let r = row(b, &gid(3103));
    assert_eq!(ts(b, r), micros("2026-01-31T23:59:59Z"));
    assert_eq!(text(b, col::IP_ADDRESS, r), Some("203.0.113.33"));
}

#[test]
fn graph_sdk_export_ambiguous_dates() {
    let name = "mg_export_us_ambiguous.csv";
    let i = load(name);
    let rep = input(&i);
    assert_eq!((rep.records, rep.rejected, rep.format.as_deref()), (3, 0, Some("powershell-csv")));
    assert!(
        rep.warnings.iter().any(|w| w.starts_with("day/month order cannot be told from the data: 3 date(s) read as month first")),
        "{:?}",
        rep.warnings
    );
    let b = &i.table.batch;
    let r = row(b, &gid(4102));
    assert_eq!(ts(b, r), micros("2026-02-03T16:30:10Z"));
    assert_eq!(text(b, col::EVENT_TYPE, r), Some("nonInteractiveUser"), "IsInteractive False");
    assert_eq!(text(b, col::LOST_FIELDS, r), Some("status,location"));

    let i = load_with(name, &IngestOptions { date_order: Some(DateOrder::DayFirst), ..Default::default() });
    let b = &i.table.batch;
    assert_eq!(ts(b, row(b, &gid(4102))), micros("2026-03-02T16:30:10Z"));
    assert!(!input(&i).warnings.iter().any(|w| w.contains("cannot be told")));
}

#[test]
fn all_fixtures_together() {
    let i = ingest(&[fixture("")], &IngestOptions::default()).unwrap();
    assert_eq!(i.inputs.len(), 9);
    assert!(i.inputs.iter().all(|r| r.format.is_some()), "every fixture is recognized");
    assert_eq!(i.inputs.iter().map(|r| r.records).sum::<u64>(), 30);
    assert_eq!((i.rejected(), i.table.len()), (0, 30));
}
