//! [`SignInTable`]: every segment merged into one batch, duplicates removed, sorted by principal then
//! time, and cut into per-user partitions.
//!
//! Duplicates are copies of the same sign-in: the same request id (lowercased), the same principal
//! and the same time, to within [`SAME_SIGN_IN_TOLERANCE_MICROS`] (exports round differently). The
//! copy kept is the one with the most fields filled; ties go to the earliest file (files are ordered
//! by path) and position, so the choice never depends on thread scheduling. Two records that share a
//! request id but name different principals or times are two sign-ins: both are kept and the
//! collision is reported with both positions. Rows without a request id (hand-flattened CSVs) fall
//! back to a key of (second, principal, IP, app, error code), as formats.md §12 suggests.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, DictionaryArray, RecordBatch, StringArray};
use arrow_schema::ArrowError;
use rayon::prelude::*;

use super::builder::BuiltBatch;
use super::schema::{self, col};

/// One user's contiguous rows in the sorted table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRange {
    pub principal: String,
    pub offset: usize,
    pub len: usize,
}

/// The normalized, deduplicated, sorted table.
#[derive(Debug, Clone)]
pub struct SignInTable {
    pub batch: RecordBatch,
    pub users: Vec<UserRange>,
}

/// A segment to merge, with the index of the evidence file it came from.
pub struct Segment {
    pub file: usize,
    pub built: BuiltBatch,
}

/// What merging found, per evidence file index.
#[derive(Debug, Default, Clone)]
pub struct MergeStats {
    /// Rows of each file dropped as duplicates of a more complete (or earlier) copy.
    pub duplicates: HashMap<usize, u64>,
    /// Request-id collisions (two different sign-ins with one id), as warnings for the file of the
    /// later one: the first [`MAX_COLLISION_DETAILS`] of each file, then a count of the rest.
    pub collisions: Vec<(usize, String)>,
}

/// Two copies of one sign-in may differ in time by up to this much and still be the same sign-in.
/// Exports round `createdDateTime` differently: Graph writes up to 7 fraction digits, the portal CSV
/// `Date (UTC)` and Log Analytics `CreatedDateTime` whole seconds (one truncating, another possibly
/// rounding up), so two renderings of one sign-in can be a second apart. Sources: the `signIn`
/// resource (https://learn.microsoft.com/graph/api/resources/signin, `createdDateTime`) and the
/// `SigninLogs` rows of microsoft/msticpy `tests/testdata/localdata/aad_logons.pkl` (whole-second
/// `CreatedDateTime` beside millisecond `TimeGenerated`).
pub const SAME_SIGN_IN_TOLERANCE_MICROS: i64 = 1_000_000;

/// Collisions described in full per file; the rest are counted.
pub const MAX_COLLISION_DETAILS: usize = 20;

impl SignInTable {
    pub fn empty() -> Self {
        SignInTable { batch: RecordBatch::new_empty(schema::schema()), users: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.batch.num_rows()
    }

    pub fn is_empty(&self) -> bool {
        self.batch.num_rows() == 0
    }

    /// Rows of one user, zero-copy.
    pub fn user_batch(&self, user: &UserRange) -> RecordBatch {
        self.batch.slice(user.offset, user.len)
    }

    /// Build from already-sorted batches (a dataset read back from parquet): recompute partitions.
    pub fn from_sorted(batch: RecordBatch) -> Result<Self, ArrowError> {
        let users = user_ranges(&batch)?;
        Ok(SignInTable { batch, users })
    }

    /// Merge segments (in evidence order) into one deduplicated, sorted table.
    pub fn merge(segments: Vec<Segment>) -> Result<(Self, MergeStats), ArrowError> {
        let mut stats = MergeStats::default();
        if segments.is_empty() {
            return Ok((Self::empty(), stats));
        }
        let ranks = principal_ranks(&segments)?;
        let keep = dedup(&segments, &ranks, &mut stats)?;
        let order = sort_order(&segments, &ranks, keep)?;
        let batches: Vec<RecordBatch> = segments.into_iter().map(|s| s.built.batch).collect();
        let batch = interleave_columns(batches, &order)?;
        let users = user_ranges(&batch)?;
        Ok((SignInTable { batch, users }, stats))
    }
}

/// Per segment: the global rank (in sorted order of all principal strings) of each value of its
/// principal dictionary, so sorting and grouping compare integers.
fn principal_ranks(segments: &[Segment]) -> Result<Vec<Vec<u32>>, ArrowError> {
    let mut names: Vec<&str> = Vec::new();
    for seg in segments {
        let p = column(&seg.built.batch, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
        let v = p.values().as_string::<i32>();
        names.extend((0..v.len()).map(|i| v.value(i)));
    }
    names.par_sort_unstable();
    names.dedup();
    let ranks: HashMap<&str, u32, ahash::RandomState> = names.iter().enumerate().map(|(i, n)| (*n, i as u32)).collect();
    segments
        .iter()
        .map(|seg| {
            let p = column(&seg.built.batch, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
            let v = p.values().as_string::<i32>();
            Ok((0..v.len()).map(|i| ranks.get(v.value(i)).copied().unwrap_or(0)).collect())
        })
        .collect()
}

/// One row as dedup sees it: (key, principal rank, time, completeness, segment, row).
type DedupKey<'a> = (std::borrow::Cow<'a, str>, u32, i64, std::cmp::Reverse<u16>, u32, u32);

/// Returns, per segment, a keep-flag per row.
fn dedup(segments: &[Segment], ranks: &[Vec<u32>], stats: &mut MergeStats) -> Result<Vec<Vec<bool>>, ArrowError> {
    let mut keys: Vec<DedupKey<'_>> = Vec::new();
    for (si, seg) in segments.iter().enumerate() {
        let b = &seg.built.batch;
        let ids = column(b, col::REQUEST_ID)?.as_string::<i32>();
        let p = column(b, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
        let ts = column(b, col::TIMESTAMP)?.as_primitive::<TimestampMicrosecondType>();
        for row in 0..b.num_rows() {
            let key =
                if ids.is_valid(row) { std::borrow::Cow::Borrowed(ids.value(row)) } else { std::borrow::Cow::Owned(fallback_key(b, row)?) };
            let rank = ranks[si][p.keys().value(row) as usize];
            keys.push((key, rank, ts.value(row), std::cmp::Reverse(seg.built.completeness[row]), si as u32, row as u32));
        }
    }
    keys.par_sort_unstable();
    let mut keep: Vec<Vec<bool>> = segments.iter().map(|s| vec![true; s.built.batch.num_rows()]).collect();
    let mut collisions: HashMap<usize, u64> = HashMap::new();
    for group in keys.chunk_by(|a, b| a.0 == b.0) {
        if group.len() < 2 {
            continue;
        }
        // Copies of one sign-in: same principal, times within the tolerance of the first copy.
        let mut kept: Vec<&DedupKey<'_>> = Vec::new();
        let mut start = 0;
        while start < group.len() {
            let first = &group[start];
            let end =
                start + group[start..].iter().take_while(|k| k.1 == first.1 && k.2 - first.2 <= SAME_SIGN_IN_TOLERANCE_MICROS).count();
            let copies = &group[start..end];
            let best = copies.iter().min_by_key(|k| (k.3, k.4, k.5)).unwrap_or(first);
            for k in copies {
                if !std::ptr::eq(k, best) {
                    keep[k.4 as usize][k.5 as usize] = false;
                    *stats.duplicates.entry(segments[k.4 as usize].file).or_default() += 1;
                }
            }
            kept.push(best);
            start = end;
        }
        for other in kept.iter().skip(1) {
            let file = segments[other.4 as usize].file;
            let n = collisions.entry(file).or_default();
            *n += 1;
            if *n as usize <= MAX_COLLISION_DETAILS {
                stats.collisions.push((file, collision_warning(segments, kept[0], other)?));
            }
        }
    }
    for (file, n) in collisions {
        if n as usize > MAX_COLLISION_DETAILS {
            stats
                .collisions
                .push((file, format!("... and {} more request-id collision(s) in this file", n as usize - MAX_COLLISION_DETAILS)));
        }
    }
    // Per file: the described collisions in key order, then the count of the rest.
    stats.collisions.sort_by_key(|c| c.0);
    Ok(keep)
}

/// "id collision: request id X names two different sign-ins ...": both positions, users and times.
fn collision_warning(segments: &[Segment], a: &DedupKey<'_>, b: &DedupKey<'_>) -> Result<String, ArrowError> {
    let describe = |k: &DedupKey<'_>| -> Result<String, ArrowError> {
        let batch = &segments[k.4 as usize].built.batch;
        let row = k.5 as usize;
        let rows = super::view::Rows::new(batch)?;
        let (file, at) = rows.source(row);
        Ok(format!("{} at {} in {file} ({at})", rows.principal.get(row).unwrap_or(""), crate::model::time::format_rfc3339(k.2)))
    };
    Ok(format!("id collision: request id {} names two different sign-ins, both kept: {}; {}", a.0, describe(a)?, describe(b)?))
}

fn fallback_key(b: &RecordBatch, row: usize) -> Result<String, ArrowError> {
    let ts = column(b, col::TIMESTAMP)?.as_primitive::<TimestampMicrosecondType>().value(row);
    let code = column(b, col::ERROR_CODE)?.as_primitive::<Int32Type>();
    let code = if code.is_valid(row) { code.value(row).to_string() } else { String::new() };
    Ok(format!(
        "\u{0}{}|{}|{}|{}|{}",
        ts.div_euclid(1_000_000),
        dict_value(b, col::PRINCIPAL, row)?.unwrap_or(""),
        dict_value(b, col::IP_ADDRESS, row)?.unwrap_or(""),
        dict_value(b, col::APP_ID, row)?.unwrap_or(""),
        code
    ))
}

/// (segment, row) pairs of the kept rows, sorted by principal, time, then evidence position.
fn sort_order(segments: &[Segment], ranks: &[Vec<u32>], keep: Vec<Vec<bool>>) -> Result<Vec<(usize, usize)>, ArrowError> {
    let mut rows: Vec<(u32, i64, u32, u32)> = Vec::new();
    for (si, seg) in segments.iter().enumerate() {
        let b = &seg.built.batch;
        let p = column(b, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
        let ts = column(b, col::TIMESTAMP)?.as_primitive::<TimestampMicrosecondType>();
        for row in 0..b.num_rows() {
            if keep[si][row] {
                rows.push((ranks[si][p.keys().value(row) as usize], ts.value(row), si as u32, row as u32));
            }
        }
    }
    rows.par_sort_unstable();
    Ok(rows.into_iter().map(|(_, _, s, r)| (s as usize, r as usize)).collect())
}

/// Gather every column in `order`, one column at a time so the source column can be dropped as
/// soon as its sorted copy exists (peak memory stays near one table, not two).
fn interleave_columns(batches: Vec<RecordBatch>, order: &[(usize, usize)]) -> Result<RecordBatch, ArrowError> {
    let schema = schema::schema();
    let ncols = schema.fields().len();
    let mut by_column: Vec<Vec<ArrayRef>> = (0..ncols).map(|_| Vec::with_capacity(batches.len())).collect();
    for b in batches {
        for (c, a) in b.columns().iter().enumerate() {
            by_column[c].push(a.clone());
        }
    }
    let columns: Result<Vec<ArrayRef>, ArrowError> = by_column
        .into_par_iter()
        .map(|sources| {
            let out = if sources.first().is_some_and(|a| a.data_type() == &schema::dict()) {
                interleave_dictionary(&sources, order)
            } else {
                let refs: Vec<&dyn Array> = sources.iter().map(|a| a.as_ref()).collect();
                arrow_select::interleave::interleave(&refs, order)
            };
            drop(sources);
            crate::sys::release_free_memory();
            out
        })
        .collect();
    RecordBatch::try_new(schema, columns?)
}

/// Gather a dictionary column into ONE deduplicated dictionary. Arrow's `interleave` keeps every
/// segment's dictionary side by side unless they outgrow the output, so a 1,000-file export would
/// store each user's name a thousand times. Values are numbered in order of first use in the
/// sorted output, so the result does not depend on how segments were cut or scheduled.
fn interleave_dictionary(sources: &[ArrayRef], order: &[(usize, usize)]) -> Result<ArrayRef, ArrowError> {
    let dicts: Vec<&DictionaryArray<Int32Type>> = sources.iter().map(|a| a.as_dictionary::<Int32Type>()).collect();
    let values: Vec<&StringArray> = dicts.iter().map(|d| d.values().as_string::<i32>()).collect();
    let mut remap: Vec<Vec<i32>> = dicts.iter().map(|d| vec![-1; d.values().len()]).collect();
    let mut index: HashMap<&str, i32, ahash::RandomState> = HashMap::default();
    let mut out_values = StringBuilder::new();
    let mut keys = Int32Builder::with_capacity(order.len());
    for &(s, r) in order {
        let d = dicts[s];
        if d.is_null(r) {
            keys.append_null();
            continue;
        }
        let k = d.keys().value(r) as usize;
        let mut g = remap[s][k];
        if g < 0 {
            let v = values[s].value(k);
            let next = index.len() as i32;
            g = *index.entry(v).or_insert_with(|| {
                out_values.append_value(v);
                next
            });
            remap[s][k] = g;
        }
        keys.append_value(g);
    }
    let mut out: ArrayRef = Arc::new(DictionaryArray::<Int32Type>::try_new(keys.finish(), Arc::new(out_values.finish()))?);
    Array::shrink_to_fit(&mut out);
    Ok(out)
}

fn user_ranges(batch: &RecordBatch) -> Result<Vec<UserRange>, ArrowError> {
    let p = column(batch, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
    let v = p.values().as_string::<i32>();
    let mut users: Vec<UserRange> = Vec::new();
    for row in 0..batch.num_rows() {
        let name = v.value(p.keys().value(row) as usize);
        match users.last_mut() {
            Some(u) if u.principal == name => u.len += 1,
            _ => users.push(UserRange { principal: name.to_string(), offset: row, len: 1 }),
        }
    }
    Ok(users)
}

pub(crate) fn column<'b>(b: &'b RecordBatch, name: &str) -> Result<&'b ArrayRef, ArrowError> {
    b.column_by_name(name).ok_or_else(|| ArrowError::SchemaError(format!("missing column {name}")))
}

/// The string of a dictionary column at `row`, or `None` if null.
pub fn dict_value<'b>(b: &'b RecordBatch, name: &str, row: usize) -> Result<Option<&'b str>, ArrowError> {
    let a = column(b, name)?.as_dictionary::<Int32Type>();
    if a.is_null(row) {
        return Ok(None);
    }
    Ok(Some(a.values().as_string::<i32>().value(a.keys().value(row) as usize)))
}

/// Count the values of a dictionary column (nulls are not counted).
pub fn count_dict(b: &RecordBatch, name: &str) -> Result<std::collections::BTreeMap<String, u64>, ArrowError> {
    let a = column(b, name)?.as_dictionary::<Int32Type>();
    let v = a.values().as_string::<i32>();
    let mut counts = vec![0u64; v.len()];
    for k in a.keys().iter().flatten() {
        counts[k as usize] += 1;
    }
    let mut out = std::collections::BTreeMap::new();
    for (i, c) in counts.into_iter().enumerate() {
        if c > 0 {
            *out.entry(v.value(i).to_string()).or_default() += c;
        }
    }
    Ok(out)
}

/// Earliest and latest timestamp of a batch.
pub fn time_span(b: &RecordBatch) -> Result<Option<(i64, i64)>, ArrowError> {
    let ts = column(b, col::TIMESTAMP)?.as_primitive::<TimestampMicrosecondType>();
    let v = ts.values();
    Ok(v.iter().copied().min().zip(v.iter().copied().max()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::TableBuilder;
    use crate::model::signin::SignIn;
    use crate::model::time::parse_time;
    use std::borrow::Cow;

    fn seg(file: usize, rows: &[(&'static str, &'static str, &'static str, Option<&'static str>)]) -> Segment {
        let mut b = TableBuilder::new("f", "graph", 0);
        for (n, (id, upn, t, ip)) in rows.iter().enumerate() {
            let r = SignIn {
                source: crate::model::SourceRef { offset: 0, record: n as u64 + 1, line: None },
                request_id: Some(Cow::Borrowed(*id)),
                user_principal_name: Some(Cow::Borrowed(*upn)),
                time: parse_time(t, 0),
                ip_address: ip.map(Cow::Borrowed),
                ..Default::default()
            };
            b.push(&r).unwrap();
        }
        Segment { file, built: b.finish().unwrap() }
    }

    #[test]
    fn one_id_is_one_sign_in_only_for_one_principal_and_time() {
        // id-1: the same sign-in rendered with and without fractions (one duplicate); id-2: two sign-ins.
        let a = seg(0, &[("id-1", "bob@x", "2024-01-02T00:00:00.9Z", None), ("id-2", "bob@x", "2024-01-03T00:00:00Z", None)]);
        let b = seg(1, &[("id-1", "bob@x", "2024-01-02T00:00:01Z", Some("1.2.3.4")), ("id-2", "eve@x", "2024-01-03T05:00:00Z", None)]);
        let (t, stats) = SignInTable::merge(vec![a, b]).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(stats.duplicates.values().sum::<u64>(), 1);
        assert_eq!(stats.collisions.len(), 1);
        let (file, w) = &stats.collisions[0];
        assert_eq!(*file, 1, "reported on the file of the later sign-in");
        assert!(w.contains("request id id-2") && w.contains("bob@x at 2024-01-03T00:00:00Z in f (record 2, byte 0)"), "{w}");
        assert!(w.contains("eve@x at 2024-01-03T05:00:00Z"), "{w}");
        // Two seconds apart is not the same sign-in.
        let c = seg(0, &[("id-3", "bob@x", "2024-01-02T00:00:00Z", None)]);
        let d = seg(1, &[("id-3", "bob@x", "2024-01-02T00:00:02Z", None)]);
        let (t, stats) = SignInTable::merge(vec![c, d]).unwrap();
        assert_eq!((t.len(), stats.collisions.len()), (2, 1));
    }

    #[test]
    fn collisions_beyond_the_details_are_counted() {
        let ids: Vec<&'static str> = (0..MAX_COLLISION_DETAILS + 2).map(|i| &*Box::leak(format!("id-{i:02}").into_boxed_str())).collect();
        let a = seg(0, &ids.iter().map(|id| (*id, "bob@x", "2024-01-02T00:00:00Z", None)).collect::<Vec<_>>());
        let b = seg(1, &ids.iter().map(|id| (*id, "eve@x", "2024-01-02T00:00:00Z", None)).collect::<Vec<_>>());
        let (t, stats) = SignInTable::merge(vec![a, b]).unwrap();
        assert_eq!(t.len(), 2 * ids.len());
        assert_eq!(stats.collisions.len(), MAX_COLLISION_DETAILS + 1);
        assert!(stats.collisions[0].1.contains("request id id-00"));
        assert_eq!(stats.collisions[MAX_COLLISION_DETAILS].1, "... and 2 more request-id collision(s) in this file");
    }

    #[test]
    fn dedups_sorts_and_partitions() {
        let a = seg(0, &[("ID-1", "bob@x", "2024-01-02T00:00:00Z", None), ("id-2", "alice@x", "2024-01-03T00:00:00Z", None)]);
        let b = seg(1, &[("id-1", "bob@x", "2024-01-02T00:00:00Z", Some("1.2.3.4")), ("id-3", "alice@x", "2024-01-01T00:00:00Z", None)]);
        let (t, stats) = SignInTable::merge(vec![a, b]).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(
            t.users,
            vec![UserRange { principal: "alice@x".into(), offset: 0, len: 2 }, UserRange { principal: "bob@x".into(), offset: 2, len: 1 },]
        );
        // The copy with the IP (file 1) is more complete, so file 0's copy is the duplicate.
        assert_eq!(stats.duplicates.get(&0), Some(&1));
        assert_eq!(dict_value(&t.batch, col::IP_ADDRESS, 2).unwrap(), Some("1.2.3.4"));
        let ids = t.batch.column_by_name(col::REQUEST_ID).unwrap().as_string::<i32>();
        assert_eq!(ids.value(0), "id-3");
        assert_eq!(ids.value(1), "id-2");
    }
}
