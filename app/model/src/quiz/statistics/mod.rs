//! Item analysis as Moodle's quiz statistics report computes it, from the marks of the
//! attempts counted (the caller picks them: first attempts, or all).
//!
//! With S attempts, xᵢ the mark on slot i, X the attempt's total and X₋ᵢ = X − xᵢ, every
//! variance and covariance is taken over (S − 1). The per-slot figures follow
//! `question/classes/statistics/questions/calculator.php` (`initial_question_walker`,
//! `secondary_steps_walker`, `secondary_question_walker`, `calculate`); the percentages and
//! flags follow `mod/quiz/report/statistics/statistics_table.php`; the whole-quiz figures
//! follow `mod/quiz/report/statistics/classes/calculator.php` and `classes/calculated.php`;
//! "needs checking" follows `question/bank/statistics/classes/helper.php`.
//!
//! Every figure is a percentage, as the report shows it, except skewness and kurtosis. A
//! figure Moodle leaves blank is `None`.
use serde::{Deserialize, Serialize};

/// A question's place in the quiz, as the analysis needs it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    /// The most the slot can score.
    pub max_mark: f64,
    /// What a random guess scores, as a fraction (see `question::random_guess_score`).
    pub random_guess: Option<f64>,
}

/// Why a table of marks cannot be analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum MarksError {
    #[error("attempt {attempt} has {got} marks for {expected} slots")]
    RowLength {
        attempt: usize,
        expected: usize,
        got: usize,
    },
    #[error("attempt {attempt} has no finite mark for slot {slot}")]
    NotFinite { attempt: usize, slot: usize },
    #[error("slot {slot} has no finite, non-negative maximum mark")]
    MaxMark { slot: usize },
}

/// The report for a quiz: the whole-quiz figures and one row per slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizAnalysis {
    pub quiz: QuizStatistics,
    pub items: Vec<ItemStatistics>,
}

/// The whole-quiz figures (Moodle's "Quiz information"). Mean, median, SD and standard error
/// are percentages of the quiz's maximum mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizStatistics {
    pub attempts: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Needs two attempts.
    pub sd: Option<f64>,
    /// Needs three attempts and totals that differ.
    pub skewness: Option<f64>,
    /// Needs four attempts and totals that differ.
    pub kurtosis: Option<f64>,
    /// Cronbach's alpha, Moodle's "coefficient of internal consistency": needs three
    /// attempts, totals that differ and two slots.
    pub alpha: Option<f64>,
    /// 100·√(1 − α/100).
    pub error_ratio: Option<f64>,
    /// Error ratio × SD / 100.
    pub standard_error: Option<f64>,
}

/// One slot's figures (a row of Moodle's "Quiz structure analysis").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemStatistics {
    /// Mean mark as a percentage of the slot's maximum.
    pub facility: Option<f64>,
    /// Standard deviation of the mark, as a percentage of the slot's maximum.
    pub sd: Option<f64>,
    pub random_guess: Option<f64>,
    /// The slot's maximum as a share of the quiz's.
    pub intended_weight: Option<f64>,
    /// 100·√Cov(xᵢ, X) / Σⱼ √Cov(xⱼ, X); blank when this covariance is negative.
    pub effective_weight: Option<f64>,
    /// 100·Corr(xᵢ, X₋ᵢ); blank when either varies not at all.
    pub discrimination_index: Option<f64>,
    /// 100·Cov(xᵢ, X₋ᵢ) / Cov_max, Cov_max pairing both sorted ascending.
    pub discriminative_efficiency: Option<f64>,
    pub flags: Vec<ItemFlag>,
    /// The question bank's "Needs checking?", from the discrimination index.
    pub needs_checking: Option<NeedsChecking>,
}

/// A warning Moodle's report raises on a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemFlag {
    /// Cov(xᵢ, X) < 0: the report writes "Negative covariance" for the effective weight.
    NegativeCovariance,
    /// The discrimination index is below 0: weaker learners do better on this item (the
    /// report's original "dubious" test, now within "very likely" to need checking).
    NegativeDiscrimination,
    /// The discriminative efficiency is under 15 %: the report marks the question dubious.
    LowDiscriminativeEfficiency,
}

/// How likely a question is to need checking, by its discrimination index (question bank
/// statistics: under 30 very likely, under 50 likely).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedsChecking {
    VeryLikely,
    Likely,
    Unlikely,
}

impl ItemFlag {
    /// The flags a slot raises, in the order declared.
    fn raised(
        moments: &SlotMoments,
        discrimination_index: Option<f64>,
        discriminative_efficiency: Option<f64>,
    ) -> Vec<ItemFlag> {
        let raised = [
            (
                ItemFlag::NegativeCovariance,
                moments.cov_with_total.is_some_and(|cov| cov < 0.0),
            ),
            (
                ItemFlag::NegativeDiscrimination,
                discrimination_index.is_some_and(|di| di < 0.0),
            ),
            (
                ItemFlag::LowDiscriminativeEfficiency,
                discriminative_efficiency.is_some_and(|de| de < DUBIOUS_EFFICIENCY),
            ),
        ];
        raised
            .into_iter()
            .filter_map(|(flag, up)| up.then_some(flag))
            .collect()
    }
}

impl NeedsChecking {
    fn from_discrimination(discrimination_index: f64) -> NeedsChecking {
        if discrimination_index < VERY_LIKELY_BELOW {
            NeedsChecking::VeryLikely
        } else if discrimination_index < LIKELY_BELOW {
            NeedsChecking::Likely
        } else {
            NeedsChecking::Unlikely
        }
    }
}

/// The discriminative efficiency under which the report marks a question dubious.
const DUBIOUS_EFFICIENCY: f64 = 15.0;
/// Discrimination indexes under which a question very likely / likely needs checking.
const VERY_LIKELY_BELOW: f64 = 30.0;
const LIKELY_BELOW: f64 = 50.0;

/// Analyses `marks[attempt][slot]`, every attempt having a mark for every slot.
pub fn analyse(slots: &[Slot], marks: &[Vec<f64>]) -> Result<QuizAnalysis, MarksError> {
    check(slots, marks)?;
    let totals: Vec<f64> = marks.iter().map(|row| row.iter().sum()).collect();
    let quiz_max: f64 = slots.iter().map(|slot| slot.max_mark).sum();

    let moments: Vec<SlotMoments> = (0..slots.len())
        .map(|i| SlotMoments::new(marks, i, &totals))
        .collect();

    // Effective weights share out Σ√Cov(xⱼ, X) over the slots whose covariance is not
    // negative; with that sum zero (or under two attempts) every weight is blank.
    let root_sum: f64 = moments
        .iter()
        .filter_map(|m| m.cov_with_total)
        .filter(|cov| *cov >= 0.0)
        .map(f64::sqrt)
        .sum();
    let effective_weight = |m: &SlotMoments| {
        let cov = m.cov_with_total?;
        (root_sum != 0.0 && cov >= 0.0).then(|| 100.0 * cov.sqrt() / root_sum)
    };

    let items = slots
        .iter()
        .zip(&moments)
        .map(|(slot, m)| {
            let discrimination_index = m.discrimination_index();
            let discriminative_efficiency = m.discriminative_efficiency();
            ItemStatistics {
                facility: m.mean.and_then(|mean| percent_of(mean, slot.max_mark)),
                sd: m.variance.and_then(|v| percent_of(v.sqrt(), slot.max_mark)),
                random_guess: slot.random_guess.map(|fraction| 100.0 * fraction),
                intended_weight: percent_of(slot.max_mark, quiz_max),
                effective_weight: effective_weight(m),
                discrimination_index,
                discriminative_efficiency,
                flags: ItemFlag::raised(m, discrimination_index, discriminative_efficiency),
                needs_checking: discrimination_index.map(NeedsChecking::from_discrimination),
            }
        })
        .collect();

    let sum_of_slot_variances: f64 = moments.iter().filter_map(|m| m.variance).sum();
    Ok(QuizAnalysis {
        quiz: quiz_statistics(&totals, quiz_max, slots.len(), sum_of_slot_variances),
        items,
    })
}

fn check(slots: &[Slot], marks: &[Vec<f64>]) -> Result<(), MarksError> {
    if let Some(slot) = slots
        .iter()
        .position(|s| !(s.max_mark.is_finite() && s.max_mark >= 0.0))
    {
        return Err(MarksError::MaxMark { slot });
    }
    for (attempt, row) in marks.iter().enumerate() {
        if row.len() != slots.len() {
            return Err(MarksError::RowLength {
                attempt,
                expected: slots.len(),
                got: row.len(),
            });
        }
        if let Some(slot) = row.iter().position(|mark| !mark.is_finite()) {
            return Err(MarksError::NotFinite { attempt, slot });
        }
    }
    Ok(())
}

/// A slot's sums over the attempts (Moodle's `calculated` intermediate fields); variances
/// and covariances are `None` under two attempts.
struct SlotMoments {
    mean: Option<f64>,
    /// The largest |xᵢ| and |X₋ᵢ|, to tell rounding noise from spread.
    scale: f64,
    others_scale: f64,
    /// Var(xᵢ).
    variance: Option<f64>,
    /// Var(X₋ᵢ).
    others_variance: Option<f64>,
    /// Cov(xᵢ, X₋ᵢ).
    cov_with_others: Option<f64>,
    /// Cov(xᵢ, X).
    cov_with_total: Option<f64>,
    /// Cov(sorted xᵢ, sorted X₋ᵢ): the largest Cov(xᵢ, X₋ᵢ) could be with these marks.
    cov_max: Option<f64>,
}

impl SlotMoments {
    fn new(marks: &[Vec<f64>], slot: usize, totals: &[f64]) -> SlotMoments {
        let column: Vec<f64> = marks.iter().map(|row| row[slot]).collect();
        // Summed from the other marks rather than X − xᵢ, so that other marks that are the
        // same in every attempt give exactly the same X₋ᵢ (and a variance of exactly 0).
        let others: Vec<f64> = marks
            .iter()
            .map(|row| {
                let other_slots = row.iter().enumerate().filter(|(j, _)| *j != slot);
                other_slots.map(|(_, mark)| mark).sum()
            })
            .collect();
        let covariance = |a: &[f64], b: &[f64]| {
            (a.len() > 1).then(|| deviation_products(a, b) / (a.len() - 1) as f64)
        };
        let marks = column.as_slice();
        SlotMoments {
            mean: mean(marks),
            scale: largest_magnitude(marks),
            others_scale: largest_magnitude(&others),
            variance: covariance(marks, marks),
            others_variance: covariance(&others, &others),
            cov_with_others: covariance(marks, &others),
            cov_with_total: covariance(marks, totals),
            cov_max: covariance(&sorted(marks), &sorted(&others)),
        }
    }

    /// Blank when either variance is zero, as Moodle tests their product.
    fn discrimination_index(&self) -> Option<f64> {
        let (variance, others_variance) = (self.variance?, self.others_variance?);
        let covariance = self.cov_with_others?;
        let spread = beyond_noise(variance, self.scale, self.scale)
            && beyond_noise(others_variance, self.others_scale, self.others_scale);
        spread.then(|| 100.0 * covariance / (variance * others_variance).sqrt())
    }

    /// Blank when Cov_max is zero, which it is when either mark does not vary.
    fn discriminative_efficiency(&self) -> Option<f64> {
        let (covariance, cov_max) = (self.cov_with_others?, self.cov_max?);
        beyond_noise(cov_max, self.scale, self.others_scale).then(|| 100.0 * covariance / cov_max)
    }
}

fn quiz_statistics(
    totals: &[f64],
    quiz_max: f64,
    slots: usize,
    sum_of_slot_variances: f64,
) -> QuizStatistics {
    let s = totals.len();
    let of_max = |marks: f64| percent_of(marks, quiz_max);
    let mut quiz = QuizStatistics {
        attempts: s,
        mean: mean(totals).and_then(of_max),
        median: median(totals).and_then(of_max),
        sd: None,
        skewness: None,
        kurtosis: None,
        alpha: None,
        error_ratio: None,
        standard_error: None,
    };
    if s < 2 {
        return quiz;
    }
    let n = s as f64;
    let centre = mean(totals).unwrap_or_default();
    let power = |k: i32| totals.iter().map(|t| (t - centre).powi(k)).sum::<f64>();
    let sd_marks = (power(2) / (n - 1.0)).sqrt();
    quiz.sd = of_max(sd_marks);

    // Sample skewness and kurtosis from the k-statistics, as Moodle's calculator.php: only
    // with three attempts (four for kurtosis) and a non-zero variance k₂ = Var(X).
    let (m2, m3, m4) = (power(2) / n, power(3) / n, power(4) / n);
    let k2 = n * m2 / (n - 1.0);
    let scale = largest_magnitude(totals);
    if s < 3 || !beyond_noise(k2, scale, scale) {
        return quiz;
    }
    let k3 = n * n * m3 / ((n - 1.0) * (n - 2.0));
    quiz.skewness = Some(k3 / k2.powf(1.5));
    if s > 3 {
        let k4 = n * n * ((n + 1.0) * m4 - 3.0 * (n - 1.0) * m2 * m2)
            / ((n - 1.0) * (n - 2.0) * (n - 3.0));
        quiz.kurtosis = Some(k4 / (k2 * k2));
    }
    if slots > 1 {
        let p = slots as f64;
        let alpha = 100.0 * p / (p - 1.0) * (1.0 - sum_of_slot_variances / k2);
        quiz.alpha = Some(alpha);
        // Moodle stores a NaN error ratio as blank; it comes from α rounding above 100.
        let unreliable = 1.0 - alpha / 100.0;
        if unreliable >= 0.0 {
            let error_ratio = 100.0 * unreliable.sqrt();
            quiz.error_ratio = Some(error_ratio);
            quiz.standard_error = of_max(error_ratio * sd_marks / 100.0);
        }
    }
    quiz
}

/// The share of attempts that chose each of `options` options, in percent. An attempt that
/// lists an option twice counts once; indexes beyond `options` are ignored.
pub fn option_shares(choices: &[Vec<usize>], options: usize) -> Vec<f64> {
    let mut counts = vec![0usize; options];
    for chosen in choices {
        for (option, count) in counts.iter_mut().enumerate() {
            if chosen.contains(&option) {
                *count += 1;
            }
        }
    }
    counts
        .into_iter()
        .map(|count| percent_of(count as f64, choices.len() as f64).unwrap_or(0.0))
        .collect()
}

/// Relative size under which a variance or covariance is rounding noise: marks that differ
/// by less than a trillionth of their size do not differ. Moodle tests for exactly zero,
/// which floating point sums only reach by luck.
const NOISE: f64 = 1e-12;

/// Whether a second moment of values up to `scale_a` and `scale_b` in size is more than
/// rounding noise.
fn beyond_noise(moment: f64, scale_a: f64, scale_b: f64) -> bool {
    moment.abs() > NOISE * NOISE * scale_a * scale_b
}

fn largest_magnitude(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |largest, v| v.abs().max(largest))
}

/// `100 · part / whole`, blank when the whole is zero (Moodle shows nothing then).
fn percent_of(part: f64, whole: f64) -> Option<f64> {
    (whole != 0.0).then(|| 100.0 * part / whole)
}

/// The mean, offset by the first value so that identical values give exactly that value and
/// deviations of exactly zero (a constant column must have a variance of 0, not 1e-33).
fn mean(values: &[f64]) -> Option<f64> {
    let first = *values.first()?;
    Some(first + values.iter().map(|v| v - first).sum::<f64>() / values.len() as f64)
}

/// Σ (aₖ − ā)(bₖ − b̄).
fn deviation_products(a: &[f64], b: &[f64]) -> f64 {
    let (Some(mean_a), Some(mean_b)) = (mean(a), mean(b)) else {
        return 0.0;
    };
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - mean_a) * (y - mean_b))
        .sum()
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut values = values.to_vec();
    values.sort_by(f64::total_cmp);
    values
}

/// The middle total, or the mean of the two middle ones for an even count.
fn median(values: &[f64]) -> Option<f64> {
    let values = sorted(values);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[middle]),
        _ => Some((values[middle - 1] + values[middle]) / 2.0),
    }
}

#[cfg(test)]
mod tests;
