//! The background worker: claims queued jobs and runs their items until told to stop.
use super::{Importer, Outcome, to_json};
use crate::archive::{self, RetrieveError, SourceInstance};
use crate::audit::{self, Actor};
use crate::dicom::anonymize::uid_pseudonym;
use crate::{Result, now};
use anyhow::Context;
use futures_util::FutureExt;
use model::{AuditAction, AuditVia, ImportFailure, ImportKind, ItemLabel, ItemStatus, JobStatus};
use sqlx::AnyConnection;
use std::collections::HashMap;
use std::time::Duration;

impl Importer {
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
                    let started = std::time::Instant::now();
                    // A panic ends the run, not the worker.
                    let run = std::panic::AssertUnwindSafe(self.run_job(&job)).catch_unwind();
                    let result = tokio::select! {
                        r = run => r.unwrap_or_else(|panic| Err(anyhow::anyhow!(
                            "panicked: {}",
                            panic
                                .downcast_ref::<&str>()
                                .copied()
                                .or(panic.downcast_ref::<String>().map(String::as_str))
                                .unwrap_or("?")
                        ).into())),
                        _ = stop.wait_for(|s| *s) => return,
                    };
                    metrics::histogram!(
                        "sonohub_import_run_duration_seconds",
                        "outcome" => if result.is_ok() { "finished" } else { "error" },
                    )
                    .record(started.elapsed().as_secs_f64());
                    if let Err(e) = result {
                        tracing::error!(job, error = format!("{e:#}"), "import job run failed");
                        match self.back_off(&job).await {
                            Ok(true) => tracing::info!(job, "import job will run again later"),
                            Ok(false) => tracing::warn!(job, "import job failed too often"),
                            Err(e) => tracing::warn!(job, error = format!("{e:#}"), "backing off"),
                        }
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

    pub(super) async fn fail_job(&self, job: &str, failure: &ImportFailure) -> Result<()> {
        tracing::warn!(job, ?failure, "import job failed");
        let mut tx = self.db().pool.begin().await?;
        sqlx::query(
            "UPDATE import_jobs SET status = 'failed', error = $2, finished_at = $3, lease_until = 0 WHERE id = $1",
        )
        .bind(job)
        .bind(to_json(failure))
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit_finished(&mut tx, job, JobStatus::Failed, Some(failure)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn finish_job(&self, job: &str) -> Result<()> {
        let mut tx = self.db().begin_write().await?;
        // Files released from the quarantine while this run went on: run again.
        let (pending,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM import_items WHERE job_id = $1 AND status = 'pending'",
        )
        .bind(job)
        .fetch_one(&mut *tx)
        .await?;
        if pending > 0 {
            sqlx::query("UPDATE import_jobs SET status = 'queued', lease_until = 0 WHERE id = $1")
                .bind(job)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            self.inner.wake.notify_one();
            return Ok(());
        }
        sqlx::query(
            "UPDATE import_jobs SET status = 'done', finished_at = $2, lease_until = 0 WHERE id = $1",
        )
        .bind(job)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit_finished(&mut tx, job, JobStatus::Done, None).await?;
        tx.commit().await?;
        // Held files stay in the inbox until they are released or discarded.
        self.empty_inbox_if_settled(job).await;
        tracing::info!(job, "import job done");
        Ok(())
    }

    async fn run_archive_job(&self, job: &str) -> Result<()> {
        let cfg = self.job_config().await?;
        // Files released from the quarantine are in the inbox already: the archive is asked
        // only when something must be listed or fetched.
        let mut pending = self.pending(job).await?;
        let local = |seq: i64| self.held_path(job, seq);
        let mut needs_archive = pending.is_empty();
        for (_, seq) in &pending {
            needs_archive |= !tokio::fs::try_exists(local(*seq)).await.unwrap_or(false);
        }
        let mut sources: HashMap<String, SourceInstance> = HashMap::new();
        let mut archive = None;
        if needs_archive {
            let spool = self.job_dir(job).join("studies.json");
            let studies: Vec<String> = match tokio::fs::read(&spool).await {
                Ok(bytes) => serde_json::from_slice(&bytes)?,
                Err(e) => {
                    // The inbox was lost: the job cannot know what to fetch any more.
                    tracing::error!(job, error = %e, "the archive job's study list is gone");
                    return self.fail_job(job, &ImportFailure::Storage).await;
                }
            };
            let client = match archive::connect(self.db()).await {
                Ok(a) => a,
                Err(p) => return self.fail_job(job, &ImportFailure::Archive(p)).await,
            };
            // List again on every run: cheap, and the source UIDs never need storing.
            let mut seq = 0i64;
            for study in &studies {
                let listed = match client.instances(study).await {
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
            archive = Some(client);
            pending = self.pending(job).await?;
        }
        self.renew_lease(job).await;
        for (key, seq) in pending {
            let held = local(seq);
            let outcome = if self.instance_exists(&key).await? {
                Outcome::Duplicate(key.clone())
            } else if let Ok(bytes) = tokio::fs::read(&held).await {
                self.ingest(job, &key, bytes, &cfg).await?
            } else {
                match (sources.get(&key), &archive) {
                    (Some(source), Some(archive)) => {
                        match archive
                            .retrieve(source, self.inner.limits.max_instance_bytes)
                            .await
                        {
                            Ok(bytes) => self.ingest(job, &key, bytes, &cfg).await?,
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
                    _ => {
                        Outcome::Failed(ImportFailure::Archive(model::ArchiveProblem::Status(404)))
                    }
                }
            };
            let settled = !matches!(outcome, Outcome::Held(..));
            self.record(job, &key, seq, outcome).await?;
            if settled {
                let _ = tokio::fs::remove_file(&held).await;
            }
        }
        self.finish_job(job).await
    }

    async fn run_inbox_job(&self, job: &str) -> Result<()> {
        let cfg = self.job_config().await?;
        for (key, seq) in self.pending(job).await? {
            let path = self.held_path(job, seq);
            let outcome = match tokio::fs::read(&path).await {
                Ok(bytes) => self.ingest(job, &key, bytes, &cfg).await?,
                Err(e) => {
                    tracing::error!(job, seq, error = %e, "an inbox file is gone");
                    Outcome::Failed(ImportFailure::Storage)
                }
            };
            let settled = !matches!(outcome, Outcome::Held(..));
            self.record(job, &key, seq, outcome).await?;
            if settled {
                let _ = tokio::fs::remove_file(&path).await;
            }
        }
        self.finish_job(job).await
    }

    /// Item outcomes that are not stored together with an instance row.
    async fn record(&self, job: &str, key: &str, seq: i64, outcome: Outcome) -> Result<()> {
        let (status, sop, error) = match outcome {
            // Recorded in the instance's transaction already.
            Outcome::Imported => return Ok(()),
            Outcome::Held(info, bytes) => return self.hold(job, key, seq, &info, &bytes).await,
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
}

/// How many of a job's items ended in each state.
#[derive(sqlx::FromRow)]
struct ItemCounts {
    imported: i64,
    duplicate: i64,
    failed: i64,
    held: i64,
}

/// The background worker's `ImportFinished` record: the job's end and its item counts.
async fn audit_finished(
    conn: &mut AnyConnection,
    job: &str,
    status: JobStatus,
    failure: Option<&ImportFailure>,
) -> Result<()> {
    let counts: ItemCounts = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'imported' THEN 1 ELSE 0 END), 0) AS imported, \
                COALESCE(SUM(CASE WHEN status = 'duplicate' THEN 1 ELSE 0 END), 0) AS duplicate, \
                COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed, \
                COALESCE(SUM(CASE WHEN status = 'held' THEN 1 ELSE 0 END), 0) AS held \
         FROM import_items WHERE job_id = $1",
    )
    .bind(job)
    .fetch_one(&mut *conn)
    .await?;
    let detail = serde_json::json!({
        "status": status.as_str(),
        "imported": counts.imported,
        "duplicate": counts.duplicate,
        "failed": counts.failed,
        "held": counts.held,
        "error": failure,
    });
    let actor = Actor::system(AuditVia::Job);
    audit::record_in(conn, &actor, AuditAction::ImportFinished, Some(job), detail).await
}
