//! Behaviour of the `signin-audit` binary: evidence is read-only, output does not depend on the thread
//! count, errors are one line with exit status 1, stdout holds only the report.

mod common;

use common::*;

#[test]
fn evidence_is_never_modified() {
    let evidence = fixtures().join("evidence");
    let before = snapshot(&evidence);
    assert!(before.len() > 30, "fixtures missing? {} files", before.len());
    // Sleep past the mtime granularity of coarse file systems so a rewrite would show.
    std::thread::sleep(std::time::Duration::from_millis(20));
    run_ok(&["inventory", "-o", "json", "evidence"]);
    run_ok(&["inventory", "--threads", "3", "evidence"]);
    let _ = run(&["inventory", "--strict", "evidence"]);
    let _ = run(&["inventory", "--format", "json", "-o", "json", "evidence"]);
    let after = snapshot(&evidence);
    let before_paths: Vec<_> = before.keys().collect();
    let after_paths: Vec<_> = after.keys().collect();
    assert_eq!(before_paths, after_paths, "files were created or removed under the evidence directory");
    for (path, state) in &before {
        assert_eq!(Some(state), after.get(path), "{} changed (sha256, size or mtime)", path.display());
    }
}

#[test]
fn thread_count_does_not_change_the_output() {
    for fmt in ["json", "table"] {
        let one = run_ok(&["inventory", "-o", fmt, "--threads", "1", "evidence"]);
        let four = run_ok(&["inventory", "-o", fmt, "--threads", "4", "evidence"]);
        let default = run_ok(&["inventory", "-o", fmt, "evidence"]);
        assert!(one == four, "-o {fmt}: --threads 1 and --threads 4 differ");
        assert!(one == default, "-o {fmt}: --threads 1 and the default pool differ");
    }
}

#[test]
fn json_flag_is_the_same_as_output_json() {
    assert!(run_ok(&["inventory", "--json", "evidence/json"]) == run_ok(&["inventory", "-o", "json", "evidence/json"]));
}

#[test]
fn strict_on_malformed_evidence_exits_1_with_one_line() {
    let args = ["inventory", "--strict", "evidence/malformed"];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&args, &o));
    assert!(o.stdout.is_empty(), "no report on a --strict failure\n{}", describe(&args, &o));
    let line = one_line_error(&args, &o);
    assert!(line.contains("rejected and --strict is set"), "{line}");
    // The first rejection is named with its file, position and reason ("FILE: record I, [line L, ]byte N: why").
    let first = line.split_once("; first: ").map(|(_, f)| f).unwrap_or_else(|| panic!("no first rejection in {line:?}"));
    let parts: Vec<&str> = first.splitn(3, ": ").collect();
    assert_eq!(parts.len(), 3, "{line}");
    assert!(parts[0].starts_with("evidence/malformed/"), "{line}");
    assert!(parts[1].starts_with("record ") && parts[1].contains("byte "), "{line}");
    assert!(!parts[2].is_empty(), "{line}");
}

#[test]
fn strict_without_rejections_succeeds() {
    run_ok(&["inventory", "--strict", "evidence/json/graph-beta-page.json"]);
}

#[test]
fn strict_fails_when_every_record_of_a_file_is_rejected() {
    for path in ["evidence/malformed/no-timestamp.json", "evidence/malformed/no-user.json"] {
        let args = ["inventory", "--strict", path];
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{}", describe(&args, &o));
        one_line_error(&args, &o);
    }
}

#[test]
fn missing_path_exits_1_with_one_line() {
    let args = ["inventory", "evidence/no-such-dir"];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&args, &o));
    assert!(o.stdout.is_empty());
    let line = one_line_error(&args, &o);
    assert!(line.contains("evidence/no-such-dir") && line.contains("no such file or directory"), "{line}");
}

#[test]
fn missing_path_among_good_ones_still_fails() {
    let args = ["inventory", "evidence/json/graph-beta-page.json", "evidence/nope.json"];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&args, &o));
    assert!(o.stdout.is_empty());
    one_line_error(&args, &o);
}

#[test]
fn usage_errors_exit_1_not_2_with_one_line() {
    for args in [
        &["inventory", "--bogus", "evidence"][..],
        &["inventory", "-o", "xml", "evidence"],
        &["inventory", "--threads", "many", "evidence"],
        &["inventory", "--threads", "0", "evidence"],
        &["inventory", "--input-timezone", "Mars/Olympus_Mons", "evidence"],
        &["inventory", "--date-order", "ymd", "evidence"],
        &["frobnicate", "evidence"],
        &["inventory"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(1), "{}", describe(args, &o));
        assert!(o.stdout.is_empty(), "{}", describe(args, &o));
        one_line_error(args, &o);
    }
}

#[test]
fn missing_evidence_argument_is_named() {
    let args = ["inventory"];
    let o = run(&args);
    let line = one_line_error(&args, &o);
    assert!(line.contains("EVIDENCE"), "{line}");
}

#[test]
fn no_subcommand_is_a_usage_error() {
    let args: [&str; 0] = [];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&args, &o));
}

#[test]
fn help_exits_0_on_stdout() {
    for args in [&["--help"][..], &["inventory", "--help"], &["help", "inventory"]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0), "{}", describe(args, &o));
        assert!(o.stderr.is_empty(), "{}", describe(args, &o));
        let out = text(&o.stdout);
        assert!(out.contains("Usage: signin-audit"), "{}", describe(args, &o));
    }
    let out = text(&run_ok(&["--help"]));
    assert!(out.contains("inventory") && out.contains("EXIT STATUS"), "{out}");
    let out = text(&run_ok(&["--version"]));
    assert_eq!(out, format!("signin-audit {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_files_are_a_warning_not_a_failure() {
    for (path, why) in [
        ("evidence/malformed/README.txt", "unrecognized file, skipped: text starting"),
        ("evidence/malformed/screenshot.png", "unrecognized file, skipped: binary data"),
        ("evidence/malformed/empty.json", "empty file"),
    ] {
        let inv = inventory_json(&[path]);
        let f = file_entry(&inv, path);
        assert!(f["format"].is_null(), "{f:#}");
        assert_eq!(f["records"], 0);
        assert!(warnings(f).iter().any(|w| w.starts_with(why)), "{path}: {f:#}");
        assert!(warnings(&inv).iter().any(|w| w == "no sign-in records found in the evidence"), "{inv:#}");
    }
    // Mixed with real evidence, the run still succeeds and reports the good files.
    let inv = inventory_json(&["evidence/malformed/README.txt", "evidence/json/graph-v1.0-page.json"]);
    assert_eq!(inv["totals"]["records"], 4);
}

#[test]
fn stdout_holds_only_the_report() {
    // JSON: stdout is exactly one JSON document followed by one newline; stderr is empty (run_ok).
    let out = run_ok(&["inventory", "-o", "json", "evidence"]);
    let s = text(&out);
    assert!(s.starts_with("{\n") && s.ends_with("}\n") && !s.ends_with("\n\n"), "{s}");
    let v: serde_json::Value = serde_json::from_str(&s).expect("one JSON document");
    assert_eq!(v["tool"]["name"], "signin-audit");
    // Table: starts with the header, no progress bar or control characters.
    let s = text(&run_ok(&["inventory", "evidence"]));
    assert!(s.starts_with("FORMAT "), "{s}");
    assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "control characters on stdout");
    // Even with a rejection and an unrecognized file, nothing goes to stderr.
    run_ok(&["inventory", "evidence/malformed"]);
}
