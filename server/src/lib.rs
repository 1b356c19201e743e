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

/// Private parsers called by the fuzz targets in server/fuzz, which live outside this crate;
/// not an API. The receiver's limits are here for the fuzz regression test, which checks that
/// the harness reads PDUs under the same ones.
#[doc(hidden)]
pub mod fuzzing {
    /// The largest PDU the C-STORE receiver reads (strict mode refuses longer ones).
    pub const STORE_SCP_MAX_PDU_LENGTH: u32 = crate::store_scp::MAX_PDU_LENGTH;
    /// The largest command set the C-STORE receiver puts together from its fragments.
    pub const STORE_SCP_MAX_COMMAND_BYTES: usize = crate::store_scp::MAX_COMMAND_BYTES;

    /// `dicomweb::qido::parse`: a QIDO-RS query's pairs at study (0), series (1) or instance
    /// (any other) level; the error is the refusal as the client would be told it.
    pub fn parse_qido_query(level: u8, pairs: &[(String, String)]) -> Result<(), String> {
        use crate::dicomweb::qido::{Level, parse};
        let level = match level {
            0 => Level::Study,
            1 => Level::Series,
            _ => Level::Instance,
        };
        parse(level, pairs).map(drop).map_err(|p| format!("{p:?}"))
    }
}
