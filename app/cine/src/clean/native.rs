//! Uncompressed pixel data cleaned in place: every masked sample of every frame set to the
//! layout's black word, at 8 or 16 bits, interleaved or by plane, YBR_FULL_422 by pixel pair.
use super::black::Black;
use super::{CleanedPixels, Reencoding, SampleLayout, refuse};
use crate::codec::native_frame_len;
use crate::info::Photometric;
use crate::{CineError, Clip};
use dicom_core::PrimitiveValue;
use dicom_core::value::Value as DicomValue;
use dicom_dictionary_std::tags;

/// Writes `word` into the sample at `index` of a frame of `bytes`-wide samples.
fn put(frame: &mut [u8], index: usize, bytes: usize, word: u16) {
    match frame.get_mut(index * bytes..(index + 1) * bytes) {
        Some([b]) => *b = word as u8,
        Some([lo, hi]) => [*lo, *hi] = word.to_le_bytes(),
        _ => {}
    }
}

/// Masks native pixel data without changing its layout or transfer syntax. YBR_FULL_422 keeps
/// one chroma pair per two pixels, so a pair goes black when either of its pixels is masked:
/// at the mask's vertical edges one kept pixel may turn black, never the reverse.
pub(super) fn clean_native(
    clip: &Clip,
    mask: &super::Mask,
    black: &Black,
) -> Result<CleanedPixels, CineError> {
    let info = clip.info();
    let pixel = clip
        .object
        .element_opt(tags::PIXEL_DATA)
        .ok()
        .flatten()
        .ok_or(CineError::NoPixelData)?;
    let mut data = match pixel.value() {
        DicomValue::Primitive(p) => p.to_bytes().into_owned(),
        _ => return Err(refuse("encapsulated uncompressed data")),
    };
    let bytes = usize::from(info.bits_allocated / 8);
    let spp = usize::from(info.samples_per_pixel);
    let (columns, pixels) = (
        info.columns as usize,
        info.columns as usize * info.rows as usize,
    );
    let frame_len = native_frame_len(info);
    let planar = info.planar_configuration == 1 && spp == 3;
    let pairs = info.photometric_kind() == Photometric::YbrFull422;
    for n in 0..info.frames as usize {
        let frame = data
            .get_mut(n * frame_len..(n + 1) * frame_len)
            .ok_or_else(|| CineError::truncated(format!("pixel data ends before frame {n}")))?;
        if pairs {
            // Y0 Y1 Cb Cr per pair of pixels, a row padded to whole pairs.
            let per_row = columns.div_ceil(2);
            for (row, masked) in mask.black.chunks_exact(columns).enumerate() {
                for (pair, two) in masked.chunks(2).enumerate() {
                    if two.iter().any(|b| *b) {
                        let at = (row * per_row + pair) * 4;
                        for (s, word) in [0, 0, black.words[1], black.words[2]].iter().enumerate() {
                            put(frame, at + s, bytes, *word);
                        }
                    }
                }
            }
        } else {
            for (i, _) in mask.black.iter().enumerate().filter(|(_, b)| **b) {
                for (s, word) in black.words.iter().enumerate() {
                    let at = if planar { s * pixels + i } else { i * spp + s };
                    put(frame, at, bytes, *word);
                }
            }
        }
    }
    let value = if bytes == 2 {
        PrimitiveValue::U16(
            data.chunks_exact(2)
                .map(|w| u16::from_le_bytes([w[0], w[1]]))
                .collect(),
        )
    } else {
        PrimitiveValue::U8(data.into())
    };
    Ok(CleanedPixels {
        value: DicomValue::Primitive(value),
        transfer_syntax: info.transfer_syntax.uid.clone(),
        photometric: info.photometric.clone(),
        layout: SampleLayout::of(clip),
        fill: black.fill,
        reencoding: Reencoding::InPlace,
        reencode_psnr_db: None,
        lossy_ratio: None,
    })
}
