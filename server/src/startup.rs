//! Start-up, the composition root: opens the database, makes the first accounts, builds the
//! shared state, the background jobs and the router, and binds the listeners. `Started::stop`
//! takes it all down again.
use crate::config::ServerConfig;
use crate::jobs::Jobs;
use crate::sessions::Store;
use crate::{http, seed};
use anyhow::Context;
use axum::serve::ListenerExt;
use domain::blobs::Blobs;
use domain::dicom::{AnonymizeConfig, DeviceMask};
use domain::{AppState, Db, Settings, imports};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_sessions::ExpiredDeletion;

/// How often the housekeeping jobs run.
const HOUSEKEEPING: Duration = Duration::from_secs(3600);

/// A running server.
pub struct Started {
    pub addr: SocketAddr,
    /// Where the DICOM receiver listens, when it is on.
    pub dicom_addr: Option<SocketAddr>,
    /// Where `/metrics` is served, when it is on.
    pub metrics_addr: Option<SocketAddr>,
    pub state: AppState,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    jobs: Jobs,
}

impl Started {
    /// Asks the server to finish its open requests and every job to stop, then waits for them.
    pub async fn stop(self) -> anyhow::Result<()> {
        // The HTTP server and the jobs share one stop signal.
        self.jobs.stop().await;
        self.server.await??;
        Ok(())
    }

    /// Stops at once, as a crash would: jobs are dropped mid-way and nothing is finished.
    pub fn kill(self) {
        self.jobs.abort();
        self.server.abort();
    }
}

/// Opens the database, prepares the first accounts, binds and serves in the background.
pub async fn start(config: ServerConfig) -> anyhow::Result<Started> {
    if let Some(token) = &config.dicomweb_token {
        anyhow::ensure!(
            token.len() >= crate::dicomweb::Token::MIN_LEN,
            "the DICOMweb token must be at least {} characters",
            crate::dicomweb::Token::MIN_LEN
        );
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
    let url = config.database_url();
    let db = Db::connect(&url).await?;
    let first_start = db.first_start().await?;
    domain::sites::ensure_network(&db).await?;
    seed::first_accounts(&db, &config).await?;
    let demo_clips = if config.demo && config.demo_clips {
        let dir = config.data_dir.clone();
        tokio::task::spawn_blocking(move || crate::demo_clips::prepare(&dir)).await??
    } else {
        Vec::new()
    };
    let importer = importer(&config, db.clone())?;
    importer.bind_secret().await?;
    let store = Store::connect(&url).await?;
    first_start.done().await?;
    let state = AppState {
        db,
        settings: Arc::new({
            let defaults = Settings::default();
            Settings {
                demo_clips,
                ice_servers: config.ice_servers.clone(),
                trusted_proxies: if config.trusted_proxies.is_empty() {
                    defaults.trusted_proxies.clone()
                } else {
                    config.trusted_proxies.clone()
                },
                ..defaults
            }
        }),
        importer: importer.clone(),
        guidance: Default::default(),
    };
    if config.demo && config.demo_clips {
        crate::demo_studies::seed(&state.db, &importer).await?;
    }

    let mut jobs = Jobs::default();
    jobs.spawn(importer.clone().run(jobs.stopping()));
    if config.demo && config.demo_clips {
        jobs.spawn(crate::demo_cases::seed(state.db.clone(), importer.clone()));
    }
    housekeeping(&mut jobs, &state, &store);
    let dicom_addr = match config.dicom_addr {
        Some(addr) => Some(dicom_receiver(&mut jobs, addr, &config, &importer).await?),
        None => None,
    };
    demo_archive(&mut jobs, &config, &state, dicom_addr);

    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let addr = listener.local_addr()?;
    // Small writes go out at once: a guidance session's pointer frames and their acks would
    // otherwise wait behind Nagle's algorithm for the peer's delayed ACK (about 15 ms a hop).
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set on a connection");
        }
    });
    let metrics_addr = match config.metrics_addr {
        Some(addr) => Some(metrics_listener(&mut jobs, addr, &state).await?),
        None => None,
    };
    let router = http::router(&config, state.clone(), store, addr)?;
    let mut stopping = jobs.stopping();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        })
        .await
    });
    Ok(Started {
        addr,
        dicom_addr,
        metrics_addr,
        state,
        server,
        jobs,
    })
}

/// Serves `/metrics` on its own address (the recorder is installed only then, so a server
/// without it records nothing).
async fn metrics_listener(
    jobs: &mut Jobs,
    addr: SocketAddr,
    state: &AppState,
) -> anyhow::Result<SocketAddr> {
    let handle = crate::telemetry::recorder()
        .context("another metrics recorder is installed in this process")?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the metrics address {addr}"))?;
    let bound = listener.local_addr()?;
    let router = crate::telemetry::router(state.clone(), handle);
    let mut stopping = jobs.stopping();
    jobs.spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    // Histograms are folded in on a schedule too, not only when scraped.
    jobs.every(Duration::from_secs(10), move || async move {
        handle.run_upkeep()
    });
    tracing::info!(%bound, "metrics at /metrics");
    Ok(bound)
}

/// The hourly jobs: expired sessions, sign-in attempts older than a day, unreferenced blobs.
fn housekeeping(jobs: &mut Jobs, state: &AppState, store: &Store) {
    let store = store.clone();
    jobs.every(HOUSEKEEPING, move || {
        let store = store.clone();
        async move {
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions failed");
            }
        }
    });
    let db = state.db.clone();
    jobs.every(HOUSEKEEPING, move || {
        let db = db.clone();
        async move {
            if let Err(e) = domain::auth::prune_attempts(&db).await {
                tracing::warn!(error = %e, "pruning sign-in attempts failed");
            }
        }
    });
    // Quiz attempts whose time limit passed are closed and graded within a minute, so a
    // learner who closed the tab still gets their grade (and the lesson done if they passed).
    let db = state.db.clone();
    jobs.every(std::time::Duration::from_secs(60), move || {
        let db = db.clone();
        async move {
            if let Err(e) = domain::quizzes::attempts::close_expired(&db).await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "closing expired quiz attempts failed"
                );
            }
        }
    });
    let (db, importer) = (state.db.clone(), state.importer.clone());
    jobs.every(HOUSEKEEPING, move || {
        let (db, importer) = (db.clone(), importer.clone());
        async move {
            if let Err(e) = imports::sweep_orphans(&db, importer.blobs()).await {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "sweeping unreferenced blobs failed"
                );
            }
        }
    });
}

/// Demo mode: starts the local Orthanc archive as a job (it loads and connects in the
/// background, so the web server answers at once), or says now why there is none.
fn demo_archive(
    jobs: &mut Jobs,
    config: &ServerConfig,
    state: &AppState,
    dicom_addr: Option<SocketAddr>,
) {
    match crate::demo_archive::locate(&config.demo_archive) {
        Ok(None) => {}
        Ok(Some(installed)) => jobs.spawn(crate::demo_archive::run(
            installed,
            config.data_dir.join("demo-archive"),
            state.db.clone(),
            dicom_addr,
            jobs.stopping(),
        )),
        Err(why) => println!("No demo archive: {why}"),
    }
}

/// Binds the DICOM C-STORE receiver and runs it as a job; answers where it listens.
async fn dicom_receiver(
    jobs: &mut Jobs,
    addr: SocketAddr,
    config: &ServerConfig,
    importer: &imports::Importer,
) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the DICOM receiver to {addr}"))?;
    let bound = listener.local_addr()?;
    let limits = &config.receiver;
    let settings = crate::store_scp::ScpSettings {
        idle_timeout: Duration::from_secs(60),
        max_associations: limits.max_associations,
        max_buffered_bytes: limits.buffer_mb * 1024 * 1024,
        senders: limits.senders.clone(),
        ..crate::store_scp::ScpSettings::new(&config.ae_title, importer.limits().max_instance_bytes)
    };
    let inbox = Arc::new(crate::store_scp::ImportInbox::new(
        importer.clone(),
        limits.inbox_quota_mb * 1024 * 1024,
        limits.sender_quota_mb * 1024 * 1024,
    ));
    let stopping = jobs.stopping();
    jobs.spawn(async move {
        if let Err(e) = crate::store_scp::serve(listener, settings, inbox, stopping).await {
            tracing::error!(error = format!("{e:#}"), "the DICOM receiver stopped");
        }
    });
    Ok(bound)
}

/// Where the pseudonymisation secret comes from: a file, the environment, or the file made in
/// the data folder on first start.
pub(crate) enum SecretSource {
    File(std::path::PathBuf),
    Environment(Vec<u8>),
    DataFolder(std::path::PathBuf),
}

impl SecretSource {
    pub(crate) fn of(secret_file: Option<&std::path::Path>, data_dir: &std::path::Path) -> Self {
        match (secret_file, std::env::var("SONOHUB_SECRET")) {
            (Some(path), _) => SecretSource::File(path.to_path_buf()),
            (None, Ok(s)) => SecretSource::Environment(s.into_bytes()),
            (None, Err(_)) => SecretSource::DataFolder(data_dir.join(SECRET_FILE)),
        }
    }

    /// The secret, trimmed; `None` when the data folder has none yet.
    pub(crate) fn read(&self) -> anyhow::Result<Option<Vec<u8>>> {
        let bytes = match self {
            SecretSource::File(path) => Some(
                std::fs::read(path)
                    .with_context(|| format!("reading the secret {}", path.display()))?,
            ),
            SecretSource::Environment(bytes) => Some(bytes.clone()),
            SecretSource::DataFolder(path) if !path.exists() => None,
            SecretSource::DataFolder(path) => Some(std::fs::read(path)?),
        };
        Ok(bytes.map(|b| b.trim_ascii().to_vec()))
    }
}

/// The name of the secret made in the data folder.
pub(crate) const SECRET_FILE: &str = "pseudonym.secret";

/// The pseudonymisation secret: from a file, the environment, or made once in the data folder.
fn pseudonym_secret(config: &ServerConfig) -> anyhow::Result<Vec<u8>> {
    let source = SecretSource::of(config.secret_file.as_deref(), &config.data_dir);
    let secret = if let Some(secret) = source.read()? {
        secret
    } else {
        let path = config.data_dir.join(SECRET_FILE);
        use rand::RngCore;
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, hex.as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
        }
        std::fs::rename(&tmp, &path)?;
        tracing::warn!(
            path = %path.display(),
            "made a new pseudonymisation secret: back it up with the database"
        );
        std::fs::read(&path)?.trim_ascii().to_vec()
    };
    anyhow::ensure!(
        secret.len() >= 16,
        "the pseudonymisation secret must be at least 16 bytes"
    );
    Ok(secret)
}

/// The import pipeline over the configured blob store.
fn importer(config: &ServerConfig, db: Db) -> anyhow::Result<imports::Importer> {
    let blobs = match &config.blob_store {
        Some(url) => Blobs::s3(url)?,
        None => Blobs::local(&config.data_dir.join("blobs"))?,
    };
    tracing::info!(store = %blobs.describe, "blob store");
    let device_masks: Vec<DeviceMask> = match &config.device_masks {
        Some(path) => serde_json::from_slice(&std::fs::read(path)?)
            .with_context(|| format!("reading device masks from {}", path.display()))?,
        None => Vec::new(),
    };
    // One node per host and data folder (PostgreSQL setups run several, each with a data
    // folder of its own and one inbox they all share).
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let data = std::fs::canonicalize(&config.data_dir).unwrap_or(config.data_dir.clone());
    let node = format!("{}:{}", host.trim(), data.display());
    Ok(imports::Importer::new(
        node,
        db,
        blobs,
        config.inbox_dir(),
        AnonymizeConfig {
            secret: pseudonym_secret(config)?,
            device_masks,
            max_pixels: config.max_megapixels.max(1).saturating_mul(1_000_000),
            ..AnonymizeConfig::default()
        },
        imports::Limits {
            max_instance_bytes: config.max_file_mb.max(1) * 1024 * 1024,
        },
    ))
}
