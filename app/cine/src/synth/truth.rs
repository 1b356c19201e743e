//! The ground truth of a phantom clip, computed from the same geometry that rendered it: each
//! named structure's outline per frame in image pixels, the calibration, and the facts a quiz
//! asks about (first frame with fluid, frames of full compression, the aorta's diameter…).
use super::ProbeKind;
use super::probe::ImageFrame;
use super::scenes::Scene;
use serde::{Deserialize, Serialize};

/// An outline in image pixel coordinates (pixel `(i, j)` covers `[i, i + 1) × [j, j + 1)`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum Outline {
    /// An ellipse; `rotation_deg` turns its x radius towards +y (clockwise on screen).
    Ellipse {
        /// Centre, column.
        cx: f64,
        /// Centre, row.
        cy: f64,
        /// Radius along its own x axis.
        rx: f64,
        /// Radius along its own y axis.
        ry: f64,
        /// Rotation in degrees.
        rotation_deg: f64,
    },
    /// A closed polygon through `[x, y]` points.
    Polygon {
        /// The vertices in order.
        points: Vec<[f64; 2]>,
    },
}

impl Outline {
    /// Area in square pixels.
    pub fn area(&self) -> f64 {
        match self {
            Outline::Ellipse { rx, ry, .. } => std::f64::consts::PI * rx * ry,
            Outline::Polygon { points } => {
                let twice: f64 = points
                    .iter()
                    .zip(points.iter().cycle().skip(1))
                    .map(|(a, b)| a[0] * b[1] - b[0] * a[1])
                    .sum();
                twice.abs() / 2.0
            }
        }
    }

    /// Whether the point `(x, y)` lies inside.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        match self {
            Outline::Ellipse {
                cx,
                cy,
                rx,
                ry,
                rotation_deg,
            } => {
                let (s, c) = rotation_deg.to_radians().sin_cos();
                let (dx, dy) = (x - cx, y - cy);
                let (u, v) = ((dx * c + dy * s) / rx, (-dx * s + dy * c) / ry);
                u * u + v * v < 1.0
            }
            Outline::Polygon { points } => {
                let edges = points.iter().zip(points.iter().cycle().skip(1));
                edges
                    .filter(|(a, b)| {
                        (a[1] > y) != (b[1] > y)
                            && x < a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
                    })
                    .count()
                    % 2
                    == 1
            }
        }
    }

    /// The outline moved from body millimetres to image pixels.
    pub(super) fn to_pixels(&self, image: &ImageFrame) -> Outline {
        let to_px = |x: f64, z: f64| {
            let (px, py) = image.pixel(super::probe::Mm::new(x, z));
            [px, py]
        };
        match self {
            Outline::Ellipse {
                cx,
                cy,
                rx,
                ry,
                rotation_deg,
            } => {
                let [cx, cy] = to_px(*cx, *cy);
                Outline::Ellipse {
                    cx,
                    cy,
                    rx: rx / image.mm_per_px,
                    ry: ry / image.mm_per_px,
                    rotation_deg: *rotation_deg,
                }
            }
            Outline::Polygon { points } => Outline::Polygon {
                points: points.iter().map(|[x, z]| to_px(*x, *z)).collect(),
            },
        }
    }
}

/// One named structure through the clip: its outline per frame, `None` where it is absent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StructureTrack {
    /// E.g. `free_fluid`, `vein_lumen`, `aorta`.
    pub name: String,
    /// One entry per frame.
    pub outlines: Vec<Option<Outline>>,
}

/// An inclusive range of frames.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct FrameRange {
    /// First frame (0-based).
    pub first: u32,
    /// Last frame, inclusive.
    pub last: u32,
}

/// A thyroid nodule described in the ACR TI-RADS lexicon.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NoduleFacts {
    /// E.g. `mixed_cystic_and_solid`.
    pub composition: String,
    /// Of the solid part, e.g. `hypoechoic`.
    pub echogenicity: String,
    /// `wider_than_tall` or `taller_than_wide`.
    pub shape: String,
    /// E.g. `lobulated`.
    pub margin: String,
    /// E.g. `large_comet_tail`.
    pub echogenic_foci: String,
    /// Width and height in mm.
    pub size_mm: [f64; 2],
}

/// What a quiz may ask about a scene; each scene fills the fields that concern it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SceneFacts {
    /// `morison_fluid`: the first frame with free fluid (none before, some from here on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fluid_first_frame: Option<u32>,
    /// `morison_fluid`: the fluid stripe's thickness per frame, mm (0 while absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fluid_thickness_mm: Option<Vec<f64>>,
    /// Vein scenes: the frames where the vein lumen is fully collapsed (none if it never is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_compressed_frames: Option<FrameRange>,
    /// Vein scenes: whether the vein collapses under the probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vein_compressible: Option<bool>,
    /// Vein scenes: probe pressure per frame, 0 (none) to 1 (full).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe_compression: Option<Vec<f64>>,
    /// `aorta`: outer-wall to outer-wall diameter, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aorta_diameter_mm: Option<f64>,
    /// `lung_point`: the lung point's column per frame, pixels (sliding to its right).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lung_point_x: Option<Vec<f64>>,
    /// Lung scenes: whether the lung slides (somewhere in the image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lung_sliding: Option<bool>,
    /// Lung scenes: depth of the pleural line, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pleura_depth_mm: Option<f64>,
    /// Lung scenes: depths of the A-lines, mm (multiples of the pleural depth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a_line_depths_mm: Option<Vec<f64>>,
    /// `b_lines`: how many B-lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_line_count: Option<u32>,
    /// `pericardial_effusion`: the widest fluid gap (posterior), mm, at end-diastole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effusion_max_mm: Option<f64>,
    /// Beating scenes: heart rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heart_rate_bpm: Option<f64>,
    /// `carotid_plaque`: the plaque's thickness, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaque_thickness_mm: Option<f64>,
    /// `carotid_plaque`: the lumen's diastolic diameter away from the plaque, mm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lumen_diameter_mm: Option<f64>,
    /// `thyroid_nodule`: the nodule's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodule: Option<NoduleFacts>,
}

/// The ground truth of one phantom clip.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PhantomTruth {
    /// The scene rendered.
    pub scene: Scene,
    /// The seed rendered with.
    pub seed: u64,
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Number of frames.
    pub frames: u32,
    /// Frames per second.
    pub fps: f64,
    /// The field of view's shape.
    pub probe: ProbeKind,
    /// Millimetres per pixel on both axes (the region calibration, in mm).
    pub mm_per_pixel: f64,
    /// The calibrated image region, inclusive: (x0, y0, x1, y1).
    pub region: (u32, u32, u32, u32),
    /// The pixel (continuous coordinates) of the skin under the probe's centre.
    pub origin: [f64; 2],
    /// Named outlines per frame.
    pub structures: Vec<StructureTrack>,
    /// Scene-specific answers.
    pub facts: SceneFacts,
}

impl PhantomTruth {
    /// The outline of structure `name` in `frame`, if it is there.
    pub fn outline(&self, name: &str, frame: u32) -> Option<&Outline> {
        self.structures
            .iter()
            .find(|s| s.name == name)?
            .outlines
            .get(frame as usize)?
            .as_ref()
    }
}
