//! Cases as experts curate them: creation from a study, the working copy, the workflow
//! (draft → in review → published → retired) and the frozen published versions.
mod library;
mod outcomes;
mod talk;

pub use library::{
    blob_is_published, diff, is_visible, markdown_text, puzzle, record_attempt,
    render_inline_markdown, render_markdown, search, version, versions, view, workbench,
};
pub use outcomes::{add_follow_up, awaiting_follow_up, follow_ups, outcome_tables};
pub use talk::{
    add_comment, comments, mark_answer, mark_read, notifications, notify, unread_count,
};

use super::audit::{self, Actor};
use super::{Db, Result, new_id, now};
use model::cases::{
    CaseClip, CaseContent, CaseId, CaseStatus, CaseWork, ReviewAction, ReviewEvent, Transition,
};
use model::scores::{worst_grade, worst_tirads};
use model::{
    AgeBand, AppError, Application, AuditAction, CurrentUser, Difficulty, InvalidReason, Sex,
    UserId,
};
use sqlx::AnyConnection;

/// An `applications` row.
#[derive(sqlx::FromRow)]
struct ApplicationRow {
    code: String,
    name_zh: String,
    name_en: String,
    emergency: i64,
}

impl From<ApplicationRow> for Application {
    fn from(r: ApplicationRow) -> Application {
        Application {
            code: r.code,
            name_zh: r.name_zh,
            name_en: r.name_en,
            emergency: r.emergency != 0,
        }
    }
}

/// The application catalogue in its order.
pub async fn applications(db: &Db) -> Result<Vec<Application>> {
    let rows: Vec<ApplicationRow> = sqlx::query_as(
        "SELECT code, name_zh, name_en, emergency FROM applications ORDER BY position, code",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(Application::from).collect())
}

/// One catalogue entry.
pub async fn application(db: &Db, code: &str) -> Result<Option<Application>> {
    Ok(applications(db).await?.into_iter().find(|a| a.code == code))
}

/// Starts a draft from an anonymised study: every image of the study becomes a clip.
pub async fn create(
    db: &Db,
    author: &CurrentUser,
    study_uid: &str,
    title: &str,
    application: &str,
) -> Result<CaseId> {
    let title = title.trim();
    if title.is_empty() {
        return Err(AppError::invalid("title", InvalidReason::Required).into());
    }
    if title.chars().count() > model::cases::limits::TITLE {
        return Err(AppError::invalid("title", InvalidReason::TooLong).into());
    }
    if self::application(db, application).await?.is_none() {
        return Err(AppError::invalid("application", InvalidReason::Unknown).into());
    }
    let study_uid = model::Uid::parse(study_uid).map_err(|_| AppError::NotFound("study".into()))?;
    let study_uid = study_uid.as_str();
    let sops: Vec<(String,)> = sqlx::query_as(
        "SELECT i.sop_uid FROM instances i JOIN series se ON se.uid = i.series_uid \
         WHERE i.study_uid = $1 ORDER BY se.number, i.series_uid, i.number, i.sop_uid",
    )
    .bind(study_uid)
    .fetch_all(&db.pool)
    .await?;
    if sops.is_empty() {
        return Err(AppError::NotFound("study".into()).into());
    }
    let content = CaseContent {
        title: title.to_string(),
        application: application.to_string(),
        age_band: AgeBand::A40,
        sex: Sex::Unknown,
        origin_site: author.site.id.clone(),
        history: String::new(),
        findings: String::new(),
        impression: String::new(),
        impression_call: None,
        diagnosis: String::new(),
        differential: String::new(),
        teaching_points: String::new(),
        difficulty: Difficulty::Intermediate,
        tags: Vec::new(),
        scores: Vec::new(),
        clips: sops
            .into_iter()
            .map(|(sop_uid,)| CaseClip {
                sop_uid,
                caption: String::new(),
                key_frames: Vec::new(),
                annotations: Vec::new(),
            })
            .collect(),
        choices: Vec::new(),
        answer: None,
    };
    let id = new_id();
    let at = now();
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO cases (id, study_uid, author_id, status, content, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $5)",
    )
    .bind(&id)
    .bind(study_uid)
    .bind(&author.id.0)
    .bind(to_json(&content)?)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, &id, &author.id, ReviewAction::Created, "", None).await?;
    let detail = serde_json::json!({ "study": study_uid });
    let actor = Actor::web(&author.id);
    audit::record_in(&mut tx, &actor, AuditAction::CaseCreated, Some(&id), detail).await?;
    tx.commit().await?;
    Ok(CaseId(id))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

pub(crate) fn content_from(json: &str) -> Result<CaseContent> {
    Ok(serde_json::from_str(json)?)
}

/// Records a curation step.
async fn event(
    conn: &mut AnyConnection,
    case: &str,
    actor: &UserId,
    action: ReviewAction,
    body: &str,
    version: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_events (id, case_id, actor_id, action, body, version, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(case)
    .bind(&actor.0)
    .bind(action.as_str())
    .bind(body)
    .bind(version)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

/// The stored case row: status, author, content and version counters.
pub(crate) struct CaseRow {
    pub id: String,
    pub study_uid: String,
    pub author_id: String,
    pub author_name: String,
    pub status: CaseStatus,
    pub content: String,
    pub next_version: i64,
    pub published_version: Option<i64>,
    pub updated_at: i64,
}

/// A `cases` row with its author's name, as stored (the status as text).
#[derive(sqlx::FromRow)]
struct StoredCase {
    id: String,
    study_uid: String,
    author_id: String,
    author_name: String,
    status: String,
    content: String,
    next_version: i64,
    published_version: Option<i64>,
    updated_at: i64,
}

impl From<StoredCase> for CaseRow {
    fn from(r: StoredCase) -> CaseRow {
        CaseRow {
            id: r.id,
            study_uid: r.study_uid,
            author_id: r.author_id,
            author_name: r.author_name,
            status: CaseStatus::parse(&r.status).unwrap_or(CaseStatus::Draft),
            content: r.content,
            next_version: r.next_version,
            published_version: r.published_version,
            updated_at: r.updated_at,
        }
    }
}

pub(crate) async fn row(db: &Db, id: &str) -> Result<Option<CaseRow>> {
    let row: Option<StoredCase> = sqlx::query_as(
        "SELECT c.id, c.study_uid, c.author_id, u.display_name AS author_name, c.status, \
         c.content, c.next_version, c.published_version, c.updated_at \
         FROM cases c JOIN users u ON u.id = c.author_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(CaseRow::from))
}

/// A curation step with the actor's name.
#[derive(sqlx::FromRow)]
struct EventRow {
    action: String,
    actor_name: String,
    body: String,
    version: Option<i64>,
    at: i64,
}

impl EventRow {
    /// The step as experts see it; `None` for an action this version does not know.
    fn into_event(self) -> Option<ReviewEvent> {
        Some(ReviewEvent {
            action: ReviewAction::parse(&self.action)?,
            actor_name: self.actor_name,
            body: self.body,
            version: self.version.map(|v| v as u32),
            at: self.at,
        })
    }
}

/// The whole case with its curation history, for experts.
pub async fn work(db: &Db, id: &str) -> Result<Option<CaseWork>> {
    let Some(row) = row(db, id).await? else {
        return Ok(None);
    };
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT e.action, u.display_name AS actor_name, e.body, e.version, e.at \
         FROM case_events e JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1 \
         ORDER BY e.at, e.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(Some(CaseWork {
        id: CaseId(row.id),
        study_uid: row.study_uid,
        status: row.status,
        author_id: UserId(row.author_id),
        author_name: row.author_name,
        content: content_from(&row.content)?,
        next_version: row.next_version as u32,
        published_version: row.published_version.map(|v| v as u32),
        history: events
            .into_iter()
            .filter_map(EventRow::into_event)
            .collect(),
        updated_at: row.updated_at,
    }))
}

/// Saves the author's working copy; only drafts can be edited, only by their author.
pub async fn save(
    db: &Db,
    actor: &CurrentUser,
    id: &str,
    content: CaseContent,
    expected_updated_at: Option<i64>,
) -> Result<i64> {
    let row = row(db, id)
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    if row.author_id != actor.id.0 {
        return Err(AppError::Forbidden.into());
    }
    if row.status != CaseStatus::Draft {
        return Err(AppError::invalid("status", InvalidReason::WrongState).into());
    }
    if expected_updated_at.is_some_and(|t| t != row.updated_at) {
        // Someone (the author in another tab) saved in between: do not overwrite it.
        return Err(AppError::invalid("updated_at", InvalidReason::WrongState).into());
    }
    let content = content
        .normalise()
        .map_err(|(field, reason)| AppError::Invalid { field, reason })?;
    if application(db, &content.application).await?.is_none() {
        return Err(AppError::invalid("application", InvalidReason::Unknown).into());
    }
    let site: Option<(String,)> = sqlx::query_as("SELECT id FROM sites WHERE id = $1")
        .bind(&content.origin_site.0)
        .fetch_optional(&db.pool)
        .await?;
    if site.is_none() {
        return Err(AppError::invalid("origin_site", InvalidReason::Unknown).into());
    }
    let sops: Vec<(String, i64)> =
        sqlx::query_as("SELECT sop_uid, frames FROM instances WHERE study_uid = $1")
            .bind(&row.study_uid)
            .fetch_all(&db.pool)
            .await?;
    for clip in &content.clips {
        let frames = sops
            .iter()
            .find(|(s, _)| s == &clip.sop_uid)
            .map(|(_, n)| (*n).max(1) as u32)
            .ok_or(AppError::invalid("clips", InvalidReason::Unknown))?;
        // Key frames and marks must fall on frames the clip has.
        let outside = clip.key_frames.iter().any(|f| *f >= frames)
            || clip
                .annotations
                .iter()
                .any(|a| a.first_frame > a.last_frame || a.last_frame >= frames);
        if outside {
            return Err(AppError::invalid("clips", InvalidReason::BadFormat).into());
        }
    }
    let at = now().max(row.updated_at + 1);
    sqlx::query("UPDATE cases SET content = $1, updated_at = $2 WHERE id = $3")
        .bind(to_json(&content)?)
        .bind(at)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(at)
}

/// A review comment on a case being curated (experts only; never shown to learners).
pub async fn review_comment(db: &Db, actor: &CurrentUser, id: &str, body: &str) -> Result<()> {
    let row = row(db, id)
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    let body = review_body(body, true)?;
    let mut conn = db.pool.acquire().await?;
    event(
        &mut conn,
        &row.id,
        &actor.id,
        ReviewAction::Commented,
        &body,
        None,
    )
    .await?;
    if row.author_id != actor.id.0 {
        notify(
            db,
            &UserId(row.author_id),
            &row.id,
            &actor.id,
            "review",
            &body,
        )
        .await?;
    }
    Ok(())
}

fn review_body(body: &str, required: bool) -> Result<String> {
    let body = body.trim();
    if required && body.is_empty() {
        return Err(AppError::invalid("body", InvalidReason::Required).into());
    }
    if body.chars().count() > model::cases::limits::COMMENT {
        return Err(AppError::invalid("body", InvalidReason::TooLong).into());
    }
    Ok(body.to_string())
}

/// Moves a case along the workflow. Authors submit, withdraw, revise and reopen; another
/// expert requests changes or publishes; any expert may retire a case.
pub async fn transition(
    db: &Db,
    actor: &CurrentUser,
    id: &str,
    step: Transition,
    body: &str,
) -> Result<CaseStatus> {
    let row = row(db, id)
        .await?
        .ok_or(AppError::NotFound("case".into()))?;
    let is_author = row.author_id == actor.id.0;
    if step.author_only() && !is_author {
        return Err(AppError::Forbidden.into());
    }
    if step.reviewer_only() && is_author {
        return Err(AppError::invalid("status", InvalidReason::OwnWork).into());
    }
    let (from, to) = step.from_to();
    if !from.contains(&row.status) {
        return Err(AppError::invalid("status", InvalidReason::WrongState).into());
    }
    let body = review_body(
        body,
        matches!(step, Transition::RequestChanges | Transition::Retire),
    )?;
    let content = content_from(&row.content)?;
    if step == Transition::Submit {
        // What a reviewer needs before reading: the fields a learner is taught from.
        for (field, value) in [
            ("history", &content.history),
            ("findings", &content.findings),
            ("impression", &content.impression),
            ("diagnosis", &content.diagnosis),
        ] {
            if value.trim().is_empty() {
                return Err(AppError::invalid(field, InvalidReason::Required).into());
            }
        }
        if content.clips.is_empty() {
            return Err(AppError::invalid("clips", InvalidReason::Required).into());
        }
    }
    let at = now().max(row.updated_at + 1);
    let mut tx = db.pool.begin().await?;
    // The status check is repeated in the UPDATE so two reviewers cannot both publish.
    let updated =
        sqlx::query("UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(to.as_str())
            .bind(at)
            .bind(id)
            .bind(row.status.as_str())
            .execute(&mut *tx)
            .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::invalid("status", InvalidReason::WrongState).into());
    }
    let mut version = None;
    if step == Transition::Publish {
        let v = row.next_version;
        version = Some(v);
        sqlx::query(
            "INSERT INTO case_versions (case_id, version, content, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(v)
        .bind(&row.content)
        .bind(&actor.id.0)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        for clip in &content.clips {
            sqlx::query(
                "INSERT INTO case_version_clips (case_id, version, sop_uid) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(v)
            .bind(&clip.sop_uid)
            .execute(&mut *tx)
            .await?;
        }
        let index = library::index_of(db, &content).await?;
        sqlx::query(
            "UPDATE cases SET next_version = $1, published_version = $2, published_at = $3, \
             title = $4, application = $5, difficulty = $6, diagnosis = $7, tags = $8, tirads = $9, \
             grade = $10, site_id = $11, search_text = $12, age_band = $13, sex = $14, cover_sop = $15 \
             WHERE id = $16",
        )
        .bind(v + 1)
        .bind(v)
        .bind(at)
        .bind(&content.title)
        .bind(&content.application)
        .bind(content.difficulty.as_str())
        .bind(&content.diagnosis)
        .bind(&index.tags)
        .bind(worst_tirads(&content.scores).map(|l| i64::from(l.number())))
        .bind(worst_grade(&content.scores).map(|g| g.as_str()))
        .bind(&content.origin_site.0)
        .bind(&index.search)
        .bind(content.age_band.label())
        .bind(content.sex.as_str())
        .bind(content.clips.first().map(|c| c.sop_uid.clone()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    event(&mut tx, id, &actor.id, step.action(), &body, version).await?;
    let detail = serde_json::json!({ "step": step, "status": to });
    let who = Actor::web(&actor.id);
    audit::record_in(&mut tx, &who, AuditAction::CaseTransition, Some(id), detail).await?;
    tx.commit().await?;
    let author = UserId(row.author_id.clone());
    match step {
        Transition::Submit => {
            // Every other expert may review: tell them there is something to read.
            let experts: Vec<(String,)> = sqlx::query_as(
                "SELECT id FROM users WHERE role = 'expert' AND active = 1 AND id <> $1",
            )
            .bind(&actor.id.0)
            .fetch_all(&db.pool)
            .await?;
            for (expert,) in experts {
                notify(
                    db,
                    &UserId(expert),
                    id,
                    &actor.id,
                    "submitted",
                    &content.title,
                )
                .await?;
            }
        }
        Transition::RequestChanges => {
            notify(db, &author, id, &actor.id, "changes_requested", &body).await?;
        }
        Transition::Publish => {
            notify(db, &author, id, &actor.id, "published", &content.title).await?;
        }
        _ => {}
    }
    Ok(to)
}
