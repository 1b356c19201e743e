//! Native (uncompressed) clips read in place: only the attributes before Pixel Data are
//! parsed, the pixel data stays in the file's own bytes, and a frame becomes RGBA when it is
//! asked for. Frames go through the same sample reading and colour conversion as
//! [`Clip::decode_frame`](crate::Clip::decode_frame), so the RGBA is the same byte for byte;
//! nothing is decoded up front and nothing is copied per frame but the RGBA itself.
use super::color::{self, DisplayParams};
use super::error::CineError;
use super::info::{self, ClipInfo};
use super::prescan::{self, DataSetEncoding, HeaderWalk, UNDEFINED_LENGTH};
use super::{RgbaFrame, codec, magic_offset, read_object};
use dicom_dictionary_std::uids;
use std::ops::{ControlFlow, Deref, Range};

const PIXEL_DATA: (u16, u16) = (0x7FE0, 0x0010);

/// A native clip whose pixel data stays where it is in the file's bytes, held as `B`: a
/// `Vec<u8>`, an `Arc<Vec<u8>>` shared with others, a borrowed slice. Frames are converted
/// on demand.
pub struct NativeClip<B> {
    bytes: B,
    /// Where the Pixel Data value lies in `bytes`.
    pixels: Range<usize>,
    info: ClipInfo,
    display: DisplayParams,
}

impl<B> std::fmt::Debug for NativeClip<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeClip")
            .field("pixels", &self.pixels)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl<B: Deref<Target: AsRef<[u8]>>> NativeClip<B> {
    /// Parses the header of the DICOM Part 10 file in `bytes` (with or without its preamble)
    /// and keeps `bytes` for the pixel data. `Ok(None)` when the pixel data cannot be read in
    /// place (compressed, encapsulated, deflated or big endian, or no Pixel Data at all):
    /// [`Clip::parse`](crate::Clip::parse) reads those, and says what is wrong; hand over a
    /// cheap clone such as an `Arc` to keep the bytes for it. Errors are those `Clip::parse`
    /// gives for the same file, except that nothing after Pixel Data is read.
    pub fn parse(bytes: B) -> Result<Option<Self>, CineError> {
        let all: &[u8] = (*bytes).as_ref();
        let start = magic_offset(all).ok_or(CineError::NotDicom)?;
        let rest = all.get(start..).ok_or(CineError::NotDicom)?;
        let walk = HeaderWalk::new(rest)?;
        let explicit = match (walk.transfer_syntax(), walk.encoding()) {
            (Some(uids::EXPLICIT_VR_LITTLE_ENDIAN), DataSetEncoding::ExplicitVrLittleEndian) => {
                true
            }
            (Some(uids::IMPLICIT_VR_LITTLE_ENDIAN), DataSetEncoding::ImplicitVrLittleEndian) => {
                false
            }
            _ => return Ok(None),
        };
        // The walk checks every length before Pixel Data as `Clip::parse` does.
        let found = walk.top_level(|h| {
            if h.tag == PIXEL_DATA {
                ControlFlow::Break(*h)
            } else {
                ControlFlow::Continue(())
            }
        })?;
        let Some(pixel) = found
            .filter(|h| h.len != UNDEFINED_LENGTH && (!explicit || matches!(&h.vr, b"OB" | b"OW")))
        else {
            return Ok(None);
        };
        let remaining = rest.len().saturating_sub(pixel.value_at);
        if pixel.len as usize > remaining {
            return Err(prescan::too_long(
                PIXEL_DATA.0,
                PIXEL_DATA.1,
                pixel.len,
                remaining,
            ));
        }
        let header = read_object(rest.get(..pixel.at).unwrap_or_default())?;
        let info = info::header_info(&header)?;
        let display = DisplayParams::read(&header, &info);
        let value_at = start + pixel.value_at;
        Ok(Some(NativeClip {
            pixels: value_at..value_at + pixel.len as usize,
            bytes,
            info,
            display,
        }))
    }

    /// What the clip is: size, frames, timing, calibration.
    pub fn info(&self) -> &ClipInfo {
        &self.info
    }

    /// Frame `n` (0-based) as displayed, exactly as [`Clip::decode_frame`](crate::Clip::decode_frame)
    /// gives it.
    pub fn decode_frame(&self, n: u32) -> Result<RgbaFrame, CineError> {
        let mut rgba = Vec::new();
        self.decode_frame_into(n, &mut rgba)?;
        Ok(RgbaFrame {
            width: self.info.columns,
            height: self.info.rows,
            rgba,
        })
    }

    /// Frame `n` (0-based) as displayed into `rgba`, replacing what it held and reusing its
    /// allocation: a player converting each frame as it draws it allocates nothing.
    pub fn decode_frame_into(&self, n: u32, rgba: &mut Vec<u8>) -> Result<(), CineError> {
        self.info.check_frame(n)?;
        let file: &[u8] = (*self.bytes).as_ref();
        let pixels = file.get(self.pixels.clone()).unwrap_or_default();
        let samples = codec::native_samples(pixels, &self.info, n)?;
        color::to_rgba_into(
            &samples,
            self.info.columns,
            self.info.rows,
            &self.display,
            rgba,
        )
    }
}

#[cfg(test)]
mod tests;
