//! An application's review form: the interpretation fields a learner fills when logging a scan
//! and a reviewer fills again when judging it, as data a coordinator edits (eFAST positive or
//! negative per window, a thyroid nodule's TI-RADS level, a carotid grade, ...).
use super::Rubric;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The interpretation fields of one application and its optional image-quality rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewForm {
    pub fields: Vec<FormField>,
    /// Criteria graded next to the ACEP 1–5 grade, when the application has its own scale.
    #[serde(default)]
    pub rubric: Option<Rubric>,
}

/// One question of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormField {
    /// Short key, unique in the form; interpretations answer by it.
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
}

/// What a field asks for, and which answers report a finding, so that a missed finding can be
/// told from another disagreement and a follow-up can settle the learner's call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// One option of a list (e.g. a carotid stenosis grade).
    Choice {
        options: Vec<String>,
        /// The options that report no finding (e.g. `normal`); none means the field takes no
        /// part in the positive/negative call.
        #[serde(default)]
        negative: Vec<String>,
    },
    /// One option in each window (e.g. eFAST: positive or negative in every view).
    PerWindow {
        windows: Vec<String>,
        options: Vec<String>,
        /// As for [`FieldKind::Choice`], per window.
        #[serde(default)]
        negative: Vec<String>,
    },
    /// A whole-number level, `min..=max` (e.g. ACR TI-RADS TR1–TR5 as 1–5).
    Level {
        min: u8,
        max: u8,
        /// The lowest level that reports a finding (e.g. 4 for "suspicious"); none means the
        /// field takes no part in the positive/negative call.
        #[serde(default)]
        positive_from: Option<u8>,
    },
}

impl FieldKind {
    /// Whether `answer` reports a finding, when the field takes part in the call and the
    /// answer is of the field's kind. A per-window answer is positive if any window is.
    pub fn is_positive(&self, answer: &Answer) -> Option<bool> {
        match (self, answer) {
            (FieldKind::Choice { negative, .. }, Answer::Choice(value)) => {
                (!negative.is_empty()).then(|| !negative.contains(value))
            }
            (FieldKind::PerWindow { negative, .. }, Answer::PerWindow(values)) => {
                (!negative.is_empty()).then(|| values.values().any(|v| !negative.contains(v)))
            }
            (FieldKind::Level { positive_from, .. }, Answer::Level(level)) => {
                positive_from.map(|from| *level >= from)
            }
            _ => None,
        }
    }
}

/// A filled form: each field's answer by field key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpretation {
    pub answers: BTreeMap<String, Answer>,
}

/// The answer to one field, of the field's kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Choice(String),
    /// The option chosen in each window, by window name.
    PerWindow(BTreeMap<String, String>),
    Level(u8),
}
