//! What a clip is: size, frames, colour model, transfer syntax, timing and calibration,
//! read from the data set without touching the pixel data.
use super::codec::Codec;
use super::error::CineError;
use super::regions::{RawRegion, UltrasoundRegion, clip_region};
use super::timing::{FrameTiming, TimingAttributes, TimingSource, frame_timing};
use dicom_core::Tag;
use dicom_core::header::HasLength;
use dicom_core::value::PrimitiveValue;
use dicom_dictionary_std::{tags, uids};
use dicom_object::{DefaultDicomObject, InMemDicomObject};
use serde::{Deserialize, Serialize};

/// A transfer syntax: its UID and the name people know it by.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TransferSyntaxInfo {
    /// The UID, e.g. `1.2.840.10008.1.2.4.50`.
    pub uid: String,
    /// The name, e.g. "JPEG Baseline (Process 1)".
    pub name: String,
}

/// Explicit VR Big Endian: retired from the standard, still found in old files.
#[allow(deprecated)]
pub(crate) const EXPLICIT_VR_BIG_ENDIAN: &str = uids::EXPLICIT_VR_BIG_ENDIAN;

/// The standard name of each syntax this crate knows, with the short label lists show where
/// one has been chosen. The one table of transfer syntax names.
fn known_syntax(uid: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match uid {
        uids::IMPLICIT_VR_LITTLE_ENDIAN => ("Implicit VR Little Endian", Some("Implicit VR LE")),
        uids::EXPLICIT_VR_LITTLE_ENDIAN => ("Explicit VR Little Endian", Some("Explicit VR LE")),
        uids::ENCAPSULATED_UNCOMPRESSED_EXPLICIT_VR_LITTLE_ENDIAN => {
            ("Encapsulated Uncompressed Explicit VR Little Endian", None)
        }
        uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN => {
            ("Deflated Explicit VR Little Endian", Some("Deflated"))
        }
        EXPLICIT_VR_BIG_ENDIAN => ("Explicit VR Big Endian", Some("Explicit VR BE")),
        uids::JPEG_BASELINE8_BIT => ("JPEG Baseline (Process 1)", Some("JPEG baseline")),
        uids::JPEG_EXTENDED12_BIT => ("JPEG Extended (Process 2 & 4)", Some("JPEG extended")),
        uids::JPEG_LOSSLESS => (
            "JPEG Lossless, Non-Hierarchical (Process 14)",
            Some("JPEG lossless"),
        ),
        uids::JPEG_LOSSLESS_SV1 => (
            "JPEG Lossless, First-Order Prediction (Process 14 SV1)",
            Some("JPEG lossless"),
        ),
        uids::JPEGLS_LOSSLESS => ("JPEG-LS Lossless", None),
        uids::JPEGLS_NEAR_LOSSLESS => ("JPEG-LS Lossy (Near-Lossless)", None),
        uids::JPEG2000_LOSSLESS => ("JPEG 2000 (Lossless Only)", Some("JPEG 2000 lossless")),
        uids::JPEG2000 => ("JPEG 2000", Some("JPEG 2000")),
        uids::HTJ2K_LOSSLESS => ("High-Throughput JPEG 2000 (Lossless Only)", None),
        uids::HTJ2K_LOSSLESS_RPCL => ("High-Throughput JPEG 2000 with RPCL (Lossless Only)", None),
        uids::HTJ2K => ("High-Throughput JPEG 2000", None),
        uids::MPEG2MPML | uids::MPEG2MPMLF => ("MPEG2 Main Profile", None),
        uids::MPEG2MPHL | uids::MPEG2MPHLF => ("MPEG2 High Profile", None),
        uids::MPEG4HP41 | uids::MPEG4HP41BD | uids::MPEG4HP422D => {
            ("MPEG-4 AVC/H.264 video", Some("H.264"))
        }
        uids::MPEG4HP41F
        | uids::MPEG4HP41BDF
        | uids::MPEG4HP422DF
        | uids::MPEG4HP423D
        | uids::MPEG4HP423DF
        | uids::MPEG4HP42STEREO
        | uids::MPEG4HP42STEREOF => ("MPEG-4 AVC/H.264 video", None),
        uids::HEVCMP51 | uids::HEVCM10P51 => ("HEVC/H.265 video", None),
        uids::JPEGXL_LOSSLESS | uids::JPEGXLJPEG_RECOMPRESSION | uids::JPEGXL => ("JPEG XL", None),
        uids::RLE_LOSSLESS => ("RLE Lossless", Some("RLE")),
        _ => return None,
    })
}

/// A UID as written, without the padding DICOM allows at its end.
fn trim_uid(uid: &str) -> &str {
    uid.trim_end_matches(|c: char| c.is_whitespace() || c == '\0')
}

impl TransferSyntaxInfo {
    /// The syntax for a UID, named from the standard's list.
    pub fn from_uid(uid: &str) -> Self {
        let uid = trim_uid(uid);
        let name = match known_syntax(uid) {
            Some((name, _)) => name.to_string(),
            None => {
                use dicom_encoding::TransferSyntaxIndex;
                dicom_transfer_syntax_registry::TransferSyntaxRegistry
                    .get(uid)
                    .map_or_else(
                        || "unknown transfer syntax".to_string(),
                        |ts| ts.name().to_string(),
                    )
            }
        };
        TransferSyntaxInfo {
            uid: uid.to_string(),
            name,
        }
    }

    /// The short label a list shows for a syntax UID, e.g. "JPEG baseline"; the UID itself
    /// when no label has been chosen.
    pub fn short_name(uid: &str) -> &str {
        known_syntax(trim_uid(uid))
            .and_then(|(_, short)| short)
            .unwrap_or(uid)
    }

    /// The error for a syntax this viewer cannot decode.
    pub fn unsupported(&self) -> CineError {
        CineError::UnsupportedTransferSyntax {
            uid: self.uid.clone(),
            name: self.name.clone(),
        }
    }

    /// JPEG 2000 and High-Throughput JPEG 2000, whose frames are codestreams.
    pub(crate) fn is_jpeg2000(&self) -> bool {
        matches!(
            self.uid.as_str(),
            uids::JPEG2000_LOSSLESS
                | uids::JPEG2000
                | uids::JPEG2000MC_LOSSLESS
                | uids::JPEG2000MC
                | uids::HTJ2K_LOSSLESS
                | uids::HTJ2K_LOSSLESS_RPCL
                | uids::HTJ2K
        )
    }

    pub(crate) fn codec(&self) -> Codec {
        match self.uid.as_str() {
            uids::IMPLICIT_VR_LITTLE_ENDIAN
            | uids::EXPLICIT_VR_LITTLE_ENDIAN
            | uids::ENCAPSULATED_UNCOMPRESSED_EXPLICIT_VR_LITTLE_ENDIAN
            | uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN
            | EXPLICIT_VR_BIG_ENDIAN => Codec::Native,
            uids::JPEG_BASELINE8_BIT
            | uids::JPEG_EXTENDED12_BIT
            | uids::JPEG_LOSSLESS
            | uids::JPEG_LOSSLESS_SV1 => Codec::Jpeg,
            uids::RLE_LOSSLESS => Codec::Rle,
            uids::MPEG4HP41
            | uids::MPEG4HP41F
            | uids::MPEG4HP41BD
            | uids::MPEG4HP41BDF
            | uids::MPEG4HP422D
            | uids::MPEG4HP422DF => Codec::Video,
            uid => {
                use dicom_encoding::TransferSyntaxIndex;
                let registry = dicom_transfer_syntax_registry::TransferSyntaxRegistry;
                match registry.get(uid) {
                    Some(ts) if ts.is_encapsulated_pixel_data() && ts.can_decode_all() => {
                        Codec::Registry
                    }
                    _ => Codec::Unsupported,
                }
            }
        }
    }
}

/// Largest frame decoded (8192 × 8192): bounds the memory a hostile header can ask for.
const MAX_PIXELS: u64 = 1 << 26;

/// Most pixels of all frames together (4.3 gigapixels: three minutes of 1024 × 768 at 30
/// frames a second). A few bytes of compressed data can claim thousands of large frames,
/// which would take hours to decode and clean.
pub const MAX_CLIP_PIXELS: u64 = 1 << 32;

/// Photometric Interpretation (0028,0004), as far as display is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Photometric {
    Monochrome1,
    Monochrome2,
    PaletteColor,
    Rgb,
    YbrFull,
    YbrFull422,
    Other(String),
}

impl Photometric {
    /// The value as written in (0028,0004).
    #[cfg(feature = "encode")]
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Monochrome1 => "MONOCHROME1",
            Self::Monochrome2 => "MONOCHROME2",
            Self::PaletteColor => "PALETTE COLOR",
            Self::Rgb => "RGB",
            Self::YbrFull => "YBR_FULL",
            Self::YbrFull422 => "YBR_FULL_422",
            Self::Other(name) => name,
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        match s.trim_matches(|c: char| c.is_whitespace() || c == '\0') {
            "MONOCHROME1" => Self::Monochrome1,
            "MONOCHROME2" => Self::Monochrome2,
            "PALETTE COLOR" => Self::PaletteColor,
            "RGB" => Self::Rgb,
            "YBR_FULL" => Self::YbrFull,
            "YBR_FULL_422" => Self::YbrFull422,
            other => Self::Other(other.to_string()),
        }
    }
}

/// A linear VOI window (PS3.3 C.11.2.1.2).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct VoiWindow {
    /// Window Center.
    pub center: f64,
    /// Window Width (at least 1).
    pub width: f64,
}

/// Everything the viewer and `sonohub dicom info` need to know about a clip.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClipInfo {
    /// Rows (image height).
    pub rows: u32,
    /// Columns (image width).
    pub columns: u32,
    /// Number of Frames (1 for single-frame images).
    pub frames: u32,
    /// Photometric Interpretation as written, e.g. "YBR_FULL_422".
    pub photometric: String,
    /// Transfer syntax of the pixel data.
    pub transfer_syntax: TransferSyntaxInfo,
    /// Bits Allocated.
    pub bits_allocated: u16,
    /// Bits Stored.
    pub bits_stored: u16,
    /// Samples per Pixel.
    pub samples_per_pixel: u16,
    /// Planar Configuration (0: interleaved, 1: by plane).
    pub planar_configuration: u16,
    /// Nominal time per frame in ms.
    pub frame_time_ms: f64,
    /// Per-frame increments in ms when the file has a Frame Time Vector.
    pub frame_time_vector_ms: Option<Vec<f64>>,
    /// Which attribute the timing came from.
    pub timing_source: TimingSource,
    /// Sequence of Ultrasound Regions, clipped to the image.
    pub regions: Vec<UltrasoundRegion>,
    /// The first VOI window (Window Center, Window Width) for monochrome display; frames
    /// without one are shown from their minimum to their maximum.
    pub voi_window: Option<VoiWindow>,
    /// Modality, e.g. "US".
    pub modality: Option<String>,
    /// Why frames cannot be decoded, when known before trying.
    pub unsupported: Option<CineError>,
}

impl ClipInfo {
    /// The clip's timing, for playback.
    pub fn timing(&self) -> FrameTiming {
        FrameTiming {
            frame_time_ms: self.frame_time_ms,
            frame_time_vector_ms: self.frame_time_vector_ms.clone(),
            source: self.timing_source,
        }
    }

    pub(crate) fn photometric_kind(&self) -> Photometric {
        Photometric::parse(&self.photometric)
    }

    pub(crate) fn codec(&self) -> Codec {
        self.transfer_syntax.codec()
    }

    /// Whether frame `n` may be decoded: it exists and the layout is displayable.
    pub(crate) fn check_frame(&self, n: u32) -> Result<(), CineError> {
        if n >= self.frames {
            return Err(CineError::FrameOutOfRange {
                frame: n,
                frames: self.frames,
            });
        }
        match &self.unsupported {
            Some(problem) => Err(problem.clone()),
            None => Ok(()),
        }
    }

    /// What makes the pixel layout undisplayable, if anything.
    fn layout_problem(&self) -> Option<CineError> {
        if self.codec() == Codec::Unsupported {
            return Some(self.transfer_syntax.unsupported());
        }
        if self.codec() == Codec::Video {
            // The stream carries its own layout (YBR_PARTIAL_420, 8 bits); the browser
            // decodes it whole.
            return None;
        }
        if u64::from(self.rows) * u64::from(self.columns) > MAX_PIXELS {
            return Some(CineError::UnsupportedFeature {
                feature: format!("images over 64 megapixels ({}×{})", self.columns, self.rows),
            });
        }
        let total = u64::from(self.rows) * u64::from(self.columns) * u64::from(self.frames);
        if total > MAX_CLIP_PIXELS {
            return Some(CineError::UnsupportedFeature {
                feature: format!(
                    "clips over 4.3 gigapixels in all ({} frames of {}×{})",
                    self.frames, self.columns, self.rows
                ),
            });
        }
        let bits_ok = matches!(self.bits_allocated, 8 | 16)
            && (1..=self.bits_allocated).contains(&self.bits_stored);
        let spp_ok = matches!(self.samples_per_pixel, 1 | 3);
        if !bits_ok || !spp_ok {
            return Some(CineError::UnsupportedBits {
                bits_allocated: self.bits_allocated,
                samples_per_pixel: self.samples_per_pixel,
            });
        }
        let fits = match self.photometric_kind() {
            Photometric::Monochrome1 | Photometric::Monochrome2 | Photometric::PaletteColor => {
                self.samples_per_pixel == 1
            }
            Photometric::Rgb | Photometric::YbrFull | Photometric::YbrFull422 => {
                self.samples_per_pixel == 3
            }
            // Reversible and irreversible colour transforms of JPEG 2000: the codestream
            // carries the transform and the decoder undoes it, so the samples come out RGB.
            Photometric::Other(name) if matches!(name.as_str(), "YBR_RCT" | "YBR_ICT") => {
                self.samples_per_pixel == 3 && self.codec() == Codec::Registry
            }
            Photometric::Other(_) => false,
        };
        (!fits).then(|| CineError::UnsupportedPhotometric {
            photometric: format!(
                "{} with {} samples per pixel",
                self.photometric, self.samples_per_pixel
            ),
        })
    }
}

fn element(obj: &InMemDicomObject, tag: Tag) -> Option<&dicom_object::mem::InMemElement> {
    obj.element_opt(tag).ok().flatten()
}

pub(crate) fn int<T: TryFrom<i64>>(obj: &InMemDicomObject, tag: Tag) -> Option<T> {
    element(obj, tag)
        .and_then(|e| e.to_int::<i64>().ok())
        .and_then(|v| T::try_from(v).ok())
}

fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    element(obj, tag).and_then(|e| e.to_float64().ok())
}

pub(crate) fn floats(obj: &InMemDicomObject, tag: Tag) -> Option<Vec<f64>> {
    element(obj, tag).and_then(|e| e.to_multi_float64().ok())
}

fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    element(obj, tag)
        .and_then(|e| e.to_str().ok())
        .map(|s| {
            s.trim_matches(|c: char| c.is_whitespace() || c == '\0')
                .to_string()
        })
        .filter(|s| !s.is_empty())
}

fn tags_of(obj: &InMemDicomObject, tag: Tag) -> Vec<(u16, u16)> {
    match element(obj, tag).and_then(|e| e.value().primitive()) {
        Some(PrimitiveValue::Tags(t)) => t.iter().map(|t| (t.group(), t.element())).collect(),
        // Implicit VR files without the dictionary VR carry AT as raw little-endian words.
        Some(p) => p
            .to_bytes()
            .chunks_exact(4)
            .map(|c| {
                (
                    u16::from_le_bytes([c[0], c[1]]),
                    u16::from_le_bytes([c[2], c[3]]),
                )
            })
            .collect(),
        None => Vec::new(),
    }
}

fn region(item: &InMemDicomObject) -> RawRegion {
    RawRegion {
        x0: int(item, tags::REGION_LOCATION_MIN_X0).unwrap_or(0),
        y0: int(item, tags::REGION_LOCATION_MIN_Y0).unwrap_or(0),
        x1: int(item, tags::REGION_LOCATION_MAX_X1).unwrap_or(0),
        y1: int(item, tags::REGION_LOCATION_MAX_Y1).unwrap_or(0),
        spatial_format: int(item, tags::REGION_SPATIAL_FORMAT).unwrap_or(0),
        data_type: int(item, tags::REGION_DATA_TYPE).unwrap_or(0),
        flags: int(item, tags::REGION_FLAGS).unwrap_or(0),
        units_x: int(item, tags::PHYSICAL_UNITS_X_DIRECTION).unwrap_or(0),
        units_y: int(item, tags::PHYSICAL_UNITS_Y_DIRECTION).unwrap_or(0),
        physical_delta_x: float(item, tags::PHYSICAL_DELTA_X).unwrap_or(0.0),
        physical_delta_y: float(item, tags::PHYSICAL_DELTA_Y).unwrap_or(0.0),
        reference_pixel_x0: int(item, tags::REFERENCE_PIXEL_X0),
        reference_pixel_y0: int(item, tags::REFERENCE_PIXEL_Y0),
    }
}

fn voi_window(ds: &InMemDicomObject) -> Option<VoiWindow> {
    let first = |tag: Tag| floats(ds, tag).and_then(|v| v.first().copied());
    match (first(tags::WINDOW_CENTER), first(tags::WINDOW_WIDTH)) {
        (Some(center), Some(width)) if center.is_finite() && width.is_finite() && width >= 1.0 => {
            Some(VoiWindow { center, width })
        }
        _ => None,
    }
}

/// Reads a clip's description from a parsed file.
pub(crate) fn clip_info(obj: &DefaultDicomObject) -> Result<ClipInfo, CineError> {
    if element(obj, tags::PIXEL_DATA).is_none() {
        return Err(CineError::NoPixelData);
    }
    header_info(obj)
}

/// Reads a clip's description from the attributes before its Pixel Data, which the caller
/// has found (parsed with them, or left unparsed in the file).
pub(crate) fn header_info(obj: &DefaultDicomObject) -> Result<ClipInfo, CineError> {
    let ds: &InMemDicomObject = obj;
    let required = |tag: Tag, name: &str| -> Result<u32, CineError> {
        int::<u32>(ds, tag)
            .ok_or_else(|| CineError::malformed(format!("{name} is missing or invalid")))
    };
    let rows = required(tags::ROWS, "Rows")?;
    let columns = required(tags::COLUMNS, "Columns")?;
    if rows == 0 || columns == 0 {
        return Err(CineError::malformed(format!("image is {columns}×{rows}")));
    }
    let frames = match element(ds, tags::NUMBER_OF_FRAMES) {
        None => 1,
        Some(e) if e.is_empty() => 1,
        Some(e) => match e.to_int::<i64>() {
            Ok(n) if n >= 1 && n <= i64::from(u32::MAX) => n as u32,
            _ => {
                return Err(CineError::malformed(
                    "Number of Frames is not a positive integer",
                ));
            }
        },
    };
    let samples_per_pixel = int(ds, tags::SAMPLES_PER_PIXEL).unwrap_or(1);
    let bits_allocated = required(tags::BITS_ALLOCATED, "Bits Allocated")? as u16;
    let timing = frame_timing(
        &TimingAttributes {
            frame_time: float(ds, tags::FRAME_TIME),
            frame_time_vector: floats(ds, tags::FRAME_TIME_VECTOR),
            cine_rate: float(ds, tags::CINE_RATE),
            recommended_display_frame_rate: float(ds, tags::RECOMMENDED_DISPLAY_FRAME_RATE),
            frame_increment_pointer: tags_of(ds, tags::FRAME_INCREMENT_POINTER),
        },
        frames,
    );
    let regions = element(ds, tags::SEQUENCE_OF_ULTRASOUND_REGIONS)
        .and_then(|e| e.items())
        .map(|items| {
            items
                .iter()
                .filter_map(|item| clip_region(&region(item), columns, rows))
                .collect()
        })
        .unwrap_or_default();
    let mut info = ClipInfo {
        rows,
        columns,
        frames,
        photometric: text(ds, tags::PHOTOMETRIC_INTERPRETATION).unwrap_or_default(),
        transfer_syntax: TransferSyntaxInfo::from_uid(obj.meta().transfer_syntax()),
        bits_allocated,
        bits_stored: int(ds, tags::BITS_STORED).unwrap_or(bits_allocated),
        samples_per_pixel,
        planar_configuration: int(ds, tags::PLANAR_CONFIGURATION).unwrap_or(0),
        frame_time_ms: timing.frame_time_ms,
        frame_time_vector_ms: timing.frame_time_vector_ms,
        timing_source: timing.source,
        regions,
        voi_window: voi_window(ds),
        modality: text(ds, tags::MODALITY),
        unsupported: None,
    };
    info.unsupported = info.layout_problem();
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::TransferSyntaxInfo;

    /// A clip whose header claims more frames than any cine could have is refused before a
    /// single frame is decoded, whatever its data holds.
    #[cfg(feature = "synth")]
    #[test]
    fn a_clip_claiming_billions_of_pixels_is_refused_up_front() {
        use dicom_core::{DataElement, PrimitiveValue, VR};
        use dicom_dictionary_std::tags;
        let clip = crate::synth::synth_clip(&crate::synth::SynthOptions {
            width: 320,
            height: 240,
            frames: 2,
            syntax: crate::synth::SynthSyntax::Rle,
            fps: 25.0,
            seed: 1,
        })
        .unwrap();
        let claim = |frames: &str| {
            let mut obj = dicom_object::OpenFileOptions::new()
                .from_reader(&clip[128..])
                .unwrap();
            obj.put(DataElement::new(
                tags::NUMBER_OF_FRAMES,
                VR::IS,
                PrimitiveValue::from(frames),
            ));
            let mut out = Vec::new();
            obj.write_all(&mut out).unwrap();
            crate::Clip::parse(&out).map(|c| c.info().unsupported.clone())
        };
        assert!(matches!(claim("2"), Ok(None)));
        let huge = claim("60000");
        assert!(
            matches!(&huge, Ok(Some(crate::CineError::UnsupportedFeature { feature }))
                if feature.contains("gigapixels")),
            "{huge:?}"
        );
    }

    #[test]
    fn lists_show_the_short_label_and_otherwise_the_uid() {
        // The labels the study page's instance table shows.
        for (uid, label) in [
            ("1.2.840.10008.1.2", "Implicit VR LE"),
            ("1.2.840.10008.1.2.1", "Explicit VR LE"),
            ("1.2.840.10008.1.2.1.99", "Deflated"),
            ("1.2.840.10008.1.2.2", "Explicit VR BE"),
            ("1.2.840.10008.1.2.4.50", "JPEG baseline"),
            ("1.2.840.10008.1.2.4.51", "JPEG extended"),
            ("1.2.840.10008.1.2.4.57", "JPEG lossless"),
            ("1.2.840.10008.1.2.4.70", "JPEG lossless"),
            ("1.2.840.10008.1.2.4.90", "JPEG 2000 lossless"),
            ("1.2.840.10008.1.2.4.91", "JPEG 2000"),
            ("1.2.840.10008.1.2.5", "RLE"),
            ("1.2.840.10008.1.2.4.102", "H.264"),
            ("1.2.840.10008.1.2.4.103", "H.264"),
            ("1.2.840.10008.1.2.4.104", "H.264"),
            ("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.80"),
            ("1.2.840.10008.1.2.4.102.1", "1.2.840.10008.1.2.4.102.1"),
            ("1.2.3.4", "1.2.3.4"),
        ] {
            assert_eq!(TransferSyntaxInfo::short_name(uid), label, "{uid}");
        }
    }

    #[test]
    fn syntaxes_carry_the_standard_name_whatever_the_padding() {
        let jpeg = TransferSyntaxInfo::from_uid("1.2.840.10008.1.2.4.50\0");
        assert_eq!(jpeg.uid, "1.2.840.10008.1.2.4.50");
        assert_eq!(jpeg.name, "JPEG Baseline (Process 1)");
        assert_eq!(
            TransferSyntaxInfo::from_uid("1.2.840.10008.1.2.4.106.1").name,
            "MPEG-4 AVC/H.264 video"
        );
        assert_eq!(
            TransferSyntaxInfo::from_uid("1.2.3.4").name,
            "unknown transfer syntax"
        );
    }
}
