//! De-identification of one DICOM instance (PS3.15 Annex E Basic Application Level
//! Confidentiality Profile with Retain Longitudinal Temporal Information with Modified Dates,
//! Clean Pixel Data and Clean Descriptors), checked before anything is returned.
//!
//! * UIDs are replaced by `2.25.` + 128 bits of HMAC-SHA256(secret, uid), in the file meta and
//!   in every nested item, so importing the same study again gives the same UIDs.
//! * The patient gets a pseudonymous key and one date offset, both from the secret and the
//!   source patient (issuer + ID): all studies of one patient keep their intervals.
//! * Pixels outside the Sequence of Ultrasound Regions, inside the device's configured
//!   rectangles and inside rectangles an expert drew are blacked out in every frame (unless
//!   the caller turns pixel cleaning off; then the pixels, Burned In Annotation and the
//!   recorded method say so).
//! * The PHI check then scans the text elements of the result, at any depth, for each
//!   identifying value read from the input, as a whole token (MARY is not in PRIMARY), in every
//!   element a name or ID could have been copied to (not in UIDs, codes, numbers, dates or the
//!   device's own descriptions; see `phi::searched`), and the masked zones of every frame; a
//!   hit refuses the instance and names the element. What is kept at all is the profile's
//!   decision, not the check's.
//!
//! `rules` applies the attribute rules of the profile, `pseudonyms` derives the keyed UIDs,
//! patient keys and date offsets, `header` de-identifies the header and runs the PHI check
//! with what `phi` collects, and `pixels` masks, stores and verifies the cleaned pixels.
use cine::clean::{Mask, PixelRect, clean_pixels};
use dicom_core::value::Value as DicomValue;
use dicom_core::{DataElement, Tag};
use dicom_object::InMemDicomObject;
use serde::{Deserialize, Serialize};

mod header;
mod phi;
mod pixels;
mod pseudonyms;
mod rules;
#[cfg(test)]
mod tests;

use header::deidentify_header;
use pixels::pixel_mask;

pub use header::anonymize_header;
pub(super) use pixels::{check_masked_pixels, put_cleaned_pixels};
pub use pseudonyms::{patient_pseudonym, secret_check, uid_pseudonym};

/// What to clean on every image of one device and image size: where the image is when a file
/// carries no ultrasound regions (`keep`), and rectangles to black out in any case (burned-in
/// text the regions do not exclude).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceMask {
    /// The stored mask's id (masks from a `--device-masks` file have none); named in
    /// [`Anonymized::device_masks_used`] so every use is audited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub manufacturer: String,
    pub model: String,
    pub columns: u32,
    pub rows: u32,
    /// The image area: everything outside is blacked out when the file has no regions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<PixelRect>,
    #[serde(default)]
    pub rects: Vec<PixelRect>,
}

impl DeviceMask {
    /// Whether this mask is for a file of `manufacturer`, `model` and this size.
    pub fn applies_to(&self, manufacturer: &str, model: &str, columns: u32, rows: u32) -> bool {
        let device = model::Device {
            manufacturer: self.manufacturer.clone(),
            model: self.model.clone(),
            columns: self.columns,
            rows: self.rows,
        };
        device.matches(manufacturer, model, columns, rows)
    }
}

/// How to de-identify.
#[derive(Debug, Clone)]
pub struct AnonymizeConfig {
    /// Key of the UID, patient and date pseudonyms. Keep it secret and never change it:
    /// re-imports land on the same study only with the same secret.
    pub secret: Vec<u8>,
    /// Per-device rectangles.
    pub device_masks: Vec<DeviceMask>,
    /// Rectangles an expert drew on this clip.
    pub extra_masks: Vec<PixelRect>,
    /// The image area an expert marked on this file, used when it carries no ultrasound
    /// regions (a held file released by hand).
    pub image_area: Option<PixelRect>,
    /// Black out burned-in text (Clean Pixel Data Option). Off only for header-only work,
    /// such as comparing with tools that never touch pixels; the output then says so.
    pub clean_pixels: bool,
    /// Most pixels one object may hold in all its frames (`--max-megapixels`): a few
    /// megabytes of JPEG can declare gigapixels, which cleaning would decode.
    pub max_pixels: u64,
}

impl Default for AnonymizeConfig {
    fn default() -> Self {
        AnonymizeConfig {
            secret: Vec::new(),
            device_masks: Vec::new(),
            extra_masks: Vec::new(),
            image_area: None,
            clean_pixels: true,
            max_pixels: cine::MAX_CLIP_PIXELS,
        }
    }
}

/// A de-identified instance.
#[derive(Debug, Clone)]
pub struct Anonymized {
    /// The DICOM Part 10 file.
    pub bytes: Vec<u8>,
    pub patient_key: String,
    pub study_uid: String,
    pub series_uid: String,
    pub sop_uid: String,
    /// Days added to every date (negative: earlier).
    pub date_shift_days: i64,
    /// Pixels blacked out per frame.
    pub masked_pixels: usize,
    /// Cost of re-encoding JPEG frames, PSNR of the kept pixels (dB).
    pub reencode_psnr_db: Option<f64>,
    /// Ids of the stored device masks that cleaned it.
    pub device_masks_used: Vec<String>,
}

/// Why an instance was refused. Nothing is written for it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnonymizeError {
    #[error("not a readable DICOM file: {0}")]
    Unreadable(String),
    #[error("the object has no pixel data (a report, a plan, a waveform)")]
    NotAnImage,
    #[error(
        "no image area is known (no Sequence of Ultrasound Regions, no device mask): the burned-in text cannot be found"
    )]
    NoImageArea,
    #[error("pixel cleaning failed: {0}")]
    Pixels(String),
    #[error("identifying data is still present in {element}")]
    Phi { element: String },
    #[error("masked pixels are not blank in frame {frame}")]
    PixelsNotBlank { frame: u32 },
    #[error("{pixels} pixels in all frames, over the limit of {limit}")]
    TooManyPixels { pixels: u64, limit: u64 },
}

/// The pseudonyms a de-identified header carries.
#[derive(Debug, Clone)]
pub struct HeaderIds {
    pub patient_key: String,
    pub shift: i64,
    pub study_uid: String,
    pub series_uid: String,
    pub sop_uid: String,
}

fn text_of(e: &DataElement<InMemDicomObject>) -> Option<String> {
    match e.value() {
        DicomValue::Primitive(p) => Some(p.to_str().trim_end_matches(['\0', ' ']).to_string()),
        _ => None,
    }
}

fn first_text(obj: &InMemDicomObject, tag: Tag) -> String {
    obj.element_opt(tag)
        .ok()
        .flatten()
        .and_then(text_of)
        .unwrap_or_default()
}

/// De-identifies one DICOM Part 10 file.
pub fn anonymize(bytes: &[u8], cfg: &AnonymizeConfig) -> Result<Anonymized, AnonymizeError> {
    let clip = cine::Clip::parse(bytes).map_err(|e| match e {
        cine::CineError::NoPixelData => AnonymizeError::NotAnImage,
        e => AnonymizeError::Unreadable(e.to_string()),
    })?;
    let info = clip.info();
    let pixels = u64::from(info.rows) * u64::from(info.columns) * u64::from(info.frames.max(1));
    if pixels > cfg.max_pixels {
        return Err(AnonymizeError::TooManyPixels {
            pixels,
            limit: cfg.max_pixels,
        });
    }
    // One parse: the clip decodes the pixels, then gives up its data set for editing.
    // Pixels first: the mask needs the regions and the device, read from the input.
    let mut device_masks_used = Vec::new();
    let cleaning = if cfg.clean_pixels {
        let (mask, used) = pixel_mask(&clip, cfg)?;
        device_masks_used = used;
        let pixels =
            clean_pixels(&clip, &mask).map_err(|e| AnonymizeError::Pixels(e.to_string()))?;
        Some((mask, pixels))
    } else {
        None
    };
    let source_syntax = clip.info().transfer_syntax.uid.clone();
    let mut obj = clip.into_object();
    let ids = deidentify_header(&mut obj, cfg, cleaning.is_some())?;
    // The pixels: cleaned data, its layout, and only now Burned In Annotation = NO. Without
    // cleaning, the pixels and the source's Burned In Annotation stay as they were.
    let (mask, psnr) = match cleaning {
        Some((mask, pixels)) => {
            let psnr = pixels.reencode_psnr_db;
            put_cleaned_pixels(&mut obj, pixels, &source_syntax);
            obj.meta_mut().update_information_group_length();
            (Some(mask), psnr)
        }
        None => (None, None),
    };
    let mut out = Vec::new();
    obj.write_all(&mut out)
        .map_err(|e| AnonymizeError::Unreadable(e.to_string()))?;

    // And the pixels: decode what will be stored; every masked pixel must be blank.
    if let Some(mask) = &mask {
        check_masked_pixels(&out, mask, psnr.is_some())?;
    }
    Ok(Anonymized {
        bytes: out,
        patient_key: ids.patient_key,
        study_uid: ids.study_uid,
        series_uid: ids.series_uid,
        sop_uid: ids.sop_uid,
        date_shift_days: ids.shift,
        masked_pixels: mask.as_ref().map_or(0, Mask::count),
        reencode_psnr_db: psnr,
        device_masks_used,
    })
}
