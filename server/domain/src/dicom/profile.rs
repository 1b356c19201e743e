//! PS3.15 Annex E, Table E.1-1: the Basic Application Level Confidentiality Profile, as applied
//! with the options Retain Longitudinal Temporal Information with Modified Dates and Clean
//! Descriptors (Clean Pixel Data is done on the pixels, see `cine::clean`).
//!
//! Where the table allows a choice (X/Z, X/D, X/Z/D) the attribute is removed unless the IOD
//! requires it (type 2), in which case it is emptied. Dates (DA, DT) that the table lets the
//! longitudinal option keep are shifted by the patient's offset; times are kept.
use dicom_core::dictionary::DataDictionary;
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;

/// What happens to an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// D: replaced by a dummy value (the pseudonym, for the patient's name and ID).
    Dummy,
    /// Z: kept, emptied.
    Zero,
    /// X: removed.
    Remove,
    /// K: kept as is.
    Keep,
    /// C (Clean Descriptors): kept, with every identifying value taken out of the text.
    Clean,
    /// U: UIDs replaced by their keyed-hash pseudonyms (in nested items too).
    Uid,
    /// Dates kept, shifted by the patient's offset (Retain Longitudinal … Modified Dates).
    ShiftDate,
}

use Action::*;

/// (tag, name, action) for every attribute of Table E.1-1 that SonoHub acts on explicitly;
/// anything else is handled by `unlisted_action`.
pub const TABLE: &[(Tag, &str, Action)] = &[
    (Tag(0x0008, 0x0012), "Instance Creation Date", ShiftDate),
    (Tag(0x0008, 0x0014), "Instance Creator UID", Uid),
    (Tag(0x0008, 0x0018), "SOP Instance UID", Uid),
    (Tag(0x0008, 0x0020), "Study Date", ShiftDate),
    (Tag(0x0008, 0x0021), "Series Date", ShiftDate),
    (Tag(0x0008, 0x0022), "Acquisition Date", ShiftDate),
    (Tag(0x0008, 0x0023), "Content Date", ShiftDate),
    (Tag(0x0008, 0x0024), "Overlay Date", Remove),
    (Tag(0x0008, 0x0025), "Curve Date", Remove),
    (Tag(0x0008, 0x002A), "Acquisition DateTime", ShiftDate),
    (Tag(0x0008, 0x0050), "Accession Number", Zero),
    (Tag(0x0008, 0x0080), "Institution Name", Remove),
    (Tag(0x0008, 0x0081), "Institution Address", Remove),
    (Tag(0x0008, 0x0082), "Institution Code Sequence", Remove),
    (Tag(0x0008, 0x0090), "Referring Physician's Name", Zero),
    (Tag(0x0008, 0x0092), "Referring Physician's Address", Remove),
    (
        Tag(0x0008, 0x0094),
        "Referring Physician's Telephone Numbers",
        Remove,
    ),
    (
        Tag(0x0008, 0x0096),
        "Referring Physician Identification Sequence",
        Remove,
    ),
    (
        Tag(0x0008, 0x009D),
        "Consulting Physician Identification Sequence",
        Remove,
    ),
    (Tag(0x0008, 0x0201), "Timezone Offset From UTC", Remove),
    (Tag(0x0008, 0x1010), "Station Name", Remove),
    (Tag(0x0008, 0x1030), "Study Description", Clean),
    (Tag(0x0008, 0x103E), "Series Description", Clean),
    (Tag(0x0008, 0x1040), "Institutional Department Name", Remove),
    (Tag(0x0008, 0x1048), "Physician(s) of Record", Remove),
    (
        Tag(0x0008, 0x1049),
        "Physician(s) of Record Identification Sequence",
        Remove,
    ),
    (Tag(0x0008, 0x1050), "Performing Physicians' Name", Remove),
    (
        Tag(0x0008, 0x1052),
        "Performing Physician Identification Sequence",
        Remove,
    ),
    (
        Tag(0x0008, 0x1060),
        "Name of Physician(s) Reading Study",
        Remove,
    ),
    (
        Tag(0x0008, 0x1062),
        "Physician(s) Reading Study Identification Sequence",
        Remove,
    ),
    (Tag(0x0008, 0x1070), "Operators' Name", Remove),
    (
        Tag(0x0008, 0x1072),
        "Operator Identification Sequence",
        Remove,
    ),
    (
        Tag(0x0008, 0x1080),
        "Admitting Diagnoses Description",
        Clean,
    ),
    (
        Tag(0x0008, 0x1084),
        "Admitting Diagnoses Code Sequence",
        Remove,
    ),
    (Tag(0x0008, 0x1110), "Referenced Study Sequence", Uid),
    (
        Tag(0x0008, 0x1111),
        "Referenced Performed Procedure Step Sequence",
        Remove,
    ),
    (Tag(0x0008, 0x1120), "Referenced Patient Sequence", Remove),
    (Tag(0x0008, 0x1140), "Referenced Image Sequence", Uid),
    (Tag(0x0008, 0x1155), "Referenced SOP Instance UID", Uid),
    (Tag(0x0008, 0x1195), "Transaction UID", Uid),
    (Tag(0x0008, 0x2111), "Derivation Description", Clean),
    (Tag(0x0008, 0x4000), "Identifying Comments", Remove),
    (Tag(0x0008, 0x9123), "Creator-Version UID", Uid),
    (Tag(0x0010, 0x0010), "Patient's Name", Dummy),
    (Tag(0x0010, 0x0020), "Patient ID", Dummy),
    (Tag(0x0010, 0x0021), "Issuer of Patient ID", Remove),
    (Tag(0x0010, 0x0030), "Patient's Birth Date", Zero),
    (Tag(0x0010, 0x0032), "Patient's Birth Time", Remove),
    (Tag(0x0010, 0x0040), "Patient's Sex", Zero),
    (
        Tag(0x0010, 0x0050),
        "Patient's Insurance Plan Code Sequence",
        Remove,
    ),
    (
        Tag(0x0010, 0x0101),
        "Patient's Primary Language Code Sequence",
        Remove,
    ),
    (
        Tag(0x0010, 0x0102),
        "Patient's Primary Language Modifier Code Sequence",
        Remove,
    ),
    (Tag(0x0010, 0x1000), "Other Patient IDs", Remove),
    (Tag(0x0010, 0x1001), "Other Patient Names", Remove),
    (Tag(0x0010, 0x1002), "Other Patient IDs Sequence", Remove),
    (Tag(0x0010, 0x1005), "Patient's Birth Name", Remove),
    (Tag(0x0010, 0x1010), "Patient's Age", Remove),
    (Tag(0x0010, 0x1020), "Patient's Size", Remove),
    (Tag(0x0010, 0x1030), "Patient's Weight", Remove),
    (Tag(0x0010, 0x1040), "Patient's Address", Remove),
    (Tag(0x0010, 0x1050), "Insurance Plan Identification", Remove),
    (Tag(0x0010, 0x1060), "Patient's Mother's Birth Name", Remove),
    (Tag(0x0010, 0x1090), "Medical Record Locator", Remove),
    (Tag(0x0010, 0x2000), "Medical Alerts", Remove),
    (Tag(0x0010, 0x2110), "Allergies", Remove),
    (Tag(0x0010, 0x2150), "Country of Residence", Remove),
    (Tag(0x0010, 0x2152), "Region of Residence", Remove),
    (Tag(0x0010, 0x2154), "Patient's Telephone Numbers", Remove),
    (Tag(0x0010, 0x2160), "Ethnic Group", Remove),
    (Tag(0x0010, 0x2180), "Occupation", Remove),
    (Tag(0x0010, 0x21A0), "Smoking Status", Remove),
    (Tag(0x0010, 0x21B0), "Additional Patient History", Remove),
    (Tag(0x0010, 0x21C0), "Pregnancy Status", Remove),
    (Tag(0x0010, 0x21D0), "Last Menstrual Date", Remove),
    (
        Tag(0x0010, 0x21F0),
        "Patient's Religious Preference",
        Remove,
    ),
    (Tag(0x0010, 0x2203), "Patient's Sex Neutered", Remove),
    (Tag(0x0010, 0x4000), "Patient Comments", Remove),
    (Tag(0x0018, 0x1000), "Device Serial Number", Remove),
    (Tag(0x0018, 0x1002), "Device UID", Uid),
    (Tag(0x0018, 0x1004), "Plate ID", Remove),
    (Tag(0x0018, 0x1005), "Generator ID", Remove),
    (Tag(0x0018, 0x1007), "Cassette ID", Remove),
    (Tag(0x0018, 0x1008), "Gantry ID", Remove),
    (Tag(0x0018, 0x1030), "Protocol Name", Clean),
    (Tag(0x0018, 0x1200), "Date of Last Calibration", Remove),
    (
        Tag(0x0018, 0x9424),
        "Acquisition Protocol Description",
        Clean,
    ),
    (Tag(0x0020, 0x000D), "Study Instance UID", Uid),
    (Tag(0x0020, 0x000E), "Series Instance UID", Uid),
    (Tag(0x0020, 0x0010), "Study ID", Zero),
    (Tag(0x0020, 0x0052), "Frame of Reference UID", Uid),
    (
        Tag(0x0020, 0x0200),
        "Synchronization Frame of Reference UID",
        Uid,
    ),
    (Tag(0x0020, 0x4000), "Image Comments", Clean),
    (Tag(0x0020, 0x9158), "Frame Comments", Clean),
    (Tag(0x0028, 0x4000), "Image Presentation Comments", Remove),
    (Tag(0x0032, 0x0012), "Study ID Issuer", Remove),
    (Tag(0x0032, 0x1020), "Scheduled Study Location", Remove),
    (
        Tag(0x0032, 0x1021),
        "Scheduled Study Location AE Title",
        Remove,
    ),
    (Tag(0x0032, 0x1030), "Reason for Study", Remove),
    (
        Tag(0x0032, 0x1031),
        "Requesting Physician Identification Sequence",
        Remove,
    ),
    (Tag(0x0032, 0x1032), "Requesting Physician", Remove),
    (Tag(0x0032, 0x1033), "Requesting Service", Remove),
    (
        Tag(0x0032, 0x1060),
        "Requested Procedure Description",
        Clean,
    ),
    (Tag(0x0032, 0x4000), "Study Comments", Remove),
    (
        Tag(0x0038, 0x0004),
        "Referenced Patient Alias Sequence",
        Remove,
    ),
    (Tag(0x0038, 0x0010), "Admission ID", Remove),
    (Tag(0x0038, 0x0300), "Current Patient Location", Remove),
    (Tag(0x0038, 0x0500), "Patient State", Remove),
    (
        Tag(0x0040, 0x0006),
        "Scheduled Performing Physician's Name",
        Remove,
    ),
    (
        Tag(0x0040, 0x000B),
        "Scheduled Performing Physician Identification Sequence",
        Remove,
    ),
    (Tag(0x0040, 0x0241), "Performed Station AE Title", Remove),
    (Tag(0x0040, 0x0242), "Performed Station Name", Remove),
    (Tag(0x0040, 0x0243), "Performed Location", Remove),
    (
        Tag(0x0040, 0x0244),
        "Performed Procedure Step Start Date",
        Remove,
    ),
    (
        Tag(0x0040, 0x0245),
        "Performed Procedure Step Start Time",
        Remove,
    ),
    (
        Tag(0x0040, 0x0250),
        "Performed Procedure Step End Date",
        Remove,
    ),
    (
        Tag(0x0040, 0x0251),
        "Performed Procedure Step End Time",
        Remove,
    ),
    (Tag(0x0040, 0x0253), "Performed Procedure Step ID", Remove),
    (
        Tag(0x0040, 0x0254),
        "Performed Procedure Step Description",
        Clean,
    ),
    (Tag(0x0040, 0x0275), "Request Attributes Sequence", Remove),
    (
        Tag(0x0040, 0x0280),
        "Comments on the Performed Procedure Step",
        Remove,
    ),
    (Tag(0x0040, 0x0555), "Acquisition Context Sequence", Remove),
    (Tag(0x0040, 0x1001), "Requested Procedure ID", Remove),
    (
        Tag(0x0040, 0x1002),
        "Reason for the Requested Procedure",
        Remove,
    ),
    // D in the table; a dummy code would mean nothing in a teaching file.
    (
        Tag(0x0040, 0x1101),
        "Person Identification Code Sequence",
        Remove,
    ),
    (Tag(0x0040, 0x1400), "Requested Procedure Comments", Remove),
    (
        Tag(0x0040, 0x2016),
        "Placer Order Number / Imaging Service Request",
        Remove,
    ),
    (
        Tag(0x0040, 0x2017),
        "Filler Order Number / Imaging Service Request",
        Remove,
    ),
    (
        Tag(0x0040, 0x3001),
        "Confidentiality Constraint on Patient Data Description",
        Remove,
    ),
    (Tag(0x0040, 0xA078), "Author Observer Sequence", Remove),
    (Tag(0x0040, 0xA123), "Person Name", Zero),
    (Tag(0x0040, 0xA730), "Content Sequence", Remove),
    (Tag(0x0070, 0x0084), "Content Creator's Name", Zero),
    (Tag(0x0088, 0x0140), "Storage Media File-set UID", Uid),
    (Tag(0x0400, 0x0561), "Original Attributes Sequence", Remove),
];

/// The action for an attribute the table does not list. Removed: private attributes (the Retain
/// Safe Private Option is not used), overlays and curves (burned-in graphics and their
/// comments), AE titles (the station, archive and retired Network ID name the source site's
/// nodes, like the AE titles the table removes) and attributes the standard does not define,
/// which no one can vouch for. Person names are emptied, UIDs replaced, dates shifted; the rest
/// is kept, and free text among it goes through the PHI check.
pub fn unlisted_action(tag: Tag, vr: VR) -> Action {
    let group = tag.group();
    if group % 2 == 1
        || (0x6000..=0x60FF).contains(&group)
        || (0x5000..=0x50FF).contains(&group)
        || StandardDataDictionary.by_tag(tag).is_none()
    {
        return Remove;
    }
    match vr {
        VR::AE => Remove,
        VR::PN => Zero,
        VR::UI => Uid,
        VR::DA | VR::DT => ShiftDate,
        _ => Keep,
    }
}

/// The action the table gives `tag`, if it lists it.
pub fn action(tag: Tag) -> Option<(&'static str, Action)> {
    TABLE
        .iter()
        .find(|(t, _, _)| *t == tag)
        .map(|(_, name, action)| (*name, *action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_each_attribute_once_in_tag_order() {
        for pair in TABLE.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "{:?} then {:?}",
                pair[0].1,
                pair[1].1
            );
        }
        assert_eq!(
            action(Tag(0x0010, 0x0010)).map(|a| a.1),
            Some(Action::Dummy)
        );
        assert_eq!(action(Tag(0x0028, 0x0010)), None);
    }
}
