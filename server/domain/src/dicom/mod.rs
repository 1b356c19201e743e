//! DICOM on the server: de-identification of studies before anything is stored.
pub mod anonymize;
mod dates;
pub mod layout;
pub mod profile;
pub mod remask;

pub use anonymize::{AnonymizeConfig, AnonymizeError, Anonymized, DeviceMask, anonymize};
