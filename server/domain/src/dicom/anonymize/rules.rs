//! The attribute rules of the profile applied to a data set and every nested item: remove,
//! empty, clean, remap UIDs and shift dates.
use super::phi::find_token;
use super::pseudonyms::{is_standard_uid, uid_pseudonym};
use super::text_of;
use crate::dicom::dates;
use crate::dicom::profile::{self, Action};
use dicom_core::header::Header;
use dicom_core::value::Value as DicomValue;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_object::InMemDicomObject;

/// Takes every identifying value out of a descriptor's text, matched as the PHI check matches.
fn clean_text(text: &str, identifying: &[(String, &str)]) -> String {
    let mut out = text.to_string();
    // Longest first, so "WANG^LEI" goes before "WANG".
    let mut values: Vec<&String> = identifying.iter().map(|(v, _)| v).collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values {
        let mut from = 0;
        while let Some(found) = find_token(&out, v, from) {
            out.replace_range(found.clone(), "***");
            from = found.start + "***".len();
        }
    }
    out
}

/// What the rules need: the pseudonym secret, the patient's date offset and the identifying
/// values to clean out of descriptors.
pub(super) struct Context<'a> {
    pub(super) secret: &'a [u8],
    pub(super) shift: i64,
    pub(super) identifying: &'a [(String, &'static str)],
}

/// Applies the profile to a data set and every nested item.
pub(super) fn apply(obj: &mut InMemDicomObject, cx: &Context<'_>) {
    let tags: Vec<Tag> = obj.iter().map(|e| e.tag()).collect();
    for tag in tags {
        let Some(element) = obj.element_opt(tag).ok().flatten() else {
            continue;
        };
        let vr = element.vr();
        let action = profile::action(tag)
            .map(|(_, a)| a)
            .unwrap_or_else(|| profile::unlisted_action(tag, vr));
        match action {
            Action::Remove => {
                obj.remove_element(tag);
            }
            Action::Zero => {
                obj.put(DataElement::new(tag, vr, PrimitiveValue::Empty));
            }
            // Emptied here, in nested items too; the pseudonym is written afterwards.
            Action::Dummy if !matches!(element.value(), DicomValue::Sequence(_)) => {
                obj.put(DataElement::new(tag, vr, PrimitiveValue::Empty));
            }
            Action::Dummy | Action::Keep => {
                // Kept sequences are still walked.
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
