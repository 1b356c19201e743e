//! The regional archive and imports: admins configure the connection; experts search the
//! archive, import studies and follow the jobs; experts open the anonymised studies.
use crate::model::{
    AppError, ArchiveCheck, ArchiveSettingsView, ArchiveStudy, ImportItem, ImportJob, StudyDetail,
    StudySummary,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::AuditAction,
    crate::model::{ArchiveAuth, ArchiveQuery, InvalidReason, Permission, Uid},
    domain::{self, archive, audit, imports, studies},
    std::time::Duration,
};

/// The archive connection as stored (no password or token).
#[server(endpoint = "archive_settings")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn archive_settings() -> Result<ArchiveSettingsView, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::ConfigureArchive).await?;
    Ok(archive::view(&state.db).await?)
}

/// Checks and turns the form's fields into a connection; an empty secret means "the stored one".
#[cfg(feature = "ssr")]
async fn config_from_form(
    state: &domain::AppState,
    base_url: &str,
    auth: &str,
    username: &str,
    secret: &str,
    timeout_secs: u32,
) -> Result<archive::ArchiveConfig, AppError> {
    let base_url = base_url.trim().trim_end_matches('/').to_string();
    let valid_url = (base_url.starts_with("http://") || base_url.starts_with("https://"))
        && base_url.len() > "http://x".len()
        && base_url.len() <= 500
        && !base_url.contains(char::is_whitespace);
    if !valid_url {
        return Err(AppError::invalid("base_url", InvalidReason::BadFormat));
    }
    let auth = ArchiveAuth::parse(auth).ok_or(AppError::invalid("auth", InvalidReason::Unknown))?;
    if auth == ArchiveAuth::Basic && username.trim().is_empty() {
        return Err(AppError::invalid(
            "archive_username",
            InvalidReason::Required,
        ));
    }
    if !(1..=600).contains(&timeout_secs) {
        return Err(AppError::invalid("timeout_secs", InvalidReason::BadFormat));
    }
    let secret = if secret.is_empty() {
        archive::load(&state.db)
            .await?
            .map(|c| c.secret)
            .unwrap_or_default()
    } else {
        secret.to_string()
    };
    if auth != ArchiveAuth::None && secret.is_empty() {
        return Err(AppError::invalid("archive_secret", InvalidReason::Required));
    }
    Ok(archive::ArchiveConfig {
        base_url,
        auth,
        username: username.trim().to_string(),
        secret,
        timeout: Duration::from_secs(u64::from(timeout_secs)),
    })
}

/// Saves the archive connection. Admins only.
#[server(endpoint = "save_archive_settings")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(secret), err(Debug)))]
pub async fn save_archive_settings(
    base_url: String,
    auth: String,
    username: String,
    secret: String,
    timeout_secs: u32,
) -> Result<ArchiveSettingsView, AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ConfigureArchive).await?;
    let config =
        config_from_form(&state, &base_url, &auth, &username, &secret, timeout_secs).await?;
    archive::save(&state.db, &config, &admin.id.0).await?;
    audit::record(
        &state.db,
        Some(&admin.id.0),
        AuditAction::ArchiveConfigured,
        None,
        serde_json::json!({ "base_url": config.base_url, "auth": config.auth.as_str(),
            "timeout_secs": timeout_secs }),
    )
    .await;
    Ok(archive::view(&state.db).await?)
}

/// Tries the connection in the form (not saved) with a one-study search. Admins only.
#[server(endpoint = "test_archive")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(secret), err(Debug)))]
pub async fn test_archive(
    base_url: String,
    auth: String,
    username: String,
    secret: String,
    timeout_secs: u32,
) -> Result<ArchiveCheck, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::ConfigureArchive).await?;
    let config =
        config_from_form(&state, &base_url, &auth, &username, &secret, timeout_secs).await?;
    let client = archive::Archive::new(config).map_err(AppError::Archive)?;
    Ok(client.check().await)
}

/// Searches the archive. Experts only: the answer identifies patients and is never stored.
#[server(endpoint = "search_archive")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, err(Debug)))]
pub async fn search_archive(
    patient_id: String,
    patient_name: String,
    accession: String,
    date_from: String,
    date_to: String,
    modality: String,
) -> Result<Vec<ArchiveStudy>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::CurateStudies).await?;
    let query = ArchiveQuery {
        patient_id,
        patient_name,
        accession,
        date_from,
        date_to,
        modality,
    };
    for (field, value) in [
        ("patient_id", &query.patient_id),
        ("patient_name", &query.patient_name),
        ("accession", &query.accession),
        ("modality", &query.modality),
    ] {
        if value.chars().count() > 64 || value.contains(['\\', '&', '=']) {
            return Err(AppError::invalid(field, InvalidReason::BadFormat));
        }
    }
    for (field, value) in [("date_from", &query.date_from), ("date_to", &query.date_to)] {
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if !value.is_empty() && digits != 8 {
            return Err(AppError::invalid(field, InvalidReason::BadFormat));
        }
    }
    let client = archive::connect(&state.db)
        .await
        .map_err(AppError::Archive)?;
    let mut found = client.search(&query).await.map_err(AppError::Archive)?;
    let secret = state.importer.secret();
    let mapped: Vec<String> = found
        .iter()
        .map(|s| domain::dicom::anonymize::uid_pseudonym(secret, &s.study_uid))
        .collect();
    for (i, uid) in studies::existing(&state.db, &mapped).await? {
        found[i].imported_as = Some(uid);
    }
    Ok(found)
}

/// Queues the import of archive studies; returns the job id. Experts only.
#[server(endpoint = "import_studies", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, err(Debug)))]
pub async fn import_studies(study_uids: Vec<String>) -> Result<String, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    if study_uids.is_empty() {
        return Err(AppError::invalid("study_uids", InvalidReason::Required));
    }
    if study_uids.len() > 500 || !study_uids.iter().all(|u| Uid::parse(u).is_ok()) {
        return Err(AppError::invalid("study_uids", InvalidReason::BadFormat));
    }
    archive::connect(&state.db)
        .await
        .map_err(AppError::Archive)?;
    let job = state
        .importer
        .start_archive(&user.id.0, &study_uids)
        .await?;
    audit::record(
        &state.db,
        Some(&user.id.0),
        AuditAction::ImportStarted,
        Some(&job),
        serde_json::json!({ "kind": "archive", "studies": study_uids.len() }),
    )
    .await;
    Ok(job)
}

/// Recent import jobs with their progress. Experts only.
#[server(endpoint = "import_jobs")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn import_jobs() -> Result<Vec<ImportJob>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::CurateStudies).await?;
    Ok(imports::list_jobs(&state.db, 20).await?)
}

/// One job with every item and its reason. Experts only.
#[server(endpoint = "import_job_detail")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn import_job_detail(id: String) -> Result<(ImportJob, Vec<ImportItem>), AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::CurateStudies).await?;
    let job = imports::job(&state.db, &id)
        .await?
        .ok_or_else(|| AppError::NotFound("import job".into()))?;
    let items = imports::items(&state.db, &id).await?;
    Ok((job, items))
}

/// Runs a failed archive job again (after the archive came back). Experts only.
#[server(endpoint = "retry_import")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn retry_import(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    if !state.importer.retry(&id).await? {
        return Err(AppError::NotFound("import job".into()));
    }
    audit::record(
        &state.db,
        Some(&user.id.0),
        AuditAction::ImportRetried,
        Some(&id),
        serde_json::json!({}),
    )
    .await;
    Ok(())
}

/// Anonymised studies, newest first. Experts only.
#[server(endpoint = "list_studies")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn list_studies(patient_key: Option<String>) -> Result<Vec<StudySummary>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::CurateStudies).await?;
    Ok(studies::list(&state.db, patient_key.as_deref(), 500).await?)
}

/// One anonymised study with its instances. Experts only.
#[server(endpoint = "study")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn study(uid: String) -> Result<StudyDetail, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::CurateStudies).await?;
    let uid = Uid::parse(&uid).map_err(|_| AppError::NotFound("study".into()))?;
    studies::detail(&state.db, uid.as_str())
        .await?
        .ok_or_else(|| AppError::NotFound("study".into()))
}

/// Opens an upload: files then go to `POST /upload/{job}`, and `close_upload` queues them.
/// Experts only.
#[server(endpoint = "open_upload")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn open_upload() -> Result<String, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    let job = state
        .importer
        .open_inbox(
            crate::model::ImportKind::Upload,
            &crate::model::JobLabel::Upload,
            Some(&user.id.0),
        )
        .await?;
    audit::record(
        &state.db,
        Some(&user.id.0),
        AuditAction::ImportStarted,
        Some(&job),
        serde_json::json!({ "kind": "upload" }),
    )
    .await;
    Ok(job)
}

/// Every file of an upload has been sent: import them. Experts only, their own upload.
#[server(endpoint = "close_upload")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn close_upload(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    let job = imports::job(&state.db, &id)
        .await?
        .filter(|j| j.created_by.as_deref() == Some(user.id.0.as_str()))
        .ok_or_else(|| AppError::NotFound("upload".into()))?;
    if job.status != crate::model::JobStatus::Receiving {
        return Ok(());
    }
    Ok(state.importer.close_inbox(&id, None).await?)
}

/// Blacks out more areas of a stored instance (bounding boxes an expert drew) in every frame.
/// Experts only.
#[server(endpoint = "remask_instance", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn remask_instance(
    sop_uid: String,
    rects: Vec<crate::model::MaskRect>,
) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    let sop_uid = Uid::parse(&sop_uid).map_err(|_| AppError::NotFound("instance".into()))?;
    if rects.is_empty() {
        return Err(AppError::invalid("rects", InvalidReason::Required));
    }
    if rects.len() > 64 || rects.iter().any(|r| r.x0 > r.x1 || r.y0 > r.y1) {
        return Err(AppError::invalid("rects", InvalidReason::BadFormat));
    }
    let pixel_rects = rects
        .iter()
        .map(|r| cine::clean::PixelRect {
            x0: r.x0,
            y0: r.y0,
            x1: r.x1,
            y1: r.y1,
        })
        .collect();
    match state.importer.remask(sop_uid.as_str(), pixel_rects).await? {
        imports::Remask::NotFound => Err(AppError::NotFound("instance".into())),
        imports::Remask::Refused(failure) => Err(AppError::Refused(failure)),
        imports::Remask::Done => {
            audit::record(
                &state.db,
                Some(&user.id.0),
                AuditAction::InstanceRemasked,
                Some(sop_uid.as_str()),
                serde_json::json!({ "rects": rects.len() }),
            )
            .await;
            Ok(())
        }
    }
}
