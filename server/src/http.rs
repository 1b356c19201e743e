//! The HTTP stack: Leptos pages and server functions, static files, health, sessions, logs.
use crate::config::ServerConfig;
use crate::seed;
use crate::sessions::Store;
use anyhow::Context;
use app::api::guard::{SignedInUser, USER_KEY};
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::blobs::Blobs;
use domain::dicom::{AnonymizeConfig, DeviceMask};
use domain::{self, AppState, Db, Settings, imports};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use model::UserId;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::ExpiredDeletion;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The router's state: Leptos settings and the app's shared state.
#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    /// The bearer token DICOMweb clients may use instead of a session.
    pub dicomweb_token: Option<crate::dicomweb::Token>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

/// A running server.
pub struct Started {
    pub addr: SocketAddr,
    /// Where the DICOM receiver listens, when it is on.
    pub dicom_addr: Option<SocketAddr>,
    pub state: AppState,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The import worker.
    pub worker: tokio::task::JoinHandle<()>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Started {
    /// Asks the server to finish its requests and stop, then waits for it.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.server.await??;
        let _ = self.worker.await;
        Ok(())
    }

    /// Stops at once, as a crash would: the worker is dropped mid-job and nothing is finished.
    pub fn kill(self) {
        self.worker.abort();
        self.server.abort();
    }
}

/// Opens the database, prepares the first accounts, binds and serves in the background.
pub async fn start(config: ServerConfig) -> anyhow::Result<Started> {
    if let Some(token) = &config.dicomweb_token {
        anyhow::ensure!(
            token.len() >= crate::dicomweb::Token::MIN_LEN,
            "the DICOMweb token must be at least {} characters",
            crate::dicomweb::Token::MIN_LEN
        );
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
    let url = config.database_url();
    let db = Db::connect(&url).await?;
    domain::sites::ensure_network(&db).await?;
    seed::first_accounts(&db, &config).await?;
    let demo_clips = if config.demo && config.demo_clips {
        let dir = config.data_dir.clone();
        tokio::task::spawn_blocking(move || crate::demo_clips::prepare(&dir)).await??
    } else {
        Vec::new()
    };
    let importer = importer(&config, db.clone())?;
    let state = AppState {
        db,
        settings: Arc::new(Settings {
            demo_clips,
            ..Settings::default()
        }),
        importer: importer.clone(),
    };
    let store = Store::connect(&url).await?;
    tokio::spawn(
        store
            .clone()
            .continuously_delete_expired(tokio::time::Duration::from_secs(3600)),
    );
    {
        let db = state.db.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = domain::auth::prune_attempts(&db).await {
                    tracing::warn!(error = %e, "pruning sign-in attempts failed");
                }
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        });
    }

    if config.demo && config.demo_clips {
        crate::demo_studies::seed(&state.db, &importer).await?;
        tokio::spawn(crate::demo_cases::seed(state.db.clone(), importer.clone()));
    }
    let (shutdown, rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(importer.clone().run(rx.clone()));
    {
        let db = state.db.clone();
        let importer = importer.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = imports::sweep_orphans(&db, importer.blobs()).await {
                    tracing::warn!(
                        error = format!("{e:#}"),
                        "sweeping unreferenced blobs failed"
                    );
                }
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        });
    }

    let dicom_addr = match config.dicom_addr {
        Some(addr) => {
            let listener = TcpListener::bind(addr)
                .await
                .with_context(|| format!("binding the DICOM receiver to {addr}"))?;
            let bound = listener.local_addr()?;
            let settings = crate::store_scp::ScpSettings {
                ae_title: config.ae_title.clone(),
                max_object_bytes: importer.limits().max_instance_bytes,
                idle_timeout: std::time::Duration::from_secs(60),
            };
            let inbox = Arc::new(crate::store_scp::ImportInbox(importer.clone()));
            let rx = rx.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::store_scp::serve(listener, settings, inbox, rx).await {
                    tracing::error!(error = format!("{e:#}"), "the DICOM receiver stopped");
                }
            });
            Some(bound)
        }
        None => None,
    };

    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let addr = listener.local_addr()?;
    let router = router(&config, state.clone(), store, addr);
    let mut rx = rx;
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.wait_for(|stop| *stop).await;
        })
        .await
    });
    Ok(Started {
        addr,
        dicom_addr,
        state,
        server,
        worker,
        shutdown,
    })
}

/// The pseudonymisation secret: from a file, the environment, or made once in the data folder.
fn pseudonym_secret(config: &ServerConfig) -> anyhow::Result<Vec<u8>> {
    let secret = if let Some(path) = &config.secret_file {
        std::fs::read(path).with_context(|| format!("reading the secret {}", path.display()))?
    } else if let Ok(s) = std::env::var("SONOHUB_SECRET") {
        s.into_bytes()
    } else {
        let path = config.data_dir.join("pseudonym.secret");
        if !path.exists() {
            use rand::RngCore;
            let mut key = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            let tmp = path.with_extension("part");
            std::fs::write(&tmp, hex.as_bytes())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
            }
            std::fs::rename(&tmp, &path)?;
            tracing::warn!(
                path = %path.display(),
                "made a new pseudonymisation secret: back it up with the database"
            );
        }
        std::fs::read(&path)?
    };
    let secret = secret.trim_ascii().to_vec();
    anyhow::ensure!(
        secret.len() >= 16,
        "the pseudonymisation secret must be at least 16 bytes"
    );
    Ok(secret)
}

/// The import pipeline over the configured blob store.
fn importer(config: &ServerConfig, db: Db) -> anyhow::Result<imports::Importer> {
    let blobs = match &config.blob_store {
        Some(url) => Blobs::s3(url)?,
        None => Blobs::local(&config.data_dir.join("blobs"))?,
    };
    tracing::info!(store = %blobs.describe, "blob store");
    let device_masks: Vec<DeviceMask> = match &config.device_masks {
        Some(path) => serde_json::from_slice(&std::fs::read(path)?)
            .with_context(|| format!("reading device masks from {}", path.display()))?,
        None => Vec::new(),
    };
    // One node per host and data folder (PostgreSQL setups run several).
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let data = std::fs::canonicalize(&config.data_dir).unwrap_or(config.data_dir.clone());
    let node = format!("{}:{}", host.trim(), data.display());
    Ok(imports::Importer::new(
        node,
        db,
        blobs,
        config.data_dir.join("inbox"),
        AnonymizeConfig {
            secret: pseudonym_secret(config)?,
            device_masks,
            ..AnonymizeConfig::default()
        },
        imports::Limits {
            max_instance_bytes: config.max_file_mb.max(1) * 1024 * 1024,
        },
    ))
}

/// Builds the whole router over `state`.
pub fn router(config: &ServerConfig, state: AppState, store: Store, addr: SocketAddr) -> Router {
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
    let routes = generate_route_list(App);
    let server_state = ServerState {
        leptos: leptos.clone(),
        app: state.clone(),
        dicomweb_token: config
            .dicomweb_token
            .as_deref()
            .map(crate::dicomweb::Token::new),
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

    let clips = Router::new()
        .nest_service(
            "/demo-clips",
            ServeDir::new(crate::demo_clips::folder(&config.data_dir)),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        ));
    let pkg = Router::new()
        .nest_service("/pkg", ServeDir::new(format!("{site_root}/pkg")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if hashed {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        ));

    Router::new()
        .route("/healthz", get(healthz))
        .route("/dicom/{sha}", get(crate::dicom_http::get_blob))
        .nest("/dicom-web", crate::dicomweb::routes(&server_state))
        .route(
            "/upload/{job}",
            axum::routing::post(crate::dicom_http::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .leptos_routes_with_context(&server_state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        .merge(pkg)
        .merge(clips)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_sign_in,
        ))
        .layer(sessions)
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/dicom"))
                    // WADO-RS parts are DICOM files too; DICOM JSON still compresses.
                    .and(NotForContentType::const_new("multipart/related")),
            ),
        )
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
                        tracing::info_span!("request", id, method = %req.method(), uri = %req.uri())
                    }),
                )
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
        .with_state(server_state)
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<ServerState>) -> Response {
    if state.app.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// Paths anyone may fetch: sign-in, server functions (they check for themselves), files.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        // These answer 401 themselves: a redirect to a page would confuse a file fetch.
        || path.starts_with("/dicom/")
        || path.starts_with("/dicom-web/")
        || path.starts_with("/upload/")
        || matches!(path, "/favicon.svg" | "/favicon.ico" | "/robots.txt")
}

/// Sends a signed-out visitor of a page to sign-in and back; keeps signed-in users off `/login`.
async fn require_sign_in(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if req.method() != axum::http::Method::GET {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let user = match session.get::<String>(USER_KEY).await {
        Ok(Some(id)) => domain::users::current(&state.db, &UserId(id))
            .await
            .ok()
            .flatten(),
        _ => None,
    };
    let signed_in = user.is_some();
    // The page render asks who is signed in again; hand it this answer instead of a
    // second database round trip.
    req.extensions_mut().insert(SignedInUser(user));
    if path == "/login" && signed_in {
        let next = req.uri().query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("next="))
                .map(percent_decode)
        });
        return Redirect::to(&app::pages::login::safe_next(next)).into_response();
    }
    if signed_in || is_public(&path) {
        return next.run(req).await;
    }
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or(path);
    Redirect::to(&app::pages::guard::login_href(&target)).into_response()
}

/// Decodes `%XX` escapes (enough for the `next` parameter we write ourselves).
fn percent_decode(s: &str) -> String {
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
        assert!(!is_public("/"));
        assert!(!is_public("/people"));
        assert!(!is_public("/admin/sites"));
        assert!(!is_public("/cases/2.25.1234"));
    }
}
