use super::*;

#[test]
fn a_grade_holds_only_one_to_five() {
    for value in 1..=5 {
        assert_eq!(i64::from(Grade::parse(value).unwrap().value()), value);
    }
    for value in [0, 6, -1, 255, 256, i64::MIN, i64::MAX] {
        assert_eq!(
            Grade::parse(value),
            refused("grade", InvalidReason::OutOfRange),
            "{value}"
        );
    }
}

#[test]
fn a_grade_typed_in_a_form_is_read_or_refused_clearly() {
    assert_eq!(" 4 ".parse::<Grade>().unwrap().value(), 4);
    assert_eq!(
        "7".parse::<Grade>(),
        refused("grade", InvalidReason::OutOfRange)
    );
    for bad in ["", "4.5", "four", "3a"] {
        assert_eq!(
            bad.parse::<Grade>(),
            refused("grade", InvalidReason::BadFormat),
            "{bad:?}"
        );
    }
}

#[test]
fn a_grade_travels_as_a_number_and_is_checked_when_it_arrives() {
    let grade: Grade = serde_json::from_str("3").unwrap();
    assert_eq!(serde_json::to_string(&grade).unwrap(), "3");
    for bad in ["0", "6", "-2", "\"3\""] {
        assert!(serde_json::from_str::<Grade>(bad).is_err(), "{bad}");
    }
}

#[test]
fn three_is_the_minimum_acceptable_grade() {
    let acceptable: Vec<u8> = Grade::ALL
        .iter()
        .filter(|g| g.is_acceptable())
        .map(|g| g.value())
        .collect();
    assert_eq!(acceptable, vec![3, 4, 5]);
    assert_eq!(Grade::MIN_ACCEPTABLE.value(), 3);
}

#[test]
fn rubric_scores_name_a_level_of_every_criterion() {
    let form = thyroid_form();
    let rubric = form.rubric.as_ref().unwrap();
    let scores = |pairs: &[(&str, u8)]| {
        RubricScores(pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect())
    };
    assert_eq!(
        validate_rubric_scores(rubric, &scores(&[("margins", 2), ("two-planes", 0)])),
        Ok(())
    );
    assert_eq!(
        validate_rubric_scores(rubric, &scores(&[("margins", 2)])),
        refused("rubric.two-planes", InvalidReason::Required)
    );
    // "two-planes" has two levels: 0 and 1.
    assert_eq!(
        validate_rubric_scores(rubric, &scores(&[("margins", 0), ("two-planes", 2)])),
        refused("rubric.two-planes", InvalidReason::OutOfRange)
    );
    assert_eq!(
        validate_rubric_scores(
            rubric,
            &scores(&[("margins", 0), ("two-planes", 1), ("colour", 1)])
        ),
        refused("rubric", InvalidReason::Unknown)
    );
}
