//! From decoded samples to displayed RGBA: YBR to RGB, palette lookup, modality rescale and
//! VOI window for monochrome, planar and 16-bit layouts.
use super::codec::Samples;
use super::error::CineError;
use super::info::{ClipInfo, Photometric, floats, int};
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

/// How monochrome samples become grey levels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MonoParams {
    pub bits_stored: u16,
    pub high_bit: u16,
    pub signed: bool,
    pub slope: f64,
    pub intercept: f64,
    /// Window Center and Width (the first pair); min/max of the frame when absent.
    pub window: Option<(f64, f64)>,
}

/// A PALETTE COLOR lookup table, expanded to 8-bit RGB.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Palette {
    pub first_mapped: i64,
    pub entries: Vec<[u8; 3]>,
}

/// What display needs beyond the samples, read once per clip.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DisplayParams {
    pub mono: MonoParams,
    pub palette: Option<Result<Palette, CineError>>,
}

impl DisplayParams {
    pub(crate) fn read(ds: &InMemDicomObject, info: &ClipInfo) -> Self {
        let bits_stored = info.bits_stored;
        let first = |tag: Tag| floats(ds, tag).and_then(|v| v.first().copied());
        let window = info.voi_window.map(|w| (w.center, w.width));
        let palette = info.photometric_kind() == Photometric::PaletteColor;
        DisplayParams {
            mono: MonoParams {
                bits_stored,
                high_bit: int(ds, tags::HIGH_BIT).unwrap_or(bits_stored.saturating_sub(1)),
                signed: int::<u16>(ds, tags::PIXEL_REPRESENTATION) == Some(1),
                slope: first(tags::RESCALE_SLOPE)
                    .filter(|s| s.is_finite() && *s != 0.0)
                    .unwrap_or(1.0),
                intercept: first(tags::RESCALE_INTERCEPT)
                    .filter(|i| i.is_finite())
                    .unwrap_or(0.0),
                window,
            },
            palette: palette.then(|| read_palette(ds)),
        }
    }
}

/// Reads the Red/Green/Blue Palette Color LUT Descriptors and Data.
fn read_palette(ds: &InMemDicomObject) -> Result<Palette, CineError> {
    let channel = |descriptor: Tag, data: Tag, name: &str| -> Result<(i64, Vec<u8>), CineError> {
        let missing = || CineError::UnsupportedFeature {
            feature: format!(
                "PALETTE COLOR without a {name} Palette Color LUT (segmented palettes are not supported)"
            ),
        };
        let d = ds
            .element_opt(descriptor)
            .ok()
            .flatten()
            .and_then(|e| e.to_multi_int::<i64>().ok())
            .filter(|d| d.len() == 3)
            .ok_or_else(missing)?;
        let raw = ds
            .element_opt(data)
            .ok()
            .flatten()
            .and_then(|e| e.value().primitive().map(|p| p.to_bytes().into_owned()))
            .ok_or_else(missing)?;
        // 0 entries means 65536; the first mapped value may be written as signed.
        let entries = if d[0] == 0 {
            65536
        } else {
            d[0].rem_euclid(65536)
        } as usize;
        let first_mapped = d[1];
        let bits = d[2];
        let values: Vec<u8> = if bits == 8 && raw.len() < entries * 2 {
            raw.iter().take(entries).copied().collect()
        } else if bits == 8 {
            // One 8-bit entry per 16-bit word.
            raw.chunks_exact(2).take(entries).map(|w| w[0]).collect()
        } else {
            raw.chunks_exact(2)
                .take(entries)
                .map(|w| (u16::from_le_bytes([w[0], w[1]]) >> 8) as u8)
                .collect()
        };
        if values.len() < entries {
            return Err(CineError::truncated(format!(
                "{name} Palette Color LUT Data"
            )));
        }
        Ok((first_mapped, values))
    };
    let (first_mapped, r) = channel(
        tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
        tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        "Red",
    )?;
    let (_, g) = channel(
        tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
        tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        "Green",
    )?;
    let (_, b) = channel(
        tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
        tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        "Blue",
    )?;
    let entries = r
        .iter()
        .zip(&g)
        .zip(&b)
        .map(|((r, g), b)| [*r, *g, *b])
        .collect::<Vec<_>>();
    if entries.is_empty() {
        return Err(CineError::malformed("empty Palette Color LUT"));
    }
    Ok(Palette {
        first_mapped,
        entries,
    })
}

/// Sample `i` of channel `c` as an unsigned container value.
fn sample(s: &Samples, pixels: usize, i: usize, c: usize) -> u32 {
    let spp = usize::from(s.samples_per_pixel);
    let index = if s.planar {
        c * pixels + i
    } else {
        i * spp + c
    };
    if s.bits_allocated == 16 {
        let at = index * 2;
        match s.data.get(at..at + 2) {
            Some(b) => u32::from(u16::from_le_bytes([b[0], b[1]])),
            None => 0,
        }
    } else {
        s.data.get(index).map_or(0, |v| u32::from(*v))
    }
}

/// The stored value of a monochrome or palette sample, masked and sign-extended.
fn stored_value(raw: u32, p: &MonoParams, container_bits: u16) -> i64 {
    let bits = p.bits_stored.clamp(1, container_bits);
    let shift = (i32::from(p.high_bit) + 1 - i32::from(bits)).clamp(0, 15) as u32;
    let mask = if bits >= 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    };
    let v = (raw >> shift) & mask;
    if p.signed && bits < 32 && v & (1 << (bits - 1)) != 0 {
        i64::from(v) - (1i64 << bits)
    } else {
        i64::from(v)
    }
}

/// YCbCr (full range, PS3.3 C.7.6.3.1.2) to RGB.
fn ybr_to_rgb(y: f64, cb: f64, cr: f64) -> [u8; 3] {
    let clamp = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    [
        clamp(y + 1.402 * (cr - 128.0)),
        clamp(y - 0.344_136 * (cb - 128.0) - 0.714_136 * (cr - 128.0)),
        clamp(y + 1.772 * (cb - 128.0)),
    ]
}

/// Converts one frame's samples to RGBA8 as displayed.
pub(crate) fn to_rgba(
    s: &Samples,
    width: u32,
    height: u32,
    params: &DisplayParams,
) -> Result<Vec<u8>, CineError> {
    let pixels = width as usize * height as usize;
    let needed = pixels * usize::from(s.samples_per_pixel) * usize::from(s.bits_allocated / 8);
    if s.data.len() < needed {
        return Err(CineError::truncated("frame samples"));
    }
    let mut out = Vec::with_capacity(pixels * 4);
    match &s.photometric {
        // The common ultrasound case, 8-bit interleaved colour, without per-sample dispatch.
        Photometric::Rgb | Photometric::YbrFull | Photometric::YbrFull422
            if s.bits_allocated == 8 && !s.planar && s.samples_per_pixel == 3 =>
        {
            let ybr = s.photometric != Photometric::Rgb;
            for px in s.data.chunks_exact(3).take(pixels) {
                let rgb = if ybr {
                    ybr_to_rgb(f64::from(px[0]), f64::from(px[1]), f64::from(px[2]))
                } else {
                    [px[0], px[1], px[2]]
                };
                out.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        }
        Photometric::Rgb | Photometric::YbrFull | Photometric::YbrFull422 => {
            // 16-bit colour keeps its top 8 stored bits.
            let shift = if s.bits_allocated == 16 {
                params.mono.bits_stored.clamp(8, 16) - 8
            } else {
                0
            };
            let ybr = s.photometric != Photometric::Rgb;
            for i in 0..pixels {
                let c = |ch| (sample(s, pixels, i, ch) >> shift).min(255) as u8;
                let (a, b, d) = (c(0), c(1), c(2));
                let rgb = if ybr {
                    ybr_to_rgb(f64::from(a), f64::from(b), f64::from(d))
                } else {
                    [a, b, d]
                };
                out.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        }
        Photometric::PaletteColor => {
            let palette = match &params.palette {
                Some(Ok(p)) => p,
                Some(Err(e)) => return Err(e.clone()),
                None => return Err(CineError::malformed("PALETTE COLOR without a palette")),
            };
            let last = palette.entries.len() - 1;
            let unsigned = MonoParams {
                signed: false,
                ..params.mono.clone()
            };
            for i in 0..pixels {
                let v = stored_value(sample(s, pixels, i, 0), &unsigned, s.bits_allocated);
                let index = (v - palette.first_mapped).clamp(0, last as i64) as usize;
                let [r, g, b] = palette.entries.get(index).copied().unwrap_or([0, 0, 0]);
                out.extend_from_slice(&[r, g, b, 255]);
            }
        }
        Photometric::Monochrome1 | Photometric::Monochrome2 => {
            let p = &params.mono;
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
                    // dcmtk's min-max window, so frames match `dcmj2pnm +Wm` exactly.
                    ((lo + hi + 1.0) / 2.0, hi - lo + 1.0)
                } else {
                    (lo + 0.5, 1.0)
                }
            });
            let invert = s.photometric == Photometric::Monochrome1;
            for v in values {
                let grey = window_linear(v, center, width, invert);
                out.extend_from_slice(&[grey, grey, grey, 255]);
            }
        }
        Photometric::Other(name) => {
            return Err(CineError::UnsupportedPhotometric {
                photometric: name.clone(),
            });
        }
    }
    Ok(out)
}

/// The LINEAR VOI function of PS3.3 C.11.2.1.2.1 onto 0..=255, truncating like dcmtk.
fn window_linear(x: f64, center: f64, width: f64, invert: bool) -> u8 {
    let level = if width <= 1.0 {
        if x < center - 0.5 { 0.0 } else { 255.0 }
    } else {
        let lo = center - 0.5 - (width - 1.0) / 2.0;
        let hi = center - 0.5 + (width - 1.0) / 2.0;
        if x <= lo {
            0.0
        } else if x > hi {
            255.0
        } else {
            // Same value as the standard's ((x - (c - 0.5)) / (w - 1) + 0.5) * 255, computed
            // from the left edge so integer inputs stay exact before truncation.
            (x - lo) * 255.0 / (width - 1.0)
        }
    };
    // MONOCHROME1 runs the output range backwards and truncates there, as dcmtk does.
    let level = if invert { 255.0 - level } else { level };
    level.floor().clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mono(bits_stored: u16, signed: bool) -> MonoParams {
        MonoParams {
            bits_stored,
            high_bit: bits_stored - 1,
            signed,
            slope: 1.0,
            intercept: 0.0,
            window: None,
        }
    }

    #[test]
    fn ybr_grey_stays_grey_and_primaries_land() {
        assert_eq!(ybr_to_rgb(128.0, 128.0, 128.0), [128, 128, 128]);
        assert_eq!(ybr_to_rgb(76.245, 84.972, 255.5), [255, 0, 0]);
    }

    #[test]
    fn signed_12_bit_values_are_sign_extended() {
        let p = mono(12, true);
        assert_eq!(stored_value(0x0FFF, &p, 16), -1);
        assert_eq!(stored_value(0x07FF, &p, 16), 2047);
        // Bits above the high bit (overlays, garbage) are ignored.
        assert_eq!(stored_value(0xF001, &mono(12, false), 16), 1);
    }

    #[test]
    fn linear_window_maps_its_ends() {
        assert_eq!(window_linear(-1000.0, 40.0, 400.0, false), 0);
        assert_eq!(window_linear(-1000.0, 40.0, 400.0, true), 255);
        assert_eq!(window_linear(1000.0, 40.0, 400.0, false), 255);
        assert_eq!(window_linear(39.5, 40.0, 400.0, false), 127);
        assert_eq!(window_linear(39.5, 40.0, 400.0, true), 127);
    }

    #[test]
    fn monochrome1_inverts_and_min_max_spans_the_range() {
        let s = Samples {
            data: vec![0, 0, 0x10, 0, 0x20, 0],
            bits_allocated: 16,
            samples_per_pixel: 1,
            planar: false,
            photometric: Photometric::Monochrome1,
        };
        let params = DisplayParams {
            mono: mono(16, false),
            palette: None,
        };
        let out = to_rgba(&s, 3, 1, &params).expect("decodes");
        assert_eq!([out[0], out[4], out[8]], [255, 127, 0]);
    }

    #[test]
    fn planar_rgb_is_interleaved() {
        let s = Samples {
            data: vec![1, 2, 10, 20, 100, 200],
            bits_allocated: 8,
            samples_per_pixel: 3,
            planar: true,
            photometric: Photometric::Rgb,
        };
        let params = DisplayParams {
            mono: mono(8, false),
            palette: None,
        };
        let out = to_rgba(&s, 2, 1, &params).expect("decodes");
        assert_eq!(out, [1, 10, 100, 255, 2, 20, 200, 255]);
    }

    #[test]
    fn palette_indices_clamp_to_the_table() {
        let s = Samples {
            data: vec![0, 5, 6, 200],
            bits_allocated: 8,
            samples_per_pixel: 1,
            planar: false,
            photometric: Photometric::PaletteColor,
        };
        let params = DisplayParams {
            mono: mono(8, false),
            palette: Some(Ok(Palette {
                first_mapped: 5,
                entries: vec![[1, 2, 3], [4, 5, 6]],
            })),
        };
        let out = to_rgba(&s, 4, 1, &params).expect("decodes");
        assert_eq!(
            out,
            [1, 2, 3, 255, 1, 2, 3, 255, 4, 5, 6, 255, 4, 5, 6, 255]
        );
    }
}
