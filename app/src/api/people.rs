//! People: the list (coordinators and admins), account management (admins), the network overview.
use crate::model::{AppError, NewUser, Role, SiteId, SitePeople, UserId, UserSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::Permission,
    domain::audit::Actor,
    domain::{sites, users},
};

/// Everyone, optionally of one site and/or role. Coordinators and admins only.
#[server(endpoint = "people")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn list_people(
    site: Option<SiteId>,
    role: Option<Role>,
) -> Result<Vec<UserSummary>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::ViewNetwork).await?;
    Ok(users::list(&state.db, site.as_ref(), role).await?)
}

/// Head count per site and role. Coordinators and admins only.
#[server(endpoint = "network")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn network_overview() -> Result<Vec<SitePeople>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::ViewNetwork).await?;
    Ok(sites::people_per_site(&state.db).await?)
}

/// Creates an account. Admins only.
#[server(endpoint = "create_user")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(user), err(Debug)))]
pub async fn create_user(user: NewUser) -> Result<UserSummary, AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageAccounts).await?;
    Ok(users::create(&state.db, &Actor::web(&admin.id), user).await?)
}

/// Enables or disables an account. Admins only; the last active admin stays.
#[server(endpoint = "set_user_active")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn set_user_active(user_id: UserId, active: bool) -> Result<UserSummary, AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageAccounts).await?;
    users::set_active_by(&state.db, &Actor::web(&admin.id), &user_id, active)
        .await?
        .ok_or_else(|| AppError::NotFound("user".into()))
}

/// Sets a new password for an account. Admins only.
#[server(endpoint = "reset_password")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(new_password), err(Debug)))]
pub async fn reset_password(user_id: UserId, new_password: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageAccounts).await?;
    let actor = Actor::web(&admin.id);
    Ok(users::reset_password(&state.db, &actor, &user_id, new_password).await?)
}
