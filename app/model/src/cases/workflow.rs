//! A case's identity and curation workflow: statuses, review history and the transition table.
use serde::{Deserialize, Serialize};

pub use crate::ids::CaseId;

/// Where a case is in curation. Learners only ever see a case's last published version.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Draft,
    InReview,
    Published,
    Retired,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Draft,
        CaseStatus::InReview,
        CaseStatus::Published,
        CaseStatus::Retired,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Draft => "draft",
            CaseStatus::InReview => "in_review",
            CaseStatus::Published => "published",
            CaseStatus::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What happened to a case in curation, shown to experts only.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    Created,
    Submitted,
    Withdrawn,
    Commented,
    ChangesRequested,
    Published,
    Revised,
    Retired,
    Reopened,
}

impl ReviewAction {
    pub const ALL: [ReviewAction; 9] = [
        ReviewAction::Created,
        ReviewAction::Submitted,
        ReviewAction::Withdrawn,
        ReviewAction::Commented,
        ReviewAction::ChangesRequested,
        ReviewAction::Published,
        ReviewAction::Revised,
        ReviewAction::Retired,
        ReviewAction::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewAction::Created => "created",
            ReviewAction::Submitted => "submitted",
            ReviewAction::Withdrawn => "withdrawn",
            ReviewAction::Commented => "commented",
            ReviewAction::ChangesRequested => "changes_requested",
            ReviewAction::Published => "published",
            ReviewAction::Revised => "revised",
            ReviewAction::Retired => "retired",
            ReviewAction::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewAction> {
        ReviewAction::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One entry of a case's curation history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReviewEvent {
    pub action: ReviewAction,
    pub actor_name: String,
    pub body: String,
    pub version: Option<u32>,
    pub at: i64,
}

/// A workflow step an expert asks for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Submit,
    Withdraw,
    RequestChanges,
    Publish,
    Revise,
    Retire,
    Reopen,
}

impl Transition {
    /// Every step, in the order the editor offers them (retiring last).
    pub const ALL: [Transition; 7] = [
        Transition::Submit,
        Transition::Withdraw,
        Transition::RequestChanges,
        Transition::Publish,
        Transition::Revise,
        Transition::Reopen,
        Transition::Retire,
    ];

    /// The status a case must be in and the one it moves to.
    pub fn from_to(self) -> (&'static [CaseStatus], CaseStatus) {
        use CaseStatus::*;
        match self {
            Transition::Submit => (&[Draft], InReview),
            Transition::Withdraw => (&[InReview], Draft),
            Transition::RequestChanges => (&[InReview], Draft),
            Transition::Publish => (&[InReview], Published),
            Transition::Revise => (&[Published], Draft),
            Transition::Retire => (&[Published, Draft, InReview], Retired),
            Transition::Reopen => (&[Retired], Draft),
        }
    }

    /// Only the author may do it (the others are for reviewers or any expert).
    pub fn author_only(self) -> bool {
        matches!(
            self,
            Transition::Submit | Transition::Withdraw | Transition::Revise | Transition::Reopen
        )
    }

    /// What the step is recorded as in the case's history.
    pub fn action(self) -> ReviewAction {
        match self {
            Transition::Submit => ReviewAction::Submitted,
            Transition::Withdraw => ReviewAction::Withdrawn,
            Transition::RequestChanges => ReviewAction::ChangesRequested,
            Transition::Publish => ReviewAction::Published,
            Transition::Revise => ReviewAction::Revised,
            Transition::Retire => ReviewAction::Retired,
            Transition::Reopen => ReviewAction::Reopened,
        }
    }

    /// The author may not do it: review is by another expert.
    pub fn reviewer_only(self) -> bool {
        matches!(self, Transition::RequestChanges | Transition::Publish)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_keeps_review_away_from_the_author() {
        assert!(Transition::Publish.reviewer_only() && Transition::RequestChanges.reviewer_only());
        assert!(Transition::Submit.author_only() && !Transition::Submit.reviewer_only());
        assert_eq!(
            Transition::Publish.from_to(),
            (&[CaseStatus::InReview][..], CaseStatus::Published)
        );
        assert!(!Transition::Publish.from_to().0.contains(&CaseStatus::Draft));
    }

    #[test]
    fn every_status_allows_exactly_its_steps() {
        use CaseStatus::*;
        use Transition::*;
        let steps = Transition::ALL;
        let allowed = [
            (Draft, vec![Submit, Retire]),
            (InReview, vec![Withdraw, RequestChanges, Publish, Retire]),
            (Published, vec![Revise, Retire]),
            (Retired, vec![Reopen]),
        ];
        for (status, expected) in allowed {
            let possible: Vec<Transition> = steps
                .into_iter()
                .filter(|t| t.from_to().0.contains(&status))
                .collect();
            assert_eq!(possible, expected, "from {status:?}");
        }
        for step in steps {
            assert!(
                !(step.author_only() && step.reviewer_only()),
                "{step:?} would be impossible"
            );
            // Only publishing makes a case visible to learners.
            assert_eq!(step.from_to().1 == Published, step == Publish, "{step:?}");
        }
        let mut actions: Vec<&str> = steps.iter().map(|t| t.action().as_str()).collect();
        actions.sort();
        actions.dedup();
        assert_eq!(
            actions.len(),
            steps.len(),
            "each step is its own history entry"
        );
    }
}
