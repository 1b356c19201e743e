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

/// What an audit event records. The stored name (`as_str`) is what the audit log keeps and
/// the admin's page translates; every entry point (web, DICOMweb, C-STORE, command line,
/// background jobs) records through this one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    SignIn,
    PasswordChanged,
    PasswordReset,
    UserCreated,
    UserEnabled,
    UserDisabled,
    SiteUpdated,
    ArchiveConfigured,
    ImportStarted,
    ImportRetried,
    InstanceRemasked,
    CaseCreated,
    CaseTransition,
    CaseFollowUp,
}

impl AuditAction {
    pub const ALL: [AuditAction; 14] = [
        AuditAction::SignIn,
        AuditAction::PasswordChanged,
        AuditAction::PasswordReset,
        AuditAction::UserCreated,
        AuditAction::UserEnabled,
        AuditAction::UserDisabled,
        AuditAction::SiteUpdated,
        AuditAction::ArchiveConfigured,
        AuditAction::ImportStarted,
        AuditAction::ImportRetried,
        AuditAction::InstanceRemasked,
        AuditAction::CaseCreated,
        AuditAction::CaseTransition,
        AuditAction::CaseFollowUp,
    ];

    /// The stored name (kept as the log has always written it).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::UserCreated => "user_created",
            AuditAction::UserEnabled => "user_enabled",
            AuditAction::UserDisabled => "user_disabled",
            AuditAction::SiteUpdated => "site_updated",
            AuditAction::ArchiveConfigured => "archive_configured",
            AuditAction::ImportStarted => "import_started",
            AuditAction::ImportRetried => "import_retried",
            AuditAction::InstanceRemasked => "instance_remasked",
            AuditAction::CaseCreated => "case.create",
            AuditAction::CaseTransition => "case.transition",
            AuditAction::CaseFollowUp => "case.follow_up",
        }
    }

    /// The action a stored name records; `None` for names this version does not know.
    pub fn parse(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn stored_names_are_distinct_and_round_trip() {
        let names: std::collections::HashSet<_> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len());
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("user_deleted"), None);
    }
}
