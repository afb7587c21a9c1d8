//! `signin-audit timeline`: one event per sign-in of the analysis window and one per finding, in the
//! CSV or JSON lines that Timesketch imports as a timeline.
//!
//! Format: Timesketch's "Create timeline from JSONL or CSV file" page
//! (`docs/guides/user/import-from-json-csv.md` of google/timesketch, checked at commit
//! `0a88c100d0315e070fcccd8b9742ac5fcd2d3823`): the mandatory `message`, `datetime` (ISO 8601,
//! written `2015-07-24T19:01:01+00:00` there) and `timestamp_desc`, the optional `timestamp`
//! (microseconds since the epoch) of its example, then any extra columns. Tags live in the
//! event's `tag` field (Timesketch `docs/guides/user/basic-concepts.md`): a list in JSON lines,
//! the same names joined by `,` in CSV.
//!
//! Columns are [`COLUMNS`], in that order (CSV header; JSON keys, empty values left out). Events are
//! sorted by time, sign-ins before findings at the same microsecond, then by table order, so the
//! output is the same at any thread count. CSV cells are defused against formula injection.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;

use serde_json::Value;

use super::describe::{period_micros, place, row_cite};
use super::text::spreadsheet;
use crate::audit::AuditResult;
use crate::detect::Finding;
use crate::error::Error;
use crate::model::SignInTable;
use crate::model::time::format_rfc3339;
use crate::model::view::Rows;

/// The columns, in order. `message`, `datetime` and `timestamp_desc` are Timesketch's mandatory
/// fields; the rest are extra attributes.
pub const COLUMNS: [&str; 22] = [
    "message",
    "datetime",
    "timestamp",
    "timestamp_desc",
    "user",
    "ip",
    "location",
    "app",
    "client",
    "user_agent",
    "result",
    "error_code",
    "request_id",
    "session_id",
    "event_type",
    "source_file",
    "source_offset",
    "source_record",
    "source_line",
    "detector",
    "risk",
    "tag",
];

/// `timestamp_desc` of each kind of event.
pub mod desc {
    pub const SIGN_IN: &str = "Sign-in";
    pub const SIGN_IN_FAILURE: &str = "Sign-in failure";
    pub const SIGN_IN_INTERRUPTED: &str = "Sign-in interrupted";
    pub const FINDING: &str = "Finding";
}

/// Tag of every finding event (with its detector and risk).
pub const FINDING_TAG: &str = "finding";
/// Tag of every sign-in event a finding cites (with the citing detectors).
pub const CITED_TAG: &str = "cited";

/// One cell of an event.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Tags(Vec<String>),
}

impl Cell {
    fn text(s: Option<&str>) -> Cell {
        match s {
            Some(s) if !s.is_empty() => Cell::Text(s.to_string()),
            _ => Cell::Empty,
        }
    }

    fn csv(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => spreadsheet(s).into_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Tags(t) => spreadsheet(&t.join(",")).into_owned(),
        }
    }

    fn json(&self) -> Option<Value> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => Some(Value::String(s.clone())),
            Cell::Int(n) => Some(Value::from(*n)),
            Cell::Tags(t) => Some(Value::from(t.clone())),
        }
    }
}

type Cells = [Cell; COLUMNS.len()];

/// What goes on the timeline, in output order.
enum Event {
    /// A row of the table (global index).
    SignIn(usize),
    /// An index into the findings.
    Finding(usize),
}

/// The timeline of an audit: what to write and how to describe each event.
pub struct Timeline<'a> {
    rows: Rows<'a>,
    findings: &'a [Finding],
    events: Vec<Event>,
    /// (user, sign-in id) -> the detectors whose findings cite that sign-in.
    cited: HashMap<(&'a str, &'a str), BTreeSet<&'static str>>,
}

impl<'a> Timeline<'a> {
    /// Every sign-in of an audited user and an included event type in the analysis window, and
    /// every reported finding.
    pub fn new(table: &'a SignInTable, result: &'a AuditResult) -> Result<Self, Error> {
        let rows = Rows::new(&table.batch)?;
        let (start, end) = period_micros(&result.window.analysis)
            .ok_or_else(|| Error::Usage(format!("unreadable analysis window {:?}", result.window.analysis)))?;
        let users: HashSet<&str> = result.users.iter().map(|u| u.user.as_str()).collect();
        let types: HashSet<&str> = result.window.event_types.iter().copied().collect();
        let mut keyed: Vec<(i64, u8, usize)> = Vec::new();
        for u in table.users.iter().filter(|u| users.contains(u.principal.as_str())) {
            for i in u.offset..u.offset + u.len {
                let t = rows.time(i);
                if t > start && t <= end && rows.event_type.get(i).is_some_and(|e| types.contains(e)) {
                    keyed.push((t, 0, i));
                }
            }
        }
        keyed.extend(result.findings.iter().enumerate().map(|(k, f)| (f.micros, 1, k)));
        keyed.sort_unstable();
        let events = keyed.into_iter().map(|(_, kind, i)| if kind == 0 { Event::SignIn(i) } else { Event::Finding(i) }).collect();
        let mut cited: HashMap<(&str, &str), BTreeSet<&'static str>> = HashMap::new();
        for f in &result.findings {
            for id in &f.sign_in_ids {
                cited.entry((f.user.as_str(), id.as_str())).or_default().insert(f.detector);
            }
        }
        Ok(Timeline { rows, findings: &result.findings, events, cited })
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn cells(&self, e: &Event) -> Cells {
        match *e {
            Event::SignIn(i) => self.sign_in(i),
            Event::Finding(k) => finding(&self.findings[k]),
        }
    }

    fn sign_in(&self, i: usize) -> Cells {
        let r = &self.rows;
        let user = r.principal.get(i).unwrap_or("");
        let result = r.result.get(i).unwrap_or("");
        let desc = match result {
            "success" => desc::SIGN_IN,
            "interrupted" => desc::SIGN_IN_INTERRUPTED,
            _ => desc::SIGN_IN_FAILURE,
        };
        let app = r.app_name.get(i).or(r.app_id.get(i));
        let ip = r.ip.get(i);
        let where_ = place(r, i);
        let mut message = format!("{user} sign-in to {} from {}", app.unwrap_or("?"), ip.unwrap_or("?"));
        if !where_.is_empty() {
            message.push_str(&format!(" ({where_})"));
        }
        if let Some(c) = r.client_app.get(i) {
            message.push_str(&format!(" via {c}"));
        }
        message.push_str(&format!(": {}", if result.is_empty() { "unknown result" } else { result }));
        if result != "success" {
            if let Some(code) = r.error_code(i) {
                message.push_str(&format!(" {code}"));
            }
            if let Some(reason) = r.failure_reason.get(i) {
                message.push_str(&format!(" ({reason})"));
            }
        }
        let id = r.sign_in_id(i);
        let tags = self.cited.get(&(user, id.as_str())).map(|d| {
            let mut t = vec![CITED_TAG.to_string()];
            t.extend(d.iter().map(|s| s.to_string()));
            t
        });
        let cite = row_cite(r, i);
        let t = r.time(i);
        [
            Cell::Text(message),
            Cell::Text(iso(t)),
            Cell::Int(t),
            Cell::Text(desc.into()),
            Cell::text(Some(user)),
            Cell::text(ip),
            Cell::text(Some(&where_)),
            Cell::text(app),
            Cell::text(r.client_app.get(i)),
            Cell::text(r.user_agent.get(i)),
            Cell::text(Some(result)),
            r.error_code(i).map_or(Cell::Empty, |c| Cell::Int(c.into())),
            Cell::Text(id),
            Cell::text(r.session_id.get(i)),
            Cell::text(r.event_type.get(i)),
            Cell::text(Some(&cite.file)),
            Cell::Int(cite.offset as i64),
            Cell::Int(cite.record as i64),
            cite.line.map_or(Cell::Empty, |l| Cell::Int(l as i64)),
            Cell::Empty,
            Cell::Empty,
            tags.map_or(Cell::Empty, Cell::Tags),
        ]
    }
}

/// A finding event: its key sign-in's id and citation, its detector and risk, tagged.
fn finding(f: &Finding) -> Cells {
    let cited = f.sign_in_ids.len();
    let message = format!(
        "[{}] {} {}: {} ({cited} sign-in{} cited)",
        f.risk.as_str(),
        f.detector,
        f.user,
        f.summary,
        if cited == 1 { "" } else { "s" }
    );
    let key = f.evidence.first();
    [
        Cell::Text(message),
        Cell::Text(iso(f.micros)),
        Cell::Int(f.micros),
        Cell::Text(desc::FINDING.into()),
        Cell::text(Some(&f.user)),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::text(f.sign_in_ids.first().map(String::as_str)),
        Cell::Empty,
        Cell::Empty,
        Cell::text(key.map(|c| c.file.as_str())),
        key.map_or(Cell::Empty, |c| Cell::Int(c.offset as i64)),
        key.map_or(Cell::Empty, |c| Cell::Int(c.record as i64)),
        key.and_then(|c| c.line).map_or(Cell::Empty, |l| Cell::Int(l as i64)),
        Cell::Text(f.detector.into()),
        Cell::Text(f.risk.as_str().into()),
        Cell::Tags(vec![FINDING_TAG.into(), f.detector.into(), f.risk.as_str().into()]),
    ]
}

/// ISO 8601 in UTC as Timesketch's documentation writes it (`+00:00`).
fn iso(micros: i64) -> String {
    let s = format_rfc3339(micros);
    match s.strip_suffix('Z') {
        Some(t) => format!("{t}+00:00"),
        None => s,
    }
}

pub fn write_csv(t: &Timeline<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS).map_err(super::csv_error)?;
    for e in &t.events {
        w.write_record(t.cells(e).iter().map(Cell::csv)).map_err(super::csv_error)?;
    }
    w.flush()?;
    Ok(())
}

pub fn write_jsonl(t: &Timeline<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let json_err = |e: serde_json::Error| Error::Output(e.into());
    for e in &t.events {
        // Keys in COLUMNS order (a serde_json map would sort them).
        let mut line = String::from("{");
        for (k, v) in COLUMNS.iter().zip(t.cells(e).iter()).filter_map(|(k, c)| c.json().map(|v| (k, v))) {
            if line.len() > 1 {
                line.push(',');
            }
            line.push_str(&serde_json::to_string(k).map_err(json_err)?);
            line.push(':');
            line.push_str(&serde_json::to_string(&v).map_err(json_err)?);
        }
        line.push('}');
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timesketch_mandatory_columns_come_first() {
        assert_eq!(&COLUMNS[..4], &["message", "datetime", "timestamp", "timestamp_desc"]);
        let mut sorted = COLUMNS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), COLUMNS.len());
    }

    #[test]
    fn datetime_is_iso_8601_with_an_offset() {
        assert_eq!(iso(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(iso(1_500), "1970-01-01T00:00:00.001500+00:00");
    }

    #[test]
    fn cells_are_defused_in_csv_only() {
        let c = Cell::Text("=cmd|' /C calc'!A0".into());
        assert_eq!(c.csv(), "'=cmd|' /C calc'!A0");
        assert_eq!(c.json(), Some(Value::String("=cmd|' /C calc'!A0".into())));
        assert_eq!(Cell::Empty.json(), None);
        assert_eq!(Cell::Tags(vec!["finding".into(), "off_hours".into()]).csv(), "finding,off_hours");
    }
}
