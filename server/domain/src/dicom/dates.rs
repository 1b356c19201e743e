//! Shifted dates for de-identification: DA `YYYYMMDD` and the date part of DT.
use model::calendar::{civil_from_days, days_from_civil};

/// Shifts the date at the start of `value` (`YYYYMMDD`, as in DA and DT) by `days`, keeping
/// anything after it (a DT's time and offset). `None` when it does not start with a valid date.
pub fn shift(value: &str, days: i64) -> Option<String> {
    let digits = value.get(..8)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (
        digits[..4].parse().ok()?,
        digits[4..6].parse().ok()?,
        digits[6..8].parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day = days_from_civil(y, m, d);
    if civil_from_days(day) != (y, m, d) {
        return None; // 20230230 and the like
    }
    let (y, m, d) = civil_from_days(day + days);
    if !(1..=9999).contains(&y) {
        return None;
    }
    Some(format!("{y:04}{m:02}{d:02}{}", &value[8..]))
}

#[cfg(test)]
mod tests {
    use super::shift;

    #[test]
    fn dates_shift_across_months_years_and_leap_days() {
        assert_eq!(shift("20240301", -1).as_deref(), Some("20240229"));
        assert_eq!(shift("20230301", -1).as_deref(), Some("20230228"));
        assert_eq!(shift("20250101", -365).as_deref(), Some("20240102"));
        assert_eq!(shift("19991231", 1).as_deref(), Some("20000101"));
        assert_eq!(shift("20200615", 0).as_deref(), Some("20200615"));
        // A DT keeps its time and offset.
        assert_eq!(
            shift("20240310143000.5+0800", -10).as_deref(),
            Some("20240229143000.5+0800")
        );
    }

    #[test]
    fn invalid_dates_are_not_shifted() {
        assert_eq!(shift("20230230", 1), None);
        assert_eq!(shift("2023", 1), None);
        assert_eq!(shift("abcdefgh", 1), None);
        assert_eq!(shift("20231301", 1), None);
    }
}
