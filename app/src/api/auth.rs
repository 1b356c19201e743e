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
    guard::open_session(&session, &state.db, &id).await?;
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
    // A clinic computer is shared: what this person opened (clips, pages) leaves its cache.
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(
            axum::http::HeaderName::from_static("clear-site-data"),
            axum::http::HeaderValue::from_static("\"cache\""),
        );
    }
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
    users::change_password(&state.db, &me.id, current, new_password).await?;
    // Every other session of the account is over (its stamp is the old password's); this one
    // goes on, with a new id and the new stamp.
    let session = guard::session().await?;
    session.cycle_id().await.map_err(domain::internal)?;
    guard::open_session(&session, &state.db, &me.id).await
}
