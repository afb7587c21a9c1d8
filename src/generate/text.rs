//! Field writers for the renderings: quoted CSV fields, JSON and CSV escapes, GUIDs, IP addresses,
//! device names, and the few values derived from a sign-in (incoming token, trust type, ASN).

use super::vocab::*;
use super::*;

/// Writes quoted CSV fields separated by commas.
pub(super) struct Fields<'a> {
    pub(super) b: &'a mut Vec<u8>,
    pub(super) first: bool,
}

impl Fields<'_> {
    pub(super) fn open(&mut self) {
        if !self.first {
            self.b.push(b',');
        }
        self.first = false;
        self.b.push(b'"');
    }

    pub(super) fn text(&mut self, s: &str) {
        self.open();
        csv_esc(self.b, s);
        self.b.push(b'"');
    }

    /// A field written by `f` (whose output must not contain `"`).
    pub(super) fn with(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        self.open();
        f(self.b);
        self.b.push(b'"');
    }
}

pub(super) fn incoming_token(ev: &Event) -> &'static str {
    match (ev.interactive, ev.device) {
        (true, _) => "none",
        (false, true) => "primaryRefreshToken",
        (false, false) => "refreshToken",
    }
}

pub(super) fn trust_type(os: &str) -> &'static str {
    match os {
        "Windows10" => "Azure AD joined",
        _ => "Azure AD registered",
    }
}

pub(super) fn device_name(b: &mut Vec<u8>, user: u64, os: &str) {
    let prefix: &[u8] = match os {
        "Windows10" => b"DESKTOP-",
        "MacOs" => b"MAC-",
        "Ios" => b"iPhone-",
        _ => b"DEVICE-",
    };
    b.extend_from_slice(prefix);
    let h = mix(0x00d3_71ce, user);
    for k in 0..7 {
        b.push(b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[((h >> (k * 6)) % 34) as usize]);
    }
}

pub(super) fn asn(seed: u64, ip: u64) -> u32 {
    ASNS[(mix(seed ^ 0xa5, ip) % ASNS.len() as u64) as usize]
}

/// IP address number `k` of the pool: mostly public-looking IPv4, about 6% IPv6.
pub(super) fn push_ip(b: &mut Vec<u8>, seed: u64, k: u64) {
    let h = mix(seed ^ 0x1b1b, k);
    if h % 100 < 6 {
        let words = [0x2a02u16, (h >> 8) as u16, (h >> 24) as u16 & 0x0fff, (h >> 40) as u16];
        for w in words {
            push_hex(b, u64::from(w));
            b.push(b':');
        }
        b.push(b':');
        push_hex(b, k & 0xffff);
    } else {
        let o1 = V4_FIRST_OCTETS[((h >> 8) % V4_FIRST_OCTETS.len() as u64) as usize];
        for (i, o) in [u64::from(o1), (h >> 16) & 0xff, (h >> 24) & 0xff, 1 + (h >> 32) % 254].into_iter().enumerate() {
            if i > 0 {
                b.push(b'.');
            }
            push_u64(b, o);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Formatting

pub(super) const HEX: &[u8; 16] = b"0123456789abcdef";

pub(super) fn push_guid(b: &mut Vec<u8>, g: &[u8; 16]) {
    for (i, x) in g.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            b.push(b'-');
        }
        b.push(HEX[(x >> 4) as usize]);
        b.push(HEX[(x & 15) as usize]);
    }
}

pub(super) fn q_guid(b: &mut Vec<u8>, g: &[u8; 16]) {
    b.push(b'"');
    push_guid(b, g);
    b.push(b'"');
}

pub(super) fn push_hex(b: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 16];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = HEX[(n & 15) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

pub(super) fn push_u64(b: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

pub(super) fn push_2(b: &mut Vec<u8>, n: i64) {
    b.push(b'0' + (n / 10) as u8);
    b.push(b'0' + (n % 10) as u8);
}

/// Base64 (standard alphabet, unpadded) of 16 bytes: 22 characters, like Graph's token identifiers.
pub(super) fn push_b64(b: &mut Vec<u8>, g: &[u8; 16]) {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    for &x in g {
        bits = (bits << 8) | u32::from(x);
        n += 8;
        while n >= 6 {
            n -= 6;
            b.push(A[((bits >> n) & 63) as usize]);
        }
    }
    if n > 0 {
        b.push(A[((bits << (6 - n)) & 63) as usize]);
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(super) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

pub(super) fn push_date(b: &mut Vec<u8>, days: i64) {
    let (y, m, d) = civil_from_days(days);
    push_u64(b, y as u64);
    b.push(b'-');
    push_2(b, m);
    b.push(b'-');
    push_2(b, d);
}

/// `yyyy-mm-dd` of a tick time.
pub(super) fn date(ticks: i64) -> String {
    let mut b = Vec::new();
    push_date(&mut b, ticks.div_euclid(86_400 * TICKS));
    String::from_utf8_lossy(&b).into_owned()
}

/// `2026-04-28T23:59:57.1234567Z` (Graph: up to 7 fractional digits, trailing zeros dropped);
/// `fraction = false` writes whole seconds.
pub(super) fn push_time(b: &mut Vec<u8>, ticks: i64, fraction: bool) {
    let days = ticks.div_euclid(86_400 * TICKS);
    let rest = ticks.rem_euclid(86_400 * TICKS);
    let secs = rest / TICKS;
    push_date(b, days);
    b.push(b'T');
    push_2(b, secs / 3600);
    b.push(b':');
    push_2(b, secs / 60 % 60);
    b.push(b':');
    push_2(b, secs % 60);
    let mut frac = rest % TICKS;
    if fraction && frac != 0 {
        b.push(b'.');
        let mut digits = 7;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        let mut tmp = [b'0'; 7];
        for i in (0..digits).rev() {
            tmp[i] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        b.extend_from_slice(&tmp[..digits]);
    }
    b.push(b'Z');
}

pub(super) fn push_time_seconds(b: &mut Vec<u8>, ticks: i64) {
    push_time(b, ticks, false);
}

/// JSON string body: `"` and `\` escaped, control characters as `\u00XX`, the rest raw UTF-8.
pub(super) fn esc(b: &mut Vec<u8>, s: &str) {
    for &c in s.as_bytes() {
        match c {
            b'"' => b.extend_from_slice(b"\\\""),
            b'\\' => b.extend_from_slice(b"\\\\"),
            0..=0x1f => {
                b.extend_from_slice(b"\\u00");
                b.push(HEX[(c >> 4) as usize]);
                b.push(HEX[(c & 15) as usize]);
            }
            _ => b.push(c),
        }
    }
}

/// CSV field body: `"` doubled (JSON escapes in the texts are turned back into characters).
pub(super) fn csv_esc(b: &mut Vec<u8>, s: &str) {
    let s = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'"' => b.extend_from_slice(b"\"\""),
            b'\\' if s[i..].starts_with(b"\\u00a0") => {
                b.extend_from_slice("\u{a0}".as_bytes());
                i += 5;
            }
            c => b.push(c),
        }
        i += 1;
    }
}
