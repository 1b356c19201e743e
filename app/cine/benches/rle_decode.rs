//! RLE Lossless frames to RGBA natively, as the viewer decodes them: every frame of a
//! 640×480×100 clip through `Clip::decode_frame`, in 8-bit RGB (the synthetic clip `make bench`
//! plays in the browser) and 16-bit MONOCHROME2 (12 bits stored, min/max window). The peer
//! is the same RGB frames stored uncompressed and converted in place: the conversion alone,
//! the floor an RLE decode can approach.
//!
//! `cargo bench -p sonohub-cine --bench rle_decode` prints the median and fastest of the runs.
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use cine::{Clip, NativeClip};
use dicom_core::value::{PixelFragmentSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::FileMetaTableBuilder;
use std::time::Instant;

const RUNS: usize = 9;
const FRAMES: u32 = 100;

fn options(syntax: SynthSyntax) -> SynthOptions {
    SynthOptions {
        width: 640,
        height: 480,
        frames: FRAMES,
        syntax,
        ..SynthOptions::default()
    }
}

/// PackBits (PS3.5 G.3.1): runs of two or more as a repeat, everything else as literals.
fn pack_bits(plane: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < plane.len() {
        let run = plane[i..]
            .iter()
            .take(128)
            .take_while(|v| **v == plane[i])
            .count();
        if run >= 2 {
            out.extend([(1 - run as i32) as u8, plane[i]]);
            i += run;
            continue;
        }
        let start = i;
        while i < plane.len() && i - start < 128 && plane.get(i + 1) != Some(&plane[i]) {
            i += 1;
        }
        let end = i.max(start + 1);
        out.push((end - start - 1) as u8);
        out.extend_from_slice(&plane[start..end]);
        i = end;
    }
    if out.len() % 2 == 1 {
        out.push(0x80);
    }
    out
}

/// One RLE frame of 16-bit samples: the high bytes' segment, then the low bytes'.
fn rle_16(samples: &[u16]) -> Vec<u8> {
    let high: Vec<u8> = samples.iter().map(|s| (s >> 8) as u8).collect();
    let low: Vec<u8> = samples.iter().map(|s| *s as u8).collect();
    let (high, low) = (pack_bits(&high), pack_bits(&low));
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(&2u32.to_le_bytes());
    out[4..8].copy_from_slice(&64u32.to_le_bytes());
    out[8..12].copy_from_slice(&(64 + high.len() as u32).to_le_bytes());
    out.extend(high);
    out.extend(low);
    out
}

/// The synthetic RLE clip rewritten as 12-bit MONOCHROME2 in 16-bit samples: its grey
/// scaled up, with the low bits varying like detector noise.
fn monochrome_16(rgb_rle: &[u8]) -> Vec<u8> {
    let clip = Clip::parse(rgb_rle).expect("parses");
    let fragments: Vec<Vec<u8>> = (0..FRAMES)
        .map(|n| {
            let rgba = clip.decode_frame(n).expect("decodes").rgba;
            let samples: Vec<u16> = rgba
                .chunks_exact(4)
                .enumerate()
                .map(|(i, px)| (u16::from(px[0]) << 4) | ((i * 7 + n as usize) % 16) as u16)
                .collect();
            rle_16(&samples)
        })
        .collect();
    let mut obj = clip.into_object().into_inner();
    let mut put = |tag: Tag, vr: VR, value: PrimitiveValue| {
        obj.put(DataElement::new(tag, vr, value));
    };
    put(
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        "MONOCHROME2".into(),
    );
    put(tags::SAMPLES_PER_PIXEL, VR::US, 1u16.into());
    put(tags::BITS_ALLOCATED, VR::US, 16u16.into());
    put(tags::BITS_STORED, VR::US, 12u16.into());
    put(tags::HIGH_BIT, VR::US, 11u16.into());
    let mut offsets = Vec::new();
    let mut at = 0u32;
    for f in &fragments {
        offsets.push(at);
        at += 8 + f.len() as u32;
    }
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        Value::PixelSequence(PixelFragmentSequence::new(offsets, fragments)),
    ));
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(uids::RLE_LOSSLESS))
        .expect("meta group");
    let mut out = Vec::new();
    file.write_all(&mut out).expect("writes");
    out
}

/// Milliseconds for each of `RUNS` passes of `decode_all`, after one warm-up pass.
fn time(mut decode_all: impl FnMut() -> usize) -> Vec<f64> {
    let bytes = decode_all();
    assert_eq!(bytes, 640 * 480 * 4 * FRAMES as usize);
    let mut runs: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(decode_all());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs
}

fn report(name: &str, runs: &[f64]) {
    println!(
        "{name:<44} median {:>7.1} ms  fastest {:>7.1} ms  ({RUNS} runs, {FRAMES} frames to RGBA)",
        runs[runs.len() / 2],
        runs[0]
    );
}

fn decoded(clip: &Clip) -> usize {
    (0..FRAMES)
        .map(|n| clip.decode_frame(n).expect("decodes").rgba.len())
        .sum()
}

fn main() {
    let rle = synth_clip(&options(SynthSyntax::Rle)).expect("synthesises");
    let rgb = Clip::parse(&rle).expect("parses");
    report("RLE RGB 8-bit 640×480", &time(|| decoded(&rgb)));

    let mono = Clip::parse(&monochrome_16(&rle)).expect("parses");
    report("RLE MONOCHROME2 16-bit 640×480", &time(|| decoded(&mono)));

    let native = synth_clip(&options(SynthSyntax::Rgb)).expect("synthesises");
    let native = NativeClip::parse(native.as_slice())
        .expect("parses")
        .expect("read in place");
    let mut rgba = Vec::new();
    let converted = || {
        (0..FRAMES)
            .map(|n| {
                native.decode_frame_into(n, &mut rgba).expect("converts");
                rgba.len()
            })
            .sum()
    };
    report(
        "peer: uncompressed RGB converted in place",
        &time(converted),
    );
}
