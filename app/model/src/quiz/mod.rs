//! Quizzes: question definitions and their marking, the overall grade over several attempts,
//! and item analysis as Moodle's quiz statistics report computes it.
//!
//! Pure rules shared by the browser (which shows a question and never sees its key) and the
//! server (which marks answers and analyses attempts). See DESIGN.md, "Standards the product
//! follows", for the item-analysis formulas.
pub mod attempt;
pub mod bank;
pub mod grading;
pub mod question;
pub mod report;
pub mod statistics;

pub use attempt::{
    AttemptSlot, AttemptView, QuestionClip, ReviewSlot, ReviewView, answer_to_author,
    answer_to_shown, in_time, option_order, shown_key, shown_question,
};
pub use bank::{
    QuestionInput, QuestionSummary, QuizInput, QuizPick, QuizSettings, QuizSummary, ReviewOptions,
    ReviewShows, TeachingClip, kind_name, needs_clip,
};
pub use grading::{FinishedAttempt, GradingMethod, overall};
pub use question::{
    Answer, FramePick, FrameTarget, HotspotTarget, InvalidQuestion, Mark, OrderingGrading, Partial,
    Problem, QuestionForLearner, QuestionKind, ScoreError, Tolerance, learner_view,
    order_from_shown, random_guess_score, score, shuffled, validate,
};
pub use report::{ClickMap, ItemReport, QuizReport};
pub use statistics::{
    ItemFlag, ItemStatistics, MarksError, NeedsChecking, QuizAnalysis, QuizStatistics, Slot,
    analyse, option_shares,
};
