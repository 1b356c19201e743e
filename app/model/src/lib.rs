//! Types shared by the browser and the server: ids, roles, people, sites and the one app error.
mod annotation;
pub mod archive;
mod audit;
pub mod calendar;
pub mod cases;
mod clips;
pub mod competency;
pub mod courses;
mod error;
pub mod guidance;
mod ids;
mod people;
pub mod quiz;
pub mod replay;
pub mod scores;
mod uid;

pub use annotation::{Annotation, Point, Shape};
pub use archive::{
    ArchiveAuth, ArchiveCheck, ArchiveProblem, ArchiveQuery, ArchiveSettingsView, ArchiveStudy,
    AreaProposal, Device, DeviceMaskView, DicomWebTokenView, HeldDevice, HeldFile, ImportFailure,
    ImportItem, ImportJob, ImportKind, InstanceSummary, IssuedToken, ItemLabel, ItemStatus,
    JobLabel, JobStatus, MaskRect, NoAreaReason, StudyDetail, StudySummary,
};
pub use audit::{AuditAction, AuditEvent, AuditVia};
pub use cases::{AgeBand, Application, CaseId, CaseStatus, Difficulty, Sex};
pub use clips::DemoClip;
pub use error::{AppError, InvalidReason};
pub use ids::{AttemptId, CohortId, CourseId, JobId, QuestionId, QuizId, ReplayId, SessionId};
pub use people::{
    CurrentUser, NewUser, Permission, Role, Site, SiteId, SiteKind, SitePeople, UserId,
    UserSummary, rules,
};
pub use uid::Uid;

/// The language of text an author wrote, for its `lang` attribute (WCAG 3.1.2): Chinese when
/// it holds Han characters, otherwise English. A screen reader then reads Chinese findings
/// with a Chinese voice in the English interface, and English terms in the Chinese one.
pub fn text_lang(text: &str) -> &'static str {
    let han = |c: char| matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}');
    if text.chars().any(han) { "zh" } else { "en" }
}

#[cfg(test)]
mod text_lang_tests {
    use super::text_lang;

    #[test]
    fn han_characters_make_text_chinese() {
        assert_eq!(
            text_lang("甲状腺乳头状癌 papillary thyroid carcinoma"),
            "zh"
        );
        assert_eq!(text_lang("右 ICA 起始段"), "zh");
        assert_eq!(text_lang("Papillary carcinoma, TI-RADS 5"), "en");
        assert_eq!(text_lang("50–69%"), "en");
    }
}
