//! The view of a question that may reach the browser before the learner submits: no correct
//! index, region, frame, tolerance or expected value, and ordering items shuffled.
use super::scoring::ScoreError;
use super::{FrameTarget, QuestionKind};
use serde::{Deserialize, Serialize};

/// A question as the learner sees it before submitting. It carries no key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionForLearner {
    /// Options in the author's order; answer with one index.
    Single {
        options: Vec<String>,
    },
    /// Options in the author's order; answer with the indexes ticked. How many are right is
    /// not said.
    Multiple {
        options: Vec<String>,
    },
    TrueFalse,
    /// The items shuffled; the learner's order comes back through [`order_from_shown`].
    Ordering {
        items: Vec<String>,
    },
    /// Click on the clip of `frames` frames.
    Hotspot {
        frames: u32,
    },
    /// Whether to pick one frame or a run of frames.
    FrameSelection {
        pick: FramePick,
    },
    /// Measure with the calliper, in millimetres.
    Measurement,
}

/// What a frame-selection question asks the learner to pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FramePick {
    Frame,
    Range,
}

/// The keyless view of `kind`. Ordering items are shown in the order [`shuffled`] gives for
/// `seed`; the seed stays on the server with the attempt, since with it the browser could
/// undo the shuffle and read the right order.
pub fn learner_view(kind: &QuestionKind, seed: u64) -> QuestionForLearner {
    match kind {
        QuestionKind::Single { options, .. } => QuestionForLearner::Single {
            options: options.clone(),
        },
        QuestionKind::Multiple { options, .. } => QuestionForLearner::Multiple {
            options: options.clone(),
        },
        QuestionKind::TrueFalse { .. } => QuestionForLearner::TrueFalse,
        QuestionKind::Ordering { items, .. } => QuestionForLearner::Ordering {
            items: shuffled(items.len(), seed)
                .into_iter()
                .map(|item| items[item].clone())
                .collect(),
        },
        QuestionKind::Hotspot { frames, .. } => QuestionForLearner::Hotspot { frames: *frames },
        QuestionKind::FrameSelection { target, .. } => QuestionForLearner::FrameSelection {
            pick: match target {
                FrameTarget::Frame(_) => FramePick::Frame,
                FrameTarget::Range { .. } => FramePick::Range,
            },
        },
        QuestionKind::Measurement { .. } => QuestionForLearner::Measurement,
    }
}

/// Maps the learner's order, given as positions in the shuffled list they were shown, back to
/// the author's item indexes, ready for [`super::Answer::Order`].
pub fn order_from_shown(
    shown_order: &[usize],
    items: usize,
    seed: u64,
) -> Result<Vec<usize>, ScoreError> {
    if shown_order.len() != items {
        return Err(ScoreError::OrderLength {
            expected: items,
            got: shown_order.len(),
        });
    }
    let shown = shuffled(items, seed);
    shown_order
        .iter()
        .map(|&at| shown.get(at).copied().ok_or(ScoreError::NoSuchItem(at)))
        .collect()
}

/// A permutation of `0..n` that depends only on `seed`: entry `p` is the item shown at
/// position `p`. A Fisher–Yates shuffle driven by SplitMix64, the same in the browser and on
/// the server. For n ≥ 2 it is never the identity, so an ordering question never opens
/// already solved.
pub fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut random = SplitMix64(seed);
    let mut order: Vec<usize> = (0..n).collect();
    for last in (1..n).rev() {
        let pick = random.below(last as u64 + 1) as usize;
        order.swap(last, pick);
    }
    if n >= 2 && order.iter().enumerate().all(|(at, item)| at == *item) {
        order.rotate_left(1);
    }
    order
}

/// Steele, Lea and Flood's SplitMix64: tiny, and good for any seed, zero included.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (Lemire's multiply-shift; the bias is negligible for lists).
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }
}
