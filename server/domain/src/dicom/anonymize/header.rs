//! The header part of the profile: attribute rules, pseudonyms, the recorded method and the
//! PHI check; also the header-only path for files whose pixels are copied unchanged.
use super::phi::{find_token, identifying_values, searched, texts};
use super::pseudonyms::{is_standard_uid, patient_pseudonym};
use super::rules::{Context, apply};
use super::{AnonymizeConfig, AnonymizeError, HeaderIds, first_text};
use dicom_core::value::Value as DicomValue;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, InMemDicomObject};

/// DCM code of the Clean Pixel Data Option (PS3.16 CID 7050).
const CLEAN_PIXEL_DATA_CODE: &str = "113101";

/// The header part of the profile, in place: every attribute rule, the pseudonyms, the
/// de-identification method (claiming Clean Pixel Data only when `pixels_cleaned`), the file
/// meta, then the PHI check of the text elements against the values it started with.
pub(super) fn deidentify_header(
    obj: &mut DefaultDicomObject,
    cfg: &AnonymizeConfig,
    pixels_cleaned: bool,
) -> Result<HeaderIds, AnonymizeError> {
    let identifying = identifying_values(obj);
    let original_uids: Vec<String> = {
        let mut all = Vec::new();
        texts(obj, "", &mut all);
        all.into_iter()
            .filter(|e| e.vr == VR::UI)
            .flat_map(|e| e.text.split('\\').map(str::to_string).collect::<Vec<_>>())
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

    // The PHI check: no source UID in any text element, and no identifying value as a whole
    // token in any element a name or ID could have been copied to. The patient key written
    // above is ours: its hex digits could hold a short ID by chance.
    let mut all = Vec::new();
    texts(obj, "", &mut all);
    for e in &all {
        if searched(e.tag, e.vr)
            && e.text != patient_key
            && let Some((_, source)) = identifying
                .iter()
                .find(|(v, _)| find_token(&e.text, v, 0).is_some())
        {
            return Err(AnonymizeError::Phi {
                element: format!("{} (holds the {source})", e.path),
            });
        }
        if original_uids.iter().any(|u| e.text.contains(u.as_str())) {
            return Err(AnonymizeError::Phi {
                element: format!("{} (holds a source UID)", e.path),
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
