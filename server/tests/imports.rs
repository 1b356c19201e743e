//! The other ways in: a scanner sending with dcmtk's `storescu` (C-STORE), and uploads of
//! files and zips, including the bad ones: not DICOM, truncated, too large, a deflate bomb, a
//! zip entry escaping its folder. Each gets its reason and leaves no blob without a row, and
//! is named as it was sent, to the expert who sent it only.

use crate::common::{Client, TestApp, wait_for_job};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use serde_json::Value;
use std::io::Write;
use std::net::SocketAddr;

fn clip(seed: u64, syntax: SynthSyntax) -> Vec<u8> {
    synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 5,
        syntax,
        fps: 20.0,
        seed,
    })
    .unwrap()
}

fn blob_count(data: &std::path::Path) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&data.join("blobs"))
}

async fn stored_instances(client: &Client) -> usize {
    let (_, studies) = client.call("list_studies", &[]).await;
    studies
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["instances"].as_u64().unwrap() as usize)
        .sum()
}

#[tokio::test]
async fn a_scanner_sends_with_storescu_and_the_clips_arrive_anonymised() {
    if !crate::common::tool("dcmtk's storescu", crate::common::runs("storescu")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let app = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = data.clone();
        c.dicom_addr = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
        c.ae_title = "HUBTEACH".into();
    })
    .await;
    let port = app.started.dicom_addr.unwrap().port();
    let files = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for seed in 1..=3 {
        let path = files.path().join(format!("clip{seed}.dcm"));
        std::fs::write(&path, clip(seed, SynthSyntax::Rgb)).unwrap();
        paths.push(path);
    }
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("storescu")
            .args(["-aet", "US_ROOM3", "-aec", "HUBTEACH", "127.0.0.1"])
            .arg(port.to_string())
            .args(&paths)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A scanner calling the wrong AE title is turned away.
    let wrong = tokio::task::spawn_blocking(move || {
        std::process::Command::new("echoscu")
            .args(["-aet", "US_ROOM3", "-aec", "SOMEONE", "127.0.0.1"])
            .arg(port.to_string())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(!wrong.status.success());

    let chen = app.signed_in("chen.jing").await;
    let (_, jobs) = chen.call("import_jobs", &[]).await;
    let job = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "cstore")
        .expect("a C-STORE job")
        .clone();
    assert_eq!(job["label"]["calling_ae"], "US_ROOM3");
    let (job, items) = wait_for_job(&chen, job["id"].as_str().unwrap()).await;
    assert_eq!(job["imported"], 3, "{items:?}");
    assert!(job["error"].is_null(), "{job}");
    // The scanner opened the job and the background worker ended it; no person did either.
    let audit = app.audit_of(job["id"].as_str().unwrap()).await;
    let trail: Vec<_> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.via, e.actor.is_none()))
        .collect();
    assert_eq!(
        trail,
        [
            ("import_started", model::AuditVia::CStore, true),
            ("import_finished", model::AuditVia::Job, true)
        ]
    );
    assert!(audit[0].detail.contains("US_ROOM3"), "{}", audit[0].detail);
    assert!(
        audit[1].detail.contains(r#""imported":3"#),
        "{}",
        audit[1].detail
    );
    assert_eq!(stored_instances(&chen).await, 3);
    assert_eq!(blob_count(&data), 3);
    let (_, studies) = chen.call("list_studies", &[]).await;
    let uid = studies[0]["uid"].as_str().unwrap();
    let (_, detail) = chen.call("study", &[("uid", uid)]).await;
    let url = detail["instances"][0]["url"].as_str().unwrap();
    let bytes = chen
        .http
        .get(chen.url(url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("SYNTHETIC^CLIP"));
    app.started.stop().await.unwrap();
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// A deflated-syntax DICOM file whose data set inflates to 64 MB of zeros.
fn deflate_bomb() -> Vec<u8> {
    let meta = dicom_object::meta::FileMetaTableBuilder::new()
        .transfer_syntax("1.2.840.10008.1.2.1.99")
        .media_storage_sop_class_uid("1.2.840.10008.5.1.4.1.1.3.1")
        .media_storage_sop_instance_uid("2.25.99")
        .build()
        .unwrap();
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    meta.write(&mut out).unwrap();
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![0u8; 64 * 1024 * 1024]).unwrap();
    out.extend_from_slice(&enc.finish().unwrap());
    out
}

#[tokio::test]
async fn uploads_import_good_files_and_name_the_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let app = TestApp::with(|c| {
        c.demo = true;
        c.data_dir = data.clone();
        c.max_file_mb = 2;
        // 1,000,000 pixels: five 320 x 240 frames pass, twenty do not.
        c.max_megapixels = 1;
    })
    .await;
    let chen = app.signed_in("chen.jing").await;

    // Learners cannot open an upload, nor post into someone else's.
    let learner = app.signed_in("li.na").await;
    let (_, body) = learner.call("open_upload", &[]).await;
    assert_eq!(body, "Forbidden");

    let (status, job) = chen.call("open_upload", &[]).await;
    assert_eq!(status, 200, "{job}");
    let job = job.as_str().unwrap().to_string();
    let (status, _) = learner
        .upload(&job, clip(1, SynthSyntax::Rle), "application/dicom")
        .await;
    // Learners upload only into their own logbook uploads: an expert's is not theirs to see.
    assert_eq!(status, 404);
    let signed_out = app.client();
    let (status, _) = signed_out
        .upload(&job, clip(1, SynthSyntax::Rle), "application/dicom")
        .await;
    assert_eq!(status, 401);

    let good = clip(1, SynthSyntax::Rle);
    let (status, body) = chen.upload(&job, good.clone(), "application/dicom").await;
    assert_eq!((status, &body["files"]), (200, &Value::from(1)), "{body}");
    let (status, _) = chen
        .upload(&job, b"just some notes".to_vec(), "application/dicom")
        .await;
    assert_eq!(status, 200, "queued: refused when anonymised");
    let truncated = good[..good.len() / 2].to_vec();
    chen.upload(&job, truncated, "application/dicom").await;
    let (status, body) = chen
        .upload(&job, vec![7u8; 3 * 1024 * 1024], "application/dicom")
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["refused"]["kind"], "too_large");
    assert_eq!(body["refused"]["detail"], 2);
    let (status, body) = chen.upload(&job, deflate_bomb(), "application/dicom").await;
    assert_eq!(status, 200, "{body}");
    let long = synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 20,
        syntax: SynthSyntax::Jpeg,
        fps: 20.0,
        seed: 9,
    })
    .unwrap();
    let (status, body) = chen.upload(&job, long, "application/dicom").await;
    assert_eq!(status, 200, "{body}");
    let zip = zip_of(&[
        ("study/a.dcm", clip(2, SynthSyntax::Jpeg)),
        ("../../escape.dcm", clip(3, SynthSyntax::Jpeg)),
        ("DICOMDIR", b"index".to_vec()),
    ]);
    let (status, body) = chen.upload(&job, zip, "application/zip").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["files"], 1, "{body}");
    assert_eq!(body["refused"][0]["kind"], "unsafe_path", "{body}");
    assert!(!data.join("escape.dcm").exists() && !data.join("inbox/escape.dcm").exists());
    let (status, body) = chen.call("close_upload", &[("id", &job)]).await;
    assert_eq!(status, 200, "{body}");

    let (job, items) = wait_for_job(&chen, &job).await;
    assert_eq!(job["status"], "done", "{job}");
    let reasons: Vec<String> = items
        .iter()
        .map(|i| match i["status"].as_str().unwrap() {
            "failed" => i["error"]["kind"].as_str().unwrap().to_string(),
            other => other.to_string(),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "imported",
            "not_dicom",
            "damaged",
            "too_large",
            "deflate_bomb",
            "too_many_pixels",
            "imported",
            "unsafe_path"
        ],
        "{items:?}"
    );
    assert_eq!(items[0]["label"]["file"], 1);
    assert_eq!(items[5]["error"]["detail"], 1, "the limit, in megapixels");
    // Exactly one blob per stored instance, and the inbox is gone.
    assert_eq!(stored_instances(&chen).await, 2);
    assert_eq!(blob_count(&data), 2);
    let inbox: Vec<_> = std::fs::read_dir(data.join("inbox"))
        .map(|d| d.flatten().collect())
        .unwrap_or_default();
    assert!(inbox.is_empty(), "{inbox:?}");

    // The same file again: already present, nothing added.
    let (_, again) = chen.call("open_upload", &[]).await;
    let again = again.as_str().unwrap().to_string();
    chen.upload(&again, good, "application/dicom").await;
    chen.call("close_upload", &[("id", &again)]).await;
    let (job, _) = wait_for_job(&chen, &again).await;
    assert_eq!(
        (job["imported"].as_u64(), job["duplicate"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(blob_count(&data), 2);
    app.started.stop().await.unwrap();
}

/// How the job's items read for `client`: the name each was sent under, else "File n".
async fn item_names(client: &Client, job: &str) -> Vec<String> {
    let (status, body) = client.call("import_job_detail", &[("id", job)]).await;
    assert_eq!(status, 200, "{body}");
    let items: Vec<model::ImportItem> = serde_json::from_value(body[1].clone()).unwrap();
    items
        .iter()
        .map(|i| match &i.label {
            model::ItemLabel::File(n) => format!("File {n}"),
            label => label.file_name().unwrap(),
        })
        .collect()
}

#[tokio::test]
async fn each_uploaded_file_is_named_to_its_sender_and_numbered_to_other_experts() {
    let app = TestApp::demo().await;
    let chen = app.signed_in("chen.jing").await;
    let (status, job) = chen.call("open_upload", &[]).await;
    assert_eq!(status, 200, "{job}");
    let job = job.as_str().unwrap().to_string();
    let (status, body) = chen
        .upload_named(
            &job,
            "颈动脉 左.dcm",
            clip(11, SynthSyntax::Rle),
            "application/dicom",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // The browser sends what is not a zip as DICOM; the worker refuses it by name.
    chen.upload_named(
        &job,
        "notes.txt",
        b"not an image".to_vec(),
        "application/dicom",
    )
    .await;
    let zip = zip_of(&[("series1/img1.dcm", clip(12, SynthSyntax::Jpeg))]);
    let (status, body) = chen
        .upload_named(&job, "ZHANG_WEI\u{202E}.zip", zip, "application/zip")
        .await;
    assert_eq!((status, &body["files"]), (200, &Value::from(1)), "{body}");
    chen.call("close_upload", &[("id", &job)]).await;
    let (done, items) = wait_for_job(&chen, &job).await;
    assert_eq!(done["status"], "done", "{done}");
    let failed: Vec<_> = items.iter().map(|i| i["status"].clone()).collect();
    assert_eq!(failed, ["imported", "failed", "imported"], "{items:?}");

    // The sender sees each file's name (a zip entry by its path inside the zip, the invisible
    // right-to-left override gone).
    assert_eq!(
        item_names(&chen, &job).await,
        [
            "颈动脉 左.dcm",
            "notes.txt",
            "ZHANG_WEI.zip › series1/img1.dcm"
        ]
    );
    // Another expert sees every job, but a file name may name a patient: numbers only.
    let wang = app.signed_in("wang.lei").await;
    assert_eq!(
        item_names(&wang, &job).await,
        ["File 1", "File 2", "File 3"]
    );
    let (_, detail) = wang.call("import_job_detail", &[("id", &job)]).await;
    let (_, jobs) = wang.call("import_jobs", &[]).await;
    for text in [detail.to_string(), jobs.to_string()] {
        for name in ["颈动脉", "notes", "ZHANG_WEI", "series1"] {
            assert!(!text.contains(name), "{name} leaked: {text}");
        }
    }
    app.started.stop().await.unwrap();
}

#[tokio::test]
async fn a_full_inbox_refuses_objects_and_says_so() {
    if !crate::common::tool("dcmtk's storescu", crate::common::runs("storescu")) {
        return;
    }
    let app = TestApp::with(|c| {
        c.demo = true;
        c.dicom_addr = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
        c.receiver.inbox_quota_mb = 1;
    })
    .await;
    let port = app.started.dicom_addr.unwrap().port();
    let files = tempfile::tempdir().unwrap();
    let big = files.path().join("big.dcm");
    let small = files.path().join("small.dcm");
    std::fs::write(&big, clip(1, SynthSyntax::Rgb)).unwrap();
    // Both uncompressed: storescu sends every file in the first one's transfer syntax.
    let little = synth_clip(&SynthOptions {
        width: 64,
        height: 48,
        frames: 2,
        syntax: SynthSyntax::Rgb,
        fps: 20.0,
        seed: 2,
    })
    .unwrap();
    std::fs::write(&small, little).unwrap();
    assert!(std::fs::metadata(&big).unwrap().len() > 1024 * 1024);
    assert!(std::fs::metadata(&small).unwrap().len() < 512 * 1024);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("storescu")
            .args([
                "-v",
                "--no-halt",
                "-aet",
                "US_ROOM3",
                "-aec",
                "SONOHUB",
                "127.0.0.1",
            ])
            .arg(port.to_string())
            .args([&big, &small])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        report.contains("Received Store Response (Refused: OutOfResources)"),
        "{report}"
    );
    assert!(
        report.contains("Received Store Response (Success)"),
        "{report}"
    );
    let chen = app.signed_in("chen.jing").await;
    let (_, jobs) = chen.call("import_jobs", &[]).await;
    let job = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["kind"] == "cstore")
        .unwrap()
        .clone();
    let (job, _) = wait_for_job(&chen, job["id"].as_str().unwrap()).await;
    assert_eq!(job["imported"], 1, "only the object that fitted: {job}");
}
