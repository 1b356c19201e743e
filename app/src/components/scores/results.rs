//! The live results beside a finding's form: ACR TI-RADS and C-TIRADS, the SRU grade.
use super::labels::{
    advice_label, ctirads_label, feature_label, grade_label, imt_label, tirads_label, tirads_name,
};
use super::widgets::{number, wire};
use crate::i18n::*;
use crate::model::scores::{
    Advice, CTiradsFeature, CarotidFinding, SruResult, StenosisGrade, ThyroidNodule,
};
use leptos::prelude::*;

/// The ACR and C-TIRADS results beside a nodule's form.
#[component]
pub(super) fn NoduleResults(nodule: Memo<ThyroidNodule>) -> impl IntoView {
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

/// Whether a velocity grade was checked against a second parameter (occlusion is diagnosed on
/// imaging, so it never is).
fn cross_checked(r: &SruResult) -> bool {
    let measured = [r.by_psv, r.by_ratio, r.by_edv].iter().flatten().count();
    measured > 1 && r.grade < StenosisGrade::NearOcclusion
}

/// The SRU grade, ratio and IMT class beside a carotid's form.
#[component]
pub(super) fn CarotidResults(carotid: Memo<CarotidFinding>) -> impl IntoView {
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
