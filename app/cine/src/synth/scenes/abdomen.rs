//! Abdominal scenes on a 3.5 MHz curvilinear array; everything under the abdominal wall
//! moves with breathing (a rigid shift, a simplification of the liver's glide).
//! `morison_fluid`: liver over the right kidney (capsule, cortex, pyramids, sinus fat) with
//! an anechoic stripe of free fluid along the kidney's upper surface that appears at a known
//! frame and thickens. `aorta`: the abdominal aorta in transverse section in front of a
//! shadowing vertebral body, beside the inferior vena cava, its diameter set by the seed.
use super::super::probe::{ImageFrame, Mm, Probe};
use super::super::rng::SplitMix;
use super::super::truth::SceneFacts;
use super::shapes::{Ellipse, polygon};
use super::{Anatomy, Clock, Medium, Outlined, layer, texture, tissue};
use std::f64::consts::FRAC_PI_2;

/// Bottom of the abdominal wall, mm; what lies deeper breathes.
const WALL_BOTTOM: f64 = 22.0;
const WALL_LAYERS: [(f64, Medium); 3] = [
    (2.0, tissue::SKIN),
    (12.0, tissue::FAT),
    (WALL_BOTTOM, tissue::MUSCLE),
];

/// Depth over which breathing motion fades in below the wall, mm (no gap opens under it).
const GLIDE_LAYER: f64 = 10.0;

/// Where breathing has moved the deep organs, mm.
fn breathing_shift(t: &Clock, amplitude: Mm) -> Mm {
    let b = t.breath();
    Mm::new(amplitude.x * b, amplitude.z * b)
}

/// Breathing's shift of tissue at depth `z`: none in the wall, full under the glide layer.
fn shift_at(z: f64, t: &Clock, amplitude: Mm) -> Mm {
    let w = ((z - WALL_BOTTOM) / GLIDE_LAYER).clamp(0.0, 1.0);
    let full = breathing_shift(t, amplitude);
    Mm::new(full.x * w, full.z * w)
}

fn shifted(p: Mm, by: Mm) -> Mm {
    Mm::new(p.x + by.x, p.z + by.z)
}

/// Liver, right kidney and free fluid in Morison's pouch.
pub(super) struct Morison;

const MORISON_BREATH: Mm = Mm::new(3.0, 2.0);
const KIDNEY: Ellipse = Ellipse::new(Mm::new(15.0, 100.0), 48.0, 24.0).rotated(-0.25);
const CAPSULE: f64 = 1.2;
/// The fluid covers the kidney's upper surface within this angle either side of its top.
const FLUID_ARC: f64 = 1.1;
/// Progress through the clip at which fluid appears, and its first and last thickness, mm.
const FLUID_START: f64 = 0.3;
const FLUID_FIRST_MM: f64 = 4.0;
const FLUID_LAST_MM: f64 = 10.0;
const PORTAL_VEINS: [Ellipse; 3] = [
    Ellipse::circle(Mm::new(-35.0, 55.0), 4.5),
    Ellipse::circle(Mm::new(-12.0, 42.0), 3.0),
    Ellipse::circle(Mm::new(-50.0, 85.0), 3.5),
];
const BACK_MUSCLE_DEPTH: f64 = 138.0;

impl Morison {
    fn fluid_mm(t: &Clock) -> f64 {
        let u = t.progress();
        if u < FLUID_START {
            0.0
        } else {
            FLUID_FIRST_MM
                + (FLUID_LAST_MM - FLUID_FIRST_MM) * (u - FLUID_START) / (1.0 - FLUID_START)
        }
    }

    fn in_fluid(q: Mm, thickness: f64) -> bool {
        let outer = KIDNEY.grown(CAPSULE + thickness);
        let (u, v) = outer.local(q);
        thickness > 0.0
            && u.hypot(v) < 1.0
            && !KIDNEY.grown(CAPSULE).contains(q)
            && (v.atan2(u) + FRAC_PI_2).abs() < FLUID_ARC
    }

    fn fluid_outline(thickness: f64, shift: Mm) -> Vec<Mm> {
        let arc = |e: Ellipse| {
            (0..=24).map(move |k| {
                let phi = -FRAC_PI_2 - FLUID_ARC + 2.0 * FLUID_ARC * f64::from(k) / 24.0;
                shifted(e.point(phi, 1.0), shift)
            })
        };
        let inner: Vec<Mm> = arc(KIDNEY.grown(CAPSULE)).collect();
        arc(KIDNEY.grown(CAPSULE + thickness))
            .chain(inner.into_iter().rev())
            .collect()
    }

    fn kidney(q: Mm) -> Option<Medium> {
        let (u, v) = KIDNEY.local(q);
        let rho = u.hypot(v);
        if rho >= 1.0 {
            return KIDNEY.grown(CAPSULE).contains(q).then_some(tissue::WALL);
        }
        Some(if rho < 0.45 {
            tissue::SINUS_FAT
        } else if rho < 0.72 && (7.0 * v.atan2(u)).cos() > -0.2 {
            tissue::MEDULLA
        } else {
            tissue::CORTEX
        })
    }

    fn liver(q: Mm) -> Medium {
        if PORTAL_VEINS.iter().any(|v| v.contains(q)) {
            tissue::BLOOD
        } else if PORTAL_VEINS.iter().any(|v| v.grown(0.9).contains(q)) {
            tissue::WALL
        } else if q.z > BACK_MUSCLE_DEPTH {
            tissue::MUSCLE
        } else {
            tissue::LIVER.brighter(texture(q, 0.08))
        }
    }
}

impl Anatomy for Morison {
    fn probe(&self) -> Probe {
        Probe::curvilinear(3.5, 160.0, 60.0, 50.0)
    }

    fn medium(&self, p: Mm, t: &Clock) -> Medium {
        if p.z < WALL_BOTTOM {
            return layer(p.z, &WALL_LAYERS, tissue::MUSCLE);
        }
        let shift = shift_at(p.z, t, MORISON_BREATH);
        let q = Mm::new(p.x - shift.x, p.z - shift.z);
        if Self::in_fluid(q, Self::fluid_mm(t)) {
            return tissue::FLUID;
        }
        Self::kidney(q).unwrap_or_else(|| Self::liver(q))
    }

    fn carry(&self, rest: Mm, t: &Clock) -> Mm {
        shifted(rest, shift_at(rest.z, t, MORISON_BREATH))
    }

    fn outlines(&self, t: &Clock) -> Vec<Outlined> {
        let shift = breathing_shift(t, MORISON_BREATH);
        let mut kidney = KIDNEY.grown(CAPSULE);
        kidney.centre = shifted(kidney.centre, shift);
        let thickness = Self::fluid_mm(t);
        let fluid = (thickness > 0.0).then(|| polygon(Self::fluid_outline(thickness, shift)));
        vec![("kidney", Some(kidney.outline())), ("free_fluid", fluid)]
    }

    fn facts(&self, clocks: &[Clock], _image: &ImageFrame) -> SceneFacts {
        let thickness: Vec<f64> = clocks.iter().map(Self::fluid_mm).collect();
        SceneFacts {
            fluid_first_frame: thickness.iter().position(|&mm| mm > 0.0).map(|n| n as u32),
            fluid_thickness_mm: Some(thickness),
            ..SceneFacts::default()
        }
    }
}

/// The abdominal aorta in transverse section.
pub(super) struct Aorta {
    /// Outer-wall diameter, mm.
    diameter: f64,
}

const AORTA_BREATH: Mm = Mm::new(1.5, 1.0);
const AORTA_WALL: f64 = 1.8;
const VERTEBRA: Ellipse = Ellipse::new(Mm::new(2.0, 112.0), 24.0, 14.0);
const IVC: Ellipse = Ellipse::new(Mm::new(-20.0, 88.0), 11.0, 6.0);

impl Aorta {
    /// An aorta 18–48 mm across (normal to aneurysmal), in 0.5 mm steps.
    pub fn for_seed(seed: u64) -> Self {
        let diameter = SplitMix::new(seed, 0xA0A7A).range(18.0, 48.0);
        Aorta {
            diameter: (diameter * 2.0).round() / 2.0,
        }
    }

    /// The outer wall, resting on the vertebral body with 3 mm between.
    fn outer(&self) -> Ellipse {
        let top_of_spine = VERTEBRA.centre.z - VERTEBRA.ry;
        Ellipse::circle(
            Mm::new(6.0, top_of_spine - 3.0 - self.diameter / 2.0),
            self.diameter / 2.0,
        )
    }

    fn at(e: Ellipse, shift: Mm) -> Ellipse {
        Ellipse {
            centre: shifted(e.centre, shift),
            ..e
        }
    }
}

impl Anatomy for Aorta {
    fn probe(&self) -> Probe {
        Probe::curvilinear(3.5, 140.0, 60.0, 50.0)
    }

    fn medium(&self, p: Mm, t: &Clock) -> Medium {
        if p.z < WALL_BOTTOM {
            return layer(p.z, &WALL_LAYERS, tissue::MUSCLE);
        }
        let shift = shift_at(p.z, t, AORTA_BREATH);
        let q = Mm::new(p.x - shift.x, p.z - shift.z);
        let outer = self.outer();
        let spine = VERTEBRA.rho(q);
        if outer.grown(-AORTA_WALL).contains(q) || IVC.contains(q) {
            tissue::BLOOD
        } else if outer.contains(q) || IVC.grown(0.7).contains(q) {
            tissue::WALL
        } else if spine < 0.85 {
            Medium {
                echo: 0.2,
                atten: 30.0,
            }
        } else if spine < 1.0 {
            tissue::BONE
        } else {
            tissue::SOFT.brighter(texture(q, 0.25))
        }
    }

    fn carry(&self, rest: Mm, t: &Clock) -> Mm {
        shifted(rest, shift_at(rest.z, t, AORTA_BREATH))
    }

    fn outlines(&self, t: &Clock) -> Vec<Outlined> {
        let shift = breathing_shift(t, AORTA_BREATH);
        let outer = Self::at(self.outer(), shift);
        vec![
            ("aorta", Some(outer.outline())),
            ("aorta_lumen", Some(outer.grown(-AORTA_WALL).outline())),
            ("ivc", Some(Self::at(IVC, shift).outline())),
            ("vertebral_body", Some(Self::at(VERTEBRA, shift).outline())),
        ]
    }

    fn facts(&self, _clocks: &[Clock], _image: &ImageFrame) -> SceneFacts {
        SceneFacts {
            aorta_diameter_mm: Some(self.diameter),
            ..SceneFacts::default()
        }
    }
}
