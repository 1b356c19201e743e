//! The domain's one error: what a user may be told, or a fault on our side that is logged
//! once with its chain when it becomes an `AppError`. `?` works from a repository (sqlx,
//! I/O, blob store, anything `anyhow`) up to a server function.
use model::AppError;

/// Why a domain operation did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What the user may be told.
    #[error(transparent)]
    App(#[from] AppError),
    /// A fault on our side, logged once with its chain when it becomes an `AppError`.
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// A domain result: `Error` unless said otherwise.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Internal(err.into())
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Internal(err.into())
    }
}

impl From<object_store::Error> for Error {
    fn from(err: object_store::Error) -> Self {
        Error::Internal(err.into())
    }
}

impl From<tokio::task::JoinError> for Error {
    /// Blocking work (hashing, anonymising) that panicked or was cancelled.
    fn from(err: tokio::task::JoinError) -> Self {
        Error::Internal(err.into())
    }
}

impl From<serde_json::Error> for Error {
    /// JSON we wrote ourselves (job labels, case content) that does not read back.
    fn from(err: serde_json::Error) -> Self {
        Error::Internal(err.into())
    }
}

impl From<anyhow::Error> for Error {
    /// A user-facing error that travelled through `anyhow` (e.g. under a `context`) stays
    /// user-facing; everything else is ours.
    fn from(err: anyhow::Error) -> Self {
        match err.downcast_ref::<Error>() {
            Some(Error::App(app)) => Error::App(app.clone()),
            _ => match err.downcast_ref::<AppError>() {
                Some(app) => Error::App(app.clone()),
                None => Error::Internal(err),
            },
        }
    }
}

impl From<Error> for AppError {
    /// Logs an internal fault with its chain (the only place it is logged) and hides it.
    fn from(err: Error) -> Self {
        match err {
            Error::App(app) => app,
            Error::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "internal error");
                AppError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn user_facing_errors_pass_through_and_faults_are_hidden() {
        let forbidden: Error = AppError::Forbidden.into();
        assert_eq!(AppError::from(forbidden), AppError::Forbidden);
        let io = std::io::Error::other("disk on fire");
        assert_eq!(AppError::from(Error::from(io)), AppError::Internal);
        let wrapped: anyhow::Result<()> =
            Err(Error::from(AppError::RateLimited)).context("signing in");
        assert_eq!(
            AppError::from(Error::from(wrapped.unwrap_err())),
            AppError::RateLimited
        );
    }

    #[test]
    fn a_fault_shows_its_whole_chain() {
        let listing: anyhow::Result<()> =
            Err(anyhow::anyhow!("no such table")).context("listing sites");
        let err = Error::from(listing.unwrap_err());
        assert!(matches!(err, Error::Internal(_)));
        assert_eq!(format!("{err:#}"), "listing sites: no such table");
    }
}
