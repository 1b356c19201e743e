//! Lung scenes on a 6 MHz linear array between two ribs (bone with shadows): the pleural
//! line, and under it no tissue, only artefacts. Reverberation is drawn, not simulated:
//! A-lines as fading copies of the pleural line at multiples of its depth, B-lines as
//! bright vertical bands to the bottom of the image that erase the A-lines. Sliding moves
//! the pleural line, the faint sub-pleural texture and the B-lines sideways with breathing;
//! at a lung point sliding stops left of a point that itself moves with breathing.
use super::super::probe::{ImageFrame, Mm, Probe};
use super::super::truth::SceneFacts;
use super::shapes::{Ellipse, polygon};
use super::{Anatomy, Clock, Medium, Outlined, layer, tissue};

/// A lung scene.
pub(super) struct Lung {
    /// Resting positions of the B-lines, mm.
    b_lines: &'static [f64],
    /// Whether the lung touches the chest wall only right of a moving lung point.
    lung_point: bool,
}

const DEPTH: f64 = 70.0;
const PLEURA_DEPTH: f64 = 16.0;
const PLEURA_THICKNESS: f64 = 0.8;
const PLEURA: Medium = Medium {
    echo: 7.0,
    atten: 0.5,
};
const CHEST_LAYERS: [(f64, Medium); 3] = [
    (2.0, tissue::SKIN),
    (6.0, tissue::FAT),
    (PLEURA_DEPTH, tissue::MUSCLE),
];
const RIBS: [Ellipse; 2] = [
    Ellipse::new(Mm::new(-19.0, 11.0), 5.5, 3.5),
    Ellipse::new(Mm::new(19.0, 11.0), 5.5, 3.5),
];
/// Sideways excursion of the sliding lung, mm.
const SLIDE_MM: f64 = 2.5;
/// The first A-line's echo; each further one is this fraction of the one before.
const A_LINE_ECHO: f32 = 4.0;
const A_LINE_DECAY: f32 = 0.6;
const B_LINE_HALF_WIDTH: f64 = 0.9;
const B_LINE_ECHO: f32 = 3.0;
/// Echo of the aerated lung's sub-pleural texture, and of a pneumothorax's (none moving).
const LUNG_TEXTURE: f32 = 0.12;
const PNEUMOTHORAX_TEXTURE: f32 = 0.04;
/// The lung point's resting position and swing with breathing, mm.
const LUNG_POINT_X: f64 = -3.0;
const LUNG_POINT_SWING: f64 = 8.0;

impl Lung {
    pub fn sliding() -> Self {
        Lung {
            b_lines: &[],
            lung_point: false,
        }
    }

    pub fn b_lines() -> Self {
        Lung {
            b_lines: &[-7.0, 1.0, 8.5],
            lung_point: false,
        }
    }

    pub fn lung_point() -> Self {
        Lung {
            b_lines: &[],
            lung_point: true,
        }
    }

    fn slide(t: &Clock) -> f64 {
        SLIDE_MM * t.breath()
    }

    fn lung_point_x(t: &Clock) -> f64 {
        LUNG_POINT_X + LUNG_POINT_SWING * t.breath()
    }

    /// Whether the lung slides under the chest wall at `x`.
    fn aerated(&self, x: f64, t: &Clock) -> bool {
        !self.lung_point || x > Self::lung_point_x(t)
    }

    fn a_line_depths() -> Vec<f64> {
        (2..)
            .map(|k| f64::from(k) * PLEURA_DEPTH)
            .take_while(|z| *z + PLEURA_THICKNESS < DEPTH)
            .collect()
    }

    /// Below the pleura: B-lines, else A-lines, else the faint texture.
    fn under_pleura(&self, p: Mm, t: &Clock) -> Medium {
        let slide = Self::slide(t);
        let near_b_line = self
            .b_lines
            .iter()
            .map(|b| (p.x - b - slide).abs())
            .fold(f64::MAX, f64::min);
        let echo = if near_b_line < B_LINE_HALF_WIDTH {
            B_LINE_ECHO * (1.0 - 0.3 * (near_b_line / B_LINE_HALF_WIDTH) as f32)
        } else if let Some(k) = Self::a_line_depths()
            .iter()
            .position(|z| (p.z - z).abs() < PLEURA_THICKNESS / 2.0 + 0.2)
        {
            A_LINE_ECHO * A_LINE_DECAY.powi(k as i32)
        } else if self.aerated(p.x, t) {
            LUNG_TEXTURE
        } else {
            PNEUMOTHORAX_TEXTURE
        };
        Medium {
            echo,
            ..tissue::AIR
        }
    }

    fn b_line_outline(x: f64) -> Vec<Mm> {
        let top = PLEURA_DEPTH + PLEURA_THICKNESS;
        [(-1.0, top), (1.0, top), (1.0, DEPTH), (-1.0, DEPTH)]
            .map(|(side, z)| Mm::new(x + side * B_LINE_HALF_WIDTH, z))
            .to_vec()
    }
}

impl Anatomy for Lung {
    fn probe(&self) -> Probe {
        Probe::linear(6.0, DEPTH, 40.0)
    }

    fn medium(&self, p: Mm, t: &Clock) -> Medium {
        if RIBS.iter().any(|r| r.contains(p)) {
            tissue::BONE
        } else if p.z < PLEURA_DEPTH {
            layer(p.z, &CHEST_LAYERS, tissue::MUSCLE)
        } else if p.z < PLEURA_DEPTH + PLEURA_THICKNESS {
            PLEURA
        } else {
            self.under_pleura(p, t)
        }
    }

    fn carry(&self, rest: Mm, t: &Clock) -> Mm {
        let moved = Mm::new(rest.x + Self::slide(t), rest.z);
        if rest.z >= PLEURA_DEPTH && self.aerated(moved.x, t) {
            moved
        } else {
            rest
        }
    }

    fn outlines(&self, t: &Clock) -> Vec<Outlined> {
        const B_NAMES: [&str; 3] = ["b_line_1", "b_line_2", "b_line_3"];
        let (left, right) = (RIBS[0].centre.x + RIBS[0].rx, RIBS[1].centre.x - RIBS[1].rx);
        let (top, bottom) = (PLEURA_DEPTH, PLEURA_DEPTH + PLEURA_THICKNESS);
        let pleura = [(left, top), (right, top), (right, bottom), (left, bottom)];
        let mut out = vec![
            (
                "pleural_line",
                Some(polygon(pleura.map(|(x, z)| Mm::new(x, z)))),
            ),
            ("rib_left", Some(RIBS[0].outline())),
            ("rib_right", Some(RIBS[1].outline())),
        ];
        let slide = Self::slide(t);
        for (name, x) in B_NAMES.iter().zip(self.b_lines) {
            out.push((name, Some(polygon(Self::b_line_outline(x + slide)))));
        }
        out
    }

    fn facts(&self, clocks: &[Clock], image: &ImageFrame) -> SceneFacts {
        let lung_point = self.lung_point.then(|| {
            clocks
                .iter()
                .map(|t| image.pixel(Mm::new(Self::lung_point_x(t), 0.0)).0)
                .collect()
        });
        SceneFacts {
            lung_sliding: Some(true),
            pleura_depth_mm: Some(PLEURA_DEPTH),
            a_line_depths_mm: Some(Self::a_line_depths()),
            b_line_count: (!self.b_lines.is_empty()).then_some(self.b_lines.len() as u32),
            lung_point_x: lung_point,
            ..SceneFacts::default()
        }
    }
}
