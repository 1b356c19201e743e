//! Device masks: where the image is on every file of one scanner model and image size, for
//! files that carry no Sequence of Ultrasound Regions. Experts save them from the quarantine;
//! admins list, edit and retire them. A device has at most one active mask (saving another
//! replaces it); a retired mask is kept for the record and never used again. Each file cleaned
//! with one is audited (`DeviceMaskUsed`, by the worker).
use super::to_json;
use crate::audit::{self, Actor};
use crate::dicom::DeviceMask;
use crate::{Db, Result, new_id, now};
use model::{AuditAction, Device, DeviceMaskView, MaskRect};
use sqlx::AnyConnection;

/// What a mask is saved with.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskInput {
    pub device: Device,
    pub keep: MaskRect,
    pub remove: Vec<MaskRect>,
}

#[derive(sqlx::FromRow)]
struct MaskRow {
    id: String,
    manufacturer: String,
    model: String,
    image_columns: i64,
    image_rows: i64,
    keep_area: String,
    remove_areas: String,
    created_by: Option<String>,
    created_at: i64,
    updated_by: Option<String>,
    updated_at: i64,
    retired_at: Option<i64>,
}

const MASK_COLUMNS: &str = "m.id, m.manufacturer, m.model, m.image_columns, m.image_rows, m.keep_area, \
     m.remove_areas, cu.username AS created_by, m.created_at, uu.username AS updated_by, m.updated_at, \
     m.retired_at";

/// A device as a row stores it (sizes as database integers).
pub(super) fn device_of(manufacturer: &str, model: &str, columns: i64, rows: i64) -> Device {
    Device {
        manufacturer: manufacturer.to_string(),
        model: model.to_string(),
        columns: columns.max(0) as u32,
        rows: rows.max(0) as u32,
    }
}

/// A rectangle as the anonymiser takes it.
pub(super) fn pixel_rect(r: MaskRect) -> cine::clean::PixelRect {
    cine::clean::PixelRect {
        x0: r.x0,
        y0: r.y0,
        x1: r.x1,
        y1: r.y1,
    }
}

impl MaskRow {
    fn device(&self) -> Device {
        device_of(
            &self.manufacturer,
            &self.model,
            self.image_columns,
            self.image_rows,
        )
    }

    fn keep(&self) -> Option<MaskRect> {
        serde_json::from_str(&self.keep_area).ok()
    }

    fn remove(&self) -> Vec<MaskRect> {
        serde_json::from_str(&self.remove_areas).unwrap_or_default()
    }
}

/// The active masks, as the anonymiser uses them.
pub async fn active(db: &Db) -> Result<Vec<DeviceMask>> {
    let rows: Vec<MaskRow> = sqlx::query_as(&format!(
        "SELECT {MASK_COLUMNS} FROM device_masks m LEFT JOIN users cu ON cu.id = m.created_by \
         LEFT JOIN users uu ON uu.id = m.updated_by WHERE m.retired_at IS NULL ORDER BY m.created_at"
    ))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let device = r.device();
            DeviceMask {
                keep: r.keep().map(pixel_rect),
                rects: r.remove().into_iter().map(pixel_rect).collect(),
                id: Some(r.id),
                manufacturer: device.manufacturer,
                model: device.model,
                columns: device.columns,
                rows: device.rows,
            }
        })
        .collect())
}

/// Every mask, active first, with how often each was used.
pub async fn list(db: &Db) -> Result<Vec<DeviceMaskView>> {
    let rows: Vec<MaskRow> = sqlx::query_as(&format!(
        "SELECT {MASK_COLUMNS} FROM device_masks m LEFT JOIN users cu ON cu.id = m.created_by \
         LEFT JOIN users uu ON uu.id = m.updated_by \
         ORDER BY CASE WHEN m.retired_at IS NULL THEN 0 ELSE 1 END, m.manufacturer, m.model, m.created_at DESC"
    ))
    .fetch_all(&db.pool)
    .await?;
    let uses: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT subject, COUNT(*), MAX(at) FROM audit_events WHERE action = $1 AND subject IS NOT NULL \
         GROUP BY subject",
    )
    .bind(AuditAction::DeviceMaskUsed.as_str())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let used = uses.iter().find(|(id, _, _)| *id == r.id);
            DeviceMaskView {
                device: r.device(),
                keep: r.keep().unwrap_or(MaskRect {
                    x0: 0,
                    y0: 0,
                    x1: 0,
                    y1: 0,
                }),
                remove: r.remove(),
                uses: used.map_or(0, |u| u.1.max(0) as u64),
                last_used_at: used.map(|u| u.2),
                id: r.id,
                created_by: r.created_by,
                created_at: r.created_at,
                updated_by: r.updated_by,
                updated_at: r.updated_at,
                retired_at: r.retired_at,
            }
        })
        .collect())
}

/// The active mask of a device, if any.
async fn active_for(conn: &mut AnyConnection, device: &Device) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM device_masks WHERE retired_at IS NULL AND LOWER(manufacturer) = LOWER($1) \
         AND LOWER(model) = LOWER($2) AND image_columns = $3 AND image_rows = $4",
    )
    .bind(device.manufacturer.trim())
    .bind(device.model.trim())
    .bind(i64::from(device.columns))
    .bind(i64::from(device.rows))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Saves the mask of a device: its active mask is retired and replaced, so the record keeps
/// what every earlier file was cleaned with. Audited as `DeviceMaskSaved`.
pub(super) async fn save(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &MaskInput,
) -> Result<String> {
    let t = now();
    let replaced = active_for(conn, &input.device).await?;
    if let Some(old) = &replaced {
        sqlx::query("UPDATE device_masks SET retired_at = $2 WHERE id = $1")
            .bind(old)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    let id = new_id();
    let user = actor.user.as_ref().map(|u| u.0.clone());
    sqlx::query(
        "INSERT INTO device_masks (id, manufacturer, model, image_columns, image_rows, keep_area, \
         remove_areas, created_by, created_at, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9)",
    )
    .bind(&id)
    .bind(input.device.manufacturer.trim())
    .bind(input.device.model.trim())
    .bind(i64::from(input.device.columns))
    .bind(i64::from(input.device.rows))
    .bind(to_json(&input.keep))
    .bind(to_json(&input.remove))
    .bind(user)
    .bind(t)
    .execute(&mut *conn)
    .await?;
    let detail = serde_json::json!({
        "device": input.device,
        "keep": input.keep,
        "remove": input.remove,
        "replaces": replaced,
    });
    audit::record_in(conn, actor, AuditAction::DeviceMaskSaved, Some(&id), detail).await?;
    Ok(id)
}

/// What changing a mask came to.
#[derive(Debug, Clone, PartialEq)]
pub enum MaskEdit {
    /// Changed; this many held files of its device were released.
    Done(u64),
    /// No active mask has this id (unknown or retired).
    NotFound,
    /// An area does not fit the device's image size, or the kept area is too small.
    BadArea,
}

/// Changes an active mask's areas; returns its device, or why not.
pub(super) async fn edit(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    keep: MaskRect,
    remove: &[MaskRect],
) -> Result<std::result::Result<Device, MaskEdit>> {
    let row: Option<MaskRow> = sqlx::query_as(&format!(
        "SELECT {MASK_COLUMNS} FROM device_masks m LEFT JOIN users cu ON cu.id = m.created_by \
         LEFT JOIN users uu ON uu.id = m.updated_by WHERE m.id = $1 AND m.retired_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Err(MaskEdit::NotFound));
    };
    let device = row.device();
    if !super::held::area_is_usable(&keep, &device)
        || remove.iter().any(|r| !r.fits(device.columns, device.rows))
    {
        return Ok(Err(MaskEdit::BadArea));
    }
    sqlx::query(
        "UPDATE device_masks SET keep_area = $2, remove_areas = $3, updated_by = $4, updated_at = $5 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(to_json(&keep))
    .bind(to_json(&remove))
    .bind(actor.user.as_ref().map(|u| u.0.clone()))
    .bind(now())
    .execute(&mut *conn)
    .await?;
    let detail = serde_json::json!({
        "before": { "keep": row.keep(), "remove": row.remove() },
        "keep": keep,
        "remove": remove,
    });
    audit::record_in(conn, actor, AuditAction::DeviceMaskEdited, Some(id), detail).await?;
    Ok(Ok(device))
}

/// Retires an active mask: later files of its device are held again. `false` when there is
/// no such active mask.
pub async fn retire(db: &Db, actor: &Actor, id: &str) -> Result<bool> {
    let mut tx = db.pool.begin().await?;
    let done = sqlx::query(
        "UPDATE device_masks SET retired_at = $2, updated_by = $3, updated_at = $2 \
         WHERE id = $1 AND retired_at IS NULL",
    )
    .bind(id)
    .bind(now())
    .bind(actor.user.as_ref().map(|u| u.0.clone()))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if done {
        let detail = serde_json::json!({});
        audit::record_in(
            &mut tx,
            actor,
            AuditAction::DeviceMaskRetired,
            Some(id),
            detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}
