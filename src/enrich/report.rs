//! The audit report's `enrichment` section: the inputs used (with their SHA-256, like evidence
//! files), what the lookups found, how the analysed sign-ins were located, and which findings a
//! database would sharpen when none was given.
//!
//! ```text
//! "enrichment": {"inputs": [{"role","path","sha256","bytes","kind"}], "distinct_ips",
//!                "ips_with_asn", "ips_located_by_database", "ips_by_class": {class: n},
//!                "sign_ins": {"analysed", "located_by": {source: n}, "place_filled_from": {source: n},
//!                             "without_asn"},
//!                "findings_to_sharpen": {detector: n}, "notes": [..],
//!                "lookup_errors": [{"file","error","count"}], "warnings": [..]}
//! ```

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::{Enrichment, InputFile};
use crate::detect::Finding;
use crate::geo::{Geo, Precision};
use crate::model::SignInTable;
use crate::model::view::Rows;

/// How the analysed sign-ins were located and networked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SignInCoverage {
    pub analysed: usize,
    /// `record`, `evidence_city`, `database`, `country_centroid`, `none`.
    pub located_by: BTreeMap<&'static str, usize>,
    /// Sign-ins whose country/state/city was filled: `evidence_ip`, `database`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub place_filled_from: BTreeMap<&'static str, usize>,
    pub without_asn: usize,
}

/// A database that could not answer some lookups (a damaged file).
#[derive(Debug, Clone, Serialize)]
pub struct LookupError {
    pub file: String,
    pub error: String,
    pub count: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EnrichmentSummary {
    pub inputs: Vec<InputFile>,
    pub distinct_ips: usize,
    pub ips_with_asn: usize,
    pub ips_located_by_database: usize,
    pub ips_by_class: BTreeMap<&'static str, usize>,
    pub sign_ins: SignInCoverage,
    /// Findings (per detector) whose key sign-in was located only by its country, or not at all, or
    /// has no ASN, counted only for the database that was not given.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub findings_to_sharpen: BTreeMap<&'static str, usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lookup_errors: Vec<LookupError>,
    /// Problems with the inputs that did not stop the run (IOC lines skipped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Summarize the enrichment over the analysed sign-ins (`analysed(rows, i)` says which rows of the
/// whole table the audit judged) and the findings.
pub fn summarize(
    table: &SignInTable,
    net: &Enrichment,
    geo: &Geo,
    findings: &[Finding],
    analysed: &(dyn Fn(&Rows<'_>, usize) -> bool + Sync),
) -> EnrichmentSummary {
    finish(net, count_rows(table, net, geo, findings, analysed))
}

/// What [`summarize`] counts row by row: how the analysed sign-ins were located, and the findings
/// (per detector) a database would sharpen. Counted per table (a bucket of users with its own
/// findings, whose key sign-ins are their users' own) and added up with [`RowCounts::add`].
#[derive(Debug, Clone, Default)]
pub struct RowCounts {
    pub sign_ins: SignInCoverage,
    pub findings_to_sharpen: BTreeMap<&'static str, usize>,
}

impl RowCounts {
    pub fn add(&mut self, other: RowCounts) {
        let (c, o) = (&mut self.sign_ins, other.sign_ins);
        c.analysed += o.analysed;
        c.without_asn += o.without_asn;
        for (k, n) in o.located_by {
            *c.located_by.entry(k).or_default() += n;
        }
        for (k, n) in o.place_filled_from {
            *c.place_filled_from.entry(k).or_default() += n;
        }
        for (k, n) in other.findings_to_sharpen {
            *self.findings_to_sharpen.entry(k).or_default() += n;
        }
    }
}

/// Count the analysed rows of `table` and the `findings` about its users (see [`RowCounts`]).
pub fn count_rows(
    table: &SignInTable,
    net: &Enrichment,
    geo: &Geo,
    findings: &[Finding],
    analysed: &(dyn Fn(&Rows<'_>, usize) -> bool + Sync),
) -> RowCounts {
    let mut out = RowCounts::default();
    let keys: HashSet<&str> = findings.iter().filter_map(|f| f.sign_in_ids.first().map(String::as_str)).collect();
    let (has_geo, has_asn) = (net.sources().has_geo(), net.sources().has_asn());
    let mut unsharp: HashSet<&str> = HashSet::new();
    let Ok(rows) = Rows::new(&table.batch) else { return out };
    let c = &mut out.sign_ins;
    for i in (0..rows.len).filter(|&i| analysed(&rows, i)) {
        c.analysed += 1;
        let located = geo.locate(&rows, i);
        *c.located_by.entry(located.map_or("none", |l| l.source.as_str())).or_default() += 1;
        if let Some(f) = geo.filled(i) {
            *c.place_filled_from.entry(f.as_str()).or_default() += 1;
        }
        let no_asn = net.row_asn(&rows, i).is_none();
        c.without_asn += usize::from(no_asn);
        let rough = located.is_none_or(|l| l.precision == Precision::Country);
        if ((rough && !has_geo) || (no_asn && !has_asn))
            && let Some(id) = rows.request_id.get(i).filter(|id| keys.contains(id))
        {
            unsharp.insert(id);
        }
    }
    for f in findings.iter().filter(|f| f.sign_in_ids.first().is_some_and(|id| unsharp.contains(id.as_str()))) {
        *out.findings_to_sharpen.entry(f.detector).or_default() += 1;
    }
    out
}

/// The summary from the address facts of `net` and the counted rows.
pub fn finish(net: &Enrichment, counts: RowCounts) -> EnrichmentSummary {
    let mut s = EnrichmentSummary {
        inputs: net.sources().files.clone(),
        distinct_ips: net.distinct_ips,
        lookup_errors: net.lookup_errors.iter().map(|(f, e, n)| LookupError { file: f.clone(), error: e.clone(), count: *n }).collect(),
        warnings: net.sources().warnings.clone(),
        sign_ins: counts.sign_ins,
        findings_to_sharpen: counts.findings_to_sharpen,
        ..Default::default()
    };
    for info in net.infos() {
        s.ips_with_asn += usize::from(info.asn.is_some());
        s.ips_located_by_database += usize::from(info.location.is_some());
        if let Some(c) = info.class {
            *s.ips_by_class.entry(c.as_str()).or_default() += 1;
        }
    }
    s.notes = notes(&s, net.sources().has_geo(), net.sources().has_asn());
    s
}

fn notes(s: &EnrichmentSummary, has_geo: bool, has_asn: bool) -> Vec<String> {
    let c = &s.sign_ins;
    let by = |k: &str| c.located_by.get(k).copied().unwrap_or(0);
    let mut out = Vec::new();
    let not_own = c.analysed - by("record");
    if !has_geo && not_own > 0 {
        out.push(format!(
            "{not_own} of {} analysed sign-in(s) carry no coordinates: {} located by their city's coordinates in other records, {} by their country's centroid (approximate), {} not at all; --geoip-db would locate them by address",
            c.analysed,
            by("evidence_city"),
            by("country_centroid"),
            by("none")
        ));
    }
    if !has_asn && c.without_asn > 0 {
        out.push(format!(
            "{} of {} analysed sign-in(s) carry no ASN; --asn-db would give their network, its organisation and class",
            c.without_asn, c.analysed
        ));
    }
    let sharpen: usize = s.findings_to_sharpen.values().sum();
    if sharpen > 0 {
        out.push(format!("{sharpen} finding(s) rest on such a sign-in (findings_to_sharpen)"));
    }
    out
}
