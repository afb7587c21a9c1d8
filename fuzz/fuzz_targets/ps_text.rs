//! The PowerShell `ToString()` renderings found in Export-Csv cells (`@{Key=Value; ...}`,
//! `class SignInStatus {...}`, `System.Object[]` lists).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signin_audit::ingest::csv::ps_text;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    ps_text::object_entries(&text, |_, _, _| {});
    ps_text::class_entries(&text, |_, _, _| {});
    ps_text::list_items(&text, |_| {});
});
