//! Validation refusing each flaw and naming its field.
use super::*;

fn refused(kind: &QuestionKind) -> (String, Problem) {
    let e = validate(kind).expect_err("should be refused");
    (e.field, e.reason)
}

#[test]
fn choice_questions_need_distinct_options_and_a_key_among_them() {
    let single = |options: &[&str], correct| QuestionKind::Single {
        options: labels(options),
        correct,
    };
    assert_eq!(validate(&single(&["a", "b"], 1)), Ok(()));
    assert_eq!(
        refused(&single(&[], 0)),
        ("options".into(), Problem::Missing)
    );
    assert_eq!(
        refused(&single(&["a"], 0)),
        ("options".into(), Problem::TooFew)
    );
    assert_eq!(
        refused(&single(&["a", "  "], 0)),
        ("options.1".into(), Problem::Missing)
    );
    assert_eq!(
        refused(&single(&["a", "b", "a "], 0)),
        ("options.2".into(), Problem::Repeated)
    );
    assert_eq!(
        refused(&single(&["a", "b"], 2)),
        ("correct".into(), Problem::OutOfRange)
    );

    let multiple = |correct: Vec<usize>| QuestionKind::Multiple {
        options: labels(&["a", "b", "c"]),
        correct,
        grading: Partial::Proportional,
    };
    assert_eq!(validate(&multiple(vec![0, 2])), Ok(()));
    assert_eq!(
        refused(&multiple(vec![])),
        ("correct".into(), Problem::Missing)
    );
    assert_eq!(
        refused(&multiple(vec![0, 3])),
        ("correct.1".into(), Problem::OutOfRange)
    );
    assert_eq!(
        refused(&multiple(vec![2, 0, 2])),
        ("correct.2".into(), Problem::Repeated)
    );
}

#[test]
fn ordering_needs_two_distinct_items() {
    let ordering = |items: &[&str]| QuestionKind::Ordering {
        items: labels(items),
        grading: OrderingGrading::AbsolutePosition,
    };
    assert_eq!(validate(&ordering(&["a", "b"])), Ok(()));
    assert_eq!(
        refused(&ordering(&["a"])),
        ("items".into(), Problem::TooFew)
    );
    assert_eq!(
        refused(&ordering(&["a", "b", "b"])),
        ("items.2".into(), Problem::Repeated)
    );
}

#[test]
fn hotspot_targets_must_be_regions_inside_the_clip() {
    let ellipse = Shape::Ellipse {
        center: pt(10.0, 10.0),
        rx: 4.0,
        ry: 3.0,
    };
    let hotspot = |frames, shape: Shape, first_frame, last_frame| QuestionKind::Hotspot {
        frames,
        targets: vec![HotspotTarget {
            shape,
            first_frame,
            last_frame,
        }],
    };
    let field = |f: &str| format!("targets.0.{f}");
    assert_eq!(validate(&hotspot(10, ellipse.clone(), 0, 9)), Ok(()));
    assert_eq!(
        refused(&QuestionKind::Hotspot {
            frames: 10,
            targets: vec![]
        }),
        ("targets".into(), Problem::Missing)
    );
    assert_eq!(
        refused(&hotspot(0, ellipse.clone(), 0, 0)),
        ("frames".into(), Problem::NotPositive)
    );
    assert_eq!(
        refused(&hotspot(10, ellipse.clone(), 0, 10)),
        (field("last_frame"), Problem::OutOfRange)
    );
    assert_eq!(
        refused(&hotspot(10, ellipse, 6, 5)),
        (field("first_frame"), Problem::Reversed)
    );
    let arrow = Shape::Arrow {
        tail: pt(0.0, 0.0),
        head: pt(5.0, 5.0),
    };
    assert_eq!(
        refused(&hotspot(10, arrow, 0, 9)),
        (field("shape"), Problem::WrongShape)
    );
    let two_points = Shape::Polygon {
        points: vec![pt(0.0, 0.0), pt(5.0, 5.0)],
    };
    assert_eq!(
        refused(&hotspot(10, two_points, 0, 9)),
        (field("shape.points"), Problem::TooFew)
    );
    let flat = Shape::Ellipse {
        center: pt(10.0, 10.0),
        rx: 4.0,
        ry: 0.0,
    };
    assert_eq!(
        refused(&hotspot(10, flat, 0, 9)),
        (field("shape.ry"), Problem::NotPositive)
    );
    let infinite = Shape::Polygon {
        points: vec![pt(0.0, 0.0), pt(f64::INFINITY, 5.0), pt(0.0, 5.0)],
    };
    assert_eq!(
        refused(&hotspot(10, infinite, 0, 9)),
        (field("shape.points.1"), Problem::NotFinite)
    );
}

#[test]
fn frame_ranges_run_forwards_and_measurements_are_finite() {
    let reversed = QuestionKind::FrameSelection {
        target: FrameTarget::Range { start: 9, end: 3 },
        tolerance: 0,
    };
    assert_eq!(
        refused(&reversed),
        ("target.start".into(), Problem::Reversed)
    );

    let measurement = |expected_mm, tolerance| QuestionKind::Measurement {
        expected_mm,
        tolerance,
    };
    assert_eq!(validate(&measurement(4.2, Tolerance::Mm(0.0))), Ok(()));
    assert_eq!(
        refused(&measurement(-4.2, Tolerance::Mm(0.5))),
        ("expected_mm".into(), Problem::NotPositive)
    );
    assert_eq!(
        refused(&measurement(f64::NAN, Tolerance::Mm(0.5))),
        ("expected_mm".into(), Problem::NotFinite)
    );
    assert_eq!(
        refused(&measurement(4.2, Tolerance::Percent(-5.0))),
        ("tolerance".into(), Problem::Negative)
    );
    assert_eq!(
        refused(&measurement(4.2, Tolerance::Mm(f64::INFINITY))),
        ("tolerance".into(), Problem::NotFinite)
    );
}

#[test]
fn a_refusal_reaches_the_user_as_a_field_error() {
    let e = InvalidQuestion {
        field: "correct.1".into(),
        reason: Problem::OutOfRange,
    };
    assert_eq!(
        crate::AppError::from(e),
        crate::AppError::invalid("correct.1", crate::InvalidReason::Unknown)
    );
}
