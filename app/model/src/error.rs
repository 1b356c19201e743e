//! The one error users may be told about. Details go to the log, never to the browser.
use serde::{Deserialize, Serialize};

/// Why a field was refused; translated in the browser.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    Required,
    TooShort,
    TooLong,
    BadFormat,
    Taken,
    Unknown,
    Wrong,
    LastAdmin,
    /// Not possible in the record's current state (e.g. editing a case under review).
    WrongState,
    /// Review must come from someone other than the author.
    OwnWork,
    /// Every attempt the quiz allows is used.
    NoAttemptsLeft,
    /// The attempt's time limit has passed.
    TimeUp,
    /// A prerequisite module is not done yet.
    Locked,
    /// The clip has no calibration to measure with.
    NotCalibrated,
    /// The clip or case is not in the published library.
    NotPublished,
    /// After the end of the media or clip it belongs to.
    PastEnd,
    /// A file kind or codec that cannot be played.
    Unsupported,
    /// A number outside the range it may take (a grade outside 1–5, a share above 1).
    OutOfRange,
    /// The learner does not meet the credential's rules (yet, or any more).
    NotEligible,
}

/// What a user may be told. Database and I/O errors become `Internal` after being logged.
#[derive(Debug, Clone, thiserror::Error, Serialize, Deserialize, PartialEq)]
pub enum AppError {
    #[error("please sign in")]
    Unauthenticated,
    #[error("your role cannot do this")]
    Forbidden,
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{field}: {reason:?}")]
    Invalid {
        field: String,
        reason: InvalidReason,
    },
    /// Sign-in refused; deliberately silent on whether the account exists.
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many attempts")]
    RateLimited,
    #[error("something went wrong on our side; it has been logged")]
    Internal,
    /// The request never reached the server or its answer could not be read.
    #[error("the server could not be reached")]
    Unavailable,
    /// A DICOM file was refused, with the reason.
    #[error("refused: {0:?}")]
    Refused(super::ImportFailure),
    /// The regional archive could not be used.
    #[error("the archive could not be used: {0:?}")]
    Archive(super::ArchiveProblem),
}

impl AppError {
    /// A field-level validation error.
    pub fn invalid(field: &str, reason: InvalidReason) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            reason,
        }
    }

    /// The HTTP status this error maps to.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Archive(_) => StatusCode::BAD_GATEWAY,
            AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(err: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match err {
            // The server decodes nothing but requests, so there a body that does not decode
            // (a JSON-encoded function's arguments) is the caller's mistake, not an outage.
            E::Deserialization(_) if cfg!(feature = "ssr") => {
                AppError::invalid("request", InvalidReason::BadFormat)
            }
            E::Request(_) | E::Response(_) | E::Deserialization(_) => AppError::Unavailable,
            E::Args(_) | E::MissingArg(_) => AppError::invalid("request", InvalidReason::BadFormat),
            _ => AppError::Internal,
        }
    }

    /// Encodes the error for the response and, on the server, gives that response the
    /// error's own status (403, 404, 422, ...) instead of server_fn's blanket 500, so that
    /// proxies, logs and monitoring tell a refused request from a fault. Native form posts
    /// (`Accept: text/html`) keep server_fn's redirect back to the form.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            let wants_html = leptos::prelude::use_context::<http::request::Parts>()
                .and_then(|parts| parts.headers.get(http::header::ACCEPT).cloned())
                .is_some_and(|accept| accept.to_str().is_ok_and(|v| v.contains("text/html")));
            if !wants_html {
                res.set_status(self.status());
            }
        }
        use leptos::server_fn::Encodes;
        Self::Encoder::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"Internal\""))
    }
}
