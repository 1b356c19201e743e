//! The question bank and quizzes: saving a question (checked against its clip: published,
//! long enough, calibrated when it is measured on, regions inside the frame), listing the
//! bank, and saving a quiz's picks and settings.
use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use model::quiz::{
    QuestionInput, QuestionKind, QuestionSummary, QuizInput, QuizPick, QuizSettings, QuizSummary,
    TeachingClip, kind_name, needs_clip, validate,
};
use model::{AppError, AuditAction, CurrentUser, InvalidReason, QuestionId, QuizId};

#[derive(sqlx::FromRow)]
struct ClipRow {
    blob_sha: String,
    frames: i64,
    width: i64,
    height: i64,
}

/// What the bank knows of a published clip.
pub(crate) struct ClipFacts {
    pub sha: String,
    pub frames: u32,
    pub width: u32,
    pub height: u32,
}

/// The clip with SOP Instance UID `sop_uid` if it belongs to a published case.
pub(crate) async fn published_clip(db: &Db, sop_uid: &str) -> Result<Option<ClipFacts>> {
    let row: Option<ClipRow> = sqlx::query_as(
        "SELECT i.blob_sha, i.frames, i.width, i.height FROM instances i \
         JOIN cases c ON c.study_uid = i.study_uid \
         WHERE i.sop_uid = $1 AND c.published_version IS NOT NULL AND c.status <> 'retired' \
         LIMIT 1",
    )
    .bind(sop_uid)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|r| ClipFacts {
        sha: r.blob_sha,
        frames: r.frames.max(1) as u32,
        width: r.width as u32,
        height: r.height as u32,
    }))
}

#[derive(sqlx::FromRow)]
struct TeachingClipRow {
    case_id: String,
    title: String,
    application: Option<String>,
    sop_uid: String,
    blob_sha: String,
    frames: i64,
    width: i64,
    height: i64,
}

/// Every clip of every published case (newest case first, then the study's order): what
/// questions and clip lessons may be built on.
pub async fn teaching_clips(db: &Db) -> Result<Vec<TeachingClip>> {
    let rows: Vec<TeachingClipRow> = sqlx::query_as(
        "SELECT c.id AS case_id, c.title, c.application, i.sop_uid, i.blob_sha, i.frames, \
         i.width, i.height FROM cases c JOIN instances i ON i.study_uid = c.study_uid \
         WHERE c.published_version IS NOT NULL AND c.status <> 'retired' \
         ORDER BY c.published_at DESC, c.id, i.number, i.sop_uid",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TeachingClip {
            case_id: model::CaseId(r.case_id),
            case_title: r.title,
            application: r.application,
            sop_uid: r.sop_uid,
            url: format!("/dicom/{}", r.blob_sha),
            frames: r.frames.max(1) as u32,
            width: r.width as u32,
            height: r.height as u32,
        })
        .collect())
}

fn refuse(field: &str, reason: InvalidReason) -> Error {
    AppError::invalid(field, reason).into()
}

use crate::Error;

/// Checks a question's clip: one is given when the kind needs it, it is published, the
/// question's frames and regions fit it, and a measured clip is calibrated.
async fn check_clip(db: &Db, blobs: &crate::blobs::Blobs, input: &QuestionInput) -> Result<()> {
    let Some(sop) = input.clip.as_deref() else {
        return if needs_clip(&input.kind) {
            Err(refuse("clip", InvalidReason::Required))
        } else {
            Ok(())
        };
    };
    let clip = published_clip(db, sop)
        .await?
        .ok_or_else(|| refuse("clip", InvalidReason::NotPublished))?;
    match &input.kind {
        QuestionKind::Hotspot { frames, targets } => {
            if *frames != clip.frames {
                return Err(refuse("kind.frames", InvalidReason::Wrong));
            }
            for (t, target) in targets.iter().enumerate() {
                if !target.shape.fits(clip.width, clip.height) {
                    return Err(refuse(
                        &format!("kind.targets.{t}.shape"),
                        InvalidReason::BadFormat,
                    ));
                }
            }
        }
        QuestionKind::FrameSelection { target, .. } => {
            let last = match target {
                model::quiz::FrameTarget::Frame(f) => *f,
                model::quiz::FrameTarget::Range { end, .. } => *end,
            };
            if last >= clip.frames {
                return Err(refuse("kind.target", InvalidReason::Unknown));
            }
        }
        QuestionKind::Measurement { .. } => {
            let bytes = blobs
                .bytes(&clip.sha)
                .await?
                .ok_or_else(|| refuse("clip", InvalidReason::NotPublished))?;
            let calibrated = tokio::task::spawn_blocking(move || {
                cine::Clip::parse(&bytes)
                    .map(|c| c.info().regions.iter().any(|r| r.mm_per_pixel().is_some()))
                    .unwrap_or(false)
            })
            .await?;
            if !calibrated {
                return Err(refuse("clip", InvalidReason::NotCalibrated));
            }
        }
        _ => {}
    }
    Ok(())
}

async fn check_application(db: &Db, code: &str) -> Result<()> {
    let known: Option<(String,)> = sqlx::query_as("SELECT code FROM applications WHERE code = $1")
        .bind(code)
        .fetch_optional(&db.pool)
        .await?;
    known
        .map(|_| ())
        .ok_or_else(|| refuse("application", InvalidReason::Unknown))
}

/// Checks and saves a question (a new one when `id` is `None`). Experts only, checked by the
/// caller; an expert edits only their own questions.
pub async fn save_question(
    db: &Db,
    blobs: &crate::blobs::Blobs,
    actor: &CurrentUser,
    id: Option<&QuestionId>,
    input: QuestionInput,
) -> Result<QuestionId> {
    if input.stem.trim().is_empty() {
        return Err(refuse("stem", InvalidReason::Required));
    }
    if input.stem.len() > 4000 {
        return Err(refuse("stem", InvalidReason::TooLong));
    }
    if input.explanation.len() > 20_000 {
        return Err(refuse("explanation", InvalidReason::TooLong));
    }
    if input.topic.len() > 64 {
        return Err(refuse("topic", InvalidReason::TooLong));
    }
    check_application(db, &input.application).await?;
    validate(&input.kind).map_err(|e| {
        let e: AppError = e.into();
        match e {
            AppError::Invalid { field, reason } => AppError::Invalid {
                field: format!("kind.{field}"),
                reason,
            },
            other => other,
        }
    })?;
    check_clip(db, blobs, &input).await?;
    let body = serde_json::to_string(&input).map_err(anyhow::Error::from)?;
    let at = now();
    let mut tx = db.begin_write().await?;
    let id = match id {
        Some(id) => {
            let owner: Option<(String,)> =
                sqlx::query_as("SELECT author_id FROM questions WHERE id = $1")
                    .bind(id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            match owner {
                None => return Err(AppError::NotFound("question".into()).into()),
                Some((author,)) if author != actor.id.0 => return Err(AppError::Forbidden.into()),
                Some(_) => {}
            }
            sqlx::query(
                "UPDATE questions SET application = $1, topic = $2, kind = $3, body = $4, \
                 updated_at = $5 WHERE id = $6",
            )
            .bind(&input.application)
            .bind(&input.topic)
            .bind(kind_name(&input.kind))
            .bind(&body)
            .bind(at)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
            id.clone()
        }
        None => {
            let id = QuestionId(new_id());
            sqlx::query(
                "INSERT INTO questions (id, author_id, application, topic, kind, body, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(id.as_str())
            .bind(&actor.id.0)
            .bind(&input.application)
            .bind(&input.topic)
            .bind(kind_name(&input.kind))
            .bind(&body)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    let detail =
        serde_json::json!({ "kind": kind_name(&input.kind), "application": input.application });
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        AuditAction::QuestionSaved,
        Some(id.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A question with its key, for its author's editor and for the attempt that copies it.
pub async fn question(db: &Db, id: &QuestionId) -> Result<Option<QuestionInput>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT body FROM questions WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(&db.pool)
        .await?;
    row.map(|(body,)| serde_json::from_str(&body).map_err(|e| anyhow::Error::from(e).into()))
        .transpose()
}

#[derive(sqlx::FromRow)]
struct QuestionListRow {
    id: String,
    application: String,
    topic: String,
    kind: String,
    body: String,
    author: String,
    used_in: i64,
}

/// The bank, optionally filtered by application, newest first.
pub async fn questions(db: &Db, application: Option<&str>) -> Result<Vec<QuestionSummary>> {
    let rows: Vec<QuestionListRow> = sqlx::query_as(
        "SELECT q.id, q.application, q.topic, q.kind, q.body, u.display_name AS author, \
         (SELECT COUNT(DISTINCT s.attempt_id) FROM attempt_slots s WHERE s.question_id = q.id) \
         AS used_in FROM questions q JOIN users u ON u.id = q.author_id \
         WHERE q.retired_at IS NULL AND ($1 = '' OR q.application = $1) \
         ORDER BY q.created_at DESC",
    )
    .bind(application.unwrap_or(""))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let stem = serde_json::from_str::<QuestionInput>(&r.body)
                .map(|q| q.stem)
                .unwrap_or_default();
            QuestionSummary {
                id: QuestionId(r.id),
                application: r.application,
                topic: r.topic,
                stem,
                kind: r.kind,
                author: r.author,
                used_in: r.used_in as usize,
            }
        })
        .collect())
}

/// A quiz's title, picks and settings.
pub(crate) struct QuizRow {
    pub title: String,
    pub author_id: String,
    pub picks: Vec<QuizPick>,
    pub settings: QuizSettings,
}

/// A quiz as stored, its picks and settings as JSON text.
#[derive(sqlx::FromRow)]
struct StoredQuiz {
    title: String,
    author_id: String,
    picks: String,
    settings: String,
}

pub(crate) async fn quiz_row(db: &Db, id: &QuizId) -> Result<Option<QuizRow>> {
    let row: Option<StoredQuiz> =
        sqlx::query_as("SELECT title, author_id, picks, settings FROM quizzes WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&db.pool)
            .await?;
    row.map(|r| {
        Ok(QuizRow {
            title: r.title,
            author_id: r.author_id,
            picks: serde_json::from_str(&r.picks).map_err(anyhow::Error::from)?,
            settings: serde_json::from_str(&r.settings).map_err(anyhow::Error::from)?,
        })
    })
    .transpose()
}

/// The quiz as its author wrote it.
pub async fn quiz(db: &Db, id: &QuizId) -> Result<Option<QuizInput>> {
    Ok(quiz_row(db, id).await?.map(|q| QuizInput {
        title: q.title,
        picks: q.picks,
        settings: q.settings,
    }))
}

/// Checks and saves a quiz (a new one when `id` is `None`): every fixed question exists and
/// every random pick has at least one question to draw from.
pub async fn save_quiz(
    db: &Db,
    actor: &CurrentUser,
    id: Option<&QuizId>,
    input: QuizInput,
) -> Result<QuizId> {
    input.validate()?;
    for (p, pick) in input.picks.iter().enumerate() {
        let found = match pick {
            QuizPick::Fixed { question: q } => question(db, q).await?.is_some(),
            QuizPick::Random { application, topic } => {
                !super::attempts::candidates(db, application, topic.as_deref())
                    .await?
                    .is_empty()
            }
        };
        if !found {
            return Err(refuse(&format!("picks.{p}"), InvalidReason::Unknown));
        }
    }
    let picks = serde_json::to_string(&input.picks).map_err(anyhow::Error::from)?;
    let settings = serde_json::to_string(&input.settings).map_err(anyhow::Error::from)?;
    let at = now();
    let mut tx = db.begin_write().await?;
    let id = match id {
        Some(id) => {
            let done = sqlx::query(
                "UPDATE quizzes SET title = $1, picks = $2, settings = $3, updated_at = $4 \
                 WHERE id = $5",
            )
            .bind(&input.title)
            .bind(&picks)
            .bind(&settings)
            .bind(at)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(AppError::NotFound("quiz".into()).into());
            }
            id.clone()
        }
        None => {
            let id = QuizId(new_id());
            sqlx::query(
                "INSERT INTO quizzes (id, author_id, title, picks, settings, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(id.as_str())
            .bind(&actor.id.0)
            .bind(&input.title)
            .bind(&picks)
            .bind(&settings)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        AuditAction::QuizSaved,
        Some(id.as_str()),
        serde_json::json!({ "title": input.title }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct QuizListRow {
    id: String,
    title: String,
    picks: String,
    finished: i64,
}

/// Every quiz, with its finished attempts.
pub async fn quizzes(db: &Db) -> Result<Vec<QuizSummary>> {
    let rows: Vec<QuizListRow> = sqlx::query_as(
        "SELECT q.id, q.title, q.picks, \
         (SELECT COUNT(*) FROM quiz_attempts a WHERE a.quiz_id = q.id AND a.finished_at IS NOT NULL) \
         AS finished FROM quizzes q ORDER BY q.created_at DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| QuizSummary {
            id: QuizId(r.id),
            title: r.title,
            questions: serde_json::from_str::<Vec<QuizPick>>(&r.picks)
                .map(|p| p.len())
                .unwrap_or(0),
            finished_attempts: r.finished as usize,
        })
        .collect())
}
