//! Who is asking, for server functions and the server's own handlers: the shared state, the
//! session, and the one signed-in user of the request.
use crate::model::{AppError, CurrentUser, Permission, UserId};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use domain::{AppState, Db};
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use tower_sessions::Session;

/// The session key holding the signed-in user's id.
pub const USER_KEY: &str = "user_id";
/// The session key holding the credential stamp of the password it was opened with.
const STAMP_KEY: &str = "credential";
/// The session key holding when (Unix seconds) its user signed in.
const SINCE_KEY: &str = "signed_in_at";
/// A session ends this long after its sign-in however busy it is (a clinic day; ASVS 3.3.2),
/// besides ending after 12 idle hours.
pub const SESSION_LIFETIME_SECS: i64 = 12 * 60 * 60;

/// Makes `session` the signed-in session of `id` from now, with its password's stamp.
pub async fn open_session(session: &Session, db: &Db, id: &UserId) -> Result<(), AppError> {
    let hash = domain::users::password_hash(db, id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    session
        .insert(USER_KEY, id.0.clone())
        .await
        .map_err(domain::internal)?;
    session
        .insert(STAMP_KEY, domain::users::credential_stamp(&hash))
        .await
        .map_err(domain::internal)?;
    session
        .insert(SINCE_KEY, domain::now())
        .await
        .map_err(domain::internal)?;
    Ok(())
}

/// The shared state provided to every server function.
pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        // Seen when a client goes away mid-render (the render's context is dropped), which a
        // busy server sees often; a server that never had the state fails every request.
        tracing::debug!("AppState missing from the server function context");
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
    /// What this request's reads gave, by [`once_per_request`]'s key.
    reads: Arc<Mutex<HashMap<String, Read>>>,
}

/// One read's result, shared by every caller in the request.
type Read = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

impl SignedIn {
    pub fn new(session: Session, db: Db) -> SignedIn {
        SignedIn {
            session,
            db,
            user: Arc::default(),
            reads: Arc::default(),
        }
    }

    /// The signed-in user, if any. The session is over, and forgotten, when the account is
    /// disabled or deleted, its password changed or was reset since the sign-in, or the
    /// sign-in is older than `SESSION_LIFETIME_SECS`.
    pub async fn user(&self) -> Result<Option<CurrentUser>, AppError> {
        self.user
            .get_or_try_init(|| async {
                let get = |key| async move {
                    self.session
                        .get::<serde_json::Value>(key)
                        .await
                        .map_err(domain::internal)
                };
                let Some(id) = get(USER_KEY).await? else {
                    return Ok(None);
                };
                let stamp = get(STAMP_KEY).await?;
                let stamp = stamp.as_ref().and_then(|s| s.as_str());
                let since = get(SINCE_KEY).await?.and_then(|s| s.as_i64());
                let user = match id.as_str() {
                    Some(id) => {
                        domain::users::current_with_stamp(&self.db, &UserId(id.to_string()))
                            .await?
                            .filter(|(_, current)| still_open(since, stamp, current, domain::now()))
                            .map(|(user, _)| user)
                    }
                    None => None,
                };
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

/// Whether a session signed in at `since` with the credential `stamp` is still open at `now`
/// for an account whose credential stamp is now `current`.
fn still_open(since: Option<i64>, stamp: Option<&str>, current: &str, now: i64) -> bool {
    let young = since.is_some_and(|t| (0..SESSION_LIFETIME_SECS).contains(&(now - t)));
    young && stamp == Some(current)
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

/// Runs `read` at most once per request for `key` (a server function's name and arguments)
/// and gives every caller its result; a failed read is not kept, so the next caller tries again.
///
/// A page render asks the same server functions several times: on the server, Leptos'
/// `Suspense` walks its children again (`dry_resolve`) once a resource it waits for resolves,
/// and each walk re-runs the closures that build pages, whose resources then load again
/// (`Guarded` builds every page in such a closure). Measured on the case library: three
/// searches per page. Only reads may go through here: an HTTP call of a server function is a
/// request of its own, so nothing is shared between a write and what it changed.
pub async fn once_per_request<T, Fut>(
    key: String,
    read: impl FnOnce() -> Fut,
) -> Result<T, AppError>
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>>,
{
    read_once(&signed_in().await?.reads, key, read).await
}

/// [`once_per_request`] over one request's reads.
async fn read_once<T, Fut>(
    reads: &Mutex<HashMap<String, Read>>,
    key: String,
    read: impl FnOnce() -> Fut,
) -> Result<T, AppError>
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>>,
{
    let cell = reads
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(key)
        .or_default()
        .clone();
    let value = cell
        .get_or_try_init(|| async {
            let value: Arc<dyn Any + Send + Sync> = Arc::new(read().await?);
            Ok::<_, AppError>(value)
        })
        .await?;
    value.downcast_ref::<T>().cloned().ok_or_else(|| {
        tracing::error!("a per-request read's key was used for two types");
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

/// The signed-in user when their role uses the teaching areas (not admins, who run the
/// system: their attempts and posts would count in the network's teaching figures).
pub async fn teaching_user() -> Result<CurrentUser, AppError> {
    let user = user().await?;
    if user.role.uses_teaching() {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The client's address: the socket's peer, or behind a trusted proxy the address it names.
pub async fn client_ip() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let Ok(ConnectInfo(addr)) = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await else {
        return "unknown".to_string();
    };
    let forwarded = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            let all: Vec<String> = h
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect();
            (!all.is_empty()).then(|| all.join(","))
        });
    let trusted = state()
        .map(|s| s.settings.trusted_proxies.clone())
        .unwrap_or_default();
    domain::auth::client_address(addr.ip(), forwarded.as_deref(), &trusted).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Three renders asking at once read once; another key reads again; a failure is not
    /// kept, so the next ask reads (and succeeds).
    #[tokio::test]
    async fn a_request_reads_each_key_once_and_keeps_no_failure() {
        let reads = Mutex::new(HashMap::new());
        let runs = AtomicUsize::new(0);
        let read = |value: u32| {
            let runs = &runs;
            move || async move {
                runs.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok::<_, AppError>(vec![value])
            }
        };
        let (a, b, c) = tokio::join!(
            read_once(&reads, "search 甲状腺".into(), read(1)),
            read_once(&reads, "search 甲状腺".into(), read(2)),
            read_once(&reads, "search 甲状腺".into(), read(3)),
        );
        assert_eq!(
            (a.unwrap(), b.unwrap(), c.unwrap()),
            (vec![1], vec![1], vec![1])
        );
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let other = read_once(&reads, "search 结节".into(), read(4)).await;
        assert_eq!(other.unwrap(), vec![4]);
        assert_eq!(runs.load(Ordering::SeqCst), 2);

        let failed: Result<Vec<u32>, _> =
            read_once(&reads, "case".into(), || async { Err(AppError::Internal) }).await;
        assert_eq!(failed, Err(AppError::Internal));
        let again = read_once(&reads, "case".into(), read(5)).await;
        assert_eq!(again.unwrap(), vec![5]);
    }

    #[test]
    fn sessions_end_with_their_password_or_their_lifetime() {
        let now = 1_800_000_000;
        assert!(still_open(Some(now - 60), Some("a1"), "a1", now));
        assert!(
            !still_open(Some(now - 60), Some("a1"), "b2", now),
            "password changed"
        );
        assert!(
            !still_open(Some(now - 60), None, "a1", now),
            "no stamp: from before"
        );
        assert!(!still_open(None, Some("a1"), "a1", now), "no sign-in time");
        assert!(!still_open(
            Some(now - SESSION_LIFETIME_SECS),
            Some("a1"),
            "a1",
            now
        ));
        assert!(still_open(
            Some(now - SESSION_LIFETIME_SECS + 1),
            Some("a1"),
            "a1",
            now
        ));
        assert!(
            !still_open(Some(now + 3600), Some("a1"), "a1", now),
            "from the future"
        );
    }
}
