//! Types shared by the browser and the server: ids, roles, people, sites and the one app error.
mod annotation;
pub mod archive;
mod audit;
pub mod calendar;
pub mod cases;
mod clips;
mod error;
mod ids;
mod people;
pub mod scores;
mod uid;

pub use annotation::{Annotation, Point, Shape};
pub use archive::{
    ArchiveAuth, ArchiveCheck, ArchiveProblem, ArchiveQuery, ArchiveSettingsView, ArchiveStudy,
    ImportFailure, ImportItem, ImportJob, ImportKind, InstanceSummary, ItemLabel, ItemStatus,
    JobLabel, JobStatus, MaskRect, StudyDetail, StudySummary,
};
pub use audit::{AuditAction, AuditEvent, AuditVia};
pub use cases::{AgeBand, Application, CaseId, CaseStatus, Difficulty, Sex};
pub use clips::DemoClip;
pub use error::{AppError, InvalidReason};
pub use ids::JobId;
pub use people::{
    CurrentUser, NewUser, Permission, Role, Site, SiteId, SiteKind, SitePeople, UserId,
    UserSummary, rules,
};
pub use uid::Uid;
