//! Marking at every boundary, partial credit by hand, validation naming its field, and a
//! learner view that carries no key.
mod learner_view;
mod marking;
mod validation;

use super::*;
use crate::annotation::Point;

fn pt(x: f64, y: f64) -> Point {
    Point { x, y }
}

/// The fraction `answer` earns; panics when it cannot be marked.
fn fraction(kind: &QuestionKind, answer: Answer) -> f64 {
    score(kind, &answer)
        .unwrap_or_else(|e| panic!("{answer:?}: {e}"))
        .fraction
}

fn labels(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

fn ordering(grading: OrderingGrading) -> QuestionKind {
    QuestionKind::Ordering {
        items: labels(&["RUQ", "LUQ", "Pelvis", "Subxiphoid"]),
        grading,
    }
}
