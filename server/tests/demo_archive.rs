//! The demo's regional archive: a demo server with Orthanc installed starts it on loopback,
//! loads the made-up patients' identified studies (some files without regions), connects
//! itself to it as a job (audited), answers searches from it, and stops it when it stops.
//! Without Orthanc the server starts all the same, with no archive.

use crate::common::{TestApp, orthanc};
use model::{ArchiveQuery, AuditVia};
use server::config::DemoArchive;
use std::time::Duration;

#[tokio::test]
async fn the_demo_starts_loads_and_connects_its_archive_and_stops_it() {
    if !orthanc::available() {
        return;
    }
    let app = TestApp::with(|c| {
        c.demo = true;
        c.demo_archive = DemoArchive::Installed;
    })
    .await;
    let db = app.started.state.db.clone();
    // The archive loads in the background and saves SonoHub's settings last.
    let mut config = None;
    for _ in 0..1200 {
        config = domain::archive::load(&db).await.unwrap();
        if config.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let config = config.expect("the demo archive was connected within 5 minutes");
    assert!(
        config.base_url.starts_with("http://127.0.0.1:") && config.base_url.ends_with("/dicom-web"),
        "{}",
        config.base_url
    );
    assert_eq!(config.username, server::demo_archive::USER);
    let events = domain::audit::recent(&db, 100, None).await.unwrap();
    let configured = events
        .iter()
        .find(|e| e.action == "archive_configured")
        .expect("the connection is audited");
    assert_eq!((configured.via, &configured.actor), (AuditVia::Job, &None));
    assert!(configured.detail.contains(&config.base_url));

    // SonoHub's archive client finds the library's patient (two exams) with the archive's
    // follow-up, and the old portable's files that carry no regions.
    let archive = domain::archive::connect(&db).await.unwrap();
    let search = |query: ArchiveQuery| {
        let archive = archive.clone();
        async move { archive.search(&query).await.unwrap() }
    };
    let wang = search(ArchiveQuery {
        patient_name: "wang".into(),
        ..ArchiveQuery::default()
    })
    .await;
    let dates: Vec<&str> = wang.iter().map(|s| s.date.as_str()).collect();
    assert_eq!(
        dates,
        ["2025-01-15", "2024-07-22", "2024-01-17"],
        "{wang:?}"
    );
    let du = search(ArchiveQuery {
        patient_id: "DH20250110".into(),
        ..ArchiveQuery::default()
    })
    .await;
    assert_eq!(du.len(), 1, "{du:?}");
    let instances = archive.instances(&du[0].study_uid).await.unwrap();
    assert_eq!(instances.len(), 2);
    let file = archive.retrieve(&instances[0], 64 << 20).await.unwrap();
    let obj = dicom_object::OpenFileOptions::new()
        .from_reader(&file[128..])
        .unwrap();
    assert!(
        obj.element(dicom_dictionary_std::tags::SEQUENCE_OF_ULTRASOUND_REGIONS)
            .is_err(),
        "the old portable writes no regions"
    );
    assert_eq!(
        obj.element(dicom_dictionary_std::tags::MANUFACTURER_MODEL_NAME)
            .unwrap()
            .to_str()
            .unwrap(),
        "SH-L1"
    );

    // An expert searches it through the server, as on the studies page.
    let chen = app.signed_in("chen.jing").await;
    let form = [
        ("patient_id", "HUB20250203"),
        ("patient_name", ""),
        ("accession", ""),
        ("date_from", ""),
        ("date_to", ""),
        ("modality", ""),
    ];
    let (status, found) = chen.call("search_archive", &form).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found[0]["patient_name"], "QIAN YUE", "{found}");

    // The old portable's two exams imported: its three files wait in the quarantine; one
    // device mask, marked on one of them, releases all three.
    let ye = search(ArchiveQuery {
        patient_id: "DH20250214".into(),
        ..ArchiveQuery::default()
    })
    .await;
    let uids = [du[0].study_uid.clone(), ye[0].study_uid.clone()];
    let (status, job) = chen
        .json("import_studies", serde_json::json!({ "study_uids": uids }))
        .await;
    assert_eq!(status, 200, "{job}");
    let job = job.as_str().unwrap().to_string();
    let (done, _) = crate::common::wait_for_job(&chen, &job).await;
    assert_eq!(
        (done["held"].as_u64(), done["imported"].as_u64()),
        (Some(3), Some(0)),
        "{done}"
    );
    let (_, devices) = chen.call("held_files", &[]).await;
    assert_eq!(devices.as_array().unwrap().len(), 1, "{devices}");
    assert_eq!(devices[0]["device"]["model"], "SH-L1");
    let first = &devices[0]["files"][0];
    let area = first["proposal"]["Ok"]["rect"].clone();
    assert!(area.is_object(), "a clip gets a proposal: {first}");
    let (status, released) = chen
        .json(
            "save_device_mask",
            serde_json::json!({ "held": first["id"], "area": area }),
        )
        .await;
    assert_eq!((status, released.as_u64()), (200, Some(3)), "{released}");
    let (done, _) = crate::common::wait_for_job(&chen, &job).await;
    assert_eq!(
        (done["held"].as_u64(), done["imported"].as_u64()),
        (Some(0), Some(3)),
        "{done}"
    );

    // Stopping the server stops Orthanc.
    app.started.stop().await.unwrap();
    let after = reqwest::Client::new()
        .get(format!("{}/studies", config.base_url))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(after.is_err(), "Orthanc still answers: {after:?}");
}

#[tokio::test]
async fn without_orthanc_the_demo_starts_with_no_archive() {
    let app = TestApp::with(|c| {
        c.demo = true;
        c.demo_archive = DemoArchive::At("/nonexistent/Orthanc".into());
    })
    .await;
    let res = app.client().page("/healthz").await;
    assert_eq!(res.status(), 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let db = &app.started.state.db;
    assert!(domain::archive::load(db).await.unwrap().is_none());
}
