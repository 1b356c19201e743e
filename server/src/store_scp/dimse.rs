//! DIMSE command sets of the receiver: reading a request's, writing the response's
//! (implicit VR little endian, PS3.7 section 6.3 and annex E).

use anyhow::Context as _;
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN;

/// Command Data Set Type meaning "no data set follows".
const NO_DATA_SET: u16 = 0x0101;
/// Command Field of the requests we serve.
pub(super) const C_STORE_RQ: u16 = 0x0001;
pub(super) const C_ECHO_RQ: u16 = 0x0030;
/// A response's Command Field is the request's with this bit set.
const RESPONSE_BIT: u16 = 0x8000;

/// DIMSE status codes we answer with (PS3.7 Annex C, PS3.4 B.2.3).
pub(super) mod status {
    pub const SUCCESS: u16 = 0x0000;
    pub const SOP_CLASS_NOT_SUPPORTED: u16 = 0x0122;
    pub const UNRECOGNIZED_OPERATION: u16 = 0x0211;
    pub const OUT_OF_RESOURCES: u16 = 0xA700;
    pub const CANNOT_UNDERSTAND: u16 = 0xC000;
}

/// A DIMSE request as read from its command set.
pub(super) struct Request {
    pub(super) field: u16,
    pub(super) message_id: u16,
    pub(super) sop_class: String,
    pub(super) sop_instance: String,
}

/// A UID as sent, without its padding.
pub(super) fn trim_uid(uid: &str) -> &str {
    uid.trim_end_matches(['\0', ' '])
}

/// Reads a request's command set; also says whether a data set follows.
pub(super) fn parse_command(bytes: &[u8]) -> anyhow::Result<(Request, bool)> {
    elements_fit(bytes)?;
    let command =
        InMemDicomObject::read_dataset_with_ts(bytes, &IMPLICIT_VR_LITTLE_ENDIAN.erased())
            .context("parsing a command set")?;
    let number = |tag| -> anyhow::Result<u16> {
        let element = command
            .get(tag)
            .with_context(|| format!("command lacks {tag}"))?;
        element
            .to_int::<u16>()
            .with_context(|| format!("command {tag}"))
    };
    let text = |tag| -> String {
        command
            .get(tag)
            .and_then(|element| element.to_str().ok())
            .map(|value| trim_uid(&value).to_owned())
            .unwrap_or_default()
    };
    let request = Request {
        field: number(tags::COMMAND_FIELD)?,
        message_id: number(tags::MESSAGE_ID)?,
        sop_class: text(tags::AFFECTED_SOP_CLASS_UID),
        sop_instance: text(tags::AFFECTED_SOP_INSTANCE_UID),
    };
    let has_data_set = number(tags::COMMAND_DATA_SET_TYPE)? != NO_DATA_SET;
    Ok((request, has_data_set))
}

/// Checks that every element of an implicit VR command set lies within it, before the
/// parser reserves memory for each value from the length it declares: eight bytes declaring
/// a 4 GiB value would otherwise allocate 4 GiB (found by the `dimse_command` fuzz target).
/// Command sets hold no sequences, so an undefined length is refused too. So is a binary
/// value that is not a whole number of its numbers (a UL of 49 bytes): the parser reads 12
/// and leaves a byte, and every later header would be read from where this walk did not look
/// (a 387-byte command set then asked for 2 GiB, found by the same target).
fn elements_fit(bytes: &[u8]) -> anyhow::Result<()> {
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some((header, value)) = rest.split_first_chunk::<8>() else {
            anyhow::bail!("a command set ends inside an element header");
        };
        let group = u16::from_le_bytes([header[0], header[1]]);
        let element = u16::from_le_bytes([header[2], header[3]]);
        let length = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        cine::prescan::check_unit(
            group,
            element,
            cine::prescan::implicit_vr(group, element),
            length,
        )?;
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        anyhow::ensure!(
            length <= value.len(),
            "a command element declares {length} bytes where {} remain",
            value.len()
        );
        rest = &value[length..];
    }
    Ok(())
}

/// The response command set, implicit VR little endian with its group length.
pub(super) fn response_command(
    request: &Request,
    status: u16,
    comment: Option<&str>,
) -> anyhow::Result<Vec<u8>> {
    let mut elements = vec![
        DataElement::new(
            tags::AFFECTED_SOP_CLASS_UID,
            VR::UI,
            PrimitiveValue::from(request.sop_class.as_str()),
        ),
        DataElement::new(
            tags::COMMAND_FIELD,
            VR::US,
            PrimitiveValue::from(request.field | RESPONSE_BIT),
        ),
        DataElement::new(
            tags::MESSAGE_ID_BEING_RESPONDED_TO,
            VR::US,
            PrimitiveValue::from(request.message_id),
        ),
        DataElement::new(
            tags::COMMAND_DATA_SET_TYPE,
            VR::US,
            PrimitiveValue::from(NO_DATA_SET),
        ),
        DataElement::new(tags::STATUS, VR::US, PrimitiveValue::from(status)),
    ];
    if !request.sop_instance.is_empty() {
        elements.push(DataElement::new(
            tags::AFFECTED_SOP_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from(request.sop_instance.as_str()),
        ));
    }
    if let Some(comment) = comment {
        elements.push(DataElement::new(
            tags::ERROR_COMMENT,
            VR::LO,
            PrimitiveValue::from(comment),
        ));
    }
    let encode = |elements: Vec<DataElement<InMemDicomObject>>| -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        InMemDicomObject::from_element_iter(elements)
            .write_dataset_with_ts(&mut out, &IMPLICIT_VR_LITTLE_ENDIAN.erased())
            .context("encoding a DIMSE response")?;
        Ok(out)
    };
    let group_length = encode(elements.clone())?.len() as u32;
    elements.push(DataElement::new(
        tags::COMMAND_GROUP_LENGTH,
        VR::UL,
        PrimitiveValue::from(group_length),
    ));
    encode(elements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_dictionary_std::uids;

    #[test]
    fn an_element_longer_than_the_command_set_is_refused_before_reading() {
        // (0000,0004) declaring 0xFF00FFF8 bytes, and nothing after it.
        let bytes = [0, 0, 4, 0, 0xf8, 0xff, 0, 0xff];
        let error = parse_command(&bytes).err().expect("refused");
        assert!(error.to_string().contains("declares"), "{error}");
        // An undefined length, and a header cut short.
        assert!(parse_command(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(parse_command(&[0, 0, 0, 1, 2]).is_err());
    }

    #[test]
    fn a_binary_value_of_a_partial_number_is_refused_before_reading() {
        // (0000,0000) Command Group Length, a UL, of 5 bytes: the parser would read one
        // number and start the next header a byte early.
        let mut bytes = vec![0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0];
        let error = parse_command(&bytes).err().expect("refused");
        assert!(error.to_string().contains("not a multiple of 4"), "{error}");
        // (0000,0100) Command Field, a US, of 3 bytes.
        bytes = vec![0, 0, 0, 1, 3, 0, 0, 0, 1, 0, 0];
        let error = parse_command(&bytes).err().expect("refused");
        assert!(error.to_string().contains("not a multiple of 2"), "{error}");
    }

    #[test]
    fn echo_request_has_no_data_set() {
        // A C-ECHO-RQ as echoscu sends it, with the group length it writes.
        let echo = InMemDicomObject::from_element_iter([
            DataElement::new(
                tags::AFFECTED_SOP_CLASS_UID,
                VR::UI,
                PrimitiveValue::from(uids::VERIFICATION),
            ),
            DataElement::new(tags::COMMAND_FIELD, VR::US, PrimitiveValue::from(C_ECHO_RQ)),
            DataElement::new(tags::MESSAGE_ID, VR::US, PrimitiveValue::from(3u16)),
            DataElement::new(
                tags::COMMAND_DATA_SET_TYPE,
                VR::US,
                PrimitiveValue::from(NO_DATA_SET),
            ),
        ]);
        let mut bytes = Vec::new();
        echo.write_dataset_with_ts(&mut bytes, &IMPLICIT_VR_LITTLE_ENDIAN.erased())
            .expect("encode");
        let (request, has_data_set) = parse_command(&bytes).expect("parse");
        assert!(!has_data_set);
        assert_eq!((request.field, request.message_id), (C_ECHO_RQ, 3));
        assert_eq!(request.sop_class, uids::VERIFICATION);
        assert!(request.sop_instance.is_empty());
    }

    #[test]
    fn response_command_round_trips_with_group_length() {
        let request = Request {
            field: C_STORE_RQ,
            message_id: 7,
            sop_class: uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE.to_owned(),
            sop_instance: "1.2.3.4.5".to_owned(),
        };
        let bytes =
            response_command(&request, status::OUT_OF_RESOURCES, Some("too big")).expect("encode");
        let parsed =
            InMemDicomObject::read_dataset_with_ts(&bytes[..], &IMPLICIT_VR_LITTLE_ENDIAN.erased())
                .expect("parse");
        let int = |tag| {
            parsed
                .get(tag)
                .expect("present")
                .to_int::<u32>()
                .expect("int")
        };
        // The group length counts every byte after the group length element itself (12 bytes).
        assert_eq!(int(tags::COMMAND_GROUP_LENGTH) as usize, bytes.len() - 12);
        assert_eq!(int(tags::COMMAND_FIELD), 0x8001);
        assert_eq!(int(tags::MESSAGE_ID_BEING_RESPONDED_TO), 7);
        assert_eq!(int(tags::STATUS), 0xA700);
        let uid = parsed
            .get(tags::AFFECTED_SOP_INSTANCE_UID)
            .expect("instance")
            .to_str()
            .expect("text");
        assert_eq!(trim_uid(&uid), "1.2.3.4.5");
    }
}
