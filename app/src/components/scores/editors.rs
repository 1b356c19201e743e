//! The case author's score editor: one form per finding, scored as it is typed.
use super::labels::{
    composition_label, echogenicity_label, foci_label, lobe_label, margin_label, plaque_echo_label,
    shape_label, side_label, surface_label,
};
use super::results::{CarotidResults, NoduleResults};
use super::widgets::{check, choice, number_input, wire};
use crate::components::errors::{field_label, reason_label};
use crate::i18n::*;
use crate::model::scores::{
    CarotidFinding, Composition, EchogenicFoci, Echogenicity, Finding, Lobe, MAX_FINDINGS,
    MAX_LABEL_CHARS, Margin, NoduleShape, Plaque, PlaqueEcho, PlaqueSurface, Side, ThyroidNodule,
    validate,
};
use leptos::prelude::*;

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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::components::scores::render;

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
}
