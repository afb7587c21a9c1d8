//! The one Arrow schema every format is normalized into (research/formats.md §14).
//!
//! Repeating strings (users, apps, user agents, IPs, locations, enums, and the strings inside the
//! authentication steps and conditional-access policies) are `Dictionary(Int32, Utf8)`; identifiers
//! that are unique per sign-in (request, correlation, token ids) are plain `Utf8`.
//! The parquet export writes this schema as is, and reading a dataset back checks it.

use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

/// Bumped whenever a column is added, removed or changes type or meaning. Stored in the parquet
/// metadata. 3: `source_index` (0-based, inside a page) became `source_record` (the record's 1-based
/// ordinal within its input) and `source_offset` became the first byte of the record itself.
pub const SCHEMA_VERSION: u32 = 3;

/// Column names, in schema order.
pub mod col {
    pub const TIMESTAMP: &str = "timestamp";
    pub const PRINCIPAL: &str = "principal";
    pub const REQUEST_ID: &str = "request_id";
    pub const EVENT_TYPE: &str = "event_type";
    pub const USER_PRINCIPAL_NAME: &str = "user_principal_name";
    pub const USER_ID: &str = "user_id";
    pub const USER_DISPLAY_NAME: &str = "user_display_name";
    pub const USER_TYPE: &str = "user_type";
    pub const IS_INTERACTIVE: &str = "is_interactive";
    pub const RESULT: &str = "result";
    pub const ERROR_CODE: &str = "error_code";
    pub const FAILURE_REASON: &str = "failure_reason";
    pub const ADDITIONAL_DETAILS: &str = "additional_details";
    pub const APP_ID: &str = "app_id";
    pub const APP_NAME: &str = "app_name";
    pub const RESOURCE_ID: &str = "resource_id";
    pub const RESOURCE_NAME: &str = "resource_name";
    pub const SERVICE_PRINCIPAL_ID: &str = "service_principal_id";
    pub const SERVICE_PRINCIPAL_NAME: &str = "service_principal_name";
    pub const IP_ADDRESS: &str = "ip_address";
    pub const CITY: &str = "city";
    pub const STATE: &str = "state";
    pub const COUNTRY: &str = "country";
    pub const LATITUDE: &str = "latitude";
    pub const LONGITUDE: &str = "longitude";
    pub const CLIENT_APP_USED: &str = "client_app_used";
    pub const AUTHENTICATION_PROTOCOL: &str = "authentication_protocol";
    pub const USER_AGENT: &str = "user_agent";
    pub const DEVICE_ID: &str = "device_id";
    pub const DEVICE_NAME: &str = "device_name";
    pub const DEVICE_OS: &str = "device_os";
    pub const DEVICE_BROWSER: &str = "device_browser";
    pub const DEVICE_COMPLIANT: &str = "device_compliant";
    pub const DEVICE_MANAGED: &str = "device_managed";
    pub const DEVICE_TRUST_TYPE: &str = "device_trust_type";
    pub const AUTHENTICATION_REQUIREMENT: &str = "authentication_requirement";
    pub const MFA_RESULT: &str = "mfa_result";
    pub const MFA_METHOD: &str = "mfa_method";
    pub const MFA_DETAIL: &str = "mfa_detail";
    pub const AUTH_DETAILS: &str = "auth_details";
    pub const CONDITIONAL_ACCESS_STATUS: &str = "conditional_access_status";
    pub const CA_POLICIES: &str = "ca_policies";
    pub const RISK_LEVEL_AGGREGATED: &str = "risk_level_aggregated";
    pub const RISK_LEVEL_DURING_SIGN_IN: &str = "risk_level_during_sign_in";
    pub const RISK_STATE: &str = "risk_state";
    pub const RISK_DETAIL: &str = "risk_detail";
    pub const RISK_EVENT_TYPES: &str = "risk_event_types";
    pub const SESSION_ID: &str = "session_id";
    pub const UNIQUE_TOKEN_IDENTIFIER: &str = "unique_token_identifier";
    pub const CORRELATION_ID: &str = "correlation_id";
    pub const ORIGINAL_REQUEST_ID: &str = "original_request_id";
    pub const INCOMING_TOKEN_TYPE: &str = "incoming_token_type";
    pub const TOKEN_ISSUER_TYPE: &str = "token_issuer_type";
    pub const CROSS_TENANT_ACCESS_TYPE: &str = "cross_tenant_access_type";
    pub const ORIGINAL_TRANSFER_METHOD: &str = "original_transfer_method";
    pub const CLIENT_CREDENTIAL_TYPE: &str = "client_credential_type";
    pub const HOME_TENANT_ID: &str = "home_tenant_id";
    pub const RESOURCE_TENANT_ID: &str = "resource_tenant_id";
    pub const AUTONOMOUS_SYSTEM_NUMBER: &str = "autonomous_system_number";
    pub const TIME_ZONE_ASSUMED: &str = "time_zone_assumed";
    pub const LOST_FIELDS: &str = "lost_fields";
    pub const SOURCE_FILE: &str = "source_file";
    pub const SOURCE_FORMAT: &str = "source_format";
    pub const SOURCE_OFFSET: &str = "source_offset";
    pub const SOURCE_RECORD: &str = "source_record";
    pub const SOURCE_LINE: &str = "source_line";
}

/// `Dictionary(Int32, Utf8)`.
pub fn dict() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// Fields of one `auth_details` entry.
pub fn auth_step_fields() -> Fields {
    Fields::from(vec![
        Field::new("time", timestamp_type(), true),
        Field::new("method", dict(), true),
        Field::new("method_detail", dict(), true),
        Field::new("succeeded", DataType::Boolean, true),
        Field::new("result_detail", dict(), true),
        Field::new("requirement", dict(), true),
    ])
}

/// Fields of one `ca_policies` entry.
pub fn ca_policy_fields() -> Fields {
    Fields::from(vec![
        Field::new("id", dict(), true),
        Field::new("name", dict(), true),
        Field::new("result", dict(), true),
        Field::new("grant_controls", dict(), true),
    ])
}

pub fn auth_step_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(auth_step_fields()), true))
}

pub fn ca_policy_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(ca_policy_fields()), true))
}

pub fn string_item() -> Arc<Field> {
    Arc::new(Field::new("item", dict(), true))
}

/// The normalized schema (shared, built once).
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA.get_or_init(build_schema).clone()
}

fn build_schema() -> SchemaRef {
    use DataType::*;
    use col::*;
    let d = |name: &str| Field::new(name, dict(), true);
    let s = |name: &str| Field::new(name, Utf8, true);
    let fields = vec![
        Field::new(TIMESTAMP, timestamp_type(), false),
        Field::new(PRINCIPAL, dict(), false),
        s(REQUEST_ID),
        Field::new(EVENT_TYPE, dict(), false),
        d(USER_PRINCIPAL_NAME),
        d(USER_ID),
        d(USER_DISPLAY_NAME),
        d(USER_TYPE),
        Field::new(IS_INTERACTIVE, Boolean, true),
        Field::new(RESULT, dict(), false),
        Field::new(ERROR_CODE, Int32, true),
        d(FAILURE_REASON),
        d(ADDITIONAL_DETAILS),
        d(APP_ID),
        d(APP_NAME),
        d(RESOURCE_ID),
        d(RESOURCE_NAME),
        d(SERVICE_PRINCIPAL_ID),
        d(SERVICE_PRINCIPAL_NAME),
        d(IP_ADDRESS),
        d(CITY),
        d(STATE),
        d(COUNTRY),
        Field::new(LATITUDE, Float64, true),
        Field::new(LONGITUDE, Float64, true),
        d(CLIENT_APP_USED),
        d(AUTHENTICATION_PROTOCOL),
        d(USER_AGENT),
        d(DEVICE_ID),
        d(DEVICE_NAME),
        d(DEVICE_OS),
        d(DEVICE_BROWSER),
        Field::new(DEVICE_COMPLIANT, Boolean, true),
        Field::new(DEVICE_MANAGED, Boolean, true),
        d(DEVICE_TRUST_TYPE),
        d(AUTHENTICATION_REQUIREMENT),
        d(MFA_RESULT),
        d(MFA_METHOD),
        d(MFA_DETAIL),
        Field::new(AUTH_DETAILS, List(auth_step_item()), true),
        d(CONDITIONAL_ACCESS_STATUS),
        Field::new(CA_POLICIES, List(ca_policy_item()), true),
        d(RISK_LEVEL_AGGREGATED),
        d(RISK_LEVEL_DURING_SIGN_IN),
        d(RISK_STATE),
        d(RISK_DETAIL),
        Field::new(RISK_EVENT_TYPES, List(string_item()), true),
        s(SESSION_ID),
        s(UNIQUE_TOKEN_IDENTIFIER),
        s(CORRELATION_ID),
        s(ORIGINAL_REQUEST_ID),
        d(INCOMING_TOKEN_TYPE),
        d(TOKEN_ISSUER_TYPE),
        d(CROSS_TENANT_ACCESS_TYPE),
        d(ORIGINAL_TRANSFER_METHOD),
        d(CLIENT_CREDENTIAL_TYPE),
        d(HOME_TENANT_ID),
        d(RESOURCE_TENANT_ID),
        Field::new(AUTONOMOUS_SYSTEM_NUMBER, UInt32, true),
        Field::new(TIME_ZONE_ASSUMED, Boolean, false),
        d(LOST_FIELDS),
        Field::new(SOURCE_FILE, dict(), false),
        Field::new(SOURCE_FORMAT, dict(), false),
        Field::new(SOURCE_OFFSET, UInt64, false),
        Field::new(SOURCE_RECORD, UInt64, false),
        Field::new(SOURCE_LINE, UInt64, true),
    ];
    Arc::new(Schema::new(fields))
}
