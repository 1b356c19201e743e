//! The scan logbook: a learner's entries (drafts, submitted, reviewed), their clips (picked
//! from the learner's own imported uploads, or uploaded with the entry through the import
//! pipeline), and who may read an entry.
use super::{date, form_for, json, to_json};
use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use model::competency::{
    EntryClip, EntryInput, EntryStatus, EntrySummary, EntryView, Grade, MAX_CLIPS, MAX_INDICATION,
    Verdict, validate_interpretation,
};
use model::{AppError, AuditAction, CurrentUser, InvalidReason, Permission, UserId};

#[derive(sqlx::FromRow)]
pub(super) struct SummaryRow {
    id: String,
    learner_id: String,
    learner_name: String,
    site_code: String,
    site_zh: String,
    site_en: String,
    application: String,
    scanned_on: String,
    status: String,
    clips: i64,
    submitted_at: Option<i64>,
    grade: Option<i64>,
    verdict: Option<String>,
    reviewed_on: Option<String>,
    second_wanted: i64,
}

pub(super) const SUMMARY_SELECT: &str = "SELECT e.id, e.learner_id, u.display_name AS learner_name, \
     s.code AS site_code, s.name_zh AS site_zh, s.name_en AS site_en, e.application, \
     e.scanned_on, e.status, \
     (SELECT COUNT(*) FROM logbook_clips c WHERE c.entry_id = e.id) AS clips, \
     e.submitted_at, e.grade, e.verdict, e.reviewed_on, e.second_wanted \
     FROM logbook_entries e JOIN users u ON u.id = e.learner_id JOIN sites s ON s.id = e.site_id";

impl SummaryRow {
    pub(super) fn into_summary(self) -> Result<EntrySummary> {
        Ok(EntrySummary {
            status: EntryStatus::parse(&self.status)
                .ok_or_else(|| anyhow::anyhow!("entry status {:?}", self.status))?,
            scanned_on: date(&self.scanned_on)?,
            reviewed_on: self.reviewed_on.as_deref().map(date).transpose()?,
            grade: self.grade.map(Grade::parse).transpose()?,
            verdict: self.verdict.as_deref().and_then(Verdict::parse),
            id: self.id,
            learner: UserId(self.learner_id),
            learner_name: self.learner_name,
            site_code: self.site_code,
            site_zh: self.site_zh,
            site_en: self.site_en,
            application: self.application,
            clips: u32::try_from(self.clips).unwrap_or(0),
            submitted_at: self.submitted_at,
            wants_second: self.second_wanted != 0,
        })
    }
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    learner_id: String,
    application: String,
    upload_job: Option<String>,
    indication: String,
    interpretation: String,
}

async fn entry_row(db: &Db, id: &str) -> Result<EntryRow> {
    let row: Option<EntryRow> = sqlx::query_as(
        "SELECT learner_id, application, upload_job, indication, interpretation \
         FROM logbook_entries WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.ok_or_else(|| AppError::NotFound("logbook entry".into()).into())
}

/// Saves a learner's entry (new when `input.id` is empty) and, when asked, submits it for
/// review. Only the learner edits their own entry, and only while it is a draft.
pub async fn save_entry(db: &Db, learner: &CurrentUser, input: EntryInput) -> Result<String> {
    if !learner.may(Permission::LogScans) {
        return Err(AppError::Forbidden.into());
    }
    let form = form_for(db, &input.application, true).await?;
    let indication = input.indication.trim();
    if indication.chars().count() > MAX_INDICATION {
        return Err(AppError::invalid("indication", InvalidReason::TooLong).into());
    }
    let today = super::today();
    if input.scanned_on > today {
        return Err(AppError::invalid("scanned_on", InvalidReason::OutOfRange).into());
    }
    if input.scanned_on < today.plus_days(-3660) {
        return Err(AppError::invalid("scanned_on", InvalidReason::OutOfRange).into());
    }
    // A draft may be half filled; what goes to review must answer the whole form.
    if input.submit {
        validate_interpretation(&form, &input.interpretation)?;
    } else if let Err(AppError::Invalid { field, reason }) =
        validate_interpretation(&form, &input.interpretation)
        && reason != InvalidReason::Required
    {
        return Err(AppError::Invalid { field, reason }.into());
    }
    if input.clips.len() > MAX_CLIPS {
        return Err(AppError::invalid("clips", InvalidReason::TooLong).into());
    }
    let site = match &input.site {
        Some(site) => {
            let found: Option<(String,)> =
                sqlx::query_as("SELECT id FROM sites WHERE id = $1 AND active = 1")
                    .bind(site.as_str())
                    .fetch_optional(&db.pool)
                    .await?;
            found.ok_or_else(|| AppError::invalid("site", InvalidReason::Unknown))?;
            site.clone()
        }
        None => learner.site.id.clone(),
    };
    for (i, clip) in input.clips.iter().enumerate() {
        if input.clips[..i].contains(clip) {
            return Err(AppError::invalid(&format!("clips.{i}"), InvalidReason::Taken).into());
        }
        if !may_attach(db, &learner.id, clip).await? {
            return Err(AppError::invalid(&format!("clips.{i}"), InvalidReason::Unknown).into());
        }
    }
    let at = now();
    let interpretation = to_json(&input.interpretation)?;
    let mut tx = db.begin_write().await?;
    let id = if input.id.is_empty() {
        let id = new_id();
        sqlx::query(
            "INSERT INTO logbook_entries (id, learner_id, site_id, application, scanned_on, \
             indication, interpretation, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $8)",
        )
        .bind(&id)
        .bind(learner.id.as_str())
        .bind(site.as_str())
        .bind(&input.application)
        .bind(input.scanned_on.to_string())
        .bind(indication)
        .bind(&interpretation)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        id
    } else {
        let changed = sqlx::query(
            "UPDATE logbook_entries SET site_id = $1, application = $2, scanned_on = $3, \
             indication = $4, interpretation = $5, updated_at = $6 \
             WHERE id = $7 AND learner_id = $8 AND status = 'draft'",
        )
        .bind(site.as_str())
        .bind(&input.application)
        .bind(input.scanned_on.to_string())
        .bind(indication)
        .bind(&interpretation)
        .bind(at)
        .bind(&input.id)
        .bind(learner.id.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            let row = entry_row(db, &input.id).await?;
            return Err(if row.learner_id != learner.id.as_str() {
                AppError::NotFound("logbook entry".into())
            } else {
                AppError::invalid("status", InvalidReason::WrongState)
            }
            .into());
        }
        sqlx::query("DELETE FROM logbook_clips WHERE entry_id = $1")
            .bind(&input.id)
            .execute(&mut *tx)
            .await?;
        input.id.clone()
    };
    for (position, clip) in input.clips.iter().enumerate() {
        sqlx::query("INSERT INTO logbook_clips (entry_id, sop_uid, position) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(clip)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
    }
    if input.submit && input.clips.is_empty() {
        // Sent without a list of clips (the editor always sends one, so a clip the learner
        // took out stays out): what arrived through the entry's own upload goes to review.
        sqlx::query(
            "INSERT INTO logbook_clips (entry_id, sop_uid, position) \
             SELECT e.id, i.sop_uid, 1000 + i.seq FROM logbook_entries e \
             JOIN import_items i ON i.job_id = e.upload_job \
             WHERE e.id = $1 AND i.sop_uid IS NOT NULL AND i.status IN ('imported', 'duplicate') \
             AND NOT EXISTS (SELECT 1 FROM logbook_clips c WHERE c.entry_id = e.id \
                             AND c.sop_uid = i.sop_uid)",
        )
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    }
    if input.submit {
        let clips: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM logbook_clips WHERE entry_id = $1")
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
        if clips.0 == 0 {
            return Err(AppError::invalid("clips", InvalidReason::Required).into());
        }
        sqlx::query(
            "UPDATE logbook_entries SET status = 'submitted', submitted_at = $1 WHERE id = $2",
        )
        .bind(at)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        audit::record_in(
            &mut tx,
            &Actor::web(&learner.id),
            AuditAction::LogbookSubmitted,
            Some(&id),
            serde_json::json!({ "application": input.application,
                "scanned_on": input.scanned_on.to_string() }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Attaches a new upload job to a draft entry (its files become the entry's clips once
/// imported); the learner's own drafts only.
pub async fn attach_upload(db: &Db, learner: &CurrentUser, entry: &str, job: &str) -> Result<()> {
    let changed = sqlx::query(
        "UPDATE logbook_entries SET upload_job = $1 \
         WHERE id = $2 AND learner_id = $3 AND status = 'draft'",
    )
    .bind(job)
    .bind(entry)
    .bind(learner.id.as_str())
    .execute(&db.pool)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound("logbook entry".into()).into());
    }
    Ok(())
}

/// Instances a learner may attach: imported by their own uploads, or found already imported
/// when they uploaded the same file (a duplicate is theirs to log as well).
const OWN_INSTANCE: &str = "(i.job_id IN (SELECT id FROM import_jobs WHERE created_by = $1) \
     OR i.sop_uid IN (SELECT t.sop_uid FROM import_items t JOIN import_jobs j ON j.id = t.job_id \
                      WHERE j.created_by = $1 AND t.status IN ('imported', 'duplicate')))";

/// Whether the learner may attach the instance `sop_uid`.
async fn may_attach(db: &Db, learner: &UserId, sop_uid: &str) -> Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT 1 FROM instances i WHERE i.sop_uid = $2 AND {OWN_INSTANCE}"
    ))
    .bind(learner.as_str())
    .bind(sop_uid)
    .fetch_optional(&db.pool)
    .await?;
    Ok(found.is_some())
}

#[derive(sqlx::FromRow)]
struct ClipRow {
    sop_uid: String,
    blob_sha: String,
    frames: i64,
    width: i64,
    height: i64,
    created_at: i64,
}

impl From<ClipRow> for EntryClip {
    fn from(r: ClipRow) -> EntryClip {
        EntryClip {
            sop_uid: r.sop_uid,
            blob_sha: r.blob_sha,
            frames: u32::try_from(r.frames).unwrap_or(1),
            width: u32::try_from(r.width).unwrap_or(0),
            height: u32::try_from(r.height).unwrap_or(0),
            imported_at: r.created_at,
        }
    }
}

/// Clips a learner may attach to an entry, newest first (the latest 500).
pub async fn pickable_clips(db: &Db, learner: &CurrentUser) -> Result<Vec<EntryClip>> {
    let rows: Vec<ClipRow> = sqlx::query_as(&format!(
        "SELECT i.sop_uid, i.blob_sha, i.frames, i.width, i.height, i.created_at FROM instances i \
         WHERE {OWN_INSTANCE} ORDER BY i.created_at DESC, i.sop_uid LIMIT 500"
    ))
    .bind(learner.id.as_str())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(EntryClip::from).collect())
}

/// The signed-in learner's entries, newest scan first.
pub async fn my_logbook(db: &Db, learner: &CurrentUser) -> Result<Vec<EntrySummary>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE e.learner_id = $1 ORDER BY e.scanned_on DESC, e.created_at DESC"
    ))
    .bind(learner.id.as_str())
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter().map(SummaryRow::into_summary).collect()
}

pub(super) async fn summary(db: &Db, id: &str) -> Result<EntrySummary> {
    let row: Option<SummaryRow> = sqlx::query_as(&format!("{SUMMARY_SELECT} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.ok_or_else(|| crate::Error::from(AppError::NotFound("logbook entry".into())))?
        .into_summary()
}

/// Whether `user` reviewed the entry (first or second review).
pub(super) async fn reviewed_by(db: &Db, entry: &str, user: &UserId) -> Result<bool> {
    let hit: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM scan_reviews WHERE entry_id = $1 AND reviewer_id = $2")
            .bind(entry)
            .bind(user.as_str())
            .fetch_optional(&db.pool)
            .await?;
    Ok(hit.is_some())
}

/// One entry in full, to whom may read it: its learner; experts once it is submitted;
/// coordinators. Anyone else is told it does not exist.
pub async fn entry(db: &Db, user: &CurrentUser, id: &str) -> Result<EntryView> {
    let row = entry_row(db, id).await?;
    let summary = summary(db, id).await?;
    let own = row.learner_id == user.id.as_str();
    let reviewer = user.may(Permission::ReviewScans);
    let visible = own
        || user.may(Permission::ManageCredentials)
        || (reviewer && summary.status != EntryStatus::Draft);
    if !visible {
        return Err(AppError::NotFound("logbook entry".into()).into());
    }
    let clips: Vec<ClipRow> = sqlx::query_as(
        "SELECT i.sop_uid, i.blob_sha, i.frames, i.width, i.height, i.created_at FROM logbook_clips c \
         JOIN instances i ON i.sop_uid = c.sop_uid WHERE c.entry_id = $1 \
         ORDER BY c.position, i.sop_uid",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let mut clips: Vec<EntryClip> = clips.into_iter().map(EntryClip::from).collect();
    // A draft whose clips were never listed shows what its upload brought (the editor lists
    // them as soon as they arrive; an API client may submit without listing).
    if summary.status == EntryStatus::Draft
        && clips.is_empty()
        && let Some(job) = &row.upload_job
    {
        let uploaded: Vec<ClipRow> = sqlx::query_as(
            "SELECT i.sop_uid, i.blob_sha, i.frames, i.width, i.height, i.created_at FROM import_items t \
             JOIN instances i ON i.sop_uid = t.sop_uid WHERE t.job_id = $1 ORDER BY t.seq",
        )
        .bind(job)
        .fetch_all(&db.pool)
        .await?;
        for clip in uploaded {
            if !clips.iter().any(|c| c.sop_uid == clip.sop_uid) {
                clips.push(clip.into());
            }
        }
    }
    let already = reviewed_by(db, id, &user.id).await?;
    let second_due = summary.status == EntryStatus::Reviewed && summary.wants_second;
    let may_review =
        reviewer && !own && !already && (summary.status == EntryStatus::Submitted || second_due);
    let reviews = super::review::reviews_of(db, id, own, may_review && second_due).await?;
    let application = super::application(db, &row.application).await?;
    Ok(EntryView {
        may_edit: own && summary.status == EntryStatus::Draft,
        summary,
        indication: row.indication,
        interpretation: json(&row.interpretation)?,
        application,
        clips,
        upload_job: row.upload_job,
        reviews,
        may_review,
    })
}

/// Whether `user` may fetch the DICOM file `sha` as a logbook clip: their own entry's or
/// upload's, or any logbook clip for reviewers and coordinators.
pub async fn blob_in_logbook(db: &Db, user: &CurrentUser, sha: &str) -> Result<bool> {
    let everyone = user.may(Permission::ManageCredentials) || user.may(Permission::ReviewScans);
    let hit: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM instances i WHERE i.blob_sha = $1 AND (\
           EXISTS (SELECT 1 FROM logbook_clips c JOIN logbook_entries e ON e.id = c.entry_id \
                   WHERE c.sop_uid = i.sop_uid AND (e.learner_id = $2 OR $3 = 1)) \
           OR EXISTS (SELECT 1 FROM import_jobs j WHERE j.id = i.job_id AND j.created_by = $2)) \
         LIMIT 1",
    )
    .bind(sha)
    .bind(user.id.as_str())
    .bind(i64::from(everyone))
    .fetch_optional(&db.pool)
    .await?;
    Ok(hit.is_some())
}
