//! Reusable UI: the layout shell, error messages and small form pieces.
pub mod charts;
pub mod errors;
pub mod layout;
pub mod replay;
pub mod scores;
pub mod upload;
pub mod viewer;
