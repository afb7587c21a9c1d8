//! Report writers: one file per report and format, all writing to an `io::Write`.

pub mod audit;
pub mod inventory;
pub mod scope;
pub mod text;
