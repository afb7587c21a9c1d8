//! CSV families: header sniffing and mapping, the row loop, cell conversions and the PowerShell
//! `ToString()` renderings in cells. The first byte picks the family and file name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signin_audit::ingest::csv::{self, CsvKind};
use signin_audit::ingest::sink::Sink;

const KINDS: [(CsvKind, &str); 4] = [
    (CsvKind::Portal, "InteractiveSignIns_2026-01-01_2026-01-02.csv"),
    (CsvKind::LogAnalytics, "query_data.csv"),
    (CsvKind::PowerShell, "signins.csv"),
    (CsvKind::AuthDetails, "InteractiveSignIns_AuthDetails_2026-01-01_2026-01-02.csv"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let (kind, name) = KINDS[pick as usize % KINDS.len()];
    let _ = csv::sniff(rest, name);
    let mut sink = Sink::new(name, kind.label(), 0);
    csv::parse(rest, name, kind, &mut sink, 0);
    let _ = sink.builder.finish();
});
