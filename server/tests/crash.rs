//! The `sonohub` process killed (SIGKILL, no chance to tidy up) in the middle of an import, an
//! upload and a run of case saves: each time the next start finds the old state or the new
//! one, never half of one. The database is intact, every stored instance has its file with the
//! right hash, the interrupted import finishes, the cut upload is imported as incomplete, and
//! the case's working copy is one of the versions that were sent whole.
use crate::cases::{create, work};
use crate::common::{Client, wait_for_job};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ADMIN_PASSWORD: &str = "crash-test-admin-1";
const EXPERT_PASSWORD: &str = "crash-test-expert-1";

/// The server as an operator runs it, on `data`.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    // The child is waited for by `kill` or on drop, beyond clippy's sight.
    #[allow(clippy::zombie_processes)]
    async fn start(data: &Path) -> Process {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let site = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site");
        let child = Command::new(env!("CARGO_BIN_EXE_sonohub"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data)
            .args(["--admin-username", "admin", "--site-root"])
            .arg(site)
            .env("SONOHUB_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("SONOHUB_SECRET", "crash-test-secret-0123456789")
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start sonohub");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..600 {
            if let Ok(res) = reqwest::get(format!("{base}/healthz")).await
                && res.status() == 200
            {
                return Process { child, base };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("sonohub did not start on {data:?}");
    }

    fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            base: self.base.clone(),
        }
    }

    async fn signed_in(&self, username: &str, password: &str) -> Client {
        let c = self.client();
        c.sign_in(username, password).await;
        c
    }

    /// SIGKILL: no destructors, no flushing, no graceful shutdown.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clip(seed: u64) -> Vec<u8> {
    synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 8,
        syntax: SynthSyntax::Rle,
        fps: 20.0,
        seed,
    })
    .unwrap()
}

/// The database is intact and every stored instance's file is there with its hash.
async fn consistent(data: &Path) -> usize {
    let db = domain::Db::connect(&domain::db::sqlite_url(data))
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let shas: Vec<(String,)> = sqlx::query_as("SELECT blob_sha FROM instances")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let blobs = domain::blobs::Blobs::local(&data.join("blobs")).unwrap();
    for (sha,) in &shas {
        let bytes = blobs
            .bytes(sha)
            .await
            .unwrap()
            .expect("the instance's file");
        assert_eq!(&domain::blobs::sha256_hex(&bytes), sha, "a whole file");
    }
    db.pool.close().await;
    shas.len()
}

/// Polls until `done` says so (the process is working in the background).
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    // Two minutes: CI builds the release bundle beside the tests.
    for _ in 0..6000 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("never saw: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_comes_back_with_whole_states_only() {
    if std::env::var("SONOHUB_TEST_BACKEND").as_deref() == Ok("postgres") {
        return; // The process runs on its SQLite file; PostgreSQL's atomicity is its own.
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Process::start(&data).await;
    let admin = server.signed_in("admin", ADMIN_PASSWORD).await;
    admin
        .create_expert("expert.one", "Expert One", EXPERT_PASSWORD)
        .await;

    // 1. Killed while the import worker is storing a job's clips.
    let expert = server.signed_in("expert.one", EXPERT_PASSWORD).await;
    let (_, job) = expert.call("open_upload", &[]).await;
    let job = job.as_str().unwrap().to_string();
    let clips = 6;
    for seed in 0..clips {
        let (status, body) = expert
            .upload(&job, clip(seed + 1), "application/dicom")
            .await;
        assert_eq!(status, 200, "{body}");
    }
    expert.call("close_upload", &[("id", &job)]).await;
    until("the import under way", async || {
        let (_, detail) = expert.call("import_job_detail", &[("id", &job)]).await;
        detail[0]["status"] == "running"
    })
    .await;
    server.kill();
    let stored_at_kill = consistent(&data).await;
    let server = Process::start(&data).await;
    let expert = server.signed_in("expert.one", EXPERT_PASSWORD).await;
    let (done, items) = wait_for_job(&expert, &job).await;
    assert_eq!(done["status"], "done", "{done} {items:?}");
    assert_eq!(
        done["imported"], clips,
        "the rest after the restart: {items:?}"
    );
    assert_eq!(consistent(&data).await, clips as usize);
    assert!(stored_at_kill <= clips as usize);

    // 2. Killed in the middle of an upload's body.
    let (_, cut) = expert.call("open_upload", &[]).await;
    let cut = cut.as_str().unwrap().to_string();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let body = reqwest::Body::wrap_stream(tokio_stream_of(rx));
    let sending = {
        let http = expert.http.clone();
        let url = expert.url(&format!("/upload/{cut}"));
        tokio::spawn(async move {
            http.post(url)
                .header("content-type", "application/dicom")
                .body(body)
                .send()
                .await
        })
    };
    let whole = clip(99);
    tx.send(Ok(whole[..whole.len() / 2].to_vec()))
        .await
        .unwrap();
    until("half the file in the inbox", async || {
        std::fs::read_dir(data.join("inbox").join(&cut))
            .map(|d| {
                d.flatten()
                    .any(|f| f.metadata().map(|m| m.len() > 0).unwrap_or(false))
            })
            .unwrap_or(false)
    })
    .await;
    server.kill();
    drop(tx);
    let _ = sending.await;
    // The upload's lease (two minutes without a byte) runs out while the server is down.
    let db = domain::Db::connect(&domain::db::sqlite_url(&data))
        .await
        .unwrap();
    sqlx::query("UPDATE import_jobs SET lease_until = 0 WHERE id = $1")
        .bind(&cut)
        .execute(&db.pool)
        .await
        .unwrap();
    db.pool.close().await;
    let server = Process::start(&data).await;
    let expert = server.signed_in("expert.one", EXPERT_PASSWORD).await;
    let (ended, _) = wait_for_job(&expert, &cut).await;
    assert_eq!(ended["imported"], 0, "nothing of a half file: {ended}");
    assert_eq!(ended["error"], json!({ "kind": "incomplete" }), "{ended}");
    let leftovers = std::fs::read_dir(data.join("inbox").join(&cut))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "the half file is not kept");
    assert_eq!(consistent(&data).await, clips as usize);

    // 3. Killed while the author saves a case again and again.
    let (_, studies) = expert.call("list_studies", &[]).await;
    let study = studies[0]["uid"].as_str().unwrap().to_string();
    let (status, id) = create(&expert, &study, "v0", "thyroid").await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_string();
    let saved_count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let saver = {
        let expert = expert.clone();
        let id = id.clone();
        let saved_count = saved_count.clone();
        tokio::spawn(async move {
            let mut sent = Vec::new();
            let (mut content, mut at) = work(&expert, &id).await;
            for n in 1.. {
                let title = format!("v{n}");
                content["title"] = json!(title);
                content["history"] = json!(format!("{title}: {}", "病史。".repeat(200)));
                sent.push(title);
                // The kill cuts a request off: that ends the run.
                let saved = expert
                    .http
                    .post(expert.url("/api/save_case"))
                    .form(&[
                        ("id", id.as_str()),
                        ("content", &content.to_string()),
                        ("updated_at", &at.to_string()),
                    ])
                    .send()
                    .await;
                let Ok(res) = saved else { break };
                let Ok(stamp) = res.json::<Value>().await else {
                    break;
                };
                match stamp.as_i64() {
                    Some(next) => at = next,
                    None => break,
                }
                saved_count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            sent
        })
    };
    // Killed once some saves are through, whatever the machine's load (a fixed wait of 400 ms
    // once ended before the first save on a busy CI machine), and then mid-run.
    until("two saves through", async || {
        saved_count.load(std::sync::atomic::Ordering::SeqCst) >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.kill();
    let sent = saver.await.unwrap();
    assert!(sent.len() > 1, "saves ran before the kill: {sent:?}");
    let server = Process::start(&data).await;
    let expert = server.signed_in("expert.one", EXPERT_PASSWORD).await;
    let (content, _) = work(&expert, &id).await;
    let title = content["title"].as_str().unwrap();
    assert!(
        title == "v0" || sent.iter().any(|t| t == title),
        "{title} is one that was sent"
    );
    if title != "v0" {
        // Title and text of the same save: never one save's title with another's text.
        let history: Value = content["history"].clone();
        assert!(
            history.as_str().unwrap().starts_with(&format!("{title}: ")),
            "{history}"
        );
    }
    server.kill();
}

/// A request body fed from a channel, so the test decides when its bytes arrive.
fn tokio_stream_of(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
