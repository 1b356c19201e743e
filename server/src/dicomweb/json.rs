//! DICOM JSON (PS3.18 Annex F) of a stored data set, for WADO-RS `/metadata`. Pixel data and
//! other large binary values are bulk data: linked by a `BulkDataURI` at the top level (Pixel
//! Data to the instance's `frames` resource, the rest to its `bulkdata/{tag}` resource) and
//! left out inside sequences; every other attribute keeps its value as the file has it.
use dicom_core::header::Header;
use dicom_core::value::Value;
use dicom_core::{PrimitiveValue, Tag, VR};
use dicom_object::{FileDicomObject, InMemDicomObject};
use serde_json::{Map, Number, Value as Json};

/// Binary values longer than this are bulk data, not `InlineBinary`.
pub const BULK_THRESHOLD: usize = 1024;

/// How one instance's metadata links its bulk data: URIs relative to the URL of the request
/// (RFC 3986), in the forms OHIF also resolves against its WADO root.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkLinks {
    /// What leads from the request's URL to the instance's resources: empty at the instance
    /// level, `instances/{sop}/` at the series level, `series/{uid}/instances/{sop}/` at
    /// the study level.
    pub instance: String,
    /// Frames of the pixel data; 0 when the instance has none.
    pub frames: u32,
    /// The VR Pixel Data has (OB, or OW for native samples over 8 bits).
    pub pixel_vr: VR,
}

impl BulkLinks {
    fn frames_uri(&self) -> String {
        let list: Vec<String> = (1..=self.frames).map(|n| n.to_string()).collect();
        format!("{}frames/{}", self.instance, list.join(","))
    }

    fn bulk_uri(&self, tag: Tag) -> String {
        format!("{}bulkdata/{}", self.instance, key(tag))
    }
}

/// One stored instance as DICOM JSON: its data set with bulk data linked, and the File Meta's
/// Transfer Syntax UID (0002,0010), which viewers read to know how frames arrive.
pub fn instance(obj: &FileDicomObject<InMemDicomObject>, links: &BulkLinks) -> Json {
    let mut out = attributes(obj, Some(links));
    out.push((
        key(Tag(0x0002, 0x0010)),
        serde_json::json!({ "vr": "UI", "Value": [obj.meta().transfer_syntax()] }),
    ));
    if links.frames > 0 {
        let pixel_data = serde_json::json!({
            "vr": links.pixel_vr.to_string(),
            "BulkDataURI": links.frames_uri(),
        });
        out.push((key(Tag(0x7FE0, 0x0010)), pixel_data));
    }
    in_tag_order(out)
}

/// Attributes as JSON object members, keys in tag order.
fn in_tag_order(mut members: Vec<(String, Json)>) -> Json {
    members.sort_by(|a, b| a.0.cmp(&b.0));
    Json::Object(members.into_iter().collect::<Map<_, _>>())
}

/// The pixel data in each of its forms: bulk data, never inlined.
const BULK_DATA: [Tag; 3] = [
    Tag(0x7FE0, 0x0008),
    Tag(0x7FE0, 0x0009),
    Tag(0x7FE0, 0x0010),
];

/// The JSON key of a tag: eight upper-case hex digits.
pub fn key(tag: Tag) -> String {
    format!("{:04X}{:04X}", tag.group(), tag.element())
}

/// One data set (a sequence item) as a DICOM JSON object, keys in tag order; large binary
/// values are left out.
pub fn data_set(obj: &InMemDicomObject) -> Json {
    in_tag_order(attributes(obj, None))
}

/// Whether values of `vr` are binary (`InlineBinary` or bulk data in JSON).
fn binary(vr: VR) -> bool {
    matches!(
        vr,
        VR::OB | VR::OD | VR::OF | VR::OL | VR::OV | VR::OW | VR::UN
    )
}

/// The members of one data set. Large binary values are linked through `links` at the top
/// level and left out below it.
fn attributes(obj: &InMemDicomObject, links: Option<&BulkLinks>) -> Vec<(String, Json)> {
    let mut out = Vec::new();
    for element in obj.iter() {
        let tag = element.tag();
        // Group lengths are encoding details, not attributes.
        if BULK_DATA.contains(&tag) || tag.element() == 0 {
            continue;
        }
        let vr = element.vr();
        let mut attribute = Map::new();
        attribute.insert("vr".into(), Json::from(vr.to_string()));
        match element.value() {
            Value::Primitive(value)
                if binary(vr) && value.calculate_byte_len() > BULK_THRESHOLD =>
            {
                let Some(links) = links else { continue };
                attribute.insert("BulkDataURI".into(), Json::from(links.bulk_uri(tag)));
            }
            Value::Primitive(value) => {
                if let Some((name, value)) = primitive(vr, value) {
                    attribute.insert(name.into(), value);
                }
            }
            Value::Sequence(sequence) => {
                let items: Vec<Json> = sequence.items().iter().map(data_set).collect();
                if !items.is_empty() {
                    attribute.insert("Value".into(), Json::Array(items));
                }
            }
            // Encapsulated pixel data is bulk data too.
            Value::PixelSequence(_) => continue,
        }
        out.push((key(tag), Json::Object(attribute)));
    }
    out
}

/// The `Value` (or `InlineBinary`) member for a primitive value; `None` when it is empty.
fn primitive(vr: VR, value: &PrimitiveValue) -> Option<(&'static str, Json)> {
    if matches!(value, PrimitiveValue::Empty) {
        return None;
    }
    let values: Vec<Json> = match vr {
        VR::OB | VR::OD | VR::OF | VR::OL | VR::OV | VR::OW | VR::UN => {
            let bytes = value.to_bytes();
            return (!bytes.is_empty()).then(|| ("InlineBinary", Json::from(base64(&bytes))));
        }
        VR::AT => match value {
            PrimitiveValue::Tags(tags) => tags.iter().map(|t| Json::from(key(*t))).collect(),
            other => strings(vr, other),
        },
        VR::PN => strings(vr, value)
            .into_iter()
            .map(|name| match name {
                Json::String(s) => person_name(&s),
                other => other,
            })
            .collect(),
        VR::DS | VR::FL | VR::FD => numbers(vr, value, |s| {
            s.parse::<f64>().ok().and_then(Number::from_f64)
        }),
        VR::IS | VR::SL | VR::SS | VR::UL | VR::US | VR::SV | VR::UV => numbers(vr, value, |s| {
            s.parse::<i64>()
                .map(Number::from)
                .or_else(|_| s.parse::<u64>().map(Number::from))
                .ok()
        }),
        _ => strings(vr, value),
    };
    if values.iter().all(Json::is_null) {
        return None;
    }
    Some(("Value", Json::Array(values)))
}

/// Each value as a string without its padding; empty ones as `null`.
fn strings(vr: VR, value: &PrimitiveValue) -> Vec<Json> {
    value
        .to_multi_str()
        .iter()
        .map(|s| {
            // Leading spaces are significant in the long text VRs only.
            let s = s.trim_end_matches([' ', '\0']);
            let s = if matches!(vr, VR::LT | VR::ST | VR::UT) {
                s
            } else {
                s.trim_start()
            };
            if s.is_empty() {
                Json::Null
            } else {
                Json::from(s)
            }
        })
        .collect()
}

/// Each value as a JSON number; an empty or unreadable one as `null`.
fn numbers(vr: VR, value: &PrimitiveValue, parse: impl Fn(&str) -> Option<Number>) -> Vec<Json> {
    strings(vr, value)
        .into_iter()
        .map(|v| match v {
            Json::String(s) => parse(&s).map(Json::Number).unwrap_or(Json::Null),
            other => other,
        })
        .collect()
}

/// A PN value as its alphabetic, ideographic and phonetic groups.
fn person_name(value: &str) -> Json {
    let mut out = Map::new();
    for (name, group) in ["Alphabetic", "Ideographic", "Phonetic"]
        .iter()
        .zip(value.split('='))
    {
        if !group.is_empty() {
            out.insert((*name).into(), Json::from(group));
        }
    }
    Json::Object(out)
}

/// Standard base64 with padding (RFC 4648), as `InlineBinary` wants.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_core::value::DataSetSequence;
    use dicom_core::{DataElement, Length};
    use dicom_dictionary_std::tags;
    use serde_json::json;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn attributes_are_encoded_by_vr_and_pixel_data_is_left_out() {
        let mut item = InMemDicomObject::new_empty();
        item.put(DataElement::new(
            tags::REGION_SPATIAL_FORMAT,
            VR::US,
            PrimitiveValue::from(1u16),
        ));
        let mut obj = InMemDicomObject::new_empty();
        let mut put = |tag, vr, value: PrimitiveValue| obj.put(DataElement::new(tag, vr, value));
        put(
            tags::PATIENT_NAME,
            VR::PN,
            PrimitiveValue::from("SH0123^^=王^"),
        );
        put(tags::STUDY_DATE, VR::DA, PrimitiveValue::from("20240102"));
        put(
            tags::IMAGE_TYPE,
            VR::CS,
            PrimitiveValue::Strs(
                ["ORIGINAL", "", "PRIMARY"]
                    .map(String::from)
                    .into_iter()
                    .collect(),
            ),
        );
        put(
            tags::SOP_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from("2.25.7\0"),
        );
        put(tags::NUMBER_OF_FRAMES, VR::IS, PrimitiveValue::from(" 6 "));
        put(
            tags::PIXEL_SPACING,
            VR::DS,
            PrimitiveValue::Strs(["0.25", "0.5"].map(String::from).into_iter().collect()),
        );
        put(tags::ROWS, VR::US, PrimitiveValue::from(240u16));
        put(tags::FRAME_TIME, VR::DS, PrimitiveValue::from("40"));
        put(tags::STUDY_ID, VR::SH, PrimitiveValue::Empty);
        put(
            tags::FRAME_INCREMENT_POINTER,
            VR::AT,
            PrimitiveValue::Tags([tags::FRAME_TIME].into_iter().collect()),
        );
        put(
            tags::PIXEL_DATA,
            VR::OB,
            PrimitiveValue::U8(vec![1, 2, 3].into()),
        );
        put(
            Tag(0x0009, 0x1001),
            VR::OB,
            PrimitiveValue::U8(vec![1, 2, 3].into()),
        );
        obj.put(DataElement::new(
            tags::SEQUENCE_OF_ULTRASOUND_REGIONS,
            VR::SQ,
            DataSetSequence::new(vec![item], Length::UNDEFINED),
        ));
        let json = data_set(&obj);
        assert_eq!(
            json["00100010"],
            json!({"vr": "PN", "Value": [{"Alphabetic": "SH0123^^", "Ideographic": "王^"}]})
        );
        assert_eq!(
            json["00080008"],
            json!({"vr": "CS", "Value": ["ORIGINAL", null, "PRIMARY"]})
        );
        assert_eq!(json["00080018"], json!({"vr": "UI", "Value": ["2.25.7"]}));
        assert_eq!(json["00280008"], json!({"vr": "IS", "Value": [6]}));
        assert_eq!(json["00280030"], json!({"vr": "DS", "Value": [0.25, 0.5]}));
        assert_eq!(json["00280010"], json!({"vr": "US", "Value": [240]}));
        assert_eq!(json["00181063"], json!({"vr": "DS", "Value": [40.0]}));
        assert_eq!(json["00200010"], json!({"vr": "SH"}));
        assert_eq!(json["00280009"], json!({"vr": "AT", "Value": ["00181063"]}));
        assert_eq!(
            json["00091001"],
            json!({"vr": "OB", "InlineBinary": "AQID"})
        );
        assert_eq!(
            json["00186011"],
            json!({"vr": "SQ", "Value": [{"00186012": {"vr": "US", "Value": [1]}}]})
        );
        assert!(json.get("7FE00010").is_none(), "pixel data is bulk data");
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "keys in tag order");
    }

    #[test]
    fn an_instance_links_its_bulk_data_and_names_its_transfer_syntax() {
        use dicom_object::meta::FileMetaTableBuilder;
        let mut obj = InMemDicomObject::new_empty();
        obj.put(DataElement::new(
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            VR::OW,
            PrimitiveValue::U8(vec![0; BULK_THRESHOLD + 2].into()),
        ));
        obj.put(DataElement::new(
            tags::ICC_PROFILE,
            VR::OB,
            PrimitiveValue::U8(vec![1, 2, 3].into()),
        ));
        let meta = FileMetaTableBuilder::new()
            .transfer_syntax(dicom_dictionary_std::uids::JPEG_BASELINE8_BIT)
            .media_storage_sop_class_uid("1.2.840.10008.5.1.4.1.1.3.1")
            .media_storage_sop_instance_uid("2.25.3")
            .build()
            .unwrap();
        let file = obj.with_exact_meta(meta);
        let links = BulkLinks {
            instance: "instances/2.25.3/".into(),
            frames: 3,
            pixel_vr: VR::OB,
        };
        let json = instance(&file, &links);
        assert_eq!(
            json["00020010"],
            json!({"vr": "UI", "Value": ["1.2.840.10008.1.2.4.50"]})
        );
        assert_eq!(
            json["7FE00010"],
            json!({"vr": "OB", "BulkDataURI": "instances/2.25.3/frames/1,2,3"})
        );
        assert_eq!(
            json["00281201"],
            json!({"vr": "OW", "BulkDataURI": "instances/2.25.3/bulkdata/00281201"})
        );
        assert_eq!(
            json["00282000"],
            json!({"vr": "OB", "InlineBinary": "AQID"})
        );
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("00020010"));
        assert_eq!(keys.last().map(|k| k.as_str()), Some("7FE00010"));
        // Inside a sequence, large binary values are left out.
        let mut item = InMemDicomObject::new_empty();
        item.put(DataElement::new(
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            VR::OW,
            PrimitiveValue::U8(vec![0; BULK_THRESHOLD + 2].into()),
        ));
        assert_eq!(data_set(&item), json!({}));
    }
}
