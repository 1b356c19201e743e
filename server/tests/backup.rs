//! `sonohub backup` while the server runs, and `sonohub restore` into an empty folder: a new
//! server on the restored folder has every account, study, clip and case, byte for byte.
use crate::cases::{published_case, study_into};
use crate::common::TestApp;
use server::backup::{BackupArgs, RestoreArgs, Source};

fn source(data: &std::path::Path, database_url: Option<&str>) -> Source {
    Source {
        data: data.to_path_buf(),
        database_url: database_url.map(str::to_string),
        blob_store: None,
        secret_file: None,
    }
}

#[tokio::test]
async fn a_running_server_is_backed_up_and_restored_into_an_empty_folder() {
    round_trip(None, None).await;
}

/// The same with PostgreSQL (`pg_dump` and `pg_restore` of the server's version, as Debian's
/// postgresql-client installs them), from a live database into a new, empty one.
#[tokio::test]
async fn a_running_postgresql_server_is_backed_up_and_restored_into_an_empty_database() {
    let Some(live) = crate::common::fresh_postgres().await else {
        assert!(
            std::env::var("SONOHUB_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "SONOHUB_REQUIRE_POSTGRES=1 but SONOHUB_TEST_POSTGRES_URL is not set"
        );
        eprintln!("note: PostgreSQL not configured; the PostgreSQL backup was not tested");
        return;
    };
    let empty = crate::common::fresh_postgres().await.unwrap();
    round_trip(Some(&live), Some(&empty)).await;
}

/// Backs up a running server (on SQLite, or on PostgreSQL's `live_db`), restores it into an
/// empty folder (and the empty `restored_db`), and reads everything back from a server started
/// on what was restored.
async fn round_trip(live_db: Option<&str>, restored_db: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = data.clone();
        c.database_url = live_db.map(str::to_string);
    })
    .await;
    let study = study_into(&app).await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let case = published_case(&chen, &wang, &study, "甲状腺结节 备份").await;
    let (_, detail) = chen.call("study", &[("uid", &study)]).await;
    let clip_url = detail["instances"][0]["url"].as_str().unwrap().to_string();
    let clip = chen
        .http
        .get(chen.url(&clip_url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (_, people) = app.signed_in("admin").await.call("people", &[]).await;

    // While the server runs (and its import worker with it).
    let out = dir.path().join("backup");
    let taken = server::backup::backup(BackupArgs {
        out: out.clone(),
        source: source(&data, live_db),
    })
    .await
    .unwrap();
    let kind = if live_db.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(taken.database, kind);
    assert_eq!((taken.studies, taken.instances, taken.cases), (1, 1, 1));
    assert_eq!(taken.blobs, 1);
    assert!(taken.accounts >= 7, "{taken:?}");
    // A backup folder is never written over.
    let again = server::backup::backup(BackupArgs {
        out: out.clone(),
        source: source(&data, live_db),
    })
    .await;
    assert!(again.is_err());
    app.started.stop().await.unwrap();

    let restored = dir.path().join("restored");
    let back = server::backup::restore(RestoreArgs {
        from: out.clone(),
        target: source(&restored, restored_db),
    })
    .await
    .unwrap();
    assert_eq!(back.instances, taken.instances);
    // Not into a folder that has data.
    let occupied = server::backup::restore(RestoreArgs {
        from: out.clone(),
        target: source(&data, live_db),
    })
    .await;
    assert!(occupied.is_err(), "restoring over live data is refused");
    if let Some(live) = live_db {
        // An empty folder is not enough: the database must be empty too.
        let into_live = server::backup::restore(RestoreArgs {
            from: out.clone(),
            target: source(&dir.path().join("elsewhere"), Some(live)),
        })
        .await;
        let message = format!("{:#}", into_live.unwrap_err());
        assert!(message.contains("not empty"), "{message}");
    }
    assert_eq!(
        std::fs::read(data.join("pseudonym.secret")).unwrap(),
        std::fs::read(restored.join("pseudonym.secret")).unwrap(),
        "the same secret, so re-imports find the same patients"
    );

    let app = TestApp::with(|c| {
        c.data_dir = restored.clone();
        c.database_url = restored_db.map(str::to_string);
    })
    .await;
    let chen = app.signed_in("chen.jing").await;
    let (_, studies) = chen.call("list_studies", &[]).await;
    assert_eq!(studies[0]["uid"], study.as_str());
    let same = chen.http.get(chen.url(&clip_url)).send().await.unwrap();
    assert_eq!(same.status(), 200);
    assert!(
        same.bytes().await.unwrap() == clip,
        "the clip, byte for byte"
    );
    let learner = app.signed_in("li.na").await;
    let (status, view) = learner.call("published_case", &[("id", &case)]).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["content"]["title"], "甲状腺结节 备份");
    let (_, people_after) = app.signed_in("admin").await.call("people", &[]).await;
    assert_eq!(people_after, people, "every account");
    app.started.stop().await.unwrap();
}
