//! `audit -o html`: one self-contained page for a person who will not read JSON.
//!
//! The page makes no request of any kind: its style and script are inline, the world outline is
//! embedded (`assets/world/`, Natural Earth), and a Content-Security-Policy of `default-src 'none'`
//! with the hash of its one script forbids anything else, including any script an evidence string
//! might smuggle in. It is deterministic: the same evidence and flags give the same bytes.
//!
//! Layout: first what the page leaves out (its caps), then in the report's order the case header
//! and the overview (plain HTML, rendered here by [`markup`]); the map, the per-user timelines and
//! the findings table (drawn by `page.js` from the data block collected by [`data`]); the scope
//! section when the investigation features supply one. Evidence strings reach the page only
//! through [`escape`].

pub mod data;
pub mod escape;
mod markup;

use std::io::Write;

use sha2::{Digest, Sha256};

use super::audit::AuditReport;
use crate::error::Error;
use crate::ingest::InputReport;
pub use data::{Data, collect};

/// The page's stylesheet.
const STYLE: &str = include_str!("page.css");
/// The page's script: reads the data block, draws the map, the timelines and the findings table.
const SCRIPT: &str = include_str!("page.js");
/// Countries of the world as one SVG path (x = longitude + 180, y = 90 − latitude).
const WORLD: &str = include_str!("../../../assets/world/countries-110m.path");

/// A section about the scope of the compromise (accounts that touched the attacker's
/// infrastructure), supplied by the investigation features when they have one. Rendered as a
/// table; nothing is rendered when the page gets none.
#[derive(Debug, Clone, Default)]
pub struct ScopeSection {
    /// One paragraph saying what the table shows.
    pub summary: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Everything the page shows.
pub struct HtmlPage<'a> {
    pub report: &'a AuditReport<'a>,
    /// Per input: size and warnings (the audit report carries hashes and counts).
    pub inputs: &'a [InputReport],
    /// The settings of the run as flags, e.g. `--days 30`.
    pub flags: Vec<String>,
    pub data: Data,
    pub scope: Option<ScopeSection>,
}

pub fn write_html(page: &HtmlPage<'_>, out: &mut dyn Write) -> Result<(), Error> {
    let script_hash = escape::base64(&Sha256::digest(SCRIPT.as_bytes()));
    let data = escape::script_json(&page.data)?;
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    // No request of any kind; only this page's own script runs.
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'\">"
    )?;
    writeln!(out, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")?;
    writeln!(out, "<title>signin-audit report, as of {}</title>", escape::html(&page.report.window.as_of))?;
    writeln!(out, "<style>\n{STYLE}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    markup::header(page, out)?;
    // What the page leaves out comes first: a reader must know it before trusting a count.
    markup::caps(&page.data.caps, out)?;
    writeln!(
        out,
        "<noscript><p class=\"warn\">The map, the timelines and the findings table are drawn by the page's own script: allow JavaScript for this file to see them. The case header and the overview above are complete without it.</p></noscript>"
    )?;
    writeln!(out, "<div id=\"js-errors\" hidden></div>")?;
    markup::case(page, out)?;
    markup::overview(page, out)?;
    map_section(out)?;
    writeln!(out, "<section id=\"timelines-section\"><h2>Timelines</h2>")?;
    writeln!(
        out,
        "<p class=\"legend\"><span class=\"swatch base\"></span>baseline period <span class=\"dot ok\"></span>success <span class=\"dot fail\"></span>failure <span class=\"dot int\"></span>interrupted <span class=\"tri\"></span>finding (click to open it)</p>"
    )?;
    writeln!(out, "<div id=\"timelines\"></div></section>")?;
    writeln!(
        out,
        "<section id=\"findings-section\"><h2>Findings</h2><div id=\"findings-controls\"></div><div id=\"findings\"></div></section>"
    )?;
    // Scope of the compromise: rendered from data the report receives, nothing when there is none.
    if let Some(scope) = &page.scope {
        markup::scope(scope, out)?;
    }
    writeln!(out, "<script type=\"application/json\" id=\"report-data\">{data}</script>")?;
    writeln!(out, "<script>{SCRIPT}</script>")?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")?;
    Ok(())
}

fn map_section(out: &mut dyn Write) -> Result<(), Error> {
    writeln!(out, "<section id=\"map-section\"><h2>Map</h2>")?;
    writeln!(
        out,
        "<p class=\"legend\"><span class=\"dot base\"></span>baseline place <span class=\"dot other\"></span>other place in the window <span class=\"dot bad\"></span>new place of a cited sign-in (a red ring: a baseline place with one) <span class=\"arc\"></span>impossible travel. Size grows with the number of sign-ins; click a point for its sign-ins.</p>"
    )?;
    writeln!(
        out,
        "<svg id=\"map\" viewBox=\"0 6 360 144\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"World map of the sign-ins of the users with findings\"><rect class=\"sea\" x=\"0\" y=\"6\" width=\"360\" height=\"144\"/><path class=\"land\" d=\"{}\"/><g id=\"map-arcs\"></g><g id=\"map-points\"></g></svg>",
        WORLD.trim()
    )?;
    writeln!(out, "<div id=\"map-panel\"><p class=\"hint\">Click a point to list its sign-ins.</p></div>")?;
    writeln!(out, "<div id=\"unlocated\"></div></section>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_contains_no_end_tag_and_the_world_is_one_path() {
        assert!(!SCRIPT.contains("</script"), "page.js must not contain a closing script tag");
        assert!(!STYLE.contains("</style"));
        assert!(WORLD.trim().starts_with('M') && !WORLD.contains(['<', '"', '&']));
        assert!(WORLD.len() < 150_000, "the outline is embedded in every report");
    }
}
