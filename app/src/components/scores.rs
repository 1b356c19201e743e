//! Score editors and summaries for thyroid nodules and carotid findings.
//!
//! The editor recomputes ACR TI-RADS, C-TIRADS and the SRU grade on every change, so a case
//! author sees what a learner will be taught while describing the finding; the summary is the
//! read-only table a case page shows.
use crate::components::errors::{field_label, reason_label};
use crate::i18n::*;
use crate::model::scores::{
    Advice, CTiradsCategory, CTiradsFeature, CarotidFinding, Composition, EchogenicFoci,
    Echogenicity, Finding, ImtClass, Lobe, MAX_FINDINGS, MAX_LABEL_CHARS, Margin, NoduleShape,
    Plaque, PlaqueEcho, PlaqueSurface, Side, SruResult, StenosisGrade, ThyroidNodule, TiradsLevel,
    validate,
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use serde::Serialize;
use serde::de::DeserializeOwned;

type I18n = I18nContext<Locale>;

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

fn lobe_label(i18n: I18n, lobe: Lobe) -> String {
    match lobe {
        Lobe::Right => t_string!(i18n, scores.lobe_right),
        Lobe::Left => t_string!(i18n, scores.lobe_left),
        Lobe::Isthmus => t_string!(i18n, scores.lobe_isthmus),
    }
    .to_string()
}

fn composition_label(i18n: I18n, c: Composition) -> String {
    match c {
        Composition::Cystic => t_string!(i18n, scores.comp_cystic),
        Composition::Spongiform => t_string!(i18n, scores.comp_spongiform),
        Composition::Mixed => t_string!(i18n, scores.comp_mixed),
        Composition::Solid => t_string!(i18n, scores.comp_solid),
    }
    .to_string()
}

fn echogenicity_label(i18n: I18n, e: Echogenicity) -> String {
    match e {
        Echogenicity::Anechoic => t_string!(i18n, scores.echo_anechoic),
        Echogenicity::HyperIso => t_string!(i18n, scores.echo_hyper_iso),
        Echogenicity::Hypo => t_string!(i18n, scores.echo_hypo),
        Echogenicity::VeryHypo => t_string!(i18n, scores.echo_very_hypo),
    }
    .to_string()
}

fn shape_label(i18n: I18n, s: NoduleShape) -> String {
    match s {
        NoduleShape::WiderThanTall => t_string!(i18n, scores.shape_wider),
        NoduleShape::TallerThanWide => t_string!(i18n, scores.shape_taller),
    }
    .to_string()
}

fn margin_label(i18n: I18n, m: Margin) -> String {
    match m {
        Margin::Smooth => t_string!(i18n, scores.margin_smooth),
        Margin::IllDefined => t_string!(i18n, scores.margin_ill_defined),
        Margin::Irregular => t_string!(i18n, scores.margin_irregular),
        Margin::Extrathyroidal => t_string!(i18n, scores.margin_extrathyroidal),
    }
    .to_string()
}

fn foci_label(i18n: I18n, f: EchogenicFoci) -> String {
    match f {
        EchogenicFoci::CometTail => t_string!(i18n, scores.foci_comet_tail),
        EchogenicFoci::Macro => t_string!(i18n, scores.foci_macro),
        EchogenicFoci::Rim => t_string!(i18n, scores.foci_rim),
        EchogenicFoci::Punctate => t_string!(i18n, scores.foci_punctate),
    }
    .to_string()
}

fn feature_label(i18n: I18n, f: CTiradsFeature) -> String {
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

fn side_label(i18n: I18n, s: Side) -> String {
    match s {
        Side::Right => t_string!(i18n, scores.side_right),
        Side::Left => t_string!(i18n, scores.side_left),
    }
    .to_string()
}

fn plaque_echo_label(i18n: I18n, e: PlaqueEcho) -> String {
    match e {
        PlaqueEcho::Hypo => t_string!(i18n, scores.plaque_hypo),
        PlaqueEcho::Iso => t_string!(i18n, scores.plaque_iso),
        PlaqueEcho::Hyper => t_string!(i18n, scores.plaque_hyper),
        PlaqueEcho::Mixed => t_string!(i18n, scores.plaque_mixed),
    }
    .to_string()
}

fn surface_label(i18n: I18n, s: PlaqueSurface) -> String {
    match s {
        PlaqueSurface::Smooth => t_string!(i18n, scores.surface_smooth),
        PlaqueSurface::Irregular => t_string!(i18n, scores.surface_irregular),
        PlaqueSurface::Ulcerated => t_string!(i18n, scores.surface_ulcerated),
    }
    .to_string()
}

/// A nodule's descriptors in one line, chart order.
fn nodule_descriptors(i18n: I18n, n: &ThyroidNodule) -> String {
    let mut parts = vec![
        composition_label(i18n, n.composition),
        echogenicity_label(i18n, n.echogenicity),
        shape_label(i18n, n.shape),
        margin_label(i18n, n.margin),
    ];
    if n.foci.is_empty() {
        parts.push(t_string!(i18n, scores.foci_none_long).to_string());
    }
    parts.extend(n.foci.iter().map(|f| foci_label(i18n, *f)));
    parts.join(" · ")
}

/// A plaque in one line: size, echo, surface, calcification, narrowing.
fn plaque_description(i18n: I18n, p: &Plaque) -> String {
    let size = match p.length_mm {
        Some(length) => format!("{} × {} mm", number(p.thickness_mm), number(length)),
        None => format!("{} mm", number(p.thickness_mm)),
    };
    let mut parts = vec![
        size,
        plaque_echo_label(i18n, p.echo),
        surface_label(i18n, p.surface),
    ];
    if p.calcified {
        parts.push(t_string!(i18n, scores.calcified).to_string());
    }
    if let Some(pct) = p.diameter_reduction_pct {
        parts.push(t_string!(i18n, scores.reduction_short, pct = number(pct)).to_string());
    }
    parts.join(" · ")
}

// ---------------------------------------------------------------- small form pieces

/// A number without trailing zeros ("10", "1.25").
fn number(v: f64) -> String {
    let fixed = format!("{v:.2}");
    fixed
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// An enum's wire name, used as an `<option>` value and in `data-` attributes for tests.
fn wire<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn from_wire<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// A `<select>` over an enum's values; the caller supplies the `<label for=id>`.
fn choice<T>(
    i18n: I18n,
    id: String,
    options: Vec<T>,
    current: impl Fn() -> T + Copy + Send + Sync + 'static,
    set: impl Fn(T) + Copy + Send + Sync + 'static,
    name: fn(I18n, T) -> String,
) -> impl IntoView
where
    T: Copy + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    // `selected` renders the choice into server HTML; `prop:value` follows later changes.
    let initial = untrack(current);
    view! {
        <select id=id prop:value=move || wire(current())
            on:change=move |ev| {
                if let Some(v) = from_wire::<T>(&event_target_value(&ev)) {
                    set(v);
                }
            }>
            {options
                .into_iter()
                .map(|o| view! { <option value=wire(o) selected=o == initial>{move || name(i18n, o)}</option> })
                .collect_view()}
        </select>
    }
}

/// A number input bound to an optional value; an empty box means `None`. With `required`, an
/// emptied box is put back to the stored value when the author leaves it.
fn number_input(
    id: String,
    step: &'static str,
    max: &'static str,
    required: bool,
    current: Memo<Option<f64>>,
    set: impl Fn(Option<f64>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Input>::new();
    let initial = current.get_untracked().map(number).unwrap_or_default();
    let shown = move || {
        let stored = current.get();
        // Keep the author's own text ("2.50", "") while it means the stored value, so that
        // redrawing never fights the keyboard.
        if let Some(input) = node.get_untracked() {
            let text = input.value();
            if parse_number(&text) == stored {
                return text;
            }
        }
        stored.map(number).unwrap_or_default()
    };
    view! {
        <input id=id type="number" inputmode="decimal" min="0" step=step max=max
            value=initial prop:value=shown node_ref=node
            on:input=move |ev| {
                // Half-typed numbers ("1.") read as empty; wait for `change` to clear a value.
                if let Some(v) = parse_number(&event_target_value(&ev)) {
                    set(Some(v));
                }
            }
            on:change=move |ev| {
                let parsed = parse_number(&event_target_value(&ev));
                if parsed.is_some() || !required {
                    set(parsed);
                } else if let Some(input) = node.get_untracked() {
                    input.set_value(&current.get_untracked().map(number).unwrap_or_default());
                }
            } />
    }
}

/// A labelled checkbox.
fn check(
    id: String,
    text: impl IntoView + 'static,
    current: impl Fn() -> bool + Copy + Send + Sync + 'static,
    set: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let initial = untrack(current);
    let label_for = id.clone();
    view! {
        <label class="check" for=label_for>
            <input id=id type="checkbox" checked=initial prop:checked=current
                on:change=move |ev| set(event_target_checked(&ev)) />
            {text}
        </label>
    }
}

// ---------------------------------------------------------------- editing one finding

fn edit_nodule(findings: RwSignal<Vec<Finding>>, index: usize, f: impl FnOnce(&mut ThyroidNodule)) {
    findings.update(|list| {
        if let Some(Finding::ThyroidNodule(n)) = list.get_mut(index) {
            f(n);
        }
    });
}

fn edit_carotid(
    findings: RwSignal<Vec<Finding>>,
    index: usize,
    f: impl FnOnce(&mut CarotidFinding),
) {
    findings.update(|list| {
        if let Some(Finding::Carotid(c)) = list.get_mut(index) {
            f(c);
        }
    });
}

fn edit_plaque(findings: RwSignal<Vec<Finding>>, index: usize, f: impl FnOnce(&mut Plaque)) {
    edit_carotid(findings, index, |c| {
        if let Some(p) = c.plaque.as_mut() {
            f(p);
        }
    });
}

/// The ACR and C-TIRADS results beside a nodule's form.
#[component]
fn NoduleResults(nodule: Memo<ThyroidNodule>) -> impl IntoView {
    let i18n = use_i18n();
    let acr = Memo::new(move |_| nodule.with(ThyroidNodule::acr));
    let ct = Memo::new(move |_| nodule.with(ThyroidNodule::c_tirads));
    let points =
        move |get: fn(&crate::model::scores::AcrPoints) -> u8| move || acr.with(|a| get(&a.points));
    let thresholds = move || {
        acr.with(|a| match (a.fna_from_mm, a.follow_from_mm) {
            (Some(fna), Some(follow)) => t_string!(
                i18n,
                scores.thresholds,
                fna = number(fna),
                follow = number(follow)
            )
            .to_string(),
            _ => t_string!(i18n, scores.no_thresholds).to_string(),
        })
    };
    let features = move |list: fn(&crate::model::scores::CTiradsResult) -> &Vec<CTiradsFeature>| {
        move || {
            ct.with(|c| {
                let names: Vec<String> = list(c).iter().map(|f| feature_label(i18n, *f)).collect();
                if names.is_empty() {
                    t_string!(i18n, scores.foci_none).to_string()
                } else {
                    names.join(" · ")
                }
            })
        }
    };
    view! {
        <div class="score-result" aria-live="polite">
            <h4>"ACR TI-RADS"</h4>
            <table class="score-points">
                <tbody>
                    <tr><th scope="row">{t!(i18n, scores.composition)}</th><td class="num">{points(|p| p.composition)}</td></tr>
                    <tr><th scope="row">{t!(i18n, scores.echogenicity)}</th><td class="num">{points(|p| p.echogenicity)}</td></tr>
                    <tr><th scope="row">{t!(i18n, scores.shape)}</th><td class="num">{points(|p| p.shape)}</td></tr>
                    <tr><th scope="row">{t!(i18n, scores.margin)}</th><td class="num">{points(|p| p.margin)}</td></tr>
                    <tr><th scope="row">{t!(i18n, scores.foci)}</th><td class="num">{points(|p| p.foci)}</td></tr>
                    <tr class="score-total"><th scope="row">{t!(i18n, scores.total)}</th><td class="num" data-testid="acr-total">{points(|p| p.total)}</td></tr>
                </tbody>
            </table>
            <p class="score-verdict">
                <span class="tr-badge" data-tr=move || acr.with(|a| a.level.number())>
                    {move || acr.with(|a| tirads_label(a.level))}
                </span>
                " "
                {move || acr.with(|a| tirads_name(i18n, a.level))}
                " · "
                <strong data-advice=move || acr.with(|a| wire(a.advice))>{move || acr.with(|a| advice_label(i18n, a.advice))}</strong>
            </p>
            <p class="hint">{thresholds}</p>
            <h4>"C-TIRADS"</h4>
            <p class="score-verdict">
                <span class="ctr-badge" data-ctr=move || ct.with(|c| c.category.label())>
                    {move || ct.with(|c| ctirads_label(c.category))}
                </span>
                " "
                {move || ct.with(|c| t_string!(i18n, scores.ctirads_score, n = c.score).to_string())}
                " · "
                {move || ct.with(|c| t_string!(i18n, scores.ctirads_risk, risk = c.risk.clone()).to_string())}
                " · "
                <strong data-advice=move || ct.with(|c| wire(c.advice))>
                    {move || {
                        ct.with(|c| match c.advice {
                            // Size is not applied (see `CTiradsCategory::advice`), so only a candidate.
                            Advice::Fna => t_string!(i18n, scores.advice_fna_candidate).to_string(),
                            other => advice_label(i18n, other),
                        })
                    }}
                </strong>
            </p>
            <p class="hint">{t!(i18n, scores.ctirads_positive)}" "{features(|c| &c.positive)}</p>
            <p class="hint">{t!(i18n, scores.ctirads_negative)}" "{features(|c| &c.negative)}</p>
            <p class="hint">{t!(i18n, scores.ctirads_advice_note)}</p>
        </div>
    }
}

/// One thyroid nodule's form and live results.
#[component]
fn NoduleEditor(findings: RwSignal<Vec<Finding>>, index: usize) -> impl IntoView {
    let i18n = use_i18n();
    let nodule = Memo::new(move |_| {
        findings.with(|list| match list.get(index) {
            Some(Finding::ThyroidNodule(n)) => n.clone(),
            _ => ThyroidNodule::default(),
        })
    });
    let id = move |field: &str| format!("score-{index}-{field}");
    let size = Memo::new(move |_| Some(nodule.with(|n| n.size_mm)));
    let foci_boxes = EchogenicFoci::all()
        .into_iter()
        .map(|focus| {
            check(
                id(&format!("foci-{}", wire(focus))),
                move || foci_label(i18n, focus),
                move || nodule.with(|n| n.foci.contains(&focus)),
                move |on| {
                    edit_nodule(findings, index, |n| {
                        n.foci.retain(|f| *f != focus);
                        if on {
                            n.foci.push(focus);
                            // Chart order, so the stored list reads the same however it was ticked.
                            n.foci.sort_by_key(|f| f.acr_points());
                        }
                    })
                },
            )
        })
        .collect_view();
    view! {
        <div class="score-body">
            <div class="score-form">
                <div class="field field-wide">
                    <label for=id("label")>{t!(i18n, scores.label)}</label>
                    <input id=id("label") type="text" maxlength=MAX_LABEL_CHARS.to_string()
                        placeholder=move || t_string!(i18n, scores.label_placeholder)
                        value=nodule.with_untracked(|n| n.label.clone())
                        prop:value=move || nodule.with(|n| n.label.clone())
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            edit_nodule(findings, index, |n| n.label = text);
                        } />
                </div>
                <div class="field">
                    <label for=id("lobe")>{t!(i18n, scores.lobe)}</label>
                    {choice(i18n, id("lobe"), Lobe::all().to_vec(), move || nodule.with(|n| n.lobe),
                        move |v| edit_nodule(findings, index, |n| n.lobe = v), lobe_label)}
                </div>
                <div class="field">
                    <label for=id("size")>{t!(i18n, scores.size)}</label>
                    {number_input(id("size"), "0.1", "150", true, size,
                        move |v| if let Some(v) = v { edit_nodule(findings, index, |n| n.size_mm = v) })}
                </div>
                <div class="field">
                    <label for=id("composition")>{t!(i18n, scores.composition)}</label>
                    {choice(i18n, id("composition"), Composition::all().to_vec(), move || nodule.with(|n| n.composition),
                        move |v| edit_nodule(findings, index, |n| n.composition = v), composition_label)}
                </div>
                <div class="field">
                    <label for=id("echogenicity")>{t!(i18n, scores.echogenicity)}</label>
                    {choice(i18n, id("echogenicity"), Echogenicity::all().to_vec(), move || nodule.with(|n| n.echogenicity),
                        move |v| edit_nodule(findings, index, |n| n.echogenicity = v), echogenicity_label)}
                </div>
                <div class="field">
                    <label for=id("shape")>{t!(i18n, scores.shape)}</label>
                    {choice(i18n, id("shape"), NoduleShape::all().to_vec(), move || nodule.with(|n| n.shape),
                        move |v| edit_nodule(findings, index, |n| n.shape = v), shape_label)}
                </div>
                <div class="field">
                    <label for=id("margin")>{t!(i18n, scores.margin)}</label>
                    {choice(i18n, id("margin"), Margin::all().to_vec(), move || nodule.with(|n| n.margin),
                        move |v| edit_nodule(findings, index, |n| n.margin = v), margin_label)}
                </div>
                <fieldset class="check-group field-wide">
                    <legend>{t!(i18n, scores.foci)}</legend>
                    {foci_boxes}
                    <small class="hint">{t!(i18n, scores.foci_hint)}</small>
                </fieldset>
            </div>
            <NoduleResults nodule />
        </div>
    }
}

/// Whether a velocity grade was checked against a second parameter (occlusion is diagnosed on
/// imaging, so it never is).
fn cross_checked(r: &SruResult) -> bool {
    let measured = [r.by_psv, r.by_ratio, r.by_edv].iter().flatten().count();
    measured > 1 && r.grade < StenosisGrade::NearOcclusion
}

/// The SRU grade, ratio and IMT class beside a carotid's form.
#[component]
fn CarotidResults(carotid: Memo<CarotidFinding>) -> impl IntoView {
    let i18n = use_i18n();
    let sru = Memo::new(move |_| carotid.with(CarotidFinding::sru));
    let ratio = move || {
        carotid
            .with(CarotidFinding::ratio)
            .map(|r| format!("{r:.2}"))
            .unwrap_or_else(|| "—".to_string())
    };
    let imt = move || {
        carotid
            .with(CarotidFinding::imt_class)
            .map(|c| imt_label(i18n, c))
            .unwrap_or_else(|| "—".to_string())
    };
    let basis = move || {
        sru.with(|r| {
            let Some(r) = r else { return String::new() };
            [
                ("PSV", r.by_psv),
                ("ICA/CCA", r.by_ratio),
                ("EDV", r.by_edv),
            ]
            .into_iter()
            .filter_map(|(what, g)| g.map(|g| format!("{what}: {}", grade_label(i18n, g))))
            .collect::<Vec<_>>()
            .join(" · ")
        })
    };
    let verdict = move || {
        match sru.get() {
        None => view! { <p class="hint">{t!(i18n, scores.no_grade)}</p> }.into_any(),
        Some(r) => view! {
            <p class="score-verdict">
                <span class="grade-badge" data-grade=wire(r.grade)>{move || grade_label(i18n, r.grade)}</span>
            </p>
            <p class="hint">{basis}</p>
            {match (r.concordant, cross_checked(&r)) {
                (false, _) => Some(view! { <p class="score-warning" role="status">{t!(i18n, scores.discordant)}</p> }.into_any()),
                (true, true) => Some(view! { <p class="hint">{t!(i18n, scores.concordant)}</p> }.into_any()),
                // Nothing to compare with, so "agree" would claim more than was measured.
                (true, false) => None,
            }}
        }
        .into_any(),
    }
    };
    view! {
        <div class="score-result" aria-live="polite">
            <h4>{t!(i18n, scores.sru)}</h4>
            <dl class="score-facts">
                <dt>{t!(i18n, scores.ratio)}</dt><dd data-testid="ica-cca-ratio">{ratio}</dd>
                <dt>{t!(i18n, scores.imt_class)}</dt><dd>{imt}</dd>
            </dl>
            {verdict}
        </div>
    }
}

/// One carotid's form and live results.
#[component]
fn CarotidEditor(findings: RwSignal<Vec<Finding>>, index: usize) -> impl IntoView {
    let i18n = use_i18n();
    let carotid = Memo::new(move |_| {
        findings.with(|list| match list.get(index) {
            Some(Finding::Carotid(c)) => c.clone(),
            _ => CarotidFinding::default(),
        })
    });
    let id = move |field: &str| format!("score-{index}-{field}");
    let value =
        move |get: fn(&CarotidFinding) -> Option<f64>| Memo::new(move |_| carotid.with(get));
    let imt = value(|c| c.imt_mm);
    let ica_psv = value(|c| c.ica_psv);
    let ica_edv = value(|c| c.ica_edv);
    let cca_psv = value(|c| c.cca_psv);
    let has_plaque = Memo::new(move |_| carotid.with(|c| c.plaque.is_some()));
    let plaque_form = move || {
        has_plaque.get().then(|| {
            let plaque = Memo::new(move |_| {
                carotid.with(|c| c.plaque.clone().unwrap_or_default())
            });
            let thickness = Memo::new(move |_| Some(plaque.with(|p| p.thickness_mm)));
            let length = Memo::new(move |_| plaque.with(|p| p.length_mm));
            let reduction = Memo::new(move |_| plaque.with(|p| p.diameter_reduction_pct));
            view! {
                <fieldset class="score-plaque field-wide">
                    <legend>{t!(i18n, scores.plaque)}</legend>
                    <div class="field">
                        <label for=id("plaque-thickness")>{t!(i18n, scores.plaque_thickness)}</label>
                        {number_input(id("plaque-thickness"), "0.1", "10", true, thickness,
                            move |v| if let Some(v) = v { edit_plaque(findings, index, |p| p.thickness_mm = v) })}
                    </div>
                    <div class="field">
                        <label for=id("plaque-length")>{t!(i18n, scores.plaque_length)}</label>
                        {number_input(id("plaque-length"), "0.1", "100", false, length,
                            move |v| edit_plaque(findings, index, |p| p.length_mm = v))}
                    </div>
                    <div class="field">
                        <label for=id("plaque-echo")>{t!(i18n, scores.echogenicity)}</label>
                        {choice(i18n, id("plaque-echo"), PlaqueEcho::all().to_vec(), move || plaque.with(|p| p.echo),
                            move |v| edit_plaque(findings, index, |p| p.echo = v), plaque_echo_label)}
                    </div>
                    <div class="field">
                        <label for=id("plaque-surface")>{t!(i18n, scores.surface)}</label>
                        {choice(i18n, id("plaque-surface"), PlaqueSurface::all().to_vec(), move || plaque.with(|p| p.surface),
                            move |v| edit_plaque(findings, index, |p| p.surface = v), surface_label)}
                    </div>
                    <div class="field">
                        <label for=id("plaque-reduction")>{t!(i18n, scores.reduction)}</label>
                        {number_input(id("plaque-reduction"), "1", "100", false, reduction,
                            move |v| edit_plaque(findings, index, |p| p.diameter_reduction_pct = v))}
                    </div>
                    <div class="field field-check">
                        {check(id("plaque-calcified"), move || t_string!(i18n, scores.calcified),
                            move || plaque.with(|p| p.calcified),
                            move |on| edit_plaque(findings, index, |p| p.calcified = on))}
                    </div>
                </fieldset>
            }
        })
    };
    view! {
        <div class="score-body">
            <div class="score-form">
                <div class="field">
                    <label for=id("side")>{t!(i18n, scores.side)}</label>
                    {choice(i18n, id("side"), Side::all().to_vec(), move || carotid.with(|c| c.side),
                        move |v| edit_carotid(findings, index, |c| c.side = v), side_label)}
                </div>
                <div class="field">
                    <label for=id("imt")>{t!(i18n, scores.imt)}</label>
                    {number_input(id("imt"), "0.01", "5", false, imt,
                        move |v| edit_carotid(findings, index, |c| c.imt_mm = v))}
                </div>
                <div class="field field-check field-wide">
                    {check(id("has-plaque"), move || t_string!(i18n, scores.has_plaque),
                        move || has_plaque.get(),
                        move |on| edit_carotid(findings, index, |c| {
                            c.plaque = on.then(|| c.plaque.take().unwrap_or_default());
                        }))}
                </div>
                {plaque_form}
                <div class="field">
                    <label for=id("ica-psv")>{t!(i18n, scores.ica_psv)}</label>
                    {number_input(id("ica-psv"), "1", "700", false, ica_psv,
                        move |v| edit_carotid(findings, index, |c| c.ica_psv = v))}
                </div>
                <div class="field">
                    <label for=id("ica-edv")>{t!(i18n, scores.ica_edv)}</label>
                    {number_input(id("ica-edv"), "1", "700", false, ica_edv,
                        move |v| edit_carotid(findings, index, |c| c.ica_edv = v))}
                </div>
                <div class="field">
                    <label for=id("cca-psv")>{t!(i18n, scores.cca_psv)}</label>
                    {number_input(id("cca-psv"), "1", "700", false, cca_psv,
                        move |v| edit_carotid(findings, index, |c| c.cca_psv = v))}
                </div>
                <div class="field field-check">
                    {check(id("near-occlusion"), move || t_string!(i18n, scores.near_occlusion),
                        move || carotid.with(|c| c.near_occlusion),
                        move |on| edit_carotid(findings, index, |c| c.near_occlusion = on))}
                    {check(id("occluded"), move || t_string!(i18n, scores.occluded),
                        move || carotid.with(|c| c.occluded),
                        move |on| edit_carotid(findings, index, |c| c.occluded = on))}
                </div>
            </div>
            <CarotidResults carotid />
        </div>
    }
}

/// One finding: its heading, remove button and the form for its kind.
#[component]
fn FindingCard(findings: RwSignal<Vec<Finding>>, index: usize) -> impl IntoView {
    let i18n = use_i18n();
    // Rows are keyed by position, so after a removal this card may hold the other kind.
    let carotid = Memo::new(move |_| {
        findings.with(|list| list.get(index).map(|f| matches!(f, Finding::Carotid(_))))
    });
    let remove = move |_| {
        findings.update(|list| {
            if index < list.len() {
                list.remove(index);
            }
        })
    };
    let heading = move || match carotid.get() {
        Some(true) => t_string!(i18n, scores.carotid).to_string(),
        _ => t_string!(i18n, scores.nodule).to_string(),
    };
    view! {
        <li class="score-card" data-kind=move || if carotid.get() == Some(true) { "carotid" } else { "thyroid_nodule" }>
            <header class="score-card-head">
                <h3>{format!("{}. ", index + 1)}{heading}</h3>
                <button type="button" class="btn btn-small btn-quiet" on:click=remove
                    aria-label=move || format!("{} {}", t_string!(i18n, scores.remove), heading())>
                    {t!(i18n, scores.remove)}
                </button>
            </header>
            {move || match carotid.get() {
                Some(false) => view! { <NoduleEditor findings index /> }.into_any(),
                Some(true) => view! { <CarotidEditor findings index /> }.into_any(),
                None => ().into_any(),
            }}
        </li>
    }
}

/// The case author's editor for a case's structured findings, scored as they are typed.
#[component]
pub fn ScoreEditor(findings: RwSignal<Vec<Finding>>) -> impl IntoView {
    let i18n = use_i18n();
    let count = Memo::new(move |_| findings.with(Vec::len));
    let full = move || count.get() >= MAX_FINDINGS;
    let add = move |finding: Finding| {
        findings.update(|list| {
            if list.len() < MAX_FINDINGS {
                list.push(finding);
            }
        })
    };
    let problem = move || {
        findings.with(|list| validate(list).err()).map(|e| {
            let field = field_label(i18n, &e.field);
            let reason = reason_label(i18n, e.reason);
            t_string!(i18n, error.invalid, field = field, reason = reason).to_string()
        })
    };
    view! {
        <section class="panel score-editor" data-testid="score-editor">
            <h2>{t!(i18n, scores.title)}</h2>
            {move || (count.get() == 0).then(|| view! { <p class="empty-state">{t!(i18n, scores.empty)}</p> })}
            <ol class="score-list">
                <For each=move || 0..count.get() key=|i| *i
                    children=move |index| view! { <FindingCard findings index /> } />
            </ol>
            <p class="form-error" role="alert" data-testid="score-problem">{problem}</p>
            <div class="form-actions">
                <button type="button" class="btn" disabled=full
                    on:click=move |_| add(Finding::ThyroidNodule(ThyroidNodule::default()))>
                    {t!(i18n, scores.add_nodule)}
                </button>
                <button type="button" class="btn" disabled=full
                    on:click=move |_| add(Finding::Carotid(CarotidFinding::default()))>
                    {t!(i18n, scores.add_carotid)}
                </button>
                {move || full().then(|| view! { <span class="hint">{t!(i18n, scores.limit, max = MAX_FINDINGS)}</span> })}
            </div>
        </section>
    }
}

// ---------------------------------------------------------------- read-only summary

fn nodule_row(i18n: I18n, number_in_case: usize, n: ThyroidNodule) -> impl IntoView {
    let acr = n.acr();
    let ct = n.c_tirads();
    let level = acr.level;
    let advice = acr.advice;
    let category = ct.category;
    let label = if n.label.trim().is_empty() {
        "—".to_string()
    } else {
        n.label.clone()
    };
    let descriptors = {
        let n = n.clone();
        move || nodule_descriptors(i18n, &n)
    };
    view! {
        <tr>
            <td class="num">{number_in_case}</td>
            <th scope="row">{label}</th>
            <td>{move || lobe_label(i18n, n.lobe)}</td>
            <td class="num nowrap">{format!("{} mm", number(n.size_mm))}</td>
            <td>{descriptors}</td>
            <td class="num">{acr.points.total}</td>
            <td data-tr=level.number()><span class="tr-badge" data-tr=level.number()>{tirads_label(level)}</span></td>
            <td data-advice=wire(advice)>{move || advice_label(i18n, advice)}</td>
            <td data-ctr=category.label()>
                <span class="ctr-badge" data-ctr=category.label()>{ctirads_label(category)}</span>
                " "<span class="muted">{format!("({})", ct.risk)}</span>
            </td>
        </tr>
    }
}

fn carotid_row(i18n: I18n, c: CarotidFinding) -> impl IntoView {
    let sru = c.sru();
    let imt = c.imt_mm.map(|mm| (mm, ImtClass::from_mm(mm)));
    let plaque = c.plaque.clone();
    let velocities = [("PSV", c.ica_psv), ("EDV", c.ica_edv), ("CCA", c.cca_psv)]
        .into_iter()
        .filter_map(|(what, v)| v.map(|v| format!("{what} {}", number(v))))
        .collect::<Vec<_>>();
    let velocities = if velocities.is_empty() {
        "—".to_string()
    } else {
        velocities.join(" / ")
    };
    let ratio = c
        .ratio()
        .map(|r| format!("{r:.2}"))
        .unwrap_or_else(|| "—".to_string());
    let side = c.side;
    view! {
        <tr>
            <th scope="row">{move || side_label(i18n, side)}</th>
            <td>{move || match imt {
                Some((mm, class)) => format!("{} mm ({})", number(mm), imt_label(i18n, class)),
                None => "—".to_string(),
            }}</td>
            <td>{move || match &plaque {
                Some(p) => plaque_description(i18n, p),
                None => t_string!(i18n, scores.plaque_none).to_string(),
            }}</td>
            <td class="nowrap">{velocities}</td>
            <td class="num">{ratio}</td>
            {match sru {
                Some(r) => {
                    let grade = r.grade;
                    view! {
                        <td data-grade=wire(grade)>
                            <span class="grade-badge" data-grade=wire(grade)>{move || grade_label(i18n, grade)}</span>
                            {(!r.concordant).then(|| view! { " "<span class="score-warning">{t!(i18n, scores.discordant_short)}</span> })}
                        </td>
                    }
                    .into_any()
                }
                None => view! { <td>"—"</td> }.into_any(),
            }}
        </tr>
    }
}

/// A case's structured findings as read-only tables, one per kind.
#[component]
pub fn ScoreSummary(findings: Vec<Finding>) -> impl IntoView {
    let i18n = use_i18n();
    let mut nodules = Vec::new();
    let mut carotids = Vec::new();
    for finding in findings {
        match finding {
            Finding::ThyroidNodule(n) => nodules.push(n),
            Finding::Carotid(c) => carotids.push(c),
        }
    }
    let empty = nodules.is_empty() && carotids.is_empty();
    let nodule_table = (!nodules.is_empty()).then(|| {
        view! {
            <div class="table-wrap">
                <table class="table score-table" data-testid="score-nodules">
                    <caption>{t!(i18n, scores.nodules)}</caption>
                    <thead><tr>
                        <th scope="col" class="num">"#"</th>
                        <th scope="col">{t!(i18n, scores.label)}</th>
                        <th scope="col">{t!(i18n, scores.lobe)}</th>
                        <th scope="col" class="num">{t!(i18n, scores.size_short)}</th>
                        <th scope="col">{t!(i18n, scores.descriptors)}</th>
                        <th scope="col" class="num">{t!(i18n, scores.points)}</th>
                        <th scope="col">"ACR TI-RADS"</th>
                        <th scope="col">{t!(i18n, scores.advice)}</th>
                        <th scope="col">"C-TIRADS"</th>
                    </tr></thead>
                    <tbody>
                        {nodules
                            .into_iter()
                            .enumerate()
                            .map(|(i, n)| nodule_row(i18n, i + 1, n))
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
    });
    let carotid_table = (!carotids.is_empty()).then(|| {
        view! {
            <div class="table-wrap">
                <table class="table score-table" data-testid="score-carotids">
                    <caption>{t!(i18n, scores.carotids)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, scores.side)}</th>
                        <th scope="col">{t!(i18n, scores.imt)}</th>
                        <th scope="col">{t!(i18n, scores.plaque)}</th>
                        <th scope="col">{t!(i18n, scores.velocities)}</th>
                        <th scope="col" class="num">{t!(i18n, scores.ratio)}</th>
                        <th scope="col">{t!(i18n, scores.sru)}</th>
                    </tr></thead>
                    <tbody>{carotids.into_iter().map(|c| carotid_row(i18n, c)).collect_view()}</tbody>
                </table>
            </div>
        }
    });
    view! {
        <section class="score-summary" data-testid="score-summary">
            {empty.then(|| view! { <p class="muted">{t!(i18n, scores.summary_empty)}</p> })}
            {nodule_table}
            {carotid_table}
        </section>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::model::scores::{Composition, EchogenicFoci, Echogenicity, Margin};

    fn render(view: impl FnOnce() -> AnyView + Send + 'static) -> String {
        // The i18n provider starts an effect, which needs an executor even for a string render;
        // leptos does not expose one, but building a route list sets up leptos_axum's, as the
        // server does at start-up.
        let _ = leptos_axum::generate_route_list(|| ());
        let owner = Owner::new();
        owner.with(|| view! { <I18nContextProvider>{view()}</I18nContextProvider> }.to_html())
    }

    #[tokio::test]
    async fn summary_marks_levels_for_tests_and_readers() {
        let nodule = ThyroidNodule {
            label: "R1".into(),
            size_mm: 12.0,
            composition: Composition::Solid,
            echogenicity: Echogenicity::VeryHypo,
            margin: Margin::Irregular,
            foci: vec![EchogenicFoci::Punctate],
            ..ThyroidNodule::default()
        };
        let carotid = CarotidFinding {
            plaque: Some(Plaque::default()),
            ica_psv: Some(180.0),
            ica_edv: Some(60.0),
            cca_psv: Some(60.0),
            ..CarotidFinding::default()
        };
        let findings = vec![Finding::ThyroidNodule(nodule), Finding::Carotid(carotid)];
        let html = render(move || view! { <ScoreSummary findings /> }.into_any());
        assert!(html.contains(r#"data-testid="score-summary""#), "{html}");
        // 2 + 3 + 2 + 3 = 10 points: TR5, FNA at 12 mm; C-TIRADS 4 features: 4C.
        assert!(html.contains(r#"data-tr="5""#), "{html}");
        assert!(html.contains(r#"data-advice="fna""#), "{html}");
        assert!(html.contains(r#"data-ctr="4C""#), "{html}");
        assert!(html.contains(r#"data-grade="from50_to69""#), "{html}");
        assert!(html.contains("3.00"), "ratio shown: {html}");
    }

    #[tokio::test]
    async fn empty_summary_says_so() {
        let html = render(|| view! { <ScoreSummary findings=Vec::new() /> }.into_any());
        assert!(html.contains(r#"data-testid="score-summary""#));
        assert!(!html.contains("<table"), "{html}");
    }

    #[tokio::test]
    async fn editor_renders_every_control_with_a_label() {
        let html = render(|| {
            let findings = RwSignal::new(vec![
                Finding::ThyroidNodule(ThyroidNodule::default()),
                Finding::Carotid(CarotidFinding {
                    plaque: Some(Plaque::default()),
                    ..CarotidFinding::default()
                }),
            ]);
            view! { <ScoreEditor findings /> }.into_any()
        });
        for id in [
            "score-0-size",
            "score-0-margin",
            "score-1-imt",
            "score-1-plaque-thickness",
        ] {
            assert!(
                html.contains(&format!(r#"for="{id}""#)),
                "label for {id}: {html}"
            );
            assert!(
                html.contains(&format!(r#"id="{id}""#)),
                "control {id}: {html}"
            );
        }
        // Checkboxes sit inside their labels.
        assert!(html.contains(r#"for="score-0-foci-punctate""#), "{html}");
        assert!(html.contains(r#"data-testid="acr-total""#), "{html}");
    }

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
