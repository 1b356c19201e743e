//! Marking a learner's answer, and what a random guess would score (the item analysis
//! compares facility against it).
//!
//! Choice and ordering questions follow Moodle: `question/type/multichoice/question.php`
//! (the ticked options' fractions summed and clamped to 0..=1), `question/type/ordering/
//! question.php` (`grade_response`), and each type's `get_random_guess_score`.
use super::geometry;
use super::{Answer, FrameTarget, OrderingGrading, Partial, QuestionKind, Tolerance};
use crate::annotation::Point;
use serde::{Deserialize, Serialize};

/// The mark an answer earns, as a fraction of the question's mark.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// From 0 (wrong) to 1 (fully right).
    pub fraction: f64,
}

impl Mark {
    pub const RIGHT: Mark = Mark { fraction: 1.0 };
    pub const WRONG: Mark = Mark { fraction: 0.0 };

    fn right_if(right: bool) -> Mark {
        if right { Mark::RIGHT } else { Mark::WRONG }
    }

    /// `part` of `whole`, or nothing when there is nothing to get right.
    fn share(part: usize, whole: usize) -> Mark {
        if whole == 0 {
            return Mark::WRONG;
        }
        Mark {
            fraction: part as f64 / whole as f64,
        }
    }
}

/// Why an answer cannot be marked against a question: it does not fit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ScoreError {
    #[error("the answer is not of this question's type")]
    WrongAnswerType,
    #[error("there is no option {0}")]
    NoSuchOption(usize),
    #[error("option {0} is given twice")]
    RepeatedOption(usize),
    #[error("the order has {got} items, the question {expected}")]
    OrderLength { expected: usize, got: usize },
    #[error("there is no item {0}")]
    NoSuchItem(usize),
    #[error("item {0} is placed twice")]
    RepeatedItem(usize),
    #[error("frame {0} is not in the clip")]
    FrameOutsideClip(u32),
    #[error("the range ends before it starts")]
    ReversedRange,
    #[error("the answer is not a finite number")]
    NotFinite,
}

/// Marks `answer` against `kind`, which must have passed [`super::validate`].
pub fn score(kind: &QuestionKind, answer: &Answer) -> Result<Mark, ScoreError> {
    use QuestionKind as Q;
    match (kind, answer) {
        (Q::Single { options, correct }, Answer::Choice(chosen)) => {
            if *chosen >= options.len() {
                return Err(ScoreError::NoSuchOption(*chosen));
            }
            Ok(Mark::right_if(chosen == correct))
        }
        (
            Q::Multiple {
                options,
                correct,
                grading,
            },
            Answer::Choices(chosen),
        ) => score_multiple(options.len(), correct, *grading, chosen),
        (Q::TrueFalse { correct }, Answer::TrueFalse(said)) => Ok(Mark::right_if(said == correct)),
        (Q::Ordering { items, grading }, Answer::Order(order)) => {
            score_ordering(items.len(), *grading, order)
        }
        (Q::Hotspot { frames, targets }, Answer::Click { x, y, frame }) => {
            if !(x.is_finite() && y.is_finite()) {
                return Err(ScoreError::NotFinite);
            }
            if frame >= frames {
                return Err(ScoreError::FrameOutsideClip(*frame));
            }
            let click = Point { x: *x, y: *y };
            Ok(Mark::right_if(targets.iter().any(|target| {
                (target.first_frame..=target.last_frame).contains(frame)
                    && geometry::contains(&target.shape, click)
            })))
        }
        (
            Q::FrameSelection {
                target: FrameTarget::Frame(target),
                tolerance,
            },
            Answer::Frame(frame),
        ) => Ok(Mark::right_if(frame.abs_diff(*target) <= *tolerance)),
        (
            Q::FrameSelection {
                target: FrameTarget::Range { start, end },
                tolerance,
            },
            Answer::FrameRange {
                start: from,
                end: to,
            },
        ) => {
            if from > to {
                return Err(ScoreError::ReversedRange);
            }
            let near = |a: &u32, b: &u32| a.abs_diff(*b) <= *tolerance;
            Ok(Mark::right_if(near(from, start) && near(to, end)))
        }
        (
            Q::Measurement {
                expected_mm,
                tolerance,
            },
            Answer::Measured { mm },
        ) => {
            if !mm.is_finite() {
                return Err(ScoreError::NotFinite);
            }
            Ok(Mark::right_if(within(*mm, *expected_mm, *tolerance)))
        }
        _ => Err(ScoreError::WrongAnswerType),
    }
}

fn score_multiple(
    options: usize,
    correct: &[usize],
    grading: Partial,
    chosen: &[usize],
) -> Result<Mark, ScoreError> {
    let mut ticked = vec![false; options];
    for &option in chosen {
        match ticked.get_mut(option) {
            None => return Err(ScoreError::NoSuchOption(option)),
            Some(true) => return Err(ScoreError::RepeatedOption(option)),
            Some(tick) => *tick = true,
        }
    }
    let right: Vec<bool> = (0..options).map(|i| correct.contains(&i)).collect();
    Ok(match grading {
        Partial::AllOrNothing => Mark::right_if(ticked == right),
        Partial::Proportional => {
            // A right option can only be ticked when k ≥ 1, a wrong one when n − k ≥ 1.
            let k = right.iter().filter(|r| **r).count() as f64;
            let wrong = options as f64 - k;
            let sum: f64 = (0..options)
                .filter(|i| ticked[*i])
                .map(|i| if right[i] { 1.0 / k } else { -1.0 / wrong })
                .sum();
            Mark {
                fraction: sum.clamp(0.0, 1.0),
            }
        }
    })
}

fn score_ordering(
    items: usize,
    grading: OrderingGrading,
    order: &[usize],
) -> Result<Mark, ScoreError> {
    if order.len() != items {
        return Err(ScoreError::OrderLength {
            expected: items,
            got: order.len(),
        });
    }
    // position[i] is where the learner put item i.
    let mut position = vec![None; items];
    for (at, &item) in order.iter().enumerate() {
        match position.get_mut(item) {
            None => return Err(ScoreError::NoSuchItem(item)),
            Some(Some(_)) => return Err(ScoreError::RepeatedItem(item)),
            Some(slot) => *slot = Some(at),
        }
    }
    let in_place = order
        .iter()
        .enumerate()
        .filter(|(at, item)| at == *item)
        .count();
    Ok(match grading {
        OrderingGrading::AllOrNothing => Mark::right_if(in_place == items),
        OrderingGrading::AbsolutePosition => Mark::share(in_place, items),
        OrderingGrading::RelativeNextExcludingLast => {
            let followed_rightly = (0..items.saturating_sub(1))
                .filter(|&item| {
                    let next = position[item].map(|at| at + 1);
                    next.and_then(|at| order.get(at)) == Some(&(item + 1))
                })
                .count();
            Mark::share(followed_rightly, items.saturating_sub(1))
        }
    })
}

/// Slack for binary rounding, in millimetres: a value typed exactly on a bound whose
/// computation rounds (12.3 mm ± 5 %) is still inside.
const MM_SLACK: f64 = 1e-9;

fn within(mm: f64, expected: f64, tolerance: Tolerance) -> bool {
    let allowed = match tolerance {
        Tolerance::Mm(mm) => mm,
        Tolerance::Percent(percent) => expected.abs() * percent / 100.0,
    };
    (mm - expected).abs() <= allowed + MM_SLACK
}

/// The mean mark a learner guessing at random would get, as Moodle's question types define it
/// (`get_random_guess_score`); `None` when it cannot be estimated, shown blank in the report.
///
/// * Single: 1/n — Moodle averages the options' fractions, one of them 1 and the rest 0.
/// * Multiple: `None` — Moodle's `qtype_multichoice` returns null for multiple answers.
/// * True/false: 0.5 (`qtype_truefalse`).
/// * Ordering: 0 — `qtype_ordering` keeps `question_type`'s default of 0.
/// * Hotspot, frame selection, measurement: `None`. Moodle has no such types, and the chance
///   depends on what this definition does not hold (the image's size, the clip's length) or,
///   for a measurement, is not a finite set of guesses.
pub fn random_guess_score(kind: &QuestionKind) -> Option<f64> {
    match kind {
        QuestionKind::Single { options, .. } if !options.is_empty() => {
            Some(1.0 / options.len() as f64)
        }
        QuestionKind::TrueFalse { .. } => Some(0.5),
        QuestionKind::Ordering { .. } => Some(0.0),
        QuestionKind::Single { .. }
        | QuestionKind::Multiple { .. }
        | QuestionKind::Hotspot { .. }
        | QuestionKind::FrameSelection { .. }
        | QuestionKind::Measurement { .. } => None,
    }
}
