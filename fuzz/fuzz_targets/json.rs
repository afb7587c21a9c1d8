//! Every JSON rendering: the structural scanner, salvage of damaged values, record mapping and the
//! table builder (JSON lines too, when the input looks like them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signin_audit::ingest::json;
use signin_audit::ingest::sink::Sink;

fuzz_target!(|data: &[u8]| {
    let mut sink = Sink::new("fuzz.json", "json", 0);
    json::parse(data, &mut sink, 0);
    let mut lines = Sink::new("fuzz.jsonl", "json", 3600);
    json::parse_lines(data, &mut lines, 3600, 0);
    let _ = sink.builder.finish();
    let _ = lines.builder.finish();
});
