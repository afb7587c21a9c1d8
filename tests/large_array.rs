//! A JSON document over the segment size (64 MiB) that is one array of records, not JSON lines: it
//! is cut between its elements and parsed in pieces in parallel. The output must not depend on the
//! thread count, and every citation (record number, byte offset), rejection and warning must be
//! that of the whole document, wherever the cuts fall.

#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Value, json};

/// A sign-in padded with an unmapped field to `pad` bytes, so a few hundred records pass 64 MiB
/// (the padding is appended as text: serializing 75 MB through serde_json is slow in a debug build).
fn record(n: usize, pad: usize) -> String {
    let small = json!({
        "id": format!("a1b2c3d4-0000-4000-8000-{n:012}"),
        "createdDateTime": format!("2026-02-{:02}T{:02}:{:02}:00Z", 1 + n % 27, n / 60 % 24, n % 60),
        "userPrincipalName": format!("user{}@contoso.example", n % 7),
        "userId": format!("0c7f5a11-2b3c-4d4e-8f50-{:012}", n % 7),
        "appDisplayName": "Microsoft Teams",
        "ipAddress": format!("198.51.100.{}", n % 250),
        "clientAppUsed": "Browser",
        "status": {"errorCode": 0},
    })
    .to_string();
    format!("{},\"padding\":\"{}\"}}", &small[..small.len() - 1], "x".repeat(pad))
}

/// 300 records of about 250 KB (and the odd ones named below), one per line with a trailing comma,
/// as a portal JSON download or `jq` writes an array: about 75 MB. Returns the text and the byte
/// offset of every element.
fn big_array() -> (String, Vec<usize>) {
    let mut els: Vec<String> = (0..300).map(|n| record(n, 250_000)).collect();
    // A repeated key early and late (two pieces), a scalar, a record whose first key is escaped
    // (placed from the structure, not from its key) and whose time is unreadable (rejected), a
    // nested page.
    let dup = |n: usize| format!("{{\"userPrincipalName\":\"first@contoso.example\",{}", &record(n, 10)[1..]);
    els[3] = dup(3);
    els[290] = dup(290);
    els[150] = "null".into();
    els[250] = r#"{"\u0069d":"e","createdDateTime":"yesterday","userPrincipalName":"u@contoso.example","userId":"u","appDisplayName":"a","ipAddress":"192.0.2.1","clientAppUsed":"Browser"}"#.into();
    els[270] = json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns", "value": [serde_json::from_str::<Value>(&record(1000, 10)).unwrap()]}).to_string();
    let mut text = String::with_capacity(80 << 20);
    let mut starts = Vec::with_capacity(els.len());
    text.push_str("[\n");
    for (i, e) in els.iter().enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        starts.push(text.len());
        text.push_str(e);
    }
    text.push_str("\n]\n");
    (text, starts)
}

#[test]
fn a_large_array_is_parsed_in_pieces_as_one_document() {
    let tmp = tempfile::tempdir().unwrap();
    let (text, starts) = big_array();
    assert!(text.len() > 70 << 20, "must pass the 64 MiB segment size: {}", text.len());
    let path = tmp.path().join("download.json");
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();

    let one = common::run_ok(&["inventory", "-o", "json", "--threads", "1", p]);
    let two = common::run_ok(&["inventory", "-o", "json", "--threads", "2", p]);
    assert!(one == two, "--threads 1 and --threads 2 differ");

    let inv: Value = serde_json::from_slice(&one).unwrap();
    let file = &inv["files"][0];
    assert_eq!(file["records_in"], 300, "{file:#}");
    assert_eq!(file["rejected"], 2, "{file:#}");
    assert_eq!(file["format"], "graph-records");
    // Hashed while it was parsed (over 64 MiB), still the SHA-256 of every byte.
    assert_eq!(file["sha256"], common::sha256_hex(text.as_bytes()));
    let warnings = common::warnings(file).join("\n");
    assert!(warnings.contains("2 record(s) repeat a key (the first: `userPrincipalName`)"), "{warnings}");
    // Each rejection cites its own element: record number and first byte in the whole file.
    let rejects = file["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), 2);
    for (index, r) in [150, 250].into_iter().zip(rejects) {
        let pos = r["position"].as_str().unwrap();
        assert_eq!(pos, format!("record {}, byte {}", index + 1, starts[index]), "{r}");
    }
}
