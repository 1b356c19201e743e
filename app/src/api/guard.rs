//! Who is asking, for server functions and the server's own handlers: the shared state, the
//! session, and the one signed-in user of the request.
use crate::model::{AppError, CurrentUser, Permission, UserId};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use domain::{AppState, Db};
use std::sync::Arc;
use tokio::sync::OnceCell;
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

/// Who is signed in for one request. The server attaches one to every request; the session
/// and the account are read on first use and at most once, by whichever asks first (the
/// sign-in redirect, a server function, the page render, a file or DICOMweb handler), and
/// never for requests that do not ask, such as static files.
#[derive(Clone)]
pub struct SignedIn {
    session: Session,
    db: Db,
    user: Arc<OnceCell<Option<CurrentUser>>>,
}

impl SignedIn {
    pub fn new(session: Session, db: Db) -> SignedIn {
        SignedIn {
            session,
            db,
            user: Arc::default(),
        }
    }

    /// The signed-in user, if any; a disabled or deleted account counts as signed out and its
    /// session is forgotten.
    pub async fn user(&self) -> Result<Option<CurrentUser>, AppError> {
        self.user
            .get_or_try_init(|| async {
                let Some(id) = self
                    .session
                    .get::<String>(USER_KEY)
                    .await
                    .map_err(domain::internal)?
                else {
                    return Ok(None);
                };
                let user = domain::users::current(&self.db, &UserId(id)).await?;
                if user.is_none() {
                    self.session.flush().await.map_err(domain::internal)?;
                }
                Ok::<_, AppError>(user)
            })
            .await
            .cloned()
    }

    /// The signed-in user whose role may do `what`: `Unauthenticated` or `Forbidden` otherwise.
    pub async fn who_may(&self, what: Permission) -> Result<CurrentUser, AppError> {
        let user = self.user().await?.ok_or(AppError::Unauthenticated)?;
        if user.may(what) {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<SignedIn>().cloned().ok_or_else(|| {
            tracing::error!("SignedIn missing: the sign-in layer is not on this route");
            (StatusCode::INTERNAL_SERVER_ERROR, "sign-in layer missing")
        })
    }
}

/// This request's `SignedIn`.
async fn signed_in() -> Result<SignedIn, AppError> {
    leptos_axum::extract::<SignedIn>().await.map_err(|e| {
        tracing::error!(error = ?e, "no SignedIn on the request");
        AppError::Internal
    })
}

/// The signed-in user, if any.
pub async fn optional_user() -> Result<Option<CurrentUser>, AppError> {
    signed_in().await?.user().await
}

/// The signed-in user, or `Unauthenticated`.
pub async fn user() -> Result<CurrentUser, AppError> {
    optional_user().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in user when their role may do `what`, else `Unauthenticated` or `Forbidden`.
pub async fn user_who_may(what: Permission) -> Result<CurrentUser, AppError> {
    signed_in().await?.who_may(what).await
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
