//! Sign-in, sessions, redirects and rate limiting, driven over HTTP against the real router.
use crate::common::{DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn health_reports_the_database_and_the_blob_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let app = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = data.clone();
    })
    .await;
    let c = app.client();
    for path in ["/healthz", "/healthz/live", "/healthz/ready"] {
        let res = c.page(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.text().await.unwrap(), "ok", "{path}");
    }
    // The blob folder replaced by a file: no blob can be read or written any more.
    let blobs = data.join("blobs");
    std::fs::remove_dir_all(&blobs).unwrap();
    std::fs::write(&blobs, b"not a folder").unwrap();
    for path in ["/healthz", "/healthz/ready"] {
        let res = c.page(path).await;
        assert_eq!(res.status(), 503, "{path}");
        assert_eq!(
            res.text().await.unwrap(),
            "blob store unreachable",
            "{path}"
        );
    }
    assert_eq!(
        c.page("/healthz/live").await.status(),
        200,
        "alive all the same"
    );
    app.started.stop().await.unwrap();
}

#[tokio::test]
async fn signed_out_pages_redirect_to_sign_in_and_back() {
    let app = TestApp::demo().await;
    let c = app.client();
    for (path, next) in [
        ("/", "/"),
        ("/people", "/people"),
        ("/admin/sites", "/admin/sites"),
    ] {
        let res = c.page(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(
            res.headers()["location"].to_str().unwrap(),
            format!("/login?next={next}")
        );
    }
    let login = c.page("/login").await;
    assert_eq!(login.status(), 200);
    assert!(login.text().await.unwrap().contains("<form"));

    c.sign_in("li.na", DEMO_PASSWORD).await;
    // Once signed in, the sign-in page sends the user on to where they were going.
    let res = c.page("/login?next=/people").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"].to_str().unwrap(), "/people");
    let res = c.page("/login?next=//evil.example").await;
    assert_eq!(res.headers()["location"].to_str().unwrap(), "/");
    for sneaky in [
        "/%09/evil.example",
        "/%5Cevil.example",
        "/%0d%0a/evil.example",
    ] {
        let res = c.page(&format!("/login?next={sneaky}")).await;
        assert_eq!(res.headers()["location"].to_str().unwrap(), "/", "{sneaky}");
    }
    assert_eq!(c.page("/").await.status(), 200);
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer_and_no_session() {
    let app = TestApp::demo().await;
    let c = app.client();
    let (s1, b1) = c
        .call(
            "login",
            &[("username", "li.na"), ("password", "wrong-password")],
        )
        .await;
    let (s2, b2) = c
        .call(
            "login",
            &[("username", "nobody.here"), ("password", "wrong-password")],
        )
        .await;
    assert_eq!(s1, 401);
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!(b1, serde_json::json!("BadCredentials"));
    assert_eq!(c.me().await, serde_json::Value::Null);
    assert_eq!(c.page("/").await.status(), 303);
}

#[tokio::test]
async fn session_cookie_is_http_only_and_lax_and_survives_until_sign_out() {
    let app = TestApp::demo().await;
    let c = app.client();
    let res = c
        .http
        .post(c.url("/api/login"))
        .form(&[("username", "chen.jing"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("sonohub_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not mark the cookie Secure: {cookie}"
    );
    assert_eq!(c.me().await["role"], "expert");
    assert_eq!(c.me().await["site"]["code"], "HUB");

    let (status, _) = c.call("logout", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(c.me().await, serde_json::Value::Null);
    assert_eq!(c.page("/").await.status(), 303);
}

#[tokio::test]
async fn secure_cookies_behind_tls() {
    let app = TestApp::with(|c| {
        c.demo = true;
        c.secure_cookies = true;
    })
    .await;
    let c = app.client();
    let res = c
        .http
        .post(c.url("/api/login"))
        .form(&[("username", "chen.jing"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::demo().await;
    let c = app.client();
    for _ in 0..5 {
        let (_, body) = c
            .call(
                "login",
                &[("username", "zhang.wei"), ("password", "not-the-password")],
            )
            .await;
        assert_eq!(body, serde_json::json!("BadCredentials"));
    }
    let (status, body) = c
        .call(
            "login",
            &[("username", "zhang.wei"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(status, 429);
    assert_eq!(body, serde_json::json!("RateLimited"));
    // Other accounts from the same address are not locked by one account's failures.
    c.sign_in("liu.yang", DEMO_PASSWORD).await;
}

#[tokio::test]
async fn repeated_failures_from_one_address_lock_that_address() {
    let app = TestApp::demo().await;
    let c = app.client();
    let limit = app.started.state.settings.max_failures_per_ip;
    for i in 0..limit {
        let name = format!("guess{i}");
        c.call(
            "login",
            &[("username", name.as_str()), ("password", "whatever-it-is")],
        )
        .await;
    }
    let (_, body) = c
        .call(
            "login",
            &[("username", "li.na"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(body, serde_json::json!("RateLimited"));
}

#[tokio::test]
async fn unknown_pages_answer_404_with_the_translated_page() {
    let app = TestApp::demo().await;
    let c = app.signed_in("li.na").await;
    let res = c.page("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("页面不存在"));
}

#[tokio::test]
async fn first_admin_comes_from_the_command_line_when_not_in_demo_mode() {
    let app = TestApp::with(|c| {
        c.first_admin = Some(("Root.Admin".into(), "a-long-admin-password".into()));
    })
    .await;
    let c = app.client();
    // No demo account exists outside demo mode.
    let (_, body) = c
        .call(
            "login",
            &[("username", "li.na"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(body, serde_json::json!("BadCredentials"));
    let me = c.sign_in("root.admin", "a-long-admin-password").await;
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn an_empty_database_without_a_first_admin_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = server::ServerConfig::for_tests(dir.path().to_path_buf());
    let err = server::start(config).await.err().expect("must refuse");
    assert!(err.to_string().contains("no account yet"), "{err}");
}

/// Signs in as `username` from `client` (through the loopback proxy, which is trusted).
async fn login_from(
    c: &crate::common::Client,
    client: &str,
    username: &str,
    password: &str,
) -> (u16, serde_json::Value) {
    let res = c
        .http
        .post(c.url("/api/login"))
        .header("x-forwarded-for", client)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_guesser_locks_out_their_own_address_not_the_account() {
    let app = TestApp::demo().await;
    let c = app.client();
    // Behind the proxy every request comes from loopback; the limits key on the client the
    // proxy names.
    for _ in 0..5 {
        let (_, body) = login_from(&c, "203.0.113.9", "admin", "guess").await;
        assert_eq!(body, serde_json::json!("BadCredentials"));
    }
    let (status, _) = login_from(&c, "203.0.113.9", "admin", DEMO_PASSWORD).await;
    assert_eq!(status, 429, "the guesser's address is locked");
    let (status, body) = login_from(&c, "198.51.100.7", "admin", DEMO_PASSWORD).await;
    assert_eq!(status, 200, "the owner elsewhere still signs in: {body}");
    // A client cannot pick its own key by writing the header before the proxy's hop.
    let (status, _) = login_from(&c, "198.51.100.7, 203.0.113.9", "admin", DEMO_PASSWORD).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn guesses_sent_at_once_cannot_pass_the_limit() {
    let app = TestApp::demo().await;
    let c = app.client();
    let limit = app.started.state.settings.max_failures_per_account_and_ip;
    let attempts = (0..limit * 3).map(|_| login_from(&c, "203.0.113.10", "li.na", "guess"));
    let answers = futures_util::future::join_all(attempts).await;
    let checked = answers.iter().filter(|(s, _)| *s == 401).count();
    let refused = answers.iter().filter(|(s, _)| *s == 429).count();
    assert_eq!(checked + refused, answers.len(), "{answers:?}");
    assert!(
        checked as i64 <= limit,
        "{checked} passwords checked of {} sent at once (limit {limit})",
        answers.len()
    );
}

#[tokio::test]
async fn forged_cross_site_requests_are_refused() {
    let app = TestApp::demo().await;
    let c = app.signed_in("admin").await;
    let host = c
        .url("/")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let send = |origin: Option<&'static str>, site: Option<&'static str>| {
        let mut req = c
            .http
            .post(c.url("/api/logout"))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(send(Some("http://evil.example"), None).await, 403);
    assert_eq!(send(Some("null"), None).await, 403);
    assert_eq!(send(None, Some("cross-site")).await, 403);
    assert_eq!(c.me().await["username"], "admin", "still signed in");
    // Login CSRF (signing the victim in as the attacker) is refused the same way.
    let anon = app.client();
    let res = anon
        .http
        .post(anon.url("/api/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", "li.na"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let origin: &'static str = Box::leak(format!("http://{host}").into_boxed_str());
    assert_eq!(send(Some(origin), Some("same-origin")).await, 200);
    assert_eq!(
        c.me().await,
        serde_json::Value::Null,
        "signed out by its own page"
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::demo().await;
    let c = app.signed_in("li.na").await;
    for path in ["/", "/login", "/no/such/page", "/healthz", "/api/me"] {
        let res = if path == "/api/me" {
            c.http.post(c.url(path)).send().await.unwrap()
        } else {
            c.page(path).await
        };
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        let html = h
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap().starts_with("text/html"));
        if html {
            let csp = h["content-security-policy"].to_str().unwrap().to_string();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            let body = res.text().await.unwrap();
            // Every inline script of the page carries the nonce the policy names.
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .map(|n| n.split('\'').next().unwrap().to_string());
            for script in body.split("<script").skip(1) {
                let (tag, rest) = script.split_once('>').unwrap();
                // Browsers run nothing for an empty script (leptos_i18n's placeholder), so
                // the policy does not apply to it.
                let empty = rest.starts_with("</script>");
                let inline = !tag.contains("src=") && !empty;
                if inline {
                    let n = nonce
                        .as_deref()
                        .unwrap_or_else(|| panic!("{path}: inline script, no nonce"));
                    assert!(
                        tag.contains(&format!("nonce=\"{n}\"")),
                        "{path}: <script{tag}>"
                    );
                }
            }
        }
    }
    assert!(
        c.page("/")
            .await
            .headers()
            .get("strict-transport-security")
            .is_none(),
        "no HSTS over plain http"
    );
    let tls = TestApp::with(|conf| {
        conf.demo = true;
        conf.public_url = Some("https://sonohub.example".into());
    })
    .await;
    let res = tls.client().page("/healthz").await;
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn server_function_bodies_past_the_limit_are_refused() {
    let app = TestApp::with(|conf| {
        conf.demo = true;
        conf.max_request_kb = 64;
    })
    .await;
    let c = app.client();
    let long = format!("username=li.na&password={}", "x".repeat(100 * 1024));
    let res = c
        .http
        .post(c.url("/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(long.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // The same body streamed without a length is cut off mid-read, not buffered whole.
    let chunks = long
        .into_bytes()
        .chunks(8 * 1024)
        .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
        .collect::<Vec<_>>();
    let res = c
        .http
        .post(c.url("/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error() || res.status().is_server_error());
    assert!(c.me().await.is_null(), "no session from either");
    // A body under the limit is served as before.
    c.sign_in("li.na", DEMO_PASSWORD).await;
    assert_eq!(c.me().await["username"], "li.na");
    app.started.stop().await.unwrap();
}
