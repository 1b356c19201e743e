//! Courses and quizzes: the catalogue, a course's outline, lessons, attempts and their review,
//! and for authors the quizzes' item analysis.
pub mod attempt;
pub mod catalogue;
pub mod course;
pub mod edit;
pub mod lesson;
pub mod questions;
pub mod quiz_edit;
pub mod report;
pub mod review;

use crate::i18n::*;
use crate::model::Role;
use crate::model::courses::Completion;
use leptos_i18n::I18nContext;

/// Who writes courses and quizzes and reads their item analysis.
const AUTHORS: &[Role] = &[Role::Expert, Role::Coordinator];

/// Who uses the teaching areas.
const TEACHING: &[Role] = &[Role::Learner, Role::Expert, Role::Coordinator];

/// "3 of 7 required lessons done".
fn progress_text(i18n: I18nContext<Locale>, p: Completion) -> String {
    t_string!(
        i18n,
        courses.progress,
        done = p.required_done,
        total = p.required
    )
    .to_string()
}

/// A lesson kind's name.
fn kind_label(i18n: I18nContext<Locale>, kind: &str) -> &'static str {
    match kind {
        "reading" => t_string!(i18n, courses.kind_reading),
        "clip" => t_string!(i18n, courses.kind_clip),
        "case" => t_string!(i18n, courses.kind_case),
        "quiz" => t_string!(i18n, courses.kind_quiz),
        _ => t_string!(i18n, courses.kind_replay),
    }
}

/// A grade in percent, as shown.
fn percent(value: f64) -> String {
    format!("{value:.0}%")
}
