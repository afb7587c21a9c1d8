//! signin-audit: an offline analyzer for exported Microsoft Entra ID sign-in logs.
//!
//! The data flows one way through the modules:
//!
//! 1. [`evidence`]: find files, open them read-only, hash them, undo gzip/zip and UTF-16.
//! 2. [`ingest`]: detect each input's format from its content and parse it (one module per format
//!    family) into [`model::SignIn`] records.
//! 3. [`model`]: normalize records into one Arrow table ([`model::schema`]), deduplicate by request
//!    id, sort by user then time, and partition per user ([`model::SignInTable`]).
//! 4. [`baseline`] and [`detect`]: per-user behaviour and the anomaly detectors, run by [`audit`]
//!    (windows, parallel users, risk chaining); [`geo`] locates sign-ins offline and [`enrich`] knows
//!    each IP's network (ASN, class, database location).
//! 5. [`export`]: write the table as a Parquet dataset (and read it back as evidence).
//! 6. [`report`]: render reports to any `io::Write`.
//!
//! [`cli`] holds the clap definitions and [`commands`] runs them; `main.rs` only maps the result to
//! an exit code.

pub mod audit;
pub mod baseline;
pub mod cli;
pub mod commands;
pub mod detect;
pub mod enrich;
pub mod error;
pub mod evidence;
pub mod export;
/// Synthetic sign-in evidence for benchmarks, examples and load tests (feature `generate`).
#[cfg(feature = "generate")]
pub mod generate;
pub mod geo;
pub mod ingest;
pub mod model;
pub mod report;
mod sys;

pub use error::{Error, Result};
