//! Import jobs: files from the archive, an upload or a C-STORE association become anonymised
//! studies. Jobs and their items are queued in the database and run by a background worker
//! that claims a job with a lease, so a restart (or another node) picks up where it stopped.
//!
//! Raw files only ever sit in the data folder's inbox (`inbox/<job>/`), which is emptied as
//! they are anonymised (a held file stays there until it is released or discarded); the database and the blob store only see anonymised data, except the
//! names uploaded files were sent under (kept with their items so the expert can tell which
//! file was refused), which may name a patient and are shown only to the expert who sent them
//! and to admins. A blob is written before its row, in a transaction with the item's status: a
//! crash between the two leaves an unreferenced blob that [`sweep_orphans`] deletes, never a
//! row without a blob.
//!
//! * `screening` refuses what must not reach the parser and names why a file was refused.
//! * `names` cleans the names uploaded files were sent under and says who may see them.
//! * `queue` opens jobs, spools their files and items, leases jobs to a worker and reports
//!   their status.
//! * `worker` is the background loop that claims a job and runs its items.
//! * `ingest` anonymises and stores one accepted instance, and sweeps orphaned blobs.
//! * `remask` blacks out more of a stored instance.
//! * `held` is the quarantine: files without a known image area wait there, identified, for
//!   an expert to mark the area or save a device mask (`device_masks`) that releases them.
use crate::Db;
use crate::blobs::Blobs;
use crate::dicom::AnonymizeConfig;
use model::ImportFailure;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;

mod device_masks;
mod held;
mod ingest;
mod names;
mod queue;
mod remask;
mod screening;
mod worker;

pub use device_masks::{
    MaskEdit, MaskInput, list as list_device_masks, retire as retire_device_mask,
};
pub use held::{HeldOutcome, area_is_usable, held_file, list_held};
pub use ingest::{Cleaned, describe, sweep_orphans};
pub(crate) use ingest::{InstanceRows, insert_instance};
pub use names::{FileName, shows_file_names};
pub use queue::{QueueDepth, items, job, list_jobs, queue_depth, write_atomically};
pub use screening::{ZipEntry, read_zip, screen, zip_directory_fits};

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
    /// `HHMMSS.FFFFFF` or a prefix of it, as in the file; or empty.
    pub study_time: String,
    pub study_description: String,
    pub modality: String,
    pub series_number: Option<i64>,
    pub series_description: String,
    pub series_date: String,
    pub series_time: String,
    pub manufacturer: String,
    pub model: String,
    pub instance_number: Option<i64>,
    pub rows: u32,
    pub columns: u32,
    pub frames: u32,
}

/// What re-cleaning an instance came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Remask {
    NotFound,
    Refused(ImportFailure),
    /// Stored under a new blob; the old one is no longer served and is swept later.
    Done,
}

/// The outcome of one item.
enum Outcome {
    Imported,
    Duplicate(String),
    Failed(ImportFailure),
    /// No image area is known: the file waits in the quarantine.
    Held(Box<held::HeldInfo>, Vec<u8>),
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
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

    /// Ties the database to this node's pseudonymisation secret on first start and refuses a
    /// different one afterwards: nodes that pseudonymised with different secrets would turn the
    /// same study, sent through each, into two studies of two patients.
    pub async fn bind_secret(&self) -> anyhow::Result<()> {
        let check = crate::dicom::anonymize::secret_check(self.secret());
        sqlx::query(
            "INSERT INTO deployment (id, secret_check) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&check)
        .execute(&self.db().pool)
        .await?;
        let (bound,): (String,) =
            sqlx::query_as("SELECT secret_check FROM deployment WHERE id = 1")
                .fetch_one(&self.db().pool)
                .await?;
        anyhow::ensure!(
            bound == check,
            "this node's pseudonymisation secret is not the one the database was first used \
             with: give every node the same secret (--secret-file or SONOHUB_SECRET), the one \
             backed up with this database"
        );
        Ok(())
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

    /// Bytes waiting in each job's inbox folder (files received but not yet imported, and
    /// files still arriving), read from the disk on the blocking pool.
    pub async fn inbox_usage(&self) -> crate::Result<std::collections::HashMap<String, u64>> {
        let inbox = self.inner.inbox.clone();
        let usage = tokio::task::spawn_blocking(move || {
            let mut usage = std::collections::HashMap::new();
            let Ok(jobs) = std::fs::read_dir(&inbox) else {
                return usage;
            };
            for job in jobs.flatten() {
                let Ok(files) = std::fs::read_dir(job.path()) else {
                    continue;
                };
                let bytes = files
                    .flatten()
                    .filter_map(|f| f.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum::<u64>();
                usage.insert(job.file_name().to_string_lossy().into_owned(), bytes);
            }
            usage
        })
        .await?;
        Ok(usage)
    }
}
