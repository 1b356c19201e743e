//! Anonymised studies as stored: listing, one study with its instances, finding a blob.
use super::{Db, Result};
use model::{InstanceSummary, StudyDetail, StudySummary, archive::dicom_date_to_iso};

/// A study with its counts, as `STUDY_SELECT` reads it.
#[derive(sqlx::FromRow)]
struct StudyRow {
    uid: String,
    patient_key: String,
    study_date: String,
    modalities: String,
    description: String,
    created_at: i64,
    series: i64,
    instances: i64,
    frames: i64,
}

const STUDY_SELECT: &str = "SELECT s.uid, s.patient_key, s.study_date, s.modalities, s.description, s.created_at, \
     COUNT(DISTINCT i.series_uid) AS series, COUNT(i.sop_uid) AS instances, \
     CAST(COALESCE(SUM(i.frames), 0) AS BIGINT) AS frames \
     FROM studies s LEFT JOIN instances i ON i.study_uid = s.uid";

impl From<StudyRow> for StudySummary {
    fn from(r: StudyRow) -> StudySummary {
        StudySummary {
            uid: r.uid,
            patient_key: r.patient_key,
            date: dicom_date_to_iso(&r.study_date),
            modalities: r.modalities,
            description: r.description,
            series: r.series as u32,
            instances: r.instances as u32,
            frames: r.frames as u32,
            created_at: r.created_at,
        }
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
    Ok(rows.into_iter().map(StudySummary::from).collect())
}

/// An instance of a study with its series, as the study page lists it.
#[derive(sqlx::FromRow)]
struct InstanceRow {
    sop_uid: String,
    series_uid: String,
    series_number: Option<i64>,
    series_description: String,
    number: Option<i64>,
    blob_sha: String,
    size: i64,
    transfer_syntax: String,
    width: i64,
    height: i64,
    frames: i64,
    masked_pixels: i64,
    psnr_db: Option<f64>,
}

impl From<InstanceRow> for InstanceSummary {
    fn from(r: InstanceRow) -> InstanceSummary {
        InstanceSummary {
            sop_uid: r.sop_uid,
            series_uid: r.series_uid,
            series_number: r.series_number,
            series_description: r.series_description,
            number: r.number,
            url: format!("/dicom/{}", r.blob_sha),
            size: r.size as u64,
            transfer_syntax: r.transfer_syntax,
            width: r.width as u32,
            height: r.height as u32,
            frames: r.frames as u32,
            masked_pixels: r.masked_pixels as u64,
            psnr_db: r.psnr_db,
        }
    }
}

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
        "SELECT i.sop_uid, i.series_uid, se.number AS series_number, \
         se.description AS series_description, i.number, i.blob_sha, i.size, \
         i.transfer_syntax, i.width, i.height, i.frames, i.masked_pixels, i.psnr_db \
         FROM instances i JOIN series se ON se.uid = i.series_uid WHERE i.study_uid = $1 \
         ORDER BY se.number, i.series_uid, i.number, i.sop_uid",
    )
    .bind(uid)
    .fetch_all(&db.pool)
    .await?;
    Ok(Some(StudyDetail {
        study: row.into(),
        instances: rows.into_iter().map(InstanceSummary::from).collect(),
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
