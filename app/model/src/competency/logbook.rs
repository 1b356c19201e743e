//! What travels between the competency pages and the server: applications with their review
//! forms, logbook entries and their reviews, the review queue, credential standings and awards,
//! and the dashboards' figures (grid, learning curve, site trends, reviewer workload).
use super::{
    CivilDate, CredentialRule, Evaluation, Grade, Interpretation, ReviewForm, ReviewerAgreement,
    RubricScores, Verdict,
};
use crate::{SiteId, UserId};
use serde::{Deserialize, Serialize};

/// An application of the catalogue with its review form, as coordinators edit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationForm {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub emergency: bool,
    pub form: ReviewForm,
    /// Retired: no new logbook entries; past entries and credentials stay.
    pub retired: bool,
}

impl ApplicationForm {
    /// The name in the page's language.
    pub fn name(&self, lang: &str) -> &str {
        if lang == "zh" {
            &self.name_zh
        } else {
            &self.name_en
        }
    }
}

/// Where a logbook entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Still the learner's to edit.
    Draft,
    /// Waiting in the review queue.
    Submitted,
    Reviewed,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 3] = [
        EntryStatus::Draft,
        EntryStatus::Submitted,
        EntryStatus::Reviewed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Submitted => "submitted",
            EntryStatus::Reviewed => "reviewed",
        }
    }

    pub fn parse(s: &str) -> Option<EntryStatus> {
        EntryStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The most clips one entry may carry.
pub const MAX_CLIPS: usize = 12;
/// The longest indication, in characters.
pub const MAX_INDICATION: usize = 500;

/// What a learner writes for a scan: a new entry when `id` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryInput {
    #[serde(default)]
    pub id: String,
    pub application: String,
    pub scanned_on: CivilDate,
    /// The site the scan was done at; the learner's own when none.
    #[serde(default)]
    pub site: Option<SiteId>,
    pub indication: String,
    pub interpretation: Interpretation,
    /// Clips picked from studies already imported (SOP Instance UIDs), in order.
    #[serde(default)]
    pub clips: Vec<String>,
    /// Submit for review once saved (otherwise it stays a draft).
    #[serde(default)]
    pub submit: bool,
}

/// One clip of an entry, as the viewer opens it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryClip {
    pub sop_uid: String,
    pub blob_sha: String,
    pub frames: u32,
    pub width: u32,
    pub height: u32,
    /// When it was imported (Unix seconds), so the learner can tell their clips apart.
    #[serde(default)]
    pub imported_at: i64,
}

/// A line of a logbook or of the review queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntrySummary {
    pub id: String,
    pub learner: UserId,
    pub learner_name: String,
    pub site_code: String,
    pub site_zh: String,
    pub site_en: String,
    pub application: String,
    pub scanned_on: CivilDate,
    pub status: EntryStatus,
    pub clips: u32,
    /// Unix seconds; none while a draft.
    pub submitted_at: Option<i64>,
    /// The first review's grade and the current verdict.
    pub grade: Option<Grade>,
    pub verdict: Option<Verdict>,
    pub reviewed_on: Option<CivilDate>,
    /// Waiting for an independent second review (the queue only).
    #[serde(default)]
    pub wants_second: bool,
}

/// Where a verdict came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictSource {
    Reviewer,
    /// A linked follow-up settled whether the finding was there.
    FollowUp,
}

/// A review as the entry's page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub id: String,
    pub reviewer_name: String,
    /// An independent second review (for reviewer agreement).
    pub second: bool,
    pub grade: Grade,
    pub rubric: RubricScores,
    pub interpretation: Interpretation,
    pub verdict: Verdict,
    pub verdict_source: VerdictSource,
    /// What the reviewer judged before a follow-up settled it.
    pub reviewer_verdict: Verdict,
    pub feedback: String,
    pub case_id: Option<String>,
    pub case_title: Option<String>,
    pub follow_up_id: Option<String>,
    pub reviewed_on: CivilDate,
}

/// One logbook entry in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryView {
    pub summary: EntrySummary,
    pub indication: String,
    pub interpretation: Interpretation,
    /// The application's form and names, to show the answers and to review.
    pub application: ApplicationForm,
    pub clips: Vec<EntryClip>,
    /// The upload job still turning files into clips, if any.
    pub upload_job: Option<String>,
    pub reviews: Vec<ReviewView>,
    /// The signed-in person may review it now (first or second review).
    pub may_review: bool,
    /// The signed-in person may edit it (its learner, while a draft).
    pub may_edit: bool,
}

/// A reviewer's judgement of an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewInput {
    pub entry: String,
    pub grade: Grade,
    #[serde(default)]
    pub rubric: RubricScores,
    /// The reviewer's own reading in the form's fields.
    pub interpretation: Interpretation,
    pub verdict: Verdict,
    pub feedback: String,
    /// A library case showing the same finding, or the case whose follow-up settles it.
    #[serde(default)]
    pub case_id: Option<String>,
    /// A follow-up of that case that settles the finding.
    #[serde(default)]
    pub follow_up_id: Option<String>,
    /// Ask another expert for an independent second review.
    #[serde(default)]
    pub want_second: bool,
}

/// The review queue's filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueFilter {
    #[serde(default)]
    pub site: Option<SiteId>,
    #[serde(default)]
    pub application: Option<String>,
    /// Only entries waiting at least this many days.
    #[serde(default)]
    pub min_age_days: Option<u32>,
}

/// A learner's standing in one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub learner: UserId,
    pub learner_name: String,
    pub site_code: String,
    pub application: String,
    pub application_zh: String,
    pub application_en: String,
    pub evaluation: Evaluation,
    /// Entries logged, and waiting for review, in the application.
    pub logged: u32,
    pub waiting: u32,
    /// The credential in force or last awarded.
    pub award: Option<AwardSummary>,
    /// Titles of the quizzes the rule requires, by id (only their authors may list quizzes).
    #[serde(default)]
    pub quiz_titles: Vec<(String, String)>,
}

/// A credential award as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwardSummary {
    pub code: String,
    pub awarded_on: CivilDate,
    pub awarded_by: String,
}

/// What a certificate and the public verification page say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub code: String,
    pub learner_name: String,
    pub site_zh: String,
    pub site_en: String,
    pub application_zh: String,
    pub application_en: String,
    pub awarded_on: CivilDate,
    pub awarded_by: String,
    /// What the learner had met on the award day.
    pub reviewed_scans: u32,
    pub acceptable_share: Option<f64>,
    pub agreement: Option<f64>,
    /// Where it stands today: credentialed, due for renewal or lapsed; revoked when withdrawn.
    pub status: super::CredentialStatus,
    pub valid_until: Option<CivilDate>,
    pub revoked: bool,
}

/// A credential rule as its editor shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleView {
    pub application: String,
    pub rule: CredentialRule,
    /// False while the application runs on the default rule.
    pub custom: bool,
    pub updated_by: Option<String>,
    pub updated_at: Option<i64>,
}

/// The period dashboards cover, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub from: CivilDate,
    pub until: CivilDate,
}

/// A site as the grid names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSite {
    pub id: SiteId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub hub: bool,
}

/// One site × application cell of the coordinator's grid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GridCell {
    /// Reviewed scans in the period.
    pub reviewed: u32,
    /// Graded 3 or better.
    pub acceptable: u32,
    /// Interpretation agreed (or borne out by a follow-up).
    pub agreeing: u32,
    /// People holding the credential today.
    pub credentialed: u32,
}

impl GridCell {
    pub fn acceptable_share(&self) -> Option<f64> {
        (self.reviewed > 0).then(|| f64::from(self.acceptable) / f64::from(self.reviewed))
    }

    pub fn agreement(&self) -> Option<f64> {
        (self.reviewed > 0).then(|| f64::from(self.agreeing) / f64::from(self.reviewed))
    }
}

/// The coordinator's grid: rows are sites (hub first), columns applications; `cells[s][a]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub period: Period,
    pub sites: Vec<GridSite>,
    pub applications: Vec<crate::Application>,
    pub cells: Vec<Vec<GridCell>>,
    /// Each application's hub figures, the reference cells are coloured against.
    pub hub: Vec<GridCell>,
    /// Server time to build it, in milliseconds (shown small under the grid).
    pub took_ms: u32,
}

/// One point of a learning curve: the n-th reviewed scan and its grade.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub n: u32,
    pub grade: Grade,
    pub agrees: bool,
    pub reviewed_on: CivilDate,
    /// Mean grade over the last `CURVE_WINDOW` scans up to this one.
    pub moving_average: f64,
}

/// Scans in a learning curve's moving average.
pub const CURVE_WINDOW: usize = 5;

/// A learner's curve in one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearningCurve {
    pub learner_name: String,
    pub application: String,
    pub points: Vec<CurvePoint>,
}

/// One month of one site's quality control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub reviewed: u32,
    pub mean_grade: Option<f64>,
    pub agreement: Option<f64>,
}

/// A site's monthly trend next to the hub's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteTrend {
    pub site: GridSite,
    pub months: Vec<SiteMonth>,
}

/// A reviewer's load over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewerLoad {
    pub reviewer: UserId,
    pub name: String,
    pub reviews: u32,
    pub second_reviews: u32,
    /// Hours from submission to review: median and 90th percentile.
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

/// Two reviewers' agreement over the entries both reviewed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewerPair {
    pub first: String,
    pub second: String,
    pub agreement: ReviewerAgreement,
}

/// Quality control of the network over a period: per-site trends, reviewer workload and
/// agreement, and the queue's size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    pub period: Period,
    pub application: Option<String>,
    pub trends: Vec<SiteTrend>,
    pub reviewers: Vec<ReviewerLoad>,
    pub pairs: Vec<ReviewerPair>,
    pub waiting: u32,
}

/// The learner's own progress page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyProgress {
    pub standings: Vec<Standing>,
    pub curves: Vec<LearningCurve>,
}
