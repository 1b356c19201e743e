//! Competency: applications and their review forms, credential rules, the scan logbook, the
//! review queue, standings and awards, certificates (public by code) and the dashboards.
use crate::model::competency::{
    ApplicationForm, Certificate, CredentialRule, EntryClip, EntryInput, EntrySummary, EntryView,
    Grid, LearningCurve, MyProgress, Period, QualityReport, QueueFilter, ReviewInput, RuleView,
    Standing,
};
use crate::model::{AppError, JobId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::{JobLabel, Permission, UserId},
    domain::audit::Actor,
    domain::competency,
};

/// Every application with its review form (retired ones marked), for anyone signed in.
#[server(endpoint = "competency_applications")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn competency_applications() -> Result<Vec<ApplicationForm>, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    Ok(competency::applications(&state.db).await?)
}

/// Adds an application or renames it and replaces its review form. Coordinators only.
#[server(endpoint = "save_application", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn save_application(input: ApplicationForm) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageCredentials).await?;
    Ok(competency::save_application(&state.db, &user, input).await?)
}

/// Retires an application (no new logbook entries) or brings it back. Coordinators only.
#[server(endpoint = "retire_application")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn retire_application(code: String, retired: bool) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageCredentials).await?;
    Ok(competency::retire_application(&state.db, &user, &code, retired).await?)
}

/// Every application's credential rule, for anyone signed in.
#[server(endpoint = "credential_rules")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn credential_rules() -> Result<Vec<RuleView>, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    Ok(competency::rules(&state.db).await?)
}

/// Sets an application's credential rule. Coordinators only.
#[server(endpoint = "save_credential_rule", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn save_credential_rule(
    application: String,
    rule: CredentialRule,
) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageCredentials).await?;
    Ok(competency::save_rule(&state.db, &user, &application, rule).await?)
}

/// The signed-in learner's logbook, newest scan first.
#[server(endpoint = "my_logbook")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn my_logbook() -> Result<Vec<EntrySummary>, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::LogScans).await?;
    Ok(competency::my_logbook(&state.db, &user).await?)
}

/// One logbook entry, to its learner, reviewers once submitted, and coordinators.
#[server(endpoint = "logbook_entry")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn logbook_entry(id: String) -> Result<EntryView, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(competency::entry(&state.db, &user, &id).await?)
}

/// Saves a logbook entry (and submits it when asked); returns its id. Learners only.
#[server(endpoint = "save_logbook_entry", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn save_logbook_entry(input: EntryInput) -> Result<String, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::LogScans).await?;
    Ok(competency::save_entry(&state.db, &user, input).await?)
}

/// Clips the learner may attach: those imported from their own uploads.
#[server(endpoint = "logbook_clips")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn logbook_clips() -> Result<Vec<EntryClip>, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::LogScans).await?;
    Ok(competency::pickable_clips(&state.db, &user).await?)
}

/// Opens an upload for a draft entry: files go to `POST /upload/{job}` and through the import
/// pipeline (anonymised, pixels cleaned); `close_upload` queues them. Learners, own drafts.
#[server(endpoint = "logbook_upload")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn logbook_upload(entry: String) -> Result<JobId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::LogScans).await?;
    // The entry must be the learner's draft before a job is opened for it.
    let view = competency::entry(&state.db, &user, &entry).await?;
    if !view.may_edit {
        return Err(AppError::invalid(
            "entry",
            crate::model::InvalidReason::WrongState,
        ));
    }
    let job = state
        .importer
        .open_inbox(
            &Actor::web(&user.id),
            crate::model::ImportKind::Upload,
            &JobLabel::Upload,
        )
        .await?;
    competency::attach_upload(&state.db, &user, &entry, &job).await?;
    Ok(JobId(job))
}

/// Entries waiting for the signed-in expert's review. Experts only.
#[server(endpoint = "review_queue", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn review_queue(filter: QueueFilter) -> Result<Vec<EntrySummary>, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ReviewScans).await?;
    Ok(competency::queue(&state.db, &user, &filter).await?)
}

/// Records a review of a logged scan. Experts only, never their own scan.
#[server(endpoint = "review_scan", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn review_scan(input: ReviewInput) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ReviewScans).await?;
    Ok(competency::review(&state.db, &user, input).await?)
}

/// The signed-in learner's standings and learning curves.
#[server(endpoint = "my_progress")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn get_my_progress() -> Result<MyProgress, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::LogScans).await?;
    Ok(competency::my_progress(&state.db, &user).await?)
}

/// A learner's standing in one application: the learner, or a coordinator.
#[server(endpoint = "learner_standing")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn learner_standing(learner: String, application: String) -> Result<Standing, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let learner = UserId(learner);
    Ok(competency::standing(&state.db, &user, &learner, &application).await?)
}

/// Standings of every learner × application with a logged scan or a credential, optionally of
/// one site and one application. Coordinators only.
#[server(endpoint = "credential_standings")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn credential_standings(
    site: Option<String>,
    application: Option<String>,
) -> Result<Vec<Standing>, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageCredentials).await?;
    let site = site.filter(|s| !s.is_empty());
    let application = application.filter(|a| !a.is_empty());
    Ok(competency::standings(&state.db, &user, site.as_deref(), application.as_deref()).await?)
}

/// Awards a credential to an eligible learner; returns its verification code. Coordinators.
#[server(endpoint = "award_credential")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn award_credential(learner: String, application: String) -> Result<String, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageCredentials).await?;
    Ok(competency::award(&state.db, &user, &UserId(learner), &application).await?)
}

/// Withdraws a credential by its code. Coordinators only.
#[server(endpoint = "revoke_credential")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn revoke_credential(code: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageCredentials).await?;
    Ok(competency::revoke(&state.db, &user, &code).await?)
}

/// A certificate by its verification code: public, for anyone who holds the paper.
#[server(endpoint = "verify_credential")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn verify_credential(code: String) -> Result<Certificate, AppError> {
    let state = guard::state()?;
    Ok(competency::certificate(&state.db, &code).await?)
}

/// The coordinator's site × application grid over a period. Coordinators only.
#[server(endpoint = "competency_grid", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn competency_grid(period: Period) -> Result<Grid, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageCredentials).await?;
    Ok(competency::grid(&state.db, &user, period).await?)
}

/// A learner's learning curve in one application: the learner, or a coordinator.
#[server(endpoint = "learning_curve")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn get_learning_curve(
    learner: String,
    application: String,
) -> Result<LearningCurve, AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    Ok(competency::learning_curve(&state.db, &user, &UserId(learner), &application).await?)
}

/// Site trends, reviewer workload and reviewer agreement over a period. Coordinators only.
#[server(endpoint = "quality_report", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn get_quality_report(
    period: Period,
    application: Option<String>,
) -> Result<QualityReport, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::ManageCredentials).await?;
    let application = application.filter(|a| !a.is_empty());
    Ok(competency::quality_report(&state.db, &user, period, application.as_deref()).await?)
}
