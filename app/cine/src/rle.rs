//! RLE Lossless (PS3.5 Annex G): one frame's PackBits segments decoded straight into
//! interleaved samples, or for 8-bit colour straight into RGBA, with no plane in between.
//!
//! Every segment is found and checked against the image size before the frame is allocated,
//! so a header claiming a huge image over a few bytes of data fails without allocating.
use super::error::CineError;
use super::info::ClipInfo;

/// The most segments a frame may have (the header has room for 15 offsets).
const MAX_SEGMENTS: usize = 15;

/// The segments of one frame, in order: most significant byte first for each sample in turn.
struct Segments<'a> {
    list: [&'a [u8]; MAX_SEGMENTS],
    count: usize,
}

impl<'a> Segments<'a> {
    /// Reads the header of frame `n` and cuts its data into `expected` segments, each long
    /// enough to hold `pixels` bytes (two bytes of PackBits give at most 128).
    fn read(data: &'a [u8], expected: usize, pixels: usize, n: u32) -> Result<Self, CineError> {
        let word = |i: usize| {
            data.get(i * 4..i * 4 + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                .ok_or_else(|| CineError::truncated("RLE header"))
        };
        let count = word(0)?;
        if count != expected || count > MAX_SEGMENTS {
            return Err(CineError::Decode {
                frame: n,
                reason: format!("RLE has {count} segments, expected {expected}"),
            });
        }
        let mut list = [&[][..]; MAX_SEGMENTS];
        for (s, slot) in list.iter_mut().enumerate().take(count) {
            let start = word(1 + s)?;
            let end = if s + 1 < count {
                word(2 + s)?
            } else {
                data.len()
            };
            let truncated = || CineError::truncated(format!("RLE segment {s} of frame {n}"));
            let segment = data.get(start..end.max(start)).ok_or_else(truncated)?;
            if pixels > segment.len().saturating_mul(64) {
                return Err(truncated());
            }
            *slot = segment;
        }
        Ok(Segments { list, count })
    }

    /// Decodes segment `s` into byte `byte` of every pixel.
    fn unpack<const STRIDE: usize>(
        &self,
        s: usize,
        pixels: &mut [[u8; STRIDE]],
        byte: usize,
        n: u32,
    ) -> Result<(), CineError> {
        let segment = self.list.get(s).copied().unwrap_or_default();
        unpack_bits(segment, pixels, byte)
            .ok_or_else(|| CineError::truncated(format!("RLE segment {s} of frame {n}")))
    }

    /// Decodes every segment into interleaved little-endian samples of `STRIDE` bytes a pixel.
    fn unpack_all<const STRIDE: usize>(
        &self,
        bytes: usize,
        out: &mut [u8],
        n: u32,
    ) -> Result<(), CineError> {
        let pixels = out.as_chunks_mut::<STRIDE>().0;
        for s in 0..self.count {
            let sample = s / bytes;
            let byte = sample * bytes + bytes - 1 - s % bytes;
            self.unpack(s, pixels, byte, n)?;
        }
        Ok(())
    }
}

/// Decodes one RLE Lossless frame into interleaved little-endian samples.
pub(crate) fn decode_rle(data: &[u8], info: &ClipInfo, n: u32) -> Result<Vec<u8>, CineError> {
    let bytes = usize::from(info.bits_allocated / 8);
    let spp = usize::from(info.samples_per_pixel);
    let pixels = info.rows as usize * info.columns as usize;
    let segments = Segments::read(data, bytes * spp, pixels, n)?;
    let mut out = vec![0u8; pixels * spp * bytes];
    match spp * bytes {
        1 => segments.unpack_all::<1>(bytes, &mut out, n)?,
        2 => segments.unpack_all::<2>(bytes, &mut out, n)?,
        3 => segments.unpack_all::<3>(bytes, &mut out, n)?,
        6 => segments.unpack_all::<6>(bytes, &mut out, n)?,
        _ => {
            return Err(CineError::UnsupportedBits {
                bits_allocated: info.bits_allocated,
                samples_per_pixel: info.samples_per_pixel,
            });
        }
    }
    Ok(out)
}

/// Decodes one 8-bit, 3-sample RLE Lossless frame into `rgba` as its samples stand (red,
/// green, blue or Y, Cb, Cr) with opaque alpha, replacing what `rgba` held.
pub(crate) fn decode_rle_rgba_into(
    data: &[u8],
    info: &ClipInfo,
    n: u32,
    rgba: &mut Vec<u8>,
) -> Result<(), CineError> {
    rgba.clear();
    if info.bits_allocated != 8 || info.samples_per_pixel != 3 {
        return Err(CineError::UnsupportedBits {
            bits_allocated: info.bits_allocated,
            samples_per_pixel: info.samples_per_pixel,
        });
    }
    let pixels = info.rows as usize * info.columns as usize;
    let segments = Segments::read(data, 3, pixels, n)?;
    rgba.resize(pixels * 4, 255);
    let result = (0..3).try_for_each(|s| segments.unpack(s, rgba.as_chunks_mut::<4>().0, s, n));
    if result.is_err() {
        rgba.clear();
    }
    result
}

/// PackBits-decodes `segment` into byte `byte` of each of `pixels` in turn until every pixel
/// has one; `None` when the segment ends first. What the last run gives beyond the last pixel
/// is dropped, and a header of -128 is skipped.
fn unpack_bits<const STRIDE: usize>(
    segment: &[u8],
    pixels: &mut [[u8; STRIDE]],
    byte: usize,
) -> Option<()> {
    // Checked once here, so the writes below need no bounds checks.
    if byte >= STRIDE {
        return None;
    }
    let mut left = pixels;
    let mut at = 0usize;
    while !left.is_empty() {
        let header = *segment.get(at)? as i8;
        at += 1;
        match header {
            0..=127 => {
                let count = header as usize + 1;
                let literal = segment.get(at..at + count)?;
                at += count;
                let take = count.min(left.len());
                let (run, rest) = std::mem::take(&mut left).split_at_mut(take);
                for (px, value) in run.iter_mut().zip(literal) {
                    px[byte] = *value;
                }
                left = rest;
            }
            -127..=-1 => {
                let value = *segment.get(at)?;
                at += 1;
                let count = (1 - isize::from(header)) as usize;
                let take = count.min(left.len());
                let (run, rest) = std::mem::take(&mut left).split_at_mut(take);
                for px in run {
                    px[byte] = value;
                }
                left = rest;
            }
            -128 => {}
        }
    }
    Some(())
}

/// PackBits-encodes one segment (pixel cleaning, the synthesiser and tests).
#[cfg(any(feature = "encode", test))]
pub(crate) fn pack_bits(plane: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plane.len() + plane.len() / 64 + 2);
    let mut i = 0;
    while i < plane.len() {
        let mut run = 1;
        while i + run < plane.len() && run < 128 && plane[i + run] == plane[i] {
            run += 1;
        }
        if run >= 2 {
            out.push((1 - run as isize) as i8 as u8);
            out.push(plane[i]);
            i += run;
            continue;
        }
        let start = i;
        while i < plane.len() && i - start < 128 {
            if i + 1 < plane.len() && plane[i + 1] == plane[i] {
                break;
            }
            i += 1;
        }
        if i == start {
            i += 1;
        }
        out.push((i - start - 1) as u8);
        out.extend_from_slice(&plane[start..i]);
    }
    out
}

#[cfg(test)]
mod tests;
