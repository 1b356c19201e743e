//! Guidance replays: the list, one replay with its media addresses, saving what the recorder
//! made, the review workflow (draft → in review → published → retired), comments at a time.
//! Media (voices, screen recordings) and packages go over plain HTTP routes in the server:
//! `POST /replays/media`, `GET /replays/{id}/media/{sha}`, `POST /replays/import`,
//! `GET /replays/{id}/package`.
use crate::model::replay::{ReplayComment, ReplayDraft, ReplaySummary, ReplayView};
use crate::model::{AppError, CaseStatus, ReplayId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {super::guard, crate::model::CaseId, crate::model::Permission, domain::replays};

/// The replays the signed-in person may watch (experts: every replay, drafts included).
#[server(endpoint = "replay_list")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn replay_list() -> Result<Vec<ReplaySummary>, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(replays::list(&state.db, &user).await?)
}

/// The published replays attached to a library case.
#[server(endpoint = "case_replays")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn case_replays(case_id: String) -> Result<Vec<ReplaySummary>, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let case_id = CaseId::from_path(&case_id)?;
    guard::once_per_request(format!("case_replays {}", case_id.as_str()), || async {
        Ok(replays::for_case(&state.db, &user, &case_id).await?)
    })
    .await
}

/// One replay with its clip, voices and timeline; a draft is not found for learners.
#[server(endpoint = "get_replay")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn get_replay(id: String) -> Result<ReplayView, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = ReplayId::from_path(&id)?;
    Ok(replays::view(&state.db, &user, &id).await?)
}

/// Creates a replay (`draft.id` empty) or replaces a draft's title, voices and timeline.
#[server(endpoint = "save_replay", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug), skip(draft)))]
pub async fn save_replay(draft: ReplayDraft) -> Result<ReplayId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::RecordReplays).await?;
    Ok(replays::save(&state.db, &user, draft).await?)
}

/// Moves a replay through review: `submit`, `publish`, `return` (to its author), `retire`.
#[server(endpoint = "replay_transition")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn replay_transition(id: String, action: String) -> Result<CaseStatus, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::RecordReplays).await?;
    let id = ReplayId::from_path(&id)?;
    Ok(replays::transition(&state.db, &user, &id, &action).await?)
}

/// Deletes a draft replay (its media stay in the blob store until housekeeping).
#[server(endpoint = "discard_replay")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn discard_replay(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::RecordReplays).await?;
    let id = ReplayId::from_path(&id)?;
    Ok(replays::discard(&state.db, &user, &id).await?)
}

/// The comments on a replay, in time order.
#[server(endpoint = "replay_comments")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn replay_comments(id: String) -> Result<Vec<ReplayComment>, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = ReplayId::from_path(&id)?;
    Ok(replays::comments(&state.db, &user, &id).await?)
}

/// Adds a comment at `t_ms` of a replay the signed-in person may watch.
#[server(endpoint = "add_replay_comment")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug), skip(body)))]
pub async fn add_replay_comment(
    id: String,
    t_ms: u64,
    body: String,
) -> Result<ReplayComment, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let id = ReplayId::from_path(&id)?;
    Ok(replays::add_comment(&state.db, &user, &id, t_ms, &body).await?)
}
