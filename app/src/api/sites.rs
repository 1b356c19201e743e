//! Sites: everyone signed in can list them; admins edit them.
use crate::model::{AppError, Site, SiteId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::guard, crate::model::Permission, domain::audit::Actor, domain::sites};

/// Every site of the network.
#[server(endpoint = "sites")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn list_sites() -> Result<Vec<Site>, AppError> {
    let state = guard::state()?;
    guard::user().await?;
    guard::once_per_request("list_sites".into(), || async {
        Ok(sites::list(&state.db).await?)
    })
    .await
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
    let actor = Actor::web(&admin.id);
    Ok(sites::update_by(&state.db, &actor, &site_id, &name_zh, &name_en, active).await?)
}
