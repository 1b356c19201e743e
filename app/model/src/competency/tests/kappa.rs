use super::*;

fn grade(value: u8) -> Grade {
    Grade::parse(value.into()).unwrap()
}

/// `count` copies of the pair (a, b).
fn repeat<T: Clone>(pairs: &mut Vec<(T, T)>, count: usize, a: T, b: T) {
    pairs.extend(std::iter::repeat_n((a, b), count));
}

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("kappa is defined");
    assert!(
        (actual - expected).abs() < 1e-12,
        "{actual} is not {expected}"
    );
}

/// Two reviewers' verdicts on 50 scans (rows: first reviewer, columns: second):
///
/// ```text
///               agree  disagree | total
///   agree         20       5    |   25
///   disagree      10      15    |   25
///   total         30      20    |   50
/// ```
///
/// pₒ = (20 + 15) / 50 = 0.7
/// pₑ = (25·30 + 25·20) / 50² = (750 + 500) / 2500 = 0.5
/// κ  = (0.7 − 0.5) / (1 − 0.5) = 0.2 / 0.5 = 0.4
#[test]
fn unweighted_kappa_of_a_two_by_two_table() {
    use Verdict::{Agree, Disagree};
    let mut pairs = Vec::new();
    repeat(&mut pairs, 20, Agree, Agree);
    repeat(&mut pairs, 5, Agree, Disagree);
    repeat(&mut pairs, 10, Disagree, Agree);
    repeat(&mut pairs, 15, Disagree, Disagree);
    close(cohen_kappa(&pairs), 0.4);
    // Which reviewer is "first" does not matter.
    let swapped: Vec<_> = pairs.iter().map(|&(a, b)| (b, a)).collect();
    close(cohen_kappa(&swapped), 0.4);
}

/// Two reviewers' grades on 20 scans (rows: first reviewer, columns: second):
///
/// ```text
///          1   2   3   4   5 | r
///     1    1   1   0   0   0 |  2
///     2    0   2   1   0   0 |  3
///     3    0   1   4   1   0 |  6
///     4    0   0   1   4   1 |  6
///     5    0   0   0   1   2 |  3
///     c    1   4   6   6   3 | 20
/// ```
///
/// Unweighted: pₒ = (1+2+4+4+2)/20 = 13/20 = 0.65;
/// pₑ = (2·1 + 3·4 + 6·6 + 6·6 + 3·3)/400 = 95/400 = 0.2375;
/// κ = (0.65 − 0.2375)/(1 − 0.2375) = 0.4125/0.7625 = 33/61 ≈ 0.540984.
///
/// Weighted, κ = 1 − Σw·o/n ÷ Σw·r·c/n², with disagreement weights d = |i − j| (linear) or d²
/// (quadratic); the 1/4 and 1/16 that scale them to 0–1 cancel out. Every off-diagonal cell
/// here holds one pair at d = 1, so Σd·o = Σd²·o = 7.
///
/// Σ rᵢ·cⱼ·|i−j|, row by row (cⱼ·|i−j| summed over j, times rᵢ):
///   r₁=2: 0+4+12+18+12 = 46 → 92;   r₂=3: 1+0+6+12+9 = 28 → 84;
///   r₃=6: 2+4+0+6+6 = 18 → 108;     r₄=6: 3+8+6+0+3 = 20 → 120;
///   r₅=3: 4+12+12+6+0 = 34 → 102;   total 506.
/// Linear κ = 1 − (7/20)/(506/400) = 1 − 2800/10120 = 1 − 70/253 = 183/253 ≈ 0.723320.
///
/// Σ rᵢ·cⱼ·(i−j)²:
///   r₁=2: 0+4+24+54+48 = 130 → 260;  r₂=3: 1+0+6+24+27 = 58 → 174;
///   r₃=6: 4+4+0+6+12 = 26 → 156;     r₄=6: 9+16+6+0+3 = 34 → 204;
///   r₅=3: 16+36+24+6+0 = 82 → 246;   total 1040.
/// Quadratic κ = 1 − (7/20)/(1040/400) = 1 − 2800/20800 = 1 − 7/52 = 45/52 ≈ 0.865385.
fn five_level_table() -> Vec<(Grade, Grade)> {
    let table = [
        [1, 1, 0, 0, 0],
        [0, 2, 1, 0, 0],
        [0, 1, 4, 1, 0],
        [0, 0, 1, 4, 1],
        [0, 0, 0, 1, 2],
    ];
    let mut pairs = Vec::new();
    for (i, row) in table.iter().enumerate() {
        for (j, count) in row.iter().enumerate() {
            repeat(&mut pairs, *count, grade(i as u8 + 1), grade(j as u8 + 1));
        }
    }
    assert_eq!(pairs.len(), 20);
    pairs
}

#[test]
fn weighted_kappa_of_a_five_level_table() {
    let pairs = five_level_table();
    close(
        weighted_kappa(&pairs, KappaWeights::Unweighted),
        33.0 / 61.0,
    );
    close(weighted_kappa(&pairs, KappaWeights::Linear), 183.0 / 253.0);
    close(weighted_kappa(&pairs, KappaWeights::Quadratic), 45.0 / 52.0);
    // Unweighted over grades is the categorical kappa.
    close(cohen_kappa(&pairs), 33.0 / 61.0);
}

#[test]
fn near_misses_weigh_less_than_far_ones() {
    // Every disagreement one grade apart, against every disagreement four grades apart.
    let near: Vec<_> = [(1, 2), (2, 1), (4, 5), (5, 4), (3, 3), (1, 1), (5, 5)]
        .into_iter()
        .map(|(a, b)| (grade(a), grade(b)))
        .collect();
    let far: Vec<_> = [(1, 5), (5, 1), (1, 5), (5, 1), (3, 3), (1, 1), (5, 5)]
        .into_iter()
        .map(|(a, b)| (grade(a), grade(b)))
        .collect();
    let linear = |pairs: &[(Grade, Grade)]| weighted_kappa(pairs, KappaWeights::Linear).unwrap();
    assert!(linear(&near) > linear(&far));
    assert!(
        weighted_kappa(&near, KappaWeights::Quadratic).unwrap() > linear(&near),
        "quadratic weights forgive a near miss more"
    );
}

#[test]
fn two_adjacent_grades_give_the_same_kappa_whatever_the_weights() {
    // With only grades 3 and 4 in use every disagreement has the same weight, and scaling
    // every weight does not change kappa.
    let mut pairs = Vec::new();
    repeat(&mut pairs, 20, grade(4), grade(4));
    repeat(&mut pairs, 5, grade(4), grade(3));
    repeat(&mut pairs, 10, grade(3), grade(4));
    repeat(&mut pairs, 15, grade(3), grade(3));
    for weights in [
        KappaWeights::Unweighted,
        KappaWeights::Linear,
        KappaWeights::Quadratic,
    ] {
        close(weighted_kappa(&pairs, weights), 0.4);
    }
}

#[test]
fn perfect_agreement_is_one_and_perfect_disagreement_minus_one() {
    let same = [(grade(2), grade(2)), (grade(4), grade(4))];
    close(weighted_kappa(&same, KappaWeights::Linear), 1.0);
    close(cohen_kappa(&same), 1.0);
    // pₒ = 0, pₑ = (1·1 + 1·1)/4 = 0.5: κ = (0 − 0.5)/(1 − 0.5) = −1.
    let crossed = [
        (Verdict::Agree, Verdict::Disagree),
        (Verdict::Disagree, Verdict::Agree),
    ];
    close(cohen_kappa(&crossed), -1.0);
}

#[test]
fn kappa_is_undefined_without_pairs_or_when_chance_agreement_is_certain() {
    let none: [(Verdict, Verdict); 0] = [];
    assert_eq!(cohen_kappa(&none), None);
    for weights in [
        KappaWeights::Unweighted,
        KappaWeights::Linear,
        KappaWeights::Quadratic,
    ] {
        assert_eq!(weighted_kappa(&[], weights), None);
        // Both reviewers gave every scan a 4: pₑ = 1.
        assert_eq!(weighted_kappa(&[(grade(4), grade(4)); 12], weights), None);
    }
    assert_eq!(cohen_kappa(&[(Verdict::Agree, Verdict::Agree); 3]), None);
}

#[test]
fn a_reviewer_pair_gets_every_kappa_at_once() {
    let grades = five_level_table();
    let pairs: Vec<(Rating, Rating)> = grades
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            // Both reviewers give the same verdict: agree on the first ten, disagree after.
            let verdict = if i < 10 {
                Verdict::Agree
            } else {
                Verdict::Disagree
            };
            (Rating { grade: a, verdict }, Rating { grade: b, verdict })
        })
        .collect();
    let agreement = reviewer_agreement(&pairs);
    assert_eq!(agreement.pairs, 20);
    close(agreement.verdict_kappa, 1.0);
    close(agreement.grade_kappa, 33.0 / 61.0);
    close(agreement.grade_kappa_linear, 183.0 / 253.0);
    close(agreement.grade_kappa_quadratic, 45.0 / 52.0);
    let empty = reviewer_agreement(&[]);
    assert_eq!(
        empty,
        ReviewerAgreement {
            pairs: 0,
            verdict_kappa: None,
            grade_kappa: None,
            grade_kappa_linear: None,
            grade_kappa_quadratic: None,
        }
    );
}
