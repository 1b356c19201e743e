//! Which modules a learner may open and when a course is complete. The server asks these
//! before it serves a lesson, so a locked module stays locked whatever the browser sends.
use super::CourseContent;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A module as one learner stands in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModuleState {
    /// A prerequisite module is not done.
    Locked,
    Open,
    /// Every required lesson is done.
    Done,
}

/// Each module's state, in course order, for a learner who has done the lessons `done`.
/// A module is done when its required lessons are, and open when its prerequisites are done;
/// a module whose prerequisites are not done is locked even if its own lessons were done on an
/// earlier version of the course.
pub fn module_states(content: &CourseContent, done: &HashSet<String>) -> Vec<ModuleState> {
    let lessons_done = |key: &str| {
        content
            .modules
            .iter()
            .find(|m| m.key == key)
            .is_some_and(|m| {
                m.lessons
                    .iter()
                    .filter(|l| l.required)
                    .all(|l| done.contains(&l.key))
            })
    };
    // Prerequisites may only point at earlier modules (validate_course), so one pass in order
    // settles every module.
    let mut states: Vec<ModuleState> = Vec::with_capacity(content.modules.len());
    for module in &content.modules {
        let open = module.prerequisites.iter().all(|p| {
            content
                .modules
                .iter()
                .position(|m| &m.key == p)
                .is_some_and(|i| i < states.len() && states[i] == ModuleState::Done)
        });
        states.push(match (open, lessons_done(&module.key)) {
            (false, _) => ModuleState::Locked,
            (true, true) => ModuleState::Done,
            (true, false) => ModuleState::Open,
        });
    }
    states
}

/// How far a learner is through a course.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub required_done: usize,
    pub required: usize,
    /// Every module is done.
    pub complete: bool,
}

/// The learner's completion of `content` with the lessons `done`.
pub fn completion(content: &CourseContent, done: &HashSet<String>) -> Completion {
    let required: Vec<&str> = content
        .modules
        .iter()
        .flat_map(|m| &m.lessons)
        .filter(|l| l.required)
        .map(|l| l.key.as_str())
        .collect();
    let required_done = required.iter().filter(|k| done.contains(**k)).count();
    let complete = module_states(content, done)
        .iter()
        .all(|s| *s == ModuleState::Done);
    Completion {
        required_done,
        required: required.len(),
        complete,
    }
}
