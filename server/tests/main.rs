//! The server's integration suites, linked into one test binary: one link instead of one per
//! suite keeps a clean build's disk and time within CI's budget. Each suite is a module, so
//! `cargo test --test integration -- cases::` runs one of them.
mod common;

mod anonymize_cli;
mod archive;
mod auth;
mod backup;
mod cases;
mod competency;
mod corpus;
mod courses;
mod crash;
mod demo_archive;
mod demo_cases;
mod demo_courses;
mod dicom_cli;
mod dicomweb;
mod fuzz_regressions;
mod guidance;
mod imports;
mod matrix;
mod multinode;
mod operations;
mod pages;
mod people;
mod quarantine;
mod replays;
mod repos;
mod schema;
mod store_scp;
