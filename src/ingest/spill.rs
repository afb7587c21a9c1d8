//! Evidence larger than memory: parsed rows spilled into user buckets in a work directory, then
//! read back one bucket at a time (`audit --work-dir`, [`crate::audit::bucketed`]).
//!
//! Parsed segments are held until [`HELD_ROWS`] rows are, then every bucket's share of them (by
//! the principal's bucket, the dataset's FNV-1a rule, [`crate::export::bucket::bucket_of`]) is
//! gathered into one batch appended to the Arrow IPC stream `bucket=KK/pieces.arrows`, so a
//! bucket's batches grow with its rows, not with segments × buckets. Each row carries four extra
//! columns: its input (group-local, made global once every group's inputs are counted), its
//! completeness (what deduplication ranks copies by), its segment's place in the evidence order and
//! its place in that segment. A bucket is then its rows in that order, merged exactly as the
//! in-memory table is ([`SignInTable::merge`]): copies of one sign-in always share their
//! principal, so they meet in one bucket and the same copy is kept. Request-id collisions between
//! different users of different buckets are not reported in this mode.
//!
//! The work directory holds normalized copies of the evidence's sign-ins: it is created fresh
//! (never inside an evidence path) and removed afterwards unless the examiner keeps it.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arrow_array::builder::{Int32Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, UInt16Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, DictionaryArray, ListArray, RecordBatch, StructArray, UInt16Array, UInt32Array, UInt64Array};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, Schema};

use crate::error::{Error, OutputError};
use crate::model::schema::{self, col};
use crate::model::table::{MergeStats, Segment};
use crate::model::{BuiltBatch, SignInTable};

const INPUT_COL: &str = "__input";
const COMPLETENESS_COL: &str = "__completeness";
/// Where a row comes from, `group << 24 | segment`: rows are merged in this (evidence) order ...
const ORDER_COL: &str = "__order";
/// ... then by their place in that segment.
const ROW_COL: &str = "__row";
/// Columns a spilled batch adds to the normalized schema.
const EXTRA_COLUMNS: usize = 4;
/// Every batch of a bucket, appended as parsing goes (an Arrow IPC stream: one file per bucket).
const PIECES_FILE: &str = "pieces.arrows";
/// A bucket's pieces once merged.
const MERGED_FILE: &str = "merged.ipc";
/// Parsed rows held before they are written, one batch per bucket: at about 870 bytes per
/// normalized sign-in (`docs/perf.md`), some 230 MB. Writing each parsed segment's share of every
/// bucket as its own batch made the pieces (and their per-batch schema, dictionary and merge cost)
/// grow with segments × buckets, i.e. with the square of the evidence (issue 11); holding rows
/// until this many are parsed makes a bucket's batches grow with its rows only.
const HELD_ROWS: usize = 1 << 18;

type PieceWriter = arrow_ipc::writer::StreamWriter<std::io::BufWriter<File>>;

/// Parsed segments not yet written, and which of their rows go to each bucket.
#[derive(Default)]
struct Held {
    sources: Vec<RecordBatch>,
    rows: Vec<Vec<(usize, usize)>>,
    count: usize,
}

/// Where spilled rows go, and what is known about them once ingest is done.
pub struct Spill {
    pub dir: PathBuf,
    pub buckets: usize,
    /// Per group of inputs: the global index of its first input (set after parsing).
    bases: Mutex<Vec<usize>>,
    /// Per bucket: its merge statistics, once it has been merged (duplicates per global input).
    stats: Mutex<BTreeMap<usize, (MergeStats, usize)>>,
    /// Rows parsed and not yet written, and how many are written at once ([`HELD_ROWS`]).
    held: Mutex<Held>,
    held_rows: usize,
    /// Per bucket: the open pieces file while parsing.
    writers: Vec<Mutex<Option<PieceWriter>>>,
}

impl std::fmt::Debug for Spill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spill").field("dir", &self.dir).field("buckets", &self.buckets).finish_non_exhaustive()
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Output(OutputError::Io { path: path.to_path_buf(), source })
}

impl Spill {
    /// Spill into `dir` (created here, must not exist) in `buckets` buckets.
    pub fn create(dir: PathBuf, buckets: usize) -> Result<Spill, Error> {
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let buckets = buckets.max(1);
        let writers = (0..buckets).map(|_| Mutex::new(None)).collect();
        let held = Mutex::new(Held { rows: vec![Vec::new(); buckets], ..Held::default() });
        let (bases, stats) = (Mutex::new(Vec::new()), Mutex::new(BTreeMap::new()));
        Ok(Spill { dir, buckets, bases, stats, held, held_rows: HELD_ROWS, writers })
    }

    fn schema() -> Arc<Schema> {
        let mut fields: Vec<Arc<Field>> = schema::schema().fields().iter().cloned().collect();
        fields.push(Arc::new(Field::new(INPUT_COL, DataType::UInt32, false)));
        fields.push(Arc::new(Field::new(COMPLETENESS_COL, DataType::UInt16, false)));
        fields.push(Arc::new(Field::new(ORDER_COL, DataType::UInt64, false)));
        fields.push(Arc::new(Field::new(ROW_COL, DataType::UInt32, false)));
        Arc::new(Schema::new(fields))
    }

    /// Hold segment `seg` of group `group` (input indices local to the group) for its buckets;
    /// write every bucket's held rows once enough are held.
    pub fn write(&self, group: usize, seg: usize, s: &Segment) -> Result<(), Error> {
        let b = &s.built.batch;
        let p = crate::model::table::column(b, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
        let names = p.values().as_string::<i32>();
        let of_key: Vec<usize> = (0..names.len()).map(|k| crate::export::bucket::bucket_of(names.value(k), self.buckets)).collect();
        let n = b.num_rows();
        let mut columns: Vec<ArrayRef> = b.columns().to_vec();
        columns.push(Arc::new(UInt32Array::from_iter_values((0..n).map(|r| s.file_of(r) as u32))));
        columns.push(Arc::new(UInt16Array::from(s.built.completeness.clone())));
        let order = ((group as u64) << 24) | seg as u64;
        columns.push(Arc::new(UInt64Array::from_iter_values((0..n).map(|_| order))));
        columns.push(Arc::new(UInt32Array::from_iter_values(0..n as u32)));
        let source = RecordBatch::try_new(Self::schema(), columns)?;
        let full = {
            let Ok(mut held) = self.held.lock() else { return Ok(()) };
            let si = held.sources.len();
            held.sources.push(source);
            for (i, k) in p.keys().values().iter().enumerate() {
                held.rows[of_key[*k as usize]].push((si, i));
            }
            held.count += n;
            if held.count >= self.held_rows {
                Some(std::mem::replace(&mut *held, Held { rows: vec![Vec::new(); self.buckets], ..Held::default() }))
            } else {
                None
            }
        };
        match full {
            Some(held) => self.write_held(held),
            None => Ok(()),
        }
    }

    /// Write held rows: one batch per bucket.
    fn write_held(&self, held: Held) -> Result<(), Error> {
        for (bucket, rows) in held.rows.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
            let batch = gather_batch(&Self::schema(), &held.sources, rows)?;
            let Ok(mut slot) = self.writers[bucket].lock() else { continue };
            if slot.is_none() {
                let dir = self.dir.join(crate::export::bucket::dir_name(bucket));
                std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
                let path = dir.join(PIECES_FILE);
                let file = File::create(&path).map_err(io_err(&path))?;
                *slot = Some(arrow_ipc::writer::StreamWriter::try_new(std::io::BufWriter::new(file), &Self::schema())?);
            }
            if let Some(w) = slot.as_mut() {
                w.write(&batch)?;
            }
        }
        Ok(())
    }

    /// Once parsing is done: write what is held, close the pieces files, and note the number of
    /// inputs each group reported, in group order.
    pub fn finish_writing(&self, counts: &[usize]) -> Result<(), Error> {
        let held = self.held.lock().map(|mut h| std::mem::take(&mut *h)).unwrap_or_default();
        self.write_held(held)?;
        for w in &self.writers {
            if let Some(mut w) = w.lock().ok().and_then(|mut w| w.take()) {
                w.finish()?;
            }
        }
        let mut base = 0;
        let bases = counts
            .iter()
            .map(|n| {
                let b = base;
                base += n;
                b
            })
            .collect();
        if let Ok(mut b) = self.bases.lock() {
            *b = bases;
        }
        Ok(())
    }

    /// Bucket `k`: its pieces merged into one deduplicated, sorted table of its users. The first
    /// read writes the merged table back (and removes the pieces), so later passes only read it.
    pub fn read_bucket(&self, k: usize) -> Result<SignInTable, Error> {
        let dir = self.dir.join(crate::export::bucket::dir_name(k));
        let merged = dir.join(MERGED_FILE);
        if merged.is_file() {
            let file = File::open(&merged).map_err(io_err(&merged))?;
            let batches: Vec<RecordBatch> =
                arrow_ipc::reader::FileReader::try_new(std::io::BufReader::new(file), None)?.collect::<Result<_, _>>()?;
            let batch = arrow_select::concat::concat_batches(&schema::schema(), &batches)?;
            return Ok(SignInTable::from_sorted(batch)?);
        }
        let table = self.merge_pieces(k, &dir)?;
        if !table.is_empty() {
            let tmp = dir.join(format!("{MERGED_FILE}.part"));
            let file = File::create(&tmp).map_err(io_err(&tmp))?;
            let mut w = arrow_ipc::writer::FileWriter::try_new(std::io::BufWriter::new(file), &schema::schema())?;
            w.write(&table.batch)?;
            w.finish()?;
            drop(w);
            let pieces = dir.join(PIECES_FILE);
            std::fs::remove_file(&pieces).map_err(io_err(&pieces))?;
            std::fs::rename(&tmp, &merged).map_err(io_err(&merged))?;
        }
        Ok(table)
    }

    fn merge_pieces(&self, k: usize, dir: &Path) -> Result<SignInTable, Error> {
        let path = dir.join(PIECES_FILE);
        let mut batches: Vec<RecordBatch> = Vec::new();
        match File::open(&path) {
            Ok(file) => {
                for batch in arrow_ipc::reader::StreamReader::try_new(std::io::BufReader::new(file), None)? {
                    batches.push(batch?);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&path)(e)),
        }
        // Evidence order (segment, then row), whatever order the parallel groups wrote in.
        let n = batches.first().map_or(0, |b| b.num_columns() - EXTRA_COLUMNS);
        let mut keyed: Vec<(u64, u32, usize, usize)> = Vec::new();
        for (bi, b) in batches.iter().enumerate() {
            let order = b.column(n + 2).as_primitive::<UInt64Type>().values();
            let row = b.column(n + 3).as_primitive::<UInt32Type>().values();
            keyed.extend((0..b.num_rows()).map(|r| (order[r], row[r], bi, r)));
        }
        keyed.sort_unstable();
        let rows: Vec<(usize, usize)> = keyed.into_iter().map(|(_, _, b, r)| (b, r)).collect();
        let segments = if rows.is_empty() {
            Vec::new()
        } else {
            let bases = self.bases.lock().map(|b| b.clone()).unwrap_or_default();
            vec![segment(gather_batch(&Self::schema(), &batches, &rows)?, &bases)?]
        };
        drop(batches);
        let (table, stats) = SignInTable::merge(segments)?;
        if let Ok(mut s) = self.stats.lock() {
            s.entry(k).or_insert_with(|| (stats, super::ual::from_ual(&table.batch)));
        }
        Ok(table)
    }

    /// What merging every bucket read so far found: duplicates per (global) input, collisions.
    pub fn stats(&self) -> MergeStats {
        let mut out = MergeStats::default();
        if let Ok(s) = self.stats.lock() {
            for (st, _) in s.values() {
                for (i, n) in &st.duplicates {
                    *out.duplicates.entry(*i).or_default() += n;
                }
                out.collisions.extend(st.collisions.iter().cloned());
            }
        }
        out.collisions.sort_by_key(|c| c.0);
        out
    }

    /// Rows normalized from UAL records and kept, over every bucket merged so far.
    pub fn ual_rows(&self) -> usize {
        self.stats.lock().map(|s| s.values().map(|v| v.1).sum()).unwrap_or(0)
    }

    /// Remove the work directory.
    pub fn remove(&self) -> Result<(), Error> {
        std::fs::remove_dir_all(&self.dir).map_err(io_err(&self.dir))
    }
}

/// A bucket's spilled rows, in evidence order, back as one segment of the normalized schema, its
/// inputs made global (`bases`: the first global input of each group).
fn segment(batch: RecordBatch, bases: &[usize]) -> Result<Segment, Error> {
    let n = batch.num_columns() - EXTRA_COLUMNS;
    let inputs = batch.column(n).as_primitive::<UInt32Type>().values();
    let completeness = batch.column(n + 1).as_primitive::<UInt16Type>().values().to_vec();
    let order = batch.column(n + 2).as_primitive::<UInt64Type>().values();
    let mut files: Vec<(usize, usize)> = Vec::new();
    for (row, (input, order)) in inputs.iter().zip(order.iter()).enumerate() {
        let input = *input as usize + bases.get((order >> 24) as usize).copied().unwrap_or(0);
        if files.last().is_none_or(|f| f.1 != input) {
            files.push((row, input));
        }
    }
    let batch = RecordBatch::try_new(schema::schema(), batch.columns()[..n].to_vec())?;
    Ok(Segment { files, built: BuiltBatch { batch, completeness } })
}

/// Rows `(source, row)` of `sources`, in that order, as one batch of `schema`.
fn gather_batch(schema: &Arc<Schema>, sources: &[RecordBatch], rows: &[(usize, usize)]) -> Result<RecordBatch, Error> {
    let columns = (0..schema.fields().len())
        .map(|c| {
            let arrays: Vec<&dyn Array> = sources.iter().map(|b| b.column(c).as_ref()).collect();
            gather(&arrays, rows)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

/// Rows `(array, row)` of `arrays` (of one type) as one array, in time linear in the rows whatever
/// the number of arrays: dictionaries (also inside lists and structs) are rebuilt from the values
/// the rows use, where Arrow's `interleave` scans every index once per source array and
/// concatenates nested dictionaries whole.
fn gather(arrays: &[&dyn Array], rows: &[(usize, usize)]) -> Result<ArrayRef, arrow_schema::ArrowError> {
    let Some(first) = arrays.first() else { return Ok(arrow_array::new_empty_array(&DataType::Null)) };
    let nulls = |rows: &[(usize, usize)]| -> Option<NullBuffer> {
        arrays.iter().any(|a| a.null_count() > 0).then(|| NullBuffer::from_iter(rows.iter().map(|&(a, r)| arrays[a].is_valid(r))))
    };
    match first.data_type() {
        DataType::Dictionary(k, v) if **k == DataType::Int32 && **v == DataType::Utf8 => gather_dictionary(arrays, rows),
        DataType::List(field) => {
            let lists: Vec<&ListArray> = arrays.iter().map(|a| a.as_list::<i32>()).collect();
            let mut offsets = Vec::with_capacity(rows.len() + 1);
            let mut child = Vec::new();
            offsets.push(0i32);
            for &(a, r) in rows {
                let o = lists[a].value_offsets();
                child.extend((o[r] as usize..o[r + 1] as usize).map(|i| (a, i)));
                offsets.push(child.len() as i32);
            }
            let values: Vec<&dyn Array> = lists.iter().map(|l| l.values().as_ref()).collect();
            let values = gather(&values, &child)?;
            Ok(Arc::new(ListArray::try_new(field.clone(), OffsetBuffer::new(offsets.into()), values, nulls(rows))?))
        }
        DataType::Struct(fields) => {
            let structs: Vec<&StructArray> = arrays.iter().map(|a| a.as_struct()).collect();
            let columns = (0..fields.len())
                .map(|c| gather(&structs.iter().map(|s| s.column(c).as_ref()).collect::<Vec<_>>(), rows))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Arc::new(StructArray::try_new_with_length(fields.clone(), columns, nulls(rows), rows.len())?))
        }
        _ => arrow_select::interleave::interleave(arrays, rows),
    }
}

/// [`gather`] of `Dictionary(Int32, Utf8)` arrays into one dictionary of the values used, numbered
/// in order of first use.
fn gather_dictionary(arrays: &[&dyn Array], rows: &[(usize, usize)]) -> Result<ArrayRef, arrow_schema::ArrowError> {
    let dicts: Vec<&DictionaryArray<Int32Type>> = arrays.iter().map(|a| a.as_dictionary::<Int32Type>()).collect();
    let mut seen: HashMap<(usize, i32), i32, ahash::RandomState> = HashMap::default();
    let mut index: HashMap<&str, i32, ahash::RandomState> = HashMap::default();
    let mut values = StringBuilder::new();
    let mut keys = Int32Builder::with_capacity(rows.len());
    for &(a, r) in rows {
        let d = dicts[a];
        if d.is_null(r) {
            keys.append_null();
            continue;
        }
        let k = d.keys().value(r);
        let g = match seen.get(&(a, k)) {
            Some(g) => *g,
            None => {
                let v = d.values().as_string::<i32>().value(k as usize);
                let next = index.len() as i32;
                let g = *index.entry(v).or_insert_with(|| {
                    values.append_value(v);
                    next
                });
                seen.insert((a, k), g);
                g
            }
        };
        keys.append_value(g);
    }
    Ok(Arc::new(DictionaryArray::try_new(keys.finish(), Arc::new(values.finish()))?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::builder::TableBuilder;
    use crate::model::signin::SignIn;
    use crate::model::time::parse_time;
    use std::borrow::Cow;

    /// A segment of one input: (request id, user, time, ip) per row.
    fn seg(file: usize, rows: &[(String, String, &'static str, Option<&'static str>)]) -> Segment {
        let mut b = TableBuilder::new("f", "graph", 0);
        for (n, (id, upn, t, ip)) in rows.iter().enumerate() {
            let r = SignIn {
                source: crate::model::SourceRef { offset: 0, record: n as u64 + 1, line: None },
                request_id: Some(Cow::Borrowed(id.as_str())),
                user_principal_name: Some(Cow::Borrowed(upn.as_str())),
                time: parse_time(t, 0),
                ip_address: ip.map(Cow::Borrowed),
                ..Default::default()
            };
            b.push(&r).unwrap();
        }
        Segment::single(file, b.finish().unwrap())
    }

    /// Rows of a table as (user, id, ip) strings, in table order.
    fn rows(t: &SignInTable) -> Vec<String> {
        let b = &t.batch;
        let cell = |c: &str, r: usize| {
            let a = crate::model::table::column(b, c).unwrap();
            match a.as_any_dictionary_opt() {
                _ if a.is_null(r) => "-".to_string(),
                Some(d) => d.values().as_string::<i32>().value(d.normalized_keys()[r]).to_string(),
                None => a.as_string::<i32>().value(r).to_string(),
            }
        };
        (0..b.num_rows())
            .map(|r| format!("{} {} {}", cell(col::PRINCIPAL, r), cell(col::REQUEST_ID, r), cell(col::IP_ADDRESS, r)))
            .collect()
    }

    /// Written in any group order and in several rounds of held rows, every bucket reads back as
    /// the in-memory merge of its users' rows: the same copy of a duplicated sign-in is kept.
    #[test]
    fn buckets_read_back_as_the_in_memory_merge_whatever_the_write_order() {
        // Group g, segment j: 6 rows of 5 users; every sign-in appears in two groups, the later copy
        // with another address (so which copy is kept shows).
        let make = |g: usize, j: usize| {
            let rows: Vec<_> = (0..6)
                .map(|r| {
                    let id = format!("id-{}-{}", (g / 2) * 10 + j, r);
                    let ip = if g.is_multiple_of(2) { Some("10.0.0.1") } else { Some("10.0.0.2") };
                    (id, format!("user{}@x", r % 5), "2024-01-02T00:00:00Z", ip)
                })
                .collect();
            seg(0, &rows)
        };
        let dir = tempfile::tempdir().unwrap();
        let mut spill = Spill::create(dir.path().join("w"), 3).unwrap();
        spill.held_rows = 10;
        for g in (0..4).rev() {
            for j in 0..2 {
                spill.write(g, j, &make(g, j)).unwrap();
            }
        }
        spill.finish_writing(&[1, 1, 1, 1]).unwrap();
        let all: Vec<Segment> = (0..4).flat_map(|g| (0..2).map(move |j| (g, j))).map(|(g, j)| make(g, j)).collect();
        let mut all = all;
        for (i, s) in all.iter_mut().enumerate() {
            s.files[0].1 = i / 2;
        }
        let (whole, stats) = SignInTable::merge(all).unwrap();
        let whole = rows(&whole);
        let mut read = 0;
        for k in 0..3 {
            let bucket = rows(&spill.read_bucket(k).unwrap());
            let user = |r: &String| r.split(' ').next().map(|u| crate::export::bucket::bucket_of(u, 3)).unwrap();
            let expected: Vec<String> = whole.iter().filter(|r| user(r) == k).cloned().collect();
            assert_eq!(bucket, expected, "bucket {k}");
            assert_eq!(rows(&spill.read_bucket(k).unwrap()), expected, "bucket {k} read again");
            read += bucket.len();
        }
        assert_eq!(read, 24);
        assert_eq!(spill.stats().duplicates, stats.duplicates);
    }
}
