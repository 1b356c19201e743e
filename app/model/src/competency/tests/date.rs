use super::*;

#[test]
fn only_real_days_parse() {
    let leap = day("2024-02-29");
    assert_eq!(leap.ymd(), (2024, 2, 29));
    assert_eq!(leap.to_string(), "2024-02-29");
    assert_eq!(day("1970-01-01").days(), 0);
    for bad in [
        "2025-02-29",
        "2026-02-30",
        "2025-13-01",
        "2025-00-10",
        "2025-1-01",
        "2025/01/01",
        "20250101",
        "2025-01-01T00:00",
        "+025-01-01",
        "",
    ] {
        assert_eq!(
            CivilDate::parse(bad),
            Err(InvalidReason::BadFormat),
            "{bad:?}"
        );
    }
    assert_eq!(CivilDate::from_ymd(2026, 2, 30), None);
}

#[test]
fn days_count_across_months_and_years() {
    assert_eq!(day("2025-12-31").plus_days(1), day("2026-01-01"));
    assert_eq!(day("2024-03-01").plus_days(-1), day("2024-02-29"));
    assert_eq!(day("2025-01-01").days_until(day("2026-01-01")), 365);
    assert_eq!(day("2024-01-01").days_until(day("2025-01-01")), 366);
    assert_eq!(day("2026-01-01").days_until(day("2025-01-01")), -365);
}

#[test]
fn dates_travel_as_text_and_are_checked_when_they_arrive() {
    let json = serde_json::to_string(&day("2025-07-04")).unwrap();
    assert_eq!(json, "\"2025-07-04\"");
    assert_eq!(
        serde_json::from_str::<CivilDate>(&json).unwrap(),
        day("2025-07-04")
    );
    let err = serde_json::from_str::<CivilDate>("\"2025-02-29\"").unwrap_err();
    assert!(err.to_string().contains("is not a date"), "{err}");
}
