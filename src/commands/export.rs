//! `signin-audit export --out DIR`: the normalized table as a Parquet dataset.

use std::io::Write;

use crate::cli::ExportArgs;
use crate::error::Error;

pub fn run(a: &ExportArgs, _out: &mut dyn Write) -> Result<u8, Error> {
    let _ingested = super::load(&a.evidence)?;
    Err(Error::Usage("export is not implemented yet".into()))
}
