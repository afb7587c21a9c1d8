//! Golden-file and per-file tests of `signin-audit inventory` over `tests/fixtures/evidence`.
//!
//! The per-file expectations below were written from the fixture design (which sign-ins each file
//! holds, see `tests/fixtures/README.md`), not copied from the tool's output. Tests marked
//! `#[ignore = "bug: ..."]` document tool bugs: they fail today and pass once the bug is fixed.
//!
//! The golden files (`tests/golden/inventory.{json,txt}`) are the tool's output over the whole
//! evidence directory, known bugs included; bless them with `UPDATE_GOLDEN=1 cargo test`.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use common::*;
use serde_json::Value;

#[test]
fn golden_inventory_json() {
    let out = run_ok(&["inventory", "-o", "json", "evidence"]);
    assert_golden("inventory.json", &out);
}

#[test]
fn golden_inventory_table() {
    let out = run_ok(&["inventory", "evidence"]);
    assert_golden("inventory.txt", &out);
}

/// What one input of the evidence should be reported as, when it is inventoried on its own.
struct Expect {
    format: Option<&'static str>,
    records: u64,
    rejected: u64,
    /// Duplicates inside the file itself (the file is inventoried alone).
    duplicates: u64,
    first: Option<&'static str>,
    last: Option<&'static str>,
    event_types: &'static [(&'static str, u64)],
    /// Substrings that must each appear in one of the entry's warnings.
    warnings: &'static [&'static str],
}

/// The bytes an entry describes: the file itself, a `.gz` decompressed, or a zip member.
fn entry_bytes(disk: &str, entry: &str) -> Vec<u8> {
    let raw = std::fs::read(fixtures().join(disk)).unwrap_or_else(|e| panic!("{disk}: {e}"));
    if let Some((_, member)) = entry.split_once("!/") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(raw)).unwrap_or_else(|e| panic!("{disk}: {e}"));
        let mut m = zip.by_name(member).unwrap_or_else(|e| panic!("{disk}!/{member}: {e}"));
        let mut out = Vec::new();
        m.read_to_end(&mut out).unwrap_or_else(|e| panic!("{disk}!/{member}: {e}"));
        out
    } else if disk.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap_or_else(|e| panic!("{disk}: {e}"));
        out
    } else {
        raw
    }
}

/// Inventory `disk` alone and compare its entry `entry` with `e`; report every mismatch at once.
fn check(disk: &str, entry: &str, e: &Expect) {
    let inv = inventory_json(&[disk]);
    let f = file_entry(&inv, entry);
    let mut bad = Vec::new();
    if f["format"].as_str() != e.format {
        bad.push(format!("format: expected {:?}, got {}", e.format, f["format"]));
    }
    for (key, want) in [("records", e.records), ("rejected", e.rejected), ("duplicates", e.duplicates)] {
        if f[key].as_u64() != Some(want) {
            bad.push(format!("{key}: expected {want}, got {}", f[key]));
        }
    }
    for (key, want) in [("first", e.first), ("last", e.last)] {
        if f[key].as_str() != want {
            bad.push(format!("{key}: expected {want:?}, got {}", f[key]));
        }
    }
    let got: BTreeMap<String, u64> =
        f["by_event_type"].as_object().map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))).collect()).unwrap_or_default();
    let want: BTreeMap<String, u64> = e.event_types.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    if got != want {
        bad.push(format!("by_event_type: expected {want:?}, got {got:?}"));
    }
    let ws = warnings(f);
    for w in e.warnings {
        if !ws.iter().any(|x| x.contains(w)) {
            bad.push(format!("no warning contains {w:?}; warnings: {ws:?}"));
        }
    }
    let listed = f["rejects"].as_array().map_or(0, Vec::len) as u64;
    if listed != e.rejected.min(100) {
        bad.push(format!("rejects[] lists {listed} record(s), expected {}", e.rejected.min(100)));
    }
    // Hashes and sizes: of the evidence file, or of the decoded member plus the container's own hash.
    let disk_bytes = std::fs::read(fixtures().join(disk)).unwrap_or_else(|err| panic!("{disk}: {err}"));
    if disk == entry {
        if f["sha256"].as_str() != Some(sha256_hex(&disk_bytes).as_str()) || f["bytes"].as_u64() != Some(disk_bytes.len() as u64) {
            bad.push(format!("sha256/bytes do not describe the evidence file: {} / {}", f["sha256"], f["bytes"]));
        }
        if !f["container"].is_null() {
            bad.push(format!("unexpected container: {}", f["container"]));
        }
    } else {
        let inner = entry_bytes(disk, entry);
        if f["sha256"].as_str() != Some(sha256_hex(&inner).as_str()) || f["bytes"].as_u64() != Some(inner.len() as u64) {
            bad.push(format!("sha256/bytes do not describe the decoded input: {} / {}", f["sha256"], f["bytes"]));
        }
        if f["container"]["path"].as_str() != Some(disk) || f["container"]["sha256"].as_str() != Some(sha256_hex(&disk_bytes).as_str()) {
            bad.push(format!("container does not name the evidence file and its hash: {}", f["container"]));
        }
    }
    assert!(bad.is_empty(), "{entry}:\n  {}\nentry: {f:#}", bad.join("\n  "));
}

// ---------------------------------------------------------------- one test per input

#[test]
fn az_rest_pages_appended() {
    check(
        "evidence/json/az-pages-appended.json",
        "evidence/json/az-pages-appended.json",
        &Expect {
            format: Some("graph-beta"),
            records: 5,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-02T11:02:44.903100Z"),
            last: Some("2026-01-03T10:01:59.999000Z"),
            event_types: &[("interactiveUser", 3), ("nonInteractiveUser", 2)],
            warnings: &[],
        },
    );
}

#[test]
fn az_rest_utf8_bom_crlf() {
    check(
        "evidence/json/az-rest-bom.json",
        "evidence/json/az-rest-bom.json",
        &Expect {
            format: Some("graph-beta"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-05T06:00:01.500000Z"),
            last: Some("2026-01-05T07:31:15.123000Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &["UTF-8 byte-order mark"],
        },
    );
}

#[test]
fn az_rest_no_bom() {
    check(
        "evidence/json/az-rest.json",
        "evidence/json/az-rest.json",
        &Expect {
            format: Some("graph-beta"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-05T07:31:15.123000Z"),
            last: Some("2026-01-05T09:12:44.512000Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &[],
        },
    );
}

#[test]
fn azure_monitor_event_hub_batch() {
    check(
        "evidence/json/azure-monitor/eventhub-records.json",
        "evidence/json/azure-monitor/eventhub-records.json",
        &Expect {
            format: Some("azure-monitor"),
            records: 5,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-02T13:30:00.250000Z"),
            last: Some("2026-01-07T10:15:15.227983Z"),
            event_types: &[("interactiveUser", 2), ("managedIdentity", 1), ("nonInteractiveUser", 1), ("servicePrincipal", 1)],
            warnings: &[],
        },
    );
}

#[test]
fn azure_monitor_storage_blob_one_record_per_line() {
    check(
        "evidence/json/azure-monitor/insights-logs-signinlogs/tenantId=8c1d2e3f-4a5b-4c6d-8e7f-c0a1b2c3d4e5/y=2026/m=01/d=07/h=11/m=00/PT1H.json",
        "evidence/json/azure-monitor/insights-logs-signinlogs/tenantId=8c1d2e3f-4a5b-4c6d-8e7f-c0a1b2c3d4e5/y=2026/m=01/d=07/h=11/m=00/PT1H.json",
        &Expect {
            format: Some("azure-monitor"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-07T10:00:00.123456Z"),
            last: Some("2026-01-07T11:30:45.500000Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &[],
        },
    );
}

#[test]
fn extractor_suite_back_to_back_arrays() {
    check(
        "evidence/json/extractor-suite/interactiveUser & nonInteractiveUser/20260106101512-SignInLogs.json",
        "evidence/json/extractor-suite/interactiveUser & nonInteractiveUser/20260106101512-SignInLogs.json",
        &Expect {
            format: Some("graph-records"),
            records: 5,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-03T09:12:44Z"),
            last: Some("2026-01-06T09:59:59.999999Z"),
            event_types: &[("interactiveUser", 4), ("nonInteractiveUser", 1)],
            warnings: &[],
        },
    );
}

#[test]
fn extractor_suite_bare_object_page() {
    check(
        "evidence/json/extractor-suite/servicePrincipal/20260106101530-SignInLogs.json",
        "evidence/json/extractor-suite/servicePrincipal/20260106101530-SignInLogs.json",
        &Expect {
            format: Some("graph-records"),
            records: 1,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-06T10:15:12.200000Z"),
            last: Some("2026-01-06T10:15:12.200000Z"),
            event_types: &[("servicePrincipal", 1)],
            warnings: &[],
        },
    );
}

#[test]
fn graph_beta_page() {
    check(
        "evidence/json/graph-beta-page.json",
        "evidence/json/graph-beta-page.json",
        &Expect {
            format: Some("graph-beta"),
            records: 5,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-02T09:14:07Z"),
            last: Some("2026-01-02T13:30:00.250000Z"),
            event_types: &[("interactiveUser", 4), ("nonInteractiveUser", 1)],
            warnings: &[],
        },
    );
}

#[test]
fn graph_error_response_is_reported_not_parsed() {
    check(
        "evidence/json/graph-error-throttled.json",
        "evidence/json/graph-error-throttled.json",
        &Expect {
            format: Some("json"),
            records: 0,
            rejected: 0,
            duplicates: 0,
            first: None,
            last: None,
            event_types: &[],
            warnings: &["Graph error response", "TooManyRequests"],
        },
    );
}

#[test]
fn single_bare_record() {
    check(
        "evidence/json/graph-single-record.json",
        "evidence/json/graph-single-record.json",
        &Expect {
            format: Some("graph-records"),
            records: 1,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-04T13:37:00.420000Z"),
            last: Some("2026-01-04T13:37:00.420000Z"),
            event_types: &[("interactiveUser", 1)],
            warnings: &[],
        },
    );
}

#[test]
fn graph_v1_0_page() {
    check(
        "evidence/json/graph-v1.0-page.json",
        "evidence/json/graph-v1.0-page.json",
        &Expect {
            format: Some("graph-v1.0"),
            records: 4,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-02T08:01:12.446602Z"),
            last: Some("2026-01-02T10:20:31.500000Z"),
            event_types: &[("interactiveUser", 4)],
            warnings: &[],
        },
    );
}

#[test]
fn incomplete_export_page_1() {
    check(
        "evidence/json/incomplete-export/signins_1.json",
        "evidence/json/incomplete-export/signins_1.json",
        &Expect {
            format: Some("graph-beta"),
            records: 2,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-08T05:30:00Z"),
            last: Some("2026-01-08T06:00:00Z"),
            event_types: &[("interactiveUser", 2)],
            warnings: &[],
        },
    );
}

#[test]
fn incomplete_export_page_2() {
    check(
        "evidence/json/incomplete-export/signins_2.json",
        "evidence/json/incomplete-export/signins_2.json",
        &Expect {
            format: Some("graph-beta"),
            records: 2,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-08T04:30:00Z"),
            last: Some("2026-01-08T05:00:00Z"),
            event_types: &[("interactiveUser", 2)],
            // One page per file: the set, not the file, is judged (see the evidence-wide warning).
            warnings: &[],
        },
    );
}

#[test]
fn jq_slurp_array_of_pages() {
    check(
        "evidence/json/jq-array-of-pages.json",
        "evidence/json/jq-array-of-pages.json",
        &Expect {
            format: Some("graph-beta"),
            records: 4,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-03T07:55:18.012000Z"),
            last: Some("2026-01-03T16:47:02.123456Z"),
            event_types: &[("interactiveUser", 3), ("nonInteractiveUser", 1)],
            warnings: &[],
        },
    );
}

#[test]
fn jq_slurp_array_of_arrays() {
    check(
        "evidence/json/jq-slurp-extractor-suite.json",
        "evidence/json/jq-slurp-extractor-suite.json",
        &Expect {
            format: Some("graph-records"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-06T16:00:00Z"),
            last: Some("2026-01-06T17:00:00Z"),
            event_types: &[("interactiveUser", 2), ("nonInteractiveUser", 1)],
            warnings: &[],
        },
    );
}

#[test]
fn jq_array_of_records() {
    check(
        "evidence/json/jq-records-array.json",
        "evidence/json/jq-records-array.json",
        &Expect {
            format: Some("graph-records"),
            records: 4,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-03T08:40:03.310000Z"),
            last: Some("2026-01-04T08:02:12.040000Z"),
            event_types: &[("interactiveUser", 4)],
            warnings: &[],
        },
    );
}

#[test]
fn jq_json_lines_of_records() {
    check(
        "evidence/json/jq-records.jsonl",
        "evidence/json/jq-records.jsonl",
        &Expect {
            format: Some("graph-records"),
            records: 6,
            rejected: 0,
            duplicates: 1,
            first: Some("2026-01-04T06:30:00Z"),
            last: Some("2026-01-04T12:00:59.500000Z"),
            event_types: &[("interactiveUser", 4), ("nonInteractiveUser", 2)],
            warnings: &[],
        },
    );
}

#[test]
fn log_analytics_rows_json_text_columns() {
    check(
        "evidence/json/log-analytics/aad-noninteractive-rows.json",
        "evidence/json/log-analytics/aad-noninteractive-rows.json",
        &Expect {
            format: Some("log-analytics-json"),
            records: 4,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-02T11:02:44.903000Z"),
            last: Some("2026-01-07T08:20:20.200000Z"),
            event_types: &[("nonInteractiveUser", 4)],
            warnings: &[],
        },
    );
}

#[test]
fn log_analytics_query_api_tables() {
    check(
        "evidence/json/log-analytics/query-api-signinlogs.json",
        "evidence/json/log-analytics/query-api-signinlogs.json",
        &Expect {
            format: Some("log-analytics-query"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-02T08:01:12.446000Z"),
            last: Some("2026-01-07T09:30:00Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &[],
        },
    );
}

#[test]
fn portal_json_download() {
    check(
        "evidence/json/portal/InteractiveSignIns_2026-01-01_2026-01-08.json",
        "evidence/json/portal/InteractiveSignIns_2026-01-01_2026-01-08.json",
        &Expect {
            format: Some("graph-records"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-02T12:45:09.777000Z"),
            last: Some("2026-01-07T07:07:07.700000Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &[],
        },
    );
}

#[test]
fn powershell_azureadpreview_convertto_json() {
    check(
        "evidence/json/powershell/azureadpreview-convertto-json.json",
        "evidence/json/powershell/azureadpreview-convertto-json.json",
        &Expect {
            format: Some("powershell-json"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-02T08:03:55.100000Z"),
            last: Some("2026-01-06T11:42:18Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &["UTF-8 byte-order mark"],
        },
    );
}

#[test]
fn powershell_get_mg_ps51_depth_truncated() {
    check(
        "evidence/json/powershell/get-mgauditlogsignin-ps51-depth2.json",
        "evidence/json/powershell/get-mgauditlogsignin-ps51-depth2.json",
        &Expect {
            format: Some("powershell-json"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-06T12:05:00.123000Z"),
            last: Some("2026-01-06T14:15:30.789000Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &["UTF-8 byte-order mark", "3 record(s) have fields the export destroyed"],
        },
    );
}

#[test]
fn malformed_readme_is_unrecognized() {
    check(
        "evidence/malformed/README.txt",
        "evidence/malformed/README.txt",
        &Expect {
            format: None,
            records: 0,
            rejected: 0,
            duplicates: 0,
            first: None,
            last: None,
            event_types: &[],
            warnings: &["unrecognized file"],
        },
    );
}

#[test]
fn malformed_az_rest_with_stderr_warning_first() {
    check(
        "evidence/malformed/az-rest-stderr-mixed.json",
        "evidence/malformed/az-rest-stderr-mixed.json",
        &Expect {
            format: Some("graph-beta"),
            records: 2,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-01T21:00:00Z"),
            last: Some("2026-01-01T21:30:00Z"),
            event_types: &[("interactiveUser", 2)],
            warnings: &["skipped non-JSON text"],
        },
    );
}

#[test]
fn malformed_empty_file() {
    check(
        "evidence/malformed/empty.json",
        "evidence/malformed/empty.json",
        &Expect {
            format: None,
            records: 0,
            rejected: 0,
            duplicates: 0,
            first: None,
            last: None,
            event_types: &[],
            warnings: &["empty file"],
        },
    );
}

#[test]
fn malformed_json_lines_first_line_cut() {
    check(
        "evidence/malformed/jsonl-first-line-cut.jsonl",
        "evidence/malformed/jsonl-first-line-cut.jsonl",
        &Expect {
            format: Some("graph-records"),
            records: 3,
            rejected: 1,
            duplicates: 0,
            first: Some("2026-01-01T22:00:00Z"),
            last: Some("2026-01-01T22:20:00Z"),
            event_types: &[("interactiveUser", 2), ("nonInteractiveUser", 1)],
            warnings: &[],
        },
    );
}

#[test]
fn malformed_page_mixing_good_and_bad_records() {
    check(
        "evidence/malformed/mixed-good-bad-page.json",
        "evidence/malformed/mixed-good-bad-page.json",
        &Expect {
            format: Some("graph-beta"),
            records: 3,
            rejected: 3,
            duplicates: 0,
            first: Some("2026-01-01T18:30:00Z"),
            last: Some("2026-01-01T18:50:00Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &[],
        },
    );
}

#[test]
fn malformed_json_lines_with_invalid_lines() {
    check(
        "evidence/malformed/mixed-lines.jsonl",
        "evidence/malformed/mixed-lines.jsonl",
        &Expect {
            format: Some("graph-records"),
            records: 4,
            rejected: 2,
            duplicates: 0,
            first: Some("2026-01-01T17:00:00Z"),
            last: Some("2026-01-01T17:30:00Z"),
            event_types: &[("interactiveUser", 4)],
            warnings: &[],
        },
    );
}

#[test]
fn malformed_records_without_timestamp() {
    check(
        "evidence/malformed/no-timestamp.json",
        "evidence/malformed/no-timestamp.json",
        &Expect {
            format: Some("graph-records"),
            records: 0,
            rejected: 2,
            duplicates: 0,
            first: None,
            last: None,
            event_types: &[],
            warnings: &[],
        },
    );
}

#[test]
fn malformed_records_without_user() {
    check(
        "evidence/malformed/no-user.json",
        "evidence/malformed/no-user.json",
        &Expect {
            format: Some("graph-records"),
            records: 0,
            rejected: 2,
            duplicates: 0,
            first: None,
            last: None,
            event_types: &[],
            warnings: &[],
        },
    );
}

#[test]
fn malformed_gzip_page() {
    check(
        "evidence/malformed/page.json.gz",
        "evidence/malformed/page.json.gz",
        &Expect {
            format: Some("graph-v1.0"),
            records: 3,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-01T13:00:00Z"),
            last: Some("2026-01-01T14:00:00Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &["gzip-compressed"],
        },
    );
}

#[test]
fn malformed_zip_member_page_1() {
    check(
        "evidence/malformed/pages.zip",
        "evidence/malformed/pages.zip!/signins/page-1.json",
        &Expect {
            format: Some("graph-beta"),
            records: 2,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-01T15:00:00Z"),
            last: Some("2026-01-01T15:30:00Z"),
            event_types: &[("interactiveUser", 2)],
            warnings: &["zip member"],
        },
    );
}

#[test]
fn malformed_zip_member_page_2() {
    check(
        "evidence/malformed/pages.zip",
        "evidence/malformed/pages.zip!/signins/page-2.json",
        &Expect {
            format: Some("graph-beta"),
            records: 2,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-01T16:00:00Z"),
            last: Some("2026-01-02T08:01:12.446602Z"),
            event_types: &[("interactiveUser", 2)],
            warnings: &["zip member"],
        },
    );
}

#[test]
fn malformed_binary_blob() {
    check(
        "evidence/malformed/screenshot.png",
        "evidence/malformed/screenshot.png",
        &Expect {
            format: None,
            records: 0,
            rejected: 0,
            duplicates: 0,
            first: None,
            last: None,
            event_types: &[],
            warnings: &["unrecognized file", "binary data"],
        },
    );
}

#[test]
fn malformed_trailing_commas() {
    check(
        "evidence/malformed/trailing-comma-page.json",
        "evidence/malformed/trailing-comma-page.json",
        &Expect {
            format: Some("graph-v1.0"),
            records: 2,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-01T10:00:00.500000Z"),
            last: Some("2026-01-01T10:30:00.500000Z"),
            event_types: &[("interactiveUser", 2)],
            warnings: &["2 trailing comma(s) ignored"],
        },
    );
}

#[test]
fn malformed_truncated_page() {
    check(
        "evidence/malformed/truncated-page.json",
        "evidence/malformed/truncated-page.json",
        &Expect {
            format: Some("graph-page"),
            records: 3,
            rejected: 1,
            duplicates: 0,
            first: Some("2026-01-01T09:00:00Z"),
            last: Some("2026-01-01T09:20:00Z"),
            event_types: &[("interactiveUser", 3)],
            warnings: &["truncated JSON value; its 3 complete element(s) were read"],
        },
    );
}

#[test]
fn malformed_utf16le_with_bom() {
    check(
        "evidence/malformed/utf16le-bom-page.json",
        "evidence/malformed/utf16le-bom-page.json",
        &Expect {
            format: Some("graph-beta"),
            records: 2,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-01T11:00:00Z"),
            last: Some("2026-01-01T11:30:00Z"),
            event_types: &[("interactiveUser", 2)],
            warnings: &["UTF-16LE transcoded"],
        },
    );
}

#[test]
fn malformed_utf16le_without_bom() {
    check(
        "evidence/malformed/utf16le-nobom-page.json",
        "evidence/malformed/utf16le-nobom-page.json",
        &Expect {
            format: Some("graph-beta"),
            records: 2,
            rejected: 0,
            duplicates: 0,
            first: Some("2026-01-01T12:00:00Z"),
            last: Some("2026-01-01T12:30:00Z"),
            event_types: &[("interactiveUser", 2)],
            warnings: &["UTF-16LE transcoded"],
        },
    );
}

#[test]
fn malformed_whitespace_only() {
    check(
        "evidence/malformed/whitespace-only.json",
        "evidence/malformed/whitespace-only.json",
        &Expect {
            format: None,
            records: 0,
            rejected: 0,
            duplicates: 0,
            first: None,
            last: None,
            event_types: &[],
            warnings: &["empty file"],
        },
    );
}

// ---------------------------------------------------------------- rejections

fn rejects(f: &Value) -> Vec<(String, String)> {
    f["rejects"]
        .as_array()
        .map(|a| {
            a.iter().map(|r| (r["position"].as_str().unwrap_or("").to_string(), r["reason"].as_str().unwrap_or("").to_string())).collect()
        })
        .unwrap_or_default()
}

#[test]
fn truncated_page_rejects_the_cut_record_at_its_offset() {
    let path = "evidence/malformed/truncated-page.json";
    let bytes = std::fs::read(fixtures().join(path)).expect("fixture");
    // The cut record is the last element that opens in the file: "\n    {\n" at the page's record depth.
    let at = bytes.windows(7).rposition(|w| w == b"\n    {\n").expect("a record start") + 5;
    let inv = inventory_json(&[path]);
    let r = rejects(file_entry(&inv, path));
    assert_eq!(r, vec![(format!("record 4, byte {at}"), "record cut short (truncated file)".to_string())]);
}

#[test]
fn invalid_json_lines_are_rejected_by_line_number() {
    let path = "evidence/malformed/mixed-lines.jsonl";
    let inv = inventory_json(&[path]);
    let r = rejects(file_entry(&inv, path));
    let bytes = std::fs::read(fixtures().join(path)).expect("fixture");
    let line_start = |n: usize| bytes.split(|&b| b == b'\n').take(n - 1).map(|l| l.len() + 1).sum::<usize>();
    let positions: Vec<&str> = r.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(positions, [format!("record 3, line 3, byte {}", line_start(3)), format!("record 5, line 5, byte {}", line_start(5))]);
    assert!(r.iter().all(|(_, why)| why.starts_with("invalid JSON")), "{r:?}");
}

#[test]
fn bad_elements_of_a_page_are_rejected_with_their_reason() {
    let path = "evidence/malformed/mixed-good-bad-page.json";
    let inv = inventory_json(&[path]);
    let r = rejects(file_entry(&inv, path));
    let reasons: Vec<&str> = r.iter().map(|(_, why)| why.as_str()).collect();
    assert_eq!(reasons, ["no usable timestamp", "no user or service principal", "page element is not an object"]);
    // Each position is the first byte of the element itself: `{` of a record, `n` of the `null`.
    let bytes = std::fs::read(fixtures().join(path)).expect("fixture");
    let mut starts = Vec::new();
    for (i, (p, _)) in r.iter().enumerate() {
        let (record, byte) = p.split_once(", byte ").unwrap_or_else(|| panic!("{p}"));
        assert_eq!(record, format!("record {}", i + 3));
        starts.push(bytes[byte.parse::<usize>().unwrap_or_else(|_| panic!("{p}"))]);
    }
    assert_eq!(starts, [b'{', b'{', b'n']);
}

// ---------------------------------------------------------------- the whole evidence directory

/// Per input of the whole-evidence run: duplicates dropped from it. The kept copy of a sign-in is the
/// one with the most fields, ties going to the earliest path; see tests/fixtures/README.md.
const WHOLE_RUN_DUPLICATES: &[(&str, u64)] = &[
    // E01 (kept in pages.zip page-2, the richer beta copy), E02 (AzureADPreview), E03, E04 (beta page)
    ("evidence/json/graph-v1.0-page.json", 4),
    // E05: identical copy in az-pages-appended.json (earlier path); E07: identical copy in the Event Hub batch
    ("evidence/json/graph-beta-page.json", 2),
    ("evidence/json/az-rest.json", 1),
    (
        "evidence/json/azure-monitor/insights-logs-signinlogs/tenantId=8c1d2e3f-4a5b-4c6d-8e7f-c0a1b2c3d4e5/y=2026/m=01/d=07/h=11/m=00/PT1H.json",
        1,
    ),
    ("evidence/json/extractor-suite/interactiveUser & nonInteractiveUser/20260106101512-SignInLogs.json", 1),
    ("evidence/json/jq-array-of-pages.json", 1),
    ("evidence/json/jq-records-array.json", 1),
    // E23 twice in the file, E19 also in jq-records-array.json (earlier path)
    ("evidence/json/jq-records.jsonl", 2),
    ("evidence/json/log-analytics/aad-noninteractive-rows.json", 1),
    ("evidence/json/log-analytics/query-api-signinlogs.json", 1),
    ("evidence/json/portal/InteractiveSignIns_2026-01-01_2026-01-08.json", 1),
];

#[test]
fn duplicates_are_dropped_from_the_poorer_or_later_copy() {
    let inv = inventory_json(&["evidence/json", "evidence/malformed"]);
    let want: BTreeMap<&str, u64> = WHOLE_RUN_DUPLICATES.iter().copied().collect();
    let mut bad = Vec::new();
    for f in inv["files"].as_array().expect("files") {
        let path = f["path"].as_str().expect("path");
        let expected = want.get(path).copied().unwrap_or(0);
        if f["duplicates"].as_u64() != Some(expected) {
            bad.push(format!("{path}: expected {expected} duplicate(s), got {}", f["duplicates"]));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(inv["totals"]["duplicates"], 16);
}

#[test]
fn totals_are_consistent_with_the_files() {
    let inv = inventory_json(&["evidence"]);
    let files = inv["files"].as_array().expect("files");
    let t = &inv["totals"];
    let sum = |k: &str| files.iter().map(|f| f[k].as_u64().expect(k)).sum::<u64>();
    assert_eq!(t["files"].as_u64(), Some(files.len() as u64));
    assert_eq!(t["records"].as_u64(), Some(sum("records")));
    assert_eq!(t["rejected"].as_u64(), Some(sum("rejected")));
    assert_eq!(t["duplicates"].as_u64(), Some(sum("duplicates")));
    assert_eq!(t["unique_sign_ins"].as_u64(), Some(sum("records") - sum("duplicates")));
    let by_type: u64 = t["by_event_type"].as_object().expect("by_event_type").values().map(|v| v.as_u64().expect("count")).sum();
    assert_eq!(t["unique_sign_ins"].as_u64(), Some(by_type));
}

#[test]
fn principals_time_span_and_service_sign_ins() {
    let inv = inventory_json(&["evidence/json", "evidence/malformed"]);
    let t = &inv["totals"];
    // alex, priya, sam, mei, zoe, elena; the backup-sync service principal and the managed identity.
    assert_eq!(t["users"], 6);
    assert_eq!(t["service_principals"], 2);
    assert_eq!(t["first"], "2026-01-01T09:00:00Z");
    assert_eq!(t["last"], "2026-01-08T06:00:00Z");
    assert_eq!(t["by_event_type"]["servicePrincipal"], 2);
    assert_eq!(t["by_event_type"]["managedIdentity"], 1);
    // The only evidence-wide warning: the deliberately incomplete two-page set.
    let ws = warnings(&inv);
    assert_eq!(ws.len(), 1, "{ws:?}");
    assert!(ws[0].starts_with("Graph export incomplete in evidence/json/incomplete-export"), "{ws:?}");
}

#[test]
fn whole_evidence_totals_match_the_fixture_design() {
    let inv = inventory_json(&["evidence/json", "evidence/malformed"]);
    let t = &inv["totals"];
    assert_eq!(t["records"], 100);
    assert_eq!(t["duplicates"], 16);
    assert_eq!(t["unique_sign_ins"], 84);
    assert_eq!(t["rejected"], 11);
    assert_eq!(
        t["by_event_type"],
        serde_json::json!({"interactiveUser": 70, "nonInteractiveUser": 11, "servicePrincipal": 2, "managedIdentity": 1})
    );
}

// ---------------------------------------------------------------- Graph paging

#[test]
fn a_set_of_pages_that_all_carry_next_link_is_an_incomplete_export() {
    let inv = inventory_json(&["evidence/json/incomplete-export"]);
    let ws = warnings(&inv);
    assert!(
        ws.iter().any(|w| w.starts_with("Graph export incomplete in evidence/json/incomplete-export: all 2 saved page(s) carry @odata.nextLink")),
        "{ws:?}"
    );
}

#[test]
fn pages_appended_or_slurped_whose_last_page_ends_the_run_are_complete() {
    for path in ["evidence/json/az-pages-appended.json", "evidence/json/jq-array-of-pages.json"] {
        let inv = inventory_json(&[path]);
        let ws: Vec<String> = warnings(file_entry(&inv, path)).into_iter().chain(warnings(&inv)).collect();
        assert!(!ws.iter().any(|w| w.contains("incomplete")), "{path}: {ws:?}");
    }
}

#[test]
fn a_complete_two_page_export_is_not_flagged_incomplete() {
    let inv = inventory_json(&["evidence/malformed/pages.zip"]);
    let page1 = file_entry(&inv, "evidence/malformed/pages.zip!/signins/page-1.json");
    let ws: Vec<String> = warnings(page1).into_iter().chain(warnings(&inv)).collect();
    assert!(!ws.iter().any(|w| w.contains("incomplete")), "{ws:?}");
}
