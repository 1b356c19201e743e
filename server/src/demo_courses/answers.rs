//! What a simulated learner answers: right or wrong by an item-response model, and a wrong
//! answer of the question's own type that a person would give (the plausible wrong option, a
//! click on the neighbouring structure or just outside the target, a frame or a measurement
//! just outside the tolerance). Every answer is checked with `model::quiz::score` against
//! what it is meant to earn before it is sent.
use super::bank;
use super::data::QuestionEntry;
use anyhow::{Result, bail};
use cine::synth::PhantomTruth;
use model::quiz::{Answer, FrameTarget, QuestionForLearner, QuestionKind, Tolerance, score};
use model::{Point, Shape};

/// A small deterministic generator (SplitMix64), so the demo looks the same on every seed.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The two-parameter logistic model: the chance a learner of ability `theta` answers right.
pub(crate) fn p_right(entry: &QuestionEntry, theta: f64) -> f64 {
    1.0 / (1.0 + (-1.7 * entry.discrimination * (theta - entry.difficulty)).exp())
}

/// An answer in the author's indexes: fully right when `right`, otherwise a realistic wrong
/// (or partly right) one.
pub(crate) fn author_answer(
    kind: &QuestionKind,
    entry: &QuestionEntry,
    truth: Option<&PhantomTruth>,
    right: bool,
    rng: &mut Rng,
) -> Result<Answer> {
    for _ in 0..200 {
        let answer = if right {
            right_answer(kind, rng)
        } else {
            wrong_answer(kind, entry, truth, rng)
        };
        let Some(answer) = answer else { continue };
        let mark = score(kind, &answer)?.fraction;
        if (right && mark == 1.0) || (!right && mark < 1.0) {
            return Ok(answer);
        }
    }
    bail!(
        "no {} answer found for {}",
        if right { "right" } else { "wrong" },
        entry.key
    )
}

fn right_answer(kind: &QuestionKind, rng: &mut Rng) -> Option<Answer> {
    Some(match kind {
        QuestionKind::Single { correct, .. } => Answer::Choice(*correct),
        QuestionKind::Multiple { correct, .. } => Answer::Choices(correct.clone()),
        QuestionKind::TrueFalse { correct } => Answer::TrueFalse(*correct),
        QuestionKind::Ordering { items, .. } => Answer::Order((0..items.len()).collect()),
        QuestionKind::Hotspot { targets, .. } => {
            let target = &targets[rng.below(targets.len())];
            let (l, t, r, b) = target.shape.bounds();
            // Clicks gather towards the middle of the structure.
            let (cx, cy) = ((l + r) / 2.0, (t + b) / 2.0);
            let x = cx + (r - l) / 2.0 * rng.range(-0.6, 0.6);
            let y = cy + (b - t) / 2.0 * rng.range(-0.6, 0.6);
            Answer::Click {
                x,
                y,
                frame: target.first_frame
                    + rng.below((target.last_frame - target.first_frame + 1) as usize) as u32,
            }
        }
        QuestionKind::FrameSelection { target, tolerance } => {
            let jitter = |f: u32, rng: &mut Rng| {
                let d = rng.below(*tolerance as usize * 2 + 1) as i64 - i64::from(*tolerance);
                (i64::from(f) + d).max(0) as u32
            };
            match target {
                FrameTarget::Frame(f) => Answer::Frame(jitter(*f, rng)),
                FrameTarget::Range { start, end } => {
                    let (s, e) = (jitter(*start, rng), jitter(*end, rng));
                    Answer::FrameRange {
                        start: s.min(e),
                        end: s.max(e),
                    }
                }
            }
        }
        QuestionKind::Measurement {
            expected_mm,
            tolerance,
        } => Answer::Measured {
            mm: round_tenth(expected_mm + allowed(*expected_mm, *tolerance) * rng.range(-0.7, 0.7)),
        },
    })
}

fn allowed(expected: f64, tolerance: Tolerance) -> f64 {
    match tolerance {
        Tolerance::Mm(mm) => mm,
        Tolerance::Percent(pct) => expected * pct / 100.0,
    }
}

/// Calliper read-outs show one decimal.
fn round_tenth(mm: f64) -> f64 {
    (mm * 10.0).round() / 10.0
}

fn wrong_answer(
    kind: &QuestionKind,
    entry: &QuestionEntry,
    truth: Option<&PhantomTruth>,
    rng: &mut Rng,
) -> Option<Answer> {
    Some(match kind {
        QuestionKind::Single { options, correct } => {
            let lure = entry.lure_option.filter(|l| l != correct);
            match lure {
                Some(l) if rng.unit() < 0.65 => Answer::Choice(l),
                _ => Answer::Choice(rng.below(options.len())),
            }
        }
        QuestionKind::Multiple {
            options, correct, ..
        } => {
            // One right option missed, and often the tempting wrong one ticked.
            let mut chosen: Vec<usize> = correct.clone();
            if chosen.len() > 1 || rng.unit() < 0.5 {
                chosen.remove(rng.below(chosen.len()));
            }
            let wrong: Vec<usize> = (0..options.len())
                .filter(|o| !correct.contains(o))
                .collect();
            if !wrong.is_empty() && rng.unit() < 0.6 {
                let pick = entry
                    .lure_option
                    .filter(|l| wrong.contains(l) && rng.unit() < 0.7)
                    .unwrap_or_else(|| wrong[rng.below(wrong.len())]);
                chosen.push(pick);
            }
            chosen.sort_unstable();
            Answer::Choices(chosen)
        }
        QuestionKind::TrueFalse { correct } => Answer::TrueFalse(!correct),
        QuestionKind::Ordering { items, .. } => {
            // Two neighbours swapped, sometimes twice.
            let mut order: Vec<usize> = (0..items.len()).collect();
            for _ in 0..1 + usize::from(rng.unit() < 0.35) {
                let at = rng.below(items.len() - 1);
                order.swap(at, at + 1);
            }
            Answer::Order(order)
        }
        QuestionKind::Hotspot { targets, frames } => {
            let target = &targets[rng.below(targets.len())];
            let frame = target.first_frame;
            let lure = entry
                .lure
                .as_deref()
                .zip(truth)
                .and_then(|(name, truth)| bank::target(truth, name, frame));
            match lure {
                Some(lure) if rng.unit() < 0.5 => {
                    let shape = bank::shape(&lure);
                    let (l, t, r, b) = shape.bounds();
                    Answer::Click {
                        x: (l + r) / 2.0 + (r - l) * rng.range(-0.2, 0.2),
                        y: (t + b) / 2.0 + (b - t) * rng.range(-0.2, 0.2),
                        frame,
                    }
                }
                _ => {
                    let (x, y) = near_miss(&target.shape, rng.range(6.0, 28.0), rng)?;
                    Answer::Click {
                        x,
                        y,
                        frame: frame.min(frames - 1),
                    }
                }
            }
        }
        QuestionKind::FrameSelection { target, tolerance } => {
            let off = |f: u32, rng: &mut Rng| {
                let d = i64::from(*tolerance) + 1 + rng.below(4) as i64;
                let d = if rng.unit() < 0.5 { -d } else { d };
                (i64::from(f) + d).max(0) as u32
            };
            match target {
                FrameTarget::Frame(f) => Answer::Frame(off(*f, rng)),
                FrameTarget::Range { start, end } => {
                    // The run taken from where compression starts, or to where it is released.
                    if rng.unit() < 0.5 {
                        Answer::FrameRange {
                            start: start.saturating_sub(*tolerance + 2 + rng.below(3) as u32),
                            end: *end,
                        }
                    } else {
                        Answer::FrameRange {
                            start: *start,
                            end: end + tolerance + 2 + rng.below(2) as u32,
                        }
                    }
                }
            }
        }
        QuestionKind::Measurement {
            expected_mm,
            tolerance,
        } => {
            let off = allowed(*expected_mm, *tolerance) * rng.range(1.3, 2.6);
            // Measuring inside the walls (too small) is the commoner slip.
            let sign = if rng.unit() < 0.7 { -1.0 } else { 1.0 };
            Answer::Measured {
                mm: round_tenth(expected_mm + sign * off),
            }
        }
    })
}

/// A point `beyond` pixels outside `shape`, in a random direction from its middle.
fn near_miss(shape: &Shape, beyond: f64, rng: &mut Rng) -> Option<(f64, f64)> {
    let (l, t, r, b) = shape.bounds();
    let (cx, cy) = ((l + r) / 2.0, (t + b) / 2.0);
    let angle = rng.range(0.0, std::f64::consts::TAU);
    let (dx, dy) = (angle.cos(), angle.sin());
    let inside = |d: f64| {
        let p = Point {
            x: cx + dx * d,
            y: cy + dy * d,
        };
        contains(shape, p)
    };
    let reach = (r - l).max(b - t);
    let edge = (0..=(reach as usize * 2))
        .map(|k| k as f64 * 0.5)
        .rev()
        .find(|d| inside(*d))?;
    let d = edge + beyond;
    Some((cx + dx * d, cy + dy * d))
}

/// Whether `p` is inside `shape`, as the marking decides it.
fn contains(shape: &Shape, p: Point) -> bool {
    let kind = QuestionKind::Hotspot {
        frames: 1,
        targets: vec![model::quiz::HotspotTarget {
            shape: shape.clone(),
            first_frame: 0,
            last_frame: 0,
        }],
    };
    score(
        &kind,
        &Answer::Click {
            x: p.x,
            y: p.y,
            frame: 0,
        },
    )
    .is_ok_and(|m| m.fraction == 1.0)
}

/// The answer in the positions the learner was shown: options and items found by their text.
pub(crate) fn to_shown(kind: &QuestionKind, answer: Answer, shown: &QuestionForLearner) -> Answer {
    let position =
        |list: &[String], text: &String| list.iter().position(|s| s == text).unwrap_or_default();
    match (kind, shown, answer) {
        (
            QuestionKind::Single { options, .. },
            QuestionForLearner::Single { options: seen },
            Answer::Choice(i),
        ) => Answer::Choice(position(seen, &options[i])),
        (
            QuestionKind::Multiple { options, .. },
            QuestionForLearner::Multiple { options: seen },
            Answer::Choices(list),
        ) => Answer::Choices(list.iter().map(|&i| position(seen, &options[i])).collect()),
        (
            QuestionKind::Ordering { items, .. },
            QuestionForLearner::Ordering { items: seen },
            Answer::Order(order),
        ) => Answer::Order(order.iter().map(|&i| position(seen, &items[i])).collect()),
        (_, _, answer) => answer,
    }
}
