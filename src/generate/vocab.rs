//! What synthetic sign-ins are drawn from: first and last names, cities with coordinates, ASNs and
//! address blocks, apps and resources, clients (user agent, OS, browser, client app, protocol),
//! sign-in statuses with their error codes, Conditional Access policy names and MFA methods, each
//! with its weight.

// ---------------------------------------------------------------------------------------------
// Vocabulary

pub(super) const FIRST_NAMES: &[&str] = &[
    "Zoë",
    "José",
    "François",
    "Jürgen",
    "Søren",
    "Łukasz",
    "Chloé",
    "Björn",
    "Inès",
    "Mateus",
    "Ana",
    "Oliver",
    "Emma",
    "Liam",
    "Noah",
    "Mia",
    "Sofía",
    "Aurélie",
    "Jiří",
    "Ingrid",
    "Kenji",
    "Priya",
    "Fatima",
    "Olga",
    "Sean",
    "Grace",
    "Lucas",
    "Hannah",
    "Mei",
    "Ahmed",
];
pub(super) const LAST_NAMES: &[&str] = &[
    "Müller",
    "García",
    "Østergaard",
    "Nowak",
    "Silva",
    "Smith",
    "Johnson",
    "Dubois",
    "Kowalski",
    "Ólafsson",
    "Martín",
    "O'Brien",
    "Novák",
    "Jensen",
    "Costa",
    "Peña",
    "Brown",
    "Yamamoto",
    "Sharma",
    "Haddad",
    "Ivanova",
    "Nguyen",
    "Schäfer",
    "Lefèvre",
];

/// (city, state, country, latitude, longitude), as Graph's geolocation renders them.
pub(super) const CITIES: &[(&str, &str, &str, &str, &str)] = &[
    ("Zürich", "Zurich", "CH", "47.3769", "8.5417"),
    ("São Paulo", "Sao Paulo", "BR", "-23.5475", "-46.6361"),
    ("München", "Bayern", "DE", "48.1374", "11.5755"),
    ("Kraków", "Malopolskie", "PL", "50.0614", "19.9366"),
    ("Montréal", "Quebec", "CA", "45.5088", "-73.5878"),
    ("Malmö", "Skane Lan", "SE", "55.6059", "13.0007"),
    ("Reykjavík", "Hofudborgarsvaedi", "IS", "64.1355", "-21.8954"),
    ("Redmond", "Washington", "US", "47.6740", "-122.1215"),
    ("Seattle", "Washington", "US", "47.6062", "-122.3321"),
    ("New York", "New York", "US", "40.7128", "-74.0060"),
    ("Chicago", "Illinois", "US", "41.8500", "-87.6500"),
    ("London", "London, City of", "GB", "51.5085", "-0.1257"),
    ("Paris", "Paris", "FR", "48.8534", "2.3488"),
    ("Amsterdam", "Noord-Holland", "NL", "52.3740", "4.8897"),
    ("Dublin", "Dublin", "IE", "53.3331", "-6.2489"),
    ("Madrid", "Madrid", "ES", "40.4165", "-3.7026"),
    ("Lisboa", "Lisboa", "PT", "38.7167", "-9.1333"),
    ("Tokyo", "Tokyo", "JP", "35.6895", "139.6917"),
    ("Singapore", "Central Singapore", "SG", "1.2897", "103.8501"),
    ("Bengaluru", "Karnataka", "IN", "12.9719", "77.5937"),
    ("Sydney", "New South Wales", "AU", "-33.8678", "151.2073"),
    ("Toronto", "Ontario", "CA", "43.7001", "-79.4163"),
];

pub(super) const ASNS: &[u32] =
    &[8075, 3320, 3215, 2856, 7922, 3598, 16509, 15169, 6830, 13335, 12322, 1136, 28573, 4766, 7545, 3303, 5089, 9498];
pub(super) const V4_FIRST_OCTETS: &[u8] = &[
    20, 23, 31, 37, 40, 45, 51, 52, 62, 77, 78, 80, 81, 82, 85, 86, 88, 89, 90, 91, 92, 93, 94, 95, 98, 104, 107, 109, 130, 131, 141, 145,
    151, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217,
];

#[derive(Clone, Copy)]
pub(super) struct App {
    pub(super) name: &'static str,
    pub(super) id: &'static str,
}

pub(super) const APPS_INTERACTIVE: &[(App, u32)] = &[
    (App { name: "OfficeHome", id: "4765445b-32c6-49b0-83e6-1d93765276ca" }, 20),
    (App { name: "Microsoft Teams", id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264" }, 18),
    (App { name: "One Outlook Web", id: "9199bf20-a13f-4107-85dc-02114787ef48" }, 14),
    (App { name: "Microsoft Office", id: "d3590ed6-52b3-4102-aeff-aad2292ab01c" }, 14),
    (App { name: "Azure Portal", id: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c" }, 6),
    (App { name: "Microsoft Authentication Broker", id: "29d9ed98-a469-4536-ade2-f981bc1d605e" }, 10),
    (App { name: "Microsoft Azure CLI", id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" }, 3),
    (App { name: "Microsoft Edge", id: "ecd6b820-32c2-49b6-98a6-444530e5a77a" }, 8),
    (App { name: "Outlook Mobile", id: "27922004-5251-4030-b22d-91ecd9a37ea4" }, 7),
];
pub(super) const APPS_NON_INTERACTIVE: &[(App, u32)] = &[
    (App { name: "Microsoft Teams", id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264" }, 25),
    (App { name: "Microsoft Office", id: "d3590ed6-52b3-4102-aeff-aad2292ab01c" }, 20),
    (App { name: "Microsoft Authentication Broker", id: "29d9ed98-a469-4536-ade2-f981bc1d605e" }, 18),
    (App { name: "Outlook Mobile", id: "27922004-5251-4030-b22d-91ecd9a37ea4" }, 12),
    (App { name: "Microsoft Edge", id: "ecd6b820-32c2-49b6-98a6-444530e5a77a" }, 10),
    (App { name: "OneDrive SyncEngine", id: "ab9b8c07-8f02-4f72-87fa-80105867a763" }, 15),
];
pub(super) const RESOURCES: &[(App, u32)] = &[
    (App { name: "Microsoft Graph", id: "00000003-0000-0000-c000-000000000000" }, 30),
    (App { name: "Office 365 Exchange Online", id: "00000002-0000-0ff1-ce00-000000000000" }, 25),
    (App { name: "Office 365 SharePoint Online", id: "00000003-0000-0ff1-ce00-000000000000" }, 20),
    (App { name: "Microsoft Teams Services", id: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe" }, 12),
    (App { name: "Windows Azure Active Directory", id: "00000002-0000-0000-c000-000000000000" }, 8),
    (App { name: "Windows Azure Service Management API", id: "797f4846-ba00-4fd7-ba43-dac1f8f63013" }, 5),
];

/// A client: user agent (raw text), OS and browser as Graph derives them, client app, whether it
/// signs in interactively, non-interactively, or both.
#[derive(Clone, Copy)]
pub(super) struct Client {
    pub(super) ua: &'static str,
    pub(super) os: &'static str,
    pub(super) browser: &'static str,
    pub(super) client_app: &'static str,
    pub(super) library: &'static str,
}

pub(super) const BROWSER: &str = "Browser";
pub(super) const MOBILE: &str = "Mobile Apps and Desktop clients";

pub(super) const CLIENTS_INTERACTIVE: &[(Client, u32)] = &[
    (
        Client {
            ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
            os: "Windows10",
            browser: "Edge 124.0.2478",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        30,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            os: "Windows10",
            browser: "Chrome 124.0.0",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        22,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
            os: "MacOs",
            browser: "Safari 17.4.1",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        12,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            os: "Linux",
            browser: "Firefox 125.0",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        5,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
            os: "Ios",
            browser: "Mobile Safari 17.4.1",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        10,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.22631; de-CH) PowerShell/7.4.2 \"Invoke-MgGraphRequest\" Microsoft.Graph/2.19.0",
            os: "Windows10",
            browser: "Rich Client 4.60.3.0",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.NET 4.60.3.0 Platform: .NET",
        },
        4,
    ),
    (
        Client {
            ua: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)",
            os: "Windows10",
            browser: "Rich Client 16.0.17531",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.cpp 1.1.0 Platform: Windows",
        },
        12,
    ),
    (
        Client {
            ua: "Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007) \"Company Portal\" PKeyAuth/1.0",
            os: "Android",
            browser: "Rich Client 5.0.6189",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.Android 5.2.0 Platform: Android",
        },
        5,
    ),
];
pub(super) const CLIENTS_NON_INTERACTIVE: &[(Client, u32)] = &[
    (
        Client {
            ua: "Windows-AzureAD-Authentication-Provider/1.0",
            os: "Windows10",
            browser: "",
            client_app: MOBILE,
            library: "Family: Unknown Library: Unknown Platform: Unknown",
        },
        20,
    ),
    (
        Client {
            ua: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)",
            os: "Windows10",
            browser: "Rich Client 16.0.17531",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.cpp 1.1.0 Platform: Windows",
        },
        25,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
            os: "Windows10",
            browser: "Edge 124.0.2478",
            client_app: BROWSER,
            library: "Family: MSAL Library: MSAL.JS 3.13.0 Platform: JS",
        },
        20,
    ),
    (
        Client {
            ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 \"Microsoft Teams\"/6.9.1",
            os: "Ios",
            browser: "Rich Client 6.9.1",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.iOS 1.3.2 Platform: iOS",
        },
        15,
    ),
    (
        Client {
            ua: "Microsoft SkyDriveSync 24.076.0414.0003 ship; Windows NT 10.0 (22631)",
            os: "Windows10",
            browser: "Rich Client 24.076.0414",
            client_app: MOBILE,
            library: "Family: MSAL Library: MSAL.cpp 1.1.0 Platform: Windows",
        },
        20,
    ),
];

/// A sign-in status: code, failure reason, additional details (JSON-escaped text, `None` = null),
/// how the portal shows it.
#[derive(Clone, Copy)]
pub(super) struct Status {
    pub(super) code: u32,
    pub(super) reason: &'static str,
    pub(super) details: Option<&'static str>,
    pub(super) portal: &'static str,
}

pub(super) const OK: Status = Status { code: 0, reason: "Other.", details: None, portal: "Success" };
pub(super) const OK_MFA_CLAIM: Status =
    Status { code: 0, reason: "Other.", details: Some("MFA requirement satisfied by claim in the token"), portal: "Success" };
pub(super) const E50126: Status = Status {
    code: 50126,
    reason: "Error validating credentials due to invalid username or password.",
    details: Some(
        "The user didn't enter the right credentials. \\u00a0It's expected to see some number of these errors in your logs due to users making mistakes.",
    ),
    portal: "Failure",
};
pub(super) const E50074: Status = Status {
    code: 50074,
    reason: "Strong Authentication is required.",
    details: Some(
        "The user is required to perform MFA. This is an expected interrupt that shows up when a user signs in and is asked to complete MFA.",
    ),
    portal: "Interrupted",
};
pub(super) const E500121: Status = Status {
    code: 500121,
    reason: "Authentication failed during strong authentication request.",
    details: Some(
        "The user didn't complete the MFA prompt. They may have decided not to authenticate, timed out while doing other work, or has an issue with their authentication setup.",
    ),
    portal: "Failure",
};
pub(super) const E50140: Status = Status {
    code: 50140,
    reason: "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.",
    details: Some(
        "This is an expected part of the sign in flow, where a user is asked if they want to remain signed into their current browser to make further logins easier.",
    ),
    portal: "Interrupted",
};
pub(super) const E50053: Status = Status {
    code: 50053,
    reason: "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
    details: Some("The account is locked due to repeated sign-in attempts with an incorrect password (Smart Lockout)."),
    portal: "Failure",
};
pub(super) const E53003: Status = Status {
    code: 53003,
    reason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
    details: Some(
        "The sign-in was blocked by a Conditional Access policy. Review the policy details to see which conditions were not satisfied.",
    ),
    portal: "Failure",
};
pub(super) const E50058: Status = Status {
    code: 50058,
    reason: "Session information is not sufficient for single-sign-on.",
    details: Some(
        "This means that a user is not signed in. This is a common error that's expected when a user is unauthenticated and has not yet signed in.",
    ),
    portal: "Interrupted",
};
pub(super) const E65001: Status = Status {
    code: 65001,
    reason: "The user or administrator has not consented to use the application.",
    details: None,
    portal: "Interrupted",
};
pub(super) const E70044: Status = Status {
    code: 70044,
    reason: "The session has expired or is invalid due to sign-in frequency checks by conditional access.",
    details: Some("The user's session has expired because of a sign-in frequency policy. The user must sign in again."),
    portal: "Failure",
};
pub(super) const E700082: Status = Status {
    code: 700082,
    reason: "The refresh token has expired due to inactivity.",
    details: Some("The token was issued long ago and was not used for the configured inactivity period; a fresh sign-in is required."),
    portal: "Failure",
};
pub(super) const E50173: Status = Status {
    code: 50173,
    reason: "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
    details: Some("Either the user changed their password or an administrator revoked the user's sessions."),
    portal: "Failure",
};

pub(super) const STATUS_INTERACTIVE: &[(Status, u32)] = &[
    (OK, 720),
    (OK_MFA_CLAIM, 100),
    (E50126, 45),
    (E50074, 50),
    (E500121, 15),
    (E50140, 35),
    (E50053, 5),
    (E53003, 8),
    (E50058, 13),
    (E65001, 4),
];
pub(super) const STATUS_NON_INTERACTIVE: &[(Status, u32)] =
    &[(OK, 700), (OK_MFA_CLAIM, 240), (E70044, 10), (E50173, 10), (E700082, 12), (E50058, 15), (E53003, 5), (E50074, 8)];

pub(super) const POLICY_NAMES: &[&str] = &[
    "Require MFA for all users",
    "Block legacy authentication",
    "Require compliant or hybrid joined device for admins",
    "Sign-in frequency – unmanaged devices",
    "Block access from untrusted countries",
    "Require MFA for Azure management",
    "Report-only: Require phishing-resistant MFA",
    "Require terms of use – Guests",
];

pub(super) const MFA_METHODS: &[(&str, &str)] = &[
    ("Mobile app notification", ""),
    ("Authenticator App", ""),
    ("Text message", "+X XXXXXXXX42"),
    ("OATH verification code", ""),
    ("FIDO2 security key", ""),
];
