//! `sonohub backup` while the server runs, and `sonohub restore` into an empty folder: a new
//! server on the restored folder has every account, study, clip and case, byte for byte.
use crate::cases::{published_case, study_into};
use crate::common::TestApp;
use server::backup::{BackupArgs, RestoreArgs, Source};

fn source(data: &std::path::Path) -> Source {
    Source {
        data: data.to_path_buf(),
        database_url: None,
        blob_store: None,
        secret_file: None,
    }
}

#[tokio::test]
async fn a_running_server_is_backed_up_and_restored_into_an_empty_folder() {
    if std::env::var("SONOHUB_TEST_BACKEND").as_deref() == Ok("postgres") {
        return; // The PostgreSQL path needs pg_dump of the server's version; see the note.
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = data.clone();
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
        source: source(&data),
    })
    .await
    .unwrap();
    assert_eq!((taken.studies, taken.instances, taken.cases), (1, 1, 1));
    assert_eq!(taken.blobs, 1);
    assert!(taken.accounts >= 7, "{taken:?}");
    // A backup folder is never written over.
    let again = server::backup::backup(BackupArgs {
        out: out.clone(),
        source: source(&data),
    })
    .await;
    assert!(again.is_err());
    app.started.stop().await.unwrap();

    let restored = dir.path().join("restored");
    let back = server::backup::restore(RestoreArgs {
        from: out.clone(),
        target: source(&restored),
    })
    .await
    .unwrap();
    assert_eq!(back.instances, taken.instances);
    // Not into a folder that has data.
    let occupied = server::backup::restore(RestoreArgs {
        from: out.clone(),
        target: source(&data),
    })
    .await;
    assert!(occupied.is_err(), "restoring over live data is refused");
    assert_eq!(
        std::fs::read(data.join("pseudonym.secret")).unwrap(),
        std::fs::read(restored.join("pseudonym.secret")).unwrap(),
        "the same secret, so re-imports find the same patients"
    );

    let app = TestApp::with(|c| c.data_dir = restored.clone()).await;
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
