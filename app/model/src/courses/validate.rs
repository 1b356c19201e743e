//! Checking a course's working copy before it is saved, with the path of the field at fault
//! (`modules.1.prerequisites.0`, `modules.0.lessons.2.title`) so the editor can point at it.
//! Whether a named case, clip or quiz exists and is published is the server's check.
use super::{CourseContent, LessonBody};
use crate::{AppError, InvalidReason, Uid};
use std::collections::HashSet;

const MAX_TITLE: usize = 200;
const MAX_TEXT: usize = 50_000;
const MAX_KEY: usize = 32;

fn refuse(field: String, reason: InvalidReason) -> Result<(), AppError> {
    Err(AppError::Invalid { field, reason })
}

fn check_title(field: String, title: &str) -> Result<(), AppError> {
    match title.trim().chars().count() {
        0 => refuse(field, InvalidReason::Required),
        n if n > MAX_TITLE => refuse(field, InvalidReason::TooLong),
        _ => Ok(()),
    }
}

/// A short key (a lesson's, a form field's): lowercase ASCII letters, digits, `-` and `_`, at
/// most 32 bytes, unique among its `seen`.
pub(crate) fn check_key(
    field: String,
    key: &str,
    seen: &mut HashSet<String>,
) -> Result<(), AppError> {
    let well_formed = !key.is_empty()
        && key.len() <= MAX_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !well_formed {
        return refuse(field, InvalidReason::BadFormat);
    }
    if !seen.insert(key.to_string()) {
        return refuse(field, InvalidReason::Taken);
    }
    Ok(())
}

fn check_text(field: String, text: &str, required: bool) -> Result<(), AppError> {
    if required && text.trim().is_empty() {
        return refuse(field, InvalidReason::Required);
    }
    if text.len() > MAX_TEXT {
        return refuse(field, InvalidReason::TooLong);
    }
    Ok(())
}

fn check_body(field: String, body: &LessonBody) -> Result<(), AppError> {
    match body {
        LessonBody::Reading { markdown } => check_text(format!("{field}.markdown"), markdown, true),
        LessonBody::Clip {
            sop_uid, narration, ..
        } => {
            if Uid::parse(sop_uid).is_err() {
                return refuse(format!("{field}.sop_uid"), InvalidReason::BadFormat);
            }
            check_text(format!("{field}.narration"), narration, false)
        }
        LessonBody::Case { .. } | LessonBody::Quiz { .. } | LessonBody::Replay { .. } => Ok(()),
    }
}

/// Checks a course's structure: a title, at least one module with at least one lesson, keys
/// well formed and unique (modules among modules, lessons across the course), and
/// prerequisites that name earlier modules only, so they can never form a cycle.
pub fn validate_course(content: &CourseContent) -> Result<(), AppError> {
    check_title("title".into(), &content.title)?;
    check_text("summary".into(), &content.summary, false)?;
    if content.modules.is_empty() {
        return refuse("modules".into(), InvalidReason::Required);
    }
    let mut module_keys = HashSet::new();
    let mut lesson_keys = HashSet::new();
    for (m, module) in content.modules.iter().enumerate() {
        let at = format!("modules.{m}");
        check_key(format!("{at}.key"), &module.key, &mut module_keys)?;
        check_title(format!("{at}.title"), &module.title)?;
        for (p, prerequisite) in module.prerequisites.iter().enumerate() {
            let earlier = content.modules[..m].iter().any(|e| &e.key == prerequisite);
            if !earlier {
                return refuse(format!("{at}.prerequisites.{p}"), InvalidReason::Unknown);
            }
        }
        if module.lessons.is_empty() {
            return refuse(format!("{at}.lessons"), InvalidReason::Required);
        }
        for (l, lesson) in module.lessons.iter().enumerate() {
            let at = format!("{at}.lessons.{l}");
            check_key(format!("{at}.key"), &lesson.key, &mut lesson_keys)?;
            check_title(format!("{at}.title"), &lesson.title)?;
            check_body(format!("{at}.body"), &lesson.body)?;
        }
    }
    Ok(())
}
