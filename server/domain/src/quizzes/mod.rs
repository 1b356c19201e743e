//! Quizzes on the server: the question bank, quizzes, attempts (marked here; keys never sent
//! before a review) and item analysis.
pub mod analysis;
pub mod attempts;
pub mod bank;

pub use analysis::report;
pub use bank::{question, questions, quiz, quizzes, save_question, save_quiz, teaching_clips};
