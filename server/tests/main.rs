//! The server's integration suites, linked into one test binary: one link instead of one per
//! suite keeps a clean build's disk and time within CI's budget. Each suite is a module, so
//! `cargo test --test integration -- cases::` runs one of them.
mod common;

mod anonymize_cli;
mod archive;
mod backup;
mod auth;
mod cases;
mod competency;
mod corpus;
mod crash;
mod courses;
mod demo_archive;
mod demo_cases;
mod demo_courses;
mod dicom_cli;
mod dicomweb;
mod guidance;
mod imports;
mod matrix;
mod pages;
mod people;
mod quarantine;
mod replays;
mod repos;
mod schema;
mod store_scp;
