//! Criterion bench of the audit stage alone (baseline + detectors + risk chaining) over an
//! in-memory table, so its cost can be compared with ingest (`benches/ingest.rs`).
//!
//! The table is synthetic: `USERS` users with `PER_USER` sign-ins each over 45 days, a few home
//! cities, devices and user agents per user, 2 % failures, and a sprinkling of foreign countries.

use std::borrow::Cow;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use signin_audit::audit::{AuditConfig, audit};
use signin_audit::model::table::Segment;
use signin_audit::model::time::TimeValue;
use signin_audit::model::{SignIn, SignInTable, TableBuilder};

const USERS: usize = 500;
const PER_USER: usize = 200;
const START: i64 = 1_758_000_000_000_000; // 2025-09-16, microseconds

const CITIES: &[(&str, &str, f64, f64)] = &[
    ("US", "Seattle", 47.6, -122.3),
    ("US", "Chicago", 41.9, -87.6),
    ("GB", "London", 51.5, -0.1),
    ("DE", "Berlin", 52.5, 13.4),
    ("FR", "Paris", 48.9, 2.4),
    ("NG", "Lagos", 6.5, 3.4),
];

fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

pub fn synthetic_table() -> SignInTable {
    let mut segments = Vec::new();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut b = TableBuilder::new("bench.json", "graph-beta", 0);
    for u in 0..USERS {
        let upn = format!("user{u}@contoso.example");
        let home = u % 5;
        for k in 0..PER_USER {
            let r = next(&mut rng);
            let city = if r.is_multiple_of(50) { CITIES[5] } else { CITIES[home] };
            let t = START + (k as i64) * 45 * 86_400_000_000 / PER_USER as i64 + (r % 3_600_000_000) as i64;
            let rec = SignIn {
                request_id: Some(Cow::Owned(format!("{u:08x}-{k:04x}-4000-8000-{r:012x}"))),
                time: Some(TimeValue::Utc { micros: t, zoned: true }),
                user_principal_name: Some(Cow::Owned(upn.clone())),
                error_code: Some(if r % 50 == 1 { 50126 } else { 0 }),
                ip_address: Some(Cow::Owned(format!("198.51.{}.{}", home * 10 + (r % 3) as usize, (r >> 8) % 250))),
                country: Some(Cow::Borrowed(city.0)),
                city: Some(Cow::Borrowed(city.1)),
                latitude: Some(city.2),
                longitude: Some(city.3),
                client_app_used: Some(Cow::Borrowed(if r.is_multiple_of(97) { "IMAP4" } else { "Browser" })),
                user_agent: Some(Cow::Borrowed(if r.is_multiple_of(2) {
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0"
                } else {
                    "Outlook-iOS/2.0"
                })),
                device_os: Some(Cow::Borrowed(if r.is_multiple_of(2) { "Windows 10" } else { "Ios" })),
                device_browser: Some(Cow::Borrowed(if r.is_multiple_of(2) { "Chrome 120.0" } else { "Mobile Safari" })),
                session_id: Some(Cow::Owned(format!("s-{u}-{}", k / 10))),
                ..Default::default()
            };
            let _ = b.push(&rec);
        }
        if u % 100 == 99 {
            let full = std::mem::replace(&mut b, TableBuilder::new("bench.json", "graph-beta", 0));
            if let Ok(built) = full.finish() {
                segments.push(Segment::single(0, built));
            }
        }
    }
    SignInTable::merge(segments).map(|(t, _)| t).unwrap_or_else(|_| SignInTable::empty())
}

fn bench_audit(c: &mut Criterion) {
    let table = synthetic_table();
    let mut g = c.benchmark_group("audit");
    g.throughput(Throughput::Elements(table.len() as u64));
    g.sample_size(10);
    let cfg = AuditConfig { include_non_interactive: true, ..AuditConfig::default() };
    g.bench_function("baseline_and_detectors", |b| b.iter(|| audit(&table, &cfg)));
    g.finish();
}

criterion_group!(benches, bench_audit);
criterion_main!(benches);
