//! Courses: what an author writes (course → modules → lessons), the rules that open a module
//! to a learner and complete a course, and the views pages show.
//!
//! A course's working copy is edited freely; learners follow a published version, frozen when
//! it is published, and keep the version they enrolled on until they finish it, so editing a
//! published course never moves a lesson under a learner in the middle of it.
mod progress;
mod validate;
mod views;

pub use crate::ids::{CohortId, CourseId};
pub use progress::{Completion, ModuleState, completion, module_states};
pub(crate) use validate::check_key;
pub use validate::validate_course;
pub use views::{
    CohortInput, CohortView, CourseCard, CourseOverview, CourseWork, EnrolVia, LessonContentView,
    LessonPage, LessonView, ModuleView, QuizLesson,
};

use crate::ids::QuizId;
use crate::{Annotation, CaseId};
use serde::{Deserialize, Serialize};

/// Everything an author writes about a course; each published version is a frozen copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseContent {
    pub title: String,
    /// Markdown; rendered and sanitised on the server.
    #[serde(default)]
    pub summary: String,
    /// Application catalogue code the course teaches (for the catalogue's filter).
    #[serde(default)]
    pub application: Option<String>,
    /// Learners may enrol themselves.
    #[serde(default)]
    pub self_enrol: bool,
    pub modules: Vec<Module>,
}

/// A module: lessons taken in order, open once every prerequisite module is done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Module {
    /// Short key, unique in the course (`efast`, `m2`); lessons and progress refer to it.
    pub key: String,
    pub title: String,
    /// Keys of modules that must be done first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    pub lessons: Vec<Lesson>,
}

/// A lesson of a module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lesson {
    /// Short key, unique in the course.
    pub key: String,
    pub title: String,
    /// Counts towards completion (optional lessons are extra reading).
    #[serde(default = "yes")]
    pub required: bool,
    pub body: LessonBody,
}

fn yes() -> bool {
    true
}

/// What a lesson holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LessonBody {
    /// Markdown text with images; rendered and sanitised as case teaching points are.
    Reading { markdown: String },
    /// A clip of a published case's study with its annotations and narration.
    Clip {
        sop_uid: String,
        #[serde(default)]
        annotations: Vec<Annotation>,
        /// Markdown shown beside the clip.
        #[serde(default)]
        narration: String,
    },
    /// A published library case; as an unknown case the learner commits a reading first.
    Case {
        case_id: CaseId,
        #[serde(default)]
        unknown: bool,
    },
    /// A quiz; the lesson is done when the quiz is passed.
    Quiz { quiz_id: QuizId },
    /// A guidance replay (recorded sessions arrive with the guidance work); until one is
    /// chosen the lesson shows that it is coming.
    Replay {
        #[serde(default)]
        replay_id: Option<String>,
    },
}

impl LessonBody {
    /// The stored and wire name of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            LessonBody::Reading { .. } => "reading",
            LessonBody::Clip { .. } => "clip",
            LessonBody::Case { .. } => "case",
            LessonBody::Quiz { .. } => "quiz",
            LessonBody::Replay { .. } => "replay",
        }
    }
}

impl CourseContent {
    /// The module and lesson with key `lesson`.
    pub fn lesson(&self, lesson: &str) -> Option<(&Module, &Lesson)> {
        self.modules
            .iter()
            .find_map(|m| m.lessons.iter().find(|l| l.key == lesson).map(|l| (m, l)))
    }

    /// Every quiz the course's lessons use, in course order.
    pub fn quizzes(&self) -> Vec<QuizId> {
        self.modules
            .iter()
            .flat_map(|m| &m.lessons)
            .filter_map(|l| match &l.body {
                LessonBody::Quiz { quiz_id } => Some(quiz_id.clone()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
