//! Ingest benchmarks on generated evidence (`cargo bench --bench ingest`).
//!
//! At startup 20 Graph beta pages × 1000 sign-ins (~68 MB, ~3.4 KB/record) and the portal CSV of
//! the same 20,000 sign-ins (~19 MB) are generated into a temporary directory with the generator
//! core shared with `examples/generate.rs` (`signin_audit::generate`, feature `generate`). Groups, all with
//! `Throughput::Bytes` of the input they read:
//!
//! * `ingest/graph_pages`: `signin_audit::ingest::ingest` end to end (discover, hash, map, parse
//!   pages in parallel, normalize, deduplicate, sort) on the page directory, default rayon pool;
//!   `ingest/graph_pages_1thread` the same on a one-thread pool.
//! * `ingest/portal_csv`: the same on the CSV directory (0 records until the CSV parser lands).
//! * `parse_floor`: the same page bytes through the two parser floors the design considered:
//!   `simd_json::to_tape` (on a reused mutable copy, as `ingest::json::parse` does) vs
//!   `serde_json::from_slice::<serde::de::IgnoredAny>` (validate and skip, no allocation); plus
//!   `simd_json::to_tape_with_buffers` (buffers reused across pages) and `serde_json::Value`
//!   (serde_json materializing every value, which is what ingest needs).
//!
//! Numbers (2-vCPU AMD EPYC VM shared with other engineers' builds, `bench` profile, criterion
//! point estimates of 10 samples; a full `cargo bench --bench ingest` takes ~2.5 min once built):
//!
//! | bench                                      | time / iter | throughput  |
//! |--------------------------------------------|-------------|-------------|
//! | ingest/graph_pages (2 threads)             | 258 ms      | 252 MiB/s   |
//! | ingest/graph_pages_1thread                 | 387 ms      | 168 MiB/s   |
//! | ingest/portal_csv (0 records, no parser)   | 18.4 ms     | 985 MiB/s   |
//! | parse_floor/simd_json_to_tape              | 129 ms      | 505 MiB/s   |
//! | parse_floor/simd_json_to_tape_with_buffers | 133 ms      | 489 MiB/s   |
//! | parse_floor/serde_json_ignored_any         | 101 ms      | 641 MiB/s   |
//! | parse_floor/serde_json_value               | 1.03 s      | 63 MiB/s    |
//!
//! In an earlier run, with other builds on the machine, `graph_pages` on 2 threads took 419 ms, no
//! better than one thread: compare runs only at equal load. Reading the floors: serde_json only *skipping*
//! the pages is 1.27× faster than simd-json building its tape (and the simd-json number includes
//! the copy into a mutable buffer), but skipping keeps nothing; once serde_json has to materialize
//! the values (`serde_json::Value`) it is 8× slower than the tape, which gives every value,
//! strings unescaped in place and borrowed. That is why ingest uses simd-json. Reusing simd-json's
//! `Buffers` across pages gains nothing measurable. Per core, parsing is about a third of ingest
//! (505 vs 168 MiB/s); the rest is SHA-256, mapping fields, the Arrow builders and the merge.
//!
//! Full-size runs (1,000,000 sign-ins, 3.4 GB) and how they were measured: `docs/perf.md`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use signin_audit::ingest::{IngestOptions, ingest};

const PAGES: u64 = 20;

struct Data {
    _dir: tempfile::TempDir,
    graph: PathBuf,
    csv: PathBuf,
    json_bytes: u64,
    csv_bytes: u64,
    pages: Vec<Vec<u8>>,
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    panic!("bench setup: {what}: {e}")
}

fn setup() -> Data {
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", e));
    let graph = dir.path().join("graph");
    let csv = dir.path().join("portal");
    let cfg = signin_audit::generate::Config {
        sign_ins: PAGES * signin_audit::generate::PAGE_SIZE as u64,
        ..signin_audit::generate::Config::default()
    };
    let sum = signin_audit::generate::generate(&cfg, signin_audit::generate::Layout::Files, &graph, Some(&csv))
        .unwrap_or_else(|e| fail("generate", e));
    let pages = sum.json_files.iter().map(|p| std::fs::read(p).unwrap_or_else(|e| fail("read page", e))).collect();
    eprintln!(
        "generated {} sign-ins: {} pages, {} JSON bytes; {} CSV rows, {} CSV bytes",
        sum.records, sum.pages, sum.json_bytes, sum.csv_rows, sum.csv_bytes
    );
    Data { _dir: dir, graph, csv, json_bytes: sum.json_bytes, csv_bytes: sum.csv_bytes, pages }
}

/// Ingest `path` and return the rows of the normalized table.
fn records(path: &Path, opts: &IngestOptions) -> usize {
    match ingest(std::slice::from_ref(&path.to_path_buf()), opts) {
        Ok(i) => i.table.len(),
        Err(e) => fail("ingest", e),
    }
}

fn benches(c: &mut Criterion) {
    let data = setup();
    let opts = IngestOptions::default();
    match ingest(std::slice::from_ref(&data.graph), &opts) {
        Ok(i) => eprintln!(
            "graph pages: {} rows, {} bytes of Arrow arrays ({} per row)",
            i.table.len(),
            i.table.batch.get_array_memory_size(),
            i.table.batch.get_array_memory_size() / i.table.len().max(1)
        ),
        Err(e) => fail("ingest", e),
    }
    eprintln!("portal CSV: {} rows", records(&data.csv, &opts));

    let mut g = c.benchmark_group("ingest");
    g.sample_size(10).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Bytes(data.json_bytes));
    g.bench_function("graph_pages", |b| b.iter(|| records(black_box(&data.graph), &opts)));
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap_or_else(|e| fail("thread pool", e));
    g.bench_function("graph_pages_1thread", |b| b.iter(|| one.install(|| records(black_box(&data.graph), &opts))));
    g.throughput(Throughput::Bytes(data.csv_bytes));
    g.bench_function("portal_csv", |b| b.iter(|| records(black_box(&data.csv), &opts)));
    g.finish();

    let mut g = c.benchmark_group("parse_floor");
    g.sample_size(10).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Bytes(data.json_bytes));
    let mut scratch = Vec::new();
    g.bench_function("simd_json_to_tape", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for page in &data.pages {
                scratch.clear();
                scratch.extend_from_slice(page);
                match simd_json::to_tape(&mut scratch) {
                    Ok(tape) => n += tape.0.len(),
                    Err(e) => fail("simd-json", e),
                }
            }
            n
        })
    });
    let mut buffers = simd_json::Buffers::default();
    g.bench_function("simd_json_to_tape_with_buffers", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for page in &data.pages {
                scratch.clear();
                scratch.extend_from_slice(page);
                match simd_json::to_tape_with_buffers(&mut scratch, &mut buffers) {
                    Ok(tape) => n += tape.0.len(),
                    Err(e) => fail("simd-json", e),
                }
            }
            n
        })
    });
    g.bench_function("serde_json_ignored_any", |b| {
        b.iter(|| {
            for page in &data.pages {
                if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(black_box(page)) {
                    fail("serde_json", e);
                }
            }
        })
    });
    // What serde_json costs once it has to materialize the values (as ingest needs every field).
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for page in &data.pages {
                match serde_json::from_slice::<serde_json::Value>(black_box(page)) {
                    Ok(v) => n += v.get("value").and_then(|v| v.as_array()).map_or(0, Vec::len),
                    Err(e) => fail("serde_json", e),
                }
            }
            n
        })
    });
    g.finish();
}

criterion_group!(ingest_benches, benches);
criterion_main!(ingest_benches);
