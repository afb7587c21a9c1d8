//! One Parquet file of the normalized schema, hashed while it is written.
//!
//! Settings and why:
//! - the Arrow schema is embedded (parquet-rs default), so `Dictionary(Int32, Utf8)` columns and the
//!   `UTC` time zone come back as written, and [`crate::ingest::dataset`] can compare schemas exactly;
//! - `signin_audit.schema_version` in the key-value metadata lets a reader refuse a file from a
//!   newer build with a clear message instead of a type error;
//! - dictionary encoding and page statistics on (parquet-rs defaults, set explicitly so a change of
//!   default cannot silently change the files): engines prune row groups and pages by principal and
//!   time, which is how the rows are sorted (declared in `sorting_columns`);
//! - nothing depends on the clock or the thread count, so the same table gives the same bytes.

use std::io::Write;
use std::sync::Arc;

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use sha2::{Digest, Sha256};

use crate::error::OutputError;
use crate::model::schema::{self, SCHEMA_VERSION};

/// Key of the schema version in the parquet key-value metadata.
pub const SCHEMA_VERSION_KEY: &str = "signin_audit.schema_version";

/// Rows per row group. DuckDB parallelizes a scan per row group and writes 122,880-row groups
/// itself; parquet-rs defaults to 1 Mi rows, which would make a 250,000-row bucket a single group
/// with a single min/max per column. 128 Ki keeps buckets at two groups, each still large enough
/// that the per-group metadata is negligible.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// zstd level 3, zstd's own default. The level matters little here: rewriting a 150,000-row synthetic
/// bucket with pyarrow at levels 1, 3, 6 and 9 gave files within 4 % of each other (dictionaries
/// already remove the repetition, and the random ids left over do not compress), so the reference
/// default is kept rather than tuned on synthetic data.
const ZSTD_LEVEL: i32 = 3;

/// A writer that hashes every byte it forwards.
pub struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// The inner writer, the hex SHA-256 and the length of everything written.
    pub fn finish(self) -> (W, String, u64) {
        let digest = self.hasher.finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        (self.inner, hex, self.bytes)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writer properties of every dataset file.
pub fn properties() -> Result<WriterProperties, OutputError> {
    let schema = schema::schema();
    // Sort order of the rows (see `SignInTable`): principal, then time. Both are top-level primitive
    // columns ahead of any nested one, so their leaf index is their field index.
    // (The schema has about 70 columns, so the index always fits an i32.)
    let leaf = |name: &str| -> Result<i32, OutputError> { Ok(schema.index_of(name)? as i32) };
    let sorting = vec![
        SortingColumn { column_idx: leaf(schema::col::PRINCIPAL)?, descending: false, nulls_first: false },
        SortingColumn { column_idx: leaf(schema::col::TIMESTAMP)?, descending: false, nulls_first: false },
    ];
    Ok(WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(ZSTD_LEVEL)?))
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_sorting_columns(Some(sorting))
        .set_key_value_metadata(Some(vec![KeyValue::new(SCHEMA_VERSION_KEY.to_string(), SCHEMA_VERSION.to_string())]))
        .build())
}

/// Write `batch` (normalized schema) as one parquet file into `w`. Returns `w` once the footer is
/// written.
pub fn write_parquet<W: Write + Send>(w: W, batch: &RecordBatch) -> Result<W, OutputError> {
    let options = ArrowWriterOptions::new().with_properties(properties()?);
    let mut writer = ArrowWriter::try_new_with_options(w, Arc::clone(&schema::schema()), options)?;
    writer.write(batch)?;
    Ok(writer.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_writer_matches_sha256() {
        let mut w = HashingWriter::new(Vec::new());
        w.write_all(b"abc").unwrap();
        let (inner, hex, n) = w.finish();
        assert_eq!(inner, b"abc");
        assert_eq!(n, 3);
        assert_eq!(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn sorting_columns_point_at_principal_and_time() {
        let props = properties().unwrap();
        let sorting = props.sorting_columns().unwrap();
        let empty = RecordBatch::new_empty(schema::schema());
        let bytes = write_parquet(Vec::new(), &empty).unwrap();
        let reader = parquet::file::reader::SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
        let descr = parquet::file::reader::FileReader::metadata(&reader).file_metadata().schema_descr_ptr();
        assert_eq!(descr.column(sorting[0].column_idx as usize).name(), schema::col::PRINCIPAL);
        assert_eq!(descr.column(sorting[1].column_idx as usize).name(), schema::col::TIMESTAMP);
    }
}
