//! What the PHI check looks for: the identifying values read from the input, and every text
//! element of a data set to look for them in.
use super::text_of;
use crate::dicom::profile;
use dicom_core::header::Header;
use dicom_core::value::Value as DicomValue;
use dicom_core::{Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

/// Values in the input that identify the patient, the exam or the people and place.
pub(super) fn identifying_values(obj: &InMemDicomObject) -> Vec<(String, &'static str)> {
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

pub(super) fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// Every text element of a data set, at any depth: (path, VR, text).
pub(super) fn texts(obj: &InMemDicomObject, prefix: &str, out: &mut Vec<(String, VR, String)>) {
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
