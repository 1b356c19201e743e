//! A learner's attempt: the questions as shown to them (options in an order of their own per
//! attempt when the quiz shuffles), answers translated between what was shown and the
//! author's indexes, the time limit, and the views of an attempt in progress and in review.
use super::bank::ReviewShows;
use super::question::{Answer, QuestionForLearner, QuestionKind, ScoreError};
use super::{learner_view, order_from_shown, shuffled};
use crate::ids::{AttemptId, QuizId};
use serde::{Deserialize, Serialize};

/// Shown position → the author's index for the options of a choice question (the identity
/// when options are not shuffled, and for other kinds).
pub fn option_order(kind: &QuestionKind, seed: u64, shuffle_options: bool) -> Vec<usize> {
    match kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. }
            if shuffle_options =>
        {
            shuffled(options.len(), seed)
        }
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
            (0..options.len()).collect()
        }
        _ => Vec::new(),
    }
}

/// The question as this attempt shows it, without its key.
pub fn shown_question(kind: &QuestionKind, seed: u64, shuffle_options: bool) -> QuestionForLearner {
    let order = option_order(kind, seed, shuffle_options);
    match learner_view(kind, seed) {
        QuestionForLearner::Single { options } => QuestionForLearner::Single {
            options: order.iter().map(|&i| options[i].clone()).collect(),
        },
        QuestionForLearner::Multiple { options } => QuestionForLearner::Multiple {
            options: order.iter().map(|&i| options[i].clone()).collect(),
        },
        other => other,
    }
}

/// The key in the terms the learner saw: choice options in the attempt's order (ordering
/// items stay in the right order, which is the key).
pub fn shown_key(kind: &QuestionKind, seed: u64, shuffle_options: bool) -> QuestionKind {
    let order = option_order(kind, seed, shuffle_options);
    let shown_of = |author: usize| order.iter().position(|&i| i == author).unwrap_or(author);
    match kind {
        QuestionKind::Single { options, correct } => QuestionKind::Single {
            options: order.iter().map(|&i| options[i].clone()).collect(),
            correct: shown_of(*correct),
        },
        QuestionKind::Multiple {
            options,
            correct,
            grading,
        } => QuestionKind::Multiple {
            options: order.iter().map(|&i| options[i].clone()).collect(),
            correct: {
                let mut c: Vec<usize> = correct.iter().map(|&i| shown_of(i)).collect();
                c.sort_unstable();
                c
            },
            grading: *grading,
        },
        other => other.clone(),
    }
}

/// An answer given in shown positions, in the author's indexes (ready for `score`).
pub fn answer_to_author(
    kind: &QuestionKind,
    answer: Answer,
    seed: u64,
    shuffle_options: bool,
) -> Result<Answer, ScoreError> {
    let order = option_order(kind, seed, shuffle_options);
    let author = |shown: usize| {
        order
            .get(shown)
            .copied()
            .ok_or(ScoreError::NoSuchOption(shown))
    };
    Ok(match (kind, answer) {
        (QuestionKind::Single { .. }, Answer::Choice(i)) => Answer::Choice(author(i)?),
        (QuestionKind::Multiple { .. }, Answer::Choices(list)) => {
            Answer::Choices(list.into_iter().map(author).collect::<Result<_, _>>()?)
        }
        (QuestionKind::Ordering { items, .. }, Answer::Order(shown)) => {
            Answer::Order(order_from_shown(&shown, items.len(), seed)?)
        }
        (_, answer) => answer,
    })
}

/// A stored answer (author's indexes) back in the positions the learner saw.
pub fn answer_to_shown(
    kind: &QuestionKind,
    answer: Answer,
    seed: u64,
    shuffle_options: bool,
) -> Answer {
    let order = option_order(kind, seed, shuffle_options);
    let shown_of = |author: usize| order.iter().position(|&i| i == author).unwrap_or(author);
    match (kind, answer) {
        (QuestionKind::Single { .. }, Answer::Choice(i)) => Answer::Choice(shown_of(i)),
        (QuestionKind::Multiple { .. }, Answer::Choices(list)) => {
            Answer::Choices(list.into_iter().map(shown_of).collect())
        }
        (QuestionKind::Ordering { items, .. }, Answer::Order(author_order)) => {
            let shown = shuffled(items.len(), seed);
            Answer::Order(
                author_order
                    .into_iter()
                    .map(|a| shown.iter().position(|&s| s == a).unwrap_or(a))
                    .collect(),
            )
        }
        (_, answer) => answer,
    }
}

/// Whether an attempt with `deadline` (Unix seconds) still takes answers at `now`.
pub fn in_time(deadline: Option<i64>, now: i64) -> bool {
    deadline.is_none_or(|d| now <= d)
}

/// A clip a question is asked on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionClip {
    /// The blob the viewer loads from `/dicom/{sha}`.
    pub sha: String,
    pub frames: u32,
}

/// One question of an attempt in progress: no key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptSlot {
    pub slot: u32,
    /// What is asked, as sanitised inline HTML.
    pub stem: String,
    pub question: QuestionForLearner,
    pub clip: Option<QuestionClip>,
    /// The answer saved so far, in shown positions.
    pub answer: Option<Answer>,
    pub max_mark: f64,
}

/// An attempt in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    pub id: AttemptId,
    pub quiz_id: QuizId,
    pub quiz_title: String,
    pub number: u32,
    pub started_at: i64,
    /// When answers stop being taken (Unix seconds).
    pub deadline: Option<i64>,
    /// The server's clock when this was read, so the countdown does not trust the PC's.
    pub server_now: i64,
    pub slots: Vec<AttemptSlot>,
}

/// One question of a finished attempt, with what the review options allow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewSlot {
    pub slot: u32,
    /// What is asked, as sanitised inline HTML.
    pub stem: String,
    pub question: QuestionForLearner,
    pub clip: Option<QuestionClip>,
    /// In shown positions; `None` when unanswered or marks are not shown.
    pub answer: Option<Answer>,
    /// Fraction 0–1, when marks are shown.
    pub mark: Option<f64>,
    pub max_mark: f64,
    /// The key in shown positions, when the right answer is shown.
    pub key: Option<QuestionKind>,
    pub explanation: Option<String>,
}

/// A finished attempt as its learner (or the quiz's author) may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub id: AttemptId,
    pub quiz_id: QuizId,
    pub quiz_title: String,
    pub learner: String,
    pub number: u32,
    pub started_at: i64,
    pub finished_at: i64,
    /// Closed by the server when time ran out rather than submitted.
    pub timed_out: bool,
    /// Percent, when marks are shown.
    pub grade: Option<f64>,
    pub passed: Option<bool>,
    pub shows: ReviewShows,
    pub slots: Vec<ReviewSlot>,
    /// The course lesson to go back to.
    pub back: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::{Partial, score};

    fn multiple() -> QuestionKind {
        QuestionKind::Multiple {
            options: ["a", "b", "c", "d"].map(String::from).to_vec(),
            correct: vec![0, 2],
            grading: Partial::AllOrNothing,
        }
    }

    #[test]
    fn shuffled_options_are_answered_in_shown_positions_and_marked_in_the_authors() {
        let kind = multiple();
        let order = option_order(&kind, 9, true);
        assert_ne!(order, vec![0, 1, 2, 3]);
        let QuestionForLearner::Multiple { options } = shown_question(&kind, 9, true) else {
            panic!("a multiple-answer question");
        };
        // The learner ticks "a" and "c" wherever they were shown.
        let shown: Vec<usize> = ["a", "c"]
            .iter()
            .map(|o| options.iter().position(|s| s == o).unwrap())
            .collect();
        let author = answer_to_author(&kind, Answer::Choices(shown.clone()), 9, true).unwrap();
        assert_eq!(score(&kind, &author).unwrap().fraction, 1.0);
        // And back for showing the saved answer, and the key in the same terms.
        let mut back = match answer_to_shown(&kind, author, 9, true) {
            Answer::Choices(c) => c,
            other => panic!("{other:?}"),
        };
        back.sort_unstable();
        let mut expected = shown;
        expected.sort_unstable();
        assert_eq!(back, expected);
        let QuestionKind::Multiple { correct, .. } = shown_key(&kind, 9, true) else {
            panic!()
        };
        assert_eq!(correct, expected);
    }

    #[test]
    fn without_shuffling_positions_are_the_authors() {
        let kind = multiple();
        assert_eq!(option_order(&kind, 9, false), vec![0, 1, 2, 3]);
        assert_eq!(
            answer_to_author(&kind, Answer::Choices(vec![1]), 9, false).unwrap(),
            Answer::Choices(vec![1])
        );
        assert!(answer_to_author(&kind, Answer::Choices(vec![4]), 9, false).is_err());
    }

    #[test]
    fn ordering_answers_round_trip_through_the_shuffle() {
        let kind = QuestionKind::Ordering {
            items: ["RUQ", "LUQ", "pelvis", "heart"].map(String::from).to_vec(),
            grading: crate::quiz::OrderingGrading::AllOrNothing,
        };
        let QuestionForLearner::Ordering { items } = shown_question(&kind, 4, false) else {
            panic!()
        };
        let right: Vec<usize> = ["RUQ", "LUQ", "pelvis", "heart"]
            .iter()
            .map(|o| items.iter().position(|s| s == o).unwrap())
            .collect();
        let author = answer_to_author(&kind, Answer::Order(right.clone()), 4, false).unwrap();
        assert_eq!(author, Answer::Order(vec![0, 1, 2, 3]));
        assert_eq!(
            answer_to_shown(&kind, author, 4, false),
            Answer::Order(right)
        );
    }

    #[test]
    fn the_deadline_second_is_still_in_time() {
        assert!(in_time(None, i64::MAX));
        assert!(in_time(Some(100), 100));
        assert!(!in_time(Some(100), 101));
    }
}
