//! The audit trail, for admins.
use crate::model::{AppError, AuditEvent};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::guard, crate::model::Permission};

/// One page of events (50), newest first, older than `before` (unix seconds) when given.
#[server(endpoint = "audit")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn audit_log(before: Option<i64>) -> Result<Vec<AuditEvent>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::ReadAudit).await?;
    Ok(domain::audit::recent(&state.db, 50, before).await?)
}
