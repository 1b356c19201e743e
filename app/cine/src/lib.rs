//! The cine decoding core: parse a DICOM clip, describe it, decode any one frame to RGBA as
//! displayed, and measure on it. One code path for the browser (wasm32) and the server.
//!
//! ```no_run
//! # fn demo(bytes: &[u8]) -> Result<(), cine::CineError> {
//! let clip = cine::Clip::parse(bytes)?;
//! let first = clip.decode_frame(0)?;
//! assert_eq!(first.rgba.len(), (first.width * first.height * 4) as usize);
//! # Ok(()) }
//! ```
//!
//! A native (uncompressed) clip need not be decoded at all: [`NativeClip`] reads its header
//! and converts a frame in place when it is shown.
pub mod area;
#[cfg(target_arch = "wasm32")]
mod c_runtime;
#[cfg(feature = "encode")]
pub mod clean;
mod codec;
mod color;
mod error;
mod info;
mod j2k;
#[cfg(feature = "encode")]
mod jpeg_mask;
pub mod measure;
mod native;
pub mod prescan;
pub mod regions;
mod rle;
#[cfg(feature = "synth")]
pub mod synth;
pub mod timing;
pub mod video;

/// Private decoders called by the fuzz targets in server/fuzz, which live outside this crate;
/// not an API.
#[doc(hidden)]
#[cfg(feature = "encode")]
pub mod fuzzing {
    /// `jpeg_mask::mask_jpeg`: blacks out `mask` in one baseline JPEG codestream.
    pub fn mask_jpeg(data: &[u8], mask: &crate::clean::Mask, black: &[u8]) -> Option<Vec<u8>> {
        crate::jpeg_mask::mask_jpeg(data, mask, black)
    }
}

pub use error::CineError;
pub use info::{ClipInfo, MAX_CLIP_PIXELS, TransferSyntaxInfo, VoiWindow};
pub use measure::{ImagePoint, MeasureError, distance_mm, ellipse_area_mm2, polygon_area_mm2};
pub use native::NativeClip;
pub use regions::{PhysicalUnits, RegionDataType, SpatialFormat, UltrasoundRegion};
pub use timing::{FrameTiming, TimingSource};

use color::DisplayParams;
use dicom_object::{DefaultDicomObject, OpenFileOptions, file::ReadPreamble};

/// One frame as displayed: RGBA8, row-major, `width × height × 4` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbaFrame {
    /// Width in pixels (Columns).
    pub width: u32,
    /// Height in pixels (Rows).
    pub height: u32,
    /// The pixels, 4 bytes each.
    pub rgba: Vec<u8>,
}

/// A parsed clip: the data set held once, frames decoded on demand.
#[derive(Debug)]
pub struct Clip {
    object: DefaultDicomObject,
    info: ClipInfo,
    display: DisplayParams,
}

/// Where the `DICM` magic starts: after a 128-byte preamble, or at 0 without one.
fn magic_offset(bytes: &[u8]) -> Option<usize> {
    if bytes.get(128..132) == Some(b"DICM") {
        Some(128)
    } else if bytes.starts_with(b"DICM") {
        Some(0)
    } else {
        None
    }
}

/// Parses a file from its `DICM` magic on, after its lengths have been checked.
fn read_object(from_magic: &[u8]) -> Result<DefaultDicomObject, CineError> {
    OpenFileOptions::new()
        .read_preamble(ReadPreamble::Never)
        .from_reader(from_magic)
        .map_err(|e| {
            if error::is_unexpected_eof(&e) {
                CineError::truncated("the file ends inside the data set")
            } else {
                CineError::malformed(e.to_string())
            }
        })
}

impl Clip {
    /// Parses a DICOM Part 10 file (with or without its preamble).
    pub fn parse(bytes: &[u8]) -> Result<Clip, CineError> {
        let start = magic_offset(bytes).ok_or(CineError::NotDicom)?;
        let rest = bytes.get(start..).ok_or(CineError::NotDicom)?;
        prescan::check_lengths(rest)?;
        let object = read_object(rest)?;
        let info = info::clip_info(&object)?;
        let display = DisplayParams::read(&object, &info);
        Ok(Clip {
            object,
            info,
            display,
        })
    }

    /// The data set as parsed (for callers that edit or re-encode it).
    pub fn object(&self) -> &DefaultDicomObject {
        &self.object
    }

    /// The data set, giving up the clip.
    pub fn into_object(self) -> DefaultDicomObject {
        self.object
    }

    /// What the clip is: size, frames, timing, calibration.
    pub fn info(&self) -> &ClipInfo {
        &self.info
    }

    /// Decodes frame `n` (0-based) alone, as displayed.
    pub fn decode_frame(&self, n: u32) -> Result<RgbaFrame, CineError> {
        let mut rgba = Vec::new();
        self.decode_frame_into(n, &mut rgba)?;
        Ok(RgbaFrame {
            width: self.info.columns,
            height: self.info.rows,
            rgba,
        })
    }

    /// Decodes frame `n` (0-based) alone, as displayed, into `rgba`, replacing what it held
    /// and reusing its allocation.
    pub fn decode_frame_into(&self, n: u32, rgba: &mut Vec<u8>) -> Result<(), CineError> {
        self.info.check_frame(n)?;
        if codec::rle_rgba_into(&self.object, &self.info, n, rgba)? {
            return Ok(());
        }
        let samples = codec::frame_samples(&self.object, &self.info, n)?;
        color::to_rgba_into(
            &samples,
            self.info.columns,
            self.info.rows,
            &self.display,
            rgba,
        )
    }
}

impl Clip {
    /// The JPEG codestream of frame `n` when the browser's image decoder (e.g.
    /// `createImageBitmap`) shows the same colours as [`Clip::decode_frame`] (up to IDCT and
    /// upsampling rounding): 8-bit lossy JPEG whose markers say YCbCr, or greyscale
    /// MONOCHROME2 without a window. `Ok(None)` means decode it with `decode_frame`.
    pub fn browser_decodable_jpeg(&self, n: u32) -> Result<Option<Vec<u8>>, CineError> {
        if n >= self.info.frames {
            return Err(CineError::FrameOutOfRange {
                frame: n,
                frames: self.info.frames,
            });
        }
        if self.info.unsupported.is_some() {
            return Ok(None);
        }
        codec::browser_jpeg(&self.object, &self.info, n)
    }
}

impl Clip {
    /// The H.264 elementary stream of an MPEG-4 AVC/H.264 clip (all fragments in order), for
    /// the browser's video decoder; `None` for any other transfer syntax.
    pub fn video_stream(&self) -> Option<Vec<u8>> {
        if self.info.codec() != codec::Codec::Video {
            return None;
        }
        match self
            .object
            .element_opt(dicom_dictionary_std::tags::PIXEL_DATA)
        {
            Ok(Some(e)) => match e.value() {
                dicom_core::value::Value::PixelSequence(seq) => Some(seq.fragments().concat()),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Describes the clip in `bytes`.
pub fn clip_info(bytes: &[u8]) -> Result<ClipInfo, CineError> {
    Clip::parse(bytes).map(|c| c.info)
}

/// Decodes frame `n` (0-based) of the clip in `bytes`; parse once with [`Clip`] for more.
pub fn decode_frame(bytes: &[u8], n: u32) -> Result<RgbaFrame, CineError> {
    Clip::parse(bytes)?.decode_frame(n)
}
