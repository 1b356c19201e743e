//! What the competency pages show: a learner's status in an application with one line per rule
//! (numbers only; the browser words them in the reader's language), and the agreement between
//! two reviewers.
use super::CivilDate;
use crate::ids::{CourseId, QuizId};
use serde::{Deserialize, Serialize};

/// Where a learner stands in one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Some rule is not met yet.
    InTraining,
    /// Every rule is met; a coordinator may award the credential.
    Eligible,
    /// Awarded, and its current period is in good standing.
    Credentialed,
    /// In the last days of the period without the maintenance count yet.
    DueForRenewal,
    /// A period ended without its maintenance count.
    Lapsed,
}

impl CredentialStatus {
    pub const ALL: [CredentialStatus; 5] = [
        CredentialStatus::InTraining,
        CredentialStatus::Eligible,
        CredentialStatus::Credentialed,
        CredentialStatus::DueForRenewal,
        CredentialStatus::Lapsed,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialStatus::InTraining => "in_training",
            CredentialStatus::Eligible => "eligible",
            CredentialStatus::Credentialed => "credentialed",
            CredentialStatus::DueForRenewal => "due_for_renewal",
            CredentialStatus::Lapsed => "lapsed",
        }
    }

    pub fn parse(s: &str) -> Option<CredentialStatus> {
        CredentialStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Holds a credential in force (possibly with renewal due).
    pub fn holds_credential(self) -> bool {
        matches!(
            self,
            CredentialStatus::Credentialed | CredentialStatus::DueForRenewal
        )
    }
}

/// One rule as a learner stands against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleLine {
    pub rule: Rule,
    pub met: bool,
}

/// A rule with the learner's figure and the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// Reviewed scans against the minimum.
    ReviewedScans { actual: u32, required: u32 },
    /// Scans graded 3 or better out of those reviewed; `share` is none before any review.
    AcceptableShare {
        acceptable: u32,
        reviewed: u32,
        share: Option<f64>,
        required: f64,
    },
    /// Scans whose interpretation agreed out of those reviewed; `share` as above.
    Agreement {
        agreeing: u32,
        reviewed: u32,
        share: Option<f64>,
        required: f64,
    },
    /// A course that must be completed.
    Course { course: CourseId },
    /// A quiz that must be passed.
    Quiz { quiz: QuizId },
    /// Scans graded 3 or better reviewed from `from` to `until` (both included) against the
    /// maintenance count: the current period while credentialed; once lapsed, the days since
    /// the lapse, at most a period's worth, up to today.
    Maintenance {
        actual: u32,
        required: u32,
        from: CivilDate,
        until: CivilDate,
    },
}

/// A learner's standing in one application on one day, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub status: CredentialStatus,
    /// The entry rules in the rule's order (scans, acceptable share, agreement, each course,
    /// each quiz), then the maintenance line when the credential renews.
    pub lines: Vec<RuleLine>,
    /// A coordinator may award the credential today.
    pub awardable: bool,
    /// The last day of the current period, while a renewing credential is in force.
    pub valid_until: Option<CivilDate>,
    /// The first day without a credential, once lapsed.
    pub lapsed_on: Option<CivilDate>,
}

/// How far two reviewers agree over the scans both reviewed; a kappa is none where it is
/// undefined (no pairs, or agreement by chance alone is certain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewerAgreement {
    pub pairs: u32,
    /// Unweighted kappa over their interpretation verdicts.
    pub verdict_kappa: Option<f64>,
    /// Unweighted kappa over their 1–5 grades.
    pub grade_kappa: Option<f64>,
    /// Linearly weighted kappa over the grades.
    pub grade_kappa_linear: Option<f64>,
    /// Quadratically weighted kappa over the grades.
    pub grade_kappa_quadratic: Option<f64>,
}
