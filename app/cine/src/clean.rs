//! Pixel cleaning for de-identification (PS3.15 E.3.1, Clean Pixel Data): black out every pixel
//! of every frame outside the kept areas (the Sequence of Ultrasound Regions) and inside any
//! extra rectangle (per-device settings, rectangles an expert drew), then hand back the new
//! pixel data. Burned-in patient banners live outside the regions on ultrasound.
//!
//! What black is depends on the layout (see `black`): RGB 0; YBR_FULL and YBR_FULL_422 Y 0
//! with neutral chroma; MONOCHROME2 the lowest and MONOCHROME1 the highest stored value, signed
//! or not, at any Bits Stored (the raw range's black; Rescale and VOI window are not
//! consulted); PALETTE COLOR the entry nearest black, or, when no entry is within
//! [`PALETTE_NEAR_BLACK`], the image converted to RGB. [`CleanedPixels::fill`] says which.
//!
//! How each layout is rewritten:
//! * uncompressed 8- and 16-bit data (interleaved or by plane, any photometric above) is edited
//!   in place, lossless, same transfer syntax; YBR_FULL_422 blacks whole pixel pairs (`native`);
//! * 8-bit lossy JPEG (baseline, extended) is masked in its DCT coefficients where it can be,
//!   otherwise re-encoded as baseline q95 with the cost reported as PSNR (`jpeg`);
//! * RLE, JPEG lossless and 12-bit, JPEG 2000 lossless and lossy, encapsulated uncompressed
//!   data, and PALETTE COLOR converted to RGB are decoded, masked and re-encoded as RLE
//!   Lossless: no loss beyond what the source already had (`decoded`).
//!
//! Video (MPEG-4, HEVC) and anything the decoder cannot read are refused with a reason.
use crate::codec::Codec;
use crate::info::Photometric;
use crate::{CineError, Clip, RgbaFrame};
use dicom_core::value::{PixelFragmentSequence, Value as DicomValue};

mod black;
mod decoded;
mod jpeg;
mod native;
#[cfg(test)]
mod tests_layouts;

pub use black::PALETTE_NEAR_BLACK;
#[cfg(feature = "synth")]
pub(crate) use decoded::rle_encode;
#[cfg(feature = "synth")]
pub(crate) use jpeg::encode_jpeg;

pub use crate::area::PixelRect;

/// Which pixels go black: `true` at `y * width + x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask {
    pub width: u32,
    pub height: u32,
    pub black: Vec<bool>,
}

impl Mask {
    /// Black outside every `keep` rectangle, and inside every `remove` rectangle.
    pub fn new(width: u32, height: u32, keep: &[PixelRect], remove: &[PixelRect]) -> Mask {
        let mut black = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height {
            for x in 0..width {
                let kept = keep.iter().any(|r| r.contains(x, y));
                black.push(!kept || remove.iter().any(|r| r.contains(x, y)));
            }
        }
        Mask {
            width,
            height,
            black,
        }
    }

    /// Pixels that go black.
    pub fn count(&self) -> usize {
        self.black.iter().filter(|b| **b).count()
    }
}

/// The sample layout of cleaned pixel data, to be written with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SampleLayout {
    pub samples_per_pixel: u16,
    pub bits_allocated: u16,
    pub bits_stored: u16,
    pub high_bit: u16,
    /// 0 unsigned, 1 two's complement.
    pub pixel_representation: u16,
    /// 0 interleaved, 1 by plane.
    pub planar_configuration: u16,
}

impl SampleLayout {
    /// The layout of the clip's pixel data as written.
    fn of(clip: &Clip) -> SampleLayout {
        let info = clip.info();
        SampleLayout {
            samples_per_pixel: info.samples_per_pixel,
            bits_allocated: info.bits_allocated,
            bits_stored: info.bits_stored,
            high_bit: clip.display.mono.high_bit,
            pixel_representation: u16::from(clip.display.mono.signed),
            planar_configuration: info.planar_configuration,
        }
    }
}

/// What masked pixels were set to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BlackFill {
    /// The layout's black samples (RGB 0, YBR Y 0 with neutral chroma, the dark end of the
    /// stored range for MONOCHROME1/2).
    Samples,
    /// PALETTE COLOR kept: masked pixels hold the stored index of the entry nearest black.
    PaletteEntry { index: u32, rgb: [u8; 3] },
    /// PALETTE COLOR converted to RGB, because no palette entry is near black.
    PaletteToRgb,
}

/// How the pixel data was rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Reencoding {
    /// Uncompressed samples edited in place.
    InPlace,
    /// JPEG masked in its DCT coefficients, blocks away from the mask untouched.
    JpegCoefficients,
    /// Decoded and written as RLE Lossless: no new loss.
    RleLossless,
    /// Decoded and written as JPEG baseline q95: lossy.
    JpegBaseline,
}

/// The cleaned pixel data and what changed with it.
#[derive(Debug, Clone)]
pub struct CleanedPixels {
    /// The new Pixel Data value.
    pub value: DicomValue<dicom_object::InMemDicomObject>,
    /// Transfer syntax of the new pixel data.
    pub transfer_syntax: String,
    /// Photometric Interpretation of the new pixel data.
    pub photometric: String,
    /// Samples, bits and planar configuration of the new pixel data.
    pub layout: SampleLayout,
    /// What masked pixels were set to.
    pub fill: BlackFill,
    /// How the pixel data was rewritten.
    pub reencoding: Reencoding,
    /// For JPEG: PSNR of the re-encoded kept pixels against the decoded original (dB).
    pub reencode_psnr_db: Option<f64>,
    /// For JPEG: compressed size over uncompressed size of the new data.
    pub lossy_ratio: Option<f64>,
}

impl CleanedPixels {
    /// One line for the record of the de-identification (at most 64 characters, a DICOM LO),
    /// e.g. "Clean Pixel: palette entry 0; RLE Lossless".
    pub fn summary(&self) -> String {
        let fill = match self.fill {
            BlackFill::Samples => "black samples".to_string(),
            BlackFill::PaletteEntry { index, .. } => format!("palette entry {index}"),
            BlackFill::PaletteToRgb => "palette to RGB".to_string(),
        };
        let how = match self.reencoding {
            Reencoding::InPlace => "in place",
            Reencoding::JpegCoefficients => "JPEG coefficients",
            Reencoding::RleLossless => "RLE Lossless",
            Reencoding::JpegBaseline => "JPEG baseline q95",
        };
        format!("Clean Pixel: {fill}; {how}")
    }
}

fn refuse(what: impl Into<String>) -> CineError {
    CineError::UnsupportedFeature {
        feature: format!("pixel cleaning of {}", what.into()),
    }
}

/// Blacks out `mask` in every frame of `clip`.
pub fn clean_pixels(clip: &Clip, mask: &Mask) -> Result<CleanedPixels, CineError> {
    let info = clip.info();
    if mask.width != info.columns || mask.height != info.rows {
        return Err(CineError::malformed(
            "the mask is not the size of the image",
        ));
    }
    if let Some(problem) = &info.unsupported {
        return Err(problem.clone());
    }
    let palette = match &clip.display.palette {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => return Err(e.clone()),
        None => None,
    };
    // Black as written; the decoded path works it out again for what the decoder hands back.
    let written = || {
        black::black_of(
            &info.photometric_kind(),
            info.samples_per_pixel,
            black::Bits::of(clip),
            palette,
        )
    };
    let to_rgb = info.photometric_kind() == Photometric::PaletteColor
        && written()?.fill == BlackFill::PaletteToRgb;
    let native_value = || {
        clip.object
            .element_opt(dicom_dictionary_std::tags::PIXEL_DATA)
            .ok()
            .flatten()
            .is_some_and(|e| matches!(e.value(), DicomValue::Primitive(_)))
    };
    match info.codec() {
        Codec::Native if !to_rgb && native_value() => native::clean_native(clip, mask, &written()?),
        Codec::Jpeg if !to_rgb && jpeg::stays_jpeg(clip) => {
            jpeg::clean_jpeg(clip, mask, &written()?)
        }
        Codec::Native | Codec::Jpeg | Codec::Rle | Codec::Registry => {
            decoded::clean_decoded(clip, mask, to_rgb)
        }
        Codec::Video | Codec::Unsupported => Err(refuse(info.transfer_syntax.name.clone())),
    }
}

/// Frame `n` as pixel cleaning defines black: monochrome shown over its whole stored range
/// (Rescale and VOI window ignored), so a masked pixel displays 0 whatever the window; colour
/// and palette as displayed. What the check after cleaning looks at.
pub fn decode_frame_full_range(clip: &Clip, n: u32) -> Result<RgbaFrame, CineError> {
    let info = clip.info();
    if n >= info.frames {
        return Err(CineError::FrameOutOfRange {
            frame: n,
            frames: info.frames,
        });
    }
    if let Some(problem) = &info.unsupported {
        return Err(problem.clone());
    }
    let samples = crate::codec::frame_samples(&clip.object, info, n)?;
    let mut display = clip.display.clone();
    let (lo, hi) = black::Bits::of(clip).range();
    let (lo, hi) = (lo as f64, hi as f64);
    display.mono.slope = 1.0;
    display.mono.intercept = 0.0;
    display.mono.window = Some(((lo + hi + 1.0) / 2.0, hi - lo + 1.0));
    let rgba = crate::color::to_rgba(&samples, info.columns, info.rows, &display)?;
    Ok(RgbaFrame {
        width: info.columns,
        height: info.rows,
        rgba,
    })
}

/// An encapsulated Pixel Data value of one fragment per frame, with its Basic Offset Table.
fn fragments_value(fragments: Vec<Vec<u8>>) -> DicomValue<dicom_object::InMemDicomObject> {
    let mut offsets = Vec::with_capacity(fragments.len());
    let mut at = 0u32;
    for f in &fragments {
        offsets.push(at);
        at = at.saturating_add(8 + f.len() as u32);
    }
    DicomValue::PixelSequence(PixelFragmentSequence::new(offsets, fragments))
}

/// Runs `work` over `frames` frames split into one contiguous run per core; the results come
/// back in frame order.
fn by_runs<T: Send>(
    frames: usize,
    work: impl Fn(std::ops::Range<usize>) -> Result<T, CineError> + Sync,
) -> Vec<Result<T, CineError>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, frames.max(1));
    let per = frames.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = (0..frames)
            .step_by(per)
            .map(|start| scope.spawn(move || work(start..(start + per).min(frames))))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(CineError::malformed("a cleaning thread failed")))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mask_keeps_regions_and_removes_extra_rectangles() {
        let keep = [PixelRect {
            x0: 1,
            y0: 1,
            x1: 3,
            y1: 2,
        }];
        let remove = [PixelRect {
            x0: 3,
            y0: 2,
            x1: 9,
            y1: 9,
        }];
        let m = Mask::new(5, 4, &keep, &remove);
        let row = |y: usize| m.black[y * 5..(y + 1) * 5].to_vec();
        assert_eq!(row(0), [true; 5]);
        assert_eq!(row(1), [true, false, false, false, true]);
        assert_eq!(row(2), [true, false, false, true, true]);
        assert_eq!(row(3), [true; 5]);
        assert_eq!(m.count(), 15);
    }
}
