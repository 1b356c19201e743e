//! Unknown-case mode: what a learner must commit, the puzzle they see and the reveal.
use super::{AgeBand, Application, CaseContent, CaseId, CaseView, Sex};
use crate::InvalidReason;
use crate::scores::{StenosisGrade, TiradsLevel};
use serde::{Deserialize, Serialize};

impl CaseContent {
    /// What a learner must commit in unknown-case mode, from the content's scores and choices.
    pub fn puzzle_kind(&self) -> PuzzleKind {
        if let Some(level) = crate::scores::worst_tirads(&self.scores) {
            PuzzleKind::Tirads(level)
        } else if let Some(grade) = crate::scores::worst_grade(&self.scores) {
            PuzzleKind::Stenosis(grade)
        } else if let Some(answer) = self.answer {
            PuzzleKind::Choice(answer)
        } else {
            PuzzleKind::FreeText
        }
    }
}

/// The structured part of an unknown-case answer, with the expert's value.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub enum PuzzleKind {
    Tirads(TiradsLevel),
    Stenosis(StenosisGrade),
    Choice(u32),
    FreeText,
}

/// The unknown-case view: history and clips only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CasePuzzle {
    pub id: CaseId,
    pub version: u32,
    pub application: Application,
    pub age_band: AgeBand,
    pub sex: Sex,
    pub history: String,
    /// Clip URLs only: captions, key frames and annotations would give the answer away, so
    /// they never leave the server before the answer is committed.
    pub clips: Vec<String>,
    /// What the structured answer is: "tirads", "stenosis", "choice" or "free".
    pub kind: String,
    pub choices: Vec<String>,
}

/// A learner's committed unknown-case answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AttemptInput {
    pub impression: String,
    #[serde(default)]
    pub tirads: Option<u8>,
    #[serde(default)]
    pub grade: Option<StenosisGrade>,
    #[serde(default)]
    pub choice: Option<u32>,
}

impl AttemptInput {
    /// The answer as it is recorded: the impression trimmed and required, a TI-RADS level
    /// that exists. The error names the field.
    pub fn normalise(mut self) -> Result<AttemptInput, (String, InvalidReason)> {
        self.impression = self.impression.trim().to_string();
        if self.impression.is_empty() {
            return Err(("impression".into(), InvalidReason::Required));
        }
        if self.impression.chars().count() > super::limits::TEXT {
            return Err(("impression".into(), InvalidReason::TooLong));
        }
        if self.tirads.is_some_and(|l| !(1..=5).contains(&l)) {
            return Err(("tirads".into(), InvalidReason::Unknown));
        }
        Ok(self)
    }
}

/// The reveal: the learner's answer beside the case and how it compares.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Reveal {
    pub attempt: AttemptInput,
    /// True/false when the structured part could be marked.
    pub correct: Option<bool>,
    pub expected: PuzzleKind,
    pub case: CaseView,
}
