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
//! * The PHI check then scans every text element of the result, at any depth, for each
//!   identifying value read from the input, and the masked zones of every frame; a hit refuses
//!   the instance and names the element.
use super::dates;
use super::profile::{self, Action};
use cine::clean::{CleanedPixels, Mask, PixelRect, clean_pixels};
use dicom_core::header::Header;
use dicom_core::value::Value as DicomValue;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, InMemDicomObject};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Rectangles to black out on every image of one device and image size (burned-in text that
/// the ultrasound regions do not exclude).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceMask {
    pub manufacturer: String,
    pub model: String,
    pub columns: u32,
    pub rows: u32,
    pub rects: Vec<PixelRect>,
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
    /// Black out burned-in text (Clean Pixel Data Option). Off only for header-only work,
    /// such as comparing with tools that never touch pixels; the output then says so.
    pub clean_pixels: bool,
}

impl Default for AnonymizeConfig {
    fn default() -> Self {
        AnonymizeConfig {
            secret: Vec::new(),
            device_masks: Vec::new(),
            extra_masks: Vec::new(),
            clean_pixels: true,
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
}

/// Why an instance was refused. Nothing is written for it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnonymizeError {
    #[error("not a readable DICOM file: {0}")]
    Unreadable(String),
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
}

type HmacSha256 = Hmac<Sha256>;

/// DCM code of the Clean Pixel Data Option (PS3.16 CID 7050).
const CLEAN_PIXEL_DATA_CODE: &str = "113101";

fn keyed(secret: &[u8], purpose: &str, value: &str) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(purpose.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The pseudonym of a UID: `2.25.` and a 128-bit decimal (PS3.5 B.2).
pub fn uid_pseudonym(secret: &[u8], uid: &str) -> String {
    let hash = keyed(secret, "uid", uid.trim_end_matches(['\0', ' ']));
    let n = u128::from_be_bytes(hash[..16].try_into().expect("16 bytes"));
    format!("2.25.{n}")
}

/// The patient's pseudonymous key and date offset (−3650…−365 days).
pub fn patient_pseudonym(secret: &[u8], issuer: &str, id: &str) -> (String, i64) {
    let source = format!("{}\\{}", issuer.trim(), id.trim());
    let key = keyed(secret, "patient", &source);
    let hex: String = key[..8].iter().map(|b| format!("{b:02X}")).collect();
    let shift = keyed(secret, "date-shift", &source);
    let days = u32::from_be_bytes(shift[..4].try_into().expect("4 bytes")) % 3286;
    (format!("SH{hex}"), -365 - i64::from(days))
}

/// DICOM-defined UIDs (SOP classes, transfer syntaxes, coding schemes) identify nothing.
fn is_standard_uid(uid: &str) -> bool {
    uid.starts_with("1.2.840.10008.")
}

fn text_of(e: &DataElement<InMemDicomObject>) -> Option<String> {
    match e.value() {
        DicomValue::Primitive(p) => Some(p.to_str().trim_end_matches(['\0', ' ']).to_string()),
        _ => None,
    }
}

/// Values in the input that identify the patient, the exam or the people and place.
fn identifying_values(obj: &InMemDicomObject) -> Vec<(String, &'static str)> {
    const SOURCES: &[(Tag, &str)] = &[
        (tags::PATIENT_NAME, "Patient's Name"),
        (tags::PATIENT_ID, "Patient ID"),
        (Tag(0x0010, 0x1000), "Other Patient IDs"),
        (tags::OTHER_PATIENT_NAMES, "Other Patient Names"),
        (tags::PATIENT_BIRTH_DATE, "Patient's Birth Date"),
        (tags::PATIENT_BIRTH_NAME, "Patient's Birth Name"),
        (tags::PATIENT_ADDRESS, "Patient's Address"),
        (
            tags::PATIENT_TELEPHONE_NUMBERS,
            "Patient's Telephone Numbers",
        ),
        (
            tags::PATIENT_MOTHER_BIRTH_NAME,
            "Patient's Mother's Birth Name",
        ),
        (Tag(0x0010, 0x1090), "Medical Record Locator"),
        (tags::ACCESSION_NUMBER, "Accession Number"),
        (tags::STUDY_ID, "Study ID"),
        (tags::ADMISSION_ID, "Admission ID"),
        (tags::REQUESTED_PROCEDURE_ID, "Requested Procedure ID"),
        (tags::INSTITUTION_NAME, "Institution Name"),
        (tags::INSTITUTION_ADDRESS, "Institution Address"),
        (
            tags::INSTITUTIONAL_DEPARTMENT_NAME,
            "Institutional Department Name",
        ),
        (tags::REFERRING_PHYSICIAN_NAME, "Referring Physician's Name"),
        (
            tags::PERFORMING_PHYSICIAN_NAME,
            "Performing Physicians' Name",
        ),
        (
            tags::NAME_OF_PHYSICIANS_READING_STUDY,
            "Name of Physician(s) Reading Study",
        ),
        (tags::PHYSICIANS_OF_RECORD, "Physician(s) of Record"),
        (tags::OPERATORS_NAME, "Operators' Name"),
        (tags::REQUESTING_PHYSICIAN, "Requesting Physician"),
        (tags::STATION_NAME, "Station Name"),
        (tags::DEVICE_SERIAL_NUMBER, "Device Serial Number"),
    ];
    let mut values = Vec::new();
    for (tag, name) in SOURCES {
        let Some(text) = obj.element_opt(*tag).ok().flatten().and_then(text_of) else {
            continue;
        };
        // Whole values, each of several (\), and each part of a person name (^).
        let mut parts: Vec<String> = vec![text.clone()];
        for v in text.split('\\') {
            parts.push(v.to_string());
            // A person name: its representations (=), then their components (^).
            for group in v.split('=') {
                parts.push(group.to_string());
                parts.extend(group.split('^').map(str::to_string));
            }
        }
        for part in parts {
            let part = part.trim().to_string();
            if significant(&part) && !values.iter().any(|(v, _)| *v == part) {
                values.push((part, *name));
            }
        }
    }
    values
}

/// Long enough to identify: three characters, or two of CJK (a Chinese name can be two).
fn significant(value: &str) -> bool {
    let chars = value.chars().count();
    chars >= 3 || (chars == 2 && value.chars().all(|c| !c.is_ascii()))
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// Takes every identifying value out of a descriptor's text.
fn clean_text(text: &str, identifying: &[(String, &str)]) -> String {
    let mut out = text.to_string();
    // Longest first, so "WANG^LEI" goes before "WANG".
    let mut values: Vec<&String> = identifying.iter().map(|(v, _)| v).collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values {
        while let Some(at) = out.to_lowercase().find(&v.to_lowercase()) {
            // Lower-casing keeps byte offsets for the scripts in DICOM text; check anyway.
            if !out.is_char_boundary(at) || !out.is_char_boundary(at + v.len()) {
                return String::new();
            }
            out.replace_range(at..at + v.len(), "***");
        }
    }
    out
}

struct Context<'a> {
    secret: &'a [u8],
    shift: i64,
    identifying: &'a [(String, &'static str)],
}

/// Applies the profile to a data set and every nested item.
fn apply(obj: &mut InMemDicomObject, cx: &Context<'_>) {
    let tags: Vec<Tag> = obj.iter().map(|e| e.tag()).collect();
    for tag in tags {
        // Private attributes, overlays (burned-in graphics and their comments) and curves go.
        if tag.group() % 2 == 1
            || (0x6000..=0x60FF).contains(&tag.group())
            || (0x5000..=0x50FF).contains(&tag.group())
        {
            obj.remove_element(tag);
            continue;
        }
        let Some(element) = obj.element_opt(tag).ok().flatten() else {
            continue;
        };
        let vr = element.vr();
        let action = profile::action(tag).map(|(_, a)| a).unwrap_or(match vr {
            VR::UI => Action::Uid,
            VR::DA | VR::DT => Action::ShiftDate,
            VR::PN => Action::Zero,
            _ => Action::Keep,
        });
        match action {
            Action::Remove => {
                obj.remove_element(tag);
            }
            Action::Zero => {
                obj.put(DataElement::new(tag, vr, PrimitiveValue::Empty));
            }
            Action::Dummy | Action::Keep => {
                // The pseudonym is written afterwards; kept sequences are still walked.
                if let DicomValue::Sequence(_) = element.value() {
                    walk_items(obj, tag, cx);
                }
            }
            Action::Clean => {
                if let Some(text) = text_of(element) {
                    let cleaned = clean_text(&text, cx.identifying);
                    obj.put(DataElement::new(tag, vr, PrimitiveValue::from(cleaned)));
                }
            }
            Action::Uid => match element.value() {
                DicomValue::Sequence(_) => walk_items(obj, tag, cx),
                DicomValue::Primitive(p) => {
                    let uids: Vec<String> = p
                        .to_multi_str()
                        .iter()
                        .map(|u| u.trim_end_matches(['\0', ' ']).to_string())
                        .map(|u| {
                            if is_standard_uid(&u) || u.is_empty() {
                                u
                            } else {
                                uid_pseudonym(cx.secret, &u)
                            }
                        })
                        .collect();
                    obj.put(DataElement::new(
                        tag,
                        VR::UI,
                        PrimitiveValue::Strs(uids.into()),
                    ));
                }
                DicomValue::PixelSequence(_) => {}
            },
            Action::ShiftDate => {
                if let Some(text) = text_of(element) {
                    let shifted: Vec<String> = text
                        .split('\\')
                        .filter_map(|d| dates::shift(d.trim(), cx.shift))
                        .collect();
                    if shifted.is_empty() {
                        obj.put(DataElement::new(tag, vr, PrimitiveValue::Empty));
                    } else {
                        obj.put(DataElement::new(
                            tag,
                            vr,
                            PrimitiveValue::Strs(shifted.into()),
                        ));
                    }
                }
            }
        }
    }
}

/// Applies the profile inside each item of the sequence at `tag`.
fn walk_items(obj: &mut InMemDicomObject, tag: Tag, cx: &Context<'_>) {
    let Some(element) = obj.element_opt(tag).ok().flatten() else {
        return;
    };
    let DicomValue::Sequence(seq) = element.value() else {
        return;
    };
    let mut items: Vec<InMemDicomObject> = seq.items().to_vec();
    for item in &mut items {
        apply(item, cx);
    }
    obj.put(DataElement::new(
        tag,
        VR::SQ,
        DicomValue::from(dicom_core::value::DataSetSequence::from(items)),
    ));
}

/// Every text element of a data set, at any depth: (path, VR, text).
fn texts(obj: &InMemDicomObject, prefix: &str, out: &mut Vec<(String, VR, String)>) {
    for e in obj.iter() {
        let tag = e.tag();
        let name = profile::action(tag)
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| format!("{tag}"));
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix} › {name}")
        };
        match e.value() {
            DicomValue::Sequence(seq) => {
                for item in seq.items() {
                    texts(item, &path, out);
                }
            }
            DicomValue::Primitive(_)
                if matches!(
                    e.vr(),
                    VR::AE
                        | VR::AS
                        | VR::CS
                        | VR::DA
                        | VR::DS
                        | VR::DT
                        | VR::IS
                        | VR::LO
                        | VR::LT
                        | VR::PN
                        | VR::SH
                        | VR::ST
                        | VR::TM
                        | VR::UC
                        | VR::UI
                        | VR::UR
                        | VR::UT
                ) =>
            {
                if let Some(t) = text_of(e) {
                    out.push((format!("{path} {tag}"), e.vr(), t));
                }
            }
            _ => {}
        }
    }
}

fn first_text(obj: &InMemDicomObject, tag: Tag) -> String {
    obj.element_opt(tag)
        .ok()
        .flatten()
        .and_then(text_of)
        .unwrap_or_default()
}

/// What to black out: everything outside the ultrasound regions (the whole image when only a
/// device mask is known), the device's rectangles and those an expert drew.
fn pixel_mask(clip: &cine::Clip, cfg: &AnonymizeConfig) -> Result<Mask, AnonymizeError> {
    let source = clip.object();
    let info = clip.info();
    let manufacturer = first_text(source, tags::MANUFACTURER);
    let model = first_text(source, tags::MANUFACTURER_MODEL_NAME);
    let keep: Vec<PixelRect> = info
        .regions
        .iter()
        .map(|r| PixelRect {
            x0: r.x0,
            y0: r.y0,
            x1: r.x1,
            y1: r.y1,
        })
        .collect();
    let mut remove: Vec<PixelRect> = cfg.extra_masks.clone();
    let device_rects: Vec<PixelRect> = cfg
        .device_masks
        .iter()
        .filter(|d| {
            d.manufacturer.eq_ignore_ascii_case(manufacturer.trim())
                && d.model.eq_ignore_ascii_case(model.trim())
                && d.columns == info.columns
                && d.rows == info.rows
        })
        .flat_map(|d| d.rects.iter().copied())
        .collect();
    if keep.is_empty() && device_rects.is_empty() {
        return Err(AnonymizeError::NoImageArea);
    }
    remove.extend(device_rects);
    let full = [PixelRect {
        x0: 0,
        y0: 0,
        x1: info.columns.saturating_sub(1),
        y1: info.rows.saturating_sub(1),
    }];
    Ok(Mask::new(
        info.columns,
        info.rows,
        if keep.is_empty() { &full } else { &keep },
        &remove,
    ))
}

/// Puts cleaned pixel data with its layout and compression, then Burned In Annotation = NO.
pub(super) fn put_cleaned_pixels(
    obj: &mut DefaultDicomObject,
    cleaned: CleanedPixels,
    source_syntax: &str,
) {
    let put_str = |obj: &mut DefaultDicomObject, tag: Tag, vr: VR, value: &str| {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    };
    let recoded = cleaned.transfer_syntax != source_syntax;
    obj.put(DataElement::new(tags::PIXEL_DATA, VR::OB, cleaned.value));
    put_str(
        obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        &cleaned.photometric,
    );
    if recoded {
        obj.put(DataElement::new(
            tags::PLANAR_CONFIGURATION,
            VR::US,
            PrimitiveValue::from(0u16),
        ));
        if let Some(ratio) = cleaned.lossy_ratio {
            put_str(obj, tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "01");
            put_str(
                obj,
                tags::LOSSY_IMAGE_COMPRESSION_METHOD,
                VR::CS,
                "ISO_10918_1",
            );
            put_str(
                obj,
                tags::LOSSY_IMAGE_COMPRESSION_RATIO,
                VR::DS,
                &format!("{:.2}", 1.0 / ratio.max(1e-6)),
            );
        }
    }
    put_str(obj, tags::BURNED_IN_ANNOTATION, VR::CS, "NO");
    obj.meta_mut().transfer_syntax = cleaned.transfer_syntax;
}

/// Decodes every frame of the output: each masked pixel must be black (near black after a
/// lossy re-encode).
pub(super) fn check_masked_pixels(
    out: &[u8],
    mask: &Mask,
    lossy: bool,
) -> Result<(), AnonymizeError> {
    let stored = cine::Clip::parse(out).map_err(|e| AnonymizeError::Pixels(e.to_string()))?;
    let limit = if lossy { 48 } else { 0 };
    let check = |n: u32| -> Result<(), AnonymizeError> {
        let frame = stored
            .decode_frame(n)
            .map_err(|e| AnonymizeError::Pixels(e.to_string()))?;
        let dirty = mask
            .black
            .iter()
            .zip(frame.rgba.chunks_exact(4))
            .any(|(black, px)| *black && px[..3].iter().any(|v| *v > limit));
        if dirty {
            return Err(AnonymizeError::PixelsNotBlank { frame: n });
        }
        Ok(())
    };
    // Frames are independent: one interleaved share per core.
    let frames = stored.info().frames;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1)
        .clamp(1, frames.max(1));
    let results: Vec<Result<(), AnonymizeError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let check = &check;
                scope.spawn(move || (t..frames).step_by(threads as usize).try_for_each(check))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(AnonymizeError::Pixels("a checking thread failed".into()))
                })
            })
            .collect()
    });
    // The first dirty frame in frame order, whichever thread found it.
    let mut failures: Vec<AnonymizeError> = results.into_iter().filter_map(Result::err).collect();
    failures.sort_by_key(|e| match e {
        AnonymizeError::PixelsNotBlank { frame } => *frame,
        _ => 0,
    });
    failures.into_iter().next().map_or(Ok(()), Err)
}

/// De-identifies one DICOM Part 10 file.
pub fn anonymize(bytes: &[u8], cfg: &AnonymizeConfig) -> Result<Anonymized, AnonymizeError> {
    let clip = cine::Clip::parse(bytes).map_err(|e| AnonymizeError::Unreadable(e.to_string()))?;
    // One parse: the clip decodes the pixels, then gives up its data set for editing.
    // Pixels first: the mask needs the regions and the device, read from the input.
    let cleaning = if cfg.clean_pixels {
        let mask = pixel_mask(&clip, cfg)?;
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
    })
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

/// The header part of the profile, in place: every attribute rule, the pseudonyms, the
/// de-identification method (claiming Clean Pixel Data only when `pixels_cleaned`), the file
/// meta, then the PHI check of every text element against the values it started with.
fn deidentify_header(
    obj: &mut DefaultDicomObject,
    cfg: &AnonymizeConfig,
    pixels_cleaned: bool,
) -> Result<HeaderIds, AnonymizeError> {
    let identifying = identifying_values(obj);
    let original_uids: Vec<String> = {
        let mut all = Vec::new();
        texts(obj, "", &mut all);
        all.into_iter()
            .filter(|(_, vr, _)| *vr == VR::UI)
            .flat_map(|(_, _, v)| v.split('\\').map(str::to_string).collect::<Vec<_>>())
            .filter(|u| !is_standard_uid(u) && u.len() > 8)
            .collect()
    };
    let (patient_key, shift) = patient_pseudonym(
        &cfg.secret,
        &first_text(obj, tags::ISSUER_OF_PATIENT_ID),
        &first_text(obj, tags::PATIENT_ID),
    );
    let cx = Context {
        secret: &cfg.secret,
        shift,
        identifying: &identifying,
    };
    apply(obj, &cx);

    let put_str = |obj: &mut DefaultDicomObject, tag: Tag, vr: VR, value: &str| {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    };
    put_str(obj, tags::PATIENT_NAME, VR::PN, &patient_key);
    put_str(obj, tags::PATIENT_ID, VR::LO, &patient_key);
    put_str(obj, tags::PATIENT_IDENTITY_REMOVED, VR::CS, "YES");
    put_str(
        obj,
        tags::LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED,
        VR::CS,
        "MODIFIED",
    );
    // Only what was done is claimed: header-only runs leave out Clean Pixel Data.
    let options = [
        (
            "113100",
            "Basic Application Confidentiality Profile",
            "Basic",
        ),
        (
            "113107",
            "Retain Longitudinal Temporal Information Modified Dates Option",
            "Modified Dates",
        ),
        ("113101", "Clean Pixel Data Option", "Clean Pixel"),
        ("113105", "Clean Descriptors Option", "Clean Descriptors"),
    ];
    let options: Vec<_> = options
        .iter()
        .filter(|(code, _, _)| pixels_cleaned || *code != CLEAN_PIXEL_DATA_CODE)
        .collect();
    let method: Vec<&str> = options.iter().map(|(_, _, short)| *short).collect();
    put_str(
        obj,
        tags::DEIDENTIFICATION_METHOD,
        VR::LO,
        &format!("SonoHub PS3.15 E.1 {}", method.join("; ")),
    );
    let items: Vec<InMemDicomObject> = options
        .iter()
        .map(|(value, meaning, _)| {
            InMemDicomObject::from_element_iter([
                DataElement::new(tags::CODE_VALUE, VR::SH, PrimitiveValue::from(*value)),
                DataElement::new(
                    tags::CODING_SCHEME_DESIGNATOR,
                    VR::SH,
                    PrimitiveValue::from("DCM"),
                ),
                DataElement::new(tags::CODE_MEANING, VR::LO, PrimitiveValue::from(*meaning)),
            ])
        })
        .collect();
    obj.put(DataElement::new(
        tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE,
        VR::SQ,
        DicomValue::from(dicom_core::value::DataSetSequence::from(items)),
    ));

    let sop_uid = first_text(obj, tags::SOP_INSTANCE_UID);
    let study_uid = first_text(obj, tags::STUDY_INSTANCE_UID);
    let series_uid = first_text(obj, tags::SERIES_INSTANCE_UID);
    {
        let meta = obj.meta_mut();
        meta.media_storage_sop_instance_uid = sop_uid.clone();
        meta.update_information_group_length();
    }

    // The PHI check: no identifying value and no source UID in any text element.
    let mut all = Vec::new();
    texts(obj, "", &mut all);
    for (path, _, text) in &all {
        if let Some((_, source)) = identifying.iter().find(|(v, _)| contains_ci(text, v)) {
            return Err(AnonymizeError::Phi {
                element: format!("{path} (holds the {source})"),
            });
        }
        if original_uids.iter().any(|u| text.contains(u.as_str())) {
            return Err(AnonymizeError::Phi {
                element: format!("{path} (holds a source UID)"),
            });
        }
    }
    Ok(HeaderIds {
        patient_key,
        shift,
        study_uid,
        series_uid,
        sop_uid,
    })
}

/// Headers only, for files whose Pixel Data is their last element: `head` holds the file from
/// its preamble to at least the start of Pixel Data, which is at `pixel_offset`. Returns the
/// de-identified file up to (not including) Pixel Data; the caller appends the source's bytes
/// from `pixel_offset` unchanged.
pub fn anonymize_header(
    head: &[u8],
    pixel_offset: usize,
    cfg: &AnonymizeConfig,
) -> Result<(Vec<u8>, HeaderIds), AnonymizeError> {
    let unreadable = |e: &dyn std::fmt::Display| AnonymizeError::Unreadable(e.to_string());
    let part = head
        .get(128..pixel_offset)
        .ok_or_else(|| unreadable(&"the header is shorter than its pixel data offset"))?;
    let mut obj = dicom_object::OpenFileOptions::new()
        .from_reader(part)
        .map_err(|e| unreadable(&e))?;
    let ids = deidentify_header(&mut obj, cfg, false)?;
    let mut out = Vec::with_capacity(pixel_offset + 1024);
    obj.write_all(&mut out).map_err(|e| unreadable(&e))?;
    Ok((out, ids))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
    use dicom_core::value::DataSetSequence;
    use dicom_object::OpenFileOptions;

    const SECRET: &[u8] = b"test-secret-of-sufficient-length";

    fn put(obj: &mut InMemDicomObject, tag: Tag, vr: VR, value: &str) {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    }

    /// A synthetic clip dressed as a real exam of `patient_id`, in study `study_uid`.
    fn exam(patient_id: &str, study_uid: &str, syntax: SynthSyntax) -> Vec<u8> {
        let bytes = synth_clip(&SynthOptions {
            width: 160,
            height: 120,
            frames: 3,
            syntax,
            ..SynthOptions::default()
        })
        .expect("synth");
        let mut obj = OpenFileOptions::new()
            .from_reader(&bytes[128..])
            .expect("object");
        let o: &mut InMemDicomObject = &mut obj;
        put(o, tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 192");
        put(o, tags::PATIENT_NAME, VR::PN, "WANG^XIAOMING=王小明");
        put(o, tags::PATIENT_ID, VR::LO, patient_id);
        put(o, tags::ISSUER_OF_PATIENT_ID, VR::LO, "HUB-HOSPITAL");
        put(o, tags::PATIENT_BIRTH_DATE, VR::DA, "19620517");
        put(o, tags::PATIENT_SEX, VR::CS, "M");
        put(o, tags::ACCESSION_NUMBER, VR::SH, "ACC778899");
        put(
            o,
            tags::INSTITUTION_NAME,
            VR::LO,
            "Riverside Community Health Centre",
        );
        put(o, tags::REFERRING_PHYSICIAN_NAME, VR::PN, "ZHAO^GANG");
        put(
            o,
            tags::STUDY_DESCRIPTION,
            VR::LO,
            "Thyroid for WANG^XIAOMING",
        );
        put(o, tags::STUDY_DATE, VR::DA, "20240310");
        put(o, tags::STUDY_TIME, VR::TM, "101530");
        put(o, tags::STUDY_INSTANCE_UID, VR::UI, study_uid);
        put(o, tags::MANUFACTURER, VR::LO, "Acme");
        put(o, Tag(0x0009, 0x0010), VR::LO, "ACME PRIVATE");
        put(o, Tag(0x0009, 0x1001), VR::LO, patient_id);
        let item = InMemDicomObject::from_element_iter([
            DataElement::new(
                tags::REFERENCED_SOP_CLASS_UID,
                VR::UI,
                PrimitiveValue::from("1.2.840.10008.5.1.4.1.1.3.1"),
            ),
            DataElement::new(
                tags::REFERENCED_SOP_INSTANCE_UID,
                VR::UI,
                PrimitiveValue::from("1.2.3.4.5.6.7.8.9"),
            ),
            DataElement::new(tags::PERSON_NAME, VR::PN, PrimitiveValue::from("LI^SI")),
        ]);
        obj.put(DataElement::new(
            tags::SOURCE_IMAGE_SEQUENCE,
            VR::SQ,
            DicomValue::from(DataSetSequence::from(vec![item])),
        ));
        let mut out = Vec::new();
        obj.write_all(&mut out).expect("write");
        out
    }

    fn read(bytes: &[u8]) -> DefaultDicomObject {
        OpenFileOptions::new()
            .from_reader(&bytes[128..])
            .expect("output parses")
    }

    fn cfg() -> AnonymizeConfig {
        AnonymizeConfig {
            secret: SECRET.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn the_basic_profile_is_applied_with_the_options() {
        let input = exam(
            "MRN-123456",
            "1.2.826.0.1.3680043.2.1125.1",
            SynthSyntax::Rgb,
        );
        let done = anonymize(&input, &cfg()).expect("anonymised");
        let out = read(&done.bytes);
        let text = |tag| first_text(&out, tag);
        // D: the pseudonym replaces the name and ID.
        assert!(done.patient_key.starts_with("SH") && done.patient_key.len() == 18);
        assert_eq!(text(tags::PATIENT_NAME), done.patient_key);
        assert_eq!(text(tags::PATIENT_ID), done.patient_key);
        // Z: emptied, still present.
        for tag in [
            tags::PATIENT_BIRTH_DATE,
            tags::ACCESSION_NUMBER,
            tags::REFERRING_PHYSICIAN_NAME,
            tags::PATIENT_SEX,
        ] {
            assert!(
                out.element_opt(tag).unwrap().is_some(),
                "{tag} kept as empty"
            );
            assert_eq!(text(tag), "", "{tag}");
        }
        // X: removed.
        for tag in [tags::INSTITUTION_NAME, tags::ISSUER_OF_PATIENT_ID] {
            assert!(out.element_opt(tag).unwrap().is_none(), "{tag} removed");
        }
        // Private attributes removed.
        assert!(out.iter().all(|e| e.tag().group() % 2 == 0));
        // C: the descriptor stays, without the name.
        assert_eq!(text(tags::STUDY_DESCRIPTION), "Thyroid for ***");
        // Dates shifted by the patient's offset, times kept.
        assert!((-3650..=-365).contains(&done.date_shift_days));
        assert_eq!(
            text(tags::STUDY_DATE),
            dates::shift("20240310", done.date_shift_days).unwrap()
        );
        assert_eq!(text(tags::STUDY_TIME), "101530");
        // U: UIDs replaced, standard ones kept, nested ones too; the meta follows.
        assert!(text(tags::STUDY_INSTANCE_UID).starts_with("2.25."));
        assert_eq!(text(tags::STUDY_INSTANCE_UID), done.study_uid);
        assert_eq!(
            out.meta()
                .media_storage_sop_instance_uid
                .trim_end_matches('\0'),
            done.sop_uid
        );
        assert!(text(tags::SOP_CLASS_UID).starts_with("1.2.840.10008."));
        let seq = out.element(tags::SOURCE_IMAGE_SEQUENCE).unwrap();
        let item = &seq.items().unwrap()[0];
        assert_eq!(
            first_text(item, tags::REFERENCED_SOP_INSTANCE_UID),
            uid_pseudonym(SECRET, "1.2.3.4.5.6.7.8.9")
        );
        assert_eq!(
            first_text(item, tags::REFERENCED_SOP_CLASS_UID),
            "1.2.840.10008.5.1.4.1.1.3.1"
        );
        assert_eq!(first_text(item, tags::PERSON_NAME), "");
        // What was done is recorded.
        assert_eq!(text(tags::PATIENT_IDENTITY_REMOVED), "YES");
        assert_eq!(text(tags::BURNED_IN_ANNOTATION), "NO");
        let codes = out
            .element(tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE)
            .unwrap();
        let values: Vec<String> = codes
            .items()
            .unwrap()
            .iter()
            .map(|i| first_text(i, tags::CODE_VALUE))
            .collect();
        assert_eq!(values, ["113100", "113107", "113101", "113105"]);
        // The clip still plays at its rate, and its banner rows are black.
        let clip = cine::Clip::parse(&done.bytes).expect("playable");
        assert_eq!(
            clip.info().frame_time_ms,
            cine::Clip::parse(&input).unwrap().info().frame_time_ms
        );
        assert!(done.masked_pixels > 0);
        let frame = clip.decode_frame(2).unwrap();
        assert!(
            frame
                .rgba
                .chunks_exact(4)
                .take(160 * 10)
                .all(|p| p[..3] == [0, 0, 0])
        );
        // Nothing of the source's identity anywhere in the bytes.
        for needle in [
            "MRN-123456",
            "XIAOMING",
            "ACC778899",
            "Riverside",
            "ZHAO",
            "19620517",
            "1.2.826.0.1.3680043.2.1125.1",
        ] {
            assert!(
                !done
                    .bytes
                    .windows(needle.len())
                    .any(|w| w == needle.as_bytes()),
                "{needle}"
            );
        }
        assert!(!String::from_utf8_lossy(&done.bytes).contains("王小明"));
    }

    #[test]
    fn pseudonyms_are_stable_per_patient_and_differ_between_patients() {
        let a1 = anonymize(&exam("MRN-1", "1.2.3.100", SynthSyntax::Rle), &cfg()).unwrap();
        let a1_again = anonymize(&exam("MRN-1", "1.2.3.100", SynthSyntax::Rle), &cfg()).unwrap();
        let a2 = anonymize(&exam("MRN-1", "1.2.3.200", SynthSyntax::Rle), &cfg()).unwrap();
        let b = anonymize(&exam("MRN-2", "1.2.3.300", SynthSyntax::Rle), &cfg()).unwrap();
        // Re-import: same UIDs, same bytes.
        assert_eq!(
            (a1.study_uid.clone(), a1.sop_uid.clone()),
            (a1_again.study_uid.clone(), a1_again.sop_uid.clone())
        );
        assert_eq!(a1.bytes, a1_again.bytes);
        // Another study of the same patient: same key, same date shift, another study UID.
        assert_eq!(a1.patient_key, a2.patient_key);
        assert_eq!(a1.date_shift_days, a2.date_shift_days);
        assert_ne!(a1.study_uid, a2.study_uid);
        // Another patient.
        assert_ne!(a1.patient_key, b.patient_key);
        // Another secret, other pseudonyms.
        let other = AnonymizeConfig {
            secret: b"another-secret-entirely-0000".to_vec(),
            ..Default::default()
        };
        let c = anonymize(&exam("MRN-1", "1.2.3.100", SynthSyntax::Rle), &other).unwrap();
        assert_ne!(c.patient_key, a1.patient_key);
        assert_ne!(c.study_uid, a1.study_uid);
    }

    #[test]
    fn identifying_text_in_an_unexpected_element_is_refused_and_named() {
        let input = exam("MRN-555", "1.2.3.400", SynthSyntax::Rgb);
        let mut obj = read(&input);
        put(
            &mut obj,
            tags::MANUFACTURER_MODEL_NAME,
            VR::LO,
            "Probe for MRN-555",
        );
        let mut bytes = Vec::new();
        obj.write_all(&mut bytes).unwrap();
        match anonymize(&bytes, &cfg()) {
            Err(AnonymizeError::Phi { element }) => {
                assert!(
                    element.contains("(0008,1090)") && element.contains("Patient ID"),
                    "{element}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn without_an_image_area_nothing_is_guessed() {
        let input = exam("MRN-9", "1.2.3.500", SynthSyntax::Rgb);
        let mut obj = read(&input);
        obj.remove_element(tags::SEQUENCE_OF_ULTRASOUND_REGIONS);
        let mut bytes = Vec::new();
        obj.write_all(&mut bytes).unwrap();
        assert_eq!(
            anonymize(&bytes, &cfg()).unwrap_err(),
            AnonymizeError::NoImageArea
        );
        // A device mask for this device and size is enough.
        let with_device = AnonymizeConfig {
            device_masks: vec![DeviceMask {
                manufacturer: "acme".into(),
                model: String::new(),
                columns: 160,
                rows: 120,
                rects: vec![PixelRect {
                    x0: 0,
                    y0: 0,
                    x1: 159,
                    y1: 19,
                }],
            }],
            ..cfg()
        };
        let done = anonymize(&bytes, &with_device).expect("device mask used");
        assert_eq!(done.masked_pixels, 160 * 20);
        assert!(
            anonymize(b"not dicom at all", &cfg())
                .unwrap_err()
                .to_string()
                .contains("not a readable DICOM")
        );
    }

    #[test]
    fn jpeg_clips_are_reencoded_with_the_cost_reported() {
        let done = anonymize(&exam("MRN-7", "1.2.3.600", SynthSyntax::Jpeg), &cfg()).unwrap();
        let psnr = done.reencode_psnr_db.expect("lossy");
        assert!(psnr > 35.0, "{psnr}");
        let out = read(&done.bytes);
        assert_eq!(first_text(&out, tags::LOSSY_IMAGE_COMPRESSION), "01");
        assert_eq!(
            out.meta().transfer_syntax.trim_end_matches('\0'),
            "1.2.840.10008.1.2.4.50"
        );
    }

    #[test]
    fn without_pixel_cleaning_the_pixels_are_kept_and_nothing_claims_they_were_cleaned() {
        let input = exam("MRN-8", "1.2.3.700", SynthSyntax::Rle);
        // The source says its pixels carry text; a header-only run must not deny it. No
        // ultrasound regions either: no image area is needed when pixels are left alone.
        let mut obj = read(&input);
        put(&mut obj, tags::BURNED_IN_ANNOTATION, VR::CS, "YES");
        obj.remove_element(tags::SEQUENCE_OF_ULTRASOUND_REGIONS);
        let mut bytes = Vec::new();
        obj.write_all(&mut bytes).unwrap();
        let headers_only = AnonymizeConfig {
            clean_pixels: false,
            ..cfg()
        };
        let done = anonymize(&bytes, &headers_only).expect("anonymised");
        let out = read(&done.bytes);
        // The pixels: the same encoded data, frame for frame, and nothing counted as masked.
        let source = read(&bytes);
        assert_eq!(
            out.element(tags::PIXEL_DATA).unwrap().value(),
            source.element(tags::PIXEL_DATA).unwrap().value()
        );
        assert_eq!(out.meta().transfer_syntax, source.meta().transfer_syntax);
        assert_eq!(done.masked_pixels, 0);
        assert_eq!(done.reencode_psnr_db, None);
        // Burned In Annotation as the source had it.
        assert_eq!(first_text(&out, tags::BURNED_IN_ANNOTATION), "YES");
        // The method names no pixel cleaning, in words or in codes.
        let method = first_text(&out, tags::DEIDENTIFICATION_METHOD);
        assert!(!method.contains("Pixel"), "{method}");
        let codes: Vec<String> = out
            .element(tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE)
            .unwrap()
            .items()
            .unwrap()
            .iter()
            .map(|i| first_text(i, tags::CODE_VALUE))
            .collect();
        assert_eq!(codes, ["113100", "113107", "113105"]);
        // The header check still runs: identifying text is refused as before.
        put(
            &mut obj,
            tags::MANUFACTURER_MODEL_NAME,
            VR::LO,
            "Probe for MRN-8",
        );
        let mut leaky = Vec::new();
        obj.write_all(&mut leaky).unwrap();
        assert!(matches!(
            anonymize(&leaky, &headers_only),
            Err(AnonymizeError::Phi { .. })
        ));
    }
}
