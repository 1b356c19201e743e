//! The SonoHub server: configuration, start-up, the HTTP stack and the demo seed.
#![recursion_limit = "512"]
pub mod anonymize_cli;
pub mod backup;
pub mod bench;
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
pub mod telemetry;

pub use config::ServerConfig;
pub use startup::{Started, start};

/// The C-STORE receiver's limits, for the fuzz regression test, which checks that the harness
/// in server/fuzz reads PDUs under the same ones; not an API.
#[doc(hidden)]
pub mod fuzzing {
    /// The largest PDU the C-STORE receiver reads (strict mode refuses longer ones).
    pub const STORE_SCP_MAX_PDU_LENGTH: u32 = crate::store_scp::MAX_PDU_LENGTH;
    /// The largest command set the C-STORE receiver puts together from its fragments.
    pub const STORE_SCP_MAX_COMMAND_BYTES: usize = crate::store_scp::MAX_COMMAND_BYTES;
}
