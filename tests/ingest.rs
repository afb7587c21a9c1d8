//! The normalized table behind the inventory, read through the library: the same sign-in exported in
//! different formats must normalize to the same values, and fields destroyed by an export must be
//! marked lost rather than silently empty.

mod common;

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, TimestampMicrosecondType, UInt32Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use signin_audit::ingest::{IngestOptions, ingest};

fn table(path: &str) -> RecordBatch {
    let p: PathBuf = common::fixtures().join(path);
    let ingested = ingest(&[p], &IngestOptions::default()).unwrap_or_else(|e| panic!("{path}: {e}"));
    ingested.table.batch
}

/// One cell rendered as text (`None` for null), for the column types the schema uses.
fn cell(b: &RecordBatch, col: &str, row: usize) -> Option<String> {
    let a = b.column_by_name(col).unwrap_or_else(|| panic!("no column {col}"));
    if a.is_null(row) {
        return None;
    }
    Some(match a.data_type() {
        DataType::Dictionary(_, _) => {
            let d = a.as_dictionary::<Int32Type>();
            d.values().as_string::<i32>().value(d.keys().value(row) as usize).to_string()
        }
        DataType::Utf8 => a.as_string::<i32>().value(row).to_string(),
        DataType::Int32 => a.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::UInt32 => a.as_primitive::<UInt32Type>().value(row).to_string(),
        DataType::Float64 => a.as_primitive::<Float64Type>().value(row).to_string(),
        DataType::Boolean => a.as_boolean().value(row).to_string(),
        DataType::Timestamp(_, _) => a.as_primitive::<TimestampMicrosecondType>().value(row).to_string(),
        DataType::List(_) => format!("{} item(s)", a.as_list::<i32>().value(row).len()),
        other => panic!("column {col}: unhandled type {other}"),
    })
}

fn row_of(b: &RecordBatch, request_id: &str) -> usize {
    let ids = b.column_by_name("request_id").unwrap_or_else(|| panic!("no request_id column")).as_string::<i32>();
    (0..b.num_rows()).find(|&r| ids.is_valid(r) && ids.value(r) == request_id).unwrap_or_else(|| panic!("no row {request_id}"))
}

fn rid(n: u32) -> String {
    format!("5e1a{n:04}-0c0d-4e5a-9a1b-{n:012}")
}

/// Columns every one of these exports carries for a user sign-in.
const SHARED: &[&str] = &[
    "principal",
    "event_type",
    "user_principal_name",
    "user_id",
    "user_display_name",
    "result",
    "error_code",
    "failure_reason",
    "app_id",
    "app_name",
    "resource_id",
    "resource_name",
    "ip_address",
    "city",
    "state",
    "country",
    "client_app_used",
    "device_os",
    "device_browser",
    "conditional_access_status",
    "correlation_id",
];

fn assert_same(n: u32, a: &str, b: &str, columns: &[&str]) {
    let (ta, tb) = (table(a), table(b));
    let id = rid(n);
    let (ra, rb) = (row_of(&ta, &id), row_of(&tb, &id));
    let diffs: Vec<String> = columns
        .iter()
        .filter_map(|c| {
            let (x, y) = (cell(&ta, c, ra), cell(&tb, c, rb));
            (x != y).then(|| format!("{c}: {x:?} vs {y:?}"))
        })
        .collect();
    assert!(diffs.is_empty(), "E{n:02} differs between\n  {a}\n  {b}:\n  {}", diffs.join("\n  "));
}

#[test]
fn graph_v1_and_beta_agree() {
    let mut cols = SHARED.to_vec();
    cols.extend(["timestamp", "latitude", "longitude", "device_compliant", "device_managed"]);
    assert_same(3, "evidence/json/graph-v1.0-page.json", "evidence/json/graph-beta-page.json", &cols);
}

#[test]
fn azureadpreview_agrees_with_graph() {
    let mut cols = SHARED.to_vec();
    cols.extend(["timestamp", "additional_details", "latitude", "longitude", "ca_policies"]);
    assert_same(2, "evidence/json/graph-v1.0-page.json", "evidence/json/powershell/azureadpreview-convertto-json.json", &cols);
}

#[test]
fn log_analytics_rows_agree_with_graph() {
    let mut cols = SHARED.to_vec();
    cols.extend(["session_id", "unique_token_identifier", "original_request_id", "user_agent", "auth_details", "ca_policies"]);
    assert_same(5, "evidence/json/graph-beta-page.json", "evidence/json/log-analytics/aad-noninteractive-rows.json", &cols);
}

#[test]
fn log_analytics_query_api_agrees_with_graph() {
    let mut cols = SHARED.to_vec();
    cols.extend(["latitude", "longitude", "ca_policies"]);
    assert_same(1, "evidence/json/graph-v1.0-page.json", "evidence/json/log-analytics/query-api-signinlogs.json", &cols);
}

#[test]
fn azure_monitor_agrees_with_graph() {
    let mut cols = SHARED.to_vec();
    cols.extend([
        "timestamp",
        "latitude",
        "longitude",
        "session_id",
        "unique_token_identifier",
        "user_agent",
        "auth_details",
        "ca_policies",
        "autonomous_system_number",
        "cross_tenant_access_type",
        "home_tenant_id",
    ]);
    assert_same(7, "evidence/json/graph-beta-page.json", "evidence/json/azure-monitor/eventhub-records.json", &cols);
}

#[test]
fn portal_download_and_az_rest_and_extractor_suite_agree_with_graph() {
    let mut cols = SHARED.to_vec();
    cols.extend(["timestamp", "session_id", "auth_details", "ca_policies", "user_agent", "autonomous_system_number"]);
    assert_same(6, "evidence/json/graph-beta-page.json", "evidence/json/portal/InteractiveSignIns_2026-01-01_2026-01-08.json", &cols);
    assert_same(
        12,
        "evidence/json/az-pages-appended.json",
        "evidence/json/extractor-suite/interactiveUser & nonInteractiveUser/20260106101512-SignInLogs.json",
        &cols,
    );
    assert_same(1, "evidence/json/graph-v1.0-page.json", "evidence/malformed/pages.zip", SHARED);
}

#[test]
fn offsets_and_utc_agree() {
    // E49 is written with +00:00 in the Event Hub batch and in the storage blob; E54 with -05:00.
    let blob = "evidence/json/azure-monitor/insights-logs-signinlogs/tenantId=8c1d2e3f-4a5b-4c6d-8e7f-c0a1b2c3d4e5/y=2026/m=01/d=07/h=11/m=00/PT1H.json";
    assert_same(49, "evidence/json/azure-monitor/eventhub-records.json", blob, &["timestamp"]);
    let t = table(blob);
    let micros: i64 = cell(&t, "timestamp", row_of(&t, &rid(54))).expect("timestamp").parse().expect("micros");
    assert_eq!(signin_audit::model::time::format_rfc3339(micros), "2026-01-07T11:30:45.500000Z");
}

#[test]
fn depth_truncated_location_is_marked_lost() {
    let t = table("evidence/json/powershell/get-mgauditlogsignin-ps51-depth2.json");
    for n in [39, 40, 41] {
        let r = row_of(&t, &rid(n));
        let lost = cell(&t, "lost_fields", r).unwrap_or_default();
        assert!(lost.split(',').any(|f| f == "location.geoCoordinates"), "E{n}: lost_fields = {lost:?}");
        assert_eq!(cell(&t, "latitude", r), None);
        // What survived depth 2 is still read.
        assert!(cell(&t, "city", r).is_some() && cell(&t, "error_code", r).is_some() && cell(&t, "ip_address", r).is_some());
    }
}

#[test]
fn depth_truncated_ca_policies_are_marked_lost() {
    let t = table("evidence/json/powershell/get-mgauditlogsignin-ps51-depth2.json");
    for n in [39, 40, 41] {
        let lost = cell(&t, "lost_fields", row_of(&t, &rid(n))).unwrap_or_default();
        assert!(lost.split(',').any(|f| f == "appliedConditionalAccessPolicies"), "E{n}: lost_fields = {lost:?}");
    }
}

#[test]
fn user_type_is_normalized_across_formats() {
    assert_same(5, "evidence/json/graph-beta-page.json", "evidence/json/log-analytics/aad-noninteractive-rows.json", &["user_type"]);
    assert_same(7, "evidence/json/graph-beta-page.json", "evidence/json/azure-monitor/eventhub-records.json", &["user_type"]);
}
