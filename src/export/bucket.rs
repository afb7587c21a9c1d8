//! Which file a user's rows go to: a stable hash of the principal, modulo a bucket count that depends
//! only on the number of rows.
//!
//! Everything here is a pure function of the data, so the same evidence always gives the same layout
//! (no `RandomState`, no thread-dependent order), and anyone can recompute a user's bucket from the
//! manifest's `partitioning` line: FNV-1a 64 over the UTF-8 bytes of `principal`, modulo
//! `bucket_count`. Directory names are built from the bucket *number* only; no byte of a UPN (which
//! the attacker partly controls) ever reaches a path.

/// FNV-1a 64-bit offset basis (Fowler–Noll–Vo, draft-eastlake-fnv, "FNV-1a 64").
const FNV64_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime (same source).
const FNV64_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Rows per bucket the layout aims at: large enough that a reader does not drown in per-file
/// overhead (every file costs an open, a footer read and a schema decode), small enough that one
/// bucket is two row groups of the writer and is concatenated in memory without strain.
/// Measured: 66 bytes per row on a synthetic 300,000-row Graph beta export (5,000 users; the random
/// request, correlation and token ids dominate), so a full bucket is about 16 MB; real exports hold
/// more distinct user agents, IPs and policies and give larger files, in the tens of MB.
pub const ROWS_PER_BUCKET: usize = 250_000;

/// Upper bound on buckets: 64 files cover 16 million rows at the target size; beyond that files grow
/// instead of multiplying, so a 100,000-user tenant never becomes 100,000 (or even 1,000) files.
pub const MAX_BUCKETS: usize = 64;

/// Digits of the bucket number in directory names (`bucket=07`). Zero-padded so that a plain sort of
/// the paths is the bucket order, which is also the order `ingest` reads them back in.
pub const BUCKET_DIGITS: usize = 2;

// `bucket=NN` must have room for every bucket number.
const _: () = assert!(MAX_BUCKETS <= 100, "raise BUCKET_DIGITS with MAX_BUCKETS");

/// The partitioning rule as written into the manifest.
pub const PARTITIONING: &str = "bucket = fnv1a64(principal) % bucket_count";

/// FNV-1a 64 of `bytes`: xor each byte in, then multiply by the prime.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = FNV64_OFFSET_BASIS;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV64_PRIME);
    }
    h
}

/// Number of buckets for a table of `rows` rows: `ceil(rows / ROWS_PER_BUCKET)` rounded up to a power
/// of two, clamped to `[1, MAX_BUCKETS]`.
///
/// A power of two, because then growing the evidence past a threshold *splits* buckets instead of
/// reshuffling them: with `2n` buckets, a user of bucket `b` (of `n`) lands in `b` or `b + n`, so two
/// exports of overlapping evidence stay comparable bucket by bucket.
pub fn bucket_count(rows: usize) -> usize {
    rows.div_ceil(ROWS_PER_BUCKET).max(1).next_power_of_two().min(MAX_BUCKETS)
}

/// Bucket of one principal.
pub fn bucket_of(principal: &str, bucket_count: usize) -> usize {
    // `bucket_count` is at most MAX_BUCKETS, so the remainder always fits a usize.
    (fnv1a64(principal.as_bytes()) % bucket_count.max(1) as u64) as usize
}

/// Path of a bucket's file relative to the dataset directory, with `/` on every platform (it is also
/// the manifest's `files[].path`).
pub fn file_path(bucket: usize) -> String {
    format!("{}/part-0.parquet", dir_name(bucket))
}

/// Directory of a bucket, Hive style (`bucket=07`), so DuckDB and Arrow datasets see a `bucket` column.
pub fn dir_name(bucket: usize) -> String {
    format!("bucket={bucket:0BUCKET_DIGITS$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_known_values() {
        // Test vectors of the FNV reference code (fnv_test.c, FNV1A_64 column).
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
        // A value of our own, computed independently (Python) and frozen: a change here would move
        // users between buckets and break every published `partitioning` line.
        assert_eq!(fnv1a64(b"alice@contoso.com"), 0xfe88_7650_4f47_9e73);
        assert_eq!(bucket_of("alice@contoso.com", 64), 51);
        assert_eq!(bucket_of("alice@contoso.com", 1), 0);
    }

    #[test]
    fn bucket_count_rule() {
        assert_eq!(bucket_count(0), 1);
        assert_eq!(bucket_count(1), 1);
        assert_eq!(bucket_count(ROWS_PER_BUCKET), 1);
        assert_eq!(bucket_count(ROWS_PER_BUCKET + 1), 2);
        assert_eq!(bucket_count(2 * ROWS_PER_BUCKET + 1), 4);
        assert_eq!(bucket_count(4 * ROWS_PER_BUCKET), 4);
        assert_eq!(bucket_count(64 * ROWS_PER_BUCKET), 64);
        assert_eq!(bucket_count(64 * ROWS_PER_BUCKET + 1), 64);
        assert_eq!(bucket_count(usize::MAX), 64);
        for rows in [0, 7, 300_000, 5_000_000, 1 << 40] {
            assert!(bucket_count(rows).is_power_of_two());
        }
    }

    #[test]
    fn doubling_splits_buckets() {
        for i in 0..1000 {
            let p = format!("user{i}@contoso.com");
            let b = bucket_of(&p, 8);
            let b2 = bucket_of(&p, 16);
            assert!(b2 == b || b2 == b + 8);
        }
    }

    #[test]
    fn users_spread_over_buckets() {
        // 100,000 UPNs of one tenant: no bucket should be far from the mean (1,562).
        let mut counts = [0usize; MAX_BUCKETS];
        for i in 0..100_000 {
            counts[bucket_of(&format!("user{i}@contoso.com"), MAX_BUCKETS)] += 1;
        }
        let mean = 100_000 / MAX_BUCKETS;
        for c in counts {
            assert!(c > mean * 3 / 4 && c < mean * 5 / 4, "{counts:?}");
        }
    }

    #[test]
    fn names_are_numbers_only() {
        assert_eq!(dir_name(3), "bucket=03");
        assert_eq!(file_path(63), "bucket=63/part-0.parquet");
    }
}
