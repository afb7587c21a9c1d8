//! [`Rows`]: typed, zero-copy access to the columns of a batch (one user's partition, usually).
//!
//! Baselines and detectors read sign-ins through this view instead of downcasting Arrow arrays
//! themselves: `rows.ip.get(i)`, `rows.time(i)`, `rows.is_success(i)`. Strings borrow from the table.
//! The struct and its constructor come from the column declaration ([`super::columns`]): every
//! column has a typed field ([`super::kinds`] says which type); the methods here read the ones that
//! need more than a `get`.

use super::signin::SourceRef;

pub use super::columns::Rows;
pub use super::kinds::{BoolCol, DictCol, ListCol, PrimCol, Step, StepsCol, StringsCol, TextCol};

impl<'a> Rows<'a> {
    /// Microseconds since the epoch, UTC.
    pub fn time(&self, i: usize) -> i64 {
        self.ts[i]
    }

    pub fn times(&self) -> &'a [i64] {
        self.ts
    }

    pub fn error_code(&self, i: usize) -> Option<i32> {
        self.error_code.get(i)
    }

    pub fn is_success(&self, i: usize) -> bool {
        self.result.get(i) == Some("success")
    }

    pub fn is_interactive(&self, i: usize) -> bool {
        self.event_type.get(i) == Some("interactiveUser")
    }

    /// Coordinates carried by the record itself.
    pub fn coordinates(&self, i: usize) -> Option<(f64, f64)> {
        self.lat.get(i).zip(self.lon.get(i))
    }

    pub fn compliant(&self, i: usize) -> Option<bool> {
        self.compliant.get(i)
    }

    pub fn managed(&self, i: usize) -> Option<bool> {
        self.managed.get(i)
    }

    pub fn asn(&self, i: usize) -> Option<u32> {
        self.asn.get(i)
    }

    /// The `authenticationDetails` steps of row `i`.
    pub fn steps(&self, i: usize) -> impl Iterator<Item = Step<'a>> + '_ {
        self.auth_details.get(i)
    }

    /// The `riskEventTypes_v2` of row `i` (`unfamiliarFeatures`, `passwordSpray`...).
    pub fn risk_event_types(&self, i: usize) -> impl Iterator<Item = &'a str> + '_ {
        self.risk_event_types.get(i)
    }

    /// Where row `i` came from: its file and position ([`SourceRef`]).
    pub fn source(&self, i: usize) -> (&'a str, SourceRef) {
        let at = SourceRef {
            offset: self.source_offset.get(i).unwrap_or(0),
            record: self.source_record.get(i).unwrap_or(0),
            line: self.source_line.get(i),
        };
        (self.source_file.get(i).unwrap_or(""), at)
    }

    /// The request id, or a synthetic `file@position` reference for records that have none.
    pub fn sign_in_id(&self, i: usize) -> String {
        match self.request_id.get(i) {
            Some(id) => id.to_string(),
            None => {
                let (f, at) = self.source(i);
                format!("{f}@record {}", at.record)
            }
        }
    }
}
