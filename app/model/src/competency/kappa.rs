//! Agreement between two reviewers beyond chance, for the scans both reviewed: Cohen's kappa
//! (1960) over categories such as verdicts, and the weighted kappa (Cohen 1968) over the
//! ordered 1–5 grade, where grading 4 against 5 is a smaller disagreement than 1 against 5.
//!
//! With oᵢⱼ the number of pairs rated i by the first reviewer and j by the second, rᵢ and cⱼ
//! the row and column totals, n the pairs and wᵢⱼ a disagreement weight (0 on the diagonal),
//! κ = 1 − (Σ wᵢⱼ oᵢⱼ / n) / (Σ wᵢⱼ rᵢ cⱼ / n²). With wᵢⱼ = 1 off the diagonal this is the
//! unweighted (pₒ − pₑ) / (1 − pₑ). Kappa is undefined (none) without pairs, or when the
//! expected disagreement is zero: both reviewers used one and the same category throughout,
//! so agreement by chance alone is certain.
use super::{Grade, ReviewerAgreement, Verdict};
use serde::{Deserialize, Serialize};

/// How a disagreement between grades i and j weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KappaWeights {
    /// Every disagreement weighs the same.
    Unweighted,
    /// |i − j| / 4.
    Linear,
    /// (i − j)² / 16.
    Quadratic,
}

impl KappaWeights {
    /// The weight of grades `i` and `j` (0-based), up to a common factor: kappa does not change
    /// when every weight is scaled, so the 1/4 and 1/16 are left out and sums stay exact.
    fn weight(self, i: usize, j: usize) -> u128 {
        let d = i.abs_diff(j) as u128;
        match self {
            KappaWeights::Unweighted => u128::from(d != 0),
            KappaWeights::Linear => d,
            KappaWeights::Quadratic => d * d,
        }
    }
}

/// One reviewer's review of a scan, as kappa compares it with another reviewer's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub grade: Grade,
    pub verdict: Verdict,
}

/// Unweighted Cohen's kappa over pairs of categorical ratings (first reviewer, second).
pub fn cohen_kappa<T: PartialEq>(pairs: &[(T, T)]) -> Option<f64> {
    let mut categories: Vec<&T> = Vec::new();
    let indexed: Vec<(usize, usize)> = pairs
        .iter()
        .map(|(a, b)| {
            (
                category_index(&mut categories, a),
                category_index(&mut categories, b),
            )
        })
        .collect();
    kappa(&indexed, categories.len(), KappaWeights::Unweighted)
}

/// The index of `value` among the categories seen so far, adding it when new.
fn category_index<'a, T: PartialEq>(categories: &mut Vec<&'a T>, value: &'a T) -> usize {
    categories
        .iter()
        .position(|c| *c == value)
        .unwrap_or_else(|| {
            categories.push(value);
            categories.len() - 1
        })
}

/// Cohen's kappa over pairs of 1–5 grades, weighted over the whole scale.
pub fn weighted_kappa(pairs: &[(Grade, Grade)], weights: KappaWeights) -> Option<f64> {
    let indexed: Vec<(usize, usize)> = pairs
        .iter()
        .map(|(a, b)| (usize::from(a.value() - 1), usize::from(b.value() - 1)))
        .collect();
    kappa(&indexed, Grade::ALL.len(), weights)
}

/// Every kappa the dashboards report for one reviewer pair.
pub fn reviewer_agreement(pairs: &[(Rating, Rating)]) -> ReviewerAgreement {
    let verdicts: Vec<(Verdict, Verdict)> =
        pairs.iter().map(|(a, b)| (a.verdict, b.verdict)).collect();
    let grades: Vec<(Grade, Grade)> = pairs.iter().map(|(a, b)| (a.grade, b.grade)).collect();
    ReviewerAgreement {
        pairs: u32::try_from(pairs.len()).unwrap_or(u32::MAX),
        verdict_kappa: cohen_kappa(&verdicts),
        grade_kappa: weighted_kappa(&grades, KappaWeights::Unweighted),
        grade_kappa_linear: weighted_kappa(&grades, KappaWeights::Linear),
        grade_kappa_quadratic: weighted_kappa(&grades, KappaWeights::Quadratic),
    }
}

/// Kappa over pairs of category indexes below `k`, in exact integer sums until the division.
fn kappa(pairs: &[(usize, usize)], k: usize, weights: KappaWeights) -> Option<f64> {
    let n = pairs.len() as u128;
    let mut rows = vec![0u128; k];
    let mut columns = vec![0u128; k];
    let mut observed = 0u128;
    for &(i, j) in pairs {
        rows[i] += 1;
        columns[j] += 1;
        observed += weights.weight(i, j);
    }
    let mut expected = 0u128;
    for (i, r) in rows.iter().enumerate() {
        for (j, c) in columns.iter().enumerate() {
            expected += weights.weight(i, j) * r * c;
        }
    }
    // κ = 1 − (observed / n) / (expected / n²) = 1 − observed·n / expected.
    (expected > 0).then(|| 1.0 - (observed * n) as f64 / expected as f64)
}
