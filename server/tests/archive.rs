//! The regional archive end to end, against a real Orthanc: an admin connects it, an expert
//! searches and imports, the stored studies carry no source identifier in any element or
//! masked pixel, clips keep their rate, re-imports add nothing, a killed server resumes
//! its job without duplicates, and an archive that goes down is reported as such.

use crate::common::orthanc::{self, Exam, Orthanc};
use crate::common::{Client, TestApp, wait_for_job};
use cine::synth::SynthSyntax;
use serde_json::{Value, json};
use std::time::Duration;

fn exams() -> Vec<Exam> {
    vec![
        orthanc::zhang_exam("20240110", "ACC-7001", 1),
        orthanc::zhang_exam("20240410", "ACC-7002", 2),
        Exam {
            patient_name: "LI^SI".into(),
            patient_id: "HUB0099999".into(),
            accession: "ACC-8001".into(),
            ..orthanc::zhang_exam("20240215", "", 3)
        },
    ]
}

async fn load(orthanc: &Orthanc, exam: &Exam, images: u32) {
    for n in 1..=images {
        let syntax = if n % 2 == 1 {
            SynthSyntax::Jpeg
        } else {
            SynthSyntax::Rle
        };
        orthanc.store(orthanc::clip(exam, n, syntax, 6)).await;
    }
}

async fn connect_archive(app: &TestApp, orthanc: &Orthanc) {
    let admin = app.signed_in("admin").await;
    let form = |password: &'static str| {
        vec![
            ("base_url", orthanc.dicomweb()),
            ("auth", "basic".to_string()),
            ("username", orthanc::USER.to_string()),
            ("secret", password.to_string()),
            ("timeout_secs", "10".to_string()),
        ]
    };
    let as_refs = |f: &Vec<(&'static str, String)>| {
        f.iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<(&str, String)>>()
    };
    let wrong = as_refs(&form("not-the-password"));
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, check) = admin.call("test_archive", &wrong).await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["ok"], false);
    assert_eq!(check["problem"]["kind"], "refused", "{check}");
    let right = as_refs(&form(orthanc::PASSWORD));
    let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, check) = admin.call("test_archive", &right).await;
    assert_eq!((status, &check["ok"]), (200, &json!(true)), "{check}");
    let (status, saved) = admin.call("save_archive_settings", &right).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["has_secret"], true);
    assert!(
        saved.get("secret").is_none(),
        "the password never goes back: {saved}"
    );
    let (_, view) = admin.call("archive_settings", &[]).await;
    assert!(!view.to_string().contains(orthanc::PASSWORD));

    // The stored password is kept for the same archive and account; another address or
    // account must be given its own, so the password never travels to a host it wasn't for.
    let keep = |field: &'static str, value: &'static str| {
        let mut f = right.clone();
        f.retain(|(k, _)| *k != "secret" && *k != field);
        f.push(("secret", ""));
        if !field.is_empty() {
            f.push((field, value));
        }
        f
    };
    let (status, check) = admin.call("test_archive", &keep("", "")).await;
    assert_eq!((status, &check["ok"]), (200, &json!(true)), "{check}");
    for (field, value) in [
        ("base_url", "http://127.0.0.1:9/dicom-web"),
        ("username", "someone-else"),
    ] {
        for endpoint in ["test_archive", "save_archive_settings"] {
            let (status, body) = admin.call(endpoint, &keep(field, value)).await;
            assert_eq!(status, 422, "{endpoint} with a new {field}: {body}");
            assert_eq!(body["Invalid"]["field"], "archive_secret", "{body}");
        }
    }
}

async fn search(client: &Client, fields: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![
        ("patient_id", ""),
        ("patient_name", ""),
        ("accession", ""),
        ("date_from", ""),
        ("date_to", ""),
        ("modality", ""),
    ];
    for (k, v) in fields {
        form.iter_mut().find(|(n, _)| n == k).unwrap().1 = v;
    }
    client.call("search_archive", &form).await
}

fn days(da: &str) -> i64 {
    let da = da.replace('-', "");
    model::calendar::days_from_civil(
        da[..4].parse().unwrap(),
        da[4..6].parse().unwrap(),
        da[6..].parse().unwrap(),
    )
}

#[tokio::test]
async fn archive_search_import_and_serve_without_identifiers() {
    if !orthanc::available() {
        return;
    }
    let orthanc = Orthanc::start().await;
    let exams = exams();
    load(&orthanc, &exams[0], 2).await;
    load(&orthanc, &exams[1], 1).await;
    load(&orthanc, &exams[2], 1).await;
    let app = TestApp::demo().await;

    // Before an admin connects the archive, experts are told so.
    let chen = app.signed_in("chen.jing").await;
    let (status, body) = search(&chen, &[("patient_id", "HUB0012345")]).await;
    assert_ne!(status, 200, "{body}");
    assert_eq!(body["Archive"]["kind"], "not_configured", "{body}");
    connect_archive(&app, &orthanc).await;

    // Search by ID, by name prefix, by date range; learners may not search.
    let (status, found) = search(&chen, &[("patient_id", "HUB0012345")]).await;
    assert_eq!(status, 200, "{found}");
    let found = found.as_array().unwrap().clone();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["date"], "2024-04-10", "newest first");
    assert_eq!(found[0]["patient_name"], "ZHANG SANFENG");
    let (_, by_name) = search(&chen, &[("patient_name", "ZHANG")]).await;
    assert_eq!(by_name.as_array().unwrap().len(), 2, "{by_name}");
    let (_, by_date) = search(
        &chen,
        &[("date_from", "2024-02-01"), ("date_to", "2024-03-01")],
    )
    .await;
    let by_date = by_date.as_array().unwrap();
    assert_eq!(by_date.len(), 1);
    assert_eq!(by_date[0]["accession"], "ACC-8001");
    let (_, body) = search(&chen, &[("date_from", "2024-13")]).await;
    assert_eq!(body["Invalid"]["field"], "date_from", "{body}");
    let learner = app.signed_in("li.na").await;
    let (_, body) = search(&learner, &[("patient_id", "HUB0012345")]).await;
    assert_eq!(body, "Forbidden");
    let (_, body) = learner
        .json("import_studies", json!({ "study_uids": ["1.2.3"] }))
        .await;
    assert_eq!(body, "Forbidden");

    // Import both studies of the first patient.
    let uids: Vec<String> = found
        .iter()
        .map(|s| s["study_uid"].as_str().unwrap().to_string())
        .collect();
    let (status, job) = chen
        .json("import_studies", json!({ "study_uids": uids }))
        .await;
    assert_eq!(status, 200, "{job}");
    let (job, items) = wait_for_job(&chen, job.as_str().unwrap()).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        (job["total"].as_u64(), job["imported"].as_u64()),
        (Some(3), Some(3)),
        "{items:?}"
    );
    assert_eq!(job["studies"].as_array().unwrap().len(), 2);
    assert_eq!(items[0]["label"]["instance"]["number"], 1, "{items:?}");

    // One pseudonymous patient, both studies, dates shifted by the same number of days.
    let (status, studies) = chen.call("list_studies", &[]).await;
    assert_eq!(status, 200, "{studies}");
    let studies = studies.as_array().unwrap();
    assert_eq!(studies.len(), 2);
    assert_eq!(studies[0]["patient_key"], studies[1]["patient_key"]);
    let key = studies[0]["patient_key"].as_str().unwrap();
    assert!(key.starts_with("SH") && key.len() == 18, "{key}");
    let shifted: Vec<i64> = studies
        .iter()
        .map(|s| days(s["date"].as_str().unwrap()))
        .collect();
    let interval = (shifted[0] - shifted[1]).abs();
    assert_eq!(
        interval,
        days("20240410") - days("20240110"),
        "follow-up interval kept"
    );
    assert!(
        !studies
            .iter()
            .any(|s| s["date"] == "2024-04-10" || s["date"] == "2024-01-10")
    );
    // The search now says which studies are in.
    let (_, again) = search(&chen, &[("patient_id", "HUB0012345")]).await;
    assert!(
        again
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["imported_as"].is_string()),
        "{again}"
    );

    // Every stored file: no source identifier anywhere, banner black, rate kept.
    let identifiers = [
        "ZHANG",
        "SANFENG",
        "HUB0012345",
        "19610304",
        "ACC-7001",
        "ACC-7002",
        "20240110",
        "20240410",
        "District Central",
        "1.2.826.0.1.3680043.10.543",
    ];
    for study in studies {
        let uid = study["uid"].as_str().unwrap();
        assert!(uid.starts_with("2.25."), "{uid}");
        let (status, detail) = chen.call("study", &[("uid", uid)]).await;
        assert_eq!(status, 200, "{detail}");
        for instance in detail["instances"].as_array().unwrap() {
            let url = instance["url"].as_str().unwrap();
            let res = chen.http.get(chen.url(url)).send().await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-type"], "application/dicom");
            assert_eq!(
                res.headers()["cache-control"],
                "private, no-cache",
                "revalidated on every use, never kept unchecked"
            );
            let etag = res.headers()["etag"].to_str().unwrap().to_string();
            let bytes = res.bytes().await.unwrap().to_vec();
            let text = String::from_utf8_lossy(&bytes).to_string();
            for id in identifiers {
                assert!(!text.contains(id), "{id} found in {url}");
            }
            let clip = cine::Clip::parse(&bytes).unwrap();
            assert_eq!(clip.info().frames, 6);
            assert!(
                (clip.info().frame_time_ms - 40.0).abs() < 1e-6,
                "25 fps kept"
            );
            let banner_rows = (240 / 10).clamp(8, 48);
            for n in 0..clip.info().frames {
                let frame = clip.decode_frame(n).unwrap();
                let lit = frame.rgba[..(320 * banner_rows * 4) as usize]
                    .chunks(4)
                    .filter(|p| p[0] > 8 || p[1] > 8 || p[2] > 8)
                    .count();
                assert_eq!(lit, 0, "burned-in banner left in frame {n} of {url}");
            }
            // Ranges and revalidation.
            let part = chen
                .http
                .get(chen.url(url))
                .header("range", "bytes=128-131")
                .send()
                .await
                .unwrap();
            assert_eq!(part.status(), 206);
            assert_eq!(
                part.headers()["content-range"],
                format!("bytes 128-131/{}", bytes.len()).as_str()
            );
            assert_eq!(&part.bytes().await.unwrap()[..], b"DICM");
            let cached = chen
                .http
                .get(chen.url(url))
                .header("if-none-match", &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(cached.status(), 304);
            let anonymous = app.client().http.get(chen.url(url)).send().await.unwrap();
            assert_eq!(anonymous.status(), 401);
        }
    }

    // The same studies again: nothing new.
    let (_, job) = chen
        .json("import_studies", json!({ "study_uids": uids }))
        .await;
    let (job, _) = wait_for_job(&chen, job.as_str().unwrap()).await;
    assert_eq!(
        (job["imported"].as_u64(), job["duplicate"].as_u64()),
        (Some(0), Some(3)),
        "{job}"
    );
    let (_, studies) = chen.call("list_studies", &[]).await;
    assert_eq!(studies.as_array().unwrap().len(), 2);
    let (_, detail) = chen
        .call("study", &[("uid", studies[0]["uid"].as_str().unwrap())])
        .await;
    let total: usize = detail["instances"].as_array().unwrap().len();
    assert!(total >= 1);

    // The archive goes down: searches and jobs say so; a retry after it is back works.
    let other = vec![exams[2].study_uid.clone()];
    orthanc.stop();
    let (status, body) = search(&chen, &[("patient_id", "HUB0099999")]).await;
    assert_ne!(status, 200, "{body}");
    assert_eq!(body["Archive"]["kind"], "unreachable", "{body}");
    let (_, job) = chen
        .json("import_studies", json!({ "study_uids": other }))
        .await;
    let job_id = job.as_str().unwrap().to_string();
    let (job, _) = wait_for_job(&chen, &job_id).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["error"]["detail"]["kind"], "unreachable", "{job}");
    app.started.stop().await.unwrap();
}

#[tokio::test]
async fn a_killed_import_resumes_without_duplicates() {
    if !orthanc::available() {
        return;
    }
    let orthanc = Orthanc::start().await;
    let exam = exams().remove(0);
    load(&orthanc, &exam, 8).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let first = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = data.clone();
    })
    .await;
    connect_archive(&first, &orthanc).await;
    let chen = first.signed_in("chen.jing").await;
    let (_, job) = chen
        .json(
            "import_studies",
            json!({ "study_uids": [exam.study_uid.clone()] }),
        )
        .await;
    let job = job.as_str().unwrap().to_string();
    // Kill it once some, not all, instances are in.
    let mut imported = 0;
    for _ in 0..600 {
        let (_, body) = chen.call("import_job_detail", &[("id", &job)]).await;
        imported = body[0]["imported"].as_u64().unwrap_or(0);
        if imported >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!((2..8).contains(&imported), "killed after {imported} of 8");
    // The same database: SQLite in the data folder, or the PostgreSQL one the first used.
    let database = first.started.state.db.url.clone();
    first.started.kill();

    let second = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = data.clone();
        if !database.starts_with("sqlite:") {
            c.database_url = Some(database.clone());
        }
    })
    .await;
    let chen = second.signed_in("chen.jing").await;
    let (job, items) = wait_for_job(&chen, &job).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["total"].as_u64(), Some(8), "{items:?}");
    assert_eq!(
        job["imported"].as_u64().unwrap() + job["duplicate"].as_u64().unwrap(),
        8,
        "{items:?}"
    );
    let (_, studies) = chen.call("list_studies", &[]).await;
    assert_eq!(studies.as_array().unwrap().len(), 1);
    assert_eq!(studies[0]["instances"], 8, "{studies}");
    // The inbox is empty once the job is done.
    let inbox = data.join("inbox").join(job["id"].as_str().unwrap());
    assert!(!inbox.exists(), "inbox left behind");
    second.started.stop().await.unwrap();
}

#[tokio::test]
async fn a_slow_archive_times_out_with_a_clear_reason() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let app = TestApp::demo().await;
    let admin = app.signed_in("admin").await;
    let url = format!("http://127.0.0.1:{port}/dicom-web");
    let form = [
        ("base_url", url.as_str()),
        ("auth", "none"),
        ("username", ""),
        ("secret", ""),
        ("timeout_secs", "1"),
    ];
    let started = std::time::Instant::now();
    let (status, check) = admin.call("test_archive", &form).await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["problem"]["kind"], "timeout", "{check}");
    assert!(started.elapsed() < Duration::from_secs(10));
    admin.call("save_archive_settings", &form).await;
    let chen = app.signed_in("chen.jing").await;
    let (_, body) = search(&chen, &[("patient_id", "HUB0012345")]).await;
    assert_eq!(body["Archive"]["kind"], "timeout", "{body}");
    // Nothing answers on this port at all: unreachable, not a timeout.
    hold.abort();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!(
        "http://127.0.0.1:{}/dicom-web",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    let form = [
        ("base_url", dead.as_str()),
        ("auth", "none"),
        ("username", ""),
        ("secret", ""),
        ("timeout_secs", "5"),
    ];
    let (_, check) = admin.call("test_archive", &form).await;
    assert_eq!(check["problem"]["kind"], "unreachable", "{check}");
    app.started.stop().await.unwrap();
}
