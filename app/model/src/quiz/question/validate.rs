//! Checking a question's definition before it is saved, with the path of the field at fault
//! (`options`, `correct.1`, `targets.0.shape.points`, ...) so the editor can point at it.
use super::{FrameTarget, QuestionKind, Tolerance};
use crate::annotation::{Point, Shape};
use crate::{AppError, InvalidReason};
use serde::{Deserialize, Serialize};

/// What is wrong with a field of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Empty where something is needed (no options, a blank option, no target).
    Missing,
    /// Fewer than the least that makes a question (two options, two items, three vertices).
    TooFew,
    /// An index or frame beyond what exists.
    OutOfRange,
    /// The same option, item or index twice.
    Repeated,
    /// A range that ends before it starts.
    Reversed,
    NotFinite,
    Negative,
    /// Zero or below where only a positive value makes sense (radii, clip length, a length).
    NotPositive,
    /// A shape a click cannot land in (arrows, text).
    WrongShape,
}

/// Why a question definition was refused, with the path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {reason:?}")]
pub struct InvalidQuestion {
    pub field: String,
    pub reason: Problem,
}

impl From<InvalidQuestion> for AppError {
    fn from(e: InvalidQuestion) -> Self {
        let reason = match e.reason {
            Problem::Missing => InvalidReason::Required,
            Problem::TooFew => InvalidReason::TooShort,
            Problem::OutOfRange => InvalidReason::Unknown,
            Problem::Repeated => InvalidReason::Taken,
            Problem::Reversed
            | Problem::NotFinite
            | Problem::Negative
            | Problem::NotPositive
            | Problem::WrongShape => InvalidReason::BadFormat,
        };
        AppError::Invalid {
            field: e.field,
            reason,
        }
    }
}

/// A refusal of `field` for `reason`.
fn refuse(field: impl Into<String>, reason: Problem) -> Result<(), InvalidQuestion> {
    Err(InvalidQuestion {
        field: field.into(),
        reason,
    })
}

/// Checks what serde cannot: enough distinct, non-blank options or items; keys that point at
/// something that exists; hotspot targets that are ellipses or polygons inside the clip;
/// finite, non-negative tolerances and a positive expected length.
pub fn validate(kind: &QuestionKind) -> Result<(), InvalidQuestion> {
    match kind {
        QuestionKind::Single { options, correct } => {
            check_labels("options", options)?;
            if *correct >= options.len() {
                return refuse("correct", Problem::OutOfRange);
            }
            Ok(())
        }
        QuestionKind::Multiple {
            options, correct, ..
        } => {
            check_labels("options", options)?;
            if correct.is_empty() {
                return refuse("correct", Problem::Missing);
            }
            for (i, option) in correct.iter().enumerate() {
                if *option >= options.len() {
                    return refuse(format!("correct.{i}"), Problem::OutOfRange);
                }
                if correct[..i].contains(option) {
                    return refuse(format!("correct.{i}"), Problem::Repeated);
                }
            }
            Ok(())
        }
        QuestionKind::TrueFalse { .. } => Ok(()),
        QuestionKind::Ordering { items, .. } => check_labels("items", items),
        QuestionKind::Hotspot { frames, targets } => {
            if *frames == 0 {
                return refuse("frames", Problem::NotPositive);
            }
            if targets.is_empty() {
                return refuse("targets", Problem::Missing);
            }
            for (i, target) in targets.iter().enumerate() {
                let at = |field: &str| format!("targets.{i}.{field}");
                check_shape(&target.shape, &at("shape"))?;
                if target.first_frame > target.last_frame {
                    return refuse(at("first_frame"), Problem::Reversed);
                }
                if target.last_frame >= *frames {
                    return refuse(at("last_frame"), Problem::OutOfRange);
                }
            }
            Ok(())
        }
        QuestionKind::FrameSelection { target, .. } => match target {
            FrameTarget::Range { start, end } if start > end => {
                refuse("target.start", Problem::Reversed)
            }
            FrameTarget::Frame(_) | FrameTarget::Range { .. } => Ok(()),
        },
        QuestionKind::Measurement {
            expected_mm,
            tolerance,
        } => {
            if !expected_mm.is_finite() {
                return refuse("expected_mm", Problem::NotFinite);
            }
            if *expected_mm <= 0.0 {
                return refuse("expected_mm", Problem::NotPositive);
            }
            let (Tolerance::Mm(allowed) | Tolerance::Percent(allowed)) = *tolerance;
            if !allowed.is_finite() {
                return refuse("tolerance", Problem::NotFinite);
            }
            if allowed < 0.0 {
                return refuse("tolerance", Problem::Negative);
            }
            Ok(())
        }
    }
}

/// At least two labels, none blank, no two the same (the learner could not tell them apart).
fn check_labels(field: &str, labels: &[String]) -> Result<(), InvalidQuestion> {
    if labels.is_empty() {
        return refuse(field, Problem::Missing);
    }
    if labels.len() < 2 {
        return refuse(field, Problem::TooFew);
    }
    for (i, label) in labels.iter().enumerate() {
        let label = label.trim();
        if label.is_empty() {
            return refuse(format!("{field}.{i}"), Problem::Missing);
        }
        if labels[..i].iter().any(|earlier| earlier.trim() == label) {
            return refuse(format!("{field}.{i}"), Problem::Repeated);
        }
    }
    Ok(())
}

fn check_shape(shape: &Shape, field: &str) -> Result<(), InvalidQuestion> {
    let finite = |p: &Point| p.x.is_finite() && p.y.is_finite();
    match shape {
        Shape::Ellipse { center, rx, ry } => {
            if !finite(center) {
                return refuse(format!("{field}.center"), Problem::NotFinite);
            }
            for (name, radius) in [("rx", rx), ("ry", ry)] {
                if !radius.is_finite() {
                    return refuse(format!("{field}.{name}"), Problem::NotFinite);
                }
                if *radius <= 0.0 {
                    return refuse(format!("{field}.{name}"), Problem::NotPositive);
                }
            }
            Ok(())
        }
        Shape::Polygon { points } => {
            if points.len() < 3 {
                return refuse(format!("{field}.points"), Problem::TooFew);
            }
            match points.iter().position(|p| !finite(p)) {
                Some(i) => refuse(format!("{field}.points.{i}"), Problem::NotFinite),
                None => Ok(()),
            }
        }
        Shape::Arrow { .. } | Shape::Text { .. } => refuse(field, Problem::WrongShape),
    }
}
