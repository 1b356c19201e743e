//! Sign-in, sign-out, who is signed in, and changing one's own password.
use crate::model::{AppError, CurrentUser};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard,
    domain::{self, auth, users},
};

/// Signs in; the session id is renewed so a planted session cannot be reused.
#[server(endpoint = "login")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(password), err(Debug)))]
pub async fn login(username: String, password: String) -> Result<CurrentUser, AppError> {
    let state = guard::state()?;
    let ip = guard::client_ip().await;
    let id = auth::authenticate(&state, &username, &password, &ip).await?;
    let session = guard::session().await?;
    session.cycle_id().await.map_err(domain::internal)?;
    session
        .insert(guard::USER_KEY, id.0.clone())
        .await
        .map_err(domain::internal)?;
    users::current(&state.db, &id)
        .await?
        .ok_or(AppError::BadCredentials)
}

/// Signs out and forgets the session.
#[server(endpoint = "logout")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn logout() -> Result<(), AppError> {
    let session = guard::session().await?;
    session.flush().await.map_err(domain::internal)?;
    Ok(())
}

/// Who is signed in, if anyone.
#[server(endpoint = "me")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    guard::optional_user().await
}

/// Changes the signed-in user's own password after checking the current one.
#[server(endpoint = "change_password")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all, err(Debug)))]
pub async fn change_password(current: String, new_password: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let me = guard::user().await?;
    Ok(users::change_password(&state.db, &me.id, current, new_password).await?)
}
