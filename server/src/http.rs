//! The HTTP stack: Leptos pages and server functions, static files, health, sessions, logs.
use crate::config::ServerConfig;
use crate::sessions::Store;
use app::api::guard::SignedIn;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use domain::AppState;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The router's state: Leptos settings and the app's shared state.
#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    /// The bearer token DICOMweb clients may use instead of a session.
    pub dicomweb_token: Option<crate::dicomweb::Token>,
    /// Requests a minute each DICOMweb token may make; `None`: no limit.
    pub dicomweb_rate: Option<std::sync::Arc<crate::dicomweb::TokenRate>>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

/// Builds the whole router over `state`.
pub fn router(
    config: &ServerConfig,
    state: AppState,
    store: Store,
    addr: SocketAddr,
) -> anyhow::Result<Router> {
    let site_root = config.site_root.to_string_lossy().to_string();
    // cargo-leptos writes hash.txt beside the binary when it fingerprints the bundle; only then
    // may /pkg files be cached forever (test binaries serve unhashed names).
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .is_some_and(|path| path.exists());
    let leptos = LeptosOptions::builder()
        .output_name("sonohub")
        .site_root(site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hashed)
        .build();
    let routes = page_routes();
    // Pages and server functions are served by the Leptos fallback, which axum gives no
    // `MatchedPath`: their templates label the metrics instead.
    let labels = std::sync::Arc::new(crate::telemetry::RouteLabels::new(
        routes
            .iter()
            .map(|r| r.path())
            .chain(leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path)),
    ));
    let server_state = ServerState {
        leptos: leptos.clone(),
        app: state.clone(),
        dicomweb_token: config
            .dicomweb_token
            .as_deref()
            .map(crate::dicomweb::Token::new),
        dicomweb_rate: crate::dicomweb::TokenRate::per_minute(config.dicomweb_token_rate)
            .map(std::sync::Arc::new),
    };
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let sessions = SessionManagerLayer::new(store)
        .with_name("sonohub_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)));

    let files = |path: &str, folder: Folder| {
        let (dir, cache) = match folder {
            Folder::Bundle => (
                std::path::PathBuf::from(format!("{site_root}/pkg")),
                if hashed {
                    "public, max-age=31536000, immutable"
                } else {
                    "no-cache"
                },
            ),
            Folder::DemoClips => (
                crate::demo_clips::folder(&config.data_dir),
                "private, no-cache",
            ),
        };
        Router::new().nest_service(path, ServeDir::new(dir)).layer(
            SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache),
            ),
        )
    };

    // Pages (and server functions, which stay on this runtime) go to the render threads.
    let pages = Router::new()
        .leptos_routes_with_context(&server_state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .with_state(server_state.clone())
        .layer(middleware::from_fn(chosen_language))
        // Server functions read their whole body into memory: bounded here, whatever it
        // declares (413 on a longer Content-Length, an error mid-read on a longer stream).
        .layer(RequestBodyLimitLayer::new(
            usize::try_from(config.max_request_kb.max(1).saturating_mul(1024))
                .unwrap_or(usize::MAX),
        ));
    let pages = crate::render::Renderers::for_machine(pages)?;

    let cors = crate::dicomweb::Cors::parse(&config.dicomweb_cors)?;
    let mut plain = Router::new();
    for mount in mounts() {
        plain = match mount {
            Mount::Endpoint(endpoint) => plain.route(&endpoint.path, endpoint.handler),
            Mount::Files { path, folder } => plain.merge(files(path, folder)),
            Mount::DicomWeb { path, endpoints } => plain.nest(
                path,
                crate::dicomweb::service(endpoints, &server_state, &cors),
            ),
        };
    }

    Ok(plain
        .fallback_service(pages)
        .layer(middleware::from_fn_with_state(state.clone(), sign_in_gate))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::new(crate::security::Policy::new(config.public_url.as_deref())),
            crate::security::guard,
        ))
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/dicom"))
                    // WADO-RS parts are DICOM files too; DICOM JSON still compresses.
                    .and(NotForContentType::const_new("multipart/related"))
                    // Replay media and packages are compressed already (and served in ranges).
                    .and(NotForContentType::const_new("audio/"))
                    .and(NotForContentType::const_new("video/"))
                    .and(NotForContentType::const_new("application/zip")),
            ),
        )
        .layer(middleware::from_fn_with_state(
            labels,
            crate::telemetry::track,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        let uri = redacted(req.uri());
                        tracing::info_span!("request", id, method = %req.method(), uri = %uri)
                    }),
                )
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
        .with_state(server_state))
}

/// The language the reader chose with the header's switch (`app::LANGUAGE_COOKIE`) wins over
/// the browser's: leptos_i18n picks a page's language from Accept-Language alone, so a known
/// choice replaces that header before the page renders.
async fn chosen_language(mut req: Request, next: Next) -> Response {
    let chosen = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == app::LANGUAGE_COOKIE)
        .and_then(|(_, value)| app::chosen_language(value));
    if let Some(tag) = chosen {
        req.headers_mut()
            .insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(tag));
    }
    next.run(req).await
}

const GET: &[Method] = &[Method::GET];
const POST: &[Method] = &[Method::POST];

/// One path the server answers with a handler of its own, and the methods it answers.
pub struct Endpoint {
    /// As axum matches it: `{name}` one segment, `{*name}` the rest.
    pub path: String,
    pub methods: &'static [Method],
    handler: MethodRouter<ServerState>,
}

impl Endpoint {
    /// `GET path` (axum answers `HEAD` with it).
    pub fn get<H, T>(path: impl Into<String>, handler: H) -> Endpoint
    where
        H: Handler<T, ServerState>,
        T: 'static,
    {
        Endpoint {
            path: path.into(),
            methods: GET,
            handler: axum::routing::get(handler),
        }
    }

    /// `POST path`, its body limited to `limit`.
    fn post<H, T>(path: &str, handler: H, limit: DefaultBodyLimit) -> Endpoint
    where
        H: Handler<T, ServerState>,
        T: 'static,
    {
        Endpoint {
            path: path.to_string(),
            methods: POST,
            handler: axum::routing::post(handler).layer(limit),
        }
    }

    /// The path and the handler, for a router.
    pub(crate) fn into_parts(self) -> (String, MethodRouter<ServerState>) {
        (self.path, self.handler)
    }
}

/// A folder of files the server serves as they are.
#[derive(Clone, Copy, Debug)]
pub enum Folder {
    /// The browser bundle cargo-leptos builds (`site_root/pkg`).
    Bundle,
    /// The synthetic demo clips made at start.
    DemoClips,
}

/// Something mounted on the router besides pages and server functions.
pub enum Mount {
    /// Boxed: a handler is many times the size of the other kinds.
    Endpoint(Box<Endpoint>),
    /// A folder's files under `path`.
    Files { path: &'static str, folder: Folder },
    /// The DICOMweb service: its endpoints under `path`, behind its own authorisation.
    DicomWeb {
        path: &'static str,
        endpoints: Vec<Endpoint>,
    },
}

impl From<Endpoint> for Mount {
    fn from(endpoint: Endpoint) -> Mount {
        Mount::Endpoint(Box::new(endpoint))
    }
}

/// The app's page routes, listed once per process. Listing renders the app with every resource
/// held (leptos_server's process-wide `SuppressResourceLoad`), and a resource that first runs
/// while any thread is listing waits for ever (leptos#4773): a second server in the same
/// process, as the tests start, must not list again while the first serves pages.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Every plain HTTP route of the server. `router` mounts these and nothing else, and the
/// authorisation matrix test walks the same list (`http_endpoints`), so a route cannot be
/// added without the test asking who may call it.
pub fn mounts() -> Vec<Mount> {
    use crate::{dicom_http, guidance_ws, replay_http};
    let unlimited = DefaultBodyLimit::disable;
    let voice = DefaultBodyLimit::max(domain::replays::MAX_AUDIO_BYTES as usize);
    vec![
        Endpoint::get("/healthz", ready).into(),
        Endpoint::get("/healthz/live", live).into(),
        Endpoint::get("/healthz/ready", ready).into(),
        Endpoint::get("/dicom/{sha}", dicom_http::get_blob).into(),
        Endpoint::get("/held/{item}", dicom_http::get_held).into(),
        Mount::DicomWeb {
            path: "/dicom-web",
            endpoints: crate::dicomweb::endpoints(),
        },
        Endpoint::post("/upload/{job}", dicom_http::upload, unlimited()).into(),
        Endpoint::post("/replays/media", replay_http::upload_media, unlimited()).into(),
        Endpoint::post("/replays/import", replay_http::import, unlimited()).into(),
        Endpoint::get("/replays/{id}/media/{sha}", replay_http::get_media).into(),
        Endpoint::get("/replays/{id}/package", replay_http::export).into(),
        Endpoint::get("/guidance/{id}/ws", guidance_ws::socket).into(),
        Endpoint::post("/guidance/{id}/voice", guidance_ws::upload_voice, voice).into(),
        Mount::Files {
            path: "/pkg",
            folder: Folder::Bundle,
        },
        Mount::Files {
            path: "/demo-clips",
            folder: Folder::DemoClips,
        },
    ]
}

/// Every path and method of `mounts()`, as a client addresses them: DICOMweb's under
/// `/dicom-web`, a folder's files as `{folder}/{*file}`.
pub fn http_endpoints() -> Vec<(String, &'static [Method])> {
    let mut out = Vec::new();
    for mount in mounts() {
        match mount {
            Mount::Endpoint(e) => out.push((e.path, e.methods)),
            Mount::Files { path, .. } => out.push((format!("{path}/{{*file}}"), GET)),
            Mount::DicomWeb { path, endpoints } => {
                for e in endpoints {
                    // The service's root is the mount point itself (WADO-URI).
                    let full = match e.path.as_str() {
                        "/" => path.to_string(),
                        rest => format!("{path}{rest}"),
                    };
                    out.push((full, e.methods));
                }
            }
        }
    }
    out
}

/// The request's path and query for the log, with any `access_token` value (a DICOMweb
/// credential) blanked.
fn redacted(uri: &axum::http::Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.to_string();
    };
    let query: Vec<&str> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("access_token", _)) => "access_token=…",
            _ => pair,
        })
        .collect();
    format!("{}?{}", uri.path(), query.join("&"))
}

/// `GET /healthz/live`: 200 while the process answers requests at all (an orchestrator
/// restarts it otherwise). Touches nothing, so a database outage never restarts every node.
async fn live() -> &'static str {
    "ok"
}

/// `GET /healthz/ready` (and `/healthz`): 200 when the database and the blob store answer,
/// 503 naming what does not (a load balancer sends this node no users meanwhile).
async fn ready(State(state): State<ServerState>) -> Response {
    // A name no blob has: a store that answers "not there" is reachable.
    const NO_BLOB: &str = "0000000000000000000000000000000000000000000000000000000000000000";
    let (database, blobs) = tokio::join!(
        state.app.db.ping(),
        state.app.importer.blobs().size(NO_BLOB)
    );
    match (database, blobs) {
        (true, Ok(_)) => (StatusCode::OK, "ok").into_response(),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
        (true, Err(e)) => {
            tracing::warn!("readiness: blob store: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "blob store unreachable").into_response()
        }
    }
}

/// Paths anyone may fetch: sign-in, server functions (they check for themselves), files.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path.starts_with("/healthz/")
        // A credential's verification page: anyone holding the certificate may check it.
        || path == "/verify"
        || path.starts_with("/verify/")
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        // These answer 401 themselves: a redirect to a page would confuse a file fetch.
        || path.starts_with("/dicom/")
        || path == "/dicom-web"
        || path.starts_with("/dicom-web/")
        || path.starts_with("/upload/")
        || path.starts_with("/held/")
        || crate::replay_http::is_file_path(path)
        || crate::guidance_ws::is_guidance_path(path)
        || matches!(path, "/favicon.svg" | "/favicon.ico" | "/robots.txt")
}

/// Attaches the request's `SignedIn` (read only when something asks), sends a signed-out
/// visitor of a page to sign-in and back, and keeps signed-in users off `/login`.
async fn sign_in_gate(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let signed_in = SignedIn::new(session, state.db.clone());
    req.extensions_mut().insert(signed_in.clone());
    let path = req.uri().path();
    let asks = req.method() == axum::http::Method::GET && (path == "/login" || !is_public(path));
    if !asks {
        return next.run(req).await;
    }
    let signed_in = signed_in.user().await.ok().flatten().is_some();
    if path == "/login" && signed_in {
        let next = req.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("next="))
                .map(percent_decode)
        });
        return Redirect::to(&app::pages::login::safe_next(next)).into_response();
    }
    if signed_in || path == "/login" {
        return next.run(req).await;
    }
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| path.to_string(), |p| p.as_str().to_string());
    Redirect::to(&app::pages::guard::login_href(&target)).into_response()
}

/// Decodes `%XX` escapes (enough for the `next` parameter we write ourselves).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(b) = escaped {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_round_trips_through_the_login_url() {
        let href = app::pages::guard::login_href("/people?site=a b&x=1");
        let next = href.strip_prefix("/login?next=").unwrap();
        assert!(!next.contains('&') && !next.contains(' '));
        assert_eq!(percent_decode(next), "/people?site=a b&x=1");
        assert_eq!(
            percent_decode("%E7%97%85%例"),
            "病%例",
            "broken escapes stay as they are"
        );
    }

    #[test]
    fn pages_are_protected_and_files_are_not() {
        assert!(is_public("/login"));
        assert!(is_public("/pkg/sonohub.wasm"));
        assert!(is_public("/favicon.svg"));
        assert!(is_public("/api/login"));
        // WADO-URI lives at the service's root and answers 401 itself.
        assert!(is_public("/dicom-web"));
        assert!(is_public("/dicom-web/studies"));
        assert!(!is_public("/dicom-webx"));
        assert!(!is_public("/"));
        assert!(!is_public("/people"));
        assert!(!is_public("/admin/sites"));
        assert!(!is_public("/cases/2.25.1234"));
        assert!(is_public(
            "/replays/0190c1c2-0000-7000-8000-000000000001/package"
        ));
        assert!(!is_public("/replays/0190c1c2-0000-7000-8000-000000000001"));
    }

    #[test]
    fn a_dicomweb_token_in_the_query_stays_out_of_the_log() {
        let uri: axum::http::Uri =
            "/dicom-web?requestType=WADO&access_token=s3cret-token&objectUID=2.25.1"
                .parse()
                .unwrap();
        let logged = redacted(&uri);
        assert!(!logged.contains("s3cret"), "{logged}");
        assert!(logged.contains("requestType=WADO") && logged.contains("objectUID=2.25.1"));
        assert_eq!(redacted(&"/cases?page=2".parse().unwrap()), "/cases?page=2");
    }
}
