//! Ingest: screening, anonymising and storing one accepted instance with its rows, and
//! sweeping the blobs a crash or a re-mask left unreferenced.
use super::screening::{failure_of, screen};
use super::{Importer, InstanceMeta, Outcome};
use crate::audit::{self, Actor};
use crate::blobs::Blobs;
use crate::dicom::{AnonymizeConfig, AnonymizeError, anonymize};
use crate::{Db, Result, now};
use anyhow::Context;
use model::{AuditAction, AuditVia, ItemStatus};

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
        study_description: text(tags::STUDY_DESCRIPTION),
        modality: text(tags::MODALITY),
        series_number: int(tags::SERIES_NUMBER),
        series_description: text(tags::SERIES_DESCRIPTION),
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
        if let Err(f) = screen(&bytes, self.inner.limits) {
            return Ok(Outcome::Failed(f));
        }
        let mut cfg = cfg.clone();
        cfg.image_area = self
            .marked_area(job, item_key)
            .await?
            .map(super::device_masks::pixel_rect);
        let anonymised = tokio::task::spawn_blocking(move || match anonymize(&bytes, &cfg) {
            Ok(a) => Ok(a),
            Err(AnonymizeError::NoImageArea) => {
                let info = super::held::hold_info(&bytes);
                Err(Outcome::Held(Box::new(info), bytes))
            }
            Err(e) => Err(Outcome::Failed(failure_of(e))),
        })
        .await?;
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
        sqlx::query(
            "INSERT INTO studies (uid, patient_key, study_date, modalities, description, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, (SELECT created_by FROM import_jobs WHERE id = $6), $7) \
             ON CONFLICT (uid) DO NOTHING",
        )
        .bind(&meta.study_uid)
        .bind(&anon.patient_key)
        .bind(&meta.study_date)
        .bind(&meta.modality)
        .bind(&meta.study_description)
        .bind(job)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO series (uid, study_uid, modality, number, description, manufacturer, model) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (uid) DO NOTHING",
        )
        .bind(&meta.series_uid)
        .bind(&meta.study_uid)
        .bind(&meta.modality)
        .bind(meta.series_number)
        .bind(&meta.series_description)
        .bind(&meta.manufacturer)
        .bind(&meta.model)
        .execute(&mut *tx)
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
        .bind(&sha)
        .bind(size)
        .bind(&meta.transfer_syntax)
        .bind(i64::from(meta.rows))
        .bind(i64::from(meta.columns))
        .bind(i64::from(meta.frames))
        .bind(anon.masked_pixels as i64)
        .bind(anon.reencode_psnr_db)
        .bind(job)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
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

/// Deletes blobs no instance refers to (left by a crash between blob and row, or by
/// re-cleaning), once they are older than an hour.
pub async fn sweep_orphans(db: &Db, blobs: &Blobs) -> Result<usize> {
    let referenced: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT blob_sha FROM instances")
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
