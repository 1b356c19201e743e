//! Pixel cleaning for de-identification (PS3.15 E.3.1, Clean Pixel Data): black out every pixel
//! of every frame outside the kept areas (the Sequence of Ultrasound Regions) and inside any
//! extra rectangle (per-device settings, rectangles an expert drew), then hand back the new
//! pixel data. Burned-in patient banners live outside the regions on ultrasound.
//!
//! Uncompressed 8-bit data is edited in place (lossless). JPEG and RLE frames are decoded,
//! masked and re-encoded: RLE stays lossless; JPEG is re-encoded as baseline at quality 95 and
//! the cost is reported as PSNR over the kept pixels. Anything else is refused with a reason.
use crate::codec::Codec;
use crate::{CineError, Clip};
use dicom_core::value::{PixelFragmentSequence, Value as DicomValue};
use dicom_dictionary_std::{tags, uids};

/// A rectangle of pixels, bounds inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelRect {
    fn contains(&self, x: u32, y: u32) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }
}

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

/// The cleaned pixel data and what changed with it.
#[derive(Debug, Clone)]
pub struct CleanedPixels {
    /// The new Pixel Data value.
    pub value: DicomValue<dicom_object::InMemDicomObject>,
    /// Transfer syntax of the new pixel data.
    pub transfer_syntax: String,
    /// Photometric Interpretation of the new pixel data.
    pub photometric: String,
    /// For JPEG: PSNR of the re-encoded kept pixels against the decoded original (dB).
    pub reencode_psnr_db: Option<f64>,
    /// For JPEG: compressed size over uncompressed size of the new data.
    pub lossy_ratio: Option<f64>,
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
    if info.bits_allocated != 8 {
        return Err(refuse(format!("{}-bit images", info.bits_allocated)));
    }
    match info.codec() {
        Codec::Native => clean_native(clip, mask),
        Codec::Jpeg => match mask_in_place(clip, mask)? {
            Some(cleaned) => Ok(cleaned),
            None => reencode(clip, mask, true),
        },
        Codec::Rle => reencode(clip, mask, false),
        _ => Err(refuse(info.transfer_syntax.name.clone())),
    }
}

/// The black sample values of a layout, per sample.
fn black_samples(photometric: &str) -> Result<&'static [u8], CineError> {
    Ok(match photometric.trim() {
        "RGB" => &[0, 0, 0],
        "YBR_FULL" => &[0, 128, 128],
        "MONOCHROME2" => &[0],
        "MONOCHROME1" => &[255],
        other => return Err(refuse(format!("{other} pixel data"))),
    })
}

fn clean_native(clip: &Clip, mask: &Mask) -> Result<CleanedPixels, CineError> {
    let info = clip.info();
    let black = black_samples(&info.photometric)?;
    let spp = usize::from(info.samples_per_pixel);
    if black.len() != spp {
        return Err(refuse(format!("{} with {spp} samples", info.photometric)));
    }
    let pixel = clip
        .object
        .element_opt(tags::PIXEL_DATA)
        .ok()
        .flatten()
        .ok_or(CineError::NoPixelData)?;
    let mut bytes = match pixel.value() {
        DicomValue::Primitive(p) => p.to_bytes().into_owned(),
        _ => return Err(refuse("encapsulated uncompressed data")),
    };
    let pixels = info.columns as usize * info.rows as usize;
    let frame_len = pixels * spp;
    let planar = info.planar_configuration == 1 && spp == 3;
    for n in 0..info.frames as usize {
        let frame = bytes
            .get_mut(n * frame_len..(n + 1) * frame_len)
            .ok_or_else(|| CineError::truncated(format!("pixel data ends before frame {n}")))?;
        for (i, _) in mask.black.iter().enumerate().filter(|(_, b)| **b) {
            for (s, value) in black.iter().enumerate() {
                let at = if planar { s * pixels + i } else { i * spp + s };
                frame[at] = *value;
            }
        }
    }
    Ok(CleanedPixels {
        value: DicomValue::Primitive(dicom_core::PrimitiveValue::U8(bytes.into())),
        transfer_syntax: info.transfer_syntax.uid.clone(),
        photometric: info.photometric.clone(),
        reencode_psnr_db: None,
        lossy_ratio: None,
    })
}

fn reencode(clip: &Clip, mask: &Mask, jpeg: bool) -> Result<CleanedPixels, CineError> {
    let info = clip.info();
    let colour = info.samples_per_pixel == 3;
    if !colour && !matches!(info.photometric.trim(), "MONOCHROME2" | "MONOCHROME1") {
        return Err(refuse(format!("{} pixel data", info.photometric)));
    }
    let spp = if colour { 3 } else { 1 };
    // Frames are independent: one contiguous run per core, fragments back in order.
    let frames = info.frames as usize;
    let runs = by_runs(frames, |range| {
        reencode_frames(clip, mask, jpeg, colour, spp, range)
    });
    let (mut squared_error, mut kept_samples, mut raw_bytes) = (0f64, 0usize, 0usize);
    let mut fragments = Vec::with_capacity(frames);
    for run in runs {
        let run = run?;
        squared_error += run.squared_error;
        kept_samples += run.kept_samples;
        raw_bytes += run.raw_bytes;
        fragments.extend(run.fragments);
    }
    let mut offsets = Vec::with_capacity(fragments.len());
    let mut at = 0u32;
    for f in &fragments {
        offsets.push(at);
        at = at.saturating_add(8 + f.len() as u32);
    }
    let compressed: usize = fragments.iter().map(Vec::len).sum();
    let psnr = (jpeg && kept_samples > 0).then(|| {
        let mse = squared_error / kept_samples as f64;
        if mse == 0.0 {
            f64::INFINITY
        } else {
            10.0 * (255.0f64 * 255.0 / mse).log10()
        }
    });
    Ok(CleanedPixels {
        value: DicomValue::PixelSequence(PixelFragmentSequence::new(offsets, fragments)),
        transfer_syntax: if jpeg {
            uids::JPEG_BASELINE8_BIT.into()
        } else {
            uids::RLE_LOSSLESS.into()
        },
        photometric: match (colour, jpeg) {
            (true, true) => "YBR_FULL_422",
            (true, false) => "RGB",
            (false, _) => "MONOCHROME2",
        }
        .into(),
        reencode_psnr_db: psnr,
        lossy_ratio: jpeg.then(|| compressed as f64 / raw_bytes.max(1) as f64),
    })
}

/// Baseline JPEG frames masked in their coefficients (see `jpeg_mask`): no generation loss
/// away from the mask edge. `None` when any frame needs the full re-encode instead.
fn mask_in_place(clip: &Clip, mask: &Mask) -> Result<Option<CleanedPixels>, CineError> {
    let info = clip.info();
    let black: &[u8] = match info.samples_per_pixel {
        3 => &[0, 128, 128],
        1 => &[0],
        _ => return Ok(None),
    };
    let frames = info.frames as usize;
    type Run = Option<(Vec<Vec<u8>>, f64, usize)>;
    let runs = by_runs(frames, |range| -> Result<Run, CineError> {
        let mut fragments = Vec::with_capacity(range.len());
        let (mut squared_error, mut kept_samples) = (0f64, 0usize);
        for n in range {
            // Only codestreams whose colours are unambiguous (YCbCr or plain grey).
            let Some(source) = clip.browser_decodable_jpeg(n as u32)? else {
                return Ok(None);
            };
            let Some(masked) = crate::jpeg_mask::mask_jpeg(&source, mask, black) else {
                return Ok(None);
            };
            // What it cost the kept pixels, on every eighth frame.
            if n % 8 == 0 {
                let decode = |bytes: &[u8]| {
                    jpeg_decoder::Decoder::new(bytes)
                        .decode()
                        .map_err(|e| CineError::Decode {
                            frame: n as u32,
                            reason: e.to_string(),
                        })
                };
                let (a, b) = (decode(&source)?, decode(&masked)?);
                let spp = a.len() / mask.black.len().max(1);
                for ((x, y), black) in a
                    .chunks_exact(spp.max(1))
                    .zip(b.chunks_exact(spp.max(1)))
                    .zip(&mask.black)
                {
                    if !black {
                        for (p, q) in x.iter().zip(y) {
                            squared_error += (f64::from(*p) - f64::from(*q)).powi(2);
                        }
                        kept_samples += spp;
                    }
                }
            }
            fragments.push(masked);
        }
        Ok(Some((fragments, squared_error, kept_samples)))
    });
    let (mut squared_error, mut kept_samples) = (0f64, 0usize);
    let mut fragments = Vec::with_capacity(frames);
    for run in runs {
        let Some((part, se, ks)) = run? else {
            return Ok(None);
        };
        fragments.extend(part);
        squared_error += se;
        kept_samples += ks;
    }
    let mut offsets = Vec::with_capacity(fragments.len());
    let mut at = 0u32;
    for f in &fragments {
        offsets.push(at);
        at = at.saturating_add(8 + f.len() as u32);
    }
    let mse = squared_error / kept_samples.max(1) as f64;
    Ok(Some(CleanedPixels {
        value: DicomValue::PixelSequence(PixelFragmentSequence::new(offsets, fragments)),
        transfer_syntax: info.transfer_syntax.uid.clone(),
        photometric: info.photometric.clone(),
        reencode_psnr_db: Some(if mse == 0.0 {
            f64::INFINITY
        } else {
            10.0 * (255.0f64 * 255.0 / mse).log10()
        }),
        lossy_ratio: None,
    }))
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

/// What one thread made of its run of frames.
struct FrameRun {
    fragments: Vec<Vec<u8>>,
    squared_error: f64,
    kept_samples: usize,
    raw_bytes: usize,
}

/// Masks and re-encodes frames `range`: as displayed (colour as RGB, greyscale after
/// MONOCHROME1 inversion and windowing), black where masked, then JPEG q95 or RLE.
fn reencode_frames(
    clip: &Clip,
    mask: &Mask,
    jpeg: bool,
    colour: bool,
    spp: usize,
    range: std::ops::Range<usize>,
) -> Result<FrameRun, CineError> {
    let info = clip.info();
    let mut run = FrameRun {
        fragments: Vec::with_capacity(range.len()),
        squared_error: 0.0,
        kept_samples: 0,
        raw_bytes: 0,
    };
    for n in range {
        let n = n as u32;
        let frame = clip.decode_frame(n)?;
        let mut samples = Vec::with_capacity(mask.black.len() * spp);
        for (px, black) in frame.rgba.chunks_exact(4).zip(&mask.black) {
            let value: &[u8] = if *black { &[0, 0, 0] } else { &px[..3] };
            samples.extend_from_slice(&value[..spp]);
        }
        run.raw_bytes += samples.len();
        let fragment = if jpeg {
            let encoded = encode_jpeg(&samples, info.columns, info.rows, colour, 95)?;
            // Decode what was written, to report what re-encoding cost.
            let again = jpeg_decoder::Decoder::new(encoded.as_slice())
                .decode()
                .map_err(|e| CineError::Decode {
                    frame: n,
                    reason: format!("re-encoded JPEG does not decode: {e}"),
                })?;
            for ((a, b), black) in samples
                .chunks_exact(spp)
                .zip(again.chunks_exact(spp))
                .zip(&mask.black)
            {
                if !black {
                    for (x, y) in a.iter().zip(b) {
                        run.squared_error += (f64::from(*x) - f64::from(*y)).powi(2);
                    }
                    run.kept_samples += spp;
                }
            }
            encoded
        } else {
            rle_encode(&samples, spp)
        };
        run.fragments.push(fragment);
    }
    Ok(run)
}

/// JPEG baseline at `quality`; colour as YCbCr 4:2:2 (what ultrasound devices write).
pub(crate) fn encode_jpeg(
    samples: &[u8],
    width: u32,
    height: u32,
    colour: bool,
    quality: u8,
) -> Result<Vec<u8>, CineError> {
    let too_big = || CineError::malformed("JPEG baseline is limited to 65535 × 65535");
    let w = u16::try_from(width).map_err(|_| too_big())?;
    let h = u16::try_from(height).map_err(|_| too_big())?;
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    let kind = if colour {
        encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_1);
        jpeg_encoder::ColorType::Rgb
    } else {
        jpeg_encoder::ColorType::Luma
    };
    encoder
        .encode(samples, w, h, kind)
        .map_err(|e| CineError::malformed(format!("JPEG encoding failed: {e}")))?;
    if out.len() % 2 == 1 {
        out.push(0);
    }
    Ok(out)
}

/// RLE Lossless (PS3.5 Annex G) of one 8-bit frame of `spp` interleaved samples: one
/// PackBits segment per sample, each kept even with a no-op byte.
pub(crate) fn rle_encode(samples: &[u8], spp: usize) -> Vec<u8> {
    let segments: Vec<Vec<u8>> = (0..spp)
        .map(|c| {
            let plane: Vec<u8> = samples.iter().skip(c).step_by(spp).copied().collect();
            let mut seg = crate::codec::pack_bits(&plane);
            if !seg.len().is_multiple_of(2) {
                seg.push(0x80);
            }
            seg
        })
        .collect();
    let mut out = vec![0u8; 64];
    out[0..4].copy_from_slice(&(spp as u32).to_le_bytes());
    let mut offset = 64u32;
    for (i, seg) in segments.iter().enumerate() {
        out[4 + 4 * i..8 + 4 * i].copy_from_slice(&offset.to_le_bytes());
        offset += seg.len() as u32;
    }
    for seg in segments {
        out.extend(seg);
    }
    out
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
