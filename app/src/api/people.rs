//! People: the list (coordinators and admins), account management (admins), the network overview.
use crate::model::{AppError, NewUser, Role, SiteId, SitePeople, UserId, UserSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::AuditAction,
    crate::model::{InvalidReason, Permission, rules},
    domain::{audit, auth, sites, users},
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
    let username = rules::username(&user.username).map_err(|r| AppError::invalid("username", r))?;
    let display_name = rules::display_name(&user.display_name)
        .map_err(|r| AppError::invalid("display_name", r))?;
    rules::password(&user.password).map_err(|r| AppError::invalid("password", r))?;
    let site = sites::get(&state.db, &user.site_id)
        .await?
        .ok_or_else(|| AppError::invalid("site", InvalidReason::Unknown))?;
    let hash = auth::hash_password(user.password).await?;
    let id = users::insert(
        &state.db,
        users::InsertUser {
            username: &username,
            display_name: &display_name,
            role: user.role,
            site_id: &site.id,
            password_hash: &hash,
        },
    )
    .await?
    .ok_or_else(|| AppError::invalid("username", InvalidReason::Taken))?;
    audit::record(
        &state.db,
        Some(&admin.id.0),
        AuditAction::UserCreated,
        Some(&id.0),
        serde_json::json!({ "username": username, "role": user.role.as_str(), "site": site.code }),
    )
    .await;
    users::get(&state.db, &id).await?.ok_or(AppError::Internal)
}

/// Enables or disables an account. Admins only; the last active admin stays.
#[server(endpoint = "set_user_active")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn set_user_active(user_id: UserId, active: bool) -> Result<UserSummary, AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageAccounts).await?;
    users::set_active_by(&state.db, &admin.id, &user_id, active)
        .await?
        .ok_or_else(|| AppError::NotFound("user".into()))
}

/// Sets a new password for an account. Admins only.
#[server(endpoint = "reset_password")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(new_password), err(Debug)))]
pub async fn reset_password(user_id: UserId, new_password: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageAccounts).await?;
    rules::password(&new_password).map_err(|r| AppError::invalid("password", r))?;
    let hash = auth::hash_password(new_password).await?;
    if !users::set_password_hash(&state.db, &user_id, &hash).await? {
        return Err(AppError::NotFound("user".into()));
    }
    audit::record(
        &state.db,
        Some(&admin.id.0),
        AuditAction::PasswordReset,
        Some(&user_id.0),
        serde_json::json!({}),
    )
    .await;
    Ok(())
}
