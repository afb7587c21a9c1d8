//! The bucketed audit of an exported dataset (one bucket's rows in memory at a time) gives the
//! in-memory audit's report byte for byte, in every format and exit status: on the bundled samples
//! exported into many buckets (and the same findings as the raw evidence), and on a generated
//! tenant with planted attacks, the password spray among them, cut into more buckets than it has
//! a dozen users for.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

mod common;

#[path = "../examples/tenant/world/mod.rs"]
mod world;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use signin_audit::audit::bucketed::{Whole, audit_buckets};
use signin_audit::audit::{AuditConfig, audit};
use signin_audit::ingest::Ingested;
use signin_audit::ingest::dataset::buckets::DatasetBuckets;
use signin_audit::model::columns::AUDIT_READS;

fn run(args: &[&str], in_memory: bool) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_signin-audit"));
    c.args(args).env_remove("SIGNIN_AUDIT_IN_MEMORY");
    if in_memory {
        c.env("SIGNIN_AUDIT_IN_MEMORY", "1");
    }
    c.output().unwrap()
}

fn export_samples(dir: &Path, buckets: &str) {
    let samples = common::fixtures().join("../../samples");
    let o = run(&["export", "--buckets", buckets, "--out", dir.to_str().unwrap(), samples.to_str().unwrap()], false);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
}

#[test]
fn the_samples_audited_bucket_by_bucket_are_the_in_memory_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    export_samples(&ds, "8");
    let ds = ds.to_str().unwrap();
    let runs: &[&[&str]] = &[
        &["-o", "json"],
        &["-o", "table"],
        &["-o", "csv", "--include-non-interactive", "--include-service-principal", "--days", "5"],
        &["-o", "json", "--user", "anna.berg@contoso.example", "--user", "nobody@contoso.example"],
        &["-q"],
    ];
    for flags in runs {
        let args = [&["audit"][..], flags, &[ds]].concat();
        let (bucketed, in_memory) = (run(&args, false), run(&args, true));
        assert_eq!(bucketed.status.code(), in_memory.status.code(), "{flags:?}");
        assert!(bucketed.stdout == in_memory.stdout, "{flags:?}: the reports differ");
        assert_eq!(bucketed.stderr, in_memory.stderr, "{flags:?}");
    }
    // The same findings, users and windows as the raw evidence (only the evidence list differs).
    let samples = common::fixtures().join("../../samples");
    let raw: Value = serde_json::from_slice(&run(&["audit", "-o", "json", samples.to_str().unwrap()], false).stdout).unwrap();
    let from_dataset: Value = serde_json::from_slice(&run(&["audit", "-o", "json", ds], false).stdout).unwrap();
    for key in ["window", "coverage", "users", "findings", "enrichment"] {
        assert_eq!(raw[key], from_dataset[key], "{key}");
    }
    assert!(raw["findings"].as_array().unwrap().len() > 20);
}

#[test]
fn a_window_without_sign_ins_is_the_same_error_bucket_by_bucket() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    export_samples(&ds, "4");
    let args = ["audit", "--as-of", "2020-01-01T00:00:00Z", ds.to_str().unwrap()];
    let (bucketed, in_memory) = (run(&args, false), run(&args, true));
    assert_eq!(bucketed.status.code(), Some(1));
    assert_eq!(bucketed.stderr, in_memory.stderr);
    assert!(common::text(&bucketed.stderr).contains("nothing analysed"));
}

#[test]
fn a_bucket_changed_after_the_export_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    export_samples(&ds, "2");
    let part = ds.join("bucket=01/part-0.parquet");
    let mut bytes = std::fs::read(&part).unwrap();
    let k = bytes.len() / 2;
    bytes[k] ^= 1;
    std::fs::write(&part, bytes).unwrap();
    let o = run(&["audit", ds.to_str().unwrap()], false);
    assert_eq!(o.status.code(), Some(1));
    assert!(common::text(&o.stderr).contains("SHA-256"), "{}", common::text(&o.stderr));
}

/// A generated tenant (planted sprays, token theft, impossible travel...) as a dataset of 16
/// buckets for 30 users: each user's audit sees only its bucket and the merged aggregates.
#[test]
fn a_generated_tenant_in_small_buckets_is_the_in_memory_audit() {
    let (seed, strip_asn) = (5, false);
    let cfg = world::Config { seed, users: 30, days: 30, attacks_per_detector: 1, strip_asn, country: None };
    let t = world::generate(&cfg);
    let table = world::output::table(&t.records);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ds");
    let ingested = Ingested { inputs: Vec::new(), table, warnings: Vec::new(), damage: Vec::new() };
    signin_audit::export::write_dataset_with_buckets(&ingested, &dir, 16).unwrap();
    let dataset = DatasetBuckets::open(&dir).unwrap().unwrap();
    assert!(dataset.files.len() >= 8, "{} files", dataset.files.len());
    let cfg = AuditConfig { include_non_interactive: true, ..AuditConfig::default() };
    let whole = serde_json::to_string(&audit(&ingested.table, &cfg)).unwrap();
    let run = audit_buckets(&dataset, &cfg).unwrap();
    assert_eq!(run.rows, ingested.table.len());
    let bucketed = serde_json::to_string(&run.result).unwrap();
    assert!(whole == bucketed, "seed {seed}: the audits differ");
    // ... although a bucket is read with only the columns the audit reads: the others are nulls.
    let bucket = dataset.read_bucket(0).unwrap();
    let file = std::fs::read(dataset.dir.join(&dataset.files[0].path)).unwrap();
    let full = signin_audit::ingest::dataset::read(file.into()).unwrap().batch;
    let mut skipped_with_values = 0;
    for (i, f) in full.schema().fields().iter().enumerate() {
        let (read, all) = (bucket.batch.column(i), full.column(i));
        if AUDIT_READS.contains(&f.name().as_str()) || !f.is_nullable() {
            assert_eq!(read, all, "column {}", f.name());
        } else {
            assert_eq!(read.null_count(), read.len(), "column {} is decoded", f.name());
            skipped_with_values += usize::from(all.null_count() < all.len());
        }
    }
    assert!(skipped_with_values >= 5, "{skipped_with_values} skipped columns had values");
    // The same driver over the whole table as one bucket (the in-memory audit).
    let one = audit_buckets(&Whole(&ingested.table), &cfg).unwrap();
    assert_eq!(serde_json::to_string(&one.result).unwrap(), whole);
    let spray = run.result.findings.iter().filter(|f| f.detector == "password_spray").count();
    assert!(spray > 0, "seed {seed}: the planted spray is found across buckets");
}

/// `aggregate`, `audit --bucket N` and `merge` (the steps a cluster runs) give the report of one
/// `audit` of the dataset; an incomplete or inconsistent set of parts is an error, never a report.
#[test]
fn the_steps_of_a_split_audit_merge_into_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds");
    export_samples(&ds, "4");
    let ds = ds.to_str().unwrap();
    let path = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    let flags = ["--include-non-interactive", "--days", "20"];
    let write = |name: &str, args: &[&str]| {
        let o = run(args, false);
        assert!(o.status.success(), "{args:?}: {}", common::text(&o.stderr));
        std::fs::write(path(name), o.stdout).unwrap();
    };
    write("facts.jsonl", &["aggregate", ds]);
    write("aggregates.jsonl", &[&["aggregate", "--facts", &path("facts.jsonl"), ds][..], &flags].concat());
    let manifest: Value = serde_json::from_slice(&std::fs::read(Path::new(ds).join("manifest.json")).unwrap()).unwrap();
    let buckets: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().trim_start_matches("bucket=").split('/').next().unwrap().trim_start_matches('0').to_string())
        .map(|b| if b.is_empty() { "0".into() } else { b })
        .collect();
    assert!(buckets.len() >= 3, "{buckets:?}");
    let mut parts = Vec::new();
    for b in &buckets {
        let name = format!("part-{b}.jsonl");
        let step = ["audit", "--bucket", b, "--facts", &path("facts.jsonl"), "--aggregates", &path("aggregates.jsonl"), ds];
        write(&name, &[&step[..], &flags].concat());
        parts.extend(["--part".to_string(), path(&name)]);
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let state = ["--facts", &path("facts.jsonl"), "--aggregates", &path("aggregates.jsonl")];
    for format in ["json", "table"] {
        let merged = run(&[&["merge", "-o", format][..], &state, &parts, &flags, &[ds]].concat(), false);
        let single = run(&[&["audit", "-o", format][..], &flags, &[ds]].concat(), false);
        assert_eq!(merged.status.code(), Some(2), "{}", common::text(&merged.stderr));
        assert_eq!(merged.status.code(), single.status.code());
        assert!(merged.stdout == single.stdout, "{format}: merge differs from audit");
    }
    // One part missing, or the steps run with other flags: refused.
    let missing = run(&[&["merge"][..], &state, &parts[2..], &flags, &[ds]].concat(), false);
    assert_eq!(missing.status.code(), Some(1));
    assert!(common::text(&missing.stderr).contains("missing"), "{}", common::text(&missing.stderr));
    let other = run(&[&["merge"][..], &state, &parts, &[ds]].concat(), false);
    assert_eq!(other.status.code(), Some(1));
    assert!(common::text(&other.stderr).contains("other audit settings"), "{}", common::text(&other.stderr));
}

/// Raw evidence parsed into user buckets on disk (`--work-dir`, forced small here) gives the
/// in-memory report: duplicates across files (the samples' UAL copies of Graph sign-ins) meet in
/// one bucket and are dropped as in memory. The work directory is removed unless kept, and is
/// never inside the evidence.
#[test]
fn raw_evidence_spilled_into_buckets_is_the_in_memory_audit() {
    let samples = common::fixtures().join("../../samples");
    let samples = samples.to_str().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let work = work.to_str().unwrap();
    for flags in [&["-o", "json"][..], &["-o", "table", "--include-non-interactive", "--include-service-principal"]] {
        let args = [&["audit", "--work-dir", work][..], flags, &[samples]].concat();
        let mut spilled = Command::new(env!("CARGO_BIN_EXE_signin-audit"));
        let spilled = spilled.args(&args).env("SIGNIN_AUDIT_SPILL_BUCKETS", "8").output().unwrap();
        let in_memory = run(&[&["audit"][..], flags, &[samples]].concat(), false);
        assert_eq!(spilled.status.code(), in_memory.status.code(), "{}", common::text(&spilled.stderr));
        assert!(spilled.stdout == in_memory.stdout, "{flags:?}: the reports differ");
    }
    assert_eq!(std::fs::read_dir(work).unwrap().count(), 0, "the work directory is removed");
    let kept = run(&["audit", "-q", "--work-dir", work, "--keep-work-dir", samples], false);
    assert_eq!(kept.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(work).unwrap().count(), 1, "kept");
    let inside = Path::new(samples).join("graph");
    let refused = run(&["audit", "-q", "--work-dir", inside.to_str().unwrap(), samples], false);
    assert_eq!(refused.status.code(), Some(1));
    assert!(common::text(&refused.stderr).contains("inside the evidence path"), "{}", common::text(&refused.stderr));
}
