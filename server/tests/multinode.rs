//! The multi-node setup run for real, as README's "Many machines" describes it: two `sonohub
//! serve` processes started together on one PostgreSQL database, one S3 object store (moto's
//! server, from PyPI) and one shared inbox folder, behind nginx spreading requests between
//! them. Signed-in users are served by both; an import job is taken by exactly one node and,
//! when that node is killed, finished by the other; a clip written by one node is served by
//! the other, ranges included; the C-STORE receiver runs on one node and its files are
//! imported by whichever node is free; a node with another pseudonymisation secret is refused.
//! Runs in the PostgreSQL pass (`SONOHUB_TEST_BACKEND=postgres`).
use crate::common::{Client, fresh_postgres, runs, tool, wait_for_job};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ADMIN_PASSWORD: &str = "multi-node-admin-1";
const EXPERT_PASSWORD: &str = "multi-node-expert-1";
const SECRET: &str = "multi-node-secret-0123456789";
const BUCKET: &str = "sonohub-test";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn answers(url: &str) -> bool {
    reqwest::get(url).await.is_ok()
}

async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..3000 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("never saw: {what}");
}

/// moto's S3 server on loopback, with the test's bucket.
async fn object_store(dir: &Path) -> (Running, String) {
    let port = free_port();
    let log = std::fs::File::create(dir.join("moto.log")).unwrap();
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("PYTHONPATH", repo().join("target/pymoto"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start moto");
    let running = Running(child);
    let endpoint = format!("http://127.0.0.1:{port}");
    until("the object store answering", async || {
        answers(&endpoint).await
    })
    .await;
    let made = reqwest::Client::new()
        .put(format!("{endpoint}/{BUCKET}"))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success(), "bucket: {}", made.status());
    (running, endpoint)
}

/// One `sonohub serve` node, as an operator starts it on its own machine: its own data folder
/// and address, the shared database, object store, inbox and secret.
struct Node {
    process: Option<Running>,
    base: String,
    data: PathBuf,
    log: PathBuf,
}

struct Shared {
    database: String,
    s3: String,
    inbox: PathBuf,
    public_url: String,
}

fn spawn_node(
    shared: &Shared,
    name: &str,
    root: &Path,
    port: u16,
    extra: &[&str],
    secret: &str,
) -> (Running, PathBuf, PathBuf) {
    let data = root.join(name);
    let log = root.join(format!("{name}.log"));
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_sonohub"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data"])
        .arg(&data)
        .arg("--inbox")
        .arg(&shared.inbox)
        .args(["--database-url", &shared.database])
        .args(["--blob-store", &format!("s3://{BUCKET}/blobs")])
        .args(["--public-url", &shared.public_url])
        .args(["--admin-username", "admin", "--site-root"])
        .arg(repo().join("target/site"))
        .args(extra)
        .env("SONOHUB_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("SONOHUB_SECRET", secret)
        .env("AWS_ENDPOINT", &shared.s3)
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("RUST_LOG", "info,sqlx=warn")
        .env("SONOHUB_LOG_FORMAT", "json")
        .env_remove("DATABASE_URL")
        .env_remove("SONOHUB_SECRET_FILE")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("start sonohub");
    (Running(child), data, log)
}

impl Node {
    async fn start(shared: &Shared, name: &str, root: &Path, extra: &[&str]) -> Node {
        let port = free_port();
        let (process, data, log) = spawn_node(shared, name, root, port, extra, SECRET);
        let base = format!("http://127.0.0.1:{port}");
        let mut process = Some(process);
        for _ in 0..1200 {
            if let Ok(res) = reqwest::get(format!("{base}/healthz/ready")).await
                && res.status() == 200
            {
                return Node {
                    process,
                    base,
                    data,
                    log,
                };
            }
            if let Some(Running(child)) = process.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "node {name} exited ({status}): {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("node {name} did not become ready");
    }

    /// The node's name in `import_jobs.claimed_by`: host and data folder.
    fn claims_as(&self, claimed_by: &str) -> bool {
        let data = std::fs::canonicalize(&self.data).unwrap();
        claimed_by.ends_with(&format!(":{}", data.display()))
    }

    fn address(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no destructors, no lease given back.
    fn kill(&mut self) {
        let mut running = self.process.take().expect("running");
        running.0.kill().unwrap();
        running.0.wait().unwrap();
    }

    fn client(&self) -> Client {
        client(&self.base)
    }
}

fn client(base: &str) -> Client {
    Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap(),
        base: base.to_string(),
    }
}

/// nginx spreading requests over the nodes in turn (round robin), saying which one answered.
fn proxy(dir: &Path, port: u16, nodes: &[&str]) -> Running {
    let servers: String = nodes
        .iter()
        .map(|a| format!("server {a} max_fails=0;\n"))
        .collect();
    let d = dir.display();
    let conf = format!(
        "user root;\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\n\
         error_log {d}/nginx-error.log warn;\n\
         events {{ worker_connections 512; }}\n\
         http {{\n  access_log off;\n  client_max_body_size 0;\n\
           client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
           fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
           upstream sonohub {{\n{servers}  }}\n\
           server {{\n    listen 127.0.0.1:{port};\n\
             location / {{\n      proxy_pass http://sonohub;\n      proxy_http_version 1.1;\n\
               proxy_set_header Host $http_host;\n\
               proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
               proxy_request_buffering off;\n\
               proxy_next_upstream error timeout;\n\
               add_header X-Upstream $upstream_addr always;\n    }}\n  }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new(nginx())
        .args(["-p"])
        .arg(dir)
        .args(["-c"])
        .arg(dir.join("nginx.conf"))
        .args(["-e"])
        .arg(dir.join("nginx-error.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    Running(child)
}

fn nginx() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

fn clip(seed: u64) -> Vec<u8> {
    synth_clip(&SynthOptions {
        width: 480,
        height: 360,
        frames: 12,
        syntax: SynthSyntax::Rle,
        fps: 20.0,
        seed,
    })
    .unwrap()
}

/// Which node answered a request through the proxy.
async fn upstream_of(res: &reqwest::Response) -> String {
    res.headers()
        .get("x-upstream")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_one_database_object_store_and_inbox_behind_a_proxy() {
    if std::env::var("SONOHUB_TEST_BACKEND").as_deref() != Ok("postgres") {
        return; // Runs in the PostgreSQL pass: the multi-node setup is PostgreSQL's.
    }
    let have_tools = tool("nginx", Path::new(nginx()).exists() || runs("nginx"))
        & tool(
            "moto (target/pymoto, see .ci/tools)",
            repo().join("target/pymoto/moto").is_dir(),
        )
        & tool("dcmtk (storescu)", runs("storescu"));
    if !have_tools {
        return;
    }
    let database = fresh_postgres().await.expect("SONOHUB_TEST_POSTGRES_URL");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (_moto, s3) = object_store(root).await;
    let proxy_port = free_port();
    let shared = Shared {
        database: database.clone(),
        s3,
        inbox: root.join("shared-inbox"),
        public_url: format!("http://127.0.0.1:{proxy_port}"),
    };
    let dicom_port = free_port();
    let dicom_addr = format!("127.0.0.1:{dicom_port}");

    // Both nodes start at once on the empty database: one seeds it, neither fails.
    let (a, b) = tokio::join!(
        Node::start(&shared, "node-a", root, &[]),
        Node::start(&shared, "node-b", root, &[]),
    );
    let db = sqlx::PgPool::connect(&database).await.unwrap();
    let (sites, admins): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM sites), (SELECT COUNT(*) FROM users WHERE role = 'admin')",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((sites, admins), (14, 1), "seeded once");

    let _nginx = proxy(root, proxy_port, &[a.address(), b.address()]);
    let front = shared.public_url.clone();
    until("the proxy answering", async || {
        answers(&format!("{front}/healthz/ready")).await
    })
    .await;

    // 1. Signed in through the proxy, served by both nodes on the one session.
    let admin = client(&front);
    admin.sign_in("admin", ADMIN_PASSWORD).await;
    admin
        .create_expert("expert.multi", "Expert Multi", EXPERT_PASSWORD)
        .await;
    let expert = client(&front);
    expert.sign_in("expert.multi", EXPERT_PASSWORD).await;
    let mut served_by = BTreeSet::new();
    for _ in 0..6 {
        let res = expert
            .http
            .post(expert.url("/api/me"))
            .send()
            .await
            .unwrap();
        served_by.insert(upstream_of(&res).await);
        let me: serde_json::Value = res.json().await.unwrap();
        assert_eq!(me["username"], "expert.multi", "the session, on any node");
    }
    let both: BTreeSet<String> = [a.address().to_string(), b.address().to_string()].into();
    assert_eq!(served_by, both, "requests spread over both nodes");

    // 2. An upload through the proxy (its files landing in the shared inbox, whichever node
    // took each request), then imported by exactly one node.
    let (_, job) = expert.call("open_upload", &[]).await;
    let job = job.as_str().unwrap().to_string();
    let clips = 30u64;
    let mut received_by = BTreeSet::new();
    for seed in 1..=clips {
        let res = expert
            .http
            .post(expert.url(&format!("/upload/{job}")))
            .header("content-type", "application/dicom")
            .body(clip(seed))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        received_by.insert(upstream_of(&res).await);
    }
    assert_eq!(
        received_by, both,
        "both nodes received files of the one job"
    );
    let (status, body) = expert.call("close_upload", &[("id", &job)]).await;
    assert_eq!(status, 200, "{body}");
    let mut claimer = String::new();
    until("the job claimed", async || {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT status, claimed_by FROM import_jobs WHERE id = $1")
                .bind(&job)
                .fetch_optional(&db)
                .await
                .unwrap();
        match row {
            Some((status, Some(by))) if status == "running" => {
                claimer = by;
                true
            }
            _ => false,
        }
    })
    .await;
    // Killed mid-run: the node that took the job, once it has said so and stored a few.
    eprintln!(
        "multinode: {} received files, {} took the job",
        received_by
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(" and "),
        claimer
    );
    let started_on = |log: &str| {
        log.lines()
            .filter(|l| l.contains("import job started") && l.contains(&job))
            .count()
    };
    let mut nodes = [a, b];
    let runner = if nodes[0].claims_as(&claimer) {
        0
    } else {
        assert!(
            nodes[1].claims_as(&claimer),
            "{claimer} is one of the nodes"
        );
        1
    };
    until("the runner's log", async || {
        started_on(&nodes[runner].log()) > 0
    })
    .await;
    until("a few files stored", async || {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instances")
            .fetch_one(&db)
            .await
            .unwrap();
        n >= 3
    })
    .await;
    nodes[runner].kill();
    let [first, second] = nodes;
    let (killed, other) = if runner == 0 {
        (first, second)
    } else {
        (second, first)
    };
    let written_by_killed: Vec<(String,)> = sqlx::query_as("SELECT blob_sha FROM instances")
        .fetch_all(&db)
        .await
        .unwrap();
    let imported_at_kill = written_by_killed.len() as i64;
    eprintln!("multinode: killed it after {imported_at_kill} of {clips} files");
    assert!(
        imported_at_kill < clips as i64,
        "the node was killed before it finished ({imported_at_kill} of {clips})"
    );
    assert_eq!(
        (started_on(&killed.log()), started_on(&other.log())),
        (1, 0),
        "one node took the job"
    );
    // Its lease (two minutes without a heartbeat) runs out while it is down.
    sqlx::query("UPDATE import_jobs SET lease_until = 0 WHERE id = $1")
        .bind(&job)
        .execute(&db)
        .await
        .unwrap();
    let watcher = other.client();
    watcher.sign_in("expert.multi", EXPERT_PASSWORD).await;
    let (done, items) = wait_for_job(&watcher, &job).await;
    assert_eq!(done["status"], "done", "{done} {items:?}");
    assert_eq!(done["imported"], clips, "every file once: {items:?}");
    let (claimed_by,): (Option<String>,) =
        sqlx::query_as("SELECT claimed_by FROM import_jobs WHERE id = $1")
            .bind(&job)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(
        other.claims_as(&claimed_by.unwrap()),
        "the survivor finished it"
    );
    assert_eq!(started_on(&other.log()), 1);
    let (instances,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM instances")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(instances, clips as i64, "no file stored twice");

    // 3. A third node joins, with the C-STORE receiver (which runs on one node only). Clips
    // are served by nodes that did not write them, whole and in ranges: those the killed node
    // wrote by the survivor and the new node, the survivor's by the new node.
    let third = Node::start(&shared, "node-c", root, &["--dicom-addr", &dicom_addr]).await;
    let viewer = third.client();
    viewer.sign_in("expert.multi", EXPERT_PASSWORD).await;
    let all: Vec<(String,)> = sqlx::query_as("SELECT blob_sha FROM instances")
        .fetch_all(&db)
        .await
        .unwrap();
    let by_killed: BTreeSet<&str> = written_by_killed.iter().map(|(s,)| s.as_str()).collect();
    let by_survivor: Vec<&str> = all
        .iter()
        .map(|(s,)| s.as_str())
        .filter(|s| !by_killed.contains(s))
        .collect();
    let mut checks: Vec<(&str, Vec<&Client>)> = by_killed
        .iter()
        .take(2)
        .map(|s| (*s, vec![&watcher, &viewer]))
        .collect();
    checks.extend(by_survivor.iter().take(2).map(|s| (*s, vec![&viewer])));
    for (sha, readers) in checks {
        for c in readers {
            let whole = c
                .http
                .get(c.url(&format!("/dicom/{sha}")))
                .send()
                .await
                .unwrap();
            assert_eq!(whole.status(), 200, "{sha} on {}", c.base);
            let whole = whole.bytes().await.unwrap();
            assert_eq!(domain::blobs::sha256_hex(&whole), sha);
            let part = c
                .http
                .get(c.url(&format!("/dicom/{sha}")))
                .header("range", "bytes=128-1151")
                .send()
                .await
                .unwrap();
            assert_eq!(part.status(), 206, "{sha} range on {}", c.base);
            assert_eq!(
                part.headers()["content-range"],
                format!("bytes 128-1151/{}", whole.len()).as_str()
            );
            assert_eq!(part.bytes().await.unwrap(), whole.slice(128..1152));
        }
    }

    // 4. A scanner stores a clip on the receiving node; whichever node is free imports it.
    let file = root.join("scanner.dcm");
    std::fs::write(&file, clip(1000)).unwrap();
    let sent = Command::new("storescu")
        .args(["-xr", "-aet", "SCANNER", "-aec", "SONOHUB", "127.0.0.1"])
        .arg(dicom_port.to_string())
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let mut cstore_job = String::new();
    until("the C-STORE job imported", async || {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT id, status FROM import_jobs WHERE kind = 'cstore' ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_optional(&db)
        .await
        .unwrap();
        match row {
            Some((id, status)) if status == "done" => {
                cstore_job = id;
                true
            }
            _ => false,
        }
    })
    .await;
    let (status, detail) = expert
        .call("import_job_detail", &[("id", &cstore_job)])
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail[0]["imported"], 1, "{detail}");
    let listening = |log: &str| log.contains("DICOM receiver listening");
    assert!(listening(&third.log()));
    assert!(
        !listening(&other.log()),
        "the receiver runs on one node only"
    );

    // 5. A node with another pseudonymisation secret would split studies: refused at start.
    let (mut stray, _, log) = spawn_node(
        &shared,
        "node-stray",
        root,
        free_port(),
        &[],
        "another-secret-0123456789",
    );
    let exited = tokio::task::spawn_blocking(move || stray.0.wait().unwrap())
        .await
        .unwrap();
    assert!(!exited.success());
    let said = std::fs::read_to_string(log).unwrap();
    assert!(
        said.contains("pseudonymisation secret is not the one the database was first used with"),
        "{said}"
    );
    drop(third);
    drop(other);
    drop(killed);
    db.close().await;
}
