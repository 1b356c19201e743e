//! Every statistic against a hand computation, with Moodle's blanks where a figure is
//! undefined.
use super::*;

/// `actual` is `Some` and within rounding of `expected`.
#[track_caller]
fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap_or_else(|| panic!("expected {expected}, got None"));
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "expected {expected}, got {actual}"
    );
}

fn slot(max_mark: f64, random_guess: Option<f64>) -> Slot {
    Slot {
        max_mark,
        random_guess,
    }
}

// Five attempts at three slots worth 1, 1 and 2 marks (quiz maximum 4); random guesses of a
// four-option single choice (¼), a true/false (½) and a hotspot (none).
//
//            x₁  x₂  x₃   X
//   A         0   0   0   0
//   B         0   0   1   1
//   C         0   1   0   1
//   D         1   0   1   2
//   E         1   0   2   3
//
// Totals: X̄ = 7/5 = 1.4, deviations −1.4 −0.4 −0.4 0.6 1.6;
//   Σd² = 1.96+0.16+0.16+0.36+2.56 = 5.2, Var(X) = 5.2/4 = 1.3
//   Σd³ = −2.744−0.064−0.064+0.216+4.096 = 1.44
//   Σd⁴ = 3.8416+0.0256+0.0256+0.1296+6.5536 = 10.576
//   m₂ = 1.04, m₃ = 0.288, m₄ = 2.1152; k₂ = 5·1.04/4 = 1.3; k₃ = 25·0.288/12 = 0.6
//   skewness = 0.6/1.3^1.5; k₄ = 25·(6·2.1152 − 12·1.04²)/24 = 25·(−0.288)/24 = −0.3
//   kurtosis = −0.3/1.3² ; median 1; SD √1.3
//
// Slot 1: x̄ = 0.4, dev −.4 −.4 −.4 .6 .6, Σ = 1.2 → Var .3
//   X₋₁ = 0 1 1 1 2, mean 1, dev −1 0 0 0 1, Σ = 2 → Var .5
//   Cov(x₁, X₋₁) = (.4 + .6)/4 = .25 → DI = 100·.25/√(.3·.5)
//   both already ascending → Cov_max = .25 → DE = 100 %
//   Cov(x₁, X) = (.56+.16+.16+.36+.96)/4 = 2.2/4 = .55
// Slot 2: x̄ = 0.2, dev −.2 −.2 .8 −.2 −.2, Σ = .8 → Var .2
//   X₋₂ = 0 1 0 2 3, mean 1.2, dev −1.2 −.2 −1.2 .8 1.8, Σ = 6.8 → Var 1.7
//   Cov(x₂, X₋₂) = (.24+.04−.96−.16−.36)/4 = −1.2/4 = −.3 → DI = −100·.3/√(.2·1.7)
//   sorted: x₂ 0 0 0 0 1, X₋₂ 0 0 1 2 3 → (.24+.24+.04−.16+1.44)/4 = .45 → DE = −.3/.45
//   Cov(x₂, X) = (.28+.08−.32−.12−.32)/4 = −.1: negative covariance
// Slot 3: x̄ = 0.8 (40 % of 2), dev −.8 .2 −.8 .2 1.2, Σ = 2.8 → Var .7
//   X₋₃ = 0 0 1 1 1, mean .6, dev −.6 −.6 .4 .4 .4, Σ = 1.2 → Var .3
//   Cov(x₃, X₋₃) = (.48−.12−.32+.08+.48)/4 = .15 → DI = 100·.15/√(.7·.3)
//   sorted: x₃ 0 0 1 1 2 → (.48+.48+.08+.08+.48)/4 = .4 → DE = .15/.4 = 37.5 %
//   Cov(x₃, X) = (1.12−.08+.32+.12+1.92)/4 = .85
// Check: .55 − .1 + .85 = 1.3 = Var(X).
// Effective weights over √.55 + √.85 (slot 2 left out, being negative).
// Alpha = 100·3/2·(1 − (.3+.2+.7)/1.3) = 150/13; error ratio = 100·√(1 − 3/26) = 100·√(23/26);
// standard error = √(23/26)·√1.3 = √1.15 marks, of 4.
fn fixture() -> QuizAnalysis {
    let slots = [slot(1.0, Some(0.25)), slot(1.0, Some(0.5)), slot(2.0, None)];
    let marks = vec![
        vec![0.0, 0.0, 0.0],
        vec![0.0, 0.0, 1.0],
        vec![0.0, 1.0, 0.0],
        vec![1.0, 0.0, 1.0],
        vec![1.0, 0.0, 2.0],
    ];
    analyse(&slots, &marks).unwrap()
}

#[test]
fn whole_quiz_figures_match_the_hand_computation() {
    let quiz = fixture().quiz;
    assert_eq!(quiz.attempts, 5);
    close(quiz.mean, 35.0);
    close(quiz.median, 25.0);
    close(quiz.sd, 100.0 * 1.3f64.sqrt() / 4.0);
    close(quiz.skewness, 0.6 / 1.3f64.powf(1.5));
    close(quiz.kurtosis, -0.3 / (1.3 * 1.3));
    close(quiz.alpha, 150.0 / 13.0);
    close(quiz.error_ratio, 100.0 * (23.0f64 / 26.0).sqrt());
    close(quiz.standard_error, 100.0 * 1.15f64.sqrt() / 4.0);
}

#[test]
fn slot_figures_match_the_hand_computation() {
    let items = fixture().items;
    let roots = 0.55f64.sqrt() + 0.85f64.sqrt();

    let first = &items[0];
    close(first.facility, 40.0);
    close(first.sd, 100.0 * 0.3f64.sqrt());
    close(first.random_guess, 25.0);
    close(first.intended_weight, 25.0);
    close(first.effective_weight, 100.0 * 0.55f64.sqrt() / roots);
    close(first.discrimination_index, 100.0 * 0.25 / 0.15f64.sqrt());
    close(first.discriminative_efficiency, 100.0);

    let second = &items[1];
    close(second.facility, 20.0);
    close(second.sd, 100.0 * 0.2f64.sqrt());
    close(second.random_guess, 50.0);
    close(second.intended_weight, 25.0);
    assert_eq!(second.effective_weight, None, "negative covariance");
    close(second.discrimination_index, -100.0 * 0.3 / 0.34f64.sqrt());
    close(second.discriminative_efficiency, -100.0 * 0.3 / 0.45);

    let third = &items[2];
    close(third.facility, 40.0);
    close(third.sd, 100.0 * 0.7f64.sqrt() / 2.0);
    assert_eq!(third.random_guess, None);
    close(third.intended_weight, 50.0);
    close(third.effective_weight, 100.0 * 0.85f64.sqrt() / roots);
    close(third.discrimination_index, 100.0 * 0.15 / 0.21f64.sqrt());
    close(third.discriminative_efficiency, 37.5);
}

#[test]
fn an_item_weaker_learners_get_right_is_flagged() {
    let items = fixture().items;
    // DI 64.5 %, DE 100 %: nothing to flag.
    assert!(items[0].flags.is_empty());
    assert_eq!(items[0].needs_checking, Some(NeedsChecking::Unlikely));
    assert_eq!(
        items[1].flags,
        vec![
            ItemFlag::NegativeCovariance,
            ItemFlag::NegativeDiscrimination,
            ItemFlag::LowDiscriminativeEfficiency,
        ]
    );
    assert_eq!(items[1].needs_checking, Some(NeedsChecking::VeryLikely));
    // DI 32.7 %: between 30 and 50.
    assert!(items[2].flags.is_empty());
    assert_eq!(items[2].needs_checking, Some(NeedsChecking::Likely));
}

// Four attempts at two one-mark slots; everyone gets slot 1 right.
//
//            x₁  x₂   X
//   A         1   0   1
//   B         1   1   2
//   C         1   0   1
//   D         1   1   2
//
// Slot 1 does not vary: Var(x₁) = 0, so no DI and Cov_max = 0, so no DE; Cov(x₁, X) = 0,
// an effective weight of 0. Slot 2's X₋₂ = x₁ does not vary either: no DI, no DE.
// Var(x₂) = 1/3 (Σd² = 4·¼ = 1), Cov(x₂, X) = 1/3, so slot 2 carries all the weight.
// X̄ = 1.5 (75 %), median 1.5, deviations ±½: Var(X) = 1/3, SD = √(1/3) of 2.
// Σd³ = 0 → skewness 0; m₂ = ¼, m₄ = 1/16, k₂ = 1/3,
// k₄ = 16·(5/16 − 9/16)/6 = −2/3 → kurtosis = (−2/3)/(1/9) = −6.
// Alpha = 100·2·(1 − (0 + 1/3)/(1/3)) = 0; error ratio 100; standard error = SD.
#[test]
fn an_item_everyone_gets_right_has_no_discrimination() {
    let slots = [slot(1.0, Some(0.5)), slot(1.0, Some(0.5))];
    let marks = vec![
        vec![1.0, 0.0],
        vec![1.0, 1.0],
        vec![1.0, 0.0],
        vec![1.0, 1.0],
    ];
    let QuizAnalysis { quiz, items } = analyse(&slots, &marks).unwrap();

    close(items[0].facility, 100.0);
    close(items[0].sd, 0.0);
    close(items[0].effective_weight, 0.0);
    close(items[1].effective_weight, 100.0);
    for item in &items {
        assert_eq!(item.discrimination_index, None);
        assert_eq!(item.discriminative_efficiency, None);
        assert_eq!(item.needs_checking, None);
        assert!(item.flags.is_empty());
    }

    close(quiz.mean, 75.0);
    close(quiz.median, 75.0);
    close(quiz.sd, 100.0 * (1.0f64 / 3.0).sqrt() / 2.0);
    close(quiz.skewness, 0.0);
    close(quiz.kurtosis, -6.0);
    close(quiz.alpha, 0.0);
    close(quiz.error_ratio, 100.0);
    close(quiz.standard_error, 100.0 * (1.0f64 / 3.0).sqrt() / 2.0);
}

// Three attempts whose totals are all 1: each slot is the other's mirror image.
// Var(X) = 0, so skewness, kurtosis and alpha are undefined; but x₁ = 1 0 1 against
// X₋₁ = x₂ = 0 1 0 correlates perfectly negatively: DI = −100 %.
#[test]
fn equal_totals_leave_the_shape_of_the_distribution_blank() {
    let slots = [slot(1.0, None), slot(1.0, None)];
    let marks = vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 0.0]];
    let QuizAnalysis { quiz, items } = analyse(&slots, &marks).unwrap();
    close(quiz.sd, 0.0);
    assert_eq!(quiz.skewness, None);
    assert_eq!(quiz.kurtosis, None);
    assert_eq!(quiz.alpha, None);
    assert_eq!(quiz.error_ratio, None);
    assert_eq!(quiz.standard_error, None);
    close(items[0].discrimination_index, -100.0);
    // Both covariances with X are 0: no weight to share out.
    assert_eq!(items[0].effective_weight, None);
}

#[test]
fn totals_that_only_differ_by_rounding_do_not_vary() {
    // Tenths do not add exactly in binary: 0.1 + 0.2 + 0.3 is 0.6000000000000001 and
    // 0.3 + 0.2 + 0.1 is 0.6. Every total is 0.6 all the same.
    let slots = [slot(1.0, None); 3];
    let marks = vec![
        vec![0.1, 0.2, 0.3],
        vec![0.3, 0.2, 0.1],
        vec![0.2, 0.2, 0.2],
    ];
    let quiz = analyse(&slots, &marks).unwrap().quiz;
    assert_eq!(quiz.skewness, None);
    assert_eq!(quiz.alpha, None);
}

#[test]
fn one_attempt_gives_means_but_no_spread() {
    let slots = [slot(1.0, None), slot(3.0, None)];
    let QuizAnalysis { quiz, items } = analyse(&slots, &[vec![1.0, 1.5]]).unwrap();
    assert_eq!(quiz.attempts, 1);
    close(quiz.mean, 62.5);
    close(quiz.median, 62.5);
    assert_eq!(quiz.sd, None);
    assert_eq!(quiz.skewness, None);
    close(items[1].facility, 50.0);
    assert_eq!(items[1].sd, None);
    assert_eq!(items[1].effective_weight, None);
    assert_eq!(items[1].discrimination_index, None);
}

#[test]
fn no_attempts_leave_all_but_the_design_blank() {
    let slots = [slot(1.0, Some(0.25)), slot(3.0, None)];
    let QuizAnalysis { quiz, items } = analyse(&slots, &[]).unwrap();
    assert_eq!(quiz.attempts, 0);
    assert_eq!(quiz.mean, None);
    assert_eq!(quiz.median, None);
    assert_eq!(items[0].facility, None);
    close(items[0].random_guess, 25.0);
    close(items[0].intended_weight, 25.0);
    close(items[1].intended_weight, 75.0);
}

#[test]
fn an_even_number_of_attempts_has_the_mean_of_the_middle_two_as_median() {
    let slots = [slot(10.0, None)];
    let marks = vec![vec![9.0], vec![1.0], vec![4.0], vec![2.0]];
    close(analyse(&slots, &marks).unwrap().quiz.median, 30.0);
}

#[test]
fn a_ragged_or_broken_table_is_refused() {
    let slots = [slot(1.0, None), slot(1.0, None)];
    assert_eq!(
        analyse(&slots, &[vec![1.0, 0.0], vec![1.0]]),
        Err(MarksError::RowLength {
            attempt: 1,
            expected: 2,
            got: 1
        })
    );
    assert_eq!(
        analyse(&slots, &[vec![1.0, f64::NAN]]),
        Err(MarksError::NotFinite {
            attempt: 0,
            slot: 1
        })
    );
    assert_eq!(
        analyse(&[slot(1.0, None), slot(-1.0, None)], &[]),
        Err(MarksError::MaxMark { slot: 1 })
    );
}

#[test]
fn option_shares_count_each_attempt_once_per_option() {
    // Option 1 is listed twice by one attempt; option 5 does not exist.
    let choices = vec![vec![0], vec![0, 2], vec![2], vec![1, 1], vec![5]];
    assert_eq!(option_shares(&choices, 3), vec![40.0, 20.0, 40.0]);
    assert_eq!(option_shares(&[], 3), vec![0.0, 0.0, 0.0]);
}
