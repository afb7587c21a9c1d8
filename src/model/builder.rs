//! [`TableBuilder`]: normalizes [`SignIn`] records into the Arrow columns of [`super::schema`].
//!
//! This is the one place where values are cleaned up for every format alike: empty renderings become
//! null, UPNs are lowercased, IPv4-mapped IPv6 addresses become IPv4, `0,0` coordinates without a
//! country are dropped, the outcome is derived from the error code, and the partition key
//! (`principal`) is chosen. A builder covers one segment of one file; segments are merged by
//! [`super::table`].

use std::borrow::Cow;
use std::net::Ipv6Addr;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int32Builder, StringBuilder, StringDictionaryBuilder, UInt32Builder};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Int32Array, ListArray, RecordBatch, StringArray, StructArray, TimestampMicrosecondArray, UInt64Array,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::ArrowError;

use super::schema::{self, auth_step_fields, ca_policy_fields};
use super::signin::{EventType, Outcome, SignIn, is_empty_value};
use super::time::{DateOrder, DateOrderVotes, LocalDate, TimeValue};

/// Why a record could not become a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowReject {
    NoTimestamp,
    NoPrincipal,
}

impl RowReject {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoTimestamp => "no usable timestamp",
            Self::NoPrincipal => "no user or service principal",
        }
    }
}

type Dict = StringDictionaryBuilder<Int32Type>;

/// Child columns of `auth_details`.
#[derive(Default)]
struct AuthStepCols {
    offsets: Vec<i32>,
    valid: Vec<bool>,
    time: Vec<Option<i64>>,
    method: Dict,
    method_detail: Dict,
    succeeded: BooleanBuilder,
    result_detail: Dict,
    requirement: Dict,
}

/// Child columns of `ca_policies`.
#[derive(Default)]
struct CaPolicyCols {
    offsets: Vec<i32>,
    valid: Vec<bool>,
    id: Dict,
    name: Dict,
    result: Dict,
    grant_controls: Dict,
}

/// Child column of `risk_event_types`.
#[derive(Default)]
struct StringListCols {
    offsets: Vec<i32>,
    valid: Vec<bool>,
    values: Dict,
}

/// Builds one Arrow batch of normalized sign-ins.
pub struct TableBuilder {
    source_file: String,
    source_format: &'static str,
    assumed_offset_secs: i32,
    timestamps: Vec<i64>,
    /// Rows whose day/month order waits for the file-level decision.
    pending: Vec<(usize, LocalDate)>,
    votes: DateOrderVotes,
    /// Per row: how many fields carry a value (keeps the most complete copy of a duplicate).
    completeness: Vec<u16>,
    zone_assumed: BooleanBuilder,
    principal: Dict,
    request_id: StringBuilder,
    event_type: Dict,
    user_principal_name: Dict,
    user_id: Dict,
    user_display_name: Dict,
    user_type: Dict,
    is_interactive: BooleanBuilder,
    result: Dict,
    error_code: Int32Builder,
    failure_reason: Dict,
    additional_details: Dict,
    app_id: Dict,
    app_name: Dict,
    resource_id: Dict,
    resource_name: Dict,
    service_principal_id: Dict,
    service_principal_name: Dict,
    ip_address: Dict,
    city: Dict,
    state: Dict,
    country: Dict,
    latitude: Float64Builder,
    longitude: Float64Builder,
    client_app_used: Dict,
    authentication_protocol: Dict,
    user_agent: Dict,
    device_id: Dict,
    device_name: Dict,
    device_os: Dict,
    device_browser: Dict,
    device_compliant: BooleanBuilder,
    device_managed: BooleanBuilder,
    device_trust_type: Dict,
    authentication_requirement: Dict,
    mfa_result: Dict,
    mfa_method: Dict,
    mfa_detail: Dict,
    auth_details: AuthStepCols,
    conditional_access_status: Dict,
    ca_policies: CaPolicyCols,
    risk_level_aggregated: Dict,
    risk_level_during_sign_in: Dict,
    risk_state: Dict,
    risk_detail: Dict,
    risk_event_types: StringListCols,
    session_id: StringBuilder,
    unique_token_identifier: StringBuilder,
    correlation_id: StringBuilder,
    original_request_id: StringBuilder,
    incoming_token_type: Dict,
    token_issuer_type: Dict,
    cross_tenant_access_type: Dict,
    original_transfer_method: Dict,
    client_credential_type: Dict,
    home_tenant_id: Dict,
    resource_tenant_id: Dict,
    autonomous_system_number: UInt32Builder,
    lost_fields: Dict,
    source_offset: Vec<u64>,
    source_record: Vec<u64>,
    source_line: Vec<Option<u64>>,
    /// Added to `source_record` and `source_line` when the batch is finished: a segment of a large
    /// input numbers its records and lines from 1 and learns what precedes it only afterwards.
    record_base: u64,
    line_base: u64,
}

/// A finished segment: its batch plus what the merge step needs and the schema does not hold.
pub struct BuiltBatch {
    pub batch: RecordBatch,
    pub completeness: Vec<u16>,
}

/// The value with the export's "nothing" renderings removed.
fn val<'s>(s: &'s Option<Cow<'_, str>>) -> Option<&'s str> {
    match s.as_deref() {
        Some(v) if !is_empty_value(v) => Some(v.trim()),
        _ => None,
    }
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() { Cow::Owned(s.to_lowercase()) } else { Cow::Borrowed(s) }
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4; other IPv6 is written in canonical form.
fn canonical_ip(s: &str) -> Cow<'_, str> {
    if !s.contains(':') {
        return Cow::Borrowed(s);
    }
    match s.parse::<Ipv6Addr>() {
        Ok(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Cow::Owned(v4.to_string()),
            None => {
                let canon = v6.to_string();
                if canon == s { Cow::Borrowed(s) } else { Cow::Owned(canon) }
            }
        },
        Err(_) => Cow::Borrowed(s),
    }
}

impl TableBuilder {
    /// `assumed_offset_secs` is applied to zone-less local dates when they are resolved.
    pub fn new(source_file: &str, source_format: &'static str, assumed_offset_secs: i32) -> Self {
        Self {
            source_file: source_file.to_string(),
            source_format,
            assumed_offset_secs,
            timestamps: Vec::new(),
            pending: Vec::new(),
            votes: DateOrderVotes::default(),
            completeness: Vec::new(),
            zone_assumed: BooleanBuilder::new(),
            principal: Dict::new(),
            request_id: StringBuilder::new(),
            event_type: Dict::new(),
            user_principal_name: Dict::new(),
            user_id: Dict::new(),
            user_display_name: Dict::new(),
            user_type: Dict::new(),
            is_interactive: BooleanBuilder::new(),
            result: Dict::new(),
            error_code: Int32Builder::new(),
            failure_reason: Dict::new(),
            additional_details: Dict::new(),
            app_id: Dict::new(),
            app_name: Dict::new(),
            resource_id: Dict::new(),
            resource_name: Dict::new(),
            service_principal_id: Dict::new(),
            service_principal_name: Dict::new(),
            ip_address: Dict::new(),
            city: Dict::new(),
            state: Dict::new(),
            country: Dict::new(),
            latitude: Float64Builder::new(),
            longitude: Float64Builder::new(),
            client_app_used: Dict::new(),
            authentication_protocol: Dict::new(),
            user_agent: Dict::new(),
            device_id: Dict::new(),
            device_name: Dict::new(),
            device_os: Dict::new(),
            device_browser: Dict::new(),
            device_compliant: BooleanBuilder::new(),
            device_managed: BooleanBuilder::new(),
            device_trust_type: Dict::new(),
            authentication_requirement: Dict::new(),
            mfa_result: Dict::new(),
            mfa_method: Dict::new(),
            mfa_detail: Dict::new(),
            auth_details: AuthStepCols { offsets: vec![0], ..Default::default() },
            conditional_access_status: Dict::new(),
            ca_policies: CaPolicyCols { offsets: vec![0], ..Default::default() },
            risk_level_aggregated: Dict::new(),
            risk_level_during_sign_in: Dict::new(),
            risk_state: Dict::new(),
            risk_detail: Dict::new(),
            risk_event_types: StringListCols { offsets: vec![0], ..Default::default() },
            session_id: StringBuilder::new(),
            unique_token_identifier: StringBuilder::new(),
            correlation_id: StringBuilder::new(),
            original_request_id: StringBuilder::new(),
            incoming_token_type: Dict::new(),
            token_issuer_type: Dict::new(),
            cross_tenant_access_type: Dict::new(),
            original_transfer_method: Dict::new(),
            client_credential_type: Dict::new(),
            home_tenant_id: Dict::new(),
            resource_tenant_id: Dict::new(),
            autonomous_system_number: UInt32Builder::new(),
            lost_fields: Dict::new(),
            source_offset: Vec::new(),
            source_record: Vec::new(),
            source_line: Vec::new(),
            record_base: 0,
            line_base: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Day/month evidence seen in this builder's local dates.
    pub fn date_votes(&self) -> DateOrderVotes {
        self.votes
    }

    /// Number of rows whose timestamp waits for a day/month order.
    pub fn pending_dates(&self) -> usize {
        self.pending.len()
    }

    /// The principal a record would be partitioned under, if it has one.
    pub fn principal_of<'r>(r: &'r SignIn<'_>) -> Option<Cow<'r, str>> {
        if let Some(upn) = val(&r.user_principal_name) {
            return Some(lower(upn));
        }
        if let Some(id) = val(&r.user_id) {
            return Some(lower(id));
        }
        if let Some(sp) = val(&r.service_principal_id).or(val(&r.service_principal_name)) {
            return Some(Cow::Owned(format!("sp:{}", sp.to_lowercase())));
        }
        None
    }

    /// Append one record. On `Err` nothing was appended.
    pub fn push(&mut self, r: &SignIn<'_>) -> Result<(), RowReject> {
        let (micros, zoned, local) = match r.time {
            Some(TimeValue::Utc { micros, zoned }) => (micros, zoned, None),
            Some(TimeValue::Local(d)) => (0, d.offset.is_some(), Some(d)),
            None => return Err(RowReject::NoTimestamp),
        };
        let principal = Self::principal_of(r).ok_or(RowReject::NoPrincipal)?;
        let row = self.timestamps.len();
        self.timestamps.push(micros);
        if let Some(d) = local {
            self.votes.add(&d);
            self.pending.push((row, d));
        }
        self.zone_assumed.append_value(!zoned);
        self.principal.append_value(principal.as_ref());

        let mut filled: u16 = 0;
        let mut count = |present: bool| {
            if present {
                filled += 1;
            }
        };
        macro_rules! dict {
            ($builder:ident, $v:expr) => {{
                let v: Option<&str> = $v;
                count(v.is_some());
                self.$builder.append_option(v);
            }};
        }
        macro_rules! text {
            ($builder:ident, $v:expr) => {{
                let v: Option<&str> = $v;
                count(v.is_some());
                self.$builder.append_option(v);
            }};
        }
        macro_rules! opt {
            ($builder:ident, $v:expr) => {{
                let v = $v;
                count(v.is_some());
                self.$builder.append_option(v);
            }};
        }

        let request_id = val(&r.request_id).map(lower);
        text!(request_id, request_id.as_deref());
        let event_type = r.event_type.unwrap_or_else(|| default_event_type(r));
        self.event_type.append_value(event_type.as_str());
        let upn = val(&r.user_principal_name).map(lower);
        dict!(user_principal_name, upn.as_deref());
        let user_id = val(&r.user_id).map(lower);
        dict!(user_id, user_id.as_deref());
        dict!(user_display_name, val(&r.user_display_name));
        // Graph writes `member`/`guest`, Log Analytics and Azure Monitor `Member`/`Guest`.
        let user_type = val(&r.user_type).map(lower);
        dict!(user_type, user_type.as_deref());
        opt!(is_interactive, r.is_interactive);
        let outcome = r.outcome.or(r.error_code.map(Outcome::from_error_code)).unwrap_or(Outcome::Success);
        // A record with neither an error code nor a status text is counted as a success by Graph
        // (errorCode 0 is the only success); keep the code null so the gap stays visible.
        self.result.append_value(outcome.as_str());
        opt!(error_code, r.error_code);
        dict!(failure_reason, val(&r.failure_reason));
        dict!(additional_details, val(&r.additional_details));
        let app_id = val(&r.app_id).map(lower);
        dict!(app_id, app_id.as_deref());
        dict!(app_name, val(&r.app_name));
        let resource_id = val(&r.resource_id).map(lower);
        dict!(resource_id, resource_id.as_deref());
        dict!(resource_name, val(&r.resource_name));
        let sp_id = val(&r.service_principal_id).map(lower);
        dict!(service_principal_id, sp_id.as_deref());
        dict!(service_principal_name, val(&r.service_principal_name));
        let ip = val(&r.ip_address).map(canonical_ip);
        dict!(ip_address, ip.as_deref());
        dict!(city, val(&r.city));
        dict!(state, val(&r.state));
        let country = val(&r.country)
            .map(|c| if c.bytes().any(|b| b.is_ascii_lowercase()) { Cow::Owned(c.to_ascii_uppercase()) } else { Cow::Borrowed(c) });
        dict!(country, country.as_deref());
        // Managed identities carry 0.0/0.0 with an empty country: that is "unknown", not the Gulf of Guinea.
        let coords = match (r.latitude, r.longitude) {
            (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() && !(lat == 0.0 && lon == 0.0 && country.is_none()) => {
                Some((lat, lon))
            }
            _ => None,
        };
        opt!(latitude, coords.map(|c| c.0));
        opt!(longitude, coords.map(|c| c.1));
        dict!(client_app_used, val(&r.client_app_used));
        dict!(authentication_protocol, val(&r.authentication_protocol));
        dict!(user_agent, val(&r.user_agent));
        dict!(device_id, val(&r.device_id));
        dict!(device_name, val(&r.device_name));
        dict!(device_os, val(&r.device_os));
        dict!(device_browser, val(&r.device_browser));
        opt!(device_compliant, r.device_compliant);
        opt!(device_managed, r.device_managed);
        dict!(device_trust_type, val(&r.device_trust_type));
        dict!(authentication_requirement, val(&r.authentication_requirement));
        dict!(mfa_result, val(&r.mfa_result));
        dict!(mfa_method, val(&r.mfa_method));
        dict!(mfa_detail, val(&r.mfa_detail));

        let a = &mut self.auth_details;
        for step in &r.auth_details {
            a.time.push(step.time);
            a.method.append_option(val(&step.method));
            a.method_detail.append_option(val(&step.method_detail));
            a.succeeded.append_option(step.succeeded);
            a.result_detail.append_option(val(&step.result_detail));
            a.requirement.append_option(val(&step.requirement));
        }
        a.offsets.push(a.time.len() as i32);
        a.valid.push(!r.auth_details.is_empty());
        count(!r.auth_details.is_empty());

        dict!(conditional_access_status, val(&r.conditional_access_status));
        let c = &mut self.ca_policies;
        for p in &r.ca_policies {
            c.id.append_option(val(&p.id));
            c.name.append_option(val(&p.name));
            c.result.append_option(val(&p.result));
            c.grant_controls.append_option(val(&p.grant_controls));
        }
        c.offsets.push(c.offsets.last().copied().unwrap_or(0) + r.ca_policies.len() as i32);
        c.valid.push(!r.ca_policies.is_empty());
        count(!r.ca_policies.is_empty());

        dict!(risk_level_aggregated, val(&r.risk_level_aggregated));
        dict!(risk_level_during_sign_in, val(&r.risk_level_during_sign_in));
        dict!(risk_state, val(&r.risk_state));
        dict!(risk_detail, val(&r.risk_detail));
        let l = &mut self.risk_event_types;
        let mut n = 0;
        for t in &r.risk_event_types {
            if !is_empty_value(t) {
                l.values.append_value(t.trim());
                n += 1;
            }
        }
        l.offsets.push(l.offsets.last().copied().unwrap_or(0) + n);
        l.valid.push(n > 0);
        count(n > 0);

        text!(session_id, val(&r.session_id));
        text!(unique_token_identifier, val(&r.unique_token_identifier));
        let correlation = val(&r.correlation_id).map(lower);
        text!(correlation_id, correlation.as_deref());
        let original = val(&r.original_request_id).map(lower);
        text!(original_request_id, original.as_deref());
        dict!(incoming_token_type, val(&r.incoming_token_type));
        dict!(token_issuer_type, val(&r.token_issuer_type));
        dict!(cross_tenant_access_type, val(&r.cross_tenant_access_type));
        dict!(original_transfer_method, val(&r.original_transfer_method));
        dict!(client_credential_type, val(&r.client_credential_type));
        dict!(home_tenant_id, val(&r.home_tenant_id));
        dict!(resource_tenant_id, val(&r.resource_tenant_id));
        opt!(autonomous_system_number, r.autonomous_system_number.filter(|n| *n != 0));
        if r.lost_fields.is_empty() {
            self.lost_fields.append_null();
        } else {
            self.lost_fields.append_value(r.lost_fields.join(","));
        }
        self.source_offset.push(r.source.offset);
        self.source_record.push(r.source.record);
        self.source_line.push(r.source.line);
        self.completeness.push(filled);
        Ok(())
    }

    /// Records and lines that precede this builder's segment in its input (see [`SourceRef`]).
    ///
    /// [`SourceRef`]: super::signin::SourceRef
    pub fn rebase(&mut self, records_before: u64, lines_before: u64) {
        self.record_base = records_before;
        self.line_base = lines_before;
    }

    /// Resolve pending local dates with `order` (the caller decides it per file from
    /// [`Self::date_votes`] of all the file's builders and any `--date-order`).
    pub fn resolve_dates(&mut self, order: DateOrder) -> usize {
        let mut unresolved = 0;
        for (row, d) in self.pending.drain(..) {
            match d.resolve(order, self.assumed_offset_secs) {
                Some(m) => self.timestamps[row] = m,
                // Only possible when the order makes the date impossible (31/02): keep the
                // month-first reading, which parse_local already proved valid for one order.
                None => {
                    unresolved += 1;
                    let other = match order {
                        DateOrder::MonthFirst => DateOrder::DayFirst,
                        DateOrder::DayFirst => DateOrder::MonthFirst,
                    };
                    if let Some(m) = d.resolve(other, self.assumed_offset_secs) {
                        self.timestamps[row] = m;
                    }
                }
            }
        }
        unresolved
    }

    /// Finish the batch. Pending local dates not resolved by then use month-first.
    pub fn finish(mut self) -> Result<BuiltBatch, ArrowError> {
        if !self.pending.is_empty() {
            self.resolve_dates(DateOrder::MonthFirst);
        }
        let n = self.timestamps.len();
        let d = |b: &mut Dict| Arc::new(b.finish()) as ArrayRef;
        let constant = |s: &str| -> ArrayRef {
            let keys = Int32Array::from(vec![0; n]);
            let values = Arc::new(StringArray::from(vec![s]));
            match DictionaryArray::<Int32Type>::try_new(keys, values) {
                Ok(a) => Arc::new(a),
                Err(_) => Arc::new(DictionaryArray::<Int32Type>::from_iter(std::iter::repeat_n(Some(s), n))),
            }
        };
        let ts = TimestampMicrosecondArray::from(std::mem::take(&mut self.timestamps)).with_timezone("UTC");
        let auth = finish_auth(&mut self.auth_details)?;
        let ca = finish_ca(&mut self.ca_policies)?;
        let risk = finish_string_list(&mut self.risk_event_types)?;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(ts),
            d(&mut self.principal),
            Arc::new(self.request_id.finish()),
            d(&mut self.event_type),
            d(&mut self.user_principal_name),
            d(&mut self.user_id),
            d(&mut self.user_display_name),
            d(&mut self.user_type),
            Arc::new(self.is_interactive.finish()),
            d(&mut self.result),
            Arc::new(self.error_code.finish()),
            d(&mut self.failure_reason),
            d(&mut self.additional_details),
            d(&mut self.app_id),
            d(&mut self.app_name),
            d(&mut self.resource_id),
            d(&mut self.resource_name),
            d(&mut self.service_principal_id),
            d(&mut self.service_principal_name),
            d(&mut self.ip_address),
            d(&mut self.city),
            d(&mut self.state),
            d(&mut self.country),
            Arc::new(self.latitude.finish()),
            Arc::new(self.longitude.finish()),
            d(&mut self.client_app_used),
            d(&mut self.authentication_protocol),
            d(&mut self.user_agent),
            d(&mut self.device_id),
            d(&mut self.device_name),
            d(&mut self.device_os),
            d(&mut self.device_browser),
            Arc::new(self.device_compliant.finish()),
            Arc::new(self.device_managed.finish()),
            d(&mut self.device_trust_type),
            d(&mut self.authentication_requirement),
            d(&mut self.mfa_result),
            d(&mut self.mfa_method),
            d(&mut self.mfa_detail),
            auth,
            d(&mut self.conditional_access_status),
            ca,
            d(&mut self.risk_level_aggregated),
            d(&mut self.risk_level_during_sign_in),
            d(&mut self.risk_state),
            d(&mut self.risk_detail),
            risk,
            Arc::new(self.session_id.finish()),
            Arc::new(self.unique_token_identifier.finish()),
            Arc::new(self.correlation_id.finish()),
            Arc::new(self.original_request_id.finish()),
            d(&mut self.incoming_token_type),
            d(&mut self.token_issuer_type),
            d(&mut self.cross_tenant_access_type),
            d(&mut self.original_transfer_method),
            d(&mut self.client_credential_type),
            d(&mut self.home_tenant_id),
            d(&mut self.resource_tenant_id),
            Arc::new(self.autonomous_system_number.finish()),
            Arc::new(self.zone_assumed.finish()),
            d(&mut self.lost_fields),
            constant(&self.source_file),
            constant(self.source_format),
            Arc::new(UInt64Array::from(std::mem::take(&mut self.source_offset))),
            Arc::new(UInt64Array::from_iter_values(self.source_record.iter().map(|r| r + self.record_base))),
            Arc::new(UInt64Array::from_iter(self.source_line.iter().map(|l| l.map(|l| l + self.line_base)))),
        ];
        // Builders grow by doubling; a segment kept until the merge would hold up to twice its
        // data. Shrinking costs one copy now and saves that memory for the rest of the run.
        let mut columns = columns;
        for c in &mut columns {
            arrow_array::Array::shrink_to_fit(c);
        }
        let batch = RecordBatch::try_new(schema::schema(), columns)?;
        Ok(BuiltBatch { batch, completeness: self.completeness })
    }
}

/// Event type when the source does not say: a service principal with no user is an SP sign-in,
/// `isInteractive: false` is non-interactive, and everything else is interactive (Graph v1.0 and the
/// AzureAD module only ever return interactive sign-ins, formats.md §1.1).
fn default_event_type(r: &SignIn<'_>) -> EventType {
    let has_user = val(&r.user_principal_name).is_some() || val(&r.user_id).is_some();
    if !has_user && (val(&r.service_principal_id).is_some() || val(&r.service_principal_name).is_some()) {
        EventType::ServicePrincipal
    } else if r.is_interactive == Some(false) {
        EventType::NonInteractive
    } else {
        EventType::Interactive
    }
}

fn list_array(
    item: Arc<arrow_schema::Field>,
    offsets: &mut Vec<i32>,
    valid: &mut Vec<bool>,
    values: ArrayRef,
) -> Result<ArrayRef, ArrowError> {
    let offsets = OffsetBuffer::new(std::mem::take(offsets).into());
    let nulls = NullBuffer::from(std::mem::take(valid));
    Ok(Arc::new(ListArray::try_new(item, offsets, values, Some(nulls))?))
}

fn finish_auth(a: &mut AuthStepCols) -> Result<ArrayRef, ArrowError> {
    let time = TimestampMicrosecondArray::from(std::mem::take(&mut a.time)).with_timezone("UTC");
    let children: Vec<ArrayRef> = vec![
        Arc::new(time),
        Arc::new(a.method.finish()),
        Arc::new(a.method_detail.finish()),
        Arc::new(a.succeeded.finish()),
        Arc::new(a.result_detail.finish()),
        Arc::new(a.requirement.finish()),
    ];
    let values = Arc::new(StructArray::try_new(auth_step_fields(), children, None)?);
    list_array(schema::auth_step_item(), &mut a.offsets, &mut a.valid, values)
}

fn finish_ca(c: &mut CaPolicyCols) -> Result<ArrayRef, ArrowError> {
    let children: Vec<ArrayRef> =
        vec![Arc::new(c.id.finish()), Arc::new(c.name.finish()), Arc::new(c.result.finish()), Arc::new(c.grant_controls.finish())];
    let values = Arc::new(StructArray::try_new(ca_policy_fields(), children, None)?);
    list_array(schema::ca_policy_item(), &mut c.offsets, &mut c.valid, values)
}

fn finish_string_list(l: &mut StringListCols) -> Result<ArrayRef, ArrowError> {
    let values = Arc::new(l.values.finish());
    list_array(schema::string_item(), &mut l.offsets, &mut l.valid, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::signin::AuthStep;
    use crate::model::time::parse_time;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;

    fn rec<'a>(upn: &'a str, t: &str) -> SignIn<'a> {
        SignIn { user_principal_name: Some(Cow::Borrowed(upn)), time: parse_time(t, 0), ..Default::default() }
    }

    #[test]
    fn normalizes_values() {
        let mut b = TableBuilder::new("f.json", "graph", 0);
        let mut r = rec("Alice@Contoso.COM", "2024-01-01T00:00:00Z");
        r.ip_address = Some(Cow::Borrowed("::ffff:10.1.2.3"));
        r.country = Some(Cow::Borrowed("us"));
        r.device_id = Some(Cow::Borrowed(""));
        r.latitude = Some(0.0);
        r.longitude = Some(0.0);
        r.auth_details.push(AuthStep { method: Some(Cow::Borrowed("Password")), succeeded: Some(true), ..Default::default() });
        r.error_code = Some(50140);
        b.push(&r).unwrap();
        let out = b.finish().unwrap().batch;
        let s = |name: &str| {
            let a = out.column_by_name(name).unwrap().as_dictionary::<Int32Type>();
            let v = a.values().as_string::<i32>();
            a.keys().iter().map(|k| k.map(|k| v.value(k as usize).to_string())).collect::<Vec<_>>()
        };
        assert_eq!(s("principal"), vec![Some("alice@contoso.com".into())]);
        assert_eq!(s("ip_address"), vec![Some("10.1.2.3".into())]);
        assert_eq!(s("country"), vec![Some("US".into())]);
        assert_eq!(s("device_id"), vec![None]);
        assert_eq!(s("result"), vec![Some("interrupted".into())]);
        // 0,0 with a country is kept (it is a real point); only the country-less form is dropped.
        assert!(out.column_by_name("latitude").unwrap().is_valid(0));
        assert_eq!(out.column_by_name("auth_details").unwrap().as_list::<i32>().value(0).len(), 1);
    }

    #[test]
    fn rejects_without_time_or_principal() {
        let mut b = TableBuilder::new("f", "graph", 0);
        assert_eq!(b.push(&rec("a@b.c", "not a time")), Err(RowReject::NoTimestamp));
        let mut r = rec("", "2024-01-01T00:00:00Z");
        r.user_principal_name = None;
        assert_eq!(b.push(&r), Err(RowReject::NoPrincipal));
        r.service_principal_id = Some(Cow::Borrowed("ABC"));
        assert!(b.push(&r).is_ok());
        assert_eq!(b.len(), 1);
        let out = b.finish().unwrap().batch;
        let et = out.column_by_name("event_type").unwrap().as_dictionary::<Int32Type>();
        assert_eq!(et.values().as_string::<i32>().value(et.keys().value(0) as usize), "servicePrincipal");
    }

    #[test]
    fn local_dates_wait_for_the_file_decision() {
        let mut b = TableBuilder::new("f.csv", "powershell", 0);
        b.push(&rec("a@b.c", "3/4/2024 10:00:00")).unwrap();
        assert_eq!(b.pending_dates(), 1);
        b.resolve_dates(DateOrder::DayFirst);
        let out = b.finish().unwrap().batch;
        let ts = out.column(0).as_primitive::<arrow_array::types::TimestampMicrosecondType>();
        assert_eq!(crate::model::time::format_rfc3339(ts.value(0)), "2024-04-03T10:00:00Z");
    }
}
