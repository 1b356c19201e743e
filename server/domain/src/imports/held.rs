//! The quarantine: files whose image area is not known (no Sequence of Ultrasound Regions, no
//! device mask) wait here, still identified, for an expert to mark the area.
//!
//! A held file stays where it arrived, `inbox/<job>/<seq>.dcm` (an archive instance is written
//! there when it is held), never in the blob store; `held_files` describes it (its device, the
//! area SonoHub proposes from what moves between frames) and its item's status is `held`. An
//! expert releases one file with an area marked on it, or saves a device mask, which releases
//! every held file of that scanner model and image size; either way the item goes back to
//! `pending` and its job to the queue, and the worker cleans it like any other file. A file can
//! also be discarded (deleted, never imported). Every step is audited.
use super::device_masks::{self, MaskEdit, MaskInput};
use super::names::shows_names_of;
use super::{Importer, to_json};
use crate::audit::{self, Actor};
use crate::{Db, Result, now};
use model::{
    AreaProposal, AuditAction, CurrentUser, Device, HeldDevice, HeldFile, ImportFailure,
    ImportKind, ItemLabel, MaskRect, NoAreaReason,
};
use sqlx::AnyConnection;
use std::path::PathBuf;

/// What the quarantine keeps of a file that was held.
#[derive(Debug, Clone)]
pub(super) struct HeldInfo {
    pub device: Device,
    pub modality: String,
    pub frames: u32,
    pub photometric: String,
    pub proposal: std::result::Result<AreaProposal, NoAreaReason>,
}

/// Reads a held file's device and proposes its image area (decodes up to 30 frames).
pub(super) fn hold_info(bytes: &[u8]) -> HeldInfo {
    let meta = super::describe(bytes).unwrap_or_default();
    let clip = cine::Clip::parse(bytes);
    let (frames, photometric) = match &clip {
        Ok(c) => (c.info().frames, c.info().photometric.trim().to_string()),
        Err(_) => (meta.frames, String::new()),
    };
    let proposal = match &clip {
        Ok(c) => cine::area::propose_for_clip(c)
            .map(|p| AreaProposal {
                rect: MaskRect {
                    x0: p.rect.x0,
                    y0: p.rect.y0,
                    x1: p.rect.x1,
                    y1: p.rect.y1,
                },
                confidence: p.confidence,
                sector: p.shape == cine::area::AreaShape::Sector,
            })
            .map_err(|e| match e {
                cine::area::NoProposal::SingleFrame => NoAreaReason::SingleFrame,
                cine::area::NoProposal::Static => NoAreaReason::Static,
                cine::area::NoProposal::NoCoherentArea => NoAreaReason::NoCoherentArea,
                cine::area::NoProposal::EverythingMoves => NoAreaReason::EverythingMoves,
                _ => NoAreaReason::Undecodable,
            }),
        Err(_) => Err(NoAreaReason::Undecodable),
    };
    HeldInfo {
        device: Device {
            manufacturer: meta.manufacturer.trim().to_string(),
            model: meta.model.trim().to_string(),
            columns: meta.columns,
            rows: meta.rows,
        },
        modality: meta.modality,
        frames,
        photometric,
        proposal,
    }
}

/// A held file's row, as the quarantine lists it.
#[derive(sqlx::FromRow)]
struct HeldRow {
    item_id: String,
    job_id: String,
    kind: String,
    created_by: Option<String>,
    seq: i64,
    label: String,
    status: String,
    manufacturer: String,
    model: String,
    image_columns: i64,
    image_rows: i64,
    frames: i64,
    modality: String,
    photometric: String,
    proposal: String,
    held_at: i64,
}

const HELD_SELECT: &str = "SELECT h.item_id, h.job_id, j.kind, j.created_by, i.seq, i.label, i.status, \
     h.manufacturer, h.model, h.image_columns, h.image_rows, h.frames, h.modality, h.photometric, \
     h.proposal, h.held_at \
     FROM held_files h JOIN import_items i ON i.id = h.item_id JOIN import_jobs j ON j.id = h.job_id";

impl HeldRow {
    fn device(&self) -> Device {
        device_masks::device_of(
            &self.manufacturer,
            &self.model,
            self.image_columns,
            self.image_rows,
        )
    }

    fn view(self, viewer: &CurrentUser) -> HeldFile {
        let label: ItemLabel = serde_json::from_str(&self.label)
            .unwrap_or(ItemLabel::File(self.seq.max(0) as u32 + 1));
        let named = shows_names_of(self.created_by.as_deref(), viewer);
        HeldFile {
            device: self.device(),
            id: self.item_id,
            job: model::JobId(self.job_id),
            job_kind: ImportKind::parse(&self.kind).unwrap_or(ImportKind::Upload),
            label: if named { label } else { label.without_name() },
            modality: self.modality,
            frames: self.frames.max(0) as u32,
            photometric: self.photometric,
            held_at: self.held_at,
            proposal: serde_json::from_str(&self.proposal)
                .unwrap_or(Err(NoAreaReason::Undecodable)),
            released: self.status != "held",
        }
    }
}

/// What releasing or discarding a held file came to.
#[derive(Debug, Clone, PartialEq)]
pub enum HeldOutcome {
    Done,
    /// No held file has this id (already released, discarded or imported).
    NotFound,
    /// The area does not lie inside the image, or is too small to be an image.
    BadArea,
}

/// The smallest image area accepted, per side, in pixels: anything smaller is a slip.
const MIN_AREA_SIDE: u32 = 16;

/// Whether `area` is a usable image area on a `device`-sized image.
pub fn area_is_usable(area: &MaskRect, device: &Device) -> bool {
    area.fits(device.columns, device.rows)
        && area.x1 - area.x0 + 1 >= MIN_AREA_SIDE
        && area.y1 - area.y0 + 1 >= MIN_AREA_SIDE
}

/// Held files (and released ones the worker has not run yet), grouped by device, devices
/// with the most files first.
pub async fn list_held(db: &Db, viewer: &CurrentUser) -> Result<Vec<HeldDevice>> {
    let rows: Vec<HeldRow> = sqlx::query_as(&format!(
        "{HELD_SELECT} WHERE i.status IN ('held', 'pending') ORDER BY h.held_at, i.seq"
    ))
    .fetch_all(&db.pool)
    .await?;
    let masks = device_masks::active(db).await?;
    let mut groups: Vec<HeldDevice> = Vec::new();
    for row in rows {
        let device = row.device();
        let file = row.view(viewer);
        match groups.iter_mut().find(|g| {
            g.device.matches(
                &device.manufacturer,
                &device.model,
                device.columns,
                device.rows,
            )
        }) {
            Some(group) => group.files.push(file),
            None => groups.push(HeldDevice {
                mask: masks
                    .iter()
                    .find(|m| {
                        m.applies_to(
                            &device.manufacturer,
                            &device.model,
                            device.columns,
                            device.rows,
                        )
                    })
                    .and_then(|m| m.id.clone()),
                device,
                files: vec![file],
            }),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.files.len()));
    Ok(groups)
}

/// One held file, as `viewer` may see it.
pub async fn held_file(db: &Db, id: &str, viewer: &CurrentUser) -> Result<Option<HeldFile>> {
    let row: Option<HeldRow> = sqlx::query_as(&format!(
        "{HELD_SELECT} WHERE h.item_id = $1 AND i.status IN ('held', 'pending')"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|r| r.view(viewer)))
}

/// Marks held items as pending again and puts their finished jobs back in the queue (a job
/// still running picks them up when it finishes). Returns how many were released.
async fn requeue(conn: &mut AnyConnection, item_ids: &[String]) -> Result<u64> {
    let mut released = 0;
    for id in item_ids {
        released += sqlx::query(
            "UPDATE import_items SET status = 'pending', updated_at = $2 WHERE id = $1 AND status = 'held'",
        )
        .bind(id)
        .bind(now())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE import_jobs SET status = 'queued', finished_at = NULL, lease_until = 0 \
             WHERE id = (SELECT job_id FROM import_items WHERE id = $1) AND status IN ('done', 'failed')",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(released)
}

/// The held items of one device.
pub(super) async fn held_of_device(
    conn: &mut AnyConnection,
    device: &Device,
) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT h.item_id FROM held_files h JOIN import_items i ON i.id = h.item_id \
         WHERE i.status = 'held' AND LOWER(h.manufacturer) = LOWER($1) AND LOWER(h.model) = LOWER($2) \
         AND h.image_columns = $3 AND h.image_rows = $4 ORDER BY h.held_at",
    )
    .bind(device.manufacturer.trim())
    .bind(device.model.trim())
    .bind(i64::from(device.columns))
    .bind(i64::from(device.rows))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

impl Importer {
    /// Records that an item was held: the file stays in the job's inbox (an archive instance is
    /// written there now), the item's status is `held` with the reason, and what the quarantine
    /// shows is stored with it.
    pub(super) async fn hold(
        &self,
        job: &str,
        key: &str,
        seq: i64,
        info: &HeldInfo,
        bytes: &[u8],
    ) -> Result<()> {
        let path = self.held_path(job, seq);
        if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
            super::write_atomically(&path, bytes).await?;
        }
        let mut tx = self.db().begin_write().await?;
        let (item_id,): (String,) =
            sqlx::query_as("SELECT id FROM import_items WHERE job_id = $1 AND item_key = $2")
                .bind(job)
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "UPDATE import_items SET status = 'held', error = $2, updated_at = $3 WHERE id = $1",
        )
        .bind(&item_id)
        .bind(to_json(&ImportFailure::NoImageArea))
        .bind(now())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO held_files (item_id, job_id, manufacturer, model, image_columns, image_rows, \
             frames, modality, photometric, proposal, area, held_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11) \
             ON CONFLICT (item_id) DO UPDATE SET proposal = $10, area = NULL, held_at = $11",
        )
        .bind(&item_id)
        .bind(job)
        .bind(&info.device.manufacturer)
        .bind(&info.device.model)
        .bind(i64::from(info.device.columns))
        .bind(i64::from(info.device.rows))
        .bind(i64::from(info.frames))
        .bind(&info.modality)
        .bind(&info.photometric)
        .bind(to_json(&info.proposal))
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.renew_lease(job).await;
        Ok(())
    }

    /// Where a held (or queued) inbox file of `job` lies.
    pub(super) fn held_path(&self, job: &str, seq: i64) -> PathBuf {
        self.job_dir(job).join(format!("{seq}.dcm"))
    }

    /// The identified file of a held item, for the expert marking its area.
    pub async fn held_bytes(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT i.job_id, i.seq FROM held_files h JOIN import_items i ON i.id = h.item_id \
             WHERE h.item_id = $1 AND i.status IN ('held', 'pending')",
        )
        .bind(id)
        .fetch_optional(&self.db().pool)
        .await?;
        let Some((job, seq)) = row else {
            return Ok(None);
        };
        match tokio::fs::read(self.held_path(&job, seq)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::Error::from(e).context("reading a held file").into()),
        }
    }

    /// The area an expert marked for a released file, if any.
    pub(super) async fn marked_area(&self, job: &str, key: &str) -> Result<Option<MaskRect>> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT h.area FROM held_files h JOIN import_items i ON i.id = h.item_id \
             WHERE i.job_id = $1 AND i.item_key = $2",
        )
        .bind(job)
        .bind(key)
        .fetch_optional(&self.db().pool)
        .await?;
        Ok(row
            .and_then(|(area,)| area)
            .and_then(|a| serde_json::from_str(&a).ok()))
    }

    /// Releases one held file with the image area an expert marked on it.
    pub async fn release_held(
        &self,
        actor: &Actor,
        id: &str,
        area: MaskRect,
    ) -> Result<HeldOutcome> {
        let mut tx = self.db().begin_write().await?;
        let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT h.job_id, i.seq, h.image_columns, h.image_rows FROM held_files h \
             JOIN import_items i ON i.id = h.item_id WHERE h.item_id = $1 AND i.status = 'held'",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((job, seq, columns, rows)) = row else {
            return Ok(HeldOutcome::NotFound);
        };
        let device = Device {
            manufacturer: String::new(),
            model: String::new(),
            columns: columns.max(0) as u32,
            rows: rows.max(0) as u32,
        };
        if !area_is_usable(&area, &device) {
            return Ok(HeldOutcome::BadArea);
        }
        sqlx::query("UPDATE held_files SET area = $2 WHERE item_id = $1")
            .bind(id)
            .bind(to_json(&area))
            .execute(&mut *tx)
            .await?;
        requeue(&mut tx, &[id.to_string()]).await?;
        let detail = serde_json::json!({ "job": job, "seq": seq, "area": area });
        audit::record_in(&mut tx, actor, AuditAction::HeldReleased, Some(id), detail).await?;
        tx.commit().await?;
        self.inner.wake.notify_one();
        Ok(HeldOutcome::Done)
    }

    /// Deletes a held file: it is never imported (its item keeps the reason, `NoImageArea`).
    pub async fn discard_held(&self, actor: &Actor, id: &str) -> Result<HeldOutcome> {
        let mut tx = self.db().begin_write().await?;
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT i.job_id, i.seq FROM held_files h JOIN import_items i ON i.id = h.item_id \
             WHERE h.item_id = $1 AND i.status = 'held'",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((job, seq)) = row else {
            return Ok(HeldOutcome::NotFound);
        };
        sqlx::query("UPDATE import_items SET status = 'failed', updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::json!({ "job": job, "seq": seq });
        audit::record_in(&mut tx, actor, AuditAction::HeldDiscarded, Some(id), detail).await?;
        tx.commit().await?;
        let path = self.held_path(&job, seq);
        if let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(job, seq, error = %e, "deleting a discarded held file");
        }
        self.empty_inbox_if_settled(&job).await;
        Ok(HeldOutcome::Done)
    }

    /// Saves the device mask for `input`'s device (replacing the device's active mask) and
    /// releases every file of that device held so far. Returns the mask's id and how many
    /// files were released, or `None` when the area is not usable.
    pub async fn save_device_mask(
        &self,
        actor: &Actor,
        input: &MaskInput,
    ) -> Result<Option<(String, u64)>> {
        if !area_is_usable(&input.keep, &input.device)
            || input
                .remove
                .iter()
                .any(|r| !r.fits(input.device.columns, input.device.rows))
        {
            return Ok(None);
        }
        let mut tx = self.db().begin_write().await?;
        let id = device_masks::save(&mut tx, actor, input).await?;
        let held = held_of_device(&mut tx, &input.device).await?;
        let released = requeue(&mut tx, &held).await?;
        tx.commit().await?;
        if released > 0 {
            self.inner.wake.notify_one();
        }
        Ok(Some((id, released)))
    }

    /// Changes a device mask's areas (admins); held files of its device are released too.
    pub async fn edit_device_mask(
        &self,
        actor: &Actor,
        id: &str,
        keep: MaskRect,
        remove: &[MaskRect],
    ) -> Result<MaskEdit> {
        let mut tx = self.db().begin_write().await?;
        let device = match device_masks::edit(&mut tx, actor, id, keep, remove).await? {
            Ok(device) => device,
            Err(refused) => return Ok(refused),
        };
        let held = held_of_device(&mut tx, &device).await?;
        let released = requeue(&mut tx, &held).await?;
        tx.commit().await?;
        if released > 0 {
            self.inner.wake.notify_one();
        }
        Ok(MaskEdit::Done(released))
    }

    /// Deletes a job's inbox folder once the job is finished and holds nothing more.
    pub(super) async fn empty_inbox_if_settled(&self, job: &str) {
        let open: std::result::Result<(i64,), _> = sqlx::query_as(
            "SELECT COUNT(*) FROM import_items i JOIN import_jobs j ON j.id = i.job_id \
             WHERE i.job_id = $1 AND (i.status IN ('held', 'pending') OR j.status NOT IN ('done', 'failed'))",
        )
        .bind(job)
        .fetch_one(&self.db().pool)
        .await;
        if let Ok((0,)) = open {
            let dir = self.job_dir(job);
            if let Err(e) = tokio::fs::remove_dir_all(&dir).await
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(job, error = %e, "emptying the job's inbox");
            }
        }
    }
}
