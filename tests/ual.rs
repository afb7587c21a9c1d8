//! The Unified Audit Log as sign-in evidence, on the synthetic fixtures of `tests/fixtures/ual/`
//! (written by its `make_fixtures.py`; see the module header of `signin_audit::ingest::ual`).
//!
//! - `shapes/`: the same nine records (five STS logons, four records of other services) in every
//!   way an examiner saves the UAL. Each file alone gives five sign-ins and four not-a-sign-in
//!   records; the expectations below come from the fixture design, the golden file is the tool's
//!   output over the directory.
//! - `tenant/`: one tenant exported as the sign-in log (Graph beta pages) and as the UAL (a Purview
//!   export), with a planted password spray, AzureHound, a Python script and MFA fatigue.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::Value;

/// The four records of other services every shape holds, one each.
const OTHERS: [&str; 4] = [
    "AzureActiveDirectory/Add user.",
    "ExchangeAdmin/New-InboxRule",
    "ExchangeItemAggregated/MailItemsAccessed",
    "SharePointFileOperation/FileDownloaded",
];

/// `(path under ual/shapes, format)` of every shape that holds the nine records intact.
const SHAPES: [(&str, &str); 11] = [
    ("purview/Audit_Search_2026-03-24.csv", "ual-purview-csv"),
    ("purview/classic-portal-export.csv", "ual-purview-csv"),
    ("powershell/UAL-v3.csv", "ual-powershell-csv"),
    ("powershell/UAL-ps51-utf16.csv", "ual-powershell-csv"),
    ("powershell/UAL-de-DE.csv", "ual-powershell-csv"),
    ("powershell/UAL-convertto-json-ps7.json", "ual-powershell-json"),
    ("powershell/UAL-convertto-json-ps51.json", "ual-powershell-json"),
    ("extractor-suite/UAL-20260324000000-20260325000000.jsonl", "ual-json"),
    ("extractor-suite/Merged/UAL-Combined.jsonl", "ual-json"),
    ("management-api/content-blob.json", "ual-json"),
    ("graph/auditLogQuery-records.json", "ual-graph"),
];

const DAMAGED: &str = "ual/shapes/damaged/UAL-edited-in-excel.csv";

fn categories(entry: &Value) -> BTreeMap<String, u64> {
    entry["not_sign_in_by_category"]
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))).collect())
        .unwrap_or_default()
}

fn n(entry: &Value, key: &str) -> u64 {
    entry[key].as_u64().unwrap_or_else(|| panic!("no {key} in {entry}"))
}

#[test]
fn golden_inventory_of_every_shape() {
    let out = run_ok(&["inventory", "-o", "json", "ual/shapes"]);
    assert_golden("ual-inventory.json", &out);
}

#[test]
fn every_shape_alone_gives_five_sign_ins_and_counts_the_rest() {
    let others: BTreeMap<String, u64> = OTHERS.iter().map(|c| (c.to_string(), 1)).collect();
    for (file, format) in SHAPES {
        let path = format!("ual/shapes/{file}");
        let inv = inventory_json(&[&path]);
        let e = file_entry(&inv, &path);
        assert_eq!(e["format"], format, "{path}");
        assert_eq!((n(e, "records_in"), n(e, "sign_ins"), n(e, "rejected"), n(e, "duplicates")), (9, 5, 0, 0), "{path}: {e}");
        assert_eq!(categories(e), others, "{path}");
        assert_eq!(e["first"], "2026-03-24T02:10:05Z", "{path}: CreationTime is UTC, never shifted");
        assert_eq!(e["last"], "2026-03-24T08:02:51Z", "{path}");
        assert_eq!(e["by_event_type"]["interactiveUser"], 5, "{path}");
        assert!(!warnings(e).iter().any(|w| w.contains("time zone")), "{path}: a zone-less CreationTime is UTC by the schema: {e}");
        assert!(warnings(&inv).iter().any(|w| w.contains("5 sign-in(s) come from the Unified Audit Log alone")), "{path}: {inv}");
    }
}

#[test]
fn a_damaged_export_keeps_what_is_whole() {
    let inv = inventory_json(&[DAMAGED]);
    let e = file_entry(&inv, DAMAGED);
    // The azurehound sign-in's AuditData was cut: rejected, at its row. The mailbox row's AuditData
    // is `#VALUE!`, but the row says what it is: counted, never parsed.
    assert_eq!((n(e, "records_in"), n(e, "sign_ins"), n(e, "rejected"), n(e, "not_sign_in")), (9, 4, 1, 4), "{e}");
    assert_eq!(e["rejects"][0]["position"], "record 3, line 4, byte 2202", "{e}");
    assert!(e["rejects"][0]["reason"].as_str().unwrap_or("").contains("AuditData cell is not JSON"), "{e}");
    let w = warnings(e);
    assert!(w.iter().any(|w| w.contains("1 row(s) whose user column names another user") && w.contains("record 1, line 2")), "{w:?}");
    // The AuditData is the record: the edited user column does not move the sign-in to someone else.
    let out = run_ok(&["timeline", "-o", "jsonl", DAMAGED]);
    let users: BTreeSet<String> = text(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["user"].as_str().map(str::to_string))
        .collect();
    assert!(users.contains("alex.rivera@contoso.example") && !users.iter().any(|u| u.starts_with("someone.else")), "{users:?}");
}

#[test]
fn copies_of_one_record_in_several_shapes_are_one_sign_in() {
    let inv = inventory_json(&["ual/shapes"]);
    let t = &inv["totals"];
    // 12 files of 9 records; one sign-in rejected in the damaged file; every other copy of a sign-in dropped.
    assert_eq!(
        (n(t, "records_in"), n(t, "unique_sign_ins"), n(t, "rejected"), n(t, "duplicates"), n(t, "not_sign_in")),
        (108, 5, 1, 54, 48),
        "{t}"
    );
}

/// The decoded text of an input as offsets count it: after a byte-order mark, UTF-16 as UTF-8.
fn decoded(path: &str) -> Vec<u8> {
    let raw = input_bytes(path);
    if let Some(rest) = raw.strip_prefix(b"\xFF\xFE") {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return String::from_utf16(&units).unwrap_or_else(|e| panic!("{path}: {e}")).trim_start_matches('\u{feff}').as_bytes().to_vec();
    }
    raw.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(raw)
}

#[test]
fn every_sign_in_cites_its_own_record() {
    for (file, _) in SHAPES {
        let path = format!("ual/shapes/{file}");
        let bytes = decoded(&path);
        let out = run_ok(&["timeline", "-o", "jsonl", &path]);
        let mut records = BTreeSet::new();
        for ev in text(&out).lines().map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{path}: {e}"))) {
            if !ev["timestamp_desc"].as_str().unwrap_or("").starts_with("Sign-in") {
                continue;
            }
            let id = ev["request_id"].as_str().unwrap_or_else(|| panic!("{path}: no request id in {ev}"));
            let at = ev["source_offset"].as_u64().unwrap_or(u64::MAX) as usize;
            let rest = &bytes[at..];
            let lines = file.ends_with(".csv") || file.ends_with(".jsonl");
            if lines {
                // The row (or line) itself, never the AuditData inside it.
                assert!(at == 0 || bytes[at - 1] == b'\n', "{path}: byte {at} is not the start of a line ({ev})");
            } else {
                // The record object: the wrapper (Graph record, PowerShell object), not its AuditData.
                let first_key = String::from_utf8_lossy(&rest[..rest.len().min(40)]).split('"').nth(1).unwrap_or("").to_string();
                assert_eq!(first_key, first_key_of(file), "{path}: byte {at} is not the record's own `{{` ({ev})");
            }
            // A CSV row or JSON line ends at its newline; an element of an array or page within its next bytes.
            let end = if lines { memchr(b'\n', rest) } else { rest.len().min(2500) };
            assert!(String::from_utf8_lossy(&rest[..end]).contains(id), "{path}: the record at byte {at} is not sign-in {id}");
            if let Some(line) = ev["source_line"].as_u64() {
                assert_eq!(line, 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64, "{path}: line of byte {at}");
            } else {
                assert!(!file.ends_with(".csv") && !file.ends_with(".jsonl"), "{path}: CSV rows and JSON lines cite their line");
            }
            records.insert(ev["source_record"].as_u64().unwrap_or(0));
        }
        assert_eq!(records.len(), 5, "{path}: five sign-ins, five records");
    }
}

/// The first key of a record object in each JSON shape.
fn first_key_of(file: &str) -> &'static str {
    if file.starts_with("graph/") {
        "@odata.type"
    } else if file.starts_with("powershell/") {
        "RunspaceId"
    } else {
        "CreationTime"
    }
}

fn memchr(b: u8, s: &[u8]) -> usize {
    s.iter().position(|&c| c == b).unwrap_or(s.len())
}

fn audit(args: &[&str]) -> Value {
    let mut all = vec!["audit", "-o", "json"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert!(matches!(o.status.code(), Some(0 | 2 | 3)), "{}", describe(&all, &o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}\n{}", describe(&all, &o)))
}

/// (user, detector, key sign-in) of every finding.
fn keys(report: &Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {report}"))
        .iter()
        .map(|f| {
            (
                f["user"].as_str().unwrap_or("").to_string(),
                f["detector"].as_str().unwrap_or("").to_string(),
                f["sign_in_ids"][0].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const SIGN_IN_LOG: &str = "ual/tenant/sign-in-log";
const UAL: &str = "ual/tenant/ual";
const UAL_FILE: &str = "ual/tenant/ual/Audit_Search_2026-03-02_2026-03-24.csv";
const GEOIP: [&str; 4] = ["--geoip-db", "mmdb/iplocdb-city-ipv4.mmdb", "--geoip-db", "mmdb/iplocdb-city-ipv6.mmdb"];

#[test]
fn a_tenant_exported_as_sign_in_log_and_ual_is_one_set_of_sign_ins() {
    let log = inventory_json(&[SIGN_IN_LOG]);
    let both = inventory_json(&["ual/tenant"]);
    assert_eq!(both["totals"]["unique_sign_ins"], log["totals"]["unique_sign_ins"], "one sign-in per real sign-in");
    assert_eq!(n(&log["totals"], "unique_sign_ins"), 201);
    let ual = file_entry(&both, UAL_FILE);
    assert_eq!((n(ual, "records_in"), n(ual, "sign_ins"), n(ual, "duplicates"), n(ual, "not_sign_in")), (322, 0, 201, 121), "{ual}");
    // The copies kept are the sign-in log's: the more complete ones.
    for f in both["files"].as_array().into_iter().flatten().filter(|f| f["path"].as_str().is_some_and(|p| p.starts_with(SIGN_IN_LOG))) {
        assert_eq!(n(f, "duplicates"), 0, "{f}");
    }
    assert!(!warnings(&both).iter().any(|w| w.contains("Unified Audit Log alone")), "no UAL-only sign-in is left: {both}");
    // So the audit is the sign-in log's, finding for finding and citation for citation.
    let (a, b) = (audit(&[SIGN_IN_LOG]), audit(&["ual/tenant"]));
    assert_eq!(a["findings"], b["findings"]);
}

#[test]
fn the_ual_alone_finds_what_it_carries_the_data_for() {
    let log = keys(&audit(&[SIGN_IN_LOG]));
    let ual = audit(&[UAL]);
    let location = ["new_location", "impossible_travel"];
    let carried: BTreeSet<_> = log.iter().filter(|k| !location.contains(&k.1.as_str())).cloned().collect();
    assert_eq!(keys(&ual), carried, "every finding of the sign-in log that needs no location, and nothing else");
    assert!(log.iter().any(|k| location.contains(&k.1.as_str())), "the sign-in log's copy does have location findings");
    let w = warnings(&ual);
    assert!(w.iter().any(|w| w.starts_with("201 sign-in(s) come from the Unified Audit Log alone") && w.contains("--geoip-db")), "{w:?}");
    // With a GeoIP database the places come back, and with them every finding.
    let mut args = GEOIP.to_vec();
    args.push(UAL);
    assert_eq!(keys(&audit(&args)), log);
}

#[test]
fn the_planted_incidents_are_found_in_the_ual_alone() {
    let r = audit(&[UAL]);
    let findings = r["findings"].as_array().cloned().unwrap_or_default();
    let find = |user: &str, detector: &str, needle: &str| {
        findings.iter().find(|f| {
            f["user"] == format!("{user}@contoso.example")
                && f["detector"] == detector
                && f["summary"].as_str().unwrap_or("").contains(needle)
        })
    };
    let risk = |f: Option<&Value>| f.and_then(|f| f["risk"].as_str()).unwrap_or("none").to_string();
    // The spray: six accounts fail from rotating addresses of one network, then Alex's password works.
    let spray = find("alex.rivera", "password_spray", "then this account signed in successfully");
    assert!(matches!(risk(spray).as_str(), "high" | "critical"), "{spray:?}");
    for victim in ["sam.okafor", "mei.tanaka", "zoe.dubois", "lucas.moreau", "ines.laurent"] {
        assert_eq!(risk(find(victim, "password_spray", "attempt(s) failed")), "low", "{victim}");
    }
    // Attacker tooling, in the user agents the UAL keeps.
    for (user, tool) in [
        ("alex.rivera", "TeamFiltration"),
        ("alex.rivera", "AzureHound"),
        ("alex.rivera", "python-requests"),
        ("sam.okafor", "TeamFiltration"),
    ] {
        assert!(find(user, "suspicious_user_agent", tool).is_some(), "{user}: {tool}");
    }
    // ROPC: a password sent to the token endpoint, the legacy flow that skips MFA.
    assert_eq!(risk(find("alex.rivera", "legacy_protocol", "successful sign-in(s) over ROPC")), "critical");
    // MFA fatigue: seven declined pushes (500121), then a success from the same address.
    let fatigue = find("priya.natarajan", "mfa_fatigue", "7 denied/unanswered MFA prompts");
    assert_eq!(risk(fatigue), "critical", "{fatigue:?}");
    assert!(
        !findings.iter().any(|f| f["detector"] == "new_location" || f["detector"] == "impossible_travel"),
        "no place, no location finding"
    );
}

#[test]
fn the_readme_lists_what_the_ual_does_not_carry() {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap_or_default();
    for (what, _) in signin_audit::ingest::ual::NOT_CARRIED {
        assert!(readme.contains(what), "README.md does not say the UAL carries no {what}");
    }
    for (_, format) in SHAPES {
        assert!(readme.contains(&format!("`{format}`")), "README.md does not name the format {format}");
    }
}

#[test]
fn the_samples_ual_export_is_the_graph_pages_again() {
    const FILE: &str = "../../samples/ual/Audit_Search_2026-10-14.csv";
    let both = inventory_json(&["../../samples/graph", FILE]);
    let e = file_entry(&both, FILE);
    assert_eq!((n(e, "records_in"), n(e, "sign_ins"), n(e, "duplicates"), n(e, "not_sign_in")), (62, 0, 47, 15), "{e}");
    // Alone, the day of the spray still shows the spray and the tooling (samples/README.md, incidents 6 and 7).
    let r = audit(&[FILE]);
    let found = |detector: &str, needle: &str| {
        r["findings"].as_array().into_iter().flatten().any(|f| {
            f["user"] == "priya.nair@contoso.example" && f["detector"] == detector && f["summary"].as_str().unwrap_or("").contains(needle)
        })
    };
    assert!(found("password_spray", "then this account signed in successfully"), "{r}");
    assert!(found("suspicious_user_agent", "AzureHound"), "{r}");
    assert!(found("legacy_protocol", "over ROPC"), "{r}");
}
