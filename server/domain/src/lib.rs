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
    /// Failed sign-ins allowed per account inside `login_window_secs`.
    pub max_failures_per_account: i64,
    /// Failed sign-ins allowed per client address inside `login_window_secs`.
    pub max_failures_per_ip: i64,
    pub login_window_secs: i64,
    /// Synthetic clips served under `/demo-clips/` (demo mode only).
    pub demo_clips: Vec<model::DemoClip>,
    /// STUN/TURN servers the browsers' WebRTC uses in live guidance (none on one network).
    pub ice_servers: Vec<model::guidance::IceServer>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_failures_per_account: 5,
            max_failures_per_ip: 30,
            login_window_secs: 15 * 60,
            demo_clips: Vec::new(),
            ice_servers: Vec::new(),
        }
    }
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
