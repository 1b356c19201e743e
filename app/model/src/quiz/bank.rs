//! The question bank and quizzes as authors define them: a question's text, tags and clip; a
//! quiz's questions (fixed, or drawn from the bank by tag) and its settings, named as Moodle
//! names them.
use super::{GradingMethod, QuestionKind};
use crate::ids::{QuestionId, QuizId};
use crate::{AppError, InvalidReason};
use serde::{Deserialize, Serialize};

/// A question as its author writes it, key included (never sent to a learner before they
/// submit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionInput {
    /// Application catalogue code (`efast`, `lung`, …).
    pub application: String,
    /// Free topic tag within the application (`morison`, `lung-point`).
    #[serde(default)]
    pub topic: String,
    /// What is asked.
    pub stem: String,
    pub kind: QuestionKind,
    /// Why the right answer is right; shown in review when the quiz allows.
    #[serde(default)]
    pub explanation: String,
    /// The clip the question is asked on (SOP Instance UID of a published case's clip);
    /// required by hotspot, frame-selection and measurement questions.
    #[serde(default)]
    pub clip: Option<String>,
}

/// A clip of a published case that questions and course lessons may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeachingClip {
    pub case_id: crate::CaseId,
    /// The case's published title.
    pub case_title: String,
    pub application: Option<String>,
    pub sop_uid: String,
    /// Where the viewer fetches it.
    pub url: String,
    pub frames: u32,
    pub width: u32,
    pub height: u32,
}

/// A question in the bank's list (for authors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSummary {
    pub id: QuestionId,
    pub application: String,
    pub topic: String,
    pub stem: String,
    /// `single`, `multiple`, `true_false`, `ordering`, `hotspot`, `frame_selection`,
    /// `measurement`.
    pub kind: String,
    pub author: String,
    pub used_in: usize,
}

/// One place in a quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "pick", rename_all = "snake_case")]
pub enum QuizPick {
    /// Always this question.
    Fixed { question: QuestionId },
    /// A question drawn at random, per attempt, from the bank's questions with these tags
    /// (and not already in the attempt).
    Random {
        application: String,
        #[serde(default)]
        topic: Option<String>,
    },
}

/// What a learner may see in review, at one time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewShows {
    /// The attempt's answers and whether each was right.
    pub marks: bool,
    pub right_answer: bool,
    pub explanation: bool,
}

/// Moodle's review options: what is shown immediately after the attempt (within two minutes
/// of submitting), later while the quiz is still open, and after it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOptions {
    pub immediately: ReviewShows,
    pub later: ReviewShows,
    pub after_close: ReviewShows,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        let all = ReviewShows {
            marks: true,
            right_answer: true,
            explanation: true,
        };
        ReviewOptions {
            immediately: all,
            later: all,
            after_close: all,
        }
    }
}

/// How long after submitting "immediately" lasts (Moodle: two minutes).
pub const IMMEDIATELY_SECS: i64 = 120;

impl ReviewOptions {
    /// What may be shown at `now` for an attempt finished at `finished_at` of a quiz that
    /// closes at `closes_at`.
    pub fn at(&self, now: i64, finished_at: i64, closes_at: Option<i64>) -> ReviewShows {
        if closes_at.is_some_and(|c| now >= c) {
            self.after_close
        } else if now - finished_at < IMMEDIATELY_SECS {
            self.immediately
        } else {
            self.later
        }
    }
}

/// A quiz's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizSettings {
    /// `None`: unlimited.
    pub attempts_allowed: Option<u32>,
    #[serde(default)]
    pub grading: GradingMethod,
    /// Enforced by the server: answers after it are refused, and an open attempt is closed
    /// and graded when it passes.
    pub time_limit_secs: Option<u32>,
    #[serde(default)]
    pub shuffle_questions: bool,
    /// Choice options shown in an order of their own per attempt.
    #[serde(default)]
    pub shuffle_options: bool,
    /// Percent of the maximum needed to pass.
    pub pass_mark: f64,
    #[serde(default)]
    pub review: ReviewOptions,
    /// Unix seconds after which no attempt may start.
    #[serde(default)]
    pub closes_at: Option<i64>,
}

impl Default for QuizSettings {
    fn default() -> Self {
        QuizSettings {
            attempts_allowed: None,
            grading: GradingMethod::Highest,
            time_limit_secs: None,
            shuffle_questions: false,
            shuffle_options: false,
            pass_mark: 60.0,
            review: ReviewOptions::default(),
            closes_at: None,
        }
    }
}

/// A quiz as its author writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizInput {
    pub title: String,
    pub picks: Vec<QuizPick>,
    pub settings: QuizSettings,
}

impl QuizInput {
    /// Checks the title, that there is a question, and the settings' ranges.
    pub fn validate(&self) -> Result<(), AppError> {
        let refuse = |field: &str, reason| {
            Err(AppError::Invalid {
                field: field.into(),
                reason,
            })
        };
        if self.title.trim().is_empty() {
            return refuse("title", InvalidReason::Required);
        }
        if self.title.chars().count() > 200 {
            return refuse("title", InvalidReason::TooLong);
        }
        if self.picks.is_empty() {
            return refuse("picks", InvalidReason::Required);
        }
        let s = &self.settings;
        if s.attempts_allowed == Some(0) {
            return refuse("settings.attempts_allowed", InvalidReason::BadFormat);
        }
        if s.time_limit_secs == Some(0) {
            return refuse("settings.time_limit_secs", InvalidReason::BadFormat);
        }
        if !(0.0..=100.0).contains(&s.pass_mark) {
            return refuse("settings.pass_mark", InvalidReason::BadFormat);
        }
        Ok(())
    }
}

/// A quiz in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizSummary {
    pub id: QuizId,
    pub title: String,
    pub questions: usize,
    pub finished_attempts: usize,
}

/// The stored and wire name of a question's kind.
pub fn kind_name(kind: &QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Single { .. } => "single",
        QuestionKind::Multiple { .. } => "multiple",
        QuestionKind::TrueFalse { .. } => "true_false",
        QuestionKind::Ordering { .. } => "ordering",
        QuestionKind::Hotspot { .. } => "hotspot",
        QuestionKind::FrameSelection { .. } => "frame_selection",
        QuestionKind::Measurement { .. } => "measurement",
    }
}

/// Whether the question is asked on a clip (and so needs one).
pub fn needs_clip(kind: &QuestionKind) -> bool {
    matches!(
        kind,
        QuestionKind::Hotspot { .. }
            | QuestionKind::FrameSelection { .. }
            | QuestionKind::Measurement { .. }
    )
}
