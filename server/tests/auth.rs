//! Sign-in, sessions, redirects and rate limiting, driven over HTTP against the real router.
use crate::common::{DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::demo().await;
    let res = app.client().page("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
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
