//! Files and folders: FIFOs, devices, symbolic link loops and dangling links, empty files, paths
//! that do not exist, and `--strict`.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use super::make::*;
use super::{Case, case};

fn mkfifo(p: &Path) {
    assert!(Command::new("mkfifo").arg(p).status().unwrap().success(), "mkfifo {}", p.display());
}

pub fn cases() -> Vec<Case> {
    let mut cases = vec![
        case("fifo-in-a-folder", vec![("p.json", page_of(1))])
            .setup(|ev| mkfifo(&ev.join("pipe.json")))
            .inputs(&[("p.json", 1, 0, 0)])
            .damaged(&["pipe.json"])
            .says("a FIFO"),
        case("fifo-named", Vec::new()).setup(|ev| mkfifo(&ev.join("pipe.json"))).target("pipe.json").error("a FIFO"),
        case("device-named-through-a-link", Vec::new())
            .setup(|ev| symlink("/dev/zero", ev.join("zero.json")).unwrap())
            .target("zero.json")
            .error("a character device"),
        case("device-linked-in-a-folder", vec![("p.json", page_of(1))])
            .setup(|ev| symlink("/dev/zero", ev.join("zero.json")).unwrap())
            .inputs(&[("p.json", 1, 0, 0)])
            .damaged(&["zero.json"])
            .says("character device"),
        case("symlink-loop", vec![("p.json", page_of(1))])
            .setup(|ev| {
                symlink("b", ev.join("a")).unwrap();
                symlink("a", ev.join("b")).unwrap();
            })
            .inputs(&[("p.json", 1, 0, 0)])
            .damaged(&["a", "b"])
            .says("symbolic link loop"),
        case("symlink-dangling", vec![("p.json", page_of(1))])
            .setup(|ev| symlink("gone.json", ev.join("link.json")).unwrap())
            .inputs(&[("p.json", 1, 0, 0)])
            .damaged(&["link.json"])
            .says("target is missing"),
        case("symlink-to-a-directory", vec![("d/p.json", page_of(1))])
            .setup(|ev| symlink("d", ev.join("again")).unwrap())
            .inputs(&[("d/p.json", 1, 0, 0)])
            .says("not followed"),
        case("symlink-to-a-file", vec![("d/p.json", page_of(1))])
            .setup(|ev| symlink("d/p.json", ev.join("same.json")).unwrap())
            .inputs(&[("d/p.json", 1, 0, 0), ("same.json", 1, 0, 1)]),
        case("missing-named-path", Vec::new()).target("nope.json").error("no such file or directory"),
        case("empty-file", vec![("e.json", Vec::new())]).inputs(&[("e.json", 0, 0, 0)]).says("empty file"),
        case("damage-with-strict", vec![("p.json", page_of(1))])
            .setup(|ev| symlink("gone.json", ev.join("link.json")).unwrap())
            .flags(&["--strict"])
            .error("damaged and --strict is set"),
        case("rejected-with-strict", vec![("p.json", page(&[record(1), with(2, "createdDateTime", serde_json::Value::Null)]))])
            .flags(&["--strict"])
            .error("rejected and --strict is set"),
    ];
    // A file that cannot be read, even by root: /proc/self/mem is a regular file whose first page is
    // never mapped, so reading it fails with EIO (here through a link in the evidence folder).
    #[cfg(target_os = "linux")]
    cases.push(
        case("unreadable-file-in-a-folder", vec![("p.json", page_of(1))])
            .setup(|ev| symlink("/proc/self/mem", ev.join("mem.json")).unwrap())
            .inputs(&[("p.json", 1, 0, 0)])
            .damaged(&["mem.json"])
            .says("cannot read"),
    );
    cases
}
