//! Server-only code: database repositories, password hashing and sign-in rules.
pub mod archive;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod cases;
pub mod competency;
pub mod courses;
pub mod db;
pub mod dicom;
pub mod dicomweb;
pub mod dicomweb_tokens;
mod error;
pub mod guidance;
pub mod imports;
pub mod quizzes;
pub mod replays;
pub mod sites;
pub mod sql;
pub mod studies;
pub mod users;

use std::sync::Arc;

pub use db::{Db, DbKind};
pub use error::{Error, Result};

/// What every server function and handler shares: the database and the settings.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// The import pipeline, which also owns the blob store.
    pub importer: imports::Importer,
    /// The live guidance sessions' connections and events (in memory, one per server).
    pub guidance: guidance::Hub,
}

/// Runtime settings that the request handlers need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Failed sign-ins allowed per account from one client address inside
    /// `login_window_secs`: a guesser locks themself out, not the account's owner.
    pub max_failures_per_account_and_ip: i64,
    /// Failed sign-ins allowed per account from all addresses together, before addresses
    /// that have not signed in to it lately are refused too (a guesser with many addresses).
    pub max_failures_per_account: i64,
    /// Failed sign-ins allowed per client address inside `login_window_secs`.
    pub max_failures_per_ip: i64,
    pub login_window_secs: i64,
    /// Proxies whose `X-Forwarded-For` is believed (the TLS proxy in front); by default
    /// loopback, where the README's proxy runs.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Synthetic clips served under `/demo-clips/` (demo mode only).
    pub demo_clips: Vec<model::DemoClip>,
    /// STUN/TURN servers the browsers' WebRTC uses in live guidance (none on one network).
    pub ice_servers: Vec<model::guidance::IceServer>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_failures_per_account_and_ip: 5,
            max_failures_per_account: 50,
            max_failures_per_ip: 30,
            trusted_proxies: ["127.0.0.0/8", "::1/128"]
                .iter()
                .filter_map(|net| net.parse().ok())
                .collect(),
            login_window_secs: 15 * 60,
            demo_clips: Vec::new(),
            ice_servers: Vec::new(),
        }
    }
}

/// Describes the series the domain records (through the `metrics` facade: nothing is kept
/// unless the server installed a recorder).
pub fn describe_metrics() {
    use metrics::{Unit, describe_counter, describe_histogram};
    describe_histogram!(
        "sonohub_import_run_duration_seconds",
        Unit::Seconds,
        "Import job runs, by outcome (finished, or an error that backs the job off)"
    );
    describe_counter!(
        "sonohub_blob_store_errors_total",
        "Failed calls to the blob store (folder or S3), by operation"
    );
}

/// Current time in unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A fresh time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Logs a fault with its chain and turns it into what users may see (for errors from outside
/// the domain, such as the session store's); a user-facing domain error passes unchanged.
pub fn internal(err: impl Into<anyhow::Error>) -> model::AppError {
    Error::from(err.into()).into()
}

/// Private readers called by the fuzz targets in server/fuzz, which live outside this crate;
/// not an API.
#[doc(hidden)]
pub mod fuzzing {
    /// `replays::package::unpack`: a replay package read and checked as an import does, before
    /// anything touches the database.
    pub fn unpack_replay_package(zip: &[u8], max_dicom: u64) -> crate::Result<()> {
        crate::replays::package::unpack(zip, max_dicom).map(drop)
    }
}
