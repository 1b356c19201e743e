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
    /// The door it came through.
    pub via: AuditVia,
}

/// The door an audited action came through: the web app, a DICOMweb client, a scanner's
/// C-STORE, or a background job acting on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditVia {
    Web,
    DicomWeb,
    CStore,
    Job,
}

impl AuditVia {
    pub const ALL: [AuditVia; 4] = [
        AuditVia::Web,
        AuditVia::DicomWeb,
        AuditVia::CStore,
        AuditVia::Job,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditVia::Web => "web",
            AuditVia::DicomWeb => "dicomweb",
            AuditVia::CStore => "c-store",
            AuditVia::Job => "job",
        }
    }

    /// The door a stored name records; `None` for names this version does not know.
    pub fn parse(name: &str) -> Option<AuditVia> {
        AuditVia::ALL.into_iter().find(|v| v.as_str() == name)
    }
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
    /// A background import ended (done, partly done or failed), with its counts.
    ImportFinished,
    /// Studies left through DICOMweb (a study, series or instance retrieve).
    StudyExported,
    /// An expert marked the image area of one held file and released it.
    HeldReleased,
    /// An expert discarded a held file (it is deleted, never imported).
    HeldDiscarded,
    /// A device mask was saved (from the quarantine or by an admin).
    DeviceMaskSaved,
    /// An admin changed a device mask's areas.
    DeviceMaskEdited,
    /// An admin retired a device mask.
    DeviceMaskRetired,
    /// A file was cleaned with a device mask.
    DeviceMaskUsed,
    /// An admin issued a DICOMweb token (subject: its id; detail: name and holder).
    DicomWebTokenIssued,
    /// An admin revoked a DICOMweb token.
    DicomWebTokenRevoked,
    /// An author saved a course's working copy.
    CourseSaved,
    /// An author published a course version.
    CoursePublished,
    /// An expert saved a question of the bank.
    QuestionSaved,
    /// An author saved a quiz.
    QuizSaved,
    /// A coordinator made a cohort (enrolling its site's learners).
    CohortSaved,
    /// A learner was enrolled in a course (or enrolled themselves).
    Enrolled,
    /// An expert saved a guidance replay (new, or a draft replaced).
    ReplaySaved,
    /// A replay moved through review (submitted, returned, published, retired).
    ReplayTransition,
    /// An expert deleted a draft replay.
    ReplayDiscarded,
    /// An expert imported a replay package as a draft.
    ReplayImported,
    /// An expert started a live guidance session and invited a learner.
    GuidanceStarted,
    /// A learner asked the hub for a live guidance session.
    GuidanceRequested,
    /// An expert took a learner's request for guidance.
    GuidanceInvited,
    /// The learner accepted a guidance session: it is live.
    GuidanceAccepted,
    /// The learner declined a guidance session (or withdrew the request).
    GuidanceDeclined,
    /// The guide ended a live session; its replay draft was made.
    GuidanceEnded,
    /// A participant added their voice to an ended session's replay draft.
    GuidanceVoiceAttached,
    /// A coordinator added or changed an application and its review form.
    ApplicationSaved,
    /// A coordinator retired an application (no new logbook entries).
    ApplicationRetired,
    /// A learner submitted a logged scan for review.
    LogbookSubmitted,
    /// An expert reviewed a logged scan (first or second review).
    ScanReviewed,
    /// A follow-up settled a reviewed scan's finding and its verdict changed.
    VerdictSettled,
    /// A coordinator changed an application's credential rule.
    CredentialRuleSaved,
    /// A coordinator awarded a credential.
    CredentialAwarded,
    /// A coordinator withdrew a credential.
    CredentialRevoked,
}

impl AuditAction {
    pub const ALL: [AuditAction; 49] = [
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
        AuditAction::ImportFinished,
        AuditAction::StudyExported,
        AuditAction::HeldReleased,
        AuditAction::HeldDiscarded,
        AuditAction::DeviceMaskSaved,
        AuditAction::DeviceMaskEdited,
        AuditAction::DeviceMaskRetired,
        AuditAction::DeviceMaskUsed,
        AuditAction::DicomWebTokenIssued,
        AuditAction::DicomWebTokenRevoked,
        AuditAction::CourseSaved,
        AuditAction::CoursePublished,
        AuditAction::QuestionSaved,
        AuditAction::QuizSaved,
        AuditAction::CohortSaved,
        AuditAction::Enrolled,
        AuditAction::ReplaySaved,
        AuditAction::ReplayTransition,
        AuditAction::ReplayDiscarded,
        AuditAction::ReplayImported,
        AuditAction::GuidanceStarted,
        AuditAction::GuidanceRequested,
        AuditAction::GuidanceInvited,
        AuditAction::GuidanceAccepted,
        AuditAction::GuidanceDeclined,
        AuditAction::GuidanceEnded,
        AuditAction::GuidanceVoiceAttached,
        AuditAction::ApplicationSaved,
        AuditAction::ApplicationRetired,
        AuditAction::LogbookSubmitted,
        AuditAction::ScanReviewed,
        AuditAction::VerdictSettled,
        AuditAction::CredentialRuleSaved,
        AuditAction::CredentialAwarded,
        AuditAction::CredentialRevoked,
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
            AuditAction::ImportFinished => "import_finished",
            AuditAction::StudyExported => "study_exported",
            AuditAction::HeldReleased => "held_released",
            AuditAction::HeldDiscarded => "held_discarded",
            AuditAction::DeviceMaskSaved => "device_mask_saved",
            AuditAction::DeviceMaskEdited => "device_mask_edited",
            AuditAction::DeviceMaskRetired => "device_mask_retired",
            AuditAction::DeviceMaskUsed => "device_mask_used",
            AuditAction::DicomWebTokenIssued => "dicomweb_token_issued",
            AuditAction::DicomWebTokenRevoked => "dicomweb_token_revoked",
            AuditAction::CourseSaved => "course_saved",
            AuditAction::CoursePublished => "course_published",
            AuditAction::QuestionSaved => "question_saved",
            AuditAction::QuizSaved => "quiz_saved",
            AuditAction::CohortSaved => "cohort_saved",
            AuditAction::Enrolled => "enrolled",
            AuditAction::GuidanceStarted => "guidance_started",
            AuditAction::GuidanceRequested => "guidance_requested",
            AuditAction::GuidanceInvited => "guidance_invited",
            AuditAction::GuidanceAccepted => "guidance_accepted",
            AuditAction::GuidanceDeclined => "guidance_declined",
            AuditAction::GuidanceEnded => "guidance_ended",
            AuditAction::GuidanceVoiceAttached => "guidance_voice_attached",
            AuditAction::ReplaySaved => "replay_saved",
            AuditAction::ReplayTransition => "replay_transition",
            AuditAction::ReplayDiscarded => "replay_discarded",
            AuditAction::ReplayImported => "replay_imported",
            AuditAction::ApplicationSaved => "application_saved",
            AuditAction::ApplicationRetired => "application_retired",
            AuditAction::LogbookSubmitted => "logbook_submitted",
            AuditAction::ScanReviewed => "scan_reviewed",
            AuditAction::VerdictSettled => "verdict_settled",
            AuditAction::CredentialRuleSaved => "credential_rule_saved",
            AuditAction::CredentialAwarded => "credential_awarded",
            AuditAction::CredentialRevoked => "credential_revoked",
        }
    }

    /// The action a stored name records; `None` for names this version does not know.
    pub fn parse(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::{AuditAction, AuditVia};

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

    #[test]
    fn doors_round_trip() {
        for via in AuditVia::ALL {
            assert_eq!(AuditVia::parse(via.as_str()), Some(via));
        }
        assert_eq!(AuditVia::parse("ftp"), None);
    }
}
