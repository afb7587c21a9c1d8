#!/usr/bin/env python3
"""Generate the bundled sample evidence of signin-audit: a synthetic tenant, contoso.example.

    python3 samples/make_samples.py

Python 3 standard library only (written with 3.11), no network. The output is deterministic (fixed
seed, no clock, no set ordering): running the script twice gives byte-identical files, so the golden
tests in tests/audit_samples.rs stay valid until the script changes. After changing it, run it and
re-bless the goldens: UPDATE_GOLDEN=1 cargo test --test audit_samples. It rewrites, next to itself:

    graph/page-0001.json ...   Microsoft Graph *beta* GET /auditLogs/signIns pages as a collection
                               script saves them ($top=500, newest first, @odata.nextLink on every
                               page but the last): the interactive sign-ins, all fields rich.
    azure-monitor/PT1H.json    Azure Monitor diagnostic-setting records of the category
                               NonInteractiveUserSignInLogs, one JSON record per line, as a storage
                               account blob holds them (the hourly blobs concatenated into one).
    azure-monitor/service-principals/PT1H.json
                               the same for ServicePrincipalSignInLogs (two service principals).
    portal/InteractiveSignIns_2026-10-01_2026-10-31.csv
                               an Entra admin center "Download CSV" (57-column header of 2025-2026)
                               of the October interactive sign-ins of three users under
                               investigation; every row is also in the Graph pages (same request
                               id), so a reader must count them as duplicates, not new sign-ins.
    README.md                  what all of this is: users, files, planted incidents with the
                               request ids of their key sign-ins and the detector meant to find each.

Everything is invented. Names are common first and last names put together at random; GUIDs come
from the seeded generator; IPv4 addresses are from the documentation ranges 192.0.2.0/24 (Contoso
offices and servers), 198.51.100.0/24 and 203.0.113.0/24 (attackers), IPv6 addresses from
2001:db8::/32 (homes, mobile carriers, hotels); autonomous system numbers are the documentation
ASNs 64496-64511 and 65536-65551. City coordinates are public geography. Application ids are the
public ids of Microsoft first-party apps, since detectors key on them (Azure Portal is sensitive).

The timeline: 45 days, 2026-09-17 00:00Z .. 2026-10-31 23:59Z. With `signin-audit audit`'s defaults
(--as-of = the latest sign-in, which is a service-principal sign-in at 2026-10-31 23:55Z; --days 30;
--baseline-days 14) the baseline window is 2026-09-17 .. 2026-10-01 and the analysis window
2026-10-01 .. 2026-10-31: every planted incident is in the analysis window, after at least 14 days
of normal history for its victim. Local working hours follow each user's time zone, including the
European (2026-10-25) and Australian (2026-10-04) daylight-saving changes; US zones stay on daylight
time until 2026-11-01.
"""

import base64
import csv
import io
import ipaddress
import json
import os
import random
import shutil
from datetime import date, datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261031
rng = random.Random(SEED)

START = datetime(2026, 9, 17, tzinfo=timezone.utc)
END = datetime(2026, 11, 1, tzinfo=timezone.utc)  # exclusive
PAGE_SIZE = 500


def guid():
    b = bytearray(rng.getrandbits(128).to_bytes(16, "big"))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def token_id():
    return base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).decode().rstrip("=")


TENANT_ID = guid()
FABRIKAM_TENANT_ID = guid()
MS_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"  # Microsoft Services, owner of first-party apps
DOMAIN = "contoso.example"

# ---------------------------------------------------------------------------------------------
# Time zones (only the rules that matter between 2026-09-17 and 2026-11-01)
# ---------------------------------------------------------------------------------------------

TZ = {
    "America/New_York": [(None, -4)],
    "America/Chicago": [(None, -5)],
    "America/Denver": [(None, -6)],
    "America/Los_Angeles": [(None, -7)],
    "Europe/London": [(None, 1), (datetime(2026, 10, 25, 1, tzinfo=timezone.utc), 0)],
    "Europe/Berlin": [(None, 2), (datetime(2026, 10, 25, 1, tzinfo=timezone.utc), 1)],
    "Asia/Kolkata": [(None, 5.5)],
    "Australia/Sydney": [(None, 10), (datetime(2026, 10, 3, 16, tzinfo=timezone.utc), 11)],
}


def offset_at(tz, utc):
    off = TZ[tz][0][1]
    for since, o in TZ[tz][1:]:
        if utc >= since:
            off = o
    return off


def at(tz, day, hour, minute=0, second=None):
    """UTC instant of a local wall-clock time (random seconds and microseconds unless given)."""
    if second is None:
        second = rng.randrange(60)
    local = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(hours=hour, minutes=minute, seconds=second)
    local += timedelta(microseconds=rng.randrange(1_000_000))
    for _, off in TZ[tz]:
        utc = local - timedelta(hours=off)
        if offset_at(tz, utc) == off:
            return utc
    return local - timedelta(hours=TZ[tz][-1][1])


def utc(y, mo, d, h, mi, s=None):
    if s is None:
        s = rng.randrange(60)
    return datetime(y, mo, d, h, mi, s, rng.randrange(1_000_000), tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# Places and networks
# ---------------------------------------------------------------------------------------------

# key: (city, state, country, latitude, longitude)
PLACES = {
    "new-york": ("New York", "New York", "US", 40.7128, -74.0060),
    "brooklyn": ("Brooklyn", "New York", "US", 40.6782, -73.9442),
    "jersey-city": ("Jersey City", "New Jersey", "US", 40.7178, -74.0431),
    "newark": ("Newark", "New Jersey", "US", 40.7357, -74.1724),
    "jfk": ("New York", "New York", "US", 40.6413, -73.7781),
    "boston": ("Boston", "Massachusetts", "US", 42.3601, -71.0589),
    "hartford": ("Hartford", "Connecticut", "US", 41.7658, -72.6734),
    "chicago": ("Chicago", "Illinois", "US", 41.8781, -87.6298),
    "evanston": ("Evanston", "Illinois", "US", 42.0451, -87.6877),
    "naperville": ("Naperville", "Illinois", "US", 41.7508, -88.1535),
    "atlanta": ("Atlanta", "Georgia", "US", 33.7490, -84.3880),
    "denver": ("Denver", "Colorado", "US", 39.7392, -104.9903),
    "aurora": ("Aurora", "Colorado", "US", 39.7294, -104.8319),
    "seattle": ("Seattle", "Washington", "US", 47.6062, -122.3321),
    "bellevue": ("Bellevue", "Washington", "US", 47.6101, -122.2015),
    "san-francisco": ("San Francisco", "California", "US", 37.7749, -122.4194),
    "oakland": ("Oakland", "California", "US", 37.8044, -122.2712),
    "austin": ("Austin", "Texas", "US", 30.2672, -97.7431),
    "ashburn": ("Ashburn", "Virginia", "US", 39.0438, -77.4874),
    "london": ("London", "London", "GB", 51.5074, -0.1278),
    "hounslow": ("Hounslow", "London", "GB", 51.4700, -0.4543),
    "reading": ("Reading", "Reading", "GB", 51.4543, -0.9781),
    "berlin": ("Berlin", "Berlin", "DE", 52.5200, 13.4050),
    "potsdam": ("Potsdam", "Brandenburg", "DE", 52.3906, 13.0645),
    "bengaluru": ("Bengaluru", "Karnataka", "IN", 12.9716, 77.5946),
    "sydney": ("Sydney", "New South Wales", "AU", -33.8688, 151.2093),
    "lagos": ("Lagos", "Lagos", "NG", 6.5244, 3.3792),
    "moscow": ("Moscow", "Moscow", "RU", 55.7558, 37.6173),
    "amsterdam": ("Amsterdam", "Noord-Holland", "NL", 52.3676, 4.9041),
    "paris": ("Paris", "Île-de-France", "FR", 48.8566, 2.3522),
    "sao-paulo": ("São Paulo", "São Paulo", "BR", -23.5505, -46.6333),
    "singapore": ("Singapore", "Singapore", "SG", 1.3521, 103.8198),
    "dallas": ("Dallas", "Texas", "US", 32.7767, -96.7970),
}

# Contoso offices: egress address, place, ASN (all in 192.0.2.0/24).
OFFICES = {
    "NY": ("192.0.2.10", "new-york", 64496),
    "CHI": ("192.0.2.40", "chicago", 64496),
    "LON": ("192.0.2.70", "london", 64497),
    "BER": ("192.0.2.100", "berlin", 64497),
    "BLR": ("192.0.2.130", "bengaluru", 64498),
    "SYD": ("192.0.2.160", "sydney", 64499),
}
OFFICE_NETWORK_NAME = ["Contoso offices"]


def v6(prefix_word, iid=None):
    """An address in 2001:db8:<prefix_word>::/48 (one /48 per household, phone pool or hotel)."""
    subnet = rng.randrange(0x10000)
    if iid is None:
        iid = rng.getrandbits(64)
    n = (0x20010DB8 << 96) | (prefix_word << 80) | (subnet << 64) | iid
    return ipaddress.IPv6Address(n).compressed


HOTEL_LONDON = ("london", 0x3000, 65540)
HOTEL_AUSTIN = ("austin", 0x3001, 65541)
WIFI_JFK = ("jfk", 0x3002, 65542)
WIFI_LHR = ("hounslow", 0x3003, 65543)

# ---------------------------------------------------------------------------------------------
# Applications (public ids of Microsoft first-party apps and resources)
# ---------------------------------------------------------------------------------------------

APPS = {
    "officehome": ("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca"),
    "outlookweb": ("One Outlook Web", "9199bf20-a13f-4107-85dc-02114787ef48"),
    "teamsweb": ("Microsoft Teams Web Client", "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"),
    "sharepoint": ("SharePoint Online Web Client Extensibility", "08e18876-6177-487e-b8b5-cf950c1e598c"),
    "azureportal": ("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
    "outlookmobile": ("Microsoft Outlook", "27922004-5251-4030-b22d-91ecd9a37ea4"),
    "teams": ("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"),
    "office": ("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c"),
    "exchange": ("Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"),
    "aadps": ("Azure Active Directory PowerShell", "1b730954-1685-4b74-9bfd-dac224a7b894"),
    "mggraph": ("Microsoft Graph Command Line Tools", "14d82eec-204b-4c2f-b7e8-296a70dab67e"),
    "authbroker": ("Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e"),
    "azcli": ("Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
}
RESOURCES = {
    "graph": ("Microsoft Graph", "00000003-0000-0000-c000-000000000000"),
    "exchange": ("Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"),
    "sharepoint": ("Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"),
    "teams": ("Microsoft Teams Services", "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"),
    "arm": ("Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"),
    "officehome": ("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca"),
    "drs": ("Device Registration Service", "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9"),
}
APP_RESOURCE = {
    "officehome": "officehome",
    "outlookweb": "exchange",
    "teamsweb": "teams",
    "sharepoint": "sharepoint",
    "azureportal": "arm",
    "outlookmobile": "exchange",
    "teams": "teams",
    "office": "graph",
    "exchange": "exchange",
    "aadps": "graph",
    "mggraph": "graph",
    "authbroker": "drs",
    "azcli": "arm",
}

# ---------------------------------------------------------------------------------------------
# Authentication steps and status texts
# ---------------------------------------------------------------------------------------------

PRIMARY = "Primary authentication"
MFA = "Multi-factor authentication"
PW_OK = ("Password", "Password Hash Sync", True, "Correct password", PRIMARY)
PW_BAD = ("Password", "Password Hash Sync", False, "Invalid username or password or Invalid on-premise username or password.", PRIMARY)
PUSH_OK = ("Mobile app notification", "", True, "MFA successfully completed", MFA)
PUSH_DENIED = ("Mobile app notification", "", False, "MFA denied; user declined the authentication", MFA)
PUSH_NO_ANSWER = ("Mobile app notification", "", False, "MFA denied; user did not respond to mobile app notification", MFA)
SMS_OK = ("Text message", "", True, "MFA successfully completed", MFA)
PREV_FIRST = ("Previously satisfied", "", True, "First factor requirement satisfied by claim in the token", PRIMARY)
PREV_MFA = ("Previously satisfied", "", True, "MFA requirement satisfied by claim in the token", MFA)

STATUS = {
    0: (None, None),
    50126: (
        "Error validating credentials due to invalid username or password.",
        "The user didn't enter the right credentials. \u00a0It's expected to see some number of these errors in your logs due to users making mistakes.",
    ),
    50074: ("Strong Authentication is required.", "MFA required in Azure AD"),
    50076: (
        "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
        "MFA required in Azure AD",
    ),
    500121: ("Authentication failed during strong authentication request.", None),
    53003: ("Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", None),
    50034: (
        f"The user account does not exist in the {DOMAIN} directory. To sign into this application, the account must be added to the directory.",
        None,
    ),
}
INTERRUPTS = {50074, 50076}

# The collection ran without Policy.Read.All, so Graph returned appliedConditionalAccessPolicies empty
# (formats.md §1.2); set this to write the two policies the tenant has.
WITH_CA_POLICIES = False
CA_MFA_POLICY = ("Require MFA for all users", guid())
CA_BLOCK_POLICY = ("Block unknown device platforms (Graph command-line tools)", guid())

# ---------------------------------------------------------------------------------------------
# Devices and user agents
# ---------------------------------------------------------------------------------------------


def browser_version(day):
    return 129 if day < date(2026, 10, 8) else 130


def laptop_strings(dev, day):
    v = browser_version(day)
    fam = dev["browser"]
    if dev["os"] == "Windows10":
        if fam == "Edge":
            build = {129: "2792.79", 130: "2849.68"}[v]
            return (
                f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.{build}",
                f"Edge {v}.0.{build.split('.')[0]}",
            )
        return (
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
            f"Chrome {v}.0.0",
        )
    if fam == "Safari":
        sv = "18.0" if day < date(2026, 10, 28) else "18.1"
        return (
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{sv} Safari/605.1.15",
            f"Safari {sv}",
        )
    return (
        f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
        f"Chrome {v}.0.0",
    )


def phone_strings(dev, app):
    if dev["os"] == "Ios":
        if app == "teams":
            return ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Teams/6.21.1", "Mobile Safari")
        return (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Outlook-iOS/709.2240931.prod.iphone (4.2440.0)",
            "Mobile Safari",
        )
    if app == "teams":
        return ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.58 Mobile Safari/537.36 Teams/1416/1.0.0.2024", "Chrome Mobile 130.0.6723")
    return ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.58 Mobile Safari/537.36 Outlook-Android/4.2440.1", "Chrome Mobile 130.0.6723")


def laptop(os_name, browser, name):
    return {
        "kind": "laptop",
        "id": guid(),
        "name": name,
        "os": os_name,
        "browser": browser,
        "managed": True,
        "compliant": True,
        "trust": "Azure AD joined" if os_name == "Windows10" else "Azure AD registered",
    }


def phone(os_name, name):
    return {"kind": "phone", "id": guid(), "name": name, "os": os_name, "browser": None, "managed": False, "compliant": False, "trust": "Azure AD registered"}


# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------

USERS = []
BY_UPN = {}


def user(alias, name, tz, home, office, office_days, laptop_spec, phone_os, role, note="", **extra):
    k = len(USERS)
    u = {
        "upn": f"{alias}@{DOMAIN}",
        "name": name,
        "id": guid(),
        "tz": tz,
        "home": home,
        "office": office,
        "office_days": office_days,
        "role": role,
        "note": note,
        "home_ip": v6(0x1000 + k),
        "home_asn": 64500 + k % 3,
        "carrier_prefix": 0x2000 + k,
        "carrier_asn": 64503 + k % 2,
        "type": "member",
        "home_tenant": TENANT_ID,
    }
    u["carrier_ip"] = v6(u["carrier_prefix"])
    # habitual local sign-in times (hours): the start of the day and after lunch
    u["habit"] = (7.75 + rng.random() * 1.25, 12.5 + rng.random() * 1.5)
    u["slots"] = []
    if extra.get("night"):
        u["habit"] = (21.9 + rng.random() * 0.3, 26.0 + rng.random() * 1.5)
    u["laptop"] = laptop(laptop_spec[0], laptop_spec[1], f"CONTOSO-{rng.randrange(10000, 99999)}" if laptop_spec[0] == "Windows10" else f"{name.split()[0]}'s MacBook Pro")
    u["phone"] = phone(phone_os, "iPhone" if phone_os == "Ios" else "Pixel 8") if phone_os else None
    u.update(extra)
    USERS.append(u)
    BY_UPN[alias] = u
    return u


WEEK = {0, 1, 2, 3, 4}
HYBRID = {1, 2, 3}
REMOTE = set()
WIN_EDGE = ("Windows10", "Edge")
WIN_CHROME = ("Windows10", "Chrome")
MAC_SAFARI = ("MacOs", "Safari")
MAC_CHROME = ("MacOs", "Chrome")
NYC = "America/New_York"
CHI = "America/Chicago"
DEN = "America/Denver"
LAX = "America/Los_Angeles"

user("sarah.oconnor", "Sarah O'Connor", NYC, "new-york", "NY", HYBRID, WIN_EDGE, "Ios", "Finance manager", "victim of the legacy-protocol incident")
user("olivia.bennett", "Olivia Bennett", NYC, "new-york", "NY", WEEK, MAC_SAFARI, "Ios", "Sales director", "travels New York - London (real flights in September and October)", habit_days=1)
user("david.cohen", "David Cohen", NYC, "new-york", "NY", WEEK, WIN_EDGE, None, "Chief financial officer", "iPhone mail over Exchange ActiveSync for years", eas=True)
user("james.wilson", "James Wilson", NYC, "boston", None, REMOTE, WIN_CHROME, "Android", "Accountant (remote)", "signs in at 03:00 local once (off-hours incident)")
user("ryan.murphy", "Ryan Murphy", NYC, "brooklyn", None, REMOTE, MAC_CHROME, "Ios", "Designer (remote)", "home IPv6 prefix renumbered by the ISP on 2026-10-12", ip_change=date(2026, 10, 12))
user("fatima.hassan", "Fatima Hassan", NYC, "jersey-city", "NY", HYBRID, WIN_EDGE, "Android", "Legal counsel")
user("noah.fischer", "Noah Fischer", NYC, "new-york", "NY", WEEK, WIN_EDGE, "Ios", "Analyst (joined 2026-10-05)", "new hire: no history before 2026-10-05", start=date(2026, 10, 5))
user("mei.tanaka", "Mei Tanaka", NYC, "new-york", "NY", WEEK, MAC_SAFARI, "Ios", "Marketing lead")
user("priya.nair", "Priya Nair", CHI, "chicago", "CHI", HYBRID, WIN_EDGE, "Android", "Cloud engineer", "victim of the password spray and attacker tooling (suspicious user agents)")
user("ava.johnson", "Ava Johnson", CHI, "chicago", "CHI", HYBRID, WIN_CHROME, "Ios", "Product manager", "conference in Austin, Texas on 2026-10-20/21 (domestic trip)", trip_austin=True)
user("marcus.reed", "Marcus Reed", CHI, "naperville", "CHI", {6, 0, 1, 2, 3}, WIN_EDGE, None, "NOC engineer (night shift)", "works Sunday-Thursday nights, 22:00-06:30 local", night=True)
user("kevin.obrien", "Kevin O'Brien", CHI, "evanston", "CHI", HYBRID, WIN_EDGE, "Ios", "HR partner", "target of the password spray (failed)")
user("daniel.kim", "Daniel Kim", NYC, "atlanta", None, REMOTE, WIN_CHROME, "Ios", "Account executive (remote)", "victim of the impossible-travel incident")
user("grace.lee", "Grace Lee", NYC, "atlanta", None, REMOTE, MAC_SAFARI, "Ios", "Customer success (remote)", "victim of the brute-force incident")
user("miguel.alvarez", "Miguel Alvarez", DEN, "denver", None, REMOTE, MAC_SAFARI, "Android", "Solutions architect (remote)", "victim of the MFA-fatigue incident")
user("emily.chen", "Emily Chen", LAX, "seattle", None, REMOTE, WIN_EDGE, "Ios", "Data scientist (remote)", "victim of the token-replay incident")
user("tom.nguyen", "Tom Nguyen", LAX, "bellevue", None, REMOTE, WIN_EDGE, "Android", "Developer (remote)", "target of the password spray (failed)")
user("sophia.rossi", "Sophia Rossi", LAX, "san-francisco", None, REMOTE, MAC_CHROME, "Ios", "UX researcher (remote)",
     "changed her password on 2026-10-16; her phone kept trying the old one for a quarter of an hour")
user("ethan.brooks", "Ethan Brooks", LAX, "oakland", None, REMOTE, WIN_CHROME, "Android", "Sales engineer (remote)", "victim of the MFASweep probing")
user("oliver.hughes", "Oliver Hughes", "Europe/London", "london", "LON", WEEK, WIN_EDGE, "Ios", "IT administrator", "victim of the new-device / new-location incident", admin=True)
user("amelia.clarke", "Amelia Clarke", "Europe/London", "reading", "LON", HYBRID, WIN_EDGE, "Ios", "Office manager",
     "starts the London meeting-room device with a device code every Tuesday")
user("jack.taylor", "Jack Taylor", "Europe/London", "london", "LON", WEEK, MAC_CHROME, "Android", "Recruiter", "target of the password spray (failed)")
user("hannah.schmidt", "Hannah Schmidt", "Europe/Berlin", "berlin", "BER", WEEK, WIN_EDGE, "Android", "Controller",
     "victim of the device-code phishing; target of the password spray (failed)")
user("jonas.weber", "Jonas Weber", "Europe/Berlin", "potsdam", "BER", HYBRID, WIN_CHROME, "Ios", "Developer",
     "his password is known to an attacker whom MFA stopped")
user("arjun.rao", "Arjun Rao", "Asia/Kolkata", "bengaluru", "BLR", WEEK, WIN_EDGE, "Android", "QA engineer", "target of the password spray (failed)")
user("ananya.iyer", "Ananya Iyer", "Asia/Kolkata", "bengaluru", "BLR", HYBRID, WIN_CHROME, "Android", "Developer")
user("lachlan.smith", "Lachlan Smith", "Australia/Sydney", "sydney", "SYD", WEEK, MAC_SAFARI, "Ios", "Regional sales (APAC)", "target of the password spray (failed)")
user(
    "kim.morgan_fabrikam.example#EXT#",
    "Kim Morgan (Fabrikam)",
    NYC,
    "hartford",
    None,
    REMOTE,
    MAC_CHROME,
    None,
    "External auditor (guest), Tuesdays and Thursdays",
    "guest from fabrikam.example: few sign-ins, so a thin baseline",
    guest=True,
)
guest = BY_UPN["kim.morgan_fabrikam.example#EXT#"]
guest["upn"] = "kim.morgan@fabrikam.example"  # sign-in logs carry a guest's home UPN (formats.md §1.2)
guest["type"] = "guest"
guest["home_tenant"] = FABRIKAM_TENANT_ID
guest["laptop"]["managed"] = False
guest["laptop"]["compliant"] = False
guest["laptop"]["trust"] = ""

SERVICE_PRINCIPALS = [
    {"name": "contoso-backup-sync", "id": guid(), "app_id": guid(), "cred": "clientSecret", "key_id": guid(), "ip": "192.0.2.200", "place": "new-york", "asn": 64496, "resource": "graph", "hours": [23], "minute": 55},
    {"name": "contoso-hr-connector", "id": guid(), "app_id": guid(), "cred": "certificate", "key_id": guid(), "ip": "2001:db8:4000::10", "place": "chicago", "asn": 65536, "resource": "sharepoint", "hours": [2], "minute": 10, "weekdays": True},
]

# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------

EVENTS = []
SESSIONS = {}


def session_for(u, device_kind, day):
    key = (u["upn"], device_kind, day)
    if key not in SESSIONS:
        SESSIONS[key] = guid()
    return SESSIONS[key]


def event(u, t, *, kind="interactiveUser", app, ip, place, asn, device=None, client="Browser", ua=None, code=0, steps=(PREV_MFA,), mfa=None,
          session=None, corr=None, protocol=None, incoming="none", ca=None, risk=None, office=False, upn=None, details=None, tag=None):
    if not START <= t < END:
        return None
    if mfa is None:
        mfa = any(s[4] == MFA for s in steps)
    if ca is None:
        ca = "notApplied" if client not in ("Browser", "Mobile Apps and Desktop clients") else ("success" if code == 0 or code in INTERRUPTS else "failure")
        if code == 50126 or code == 50034:
            ca = "notApplied"
    rid = guid()
    e = {
        "t": t,
        "tick": rng.randrange(10),
        "kind": kind,
        "user": u,
        "upn": upn or (u["upn"] if u else None),
        "app": app,
        "ip": ip,
        "place": place,
        "asn": asn,
        "device": device,
        "client": client,
        "ua": ua,
        "code": code,
        "details": details,
        "steps": list(steps),
        "requirement": "multiFactorAuthentication" if mfa else "singleFactorAuthentication",
        "session": session or "",
        "corr": corr or guid(),
        "rid": rid,
        "token": token_id(),
        "protocol": protocol or ("none" if client not in ("Browser", "Mobile Apps and Desktop clients") else "oAuth2"),
        "incoming": incoming,
        "ca": ca,
        "risk": risk,
        "office": office,
        "ms": rng.randrange(40, 900),
        "tag": tag,
    }
    EVENTS.append(e)
    return e


def where(u, day):
    """(ip, place, asn, is_office) of the user's laptop on a day."""
    if u.get("ip_change") and day >= u["ip_change"]:
        if "home_ip2" not in u:
            u["home_ip2"] = v6(0x1100 + USERS.index(u))
        home_ip = u["home_ip2"]
    else:
        home_ip = u["home_ip"]
    if u["office"] and day.weekday() in u["office_days"]:
        ip, place, asn = OFFICES[u["office"]]
        return ip, place, asn, True
    return home_ip, u["home"], u["home_asn"], False


def laptop_signin(u, t, day, loc, app, steps, code=0, corr=None, **kw):
    dev = u["laptop"]
    ua, browser = laptop_strings(dev, day)
    ip, place, asn, office = loc
    device = dict(dev, browser_detail=browser)
    incoming = "primaryRefreshToken" if dev["os"] == "Windows10" and steps[0][0] == "Previously satisfied" else "none"
    return event(u, t, app=app, ip=ip, place=place, asn=asn, device=device, ua=ua, code=code, steps=steps, corr=corr,
                 session=session_for(u, "laptop", day), incoming=incoming, office=office, **kw)


def phone_signin(u, t, day, app, steps=(PREV_MFA,), kind="interactiveUser", **kw):
    dev = u["phone"]
    ua, browser = phone_strings(dev, app)
    device = dict(dev, browser_detail=browser)
    return event(u, t, kind=kind, app=app, ip=u["carrier_ip"], place=u["home"], asn=u["carrier_asn"], device=device,
                 client="Mobile Apps and Desktop clients", ua=ua, steps=steps, session=session_for(u, "phone", day), **kw)


def non_interactive_laptop(u, t, day, loc, resource_app="office"):
    dev = u["laptop"]
    ip, place, asn, office = loc
    if dev["os"] == "Windows10":
        ua = "Windows-AzureAD-Authentication-Provider/1.0"
        browser = None
    else:
        ua, browser = laptop_strings(dev, day)
    device = dict(dev, browser_detail=browser)
    return event(u, t, kind="nonInteractiveUser", app=resource_app, ip=ip, place=place, asn=asn, device=device,
                 client="Mobile Apps and Desktop clients", ua=ua, steps=(PREV_MFA,), session=session_for(u, "laptop", day),
                 incoming="primaryRefreshToken" if dev["os"] == "Windows10" else "none", office=office)


def minutes(tz, day, lo, hi):
    """A random local time between lo and hi (hours, floats) as (hour, minute)."""
    m = rng.randrange(int(lo * 60), int(hi * 60))
    return m // 60, m % 60


def habit(u, which):
    """A local time near one of the user's habitual sign-in times (hours as a float)."""
    centre = u["habit"][which]
    return centre + max(-0.6, min(0.6, rng.gauss(0, 0.3)))


def at_hours(tz, day, hours):
    m = int(hours * 60)
    return at(tz, day, m // 60, m % 60)


def slots_started(u, day):
    """Whether the day's habitual start is on or after 2026-09-18 00:00Z: the ten-day slot cycles then
    line up with the baseline window (the first cycle is exactly the baseline's ten working days)."""
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(hours=u["habit"][0] - TZ[u["tz"]][0][1])
    return start >= datetime(2026, 9, 18, tzinfo=timezone.utc)


def next_slot(u):
    """When the day's first interactive sign-in happens: half of the days at the habitual start, the
    others spread over the working day (five bands per ten working days, shuffled), so any two
    weeks of history show the user's whole working day."""
    lo, hi = u["habit"][0] + 0.5, u["habit"][1] + 3.0
    width = (hi - lo) / 5
    if not u["slots"]:
        u["slots"] = [None] * u.get("habit_days", 5) + list(range(5))
        rng.shuffle(u["slots"])
    band = u["slots"].pop()
    return habit(u, 0) if band is None else lo + (band + rng.random()) * width


def normal_workday(u, day, first_day=False):
    """One working day. People have habits: the laptop's interactive sign-in comes when the day starts
    (the session or the device's PRT carries the other apps), sometimes a second one after lunch,
    the phone now and then; token refreshes (non-interactive) any time in the day."""
    tz = u["tz"]
    loc = where(u, day)
    first, last = u["habit"][0] - 0.5, u["habit"][1] + 3.0
    t = at_hours(tz, day, next_slot(u) if slots_started(u, day) else habit(u, 0))
    corr = guid()
    if first_day or day.weekday() == 0 or rng.random() < 0.15:
        if rng.random() < 0.04:
            laptop_signin(u, t - timedelta(seconds=rng.randrange(40, 120)), day, loc, "officehome", (PW_BAD,), code=50126)
        if rng.random() < 0.08:
            laptop_signin(u, t - timedelta(seconds=rng.randrange(15, 50)), day, loc, "officehome", (PW_OK,), code=50074, corr=corr, mfa=True)
        if rng.random() < 0.012:
            laptop_signin(u, t - timedelta(seconds=rng.randrange(70, 140)), day, loc, "officehome", (PW_OK, PUSH_NO_ANSWER), code=500121,
                          details="MFA denied; user did not respond to mobile app notification")
        laptop_signin(u, t, day, loc, "officehome", (PW_OK, PUSH_OK), corr=corr, details="MFA completed in Azure AD")
    else:
        laptop_signin(u, t, day, loc, rng.choice(["officehome", "officehome", "outlookweb", "sharepoint", "teamsweb"]), (PREV_MFA,), corr=corr,
                      details="MFA requirement satisfied by claim in the token")
    if rng.random() < 0.06:
        app = "azureportal" if u.get("admin") and rng.random() < 0.6 else rng.choice(["outlookweb", "sharepoint", "teamsweb"])
        laptop_signin(u, at_hours(tz, day, habit(u, 1) if rng.random() < 0.5 else first + rng.random() * (last - first)), day, loc, app, (PREV_MFA,), details="MFA requirement satisfied by claim in the token")
    if u["phone"] and (first_day or rng.random() < 0.05):
        phone_signin(u, at_hours(tz, day, habit(u, rng.randrange(2))), day, rng.choice(["outlookmobile", "teams"]),
                     details="MFA requirement satisfied by claim in the token")
    if rng.random() < 0.07:
        non_interactive_laptop(u, at_hours(tz, day, first + rng.random() * (last - first)), day, loc, rng.choice(["office", "teams", "outlookweb"]))
    if u["phone"] and rng.random() < 0.04:
        phone_signin(u, at_hours(tz, day, first + rng.random() * (last - first)), day, rng.choice(["outlookmobile", "teams"]), kind="nonInteractiveUser")


def eas_day(u, day, n):
    for _ in range(n):
        h, m = minutes(u["tz"], day, 8.0, 18.0)
        event(u, at(u["tz"], day, h, m), app="exchange", ip=u["carrier_ip"], place=u["home"], asn=u["carrier_asn"],
              device={"id": "", "name": "", "os": "Ios", "browser_detail": "", "managed": False, "compliant": False, "trust": ""},
              client="Exchange ActiveSync", ua="Apple-iPhone15C3/2107.100", steps=(PW_OK,), protocol="none")


FIRST_FULL_DAY = date(2026, 9, 18)  # the first local day entirely inside the export in every time zone
DAYS = [date(2026, 9, 16) + timedelta(days=i) for i in range(47)]  # local days that can reach into the UTC range

for u in USERS:
    seen_first = False
    for day in DAYS:
        if u.get("start") and day < u["start"]:
            continue
        wd = day.weekday()
        if u.get("eas"):
            eas_day(u, day, 1 if wd < 5 or rng.random() < 0.5 else 0)
        if u.get("guest"):
            if wd in (1, 3):
                loc = where(u, day)
                laptop_signin(u, at_hours(u["tz"], day, habit(u, 0)), day, loc, "sharepoint", (PW_OK, PUSH_OK), details="MFA completed in Azure AD")
            continue
        if u.get("night"):
            if wd in (6, 0, 1, 2, 3):  # Sunday-Thursday nights
                normal_workday(u, day, first_day=not seen_first and day >= FIRST_FULL_DAY)
                seen_first = seen_first or day >= FIRST_FULL_DAY
            continue
        if wd >= 5:
            continue
        if u["upn"].startswith("olivia.bennett") and ((date(2026, 9, 20) <= day <= date(2026, 9, 24)) or (date(2026, 10, 11) <= day <= date(2026, 10, 15))):
            continue  # the trips are written below
        if u.get("trip_austin") and day in (date(2026, 10, 20), date(2026, 10, 21)):
            continue
        normal_workday(u, day, first_day=not seen_first and day >= FIRST_FULL_DAY)
        seen_first = seen_first or day >= FIRST_FULL_DAY

# --- Olivia Bennett: two New York -> London trips, the same flights a month apart -------------


def olivia_trip(sun, jfk_out, lhr_in, lhr_out, jfk_in, risk=None):
    u = BY_UPN["olivia.bennett"]
    place, word, asn = WIFI_JFK
    jfk_ip = v6(word)
    # Sunday evening at JFK (phone on the airport Wi-Fi), boarding the overnight flight
    phone_at(u, jfk_out, sun, jfk_ip, place, asn)
    # landing at Heathrow the next morning
    lplace, lword, lasn = WIFI_LHR
    mon = sun + timedelta(days=1)
    phone_at(u, lhr_in, mon, v6(lword), lplace, lasn)
    hotel_place, hotel_word, hotel_asn = HOTEL_LONDON
    hotel_ip = v6(hotel_word)
    for i in range(3):  # Monday - Wednesday in the London office, evenings at the hotel
        d = mon + timedelta(days=i)
        loc = (OFFICES["LON"][0], "london", OFFICES["LON"][2], True)
        laptop_signin(u, at_hours("Europe/London", d, 8.5 + rng.random() * 0.7), d, loc, "officehome", (PW_OK, PUSH_OK) if i == 0 else (PREV_MFA,),
                      risk=risk if i == 0 else None)
        laptop_signin(u, at_hours("Europe/London", d, 13.0 + rng.random()), d, loc, rng.choice(["outlookweb", "sharepoint"]), (PREV_MFA,))
        non_interactive_laptop(u, at_hours("Europe/London", d, 10.0 + rng.random() * 6), d, loc)
        laptop_signin(u, at_hours("Europe/London", d, 19.5 + rng.random()), d, (hotel_ip, hotel_place, hotel_asn, False), "outlookweb", (PREV_MFA,))
    thu = mon + timedelta(days=3)
    phone_at(u, lhr_out, thu, v6(lword), lplace, lasn)
    phone_at(u, jfk_in, thu, jfk_ip, place, asn)


def phone_at(u, t, day, ip, place, asn):
    dev = u["phone"]
    ua, browser = phone_strings(dev, "outlookmobile")
    event(u, t, app="outlookmobile", ip=ip, place=place, asn=asn, device=dict(dev, browser_detail=browser), client="Mobile Apps and Desktop clients",
          ua=ua, steps=(PREV_MFA,), session=session_for(u, "phone", day))


olivia_trip(date(2026, 9, 20), utc(2026, 9, 20, 22, 12), utc(2026, 9, 21, 6, 1), utc(2026, 9, 24, 9, 34), utc(2026, 9, 24, 18, 7))
# Entra ID Protection finds her first London sign-in of October unfamiliar (low); her MFA remediates it.
olivia_trip(date(2026, 10, 11), utc(2026, 10, 11, 22, 41), utc(2026, 10, 12, 5, 53), utc(2026, 10, 15, 9, 38), utc(2026, 10, 15, 18, 2),
            risk=("low", "low", "remediated", ["unfamiliarFeatures"]))

# --- Ava Johnson: two days at a conference in Austin, Texas ----------------------------------

ava = BY_UPN["ava.johnson"]
aplace, aword, aasn = HOTEL_AUSTIN
austin_ip = v6(aword)
for d in (date(2026, 10, 20), date(2026, 10, 21)):
    loc = (austin_ip, aplace, aasn, False)
    laptop_signin(ava, at_hours(CHI, d, habit(ava, 0)), d, loc, "officehome", (PW_OK, PUSH_OK), details="MFA completed in Azure AD")
    laptop_signin(ava, at_hours(CHI, d, habit(ava, 1)), d, loc, "outlookweb", (PREV_MFA,))

# ---------------------------------------------------------------------------------------------
# Planted incidents
# ---------------------------------------------------------------------------------------------

INCIDENTS = []  # (title, user, what, key event, expected detector(s), flags)


def incident(title, who, what, key, detectors, note=""):
    INCIDENTS.append({"title": title, "user": who, "what": what, "key": key, "detectors": detectors, "note": note})


ATTACK_WIN_CHROME = ("Windows10", "Chrome 129.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36")


def attacker_device(os_name, browser):
    return {"id": "", "name": "", "os": os_name, "browser_detail": browser, "managed": False, "compliant": False, "trust": ""}


# 1. Impossible travel: Daniel Kim signs in from Atlanta, 32 minutes later his account signs in from
#    Lagos with a session cookie stolen by an adversary-in-the-middle phishing page.
dk = BY_UPN["daniel.kim"]
d = date(2026, 10, 13)
loc = where(dk, d)
home_t = at_hours(dk["tz"], d, dk["habit"][1])  # his usual after-lunch sign-in
laptop_signin(dk, home_t, d, loc, "outlookweb", (PREV_MFA,))
ng_session = guid()
k1 = event(dk, home_t + timedelta(minutes=32, seconds=26), app="officehome", ip="198.51.100.23", place="lagos", asn=64505,
           device=attacker_device("Windows10", "Chrome 129.0.0"), ua=ATTACK_WIN_CHROME[2], steps=(PREV_FIRST, PREV_MFA), session=ng_session,
           details="MFA requirement satisfied by claim in the token", risk=("medium", "medium", "atRisk", ["unlikelyTravel"]))
event(dk, home_t + timedelta(minutes=45, seconds=51), app="outlookweb", ip="198.51.100.23", place="lagos", asn=64505,
      device=attacker_device("Windows10", "Chrome 129.0.0"), ua=ATTACK_WIN_CHROME[2], steps=(PREV_FIRST, PREV_MFA), session=ng_session,
      details="MFA requirement satisfied by claim in the token")
incident("Impossible travel", dk, f"Atlanta (US) at {home_t:%H:%M}Z, then Lagos (NG) 32 min later, both successful (a session cookie stolen by a phishing proxy)",
         k1, ["impossible_travel", "new_location", "entra_risk"])

# 2. Legacy protocol: a residential proxy near New York reads Sarah O'Connor's mailbox over IMAP and
#    sends mail over SMTP AUTH, which she never used (basic authentication bypasses MFA).
so = BY_UPN["sarah.oconnor"]
legacy_dev = {"id": "", "name": "", "os": "", "browser_detail": "", "managed": False, "compliant": False, "trust": ""}
for mi in (2, 3, 5):
    event(so, utc(2026, 10, 21, 14, mi), app="exchange", ip="203.0.113.88", place="newark", asn=64507, device=legacy_dev, client="IMAP4",
          steps=(PW_BAD,), code=50126)
k2 = None
for h, mi in ((14, 6), (14, 36), (15, 6), (15, 36), (16, 6), (16, 36)):
    e = event(so, utc(2026, 10, 21, h, mi), app="exchange", ip="203.0.113.88", place="newark", asn=64507, device=legacy_dev, client="IMAP4",
              steps=(PW_OK,))
    k2 = k2 or e
for mi in (12, 14):
    event(so, utc(2026, 10, 21, 15, mi), app="exchange", ip="203.0.113.88", place="newark", asn=64507, device=legacy_dev,
          client="Authenticated SMTP", steps=(PW_OK,))
incident("Legacy protocol", so, "3 failed then 6 successful IMAP4 sign-ins and 2 Authenticated SMTP sign-ins from 203.0.113.88 (Newark, NJ), clients she never used",
         k2, ["legacy_protocol"])

# 3. MFA fatigue: on a Saturday night (21:40 in Denver) an attacker holding Miguel Alvarez's password
#    sends ten push prompts from Moscow in 18 minutes; the eleventh is approved.
ma = BY_UPN["miguel.alvarez"]
ru_session = guid()
t = utc(2026, 10, 25, 3, 42, 5)
fatigue_first = t
for i in range(10):
    fatigue_last = t
    step = PUSH_DENIED if i % 3 != 2 else PUSH_NO_ANSWER
    event(ma, t, app="officehome", ip="203.0.113.45", place="moscow", asn=64509, device=attacker_device("Windows10", "Chrome 130.0.0"),
          ua=laptop_strings({"os": "Windows10", "browser": "Chrome"}, date(2026, 10, 25))[0], steps=(PW_OK, step), code=500121, details=step[3])
    t += timedelta(seconds=rng.randrange(95, 125))
k3 = event(ma, utc(2026, 10, 25, 4, 1, 12), app="officehome", ip="203.0.113.45", place="moscow", asn=64509,
           device=attacker_device("Windows10", "Chrome 130.0.0"), ua=laptop_strings({"os": "Windows10", "browser": "Chrome"}, date(2026, 10, 25))[0],
           steps=(PW_OK, PUSH_OK), session=ru_session, details="MFA completed in Azure AD", risk=("high", "high", "atRisk", ["unfamiliarFeatures"]))
event(ma, utc(2026, 10, 25, 4, 3, 40), app="outlookweb", ip="203.0.113.45", place="moscow", asn=64509,
      device=attacker_device("Windows10", "Chrome 130.0.0"), ua=laptop_strings({"os": "Windows10", "browser": "Chrome"}, date(2026, 10, 25))[0],
      steps=(PREV_MFA,), session=ru_session)
incident("MFA fatigue", ma, f"10 denied or unanswered pushes (500121) from Moscow (RU) between {fatigue_first:%H:%M}Z and {fatigue_last:%H:%M}Z "
         "(Saturday night in Denver), then an approved push from there",
         k3, ["mfa_fatigue", "new_location", "new_device", "off_hours", "entra_risk"], "mfa_fatigue and its partners are raised to critical")

# 4. Token replay: Emily Chen's browser session (sessionId) is replayed from Amsterdam by a Python
#    script while she is still working from Seattle. Only in the non-interactive log.
ec = BY_UPN["emily.chen"]
d = date(2026, 10, 20)
loc = where(ec, d)
ec_t = at_hours(ec["tz"], d, ec["habit"][0])
laptop_signin(ec, ec_t, d, loc, "officehome", (PREV_MFA,), details="MFA requirement satisfied by claim in the token")
sess = session_for(ec, "laptop", d)
for mi in (22, 107):
    non_interactive_laptop(ec, ec_t + timedelta(minutes=mi, seconds=rng.randrange(60)), d, loc, "office")
k4 = None
for mi, app in ((49, "office"), (51, "outlookweb"), (64, "office"), (93, "office")):
    e = event(ec, ec_t + timedelta(minutes=mi, seconds=rng.randrange(60)), kind="nonInteractiveUser", app=app, ip="198.51.100.77", place="amsterdam", asn=64510,
              device={"id": "", "name": "", "os": "", "browser_detail": "", "managed": False, "compliant": False, "trust": ""},
              client="Mobile Apps and Desktop clients", ua="python-requests/2.32.3", steps=(PREV_MFA,), session=sess)
    k4 = k4 or e
incident("Token replay", ec, "her laptop's sessionId used from Amsterdam (NL) by python-requests/2.32.3 while she works from Seattle (non-interactive log)",
         k4, ["token_replay", "suspicious_user_agent", "new_location"], "only with --include-non-interactive")

# 5. New device + new location: Oliver Hughes (IT administrator, London) - his account opens the Azure
#    Portal from an unmanaged Linux laptop in Paris, after an SMS code sent to a swapped SIM.
oh = BY_UPN["oliver.hughes"]
fr_session = guid()
k5 = event(oh, utc(2026, 10, 15, 11, 20, 44), app="azureportal", ip="203.0.113.150", place="paris", asn=64511,
           device=attacker_device("Linux", "Firefox 131.0"), ua="Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
           steps=(PW_OK, SMS_OK), session=fr_session, details="MFA completed in Azure AD")
event(oh, utc(2026, 10, 15, 11, 34, 9), app="mggraph", ip="203.0.113.150", place="paris", asn=64511, device=attacker_device("Linux", "Firefox 131.0"),
      client="Mobile Apps and Desktop clients", ua="Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0", steps=(PREV_MFA,), session=fr_session)
incident("New device and new location", oh, "first sign-in from France, on an unmanaged Linux/Firefox device, to the Azure Portal (then Graph command-line tools)",
         k5, ["new_device", "new_location"])

# 6. Password spray with TeamFiltration (ROPC with the Teams client id and TeamFiltration's spoofed
#    Teams user agent) from rotating cloud addresses in Ashburn, VA, at 04:00 in Chicago: three
#    colleagues fail, an attacker-chosen username that is a spreadsheet formula fails, Priya Nair's
#    password works. Then AzureHound and a Python script enumerate the tenant with her account, and two
#    probes with booby-trapped user agents are blocked by Conditional Access.
TEAMFILTRATION_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.3.00.30866 "
                     "Chrome/80.0.3987.165 Electron/8.5.1 Safari/537.36")
spray_dev = attacker_device("Windows10", "Chrome 80.0.3987")
SPRAY_FAILED = ["kevin.obrien", "tom.nguyen", "jack.taylor", None, "hannah.schmidt", "admin", "arjun.rao", "lachlan.smith"]
spray_targets = [BY_UPN[a] if a in BY_UPN else a for a in SPRAY_FAILED] + [BY_UPN["priya.nair"]]
DDE_UPN = "=cmd|' /C calc'!A0@contoso.example"
t = utc(2026, 10, 14, 9, 2, 18)
spray_keys = []
for n, target in enumerate(spray_targets):
    ip = f"198.51.100.{131 + n}"
    if target is None or isinstance(target, str):
        e = event(None, t, app="teams", ip=ip, place="ashburn", asn=64506, device=spray_dev, client="Mobile Apps and Desktop clients",
                  ua=TEAMFILTRATION_UA, steps=(), code=50034, protocol="ropc", upn=DDE_UPN if target is None else f"{target}@{DOMAIN}")
    elif target is BY_UPN["priya.nair"]:
        e = event(target, t, app="teams", ip=ip, place="ashburn", asn=64506, device=spray_dev, client="Mobile Apps and Desktop clients",
                  ua=TEAMFILTRATION_UA, steps=(PW_OK,), protocol="ropc", ca="notApplied", session=guid(), risk=("medium", "medium", "atRisk", ["unfamiliarFeatures"]))
    else:
        e = event(target, t, app="teams", ip=ip, place="ashburn", asn=64506, device=spray_dev, client="Mobile Apps and Desktop clients",
                  ua=TEAMFILTRATION_UA, steps=(PW_BAD,), code=50126, protocol="ropc")
    spray_keys.append(e)
    t += timedelta(seconds=rng.randrange(70, 130))
pn = BY_UPN["priya.nair"]
hound_session = guid()
k6a = event(pn, utc(2026, 10, 14, 9, 31, 5), app="aadps", ip="198.51.100.140", place="ashburn", asn=64506, device=attacker_device("", ""),
            client="Mobile Apps and Desktop clients", ua="azurehound/v2.2.1", steps=(PW_OK,), protocol="ropc", ca="notApplied", session=hound_session)
k6b = event(pn, utc(2026, 10, 14, 9, 52, 47), app="aadps", ip="198.51.100.140", place="ashburn", asn=64506, device=attacker_device("", ""),
            client="Mobile Apps and Desktop clients", ua="python-requests/2.31.0", steps=(PW_OK,), protocol="deviceCode", ca="notApplied", session=hound_session)
ANSI_UA = "curl/8.5.0 \u001b[31mSIGN-IN OK - NOTHING TO SEE HERE\u001b[0m"
HYPERLINK_UA = '=HYPERLINK("http://198.51.100.66/report","Open the evidence") aiohttp/3.9.5'
k6c = event(pn, utc(2026, 10, 14, 10, 5, 33), app="mggraph", ip="198.51.100.140", place="ashburn", asn=64506, device=attacker_device("", ""),
            client="Mobile Apps and Desktop clients", ua=ANSI_UA, steps=(PW_OK,), code=53003, ca="failure")
k6d = event(pn, utc(2026, 10, 14, 10, 7, 2), app="mggraph", ip="198.51.100.140", place="ashburn", asn=64506, device=attacker_device("", ""),
            client="Mobile Apps and Desktop clients", ua=HYPERLINK_UA, steps=(PW_OK,), code=53003, ca="failure")
incident("Password spray (TeamFiltration)", pn, f"ROPC sign-ins with TeamFiltration's spoofed Teams/Electron user agent from 198.51.100.131-{130 + len(spray_targets)} "
         "(Ashburn, VA, one address per attempt, all AS64506) at 04:00 in Chicago: kevin.obrien, tom.nguyen, jack.taylor, hannah.schmidt, arjun.rao, "
         "lachlan.smith, admin@ and a formula-shaped username fail, then Priya's password works", spray_keys[-1],
         ["password_spray", "suspicious_user_agent", "legacy_protocol (ROPC)", "entra_risk"], "password_spray: high for Priya, low for the accounts that only failed")
incident("Attacker tooling: AzureHound", pn, "with her password, AzureHound (azurehound/v2.2.1, ROPC) enumerates the tenant from 198.51.100.140",
         k6a, ["suspicious_user_agent", "legacy_protocol (ROPC)"])
incident("Attacker tooling: Python", pn, "then a Python script (python-requests/2.31.0, device-code flow) from the same host", k6b, ["suspicious_user_agent", "device_code"])
incident("Terminal escape in a user agent", pn, "a curl user agent carrying ANSI colour codes (\\u001b[31m ... \\u001b[0m), blocked by Conditional Access (53003)",
         k6c, ["suspicious_user_agent"], "shown as \\u{1b} in the table, \\u001b in JSON")
incident("Spreadsheet formula in a user agent", pn, 'a user agent beginning with =HYPERLINK("http://198.51.100.66/report",...) (aiohttp), blocked (53003)',
         k6d, ["suspicious_user_agent"], "never a cell of its own in -o csv")
incident("Spreadsheet formula as a username", None, f"a sprayed username {DDE_UPN!r} that does not exist (50034)", spray_keys[3],
         ["suspicious_user_agent", "legacy_protocol (ROPC)", "password_spray"], "the user column of -o csv starts with ' (defused)")

# 7. Off-hours: James Wilson (Boston, works 08:00-17:00) signs in at 03:12 local from his own laptop.
jw = BY_UPN["james.wilson"]
d = date(2026, 10, 21)
k7 = laptop_signin(jw, utc(2026, 10, 21, 7, 12, 40), d, where(jw, d), "outlookweb", (PREV_MFA,))
incident("Off-hours sign-in", jw, "03:12 local (07:12Z) on a Wednesday, from his home and his own laptop; his baseline is 08:00-17:00 local",
         k7, ["off_hours"], "low: informational on its own")

# 8. Brute force: Grace Lee (Atlanta) - at 02:10 local on a Thursday a host in Sao Paulo guesses her
#    password 14 times in 9 minutes over the web sign-in page, then gets in.
gl = BY_UPN["grace.lee"]
bf_session = guid()
bf_ua = laptop_strings({"os": "Windows10", "browser": "Chrome"}, date(2026, 10, 8))[0]
t = utc(2026, 10, 8, 6, 10, 4)
for i in range(14):
    event(gl, t, app="officehome", ip="203.0.113.61", place="sao-paulo", asn=64508, device=attacker_device("Windows10", "Chrome 129.0.0"),
          ua=bf_ua, steps=(PW_BAD,), code=50126)
    t += timedelta(seconds=rng.randrange(25, 50))
k8 = event(gl, t + timedelta(seconds=40), app="officehome", ip="203.0.113.61", place="sao-paulo", asn=64508,
           device=attacker_device("Windows10", "Chrome 129.0.0"), ua=bf_ua, steps=(PW_OK, SMS_OK), session=bf_session, details="MFA completed in Azure AD")
incident("Brute force", gl, "14 wrong passwords (50126) in about 9 minutes from 203.0.113.61 (Sao Paulo, BR) at 02:10 in Atlanta, then a successful sign-in from there",
         k8, ["brute_force", "new_location"], "brute_force high, raised by new_location on the same sign-in")

# 9. Device-code phishing: Hannah Schmidt (Berlin) receives a fake Teams meeting invitation and types
#    its code at microsoft.com/devicelogin from her office laptop. The attacker's poller, on a hosting
#    network in Singapore, receives the tokens for the Microsoft Authentication Broker (PRT phishing)
#    and uses the session within minutes (non-interactive log).
hs = BY_UPN["hannah.schmidt"]
d = date(2026, 10, 22)
loc = where(hs, d)
dc_session = guid()
dc_t = at_hours(hs["tz"], d, 10.3)
ua, browser = laptop_strings(hs["laptop"], d)
k9 = event(hs, dc_t, app="authbroker", ip=loc[0], place=loc[1], asn=loc[2], device=dict(hs["laptop"], browser_detail=browser), ua=ua,
           steps=(PREV_FIRST, PREV_MFA), session=dc_session, protocol="deviceCode", office=loc[3], details="MFA requirement satisfied by claim in the token")
for mi, app in ((2, "authbroker"), (4, "office"), (19, "outlookweb")):
    event(hs, dc_t + timedelta(minutes=mi, seconds=rng.randrange(60)), kind="nonInteractiveUser", app=app, ip="203.0.113.70", place="singapore",
          asn=65544, device=attacker_device("", ""), client="Mobile Apps and Desktop clients", ua="python-requests/2.31.0", steps=(PREV_MFA,),
          session=dc_session, incoming="refreshToken")
incident("Device-code phishing", hs, "a first device-code sign-in (deviceCodeFlow) to the Microsoft Authentication Broker from her office laptop; "
         "the session is then used from 203.0.113.70 (Singapore) by python-requests (non-interactive log)", k9, ["device_code"],
         "high in both runs: never used the flow before and a token-broker app; with --include-non-interactive also the session used abroad")

# 10. Valid credentials, blocked: at 03:20 in Potsdam someone in Singapore enters Jonas Weber's
#     password correctly twice; the MFA push goes unanswered and the retry asks for MFA again. No
#     success follows, but the password is known.
jo = BY_UPN["jonas.weber"]
vc_ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
k10 = event(jo, utc(2026, 10, 27, 2, 20, 31), app="officehome", ip="203.0.113.90", place="singapore", asn=65545, device=attacker_device("MacOs", "Chrome 130.0.0"),
            ua=vc_ua, steps=(PW_OK, PUSH_NO_ANSWER), code=500121, details=PUSH_NO_ANSWER[3])
event(jo, utc(2026, 10, 27, 2, 27, 9), app="officehome", ip="203.0.113.90", place="singapore", asn=65545, device=attacker_device("MacOs", "Chrome 130.0.0"),
      ua=vc_ua, steps=(PW_OK,), code=50074, mfa=True)
incident("Valid credentials blocked by MFA", jo, "two sign-ins from 203.0.113.90 (Singapore) with his correct password, stopped by MFA "
         "(an unanswered push, 500121, then 50074); no success follows", k10, ["valid_credentials_blocked"], "medium: the password must be changed")

# 11. MFASweep: at 04:40 in Oakland a host in Dallas tries Ethan Brooks' password against Graph, Azure
#     management, Exchange Web Services, ActiveSync and the web portal claiming six device platforms;
#     MFA stops all but the web portal from Linux, where a Conditional Access gap lets it in.
eb = BY_UPN["ethan.brooks"]
SWEEP = [
    ("mggraph", "Mobile Apps and Desktop clients", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", 50076),
    ("azcli", "Mobile Apps and Desktop clients", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", 50076),
    ("exchange", "Exchange Web Services", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", 50076),
    ("officehome", "Browser", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", 50076),
    ("officehome", "Browser", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36", 50076),
    ("officehome", "Browser", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", 50076),
    ("officehome", "Browser", "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063", 50076),
    ("exchange", "Exchange ActiveSync", "Apple-iPhone15C3/2107.100", 53003),
    ("officehome", "Browser", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", 0),
]
t = utc(2026, 10, 29, 11, 40, 12)
sweep_session = guid()
k11 = None
for app, client, ua, code in SWEEP:
    os_name = "Linux" if "X11" in ua else ""
    e = event(eb, t, app=app, ip="203.0.113.77", place="dallas", asn=65546, device=attacker_device(os_name, ""), client=client, ua=ua,
              steps=(PW_OK, PUSH_OK) if code == 0 else (PW_OK,), code=code, mfa=code in (0, 50076),
              session=sweep_session if code == 0 else None, details="MFA completed in Azure AD" if code == 0 else None,
              ca="success" if code == 0 else ("failure" if code == 53003 else None))
    k11 = k11 or e
    t += timedelta(seconds=rng.randrange(12, 25))
incident("MFASweep probing", eb, f"{len(SWEEP)} sign-ins within 3 minutes from 203.0.113.77 (Dallas, TX) to Graph command-line tools, Azure CLI, Exchange "
         "(EWS and ActiveSync) and the web portal, with user agents of Windows, macOS, Android, iPhone, Windows Phone and Linux; MFA or Conditional "
         "Access stops all but the web portal from Linux", k11,
         ["mfa_sweep", "legacy_protocol"], "mfa_sweep high: the password is right and one combination got in")

# --- Benign twins of the new detectors --------------------------------------------------------

# Sophia Rossi changed her password on Friday 2026-10-16 at 10:00; her phone's mail app kept trying
# the old one from her carrier every minute or so until she updated it.
sr = BY_UPN["sophia.rossi"]
d = date(2026, 10, 16)
t = at_hours(sr["tz"], d, 10.05)
for i in range(12):
    phone_signin(sr, t + timedelta(seconds=75 * i + rng.randrange(10)), d, "outlookmobile", steps=(PW_BAD,), code=50126)
phone_signin(sr, t + timedelta(minutes=16), d, "outlookmobile", steps=(PW_OK, PUSH_OK), details="MFA completed in Azure AD")

# Amelia Clarke starts the London meeting-room device every Tuesday: she types its device code on her
# laptop in the office, and the room device (Teams Rooms) uses the session from the office network.
ac = BY_UPN["amelia.clarke"]
for d in DAYS:
    if d.weekday() != 1 or d < FIRST_FULL_DAY:
        continue
    loc = where(ac, d)
    t = at_hours(ac["tz"], d, 9.9)
    ua, browser = laptop_strings(ac["laptop"], d)
    room = guid()
    event(ac, t, app="teams", ip=loc[0], place=loc[1], asn=loc[2], device=dict(ac["laptop"], browser_detail=browser), ua=ua, steps=(PREV_FIRST, PREV_MFA),
          session=room, protocol="deviceCode", office=loc[3])
    if d.day > 14:  # the room's token refreshes, thinned like the rest of the non-interactive log
        continue
    event(ac, t + timedelta(minutes=1, seconds=rng.randrange(60)), kind="nonInteractiveUser", app="teams", ip=loc[0], place=loc[1], asn=loc[2],
          device={"id": "", "name": "LON-ROOM-3", "os": "Windows10", "browser_detail": "", "managed": True, "compliant": True, "trust": ""},
          client="Mobile Apps and Desktop clients", ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Teams/1.7.00.13456 MicrosoftTeamsRooms",
          steps=(PREV_MFA,), session=room, office=loc[3])

# Tuesday 2026-10-20 at the New York office: five people mistype their password once within a quarter
# of an hour, then sign in (one office address, many failing accounts: not a spray).
for alias, minute in (("sarah.oconnor", 48), ("david.cohen", 51), ("fatima.hassan", 55), ("noah.fischer", 58), ("mei.tanaka", 61)):
    u = BY_UPN[alias]
    d = date(2026, 10, 20)
    t = at(NYC, d, 8, minute) if minute < 60 else at(NYC, d, 9, minute - 60)
    laptop_signin(u, t, d, where(u, d), "officehome", (PW_BAD,), code=50126)
    laptop_signin(u, t + timedelta(seconds=rng.randrange(30, 80)), d, where(u, d), "officehome", (PW_OK, PUSH_OK), details="MFA completed in Azure AD")

# Normal-behaviour cases worth checking (no finding expected)
NORMAL_CASES = [
    ("olivia.bennett", "real New York -> London flights (JFK 22:41Z, Heathrow 05:53Z: 5,540 km in 7 h 12 min, about 770 km/h) stay below the 900 km/h impossible-travel threshold; London is in her baseline from the September trip"),
    ("david.cohen", "an iPhone on Exchange ActiveSync every day since before the baseline: a legacy client, but a known one (`legacy_protocol` medium, not high: basic authentication still works for him)"),
    ("marcus.reed", "night shift (22:00-06:30 Chicago time, 03:00-11:30Z): his baseline hours are his own, no off-hours finding"),
    ("ryan.murphy", "the ISP renumbers his home IPv6 prefix on 2026-10-12: same city, same devices, nothing to report"),
    ("ava.johnson", "two days at a conference in Austin, Texas: a new city over 300 km from home (a low finding at most)"),
    ("noah.fischer", "new hire, first sign-in 2026-10-05: no history before the analysis window, so his own first 14 days are his baseline"),
    ("kim.morgan", "a guest (fabrikam.example) who signs in twice a week: a thin baseline (fewer than 10 sign-ins)"),
    ("sophia.rossi", "after a password change her phone retries the old password 12 times in 14 minutes from her own carrier network, then signs in: `brute_force` low (a stale password), not an attack"),
    ("amelia.clarke", "a device code every Tuesday for the meeting-room device, used from the office network: no `device_code` finding"),
    ("mei.tanaka", "one of five people mistyping their password at the New York office within a quarter of an hour on 2026-10-20 (sarah.oconnor, david.cohen, fatima.hassan, noah.fischer): they all sign in from there afterwards, so it is no `password_spray`"),
    ("olivia.bennett", "Entra ID Protection rates her first London sign-in of October low risk (unfamiliar properties), remediated by her MFA: `entra_risk` low"),
]

# --- service principals ------------------------------------------------------------------

for sp in SERVICE_PRINCIPALS:
    for day in DAYS:
        if sp.get("weekdays") and day.weekday() >= 5:
            continue
        for h in sp["hours"]:
            t = datetime(day.year, day.month, day.day, h, sp["minute"], rng.randrange(5, 50), rng.randrange(1_000_000), tzinfo=timezone.utc)
            if START <= t < END:
                EVENTS.append({"t": t, "tick": rng.randrange(10), "kind": "servicePrincipal", "sp": sp, "rid": guid(), "corr": guid(), "token": token_id(),
                               "ms": rng.randrange(20, 200), "user": None, "upn": None})

# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def ts_graph(e):
    t = e["t"]
    frac = f"{t.microsecond:06d}{e['tick']}".rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def ts_offset(e):
    t = e["t"]
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{t.microsecond:06d}{e['tick']}" + "+00:00"


def location(place_key):
    city, state, cc, lat, lon = PLACES[place_key]
    return {"city": city, "state": state, "countryOrRegion": cc, "geoCoordinates": {"latitude": lat, "longitude": lon}}


def steps_json(e):
    return [
        {
            "authenticationStepDateTime": ts_graph(e),
            "authenticationMethod": m,
            "authenticationMethodDetail": detail,
            "succeeded": ok,
            "authenticationStepResultDetail": result,
            "authenticationStepRequirement": req,
        }
        for (m, detail, ok, result, req) in e["steps"]
    ]


def ca_json(e):
    if not WITH_CA_POLICIES:
        return []
    if e["ca"] == "notApplied" and e["client"] not in ("Browser", "Mobile Apps and Desktop clients"):
        return []
    result = {"success": "success", "failure": "failure", "notApplied": "notApplied"}[e["ca"]]
    if e["code"] in (50126, 50034):
        result = "notApplied"
    if e["code"] == 53003:
        name, pid = CA_BLOCK_POLICY
        return [{"id": pid, "displayName": name, "enforcedGrantControls": ["Block"], "enforcedSessionControls": [], "result": "failure"}]
    name, pid = CA_MFA_POLICY
    return [{"id": pid, "displayName": name, "enforcedGrantControls": ["Mfa"], "enforcedSessionControls": [], "result": result}]


def user_record(e, interactive):
    u = e["user"]
    app_name, app_id = APPS[e["app"]]
    res_name, res_id = RESOURCES[APP_RESOURCE[e["app"]]]
    code = e["code"]
    reason, details = STATUS[code]
    if e["details"] is not None:
        details = e["details"]
    dev = e["device"] or {"id": "", "name": "", "os": "", "browser_detail": "", "managed": False, "compliant": False, "trust": ""}
    risk = e["risk"] or ("none", "none", "none", [])
    home_tenant = u["home_tenant"] if u else TENANT_ID
    r = {
        "id": e["rid"],
        "createdDateTime": ts_graph(e) if interactive else ts_offset(e),
        "userDisplayName": u["name"] if u else None,
        "userPrincipalName": e["upn"],
        "userId": u["id"] if u else "",
        "appId": app_id,
        "appDisplayName": app_name,
        "ipAddress": e["ip"],
        "clientAppUsed": e["client"],
        "userAgent": e["ua"] or "",
        "correlationId": e["corr"],
        "conditionalAccessStatus": e["ca"],
        "isInteractive": interactive,
        "authenticationProtocol": e["protocol"],
        # Graph beta writes "none" everywhere else; left out there to keep the samples small.
        **({"originalTransferMethod": "deviceCodeFlow"} if e["protocol"] == "deviceCode" else {}),
        "incomingTokenType": e["incoming"],
        "riskLevelDuringSignIn": risk[0],
        "riskState": risk[2],
        "riskEventTypes_v2": risk[3],
        "resourceDisplayName": res_name,
        "resourceId": res_id,
        "homeTenantId": home_tenant,
        "authenticationRequirement": e["requirement"],
        "userType": (u["type"] if u else "member") if interactive else (u["type"] if u else "member").capitalize(),
        "autonomousSystemNumber": e["asn"],
        "crossTenantAccessType": "b2bCollaboration" if u and u["type"] == "guest" else "none",
        "sessionId": e["session"],
        "uniqueTokenIdentifier": e["token"],
        "status": {"errorCode": code, "failureReason": reason, "additionalDetails": details},
        "deviceDetail": {
            "deviceId": dev["id"],
            "displayName": dev["name"],
            "operatingSystem": dev["os"],
            "browser": dev["browser_detail"] or "",
            "isCompliant": dev["compliant"],
            "isManaged": dev["managed"],
            "trustType": dev["trust"],
        },
        "location": location(e["place"]),
        "appliedConditionalAccessPolicies": ca_json(e),
        "authenticationDetails": steps_json(e),
        "networkLocationDetails": [{"networkType": "namedNetwork", "networkNames": OFFICE_NETWORK_NAME}] if e["office"] else [],
    }
    if interactive:
        r["signInEventTypes"] = ["interactiveUser"]
    return r


def sp_record(e):
    sp = e["sp"]
    res_name, res_id = RESOURCES[sp["resource"]]
    city, state, cc, lat, lon = PLACES[sp["place"]]
    return {
        "id": e["rid"],
        "createdDateTime": ts_offset(e),
        "appId": sp["app_id"],
        "appDisplayName": sp["name"],
        "ipAddress": sp["ip"],
        "correlationId": e["corr"],
        "conditionalAccessStatus": "notApplied",
        "originalRequestId": e["rid"],
        "isInteractive": False,
        "tokenIssuerType": "AzureAD",
        "authenticationProtocol": "none",
        "incomingTokenType": "none",
        "processingTimeInMilliseconds": e["ms"],
        "resourceDisplayName": res_name,
        "resourceId": res_id,
        "resourceTenantId": TENANT_ID,
        "homeTenantId": TENANT_ID,
        "servicePrincipalId": sp["id"],
        "servicePrincipalName": sp["name"],
        "servicePrincipalCredentialKeyId": sp["key_id"],
        "clientCredentialType": sp["cred"],
        "autonomousSystemNumber": sp["asn"],
        "uniqueTokenIdentifier": e["token"],
        "status": {"errorCode": 0},
        "location": {"city": city, "state": state, "countryOrRegion": cc, "geoCoordinates": {"latitude": lat, "longitude": lon}},
    }


def envelope(e, category, props, identity, ip, cc):
    code = props["status"]["errorCode"]
    return {
        "time": ts_graph(e),
        "resourceId": f"/tenants/{TENANT_ID}/providers/Microsoft.aadiam",
        "operationName": "Sign-in activity",
        "operationVersion": "1.0",
        "category": category,
        "tenantId": TENANT_ID,
        "resultType": str(code),
        "resultSignature": "None",
        "resultDescription": props["status"].get("failureReason") or "",
        "durationMs": 0,
        "callerIpAddress": ip,
        "correlationId": e["corr"],
        "identity": identity,
        "Level": 4,
        "location": cc,
        "properties": props,
    }


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --- portal CSV ------------------------------------------------------------------------------

PORTAL_HEADER = [
    "Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username", "User type", "Cross tenant access type",
    "Incoming token type", "Authentication Protocol", "Unique token identifier", "Original transfer method", "Client credential type",
    "Token Protection - Sign In Session", "Token Protection - Sign In Session StatusCode", "Application", "Application ID ",
    "App owner tenant ID", "Resource", "Resource ID ", "Resource tenant ID", "Resource owner tenant ID", "Home tenant ID",
    "Home tenant name", "IP address", "Location", "Status", "Sign-in error code", "Failure reason", "Client app", "Device ID", "Browser",
    "Operating System", "Compliant", "Managed", "Join Type", "Multifactor authentication result", "Multifactor authentication auth method",
    "Multifactor authentication auth detail", "Authentication requirement", "Sign-in identifier", "Session ID",
    "IP address (seen by resource)", "Through Global Secure Access", "Global Secure Access IP address", "Autonomous system  number",
    "Flagged for review", "Token issuer type", "Incoming token type", "Token issuer name", "Latency", "Conditional Access",
    "Managed Identity type", "Associated Resource Id", "Federated Token Id", "Federated Token Issuer",
]
assert len(PORTAL_HEADER) == 57
PORTAL_USERS = ["daniel.kim", "miguel.alvarez", "priya.nair"]


def portal_row(e):
    r = user_record(e, True)
    city, state, cc = r["location"]["city"], r["location"]["state"], r["location"]["countryOrRegion"]
    code = r["status"]["errorCode"]
    status = "Success" if code == 0 else ("Interrupted" if code in INTERRUPTS else "Failure")
    mfa_step = next((s for s in e["steps"] if s[4] == MFA), None)
    dev = r["deviceDetail"]
    yes_no = lambda b: "Yes" if b else "No"  # noqa: E731
    join = {"Azure AD joined": "Microsoft Entra joined", "Azure AD registered": "Microsoft Entra registered"}.get(dev["trustType"], "")
    row = {
        "Date (UTC)": e["t"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Request ID": r["id"],
        "User agent": r["userAgent"],
        "Correlation ID": r["correlationId"],
        "User ID": r["userId"],
        "User": r["userDisplayName"] or "",
        "Username": r["userPrincipalName"],
        "User type": r["userType"].capitalize(),
        "Cross tenant access type": r["crossTenantAccessType"],
        "Authentication Protocol": r["authenticationProtocol"],
        "Unique token identifier": r["uniqueTokenIdentifier"],
        "Original transfer method": "deviceCodeFlow" if r["authenticationProtocol"] == "deviceCode" else "none",
        "Client credential type": "none",
        "Token Protection - Sign In Session": "none",
        "Token Protection - Sign In Session StatusCode": "",
        "Application": r["appDisplayName"],
        "Application ID ": r["appId"],
        "App owner tenant ID": MS_TENANT_ID,
        "Resource": r["resourceDisplayName"],
        "Resource ID ": r["resourceId"],
        "Resource tenant ID": TENANT_ID,
        "Resource owner tenant ID": MS_TENANT_ID,
        "Home tenant ID": r["homeTenantId"],
        "Home tenant name": "",
        "IP address": r["ipAddress"],
        "Location": f"{city}, {state}, {cc}",
        "Status": status,
        "Sign-in error code": str(code),
        "Failure reason": r["status"]["failureReason"] or "",
        "Client app": r["clientAppUsed"],
        "Device ID": dev["deviceId"],
        "Browser": dev["browser"],
        "Operating System": dev["operatingSystem"],
        "Compliant": yes_no(dev["isCompliant"]),
        "Managed": yes_no(dev["isManaged"]),
        "Join Type": join,
        "Multifactor authentication result": mfa_step[3] if mfa_step else "",
        "Multifactor authentication auth method": mfa_step[0] if mfa_step else "",
        "Multifactor authentication auth detail": "",
        "Authentication requirement": "Multifactor authentication" if r["authenticationRequirement"] == "multiFactorAuthentication" else "Single-factor authentication",
        "Sign-in identifier": r["userPrincipalName"],
        "Session ID": r["sessionId"],
        "IP address (seen by resource)": "",
        "Through Global Secure Access": "No",
        "Global Secure Access IP address": "",
        "Autonomous system  number": str(r["autonomousSystemNumber"]),
        "Flagged for review": "No",
        "Token issuer type": "AzureAD",
        "Token issuer name": "",
        "Latency": f"{e['ms']}ms",
        "Conditional Access": {"success": "Success", "failure": "Failure", "notApplied": "Not Applied"}[r["conditionalAccessStatus"]],
        "Managed Identity type": "",
        "Associated Resource Id": "",
        "Federated Token Id": "",
        "Federated Token Issuer": "",
    }
    out = []
    for i, h in enumerate(PORTAL_HEADER):
        out.append(r["incomingTokenType"] if h == "Incoming token type" else row[h])
    return out


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write(rel, text):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return os.path.getsize(path)


def main():
    for sub in ("graph", "azure-monitor", "portal"):
        shutil.rmtree(os.path.join(HERE, sub), ignore_errors=True)
    order = sorted(EVENTS, key=lambda e: (e["t"], e["tick"], e["rid"]))
    interactive = [e for e in order if e["kind"] == "interactiveUser"]
    non_interactive = [e for e in order if e["kind"] == "nonInteractiveUser"]
    sps = [e for e in order if e["kind"] == "servicePrincipal"]
    sizes = {}

    # Graph beta pages, newest first
    newest = list(reversed(interactive))
    pages = [newest[i:i + PAGE_SIZE] for i in range(0, len(newest), PAGE_SIZE)]
    base = "https://graph.microsoft.com/beta/auditLogs/signIns"
    filt = ("$filter=createdDateTime%20ge%202026-09-17T00:00:00Z%20and%20createdDateTime%20lt%202026-11-01T00:00:00Z"
            "%20and%20signInEventTypes/any(t:%20t%20eq%20%27interactiveUser%27)")
    for n, page in enumerate(pages, 1):
        doc = {"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns", "value": [user_record(e, True) for e in page]}
        if n < len(pages):
            doc["@odata.nextLink"] = f"{base}?$top={PAGE_SIZE}&{filt}&$skiptoken={rng.getrandbits(128):032x}_{n * PAGE_SIZE}"
        rel = f"graph/page-{n:04d}.json"
        sizes[rel] = write(rel, dumps(doc) + "\n")

    # Azure Monitor: non-interactive user sign-ins, oldest first, one record per line
    lines = []
    for e in non_interactive:
        props = user_record(e, False)
        lines.append(dumps(envelope(e, "NonInteractiveUserSignInLogs", props, e["user"]["name"], e["ip"], PLACES[e["place"]][2])))
    sizes["azure-monitor/PT1H.json"] = write("azure-monitor/PT1H.json", "\n".join(lines) + "\n")
    lines = []
    for e in sps:
        props = sp_record(e)
        lines.append(dumps(envelope(e, "ServicePrincipalSignInLogs", props, e["sp"]["name"], e["sp"]["ip"], props["location"]["countryOrRegion"])))
    sizes["azure-monitor/service-principals/PT1H.json"] = write("azure-monitor/service-principals/PT1H.json", "\n".join(lines) + "\n")

    # Portal CSV: October interactive sign-ins of three users, newest first
    wanted = {BY_UPN[a]["upn"] for a in PORTAL_USERS}
    october = [e for e in newest if e["upn"] in wanted and e["t"] >= datetime(2026, 10, 1, tzinfo=timezone.utc)]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(PORTAL_HEADER)
    for e in october:
        w.writerow(portal_row(e))
    rel = "portal/InteractiveSignIns_2026-10-01_2026-10-31.csv"
    sizes[rel] = write(rel, buf.getvalue())

    sizes["README.md"] = write("README.md", readme(interactive, non_interactive, sps, pages, october))
    total = sum(sizes.values())
    for rel, n in sizes.items():
        print(f"{n:>9}  samples/{rel}")
    print(f"{total:>9}  total ({len(interactive)} interactive, {len(non_interactive)} non-interactive, {len(sps)} service-principal sign-ins; "
          f"{len(october)} portal CSV rows, all duplicates of Graph records)")


# ---------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------


def readme(interactive, non_interactive, sps, pages, october):
    def cnt(events, u):
        return sum(1 for e in events if e["upn"] == u["upn"])

    def place(key):
        city, state, cc, _, _ = PLACES[key]
        return f"{city}, {cc}"

    out = []
    p = out.append
    p("# Sample evidence: the synthetic tenant `contoso.example`")
    p("")
    p("**Everything in this directory is synthetic.** It was generated by [`make_samples.py`](make_samples.py)")
    p("(Python 3 standard library, fixed seed, deterministic: re-running it rewrites the same bytes). No record")
    p("comes from a real tenant; names are invented, GUIDs are random, IPv4 addresses are from the documentation")
    p("ranges 192.0.2.0/24 (Contoso offices and servers), 198.51.100.0/24 and 203.0.113.0/24 (attackers), IPv6")
    p("addresses from 2001:db8::/32 (homes, phone carriers, hotels), AS numbers from the documentation ASNs. Edit the")
    p("script, not the files, then re-bless the golden tests (`UPDATE_GOLDEN=1 cargo test --test audit_samples`).")
    p("")
    p("```sh")
    p("cargo run --release -- audit samples/                            # the planted incidents, exit status 2")
    p("cargo run --release -- audit samples/ --include-non-interactive  # adds the token replay")
    p("cargo run --release -- inventory samples/                        # what each file holds")
    p("```")
    p("")
    p("## Files")
    p("")
    p("| file | what it is | records |")
    p("|---|---|---|")
    for n, page in enumerate(pages, 1):
        if n == 1:
            what = (f"Microsoft Graph **beta** `GET /auditLogs/signIns` pages as a collection script saves them ($top={PAGE_SIZE}, newest first, "
                    "`@odata.nextLink` on every page but the last): the interactive sign-ins, with location coordinates, device, "
                    "authentication steps, session id and unique token id. `appliedConditionalAccessPolicies` is empty, as Graph returns it to "
                    "a reader without Policy.Read.All")
        else:
            what = "next page" if n < len(pages) else "last page (no `@odata.nextLink`)"
        p(f"| `graph/page-{n:04d}.json` | {what} | {len(page)} |")
    p(f"| `azure-monitor/PT1H.json` | Azure Monitor diagnostic-setting records, category `NonInteractiveUserSignInLogs`, one JSON object per line as in a storage-account blob (the hourly `PT1H.json` blobs of 45 days concatenated); envelope `time`, `category`, `resultType`, `callerIpAddress`... and the sign-in in `properties` | {len(non_interactive)} |")
    p(f"| `azure-monitor/service-principals/PT1H.json` | the same for `ServicePrincipalSignInLogs` of two service principals (`contoso-backup-sync` daily at 23:55Z, `contoso-hr-connector` on weekdays); read only with `--include-service-principal` | {len(sps)} |")
    p(f"| `portal/InteractiveSignIns_2026-10-01_2026-10-31.csv` | an Entra admin center \"Download CSV\" (57-column header as of 2025-2026, `Incoming token type` twice, `Application ID ` with its trailing space): the October interactive sign-ins of {', '.join(PORTAL_USERS)}. **Every row is also in the Graph pages** (same `Request ID`): a reader must drop them as duplicates | {len(october)} |")
    p("| `make_samples.py`, `README.md` | the generator and this file (not evidence: the tool lists them as unrecognized files) | - |")
    p("")
    p("Non-interactive sign-ins are thinned (a real tenant has ten times more) to keep the directory under 3 MB.")
    p("")
    p("## Time line and windows")
    p("")
    p("Sign-ins from 2026-09-17 00:00Z to 2026-10-31 23:59Z (45 days). The latest is a service-principal sign-in at")
    p("2026-10-31 23:55Z, so `audit` with its defaults (`--days 30 --baseline-days 14`) uses the analysis window")
    p("2026-10-01 23:55Z .. 2026-10-31 23:55Z and the baseline window 2026-09-17 23:55Z .. 2026-10-01 23:55Z. Every")
    p("planted incident is in the analysis window and each victim has at least two weeks of normal history before it.")
    p("Working hours are local (rendered in UTC), with the daylight-saving changes of Europe (2026-10-25) and")
    p("Sydney (2026-10-04); US zones stay on daylight time.")
    p("")
    p("## Users")
    p("")
    p("| user | role | home (time zone) | office | devices | interactive / non-interactive | notes |")
    p("|---|---|---|---|---|---|---|")
    for u in USERS:
        office = f"{u['office']} ({len(u['office_days'])} days a week)" if u["office"] else "remote"
        devices = f"{u['laptop']['os']} / {u['laptop']['browser']}" + (" (managed)" if u["laptop"]["managed"] else " (unmanaged)")
        if u["phone"]:
            devices += f", {u['phone']['name']}"
        if u.get("eas"):
            devices += ", iPhone mail (Exchange ActiveSync)"
        p(f"| `{u['upn']}` | {u['role']} | {place(u['home'])} ({u['tz']}) | {office} | {devices} | {cnt(interactive, u)} / {cnt(non_interactive, u)} | {u['note']} |")
    p("")
    p("Normal behaviour, per working day in the user's own time zone: one interactive sign-in on the laptop (at the")
    p("user's habitual start on half of the days, otherwise anywhere in the working day; an MFA push on Mondays and now")
    p("and then, otherwise \"previously satisfied\"), sometimes a second web app, now and then the phone (Outlook, Teams)")
    p("from its carrier, token refreshes (non-interactive); rare mistyped passwords (50126), MFA interrupts (50074) and")
    p("unanswered pushes (500121). Most users have 10-25 sign-ins in the baseline window; `off_hours` learns their hours")
    p("from those, in UTC, so an ordinary sign-in in an hour the baseline never saw can still come out as a low finding.")
    p("")
    p("## Planted incidents")
    p("")
    p("Times are UTC. \"Key sign-in\" is the request id of the sign-in the finding is about.")
    p("")
    p("| # | incident | user | what happens | key sign-in | should be found by |")
    p("|---|---|---|---|---|---|")
    for n, inc in enumerate(INCIDENTS, 1):
        who = f"`{inc['user']['upn']}`" if inc["user"] else "(a username that does not exist)"
        key = inc["key"]
        det = ", ".join(f"`{d}`" for d in inc["detectors"])
        note = f" ({inc['note']})" if inc["note"] else ""
        what = inc["what"].replace("|", "\\|")
        p(f"| {n} | {inc['title']} | {who} | {key['t'].strftime('%Y-%m-%d %H:%M')}: {what} | `{key['rid']}` | {det}{note} |")
    p("")
    p("Findings that share a sign-in or a session raise each other one level (an MFA-fatigue success confirmed by a")
    p("location, device, travel, token or tooling detector makes all of them critical), so the risks in the report are")
    p("often higher than each detector's own rating. `off_hours` findings are low on their own.")
    p("")
    p("## Normal behaviour that must stay quiet (or low)")
    p("")
    p("| user | case |")
    p("|---|---|")
    for alias, text in NORMAL_CASES:
        u = BY_UPN.get(alias) or next(x for x in USERS if x["upn"].startswith(alias))
        p(f"| `{u['upn']}` | {text} |")
    p("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
