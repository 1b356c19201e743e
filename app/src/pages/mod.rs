//! One module per area of the app.
pub mod admin;
pub mod archive_settings;
pub mod audit;
pub mod cases;
pub mod errors;
pub mod guard;
pub mod home;
pub mod login;
pub mod notifications;
pub mod people;
pub mod profile;
pub mod sections;
pub mod sites;
pub mod studies;
pub mod study;
pub mod viewer;
