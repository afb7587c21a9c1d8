//! `signin-audit timeline`: the audit's scope as a Timesketch timeline (sign-ins and findings).

use std::io::Write;

use crate::audit::audit;
use crate::cli::{TimelineArgs, TimelineFormat};
use crate::error::Error;
use crate::report::timeline::{Timeline, write_csv, write_jsonl};

/// Always exit status 0 on success: the timeline is an export, not a verdict.
pub fn run(a: &TimelineArgs, out: &mut dyn Write) -> Result<u8, Error> {
    let cfg = super::audit::config(&a.scope, &a.enrich)?;
    let mut status = super::status(&a.evidence, false);
    let ingested = super::load(&a.evidence, &status)?;
    status.stage(format!("auditing {} principal(s)", ingested.table.users.len()));
    let result = super::with_threads(a.scope.concurrency, || audit(&ingested.table, &cfg))?;
    status.stage("ordering the timeline");
    let timeline = Timeline::new(&ingested.table, &result)?;
    drop(status);
    let written = match a.output {
        TimelineFormat::Csv => write_csv(&timeline, out),
        TimelineFormat::Jsonl => write_jsonl(&timeline, out),
    };
    match written {
        Err(e) if !e.is_broken_pipe() => Err(e),
        _ => Ok(0),
    }
}
