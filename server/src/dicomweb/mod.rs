//! SonoHub's own read-only DICOMweb service (PS3.18) at `/dicom-web`, so OHIF or any DICOMweb
//! client can open the anonymised teaching studies. Experts' signed-in sessions may use it, and
//! so may bearer tokens: those admins issue by name (`domain::dicomweb_tokens`) and the
//! operator's `--dicomweb-token`. Whatever carries pixel data out is audited, naming the token.
//!
//! * QIDO-RS searches: `/studies`, `/series`, `/instances` at each level (`qido`).
//! * WADO-RS: studies, series and instances as stored DICOM, never transcoded, and their
//!   `/metadata` as DICOM JSON with the Transfer Syntax UID and bulk data linked (`wado`).
//! * Frames, `…/instances/{sop}/frames/{list}`: stored bytes as they are, or decoded to
//!   uncompressed little endian when asked, multipart or single-part (`frames`, where each
//!   frame's bytes are in the file: `pixels`; decoding: `decoded`).
//! * `/rendered` and `/thumbnail` at study, series, instance and frame level: JPEG or PNG,
//!   `viewport` and `quality` honoured, cached by blob hash (`rendered`, `picture`).
//! * `…/instances/{sop}/bulkdata/{tag}`: top-level binary values over 1 KiB (`bulkdata`).
//! * WADO-URI, `/dicom-web?requestType=WADO&…`, for viewers that still use it (`wado_uri`).
//!
//! Other origins may call it when the operator lists them (`--dicomweb-cors`): preflight
//! requests are answered before any credential is asked for, and the token may come as
//! `Authorization: Bearer` or, where a client cannot set headers, as `?access_token=`.
//!
//! Accept headers are negotiated in one place (`accept`); multipart bodies are streamed part
//! by part (`multipart`).
mod accept;
mod bulkdata;
mod cache;
mod decoded;
mod frames;
mod json;
mod multipart;
mod picture;
mod pixels;
pub(crate) mod qido;
mod rendered;
mod wado;
mod wado_uri;

use crate::http::{Endpoint, ServerState};
use app::api::guard::SignedIn;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use model::{Permission, Uid};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// What the DICOMweb routes keep in memory between requests, keyed by blob hash so an entry
/// never goes stale: where each instance's frames are, and rendered images.
struct Caches {
    layouts: cache::Bounded<String, Arc<pixels::FrameLayout>>,
    rendered: cache::Bounded<rendered::RenderKey, Bytes>,
}

impl Caches {
    /// Frame layouts are small (tens of bytes a frame); rendered images are JPEGs and PNGs.
    const LAYOUT_BYTES: usize = 4 << 20;
    const RENDERED_BYTES: usize = 48 << 20;

    fn new() -> Caches {
        Caches {
            layouts: cache::bounded(Self::LAYOUT_BYTES, 1 << 10),
            rendered: cache::bounded(Self::RENDERED_BYTES, 32 << 10),
        }
    }
}

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

/// How many requests a minute each bearer token may make at `/dicom-web` on this node
/// (`--dicomweb-token-rate`): a leaked or runaway token cannot take the server's disk and CPU
/// from the network's viewers. Sessions (experts at a screen) are not counted.
pub struct TokenRate(governor::DefaultKeyedRateLimiter<String>);

impl TokenRate {
    /// `None` for 0, which means no limit.
    pub fn per_minute(requests: u32) -> Option<TokenRate> {
        std::num::NonZeroU32::new(requests)
            .map(|n| TokenRate(governor::RateLimiter::keyed(governor::Quota::per_minute(n))))
    }

    /// Counts a request of `token` (an issued token's id, or the operator's); `Err` with the
    /// seconds until it may ask again when its minute is used up.
    fn take(&self, token: &str) -> Result<(), u64> {
        use governor::clock::Clock;
        self.0.check_key(&token.to_string()).map_err(|not_yet| {
            not_yet
                .wait_time_from(self.0.clock().now())
                .as_secs()
                .max(1)
        })
    }
}

/// 429 for a token that asked too often, with when to ask again.
fn too_many(wait_secs: u64) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, HeaderValue::from(wait_secs))],
        format!("this token has made too many requests; ask again in {wait_secs} s"),
    )
        .into_response()
}

/// The `/dicom-web` endpoints, relative to where the main router nests them (`/` is the
/// service's own address, for WADO-URI).
pub fn endpoints() -> Vec<Endpoint> {
    const STUDY: &str = "/studies/{study}";
    const SERIES: &str = "/studies/{study}/series/{series}";
    const INSTANCE: &str = "/studies/{study}/series/{series}/instances/{instance}";
    const FRAMES: &str = "/studies/{study}/series/{series}/instances/{instance}/frames/{frames}";
    vec![
        Endpoint::get("/", wado_uri::retrieve),
        Endpoint::get("/studies", qido::studies),
        Endpoint::get("/series", qido::series),
        Endpoint::get("/instances", qido::instances),
        Endpoint::get(STUDY, wado::retrieve),
        Endpoint::get(format!("{STUDY}/metadata"), wado::metadata),
        Endpoint::get(format!("{STUDY}/rendered"), rendered::rendered),
        Endpoint::get(format!("{STUDY}/thumbnail"), rendered::thumbnail),
        Endpoint::get(format!("{STUDY}/series"), qido::series),
        Endpoint::get(format!("{STUDY}/instances"), qido::instances),
        Endpoint::get(SERIES, wado::retrieve),
        Endpoint::get(format!("{SERIES}/metadata"), wado::metadata),
        Endpoint::get(format!("{SERIES}/rendered"), rendered::rendered),
        Endpoint::get(format!("{SERIES}/thumbnail"), rendered::thumbnail),
        Endpoint::get(format!("{SERIES}/instances"), qido::instances),
        Endpoint::get(INSTANCE, wado::retrieve),
        Endpoint::get(format!("{INSTANCE}/metadata"), wado::metadata),
        Endpoint::get(format!("{INSTANCE}/rendered"), rendered::rendered),
        Endpoint::get(format!("{INSTANCE}/thumbnail"), rendered::thumbnail),
        Endpoint::get(format!("{INSTANCE}/bulkdata/{{tag}}"), bulkdata::retrieve),
        Endpoint::get(FRAMES, frames::retrieve),
        Endpoint::get(format!("{FRAMES}/rendered"), rendered::frame_rendered),
        Endpoint::get(format!("{FRAMES}/thumbnail"), rendered::frame_thumbnail),
    ]
}

/// The service the main router nests at `/dicom-web`: `endpoints`, each behind `authorise`;
/// the `cors` origins may call them from their pages.
pub fn service(endpoints: Vec<Endpoint>, state: &ServerState, cors: &Cors) -> Router<ServerState> {
    let routes = endpoints
        .into_iter()
        .fold(Router::new(), |router, endpoint| {
            let (path, handler) = endpoint.into_parts();
            router.route(&path, handler)
        })
        .fallback(|| async { Problem::NotFound("no such DICOMweb resource") })
        .layer(Extension(Arc::new(Caches::new())))
        .layer(middleware::from_fn_with_state(state.clone(), authorise));
    match cors.layer() {
        // Outside `authorise`: a preflight carries no credentials and must not be refused.
        Some(layer) => routes.layer(layer),
        None => routes,
    }
}

/// The origins whose pages may call `/dicom-web` (`--dicomweb-cors`): none by default.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Cors {
    #[default]
    SameOrigin,
    /// `*`: any page may call it with a token it holds. Browsers send no cookies to a
    /// wildcard, so a session cannot be used from another origin this way.
    AnyOrigin,
    Origins(Vec<HeaderValue>),
}

impl Cors {
    /// Reads `--dicomweb-cors`: `*`, or origins as a browser sends them
    /// (`https://viewer.example.org`, `http://127.0.0.1:3000`).
    pub fn parse(values: &[String]) -> anyhow::Result<Cors> {
        let values: Vec<&str> = values
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return Ok(Cors::SameOrigin);
        }
        if values == ["*"] {
            return Ok(Cors::AnyOrigin);
        }
        let origins = values
            .into_iter()
            .map(|origin| {
                let valid = origin.split_once("://").is_some_and(|(scheme, rest)| {
                    matches!(scheme, "http" | "https")
                        && !rest.is_empty()
                        && !rest.contains(['/', '?', '#', '*', ' '])
                });
                anyhow::ensure!(
                    valid,
                    "--dicomweb-cors: {origin:?} is not an origin like https://viewer.example.org \
                     (scheme and host, optionally a port, no path), nor *"
                );
                Ok(HeaderValue::from_str(origin)?)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Cors::Origins(origins))
    }

    fn layer(&self) -> Option<CorsLayer> {
        let allow = match self {
            Cors::SameOrigin => return None,
            Cors::AnyOrigin => AllowOrigin::any(),
            Cors::Origins(origins) => AllowOrigin::list(origins.iter().cloned()),
        };
        Some(
            CorsLayer::new()
                .allow_origin(allow)
                .allow_methods([Method::GET, Method::HEAD])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::ACCEPT,
                    header::IF_NONE_MATCH,
                    header::RANGE,
                ])
                .expose_headers([
                    header::CONTENT_TYPE,
                    header::CONTENT_LENGTH,
                    header::ETAG,
                    header::WWW_AUTHENTICATE,
                ])
                .max_age(std::time::Duration::from_secs(3600)),
        )
    }
}

/// The bearer token a request offers: `Authorization: Bearer …`, else `?access_token=…`
/// (RFC 6750 §2.3, for clients that load images by URL and cannot set a header).
fn offered_token(req: &Request) -> Option<String> {
    bearer(req.headers()).or_else(|| {
        form_urlencoded_pairs(req.uri().query()?)
            .find(|(name, _)| name == "access_token")
            .map(|(_, value)| value)
    })
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        })
}

/// Who a request that `authorise` let in reads for, as the audit log names them: the signed-in
/// expert, or a token by its name (`--dicomweb-token` for the operator's own).
#[derive(Clone, Debug)]
pub(crate) enum Reader {
    Expert(model::UserId),
    Token(String),
}

/// `name=value` pairs of a query, percent-decoded.
fn form_urlencoded_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let decode = |s: &str| crate::http::percent_decode(&s.replace('+', " "));
        Some((decode(name), decode(value)))
    })
}

/// Lets a request through with a signed-in session or the right bearer token; answers 401
/// with a `WWW-Authenticate: Bearer` challenge otherwise.
async fn authorise(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    mut req: Request,
    next: Next,
) -> Response {
    let bearer = offered_token(&req);
    let reader = match &bearer {
        // A token that is offered decides alone: a wrong one is refused even with a session.
        Some(offered) => {
            let configured = state
                .dicomweb_token
                .as_ref()
                .is_some_and(|t| t.matches(offered));
            let counted = |key: &str| match &state.dicomweb_rate {
                Some(rate) => rate.take(key),
                None => Ok(()),
            };
            if configured {
                if let Err(wait) = counted("--dicomweb-token") {
                    return too_many(wait);
                }
                Some(Reader::Token("--dicomweb-token".to_string()))
            } else {
                match domain::dicomweb_tokens::find(&state.app.db, offered).await {
                    Ok(Some(token)) => {
                        if let Err(wait) = counted(&token.id) {
                            return too_many(wait);
                        }
                        // Counted apart from the answer: a busy viewer must not wait on it.
                        let db = state.app.db.clone();
                        let id = token.id.clone();
                        tokio::spawn(async move {
                            if let Err(e) = domain::dicomweb_tokens::used(&db, &id).await {
                                domain::internal(e);
                            }
                        });
                        Some(Reader::Token(token.name))
                    }
                    Ok(None) => None,
                    Err(e) => {
                        domain::internal(e);
                        return Problem::Internal.into_response();
                    }
                }
            }
        }
        // The archive's studies are listed to experts only (as in the app's study browser);
        // other roles see cases, not the archive.
        None => match signed_in.user().await.ok().flatten() {
            Some(user) if user.may(Permission::CurateStudies) => Some(Reader::Expert(user.id)),
            Some(_) => {
                return (StatusCode::FORBIDDEN, "only experts browse the archive").into_response();
            }
            None => None,
        },
    };
    if let Some(reader) = reader {
        req.extensions_mut().insert(reader);
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
    /// 404: no such study, series, instance, frame or attribute.
    NotFound(&'static str),
    /// 404 naming what is missing, e.g. a frame past the last.
    Missing(String),
    /// 406: nothing the client accepts can be made from what is stored; says what can.
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
            Problem::Missing(what) => (StatusCode::NOT_FOUND, what).into_response(),
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
