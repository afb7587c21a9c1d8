//! Writing the normalized table as a Parquet dataset.
