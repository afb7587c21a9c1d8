//! `signin-audit audit -o html`: the page is self-contained, deterministic and inert to hostile
//! evidence, and, in a real headless Chromium with no network, draws the map, a timeline per user
//! with findings and the findings table without a script error.
//!
//! The browser tests look for Chromium (`SIGNIN_AUDIT_CHROMIUM`, else `chromium`,
//! `chromium-browser` or `google-chrome` on the PATH). Without one they print a notice and pass,
//! unless `SIGNIN_AUDIT_REQUIRE_BROWSER=1` (as CI sets it), where they fail.

// Test helpers outside `#[test]` functions, where clippy's allow-unwrap-in-tests does not reach:
// failing loudly is what they are for.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, describe};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Exit status of `audit` with high findings (the samples and the hostile evidence have some).
const EXIT_HIGH: i32 = 2;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn audit(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("audit").args(args).current_dir(dir).output().unwrap()
}

/// `audit samples -o html ARGS` from the repository root.
fn samples_html(args: &[&str]) -> String {
    let mut all = vec!["samples", "-o", "html"];
    all.extend_from_slice(args);
    let o = audit(repo_root(), &all);
    assert_eq!(o.status.code(), Some(EXIT_HIGH), "{}", describe(&all, &o));
    assert!(o.stderr.is_empty(), "{}", describe(&all, &o));
    String::from_utf8(o.stdout).unwrap()
}

/// The samples page with the default flags, rendered once for every test that reads it.
fn samples_page() -> &'static str {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PAGE.get_or_init(|| samples_html(&[]))
}

// ---- hostile evidence ---------------------------------------------------------------------

/// Each payload sets `data-pwned` on the body if it ever runs.
const HOSTILE_UA: &str = "python-requests/2.31.0 </script><img src=x onerror=\"document.body.setAttribute('data-pwned','ua')\"><!--";
const HOSTILE_APP: &str = "<img src=x onerror=document.body.setAttribute('data-pwned','app')>";
const HOSTILE_CITY: &str = "</title><script>document.body.setAttribute('data-pwned','city')</script>";
/// UPNs are lowercased (the partition key), so this payload is lowercase JavaScript.
const HOSTILE_UPN: &str = "x\"><svg onload=document.title='pwned-upn'>@contoso.example";

/// Where and with what a sign-in was made.
struct At<'a> {
    ua: &'a str,
    app: &'a str,
    city: &'a str,
    country: &'a str,
    coords: (f64, f64),
    ip: &'a str,
}

fn record(n: u32, upn: &str, time: &str, at: &At<'_>) -> Value {
    let At { ua, app, city, country, coords, ip } = *at;
    json!({
        "id": format!("5e1a{n:04}-0c0d-4e5a-9a1b-00000000{n:04}"),
        "createdDateTime": time,
        "userPrincipalName": upn,
        "userId": format!("0c7f5a11-2b3c-4d4e-8f50-00000000{:04}", upn.len()),
        "appId": "00000002-0000-0ff1-ce00-000000000000",
        "appDisplayName": app,
        "ipAddress": ip,
        "clientAppUsed": "Browser",
        "userAgent": ua,
        "isInteractive": true,
        "signInEventTypes": ["interactiveUser"],
        "sessionId": format!("a7e5e55a-0000-4000-8000-00000000{n:04}"),
        "status": {"errorCode": 0, "failureReason": "Other. '\"<b>", "additionalDetails": null},
        "deviceDetail": {"deviceId": "", "displayName": "", "operatingSystem": "Windows10", "browser": "Edge 120", "isCompliant": true, "isManaged": true, "trustType": ""},
        "location": {"city": city, "state": "", "countryOrRegion": country, "geoCoordinates": {"latitude": coords.0, "longitude": coords.1}},
    })
}

/// A user with three weeks of ordinary sign-ins in New York, then one from Moscow whose user
/// agent, app and city are script payloads; and a user whose UPN is one.
fn hostile_evidence(dir: &Path) {
    const NY: (f64, f64) = (40.7128, -74.006);
    const EDGE: &str =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0";
    let mut recs = Vec::new();
    for (user, base) in [("victim@contoso.example", 0), (HOSTILE_UPN, 100)] {
        for d in 1..=20 {
            let t = format!("2026-01-{d:02}T14:00:00Z");
            let home = At { ua: EDGE, app: "Office 365 Exchange Online", city: "New York", country: "US", coords: NY, ip: "192.0.2.10" };
            recs.push(record(base + d, user, &t, &home));
        }
        let attacker =
            At { ua: HOSTILE_UA, app: HOSTILE_APP, city: HOSTILE_CITY, country: "RU", coords: (55.7558, 37.6173), ip: "203.0.113.9" };
        recs.push(record(base + 50, user, "2026-01-21T03:00:00Z", &attacker));
    }
    let page = json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#auditLogs/signIns", "value": recs});
    std::fs::write(dir.join("hostile.json"), serde_json::to_vec_pretty(&page).unwrap()).unwrap();
}

fn hostile_html(dir: &Path) -> String {
    hostile_evidence(dir);
    let o = audit(dir, &["hostile.json", "-o", "html", "--baseline-days", "14", "--days", "7"]);
    assert_eq!(o.status.code(), Some(EXIT_HIGH), "{}", describe(&["audit hostile.json -o html"], &o));
    String::from_utf8(o.stdout).unwrap()
}

// ---- the page without a browser -----------------------------------------------------------

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            out.push(if k <= c.len() { A[((n >> (18 - 6 * k)) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// The page's executable script (the last `<script>` element) and the hash its CSP allows.
fn script_and_csp_hash(html: &str) -> (String, String) {
    let start = html.rfind("<script>").unwrap() + "<script>".len();
    let end = html[start..].find("</script>").unwrap() + start;
    let csp = html.split("script-src 'sha256-").nth(1).unwrap();
    (html[start..end].to_string(), csp[..csp.find('\'').unwrap()].to_string())
}

#[test]
fn the_page_is_self_contained_and_its_script_is_the_one_the_policy_allows() {
    let html = samples_page();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("default-src 'none'"), "a CSP forbids every request");
    let (script, hash) = script_and_csp_hash(html);
    assert_eq!(base64(&Sha256::digest(script.as_bytes())), hash, "the CSP must allow exactly the page's script");
    assert_eq!(html.matches("<script").count(), 2, "the data block and the script, nothing else");
    for banned in [
        "<link",
        "<iframe",
        "<object",
        "<embed",
        "<img",
        " src=",
        " href=\"http",
        "url(",
        "@import",
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
    ] {
        assert!(!html.contains(banned), "the page must not load anything: found {banned:?}");
    }
    assert!(html.len() < 2_000_000, "the samples page is {} bytes", html.len());
    assert!(!html.contains("id=\"scope\""), "no scope section without scope data");
}

#[test]
fn the_page_is_deterministic_at_any_thread_count() {
    let a = samples_html(&["--threads", "1", "--concurrency", "1"]);
    let b = samples_html(&["--threads", "3", "--concurrency", "5"]);
    assert!(a == b, "the page differs between runs");
}

#[test]
fn hostile_strings_stay_data_in_the_markup() {
    let dir = tempfile::tempdir().unwrap();
    let html = hostile_html(dir.path());
    assert!(!html.contains("<img"), "an <img> from the evidence reached the markup");
    assert!(!html.contains("<svg onload"));
    assert!(!html.contains("</title><script>"));
    assert_eq!(html.matches("</script>").count(), 2, "no evidence string closes a script element");
    // In the data block, as escaped JSON; in the markup (the overview's user table), as text.
    assert!(html.contains(r"python-requests/2.31.0 \u003c/script\u003e\u003cimg src=x onerror="), "the user agent is in the data");
    assert!(html.contains("x&quot;&gt;&lt;svg onload=document.title=&#39;pwned-upn&#39;&gt;@contoso.example"));
}

// ---- in Chromium --------------------------------------------------------------------------

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// The browser, or `None` (with a notice on the real stderr) when there is none and none is required.
fn chromium(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("SIGNIN_AUDIT_CHROMIUM")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| ["chromium", "chromium-browser", "google-chrome"].into_iter().find_map(on_path));
    if found.is_none() {
        if std::env::var("SIGNIN_AUDIT_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("{test}: SIGNIN_AUDIT_REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium, or set SIGNIN_AUDIT_CHROMIUM)");
        }
        // Not through eprintln!: the test harness would swallow it.
        let _ = writeln!(
            std::io::stderr(),
            "NOTICE: {test} skipped: no Chromium found (apt-get install chromium); set SIGNIN_AUDIT_REQUIRE_BROWSER=1 to make this a failure"
        );
    }
    found
}

/// Run headless Chromium on a local file with no network, a fresh profile and a time limit.
fn headless(bin: &Path, page: &Path, mode: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (profile.path().join("stdout"), profile.path().join("stderr"));
    // Files, not pipes: a DOM larger than a pipe's buffer would block Chromium while we wait.
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(mode)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("Chromium did not finish within 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (read(&out_path), read(&err_path))
}

/// Console messages, script errors and refused loads in Chromium's log.
fn console_problems(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Refused to")).collect()
}

fn write_page(dir: &Path, html: &str) -> PathBuf {
    let path = dir.join("report.html");
    std::fs::write(&path, html).unwrap();
    path
}

/// `<`, `>` and `&` as a DOM serializer writes them in text.
fn text_escaped(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[test]
fn chromium_draws_the_samples_report_without_errors() {
    let Some(bin) = chromium("chromium_draws_the_samples_report_without_errors") else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), samples_page());
    let (dom, log) = headless(&bin, &page, &["--dump-dom"]);
    assert!(dom.contains("data-rendered=\"ok\""), "the script did not finish:\n{}", &dom[..dom.len().min(3000)]);
    assert!(!dom.contains("data-js-errors=\""), "the script recorded errors");
    assert_eq!(console_problems(&log), Vec::<&str>::new(), "console messages or refused loads");
    assert!(dom.matches("class=\"pt ").count() >= 5, "map points drawn");
    assert!(dom.contains("class=\"travel\""), "the impossible-travel arc is drawn");
    let report: Value = serde_json::from_slice(&audit(repo_root(), &["samples", "-o", "json"]).stdout).unwrap();
    let flagged: Vec<&str> = report["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["findings"].as_u64() > Some(0))
        .map(|u| u["user"].as_str().unwrap())
        .collect();
    assert!(flagged.len() >= 5);
    assert_eq!(dom.matches("<div class=\"tl\"").count(), flagged.len(), "one timeline per user with findings");
    for user in flagged {
        assert!(dom.contains(&format!("<span class=\"who\">{}</span>", text_escaped(user))), "no timeline for {user}");
    }
    let findings = report["findings"].as_array().unwrap().len();
    assert_eq!(dom.matches("<tr class=\"f\"").count(), findings, "one table row per finding");
}

#[test]
fn chromium_screenshot_of_the_samples_report_is_not_blank() {
    let Some(bin) = chromium("chromium_screenshot_of_the_samples_report_is_not_blank") else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), samples_page());
    let shot = dir.path().join("shot.png");
    headless(&bin, &page, &[&format!("--screenshot={}", shot.display()), "--window-size=1280,1600"]);
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let mut colours: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();
    for px in buf[..info.buffer_size()].chunks(channels) {
        colours.insert(px);
    }
    assert!((info.width, info.height) == (1280, 1600), "{}x{}", info.width, info.height);
    assert!(colours.len() > 100, "the screenshot has only {} colours: blank?", colours.len());
}

#[test]
fn chromium_runs_nothing_from_hostile_evidence() {
    let Some(bin) = chromium("chromium_runs_nothing_from_hostile_evidence") else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), &hostile_html(dir.path()));
    let (dom, log) = headless(&bin, &page, &["--dump-dom"]);
    assert!(dom.contains("data-rendered=\"ok\""), "the script did not finish");
    assert!(!dom.contains("data-pwned=\""), "an evidence string ran as script");
    assert!(!dom.contains("<title>pwned"), "the UPN's onload ran");
    assert!(!dom.contains("<img"), "an evidence string became an element");
    assert_eq!(console_problems(&log), Vec::<&str>::new(), "nothing was even attempted (no refused inline script)");
    // The payloads are on the page, as text.
    let around = |needle: &str| dom.find(needle).map(|i| dom[i.saturating_sub(200)..(i + 400).min(dom.len())].to_string());
    // (Detector summaries quote the user agent, escaping its quotes, so look for a part without any.)
    assert!(
        dom.contains("python-requests/2.31.0 &lt;/script&gt;&lt;img src=x onerror="),
        "the user agent is shown as text: {:?}",
        around("python-requests")
    );
    assert!(dom.contains(&text_escaped(HOSTILE_APP)));
}

#[test]
fn the_readme_states_the_caps_the_code_applies() {
    use signin_audit::report::html::data::{
        MAX_DRAWN_USERS, MAX_FINDINGS, MAX_POINT_SIGN_INS, MAX_ROWS_PER_USER, MAX_TABLE_ROWS, MAX_UNLOCATED,
    };
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let n = |v: usize| if v >= 1000 { format!("{},{:03}", v / 1000, v % 1000) } else { v.to_string() };
    for phrase in [
        format!("draw the {} highest-risk users", n(MAX_DRAWN_USERS)),
        format!("at most {}\nsign-ins per user", n(MAX_ROWS_PER_USER)),
        format!("holds the {} highest-risk findings", n(MAX_FINDINGS)),
        format!("draws at most {} rows at once", n(MAX_TABLE_ROWS)),
        format!("lists its first {} sign-ins", n(MAX_POINT_SIGN_INS)),
        format!("{} places without coordinates", n(MAX_UNLOCATED)),
    ] {
        let flat = readme.replace('\n', " ");
        assert!(flat.contains(&phrase.replace('\n', " ")), "README.md does not say {phrase:?}");
    }
}

#[test]
fn the_scope_of_a_pivot_is_a_section_and_without_one_there_is_none() {
    assert!(!samples_page().contains("<section id=\"scope\""), "no --ioc / --pivot-from: no scope section");
    let html = samples_html(&["--pivot-from", "daniel.kim@contoso.example"]);
    let start = html.find("<section id=\"scope\"").expect("a scope section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(section.contains("daniel.kim@contoso.example (pivot)"), "{section}");
    assert!(section.contains("<th>first contact</th>") || section.contains("first contact"), "{section}");
}
