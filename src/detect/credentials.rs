//! What a sign-in's outcome says about the password: the attempt failed on it (a wrong guess, no
//! such account, a locked account), the password was right but something after it stopped the
//! sign-in (MFA, Conditional Access, an expired password), or the sign-in succeeded.
//!
//! The error-code sets are declared here once and shared by `password_spray`, `brute_force`,
//! `valid_credentials_blocked` and `mfa_sweep`, and through [`super::common::failure_risk`] by
//! `legacy_protocol` and `suspicious_user_agent` (a failure is rated by whether the password was
//! right). Source: Entra's error-code reference
//! (<https://learn.microsoft.com/entra/identity-platform/reference-error-codes>) read with the
//! "success-like" codes of Sentinel's `SigninPasswordSpray.yaml` (Azure/Azure-Sentinel) and the
//! failure codes of Elastic's `credential_access_entra_id_brute_force_activity.toml`
//! (elastic/detection-rules).

use crate::model::view::Rows;

/// Codes of an attempt that failed on the credentials themselves: wrong password (50126, 50056),
/// unknown account (50034, 51004), locked by smart lockout or a malicious-IP block (50053),
/// a disabled account (50057: whether the password was right is not recorded), and a generic
/// credential-validation error (50064). Sorted (checked by a test).
pub const CREDENTIAL_FAILURE_CODES: &[i32] = &[50034, 50053, 50056, 50057, 50064, 50126, 51004];

/// Codes that are only returned once the first factor was accepted: the password was right, and MFA,
/// Conditional Access or the password's age stopped the sign-in. 50055 expired password (Sentinel
/// counts it success-like), 50072/50079 MFA registration required, 50074/50076 MFA required,
/// 500121 MFA failed or denied, 50158 external security challenge, 50097/50155 device
/// authentication, 50125 password-reset registration, 53000-53003 Conditional Access (evaluated
/// after the first factor). Sorted (checked by a test).
pub const PASSWORD_VERIFIED_CODES: &[i32] =
    &[50055, 50072, 50074, 50076, 50079, 50097, 50125, 50155, 50158, 53000, 53001, 53002, 53003, 500121];

/// The subset of [`PASSWORD_VERIFIED_CODES`] where the account has no MFA method yet: whoever holds
/// the password can register their own (peers' "takeover risk", Entra error codes 50072/50079).
pub const MFA_REGISTRATION_CODES: &[i32] = &[50072, 50079];

/// What an attempt tells about the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Credential {
    /// Wrong password, unknown, locked or disabled account.
    Failed,
    /// The password was right; the sign-in was stopped after it.
    Verified,
    /// The sign-in succeeded.
    Succeeded,
}

impl Credential {
    pub fn as_str(self) -> &'static str {
        match self {
            Credential::Failed => "failed",
            Credential::Verified => "password_verified",
            Credential::Succeeded => "succeeded",
        }
    }
}

/// Classify an error code alone (0 is a success); `None` for codes that say nothing about the
/// password (token errors, consent, device-code polling...).
pub fn classify_code(code: i32) -> Option<Credential> {
    if code == 0 {
        Some(Credential::Succeeded)
    } else if CREDENTIAL_FAILURE_CODES.binary_search(&code).is_ok() {
        Some(Credential::Failed)
    } else if PASSWORD_VERIFIED_CODES.binary_search(&code).is_ok() {
        Some(Credential::Verified)
    } else {
        None
    }
}

/// Classify row `i`: the result column first (a success is a success whatever the code), then the
/// error code, then a failed sign-in whose password step succeeded ("Correct password", Sentinel
/// `NewCountryValidCreds.yaml`).
pub fn classify(rows: &Rows<'_>, i: usize) -> Option<Credential> {
    if rows.is_success(i) {
        return Some(Credential::Succeeded);
    }
    if let Some(c) = rows.error_code(i).and_then(classify_code) {
        return Some(c);
    }
    let password_ok = rows.steps(i).any(|s| s.succeeded == Some(true) && s.method.is_some_and(|m| m.eq_ignore_ascii_case("password")));
    password_ok.then_some(Credential::Verified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_sets_are_sorted_and_disjoint() {
        for set in [CREDENTIAL_FAILURE_CODES, PASSWORD_VERIFIED_CODES, MFA_REGISTRATION_CODES] {
            assert!(set.windows(2).all(|w| w[0] < w[1]), "{set:?}");
        }
        assert!(CREDENTIAL_FAILURE_CODES.iter().all(|c| !PASSWORD_VERIFIED_CODES.contains(c)));
        assert!(MFA_REGISTRATION_CODES.iter().all(|c| PASSWORD_VERIFIED_CODES.contains(c)));
    }

    #[test]
    fn codes() {
        assert_eq!(classify_code(0), Some(Credential::Succeeded));
        assert_eq!(classify_code(50126), Some(Credential::Failed));
        assert_eq!(classify_code(50034), Some(Credential::Failed));
        assert_eq!(classify_code(50076), Some(Credential::Verified));
        assert_eq!(classify_code(53003), Some(Credential::Verified));
        assert_eq!(classify_code(70016), None);
    }
}
