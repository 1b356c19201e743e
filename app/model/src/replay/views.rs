//! What the replay pages and server functions exchange.
use super::Timeline;
use crate::{CaseId, CaseStatus, ReplayId};
use serde::{Deserialize, Serialize};

/// A replay in a list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReplaySummary {
    pub id: ReplayId,
    pub title: String,
    pub status: CaseStatus,
    pub author: String,
    pub language: String,
    pub duration_ms: u64,
    pub chapters: u32,
    pub voices: u32,
    /// Recorded from a live guidance session (two sides) rather than by one expert.
    pub from_session: bool,
    pub case_id: Option<CaseId>,
    pub application: Option<String>,
    pub updated_at: String,
}

/// The clip a replay plays over, as the browser fetches it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplayClip {
    /// An anonymised DICOM clip: `url` is its blob address.
    Dicom { sop_uid: String, url: String },
    /// A screen recording played by a `<video>` element; frames count at `frame_rate`.
    Video {
        url: String,
        mime: String,
        frame_rate: f64,
    },
}

/// A voice track, as the browser fetches it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VoiceTrack {
    pub url: String,
    pub mime: String,
    pub speaker: String,
    pub by: u8,
    /// Timeline time at which the recording's start plays.
    pub offset_ms: i64,
}

/// A replay with everything its player needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReplayView {
    pub id: ReplayId,
    pub title: String,
    /// Markdown source (the page renders it sanitised as `summary_html`).
    pub summary: String,
    pub summary_html: String,
    pub language: String,
    pub status: CaseStatus,
    pub author: String,
    pub clip: ReplayClip,
    pub voices: Vec<VoiceTrack>,
    pub timeline: Timeline,
    pub case_id: Option<CaseId>,
    pub case_title: Option<String>,
    /// The signed-in person may edit it (its author while not published, or any expert).
    pub can_edit: bool,
    /// The signed-in person may publish it (an expert who is not its author).
    pub can_publish: bool,
    pub updated_at: String,
}

/// A voice track being saved: a media blob uploaded with `POST /replays/media`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VoiceDraft {
    pub media: String,
    pub speaker: String,
    #[serde(default)]
    pub by: u8,
    #[serde(default)]
    pub offset_ms: i64,
}

/// What the recorder and editor save.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReplayDraft {
    /// `None` makes a new replay.
    pub id: Option<ReplayId>,
    pub title: String,
    pub summary: String,
    pub language: String,
    /// The DICOM clip (SOP Instance UID of an anonymised instance).
    pub sop_uid: String,
    pub case_id: Option<CaseId>,
    pub voices: Vec<VoiceDraft>,
    pub timeline: Timeline,
}

/// A learner's or expert's comment at a time of a replay.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReplayComment {
    pub id: i64,
    pub author: String,
    pub t_ms: u64,
    pub body: String,
    pub created_at: String,
    pub mine: bool,
}

/// A media file accepted by `POST /replays/media`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MediaUpload {
    pub media: String,
    pub mime: String,
    pub bytes: u64,
}
