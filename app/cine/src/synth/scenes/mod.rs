//! The teaching scenes of the phantom simulator: for each, the probe, the tissue at every
//! point and moment (echogenicity and attenuation), how tissue moves, and the ground truth
//! taken from the same geometry. Anatomy is a handful of ellipses, bands and polygons in
//! millimetres, not an atlas; artefacts the simulator does not produce physically
//! (reverberation: A-lines, B-lines, comet tails) are drawn into the tissue map as echoes.
mod abdomen;
mod chest;
mod heart;
mod neck;
mod shapes;

mod vein;

use super::probe::{ImageFrame, Mm, Probe};
use super::truth::{Outline, SceneFacts};
use serde::{Deserialize, Serialize};

/// A phantom scene.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Scene {
    /// Thyroid lobe, transverse, with a lobulated mixed cystic-solid hypoechoic nodule and
    /// echogenic foci with comet tails.
    ThyroidNodule,
    /// Common carotid artery, long axis, pulsating, with a far-wall plaque.
    CarotidPlaque,
    /// Right upper quadrant: liver and kidney, free fluid appearing in Morison's pouch.
    MorisonFluid,
    /// Lung, pleural line with sliding and A-lines.
    LungSliding,
    /// Lung with three B-lines.
    BLines,
    /// Lung point: sliding on one side of a point that moves with breathing.
    LungPoint,
    /// Heart with an anechoic pericardial effusion, beating.
    PericardialEffusion,
    /// Abdominal aorta, transverse, of a known diameter.
    Aorta,
    /// Femoral vein and artery under probe compression; the vein collapses fully.
    VeinCompressible,
    /// Femoral vein with thrombus and artery under probe compression; the vein stays open.
    VeinNonCompressible,
}

impl Scene {
    /// Every scene, in the order above.
    pub const ALL: [Scene; 10] = [
        Scene::ThyroidNodule,
        Scene::CarotidPlaque,
        Scene::MorisonFluid,
        Scene::LungSliding,
        Scene::BLines,
        Scene::LungPoint,
        Scene::PericardialEffusion,
        Scene::Aorta,
        Scene::VeinCompressible,
        Scene::VeinNonCompressible,
    ];

    /// The snake_case name (as in JSON and on the command line).
    pub fn name(self) -> &'static str {
        match self {
            Scene::ThyroidNodule => "thyroid_nodule",
            Scene::CarotidPlaque => "carotid_plaque",
            Scene::MorisonFluid => "morison_fluid",
            Scene::LungSliding => "lung_sliding",
            Scene::BLines => "b_lines",
            Scene::LungPoint => "lung_point",
            Scene::PericardialEffusion => "pericardial_effusion",
            Scene::Aorta => "aorta",
            Scene::VeinCompressible => "vein_compressible",
            Scene::VeinNonCompressible => "vein_non_compressible",
        }
    }

    /// The anatomy of the scene; `seed` picks what a scene varies (the aorta's diameter).
    pub(super) fn anatomy(self, seed: u64) -> Box<dyn Anatomy> {
        match self {
            Scene::ThyroidNodule => Box::new(neck::ThyroidNodule),
            Scene::CarotidPlaque => Box::new(neck::CarotidPlaque),
            Scene::MorisonFluid => Box::new(abdomen::Morison),
            Scene::LungSliding => Box::new(chest::Lung::sliding()),
            Scene::BLines => Box::new(chest::Lung::b_lines()),
            Scene::LungPoint => Box::new(chest::Lung::lung_point()),
            Scene::PericardialEffusion => Box::new(heart::Effusion),
            Scene::Aorta => Box::new(abdomen::Aorta::for_seed(seed)),
            Scene::VeinCompressible => Box::new(vein::FemoralVein { compressible: true }),
            Scene::VeinNonCompressible => Box::new(vein::FemoralVein {
                compressible: false,
            }),
        }
    }
}

/// What tissue does to sound at a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Medium {
    /// Backscatter amplitude relative to liver parenchyma (1.0).
    pub echo: f32,
    /// Attenuation in dB/(cm·MHz).
    pub atten: f32,
}

impl Medium {
    const fn new(echo: f32, atten: f32) -> Self {
        Medium { echo, atten }
    }

    /// The same tissue, its echo scaled.
    pub fn brighter(self, factor: f32) -> Self {
        Medium::new(self.echo * factor, self.atten)
    }
}

/// Tissue classes. Attenuation of soft tissue is 0.5–1 dB/(cm·MHz); fluid hardly attenuates
/// (posterior enhancement); bone and calcium stop the beam (shadowing).
pub(super) mod tissue {
    use super::Medium;
    pub const SKIN: Medium = Medium::new(1.8, 0.8);
    pub const FAT: Medium = Medium::new(0.6, 0.6);
    pub const MUSCLE: Medium = Medium::new(0.45, 0.9);
    pub const FASCIA: Medium = Medium::new(2.2, 0.8);
    pub const SOFT: Medium = Medium::new(0.8, 0.6);
    pub const LIVER: Medium = Medium::new(1.0, 0.5);
    pub const THYROID: Medium = Medium::new(1.3, 0.6);
    pub const CORTEX: Medium = Medium::new(0.7, 0.6);
    pub const MEDULLA: Medium = Medium::new(0.35, 0.5);
    pub const SINUS_FAT: Medium = Medium::new(2.2, 0.7);
    pub const MYOCARDIUM: Medium = Medium::new(0.8, 0.7);
    pub const WALL: Medium = Medium::new(3.0, 0.8);
    pub const BLOOD: Medium = Medium::new(0.02, 0.15);
    pub const FLUID: Medium = Medium::new(0.01, 0.05);
    pub const THROMBUS: Medium = Medium::new(0.25, 0.4);
    pub const CALCIUM: Medium = Medium::new(8.0, 25.0);
    pub const BONE: Medium = Medium::new(6.0, 30.0);
    /// Under the pleura: no real echoes; the artefacts below are drawn explicitly, and the
    /// attenuation cancels the time-gain compensation so they fade as drawn.
    pub const AIR: Medium = Medium::new(0.0, 0.5);
}

/// The heart rate of the beating scenes.
pub(super) const HEART_RATE_BPM: f64 = 72.0;

/// When a frame is: its number, the clip's length, and the physiology derived from them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Clock {
    pub frame: u32,
    pub frames: u32,
    pub fps: f64,
}

impl Clock {
    /// Seconds since the first frame.
    pub fn seconds(&self) -> f64 {
        f64::from(self.frame) / self.fps
    }

    /// 0 at the first frame, 1 at the last: scripted events (compression, fluid) follow it.
    pub fn progress(&self) -> f64 {
        f64::from(self.frame) / f64::from(self.frames.saturating_sub(1).max(1))
    }

    /// Breathing, −1..1: one breath per clip, at 1 to 5 s a breath so short and long clips
    /// both show it.
    pub fn breath(&self) -> f64 {
        let period = (f64::from(self.frames) / self.fps).clamp(1.0, 5.0);
        (std::f64::consts::TAU * self.seconds() / period).sin()
    }

    /// Cardiac swelling 0..1 (0 at end-diastole, the first frame): a quick systolic rise
    /// and a slower fall.
    pub fn heart(&self) -> f64 {
        let phase = (self.seconds() * HEART_RATE_BPM / 60.0).fract();
        if phase < 0.3 {
            (phase / 0.3 * std::f64::consts::FRAC_PI_2).sin()
        } else {
            ((1.0 - phase) / 0.7 * std::f64::consts::FRAC_PI_2)
                .sin()
                .powi(2)
        }
    }
}

/// A named structure's outline in body millimetres, `None` while it is absent.
pub(super) type Outlined = (&'static str, Option<Outline>);

/// A scene's anatomy: everything the renderer and the ground truth ask of it.
pub(super) trait Anatomy: Sync {
    /// The transducer and field of view.
    fn probe(&self) -> Probe;

    /// The tissue at body position `p` at time `t`.
    fn medium(&self, p: Mm, t: &Clock) -> Medium;

    /// Where tissue that lies at `rest` in the first frame is at time `t`.
    fn carry(&self, rest: Mm, _t: &Clock) -> Mm {
        rest
    }

    /// The named outlines at time `t`, in body millimetres.
    fn outlines(&self, t: &Clock) -> Vec<Outlined>;

    /// The scene's facts for a clip whose frames are `clocks`, positions in `image` pixels.
    fn facts(&self, clocks: &[Clock], image: &ImageFrame) -> SceneFacts;
}

/// The tissue of a stack of horizontal layers: the first whose bottom lies below `z`.
pub(super) fn layer(z: f64, layers: &[(f64, Medium)], below: Medium) -> Medium {
    layers
        .iter()
        .find(|(bottom, _)| z < *bottom)
        .map_or(below, |(_, m)| *m)
}

/// A gentle deterministic texture, 1 ± `depth`, so large organs are not perfectly uniform.
pub(super) fn texture(p: Mm, depth: f32) -> f32 {
    let v = (p.x * 0.37 + p.z * 0.11).sin() * (p.z * 0.29 - p.x * 0.13).sin();
    1.0 + depth * v as f32
}
