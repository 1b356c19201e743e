//! SonoHub's own DICOMweb service end to end: studies imported (anonymised) from a real
//! Orthanc are searched and retrieved at /dicom-web by the real `dicomweb-client` Python
//! package with the bearer token (instances, metadata, frames, rendered images, the pixel
//! data's BulkDataURI), and by hand over HTTP: as stored, byte for byte, with the same UIDs
//! SonoHub shows, no source identifier anywhere, and 401/403/404/406/400 where due.
//!
//! dicomweb-client comes from PyPI into `SONOHUB_PYTHONPATH` (`.ci/tools test`; else the
//! workspace's target/pylib). With `SONOHUB_REQUIRE_TOOLS=1` a missing tool fails the test.
//! What viewers need beyond this (frames, rendered images, bulk data) is `viewers`.
mod viewers;

use crate::common::orthanc::{self, Exam, Orthanc};
use crate::common::{Client, TestApp};
use cine::synth::SynthSyntax;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const TOKEN: &str = "dicomweb-test-token-0123456789";
/// A viewer on its own origin, which the archive below allows (`--dicomweb-cors`).
const VIEWER_ORIGIN: &str = "http://viewer.test:8042";
const RLE: &str = "1.2.840.10008.1.2.5";
/// Bytes of one 320×240 frame decoded to RGB.
const FRAME_RGB: usize = 320 * 240 * 3;
const SOURCE_IDENTIFIERS: [&str; 9] = [
    "ZHANG",
    "SANFENG",
    "HUB0012345",
    "19610304",
    "ACC-7001",
    "ACC-7002",
    "20240110",
    "District Central",
    "1.2.826.0.1.3680043.10.543",
];

/// Connects the archive as the admin and imports the exams as an expert; waits for the job.
async fn import(app: &TestApp, orthanc: &Orthanc, exams: &[Exam]) -> Client {
    let admin = app.signed_in("admin").await;
    let url = orthanc.dicomweb();
    let (status, saved) = admin
        .call(
            "save_archive_settings",
            &[
                ("base_url", url.as_str()),
                ("auth", "basic"),
                ("username", orthanc::USER),
                ("secret", orthanc::PASSWORD),
                ("timeout_secs", "10"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let chen = app.signed_in("chen.jing").await;
    let uids: Vec<&str> = exams.iter().map(|e| e.study_uid.as_str()).collect();
    let res = chen
        .http
        .post(chen.url("/api/import_studies"))
        .json(&json!({ "study_uids": uids }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let job: String = res.json().await.unwrap();
    for _ in 0..600 {
        let (_, body) = chen.call("import_job_detail", &[("id", &job)]).await;
        match body[0]["status"].as_str() {
            Some("done") => {
                assert_eq!(body[0]["imported"], 3, "{body}");
                return chen;
            }
            Some("failed") => panic!("import failed: {body}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("import did not finish");
}

/// Where dicomweb-client is installed, if it is.
fn pylib() -> Option<PathBuf> {
    let dir = std::env::var_os("SONOHUB_PYTHONPATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/pylib"));
    let installed = dir.join("dicomweb_client").is_dir();
    crate::common::tool(&format!("dicomweb-client in {}", dir.display()), installed).then_some(dir)
}

/// The parts of a `multipart/related` body, headers stripped.
fn parts(content_type: &str, body: &[u8]) -> Vec<Vec<u8>> {
    parts_with_headers(content_type, body)
        .into_iter()
        .map(|(_, body)| body)
        .collect()
}

/// The parts of a `multipart/related` body, each with its headers' text.
fn parts_with_headers(content_type: &str, body: &[u8]) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .expect("a boundary")
        .trim_matches('"');
    let delimiter = format!("\r\n--{boundary}");
    let mut body = [b"\r\n", body].concat();
    let mut out = Vec::new();
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    loop {
        let start = find(&body, delimiter.as_bytes()).expect("a delimiter") + delimiter.len();
        body.drain(..start);
        if body.starts_with(b"--") {
            return out;
        }
        let head_end = find(&body, b"\r\n\r\n").expect("part headers") + 4;
        let end = find(&body, delimiter.as_bytes()).expect("a closing delimiter");
        let head = String::from_utf8_lossy(&body[..head_end]).to_string();
        out.push((head, body[head_end..end].to_vec()));
        body.drain(..end);
    }
}

async fn get(http: &reqwest::Client, url: String, token: Option<&str>) -> reqwest::Response {
    let mut req = http.get(url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

/// One stored instance as SonoHub shows it: (study, series, sop, file url, transfer syntax).
type Stored = (String, String, String, String, String);

/// Two anonymised studies imported from a real Orthanc (the first with a JPEG and an RLE
/// clip, the second with one JPEG clip, 4 frames of 320×240 each), and the app serving them.
struct Archive {
    _orthanc: Orthanc,
    app: TestApp,
    /// An expert, signed in.
    chen: Client,
    /// `…/dicom-web`.
    base: String,
    /// What `list_studies` shows.
    studies: Vec<Value>,
    stored: Vec<Stored>,
    /// Each instance's file as `/dicom/{sha}` serves it, by SOP Instance UID.
    files: std::collections::BTreeMap<String, Vec<u8>>,
}

/// The ICC profile the RLE clip carries: larger than /metadata inlines, so it is bulk data.
fn icc_profile() -> Vec<u8> {
    (0..2048u32).map(|i| (i % 251) as u8).collect()
}

fn with_icc_profile(file: Vec<u8>) -> Vec<u8> {
    use dicom_core::{DataElement, PrimitiveValue, VR};
    let mut obj = dicom_object::OpenFileOptions::new()
        .from_reader(&file[128..])
        .unwrap();
    obj.put(DataElement::new(
        dicom_dictionary_std::tags::ICC_PROFILE,
        VR::OB,
        PrimitiveValue::U8(icc_profile().into()),
    ));
    let mut out = Vec::new();
    obj.write_all(&mut out).unwrap();
    out
}

/// The archive above, or `None` when Orthanc is not installed.
async fn archive() -> Option<Archive> {
    if !orthanc::available() {
        return None;
    }
    let orthanc = Orthanc::start().await;
    let exams = [
        orthanc::zhang_exam("20240110", "ACC-7001", 1),
        orthanc::zhang_exam("20240410", "ACC-7002", 2),
    ];
    for (exam, syntaxes) in exams.iter().zip([
        &[SynthSyntax::Jpeg, SynthSyntax::Rle][..],
        &[SynthSyntax::Jpeg][..],
    ]) {
        for (n, syntax) in syntaxes.iter().enumerate() {
            let mut clip = orthanc::clip(exam, n as u32 + 1, *syntax, 4);
            if *syntax == SynthSyntax::Rle {
                clip = with_icc_profile(clip);
            }
            orthanc.store(clip).await;
        }
    }
    let app = TestApp::with(|c| {
        c.demo = true;
        c.dicomweb_token = Some(TOKEN.to_string());
        c.dicomweb_cors = vec![VIEWER_ORIGIN.to_string()];
    })
    .await;
    let chen = import(&app, &orthanc, &exams).await;
    let base = app.client().url("/dicom-web");
    let (_, studies) = chen.call("list_studies", &[]).await;
    let studies = studies
        .as_array()
        .unwrap_or_else(|| panic!("list_studies: {studies}"))
        .clone();
    assert_eq!(studies.len(), 2, "{studies:?}");
    let mut stored = Vec::new();
    for study in &studies {
        let uid = study["uid"].as_str().unwrap();
        let (_, detail) = chen.call("study", &[("uid", uid)]).await;
        for i in detail["instances"].as_array().unwrap() {
            stored.push((
                uid.to_string(),
                i["series_uid"].as_str().unwrap().to_string(),
                i["sop_uid"].as_str().unwrap().to_string(),
                i["url"].as_str().unwrap().to_string(),
                i["transfer_syntax"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(stored.len(), 3);
    let mut files = std::collections::BTreeMap::new();
    for (_, _, sop, url, _) in &stored {
        let bytes = chen
            .http
            .get(chen.url(url))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec();
        files.insert(sop.clone(), bytes);
    }
    Some(Archive {
        _orthanc: orthanc,
        app,
        chen,
        base,
        studies,
        stored,
        files,
    })
}

#[tokio::test]
async fn dicomweb_clients_search_and_retrieve_the_anonymised_studies() {
    let Some(Archive {
        _orthanc,
        app,
        chen,
        base,
        studies,
        stored,
        files,
    }) = archive().await
    else {
        return;
    };
    let anonymous = app.client().http;
    let key = studies[0]["patient_key"].as_str().unwrap().to_string();
    let syntaxes: BTreeSet<&str> = stored.iter().map(|s| s.4.as_str()).collect();
    assert_eq!(
        syntaxes.len(),
        2,
        "a JPEG and an RLE transfer syntax: {syntaxes:?}"
    );
    let reference = tempfile::tempdir().unwrap();
    for (sop, bytes) in &files {
        std::fs::write(reference.path().join(format!("{sop}.dcm")), bytes).unwrap();
    }

    // Who may search: the token or an expert's session; nobody else.
    let studies_url = format!("{base}/studies");
    let res = anonymous
        .get(&studies_url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "no redirect to the sign-in page");
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let wrong = get(&anonymous, studies_url.clone(), Some("not-the-token")).await;
    assert_eq!(wrong.status(), 401);
    let wrong_with_session = get(&chen.http, studies_url.clone(), Some("not-the-token")).await;
    assert_eq!(wrong_with_session.status(), 401, "a wrong token is refused");
    let by_token = get(&anonymous, studies_url.clone(), Some(TOKEN)).await;
    assert_eq!(by_token.status(), 200);
    assert_eq!(by_token.headers()["content-type"], "application/dicom+json");
    let by_session = get(&chen.http, studies_url.clone(), None).await;
    assert_eq!(by_session.status(), 200);
    let listed: Value = by_session.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    let learner = app.signed_in("li.na").await;
    let res = get(&learner.http, studies_url.clone(), None).await;
    assert_eq!(res.status(), 403, "learners do not browse the archive");

    // The matching keys PS3.18 requires of a study search, and the attributes it returns.
    let search = |query: &str| {
        let url = format!("{studies_url}{query}");
        let http = anonymous.clone();
        async move {
            let res = get(&http, url.clone(), Some(TOKEN)).await;
            assert_eq!(res.status(), 200, "{url}");
            let found: Value = res.json().await.unwrap();
            found.as_array().unwrap().clone()
        }
    };
    let by_name = format!("?PatientName={}*", key[..4].to_lowercase());
    assert_eq!(
        search(&by_name).await.len(),
        2,
        "{by_name}: any case, wildcard"
    );
    assert_eq!(
        search("?PatientName=ZHANG*").await.len(),
        0,
        "no source name"
    );
    assert_eq!(search("?AccessionNumber=ACC-7001").await.len(), 0);
    assert_eq!(search("?AccessionNumber=*&StudyID=*").await.len(), 2);
    let morning = search("?StudyTime=0915").await;
    assert_eq!(morning.len(), 1, "the 09:15 exam");
    assert_eq!(morning[0]["00080030"]["Value"], json!(["091500"]));
    let later = search("?00080030=10-").await;
    assert_eq!(later.len(), 1, "the 10:15 exam");
    assert_ne!(later[0]["0020000D"], morning[0]["0020000D"]);
    for study in &listed.as_array().unwrap()[..] {
        for tag in ["00080050", "00080090", "00100030", "00100040", "00200010"] {
            assert!(study[tag]["vr"].is_string(), "{tag} present: {study}");
            assert!(study[tag].get("Value").is_none(), "{tag} emptied: {study}");
        }
        let uid = study["0020000D"]["Value"][0].as_str().unwrap();
        let res = get(
            &anonymous,
            format!("{studies_url}/{uid}/series"),
            Some(TOKEN),
        )
        .await;
        let series: Value = res.json().await.unwrap();
        for s in series.as_array().unwrap() {
            assert_eq!(s["00080021"]["Value"], study["00080020"]["Value"], "{s}");
            assert_eq!(s["00080031"]["Value"], study["00080030"]["Value"], "{s}");
        }
    }
    let instances = |query: &'static str| {
        let url = format!("{base}/instances{query}");
        let http = anonymous.clone();
        async move {
            let res = get(&http, url, Some(TOKEN)).await;
            assert_eq!(res.status(), 200, "{query}");
            res.json::<Value>().await.unwrap().as_array().unwrap().len()
        }
    };
    assert_eq!(instances("?SeriesNumber=1").await, 3);
    assert_eq!(instances("?InstanceNumber=2").await, 1);
    assert_eq!(
        instances("?SOPClassUID=1.2.840.10008.5.1.4.1.1.3.1").await,
        3
    );
    assert_eq!(instances("?SOPClassUID=1.2.840.10008.5.1.4.1.1.7").await, 0);

    // Unknown resources are 404, malformed requests 400, other transfer syntaxes 406.
    let (study, series, sop, _, _) = &stored[0];
    for path in [
        "/studies/2.25.1".to_string(),
        "/studies/2.25.1/metadata".to_string(),
        "/studies/2.25.1/series".to_string(),
        format!("/studies/{study}/series/2.25.1"),
        format!("/studies/{study}/series/{series}/instances/2.25.1"),
        format!("/studies/{study}/series/{series}/instances/2.25.1/metadata"),
        "/nothing-here".to_string(),
    ] {
        let res = get(&anonymous, format!("{base}{path}"), Some(TOKEN)).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    for path in [
        "/studies?StudyDate=2024-01-10",
        "/studies?StudyDate=20240410-20240110",
        "/studies?limit=many",
        "/studies?StudyInstanceUID=2.25.x",
        "/studies?StudyTime=25",
        "/instances?InstanceNumber=first",
        "/studies/not-a-uid",
    ] {
        let res = get(&anonymous, format!("{base}{path}"), Some(TOKEN)).await;
        assert_eq!(res.status(), 400, "{path}");
    }
    let instance_url = format!("{base}/studies/{study}/series/{series}/instances/{sop}");
    let res = anonymous
        .get(&instance_url)
        .bearer_auth(TOKEN)
        .header(
            "accept",
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 406, "no transcoding");

    // The whole study as stored: each part is the very file /dicom/{sha} serves.
    let study = &stored
        .iter()
        .find(|s| stored.iter().filter(|o| o.0 == s.0).count() == 2)
        .expect("the study with two clips")
        .0;
    let res = anonymous
        .get(format!("{base}/studies/{study}"))
        .bearer_auth(TOKEN)
        .header(
            "accept",
            "multipart/related; type=\"application/dicom\"; transfer-syntax=*",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("multipart/related; type=\"application/dicom\""),
        "{content_type}"
    );
    assert!(res.headers().get("content-encoding").is_none());
    let body = res.bytes().await.unwrap();
    let mut got = parts(&content_type, &body);
    let mut want: Vec<Vec<u8>> = stored
        .iter()
        .filter(|s| &s.0 == study)
        .map(|s| files[&s.2].clone())
        .collect();
    assert_eq!(want.len(), 2);
    got.sort();
    want.sort();
    assert!(got == want, "study parts differ from the stored files");
    let text = String::from_utf8_lossy(&body);
    for id in SOURCE_IDENTIFIERS {
        assert!(!text.contains(id), "{id} in the retrieved study");
    }
    // The export is audited: the study, through DICOMweb, by the token's holder (no person).
    let exported: Vec<_> = app
        .audit_of(study)
        .await
        .into_iter()
        .filter(|e| e.action == model::AuditAction::StudyExported.as_str())
        .map(|e| (e.via, e.actor))
        .collect();
    assert_eq!(exported, [(model::AuditVia::DicomWeb, None)]);

    // The real dicomweb-client, with the bearer token.
    let Some(pylib) = pylib() else {
        app.started.stop().await.unwrap();
        return;
    };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/dicomweb_client.py");
    let config = json!({
        "url": base,
        "token": TOKEN,
        "patient_key": key,
        "forbidden": SOURCE_IDENTIFIERS,
        "reference_dir": reference.path(),
    });
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .env("PYTHONPATH", pylib)
            .arg(script)
            .arg(config.to_string())
            .output()
            .expect("python3 runs")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "dicomweb_client.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let facts: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });

    // Searches: the same studies, UIDs and counts SonoHub shows.
    let found = facts["studies"].as_array().unwrap();
    let found_uids: BTreeSet<&str> = found.iter().map(|s| s["uid"].as_str().unwrap()).collect();
    let our_uids: BTreeSet<&str> = studies.iter().map(|s| s["uid"].as_str().unwrap()).collect();
    assert_eq!(found_uids, our_uids);
    let dates: Vec<&str> = found.iter().map(|s| s["date"].as_str().unwrap()).collect();
    assert!(dates[0] > dates[1], "newest study first: {dates:?}");
    for s in found {
        let ours = studies.iter().find(|o| o["uid"] == s["uid"]).unwrap();
        assert_eq!(s["patient_id"], key.as_str());
        assert_eq!(s["patient_name"], json!({ "Alphabetic": key }));
        assert_eq!(
            s["date"].as_str().unwrap(),
            ours["date"].as_str().unwrap().replace('-', "")
        );
        assert_eq!(s["modalities"], json!(["US"]));
        assert_eq!(s["series"], 1);
        assert_eq!(s["instances"], ours["instances"]);
    }
    let mut by_patient: Vec<&str> = facts["by_patient"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    by_patient.sort();
    assert_eq!(by_patient, our_uids.iter().copied().collect::<Vec<_>>());
    assert_eq!(facts["by_other_patient"], 0);
    assert_eq!(facts["by_wildcard"], 2);
    assert_eq!(facts["by_date"], json!([found[0]["uid"]]));
    assert_eq!(facts["by_date_range"], 2);
    assert_eq!(facts["by_modality"], 2);
    assert_eq!(facts["by_other_modality"], 0);
    assert_eq!(facts["page_two"], json!([found[1]["uid"]]));
    assert_eq!(facts["all_pages"], 2);
    assert_eq!(facts["unknown_study"], 404);

    for (study, series, sop, _, syntax) in &stored {
        let listed = facts["series"][study].as_array().unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["uid"], series.as_str());
        assert_eq!(listed[0]["modality"], "US");
        assert_eq!(listed[0]["number"], 1);
        let in_study = stored.iter().filter(|s| &s.0 == study).count();
        assert_eq!(listed[0]["instances"], in_study);
        assert_eq!(facts["instances"][study], in_study);

        // Retrieved: same UIDs, same transfer syntax, the very pixel data.
        let r = &facts["retrieved"][sop];
        assert_eq!(r["sop_uid"], sop.as_str(), "{r}");
        assert_eq!(r["series_uid"], series.as_str());
        assert_eq!(r["study_uid"], study.as_str());
        assert_eq!(r["transfer_syntax"], syntax.as_str());
        assert_eq!(r["reference_transfer_syntax"], syntax.as_str());
        assert_eq!(r["pixel_data_equal"], true, "{r}");
        assert_eq!(r["plain_pixel_data_equal"], true, "{r}");
        assert!(r["pixel_bytes"].as_u64().unwrap() > 1000);
        assert_eq!(r["explicit_le_status"], 406);
        assert_eq!(r["qido"]["rows"], 240);
        assert_eq!(r["qido"]["columns"], 320);
        assert_eq!(r["qido"]["frames"], 4);
        assert_eq!(
            r["qido"]["sop_class"], "1.2.840.10008.5.1.4.1.1.3.1",
            "ultrasound multi-frame"
        );

        // Metadata: every instance of the study, valid DICOM JSON, no pixel data.
        let metadata = facts["metadata"][study].as_array().unwrap();
        assert_eq!(metadata.len(), in_study);
        let m = metadata
            .iter()
            .find(|m| m["sop_uid"] == sop.as_str())
            .unwrap();
        assert_eq!(m["patient_id"], key.as_str());
        assert_eq!((&m["rows"], &m["frames"]), (&json!(240), &json!(4)));
        assert_eq!(m["transfer_syntax"], syntax.as_str(), "0002,0010 for OHIF");
        assert_eq!(m["inline_pixel_data"], false);
        assert_eq!(
            m["pixel_data_uri"],
            format!("series/{series}/instances/{sop}/frames/1,2,3,4"),
            "relative to the study's metadata URL"
        );

        // Frames, rendered images and the pixel data link, through dicomweb-client.
        let f = &facts["frames"][sop];
        let rle = syntax == RLE;
        assert_eq!(f["stored_frames"], 4, "{f}");
        assert_eq!(f["as_stored_equal"], true, "transfer-syntax=*: {f}");
        assert_eq!(
            f["own_type"],
            if rle { "image/dicom-rle" } else { "image/jpeg" }
        );
        assert_eq!(f["own_type_equal"], true, "{f}");
        assert_eq!(f["decoded_lengths"], json!([FRAME_RGB, FRAME_RGB]), "{f}");
        let difference = f["decoded_mean_difference"].as_f64().unwrap();
        if rle {
            assert_eq!(difference, 0.0, "lossless frames decode exactly: {f}");
            assert_eq!(
                f["default_lengths"],
                json!([FRAME_RGB, FRAME_RGB]),
                "lossless: uncompressed by default"
            );
        } else {
            assert!(
                difference < 3.0,
                "JPEG decoded as RGB by both decoders: {f}"
            );
            assert_eq!(f["default_is_stored"], true, "lossy: as stored by default");
        }
        assert_eq!(f["rendered"], json!({"format": "JPEG", "size": [320, 240]}));
        assert_eq!(f["small_png"], json!({"format": "PNG", "size": [64, 48]}));
        assert_eq!(
            f["frame_rendered"],
            json!({"format": "PNG", "size": [320, 240]})
        );
        assert_eq!(f["linked_equal"], true, "{f}");

        let retrieved = &facts["series_retrieved"][series];
        let mut want: Vec<&str> = stored
            .iter()
            .filter(|s| &s.1 == series)
            .map(|s| s.2.as_str())
            .collect();
        want.sort();
        assert_eq!(retrieved, &json!(want));
        assert_eq!(facts["series_metadata"][series], in_study);
        // The series rendered: its first image, fitted inside the viewport.
        assert_eq!(
            facts["series_rendered"][series],
            json!({"format": "JPEG", "size": [160, 120]})
        );
        let mut whole: Vec<&str> = stored
            .iter()
            .filter(|s| &s.0 == study)
            .map(|s| s.2.as_str())
            .collect();
        whole.sort();
        assert_eq!(facts["study_retrieved"][study], json!(whole));
    }
    assert_eq!(facts["leaks"], json!([]), "source identifiers served");
    assert!(facts["seen_bytes"].as_u64().unwrap() > 10_000);
    app.started.stop().await.unwrap();
}

#[tokio::test]
async fn each_token_is_held_to_its_requests_a_minute_and_sessions_are_not() {
    let app = TestApp::with(|c| {
        c.demo = true;
        c.dicomweb_token = Some(TOKEN.to_string());
        c.dicomweb_token_rate = 5;
    })
    .await;
    let admin = app.signed_in("admin").await;
    let mut issued = Vec::new();
    for name in ["OHIF at the hub", "Teaching wall"] {
        let (status, body) = admin
            .call(
                "issue_dicomweb_token",
                &[("name", name), ("holder", "Hub radiology IT")],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        issued.push(body["secret"].as_str().unwrap().to_string());
    }
    let http = reqwest::Client::new();
    let url = app.client().url("/dicom-web/studies");
    for _ in 0..5 {
        assert_eq!(
            get(&http, url.clone(), Some(&issued[0])).await.status(),
            200
        );
    }
    // The sixth within the minute is refused, with when to come back; in the query too.
    let refused = get(&http, url.clone(), Some(&issued[0])).await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    assert!(refused.text().await.unwrap().contains("too many requests"));
    let in_query = http
        .get(format!("{url}?access_token={}", issued[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(in_query.status(), 429);
    // Another token, the operator's own and a signed-in expert each have their own count.
    assert_eq!(
        get(&http, url.clone(), Some(&issued[1])).await.status(),
        200
    );
    for _ in 0..5 {
        assert_eq!(get(&http, url.clone(), Some(TOKEN)).await.status(), 200);
    }
    assert_eq!(get(&http, url.clone(), Some(TOKEN)).await.status(), 429);
    let chen = app.signed_in("chen.jing").await;
    for _ in 0..10 {
        let res = chen.http.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200);
    }
    // A wrong token is still a 401, not a count against anyone.
    assert_eq!(
        studies_with(&app, "shdw_not-a-token-at-all", false).await,
        401
    );
    app.started.stop().await.unwrap();
}

/// A GET of `/dicom-web/studies` with `secret` as a bearer token (or in the query).
async fn studies_with(app: &TestApp, secret: &str, in_query: bool) -> u16 {
    let http = reqwest::Client::new();
    let url = app.client().url("/dicom-web/studies");
    let req = if in_query {
        http.get(format!("{url}?access_token={secret}"))
    } else {
        http.get(url).bearer_auth(secret)
    };
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn admins_issue_name_and_revoke_read_only_tokens() {
    let app = TestApp::demo().await;
    let admin = app.signed_in("admin").await;
    let issue = |name: &'static str, holder: &'static str| {
        let admin = &admin;
        async move {
            admin
                .call(
                    "issue_dicomweb_token",
                    &[("name", name), ("holder", holder)],
                )
                .await
        }
    };
    let (status, issued) = issue("OHIF teaching viewer", "Hub radiology IT").await;
    assert_eq!(status, 200, "{issued}");
    let secret = issued["secret"].as_str().unwrap().to_string();
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    assert!(
        secret.starts_with("shdw_") && secret.len() == 45,
        "{secret}"
    );
    assert_eq!(issued["token"]["name"], "OHIF teaching viewer");

    // The secret opens /dicom-web, in the header or the query; nothing else does.
    assert_eq!(studies_with(&app, &secret, false).await, 200);
    assert_eq!(studies_with(&app, &secret, true).await, 200);
    assert_eq!(studies_with(&app, &format!("{secret}0"), false).await, 401);
    assert_eq!(
        studies_with(&app, "shdw_not-a-token-at-all", true).await,
        401
    );

    // The list never carries the secret, only its first characters, and counts the uses.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let listed = loop {
        let (status, list) = admin.call("dicomweb_tokens", &[]).await;
        assert_eq!(status, 200, "{list}");
        assert!(!list.to_string().contains(&secret[9..]), "{list}");
        if list[0]["uses"] == 2 {
            break list;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "uses not counted: {list}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(listed[0]["hint"], &secret[..9]);
    assert_eq!(listed[0]["holder"], "Hub radiology IT");
    assert!(listed[0]["last_used_at"].is_i64());

    // Names are unique among tokens in force; both fields are required.
    let (_, body) = issue("OHIF teaching viewer", "someone else").await;
    assert_eq!(
        body,
        json!({"Invalid": {"field": "token_name", "reason": "taken"}})
    );
    let (_, body) = issue("  ", "Hub radiology IT").await;
    assert_eq!(
        body,
        json!({"Invalid": {"field": "token_name", "reason": "required"}})
    );
    let (_, body) = issue("Research PACS", "").await;
    assert_eq!(
        body,
        json!({"Invalid": {"field": "token_holder", "reason": "required"}})
    );

    // Only admins manage tokens.
    for user in ["li.na", "chen.jing", "zhou.min"] {
        let c = app.signed_in(user).await;
        for (endpoint, form) in [
            ("dicomweb_tokens", vec![]),
            (
                "issue_dicomweb_token",
                vec![("name", "mine"), ("holder", user)],
            ),
            ("revoke_dicomweb_token", vec![("id", id.as_str())]),
        ] {
            let (status, body) = c.call(endpoint, &form).await;
            assert_eq!(
                (status, body),
                (403, json!("Forbidden")),
                "{user} {endpoint}"
            );
        }
    }

    // Revoked, it is refused at once, and its name is free again.
    let (status, body) = admin.call("revoke_dicomweb_token", &[("id", &id)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(studies_with(&app, &secret, false).await, 401);
    let (_, body) = admin.call("revoke_dicomweb_token", &[("id", &id)]).await;
    assert_eq!(body, json!({"NotFound": "token"}));
    let (status, _) = issue("OHIF teaching viewer", "Hub radiology IT").await;
    assert_eq!(status, 200);
    let (_, list) = admin.call("dicomweb_tokens", &[]).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        list[1]["revoked_at"].is_i64() && list[1]["revoked_by"].is_string(),
        "{list}"
    );

    let actions: Vec<String> = app
        .audit_of(&id)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["dicomweb_token_issued", "dicomweb_token_revoked"]);
}
