//! gzip and zip containers: the central directory and local-header recovery, member inflation with
//! limits, CRC checks, nested gzip, and text decoding (BOMs, UTF-16). The bytes are written to a
//! temporary file (containers are read in place) and every entry is materialized and read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signin_audit::evidence::{self, Limits, Opened};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("evidence.bin");
    std::fs::write(&path, data).expect("write");
    let limits = Limits { max_inflate: 1 << 20 };
    let Ok(file) = evidence::open(&path, &limits) else { return };
    for i in 0..file.entries.len() {
        if let Ok(Opened::Input(input)) = file.materialize(i, &limits) {
            let all = input.read_all().expect("read");
            let _ = input.head(64);
            assert_eq!(all.len() as u64, input.len());
        }
    }
});
