//! Live guidance sessions: the list, one session for its live page, the steps (an expert
//! starts one or takes a learner's request; the learner accepts or declines; the guide
//! hands over control and ends it), and adding a side's voice to the replay it became. The
//! live exchange itself goes over the session's WebSocket (`GET /guidance/{id}/ws`) and a
//! recorded voice is uploaded to `POST /guidance/{id}/voice`, both in the server.
use crate::model::guidance::{LearnerChoice, SessionSummary, SessionView};
use crate::model::quiz::TeachingClip;
use crate::model::{AppError, ReplayId, SessionId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::{InvalidReason, Permission, Role, UserId},
    domain::{guidance, quizzes},
};

/// The sessions the signed-in person takes part in (experts also see open requests).
#[server(endpoint = "guidance_sessions")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn guidance_sessions() -> Result<Vec<SessionSummary>, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(guidance::list(&state.db, &user).await?)
}

/// One session with its clip, people, the caller's part and the ICE servers; not found for
/// anyone but its two participants and admins.
#[server(endpoint = "guidance_session")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn guidance_session(id: String) -> Result<SessionView, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = SessionId::from_path(&id)?;
    let ice = &state.settings.ice_servers;
    Ok(guidance::view(&state.db, ice, &user, &id).await?)
}

/// The clips a session may be held on: every clip of a published case. Experts and learners.
#[server(endpoint = "guidance_clips")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn guidance_clips() -> Result<Vec<TeachingClip>, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    if !matches!(user.role, Role::Expert | Role::Learner) {
        return Err(AppError::Forbidden);
    }
    Ok(quizzes::teaching_clips(&state.db).await?)
}

/// The learners an expert may invite, by site. Experts only.
#[server(endpoint = "guidance_learners")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn guidance_learners() -> Result<Vec<LearnerChoice>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::RecordReplays).await?;
    Ok(guidance::learners(&state.db).await?)
}

/// An expert starts a session on a teaching clip and invites a learner.
#[server(endpoint = "start_guidance")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn start_guidance(sop_uid: String, learner: String) -> Result<SessionId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::RecordReplays).await?;
    let learner = UserId::parse(&learner).map_err(|reason| AppError::invalid("learner", reason))?;
    Ok(guidance::start(&state.db, &user, sop_uid.trim(), &learner).await?)
}

/// A learner asks the hub for guidance on a teaching clip, with a note of what they need.
#[server(endpoint = "request_guidance")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug), skip(note)))]
pub async fn request_guidance(sop_uid: String, note: String) -> Result<SessionId, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(guidance::request(&state.db, &user, sop_uid.trim(), &note).await?)
}

/// An expert takes a learner's open request (it becomes their invitation).
#[server(endpoint = "take_guidance")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn take_guidance(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::RecordReplays).await?;
    let id = SessionId::from_path(&id)?;
    Ok(guidance::take(&state.db, &user, &id).await?)
}

/// The invited learner accepts (the session goes live) or declines (or withdraws a request).
#[server(endpoint = "answer_guidance")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn answer_guidance(id: String, accept: bool) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = SessionId::from_path(&id)?;
    Ok(guidance::answer(&state.db, &user, &id, accept).await?)
}

/// The guide lets the guided doctor move the shared view, or takes it back.
#[server(endpoint = "set_guided_control")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn set_guided_control(id: String, allowed: bool) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::RecordReplays).await?;
    let id = SessionId::from_path(&id)?;
    Ok(guidance::set_control(&state.db, &state.guidance, &user, &id, allowed).await?)
}

/// The guide ends the session: it becomes a replay draft, and both sides hear so.
#[server(endpoint = "end_guidance")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn end_guidance(id: String) -> Result<ReplayId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::RecordReplays).await?;
    let id = SessionId::from_path(&id)?;
    Ok(guidance::end(&state.db, &state.guidance, &user, &id).await?)
}

/// Adds the caller's recorded voice (`media`, uploaded by them) to their ended session's
/// replay draft, starting at `offset_ms` of the session's clock.
#[server(endpoint = "attach_session_voice")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn attach_session_voice(
    session_id: String,
    media: String,
    offset_ms: i64,
) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = SessionId::from_path(&session_id)?;
    let media = media.trim();
    let well_formed = media.len() == 64 && media.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(AppError::invalid("media", InvalidReason::BadFormat));
    }
    Ok(guidance::attach_voice(&state.db, &user, &id, media, offset_ms).await?)
}
