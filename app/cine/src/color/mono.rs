//! Monochrome samples to grey RGBA: modality rescale, then the VOI window (the frame's own
//! minimum to maximum when the clip has none), looked up per stored value rather than
//! computed per pixel.
use super::{MonoParams, Photometric, Samples, sample, stored_value, window_linear};

/// Converts the first sample of each pixel to grey RGBA, appended to `out`.
pub(super) fn to_grey_rgba(s: &Samples, pixels: usize, p: &MonoParams, out: &mut Vec<u8>) {
    let invert = s.photometric == Photometric::Monochrome1;
    let one_per_pixel = s.samples_per_pixel == 1 || s.planar;
    match s.bits_allocated {
        16 if one_per_pixel => {
            let words = s.data.as_chunks::<2>().0.iter().take(pixels);
            let raw = words.map(|b| u32::from(u16::from_le_bytes(*b)));
            grey_rgba(raw, pixels, p, 16, invert, out);
        }
        8 if one_per_pixel => {
            let raw = s.data.iter().take(pixels).map(|v| u32::from(*v));
            grey_rgba(raw, pixels, p, 8, invert, out);
        }
        bits => {
            let raw = (0..pixels).map(|i| sample(s, pixels, i, 0));
            grey_rgba(raw, pixels, p, bits, invert, out);
        }
    }
}

/// Grey RGBA of the `pixels` raw container values `raw`, appended to `out`.
fn grey_rgba(
    raw: impl Iterator<Item = u32> + Clone,
    pixels: usize,
    p: &MonoParams,
    container_bits: u16,
    invert: bool,
    out: &mut Vec<u8>,
) {
    let stored = raw.map(|r| stored_value(r, p, container_bits));
    let Some((min, max)) = stored.clone().fold(None, |range, v| match range {
        None => Some((v, v)),
        Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
    }) else {
        return;
    };
    let value = |v: i64| v as f64 * p.slope + p.intercept;
    let (center, width) = p.window.unwrap_or_else(|| {
        // The rescale is monotonic, so the frame's extreme values come from its extreme
        // stored values, whichever way the slope runs.
        let (a, b) = (value(min), value(max));
        let (lo, hi) = (a.min(b), a.max(b));
        if lo.is_finite() && hi > lo {
            // dcmtk's min-max window, so frames match `dcmj2pnm +Wm` exactly.
            ((lo + hi + 1.0) / 2.0, hi - lo + 1.0)
        } else {
            (lo + 0.5, 1.0)
        }
    });
    let grey = |v: i64| window_linear(value(v), center, width, invert);
    let start = out.len();
    out.resize(start + pixels * 4, 255);
    let rgba = out
        .get_mut(start..)
        .unwrap_or_default()
        .as_chunks_mut::<4>()
        .0;
    // Stored values span at most 2^16: a table of them is cheaper than a window per pixel
    // unless the frame has fewer pixels than values.
    let span = usize::try_from(max - min).unwrap_or(usize::MAX);
    if span < pixels {
        let table: Vec<u8> = (min..=max).map(grey).collect();
        for (px, v) in rgba.iter_mut().zip(stored) {
            let g = table.get((v - min) as usize).copied().unwrap_or_default();
            px[..3].fill(g);
        }
    } else {
        for (px, v) in rgba.iter_mut().zip(stored) {
            px[..3].fill(grey(v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DisplayParams, to_rgba};
    use super::*;

    /// The conversion before the table: every pixel's value in a `Vec<f64>`, then windowed.
    fn reference(s: &Samples, pixels: usize, p: &MonoParams) -> Vec<u8> {
        let values: Vec<f64> = (0..pixels)
            .map(|i| {
                stored_value(sample(s, pixels, i, 0), p, s.bits_allocated) as f64 * p.slope
                    + p.intercept
            })
            .collect();
        let (center, width) = p.window.unwrap_or_else(|| {
            let (lo, hi) = values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                });
            if lo.is_finite() && hi > lo {
                ((lo + hi + 1.0) / 2.0, hi - lo + 1.0)
            } else {
                (lo + 0.5, 1.0)
            }
        });
        let invert = s.photometric == Photometric::Monochrome1;
        values
            .into_iter()
            .flat_map(|v| {
                let grey = window_linear(v, center, width, invert);
                [grey, grey, grey, 255]
            })
            .collect()
    }

    fn samples(data: Vec<u8>, bits_allocated: u16, photometric: Photometric) -> Samples<'static> {
        Samples {
            data: data.into(),
            bits_allocated,
            samples_per_pixel: 1,
            planar: false,
            photometric,
        }
    }

    fn params(bits_stored: u16, signed: bool, slope: f64, intercept: f64) -> DisplayParams {
        DisplayParams {
            mono: MonoParams {
                bits_stored,
                high_bit: bits_stored - 1,
                signed,
                slope,
                intercept,
                window: None,
            },
            palette: None,
        }
    }

    /// Samples whose values wander over `limit` with long flat stretches.
    fn spread(count: usize, limit: u32) -> Vec<u32> {
        (0..count as u32)
            .map(|i| (i / 3).wrapping_mul(2_654_435_761) % limit)
            .collect()
    }

    fn assert_like_reference(s: &Samples, width: u32, height: u32, params: &DisplayParams) {
        let pixels = (width * height) as usize;
        let expected = reference(s, pixels, &params.mono);
        let mut out = vec![1, 2, 3];
        super::super::to_rgba_into(s, width, height, params, &mut out).expect("converts");
        assert_eq!(out, expected);
        assert_eq!(to_rgba(s, width, height, params), Ok(expected));
    }

    #[test]
    fn grey_is_the_per_pixel_window_for_every_layout() {
        let words = |values: &[u32]| -> Vec<u8> {
            values
                .iter()
                .flat_map(|v| (*v as u16).to_le_bytes())
                .collect()
        };
        let bytes = |values: &[u32]| -> Vec<u8> { values.iter().map(|v| *v as u8).collect() };
        let mono2 = Photometric::Monochrome2;
        let cases = [
            // 12 bits stored in 16, min/max window, more pixels than values.
            (
                samples(words(&spread(4096, 4096)), 16, mono2.clone()),
                params(12, false, 1.0, 0.0),
            ),
            // Signed, with a negative slope and an intercept: the extremes swap.
            (
                samples(words(&spread(4096, 65_536)), 16, mono2.clone()),
                params(16, true, -2.5, 1024.0),
            ),
            // Fewer pixels than values: windowed pixel by pixel.
            (
                samples(words(&spread(60, 65_536)), 16, mono2.clone()),
                params(16, false, 1.0, -3.0),
            ),
            // MONOCHROME1 runs the other way.
            (
                samples(words(&spread(4096, 4096)), 16, Photometric::Monochrome1),
                params(12, false, 1.0, 0.0),
            ),
            // 8 bits, signed, and a flat frame.
            (
                samples(bytes(&spread(4096, 256)), 8, mono2.clone()),
                params(8, true, 1.0, 0.0),
            ),
            (
                samples(vec![77; 4096], 8, mono2.clone()),
                params(8, false, 0.5, 0.25),
            ),
        ];
        for (s, params) in cases {
            let height = (s.data.len() / usize::from(s.bits_allocated / 8) / 4) as u32;
            assert_like_reference(&s, 4, height, &params);
            let windowed = DisplayParams {
                mono: MonoParams {
                    window: Some((300.0, 801.0)),
                    ..params.mono.clone()
                },
                ..params
            };
            assert_like_reference(&s, 4, height, &windowed);
        }
    }

    #[test]
    fn grey_reads_the_first_of_several_samples_as_before() {
        let s = Samples {
            samples_per_pixel: 3,
            ..samples(
                spread(300, 256).iter().map(|v| *v as u8).collect(),
                8,
                Photometric::Monochrome2,
            )
        };
        assert_like_reference(&s, 10, 10, &params(8, false, 1.0, 0.0));
    }
}
