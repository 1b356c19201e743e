//! The case library: experts author, review, publish and add outcomes; everyone signed in
//! browses published cases, solves them as unknowns and consults on them.
use crate::model::cases::{
    AttemptInput, CaseComment, CaseId, CasePage, CasePuzzle, CaseQuery, CaseStatus, CaseSummary,
    CaseView, CaseWork, FieldChange, FollowUp, FollowUpInput, Notification, OutcomeTables, Reveal,
    Transition, VersionInfo,
};
use crate::model::{AppError, Application};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::cases::{CaseContent, FrameRef},
    crate::model::{InvalidReason, Permission},
    domain::cases,
};

/// The application catalogue (shared with competency).
#[server(endpoint = "applications")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn applications() -> Result<Vec<Application>, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    guard::once_per_request("applications".into(), || async {
        Ok(cases::applications(&state.db).await?)
    })
    .await
}

/// Starts a draft case from an anonymised study.
#[server(endpoint = "create_case")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn create_case(
    study_uid: String,
    title: String,
    application: String,
) -> Result<CaseId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCases).await?;
    Ok(cases::create(&state.db, &user, &study_uid, &title, &application).await?)
}

/// The case as it is being curated, with its history (experts only).
#[server(endpoint = "case_in_curation")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn case_in_curation(id: CaseId) -> Result<CaseWork, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCases).await?;
    cases::work(&state.db, id.as_str())
        .await?
        .ok_or(AppError::NotFound("case".into()))
}

/// Saves the author's working copy of a draft. `updated_at` is the version the editor
/// loaded; a newer save elsewhere is not overwritten.
#[server(endpoint = "save_case")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(content), err(Debug)))]
pub async fn save_case(id: CaseId, content: String, updated_at: i64) -> Result<i64, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCases).await?;
    let content = CaseContent::from_editor_json(&content)
        .map_err(|(field, reason)| AppError::Invalid { field, reason })?;
    Ok(cases::save(&state.db, &user, id.as_str(), content, Some(updated_at)).await?)
}

/// Moves a case along the workflow (submit, withdraw, request changes, publish, revise,
/// retire, reopen).
#[server(endpoint = "case_transition")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn case_transition(
    id: CaseId,
    step: Transition,
    body: String,
) -> Result<CaseStatus, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCases).await?;
    Ok(cases::transition(&state.db, &user, id.as_str(), step, &body).await?)
}

/// A review comment (experts only; learners never see review).
#[server(endpoint = "review_comment")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(body), err(Debug)))]
pub async fn review_comment(id: CaseId, body: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCases).await?;
    Ok(cases::review_comment(&state.db, &user, id.as_str(), &body).await?)
}

/// Searches the published library.
#[server(endpoint = "search_cases", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn search_cases(query: CaseQuery) -> Result<CasePage, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    if query.text.chars().count() > 200 {
        return Err(AppError::invalid("text", InvalidReason::TooLong));
    }
    if query.tirads.is_some_and(|l| !(1..=5).contains(&l)) {
        return Err(AppError::invalid("tirads", InvalidReason::Unknown));
    }
    let key = format!(
        "search_cases {}",
        serde_json::to_string(&query).map_err(domain::internal)?
    );
    guard::once_per_request(key, || async {
        Ok(cases::search(&state.db, &query).await?)
    })
    .await
}

/// Every case with its status, for experts.
#[server(endpoint = "case_workbench")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn case_workbench() -> Result<Vec<CaseSummary>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCases).await?;
    Ok(cases::workbench(&state.db).await?)
}

/// A published case (its last published version), for anyone signed in.
#[server(endpoint = "published_case")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn published_case(id: CaseId) -> Result<CaseView, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    guard::once_per_request(format!("published_case {}", id.as_str()), || async {
        cases::view(&state.db, id.as_str(), &user.id)
            .await?
            .ok_or(AppError::NotFound("case".into()))
    })
    .await
}

/// The published versions of a case (experts only).
#[server(endpoint = "case_versions")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn case_versions(id: CaseId) -> Result<Vec<VersionInfo>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCases).await?;
    Ok(cases::versions(&state.db, id.as_str()).await?)
}

/// What changed between two published versions (experts only).
#[server(endpoint = "compare_versions")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn compare_versions(
    id: CaseId,
    before: u32,
    after: u32,
) -> Result<(VersionInfo, VersionInfo, Vec<FieldChange>), AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCases).await?;
    let (a, a_info) = cases::version(&state.db, id.as_str(), before)
        .await?
        .ok_or(AppError::NotFound("version".into()))?;
    let (b, b_info) = cases::version(&state.db, id.as_str(), after)
        .await?
        .ok_or(AppError::NotFound("version".into()))?;
    Ok((a_info, b_info, cases::diff(&a, &b)))
}

/// A published case as an unknown: history and clips only.
#[server(endpoint = "unknown_case")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn unknown_case(id: CaseId) -> Result<CasePuzzle, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    cases::puzzle(&state.db, id.as_str(), &user.id)
        .await?
        .ok_or(AppError::NotFound("case".into()))
}

/// Commits an unknown-case answer; the attempt is recorded and the case revealed.
#[server(endpoint = "solve_case", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(answer), err(Debug)))]
pub async fn solve_case(id: CaseId, answer: AttemptInput) -> Result<Reveal, AppError> {
    let state = guard::state()?;
    let user = guard::teaching_user().await?;
    let answer = answer
        .normalise()
        .map_err(|(field, reason)| AppError::Invalid { field, reason })?;
    cases::record_attempt(&state.db, id.as_str(), &user.id, answer)
        .await?
        .ok_or(AppError::NotFound("case".into()))
}

/// Adds a follow-up outcome (experts only).
#[server(endpoint = "add_follow_up", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn add_follow_up(id: CaseId, input: FollowUpInput) -> Result<FollowUp, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCases).await?;
    Ok(cases::add_follow_up(&state.db, &user, id.as_str(), input).await?)
}

/// Published cases still waiting for an outcome (experts only).
#[server(endpoint = "awaiting_follow_up")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn awaiting_follow_up() -> Result<Vec<CaseSummary>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::AuthorCases).await?;
    Ok(cases::awaiting_follow_up(&state.db).await?)
}

/// The network's scores-versus-outcome tables over published cases.
#[server(endpoint = "network_outcomes")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn network_outcomes() -> Result<OutcomeTables, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    Ok(cases::outcome_tables(&state.db).await?)
}

/// The consultation thread of a published case.
#[server(endpoint = "case_comments")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn case_comments(id: CaseId) -> Result<Vec<CaseComment>, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    guard::once_per_request(format!("case_comments {}", id.as_str()), || async {
        if !cases::is_visible(&state.db, id.as_str()).await? {
            return Err(AppError::NotFound("case".into()));
        }
        Ok(cases::comments(&state.db, id.as_str()).await?)
    })
    .await
}

/// Adds to the consultation; `frame` (0-based) with `sop_uid` points at a clip frame.
#[server(endpoint = "add_case_comment")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(body), err(Debug)))]
pub async fn add_case_comment(
    id: CaseId,
    body: String,
    sop_uid: Option<String>,
    frame: Option<u32>,
) -> Result<CaseComment, AppError> {
    let state = guard::state()?;
    let user = guard::teaching_user().await?;
    let frame = match (sop_uid.filter(|s| !s.is_empty()), frame) {
        (Some(sop_uid), Some(frame)) => Some(FrameRef { sop_uid, frame }),
        (None, None) => None,
        _ => return Err(AppError::invalid("frame", InvalidReason::BadFormat)),
    };
    Ok(cases::add_comment(&state.db, &user, id.as_str(), &body, frame).await?)
}

/// Marks a consultation comment as the answer (experts only).
#[server(endpoint = "mark_answer")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn mark_answer(comment: String, answer: bool) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::AuthorCases).await?;
    cases::mark_answer(&state.db, &user, &comment, answer).await?;
    Ok(())
}

/// The signed-in user's notifications, newest first.
#[server(endpoint = "notifications")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn notifications() -> Result<Vec<Notification>, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(cases::notifications(&state.db, &user.id).await?)
}

/// How many notifications are unread (the header's badge); zero when signed out.
#[server(endpoint = "unread_notifications")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn unread_notifications() -> Result<u32, AppError> {
    let state = guard::state()?;
    match guard::optional_user().await? {
        Some(user) => Ok(cases::unread_count(&state.db, &user.id).await?),
        None => Ok(0),
    }
}

/// Marks one notification as read, or all with an empty id.
#[server(endpoint = "read_notification")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn read_notification(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(cases::mark_read(&state.db, &user.id, (!id.is_empty()).then_some(id.as_str())).await?)
}
