//! Server functions, grouped by area: authorise, validate, call `backend`, map errors.
pub mod archive;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod clips;
pub mod competency;
pub mod courses;
pub mod guidance;
pub mod people;
pub mod quarantine;
pub mod replays;
pub mod resource;
pub mod sites;
pub mod tokens;

#[cfg(feature = "ssr")]
pub mod guard;
