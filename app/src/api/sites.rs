//! Sites: everyone signed in can list them; admins edit them.
use crate::model::{AppError, Site, SiteId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::AuditAction,
    crate::model::{Permission, rules},
    domain::{audit, sites},
};

/// Every site of the network.
#[server(endpoint = "sites")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn list_sites() -> Result<Vec<Site>, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    Ok(sites::list(&state.db).await?)
}

/// Renames a site or (de)activates it. Admins only.
#[server(endpoint = "update_site")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn update_site(
    site_id: SiteId,
    name_zh: String,
    name_en: String,
    active: bool,
) -> Result<Site, AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageSites).await?;
    let name_zh = rules::display_name(&name_zh).map_err(|r| AppError::invalid("name_zh", r))?;
    let name_en = rules::display_name(&name_en).map_err(|r| AppError::invalid("name_en", r))?;
    if !sites::update(&state.db, &site_id, &name_zh, &name_en, active).await? {
        return Err(AppError::NotFound("site".into()));
    }
    audit::record(
        &state.db,
        Some(&admin.id.0),
        AuditAction::SiteUpdated,
        Some(&site_id.0),
        serde_json::json!({ "name_zh": name_zh, "name_en": name_en, "active": active }),
    )
    .await;
    sites::get(&state.db, &site_id)
        .await?
        .ok_or(AppError::Internal)
}
