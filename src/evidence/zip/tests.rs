//! Unit tests of the zip reader on archives written by `tests/common/zipw.rs` and by the `zip` crate.

use std::io::Write;

use super::*;
use crate::evidence::Payload;

#[path = "../../../tests/common/zipw.rs"]
mod zipw;
use zipw::{Entry, build};

fn file_of(bytes: &[u8]) -> (File, u64) {
    let mut f = tempfile::tempfile().unwrap();
    f.write_all(bytes).unwrap();
    (f, bytes.len() as u64)
}

fn read(f: &File, len: u64, m: &Member, limit: u64) -> (Vec<u8>, Vec<String>) {
    match inflate(f, len, m, limit).unwrap() {
        Inflated::Read { out, damage } => {
            let bytes = match out.payload {
                Payload::Memory(v) => v.to_vec(),
                Payload::File { .. } => unreachable!(),
            };
            (bytes, damage)
        }
        Inflated::NotRead(why) => panic!("not read: {why}"),
    }
}

#[test]
fn lists_every_member_including_duplicate_names() {
    let a = Entry::new("signins/page.json", b"first copy");
    let b = Entry::new("signins/page.json", b"second copy");
    let c = Entry { deflate: false, ..Entry::new("../../x", b"stored") };
    let (f, len) = file_of(&build(&[a, b, c], true));
    let l = list(&f, len, u64::MAX);
    assert!(l.damage.is_empty(), "{:?}", l.damage);
    let names: Vec<(&str, u32)> = l.members.iter().map(|m| (m.name.as_str(), m.position)).collect();
    assert_eq!(names, vec![("signins/page.json", 1), ("signins/page.json", 2), ("../../x", 3)]);
    assert_eq!(read(&f, len, &l.members[0], u64::MAX).0, b"first copy");
    assert_eq!(read(&f, len, &l.members[1], u64::MAX).0, b"second copy");
    assert_eq!(read(&f, len, &l.members[2], u64::MAX).0, b"stored");
}

#[test]
fn reads_archives_of_the_zip_crate() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.add_directory("d/", opts).unwrap();
    w.start_file("d/a.json", opts).unwrap();
    w.write_all(&b"{\"a\":1}".repeat(1000)).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let (f, len) = file_of(&bytes);
    let l = list(&f, len, u64::MAX);
    assert_eq!(l.members.len(), 2);
    assert!(l.members[0].is_dir());
    assert_eq!(read(&f, len, &l.members[1], u64::MAX), (b"{\"a\":1}".repeat(1000), vec![]));
}

#[test]
fn without_a_central_directory_members_come_from_local_headers() {
    let streamed = Entry { flags: 8, ..Entry::new("b.json", &b"bbbb".repeat(100)) };
    let bytes = build(&[Entry::new("a.json", b"aaaa"), streamed, Entry::new("c.json", b"cccc")], false);
    let (f, len) = file_of(&bytes);
    let l = list(&f, len, u64::MAX);
    assert!(l.damage[0].contains("no central directory"), "{:?}", l.damage);
    let names: Vec<&str> = l.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["a.json", "b.json", "c.json"]);
    assert_eq!(read(&f, len, &l.members[1], u64::MAX), (b"bbbb".repeat(100), vec![]));
    assert_eq!(read(&f, len, &l.members[2], u64::MAX).0, b"cccc");
}

#[test]
fn a_cut_archive_keeps_what_inflated_before_the_cut() {
    let text: Vec<u8> = (0..20_000u32).flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes()).collect();
    let bytes = build(&[Entry::new("a.jsonl", &text)], true);
    let (f, len) = file_of(&bytes[..bytes.len() / 2]);
    let l = list(&f, len, u64::MAX);
    assert_eq!(l.members.len(), 1);
    let (got, damage) = read(&f, len, &l.members[0], u64::MAX);
    assert!(!got.is_empty() && text.starts_with(&got));
    assert!(damage[0].contains("cut short") && damage[0].contains(&format!("after {} decompressed", got.len())), "{damage:?}");
}

#[test]
fn sizes_limits_crc_and_encryption() {
    let liar = Entry { declared_size: Some(10), ..Entry::new("liar.json", &[b' '; 100_000]) };
    let secret = Entry { flags: 1, ..Entry::new("secret.json", b"{}") };
    let odd = Entry { deflate: false, ..Entry::new("odd.json", b"abc") };
    let mut bytes = build(&[liar, secret, odd], true);
    let (f, len) = file_of(&bytes);
    let l = list(&f, len, u64::MAX);
    let (got, damage) = read(&f, len, &l.members[0], u64::MAX);
    assert_eq!(got.len(), 10);
    assert!(damage[0].contains("beyond its declared size of 10"), "{damage:?}");
    match inflate(&f, len, &l.members[1], u64::MAX).unwrap() {
        Inflated::NotRead(why) => assert!(why.contains("encrypted"), "{why}"),
        Inflated::Read { .. } => panic!("an encrypted member was read"),
    }
    let (_, damage) = read(&f, len, &l.members[0], 5);
    assert!(damage[0].contains("--max-inflate"), "{damage:?}");

    // Flip one stored byte: the CRC no longer matches.
    let at = l.members[2].header as usize + 30 + "odd.json".len();
    bytes[at] = b'X';
    let (f, len) = file_of(&bytes);
    let (got, damage) = read(&f, len, &l.members[2], u64::MAX);
    assert_eq!(got, b"Xbc");
    assert!(damage[0].contains("CRC-32 mismatch"), "{damage:?}");
}

#[test]
fn garbage_is_not_an_archive_but_never_a_panic() {
    for bytes in [
        &b"PK\x03\x04"[..],
        b"PK\x05\x06",
        b"PK\x03\x04\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
    ] {
        let (f, len) = file_of(bytes);
        let l = list(&f, len, u64::MAX);
        for m in &l.members {
            let _ = inflate(&f, len, m, u64::MAX).unwrap();
        }
    }
}
