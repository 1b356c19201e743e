//! A real Orthanc (Debian `orthanc` + `orthanc-dicomweb`) on loopback ports with a temporary
//! storage folder, and synthetic clips of made-up patients to load into it.
pub use server::demo_studies::Exam;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const USER: &str = "sonohub";
pub const PASSWORD: &str = "archive-test-pw";

/// A running Orthanc; stopped and removed on drop.
pub struct Orthanc {
    child: Child,
    pub http_port: u16,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// True when Orthanc and its DICOMweb plugin are installed; with `SONOHUB_REQUIRE_TOOLS=1` a
/// missing one fails the test instead.
pub fn available() -> bool {
    super::tool(
        "orthanc with orthanc-dicomweb",
        std::path::Path::new("/usr/sbin/Orthanc").exists() && std::path::Path::new(PLUGIN).exists(),
    )
}

const PLUGIN: &str = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

impl Orthanc {
    pub async fn start() -> Orthanc {
        let dir = tempfile::tempdir().unwrap();
        let http_port = free_port();
        let dicom_port = free_port();
        let config = serde_json::json!({
            "Name": "SonoHubTestArchive",
            "StorageDirectory": dir.path().join("storage"),
            "IndexDirectory": dir.path().join("index"),
            "HttpPort": http_port,
            "DicomPort": dicom_port,
            "DicomAet": "TESTPACS",
            "RemoteAccessAllowed": false,
            "AuthenticationEnabled": true,
            "RegisteredUsers": { USER: PASSWORD },
            "HttpServerEnabled": true,
            "DicomServerEnabled": true,
            "Plugins": [PLUGIN],
            "DicomWeb": { "Enable": true, "Root": "/dicom-web/", "StudiesMetadata": "Full" },
            "StorageCompression": false,
            "LimitFindResults": 0,
            "LimitFindInstances": 0,
        });
        let path = dir.path().join("orthanc.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
        let child = Command::new("/usr/sbin/Orthanc")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Orthanc");
        let orthanc = Orthanc {
            child,
            http_port,
            _dir: dir,
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            let res = client
                .get(format!("{}/system", orthanc.base()))
                .basic_auth(USER, Some(PASSWORD))
                .send()
                .await;
            if res.is_ok_and(|r| r.status().is_success()) {
                return orthanc;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("Orthanc did not start");
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    pub fn dicomweb(&self) -> String {
        format!("{}/dicom-web", self.base())
    }

    /// Stores a DICOM file through Orthanc's REST API.
    pub async fn store(&self, bytes: Vec<u8>) {
        let res = reqwest::Client::new()
            .post(format!("{}/instances", self.base()))
            .basic_auth(USER, Some(PASSWORD))
            .body(bytes)
            .send()
            .await
            .expect("POST /instances");
        assert!(
            res.status().is_success(),
            "Orthanc refused the file: {}",
            res.status()
        );
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Orthanc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A synthetic ultrasound clip (burned-in banner, one ultrasound region) dressed as `exam`'s
/// instance number `n`.
pub fn clip(exam: &Exam, n: u32, syntax: cine::synth::SynthSyntax, frames: u32) -> Vec<u8> {
    let bytes = cine::synth::synth_clip(&cine::synth::SynthOptions {
        width: 320,
        height: 240,
        frames,
        syntax,
        fps: 25.0,
        seed: u64::from(n) + 7,
    })
    .unwrap();
    server::demo_studies::dress(&bytes, exam, n).unwrap()
}

/// An exam of the made-up patient ZHANG^SANFENG (HUB0012345) on `date`, as study `n`.
pub fn zhang_exam(date: &str, accession: &str, n: u32) -> Exam {
    Exam {
        patient_name: "ZHANG^SANFENG".into(),
        patient_id: "HUB0012345".into(),
        birth_date: "19610304".into(),
        sex: "M".into(),
        accession: accession.into(),
        study_date: date.into(),
        study_time: format!("{:02}1500", 8 + n),
        study_uid: format!("1.2.826.0.1.3680043.10.543.{n}"),
        series_uid: format!("1.2.826.0.1.3680043.10.543.{n}.1"),
        description: "Thyroid".into(),
        institution: "District Central Hospital".into(),
        manufacturer: "SonoHub Synthetic".into(),
        model: "SH-US1".into(),
    }
}
