//! Synthetic ultrasound clips for the demo seed and tests: speckle in a sector field of view,
//! a pulsating vessel, a burned-in fake patient banner outside the calibrated region, written
//! as uncompressed RGB, RLE Lossless or JPEG baseline YBR_FULL_422. The phantom simulator
//! ([`phantom_clip`]) renders teaching scenes with known ground truth through the same writer.
mod phantom;
mod probe;
mod psf;
mod rng;
mod scenes;
#[cfg(test)]
mod tests;
mod truth;
mod writer;

pub use phantom::{Phantom, phantom_clip, phantom_truth};
pub use probe::ProbeKind;
pub use scenes::Scene;
pub use truth::{FrameRange, NoduleFacts, Outline, PhantomTruth, SceneFacts, StructureTrack};

use super::error::CineError;
use serde::{Deserialize, Serialize};
use writer::{Calibration, ClipHeader};

/// Calibration of every synthetic clip: 0.01 cm (0.1 mm) per pixel on both axes.
pub const SYNTH_CM_PER_PIXEL: f64 = 0.01;
/// Colour of the fake patient banner's background.
pub const BANNER_BACKGROUND: [u8; 3] = [24, 48, 96];
/// Colour of the banner's fake text.
pub const BANNER_TEXT: [u8; 3] = [240, 240, 240];
/// Fill inside the vessel (anechoic blood).
pub const VESSEL_LUMEN: u8 = 6;

/// How the pixel data is stored.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SynthSyntax {
    /// Explicit VR Little Endian, RGB.
    Rgb,
    /// RLE Lossless, RGB.
    Rle,
    /// JPEG Baseline, YBR_FULL_422.
    Jpeg,
}

/// What to synthesise.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SynthOptions {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Number of frames.
    pub frames: u32,
    /// Storage of the pixel data.
    pub syntax: SynthSyntax,
    /// Frames per second (written as Frame Time).
    pub fps: f64,
    /// Seed of the speckle pattern and the UIDs.
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            width: 320,
            height: 240,
            frames: 10,
            syntax: SynthSyntax::Rgb,
            fps: 30.0,
            seed: 1,
        }
    }
}

/// Where things are in a synthetic image of a given size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthLayout {
    /// Height of the banner at the top (rows `0..banner_height`).
    pub banner_height: u32,
    /// The calibrated image region, inclusive: (x0, y0, x1, y1).
    pub region: (u32, u32, u32, u32),
    /// Sector apex (x, y) in pixels.
    pub apex: (f64, f64),
    /// Vessel centre (x, y) in pixels.
    pub vessel_center: (f64, f64),
    /// Vessel radius at rest, in pixels.
    pub vessel_radius: f64,
}

/// The layout for an image of `width × height`.
pub fn layout(width: u32, height: u32) -> SynthLayout {
    let banner_height = (height / 10).clamp(8, 48).min(height / 2);
    let y0 = (banner_height + 2).min(height.saturating_sub(1));
    let region = (0, y0, width.saturating_sub(1), height.saturating_sub(1));
    let depth = f64::from(height - y0);
    SynthLayout {
        banner_height,
        region,
        apex: (f64::from(width) / 2.0, f64::from(y0)),
        vessel_center: (f64::from(width) / 2.0, f64::from(y0) + depth * 0.55),
        vessel_radius: (depth.min(f64::from(width)) * 0.12).max(2.0),
    }
}

/// Frame `n` as interleaved 8-bit RGB.
pub fn frame_rgb(opts: &SynthOptions, n: u32) -> Vec<u8> {
    let (w, h) = (opts.width, opts.height);
    let l = layout(w, h);
    let mut out = vec![0u8; w as usize * h as usize * 3];
    let t = f64::from(n) / opts.fps.max(1.0);
    // One heartbeat per second: the vessel swells by 15 %.
    let radius = l.vessel_radius * (1.0 + 0.15 * (std::f64::consts::TAU * t).sin());
    let max_depth = f64::from(h) - l.apex.1;
    let half_angle = 35f64.to_radians();
    for y in 0..h {
        for x in 0..w {
            let px = if y < l.banner_height {
                banner_pixel(x, y, l.banner_height)
            } else {
                let dx = f64::from(x) + 0.5 - l.apex.0;
                let dy = f64::from(y) + 0.5 - l.apex.1;
                let r = dx.hypot(dy);
                let inside = dy > 0.0 && dx.atan2(dy).abs() < half_angle && r < max_depth;
                if !inside {
                    [0, 0, 0]
                } else {
                    let v = tissue(opts.seed, x, y, n, r / max_depth, &l, radius);
                    [v, v, v]
                }
            };
            let at = (y as usize * w as usize + x as usize) * 3;
            if let Some(slot) = out.get_mut(at..at + 3) {
                slot.copy_from_slice(&px);
            }
        }
    }
    out
}

/// Banner: dark blue with blocks of bright "glyphs" like a name and an ID.
fn banner_pixel(x: u32, y: u32, banner_height: u32) -> [u8; 3] {
    let line = banner_height / 4;
    let in_line = y >= line && y < banner_height.saturating_sub(line).max(line + 1);
    let cell = (banner_height / 2).max(4);
    let glyph = (x / cell) % 7 != 6 && (x % cell) < cell * 2 / 3 && !(x / 3 + y).is_multiple_of(5);
    if in_line && x >= cell && x < cell * 40 && glyph {
        BANNER_TEXT
    } else {
        BANNER_BACKGROUND
    }
}

/// Tissue brightness: speckle, attenuation with depth, the vessel with a bright wall.
fn tissue(seed: u64, x: u32, y: u32, n: u32, depth: f64, l: &SynthLayout, radius: f64) -> u8 {
    let d = (f64::from(x) + 0.5 - l.vessel_center.0).hypot(f64::from(y) + 0.5 - l.vessel_center.1);
    if d < radius {
        return VESSEL_LUMEN;
    }
    // Speckle: Rayleigh-like from a uniform, slowly decorrelating from frame to frame.
    let u = rng::noise(seed, x, y, 0) * 0.85 + rng::noise(seed, x, y, 1 + u64::from(n)) * 0.15;
    let speckle = (-2.0 * (1.0 - u).max(1e-9).ln()).sqrt() / 1.5;
    let gain = 150.0 * (1.0 - 0.55 * depth);
    let wall = if d < radius + 3.0 { 90.0 } else { 0.0 };
    (gain * speckle + wall).clamp(12.0, 250.0) as u8
}

fn uid(seed: u64, opts: &SynthOptions, kind: u64) -> String {
    rng::uid(seed, (opts.width, opts.height, opts.frames), kind)
}

/// Writes a synthetic clip as a DICOM Part 10 file.
pub fn synth_clip(opts: &SynthOptions) -> Result<Vec<u8>, CineError> {
    writer::check_size(opts.width, opts.height, opts.frames, opts.fps)?;
    let l = layout(opts.width, opts.height);
    let header = ClipHeader {
        width: opts.width,
        height: opts.height,
        frames: opts.frames,
        fps: opts.fps,
        syntax: opts.syntax,
        uids: [1, 2, 3].map(|kind| uid(opts.seed, opts, kind)),
        patient: ("SYNTHETIC^CLIP", "SYNTH-0001"),
        series_description: None,
        calibration: Calibration {
            region: l.region,
            reference: l.apex,
            cm_per_pixel: SYNTH_CM_PER_PIXEL,
        },
    };
    writer::write_clip(&header, (0..opts.frames).map(|n| frame_rgb(opts, n)))
}
