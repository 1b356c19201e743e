//! Tests of the whole de-identification: the profile, the pseudonyms, the PHI check and
//! pixel cleaning, on synthetic clips dressed as real exams.
use super::*;
use crate::dicom::dates;
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use dicom_core::header::Header;
use dicom_core::value::DataSetSequence;
use dicom_core::{PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;
use dicom_object::OpenFileOptions;

mod phi;

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
        tags::ACQUISITION_DEVICE_PROCESSING_DESCRIPTION,
        VR::LO,
        "Preset for MRN-555",
    );
    let mut bytes = Vec::new();
    obj.write_all(&mut bytes).unwrap();
    match anonymize(&bytes, &cfg()) {
        Err(AnonymizeError::Phi { element }) => {
            assert!(
                element.contains("(0018,1400)") && element.contains("Patient ID"),
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
            id: None,
            manufacturer: "acme".into(),
            model: String::new(),
            columns: 160,
            rows: 120,
            keep: None,
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
    assert!(done.device_masks_used.is_empty(), "a file's mask has no id");

    // A stored mask with an image area: everything outside it is black, and its use is named.
    let area = PixelRect {
        x0: 10,
        y0: 30,
        x1: 149,
        y1: 109,
    };
    let stored = AnonymizeConfig {
        device_masks: vec![DeviceMask {
            id: Some("mask-1".into()),
            manufacturer: " ACME ".into(),
            model: String::new(),
            columns: 160,
            rows: 120,
            keep: Some(area),
            rects: Vec::new(),
        }],
        ..cfg()
    };
    let done = anonymize(&bytes, &stored).expect("the mask's area is used");
    assert_eq!(done.masked_pixels, 160 * 120 - 140 * 80);
    assert_eq!(done.device_masks_used, vec!["mask-1".to_string()]);
    // Another image size of the same model is not this mask's.
    let other_size = AnonymizeConfig {
        device_masks: vec![DeviceMask {
            columns: 161,
            ..stored.device_masks[0].clone()
        }],
        ..cfg()
    };
    assert_eq!(
        anonymize(&bytes, &other_size).unwrap_err(),
        AnonymizeError::NoImageArea
    );
    // An area an expert marked on this file wins over the mask's; one outside the image is
    // no area at all.
    let marked = AnonymizeConfig {
        image_area: Some(PixelRect {
            x0: 0,
            y0: 20,
            x1: 159,
            y1: 119,
        }),
        ..stored.clone()
    };
    let done = anonymize(&bytes, &marked).expect("the marked area is used");
    assert_eq!(done.masked_pixels, 160 * 20);
    assert!(done.device_masks_used.is_empty());
    let outside = AnonymizeConfig {
        image_area: Some(PixelRect {
            x0: 0,
            y0: 0,
            x1: 160,
            y1: 119,
        }),
        ..cfg()
    };
    assert_eq!(
        anonymize(&bytes, &outside).unwrap_err(),
        AnonymizeError::NoImageArea
    );
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
        tags::ACQUISITION_DEVICE_PROCESSING_DESCRIPTION,
        VR::LO,
        "Preset for MRN-8",
    );
    let mut leaky = Vec::new();
    obj.write_all(&mut leaky).unwrap();
    assert!(matches!(
        anonymize(&leaky, &headers_only),
        Err(AnonymizeError::Phi { .. })
    ));
}
