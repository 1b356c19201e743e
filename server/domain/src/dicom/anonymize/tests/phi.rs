//! The PHI check on headers as ultrasound scanners write them: no false refusal for short
//! patient IDs, Chinese names or Latin names inside English words, while every identifying
//! value planted where it could survive is still caught.
use super::*;
use crate::dicom::anonymize::phi::find_token;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Who the exam is of and by, as the worklist gave it.
struct People<'a> {
    patient: &'a str,
    patient_id: &'a str,
    referring: &'a str,
}

/// Scanners as they describe themselves: manufacturer, model, software versions.
const DEVICES: &[(&str, &str, &str)] = &[
    (
        "Philips Medical Systems",
        "HD11 XE",
        "PMS5.1 Ultrasound HD11_2.0.3.118",
    ),
    ("SIEMENS", "ACUSON Sequoia", "VA20A 2.0.11.204"),
    ("GE Healthcare", "LOGIQ E9", "R6.1.5 LOGIQE9:R6.1.5.12"),
    ("Terason", "uSmart3300 Ultrasound", "t3000 4.9.17"),
];

/// Departments as worklists name them; generic words that scanners also use.
const DEPARTMENTS: &[&str] = &["Ultrasound", "Radiology", "Cardiology", "Echo Lab"];

/// Exam descriptions, in English and Chinese.
const EXAMS: &[(&str, &str, &str)] = &[
    (
        "US THYROID AND NECK",
        "Thyroid transverse, enhanced",
        "THYROID",
    ),
    ("甲状腺超声检查", "甲状腺 横切", "THYROID"),
    ("ECHO ADULT COMPLETE", "Parasternal long axis", "HEART"),
    ("颈部血管超声", "Carotid, median plane", "NECK"),
];

fn code_item(value: &str, scheme: &str, meaning: &str) -> InMemDicomObject {
    InMemDicomObject::from_element_iter([
        DataElement::new(tags::CODE_VALUE, VR::SH, PrimitiveValue::from(value)),
        DataElement::new(
            tags::CODING_SCHEME_DESIGNATOR,
            VR::SH,
            PrimitiveValue::from(scheme),
        ),
        DataElement::new(tags::CODE_MEANING, VR::LO, PrimitiveValue::from(meaning)),
    ])
}

fn put_items(obj: &mut InMemDicomObject, tag: Tag, items: Vec<InMemDicomObject>) {
    obj.put(DataElement::new(
        tag,
        VR::SQ,
        DicomValue::from(DataSetSequence::from(items)),
    ));
}

/// The header of a clip from one of the `DEVICES`, of source UIDs numbered `source`: what a
/// Philips, Siemens, GE or Terason scanner fills in from the worklist and from itself.
fn ultrasound_header(people: &People, source: usize) -> DefaultDicomObject {
    // One synthetic clip for all: its pixels play no part in the header check.
    static CLIP: std::sync::OnceLock<DefaultDicomObject> = std::sync::OnceLock::new();
    let mut obj = CLIP
        .get_or_init(|| {
            let mut clip = read(&exam("SYNTH", "1.2.3.4", SynthSyntax::Rgb));
            clip.remove_element(tags::PIXEL_DATA);
            clip
        })
        .clone();
    let o: &mut InMemDicomObject = &mut obj;
    let (manufacturer, model, software) = DEVICES[source % DEVICES.len()];
    let (study, series, body_part) = EXAMS[source % EXAMS.len()];
    let kind = ["ABDOMINAL", "SMALL PARTS", "VASCULAR"][source % 3];
    let root = format!("1.2.840.113619.2.55.3.604688119.{}", 700 + source * 37);
    put(
        o,
        tags::IMAGE_TYPE,
        VR::CS,
        &format!("ORIGINAL\\PRIMARY\\{kind}\\0001"),
    );
    put(o, tags::PATIENT_NAME, VR::PN, people.patient);
    put(o, tags::PATIENT_ID, VR::LO, people.patient_id);
    put(o, tags::PATIENT_AGE, VR::AS, "061Y");
    put(o, tags::PATIENT_SEX, VR::CS, "F");
    put(o, tags::REFERRING_PHYSICIAN_NAME, VR::PN, people.referring);
    put(o, tags::PERFORMING_PHYSICIAN_NAME, VR::PN, people.referring);
    put(o, tags::OPERATORS_NAME, VR::PN, "ZHOU^YAN");
    put(
        o,
        tags::INSTITUTIONAL_DEPARTMENT_NAME,
        VR::LO,
        DEPARTMENTS[source % DEPARTMENTS.len()],
    );
    put(o, tags::STATION_NAME, VR::SH, "US-ROOM-3");
    put(o, tags::RETRIEVE_AE_TITLE, VR::AE, "RADIOLOGY_PACS");
    put(o, Tag(0x0008, 0x1000), VR::AE, "RADIOLOGY1"); // Network ID (retired)
    put(o, tags::MANUFACTURER, VR::LO, manufacturer);
    put(o, tags::MANUFACTURER_MODEL_NAME, VR::LO, model);
    put(o, tags::SOFTWARE_VERSIONS, VR::LO, software);
    put(o, tags::DEVICE_SERIAL_NUMBER, VR::LO, "US1287304");
    put(o, tags::TRANSDUCER_DATA, VR::LO, "L12-5");
    put(
        o,
        tags::ACQUISITION_DEVICE_PROCESSING_DESCRIPTION,
        VR::LO,
        "SCANNER PRESET THYROID; HARMONIC",
    );
    put(o, tags::STUDY_DESCRIPTION, VR::LO, study);
    put(o, tags::SERIES_DESCRIPTION, VR::LO, series);
    put(o, tags::PROTOCOL_NAME, VR::LO, "Thyroid");
    put(o, tags::BODY_PART_EXAMINED, VR::CS, body_part);
    put(
        o,
        tags::IMAGE_COMMENTS,
        VR::LT,
        "Abnormal echotexture, benign appearance; renal vessels not imaged",
    );
    let physician = people.referring.split('^').next().unwrap_or_default();
    let reason = format!("Nodule, referred by Dr {physician}");
    put(o, Tag(0x0032, 0x1030), VR::LO, &reason); // Reason for Study (retired)
    put(o, tags::SERIES_NUMBER, VR::IS, "3");
    put(o, tags::INSTANCE_NUMBER, VR::IS, "17");
    put(o, tags::HEART_RATE, VR::IS, "72");
    put(
        o,
        tags::ACQUISITION_DATE_TIME,
        VR::DT,
        "20240310101533.204000",
    );
    put(o, tags::STUDY_INSTANCE_UID, VR::UI, &format!("{root}.1"));
    put(o, tags::SERIES_INSTANCE_UID, VR::UI, &format!("{root}.1.2"));
    put(o, tags::SOP_INSTANCE_UID, VR::UI, &format!("{root}.1.2.3"));
    put(
        o,
        tags::FRAME_OF_REFERENCE_UID,
        VR::UI,
        &format!("{root}.4"),
    );
    put(o, Tag(0x0009, 0x1001), VR::LO, people.patient);
    put_items(
        o,
        tags::PROCEDURE_CODE_SEQUENCE,
        vec![code_item("93306", "C4", "ECHOCARDIOGRAPHY, TRANSTHORACIC")],
    );
    put_items(
        o,
        tags::ANATOMIC_REGION_SEQUENCE,
        vec![code_item("T-B6000", "SRT", "Thyroid")],
    );
    put_items(
        o,
        tags::REFERENCED_IMAGE_SEQUENCE,
        vec![InMemDicomObject::from_element_iter([
            DataElement::new(
                tags::REFERENCED_SOP_CLASS_UID,
                VR::UI,
                PrimitiveValue::from("1.2.840.10008.5.1.4.1.1.6.1"),
            ),
            DataElement::new(
                tags::REFERENCED_SOP_INSTANCE_UID,
                VR::UI,
                PrimitiveValue::from(format!("{root}.1.2.2")),
            ),
        ])],
    );
    obj
}

/// The header part of the anonymiser, as the import runs it (pixels play no part in the check).
fn deidentified(header: &DefaultDicomObject) -> Result<DefaultDicomObject, AnonymizeError> {
    let mut obj = header.clone();
    deidentify_header(&mut obj, &cfg(), true)?;
    Ok(obj)
}

/// The element a refusal names, or a panic when the header was let through.
fn refusal(header: &DefaultDicomObject) -> String {
    match deidentified(header) {
        Err(AnonymizeError::Phi { element }) => element,
        other => panic!("not refused: {:?}", other.map(|_| ())),
    }
}

/// Prints how many runs were refused (or had a description changed) and why, then fails if
/// any was.
fn report(what: &str, runs: usize, refused: &[String]) {
    let mut reasons = std::collections::BTreeMap::<&str, usize>::new();
    for r in refused {
        *reasons
            .entry(r.split_once(": ").map_or(r, |(_, e)| e))
            .or_default() += 1;
    }
    eprintln!("{what}: {} of {runs} refused {reasons:#?}", refused.len());
    assert!(
        refused.is_empty(),
        "{what}: {} of {runs} refused",
        refused.len()
    );
}

fn digits(rng: &mut StdRng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

#[test]
fn short_numeric_patient_ids_are_not_found_in_generated_uids() {
    let mut rng = StdRng::seed_from_u64(13);
    let mut refused = Vec::new();
    let mut runs = 0;
    for len in 1..=12 {
        let before = refused.len();
        for source in 0..200 {
            let id = digits(&mut rng, len);
            let people = People {
                patient: "GARCIA^MARIA",
                patient_id: &id,
                referring: "JONES^PETER",
            };
            runs += 1;
            if let Err(e) = deidentified(&ultrasound_header(&people, source)) {
                refused.push(format!("{id}: {e}"));
            }
        }
        eprintln!("{len}-digit IDs: {} of 200 refused", refused.len() - before);
    }
    // IDs that are numbers of the header: in DICOM's own UIDs (1.2.840.10008.…), the code of
    // the de-identification method, Image Type, the year of the acquisition time.
    for id in ["840", "10008", "113100", "0001", "2024"] {
        let people = People {
            patient: "GARCIA^MARIA",
            patient_id: id,
            referring: "JONES^PETER",
        };
        runs += 1;
        if let Err(e) = deidentified(&ultrasound_header(&people, 0)) {
            refused.push(format!("{id}: {e}"));
        }
    }
    report("short IDs", runs, &refused);
}

/// Common Chinese surnames, in pinyin and in characters.
const SURNAMES: &[(&str, &str)] = &[
    ("WANG", "王"),
    ("LI", "李"),
    ("ZHANG", "张"),
    ("LIU", "刘"),
    ("CHEN", "陈"),
    ("YANG", "杨"),
    ("ZHAO", "赵"),
    ("HUANG", "黄"),
    ("ZHOU", "周"),
    ("WU", "吴"),
    ("XU", "徐"),
    ("SUN", "孙"),
    ("MA", "马"),
    ("ZHU", "朱"),
    ("HU", "胡"),
    ("GUO", "郭"),
    ("HE", "何"),
    ("LIN", "林"),
    ("LUO", "罗"),
    ("GAO", "高"),
];

/// Common Chinese given names, in pinyin and in characters.
const GIVEN_NAMES: &[(&str, &str)] = &[
    ("MIN", "敏"),
    ("HUA", "华"),
    ("WEI", "伟"),
    ("JING", "静"),
    ("LI", "丽"),
    ("NA", "娜"),
    ("FANG", "芳"),
    ("YING", "英"),
    ("JUN", "军"),
    ("YAN", "艳"),
    ("QIANG", "强"),
    ("LEI", "磊"),
    ("YONG", "勇"),
    ("JIE", "杰"),
    ("TAO", "涛"),
    ("MING", "明"),
    ("CHAO", "超"),
    ("PING", "平"),
    ("XIUYING", "秀英"),
    ("JIANHUA", "建华"),
];

/// The texts a de-identified header must keep exactly as they were: descriptions, device and
/// codes (a false match would clean or refuse them).
const KEPT_TEXTS: &[Tag] = &[
    tags::STUDY_DESCRIPTION,
    tags::SERIES_DESCRIPTION,
    tags::IMAGE_COMMENTS,
    tags::ACQUISITION_DEVICE_PROCESSING_DESCRIPTION,
    tags::IMAGE_TYPE,
    tags::MANUFACTURER_MODEL_NAME,
];

/// Runs every (patient, referring physician) pair through the header check; returns the pairs
/// refused or with a description changed, and why.
fn false_alarms(pairs: &[(String, String)]) -> Vec<String> {
    let mut alarms = Vec::new();
    for (source, (patient, referring)) in pairs.iter().enumerate() {
        let people = People {
            patient,
            patient_id: "MRN-889900",
            referring,
        };
        let header = ultrasound_header(&people, source);
        let alarm = match deidentified(&header) {
            Err(e) => Some(e.to_string()),
            Ok(out) => KEPT_TEXTS.iter().find_map(|tag| {
                let after = first_text(&out, *tag);
                (after != first_text(&header, *tag)).then(|| format!("cleaned {tag}: {after}"))
            }),
        };
        if let Some(alarm) = alarm {
            alarms.push(format!("{patient} / {referring}: {alarm}"));
        }
    }
    alarms
}

#[test]
fn common_chinese_names_are_not_found_in_an_ultrasound_header() {
    let mut pairs = Vec::new();
    for (i, (family, family_zh)) in SURNAMES.iter().enumerate() {
        for (j, (given, given_zh)) in GIVEN_NAMES.iter().enumerate() {
            let (doctor, doctor_zh) = SURNAMES[(i + j + 7) % SURNAMES.len()];
            let (first, first_zh) = GIVEN_NAMES[(i * 3 + j) % GIVEN_NAMES.len()];
            pairs.push((
                format!("{family}^{given}={family_zh}^{given_zh}"),
                format!("{doctor}^{first}={doctor_zh}^{first_zh}"),
            ));
        }
    }
    let alarms = false_alarms(&pairs);
    report("Chinese names", pairs.len(), &alarms);
}

/// A scanner's preset names the exam, not a person: Philips writes `OB_GENERAL` in Processing
/// Function, and its obstetric files name the patient `OB` (pydicom-data's `OBXXXX1A.dcm`).
#[test]
fn the_scanner_preset_is_not_searched_for_names() {
    let people = People {
        patient: "OB^MEI",
        patient_id: "MRN-889900",
        referring: "WANG^LEI",
    };
    let mut header = ultrasound_header(&people, 0);
    put(&mut header, tags::PROCESSING_FUNCTION, VR::LO, "OB_GENERAL");
    let out = deidentified(&header).expect("a preset is no reason to refuse");
    assert_eq!(first_text(&out, tags::PROCESSING_FUNCTION), "OB_GENERAL");
}

#[test]
fn latin_names_inside_english_words_are_not_found() {
    // Each name, and the word of the header it is inside.
    let names = [
        ("MARY", "PRIMARY"),
        ("ANN", "SCANNER"),
        ("ED", "ENHANCED"),
        ("AL", "ABNORMAL"),
        ("NORMA", "ABNORMAL"),
        ("BEN", "BENIGN"),
        ("REN", "RENAL"),
        ("IAN", "MEDIAN"),
        ("ECHO", "ECHOTEXTURE"),
        ("HAL", "THALAMUS"),
        ("CARD", "ECHOCARDIOGRAPHY"),
        ("PHY", "ECHOCARDIOGRAPHY"),
        ("REF", "PREFERRED"),
        ("ARIA", "PARASTERNAL"),
        ("NIC", "HARMONIC"),
        ("XE", "XE"),
    ];
    let mut pairs = Vec::new();
    for (name, _) in names {
        pairs.push((format!("GARCIA^{name}"), format!("{name}^PETER")));
        pairs.push((format!("{name}^MARIA"), "Ref^Phy".to_string()));
    }
    let alarms = false_alarms(&pairs);
    report("Latin names", pairs.len(), &alarms);
}

#[test]
fn values_match_as_whole_tokens_but_cjk_anywhere() {
    fn found<'a>(text: &'a str, value: &str) -> Option<&'a str> {
        find_token(text, value, 0).map(|r| &text[r])
    }
    // Not inside a longer word or number.
    assert_eq!(found("ORIGINAL\\PRIMARY", "MARY"), None);
    assert_eq!(found("ECHOCARDIOGRAPHY", "PHY"), None);
    assert_eq!(found("2.25.120451", "204"), None);
    assert_eq!(found("1.2045", "204"), None);
    // A word or a number of its own, whatever surrounds it and in any case.
    assert_eq!(found("for Mary's scan", "MARY"), Some("Mary"));
    assert_eq!(found("ID 204 follow-up", "204"), Some("204"));
    assert_eq!(found("MRN204", "204"), Some("204"));
    assert_eq!(found("RADIOLOGY1", "Radiology"), Some("RADIOLOGY"));
    // A name with its parts written apart, together or with other separators.
    assert_eq!(
        found("Wang, Xiaoming", "WANG XIAOMING"),
        Some("Wang, Xiaoming")
    );
    assert_eq!(
        found("WANGXIAOMING 3", "WANG XIAOMING"),
        Some("WANGXIAOMING")
    );
    assert_eq!(found("MRN 555", "MRN-555"), Some("MRN 555"));
    // CJK text has no spaces: a name is found inside it.
    assert_eq!(found("患者王小明先生", "王 小明"), Some("王小明"));
    assert_eq!(found("患者WANG", "WANG"), Some("WANG"));
    // Byte ranges on character boundaries; the search goes on from where it is told.
    let text = "王小明 and 王小明";
    assert_eq!(find_token(text, "王小明", 3), Some(14..23));
}

#[test]
fn identifying_values_planted_where_they_could_survive_are_still_caught() {
    let people = People {
        patient: "WANG^XIAOMING=王^小明",
        patient_id: "204",
        referring: "ZHAO^MIN",
    };
    // In free text the profile keeps: refused, naming the element and what it holds.
    let kept = [
        ("ID 204 follow-up", "Patient ID"),
        ("MRN204", "Patient ID"),
        ("DOB 19620517", "Patient's Birth Date"),
        ("seen by Dr Zhao", "Referring Physician's Name"),
        ("Min, Zhao", "Referring Physician's Name"),
        ("Xiaoming Wang", "Patient's Name"),
        ("WANGXIAOMING", "Patient's Name"),
        ("患者王小明", "Patient's Name"),
        ("Riverside Community Health Centre", "Institution Name"),
        ("ACC778899", "Accession Number"),
        ("Ultrasound dept.", "Institutional Department Name"),
    ];
    for (text, source) in kept {
        let mut header = ultrasound_header(&people, 0);
        put(
            &mut header,
            tags::ACQUISITION_DEVICE_PROCESSING_DESCRIPTION,
            VR::LO,
            text,
        );
        let element = refusal(&header);
        assert!(
            element.contains("(0018,1400)") && element.contains(source),
            "{text}: {element}"
        );
    }
    // At any depth.
    let mut header = ultrasound_header(&people, 0);
    let mut item = header
        .element(tags::REFERENCED_IMAGE_SEQUENCE)
        .unwrap()
        .items()
        .unwrap()[0]
        .clone();
    put(&mut item, tags::TRANSDUCER_DATA, VR::LO, "L12-5 pt 204");
    put_items(&mut header, tags::REFERENCED_IMAGE_SEQUENCE, vec![item]);
    let element = refusal(&header);
    assert!(
        element.contains("Referenced Image Sequence") && element.contains("Patient ID"),
        "{element}"
    );

    // Two-letter pinyin names, as whole words.
    let people = People {
        patient: "LI^NA",
        patient_id: "MRN-1",
        referring: "MA^WU",
    };
    for text in ["seen by LI", "Li Na", "LINA", "Na, Li", "Dr Ma"] {
        let mut header = ultrasound_header(&people, 0);
        put(&mut header, tags::TRANSDUCER_DATA, VR::LO, text);
        assert!(refusal(&header).contains("(0018,5010)"), "{text}");
    }

    // In descriptions (Clean Descriptors): cleaned out, the rest kept.
    let people = People {
        patient: "WANG^XIAOMING=王^小明",
        patient_id: "204",
        referring: "ZHAO^MIN",
    };
    let cleaned = [
        (
            tags::STUDY_DESCRIPTION,
            "US THYROID WANG XIAOMING",
            "US THYROID ***",
        ),
        (
            tags::SERIES_DESCRIPTION,
            "王小明 甲状腺 横切",
            "*** 甲状腺 横切",
        ),
        (
            tags::IMAGE_COMMENTS,
            "ID 204, DOB 19620517",
            "ID ***, DOB ***",
        ),
        (tags::PROTOCOL_NAME, "Thyroid (Dr Zhao)", "Thyroid (Dr ***)"),
    ];
    for (tag, text, expected) in cleaned {
        let mut header = ultrasound_header(&people, 0);
        put(&mut header, tag, VR::LO, text);
        let out = deidentified(&header).expect("cleaned, not refused");
        assert_eq!(first_text(&out, tag), expected);
    }
}

#[test]
fn the_profile_removes_what_it_cannot_vouch_for_before_the_check_reads_it() {
    let people = People {
        patient: "WANG^XIAOMING",
        patient_id: "204",
        referring: "ZHAO^MIN",
    };
    let mut header = ultrasound_header(&people, 1);
    // An attribute no standard defines, and a patient's name where no module puts one.
    put(
        &mut header,
        Tag(0x0018, 0x0001),
        VR::LO,
        "WANG XIAOMING 204",
    );
    let mut item = header
        .element(tags::REFERENCED_IMAGE_SEQUENCE)
        .unwrap()
        .items()
        .unwrap()[0]
        .clone();
    put(&mut item, tags::PATIENT_NAME, VR::PN, people.patient);
    put_items(&mut header, tags::REFERENCED_IMAGE_SEQUENCE, vec![item]);
    // The header holds the referring physician in Reason for Study, the department in the
    // Network ID and Retrieve AE Title, and the patient's name in a private attribute.
    let out = deidentified(&header).expect("nothing identifying is kept");
    for tag in [
        Tag(0x0032, 0x1030), // Reason for Study
        Tag(0x0008, 0x1000), // Network ID
        tags::RETRIEVE_AE_TITLE,
        Tag(0x0018, 0x0001),
        Tag(0x0009, 0x1001),
    ] {
        assert!(out.element_opt(tag).unwrap().is_none(), "{tag} removed");
    }
    let item = &out
        .element(tags::REFERENCED_IMAGE_SEQUENCE)
        .unwrap()
        .items()
        .unwrap()[0];
    assert_eq!(first_text(item, tags::PATIENT_NAME), "");
    // What the scanner and the codes say is kept as it was.
    assert_eq!(
        first_text(&out, tags::MANUFACTURER_MODEL_NAME),
        "ACUSON Sequoia"
    );
    assert_eq!(
        first_text(&out, tags::IMAGE_TYPE),
        "ORIGINAL\\PRIMARY\\SMALL PARTS\\0001"
    );
    let code = &out
        .element(tags::PROCEDURE_CODE_SEQUENCE)
        .unwrap()
        .items()
        .unwrap()[0];
    assert_eq!(
        first_text(code, tags::CODE_MEANING),
        "ECHOCARDIOGRAPHY, TRANSTHORACIC"
    );
}
