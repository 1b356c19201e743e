//! Checking what coordinators and reviewers send before it is stored: a review form, an
//! interpretation or rubric scoring filled against it, and a credential rule, each refusal
//! naming the field at fault (`fields.2.kind.options.1`, `answers.efast.3`, `min_agreement`)
//! so the form can point at it. Whether a named course or quiz exists is the server's check.
use super::{
    Answer, CredentialRule, FieldKind, Interpretation, MAX_RENEWAL_DAYS, MAX_REQUIREMENTS,
    MAX_SCANS, MIN_RENEWAL_DAYS, ReviewForm, Rubric, RubricScores,
};
use crate::{AppError, InvalidReason};
use std::collections::HashSet;
use std::hash::Hash;

/// The most fields one review form may ask.
pub const MAX_FIELDS: usize = 30;
/// The most options (or levels) a field or rubric criterion may offer.
pub const MAX_OPTIONS: usize = 20;
/// The most windows a per-window field may have.
pub const MAX_WINDOWS: usize = 16;
/// The most criteria a rubric may have.
pub const MAX_CRITERIA: usize = 12;
/// The longest label, option or window name, in characters.
pub const MAX_LABEL_CHARS: usize = 80;

fn refuse<T>(field: String, reason: InvalidReason) -> Result<T, AppError> {
    Err(AppError::Invalid { field, reason })
}

/// A short key (as a course's lesson keys), present: an empty one is missing, not malformed.
fn check_key(field: String, key: &str, seen: &mut HashSet<String>) -> Result<(), AppError> {
    if key.is_empty() {
        return refuse(field, InvalidReason::Required);
    }
    crate::courses::check_key(field, key, seen)
}

/// Text shown to people: present, trimmed (so that options compare as they read) and short.
fn check_label(field: String, label: &str) -> Result<(), AppError> {
    if label.trim().is_empty() {
        return refuse(field, InvalidReason::Required);
    }
    if label.trim() != label {
        return refuse(field, InvalidReason::BadFormat);
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return refuse(field, InvalidReason::TooLong);
    }
    Ok(())
}

/// A list of labels (options, windows, levels): between `min` and `max` of them, each a good
/// label, none repeated.
fn check_list(field: &str, items: &[String], min: usize, max: usize) -> Result<(), AppError> {
    if items.len() < min {
        let reason = if items.is_empty() {
            InvalidReason::Required
        } else {
            InvalidReason::TooShort
        };
        return refuse(field.to_string(), reason);
    }
    if items.len() > max {
        return refuse(field.to_string(), InvalidReason::TooLong);
    }
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        check_label(format!("{field}.{i}"), item)?;
        unique(format!("{field}.{i}"), item, &mut seen)?;
    }
    Ok(())
}

fn unique<'a, T: Eq + Hash + ?Sized>(
    field: String,
    item: &'a T,
    seen: &mut HashSet<&'a T>,
) -> Result<(), AppError> {
    if seen.insert(item) {
        Ok(())
    } else {
        refuse(field, InvalidReason::Taken)
    }
}

/// The options that report no finding: each one of the field's options, none repeated.
fn check_negative(field: &str, negative: &[String], options: &[String]) -> Result<(), AppError> {
    let mut seen = HashSet::new();
    for (i, option) in negative.iter().enumerate() {
        if !options.contains(option) {
            return refuse(format!("{field}.{i}"), InvalidReason::Unknown);
        }
        unique(format!("{field}.{i}"), option, &mut seen)?;
    }
    Ok(())
}

fn check_kind(at: &str, kind: &FieldKind) -> Result<(), AppError> {
    match kind {
        FieldKind::Choice { options, negative } => {
            check_list(&format!("{at}.options"), options, 2, MAX_OPTIONS)?;
            check_negative(&format!("{at}.negative"), negative, options)
        }
        FieldKind::PerWindow {
            windows,
            options,
            negative,
        } => {
            check_list(&format!("{at}.windows"), windows, 1, MAX_WINDOWS)?;
            check_list(&format!("{at}.options"), options, 2, MAX_OPTIONS)?;
            check_negative(&format!("{at}.negative"), negative, options)
        }
        FieldKind::Level {
            min,
            max,
            positive_from,
        } => {
            // At least two levels, so that there is something to choose.
            if max <= min {
                return refuse(format!("{at}.max"), InvalidReason::OutOfRange);
            }
            if usize::from(max - min) >= MAX_OPTIONS {
                return refuse(format!("{at}.max"), InvalidReason::TooLong);
            }
            match positive_from {
                Some(from) if !(min..=max).contains(&from) => {
                    refuse(format!("{at}.positive_from"), InvalidReason::OutOfRange)
                }
                _ => Ok(()),
            }
        }
    }
}

fn check_rubric(rubric: &Rubric) -> Result<(), AppError> {
    if rubric.criteria.is_empty() {
        return refuse("rubric.criteria".into(), InvalidReason::Required);
    }
    if rubric.criteria.len() > MAX_CRITERIA {
        return refuse("rubric.criteria".into(), InvalidReason::TooLong);
    }
    let mut keys = HashSet::new();
    for (i, criterion) in rubric.criteria.iter().enumerate() {
        let at = format!("rubric.criteria.{i}");
        check_key(format!("{at}.key"), &criterion.key, &mut keys)?;
        check_label(format!("{at}.label"), &criterion.label)?;
        check_list(&format!("{at}.levels"), &criterion.levels, 2, MAX_OPTIONS)?;
    }
    Ok(())
}

/// Checks a review form: at least one field; keys well formed and unique; labels present;
/// at least two options (or levels) per field, windows and options unique; negative options
/// among the field's options and a positive level among its levels; a rubric, when there is
/// one, with at least one criterion of at least two levels.
pub fn validate_form(form: &ReviewForm) -> Result<(), AppError> {
    if form.fields.is_empty() {
        return refuse("fields".into(), InvalidReason::Required);
    }
    if form.fields.len() > MAX_FIELDS {
        return refuse("fields".into(), InvalidReason::TooLong);
    }
    let mut keys = HashSet::new();
    for (i, field) in form.fields.iter().enumerate() {
        let at = format!("fields.{i}");
        check_key(format!("{at}.key"), &field.key, &mut keys)?;
        check_label(format!("{at}.label"), &field.label)?;
        check_kind(&format!("{at}.kind"), &field.kind)?;
    }
    match &form.rubric {
        Some(rubric) => check_rubric(rubric),
        None => Ok(()),
    }
}

/// Checks an interpretation filled against `form`: every field answered with an answer of the
/// field's kind and an allowed value, every window of a per-window field answered, and nothing
/// answered that the form does not ask.
pub fn validate_interpretation(
    form: &ReviewForm,
    interpretation: &Interpretation,
) -> Result<(), AppError> {
    for field in &form.fields {
        let at = format!("answers.{}", field.key);
        let Some(answer) = interpretation.answers.get(&field.key) else {
            return refuse(at, InvalidReason::Required);
        };
        match (&field.kind, answer) {
            (FieldKind::Choice { options, .. }, Answer::Choice(value)) => {
                if !options.contains(value) {
                    return refuse(at, InvalidReason::Unknown);
                }
            }
            (
                FieldKind::PerWindow {
                    windows, options, ..
                },
                Answer::PerWindow(values),
            ) => {
                for (i, window) in windows.iter().enumerate() {
                    match values.get(window) {
                        None => return refuse(format!("{at}.{i}"), InvalidReason::Required),
                        Some(value) if !options.contains(value) => {
                            return refuse(format!("{at}.{i}"), InvalidReason::Unknown);
                        }
                        Some(_) => {}
                    }
                }
                if values.keys().any(|w| !windows.contains(w)) {
                    return refuse(at, InvalidReason::Unknown);
                }
            }
            (FieldKind::Level { min, max, .. }, Answer::Level(level)) => {
                if !(min..=max).contains(&level) {
                    return refuse(at, InvalidReason::OutOfRange);
                }
            }
            _ => return refuse(at, InvalidReason::BadFormat),
        }
    }
    let asked = |key: &String| form.fields.iter().any(|f| &f.key == key);
    if !interpretation.answers.keys().all(asked) {
        return refuse("answers".into(), InvalidReason::Unknown);
    }
    Ok(())
}

/// Checks a rubric scoring: every criterion scored with one of its levels, and nothing scored
/// that the rubric does not have.
pub fn validate_rubric_scores(rubric: &Rubric, scores: &RubricScores) -> Result<(), AppError> {
    for criterion in &rubric.criteria {
        let at = format!("rubric.{}", criterion.key);
        match scores.0.get(&criterion.key) {
            None => return refuse(at, InvalidReason::Required),
            Some(level) if usize::from(*level) >= criterion.levels.len() => {
                return refuse(at, InvalidReason::OutOfRange);
            }
            Some(_) => {}
        }
    }
    let known = |key: &String| rubric.criteria.iter().any(|c| &c.key == key);
    if !scores.0.keys().all(known) {
        return refuse("rubric".into(), InvalidReason::Unknown);
    }
    Ok(())
}

/// `0 ≤ share ≤ 1`; false for NaN.
fn is_share(share: f64) -> bool {
    (0.0..=1.0).contains(&share)
}

/// Checks a credential rule: 1 to [`MAX_SCANS`] reviewed scans; shares between 0 and 1; no
/// course or quiz named twice and at most [`MAX_REQUIREMENTS`] of each; a renewal period of
/// [`MIN_RENEWAL_DAYS`] to [`MAX_RENEWAL_DAYS`] days with a maintenance count of 1 to
/// [`MAX_SCANS`], or neither.
pub fn validate_rule(rule: &CredentialRule) -> Result<(), AppError> {
    use InvalidReason::{OutOfRange, Required, TooLong};
    if !(1..=MAX_SCANS).contains(&rule.min_reviewed_scans) {
        return refuse("min_reviewed_scans".into(), OutOfRange);
    }
    if !is_share(rule.min_acceptable_share) {
        return refuse("min_acceptable_share".into(), OutOfRange);
    }
    if !is_share(rule.min_agreement) {
        return refuse("min_agreement".into(), OutOfRange);
    }
    if rule.required_courses.len() > MAX_REQUIREMENTS {
        return refuse("required_courses".into(), TooLong);
    }
    let mut courses = HashSet::new();
    for (i, course) in rule.required_courses.iter().enumerate() {
        unique(format!("required_courses.{i}"), course, &mut courses)?;
    }
    if rule.required_quizzes.len() > MAX_REQUIREMENTS {
        return refuse("required_quizzes".into(), TooLong);
    }
    let mut quizzes = HashSet::new();
    for (i, quiz) in rule.required_quizzes.iter().enumerate() {
        unique(format!("required_quizzes.{i}"), quiz, &mut quizzes)?;
    }
    match rule.renewal_days {
        // A maintenance count needs a period to count it in.
        None if rule.maintenance_scans > 0 => refuse("renewal_days".into(), Required),
        None => Ok(()),
        Some(days) if !(MIN_RENEWAL_DAYS..=MAX_RENEWAL_DAYS).contains(&days) => {
            refuse("renewal_days".into(), OutOfRange)
        }
        // A period without a count would renew itself for ever.
        Some(_) if rule.maintenance_scans == 0 => refuse("maintenance_scans".into(), Required),
        Some(_) if rule.maintenance_scans > MAX_SCANS => {
            refuse("maintenance_scans".into(), OutOfRange)
        }
        Some(_) => Ok(()),
    }
}
