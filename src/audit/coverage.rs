//! What the analysis window covers of the evidence: how many of the audited sign-ins fall inside
//! it, before it and after it, and which users it misses entirely.
//!
//! An audit whose window holds no sign-in analysed nothing; its report must not read as "clean"
//! (exit 0), so [`Coverage::nothing_analysed`] gives the one-line error the command stops with: the
//! evidence's time span and the `--as-of` / `--days` that would cover it.

use serde::Serialize;

use super::{AuditConfig, DAY, bounds};
use crate::model::SignInTable;
use crate::model::time::format_rfc3339;
use crate::model::view::Rows;

/// Users named in full in the table report (all of them are in the JSON report).
pub const MAX_NAMED_USERS: usize = 10;

/// Where the audited sign-ins fall relative to the analysis window. Only the audited users and
/// event types count (interactive sign-ins by default).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Sign-ins inside the analysis window: what the detectors judge.
    pub in_window: u64,
    /// Sign-ins before the window (the baseline window's included) and after `--as-of`.
    pub before_window: u64,
    pub after_window: u64,
    /// Users with sign-ins, none of them inside the window.
    pub users_outside_window: Vec<String>,
    /// Earliest and latest audited sign-in in the evidence (RFC 3339).
    pub first: Option<String>,
    pub last: Option<String>,
    /// Sign-ins of the audited users whose event types are not included (`--include-...`).
    pub other_event_types: u64,
    #[serde(skip)]
    span: Option<(i64, i64)>,
}

/// Count where the audited sign-ins of `table` fall for `cfg`.
pub fn coverage(table: &SignInTable, cfg: &AuditConfig) -> Coverage {
    let (as_of, analysis_start, _) = bounds(table, cfg);
    let mut c = count(table, cfg, as_of, analysis_start);
    c.finish();
    c
}

/// The counts of one table (a bucket of users), for the window ending at `as_of`; add buckets with
/// [`Coverage::add`], then [`Coverage::finish`].
pub fn count(table: &SignInTable, cfg: &AuditConfig, as_of: i64, analysis_start: i64) -> Coverage {
    let mut c = Coverage::default();
    for u in table.users.iter().filter(|u| cfg.users.as_ref().is_none_or(|s| s.contains(&u.principal))) {
        let batch = table.user_batch(u);
        let Ok(rows) = Rows::new(&batch) else { continue };
        let mut inside = false;
        let mut any = false;
        for i in 0..rows.len {
            if !cfg.includes(rows.event_type.get(i)) {
                c.other_event_types += 1;
                continue;
            }
            let t = rows.time(i);
            any = true;
            c.span = Some(c.span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
            if t > as_of {
                c.after_window += 1;
            } else if t <= analysis_start {
                c.before_window += 1;
            } else {
                c.in_window += 1;
                inside = true;
            }
        }
        if any && !inside {
            c.users_outside_window.push(u.principal.clone());
        }
    }
    c
}

impl Coverage {
    /// Earliest and latest audited sign-in (microseconds), before [`Self::finish`] writes them.
    pub fn span(&self) -> Option<(i64, i64)> {
        self.span
    }

    pub fn set_span(&mut self, span: Option<(i64, i64)>) {
        self.span = span;
    }

    /// Add the counts of another bucket of users.
    pub fn add(&mut self, other: Coverage) {
        self.in_window += other.in_window;
        self.before_window += other.before_window;
        self.after_window += other.after_window;
        self.other_event_types += other.other_event_types;
        self.users_outside_window.extend(other.users_outside_window);
        self.span = match (self.span, other.span) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
    }

    /// Once every bucket is added: the span as text, the users in table order.
    pub fn finish(&mut self) {
        self.users_outside_window.sort();
        self.first = self.span.map(|s| format_rfc3339(s.0));
        self.last = self.span.map(|s| format_rfc3339(s.1));
    }

    /// The error for an audit that analysed nothing, or `None` if some sign-in is in the window.
    pub fn nothing_analysed(&self, table: &SignInTable, cfg: &AuditConfig) -> Option<String> {
        let (as_of, start, _) = bounds(table, cfg);
        self.nothing_analysed_in(table.is_empty(), as_of, start, cfg)
    }

    /// [`Self::nothing_analysed`] for evidence that is `empty` or not, audited in the window
    /// `(start, as_of]`.
    pub fn nothing_analysed_in(&self, empty: bool, as_of: i64, start: i64, cfg: &AuditConfig) -> Option<String> {
        if self.in_window > 0 {
            return None;
        }
        let types = included_types(cfg);
        let Some((first, last)) = self.span else {
            return Some(if empty {
                "nothing analysed: the evidence holds no sign-ins".to_string()
            } else if let Some(users) = &cfg.users {
                format!("nothing analysed: none of the {} selected user(s) has a {types} sign-in in the evidence", users.len())
            } else {
                format!(
                    "nothing analysed: the evidence holds no {types} sign-ins ({} of other types: see --include-non-interactive, --include-service-principal)",
                    self.other_event_types
                )
            });
        };
        let days = ((last - first) / DAY + 1).max(1);
        Some(format!(
            "nothing analysed: no {types} sign-in falls in the analysis window {} .. {} ({} before it, {} after it); the evidence's {types} sign-ins span {} .. {}: use --as-of {} --days {days} to cover them",
            format_rfc3339(start),
            format_rfc3339(as_of),
            self.before_window,
            self.after_window,
            format_rfc3339(first),
            format_rfc3339(last),
            format_rfc3339(last),
        ))
    }
}

/// "interactive", "interactive or non-interactive"...: the event types the audit includes.
fn included_types(cfg: &AuditConfig) -> String {
    let mut t = vec!["interactive"];
    if cfg.include_non_interactive {
        t.push("non-interactive");
    }
    if cfg.include_service_principal {
        t.push("service-principal or managed-identity");
    }
    t.join(" or ")
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::model::table::Segment;
    use crate::model::time::parse_time;
    use crate::model::{EventType, SignIn, TableBuilder};

    fn table(rows: &[(&'static str, &str, EventType)]) -> SignInTable {
        let mut b = TableBuilder::new("f", "graph", 0);
        for (i, (upn, t, et)) in rows.iter().enumerate() {
            let id = format!("id-{i}");
            b.push(&SignIn {
                request_id: Some(Cow::Owned(id)),
                user_principal_name: Some(Cow::Borrowed(*upn)),
                time: parse_time(t, 0),
                event_type: Some(*et),
                ..Default::default()
            })
            .unwrap();
        }
        SignInTable::merge(vec![Segment::single(0, b.finish().unwrap())]).unwrap().0
    }

    #[test]
    fn a_window_that_misses_every_interactive_sign_in_is_an_error() {
        // Interactive sign-ins in 2024; the latest sign-in (which sets --as-of) is non-interactive, in 2026.
        let t = table(&[
            ("a@x", "2024-01-01T00:00:00Z", EventType::Interactive),
            ("b@x", "2024-02-01T00:00:00Z", EventType::Interactive),
            ("a@x", "2026-01-01T00:00:00Z", EventType::NonInteractive),
        ]);
        let cfg = AuditConfig::default();
        let c = coverage(&t, &cfg);
        assert_eq!((c.in_window, c.before_window, c.after_window, c.other_event_types), (0, 2, 0, 1));
        assert_eq!(c.users_outside_window, ["a@x", "b@x"]);
        let e = c.nothing_analysed(&t, &cfg).expect("an error");
        assert!(e.contains("2024-01-01T00:00:00Z .. 2024-02-01T00:00:00Z"), "{e}");
        assert!(e.contains("--as-of 2024-02-01T00:00:00Z --days 32"), "{e}");
        // The suggested flags do cover it.
        let cfg = AuditConfig { as_of: Some(1_706_745_600_000_000), days: 32, ..cfg };
        assert_eq!(format_rfc3339(1_706_745_600_000_000), "2024-02-01T00:00:00Z");
        let c = coverage(&t, &cfg);
        assert_eq!((c.in_window, c.after_window), (2, 0), "the later sign-in is non-interactive: not audited");
        assert!(c.nothing_analysed(&t, &cfg).is_none());
    }

    #[test]
    fn partial_windows_name_the_users_they_miss() {
        let t = table(&[("a@x", "2024-01-01T00:00:00Z", EventType::Interactive), ("b@x", "2024-03-01T00:00:00Z", EventType::Interactive)]);
        let c = coverage(&t, &AuditConfig::default());
        assert_eq!((c.in_window, c.before_window), (1, 1));
        assert_eq!(c.users_outside_window, ["a@x"]);
        assert!(c.nothing_analysed(&t, &AuditConfig::default()).is_none());
        assert!(
            coverage(&SignInTable::empty(), &AuditConfig::default())
                .nothing_analysed(&SignInTable::empty(), &AuditConfig::default())
                .is_some()
        );
    }
}
