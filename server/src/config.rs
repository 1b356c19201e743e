//! Command line and environment: where to listen, where data lives, which database.
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// SonoHub: the training and case-sharing platform of a regional ultrasound network.
#[derive(Debug, Parser)]
#[command(name = "sonohub", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default).
    Serve(Box<ServeArgs>),
    /// Inspect, export and synthesise DICOM clips with the viewer's decoder.
    Dicom(crate::dicom_cli::DicomArgs),
    /// De-identify DICOM files and folders (PS3.15 Annex E, pixels cleaned) into a folder.
    Anonymize(crate::anonymize_cli::AnonymizeArgs),
    /// Copy the database, the stored files and the pseudonymisation secret into a new
    /// folder, consistently, while the server runs.
    Backup(crate::backup::BackupArgs),
    /// Bring a backup back into an empty data folder (or empty database).
    Restore(crate::backup::RestoreArgs),
    /// The load benchmark's tools (`make bench`): a library grown to size, the bare anchor.
    #[command(hide = true)]
    Bench(crate::bench::BenchArgs),
}

/// Options of `sonohub serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SONOHUB_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Data folder: the SQLite file and the blob folder live here.
    #[arg(long, env = "SONOHUB_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// PostgreSQL url (postgres://...); overrides the SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Seed demo accounts (one per role at several sites) and print their passwords.
    #[arg(long, env = "SONOHUB_DEMO")]
    pub demo: bool,
    /// Username of the first administrator, when the database has no account yet.
    #[arg(long, env = "SONOHUB_ADMIN_USERNAME")]
    pub admin_username: Option<String>,
    /// Password of the first administrator (prefer the environment variable).
    #[arg(long, env = "SONOHUB_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// The address users reach SonoHub at; an https:// url marks session cookies Secure.
    #[arg(long, env = "SONOHUB_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Folder with the built site (pkg/, assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// File holding the pseudonymisation secret (else SONOHUB_SECRET; else one is made in the
    /// data folder on first start). Never change it: re-imports match only with the same one.
    #[arg(long, env = "SONOHUB_SECRET_FILE")]
    pub secret_file: Option<PathBuf>,
    /// Where anonymised files are kept: s3://bucket[/prefix] (AWS_* variables), else the data
    /// folder's blobs/.
    #[arg(long, env = "SONOHUB_BLOB_STORE")]
    pub blob_store: Option<String>,
    /// Where raw files wait until they are de-identified (uploads, C-STORE, the quarantine),
    /// else the data folder's inbox/. Nodes of a multi-node setup must share one (e.g. an NFS
    /// mount): any node may import a job another node received.
    #[arg(long, env = "SONOHUB_INBOX")]
    pub inbox: Option<PathBuf>,
    /// Largest DICOM file accepted, in megabytes.
    #[arg(long, env = "SONOHUB_MAX_FILE_MB", default_value_t = 512)]
    pub max_file_mb: u64,
    /// Most megapixels one DICOM object may hold in all its frames (its rows × columns ×
    /// frames): compressed files small enough to pass --max-file-mb can declare more pixels
    /// than cleaning should decode.
    #[arg(long, env = "SONOHUB_MAX_MEGAPIXELS", default_value_t = 4096)]
    pub max_megapixels: u64,
    /// Largest request body of a page or server function, in kilobytes (uploads of files have
    /// their own limit, --max-file-mb, per file).
    #[arg(long, env = "SONOHUB_MAX_REQUEST_KB", default_value_t = 4096)]
    pub max_request_kb: u64,
    /// JSON file of per-device rectangles to black out ([{manufacturer, model, columns, rows,
    /// rects: [{x0, y0, x1, y1}]}]).
    #[arg(long, env = "SONOHUB_DEVICE_MASKS")]
    pub device_masks: Option<PathBuf>,
    /// Where the DICOM receiver (C-STORE) listens, e.g. 0.0.0.0:11112; off when not given
    /// (demo mode: 127.0.0.1:11112).
    #[arg(long, env = "SONOHUB_DICOM_ADDR")]
    pub dicom_addr: Option<SocketAddr>,
    /// The receiver's AE title, which scanners and PACS must call.
    #[arg(long, env = "SONOHUB_AE_TITLE", default_value = "SONOHUB")]
    pub ae_title: String,
    #[command(flatten)]
    pub receiver: ReceiverLimits,
    /// Bearer token for the read-only DICOMweb service at /dicom-web (at least 16
    /// characters; prefer the environment variable). Without it only signed-in sessions may
    /// use the service.
    #[arg(long, env = "SONOHUB_DICOMWEB_TOKEN", hide_env_values = true)]
    pub dicomweb_token: Option<String>,
    /// Requests a minute each DICOMweb bearer token may make on this node (issued tokens and
    /// --dicomweb-token alike; signed-in sessions are not counted); past it the token is
    /// answered 429 with Retry-After. A viewer opening a 300-frame clip frame by frame makes
    /// about 300. 0: no limit.
    #[arg(long, env = "SONOHUB_DICOMWEB_TOKEN_RATE", default_value_t = 3000)]
    pub dicomweb_token_rate: u32,
    /// Origins whose pages may call /dicom-web, e.g. an OHIF viewer on its own host:
    /// `https://viewer.example.org`, several separated by commas, or `*` for any (with a
    /// token; browsers send no cookies to a wildcard). Default: same origin only.
    #[arg(long, env = "SONOHUB_DICOMWEB_CORS", value_delimiter = ',')]
    pub dicomweb_cors: Vec<String>,
    /// Proxies in front of SonoHub whose X-Forwarded-For names the client (addresses or
    /// networks, comma-separated). Default: loopback, where a proxy on the same host runs.
    #[arg(
        long = "trusted-proxy",
        env = "SONOHUB_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Demo mode: the Orthanc executable to run as the demo's regional archive (default:
    /// `Orthanc` on PATH, else /usr/sbin/Orthanc), or `off` for none.
    #[arg(long, env = "SONOHUB_DEMO_ARCHIVE")]
    pub demo_archive: Option<PathBuf>,
    /// STUN/TURN servers for the voice of live guidance sessions, as JSON in the browser's
    /// `RTCIceServer` form, e.g. `[{"urls":"stun:stun.example.org:3478"}]` or with
    /// `username` and `credential` for TURN. None are needed when both sides share a network.
    #[arg(long, env = "SONOHUB_ICE_SERVERS", value_parser = parse_ice_servers)]
    pub ice_servers: Option<IceServers>,
    /// Where Prometheus may scrape `GET /metrics` (request counts and latencies per route,
    /// the import queue, blob store errors, the database pool), e.g. 127.0.0.1:9464 or an
    /// address on the monitoring network; off when not given. Never on --addr: the series
    /// are for operators, not for every browser that reaches SonoHub.
    #[arg(long, env = "SONOHUB_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Log lines as `text` for people or `json` (one object per line, with the request's id,
    /// route, status and time) for a log collector.
    #[arg(long, env = "SONOHUB_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The `--ice-servers` list, read from its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct IceServers(pub Vec<model::guidance::IceServer>);

fn parse_ice_servers(text: &str) -> Result<IceServers, String> {
    if text.trim().is_empty() {
        return Ok(IceServers(Vec::new()));
    }
    let servers: Vec<model::guidance::IceServer> = serde_json::from_str(text)
        .map_err(|e| format!("expected a JSON list of {{\"urls\": ...}} objects: {e}"))?;
    if let Some(bad) = servers.iter().flat_map(|s| &s.urls).find(|u| {
        !["stun:", "stuns:", "turn:", "turns:"]
            .iter()
            .any(|scheme| u.starts_with(scheme))
    }) {
        return Err(format!("{bad:?} is not a stun: or turn: address"));
    }
    Ok(IceServers(servers))
}

/// Whether demo mode starts a local Orthanc as its regional archive, and which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoArchive {
    Off,
    /// `Orthanc` on PATH, else Debian's /usr/sbin/Orthanc.
    Installed,
    /// This executable.
    At(PathBuf),
}

/// What the DICOM receiver admits: who may send, how many at once, and how much may wait in
/// the inbox before it is imported.
#[derive(Debug, Clone, clap::Args)]
pub struct ReceiverLimits {
    /// Senders allowed to store, comma-separated: `AE`, `AE@10.1.2.0/24`, `@10.1.2.3`
    /// (default: anyone who calls the AE title).
    #[arg(
        long = "dicom-allow",
        env = "SONOHUB_DICOM_ALLOW",
        value_delimiter = ','
    )]
    pub senders: Vec<crate::store_scp::AllowedSender>,
    /// Associations served at once; further connections are closed.
    #[arg(
        long = "dicom-max-associations",
        env = "SONOHUB_DICOM_MAX_ASSOCIATIONS",
        default_value_t = 8
    )]
    pub max_associations: usize,
    /// Megabytes of objects all associations together may hold in memory while receiving.
    #[arg(
        long = "dicom-buffer-mb",
        env = "SONOHUB_DICOM_BUFFER_MB",
        default_value_t = 1024
    )]
    pub buffer_mb: u64,
    /// Megabytes the inbox may hold before it is imported (all senders, C-STORE).
    #[arg(long = "inbox-quota-mb", env = "SONOHUB_INBOX_QUOTA_MB", default_value_t = 20 * 1024)]
    pub inbox_quota_mb: u64,
    /// Megabytes one sender (calling AE title at an address) may have waiting in the inbox.
    #[arg(long = "sender-quota-mb", env = "SONOHUB_SENDER_QUOTA_MB", default_value_t = 4 * 1024)]
    pub sender_quota_mb: u64,
}

impl Default for ReceiverLimits {
    fn default() -> Self {
        ReceiverLimits {
            senders: Vec::new(),
            max_associations: 8,
            buffer_mb: 1024,
            inbox_quota_mb: 20 * 1024,
            sender_quota_mb: 4 * 1024,
        }
    }
}

/// Everything `start` needs, whether from the command line or a test.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub demo: bool,
    /// In demo mode, also synthesise the demo clips (off in tests: they take a while).
    pub demo_clips: bool,
    pub first_admin: Option<(String, String)>,
    /// Ask for the first admin on the terminal when none is configured.
    pub interactive: bool,
    pub secure_cookies: bool,
    /// The address users reach SonoHub at (`SONOHUB_PUBLIC_URL`): with a proxy in front, the
    /// origin browsers send, which state-changing requests must come from.
    pub public_url: Option<String>,
    pub site_root: PathBuf,
    pub secret_file: Option<PathBuf>,
    pub blob_store: Option<String>,
    /// Where raw files wait (`--inbox`); `None` for the data folder's inbox/.
    pub inbox: Option<PathBuf>,
    pub max_file_mb: u64,
    pub max_megapixels: u64,
    pub max_request_kb: u64,
    pub device_masks: Option<PathBuf>,
    pub dicom_addr: Option<SocketAddr>,
    pub ae_title: String,
    pub receiver: ReceiverLimits,
    /// Bearer token accepted at `/dicom-web` besides a signed-in session.
    pub dicomweb_token: Option<String>,
    /// Requests a minute each DICOMweb token may make (0: no limit).
    pub dicomweb_token_rate: u32,
    /// Origins allowed to call `/dicom-web` from their pages (`*` for any).
    pub dicomweb_cors: Vec<String>,
    /// Proxies whose X-Forwarded-For is believed; empty keeps the default (loopback).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The demo's regional archive (a local Orthanc); off unless in demo mode.
    pub demo_archive: DemoArchive,
    /// STUN/TURN servers for live guidance's WebRTC voice.
    pub ice_servers: Vec<model::guidance::IceServer>,
    /// Where `/metrics` is served, when it is.
    pub metrics_addr: Option<SocketAddr>,
}

impl From<ServeArgs> for ServerConfig {
    fn from(a: ServeArgs) -> Self {
        ServerConfig {
            addr: a.addr,
            data_dir: a.data,
            database_url: a.database_url,
            demo: a.demo,
            demo_clips: true,
            first_admin: a.admin_username.zip(a.admin_password),
            interactive: std::io::IsTerminal::is_terminal(&std::io::stdin()),
            secure_cookies: a
                .public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://")),
            public_url: a.public_url,
            site_root: a.site_root,
            secret_file: a.secret_file,
            blob_store: a.blob_store,
            inbox: a.inbox,
            max_file_mb: a.max_file_mb,
            max_megapixels: a.max_megapixels,
            max_request_kb: a.max_request_kb,
            device_masks: a.device_masks,
            dicom_addr: a
                .dicom_addr
                .or(a.demo.then(|| SocketAddr::from(([127, 0, 0, 1], 11112)))),
            ae_title: a.ae_title,
            receiver: a.receiver,
            // An empty variable means no token, not an empty one.
            dicomweb_token: a.dicomweb_token.filter(|t| !t.is_empty()),
            dicomweb_token_rate: a.dicomweb_token_rate,
            dicomweb_cors: a.dicomweb_cors,
            trusted_proxies: a.trusted_proxies,
            demo_archive: match a.demo_archive {
                _ if !a.demo => DemoArchive::Off,
                None => DemoArchive::Installed,
                Some(path) if path.as_os_str() == "off" => DemoArchive::Off,
                Some(path) => DemoArchive::At(path),
            },
            ice_servers: a.ice_servers.map(|s| s.0).unwrap_or_default(),
            metrics_addr: a.metrics_addr,
        }
    }
}

impl ServerConfig {
    /// A config for tests: port 0 on loopback, the given data folder, SQLite.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: None,
            demo: false,
            demo_clips: false,
            first_admin: None,
            interactive: false,
            secure_cookies: false,
            public_url: None,
            site_root: PathBuf::from("target/site"),
            secret_file: None,
            blob_store: None,
            inbox: None,
            max_file_mb: 512,
            max_megapixels: 4096,
            max_request_kb: 4096,
            device_masks: None,
            dicom_addr: None,
            ae_title: "SONOHUB".to_string(),
            receiver: ReceiverLimits::default(),
            dicomweb_token: None,
            dicomweb_token_rate: 3000,
            dicomweb_cors: Vec::new(),
            trusted_proxies: Vec::new(),
            demo_archive: DemoArchive::Off,
            ice_servers: Vec::new(),
            metrics_addr: None,
        }
    }

    /// The folder raw files wait in.
    pub fn inbox_dir(&self) -> PathBuf {
        self.inbox
            .clone()
            .unwrap_or_else(|| self.data_dir.join("inbox"))
    }

    /// The database url in force: PostgreSQL when given, else the data folder's SQLite file.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| domain::db::sqlite_url(&self.data_dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ice_servers_are_read_from_json_and_checked() {
        let servers = parse_ice_servers(
            r#"[{"urls":"stun:127.0.0.1:3478"},{"urls":["turn:t.example:3478"],"username":"u","credential":"c"}]"#,
        )
        .unwrap();
        assert_eq!(servers.0.len(), 2);
        assert_eq!(servers.0[1].credential.as_deref(), Some("c"));
        assert_eq!(parse_ice_servers("").unwrap(), IceServers(Vec::new()));
        assert!(parse_ice_servers(r#"[{"urls":"http://x"}]"#).is_err());
        assert!(parse_ice_servers("stun:x").is_err());
    }
}
