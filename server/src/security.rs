//! What every response promises the browser, and where a state-changing request may come from.
//!
//! * Headers on every answer: no MIME sniffing, no framing by other sites, referrers kept
//!   on this site, the microphone for this site only (live guidance), HSTS when SonoHub is
//!   reached over https. Pages set their own Content-Security-Policy (`app::csp`) with the
//!   render's script nonce; any other HTML gets the same policy without one, so it runs no
//!   inline script at all.
//! * Cross-site request forgery: a request that can change something (anything but GET, HEAD
//!   and OPTIONS, and a WebSocket upgrade) is refused when the browser says it comes from
//!   another site: its `Origin` is not this server's (the `Host` it was sent to, or the
//!   configured public URL), or, without an `Origin`, `Sec-Fetch-Site` says `cross-site`.
//!   Programs that send neither (a DICOMweb client, a script with a session) are not browsers
//!   and cannot be made to forge one. SameSite=Lax cookies stay as a second fence.
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// What the middleware needs to know of the deployment.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The public origin (`https://sonohub.example`), when SonoHub runs behind a proxy.
    public_origin: Option<String>,
    /// Whether users reach it over https (then HSTS is sent).
    https: bool,
}

impl Policy {
    pub fn new(public_url: Option<&str>) -> Policy {
        let public_origin = public_url.and_then(origin_of);
        Policy {
            https: public_origin
                .as_deref()
                .is_some_and(|o| o.starts_with("https://")),
            public_origin,
        }
    }
}

/// `scheme://host[:port]` of a URL, lower-cased; `None` when it has no host.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains('@')).then(|| {
        format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            host.to_ascii_lowercase()
        )
    })
}

/// Whether the browser's own account of the request says it comes from another site.
fn cross_site(policy: &Policy, headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match text(header::ORIGIN) {
        // Sandboxed frames and some redirects send `null`: never this site.
        Some("null") => true,
        Some(origin) => {
            let Some(origin) = origin_of(origin) else {
                return true;
            };
            let host = text(header::HOST).map(str::to_ascii_lowercase);
            let same_host =
                host.is_some_and(|h| origin.split_once("://").map(|o| o.1) == Some(h.as_str()));
            !(same_host || policy.public_origin.as_deref() == Some(origin.as_str()))
        }
        None => text(HeaderName::from_static("sec-fetch-site")) == Some("cross-site"),
    }
}

/// True for requests that may change something.
fn changes_state(req: &Request) -> bool {
    let upgrade = req
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    upgrade || !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The middleware: refuses forged requests, then adds the headers to whatever is answered.
pub async fn guard(State(policy): State<Arc<Policy>>, req: Request, next: Next) -> Response {
    let mut res = if changes_state(&req) && cross_site(&policy, req.headers()) {
        tracing::warn!(
            method = %req.method(),
            path = req.uri().path(),
            origin = ?req.headers().get(header::ORIGIN),
            "cross-site request refused"
        );
        (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused.",
        )
            .into_response()
    } else {
        next.run(req).await
    };
    let headers = res.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    set(
        HeaderName::from_static("permissions-policy"),
        "microphone=(self), camera=(), geolocation=(), payment=()",
    );
    if policy.https {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html
        && !res.headers().contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(v) = HeaderValue::from_str(&app::csp::page_policy(None))
    {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_site_may_change_things() {
        let direct = Policy::new(None);
        let proxied = Policy::new(Some("https://SonoHub.example/"));
        let host = ("host", "10.0.0.5:3000");
        for (policy, pairs, forged) in [
            (
                &direct,
                vec![host, ("origin", "http://10.0.0.5:3000")],
                false,
            ),
            (&direct, vec![host, ("origin", "http://evil.example")], true),
            (
                &direct,
                vec![host, ("origin", "http://10.0.0.5:3001")],
                true,
            ),
            (&direct, vec![host, ("origin", "null")], true),
            (
                &direct,
                vec![host, ("origin", "http://10.0.0.5:3000@evil")],
                true,
            ),
            (&direct, vec![host, ("sec-fetch-site", "cross-site")], true),
            (
                &direct,
                vec![host, ("sec-fetch-site", "same-origin")],
                false,
            ),
            (&direct, vec![host], false),
            (
                &proxied,
                vec![host, ("origin", "https://sonohub.example")],
                false,
            ),
            (
                &proxied,
                vec![host, ("origin", "http://sonohub.example")],
                true,
            ),
        ] {
            assert_eq!(cross_site(policy, &headers(&pairs)), forged, "{pairs:?}");
        }
    }

    #[test]
    fn hsts_only_over_https() {
        assert!(Policy::new(Some("https://a.example")).https);
        assert!(!Policy::new(Some("http://a.example")).https);
    }
}
