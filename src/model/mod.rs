//! The normalized data model: one record type, one Arrow schema, one table partitioned per user.
//!
//! Ingest fills [`SignIn`] records and pushes them into a [`TableBuilder`]; the segments of all files
//! are merged into a [`SignInTable`] (deduplicated, sorted by user then time), which the baseline,
//! the detectors and the reports read.
//!
//! ## Adding a column
//! Every column is declared once, in [`columns`]: one line with its name, its kind (the builder
//! type, [`kinds`]), whether it may be null, how a record field feeds it, and the [`view::Rows`]
//! field that reads it back. The schema, the builders, the order of the finished arrays and the
//! row view all follow from that line. A column fed from a record field also needs that field in
//! [`SignIn`] and its source names in `crate::ingest::fields` (one table every format reader
//! uses); a test fails until a declared column is reachable from some source field or declared
//! `derived`. Bump [`schema::SCHEMA_VERSION`] when the set of columns changes.

pub mod builder;
pub mod columns;
pub mod kinds;
pub mod schema;
pub mod signin;
pub mod table;
pub mod time;
pub mod view;

pub use builder::{BuiltBatch, RowReject, TableBuilder};
pub use signin::{AuthStep, CaPolicy, EventType, Outcome, SignIn, SourceRef, Str};
pub use table::{SignInTable, UserRange};
pub use time::{DateOrder, TimeValue};
