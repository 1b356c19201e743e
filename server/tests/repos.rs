//! Repository tests, run on SQLite and on PostgreSQL with the same SQL.
use domain::audit::Actor;
use domain::{AppState, Db, Settings, audit, auth, sites, users};
use model::{AppError, AuditAction, Role, UserId};
use std::sync::Arc;

async fn each_database(check: impl AsyncFn(Db)) {
    let dir = tempfile::tempdir().unwrap();
    for url in crate::common::databases(dir.path()).await {
        let db = Db::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:#}"));
        check(db).await;
    }
}

async fn add_user(db: &Db, username: &str, role: Role, site_code: &str) -> UserId {
    let site = sites::by_code(db, site_code).await.unwrap().unwrap();
    let hash = auth::hash_password("repository-test-pw".into())
        .await
        .unwrap();
    users::insert(
        db,
        users::InsertUser {
            username,
            display_name: "测试 Test",
            role,
            site_id: &site.id,
            password_hash: &hash,
        },
    )
    .await
    .unwrap()
    .expect("username free")
}

#[tokio::test]
async fn the_network_is_seeded_once() {
    each_database(async |db: Db| {
        assert_eq!(sites::ensure_network(&db).await.unwrap(), 14);
        assert_eq!(sites::ensure_network(&db).await.unwrap(), 0, "idempotent");
        let all = sites::list(&db).await.unwrap();
        assert_eq!(all.len(), 14);
        assert_eq!(all[0].code, "HUB", "hub first");
        let dh = sites::by_code(&db, "DH").await.unwrap().unwrap();
        assert!(
            sites::update(&db, &dh.id, "东湖中心", "Donghu Centre", false)
                .await
                .unwrap()
        );
        let dh = sites::get(&db, &dh.id).await.unwrap().unwrap();
        assert_eq!(
            (dh.name_zh.as_str(), dh.name_en.as_str(), dh.active),
            ("东湖中心", "Donghu Centre", false)
        );
    })
    .await;
}

#[tokio::test]
async fn users_are_unique_filterable_and_can_be_disabled() {
    each_database(async |db: Db| {
        sites::ensure_network(&db).await.unwrap();
        let a = add_user(&db, "wu.hong", Role::Learner, "DH").await;
        add_user(&db, "xu.jun", Role::Expert, "HUB").await;
        add_user(&db, "he.li", Role::Learner, "HUB").await;
        let hub = sites::by_code(&db, "HUB").await.unwrap().unwrap();
        let hash = auth::hash_password("another-password".into())
            .await
            .unwrap();
        let dup = users::insert(
            &db,
            users::InsertUser {
                username: "wu.hong",
                display_name: "x",
                role: Role::Admin,
                site_id: &hub.id,
                password_hash: &hash,
            },
        )
        .await
        .unwrap();
        assert_eq!(dup, None, "a taken username is reported, not an error");
        assert_eq!(users::list(&db, None, None).await.unwrap().len(), 3);
        assert_eq!(
            users::list(&db, Some(&hub.id), None).await.unwrap().len(),
            2
        );
        assert_eq!(
            users::list(&db, Some(&hub.id), Some(Role::Learner))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            users::list(&db, None, Some(Role::Coordinator))
                .await
                .unwrap()
                .len(),
            0
        );

        let me = users::current(&db, &a).await.unwrap().unwrap();
        assert_eq!(me.site.code, "DH");
        assert!(users::set_active(&db, &a, false).await.unwrap());
        assert_eq!(
            users::current(&db, &a).await.unwrap(),
            None,
            "disabled users are signed out"
        );
        assert!(
            !users::set_active(&db, &UserId("missing".into()), false)
                .await
                .unwrap()
        );

        let per_site = sites::people_per_site(&db).await.unwrap();
        let hub_row = per_site.iter().find(|r| r.site.code == "HUB").unwrap();
        assert_eq!((hub_row.learners, hub_row.experts), (1, 1));
        let dh_row = per_site.iter().find(|r| r.site.code == "DH").unwrap();
        assert_eq!(dh_row.learners, 0, "disabled accounts are not counted");
    })
    .await;
}

#[tokio::test]
async fn sign_in_checks_passwords_and_limits_failures() {
    each_database(async |db: Db| {
        sites::ensure_network(&db).await.unwrap();
        let id = add_user(&db, "gao.yan", Role::Learner, "XC").await;
        let blobs_dir = tempfile::tempdir().unwrap();
        let state = AppState {
            db: db.clone(),
            settings: Arc::new(Settings::default()),
            importer: domain::imports::Importer::new(
                "test".into(),
                db.clone(),
                domain::blobs::Blobs::local(blobs_dir.path()).unwrap(),
                blobs_dir.path().join("inbox"),
                domain::dicom::AnonymizeConfig::default(),
                domain::imports::Limits::default(),
            ),
            guidance: Default::default(),
        };
        assert_eq!(
            auth::authenticate(&state, "Gao.Yan ", "repository-test-pw", "10.0.0.1")
                .await
                .map_err(AppError::from),
            Ok(id.clone())
        );
        assert_eq!(
            auth::authenticate(&state, "gao.yan", "nope", "10.0.0.1")
                .await
                .map_err(AppError::from),
            Err(AppError::BadCredentials)
        );
        assert_eq!(
            auth::authenticate(&state, "no.one", "nope", "10.0.0.1")
                .await
                .map_err(AppError::from),
            Err(AppError::BadCredentials)
        );
        // A guesser at one address locks that address out of the account, even with the
        // right password, and the owner elsewhere out of nothing.
        let limit = state.settings.max_failures_per_account_and_ip;
        for _ in 0..limit {
            let _ = auth::authenticate(&state, "gao.yan", "nope", "10.0.0.2").await;
        }
        assert_eq!(
            auth::authenticate(&state, "gao.yan", "repository-test-pw", "10.0.0.2")
                .await
                .map_err(AppError::from),
            Err(AppError::RateLimited)
        );
        assert_eq!(
            auth::authenticate(&state, "gao.yan", "repository-test-pw", "10.0.0.3")
                .await
                .map_err(AppError::from),
            Ok(id.clone())
        );
        assert_eq!(
            auth::prune_attempts(&db).await.unwrap(),
            0,
            "recent attempts are kept"
        );
        audit::record(
            &db,
            &audit::Actor::system(model::AuditVia::Job),
            AuditAction::SiteUpdated,
            Some("x"),
            serde_json::json!({"k": "值"}),
        )
        .await;
        assert_eq!(
            audit::count(&db, AuditAction::SiteUpdated).await.unwrap(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_active_admin_is_never_disabled_even_by_two_admins_at_once() {
    each_database(async |db: Db| {
        sites::ensure_network(&db).await.unwrap();
        let a = add_user(&db, "admin.a", Role::Admin, "HUB").await;
        let b = add_user(&db, "admin.b", Role::Admin, "HUB").await;
        let learner = add_user(&db, "learner.c", Role::Learner, "DH").await;
        let last_admin = Err(AppError::invalid("role", model::InvalidReason::LastAdmin));

        // Two admins disabling each other at the same moment: one of them stays.
        let (by_a, by_b) = (Actor::web(&a), Actor::web(&b));
        let (ab, ba) = tokio::join!(
            users::set_active_by(&db, &by_a, &b, false),
            users::set_active_by(&db, &by_b, &a, false),
        );
        let outcomes = [ab.map_err(AppError::from), ba.map_err(AppError::from)];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "exactly one of the two succeeds: {outcomes:?}"
        );
        assert_eq!(users::active_admins(&db).await.unwrap(), 1);
        let (survivor, disabled) = if outcomes[0].is_ok() {
            (&a, &b)
        } else {
            (&b, &a)
        };
        assert_eq!(
            users::set_active_by(&db, &Actor::web(survivor), survivor, false)
                .await
                .map(|u| u.map(|u| u.active))
                .map_err(AppError::from),
            last_admin.clone(),
            "the last one cannot disable itself"
        );
        assert_eq!(
            audit::count(&db, AuditAction::UserDisabled).await.unwrap(),
            1,
            "only the change that happened is audited, in its transaction"
        );

        // Others come and go freely; an admin comes back; unknown accounts are `None`.
        let off = users::set_active_by(&db, &Actor::web(survivor), &learner, false)
            .await
            .unwrap();
        assert_eq!(off.map(|u| u.active), Some(false));
        let back = users::set_active_by(&db, &Actor::web(survivor), disabled, true)
            .await
            .unwrap();
        assert_eq!(back.map(|u| u.active), Some(true));
        assert_eq!(users::active_admins(&db).await.unwrap(), 2);
        assert_eq!(
            audit::count(&db, AuditAction::UserEnabled).await.unwrap(),
            1
        );
        assert!(
            users::set_active_by(&db, &Actor::web(survivor), &UserId("missing".into()), false)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

/// An optional float bound as NULL and then as a value by the same statement on the same
/// connection is stored both times. Bound as a plain `Option<f64>`, PostgreSQL refused every
/// value after the first NULL ("incorrect binary data format"), which made the demo's
/// pixel-cleaned imports fail for good after one without a PSNR.
#[tokio::test]
async fn optional_floats_bind_as_null_then_as_values_on_one_connection() {
    use domain::sql::Float;
    each_database(async |db: Db| {
        let mut conn = db.pool.acquire().await.unwrap();
        sqlx::query("CREATE TEMPORARY TABLE floats (n INTEGER, x DOUBLE PRECISION)")
            .execute(&mut *conn)
            .await
            .unwrap();
        for (n, x) in [
            (1, None),
            (2, Some(31.5)),
            (3, None),
            (4, Some(f64::INFINITY)),
        ] {
            sqlx::query("INSERT INTO floats (n, x) VALUES ($1, $2)")
                .bind(n)
                .bind(Float(x))
                .execute(&mut *conn)
                .await
                .unwrap_or_else(|e| panic!("{}: row {n}: {e}", db.url));
        }
        let rows: Vec<(i32, Option<f64>)> = sqlx::query_as("SELECT n, x FROM floats ORDER BY n")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        assert_eq!(
            rows,
            [
                (1, None),
                (2, Some(31.5)),
                (3, None),
                (4, Some(f64::INFINITY))
            ],
            "{}",
            db.url
        );
    })
    .await;
}
