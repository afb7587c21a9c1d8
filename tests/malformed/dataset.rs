//! Datasets written by `signin-audit export`, read back: verified against their manifest, and a
//! damaged parquet file never panics the reader.

use std::path::Path;
use std::process::Command;

use super::common::BIN;
use super::make::*;
use super::{Case, case};

const PART: &str = "ds/bucket=00/part-0.parquet";

/// Export a page of three sign-ins into `ev/ds` (the raw page stays outside the evidence folder).
fn export(ev: &Path) {
    let dir = ev.parent().unwrap();
    std::fs::write(dir.join("src.json"), page_of(3)).unwrap();
    // Relative paths: the dataset cites `src.json`, so its bytes do not depend on the temp folder.
    let out = Command::new(BIN).args(["export", "--out", "ev/ds", "src.json"]).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "export failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn edit_manifest(ev: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let p = ev.join("ds/manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    f(&mut m);
    std::fs::write(&p, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

/// Flip three bytes of the part so that the parquet decoder panics (issue 14: three changed bytes
/// made every command exit 101). Offsets found by scanning a three-row export; if the layout moved,
/// scan again (in-process, catching the panic).
fn break_part(ev: &Path) {
    let p = ev.join(PART);
    let good = std::fs::read(&p).unwrap();
    let flipped = |at: usize| {
        let mut b = good.clone();
        b[at..at + 3].iter_mut().for_each(|x| *x = !*x);
        b
    };
    let panics = |b: &Vec<u8>| {
        let data = bytes::Bytes::from(b.clone());
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| signin_audit::ingest::dataset::read(data))).is_err()
    };
    let at = [10_889]
        .into_iter()
        .chain((4..good.len().saturating_sub(11)).step_by(7))
        .filter(|&at| at + 3 < good.len())
        .find(|&at| panics(&flipped(at)))
        .expect("no three-byte change panics the parquet decoder any more: this case can be dropped");
    std::fs::write(&p, flipped(at)).unwrap();
}

pub fn cases() -> Vec<Case> {
    vec![
        case("dataset-clean", Vec::new()).setup(export).inputs(&[(PART, 3, 0, 0), ("ds/manifest.json", 0, 0, 0)]),
        case("dataset-part-tampered", Vec::new())
            .setup(|ev| {
                export(ev);
                let p = ev.join(PART);
                let mut b = std::fs::read(&p).unwrap();
                let mid = b.len() / 2;
                b[mid] ^= 1;
                std::fs::write(&p, b).unwrap();
            })
            .error("SHA-256 is"),
        case("dataset-part-missing", Vec::new())
            .setup(|ev| {
                export(ev);
                std::fs::remove_file(ev.join(PART)).unwrap();
            })
            .error("bucket=00/part-0.parquet is listed but missing"),
        case("dataset-part-added", Vec::new())
            .setup(|ev| {
                export(ev);
                std::fs::create_dir(ev.join("ds/bucket=01")).unwrap();
                std::fs::copy(ev.join(PART), ev.join("ds/bucket=01/part-0.parquet")).unwrap();
            })
            .error("is not listed in manifest.json"),
        case("dataset-rows-lie", Vec::new())
            .setup(|ev| {
                export(ev);
                edit_manifest(ev, |m| {
                    m["files"][0]["rows"] = 4.into();
                    m["totals"]["unique_sign_ins"] = 4.into();
                });
            })
            .error("3 row(s) read, the manifest says 4"),
        case("dataset-totals-lie", Vec::new())
            .setup(|ev| {
                export(ev);
                edit_manifest(ev, |m| m["totals"]["unique_sign_ins"] = 7.into());
            })
            .error("totals say 7"),
        case("dataset-manifest-cut", Vec::new())
            .setup(|ev| {
                export(ev);
                let p = ev.join("ds/manifest.json");
                let b = std::fs::read(&p).unwrap();
                std::fs::write(&p, &b[..b.len() / 2]).unwrap();
            })
            .error("manifest.json cannot be read"),
        case("dataset-manifest-path-escapes", Vec::new())
            .setup(|ev| {
                export(ev);
                edit_manifest(ev, |m| m["files"][0]["path"] = "../../src.json".into());
            })
            .error("is not a path inside the dataset"),
        case("dataset-part-alone", Vec::new()).setup(export).target(PART).inputs(&[(PART, 3, 0, 0)]).says("not verified"),
        case("dataset-part-alone-that-panics-the-decoder", Vec::new())
            .setup(|ev| {
                export(ev);
                break_part(ev);
            })
            .target(PART)
            .inputs(&[(PART, 0, 0, 0)])
            .damaged(&[PART])
            .says("the parquet decoder panicked"),
    ]
}
