//! Image quality: the ACEP 1–5 grade every review gives, and the optional application-specific
//! rubric an application's review form may add next to it (reviewers agree more on a scale
//! written for the application than on the generic one).
use crate::{AppError, InvalidReason};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// An ACEP image-quality grade, 1 (no recognisable structures) to 5 (excellent, diagnosis
/// completely supported); it cannot hold anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Grade(u8);

impl Grade {
    /// Every grade, worst first.
    pub const ALL: [Grade; 5] = [Grade(1), Grade(2), Grade(3), Grade(4), Grade(5)];
    /// The lowest grade that still counts as acceptable: minimal criteria met.
    pub const MIN_ACCEPTABLE: Grade = Grade(3);

    /// The grade `value`; anything outside 1–5 is refused on the field `grade`.
    pub fn parse(value: i64) -> Result<Grade, AppError> {
        match u8::try_from(value) {
            Ok(v @ 1..=5) => Ok(Grade(v)),
            _ => Err(AppError::invalid("grade", InvalidReason::OutOfRange)),
        }
    }

    /// The number, 1–5.
    pub fn value(self) -> u8 {
        self.0
    }

    /// Graded 3 or better.
    pub fn is_acceptable(self) -> bool {
        self >= Grade::MIN_ACCEPTABLE
    }
}

impl FromStr for Grade {
    type Err = AppError;

    /// A grade as a form sends it (`"4"`); text that is not a whole number is refused as
    /// badly formed, a number outside 1–5 as out of range.
    fn from_str(text: &str) -> Result<Grade, AppError> {
        let value: i64 = text
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("grade", InvalidReason::BadFormat))?;
        Grade::parse(value)
    }
}

impl TryFrom<u8> for Grade {
    type Error = String;

    fn try_from(value: u8) -> Result<Grade, String> {
        Grade::parse(i64::from(value)).map_err(|_| format!("{value} is not a grade from 1 to 5"))
    }
}

impl From<Grade> for u8 {
    fn from(grade: Grade) -> u8 {
        grade.0
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An application-specific image-quality scale: named criteria, each graded on its own levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rubric {
    pub criteria: Vec<Criterion>,
}

/// One criterion of a rubric (e.g. "Morison's pouch fully seen") and its levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// Short key, unique in the rubric; scores refer to it.
    pub key: String,
    pub label: String,
    /// The levels' wording, worst first; a score names a level by its index.
    pub levels: Vec<String>,
}

/// A reviewer's rubric scoring: for each criterion key, the index of the level chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RubricScores(pub BTreeMap<String, u8>);
