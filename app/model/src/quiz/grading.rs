//! A learner's overall grade for a quiz they may attempt several times, by Moodle's quiz
//! grading methods (`quiz_calculate_best_grade` in `mod/quiz/locallib.php`, now the quiz's
//! grade calculator).
use serde::{Deserialize, Serialize};

/// Which of a learner's attempts make their grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradingMethod {
    /// The best attempt (Moodle's default).
    #[default]
    Highest,
    /// The mean of all finished attempts.
    Average,
    /// The attempt started first.
    First,
    /// The attempt started last.
    Last,
}

/// A finished attempt: when it started (Unix seconds) and the grade it earned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FinishedAttempt {
    pub started_at: i64,
    pub grade: f64,
}

/// The overall grade by `method`, or `None` before any attempt is finished. Attempts that
/// started at the same second keep the order they are given in.
pub fn overall(method: GradingMethod, attempts: &[FinishedAttempt]) -> Option<f64> {
    let grades = attempts.iter().map(|a| a.grade);
    match method {
        GradingMethod::Highest => grades.reduce(f64::max),
        GradingMethod::Average => {
            (!attempts.is_empty()).then(|| grades.sum::<f64>() / attempts.len() as f64)
        }
        // min_by_key keeps the first of equals and max_by_key the last, as the given order
        // breaks ties between attempts started in the same second.
        GradingMethod::First => attempts
            .iter()
            .min_by_key(|a| a.started_at)
            .map(|a| a.grade),
        GradingMethod::Last => attempts
            .iter()
            .max_by_key(|a| a.started_at)
            .map(|a| a.grade),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(started_at: i64, grade: f64) -> FinishedAttempt {
        FinishedAttempt { started_at, grade }
    }

    #[test]
    fn each_method_picks_its_attempts() {
        // Given out of order: the first started (100) scored 6, the last started (300) 7.
        let attempts = [attempt(200, 9.0), attempt(100, 6.0), attempt(300, 7.0)];
        assert_eq!(overall(GradingMethod::Highest, &attempts), Some(9.0));
        assert_eq!(overall(GradingMethod::Average, &attempts), Some(22.0 / 3.0));
        assert_eq!(overall(GradingMethod::First, &attempts), Some(6.0));
        assert_eq!(overall(GradingMethod::Last, &attempts), Some(7.0));
    }

    #[test]
    fn no_finished_attempt_has_no_grade() {
        for method in [
            GradingMethod::Highest,
            GradingMethod::Average,
            GradingMethod::First,
            GradingMethod::Last,
        ] {
            assert_eq!(overall(method, &[]), None, "{method:?}");
        }
    }

    #[test]
    fn attempts_started_together_keep_their_given_order() {
        let attempts = [attempt(100, 4.0), attempt(100, 5.0)];
        assert_eq!(overall(GradingMethod::First, &attempts), Some(4.0));
        assert_eq!(overall(GradingMethod::Last, &attempts), Some(5.0));
    }

    #[test]
    fn highest_is_the_default_as_in_moodle() {
        assert_eq!(GradingMethod::default(), GradingMethod::Highest);
    }
}
