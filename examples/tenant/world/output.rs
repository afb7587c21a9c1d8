//! The tenant's sign-ins as evidence: Microsoft Graph beta `auditLogs/signIns` pages (interactive
//! and non-interactive, as a collection script saves them), or directly as the normalized table.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};
use signin_audit::model::table::Segment;
use signin_audit::model::time::{TimeValue, format_rfc3339};
use signin_audit::model::{AuthStep, EventType, SignIn, SignInTable, SourceRef, TableBuilder};

use super::{Event, Rec};

/// Records per Graph page.
pub const PAGE_SIZE: usize = 1000;

const TENANT_ID: &str = "6c1d7e0a-5a7f-4b2e-9c41-3e9a2f7d1b55";

/// `status.failureReason` of an error code.
fn failure_reason(code: i32) -> &'static str {
    match code {
        0 => "Other.",
        50034 => "The user account does not exist in the tenant directory.",
        50053 => "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
        50074 => "Strong Authentication is required.",
        50076 => {
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource."
        }
        50126 => "Error validating credentials due to invalid username or password.",
        53003 => "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        500121 => "Authentication failed during strong authentication request.",
        _ => "Other.",
    }
}

/// One sign-in as Graph beta returns it.
pub fn to_graph(r: &Rec) -> Value {
    let interactive = r.event == Event::Interactive;
    let dev = r.device.clone().unwrap_or(super::Device {
        id: None,
        name: String::new(),
        os: "",
        browser: "",
        managed: false,
        compliant: false,
        trust: "",
    });
    let (level, state, detail, types) = r.risk.clone().unwrap_or(("none", "none", "none", Vec::new()));
    let mut v = json!({
        "id": r.id,
        "createdDateTime": format_rfc3339(r.t),
        "userDisplayName": r.display,
        "userPrincipalName": r.upn,
        "userId": r.user_id,
        "appId": r.app.1,
        "appDisplayName": r.app.0,
        "ipAddress": r.ip,
        "clientAppUsed": r.client,
        "userAgent": r.ua,
        "correlationId": r.corr,
        "conditionalAccessStatus": if r.code == 53003 { "failure" } else { "notApplied" },
        "originalRequestId": r.id,
        "isInteractive": interactive,
        "tokenIssuerType": "AzureAD",
        "riskDetail": detail,
        "riskLevelAggregated": level,
        "riskLevelDuringSignIn": level,
        "riskState": state,
        "riskEventTypes_v2": types,
        "resourceDisplayName": r.resource.0,
        "resourceId": r.resource.1,
        "resourceTenantId": TENANT_ID,
        "homeTenantId": TENANT_ID,
        "authenticationRequirement": r.requirement,
        "userType": "member",
        "crossTenantAccessType": "none",
        "uniqueTokenIdentifier": r.token,
        "incomingTokenType": r.incoming,
        "authenticationProtocol": r.protocol,
        "originalTransferMethod": r.transfer,
        "sessionId": r.session.clone().unwrap_or_default(),
        "signInEventTypes": [if interactive { "interactiveUser" } else { "nonInteractiveUser" }],
    });
    let nested = json!({
        "status": {"errorCode": r.code, "failureReason": failure_reason(r.code), "additionalDetails": r.details},
        "deviceDetail": {
            "deviceId": dev.id.unwrap_or_default(),
            "displayName": dev.name,
            "operatingSystem": dev.os,
            "browser": dev.browser,
            "isCompliant": dev.compliant,
            "isManaged": dev.managed,
            "trustType": dev.trust,
        },
        "location": {
            "city": r.place.name,
            "state": r.place.state,
            "countryOrRegion": r.place.cc,
            "geoCoordinates": {"altitude": null, "latitude": r.place.lat, "longitude": r.place.lon},
        },
        "appliedConditionalAccessPolicies": [],
        "authenticationDetails": r.steps.iter().map(|(m, ok, d)| json!({
            "authenticationStepDateTime": format_rfc3339(r.t),
            "authenticationMethod": m,
            "succeeded": ok,
            "authenticationStepResultDetail": d,
        })).collect::<Vec<_>>(),
        "networkLocationDetails": [],
    });
    if let (Some(o), Value::Object(more)) = (v.as_object_mut(), nested) {
        o.extend(more);
        if r.asn != 0 {
            o.insert("autonomousSystemNumber".into(), json!(r.asn));
        }
    }
    v
}

/// Write the records as Graph beta pages, newest first: `DIR/interactive/page-0001.json`... and
/// `DIR/non-interactive/page-0001.json`... Returns the number of files written.
pub fn write_graph(records: &[Rec], dir: &Path) -> io::Result<usize> {
    let mut files = 0;
    for (event, sub, filter) in
        [(Event::Interactive, "interactive", "interactiveUser"), (Event::NonInteractive, "non-interactive", "nonInteractiveUser")]
    {
        let out = dir.join(sub);
        std::fs::create_dir_all(&out)?;
        let mut rows: Vec<&Rec> = records.iter().filter(|r| r.event == event).collect();
        rows.reverse();
        let pages: Vec<&[&Rec]> = rows.chunks(PAGE_SIZE).collect();
        for (n, page) in pages.iter().enumerate() {
            let base = format!(
                "https://graph.microsoft.com/beta/auditLogs/signIns?$filter=signInEventTypes/any(t:t eq '{filter}')&$top={PAGE_SIZE}"
            );
            let mut doc = json!({
                "@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns",
                "value": page.iter().map(|r| to_graph(r)).collect::<Vec<_>>(),
            });
            if n + 1 < pages.len()
                && let Some(o) = doc.as_object_mut()
            {
                o.insert("@odata.nextLink".into(), json!(format!("{base}&$skiptoken={:08x}", n + 1)));
            }
            let mut f = io::BufWriter::new(std::fs::File::create(out.join(format!("page-{:04}.json", n + 1)))?);
            serde_json::to_writer(&mut f, &doc)?;
            f.write_all(b"\n")?;
            f.flush()?;
            files += 1;
        }
    }
    Ok(files)
}

fn owned(s: &str) -> Option<Cow<'static, str>> {
    if s.is_empty() { None } else { Some(Cow::Owned(s.to_string())) }
}

/// One record as a parser would have normalized it from its Graph page.
pub fn to_signin(r: &Rec, n: usize) -> SignIn<'static> {
    let dev = r.device.as_ref();
    SignIn {
        time: Some(TimeValue::Utc { micros: r.t, zoned: true }),
        request_id: owned(&r.id),
        user_principal_name: owned(&r.upn),
        user_id: owned(&r.user_id),
        user_display_name: owned(&r.display),
        event_type: Some(if r.event == Event::Interactive { EventType::Interactive } else { EventType::NonInteractive }),
        is_interactive: Some(r.event == Event::Interactive),
        error_code: Some(r.code),
        failure_reason: owned(failure_reason(r.code)),
        additional_details: r.details.and_then(owned),
        app_id: owned(r.app.1),
        app_name: owned(r.app.0),
        resource_id: owned(r.resource.1),
        resource_name: owned(r.resource.0),
        ip_address: owned(&r.ip),
        city: owned(r.place.name),
        state: owned(r.place.state),
        country: owned(r.place.cc),
        latitude: Some(r.place.lat),
        longitude: Some(r.place.lon),
        client_app_used: owned(r.client),
        authentication_protocol: owned(r.protocol),
        user_agent: owned(&r.ua),
        device_id: dev.and_then(|d| d.id.as_deref()).and_then(owned),
        device_name: dev.and_then(|d| owned(&d.name)),
        device_os: dev.and_then(|d| owned(d.os)),
        device_browser: dev.and_then(|d| owned(d.browser)),
        device_compliant: Some(dev.is_some_and(|d| d.compliant)),
        device_managed: Some(dev.is_some_and(|d| d.managed)),
        device_trust_type: dev.and_then(|d| owned(d.trust)),
        authentication_requirement: owned(r.requirement),
        auth_details: r
            .steps
            .iter()
            .map(|(m, ok, d)| AuthStep {
                time: Some(r.t),
                method: owned(m),
                succeeded: Some(*ok),
                result_detail: owned(d),
                ..AuthStep::default()
            })
            .collect(),
        conditional_access_status: owned(if r.code == 53003 { "failure" } else { "notApplied" }),
        risk_level_aggregated: r.risk.as_ref().map(|x| x.0).or(Some("none")).and_then(owned),
        risk_level_during_sign_in: r.risk.as_ref().map(|x| x.0).or(Some("none")).and_then(owned),
        risk_state: r.risk.as_ref().map(|x| x.1).or(Some("none")).and_then(owned),
        risk_detail: r.risk.as_ref().map(|x| x.2).or(Some("none")).and_then(owned),
        risk_event_types: r.risk.as_ref().map(|x| x.3.iter().map(|t| Cow::Owned(t.to_string())).collect()).unwrap_or_default(),
        session_id: r.session.as_deref().and_then(owned),
        unique_token_identifier: owned(&r.token),
        correlation_id: owned(&r.corr),
        original_request_id: owned(&r.id),
        incoming_token_type: owned(r.incoming),
        original_transfer_method: owned(r.transfer),
        autonomous_system_number: (r.asn != 0).then_some(r.asn),
        source: SourceRef { offset: n as u64 * 1000, record: n as u64 + 1, line: None },
        ..SignIn::default()
    }
}

/// The normalized table of the records, built directly (no JSON in between).
pub fn table(records: &[Rec]) -> SignInTable {
    let mut b = TableBuilder::new("tenant/graph", "graph", 0);
    for (n, r) in records.iter().enumerate() {
        if let Err(e) = b.push(&to_signin(r, n)) {
            panic!("record {}: {e:?}", r.id);
        }
    }
    let built = b.finish().unwrap_or_else(|e| panic!("table: {e}"));
    SignInTable::merge(vec![Segment::single(0, built)]).unwrap_or_else(|e| panic!("merge: {e}")).0
}
