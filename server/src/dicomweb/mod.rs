//! SonoHub's own read-only DICOMweb service (PS3.18) at `/dicom-web`: QIDO-RS searches and
//! WADO-RS retrieves over the anonymised teaching studies, so OHIF or any DICOMweb client can
//! open them. Experts' signed-in sessions or the configured bearer token may use it.
mod json;
mod qido;
mod wado;

use crate::http::ServerState;
use app::api::guard::SignedIn;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use model::{Permission, Uid};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The bearer token DICOMweb clients may present, kept only as its SHA-256 so that comparing
/// takes the same time whatever was offered.
#[derive(Clone)]
pub struct Token([u8; 32]);

impl Token {
    /// The shortest token accepted: anything shorter could be guessed.
    pub const MIN_LEN: usize = 16;

    pub fn new(secret: &str) -> Token {
        Token(Sha256::digest(secret.as_bytes()).into())
    }

    fn matches(&self, offered: &str) -> bool {
        let offered: [u8; 32] = Sha256::digest(offered.as_bytes()).into();
        offered.ct_eq(&self.0).into()
    }
}

/// The `/dicom-web` routes (nested by the main router).
pub fn routes(state: &ServerState) -> Router<ServerState> {
    const INSTANCE: &str = "/studies/{study}/series/{series}/instances/{instance}";
    Router::new()
        .route("/studies", get(qido::studies))
        .route("/series", get(qido::series))
        .route("/instances", get(qido::instances))
        .route("/studies/{study}", get(wado::retrieve))
        .route("/studies/{study}/metadata", get(wado::metadata))
        .route("/studies/{study}/series", get(qido::series))
        .route("/studies/{study}/instances", get(qido::instances))
        .route("/studies/{study}/series/{series}", get(wado::retrieve))
        .route(
            "/studies/{study}/series/{series}/metadata",
            get(wado::metadata),
        )
        .route(
            "/studies/{study}/series/{series}/instances",
            get(qido::instances),
        )
        .route(INSTANCE, get(wado::retrieve))
        .route(&format!("{INSTANCE}/metadata"), get(wado::metadata))
        .fallback(|| async { Problem::NotFound("no such DICOMweb resource") })
        .layer(middleware::from_fn_with_state(state.clone(), authorise))
}

/// Lets a request through with a signed-in session or the right bearer token; answers 401
/// with a `WWW-Authenticate: Bearer` challenge otherwise.
async fn authorise(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    req: Request,
    next: Next,
) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let allowed = match bearer {
        // A token that is offered decides alone: a wrong one is refused even with a session.
        Some(offered) => state
            .dicomweb_token
            .as_ref()
            .is_some_and(|t| t.matches(offered)),
        // The archive's studies are listed to experts only (as in the app's study browser);
        // other roles see cases, not the archive.
        None => match signed_in.user().await.ok().flatten() {
            Some(user) if user.may(Permission::CurateStudies) => true,
            Some(_) => {
                return (StatusCode::FORBIDDEN, "only experts browse the archive").into_response();
            }
            None => false,
        },
    };
    if allowed {
        return next.run(req).await;
    }
    let challenge = if bearer.is_some() {
        r#"Bearer realm="SonoHub DICOMweb", error="invalid_token""#
    } else {
        r#"Bearer realm="SonoHub DICOMweb""#
    };
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        )],
        "sign in or present the DICOMweb bearer token",
    )
        .into_response()
}

/// Why a DICOMweb request failed; the text goes to the client, details only to the log.
#[derive(Debug)]
pub(crate) enum Problem {
    /// 400: a malformed UID, query key or value.
    BadRequest(String),
    NotFound(&'static str),
    /// 406: the stored transfer syntax is not one the client accepts (we never transcode).
    NotAcceptable(String),
    Internal,
}

impl Problem {
    /// Logs a storage error with its chain.
    fn internal(err: impl Into<anyhow::Error>) -> Problem {
        domain::internal(err);
        Problem::Internal
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        match self {
            Problem::BadRequest(why) => (StatusCode::BAD_REQUEST, why).into_response(),
            Problem::NotFound(what) => (StatusCode::NOT_FOUND, what).into_response(),
            Problem::NotAcceptable(why) => (StatusCode::NOT_ACCEPTABLE, why).into_response(),
            Problem::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "something went wrong on our side; it has been logged",
            )
                .into_response(),
        }
    }
}

/// The UIDs a request path names (absent ones are `None`).
#[derive(Debug, serde::Deserialize)]
struct PathUids {
    study: Option<String>,
    series: Option<String>,
    instance: Option<String>,
}

/// A UID from a path or a query, by the one rule (`model::Uid`).
fn uid(value: &str) -> Result<String, Problem> {
    Uid::parse(value)
        .map(Uid::into_string)
        .map_err(|_| Problem::BadRequest(format!("{value:?} is not a UID")))
}

impl PathUids {
    /// The path's UIDs, each checked to be a UID.
    fn validated(self) -> Result<PathUids, Problem> {
        let check = |v: Option<String>| v.as_deref().map(uid).transpose();
        Ok(PathUids {
            study: check(self.study)?,
            series: check(self.series)?,
            instance: check(self.instance)?,
        })
    }
}

/// 404 unless the path's study (and series) exist, so an empty answer means "none matched".
async fn require_scope(
    state: &ServerState,
    study: Option<&str>,
    series: Option<&str>,
) -> Result<(), Problem> {
    let db = &state.app.db;
    let found = match (study, series) {
        (Some(study), Some(series)) => domain::dicomweb::series_exists(db, study, series).await,
        (Some(study), None) => domain::dicomweb::study_exists(db, study).await,
        _ => return Ok(()),
    }
    .map_err(Problem::internal)?;
    match (found, series) {
        (true, _) => Ok(()),
        (false, Some(_)) => Err(Problem::NotFound("no such series in this study")),
        (false, None) => Err(Problem::NotFound("no such study")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_uids_follow_the_one_uid_rule() {
        assert!(uid("2.25.123456789").is_ok());
        for bad in ["", "1..2", "1.2.", "1.2.a", "../etc"] {
            assert!(uid(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_token_matches_only_itself() {
        let token = Token::new("a-long-enough-dicomweb-token");
        assert!(token.matches("a-long-enough-dicomweb-token"));
        assert!(!token.matches("a-long-enough-dicomweb-token "));
        assert!(!token.matches(""));
    }
}
