//! The CSV shapes of the UAL: the Purview portal export and `Search-UnifiedAuditLog | Export-Csv`.
//! One row is one record; its `AuditData` cell is the record itself, as JSON text.
//!
//! The row's own columns say what the record is (`RecordType`, `Operation(s)`), so the JSON of the
//! records that are not sign-ins (most of a UAL export) is never parsed: they are counted under
//! `RecordType/Operation`. A sign-in's AuditData is parsed (into a buffer reused across the rows of
//! a chunk) and mapped like any AuditData object. The row's `CreationDate`, user and id cells only
//! stand in for what an AuditData lacks; where its `UserIds` cell names another user than the
//! AuditData (an edited export), the AuditData is believed and the file gets a warning.

use std::borrow::Cow;

use csv::ByteRecord;
use typed_arena::Arena;

use super::{RecordKind, SOURCE, Shape, audit_data};
use crate::ingest::csv::target::{self, Target};
use crate::ingest::json::record::MapCtx;
use crate::ingest::sink::Sink;
use crate::model::signin::is_empty_value;
use crate::model::{SignIn, SourceRef};

/// The shape of a CSV header (normalized names, `ingest::csv::normalize_header`), if it is a UAL
/// export: an `AuditData` column with the columns that say what each record is.
pub fn shape(names: &[String]) -> Option<Shape> {
    let has = |n: &str| names.iter().any(|x| x == n);
    if !has("auditdata") {
        return None;
    }
    if has("recordid") || has("associatedadminunits") || (has("operation") && has("userid")) {
        Some(Shape::PurviewCsv)
    } else if has("recordtype") || has("operations") || has("userids") {
        Some(Shape::PowerShellCsv)
    } else {
        None
    }
}

/// Where the columns of a UAL export are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    audit_data: usize,
    record_type: Option<usize>,
    operation: Option<usize>,
    /// `UserIds` (PowerShell) / `UserId` (Purview).
    user: Option<usize>,
    /// `CreationDate`: UTC, in the exporting session's culture.
    time: Option<usize>,
    /// `Identity` (PowerShell) / `RecordId` (Purview): the record's `Id`.
    id: Option<usize>,
}

/// Map the (normalized) header.
pub fn map_header(names: &[String]) -> Result<Columns, String> {
    let find = |alts: &[&str]| names.iter().position(|n| alts.contains(&n.as_str()));
    Ok(Columns {
        audit_data: find(&["auditdata"]).ok_or("no `AuditData` column")?,
        record_type: find(&["recordtype"]),
        operation: find(&["operations", "operation"]),
        user: find(&["userids", "userid"]),
        time: find(&["creationdate"]),
        id: find(&["identity", "recordid"]),
    })
}

/// What one chunk of rows keeps between rows: the copy of the AuditData simd-json parses in place
/// and its buffers, and the rows whose user cell disagrees with their AuditData.
#[derive(Default)]
pub struct Scratch {
    buf: Vec<u8>,
    buffers: simd_json::Buffers,
    mismatched_users: u64,
    first_mismatch: Option<SourceRef>,
}

impl Scratch {
    /// Say once per chunk what was noticed.
    pub fn report(&self, sink: &mut Sink) {
        if let Some(at) = self.first_mismatch {
            sink.warn(format!(
                "{} row(s) whose user column names another user than their AuditData's UserId (first at {at}): the AuditData, the record itself, was believed",
                self.mismatched_users
            ));
        }
    }
}

/// One data row at `at`.
pub fn row(r: &ByteRecord, cols: &Columns, at: SourceRef, sink: &mut Sink, scratch: &mut Scratch, ctx: &MapCtx<'_>, off: i32) {
    let cell = |i: Option<usize>| i.and_then(|i| r.get(i)).and_then(|c| std::str::from_utf8(c).ok()).filter(|c| !c.trim().is_empty());
    let mut row_kind = RecordKind { operation: cell(cols.operation), ..Default::default() };
    if let Some(t) = cell(cols.record_type) {
        row_kind.set_type(t);
    }
    // Most rows are not sign-ins, and the row says so: their JSON is never parsed.
    if row_kind.is_not_sign_in() {
        return sink.not_sign_in(&row_kind.category());
    }
    let Scratch { buf, buffers, .. } = scratch;
    buf.clear();
    buf.extend_from_slice(r.get(cols.audit_data).unwrap_or_default().trim_ascii());
    let tape = match simd_json::to_tape_with_buffers(buf, buffers) {
        Ok(t) => t,
        Err(e) => return sink.reject(at, format!("the AuditData cell is not JSON ({:?} at its byte {})", e.error(), e.index())),
    };
    let Some(o) = tape.as_value().as_object() else {
        return sink.reject(at, "the AuditData cell is not a JSON object".into());
    };
    let kind = row_kind.or(audit_data::kind(&o));
    if !kind.is_sign_in() {
        return sink.not_sign_in(&kind.category());
    }
    let mut rec = SignIn::default();
    let mapped = audit_data::map(&o, &mut rec, ctx);
    let user = cell(cols.user);
    if let (Some(u), Some(a)) = (user, mapped.user_id)
        && !u.trim().eq_ignore_ascii_case(a.trim())
    {
        scratch.mismatched_users += 1;
        scratch.first_mismatch.get_or_insert(at);
    }
    fallbacks(&mut rec, user, cell(cols.time), cell(cols.id), off);
    rec.source = at;
    sink.push_as(&rec, SOURCE);
}

/// The row's cells where the AuditData has no value.
fn fallbacks<'r>(rec: &mut SignIn<'r>, user: Option<&'r str>, time: Option<&'r str>, id: Option<&'r str>, off: i32) {
    let missing = |v: &Option<Cow<'_, str>>| v.as_deref().is_none_or(is_empty_value);
    if rec.time.is_none()
        && let Some(t) = time
    {
        target::set(rec, Target::TimeUtc, Cow::Borrowed(t), off);
    }
    if missing(&rec.user_principal_name) {
        rec.user_principal_name = user.map(Cow::Borrowed);
    }
    if missing(&rec.request_id) {
        rec.request_id = id.map(Cow::Borrowed);
    }
}

/// A mapping context for the rows of one chunk.
pub fn context(arena: &Arena<u8>, off: i32) -> MapCtx<'_> {
    MapCtx::new(arena, off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::csv::normalize_header;

    fn names(h: &str) -> Vec<String> {
        h.split(',').map(normalize_header).collect()
    }

    #[test]
    fn shapes_from_headers() {
        let ps = names("RecordType,CreationDate,UserIds,Operations,AuditData,ResultIndex,ResultCount,Identity,IsValid,ObjectState");
        assert_eq!(shape(&ps), Some(Shape::PowerShellCsv));
        let old =
            names("RunspaceId,RecordType,CreationDate,UserIds,Operations,AuditData,ResultIndex,ResultCount,Identity,IsValid,ObjectState");
        assert_eq!(shape(&old), Some(Shape::PowerShellCsv));
        let purview = names("RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames");
        assert_eq!(shape(&purview), Some(Shape::PurviewCsv));
        let c = map_header(&purview).unwrap();
        assert_eq!((c.audit_data, c.record_type, c.operation, c.user, c.time, c.id), (5, Some(2), Some(3), Some(4), Some(1), Some(0)));
        assert_eq!(shape(&names("Date (UTC),Request ID,Username")), None);
        assert_eq!(shape(&names("AuditData,Comment")), None);
    }
}
