//! gzip, streamed member by member into a [`Spill`], keeping whatever inflates before damage.
//!
//! - Several members back to back (`cat a.gz b.gz`, pigz, bgzip) are all read.
//! - A stream cut short (a copy interrupted, a download that stopped) keeps every byte inflated
//!   before the cut and says after how many decompressed bytes it ends, so the parser keeps every
//!   record before it and the examiner can place the cut among the cited offsets.
//! - NUL padding after the last member (tape and block-device copies pad to a block size) is noted
//!   and ignored; any other trailing bytes are damage (not read), never a reason to stop the run.
//! - Output beyond the limit (`--max-inflate`) is cut with damage, so a decompression bomb costs at
//!   most that much temporary disk and no memory.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;

use super::spill::{Spill, Spilled};

/// Decompressed bytes moved per read.
const CHUNK: usize = 1 << 16;

/// The result of inflating a gzip stream: the bytes, and what to tell the examiner.
pub struct Gunzipped {
    pub out: Spilled,
    pub notes: Vec<String>,
    pub damage: Vec<String>,
}

/// Whether bytes start like a gzip stream.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Inflate every member of the gzip stream in `r`, keeping at most `limit` bytes. Only a failure to
/// write the temporary file is an error; damage in the stream is reported in the result.
pub fn gunzip(r: impl Read, limit: u64) -> io::Result<Gunzipped> {
    let mut out = Spill::new(limit);
    let mut notes = Vec::new();
    let mut damage = Vec::new();
    let mut members = 0u32;
    let mut buf = vec![0u8; CHUNK];
    let mut reader = BufReader::with_capacity(CHUNK, r);
    loop {
        let mut dec = GzDecoder::new(reader);
        let ended = loop {
            match dec.read(&mut buf) {
                Ok(0) => break Ended::Member,
                Ok(n) => {
                    if !out.write(&buf[..n])? {
                        break Ended::Limit;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Ended::Damaged(e),
            }
        };
        match ended {
            Ended::Member => members += 1,
            Ended::Limit => {
                damage.push(format!("inflates to more than {limit} bytes (--max-inflate): cut there; the rest is not read"));
                break;
            }
            Ended::Damaged(e) => {
                damage.push(describe_damage(&e, out.len(), members));
                break;
            }
        }
        reader = dec.into_inner();
        match reader.fill_buf() {
            Ok([]) => break,
            Ok(rest) if is_gzip(rest) => continue,
            Ok(_) => {}
            Err(e) => {
                damage.push(format!("cannot read after gzip member {members}: {e}"));
                break;
            }
        }
        match count_rest(&mut reader) {
            Ok((nuls, 0)) => notes.push(format!("{nuls} byte(s) of NUL padding after the gzip data ignored")),
            Ok((nuls, other)) => damage.push(format!("{} byte(s) after the end of the gzip data are not gzip: not read", nuls + other)),
            Err(e) => damage.push(format!("cannot read after gzip member {members}: {e}")),
        }
        break;
    }
    if members > 1 {
        notes.push(format!("{members} gzip members read back to back"));
    }
    Ok(Gunzipped { out: out.finish()?, notes, damage })
}

enum Ended {
    Member,
    Limit,
    Damaged(io::Error),
}

fn describe_damage(e: &io::Error, inflated: u64, members_done: u32) -> String {
    let member = if members_done > 0 { format!(" (in gzip member {})", members_done + 1) } else { String::new() };
    if e.kind() == io::ErrorKind::UnexpectedEof {
        format!(
            "gzip data cut short{member}: the file ends inside the compressed stream after {inflated} decompressed byte(s); everything before the cut is kept"
        )
    } else if inflated == 0 && members_done == 0 {
        format!("not a readable gzip stream: {e}")
    } else {
        format!("gzip data damaged{member} after {inflated} decompressed byte(s) ({e}); everything before is kept")
    }
}

/// Count the NUL and other bytes left in `r`.
fn count_rest(r: &mut impl BufRead) -> io::Result<(u64, u64)> {
    let (mut nuls, mut other) = (0u64, 0u64);
    loop {
        let b = r.fill_buf()?;
        if b.is_empty() {
            return Ok((nuls, other));
        }
        let z = b.iter().filter(|&&x| x == 0).count() as u64;
        nuls += z;
        other += b.len() as u64 - z;
        let n = b.len();
        r.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::evidence::Payload;

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b).unwrap();
        enc.finish().unwrap()
    }

    fn bytes(out: &Spilled) -> Vec<u8> {
        match &out.payload {
            Payload::Memory(v) => v.to_vec(),
            Payload::File { .. } => unreachable!(),
        }
    }

    #[test]
    fn members_padding_and_garbage() {
        let mut two = gz(b"hello ");
        two.extend(gz(b"world"));
        let g = gunzip(&two[..], u64::MAX).unwrap();
        assert_eq!(bytes(&g.out), b"hello world");
        assert_eq!(g.notes, vec!["2 gzip members read back to back"]);
        assert!(g.damage.is_empty());

        let mut padded = gz(b"hello");
        padded.extend([0u8; 512]);
        let g = gunzip(&padded[..], u64::MAX).unwrap();
        assert_eq!(bytes(&g.out), b"hello");
        assert!(g.damage.is_empty());
        assert_eq!(g.notes, vec!["512 byte(s) of NUL padding after the gzip data ignored"]);

        let mut garbage = gz(b"hello");
        garbage.extend(b"junk");
        let g = gunzip(&garbage[..], u64::MAX).unwrap();
        assert_eq!(bytes(&g.out), b"hello");
        assert!(g.damage[0].contains("4 byte(s) after the end"), "{:?}", g.damage);
    }

    #[test]
    fn a_cut_stream_keeps_what_came_before() {
        let text: Vec<u8> = (0..20_000u32).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let full = gz(&text);
        let cut = &full[..full.len() / 2];
        let g = gunzip(cut, u64::MAX).unwrap();
        let got = bytes(&g.out);
        assert!(!got.is_empty() && text.starts_with(&got));
        assert!(g.damage[0].contains("cut short") && g.damage[0].contains(&format!("after {} decompressed", got.len())), "{:?}", g.damage);
    }

    #[test]
    fn the_limit_cuts_a_bomb() {
        let bomb = gz(&vec![0u8; 1 << 20]);
        let g = gunzip(&bomb[..], 1000).unwrap();
        assert_eq!(g.out.len, 1000);
        assert!(g.out.over_limit);
        assert!(g.damage[0].contains("--max-inflate"));
        assert!(gunzip(&b"\x1f\x8bnot gzip"[..], u64::MAX).unwrap().damage[0].contains("not a readable gzip"));
    }
}
