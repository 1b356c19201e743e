//! From decoded samples to displayed RGBA: YBR to RGB, palette lookup, modality rescale and
//! VOI window for monochrome, planar and 16-bit layouts.
use super::codec::Samples;
use super::error::CineError;
use super::info::{ClipInfo, Photometric, floats, int};
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

mod mono;

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

/// Reads the Red/Green/Blue Palette Color LUT Descriptors and Data, or the Segmented Palette
/// Color LUT Data (PS3.3 C.7.9.2) where a vendor wrote those instead.
fn read_palette(ds: &InMemDicomObject) -> Result<Palette, CineError> {
    let channel = |descriptor: Tag,
                   data: Tag,
                   segmented: Tag,
                   name: &str|
     -> Result<(i64, Vec<u8>), CineError> {
        let missing = || CineError::UnsupportedFeature {
            feature: format!("PALETTE COLOR without a {name} Palette Color LUT"),
        };
        let bytes_of = |tag: Tag| {
            ds.element_opt(tag)
                .ok()
                .flatten()
                .and_then(|e| e.value().primitive().map(|p| p.to_bytes().into_owned()))
        };
        let d = ds
            .element_opt(descriptor)
            .ok()
            .flatten()
            .and_then(|e| e.to_multi_int::<i64>().ok())
            .filter(|d| d.len() == 3)
            .ok_or_else(missing)?;
        // 0 entries means 65536; the first mapped value may be written as signed.
        let entries = if d[0] == 0 {
            65536
        } else {
            d[0].rem_euclid(65536)
        } as usize;
        let first_mapped = d[1];
        let bits = d[2];
        let values: Vec<u8> = match (bytes_of(data), bytes_of(segmented)) {
            (Some(raw), _) if bits == 8 && raw.len() < entries * 2 => {
                raw.iter().take(entries).copied().collect()
            }
            // One 8-bit entry per 16-bit word.
            (Some(raw), _) if bits == 8 => {
                raw.chunks_exact(2).take(entries).map(|w| w[0]).collect()
            }
            (Some(raw), _) => raw
                .chunks_exact(2)
                .take(entries)
                .map(|w| (u16::from_le_bytes([w[0], w[1]]) >> 8) as u8)
                .collect(),
            (None, Some(raw)) => {
                // 8-bit tables are segmented in 8-bit words, 16-bit tables in 16-bit words.
                let words: Vec<u16> = if bits == 8 {
                    raw.iter().map(|b| u16::from(*b)).collect()
                } else {
                    raw.chunks_exact(2)
                        .map(|w| u16::from_le_bytes([w[0], w[1]]))
                        .collect()
                };
                let expanded = expand_segmented(&words, entries, name)?;
                expanded
                    .into_iter()
                    .map(|v| if bits == 8 { v as u8 } else { (v >> 8) as u8 })
                    .collect()
            }
            (None, None) => return Err(missing()),
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
        tags::SEGMENTED_RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        "Red",
    )?;
    let (_, g) = channel(
        tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
        tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        tags::SEGMENTED_GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        "Green",
    )?;
    let (_, b) = channel(
        tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
        tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        tags::SEGMENTED_BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
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

/// Expands Segmented Palette Color LUT Data (PS3.3 C.7.9.2) into `entries` values: discrete
/// segments (type 0) list values, linear segments (1) ramp from the previous value to a new
/// one, indirect segments (2) replay earlier segments found at a word offset (as GDCM and
/// pydicom read it). Output stops at `entries` and the segments read are counted, so a
/// hostile table cannot grow or loop without bound.
fn expand_segmented(words: &[u16], entries: usize, name: &str) -> Result<Vec<u16>, CineError> {
    let mut table = Segmented {
        words,
        entries,
        out: Vec::with_capacity(entries),
        budget: 1 << 20,
        name,
    };
    table.run(0, None, 0)?;
    table.out.truncate(entries);
    Ok(table.out)
}

/// The state of one segmented table being expanded.
struct Segmented<'a> {
    words: &'a [u16],
    entries: usize,
    out: Vec<u16>,
    /// Segments left to read, indirect replays included.
    budget: usize,
    name: &'a str,
}

impl Segmented<'_> {
    fn bad(&self, why: &str) -> CineError {
        CineError::malformed(format!(
            "Segmented {} Palette Color LUT Data: {why}",
            self.name
        ))
    }

    fn word(&self, i: usize) -> Result<u16, CineError> {
        self.words
            .get(i)
            .copied()
            .ok_or_else(|| self.bad("a segment is cut short"))
    }

    /// Reads segments from word `at`: all of them, or `count` for an indirect segment.
    fn run(&mut self, mut at: usize, count: Option<usize>, depth: u8) -> Result<(), CineError> {
        let mut done = 0usize;
        // A lone trailing word is padding: every segment has a type and a length.
        while at + 1 < self.words.len()
            && self.out.len() < self.entries
            && count.is_none_or(|n| done < n)
        {
            self.budget = self
                .budget
                .checked_sub(1)
                .ok_or_else(|| self.bad("too many segments"))?;
            let length = usize::from(self.word(at + 1)?);
            match self.word(at)? {
                0 => {
                    let values = self
                        .words
                        .get(at + 2..at + 2 + length)
                        .ok_or_else(|| self.bad("a discrete segment is cut short"))?;
                    self.out.extend_from_slice(values);
                    at += 2 + length;
                }
                1 => {
                    let from = f64::from(
                        *self
                            .out
                            .last()
                            .ok_or_else(|| self.bad("it starts with a linear segment"))?,
                    );
                    let to = f64::from(self.word(at + 2)?);
                    self.out.extend(
                        (1..=length).map(|i| {
                            (from + (to - from) * i as f64 / length as f64).round() as u16
                        }),
                    );
                    at += 3;
                }
                2 => {
                    if self.out.is_empty() {
                        return Err(self.bad("it starts with an indirect segment"));
                    }
                    if depth >= 4 {
                        return Err(self.bad("indirect segments nest too deep"));
                    }
                    let offset =
                        usize::from(self.word(at + 2)?) | usize::from(self.word(at + 3)?) << 16;
                    self.run(offset, Some(length), depth + 1)?;
                    at += 4;
                }
                other => return Err(self.bad(&format!("unknown segment type {other}"))),
            }
            done += 1;
        }
        Ok(())
    }
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
// Inlined into the per-pixel loops, which then work out the shift and mask once a frame.
#[inline]
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

/// Converts 8-bit YBR_FULL pixels held in RGBA to RGB in place, as [`to_rgba_into`] converts
/// interleaved 8-bit YBR samples.
pub(crate) fn ybr_to_rgb_in_place(rgba: &mut [u8]) {
    for px in rgba.as_chunks_mut::<4>().0 {
        let rgb = ybr_to_rgb(f64::from(px[0]), f64::from(px[1]), f64::from(px[2]));
        px[..3].copy_from_slice(&rgb);
    }
}

/// Converts one frame's samples to RGBA8 as displayed (pixel cleaning; the viewer converts
/// into a buffer it reuses).
#[cfg(any(feature = "encode", test))]
pub(crate) fn to_rgba(
    s: &Samples,
    width: u32,
    height: u32,
    params: &DisplayParams,
) -> Result<Vec<u8>, CineError> {
    let mut out = Vec::new();
    to_rgba_into(s, width, height, params, &mut out)?;
    Ok(out)
}

/// Converts one frame's samples to RGBA8 as displayed into `out`, replacing what it held and
/// reusing its allocation (frames converted as they are drawn).
pub(crate) fn to_rgba_into(
    s: &Samples,
    width: u32,
    height: u32,
    params: &DisplayParams,
    out: &mut Vec<u8>,
) -> Result<(), CineError> {
    out.clear();
    let pixels = width as usize * height as usize;
    let needed = pixels * usize::from(s.samples_per_pixel) * usize::from(s.bits_allocated / 8);
    if s.data.len() < needed {
        return Err(CineError::truncated("frame samples"));
    }
    out.reserve(pixels * 4);
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
            mono::to_grey_rgba(s, pixels, &params.mono, out);
        }
        Photometric::Other(name) => {
            return Err(CineError::UnsupportedPhotometric {
                photometric: name.clone(),
            });
        }
    }
    Ok(())
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
            data: vec![0, 0, 0x10, 0, 0x20, 0].into(),
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
            data: vec![1, 2, 10, 20, 100, 200].into(),
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
    fn segmented_palettes_expand_discrete_linear_and_indirect_segments() {
        let words = [
            0, 3, 10, 20, 30, // discrete: 10 20 30
            1, 4, 70, // linear from 30 to 70 in 4 steps: 40 50 60 70
            2, 2, 0, 0, // indirect: replay the 2 segments at word 0 (30 → 70 again from 70)
        ];
        let out = expand_segmented(&words, 64, "Red").unwrap();
        assert_eq!(
            out,
            [10, 20, 30, 40, 50, 60, 70, 10, 20, 30, 40, 50, 60, 70],
            "the replayed linear segment ramps from the value before it"
        );
        // Output stops at the table's length; a lone padding word is ignored.
        assert_eq!(
            expand_segmented(&[0, 3, 1, 2, 3, 0], 2, "Red").unwrap(),
            [1, 2]
        );
        // Downward ramps round to the nearest value.
        assert_eq!(
            expand_segmented(&[0, 1, 10, 1, 3, 0], 8, "Red").unwrap(),
            [10, 7, 3, 0]
        );
        for (bad, why) in [
            (&[1, 2, 5][..], "linear"),
            (&[2, 1, 0, 0][..], "indirect"),
            (&[0, 5, 1, 2][..], "cut short"),
            (&[7, 1, 0][..], "unknown"),
            (&[0, 1, 5, 2, 1, 3, 0][..], "indirect points to itself"),
        ] {
            assert!(expand_segmented(bad, 16, "Red").is_err(), "{why}");
        }
    }

    #[test]
    fn palette_indices_clamp_to_the_table() {
        let s = Samples {
            data: vec![0, 5, 6, 200].into(),
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
