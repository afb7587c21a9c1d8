//! Synthetic evidence for the malformed-input suite: Graph beta records and pages, portal CSVs,
//! gzip and zip containers. Tenant `contoso.example`, documentation IP ranges, made-up ids.

use std::io::Write;

use serde_json::{Value, json};

pub use crate::common::zipw::{self, Entry};

/// Request id of synthetic sign-in `n`.
pub fn rid(n: u32) -> String {
    format!("7e570000-0000-4000-8000-{n:012}")
}

/// A complete Graph beta sign-in record.
pub fn record(n: u32) -> Value {
    json!({
        "id": rid(n),
        "createdDateTime": format!("2026-02-01T{:02}:{:02}:00Z", n / 60 % 24, n % 60),
        "userDisplayName": "Mei Tanaka",
        "userPrincipalName": "mei.tanaka@contoso.example",
        "userId": "0c7f5a11-2b3c-4d4e-8f50-a1e0a1e00004",
        "appId": "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        "appDisplayName": "Microsoft Teams",
        "ipAddress": format!("198.51.100.{}", n % 250),
        "clientAppUsed": "Browser",
        "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
        "correlationId": format!("c0aa0000-0000-4000-8000-{n:012}"),
        "conditionalAccessStatus": "notApplied",
        "isInteractive": true,
        "signInEventTypes": ["interactiveUser"],
        "status": {"errorCode": 0, "failureReason": null, "additionalDetails": null},
        "deviceDetail": {"deviceId": "", "operatingSystem": "Windows10", "browser": "Edge 120.0"},
        "location": {"city": "Osaka", "state": "Osaka", "countryOrRegion": "JP",
                     "geoCoordinates": {"latitude": 34.69, "longitude": 135.50}},
        "userType": "member",
        "autonomousSystemNumber": 64500
    })
}

/// A record with one field replaced (or removed with `Value::Null`... see `without`).
pub fn with(n: u32, key: &str, v: Value) -> Value {
    let mut r = record(n);
    r[key] = v;
    r
}

/// A record without some fields.
pub fn without(n: u32, keys: &[&str]) -> Value {
    let mut r = record(n);
    if let Some(o) = r.as_object_mut() {
        for k in keys {
            o.remove(*k);
        }
    }
    r
}

/// A Graph beta page (pretty-printed like `az rest`).
pub fn page(records: &[Value]) -> Vec<u8> {
    let p = json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns", "value": records});
    let mut out = serde_json::to_vec_pretty(&p).unwrap();
    out.push(b'\n');
    out
}

/// A page of records 1..=n.
pub fn page_of(n: u32) -> Vec<u8> {
    page(&(1..=n).map(record).collect::<Vec<_>>())
}

/// JSON lines of the records.
pub fn lines(records: &[Value]) -> Vec<u8> {
    records.iter().flat_map(|r| [serde_json::to_vec(r).unwrap(), b"\n".to_vec()].concat()).collect()
}

/// Byte offset where record `k` (0-based) of a page starts (its `{`).
pub fn record_start(bytes: &[u8], k: usize) -> usize {
    let id = rid(k as u32 + 1);
    let at = find(bytes, id.as_bytes());
    bytes[..at].iter().rposition(|&b| b == b'{').unwrap()
}

pub fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
}

/// The header of an Entra admin center `InteractiveSignIns_*.csv` download (the columns used here).
pub const PORTAL_HEADER: &str = "\"Date (UTC)\",\"Request ID\",\"User agent\",\"Correlation ID\",\"User ID\",\"User\",\"Username\",\"User type\",\"Application\",\"IP address\",\"Location\",\"Status\",\"Sign-in error code\",\"Failure reason\",\"Client app\",\"Browser\",\"Operating System\"";

/// One portal CSV row for sign-in `n`.
pub fn portal_row(n: u32) -> String {
    format!(
        "\"2026-02-01T{:02}:{:02}:00Z\",\"{}\",\"Mozilla/5.0\",\"c0aa0000-0000-4000-8000-{n:012}\",\"0c7f5a11-2b3c-4d4e-8f50-a1e0a1e00004\",\"Mei Tanaka\",\"mei.tanaka@contoso.example\",\"Member\",\"Microsoft Teams\",\"198.51.100.{}\",\"Osaka, Osaka, JP\",\"Success\",\"0\",\"Other.\",\"Browser\",\"Edge 120.0\",\"Windows10\"",
        n / 60 % 24,
        n % 60,
        rid(n),
        n % 250
    )
}

/// A portal CSV of rows 1..=n (CRLF, as the portal writes it).
pub fn portal_csv(n: u32) -> Vec<u8> {
    let mut s = String::from(PORTAL_HEADER);
    s.push_str("\r\n");
    for i in 1..=n {
        s.push_str(&portal_row(i));
        s.push_str("\r\n");
    }
    s.into_bytes()
}

/// gzip of `b`.
pub fn gz(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// UTF-16 of UTF-8 text, with or without a BOM.
pub fn utf16(b: &[u8], little_endian: bool, bom: bool) -> Vec<u8> {
    let text = std::str::from_utf8(b).unwrap();
    let mut out = Vec::new();
    if bom {
        out.extend(if little_endian { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
    }
    for u in text.encode_utf16() {
        out.extend(if little_endian { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

/// UTF-32 with a BOM.
pub fn utf32(b: &[u8], little_endian: bool) -> Vec<u8> {
    let text = std::str::from_utf8(b).unwrap();
    let mut out: Vec<u8> = if little_endian { vec![0xFF, 0xFE, 0, 0] } else { vec![0, 0, 0xFE, 0xFF] };
    for c in text.chars() {
        out.extend(if little_endian { (c as u32).to_le_bytes() } else { (c as u32).to_be_bytes() });
    }
    out
}
