//! Anonymised studies as stored: listing, one study with its instances, finding a blob.
use super::Db;
use anyhow::Result;
use model::{InstanceSummary, StudyDetail, StudySummary, archive::dicom_date_to_iso};

type StudyRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
);

const STUDY_SELECT: &str = "SELECT s.uid, s.patient_key, s.study_date, s.modalities, s.description, s.created_at, \
     COUNT(DISTINCT i.series_uid), COUNT(i.sop_uid), CAST(COALESCE(SUM(i.frames), 0) AS BIGINT), \
     COALESCE(MAX(i.created_at), s.created_at) \
     FROM studies s LEFT JOIN instances i ON i.study_uid = s.uid";

fn study_from_row(
    (uid, patient_key, date, modalities, description, created_at, series, instances, frames, _): StudyRow,
) -> StudySummary {
    StudySummary {
        uid,
        patient_key,
        date: dicom_date_to_iso(&date),
        modalities,
        description,
        series: series as u32,
        instances: instances as u32,
        frames: frames as u32,
        created_at,
    }
}

/// Studies, newest import first; `patient_key` narrows to one pseudonymous patient.
pub async fn list(db: &Db, patient_key: Option<&str>, limit: i64) -> Result<Vec<StudySummary>> {
    let rows: Vec<StudyRow> = sqlx::query_as(&format!(
        "{STUDY_SELECT} WHERE ($1 = '' OR s.patient_key = $1) \
         GROUP BY s.uid, s.patient_key, s.study_date, s.modalities, s.description, s.created_at \
         ORDER BY s.created_at DESC, s.uid LIMIT $2"
    ))
    .bind(patient_key.unwrap_or_default())
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(study_from_row).collect())
}

type InstanceRow = (
    String,
    String,
    Option<i64>,
    String,
    Option<i64>,
    String,
    i64,
    String,
    i64,
    i64,
    i64,
    i64,
    Option<f64>,
);

/// One study with its instances in series and instance order.
pub async fn detail(db: &Db, uid: &str) -> Result<Option<StudyDetail>> {
    let row: Option<StudyRow> = sqlx::query_as(&format!(
        "{STUDY_SELECT} WHERE s.uid = $1 \
         GROUP BY s.uid, s.patient_key, s.study_date, s.modalities, s.description, s.created_at"
    ))
    .bind(uid)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let rows: Vec<InstanceRow> = sqlx::query_as(
        "SELECT i.sop_uid, i.series_uid, se.number, se.description, i.number, i.blob_sha, i.size, \
         i.transfer_syntax, i.width, i.height, i.frames, i.masked_pixels, i.psnr_db \
         FROM instances i JOIN series se ON se.uid = i.series_uid WHERE i.study_uid = $1 \
         ORDER BY se.number, i.series_uid, i.number, i.sop_uid",
    )
    .bind(uid)
    .fetch_all(&db.pool)
    .await?;
    let instances = rows
        .into_iter()
        .map(
            |(
                sop_uid,
                series_uid,
                series_number,
                series_description,
                number,
                sha,
                size,
                transfer_syntax,
                width,
                height,
                frames,
                masked,
                psnr_db,
            )| InstanceSummary {
                sop_uid,
                series_uid,
                series_number,
                series_description,
                number,
                url: format!("/dicom/{sha}"),
                size: size as u64,
                transfer_syntax,
                width: width as u32,
                height: height as u32,
                frames: frames as u32,
                masked_pixels: masked as u64,
                psnr_db,
            },
        )
        .collect();
    Ok(Some(StudyDetail {
        study: study_from_row(row),
        instances,
    }))
}

/// True when an instance is stored in this blob (so it may be served).
pub async fn blob_is_referenced(db: &Db, sha: &str) -> Result<bool> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT sop_uid FROM instances WHERE blob_sha = $1 LIMIT 1")
            .bind(sha)
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.is_some())
}

/// The anonymised study each source study landed on, for those already imported.
pub async fn existing(db: &Db, study_uids: &[String]) -> Result<Vec<(usize, String)>> {
    let mut found = Vec::new();
    for (i, uid) in study_uids.iter().enumerate() {
        let hit: Option<(String,)> = sqlx::query_as("SELECT uid FROM studies WHERE uid = $1")
            .bind(uid)
            .fetch_optional(&db.pool)
            .await?;
        if let Some((uid,)) = hit {
            found.push((i, uid));
        }
    }
    Ok(found)
}
