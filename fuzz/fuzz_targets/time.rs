//! Timestamp parsing in every rendering (ISO 8601, `/Date(...)/`, locale slash and dot dates), with
//! an assumed offset, and the day/month resolution of local dates in both orders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signin_audit::model::time::{DateOrder, TimeValue, format_rfc3339, parse_offset_arg, parse_time};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_offset_arg(text);
    for offset in [0, 3600, -43_200, 50_400] {
        match parse_time(text, offset) {
            Some(TimeValue::Utc { micros, .. }) => {
                let _ = format_rfc3339(micros);
            }
            Some(TimeValue::Local(d)) => {
                for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
                    if let Some(m) = d.resolve(order, offset) {
                        let _ = format_rfc3339(m);
                    }
                }
            }
            None => {}
        }
    }
});
