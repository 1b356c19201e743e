//! A civil date (a day of the proleptic Gregorian calendar, no time or zone) over the
//! calendar's day numbers: review days, award days and "today" for the credential rules.
use crate::InvalidReason;
use crate::calendar::{civil_from_days, days_from_civil};
use serde::{Deserialize, Serialize};
use std::fmt;

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
