//! Import jobs: files from the archive, an upload or a C-STORE association become anonymised
//! studies. Jobs and their items are queued in the database and run by a background worker
//! that claims a job with a lease, so a restart (or another node) picks up where it stopped.
//!
//! Raw files only ever sit in the data folder's inbox (`inbox/<job>/`), which is emptied as
//! they are anonymised; the database and the blob store only see anonymised data. A blob is
//! written before its row, in a transaction with the item's status: a crash between the two
//! leaves an unreferenced blob that [`sweep_orphans`] deletes, never a row without a blob.
use super::archive::{self, RetrieveError, SourceInstance};
use super::blobs::Blobs;
use super::dicom::{AnonymizeConfig, AnonymizeError, anonymize, anonymize::uid_pseudonym};
use super::{Db, Result, new_id, now};
use anyhow::Context;
use model::{
    ImportFailure, ImportItem, ImportJob, ImportKind, ItemLabel, ItemStatus, JobLabel, JobStatus,
};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a claimed job is ours without a heartbeat.
const LEASE_SECS: i64 = 120;
/// Unreferenced blobs younger than this may still be on their way into a row.
const ORPHAN_GRACE_SECS: i64 = 3600;

/// Limits on what is accepted.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest DICOM file accepted, bytes.
    pub max_instance_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_instance_bytes: 512 * 1024 * 1024,
        }
    }
}

/// The import pipeline shared by the server functions, the upload handler, the C-STORE
/// receiver and the worker.
#[derive(Clone)]
pub struct Importer {
    inner: Arc<Inner>,
}

struct Inner {
    /// This node: jobs it held when it stopped are taken back at once on restart.
    node: String,
    db: Db,
    blobs: Blobs,
    inbox: PathBuf,
    anonymize: AnonymizeConfig,
    limits: Limits,
    wake: Notify,
}

impl std::fmt::Debug for Importer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Importer")
            .field("inbox", &self.inner.inbox)
            .field("blobs", &self.inner.blobs)
            .finish()
    }
}

/// What the anonymised file says about itself, for the study, series and instance rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceMeta {
    pub study_uid: String,
    pub series_uid: String,
    pub sop_uid: String,
    pub sop_class: String,
    pub transfer_syntax: String,
    pub study_date: String,
    pub study_description: String,
    pub modality: String,
    pub series_number: Option<i64>,
    pub series_description: String,
    pub manufacturer: String,
    pub model: String,
    pub instance_number: Option<i64>,
    pub rows: u32,
    pub columns: u32,
    pub frames: u32,
}

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

const DEFLATED: &str = dicom_dictionary_std::uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN;

/// Refuses what must not reach the parser: non-DICOM, oversized, or a deflated data set
/// that inflates past the limit.
pub fn screen(bytes: &[u8], limits: Limits) -> Result<(), ImportFailure> {
    if bytes.len() as u64 > limits.max_instance_bytes {
        return Err(ImportFailure::TooLarge(
            limits.max_instance_bytes / (1024 * 1024),
        ));
    }
    if bytes.len() < 132 || &bytes[128..132] != b"DICM" {
        return Err(ImportFailure::NotDicom);
    }
    let mut reader = &bytes[128..];
    let meta = dicom_object::meta::FileMetaTable::from_reader(&mut reader)
        .map_err(|_| ImportFailure::Damaged)?;
    if meta.transfer_syntax() == DEFLATED {
        let cap = limits.max_instance_bytes;
        let mut inflated = 0u64;
        let mut decoder = flate2::read::DeflateDecoder::new(reader).take(cap + 1);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match decoder.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => inflated += n as u64,
                Err(_) => return Err(ImportFailure::Damaged),
            }
        }
        if inflated > cap {
            return Err(ImportFailure::DeflateBomb);
        }
    }
    Ok(())
}

/// The reason for a refused file. Files reach the anonymiser only after [`screen`] found them
/// to be DICOM, so one it cannot read is damaged.
fn failure_of(e: AnonymizeError) -> ImportFailure {
    match e {
        AnonymizeError::Unreadable(_) => ImportFailure::Damaged,
        AnonymizeError::NoImageArea => ImportFailure::NoImageArea,
        AnonymizeError::Pixels(why) => ImportFailure::Unsupported(why),
        AnonymizeError::Phi { element } => ImportFailure::PhiFound(element),
        AnonymizeError::PixelsNotBlank { frame } => ImportFailure::PixelsNotBlank(frame),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// An `import_jobs` row as `JOB_COLUMNS` selects it.
#[derive(sqlx::FromRow)]
struct JobRow {
    id: String,
    kind: String,
    status: String,
    /// JSON of a `JobLabel`.
    label: String,
    created_by: Option<String>,
    created_at: i64,
    finished_at: Option<i64>,
    /// JSON of an `ImportFailure`.
    error: Option<String>,
}

const JOB_COLUMNS: &str = "id, kind, status, label, created_by, created_at, finished_at, error";

/// The outcome of one item.
enum Outcome {
    Imported,
    Duplicate(String),
    Failed(ImportFailure),
}

impl Importer {
    pub fn new(
        node: String,
        db: Db,
        blobs: Blobs,
        inbox: PathBuf,
        anonymize: AnonymizeConfig,
        limits: Limits,
    ) -> Importer {
        Importer {
            inner: Arc::new(Inner {
                node,
                db,
                blobs,
                inbox,
                anonymize,
                limits,
                wake: Notify::new(),
            }),
        }
    }

    pub fn blobs(&self) -> &Blobs {
        &self.inner.blobs
    }

    /// The pseudonymisation secret (UIDs, patient keys, date shifts).
    pub fn secret(&self) -> &[u8] {
        &self.inner.anonymize.secret
    }

    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    fn db(&self) -> &Db {
        &self.inner.db
    }

    fn job_dir(&self, job: &str) -> PathBuf {
        self.inner.inbox.join(job)
    }

    /// Queues the import of archive studies (source Study Instance UIDs). The UIDs wait in
    /// the inbox, not in the database.
    pub async fn start_archive(&self, user: &str, study_uids: &[String]) -> Result<String> {
        let id = new_id();
        let dir = self.job_dir(&id);
        write_atomically(&dir.join("studies.json"), &serde_json::to_vec(study_uids)?).await?;
        let label = JobLabel::Archive {
            studies: study_uids.len() as u32,
        };
        self.insert_job(
            &id,
            ImportKind::Archive,
            JobStatus::Queued,
            &label,
            Some(user),
        )
        .await?;
        self.inner.wake.notify_one();
        Ok(id)
    }

    /// Opens a job that files are about to arrive in (an upload or a C-STORE association).
    pub async fn open_inbox(
        &self,
        kind: ImportKind,
        label: &JobLabel,
        user: Option<&str>,
    ) -> Result<String> {
        let id = new_id();
        tokio::fs::create_dir_all(self.job_dir(&id)).await?;
        self.insert_job(&id, kind, JobStatus::Receiving, label, user)
            .await?;
        Ok(id)
    }

    async fn insert_job(
        &self,
        id: &str,
        kind: ImportKind,
        status: JobStatus,
        label: &JobLabel,
        user: Option<&str>,
    ) -> Result<()> {
        let lease = if status == JobStatus::Receiving {
            now() + LEASE_SECS
        } else {
            0
        };
        sqlx::query(
            "INSERT INTO import_jobs (id, kind, status, label, created_by, created_at, lease_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(kind.as_str())
        .bind(status.as_str())
        .bind(to_json(label))
        .bind(user)
        .bind(now())
        .bind(lease)
        .execute(&self.db().pool)
        .await?;
        Ok(())
    }

    async fn next_seq(&self, job: &str) -> Result<i64> {
        let (next,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(seq), -1) + 1 FROM import_items WHERE job_id = $1")
                .bind(job)
                .fetch_one(&self.db().pool)
                .await?;
        Ok(next)
    }

    /// Puts one received file in a receiving job's inbox and queues it.
    pub async fn add_file(&self, job: &str, bytes: &[u8]) -> Result<()> {
        let part = self.inbox_part(job);
        write_atomically(&part, bytes).await?;
        let queued = self.adopt_file(job, &part).await;
        if queued.is_err() {
            let _ = tokio::fs::remove_file(&part).await;
        }
        queued
    }

    /// A fresh path for a file still arriving in a job's inbox (not yet queued).
    pub fn inbox_part(&self, job: &str) -> PathBuf {
        self.job_dir(job).join(format!(".{}.part", new_id()))
    }

    /// Queues a file that arrived whole at `path` (in the job's inbox) by renaming it.
    pub async fn adopt_file(&self, job: &str, path: &Path) -> Result<()> {
        let seq = self.next_seq(job).await?;
        let target = self.job_dir(job).join(format!("{seq}.dcm"));
        tokio::fs::rename(path, &target)
            .await
            .with_context(|| format!("queueing {}", target.display()))?;
        let key = format!("file-{seq}");
        if let Err(e) = self
            .insert_item(job, &key, seq, &ItemLabel::File(seq as u32 + 1), None)
            .await
        {
            let _ = tokio::fs::remove_file(&target).await;
            return Err(e);
        }
        self.renew_lease(job).await;
        Ok(())
    }

    /// Records a file refused on arrival (too large, unsafe zip path, not delivered whole).
    pub async fn add_refused(&self, job: &str, failure: &ImportFailure) -> Result<()> {
        let seq = self.next_seq(job).await?;
        let key = format!("file-{seq}");
        self.insert_item(
            job,
            &key,
            seq,
            &ItemLabel::File(seq as u32 + 1),
            Some(failure),
        )
        .await
    }

    /// No more files will arrive: queue the job for the worker. `error` notes why receiving
    /// stopped early (what arrived is still imported).
    pub async fn close_inbox(&self, job: &str, error: Option<&ImportFailure>) -> Result<()> {
        sqlx::query(
            "UPDATE import_jobs SET status = 'queued', lease_until = 0, error = $2 \
             WHERE id = $1 AND status = 'receiving'",
        )
        .bind(job)
        .bind(error.map(to_json))
        .execute(&self.db().pool)
        .await?;
        self.inner.wake.notify_one();
        Ok(())
    }

    async fn insert_item(
        &self,
        job: &str,
        key: &str,
        seq: i64,
        label: &ItemLabel,
        failed: Option<&ImportFailure>,
    ) -> Result<()> {
        let status = if failed.is_some() {
            ItemStatus::Failed
        } else {
            ItemStatus::Pending
        };
        sqlx::query(
            "INSERT INTO import_items (id, job_id, item_key, seq, label, status, error, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (job_id, item_key) DO NOTHING",
        )
        .bind(new_id())
        .bind(job)
        .bind(key)
        .bind(seq)
        .bind(to_json(label))
        .bind(status.as_str())
        .bind(failed.map(to_json))
        .bind(now())
        .execute(&self.db().pool)
        .await?;
        Ok(())
    }

    async fn renew_lease(&self, job: &str) {
        let _ = sqlx::query("UPDATE import_jobs SET lease_until = $2 WHERE id = $1")
            .bind(job)
            .bind(now() + LEASE_SECS)
            .execute(&self.db().pool)
            .await;
    }

    /// Puts a failed job back in the queue, with its items that failed for the archive's sake.
    pub async fn retry(&self, job: &str) -> Result<bool> {
        let mut tx = self.db().pool.begin().await?;
        let done = sqlx::query(
            "UPDATE import_jobs SET status = 'queued', error = NULL, finished_at = NULL, lease_until = 0 \
             WHERE id = $1 AND status IN ('failed', 'done') AND kind = 'archive'",
        )
        .bind(job)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if done {
            sqlx::query(
                "UPDATE import_items SET status = 'pending', error = NULL, updated_at = $2 \
                 WHERE job_id = $1 AND status = 'failed' AND error LIKE '{\"kind\":\"archive\"%'",
            )
            .bind(job)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.inner.wake.notify_one();
        Ok(done)
    }

    /// Claims the oldest queued job, or one whose worker stopped renewing its lease, or one
    /// this node was running when it stopped (a node runs one job at a time, so a running
    /// job of ours seen while claiming was left by a previous life of this node).
    async fn claim(&self) -> Result<Option<String>> {
        let t = now();
        let candidates: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM import_jobs WHERE status = 'queued' OR \
             (status = 'running' AND (lease_until < $1 OR claimed_by = $2)) ORDER BY created_at LIMIT 5",
        )
        .bind(t)
        .bind(&self.inner.node)
        .fetch_all(&self.db().pool)
        .await?;
        for (id,) in candidates {
            let claimed = sqlx::query(
                "UPDATE import_jobs SET status = 'running', lease_until = $2, claimed_by = $4, \
                 started_at = COALESCE(started_at, $1) \
                 WHERE id = $3 AND (status = 'queued' OR \
                 (status = 'running' AND (lease_until < $1 OR claimed_by = $4)))",
            )
            .bind(t)
            .bind(t + LEASE_SECS)
            .bind(&id)
            .bind(&self.inner.node)
            .execute(&self.db().pool)
            .await?
            .rows_affected()
                == 1;
            if claimed {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Receiving jobs whose sender vanished (the server stopped mid-upload): import what
    /// arrived and say that the rest did not.
    async fn requeue_abandoned(&self) -> Result<()> {
        sqlx::query(
            "UPDATE import_jobs SET status = 'queued', lease_until = 0, error = $2 \
             WHERE status = 'receiving' AND lease_until < $1",
        )
        .bind(now())
        .bind(to_json(&ImportFailure::Incomplete))
        .execute(&self.db().pool)
        .await?;
        Ok(())
    }

    /// Runs jobs until `stop` turns true. Several workers (nodes) may run at once.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            if let Err(e) = self.requeue_abandoned().await {
                tracing::warn!(error = format!("{e:#}"), "requeueing abandoned uploads");
            }
            match self.claim().await {
                Ok(Some(job)) => {
                    tracing::info!(job, "import job started");
                    let result = tokio::select! {
                        r = self.run_job(&job) => r,
                        _ = stop.wait_for(|s| *s) => return,
                    };
                    if let Err(e) = result {
                        tracing::error!(job, error = format!("{e:#}"), "import job stopped");
                        // Leave it running: the lease runs out and a worker tries again.
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = format!("{e:#}"), "claiming import jobs"),
            }
            tokio::select! {
                _ = self.inner.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    async fn job_kind(&self, job: &str) -> Result<ImportKind> {
        let (kind,): (String,) = sqlx::query_as("SELECT kind FROM import_jobs WHERE id = $1")
            .bind(job)
            .fetch_one(&self.db().pool)
            .await?;
        Ok(ImportKind::parse(&kind).context("unknown job kind")?)
    }

    async fn pending(&self, job: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT item_key, seq FROM import_items WHERE job_id = $1 AND status = 'pending' ORDER BY seq",
        )
        .bind(job)
        .fetch_all(&self.db().pool)
        .await?)
    }

    async fn run_job(&self, job: &str) -> Result<()> {
        match self.job_kind(job).await? {
            ImportKind::Archive => self.run_archive_job(job).await?,
            ImportKind::Upload | ImportKind::Cstore => self.run_inbox_job(job).await?,
        }
        Ok(())
    }

    async fn fail_job(&self, job: &str, failure: &ImportFailure) -> Result<()> {
        tracing::warn!(job, ?failure, "import job failed");
        sqlx::query(
            "UPDATE import_jobs SET status = 'failed', error = $2, finished_at = $3, lease_until = 0 WHERE id = $1",
        )
        .bind(job)
        .bind(to_json(failure))
        .bind(now())
        .execute(&self.db().pool)
        .await?;
        Ok(())
    }

    async fn finish_job(&self, job: &str) -> Result<()> {
        sqlx::query(
            "UPDATE import_jobs SET status = 'done', finished_at = $2, lease_until = 0 WHERE id = $1",
        )
        .bind(job)
        .bind(now())
        .execute(&self.db().pool)
        .await?;
        let dir = self.job_dir(job);
        if let Err(e) = tokio::fs::remove_dir_all(&dir).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(job, error = %e, "emptying the job's inbox");
        }
        tracing::info!(job, "import job done");
        Ok(())
    }

    async fn run_archive_job(&self, job: &str) -> Result<()> {
        let spool = self.job_dir(job).join("studies.json");
        let studies: Vec<String> = match tokio::fs::read(&spool).await {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(e) => {
                // The inbox was lost: the job cannot know what to fetch any more.
                tracing::error!(job, error = %e, "the archive job's study list is gone");
                return self.fail_job(job, &ImportFailure::Storage).await;
            }
        };
        let archive = match archive::connect(self.db()).await {
            Ok(a) => a,
            Err(p) => return self.fail_job(job, &ImportFailure::Archive(p)).await,
        };
        // List again on every run: cheap, and the source UIDs never need storing.
        let mut sources: HashMap<String, SourceInstance> = HashMap::new();
        let mut seq = 0i64;
        for study in &studies {
            let listed = match archive.instances(study).await {
                Ok(list) => list,
                Err(p) => return self.fail_job(job, &ImportFailure::Archive(p)).await,
            };
            for instance in listed {
                let key = uid_pseudonym(&self.inner.anonymize.secret, &instance.sop_uid);
                let label = ItemLabel::Instance {
                    series: instance.series_number,
                    number: instance.instance_number,
                };
                self.insert_item(job, &key, seq, &label, None).await?;
                seq += 1;
                sources.insert(key, instance);
            }
        }
        self.renew_lease(job).await;
        for (key, _) in self.pending(job).await? {
            let outcome = if self.instance_exists(&key).await? {
                Outcome::Duplicate(key.clone())
            } else {
                match sources.get(&key) {
                    None => {
                        Outcome::Failed(ImportFailure::Archive(model::ArchiveProblem::Status(404)))
                    }
                    Some(source) => {
                        match archive
                            .retrieve(source, self.inner.limits.max_instance_bytes)
                            .await
                        {
                            Ok(bytes) => self.ingest(job, &key, bytes).await?,
                            Err(RetrieveError::TooLarge) => {
                                Outcome::Failed(ImportFailure::TooLarge(
                                    self.inner.limits.max_instance_bytes / (1024 * 1024),
                                ))
                            }
                            Err(RetrieveError::Archive(p)) => {
                                // The archive went away: stop here, keep what is done.
                                if matches!(
                                    p,
                                    model::ArchiveProblem::Unreachable
                                        | model::ArchiveProblem::Timeout
                                ) {
                                    return self.fail_job(job, &ImportFailure::Archive(p)).await;
                                }
                                Outcome::Failed(ImportFailure::Archive(p))
                            }
                        }
                    }
                }
            };
            self.record(job, &key, outcome).await?;
        }
        self.finish_job(job).await
    }

    async fn run_inbox_job(&self, job: &str) -> Result<()> {
        for (key, seq) in self.pending(job).await? {
            let path = self.job_dir(job).join(format!("{seq}.dcm"));
            let outcome = match tokio::fs::read(&path).await {
                Ok(bytes) => self.ingest(job, &key, bytes).await?,
                Err(e) => {
                    tracing::error!(job, seq, error = %e, "an inbox file is gone");
                    Outcome::Failed(ImportFailure::Storage)
                }
            };
            self.record(job, &key, outcome).await?;
            let _ = tokio::fs::remove_file(&path).await;
        }
        self.finish_job(job).await
    }

    async fn instance_exists(&self, sop_uid: &str) -> Result<bool> {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT sop_uid FROM instances WHERE sop_uid = $1")
                .bind(sop_uid)
                .fetch_optional(&self.db().pool)
                .await?;
        Ok(found.is_some())
    }

    /// Item outcomes that are not stored together with an instance row.
    async fn record(&self, job: &str, key: &str, outcome: Outcome) -> Result<()> {
        let (status, sop, error) = match outcome {
            // Recorded in the instance's transaction already.
            Outcome::Imported => return Ok(()),
            Outcome::Duplicate(sop) => (ItemStatus::Duplicate, Some(sop), None),
            Outcome::Failed(f) => (ItemStatus::Failed, None, Some(f)),
        };
        sqlx::query(
            "UPDATE import_items SET status = $3, sop_uid = $4, error = $5, updated_at = $6 \
             WHERE job_id = $1 AND item_key = $2",
        )
        .bind(job)
        .bind(key)
        .bind(status.as_str())
        .bind(sop)
        .bind(error.as_ref().map(to_json))
        .bind(now())
        .execute(&self.db().pool)
        .await?;
        self.renew_lease(job).await;
        Ok(())
    }

    /// Screens, anonymises and stores one file. Errors are storage failures of our own (the
    /// job is retried); everything about the file itself is an `Outcome`.
    async fn ingest(&self, job: &str, item_key: &str, bytes: Vec<u8>) -> Result<Outcome> {
        if let Err(f) = screen(&bytes, self.inner.limits) {
            return Ok(Outcome::Failed(f));
        }
        let inner = self.inner.clone();
        let anonymised = tokio::task::spawn_blocking(move || {
            anonymize(&bytes, &inner.anonymize).map_err(failure_of)
        })
        .await?;
        let anon = match anonymised {
            Ok(a) => a,
            Err(f) => return Ok(Outcome::Failed(f)),
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
        tx.commit().await?;
        self.renew_lease(job).await;
        Ok(if inserted {
            Outcome::Imported
        } else {
            Outcome::Duplicate(meta.sop_uid)
        })
    }
}

/// What re-cleaning an instance came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Remask {
    NotFound,
    Refused(ImportFailure),
    /// Stored under a new blob; the old one is no longer served and is swept later.
    Done,
}

impl Importer {
    /// Blacks out `rects` in every frame of a stored instance and stores the result in its place.
    pub async fn remask(
        &self,
        sop_uid: &str,
        rects: Vec<cine::clean::PixelRect>,
    ) -> Result<Remask> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT blob_sha, masked_pixels FROM instances WHERE sop_uid = $1")
                .bind(sop_uid)
                .fetch_optional(&self.db().pool)
                .await?;
        let Some((old_sha, masked_before)) = row else {
            return Ok(Remask::NotFound);
        };
        let Some(bytes) = self.inner.blobs.bytes(&old_sha).await? else {
            return Ok(Remask::Refused(ImportFailure::Storage));
        };
        let done =
            tokio::task::spawn_blocking(move || super::dicom::remask::remask(&bytes, &rects))
                .await?;
        let done = match done {
            Ok(done) => done,
            Err(e) => return Ok(Remask::Refused(failure_of(e))),
        };
        let size = done.bytes.len() as i64;
        let sha = self.inner.blobs.put(done.bytes).await?;
        // Only if nobody re-cleaned it meanwhile: otherwise their pass would be lost.
        let updated = sqlx::query(
            "UPDATE instances SET blob_sha = $2, size = $3, masked_pixels = $4, \
             psnr_db = COALESCE($5, psnr_db) WHERE sop_uid = $1 AND blob_sha = $6",
        )
        .bind(sop_uid)
        .bind(&sha)
        .bind(size)
        .bind(masked_before + done.masked_pixels as i64)
        .bind(done.reencode_psnr_db)
        .bind(&old_sha)
        .execute(&self.db().pool)
        .await?
        .rows_affected();
        if updated == 0 {
            return Ok(Remask::Refused(ImportFailure::Storage));
        }
        Ok(Remask::Done)
    }
}

/// Writes a file atomically: a temporary file in the same folder, then a rename.
pub async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("the path has a folder")?;
    tokio::fs::create_dir_all(dir).await?;
    let tmp = dir.join(format!(
        ".{}.{}.part",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        new_id()
    ));
    tokio::fs::write(&tmp, bytes)
        .await
        .with_context(|| format!("writing {}", tmp.display()))?;
    if let Err(e) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        let e = anyhow::Error::from(e).context(format!("renaming into {}", path.display()));
        return Err(e.into());
    }
    Ok(())
}

impl From<JobRow> for ImportJob {
    /// The job without its counts and studies (see `with_counts`).
    fn from(r: JobRow) -> ImportJob {
        ImportJob {
            id: r.id,
            kind: ImportKind::parse(&r.kind).unwrap_or(ImportKind::Upload),
            status: JobStatus::parse(&r.status).unwrap_or(JobStatus::Failed),
            label: serde_json::from_str(&r.label).unwrap_or(JobLabel::Upload),
            created_by: r.created_by,
            created_at: r.created_at,
            finished_at: r.finished_at,
            total: 0,
            pending: 0,
            imported: 0,
            duplicate: 0,
            failed: 0,
            error: r.error.and_then(|e| serde_json::from_str(&e).ok()),
            studies: Vec::new(),
        }
    }
}

async fn with_counts(db: &Db, mut job: ImportJob) -> Result<ImportJob> {
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM import_items WHERE job_id = $1 GROUP BY status",
    )
    .bind(&job.id)
    .fetch_all(&db.pool)
    .await?;
    for (status, n) in counts {
        let n = n as u32;
        job.total += n;
        match ItemStatus::parse(&status) {
            Some(ItemStatus::Pending) => job.pending += n,
            Some(ItemStatus::Imported) => job.imported += n,
            Some(ItemStatus::Duplicate) => job.duplicate += n,
            Some(ItemStatus::Failed) => job.failed += n,
            None => {}
        }
    }
    let studies: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT i.study_uid FROM import_items t JOIN instances i ON i.sop_uid = t.sop_uid \
         WHERE t.job_id = $1 ORDER BY i.study_uid",
    )
    .bind(&job.id)
    .fetch_all(&db.pool)
    .await?;
    job.studies = studies.into_iter().map(|(s,)| s).collect();
    Ok(job)
}

/// Recent jobs, newest first, with their counts.
pub async fn list_jobs(db: &Db, limit: i64) -> Result<Vec<ImportJob>> {
    let rows: Vec<JobRow> = sqlx::query_as(&format!(
        "SELECT {JOB_COLUMNS} FROM import_jobs ORDER BY created_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let mut jobs = Vec::with_capacity(rows.len());
    for row in rows {
        jobs.push(with_counts(db, row.into()).await?);
    }
    Ok(jobs)
}

/// One job with its counts.
pub async fn job(db: &Db, id: &str) -> Result<Option<ImportJob>> {
    let row: Option<JobRow> = sqlx::query_as(&format!(
        "SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(row) => Ok(Some(with_counts(db, row.into()).await?)),
        None => Ok(None),
    }
}

/// An `import_items` row as a job's item list reads it.
#[derive(sqlx::FromRow)]
struct ItemRow {
    seq: i64,
    /// JSON of an `ItemLabel`.
    label: String,
    status: String,
    sop_uid: Option<String>,
    /// JSON of an `ImportFailure`.
    error: Option<String>,
}

impl From<ItemRow> for ImportItem {
    fn from(r: ItemRow) -> ImportItem {
        ImportItem {
            seq: r.seq as u32,
            label: serde_json::from_str(&r.label).unwrap_or(ItemLabel::File(r.seq as u32 + 1)),
            status: ItemStatus::parse(&r.status).unwrap_or(ItemStatus::Failed),
            sop_uid: r.sop_uid,
            error: r.error.and_then(|e| serde_json::from_str(&e).ok()),
        }
    }
}

/// The items of a job in order.
pub async fn items(db: &Db, job: &str) -> Result<Vec<ImportItem>> {
    let rows: Vec<ItemRow> = sqlx::query_as(
        "SELECT seq, label, status, sop_uid, error FROM import_items WHERE job_id = $1 ORDER BY seq",
    )
    .bind(job)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(ImportItem::from).collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dicom_with_meta(ts: &str, body: &[u8]) -> Vec<u8> {
        use dicom_object::meta::FileMetaTableBuilder;
        let meta = FileMetaTableBuilder::new()
            .transfer_syntax(ts)
            .media_storage_sop_class_uid("1.2.840.10008.5.1.4.1.1.3.1")
            .media_storage_sop_instance_uid("2.25.1")
            .build()
            .unwrap();
        let mut out = vec![0u8; 128];
        out.extend_from_slice(b"DICM");
        meta.write(&mut out).unwrap();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn screening_refuses_what_the_parser_must_not_see() {
        let limits = Limits {
            max_instance_bytes: 1024 * 1024,
        };
        assert_eq!(screen(b"hello", limits), Err(ImportFailure::NotDicom));
        assert_eq!(
            screen(&vec![0u8; 2 * 1024 * 1024], limits),
            Err(ImportFailure::TooLarge(1))
        );
        let mut broken = vec![0u8; 128];
        broken.extend_from_slice(b"DICM\x02\x00");
        assert_eq!(screen(&broken, limits), Err(ImportFailure::Damaged));
        // 64 MB of zeros deflate to about 64 KB: far past the 1 MB limit once inflated.
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut enc, &vec![0u8; 64 * 1024 * 1024]).unwrap();
        let bomb = dicom_with_meta(DEFLATED, &enc.finish().unwrap());
        assert!(bomb.len() < 1024 * 1024);
        assert_eq!(screen(&bomb, limits), Err(ImportFailure::DeflateBomb));
        let plain = dicom_with_meta("1.2.840.10008.1.2.1", &[0u8; 16]);
        assert_eq!(screen(&plain, limits), Ok(()));
    }
}
