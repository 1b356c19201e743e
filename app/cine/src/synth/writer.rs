//! The one DICOM writer of synthetic clips: an Ultrasound Multi-frame Image with a Sequence of
//! Ultrasound Regions, its frames stored as uncompressed RGB, RLE Lossless or JPEG baseline.
use super::SynthSyntax;
use crate::error::CineError;
use dicom_core::value::{DataSetSequence, PixelFragmentSequence, PrimitiveValue};
use dicom_core::{DataElement, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

/// The calibrated area of a clip and what one pixel measures there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Calibration {
    /// The calibrated image region, inclusive: (x0, y0, x1, y1).
    pub region: (u32, u32, u32, u32),
    /// The pixel whose physical position is (0, 0).
    pub reference: (f64, f64),
    /// Centimetres per pixel on both axes.
    pub cm_per_pixel: f64,
}

/// Everything the header says about a synthetic clip.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ClipHeader<'a> {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Number of frames.
    pub frames: u32,
    /// Frames per second (written as Frame Time).
    pub fps: f64,
    /// Storage of the pixel data.
    pub syntax: SynthSyntax,
    /// SOP Instance, Study and Series Instance UIDs.
    pub uids: [String; 3],
    /// Patient's Name and Patient ID (fake, also burned into the banner).
    pub patient: (&'a str, &'a str),
    /// Series Description, if any.
    pub series_description: Option<&'a str>,
    /// The ultrasound region.
    pub calibration: Calibration,
}

impl SynthSyntax {
    fn uid(self) -> &'static str {
        match self {
            SynthSyntax::Rgb => uids::EXPLICIT_VR_LITTLE_ENDIAN,
            SynthSyntax::Rle => uids::RLE_LOSSLESS,
            SynthSyntax::Jpeg => uids::JPEG_BASELINE8_BIT,
        }
    }
}

/// Refuses sizes and rates no clip can have.
pub(super) fn check_size(width: u32, height: u32, frames: u32, fps: f64) -> Result<(), CineError> {
    if width < 16 || height < 16 || frames == 0 {
        return Err(CineError::malformed(
            "synthetic clips need at least 16 × 16 pixels and 1 frame",
        ));
    }
    if !(fps.is_finite() && fps > 0.0) {
        return Err(CineError::malformed("frames per second must be positive"));
    }
    Ok(())
}

fn put(obj: &mut InMemDicomObject, tag: Tag, vr: VR, value: impl Into<PrimitiveValue>) {
    obj.put(DataElement::new(tag, vr, value.into()));
}

/// The Sequence of Ultrasound Regions item for a calibration.
fn region_item(c: &Calibration) -> InMemDicomObject {
    let mut item = InMemDicomObject::new_empty();
    let (x0, y0, x1, y1) = c.region;
    put(&mut item, tags::REGION_SPATIAL_FORMAT, VR::US, 1u16);
    put(&mut item, tags::REGION_DATA_TYPE, VR::US, 1u16);
    put(&mut item, tags::REGION_FLAGS, VR::UL, 0u32);
    put(&mut item, tags::REGION_LOCATION_MIN_X0, VR::UL, x0);
    put(&mut item, tags::REGION_LOCATION_MIN_Y0, VR::UL, y0);
    put(&mut item, tags::REGION_LOCATION_MAX_X1, VR::UL, x1);
    put(&mut item, tags::REGION_LOCATION_MAX_Y1, VR::UL, y1);
    put(
        &mut item,
        tags::REFERENCE_PIXEL_X0,
        VR::SL,
        c.reference.0 as i32,
    );
    put(
        &mut item,
        tags::REFERENCE_PIXEL_Y0,
        VR::SL,
        c.reference.1 as i32,
    );
    put(&mut item, tags::PHYSICAL_UNITS_X_DIRECTION, VR::US, 3u16);
    put(&mut item, tags::PHYSICAL_UNITS_Y_DIRECTION, VR::US, 3u16);
    for tag in [
        tags::REFERENCE_PIXEL_PHYSICAL_VALUE_X,
        tags::REFERENCE_PIXEL_PHYSICAL_VALUE_Y,
    ] {
        put(&mut item, tag, VR::FD, 0.0f64);
    }
    for tag in [tags::PHYSICAL_DELTA_X, tags::PHYSICAL_DELTA_Y] {
        put(&mut item, tag, VR::FD, c.cm_per_pixel);
    }
    item
}

fn even(mut bytes: Vec<u8>) -> Vec<u8> {
    if !bytes.len().is_multiple_of(2) {
        bytes.push(0);
    }
    bytes
}

/// The header of the clip: identity, image pixel module, timing and calibration.
fn header_object(h: &ClipHeader) -> Result<InMemDicomObject, CineError> {
    let rows = u16::try_from(h.height).map_err(|_| CineError::malformed("height over 65535"))?;
    let cols = u16::try_from(h.width).map_err(|_| CineError::malformed("width over 65535"))?;
    let mut obj = InMemDicomObject::new_empty();
    let sop_class = uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE;
    put(&mut obj, tags::SOP_CLASS_UID, VR::UI, sop_class);
    let [sop, study, series] = &h.uids;
    put(&mut obj, tags::SOP_INSTANCE_UID, VR::UI, sop.as_str());
    put(&mut obj, tags::STUDY_INSTANCE_UID, VR::UI, study.as_str());
    put(&mut obj, tags::SERIES_INSTANCE_UID, VR::UI, series.as_str());
    put(&mut obj, tags::MODALITY, VR::CS, "US");
    put(&mut obj, tags::PATIENT_NAME, VR::PN, h.patient.0);
    put(&mut obj, tags::PATIENT_ID, VR::LO, h.patient.1);
    if let Some(description) = h.series_description {
        put(&mut obj, tags::SERIES_DESCRIPTION, VR::LO, description);
    }
    put(&mut obj, tags::BURNED_IN_ANNOTATION, VR::CS, "YES");
    put(&mut obj, tags::SAMPLES_PER_PIXEL, VR::US, 3u16);
    let jpeg = h.syntax == SynthSyntax::Jpeg;
    let photometric = if jpeg { "YBR_FULL_422" } else { "RGB" };
    put(
        &mut obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        photometric,
    );
    put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 0u16);
    put(
        &mut obj,
        tags::NUMBER_OF_FRAMES,
        VR::IS,
        h.frames.to_string(),
    );
    let pointer = PrimitiveValue::Tags([tags::FRAME_TIME].into_iter().collect());
    put(&mut obj, tags::FRAME_INCREMENT_POINTER, VR::AT, pointer);
    let frame_time = 1000.0 / h.fps;
    put(
        &mut obj,
        tags::FRAME_TIME,
        VR::DS,
        format!("{frame_time:.4}"),
    );
    put(&mut obj, tags::ROWS, VR::US, rows);
    put(&mut obj, tags::COLUMNS, VR::US, cols);
    put(&mut obj, tags::BITS_ALLOCATED, VR::US, 8u16);
    put(&mut obj, tags::BITS_STORED, VR::US, 8u16);
    put(&mut obj, tags::HIGH_BIT, VR::US, 7u16);
    put(&mut obj, tags::PIXEL_REPRESENTATION, VR::US, 0u16);
    if jpeg {
        put(&mut obj, tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "01");
    }
    obj.put(DataElement::new(
        tags::SEQUENCE_OF_ULTRASOUND_REGIONS,
        VR::SQ,
        DataSetSequence::from(vec![region_item(&h.calibration)]),
    ));
    Ok(obj)
}

/// Stores the frames (interleaved 8-bit RGB each) as the Pixel Data of `obj`.
fn put_pixels(
    obj: &mut InMemDicomObject,
    h: &ClipHeader,
    frames: impl Iterator<Item = Vec<u8>>,
) -> Result<(), CineError> {
    let (w, ht) = (h.width, h.height);
    if h.syntax == SynthSyntax::Rgb {
        let mut all = Vec::with_capacity(w as usize * ht as usize * 3 * h.frames as usize);
        frames.for_each(|f| all.extend(f));
        put(obj, tags::PIXEL_DATA, VR::OB, even(all));
        return Ok(());
    }
    let fragments = frames
        .map(|f| match h.syntax {
            SynthSyntax::Jpeg => crate::clean::encode_jpeg(&f, w, ht, true, 90),
            _ => Ok(crate::clean::rle_encode(&f, 3, 1)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut offsets = Vec::with_capacity(fragments.len());
    let mut at = 0u32;
    for f in &fragments {
        offsets.push(at);
        at = at.saturating_add(8 + f.len() as u32);
    }
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PixelFragmentSequence::new(offsets, fragments),
    ));
    Ok(())
}

/// Writes a clip as a DICOM Part 10 file; `frames` yields `h.frames` RGB frames.
pub(super) fn write_clip(
    h: &ClipHeader,
    frames: impl Iterator<Item = Vec<u8>>,
) -> Result<Vec<u8>, CineError> {
    check_size(h.width, h.height, h.frames, h.fps)?;
    let mut obj = header_object(h)?;
    put_pixels(&mut obj, h, frames)?;
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(h.syntax.uid()))
        .map_err(|e| CineError::malformed(e.to_string()))?;
    let mut out = Vec::new();
    file.write_all(&mut out)
        .map_err(|e| CineError::malformed(e.to_string()))?;
    Ok(out)
}
