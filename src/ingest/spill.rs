//! Evidence larger than memory: parsed rows spilled into user buckets in a work directory, then
//! read back one bucket at a time (`audit --work-dir`, [`crate::audit::bucketed`]).
//!
//! Every segment ingest parses is cut by the bucket of each row's principal (the dataset's FNV-1a
//! rule, [`crate::export::bucket::bucket_of`]) and each piece is written as an Arrow IPC file
//! `bucket=KK/gGGGGGG-sSSSS.arrow` with two extra columns: the row's input (group-local, made
//! global once every group's inputs are counted) and its completeness (what deduplication ranks
//! copies by). A bucket is then the pieces of its directory in group and segment order, merged
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
use arrow_array::types::{Int32Type, UInt16Type, UInt32Type};
use arrow_array::{Array, ArrayRef, RecordBatch, UInt16Array, UInt32Array};
use arrow_schema::{DataType, Field, Schema};

use crate::error::{Error, OutputError};
use crate::model::schema::{self, col};
use crate::model::table::{MergeStats, Segment};
use crate::model::{BuiltBatch, SignInTable};

const INPUT_COL: &str = "__input";
const COMPLETENESS_COL: &str = "__completeness";
/// A bucket's pieces once merged (no `.arrow` extension: never taken for a piece).
const MERGED_FILE: &str = "merged.ipc";

/// Where spilled rows go, and what is known about them once ingest is done.
#[derive(Debug)]
pub struct Spill {
    pub dir: PathBuf,
    pub buckets: usize,
    /// Per group of inputs: the global index of its first input (set after parsing).
    bases: Mutex<Vec<usize>>,
    /// Per bucket: its merge statistics, once it has been merged (duplicates per global input).
    stats: Mutex<BTreeMap<usize, (MergeStats, usize)>>,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Output(OutputError::Io { path: path.to_path_buf(), source })
}

impl Spill {
    /// Spill into `dir` (created here, must not exist) in `buckets` buckets.
    pub fn create(dir: PathBuf, buckets: usize) -> Result<Spill, Error> {
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        Ok(Spill { dir, buckets: buckets.max(1), bases: Mutex::new(Vec::new()), stats: Mutex::new(BTreeMap::new()) })
    }

    fn schema() -> Arc<Schema> {
        let mut fields: Vec<Arc<Field>> = schema::schema().fields().iter().cloned().collect();
        fields.push(Arc::new(Field::new(INPUT_COL, DataType::UInt32, false)));
        fields.push(Arc::new(Field::new(COMPLETENESS_COL, DataType::UInt16, false)));
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
            let piece = RecordBatch::try_new(Self::schema(), columns)?;
            let dir = self.dir.join(crate::export::bucket::dir_name(bucket));
            std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
            let path = dir.join(format!("g{group:06}-s{seg:04}.arrow"));
            let file = File::create(&path).map_err(io_err(&path))?;
            let mut w = arrow_ipc::writer::FileWriter::try_new(std::io::BufWriter::new(file), &Self::schema())?;
            w.write(&piece)?;
            w.finish()?;
        }
        Ok(())
    }

    /// Once parsing is done: the number of inputs each group reported, in group order.
    pub fn set_group_inputs(&self, counts: &[usize]) {
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
            for entry in std::fs::read_dir(&dir).map_err(io_err(&dir))? {
                let path = entry.map_err(io_err(&dir))?.path();
                if path.extension().is_some_and(|e| e == "arrow") {
                    std::fs::remove_file(&path).map_err(io_err(&path))?;
                }
            }
            std::fs::rename(&tmp, &merged).map_err(io_err(&merged))?;
        }
        Ok(table)
    }

    fn merge_pieces(&self, k: usize, dir: &Path) -> Result<SignInTable, Error> {
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io_err(dir)(e)),
        };
        paths.sort();
        let bases = self.bases.lock().map(|b| b.clone()).unwrap_or_default();
        let mut segments = Vec::new();
        for path in paths {
            let group: usize =
                path.file_name().and_then(|n| n.to_str()).and_then(|n| n.get(1..7)).and_then(|g| g.parse().ok()).unwrap_or(0);
            let base = bases.get(group).copied().unwrap_or(0);
            let file = File::open(&path).map_err(io_err(&path))?;
            for batch in arrow_ipc::reader::FileReader::try_new(std::io::BufReader::new(file), None)? {
                segments.push(segment(batch?, base)?);
            }
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
    let n = batch.num_columns();
    let inputs = batch.column(n - 2).as_primitive::<UInt32Type>().clone();
    let completeness = batch.column(n - 1).as_primitive::<UInt16Type>().values().to_vec();
    let batch = RecordBatch::try_new(schema::schema(), batch.columns()[..n - 2].to_vec())?;
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
