//! `off_hours`: successful interactive sign-ins at a time of day (UTC) or on a day type the user's
//! own baseline never shows, not against a global 9-to-5.
//!
//! The baseline histogram is weekday x hour in UTC. An hour is "working" if the baseline has a
//! successful sign-in within [`HOUR_TOLERANCE`] hours of it on any day, so a night-shift worker's
//! 3 a.m. is theirs. Weekends are off-hours only for a user whose baseline spans a weekend and never
//! worked one.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Declared, Detector, Doc, Finding, Risk, UserContext, details};
use crate::baseline::weekday_hour;

/// Hours around a baseline hour that still count as working time (shift starts drift).
pub const HOUR_TOLERANCE: usize = 1;

/// Microseconds in 7 days: a baseline shorter than this cannot say anything about weekends.
const WEEK_MICROS: i64 = 7 * 86_400 * 1_000_000;

/// The detector's id in every report.
pub const ID: &str = "off_hours";

pub struct OffHours;

impl Declared for OffHours {
    fn id(&self) -> &'static str {
        ID
    }

    fn doc(&self) -> Doc {
        Doc {
            reports: "successful interactive sign-ins outside the hours (UTC) and days the user's own baseline shows".into(),
            threshold: format!("an hour more than {HOUR_TOLERANCE} h from every baseline hour, or a weekend never worked; always low"),
            sources: &[
                "Microsoft Sentinel `UserAccounts-UnusualLogonTimes.yaml` hunting query",
                "VirtualiteNL RiskyUserTroubleshooter working-hours inference",
            ],
        }
    }

    fn needs_baseline(&self) -> bool {
        true
    }
}

impl Detector for OffHours {
    fn detect(&self, cx: &UserContext<'_>, out: &mut Vec<Finding>) {
        let r = cx.rows;
        let b = cx.baseline;
        if b.successes == 0 {
            return;
        }
        let mut by_hour = [0u32; 24];
        let mut weekend = 0u32;
        for (day, hours) in b.hours.iter().enumerate() {
            for (h, n) in hours.iter().enumerate() {
                by_hour[h] += n;
                if day >= 5 {
                    weekend += n;
                }
            }
        }
        let working = |h: usize| (0..=2 * HOUR_TOLERANCE).any(|d| by_hour[(h + 24 + d - HOUR_TOLERANCE) % 24] > 0);
        let weekends_known = b.end - b.start >= WEEK_MICROS;
        let mut days: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for &i in cx.judged_after_baseline {
            if !r.is_success(i) || !r.is_interactive(i) {
                continue;
            }
            let (day, hour) = weekday_hour(r.time(i));
            let odd_hour = !working(hour);
            let odd_day = day >= 5 && weekends_known && weekend == 0;
            if odd_hour || odd_day {
                days.entry(r.time(i).div_euclid(86_400_000_000)).or_default().push(i);
            }
        }
        let active: Vec<usize> = (0..24).filter(|&h| by_hour[h] > 0).collect();
        for (_, rows) in days {
            let first = rows[0];
            let (day, hour) = weekday_hour(r.time(first));
            let summary = format!(
                "{} successful sign-in(s) at {:02}:00 UTC on a {}; the baseline's {} successes fall in hours {} UTC{}",
                rows.len(),
                hour,
                ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][day],
                b.successes,
                hour_ranges(&active),
                if weekends_known && weekend == 0 { ", never on a weekend" } else { "" }
            );
            out.push(cx.finding(
                self.id(),
                Risk::Low,
                &rows,
                summary,
                details([
                    ("hour_utc", json!(hour)),
                    ("weekday", json!(day)),
                    ("sign_ins", json!(rows.len())),
                    ("baseline_hours_utc", json!(active)),
                ]),
            ));
        }
    }
}

/// "07-18" style ranges of the active hours.
fn hour_ranges(hours: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < hours.len() {
        let start = hours[i];
        let mut end = start;
        while i + 1 < hours.len() && hours[i + 1] == end + 1 {
            i += 1;
            end = hours[i];
        }
        parts.push(if start == end { format!("{start:02}") } else { format!("{start:02}-{end:02}") });
        i += 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges() {
        assert_eq!(super::hour_ranges(&[0, 1, 2, 7, 9, 10]), "00-02,07,09-10");
    }
}
