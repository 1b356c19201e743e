//! Recording and review: saving a draft (new, or replacing one), moving a replay through
//! review, deleting a draft. Each change is one transaction with its audit record; state
//! checks are repeated in the UPDATE so two experts cannot both publish or edit a replay that
//! has moved on.
use super::library::{ReplayRow, visible};
use super::media::media;
use super::{
    MAX_VOICES, Voice, checked_language, checked_summary, checked_title, checked_voice, invalid,
    media_limit, must_curate, refused_at, status_of,
};
use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use model::replay::{Limits, ReplayDraft, Timeline, validate};
use model::{AuditAction, CaseStatus, CurrentUser, InvalidReason, ReplayId, UserId};
use sqlx::AnyConnection;

/// The clip a replay plays over, as stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct StoredClip {
    /// `dicom` or `video`.
    pub kind: &'static str,
    pub sop_uid: Option<String>,
    pub sha: String,
    pub mime: String,
    pub frame_rate: Option<f64>,
}

/// What the timeline must fit on a clip: its frames and size, and (a video) how long it plays.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ClipFacts {
    pub clip: StoredClip,
    pub frames: Option<u32>,
    pub size: Option<(u32, u32)>,
    /// A video's length; `None` for a DICOM clip, which counts frames instead.
    pub media_end: Option<Option<i64>>,
}

/// An instance of the library, as a replay's clip.
#[derive(sqlx::FromRow)]
pub(super) struct InstanceRow {
    pub sop_uid: String,
    pub blob_sha: String,
    pub frames: i64,
    pub width: i64,
    pub height: i64,
}

pub(super) async fn instance_by(db: &Db, column: &str, value: &str) -> Result<Option<InstanceRow>> {
    // `column` is one of ours (sop_uid or blob_sha), never the caller's text.
    debug_assert!(matches!(column, "sop_uid" | "blob_sha"));
    let row = sqlx::query_as(&format!(
        "SELECT sop_uid, blob_sha, frames, width, height FROM instances WHERE {column} = $1 \
         LIMIT 1"
    ))
    .bind(value)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row)
}

impl InstanceRow {
    pub fn facts(self) -> ClipFacts {
        let size =
            (self.width > 0 && self.height > 0).then_some((self.width as u32, self.height as u32));
        ClipFacts {
            frames: Some(self.frames.max(1) as u32),
            size,
            media_end: None,
            clip: StoredClip {
                kind: "dicom",
                sop_uid: Some(self.sop_uid),
                sha: self.blob_sha,
                mime: "application/dicom".into(),
                frame_rate: None,
            },
        }
    }
}

/// Frames of a screen recording at `frame_rate` (one more than whole frames, so the frame
/// shown at its very end is on it); unknown when its length is.
pub(super) fn video_frames(duration_ms: Option<u64>, frame_rate: f64) -> Option<u32> {
    let ms = duration_ms?;
    Some(((ms as f64 * frame_rate / 1000.0).floor() as u64 + 1).min(u64::from(u32::MAX)) as u32)
}

/// The clip a draft keeps when it names none (a screen recording has no instance to name).
async fn kept_clip(db: &Db, row: &ReplayRow) -> Result<ClipFacts> {
    if let Some(sop_uid) = &row.clip_sop_uid
        && let Some(found) = instance_by(db, "sop_uid", sop_uid).await?
    {
        return Ok(found.facts());
    }
    let duration = media(db, &row.clip_sha).await?.and_then(|m| m.duration_ms);
    let frame_rate = row.clip_frame_rate.unwrap_or(30.0);
    Ok(ClipFacts {
        frames: video_frames(duration.map(|d| d.max(0) as u64), frame_rate),
        size: None,
        media_end: Some(duration),
        clip: StoredClip {
            kind: "video",
            sop_uid: None,
            sha: row.clip_sha.clone(),
            mime: row.clip_mime.clone(),
            frame_rate: Some(frame_rate),
        },
    })
}

/// A replay's row as a new draft.
pub(super) struct NewReplay<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub language: &'a str,
    pub author: &'a UserId,
    pub clip: &'a StoredClip,
    pub case_id: Option<&'a str>,
    pub timeline: &'a Timeline,
}

pub(super) async fn insert_replay(conn: &mut AnyConnection, r: &NewReplay<'_>) -> Result<()> {
    let at = now();
    sqlx::query(
        "INSERT INTO replays (id, title, summary, language, status, author_id, clip_kind, \
         clip_sop_uid, clip_sha, clip_mime, clip_frame_rate, case_id, timeline, duration_ms, \
         chapters, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
    )
    .bind(r.id)
    .bind(r.title)
    .bind(r.summary)
    .bind(r.language)
    .bind(&r.author.0)
    .bind(r.clip.kind)
    .bind(r.clip.sop_uid.as_deref())
    .bind(&r.clip.sha)
    .bind(&r.clip.mime)
    .bind(crate::sql::Float(r.clip.frame_rate))
    .bind(r.case_id)
    .bind(serde_json::to_string(r.timeline)?)
    .bind(r.timeline.duration_ms as i64)
    .bind(r.timeline.chapters().len() as i64)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn insert_voices(
    conn: &mut AnyConnection,
    replay: &str,
    voices: &[Voice],
) -> Result<()> {
    for (idx, v) in voices.iter().enumerate() {
        sqlx::query(
            "INSERT INTO replay_voices (replay_id, idx, media_sha, mime, speaker, participant, \
             offset_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(replay)
        .bind(idx as i64)
        .bind(&v.sha)
        .bind(&v.mime)
        .bind(&v.speaker)
        .bind(i64::from(v.by))
        .bind(v.offset_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Found {
    found: i64,
}

async fn case_exists(db: &Db, id: &str) -> Result<bool> {
    let hit: Option<Found> = sqlx::query_as("SELECT 1 AS found FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(hit.is_some_and(|h| h.found == 1))
}

/// Creates a replay (`draft.id` empty) or replaces a draft: title, summary, clip, voices (media
/// uploaded before) and timeline, checked against the clip's frames and size and the voices'
/// lengths. Any expert may edit a draft; the one who created it stays its author. An empty
/// `sop_uid` keeps the draft's clip.
pub async fn save(db: &Db, user: &CurrentUser, draft: ReplayDraft) -> Result<ReplayId> {
    must_curate(user)?;
    let existing = match &draft.id {
        Some(id) => {
            let (_, row) = visible(db, user, id).await?;
            if status_of(&row.status) != CaseStatus::Draft {
                return Err(invalid("status", InvalidReason::WrongState));
            }
            Some(row)
        }
        None => None,
    };
    let title = checked_title("title", &draft.title)?;
    let summary = checked_summary("summary", &draft.summary)?;
    checked_language("language", &draft.language)?;
    let sop_uid = draft.sop_uid.trim();
    let facts = match (sop_uid, &existing) {
        ("", Some(row)) => kept_clip(db, row).await?,
        ("", None) => return Err(invalid("sop_uid", InvalidReason::Required)),
        (uid, _) => instance_by(db, "sop_uid", uid)
            .await?
            .ok_or_else(|| invalid("sop_uid", InvalidReason::Unknown))?
            .facts(),
    };
    if let Some(case) = &draft.case_id
        && !case_exists(db, case.as_str()).await?
    {
        return Err(invalid("case_id", InvalidReason::Unknown));
    }
    if draft.voices.len() > MAX_VOICES {
        return Err(invalid("voices", InvalidReason::TooLong));
    }
    let mut voices = Vec::with_capacity(draft.voices.len());
    let mut ends: Vec<Option<i64>> = facts.media_end.into_iter().collect();
    for (i, v) in draft.voices.iter().enumerate() {
        let at = format!("voices[{i}]");
        let field = format!("{at}.media");
        let found = media(db, &v.media)
            .await?
            .ok_or_else(|| invalid(&field, InvalidReason::Unknown))?;
        if !found.mime.starts_with("audio/") {
            return Err(invalid(&field, InvalidReason::Unsupported));
        }
        let speaker = checked_voice(&at, &v.speaker, v.by, v.offset_ms)?;
        ends.push(found.duration_ms.map(|d| v.offset_ms.saturating_add(d)));
        voices.push(Voice {
            sha: v.media.clone(),
            mime: found.mime,
            speaker,
            by: v.by,
            offset_ms: v.offset_ms,
        });
    }
    let limits = Limits {
        frames: facts.frames,
        size: facts.size,
        media_ms: media_limit(&ends),
    };
    validate(&draft.timeline, limits, "timeline").map_err(|e| refused_at("", e))?;
    let clip = &facts.clip;
    let case_id = draft.case_id.as_ref().map(|c| c.as_str());
    let mut tx = db.begin_write().await?;
    let id = match &existing {
        None => {
            let id = ReplayId(new_id());
            let new = NewReplay {
                id: id.as_str(),
                title: &title,
                summary: &summary,
                language: &draft.language,
                author: &user.id,
                clip,
                case_id,
                timeline: &draft.timeline,
            };
            insert_replay(&mut tx, &new).await?;
            id
        }
        Some(row) => {
            let updated = sqlx::query(
                "UPDATE replays SET title = $1, summary = $2, language = $3, clip_kind = $4, \
                 clip_sop_uid = $5, clip_sha = $6, clip_mime = $7, clip_frame_rate = $8, \
                 case_id = $9, timeline = $10, duration_ms = $11, chapters = $12, updated_at = $13 \
                 WHERE id = $14 AND status = 'draft'",
            )
            .bind(&title)
            .bind(&summary)
            .bind(&draft.language)
            .bind(clip.kind)
            .bind(clip.sop_uid.as_deref())
            .bind(&clip.sha)
            .bind(&clip.mime)
            .bind(crate::sql::Float(clip.frame_rate))
            .bind(case_id)
            .bind(serde_json::to_string(&draft.timeline)?)
            .bind(draft.timeline.duration_ms as i64)
            .bind(draft.timeline.chapters().len() as i64)
            .bind(now().max(row.updated_at + 1))
            .bind(&row.id)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() != 1 {
                // Submitted (or deleted) since it was read.
                return Err(invalid("status", InvalidReason::WrongState));
            }
            sqlx::query("DELETE FROM replay_voices WHERE replay_id = $1")
                .bind(&row.id)
                .execute(&mut *tx)
                .await?;
            ReplayId(row.id.clone())
        }
    };
    insert_voices(&mut tx, id.as_str(), &voices).await?;
    let detail = serde_json::json!({
        "title": title,
        "created": existing.is_none(),
        "voices": voices.len(),
        "duration_ms": draft.timeline.duration_ms,
    });
    let actor = Actor::web(&user.id);
    audit::record_in(
        &mut tx,
        &actor,
        AuditAction::ReplaySaved,
        Some(id.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A review step: the state it leaves from and the one it reaches.
fn step(action: &str) -> Result<(CaseStatus, CaseStatus)> {
    use CaseStatus::*;
    Ok(match action {
        "submit" => (Draft, InReview),
        "return" => (InReview, Draft),
        "publish" => (InReview, Published),
        "retire" => (Published, Retired),
        _ => return Err(invalid("action", InvalidReason::Unknown)),
    })
}

/// Moves a replay through review: `submit` (draft → in review), `return` (in review → draft),
/// `publish` (in review → published, by an expert other than its author), `retire`
/// (published → retired).
pub async fn transition(
    db: &Db,
    user: &CurrentUser,
    id: &ReplayId,
    action: &str,
) -> Result<CaseStatus> {
    must_curate(user)?;
    let (from, to) = step(action)?;
    let (_, row) = visible(db, user, id).await?;
    if to == CaseStatus::Published && row.author_id == user.id.0 {
        return Err(invalid("status", InvalidReason::OwnWork));
    }
    if status_of(&row.status) != from {
        return Err(invalid("status", InvalidReason::WrongState));
    }
    let at = now().max(row.updated_at + 1);
    let published_at = (to == CaseStatus::Published).then_some(at);
    let mut tx = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE replays SET status = $1, updated_at = $2, published_at = COALESCE($3, published_at) \
         WHERE id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(at)
    .bind(published_at)
    .bind(&row.id)
    .bind(from.as_str())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        // Another expert moved it first.
        return Err(invalid("status", InvalidReason::WrongState));
    }
    let detail = serde_json::json!({ "action": action, "status": to.as_str() });
    let actor = Actor::web(&user.id);
    audit::record_in(
        &mut tx,
        &actor,
        AuditAction::ReplayTransition,
        Some(&row.id),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}

/// Deletes a draft with its voices and comments (the media stay registered: another replay
/// may use the same file).
pub async fn discard(db: &Db, user: &CurrentUser, id: &ReplayId) -> Result<()> {
    must_curate(user)?;
    let (_, row) = visible(db, user, id).await?;
    if status_of(&row.status) != CaseStatus::Draft {
        return Err(invalid("status", InvalidReason::WrongState));
    }
    let mut tx = db.begin_write().await?;
    // Claims the draft first, so one submitted meanwhile is left alone.
    let claimed =
        sqlx::query("UPDATE replays SET updated_at = $1 WHERE id = $2 AND status = 'draft'")
            .bind(now().max(row.updated_at + 1))
            .bind(&row.id)
            .execute(&mut *tx)
            .await?;
    if claimed.rows_affected() != 1 {
        return Err(invalid("status", InvalidReason::WrongState));
    }
    for sql in [
        "DELETE FROM replay_comments WHERE replay_id = $1",
        "DELETE FROM replay_voices WHERE replay_id = $1",
        "DELETE FROM replays WHERE id = $1",
    ] {
        sqlx::query(sql).bind(&row.id).execute(&mut *tx).await?;
    }
    let detail = serde_json::json!({ "title": row.title });
    let actor = Actor::web(&user.id);
    audit::record_in(
        &mut tx,
        &actor,
        AuditAction::ReplayDiscarded,
        Some(&row.id),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_steps_leave_from_one_state() {
        use CaseStatus::*;
        assert_eq!(step("submit").unwrap(), (Draft, InReview));
        assert_eq!(step("return").unwrap(), (InReview, Draft));
        assert_eq!(step("publish").unwrap(), (InReview, Published));
        assert_eq!(step("retire").unwrap(), (Published, Retired));
        assert!(step("delete").is_err());
    }

    #[test]
    fn a_recording_has_a_frame_for_its_very_end() {
        assert_eq!(video_frames(Some(2000), 30.0), Some(61));
        assert_eq!(video_frames(Some(0), 25.0), Some(1));
        assert_eq!(video_frames(None, 30.0), None);
    }
}
