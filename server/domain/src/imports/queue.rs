//! The job queue: opening jobs, spooling their files and items, leasing a job to a worker,
//! retrying it, and reading a job's status back.
use super::names::{FileName, file_label, shows_file_names};
use super::{Importer, to_json};
use crate::audit::{self, Actor};
use crate::{Db, Result, new_id, now};
use anyhow::Context;
use model::{
    AuditAction, CurrentUser, ImportFailure, ImportItem, ImportJob, ImportKind, ItemLabel,
    ItemStatus, JobLabel, JobStatus,
};
use std::path::{Path, PathBuf};

/// How long a claimed job is ours without a heartbeat.
const LEASE_SECS: i64 = 120;
/// How long an open upload waits for its next file (or for more bytes of the one arriving)
/// before it is taken as abandoned: a person choosing files, or a zip crawling up a clinic's
/// ADSL line, must not lose the job under them.
const RECEIVING_IDLE_SECS: i64 = 30 * 60;
/// Failed runs after which a job fails for good (a person may still retry it).
const MAX_FAILED_RUNS: i64 = 5;

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

impl Importer {
    /// Queues the import of archive studies (source Study Instance UIDs). The UIDs wait in
    /// the inbox, not in the database.
    pub async fn start_archive(&self, actor: &Actor, study_uids: &[String]) -> Result<String> {
        let id = new_id();
        let dir = self.job_dir(&id);
        write_atomically(&dir.join("studies.json"), &serde_json::to_vec(study_uids)?).await?;
        let label = JobLabel::Archive {
            studies: study_uids.len() as u32,
        };
        self.insert_job(actor, &id, ImportKind::Archive, JobStatus::Queued, &label)
            .await?;
        self.inner.wake.notify_one();
        Ok(id)
    }

    /// Opens a job that files are about to arrive in (an upload or a C-STORE association).
    pub async fn open_inbox(
        &self,
        actor: &Actor,
        kind: ImportKind,
        label: &JobLabel,
    ) -> Result<String> {
        let id = new_id();
        tokio::fs::create_dir_all(self.job_dir(&id)).await?;
        self.insert_job(actor, &id, kind, JobStatus::Receiving, label)
            .await?;
        Ok(id)
    }

    /// Writes the job and its `ImportStarted` audit record in one transaction.
    async fn insert_job(
        &self,
        actor: &Actor,
        id: &str,
        kind: ImportKind,
        status: JobStatus,
        label: &JobLabel,
    ) -> Result<()> {
        let lease = if status == JobStatus::Receiving {
            now() + RECEIVING_IDLE_SECS
        } else {
            0
        };
        let mut tx = self.db().pool.begin().await?;
        sqlx::query(
            "INSERT INTO import_jobs (id, kind, status, label, created_by, created_at, lease_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(kind.as_str())
        .bind(status.as_str())
        .bind(to_json(label))
        .bind(actor.user.as_ref().map(|u| u.0.clone()))
        .bind(now())
        .bind(lease)
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "kind": kind.as_str(), "label": label });
        audit::record_in(&mut tx, actor, AuditAction::ImportStarted, Some(id), detail).await?;
        tx.commit().await?;
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

    /// Puts one received file in a receiving job's inbox and queues it, under the name it was
    /// sent with when it has one (C-STORE has none: the item is "File n").
    pub async fn add_file(&self, job: &str, bytes: &[u8], name: Option<&FileName>) -> Result<()> {
        let part = self.inbox_part(job);
        write_atomically(&part, bytes).await?;
        let queued = self.adopt_file(job, &part, name).await;
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
    pub async fn adopt_file(&self, job: &str, path: &Path, name: Option<&FileName>) -> Result<()> {
        let seq = self.next_seq(job).await?;
        let target = self.job_dir(job).join(format!("{seq}.dcm"));
        tokio::fs::rename(path, &target)
            .await
            .with_context(|| format!("queueing {}", target.display()))?;
        let key = format!("file-{seq}");
        if let Err(e) = self
            .insert_item(job, &key, seq, &file_label(name, seq as u32 + 1), None)
            .await
        {
            let _ = tokio::fs::remove_file(&target).await;
            return Err(e);
        }
        self.keep_receiving(job).await;
        Ok(())
    }

    /// Records a file refused on arrival (too large, unsafe zip path, not delivered whole).
    pub async fn add_refused(
        &self,
        job: &str,
        failure: &ImportFailure,
        name: Option<&FileName>,
    ) -> Result<()> {
        let seq = self.next_seq(job).await?;
        let key = format!("file-{seq}");
        let label = file_label(name, seq as u32 + 1);
        self.insert_item(job, &key, seq, &label, Some(failure))
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

    pub(super) async fn insert_item(
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

    /// Tells the queue that a receiving job's sender is still there (a file arrived, or more
    /// bytes of one), so it is not imported as abandoned for another `RECEIVING_IDLE_SECS`.
    pub async fn keep_receiving(&self, job: &str) {
        let _ = sqlx::query(
            "UPDATE import_jobs SET lease_until = $2 WHERE id = $1 AND status = 'receiving'",
        )
        .bind(job)
        .bind(now() + RECEIVING_IDLE_SECS)
        .execute(&self.db().pool)
        .await;
    }

    pub(super) async fn renew_lease(&self, job: &str) {
        let _ = sqlx::query("UPDATE import_jobs SET lease_until = $2 WHERE id = $1")
            .bind(job)
            .bind(now() + LEASE_SECS)
            .execute(&self.db().pool)
            .await;
    }

    /// Puts a failed job back in the queue, with its items that failed for the archive's sake.
    pub async fn retry(&self, actor: &Actor, job: &str) -> Result<bool> {
        let mut tx = self.db().pool.begin().await?;
        let done = sqlx::query(
            "UPDATE import_jobs SET status = 'queued', error = NULL, finished_at = NULL, lease_until = 0, \
             runs_failed = 0, not_before = 0 \
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
            let detail = serde_json::json!({});
            audit::record_in(
                &mut tx,
                actor,
                AuditAction::ImportRetried,
                Some(job),
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        self.inner.wake.notify_one();
        Ok(done)
    }

    /// Claims the oldest queued job, or one whose worker stopped renewing its lease, or one
    /// this node was running when it stopped (a node runs one job at a time, so a running
    /// job of ours seen while claiming was left by a previous life of this node).
    /// Jobs whose runs failed wait out their back-off and come after those that have not.
    pub(super) async fn claim(&self) -> Result<Option<String>> {
        let t = now();
        let candidates: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM import_jobs WHERE (status = 'queued' AND not_before <= $1) OR \
             (status = 'running' AND (lease_until < $1 OR claimed_by = $2)) \
             ORDER BY runs_failed, created_at, id LIMIT 5",
        )
        .bind(t)
        .bind(&self.inner.node)
        .fetch_all(&self.db().pool)
        .await?;
        for (id,) in candidates {
            let claimed = sqlx::query(
                "UPDATE import_jobs SET status = 'running', lease_until = $2, claimed_by = $4, \
                 started_at = COALESCE(started_at, $1) \
                 WHERE id = $3 AND ((status = 'queued' AND not_before <= $1) OR \
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

    /// After a run of `job` failed (an error, or a panic): queued again after a back-off that
    /// doubles with each failed run (30 s up to 30 min), behind jobs that have not failed;
    /// after `MAX_FAILED_RUNS` it fails for good. Returns whether it will run again.
    pub(super) async fn back_off(&self, job: &str) -> Result<bool> {
        let (runs,): (i64,) = sqlx::query_as(
            "UPDATE import_jobs SET runs_failed = runs_failed + 1 WHERE id = $1 RETURNING runs_failed",
        )
        .bind(job)
        .fetch_one(&self.db().pool)
        .await?;
        if runs >= MAX_FAILED_RUNS {
            self.fail_job(job, &ImportFailure::Storage).await?;
            return Ok(false);
        }
        let wait = (30i64 << (runs - 1).clamp(0, 6)).min(30 * 60);
        sqlx::query(
            "UPDATE import_jobs SET status = 'queued', lease_until = 0, not_before = $2 \
             WHERE id = $1 AND status = 'running'",
        )
        .bind(job)
        .bind(now() + wait)
        .execute(&self.db().pool)
        .await?;
        Ok(true)
    }

    /// Receiving jobs whose sender vanished (the server stopped mid-upload): import what
    /// arrived and say that the rest did not.
    pub(super) async fn requeue_abandoned(&self) -> Result<()> {
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
            id: model::JobId(r.id),
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
            held: 0,
            error: r.error.and_then(|e| serde_json::from_str(&e).ok()),
            studies: Vec::new(),
        }
    }
}

async fn with_counts(db: &Db, mut job: ImportJob) -> Result<ImportJob> {
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM import_items WHERE job_id = $1 GROUP BY status",
    )
    .bind(job.id.as_str())
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
            Some(ItemStatus::Held) => job.held += n,
            None => {}
        }
    }
    let studies: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT i.study_uid FROM import_items t JOIN instances i ON i.sop_uid = t.sop_uid \
         WHERE t.job_id = $1 ORDER BY i.study_uid",
    )
    .bind(job.id.as_str())
    .fetch_all(&db.pool)
    .await?;
    job.studies = studies.into_iter().map(|(s,)| s).collect();
    Ok(job)
}

/// How much work the import queue holds, for the metrics scrape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDepth {
    /// Jobs per status, every status listed (with 0 when none).
    pub jobs: Vec<(&'static str, i64)>,
    /// Files waiting: `pending` (not yet imported) and `held` (for an expert's image area).
    pub items: Vec<(&'static str, i64)>,
}

/// Counts the jobs by status and the files still waiting.
pub async fn queue_depth(db: &Db) -> Result<QueueDepth> {
    let jobs: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM import_jobs GROUP BY status")
            .fetch_all(&db.pool)
            .await?;
    let items: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM import_items WHERE status IN ('pending', 'held') \
         GROUP BY status",
    )
    .fetch_all(&db.pool)
    .await?;
    let count = |rows: &[(String, i64)], status: &str| {
        rows.iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    Ok(QueueDepth {
        jobs: [
            JobStatus::Receiving,
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Done,
            JobStatus::Failed,
        ]
        .map(|s| (s.as_str(), count(&jobs, s.as_str())))
        .to_vec(),
        items: [ItemStatus::Pending, ItemStatus::Held]
            .map(|s| (s.as_str(), count(&items, s.as_str())))
            .to_vec(),
    })
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

/// The items of a job in order, as `viewer` may see them: the names files were sent under
/// only to the job's creator and admins (see [`shows_file_names`]), "File n" to others.
pub async fn items(db: &Db, job: &ImportJob, viewer: &CurrentUser) -> Result<Vec<ImportItem>> {
    let rows: Vec<ItemRow> = sqlx::query_as(
        "SELECT seq, label, status, sop_uid, error FROM import_items WHERE job_id = $1 ORDER BY seq",
    )
    .bind(job.id.as_str())
    .fetch_all(&db.pool)
    .await?;
    let named = shows_file_names(job, viewer);
    Ok(rows
        .into_iter()
        .map(ImportItem::from)
        .map(|item| {
            if named {
                item
            } else {
                ImportItem {
                    label: item.label.without_name(),
                    ..item
                }
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use model::AuditVia;

    /// Three nodes sharing one database and one inbox.
    async fn nodes(dir: &Path) -> [Importer; 3] {
        let url = format!("sqlite:file:lease-{}?mode=memory", new_id());
        let db = Db::connect(&url).await.unwrap();
        ["a", "b", "c"].map(|name| {
            Importer::new(
                name.into(),
                db.clone(),
                crate::blobs::Blobs::local(&dir.join("blobs")).unwrap(),
                dir.join("inbox"),
                crate::dicom::AnonymizeConfig::default(),
                super::super::Limits::default(),
            )
        })
    }

    async fn status(node: &Importer, job: &str) -> (JobStatus, Option<String>) {
        let job = super::job(node.db(), job).await.unwrap().unwrap();
        (job.status, job.error.map(|e| format!("{e:?}")))
    }

    async fn expire_lease(node: &Importer, job: &str) {
        sqlx::query("UPDATE import_jobs SET lease_until = 0 WHERE id = $1")
            .bind(job)
            .execute(&node.db().pool)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_leased_job_is_one_nodes_until_its_lease_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let [a, b, c] = nodes(dir.path()).await;
        let actor = Actor::system(AuditVia::Job);
        let first = a.start_archive(&actor, &["1.2.3".into()]).await.unwrap();
        let second = a.start_archive(&actor, &["1.2.4".into()]).await.unwrap();

        // Oldest first; a job leased to one node is not claimed by another.
        assert_eq!(a.claim().await.unwrap().as_deref(), Some(first.as_str()));
        assert_eq!(b.claim().await.unwrap().as_deref(), Some(second.as_str()));
        assert_eq!(c.claim().await.unwrap(), None);
        assert_eq!(status(&a, &first).await.0, JobStatus::Running);

        // A renewed lease holds; a lapsed one (its node died) is taken over, and the node
        // that lost it does not get it back.
        a.renew_lease(&first).await;
        assert_eq!(c.claim().await.unwrap(), None);
        expire_lease(&a, &first).await;
        assert_eq!(c.claim().await.unwrap().as_deref(), Some(first.as_str()));
        assert_eq!(a.claim().await.unwrap(), None);

        // A node runs one job at a time, so a running job of its own that it sees while
        // claiming was left by its previous life: it takes it back.
        assert_eq!(b.claim().await.unwrap().as_deref(), Some(second.as_str()));
    }

    #[tokio::test]
    async fn a_job_that_keeps_failing_waits_behind_the_others_then_fails() {
        let dir = tempfile::tempdir().unwrap();
        let [a, b, c] = nodes(dir.path()).await;
        let actor = Actor::system(AuditVia::Job);
        let broken = a.start_archive(&actor, &["1.2.3".into()]).await.unwrap();
        let later = a.start_archive(&actor, &["1.2.4".into()]).await.unwrap();
        let db = a.db().clone();
        let due = |job: String| {
            let db = db.clone();
            async move {
                sqlx::query("UPDATE import_jobs SET not_before = 0 WHERE id = $1")
                    .bind(job)
                    .execute(&db.pool)
                    .await
                    .unwrap();
            }
        };
        assert_eq!(a.claim().await.unwrap().as_deref(), Some(broken.as_str()));
        assert!(a.back_off(&broken).await.unwrap());
        // Waiting out its back-off, the broken job does not hold up the next one.
        assert_eq!(b.claim().await.unwrap().as_deref(), Some(later.as_str()));
        assert_eq!(c.claim().await.unwrap(), None);
        due(broken.clone()).await;
        assert_eq!(c.claim().await.unwrap().as_deref(), Some(broken.as_str()));
        assert!(c.back_off(&broken).await.unwrap());
        // Due again, it still comes after a job that has never failed, though older.
        due(broken.clone()).await;
        let fresh = a.start_archive(&actor, &["1.2.5".into()]).await.unwrap();
        assert_eq!(c.claim().await.unwrap().as_deref(), Some(fresh.as_str()));
        for _ in 3..MAX_FAILED_RUNS {
            assert!(c.back_off(&broken).await.unwrap());
        }
        assert!(!c.back_off(&broken).await.unwrap(), "given up");
        assert_eq!(status(&c, &broken).await.0, JobStatus::Failed);
        // A person's retry starts its count again.
        assert!(a.retry(&actor, &broken).await.unwrap());
        let (runs, not_before): (i64, i64) =
            sqlx::query_as("SELECT runs_failed, not_before FROM import_jobs WHERE id = $1")
                .bind(&broken)
                .fetch_one(&a.db().pool)
                .await
                .unwrap();
        assert_eq!((runs, not_before), (0, 0));
    }

    async fn lease_left(node: &Importer, job: &str) -> i64 {
        let (until,): (i64,) = sqlx::query_as("SELECT lease_until FROM import_jobs WHERE id = $1")
            .bind(job)
            .fetch_one(&node.db().pool)
            .await
            .unwrap();
        until - now()
    }

    #[tokio::test]
    async fn an_upload_waits_for_a_slow_sender_far_longer_than_a_worker_heartbeat() {
        let dir = tempfile::tempdir().unwrap();
        let [a, _, _] = nodes(dir.path()).await;
        let actor = Actor::system(AuditVia::Job);
        let upload = a
            .open_inbox(&actor, ImportKind::Upload, &JobLabel::Upload)
            .await
            .unwrap();
        // A person choosing files for three minutes still finds the job open.
        assert!(lease_left(&a, &upload).await > 3 * LEASE_SECS);
        sqlx::query("UPDATE import_jobs SET lease_until = $2 WHERE id = $1")
            .bind(&upload)
            .bind(now() + 5)
            .execute(&a.db().pool)
            .await
            .unwrap();
        // Bytes still arriving push the deadline back by the whole idle time.
        a.keep_receiving(&upload).await;
        assert!(lease_left(&a, &upload).await > RECEIVING_IDLE_SECS - 60);
        a.requeue_abandoned().await.unwrap();
        assert_eq!(status(&a, &upload).await, (JobStatus::Receiving, None));
        // Once the job is queued, a late keep-alive does not touch its lease.
        expire_lease(&a, &upload).await;
        a.requeue_abandoned().await.unwrap();
        a.keep_receiving(&upload).await;
        assert!(lease_left(&a, &upload).await < 0);
    }

    #[tokio::test]
    async fn an_abandoned_upload_is_imported_as_incomplete_and_only_failed_archive_jobs_retry() {
        let dir = tempfile::tempdir().unwrap();
        let [a, _, _] = nodes(dir.path()).await;
        let actor = Actor::system(AuditVia::Job);
        let upload = a
            .open_inbox(&actor, ImportKind::Upload, &JobLabel::Upload)
            .await
            .unwrap();
        // Still receiving within its lease: left alone, and not claimable.
        a.requeue_abandoned().await.unwrap();
        assert_eq!(status(&a, &upload).await, (JobStatus::Receiving, None));
        assert_eq!(a.claim().await.unwrap(), None);
        // Its sender vanished: queued with what arrived, marked incomplete.
        expire_lease(&a, &upload).await;
        a.requeue_abandoned().await.unwrap();
        assert_eq!(
            status(&a, &upload).await,
            (JobStatus::Queued, Some("Incomplete".into()))
        );

        // Retry applies to finished archive jobs only.
        assert!(
            !a.retry(&actor, &upload).await.unwrap(),
            "not an archive job"
        );
        let archive = a.start_archive(&actor, &["1.2.5".into()]).await.unwrap();
        assert!(!a.retry(&actor, &archive).await.unwrap(), "still queued");
        sqlx::query("UPDATE import_jobs SET status = 'failed' WHERE id = $1")
            .bind(&archive)
            .execute(&a.db().pool)
            .await
            .unwrap();
        assert!(a.retry(&actor, &archive).await.unwrap());
        assert_eq!(status(&a, &archive).await, (JobStatus::Queued, None));
        let retried = crate::audit::count(a.db(), model::AuditAction::ImportRetried).await;
        assert_eq!(
            retried.unwrap(),
            1,
            "only the retry that happened is audited"
        );
    }
}
