//! Pixel data cleaned through its decoded samples and re-encoded as RLE Lossless: RLE itself,
//! JPEG lossless and 12-bit, JPEG 2000 (lossless and lossy: the decoded values are kept
//! exactly, no second loss), PALETTE COLOR converted to RGB, and encapsulated uncompressed data.
//!
//! JPEG 2000 is not written back as JPEG 2000: the registry's codec decodes only, and RLE is
//! lossless, opens in every viewer and compresses the black margins of ultrasound well.
use super::black::{Bits, Black, black_of};
use super::{BlackFill, CleanedPixels, Mask, Reencoding, SampleLayout, by_runs, fragments_value};
use crate::codec::{Codec, Samples, frame_samples};
use crate::info::Photometric;
use crate::{CineError, Clip};
use dicom_dictionary_std::uids;

/// What one run of frames decoded to, and their RLE fragments.
struct DecodedRun {
    fragments: Vec<Vec<u8>>,
    photometric: Photometric,
    layout: SampleLayout,
    fill: BlackFill,
}

/// Cleans every frame through its samples; `to_rgb` turns PALETTE COLOR into RGB.
pub(super) fn clean_decoded(
    clip: &Clip,
    mask: &Mask,
    to_rgb: bool,
) -> Result<CleanedPixels, CineError> {
    let runs = by_runs(clip.info().frames as usize, |range| {
        decoded_frames(clip, mask, to_rgb, range)
    });
    let mut fragments = Vec::with_capacity(clip.info().frames as usize);
    let mut first: Option<(Photometric, SampleLayout, BlackFill)> = None;
    for run in runs {
        let run = run?;
        let seen = (run.photometric, run.layout, run.fill);
        match &first {
            None => first = Some(seen),
            Some(f) if *f == seen => {}
            Some(_) => {
                return Err(CineError::malformed(
                    "frames decode to different sample layouts",
                ));
            }
        }
        fragments.extend(run.fragments);
    }
    let (photometric, layout, fill) = first.ok_or(CineError::NoPixelData)?;
    Ok(CleanedPixels {
        value: fragments_value(fragments),
        transfer_syntax: uids::RLE_LOSSLESS.into(),
        photometric: photometric.name().to_string(),
        layout,
        fill,
        reencoding: Reencoding::RleLossless,
        reencode_psnr_db: None,
        lossy_ratio: None,
    })
}

/// Samples interleaved (`RRR…GGG…BBB…` becomes `RGBRGB…`).
fn interleaved(s: Samples<'_>, pixels: usize) -> Samples<'_> {
    if !s.planar || s.samples_per_pixel != 3 {
        return s;
    }
    let bytes = usize::from(s.bits_allocated / 8);
    let mut data = vec![0u8; pixels * 3 * bytes];
    for c in 0..3 {
        for i in 0..pixels {
            let from = (c * pixels + i) * bytes;
            let to = (i * 3 + c) * bytes;
            if let (Some(src), Some(dst)) =
                (s.data.get(from..from + bytes), data.get_mut(to..to + bytes))
            {
                dst.copy_from_slice(src);
            }
        }
    }
    Samples {
        data: data.into(),
        planar: false,
        ..s
    }
}

fn decoded_frames(
    clip: &Clip,
    mask: &Mask,
    to_rgb: bool,
    range: std::ops::Range<usize>,
) -> Result<DecodedRun, CineError> {
    let info = clip.info();
    let pixels = mask.black.len();
    let mut fragments = Vec::with_capacity(range.len());
    let mut layout_seen: Option<(Photometric, SampleLayout, Black)> = None;
    for n in range {
        let samples = interleaved(frame_samples(&clip.object, info, n as u32)?, pixels);
        let (mut data, photometric, bits, spp) = if to_rgb {
            let rgba = crate::color::to_rgba(&samples, info.columns, info.rows, &clip.display)?;
            let rgb: Vec<u8> = rgba
                .chunks_exact(4)
                .flat_map(|px| [px[0], px[1], px[2]])
                .collect();
            let bits = Bits {
                allocated: 8,
                stored: 8,
                high_bit: 7,
                signed: false,
            };
            (rgb, Photometric::Rgb, bits, 3)
        } else {
            let written = Bits::of(clip);
            // Decoders hand back values, not container words: the high bit is moved down
            // unless the samples are the native words themselves.
            let bits =
                if info.codec() == Codec::Native && samples.bits_allocated == written.allocated {
                    written
                } else {
                    let stored = written.stored.clamp(1, samples.bits_allocated);
                    Bits {
                        allocated: samples.bits_allocated,
                        stored,
                        high_bit: stored - 1,
                        signed: written.signed,
                    }
                };
            let spp = samples.samples_per_pixel;
            (samples.data.into_owned(), samples.photometric, bits, spp)
        };
        let layout = SampleLayout {
            samples_per_pixel: spp,
            bits_allocated: bits.allocated,
            bits_stored: bits.stored,
            high_bit: bits.high_bit,
            pixel_representation: u16::from(bits.signed),
            planar_configuration: 0,
        };
        let black = match &layout_seen {
            Some((p, l, black)) if *p == photometric && *l == layout => black.clone(),
            Some(_) => {
                return Err(CineError::malformed(
                    "frames decode to different sample layouts",
                ));
            }
            None => {
                let palette = match &clip.display.palette {
                    Some(Ok(p)) => Some(p),
                    Some(Err(e)) => return Err(e.clone()),
                    None => None,
                };
                let mut black = black_of(&photometric, spp, bits, palette)?;
                if to_rgb {
                    black.fill = BlackFill::PaletteToRgb;
                } else if black.fill == BlackFill::PaletteToRgb {
                    return Err(CineError::malformed(
                        "the decoded palette indices cannot hold the entry nearest black",
                    ));
                }
                layout_seen = Some((photometric.clone(), layout, black.clone()));
                black
            }
        };
        let bytes = usize::from(bits.allocated / 8);
        let spp = usize::from(spp);
        if data.len() < pixels * spp * bytes {
            return Err(CineError::truncated(format!("frame {n} is short")));
        }
        for (i, _) in mask.black.iter().enumerate().filter(|(_, b)| **b) {
            for (s, word) in black.words.iter().enumerate() {
                let at = (i * spp + s) * bytes;
                if bytes == 2 {
                    data[at..at + 2].copy_from_slice(&word.to_le_bytes());
                } else {
                    data[at] = *word as u8;
                }
            }
        }
        data.truncate(pixels * spp * bytes);
        fragments.push(rle_encode(&data, spp, bytes));
    }
    let (photometric, layout, black) = layout_seen.ok_or(CineError::NoPixelData)?;
    Ok(DecodedRun {
        fragments,
        photometric,
        layout,
        fill: black.fill,
    })
}

/// RLE Lossless (PS3.5 Annex G) of one frame of `spp` interleaved samples of `bytes` bytes
/// (little endian): one PackBits segment per sample byte, most significant byte first, each
/// kept even with a no-op byte.
pub(crate) fn rle_encode(samples: &[u8], spp: usize, bytes: usize) -> Vec<u8> {
    let stride = spp * bytes;
    let segments: Vec<Vec<u8>> = (0..spp)
        .flat_map(|c| (0..bytes).rev().map(move |b| c * bytes + b))
        .map(|offset| {
            let plane: Vec<u8> = samples
                .iter()
                .skip(offset)
                .step_by(stride)
                .copied()
                .collect();
            let mut seg = crate::rle::pack_bits(&plane);
            if !seg.len().is_multiple_of(2) {
                seg.push(0x80);
            }
            seg
        })
        .collect();
    let mut out = vec![0u8; 64];
    out[0..4].copy_from_slice(&(segments.len() as u32).to_le_bytes());
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
