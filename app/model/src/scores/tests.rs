//! The score tables against the published sources, and the field paths of refused input.
use super::*;
use crate::{AppError, InvalidReason};

fn nodule() -> ThyroidNodule {
    ThyroidNodule {
        label: "N1".into(),
        lobe: Lobe::Right,
        size_mm: 12.0,
        composition: Composition::Cystic,
        echogenicity: Echogenicity::Anechoic,
        shape: NoduleShape::WiderThanTall,
        margin: Margin::Smooth,
        foci: vec![],
    }
}

fn carotid(psv: Option<f64>, edv: Option<f64>, cca: Option<f64>) -> CarotidFinding {
    CarotidFinding {
        ica_psv: psv,
        ica_edv: edv,
        cca_psv: cca,
        ..CarotidFinding::default()
    }
}

fn grade(c: &CarotidFinding) -> StenosisGrade {
    c.sru().expect("gradable").grade
}

// ---- ACR points per category

#[test]
fn composition_points() {
    let points: Vec<u8> = Composition::all()
        .into_iter()
        .map(|composition| {
            ThyroidNodule {
                composition,
                ..nodule()
            }
            .acr_points()
            .composition
        })
        .collect();
    assert_eq!(points, [0, 0, 1, 2]);
}

#[test]
fn echogenicity_points_on_a_solid_nodule() {
    let points: Vec<u8> = Echogenicity::all()
        .into_iter()
        .map(|echogenicity| {
            ThyroidNodule {
                composition: Composition::Solid,
                echogenicity,
                ..nodule()
            }
            .acr_points()
            .echogenicity
        })
        .collect();
    assert_eq!(points, [0, 1, 2, 3]);
}

#[test]
fn cystic_nodule_echogenicity_counts_as_anechoic() {
    let n = ThyroidNodule {
        echogenicity: Echogenicity::VeryHypo,
        ..nodule()
    };
    assert_eq!(n.acr_points().echogenicity, 0);
    assert_eq!(n.acr_points().total, 0);
}

#[test]
fn shape_margin_and_foci_points() {
    let shape: Vec<u8> = NoduleShape::all()
        .into_iter()
        .map(|shape| ThyroidNodule { shape, ..nodule() }.acr_points().shape)
        .collect();
    assert_eq!(shape, [0, 3]);
    let margin: Vec<u8> = Margin::all()
        .into_iter()
        .map(|margin| ThyroidNodule { margin, ..nodule() }.acr_points().margin)
        .collect();
    assert_eq!(margin, [0, 0, 2, 3]);
    let foci: Vec<u8> = EchogenicFoci::all()
        .into_iter()
        .map(|f| {
            ThyroidNodule {
                foci: vec![f],
                ..nodule()
            }
            .acr_points()
            .foci
        })
        .collect();
    assert_eq!(foci, [0, 1, 2, 3]);
}

#[test]
fn several_foci_add_up_and_repeats_count_once() {
    let n = ThyroidNodule {
        foci: vec![
            EchogenicFoci::Macro,
            EchogenicFoci::Rim,
            EchogenicFoci::Punctate,
        ],
        ..nodule()
    };
    assert_eq!(n.acr_points().foci, 6);
    let repeated = ThyroidNodule {
        foci: vec![EchogenicFoci::Punctate, EchogenicFoci::Punctate],
        ..nodule()
    };
    assert_eq!(repeated.acr_points().foci, 3);
}

#[test]
fn spongiform_adds_no_further_points() {
    let n = ThyroidNodule {
        composition: Composition::Spongiform,
        echogenicity: Echogenicity::VeryHypo,
        shape: NoduleShape::TallerThanWide,
        margin: Margin::Extrathyroidal,
        foci: vec![EchogenicFoci::Punctate],
        size_mm: 40.0,
        ..nodule()
    };
    let acr = n.acr();
    assert_eq!(acr.points.total, 0);
    assert_eq!(acr.points.margin, 0);
    assert_eq!(acr.level, TiradsLevel::Tr1);
    assert_eq!(acr.advice, Advice::NoFurther);
}

#[test]
fn total_is_the_sum_of_categories() {
    let n = ThyroidNodule {
        composition: Composition::Mixed,
        echogenicity: Echogenicity::Hypo,
        margin: Margin::Irregular,
        foci: vec![EchogenicFoci::Macro],
        ..nodule()
    };
    let p = n.acr_points();
    assert_eq!(
        (p.composition, p.echogenicity, p.margin, p.foci),
        (1, 2, 2, 1)
    );
    assert_eq!(p.total, 6);
}

// ---- ACR levels

#[test]
fn level_boundaries() {
    let cases = [
        (0, TiradsLevel::Tr1),
        (1, TiradsLevel::Tr1),
        (2, TiradsLevel::Tr2),
        (3, TiradsLevel::Tr3),
        (4, TiradsLevel::Tr4),
        (6, TiradsLevel::Tr4),
        (7, TiradsLevel::Tr5),
        (14, TiradsLevel::Tr5),
    ];
    for (points, level) in cases {
        assert_eq!(TiradsLevel::from_points(points), level, "{points} points");
    }
}

#[test]
fn one_point_nodule_is_tr1() {
    // Cystic with a macrocalcification: the one realistic way to 1 point.
    let n = ThyroidNodule {
        foci: vec![EchogenicFoci::Macro],
        size_mm: 30.0,
        ..nodule()
    };
    let acr = n.acr();
    assert_eq!(acr.points.total, 1);
    assert_eq!(acr.level, TiradsLevel::Tr1);
    assert_eq!(acr.advice, Advice::NoFurther);
}

#[test]
fn highest_possible_nodule_scores_14() {
    let n = ThyroidNodule {
        composition: Composition::Solid,
        echogenicity: Echogenicity::VeryHypo,
        shape: NoduleShape::TallerThanWide,
        margin: Margin::Extrathyroidal,
        foci: EchogenicFoci::all().to_vec(),
        ..nodule()
    };
    let acr = n.acr();
    assert_eq!(acr.points.total, 2 + 3 + 3 + 3 + 6);
    assert_eq!(acr.level, TiradsLevel::Tr5);
}

#[test]
fn level_numbers_round_trip() {
    for level in TiradsLevel::all() {
        assert_eq!(TiradsLevel::from_number(level.number()), Some(level));
    }
    assert_eq!(TiradsLevel::from_number(0), None);
    assert_eq!(TiradsLevel::from_number(6), None);
}

// ---- ACR advice by size

/// A solid nodule whose other features bring it to `level`.
fn at_level(level: TiradsLevel, size_mm: f64) -> ThyroidNodule {
    let (echogenicity, margin) = match level {
        TiradsLevel::Tr2 => (Echogenicity::Anechoic, Margin::Smooth), // 2
        TiradsLevel::Tr3 => (Echogenicity::HyperIso, Margin::Smooth), // 3
        TiradsLevel::Tr4 => (Echogenicity::Hypo, Margin::Smooth),     // 4
        _ => (Echogenicity::VeryHypo, Margin::Irregular),             // 7
    };
    let n = ThyroidNodule {
        composition: Composition::Solid,
        echogenicity,
        margin,
        size_mm,
        ..nodule()
    };
    assert_eq!(n.acr().level, level);
    n
}

#[test]
fn advice_at_each_threshold() {
    use Advice::*;
    let cases = [
        (TiradsLevel::Tr3, 14.9, NoFurther),
        (TiradsLevel::Tr3, 15.0, FollowUp),
        (TiradsLevel::Tr3, 24.9, FollowUp),
        (TiradsLevel::Tr3, 25.0, Fna),
        (TiradsLevel::Tr4, 9.9, NoFurther),
        (TiradsLevel::Tr4, 10.0, FollowUp),
        (TiradsLevel::Tr4, 14.9, FollowUp),
        (TiradsLevel::Tr4, 15.0, Fna),
        (TiradsLevel::Tr5, 4.9, NoFurther),
        (TiradsLevel::Tr5, 5.0, FollowUp),
        (TiradsLevel::Tr5, 9.9, FollowUp),
        (TiradsLevel::Tr5, 10.0, Fna),
        (TiradsLevel::Tr2, 60.0, NoFurther),
    ];
    for (level, size, advice) in cases {
        assert_eq!(
            at_level(level, size).acr().advice,
            advice,
            "{level:?} {size} mm"
        );
    }
}

#[test]
fn thresholds_are_reported() {
    let acr = at_level(TiradsLevel::Tr4, 3.0).acr();
    assert_eq!(
        (acr.fna_from_mm, acr.follow_from_mm),
        (Some(15.0), Some(10.0))
    );
    let acr = at_level(TiradsLevel::Tr2, 3.0).acr();
    assert_eq!((acr.fna_from_mm, acr.follow_from_mm), (None, None));
}

// ---- C-TIRADS

#[test]
fn c_tirads_comet_tail_alone_is_category_2() {
    let n = ThyroidNodule {
        foci: vec![EchogenicFoci::CometTail],
        ..nodule()
    };
    let c = n.c_tirads();
    assert_eq!(c.score, -1);
    assert_eq!(c.negative, [CTiradsFeature::CometTail]);
    assert_eq!(c.category, CTiradsCategory::C2);
    assert_eq!(c.risk, "0%");
    assert_eq!(c.advice, Advice::NoFurther);
}

#[test]
fn c_tirads_no_feature_is_category_3() {
    let c = nodule().c_tirads();
    assert_eq!((c.score, c.category), (0, CTiradsCategory::C3));
    assert_eq!(c.risk, "<2%");
}

#[test]
fn c_tirads_each_feature_counts_one() {
    let one = |n: ThyroidNodule, feature| {
        let c = n.c_tirads();
        assert_eq!(c.positive, [feature]);
        assert_eq!((c.score, c.category), (1, CTiradsCategory::C4a));
    };
    let solid = ThyroidNodule {
        composition: Composition::Solid,
        echogenicity: Echogenicity::Hypo,
        ..nodule()
    };
    one(solid, CTiradsFeature::Solid);
    let very_hypo = ThyroidNodule {
        composition: Composition::Mixed,
        echogenicity: Echogenicity::VeryHypo,
        ..nodule()
    };
    one(very_hypo, CTiradsFeature::MarkedlyHypoechoic);
    let punctate = ThyroidNodule {
        foci: vec![EchogenicFoci::Punctate, EchogenicFoci::Macro],
        ..nodule()
    };
    one(punctate, CTiradsFeature::Microcalcification);
    let ill_defined = ThyroidNodule {
        margin: Margin::IllDefined,
        ..nodule()
    };
    one(ill_defined, CTiradsFeature::IllDefinedOrIrregularMargin);
    let irregular = ThyroidNodule {
        margin: Margin::Irregular,
        ..nodule()
    };
    one(irregular, CTiradsFeature::IllDefinedOrIrregularMargin);
    let ete = ThyroidNodule {
        margin: Margin::Extrathyroidal,
        ..nodule()
    };
    one(ete, CTiradsFeature::Extrathyroidal);
    let vertical = ThyroidNodule {
        shape: NoduleShape::TallerThanWide,
        ..nodule()
    };
    one(vertical, CTiradsFeature::Vertical);
}

#[test]
fn c_tirads_categories_by_score() {
    let cases = [
        (-1, CTiradsCategory::C2, "2"),
        (0, CTiradsCategory::C3, "3"),
        (1, CTiradsCategory::C4a, "4A"),
        (2, CTiradsCategory::C4b, "4B"),
        (3, CTiradsCategory::C4c, "4C"),
        (4, CTiradsCategory::C4c, "4C"),
        (5, CTiradsCategory::C5, "5"),
    ];
    for (score, category, label) in cases {
        assert_eq!(
            CTiradsCategory::from_score(score),
            category,
            "score {score}"
        );
        assert_eq!(category.label(), label);
    }
    let risks: Vec<&str> = CTiradsCategory::all()
        .into_iter()
        .map(|c| c.risk())
        .collect();
    assert_eq!(risks, ["0%", "<2%", "2–10%", "10–50%", "50–90%", ">90%"]);
}

#[test]
fn c_tirads_all_five_features_is_category_5() {
    let n = ThyroidNodule {
        composition: Composition::Solid,
        echogenicity: Echogenicity::VeryHypo,
        shape: NoduleShape::TallerThanWide,
        margin: Margin::Extrathyroidal,
        foci: vec![EchogenicFoci::Punctate],
        ..nodule()
    };
    let c = n.c_tirads();
    assert_eq!(c.score, 5);
    assert_eq!(c.category, CTiradsCategory::C5);
    assert_eq!(c.risk, ">90%");
    assert_eq!(c.advice, Advice::Fna);
}

#[test]
fn c_tirads_comet_tail_subtracts_from_suspicious_features() {
    let n = ThyroidNodule {
        composition: Composition::Solid,
        echogenicity: Echogenicity::VeryHypo,
        margin: Margin::Irregular,
        foci: vec![EchogenicFoci::CometTail],
        ..nodule()
    };
    let c = n.c_tirads();
    assert_eq!(c.positive.len(), 3);
    assert_eq!((c.score, c.category), (2, CTiradsCategory::C4b));
}

// ---- carotid

#[test]
fn imt_classes() {
    assert_eq!(ImtClass::from_mm(0.99), ImtClass::Normal);
    assert_eq!(ImtClass::from_mm(1.0), ImtClass::Thickened);
    assert_eq!(ImtClass::from_mm(1.49), ImtClass::Thickened);
    assert_eq!(ImtClass::from_mm(1.5), ImtClass::Plaque);
    assert_eq!(carotid(None, None, None).imt_class(), None);
}

#[test]
fn psv_thresholds() {
    let with_plaque = |psv| CarotidFinding {
        plaque: Some(Plaque::default()),
        ..carotid(Some(psv), None, None)
    };
    assert_eq!(
        grade(&carotid(Some(124.0), None, None)),
        StenosisGrade::Normal
    );
    assert_eq!(grade(&with_plaque(124.0)), StenosisGrade::Under50);
    assert_eq!(grade(&with_plaque(125.0)), StenosisGrade::From50To69);
    assert_eq!(grade(&with_plaque(230.0)), StenosisGrade::From50To69);
    assert_eq!(grade(&with_plaque(231.0)), StenosisGrade::Over70);
}

#[test]
fn low_velocity_wall_disease_from_imt() {
    let with_imt = |imt| CarotidFinding {
        imt_mm: Some(imt),
        ..carotid(Some(80.0), None, None)
    };
    assert_eq!(grade(&with_imt(0.8)), StenosisGrade::Normal);
    // SRU: "plaque or intimal thickening" makes a low-velocity ICA "< 50%".
    assert_eq!(grade(&with_imt(1.2)), StenosisGrade::Under50);
    assert_eq!(grade(&with_imt(1.6)), StenosisGrade::Under50);
}

#[test]
fn ratio_thresholds() {
    let by_ratio = |ica, cca| carotid(Some(ica), None, Some(cca)).sru().unwrap().by_ratio;
    assert_eq!(by_ratio(199.0, 100.0), Some(StenosisGrade::Normal));
    assert_eq!(by_ratio(200.0, 100.0), Some(StenosisGrade::From50To69));
    assert_eq!(by_ratio(400.0, 100.0), Some(StenosisGrade::From50To69));
    assert_eq!(by_ratio(401.0, 100.0), Some(StenosisGrade::Over70));
    let r = carotid(Some(250.0), None, Some(125.0)).sru().unwrap();
    assert_eq!(r.ratio, Some(2.0));
    assert_eq!(carotid(Some(100.0), None, Some(0.0)).ratio(), None);
}

#[test]
fn edv_thresholds() {
    let by_edv = |edv| carotid(Some(300.0), Some(edv), None).sru().unwrap().by_edv;
    assert_eq!(by_edv(39.0), Some(StenosisGrade::Normal));
    assert_eq!(by_edv(40.0), Some(StenosisGrade::From50To69));
    assert_eq!(by_edv(100.0), Some(StenosisGrade::From50To69));
    assert_eq!(by_edv(101.0), Some(StenosisGrade::Over70));
}

#[test]
fn occlusion_and_near_occlusion_override_velocities() {
    let occluded = CarotidFinding {
        occluded: true,
        ..carotid(None, None, None)
    };
    let r = occluded.sru().unwrap();
    assert_eq!(r.grade, StenosisGrade::Occlusion);
    assert!(r.concordant);
    let near = CarotidFinding {
        near_occlusion: true,
        ..carotid(Some(40.0), Some(5.0), Some(80.0))
    };
    let r = near.sru().unwrap();
    assert_eq!(r.grade, StenosisGrade::NearOcclusion);
    assert_eq!(r.by_psv, Some(StenosisGrade::Normal));
    assert!(r.concordant);
}

#[test]
fn missing_psv_grades_from_edv_and_nothing_gives_none() {
    let r = carotid(None, Some(120.0), Some(90.0)).sru().unwrap();
    assert_eq!(r.grade, StenosisGrade::Over70);
    assert_eq!((r.by_psv, r.ratio), (None, None));
    assert!(r.concordant);
    assert_eq!(carotid(None, None, Some(90.0)).sru(), None);
}

#[test]
fn concordance() {
    let agree = carotid(Some(180.0), Some(60.0), Some(60.0)).sru().unwrap();
    assert_eq!(agree.grade, StenosisGrade::From50To69);
    assert!(agree.concordant);
    // PSV says 50–69%, but the ratio (4.5) says ≥ 70%.
    let disagree = carotid(Some(180.0), Some(60.0), Some(40.0)).sru().unwrap();
    assert_eq!(disagree.grade, StenosisGrade::From50To69);
    assert_eq!(disagree.by_ratio, Some(StenosisGrade::Over70));
    assert!(!disagree.concordant);
    let psv_only = carotid(Some(260.0), None, None).sru().unwrap();
    assert!(psv_only.concordant);
}

#[test]
fn worst_of_a_case() {
    let findings = vec![
        Finding::ThyroidNodule(at_level(TiradsLevel::Tr3, 12.0)),
        Finding::Carotid(carotid(Some(150.0), None, None)),
        Finding::ThyroidNodule(at_level(TiradsLevel::Tr5, 12.0)),
        Finding::Carotid(CarotidFinding {
            occluded: true,
            ..carotid(None, None, None)
        }),
        Finding::Carotid(carotid(None, None, None)),
    ];
    assert_eq!(worst_tirads(&findings), Some(TiradsLevel::Tr5));
    assert_eq!(worst_grade(&findings), Some(StenosisGrade::Occlusion));
    assert_eq!(worst_tirads(&findings[1..2]), None);
    assert_eq!(worst_grade(&[]), None);
}

// ---- validation and parsing

fn sample() -> Vec<Finding> {
    vec![
        Finding::ThyroidNodule(ThyroidNodule {
            label: "右叶中部结节".into(),
            composition: Composition::Solid,
            echogenicity: Echogenicity::VeryHypo,
            foci: vec![EchogenicFoci::Punctate, EchogenicFoci::CometTail],
            ..nodule()
        }),
        Finding::Carotid(CarotidFinding {
            side: Side::Left,
            imt_mm: Some(1.1),
            plaque: Some(Plaque {
                thickness_mm: 3.2,
                length_mm: Some(12.5),
                echo: PlaqueEcho::Mixed,
                surface: PlaqueSurface::Ulcerated,
                calcified: true,
                diameter_reduction_pct: Some(60.0),
            }),
            ..carotid(Some(210.0), Some(70.0), Some(80.0))
        }),
    ]
}

fn parse_err(json: &str) -> (String, InvalidReason) {
    let e = parse(json).expect_err("should be refused");
    (e.field, e.reason)
}

#[test]
fn json_round_trip() {
    let findings = sample();
    let json = serde_json::to_string(&findings).unwrap();
    assert!(json.contains(r#""kind":"thyroid_nodule""#));
    assert!(json.contains(r#""kind":"carotid""#));
    assert_eq!(parse(&json).unwrap(), findings);
    let via_serde: Vec<Finding> = serde_json::from_str(&json).unwrap();
    assert_eq!(via_serde, findings);
}

#[test]
fn parse_fills_defaults() {
    let json = r#"[{"kind":"thyroid_nodule","label":"","lobe":"isthmus","size_mm":8,
        "composition":"mixed","echogenicity":"hypo","shape":"wider_than_tall","margin":"smooth"},
        {"kind":"carotid","side":"right","imt_mm":null}]"#;
    let findings = parse(json).unwrap();
    let Finding::ThyroidNodule(n) = &findings[0] else {
        panic!("a nodule")
    };
    assert!(n.foci.is_empty());
    assert_eq!(findings[1], Finding::Carotid(CarotidFinding::default()));
}

#[test]
fn parse_names_the_bad_focus() {
    let json = r#"[{"kind":"thyroid_nodule","label":"a","lobe":"left","size_mm":8,
        "composition":"solid","echogenicity":"hypo","shape":"wider_than_tall",
        "margin":"smooth","foci":["huge"]}]"#;
    assert_eq!(
        parse_err(json),
        ("scores.0.foci.0".into(), InvalidReason::BadFormat)
    );
    let json = json.replace(r#"["huge"]"#, r#"["macro","huge"]"#);
    assert_eq!(parse_err(&json).0, "scores.0.foci.1");
}

#[test]
fn parse_names_semantic_errors() {
    let json = r#"[{"kind":"thyroid_nodule","label":"a","lobe":"left","size_mm":-3,
        "composition":"solid","echogenicity":"hypo","shape":"wider_than_tall","margin":"smooth"}]"#;
    assert_eq!(
        parse_err(json),
        ("scores.0.size_mm".into(), InvalidReason::BadFormat)
    );
    let json = r#"[{"kind":"carotid","side":"left"},
        {"kind":"carotid","side":"left","plaque":{"thickness_mm":2,"echo":"hypo","surface":"rough"}}]"#;
    assert_eq!(
        parse_err(json),
        ("scores.1.plaque.surface".into(), InvalidReason::BadFormat)
    );
}

#[test]
fn parse_kind_and_shape_errors() {
    assert_eq!(
        parse_err(r#"[{"kind":"liver"}]"#),
        ("scores.0.kind".into(), InvalidReason::Unknown)
    );
    assert_eq!(
        parse_err(r#"[{"kind":7}]"#),
        ("scores.0.kind".into(), InvalidReason::Unknown)
    );
    assert_eq!(
        parse_err(r#"[{"side":"left"}]"#),
        ("scores.0.kind".into(), InvalidReason::Required)
    );
    assert_eq!(
        parse_err(r#"[{"kind":"carotid"}]"#),
        ("scores.0.side".into(), InvalidReason::Required)
    );
    assert_eq!(
        parse_err(r#"[{"kind":"carotid","side":"left","ica_psv":"fast"}]"#),
        ("scores.0.ica_psv".into(), InvalidReason::BadFormat)
    );
    assert_eq!(
        parse_err(r#"[3]"#),
        ("scores.0".into(), InvalidReason::BadFormat)
    );
    assert_eq!(
        parse_err(r#"{"kind":"carotid"}"#),
        ("scores".into(), InvalidReason::BadFormat)
    );
    assert_eq!(
        parse_err("not json"),
        ("scores".into(), InvalidReason::BadFormat)
    );
}

#[test]
fn validate_ranges() {
    let bad_nodule = |edit: fn(&mut ThyroidNodule)| {
        let mut n = nodule();
        edit(&mut n);
        validate(&[Finding::ThyroidNodule(n)]).unwrap_err()
    };
    assert_eq!(bad_nodule(|n| n.size_mm = 0.0).field, "scores.0.size_mm");
    assert_eq!(bad_nodule(|n| n.size_mm = 150.1).field, "scores.0.size_mm");
    assert_eq!(
        bad_nodule(|n| n.size_mm = f64::NAN).field,
        "scores.0.size_mm"
    );
    let long = bad_nodule(|n| n.label = "结".repeat(81));
    assert_eq!(
        (long.field.as_str(), long.reason),
        ("scores.0.label", InvalidReason::TooLong)
    );
    assert_eq!(
        bad_nodule(|n| n.foci = vec![EchogenicFoci::Rim, EchogenicFoci::Rim]).field,
        "scores.0.foci.1"
    );
    let mut fine = nodule();
    fine.label = "结".repeat(80);
    fine.size_mm = 150.0;
    assert_eq!(validate(&[Finding::ThyroidNodule(fine)]), Ok(()));

    let bad_carotid = |edit: fn(&mut CarotidFinding)| {
        let mut c = carotid(Some(100.0), Some(30.0), Some(80.0));
        edit(&mut c);
        validate(&[Finding::Carotid(c)]).unwrap_err().field
    };
    assert_eq!(bad_carotid(|c| c.imt_mm = Some(5.1)), "scores.0.imt_mm");
    assert_eq!(bad_carotid(|c| c.ica_psv = Some(701.0)), "scores.0.ica_psv");
    assert_eq!(bad_carotid(|c| c.cca_psv = Some(-1.0)), "scores.0.cca_psv");
    assert_eq!(bad_carotid(|c| c.ica_edv = Some(120.0)), "scores.0.ica_edv");
    assert_eq!(
        bad_carotid(|c| {
            c.occluded = true;
            c.near_occlusion = true;
        }),
        "scores.0.near_occlusion"
    );
    assert_eq!(
        bad_carotid(|c| c.plaque = Some(Plaque {
            thickness_mm: 10.5,
            ..Plaque::default()
        })),
        "scores.0.plaque.thickness_mm"
    );
    assert_eq!(
        bad_carotid(|c| c.plaque = Some(Plaque {
            diameter_reduction_pct: Some(101.0),
            ..Plaque::default()
        })),
        "scores.0.plaque.diameter_reduction_pct"
    );
    assert_eq!(validate(&sample()), Ok(()));
}

#[test]
fn at_most_twelve_findings() {
    let twelve = vec![Finding::ThyroidNodule(nodule()); MAX_FINDINGS];
    assert_eq!(validate(&twelve), Ok(()));
    let thirteen = vec![Finding::ThyroidNodule(nodule()); MAX_FINDINGS + 1];
    let e = validate(&thirteen).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.reason),
        ("scores", InvalidReason::TooLong)
    );
    let json = serde_json::to_string(&thirteen).unwrap();
    assert_eq!(parse_err(&json), ("scores".into(), InvalidReason::TooLong));
}

#[test]
fn score_error_becomes_an_invalid_app_error() {
    let e = ScoreError::new("scores.0.size_mm", InvalidReason::BadFormat);
    assert_eq!(
        AppError::from(e),
        AppError::invalid("scores.0.size_mm", InvalidReason::BadFormat)
    );
}

#[test]
fn grade_names_are_the_wire_names() {
    for g in StenosisGrade::all() {
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            format!("\"{}\"", g.as_str())
        );
        assert_eq!(StenosisGrade::parse(g.as_str()), Some(g));
    }
    assert_eq!(StenosisGrade::parse("severe"), None);
}
