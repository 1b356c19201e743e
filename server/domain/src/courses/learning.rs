//! A learner in a course: the catalogue, enrolment, the outline with each module's state,
//! lessons (served only when their module is open), lessons done, and the completion record.
use super::{json, not_found, version};
use crate::audit::{self, Actor};
use crate::{Db, Result, now};
use model::courses::{
    Completion, CourseCard, CourseContent, CourseOverview, EnrolVia, LessonBody, LessonContentView,
    LessonPage, LessonView, ModuleState, ModuleView, completion, module_states,
};
use model::{AppError, AuditAction, CourseId, CurrentUser, InvalidReason, Permission, QuizId};
use std::collections::HashSet;

#[derive(sqlx::FromRow)]
struct Enrolment {
    version: i64,
    last_lesson: Option<String>,
    completed_at: Option<i64>,
    score: Option<f64>,
    due_date: Option<String>,
}

async fn enrolment(db: &Db, user_id: &str, course: &CourseId) -> Result<Option<Enrolment>> {
    Ok(sqlx::query_as(
        "SELECT e.version, e.last_lesson, e.completed_at, e.score, c.due_date \
         FROM enrolments e LEFT JOIN cohorts c ON c.id = e.cohort_id \
         WHERE e.course_id = $1 AND e.user_id = $2",
    )
    .bind(course.as_str())
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?)
}

async fn done_lessons(db: &Db, user_id: &str, course: &CourseId) -> Result<HashSet<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT lesson_key FROM lesson_progress WHERE course_id = $1 AND user_id = $2",
    )
    .bind(course.as_str())
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

#[derive(sqlx::FromRow)]
pub(super) struct CourseRow {
    pub(super) content: String,
    pub(super) published_version: Option<i64>,
    pub(super) retired_at: Option<i64>,
    self_enrol: i64,
}

pub(super) async fn course_row(db: &Db, id: &CourseId) -> Result<CourseRow> {
    let row: Option<CourseRow> = sqlx::query_as(
        "SELECT content, published_version, retired_at, self_enrol FROM courses WHERE id = $1",
    )
    .bind(id.as_str())
    .fetch_optional(&db.pool)
    .await?;
    row.ok_or_else(not_found)
}

/// Enrols `user_id` on the course's current published version (no change when already
/// enrolled). Returns whether a new enrolment was made.
pub(crate) async fn enrol(
    db: &Db,
    actor: &Actor,
    user_id: &str,
    course: &CourseId,
    via: EnrolVia,
    cohort: Option<&str>,
) -> Result<bool> {
    let row = course_row(db, course).await?;
    let Some(published) = row.published_version else {
        return Err(AppError::invalid("course", InvalidReason::NotPublished).into());
    };
    let mut tx = db.begin_write().await?;
    let made = sqlx::query(
        "INSERT INTO enrolments (course_id, user_id, cohort_id, via, version, enrolled_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (course_id, user_id) DO NOTHING",
    )
    .bind(course.as_str())
    .bind(user_id)
    .bind(cohort)
    .bind(via.as_str())
    .bind(published)
    .bind(now())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if made {
        let detail = serde_json::json!({ "user": user_id, "via": via.as_str() });
        audit::record_in(
            &mut tx,
            actor,
            AuditAction::Enrolled,
            Some(course.as_str()),
            detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(made)
}

/// A learner enrols themselves in a published course that allows it.
pub async fn enrol_self(db: &Db, user: &CurrentUser, course: &CourseId) -> Result<()> {
    let row = course_row(db, course).await?;
    if row.published_version.is_none() || row.retired_at.is_some() {
        return Err(not_found());
    }
    if row.self_enrol == 0 {
        return Err(AppError::Forbidden.into());
    }
    enrol(
        db,
        &Actor::web(&user.id),
        &user.id.0,
        course,
        EnrolVia::SelfEnrol,
        None,
    )
    .await?;
    Ok(())
}

fn count_lessons(content: &CourseContent) -> usize {
    content.modules.iter().map(|m| m.lessons.len()).sum()
}

#[derive(sqlx::FromRow)]
struct CatalogueRow {
    id: String,
    content: String,
    published_version: Option<i64>,
    retired_at: Option<i64>,
    self_enrol: i64,
    enrolled: Option<i64>,
}

/// The catalogue as `user` sees it: their courses first, then published courses open to
/// self-enrolment; course authors also see drafts and every published course.
pub async fn catalogue(db: &Db, user: &CurrentUser) -> Result<Vec<CourseCard>> {
    let rows: Vec<CatalogueRow> = sqlx::query_as(
        "SELECT c.id, c.content, c.published_version, c.retired_at, c.self_enrol, \
         (SELECT e.version FROM enrolments e WHERE e.course_id = c.id AND e.user_id = $1) \
         AS enrolled \
         FROM courses c ORDER BY c.created_at",
    )
    .bind(&user.id.0)
    .fetch_all(&db.pool)
    .await?;
    let author = user.may(Permission::AuthorCourses);
    let mut cards = Vec::new();
    for row in rows {
        let CatalogueRow {
            id,
            content: working,
            published_version: published,
            retired_at: retired,
            self_enrol,
            enrolled,
        } = row;
        let id = CourseId(id);
        let listed = enrolled.is_some()
            || author
            || (published.is_some() && retired.is_none() && self_enrol != 0);
        if !listed {
            continue;
        }
        let shown_version = enrolled.or(published);
        let content = match shown_version {
            Some(v) => version(db, &id, v).await?,
            None => json::<CourseContent>(&working)?,
        };
        let (progress, due, completed_at) = match enrolment(db, &user.id.0, &id).await? {
            Some(e) => {
                let done = done_lessons(db, &user.id.0, &id).await?;
                (
                    Some(completion(&content, &done)),
                    e.due_date,
                    e.completed_at,
                )
            }
            None => (None, None, None),
        };
        cards.push(CourseCard {
            id,
            title: content.title.clone(),
            application: content.application.clone(),
            published: published.is_some() && retired.is_none(),
            self_enrol: self_enrol != 0,
            modules: content.modules.len(),
            lessons: count_lessons(&content),
            progress,
            due,
            completed_at,
        });
    }
    // Enrolled courses first, unfinished before finished.
    cards.sort_by_key(|c| (c.progress.is_none(), c.completed_at.is_some()));
    Ok(cards)
}

/// The content `user` follows: their enrolled version, else the current published version,
/// else (authors only) the working copy.
async fn followed(
    db: &Db,
    user: &CurrentUser,
    course: &CourseId,
) -> Result<(CourseContent, Option<i64>, Option<Enrolment>, bool)> {
    let row = course_row(db, course).await?;
    let manages = user.may(Permission::AuthorCourses);
    let mine = enrolment(db, &user.id.0, course).await?;
    let visible =
        mine.is_some() || manages || (row.published_version.is_some() && row.retired_at.is_none());
    if !visible {
        return Err(not_found());
    }
    let shown = mine.as_ref().map(|e| e.version).or(row.published_version);
    let content = match shown {
        Some(v) => version(db, course, v).await?,
        None => json(&row.content)?,
    };
    let newer = matches!((&mine, row.published_version), (Some(e), Some(p)) if p > e.version);
    Ok((content, shown, mine, newer))
}

/// A course's outline with each module's state for `user`.
pub async fn overview(db: &Db, user: &CurrentUser, course: &CourseId) -> Result<CourseOverview> {
    let row = course_row(db, course).await?;
    let (content, shown, mine, newer) = followed(db, user, course).await?;
    let done = done_lessons(db, &user.id.0, course).await?;
    let states = module_states(&content, &done);
    let modules: Vec<ModuleView> = content
        .modules
        .iter()
        .zip(&states)
        .map(|(m, state)| ModuleView {
            key: m.key.clone(),
            title: m.title.clone(),
            state: *state,
            prerequisites: m
                .prerequisites
                .iter()
                .filter_map(|p| content.modules.iter().find(|o| &o.key == p))
                .map(|o| o.title.clone())
                .collect(),
            lessons: m
                .lessons
                .iter()
                .map(|l| LessonView {
                    key: l.key.clone(),
                    title: l.title.clone(),
                    kind: l.body.kind().to_string(),
                    required: l.required,
                    done: done.contains(&l.key),
                })
                .collect(),
        })
        .collect();
    let resume = mine.as_ref().and_then(|e| {
        let open =
            |key: &str| {
                content.modules.iter().zip(&states).any(|(m, s)| {
                    *s != ModuleState::Locked && m.lessons.iter().any(|l| l.key == key)
                })
            };
        content
            .modules
            .iter()
            .zip(&states)
            .filter(|(_, s)| **s == ModuleState::Open)
            .flat_map(|(m, _)| &m.lessons)
            .find(|l| l.required && !done.contains(&l.key))
            .map(|l| l.key.clone())
            .or_else(|| e.last_lesson.clone().filter(|k| open(k)))
    });
    Ok(CourseOverview {
        id: course.clone(),
        title: content.title.clone(),
        summary_html: crate::cases::render_markdown(&content.summary),
        version: shown,
        progress: completion(&content, &done),
        enrolled: mine.is_some(),
        may_self_enrol: mine.is_none()
            && row.self_enrol != 0
            && row.published_version.is_some()
            && row.retired_at.is_none(),
        resume,
        due: mine.as_ref().and_then(|e| e.due_date.clone()),
        completed: mine
            .as_ref()
            .and_then(|e| e.completed_at.map(|at| (at, e.score))),
        may_manage: user.may(Permission::AuthorCourses),
        newer_version: newer,
        modules,
    })
}

/// One lesson for `user`: enrolled learners only (course authors preview any), and only when
/// its module is open. Opening it records it as where the learner left off.
pub async fn lesson(
    db: &Db,
    user: &CurrentUser,
    course: &CourseId,
    key: &str,
) -> Result<LessonContentView> {
    let (content, _, mine, _) = followed(db, user, course).await?;
    let manages = user.may(Permission::AuthorCourses);
    if mine.is_none() && !manages {
        return Err(AppError::Forbidden.into());
    }
    let (module, lesson) = content
        .lesson(key)
        .ok_or_else(|| AppError::NotFound("lesson".into()))?;
    let done = done_lessons(db, &user.id.0, course).await?;
    let at = content
        .modules
        .iter()
        .position(|m| m.key == module.key)
        .unwrap_or(0);
    if !manages && module_states(&content, &done)[at] == ModuleState::Locked {
        return Err(AppError::invalid("lesson", InvalidReason::Locked).into());
    }
    if mine.is_some() {
        sqlx::query("UPDATE enrolments SET last_lesson = $1 WHERE course_id = $2 AND user_id = $3")
            .bind(key)
            .bind(course.as_str())
            .bind(&user.id.0)
            .execute(&db.pool)
            .await?;
    }
    let page = match &lesson.body {
        LessonBody::Reading { markdown } => LessonPage::Reading {
            html: crate::cases::render_markdown(markdown),
        },
        LessonBody::Clip {
            sop_uid,
            annotations,
            narration,
        } => {
            let clip = crate::quizzes::bank::published_clip(db, sop_uid)
                .await?
                .ok_or_else(|| AppError::invalid("lesson", InvalidReason::NotPublished))?;
            LessonPage::Clip {
                sha: clip.sha,
                annotations: annotations.clone(),
                narration_html: crate::cases::render_markdown(narration),
            }
        }
        LessonBody::Case { case_id, unknown } => {
            let title: Option<(String,)> = sqlx::query_as(
                "SELECT title FROM cases WHERE id = $1 AND published_version IS NOT NULL",
            )
            .bind(case_id.as_str())
            .fetch_optional(&db.pool)
            .await?;
            LessonPage::Case {
                case_id: case_id.0.clone(),
                // An unknown case keeps its diagnosis out of the lesson's title.
                title: if *unknown {
                    String::new()
                } else {
                    title.map(|t| t.0).unwrap_or_default()
                },
                unknown: *unknown,
            }
        }
        LessonBody::Quiz { quiz_id } => {
            LessonPage::Quiz(crate::quizzes::attempts::lesson(db, user, quiz_id).await?)
        }
        LessonBody::Replay { replay_id } => LessonPage::Replay {
            replay_id: replay_id.clone(),
        },
    };
    let order: Vec<&str> = content
        .modules
        .iter()
        .flat_map(|m| &m.lessons)
        .map(|l| l.key.as_str())
        .collect();
    let here = order.iter().position(|k| *k == key).unwrap_or(0);
    Ok(LessonContentView {
        course_id: course.clone(),
        course_title: content.title.clone(),
        module_title: module.title.clone(),
        key: key.to_string(),
        title: lesson.title.clone(),
        required: lesson.required,
        done: done.contains(key),
        page,
        previous: here.checked_sub(1).map(|i| order[i].to_string()),
        next: order.get(here + 1).map(|k| k.to_string()),
    })
}

/// The learner marks a lesson done (reading, clip, case, replay). A quiz lesson is done only
/// by passing its quiz.
pub async fn mark_done(
    db: &Db,
    user: &CurrentUser,
    course: &CourseId,
    key: &str,
) -> Result<Completion> {
    let (content, _, mine, _) = followed(db, user, course).await?;
    if mine.is_none() {
        return Err(AppError::Forbidden.into());
    }
    let (module, lesson) = content
        .lesson(key)
        .ok_or_else(|| AppError::NotFound("lesson".into()))?;
    if matches!(lesson.body, LessonBody::Quiz { .. }) {
        return Err(AppError::invalid("lesson", InvalidReason::WrongState).into());
    }
    let done = done_lessons(db, &user.id.0, course).await?;
    let at = content
        .modules
        .iter()
        .position(|m| m.key == module.key)
        .unwrap_or(0);
    if module_states(&content, &done)[at] == ModuleState::Locked {
        return Err(AppError::invalid("lesson", InvalidReason::Locked).into());
    }
    lesson_done(db, &user.id.0, course, key).await
}

/// Records a lesson done and, when that completes the course, the completion record (its
/// score the mean of the course's quiz grades).
pub(crate) async fn lesson_done(
    db: &Db,
    user_id: &str,
    course: &CourseId,
    key: &str,
) -> Result<Completion> {
    sqlx::query(
        "INSERT INTO lesson_progress (course_id, user_id, lesson_key, done_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (course_id, user_id, lesson_key) DO NOTHING",
    )
    .bind(course.as_str())
    .bind(user_id)
    .bind(key)
    .bind(now())
    .execute(&db.pool)
    .await?;
    let Some(mine) = enrolment(db, user_id, course).await? else {
        return Err(AppError::Forbidden.into());
    };
    let content = version(db, course, mine.version).await?;
    let done = done_lessons(db, user_id, course).await?;
    let state = completion(&content, &done);
    if state.complete && mine.completed_at.is_none() {
        let score = course_score(db, user_id, &content.quizzes()).await?;
        sqlx::query(
            "UPDATE enrolments SET completed_at = $1, score = $2 \
             WHERE course_id = $3 AND user_id = $4 AND completed_at IS NULL",
        )
        .bind(now())
        .bind(crate::sql::Float(score))
        .bind(course.as_str())
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    }
    Ok(state)
}

/// The mean of the learner's grades on the course's quizzes, in percent.
async fn course_score(db: &Db, user_id: &str, quizzes: &[QuizId]) -> Result<Option<f64>> {
    let mut grades = Vec::new();
    for quiz in quizzes {
        if let Some(row) = crate::quizzes::bank::quiz_row(db, quiz).await?
            && let Some(g) =
                crate::quizzes::attempts::overall_grade(db, user_id, quiz, &row).await?
        {
            grades.push(g);
        }
    }
    Ok((!grades.is_empty()).then(|| grades.iter().sum::<f64>() / grades.len() as f64))
}
