//! The JSON shapes of the UAL, reached from the JSON family's record walk (`ingest::json`): the walk
//! finds the objects wherever they are (JSON lines, arrays, arrays back to back, Graph pages) and
//! hands over those whose keys mark a UAL record ([`Markers`]).
//!
//! - an AuditData object (Management Activity API content blobs, Microsoft-Extractor-Suite JSON
//!   lines): the record itself;
//! - a `Search-UnifiedAuditLog` object through `ConvertTo-Json` (`RecordType`, `CreationDate`,
//!   `UserIds`, `Operations`, `AuditData` as JSON text or, after `ConvertFrom-Json`, an object);
//! - a Graph `auditLogRecord` (`auditLogRecordType`, `operation`, `createdDateTime`,
//!   `userPrincipalName`, `clientIp`, `auditData`).
//!
//! In the two wrappers the record is the AuditData; the wrapper's own fields say what it is when
//! the AuditData does not, and stand in for its time, user, address and id when they are missing.

use simd_json::prelude::*;
use simd_json::tape::{Object, Value};

use super::{RecordKind, SOURCE, Shape, audit_data};
use crate::ingest::csv::target::declared_utc;
use crate::ingest::json::record::{MapCtx, s};
use crate::ingest::sink::Sink;
use crate::model::signin::{SignIn, is_empty_value};
use crate::model::time::parse_time;
use crate::model::{SourceRef, TimeValue};

/// Keys of a JSON object that mark it as a UAL record.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Markers {
    record_type: bool,
    operation: bool,
    audit_data: bool,
    graph: bool,
}

impl Markers {
    /// Note `key` if it is one of the UAL's; returns whether it was.
    pub fn note(&mut self, key: &str) -> bool {
        match key {
            "RecordType" => self.record_type = true,
            "Operation" | "Operations" | "Workload" => self.operation = true,
            "AuditData" | "auditData" => self.audit_data = true,
            "auditLogRecordType" => self.graph = true,
            _ => return false,
        }
        true
    }

    /// The object is a UAL record (a record type and an operation, or an AuditData inside).
    pub fn is_ual(&self) -> bool {
        self.graph || self.audit_data || (self.record_type && self.operation)
    }

    fn shape(&self) -> Shape {
        if self.graph {
            Shape::GraphQuery
        } else if self.audit_data {
            Shape::PowerShellJson
        } else {
            Shape::AuditData
        }
    }
}

/// Whether a Graph page's `@odata.context` is an audit log query's records.
pub fn is_query_context(context: &str) -> bool {
    let c = context.to_ascii_lowercase();
    c.contains("auditlog/queries") || c.contains("auditlogrecord")
}

/// A UAL record the walk found at `at` (`markers` from its keys): a sign-in is pushed, any other
/// record counted by its category.
pub fn record<'x>(o: &Object<'_, 'x>, at: SourceRef, markers: Markers, sink: &mut Sink, rec: &mut SignIn<'x>, ctx: &MapCtx<'x>) {
    let shape = markers.shape();
    sink.set_format(shape.label());
    if shape == Shape::AuditData {
        let k = audit_data::kind(o);
        if !k.is_sign_in() {
            return sink.not_sign_in(&k.category());
        }
        rec.clear();
        audit_data::map(o, rec, ctx);
        rec.source = at;
        return sink.push_as(rec, SOURCE);
    }
    wrapped(o, at, sink, rec, ctx);
}

/// What a wrapper says besides its AuditData.
#[derive(Default)]
struct Outer<'v, 'x> {
    kind: RecordKind<'x>,
    audit_data: Option<Value<'v, 'x>>,
    time: Option<TimeValue>,
    user: Option<Value<'v, 'x>>,
    ip: Option<Value<'v, 'x>>,
    id: Option<Value<'v, 'x>>,
}

fn outer<'v, 'x>(o: &Object<'v, 'x>) -> Outer<'v, 'x> {
    let mut w = Outer::default();
    for (k, v) in o.iter() {
        match k {
            "RecordType" | "auditLogRecordType" => match v.into_string() {
                Some(t) => w.kind.set_type(t),
                None => w.kind.record_type = v.as_u64().and_then(|n| u16::try_from(n).ok()),
            },
            "Operations" | "operation" => w.kind.operation = v.into_string(),
            "AuditData" | "auditData" => w.audit_data = Some(v),
            "CreationDate" | "createdDateTime" => w.time = v.into_string().and_then(|t| declared_utc(parse_time(t, 0))),
            "UserIds" | "userPrincipalName" => w.user = Some(v),
            "clientIp" => w.ip = Some(v),
            "Identity" | "id" => w.id = Some(v),
            _ => {}
        }
    }
    w
}

/// A `Search-UnifiedAuditLog` object or a Graph `auditLogRecord`.
fn wrapped<'x>(o: &Object<'_, 'x>, at: SourceRef, sink: &mut Sink, rec: &mut SignIn<'x>, ctx: &MapCtx<'x>) {
    let w = outer(o);
    if w.kind.is_not_sign_in() {
        return sink.not_sign_in(&w.kind.category());
    }
    // AuditData as an object, or as the JSON text PowerShell leaves it in.
    let text = w.audit_data.and_then(|v| v.into_string()).filter(|t| t.trim_start().starts_with('{'));
    let tape = text.and_then(|t| simd_json::to_tape(ctx.arena.alloc_extend(t.trim().bytes())).ok());
    let inner = match (&tape, w.audit_data) {
        (Some(t), _) => t.as_value().as_object(),
        (None, Some(v)) => v.as_object(),
        (None, None) => None,
    };
    let kind = match &inner {
        Some(i) => w.kind.or(audit_data::kind(i)),
        None => w.kind,
    };
    if !kind.is_sign_in() {
        if kind.is_known() {
            return sink.not_sign_in(&kind.category());
        }
        return sink.reject(at, "a UAL record that says neither its RecordType nor its Operation, with no readable AuditData".into());
    }
    let Some(inner) = inner else {
        return sink.reject(at, "a UAL sign-in record whose AuditData is missing or not JSON".into());
    };
    rec.clear();
    audit_data::map(&inner, rec, ctx);
    fallbacks(&w, rec);
    rec.source = at;
    sink.push_as(rec, SOURCE);
}

/// The wrapper's time, user, address and id where the AuditData has none.
fn fallbacks<'x>(w: &Outer<'_, 'x>, rec: &mut SignIn<'x>) {
    fn missing(v: &Option<std::borrow::Cow<'_, str>>) -> bool {
        v.as_deref().is_none_or(is_empty_value)
    }
    if rec.time.is_none() {
        rec.time = w.time;
    }
    if missing(&rec.user_principal_name) {
        rec.user_principal_name = w.user.and_then(s);
    }
    if missing(&rec.ip_address) {
        rec.ip_address = w.ip.and_then(s);
    }
    if missing(&rec.request_id) {
        rec.request_id = w.id.and_then(s);
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;

    use super::*;
    use crate::ingest::ual::audit_data::tests::FAILED;

    #[test]
    fn markers() {
        let mark = |keys: &[&str]| {
            let mut m = Markers::default();
            for k in keys {
                m.note(k);
            }
            (m.is_ual(), m.shape())
        };
        assert_eq!(mark(&["CreationTime", "Operation", "RecordType"]), (true, Shape::AuditData));
        assert_eq!(mark(&["RecordType", "CreationDate", "Operations", "AuditData"]), (true, Shape::PowerShellJson));
        assert_eq!(mark(&["id", "auditLogRecordType", "auditData"]), (true, Shape::GraphQuery));
        assert!(!mark(&["RecordType"]).0, "a record type alone is any table's column");
        assert!(!mark(&["Operation", "Workload"]).0);
        assert!(is_query_context("https://graph.microsoft.com/beta/$metadata#security/auditLog/queries('a1')/records"));
        assert!(!is_query_context("https://graph.microsoft.com/beta/$metadata#auditLogs/signIns"));
    }

    /// The source format of each row of a parsed JSON input.
    fn formats(json: &str) -> (Option<&'static str>, Vec<String>) {
        let mut sink = Sink::new("f.json", "json", 0);
        crate::ingest::json::parse(json.as_bytes(), &mut sink, 0);
        let format = sink.format;
        let b = std::mem::replace(&mut sink.builder, crate::model::TableBuilder::new("", "", 0)).finish().unwrap().batch;
        let a = b.column_by_name("source_format").unwrap().as_dictionary::<Int32Type>();
        let v = a.values().as_string::<i32>();
        (format, a.keys().values().iter().map(|k| v.value(*k as usize).to_string()).collect())
    }

    #[test]
    fn rows_from_ual_records_say_ual() {
        let graph = r#"{"id":"g1","createdDateTime":"2026-10-14T09:00:00Z","userPrincipalName":"a@contoso.example","status":{"errorCode":0},"ipAddress":"192.0.2.1","appId":"x"}"#;
        let (format, rows) = formats(&format!("{FAILED}\n{graph}\n{FAILED}\n"));
        assert_eq!(format, Some("ual-json"));
        assert_eq!(rows, ["ual", "json", "ual"], "a sign-in log record among UAL records keeps its own format");
        let page = format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/beta/$metadata#security/auditLog/queries('q')/records","value":[{{"id":"r1","createdDateTime":"2026-10-14T09:15:02Z","auditLogRecordType":"azureActiveDirectoryStsLogon","operation":"UserLoginFailed","userPrincipalName":"kevin.obrien@contoso.example","auditData":{FAILED}}}]}}"#
        );
        assert_eq!(formats(&page), (Some("ual-graph"), vec!["ual".to_string()]));
    }
}
