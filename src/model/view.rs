//! [`Rows`]: typed, zero-copy access to the columns of a batch (one user's partition, usually).
//!
//! Baselines and detectors read sign-ins through this view instead of downcasting Arrow arrays
//! themselves: `rows.ip(i)`, `rows.time(i)`, `rows.is_success(i)`. Strings borrow from the table.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, TimestampMicrosecondType, UInt32Type, UInt64Type};
use arrow_array::{
    Array, BooleanArray, DictionaryArray, Float64Array, Int32Array, ListArray, PrimitiveArray, RecordBatch, StringArray, StructArray,
};
use arrow_schema::ArrowError;

use super::schema::col;
use super::signin::SourceRef;
use super::table::column;

/// A dictionary-encoded string column.
#[derive(Clone, Copy)]
pub struct DictCol<'a> {
    keys: &'a PrimitiveArray<Int32Type>,
    values: &'a StringArray,
}

impl<'a> DictCol<'a> {
    fn new(b: &'a RecordBatch, name: &str) -> Result<Self, ArrowError> {
        let d: &DictionaryArray<Int32Type> = column(b, name)?.as_dictionary::<Int32Type>();
        Ok(DictCol { keys: d.keys(), values: d.values().as_string::<i32>() })
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        if self.keys.is_null(i) { None } else { Some(self.values.value(self.keys.value(i) as usize)) }
    }

    /// The dictionary index of row `i`'s value: equal values of one batch share it, so a pass over
    /// many rows can count or cache per distinct value without hashing strings.
    pub fn key(&self, i: usize) -> Option<usize> {
        if self.keys.is_null(i) { None } else { Some(self.keys.value(i) as usize) }
    }

    /// The number of distinct dictionary values (the bound of [`DictCol::key`]).
    pub fn values_len(&self) -> usize {
        self.values.len()
    }

    /// The value at dictionary index `k` (from [`DictCol::key`]).
    pub fn value(&self, k: usize) -> &'a str {
        self.values.value(k)
    }
}

/// A plain string column.
#[derive(Clone, Copy)]
pub struct TextCol<'a>(&'a StringArray);

impl<'a> TextCol<'a> {
    pub fn get(&self, i: usize) -> Option<&'a str> {
        if self.0.is_null(i) { None } else { Some(self.0.value(i)) }
    }
}

/// One `authenticationDetails` step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step<'a> {
    pub method: Option<&'a str>,
    pub succeeded: Option<bool>,
    pub result_detail: Option<&'a str>,
    pub requirement: Option<&'a str>,
}

/// Typed columns of a batch of normalized sign-ins.
pub struct Rows<'a> {
    pub len: usize,
    ts: &'a [i64],
    pub principal: DictCol<'a>,
    pub request_id: TextCol<'a>,
    pub event_type: DictCol<'a>,
    pub result: DictCol<'a>,
    error_code: &'a Int32Array,
    pub failure_reason: DictCol<'a>,
    pub additional_details: DictCol<'a>,
    pub app_id: DictCol<'a>,
    pub app_name: DictCol<'a>,
    pub resource_name: DictCol<'a>,
    pub ip: DictCol<'a>,
    pub city: DictCol<'a>,
    pub state: DictCol<'a>,
    pub country: DictCol<'a>,
    lat: &'a Float64Array,
    lon: &'a Float64Array,
    pub client_app: DictCol<'a>,
    pub auth_protocol: DictCol<'a>,
    pub user_agent: DictCol<'a>,
    pub device_id: DictCol<'a>,
    pub device_name: DictCol<'a>,
    pub device_os: DictCol<'a>,
    pub device_browser: DictCol<'a>,
    compliant: &'a BooleanArray,
    managed: &'a BooleanArray,
    pub trust_type: DictCol<'a>,
    pub auth_requirement: DictCol<'a>,
    pub mfa_result: DictCol<'a>,
    pub mfa_method: DictCol<'a>,
    auth_details: &'a ListArray,
    auth_method: DictCol<'a>,
    auth_succeeded: &'a BooleanArray,
    auth_result: DictCol<'a>,
    auth_requirement_step: DictCol<'a>,
    pub session_id: TextCol<'a>,
    pub unique_token: TextCol<'a>,
    pub correlation_id: TextCol<'a>,
    pub incoming_token_type: DictCol<'a>,
    pub original_transfer_method: DictCol<'a>,
    pub risk_level_aggregated: DictCol<'a>,
    pub risk_level_during_sign_in: DictCol<'a>,
    pub risk_state: DictCol<'a>,
    pub risk_detail: DictCol<'a>,
    risk_event_types: &'a ListArray,
    risk_event_type: DictCol<'a>,
    asn: &'a PrimitiveArray<UInt32Type>,
    pub source_file: DictCol<'a>,
    source_offset: &'a PrimitiveArray<UInt64Type>,
    source_record: &'a PrimitiveArray<UInt64Type>,
    source_line: &'a PrimitiveArray<UInt64Type>,
}

impl<'a> Rows<'a> {
    pub fn new(b: &'a RecordBatch) -> Result<Self, ArrowError> {
        let d = |n: &str| DictCol::new(b, n);
        let t = |n: &str| -> Result<TextCol<'a>, ArrowError> { Ok(TextCol(column(b, n)?.as_string::<i32>())) };
        let auth_details = column(b, col::AUTH_DETAILS)?.as_list::<i32>();
        let risk_event_types = column(b, col::RISK_EVENT_TYPES)?.as_list::<i32>();
        let risk_types = risk_event_types.values().as_dictionary::<Int32Type>();
        let steps: &StructArray = auth_details.values().as_struct();
        let step_str = |i: usize| {
            let d = steps.column(i).as_dictionary::<Int32Type>();
            DictCol { keys: d.keys(), values: d.values().as_string::<i32>() }
        };
        Ok(Rows {
            len: b.num_rows(),
            ts: column(b, col::TIMESTAMP)?.as_primitive::<TimestampMicrosecondType>().values(),
            principal: d(col::PRINCIPAL)?,
            request_id: t(col::REQUEST_ID)?,
            event_type: d(col::EVENT_TYPE)?,
            result: d(col::RESULT)?,
            error_code: column(b, col::ERROR_CODE)?.as_primitive::<Int32Type>(),
            failure_reason: d(col::FAILURE_REASON)?,
            additional_details: d(col::ADDITIONAL_DETAILS)?,
            app_id: d(col::APP_ID)?,
            app_name: d(col::APP_NAME)?,
            resource_name: d(col::RESOURCE_NAME)?,
            ip: d(col::IP_ADDRESS)?,
            city: d(col::CITY)?,
            state: d(col::STATE)?,
            country: d(col::COUNTRY)?,
            lat: column(b, col::LATITUDE)?.as_primitive::<Float64Type>(),
            lon: column(b, col::LONGITUDE)?.as_primitive::<Float64Type>(),
            client_app: d(col::CLIENT_APP_USED)?,
            auth_protocol: d(col::AUTHENTICATION_PROTOCOL)?,
            user_agent: d(col::USER_AGENT)?,
            device_id: d(col::DEVICE_ID)?,
            device_name: d(col::DEVICE_NAME)?,
            device_os: d(col::DEVICE_OS)?,
            device_browser: d(col::DEVICE_BROWSER)?,
            compliant: column(b, col::DEVICE_COMPLIANT)?.as_boolean(),
            managed: column(b, col::DEVICE_MANAGED)?.as_boolean(),
            trust_type: d(col::DEVICE_TRUST_TYPE)?,
            auth_requirement: d(col::AUTHENTICATION_REQUIREMENT)?,
            mfa_result: d(col::MFA_RESULT)?,
            mfa_method: d(col::MFA_METHOD)?,
            auth_details,
            auth_method: step_str(1),
            auth_succeeded: steps.column(3).as_boolean(),
            auth_result: step_str(4),
            auth_requirement_step: step_str(5),
            session_id: t(col::SESSION_ID)?,
            unique_token: t(col::UNIQUE_TOKEN_IDENTIFIER)?,
            correlation_id: t(col::CORRELATION_ID)?,
            incoming_token_type: d(col::INCOMING_TOKEN_TYPE)?,
            original_transfer_method: d(col::ORIGINAL_TRANSFER_METHOD)?,
            risk_level_aggregated: d(col::RISK_LEVEL_AGGREGATED)?,
            risk_level_during_sign_in: d(col::RISK_LEVEL_DURING_SIGN_IN)?,
            risk_state: d(col::RISK_STATE)?,
            risk_detail: d(col::RISK_DETAIL)?,
            risk_event_types,
            risk_event_type: DictCol { keys: risk_types.keys(), values: risk_types.values().as_string::<i32>() },
            asn: column(b, col::AUTONOMOUS_SYSTEM_NUMBER)?.as_primitive::<UInt32Type>(),
            source_file: d(col::SOURCE_FILE)?,
            source_offset: column(b, col::SOURCE_OFFSET)?.as_primitive::<UInt64Type>(),
            source_record: column(b, col::SOURCE_RECORD)?.as_primitive::<UInt64Type>(),
            source_line: column(b, col::SOURCE_LINE)?.as_primitive::<UInt64Type>(),
        })
    }

    /// Microseconds since the epoch, UTC.
    pub fn time(&self, i: usize) -> i64 {
        self.ts[i]
    }

    pub fn times(&self) -> &'a [i64] {
        self.ts
    }

    pub fn error_code(&self, i: usize) -> Option<i32> {
        if self.error_code.is_null(i) { None } else { Some(self.error_code.value(i)) }
    }

    pub fn is_success(&self, i: usize) -> bool {
        self.result.get(i) == Some("success")
    }

    pub fn is_interactive(&self, i: usize) -> bool {
        self.event_type.get(i) == Some("interactiveUser")
    }

    /// Coordinates carried by the record itself.
    pub fn coordinates(&self, i: usize) -> Option<(f64, f64)> {
        if self.lat.is_null(i) || self.lon.is_null(i) { None } else { Some((self.lat.value(i), self.lon.value(i))) }
    }

    pub fn compliant(&self, i: usize) -> Option<bool> {
        if self.compliant.is_null(i) { None } else { Some(self.compliant.value(i)) }
    }

    pub fn managed(&self, i: usize) -> Option<bool> {
        if self.managed.is_null(i) { None } else { Some(self.managed.value(i)) }
    }

    pub fn asn(&self, i: usize) -> Option<u32> {
        if self.asn.is_null(i) { None } else { Some(self.asn.value(i)) }
    }

    /// The `authenticationDetails` steps of row `i`.
    pub fn steps(&self, i: usize) -> impl Iterator<Item = Step<'a>> + '_ {
        let range = if self.auth_details.is_null(i) {
            0..0
        } else {
            let o = self.auth_details.value_offsets();
            o[i] as usize..o[i + 1] as usize
        };
        range.map(move |j| Step {
            method: self.auth_method.get(j),
            succeeded: if self.auth_succeeded.is_null(j) { None } else { Some(self.auth_succeeded.value(j)) },
            result_detail: self.auth_result.get(j),
            requirement: self.auth_requirement_step.get(j),
        })
    }

    /// The `riskEventTypes_v2` of row `i` (`unfamiliarFeatures`, `passwordSpray`...).
    pub fn risk_event_types(&self, i: usize) -> impl Iterator<Item = &'a str> + '_ {
        let range = if self.risk_event_types.is_null(i) {
            0..0
        } else {
            let o = self.risk_event_types.value_offsets();
            o[i] as usize..o[i + 1] as usize
        };
        range.filter_map(move |j| self.risk_event_type.get(j))
    }

    /// Where row `i` came from: its file and position ([`SourceRef`]).
    pub fn source(&self, i: usize) -> (&'a str, SourceRef) {
        let line = if self.source_line.is_null(i) { None } else { Some(self.source_line.value(i)) };
        let at = SourceRef { offset: self.source_offset.value(i), record: self.source_record.value(i), line };
        (self.source_file.get(i).unwrap_or(""), at)
    }

    /// The request id, or a synthetic `file@position` reference for records that have none.
    pub fn sign_in_id(&self, i: usize) -> String {
        match self.request_id.get(i) {
            Some(id) => id.to_string(),
            None => {
                let (f, at) = self.source(i);
                format!("{f}@record {}", at.record)
            }
        }
    }
}
