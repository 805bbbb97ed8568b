//! Times are Unix milliseconds inside, RFC 3339 on the wire.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

pub const SECOND: i64 = 1000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Always with milliseconds and `Z`, so the strings also sort in time order.
/// Written digit by digit for years 0–9999 (a page of members formats two
/// times per row: through `time`'s format description that was 2.6 % of a
/// members page's CPU), by `time`'s formatter otherwise.
pub fn rfc3339(ms: i64) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000) else {
        return String::new();
    };
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return rfc3339_by_format(t);
    }
    let mut out = [0u8; 24];
    let mut put = |at: usize, value: u32, digits: usize| {
        let mut v = value;
        for i in (0..digits).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year as u32, 4);
    put(5, u8::from(t.month()) as u32, 2);
    put(8, t.day() as u32, 2);
    put(11, t.hour() as u32, 2);
    put(14, t.minute() as u32, 2);
    put(17, t.second() as u32, 2);
    put(20, t.millisecond() as u32, 3);
    for (at, c) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'.'), (23, b'Z')] {
        out[at] = c;
    }
    // Only ASCII digits and separators were written.
    out.iter().map(|&b| b as char).collect()
}

fn rfc3339_by_format(t: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(&format).unwrap_or_default()
}

pub fn parse_rfc3339(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s, &Rfc3339).ok().map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_digit_by_digit_is_the_formatters() {
        let mut ms: i64 = -62_167_219_200_000; // 0000-01-01
        while ms < 253_402_300_800_000 {
            // up to 9999-12-31
            let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).unwrap();
            assert_eq!(rfc3339(ms), rfc3339_by_format(t), "{ms}");
            ms += 7_777_777_777 + 123;
        }
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn round_trips() {
        let ms = 1_767_225_600_123;
        assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms));
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(rfc3339(1_767_225_600_000), "2026-01-01T00:00:00.000Z");
    }
}
