//! GeoIP/ASN databases, network lists, IOCs and the scope of compromise, through the binary.
//!
//! Evidence is written at test time (a JSON array of Graph beta records) into a temporary directory:
//! a small tenant whose users sign in every weekday of March 2026 from the Contoso office, then the
//! events under test on Monday 2026-03-30. The databases are those of `tests/fixtures/mmdb/`
//! (MaxMind's test files and our synthetic ip-location-db files, see its README). All data is
//! synthetic: documentation address ranges, tenant `contoso.example`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::*;
use serde_json::{Value, json};

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const CHROME_NEXT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36";
const AZURE_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
const OUTLOOK: &str = "9199bf20-a13f-4107-85dc-02114787ef48";

/// A place as a record carries it: (city, state, country, latitude, longitude).
type Place = (&'static str, &'static str, &'static str, f64, f64);
const NEW_YORK: Place = ("New York", "New York", "US", 40.7128, -74.0060);
const SAO_PAULO: Place = ("Sao Paulo", "Sao Paulo", "BR", -23.5505, -46.6333);
const LAGOS: Place = ("Lagos", "Lagos", "NG", 6.5244, 3.3792);

/// One sign-in.
#[derive(Clone)]
struct Rec {
    user: &'static str,
    time: String,
    ip: &'static str,
    ok: bool,
    place: Option<Place>,
    asn: Option<u32>,
    ua: &'static str,
    app: &'static str,
    session: String,
}

impl Rec {
    fn json(&self, n: usize) -> Value {
        let id = format!("e7c00000-0000-4000-8000-{n:012}");
        let mut r = json!({
            "id": id,
            "createdDateTime": self.time,
            "userPrincipalName": self.user,
            "userDisplayName": self.user,
            "appId": self.app,
            "appDisplayName": if self.app == AZURE_PORTAL { "Azure Portal" } else { "One Outlook Web" },
            "ipAddress": self.ip,
            "clientAppUsed": "Browser",
            "userAgent": self.ua,
            "sessionId": self.session,
            "signInEventTypes": ["interactiveUser"],
            "isInteractive": true,
            "status": if self.ok { json!({"errorCode": 0}) } else { json!({"errorCode": 50126, "failureReason": "Invalid username or password."}) },
            "deviceDetail": {"deviceId": "", "operatingSystem": "Windows10", "browser": "Chrome 131.0.0"},
        });
        if let Some((city, state, cc, lat, lon)) = self.place {
            r["location"] =
                json!({"city": city, "state": state, "countryOrRegion": cc, "geoCoordinates": {"latitude": lat, "longitude": lon}});
        }
        if let Some(a) = self.asn {
            r["autonomousSystemNumber"] = json!(a);
        }
        r
    }
}

/// A successful sign-in of `user` on 2026-03-`day` at `hour`:`min` UTC.
fn at(user: &'static str, day: u32, hour: u32, min: u32, ip: &'static str, place: Option<Place>, asn: Option<u32>) -> Rec {
    Rec {
        user,
        time: format!("2026-03-{day:02}T{hour:02}:{min:02}:00Z"),
        ip,
        ok: true,
        place,
        asn,
        ua: CHROME,
        app: OUTLOOK,
        session: format!("5e550000-0000-4000-8000-{}{day:02}{hour:02}{min:02}", hex4(user)),
    }
}

/// Four hex digits of the user's name, so each user's session ids are their own.
fn hex4(user: &str) -> String {
    user.bytes().take(2).map(|b| format!("{b:02x}")).collect()
}

/// Every weekday of March 2026 before the 30th (20 days) at 09:00 from the office.
fn office_history(user: &'static str, place: Option<Place>, asn: Option<u32>) -> Vec<Rec> {
    let weekdays = (2..=27).filter(|d| !matches!(d % 7, 0 | 1)); // 2026-03-01 was a Sunday
    weekdays.map(|d| at(user, d, 9, 0, "192.0.2.10", place, asn)).collect()
}

/// Write `recs` as one evidence file in a fresh temporary directory.
fn evidence(recs: &[Rec]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let all: Vec<Value> = recs.iter().enumerate().map(|(n, r)| r.json(n)).collect();
    std::fs::write(dir.path().join("signins.json"), serde_json::to_vec_pretty(&all).unwrap()).unwrap();
    dir
}

const WINDOW: [&str; 6] = ["--as-of", "2026-04-01T00:00:00Z", "--days", "3", "--baseline-days", "30"];

fn mmdb(name: &str) -> String {
    fixtures().join("mmdb").join(name).display().to_string()
}

/// The synthetic ip-location-db databases: both families, location and ASN.
fn databases() -> Vec<String> {
    let mut a = Vec::new();
    for (flag, file) in [
        ("--geoip-db", "iplocdb-city-ipv4.mmdb"),
        ("--geoip-db", "iplocdb-city-ipv6.mmdb"),
        ("--asn-db", "asn-ipv4.csv"),
        ("--asn-db", "asn-ipv6.csv"),
    ] {
        a.push(flag.to_string());
        a.push(mmdb(file));
    }
    a
}

/// `audit -o json` of `dir` with `extra` flags: (exit code, report).
fn audit_json(dir: &Path, extra: &[String]) -> (i32, Value) {
    let mut args: Vec<String> = vec!["audit".into(), "-o".into(), "json".into(), dir.display().to_string()];
    args.extend(WINDOW.iter().map(|s| s.to_string()));
    args.extend(extra.iter().cloned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&refs);
    let code = o.status.code().unwrap_or(-1);
    assert!(matches!(code, 0 | 2 | 3), "{}", describe(&refs, &o));
    (code, serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{}", describe(&refs, &o))))
}

fn findings<'a>(report: &'a Value, user: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["user"] == user).collect()
}

fn detector<'a>(report: &'a Value, user: &str, id: &str) -> Option<&'a Value> {
    findings(report, user).into_iter().find(|f| f["detector"] == id)
}

/// An export that lost every location and ASN (a PowerShell `Export-Csv`): alice signs in from the
/// office, then from a VPS in Lagos an hour after her last office sign-in.
fn lost_location() -> Vec<Rec> {
    let mut recs = office_history("alice@contoso.example", None, None);
    recs.push(at("alice@contoso.example", 30, 9, 0, "192.0.2.10", None, None));
    recs.push(at("alice@contoso.example", 30, 10, 0, "203.0.113.9", None, None));
    recs
}

#[test]
fn without_databases_the_report_says_what_a_database_would_sharpen() {
    let dir = evidence(&lost_location());
    let (_, report) = audit_json(dir.path(), &[]);
    let alice = "alice@contoso.example";
    assert!(detector(&report, alice, "new_location").is_none(), "no country known, no new-location finding");
    let e = &report["enrichment"];
    assert_eq!(e["inputs"], json!([]));
    assert_eq!(e["sign_ins"]["analysed"], 2);
    assert_eq!(e["sign_ins"]["located_by"], json!({"none": 2}));
    assert_eq!(e["sign_ins"]["without_asn"], 2);
    let notes: Vec<&str> = e["notes"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(notes.iter().any(|n| n.contains("--geoip-db would locate them")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("--asn-db would give their network")), "{notes:?}");
}

#[test]
fn databases_fill_the_location_and_the_network() {
    let dir = evidence(&lost_location());
    let (code, report) = audit_json(dir.path(), &databases());
    let alice = "alice@contoso.example";
    let f = detector(&report, alice, "new_location").unwrap_or_else(|| panic!("{:#}", report["findings"]));
    assert_eq!(f["details"]["country"], "NG");
    let e = &f["details"]["enrichment"];
    assert_eq!(e["ip"], "203.0.113.9");
    assert_eq!(e["place_filled_from"], "database");
    assert_eq!(e["location_source"], "database");
    assert_eq!((e["asn"].as_u64(), e["org"].as_str(), e["class"].as_str()), (Some(14061), Some("DigitalOcean, LLC"), Some("hosting")));
    assert_eq!(e["asn_source"], "database");
    let t = detector(&report, alice, "impossible_travel").unwrap_or_else(|| panic!("{:#}", report["findings"]));
    assert!(t["details"]["distance_km"].as_f64().unwrap() > 4000.0, "Paris to Lagos from the database: {t:#}");
    assert_eq!(code, 2);
    let s = &report["enrichment"];
    assert_eq!(s["inputs"].as_array().unwrap().len(), 4);
    assert_eq!(s["inputs"][0]["sha256"], "ee7e3c755eafbe8eb3785624b2f8ed0ff36a01fc647990428d1658028ddf50fa");
    assert_eq!(s["sign_ins"]["place_filled_from"], json!({"database": 2}));
    assert_eq!(s["ips_by_class"], json!({"hosting": 1}));
    assert!(s.get("notes").is_none(), "nothing left to sharpen: {s:#}");
}

#[test]
fn a_record_and_a_database_that_disagree_are_both_kept() {
    // The record says New York; the synthetic database places 203.0.113.0/24 in Lagos.
    let mut recs = office_history("bob@contoso.example", Some(NEW_YORK), Some(64496));
    recs.push(at("bob@contoso.example", 30, 10, 0, "203.0.113.77", Some(SAO_PAULO), Some(64511)));
    let dir = evidence(&recs);
    let (_, report) = audit_json(dir.path(), &databases());
    let f = detector(&report, "bob@contoso.example", "new_location").unwrap_or_else(|| panic!("{:#}", report["findings"]));
    assert_eq!(f["details"]["country"], "BR", "the record's country is the one judged");
    let e = &f["details"]["enrichment"];
    assert_eq!(e["location_source"], "record");
    assert_eq!(e["record_place"], "Sao Paulo, Sao Paulo, BR");
    assert_eq!(e["database_place"], "Lagos, Lagos, NG");
    assert_eq!(
        (e["asn"].as_u64(), e["database_asn"].as_u64()),
        (Some(64511), Some(14061)),
        "the record's ASN wins, the database's is kept"
    );
}

#[test]
fn maxmind_test_databases_locate_and_classify() {
    // 81.2.69.142 is London in GeoIP2-City-Test; 149.101.100.0 is Verizon Wireless (AS6167) in GeoLite2-ASN-Test.
    let dir = evidence(&maxmind_addresses());
    let flags = ["--geoip-db", &mmdb("GeoIP2-City-Test.mmdb"), "--asn-db", &mmdb("GeoLite2-ASN-Test.mmdb")].map(String::from);
    let (_, report) = audit_json(dir.path(), &flags);
    let e = &report["enrichment"];
    assert_eq!(e["ips_located_by_database"], 2, "{e:#}");
    assert_eq!(e["ips_by_class"], json!({"mobile_carrier": 1}));
    assert!(e["inputs"][0]["kind"].as_str().unwrap().starts_with("GeoIP2-City (MaxMind GeoIP2 location layout"));
    assert!(e["inputs"][1]["kind"].as_str().unwrap().starts_with("GeoLite2-ASN (MaxMind ASN layout"));
    assert_eq!(e["sign_ins"]["located_by"]["database"], 2, "{e:#}");
}

/// carol's sign-ins from addresses MaxMind's test databases know.
fn maxmind_addresses() -> Vec<Rec> {
    let mut recs = office_history("carol@contoso.example", None, None);
    recs.push(at("carol@contoso.example", 30, 9, 0, "81.2.69.142", None, None));
    recs.push(at("carol@contoso.example", 30, 11, 0, "149.101.100.1", None, None));
    recs
}

#[test]
fn unusable_databases_and_lists_are_usage_errors_naming_the_file() {
    let dir = evidence(&maxmind_addresses());
    let d = dir.path().display().to_string();
    let cases: [(&[&str], &str); 6] = [
        (&["--geoip-db", "mmdb/missing.mmdb"], "mmdb/missing.mmdb: cannot read"),
        (&["--geoip-db", "mmdb/asn-ipv4.csv"], "mmdb/asn-ipv4.csv: not a valid MaxMind DB file"),
        (&["--geoip-db", "mmdb/GeoLite2-ASN-Test.mmdb"], "is an ASN database: give it with --asn-db"),
        (&["--asn-db", "mmdb/GeoIP2-City-Test.mmdb"], "has no ASN records: give it with --geoip-db"),
        (&["--asn-db", "mmdb/make_fixtures.py"], "mmdb/make_fixtures.py: line 1:"),
        (&["--geoip-db", "mmdb/GeoIP2-City-Test-Broken-Double-Format.mmdb"], "lookup(s) failed, the database is damaged"),
    ];
    for (flags, expected) in cases {
        let mut args = vec!["audit", d.as_str()];
        args.extend_from_slice(flags);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{}", describe(&args, &o));
        let line = one_line_error(&args, &o);
        assert!(line.contains(expected), "{line:?} should contain {expected:?}");
    }
}

/// The tenant of the IOC and pivot tests: four users at the New York office (NAT 192.0.2.10, AS64496).
fn tenant() -> Vec<Rec> {
    let mut recs = Vec::new();
    for u in ["alice@contoso.example", "bob@contoso.example", "erin@contoso.example", "frank@contoso.example"] {
        recs.extend(office_history(u, Some(NEW_YORK), Some(64496)));
        recs.push(at(u, 30, 9, 0, "192.0.2.10", Some(NEW_YORK), Some(64496)));
    }
    // alice is phished: the attacker signs in to the Azure Portal from a VPS in Lagos with a script.
    let mut attack = at("alice@contoso.example", 30, 14, 0, "203.0.113.50", Some(LAGOS), Some(64500));
    attack.app = AZURE_PORTAL;
    attack.ua = "python-requests/2.31.0";
    recs.push(attack.clone());
    // ... then tries erin's account from the same VPS and fails.
    for m in [10, 11, 12] {
        let mut r = at("erin@contoso.example", 30, 15, m, "203.0.113.50", Some(LAGOS), Some(64500));
        r.ok = false;
        r.ua = "python-requests/2.31.0";
        recs.push(r);
    }
    // frank flies nowhere: his laptop at the office, then a sign-in from Sao Paulo 30 minutes later.
    let mut far = at("frank@contoso.example", 30, 10, 0, "198.51.100.99", Some(SAO_PAULO), Some(64499));
    far.app = AZURE_PORTAL;
    // The browser updated since the baseline: still the common browser, not an indicator.
    far.ua = CHROME_NEXT;
    recs.push(at("frank@contoso.example", 30, 9, 30, "192.0.2.10", Some(NEW_YORK), Some(64496)));
    recs.push(far);
    recs
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn ioc_matches_are_findings_and_the_scope_lists_the_accounts() {
    let dir = evidence(&tenant());
    let iocs = tempfile::tempdir().unwrap();
    let list = write(iocs.path(), "iocs.txt", "# case 2026-117\n203.0.113[.]50\nua:python-requests\nevil.example.com\n");
    let (code, report) = audit_json(dir.path(), &["--ioc".into(), list.clone()]);
    assert_eq!(code, 2);
    let alice = detector(&report, "alice@contoso.example", "ioc_match").unwrap();
    assert_eq!(alice["risk"], "critical", "a success from the attacker's address, raised by the findings it shares: {alice:#}");
    assert_eq!(alice["details"]["indicator"], json!({"kind": "ip", "value": "203.0.113.50", "line": 2}));
    let erin: Vec<&Value> = findings(&report, "erin@contoso.example").into_iter().filter(|f| f["detector"] == "ioc_match").collect();
    assert_eq!(erin.len(), 2, "one finding per indicator");
    assert_eq!(erin[0]["risk"], "medium", "failures from the attacker's address");
    assert_eq!(erin[1]["risk"], "low", "failures matching a user-agent substring");
    assert!(findings(&report, "bob@contoso.example").iter().all(|f| f["detector"] != "ioc_match"));
    let scope = &report["scope"];
    assert_eq!(scope["mode"], "ioc");
    assert_eq!(scope["source"], list);
    let accounts: Vec<(&str, u64, u64)> = scope["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["user"].as_str().unwrap(), a["successes"].as_u64().unwrap(), a["failures"].as_u64().unwrap()))
        .collect();
    assert_eq!(accounts, [("alice@contoso.example", 1, 0), ("erin@contoso.example", 0, 3)]);
    assert_eq!(scope["accounts"][1]["first_contact"], "2026-03-30T15:10:00Z");
    assert_eq!(scope["accounts"][1]["last_contact"], "2026-03-30T15:12:00Z");
    assert_eq!(scope["indicators"][0]["accounts"], 2);
    let warnings = report["enrichment"]["warnings"].as_array().unwrap();
    assert!(warnings[0].as_str().unwrap().contains("line 4: \"evil.example.com\" is no indicator"), "{warnings:?}");
    // The other renderings carry the scope too.
    let dirs = dir.path().display().to_string();
    let mut args = vec!["audit", dirs.as_str(), "--ioc", list.as_str()];
    args.extend(WINDOW);
    let table = text(&run(&[args.as_slice(), &["-o", "table"]].concat()).stdout);
    assert!(table.contains("scope of compromise (--ioc "), "{table}");
    assert!(table.contains("account   erin@contoso.example  3 sign-in(s), 0 successful, 3 failed"), "{table}");
    let csv = text(&run(&[args.as_slice(), &["-o", "csv"]].concat()).stdout);
    assert_eq!(csv.lines().filter(|l| l.contains("@contoso.example,scope,,2026-03-30T")).count(), 2, "{csv}");
    let jsonl = text(&run(&[args.as_slice(), &["-o", "jsonl"]].concat()).stdout);
    assert_eq!(jsonl.lines().filter(|l| l.starts_with("{\"scope_account\"")).count(), 2, "{jsonl}");
}

#[test]
fn an_ioc_list_that_matches_nothing_adds_nothing() {
    let dir = evidence(&tenant());
    let iocs = tempfile::tempdir().unwrap();
    let list = write(iocs.path(), "iocs.txt", "198.51.100.250\nAS64999\nsession:00000000-0000-4000-8000-000000000000\n");
    let (_, with) = audit_json(dir.path(), &["--ioc".into(), list]);
    let (_, without) = audit_json(dir.path(), &[]);
    assert_eq!(with["findings"], without["findings"], "no ioc_match finding, nothing else changes");
    assert_eq!(with["scope"]["accounts"], json!([]));
    assert!(with["scope"]["indicators"].as_array().unwrap().iter().all(|i| i["sign_ins"] == 0));
}

#[test]
fn a_malformed_typed_ioc_is_a_usage_error() {
    let dir = evidence(&tenant());
    let iocs = tempfile::tempdir().unwrap();
    let list = write(iocs.path(), "iocs.txt", "203.0.113.50\nip:203.0.113.999\n");
    let d = dir.path().display().to_string();
    let args = ["audit", d.as_str(), "--ioc", list.as_str()];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(one_line_error(&args, &o).contains("iocs.txt: line 2: \"203.0.113.999\" is not an IP address or CIDR block"));
}

#[test]
fn pivot_finds_the_other_accounts_of_the_attacker_and_excludes_the_office() {
    let dir = evidence(&tenant());
    let (_, report) = audit_json(dir.path(), &["--pivot-from".into(), "Alice@contoso.example".into()]);
    let high = findings(&report, "alice@contoso.example").iter().filter(|f| f["risk"] == "high" || f["risk"] == "critical").count();
    assert!(high > 0, "the premise: alice has a high-risk finding\n{:#}", report["findings"]);
    let scope = &report["scope"];
    assert_eq!(scope["mode"], "pivot");
    let accounts: Vec<(&str, bool)> =
        scope["accounts"].as_array().unwrap().iter().map(|a| (a["user"].as_str().unwrap(), a["pivot"] == true)).collect();
    assert_eq!(accounts, [("alice@contoso.example", true), ("erin@contoso.example", false)], "{scope:#}");
    let kept: Vec<String> = scope["indicators"].as_array().unwrap().iter().map(|i| format!("{}:{}", i["kind"], i["value"])).collect();
    assert!(kept.contains(&"\"ip\":\"203.0.113.50\"".to_string()), "{kept:?}");
    assert!(!kept.iter().any(|k| k.contains("192.0.2.10")), "{kept:?}");
}

#[test]
fn a_pivot_whose_only_shared_address_is_the_office_pulls_nobody_in() {
    let dir = evidence(&tenant());
    let (_, report) = audit_json(dir.path(), &["--pivot-from".into(), "frank@contoso.example".into()]);
    let high = findings(&report, "frank@contoso.example").iter().filter(|f| f["risk"] == "high" || f["risk"] == "critical").count();
    assert!(high > 0, "the premise: frank has a high-risk finding\n{:#}", report["findings"]);
    let scope = &report["scope"];
    let users: Vec<&str> = scope["accounts"].as_array().unwrap().iter().map(|a| a["user"].as_str().unwrap()).collect();
    assert_eq!(users, ["frank@contoso.example"], "{scope:#}");
    let excluded: Vec<(&str, &str)> =
        scope["excluded"].as_array().unwrap().iter().map(|e| (e["value"].as_str().unwrap(), e["reason"].as_str().unwrap())).collect();
    let office = excluded.iter().find(|e| e.0 == "192.0.2.10").unwrap_or_else(|| panic!("{excluded:?}"));
    assert!(
        office.1.starts_with("normal for 4 account(s) (alice@contoso.example, bob@contoso.example, erin@contoso.example, ...)"),
        "{office:?}"
    );
    assert!(excluded.iter().any(|e| e.0 == "AS64496"), "{excluded:?}");
    assert!(excluded.iter().any(|e| e.0 == CHROME), "{excluded:?}");
    assert!(excluded.iter().any(|e| e.0 == CHROME_NEXT), "a browser update is the same browser: {excluded:?}");
}

#[test]
fn enrichment_and_scope_do_not_depend_on_threads() {
    let dir = evidence(&tenant());
    let iocs = tempfile::tempdir().unwrap();
    let list = write(iocs.path(), "iocs.txt", "203.0.113.50\nua:python\nAS64496\n");
    let d = dir.path().display().to_string();
    let mut base: Vec<String> = ["audit", d.as_str(), "-o", "json", "--ioc", list.as_str()].map(String::from).to_vec();
    base.extend(databases());
    let output = |extra: &[&str]| {
        let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
        args.extend_from_slice(extra);
        run(&args).stdout
    };
    let one = output(&["--threads", "1", "--concurrency", "1"]);
    assert!(one.len() > 1000);
    assert!(one == output(&["--threads", "3", "--concurrency", "4"]), "the report differs with the thread count");
}
