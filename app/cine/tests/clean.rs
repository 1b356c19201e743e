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

#[test]
fn jpeg_frames_are_masked_in_their_coefficients_without_touching_the_rest() {
    let bytes = synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 5,
        syntax: SynthSyntax::Jpeg,
        ..SynthOptions::default()
    })
    .expect("synth");
    let before = Clip::parse(&bytes).expect("clip");
    // A rectangle that starts and ends inside 16×8 chroma blocks, to exercise the edges.
    let cut = PixelRect {
        x0: 101,
        y0: 77,
        x1: 170,
        y1: 130,
    };
    let full = PixelRect {
        x0: 0,
        y0: 0,
        x1: 319,
        y1: 239,
    };
    let mask = Mask::new(320, 240, &[full], &[cut]);
    let cleaned = clean_pixels(&before, &mask).expect("cleaned");
    assert_eq!(
        cleaned.transfer_syntax,
        before.info().transfer_syntax.uid,
        "JPEG stays JPEG, not re-encoded"
    );
    assert_eq!(cleaned.photometric, before.info().photometric);
    assert!(cleaned.lossy_ratio.is_none(), "no new lossy step");
    let (out, _) = cleaned_file(&bytes, &mask);
    let after = Clip::parse(&out).expect("parses");
    for n in 0..5 {
        let a = before.decode_frame(n).unwrap();
        let b = after.decode_frame(n).unwrap();
        for y in 0..240u32 {
            for x in 0..320u32 {
                let i = ((y * 320 + x) * 4) as usize;
                let inside = (101..=170).contains(&x) && (77..=130).contains(&y);
                // Blocks (16×8 with 4:2:2 chroma) the rectangle does not touch, with a margin
                // for the upsampling filter of the neighbouring chroma block.
                let far = x + 24 < 101 || x > 170 + 24 || y + 16 < 77 || y > 130 + 16;
                if inside {
                    assert!(
                        b.rgba[i..i + 3].iter().all(|v| *v <= 16),
                        "frame {n} ({x},{y}) not black: {:?}",
                        &b.rgba[i..i + 3]
                    );
                } else if far {
                    assert_eq!(
                        a.rgba[i..i + 4],
                        b.rgba[i..i + 4],
                        "frame {n} ({x},{y}) changed"
                    );
                }
            }
        }
    }
}

/// pydicom's real files (through `SONOHUB_DICOM_SAMPLES`) in every layout that can be
/// cleaned: a rectangle in the middle of each goes black (over the whole stored range) in
/// every frame, and the rewritten file decodes.
#[test]
fn real_files_of_every_layout_are_cleaned() {
    let required = std::env::var("SONOHUB_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
    let Some(dir) = std::env::var_os("SONOHUB_DICOM_SAMPLES")
        .map(std::path::PathBuf::from)
        .filter(|d| d.is_dir())
    else {
        assert!(!required, "SONOHUB_DICOM_SAMPLES must name a folder");
        eprintln!("note: SONOHUB_DICOM_SAMPLES not set; skipping");
        return;
    };
    let files = [
        "examples_palette.dcm",
        "MR_small.dcm",
        "MR_small_RLE.dcm",
        "MR_small_bigendian.dcm",
        "MR_small_jp2klossless.dcm",
        "JPEG2000.dcm",
        "693_J2KI.dcm",
        "GDCMJ2K_TextGBR.dcm",
        "SC_ybr_full_422_uncompressed.dcm",
        "examples_ybr_color.dcm",
        "SC_rgb_rle_16bit.dcm",
        "SC_rgb_small_odd.dcm",
        "CT_small.dcm",
    ];
    for name in files {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let before = Clip::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (w, h) = (before.info().columns, before.info().rows);
        let full = PixelRect {
            x0: 0,
            y0: 0,
            x1: w - 1,
            y1: h - 1,
        };
        let cut = PixelRect {
            x0: w / 4,
            y0: h / 4,
            x1: w / 2,
            y1: h / 2,
        };
        let mask = Mask::new(w, h, &[full], &[cut]);
        let cleaned = clean_pixels(&before, &mask).unwrap_or_else(|e| panic!("{name}: {e}"));
        let lossy = cleaned.lossy_ratio.is_some() || cleaned.reencode_psnr_db.is_some();
        let layout = cleaned.layout;
        let summary = cleaned.summary();
        let mut obj = dicom_object::OpenFileOptions::new()
            .read_preamble(dicom_object::file::ReadPreamble::Auto)
            .from_reader(bytes.as_slice())
            .expect("object");
        let vr = match &cleaned.value {
            dicom_core::value::Value::Primitive(_) if layout.bits_allocated > 8 => VR::OW,
            _ => VR::OB,
        };
        obj.put(DataElement::new(
            tags::PIXEL_DATA,
            vr,
            cleaned.value.clone(),
        ));
        let us = |v: u16| dicom_core::PrimitiveValue::from(v);
        for (tag, v) in [
            (tags::SAMPLES_PER_PIXEL, layout.samples_per_pixel),
            (tags::BITS_ALLOCATED, layout.bits_allocated),
            (tags::BITS_STORED, layout.bits_stored),
            (tags::HIGH_BIT, layout.high_bit),
            (tags::PIXEL_REPRESENTATION, layout.pixel_representation),
            (tags::PLANAR_CONFIGURATION, layout.planar_configuration),
        ] {
            obj.put(DataElement::new(tag, VR::US, us(v)));
        }
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
        let after = Clip::parse(&out).unwrap_or_else(|e| panic!("{name} cleaned: {e}"));
        let limit = match (lossy, cleaned.fill) {
            (true, _) => 48,
            (false, cine::clean::BlackFill::PaletteEntry { .. }) => cine::clean::PALETTE_NEAR_BLACK,
            _ => 0,
        };
        for n in 0..after.info().frames {
            after
                .decode_frame(n)
                .unwrap_or_else(|e| panic!("{name} #{n}: {e}"));
            let shown = cine::clean::decode_frame_full_range(&after, n).unwrap();
            for (i, black) in mask.black.iter().enumerate() {
                if *black {
                    let px = &shown.rgba[i * 4..i * 4 + 3];
                    assert!(
                        px.iter().all(|v| *v <= limit),
                        "{name} #{n} pixel {i}: {px:?}"
                    );
                }
            }
        }
        eprintln!(
            "{name}: {} {} -> {} {} ({})",
            before.info().photometric,
            before.info().transfer_syntax.name,
            cleaned.photometric,
            after.info().transfer_syntax.name,
            summary
        );
    }
}
