//! Courses on the server: working copies and published versions, the catalogue, enrolment
//! (self, by person, by site cohort), lessons served only to whom they are open, progress and
//! completion records.
mod cohorts;
mod learning;

pub use cohorts::{cohorts, create_cohort, join_site_cohorts};
pub(crate) use learning::lesson_done;
pub use learning::{catalogue, enrol_self, lesson, mark_done, overview};

use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use model::courses::{CourseContent, CourseWork, LessonBody, validate_course};
use model::{AppError, AuditAction, CourseId, CurrentUser, InvalidReason};

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| anyhow::Error::from(e).into())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| anyhow::Error::from(e).into())
}

fn not_found() -> crate::Error {
    AppError::NotFound("course".into()).into()
}

/// A course's working copy (what authors edit).
pub async fn working_copy(db: &Db, id: &CourseId) -> Result<CourseContent> {
    let row: Option<(String,)> = sqlx::query_as("SELECT content FROM courses WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(&db.pool)
        .await?;
    json(&row.ok_or_else(not_found)?.0)
}

/// A course's working copy with where its publication stands, for its editor.
pub async fn work(db: &Db, id: &CourseId) -> Result<CourseWork> {
    let row = learning::course_row(db, id).await?;
    Ok(CourseWork {
        content: json(&row.content)?,
        published_version: row.published_version,
        listed: row.published_version.is_some() && row.retired_at.is_none(),
    })
}

/// A published version of a course.
pub(crate) async fn version(db: &Db, id: &CourseId, version: i64) -> Result<CourseContent> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT content FROM course_versions WHERE course_id = $1 AND version = $2")
            .bind(id.as_str())
            .bind(version)
            .fetch_optional(&db.pool)
            .await?;
    json(&row.ok_or_else(not_found)?.0)
}

/// Creates a course from its first working copy. Course authors only (the caller checks).
pub async fn create(db: &Db, actor: &CurrentUser, content: CourseContent) -> Result<CourseId> {
    validate_course(&content)?;
    let id = CourseId(new_id());
    let at = now();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO courses (id, author_id, content, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id.as_str())
    .bind(&actor.id.0)
    .bind(to_json(&content)?)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "title": content.title });
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        AuditAction::CourseSaved,
        Some(id.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a course's working copy; learners keep the published version they follow.
pub async fn save(
    db: &Db,
    actor: &CurrentUser,
    id: &CourseId,
    content: CourseContent,
) -> Result<()> {
    validate_course(&content)?;
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("UPDATE courses SET content = $1, updated_at = $2 WHERE id = $3")
        .bind(to_json(&content)?)
        .bind(now())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(not_found());
    }
    let detail = serde_json::json!({ "title": content.title });
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        AuditAction::CourseSaved,
        Some(id.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks that every case, clip, quiz and replay a course names exists and is published, with
/// the path of the lesson at fault.
async fn check_references(db: &Db, content: &CourseContent) -> Result<()> {
    for (m, module) in content.modules.iter().enumerate() {
        for (l, lesson) in module.lessons.iter().enumerate() {
            let field = format!("modules.{m}.lessons.{l}.body");
            let published = match &lesson.body {
                LessonBody::Case { case_id, .. } => {
                    let hit: Option<(i64,)> = sqlx::query_as(
                        "SELECT 1 FROM cases WHERE id = $1 AND published_version IS NOT NULL \
                         AND status <> 'retired'",
                    )
                    .bind(case_id.as_str())
                    .fetch_optional(&db.pool)
                    .await?;
                    hit.is_some()
                }
                LessonBody::Clip { sop_uid, .. } => {
                    crate::quizzes::bank::published_clip(db, sop_uid)
                        .await?
                        .is_some()
                }
                LessonBody::Quiz { quiz_id } => crate::quizzes::quiz(db, quiz_id).await?.is_some(),
                LessonBody::Replay {
                    replay_id: Some(replay_id),
                } => crate::replays::is_published(db, replay_id).await?,
                // A replay lesson still to be chosen says it is coming.
                LessonBody::Reading { .. } | LessonBody::Replay { replay_id: None } => true,
            };
            if !published {
                return Err(AppError::invalid(&field, InvalidReason::NotPublished).into());
            }
        }
    }
    Ok(())
}

/// Publishes the working copy as the next version: new enrolments follow it, learners already
/// enrolled keep theirs until they finish.
pub async fn publish(db: &Db, actor: &CurrentUser, id: &CourseId) -> Result<i64> {
    let content = working_copy(db, id).await?;
    validate_course(&content)?;
    check_references(db, &content).await?;
    let at = now();
    let mut tx = db.begin_write().await?;
    let (version,): (i64,) = sqlx::query_as("SELECT next_version FROM courses WHERE id = $1")
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO course_versions (course_id, version, content, published_by, published_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.as_str())
    .bind(version)
    .bind(to_json(&content)?)
    .bind(&actor.id.0)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE courses SET next_version = $1, published_version = $2, published_at = $3, \
         title = $4, self_enrol = $5, retired_at = NULL, updated_at = $3 WHERE id = $6",
    )
    .bind(version + 1)
    .bind(version)
    .bind(at)
    .bind(&content.title)
    .bind(i64::from(content.self_enrol))
    .bind(id.as_str())
    .execute(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "version": version });
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        AuditAction::CoursePublished,
        Some(id.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Takes a course out of the catalogue: no new enrolments; enrolled learners keep it.
pub async fn unpublish(db: &Db, id: &CourseId) -> Result<()> {
    let done = sqlx::query("UPDATE courses SET retired_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id.as_str())
        .execute(&db.pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(not_found());
    }
    Ok(())
}
