//! The one declaration of the normalized columns: each column once, in schema order, with its name,
//! its kind (the builder type, see [`super::kinds`]), whether it may be null, how a [`SignIn`] field
//! feeds it, and the field [`Rows`] reads it back through.
//!
//! From the [`columns!`] list below come: the `col::*` name constants, [`COLUMNS`] (the schema is
//! built from it, [`super::schema::schema`]), [`Builders`] (one builder per column, finished in the
//! declared order, so the arrays of a batch cannot fall out of step with its schema), the feeding
//! of every column that a record field fills as is ([`Builders::feed`]), and the typed view
//! [`Rows`] with [`Rows::new`].
//!
//! A column's feed is `derived` (the [`super::builder::TableBuilder`] computes it: the principal,
//! the outcome, the coordinates, the lists, the source position) or `NORM(field)`: the record's
//! `field` through one of the [`feed`] normalizers. Adding a column fed from a record field is one
//! line here, the field in [`SignIn`], and its source names in `crate::ingest::fields`.

use arrow_array::RecordBatch;
use arrow_array::builder::{BooleanBuilder, Float64Builder, Int32Builder, StringBuilder, UInt32Builder};
use arrow_schema::{ArrowError, DataType};

use super::kinds::{Append, AuthSteps, CaPolicies, ColumnKind, Dict, FileRuns, FormatRuns, OptOrdinals, Ordinals, StringList, Timestamps};
use super::signin::SignIn;
use super::table::column;

/// How a column is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// From this [`SignIn`] field, normalized by the named [`feed`] function.
    Field { field: &'static str, norm: &'static str },
    /// Computed by the table builder from several fields, or from where the record was read.
    Derived,
}

/// One declared column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnDef {
    pub name: &'static str,
    pub nullable: bool,
    pub data_type: fn() -> DataType,
    pub source: Source,
}

/// Normalizers between a [`SignIn`] field and its column (the cleanup every format shares).
pub mod feed {
    use std::borrow::Cow;
    use std::net::Ipv6Addr;

    use crate::model::kinds::val;
    use crate::model::signin::Str;

    /// Trimmed, with the exports' "nothing" renderings (`""`, `[]`, `{}`, `null`) removed.
    pub fn text<'s>(s: &'s Str<'_>) -> Option<&'s str> {
        val(s)
    }

    /// [`text`], lowercased (UPNs, ids: exports disagree on their case).
    pub fn lower<'s>(s: &'s Str<'_>) -> Option<Cow<'s, str>> {
        val(s).map(lowercase)
    }

    /// [`text`], ASCII-uppercased (country codes).
    pub fn upper<'s>(s: &'s Str<'_>) -> Option<Cow<'s, str>> {
        val(s).map(|c| if c.bytes().any(|b| b.is_ascii_lowercase()) { Cow::Owned(c.to_ascii_uppercase()) } else { Cow::Borrowed(c) })
    }

    /// [`text`] as an IP address: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4; other IPv6 is
    /// written in canonical form.
    pub fn ip<'s>(s: &'s Str<'_>) -> Option<Cow<'s, str>> {
        val(s).map(canonical_ip)
    }

    /// The value as it is.
    pub fn copy<T: Copy>(v: &Option<T>) -> Option<T> {
        *v
    }

    /// The number, with 0 (the exports' "none") removed.
    pub fn nonzero(v: &Option<u32>) -> Option<u32> {
        v.filter(|n| *n != 0)
    }

    pub(crate) fn lowercase(s: &str) -> Cow<'_, str> {
        if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() { Cow::Owned(s.to_lowercase()) } else { Cow::Borrowed(s) }
    }

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
}

macro_rules! nullable {
    (required) => {
        false
    };
    (nullable) => {
        true
    };
}

macro_rules! source {
    (derived) => {
        Source::Derived
    };
    ($norm:ident $src:ident) => {
        Source::Field { field: stringify!($src), norm: stringify!($norm) }
    };
}

#[cfg(test)]
macro_rules! mark {
    (copy, $e:expr, $v:expr) => {};
    (nonzero, $e:expr, $v:expr) => {};
    ($norm:ident, $e:expr, $v:expr) => {
        $e = Some(std::borrow::Cow::Borrowed($v))
    };
}

/// Expands the column list into everything derived from it (see the module header).
macro_rules! columns {
    ($(
        $konst:ident $field:ident: $builder:ty, $null:ident, $feed:ident $(($src:ident))? => $vis:vis $view:ident;
    )*) => {
        /// Column names, in schema order.
        pub mod col {
            $( pub const $konst: &str = stringify!($field); )*
        }

        /// Every column, in schema order.
        pub const COLUMNS: &[ColumnDef] = &[$(
            ColumnDef {
                name: stringify!($field),
                nullable: nullable!($null),
                data_type: <$builder as ColumnKind>::data_type,
                source: source!($feed $($src)?),
            },
        )*];

        /// One builder per column.
        #[derive(Default)]
        pub struct Builders {
            $( pub $field: $builder, )*
        }

        impl Builders {
            /// Append the columns a record field feeds as is; returns how many of them hold a value.
            pub fn feed(&mut self, r: &SignIn<'_>) -> u16 {
                let mut filled = 0u16;
                $($(
                    {
                        let v = feed::$feed(&r.$src);
                        filled += u16::from(v.is_some());
                        Append::append(&mut self.$field, v);
                    }
                )?)*
                filled
            }

            /// The arrays of `rows` rows, in schema order.
            pub fn finish(&mut self, rows: usize) -> Result<Vec<arrow_array::ArrayRef>, ArrowError> {
                Ok(vec![$( ColumnKind::finish(&mut self.$field, rows)?, )*])
            }
        }

        /// Typed columns of a batch of normalized sign-ins (methods in [`super::view`]).
        pub struct Rows<'a> {
            pub len: usize,
            $( $vis $view: <$builder as ColumnKind>::View<'a>, )*
        }

        /// Test support: every string field that feeds a column holds its own name.
        #[cfg(test)]
        fn mark_string_fields(r: &mut SignIn<'_>) {
            $($( mark!($feed, r.$src, stringify!($src)); )?)*
        }

        impl<'a> Rows<'a> {
            pub fn new(b: &'a RecordBatch) -> Result<Self, ArrowError> {
                Ok(Rows {
                    len: b.num_rows(),
                    $( $view: <$builder as ColumnKind>::view(column(b, col::$konst)?)?, )*
                })
            }
        }
    };
}

// name       column: kind (builder), null?, feed => Rows field
columns! {
    TIMESTAMP timestamp: Timestamps, required, derived => pub(super) ts;
    PRINCIPAL principal: Dict, required, derived => pub principal;
    REQUEST_ID request_id: StringBuilder, nullable, lower(request_id) => pub request_id;
    EVENT_TYPE event_type: Dict, required, derived => pub event_type;
    USER_PRINCIPAL_NAME user_principal_name: Dict, nullable, lower(user_principal_name) => pub user_principal_name;
    USER_ID user_id: Dict, nullable, lower(user_id) => pub user_id;
    USER_DISPLAY_NAME user_display_name: Dict, nullable, text(user_display_name) => pub user_display_name;
    // Graph writes `member`/`guest`, Log Analytics and Azure Monitor `Member`/`Guest`.
    USER_TYPE user_type: Dict, nullable, lower(user_type) => pub user_type;
    IS_INTERACTIVE is_interactive: BooleanBuilder, nullable, copy(is_interactive) => pub is_interactive;
    RESULT result: Dict, required, derived => pub result;
    ERROR_CODE error_code: Int32Builder, nullable, copy(error_code) => pub(super) error_code;
    FAILURE_REASON failure_reason: Dict, nullable, text(failure_reason) => pub failure_reason;
    ADDITIONAL_DETAILS additional_details: Dict, nullable, text(additional_details) => pub additional_details;
    APP_ID app_id: Dict, nullable, lower(app_id) => pub app_id;
    APP_NAME app_name: Dict, nullable, text(app_name) => pub app_name;
    RESOURCE_ID resource_id: Dict, nullable, lower(resource_id) => pub resource_id;
    RESOURCE_NAME resource_name: Dict, nullable, text(resource_name) => pub resource_name;
    SERVICE_PRINCIPAL_ID service_principal_id: Dict, nullable, lower(service_principal_id) => pub service_principal_id;
    SERVICE_PRINCIPAL_NAME service_principal_name: Dict, nullable, text(service_principal_name) => pub service_principal_name;
    IP_ADDRESS ip_address: Dict, nullable, ip(ip_address) => pub ip;
    CITY city: Dict, nullable, text(city) => pub city;
    STATE state: Dict, nullable, text(state) => pub state;
    COUNTRY country: Dict, nullable, upper(country) => pub country;
    LATITUDE latitude: Float64Builder, nullable, derived => pub(super) lat;
    LONGITUDE longitude: Float64Builder, nullable, derived => pub(super) lon;
    CLIENT_APP_USED client_app_used: Dict, nullable, text(client_app_used) => pub client_app;
    AUTHENTICATION_PROTOCOL authentication_protocol: Dict, nullable, text(authentication_protocol) => pub auth_protocol;
    USER_AGENT user_agent: Dict, nullable, text(user_agent) => pub user_agent;
    DEVICE_ID device_id: Dict, nullable, text(device_id) => pub device_id;
    DEVICE_NAME device_name: Dict, nullable, text(device_name) => pub device_name;
    DEVICE_OS device_os: Dict, nullable, text(device_os) => pub device_os;
    DEVICE_BROWSER device_browser: Dict, nullable, text(device_browser) => pub device_browser;
    DEVICE_COMPLIANT device_compliant: BooleanBuilder, nullable, copy(device_compliant) => pub(super) compliant;
    DEVICE_MANAGED device_managed: BooleanBuilder, nullable, copy(device_managed) => pub(super) managed;
    DEVICE_TRUST_TYPE device_trust_type: Dict, nullable, text(device_trust_type) => pub trust_type;
    AUTHENTICATION_REQUIREMENT authentication_requirement: Dict, nullable, text(authentication_requirement) => pub auth_requirement;
    MFA_RESULT mfa_result: Dict, nullable, text(mfa_result) => pub mfa_result;
    MFA_METHOD mfa_method: Dict, nullable, text(mfa_method) => pub mfa_method;
    MFA_DETAIL mfa_detail: Dict, nullable, text(mfa_detail) => pub mfa_detail;
    AUTH_DETAILS auth_details: AuthSteps, nullable, derived => pub(super) auth_details;
    CONDITIONAL_ACCESS_STATUS conditional_access_status: Dict, nullable, text(conditional_access_status) => pub conditional_access_status;
    CA_POLICIES ca_policies: CaPolicies, nullable, derived => pub ca_policies;
    RISK_LEVEL_AGGREGATED risk_level_aggregated: Dict, nullable, text(risk_level_aggregated) => pub risk_level_aggregated;
    RISK_LEVEL_DURING_SIGN_IN risk_level_during_sign_in: Dict, nullable, text(risk_level_during_sign_in) => pub risk_level_during_sign_in;
    RISK_STATE risk_state: Dict, nullable, text(risk_state) => pub risk_state;
    RISK_DETAIL risk_detail: Dict, nullable, text(risk_detail) => pub risk_detail;
    RISK_EVENT_TYPES risk_event_types: StringList, nullable, derived => pub(super) risk_event_types;
    SESSION_ID session_id: StringBuilder, nullable, text(session_id) => pub session_id;
    UNIQUE_TOKEN_IDENTIFIER unique_token_identifier: StringBuilder, nullable, text(unique_token_identifier) => pub unique_token;
    CORRELATION_ID correlation_id: StringBuilder, nullable, lower(correlation_id) => pub correlation_id;
    ORIGINAL_REQUEST_ID original_request_id: StringBuilder, nullable, lower(original_request_id) => pub original_request_id;
    INCOMING_TOKEN_TYPE incoming_token_type: Dict, nullable, text(incoming_token_type) => pub incoming_token_type;
    TOKEN_ISSUER_TYPE token_issuer_type: Dict, nullable, text(token_issuer_type) => pub token_issuer_type;
    CROSS_TENANT_ACCESS_TYPE cross_tenant_access_type: Dict, nullable, text(cross_tenant_access_type) => pub cross_tenant_access_type;
    ORIGINAL_TRANSFER_METHOD original_transfer_method: Dict, nullable, text(original_transfer_method) => pub original_transfer_method;
    CLIENT_CREDENTIAL_TYPE client_credential_type: Dict, nullable, text(client_credential_type) => pub client_credential_type;
    HOME_TENANT_ID home_tenant_id: Dict, nullable, text(home_tenant_id) => pub home_tenant_id;
    RESOURCE_TENANT_ID resource_tenant_id: Dict, nullable, text(resource_tenant_id) => pub resource_tenant_id;
    AUTONOMOUS_SYSTEM_NUMBER autonomous_system_number: UInt32Builder, nullable, nonzero(autonomous_system_number) => pub(super) asn;
    TIME_ZONE_ASSUMED time_zone_assumed: BooleanBuilder, required, derived => pub time_zone_assumed;
    LOST_FIELDS lost_fields: Dict, nullable, derived => pub lost_fields;
    SOURCE_FILE source_file: FileRuns, required, derived => pub source_file;
    SOURCE_FORMAT source_format: FormatRuns, required, derived => pub source_format;
    SOURCE_OFFSET source_offset: Ordinals, required, derived => pub(super) source_offset;
    SOURCE_RECORD source_record: Ordinals, required, derived => pub(super) source_record;
    SOURCE_LINE source_line: OptOrdinals, nullable, derived => pub(super) source_line;
}

/// The columns the audit reads back (baseline, detectors, enrichment, report), through [`Rows`] or
/// by name: a bucketed audit of a dataset decodes only these (and the required ones, which every
/// batch must carry); the others are read as nulls. The columns left out are those only the
/// inventory, `timeline`, `-o html` and the exports show. `audit::bucketed`'s test
/// `the_audit_reads_only_its_columns` audits the samples with every other column emptied.
pub const AUDIT_READS: &[&str] = &[
    col::TIMESTAMP,
    col::PRINCIPAL,
    col::REQUEST_ID,
    col::EVENT_TYPE,
    col::USER_PRINCIPAL_NAME,
    col::USER_ID,
    col::IS_INTERACTIVE,
    col::RESULT,
    col::ERROR_CODE,
    col::FAILURE_REASON,
    col::ADDITIONAL_DETAILS,
    col::APP_ID,
    col::APP_NAME,
    col::SERVICE_PRINCIPAL_ID,
    col::SERVICE_PRINCIPAL_NAME,
    col::IP_ADDRESS,
    col::CITY,
    col::STATE,
    col::COUNTRY,
    col::LATITUDE,
    col::LONGITUDE,
    col::CLIENT_APP_USED,
    col::AUTHENTICATION_PROTOCOL,
    col::USER_AGENT,
    col::DEVICE_ID,
    col::DEVICE_OS,
    col::DEVICE_BROWSER,
    col::DEVICE_COMPLIANT,
    col::DEVICE_MANAGED,
    col::MFA_RESULT,
    col::AUTH_DETAILS,
    col::CA_POLICIES,
    col::RISK_LEVEL_AGGREGATED,
    col::RISK_LEVEL_DURING_SIGN_IN,
    col::RISK_STATE,
    col::RISK_DETAIL,
    col::RISK_EVENT_TYPES,
    col::SESSION_ID,
    col::UNIQUE_TOKEN_IDENTIFIER,
    col::CORRELATION_ID,
    col::ORIGINAL_TRANSFER_METHOD,
    col::AUTONOMOUS_SYSTEM_NUMBER,
    col::TIME_ZONE_ASSUMED,
    col::LOST_FIELDS,
    col::SOURCE_FILE,
    col::SOURCE_FORMAT,
    col::SOURCE_OFFSET,
    col::SOURCE_RECORD,
    col::SOURCE_LINE,
];

/// The columns the first pass of a bucketed audit reads (`audit::bucketed::Facts`: the latest
/// sign-in, and per address and city the first record's ASN, coordinates and place), beside the
/// required ones. A subset of [`AUDIT_READS`]; `Facts`' test `facts_read_only_their_columns`
/// checks that facts of a table with every other column emptied are the same.
pub const FACTS_READS: &[&str] =
    &[col::IP_ADDRESS, col::AUTONOMOUS_SYSTEM_NUMBER, col::CITY, col::STATE, col::COUNTRY, col::LATITUDE, col::LONGITUDE];

/// The declared column called `name`.
pub fn column_def(name: &str) -> Option<&'static ColumnDef> {
    COLUMNS.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    use arrow_array::{Array, RecordBatch};

    use super::*;
    use crate::model::TableBuilder;
    use crate::model::schema::schema;
    use crate::model::time::parse_time;

    fn one_row(r: &SignIn<'_>) -> RecordBatch {
        let mut b = TableBuilder::new("f.json", "graph", 0);
        b.push(r).unwrap();
        b.finish().unwrap().batch
    }

    #[test]
    fn the_schema_is_the_declaration() {
        let s = schema();
        assert_eq!(s.fields().len(), COLUMNS.len());
        for (f, c) in s.fields().iter().zip(COLUMNS) {
            assert_eq!((f.name().as_str(), f.data_type(), f.is_nullable()), (c.name, &(c.data_type)(), c.nullable));
        }
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a column is declared twice");
    }

    /// Each fed column holds the value of the field it names, and names the field of its own name:
    /// two columns swapped in the declaration, in the builder or in the finished batch fail here.
    #[test]
    fn every_fed_column_holds_its_own_field() {
        let mut r = SignIn { time: parse_time("2024-01-01T00:00:00Z", 0), ..Default::default() };
        mark_string_fields(&mut r);
        let batch = one_row(&r);
        let mut checked = 0;
        for c in COLUMNS {
            let Source::Field { field, norm } = c.source else { continue };
            assert_eq!(field, c.name, "column {} is fed from another field", c.name);
            if matches!(norm, "copy" | "nonzero") {
                continue;
            }
            let a = batch.column_by_name(c.name).unwrap();
            let got = match a.as_dictionary_opt::<Int32Type>() {
                Some(d) => d.values().as_string::<i32>().value(d.keys().value(0) as usize).to_string(),
                None => a.as_string::<i32>().value(0).to_string(),
            };
            let want = if norm == "upper" { field.to_ascii_uppercase() } else { field.to_string() };
            assert_eq!(got, want, "column {}", c.name);
            checked += 1;
        }
        assert!(checked > 40, "{checked}");
    }

    #[test]
    fn rows_read_every_column() {
        let mut r = SignIn { time: parse_time("2024-01-01T00:00:00Z", 0), ..Default::default() };
        mark_string_fields(&mut r);
        r.autonomous_system_number = Some(64500);
        r.error_code = Some(50126);
        let batch = one_row(&r);
        let rows = Rows::new(&batch).unwrap();
        assert_eq!((rows.len, rows.ip.get(0), rows.client_app.get(0)), (1, Some("ip_address"), Some("client_app_used")));
        assert_eq!((rows.asn(0), rows.error_code(0)), (Some(64500), Some(50126)));
        assert!(batch.column(0).is_valid(0));
        // A batch of another shape is an error, not a panic.
        let other = batch.project(&[1, 0]).unwrap();
        assert!(Rows::new(&other).is_err());
    }
}
