//! The parts of the page written as plain HTML (readable without the script): the header, the case
//! header, the overview, the scope section and what was capped. Every string goes through
//! [`html`].

use std::collections::BTreeMap;
use std::io::Write;

use super::data::risk_rank;
use super::escape::html;
use super::{HtmlPage, ScopeSection};
use crate::audit::UserResult;
use crate::detect::Risk;
use crate::detect::registry;
use crate::error::Error;
use crate::report::text::thousands;

/// Users listed in the overview's table, highest risk first. Project choice: past a thousand rows
/// a table is searched, not read, and `-o json` has them all.
pub const MAX_USERS_LISTED: usize = 1_000;

/// Users with findings listed open in the overview; the rest (up to [`MAX_USERS_LISTED`]) are
/// folded into a `<details>` element.
pub const USERS_UNFOLDED: usize = 25;

/// Evidence files listed open in the case header; more are folded into a `<details>` element.
pub const MAX_FILES_UNFOLDED: usize = 12;

/// Risks from the worst, as the page lists them.
const RISKS: [Risk; 4] = [Risk::Critical, Risk::High, Risk::Medium, Risk::Low];

pub fn header(page: &HtmlPage<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let r = page.report;
    let flagged = r.users.iter().filter(|u| u.findings > 0).count();
    writeln!(out, "<header><h1>Sign-in audit</h1>")?;
    writeln!(
        out,
        "<p class=\"sub\">{} {} &middot; as of {} &middot; {} users audited, {} with findings, {} findings</p>",
        html(r.tool.name),
        html(r.tool.version),
        html(&r.window.as_of),
        thousands(r.users.len() as u64),
        thousands(flagged as u64),
        thousands(r.findings.len() as u64)
    )?;
    writeln!(
        out,
        "<nav><a href=\"#case\">Case</a> <a href=\"#overview\">Overview</a> <a href=\"#map-section\">Map</a> <a href=\"#timelines-section\">Timelines</a> <a href=\"#findings-section\">Findings</a>{}</nav></header>",
        if page.scope.is_some() { " <a href=\"#scope\">Scope</a>" } else { "" }
    )?;
    Ok(())
}

pub fn case(page: &HtmlPage<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let r = page.report;
    let w = r.window;
    writeln!(out, "<section id=\"case\"><h2>Case</h2>")?;
    // A long list of files is folded (all of it is there, one click away).
    let folded = r.evidence_files.len() > MAX_FILES_UNFOLDED;
    if folded {
        let bytes: u64 = page.inputs.iter().map(|i| i.bytes).sum();
        let records: u64 = r.evidence_files.iter().map(|f| f.records).sum();
        writeln!(
            out,
            "<details><summary>{} evidence files, {} bytes, {} records: click for each file's format, SHA-256 and counts</summary>",
            thousands(r.evidence_files.len() as u64),
            thousands(bytes),
            thousands(records)
        )?;
    }
    writeln!(
        out,
        "<table class=\"files\"><thead><tr><th>Evidence file</th><th>Format</th><th>SHA-256</th><th class=\"n\">Bytes</th><th class=\"n\">Records</th><th class=\"n\">Rejected</th><th class=\"n\">Duplicates</th></tr></thead><tbody>"
    )?;
    for (k, f) in r.evidence_files.iter().enumerate() {
        let input = page.inputs.get(k).filter(|i| i.path == f.path);
        writeln!(
            out,
            "<tr><td class=\"path\">{}</td><td>{}</td><td class=\"hash\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            html(&f.path),
            html(f.format.as_deref().unwrap_or("(unrecognized)")),
            html(&f.sha256),
            input.map_or_else(|| "?".to_string(), |i| thousands(i.bytes)),
            thousands(f.records),
            thousands(f.rejected),
            thousands(f.duplicates)
        )?;
        for warning in input.map(|i| i.warnings.as_slice()).unwrap_or_default() {
            writeln!(out, "<tr class=\"fw\"><td colspan=\"7\">{}</td></tr>", html(warning))?;
        }
    }
    writeln!(out, "</tbody></table>")?;
    if folded {
        writeln!(out, "</details>")?;
    }
    writeln!(out, "<dl class=\"facts\">")?;
    writeln!(out, "<dt>Analysis window</dt><dd>{} .. {} ({} days)</dd>", html(&w.analysis.start), html(&w.analysis.end), w.days)?;
    writeln!(
        out,
        "<dt>Baseline window</dt><dd>{} .. {} ({} days; users without that history use their own first {} days)</dd>",
        html(&w.baseline.start),
        html(&w.baseline.end),
        w.baseline_days,
        w.baseline_days
    )?;
    writeln!(out, "<dt>Event types</dt><dd>{}</dd>", html(&w.event_types.join(", ")))?;
    writeln!(out, "<dt>Settings</dt><dd><code>{}</code></dd>", html(&page.flags.join(" ")))?;
    writeln!(out, "<dt>Tool</dt><dd>{} {}</dd>", html(r.tool.name), html(r.tool.version))?;
    writeln!(out, "</dl>")?;
    if !r.warnings.is_empty() {
        writeln!(out, "<h3>Warnings about the evidence</h3><ul class=\"warnings\">")?;
        for w in r.warnings {
            writeln!(out, "<li>{}</li>", html(w))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")?;
    Ok(())
}

pub fn overview(page: &HtmlPage<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let r = page.report;
    let analysed: u64 = r.users.iter().map(|u| u.sign_ins as u64).sum();
    writeln!(out, "<section id=\"overview\"><h2>Overview</h2>")?;
    writeln!(
        out,
        "<p class=\"big\"><b>{}</b> sign-ins analysed &middot; <b>{}</b> users audited &middot; <b>{}</b> findings</p>",
        thousands(analysed),
        thousands(r.users.len() as u64),
        thousands(r.findings.len() as u64)
    )?;
    writeln!(out, "<div class=\"cols\">")?;
    // Users by risk.
    writeln!(out, "<table class=\"counts\"><thead><tr><th>Users by risk</th><th class=\"n\">Users</th></tr></thead><tbody>")?;
    let mut by_risk: BTreeMap<u8, u64> = BTreeMap::new();
    for u in r.users {
        *by_risk.entry(risk_rank(&u.risk)).or_default() += 1;
    }
    for risk in RISKS {
        let n = by_risk.get(&risk_rank(risk.as_str())).copied().unwrap_or(0);
        writeln!(out, "<tr><td><span class=\"risk {0}\">{0}</span></td><td class=\"n\">{1}</td></tr>", risk.as_str(), thousands(n))?;
    }
    writeln!(out, "<tr><td>no finding</td><td class=\"n\">{}</td></tr></tbody></table>", thousands(by_risk.get(&0).copied().unwrap_or(0)))?;
    // Findings by detector and risk.
    let mut matrix: BTreeMap<(&str, Risk), u64> = BTreeMap::new();
    for f in r.findings {
        *matrix.entry((f.detector, f.risk)).or_default() += 1;
    }
    write!(out, "<table class=\"counts\"><thead><tr><th>Findings by detector</th>")?;
    for risk in RISKS {
        write!(out, "<th class=\"n\">{}</th>", risk.as_str())?;
    }
    writeln!(out, "<th class=\"n\">all</th></tr></thead><tbody>")?;
    for id in registry::ids() {
        let counts: Vec<u64> = RISKS.iter().map(|&k| matrix.get(&(id, k)).copied().unwrap_or(0)).collect();
        write!(out, "<tr><td>{}</td>", html(id))?;
        for c in &counts {
            write!(out, "<td class=\"n{}\">{}</td>", if *c == 0 { " zero" } else { "" }, thousands(*c))?;
        }
        writeln!(out, "<td class=\"n\">{}</td></tr>", thousands(counts.iter().sum()))?;
    }
    writeln!(out, "</tbody></table></div>")?;
    users_table(page, out)?;
    writeln!(out, "</section>")?;
    Ok(())
}

fn users_table(page: &HtmlPage<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let mut flagged: Vec<&UserResult> = page.report.users.iter().filter(|u| u.findings > 0 || u.note.is_some()).collect();
    flagged.sort_by(|a, b| risk_rank(&b.risk).cmp(&risk_rank(&a.risk)).then_with(|| a.user.cmp(&b.user)));
    if flagged.is_empty() {
        writeln!(out, "<p>No user has a finding at or above the risk threshold.</p>")?;
        return Ok(());
    }
    let listed = &flagged[..flagged.len().min(MAX_USERS_LISTED)];
    let (open, folded) = listed.split_at(listed.len().min(USERS_UNFOLDED));
    writeln!(out, "<h3>Users with findings</h3>")?;
    user_rows(open, out)?;
    if !folded.is_empty() {
        writeln!(out, "<details><summary>{} more users with findings (click to list)</summary>", thousands(folded.len() as u64))?;
        user_rows(folded, out)?;
        writeln!(out, "</details>")?;
    }
    if flagged.len() > MAX_USERS_LISTED {
        writeln!(
            out,
            "<p class=\"capped\">The {} highest-risk of {} users with findings are listed.</p>",
            thousands(MAX_USERS_LISTED as u64),
            thousands(flagged.len() as u64)
        )?;
    }
    Ok(())
}

fn user_rows(users: &[&UserResult], out: &mut dyn Write) -> Result<(), Error> {
    writeln!(
        out,
        "<table class=\"users\"><thead><tr><th>User</th><th>Risk</th><th class=\"n\">Findings</th><th class=\"n\">Sign-ins analysed</th><th>Baseline</th></tr></thead><tbody>"
    )?;
    for u in users {
        let baseline = match (&u.baseline, &u.note) {
            (_, Some(note)) => html(note).into_owned(),
            (Some(b), None) => format!(
                "{} .. {}, {} sign-ins{}",
                html(&b.period.start),
                html(&b.period.end),
                b.sign_ins,
                if b.thin { " <span class=\"thin\">thin</span>" } else { "" }
            ),
            (None, None) => String::new(),
        };
        writeln!(
            out,
            "<tr><td class=\"user\">{}</td><td><span class=\"risk {}\">{}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            html(&u.user),
            html(&u.risk),
            html(&u.risk),
            u.findings,
            thousands(u.sign_ins as u64),
            baseline
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    Ok(())
}

/// Accounts that touched the attacker's infrastructure, as the investigation features supply them.
pub fn scope(s: &ScopeSection, out: &mut dyn Write) -> Result<(), Error> {
    writeln!(out, "<section id=\"scope\"><h2>Scope</h2><p>{}</p>", html(&s.summary))?;
    write!(out, "<table class=\"scope\"><thead><tr>")?;
    for c in &s.columns {
        write!(out, "<th>{}</th>", html(c))?;
    }
    writeln!(out, "</tr></thead><tbody>")?;
    for row in &s.rows {
        write!(out, "<tr>")?;
        for cell in row {
            write!(out, "<td>{}</td>", html(cell))?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody></table></section>")?;
    Ok(())
}

/// What the page leaves out, when anything.
pub fn caps(caps: &[String], out: &mut dyn Write) -> Result<(), Error> {
    if caps.is_empty() {
        return Ok(());
    }
    writeln!(out, "<section id=\"caps\" class=\"notice\"><h2>What this page leaves out</h2><ul>")?;
    for c in caps {
        writeln!(out, "<li>{}</li>", html(c))?;
    }
    writeln!(out, "</ul></section>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_cells_are_escaped() {
        let s = ScopeSection { summary: "a<b".into(), columns: vec!["user".into()], rows: vec![vec!["<img src=x>".into()]] };
        let mut out = Vec::new();
        scope(&s, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("&lt;img src=x&gt;") && !text.contains("<img"), "{text}");
        assert!(text.contains("id=\"scope\""));
    }
}
