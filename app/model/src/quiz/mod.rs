//! Quizzes: question definitions and their marking, the overall grade over several attempts,
//! and item analysis as Moodle's quiz statistics report computes it.
//!
//! Pure rules shared by the browser (which shows a question and never sees its key) and the
//! server (which marks answers and analyses attempts). See DESIGN.md, "Standards the product
//! follows", for the item-analysis formulas.
pub mod grading;
pub mod question;
pub mod statistics;

pub use grading::{FinishedAttempt, GradingMethod, overall};
pub use question::{
    Answer, FramePick, FrameTarget, HotspotTarget, InvalidQuestion, Mark, OrderingGrading, Partial,
    Problem, QuestionForLearner, QuestionKind, ScoreError, Tolerance, learner_view,
    order_from_shown, random_guess_score, score, shuffled, validate,
};
pub use statistics::{
    ItemFlag, ItemStatistics, MarksError, NeedsChecking, QuizAnalysis, QuizStatistics, Slot,
    analyse, option_shares,
};
