//! What a record is, once mapped: a sign-in, or a record of another log counted by its category
//! ([`classify`]); and what a Log Analytics column name means under a custom-table suffix
//! ([`custom_base`]).

use std::borrow::Cow;

use super::record::Fallbacks;
use crate::model::signin::{SignInLog, sign_in_log};

/// Fewer sign-in keys than this and an object is not a sign-in by its shape (a config file with a
/// `status` key is not a broken sign-in).
const SIGN_IN_MIN_KNOWN_KEYS: u32 = 3;

/// What a record is, once mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind<'x> {
    SignIn,
    /// A record of another log, with the category counted for it.
    Other(Cow<'x, str>),
}

/// What the container of a record says about its records (a Graph page's `@odata.context`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared<'x> {
    Unknown,
    SignIns,
    /// Records of another entity set (`auditLogs/directoryAudits`, `users`).
    Other(&'x str),
}

impl<'x> Declared<'x> {
    /// From a Graph page's `@odata.context` (`https://graph.microsoft.com/beta/$metadata#auditLogs/signIns`).
    pub fn from_context(context: Option<&'x str>) -> Self {
        let Some((_, set)) = context.and_then(|c| c.split_once("$metadata#")) else { return Declared::Unknown };
        let set = set.split(['(', '?']).next().unwrap_or(set).trim_end_matches("/$entity");
        if set.to_ascii_lowercase().contains("signins") { Declared::SignIns } else { Declared::Other(set) }
    }
}

/// A sign-in or a record of another log. The record's own word decides first: its container's
/// entity set, its Log Analytics table (`Type`, unless a custom `_CL` table whose name anyone
/// chose), its category; without one, its fields: a sign-in result (`status` / `resultType`), or a
/// creation time together with an IP address, app, client app or user agent.
pub fn classify<'x>(fb: &Fallbacks<'x>, declared: Declared<'x>) -> Kind<'x> {
    if let Declared::Other(set) = declared {
        return Kind::Other(Cow::Borrowed(set));
    }
    let named =
        fb.table.filter(|t| !t.trim().to_ascii_lowercase().ends_with("_cl")).or(fb.category).map(str::trim).filter(|n| !n.is_empty());
    if let Some(name) = named {
        return match sign_in_log(name) {
            Some(SignInLog::Entra(_)) => Kind::SignIn,
            Some(SignInLog::Adfs) | None => Kind::Other(Cow::Borrowed(name)),
        };
    }
    let shape = fb.known >= SIGN_IN_MIN_KNOWN_KEYS && (fb.result_key || (fb.created_key && fb.context_key));
    if declared == Declared::SignIns || shape { Kind::SignIn } else { Kind::Other(Cow::Borrowed(crate::ingest::sink::NO_CATEGORY)) }
}

/// Log Analytics custom-table suffixes: `_dynamic` / `_string` (a column re-ingested under both
/// types), and the HTTP Data Collector API's type suffixes `_s` (string), `_d` (double), `_b`
/// (bool), `_g` (guid), `_t` (datetime) (https://learn.microsoft.com/azure/azure-monitor/logs/data-collector-api,
/// "Record type and properties").
const CUSTOM_SUFFIXES: [&str; 7] = ["_dynamic", "_string", "_s", "_d", "_b", "_g", "_t"];

/// The native column name under a custom-table suffix (`LocationDetails_dynamic` → `LocationDetails`),
/// or `None` if `name` has no such suffix.
pub fn custom_base(name: &str) -> Option<&str> {
    // Most unknown keys end in no suffix at all: one look at where an `_` would be.
    let b = name.as_bytes();
    let underscore = |back: usize| b.len() > back && b[b.len() - back] == b'_';
    if !(underscore(2) || underscore(7) || underscore(8)) {
        return None;
    }
    CUSTOM_SUFFIXES.iter().find_map(|suffix| {
        let cut = name.len().checked_sub(suffix.len())?;
        (cut > 0 && name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(suffix)).then(|| &name[..cut])
    })
}

#[cfg(test)]
mod tests {
    use typed_arena::Arena;

    use super::*;
    use crate::ingest::json::record::{MapCtx, map_object};
    use crate::model::SignIn;

    fn kind(json: &str, declared: Declared<'static>) -> Kind<'static> {
        let arena = Box::leak(Box::new(Arena::new()));
        let buf: &'static mut [u8] = Box::leak(json.as_bytes().to_vec().into_boxed_slice());
        let tape = Box::leak(Box::new(simd_json::to_tape(buf).unwrap()));
        let ctx = Box::leak(Box::new(MapCtx::new(arena, 0)));
        let mut rec = SignIn::default();
        let fb = map_object(tape.as_value().as_object().unwrap(), &mut rec, ctx);
        classify(&fb, declared)
    }

    #[test]
    fn a_record_is_a_sign_in_when_it_says_so_or_looks_it() {
        let other = |c: &str| Kind::Other(Cow::Owned(c.to_string()));
        let u = Declared::Unknown;
        assert_eq!(kind(r#"{"category":"AuditLogs","properties":{"category":"UserManagement","id":"x"}}"#, u), other("AuditLogs"));
        assert_eq!(
            kind(r#"{"properties":{"userAgent":"python-requests"},"category":"MicrosoftGraphActivityLogs"}"#, u),
            other("MicrosoftGraphActivityLogs")
        );
        assert_eq!(kind(r#"{"category":"NonInteractiveUserSignInLogs","properties":{}}"#, u), Kind::SignIn);
        assert_eq!(kind(r#"{"category":"ADFSSignInLogs","properties":{}}"#, u), other("ADFSSignInLogs"));
        // Log Analytics: the table decides (a custom `_CL` table name does not), then the category.
        assert_eq!(kind(r#"{"Type":"AuditLogs","Category":"UserManagement","Id":"x"}"#, u), other("AuditLogs"));
        assert_eq!(kind(r#"{"Type":"SigninLogs_CL","Category":"SignInLogs"}"#, u), Kind::SignIn);
        // A page's entity set decides for its records.
        let audits = Declared::from_context(Some("https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits"));
        assert_eq!(audits, Declared::Other("auditLogs/directoryAudits"));
        assert_eq!(
            Declared::from_context(Some("https://graph.microsoft.com/beta/$metadata#auditLogs/signIns(id,createdDateTime)")),
            Declared::SignIns
        );
        assert_eq!(
            kind(r#"{"id":"x","createdDateTime":"2024-01-01T00:00:00Z","ipAddress":"1.2.3.4"}"#, audits),
            other("auditLogs/directoryAudits")
        );
        // Without a word: a sign-in's result, or its time with where it came from.
        assert_eq!(kind(r#"{"id":"x","userPrincipalName":"a@b","status":{"errorCode":0}}"#, u), Kind::SignIn);
        assert_eq!(kind(r#"{"createdDateTime":"2024-01-01T00:00:00Z","userPrincipalName":"a@b","ipAddress":"1.2.3.4"}"#, u), Kind::SignIn);
        let users_export = r#"{"id":"x","createdDateTime":"2024-01-01T00:00:00Z","userPrincipalName":"a@b","userType":"Member"}"#;
        assert_eq!(kind(users_export, u), other(crate::ingest::sink::NO_CATEGORY));
        assert_eq!(
            kind(r#"{"Timestamp":"2024-01-01T00:00:00Z","AccountUpn":"a@b","IPAddress":"1.2.3.4","ActionType":"LogonSuccess"}"#, u),
            other(crate::ingest::sink::NO_CATEGORY)
        );
    }

    #[test]
    fn custom_table_suffixes() {
        assert_eq!(custom_base("LocationDetails_dynamic"), Some("LocationDetails"));
        assert_eq!(custom_base("UserPrincipalName_s"), Some("UserPrincipalName"));
        assert_eq!(custom_base("_s"), None);
        assert_eq!(custom_base("riskEventTypes_v2"), None);
    }
}
