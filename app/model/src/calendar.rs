//! Proleptic Gregorian dates as day numbers (days since 1970-01-01), after H. Hinnant's
//! civil-from-days algorithms: shown dates and shifted DICOM dates share them; [`CivilDate`], a
//! day without time or zone (review days, award days, "today" in the network's time zone).
use crate::InvalidReason;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The network's time zone, China Standard Time (UTC+8), in seconds east of UTC.
pub const NETWORK_OFFSET_SECS: i64 = 8 * 3600;

/// Days since 1970-01-01 of a civil date (year, month 1–12, day 1–31).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A day, counted from 1970-01-01; travels as `YYYY-MM-DD` text, checked when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CivilDate(i64);

impl CivilDate {
    /// The date of a calendar day number (days since 1970-01-01).
    pub fn from_days(days: i64) -> CivilDate {
        CivilDate(days)
    }

    /// The date of year, month (1–12) and day; `None` when no such day exists (2026-02-30).
    pub fn from_ymd(year: i64, month: i64, day: i64) -> Option<CivilDate> {
        let days = days_from_civil(year, month, day);
        // An impossible day rolls into the next month: only one that comes back is real.
        ((1..=12).contains(&month) && civil_from_days(days) == (year, month, day))
            .then_some(CivilDate(days))
    }

    /// Reads `YYYY-MM-DD` (four-digit year, two-digit month and day).
    pub fn parse(text: &str) -> Result<CivilDate, InvalidReason> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return Err(InvalidReason::BadFormat);
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<i64>().ok();
        match (number(0..4), number(5..7), number(8..10)) {
            (Some(y), Some(m), Some(d)) => {
                CivilDate::from_ymd(y, m, d).ok_or(InvalidReason::BadFormat)
            }
            _ => Err(InvalidReason::BadFormat),
        }
    }

    /// The day in the network's time zone at unix time `secs`.
    pub fn network_day(secs: i64) -> CivilDate {
        CivilDate((secs + NETWORK_OFFSET_SECS).div_euclid(86_400))
    }

    /// `YYYY-MM`, the month the day falls in.
    pub fn month(self) -> String {
        let (y, m, _) = self.ymd();
        format!("{y:04}-{m:02}")
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.0
    }

    /// The date `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> CivilDate {
        CivilDate(self.0 + days)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: CivilDate) -> i64 {
        later.0 - self.0
    }

    /// Year, month (1–12) and day (1–31).
    pub fn ymd(self) -> (i64, i64, i64) {
        civil_from_days(self.0)
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl TryFrom<String> for CivilDate {
    type Error = String;

    fn try_from(text: String) -> Result<CivilDate, String> {
        CivilDate::parse(&text).map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD)"))
    }
}

impl From<CivilDate> for String {
    fn from(date: CivilDate) -> String {
        date.to_string()
    }
}
