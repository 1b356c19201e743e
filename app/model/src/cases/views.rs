//! A case as it is shown: the expert's working copy, the published read and its versions.
use super::{Application, CaseContent, CaseId, CaseStatus, Concordance, FollowUp, ReviewEvent};
use crate::UserId;
use serde::{Deserialize, Serialize};

/// The whole case as an expert works on it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseWork {
    pub id: CaseId,
    pub study_uid: String,
    pub status: CaseStatus,
    pub author_id: UserId,
    pub author_name: String,
    pub content: CaseContent,
    /// The version number the next publication gets.
    pub next_version: u32,
    pub published_version: Option<u32>,
    pub history: Vec<ReviewEvent>,
    pub updated_at: i64,
}

/// A published case as anyone signed in reads it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseView {
    pub id: CaseId,
    pub version: u32,
    pub status: CaseStatus,
    pub content: CaseContent,
    /// Teaching points rendered from Markdown and sanitised.
    pub teaching_html: String,
    /// The differential diagnosis, rendered the same way.
    pub differential_html: String,
    pub application: Application,
    pub site_code: String,
    pub site_name_zh: String,
    pub site_name_en: String,
    pub author_name: String,
    pub published_at: i64,
    pub follow_ups: Vec<FollowUp>,
    pub concordance: Concordance,
    /// Clip URLs by SOP instance UID.
    pub clip_urls: Vec<(String, String)>,
    /// The reader's own earlier unknown-case attempts.
    pub my_attempts: u32,
}

/// A changed field between two versions, with both values as shown text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A published version's header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VersionInfo {
    pub version: u32,
    pub published_by: String,
    pub published_at: i64,
    pub title: String,
}
