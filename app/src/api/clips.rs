//! Clips the viewer can open without an archive: the synthetic demo clips.
use crate::model::{AppError, DemoClip};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard;

/// The demo clips this server made at start (none outside demo mode).
#[server(endpoint = "demo_clips")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn demo_clips() -> Result<Vec<DemoClip>, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    Ok(state.settings.demo_clips.clone())
}
