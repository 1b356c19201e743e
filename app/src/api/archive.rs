//! The regional archive and imports: admins configure the connection; experts search the
//! archive, import studies and follow the jobs; experts open the anonymised studies.
use crate::model::{
    AppError, ArchiveCheck, ArchiveSettingsView, ArchiveStudy, ImportItem, ImportJob, JobId,
    StudyDetail, StudySummary,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::{ArchiveQuery, ImportKind, InvalidReason, JobLabel, Permission, Uid},
    domain::audit::Actor,
    domain::{archive, imports, studies},
};

/// The archive connection as stored (no password or token).
#[server(endpoint = "archive_settings")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn archive_settings() -> Result<ArchiveSettingsView, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::ConfigureArchive).await?;
    Ok(archive::view(&state.db).await?)
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
    let form = archive::ArchiveForm {
        base_url: &base_url,
        auth: &auth,
        username: &username,
        secret: &secret,
        timeout_secs,
    };
    let config = form.config(&state.db).await?;
    archive::save(&state.db, &Actor::web(&admin.id), &config).await?;
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
    let form = archive::ArchiveForm {
        base_url: &base_url,
        auth: &auth,
        username: &username,
        secret: &secret,
        timeout_secs,
    };
    let client = archive::Archive::new(form.config(&state.db).await?).map_err(AppError::Archive)?;
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
    let secret = state.importer.secret();
    Ok(archive::search_marking_imported(&state.db, secret, &query).await?)
}

/// Queues the import of archive studies; returns the job id. Experts only.
#[server(endpoint = "import_studies", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, err(Debug)))]
pub async fn import_studies(study_uids: Vec<String>) -> Result<JobId, AppError> {
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
    let actor = Actor::web(&user.id);
    Ok(JobId(
        state.importer.start_archive(&actor, &study_uids).await?,
    ))
}

/// Recent import jobs with their progress. Experts only.
#[server(endpoint = "import_jobs")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn import_jobs() -> Result<Vec<ImportJob>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::CurateStudies).await?;
    Ok(imports::list_jobs(&state.db, 20).await?)
}

/// One job with every item and its reason. Experts only; the names the files were sent under
/// (which may name a patient) only to the expert who sent them.
#[server(endpoint = "import_job_detail")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn import_job_detail(id: JobId) -> Result<(ImportJob, Vec<ImportItem>), AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    let job = imports::job(&state.db, id.as_str())
        .await?
        // Learners follow only their own logbook uploads.
        .filter(|j| {
            user.may(Permission::CurateStudies)
                || (user.may(Permission::LogScans)
                    && j.created_by.as_deref() == Some(user.id.as_str()))
        })
        .ok_or_else(|| AppError::NotFound("import job".into()))?;
    let items = imports::items(&state.db, &job, &user).await?;
    Ok((job, items))
}

/// Runs a failed archive job again (after the archive came back). Experts only.
#[server(endpoint = "retry_import")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn retry_import(id: JobId) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    if !state
        .importer
        .retry(&Actor::web(&user.id), id.as_str())
        .await?
    {
        return Err(AppError::NotFound("import job".into()));
    }
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
pub async fn open_upload() -> Result<JobId, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    let (kind, label) = (ImportKind::Upload, JobLabel::Upload);
    let actor = Actor::web(&user.id);
    Ok(JobId(
        state.importer.open_inbox(&actor, kind, &label).await?,
    ))
}

/// Every file of an upload has been sent: import them. Their own upload: an expert's, or a
/// learner's for a logbook entry.
#[server(endpoint = "close_upload")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn close_upload(id: JobId) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user().await?;
    if !user.may(Permission::CurateStudies) && !user.may(Permission::LogScans) {
        return Err(AppError::Forbidden);
    }
    let job = imports::job(&state.db, id.as_str())
        .await?
        .filter(|j| j.created_by.as_deref() == Some(user.id.as_str()))
        .ok_or_else(|| AppError::NotFound("upload".into()))?;
    if job.status != crate::model::JobStatus::Receiving {
        return Ok(());
    }
    Ok(state.importer.close_inbox(id.as_str(), None).await?)
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
    let actor = Actor::web(&user.id);
    match state
        .importer
        .remask(&actor, sop_uid.as_str(), pixel_rects)
        .await?
    {
        imports::Remask::NotFound => Err(AppError::NotFound("instance".into())),
        imports::Remask::Refused(failure) => Err(AppError::Refused(failure)),
        imports::Remask::Done => Ok(()),
    }
}
