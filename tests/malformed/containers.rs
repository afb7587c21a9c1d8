//! gzip and zip: cut streams, padding, bombs, duplicate and hostile member names, lying sizes,
//! encryption, a missing central directory, archives inside archives.

use std::path::Path;

use super::make::*;
use super::{Case, case};

/// JSON lines of `n` records (a cut keeps every whole line before it).
fn jsonl(n: u32) -> Vec<u8> {
    lines(&(1..=n).map(record).collect::<Vec<_>>())
}

fn zip(entries: &[Entry]) -> Vec<u8> {
    zipw::build(entries, true)
}

pub fn cases() -> Vec<Case> {
    let big = jsonl(400);
    let gzbig = gz(&big);
    vec![
        case("gz-whole", vec![("s.jsonl.gz", gz(&jsonl(3)))]).inputs(&[("s.jsonl.gz", 3, 0, 0)]).says("gzip-compressed"),
        // Cut at a quarter, half and three quarters: whole lines before the cut are kept, the line
        // the cut falls in is rejected, and the damage says where the stream ends.
        case("gz-cut-quarter", vec![("s.jsonl.gz", gzbig[..gzbig.len() / 4].to_vec())])
            .inputs(&[("s.jsonl.gz", 65, 1, 0)])
            .damaged(&["s.jsonl.gz"])
            .says("cut short"),
        case("gz-cut-half", vec![("s.jsonl.gz", gzbig[..gzbig.len() / 2].to_vec())])
            .inputs(&[("s.jsonl.gz", 176, 1, 0)])
            .damaged(&["s.jsonl.gz"])
            .says("cut short"),
        case("gz-cut-before-trailer", vec![("s.jsonl.gz", gzbig[..gzbig.len() - 4].to_vec())])
            .inputs(&[("s.jsonl.gz", 400, 0, 0)])
            .damaged(&["s.jsonl.gz"])
            .says("cut short"),
        // Issue 4: one damaged container beside good evidence stopped the whole run.
        case("gz-cut-beside-good-evidence", vec![("a.jsonl.gz", gzbig[..gzbig.len() / 2].to_vec()), ("b.json", page(&[record(900)]))])
            .inputs(&[("a.jsonl.gz", 176, 1, 0), ("b.json", 1, 0, 0)])
            .damaged(&["a.jsonl.gz"])
            .says("cut short"),
        case("gz-header-only", vec![("s.jsonl.gz", gzbig[..10].to_vec())])
            .inputs(&[("s.jsonl.gz", 0, 0, 0)])
            .damaged(&["s.jsonl.gz"])
            .says("empty file"),
        case("gz-nul-padding", vec![("s.jsonl.gz", [gz(&jsonl(3)), vec![0u8; 4096]].concat())])
            .inputs(&[("s.jsonl.gz", 3, 0, 0)])
            .says("NUL padding"),
        case("gz-trailing-garbage", vec![("s.jsonl.gz", [gz(&jsonl(3)), b"garbage".to_vec()].concat())])
            .inputs(&[("s.jsonl.gz", 3, 0, 0)])
            .damaged(&["s.jsonl.gz"])
            .says("not gzip"),
        case("gz-two-members", vec![("s.jsonl.gz", [gz(&jsonl(2)), gz(&lines(&[record(3)]))].concat())])
            .inputs(&[("s.jsonl.gz", 3, 0, 0)])
            .says("2 gzip members"),
        case("gz-bomb-cut-by-max-inflate", Vec::new())
            .setup(gz_bomb)
            .flags(&["--max-inflate", "1M"])
            .inputs(&[("bomb.json.gz", 1, 0, 0)])
            .damaged(&["bomb.json.gz"])
            .says("--max-inflate"),
        case("gz-magic-but-not-gzip", vec![("x.gz", b"\x1f\x8b this is not gzip".to_vec())])
            .inputs(&[("x.gz", 0, 0, 0)])
            .damaged(&["x.gz"])
            .says("not a readable gzip"),
        case("zip-whole", vec![("e.zip", zip(&[Entry::new("signins/p1.json", &page_of(2))]))]).inputs(&[(
            "e.zip!signins/p1.json",
            2,
            0,
            0,
        )]),
        case("zip-duplicate-names", vec![("e.zip", zip(&[Entry::new("p.json", &page_of(2)), Entry::new("p.json", &page(&[record(3)]))]))])
            .inputs(&[("e.zip!p.json#1", 2, 0, 0), ("e.zip!p.json#2", 1, 0, 0)]),
        case(
            "zip-member-named-dot-dot",
            vec![("e.zip", zip(&[Entry::new("../../x", &page_of(1)), Entry::new("/etc/passwd", b"root:x:0:0")]))],
        )
        .inputs(&[("e.zip!../../x", 1, 0, 0), ("e.zip!/etc/passwd", 0, 0, 0)]),
        case(
            "zip-member-beyond-declared-size",
            vec![("e.zip", zip(&[Entry { declared_size: Some(100), ..Entry::new("p.json", &page_of(2)) }]))],
        )
        .inputs(&[("e.zip!p.json", 0, 0, 0)])
        .damaged(&["e.zip!p.json"])
        .says("beyond its declared size of 100"),
        case(
            "zip-encrypted-member",
            vec![("e.zip", zip(&[Entry { flags: 1, ..Entry::new("secret.json", &page_of(1)) }, Entry::new("p.json", &page_of(2))]))],
        )
        .inputs(&[("e.zip!p.json", 2, 0, 0)])
        .damaged(&["e.zip!secret.json"])
        .says("encrypted"),
        case(
            "zip-no-central-directory",
            vec![("e.zip", zipw::build(&[Entry::new("a.json", &page_of(1)), Entry::new("b.json", &page(&[record(2)]))], false))],
        )
        .inputs(&[("e.zip!a.json", 1, 0, 0), ("e.zip!b.json", 1, 0, 0)])
        .damaged(&["e.zip"])
        .says("no central directory"),
        case(
            "zip-cut-in-a-member",
            vec![("e.zip", {
                let z = zip(&[Entry::new("a.json", &page_of(1)), Entry::new("b.jsonl", &jsonl(400))]);
                z[..z.len() * 3 / 4].to_vec()
            })],
        )
        // Record 1 of b.jsonl is also a.json's record: one duplicate.
        .inputs(&[("e.zip!a.json", 1, 0, 0), ("e.zip!b.jsonl", 283, 1, 1)])
        .damaged(&["e.zip", "e.zip!b.jsonl"])
        .says("cut short"),
        case("zip-streamed-members", vec![("e.zip", zip(&[Entry { flags: 8, ..Entry::new("a.json", &page_of(2)) }]))]).inputs(&[(
            "e.zip!a.json",
            2,
            0,
            0,
        )]),
        case("zip-stored-member", vec![("e.zip", zip(&[Entry { deflate: false, ..Entry::new("a.json", &page_of(2)) }]))]).inputs(&[(
            "e.zip!a.json",
            2,
            0,
            0,
        )]),
        case("zip-empty", vec![("e.zip", zip(&[]))]).inputs(&[]).says("archive holds no files"),
        case("zip-in-zip", vec![("e.zip", zip(&[Entry::new("inner.zip", &zip(&[Entry::new("p.json", &page_of(1))]))]))])
            .inputs(&[("e.zip!inner.zip", 0, 0, 0)])
            .damaged(&["e.zip!inner.zip"])
            .says("inside a zip archive"),
        case("gz-in-zip", vec![("e.zip", zip(&[Entry::new("p.json.gz", &gz(&page_of(2)))]))])
            .inputs(&[("e.zip!p.json.gz", 2, 0, 0)])
            .says("zip member, gzip-compressed"),
        // 64 flipped bytes inside the deflate stream: it still inflates, to garbage lines (rejected)
        // and past the declared size (cut there).
        case(
            "zip-damaged-in-the-middle",
            vec![("e.zip", {
                let mut z = zip(&[Entry::new("b.jsonl", &jsonl(400))]);
                let mid = z.len() / 2;
                z[mid..mid + 64].iter_mut().for_each(|b| *b = !*b);
                z
            })],
        )
        .inputs(&[("e.zip!b.jsonl", 178, 222, 0)])
        .damaged(&["e.zip!b.jsonl"])
        .says("beyond its declared size"),
        case("zip-with-strict", vec![("e.zip", zip(&[Entry { flags: 1, ..Entry::new("secret.json", &page_of(1)) }]))])
            .flags(&["--strict"])
            .error("encrypted"),
    ]
}

/// A 100 KB gzip stream that inflates to 100 MB of spaces after a page.
fn gz_bomb(ev: &Path) {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&page_of(1)).unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..100 {
        e.write_all(&spaces).unwrap();
    }
    std::fs::write(ev.join("bomb.json.gz"), e.finish().unwrap()).unwrap();
}
