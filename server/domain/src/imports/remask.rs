//! Re-masking: blacking out more of a stored instance and storing it under a new blob.
use super::screening::failure_of;
use super::{Importer, Remask};
use crate::Result;
use crate::audit::{self, Actor};
use model::{AuditAction, ImportFailure};

impl Importer {
    /// Blacks out `rects` in every frame of a stored instance and stores the result in its place.
    pub async fn remask(
        &self,
        actor: &Actor,
        sop_uid: &str,
        rects: Vec<cine::clean::PixelRect>,
    ) -> Result<Remask> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT blob_sha, masked_pixels FROM instances WHERE sop_uid = $1")
                .bind(sop_uid)
                .fetch_optional(&self.db().pool)
                .await?;
        let rect_count = rects.len();
        let Some((old_sha, masked_before)) = row else {
            return Ok(Remask::NotFound);
        };
        let Some(bytes) = self.inner.blobs.bytes(&old_sha).await? else {
            return Ok(Remask::Refused(ImportFailure::Storage));
        };
        let done =
            tokio::task::spawn_blocking(move || crate::dicom::remask::remask(&bytes, &rects))
                .await?;
        let done = match done {
            Ok(done) => done,
            Err(e) => return Ok(Remask::Refused(failure_of(e))),
        };
        let size = done.bytes.len() as i64;
        let detail =
            serde_json::json!({ "rects": rect_count, "masked_pixels": done.masked_pixels });
        let sha = self.inner.blobs.put(done.bytes).await?;
        // Only if nobody re-cleaned it meanwhile: otherwise their pass would be lost.
        let mut tx = self.db().pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE instances SET blob_sha = $2, size = $3, masked_pixels = $4, \
             psnr_db = COALESCE($5, psnr_db) WHERE sop_uid = $1 AND blob_sha = $6",
        )
        .bind(sop_uid)
        .bind(&sha)
        .bind(size)
        .bind(masked_before + done.masked_pixels as i64)
        .bind(crate::sql::Float(done.reencode_psnr_db))
        .bind(&old_sha)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(Remask::Refused(ImportFailure::Storage));
        }
        let action = AuditAction::InstanceRemasked;
        audit::record_in(&mut tx, actor, action, Some(sop_uid), detail).await?;
        tx.commit().await?;
        Ok(Remask::Done)
    }
}
