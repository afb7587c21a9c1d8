//! One JSON sign-in object (any family) → [`SignIn`].
//!
//! A single key table covers every JSON rendering in formats.md §14: Graph v1.0/beta camelCase
//! (also `az rest`, the portal JSON download, Extractor-Suite), the PascalCase of the PowerShell
//! modules (`IPAddress`, `IpAddress`, `RiskEventTypesV2`, and the v1 SDK's flattened
//! `StatusErrorCode`...), Log Analytics columns (`ResultType`, `LocationDetails`, `Identity`, nested
//! values as JSON *text* inside a string), and the Azure Monitor envelope (`time`, `category`,
//! `resultType`, `callerIpAddress`, `properties{}`).
//!
//! Duplicate keys (the Graph beta docs example has three): the last value wins, as in JavaScript's
//! `JSON.parse` and Python's `json`, and the file gets a warning. Unknown keys are ignored, except
//! that a Log Analytics custom-table name (`LocationDetails_dynamic`, `UserPrincipalName_s`) is read
//! as its native column ([`custom_base`]). What the mapped record is (a sign-in or a record of
//! another log) is decided from the [`Fallbacks`] by [`super::classify`].

use std::borrow::Cow;
use std::cell::RefCell;

use simd_json::prelude::*;
use simd_json::tape::{Object, Value};
use typed_arena::Arena;

use super::classify::custom_base;
use super::keys::KeyBits;
use crate::ingest::fields::{self, JsonKey, Parent, Structure, Target};
use crate::ingest::ual::json::Markers;
use crate::model::signin::{AuthStep, CaPolicy, EventType, SignIn, is_empty_value, is_type_name, parse_bool};
use crate::model::time::{TimeValue, parse_time};

/// Per-record state for values that only count when a better source is absent.
#[derive(Default)]
pub struct Fallbacks<'x> {
    time: Option<TimeValue>,
    error_code: Option<i32>,
    failure_reason: Option<Cow<'x, str>>,
    ip: Option<Cow<'x, str>>,
    country: Option<Cow<'x, str>>,
    display_name: Option<Cow<'x, str>>,
    risk_v1: Vec<Cow<'x, str>>,
    risk_v2_seen: bool,
    /// The record had PascalCase keys (a PowerShell or Log Analytics rendering).
    pub pascal: bool,
    /// Keys from the Log Analytics column set were seen.
    pub log_analytics: bool,
    /// An Azure Monitor envelope (`properties{}` + `category`) was seen.
    pub azure_monitor: bool,
    /// Keys that belong to a sign-in record (tells a broken sign-in from an unrelated object).
    pub known: u32,
    /// The log the record says it belongs to: Azure Monitor `category` / Log Analytics `Category`,
    /// and the Log Analytics table (`Type`).
    pub category: Option<&'x str>,
    pub table: Option<&'x str>,
    /// A sign-in's own fields were seen: its result (`status`, `resultType`), its creation time,
    /// and where/what it signed in from or to (IP address, app, client app, user agent).
    pub result_key: bool,
    pub created_key: bool,
    pub context_key: bool,
    /// A Log Analytics custom-table column name (`LocationDetails_dynamic`, `UserPrincipalName_s`)
    /// was read as its native column.
    pub custom_columns: bool,
    /// Keys of a Unified Audit Log record (`RecordType`, `Operation`, `AuditData`...): such a
    /// record is read by [`crate::ingest::ual`], not as a sign-in log record.
    pub ual: Markers,
}

/// Context shared by the records of one page: the arena for JSON-in-a-string, the zone to assume,
/// and the duplicate keys seen.
pub struct MapCtx<'x> {
    pub arena: &'x Arena<u8>,
    pub assumed_offset_secs: i32,
    /// Fields a repair emptied (salvage only): marked lost on the record.
    pub lost: Vec<&'static str>,
    /// Records with a repeated key, and the first such key.
    duplicates: RefCell<(u64, Option<String>)>,
}

impl<'x> MapCtx<'x> {
    pub fn new(arena: &'x Arena<u8>, assumed_offset_secs: i32) -> Self {
        MapCtx { arena, assumed_offset_secs, lost: Vec::new(), duplicates: RefCell::new((0, None)) }
    }

    /// Note that a record repeats `key` (the last value wins, as in `JSON.parse`).
    fn note_repeat(&self, key: &str) {
        let mut d = self.duplicates.borrow_mut();
        d.0 += 1;
        d.1.get_or_insert_with(|| key.to_string());
    }

    /// Warn about the repeated keys seen (once per document).
    pub fn report(&self, sink: &mut crate::ingest::sink::Sink) {
        let d = self.duplicates.borrow();
        if let (n, Some(k)) = (d.0, &d.1) {
            sink.warn(repeated_key_warning(n, k));
        }
    }

    /// Records with a repeated key and the first such key (to add up over the pieces of an input).
    pub fn repeats(&self) -> (u64, Option<String>) {
        self.duplicates.borrow().clone()
    }
}

/// The warning for `n` records that repeat a key, the first being `key`.
pub fn repeated_key_warning(n: u64, key: &str) -> String {
    format!("{n} record(s) repeat a key (the first: `{key}`): the last value was used, as JSON.parse does")
}

/// Apply every entry of an object, noting the first key it repeats.
fn apply_object<'x>(obj: &Object<'_, 'x>, rec: &mut SignIn<'x>, fb: &mut Fallbacks<'x>, ctx: &MapCtx<'x>) {
    let mut bits = KeyBits::new();
    let mut repeated: Option<&str> = None;
    for (i, (k, v)) in obj.iter().enumerate() {
        if bits.insert(k) && repeated.is_none() && obj.keys().take(i).any(|p| p == k) {
            repeated = Some(k);
        }
        apply_field(k, v, rec, fb, ctx);
    }
    if let Some(k) = repeated {
        ctx.note_repeat(k);
    }
}

/// Map every entry of `obj` into `rec`, then apply the fallbacks.
pub fn map_object<'x>(obj: Object<'_, 'x>, rec: &mut SignIn<'x>, ctx: &MapCtx<'x>) -> Fallbacks<'x> {
    map_fields(&obj, rec, ctx)
}

/// [`map_object`] for an object the caller still needs (a UAL record is read again by
/// [`crate::ingest::ual`]).
pub fn map_fields<'x>(obj: &Object<'_, 'x>, rec: &mut SignIn<'x>, ctx: &MapCtx<'x>) -> Fallbacks<'x> {
    let mut fb = Fallbacks::default();
    apply_object(obj, rec, &mut fb, ctx);
    finish(rec, &mut fb);
    fb
}

/// Apply fallbacks once every field of a record has been seen.
pub fn finish<'x>(rec: &mut SignIn<'x>, fb: &mut Fallbacks<'x>) {
    fn missing(v: &Option<Cow<'_, str>>) -> bool {
        v.as_deref().is_none_or(is_empty_value)
    }
    if rec.time.is_none() {
        rec.time = fb.time;
    }
    if rec.error_code.is_none() {
        rec.error_code = fb.error_code;
    }
    if missing(&rec.failure_reason) && fb.failure_reason.is_some() {
        rec.failure_reason = fb.failure_reason.take();
    }
    if missing(&rec.ip_address) && fb.ip.is_some() {
        rec.ip_address = fb.ip.take();
    }
    if missing(&rec.country) && fb.country.is_some() {
        rec.country = fb.country.take();
    }
    if missing(&rec.user_display_name) && fb.display_name.is_some() {
        rec.user_display_name = fb.display_name.take();
    }
    if !fb.risk_v2_seen && rec.risk_event_types.is_empty() {
        rec.risk_event_types.append(&mut fb.risk_v1);
    }
}

/// Apply one `key: value` pair. Also used for Log Analytics query results (`columns` + `rows`).
pub fn apply_field<'x>(key: &str, v: Value<'_, 'x>, rec: &mut SignIn<'x>, fb: &mut Fallbacks<'x>, ctx: &MapCtx<'x>) {
    if key.as_bytes().first().is_some_and(u8::is_ascii_uppercase) {
        fb.pascal = true;
    }
    fb.known += 1;
    let structure = match fields::json_key(key) {
        Some(JsonKey::Field(t)) => {
            match t {
                Target::TimeLocal => {
                    fb.created_key = true;
                    rec.time = time(v, ctx);
                }
                // The v1 SDK's flattened `StatusErrorCode` is the record's result.
                Target::ErrorCode => {
                    fb.result_key = true;
                    set(t, v, rec);
                }
                _ => {
                    fb.context_key |= t.is_context();
                    set(t, v, rec);
                }
            }
            return;
        }
        Some(JsonKey::Structure(k)) => Some(k),
        None => None,
    };
    match structure {
        Some(Structure::Time) => fb.time = time(v, ctx),
        Some(Structure::Identity) => fb.display_name = s(v),
        Some(Structure::CallerIp) => fb.ip = s(v),
        Some(Structure::ResourceIdentity) => {
            fb.log_analytics = true;
            rec.resource_id = s(v);
        }
        Some(Structure::RiskEventTypesV2) => {
            fb.risk_v2_seen = true;
            rec.risk_event_types.clear();
            strings(v, ctx, rec, |rec, x| rec.risk_event_types.push(x), "riskEventTypes_v2");
        }
        Some(Structure::RiskEventTypes) => {
            let mut tmp = Vec::new();
            strings(v, ctx, rec, |_, x| tmp.push(x), "riskEventTypes");
            fb.risk_v1 = tmp;
        }
        Some(Structure::Status) => {
            fb.result_key = true;
            with_object(v, ctx, rec, "status", |o, rec, _| members(o, Parent::Status, rec));
        }
        Some(Structure::DeviceDetail) => with_object(v, ctx, rec, "deviceDetail", |o, rec, _| members(o, Parent::DeviceDetail, rec)),
        Some(Structure::Location) => {
            // A string is the Azure Monitor envelope / Log Analytics country; an object is Graph's.
            if let Some(c) = v.into_string()
                && !c.trim_start().starts_with('{')
            {
                fb.country = s(v);
                return;
            }
            with_object(v, ctx, rec, "location", |o, rec, _| location(o, rec));
        }
        Some(Structure::LocationDetails) => {
            fb.log_analytics = true;
            with_object(v, ctx, rec, "location", |o, rec, _| location(o, rec));
        }
        Some(Structure::CaPolicies) => {
            rec.ca_policies.clear();
            with_array(v, ctx, rec, "appliedConditionalAccessPolicies", |a, rec| {
                for p in a.iter() {
                    if let Some(o) = p.as_object() {
                        rec.ca_policies.push(ca_policy(o));
                    }
                }
            });
        }
        Some(Structure::AuthDetails) => {
            rec.auth_details.clear();
            with_array(v, ctx, rec, "authenticationDetails", |a, rec| {
                for p in a.iter() {
                    if let Some(o) = p.as_object() {
                        rec.auth_details.push(auth_step(o, ctx));
                    }
                }
            });
        }
        Some(Structure::SignInEventTypes) => {
            let mut first = None;
            strings(v, ctx, rec, |_, x| first = first.take().or(Some(x)), "signInEventTypes");
            if let Some(e) = first.as_deref().and_then(EventType::parse) {
                rec.event_type = Some(e);
            }
        }
        Some(k @ (Structure::Category | Structure::Type)) => {
            let name = v.into_string();
            if let Some(e) = name.and_then(EventType::parse) {
                // The Azure Monitor category / LA table name is authoritative for the log it came from.
                rec.event_type = Some(e);
            }
            if k == Structure::Type {
                fb.log_analytics = true;
                fb.table = name;
            } else {
                fb.category = name;
            }
        }
        Some(Structure::MfaDetail) => with_object(v, ctx, rec, "mfaDetail", |o, rec, _| members(o, Parent::MfaDetail, rec)),
        Some(Structure::ResultType) => {
            fb.result_key = true;
            fb.error_code = int(v).and_then(|n| i32::try_from(n).ok());
        }
        Some(Structure::ResultDescription) => fb.failure_reason = s(v),
        Some(Structure::Properties) => {
            if let Some(o) = v.as_object() {
                fb.azure_monitor = true;
                // The envelope's `category` names the log; a `category` inside the record (an audit
                // event's `UserManagement`) does not.
                let envelope = fb.category.take();
                apply_object(&o, rec, fb, ctx);
                if envelope.is_some() {
                    fb.category = envelope;
                }
            }
        }
        // Get-MgBetaAuditLogSignIn keeps properties unknown to the SDK in a bag.
        Some(Structure::AdditionalProperties) => {
            if let Some(o) = v.as_object() {
                for (k, v) in o.iter() {
                    apply_field(k, v, rec, fb, ctx);
                }
            }
        }
        None => {
            fb.known -= 1;
            if fb.ual.note(key) {
                return;
            }
            // A custom-table twin that is empty must not erase the native column's value.
            if let Some(base) = custom_base(key)
                && v.into_string().is_none_or(|t| !t.is_empty())
                && !v.is_null()
            {
                let known = fb.known;
                apply_field(base, v, rec, fb, ctx);
                if fb.known > known {
                    fb.custom_columns = true;
                }
            }
        }
    }
}

/// Every member of a complex property that is a source field (`status`, `mfaDetail`).
fn members<'x>(o: Object<'_, 'x>, parent: Parent, rec: &mut SignIn<'x>) {
    for (k, v) in o.iter() {
        if let Some(t) = fields::json_nested(parent, k) {
            set(t, v, rec);
        }
    }
}

/// One key of a `deviceDetail` object (also the UAL's `DeviceProperties` entries that are the
/// same fields under the same names). Returns whether the key is a device field.
pub fn device_field<'x>(k: &str, v: Value<'_, 'x>, rec: &mut SignIn<'x>) -> bool {
    match fields::json_nested(Parent::DeviceDetail, k) {
        Some(t) => {
            set(t, v, rec);
            true
        }
        None => false,
    }
}

fn location<'x>(o: Object<'_, 'x>, rec: &mut SignIn<'x>) {
    for (k, v) in o.iter() {
        if let Some(t) = fields::json_nested(Parent::Location, k) {
            set(t, v, rec);
        } else if k == "geoCoordinates" || k == "GeoCoordinates" {
            if let Some(g) = v.as_object() {
                members(g, Parent::GeoCoordinates, rec);
            } else if v.into_string().is_some_and(is_type_name) {
                rec.mark_lost("location.geoCoordinates");
            }
        }
    }
}

/// Store a JSON value into the field of `t` (not a time: [`apply_field`] reads those with the
/// context's zone). A value of the wrong type is left missing.
#[inline(always)]
fn set<'x>(t: Target, v: Value<'_, 'x>, rec: &mut SignIn<'x>) {
    match t {
        Target::ErrorCode => rec.error_code = int(v).and_then(|n| i32::try_from(n).ok()),
        Target::AutonomousSystemNumber => rec.autonomous_system_number = int(v).and_then(|n| u32::try_from(n).ok()),
        Target::IsInteractive => rec.is_interactive = boolean(v),
        Target::DeviceCompliant => rec.device_compliant = boolean(v),
        Target::DeviceManaged => rec.device_managed = boolean(v),
        Target::Latitude => rec.latitude = float(v),
        Target::Longitude => rec.longitude = float(v),
        Target::ConditionalAccessStatus => rec.conditional_access_status = ca_status(v),
        // Log Analytics `ResourceId` is the ARM path of the tenant, not the resource app id.
        Target::ResourceId => {
            if let Some(r) = s(v).filter(|r| !r.starts_with('/')) {
                rec.resource_id = Some(r);
            }
        }
        _ => {
            if let Some(slot) = fields::slot(rec, t) {
                *slot = s(v);
            }
        }
    }
}

fn ca_policy<'x>(o: Object<'_, 'x>) -> CaPolicy<'x> {
    let mut p = CaPolicy::default();
    for (k, v) in o.iter() {
        match k {
            "id" | "Id" => p.id = s(v),
            "displayName" | "DisplayName" => p.name = s(v),
            "result" | "Result" => p.result = s(v),
            "enforcedGrantControls" | "EnforcedGrantControls" => {
                if let Some(a) = v.as_array() {
                    let parts: Vec<&str> = a.iter().filter_map(|x| x.into_string()).collect();
                    if !parts.is_empty() {
                        p.grant_controls = Some(Cow::Owned(parts.join(",")));
                    }
                }
            }
            _ => {}
        }
    }
    p
}

fn auth_step<'x>(o: Object<'_, 'x>, ctx: &MapCtx<'x>) -> AuthStep<'x> {
    let mut a = AuthStep::default();
    for (k, v) in o.iter() {
        match k {
            "authenticationStepDateTime" | "AuthenticationStepDateTime" => {
                a.time = match time(v, ctx) {
                    Some(TimeValue::Utc { micros, .. }) => Some(micros),
                    _ => None,
                }
            }
            "authenticationMethod" | "AuthenticationMethod" => a.method = s(v),
            "authenticationMethodDetail" | "AuthenticationMethodDetail" => a.method_detail = s(v),
            "succeeded" | "Succeeded" => a.succeeded = boolean(v),
            "authenticationStepResultDetail" | "AuthenticationStepResultDetail" => a.result_detail = s(v),
            "authenticationStepRequirement" | "AuthenticationStepRequirement" => a.requirement = s(v),
            _ => {}
        }
    }
    a
}

/// A string, or a number rendered as text (Log Analytics writes some numbers as strings and the
/// other way round).
pub(crate) fn s<'x>(v: Value<'_, 'x>) -> Option<Cow<'x, str>> {
    if let Some(x) = v.into_string() {
        return Some(Cow::Borrowed(x));
    }
    if let Some(n) = v.as_i64() {
        return Some(Cow::Owned(n.to_string()));
    }
    if let Some(n) = v.as_u64() {
        return Some(Cow::Owned(n.to_string()));
    }
    if let Some(b) = v.as_bool() {
        return Some(Cow::Borrowed(if b { "true" } else { "false" }));
    }
    None
}

/// An integer, also when written as a whole float (`50126.0`: Log Analytics `_d` columns).
pub(crate) fn int(v: Value<'_, '_>) -> Option<i64> {
    let whole = |f: f64| (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64);
    v.as_i64()
        .or_else(|| v.as_f64().and_then(whole))
        .or_else(|| v.into_string().and_then(|x| x.trim().parse().ok().or_else(|| x.trim().parse::<f64>().ok().and_then(whole))))
}

fn float(v: Value<'_, '_>) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_i64().map(|n| n as f64))
        .or_else(|| v.as_u64().map(|n| n as f64))
        .or_else(|| v.into_string().and_then(|x| x.trim().parse().ok()))
}

pub(crate) fn boolean(v: Value<'_, '_>) -> Option<bool> {
    v.as_bool().or_else(|| v.into_string().and_then(parse_bool))
}

fn time(v: Value<'_, '_>, ctx: &MapCtx<'_>) -> Option<TimeValue> {
    parse_time(v.into_string()?, ctx.assumed_offset_secs)
}

/// Log Analytics stores the CA status as an int in some exports (0 success, 1 failure, 2 notApplied,
/// 3 unknown; Sentinel `BypassCondAccessRule.yaml`).
fn ca_status<'x>(v: Value<'_, 'x>) -> Option<Cow<'x, str>> {
    match v.as_i64() {
        Some(0) => Some(Cow::Borrowed("success")),
        Some(1) => Some(Cow::Borrowed("failure")),
        Some(2) => Some(Cow::Borrowed("notApplied")),
        Some(_) => Some(Cow::Borrowed("unknownFutureValue")),
        None => s(v),
    }
}

/// What a nested value turned out to be when it was text.
enum Text<'x> {
    Json(&'x mut [u8]),
    Lost,
    Nothing,
}

fn classify_text<'x>(v: Value<'_, 'x>, ctx: &MapCtx<'x>, open: u8) -> Text<'x> {
    match v.into_string() {
        Some(t) if t.trim_start().as_bytes().first() == Some(&open) => Text::Json(ctx.arena.alloc_extend(t.trim().bytes())),
        Some(t) if is_type_name(t) => Text::Lost,
        _ => Text::Nothing,
    }
}

/// Run `f` on the object `v` is, or that the JSON text in `v` holds. A PowerShell type name where
/// the object should be marks the field lost.
fn with_object<'x>(
    v: Value<'_, 'x>,
    ctx: &MapCtx<'x>,
    rec: &mut SignIn<'x>,
    field: &'static str,
    f: impl FnOnce(Object<'_, 'x>, &mut SignIn<'x>, &MapCtx<'x>),
) {
    if let Some(o) = v.as_object() {
        return f(o, rec, ctx);
    }
    match classify_text(v, ctx, b'{') {
        Text::Json(buf) => {
            if let Ok(tape) = simd_json::to_tape(buf)
                && let Some(o) = tape.as_value().as_object()
            {
                f(o, rec, ctx);
            }
        }
        Text::Lost => rec.mark_lost(field),
        Text::Nothing => {}
    }
}

/// Like [`with_object`] for arrays.
fn with_array<'x>(
    v: Value<'_, 'x>,
    ctx: &MapCtx<'x>,
    rec: &mut SignIn<'x>,
    field: &'static str,
    f: impl FnOnce(simd_json::tape::Array<'_, 'x>, &mut SignIn<'x>),
) {
    if let Some(a) = v.as_array() {
        // ConvertTo-Json past its depth writes the elements as type names: the data is gone.
        if a.iter().any(|x| x.into_string().is_some_and(is_type_name)) {
            return rec.mark_lost(field);
        }
        return f(a, rec);
    }
    match classify_text(v, ctx, b'[') {
        Text::Json(buf) => {
            if let Ok(tape) = simd_json::to_tape(buf)
                && let Some(a) = tape.as_value().as_array()
            {
                f(a, rec);
            }
        }
        Text::Lost => rec.mark_lost(field),
        Text::Nothing => {}
    }
}

/// Strings of an array value (or of JSON text holding one, or a comma list).
fn strings<'x>(
    v: Value<'_, 'x>,
    ctx: &MapCtx<'x>,
    rec: &mut SignIn<'x>,
    mut push: impl FnMut(&mut SignIn<'x>, Cow<'x, str>),
    field: &'static str,
) {
    if let Some(a) = v.as_array() {
        for x in a.iter() {
            if let Some(t) = s(x) {
                push(rec, t);
            }
        }
        return;
    }
    match classify_text(v, ctx, b'[') {
        Text::Json(buf) => {
            if let Ok(tape) = simd_json::to_tape(buf)
                && let Some(a) = tape.as_value().as_array()
            {
                for x in a.iter() {
                    if let Some(t) = x.into_string() {
                        push(rec, Cow::Borrowed(t));
                    }
                }
            }
        }
        Text::Lost => rec.mark_lost(field),
        Text::Nothing => {
            if let Some(t) = v.into_string() {
                for part in t.split(',') {
                    if !is_empty_value(part) {
                        push(rec, Cow::Owned(part.trim().to_string()));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(json: &str) -> SignIn<'static> {
        let arena = Box::leak(Box::new(Arena::new()));
        let buf: &'static mut [u8] = Box::leak(json.as_bytes().to_vec().into_boxed_slice());
        let tape = Box::leak(Box::new(simd_json::to_tape(buf).unwrap()));
        let ctx = MapCtx::new(arena, 0);
        let mut rec = SignIn::default();
        map_object(tape.as_value().as_object().unwrap(), &mut rec, &ctx);
        rec
    }

    #[test]
    fn graph_camel_case() {
        let r = map(
            r#"{"id":"A","createdDateTime":"2024-01-01T00:00:00Z","userPrincipalName":"a@b.c","status":{"errorCode":50126,"failureReason":"bad"},
            "location":{"city":"Paris","countryOrRegion":"FR","geoCoordinates":{"latitude":48.8,"longitude":2.3}},
            "deviceDetail":{"deviceId":"","isCompliant":false},"riskEventTypes":["x"],"riskEventTypes_v2":["y"],"homeTenantId":"1","homeTenantId":"2",
            "authenticationDetails":[{"authenticationMethod":"Password","succeeded":true}],"signInEventTypes":["nonInteractiveUser"]}"#,
        );
        assert_eq!(r.request_id.as_deref(), Some("A"));
        assert_eq!(r.error_code, Some(50126));
        assert_eq!(r.city.as_deref(), Some("Paris"));
        assert_eq!(r.latitude, Some(48.8));
        assert_eq!(r.device_compliant, Some(false));
        assert_eq!(r.risk_event_types, vec![Cow::Borrowed("y")]);
        assert_eq!(r.home_tenant_id.as_deref(), Some("2"), "last duplicate key wins");
        assert_eq!(r.auth_details.len(), 1);
        assert_eq!(r.event_type, Some(EventType::NonInteractive));
    }

    #[test]
    fn log_analytics_text_columns() {
        let r = map(
            r#"{"Id":"B","TimeGenerated":"2024-01-01T00:00:05Z","CreatedDateTime":"2024-01-01T00:00:00Z","UserPrincipalName":"a@b.c","ResultType":"90072",
            "Status":"{\"errorCode\":90072}","LocationDetails":"{\"city\":\"X\",\"geoCoordinates\":{\"latitude\":1,\"longitude\":2}}","Location":"US",
            "ResourceId":"/tenants/x/providers/Microsoft.aadiam","ResourceIdentity":"res","Type":"SigninLogs","RiskEventTypes_V2":"[]","AuthenticationDetails":"[]"}"#,
        );
        assert_eq!(r.error_code, Some(90072));
        assert_eq!(r.city.as_deref(), Some("X"));
        assert_eq!(r.longitude, Some(2.0));
        assert_eq!(r.country.as_deref(), Some("US"));
        assert_eq!(r.resource_id.as_deref(), Some("res"));
        assert_eq!(r.event_type, Some(EventType::Interactive));
        assert_eq!(r.time, parse_time("2024-01-01T00:00:00Z", 0));
    }

    #[test]
    fn azure_monitor_envelope_falls_back() {
        let r = map(
            r#"{"time":"2024-01-01T00:00:09Z","category":"ManagedIdentitySignInLogs","resultType":"0","callerIpAddress":"1.2.3.4","location":"FR",
            "properties":{"id":"C","servicePrincipalId":"sp","ipAddress":""}}"#,
        );
        assert_eq!(r.time, parse_time("2024-01-01T00:00:09Z", 0));
        assert_eq!(r.error_code, Some(0));
        assert_eq!(r.event_type, Some(EventType::ManagedIdentity));
        assert_eq!(r.ip_address.as_deref(), Some("1.2.3.4"), "an empty ipAddress falls back to the envelope");
        assert_eq!(r.country.as_deref(), Some("FR"));
    }

    #[test]
    fn custom_table_keys_map_to_native_fields() {
        let r = map(
            r#"{"Id_g":"A","CreatedDateTime_t":"2024-01-01T00:00:00Z","UserPrincipalName_s":"a@b.c","UserPrincipalName_string":"","ResultType_d":50126.0,"AutonomousSystemNumber_d":"64500.0"}"#,
        );
        assert_eq!((r.request_id.as_deref(), r.user_principal_name.as_deref()), (Some("A"), Some("a@b.c")));
        assert_eq!(r.autonomous_system_number, Some(64500));
    }

    #[test]
    fn repeated_keys_are_found_and_distinct_ones_are_not() {
        let arena = Arena::new();
        let ctx = MapCtx::new(&arena, 0);
        let mut buf = br#"{"homeTenantId":"1","appId":"x","homeTenantId":"2"}"#.to_vec();
        let tape = simd_json::to_tape(&mut buf).unwrap();
        map_object(tape.as_value().as_object().unwrap(), &mut SignIn::default(), &ctx);
        let keys =
            ["authenticationRequirementPolicies", "authenticationRequirement", "authenticationProcessingDetails", "a", "b", "ab", "ba"];
        let text = format!("{{{}}}", keys.iter().map(|k| format!("\"{k}\":1")).collect::<Vec<_>>().join(","));
        let mut buf = text.into_bytes();
        let tape = simd_json::to_tape(&mut buf).unwrap();
        map_object(tape.as_value().as_object().unwrap(), &mut SignIn::default(), &ctx);
        // Every Graph sign-in key in one object: none repeats.
        let graph = [
            "id",
            "createdDateTime",
            "userDisplayName",
            "userPrincipalName",
            "userId",
            "appId",
            "appDisplayName",
            "ipAddress",
            "ipAddressFromResourceProvider",
            "clientAppUsed",
            "userAgent",
            "correlationId",
            "conditionalAccessStatus",
            "originalRequestId",
            "authenticationProtocol",
            "incomingTokenType",
            "isInteractive",
            "homeTenantId",
            "homeTenantName",
            "isTenantRestricted",
            "tokenIssuerName",
            "tokenIssuerType",
            "processingTimeInMilliseconds",
            "riskDetail",
            "riskLevelAggregated",
            "riskLevelDuringSignIn",
            "riskState",
            "riskEventTypes",
            "riskEventTypes_v2",
            "resourceDisplayName",
            "resourceId",
            "resourceTenantId",
            "authenticationMethodsUsed",
            "authenticationRequirement",
            "uniqueTokenIdentifier",
            "sessionId",
            "signInIdentifier",
            "signInIdentifierType",
            "signInEventTypes",
            "servicePrincipalId",
            "servicePrincipalName",
            "userType",
            "flaggedForReview",
            "autonomousSystemNumber",
            "crossTenantAccessType",
            "clientCredentialType",
            "status",
            "deviceDetail",
            "location",
            "mfaDetail",
            "appliedConditionalAccessPolicies",
            "authenticationDetails",
            "authenticationProcessingDetails",
            "networkLocationDetails",
            "authenticationRequirementPolicies",
            "sessionLifetimePolicies",
            "appTokenProtectionStatus",
            "tokenProtectionStatusDetails",
            "originalTransferMethod",
            "managedServiceIdentity",
            "privateLinkDetails",
        ];
        let text = format!("{{{}}}", graph.iter().map(|k| format!("\"{k}\":1")).collect::<Vec<_>>().join(","));
        let mut buf = text.into_bytes();
        let tape = simd_json::to_tape(&mut buf).unwrap();
        map_object(tape.as_value().as_object().unwrap(), &mut SignIn::default(), &ctx);
        assert_eq!(*ctx.duplicates.borrow(), (1, Some("homeTenantId".to_string())));
    }

    #[test]
    fn powershell_type_names_are_lost_not_garbage() {
        let r = map(
            r#"{"Id":"D","CreatedDateTime":"/Date(1705314153123)/","UserPrincipalName":"a@b.c","Status":"Microsoft.Graph.PowerShell.Models.MicrosoftGraphSignInStatus","AppliedConditionalAccessPolicies":"System.Object[]"}"#,
        );
        assert_eq!(r.error_code, None);
        assert_eq!(r.lost_fields, vec!["status", "appliedConditionalAccessPolicies"]);
        assert!(r.time.is_some());
    }
}
