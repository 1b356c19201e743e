//! `pericardial_effusion` on a 2.5 MHz phased array: a short-axis-like heart (myocardial ring
//! around the left ventricular cavity) beating inside a fixed, bright pericardium, with an
//! anechoic effusion between them, widest posteriorly. Simplifications: one ventricle, the
//! heart contracts concentrically and does not swing.
use super::super::probe::{ImageFrame, Mm, Probe};
use super::super::truth::SceneFacts;
use super::shapes::Ellipse;
use super::{Anatomy, Clock, HEART_RATE_BPM, Medium, Outlined, layer, texture, tissue};

/// A heart with a pericardial effusion.
pub(super) struct Effusion;

const CHEST_LAYERS: [(f64, Medium); 3] = [
    (2.0, tissue::SKIN),
    (8.0, tissue::FAT),
    (18.0, tissue::MUSCLE),
];
/// The pericardium's inner surface (fixed) and its thickness, mm.
const PERICARDIUM: Ellipse = Ellipse::new(Mm::new(0.0, 88.0), 46.0, 40.0);
const PERICARDIUM_WALL: f64 = 2.5;
const PERICARDIAL_ECHO: Medium = Medium {
    echo: 4.0,
    atten: 1.0,
};
/// The epicardium and the LV cavity at end-diastole.
const EPICARDIUM: Ellipse = Ellipse::new(Mm::new(0.0, 82.0), 36.0, 30.0);
const CAVITY: Ellipse = Ellipse::new(Mm::new(0.0, 82.0), 20.0, 15.0);

fn scaled(e: Ellipse, factor: f64) -> Ellipse {
    Ellipse::new(e.centre, e.rx * factor, e.ry * factor)
}

fn epicardium(t: &Clock) -> Ellipse {
    scaled(EPICARDIUM, 1.0 - 0.04 * t.heart())
}

fn cavity(t: &Clock) -> Ellipse {
    scaled(CAVITY, 1.0 - 0.25 * t.heart())
}

impl Anatomy for Effusion {
    fn probe(&self) -> Probe {
        Probe::phased(2.5, 160.0, 90.0)
    }

    fn medium(&self, p: Mm, t: &Clock) -> Medium {
        if cavity(t).contains(p) {
            tissue::BLOOD
        } else if epicardium(t).contains(p) {
            tissue::MYOCARDIUM.brighter(texture(p, 0.15))
        } else if PERICARDIUM.contains(p) {
            tissue::FLUID
        } else if PERICARDIUM.grown(PERICARDIUM_WALL).contains(p) {
            PERICARDIAL_ECHO
        } else {
            layer(p.z, &CHEST_LAYERS, tissue::SOFT)
        }
    }

    fn outlines(&self, t: &Clock) -> Vec<Outlined> {
        vec![
            ("pericardium", Some(PERICARDIUM.outline())),
            ("epicardium", Some(epicardium(t).outline())),
            ("lv_cavity", Some(cavity(t).outline())),
        ]
    }

    fn facts(&self, _clocks: &[Clock], _image: &ImageFrame) -> SceneFacts {
        let posterior =
            (PERICARDIUM.centre.z + PERICARDIUM.ry) - (EPICARDIUM.centre.z + EPICARDIUM.ry);
        SceneFacts {
            effusion_max_mm: Some(posterior),
            heart_rate_bpm: Some(HEART_RATE_BPM),
            ..SceneFacts::default()
        }
    }
}
