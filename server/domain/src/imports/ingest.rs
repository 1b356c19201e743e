//! Ingest: screening, anonymising and storing one accepted instance with its rows, and
//! sweeping the blobs a crash or a re-mask left unreferenced.
use super::screening::{failure_of, screen};
use super::{Importer, InstanceMeta, Outcome};
use crate::audit::{self, Actor};
use crate::blobs::Blobs;
use crate::dicom::{AnonymizeConfig, AnonymizeError, anonymize};
use crate::{Db, Result, now};
use anyhow::Context;
use model::{AuditAction, AuditVia, ImportFailure, ItemStatus};
use sqlx::AnyConnection;

/// Unreferenced blobs younger than this may still be on their way into a row.
const ORPHAN_GRACE_SECS: i64 = 3600;

/// Reads the header of a DICOM file (not the pixels).
pub fn describe(bytes: &[u8]) -> Result<InstanceMeta> {
    use dicom_dictionary_std::tags;
    let obj = dicom_object::OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .from_reader(bytes.get(128..).context("file too short")?)
        .context("reading the header")?;
    let text = |tag| {
        obj.element_opt(tag)
            .ok()
            .flatten()
            .and_then(|e| e.to_str().ok())
            .map(|s| s.trim_end_matches(['\0', ' ']).trim().to_string())
            .unwrap_or_default()
    };
    let int = |tag| text(tag).parse::<i64>().ok();
    Ok(InstanceMeta {
        study_uid: text(tags::STUDY_INSTANCE_UID),
        series_uid: text(tags::SERIES_INSTANCE_UID),
        sop_uid: text(tags::SOP_INSTANCE_UID),
        sop_class: text(tags::SOP_CLASS_UID),
        transfer_syntax: obj.meta().transfer_syntax().to_string(),
        study_date: text(tags::STUDY_DATE),
        study_time: text(tags::STUDY_TIME),
        study_description: text(tags::STUDY_DESCRIPTION),
        modality: text(tags::MODALITY),
        series_number: int(tags::SERIES_NUMBER),
        series_description: text(tags::SERIES_DESCRIPTION),
        series_date: text(tags::SERIES_DATE),
        series_time: text(tags::SERIES_TIME),
        manufacturer: text(tags::MANUFACTURER),
        model: text(tags::MANUFACTURER_MODEL_NAME),
        instance_number: int(tags::INSTANCE_NUMBER),
        rows: int(tags::ROWS).unwrap_or(0).max(0) as u32,
        columns: int(tags::COLUMNS).unwrap_or(0).max(0) as u32,
        frames: int(tags::NUMBER_OF_FRAMES).unwrap_or(1).max(1) as u32,
    })
}

impl Importer {
    pub(super) async fn instance_exists(&self, sop_uid: &str) -> Result<bool> {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT sop_uid FROM instances WHERE sop_uid = $1")
                .bind(sop_uid)
                .fetch_optional(&self.db().pool)
                .await?;
        Ok(found.is_some())
    }

    /// The anonymiser's settings for one job run: the configured ones with the stored device
    /// masks added.
    pub(super) async fn job_config(&self) -> Result<AnonymizeConfig> {
        let mut cfg = self.inner.anonymize.clone();
        cfg.device_masks
            .extend(super::device_masks::active(self.db()).await?);
        Ok(cfg)
    }

    /// Screens, anonymises and stores one file, with the area an expert marked on it when it
    /// was held. Errors are storage failures of our own (the job is retried); everything about
    /// the file itself is an `Outcome`.
    pub(super) async fn ingest(
        &self,
        job: &str,
        item_key: &str,
        bytes: Vec<u8>,
        cfg: &AnonymizeConfig,
    ) -> Result<Outcome> {
        let mut cfg = cfg.clone();
        cfg.image_area = self
            .marked_area(job, item_key)
            .await?
            .map(super::device_masks::pixel_rect);
        let limits = self.inner.limits;
        // Screening may inflate a deflated data set: on the blocking pool, like the rest.
        let anonymised = tokio::task::spawn_blocking(move || match screen(&bytes, limits) {
            Err(f) => Err(Outcome::Failed(f)),
            Ok(()) => match anonymize(&bytes, &cfg) {
                Ok(a) => Ok(a),
                Err(AnonymizeError::NoImageArea) => {
                    let info = super::held::hold_info(&bytes);
                    Err(Outcome::Held(Box::new(info), bytes))
                }
                Err(e) => Err(Outcome::Failed(failure_of(e))),
            },
        })
        .await;
        // A file that makes the de-identifier panic fails alone; the job goes on.
        let anonymised = match anonymised {
            Ok(done) => done,
            Err(e) if e.is_panic() => {
                tracing::error!(job, item_key, "de-identification panicked on this file");
                return Ok(Outcome::Failed(ImportFailure::Damaged));
            }
            Err(e) => return Err(e.into()),
        };
        let anon = match anonymised {
            Ok(a) => a,
            Err(outcome) => return Ok(outcome),
        };
        if self.instance_exists(&anon.sop_uid).await? {
            return Ok(Outcome::Duplicate(anon.sop_uid));
        }
        let meta = describe(&anon.bytes)?;
        let size = anon.bytes.len() as i64;
        let sha = self.inner.blobs.put(anon.bytes).await?;
        let db = self.db();
        let mut tx = db.pool.begin().await?;
        let rows = InstanceRows {
            meta: &meta,
            patient_key: &anon.patient_key,
            sha: &sha,
            size,
            masked_pixels: anon.masked_pixels as i64,
            psnr_db: anon.reencode_psnr_db,
            job: Some(job),
            created_by: None,
        };
        let inserted = insert_instance(&mut tx, &rows).await?;
        let status = if inserted {
            ItemStatus::Imported
        } else {
            ItemStatus::Duplicate
        };
        sqlx::query(
            "UPDATE import_items SET status = $3, sop_uid = $4, error = NULL, updated_at = $5 \
             WHERE job_id = $1 AND item_key = $2",
        )
        .bind(job)
        .bind(item_key)
        .bind(status.as_str())
        .bind(&meta.sop_uid)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        if inserted {
            let actor = Actor::system(AuditVia::Job);
            for mask in &anon.device_masks_used {
                let detail = serde_json::json!({ "job": job, "sop_uid": meta.sop_uid });
                let action = AuditAction::DeviceMaskUsed;
                audit::record_in(&mut tx, &actor, action, Some(mask), detail).await?;
            }
        }
        tx.commit().await?;
        self.renew_lease(job).await;
        Ok(if inserted {
            Outcome::Imported
        } else {
            Outcome::Duplicate(meta.sop_uid)
        })
    }
}

/// A file anonymised outside an import job (a replay package's clip), not yet stored.
#[derive(Debug)]
pub struct Cleaned {
    /// The anonymised DICOM file.
    pub bytes: Vec<u8>,
    pub meta: InstanceMeta,
    pub patient_key: String,
    pub masked_pixels: usize,
    pub reencode_psnr_db: Option<f64>,
    /// Ids of the stored device masks that cleaned it.
    pub device_masks_used: Vec<String>,
}

impl Importer {
    /// Screens and anonymises one file at once, with the same anonymiser and settings (stored
    /// device masks included) as the worker uses for a job's files. A file with no known image
    /// area is refused here, since nothing holds it for an expert to mark.
    pub async fn anonymise_now(&self, bytes: Vec<u8>) -> Result<Result<Cleaned, ImportFailure>> {
        let cfg = self.job_config().await?;
        let limits = self.inner.limits;
        let anonymised = tokio::task::spawn_blocking(move || {
            screen(&bytes, limits)?;
            anonymize(&bytes, &cfg).map_err(failure_of)
        })
        .await?;
        let anon = match anonymised {
            Ok(a) => a,
            Err(f) => return Ok(Err(f)),
        };
        let meta = describe(&anon.bytes)?;
        Ok(Ok(Cleaned {
            bytes: anon.bytes,
            meta,
            patient_key: anon.patient_key,
            masked_pixels: anon.masked_pixels,
            reencode_psnr_db: anon.reencode_psnr_db,
            device_masks_used: anon.device_masks_used,
        }))
    }
}

/// What the study, series and instance rows of one stored, anonymised file say.
pub(crate) struct InstanceRows<'a> {
    pub meta: &'a InstanceMeta,
    pub patient_key: &'a str,
    /// Its blob, already stored.
    pub sha: &'a str,
    pub size: i64,
    pub masked_pixels: i64,
    pub psnr_db: Option<f64>,
    /// The import job it came with, if any.
    pub job: Option<&'a str>,
    /// Who brought it in, when there is no job to say so.
    pub created_by: Option<&'a str>,
}

/// Inserts a stored file's study, series and instance rows in the caller's transaction,
/// keeping those already there; true when the instance is new.
pub(crate) async fn insert_instance(
    conn: &mut AnyConnection,
    rows: &InstanceRows<'_>,
) -> Result<bool> {
    let meta = rows.meta;
    sqlx::query(
        "INSERT INTO studies (uid, patient_key, study_date, modalities, description, created_by, created_at, study_time) \
         VALUES ($1, $2, $3, $4, $5, COALESCE($8, (SELECT created_by FROM import_jobs WHERE id = $6)), $7, $9) \
         ON CONFLICT (uid) DO NOTHING",
    )
    .bind(&meta.study_uid)
    .bind(rows.patient_key)
    .bind(&meta.study_date)
    .bind(&meta.modality)
    .bind(&meta.study_description)
    .bind(rows.job)
    .bind(now())
    .bind(rows.created_by)
    .bind(&meta.study_time)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO series (uid, study_uid, modality, number, description, manufacturer, model, \
         series_date, series_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uid) DO NOTHING",
    )
    .bind(&meta.series_uid)
    .bind(&meta.study_uid)
    .bind(&meta.modality)
    .bind(meta.series_number)
    .bind(&meta.series_description)
    .bind(&meta.manufacturer)
    .bind(&meta.model)
    .bind(&meta.series_date)
    .bind(&meta.series_time)
    .execute(&mut *conn)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO instances (sop_uid, series_uid, study_uid, sop_class, number, blob_sha, size, \
         transfer_syntax, height, width, frames, masked_pixels, psnr_db, job_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (sop_uid) DO NOTHING",
    )
    .bind(&meta.sop_uid)
    .bind(&meta.series_uid)
    .bind(&meta.study_uid)
    .bind(&meta.sop_class)
    .bind(meta.instance_number)
    .bind(rows.sha)
    .bind(rows.size)
    .bind(&meta.transfer_syntax)
    .bind(i64::from(meta.rows))
    .bind(i64::from(meta.columns))
    .bind(i64::from(meta.frames))
    .bind(rows.masked_pixels)
    .bind(crate::sql::Float(rows.psnr_db))
    .bind(rows.job)
    .bind(now())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    Ok(inserted)
}

/// Deletes blobs no instance or replay media entry refers to (left by a crash between blob and
/// row, or by re-cleaning), once they are older than an hour.
pub async fn sweep_orphans(db: &Db, blobs: &Blobs) -> Result<usize> {
    // Replay media (voices, screen recordings) are blobs too, registered when uploaded.
    let referenced: Vec<(String,)> =
        sqlx::query_as("SELECT blob_sha FROM instances UNION SELECT sha FROM replay_media")
            .fetch_all(&db.pool)
            .await?;
    let referenced: std::collections::HashSet<String> =
        referenced.into_iter().map(|(s,)| s).collect();
    let cutoff = now() - ORPHAN_GRACE_SECS;
    let mut removed = 0;
    for (sha, modified) in blobs.list().await? {
        if modified < cutoff && !referenced.contains(&sha) {
            blobs.delete(&sha).await?;
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "deleted unreferenced blobs");
    }
    Ok(removed)
}
