//! What the PHI check looks for and where: the identifying values read from the input, every
//! text element of a data set, and the match of a value in a text as a whole token.
use super::text_of;
use crate::dicom::profile;
use dicom_core::dictionary::DataDictionary;
use dicom_core::header::Header;
use dicom_core::value::Value as DicomValue;
use dicom_core::{Tag, VR};
use dicom_dictionary_std::{StandardDataDictionary, tags};
use dicom_object::InMemDicomObject;
use std::ops::Range;

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
    for (tag, source) in SOURCES {
        let Some(element) = obj.element_opt(*tag).ok().flatten() else {
            continue;
        };
        let Some(text) = text_of(element) else {
            continue;
        };
        // Each of several values (\); a person's name also as it may be written.
        for value in text.split('\\') {
            let parts = if element.vr() == VR::PN {
                name_parts(value)
            } else {
                vec![(value.to_string(), false)]
            };
            for (part, name_part) in parts {
                let part = part.trim_matches(is_separator).to_string();
                if significant(&part, name_part) && !values.iter().any(|(v, _)| *v == part) {
                    values.push((part, *source));
                }
            }
        }
    }
    values
}

/// A person's name as it may be written, each with whether it is one name alone: each
/// representation (=) whole and given name first, and its family, given and middle names.
/// Prefix and suffix (DR, JR) identify no one and are left out.
fn name_parts(name: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    for group in name.split('=') {
        let names: Vec<&str> = group
            .split('^')
            .take(3)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        parts.push((names.join(" "), false));
        if let [family, rest @ ..] = names.as_slice()
            && !rest.is_empty()
        {
            parts.push((format!("{} {family}", rest.join(" ")), false));
        }
        parts.extend(names.iter().map(|n| (n.to_string(), true)));
    }
    parts
}

/// Long enough to identify: three characters; two CJK characters (a Chinese name can be two);
/// or a two-letter name such as the pinyin surnames LI, MA, HE, WU, XU, which as whole words
/// are rare in a header. A one- or two-digit ID identifies no one and is a whole token in many
/// counts and measurements.
fn significant(value: &str, name_part: bool) -> bool {
    let chars = value.chars().count();
    chars >= 3
        || (chars == 2 && value.chars().all(|c| !c.is_ascii()))
        || (chars == 2 && name_part && value.chars().all(char::is_alphabetic))
}

/// Where `value` occurs in `text` at or after byte `from`, as a whole token: case ignored; a
/// name does not match inside a longer word (MARY in PRIMARY) nor a number inside a longer
/// number (204 in 12045), but CJK text, written without spaces, is matched anywhere. Each run
/// of separators in `value` (`^`, space, `-`…) matches any run in `text`, or none: WANG^LEI
/// is found in "Wang Lei" and "WANGLEI".
pub(super) fn find_token(text: &str, value: &str, from: usize) -> Option<Range<usize>> {
    let first = value.chars().next()?;
    let last = value.chars().next_back()?;
    text[from..].char_indices().find_map(|(at, _)| {
        let start = from + at;
        let end = start + match_len(&text[start..], value)?;
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let inside = before.is_some_and(|c| same_word(c, first))
            || after.is_some_and(|c| same_word(last, c));
        (!inside).then_some(start..end)
    })
}

/// Bytes of the start of `text` that `value` matches, as `find_token` matches.
fn match_len(text: &str, value: &str) -> Option<usize> {
    let mut text_chars = text.char_indices().peekable();
    let mut value_chars = value.chars().peekable();
    let mut len = 0;
    while let Some(v) = value_chars.next() {
        if is_separator(v) {
            while value_chars.next_if(|c| is_separator(*c)).is_some() {}
            while let Some((at, c)) = text_chars.next_if(|(_, c)| is_separator(*c)) {
                len = at + c.len_utf8();
            }
        } else {
            let (at, c) = text_chars.next()?;
            if c != v && !c.to_lowercase().eq(v.to_lowercase()) {
                return None;
            }
            len = at + c.len_utf8();
        }
    }
    Some(len)
}

fn is_separator(c: char) -> bool {
    !c.is_alphanumeric()
}

/// Two neighbouring characters of one word: digits of one number, or letters of a script
/// written with spaces between words.
fn same_word(a: char, b: char) -> bool {
    let letter = |c: char| c.is_alphabetic() && !is_cjk(c);
    (a.is_ascii_digit() && b.is_ascii_digit()) || (letter(a) && letter(b))
}

/// Han, kana and hangul: scripts that write names inside words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// Whether the check looks for identifying values in an element. Everywhere a person's name or
/// an ID could have been copied to, but not where none is drawn from and short values would be
/// found by chance:
/// * UIDs (UI). After the profile each is a keyed-hash pseudonym the anonymiser wrote (`2.25.`
///   and 39 digits) or a UID the standard defines, kept verbatim (`1.2.840.10008.…`); neither
///   can hold PHI, and an ID equal to one of their numbers (840) would be found by chance. A
///   source UID left in place is still refused: the source-UID check reads UI values too.
/// * Codes, numbers, dates and times (CS, AS, DS, IS, DA, DT, TM): defined terms such as Image
///   Type, measurements and counts, and dates the profile has shifted.
/// * Coded concepts (Code Value, Coding Scheme, Code Meaning), which come from a coding scheme:
///   the codes that name people (Person Identification Code Sequence) the profile removes.
/// * What the device says of itself (manufacturer, model, software versions) and the preset it
///   scanned with (Processing Function: Philips writes `OB_GENERAL`, and a patient named OB
///   is no reason to refuse the file).
/// * The de-identification method, which the anonymiser writes.
///
/// All free text (LO, LT, SH, ST, UT, UC, PN, UR) is searched, at any depth.
pub(super) fn searched(tag: Tag, vr: VR) -> bool {
    const NOT_SEARCHED: &[Tag] = &[
        tags::CODE_VALUE,
        tags::CODING_SCHEME_DESIGNATOR,
        tags::CODING_SCHEME_VERSION,
        tags::CODE_MEANING,
        tags::MANUFACTURER,
        tags::MANUFACTURER_MODEL_NAME,
        tags::SOFTWARE_VERSIONS,
        tags::SECONDARY_CAPTURE_DEVICE_MANUFACTURER,
        tags::SECONDARY_CAPTURE_DEVICE_MANUFACTURER_MODEL_NAME,
        tags::SECONDARY_CAPTURE_DEVICE_SOFTWARE_VERSIONS,
        tags::PROCESSING_FUNCTION,
        tags::DEIDENTIFICATION_METHOD,
    ];
    !matches!(
        vr,
        VR::UI | VR::CS | VR::AS | VR::DS | VR::IS | VR::DA | VR::DT | VR::TM
    ) && !NOT_SEARCHED.contains(&tag)
}

/// A text element found in a data set.
pub(super) struct TextElement {
    /// Where it is, for the refusal: "Referenced Image Sequence (0008,1140) › TransducerData
    /// (0018,5010)".
    pub(super) path: String,
    pub(super) tag: Tag,
    pub(super) vr: VR,
    pub(super) text: String,
}

/// Every text element of a data set, at any depth.
pub(super) fn texts(obj: &InMemDicomObject, prefix: &str, out: &mut Vec<TextElement>) {
    for e in obj.iter() {
        let tag = e.tag();
        let name = profile::action(tag)
            .map(|(name, _)| name)
            .or_else(|| StandardDataDictionary.by_tag(tag).map(|entry| entry.alias))
            .unwrap_or("");
        let path = match (prefix, name) {
            ("", "") => format!("{tag}"),
            ("", name) => format!("{name} {tag}"),
            (prefix, "") => format!("{prefix} › {tag}"),
            (prefix, name) => format!("{prefix} › {name} {tag}"),
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
                if let Some(text) = text_of(e) {
                    out.push(TextElement {
                        path,
                        tag,
                        vr: e.vr(),
                        text,
                    });
                }
            }
            _ => {}
        }
    }
}
