//! Memory per file is what the file needs: thousands of one-record files (an Azure Monitor storage
//! export of hourly `PT1H.json` blobs) must not cost a builder and a batch each.
//!
//! Before the work groups, every input kept ~270 KB resident until the merge, so 3,000 files took
//! about 800 MB; now they take about what one file of the same records takes. The peak RSS of the
//! child is read with `getrusage(RUSAGE_CHILDREN)`, which is why this test has a process of its own.

// Test-only crate: clippy's `allow-unwrap-in-tests` then covers the helpers too.
#![cfg(test)]
#![cfg(target_os = "linux")]

mod common;

use std::process::Command;

/// Files written: enough that a fixed per-file cost of even 50 KB would show.
const FILES: u32 = 3_000;

/// Peak RSS allowed for the run (a debug build; one file of these records takes ~20 MB).
const MAX_RSS_KB: i64 = 150 * 1024;

fn blob(n: u32) -> String {
    format!(
        concat!(
            r#"{{"time":"2025-01-01T00:00:00Z","category":"SignInLogs","operationName":"Sign-in activity","properties":{{"#,
            r#""id":"5e1a0000-0000-4000-8000-{n:012}","createdDateTime":"2025-{m:02}-{d:02}T{h:02}:00:00Z","#,
            r#""userPrincipalName":"user{u}@contoso.example","userId":"0c7f5a11-0000-4000-8000-{u:012}","appDisplayName":"Microsoft Teams","#,
            r#""ipAddress":"198.51.100.{ip}","clientAppUsed":"Browser","isInteractive":true,"status":{{"errorCode":0}}}}}}"#,
            "\n"
        ),
        n = n,
        m = n / 672 % 12 + 1,
        d = n / 24 % 28 + 1,
        h = n % 24,
        u = n % 50,
        ip = n % 250
    )
}

#[test]
fn thousands_of_one_record_files_cost_about_one_file() {
    let dir = tempfile::tempdir().unwrap();
    for n in 0..FILES {
        let d = dir.path().join(format!("ev/y=2025/m={:02}/d={:02}", n / 672 % 12 + 1, n / 24 % 28 + 1));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("PT1H-{n}.json")), blob(n)).unwrap();
    }
    let out = Command::new(common::BIN).args(["inventory", "-o", "json", "ev"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["totals"]["files"], FILES);
    assert_eq!(report["totals"]["unique_sign_ins"], FILES);

    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    #[allow(unsafe_code)]
    // SAFETY: getrusage writes one `rusage` into the valid, writable pointer it is given.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    assert!(usage.ru_maxrss < MAX_RSS_KB, "peak RSS {} KB for {FILES} one-record files (limit {MAX_RSS_KB} KB)", usage.ru_maxrss);
}
