//! Guidance replays over HTTP: media taken for what their bytes are (real Opus in Ogg and in
//! WebM, made once with ffmpeg into `tests/data/`); a package exported and imported back, and
//! one whose DICOM clip goes through the anonymiser; every refusal of a bad package naming
//! the file or the place in `replay.json`, with nothing left behind; who sees a draft (no
//! learner, through any door), who may publish (another expert), comments at a time; and a
//! course that names a replay only once it is published.

use crate::cases::app_with_study;
use crate::common::{Client, TestApp};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use model::AuditAction;
use serde_json::{Value, json};
use std::io::{Read, Write};

const VOICE_OGG: &[u8] = include_bytes!("data/voice.ogg");
const VOICE_WEBM: &[u8] = include_bytes!("data/voice.webm");

/// POSTs a raw body to a replay file route; returns status and JSON body (`null` if none).
async fn post_raw(client: &Client, path: &str, body: Vec<u8>, content_type: &str) -> (u16, Value) {
    let res = client
        .http
        .post(client.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("POST");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Uploads a voice; returns its media id.
async fn upload_voice(expert: &Client, bytes: &[u8], content_type: &str) -> String {
    let (status, body) = post_raw(expert, "/replays/media", bytes.to_vec(), content_type).await;
    assert_eq!(status, 200, "{body}");
    body["media"].as_str().unwrap().to_string()
}

/// The one instance of the study the harness imported (6 frames, 320 × 240).
async fn clip_uid(app: &TestApp) -> String {
    #[derive(sqlx::FromRow)]
    struct Instance {
        sop_uid: String,
    }
    let row: Instance = sqlx::query_as("SELECT sop_uid FROM instances LIMIT 1")
        .fetch_one(&app.started.state.db.pool)
        .await
        .unwrap();
    row.sop_uid
}

fn arrow(x: f64) -> Value {
    json!({ "shape": { "kind": "arrow", "tail": { "x": x, "y": 40.0 }, "head": { "x": x + 30.0, "y": 80.0 } },
            "first_frame": 0, "last_frame": 5 })
}

/// A 2.4-second guidance: chapters, play, pointer, two drawings, an erase, a remark.
fn timeline() -> Value {
    json!({ "duration_ms": 2400, "events": [
        { "t": 0, "kind": "chapter", "title": "右上腹窗口 RUQ window" },
        { "t": 0, "kind": "view", "frame": 0, "playing": true },
        { "t": 300, "kind": "pointer", "x": 160.0, "y": 120.0 },
        { "t": 600, "kind": "draw", "id": 1, "annotation": arrow(100.0) },
        { "t": 900, "kind": "view", "frame": 4, "playing": false, "zoom": 2.0 },
        { "t": 1200, "kind": "draw", "id": 2, "annotation": arrow(150.0) },
        { "t": 1500, "kind": "erase", "id": 1 },
        { "t": 1800, "kind": "chapter", "title": "Morison's pouch" },
        { "t": 2000, "kind": "remark", "text": "tilt the probe towards the head" },
        { "t": 2100, "by": 1, "kind": "pointer", "x": 10.0, "y": 10.0 },
    ] })
}

fn draft(sop_uid: &str, voices: &[(&str, u8, i64)], timeline: Value) -> Value {
    let voices: Vec<Value> = voices
        .iter()
        .map(|(media, by, offset)| json!({ "media": media, "speaker": format!("speaker {by}"), "by": by, "offset_ms": offset }))
        .collect();
    json!({ "id": null, "title": "eFAST 右上腹窗口纠正", "summary": "Windows **first**",
            "language": "zh", "sop_uid": sop_uid, "case_id": null, "voices": voices, "timeline": timeline })
}

async fn save(expert: &Client, draft: Value) -> (u16, Value) {
    expert.json("save_replay", json!({ "draft": draft })).await
}

/// A saved draft with an Ogg voice and a WebM voice (the guided doctor, 500 ms in).
async fn saved_replay(app: &TestApp, chen: &Client) -> String {
    let ogg = upload_voice(chen, VOICE_OGG, "audio/ogg").await;
    let webm = upload_voice(chen, VOICE_WEBM, "audio/webm").await;
    let sop = clip_uid(app).await;
    let voices = [(ogg.as_str(), 0, 0), (webm.as_str(), 1, 500)];
    let (status, id) = save(chen, draft(&sop, &voices, timeline())).await;
    assert_eq!(status, 200, "{id}");
    id.as_str().unwrap().to_string()
}

async fn step(expert: &Client, id: &str, action: &str) -> (u16, Value) {
    expert
        .call("replay_transition", &[("id", id), ("action", action)])
        .await
}

fn invalid(field: &str, reason: &str) -> Value {
    json!({ "Invalid": { "field": field, "reason": reason } })
}

/// Counts of what an import could leave behind: replays, media entries, instances, blobs.
async fn leftovers(app: &TestApp) -> [i64; 4] {
    #[derive(sqlx::FromRow)]
    struct Count {
        n: i64,
    }
    let db = &app.started.state.db.pool;
    let mut counts = [0; 4];
    for (i, table) in ["replays", "replay_media", "instances"].iter().enumerate() {
        let c: Count = sqlx::query_as(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(db)
            .await
            .unwrap();
        counts[i] = c.n;
    }
    counts[3] = app
        .started
        .state
        .importer
        .blobs()
        .list()
        .await
        .unwrap()
        .len() as i64;
    counts
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().to_string(), data)
        })
        .collect()
}

fn manifest(clip: Value, voices: Value, timeline: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "format": "sonohub-replay", "version": 1, "title": "Lung point", "language": "en",
        "clip": clip, "voices": voices, "timeline": timeline,
    }))
    .unwrap()
}

/// A voice's "file" list entry.
fn voice(file: &str) -> Value {
    json!({ "file": file, "speaker": "Dr Chen" })
}

#[tokio::test]
async fn media_is_taken_for_what_its_bytes_are() {
    let app = TestApp::demo().await;
    let chen = app.signed_in("chen.jing").await;
    // Sent as MP4, read as the Ogg Opus it is.
    let (status, body) = post_raw(&chen, "/replays/media", VOICE_OGG.to_vec(), "video/mp4").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mime"], "audio/ogg");
    assert_eq!(body["bytes"], VOICE_OGG.len());
    assert_eq!(body["media"], domain::blobs::sha256_hex(VOICE_OGG));
    let (status, body) = post_raw(&chen, "/replays/media", VOICE_WEBM.to_vec(), "").await;
    assert_eq!(
        (status, body["mime"].clone()),
        (200, json!("audio/webm")),
        "{body}"
    );
    #[derive(sqlx::FromRow)]
    struct Media {
        mime: String,
        duration_ms: Option<i64>,
    }
    let rows: Vec<Media> =
        sqlx::query_as("SELECT mime, duration_ms FROM replay_media ORDER BY mime")
            .fetch_all(&app.started.state.db.pool)
            .await
            .unwrap();
    let lengths: Vec<(&str, i64)> = rows
        .iter()
        .map(|r| (r.mime.as_str(), r.duration_ms.unwrap()))
        .collect();
    assert_eq!(lengths[0], ("audio/ogg", 2000), "granule less pre-skip");
    assert_eq!(lengths[1].0, "audio/webm");
    assert!((1990..=2030).contains(&lengths[1].1), "{lengths:?}");

    // Another codec in the same container, a WAV, a DICOM file, text: unsupported.
    let mut aac = VOICE_WEBM.to_vec();
    let at = aac.windows(6).position(|w| w == b"A_OPUS").unwrap();
    aac[at..at + 6].copy_from_slice(b"A_MPEG");
    let dicom = synth_clip(&SynthOptions {
        width: 64,
        height: 48,
        frames: 2,
        syntax: SynthSyntax::Rgb,
        fps: 10.0,
        seed: 3,
    })
    .unwrap();
    let wav = [b"RIFF".as_slice(), &[36, 0, 0, 0], b"WAVEfmt ", &[0; 28]].concat();
    for bytes in [aac, wav, dicom, b"hello".to_vec()] {
        let (status, body) = post_raw(&chen, "/replays/media", bytes, "audio/webm").await;
        assert_eq!((status, body), (422, invalid("media", "unsupported")));
    }
    // Only experts record; the signed-out are asked to sign in.
    let li = app.signed_in("li.na").await;
    let (status, body) = post_raw(&li, "/replays/media", VOICE_OGG.to_vec(), "audio/ogg").await;
    assert_eq!((status, body), (403, json!("Forbidden")));
    let (status, body) = post_raw(
        &app.client(),
        "/replays/media",
        VOICE_OGG.to_vec(),
        "audio/ogg",
    )
    .await;
    assert_eq!((status, body), (401, json!("Unauthenticated")));
    // Past the largest media (512 MiB) by the declared length, before any of it arrives.
    let cookie = app.session_cookie("chen.jing").await;
    let (status, body) = oversize_post(&app, "/replays/media", &cookie, 600 << 20).await;
    assert_eq!((status, body), (413, invalid("media", "too_long")));
    let (status, body) = oversize_post(&app, "/replays/import", &cookie, 2 << 30).await;
    assert_eq!((status, body), (413, invalid("package", "too_long")));
}

/// Sends the headers of a POST that says it carries `length` bytes, and none of them; returns
/// the status and JSON body the server answers with.
async fn oversize_post(app: &TestApp, path: &str, cookie: &str, length: u64) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.started.addr;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut answer),
    );
    read.await.expect("an answer before the body").unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_package_round_trips_and_a_packaged_dicom_clip_is_anonymised() {
    let (app, _) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let id = saved_replay(&app, &chen).await;
    let (status, original) = chen.call("get_replay", &[("id", &id)]).await;
    assert_eq!(status, 200, "{original}");

    let res = chen
        .http
        .get(chen.url(&format!("/replays/{id}/package")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"replay-{id}.zip\"").as_str()
    );
    let package = res.bytes().await.unwrap().to_vec();
    let files = unzip(&package);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["replay.json", "clip.dcm", "voice-1.ogg", "voice-2.webm"]
    );
    assert_eq!(files[2].1, VOICE_OGG);
    let written: Value = serde_json::from_slice(&files[0].1).unwrap();
    assert_eq!(written["format"], "sonohub-replay");
    assert_eq!(written["timeline"], original["timeline"]);

    let before = leftovers(&app).await;
    let (status, body) = post_raw(&chen, "/replays/import", package, "application/zip").await;
    assert_eq!(status, 200, "{body}");
    let copy = body["id"].as_str().unwrap().to_string();
    assert_ne!(copy, id);
    let (status, imported) = chen.call("get_replay", &[("id", &copy)]).await;
    assert_eq!(status, 200, "{imported}");
    for field in ["title", "summary", "language", "timeline", "clip", "author"] {
        assert_eq!(imported[field], original[field], "{field}");
    }
    assert_eq!(imported["status"], "draft", "an import is a draft");
    let tracks = |v: &Value| -> Vec<Value> {
        v["voices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| json!([t["mime"], t["speaker"], t["by"], t["offset_ms"]]))
            .collect()
    };
    assert_eq!(tracks(&imported), tracks(&original));
    assert_eq!(tracks(&imported).len(), 2);
    // The same clip and media: one more replay, nothing else stored twice.
    let after = leftovers(&app).await;
    assert_eq!(after, [before[0] + 1, before[1], before[2], before[3]]);
    let audit = app.audit_of(&copy).await;
    assert_eq!(audit[0].action, AuditAction::ReplayImported.as_str());

    // A package from elsewhere: a clip still carrying its patient, anonymised on the way in.
    let raw = synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 6,
        syntax: SynthSyntax::Rle,
        fps: 20.0,
        seed: 11,
    })
    .unwrap();
    assert!(raw.windows(14).any(|w| w == b"SYNTHETIC^CLIP"));
    let json = manifest(
        json!({ "kind": "dicom", "file": "exam/clip.dcm" }),
        json!([voice("voice.ogg")]),
        timeline(),
    );
    let zip = zip_of(&[
        ("replay.json", &json),
        ("exam/clip.dcm", &raw),
        ("voice.ogg", VOICE_OGG),
    ]);
    let (status, body) = post_raw(&chen, "/replays/import", zip, "application/zip").await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let (_, view) = chen.call("get_replay", &[("id", &id)]).await;
    assert_eq!(view["title"], "Lung point");
    assert_ne!(view["clip"]["sop_uid"], original["clip"]["sop_uid"]);
    let res = chen
        .http
        .get(chen.url(view["clip"]["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let stored = res.bytes().await.unwrap();
    assert_ne!(
        domain::blobs::sha256_hex(&stored),
        domain::blobs::sha256_hex(&raw)
    );
    assert!(!stored.windows(14).any(|w| w == b"SYNTHETIC^CLIP"));
    let after_dicom = leftovers(&app).await;
    assert_eq!(after_dicom[2], after[2] + 1, "one new instance");
}

#[tokio::test]
async fn bad_packages_are_refused_where_they_are_wrong_and_leave_nothing_behind() {
    let (app, _) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let sop = clip_uid(&app).await;
    let stored = json!({ "kind": "dicom", "sop_uid": sop });
    let good = manifest(stored.clone(), json!([voice("voice.ogg")]), timeline());
    let mut aac = VOICE_WEBM.to_vec();
    let at = aac.windows(6).position(|w| w == b"A_OPUS").unwrap();
    aac[at..at + 6].copy_from_slice(b"A_MPEG");
    // A real voice padded past 64 MiB: small once deflated.
    let mut long_voice = VOICE_OGG.to_vec();
    long_voice.resize((64 << 20) + 100, 0);
    let past_end = {
        let mut t = timeline();
        t["duration_ms"] = json!(10_000);
        t["events"]
            .as_array_mut()
            .unwrap()
            .push(json!({ "t": 5000, "kind": "pointer_out" }));
        t
    };
    let bad_time = {
        let mut t = timeline();
        t["events"][3]["t"] = json!("soon");
        t
    };
    let off_image = {
        let mut t = timeline();
        t["events"][5]["annotation"] = arrow(400.0);
        t
    };
    let cases: Vec<(&str, Vec<u8>, Value)> = vec![
        (
            "no events file",
            zip_of(&[("voice.ogg", VOICE_OGG)]),
            invalid("replay.json", "required"),
        ),
        (
            "not a zip",
            b"PK but not really".to_vec(),
            invalid("package", "bad_format"),
        ),
        (
            "an events file that fails its schema",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(stored.clone(), json!([voice("voice.ogg")]), bad_time),
                ),
                ("voice.ogg", VOICE_OGG),
            ]),
            invalid("replay.json:timeline.events[3].t", "bad_format"),
        ),
        (
            "a file named but missing",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(
                        stored.clone(),
                        json!([voice("voice.ogg"), voice("doctor.webm")]),
                        timeline(),
                    ),
                ),
                ("voice.ogg", VOICE_OGG),
            ]),
            invalid("doctor.webm", "required"),
        ),
        (
            "a codec no browser plays",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(stored.clone(), json!([voice("voice.webm")]), timeline()),
                ),
                ("voice.webm", &aac),
            ]),
            invalid("voice.webm", "unsupported"),
        ),
        (
            "a voice over 64 MiB",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(stored.clone(), json!([voice("long.ogg")]), timeline()),
                ),
                ("long.ogg", &long_voice),
            ]),
            invalid("long.ogg", "too_long"),
        ),
        (
            "an event after the voice has ended",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(stored.clone(), json!([voice("voice.ogg")]), past_end),
                ),
                ("voice.ogg", VOICE_OGG),
            ]),
            invalid("replay.json:timeline.events[10].t", "past_end"),
        ),
        (
            "a drawing off the clip",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(stored.clone(), json!([voice("voice.ogg")]), off_image),
                ),
                ("voice.ogg", VOICE_OGG),
            ]),
            invalid(
                "replay.json:timeline.events[5].annotation.shape",
                "bad_format",
            ),
        ),
        (
            "a DICOM clip that is no DICOM file",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(
                        json!({ "kind": "dicom", "file": "clip.dcm" }),
                        json!([voice("voice.ogg")]),
                        timeline(),
                    ),
                ),
                ("clip.dcm", b"just text"),
                ("voice.ogg", VOICE_OGG),
            ]),
            invalid("clip.dcm", "unsupported"),
        ),
        (
            "a library clip that is not there",
            zip_of(&[(
                "replay.json",
                &manifest(
                    json!({ "kind": "dicom", "sop_uid": "2.25.1" }),
                    json!([]),
                    timeline(),
                ),
            )]),
            invalid("replay.json:clip.sop_uid", "unknown"),
        ),
        (
            "a voice as the clip",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(
                        json!({ "kind": "video", "file": "screen.webm", "frame_rate": 30.0 }),
                        json!([]),
                        timeline(),
                    ),
                ),
                ("screen.webm", VOICE_WEBM),
            ]),
            invalid("screen.webm", "unsupported"),
        ),
        (
            "a path out of the package",
            zip_of(&[
                (
                    "replay.json",
                    &manifest(stored.clone(), json!([voice("../voice.ogg")]), timeline()),
                ),
                ("voice.ogg", VOICE_OGG),
            ]),
            invalid("replay.json:voices[0].file", "bad_format"),
        ),
    ];
    let before = leftovers(&app).await;
    for (what, zip, refusal) in cases {
        let (status, body) = post_raw(&chen, "/replays/import", zip, "application/zip").await;
        assert_eq!((status, body), (422, refusal), "{what}");
        assert_eq!(
            leftovers(&app).await,
            before,
            "{what} left something behind"
        );
    }
    // The same package with everything in place is taken.
    let zip = zip_of(&[("replay.json", &good), ("voice.ogg", VOICE_OGG)]);
    let (status, body) = post_raw(&chen, "/replays/import", zip, "application/zip").await;
    assert_eq!(status, 200, "{body}");
    // A learner imports nothing.
    let li = app.signed_in("li.na").await;
    let zip = zip_of(&[("replay.json", &good), ("voice.ogg", VOICE_OGG)]);
    let (status, _) = post_raw(&li, "/replays/import", zip, "application/zip").await;
    assert_eq!(status, 403);
}

/// GETs a path; returns status, content type and body.
async fn fetch(client: &Client, path: &str) -> (u16, String, Vec<u8>) {
    let res = client.http.get(client.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn drafts_stay_out_of_sight_and_another_expert_publishes() {
    let (app, _) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let li = app.signed_in("li.na").await;
    let zhou = app.signed_in("zhou.min").await;
    let id = saved_replay(&app, &chen).await;
    let (_, view) = chen.call("get_replay", &[("id", &id)]).await;
    assert_eq!(
        (view["status"].clone(), view["can_edit"].clone()),
        (json!("draft"), json!(true))
    );
    let voice = view["voices"][0]["url"].as_str().unwrap().to_string();
    let clip = view["clip"]["url"].as_str().unwrap().to_string();
    let package = format!("/replays/{id}/package");
    let (_, list) = chen.call("replay_list", &[]).await;
    assert_eq!(ids(&list), [id.as_str()]);
    assert_eq!(list[0]["voices"], 2);
    assert_eq!(list[0]["chapters"], 2);

    // A learner and a coordinator: no such replay, through every door.
    let not_found = json!({ "NotFound": "replay" });
    for reader in [&li, &zhou] {
        let (status, list) = reader.call("replay_list", &[]).await;
        assert_eq!((status, list), (200, json!([])));
        assert_eq!(
            reader.call("get_replay", &[("id", &id)]).await,
            (404, not_found.clone())
        );
        assert_eq!(
            reader.call("replay_comments", &[("id", &id)]).await,
            (404, not_found.clone())
        );
        let comment = [("id", id.as_str()), ("t_ms", "100"), ("body", "hi")];
        assert_eq!(
            reader.call("add_replay_comment", &comment).await,
            (404, not_found.clone())
        );
        for path in [&voice, &package] {
            let (status, _, body) = fetch(reader, path).await;
            assert_eq!(status, 404, "{path}");
            assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), not_found);
        }
        assert_eq!(fetch(reader, &clip).await.0, 404, "the DICOM clip");
    }
    // A learner changes nothing; an admin does not use the teaching areas.
    let sop = clip_uid(&app).await;
    let (status, _) = save(&li, draft(&sop, &[], timeline())).await;
    assert_eq!(status, 403);
    assert_eq!(step(&li, &id, "submit").await.0, 403);
    assert_eq!(step(&li, &id, "publish").await.0, 403);
    assert_eq!(li.call("discard_replay", &[("id", &id)]).await.0, 403);
    let admin = app.signed_in("admin").await;
    assert_eq!(admin.call("replay_list", &[]).await.0, 403);

    // Review: the author submits but cannot publish; another expert can, once submitted.
    assert_eq!(
        step(&wang, &id, "publish").await,
        (422, invalid("status", "wrong_state"))
    );
    assert_eq!(step(&chen, &id, "submit").await, (200, json!("in_review")));
    assert_eq!(
        step(&chen, &id, "publish").await,
        (422, invalid("status", "own_work"))
    );
    let (_, view) = wang.call("get_replay", &[("id", &id)]).await;
    assert_eq!(
        (view["can_edit"].clone(), view["can_publish"].clone()),
        (json!(false), json!(true))
    );
    let (_, draft_again) = chen.call("get_replay", &[("id", &id)]).await;
    assert_eq!(draft_again["can_publish"], false);
    let mut edit = draft(&sop, &[], timeline());
    edit["id"] = json!(id);
    assert_eq!(
        save(&chen, edit.clone()).await,
        (422, invalid("status", "wrong_state"))
    );
    assert_eq!(step(&wang, &id, "publish").await, (200, json!("published")));
    assert_eq!(
        step(&wang, &id, "publish").await,
        (422, invalid("status", "wrong_state"))
    );
    assert_eq!(
        chen.call("discard_replay", &[("id", &id)]).await,
        (422, invalid("status", "wrong_state"))
    );
    let steps: Vec<String> = app
        .audit_of(&id)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        steps,
        ["replay_saved", "replay_transition", "replay_transition"]
    );

    // Published: the learner watches, fetches the voice in ranges and the clip, comments.
    let (_, list) = li.call("replay_list", &[]).await;
    assert_eq!(ids(&list), [id.as_str()]);
    let (status, view) = li.call("get_replay", &[("id", &id)]).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(
        (view["can_edit"].clone(), view["can_publish"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(
        view["summary_html"],
        "<p>Windows <strong>first</strong></p>\n"
    );
    let res = li
        .http
        .get(li.url(&voice))
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-type"], "audio/ogg");
    assert_eq!(res.headers()["cache-control"], "private");
    assert_eq!(&res.bytes().await.unwrap()[..], &VOICE_OGG[..100]);
    assert_eq!(
        fetch(&li, &clip).await.0,
        200,
        "the clip of a published replay"
    );
    let (status, _, zip) = fetch(&li, &package).await;
    assert_eq!(status, 200);
    assert_eq!(unzip(&zip).len(), 4);
    let other = format!(
        "/replays/{id}/media/{}",
        domain::blobs::sha256_hex(b"other")
    );
    assert_eq!(
        fetch(&li, &other).await.0,
        404,
        "only the replay's own files"
    );

    let (status, comment) = li
        .call(
            "add_replay_comment",
            &[
                ("id", &id),
                ("t_ms", "1200"),
                ("body", "  为什么要倾斜探头？ "),
            ],
        )
        .await;
    assert_eq!(status, 200, "{comment}");
    assert_eq!(
        (comment["body"].clone(), comment["mine"].clone()),
        (json!("为什么要倾斜探头？"), json!(true))
    );
    let (status, _) = wang
        .call(
            "add_replay_comment",
            &[("id", &id), ("t_ms", "300"), ("body", "See the arrow")],
        )
        .await;
    assert_eq!(status, 200);
    let past = [("id", id.as_str()), ("t_ms", "2401"), ("body", "late")];
    assert_eq!(
        li.call("add_replay_comment", &past).await,
        (422, invalid("t_ms", "past_end"))
    );
    let empty = [("id", id.as_str()), ("t_ms", "10"), ("body", "   ")];
    assert_eq!(
        li.call("add_replay_comment", &empty).await,
        (422, invalid("body", "required"))
    );
    let (_, comments) = li.call("replay_comments", &[("id", &id)]).await;
    let seen: Vec<Value> = comments
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!([c["t_ms"], c["mine"]]))
        .collect();
    assert_eq!(
        seen,
        [json!([300, false]), json!([1200, true])],
        "in time order"
    );

    // Retired: out of sight again.
    assert_eq!(step(&wang, &id, "retire").await, (200, json!("retired")));
    assert_eq!(li.call("get_replay", &[("id", &id)]).await.0, 404);
    assert_eq!(fetch(&li, &voice).await.0, 404);

    // A draft is deleted with its voices and comments.
    let other = saved_replay(&app, &wang).await;
    assert_eq!(wang.call("discard_replay", &[("id", &other)]).await.0, 200);
    assert_eq!(
        wang.call("get_replay", &[("id", &other)]).await,
        (404, not_found)
    );
}

#[tokio::test]
async fn saving_checks_the_clip_the_voices_and_the_timeline() {
    let (app, _) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let sop = clip_uid(&app).await;
    let ogg = upload_voice(&chen, VOICE_OGG, "audio/ogg").await;
    let ogg = ogg.as_str();
    let unknown = "0".repeat(64);
    let mut t = timeline();
    t["duration_ms"] = json!(4000);
    t["events"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "t": 3500, "kind": "pointer_out" }));
    let cases = [
        (
            draft("2.25.99", &[(ogg, 0, 0)], timeline()),
            invalid("sop_uid", "unknown"),
        ),
        (
            draft(&sop, &[(unknown.as_str(), 0, 0)], timeline()),
            invalid("voices[0].media", "unknown"),
        ),
        (
            draft(&sop, &[(ogg, 2, 0)], timeline()),
            invalid("voices[0].by", "unknown"),
        ),
        // The voice lasts 2 s: the event at 3.5 s comes after it (and its second of grace).
        (
            draft(&sop, &[(ogg, 0, 0)], t.clone()),
            invalid("timeline.events[10].t", "past_end"),
        ),
        (
            {
                let mut d = draft(&sop, &[], timeline());
                d["timeline"]["events"][4]["frame"] = json!(6);
                d
            },
            invalid("timeline.events[4].frame", "past_end"),
        ),
        (
            {
                let mut d = draft(&sop, &[], timeline());
                d["title"] = json!("  ");
                d
            },
            invalid("title", "required"),
        ),
        (
            {
                let mut d = draft(&sop, &[], timeline());
                d["language"] = json!("fr");
                d
            },
            invalid("language", "unknown"),
        ),
    ];
    for (draft, refusal) in cases {
        assert_eq!(
            save(&chen, draft).await,
            (422, refusal.clone()),
            "{refusal}"
        );
    }
    // Started 2 s in, the voice reaches the event; any expert edits a draft, its author stays.
    let (status, id) = save(&chen, draft(&sop, &[(ogg, 0, 2000)], t)).await;
    assert_eq!(status, 200, "{id}");
    let mut edit = draft(&sop, &[], timeline());
    edit["id"] = id.clone();
    edit["title"] = json!("Carotid plaque");
    edit["sop_uid"] = json!("");
    assert_eq!(save(&wang, edit).await, (200, id.clone()));
    let (_, view) = wang
        .call("get_replay", &[("id", id.as_str().unwrap())])
        .await;
    assert_eq!(view["title"], "Carotid plaque");
    assert_eq!(view["author"], "陈静 Chen Jing");
    assert_eq!(view["voices"], json!([]));
    assert_eq!(
        view["clip"]["sop_uid"], sop,
        "an empty clip keeps the draft's"
    );
}

#[tokio::test]
async fn a_course_names_a_replay_only_once_it_is_published() {
    let (app, _) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let zhou = app.signed_in("zhou.min").await;
    let id = saved_replay(&app, &chen).await;
    let content = json!({
        "title": "Guided eFAST", "summary": "", "self_enrol": true,
        "modules": [{ "key": "m", "title": "RUQ", "lessons": [
            { "key": "watch", "title": "Watch", "body": { "kind": "replay", "replay_id": id } } ] }]
    });
    let (status, course) = zhou
        .json("save_course", json!({ "id": null, "content": content }))
        .await;
    assert_eq!(status, 200, "{course}");
    let course = course.as_str().unwrap().to_string();
    assert_eq!(
        zhou.call("publish_course", &[("id", &course)]).await,
        (422, invalid("modules.0.lessons.0.body", "not_published"))
    );
    assert_eq!(step(&chen, &id, "submit").await.0, 200);
    assert_eq!(step(&wang, &id, "publish").await.0, 200);
    assert_eq!(
        zhou.call("publish_course", &[("id", &course)]).await,
        (200, json!(1))
    );
}
