//! The archive as SonoHub's DICOMweb service sees it: study, series and instance searches with
//! the matching QIDO-RS needs (UID lists, patient key with wildcards, date ranges, modality),
//! and the stored blobs a WADO-RS retrieve streams. Everything here is already anonymised.
use super::sql::Search;
use super::{Db, Result};

pub mod query;

/// What a search matches on; empty fields match everything. Values arrive validated: UIDs
/// are UIDs, dates are `YYYYMMDD`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matching {
    pub study_uids: Vec<String>,
    pub series_uids: Vec<String>,
    pub sop_uids: Vec<String>,
    /// The pseudonymous patient key; `*` and `?` are DICOM wildcards.
    pub patient_id: Option<String>,
    /// The patient's name, which in a stored study is the same pseudonymous key; wildcards
    /// as above, letters matched regardless of case (PS3.4 C.2.2.2.4 lets PN do so).
    pub patient_name: Option<String>,
    /// Inclusive bounds on the (shifted) study date.
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    /// Inclusive bounds on the study time, `HHMMSS` (a shorter lower bound is padded with
    /// zeros, a shorter upper bound with nines, so `1000` ends at 10:00:59).
    pub time_from: Option<String>,
    pub time_to: Option<String>,
    pub series_numbers: Vec<i64>,
    pub instance_numbers: Vec<i64>,
    pub sop_classes: Vec<String>,
    /// A key asked for a value no stored study can have (an accession number, a referring
    /// physician or a study ID: the anonymiser empties them all), so nothing matches.
    pub nothing: bool,
    /// Modalities in the study (study level) or of the series (series and instance level).
    pub modalities: Vec<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One study as a search returns it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StudyRecord {
    pub uid: String,
    pub patient_key: String,
    /// `YYYYMMDD`, or empty.
    #[sqlx(rename = "study_date")]
    pub date: String,
    /// As in the files (`HHMMSS.FFFFFF` or a prefix), or empty.
    #[sqlx(rename = "study_time")]
    pub time: String,
    pub description: String,
    /// Distinct modalities of its series, sorted (read by a second query).
    #[sqlx(skip)]
    pub modalities: Vec<String>,
    pub series: i64,
    pub instances: i64,
}

/// One series as a search returns it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SeriesRecord {
    pub study_uid: String,
    pub uid: String,
    pub modality: String,
    pub number: Option<i64>,
    pub description: String,
    /// Shifted like the study date; or empty.
    #[sqlx(rename = "series_date")]
    pub date: String,
    #[sqlx(rename = "series_time")]
    pub time: String,
    pub instances: i64,
}

/// One stored instance: what a search returns and where its bytes are.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InstanceRecord {
    pub study_uid: String,
    pub series_uid: String,
    pub sop_uid: String,
    pub sop_class: String,
    pub number: Option<i64>,
    pub modality: String,
    pub blob_sha: String,
    pub size: i64,
    pub transfer_syntax: String,
    #[sqlx(rename = "height")]
    pub rows: i64,
    #[sqlx(rename = "width")]
    pub columns: i64,
    pub frames: i64,
}

/// The study-level conditions every level shares (alias `s` is the study).
fn match_study(search: &mut Search<'_>, m: &Matching) {
    if !m.study_uids.is_empty() {
        search
            .and_where()
            .push("s.uid IN (")
            .bind_list(m.study_uids.iter().cloned())
            .push(")");
    }
    if let Some(id) = &m.patient_id {
        if id.contains(['*', '?']) {
            search
                .and_where()
                .push("s.patient_key LIKE ")
                .bind(like_pattern(id))
                .push(" ESCAPE '\\'");
        } else {
            search.and_where().push("s.patient_key = ").bind(id.clone());
        }
    }
    if let Some(name) = &m.patient_name {
        search
            .and_where()
            .push("UPPER(s.patient_key) LIKE ")
            .bind(like_pattern(&name.to_uppercase()))
            .push(" ESCAPE '\\'");
    }
    // Times of any precision compared as their first six digits.
    let time = "SUBSTR(s.study_time || '000000', 1, 6)";
    if let Some(from) = &m.time_from {
        search
            .and_where()
            .push("s.study_time <> '' AND ")
            .push(time)
            .push(" >= ")
            .bind(padded(from, '0'));
    }
    if let Some(to) = &m.time_to {
        search
            .and_where()
            .push("s.study_time <> '' AND ")
            .push(time)
            .push(" <= ")
            .bind(padded(to, '9'));
    }
    if let Some(from) = &m.date_from {
        search
            .and_where()
            .push("s.study_date <> '' AND s.study_date >= ")
            .bind(from.clone());
    }
    if let Some(to) = &m.date_to {
        search
            .and_where()
            .push("s.study_date <> '' AND s.study_date <= ")
            .bind(to.clone());
    }
}

/// `HHMM…` cut or filled with `fill` to six digits.
fn padded(time: &str, fill: char) -> String {
    let mut out: String = time.chars().filter(char::is_ascii_digit).take(6).collect();
    while out.len() < 6 {
        out.push(fill);
    }
    out
}

/// `column IN (…)` over `values`; nothing when there are none.
fn match_any<T>(search: &mut Search<'_>, column: &str, values: &[T])
where
    T: Clone + for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + 'static,
{
    if values.is_empty() {
        return;
    }
    search
        .and_where()
        .push(column)
        .push(" IN (")
        .bind_list(values.iter().cloned())
        .push(")");
}

/// The page of `m`: ` LIMIT $n OFFSET $m`.
fn page(search: &mut Search<'_>, m: &Matching) {
    search
        .push(" LIMIT ")
        .bind(m.limit.max(0))
        .push(" OFFSET ")
        .bind(m.offset.max(0));
}

/// A DICOM wildcard value as a LIKE pattern: `*` any run, `?` one character, the rest literal.
fn like_pattern(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        match c {
            '*' => out.push('%'),
            '?' => out.push('_'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The modalities of a study's series.
#[derive(sqlx::FromRow)]
struct StudyModality {
    study_uid: String,
    modality: String,
}

/// Studies matching `m`, newest (shifted) study date first.
pub async fn studies(db: &Db, m: &Matching) -> Result<Vec<StudyRecord>> {
    if m.nothing {
        return Ok(Vec::new());
    }
    let mut search = Search::new(
        "SELECT s.uid, s.patient_key, s.study_date, s.study_time, s.description, \
         (SELECT COUNT(*) FROM series se WHERE se.study_uid = s.uid) AS series, \
         (SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.uid) AS instances \
         FROM studies s",
    );
    match_study(&mut search, m);
    if !m.modalities.is_empty() {
        search
            .and_where()
            .push("EXISTS (SELECT 1 FROM series m WHERE m.study_uid = s.uid AND m.modality IN (")
            .bind_list(m.modalities.iter().cloned())
            .push("))");
    }
    search.push(" ORDER BY s.study_date DESC, s.uid");
    page(&mut search, m);
    let mut studies: Vec<StudyRecord> = search.fetch_all(db).await?;
    if studies.is_empty() {
        return Ok(studies);
    }
    let mut search = Search::new("SELECT DISTINCT study_uid, modality FROM series");
    search
        .and_where()
        .push("study_uid IN (")
        .bind_list(studies.iter().map(|s| s.uid.clone()))
        .push(") ORDER BY study_uid, modality");
    let modalities: Vec<StudyModality> = search.fetch_all(db).await?;
    for StudyModality {
        study_uid,
        modality,
    } in modalities
    {
        if modality.is_empty() {
            continue;
        }
        if let Some(s) = studies.iter_mut().find(|s| s.uid == study_uid) {
            s.modalities.push(modality);
        }
    }
    Ok(studies)
}

/// Series matching `m` (study-level keys match their study), in study and series order.
pub async fn series(db: &Db, m: &Matching) -> Result<Vec<SeriesRecord>> {
    if m.nothing {
        return Ok(Vec::new());
    }
    let mut search = Search::new(
        "SELECT se.study_uid, se.uid, se.modality, se.number, se.description, se.series_date, \
         se.series_time, \
         (SELECT COUNT(*) FROM instances i WHERE i.series_uid = se.uid) AS instances \
         FROM series se JOIN studies s ON s.uid = se.study_uid",
    );
    match_study(&mut search, m);
    match_any(&mut search, "se.uid", &m.series_uids);
    match_any(&mut search, "se.modality", &m.modalities);
    match_any(&mut search, "se.number", &m.series_numbers);
    search.push(" ORDER BY s.study_date DESC, se.study_uid, se.number, se.uid");
    page(&mut search, m);
    search.fetch_all(db).await
}

/// Instances matching `m` (study and series keys match their study and series), in series
/// and instance order.
pub async fn instances(db: &Db, m: &Matching) -> Result<Vec<InstanceRecord>> {
    if m.nothing {
        return Ok(Vec::new());
    }
    let mut search = Search::new(
        "SELECT i.study_uid, i.series_uid, i.sop_uid, i.sop_class, i.number, se.modality, \
         i.blob_sha, i.size, i.transfer_syntax, i.height, i.width, i.frames \
         FROM instances i JOIN series se ON se.uid = i.series_uid \
         JOIN studies s ON s.uid = i.study_uid",
    );
    match_study(&mut search, m);
    match_any(&mut search, "i.series_uid", &m.series_uids);
    match_any(&mut search, "i.sop_uid", &m.sop_uids);
    match_any(&mut search, "se.modality", &m.modalities);
    match_any(&mut search, "se.number", &m.series_numbers);
    match_any(&mut search, "i.number", &m.instance_numbers);
    match_any(&mut search, "i.sop_class", &m.sop_classes);
    search.push(
        " ORDER BY s.study_date DESC, i.study_uid, se.number, i.series_uid, i.number, i.sop_uid",
    );
    page(&mut search, m);
    search.fetch_all(db).await
}

/// True when the study is stored.
pub async fn study_exists(db: &Db, study_uid: &str) -> Result<bool> {
    let hit: Option<(String,)> = sqlx::query_as("SELECT uid FROM studies WHERE uid = $1")
        .bind(study_uid)
        .fetch_optional(&db.pool)
        .await?;
    Ok(hit.is_some())
}

/// True when the series is stored and belongs to the study.
pub async fn series_exists(db: &Db, study_uid: &str, series_uid: &str) -> Result<bool> {
    let hit: Option<(String,)> =
        sqlx::query_as("SELECT uid FROM series WHERE uid = $1 AND study_uid = $2")
            .bind(series_uid)
            .bind(study_uid)
            .fetch_optional(&db.pool)
            .await?;
    Ok(hit.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_become_like_patterns_and_the_rest_stays_literal() {
        assert_eq!(like_pattern("SH12*"), "SH12%");
        assert_eq!(like_pattern("SH?2"), "SH_2");
        assert_eq!(like_pattern("a%b_c\\d*"), "a\\%b\\_c\\\\d%");
    }

    #[test]
    fn time_bounds_cover_the_whole_of_their_precision() {
        assert_eq!(padded("09", '0'), "090000");
        assert_eq!(padded("1000", '9'), "100099");
        assert_eq!(padded("101500.123", '9'), "101500");
    }
}
