//! [`TableBuilder`]: normalizes [`SignIn`] records into the Arrow columns of [`super::schema`].
//!
//! This is the one place where values are cleaned up for every format alike: empty renderings become
//! null, UPNs are lowercased, IPv4-mapped IPv6 addresses become IPv4, `0,0` coordinates without a
//! country are dropped, the outcome is derived from the error code, and the partition key
//! (`principal`) is chosen. A builder covers one segment of one file, or the rows of many small
//! files one after the other ([`TableBuilder::set_source`]); segments are merged by [`super::table`].

use std::borrow::Cow;

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;

use super::columns::{Builders, feed};
use super::kinds::{FileRuns, FormatRuns, val};
use super::schema;
use super::signin::{EventType, Outcome, SignIn};
use super::time::{DateOrder, DateOrderVotes, LocalDate, TimeValue};

/// Why a record could not become a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowReject {
    NoTimestamp,
    NoPrincipal,
}

impl RowReject {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoTimestamp => "no usable timestamp",
            Self::NoPrincipal => "no user or service principal",
        }
    }
}

/// Builds one Arrow batch of normalized sign-ins.
pub struct TableBuilder {
    /// One builder per declared column ([`super::columns`]).
    cols: Builders,
    assumed_offset_secs: i32,
    /// Rows whose day/month order waits for the file-level decision.
    pending: Vec<(usize, LocalDate)>,
    votes: DateOrderVotes,
    /// Per row: how many fields carry a value (keeps the most complete copy of a duplicate).
    completeness: Vec<u16>,
}

/// A finished segment: its batch plus what the merge step needs and the schema does not hold.
pub struct BuiltBatch {
    pub batch: RecordBatch,
    pub completeness: Vec<u16>,
}

impl TableBuilder {
    /// `assumed_offset_secs` is applied to zone-less local dates when they are resolved.
    pub fn new(source_file: &str, source_format: &'static str, assumed_offset_secs: i32) -> Self {
        let cols = Builders {
            source_file: FileRuns(vec![(0, source_file.to_string())]),
            source_format: FormatRuns::new(source_format),
            ..Default::default()
        };
        Self { cols, assumed_offset_secs, pending: Vec::new(), votes: DateOrderVotes::default(), completeness: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.cols.timestamp.0.len()
    }

    /// Rows appended from now on come from this file, in this format. One builder can then hold the
    /// rows of many small inputs, which costs far less than a builder (and a batch) per input.
    pub fn set_source(&mut self, source_file: &str, source_format: &'static str) {
        let row = self.len();
        let runs = &mut self.cols.source_file.0;
        if runs.last().is_some_and(|s| s.0 == row) {
            runs.pop();
        }
        if runs.last().is_none_or(|s| s.1 != source_file) {
            runs.push((row, source_file.to_string()));
        }
        self.set_source_format(source_format);
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows pushed from now on come from `format` (a Unified Audit Log record inside a JSON or CSV
    /// input is `ual`), not from the format the builder was made for.
    pub fn set_source_format(&mut self, format: &'static str) {
        self.cols.source_format.current = format;
    }

    /// The format rows are pushed as.
    pub fn source_format(&self) -> &'static str {
        self.cols.source_format.current
    }

    /// Day/month evidence seen in this builder's local dates.
    pub fn date_votes(&self) -> DateOrderVotes {
        self.votes
    }

    /// Number of rows whose timestamp waits for a day/month order.
    pub fn pending_dates(&self) -> usize {
        self.pending.len()
    }

    /// The principal a record would be partitioned under, if it has one.
    pub fn principal_of<'r>(r: &'r SignIn<'_>) -> Option<Cow<'r, str>> {
        if let Some(upn) = val(&r.user_principal_name) {
            return Some(feed::lowercase(upn));
        }
        if let Some(id) = val(&r.user_id) {
            return Some(feed::lowercase(id));
        }
        if let Some(sp) = val(&r.service_principal_id).or(val(&r.service_principal_name)) {
            return Some(Cow::Owned(format!("sp:{}", sp.to_lowercase())));
        }
        None
    }

    /// Append one record. On `Err` nothing was appended.
    pub fn push(&mut self, r: &SignIn<'_>) -> Result<(), RowReject> {
        let (micros, zoned, local) = match r.time {
            Some(TimeValue::Utc { micros, zoned }) => (micros, zoned, None),
            Some(TimeValue::Local(d)) => (0, d.offset.is_some(), Some(d)),
            None => return Err(RowReject::NoTimestamp),
        };
        let principal = Self::principal_of(r).ok_or(RowReject::NoPrincipal)?;
        let row = self.len();
        let c = &mut self.cols;
        c.source_format.push(row);
        c.timestamp.0.push(micros);
        if let Some(d) = local {
            self.votes.add(&d);
            self.pending.push((row, d));
        }
        c.time_zone_assumed.append_value(!zoned);
        c.principal.append_value(principal.as_ref());
        let event_type = r.event_type.unwrap_or_else(|| default_event_type(r));
        c.event_type.append_value(event_type.as_str());
        // A record with neither an error code nor a status text is counted as a success by Graph
        // (errorCode 0 is the only success); the code stays null so the gap stays visible.
        let outcome = r.outcome.or(r.error_code.map(Outcome::from_error_code)).unwrap_or(Outcome::Success);
        c.result.append_value(outcome.as_str());

        let mut filled = c.feed(r);
        // Managed identities carry 0.0/0.0 with an empty country: that is "unknown", not the Gulf of Guinea.
        let coords = match (r.latitude, r.longitude) {
            (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() && !(lat == 0.0 && lon == 0.0 && val(&r.country).is_none()) => {
                Some((lat, lon))
            }
            _ => None,
        };
        c.latitude.append_option(coords.map(|c| c.0));
        c.longitude.append_option(coords.map(|c| c.1));
        let lists =
            [c.auth_details.push(&r.auth_details), c.ca_policies.push(&r.ca_policies), c.risk_event_types.push(&r.risk_event_types)];
        filled += 2 * u16::from(coords.is_some()) + lists.iter().map(|l| u16::from(*l)).sum::<u16>();
        if r.lost_fields.is_empty() {
            c.lost_fields.append_null();
        } else {
            c.lost_fields.append_value(r.lost_fields.join(","));
        }
        c.source_offset.values.push(r.source.offset);
        c.source_record.values.push(r.source.record);
        c.source_line.values.push(r.source.line);
        self.completeness.push(filled);
        Ok(())
    }

    /// Records and lines that precede this builder's segment in its input (see [`SourceRef`]).
    ///
    /// [`SourceRef`]: super::signin::SourceRef
    pub fn rebase(&mut self, records_before: u64, lines_before: u64) {
        self.cols.source_record.base = records_before;
        self.cols.source_line.base = lines_before;
    }

    /// Resolve pending local dates with `order` (the caller decides it per file from
    /// [`Self::date_votes`] of all the file's builders and any `--date-order`).
    pub fn resolve_dates(&mut self, order: DateOrder) -> usize {
        let mut unresolved = 0;
        for (row, d) in self.pending.drain(..) {
            match d.resolve(order, self.assumed_offset_secs) {
                Some(m) => self.cols.timestamp.0[row] = m,
                // Only possible when the order makes the date impossible (31/02): keep the
                // month-first reading, which parse_local already proved valid for one order.
                None => {
                    unresolved += 1;
                    let other = match order {
                        DateOrder::MonthFirst => DateOrder::DayFirst,
                        DateOrder::DayFirst => DateOrder::MonthFirst,
                    };
                    if let Some(m) = d.resolve(other, self.assumed_offset_secs) {
                        self.cols.timestamp.0[row] = m;
                    }
                }
            }
        }
        unresolved
    }

    /// Finish the batch. Pending local dates not resolved by then use month-first.
    pub fn finish(mut self) -> Result<BuiltBatch, ArrowError> {
        if !self.pending.is_empty() {
            self.resolve_dates(DateOrder::MonthFirst);
        }
        let n = self.len();
        // The arrays come in the declared order, which is the schema's: they cannot fall out of step.
        let mut columns = self.cols.finish(n)?;
        // Builders grow by doubling; a segment kept until the merge would hold up to twice its
        // data. Shrinking costs one copy now and saves that memory for the rest of the run.
        for c in &mut columns {
            arrow_array::Array::shrink_to_fit(c);
        }
        let batch = RecordBatch::try_new(schema::schema(), columns)?;
        Ok(BuiltBatch { batch, completeness: self.completeness })
    }
}

/// Event type when the source does not say: a service principal with no user is an SP sign-in,
/// `isInteractive: false` is non-interactive, and everything else is interactive (Graph v1.0 and the
/// AzureAD module only ever return interactive sign-ins, formats.md §1.1).
fn default_event_type(r: &SignIn<'_>) -> EventType {
    let has_user = val(&r.user_principal_name).is_some() || val(&r.user_id).is_some();
    if !has_user && (val(&r.service_principal_id).is_some() || val(&r.service_principal_name).is_some()) {
        EventType::ServicePrincipal
    } else if r.is_interactive == Some(false) {
        EventType::NonInteractive
    } else {
        EventType::Interactive
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::signin::AuthStep;
    use crate::model::time::parse_time;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;

    fn rec<'a>(upn: &'a str, t: &str) -> SignIn<'a> {
        SignIn { user_principal_name: Some(Cow::Borrowed(upn)), time: parse_time(t, 0), ..Default::default() }
    }

    #[test]
    fn normalizes_values() {
        let mut b = TableBuilder::new("f.json", "graph", 0);
        let mut r = rec("Alice@Contoso.COM", "2024-01-01T00:00:00Z");
        r.ip_address = Some(Cow::Borrowed("::ffff:10.1.2.3"));
        r.country = Some(Cow::Borrowed("us"));
        r.device_id = Some(Cow::Borrowed(""));
        r.latitude = Some(0.0);
        r.longitude = Some(0.0);
        r.auth_details.push(AuthStep { method: Some(Cow::Borrowed("Password")), succeeded: Some(true), ..Default::default() });
        r.error_code = Some(50140);
        b.push(&r).unwrap();
        let out = b.finish().unwrap().batch;
        let s = |name: &str| {
            let a = out.column_by_name(name).unwrap().as_dictionary::<Int32Type>();
            let v = a.values().as_string::<i32>();
            a.keys().iter().map(|k| k.map(|k| v.value(k as usize).to_string())).collect::<Vec<_>>()
        };
        assert_eq!(s("principal"), vec![Some("alice@contoso.com".into())]);
        assert_eq!(s("ip_address"), vec![Some("10.1.2.3".into())]);
        assert_eq!(s("country"), vec![Some("US".into())]);
        assert_eq!(s("device_id"), vec![None]);
        assert_eq!(s("result"), vec![Some("interrupted".into())]);
        // 0,0 with a country is kept (it is a real point); only the country-less form is dropped.
        assert!(out.column_by_name("latitude").unwrap().is_valid(0));
        assert_eq!(out.column_by_name("auth_details").unwrap().as_list::<i32>().value(0).len(), 1);
    }

    #[test]
    fn rejects_without_time_or_principal() {
        let mut b = TableBuilder::new("f", "graph", 0);
        assert_eq!(b.push(&rec("a@b.c", "not a time")), Err(RowReject::NoTimestamp));
        let mut r = rec("", "2024-01-01T00:00:00Z");
        r.user_principal_name = None;
        assert_eq!(b.push(&r), Err(RowReject::NoPrincipal));
        r.service_principal_id = Some(Cow::Borrowed("ABC"));
        assert!(b.push(&r).is_ok());
        assert_eq!(b.len(), 1);
        let out = b.finish().unwrap().batch;
        let et = out.column_by_name("event_type").unwrap().as_dictionary::<Int32Type>();
        assert_eq!(et.values().as_string::<i32>().value(et.keys().value(0) as usize), "servicePrincipal");
    }

    #[test]
    fn one_builder_holds_the_rows_of_several_sources() {
        let mut b = TableBuilder::new("a.json", "json", 0);
        b.push(&rec("a@b.c", "2024-01-01T00:00:00Z")).unwrap();
        b.set_source("empty.json", "json");
        b.set_source("b.csv", "portal-csv");
        b.push(&rec("a@b.c", "2024-01-02T00:00:00Z")).unwrap();
        b.push(&rec("a@b.c", "2024-01-03T00:00:00Z")).unwrap();
        b.set_source("a.json", "json");
        b.push(&rec("a@b.c", "2024-01-04T00:00:00Z")).unwrap();
        let out = b.finish().unwrap().batch;
        let s = |name: &str| {
            let a = out.column_by_name(name).unwrap().as_dictionary::<Int32Type>();
            let v = a.values().as_string::<i32>();
            a.keys().iter().map(|k| v.value(k.unwrap() as usize).to_string()).collect::<Vec<_>>()
        };
        assert_eq!(s("source_file"), vec!["a.json", "b.csv", "b.csv", "a.json"]);
        assert_eq!(s("source_format"), vec!["json", "portal-csv", "portal-csv", "json"]);
    }

    #[test]
    fn rows_keep_the_format_they_were_pushed_as() {
        let formats = |b: TableBuilder| {
            let out = b.finish().unwrap().batch;
            let a = out.column_by_name("source_format").unwrap().as_dictionary::<Int32Type>();
            let v = a.values().as_string::<i32>();
            a.keys().values().iter().map(|k| v.value(*k as usize).to_string()).collect::<Vec<_>>()
        };
        let mut b = TableBuilder::new("f.json", "json", 0);
        b.push(&rec("a@b.c", "2024-01-01T00:00:00Z")).unwrap();
        b.set_source_format("json");
        b.push(&rec("a@b.c", "2024-01-01T00:00:01Z")).unwrap();
        assert_eq!(formats(b), ["json", "json"]);
        let mut b = TableBuilder::new("f.json", "json", 0);
        b.push(&rec("a@b.c", "2024-01-01T00:00:00Z")).unwrap();
        b.set_source_format("ual");
        b.push(&rec("a@b.c", "2024-01-01T00:00:01Z")).unwrap();
        b.push(&rec("a@b.c", "2024-01-01T00:00:02Z")).unwrap();
        b.set_source_format("json");
        b.push(&rec("a@b.c", "2024-01-01T00:00:03Z")).unwrap();
        assert_eq!(formats(b), ["json", "ual", "ual", "json"]);
        // A format set and set back without a row pushed in between leaves no trace.
        let mut b = TableBuilder::new("f.json", "json", 0);
        b.set_source_format("ual");
        b.push(&rec("a@b.c", "2024-01-01T00:00:00Z")).unwrap();
        b.set_source_format("json");
        b.set_source_format("ual");
        b.push(&rec("a@b.c", "2024-01-01T00:00:01Z")).unwrap();
        assert!(b.cols.source_format.runs.is_empty());
        assert_eq!(formats(b), ["ual", "ual"]);
    }

    #[test]
    fn local_dates_wait_for_the_file_decision() {
        let mut b = TableBuilder::new("f.csv", "powershell", 0);
        b.push(&rec("a@b.c", "3/4/2024 10:00:00")).unwrap();
        assert_eq!(b.pending_dates(), 1);
        b.resolve_dates(DateOrder::DayFirst);
        let out = b.finish().unwrap().batch;
        let ts = out.column(0).as_primitive::<arrow_array::types::TimestampMicrosecondType>();
        assert_eq!(crate::model::time::format_rfc3339(ts.value(0)), "2024-04-03T10:00:00Z");
    }
}
