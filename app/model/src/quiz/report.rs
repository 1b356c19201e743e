//! The item-analysis report as the page shows it: the whole-quiz figures, and per place in the
//! quiz the question's figures, the share of learners who chose each option, and for a hotspot
//! question where learners clicked.
use super::statistics::{ItemStatistics, QuizStatistics};
use crate::Shape;
use crate::ids::{QuestionId, QuizId};
use serde::{Deserialize, Serialize};

/// Where learners clicked on a hotspot question's clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClickMap {
    /// The clip, loaded from `/dicom/{sha}`.
    pub sha: String,
    /// The frame the picture is drawn on: the one most clicks were made on.
    pub frame: u32,
    pub width: u32,
    pub height: u32,
    /// Every click counted: x, y (image pixels), frame, and whether it was right.
    pub clicks: Vec<(f64, f64, u32, bool)>,
    /// The author's target regions shown on `frame`.
    pub targets: Vec<Shape>,
}

/// One place in the quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReport {
    /// 1-based, in the quiz's own order.
    pub place: u32,
    pub question_id: QuestionId,
    pub stem: String,
    pub kind: String,
    /// Attempts counted for this place.
    pub attempts: usize,
    pub statistics: ItemStatistics,
    /// Choice questions: each option with the percent of attempts that chose it, and whether
    /// it is right.
    pub options: Vec<(String, f64, bool)>,
    pub clicks: Option<ClickMap>,
}

/// The report of one quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizReport {
    pub quiz_id: QuizId,
    pub title: String,
    /// Only each learner's first attempt counted (Moodle's default), or all.
    pub first_only: bool,
    pub quiz: QuizStatistics,
    pub items: Vec<ItemReport>,
}
