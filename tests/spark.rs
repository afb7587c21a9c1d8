//! The Spark job of `examples/spark/` in Spark local mode (`local[2]`): its merged findings equal
//! the single-machine `audit`'s, byte for byte after sorting the JSON lines, with the same exit
//! status, on the sample dataset and on a generated tenant.
//!
//! Needs Java and pyspark: run with the Python named by `SIGNIN_AUDIT_PYTHON` (default `python3`).
//! Without pyspark the test prints a notice and passes, unless `SIGNIN_AUDIT_REQUIRE_SPARK=1` is
//! set (as `.ci/run` does after installing both). About 30 s per job on 2 cores (JVM start-up).

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

mod common;

#[path = "../examples/tenant/world/mod.rs"]
mod world;

use std::path::Path;
use std::process::Command;

fn python() -> String {
    std::env::var("SIGNIN_AUDIT_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether pyspark can run here; fails the test when it is required and cannot.
fn spark_available() -> bool {
    let ok = Command::new(python()).args(["-c", "import pyspark"]).output().is_ok_and(|o| o.status.success());
    let required = std::env::var("SIGNIN_AUDIT_REQUIRE_SPARK").is_ok_and(|v| v == "1");
    assert!(ok || !required, "SIGNIN_AUDIT_REQUIRE_SPARK=1 but {} cannot import pyspark", python());
    if !ok {
        eprintln!("notice: pyspark not importable by {}: the Spark job is not tested", python());
    }
    ok
}

fn sorted_lines(b: &[u8]) -> Vec<String> {
    let mut l: Vec<String> = common::text(b).lines().map(str::to_string).collect();
    l.sort();
    l
}

/// Run the job on `dataset` and compare with `audit -o jsonl` of the same dataset.
fn job_equals_audit(dataset: &Path, flags: &[&str]) {
    let bin = env!("CARGO_BIN_EXE_signin-audit");
    let out = dataset.parent().unwrap().join("spark-out");
    let job = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/spark/signin_audit_job.py");
    let ran = Command::new(python())
        .arg(&job)
        .args(["--binary", bin, "--master", "local[2]", "--dataset"])
        .arg(dataset)
        .arg("--out")
        .arg(&out)
        .arg("--")
        .args(flags)
        .output()
        .unwrap();
    let single = Command::new(bin).args(["audit", "-o", "jsonl"]).args(flags).arg(dataset).output().unwrap();
    assert!(matches!(single.status.code(), Some(0 | 2 | 3)), "{}", common::text(&single.stderr));
    assert_eq!(ran.status.code(), single.status.code(), "the job's exit status: {}", common::text(&ran.stderr));
    let merged = std::fs::read(out.join("report.jsonl")).unwrap();
    let (merged, single) = (sorted_lines(&merged), sorted_lines(&single.stdout));
    assert!(merged.iter().filter(|l| l.contains("\"detector\"")).count() > 3, "findings expected");
    assert!(merged == single, "the Spark job's findings differ from audit's");
}

#[test]
fn the_spark_job_gives_the_single_machine_audit() {
    if !spark_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let samples = tmp.path().join("samples").join("ds");
    let bin = env!("CARGO_BIN_EXE_signin-audit");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let o = Command::new(bin).args(["export", "--buckets", "4", "--out"]).arg(&samples).arg(&src).output().unwrap();
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    job_equals_audit(&samples, &["--include-non-interactive"]);

    let cfg = world::Config { seed: 7, users: 30, days: 30, attacks_per_detector: 1, strip_asn: false, country: None };
    let t = world::generate(&cfg);
    let table = world::output::table(&t.records);
    let generated = tmp.path().join("generated").join("ds");
    std::fs::create_dir_all(generated.parent().unwrap()).unwrap();
    let ingested = signin_audit::ingest::Ingested { inputs: Vec::new(), table, warnings: Vec::new(), damage: Vec::new() };
    signin_audit::export::write_dataset_with_buckets(&ingested, &generated, 8).unwrap();
    job_equals_audit(&generated, &[]);
}
