//! The people's names and the user agents of their clients (Windows and Mac laptops, iPhones and
//! Android phones, Outlook, Teams, a service and an automation account).

pub const FIRST: &[&str] = &[
    "james",
    "mary",
    "robert",
    "patricia",
    "john",
    "jennifer",
    "michael",
    "linda",
    "david",
    "elizabeth",
    "william",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "lukas",
    "emma",
    "leon",
    "mia",
    "felix",
    "hannah",
    "oliver",
    "amelia",
    "harry",
    "isla",
    "louis",
    "jade",
    "hugo",
    "chloe",
    "noah",
    "lea",
    "arjun",
    "priya",
    "wei",
    "mei",
    "omar",
    "fatima",
    "kofi",
    "ama",
    "mateo",
    "sofia",
    "liam",
    "ava",
];
pub const LAST: &[&str] = &[
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "muller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "taylor",
    "wilson",
    "evans",
    "martin",
    "bernard",
    "dubois",
    "durand",
    "leroy",
    "moreau",
    "patel",
    "khan",
    "nguyen",
    "chen",
    "kim",
    "okafor",
    "mensah",
    "rossi",
    "lopez",
    "novak",
    "kowalski",
    "jensen",
    "larsen",
    "silva",
];

pub const EDGE_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.2277.128";
pub const CHROME_WIN_UA: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36";
pub const SAFARI_MAC_UA: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15";
pub const OUTLOOK_WIN_UA: &str = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17231; Pro)";
pub const OUTLOOK_MAC_UA: &str = "MacOutlook/16.81.24011420 (Intelx64 Mac OS X 14.2.1 (Build 23C71))";
pub const TEAMS_WIN_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0 Teams/24004.1403.2634.2418";
pub const TEAMS_MAC_UA: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Teams/24004.1403.2634.2418";
pub const IOS_OUTLOOK_UA: &str = "Outlook-iOS/709.2226530.prod.iphone (4.2404.0)";
pub const IOS_TEAMS_UA: &str =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 TeamsMobile-iOS";
pub const ANDROID_OUTLOOK_UA: &str = "Outlook-Android/2.0";
pub const ANDROID_TEAMS_UA: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.6167.101 Mobile Safari/537.36 TeamsMobile-Android";
pub const SERVICE_UA: &str = "MSAL.NetCore/4.59.0.0 (.NET 8.0.1; Windows Server 2022)";
/// An admin's scheduled report: Microsoft-Analyzer-Suite lists `PowerShell/` agents as suspicious.
pub const AUTOMATION_UA: &str = "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.20348.2227";
