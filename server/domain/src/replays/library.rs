//! Replays as their readers see them: the lists, one replay with everything its player
//! fetches, and which files a replay may serve to whom.
use super::{Audience, audience, media_url, not_found, status_of, timestamp};
use crate::{Db, Result};
use model::cases::CaseId;
use model::replay::{ReplayClip, ReplaySummary, ReplayView, Timeline, VoiceTrack};
use model::{AppError, CurrentUser, ReplayId};

/// A `replays` row with its author's name. `clip_sha` is the clip's blob now: a DICOM clip's
/// is read from its instance, which a re-mask may have moved to a new blob.
#[derive(sqlx::FromRow)]
pub(super) struct ReplayRow {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub language: String,
    pub status: String,
    pub author_id: String,
    pub author_name: String,
    pub clip_kind: String,
    pub clip_sop_uid: Option<String>,
    pub clip_sha: String,
    pub clip_mime: String,
    pub clip_frame_rate: Option<f64>,
    pub case_id: Option<String>,
    pub timeline: String,
    pub duration_ms: i64,
    pub updated_at: i64,
}

const ROW_SELECT: &str = "SELECT r.id, r.title, r.summary, r.language, r.status, r.author_id, \
     u.display_name AS author_name, r.clip_kind, r.clip_sop_uid, \
     COALESCE(i.blob_sha, r.clip_sha) AS clip_sha, r.clip_mime, r.clip_frame_rate, r.case_id, \
     r.timeline, r.duration_ms, r.updated_at \
     FROM replays r JOIN users u ON u.id = r.author_id \
     LEFT JOIN instances i ON i.sop_uid = r.clip_sop_uid";

/// The replay if `user` may see it: any for experts, published ones for everyone else;
/// `NotFound` otherwise, whether or not it exists.
pub(super) async fn visible(
    db: &Db,
    user: &CurrentUser,
    id: &ReplayId,
) -> Result<(Audience, ReplayRow)> {
    let who = audience(user)?;
    let row: Option<ReplayRow> = sqlx::query_as(&format!("{ROW_SELECT} WHERE r.id = $1"))
        .bind(id.as_str())
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some(row) if who == Audience::Curator || row.status == "published" => Ok((who, row)),
        _ => Err(not_found()),
    }
}

/// A stored voice track.
#[derive(sqlx::FromRow)]
pub(super) struct VoiceRow {
    pub media_sha: String,
    pub mime: String,
    pub speaker: String,
    pub participant: i64,
    pub offset_ms: i64,
}

pub(super) async fn voices(db: &Db, replay: &str) -> Result<Vec<VoiceRow>> {
    let rows = sqlx::query_as(
        "SELECT media_sha, mime, speaker, participant, offset_ms FROM replay_voices \
         WHERE replay_id = $1 ORDER BY idx",
    )
    .bind(replay)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows)
}

pub(super) fn timeline_of(row: &ReplayRow) -> Result<Timeline> {
    Ok(serde_json::from_str(&row.timeline)?)
}

/// A replay as lists show it.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    title: String,
    status: String,
    author: String,
    language: String,
    duration_ms: i64,
    chapters: i64,
    voices: i64,
    session_id: Option<String>,
    case_id: Option<String>,
    application: Option<String>,
    updated_at: i64,
}

impl From<SummaryRow> for ReplaySummary {
    fn from(r: SummaryRow) -> ReplaySummary {
        ReplaySummary {
            id: ReplayId(r.id),
            title: r.title,
            status: status_of(&r.status),
            author: r.author,
            language: r.language,
            duration_ms: r.duration_ms.max(0) as u64,
            chapters: r.chapters.max(0) as u32,
            voices: r.voices.max(0) as u32,
            from_session: r.session_id.is_some(),
            case_id: r.case_id.map(CaseId),
            application: r.application,
            updated_at: timestamp(r.updated_at),
        }
    }
}

const SUMMARY_SELECT: &str = "SELECT r.id, r.title, r.status, u.display_name AS author, \
     r.language, r.duration_ms, r.chapters, \
     (SELECT COUNT(*) FROM replay_voices v WHERE v.replay_id = r.id) AS voices, \
     r.session_id, r.case_id, c.application, r.updated_at \
     FROM replays r JOIN users u ON u.id = r.author_id LEFT JOIN cases c ON c.id = r.case_id";

/// Readers: newest published first. Experts: what waits for review, then drafts, then the
/// rest, each newest change first.
fn order(who: Audience) -> &'static str {
    match who {
        Audience::Reader => " ORDER BY r.published_at DESC, r.id LIMIT 500",
        Audience::Curator => {
            " ORDER BY CASE r.status WHEN 'in_review' THEN 1 WHEN 'draft' THEN 2 \
             WHEN 'published' THEN 3 ELSE 4 END, r.updated_at DESC, r.id LIMIT 500"
        }
    }
}

fn only_published(who: Audience) -> &'static str {
    match who {
        Audience::Reader => "r.status = 'published'",
        Audience::Curator => "1 = 1",
    }
}

/// The replays `user` may watch (experts: every replay, drafts included).
pub async fn list(db: &Db, user: &CurrentUser) -> Result<Vec<ReplaySummary>> {
    let who = audience(user)?;
    let sql = format!(
        "{SUMMARY_SELECT} WHERE {}{}",
        only_published(who),
        order(who)
    );
    let rows: Vec<SummaryRow> = sqlx::query_as(&sql).fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(ReplaySummary::from).collect())
}

/// The replays attached to a library case that `user` may watch.
pub async fn for_case(db: &Db, user: &CurrentUser, case_id: &CaseId) -> Result<Vec<ReplaySummary>> {
    let who = audience(user)?;
    let sql = format!(
        "{SUMMARY_SELECT} WHERE r.case_id = $1 AND {}{}",
        only_published(who),
        order(who)
    );
    let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
        .bind(case_id.as_str())
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(ReplaySummary::from).collect())
}

/// The title of the case a replay is attached to.
#[derive(sqlx::FromRow)]
struct CaseTitleRow {
    title: String,
    content: String,
    published_version: Option<i64>,
    status: String,
}

/// The case's published title; experts also see a draft case's working title.
async fn case_title(db: &Db, who: Audience, case_id: &str) -> Result<Option<String>> {
    let row: Option<CaseTitleRow> =
        sqlx::query_as("SELECT title, content, published_version, status FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&db.pool)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let published = row.published_version.is_some() && row.status != "retired";
    Ok(match who {
        _ if published && !row.title.is_empty() => Some(row.title),
        Audience::Curator => Some(crate::cases::content_from(&row.content)?.title),
        Audience::Reader => None,
    })
}

/// One replay with its clip, voices and timeline; a draft is not found for learners.
pub async fn view(db: &Db, user: &CurrentUser, id: &ReplayId) -> Result<ReplayView> {
    let (who, row) = visible(db, user, id).await?;
    let timeline = timeline_of(&row)?;
    let clip = match (row.clip_kind.as_str(), &row.clip_sop_uid) {
        ("dicom", Some(sop_uid)) => ReplayClip::Dicom {
            sop_uid: sop_uid.clone(),
            url: format!("/dicom/{}", row.clip_sha),
        },
        _ => ReplayClip::Video {
            url: media_url(&row.id, &row.clip_sha),
            mime: row.clip_mime.clone(),
            frame_rate: row.clip_frame_rate.unwrap_or(30.0),
        },
    };
    let voices = voices(db, &row.id)
        .await?
        .into_iter()
        .map(|v| VoiceTrack {
            url: media_url(&row.id, &v.media_sha),
            mime: v.mime,
            speaker: v.speaker,
            by: v.participant.clamp(0, 1) as u8,
            offset_ms: v.offset_ms,
        })
        .collect();
    let case_title = match &row.case_id {
        Some(case) => case_title(db, who, case).await?,
        None => None,
    };
    let status = status_of(&row.status);
    let curator = who == Audience::Curator;
    Ok(ReplayView {
        id: ReplayId(row.id.clone()),
        summary_html: crate::cases::render_markdown(&row.summary),
        title: row.title,
        summary: row.summary,
        language: row.language,
        status,
        author: row.author_name,
        clip,
        voices,
        timeline,
        case_id: row.case_id.map(CaseId),
        case_title,
        can_edit: curator && status == model::CaseStatus::Draft,
        can_publish: curator && status == model::CaseStatus::InReview && row.author_id != user.id.0,
        updated_at: timestamp(row.updated_at),
    })
}

/// A file a replay serves: its blob and the type it was sniffed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    pub sha: String,
    pub mime: String,
}

#[derive(sqlx::FromRow)]
struct MimeRow {
    mime: String,
}

/// The replay's clip or one of its voices, when `user` may watch the replay; `NotFound` for
/// any other file, or a replay they may not see.
pub async fn media_for(db: &Db, user: &CurrentUser, id: &ReplayId, sha: &str) -> Result<MediaRef> {
    let (_, row) = visible(db, user, id).await?;
    if row.clip_sha == sha {
        return Ok(MediaRef {
            sha: row.clip_sha,
            mime: row.clip_mime,
        });
    }
    let voice: Option<MimeRow> = sqlx::query_as(
        "SELECT mime FROM replay_voices WHERE replay_id = $1 AND media_sha = $2 LIMIT 1",
    )
    .bind(&row.id)
    .bind(sha)
    .fetch_optional(&db.pool)
    .await?;
    match voice {
        Some(v) => Ok(MediaRef {
            sha: sha.to_string(),
            mime: v.mime,
        }),
        None => Err(AppError::NotFound("media".into()).into()),
    }
}

#[derive(sqlx::FromRow)]
struct Found {
    found: i64,
}

/// True when the blob is the DICOM clip of a published replay: learners may fetch it.
pub async fn clip_is_published(db: &Db, sha: &str) -> Result<bool> {
    let hit: Option<Found> = sqlx::query_as(
        "SELECT 1 AS found FROM replays r JOIN instances i ON i.sop_uid = r.clip_sop_uid \
         WHERE i.blob_sha = $1 AND r.status = 'published' LIMIT 1",
    )
    .bind(sha)
    .fetch_optional(&db.pool)
    .await?;
    Ok(hit.is_some_and(|h| h.found == 1))
}

/// True when the replay is published (what a course lesson may show).
pub async fn is_published(db: &Db, id: &str) -> Result<bool> {
    let hit: Option<Found> =
        sqlx::query_as("SELECT 1 AS found FROM replays WHERE id = $1 AND status = 'published'")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(hit.is_some_and(|h| h.found == 1))
}
