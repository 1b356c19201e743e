//! The audit trail as the admin reads it.
use serde::{Deserialize, Serialize};

/// One recorded action.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditEvent {
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    /// Username of who acted, when known.
    pub actor: Option<String>,
    /// Machine name of the action, e.g. `user_created`.
    pub action: String,
    /// Username, site code or id of what was acted on.
    pub subject: Option<String>,
    /// JSON with the particulars.
    pub detail: String,
}
