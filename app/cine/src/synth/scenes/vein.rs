//! `vein_compressible` / `vein_non_compressible` on a 9 MHz linear array: the common femoral
//! vein and artery in transverse section while the probe presses and releases. Pressure
//! squeezes the tissue above 30 mm uniformly (everything deeper moves up rigidly); the
//! normal vein flattens to nothing at full pressure, the thrombosed one (echoes in the lumen)
//! hardly changes; the artery stays round and pulsates.
use super::super::probe::{ImageFrame, Mm, Probe};
use super::super::truth::{FrameRange, SceneFacts};
use super::shapes::Ellipse;
use super::{Anatomy, Clock, Medium, Outlined, layer, texture, tissue};

/// The femoral vessels under compression.
pub(super) struct FemoralVein {
    /// Whether the vein is patent and collapses (no thrombus).
    pub compressible: bool,
}

const LEG_LAYERS: [(f64, Medium); 3] = [
    (1.5, tissue::SKIN),
    (7.0, tissue::FAT),
    (7.6, tissue::FASCIA),
];
/// Depth above which tissue is squeezed, and its strain at full pressure.
const SQUEEZED_DEPTH: f64 = 30.0;
const STRAIN: f64 = 0.12;
const VEIN: Ellipse = Ellipse::new(Mm::new(-6.0, 17.0), 6.0, 4.5);
const ARTERY: Ellipse = Ellipse::circle(Mm::new(7.0, 18.0), 4.0);
const VEIN_WALL: Medium = Medium {
    echo: 2.0,
    atten: 0.8,
};
/// How much of the vein's height pressure removes: all of a patent vein's.
const THROMBOSED_COLLAPSE: f64 = 0.15;

/// Probe pressure 0..1 over the clip: rest, press, hold (full), release, rest.
fn pressure(t: &Clock) -> f64 {
    let u = t.progress();
    let ramp = |from: f64, to: f64| {
        let s = ((u - from) / (to - from)).clamp(0.0, 1.0);
        s * s * (3.0 - 2.0 * s)
    };
    if u <= 0.5 {
        ramp(0.15, 0.5)
    } else {
        1.0 - ramp(0.75, 0.95)
    }
}

/// Depth under pressure `c` of tissue resting at depth `z`.
fn squeezed(z: f64, c: f64) -> f64 {
    if z < SQUEEZED_DEPTH {
        z * (1.0 - STRAIN * c)
    } else {
        z - SQUEEZED_DEPTH * STRAIN * c
    }
}

/// Resting depth of tissue found at depth `z` under pressure `c`.
fn unsqueezed(z: f64, c: f64) -> f64 {
    let boundary = SQUEEZED_DEPTH * (1.0 - STRAIN * c);
    if z < boundary {
        z / (1.0 - STRAIN * c)
    } else {
        z + SQUEEZED_DEPTH * STRAIN * c
    }
}

impl FemoralVein {
    fn collapse(&self) -> f64 {
        if self.compressible {
            1.0
        } else {
            THROMBOSED_COLLAPSE
        }
    }

    fn vein(&self, t: &Clock) -> Ellipse {
        let c = pressure(t);
        let k = self.collapse() * c;
        let centre = Mm::new(VEIN.centre.x, squeezed(VEIN.centre.z, c));
        Ellipse::new(
            centre,
            VEIN.rx * (1.0 + 0.25 * k),
            VEIN.ry * (1.0 - STRAIN * c) * (1.0 - k),
        )
    }

    fn artery(t: &Clock) -> Ellipse {
        let centre = Mm::new(ARTERY.centre.x, squeezed(ARTERY.centre.z, pressure(t)));
        Ellipse::circle(centre, ARTERY.rx * (1.0 + 0.06 * t.heart()))
    }
}

impl Anatomy for FemoralVein {
    fn probe(&self) -> Probe {
        Probe::linear(9.0, 40.0, 38.0)
    }

    fn medium(&self, p: Mm, t: &Clock) -> Medium {
        let (vein, artery) = (self.vein(t), Self::artery(t));
        if artery.contains(p) {
            tissue::BLOOD
        } else if artery.grown(0.9).contains(p) {
            tissue::WALL
        } else if vein.contains(p) && self.compressible {
            tissue::BLOOD
        } else if vein.contains(p) {
            tissue::THROMBUS.brighter(texture(p, 0.5))
        } else if vein.grown(0.5).contains(p) {
            VEIN_WALL
        } else {
            let rest = Mm::new(p.x, unsqueezed(p.z, pressure(t)));
            layer(rest.z, &LEG_LAYERS, tissue::SOFT).brighter(texture(rest, 0.15))
        }
    }

    fn carry(&self, rest: Mm, t: &Clock) -> Mm {
        Mm::new(rest.x, squeezed(rest.z, pressure(t)))
    }

    fn outlines(&self, t: &Clock) -> Vec<Outlined> {
        vec![
            ("vein_lumen", Some(self.vein(t).outline())),
            ("artery_lumen", Some(Self::artery(t).outline())),
        ]
    }

    fn facts(&self, clocks: &[Clock], _image: &ImageFrame) -> SceneFacts {
        let flat: Vec<u32> = clocks
            .iter()
            .filter(|t| self.vein(t).ry == 0.0)
            .map(|t| t.frame)
            .collect();
        let fully_compressed = match (flat.first(), flat.last()) {
            (Some(&first), Some(&last)) => Some(FrameRange { first, last }),
            _ => None,
        };
        SceneFacts {
            fully_compressed_frames: fully_compressed,
            vein_compressible: Some(self.compressible),
            probe_compression: Some(clocks.iter().map(pressure).collect()),
            ..SceneFacts::default()
        }
    }
}
