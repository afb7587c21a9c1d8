//! [`SignInTable`]: every segment merged into one batch, duplicates removed, sorted by principal then
//! time, and cut into per-user partitions.
//!
//! Duplicates are rows with the same request id (lowercased). The copy kept is the one with the most
//! fields filled; ties go to the earliest file (files are ordered by path) and position, so the
//! choice never depends on thread scheduling. Rows without a request id (hand-flattened CSVs) fall
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

/// A segment to merge, with the evidence inputs its rows came from.
pub struct Segment {
    /// (first row, input index) of each run of rows from one input, in row order (a segment may hold
    /// the rows of many small inputs).
    pub files: Vec<(usize, usize)>,
    pub built: BuiltBatch,
}

impl Segment {
    /// A segment whose rows all come from one input.
    pub fn single(file: usize, built: BuiltBatch) -> Self {
        Segment { files: vec![(0, file)], built }
    }

    /// The input that row `row` came from.
    pub fn file_of(&self, row: usize) -> usize {
        let i = self.files.partition_point(|&(start, _)| start <= row);
        self.files.get(i.saturating_sub(1)).map_or(0, |f| f.1)
    }
}

/// What merging found, per evidence file index.
#[derive(Debug, Default, Clone)]
pub struct MergeStats {
    /// Rows of each file dropped as duplicates of a more complete (or earlier) copy.
    pub duplicates: HashMap<usize, u64>,
}

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
        let keep = dedup(&segments, &mut stats)?;
        let order = sort_order(&segments, keep)?;
        let batches: Vec<RecordBatch> = segments.into_iter().map(|s| s.built.batch).collect();
        let batch = interleave_columns(batches, &order)?;
        let users = user_ranges(&batch)?;
        Ok((SignInTable { batch, users }, stats))
    }
}

/// Returns, per segment, a keep-flag per row.
fn dedup(segments: &[Segment], stats: &mut MergeStats) -> Result<Vec<Vec<bool>>, ArrowError> {
    let mut keys: Vec<(std::borrow::Cow<'_, str>, std::cmp::Reverse<u16>, usize, usize)> = Vec::new();
    for (si, seg) in segments.iter().enumerate() {
        let b = &seg.built.batch;
        let ids = column(b, col::REQUEST_ID)?.as_string::<i32>();
        for row in 0..b.num_rows() {
            let key =
                if ids.is_valid(row) { std::borrow::Cow::Borrowed(ids.value(row)) } else { std::borrow::Cow::Owned(fallback_key(b, row)?) };
            keys.push((key, std::cmp::Reverse(seg.built.completeness[row]), si, row));
        }
    }
    keys.par_sort_unstable();
    let mut keep: Vec<Vec<bool>> = segments.iter().map(|s| vec![true; s.built.batch.num_rows()]).collect();
    for pair in keys.windows(2) {
        if pair[0].0 == pair[1].0 {
            let (_, _, si, row) = pair[1];
            keep[si][row] = false;
            *stats.duplicates.entry(segments[si].file_of(row)).or_default() += 1;
        }
    }
    Ok(keep)
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
fn sort_order(segments: &[Segment], keep: Vec<Vec<bool>>) -> Result<Vec<(usize, usize)>, ArrowError> {
    // Rank every principal string once, so the big sort compares integers.
    let mut names: Vec<&str> = Vec::new();
    for seg in segments {
        let p = column(&seg.built.batch, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
        let v = p.values().as_string::<i32>();
        names.extend((0..v.len()).map(|i| v.value(i)));
    }
    names.par_sort_unstable();
    names.dedup();
    let ranks: HashMap<&str, u32, ahash::RandomState> = names.iter().enumerate().map(|(i, n)| (*n, i as u32)).collect();
    let mut rows: Vec<(u32, i64, u32, u32)> = Vec::new();
    for (si, seg) in segments.iter().enumerate() {
        let b = &seg.built.batch;
        let p = column(b, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
        let v = p.values().as_string::<i32>();
        let rank: Vec<u32> = (0..v.len()).map(|i| ranks.get(v.value(i)).copied().unwrap_or(0)).collect();
        let ts = column(b, col::TIMESTAMP)?.as_primitive::<TimestampMicrosecondType>();
        for row in 0..b.num_rows() {
            if keep[si][row] {
                rows.push((rank[p.keys().value(row) as usize], ts.value(row), si as u32, row as u32));
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
        for (id, upn, t, ip) in rows {
            let r = SignIn {
                request_id: Some(Cow::Borrowed(*id)),
                user_principal_name: Some(Cow::Borrowed(*upn)),
                time: parse_time(t, 0),
                ip_address: ip.map(Cow::Borrowed),
                ..Default::default()
            };
            b.push(&r).unwrap();
        }
        Segment::single(file, b.finish().unwrap())
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
