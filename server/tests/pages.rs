//! Server-rendered pages: the language chosen from the request, and pages per role.
use crate::common::{DEMO_PASSWORD, TestApp};

#[tokio::test]
async fn sign_in_page_speaks_chinese_by_default_and_english_when_asked() {
    let app = TestApp::demo().await;
    let c = app.client();
    let zh = c.page("/login").await.text().await.unwrap();
    assert!(
        zh.contains("登录") && zh.contains("用户名"),
        "default is Chinese"
    );
    assert!(zh.contains("lang=\"zh\""), "html lang is set");

    let en = c
        .http
        .get(c.url("/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("Sign in") && en.contains("Username"),
        "Accept-Language: en"
    );

    let cookie = c
        .http
        .get(c.url("/login"))
        .header("accept-language", "en")
        .header("cookie", "i18n_pref_locale=zh")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        cookie.contains("用户名"),
        "the remembered choice wins over the browser's"
    );

    // Among other cookies, either way round; a value that names no language of the app is
    // ignored and the browser's language holds.
    for (cookies, browser, expected) in [
        (
            "sonohub_session=x; i18n_pref_locale=en",
            "zh-CN,zh",
            "Username",
        ),
        ("i18n_pref_locale=fr", "en", "Username"),
        ("i18n_pref_locale=en%0d%0ax", "zh", "用户名"),
    ] {
        let html = c
            .http
            .get(c.url("/login"))
            .header("accept-language", browser)
            .header("cookie", cookies)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(expected), "{cookies} / {browser}");
    }
}

#[tokio::test]
async fn each_role_gets_its_own_home_and_sections() {
    let app = TestApp::demo().await;
    let cases = [
        (
            "li.na",
            "home-learner",
            vec!["/cases", "/courses", "/replays", "/competency"],
            vec!["/people", "/admin"],
        ),
        (
            "chen.jing",
            "home-expert",
            vec!["/cases", "/competency"],
            vec!["/people", "/admin\""],
        ),
        (
            "zhou.min",
            "home-coordinator",
            vec!["/people", "/competency", "network-table"],
            vec!["href=\"/admin\""],
        ),
        (
            "admin",
            "home-admin",
            vec!["/people", "/admin"],
            vec!["href=\"/cases\""],
        ),
    ];
    for (user, marker, present, absent) in cases {
        let c = app.signed_in(user).await;
        let html = c.page("/").await.text().await.unwrap();
        assert!(html.contains(marker), "{user}: {marker}");
        for p in present {
            assert!(html.contains(p), "{user} should see {p}");
        }
        for a in absent {
            assert!(!html.contains(a), "{user} should not see {a}");
        }
    }
}

#[tokio::test]
async fn a_learner_is_refused_the_people_page() {
    let app = TestApp::demo().await;
    let c = app.signed_in("li.na").await;
    let html = c.page("/people").await.text().await.unwrap();
    assert!(
        html.contains("您的角色无权执行此操作"),
        "translated refusal"
    );
    assert!(!html.contains("people-table"));
}

#[tokio::test]
async fn responses_carry_a_request_id_and_are_compressed() {
    let app = TestApp::demo().await;
    let c = app.client();
    let res = c
        .http
        .get(c.url("/login"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn demo_mode_serves_playable_clips_to_signed_in_users_only() {
    let app = TestApp::with(|c| {
        c.demo = true;
        c.demo_clips = true;
    })
    .await;
    let c = app.client();
    let res = c.page("/demo-clips/vessel-rle-320x240.dcm").await;
    assert_eq!(res.status(), 303, "signed-out visitors are sent to sign in");
    c.sign_in("li.na", DEMO_PASSWORD).await;
    let (status, clips) = c.call("demo_clips", &[]).await;
    assert_eq!(status, 200, "{clips}");
    let clips = clips.as_array().unwrap();
    assert_eq!(clips.len(), 3);
    for clip in clips {
        let res = c
            .http
            .get(c.url(clip["url"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap();
        let info = cine::clip_info(&bytes).expect("a readable DICOM clip");
        assert_eq!(u64::from(info.frames), clip["frames"].as_u64().unwrap());
        assert_eq!(u64::from(info.columns), clip["width"].as_u64().unwrap());
        let fps = clip["fps"].as_f64().unwrap();
        assert!(
            (info.frame_time_ms - 1000.0 / fps).abs() < 0.01,
            "{} plays at {fps} fps",
            clip["file"]
        );
        assert!(!info.regions.is_empty(), "calibrated");
        cine::decode_frame(&bytes, info.frames - 1).expect("the last frame decodes");
    }
}

/// Requests arrive on whichever worker thread picks them up and are rendered on the render
/// threads (`server::render`). Many at once, on a multi-thread runtime as in production:
/// every page answers whole, with its translated title,
/// and a mistyped address gets the translated not-found page with a 404 (the title read
/// outside the page's reactive owner once dropped such responses at random). A server
/// function that does not exist answers a plain 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_render_whole_on_any_worker_thread() {
    let app = TestApp::demo().await;
    let c = app.signed_in("li.na").await;
    let (status, _) = c.call("no_such_function", &[]).await;
    assert_eq!(status, 404);
    for _ in 0..6 {
        let mut pages = tokio::task::JoinSet::new();
        for path in ["/no/such/page", "/", "/cases", "/profile"].repeat(3) {
            let c = c.clone();
            pages.spawn(async move {
                let res = c.page(path).await;
                let status = res.status().as_u16();
                (path, status, res.text().await.expect("a whole page"))
            });
        }
        while let Some(page) = pages.join_next().await {
            let (path, status, html) = page.expect("request task");
            let expected = if path == "/no/such/page" { 404 } else { 200 };
            assert_eq!(status, expected, "{path}");
            // Each page names itself in the title.
            let title = match path {
                "/no/such/page" => "页面不存在",
                "/" => "首页",
                "/cases" => "病例库",
                _ => "我的资料",
            };
            assert!(
                html.contains(&format!("<title>SonoHub · {title}</title>")),
                "{path}: {html}"
            );
            if status == 404 {
                assert!(html.contains("页面不存在"), "{html}");
            }
        }
    }
}

/// The coordinator's pages over the demo's year of logbooks, many at once, each streamed to its
/// end with the content its Suspense boundaries resolve. A page that read a resource outside
/// any Suspense and wrote a signal while rendering (`/competency/quality`) once left its
/// stream waiting for seconds, and on Leptos' threads deadlocked the whole server; both are
/// ruled out now, and this holds them out.
#[tokio::test]
async fn coordinator_pages_render_to_the_end_many_at_once() {
    let app = TestApp::with(|c| {
        c.demo = true;
        c.demo_clips = true;
    })
    .await;
    let db = &app.started.state.db;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    loop {
        let (entries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM logbook_entries")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if entries > 0 {
            break;
        }
        if std::time::Instant::now() > deadline {
            let jobs: Vec<(String, i64)> = sqlx::query_as(
                "SELECT status, COUNT(*) FROM import_jobs GROUP BY status ORDER BY status",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            let mut seeded = Vec::new();
            for table in ["instances", "cases", "courses", "replays"] {
                let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(&db.pool)
                    .await
                    .unwrap();
                seeded.push((table, n));
            }
            panic!("no demo logbooks after 4 minutes: jobs {jobs:?}, {seeded:?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let coordinator = app.signed_in("zhou.min").await;
    let pages = [
        ("/competency/quality", "data-testid=\"qc-sites\""),
        ("/competency", "data-testid=\"grid\""),
        ("/competency/rules", "data-testid=\"rule-summary\""),
        (
            "/competency/applications",
            "data-testid=\"edit-application-efast\"",
        ),
        ("/", "home-coordinator"),
    ];
    for round in 0..3 {
        let renders = pages.iter().flat_map(|&(path, marker)| {
            let c = &coordinator;
            (0..4).map(move |_| async move {
                let res = c.page(path).await;
                assert_eq!(res.status(), 200, "{path}");
                let html = res.text().await.expect("the whole page");
                (path, marker, html)
            })
        });
        // `text()` returns once the stream has ended (resolved Suspense fragments stream
        // after `</html>`), and the marker is content a Suspense resolves.
        for (path, marker, html) in futures_util::future::join_all(renders).await {
            assert!(html.contains("</html>"), "round {round}: {path} has no end");
            assert!(
                html.contains(marker),
                "round {round}: {path} lacks {marker}"
            );
        }
    }
    let health = app.client().page("/healthz").await;
    assert_eq!(health.status(), 200);
}
