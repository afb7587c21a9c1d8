//! `signin-audit inventory`: what is in this evidence?

use std::io::Write;

use crate::cli::{InventoryArgs, InventoryFormat};
use crate::error::Error;
use crate::report::inventory::{Inventory, write_json, write_table};

pub fn run(a: &InventoryArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let status = super::status(&a.evidence, false);
    let ingested = super::load(&a.evidence, &status)?;
    drop(status);
    let inv = Inventory::new(&ingested)?;
    let format = if a.json { InventoryFormat::Json } else { a.output };
    match format {
        InventoryFormat::Json => write_json(&inv, out)?,
        InventoryFormat::Table => write_table(&inv, out)?,
    }
    Ok(0)
}
