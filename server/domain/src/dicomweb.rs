//! The archive as SonoHub's DICOMweb service sees it: study, series and instance searches with
//! the matching QIDO-RS needs (UID lists, patient key with wildcards, date ranges, modality),
//! and the stored blobs a WADO-RS retrieve streams. Everything here is already anonymised.
use super::Db;
use anyhow::Result;

/// What a search matches on; empty fields match everything. Values arrive validated: UIDs
/// are UIDs, dates are `YYYYMMDD`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matching {
    pub study_uids: Vec<String>,
    pub series_uids: Vec<String>,
    pub sop_uids: Vec<String>,
    /// The pseudonymous patient key; `*` and `?` are DICOM wildcards.
    pub patient_id: Option<String>,
    /// Inclusive bounds on the (shifted) study date.
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    /// Modalities in the study (study level) or of the series (series and instance level).
    pub modalities: Vec<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One study as a search returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyRecord {
    pub uid: String,
    pub patient_key: String,
    /// `YYYYMMDD`, or empty.
    pub date: String,
    pub description: String,
    /// Distinct modalities of its series, sorted.
    pub modalities: Vec<String>,
    pub series: i64,
    pub instances: i64,
}

/// One series as a search returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRecord {
    pub study_uid: String,
    pub uid: String,
    pub modality: String,
    pub number: Option<i64>,
    pub description: String,
    pub instances: i64,
}

/// One stored instance: what a search returns and where its bytes are.
#[derive(Debug, Clone, PartialEq)]
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
    pub rows: i64,
    pub columns: i64,
    pub frames: i64,
}

enum Bound {
    Text(String),
    Int(i64),
}

/// A WHERE clause assembled from `Matching`, with numbered placeholders both engines accept.
#[derive(Default)]
struct Clause {
    conditions: Vec<String>,
    binds: Vec<Bound>,
}

impl Clause {
    fn param(&mut self, value: Bound) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// `column IN (...)` over `values`; nothing when there are none.
    fn any_of(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let list: Vec<String> = values
            .iter()
            .map(|v| self.param(Bound::Text(v.clone())))
            .collect();
        self.conditions
            .push(format!("{column} IN ({})", list.join(", ")));
    }

    /// The study-level conditions every level shares (alias `s` is the study).
    fn study_level(&mut self, m: &Matching) {
        self.any_of("s.uid", &m.study_uids);
        if let Some(id) = &m.patient_id {
            if id.contains(['*', '?']) {
                let p = self.param(Bound::Text(like_pattern(id)));
                self.conditions
                    .push(format!("s.patient_key LIKE {p} ESCAPE '\\'"));
            } else {
                let p = self.param(Bound::Text(id.clone()));
                self.conditions.push(format!("s.patient_key = {p}"));
            }
        }
        if let Some(from) = &m.date_from {
            let p = self.param(Bound::Text(from.clone()));
            self.conditions
                .push(format!("s.study_date <> '' AND s.study_date >= {p}"));
        }
        if let Some(to) = &m.date_to {
            let p = self.param(Bound::Text(to.clone()));
            self.conditions
                .push(format!("s.study_date <> '' AND s.study_date <= {p}"));
        }
    }

    fn page(&mut self, m: &Matching) -> String {
        let limit = self.param(Bound::Int(m.limit.max(0)));
        let offset = self.param(Bound::Int(m.offset.max(0)));
        format!("LIMIT {limit} OFFSET {offset}")
    }

    fn where_sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }
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

macro_rules! fetch_all {
    ($db:expr, $row:ty, $sql:expr, $binds:expr) => {{
        let sql = $sql;
        let mut q = sqlx::query_as::<_, $row>(&sql);
        for b in $binds {
            q = match b {
                Bound::Text(s) => q.bind(s),
                Bound::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(&$db.pool).await?
    }};
}

type StudyRow = (String, String, String, String, i64, i64);

/// Studies matching `m`, newest (shifted) study date first.
pub async fn studies(db: &Db, m: &Matching) -> Result<Vec<StudyRecord>> {
    let mut c = Clause::default();
    c.study_level(m);
    if !m.modalities.is_empty() {
        let list: Vec<String> = m
            .modalities
            .iter()
            .map(|v| c.param(Bound::Text(v.clone())))
            .collect();
        c.conditions.push(format!(
            "EXISTS (SELECT 1 FROM series m WHERE m.study_uid = s.uid AND m.modality IN ({}))",
            list.join(", ")
        ));
    }
    let page = c.page(m);
    let sql = format!(
        "SELECT s.uid, s.patient_key, s.study_date, s.description, \
         (SELECT COUNT(*) FROM series se WHERE se.study_uid = s.uid), \
         (SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.uid) \
         FROM studies s {} ORDER BY s.study_date DESC, s.uid {page}",
        c.where_sql()
    );
    let rows: Vec<StudyRow> = fetch_all!(db, StudyRow, sql, c.binds);
    let mut studies: Vec<StudyRecord> = rows
        .into_iter()
        .map(
            |(uid, patient_key, date, description, series, instances)| StudyRecord {
                uid,
                patient_key,
                date,
                description,
                modalities: Vec::new(),
                series,
                instances,
            },
        )
        .collect();
    if studies.is_empty() {
        return Ok(studies);
    }
    let mut c = Clause::default();
    let uids: Vec<String> = studies.iter().map(|s| s.uid.clone()).collect();
    c.any_of("study_uid", &uids);
    let sql = format!(
        "SELECT DISTINCT study_uid, modality FROM series {} ORDER BY study_uid, modality",
        c.where_sql()
    );
    let pairs: Vec<(String, String)> = fetch_all!(db, (String, String), sql, c.binds);
    for (study_uid, modality) in pairs {
        if modality.is_empty() {
            continue;
        }
        if let Some(s) = studies.iter_mut().find(|s| s.uid == study_uid) {
            s.modalities.push(modality);
        }
    }
    Ok(studies)
}

type SeriesRow = (String, String, String, Option<i64>, String, i64);

/// Series matching `m` (study-level keys match their study), in study and series order.
pub async fn series(db: &Db, m: &Matching) -> Result<Vec<SeriesRecord>> {
    let mut c = Clause::default();
    c.study_level(m);
    c.any_of("se.uid", &m.series_uids);
    c.any_of("se.modality", &m.modalities);
    let page = c.page(m);
    let sql = format!(
        "SELECT se.study_uid, se.uid, se.modality, se.number, se.description, \
         (SELECT COUNT(*) FROM instances i WHERE i.series_uid = se.uid) \
         FROM series se JOIN studies s ON s.uid = se.study_uid {} \
         ORDER BY s.study_date DESC, se.study_uid, se.number, se.uid {page}",
        c.where_sql()
    );
    let rows: Vec<SeriesRow> = fetch_all!(db, SeriesRow, sql, c.binds);
    Ok(rows
        .into_iter()
        .map(
            |(study_uid, uid, modality, number, description, instances)| SeriesRecord {
                study_uid,
                uid,
                modality,
                number,
                description,
                instances,
            },
        )
        .collect())
}

type InstanceRow = (
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    i64,
);

/// Instances matching `m` (study and series keys match their study and series), in series
/// and instance order.
pub async fn instances(db: &Db, m: &Matching) -> Result<Vec<InstanceRecord>> {
    let mut c = Clause::default();
    c.study_level(m);
    c.any_of("i.series_uid", &m.series_uids);
    c.any_of("i.sop_uid", &m.sop_uids);
    c.any_of("se.modality", &m.modalities);
    let page = c.page(m);
    let sql = format!(
        "SELECT i.study_uid, i.series_uid, i.sop_uid, i.sop_class, i.number, se.modality, \
         i.blob_sha, i.size, i.transfer_syntax, i.height, i.width, i.frames \
         FROM instances i JOIN series se ON se.uid = i.series_uid \
         JOIN studies s ON s.uid = i.study_uid {} \
         ORDER BY s.study_date DESC, i.study_uid, se.number, i.series_uid, i.number, i.sop_uid {page}",
        c.where_sql()
    );
    let rows: Vec<InstanceRow> = fetch_all!(db, InstanceRow, sql, c.binds);
    Ok(rows
        .into_iter()
        .map(
            |(
                study_uid,
                series_uid,
                sop_uid,
                sop_class,
                number,
                modality,
                blob_sha,
                size,
                transfer_syntax,
                rows,
                columns,
                frames,
            )| InstanceRecord {
                study_uid,
                series_uid,
                sop_uid,
                sop_class,
                number,
                modality,
                blob_sha,
                size,
                transfer_syntax,
                rows,
                columns,
                frames,
            },
        )
        .collect())
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
}
