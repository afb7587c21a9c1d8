//! Reading back a dataset written by `signin-audit export` (parquet files of the normalized schema).
//!
//! A dataset file is evidence like any other: it is read into one batch and merged with the rest.
//! Its rows are already normalized, so nothing is re-parsed; the source columns (`source_file`,
//! `source_offset`, ...) are kept as written and still point at the *original* evidence, so findings
//! computed from a dataset cite the files the examiner received, not the parquet copy.
//!
//! The file must carry `signin_audit.schema_version` equal to [`SCHEMA_VERSION`] and exactly the
//! columns of [`schema::schema`] (names, types, nullability); anything else is refused with a message
//! saying what differs, since silently casting an older or newer layout could misread columns.
//!
//! Before any of it is read, a dataset is checked against its `manifest.json` ([`verify`]): every
//! part's SHA-256 and size, and after reading its row count, so a tampered or incomplete copy is an
//! error, never a clean-looking report.

pub mod buckets;
pub mod verify;

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, new_null_array};
use arrow_schema::Schema;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::ParquetMetaData;
use parquet::schema::types::SchemaDescriptor;

use crate::export::writer::SCHEMA_VERSION_KEY;
use crate::model::BuiltBatch;
use crate::model::schema::{self, SCHEMA_VERSION, col};

/// Rows decoded per batch. Larger than the parquet-rs default (1,024) so a 250,000-row bucket is a
/// handful of batches to concatenate rather than hundreds.
const READ_BATCH_ROWS: usize = 64 * 1024;

/// Read one parquet file of a dataset into a batch of the normalized schema. The decoder may panic
/// on damaged input: callers contain it (see `ingest::contain`).
pub fn read(data: bytes::Bytes) -> Result<BuiltBatch, String> {
    let batch = decode(data, None)?;
    let completeness = completeness(&batch);
    Ok(BuiltBatch { batch, completeness })
}

/// [`read`], decoding only the columns named in `wanted` and the required ones (which every batch
/// of the schema carries); every other column is all nulls. For the bucketed audit, which reads
/// [`crate::model::columns::AUDIT_READS`]: skipping the rest saves their zstd and dictionary
/// decoding. The file's version and whole schema are checked as by [`read`].
pub fn read_columns(data: bytes::Bytes, wanted: &[&str]) -> Result<RecordBatch, String> {
    decode(data, Some(wanted))
}

fn decode(data: bytes::Bytes, wanted: Option<&[&str]>) -> Result<RecordBatch, String> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(data).map_err(|e| format!("not a readable parquet file: {e}"))?;
    let version = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|k| k.key == SCHEMA_VERSION_KEY))
        .and_then(|k| k.value.clone());
    check_version(version.as_deref())?;
    check_schema(builder.schema())?;
    let expected = schema::schema();
    let kept: Vec<usize> = match wanted {
        None => (0..expected.fields().len()).collect(),
        Some(w) => {
            // A column without a value in the file is not decoded either (see `empty_columns`).
            let empty = empty_columns(builder.metadata(), builder.parquet_schema());
            let wanted = |i: usize, f: &arrow_schema::Field| {
                !f.is_nullable() || (w.contains(&f.name().as_str()) && !empty.get(i).copied().unwrap_or(false))
            };
            expected.fields().iter().enumerate().filter(|(i, f)| wanted(*i, f)).map(|(i, _)| i).collect()
        }
    };
    // Each column of the schema is one root of the parquet schema (lists and dictionaries included).
    let mask = ProjectionMask::roots(builder.parquet_schema(), kept.iter().copied());
    let reader = builder.with_projection(mask).with_batch_size(READ_BATCH_ROWS).build().map_err(|e| format!("cannot decode: {e}"))?;
    let batches: Result<Vec<RecordBatch>, _> = reader.collect();
    let batches = batches.map_err(|e| format!("cannot decode: {e}"))?;
    let kept_schema = Arc::new(expected.project(&kept).map_err(|e| format!("unexpected content: {e}"))?);
    // Re-attach the canonical schema (the file's carries its key-value metadata): the types were
    // checked above, and `try_new` (inside concat) re-checks them and the non-null columns.
    let read = arrow_select::concat::concat_batches(&kept_schema, &batches).map_err(|e| format!("unexpected content: {e}"))?;
    if kept.len() == expected.fields().len() {
        return Ok(read);
    }
    let rows = read.num_rows();
    let mut read_columns = read.columns().iter();
    let columns: Vec<ArrayRef> = expected
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| match kept.binary_search(&i) {
            Ok(_) => read_columns.next().cloned().unwrap_or_else(|| new_null_array(f.data_type(), rows)),
            Err(_) => new_null_array(f.data_type(), rows),
        })
        .collect();
    RecordBatch::try_new(expected, columns).map_err(|e| format!("unexpected content: {e}"))
}

/// Per column of the schema (a root of the parquet schema): whether it holds no value at all, by
/// the null counts the writer put in every row group's statistics (a flat column only: a list's
/// leaf is also "null" for an empty list). Decoding such a column is not free: parquet-rs rebuilds
/// a dictionary for an all-null page value by value, ~8 ms per 65,000 rows and column.
fn empty_columns(md: &ParquetMetaData, descr: &SchemaDescriptor) -> Vec<bool> {
    let roots = descr.root_schema().get_fields().len();
    let (mut empty, mut leaves) = (vec![true; roots], vec![0usize; roots]);
    for leaf in 0..descr.num_columns() {
        let root = descr.get_column_root_idx(leaf);
        let (Some(e), Some(l)) = (empty.get_mut(root), leaves.get_mut(root)) else { continue };
        *l += 1;
        let all_null = |rg: &parquet::file::metadata::RowGroupMetaData| {
            rg.column(leaf).statistics().and_then(|s| s.null_count_opt()).is_some_and(|n| i64::try_from(n).ok() == Some(rg.num_rows()))
        };
        *e &= descr.column(leaf).max_rep_level() == 0 && md.row_groups().iter().all(all_null);
    }
    empty.iter().zip(leaves).map(|(e, l)| *e && l == 1).collect()
}

fn check_version(version: Option<&str>) -> Result<(), String> {
    let Some(v) = version else {
        return Err(format!("not written by signin-audit export (no {SCHEMA_VERSION_KEY} in the file metadata)"));
    };
    match v.trim().parse::<u32>() {
        Ok(n) if n == SCHEMA_VERSION => Ok(()),
        Ok(n) if n > SCHEMA_VERSION => {
            Err(format!("dataset schema version {n} is newer than this build reads (version {SCHEMA_VERSION}): use a newer signin-audit"))
        }
        Ok(n) => Err(format!(
            "dataset schema version {n} is older than this build reads (version {SCHEMA_VERSION}): export again from the original evidence"
        )),
        Err(_) => Err(format!("{SCHEMA_VERSION_KEY} is {v:?}, not a version number")),
    }
}

/// The file's Arrow schema must be the normalized one, column for column.
fn check_schema(found: &Schema) -> Result<(), String> {
    let expected = schema::schema();
    for (i, want) in expected.fields().iter().enumerate() {
        let Some(got) = found.fields().get(i) else {
            return Err(format!("column {} ({}) is missing", i, want.name()));
        };
        if got.name() != want.name() {
            return Err(format!("column {i} is {:?}, expected {:?}", got.name(), want.name()));
        }
        if got.data_type() != want.data_type() {
            return Err(format!("column {} has type {}, expected {}", want.name(), got.data_type(), want.data_type()));
        }
        if got.is_nullable() != want.is_nullable() {
            return Err(format!("column {} nullability differs from the schema", want.name()));
        }
    }
    if found.fields().len() > expected.fields().len() {
        return Err(format!(
            "{} columns, expected {} (first extra: {})",
            found.fields().len(),
            expected.fields().len(),
            found.fields()[expected.fields().len()].name()
        ));
    }
    Ok(())
}

/// Per row, how many of the optional sign-in fields carry a value: the same count
/// `TableBuilder::push` keeps (every column from `request_id` to `autonomous_system_number` except
/// the always-set `event_type` and `result`), so a row read back from a dataset competes on equal
/// terms with the same row parsed from raw evidence when duplicates are resolved.
fn completeness(batch: &RecordBatch) -> Vec<u16> {
    let mut counts = vec![0u16; batch.num_rows()];
    let s = batch.schema();
    let (Ok(first), Ok(last)) = (s.index_of(col::REQUEST_ID), s.index_of(col::AUTONOMOUS_SYSTEM_NUMBER)) else {
        return counts;
    };
    for (i, field) in s.fields().iter().enumerate().take(last + 1).skip(first) {
        if field.name() == col::EVENT_TYPE || field.name() == col::RESULT {
            continue;
        }
        let a = batch.column(i);
        match a.logical_nulls() {
            None => counts.iter_mut().for_each(|c| *c += 1),
            Some(nulls) => {
                for (c, valid) in counts.iter_mut().zip(nulls.iter()) {
                    *c += u16::from(valid);
                }
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;

    use super::*;
    use crate::export::writer::write_parquet;
    use crate::model::TableBuilder;
    use crate::model::signin::SignIn;
    use crate::model::time::parse_time;

    fn built() -> BuiltBatch {
        let mut b = TableBuilder::new("case/a.json", "graph-beta", 0);
        let rows = [
            ("id-1", "Alice@X", "2024-01-02T00:00:00Z", Some("1.2.3.4"), Some(0)),
            ("id-2", "bob@x", "2024-01-03T00:00:00Z", None, Some(50126)),
            ("id-3", "bob@x", "2024-01-04T00:00:00Z", Some("::ffff:10.0.0.1"), None),
        ];
        for (id, upn, t, ip, code) in rows {
            let r = SignIn {
                request_id: Some(Cow::Borrowed(id)),
                user_principal_name: Some(Cow::Borrowed(upn)),
                time: parse_time(t, 0),
                ip_address: ip.map(Cow::Borrowed),
                error_code: code,
                risk_event_types: if code.is_some() { vec![Cow::Borrowed("unfamiliarFeatures")] } else { vec![] },
                ..Default::default()
            };
            let mut r = r;
            if code.is_none() {
                r.mark_lost("city");
            }
            b.push(&r).unwrap();
        }
        b.finish().unwrap()
    }

    /// Columns without a value are found from the statistics (and not decoded), lists never are;
    /// reading the columns the audit reads gives those columns as they were written.
    #[test]
    fn empty_columns_are_found_and_read_as_nulls() {
        let original = built().batch;
        let bytes = bytes::Bytes::from(write_parquet(Vec::new(), &original).unwrap());
        let b = ParquetRecordBatchReaderBuilder::try_new(bytes.clone()).unwrap();
        let empty = empty_columns(b.metadata(), b.parquet_schema());
        let at = |c: &str| empty[original.schema().index_of(c).unwrap()];
        assert!(at(col::APP_NAME) && at(col::SERVICE_PRINCIPAL_ID));
        assert!(!at(col::IP_ADDRESS) && !at(col::PRINCIPAL) && !at(col::CA_POLICIES) && !at(col::RISK_EVENT_TYPES));
        let read = read_columns(bytes, crate::model::columns::AUDIT_READS).unwrap();
        for (i, f) in original.schema().fields().iter().enumerate() {
            if crate::model::columns::AUDIT_READS.contains(&f.name().as_str()) {
                assert_eq!(read.column(i), original.column(i), "{}", f.name());
            }
        }
    }

    /// A dataset file whose rows are only counted gives its input the same report decoded with
    /// only [`crate::ingest::SUMMARY_READS`].
    #[test]
    fn a_counted_file_is_summarized_from_its_summary_columns() {
        let bytes = bytes::Bytes::from(write_parquet(Vec::new(), &built().batch).unwrap());
        let summary = |batch: &RecordBatch| {
            let mut r = crate::ingest::InputReport::default();
            crate::ingest::summarize(batch, &mut r).unwrap();
            (r.records, r.first, r.last, r.by_event_type, r.zoneless, r.lost, crate::ingest::ual::from_ual(batch))
        };
        let all = summary(&read(bytes.clone()).unwrap().batch);
        assert_eq!(all.5, 1, "one row lost a field");
        assert_eq!(summary(&read_columns(bytes.clone(), crate::ingest::SUMMARY_READS).unwrap()), all);
        // Without them, the report would differ (the test can fail).
        assert_ne!(summary(&read_columns(bytes, &[]).unwrap()), all);
    }

    #[test]
    fn round_trip_is_identical() {
        let original = built();
        let bytes = write_parquet(Vec::new(), &original.batch).unwrap();
        let back = read(bytes::Bytes::from(bytes)).unwrap();
        assert_eq!(back.batch, original.batch);
        assert_eq!(back.completeness, original.completeness);
    }

    #[test]
    fn refuses_other_versions_and_schemas() {
        assert!(read(bytes::Bytes::from_static(b"PAR1 not really")).err().unwrap().contains("not a readable parquet file"));
        let newer = (schema::SCHEMA_VERSION + 1).to_string();
        let older = (schema::SCHEMA_VERSION - 1).to_string();
        assert!(check_version(Some(&newer)).unwrap_err().contains("newer"));
        assert!(check_version(Some(&older)).unwrap_err().contains("older"));
        assert!(check_version(None).unwrap_err().contains("not written by signin-audit"));

        // One column of another type.
        let expected = schema::schema();
        let mut fields: Vec<_> = expected.fields().iter().cloned().collect();
        let idx = expected.index_of(col::ERROR_CODE).unwrap();
        fields[idx] = Arc::new(arrow_schema::Field::new(col::ERROR_CODE, arrow_schema::DataType::Int64, true));
        let err = check_schema(&Schema::new(fields.clone())).unwrap_err();
        assert!(err.contains("error_code has type Int64"), "{err}");
        fields.truncate(idx);
        assert!(check_schema(&Schema::new(fields)).unwrap_err().contains("missing"));
        assert!(check_schema(&expected).is_ok());
    }
}
