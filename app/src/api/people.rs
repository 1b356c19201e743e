//! People: the list (coordinators and admins), account management (admins), the network overview.
use crate::model::{AppError, NewUser, Role, SiteId, SitePeople, UserId, UserSummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::{InvalidReason, rules},
    domain::{self, audit, auth, sites, users},
};

/// Everyone, optionally of one site and/or role. Coordinators and admins only.
#[server(endpoint = "people")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn list_people(
    site: Option<SiteId>,
    role: Option<Role>,
) -> Result<Vec<UserSummary>, AppError> {
    let state = guard::state()?;
    guard::user_with(&[Role::Coordinator, Role::Admin]).await?;
    users::list(&state.db, site.as_ref(), role)
        .await
        .map_err(domain::internal)
}

/// Head count per site and role. Coordinators and admins only.
#[server(endpoint = "network")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn network_overview() -> Result<Vec<SitePeople>, AppError> {
    let state = guard::state()?;
    guard::user_with(&[Role::Coordinator, Role::Admin]).await?;
    sites::people_per_site(&state.db)
        .await
        .map_err(domain::internal)
}

/// Creates an account. Admins only.
#[server(endpoint = "create_user")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(user), err(Debug)))]
pub async fn create_user(user: NewUser) -> Result<UserSummary, AppError> {
    let state = guard::state()?;
    let admin = guard::user_with(&[Role::Admin]).await?;
    let username = rules::username(&user.username).map_err(|r| AppError::invalid("username", r))?;
    let display_name = rules::display_name(&user.display_name)
        .map_err(|r| AppError::invalid("display_name", r))?;
    rules::password(&user.password).map_err(|r| AppError::invalid("password", r))?;
    let site = sites::get(&state.db, &user.site_id)
        .await
        .map_err(domain::internal)?
        .ok_or_else(|| AppError::invalid("site", InvalidReason::Unknown))?;
    let hash = auth::hash_password(user.password)
        .await
        .map_err(domain::internal)?;
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
    .await
    .map_err(domain::internal)?
    .ok_or_else(|| AppError::invalid("username", InvalidReason::Taken))?;
    audit::record(
        &state.db,
        Some(&admin.id.0),
        "user_created",
        Some(&id.0),
        serde_json::json!({ "username": username, "role": user.role.as_str(), "site": site.code }),
    )
    .await;
    users::get(&state.db, &id)
        .await
        .map_err(domain::internal)?
        .ok_or(AppError::Internal)
}

/// Enables or disables an account. Admins only; the last active admin stays.
#[server(endpoint = "set_user_active")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn set_user_active(user_id: UserId, active: bool) -> Result<UserSummary, AppError> {
    let state = guard::state()?;
    let admin = guard::user_with(&[Role::Admin]).await?;
    let target = users::get(&state.db, &user_id)
        .await
        .map_err(domain::internal)?
        .ok_or_else(|| AppError::NotFound("user".into()))?;
    if !active && target.role == Role::Admin && target.active {
        let admins = users::active_admins(&state.db)
            .await
            .map_err(domain::internal)?;
        if admins <= 1 {
            return Err(AppError::invalid("role", InvalidReason::LastAdmin));
        }
    }
    users::set_active(&state.db, &user_id, active)
        .await
        .map_err(domain::internal)?;
    let action = if active {
        "user_enabled"
    } else {
        "user_disabled"
    };
    audit::record(
        &state.db,
        Some(&admin.id.0),
        action,
        Some(&user_id.0),
        serde_json::json!({}),
    )
    .await;
    users::get(&state.db, &user_id)
        .await
        .map_err(domain::internal)?
        .ok_or(AppError::Internal)
}

/// Sets a new password for an account. Admins only.
#[server(endpoint = "reset_password")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(new_password), err(Debug)))]
pub async fn reset_password(user_id: UserId, new_password: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let admin = guard::user_with(&[Role::Admin]).await?;
    rules::password(&new_password).map_err(|r| AppError::invalid("password", r))?;
    let hash = auth::hash_password(new_password)
        .await
        .map_err(domain::internal)?;
    if !users::set_password_hash(&state.db, &user_id, &hash)
        .await
        .map_err(domain::internal)?
    {
        return Err(AppError::NotFound("user".into()));
    }
    audit::record(
        &state.db,
        Some(&admin.id.0),
        "password_reset",
        Some(&user_id.0),
        serde_json::json!({}),
    )
    .await;
    Ok(())
}
