use super::*;

fn carotid_form() -> ReviewForm {
    ReviewForm {
        fields: vec![FormField {
            key: "ica-grade".into(),
            label: "ICA stenosis (SRU)".into(),
            kind: FieldKind::Choice {
                options: strings(&[
                    "normal",
                    "<50%",
                    "50-69%",
                    ">=70%",
                    "near occlusion",
                    "occlusion",
                ]),
                negative: strings(&["normal", "<50%"]),
            },
        }],
        rubric: None,
    }
}

/// The kind of the first field, to edit in a test.
fn kind(form: &mut ReviewForm) -> &mut FieldKind {
    &mut form.fields[0].kind
}

#[test]
fn the_example_forms_are_valid() {
    assert_eq!(validate_form(&efast_form()), Ok(()));
    assert_eq!(validate_form(&thyroid_form()), Ok(()));
    assert_eq!(validate_form(&carotid_form()), Ok(()));
}

#[test]
fn a_form_asks_something_under_unique_well_formed_keys() {
    let mut form = thyroid_form();
    form.fields.clear();
    assert_eq!(
        validate_form(&form),
        refused("fields", InvalidReason::Required)
    );

    let mut form = thyroid_form();
    form.fields[1].key = "tirads".into();
    assert_eq!(
        validate_form(&form),
        refused("fields.1.key", InvalidReason::Taken)
    );
    form.fields[1].key = String::new();
    assert_eq!(
        validate_form(&form),
        refused("fields.1.key", InvalidReason::Required)
    );
    form.fields[1].key = "Nodule composition".into();
    assert_eq!(
        validate_form(&form),
        refused("fields.1.key", InvalidReason::BadFormat)
    );

    let mut form = thyroid_form();
    form.fields[0].label = "   ".into();
    assert_eq!(
        validate_form(&form),
        refused("fields.0.label", InvalidReason::Required)
    );
    form.fields[0].label = "x".repeat(MAX_LABEL_CHARS + 1);
    assert_eq!(
        validate_form(&form),
        refused("fields.0.label", InvalidReason::TooLong)
    );
}

#[test]
fn a_choice_offers_at_least_two_distinct_options() {
    let mut form = carotid_form();
    *kind(&mut form) = FieldKind::Choice {
        options: strings(&["normal"]),
        negative: Vec::new(),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.options", InvalidReason::TooShort)
    );
    *kind(&mut form) = FieldKind::Choice {
        options: Vec::new(),
        negative: Vec::new(),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.options", InvalidReason::Required)
    );
    *kind(&mut form) = FieldKind::Choice {
        options: strings(&["normal", "stenosis", "normal"]),
        negative: Vec::new(),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.options.2", InvalidReason::Taken)
    );
    // An option that reads like another but for its spaces is refused, not told apart.
    *kind(&mut form) = FieldKind::Choice {
        options: strings(&["normal", "normal "]),
        negative: Vec::new(),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.options.1", InvalidReason::BadFormat)
    );
    *kind(&mut form) = FieldKind::Choice {
        options: (0..=MAX_OPTIONS).map(|i| format!("option {i}")).collect(),
        negative: Vec::new(),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.options", InvalidReason::TooLong)
    );
}

#[test]
fn negative_options_are_options_of_the_field() {
    let mut form = carotid_form();
    *kind(&mut form) = FieldKind::Choice {
        options: strings(&["normal", "stenosis"]),
        negative: strings(&["normal", "absent"]),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.negative.1", InvalidReason::Unknown)
    );
    *kind(&mut form) = FieldKind::Choice {
        options: strings(&["normal", "stenosis"]),
        negative: strings(&["normal", "normal"]),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.negative.1", InvalidReason::Taken)
    );
}

#[test]
fn a_per_window_field_names_its_windows_once_each() {
    let mut form = efast_form();
    *kind(&mut form) = FieldKind::PerWindow {
        windows: Vec::new(),
        options: strings(&["positive", "negative"]),
        negative: strings(&["negative"]),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.windows", InvalidReason::Required)
    );
    *kind(&mut form) = FieldKind::PerWindow {
        windows: strings(&["Pelvis", "Pericardium", "Pelvis"]),
        options: strings(&["positive", "negative"]),
        negative: strings(&["negative"]),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.windows.2", InvalidReason::Taken)
    );
    *kind(&mut form) = FieldKind::PerWindow {
        windows: strings(&["Pelvis"]),
        options: strings(&["positive"]),
        negative: Vec::new(),
    };
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.options", InvalidReason::TooShort)
    );
}

#[test]
fn a_level_spans_at_least_two_levels() {
    let mut form = thyroid_form();
    let level = |min, max, positive_from| FieldKind::Level {
        min,
        max,
        positive_from,
    };
    *kind(&mut form) = level(3, 3, None);
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.max", InvalidReason::OutOfRange)
    );
    *kind(&mut form) = level(5, 1, None);
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.max", InvalidReason::OutOfRange)
    );
    // Bethesda I–VI is six levels; twenty is the most a field offers.
    *kind(&mut form) = level(1, 6, Some(6));
    assert_eq!(validate_form(&form), Ok(()));
    *kind(&mut form) = level(0, 19, None);
    assert_eq!(validate_form(&form), Ok(()));
    *kind(&mut form) = level(0, 20, None);
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.max", InvalidReason::TooLong)
    );
    *kind(&mut form) = level(1, 5, Some(6));
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.positive_from", InvalidReason::OutOfRange)
    );
    *kind(&mut form) = level(1, 5, Some(0));
    assert_eq!(
        validate_form(&form),
        refused("fields.0.kind.positive_from", InvalidReason::OutOfRange)
    );
}

#[test]
fn a_rubric_has_criteria_of_at_least_two_levels() {
    let mut form = thyroid_form();
    form.rubric.as_mut().unwrap().criteria[1].levels = strings(&["yes"]);
    assert_eq!(
        validate_form(&form),
        refused("rubric.criteria.1.levels", InvalidReason::TooShort)
    );
    let mut form = thyroid_form();
    form.rubric.as_mut().unwrap().criteria[1].key = "margins".into();
    assert_eq!(
        validate_form(&form),
        refused("rubric.criteria.1.key", InvalidReason::Taken)
    );
    let mut form = thyroid_form();
    form.rubric.as_mut().unwrap().criteria.clear();
    assert_eq!(
        validate_form(&form),
        refused("rubric.criteria", InvalidReason::Required)
    );
}

#[test]
fn a_form_is_stored_as_tagged_json() {
    let form = efast_form();
    let json = serde_json::to_value(&form).unwrap();
    assert_eq!(json["fields"][0]["kind"]["type"], "per_window");
    assert_eq!(json["fields"][0]["kind"]["negative"][0], "negative");
    let back: ReviewForm = serde_json::from_value(json).unwrap();
    assert_eq!(back, form);
    // The call markers may be left out.
    let level: FieldKind = serde_json::from_str(r#"{"type":"level","min":1,"max":5}"#).unwrap();
    assert_eq!(
        level,
        FieldKind::Level {
            min: 1,
            max: 5,
            positive_from: None
        }
    );
    let reading = serde_json::to_string(&thyroid_reading(4, "solid")).unwrap();
    assert_eq!(
        reading,
        r#"{"answers":{"composition":{"choice":"solid"},"tirads":{"level":4}}}"#
    );
}

#[test]
fn an_interpretation_answers_every_field_with_an_allowed_value() {
    let form = thyroid_form();
    assert_eq!(
        validate_interpretation(&form, &thyroid_reading(4, "solid")),
        Ok(())
    );
    let mut reading = thyroid_reading(4, "solid");
    reading.answers.remove("composition");
    assert_eq!(
        validate_interpretation(&form, &reading),
        refused("answers.composition", InvalidReason::Required)
    );
    assert_eq!(
        validate_interpretation(&form, &thyroid_reading(4, "calcified")),
        refused("answers.composition", InvalidReason::Unknown)
    );
    for level in [0, 6] {
        assert_eq!(
            validate_interpretation(&form, &thyroid_reading(level, "solid")),
            refused("answers.tirads", InvalidReason::OutOfRange),
            "TR{level}"
        );
    }
    let mut reading = thyroid_reading(4, "solid");
    reading
        .answers
        .insert("tirads".into(), Answer::Choice("TR4".into()));
    assert_eq!(
        validate_interpretation(&form, &reading),
        refused("answers.tirads", InvalidReason::BadFormat)
    );
    let mut reading = thyroid_reading(4, "solid");
    reading.answers.insert("size".into(), Answer::Level(12));
    assert_eq!(
        validate_interpretation(&form, &reading),
        refused("answers", InvalidReason::Unknown)
    );
}

#[test]
fn a_per_window_answer_covers_exactly_the_forms_windows() {
    let form = efast_form();
    assert_eq!(validate_interpretation(&form, &efast_reading(&[0])), Ok(()));
    let with = |change: fn(&mut std::collections::BTreeMap<String, String>)| {
        let mut reading = efast_reading(&[]);
        if let Some(Answer::PerWindow(values)) = reading.answers.get_mut("efast") {
            change(values);
        }
        reading
    };
    let without_pelvis = with(|w| {
        w.remove("Pelvis");
    });
    assert_eq!(
        validate_interpretation(&form, &without_pelvis),
        refused("answers.efast.2", InvalidReason::Required)
    );
    let unknown_value = with(|w| {
        w.insert("Pericardium".into(), "tamponade".into());
    });
    assert_eq!(
        validate_interpretation(&form, &unknown_value),
        refused("answers.efast.3", InvalidReason::Unknown)
    );
    let extra_window = with(|w| {
        w.insert("Aorta".into(), "negative".into());
    });
    assert_eq!(
        validate_interpretation(&form, &extra_window),
        refused("answers.efast", InvalidReason::Unknown)
    );
}
