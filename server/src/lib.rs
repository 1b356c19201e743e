//! The SonoHub server: configuration, start-up, the HTTP stack and the demo seed.
#![recursion_limit = "512"]
pub mod anonymize_cli;
pub mod backup;
pub mod config;
pub mod demo_archive;
pub mod demo_cases;
pub mod demo_clips;
pub mod demo_competency;
pub mod demo_courses;
pub mod demo_replays;
pub mod demo_studies;
pub mod dicom_cli;
pub mod dicom_http;
pub mod dicomweb;
pub mod guidance_ws;
pub mod http;
pub mod jobs;
pub mod render;
pub mod replay_http;
pub mod security;
pub mod seed;
pub mod sessions;
pub mod startup;
pub mod store_scp;

pub use config::ServerConfig;
pub use startup::{Started, start};
