//! Reading back a dataset file, the way `ingest` does: the bytes as a parquet file among the
//! evidence. The parquet decoder itself panics on some damaged files (a known upstream problem);
//! `ingest` contains that, so a crash here is a panic that escaped containment, or one in our own
//! read-back code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signin_audit::ingest::{IngestOptions, ingest};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("part-0.parquet");
    // Parquet files start with PAR1: make most inputs reach the decoder.
    let bytes = if data.starts_with(b"PAR1") { data.to_vec() } else { [b"PAR1", data].concat() };
    std::fs::write(&path, bytes).expect("write");
    let opts = IngestOptions { format: None, ..Default::default() };
    let _ = ingest(&[path], &opts);
});
