//! The one Arrow schema every format is normalized into (research/formats.md §14).
//!
//! Repeating strings (users, apps, user agents, IPs, locations, enums, and the strings inside the
//! authentication steps and conditional-access policies) are `Dictionary(Int32, Utf8)`; identifiers
//! that are unique per sign-in (request, correlation, token ids) are plain `Utf8`.
//! The parquet export writes this schema as is, and reading a dataset back checks it.

use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

use super::columns::COLUMNS;

/// Bumped whenever a column is added, removed or changes type or meaning. Stored in the parquet
/// metadata. 3: `source_index` (0-based, inside a page) became `source_record` (the record's 1-based
/// ordinal within its input) and `source_offset` became the first byte of the record itself.
pub const SCHEMA_VERSION: u32 = 3;

/// Column names, in schema order (declared once, in [`super::columns`]).
pub use super::columns::col;

/// `Dictionary(Int32, Utf8)`.
pub fn dict() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// Fields of one `auth_details` entry.
pub fn auth_step_fields() -> Fields {
    Fields::from(vec![
        Field::new("time", timestamp_type(), true),
        Field::new("method", dict(), true),
        Field::new("method_detail", dict(), true),
        Field::new("succeeded", DataType::Boolean, true),
        Field::new("result_detail", dict(), true),
        Field::new("requirement", dict(), true),
    ])
}

/// Fields of one `ca_policies` entry.
pub fn ca_policy_fields() -> Fields {
    Fields::from(vec![
        Field::new("id", dict(), true),
        Field::new("name", dict(), true),
        Field::new("result", dict(), true),
        Field::new("grant_controls", dict(), true),
    ])
}

pub fn auth_step_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(auth_step_fields()), true))
}

pub fn ca_policy_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(ca_policy_fields()), true))
}

pub fn string_item() -> Arc<Field> {
    Arc::new(Field::new("item", dict(), true))
}

/// The normalized schema (shared, built once).
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA.get_or_init(build_schema).clone()
}

/// The schema of the declared columns ([`super::columns::COLUMNS`]), in their order.
fn build_schema() -> SchemaRef {
    let fields: Vec<Field> = COLUMNS.iter().map(|c| Field::new(c.name, (c.data_type)(), c.nullable)).collect();
    Arc::new(Schema::new(fields))
}
