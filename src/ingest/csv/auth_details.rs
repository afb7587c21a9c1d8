//! The portal's authentication-details side file (`InteractiveSignIns_AuthDetails_<start>_<end>.csv`,
//! formats.md §6.1): one row per authentication step, keyed by `Request ID`.
//!
//! It holds no sign-ins, so it produces no rows; it is counted and reported so the examiner knows
//! the steps exist and were not joined into the main file's sign-ins (the column order and full
//! column list are unverified, §16).

use std::collections::HashSet;

use csv::ByteRecord;

use super::super::sink::Sink;

/// The not-a-sign-in category its rows are counted under.
pub const CATEGORY: &str = "authentication steps (portal AuthDetails file)";

/// Where the join key is.
#[derive(Debug, Clone)]
pub struct Columns {
    request_id: usize,
}

pub fn map_header(names: &[String]) -> Result<Columns, String> {
    let request_id = names.iter().position(|n| n == "request id").ok_or("no `Request ID` column")?;
    Ok(Columns { request_id })
}

/// Step rows and distinct sign-ins seen.
#[derive(Debug, Default)]
pub struct Tally {
    pub rows: u64,
    ids: HashSet<Vec<u8>>,
}

impl Tally {
    pub fn add(&mut self, r: &ByteRecord, c: &Columns) {
        self.rows += 1;
        if let Some(id) = r.get(c.request_id).map(<[u8]>::trim_ascii).filter(|id| !id.is_empty())
            && !self.ids.contains(id)
        {
            self.ids.insert(id.to_ascii_lowercase());
        }
    }

    pub fn sign_ins(&self) -> usize {
        self.ids.len()
    }

    pub fn report(&self, sink: &mut Sink) {
        sink.warn(format!(
            "authentication-details file: {} step rows for {} sign-ins (not joined into the sign-in rows)",
            self.rows,
            self.sign_ins()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_steps_and_sign_ins() {
        let c = map_header(&["date".into(), "request id".into(), "authentication method".into()]).unwrap();
        let mut t = Tally::default();
        for id in ["A", "a", "b", ""] {
            t.add(&ByteRecord::from(vec!["2026-01-01", id, "Password"]), &c);
        }
        assert_eq!((t.rows, t.sign_ins()), (4, 2), "ids compare case-insensitively; empty ids are not sign-ins");
        assert!(map_header(&["date".into()]).is_err());
    }
}
