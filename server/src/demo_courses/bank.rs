//! Question keys from the phantom's ground truth: hotspot targets are the truth outlines frame
//! by frame, frame-selection targets and expected measurements are the truth's facts. No
//! coordinate is typed by hand; the same functions draw the clip lessons' annotations.
use super::data::{FrameFact, KindName, Language, MeasureFact, QuestionEntry};
use anyhow::{Context, Result, bail};
use cine::synth::{Outline, PhantomTruth};
use model::quiz::{FrameTarget, HotspotTarget, QuestionInput, QuestionKind, Tolerance};
use model::{Annotation, Point, Shape};
use std::f64::consts::{FRAC_PI_2, TAU};

/// Vertices of an ellipse drawn as a polygon (rotated ellipses, crescents).
const ARC_POINTS: usize = 32;

/// The truth outline as an annotation shape: an axis-aligned ellipse as itself, a rotated one
/// or a polygon as a polygon.
pub(crate) fn shape(outline: &Outline) -> Shape {
    match outline {
        Outline::Ellipse {
            cx,
            cy,
            rx,
            ry,
            rotation_deg,
        } if rotation_deg.abs() < 1e-9 => Shape::Ellipse {
            center: Point { x: *cx, y: *cy },
            rx: *rx,
            ry: *ry,
        },
        Outline::Ellipse {
            cx,
            cy,
            rx,
            ry,
            rotation_deg,
        } => {
            let (s, c) = rotation_deg.to_radians().sin_cos();
            let points = (0..ARC_POINTS)
                .map(|k| {
                    let phi = TAU * k as f64 / ARC_POINTS as f64;
                    let (u, v) = (rx * phi.cos(), ry * phi.sin());
                    Point {
                        x: cx + u * c - v * s,
                        y: cy + u * s + v * c,
                    }
                })
                .collect();
            Shape::Polygon { points }
        }
        Outline::Polygon { points } => Shape::Polygon {
            points: points.iter().map(|[x, y]| Point { x: *x, y: *y }).collect(),
        },
    }
}

/// Half-size of the region around the lung point that counts as a click on it, pixels.
const LUNG_POINT_RX: f64 = 14.0;
const LUNG_POINT_RY: f64 = 10.0;
/// Either side of the bottom of the heart, the arc of pericardial fluid counted, radians.
const EFFUSION_ARC: f64 = 0.55;

/// The region of `structure` on `frame`: a truth outline by name, or one of the derived
/// regions `lung_point` (around the lung point on the pleural line) and `posterior_effusion`
/// (the fluid between epicardium and pericardium under the heart).
pub(crate) fn target(truth: &PhantomTruth, structure: &str, frame: u32) -> Option<Outline> {
    match structure {
        "lung_point" => {
            let x = *truth.facts.lung_point_x.as_ref()?.get(frame as usize)?;
            let Outline::Polygon { points } = truth.outline("pleural_line", frame)? else {
                return None;
            };
            let y = points.iter().map(|p| p[1]).sum::<f64>() / points.len() as f64;
            Some(Outline::Ellipse {
                cx: x,
                cy: y,
                rx: LUNG_POINT_RX,
                ry: LUNG_POINT_RY,
                rotation_deg: 0.0,
            })
        }
        "posterior_effusion" => {
            let arc = |o: &Outline| -> Option<Vec<[f64; 2]>> {
                let Outline::Ellipse { cx, cy, rx, ry, .. } = o else {
                    return None;
                };
                Some(
                    (0..=ARC_POINTS)
                        .map(|k| {
                            let phi = FRAC_PI_2 - EFFUSION_ARC
                                + 2.0 * EFFUSION_ARC * k as f64 / ARC_POINTS as f64;
                            [cx + rx * phi.cos(), cy + ry * phi.sin()]
                        })
                        .collect(),
                )
            };
            let outer = arc(truth.outline("pericardium", frame)?)?;
            let inner = arc(truth.outline("epicardium", frame)?)?;
            Some(Outline::Polygon {
                points: outer.into_iter().chain(inner.into_iter().rev()).collect(),
            })
        }
        name => truth.outline(name, frame).cloned(),
    }
}

/// The frames on which `structure` is there.
pub(crate) fn visible_frames(truth: &PhantomTruth, structure: &str) -> Vec<u32> {
    (0..truth.frames)
        .filter(|f| target(truth, structure, *f).is_some())
        .collect()
}

/// The clip lesson's and case's overlay: the structure outlined on each frame it is on, and
/// its label beside it from its first frame to the last.
pub(crate) fn annotations(
    truth: &PhantomTruth,
    structure: &str,
    label: &str,
) -> Result<Vec<Annotation>> {
    let frames = visible_frames(truth, structure);
    let (Some(&first), Some(&last)) = (frames.first(), frames.last()) else {
        bail!("{} has no {structure}", truth.scene.name());
    };
    let mut out: Vec<Annotation> = frames
        .iter()
        .filter_map(|f| {
            let outline = target(truth, structure, *f)?;
            Some(Annotation {
                shape: shape(&outline),
                first_frame: *f,
                last_frame: *f,
                color: Some("#ffd54f".into()),
            })
        })
        .collect();
    let (left, top, right, _) = out[0].shape.bounds();
    let at = Point {
        x: if right + 8.0 < f64::from(truth.width) - 120.0 {
            right + 8.0
        } else {
            (left - 130.0).max(4.0)
        },
        y: (top - 6.0).max(f64::from(truth.region.1) + 4.0),
    };
    out.push(Annotation {
        shape: Shape::Text {
            at,
            text: label.to_string(),
        },
        first_frame: first,
        last_frame: last,
        color: Some("#81c784".into()),
    });
    Ok(out)
}

/// The frame-selection target of `fact`.
pub(crate) fn frame_target(truth: &PhantomTruth, fact: FrameFact) -> Result<FrameTarget> {
    let facts = &truth.facts;
    Ok(match fact {
        FrameFact::FluidFirstFrame => {
            FrameTarget::Frame(facts.fluid_first_frame.context("no fluid_first_frame")?)
        }
        FrameFact::FullyCompressedFrames => {
            let run = facts
                .fully_compressed_frames
                .context("no fully_compressed_frames")?;
            FrameTarget::Range {
                start: run.first,
                end: run.last,
            }
        }
        FrameFact::LungPointLeftmost => {
            let xs = facts.lung_point_x.as_ref().context("no lung_point_x")?;
            let (at, _) = xs
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .context("no frame")?;
            FrameTarget::Frame(at as u32)
        }
    })
}

/// The expected value of `fact`, mm.
pub(crate) fn expected_mm(truth: &PhantomTruth, fact: MeasureFact) -> Result<f64> {
    let facts = &truth.facts;
    Ok(match fact {
        MeasureFact::FluidThicknessLast => *facts
            .fluid_thickness_mm
            .as_ref()
            .and_then(|t| t.last())
            .context("no fluid_thickness_mm")?,
        MeasureFact::AortaDiameter => facts.aorta_diameter_mm.context("no aorta_diameter_mm")?,
        MeasureFact::EffusionMax => facts.effusion_max_mm.context("no effusion_max_mm")?,
    })
}

/// The question's key: from the entry for choice questions, from the truth for clip ones.
pub(crate) fn kind(entry: &QuestionEntry, truth: Option<&PhantomTruth>) -> Result<QuestionKind> {
    let truth = || truth.context("a clip question without its clip's truth");
    let words = &entry.zh;
    Ok(match entry.kind {
        KindName::Single => QuestionKind::Single {
            options: words.options.clone(),
            correct: entry.answer.context("answer")?,
        },
        KindName::Multiple => QuestionKind::Multiple {
            options: words.options.clone(),
            correct: entry.answers.clone(),
            grading: entry.partial.context("partial")?,
        },
        KindName::TrueFalse => QuestionKind::TrueFalse {
            correct: entry.statement.context("statement")?,
        },
        KindName::Ordering => QuestionKind::Ordering {
            items: words.options.clone(),
            grading: entry.ordering.context("ordering")?,
        },
        KindName::Hotspot => {
            let truth = truth()?;
            let structure = entry.structure.as_deref().context("structure")?;
            let targets: Vec<HotspotTarget> = visible_frames(truth, structure)
                .into_iter()
                .filter_map(|f| {
                    Some(HotspotTarget {
                        shape: shape(&target(truth, structure, f)?),
                        first_frame: f,
                        last_frame: f,
                    })
                })
                .collect();
            QuestionKind::Hotspot {
                frames: truth.frames,
                targets,
            }
        }
        KindName::FrameSelection => QuestionKind::FrameSelection {
            target: frame_target(truth()?, entry.frames.context("frames")?)?,
            tolerance: entry.tolerance.context("tolerance")? as u32,
        },
        KindName::Measurement => QuestionKind::Measurement {
            expected_mm: expected_mm(truth()?, entry.measure.context("measure")?)?,
            tolerance: match (entry.tolerance, entry.tolerance_pct) {
                (Some(mm), _) => Tolerance::Mm(mm),
                (None, Some(pct)) => Tolerance::Percent(pct),
                (None, None) => bail!("no tolerance"),
            },
        },
    })
}

/// The question in `language` on the clip `sop_uid` (clip questions), key from the truth.
pub(crate) fn input(
    entry: &QuestionEntry,
    language: Language,
    clip: Option<(&PhantomTruth, &str)>,
) -> Result<QuestionInput> {
    let mut kind = kind(entry, clip.map(|(t, _)| t))?;
    let words = entry.words(language);
    match &mut kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multiple { options, .. } => {
            *options = words.options.clone()
        }
        QuestionKind::Ordering { items, .. } => *items = words.options.clone(),
        _ => {}
    }
    Ok(QuestionInput {
        application: entry.application.clone(),
        topic: entry.topic.clone(),
        stem: words.stem.clone(),
        kind,
        explanation: words.explanation.clone(),
        clip: entry.clip.and(clip).map(|(_, sop)| sop.to_string()),
    })
}
