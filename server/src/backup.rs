//! `sonohub backup --out DIR` and `sonohub restore --from DIR`: everything needed to bring
//! SonoHub back on another machine, taken while it runs.
//!
//! A backup is a folder: the database, every blob the database refers to (the anonymised
//! DICOM files and the replay media), the pseudonymisation secret (without it, re-imports of
//! the same patients would get new keys), and `manifest.json`, written last, which marks the
//! backup complete and lists what it holds.
//!
//! Consistency while the server runs: the database is copied first as one snapshot (SQLite's
//! `VACUUM INTO`, PostgreSQL's `pg_dump`, each a single transaction); blobs are never changed
//! once written, so copying those the snapshot names afterwards gives exactly the snapshot's
//! files. A blob the snapshot names but the store no longer has (a clip re-cleaned and its old
//! file swept in between) fails the backup, which is then simply run again.
use crate::startup::{SECRET_FILE, SecretSource};
use anyhow::{Context, Result, bail, ensure};
use clap::Args;
use domain::Db;
use domain::blobs::{Blobs, sha256_hex};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where the data to back up lives (as `sonohub serve` is told).
#[derive(Debug, Clone, Args)]
pub struct Source {
    /// Data folder: the SQLite file and the blob folder live here.
    #[arg(long, env = "SONOHUB_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// PostgreSQL url (postgres://...); overrides the SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Blob store url (s3://...); else the data folder's blobs/.
    #[arg(long, env = "SONOHUB_BLOB_STORE")]
    pub blob_store: Option<String>,
    /// File holding the pseudonymisation secret (else SONOHUB_SECRET, else the data folder's).
    #[arg(long, env = "SONOHUB_SECRET_FILE")]
    pub secret_file: Option<PathBuf>,
}

impl Source {
    fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| domain::db::sqlite_url(&self.data))
    }

    fn blobs(&self) -> Result<Blobs> {
        match &self.blob_store {
            Some(url) => Blobs::s3(url),
            None => Blobs::local(&self.data.join("blobs")),
        }
    }
}

/// Options of `sonohub backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The folder to write (new, or empty).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub source: Source,
}

/// Options of `sonohub restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// A folder `sonohub backup` wrote.
    #[arg(long)]
    pub from: PathBuf,
    /// Where to restore to: an empty data folder (and an empty database with --database-url).
    #[command(flatten)]
    pub target: Source,
}

/// What a backup holds; written last.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub sonohub: String,
    /// Unix seconds when the database snapshot was taken.
    pub taken_at: i64,
    /// `sqlite` (file `sonohub.db`) or `postgres` (file `database.pgdump`).
    pub database: String,
    pub accounts: i64,
    pub studies: i64,
    pub instances: i64,
    pub cases: i64,
    pub blobs: usize,
    pub blob_bytes: u64,
}

const SQLITE_FILE: &str = "sonohub.db";
const PG_DUMP_FILE: &str = "database.pgdump";
const MANIFEST: &str = "manifest.json";

/// Runs `sonohub backup`.
pub async fn backup(args: BackupArgs) -> Result<Manifest> {
    let out = &args.out;
    if out.exists() {
        ensure!(
            std::fs::read_dir(out)?.next().is_none(),
            "{} is not empty: back up into a new folder",
            out.display()
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let url = args.source.database_url();
    let taken_at = domain::now();
    // The snapshot first; the blobs it names afterwards.
    let (database, snapshot_url) = if url.starts_with("sqlite:") {
        let live = Db::connect(&url).await?;
        let file = out.join(SQLITE_FILE);
        let target = file.to_str().context("backup path is not UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&live.pool)
            .await
            .context("copying the database (VACUUM INTO)")?;
        live.pool.close().await;
        ("sqlite", domain::db::sqlite_url(out))
    } else {
        let dump = out.join(PG_DUMP_FILE);
        run(std::process::Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(&dump)
            .arg(&url))?;
        ("postgres", url.clone())
    };
    let db = Db::connect(&snapshot_url).await?;
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&db.pool)
                .await?;
            anyhow::Ok(n)
        }
    };
    let shas: Vec<(String,)> = sqlx::query_as(
        "SELECT blob_sha FROM instances UNION SELECT sha FROM replay_media ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut manifest = Manifest {
        sonohub: env!("CARGO_PKG_VERSION").to_string(),
        taken_at,
        database: database.to_string(),
        accounts: count("users").await?,
        studies: count("studies").await?,
        instances: count("instances").await?,
        cases: count("cases").await?,
        blobs: 0,
        blob_bytes: 0,
    };
    // With PostgreSQL the "snapshot" read above is the live database: a row added since the
    // dump may name a blob the dump does not need, which does no harm.
    db.pool.close().await;
    let blobs = args.source.blobs()?;
    let folder = Blobs::local(&out.join("blobs"))?;
    for (sha,) in shas {
        let bytes = blobs.bytes(&sha).await?.with_context(|| {
            format!("blob {sha} vanished while the backup ran (a clip re-cleaned?): run it again")
        })?;
        let (actual, bytes) =
            tokio::task::spawn_blocking(move || (sha256_hex(&bytes), bytes)).await?;
        ensure!(
            actual == sha,
            "blob {sha} does not match its hash: the store is damaged"
        );
        manifest.blob_bytes += bytes.len() as u64;
        manifest.blobs += 1;
        folder.put(bytes.to_vec()).await?;
    }
    let secret = SecretSource::of(args.source.secret_file.as_deref(), &args.source.data)
        .read()?
        .context("no pseudonymisation secret found: nothing was ever imported here?")?;
    write_private(&out.join(SECRET_FILE), &secret)?;
    std::fs::write(out.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(manifest)
}

/// Runs `sonohub restore`: the backup's database, blobs and secret into an empty target.
pub async fn restore(args: RestoreArgs) -> Result<Manifest> {
    let from = &args.from;
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(from.join(MANIFEST)).with_context(|| {
            format!("{} is not a complete backup (no manifest)", from.display())
        })?)?;
    let target = &args.target;
    if target.data.exists() {
        ensure!(
            std::fs::read_dir(&target.data)?.next().is_none(),
            "{} is not empty: restore into an empty data folder",
            target.data.display()
        );
    }
    std::fs::create_dir_all(&target.data)?;
    let url = target.database_url();
    match (manifest.database.as_str(), url.starts_with("sqlite:")) {
        ("sqlite", true) => {
            std::fs::copy(from.join(SQLITE_FILE), target.data.join(SQLITE_FILE))
                .context("copying the database")?;
        }
        ("postgres", false) => {
            let pool = sqlx::PgPool::connect(&url).await?;
            let (tables,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
            )
            .fetch_one(&pool)
            .await?;
            ensure!(tables == 0, "the target database is not empty");
            pool.close().await;
            run(std::process::Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname"])
                .arg(&url)
                .arg(from.join(PG_DUMP_FILE)))?;
        }
        (kind, _) => bail!("a {kind} backup restores only into a {kind} database"),
    }
    // Migrations bring an older backup up to this version.
    let db = Db::connect(&url).await?;
    let source = Blobs::local(&from.join("blobs"))?;
    let blobs = target.blobs()?;
    let mut restored = 0;
    for (sha, _) in source.list().await? {
        let bytes = source
            .bytes(&sha)
            .await?
            .context("blob listed but unreadable")?;
        blobs.put(bytes.to_vec()).await?;
        restored += 1;
    }
    ensure!(
        restored == manifest.blobs,
        "the backup holds {restored} blobs, its manifest {}",
        manifest.blobs
    );
    let (instances,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instances")
        .fetch_one(&db.pool)
        .await?;
    ensure!(
        instances == manifest.instances,
        "restored {instances} instances, the backup had {}",
        manifest.instances
    );
    let secret = std::fs::read(from.join(SECRET_FILE)).context("the backup has no secret")?;
    match &target.secret_file {
        // The operator keeps the secret elsewhere: it must be the backup's.
        Some(path) => ensure!(
            std::fs::read(path)?.trim_ascii() == secret.trim_ascii(),
            "{} holds another secret than the backup's",
            path.display()
        ),
        None => write_private(&target.data.join(SECRET_FILE), &secret)?,
    }
    Ok(manifest)
}

/// Writes a file only its owner may read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// Runs a PostgreSQL tool; its error output becomes the error.
fn run(command: &mut std::process::Command) -> Result<()> {
    let out = command.output().with_context(|| {
        format!(
            "running {:?} (PostgreSQL's client tools)",
            command.get_program()
        )
    })?;
    ensure!(
        out.status.success(),
        "{:?} failed: {}",
        command.get_program(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// What `sonohub backup` and `restore` print when done.
pub fn summary(verb: &str, m: &Manifest) -> String {
    format!(
        "{verb}: {} accounts, {} studies, {} instances, {} cases; {} blobs ({:.1} MB); database \
         snapshot of {}",
        m.accounts,
        m.studies,
        m.instances,
        m.cases,
        m.blobs,
        m.blob_bytes as f64 / 1e6,
        m.taken_at
    )
}
