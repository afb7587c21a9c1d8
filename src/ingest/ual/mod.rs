//! The Microsoft 365 Unified Audit Log (UAL) as sign-in evidence: one format family, every way
//! examiners save it (README "Formats read" says which shape was checked against what).
//!
//! A UAL record is an audit event of any Microsoft 365 service; its payload is the `AuditData`
//! object of the Management Activity API schema. Entra sign-ins are the Secure Token Service logon
//! records (RecordType 15 `AzureActiveDirectoryStsLogon`, Operation `UserLoggedIn` /
//! `UserLoginFailed`, [`is_sign_in`]): only they become sign-ins ([`audit_data`] maps them). Every
//! other record (Exchange, SharePoint, Teams, other Entra operations) is counted as not a sign-in
//! under `RecordType/Operation` ([`category`]), never normalized and never rejected.
//!
//! The shapes ([`Shape`]): the Purview portal export and `Search-UnifiedAuditLog | Export-Csv`
//! ([`csv`], the record being the JSON text of the `AuditData` cell); AuditData objects as JSON
//! lines or arrays (Management Activity API content blobs, Microsoft-Extractor-Suite),
//! `Search-UnifiedAuditLog` objects through `ConvertTo-Json`, and the Graph audit log query API's
//! `auditLogRecord` pages ([`json`], reached from the JSON family's record walk).
//!
//! Every row read from a UAL record has the source format [`SOURCE`], whatever the shape.

pub mod audit_data;
pub mod csv;
pub mod json;
pub mod record_types;

use crate::model::SignInTable;
use crate::model::schema::col;

/// The `source_format` of every row normalized from a UAL record.
pub const SOURCE: &str = "ual";

/// `RecordType` of Entra STS logons (`AzureActiveDirectoryStsLogon`, Management Activity API
/// schema, "Enum: AuditLogRecordType").
pub const STS_LOGON: u16 = 15;

/// The STS logon operations that are sign-ins (Management Activity API schema, "Azure Active
/// Directory Secure Token Service (STS) Logon schema": `ErrorCode` is set "for failed logins (where
/// the value for the Operation property is UserLoginFailed)").
pub const SIGN_IN_OPERATIONS: [&str; 2] = ["UserLoggedIn", "UserLoginFailed"];

/// The operation of a failed sign-in.
pub const FAILED_OPERATION: &str = "UserLoginFailed";

/// The ways a UAL export is saved, each with its inventory label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Purview portal › Audit › search › Export: `RecordId, CreationDate, RecordType, Operation,
    /// UserId, AuditData, AssociatedAdminUnits, AssociatedAdminUnitsNames`.
    PurviewCsv,
    /// `Search-UnifiedAuditLog ... | Export-Csv`: `RecordType, CreationDate, UserIds, Operations,
    /// AuditData, ResultIndex, ResultCount, Identity, IsValid, ObjectState` (older modules add
    /// `RunspaceId`, PowerShell 5.1 a `#TYPE` line).
    PowerShellCsv,
    /// AuditData objects: JSON lines (Microsoft-Extractor-Suite), arrays (Management Activity API
    /// content blobs), one per file.
    AuditData,
    /// `Search-UnifiedAuditLog` objects through `ConvertTo-Json` (AuditData as text or as an object).
    PowerShellJson,
    /// Graph `security/auditLog/queries/{id}/records` pages (`auditLogRecord` with `auditData`).
    GraphQuery,
}

impl Shape {
    pub fn label(self) -> &'static str {
        match self {
            Shape::PurviewCsv => "ual-purview-csv",
            Shape::PowerShellCsv => "ual-powershell-csv",
            Shape::AuditData => "ual-json",
            Shape::PowerShellJson => "ual-powershell-json",
            Shape::GraphQuery => "ual-graph",
        }
    }
}

/// What a record says it is: its record type (the value when the name or number is known) and its
/// operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordKind<'a> {
    pub record_type: Option<u16>,
    /// The record type as written, when it is a name or number this tool does not know.
    pub unknown_type: Option<&'a str>,
    pub operation: Option<&'a str>,
}

impl<'a> RecordKind<'a> {
    /// From a record type written as a name (any case) or a number.
    pub fn set_type(&mut self, text: &'a str) {
        match record_types::value(text) {
            Some(v) => self.record_type = Some(v),
            None if !text.trim().is_empty() => self.unknown_type = Some(text.trim()),
            None => {}
        }
    }

    /// Whether the record is an Entra sign-in.
    pub fn is_sign_in(&self) -> bool {
        is_sign_in(self.record_type, self.operation)
    }

    /// Whether what is known already rules a sign-in out: another known record type, or an STS
    /// logon operation that is not a sign-in. A record type this tool does not know (a renamed
    /// enum, a display name) rules nothing out: the AuditData inside decides.
    pub fn is_not_sign_in(&self) -> bool {
        match self.record_type {
            Some(STS_LOGON) => self.operation.is_some() && !self.is_sign_in(),
            Some(_) => true,
            None => false,
        }
    }

    /// Whether anything says what the record is.
    pub fn is_known(&self) -> bool {
        self.record_type.is_some() || self.unknown_type.is_some() || self.operation.is_some()
    }

    /// What this says, completed by what `other` (the AuditData inside a wrapper or row) says: a
    /// known record type before an unknown one, this one's before the other's.
    pub fn or(self, other: RecordKind<'a>) -> RecordKind<'a> {
        let record_type = self.record_type.or(other.record_type);
        RecordKind {
            record_type,
            unknown_type: if record_type.is_some() { None } else { self.unknown_type.or(other.unknown_type) },
            operation: self.operation.or(other.operation),
        }
    }

    /// The not-a-sign-in category this record is counted under.
    pub fn category(&self) -> String {
        category(self.record_type, self.unknown_type, self.operation)
    }
}

/// An STS logon record of a sign-in operation.
pub fn is_sign_in(record_type: Option<u16>, operation: Option<&str>) -> bool {
    record_type == Some(STS_LOGON) && operation.is_some_and(|op| SIGN_IN_OPERATIONS.iter().any(|s| s.eq_ignore_ascii_case(op.trim())))
}

/// `RecordType/Operation` with the record type's member name (`ExchangeItem/MailItemsAccessed`),
/// the number when the name is unknown (`RecordType 999/Op`), and `?` for what the record omits.
pub fn category(record_type: Option<u16>, unknown_type: Option<&str>, operation: Option<&str>) -> String {
    let t = match (record_type, unknown_type) {
        (Some(v), _) => record_types::name(v).map_or_else(|| format!("RecordType {v}"), str::to_string),
        (None, Some(t)) => t.to_string(),
        (None, None) => "?".to_string(),
    };
    format!("{t}/{}", operation.map(str::trim).filter(|o| !o.is_empty()).unwrap_or("?"))
}

/// What the sign-in log carries and the UAL does not, each with what goes unjudged without it: the
/// one list behind the evidence note ([`evidence_note`]) and the README's formats table.
pub const NOT_CARRIED: &[(&str, &str)] = &[
    (
        "location",
        "new_location and impossible_travel place these sign-ins only with --geoip-db or where another record of the evidence places the same address",
    ),
    ("authentication steps or MFA details", "mfa_fatigue counts their MFA error codes, 500121, only"),
    ("risk verdicts", "entra_risk has nothing to report"),
    ("client app", "legacy_protocol sees only ROPC, a password sent to the token endpoint, and ROPC user agents"),
    ("device-code flow marker", "device_code has nothing to report"),
    ("app, resource or device names, ASN, conditional access", "reports show app ids"),
];

/// The evidence-wide note when some kept sign-ins come from the UAL alone (a copy in a sign-in
/// log export is kept instead whenever there is one): what they lack and which detectors go
/// without it, said once.
pub fn evidence_note(table: &SignInTable) -> Option<String> {
    evidence_note_for(from_ual(&table.batch))
}

/// [`evidence_note`] for `n` rows normalized from UAL records.
pub fn evidence_note_for(n: usize) -> Option<String> {
    if n == 0 {
        return None;
    }
    let gaps: Vec<String> = NOT_CARRIED.iter().map(|(what, effect)| format!("no {what}: {effect}")).collect();
    Some(format!("{n} sign-in(s) come from the Unified Audit Log alone, which records less than the sign-in log: {}", gaps.join("; ")))
}

/// Rows of a batch normalized from a UAL record.
pub fn from_ual(batch: &arrow_array::RecordBatch) -> usize {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    let Some(formats) = batch.column_by_name(col::SOURCE_FORMAT) else { return 0 };
    let Some(d) = formats.as_dictionary_opt::<Int32Type>() else { return 0 };
    let values = d.values().as_string::<i32>();
    let Some(k) = (0..values.len()).find(|&k| values.value(k) == SOURCE) else { return 0 };
    d.keys().values().iter().filter(|&&key| key as usize == k).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sts_logons_are_sign_ins() {
        assert!(is_sign_in(Some(15), Some("UserLoggedIn")));
        assert!(is_sign_in(Some(15), Some("userloginfailed")));
        assert!(!is_sign_in(Some(15), Some("Add user.")));
        assert!(!is_sign_in(Some(8), Some("UserLoggedIn")));
        assert!(!is_sign_in(None, Some("UserLoggedIn")));
        let mut k = RecordKind::default();
        k.set_type("azureActiveDirectoryStsLogon");
        k.operation = Some("UserLoginFailed");
        assert!(k.is_sign_in());
        let sts = RecordKind { record_type: Some(15), ..Default::default() };
        assert!(!sts.is_not_sign_in(), "an STS logon without its operation may be a sign-in");
        assert!(RecordKind { operation: Some("Add user."), ..sts }.is_not_sign_in());
        assert!(RecordKind { record_type: Some(2), ..Default::default() }.is_not_sign_in());
        assert!(!RecordKind::default().is_not_sign_in());
        let inner = RecordKind { record_type: Some(15), operation: Some("UserLoggedIn"), ..Default::default() };
        let renamed = RecordKind { unknown_type: Some("Azure AD STS logon"), operation: Some("UserLoggedIn"), ..Default::default() };
        assert!(!renamed.is_not_sign_in(), "an unknown record type name is no proof");
        assert!(renamed.or(inner).is_sign_in(), "the AuditData's number decides");
        assert!(RecordKind::default().or(inner).is_sign_in());
        assert!(!RecordKind { record_type: Some(2), ..Default::default() }.or(inner).is_sign_in(), "the outer type wins");
    }

    #[test]
    fn categories_name_the_record_type() {
        assert_eq!(category(Some(2), None, Some("MailItemsAccessed")), "ExchangeItem/MailItemsAccessed");
        assert_eq!(category(Some(999), None, Some("X")), "RecordType 999/X");
        assert_eq!(category(None, Some("FutureType"), None), "FutureType/?");
        let mut k = RecordKind::default();
        k.set_type("exchangeItem");
        k.operation = Some("Send");
        assert_eq!(k.category(), "ExchangeItem/Send", "Graph's camelCase names count with PowerShell's");
    }
}
