//! Tests of the competency rules, one file per concern, with the forms and dates they share.
use super::*;
use crate::{AppError, InvalidReason};

mod date;
mod evaluate;
mod form;
mod grade;
mod kappa;
mod rules;
mod verdict;

/// A date written out, for readable tests.
fn day(text: &str) -> CivilDate {
    CivilDate::parse(text).unwrap()
}

/// The refusal of `field` for `reason`.
fn refused<T>(field: &str, reason: InvalidReason) -> Result<T, AppError> {
    Err(AppError::invalid(field, reason))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const EFAST_WINDOWS: [&str; 6] = [
    "Right upper quadrant",
    "Left upper quadrant",
    "Pelvis",
    "Pericardium",
    "Right thorax",
    "Left thorax",
];

/// eFAST: free fluid or pneumothorax, positive or negative in each window.
fn efast_form() -> ReviewForm {
    ReviewForm {
        fields: vec![FormField {
            key: "efast".into(),
            label: "Free fluid / pneumothorax".into(),
            kind: FieldKind::PerWindow {
                windows: strings(&EFAST_WINDOWS),
                options: strings(&["positive", "negative", "indeterminate"]),
                negative: strings(&["negative"]),
            },
        }],
        rubric: None,
    }
}

/// Thyroid: the nodule's ACR TI-RADS level (TR4 and TR5 suspicious), its composition, and a
/// rubric for the image itself.
fn thyroid_form() -> ReviewForm {
    ReviewForm {
        fields: vec![
            FormField {
                key: "tirads".into(),
                label: "ACR TI-RADS level".into(),
                kind: FieldKind::Level {
                    min: 1,
                    max: 5,
                    positive_from: Some(4),
                },
            },
            FormField {
                key: "composition".into(),
                label: "Composition".into(),
                kind: FieldKind::Choice {
                    options: strings(&["cystic", "spongiform", "mixed", "solid"]),
                    negative: Vec::new(),
                },
            },
        ],
        rubric: Some(Rubric {
            criteria: vec![
                Criterion {
                    key: "margins".into(),
                    label: "Nodule margins shown".into(),
                    levels: strings(&["not shown", "partly", "entirely"]),
                },
                Criterion {
                    key: "two-planes".into(),
                    label: "Transverse and longitudinal".into(),
                    levels: strings(&["no", "yes"]),
                },
            ],
        }),
    }
}

/// An eFAST reading: positive in the windows at `positive`, negative elsewhere.
fn efast_reading(positive: &[usize]) -> Interpretation {
    let windows = EFAST_WINDOWS
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let value = if positive.contains(&i) {
                "positive"
            } else {
                "negative"
            };
            (w.to_string(), value.to_string())
        })
        .collect();
    Interpretation {
        answers: [("efast".to_string(), Answer::PerWindow(windows))].into(),
    }
}

/// A thyroid reading of TI-RADS `level` and `composition`.
fn thyroid_reading(level: u8, composition: &str) -> Interpretation {
    Interpretation {
        answers: [
            ("tirads".to_string(), Answer::Level(level)),
            (
                "composition".to_string(),
                Answer::Choice(composition.into()),
            ),
        ]
        .into(),
    }
}
