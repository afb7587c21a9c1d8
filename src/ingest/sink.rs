//! [`Sink`]: where a parser delivers records, rejections and warnings for one input.

use crate::error::Rejected;
use crate::model::{SignIn, TableBuilder};

/// How many rejections are kept with their details per input (all are counted).
pub const MAX_REJECT_DETAILS: usize = 100;

/// Collects the output of parsing one input (or one segment of it).
pub struct Sink {
    pub display: String,
    pub builder: TableBuilder,
    pub rejected: u64,
    pub reject_details: Vec<Rejected>,
    pub warnings: Vec<String>,
    /// Format name detected for this input ("graph-beta", "portal-csv"...), the first one wins.
    pub format: Option<&'static str>,
    /// Graph pages seen, and how many of them carried `@odata.nextLink`.
    pub pages: u64,
    pub pages_with_next: u64,
    /// The last page of this input carried `@odata.nextLink`.
    pub last_page_has_next: bool,
    /// Objects that looked like sign-ins (several sign-in keys), whether or not they normalized.
    pub signin_like: u64,
    /// Sign-in log containers seen (pages, record batches, query results, saved error responses):
    /// a file of those is a sign-in export even when it holds no record.
    pub containers: u64,
}

impl Sink {
    pub fn new(display: &str, format_label: &'static str, assumed_offset_secs: i32) -> Self {
        Self::with_builder(display, TableBuilder::new(display, format_label, assumed_offset_secs))
    }

    /// A sink that appends to an existing builder (shared by many small inputs; the caller has set
    /// the builder's source to this input).
    pub fn with_builder(display: &str, builder: TableBuilder) -> Self {
        Sink {
            display: display.to_string(),
            builder,
            rejected: 0,
            reject_details: Vec::new(),
            warnings: Vec::new(),
            format: None,
            pages: 0,
            pages_with_next: 0,
            last_page_has_next: false,
            signin_like: 0,
            containers: 0,
        }
    }

    /// Append a normalized record, or count it as rejected at `position`.
    pub fn push(&mut self, rec: &SignIn<'_>) {
        if let Err(why) = self.builder.push(rec) {
            let position = describe(rec);
            self.reject(position, why.as_str().to_string());
        }
    }

    pub fn reject(&mut self, position: String, reason: String) {
        self.rejected += 1;
        if self.reject_details.len() < MAX_REJECT_DETAILS {
            self.reject_details.push(Rejected { file: self.display.clone(), position, reason });
        }
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        let w = w.into();
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    pub fn set_format(&mut self, f: &'static str) {
        if self.format.is_none() {
            self.format = Some(f);
        }
    }
}

/// "line 17", "byte 1234", "byte 1234, record 3" (record = 1-based position inside the page or array at that byte).
pub fn describe(rec: &SignIn<'_>) -> String {
    position(rec.source.offset, rec.source.index, rec.source.line)
}

pub fn position(offset: u64, index: u32, line: Option<u64>) -> String {
    match line {
        Some(l) => format!("line {l}"),
        None => format!("byte {offset}, record {}", index as u64 + 1),
    }
}
