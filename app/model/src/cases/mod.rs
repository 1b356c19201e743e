//! Teaching cases: their authored content (versioned), workflow, follow-up outcomes,
//! consultation, unknown-case attempts and the network's outcome tables.
mod consultation;
mod content;
mod outcomes;
mod puzzle;
mod search;
mod validation;
mod views;
mod workflow;

pub use consultation::{CaseComment, FrameRef, Notification};
pub use content::{AgeBand, Application, Call, CaseClip, CaseContent, Difficulty, Sex};
pub use outcomes::{
    Concordance, FollowUp, FollowUpInput, FollowUpKind, GradeOutcomeRow, OutcomeTables,
    TiradsOutcomeRow, bethesda_malignant, concordance, settled_malignancy,
};
pub use puzzle::{AttemptInput, CasePuzzle, PuzzleKind, Reveal};
pub use search::{CasePage, CaseQuery, CaseSort, CaseSummary};
pub use validation::limits;
pub use views::{CaseView, CaseWork, FieldChange, VersionInfo};
pub use workflow::{CaseId, CaseStatus, ReviewAction, ReviewEvent, Transition};
