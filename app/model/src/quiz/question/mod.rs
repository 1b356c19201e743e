//! Quiz questions: what an author defines (the key included), what a learner submits, how a
//! submission is marked, and the keyless view of a question that may reach the browser.
//!
//! The choice and ordering questions mark as Moodle's question types do (`qtype_multichoice`,
//! `qtype_truefalse`, `qtype_ordering`); the cine-native ones (a click on a region of a clip,
//! a frame or run of frames, a calliper measurement) have no Moodle counterpart.
mod geometry;
mod learner;
mod scoring;
mod validate;

pub use learner::{FramePick, QuestionForLearner, learner_view, order_from_shown, shuffled};
pub use scoring::{Mark, ScoreError, random_guess_score, score};
pub use validate::{InvalidQuestion, Problem, validate};

use crate::annotation::Shape;
use serde::{Deserialize, Serialize};

/// A question as its author defines it, key included. It stays on the server until the
/// learner has submitted; the browser gets [`learner_view`] instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// One right option among several (radio buttons).
    Single {
        options: Vec<String>,
        correct: usize,
    },
    /// Any number of options may be ticked; `correct` is the set of right ones.
    Multiple {
        options: Vec<String>,
        correct: Vec<usize>,
        grading: Partial,
    },
    /// A statement that is true or false.
    TrueFalse { correct: bool },
    /// Items to put in order; the author lists them in the right order.
    Ordering {
        items: Vec<String>,
        grading: OrderingGrading,
    },
    /// Click the structure on the clip: right when the click is inside a target shown on the
    /// frame clicked. `frames` is the clip's length.
    Hotspot {
        frames: u32,
        targets: Vec<HotspotTarget>,
    },
    /// Pick the frame (or run of frames) where something happens, within `tolerance` frames.
    FrameSelection { target: FrameTarget, tolerance: u32 },
    /// Measure something with the calliper; the clip's calibration is checked where the
    /// question is made, not here.
    Measurement {
        expected_mm: f64,
        tolerance: Tolerance,
    },
}

/// How a question with several right options gives part marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partial {
    /// Full marks for exactly the right set, nothing otherwise (Moodle's "all or nothing"
    /// multiple choice).
    AllOrNothing,
    /// Moodle's multiple-answer marking, each option carrying a fraction and the ticked
    /// fractions summed and clamped to 0..=1: here each right option is worth 1/k (k right
    /// options) and each wrong one costs 1/(n − k), so ticking every option scores 0.
    Proportional,
}

/// How an ordering question gives part marks (Moodle `qtype_ordering`'s grading types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderingGrading {
    /// Full marks only for the whole order right.
    AllOrNothing,
    /// The share of items in their right place.
    AbsolutePosition,
    /// The share of items, all but the last of the right order, that are directly followed
    /// by their right successor (Moodle's default, "relative to the next item (excluding
    /// last)").
    RelativeNextExcludingLast,
}

/// A region of the clip that counts as a right click on the frames `first_frame..=last_frame`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotspotTarget {
    /// An ellipse or a polygon, in image pixels.
    pub shape: Shape,
    pub first_frame: u32,
    pub last_frame: u32,
}

/// The frame, or the run of frames, a frame-selection question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameTarget {
    Frame(u32),
    /// Frames `start..=end`.
    Range {
        start: u32,
        end: u32,
    },
}

/// How far a measurement may be from the expected value and still be right (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tolerance {
    Mm(f64),
    /// Percent of the expected value.
    Percent(f64),
}

/// What a learner submits. Choice and item indexes are the author's (see
/// [`order_from_shown`] for an ordering shown shuffled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The option picked in a single-answer question.
    Choice(usize),
    /// The options ticked in a multiple-answer question.
    Choices(Vec<usize>),
    TrueFalse(bool),
    /// The learner's order, first to last, as item indexes.
    Order(Vec<usize>),
    /// A click in image pixels on a frame.
    Click {
        x: f64,
        y: f64,
        frame: u32,
    },
    Frame(u32),
    /// Frames `start..=end`.
    FrameRange {
        start: u32,
        end: u32,
    },
    Measured {
        mm: f64,
    },
}

#[cfg(test)]
mod tests;
