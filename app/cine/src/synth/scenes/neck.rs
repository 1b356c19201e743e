//! Neck scenes on a 10 MHz linear array. `thyroid_nodule`: a transverse thyroid lobe between
//! the strap muscles, the carotid and the trachea, holding a lobulated, wider-than-tall,
//! hypoechoic mixed cystic-solid nodule whose cystic parts carry colloid foci with comet
//! tails (drawn as tapering echoes below each focus). `carotid_plaque`: the common carotid
//! in long axis, pulsating, with a far-wall plaque holding a shadowing calcification.
use super::super::probe::{ImageFrame, Mm, Probe};
use super::super::truth::{NoduleFacts, SceneFacts};
use super::shapes::{Ellipse, polygon};
use super::{Anatomy, Clock, HEART_RATE_BPM, Medium, Outlined, layer, texture, tissue};
use std::f64::consts::TAU;

const NECK_LAYERS: [(f64, Medium); 3] = [
    (1.5, tissue::SKIN),
    (4.0, tissue::FAT),
    (8.5, tissue::MUSCLE),
];

/// Thyroid lobe with a nodule.
pub(super) struct ThyroidNodule;

const LOBE: Ellipse = Ellipse::new(Mm::new(1.5, 17.0), 13.5, 8.5);
const NODULE: Ellipse = Ellipse::new(Mm::new(1.0, 17.5), 7.0, 5.0);
/// The nodule's margin: radius × (1 + depth × cos(lobes × angle)).
const LOBES: f64 = 5.0;
const LOBE_DEPTH: f64 = 0.08;
const CYSTS: [Ellipse; 2] = [
    Ellipse::new(Mm::new(-1.5, 16.8), 2.6, 1.9),
    Ellipse::new(Mm::new(4.0, 18.5), 2.0, 1.6),
];
const FOCI: [Mm; 3] = [Mm::new(-2.4, 16.0), Mm::new(-0.6, 16.3), Mm::new(4.0, 17.9)];
const FOCUS_RADIUS: f64 = 0.35;
const TAIL_LENGTH: f64 = 2.5;
const TAIL_HALF_WIDTH: f64 = 0.3;
const COLLOID: Medium = Medium {
    echo: 10.0,
    atten: 0.6,
};
const SOLID_NODULE: Medium = Medium {
    echo: 0.5,
    atten: 0.7,
};
const CAROTID: Ellipse = Ellipse::circle(Mm::new(-16.0, 20.0), 3.0);
const TRACHEA: Ellipse = Ellipse::circle(Mm::new(24.0, 14.0), 9.0);

fn lobulation(phi: f64) -> f64 {
    1.0 + LOBE_DEPTH * (LOBES * phi).cos()
}

fn in_nodule(p: Mm) -> bool {
    let (u, v) = NODULE.local(p);
    u.hypot(v) < lobulation(v.atan2(u))
}

fn nodule_outline() -> Vec<Mm> {
    (0..72)
        .map(|k| {
            let phi = TAU * f64::from(k) / 72.0;
            NODULE.point(phi, lobulation(phi))
        })
        .collect()
}

/// The comet tail under a focus: its echo, tapering with distance below the focus.
fn comet_tail(p: Mm, focus: Mm) -> Option<f32> {
    let below = (p.z - focus.z - FOCUS_RADIUS) / TAIL_LENGTH;
    let width = TAIL_HALF_WIDTH * (1.0 - below);
    ((0.0..1.0).contains(&below) && (p.x - focus.x).abs() < width)
        .then_some(6.0 * (1.0 - below) as f32)
}

fn tail_outline(focus: Mm) -> Vec<Mm> {
    let top = focus.z + FOCUS_RADIUS;
    vec![
        Mm::new(focus.x - TAIL_HALF_WIDTH, top),
        Mm::new(focus.x + TAIL_HALF_WIDTH, top),
        Mm::new(focus.x, top + TAIL_LENGTH),
    ]
}

fn carotid(t: &Clock) -> Ellipse {
    CAROTID.grown(CAROTID.rx * 0.06 * t.heart())
}

impl ThyroidNodule {
    fn nodule(p: Mm) -> Option<Medium> {
        if FOCI
            .iter()
            .any(|f| (p.x - f.x).hypot(p.z - f.z) < FOCUS_RADIUS)
        {
            return Some(COLLOID);
        }
        if let Some(echo) = FOCI.iter().find_map(|f| comet_tail(p, *f)) {
            return Some(Medium { echo, atten: 0.6 });
        }
        if !in_nodule(p) {
            return None;
        }
        if CYSTS.iter().any(|c| c.contains(p)) {
            return Some(tissue::FLUID);
        }
        Some(SOLID_NODULE.brighter(texture(p, 0.3)))
    }

    fn surroundings(p: Mm, t: &Clock) -> Medium {
        let vessel = carotid(t);
        let trachea = TRACHEA.rho(p);
        if vessel.contains(p) {
            tissue::BLOOD
        } else if vessel.grown(0.8).contains(p) {
            tissue::WALL
        } else if trachea < 0.88 {
            Medium {
                echo: 0.15,
                atten: 30.0,
            }
        } else if trachea < 1.0 {
            Medium {
                echo: 2.5,
                atten: 3.0,
            }
        } else if LOBE.contains(p) {
            tissue::THYROID.brighter(texture(p, 0.1))
        } else if LOBE.grown(0.6).contains(p) {
            tissue::FASCIA
        } else {
            layer(p.z, &NECK_LAYERS, tissue::SOFT)
        }
    }

    fn size_mm() -> [f64; 2] {
        let points = nodule_outline();
        let extent = |f: fn(&Mm) -> f64| {
            let values = points.iter().map(f);
            values.clone().fold(f64::MIN, f64::max) - values.fold(f64::MAX, f64::min)
        };
        [extent(|p| p.x), extent(|p| p.z)]
    }
}

impl Anatomy for ThyroidNodule {
    fn probe(&self) -> Probe {
        Probe::linear(10.0, 40.0, 38.0)
    }

    fn medium(&self, p: Mm, t: &Clock) -> Medium {
        Self::nodule(p).unwrap_or_else(|| Self::surroundings(p, t))
    }

    fn outlines(&self, t: &Clock) -> Vec<Outlined> {
        const FOCUS_NAMES: [&str; 3] = ["focus_1", "focus_2", "focus_3"];
        const TAIL_NAMES: [&str; 3] = ["comet_tail_1", "comet_tail_2", "comet_tail_3"];
        let mut out = vec![
            ("thyroid_lobe", Some(LOBE.outline())),
            ("nodule", Some(polygon(nodule_outline()))),
            ("cyst_1", Some(CYSTS[0].outline())),
            ("cyst_2", Some(CYSTS[1].outline())),
            ("carotid", Some(carotid(t).outline())),
        ];
        for (i, f) in FOCI.iter().enumerate() {
            out.push((
                FOCUS_NAMES[i],
                Some(Ellipse::circle(*f, FOCUS_RADIUS).outline()),
            ));
            out.push((TAIL_NAMES[i], Some(polygon(tail_outline(*f)))));
        }
        out
    }

    fn facts(&self, _clocks: &[Clock], _image: &ImageFrame) -> SceneFacts {
        SceneFacts {
            nodule: Some(NoduleFacts {
                composition: "mixed_cystic_and_solid".into(),
                echogenicity: "hypoechoic".into(),
                shape: "wider_than_tall".into(),
                margin: "lobulated".into(),
                echogenic_foci: "large_comet_tail".into(),
                size_mm: Self::size_mm(),
            }),
            ..SceneFacts::default()
        }
    }
}

/// Common carotid artery in long axis with a plaque.
pub(super) struct CarotidPlaque;

/// Depth of the artery's axis, its diastolic lumen radius and wall thickness, mm.
const CCA_DEPTH: f64 = 17.0;
const CCA_RADIUS: f64 = 3.5;
const CCA_WALL: f64 = 0.9;
/// The plaque: centre, half-length along the artery and thickness, mm.
const PLAQUE_X: f64 = 3.0;
const PLAQUE_HALF_LENGTH: f64 = 6.5;
const PLAQUE_THICKNESS: f64 = 3.0;
const CALCIFICATION_RADIUS: f64 = 0.8;
const PLAQUE: Medium = Medium {
    echo: 1.6,
    atten: 0.8,
};
const NECK_HALF_WIDTH: f64 = 19.0;

impl CarotidPlaque {
    fn radius(t: &Clock) -> f64 {
        CCA_RADIUS * (1.0 + 0.07 * t.heart())
    }

    /// The plaque's height above the far wall at `x`.
    fn plaque_height(x: f64) -> f64 {
        let s = (x - PLAQUE_X) / PLAQUE_HALF_LENGTH;
        if s.abs() < 1.0 {
            PLAQUE_THICKNESS * (1.0 - s * s).sqrt()
        } else {
            0.0
        }
    }

    fn calcification(t: &Clock) -> Ellipse {
        let far_wall = CCA_DEPTH + Self::radius(t);
        Ellipse::circle(
            Mm::new(PLAQUE_X + 2.0, far_wall - 1.0),
            CALCIFICATION_RADIUS,
        )
    }

    fn far_edge(x: f64, t: &Clock) -> Mm {
        Mm::new(x, CCA_DEPTH + Self::radius(t) - Self::plaque_height(x))
    }
}

impl Anatomy for CarotidPlaque {
    fn probe(&self) -> Probe {
        Probe::linear(9.0, 35.0, 38.0)
    }

    fn medium(&self, p: Mm, t: &Clock) -> Medium {
        let r = Self::radius(t);
        let d = p.z - CCA_DEPTH;
        let plaque_top = r - Self::plaque_height(p.x);
        if d.abs() >= r + CCA_WALL {
            layer(p.z, &NECK_LAYERS, tissue::SOFT)
        } else if d < -r || d > r {
            tissue::WALL
        } else if d < plaque_top {
            tissue::BLOOD
        } else if Self::calcification(t).contains(p) {
            tissue::CALCIUM
        } else {
            PLAQUE.brighter(texture(p, 0.4))
        }
    }

    fn outlines(&self, t: &Clock) -> Vec<Outlined> {
        let r = Self::radius(t);
        let xs = |from: f64, to: f64| {
            let steps = ((to - from) / 0.5).ceil() as u32;
            (0..=steps).map(move |k| from + (to - from) * f64::from(k) / f64::from(steps))
        };
        let top = [
            Mm::new(-NECK_HALF_WIDTH, CCA_DEPTH - r),
            Mm::new(NECK_HALF_WIDTH, CCA_DEPTH - r),
        ];
        let bottom = xs(-NECK_HALF_WIDTH, NECK_HALF_WIDTH)
            .rev()
            .map(|x| Self::far_edge(x, t));
        let (p0, p1) = (PLAQUE_X - PLAQUE_HALF_LENGTH, PLAQUE_X + PLAQUE_HALF_LENGTH);
        let plaque_top = xs(p0, p1).map(|x| Self::far_edge(x, t));
        let far_wall = CCA_DEPTH + r;
        vec![
            ("lumen", Some(polygon(top.into_iter().chain(bottom)))),
            (
                "plaque",
                Some(polygon(
                    plaque_top.chain([Mm::new(p1, far_wall), Mm::new(p0, far_wall)]),
                )),
            ),
            ("calcification", Some(Self::calcification(t).outline())),
        ]
    }

    fn facts(&self, _clocks: &[Clock], _image: &ImageFrame) -> SceneFacts {
        SceneFacts {
            plaque_thickness_mm: Some(PLAQUE_THICKNESS),
            lumen_diameter_mm: Some(2.0 * CCA_RADIUS),
            heart_rate_bpm: Some(HEART_RATE_BPM),
            ..SceneFacts::default()
        }
    }
}
