//! Live guidance sessions on the server: who may see and join one, the list, and the steps of
//! a session (an expert starts one and invites a learner, or a learner asks and an expert
//! takes the request; the learner accepts or declines; the guide lets the doctor steer, and
//! ends it into a replay draft to which each side adds its voice). While a session is live
//! its events go through the in-memory [`Hub`].
//!
//! Only the two participants (and admins, who may watch) see a session; for everyone else it
//! does not exist. Experts also see the open requests, which any of them may take.
pub mod hub;
mod steps;

pub use hub::{Hub, Outbox, Outgoing, Refusal, RoomInfo, Seat};
pub use steps::{answer, attach_voice, end, put_voice, request, set_control, start, take};

use crate::{Db, Result};
use model::guidance::{IceServer, LearnerChoice, SessionStatus, SessionSummary, SessionView};
use model::replay::{GUIDE, GUIDED, Limits, Participant};
use model::{AppError, CaseId, CurrentUser, InvalidReason, ReplayId, Role, SessionId, UserId};

/// A session with its people and clip, as `SESSION_SELECT` reads it.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    guide_id: Option<String>,
    guided_id: String,
    sop_uid: String,
    status: String,
    note: String,
    guided_may_control: i64,
    created_at: i64,
    started_at: Option<i64>,
    ended_at: Option<i64>,
    replay_id: Option<String>,
    guide_name: Option<String>,
    guided_name: String,
    blob_sha: String,
    frames: i64,
    width: i64,
    height: i64,
    /// The published case the clip belongs to (empty when it has since left the library).
    case_title: String,
    case_id: Option<String>,
}

const SESSION_SELECT: &str = "\
    SELECT g.id, g.guide_id, g.guided_id, g.sop_uid, g.status, g.note, g.guided_may_control, \
           g.created_at, g.started_at, g.ended_at, g.replay_id, \
           gu.display_name AS guide_name, du.display_name AS guided_name, \
           i.blob_sha, i.frames, i.width, i.height, \
           COALESCE((SELECT c.title FROM cases c WHERE c.study_uid = i.study_uid \
                     AND c.published_version IS NOT NULL \
                     ORDER BY c.published_at DESC LIMIT 1), '') AS case_title, \
           (SELECT c.id FROM cases c WHERE c.study_uid = i.study_uid \
            AND c.published_version IS NOT NULL \
            ORDER BY c.published_at DESC LIMIT 1) AS case_id \
    FROM guidance_sessions g \
    JOIN instances i ON i.sop_uid = g.sop_uid \
    JOIN users du ON du.id = g.guided_id \
    LEFT JOIN users gu ON gu.id = g.guide_id";

impl SessionRow {
    fn status(&self) -> SessionStatus {
        SessionStatus::parse(&self.status).unwrap_or(SessionStatus::Ended)
    }

    /// The part `user` plays: `Some(Some(side))` for a participant, `Some(None)` for an admin,
    /// `None` for anyone else (to whom the session does not exist).
    fn part_of(&self, user: &CurrentUser) -> Option<Option<Participant>> {
        if self.guide_id.as_deref() == Some(user.id.as_str()) {
            Some(Some(GUIDE))
        } else if self.guided_id == user.id.0 {
            Some(Some(GUIDED))
        } else if user.role == Role::Admin {
            Some(None)
        } else {
            None
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            frames: Some(self.frames.max(1) as u32),
            size: Some((self.width as u32, self.height as u32)),
            media_ms: None,
        }
    }

    fn summary(self, me: Option<Participant>) -> SessionSummary {
        SessionSummary {
            id: SessionId(self.id.clone()),
            status: self.status(),
            case_title: self.case_title,
            guide: self.guide_name,
            guided: self.guided_name,
            note: self.note,
            me,
            created_at: self.created_at,
            started_at: self.started_at,
            ended_at: self.ended_at,
            replay_id: self.replay_id.map(ReplayId),
        }
    }
}

fn not_found() -> crate::Error {
    AppError::NotFound("guidance session".into()).into()
}

fn invalid(field: &str, reason: InvalidReason) -> crate::Error {
    AppError::invalid(field, reason).into()
}

async fn row(db: &Db, id: &SessionId) -> Result<Option<SessionRow>> {
    let row = sqlx::query_as(&format!("{SESSION_SELECT} WHERE g.id = $1"))
        .bind(id.as_str())
        .fetch_optional(&db.pool)
        .await?;
    Ok(row)
}

/// The session and the part `user` plays in it; not found for anyone else.
async fn seen_by(
    db: &Db,
    user: &CurrentUser,
    id: &SessionId,
) -> Result<(SessionRow, Option<Participant>)> {
    let row = row(db, id).await?.ok_or_else(not_found)?;
    let part = row.part_of(user).ok_or_else(not_found)?;
    Ok((row, part))
}

/// The sessions `user` takes part in, newest first; experts also see the open requests and
/// admins every session.
pub async fn list(db: &Db, user: &CurrentUser) -> Result<Vec<SessionSummary>> {
    let filter = match user.role {
        Role::Admin => None,
        Role::Expert => {
            Some("(g.guide_id = $1 OR (g.status = 'requested' AND g.guide_id IS NULL))")
        }
        Role::Learner | Role::Coordinator => Some("g.guided_id = $1"),
    };
    let sql = format!(
        "{SESSION_SELECT} {} ORDER BY g.created_at DESC, g.id DESC LIMIT 200",
        filter.map_or(String::new(), |f| format!("WHERE {f}"))
    );
    let mut query = sqlx::query_as::<_, SessionRow>(&sql);
    if filter.is_some() {
        query = query.bind(user.id.as_str());
    }
    let rows = query.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let me = r.part_of(user).flatten();
            r.summary(me)
        })
        .collect())
}

/// One session with its clip, people and the ICE servers, for a participant or an admin.
pub async fn view(
    db: &Db,
    ice_servers: &[IceServer],
    user: &CurrentUser,
    id: &SessionId,
) -> Result<SessionView> {
    let (row, me) = seen_by(db, user, id).await?;
    let voices: Vec<(i64,)> = match &row.replay_id {
        Some(replay) => {
            sqlx::query_as(
                "SELECT participant FROM replay_voices WHERE replay_id = $1 ORDER BY idx",
            )
            .bind(replay)
            .fetch_all(&db.pool)
            .await?
        }
        None => Vec::new(),
    };
    Ok(SessionView {
        id: SessionId(row.id.clone()),
        status: row.status(),
        case_title: row.case_title.clone(),
        sop_uid: row.sop_uid.clone(),
        clip_url: format!("/dicom/{}", row.blob_sha),
        frames: row.frames.max(1) as u32,
        width: row.width as u32,
        height: row.height as u32,
        guide: row.guide_name.clone(),
        guided: row.guided_name.clone(),
        note: row.note.clone(),
        me,
        guided_may_control: row.guided_may_control != 0,
        ice_servers: ice_servers.to_vec(),
        replay_id: row.replay_id.clone().map(ReplayId),
        voices: voices.into_iter().map(|(p,)| p as Participant).collect(),
    })
}

/// Who joins a live session's socket: their side (`None`: an admin watching) and what the
/// hub needs to open the room.
#[derive(Debug, Clone, PartialEq)]
pub struct Joining {
    pub side: Option<Participant>,
    pub info: RoomInfo,
}

/// Whether `user` may join the session's socket now: not found for anyone but the
/// participants and admins, refused (wrong state) unless it is live.
pub async fn joining(db: &Db, user: &CurrentUser, id: &SessionId) -> Result<Joining> {
    let (row, side) = seen_by(db, user, id).await?;
    if row.status() != SessionStatus::Live {
        return Err(invalid("status", InvalidReason::WrongState));
    }
    Ok(Joining {
        side,
        info: RoomInfo {
            started_at: row.started_at.unwrap_or(row.created_at),
            limits: row.limits(),
            guided_may_control: row.guided_may_control != 0,
        },
    })
}

#[derive(sqlx::FromRow)]
struct LearnerRow {
    id: String,
    username: String,
    display_name: String,
    name_zh: String,
    name_en: String,
}

/// The active learners an expert may invite, by site.
pub async fn learners(db: &Db) -> Result<Vec<LearnerChoice>> {
    let rows: Vec<LearnerRow> = sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, s.name_zh, s.name_en \
         FROM users u JOIN sites s ON s.id = u.site_id \
         WHERE u.role = 'learner' AND u.active = 1 \
         ORDER BY s.code, u.display_name, u.username",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LearnerChoice {
            id: UserId(r.id),
            username: r.username,
            display_name: r.display_name,
            site: (r.name_zh, r.name_en),
        })
        .collect())
}

/// The case a session's clip was published in, if it still is.
fn case_of(row: &SessionRow) -> Option<CaseId> {
    row.case_id.clone().map(CaseId)
}
