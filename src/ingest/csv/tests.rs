//! Tests of the shared CSV machinery: sniffing, header reading, chunking, the row loop.

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{TimestampMicrosecondType, UInt64Type};
use proptest::prelude::*;

use super::*;
use crate::model::schema::col;
use crate::model::table::dict_value;

fn sink() -> Sink {
    Sink::new("t.csv", "csv", 0)
}

/// One line per row: request id, principal, time, error code, user agent, source line, source offset.
fn rows(s: Sink) -> Vec<String> {
    let b = s.builder.finish().unwrap().batch;
    let ids = b.column_by_name(col::REQUEST_ID).unwrap().as_string::<i32>();
    let ts = b.column_by_name(col::TIMESTAMP).unwrap().as_primitive::<TimestampMicrosecondType>();
    let codes = b.column_by_name(col::ERROR_CODE).unwrap().as_primitive::<arrow_array::types::Int32Type>();
    let lines = b.column_by_name(col::SOURCE_LINE).unwrap().as_primitive::<UInt64Type>();
    let offs = b.column_by_name(col::SOURCE_OFFSET).unwrap().as_primitive::<UInt64Type>();
    (0..b.num_rows())
        .map(|i| {
            format!(
                "{}|{:?}|{}|{:?}|{:?}|{}|{}",
                ids.value(i),
                dict_value(&b, col::PRINCIPAL, i).unwrap(),
                ts.value(i),
                codes.is_valid(i).then(|| codes.value(i)),
                dict_value(&b, col::USER_AGENT, i).unwrap(),
                lines.value(i),
                offs.value(i)
            )
        })
        .collect()
}

const PORTAL: &str = "\"Date (UTC)\",\"Request ID\",\"Username\",\"User agent\",\"Sign-in error code\"\r\n\
\"2026-01-01T00:00:01Z\",\"r1\",\"a@contoso.example\",\"Mozilla \"\"quoted\"\"\",\"0\"\r\n\
\"2026-01-01T00:00:02Z\",\"r2\",\"b@contoso.example\",\"line one\nline two\n\"\"three\"\"\",\"50126\"\r\n\
\"2026-01-01T00:00:03Z\",\"r3\",\"c@contoso.example\",\"\",\"0\"\r\n\
\"2026-01-01T00:00:04Z\",\"r4\",\"d@contoso.example\",\"x\n\n\ny\",\"50074\"\r\n";

#[test]
fn sniffs_each_family() {
    let portal = b"\"Date (UTC)\",\"Request ID\",\"User agent\",\"Username\"\n";
    assert_eq!(sniff(portal, "x.csv"), Some(CsvKind::Portal));
    let aux = b"\"Request ID\",\"Date\",\"Authentication method\",\"Succeeded\",\"Result detail\"\n";
    assert_eq!(sniff(aux, "InteractiveSignIns_AuthDetails_2026-01-01_2026-01-08.csv"), Some(CsvKind::AuthDetails));
    let la = "\u{feff}TimeGenerated [UTC],Id,ResultType,UserPrincipalName\n".as_bytes();
    assert_eq!(sniff(la, "q.csv"), Some(CsvKind::LogAnalytics));
    let ps = b"#TYPE Microsoft.Open.MSGraph.Model.SignIn\r\n\"Id\",\"CreatedDateTime\",\"UserPrincipalName\"\r\n";
    assert_eq!(sniff(ps, "s.csv"), Some(CsvKind::PowerShell));
    let ps_semicolon = b"\"Id\";\"CreatedDateTime\";\"UserPrincipalName\";\"Status\"\n";
    assert_eq!(sniff(ps_semicolon, "s.csv"), Some(CsvKind::PowerShell));
    assert_eq!(sniff(b"name,age\nbob,3\n", "people.csv"), None);
    assert_eq!(sniff(b"just one line of text", "a.txt"), None);
    assert_eq!(sniff(b"", "empty.csv"), None);
}

#[test]
fn type_line_and_semicolon() {
    let text = "#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignIn\r\n\"Id\";\"CreatedDateTime\";\"UserPrincipalName\"\r\n\"i1\";\"15.01.2024 10:22:33\";\"a@contoso.example\"\r\n";
    let h = read_header(text.as_bytes()).unwrap();
    assert!(h.type_line);
    assert_eq!(h.delimiter, b';');
    assert_eq!(h.names, vec!["id", "createddatetime", "userprincipalname"]);
    assert_eq!(&text.as_bytes()[h.data_start..h.data_start + 4], b"\"i1\"");
    let mut s = sink();
    parse(text.as_bytes(), "s.csv", CsvKind::PowerShell, &mut s, 0);
    assert_eq!(s.format, Some("powershell-csv"));
    let r = rows(s);
    // 2024-01-15T10:22:33Z, day first proven by the 15.
    assert_eq!(r, vec!["i1|Some(\"a@contoso.example\")|1705314153000000|None|None|3|106"]);
}

#[test]
fn one_chunk_equals_many() {
    let bytes = PORTAL.as_bytes();
    let l = layout(bytes, "InteractiveSignIns_a.csv", CsvKind::Portal).unwrap();
    let mut whole = sink();
    parse(bytes, "InteractiveSignIns_a.csv", CsvKind::Portal, &mut whole, 0);
    let expected = rows(whole);
    assert_eq!(expected.len(), 4, "{expected:#?}");
    assert!(expected[1].contains("line one\\nline two\\n\\\"three\\\""), "{}", expected[1]);
    assert!(expected[3].ends_with("|7|289"), "line numbers count the lines inside quoted cells: {}", &expected[3]);
    for target in 1..bytes.len() + 2 {
        let cs = chunks(bytes, &l, target);
        assert_eq!(cs.first().map(|c| c.range.start), Some(l.data_start));
        assert_eq!(cs.last().map(|c| c.range.end), Some(bytes.len()));
        let mut got = Vec::new();
        for c in &cs {
            let mut s = sink();
            parse_chunk(bytes, c, &l, &mut s, 0);
            assert_eq!(s.rejected, 0, "target {target}, chunk {c:?}");
            got.extend(rows(s));
        }
        assert_eq!(got, expected, "target {target}");
    }
}

#[test]
fn chunks_cut_only_between_records() {
    let bytes = PORTAL.as_bytes();
    let l = layout(bytes, "InteractiveSignIns_a.csv", CsvKind::Portal).unwrap();
    let cs = chunks(bytes, &l, 10);
    assert_eq!(cs.len(), 4, "one record per chunk at this size");
    for w in cs.windows(2) {
        assert_eq!(w[0].range.end, w[1].range.start);
        assert_eq!(bytes[w[0].range.end - 1], b'\n');
    }
    assert_eq!(cs.iter().map(|c| c.first_line).collect::<Vec<_>>(), vec![2, 3, 6, 7]);
}

#[test]
fn odd_rows_are_reported() {
    let text = "\"Date (UTC)\",\"Request ID\",\"Username\"\n\
        \"2026-01-01T00:00:01Z\",\"r1\",\"a@contoso.example\"\n\
        ,,\n\
        \"Date (UTC)\",\"Request ID\",\"Username\"\n\
        \"2026-01-01T00:00:02Z\",\"r2\"\n\
        \"not a date\",\"r3\",\"c@contoso.example\"\n";
    let mut s = sink();
    parse(text.as_bytes(), "InteractiveSignIns_a.csv", CsvKind::Portal, &mut s, 0);
    assert_eq!(s.builder.len(), 1);
    assert_eq!(s.rejected, 2, "r2 misses a cell, r3 has no time");
    let (at, why) = &s.reject_details[0];
    let line5 = text.find("\"2026-01-01T00:00:02Z\"").unwrap() as u64;
    assert_eq!(*at, SourceRef { offset: line5, record: 2, line: Some(5) });
    assert!(why.contains("2 cell(s) where the header has 3"), "{why}");
    assert_eq!(s.reject_details[1].0.record, 3);
    assert_eq!(s.records_in, 3, "the empty row and the repeated header are not records");
    let w = s.warnings.join("\n");
    assert!(w.contains("1 empty row(s) skipped"), "{w}");
    assert!(w.contains("header line repeats at line 4"), "{w}");
    assert!(w.contains("1 row(s) do not have the header's 3 columns (first at line 5"), "{w}");
}

#[test]
fn header_only_and_wrong_kind() {
    let mut s = sink();
    parse(b"\"Date (UTC)\",\"Request ID\",\"Username\"", "InteractiveSignIns_x.csv", CsvKind::Portal, &mut s, 0);
    assert_eq!((s.builder.len(), s.rejected), (0, 0));
    assert_eq!(s.format, Some("portal-csv"));
    assert!(s.warnings.iter().any(|w| w.contains("header only")));
    let mut s = sink();
    parse(b"a,b\n1,2\n", "x.csv", CsvKind::PowerShell, &mut s, 0);
    assert!(s.warnings.iter().any(|w| w.contains("cannot read as powershell-csv: no `CreatedDateTime` column")), "{:?}", s.warnings);
}

#[test]
fn auth_details_file_gives_a_warning_not_rows() {
    let text = "\"Request ID\",\"Date\",\"Authentication method\",\"Succeeded\"\n\"r1\",\"2026-01-01\",\"Password\",\"true\"\n\"r1\",\"2026-01-01\",\"Text message\",\"true\"\n\"r2\",\"2026-01-01\",\"Password\",\"false\"\n";
    let mut s = sink();
    parse(text.as_bytes(), "InteractiveSignIns_AuthDetails_a.csv", CsvKind::AuthDetails, &mut s, 0);
    assert_eq!((s.builder.len(), s.rejected), (0, 0));
    assert_eq!(s.format, Some("portal-authdetails-csv"));
    assert!(s.warnings.contains(&"authentication-details file: 3 step rows for 2 sign-ins (not joined into the sign-in rows)".to_string()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600), kind in 0usize..4, target in 1usize..64) {
        let kind = [CsvKind::Portal, CsvKind::LogAnalytics, CsvKind::PowerShell, CsvKind::AuthDetails][kind];
        let _ = sniff(&bytes, "x.csv");
        let mut s = sink();
        parse(&bytes, "x.csv", kind, &mut s, 0);
        if let Ok(l) = layout(&bytes, "x.csv", kind) {
            for c in chunks(&bytes, &l, target) {
                parse_chunk(&bytes, &c, &l, &mut s, 0);
            }
        }
    }

    #[test]
    fn chunked_parse_equals_whole_parse(
        agents in proptest::collection::vec("[a-z\"\n\r, ]{0,10}", 1..12),
        target in 1usize..200,
        crlf in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("\"Date (UTC)\",\"Request ID\",\"Username\",\"User agent\"{eol}");
        for (i, a) in agents.iter().enumerate() {
            text.push_str(&format!("\"2026-01-01T00:00:{:02}Z\",\"r{i}\",\"u{i}@contoso.example\",\"{}\"{eol}", i % 60, a.replace('"', "\"\"")));
        }
        let bytes = text.as_bytes();
        let mut whole = sink();
        parse(bytes, "InteractiveSignIns_p.csv", CsvKind::Portal, &mut whole, 0);
        let expected = rows(whole);
        prop_assert_eq!(expected.len(), agents.len());
        let l = layout(bytes, "InteractiveSignIns_p.csv", CsvKind::Portal).unwrap();
        let mut got = Vec::new();
        for c in chunks(bytes, &l, target) {
            let mut s = sink();
            parse_chunk(bytes, &c, &l, &mut s, 0);
            got.extend(rows(s));
        }
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn parse_never_panics_on_csv_like_text(
        cells in proptest::collection::vec("[\"a-z0-9{}:;,.\\n\\r /@=\\[\\]]{0,12}", 0..40),
        k in 0usize..4,
    ) {
        const HEADERS: [&str; 4] = [
            "\"Date (UTC)\",\"Request ID\",\"Username\",\"Location\",\"Status\"\n",
            "TimeGenerated [UTC],Id,UserPrincipalName,Status,LocationDetails\n",
            "#TYPE X\n\"Id\";\"CreatedDateTime\";\"UserPrincipalName\";\"Status\";\"Location\"\n",
            "\"Request ID\",\"Authentication method\",\"Succeeded\"\n",
        ];
        let kind = [CsvKind::Portal, CsvKind::LogAnalytics, CsvKind::PowerShell, CsvKind::AuthDetails][k];
        let text = format!("{}{}", HEADERS[k], cells.join(","));
        let mut s = sink();
        parse(text.as_bytes(), "x.csv", kind, &mut s, 0);
    }
}
