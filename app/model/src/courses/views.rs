//! What the course pages show: the catalogue's cards, a course's modules as one learner stands
//! in them, a lesson, and the coordinator's cohorts.
use super::{Completion, CourseId, ModuleState};
use crate::Annotation;
use crate::ids::{AttemptId, CohortId, QuizId};
use crate::quiz::GradingMethod;
use crate::{SiteId, UserId};
use serde::{Deserialize, Serialize};

/// How a learner came to be enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolVia {
    /// Their site's cohort.
    Site,
    /// Named by a coordinator.
    Person,
    /// They enrolled themselves.
    SelfEnrol,
}

impl EnrolVia {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolVia::Site => "site",
            EnrolVia::Person => "person",
            EnrolVia::SelfEnrol => "self",
        }
    }

    pub fn parse(s: &str) -> Option<EnrolVia> {
        [EnrolVia::Site, EnrolVia::Person, EnrolVia::SelfEnrol]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A course in the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseCard {
    pub id: CourseId,
    pub title: String,
    pub application: Option<String>,
    /// Published at least once (authors also see drafts).
    pub published: bool,
    pub self_enrol: bool,
    pub modules: usize,
    pub lessons: usize,
    /// The viewer's progress, when enrolled.
    pub progress: Option<Completion>,
    /// Due date (YYYY-MM-DD) of the viewer's cohort.
    pub due: Option<String>,
    /// Unix seconds the viewer completed it.
    pub completed_at: Option<i64>,
}

/// A lesson in the course outline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonView {
    pub key: String,
    pub title: String,
    /// `reading`, `clip`, `case`, `quiz` or `replay`.
    pub kind: String,
    pub required: bool,
    pub done: bool,
}

/// A module in the course outline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleView {
    pub key: String,
    pub title: String,
    pub state: ModuleState,
    /// Titles of the modules that must be done first.
    pub prerequisites: Vec<String>,
    pub lessons: Vec<LessonView>,
}

/// A course as one viewer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseOverview {
    pub id: CourseId,
    pub title: String,
    /// The summary rendered and sanitised.
    pub summary_html: String,
    /// The published version shown (the viewer's own when enrolled); `None` for a draft an
    /// author previews.
    pub version: Option<i64>,
    pub modules: Vec<ModuleView>,
    pub enrolled: bool,
    pub may_self_enrol: bool,
    pub progress: Completion,
    /// The first required lesson not done in an open module: where "continue" goes.
    pub resume: Option<String>,
    pub due: Option<String>,
    /// Unix seconds and score (0–100, the mean of the course's quiz grades) of completion.
    pub completed: Option<(i64, Option<f64>)>,
    /// The viewer may edit the course and see its cohorts and item analysis.
    pub may_manage: bool,
    /// A newer version exists than the one the viewer follows.
    pub newer_version: bool,
}

/// A quiz as its lesson shows it: the settings a learner needs and their attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizLesson {
    pub quiz_id: QuizId,
    pub title: String,
    pub questions: usize,
    /// `None`: unlimited.
    pub attempts_allowed: Option<u32>,
    pub time_limit_secs: Option<u32>,
    pub grading: GradingMethod,
    /// Percent.
    pub pass_mark: f64,
    /// The learner's attempts, oldest first: id, number, finished, grade in percent.
    pub attempts: Vec<(AttemptId, u32, bool, Option<f64>)>,
    /// Overall grade by the grading method, percent.
    pub grade: Option<f64>,
    pub passed: bool,
    /// A new attempt may be started now.
    pub may_start: bool,
}

/// What a lesson holds, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LessonPage {
    Reading {
        html: String,
    },
    Clip {
        sha: String,
        annotations: Vec<Annotation>,
        narration_html: String,
    },
    Case {
        case_id: String,
        title: String,
        unknown: bool,
    },
    Quiz(QuizLesson),
    Replay {
        replay_id: Option<String>,
    },
}

/// One lesson in its course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonContentView {
    pub course_id: CourseId,
    pub course_title: String,
    pub module_title: String,
    pub key: String,
    pub title: String,
    pub required: bool,
    pub done: bool,
    pub page: LessonPage,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// A course as its editor opens it: the working copy and where its publication stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseWork {
    pub content: super::CourseContent,
    /// The version learners enrol on, if it was ever published.
    pub published_version: Option<i64>,
    /// In the catalogue now (published and not taken out).
    pub listed: bool,
}

/// A cohort of a course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortView {
    pub id: CohortId,
    pub name: String,
    /// The site whose learners it enrols, if any (its Chinese and English names).
    pub site: Option<String>,
    pub site_en: Option<String>,
    pub due: Option<String>,
    pub members: usize,
    pub completed: usize,
}

/// A new cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortInput {
    pub name: String,
    /// Every learner of this site is enrolled.
    pub site: Option<SiteId>,
    /// People enrolled by name.
    #[serde(default)]
    pub people: Vec<UserId>,
    /// YYYY-MM-DD.
    pub due: Option<String>,
}
