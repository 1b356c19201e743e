//! 8-bit lossy JPEG cleaned as JPEG: masked in the DCT coefficients where the codestream
//! allows it (no generation loss away from the mask), otherwise decoded, masked and
//! re-encoded as baseline at quality 95 with the cost reported as PSNR over the kept pixels.
use super::black::Black;
use super::{CleanedPixels, Mask, Reencoding, SampleLayout, by_runs, fragments_value, refuse};
use crate::codec::frame_samples;
use crate::info::Photometric;
use crate::{CineError, Clip};
use dicom_dictionary_std::uids;

/// Whether the clip is 8-bit lossy JPEG in a layout this module keeps as JPEG.
pub(super) fn stays_jpeg(clip: &Clip) -> bool {
    let info = clip.info();
    let lossy = matches!(
        info.transfer_syntax.uid.as_str(),
        uids::JPEG_BASELINE8_BIT | uids::JPEG_EXTENDED12_BIT
    );
    let layout = matches!(
        info.photometric_kind(),
        Photometric::Rgb
            | Photometric::YbrFull
            | Photometric::YbrFull422
            | Photometric::Monochrome1
            | Photometric::Monochrome2
    );
    lossy && layout && info.bits_allocated == 8
}

/// Cleans 8-bit lossy JPEG frames, in their coefficients when every frame allows it.
pub(super) fn clean_jpeg(
    clip: &Clip,
    mask: &Mask,
    black: &Black,
) -> Result<CleanedPixels, CineError> {
    match mask_in_place(clip, mask, black)? {
        Some(cleaned) => Ok(cleaned),
        None => reencode(clip, mask, black),
    }
}

fn psnr(squared_error: f64, samples: usize) -> f64 {
    let mse = squared_error / samples.max(1) as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

/// Squared error over the kept pixels of two frames of `spp` interleaved 8-bit samples.
fn kept_error(a: &[u8], b: &[u8], spp: usize, mask: &Mask) -> (f64, usize) {
    let (mut squared_error, mut samples) = (0f64, 0usize);
    for ((x, y), black) in a
        .chunks_exact(spp.max(1))
        .zip(b.chunks_exact(spp.max(1)))
        .zip(&mask.black)
    {
        if !black {
            for (p, q) in x.iter().zip(y) {
                squared_error += (f64::from(*p) - f64::from(*q)).powi(2);
            }
            samples += spp;
        }
    }
    (squared_error, samples)
}

/// Baseline JPEG frames masked in their coefficients (see `jpeg_mask`): no generation loss
/// away from the mask edge. `None` when any frame needs the full re-encode instead.
fn mask_in_place(
    clip: &Clip,
    mask: &Mask,
    black: &Black,
) -> Result<Option<CleanedPixels>, CineError> {
    let info = clip.info();
    // The browser-decodable frames are YCbCr or plain MONOCHROME2 (no window).
    let black: &[u8] = match info.samples_per_pixel {
        3 => &[0, 128, 128],
        1 if black.words == [0] => &[0],
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
                let (se, ks) = kept_error(&a, &b, spp, mask);
                squared_error += se;
                kept_samples += ks;
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
    Ok(Some(CleanedPixels {
        value: fragments_value(fragments),
        transfer_syntax: info.transfer_syntax.uid.clone(),
        photometric: info.photometric.clone(),
        layout: SampleLayout::of(clip),
        fill: super::BlackFill::Samples,
        reencoding: Reencoding::JpegCoefficients,
        reencode_psnr_db: Some(psnr(squared_error, kept_samples)),
        lossy_ratio: None,
    }))
}

/// What one thread made of its run of frames.
struct FrameRun {
    fragments: Vec<Vec<u8>>,
    squared_error: f64,
    kept_samples: usize,
    raw_bytes: usize,
}

/// Decodes, masks and re-encodes every frame as JPEG baseline q95: colour as RGB written as
/// YBR_FULL_422, greyscale as its stored values (MONOCHROME1 stays MONOCHROME1).
fn reencode(clip: &Clip, mask: &Mask, black: &Black) -> Result<CleanedPixels, CineError> {
    let info = clip.info();
    let colour = info.samples_per_pixel == 3;
    let frames = info.frames as usize;
    let runs = by_runs(frames, |range| {
        reencode_frames(clip, mask, black, colour, range)
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
    let compressed: usize = fragments.iter().map(Vec::len).sum();
    let mut layout = SampleLayout::of(clip);
    layout.planar_configuration = 0;
    Ok(CleanedPixels {
        value: fragments_value(fragments),
        transfer_syntax: uids::JPEG_BASELINE8_BIT.into(),
        photometric: if colour {
            "YBR_FULL_422".into()
        } else {
            info.photometric.clone()
        },
        layout,
        fill: super::BlackFill::Samples,
        reencoding: Reencoding::JpegBaseline,
        reencode_psnr_db: Some(psnr(squared_error, kept_samples)),
        lossy_ratio: Some(compressed as f64 / raw_bytes.max(1) as f64),
    })
}

/// Masks and re-encodes frames `range`.
fn reencode_frames(
    clip: &Clip,
    mask: &Mask,
    black: &Black,
    colour: bool,
    range: std::ops::Range<usize>,
) -> Result<FrameRun, CineError> {
    let info = clip.info();
    let spp = if colour { 3 } else { 1 };
    let mut run = FrameRun {
        fragments: Vec::with_capacity(range.len()),
        squared_error: 0.0,
        kept_samples: 0,
        raw_bytes: 0,
    };
    for n in range {
        let n = n as u32;
        let mut samples = if colour {
            let frame = clip.decode_frame(n)?;
            frame
                .rgba
                .chunks_exact(4)
                .flat_map(|px| [px[0], px[1], px[2]])
                .collect()
        } else {
            let s = frame_samples(&clip.object, info, n)?;
            if s.bits_allocated != 8 || s.samples_per_pixel != 1 {
                return Err(refuse("greyscale JPEG that does not decode to 8 bits"));
            }
            s.data.into_owned()
        };
        samples.truncate(mask.black.len() * spp);
        let fill: Vec<u8> = if colour {
            vec![0; 3]
        } else {
            vec![black.words[0] as u8]
        };
        for (px, black) in samples.chunks_exact_mut(spp).zip(&mask.black) {
            if *black {
                px.copy_from_slice(&fill);
            }
        }
        run.raw_bytes += samples.len();
        let encoded = encode_jpeg(&samples, info.columns, info.rows, colour, 95)?;
        // Decode what was written, to report what re-encoding cost.
        let again = jpeg_decoder::Decoder::new(encoded.as_slice())
            .decode()
            .map_err(|e| CineError::Decode {
                frame: n,
                reason: format!("re-encoded JPEG does not decode: {e}"),
            })?;
        let (se, ks) = kept_error(&samples, &again, spp, mask);
        run.squared_error += se;
        run.kept_samples += ks;
        run.fragments.push(encoded);
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
