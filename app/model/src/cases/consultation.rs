//! Consultation on published cases: comments, their frame references and notifications.
use super::CaseId;
use crate::{Role, UserId};
use serde::{Deserialize, Serialize};

/// A comment's pointer into a clip.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FrameRef {
    pub sop_uid: String,
    pub frame: u32,
}

/// A consultation comment on a published case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseComment {
    pub id: String,
    pub author_id: UserId,
    pub author_name: String,
    pub author_role: Role,
    pub body: String,
    pub frame: Option<FrameRef>,
    pub is_answer: bool,
    pub created_at: i64,
}

/// One of a user's in-app notifications.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Notification {
    pub id: String,
    pub case_id: CaseId,
    pub case_title: String,
    pub actor_name: String,
    /// "reply", "answer", "review", "published", "changes_requested".
    pub kind: String,
    pub excerpt: String,
    pub read: bool,
    pub created_at: i64,
}
