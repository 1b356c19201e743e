//! Test harness: the real router on port 0 with a fresh database, and a cookie-keeping client.
pub mod orthanc;

use server::{ServerConfig, Started, start};
use std::path::PathBuf;

pub const DEMO_PASSWORD: &str = server::seed::DEMO_PASSWORD;

/// A running server with its own temp data folder.
pub struct TestApp {
    pub started: Started,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The audit events about `subject` (a username, site code or id), oldest first.
    pub async fn audit_of(&self, subject: &str) -> Vec<model::AuditEvent> {
        let db = &self.started.state.db;
        let mut events = domain::audit::recent(db, 500, None).await.unwrap();
        events.retain(|e| e.subject.as_deref() == Some(subject));
        events.reverse();
        events
    }

    /// Starts a server with the demo accounts on a fresh SQLite database.
    pub async fn demo() -> TestApp {
        Self::with(|c| c.demo = true).await
    }

    /// Starts a server after letting `tweak` adjust its config.
    pub async fn with(tweak: impl FnOnce(&mut ServerConfig)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = ServerConfig::for_tests(dir.path().to_path_buf());
        config.site_root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site");
        if std::env::var("SONOHUB_TEST_BACKEND").as_deref() == Ok("postgres") {
            config.database_url = Some(fresh_postgres().await.expect(
                "SONOHUB_TEST_BACKEND=postgres needs SONOHUB_TEST_POSTGRES_URL to a running server",
            ));
        }
        tweak(&mut config);
        let started = start(config).await.expect("server starts");
        let base = format!("http://{}", started.addr);
        TestApp {
            started,
            base,
            _dir: dir,
        }
    }

    /// A new browser-like client (own cookie jar, no automatic redirects).
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                // A server that stops answering fails the test with the request's address
                // instead of holding CI until its time runs out.
                .timeout(std::time::Duration::from_secs(120))
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    /// A client signed in as one of the demo accounts.
    pub async fn signed_in(&self, username: &str) -> Client {
        let client = self.client();
        client.sign_in(username, DEMO_PASSWORD).await;
        client
    }

    /// The session cookie (`name=value`) of a fresh sign-in as a demo account, for requests
    /// and sockets written by hand.
    pub async fn session_cookie(&self, username: &str) -> String {
        let res = reqwest::Client::new()
            .post(format!("{}/api/login", self.base))
            .form(&[("username", username), ("password", DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("sonohub_session="))
            .expect("a session cookie");
        cookie.split(';').next().unwrap().to_string()
    }
}

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET a page as a browser would.
    pub async fn page(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .expect("GET")
    }

    /// Calls a server function whose arguments travel as JSON; returns status and JSON body
    /// (a body that is not JSON comes back as a JSON string).
    pub async fn json(&self, endpoint: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let res = self
            .http
            .post(self.url(&format!("/api/{endpoint}")))
            .json(&body)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    /// Calls a server function with form fields; returns status and JSON body.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let res = self
            .http
            .post(self.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }

    /// Sends one upload body (a DICOM file or a ZIP) to an open upload job, with no file
    /// name; returns status and JSON body (`null` when the body is not JSON).
    pub async fn upload(
        &self,
        job: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> (u16, serde_json::Value) {
        self.send_upload(job, None, body, content_type).await
    }

    /// Sends one upload body as the browser does, its file name percent-encoded in the
    /// `x-file-name` header; returns status and JSON body (`null` when not JSON).
    pub async fn upload_named(
        &self,
        job: &str,
        name: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> (u16, serde_json::Value) {
        self.send_upload(job, Some(name), body, content_type).await
    }

    async fn send_upload(
        &self,
        job: &str,
        name: Option<&str>,
        body: Vec<u8>,
        content_type: &str,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .http
            .post(self.url(&format!("/upload/{job}")))
            .header("content-type", content_type);
        if let Some(name) = name {
            let encoded: String = name
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            req = req.header("x-file-name", encoded);
        }
        let res = req.body(body).send().await.expect("POST");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// As an admin: creates an expert at the network's first site, and panics unless it worked.
    pub async fn create_expert(&self, username: &str, display_name: &str, password: &str) {
        let (_, sites) = self.call("sites", &[]).await;
        let site = sites[0]["id"].as_str().expect("a site").to_string();
        let (status, body) = self
            .call(
                "create_user",
                &[
                    ("user[username]", username),
                    ("user[display_name]", display_name),
                    ("user[role]", "expert"),
                    ("user[site_id]", &site),
                    ("user[password]", password),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Signs in and panics unless it worked.
    pub async fn sign_in(&self, username: &str, password: &str) -> serde_json::Value {
        let (status, body) = self
            .call("login", &[("username", username), ("password", password)])
            .await;
        assert_eq!(status, 200, "sign-in of {username} failed: {body}");
        body
    }

    /// The signed-in user as `/api/me` reports it (JSON null when signed out).
    pub async fn me(&self) -> serde_json::Value {
        self.call("me", &[]).await.1
    }
}

/// Creates an empty PostgreSQL database on the test server and returns its url, if one is set
/// in `SONOHUB_TEST_POSTGRES_URL` (an admin url, e.g. postgres://postgres@127.0.0.1:25432/postgres).
pub async fn fresh_postgres() -> Option<String> {
    use sqlx::Connection;
    let admin = std::env::var("SONOHUB_TEST_POSTGRES_URL").ok()?;
    let name = format!("sonohub_t_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let (prefix, _) = admin.rsplit_once('/').expect("url has a database part");
    Some(format!("{prefix}/{name}"))
}

/// The databases repository tests run on: a fresh SQLite file always, and a fresh PostgreSQL
/// database when one is configured (required when `SONOHUB_REQUIRE_POSTGRES=1`).
pub async fn databases(dir: &std::path::Path) -> Vec<String> {
    let mut urls = vec![domain::db::sqlite_url(dir)];
    match fresh_postgres().await {
        Some(url) => urls.push(url),
        None if std::env::var("SONOHUB_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
            panic!("SONOHUB_REQUIRE_POSTGRES=1 but SONOHUB_TEST_POSTGRES_URL is not set")
        }
        None => eprintln!("note: PostgreSQL not configured; repository tests ran on SQLite only"),
    }
    urls
}

/// Polls an import job until it is done or failed; returns the job and its items.
pub async fn wait_for_job(
    client: &Client,
    job: &str,
) -> (serde_json::Value, Vec<serde_json::Value>) {
    let mut last = serde_json::Value::Null;
    for _ in 0..1200 {
        let (status, body) = client.call("import_job_detail", &[("id", job)]).await;
        assert_eq!(status, 200, "{body}");
        let state = body[0]["status"].as_str().unwrap_or_default().to_string();
        if state == "done" || state == "failed" {
            let items = body[1].as_array().cloned().unwrap_or_default();
            return (body[0].clone(), items);
        }
        last = body;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("job {job} did not finish: {last}");
}

/// Whether a tool a test needs is installed (`installed`). When it is not, the test skips,
/// saying what to install, unless `SONOHUB_REQUIRE_TOOLS=1` (CI), where it fails instead.
pub fn tool(name: &str, installed: bool) -> bool {
    if !installed {
        assert!(
            std::env::var("SONOHUB_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "SONOHUB_REQUIRE_TOOLS=1 but {name} is not installed (see .ci/tools)"
        );
        eprintln!("note: {name} is not installed; this test skips its part");
    }
    installed
}

/// True when `command --version` runs successfully.
pub fn runs(command: &str) -> bool {
    std::process::Command::new(command)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
