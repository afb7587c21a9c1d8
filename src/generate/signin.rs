//! One synthetic sign-in ([`Event`]) as a pure function of `(seed, index)`, and its two renderings:
//! the Graph beta JSON record and the portal CSV row ([`Generator`]).

use super::text::*;
use super::vocab::*;
use super::*;

/// A sign-in before rendering: everything the JSON record and the CSV row are written from.
pub struct Event {
    pub interactive: bool,
    /// 100 ns ticks since the Unix epoch.
    pub time: i64,
    pub(super) id: [u8; 16],
    pub(super) correlation: [u8; 16],
    pub(super) session: [u8; 16],
    pub(super) token: [u8; 16],
    pub(super) user: u64,
    pub(super) guest: bool,
    pub(super) app: App,
    pub(super) resource: App,
    pub(super) client: Client,
    pub(super) ip: u64,
    pub(super) status: Status,
    pub(super) mfa: Option<(&'static str, &'static str)>,
    pub(super) ca_status: &'static str,
    pub(super) policies: [(u8, u8); 4],
    pub(super) n_policies: usize,
    pub(super) device: bool,
    pub(super) compliant: bool,
    pub(super) latency: u32,
    pub(super) auth_age_secs: i64,
    pub(super) named_network: bool,
    pub(super) kmsi: bool,
    /// A non-interactive sign-in lists its (previously satisfied) authentication step.
    pub(super) steps: bool,
}

/// Per-run constants and the sign-in factory.
pub struct Generator {
    pub(super) cfg: Config,
    pub(super) tenant: [u8; 16],
    pub(super) guest_tenant: [u8; 16],
    pub(super) policy_ids: Vec<[u8; 16]>,
}

impl Generator {
    pub fn new(cfg: &Config) -> Self {
        let mut r = Rng::new(mix(cfg.seed, u64::MAX));
        let tenant = r.guid();
        let guest_tenant = r.guid();
        let policy_ids = POLICY_NAMES.iter().map(|_| r.guid()).collect();
        Generator { cfg: cfg.clone(), tenant, guest_tenant, policy_ids }
    }

    /// Time of sign-in `i`: evenly spread, newest first, jittered inside its own slot so the order
    /// stays strictly newest-to-oldest across pages.
    pub fn time(&self, i: u64) -> i64 {
        let span = i128::from(self.cfg.days.max(1)) * 86_400 * i128::from(TICKS);
        let n = i128::from(self.cfg.sign_ins.max(1));
        let slot = (span / n).max(1) as i64;
        let base = END - (i128::from(i) * span / n) as i64;
        let jitter = (mix(self.cfg.seed ^ 0x7133, i) % slot as u64) as i64;
        // 100 ns precision like Graph (trailing zeros are dropped when written).
        base - 1 - jitter
    }

    pub fn event(&self, index: u64) -> Event {
        let seed = self.cfg.seed;
        let mut r = Rng::new(mix(seed, index));
        // Few heavy users, many light ones: square a uniform draw.
        let u = r.below(1 << 20);
        let user = (((u * u) >> 20) * self.cfg.users) >> 20;
        let mut ur = Rng::new(mix(seed ^ 0x05e5, user));
        let guest = ur.chance(30);
        let home_city = ur.below(CITIES.len() as u64);
        let has_device = ur.chance(700);
        let interactive = r.chance(300);
        let (app, client) = if interactive {
            (weighted(&mut r, APPS_INTERACTIVE), weighted(&mut r, CLIENTS_INTERACTIVE))
        } else {
            (weighted(&mut r, APPS_NON_INTERACTIVE), weighted(&mut r, CLIENTS_NON_INTERACTIVE))
        };
        let resource = weighted(&mut r, RESOURCES);
        // 85% from one of the user's three home IPs (all in the home city), otherwise anywhere.
        let per_city = IP_POOL / CITIES.len() as u64;
        let ip = if r.chance(850) {
            home_city + CITIES.len() as u64 * (mix(seed ^ 0x1b, user * 3 + r.below(3)) % per_city)
        } else {
            r.below(IP_POOL)
        };
        let status = weighted(&mut r, if interactive { STATUS_INTERACTIVE } else { STATUS_NON_INTERACTIVE });
        let mfa = match status.code {
            0 if status.details.is_some() => Some(("Previously satisfied", "")),
            0 if interactive && r.chance(450) => Some(*r.pick(MFA_METHODS)),
            500121 => Some(*r.pick(MFA_METHODS)),
            _ => None,
        };
        let n_policies = weighted(&mut r, &[(1usize, 60), (2, 25), (3, 10), (4, 5)]);
        let mut policies = [(0u8, 0u8); 4];
        let first = r.below(POLICY_NAMES.len() as u64);
        for (k, p) in policies.iter_mut().enumerate().take(n_policies) {
            let id = ((first + k as u64) % POLICY_NAMES.len() as u64) as u8;
            let result = if status.code == 53003 && k == 0 {
                1
            } else if id == 6 {
                4 // report-only
            } else if r.chance(550) {
                0
            } else {
                2
            };
            *p = (id, result);
        }
        let ca_status = if status.code == 53003 {
            "failure"
        } else if policies[..n_policies].iter().any(|p| p.1 == 0) {
            "success"
        } else {
            "notApplied"
        };
        Event {
            interactive,
            time: self.time(index),
            id: r.guid(),
            correlation: r.guid(),
            session: ur.guid(),
            token: r.guid(),
            user,
            guest,
            app,
            resource,
            client,
            ip,
            status,
            mfa,
            ca_status,
            policies,
            n_policies,
            device: has_device && !matches!(client.os, "Linux"),
            compliant: has_device && ur.chance(850),
            latency: 40 + r.below(if interactive { 900 } else { 250 }) as u32,
            auth_age_secs: r.below(14 * 86_400) as i64,
            named_network: r.chance(300),
            kmsi: r.chance(200),
            steps: r.chance(600),
        }
    }

    fn user_name(&self, user: u64) -> (&'static str, &'static str) {
        let h = mix(self.cfg.seed ^ 0x4a3e, user);
        (FIRST_NAMES[(h % FIRST_NAMES.len() as u64) as usize], LAST_NAMES[((h >> 32) % LAST_NAMES.len() as u64) as usize])
    }

    fn user_guid(&self, user: u64) -> [u8; 16] {
        Rng::new(mix(self.cfg.seed ^ 0x0b1d, user)).guid()
    }

    fn device_guid(&self, user: u64) -> [u8; 16] {
        Rng::new(mix(self.cfg.seed ^ 0xde71, user)).guid()
    }

    fn upn(&self, b: &mut Vec<u8>, ev: &Event) {
        b.extend_from_slice(b"user");
        push_u64(b, ev.user);
        b.extend_from_slice(if ev.guest { b"@fabrikam.example" } else { b"@contoso.example" });
    }

    /// One Graph beta signIn object, compact, Graph's field order.
    pub fn write_json(&self, ev: &Event, b: &mut Vec<u8>) {
        let (first, last) = self.user_name(ev.user);
        let home_tenant = if ev.guest { self.guest_tenant } else { self.tenant };
        let city = CITIES[(ev.ip % CITIES.len() as u64) as usize];
        let mfa_required = ev.mfa.is_some() || matches!(ev.status.code, 50074 | 500121);

        b.extend_from_slice(b"{\"id\":");
        q_guid(b, &ev.id);
        b.extend_from_slice(b",\"createdDateTime\":\"");
        push_time(b, ev.time, true);
        b.extend_from_slice(b"\",\"userDisplayName\":\"");
        esc(b, first);
        b.push(b' ');
        esc(b, last);
        b.extend_from_slice(b"\",\"userPrincipalName\":\"");
        self.upn(b, ev);
        b.extend_from_slice(b"\",\"userId\":");
        q_guid(b, &self.user_guid(ev.user));
        b.extend_from_slice(b",\"appId\":\"");
        b.extend_from_slice(ev.app.id.as_bytes());
        b.extend_from_slice(b"\",\"appDisplayName\":\"");
        esc(b, ev.app.name);
        b.extend_from_slice(b"\",\"ipAddress\":\"");
        push_ip(b, self.cfg.seed, ev.ip);
        b.extend_from_slice(b"\",\"ipAddressFromResourceProvider\":null,\"clientAppUsed\":\"");
        b.extend_from_slice(ev.client.client_app.as_bytes());
        b.extend_from_slice(b"\",\"userAgent\":\"");
        esc(b, ev.client.ua);
        b.extend_from_slice(b"\",\"correlationId\":");
        q_guid(b, &ev.correlation);
        b.extend_from_slice(b",\"conditionalAccessStatus\":\"");
        b.extend_from_slice(ev.ca_status.as_bytes());
        b.extend_from_slice(b"\",\"originalRequestId\":");
        q_guid(b, &ev.id);
        b.extend_from_slice(if ev.interactive { b",\"isInteractive\":true" } else { b",\"isInteractive\":false" });
        b.extend_from_slice(b",\"tokenIssuerName\":\"\",\"tokenIssuerType\":\"AzureAD\",\"clientCredentialType\":\"none\",\"processingTimeInMilliseconds\":");
        push_u64(b, u64::from(ev.latency));
        b.extend_from_slice(b",\"riskDetail\":\"none\",\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\",\"riskEventTypes\":[],\"riskEventTypes_v2\":[],\"resourceDisplayName\":\"");
        esc(b, ev.resource.name);
        b.extend_from_slice(b"\",\"resourceId\":\"");
        b.extend_from_slice(ev.resource.id.as_bytes());
        b.extend_from_slice(b"\",\"resourceTenantId\":");
        q_guid(b, &self.tenant);
        b.extend_from_slice(b",\"homeTenantId\":");
        q_guid(b, &home_tenant);
        b.extend_from_slice(b",\"homeTenantName\":\"\",\"authenticationMethodsUsed\":[");
        if ev.interactive && !matches!(ev.status.code, 50058 | 65001) {
            b.extend_from_slice(b"\"Password\"");
            if let Some((m, _)) = ev.mfa.filter(|m| m.0 != "Previously satisfied") {
                b.extend_from_slice(b",\"");
                b.extend_from_slice(m.as_bytes());
                b.push(b'"');
            }
        }
        b.extend_from_slice(b"],\"authenticationRequirement\":\"");
        b.extend_from_slice(if mfa_required { b"multiFactorAuthentication" } else { b"singleFactorAuthentication" });
        b.extend_from_slice(b"\",\"signInIdentifier\":\"");
        if ev.interactive {
            self.upn(b, ev);
        }
        b.extend_from_slice(b"\",\"signInIdentifierType\":null,\"servicePrincipalName\":\"\",\"signInEventTypes\":[\"");
        b.extend_from_slice(if ev.interactive { b"interactiveUser" } else { b"nonInteractiveUser" });
        b.extend_from_slice(b"\"],\"servicePrincipalId\":\"\",\"userType\":\"");
        b.extend_from_slice(if ev.guest { b"guest" } else { b"member" });
        b.extend_from_slice(b"\",\"flaggedForReview\":false,\"isTenantRestricted\":false,\"autonomousSystemNumber\":");
        push_u64(b, u64::from(asn(self.cfg.seed, ev.ip)));
        b.extend_from_slice(b",\"crossTenantAccessType\":\"");
        b.extend_from_slice(if ev.guest { b"b2bCollaboration" } else { b"none" });
        b.extend_from_slice(b"\",\"uniqueTokenIdentifier\":\"");
        push_b64(b, &ev.token);
        b.extend_from_slice(b"\",\"incomingTokenType\":\"");
        b.extend_from_slice(incoming_token(ev).as_bytes());
        b.extend_from_slice(b"\",\"authenticationProtocol\":\"");
        b.extend_from_slice(if ev.interactive { b"oAuth2" } else { b"none" });
        b.extend_from_slice(b"\",\"signInTokenProtectionStatus\":\"");
        b.extend_from_slice(if ev.device { b"bound" } else { b"unbound" });
        b.extend_from_slice(b"\",\"originalTransferMethod\":\"none\",\"isThroughGlobalSecureAccess\":false,\"sessionId\":");
        q_guid(b, &ev.session);
        b.extend_from_slice(b",\"mfaDetail\":{\"authMethod\":");
        match ev.mfa {
            Some((m, d)) => {
                b.push(b'"');
                b.extend_from_slice(m.as_bytes());
                b.extend_from_slice(b"\",\"authDetail\":");
                if d.is_empty() {
                    b.extend_from_slice(b"null");
                } else {
                    b.push(b'"');
                    b.extend_from_slice(d.as_bytes());
                    b.push(b'"');
                }
            }
            None => b.extend_from_slice(b"null,\"authDetail\":null"),
        }
        b.extend_from_slice(b"},\"status\":{\"errorCode\":");
        push_u64(b, u64::from(ev.status.code));
        b.extend_from_slice(b",\"failureReason\":\"");
        b.extend_from_slice(ev.status.reason.as_bytes());
        b.extend_from_slice(b"\",\"additionalDetails\":");
        match ev.status.details {
            Some(d) => {
                b.push(b'"');
                b.extend_from_slice(d.as_bytes());
                b.push(b'"');
            }
            None => b.extend_from_slice(b"null"),
        }
        b.extend_from_slice(b"},\"deviceDetail\":{\"deviceId\":\"");
        if ev.device {
            push_guid(b, &self.device_guid(ev.user));
        }
        b.extend_from_slice(b"\",\"displayName\":\"");
        if ev.device {
            device_name(b, ev.user, ev.client.os);
        }
        b.extend_from_slice(b"\",\"operatingSystem\":\"");
        b.extend_from_slice(ev.client.os.as_bytes());
        b.extend_from_slice(b"\",\"browser\":\"");
        b.extend_from_slice(ev.client.browser.as_bytes());
        b.extend_from_slice(b"\",\"isCompliant\":");
        b.extend_from_slice(if ev.device && ev.compliant { b"true" } else { b"false" });
        b.extend_from_slice(b",\"isManaged\":");
        b.extend_from_slice(if ev.device { b"true" } else { b"false" });
        b.extend_from_slice(b",\"trustType\":\"");
        if ev.device {
            b.extend_from_slice(trust_type(ev.client.os).as_bytes());
        }
        b.extend_from_slice(b"\"},\"location\":{\"city\":\"");
        b.extend_from_slice(city.0.as_bytes());
        b.extend_from_slice(b"\",\"state\":\"");
        b.extend_from_slice(city.1.as_bytes());
        b.extend_from_slice(b"\",\"countryOrRegion\":\"");
        b.extend_from_slice(city.2.as_bytes());
        b.extend_from_slice(b"\",\"geoCoordinates\":{\"altitude\":null,\"latitude\":");
        b.extend_from_slice(city.3.as_bytes());
        b.extend_from_slice(b",\"longitude\":");
        b.extend_from_slice(city.4.as_bytes());
        b.extend_from_slice(b"}},\"appliedConditionalAccessPolicies\":[");
        for (k, &(p, result)) in ev.policies[..ev.n_policies].iter().enumerate() {
            if k > 0 {
                b.push(b',');
            }
            self.write_policy(b, p, result);
        }
        b.extend_from_slice(
            b"],\"authenticationContextClassReferences\":[],\"authenticationProcessingDetails\":[{\"key\":\"Is CAE Token\",\"value\":\"",
        );
        if ev.interactive {
            b.extend_from_slice(
                b"False\"},{\"key\":\"Oauth Scope Info\",\"value\":\"[\\\"email\\\",\\\"openid\\\",\\\"profile\\\",\\\"User.Read\\\"]",
            );
        } else {
            b.extend_from_slice(b"True\"},{\"key\":\"Azure AD App Authentication Library\",\"value\":\"");
            b.extend_from_slice(ev.client.library.as_bytes());
        }
        b.extend_from_slice(b"\"}],\"networkLocationDetails\":[");
        if ev.named_network {
            b.extend_from_slice(b"{\"networkType\":\"namedNetwork\",\"networkNames\":[\"");
            b.extend_from_slice(city.2.as_bytes());
            b.extend_from_slice(b" offices\"]}");
        }
        b.extend_from_slice(b"],\"authenticationDetails\":[");
        self.write_auth_details(b, ev);
        b.extend_from_slice(b"],\"authenticationRequirementPolicies\":[");
        if mfa_required {
            b.extend_from_slice(b"{\"requirementProvider\":\"multiConditionalAccess\",\"detail\":\"Conditional Access\"}");
        }
        b.extend_from_slice(b"],\"sessionLifetimePolicies\":[");
        if ev.kmsi {
            b.extend_from_slice(b"{\"expirationRequirement\":\"rememberMultifactorAuthenticationOnTrustedDevices\",\"detail\":\"Remember MFA on trusted devices\"}");
        } else if !ev.device && ev.interactive {
            b.extend_from_slice(b"{\"expirationRequirement\":\"signInFrequencyPeriodicReauthentication\",\"detail\":\"Sign-in frequency periodic reauthentication\"}");
        }
        b.extend_from_slice(b"]}");
    }

    fn write_policy(&self, b: &mut Vec<u8>, p: u8, result: u8) {
        const RESULTS: [&str; 5] = ["success", "failure", "notApplied", "notEnabled", "reportOnlySuccess"];
        let applied = result != 2;
        b.extend_from_slice(b"{\"id\":");
        q_guid(b, &self.policy_ids[p as usize]);
        b.extend_from_slice(b",\"displayName\":\"");
        esc(b, POLICY_NAMES[p as usize]);
        b.extend_from_slice(b"\",\"enforcedGrantControls\":[");
        if applied {
            b.extend_from_slice(match p {
                1 | 4 => b"\"Block\"".as_slice(),
                2 => b"\"RequireCompliantDevice\",\"RequireDomainJoinedDevice\"",
                7 => b"\"TermsOfUse\"",
                _ => b"\"Mfa\"",
            });
        }
        b.extend_from_slice(b"],\"enforcedSessionControls\":[");
        if applied && p == 3 {
            b.extend_from_slice(b"\"SignInFrequency\"");
        }
        b.extend_from_slice(b"],\"result\":\"");
        b.extend_from_slice(RESULTS[result as usize].as_bytes());
        b.extend_from_slice(b"\",\"conditionsSatisfied\":\"");
        b.extend_from_slice(if applied { b"application,users" } else { b"none" });
        b.extend_from_slice(b"\"}");
    }

    fn write_auth_details(&self, b: &mut Vec<u8>, ev: &Event) {
        let step = |b: &mut Vec<u8>, t: i64, method: &str, detail: Option<&str>, ok: bool, result: &str, requirement: &str| {
            b.extend_from_slice(b"{\"authenticationStepDateTime\":\"");
            push_time(b, t, false);
            b.extend_from_slice(b"\",\"authenticationMethod\":\"");
            b.extend_from_slice(method.as_bytes());
            b.extend_from_slice(b"\",\"authenticationMethodDetail\":");
            match detail {
                Some(d) => {
                    b.push(b'"');
                    b.extend_from_slice(d.as_bytes());
                    b.push(b'"');
                }
                None => b.extend_from_slice(b"null"),
            }
            b.extend_from_slice(if ok { b",\"succeeded\":true" } else { b",\"succeeded\":false" });
            b.extend_from_slice(b",\"authenticationStepResultDetail\":\"");
            b.extend_from_slice(result.as_bytes());
            b.extend_from_slice(b"\",\"authenticationStepRequirement\":\"");
            b.extend_from_slice(requirement.as_bytes());
            b.extend_from_slice(b"\"}");
        };
        let t = ev.time;
        let earlier = t - (ev.auth_age_secs * TICKS);
        if !ev.interactive {
            // Refresh-token redemptions often carry no step at all.
            if ev.steps {
                step(
                    b,
                    earlier,
                    "Previously satisfied",
                    None,
                    true,
                    "First factor requirement satisfied by claim in the token",
                    "Primary authentication",
                );
            }
            return;
        }
        match ev.status.code {
            50058 | 65001 => {}
            50126 | 50053 => step(
                b,
                t,
                "Password",
                Some("Password in the cloud"),
                false,
                "Invalid username or password or Invalid on-premise username or password.",
                "Primary authentication",
            ),
            _ => {
                step(b, t, "Password", Some("Password in the cloud"), true, "Correct password", "Primary authentication");
                match (ev.mfa, ev.status.code) {
                    (Some(("Previously satisfied", _)), _) => {
                        b.push(b',');
                        step(
                            b,
                            earlier,
                            "Previously satisfied",
                            None,
                            true,
                            "MFA requirement satisfied by claim in the token",
                            "Multi-factor authentication",
                        );
                    }
                    (Some((m, _)), 500121) => {
                        b.push(b',');
                        step(b, t, m, None, false, "Authentication in progress", "Multi-factor authentication");
                    }
                    (Some((m, _)), _) => {
                        b.push(b',');
                        step(b, t, m, None, true, "MFA successfully completed", "Multi-factor authentication");
                    }
                    (None, 50074) => {
                        b.push(b',');
                        step(b, t, "Mobile app notification", None, false, "MFA required in Azure AD", "Multi-factor authentication");
                    }
                    _ => {}
                }
            }
        }
    }

    /// One portal CSV row (57 quoted fields, CRLF), the same sign-in as [`Self::write_json`].
    pub fn write_csv(&self, ev: &Event, b: &mut Vec<u8>) {
        let (first, last) = self.user_name(ev.user);
        let home_tenant = if ev.guest { self.guest_tenant } else { self.tenant };
        let city = CITIES[(ev.ip % CITIES.len() as u64) as usize];
        let mfa_required = ev.mfa.is_some() || matches!(ev.status.code, 50074 | 500121);
        let mut f = Fields { b, first: true };
        f.with(|b| push_time_seconds(b, ev.time));
        f.with(|b| push_guid(b, &ev.id));
        f.text(ev.client.ua);
        f.with(|b| push_guid(b, &ev.correlation));
        f.with(|b| push_guid(b, &self.user_guid(ev.user)));
        f.with(|b| {
            b.extend_from_slice(first.as_bytes());
            b.push(b' ');
            csv_esc(b, last);
        });
        f.with(|b| self.upn(b, ev));
        f.text(if ev.guest { "Guest" } else { "Member" });
        f.text(if ev.guest { "b2bCollaboration" } else { "none" });
        f.text(incoming_token(ev));
        f.text(if ev.interactive { "oAuth2" } else { "none" });
        f.with(|b| push_b64(b, &ev.token));
        f.text("none");
        f.text("none");
        f.text(if ev.device { "bound" } else { "unbound" });
        f.text(if ev.device { "0" } else { "1002" });
        f.text(ev.app.name);
        f.text(ev.app.id);
        f.text(""); // App owner tenant ID: a newer column, left empty
        f.text(ev.resource.name);
        f.text(ev.resource.id);
        f.with(|b| push_guid(b, &self.tenant));
        f.text(""); // Resource owner tenant ID
        f.with(|b| push_guid(b, &home_tenant));
        f.text("");
        f.with(|b| push_ip(b, self.cfg.seed, ev.ip));
        f.with(|b| {
            b.extend_from_slice(city.0.as_bytes());
            b.extend_from_slice(b", ");
            b.extend_from_slice(city.1.as_bytes());
            b.extend_from_slice(b", ");
            b.extend_from_slice(city.2.as_bytes());
        });
        f.text(ev.status.portal);
        f.with(|b| push_u64(b, u64::from(ev.status.code)));
        f.text(if ev.status.code == 0 { "" } else { ev.status.reason });
        f.text(ev.client.client_app);
        f.with(|b| {
            if ev.device {
                push_guid(b, &self.device_guid(ev.user));
            }
        });
        f.text(ev.client.browser);
        f.text(ev.client.os);
        f.text(if ev.device && ev.compliant { "Yes" } else { "No" });
        f.text(if ev.device { "Yes" } else { "No" });
        f.text(if ev.device { trust_type(ev.client.os) } else { "" });
        let (mfa_result, mfa_method, mfa_detail) = match (ev.mfa, ev.status.code) {
            (Some(("Previously satisfied", _)), _) => ("MFA requirement satisfied by claim in the token", "Previously satisfied", ""),
            (Some((m, d)), 500121) => ("Authentication in progress", m, d),
            (Some((m, d)), _) => ("MFA successfully completed", m, d),
            (None, 50074) => ("MFA required in Azure AD", "", ""),
            _ => ("", "", ""),
        };
        f.text(mfa_result);
        f.text(mfa_method);
        f.text(mfa_detail);
        f.text(if mfa_required { "Multifactor authentication" } else { "Single-factor authentication" });
        f.with(|b| {
            if ev.interactive {
                self.upn(b, ev);
            }
        });
        f.with(|b| push_guid(b, &ev.session));
        f.text("");
        f.text("No");
        f.text("");
        f.with(|b| push_u64(b, u64::from(asn(self.cfg.seed, ev.ip))));
        f.text("No");
        f.text("AzureAD");
        f.text(incoming_token(ev));
        f.text("");
        f.with(|b| {
            push_u64(b, u64::from(ev.latency));
            b.extend_from_slice(b"ms");
        });
        f.text(match ev.ca_status {
            "success" => "Success",
            "failure" => "Failure",
            _ => "Not Applied",
        });
        for _ in 0..4 {
            f.text("");
        }
        f.b.extend_from_slice(b"\r\n");
    }
}
