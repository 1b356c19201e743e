//! Native clips read in place give exactly the RGBA of `Clip::decode_frame`, layout by layout,
//! and refuse what it refuses with the same errors.
use super::*;
use crate::Clip;
use crate::synth::{SynthOptions, SynthSyntax, synth_clip};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

/// An odd width, so YBR_FULL_422's last pair is cut in half.
const W: u32 = 19;
const H: u32 = 16;

fn synth(frames: u32, syntax: SynthSyntax) -> Vec<u8> {
    synth_clip(&SynthOptions {
        width: W,
        height: H,
        frames,
        syntax,
        ..SynthOptions::default()
    })
    .expect("synthesises")
}

/// Every frame read in place equals `Clip::decode_frame`'s, through both entry points, and
/// the clips describe themselves alike.
fn assert_same_frames(bytes: &[u8]) -> NativeClip<&[u8]> {
    let clip = Clip::parse(bytes).expect("parses");
    let native = NativeClip::parse(bytes)
        .expect("parses")
        .expect("read in place");
    assert_eq!(native.info(), clip.info());
    let mut reused = vec![7; 3];
    for n in 0..clip.info().frames {
        let expected = clip.decode_frame(n).expect("decodes");
        assert_eq!(
            native.decode_frame(n).expect("converts"),
            expected,
            "frame {n}"
        );
        native.decode_frame_into(n, &mut reused).expect("converts");
        assert_eq!(reused, expected.rgba, "frame {n} into a reused buffer");
    }
    native
}

fn put(obj: &mut InMemDicomObject, tag: Tag, vr: VR, value: impl Into<PrimitiveValue>) {
    obj.put(DataElement::new(tag, vr, value.into()));
}

/// The pixel layout a test writes over the synthetic clip's.
struct Layout {
    photometric: &'static str,
    samples_per_pixel: u16,
    bits_allocated: u16,
    bits_stored: u16,
    signed: bool,
    planar: bool,
    frames: u32,
}

impl Layout {
    fn new(photometric: &'static str, samples_per_pixel: u16, bits_allocated: u16) -> Layout {
        Layout {
            photometric,
            samples_per_pixel,
            bits_allocated,
            bits_stored: bits_allocated,
            signed: false,
            planar: false,
            frames: 2,
        }
    }

    /// How many samples all frames hold (YBR_FULL_422: four per pixel pair).
    fn sample_count(&self) -> usize {
        let per_frame = if self.photometric == "YBR_FULL_422" {
            H as usize * W.div_ceil(2) as usize * 4
        } else {
            (W * H) as usize * usize::from(self.samples_per_pixel)
        };
        per_frame * self.frames as usize
    }
}

/// A spread of sample values below `limit`, different in every frame.
fn pattern(count: usize, limit: u32) -> Vec<u16> {
    (0..count as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 9) % limit)
        .map(|v| v as u16)
        .collect()
}

/// The synthetic clip rewritten in transfer syntax `syntax` with `layout` and `samples` (in
/// storage order, every frame), then `edit` (windows, rescale).
fn rewritten(
    syntax: &str,
    layout: &Layout,
    samples: &[u16],
    edit: impl FnOnce(&mut InMemDicomObject),
) -> Vec<u8> {
    let mut obj = Clip::parse(&synth(1, SynthSyntax::Rgb))
        .expect("parses")
        .into_object()
        .into_inner();
    let l = layout;
    put(
        &mut obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        l.photometric,
    );
    put(
        &mut obj,
        tags::SAMPLES_PER_PIXEL,
        VR::US,
        l.samples_per_pixel,
    );
    put(
        &mut obj,
        tags::PLANAR_CONFIGURATION,
        VR::US,
        u16::from(l.planar),
    );
    put(&mut obj, tags::BITS_ALLOCATED, VR::US, l.bits_allocated);
    put(&mut obj, tags::BITS_STORED, VR::US, l.bits_stored);
    put(&mut obj, tags::HIGH_BIT, VR::US, l.bits_stored - 1);
    put(
        &mut obj,
        tags::PIXEL_REPRESENTATION,
        VR::US,
        u16::from(l.signed),
    );
    put(
        &mut obj,
        tags::NUMBER_OF_FRAMES,
        VR::IS,
        l.frames.to_string(),
    );
    let pixels = if l.bits_allocated == 16 {
        (
            VR::OW,
            PrimitiveValue::U16(samples.iter().copied().collect()),
        )
    } else {
        let mut bytes: Vec<u8> = samples.iter().map(|s| *s as u8).collect();
        if bytes.len() % 2 == 1 {
            bytes.push(0);
        }
        (VR::OB, PrimitiveValue::U8(bytes.into()))
    };
    put(&mut obj, tags::PIXEL_DATA, pixels.0, pixels.1);
    edit(&mut obj);
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(syntax))
        .expect("meta group");
    let mut out = Vec::new();
    file.write_all(&mut out).expect("writes");
    out
}

fn window(obj: &mut InMemDicomObject, center: &str, width: &str) {
    put(obj, tags::WINDOW_CENTER, VR::DS, center);
    put(obj, tags::WINDOW_WIDTH, VR::DS, width);
}

const EXPLICIT: &str = uids::EXPLICIT_VR_LITTLE_ENDIAN;
const IMPLICIT: &str = uids::IMPLICIT_VR_LITTLE_ENDIAN;

#[test]
fn rgb_interleaved_is_read_in_place() {
    let bytes = synth(3, SynthSyntax::Rgb);
    let native = assert_same_frames(&bytes);
    assert_eq!(native.info().frames, 3);
}

#[test]
fn rgb_planar_is_interleaved_on_the_way() {
    let layout = Layout {
        planar: true,
        ..Layout::new("RGB", 3, 8)
    };
    let samples = pattern(layout.sample_count(), 256);
    let bytes = rewritten(EXPLICIT, &layout, &samples, |_| {});
    let native = assert_same_frames(&bytes);
    // Pixel 0 of frame 1 takes its red, green and blue from the three planes.
    let plane = (W * H) as usize;
    let frame = 3 * plane;
    let first = native.decode_frame(1).expect("converts").rgba;
    let rgb = [0, 1, 2].map(|c| samples[frame + c * plane] as u8);
    assert_eq!(first[..4], [rgb[0], rgb[1], rgb[2], 255]);
}

#[test]
fn monochrome2_8_bit_with_a_window() {
    let layout = Layout::new("MONOCHROME2", 1, 8);
    let mut samples = pattern(layout.sample_count(), 256);
    samples[0] = 0;
    samples[1] = 255;
    let bytes = rewritten(EXPLICIT, &layout, &samples, |obj| window(obj, "100", "50"));
    let native = assert_same_frames(&bytes);
    let first = native.decode_frame(0).expect("converts").rgba;
    assert_eq!([first[0], first[4]], [0, 255], "the window's ends");
}

#[test]
fn monochrome2_16_bit_signed_rescaled_and_windowed_in_implicit_vr() {
    let layout = Layout {
        bits_stored: 12,
        signed: true,
        ..Layout::new("MONOCHROME2", 1, 16)
    };
    // Bits above the high bit are set on some samples: they must be ignored alike.
    let samples: Vec<u16> = pattern(layout.sample_count(), 1 << 16);
    let bytes = rewritten(IMPLICIT, &layout, &samples, |obj| {
        window(obj, "-40", "900");
        put(obj, tags::RESCALE_SLOPE, VR::DS, "2");
        put(obj, tags::RESCALE_INTERCEPT, VR::DS, "-10");
    });
    let native = assert_same_frames(&bytes);
    let first = native.decode_frame(0).expect("converts").rgba;
    assert!(first.chunks_exact(4).any(|px| px[0] == 0));
    assert!(first.chunks_exact(4).any(|px| px[0] == 255));
}

#[test]
fn monochrome1_16_bit_without_a_window_spans_its_range_inverted() {
    let layout = Layout::new("MONOCHROME1", 1, 16);
    let mut samples = pattern(layout.sample_count(), 4000);
    samples[0] = 0;
    let bytes = rewritten(EXPLICIT, &layout, &samples, |_| {});
    let native = assert_same_frames(&bytes);
    let first = native.decode_frame(0).expect("converts").rgba;
    assert_eq!(first[0], 255, "the lowest value is white in MONOCHROME1");
}

#[test]
fn ybr_full_and_ybr_full_422_become_rgb() {
    for photometric in ["YBR_FULL", "YBR_FULL_422"] {
        let layout = Layout::new(photometric, 3, 8);
        let mut samples = pattern(layout.sample_count(), 256);
        // The first pixel (pair) is mid grey: Y 128, Cb 128, Cr 128.
        samples[..4].copy_from_slice(&[128; 4]);
        let bytes = rewritten(EXPLICIT, &layout, &samples, |_| {});
        let native = assert_same_frames(&bytes);
        let first = native.decode_frame(0).expect("converts").rgba;
        assert_eq!(first[..4], [128, 128, 128, 255], "{photometric}");
    }
}

#[test]
fn the_last_frame_of_a_long_clip_is_its_own() {
    let bytes = synth(7, SynthSyntax::Rgb);
    let clip = Clip::parse(&bytes).expect("parses");
    let native = NativeClip::parse(bytes.as_slice())
        .expect("parses")
        .expect("read in place");
    let last = native.decode_frame(6).expect("converts");
    assert_eq!(last, clip.decode_frame(6).expect("decodes"));
    assert_ne!(last, native.decode_frame(0).expect("converts"));
    assert_eq!(native.decode_frame(7), clip.decode_frame(7));
    assert!(matches!(
        native.decode_frame(7),
        Err(CineError::FrameOutOfRange {
            frame: 7,
            frames: 7
        })
    ));
}

#[test]
fn truncated_pixel_data_is_refused_as_clip_refuses_it() {
    // The file ends inside Pixel Data: refused when parsed, with the same error.
    let whole = synth(3, SynthSyntax::Rgb);
    let cut = &whole[..whole.len() - 100];
    let refused = Clip::parse(cut).expect_err("refused");
    assert!(matches!(refused, CineError::Truncated { .. }), "{refused}");
    assert_eq!(NativeClip::parse(cut).expect_err("refused"), refused);

    // Pixel Data is whole but holds fewer frames than the header says: the frames it holds
    // show, the missing one is refused with the same error.
    let layout = Layout {
        frames: 3,
        ..Layout::new("RGB", 3, 8)
    };
    let two_frames = pattern(layout.sample_count() * 2 / 3, 256);
    let bytes = rewritten(EXPLICIT, &layout, &two_frames, |_| {});
    let clip = Clip::parse(&bytes).expect("parses");
    let native = NativeClip::parse(bytes.as_slice())
        .expect("parses")
        .expect("read in place");
    for n in 0..2 {
        assert_eq!(native.decode_frame(n), clip.decode_frame(n));
    }
    let missing = clip.decode_frame(2).expect_err("refused");
    assert!(matches!(missing, CineError::Truncated { .. }), "{missing}");
    assert_eq!(native.decode_frame(2).expect_err("refused"), missing);
}

#[test]
fn compressed_clips_and_other_files_are_left_to_clip() {
    for syntax in [SynthSyntax::Rle, SynthSyntax::Jpeg] {
        let bytes = synth(2, syntax);
        assert!(
            NativeClip::parse(bytes.as_slice())
                .expect("parses")
                .is_none()
        );
    }
    assert_eq!(
        NativeClip::parse(b"not a clip".as_slice()).expect_err("refused"),
        CineError::NotDicom
    );
    // Shared bytes stay shared: the clip holds another handle on the same buffer.
    let shared = std::sync::Arc::new(synth(2, SynthSyntax::Rgb));
    let native = NativeClip::parse(shared.clone())
        .expect("parses")
        .expect("read in place");
    assert_eq!(std::sync::Arc::strong_count(&shared), 2);
    assert_eq!(
        native.decode_frame(1),
        Clip::parse(&shared).expect("parses").decode_frame(1)
    );
}
