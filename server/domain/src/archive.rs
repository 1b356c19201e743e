//! The regional archive's DICOMweb service (PS3.18): QIDO-RS search of studies and instances,
//! WADO-RS retrieve of instances as stored (`transfer-syntax=*`: the archive must not
//! decompress), and the admin's connection settings.
use super::audit::{self, Actor};
use super::{Db, Result, now};
use model::{
    AppError, ArchiveAuth, ArchiveCheck, ArchiveProblem, ArchiveQuery, ArchiveStudy, AuditAction,
    InvalidReason,
};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The connection as configured by an admin.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveConfig {
    /// DICOMweb root, e.g. `http://pacs.hub.local:8042/dicom-web`.
    pub base_url: String,
    pub auth: ArchiveAuth,
    pub username: String,
    /// Password (basic) or token (bearer).
    pub secret: String,
    pub timeout: Duration,
}

/// An instance the archive holds, as its QIDO-RS listing gives it. Source UIDs: kept in
/// memory only.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInstance {
    pub study_uid: String,
    pub series_uid: String,
    pub sop_uid: String,
    pub series_number: Option<i64>,
    pub instance_number: Option<i64>,
}

/// A DICOMweb client for one archive.
#[derive(Debug, Clone)]
pub struct Archive {
    http: reqwest::Client,
    config: ArchiveConfig,
}

/// How many studies one search returns at most.
pub const SEARCH_LIMIT: usize = 200;

fn problem(e: reqwest::Error) -> ArchiveProblem {
    if e.is_timeout() {
        ArchiveProblem::Timeout
    } else if e.is_connect() || e.is_request() {
        ArchiveProblem::Unreachable
    } else if let Some(status) = e.status() {
        status_problem(status.as_u16())
    } else if e.is_decode() || e.is_body() {
        ArchiveProblem::BadAnswer
    } else {
        ArchiveProblem::Unreachable
    }
}

fn status_problem(status: u16) -> ArchiveProblem {
    match status {
        401 | 403 => ArchiveProblem::Refused,
        s => ArchiveProblem::Status(s),
    }
}

/// One attribute of a DICOM JSON object as text: the first value, a person name's
/// alphabetic group, numbers as written.
fn text(obj: &Value, tag: &str) -> String {
    match obj
        .get(tag)
        .and_then(|a| a.get("Value"))
        .and_then(|v| v.get(0))
    {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Object(pn)) => pn
            .get("Alphabetic")
            .or_else(|| pn.get("Ideographic"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string(),
        _ => String::new(),
    }
}

/// All values of an attribute joined with `\`.
fn texts(obj: &Value, tag: &str) -> String {
    obj.get(tag)
        .and_then(|a| a.get("Value"))
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.trim().to_string()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\\")
        })
        .unwrap_or_default()
}

fn number(obj: &Value, tag: &str) -> Option<i64> {
    text(obj, tag).parse().ok()
}

/// `YYYY-MM-DD` → `YYYYMMDD`, refusing anything else.
fn dicom_date(iso: &str) -> Option<String> {
    let d: String = iso.trim().chars().filter(|c| *c != '-').collect();
    (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

/// A name search matches by prefix unless the user typed a wildcard.
fn name_pattern(name: &str) -> String {
    let name = name.trim();
    if name.contains('*') || name.contains('?') {
        name.to_string()
    } else {
        format!("{name}*")
    }
}

/// The QIDO-RS query parameters for a search.
pub fn query_params(query: &ArchiveQuery) -> Vec<(&'static str, String)> {
    let mut p = vec![
        ("limit", SEARCH_LIMIT.to_string()),
        // Name, id, accession, date, description, modalities, counts.
        ("includefield", "00081030".to_string()),
        ("includefield", "00080061".to_string()),
        ("includefield", "00201206".to_string()),
        ("includefield", "00201208".to_string()),
    ];
    if !query.patient_id.trim().is_empty() {
        p.push(("PatientID", query.patient_id.trim().to_string()));
    }
    if !query.patient_name.trim().is_empty() {
        p.push(("PatientName", name_pattern(&query.patient_name)));
    }
    if !query.accession.trim().is_empty() {
        p.push(("AccessionNumber", query.accession.trim().to_string()));
    }
    let from = dicom_date(&query.date_from);
    let to = dicom_date(&query.date_to);
    if from.is_some() || to.is_some() {
        p.push((
            "StudyDate",
            format!("{}-{}", from.unwrap_or_default(), to.unwrap_or_default()),
        ));
    }
    if !query.modality.trim().is_empty() {
        p.push(("ModalitiesInStudy", query.modality.trim().to_uppercase()));
    }
    p
}

/// The archive study a QIDO-RS result object describes.
fn study_from_json(obj: &Value) -> Option<ArchiveStudy> {
    let study_uid = text(obj, "0020000D");
    if study_uid.is_empty() {
        return None;
    }
    Some(ArchiveStudy {
        study_uid,
        patient_id: text(obj, "00100020"),
        patient_name: text(obj, "00100010").replace('^', " ").trim().to_string(),
        accession: text(obj, "00080050"),
        date: model::archive::dicom_date_to_iso(&text(obj, "00080020")),
        modalities: texts(obj, "00080061"),
        description: text(obj, "00081030"),
        series: number(obj, "00201206").unwrap_or(0).max(0) as u32,
        instances: number(obj, "00201208").unwrap_or(0).max(0) as u32,
        imported_as: None,
    })
}

/// The first part of a `multipart/related` body (the DICOM file of a WADO-RS instance).
pub fn first_part<'a>(content_type: &str, body: &'a [u8]) -> Option<&'a [u8]> {
    let boundary = content_type.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })?;
    let delimiter = format!("--{boundary}");
    let finder = memchr::memmem::Finder::new(delimiter.as_bytes());
    let start = finder.find(body)? + delimiter.len();
    let rest = &body[start..];
    let headers_end = memchr::memmem::find(rest, b"\r\n\r\n")? + 4;
    let part = &rest[headers_end..];
    let end = memchr::memmem::Finder::new(format!("\r\n{delimiter}").as_bytes()).find(part)?;
    Some(&part[..end])
}

/// Why a retrieve failed: the archive, or the size limit.
#[derive(Debug, Clone, PartialEq)]
pub enum RetrieveError {
    Archive(ArchiveProblem),
    TooLarge,
}

impl Archive {
    pub fn new(config: ArchiveConfig) -> Result<Archive, ArchiveProblem> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .read_timeout(config.timeout)
            .user_agent(concat!("SonoHub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| ArchiveProblem::Unreachable)?;
        Ok(Archive { http, config })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    fn request(&self, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.get(self.url(path));
        match self.config.auth {
            ArchiveAuth::None => req,
            ArchiveAuth::Basic => req.basic_auth(&self.config.username, Some(&self.config.secret)),
            ArchiveAuth::Bearer => req.bearer_auth(&self.config.secret),
        }
    }

    /// A QIDO-RS request answered as DICOM JSON (an empty answer, 204, is no results).
    async fn qido(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<Vec<Value>, ArchiveProblem> {
        let res = self
            .request(path)
            .query(params)
            .header("accept", "application/dicom+json")
            .timeout(self.config.timeout)
            .send()
            .await
            .map_err(problem)?;
        let status = res.status();
        if status == reqwest::StatusCode::NO_CONTENT {
            return Ok(Vec::new());
        }
        if !status.is_success() {
            return Err(status_problem(status.as_u16()));
        }
        let body = res.bytes().await.map_err(problem)?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        serde_json::from_slice::<Vec<Value>>(&body).map_err(|_| ArchiveProblem::BadAnswer)
    }

    /// Studies matching the query, newest first.
    pub async fn search(&self, query: &ArchiveQuery) -> Result<Vec<ArchiveStudy>, ArchiveProblem> {
        let found = self.qido("/studies", &query_params(query)).await?;
        let mut studies: Vec<ArchiveStudy> = found.iter().filter_map(study_from_json).collect();
        studies.sort_by(|a, b| b.date.cmp(&a.date));
        Ok(studies)
    }

    /// Every instance of a study, in series and instance order.
    pub async fn instances(&self, study_uid: &str) -> Result<Vec<SourceInstance>, ArchiveProblem> {
        let params = [
            ("includefield", "00200011".to_string()),
            ("includefield", "00200013".to_string()),
        ];
        let path = format!("/studies/{study_uid}/instances");
        let found = self.qido(&path, &params).await?;
        let mut list: Vec<SourceInstance> = found
            .iter()
            .filter_map(|obj| {
                let sop_uid = text(obj, "00080018");
                let series_uid = text(obj, "0020000E");
                (!sop_uid.is_empty() && !series_uid.is_empty()).then(|| SourceInstance {
                    study_uid: study_uid.to_string(),
                    series_uid,
                    sop_uid,
                    series_number: number(obj, "00200011"),
                    instance_number: number(obj, "00200013"),
                })
            })
            .collect();
        list.sort_by(|a, b| {
            (
                a.series_number,
                &a.series_uid,
                a.instance_number,
                &a.sop_uid,
            )
                .cmp(&(
                    b.series_number,
                    &b.series_uid,
                    b.instance_number,
                    &b.sop_uid,
                ))
        });
        Ok(list)
    }

    /// One instance as the archive stores it, at most `max_bytes`.
    pub async fn retrieve(
        &self,
        instance: &SourceInstance,
        max_bytes: u64,
    ) -> Result<Vec<u8>, RetrieveError> {
        let path = format!(
            "/studies/{}/series/{}/instances/{}",
            instance.study_uid, instance.series_uid, instance.sop_uid
        );
        let mut res = self
            .request(&path)
            .header(
                "accept",
                "multipart/related; type=\"application/dicom\"; transfer-syntax=*",
            )
            .send()
            .await
            .map_err(|e| RetrieveError::Archive(problem(e)))?;
        let status = res.status();
        if !status.is_success() {
            return Err(RetrieveError::Archive(status_problem(status.as_u16())));
        }
        // Room for the multipart framing around the file.
        let limit = max_bytes.saturating_add(64 * 1024);
        if res.content_length().is_some_and(|n| n > limit) {
            return Err(RetrieveError::TooLarge);
        }
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let mut body = Vec::new();
        while let Some(chunk) = res
            .chunk()
            .await
            .map_err(|e| RetrieveError::Archive(problem(e)))?
        {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(RetrieveError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let file = if content_type
            .to_ascii_lowercase()
            .starts_with("multipart/related")
        {
            first_part(&content_type, &body)
                .ok_or(RetrieveError::Archive(ArchiveProblem::BadAnswer))?
                .to_vec()
        } else {
            body
        };
        if file.len() as u64 > max_bytes {
            return Err(RetrieveError::TooLarge);
        }
        Ok(file)
    }

    /// Asks for one study to see that the archive answers DICOMweb with these credentials.
    pub async fn check(&self) -> ArchiveCheck {
        let started = Instant::now();
        let result = self.qido("/studies", &[("limit", "1".to_string())]).await;
        ArchiveCheck {
            ok: result.is_ok(),
            millis: started.elapsed().as_millis() as u64,
            problem: result.err(),
        }
    }
}

/// The stored connection, secret included.
#[derive(sqlx::FromRow)]
struct SettingsRow {
    base_url: String,
    auth: String,
    username: String,
    secret: String,
    timeout_secs: i64,
    updated_at: i64,
}

const SETTINGS_SELECT: &str = "SELECT base_url, auth, username, secret, timeout_secs, updated_at \
     FROM archive_settings WHERE id = 1";

impl From<SettingsRow> for ArchiveConfig {
    fn from(r: SettingsRow) -> ArchiveConfig {
        ArchiveConfig {
            base_url: r.base_url,
            auth: ArchiveAuth::parse(&r.auth).unwrap_or_default(),
            username: r.username,
            secret: r.secret,
            timeout: Duration::from_secs(r.timeout_secs.clamp(1, 600) as u64),
        }
    }
}

impl From<SettingsRow> for model::ArchiveSettingsView {
    /// What the admin page shows: whether there is a secret, never the secret.
    fn from(r: SettingsRow) -> model::ArchiveSettingsView {
        model::ArchiveSettingsView {
            base_url: r.base_url,
            auth: ArchiveAuth::parse(&r.auth).unwrap_or_default(),
            username: r.username,
            has_secret: !r.secret.is_empty(),
            timeout_secs: r.timeout_secs as u32,
            updated_at: r.updated_at,
        }
    }
}

/// The stored connection, if an admin configured one.
pub async fn load(db: &Db) -> Result<Option<ArchiveConfig>> {
    let row: Option<SettingsRow> = sqlx::query_as(SETTINGS_SELECT)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(ArchiveConfig::from))
}

/// The connection as the admin page shows it (no secret).
pub async fn view(db: &Db) -> Result<model::ArchiveSettingsView> {
    let row: Option<SettingsRow> = sqlx::query_as(SETTINGS_SELECT)
        .fetch_optional(&db.pool)
        .await?;
    Ok(match row {
        Some(row) => row.into(),
        None => model::ArchiveSettingsView {
            timeout_secs: 30,
            ..Default::default()
        },
    })
}

/// The connection as the admin's form gives it, before it is checked.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveForm<'a> {
    pub base_url: &'a str,
    pub auth: &'a str,
    pub username: &'a str,
    /// Empty: keep the stored one.
    pub secret: &'a str,
    pub timeout_secs: u32,
}

impl ArchiveForm<'_> {
    /// Checks the form and turns it into a connection; an empty secret means the stored one.
    pub async fn config(self, db: &Db) -> Result<ArchiveConfig> {
        let base_url = self.base_url.trim().trim_end_matches('/').to_string();
        let valid_url = (base_url.starts_with("http://") || base_url.starts_with("https://"))
            && base_url.len() > "http://x".len()
            && base_url.len() <= 500
            && !base_url.contains(char::is_whitespace);
        if !valid_url {
            return Err(AppError::invalid("base_url", InvalidReason::BadFormat).into());
        }
        let auth = ArchiveAuth::parse(self.auth)
            .ok_or(AppError::invalid("auth", InvalidReason::Unknown))?;
        if auth == ArchiveAuth::Basic && self.username.trim().is_empty() {
            return Err(AppError::invalid("archive_username", InvalidReason::Required).into());
        }
        if !(1..=600).contains(&self.timeout_secs) {
            return Err(AppError::invalid("timeout_secs", InvalidReason::BadFormat).into());
        }
        let username = self.username.trim().to_string();
        // The stored secret goes only where it was given for: the same archive, account and
        // scheme. Anything else must be given its own, or a changed address would carry the
        // archive's password to whichever host it names.
        let secret = if self.secret.is_empty() {
            load(db)
                .await?
                .filter(|c| c.base_url == base_url && c.auth == auth && c.username == username)
                .map(|c| c.secret)
                .unwrap_or_default()
        } else {
            self.secret.to_string()
        };
        if auth != ArchiveAuth::None && secret.is_empty() {
            return Err(AppError::invalid("archive_secret", InvalidReason::Required).into());
        }
        Ok(ArchiveConfig {
            base_url,
            auth,
            username,
            secret,
            timeout: Duration::from_secs(u64::from(self.timeout_secs)),
        })
    }
}

/// Saves the connection with its audit record (never the secret) in one transaction.
pub async fn save(db: &Db, actor: &Actor, config: &ArchiveConfig) -> Result<()> {
    let keep_secret = config.secret.is_empty();
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO archive_settings (id, base_url, auth, username, secret, timeout_secs, updated_by, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET base_url = $1, auth = $2, username = $3, \
         secret = CASE WHEN $8 = 1 THEN archive_settings.secret ELSE $4 END, \
         timeout_secs = $5, updated_by = $6, updated_at = $7",
    )
    .bind(&config.base_url)
    .bind(config.auth.as_str())
    .bind(&config.username)
    .bind(&config.secret)
    .bind(config.timeout.as_secs() as i64)
    // No person when a job connects it (the demo's archive).
    .bind(actor.user.as_ref().map(|u| u.0.clone()))
    .bind(now())
    .bind(i64::from(keep_secret))
    .execute(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "base_url": config.base_url, "auth": config.auth.as_str(),
        "timeout_secs": config.timeout.as_secs() });
    audit::record_in(&mut tx, actor, AuditAction::ArchiveConfigured, None, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses search values the archive could misread (DICOM wildcards and separators, query
/// syntax) and dates that are not `YYYYMMDD`.
pub fn check_query(query: &ArchiveQuery) -> Result<(), AppError> {
    for (field, value) in [
        ("patient_id", &query.patient_id),
        ("patient_name", &query.patient_name),
        ("accession", &query.accession),
        ("modality", &query.modality),
    ] {
        if value.chars().count() > 64 || value.contains(['\\', '&', '=']) {
            return Err(AppError::invalid(field, InvalidReason::BadFormat));
        }
    }
    for (field, value) in [("date_from", &query.date_from), ("date_to", &query.date_to)] {
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if !value.is_empty() && digits != 8 {
            return Err(AppError::invalid(field, InvalidReason::BadFormat));
        }
    }
    Ok(())
}

/// Searches the configured archive and marks the studies already imported (found by their
/// pseudonymous UID under `secret`). The answer identifies patients and is never stored.
pub async fn search_marking_imported(
    db: &Db,
    secret: &[u8],
    query: &ArchiveQuery,
) -> Result<Vec<ArchiveStudy>> {
    check_query(query)?;
    let client = connect(db).await.map_err(AppError::Archive)?;
    let mut found = client.search(query).await.map_err(AppError::Archive)?;
    let mapped: Vec<String> = found
        .iter()
        .map(|s| crate::dicom::anonymize::uid_pseudonym(secret, &s.study_uid))
        .collect();
    for (i, uid) in crate::studies::existing(db, &mapped).await? {
        found[i].imported_as = Some(uid);
    }
    Ok(found)
}

/// The configured archive's client, or `NotConfigured`.
pub async fn connect(db: &Db) -> Result<Archive, ArchiveProblem> {
    match load(db).await {
        Ok(Some(config)) => Archive::new(config),
        Ok(None) => Err(ArchiveProblem::NotConfigured),
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "reading the archive settings");
            Err(ArchiveProblem::NotConfigured)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_become_qido_parameters() {
        let q = ArchiveQuery {
            patient_id: " 123 ".into(),
            patient_name: "zhang".into(),
            accession: String::new(),
            date_from: "2024-01-01".into(),
            date_to: String::new(),
            modality: "us".into(),
        };
        let p = query_params(&q);
        let get = |k: &str| p.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PatientID"), Some("123"));
        assert_eq!(get("PatientName"), Some("zhang*"));
        assert_eq!(get("StudyDate"), Some("20240101-"));
        assert_eq!(get("ModalitiesInStudy"), Some("US"));
        assert_eq!(get("AccessionNumber"), None);
        let q = ArchiveQuery {
            patient_name: "Li*".into(),
            date_from: "bad".into(),
            ..ArchiveQuery::default()
        };
        let p = query_params(&q);
        assert!(p.iter().any(|(k, v)| *k == "PatientName" && v == "Li*"));
        assert!(!p.iter().any(|(k, _)| *k == "StudyDate"));
    }

    #[test]
    fn dicom_json_studies_are_read() {
        let json: Value = serde_json::from_str(
            r#"{"0020000D":{"vr":"UI","Value":["1.2.3"]},
                "00100010":{"vr":"PN","Value":[{"Alphabetic":"WANG^FANG"}]},
                "00100020":{"vr":"LO","Value":["P001"]},
                "00080020":{"vr":"DA","Value":["20240315"]},
                "00080061":{"vr":"CS","Value":["US","SR"]},
                "00201208":{"vr":"IS","Value":[3]}}"#,
        )
        .unwrap();
        let s = study_from_json(&json).unwrap();
        assert_eq!(s.patient_name, "WANG FANG");
        assert_eq!(s.date, "2024-03-15");
        assert_eq!(s.modalities, "US\\SR");
        assert_eq!(s.instances, 3);
        assert_eq!(s.series, 0);
        assert!(study_from_json(&serde_json::json!({})).is_none());
    }

    #[test]
    fn the_first_multipart_part_is_the_file() {
        let body = b"--abc\r\nContent-Type: application/dicom\r\n\r\nDICM\r\n--data\r\n--abc--\r\n";
        let part = first_part(
            "multipart/related; type=\"application/dicom\"; boundary=\"abc\"",
            body,
        );
        assert_eq!(part, Some(&b"DICM\r\n--data"[..]));
        assert_eq!(first_part("multipart/related", body), None);
        assert_eq!(first_part("multipart/related; boundary=zzz", body), None);
    }
}
