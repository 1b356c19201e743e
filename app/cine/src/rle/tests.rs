//! The RLE decoders give what the first decoder gave (each segment into a plane of its own,
//! then interleaved), kept here as the reference: the same bytes from good frames, the same
//! errors from bad ones.
use super::*;
use crate::Clip;
use crate::synth::{SynthOptions, SynthSyntax, synth_clip};

/// The decoder before planes were dropped: PackBits into a `Vec` per segment.
mod reference {
    use crate::error::CineError;

    pub fn decode(
        data: &[u8],
        bytes: usize,
        spp: usize,
        pixels: usize,
        n: u32,
    ) -> Result<Vec<u8>, CineError> {
        let bad = |reason: String| CineError::Decode { frame: n, reason };
        let word = |i: usize| {
            data.get(i * 4..i * 4 + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        let segments = word(0).ok_or_else(|| CineError::truncated("RLE header"))?;
        if segments != bytes * spp || segments > 15 {
            return Err(bad(format!(
                "RLE has {segments} segments, expected {}",
                bytes * spp
            )));
        }
        let mut planes = Vec::with_capacity(segments);
        for s in 0..segments {
            let start = word(1 + s).ok_or_else(|| CineError::truncated("RLE header"))?;
            let end = if s + 1 < segments {
                word(2 + s).ok_or_else(|| CineError::truncated("RLE header"))?
            } else {
                data.len()
            };
            let segment = data
                .get(start..end.max(start))
                .ok_or_else(|| CineError::truncated(format!("RLE segment {s} of frame {n}")))?;
            planes
                .push(unpack_bits(segment, pixels).ok_or_else(|| {
                    CineError::truncated(format!("RLE segment {s} of frame {n}"))
                })?);
        }
        let mut out = vec![0u8; pixels * spp * bytes];
        for (s, plane) in planes.into_iter().enumerate() {
            let sample = s / bytes;
            let byte = bytes - 1 - s % bytes;
            for (i, v) in plane.into_iter().enumerate() {
                if let Some(slot) = out.get_mut((i * spp + sample) * bytes + byte) {
                    *slot = v;
                }
            }
        }
        Ok(out)
    }

    pub fn unpack_bits(segment: &[u8], len: usize) -> Option<Vec<u8>> {
        if len > segment.len().saturating_mul(64) {
            return None;
        }
        let mut out = Vec::with_capacity(len);
        let mut at = 0usize;
        while out.len() < len {
            let header = *segment.get(at)? as i8;
            at += 1;
            match header {
                0..=127 => {
                    let count = header as usize + 1;
                    out.extend_from_slice(segment.get(at..at + count)?);
                    at += count;
                }
                -127..=-1 => {
                    let value = *segment.get(at)?;
                    at += 1;
                    out.resize(out.len() + (1 - isize::from(header)) as usize, value);
                }
                -128 => {}
            }
        }
        out.truncate(len);
        Some(out)
    }
}

/// A small RLE clip's description, resized and relaid for a test.
fn info(columns: u32, rows: u32, bits_allocated: u16, samples_per_pixel: u16) -> ClipInfo {
    let bytes = synth_clip(&SynthOptions {
        width: 16,
        height: 16,
        frames: 1,
        syntax: SynthSyntax::Rle,
        ..SynthOptions::default()
    })
    .expect("synthesises");
    let mut info = Clip::parse(&bytes).expect("parses").info().clone();
    info.columns = columns;
    info.rows = rows;
    info.bits_allocated = bits_allocated;
    info.bits_stored = bits_allocated;
    info.samples_per_pixel = samples_per_pixel;
    info
}

/// A frame of the segments given as they are (odd lengths and all), after a 64-byte header.
fn frame(segments: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(&(segments.len() as u32).to_le_bytes());
    let mut at = 64u32;
    for (s, segment) in segments.iter().enumerate() {
        out[4 + 4 * s..8 + 4 * s].copy_from_slice(&at.to_le_bytes());
        at += segment.len() as u32;
    }
    out.extend(segments.concat());
    out
}

/// A frame of `samples` (interleaved, little endian), each segment PackBits-encoded.
fn encode(samples: &[u8], spp: usize, bytes: usize) -> Vec<u8> {
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
            pack_bits(&plane)
        })
        .collect();
    frame(&segments)
}

/// Sample bytes with both runs and noise: flat stretches the width of a few pixels between
/// stretches where every byte differs from the last.
fn speckle(len: usize) -> Vec<u8> {
    (0..len as u32)
        .map(|i| {
            if (i / 37) % 3 == 0 {
                (i / 37) as u8
            } else {
                (i.wrapping_mul(2_654_435_761) >> 13) as u8
            }
        })
        .collect()
}

/// Both decoders agree with the reference on `data`, for good frames and bad.
fn assert_like_reference(data: &[u8], info: &ClipInfo) -> Result<Vec<u8>, CineError> {
    let bytes = usize::from(info.bits_allocated / 8);
    let spp = usize::from(info.samples_per_pixel);
    let pixels = (info.columns * info.rows) as usize;
    let expected = reference::decode(data, bytes, spp, pixels, 4);
    let decoded = decode_rle(data, info, 4);
    assert_eq!(decoded, expected);
    if bytes == 1 && spp == 3 {
        let mut rgba = vec![1, 2, 3];
        let direct = decode_rle_rgba_into(data, info, 4, &mut rgba).map(|()| rgba);
        let via_samples = expected.clone().map(|samples| {
            samples
                .chunks_exact(3)
                .flat_map(|px| [px[0], px[1], px[2], 255])
                .collect::<Vec<u8>>()
        });
        assert_eq!(direct, via_samples);
    }
    expected
}

#[test]
fn rgb_8_bit_with_an_odd_width_is_the_reference() {
    let info = info(13, 7, 8, 3);
    let samples = speckle(13 * 7 * 3);
    let decoded = assert_like_reference(&encode(&samples, 3, 1), &info);
    assert_eq!(decoded, Ok(samples));
}

#[test]
fn monochrome_8_bit_is_the_reference() {
    let info = info(31, 9, 8, 1);
    let samples = speckle(31 * 9);
    let decoded = assert_like_reference(&encode(&samples, 1, 1), &info);
    assert_eq!(decoded, Ok(samples));
}

#[test]
fn signed_16_bit_runs_most_significant_byte_first() {
    let info = info(11, 5, 16, 1);
    let values: Vec<i16> = (0..55).map(|i| (i % 9 - 4) * 1000 + i).collect();
    let samples: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let data = encode(&samples, 1, 2);
    // The first segment holds the high bytes.
    let high = reference::unpack_bits(&data[64..], 55).expect("segment 0");
    assert_eq!(high[0], values[0].to_be_bytes()[0]);
    let decoded = assert_like_reference(&data, &info);
    assert_eq!(decoded, Ok(samples));
}

#[test]
fn rgb_16_bit_is_the_reference() {
    let info = info(9, 3, 16, 3);
    let samples = speckle(9 * 3 * 6);
    let decoded = assert_like_reference(&encode(&samples, 3, 2), &info);
    assert_eq!(decoded, Ok(samples));
}

#[test]
fn runs_cross_row_ends_and_overshoot_the_last_pixel() {
    // 3×3: a literal of 5 runs across the first row's end, a repeat of 3 across the second's,
    // and the last repeat gives 128 where one pixel is left.
    let info = info(3, 3, 8, 1);
    let segment = vec![4, 1, 2, 3, 4, 5, (-2i8) as u8, 9, (-127i8) as u8, 7];
    let decoded = assert_like_reference(&frame(&[segment]), &info);
    assert_eq!(decoded, Ok(vec![1, 2, 3, 4, 5, 9, 9, 9, 7]));
    // A literal longer than what is left is cut at the last pixel too.
    let segment = vec![(-5i8) as u8, 1, 6, 10, 11, 12, 13, 14, 15, 16];
    let decoded = assert_like_reference(&frame(&[segment]), &info);
    assert_eq!(decoded, Ok(vec![1, 1, 1, 1, 1, 1, 10, 11, 12]));
}

#[test]
fn minus_128_headers_are_skipped_and_odd_segments_read() {
    let info = info(5, 1, 8, 3);
    // Odd lengths and no padding: each segment starts where the last one ends.
    let red = vec![0x80, 2, 10, 20, 30, 0x80, (-1i8) as u8, 40];
    let green = vec![(-4i8) as u8, 50, 0x80];
    let blue = vec![0x80, 0x80, 4, 1, 2, 3, 4, 5];
    let decoded = assert_like_reference(&frame(&[red, green, blue]), &info);
    let expected = [
        [10, 50, 1],
        [20, 50, 2],
        [30, 50, 3],
        [40, 50, 4],
        [40, 50, 5],
    ];
    assert_eq!(decoded, Ok(expected.concat()));
}

#[test]
fn truncated_frames_fail_as_before() {
    let info = info(13, 7, 8, 3);
    let data = encode(&speckle(13 * 7 * 3), 3, 1);
    let segment_1 = u32::from_le_bytes([data[8], data[9], data[10], data[11]]) as usize;
    // Cut inside each segment, inside the header, and before the data.
    for len in [
        data.len() - 1,
        data.len() - 40,
        segment_1 + 3,
        segment_1 - 2,
        70,
        30,
        2,
    ] {
        let result = assert_like_reference(&data[..len], &info);
        assert!(
            matches!(result, Err(CineError::Truncated { .. })),
            "{len}: {result:?}"
        );
    }
    // A literal whose end is past the last pixel is still cut short.
    let info = super::tests::info(3, 1, 8, 1);
    let result = assert_like_reference(&frame(&[vec![5, 1, 2, 3, 4]]), &info);
    assert!(matches!(result, Err(CineError::Truncated { .. })));
    // Offsets past the data, or running backwards.
    let mut backwards = frame(&[vec![2, 1, 2, 3], vec![2, 1, 2, 3], vec![2, 1, 2, 3]]);
    backwards[8..12].copy_from_slice(&500u32.to_le_bytes());
    let result = assert_like_reference(&backwards, &info);
    assert!(matches!(result, Err(CineError::Decode { .. })));
    let info = super::tests::info(3, 1, 8, 3);
    let result = assert_like_reference(&backwards, &info);
    assert!(matches!(result, Err(CineError::Truncated { .. })));
}

#[test]
fn segment_counts_must_match_the_layout() {
    let info = info(4, 2, 8, 3);
    let segments = vec![vec![(-7i8) as u8, 1]; 3];
    for count in [0u32, 1, 2, 4, 15, 16, u32::MAX] {
        let mut data = frame(&segments);
        data[..4].copy_from_slice(&count.to_le_bytes());
        let result = assert_like_reference(&data, &info);
        assert!(matches!(result, Err(CineError::Decode { .. })), "{count}");
    }
    assert!(assert_like_reference(&frame(&segments), &info).is_ok());
}

#[test]
fn a_huge_image_over_a_few_bytes_fails_before_allocating() {
    // 4 gigapixels: allocating the frame first would take 12 GB (24 GB at 16 bits).
    for (bits, spp) in [(8, 3), (16, 3), (8, 1)] {
        let info = info(65_535, 65_535, bits, spp);
        let segments = usize::from(bits / 8 * spp);
        let data = frame(&vec![vec![(-127i8) as u8, 0]; segments]);
        let result = assert_like_reference(&data, &info);
        assert!(
            matches!(result, Err(CineError::Truncated { .. })),
            "{result:?}"
        );
    }
}

#[test]
fn colour_clips_decode_straight_to_rgba_as_through_samples() {
    let bytes = synth_clip(&SynthOptions {
        width: 33,
        height: 21,
        frames: 2,
        syntax: SynthSyntax::Rle,
        ..SynthOptions::default()
    })
    .expect("synthesises");
    let clip = Clip::parse(&bytes).expect("parses");
    for photometric in ["RGB", "YBR_FULL"] {
        let mut info = clip.info().clone();
        info.photometric = photometric.into();
        let mut reused = vec![9; 5];
        for n in 0..info.frames {
            let samples = crate::codec::frame_samples(&clip.object, &info, n).expect("decodes");
            let expected = crate::color::to_rgba(&samples, 33, 21, &clip.display).expect("rgba");
            let direct = crate::codec::rle_rgba_into(&clip.object, &info, n, &mut reused);
            assert_eq!(direct, Ok(true));
            assert_eq!(reused, expected, "{photometric} frame {n}");
        }
    }
    assert_eq!(
        clip.decode_frame(1).expect("decodes").rgba,
        crate::color::to_rgba(
            &crate::codec::frame_samples(&clip.object, clip.info(), 1).expect("decodes"),
            33,
            21,
            &clip.display
        )
        .expect("rgba")
    );
}
