//! The question being written, as plain data: a kind's blank form, the key kept pointing at
//! the right options while options are added, removed and moved, and hotspot targets to and
//! from the viewer's annotations.
use crate::model::quiz::{
    FrameTarget, HotspotTarget, OrderingGrading, Partial, QuestionInput, QuestionKind, Tolerance,
};
use crate::model::{Annotation, Shape};

/// The kinds in the order the editor offers them, by wire name.
pub const KINDS: [&str; 7] = [
    "single",
    "multiple",
    "true_false",
    "ordering",
    "hotspot",
    "frame_selection",
    "measurement",
];

/// The letter an option goes by in the editor and in its errors (A, B, … Z, then 27, 28, …).
pub fn option_letter(index: usize) -> String {
    u8::try_from(index).ok().filter(|i| *i < 26).map_or_else(
        || (index + 1).to_string(),
        |i| char::from(b'A' + i).to_string(),
    )
}

/// A kind with nothing filled in: four blank options (as most exam questions have), three
/// blank items, no targets, frame 1, no expected length. `frames` is the length of the clip
/// already chosen (0 when none).
pub fn blank_kind(name: &str, frames: u32) -> QuestionKind {
    let blank = |n: usize| vec![String::new(); n];
    match name {
        "multiple" => QuestionKind::Multiple {
            options: blank(4),
            correct: Vec::new(),
            grading: Partial::Proportional,
        },
        "true_false" => QuestionKind::TrueFalse { correct: true },
        "ordering" => QuestionKind::Ordering {
            items: blank(3),
            grading: OrderingGrading::RelativeNextExcludingLast,
        },
        "hotspot" => QuestionKind::Hotspot {
            frames,
            targets: Vec::new(),
        },
        "frame_selection" => QuestionKind::FrameSelection {
            target: FrameTarget::Frame(0),
            tolerance: 0,
        },
        "measurement" => QuestionKind::Measurement {
            expected_mm: 0.0,
            tolerance: Tolerance::Percent(10.0),
        },
        _ => QuestionKind::Single {
            options: blank(4),
            correct: 0,
        },
    }
}

/// A new single-answer question for `application`.
pub fn new_question(application: String) -> QuestionInput {
    QuestionInput {
        application,
        topic: String::new(),
        stem: String::new(),
        kind: blank_kind("single", 0),
        explanation: String::new(),
        clip: None,
    }
}

/// The options of a choice question or the items of an ordering one (none for other kinds).
pub fn labels(kind: &QuestionKind) -> &[String] {
    match kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => options,
        QuestionKind::Ordering { items, .. } => items,
        _ => &[],
    }
}

fn labels_mut(kind: &mut QuestionKind) -> Option<&mut Vec<String>> {
    match kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
            Some(options)
        }
        QuestionKind::Ordering { items, .. } => Some(items),
        _ => None,
    }
}

/// Replaces the text of option or item `at`.
pub fn set_label(kind: &mut QuestionKind, at: usize, text: String) {
    if let Some(label) = labels_mut(kind).and_then(|l| l.get_mut(at)) {
        *label = text;
    }
}

/// Adds a blank option or item at the end.
pub fn add_label(kind: &mut QuestionKind) {
    if let Some(labels) = labels_mut(kind) {
        labels.push(String::new());
    }
}

/// Removes option or item `at`; the key keeps pointing at the same options (a removed single
/// answer falls back to the first option, which the author then sees ticked).
pub fn remove_label(kind: &mut QuestionKind, at: usize) {
    if labels(kind).len() <= at {
        return;
    }
    if let Some(labels) = labels_mut(kind) {
        labels.remove(at);
    }
    match kind {
        QuestionKind::Single { correct, .. } => {
            if *correct > at {
                *correct -= 1;
            } else if *correct == at {
                *correct = 0;
            }
        }
        QuestionKind::Multiple { correct, .. } => {
            correct.retain(|c| *c != at);
            for c in correct.iter_mut().filter(|c| **c > at) {
                *c -= 1;
            }
        }
        _ => {}
    }
}

/// Swaps item `at` with the one before (`up`) or after it.
pub fn move_label(kind: &mut QuestionKind, at: usize, up: bool) {
    let Some(labels) = labels_mut(kind) else {
        return;
    };
    let other = if up { at.checked_sub(1) } else { Some(at + 1) };
    if let Some(other) = other.filter(|o| *o < labels.len())
        && at < labels.len()
    {
        labels.swap(at, other);
    }
}

/// Whether option `at` is marked right.
pub fn is_right(kind: &QuestionKind, at: usize) -> bool {
    match kind {
        QuestionKind::Single { correct, .. } => *correct == at,
        QuestionKind::Multiple { correct, .. } => correct.contains(&at),
        _ => false,
    }
}

/// Marks option `at` right (`on`) or not; a single answer has exactly one right option, so
/// unmarking it does nothing.
pub fn set_right(kind: &mut QuestionKind, at: usize, on: bool) {
    match kind {
        QuestionKind::Single { correct, .. } if on => *correct = at,
        QuestionKind::Multiple { correct, .. } => {
            correct.retain(|c| *c != at);
            if on {
                correct.push(at);
                correct.sort_unstable();
            }
        }
        _ => {}
    }
}

/// The hotspot targets among what the author drew on a clip of `frames` frames: ellipses and
/// polygons, their frame ranges kept inside the clip. Arrows and text are not regions a
/// click can land in, so they are left out.
pub fn targets_from(drawn: &[Annotation], frames: u32) -> Vec<HotspotTarget> {
    let last = frames.saturating_sub(1);
    drawn
        .iter()
        .filter(|a| is_target_shape(&a.shape))
        .map(|a| {
            let last_frame = a.last_frame.min(last);
            HotspotTarget {
                shape: a.shape.clone(),
                first_frame: a.first_frame.min(last_frame),
                last_frame,
            }
        })
        .collect()
}

/// Whether a drawn shape can be a hotspot target.
pub fn is_target_shape(shape: &Shape) -> bool {
    matches!(shape, Shape::Ellipse { .. } | Shape::Polygon { .. })
}

/// A saved question's targets as annotations the viewer can show and edit.
pub fn annotations_from(targets: &[HotspotTarget]) -> Vec<Annotation> {
    targets
        .iter()
        .map(|t| Annotation {
            shape: t.shape.clone(),
            first_frame: t.first_frame,
            last_frame: t.last_frame,
            color: None,
        })
        .collect()
}

/// A frame-selection answer's first and last frame (the same for a single frame).
pub fn frame_span(target: FrameTarget) -> (u32, u32) {
    match target {
        FrameTarget::Frame(f) => (f, f),
        FrameTarget::Range { start, end } => (start, end),
    }
}

/// The answer after the author marks `frame` as the whole answer (`None`), its start
/// (`Some(true)`) or its end (`Some(false)`); the other end follows so the range stays in
/// order.
pub fn mark_frame(target: FrameTarget, frame: u32, start: Option<bool>) -> FrameTarget {
    let (first, last) = frame_span(target);
    match start {
        None => FrameTarget::Frame(frame),
        Some(true) => FrameTarget::Range {
            start: frame,
            end: last.max(frame),
        },
        Some(false) => FrameTarget::Range {
            start: first.min(frame),
            end: frame,
        },
    }
}

/// A number typed by the author (a full-width or decimal comma read as a point): a finite
/// number, else 0, which the server refuses as an expected length, naming the field.
pub fn parse_number(text: &str) -> f64 {
    text.trim()
        .replace(['，', ','], ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

/// A length as the editor shows it: one decimal, blank for "not set".
pub fn mm_text(mm: f64) -> String {
    if mm > 0.0 {
        format!("{mm:.1}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Point;

    fn single(n: usize, correct: usize) -> QuestionKind {
        QuestionKind::Single {
            options: (0..n).map(|i| format!("o{i}")).collect(),
            correct,
        }
    }

    #[test]
    fn letters_run_a_to_z_then_numbers() {
        assert_eq!(option_letter(0), "A");
        assert_eq!(option_letter(25), "Z");
        assert_eq!(option_letter(26), "27");
    }

    #[test]
    fn removing_an_option_keeps_the_key_on_the_same_text() {
        let mut kind = single(4, 2);
        remove_label(&mut kind, 0);
        assert_eq!(labels(&kind)[0], "o1");
        assert!(is_right(&kind, 1));
        assert_eq!(labels(&kind)[1], "o2");
        let mut kind = single(3, 1);
        remove_label(&mut kind, 1);
        assert!(is_right(&kind, 0));
        let mut kind = QuestionKind::Multiple {
            options: (0..4).map(|i| format!("o{i}")).collect(),
            correct: vec![0, 2, 3],
            grading: Partial::AllOrNothing,
        };
        remove_label(&mut kind, 2);
        assert_eq!(
            kind,
            QuestionKind::Multiple {
                options: vec!["o0".into(), "o1".into(), "o3".into()],
                correct: vec![0, 2],
                grading: Partial::AllOrNothing,
            }
        );
        remove_label(&mut kind, 9);
        assert_eq!(labels(&kind).len(), 3);
    }

    #[test]
    fn ticks_stay_sorted_and_single_keeps_one_answer() {
        let mut kind = blank_kind("multiple", 0);
        set_right(&mut kind, 3, true);
        set_right(&mut kind, 1, true);
        set_right(&mut kind, 1, true);
        assert!(matches!(&kind, QuestionKind::Multiple { correct, .. } if *correct == vec![1, 3]));
        set_right(&mut kind, 3, false);
        assert!(matches!(&kind, QuestionKind::Multiple { correct, .. } if *correct == vec![1]));
        let mut kind = single(3, 0);
        set_right(&mut kind, 0, false);
        set_right(&mut kind, 2, true);
        assert!(is_right(&kind, 2) && !is_right(&kind, 0));
    }

    #[test]
    fn items_move_within_the_list() {
        let mut kind = QuestionKind::Ordering {
            items: vec!["a".into(), "b".into(), "c".into()],
            grading: OrderingGrading::AllOrNothing,
        };
        move_label(&mut kind, 0, true);
        move_label(&mut kind, 2, false);
        assert_eq!(labels(&kind), ["a", "b", "c"]);
        move_label(&mut kind, 0, false);
        move_label(&mut kind, 2, true);
        assert_eq!(labels(&kind), ["b", "c", "a"]);
    }

    #[test]
    fn only_regions_become_targets_within_the_clip() {
        let ellipse = Shape::Ellipse {
            center: Point { x: 10.0, y: 10.0 },
            rx: 4.0,
            ry: 3.0,
        };
        let drawn = vec![
            Annotation {
                shape: Shape::Arrow {
                    tail: Point { x: 0.0, y: 0.0 },
                    head: Point { x: 5.0, y: 5.0 },
                },
                first_frame: 0,
                last_frame: 9,
                color: None,
            },
            Annotation {
                shape: ellipse.clone(),
                first_frame: 12,
                last_frame: 30,
                color: Some("#fff".into()),
            },
        ];
        let targets = targets_from(&drawn, 10);
        assert_eq!(
            targets,
            vec![HotspotTarget {
                shape: ellipse,
                first_frame: 9,
                last_frame: 9,
            }]
        );
        assert_eq!(targets_from(&annotations_from(&targets), 10), targets);
    }

    #[test]
    fn marking_frames_keeps_the_range_in_order() {
        let t = mark_frame(FrameTarget::Frame(5), 8, Some(false));
        assert_eq!(t, FrameTarget::Range { start: 5, end: 8 });
        let t = mark_frame(t, 10, Some(true));
        assert_eq!(t, FrameTarget::Range { start: 10, end: 10 });
        assert_eq!(mark_frame(t, 3, None), FrameTarget::Frame(3));
    }

    #[test]
    fn typed_lengths_are_finite() {
        assert_eq!(parse_number(" 12.5 "), 12.5);
        assert_eq!(parse_number("12，5"), 12.5);
        assert_eq!(parse_number("abc"), 0.0);
        assert_eq!(parse_number("inf"), 0.0);
        assert_eq!(mm_text(0.0), "");
        assert_eq!(mm_text(7.26), "7.3");
    }
}
