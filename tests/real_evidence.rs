//! What real evidence folders hold besides clean sign-in pages, over `tests/fixtures/real-evidence`
//! (synthetic, see `tests/fixtures/README.md`): records of other logs in a diagnostic-settings
//! export, request ids shared by two sign-ins, Log Analytics custom-table columns, CSV rows whose
//! cells do not line up, damaged JSON that still holds whole records, and a CSV without its time
//! column. Also the two promises every report makes: every record read is accounted for, and every
//! citation points at the first byte of its record.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use common::*;
use serde_json::Value;
use signin_audit::ingest::json::split::value_end;
use signin_audit::ingest::{IngestOptions, Ingested, ingest};
use signin_audit::model::schema::col;

fn ingest_fixture(path: &str) -> Ingested {
    let p: PathBuf = fixtures().join(path);
    ingest(&[p], &IngestOptions::default()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A dictionary or string cell, `None` for null.
fn text(b: &RecordBatch, name: &str, row: usize) -> Option<String> {
    let a = b.column_by_name(name).unwrap_or_else(|| panic!("no column {name}"));
    if a.is_null(row) {
        return None;
    }
    Some(match a.as_dictionary_opt::<Int32Type>() {
        Some(d) => d.values().as_string::<i32>().value(d.keys().value(row) as usize).to_string(),
        None => a.as_string::<i32>().value(row).to_string(),
    })
}

fn u64_cell(b: &RecordBatch, name: &str, row: usize) -> Option<u64> {
    let a = b.column_by_name(name).unwrap_or_else(|| panic!("no column {name}")).as_primitive::<UInt64Type>();
    a.is_valid(row).then(|| a.value(row))
}

/// Rows of the table by request id.
fn by_id(b: &RecordBatch) -> BTreeMap<String, Vec<usize>> {
    let mut m: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for row in 0..b.num_rows() {
        m.entry(text(b, col::REQUEST_ID, row).unwrap_or_default()).or_default().push(row);
    }
    m
}

/// Request id of sign-in Fnn of these fixtures.
fn rid(n: u32) -> String {
    format!("5e1b{n:04}-0c0d-4e5a-9a1b-{n:012}")
}

/// The text the evidence layer parses for an input: BOM skipped, UTF-16 transcoded.
fn decoded(path: &str) -> Vec<u8> {
    let raw = input_bytes(path);
    if let Some(rest) = raw.strip_prefix(b"\xEF\xBB\xBF") {
        return rest.to_vec();
    }
    let utf16 = raw.starts_with(b"\xFF\xFE") || (raw.len() > 8 && raw[1] == 0 && raw[3] == 0 && raw[0] != 0);
    if utf16 {
        let body = raw.strip_prefix(b"\xFF\xFE").unwrap_or(&raw);
        let units: Vec<u16> = body.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return String::from_utf16(&units).unwrap_or_else(|e| panic!("{path}: {e}")).into_bytes();
    }
    raw
}

// ---------------------------------------------------------------- every record accounted for

/// Per file and in total: records in = sign-ins kept + rejected + duplicates + not sign-ins.
#[test]
fn every_record_read_is_accounted_for_on_every_fixture() {
    let mut seen = BTreeMap::new();
    for dir in ["evidence", "real-evidence"] {
        let inv = inventory_json(&[dir]);
        for f in inv["files"].as_array().expect("files") {
            let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("{k} missing in {f}"));
            let categories: u64 = f["not_sign_in_by_category"].as_object().expect("categories").values().filter_map(Value::as_u64).sum();
            assert_eq!(n("records_in"), n("sign_ins") + n("rejected") + n("duplicates") + n("not_sign_in"), "{}", f["path"]);
            assert_eq!(n("records"), n("sign_ins") + n("duplicates"), "{}", f["path"]);
            assert_eq!(n("not_sign_in"), categories, "{}", f["path"]);
            for k in ["sign_ins", "rejected", "duplicates", "not_sign_in"] {
                *seen.entry(k).or_insert(0) += n(k);
            }
        }
        let t = &inv["totals"];
        let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("totals.{k} missing"));
        assert_eq!(n("records_in"), n("unique_sign_ins") + n("rejected") + n("duplicates") + n("not_sign_in"), "{dir}");
    }
    // The check means something only if every kind of outcome occurs in the fixtures.
    assert!(seen.values().all(|&v| v > 0), "{seen:?}");
}

// ---------------------------------------------------------------- citations

/// A row's (offset, record, line, request id).
type Cited = (u64, u64, Option<u64>, String);

/// Every normalized row's (offset, record, line) points at its record: the bytes at the offset
/// start the record (a JSON value, or a CSV row / JSON line) and hold its request id, records are
/// numbered in file order, and the line is the line the offset is on.
#[test]
fn every_citation_points_at_the_first_byte_of_its_record() {
    let mut checked = 0;
    for dir in ["evidence/json", "evidence/malformed", "evidence/csv", "real-evidence"] {
        let ing = ingest_fixture(dir);
        let b = &ing.table.batch;
        let mut per_file: BTreeMap<String, Vec<Cited>> = BTreeMap::new();
        for row in 0..b.num_rows() {
            let Some(id) = text(b, col::REQUEST_ID, row) else { continue };
            let file = text(b, col::SOURCE_FILE, row).expect("file");
            let at = (u64_cell(b, col::SOURCE_OFFSET, row).expect("offset"), u64_cell(b, col::SOURCE_RECORD, row).expect("record"));
            per_file.entry(file).or_default().push((at.0, at.1, u64_cell(b, col::SOURCE_LINE, row), id));
        }
        for (file, mut rows) in per_file {
            let rel = file.strip_prefix(&format!("{}/", fixtures().display())).unwrap_or(&file).to_string();
            let bytes = decoded(&rel);
            rows.sort();
            for (i, (offset, record, line, id)) in rows.iter().enumerate() {
                let start = *offset as usize;
                assert!(start < bytes.len(), "{rel}: offset {offset} past the end");
                assert!(i == 0 || *record > rows[i - 1].1, "{rel}: records are numbered in file order ({record} at byte {offset})");
                let end = match bytes[start] {
                    b'{' | b'[' => value_end(&bytes, start).unwrap_or(bytes.len()),
                    _ => rows.get(i + 1).map_or(bytes.len(), |n| n.0 as usize),
                };
                let span = String::from_utf8_lossy(&bytes[start..end]).to_lowercase();
                assert!(span.contains(id.as_str()), "{rel}: request id {id} not in the record cited at byte {offset} (record {record})");
                // The record alone, not the page around it.
                let others: Vec<&String> = rows.iter().map(|r| &r.3).filter(|o| *o != id && span.contains(o.as_str())).collect();
                assert!(others.is_empty(), "{rel}: the value cited for {id} at byte {offset} also holds {others:?}");
                if let Some(l) = line {
                    let newlines = bytes[..start].iter().filter(|&&c| c == b'\n').count() as u64;
                    assert_eq!(*l, newlines + 1, "{rel}: line of the record at byte {offset}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} rows checked");
}

/// A finding cites file, offset, record and line; the cited bytes hold the cited sign-in.
#[test]
fn findings_cite_the_bytes_of_their_sign_ins() {
    let args = ["audit", "-o", "json", "--risk-threshold", "medium", "../../samples"];
    let o = run(&args);
    assert!(matches!(o.status.code(), Some(0 | 2 | 3)), "{}", describe(&args, &o));
    let report: Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let mut checked = 0;
    for f in report["findings"].as_array().expect("findings") {
        let ids = f["sign_in_ids"].as_array().expect("ids");
        for (cite, id) in f["evidence"].as_array().expect("evidence").iter().zip(ids) {
            let file = cite["file"].as_str().expect("file");
            let bytes = decoded(file);
            let start = cite["offset"].as_u64().expect("offset") as usize;
            assert!(cite["record"].as_u64().is_some_and(|r| r >= 1), "{cite}");
            let end = match bytes.get(start) {
                Some(b'{' | b'[') => value_end(&bytes, start).unwrap_or_else(|_| panic!("no JSON value at {cite}")),
                // A CSV row (the samples' portal rows hold no line breaks).
                _ => start + bytes[start..].iter().position(|&c| c == b'\n').unwrap_or(bytes.len() - start),
            };
            if let Some(line) = cite["line"].as_u64() {
                assert_eq!(line, bytes[..start].iter().filter(|&&c| c == b'\n').count() as u64 + 1, "{cite}");
            }
            let id = id.as_str().expect("id");
            assert!(String::from_utf8_lossy(&bytes[start..end]).to_lowercase().contains(id), "{id} not at {cite}");
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} citations checked");
}

// ---------------------------------------------------------------- records of other logs

/// Not-a-sign-in counts by category.
type Categories = &'static [(&'static str, u64)];

#[test]
fn records_of_other_logs_are_counted_by_category_never_rejected() {
    let inv = inventory_json(&["real-evidence/mixed-categories"]);
    let expect: &[(&str, u64, Categories)] = &[
        (
            "real-evidence/mixed-categories/storage/PT1H.json",
            2,
            &[
                ("ADFSSignInLogs", 1),
                ("AuditLogs", 1),
                ("MicrosoftGraphActivityLogs", 1),
                ("ProvisioningLogs", 1),
                ("RiskyUsers", 1),
                ("UserRiskEvents", 1),
            ],
        ),
        ("real-evidence/mixed-categories/eventhub/batch-0001.json", 1, &[("AuditLogs", 1), ("MicrosoftGraphActivityLogs", 1)]),
        ("real-evidence/mixed-categories/graph/directoryAudits.json", 0, &[("auditLogs/directoryAudits", 2)]),
        ("real-evidence/mixed-categories/graph/directoryAudits.jsonl", 0, &[("RoleManagement", 1), ("UserManagement", 1)]),
        ("real-evidence/mixed-categories/log-analytics/AuditLogs_export.csv", 0, &[("AuditLogs", 2)]),
        ("real-evidence/mixed-categories/log-analytics/union-signinlogs-auditlogs.json", 1, &[("AuditLogs", 1)]),
    ];
    for (path, sign_ins, categories) in expect {
        let f = file_entry(&inv, path);
        assert_eq!(f["sign_ins"], *sign_ins, "{path}: {f}");
        assert_eq!(f["rejected"], 0, "{path}: {f}");
        let want: BTreeMap<String, u64> = categories.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let got: BTreeMap<String, u64> = serde_json::from_value(f["not_sign_in_by_category"].clone()).expect("categories");
        assert_eq!(got, want, "{path}");
    }
    // Defender advanced-hunting rows say nothing about a log: not sign-ins, and the file is not an export.
    let f = file_entry(&inv, "real-evidence/mixed-categories/defender/IdentityLogonEvents.json");
    assert_eq!((f["rejected"].as_u64(), f["format"].is_null()), (Some(0), true), "{f}");
    // So --strict accepts the folder...
    let args = ["inventory", "--strict", "real-evidence/mixed-categories"];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&args, &o));
    // ... and a Graph API call made with python-requests is not a sign-in with a suspicious agent.
    let args = ["audit", "-o", "json", "--days", "3650", "--include-non-interactive", "real-evidence/mixed-categories"];
    let o = run(&args);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", describe(&args, &o)));
    assert!(report["findings"].as_array().expect("findings").iter().all(|f| f["detector"] != "suspicious_user_agent"), "{report}");
    let analysed: u64 = report["users"].as_array().expect("users").iter().filter_map(|u| u["sign_ins"].as_u64()).sum();
    assert_eq!(analysed, 4, "F01 F02 F03 F04");
}

// ---------------------------------------------------------------- request-id collisions

#[test]
fn one_request_id_on_two_sign_ins_keeps_both_and_says_so() {
    let path = "real-evidence/collisions/vendor-copied-ids.json";
    let inv = inventory_json(&[path]);
    let f = file_entry(&inv, path);
    assert_eq!((f["sign_ins"].as_u64(), f["duplicates"].as_u64()), (Some(3), Some(1)), "{f}");
    let w: Vec<String> = warnings(f).into_iter().filter(|w| w.starts_with("id collision")).collect();
    assert_eq!(w.len(), 1, "{f}");
    let bytes = decoded(path);
    for user in ["priya.natarajan@contoso.example", "sam.okafor@contoso.example"] {
        // Both positions are named, and each is the byte where that sign-in's record starts.
        let (_, rest) = w[0].split_once(user).unwrap_or_else(|| panic!("{user} not in {w:?}"));
        let byte: usize = rest.split("byte ").nth(1).and_then(|s| s.split(')').next()).and_then(|s| s.parse().ok()).expect("a byte");
        let end = value_end(&bytes, byte).expect("a record");
        let record = String::from_utf8_lossy(&bytes[byte..end]).to_string();
        assert!(record.contains(&rid(11)) && record.contains(user), "byte {byte}: {record}");
    }
    let ing = ingest_fixture(path);
    let b = &ing.table.batch;
    let rows = by_id(b);
    let users: Vec<Option<String>> = rows[&rid(11)].iter().map(|&r| text(b, col::PRINCIPAL, r)).collect();
    assert_eq!(users.len(), 2, "both sign-ins kept");
    // F10 twice (the second copy whole seconds, fewer fields): one sign-in, the richer copy kept.
    assert_eq!(rows[&rid(10)].len(), 1);
    let policies = b.column_by_name(col::CA_POLICIES).expect("ca").as_list::<i32>();
    assert_eq!(policies.value(rows[&rid(10)][0]).len(), 1, "the copy with the policies is kept");
}

// ---------------------------------------------------------------- custom-table columns

#[test]
fn custom_table_columns_feed_location_device_and_policies() {
    for path in ["real-evidence/custom-table/SigninLogs_CL_export.csv", "real-evidence/custom-table/entrasignins_cl_rows.json"] {
        let ing = ingest_fixture(path);
        let b = &ing.table.batch;
        assert_eq!(b.num_rows(), 2, "{path}");
        assert!(warnings_of(&ing).iter().any(|w| w.contains("custom-table columns")), "{path}");
        let lat = b.column_by_name(col::LATITUDE).expect("lat").as_primitive::<Float64Type>();
        let codes = b.column_by_name(col::ERROR_CODE).expect("code").as_primitive::<Int32Type>();
        let policies = b.column_by_name(col::CA_POLICIES).expect("ca").as_list::<i32>();
        let mut errors = Vec::new();
        for row in 0..b.num_rows() {
            for c in [col::CITY, col::COUNTRY, col::DEVICE_OS, col::DEVICE_BROWSER, col::IP_ADDRESS, col::USER_PRINCIPAL_NAME] {
                assert!(text(b, c, row).is_some(), "{path} row {row}: {c} empty");
            }
            assert!(lat.is_valid(row), "{path} row {row}: no coordinates");
            assert_eq!(policies.value(row).len(), 1, "{path} row {row}: CA policies");
            errors.push(codes.value(row));
        }
        errors.sort();
        assert_eq!(errors, [0, 50126], "{path}: ResultType_s / ResultType_d");
    }
}

fn warnings_of(ing: &Ingested) -> Vec<String> {
    ing.inputs.iter().flat_map(|i| i.warnings.iter().cloned()).collect()
}

// ---------------------------------------------------------------- misaligned CSV rows

#[test]
fn csv_rows_that_do_not_line_up_are_rejected_never_mapped_by_position() {
    let path = "real-evidence/misaligned/InteractiveSignIns_2026-02-06_2026-02-07.csv";
    let inv = inventory_json(&[path]);
    let f = file_entry(&inv, path);
    assert_eq!((f["sign_ins"].as_u64(), f["rejected"].as_u64()), (Some(3), Some(3)), "{f}");
    for r in f["rejects"].as_array().expect("rejects") {
        assert!(r["reason"].as_str().unwrap_or("").contains("do not line up"), "{r}");
    }
    // Every kept sign-in belongs to the user its own row names; none to "member" or a display name.
    let ing = ingest_fixture(path);
    let b = &ing.table.batch;
    let mut got: Vec<(String, String)> = (0..b.num_rows())
        .map(|r| (text(b, col::REQUEST_ID, r).unwrap_or_default(), text(b, col::PRINCIPAL, r).unwrap_or_default()))
        .collect();
    got.sort();
    let want = [(rid(30), "alex.rivera"), (rid(32), "sam.okafor"), (rid(35), "priya.natarajan")];
    let want: Vec<(String, String)> = want.iter().map(|(id, u)| (id.clone(), format!("{u}@contoso.example"))).collect();
    assert_eq!(got, want);
}

// ---------------------------------------------------------------- salvage

#[test]
fn a_page_appended_and_cut_keeps_its_complete_records() {
    let path = "real-evidence/salvage/pages-appended-cut.json";
    let inv = inventory_json(&[path]);
    let f = file_entry(&inv, path);
    assert_eq!((f["records_in"].as_u64(), f["sign_ins"].as_u64(), f["rejected"].as_u64()), (Some(10), Some(9), Some(1)), "{f}");
    let start = format!("{{\"id\":\"{}", &rid(49)[..8]);
    let cut = decoded(path).windows(start.len()).position(|w| w == start.as_bytes()).expect("F49");
    assert_eq!(f["rejects"][0]["position"], format!("record 10, line 2, byte {cut}"), "{f}");
    assert!(!warnings(f).iter().any(|w| w.contains("incomplete")), "the cut page's nextLink is unknown: {f}");
}

#[test]
fn a_page_cut_inside_its_first_record_is_a_page_with_one_rejected_record() {
    let path = "real-evidence/salvage/first-record-cut.json";
    let inv = inventory_json(&[path]);
    let f = file_entry(&inv, path);
    assert_eq!(f["format"], "graph-page", "{f}");
    assert_eq!((f["records_in"].as_u64(), f["rejected"].as_u64()), (Some(1), Some(1)), "{f}");
}

#[test]
fn megabytes_of_white_space_before_a_page_do_not_hide_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = std::fs::read(fixtures().join("real-evidence/salvage/duplicate-keys.json")).expect("fixture");
    let mut bytes = b" \r\n\t".repeat(10 << 18);
    let lead = bytes.len();
    bytes.extend_from_slice(&page);
    let path = dir.path().join("padded.json");
    std::fs::write(&path, &bytes).expect("write");
    let ing = ingest(&[path], &IngestOptions::default()).expect("ingest");
    assert_eq!(ing.table.len(), 2, "{:?}", ing.inputs[0].warnings);
    assert!(!ing.inputs[0].warnings.iter().any(|w| w.contains("empty")), "{:?}", ing.inputs[0].warnings);
    let offsets = ing.table.batch.column_by_name(col::SOURCE_OFFSET).expect("offset").as_primitive::<UInt64Type>();
    assert!(offsets.values().iter().all(|&o| o as usize > lead), "offsets count the white space");
}

#[test]
fn an_out_of_range_number_empties_its_field_not_the_record() {
    let path = "real-evidence/salvage/numbers-out-of-range.json";
    let inv = inventory_json(&[path]);
    let f = file_entry(&inv, path);
    assert_eq!((f["sign_ins"].as_u64(), f["rejected"].as_u64()), (Some(2), Some(1)), "{f}");
    let w = warnings(f).join("\n");
    assert!(w.contains("`autonomousSystemNumber` (100000000000000000000000000)") && w.contains("`latitude` (1e400)"), "{w}");
    // A result out of range would turn a failure into a success: that record is rejected.
    assert!(f["rejects"][0]["reason"].as_str().unwrap_or("").contains("errorCode"), "{f}");
    let ing = ingest_fixture(path);
    let b = &ing.table.batch;
    let rows = by_id(b);
    let asn = b.column_by_name(col::AUTONOMOUS_SYSTEM_NUMBER).expect("asn").as_primitive::<UInt32Type>();
    let lat = b.column_by_name(col::LATITUDE).expect("lat").as_primitive::<Float64Type>();
    let (f51, f52) = (rows[&rid(51)][0], rows[&rid(52)][0]);
    assert!(asn.is_null(f51) && lat.is_valid(f51));
    assert!(lat.is_null(f52) && asn.is_valid(f52));
    assert_eq!(text(b, col::LOST_FIELDS, f51).as_deref(), Some("autonomousSystemNumber"));
    assert_eq!(text(b, col::LOST_FIELDS, f52).as_deref(), Some("location.geoCoordinates.latitude"));
}

#[test]
fn repeated_keys_are_warned_about() {
    let path = "real-evidence/salvage/duplicate-keys.json";
    let inv = inventory_json(&[path]);
    let w = warnings(file_entry(&inv, path)).join("\n");
    assert!(w.contains("2 record(s) repeat a key (the first: `homeTenantId`)"), "{w}");
    // No false alarm on the well-formed fixtures.
    let inv = inventory_json(&["evidence/json"]);
    for f in inv["files"].as_array().expect("files") {
        assert!(!warnings(f).iter().any(|w| w.contains("repeat a key")), "{f}");
    }
}

// ---------------------------------------------------------------- CSV without a time column

#[test]
fn a_sign_in_csv_without_a_time_column_is_named_as_such() {
    let path = "real-evidence/no-time-column/query_data.csv";
    let inv = inventory_json(&[path]);
    let f = file_entry(&inv, path);
    assert_eq!(f["format"], "log-analytics-csv", "{f}");
    let w = warnings(f).join("\n");
    assert!(w.contains("no `TimeGenerated` or `CreatedDateTime` column") && !w.contains("unrecognized"), "{w}");
}
