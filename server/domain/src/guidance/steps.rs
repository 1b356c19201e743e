//! The steps of a guidance session, each checked and recorded in the audit trail inside the
//! transaction of its change. Races are closed in SQL (`UPDATE … WHERE status = …`): two
//! experts cannot take one request, a learner cannot accept an invitation twice, and a
//! session ends once.
use super::{Hub, case_of, invalid, not_found, row, seen_by};
use crate::audit::{self, Actor};
use crate::blobs::Blobs;
use crate::quizzes::bank::published_clip;
use crate::replays::sniff::{self, MediaKind};
use crate::{Db, Result, new_id, now};
use model::guidance::{MAX_NOTE, SessionStatus};
use model::replay::{GUIDE, GUIDED, MAX_DURATION_MS, MediaUpload, ReplayDraft, Timeline};
use model::{AppError, AuditAction, CurrentUser, InvalidReason, ReplayId, Role, SessionId, UserId};

/// Voices one replay draft takes (each side may come back with a recording after a reload).
const MAX_VOICES: i64 = 8;
/// The network's time zone (China, UTC+8), for the date in a replay's title.
const NETWORK_OFFSET_SECS: i64 = 8 * 3600;

/// Checks that `sop_uid` is a clip of a published case.
async fn teaching_clip(db: &Db, sop_uid: &str) -> Result<()> {
    if sop_uid.is_empty() {
        return Err(invalid("clip", InvalidReason::Required));
    }
    published_clip(db, sop_uid)
        .await?
        .ok_or_else(|| invalid("clip", InvalidReason::NotPublished))?;
    Ok(())
}

/// A session about to be stored, and the audit action that records it.
struct NewSession<'a> {
    guide: Option<&'a UserId>,
    guided: &'a UserId,
    sop_uid: &'a str,
    status: SessionStatus,
    note: &'a str,
    action: AuditAction,
}

async fn insert(db: &Db, actor: &CurrentUser, new: NewSession<'_>) -> Result<SessionId> {
    let NewSession {
        guide,
        guided,
        sop_uid,
        status,
        note,
        action,
    } = new;
    let id = SessionId(new_id());
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO guidance_sessions (id, guide_id, guided_id, sop_uid, status, note, \
         guided_may_control, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
    )
    .bind(id.as_str())
    .bind(guide.map(|g| g.0.clone()))
    .bind(guided.as_str())
    .bind(sop_uid)
    .bind(status.as_str())
    .bind(note)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "clip": sop_uid, "guided": guided.as_str() });
    audit::record_in(
        &mut tx,
        &Actor::web(&actor.id),
        action,
        Some(id.as_str()),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An expert starts a session on a teaching clip and invites an active learner. Experts only
/// (the caller checks).
pub async fn start(
    db: &Db,
    expert: &CurrentUser,
    sop_uid: &str,
    learner: &UserId,
) -> Result<SessionId> {
    teaching_clip(db, sop_uid).await?;
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE id = $1 AND role = 'learner' AND active = 1")
            .bind(learner.as_str())
            .fetch_optional(&db.pool)
            .await?;
    if found.is_none() {
        return Err(invalid("learner", InvalidReason::Unknown));
    }
    let new = NewSession {
        guide: Some(&expert.id),
        guided: learner,
        sop_uid,
        status: SessionStatus::Invited,
        note: "",
        action: AuditAction::GuidanceStarted,
    };
    insert(db, expert, new).await
}

/// A learner asks the hub for guidance on a teaching clip, saying what they need.
pub async fn request(
    db: &Db,
    learner: &CurrentUser,
    sop_uid: &str,
    note: &str,
) -> Result<SessionId> {
    if learner.role != Role::Learner {
        return Err(AppError::Forbidden.into());
    }
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(invalid("note", InvalidReason::TooLong));
    }
    teaching_clip(db, sop_uid).await?;
    let new = NewSession {
        guide: None,
        guided: &learner.id,
        sop_uid,
        status: SessionStatus::Requested,
        note,
        action: AuditAction::GuidanceRequested,
    };
    insert(db, learner, new).await
}

/// The second value of a step's `UPDATE`.
enum Value {
    Text(String),
    Int(i64),
}

/// Runs `UPDATE guidance_sessions SET … WHERE id = $1 AND …` (with `$2` = `value`) and its
/// audit record in one transaction; `false` when no row matched (the session moved on).
async fn step(
    db: &Db,
    actor: &CurrentUser,
    id: &SessionId,
    (sql, value): (&str, Value),
    action: AuditAction,
    detail: serde_json::Value,
) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let query = sqlx::query(sql).bind(id.as_str());
    let query = match value {
        Value::Text(t) => query.bind(t),
        Value::Int(n) => query.bind(n),
    };
    let changed = query.execute(&mut *tx).await?.rows_affected() == 1;
    if changed {
        audit::record_in(
            &mut tx,
            &Actor::web(&actor.id),
            action,
            Some(id.as_str()),
            detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

fn wrong_state() -> crate::Error {
    invalid("status", InvalidReason::WrongState)
}

/// An expert takes a learner's open request: it becomes their invitation, which the learner
/// accepts. Experts only (the caller checks); an open request is visible to every expert.
pub async fn take(db: &Db, expert: &CurrentUser, id: &SessionId) -> Result<()> {
    let row = row(db, id).await?.ok_or_else(not_found)?;
    let open = row.guide_id.is_none() && row.status() == SessionStatus::Requested;
    if !open && row.part_of(expert).is_none() {
        return Err(not_found());
    }
    let taken = step(
        db,
        expert,
        id,
        (
            "UPDATE guidance_sessions SET guide_id = $2, status = 'invited' \
             WHERE id = $1 AND status = 'requested' AND guide_id IS NULL",
            Value::Text(expert.id.0.clone()),
        ),
        AuditAction::GuidanceInvited,
        serde_json::json!({ "guided": row.guided_id }),
    )
    .await?;
    if taken { Ok(()) } else { Err(wrong_state()) }
}

/// The guided learner accepts an invitation (the session goes live and its clock starts) or
/// declines it; declining also withdraws their own open request.
pub async fn answer(db: &Db, learner: &CurrentUser, id: &SessionId, accept: bool) -> Result<()> {
    let (_, side) = seen_by(db, learner, id).await?;
    if side != Some(GUIDED) {
        return Err(AppError::Forbidden.into());
    }
    let changed = if accept {
        step(
            db,
            learner,
            id,
            (
                "UPDATE guidance_sessions SET status = 'live', started_at = $2 \
                 WHERE id = $1 AND status = 'invited'",
                Value::Int(now()),
            ),
            AuditAction::GuidanceAccepted,
            serde_json::json!({}),
        )
        .await?
    } else {
        step(
            db,
            learner,
            id,
            (
                "UPDATE guidance_sessions SET status = 'declined', ended_at = $2 \
                 WHERE id = $1 AND status IN ('invited', 'requested')",
                Value::Int(now()),
            ),
            AuditAction::GuidanceDeclined,
            serde_json::json!({}),
        )
        .await?
    };
    if changed { Ok(()) } else { Err(wrong_state()) }
}

/// The guide lets the guided doctor move the shared view, or takes it back. The live pages
/// hear it at once through the hub.
pub async fn set_control(
    db: &Db,
    hub: &Hub,
    guide: &CurrentUser,
    id: &SessionId,
    allowed: bool,
) -> Result<()> {
    let (row, side) = seen_by(db, guide, id).await?;
    if side != Some(GUIDE) {
        return Err(AppError::Forbidden.into());
    }
    if row.status() != SessionStatus::Live {
        return Err(wrong_state());
    }
    sqlx::query("UPDATE guidance_sessions SET guided_may_control = $2 WHERE id = $1")
        .bind(id.as_str())
        .bind(i64::from(allowed))
        .execute(&db.pool)
        .await?;
    hub.set_control(id, allowed);
    Ok(())
}

/// The date of unix seconds in the network's time zone, `YYYY-MM-DD`.
fn network_date(secs: i64) -> String {
    let days = (secs + NETWORK_OFFSET_SECS).div_euclid(86_400);
    let (y, m, d) = model::calendar::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The replay's title, in the network's language as the draft is (`zh`): "远程指导：<case title>
/// <date>", the case title shortened to fit. The expert retitles it before submitting.
fn replay_title(case_title: &str, started_at: i64) -> String {
    let case: String = case_title.trim().chars().take(150).collect();
    let case = if case.is_empty() {
        "—".to_string()
    } else {
        case
    };
    format!("远程指导：{case} {}", network_date(started_at))
}

/// The guide ends a live session: the hub stops taking events, the server's copy of the
/// timeline is kept with the session, a replay draft is made from it (the clip, the
/// timeline as long as the session was live, the guide as author, the session noted on it),
/// and both sides hear `ended` with the replay's id. A save that fails leaves the session live.
pub async fn end(db: &Db, hub: &Hub, guide: &CurrentUser, id: &SessionId) -> Result<ReplayId> {
    let (row, side) = seen_by(db, guide, id).await?;
    if side != Some(GUIDE) {
        return Err(AppError::Forbidden.into());
    }
    if row.status() != SessionStatus::Live {
        return Err(wrong_state());
    }
    let started_at = row.started_at.unwrap_or(row.created_at);
    // Nobody joined since this server started: no events, the time it has been live.
    let timeline = hub.freeze(id).unwrap_or_else(|| Timeline {
        duration_ms: (u64::try_from(now() - started_at).unwrap_or(0) * 1000)
            .clamp(1, MAX_DURATION_MS),
        events: Vec::new(),
    });
    let saved = save_ended(db, guide, &row, started_at, timeline).await;
    match saved {
        Ok(replay) => {
            hub.finish(id, Some(replay.clone()));
            Ok(replay)
        }
        Err(e) => {
            hub.thaw(id);
            Err(e)
        }
    }
}

async fn save_ended(
    db: &Db,
    guide: &CurrentUser,
    row: &super::SessionRow,
    started_at: i64,
    timeline: Timeline,
) -> Result<ReplayId> {
    let timeline_json = serde_json::to_string(&timeline)?;
    let events = timeline.events.len();
    let duration_ms = timeline.duration_ms;
    let draft = ReplayDraft {
        id: None,
        title: replay_title(&row.case_title, started_at),
        summary: row.note.clone(),
        language: "zh".into(),
        sop_uid: row.sop_uid.clone(),
        case_id: case_of(row),
        voices: Vec::new(),
        timeline,
    };
    let replay = crate::replays::save(db, guide, draft).await?;
    let mut tx = db.begin_write().await?;
    let ended = sqlx::query(
        "UPDATE guidance_sessions SET status = 'ended', ended_at = $2, replay_id = $3, \
         timeline = $4 WHERE id = $1 AND status = 'live'",
    )
    .bind(&row.id)
    .bind(now())
    .bind(replay.as_str())
    .bind(timeline_json)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !ended {
        // Ended by another request meanwhile: this draft is one too many.
        tx.rollback().await?;
        crate::replays::discard(db, guide, &replay).await?;
        return Err(wrong_state());
    }
    sqlx::query("UPDATE replays SET session_id = $2 WHERE id = $1")
        .bind(replay.as_str())
        .bind(&row.id)
        .execute(&mut *tx)
        .await?;
    let detail = serde_json::json!({
        "replay": replay.as_str(), "events": events, "duration_ms": duration_ms,
    });
    audit::record_in(
        &mut tx,
        &Actor::web(&guide.id),
        AuditAction::GuidanceEnded,
        Some(&row.id),
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(replay)
}

/// The replay draft of an ended session `user` took part in (admins, who only watch, have
/// no voice to add).
async fn ended_replay(
    db: &Db,
    user: &CurrentUser,
    id: &SessionId,
) -> Result<(super::SessionRow, u8, ReplayId)> {
    let (row, side) = seen_by(db, user, id).await?;
    let side = side.ok_or(AppError::Forbidden)?;
    let replay = match (&row.replay_id, row.status()) {
        (Some(replay), SessionStatus::Ended) => ReplayId(replay.clone()),
        _ => return Err(wrong_state()),
    };
    let (status,): (String,) = sqlx::query_as("SELECT status FROM replays WHERE id = $1")
        .bind(replay.as_str())
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(not_found)?;
    if status != "draft" {
        return Err(wrong_state());
    }
    Ok((row, side, replay))
}

/// A participant's recording of an ended session (learners may not upload replay media
/// otherwise): Opus audio, read from its bytes, stored and registered like any replay media.
pub async fn put_voice(
    db: &Db,
    blobs: &Blobs,
    user: &CurrentUser,
    id: &SessionId,
    bytes: Vec<u8>,
) -> Result<MediaUpload> {
    ended_replay(db, user, id).await?;
    if bytes.len() as u64 > crate::replays::MAX_AUDIO_BYTES {
        return Err(invalid("media", InvalidReason::TooLong));
    }
    let (bytes, sniffed) = tokio::task::spawn_blocking(move || {
        let sniffed = sniff::sniff(&bytes);
        (bytes, sniffed)
    })
    .await?;
    let sniffed = match sniffed {
        Ok(s) if s.kind == MediaKind::Audio => s,
        _ => return Err(invalid("media", InvalidReason::Unsupported)),
    };
    let size = bytes.len() as u64;
    let sha = blobs.put(bytes).await?;
    sqlx::query(
        "INSERT INTO replay_media (sha, mime, bytes, duration_ms, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha) DO NOTHING",
    )
    .bind(&sha)
    .bind(sniffed.mime)
    .bind(size as i64)
    .bind(sniffed.duration_ms.map(|d| d as i64))
    .bind(user.id.as_str())
    .bind(now())
    .execute(&db.pool)
    .await?;
    Ok(MediaUpload {
        media: sha,
        mime: sniffed.mime.to_string(),
        bytes: size,
    })
}

#[derive(sqlx::FromRow)]
struct MediaRow {
    mime: String,
    uploaded_by: String,
}

/// Adds a participant's voice (media they uploaded) to their ended session's replay draft:
/// spoken by them (their name, their side), starting at `offset_ms` of the session's clock.
/// The same recording added again changes nothing.
pub async fn attach_voice(
    db: &Db,
    user: &CurrentUser,
    id: &SessionId,
    media: &str,
    offset_ms: i64,
) -> Result<()> {
    let (_, side, replay) = ended_replay(db, user, id).await?;
    if offset_ms.unsigned_abs() > MAX_DURATION_MS {
        return Err(invalid("offset_ms", InvalidReason::TooLong));
    }
    let found: Option<MediaRow> =
        sqlx::query_as("SELECT mime, uploaded_by FROM replay_media WHERE sha = $1")
            .bind(media)
            .fetch_optional(&db.pool)
            .await?;
    let media_row = match found {
        Some(m) if m.uploaded_by == user.id.0 && m.mime.starts_with("audio/") => m,
        Some(m) if m.uploaded_by == user.id.0 => {
            return Err(invalid("media", InvalidReason::Unsupported));
        }
        _ => return Err(invalid("media", InvalidReason::Unknown)),
    };
    let mut tx = db.begin_write().await?;
    let (already, count, next): (i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN media_sha = $2 THEN 1 ELSE 0 END), 0), COUNT(*), \
         COALESCE(MAX(idx) + 1, 0) FROM replay_voices WHERE replay_id = $1",
    )
    .bind(replay.as_str())
    .bind(media)
    .fetch_one(&mut *tx)
    .await?;
    if already > 0 {
        return Ok(());
    }
    if count >= MAX_VOICES {
        return Err(invalid("media", InvalidReason::TooLong));
    }
    let speaker: String = user.display_name.chars().take(100).collect();
    sqlx::query(
        "INSERT INTO replay_voices (replay_id, idx, media_sha, mime, speaker, participant, \
         offset_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(replay.as_str())
    .bind(next)
    .bind(media)
    .bind(&media_row.mime)
    .bind(&speaker)
    .bind(i64::from(side))
    .bind(offset_ms)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE replays SET updated_at = $2 WHERE id = $1")
        .bind(replay.as_str())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    audit::record_in(
        &mut tx,
        &Actor::web(&user.id),
        AuditAction::GuidanceVoiceAttached,
        Some(id.as_str()),
        serde_json::json!({ "replay": replay.as_str(), "media": media, "by": side }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replay_is_titled_with_the_case_and_the_network_date() {
        // 2026-11-30 20:00 UTC is already 1 December in China.
        let secs = 1_796_068_800;
        assert_eq!(
            replay_title("Morison's pouch", secs),
            "远程指导：Morison's pouch 2026-12-01"
        );
        assert_eq!(replay_title(" ", secs), "远程指导：— 2026-12-01");
        assert!(replay_title(&"长".repeat(500), secs).chars().count() <= 200);
    }
}
