//! What can go wrong reading a clip: one serialisable error the viewer and the CLI show as is.
use serde::{Deserialize, Serialize};

/// Why a clip or one of its frames cannot be shown; every message names what is wrong or
/// unsupported, so the viewer never shows a blank canvas without a reason.
#[derive(Debug, Clone, thiserror::Error, Serialize, Deserialize, PartialEq)]
pub enum CineError {
    /// The bytes are not a DICOM Part 10 file (no `DICM` magic).
    #[error("not a DICOM file")]
    NotDicom,
    /// The file ends before the data it announces.
    #[error("the DICOM file is truncated: {what}")]
    Truncated {
        /// What was cut short.
        what: String,
    },
    /// The file is DICOM but a required attribute is missing or inconsistent.
    #[error("malformed DICOM: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: String,
    },
    /// The object carries no Pixel Data.
    #[error("the DICOM file has no pixel data")]
    NoPixelData,
    /// The pixel data is compressed in a way this viewer cannot decode.
    #[error("unsupported: {name} ({uid})")]
    UnsupportedTransferSyntax {
        /// Transfer syntax UID.
        uid: String,
        /// Human name, e.g. "JPEG 2000".
        name: String,
    },
    /// The Photometric Interpretation cannot be displayed.
    #[error("unsupported photometric interpretation: {photometric}")]
    UnsupportedPhotometric {
        /// The value found, e.g. "YBR_PARTIAL_420".
        photometric: String,
    },
    /// The sample layout (bits, samples per pixel) cannot be displayed.
    #[error(
        "unsupported pixel layout: {bits_allocated} bits allocated, {samples_per_pixel} samples per pixel"
    )]
    UnsupportedBits {
        /// Bits Allocated.
        bits_allocated: u16,
        /// Samples per Pixel.
        samples_per_pixel: u16,
    },
    /// The codec does not support a feature this frame uses.
    #[error("unsupported: {feature}")]
    UnsupportedFeature {
        /// The feature, as the codec names it.
        feature: String,
    },
    /// A frame number past the last frame.
    #[error("frame {frame} does not exist: the clip has {frames} frames")]
    FrameOutOfRange {
        /// The frame asked for (0-based).
        frame: u32,
        /// How many frames the clip has.
        frames: u32,
    },
    /// The compressed frame could not be decoded.
    #[error("frame {frame} could not be decoded: {reason}")]
    Decode {
        /// The frame (0-based).
        frame: u32,
        /// The codec's message.
        reason: String,
    },
}

impl CineError {
    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        CineError::Malformed {
            reason: reason.into(),
        }
    }

    pub(crate) fn truncated(what: impl Into<String>) -> Self {
        CineError::Truncated { what: what.into() }
    }
}

/// True when any error in the chain is an I/O "unexpected end of file".
pub(crate) fn is_unexpected_eof(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::UnexpectedEof
        {
            return true;
        }
        current = e.source();
    }
    false
}
