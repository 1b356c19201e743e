//! Blacking out more of an already anonymised clip: rectangles an expert drew over text the
//! ultrasound regions and device masks missed. The same cleaning and the same check of every
//! masked pixel in every frame as at import; UIDs and headers stay as they are.
use super::anonymize::{AnonymizeError, check_masked_pixels, put_cleaned_pixels};
use cine::clean::{Mask, PixelRect, clean_pixels};

/// A clip with more pixels blacked out.
#[derive(Debug, Clone)]
pub struct Remasked {
    pub bytes: Vec<u8>,
    /// Pixels per frame inside the drawn rectangles.
    pub masked_pixels: usize,
    /// Cost of re-encoding JPEG frames, PSNR of the kept pixels (dB).
    pub reencode_psnr_db: Option<f64>,
}

/// Blacks out `rects` (inclusive pixel corners, clipped to the image) in every frame.
pub fn remask(bytes: &[u8], rects: &[PixelRect]) -> Result<Remasked, AnonymizeError> {
    let clip = cine::Clip::parse(bytes).map_err(|e| AnonymizeError::Unreadable(e.to_string()))?;
    let info = clip.info();
    let (w, h) = (info.columns, info.rows);
    let clipped: Vec<PixelRect> = rects
        .iter()
        .filter(|r| r.x0 < w && r.y0 < h && r.x0 <= r.x1 && r.y0 <= r.y1)
        .map(|r| PixelRect {
            x0: r.x0,
            y0: r.y0,
            x1: r.x1.min(w.saturating_sub(1)),
            y1: r.y1.min(h.saturating_sub(1)),
        })
        .collect();
    let full = [PixelRect {
        x0: 0,
        y0: 0,
        x1: w.saturating_sub(1),
        y1: h.saturating_sub(1),
    }];
    let mask = Mask::new(w, h, &full, &clipped);
    let source_syntax = info.transfer_syntax.uid.clone();
    let cleaned = clean_pixels(&clip, &mask).map_err(|e| AnonymizeError::Pixels(e.to_string()))?;
    let psnr = cleaned.reencode_psnr_db;
    let mut obj = clip.into_object();
    put_cleaned_pixels(&mut obj, cleaned, &source_syntax);
    obj.meta_mut().update_information_group_length();
    let mut out = Vec::new();
    obj.write_all(&mut out)
        .map_err(|e| AnonymizeError::Unreadable(e.to_string()))?;
    check_masked_pixels(&out, &mask, psnr.is_some())?;
    Ok(Remasked {
        bytes: out,
        masked_pixels: mask.count(),
        reencode_psnr_db: psnr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dicom::{AnonymizeConfig, anonymize};
    use cine::synth::{SynthOptions, SynthSyntax, synth_clip};

    #[test]
    fn drawn_rectangles_are_black_in_every_frame_and_the_rest_is_kept() {
        for syntax in [SynthSyntax::Rgb, SynthSyntax::Rle, SynthSyntax::Jpeg] {
            let source = synth_clip(&SynthOptions {
                width: 160,
                height: 120,
                frames: 4,
                syntax,
                fps: 30.0,
                seed: 3,
            })
            .unwrap();
            let cfg = AnonymizeConfig {
                secret: b"a secret of sixteen bytes or more".to_vec(),
                ..AnonymizeConfig::default()
            };
            let first = anonymize(&source, &cfg).unwrap();
            let rect = PixelRect {
                x0: 60,
                y0: 50,
                x1: 99,
                y1: 69,
            };
            let done = remask(
                &first.bytes,
                &[
                    rect,
                    PixelRect {
                        x0: 500,
                        y0: 0,
                        x1: 600,
                        y1: 5,
                    },
                ],
            )
            .unwrap();
            assert_eq!(
                done.masked_pixels,
                40 * 20,
                "{syntax:?}: off-image rectangles ignored"
            );
            let before = cine::Clip::parse(&first.bytes).unwrap();
            let after = cine::Clip::parse(&done.bytes).unwrap();
            assert_eq!(after.info().frames, 4);
            let limit = if done.reencode_psnr_db.is_some() {
                48
            } else {
                0
            };
            for n in 0..4 {
                let a = after.decode_frame(n).unwrap();
                let b = before.decode_frame(n).unwrap();
                let mut changed_outside = 0;
                for y in 0..120u32 {
                    for x in 0..160u32 {
                        let i = ((y * 160 + x) * 4) as usize;
                        let inside = (60..=99).contains(&x) && (50..=69).contains(&y);
                        if inside {
                            assert!(a.rgba[i..i + 3].iter().all(|v| *v <= limit), "{syntax:?}");
                        } else if a.rgba[i..i + 3] != b.rgba[i..i + 3] {
                            changed_outside += 1;
                        }
                    }
                }
                if done.reencode_psnr_db.is_none() {
                    assert_eq!(changed_outside, 0, "{syntax:?}: lossless keeps the rest");
                }
            }
            // Headers and UIDs are those of the anonymised input.
            let uid = |c: &cine::Clip| {
                c.object()
                    .element(dicom_dictionary_std::tags::SOP_INSTANCE_UID)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string()
            };
            assert_eq!(uid(&before), uid(&after));
        }
    }
}
