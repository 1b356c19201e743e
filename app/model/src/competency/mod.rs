//! Competency: the image-quality grade and an application's review form, the verdict on a
//! learner's interpretation, credential rules and a learner's status under them, and the
//! agreement between reviewers.
//!
//! Pure rules shared by the browser (the review screen, the rule editor, the learner's own
//! progress) and the server (which stores reviews, awards credentials and draws the
//! coordinator's grid). The grade is ACEP's 1–5 image-quality scale, 3 the minimum acceptable;
//! the status runs in training → eligible → credentialed → due for renewal → lapsed, with the
//! renewal semantics written out at the top of `evaluate.rs`. See DESIGN.md, "Standards the
//! product follows".
mod evaluate;
mod form;
mod grade;
mod kappa;
mod logbook;
mod rules;
mod validate;
mod verdict;
mod views;

pub use crate::calendar::CivilDate;
pub use crate::ids::{CourseId, QuizId};
pub use evaluate::evaluate;
pub use form::{Answer, FieldKind, FormField, Interpretation, ReviewForm};
pub use grade::{Criterion, Grade, Rubric, RubricScores};
pub use kappa::{KappaWeights, Rating, cohen_kappa, reviewer_agreement, weighted_kappa};
pub use logbook::{
    ApplicationForm, AwardSummary, CURVE_WINDOW, Certificate, CurvePoint, EntryClip, EntryInput,
    EntryStatus, EntrySummary, EntryView, Grid, GridCell, GridSite, LearningCurve, MAX_CLIPS,
    MAX_INDICATION, MyProgress, Period, QualityReport, QueueFilter, ReviewInput, ReviewView,
    ReviewerLoad, ReviewerPair, RuleView, SiteMonth, SiteTrend, Standing, VerdictSource,
};
pub use rules::{
    CredentialRule, DEFAULT_MIN_REVIEWED_SCANS, DUE_WINDOW_DAYS, LearnerRecord, MAX_RENEWAL_DAYS,
    MAX_REQUIREMENTS, MAX_SCANS, MIN_RENEWAL_DAYS, ReviewedScan,
};
pub use validate::{
    MAX_CRITERIA, MAX_FIELDS, MAX_LABEL_CHARS, MAX_OPTIONS, MAX_WINDOWS, validate_form,
    validate_interpretation, validate_rubric_scores, validate_rule,
};
pub use verdict::{
    FieldAgreement, FindingCall, Verdict, compare, finding_call, proposed_verdict,
    reference_verdict,
};
pub use views::{CredentialStatus, Evaluation, ReviewerAgreement, Rule, RuleLine};

#[cfg(test)]
mod tests;
