//! Score values and descriptors in words: the translated names the editors and summary show.
use super::I18n;
use crate::i18n::*;
use crate::model::scores::{
    Advice, CTiradsCategory, CTiradsFeature, Composition, EchogenicFoci, Echogenicity, ImtClass,
    Lobe, Margin, NoduleShape, PlaqueEcho, PlaqueSurface, Side, StenosisGrade, TiradsLevel,
};

// ---------------------------------------------------------------- names other pages may show

/// "TR1" … "TR5": the level as reports write it, the same in every language.
pub fn tirads_label(level: TiradsLevel) -> String {
    format!("TR{}", level.number())
}

/// What an ACR level means ("mildly suspicious" …), in the current language.
pub fn tirads_name(i18n: I18n, level: TiradsLevel) -> String {
    match level {
        TiradsLevel::Tr1 => t_string!(i18n, scores.tr1),
        TiradsLevel::Tr2 => t_string!(i18n, scores.tr2),
        TiradsLevel::Tr3 => t_string!(i18n, scores.tr3),
        TiradsLevel::Tr4 => t_string!(i18n, scores.tr4),
        TiradsLevel::Tr5 => t_string!(i18n, scores.tr5),
    }
    .to_string()
}

/// "C-TR4A" and so on, the same in every language.
pub fn ctirads_label(category: CTiradsCategory) -> String {
    format!("C-TR{}", category.label())
}

/// An SRU stenosis grade in the current language.
pub fn grade_label(i18n: I18n, grade: StenosisGrade) -> String {
    match grade {
        StenosisGrade::Normal => t_string!(i18n, scores.grade_normal),
        StenosisGrade::Under50 => t_string!(i18n, scores.grade_under50),
        StenosisGrade::From50To69 => t_string!(i18n, scores.grade_50_69),
        StenosisGrade::Over70 => t_string!(i18n, scores.grade_over70),
        StenosisGrade::NearOcclusion => t_string!(i18n, scores.grade_near_occlusion),
        StenosisGrade::Occlusion => t_string!(i18n, scores.grade_occlusion),
    }
    .to_string()
}

/// What to do for a nodule, in the current language.
pub fn advice_label(i18n: I18n, advice: Advice) -> String {
    match advice {
        Advice::Fna => t_string!(i18n, scores.advice_fna),
        Advice::FollowUp => t_string!(i18n, scores.advice_follow_up),
        Advice::NoFurther => t_string!(i18n, scores.advice_no_further),
    }
    .to_string()
}

/// An IMT class in the current language.
pub fn imt_label(i18n: I18n, class: ImtClass) -> String {
    match class {
        ImtClass::Normal => t_string!(i18n, scores.imt_normal),
        ImtClass::Thickened => t_string!(i18n, scores.imt_thickened),
        ImtClass::Plaque => t_string!(i18n, scores.imt_plaque),
    }
    .to_string()
}

/// A score field's name (`size_mm`, or a nested path such as `plaque.thickness_mm`) as the
/// editor labels it; `errors::field_label` uses it for `scores.N.…` validation errors.
pub fn field_name(i18n: I18n, name: &str) -> String {
    // The last named segment is the field; list positions (`foci.1`) add nothing for a reader.
    let key = name
        .split('.')
        .rfind(|p| p.parse::<usize>().is_err())
        .unwrap_or(name);
    match key {
        "kind" => t_string!(i18n, scores.kind),
        "label" => t_string!(i18n, scores.label),
        "lobe" => t_string!(i18n, scores.lobe),
        "size_mm" => t_string!(i18n, scores.size),
        "composition" => t_string!(i18n, scores.composition),
        "echogenicity" | "echo" => t_string!(i18n, scores.echogenicity),
        "shape" => t_string!(i18n, scores.shape),
        "margin" => t_string!(i18n, scores.margin),
        "foci" => t_string!(i18n, scores.foci),
        "side" => t_string!(i18n, scores.side),
        "imt_mm" => t_string!(i18n, scores.imt),
        "plaque" => t_string!(i18n, scores.plaque),
        "thickness_mm" => t_string!(i18n, scores.plaque_thickness),
        "length_mm" => t_string!(i18n, scores.plaque_length),
        "surface" => t_string!(i18n, scores.surface),
        "calcified" => t_string!(i18n, scores.calcified),
        "diameter_reduction_pct" => t_string!(i18n, scores.reduction),
        "ica_psv" => t_string!(i18n, scores.ica_psv),
        "ica_edv" => t_string!(i18n, scores.ica_edv),
        "cca_psv" => t_string!(i18n, scores.cca_psv),
        "near_occlusion" => t_string!(i18n, scores.near_occlusion),
        "occluded" => t_string!(i18n, scores.occluded),
        other => return other.to_string(),
    }
    .to_string()
}

// ---------------------------------------------------------------- descriptor names

pub(super) fn lobe_label(i18n: I18n, lobe: Lobe) -> String {
    match lobe {
        Lobe::Right => t_string!(i18n, scores.lobe_right),
        Lobe::Left => t_string!(i18n, scores.lobe_left),
        Lobe::Isthmus => t_string!(i18n, scores.lobe_isthmus),
    }
    .to_string()
}

pub(super) fn composition_label(i18n: I18n, c: Composition) -> String {
    match c {
        Composition::Cystic => t_string!(i18n, scores.comp_cystic),
        Composition::Spongiform => t_string!(i18n, scores.comp_spongiform),
        Composition::Mixed => t_string!(i18n, scores.comp_mixed),
        Composition::Solid => t_string!(i18n, scores.comp_solid),
    }
    .to_string()
}

pub(super) fn echogenicity_label(i18n: I18n, e: Echogenicity) -> String {
    match e {
        Echogenicity::Anechoic => t_string!(i18n, scores.echo_anechoic),
        Echogenicity::HyperIso => t_string!(i18n, scores.echo_hyper_iso),
        Echogenicity::Hypo => t_string!(i18n, scores.echo_hypo),
        Echogenicity::VeryHypo => t_string!(i18n, scores.echo_very_hypo),
    }
    .to_string()
}

pub(super) fn shape_label(i18n: I18n, s: NoduleShape) -> String {
    match s {
        NoduleShape::WiderThanTall => t_string!(i18n, scores.shape_wider),
        NoduleShape::TallerThanWide => t_string!(i18n, scores.shape_taller),
    }
    .to_string()
}

pub(super) fn margin_label(i18n: I18n, m: Margin) -> String {
    match m {
        Margin::Smooth => t_string!(i18n, scores.margin_smooth),
        Margin::IllDefined => t_string!(i18n, scores.margin_ill_defined),
        Margin::Irregular => t_string!(i18n, scores.margin_irregular),
        Margin::Extrathyroidal => t_string!(i18n, scores.margin_extrathyroidal),
    }
    .to_string()
}

pub(super) fn foci_label(i18n: I18n, f: EchogenicFoci) -> String {
    match f {
        EchogenicFoci::CometTail => t_string!(i18n, scores.foci_comet_tail),
        EchogenicFoci::Macro => t_string!(i18n, scores.foci_macro),
        EchogenicFoci::Rim => t_string!(i18n, scores.foci_rim),
        EchogenicFoci::Punctate => t_string!(i18n, scores.foci_punctate),
    }
    .to_string()
}

pub(super) fn feature_label(i18n: I18n, f: CTiradsFeature) -> String {
    match f {
        CTiradsFeature::Solid => t_string!(i18n, scores.feat_solid),
        CTiradsFeature::MarkedlyHypoechoic => t_string!(i18n, scores.feat_markedly_hypo),
        CTiradsFeature::Microcalcification => t_string!(i18n, scores.feat_micro),
        CTiradsFeature::IllDefinedOrIrregularMargin => t_string!(i18n, scores.feat_margin),
        CTiradsFeature::Extrathyroidal => t_string!(i18n, scores.feat_ete),
        CTiradsFeature::Vertical => t_string!(i18n, scores.feat_vertical),
        CTiradsFeature::CometTail => t_string!(i18n, scores.feat_comet_tail),
    }
    .to_string()
}

pub(super) fn side_label(i18n: I18n, s: Side) -> String {
    match s {
        Side::Right => t_string!(i18n, scores.side_right),
        Side::Left => t_string!(i18n, scores.side_left),
    }
    .to_string()
}

pub(super) fn plaque_echo_label(i18n: I18n, e: PlaqueEcho) -> String {
    match e {
        PlaqueEcho::Hypo => t_string!(i18n, scores.plaque_hypo),
        PlaqueEcho::Iso => t_string!(i18n, scores.plaque_iso),
        PlaqueEcho::Hyper => t_string!(i18n, scores.plaque_hyper),
        PlaqueEcho::Mixed => t_string!(i18n, scores.plaque_mixed),
    }
    .to_string()
}

pub(super) fn surface_label(i18n: I18n, s: PlaqueSurface) -> String {
    match s {
        PlaqueSurface::Smooth => t_string!(i18n, scores.surface_smooth),
        PlaqueSurface::Irregular => t_string!(i18n, scores.surface_irregular),
        PlaqueSurface::Ulcerated => t_string!(i18n, scores.surface_ulcerated),
    }
    .to_string()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::components::errors::field_label;
    use crate::components::scores::render;
    use leptos::prelude::*;

    #[tokio::test]
    async fn field_paths_read_as_words() {
        let html = render(|| {
            let label = move || {
                let i18n = use_i18n();
                [
                    field_name(i18n, "plaque.thickness_mm"),
                    field_name(i18n, "foci.1"),
                    field_label(i18n, "scores.1.size_mm"),
                ]
                .join(" | ")
            };
            view! { <p>{label}</p> }.into_any()
        });
        assert!(!html.contains("thickness_mm"), "{html}");
        assert!(!html.contains("foci"), "{html}");
        assert!(!html.contains("size_mm"), "{html}");
        assert!(html.contains('2'), "the finding's number: {html}");
    }
}
