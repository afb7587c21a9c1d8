//! The Entra admin-center download (Monitoring › Sign-in logs › Download › CSV, formats.md §6.1):
//! `InteractiveSignIns_*`, `NonInteractiveSignIns_*`, `ApplicationSignIns_*`, `MSISignIns_*`.
//!
//! The header changes every few months (49, 54, 55, 57 columns so far), so columns are mapped by
//! normalized name, never by position. `Incoming token type` appears twice: the second copy only
//! fills a value the first left empty. The file does not say which log it holds; the file-name
//! prefix does, and without it the header can only tell user from service-principal sign-ins.

use crate::model::EventType;
use crate::model::SignIn;
use csv::ByteRecord;

use super::target::{self, Col, Target};
use crate::ingest::fields;

/// Portal column title (normalized) → target, from the source-field table. Titles with no place in
/// the model (`Latency`, `Home tenant name`, `Token issuer name`, Global Secure Access columns...)
/// are not mapped.
fn target_of(name: &str) -> Option<Target> {
    fields::portal(name)
}

/// Whether a (normalized) column title is one of the portal's sign-in columns.
pub fn is_column(name: &str) -> bool {
    target_of(name).is_some()
}

/// The log a portal file holds, from its name (formats.md §6.1 table). `NonInteractive` is tested
/// before `Interactive`, which it contains.
pub fn event_type_from_name(file_name: &str) -> Option<EventType> {
    let n = file_name.to_ascii_lowercase();
    if n.contains("noninteractivesignins") {
        Some(EventType::NonInteractive)
    } else if n.contains("interactivesignins") {
        Some(EventType::Interactive)
    } else if n.contains("applicationsignins") {
        Some(EventType::ServicePrincipal)
    } else if n.contains("msisignins") {
        Some(EventType::ManagedIdentity)
    } else {
        None
    }
}

/// Map the header; also decide the event type (file name first, then the header fingerprint).
pub fn map_header(names: &[String], file_name: &str, notes: &mut Vec<String>) -> Result<(Vec<Option<Col>>, Option<EventType>), String> {
    let cols = target::columns(names.iter().map(|n| target_of(n)));
    if !cols.iter().flatten().any(|c| c.target == Target::TimeUtc) {
        return Err("no `Date (UTC)` column".into());
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    let event_type = match event_type_from_name(file_name) {
        Some(e) => Some(e),
        None if has("service principal id") && !has("username") => {
            notes.push(
                "file name does not say which log this is (portal names start ApplicationSignIns_ or MSISignIns_): read as service-principal sign-ins"
                    .into(),
            );
            Some(EventType::ServicePrincipal)
        }
        None => {
            notes.push(
                "file name does not say which log this is (portal names start InteractiveSignIns_ or NonInteractiveSignIns_): read as interactive sign-ins"
                    .into(),
            );
            Some(EventType::Interactive)
        }
    };
    Ok((cols, event_type))
}

/// Map one data row.
pub fn map_row<'r>(r: &'r ByteRecord, cols: &[Option<Col>], event_type: Option<EventType>, rec: &mut SignIn<'r>, off: i32) {
    for (raw, col) in r.iter().zip(cols) {
        let Some(c) = col else { continue };
        if raw.is_empty() || (c.fallback && target::is_filled(rec, c.target)) {
            continue;
        }
        target::set(rec, c.target, target::text(raw), off);
    }
    rec.event_type = event_type;
    rec.is_interactive = match event_type {
        Some(EventType::Interactive) => Some(true),
        Some(_) => Some(false),
        None => None,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::csv::{normalize_header, read_header};

    const HEADER_2024_10: &str = r#""Date (UTC)","Request ID","User agent","Correlation ID","User ID","User","Username","User type","Cross tenant access type","Incoming token type","Authentication Protocol","Unique token identifier","Original transfer method","Client credential type","Token Protection - Sign In Session","Token Protection - Sign In Session StatusCode","Application","Application ID ","Resource","Resource ID ","Resource tenant ID","Home tenant ID","Home tenant name","IP address","Location","Status","Sign-in error code","Failure reason","Client app","Device ID","Browser","Operating System","Compliant","Managed","Join Type","Multifactor authentication result","Multifactor authentication auth method","Multifactor authentication auth detail","Authentication requirement","Sign-in identifier","IP address (seen by resource)","Through Global Secure Access","Global Secure Access IP address","Autonomous system  number","Flagged for review","Token issuer type","Incoming token type","Token issuer name","Latency","Conditional Access","Managed Identity type","Associated Resource Id","Federated Token Id","Federated Token Issuer""#;

    #[test]
    fn header_normalization() {
        assert_eq!(normalize_header("Application ID "), "application id");
        assert_eq!(normalize_header("Autonomous system  number"), "autonomous system number");
        assert_eq!(normalize_header("\u{feff}Date (UTC)"), "date (utc)");
        assert_eq!(normalize_header(" IP\taddress "), "ip address");
        let h = read_header(HEADER_2024_10.as_bytes()).unwrap();
        assert_eq!(h.names.len(), 54);
        let mut notes = Vec::new();
        let (cols, et) = map_header(&h.names, "InteractiveSignIns_2024-10-01_2024-10-02.csv", &mut notes).unwrap();
        assert_eq!(et, Some(EventType::Interactive));
        assert!(notes.is_empty());
        // Trailing space and double space are mapped; the duplicate column becomes a fallback.
        assert_eq!(cols[17].map(|c| c.target), Some(Target::AppId));
        assert_eq!(cols[43].map(|c| c.target), Some(Target::AutonomousSystemNumber));
        assert_eq!(cols[9], Some(Col { target: Target::IncomingTokenType, fallback: false }));
        assert_eq!(cols[46], Some(Col { target: Target::IncomingTokenType, fallback: true }));
    }

    #[test]
    fn event_type_from_file_name_or_header() {
        assert_eq!(event_type_from_name("NonInteractiveSignIns_2026-01-01_2026-01-08.csv"), Some(EventType::NonInteractive));
        assert_eq!(event_type_from_name("InteractiveSignIns_2026-01-01_2026-01-08.csv"), Some(EventType::Interactive));
        assert_eq!(event_type_from_name("MSISignIns_x.csv"), Some(EventType::ManagedIdentity));
        let names: Vec<String> = ["Date (UTC)", "Request ID", "Service principal ID"].iter().map(|s| normalize_header(s)).collect();
        let mut notes = Vec::new();
        let (_, et) = map_header(&names, "export.csv", &mut notes).unwrap();
        assert_eq!(et, Some(EventType::ServicePrincipal));
        assert_eq!(notes.len(), 1);
        assert!(map_header(&names[1..], "export.csv", &mut notes).is_err());
    }

    #[test]
    fn duplicate_column_fills_only_when_first_is_empty() {
        let names: Vec<String> =
            ["Date (UTC)", "Incoming token type", "Username", "Incoming token type"].iter().map(|s| normalize_header(s)).collect();
        let (cols, _) = map_header(&names, "InteractiveSignIns_a.csv", &mut Vec::new()).unwrap();
        for (row, want) in [
            (["2026-01-01T00:00:00Z", "none", "a@contoso.example", "primaryRefreshToken"], "none"),
            (["2026-01-01T00:00:00Z", "", "a@contoso.example", "primaryRefreshToken"], "primaryRefreshToken"),
        ] {
            let r = ByteRecord::from(row.to_vec());
            let mut rec = SignIn::default();
            map_row(&r, &cols, Some(EventType::Interactive), &mut rec, 0);
            assert_eq!(rec.incoming_token_type.as_deref(), Some(want));
            assert_eq!(rec.is_interactive, Some(true));
        }
    }
}
