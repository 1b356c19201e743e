//! Marking each kind of question at its boundaries, and random-guess scores.
use super::*;

// ---- choice questions ----

fn single() -> QuestionKind {
    QuestionKind::Single {
        options: labels(&["Pericardial effusion", "Pleural effusion", "Ascites"]),
        correct: 1,
    }
}

#[test]
fn single_choice_is_right_only_on_its_key() {
    assert_eq!(fraction(&single(), Answer::Choice(1)), 1.0);
    assert_eq!(fraction(&single(), Answer::Choice(0)), 0.0);
    assert_eq!(
        score(&single(), &Answer::Choice(3)),
        Err(ScoreError::NoSuchOption(3))
    );
    assert_eq!(
        score(&single(), &Answer::Choices(vec![1])),
        Err(ScoreError::WrongAnswerType)
    );
}

fn multiple(grading: Partial) -> QuestionKind {
    // Five options, two right (k = 2, n − k = 3).
    QuestionKind::Multiple {
        options: labels(&[
            "B-lines",
            "A-lines",
            "Lung point",
            "Seashore",
            "Curtain sign",
        ]),
        correct: vec![0, 2],
        grading,
    }
}

#[test]
fn proportional_credit_adds_a_half_per_right_option_and_takes_a_third_per_wrong_one() {
    let kind = multiple(Partial::Proportional);
    let cases: [(&[usize], f64); 7] = [
        (&[0, 2], 1.0),
        (&[2, 0], 1.0),
        (&[0], 0.5),
        (&[0, 2, 1], 1.0 - 1.0 / 3.0),
        (&[0, 1], 0.5 - 1.0 / 3.0),
        // −1/3 − 1/3 clamps to 0; every option ticked is 2·½ − 3·⅓ = 0.
        (&[1, 3], 0.0),
        (&[0, 1, 2, 3, 4], 0.0),
    ];
    for (ticked, expected) in cases {
        let got = fraction(&kind, Answer::Choices(ticked.to_vec()));
        assert!((got - expected).abs() < 1e-12, "{ticked:?}: {got}");
    }
    assert_eq!(fraction(&kind, Answer::Choices(vec![])), 0.0);
}

#[test]
fn all_or_nothing_needs_exactly_the_right_set() {
    let kind = multiple(Partial::AllOrNothing);
    assert_eq!(fraction(&kind, Answer::Choices(vec![2, 0])), 1.0);
    assert_eq!(fraction(&kind, Answer::Choices(vec![0])), 0.0);
    assert_eq!(fraction(&kind, Answer::Choices(vec![0, 1, 2])), 0.0);
}

#[test]
fn a_ticked_option_must_exist_and_be_ticked_once() {
    let kind = multiple(Partial::Proportional);
    assert_eq!(
        score(&kind, &Answer::Choices(vec![0, 5])),
        Err(ScoreError::NoSuchOption(5))
    );
    assert_eq!(
        score(&kind, &Answer::Choices(vec![2, 0, 2])),
        Err(ScoreError::RepeatedOption(2))
    );
}

#[test]
fn true_false_marks_the_statement() {
    let kind = QuestionKind::TrueFalse { correct: false };
    assert_eq!(fraction(&kind, Answer::TrueFalse(false)), 1.0);
    assert_eq!(fraction(&kind, Answer::TrueFalse(true)), 0.0);
    assert_eq!(
        score(&kind, &Answer::Choice(0)),
        Err(ScoreError::WrongAnswerType)
    );
}

// ---- ordering ----

#[test]
fn ordering_marks_by_position_or_by_next_item_as_moodle() {
    use OrderingGrading::*;
    // (order, all or nothing, absolute position, relative to next excluding last)
    let cases: [(&[usize], f64, f64, f64); 4] = [
        (&[0, 1, 2, 3], 1.0, 1.0, 1.0),
        // Places 2 and 3 right (2/4); of 0→1, 1→2, 2→3 only 2→3 holds (1/3).
        (&[1, 0, 2, 3], 0.0, 0.5, 1.0 / 3.0),
        // No place right; 0→1 and 1→2 hold, 2 is last so 2→3 does not (2/3).
        (&[3, 0, 1, 2], 0.0, 0.0, 2.0 / 3.0),
        (&[3, 2, 1, 0], 0.0, 0.0, 0.0),
    ];
    for (order, all, absolute, relative) in cases {
        let mark = |grading| fraction(&ordering(grading), Answer::Order(order.to_vec()));
        assert_eq!(mark(AllOrNothing), all, "{order:?}");
        assert_eq!(mark(AbsolutePosition), absolute, "{order:?}");
        assert!(
            (mark(RelativeNextExcludingLast) - relative).abs() < 1e-12,
            "{order:?}"
        );
    }
}

#[test]
fn an_order_must_place_every_item_once() {
    let kind = ordering(OrderingGrading::AbsolutePosition);
    let err = |order: &[usize]| score(&kind, &Answer::Order(order.to_vec())).unwrap_err();
    assert_eq!(
        err(&[0, 1, 2]),
        ScoreError::OrderLength {
            expected: 4,
            got: 3
        }
    );
    assert_eq!(err(&[0, 1, 1, 3]), ScoreError::RepeatedItem(1));
    assert_eq!(err(&[0, 1, 2, 7]), ScoreError::NoSuchItem(7));
}

// ---- hotspot ----

fn hotspot(shape: Shape) -> QuestionKind {
    QuestionKind::Hotspot {
        frames: 30,
        targets: vec![HotspotTarget {
            shape,
            first_frame: 5,
            last_frame: 9,
        }],
    }
}

fn click(x: f64, y: f64, frame: u32) -> Answer {
    Answer::Click { x, y, frame }
}

#[test]
fn a_click_on_the_ellipse_edge_is_right_and_just_outside_is_wrong() {
    let kind = hotspot(Shape::Ellipse {
        center: pt(100.0, 80.0),
        rx: 20.0,
        ry: 10.0,
    });
    assert_eq!(fraction(&kind, click(100.0, 80.0, 7)), 1.0);
    assert_eq!(
        fraction(&kind, click(120.0, 80.0, 7)),
        1.0,
        "end of the x radius"
    );
    assert_eq!(
        fraction(&kind, click(100.0, 70.0, 7)),
        1.0,
        "end of the y radius"
    );
    // (100 + 20·cos 60°, 80 + 10·sin 60°) lies on the edge.
    let (x, y) = (100.0 + 20.0 * 0.5, 80.0 + 10.0 * 3f64.sqrt() / 2.0);
    assert_eq!(fraction(&kind, click(x, y, 7)), 1.0, "edge off the axes");
    assert_eq!(fraction(&kind, click(120.01, 80.0, 7)), 0.0);
    assert_eq!(fraction(&kind, click(100.0, 69.99, 7)), 0.0);
    // Inside the region but on a frame it does not cover.
    assert_eq!(fraction(&kind, click(100.0, 80.0, 4)), 0.0);
    assert_eq!(fraction(&kind, click(100.0, 80.0, 10)), 0.0);
    assert_eq!(fraction(&kind, click(100.0, 80.0, 5)), 1.0);
    assert_eq!(fraction(&kind, click(100.0, 80.0, 9)), 1.0);
}

#[test]
fn a_click_on_a_polygon_edge_or_vertex_is_right_and_just_outside_is_wrong() {
    // A right triangle with a slanted hypotenuse from (40, 0) to (0, 30).
    let kind = hotspot(Shape::Polygon {
        points: vec![pt(0.0, 0.0), pt(40.0, 0.0), pt(0.0, 30.0)],
    });
    assert_eq!(fraction(&kind, click(10.0, 10.0, 6)), 1.0);
    assert_eq!(
        fraction(&kind, click(20.0, 0.0, 6)),
        1.0,
        "on a straight edge"
    );
    assert_eq!(
        fraction(&kind, click(8.0, 24.0, 6)),
        1.0,
        "on the hypotenuse"
    );
    assert_eq!(fraction(&kind, click(40.0, 0.0, 6)), 1.0, "on a vertex");
    assert_eq!(
        fraction(&kind, click(0.0, 30.0, 6)),
        1.0,
        "on the last vertex"
    );
    assert_eq!(fraction(&kind, click(8.01, 24.0, 6)), 0.0);
    assert_eq!(fraction(&kind, click(40.01, 0.0, 6)), 0.0);
    assert_eq!(fraction(&kind, click(20.0, -0.01, 6)), 0.0);
    assert_eq!(
        fraction(&kind, click(8.0, 24.0, 10)),
        0.0,
        "frame after the range"
    );
}

#[test]
fn any_target_showing_on_the_frame_counts() {
    let kind = QuestionKind::Hotspot {
        frames: 30,
        targets: vec![
            HotspotTarget {
                shape: Shape::Ellipse {
                    center: pt(10.0, 10.0),
                    rx: 5.0,
                    ry: 5.0,
                },
                first_frame: 0,
                last_frame: 3,
            },
            HotspotTarget {
                shape: Shape::Ellipse {
                    center: pt(50.0, 50.0),
                    rx: 5.0,
                    ry: 5.0,
                },
                first_frame: 20,
                last_frame: 29,
            },
        ],
    };
    assert_eq!(fraction(&kind, click(10.0, 10.0, 2)), 1.0);
    assert_eq!(fraction(&kind, click(50.0, 50.0, 29)), 1.0);
    assert_eq!(
        fraction(&kind, click(50.0, 50.0, 2)),
        0.0,
        "right place, wrong frame"
    );
}

#[test]
fn a_click_must_be_a_point_on_the_clip() {
    let kind = hotspot(Shape::Ellipse {
        center: pt(100.0, 80.0),
        rx: 20.0,
        ry: 10.0,
    });
    assert_eq!(
        score(&kind, &click(100.0, 80.0, 30)),
        Err(ScoreError::FrameOutsideClip(30))
    );
    assert_eq!(
        score(&kind, &click(f64::NAN, 80.0, 6)),
        Err(ScoreError::NotFinite)
    );
}

// ---- frame selection and measurement ----

#[test]
fn a_frame_exactly_at_the_tolerance_is_right_and_one_beyond_is_wrong() {
    let kind = QuestionKind::FrameSelection {
        target: FrameTarget::Frame(20),
        tolerance: 2,
    };
    for (frame, right) in [(20, true), (18, true), (22, true), (17, false), (23, false)] {
        assert_eq!(
            fraction(&kind, Answer::Frame(frame)) == 1.0,
            right,
            "{frame}"
        );
    }
    let exact = QuestionKind::FrameSelection {
        target: FrameTarget::Frame(0),
        tolerance: 0,
    };
    assert_eq!(fraction(&exact, Answer::Frame(0)), 1.0);
    assert_eq!(fraction(&exact, Answer::Frame(1)), 0.0);
}

#[test]
fn a_frame_range_needs_both_ends_within_the_tolerance() {
    let kind = QuestionKind::FrameSelection {
        target: FrameTarget::Range { start: 10, end: 20 },
        tolerance: 1,
    };
    let range = |start, end| Answer::FrameRange { start, end };
    assert_eq!(fraction(&kind, range(9, 21)), 1.0);
    assert_eq!(fraction(&kind, range(11, 19)), 1.0);
    assert_eq!(fraction(&kind, range(8, 20)), 0.0);
    assert_eq!(fraction(&kind, range(10, 22)), 0.0);
    assert_eq!(score(&kind, &range(20, 10)), Err(ScoreError::ReversedRange));
    assert_eq!(
        score(&kind, &Answer::Frame(15)),
        Err(ScoreError::WrongAnswerType)
    );
}

#[test]
fn a_measurement_on_the_bound_is_right() {
    let percent = QuestionKind::Measurement {
        expected_mm: 40.0,
        tolerance: Tolerance::Percent(10.0),
    };
    let measured = |mm| Answer::Measured { mm };
    assert_eq!(fraction(&percent, measured(36.0)), 1.0);
    assert_eq!(fraction(&percent, measured(44.0)), 1.0);
    assert_eq!(fraction(&percent, measured(35.99)), 0.0);
    assert_eq!(fraction(&percent, measured(44.01)), 0.0);

    // 12.3 mm ± 5 % is 11.685..=12.915, bounds that binary floating point cannot hold.
    let rounding = QuestionKind::Measurement {
        expected_mm: 12.3,
        tolerance: Tolerance::Percent(5.0),
    };
    assert_eq!(fraction(&rounding, measured(12.915)), 1.0);
    assert_eq!(fraction(&rounding, measured(11.685)), 1.0);
    assert_eq!(fraction(&rounding, measured(12.916)), 0.0);

    let mm = QuestionKind::Measurement {
        expected_mm: 40.0,
        tolerance: Tolerance::Mm(1.5),
    };
    assert_eq!(fraction(&mm, measured(38.5)), 1.0);
    assert_eq!(fraction(&mm, measured(41.5)), 1.0);
    assert_eq!(fraction(&mm, measured(41.51)), 0.0);
    assert_eq!(
        score(&mm, &measured(f64::INFINITY)),
        Err(ScoreError::NotFinite)
    );
}

// ---- random guess ----

#[test]
fn random_guess_scores_are_moodles() {
    assert_eq!(random_guess_score(&single()), Some(1.0 / 3.0));
    assert_eq!(random_guess_score(&multiple(Partial::Proportional)), None);
    assert_eq!(
        random_guess_score(&QuestionKind::TrueFalse { correct: true }),
        Some(0.5)
    );
    assert_eq!(
        random_guess_score(&ordering(OrderingGrading::AllOrNothing)),
        Some(0.0)
    );
    let measurement = QuestionKind::Measurement {
        expected_mm: 40.0,
        tolerance: Tolerance::Mm(1.0),
    };
    assert_eq!(random_guess_score(&measurement), None);
}
