//! CSV: missing and extra columns, unbalanced quotes, other delimiters, cut files.

use super::make::*;
use super::{Case, case};

/// The portal file name (portal CSVs are recognized by header and name).
const NAME: &str = "InteractiveSignIns_2026-02-01_2026-02-02.csv";

fn csv(name: &'static str, text: String) -> Case {
    case(name, vec![(NAME, text.into_bytes())])
}

fn rows(rows: &[String]) -> String {
    let mut s = format!("{PORTAL_HEADER}\r\n");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s
}

pub fn cases() -> Vec<Case> {
    let full = String::from_utf8(portal_csv(3)).unwrap();
    vec![
        csv("csv-whole", full.clone()).inputs(&[(NAME, 3, 0, 0)]),
        csv("csv-header-only", format!("{PORTAL_HEADER}\r\n")).inputs(&[(NAME, 0, 0, 0)]),
        // Rows whose cells do not line up with the header are rejected, never mapped by position.
        csv("csv-cut-mid-row", full[..full.len() - 60].to_string()).inputs(&[(NAME, 2, 1, 0)]),
        csv("csv-cut-in-header", PORTAL_HEADER[..40].to_string()).inputs(&[(NAME, 0, 0, 0)]).says("header only"),
        csv("csv-row-missing-a-cell", rows(&[portal_row(1), portal_row(2).replacen(",\"Member\"", "", 1), portal_row(3)]))
            .inputs(&[(NAME, 2, 1, 0)]),
        csv("csv-row-extra-cell", rows(&[portal_row(1), format!("{},\"extra\"", portal_row(2)), portal_row(3)])).inputs(&[(NAME, 2, 1, 0)]),
        csv("csv-unbalanced-quote", rows(&[portal_row(1), portal_row(2).replacen("\"Mozilla/5.0\"", "\"Mozilla/5.0", 1), portal_row(3)]))
            .inputs(&[(NAME, 2, 1, 0)]),
        csv("csv-stray-quote-in-cell", rows(&[portal_row(1), portal_row(2).replacen("Mozilla/5.0", "Mozilla\"5.0", 1)]))
            .inputs(&[(NAME, 2, 0, 0)]),
        csv("csv-semicolon-delimiter", rows(&[portal_row(1), portal_row(2)]).replace("\",\"", "\";\"")).inputs(&[(NAME, 2, 0, 0)]),
        csv("csv-tab-delimiter", rows(&[portal_row(1), portal_row(2)]).replace("\",\"", "\"\t\"")).inputs(&[(NAME, 2, 0, 0)]),
        csv("csv-lf-line-ends", full.replace("\r\n", "\n")).inputs(&[(NAME, 3, 0, 0)]),
        csv("csv-row-without-time", rows(&[portal_row(1), portal_row(2).replacen("\"2026-02-01T00:02:00Z\"", "\"\"", 1)]))
            .inputs(&[(NAME, 1, 1, 0)])
            .says("timestamp"),
        csv("csv-same-row-twice", rows(&[portal_row(1), portal_row(1)])).inputs(&[(NAME, 2, 0, 1)]),
        csv("csv-blank-lines", rows(&[portal_row(1), String::new(), String::new(), portal_row(2)])).inputs(&[(NAME, 2, 0, 0)]),
    ]
}
