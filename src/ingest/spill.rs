//! Evidence larger than memory: parsed rows spilled into user buckets in a work directory, then
//! read back one bucket at a time (`audit --work-dir`, [`crate::audit::bucketed`]).
//!
//! Every segment ingest parses is cut by the bucket of each row's principal (the dataset's FNV-1a
//! rule, [`crate::export::bucket::bucket_of`]) and each piece is written as an Arrow IPC file
//! appended to the Arrow IPC stream `bucket=KK/pieces.arrows` with three extra columns: the row's
//! input (group-local, made global once every group's inputs are counted), its completeness (what
//! deduplication ranks copies by) and the piece's place in the evidence order. A bucket is then the pieces of its directory in group and segment order, merged
//! exactly as the in-memory table is ([`SignInTable::merge`]): copies of one sign-in always share
//! their principal, so they meet in one bucket and the same copy is kept. Request-id collisions
//! between different users of different buckets are not reported in this mode.
//!
//! The work directory holds normalized copies of the evidence's sign-ins: it is created fresh
//! (never inside an evidence path) and removed afterwards unless the examiner keeps it.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, UInt16Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch, UInt16Array, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};

use crate::error::{Error, OutputError};
use crate::model::schema::{self, col};
use crate::model::table::{MergeStats, Segment};
use crate::model::{BuiltBatch, SignInTable};

const INPUT_COL: &str = "__input";
const COMPLETENESS_COL: &str = "__completeness";
/// Where a piece comes from, `group << 24 | segment`: pieces are merged in this (evidence) order.
const ORDER_COL: &str = "__order";
/// Columns a piece adds to the normalized schema.
const EXTRA_COLUMNS: usize = 3;
/// Every piece of a bucket, appended as parsing goes (an Arrow IPC stream: one file per bucket,
/// not one per piece, so the cost does not grow with pages × buckets).
const PIECES_FILE: &str = "pieces.arrows";
/// A bucket's pieces once merged.
const MERGED_FILE: &str = "merged.ipc";

type PieceWriter = arrow_ipc::writer::StreamWriter<std::io::BufWriter<File>>;

/// Where spilled rows go, and what is known about them once ingest is done.
pub struct Spill {
    pub dir: PathBuf,
    pub buckets: usize,
    /// Per group of inputs: the global index of its first input (set after parsing).
    bases: Mutex<Vec<usize>>,
    /// Per bucket: its merge statistics, once it has been merged (duplicates per global input).
    stats: Mutex<BTreeMap<usize, (MergeStats, usize)>>,
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
        Ok(Spill { dir, buckets, bases: Mutex::new(Vec::new()), stats: Mutex::new(BTreeMap::new()), writers })
    }

    fn schema() -> Arc<Schema> {
        let mut fields: Vec<Arc<Field>> = schema::schema().fields().iter().cloned().collect();
        fields.push(Arc::new(Field::new(INPUT_COL, DataType::UInt32, false)));
        fields.push(Arc::new(Field::new(COMPLETENESS_COL, DataType::UInt16, false)));
        fields.push(Arc::new(Field::new(ORDER_COL, DataType::UInt64, false)));
        Arc::new(Schema::new(fields))
    }

    /// Write segment `seg` of group `group` (input indices local to the group), cut by bucket.
    pub fn write(&self, group: usize, seg: usize, s: &Segment) -> Result<(), Error> {
        let b = &s.built.batch;
        let p = crate::model::table::column(b, col::PRINCIPAL)?.as_dictionary::<Int32Type>();
        let names = p.values().as_string::<i32>();
        let of_key: Vec<u32> = (0..names.len()).map(|k| crate::export::bucket::bucket_of(names.value(k), self.buckets) as u32).collect();
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); self.buckets];
        for (i, k) in p.keys().values().iter().enumerate() {
            rows[of_key[*k as usize] as usize].push(i as u32);
        }
        for (bucket, take) in rows.into_iter().enumerate().filter(|(_, r)| !r.is_empty()) {
            let idx = UInt32Array::from(take);
            let mut columns: Vec<ArrayRef> = Vec::with_capacity(b.num_columns() + 2);
            for c in b.columns() {
                let taken = arrow_select::take::take(c, &idx, None)?;
                // A piece keeps only the dictionary values its rows use, not the whole segment's.
                columns.push(match taken.as_any_dictionary_opt() {
                    Some(d) => arrow_select::dictionary::garbage_collect_any_dictionary(d)?,
                    None => taken,
                });
            }
            columns.push(Arc::new(UInt32Array::from_iter_values(idx.values().iter().map(|&r| s.file_of(r as usize) as u32))));
            columns.push(Arc::new(UInt16Array::from_iter_values(idx.values().iter().map(|&r| s.built.completeness[r as usize]))));
            let order = ((group as u64) << 24) | seg as u64;
            columns.push(Arc::new(UInt64Array::from_iter_values(idx.values().iter().map(|_| order))));
            let piece = RecordBatch::try_new(Self::schema(), columns)?;
            let Ok(mut slot) = self.writers[bucket].lock() else { continue };
            if slot.is_none() {
                let dir = self.dir.join(crate::export::bucket::dir_name(bucket));
                std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
                let path = dir.join(PIECES_FILE);
                let file = File::create(&path).map_err(io_err(&path))?;
                *slot = Some(arrow_ipc::writer::StreamWriter::try_new(std::io::BufWriter::new(file), &Self::schema())?);
            }
            if let Some(w) = slot.as_mut() {
                w.write(&piece)?;
            }
        }
        Ok(())
    }

    /// Once parsing is done: close the pieces files, and note the number of inputs each group
    /// reported, in group order.
    pub fn finish_writing(&self, counts: &[usize]) -> Result<(), Error> {
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
        let mut pieces: Vec<(u64, RecordBatch)> = Vec::new();
        match File::open(&path) {
            Ok(file) => {
                for batch in arrow_ipc::reader::StreamReader::try_new(std::io::BufReader::new(file), None)? {
                    let batch = batch?;
                    let order = batch.column(batch.num_columns() - 1).as_primitive::<UInt64Type>().values().first().copied().unwrap_or(0);
                    pieces.push((order, batch));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&path)(e)),
        }
        // Evidence order, whatever order the parallel groups wrote in.
        pieces.sort_by_key(|p| p.0);
        let bases = self.bases.lock().map(|b| b.clone()).unwrap_or_default();
        let mut segments = Vec::with_capacity(pieces.len());
        for (order, batch) in pieces {
            let base = bases.get((order >> 24) as usize).copied().unwrap_or(0);
            segments.push(segment(batch, base)?);
        }
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

/// A spilled piece back as a segment of the normalized schema, its inputs made global.
fn segment(batch: RecordBatch, base: usize) -> Result<Segment, Error> {
    let n = batch.num_columns() - EXTRA_COLUMNS;
    let inputs = batch.column(n).as_primitive::<UInt32Type>().clone();
    let completeness = batch.column(n + 1).as_primitive::<UInt16Type>().values().to_vec();
    let batch = RecordBatch::try_new(schema::schema(), batch.columns()[..n].to_vec())?;
    let mut files: Vec<(usize, usize)> = Vec::new();
    for (row, input) in inputs.values().iter().enumerate() {
        let input = *input as usize + base;
        if files.last().is_none_or(|f| f.1 != input) {
            files.push((row, input));
        }
    }
    debug_assert_eq!(inputs.null_count(), 0);
    Ok(Segment { files, built: BuiltBatch { batch, completeness } })
}
