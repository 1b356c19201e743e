//! What black is in each pixel layout: the stored sample words a masked pixel gets, and for
//! PALETTE COLOR the entry nearest black (or none, and the pixels are converted to RGB).
use super::{BlackFill, refuse};
use crate::color::Palette;
use crate::info::Photometric;
use crate::{CineError, Clip};

/// A palette entry counts as black when none of its channels, scaled to 8 bits, is above
/// this: dark enough that nothing drawn in it could be read against the rest of the mask.
pub const PALETTE_NEAR_BLACK: u8 = 8;

/// Where a stored value sits in its container word (PS3.5 8.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bits {
    pub allocated: u16,
    pub stored: u16,
    pub high_bit: u16,
    pub signed: bool,
}

impl Bits {
    /// The layout of the clip's pixel data as written.
    pub(crate) fn of(clip: &Clip) -> Bits {
        Bits {
            allocated: clip.info.bits_allocated,
            stored: clip.info.bits_stored,
            high_bit: clip.display.mono.high_bit,
            signed: clip.display.mono.signed,
        }
    }

    fn stored(&self) -> u16 {
        self.stored.clamp(1, self.allocated.max(1))
    }

    /// The lowest and highest stored value.
    pub(crate) fn range(&self) -> (i64, i64) {
        let bits = u32::from(self.stored());
        if self.signed {
            (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
        } else {
            (0, (1i64 << bits) - 1)
        }
    }

    /// The container word holding stored value `v`; a negative value is sign-extended above
    /// the high bit, so readers that mask and readers that do not both see it.
    pub(crate) fn word(&self, v: i64) -> u16 {
        let shift = (self.high_bit + 1)
            .saturating_sub(self.stored())
            .min(self.allocated.saturating_sub(self.stored()));
        let container = if self.allocated >= 16 {
            0xFFFF
        } else {
            (1i64 << self.allocated) - 1
        };
        ((v << shift) & container) as u16
    }
}

/// What masked pixels become in one layout: one container word per sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Black {
    pub words: Vec<u16>,
    pub fill: BlackFill,
}

/// The palette entry nearest black (darkest brightest channel, then darkest sum, then lowest
/// index) as its stored index, when it is near enough to count as black and the index can be
/// stored in `bits`.
pub(crate) fn palette_black(palette: &Palette, bits: Bits) -> Option<(u32, [u8; 3])> {
    let (k, rgb) = palette.entries.iter().enumerate().min_by_key(|(k, rgb)| {
        let sum: u16 = rgb.iter().map(|c| u16::from(*c)).sum();
        (*rgb.iter().max().unwrap_or(&0), sum, *k)
    })?;
    let index = palette.first_mapped + k as i64;
    let unsigned = Bits {
        signed: false,
        ..bits
    };
    let (lo, hi) = unsigned.range();
    let near = rgb.iter().all(|c| *c <= PALETTE_NEAR_BLACK);
    (near && (lo..=hi).contains(&index)).then_some((index as u32, *rgb))
}

/// Black in `photometric` with `samples` samples per pixel stored as `bits`: RGB 0; YBR Y 0
/// with neutral chroma; MONOCHROME2 its lowest and MONOCHROME1 its highest stored value (what
/// the raw range displays as black; Rescale and VOI window are not consulted); PALETTE COLOR
/// the entry nearest black, or [`BlackFill::PaletteToRgb`] when there is none.
pub(crate) fn black_of(
    photometric: &Photometric,
    samples: u16,
    bits: Bits,
    palette: Option<&Palette>,
) -> Result<Black, CineError> {
    let (lo, hi) = bits.range();
    let unsigned_mid = 1i64 << (bits.stored() - 1);
    let (words, fill) = match photometric {
        Photometric::Rgb => (vec![0; 3], BlackFill::Samples),
        Photometric::YbrFull | Photometric::YbrFull422 => {
            let mid = bits.word(unsigned_mid);
            (vec![0, mid, mid], BlackFill::Samples)
        }
        Photometric::Monochrome2 => (vec![bits.word(lo)], BlackFill::Samples),
        Photometric::Monochrome1 => (vec![bits.word(hi)], BlackFill::Samples),
        Photometric::PaletteColor => {
            let palette = palette.ok_or_else(|| refuse("PALETTE COLOR without a palette"))?;
            match palette_black(palette, bits) {
                Some((index, rgb)) => (
                    vec![
                        Bits {
                            signed: false,
                            ..bits
                        }
                        .word(i64::from(index)),
                    ],
                    BlackFill::PaletteEntry { index, rgb },
                ),
                None => (vec![0; 3], BlackFill::PaletteToRgb),
            }
        }
        Photometric::Other(name) => return Err(refuse(format!("{name} pixel data"))),
    };
    let expected = if fill == BlackFill::PaletteToRgb {
        1
    } else {
        words.len()
    };
    if usize::from(samples) != expected {
        return Err(refuse(format!(
            "{} with {samples} samples per pixel",
            photometric.name()
        )));
    }
    Ok(Black { words, fill })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(allocated: u16, stored: u16, signed: bool) -> Bits {
        Bits {
            allocated,
            stored,
            high_bit: stored - 1,
            signed,
        }
    }

    #[test]
    fn monochrome_black_is_the_end_of_the_stored_range_that_displays_dark() {
        let black = |p: Photometric, b: Bits| black_of(&p, 1, b, None).unwrap().words;
        assert_eq!(black(Photometric::Monochrome2, bits(8, 8, false)), [0]);
        assert_eq!(black(Photometric::Monochrome1, bits(8, 8, false)), [255]);
        assert_eq!(black(Photometric::Monochrome1, bits(16, 12, false)), [4095]);
        // Signed: the lowest value is negative, sign-extended through the container.
        assert_eq!(
            black(Photometric::Monochrome2, bits(16, 12, true)),
            [0xF800]
        );
        assert_eq!(black(Photometric::Monochrome1, bits(16, 12, true)), [2047]);
        assert_eq!(
            black(Photometric::Monochrome2, bits(16, 16, true)),
            [0x8000]
        );
        // A high bit above Bits Stored - 1 shifts the value up.
        let shifted = Bits {
            high_bit: 14,
            ..bits(16, 12, false)
        };
        assert_eq!(black(Photometric::Monochrome1, shifted), [4095 << 3]);
    }

    #[test]
    fn ybr_black_has_neutral_chroma() {
        let b = black_of(&Photometric::YbrFull422, 3, bits(8, 8, false), None).unwrap();
        assert_eq!(b.words, [0, 128, 128]);
        let b = black_of(&Photometric::YbrFull, 3, bits(16, 10, false), None).unwrap();
        assert_eq!(b.words, [0, 512, 512]);
    }

    #[test]
    fn the_palette_entry_nearest_black_is_chosen_or_none_counts() {
        let palette = |entries: Vec<[u8; 3]>| Palette {
            first_mapped: 16,
            entries,
        };
        let p = palette(vec![[200, 0, 0], [3, 4, 2], [0, 9, 0], [4, 4, 4]]);
        assert_eq!(
            palette_black(&p, bits(8, 8, false)),
            Some((17, [3, 4, 2])),
            "darkest brightest channel, then darkest sum"
        );
        let b = black_of(&Photometric::PaletteColor, 1, bits(8, 8, false), Some(&p)).unwrap();
        assert_eq!(b.words, [17]);
        let bright = palette(vec![[40, 0, 0], [255, 255, 255]]);
        assert_eq!(palette_black(&bright, bits(8, 8, false)), None);
        let b = black_of(
            &Photometric::PaletteColor,
            1,
            bits(8, 8, false),
            Some(&bright),
        )
        .unwrap();
        assert_eq!(b.fill, BlackFill::PaletteToRgb);
        // An index the stored bits cannot hold does not count.
        let far = Palette {
            first_mapped: 300,
            entries: vec![[0, 0, 0]],
        };
        assert_eq!(palette_black(&far, bits(8, 8, false)), None);
    }
}
