//! The demo's regional archive: a local Orthanc (Debian's `orthanc` + `orthanc-dicomweb`) on
//! loopback ports, loaded with the made-up patients' identified studies and connected as
//! SonoHub's archive, so that search, import, the quarantine and device masks can be tried end
//! to end. It runs beside the server as a job and is stopped with it.
//!
//! The archive holds every exam of `demo/studies.toml` (the library has imported them, so a
//! search marks them) and the archive-only exams of `demo/archive.toml`, some of whose files
//! carry no ultrasound regions. Its storage lives in the data folder, so a second start only
//! checks that the studies are there.
use crate::config::DemoArchive as Choice;
use crate::demo_studies::{self, ClipOrder, Exam, ExamClip};
use anyhow::{Context, Result, bail};
use cine::synth::SynthSyntax;
use domain::Db;
use domain::archive::ArchiveConfig;
use domain::audit::Actor;
use model::{ArchiveAuth, AuditVia};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::sync::watch;

/// The Orthanc account SonoHub uses; an archive setting with another user is an admin's own,
/// which the demo leaves alone.
pub const USER: &str = "sonohub-demo";

/// The archive-only exams as data: `server/demo/archive.toml`, described in its header.
const ARCHIVE: &str = include_str!("../demo/archive.toml");
const ARCHIVE_FILE: &str = "demo/archive.toml";

/// What the apt line installs.
const INSTALL_HINT: &str = "apt install orthanc orthanc-dicomweb";

/// An installed Orthanc with its DICOMweb plugin.
#[derive(Debug, Clone)]
pub struct Installed {
    pub binary: PathBuf,
    pub plugin: PathBuf,
}

/// Finds Orthanc and its DICOMweb plugin as `choice` says: `Ok(None)` when the demo archive is
/// off, `Err` with the reason to print when it cannot run.
pub fn locate(choice: &Choice) -> Result<Option<Installed>, String> {
    let binary = match choice {
        Choice::Off => return Ok(None),
        Choice::At(path) if path.is_file() => path.clone(),
        Choice::At(path) => return Err(format!("{} does not exist", path.display())),
        Choice::Installed => std::env::var_os("PATH")
            .into_iter()
            .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
            .map(|dir| dir.join("Orthanc"))
            .chain([PathBuf::from("/usr/sbin/Orthanc")])
            .find(|path| path.is_file())
            .ok_or(format!("orthanc is not installed ({INSTALL_HINT})"))?,
    };
    // Debian's place, or the share/ folder beside a self-built bin/ or sbin/.
    let mut places = vec![PathBuf::from("/usr/share/orthanc/plugins")];
    if let Some(prefix) = binary.parent().and_then(Path::parent) {
        places.insert(0, prefix.join("share/orthanc/plugins"));
    }
    let plugin = places
        .iter()
        .map(|dir| dir.join("libOrthancDicomWeb.so"))
        .find(|path| path.is_file())
        .ok_or(format!(
            "orthanc-dicomweb is not installed ({INSTALL_HINT})"
        ))?;
    Ok(Some(Installed { binary, plugin }))
}

/// The demo archive's job: starts Orthanc in `dir`, loads it, connects SonoHub to it, prints
/// where it is (or why there is none), and stops it when the server stops.
pub async fn run(
    installed: Installed,
    dir: PathBuf,
    db: Db,
    dicom_addr: Option<SocketAddr>,
    mut stopping: watch::Receiver<bool>,
) {
    let ready = async {
        let orthanc = Orthanc::start(&installed, &dir, dicom_addr).await?;
        let studies = orthanc.load().await?;
        let connected = orthanc.connect(&db).await?;
        anyhow::Ok((orthanc, studies, connected))
    };
    let orthanc = tokio::select! {
        ready = ready => match ready {
            Ok((orthanc, studies, connected)) => {
                println!(
                    "Demo archive: Orthanc at {}, {studies} studies (user {USER}, password {}){}",
                    orthanc.base(),
                    orthanc.password,
                    if connected { "" } else { "; not connected: an admin set another archive" },
                );
                orthanc
            }
            Err(e) => {
                println!("No demo archive: {e:#}");
                return;
            }
        },
        _ = stopping.wait_for(|stop| *stop) => return,
    };
    let _ = stopping.wait_for(|stop| *stop).await;
    drop(orthanc);
}

/// A running Orthanc on loopback; killed on drop.
pub struct Orthanc {
    child: Child,
    http_port: u16,
    password: String,
    http: reqwest::Client,
}

impl Drop for Orthanc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Orthanc {
    /// Starts Orthanc with its storage and log in `dir`, on free loopback ports, with a new
    /// password; waits until it answers.
    pub async fn start(
        installed: &Installed,
        dir: &Path,
        dicom_addr: Option<SocketAddr>,
    ) -> Result<Orthanc> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let password = {
            use rand::RngCore;
            let mut key = [0u8; 12];
            rand::rngs::OsRng.fill_bytes(&mut key);
            key.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let http_port = free_port()?;
        // SonoHub's DICOM receiver, so Orthanc Explorer can also send studies by C-STORE.
        let modalities = match dicom_addr {
            Some(addr) => serde_json::json!({
                "sonohub": ["SONOHUB", addr.ip().to_string(), addr.port()]
            }),
            None => serde_json::json!({}),
        };
        let config = serde_json::json!({
            "Name": "SonoHub demo archive",
            "StorageDirectory": dir.join("storage"),
            "IndexDirectory": dir.join("index"),
            "HttpPort": http_port,
            "DicomPort": free_port()?,
            "DicomAet": "DEMOPACS",
            "DicomModalities": modalities,
            "RemoteAccessAllowed": false,
            "AuthenticationEnabled": true,
            "RegisteredUsers": { USER: password },
            "HttpServerEnabled": true,
            "DicomServerEnabled": true,
            "Plugins": [installed.plugin],
            "DicomWeb": { "Enable": true, "Root": "/dicom-web/", "StudiesMetadata": "Full" },
            "StorageCompression": false,
            "LimitFindResults": 0,
            "LimitFindInstances": 0,
        });
        let config_path = dir.join("orthanc.json");
        std::fs::write(&config_path, serde_json::to_vec_pretty(&config)?)?;
        let log_path = dir.join("orthanc.log");
        let log = std::fs::File::create(&log_path)?;
        let child = Command::new(&installed.binary)
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", installed.binary.display()))?;
        let mut orthanc = Orthanc {
            child,
            http_port,
            password,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
        };
        for _ in 0..300 {
            if let Some(status) = orthanc.child.try_wait()? {
                bail!(
                    "Orthanc stopped at start ({status}); see {}",
                    log_path.display()
                );
            }
            let answer = orthanc.get("/system").send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                tracing::info!(port = http_port, "demo archive started");
                return Ok(orthanc);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "Orthanc did not answer within 30 s; see {}",
            log_path.display()
        )
    }

    /// Orthanc's REST root, e.g. `http://127.0.0.1:8042`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// Its DICOMweb root, as SonoHub's archive settings take it.
    pub fn dicomweb(&self) -> String {
        format!("{}/dicom-web", self.base())
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base()))
            .basic_auth(USER, Some(&self.password))
    }

    async fn count_studies(&self) -> Result<usize> {
        let stats: serde_json::Value = self
            .get("/statistics")
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(stats["CountStudies"].as_u64().unwrap_or(0) as usize)
    }

    /// Stores the demo's identified studies unless they are all there already (a second
    /// start); answers how many studies the archive holds.
    pub async fn load(&self) -> Result<usize> {
        let clips = clips()?;
        let expected: BTreeSet<&str> = clips.iter().map(|c| c.exam.study_uid.as_str()).collect();
        let held = self.count_studies().await?;
        if held >= expected.len() {
            return Ok(held);
        }
        let started = std::time::Instant::now();
        let files = {
            let clips = clips.clone();
            tokio::task::spawn_blocking(move || demo_studies::synthesise(&clips)).await??
        };
        for file in files {
            self.http
                .post(format!("{}/instances", self.base()))
                .basic_auth(USER, Some(&self.password))
                .body(file)
                .send()
                .await?
                .error_for_status()
                .context("Orthanc refused a demo file")?;
        }
        tracing::info!(
            files = clips.len(),
            ms = started.elapsed().as_millis() as u64,
            "demo archive loaded"
        );
        self.count_studies().await
    }

    /// Saves SonoHub's archive settings to this Orthanc (audited, as a job), unless an admin
    /// has set another archive; answers whether it did.
    pub async fn connect(&self, db: &Db) -> Result<bool> {
        if let Some(current) = domain::archive::load(db).await?
            && current.username != USER
        {
            return Ok(false);
        }
        let config = ArchiveConfig {
            base_url: self.dicomweb(),
            auth: ArchiveAuth::Basic,
            username: USER.to_string(),
            secret: self.password.clone(),
            timeout: Duration::from_secs(30),
        };
        domain::archive::save(db, &Actor::system(AuditVia::Job), &config).await?;
        Ok(true)
    }
}

/// `archive.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchiveFile {
    exam: Vec<ArchiveExam>,
}

/// One `[[exam]]` block of `archive.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchiveExam {
    number: u32,
    site: String,
    model: Option<String>,
    patient_name: String,
    patient_id: String,
    birth_date: String,
    sex: String,
    study_date: String,
    description: String,
    clips: Vec<ArchiveClip>,
}

/// A clip of an archive-only exam: as a library clip, with or without its regions.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchiveClip {
    #[serde(default = "jpeg")]
    syntax: SynthSyntax,
    frames: u32,
    fps: f64,
    #[serde(default = "yes")]
    regions: bool,
}

fn jpeg() -> SynthSyntax {
    SynthSyntax::Jpeg
}

fn yes() -> bool {
    true
}

/// Every file the demo archive holds: the library's exams, then the archive-only ones.
pub(crate) fn clips() -> Result<Vec<ClipOrder>> {
    let mut clips = demo_studies::library_clips()?;
    clips.extend(archive_only(ARCHIVE_FILE, ARCHIVE)?);
    Ok(clips)
}

/// The archive-only exams' clips, naming the file and the exam of the first thing that does
/// not fit.
fn archive_only(file: &str, text: &str) -> Result<Vec<ClipOrder>> {
    let archive: ArchiveFile = toml::from_str(text).with_context(|| file.to_string())?;
    let sites = demo_studies::sites()?;
    let mut clips = Vec::new();
    for (i, entry) in archive.exam.into_iter().enumerate() {
        let k = entry.number;
        let problem = demo_studies::exam_problem(
            i,
            k,
            &entry
                .clips
                .iter()
                .map(|c| (c.frames, c.fps))
                .collect::<Vec<_>>(),
            sites
                .contains_key(&entry.site)
                .then_some(())
                .ok_or(&entry.site),
            "studies.toml",
        );
        if let Some(problem) = problem {
            bail!("{file}: exam {k} ({}) {problem}", entry.patient_name);
        }
        let (institution, manufacturer, model) = sites[&entry.site].clone();
        let study_uid = format!("1.2.826.0.1.3680043.10.1025.{k}");
        let exam = Exam {
            accession: format!("AR{}{k:03}", entry.study_date),
            series_uid: format!("{study_uid}.1"),
            study_uid,
            institution,
            manufacturer,
            model: entry.model.unwrap_or(model),
            patient_name: entry.patient_name,
            patient_id: entry.patient_id,
            birth_date: entry.birth_date,
            sex: entry.sex,
            study_date: entry.study_date,
            study_time: format!("{:02}{:02}00", 8 + (k * 3) % 9, (k * 13) % 60),
            description: entry.description,
        };
        for (n, clip) in entry.clips.into_iter().enumerate() {
            let library_clip = ExamClip {
                syntax: clip.syntax,
                frames: clip.frames,
                fps: clip.fps,
            };
            let seed = 500 + u64::from(k) * 10 + n as u64;
            clips.push(ClipOrder {
                exam: exam.clone(),
                n: n as u32 + 1,
                options: demo_studies::clip_options(&library_clip, seed),
                regions: clip.regions,
            });
        }
    }
    Ok(clips)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_holds_the_library_and_its_own_exams_some_without_regions() {
        let clips = clips().unwrap();
        let library = demo_studies::exams().unwrap();
        let studies: BTreeSet<&str> = clips.iter().map(|c| c.exam.study_uid.as_str()).collect();
        assert!(studies.len() > library.len(), "archive-only exams too");
        for exam in &library {
            assert!(studies.contains(exam.exam.study_uid.as_str()));
        }
        let held: Vec<&ClipOrder> = clips.iter().filter(|c| !c.regions).collect();
        assert!(!held.is_empty(), "some files wait for a mask");
        // Every region-less file of the old portable: one device mask releases them all.
        assert!(held.iter().filter(|c| c.exam.model == "SH-L1").count() >= 2);
    }

    #[test]
    fn a_file_without_regions_has_none_and_keeps_its_patient() {
        let clip = archive_only(ARCHIVE_FILE, ARCHIVE)
            .unwrap()
            .into_iter()
            .find(|c| !c.regions)
            .unwrap();
        let clip = ClipOrder {
            options: cine::synth::SynthOptions {
                frames: 2,
                ..clip.options
            },
            ..clip
        };
        let file = demo_studies::synthesise(std::slice::from_ref(&clip)).unwrap();
        let obj = dicom_object::OpenFileOptions::new()
            .from_reader(&file[0][128..])
            .unwrap();
        assert!(
            obj.element(dicom_dictionary_std::tags::SEQUENCE_OF_ULTRASOUND_REGIONS)
                .is_err()
        );
        let name = obj
            .element(dicom_dictionary_std::tags::PATIENT_NAME)
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(name, clip.exam.patient_name);
    }

    #[test]
    fn a_broken_archive_file_names_the_exam() {
        let text = ARCHIVE.replacen("site = \"DH\"", "site = \"XX\"", 1);
        let error = format!("{:#}", archive_only("archive.toml", &text).unwrap_err());
        assert!(
            error.starts_with("archive.toml: exam 3 (DU^JUN=杜^军)"),
            "{error}"
        );
        assert!(error.contains("site XX"), "{error}");
        let text = ARCHIVE.replacen("regions = false }", "region = false }", 1);
        let error = format!("{:#}", archive_only("archive.toml", &text).unwrap_err());
        assert!(error.contains("region"), "{error}");
    }

    #[test]
    fn off_means_no_archive_and_a_missing_binary_is_named() {
        assert!(locate(&Choice::Off).unwrap().is_none());
        let why = locate(&Choice::At("/nonexistent/Orthanc".into())).unwrap_err();
        assert!(why.contains("/nonexistent/Orthanc"), "{why}");
    }
}
