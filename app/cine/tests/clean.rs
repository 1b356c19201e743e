//! Pixel cleaning on synthetic clips with a burned-in banner: every frame's pixels outside the
//! ultrasound region (and inside extra rectangles) come out black, the rest as before.
use cine::Clip;
use cine::clean::{Mask, PixelRect, clean_pixels};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use dicom_core::{DataElement, VR};
use dicom_dictionary_std::tags;

fn options(syntax: SynthSyntax) -> SynthOptions {
    SynthOptions {
        width: 160,
        height: 120,
        frames: 4,
        syntax,
        ..SynthOptions::default()
    }
}

/// Cleans `bytes` with `mask` and returns the rewritten file and the PSNR, if lossy.
fn cleaned_file(bytes: &[u8], mask: &Mask) -> (Vec<u8>, Option<f64>) {
    let clip = Clip::parse(bytes).expect("clip");
    let cleaned = clean_pixels(&clip, mask).expect("cleaned");
    let mut obj = dicom_object::OpenFileOptions::new()
        .from_reader(&bytes[128..])
        .expect("object");
    obj.put(DataElement::new(tags::PIXEL_DATA, VR::OB, cleaned.value));
    obj.put(DataElement::new(
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        dicom_core::PrimitiveValue::from(cleaned.photometric.as_str()),
    ));
    let meta = obj.meta_mut();
    meta.transfer_syntax = cleaned.transfer_syntax.clone();
    meta.update_information_group_length();
    let mut out = Vec::new();
    obj.write_all(&mut out).expect("write");
    (out, cleaned.reencode_psnr_db)
}

fn region(clip: &Clip) -> PixelRect {
    let r = &clip.info().regions[0];
    PixelRect {
        x0: r.x0,
        y0: r.y0,
        x1: r.x1,
        y1: r.y1,
    }
}

#[test]
fn the_banner_is_gone_from_every_frame_and_the_image_stays() {
    for syntax in [SynthSyntax::Rgb, SynthSyntax::Rle, SynthSyntax::Jpeg] {
        let bytes = synth_clip(&options(syntax)).expect("synth");
        let before = Clip::parse(&bytes).expect("clip");
        let keep = region(&before);
        assert!(keep.y0 > 0, "the synthetic banner sits above the region");
        // An expert's extra rectangle inside the image, too.
        let extra = PixelRect {
            x0: 10,
            y0: keep.y0 + 10,
            x1: 29,
            y1: keep.y0 + 19,
        };
        let mask = Mask::new(160, 120, &[keep], &[extra]);
        let (out, psnr) = cleaned_file(&bytes, &mask);
        let after = Clip::parse(&out).expect("cleaned clip parses");
        assert_eq!(after.info().frames, 4);
        assert_eq!(
            after.info().frame_time_ms,
            before.info().frame_time_ms,
            "timing kept"
        );
        let lossy = syntax == SynthSyntax::Jpeg;
        for n in 0..4 {
            let a = before.decode_frame(n).expect("before");
            let b = after.decode_frame(n).expect("after");
            let (mut worst_black, mut worst_kept) = (0u8, 0u8);
            for (i, black) in mask.black.iter().enumerate() {
                let (pa, pb) = (&a.rgba[i * 4..i * 4 + 3], &b.rgba[i * 4..i * 4 + 3]);
                if *black {
                    worst_black = worst_black.max(*pb.iter().max().unwrap());
                } else {
                    let d = pa
                        .iter()
                        .zip(pb)
                        .map(|(x, y)| x.abs_diff(*y))
                        .max()
                        .unwrap();
                    worst_kept = worst_kept.max(d);
                }
            }
            if lossy {
                // JPEG rings a little at the mask's edge; the banner text (white) is gone.
                assert!(
                    worst_black < 48,
                    "{syntax:?} frame {n}: masked pixel up to {worst_black}"
                );
            } else {
                assert_eq!(worst_black, 0, "{syntax:?} frame {n}");
                assert_eq!(worst_kept, 0, "{syntax:?} frame {n}: kept pixels changed");
            }
        }
        if lossy {
            let psnr = psnr.expect("JPEG reports its cost");
            assert!(psnr > 35.0, "re-encoding cost too much: {psnr:.1} dB");
        } else {
            assert!(psnr.is_none());
        }
    }
}

#[test]
fn a_mask_of_the_wrong_size_is_refused() {
    let bytes = synth_clip(&options(SynthSyntax::Rgb)).expect("synth");
    let clip = Clip::parse(&bytes).expect("clip");
    let mask = Mask::new(10, 10, &[], &[]);
    assert!(clean_pixels(&clip, &mask).is_err());
}
