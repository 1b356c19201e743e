//! The regional archive, import jobs and the anonymised studies they produce.
use serde::{Deserialize, Serialize};

/// How SonoHub signs in to the archive's DICOMweb service.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveAuth {
    #[default]
    None,
    Basic,
    Bearer,
}

impl ArchiveAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveAuth::None => "none",
            ArchiveAuth::Basic => "basic",
            ArchiveAuth::Bearer => "bearer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(ArchiveAuth::None),
            "basic" => Some(ArchiveAuth::Basic),
            "bearer" => Some(ArchiveAuth::Bearer),
            _ => None,
        }
    }
}

/// The archive connection as the admin page shows it. The password or token never goes back
/// to the browser: `has_secret` says whether one is stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ArchiveSettingsView {
    pub base_url: String,
    pub auth: ArchiveAuth,
    pub username: String,
    pub has_secret: bool,
    pub timeout_secs: u32,
    /// Unix seconds of the last change; 0 when never configured.
    pub updated_at: i64,
}

/// What the archive answered to "test connection".
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArchiveCheck {
    pub ok: bool,
    /// Round trip of a one-study QIDO-RS search, milliseconds.
    pub millis: u64,
    /// Why it failed, when it did.
    pub problem: Option<ArchiveProblem>,
}

/// Why the archive could not be used, in words the admin and the expert can act on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum ArchiveProblem {
    /// No archive is configured yet.
    NotConfigured,
    /// Nobody answered at that address (refused, no route, name unknown).
    Unreachable,
    /// The archive did not answer within the configured timeout.
    Timeout,
    /// The archive refused our credentials (401/403).
    Refused,
    /// The archive answered with an HTTP error status.
    Status(u16),
    /// The archive answered something that is not DICOMweb.
    BadAnswer,
}

/// Search of the archive's studies (QIDO-RS).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ArchiveQuery {
    pub patient_id: String,
    pub patient_name: String,
    pub accession: String,
    /// `YYYY-MM-DD` or empty.
    pub date_from: String,
    /// `YYYY-MM-DD` or empty.
    pub date_to: String,
    /// e.g. "US"; empty for any.
    pub modality: String,
}

/// One study found in the archive. This is identifying data: it is shown to the expert who
/// searched and is never stored by SonoHub.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArchiveStudy {
    pub study_uid: String,
    pub patient_id: String,
    pub patient_name: String,
    pub accession: String,
    /// `YYYY-MM-DD` or empty.
    pub date: String,
    pub modalities: String,
    pub description: String,
    pub series: u32,
    pub instances: u32,
    /// Already imported: the anonymised study UID it landed on.
    pub imported_as: Option<String>,
}

/// Where a job's files come from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Archive,
    Upload,
    Cstore,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Archive => "archive",
            ImportKind::Upload => "upload",
            ImportKind::Cstore => "cstore",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "archive" => Some(ImportKind::Archive),
            "upload" => Some(ImportKind::Upload),
            "cstore" => Some(ImportKind::Cstore),
            _ => None,
        }
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Files are still arriving (a C-STORE association or an upload is open).
    Receiving,
    Queued,
    Running,
    /// Every item is imported, a duplicate, or failed with a reason.
    Done,
    /// The job itself could not go on (e.g. the archive is down); see `error`.
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Receiving => "receiving",
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "receiving" => Some(JobStatus::Receiving),
            "queued" => Some(JobStatus::Queued),
            "running" => Some(JobStatus::Running),
            "done" => Some(JobStatus::Done),
            "failed" => Some(JobStatus::Failed),
            _ => None,
        }
    }

    /// Still has work to do.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            JobStatus::Receiving | JobStatus::Queued | JobStatus::Running
        )
    }
}

/// Why one file or instance was not imported. Stored with the item and translated in the
/// browser; the details never carry patient data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum ImportFailure {
    /// Not a DICOM Part 10 file.
    NotDicom,
    /// The file ends early or its structure is broken.
    Damaged,
    /// A DICOM object with no image (a structured report, an RT plan, a waveform): there is
    /// nothing to teach from, so it is not imported.
    NotAnImage,
    /// Larger than the configured limit (megabytes).
    TooLarge(u64),
    /// A deflated data set that inflates beyond the limit.
    DeflateBomb,
    /// More pixels in all frames than the configured limit (megapixels).
    TooManyPixels(u64),
    /// A zip entry whose path would land outside the upload.
    UnsafePath,
    /// Pixel data SonoHub cannot clean (named transfer syntax or layout).
    Unsupported(String),
    /// No Sequence of Ultrasound Regions and no device mask: the burned-in text cannot be
    /// located, so nothing is guessed.
    NoImageArea,
    /// The PHI check found an identifying value in this element of the output.
    PhiFound(String),
    /// A masked pixel was not blank in this frame after cleaning.
    PixelsNotBlank(u32),
    /// The archive could not be reached or answered an error while fetching.
    Archive(ArchiveProblem),
    /// The file never fully arrived (connection dropped).
    Incomplete,
    /// Storage failed on our side; the log has the cause.
    Storage,
}

/// An import job with its counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImportJob {
    pub id: crate::JobId,
    pub kind: ImportKind,
    pub status: JobStatus,
    /// What was asked for, without patient data.
    pub label: JobLabel,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub total: u32,
    pub pending: u32,
    pub imported: u32,
    pub duplicate: u32,
    pub failed: u32,
    /// Waiting in the quarantine for an expert to mark the image area.
    pub held: u32,
    /// Why the job stopped, when it failed as a whole.
    pub error: Option<ImportFailure>,
    /// Anonymised studies this job produced or found.
    pub studies: Vec<String>,
}

/// What a job was asked to do, in words free of patient data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum JobLabel {
    /// Studies picked in an archive search.
    Archive { studies: u32 },
    /// Files uploaded in the browser.
    Upload,
    /// A C-STORE association from this calling AE title.
    Cstore { calling_ae: String },
}

/// Which instance or file an item is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ItemLabel {
    /// An archive instance: its series and instance numbers.
    Instance {
        series: Option<i64>,
        number: Option<i64>,
    },
    /// The n-th file received (from 1), when it came without a name (C-STORE, labels stored
    /// before names were kept) or its name is withheld from the viewer.
    File(u32),
    /// The n-th file received (from 1) under the name it was sent with. The name may name a
    /// patient, so it is shown only to the job's creator and to admins.
    Named {
        n: u32,
        /// The uploaded file's name; for a file picked in a folder, its path in the folder.
        file: String,
        /// For an entry of an uploaded zip (`file`): its path inside the zip.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entry: Option<String>,
    },
}

impl ItemLabel {
    /// The same item without the name it was sent with ("File n").
    pub fn without_name(self) -> ItemLabel {
        match self {
            ItemLabel::Named { n, .. } => ItemLabel::File(n),
            other => other,
        }
    }

    /// The name as shown: `archive.zip › dir/file.dcm` for a zip entry; `None` when unnamed.
    pub fn file_name(&self) -> Option<String> {
        match self {
            ItemLabel::Named {
                file,
                entry: Some(entry),
                ..
            } => Some(format!("{file} › {entry}")),
            ItemLabel::Named { file, .. } => Some(file.clone()),
            _ => None,
        }
    }
}

/// One instance or file of a job.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImportItem {
    pub seq: u32,
    /// Which instance or file, never a patient name.
    pub label: ItemLabel,
    pub status: ItemStatus,
    pub sop_uid: Option<String>,
    pub error: Option<ImportFailure>,
}

/// Where one item stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Pending,
    Imported,
    /// Already in SonoHub: nothing added.
    Duplicate,
    Failed,
    /// No image area is known: the file waits, still identified, in the quarantine until an
    /// expert marks the area (or a device mask for its scanner is saved).
    Held,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Pending => "pending",
            ItemStatus::Imported => "imported",
            ItemStatus::Duplicate => "duplicate",
            ItemStatus::Failed => "failed",
            ItemStatus::Held => "held",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ItemStatus::Pending),
            "imported" => Some(ItemStatus::Imported),
            "duplicate" => Some(ItemStatus::Duplicate),
            "failed" => Some(ItemStatus::Failed),
            "held" => Some(ItemStatus::Held),
            _ => None,
        }
    }
}

/// An anonymised study in SonoHub.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StudySummary {
    pub uid: String,
    /// Pseudonymous patient key: the same for every study of one source patient.
    pub patient_key: String,
    /// Shifted study date, `YYYY-MM-DD` or empty.
    pub date: String,
    pub modalities: String,
    pub description: String,
    pub series: u32,
    pub instances: u32,
    pub frames: u32,
    pub created_at: i64,
}

/// One stored instance, with where the browser fetches it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InstanceSummary {
    pub sop_uid: String,
    pub series_uid: String,
    pub series_number: Option<i64>,
    pub series_description: String,
    pub number: Option<i64>,
    /// `/dicom/{sha256}`.
    pub url: String,
    pub size: u64,
    pub transfer_syntax: String,
    pub width: u32,
    pub height: u32,
    pub frames: u32,
    pub masked_pixels: u64,
    /// Quality kept when lossy frames had to be re-encoded to clean them.
    pub psnr_db: Option<f64>,
}

/// A study with its instances.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StudyDetail {
    pub study: StudySummary,
    pub instances: Vec<InstanceSummary>,
}

/// A rectangle to black out, in pixels; both corners are inside it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct MaskRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl MaskRect {
    /// Width × height in pixels.
    pub fn area(&self) -> u64 {
        u64::from(self.x1.saturating_sub(self.x0) + 1)
            * u64::from(self.y1.saturating_sub(self.y0) + 1)
    }

    /// Whether the rectangle is well formed (corners in order) and lies inside a
    /// `columns` × `rows` image.
    pub fn fits(&self, columns: u32, rows: u32) -> bool {
        self.x0 <= self.x1 && self.y0 <= self.y1 && self.x1 < columns && self.y1 < rows
    }
}

/// A scanner model and image size: what a device mask applies to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Device {
    pub manufacturer: String,
    pub model: String,
    pub columns: u32,
    pub rows: u32,
}

impl Device {
    /// Whether a file's header names this device (manufacturer and model compared without
    /// case or surrounding spaces, the size exactly).
    pub fn matches(&self, manufacturer: &str, model: &str, columns: u32, rows: u32) -> bool {
        self.manufacturer
            .trim()
            .eq_ignore_ascii_case(manufacturer.trim())
            && self.model.trim().eq_ignore_ascii_case(model.trim())
            && self.columns == columns
            && self.rows == rows
    }
}

/// What SonoHub proposes as a held clip's image area (the pixels that move between frames).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct AreaProposal {
    pub rect: MaskRect,
    /// 0–1.
    pub confidence: f32,
    /// The moving area leaves the rectangle's corners still (a sector or curved probe).
    pub sector: bool,
}

/// Why no area was proposed for a held file.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NoAreaReason {
    /// One frame: nothing moves.
    SingleFrame,
    /// Nothing moves between the frames.
    Static,
    /// Things move, but not as one area.
    NoCoherentArea,
    /// What moves reaches every edge: nothing still frames the image (overlays change too).
    EverythingMoves,
    /// The frames could not be decoded here.
    Undecodable,
}

/// A file waiting in the quarantine: no Sequence of Ultrasound Regions and no device mask
/// says where its image is. It is still identified and is shown only to experts (the file name
/// only to whoever may see the job's names).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HeldFile {
    /// The item's id: the address of the file and of what is done with it.
    pub id: String,
    pub job: crate::JobId,
    pub job_kind: ImportKind,
    pub label: ItemLabel,
    pub device: Device,
    pub modality: String,
    pub frames: u32,
    pub photometric: String,
    pub held_at: i64,
    pub proposal: Result<AreaProposal, NoAreaReason>,
    /// An expert's area has been given; the file is queued again with it.
    pub released: bool,
}

/// Held files of one device, as the quarantine lists them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HeldDevice {
    pub device: Device,
    pub files: Vec<HeldFile>,
    /// The device's active mask, when one exists (its files were held before it was saved,
    /// or the mask leaves no image area for them).
    pub mask: Option<String>,
}

/// A device mask: where the image is on every file of one scanner model and image size (used
/// when a file carries no ultrasound regions), and rectangles to black out in any case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeviceMaskView {
    pub id: String,
    pub device: Device,
    /// The image area kept; everything outside is blacked out.
    pub keep: MaskRect,
    /// Rectangles blacked out inside the kept area (a banner over the image).
    pub remove: Vec<MaskRect>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_by: Option<String>,
    pub updated_at: i64,
    /// When an admin retired it; it is then never used again.
    pub retired_at: Option<i64>,
    /// Files cleaned with it so far.
    pub uses: u64,
    pub last_used_at: Option<i64>,
}

/// A read-only DICOMweb token as admins see it: who it is for and how it is used, never the
/// secret (only its first characters, to recognise it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DicomWebTokenView {
    pub id: String,
    /// What it is for, e.g. "OHIF teaching viewer".
    pub name: String,
    /// The person or service that holds it.
    pub holder: String,
    /// The secret's first characters.
    pub hint: String,
    /// Display name of the admin who issued it.
    pub created_by: Option<String>,
    pub created_at: i64,
    /// Requests answered with it.
    pub uses: u64,
    pub last_used_at: Option<i64>,
    /// When it was revoked; it is then refused.
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
}

/// A token just issued, with its secret: shown once, never stored in the clear.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IssuedToken {
    pub token: DicomWebTokenView,
    pub secret: String,
}

/// `YYYYMMDD` as `YYYY-MM-DD`; anything else as it is.
pub fn dicom_date_to_iso(da: &str) -> String {
    let da = da.trim();
    if da.len() == 8 && da.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &da[..4], &da[4..6], &da[6..])
    } else {
        da.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dicom_dates_read_as_iso() {
        assert_eq!(dicom_date_to_iso("20240131"), "2024-01-31");
        assert_eq!(dicom_date_to_iso(""), "");
        assert_eq!(dicom_date_to_iso("2024"), "2024");
    }

    #[test]
    fn item_labels_stored_before_names_still_read_and_names_can_be_withheld() {
        let old: ItemLabel = serde_json::from_str(r#"{"file":3}"#).unwrap();
        assert_eq!(old, ItemLabel::File(3));
        let plain: ItemLabel =
            serde_json::from_str(r#"{"named":{"n":1,"file":"颈动脉 左.dcm"}}"#).unwrap();
        assert_eq!(plain.file_name().as_deref(), Some("颈动脉 左.dcm"));
        let zipped = ItemLabel::Named {
            n: 2,
            file: "archive.zip".into(),
            entry: Some("series1/img1.dcm".into()),
        };
        let json = serde_json::to_string(&zipped).unwrap();
        assert_eq!(serde_json::from_str::<ItemLabel>(&json).unwrap(), zipped);
        assert_eq!(
            zipped.file_name().as_deref(),
            Some("archive.zip › series1/img1.dcm")
        );
        assert_eq!(zipped.without_name(), ItemLabel::File(2));
        assert_eq!(old.file_name(), None);
    }

    #[test]
    fn failures_round_trip_as_tagged_json() {
        let f = ImportFailure::PhiFound("(0010,0010) Patient's Name".into());
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains("\"kind\":\"phi_found\""), "{json}");
        assert_eq!(serde_json::from_str::<ImportFailure>(&json).unwrap(), f);
        let a = ImportFailure::Archive(ArchiveProblem::Status(503));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<ImportFailure>(&json).unwrap(), a);
    }
}
