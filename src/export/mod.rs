//! Writing the normalized table as a Parquet dataset (`signin-audit export`).
//!
//! Users are hashed into buckets ([`bucket`]) so that a large tenant gives a few dozen files, not one
//! per user.

pub mod bucket;
