//! Who may see and manage people and sites, checked over HTTP as each role.
use crate::common::{DEMO_PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
async fn only_coordinators_and_admins_see_everyone() {
    let app = TestApp::demo().await;
    for (user, allowed) in [
        ("li.na", false),
        ("chen.jing", false),
        ("zhou.min", true),
        ("admin", true),
    ] {
        let c = app.signed_in(user).await;
        let (status, body) = c.call("people", &[]).await;
        if allowed {
            assert_eq!(status, 200, "{user}: {body}");
            assert_eq!(body.as_array().unwrap().len(), 7, "{user}");
        } else {
            assert_eq!((status, body), (403, json!("Forbidden")), "{user}");
        }
    }
}

#[tokio::test]
async fn people_filter_by_site_and_role() {
    let app = TestApp::demo().await;
    let c = app.signed_in("zhou.min").await;
    let (_, experts) = c.call("people", &[("role", "expert")]).await;
    let names: Vec<_> = experts
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"chen.jing".to_string()) && names.contains(&"wang.lei".to_string()));
    let me = c.me().await;
    let hub = me["site"]["id"].as_str().unwrap();
    let (_, at_hub) = c.call("people", &[("site", hub)]).await;
    assert_eq!(at_hub.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn the_network_has_a_hub_and_thirteen_centres() {
    let app = TestApp::demo().await;
    let c = app.signed_in("li.na").await;
    let (status, sites) = c.call("sites", &[]).await;
    assert_eq!(status, 200);
    let sites = sites.as_array().unwrap();
    assert_eq!(sites.len(), 14);
    assert_eq!(sites.iter().filter(|s| s["kind"] == "hub").count(), 1);
    assert_eq!(
        sites.iter().filter(|s| s["kind"] == "community").count(),
        13
    );
    assert!(
        sites
            .iter()
            .all(|s| !s["name_zh"].as_str().unwrap().is_empty()
                && !s["name_en"].as_str().unwrap().is_empty())
    );
}

#[tokio::test]
async fn an_admin_creates_a_learner_who_can_then_sign_in() {
    let app = TestApp::demo().await;
    let admin = app.signed_in("admin").await;
    let (_, sites) = admin.call("sites", &[]).await;
    let site = sites[3]["id"].as_str().unwrap().to_string();
    let form = |username: &'static str, password: &'static str| {
        vec![
            ("user[username]", username.to_string()),
            ("user[display_name]", "赵雪 Zhao Xue".to_string()),
            ("user[role]", "learner".to_string()),
            ("user[site_id]", site.clone()),
            ("user[password]", password.to_string()),
        ]
    };
    let call = |f: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.call("create_user", &f).await
        }
    };
    let (status, created) = call(form("Zhao.Xue", "first-day-password")).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["username"], "zhao.xue");
    assert_eq!(created["role"], "learner");

    let (_, dup) = call(form("zhao.xue", "another-password")).await;
    assert_eq!(
        dup,
        json!({"Invalid": {"field": "username", "reason": "taken"}})
    );
    let (_, weak) = call(form("qian.li", "short")).await;
    assert_eq!(
        weak,
        json!({"Invalid": {"field": "password", "reason": "too_short"}})
    );
    let (_, bad) = call(form("qian li", "long-enough-password")).await;
    assert_eq!(
        bad,
        json!({"Invalid": {"field": "username", "reason": "bad_format"}})
    );

    let learner = app.client();
    let me = learner.sign_in("zhao.xue", "first-day-password").await;
    assert_eq!(me["display_name"], "赵雪 Zhao Xue");
    assert_eq!(me["site"]["id"], site.as_str());
    assert_eq!(
        app_audit_count(&app, "user_created").await,
        1,
        "account creation is audited"
    );
}

async fn app_audit_count(app: &TestApp, action: &str) -> i64 {
    let action = model::AuditAction::parse(action).expect("a known audit action");
    domain::audit::count(&app.started.state.db, action)
        .await
        .unwrap()
}

#[tokio::test]
async fn learners_and_experts_cannot_manage_accounts() {
    let app = TestApp::demo().await;
    for user in ["li.na", "chen.jing", "zhou.min"] {
        let c = app.signed_in(user).await;
        let me = c.me().await;
        let (_, body) = c
            .call(
                "create_user",
                &[
                    ("user[username]", "sneaky"),
                    ("user[display_name]", "Sneaky"),
                    ("user[role]", "admin"),
                    ("user[site_id]", me["site"]["id"].as_str().unwrap()),
                    ("user[password]", "sneaky-password"),
                ],
            )
            .await;
        assert_eq!(body, json!("Forbidden"), "{user}");
        let (_, body) = c
            .call(
                "reset_password",
                &[
                    ("user_id", me["id"].as_str().unwrap()),
                    ("new_password", "hijacked-password"),
                ],
            )
            .await;
        assert_eq!(body, json!("Forbidden"), "{user}");
    }
    let anon = app.client();
    let (status, body) = anon.call("people", &[]).await;
    assert_eq!((status, body), (401, json!("Unauthenticated")));
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::demo().await;
    let admin = app.signed_in("admin").await;
    let learner = app.client();
    let me = learner.sign_in("liu.yang", DEMO_PASSWORD).await;
    let id = me["id"].as_str().unwrap();

    let (status, body) = admin
        .call("set_user_active", &[("user_id", id), ("active", "false")])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], false);
    assert_eq!(
        learner.me().await,
        serde_json::Value::Null,
        "an open session ends"
    );
    let (_, body) = app
        .client()
        .call(
            "login",
            &[("username", "liu.yang"), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(body, json!("BadCredentials"));

    admin
        .call("set_user_active", &[("user_id", id), ("active", "true")])
        .await;
    app.client().sign_in("liu.yang", DEMO_PASSWORD).await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_disabled() {
    let app = TestApp::demo().await;
    let admin = app.client();
    let me = admin.sign_in("admin", DEMO_PASSWORD).await;
    let (_, body) = admin
        .call(
            "set_user_active",
            &[("user_id", me["id"].as_str().unwrap()), ("active", "false")],
        )
        .await;
    assert_eq!(
        body,
        json!({"Invalid": {"field": "role", "reason": "last_admin"}})
    );
}

#[tokio::test]
async fn passwords_can_be_reset_by_an_admin_and_changed_by_their_owner() {
    let app = TestApp::demo().await;
    let admin = app.signed_in("admin").await;
    let user = app.client();
    let me = user.sign_in("li.na", DEMO_PASSWORD).await;
    let (status, _) = admin
        .call(
            "reset_password",
            &[
                ("user_id", me["id"].as_str().unwrap()),
                ("new_password", "reset-by-admin-1"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    // The session opened with the old password is over once it was reset.
    assert_eq!(
        user.me().await,
        json!(null),
        "a reset ends the old sessions"
    );
    let fresh = app.client();
    fresh.sign_in("li.na", "reset-by-admin-1").await;
    let elsewhere = app.client();
    elsewhere.sign_in("li.na", "reset-by-admin-1").await;
    let (_, wrong) = fresh
        .call(
            "change_password",
            &[
                ("current", "not-my-password"),
                ("new_password", "my-own-password-2"),
            ],
        )
        .await;
    assert_eq!(
        wrong,
        json!({"Invalid": {"field": "current_password", "reason": "wrong"}})
    );
    let (status, _) = fresh
        .call(
            "change_password",
            &[
                ("current", "reset-by-admin-1"),
                ("new_password", "my-own-password-2"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    // Changing it keeps the session it was changed in, and ends every other one.
    assert_eq!(fresh.me().await["username"], "li.na");
    assert_eq!(
        elsewhere.me().await,
        json!(null),
        "a change ends other sessions"
    );
    app.client().sign_in("li.na", "my-own-password-2").await;
}

#[tokio::test]
async fn admins_rename_sites_and_others_cannot() {
    let app = TestApp::demo().await;
    let admin = app.signed_in("admin").await;
    let (_, sites) = admin.call("sites", &[]).await;
    let id = sites[1]["id"].as_str().unwrap().to_string();
    let form = [
        ("site_id", id.as_str()),
        ("name_zh", "东湖社区卫生服务中心（新址）"),
        ("name_en", "Donghu CHSC (new building)"),
        ("active", "true"),
    ];
    let (status, site) = admin.call("update_site", &form).await;
    assert_eq!(status, 200, "{site}");
    assert_eq!(site["name_zh"], "东湖社区卫生服务中心（新址）");
    let coordinator = app.signed_in("zhou.min").await;
    let (_, body) = coordinator.call("update_site", &form).await;
    assert_eq!(body, json!("Forbidden"));
    let (_, empty) = admin
        .call(
            "update_site",
            &[
                ("site_id", id.as_str()),
                ("name_zh", " "),
                ("name_en", "x"),
                ("active", "true"),
            ],
        )
        .await;
    assert_eq!(
        empty,
        json!({"Invalid": {"field": "name_zh", "reason": "required"}})
    );
}

#[tokio::test]
async fn admins_read_the_audit_log_and_nobody_else_does() {
    let app = TestApp::demo().await;
    let admin = app.signed_in("admin").await;
    let learner = app.client();
    let me = learner.sign_in("li.na", DEMO_PASSWORD).await;
    admin
        .call(
            "set_user_active",
            &[("user_id", me["id"].as_str().unwrap()), ("active", "false")],
        )
        .await;
    let (status, events) = admin.call("audit", &[]).await;
    assert_eq!(status, 200, "{events}");
    let events = events.as_array().unwrap();
    assert_eq!(events[0]["action"], "user_disabled", "newest first");
    assert_eq!(events[0]["actor"], "admin");
    assert_eq!(events[0]["subject"], "li.na", "subjects are shown by name");
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "sign_in" && e["actor"] == "li.na")
    );
    let coordinator = app.signed_in("zhou.min").await;
    let (_, body) = coordinator.call("audit", &[]).await;
    assert_eq!(body, json!("Forbidden"));
}
