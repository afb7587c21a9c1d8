//! `signin-audit export` end to end: a synthetic Graph beta export (written here, no real data) is
//! exported, then read back as evidence, and must give the same table and inventory; exports are
//! byte-identical across runs and thread counts; unsafe output directories are refused; evidence is
//! never modified.

// A test crate: its helpers (outside `#[test]` functions, where clippy.toml already allows it) panic
// on failure by design, and `json!` expands to `unwrap` internally.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use signin_audit::ingest::{IngestOptions, ingest};

const GRAPH_BETA_CONTEXT: &str = "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_signin-audit"))
}

fn run(args: &[&Path]) -> Output {
    let mut c = bin();
    c.args(args);
    c.arg("--no-progress");
    c.output().unwrap()
}

fn export(out: &Path, evidence: &Path, extra: &[&str]) -> Output {
    let mut c = bin();
    c.arg("export").arg("--out").arg(out).arg(evidence).arg("--no-progress").args(extra);
    c.output().unwrap()
}

/// One synthetic sign-in. `n` varies the optional fields so dictionaries, nulls and lists all occur.
fn record(id: &str, upn: &str, time: &str, n: usize) -> Value {
    let mut r = json!({
        "id": id,
        "createdDateTime": time,
        "userPrincipalName": upn,
        "userId": format!("00000000-0000-0000-0000-00000000000{}", upn.len() % 10),
        "userDisplayName": upn.split('@').next().unwrap_or(upn),
        "appId": "00000002-0000-0ff1-ce00-000000000000",
        "appDisplayName": if n.is_multiple_of(2) { "Office 365 Exchange Online" } else { "Azure Portal" },
        "ipAddress": format!("203.0.113.{}", n % 7),
        "clientAppUsed": "Browser",
        "correlationId": format!("c0000000-0000-0000-0000-{n:012}"),
        "conditionalAccessStatus": if n.is_multiple_of(3) { "success" } else { "notApplied" },
        "isInteractive": !n.is_multiple_of(4),
        "signInEventTypes": [if n.is_multiple_of(4) { "nonInteractiveUser" } else { "interactiveUser" }],
        "status": {"errorCode": if n.is_multiple_of(5) { 50126 } else { 0 }, "failureReason": if n.is_multiple_of(5) { "Invalid username or password." } else { "Other." }},
        "deviceDetail": {"deviceId": "", "operatingSystem": "Windows10", "browser": "Edge 120.0.0", "isCompliant": n.is_multiple_of(2), "isManaged": false},
        "location": {"city": "Lyon", "state": "Auvergne-Rhone-Alpes", "countryOrRegion": "FR",
                     "geoCoordinates": {"latitude": 45.75 + n as f64 / 100.0, "longitude": 4.85}},
        "riskEventTypes_v2": if n.is_multiple_of(6) { json!(["unfamiliarFeatures"]) } else { json!([]) },
        "riskLevelAggregated": "none",
        "authenticationRequirement": if n.is_multiple_of(2) { "multiFactorAuthentication" } else { "singleFactorAuthentication" },
        "authenticationDetails": [{"authenticationStepDateTime": time, "authenticationMethod": "Password", "succeeded": !n.is_multiple_of(5)}],
        "appliedConditionalAccessPolicies": [{"id": "p1", "displayName": "Require MFA", "result": "success", "enforcedGrantControls": ["Mfa"]}],
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
        "autonomousSystemNumber": 64500 + (n % 3) as u64,
    });
    if n % 7 == 3 {
        // Some records without optional blocks, so rows differ in completeness.
        if let Some(o) = r.as_object_mut() {
            o.remove("location");
            o.remove("deviceDetail");
        }
    }
    r
}

fn page(records: Vec<Value>, next: bool) -> String {
    let mut p = json!({"@odata.context": GRAPH_BETA_CONTEXT, "value": records});
    if next {
        p["@odata.nextLink"] = json!("https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=x");
    }
    serde_json::to_string_pretty(&p).unwrap()
}

/// Three page files, 21 records (one a duplicate across files), 5 principals, one of them with a
/// path-like UPN (the layout must never turn record content into a path).
fn write_evidence(dir: &Path) -> PathBuf {
    let case = dir.join("case");
    std::fs::create_dir_all(&case).unwrap();
    let users =
        ["alice@contoso.example", "bob@contoso.example", "carol@contoso.example", "dave@contoso.example", "../../evil@contoso.example"];
    let mut all = Vec::new();
    for i in 0..20 {
        let upn = users[i % users.len()];
        let time = format!("2024-05-{:02}T{:02}:{:02}:00Z", 1 + i % 3, 8 + i % 5, (i * 7) % 60);
        all.push(record(&format!("req-{i:04}"), upn, &time, i));
    }
    // Same instant as req-0000 for alice, in another file: ties must keep their order.
    all.push(record("req-tie", users[0], "2024-05-01T08:00:00Z", 21));
    let mut p3 = all.split_off(14);
    let p2 = all.split_off(7);
    // A duplicate of req-0003 (fewer fields) in the last page.
    let mut dup = record("REQ-0003", users[3], "2024-05-01T11:21:00Z", 3);
    if let Some(o) = dup.as_object_mut() {
        o.remove("userAgent");
    }
    p3.push(dup);
    std::fs::write(case.join("signins-page1.json"), page(all, true)).unwrap();
    std::fs::write(case.join("signins-page2.json"), page(p2, true)).unwrap();
    std::fs::write(case.join("signins-page3.json"), page(p3, false)).unwrap();
    case
}

fn inventory(path: &Path) -> Value {
    let out = bin().arg("inventory").arg("-o").arg("json").arg("--no-progress").arg(path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every file under `dir`, relative path -> bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

fn sha256_hex(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

/// sha256 and mtime of every evidence file.
fn fingerprint(dir: &Path) -> BTreeMap<String, (String, SystemTime)> {
    tree(dir)
        .into_iter()
        .map(|(rel, bytes)| {
            let mtime = std::fs::metadata(dir.join(&rel)).unwrap().modified().unwrap();
            (rel, (sha256_hex(&bytes), mtime))
        })
        .collect()
}

#[test]
fn dataset_inventory_matches_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let case = write_evidence(tmp.path());
    let out = tmp.path().join("dataset");
    let before = fingerprint(&case);
    let o = export(&out, &case, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("exported 21 sign-in(s) of 5 user(s)"), "{stdout}");
    // (e) the evidence is untouched: same bytes, same modification times.
    assert_eq!(fingerprint(&case), before);

    let raw = inventory(&case);
    let ds = inventory(&out);
    assert_eq!(raw["totals"]["unique_sign_ins"], 21);
    for key in ["unique_sign_ins", "users", "service_principals", "by_event_type", "first", "last"] {
        assert_eq!(raw["totals"][key], ds["totals"][key], "totals.{key}");
    }

    // Layout: numbers only in paths, a manifest that lists every file with its hash.
    let files = tree(&out);
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["kind"], "signin-audit-dataset");
    assert_eq!(manifest["schema_version"], signin_audit::model::schema::SCHEMA_VERSION);
    assert_eq!(manifest["bucket_count"], 1);
    assert_eq!(manifest["partitioning"], "bucket = fnv1a64(principal) % bucket_count");
    assert_eq!(manifest["totals"], raw["totals"]);
    assert_eq!(manifest["inputs"], raw["files"]);
    assert_eq!(manifest["warnings"], raw["warnings"]);
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len() + 1, files.len());
    let mut rows = 0;
    for f in listed {
        let path = f["path"].as_str().unwrap();
        assert!(is_bucket_path(path), "{path}");
        assert_eq!(f["sha256"].as_str().unwrap(), sha256_hex(&files[path]));
        assert_eq!(f["bytes"].as_u64().unwrap(), files[path].len() as u64);
        rows += f["rows"].as_u64().unwrap();
    }
    assert_eq!(rows, 21);
}

fn is_bucket_path(p: &str) -> bool {
    let b = p.as_bytes();
    p.len() == "bucket=00/part-0.parquet".len()
        && p.starts_with("bucket=")
        && b[7].is_ascii_digit()
        && b[8].is_ascii_digit()
        && p.ends_with("/part-0.parquet")
}

#[test]
fn dataset_reads_back_as_the_same_table() {
    let tmp = tempfile::tempdir().unwrap();
    let case = write_evidence(tmp.path());
    let out = tmp.path().join("dataset");
    assert!(export(&out, &case, &[]).status.success());

    let opts = IngestOptions::default();
    let raw = ingest(std::slice::from_ref(&case), &opts).unwrap();
    let ds = ingest(std::slice::from_ref(&out), &opts).unwrap();
    let (a, b) = (&raw.table.batch, &ds.table.batch);
    assert_eq!(a.num_rows(), 21);
    assert_eq!(a.schema(), b.schema());
    assert_eq!(a.num_rows(), b.num_rows());
    for (i, field) in a.schema().fields().iter().enumerate() {
        assert_eq!(a.column(i).to_data(), b.column(i).to_data(), "column {}", field.name());
    }
    assert_eq!(raw.table.users, ds.table.users);
    assert_eq!(a, b);

    // Findings from the dataset cite the original evidence, not the parquet copy.
    let sources = signin_audit::model::table::count_dict(b, "source_file").unwrap();
    assert_eq!(sources.len(), 3);
    assert!(sources.keys().all(|k| k.contains("signins-page") && k.ends_with(".json")), "{sources:?}");

    // Raw evidence and its dataset together: every row is a duplicate of an equally complete copy,
    // so the table is unchanged (the dataset keeps the completeness count of the raw rows).
    let both = ingest(&[case.clone(), out.clone()], &opts).unwrap();
    assert_eq!(&both.table.batch, a);
    assert_eq!(both.inputs.iter().map(|i| i.duplicates).sum::<u64>(), 21 + 1);

    // Exporting the dataset again gives the same parquet files (a dataset is valid evidence).
    let again = tmp.path().join("again");
    assert!(export(&again, &out, &[]).status.success());
    let (t1, t2) = (tree(&out), tree(&again));
    for (k, v) in &t1 {
        if k != "manifest.json" {
            assert_eq!(Some(v), t2.get(k), "{k}");
        }
    }
}

#[test]
fn many_buckets_read_back_as_the_same_table() {
    use signin_audit::export::bucket::{bucket_of, file_path};
    let tmp = tempfile::tempdir().unwrap();
    let case = write_evidence(tmp.path());
    let out = tmp.path().join("dataset");
    let opts = IngestOptions::default();
    let raw = ingest(std::slice::from_ref(&case), &opts).unwrap();
    let summary = signin_audit::export::write_dataset_with_buckets(&raw, &out, 8).unwrap();
    assert_eq!(summary.bucket_count, 8);
    assert!(summary.files.len() >= 2, "{:?}", summary.files);

    // Each user is in exactly the file its hash names.
    let expected: std::collections::BTreeSet<String> = raw.table.users.iter().map(|u| file_path(bucket_of(&u.principal, 8))).collect();
    let written: std::collections::BTreeSet<String> = tree(&out).into_keys().filter(|k| k != "manifest.json").collect();
    assert_eq!(expected, written);
    for f in &summary.files {
        let one = ingest(&[out.join(&f.path)], &opts).unwrap();
        assert_eq!(one.table.len() as u64, f.rows);
        for u in &one.table.users {
            assert_eq!(file_path(bucket_of(&u.principal, 8)), f.path);
        }
    }

    let ds = ingest(std::slice::from_ref(&out), &opts).unwrap();
    assert_eq!(raw.table.batch, ds.table.batch);
    assert_eq!(raw.table.users, ds.table.users);
}

#[test]
fn export_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let case = write_evidence(tmp.path());
    let outs: Vec<PathBuf> = (0..4).map(|i| tmp.path().join(format!("out{i}"))).collect();
    assert!(export(&outs[0], &case, &[]).status.success());
    assert!(export(&outs[1], &case, &[]).status.success());
    assert!(export(&outs[2], &case, &["--threads", "1"]).status.success());
    assert!(export(&outs[3], &case, &["--threads", "2"]).status.success());
    let first = tree(&outs[0]);
    assert!(first.len() >= 2);
    for o in &outs[1..] {
        assert_eq!(first, tree(o), "{}", o.display());
    }
}

#[test]
fn unsafe_output_directories_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = write_evidence(tmp.path());
    let before = fingerprint(&case);
    let full = tree(tmp.path());
    let busy = tmp.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    let full_with_busy = tree(tmp.path());
    assert_eq!(full.len() + 1, full_with_busy.len());

    let cases: Vec<PathBuf> = vec![
        case.join("out"),                       // inside the evidence
        case.join("deeper/still/out"),          // inside, several levels down
        case.clone(),                           // the evidence itself
        tmp.path().to_path_buf(),               // contains the evidence
        busy.clone(),                           // exists and is not empty
        case.join("signins-page1.json"),        // an evidence file
        tmp.path().join("nowhere/../case/out"), // `..` past a missing directory
    ];
    for out in cases {
        let o = export(&out, &case, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", out.display());
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("refusing"), "{stderr}");
        assert!(o.stdout.is_empty());
        assert_eq!(tree(tmp.path()), full_with_busy, "something was written for {}", out.display());
    }
    assert_eq!(fingerprint(&case), before);
    assert!(!tmp.path().join("nowhere").exists());
}

#[test]
fn empty_existing_directory_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let case = write_evidence(tmp.path());
    let out = tmp.path().join("empty");
    std::fs::create_dir(&out).unwrap();
    let o = run(&[Path::new("export"), Path::new("--out"), &out, &case]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("manifest.json").is_file());
}
