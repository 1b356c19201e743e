//! Request helpers for server functions: the shared state, the session and the signed-in user.
use crate::model::{AppError, CurrentUser, Role, UserId};
use domain::{self, AppState};
use tower_sessions::Session;

/// The session key holding the signed-in user's id.
pub const USER_KEY: &str = "user_id";

/// The shared state provided to every server function.
pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

/// The request's session.
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::Internal
    })
}

/// Who the sign-in middleware found signed in for this request, so pages need not ask the
/// database twice.
#[derive(Debug, Clone)]
pub struct SignedInUser(pub Option<CurrentUser>);

/// The signed-in user, if any; a disabled account counts as signed out.
pub async fn optional_user() -> Result<Option<CurrentUser>, AppError> {
    if let Ok(axum::Extension(SignedInUser(Some(user)))) =
        leptos_axum::extract::<axum::Extension<SignedInUser>>().await
    {
        return Ok(Some(user));
    }
    let state = state()?;
    let session = session().await?;
    let Some(id) = session
        .get::<String>(USER_KEY)
        .await
        .map_err(domain::internal)?
    else {
        return Ok(None);
    };
    let user = domain::users::current(&state.db, &UserId(id))
        .await
        .map_err(domain::internal)?;
    if user.is_none() {
        session.flush().await.map_err(domain::internal)?;
    }
    Ok(user)
}

/// The signed-in user, or `Unauthenticated`.
pub async fn user() -> Result<CurrentUser, AppError> {
    optional_user().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in user when their role is one of `roles`, else `Forbidden`.
pub async fn user_with(roles: &[Role]) -> Result<CurrentUser, AppError> {
    let user = user().await?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The client's address as the socket saw it.
pub async fn client_ip() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".to_string(),
    }
}
