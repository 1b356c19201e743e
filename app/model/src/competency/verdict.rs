//! Judging a learner's interpretation: field by field against the reviewer's own reading, and
//! later against the finding a follow-up settles (FNA, pathology, repeat imaging ...).
use super::{Answer, FieldKind, FormField, Interpretation, ReviewForm};
use serde::{Deserialize, Serialize};

/// The verdict on a learner's interpretation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The reviewer reads the scan as the learner did.
    Agree,
    Disagree,
    /// The reviewer sees a finding the learner called negative.
    MissedFinding,
    /// Against a settled reference: the learner called a finding that was there.
    TruePositive,
    /// The learner called a finding that was not there.
    FalsePositive,
    /// The learner called no finding and there was none.
    TrueNegative,
    /// The learner called no finding and there was one.
    FalseNegative,
}

impl Verdict {
    pub const ALL: [Verdict; 7] = [
        Verdict::Agree,
        Verdict::Disagree,
        Verdict::MissedFinding,
        Verdict::TruePositive,
        Verdict::FalsePositive,
        Verdict::TrueNegative,
        Verdict::FalseNegative,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::Disagree => "disagree",
            Verdict::MissedFinding => "missed_finding",
            Verdict::TruePositive => "true_positive",
            Verdict::FalsePositive => "false_positive",
            Verdict::TrueNegative => "true_negative",
            Verdict::FalseNegative => "false_negative",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Counts towards the interpretation-agreement rule: the reviewer agreed, or the
    /// reference bore the learner out.
    pub fn agrees(self) -> bool {
        matches!(
            self,
            Verdict::Agree | Verdict::TruePositive | Verdict::TrueNegative
        )
    }

    /// Judged against a settled reference rather than a reviewer's reading.
    pub fn is_against_reference(self) -> bool {
        matches!(
            self,
            Verdict::TruePositive
                | Verdict::FalsePositive
                | Verdict::TrueNegative
                | Verdict::FalseNegative
        )
    }
}

/// A reading reduced to whether it reports a finding, as a follow-up can settle it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCall {
    Positive,
    Negative,
}

/// How the learner's answer to one field compares with the reviewer's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldAgreement {
    pub key: String,
    /// Both gave the same answer (in every window).
    pub agrees: bool,
    /// For a per-window field, the indexes (in the form's order) of the windows that differ.
    #[serde(default)]
    pub differing_windows: Vec<usize>,
    /// The reviewer reports a finding here (in some window) that the learner called negative.
    pub missed: bool,
}

/// Compares two interpretations of the same scan field by field, in the form's order. Both are
/// expected to have passed `validate_interpretation`; a field either left unanswered counts as
/// a disagreement.
pub fn compare(
    form: &ReviewForm,
    learner: &Interpretation,
    reviewer: &Interpretation,
) -> Vec<FieldAgreement> {
    form.fields
        .iter()
        .map(|field| {
            compare_field(
                field,
                learner.answers.get(&field.key),
                reviewer.answers.get(&field.key),
            )
        })
        .collect()
}

fn compare_field(
    field: &FormField,
    ours: Option<&Answer>,
    theirs: Option<&Answer>,
) -> FieldAgreement {
    let (differing_windows, missed) = match (&field.kind, ours, theirs) {
        (
            FieldKind::PerWindow {
                windows, negative, ..
            },
            Some(Answer::PerWindow(ours)),
            Some(Answer::PerWindow(theirs)),
        ) => {
            let differing: Vec<usize> = (0..windows.len())
                .filter(|&i| ours.get(&windows[i]) != theirs.get(&windows[i]))
                .collect();
            // Window by window: a finding missed in one window is missed even when the
            // learner called another window positive.
            let missed = differing.iter().any(|&i| {
                let window = &windows[i];
                ours.get(window).is_some_and(|v| negative.contains(v))
                    && theirs.get(window).is_some_and(|v| !negative.contains(v))
            });
            (differing, missed)
        }
        _ => {
            let positive = |answer: Option<&Answer>| answer.and_then(|a| field.kind.is_positive(a));
            let missed = positive(ours) == Some(false) && positive(theirs) == Some(true);
            (Vec::new(), missed)
        }
    };
    FieldAgreement {
        key: field.key.clone(),
        agrees: ours.is_some() && ours == theirs,
        differing_windows,
        missed,
    }
}

/// The verdict a comparison suggests to the reviewer, who may change it: agree when every
/// field agrees, a missed finding when any field missed one (it weighs more than any other
/// difference), disagree otherwise.
pub fn proposed_verdict(fields: &[FieldAgreement]) -> Verdict {
    if fields.iter().all(|f| f.agrees) {
        Verdict::Agree
    } else if fields.iter().any(|f| f.missed) {
        Verdict::MissedFinding
    } else {
        Verdict::Disagree
    }
}

/// The interpretation's overall call: positive when any field taking part in the call reports
/// a finding, negative when they all answer without one; `None` when no answered field takes
/// part (the form marks no negative options or positive levels).
pub fn finding_call(form: &ReviewForm, interpretation: &Interpretation) -> Option<FindingCall> {
    let calls: Vec<bool> = form
        .fields
        .iter()
        .filter_map(|field| {
            let answer = interpretation.answers.get(&field.key)?;
            field.kind.is_positive(answer)
        })
        .collect();
    match (calls.is_empty(), calls.contains(&true)) {
        (true, _) => None,
        (false, true) => Some(FindingCall::Positive),
        (false, false) => Some(FindingCall::Negative),
    }
}

/// The verdict on the learner's call once a follow-up settles whether the finding was there.
pub fn reference_verdict(learner: FindingCall, settled: FindingCall) -> Verdict {
    match (learner, settled) {
        (FindingCall::Positive, FindingCall::Positive) => Verdict::TruePositive,
        (FindingCall::Positive, FindingCall::Negative) => Verdict::FalsePositive,
        (FindingCall::Negative, FindingCall::Negative) => Verdict::TrueNegative,
        (FindingCall::Negative, FindingCall::Positive) => Verdict::FalseNegative,
    }
}
