//! The normalized data model: one record type, one Arrow schema, one table partitioned per user.
//!
//! Ingest fills [`SignIn`] records and pushes them into a [`TableBuilder`]; the segments of all files
//! are merged into a [`SignInTable`] (deduplicated, sorted by user then time), which the baseline,
//! the detectors and the reports read.

pub mod builder;
pub mod schema;
pub mod signin;
pub mod table;
pub mod time;
pub mod view;

pub use builder::{BuiltBatch, RowReject, TableBuilder};
pub use signin::{AuthStep, CaPolicy, EventType, Outcome, SignIn, SourceRef, Str};
pub use table::{SignInTable, UserRange};
pub use time::{DateOrder, TimeValue};
