use super::*;
use CredentialStatus::{Credentialed, DueForRenewal, Eligible, InTraining, Lapsed};
use Verdict::{
    Agree, Disagree, FalseNegative, FalsePositive, MissedFinding, TrueNegative, TruePositive,
};

const COURSE: &str = "01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e01";
const QUIZ: &str = "01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e02";

/// 25 scans, four in five acceptable and agreeing, one course and one quiz; no renewal.
fn rule() -> CredentialRule {
    CredentialRule {
        required_courses: vec![CourseId(COURSE.into())],
        required_quizzes: vec![QuizId(QUIZ.into())],
        ..CredentialRule::default()
    }
}

/// The same rule renewed yearly (365 days) with 5 acceptable scans.
fn yearly() -> CredentialRule {
    CredentialRule {
        renewal_days: Some(365),
        maintenance_scans: 5,
        ..rule()
    }
}

/// `n` scans graded `grade` with `verdict`, reviewed on `on`.
fn scans(n: usize, grade: u8, verdict: Verdict, on: &str) -> Vec<ReviewedScan> {
    let scan = ReviewedScan {
        grade: Grade::parse(grade.into()).unwrap(),
        verdict,
        reviewed_on: day(on),
    };
    vec![scan; n]
}

/// A record with the course completed and the quiz passed.
fn record(scans: Vec<ReviewedScan>) -> LearnerRecord {
    LearnerRecord {
        scans,
        completed_courses: vec![CourseId(COURSE.into())],
        passed_quizzes: vec![QuizId(QUIZ.into())],
        awarded_on: None,
    }
}

/// Eligible in December 2024 and awarded on 2025-01-01, with `later` scans on top.
fn awarded(later: Vec<ReviewedScan>) -> LearnerRecord {
    let mut record = record(scans(25, 4, Agree, "2024-12-01"));
    record.scans.extend(later);
    record.awarded_on = Some(day("2025-01-01"));
    record
}

/// The maintenance line's figures: (actual, from, until, met).
fn maintenance(evaluation: &Evaluation) -> (u32, CivilDate, CivilDate, bool) {
    match evaluation.lines.last() {
        Some(RuleLine {
            rule:
                Rule::Maintenance {
                    actual,
                    from,
                    until,
                    ..
                },
            met,
        }) => (*actual, *from, *until, *met),
        other => panic!("no maintenance line: {other:?}"),
    }
}

#[test]
fn twenty_four_reviewed_scans_are_not_enough_and_twenty_five_are() {
    let today = day("2025-03-01");
    let short = evaluate(&rule(), &record(scans(24, 4, Agree, "2025-02-01")), today);
    assert_eq!(short.status, InTraining);
    assert!(!short.awardable);
    assert_eq!(
        short.lines[0],
        RuleLine {
            rule: Rule::ReviewedScans {
                actual: 24,
                required: 25
            },
            met: false,
        }
    );
    assert!(short.lines[1..].iter().all(|l| l.met));

    let enough = evaluate(&rule(), &record(scans(25, 4, Agree, "2025-02-01")), today);
    assert_eq!(enough.status, Eligible);
    assert!(enough.awardable);
    assert!(enough.lines.iter().all(|l| l.met));
    assert_eq!((enough.valid_until, enough.lapsed_on), (None, None));
}

#[test]
fn an_acceptable_share_exactly_at_the_threshold_passes_and_just_below_fails() {
    let today = day("2025-03-01");
    // 20 of 25 graded 3 (the lowest acceptable grade) is 0.8 exactly.
    let mut at = scans(20, 3, Agree, "2025-02-01");
    at.extend(scans(5, 2, Agree, "2025-02-01"));
    let evaluation = evaluate(&rule(), &record(at), today);
    assert_eq!(
        evaluation.lines[1],
        RuleLine {
            rule: Rule::AcceptableShare {
                acceptable: 20,
                reviewed: 25,
                share: Some(0.8),
                required: 0.8,
            },
            met: true,
        }
    );
    assert_eq!(evaluation.status, Eligible);
    // 19 of 25 is 0.76.
    let mut below = scans(19, 3, Agree, "2025-02-01");
    below.extend(scans(6, 2, Agree, "2025-02-01"));
    let evaluation = evaluate(&rule(), &record(below), today);
    assert!(!evaluation.lines[1].met);
    assert_eq!(evaluation.status, InTraining);
}

#[test]
fn a_threshold_from_inexact_arithmetic_still_passes_at_equality() {
    // 70 % as a coordinator's form may compute it: one unit in the last place above 0.7.
    let required = 70.0 * 0.01;
    assert!(required > 0.7);
    let rule = CredentialRule {
        min_reviewed_scans: 10,
        min_acceptable_share: required,
        ..rule()
    };
    let mut at = scans(7, 5, Agree, "2025-02-01");
    at.extend(scans(3, 1, Agree, "2025-02-01"));
    let evaluation = evaluate(&rule, &record(at), day("2025-03-01"));
    assert!(evaluation.lines[1].met);
    let mut below = scans(69, 5, Agree, "2025-02-01");
    below.extend(scans(31, 1, Agree, "2025-02-01"));
    let evaluation = evaluate(&rule, &record(below), day("2025-03-01"));
    assert!(!evaluation.lines[1].met, "69 % is below 70 %");
}

#[test]
fn an_agreement_share_exactly_at_the_threshold_passes_and_just_below_fails() {
    let today = day("2025-03-01");
    // Agreement counts the reviewer agreeing and the reference bearing the learner out.
    let mut at = scans(10, 4, Agree, "2025-02-01");
    at.extend(scans(6, 4, TruePositive, "2025-02-01"));
    at.extend(scans(4, 4, TrueNegative, "2025-02-01"));
    at.extend(scans(1, 4, Disagree, "2025-02-01"));
    at.extend(scans(1, 4, MissedFinding, "2025-02-01"));
    at.extend(scans(1, 4, FalsePositive, "2025-02-01"));
    at.extend(scans(2, 4, FalseNegative, "2025-02-01"));
    let evaluation = evaluate(&rule(), &record(at.clone()), today);
    assert_eq!(
        evaluation.lines[2],
        RuleLine {
            rule: Rule::Agreement {
                agreeing: 20,
                reviewed: 25,
                share: Some(0.8),
                required: 0.8,
            },
            met: true,
        }
    );
    at[0].verdict = Disagree;
    let evaluation = evaluate(&rule(), &record(at), today);
    assert!(!evaluation.lines[2].met, "19 of 25");
    assert_eq!(evaluation.status, InTraining);
}

#[test]
fn every_required_course_and_quiz_must_be_done() {
    let today = day("2025-03-01");
    let mut no_course = record(scans(25, 4, Agree, "2025-02-01"));
    no_course.completed_courses.clear();
    let evaluation = evaluate(&rule(), &no_course, today);
    assert_eq!(evaluation.status, InTraining);
    assert_eq!(
        evaluation.lines[3],
        RuleLine {
            rule: Rule::Course {
                course: CourseId(COURSE.into())
            },
            met: false,
        }
    );
    let mut no_quiz = record(scans(25, 4, Agree, "2025-02-01"));
    no_quiz.passed_quizzes = vec![QuizId("01936f0e-8a4b-7c3d-9e2f-0a1b2c3d4e99".into())];
    let evaluation = evaluate(&rule(), &no_quiz, today);
    assert_eq!(evaluation.status, InTraining);
    assert_eq!(
        evaluation.lines[4],
        RuleLine {
            rule: Rule::Quiz {
                quiz: QuizId(QUIZ.into())
            },
            met: false,
        }
    );
}

#[test]
fn the_explanation_has_one_line_per_rule_with_its_numbers() {
    let mut scans_done = scans(21, 4, Agree, "2025-02-01");
    scans_done.extend(scans(6, 2, Agree, "2025-02-01"));
    scans_done.extend(scans(3, 3, Disagree, "2025-02-01"));
    let mut learner = record(scans_done);
    learner.passed_quizzes.clear();
    let evaluation = evaluate(&rule(), &learner, day("2025-03-01"));
    assert_eq!(
        evaluation,
        Evaluation {
            status: InTraining,
            lines: vec![
                RuleLine {
                    rule: Rule::ReviewedScans {
                        actual: 30,
                        required: 25
                    },
                    met: true,
                },
                RuleLine {
                    rule: Rule::AcceptableShare {
                        acceptable: 24,
                        reviewed: 30,
                        share: Some(0.8),
                        required: 0.8,
                    },
                    met: true,
                },
                RuleLine {
                    rule: Rule::Agreement {
                        agreeing: 27,
                        reviewed: 30,
                        share: Some(0.9),
                        required: 0.8,
                    },
                    met: true,
                },
                RuleLine {
                    rule: Rule::Course {
                        course: CourseId(COURSE.into())
                    },
                    met: true,
                },
                RuleLine {
                    rule: Rule::Quiz {
                        quiz: QuizId(QUIZ.into())
                    },
                    met: false,
                },
            ],
            awardable: false,
            valid_until: None,
            lapsed_on: None,
        }
    );
    let json = serde_json::to_value(&evaluation.lines[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"rule": {"kind": "reviewed_scans", "actual": 30, "required": 25}, "met": true})
    );
}

#[test]
fn before_any_review_there_is_no_share() {
    let evaluation = evaluate(&rule(), &record(Vec::new()), day("2025-03-01"));
    assert_eq!(evaluation.status, InTraining);
    assert!(matches!(
        evaluation.lines[1].rule,
        Rule::AcceptableShare { share: None, .. }
    ));
    assert!(!evaluation.lines[1].met && !evaluation.lines[2].met);
    let lenient = CredentialRule {
        min_acceptable_share: 0.0,
        min_agreement: 0.0,
        ..rule()
    };
    let evaluation = evaluate(&lenient, &record(Vec::new()), day("2025-03-01"));
    assert!(evaluation.lines[1].met && evaluation.lines[2].met);
    assert!(!evaluation.lines[0].met);
}

#[test]
fn reviews_after_today_do_not_count_yet() {
    let mut learner = record(scans(24, 4, Agree, "2025-02-01"));
    learner.scans.extend(scans(1, 4, Agree, "2025-03-02"));
    assert_eq!(
        evaluate(&rule(), &learner, day("2025-03-01")).status,
        InTraining
    );
    assert_eq!(
        evaluate(&rule(), &learner, day("2025-03-02")).status,
        Eligible
    );
}

#[test]
fn an_award_without_renewal_stays_in_force() {
    let learner = awarded(Vec::new());
    for today in ["2025-01-01", "2035-06-30"] {
        let evaluation = evaluate(&rule(), &learner, day(today));
        assert_eq!(evaluation.status, Credentialed, "{today}");
        assert!(!evaluation.awardable);
        assert_eq!(evaluation.valid_until, None);
        assert_eq!(evaluation.lines.len(), 5, "no maintenance line");
    }
    // Not in force before its day: the learner is judged as not awarded.
    let evaluation = evaluate(&rule(), &learner, day("2024-12-31"));
    assert_eq!((evaluation.status, evaluation.awardable), (Eligible, true));
}

#[test]
fn renewal_the_day_before_and_the_day_after_the_period_ends() {
    // Awarded 2025-01-01 for 365 days: the period's last day is 2025-12-31.
    let learner = awarded(scans(4, 4, Agree, "2025-06-01"));
    let last_day = evaluate(&yearly(), &learner, day("2025-12-31"));
    assert_eq!(last_day.status, DueForRenewal);
    assert_eq!(last_day.valid_until, Some(day("2025-12-31")));
    assert_eq!(
        maintenance(&last_day),
        (4, day("2025-01-01"), day("2025-12-31"), false)
    );
    let day_before = evaluate(&yearly(), &learner, day("2025-12-30"));
    assert_eq!(day_before.status, DueForRenewal);
    let day_after = evaluate(&yearly(), &learner, day("2026-01-01"));
    assert_eq!(day_after.status, Lapsed);
    assert_eq!(day_after.lapsed_on, Some(day("2026-01-01")));
    assert_eq!(day_after.valid_until, None);

    // With the fifth scan the credential carries into the next period, whose count starts at 0.
    let learner = awarded(scans(5, 4, Agree, "2025-06-01"));
    let day_before = evaluate(&yearly(), &learner, day("2025-12-30"));
    assert_eq!(day_before.status, Credentialed);
    let day_after = evaluate(&yearly(), &learner, day("2026-01-01"));
    assert_eq!(day_after.status, Credentialed);
    assert_eq!(day_after.valid_until, Some(day("2026-12-31")));
    assert_eq!(
        maintenance(&day_after),
        (0, day("2026-01-01"), day("2026-12-31"), false)
    );
    assert_eq!(day_after.lapsed_on, None);
}

#[test]
fn a_period_is_counted_in_days_not_calendar_years() {
    // 2024 is a leap year: 365 days from 2024-01-01 end on 2024-12-30.
    let mut learner = record(scans(25, 4, Agree, "2023-12-01"));
    learner.awarded_on = Some(day("2024-01-01"));
    let evaluation = evaluate(&yearly(), &learner, day("2024-12-30"));
    assert_eq!(evaluation.valid_until, Some(day("2024-12-30")));
    assert_eq!(
        evaluate(&yearly(), &learner, day("2024-12-31")).status,
        Lapsed
    );
}

#[test]
fn due_for_renewal_covers_the_last_sixty_days_of_the_period() {
    let learner = awarded(scans(4, 4, Agree, "2025-06-01"));
    let last_day = day("2025-12-31");
    assert_eq!(last_day.plus_days(-59), day("2025-11-02"));
    assert_eq!(
        evaluate(&yearly(), &learner, day("2025-11-01")).status,
        Credentialed,
        "61 days left"
    );
    assert_eq!(
        evaluate(&yearly(), &learner, day("2025-11-02")).status,
        DueForRenewal,
        "60 days left, the last day included"
    );
    // Reaching the count inside the window ends it on the day of the review.
    let mut learner = learner;
    learner.scans.extend(scans(1, 3, Agree, "2025-11-15"));
    assert_eq!(
        evaluate(&yearly(), &learner, day("2025-11-14")).status,
        DueForRenewal
    );
    assert_eq!(
        evaluate(&yearly(), &learner, day("2025-11-15")).status,
        Credentialed
    );
}

#[test]
fn maintenance_counts_acceptable_scans_reviewed_within_the_period() {
    let mut later = scans(2, 4, Agree, "2024-12-31"); // before the award
    later.extend(scans(3, 2, Agree, "2025-05-01")); // below grade 3
    later.extend(scans(4, 3, Disagree, "2025-05-01")); // acceptable, whatever the verdict
    later.extend(scans(1, 5, Agree, "2026-01-01")); // the next period's
    let learner = awarded(later.clone());
    let evaluation = evaluate(&yearly(), &learner, day("2025-12-31"));
    assert_eq!(
        maintenance(&evaluation),
        (4, day("2025-01-01"), day("2025-12-31"), false)
    );
    // A scan reviewed on the period's last day counts in it.
    later.extend(scans(1, 3, Agree, "2025-12-31"));
    let learner = awarded(later);
    let evaluation = evaluate(&yearly(), &learner, day("2025-12-31"));
    assert_eq!(evaluation.status, Credentialed);
    assert_eq!(maintenance(&evaluation).0, 5);
    let next = evaluate(&yearly(), &learner, day("2026-01-01"));
    assert_eq!(maintenance(&next).0, 1);
}

#[test]
fn a_later_period_short_of_its_count_lapses_at_its_end() {
    let mut later = scans(5, 4, Agree, "2025-03-01");
    later.extend(scans(2, 4, Agree, "2026-03-01"));
    let learner = awarded(later);
    assert_eq!(
        evaluate(&yearly(), &learner, day("2026-12-31")).status,
        DueForRenewal
    );
    let evaluation = evaluate(&yearly(), &learner, day("2027-01-01"));
    assert_eq!(evaluation.status, Lapsed);
    assert_eq!(evaluation.lapsed_on, Some(day("2027-01-01")));
}

#[test]
fn a_lapse_holds_until_a_coordinator_awards_again() {
    // Four scans in the first period, then a busy 2026.
    let mut later = scans(4, 4, Agree, "2025-06-01");
    later.extend(scans(3, 4, Agree, "2026-01-10"));
    later.extend(scans(30, 4, Agree, "2026-03-01"));
    let learner = awarded(later);

    // The scans of the short period do not count towards a new award.
    let evaluation = evaluate(&yearly(), &learner, day("2026-01-01"));
    assert_eq!((evaluation.status, evaluation.awardable), (Lapsed, false));
    assert_eq!(
        maintenance(&evaluation),
        (0, day("2026-01-01"), day("2026-01-01"), false)
    );
    let evaluation = evaluate(&yearly(), &learner, day("2026-02-01"));
    assert_eq!((evaluation.status, evaluation.awardable), (Lapsed, false));
    assert_eq!(maintenance(&evaluation).0, 3);

    // Enough scans since the lapse make it awardable, but it stays lapsed.
    let evaluation = evaluate(&yearly(), &learner, day("2026-06-01"));
    assert_eq!(evaluation.status, Lapsed);
    assert!(evaluation.awardable);
    assert_eq!(evaluation.lapsed_on, Some(day("2026-01-01")));
    assert_eq!(
        maintenance(&evaluation),
        (33, day("2026-01-01"), day("2026-06-01"), true)
    );

    // Long after the lapse only the last period's worth of days counts.
    let evaluation = evaluate(&yearly(), &learner, day("2027-06-01"));
    assert_eq!(
        maintenance(&evaluation),
        (0, day("2026-06-02"), day("2027-06-01"), false)
    );
    assert!(!evaluation.awardable);

    // A new award starts a new first period.
    let mut renewed = learner.clone();
    renewed.awarded_on = Some(day("2026-06-01"));
    let evaluation = evaluate(&yearly(), &renewed, day("2026-06-01"));
    assert_eq!(evaluation.status, Credentialed);
    assert_eq!(evaluation.valid_until, Some(day("2027-05-31")));
}

#[test]
fn statuses_keep_their_stored_names() {
    for status in CredentialStatus::ALL {
        assert_eq!(CredentialStatus::parse(status.as_str()), Some(status));
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{}\"", status.as_str())
        );
    }
    let holding: Vec<_> = CredentialStatus::ALL
        .into_iter()
        .filter(|s| s.holds_credential())
        .collect();
    assert_eq!(holding, [Credentialed, DueForRenewal]);
}
