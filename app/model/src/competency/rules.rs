//! Credential rules per application, as a coordinator sets them, and the record of one learner
//! in one application that they are evaluated against.
use super::{CivilDate, Grade, Verdict};
use crate::ids::{CourseId, QuizId};
use serde::{Deserialize, Serialize};

/// The ACEP starting point for quality-reviewed scans per core application.
pub const DEFAULT_MIN_REVIEWED_SCANS: u32 = 25;
/// The most scans a rule may ask for, in total or per renewal period.
pub const MAX_SCANS: u32 = 10_000;
/// The shortest renewal period: a quarter, so that it is longer than the notice window.
pub const MIN_RENEWAL_DAYS: u32 = 90;
/// The longest renewal period: ten years.
pub const MAX_RENEWAL_DAYS: u32 = 3650;
/// How many days before a period's end a credential without its maintenance count yet is due
/// for renewal (the last day counts as one of them).
pub const DUE_WINDOW_DAYS: u32 = 60;
/// The most courses, and the most quizzes, a rule may require.
pub const MAX_REQUIREMENTS: usize = 20;

/// What a learner must show to be credentialed in one application, and to keep it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialRule {
    /// Reviewed scans needed, whatever their grade.
    pub min_reviewed_scans: u32,
    /// Share (0–1) of the reviewed scans that must be graded 3 or better.
    pub min_acceptable_share: f64,
    /// Share (0–1) of the reviewed scans whose interpretation must agree (see
    /// [`Verdict::agrees`]).
    pub min_agreement: f64,
    #[serde(default)]
    pub required_courses: Vec<CourseId>,
    /// Quizzes that must be passed.
    #[serde(default)]
    pub required_quizzes: Vec<QuizId>,
    /// Length in days of each period the credential runs for, starting on the award day;
    /// none: the credential never needs renewing.
    #[serde(default)]
    pub renewal_days: Option<u32>,
    /// Scans graded 3 or better, reviewed within a period, that carry the credential into the
    /// next one.
    #[serde(default)]
    pub maintenance_scans: u32,
}

impl Default for CredentialRule {
    /// ACEP's 25 scans; four in five acceptable and agreeing, the hub's starting point until a
    /// coordinator sets the application's own; no courses, quizzes or renewal.
    fn default() -> Self {
        CredentialRule {
            min_reviewed_scans: DEFAULT_MIN_REVIEWED_SCANS,
            min_acceptable_share: 0.8,
            min_agreement: 0.8,
            required_courses: Vec::new(),
            required_quizzes: Vec::new(),
            renewal_days: None,
            maintenance_scans: 0,
        }
    }
}

/// One learner's record in one application, as the rules read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LearnerRecord {
    /// The learner's reviewed scans in the application, each with its (first) review.
    pub scans: Vec<ReviewedScan>,
    #[serde(default)]
    pub completed_courses: Vec<CourseId>,
    #[serde(default)]
    pub passed_quizzes: Vec<QuizId>,
    /// The day the current credential was awarded, if one was.
    #[serde(default)]
    pub awarded_on: Option<CivilDate>,
}

/// A logbook scan once reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReviewedScan {
    pub grade: Grade,
    /// The verdict on the learner's interpretation, as a follow-up last updated it.
    pub verdict: Verdict,
    pub reviewed_on: CivilDate,
}
