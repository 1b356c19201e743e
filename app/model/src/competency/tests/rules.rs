use super::*;

const COURSE: &str = "01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e01";
const QUIZ: &str = "01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e02";

fn yearly() -> CredentialRule {
    CredentialRule {
        required_courses: vec![CourseId(COURSE.into())],
        required_quizzes: vec![QuizId(QUIZ.into())],
        renewal_days: Some(365),
        maintenance_scans: 10,
        ..CredentialRule::default()
    }
}

#[test]
fn the_default_rule_asks_acep_s_twenty_five_scans_and_is_valid() {
    let rule = CredentialRule::default();
    assert_eq!(rule.min_reviewed_scans, 25);
    assert_eq!(validate_rule(&rule), Ok(()));
    assert_eq!(validate_rule(&yearly()), Ok(()));
}

#[test]
fn reviewed_scans_run_from_one_to_ten_thousand() {
    for (scans, ok) in [(0, false), (1, true), (10_000, true), (10_001, false)] {
        let rule = CredentialRule {
            min_reviewed_scans: scans,
            ..yearly()
        };
        let expected = if ok {
            Ok(())
        } else {
            refused("min_reviewed_scans", InvalidReason::OutOfRange)
        };
        assert_eq!(validate_rule(&rule), expected, "{scans}");
    }
}

#[test]
fn shares_run_from_zero_to_one() {
    for share in [0.0, 0.5, 1.0] {
        let rule = CredentialRule {
            min_acceptable_share: share,
            min_agreement: share,
            ..yearly()
        };
        assert_eq!(validate_rule(&rule), Ok(()), "{share}");
    }
    for share in [-0.1, 1.01, 80.0, f64::NAN, f64::INFINITY] {
        let rule = CredentialRule {
            min_acceptable_share: share,
            ..yearly()
        };
        assert_eq!(
            validate_rule(&rule),
            refused("min_acceptable_share", InvalidReason::OutOfRange),
            "{share}"
        );
        let rule = CredentialRule {
            min_agreement: share,
            ..yearly()
        };
        assert_eq!(
            validate_rule(&rule),
            refused("min_agreement", InvalidReason::OutOfRange),
            "{share}"
        );
    }
}

#[test]
fn a_course_or_quiz_is_required_once() {
    let mut rule = yearly();
    rule.required_courses.push(CourseId(COURSE.into()));
    assert_eq!(
        validate_rule(&rule),
        refused("required_courses.1", InvalidReason::Taken)
    );
    let mut rule = yearly();
    rule.required_quizzes.push(QuizId(QUIZ.into()));
    assert_eq!(
        validate_rule(&rule),
        refused("required_quizzes.1", InvalidReason::Taken)
    );
    let mut rule = yearly();
    rule.required_courses = (0..=MAX_REQUIREMENTS)
        .map(|i| CourseId(format!("01936f0e-8a4b-7c3d-9e2f-0a1b2c3d{i:04}")))
        .collect();
    assert_eq!(
        validate_rule(&rule),
        refused("required_courses", InvalidReason::TooLong)
    );
}

#[test]
fn renewal_needs_both_a_period_and_a_maintenance_count() {
    let rule = CredentialRule {
        renewal_days: None,
        maintenance_scans: 10,
        ..yearly()
    };
    assert_eq!(
        validate_rule(&rule),
        refused("renewal_days", InvalidReason::Required)
    );
    let rule = CredentialRule {
        renewal_days: Some(365),
        maintenance_scans: 0,
        ..yearly()
    };
    assert_eq!(
        validate_rule(&rule),
        refused("maintenance_scans", InvalidReason::Required)
    );
    let rule = CredentialRule {
        renewal_days: None,
        maintenance_scans: 0,
        ..yearly()
    };
    assert_eq!(validate_rule(&rule), Ok(()));
}

#[test]
fn the_renewal_period_runs_from_a_quarter_to_ten_years() {
    for (days, ok) in [
        (0, false),
        (89, false),
        (90, true),
        (3650, true),
        (3651, false),
    ] {
        let rule = CredentialRule {
            renewal_days: Some(days),
            ..yearly()
        };
        let expected = if ok {
            Ok(())
        } else {
            refused("renewal_days", InvalidReason::OutOfRange)
        };
        assert_eq!(validate_rule(&rule), expected, "{days}");
    }
    let rule = CredentialRule {
        maintenance_scans: 10_001,
        ..yearly()
    };
    assert_eq!(
        validate_rule(&rule),
        refused("maintenance_scans", InvalidReason::OutOfRange)
    );
}
