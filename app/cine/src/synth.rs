//! Synthetic ultrasound clips for the demo seed and tests: speckle in a sector field of view,
//! a pulsating vessel, a burned-in fake patient banner outside the calibrated region, written
//! as uncompressed RGB, RLE Lossless or JPEG baseline YBR_FULL_422.
use super::error::CineError;
use dicom_core::value::{PixelFragmentSequence, PrimitiveValue};
use dicom_core::{DataElement, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use serde::{Deserialize, Serialize};

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

impl SynthSyntax {
    fn uid(self) -> &'static str {
        match self {
            SynthSyntax::Rgb => uids::EXPLICIT_VR_LITTLE_ENDIAN,
            SynthSyntax::Rle => uids::RLE_LOSSLESS,
            SynthSyntax::Jpeg => uids::JPEG_BASELINE8_BIT,
        }
    }
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

/// A stable pseudo-random value in 0..1 for a pixel (hash, so any frame is cheap).
fn noise(seed: u64, x: u32, y: u32, salt: u64) -> f64 {
    let mut h =
        seed ^ (u64::from(x) << 32 | u64::from(y)) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
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
    let u = noise(seed, x, y, 0) * 0.85 + noise(seed, x, y, 1 + u64::from(n)) * 0.15;
    let speckle = (-2.0 * (1.0 - u).max(1e-9).ln()).sqrt() / 1.5;
    let gain = 150.0 * (1.0 - 0.55 * depth);
    let wall = if d < radius + 3.0 { 90.0 } else { 0.0 };
    (gain * speckle + wall).clamp(12.0, 250.0) as u8
}

fn uid(seed: u64, opts: &SynthOptions, kind: u64) -> String {
    let a = noise(seed, opts.width, opts.height, kind) * 1e15;
    let b = noise(seed, opts.frames, kind as u32, 7) * 1e15;
    format!("2.25.{}{:015}", a as u64 + 1, b as u64)
}

fn put(obj: &mut InMemDicomObject, tag: Tag, vr: VR, value: impl Into<PrimitiveValue>) {
    obj.put(DataElement::new(tag, vr, value.into()));
}

/// The Sequence of Ultrasound Regions item for a layout.
fn region_item(l: &SynthLayout) -> InMemDicomObject {
    let mut item = InMemDicomObject::new_empty();
    let (x0, y0, x1, y1) = l.region;
    put(&mut item, tags::REGION_SPATIAL_FORMAT, VR::US, 1u16);
    put(&mut item, tags::REGION_DATA_TYPE, VR::US, 1u16);
    put(&mut item, tags::REGION_FLAGS, VR::UL, 0u32);
    put(&mut item, tags::REGION_LOCATION_MIN_X0, VR::UL, x0);
    put(&mut item, tags::REGION_LOCATION_MIN_Y0, VR::UL, y0);
    put(&mut item, tags::REGION_LOCATION_MAX_X1, VR::UL, x1);
    put(&mut item, tags::REGION_LOCATION_MAX_Y1, VR::UL, y1);
    put(&mut item, tags::REFERENCE_PIXEL_X0, VR::SL, l.apex.0 as i32);
    put(&mut item, tags::REFERENCE_PIXEL_Y0, VR::SL, l.apex.1 as i32);
    put(&mut item, tags::PHYSICAL_UNITS_X_DIRECTION, VR::US, 3u16);
    put(&mut item, tags::PHYSICAL_UNITS_Y_DIRECTION, VR::US, 3u16);
    put(
        &mut item,
        tags::REFERENCE_PIXEL_PHYSICAL_VALUE_X,
        VR::FD,
        0.0f64,
    );
    put(
        &mut item,
        tags::REFERENCE_PIXEL_PHYSICAL_VALUE_Y,
        VR::FD,
        0.0f64,
    );
    put(
        &mut item,
        tags::PHYSICAL_DELTA_X,
        VR::FD,
        SYNTH_CM_PER_PIXEL,
    );
    put(
        &mut item,
        tags::PHYSICAL_DELTA_Y,
        VR::FD,
        SYNTH_CM_PER_PIXEL,
    );
    item
}

fn even(mut bytes: Vec<u8>) -> Vec<u8> {
    if !bytes.len().is_multiple_of(2) {
        bytes.push(0);
    }
    bytes
}

/// Writes a synthetic clip as a DICOM Part 10 file.
pub fn synth_clip(opts: &SynthOptions) -> Result<Vec<u8>, CineError> {
    if opts.width < 16 || opts.height < 16 || opts.frames == 0 {
        return Err(CineError::malformed(
            "synthetic clips need at least 16 × 16 pixels and 1 frame",
        ));
    }
    if !(opts.fps.is_finite() && opts.fps > 0.0) {
        return Err(CineError::malformed("frames per second must be positive"));
    }
    let (w, h) = (opts.width, opts.height);
    let rows = u16::try_from(h).map_err(|_| CineError::malformed("height over 65535"))?;
    let cols = u16::try_from(w).map_err(|_| CineError::malformed("width over 65535"))?;
    let l = layout(w, h);
    let mut obj = InMemDicomObject::new_empty();
    let frame_time = 1000.0 / opts.fps;
    put(
        &mut obj,
        tags::SOP_CLASS_UID,
        VR::UI,
        uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE,
    );
    put(
        &mut obj,
        tags::SOP_INSTANCE_UID,
        VR::UI,
        uid(opts.seed, opts, 1),
    );
    put(
        &mut obj,
        tags::STUDY_INSTANCE_UID,
        VR::UI,
        uid(opts.seed, opts, 2),
    );
    put(
        &mut obj,
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        uid(opts.seed, opts, 3),
    );
    put(&mut obj, tags::MODALITY, VR::CS, "US");
    put(&mut obj, tags::PATIENT_NAME, VR::PN, "SYNTHETIC^CLIP");
    put(&mut obj, tags::PATIENT_ID, VR::LO, "SYNTH-0001");
    put(&mut obj, tags::BURNED_IN_ANNOTATION, VR::CS, "YES");
    put(&mut obj, tags::SAMPLES_PER_PIXEL, VR::US, 3u16);
    let photometric = if opts.syntax == SynthSyntax::Jpeg {
        "YBR_FULL_422"
    } else {
        "RGB"
    };
    put(
        &mut obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        photometric,
    );
    put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 0u16);
    put(
        &mut obj,
        tags::NUMBER_OF_FRAMES,
        VR::IS,
        opts.frames.to_string(),
    );
    put(
        &mut obj,
        tags::FRAME_INCREMENT_POINTER,
        VR::AT,
        PrimitiveValue::Tags([tags::FRAME_TIME].into_iter().collect()),
    );
    put(
        &mut obj,
        tags::FRAME_TIME,
        VR::DS,
        format!("{frame_time:.4}"),
    );
    put(&mut obj, tags::ROWS, VR::US, rows);
    put(&mut obj, tags::COLUMNS, VR::US, cols);
    put(&mut obj, tags::BITS_ALLOCATED, VR::US, 8u16);
    put(&mut obj, tags::BITS_STORED, VR::US, 8u16);
    put(&mut obj, tags::HIGH_BIT, VR::US, 7u16);
    put(&mut obj, tags::PIXEL_REPRESENTATION, VR::US, 0u16);
    if opts.syntax == SynthSyntax::Jpeg {
        put(&mut obj, tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "01");
    }
    obj.put(DataElement::new(
        tags::SEQUENCE_OF_ULTRASOUND_REGIONS,
        VR::SQ,
        dicom_core::value::DataSetSequence::from(vec![region_item(&l)]),
    ));
    let frames = (0..opts.frames).map(|n| frame_rgb(opts, n));
    match opts.syntax {
        SynthSyntax::Rgb => {
            let mut all = Vec::with_capacity(w as usize * h as usize * 3 * opts.frames as usize);
            frames.for_each(|f| all.extend(f));
            put(&mut obj, tags::PIXEL_DATA, VR::OB, even(all));
        }
        SynthSyntax::Rle | SynthSyntax::Jpeg => {
            let fragments = frames
                .map(|f| match opts.syntax {
                    SynthSyntax::Jpeg => crate::clean::encode_jpeg(&f, w, h, true, 90),
                    _ => Ok(crate::clean::rle_encode(&f, 3, 1)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut offsets = Vec::with_capacity(fragments.len());
            let mut at = 0u32;
            for f in &fragments {
                offsets.push(at);
                at = at.saturating_add(8 + f.len() as u32);
            }
            obj.put(DataElement::new(
                tags::PIXEL_DATA,
                VR::OB,
                PixelFragmentSequence::new(offsets, fragments),
            ));
        }
    }
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(opts.syntax.uid()))
        .map_err(|e| CineError::malformed(e.to_string()))?;
    let mut out = Vec::new();
    file.write_all(&mut out)
        .map_err(|e| CineError::malformed(e.to_string()))?;
    Ok(out)
}
