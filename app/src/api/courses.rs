//! Courses and quizzes: the catalogue, a course's outline, lessons, enrolment and cohorts;
//! attempts (no key ever leaves before a review), the question bank and item analysis.
use crate::model::courses::{
    CohortInput, CohortView, Completion, CourseCard, CourseContent, CourseOverview, CourseWork,
    LessonContentView,
};
use crate::model::quiz::{
    Answer, AttemptView, QuestionInput, QuestionSummary, QuizInput, QuizReport, QuizSummary,
    ReviewView, TeachingClip,
};
use crate::model::{AppError, AttemptId, CourseId, QuestionId, QuizId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {super::guard, crate::model::Permission, domain::courses, domain::quizzes};

/// The courses the signed-in person follows or may join (authors: every course).
#[server(endpoint = "course_catalogue")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn course_catalogue() -> Result<Vec<CourseCard>, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(courses::catalogue(&state.db, &user).await?)
}

/// A course's outline with each module's state for the signed-in person.
#[server(endpoint = "get_course")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn get_course(id: String) -> Result<CourseOverview, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = CourseId::from_path(&id)?;
    Ok(courses::overview(&state.db, &user, &id).await?)
}

/// Enrols the signed-in learner in a course open to self-enrolment.
#[server(endpoint = "enrol_self")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn enrol_self(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::teaching_user().await?;
    let id = CourseId::from_path(&id)?;
    Ok(courses::enrol_self(&state.db, &user, &id).await?)
}

/// One lesson, if its module is open to the signed-in learner.
#[server(endpoint = "course_lesson")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn course_lesson(course: String, lesson: String) -> Result<LessonContentView, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let course = CourseId::from_path(&course)?;
    Ok(courses::lesson(&state.db, &user, &course, &lesson).await?)
}

/// Marks a reading, clip, case or replay lesson done.
#[server(endpoint = "lesson_done")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn lesson_done(course: String, lesson: String) -> Result<Completion, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let course = CourseId::from_path(&course)?;
    Ok(courses::mark_done(&state.db, &user, &course, &lesson).await?)
}

/// A course's working copy and publication state, for its editor. Course authors only.
#[server(endpoint = "course_working_copy")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn course_working_copy(id: String) -> Result<CourseWork, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCourses).await?;
    let id = CourseId::from_path(&id)?;
    Ok(courses::work(&state.db, &id).await?)
}

/// Creates a course (`id` empty) or replaces its working copy. Course authors only.
#[server(endpoint = "save_course", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn save_course(
    id: Option<CourseId>,
    content: CourseContent,
) -> Result<CourseId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCourses).await?;
    match id {
        Some(id) => {
            courses::save(&state.db, &user, &id, content).await?;
            Ok(id)
        }
        None => Ok(courses::create(&state.db, &user, content).await?),
    }
}

/// Publishes a course's working copy as its next version. Course authors only.
#[server(endpoint = "publish_course")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn publish_course(id: String) -> Result<i64, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCourses).await?;
    let id = CourseId::from_path(&id)?;
    Ok(courses::publish(&state.db, &user, &id).await?)
}

/// Takes a course out of the catalogue (enrolled learners keep it). Course authors only.
#[server(endpoint = "unpublish_course")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn unpublish_course(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCourses).await?;
    let id = CourseId::from_path(&id)?;
    Ok(courses::unpublish(&state.db, &id).await?)
}

/// A course's cohorts. Course authors and coordinators.
#[server(endpoint = "course_cohorts")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn course_cohorts(id: String) -> Result<Vec<CohortView>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCourses).await?;
    let id = CourseId::from_path(&id)?;
    Ok(courses::cohorts(&state.db, &id).await?)
}

/// Makes a cohort and enrols its people. Coordinators only.
#[server(endpoint = "create_cohort", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn create_cohort(course: CourseId, cohort: CohortInput) -> Result<String, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageEnrolment).await?;
    Ok(courses::create_cohort(&state.db, &user, &course, cohort)
        .await?
        .0)
}

/// Starts an attempt at a quiz (or returns the open one), from a course lesson if given.
#[server(endpoint = "start_attempt", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn start_attempt(
    quiz: QuizId,
    course: Option<CourseId>,
    lesson: Option<String>,
) -> Result<AttemptId, AppError> {
    let state = guard::state()?;
    let user = guard::teaching_user().await?;
    let from = match (&course, &lesson) {
        (Some(course), Some(lesson)) => {
            // The lesson must be open to the learner and hold this quiz.
            let view = courses::lesson(&state.db, &user, course, lesson).await?;
            match view.page {
                crate::model::courses::LessonPage::Quiz(q) if q.quiz_id == quiz => {}
                _ => {
                    return Err(AppError::invalid(
                        "lesson",
                        crate::model::InvalidReason::Unknown,
                    ));
                }
            }
            Some((course, lesson.as_str()))
        }
        _ => None,
    };
    Ok(quizzes::attempts::start(&state.db, &user, &quiz, from).await?)
}

/// An attempt in progress: the questions without their keys.
#[server(endpoint = "get_attempt")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn get_attempt(id: String) -> Result<AttemptView, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = AttemptId::from_path(&id)?;
    Ok(quizzes::attempts::view(&state.db, &user, &id).await?)
}

/// Saves one answer, in the positions shown; refused after the time limit.
#[server(endpoint = "save_answer", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn save_answer(attempt: AttemptId, slot: u32, answer: Answer) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(quizzes::attempts::answer(&state.db, &user, &attempt, slot, answer).await?)
}

/// Submits an attempt; returns its grade in percent.
#[server(endpoint = "submit_attempt")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn submit_attempt(id: String) -> Result<f64, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = AttemptId::from_path(&id)?;
    Ok(quizzes::attempts::submit(&state.db, &user, &id).await?)
}

/// A finished attempt's review, as its options allow.
#[server(endpoint = "attempt_review")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn attempt_review(id: String) -> Result<ReviewView, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = AttemptId::from_path(&id)?;
    Ok(quizzes::attempts::review(&state.db, &user, &id).await?)
}

/// The question bank. Course authors.
#[server(endpoint = "question_bank")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn question_bank(application: Option<String>) -> Result<Vec<QuestionSummary>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCourses).await?;
    Ok(quizzes::questions(&state.db, application.as_deref()).await?)
}

/// The clips of published cases, for question and lesson editors. Course authors.
#[server(endpoint = "teaching_clips")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn teaching_clips() -> Result<Vec<TeachingClip>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCourses).await?;
    Ok(quizzes::teaching_clips(&state.db).await?)
}

/// A question with its key, for the editor. Question writers only.
#[server(endpoint = "question_for_editor")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn question_for_editor(id: String) -> Result<QuestionInput, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::WriteQuestions).await?;
    let id = QuestionId::from_path(&id)?;
    quizzes::question(&state.db, &id)
        .await?
        .ok_or_else(|| AppError::NotFound("question".into()))
}

/// Saves a question (new when `id` is empty). Experts only.
#[server(endpoint = "save_question", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn save_question(
    id: Option<QuestionId>,
    question: QuestionInput,
) -> Result<QuestionId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::WriteQuestions).await?;
    let blobs = state.importer.blobs();
    Ok(quizzes::save_question(&state.db, blobs, &user, id.as_ref(), question).await?)
}

/// Every quiz. Course authors.
#[server(endpoint = "quiz_list")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn quiz_list() -> Result<Vec<QuizSummary>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCourses).await?;
    Ok(quizzes::quizzes(&state.db).await?)
}

/// A quiz as its author wrote it, for the editor. Course authors.
#[server(endpoint = "quiz_for_editor")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn quiz_for_editor(id: String) -> Result<QuizInput, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCourses).await?;
    let id = QuizId::from_path(&id)?;
    quizzes::quiz(&state.db, &id)
        .await?
        .ok_or_else(|| AppError::NotFound("quiz".into()))
}

/// Saves a quiz (new when `id` is empty). Course authors.
#[server(endpoint = "save_quiz", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn save_quiz(id: Option<QuizId>, quiz: QuizInput) -> Result<QuizId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCourses).await?;
    Ok(quizzes::save_quiz(&state.db, &user, id.as_ref(), quiz).await?)
}

/// The item analysis of a quiz over first attempts or all. Course authors and coordinators.
#[server(endpoint = "get_quiz_report")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn get_quiz_report(id: String, first_only: bool) -> Result<QuizReport, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCourses).await?;
    let id = QuizId::from_path(&id)?;
    Ok(quizzes::report(&state.db, &id, first_only).await?)
}
