//! Follow-up outcomes, the concordance they settle and the network's outcome tables.
use super::{Call, limits};
use crate::InvalidReason;
use crate::scores::{StenosisGrade, TiradsLevel};
use serde::{Deserialize, Serialize};

/// A kind of follow-up outcome.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    Fna,
    Histopathology,
    Surgery,
    Imaging,
    Clinical,
}

impl FollowUpKind {
    pub const ALL: [FollowUpKind; 5] = [
        FollowUpKind::Fna,
        FollowUpKind::Histopathology,
        FollowUpKind::Surgery,
        FollowUpKind::Imaging,
        FollowUpKind::Clinical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::Fna => "fna",
            FollowUpKind::Histopathology => "histopathology",
            FollowUpKind::Surgery => "surgery",
            FollowUpKind::Imaging => "imaging",
            FollowUpKind::Clinical => "clinical",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpKind> {
        FollowUpKind::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Tissue diagnoses settle benign versus malignant.
    pub fn is_pathology(self) -> bool {
        matches!(self, FollowUpKind::Histopathology | FollowUpKind::Surgery)
    }
}

/// Bethesda System for Reporting Thyroid Cytopathology, category I–VI.
pub fn bethesda_malignant(category: u8) -> Option<bool> {
    match category {
        2 => Some(false),
        6 => Some(true),
        _ => None,
    }
}

/// An outcome that arrived after the index exam.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FollowUp {
    pub id: String,
    pub kind: FollowUpKind,
    /// Days after the index exam (dates stay shifted, so only intervals are kept).
    pub day_offset: i32,
    /// Bethesda category I–VI (FNA only).
    pub bethesda: Option<u8>,
    /// Whether tissue or cytology showed malignancy, when it settled it.
    pub malignant: Option<bool>,
    /// Whether the outcome confirms the ultrasound impression (imaging, clinical).
    pub confirms: Option<bool>,
    pub summary: String,
    pub added_by: String,
    pub created_at: i64,
}

/// What an expert enters for a new follow-up.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FollowUpInput {
    pub kind: FollowUpKind,
    pub day_offset: i32,
    #[serde(default)]
    pub bethesda: Option<u8>,
    #[serde(default)]
    pub malignant: Option<bool>,
    #[serde(default)]
    pub confirms: Option<bool>,
    pub summary: String,
}

impl FollowUpInput {
    /// Checks ranges; FNA carries a Bethesda category and malignancy follows from it.
    pub fn normalise(mut self) -> Result<FollowUpInput, (String, InvalidReason)> {
        if !(0..=3650).contains(&self.day_offset) {
            return Err(("day_offset".into(), InvalidReason::BadFormat));
        }
        self.summary = self.summary.trim().to_string();
        if self.summary.is_empty() {
            return Err(("summary".into(), InvalidReason::Required));
        }
        if self.summary.chars().count() > limits::TEXT {
            return Err(("summary".into(), InvalidReason::TooLong));
        }
        match self.kind {
            FollowUpKind::Fna => {
                let category = self
                    .bethesda
                    .ok_or(("bethesda".to_string(), InvalidReason::Required))?;
                if !(1..=6).contains(&category) {
                    return Err(("bethesda".into(), InvalidReason::BadFormat));
                }
                self.malignant = bethesda_malignant(category);
            }
            _ if self.bethesda.is_some() => {
                return Err(("bethesda".into(), InvalidReason::BadFormat));
            }
            _ => {}
        }
        Ok(self)
    }
}

/// Whether the outcome bears the impression out.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Concordance {
    Concordant,
    Discordant,
    /// No outcome settles it yet.
    Pending,
}

/// The truth as the follow-ups tell it: tissue first, then cytology (Bethesda II or VI),
/// latest first within each.
pub fn settled_malignancy(follow_ups: &[FollowUp]) -> Option<bool> {
    let latest = |pathology: bool| {
        follow_ups
            .iter()
            .filter(|f| {
                f.kind.is_pathology() == pathology && (pathology || f.kind == FollowUpKind::Fna)
            })
            .filter_map(|f| f.malignant.map(|m| (f.day_offset, m)))
            .max_by_key(|(day, _)| *day)
            .map(|(_, m)| m)
    };
    latest(true).or_else(|| latest(false))
}

/// Concordance of the impression with the outcome: benign/malignant when both are known,
/// else the latest imaging or clinical follow-up that says whether it confirms.
pub fn concordance(call: Option<Call>, follow_ups: &[FollowUp]) -> Concordance {
    if let (Some(call), Some(malignant)) = (call, settled_malignancy(follow_ups)) {
        return if (call == Call::Malignant) == malignant {
            Concordance::Concordant
        } else {
            Concordance::Discordant
        };
    }
    let confirmed = follow_ups
        .iter()
        .filter_map(|f| f.confirms.map(|c| (f.day_offset, c)))
        .max_by_key(|(day, _)| *day);
    match confirmed {
        Some((_, true)) => Concordance::Concordant,
        Some((_, false)) => Concordance::Discordant,
        None => Concordance::Pending,
    }
}

/// A row of the TI-RADS-versus-malignancy table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TiradsOutcomeRow {
    pub level: TiradsLevel,
    pub cases: u32,
    pub malignant: u32,
}

/// A row of the carotid-grade-versus-outcome table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GradeOutcomeRow {
    pub grade: StenosisGrade,
    pub cases: u32,
    pub confirmed: u32,
    pub not_confirmed: u32,
    pub intervention: u32,
    pub pending: u32,
}

/// Network-level outcome tables and concordance counts over published cases.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutcomeTables {
    pub tirads: Vec<TiradsOutcomeRow>,
    pub carotid: Vec<GradeOutcomeRow>,
    pub concordant: u32,
    pub discordant: u32,
    pub pending: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn follow(
        kind: FollowUpKind,
        day: i32,
        malignant: Option<bool>,
        confirms: Option<bool>,
    ) -> FollowUp {
        FollowUp {
            id: String::new(),
            kind,
            day_offset: day,
            bethesda: None,
            malignant,
            confirms,
            summary: String::new(),
            added_by: String::new(),
            created_at: 0,
        }
    }

    #[test]
    fn tissue_outranks_cytology_and_later_outranks_earlier() {
        let fna_benign = follow(FollowUpKind::Fna, 10, Some(false), None);
        let histo_malignant = follow(FollowUpKind::Histopathology, 40, Some(true), None);
        assert_eq!(
            settled_malignancy(std::slice::from_ref(&fna_benign)),
            Some(false)
        );
        assert_eq!(
            settled_malignancy(&[histo_malignant.clone(), fna_benign.clone()]),
            Some(true)
        );
        // An FNA that came after surgery still does not overrule the tissue diagnosis.
        let late_fna = follow(FollowUpKind::Fna, 90, Some(false), None);
        assert_eq!(settled_malignancy(&[histo_malignant, late_fna]), Some(true));
        assert_eq!(
            settled_malignancy(&[follow(FollowUpKind::Imaging, 5, None, Some(true))]),
            None
        );
    }

    #[test]
    fn concordance_compares_the_call_with_the_settled_outcome() {
        let malignant = [follow(FollowUpKind::Surgery, 30, Some(true), None)];
        assert_eq!(
            concordance(Some(Call::Malignant), &malignant),
            Concordance::Concordant
        );
        assert_eq!(
            concordance(Some(Call::Benign), &malignant),
            Concordance::Discordant
        );
        assert_eq!(concordance(Some(Call::Benign), &[]), Concordance::Pending);
        // Indeterminate cytology settles nothing.
        let atypia = [follow(FollowUpKind::Fna, 14, None, None)];
        assert_eq!(
            concordance(Some(Call::Benign), &atypia),
            Concordance::Pending
        );
        // Without a call, the latest confirming follow-up decides.
        let imaging = [
            follow(FollowUpKind::Imaging, 3, None, Some(false)),
            follow(FollowUpKind::Clinical, 30, None, Some(true)),
        ];
        assert_eq!(concordance(None, &imaging), Concordance::Concordant);
    }

    #[test]
    fn fna_needs_a_bethesda_category_and_derives_malignancy() {
        let input = |bethesda| FollowUpInput {
            kind: FollowUpKind::Fna,
            day_offset: 12,
            bethesda,
            malignant: Some(true),
            confirms: None,
            summary: " Bethesda II ".into(),
        };
        assert_eq!(input(None).normalise().unwrap_err().0, "bethesda");
        assert_eq!(input(Some(7)).normalise().unwrap_err().0, "bethesda");
        let ok = input(Some(2)).normalise().unwrap();
        assert_eq!(
            (ok.malignant, ok.summary.as_str()),
            (Some(false), "Bethesda II")
        );
        assert_eq!(input(Some(4)).normalise().unwrap().malignant, None);
        let mut late = input(Some(6));
        late.day_offset = -1;
        assert_eq!(late.normalise().unwrap_err().0, "day_offset");
    }
}
