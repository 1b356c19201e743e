//! Every layout cleaned on a synthetic instance: masked pixels display black (MONOCHROME over
//! its whole stored range), kept samples are bit-exact on lossless paths, and the output
//! decodes. A bright banner sits in the top rows, outside the kept rectangle.
use super::black::Bits;
use super::*;
use crate::codec::{Samples, frame_samples};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

const W: u32 = 41;
const H: u32 = 24;
const FRAMES: u32 = 2;

/// Kept: x 3..=30, y 6..=20 (an odd left edge splits YBR_FULL_422 pairs), minus a hole.
fn mask() -> Mask {
    let keep = PixelRect {
        x0: 3,
        y0: 6,
        x1: 30,
        y1: 20,
    };
    let hole = PixelRect {
        x0: 10,
        y0: 8,
        x1: 12,
        y1: 9,
    };
    Mask::new(W, H, &[keep], &[hole])
}

/// A pseudo-image in 0..=1 with a bright banner in rows 0..4.
fn level(x: u32, y: u32, n: u32, s: u32) -> f64 {
    if y < 4 {
        return 1.0;
    }
    f64::from((x * 31 + y * 17 + n * 7 + s * 11) % 101) / 100.0
}

/// The instance's layout.
#[derive(Clone)]
struct Layout {
    photometric: &'static str,
    samples: u16,
    bits: Bits,
    planar: bool,
    /// 16-bit palette entries (first mapped 0) and whether to write them segmented.
    palette: Option<(Vec<[u16; 3]>, bool)>,
}

fn layout(photometric: &'static str, samples: u16, allocated: u16, stored: u16) -> Layout {
    Layout {
        photometric,
        samples,
        bits: Bits {
            allocated,
            stored,
            high_bit: stored - 1,
            signed: false,
        },
        planar: false,
        palette: None,
    }
}

/// The container words of frame `n`, in storage order.
fn frame_words(l: &Layout, n: u32) -> Vec<u16> {
    let (lo, hi) = l.bits.range();
    let value = |x, y, s| {
        let v = level(x, y, n, s);
        let v = if l.photometric == "MONOCHROME1" {
            1.0 - v
        } else {
            v
        };
        let entries = l.palette.as_ref().map(|(p, _)| p.len() as f64);
        match entries {
            // Palette: a bright entry for the banner, others for the image.
            Some(count) => l.bits.word((v * (count - 1.0)).round() as i64),
            None => l.bits.word(lo + (v * (hi - lo) as f64).round() as i64),
        }
    };
    let spp = u32::from(l.samples);
    if l.photometric == "YBR_FULL_422" {
        let mut out = Vec::new();
        for y in 0..H {
            for pair in 0..W.div_ceil(2) {
                let x = pair * 2;
                out.extend([
                    value(x, y, 0),
                    value(x + 1, y, 0),
                    value(x, y, 1),
                    value(x, y, 2),
                ]);
            }
        }
        return out;
    }
    let mut out = vec![0u16; (W * H * spp) as usize];
    for y in 0..H {
        for x in 0..W {
            let i = (y * W + x) as usize;
            for s in 0..spp {
                let at = if l.planar {
                    s as usize * (W * H) as usize + i
                } else {
                    i * spp as usize + s as usize
                };
                out[at] = value(x, y, s);
            }
        }
    }
    out
}

fn le_bytes(words: &[u16], allocated: u16) -> Vec<u8> {
    if allocated == 8 {
        words.iter().map(|w| *w as u8).collect()
    } else {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }
}

fn put(obj: &mut InMemDicomObject, tag: Tag, vr: VR, value: impl Into<PrimitiveValue>) {
    obj.put(DataElement::new(tag, vr, value.into()));
}

/// Segmented LUT data for a channel: the first entry discrete, the rest as one linear ramp
/// from there to the last entry (exact when the channel is linear, as in these tests).
fn segmented(channel: &[u16]) -> Vec<u16> {
    vec![
        0,
        1,
        channel[0],
        1,
        (channel.len() - 1) as u16,
        *channel.last().unwrap(),
    ]
}

/// A Part 10 file of `l`, native or `syntax` (RLE, JPEG baseline).
fn instance(l: &Layout, syntax: &str) -> Vec<u8> {
    let mut obj = InMemDicomObject::new_empty();
    put(
        &mut obj,
        tags::SOP_CLASS_UID,
        VR::UI,
        uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE,
    );
    put(&mut obj, tags::SOP_INSTANCE_UID, VR::UI, "2.25.1");
    put(&mut obj, tags::MODALITY, VR::CS, "US");
    put(&mut obj, tags::SAMPLES_PER_PIXEL, VR::US, l.samples);
    put(
        &mut obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        l.photometric,
    );
    if l.samples == 3 {
        put(
            &mut obj,
            tags::PLANAR_CONFIGURATION,
            VR::US,
            u16::from(l.planar),
        );
    }
    put(&mut obj, tags::NUMBER_OF_FRAMES, VR::IS, FRAMES.to_string());
    put(&mut obj, tags::ROWS, VR::US, H as u16);
    put(&mut obj, tags::COLUMNS, VR::US, W as u16);
    put(&mut obj, tags::BITS_ALLOCATED, VR::US, l.bits.allocated);
    put(&mut obj, tags::BITS_STORED, VR::US, l.bits.stored);
    put(&mut obj, tags::HIGH_BIT, VR::US, l.bits.high_bit);
    put(
        &mut obj,
        tags::PIXEL_REPRESENTATION,
        VR::US,
        u16::from(l.bits.signed),
    );
    if let Some((entries, seg)) = &l.palette {
        let descriptor = [entries.len() as u16, 0, 16];
        let tables = [
            (
                tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
                tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
                tags::SEGMENTED_RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            ),
            (
                tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
                tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
                tags::SEGMENTED_GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            ),
            (
                tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
                tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
                tags::SEGMENTED_BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            ),
        ];
        for (c, (desc, data, seg_data)) in tables.into_iter().enumerate() {
            put(
                &mut obj,
                desc,
                VR::US,
                PrimitiveValue::U16(descriptor.into_iter().collect()),
            );
            let channel: Vec<u16> = entries.iter().map(|e| e[c]).collect();
            if *seg {
                put(
                    &mut obj,
                    seg_data,
                    VR::OW,
                    PrimitiveValue::U16(segmented(&channel).into()),
                );
            } else {
                put(&mut obj, data, VR::OW, PrimitiveValue::U16(channel.into()));
            }
        }
    }
    let frames: Vec<Vec<u16>> = (0..FRAMES).map(|n| frame_words(l, n)).collect();
    let value: dicom_core::value::Value<InMemDicomObject> = match syntax {
        uids::RLE_LOSSLESS => fragments_value(
            frames
                .iter()
                .map(|f| {
                    let bytes = usize::from(l.bits.allocated / 8);
                    decoded::rle_encode(
                        &le_bytes(f, l.bits.allocated),
                        usize::from(l.samples),
                        bytes,
                    )
                })
                .collect(),
        ),
        uids::JPEG_BASELINE8_BIT => fragments_value(
            frames
                .iter()
                .map(|f| jpeg::encode_jpeg(&le_bytes(f, 8), W, H, l.samples == 3, 95).unwrap())
                .collect(),
        ),
        _ if l.bits.allocated == 16 => {
            PrimitiveValue::U16(frames.concat().into_iter().collect()).into()
        }
        _ => PrimitiveValue::U8(le_bytes(&frames.concat(), 8).into()).into(),
    };
    let vr = if l.bits.allocated == 16 && syntax == uids::EXPLICIT_VR_LITTLE_ENDIAN {
        VR::OW
    } else {
        VR::OB
    };
    obj.put(DataElement::new(tags::PIXEL_DATA, vr, value));
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(syntax))
        .unwrap();
    let mut out = Vec::new();
    file.write_all(&mut out).unwrap();
    out
}

/// The source file with the cleaned pixels and their layout, as the server writes it.
fn rewrite(bytes: &[u8], cleaned: CleanedPixels) -> Vec<u8> {
    let mut obj = dicom_object::OpenFileOptions::new()
        .read_preamble(dicom_object::file::ReadPreamble::Auto)
        .from_reader(bytes)
        .unwrap();
    let l = cleaned.layout;
    let vr = match &cleaned.value {
        DicomValue::Primitive(_) if l.bits_allocated > 8 => VR::OW,
        _ => VR::OB,
    };
    obj.put(DataElement::new(tags::PIXEL_DATA, vr, cleaned.value));
    put(
        &mut obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        cleaned.photometric.as_str(),
    );
    put(
        &mut obj,
        tags::SAMPLES_PER_PIXEL,
        VR::US,
        l.samples_per_pixel,
    );
    put(&mut obj, tags::BITS_ALLOCATED, VR::US, l.bits_allocated);
    put(&mut obj, tags::BITS_STORED, VR::US, l.bits_stored);
    put(&mut obj, tags::HIGH_BIT, VR::US, l.high_bit);
    put(
        &mut obj,
        tags::PIXEL_REPRESENTATION,
        VR::US,
        l.pixel_representation,
    );
    put(
        &mut obj,
        tags::PLANAR_CONFIGURATION,
        VR::US,
        l.planar_configuration,
    );
    let meta = obj.meta_mut();
    meta.transfer_syntax = cleaned.transfer_syntax;
    meta.update_information_group_length();
    let mut out = Vec::new();
    obj.write_all(&mut out).unwrap();
    out
}

/// Sample `c` of pixel `i` as a container word.
fn word(s: &Samples, i: usize, c: usize) -> u16 {
    let spp = usize::from(s.samples_per_pixel);
    let pixels = (W * H) as usize;
    let at = if s.planar {
        c * pixels + i
    } else {
        i * spp + c
    };
    if s.bits_allocated == 16 {
        u16::from_le_bytes([s.data[at * 2], s.data[at * 2 + 1]])
    } else {
        u16::from(s.data[at])
    }
}

/// What a cleaning must show.
struct Expect {
    transfer_syntax: &'static str,
    photometric: &'static str,
    fill: BlackFill,
    /// Kept samples bit-exact (false: compare the displayed colour, for palette to RGB).
    same_samples: bool,
}

/// Cleans `bytes` and checks the result against `expect`; returns the cleaned file.
fn clean_and_check(name: &str, bytes: &[u8], expect: Expect) -> Vec<u8> {
    let before = Clip::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let m = mask();
    let cleaned = clean_pixels(&before, &m).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(cleaned.transfer_syntax, expect.transfer_syntax, "{name}");
    assert_eq!(cleaned.photometric, expect.photometric, "{name}");
    assert_eq!(cleaned.fill, expect.fill, "{name}");
    assert!(
        cleaned.summary().len() <= 64,
        "{name}: {}",
        cleaned.summary()
    );
    let out = rewrite(bytes, cleaned);
    let after = Clip::parse(&out).unwrap_or_else(|e| panic!("{name} cleaned: {e}"));
    let black_rgb = match expect.fill {
        BlackFill::PaletteEntry { rgb, .. } => rgb,
        _ => [0, 0, 0],
    };
    let pair_422 = before.info().photometric == "YBR_FULL_422";
    for n in 0..FRAMES {
        let shown = decode_frame_full_range(&after, n).unwrap();
        after
            .decode_frame(n)
            .unwrap_or_else(|e| panic!("{name}: the viewer cannot decode: {e}"));
        let (a, b) = (
            frame_samples(&before.object, before.info(), n).unwrap(),
            frame_samples(&after.object, after.info(), n).unwrap(),
        );
        let (da, db) = (
            before.decode_frame(n).unwrap(),
            after.decode_frame(n).unwrap(),
        );
        let mut kept = 0;
        for (i, black) in m.black.iter().enumerate() {
            let px = &shown.rgba[i * 4..i * 4 + 3];
            if *black {
                assert_eq!(px, black_rgb, "{name} frame {n} pixel {i} not black");
                continue;
            }
            // A YBR_FULL_422 pair with a masked pixel is black whole.
            let (x, y) = (i as u32 % W, i as u32 / W);
            let partner = (y * W + (x ^ 1)) as usize;
            if pair_422 && (x ^ 1) < W && m.black[partner] {
                assert_eq!(px, [0, 0, 0], "{name}: the pair goes black together");
                continue;
            }
            kept += 1;
            if expect.same_samples {
                for c in 0..usize::from(a.samples_per_pixel) {
                    assert_eq!(word(&a, i, c), word(&b, i, c), "{name} frame {n} pixel {i}");
                }
            } else {
                assert_eq!(
                    da.rgba[i * 4..i * 4 + 4],
                    db.rgba[i * 4..i * 4 + 4],
                    "{name}"
                );
            }
        }
        assert!(kept > 300, "{name}: {kept} kept pixels compared");
    }
    out
}

fn same_layout(ts: &'static str, photometric: &'static str) -> Expect {
    Expect {
        transfer_syntax: ts,
        photometric,
        fill: BlackFill::Samples,
        same_samples: true,
    }
}

#[test]
fn monochrome_at_any_depth_blacks_out_at_the_dark_end_of_its_range() {
    let signed = |mut l: Layout| {
        l.bits.signed = true;
        l
    };
    let cases = [
        ("MONOCHROME2 8", layout("MONOCHROME2", 1, 8, 8)),
        ("MONOCHROME1 8", layout("MONOCHROME1", 1, 8, 8)),
        ("MONOCHROME2 16/12", layout("MONOCHROME2", 1, 16, 12)),
        ("MONOCHROME1 16/12", layout("MONOCHROME1", 1, 16, 12)),
        (
            "MONOCHROME2 16/16 signed",
            signed(layout("MONOCHROME2", 1, 16, 16)),
        ),
        (
            "MONOCHROME2 16/12 signed",
            signed(layout("MONOCHROME2", 1, 16, 12)),
        ),
        (
            "MONOCHROME1 16/10 signed",
            signed(layout("MONOCHROME1", 1, 16, 10)),
        ),
        (
            "MONOCHROME2 16/12 high bit 14",
            Layout {
                bits: Bits {
                    high_bit: 14,
                    ..layout("MONOCHROME2", 1, 16, 12).bits
                },
                ..layout("MONOCHROME2", 1, 16, 12)
            },
        ),
    ];
    for (name, l) in cases {
        let ts = uids::EXPLICIT_VR_LITTLE_ENDIAN;
        clean_and_check(name, &instance(&l, ts), same_layout(ts, l.photometric));
        if l.bits.high_bit + 1 == l.bits.stored {
            let rle = uids::RLE_LOSSLESS;
            clean_and_check(name, &instance(&l, rle), same_layout(rle, l.photometric));
        }
    }
}

#[test]
fn colour_at_8_and_16_bits_interleaved_or_planar_is_cleaned_in_place() {
    let planar = |mut l: Layout| {
        l.planar = true;
        l
    };
    let ts = uids::EXPLICIT_VR_LITTLE_ENDIAN;
    for (name, l) in [
        ("RGB 16", layout("RGB", 3, 16, 16)),
        ("RGB 16/12 planar", planar(layout("RGB", 3, 16, 12))),
        ("RGB 8 planar", planar(layout("RGB", 3, 8, 8))),
        ("YBR_FULL 8", layout("YBR_FULL", 3, 8, 8)),
        ("YBR_FULL 16/10", layout("YBR_FULL", 3, 16, 10)),
        ("YBR_FULL_422 8", layout("YBR_FULL_422", 3, 8, 8)),
    ] {
        clean_and_check(name, &instance(&l, ts), same_layout(ts, l.photometric));
    }
    let rle = uids::RLE_LOSSLESS;
    let l = layout("RGB", 3, 16, 16);
    clean_and_check("RGB 16 RLE", &instance(&l, rle), same_layout(rle, "RGB"));
}

/// A ramp palette of `count` entries from `from` up to white.
fn ramp(count: usize, from: u16) -> Vec<[u16; 3]> {
    (0..count)
        .map(|k| {
            let v = from + ((65535 - u32::from(from)) * k as u32 / (count as u32 - 1)) as u16;
            [v, v, v]
        })
        .collect()
}

#[test]
fn palettes_with_a_black_entry_keep_their_indices() {
    for (name, ts, seg) in [
        ("palette native", uids::EXPLICIT_VR_LITTLE_ENDIAN, false),
        ("palette RLE segmented", uids::RLE_LOSSLESS, true),
    ] {
        let l = Layout {
            palette: Some((ramp(256, 0), seg)),
            ..layout("PALETTE COLOR", 1, 8, 8)
        };
        clean_and_check(
            name,
            &instance(&l, ts),
            Expect {
                transfer_syntax: ts,
                photometric: "PALETTE COLOR",
                fill: BlackFill::PaletteEntry {
                    index: 0,
                    rgb: [0, 0, 0],
                },
                same_samples: true,
            },
        );
    }
    // 16-bit indices, and a darkest entry that is only near black.
    let l = Layout {
        palette: Some((ramp(4096, 6 << 8), false)),
        ..layout("PALETTE COLOR", 1, 16, 12)
    };
    let ts = uids::EXPLICIT_VR_LITTLE_ENDIAN;
    clean_and_check(
        "palette 16/12 near black",
        &instance(&l, ts),
        Expect {
            transfer_syntax: ts,
            photometric: "PALETTE COLOR",
            fill: BlackFill::PaletteEntry {
                index: 0,
                rgb: [6, 6, 6],
            },
            same_samples: true,
        },
    );
}

#[test]
fn palettes_without_a_black_entry_become_rgb() {
    for (name, ts) in [
        ("palette native", uids::EXPLICIT_VR_LITTLE_ENDIAN),
        ("palette RLE", uids::RLE_LOSSLESS),
    ] {
        let l = Layout {
            palette: Some((ramp(256, 40 << 8), false)),
            ..layout("PALETTE COLOR", 1, 8, 8)
        };
        let out = clean_and_check(
            name,
            &instance(&l, ts),
            Expect {
                transfer_syntax: uids::RLE_LOSSLESS,
                photometric: "RGB",
                fill: BlackFill::PaletteToRgb,
                same_samples: false,
            },
        );
        let info = Clip::parse(&out).unwrap().info().clone();
        assert_eq!((info.samples_per_pixel, info.bits_allocated), (3, 8));
    }
}

#[test]
fn greyscale_jpeg_keeps_its_photometric_when_re_encoded() {
    let l = layout("MONOCHROME1", 1, 8, 8);
    let before = instance(&l, uids::JPEG_BASELINE8_BIT);
    let clip = Clip::parse(&before).unwrap();
    let cleaned = clean_pixels(&clip, &mask()).unwrap();
    assert_eq!(cleaned.photometric, "MONOCHROME1");
    assert_eq!(cleaned.reencoding, Reencoding::JpegBaseline);
    assert!(cleaned.reencode_psnr_db.unwrap() > 35.0);
    let after = Clip::parse(&rewrite(&before, cleaned)).unwrap();
    let m = mask();
    for n in 0..FRAMES {
        let shown = decode_frame_full_range(&after, n).unwrap();
        for (i, black) in m.black.iter().enumerate() {
            if *black {
                assert!(shown.rgba[i * 4] <= 48, "frame {n} pixel {i}");
            }
        }
    }
}

/// Runs `gdcmconv` (Debian libgdcm-tools) on `input`; `None` when it is not installed and not
/// required.
fn gdcmconv(input: &[u8], args: &[&str]) -> Option<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("sonohub-clean-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tag = args.join("").replace('-', "");
    let (src, dst) = (
        dir.join(format!("{tag}-in.dcm")),
        dir.join(format!("{tag}-out.dcm")),
    );
    std::fs::write(&src, input).unwrap();
    let run = std::process::Command::new("gdcmconv")
        .args(args)
        .arg(&src)
        .arg(&dst)
        .output();
    let required = std::env::var("SONOHUB_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
    match run {
        Ok(o) if o.status.success() => Some(std::fs::read(&dst).unwrap()),
        other => {
            assert!(!required, "gdcmconv is required: {other:?}");
            eprintln!("note: gdcmconv not available; skipping (apt-get install libgdcm-tools)");
            None
        }
    }
}

#[test]
fn jpeg_2000_lossless_and_lossy_become_rle_without_further_loss() {
    let signed = Layout {
        bits: Bits {
            signed: true,
            ..layout("MONOCHROME2", 1, 16, 12).bits
        },
        ..layout("MONOCHROME2", 1, 16, 12)
    };
    let cases = [
        ("J2K MONOCHROME2 16/12 signed", signed, "MONOCHROME2"),
        (
            "J2K MONOCHROME1 8",
            layout("MONOCHROME1", 1, 8, 8),
            "MONOCHROME1",
        ),
        ("J2K RGB 8", layout("RGB", 3, 8, 8), "RGB"),
    ];
    for (name, l, photometric) in cases {
        let native = instance(&l, uids::EXPLICIT_VR_LITTLE_ENDIAN);
        for (args, syntax) in [
            (&["--j2k"][..], uids::JPEG2000_LOSSLESS),
            (&["--j2k", "--lossy", "-q", "30"][..], uids::JPEG2000),
        ] {
            let Some(j2k) = gdcmconv(&native, args) else {
                return;
            };
            let clip = Clip::parse(&j2k).unwrap();
            assert_eq!(clip.info().transfer_syntax.uid, syntax, "{name}");
            // The kept samples are the decoded JPEG 2000 ones, exactly.
            clean_and_check(
                &format!("{name} {syntax}"),
                &j2k,
                same_layout(uids::RLE_LOSSLESS, photometric),
            );
        }
    }
}
