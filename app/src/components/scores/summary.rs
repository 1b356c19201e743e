//! The read-only score tables a case page shows, one per kind of finding.
use super::I18n;
use super::labels::{
    advice_label, composition_label, ctirads_label, echogenicity_label, foci_label, grade_label,
    imt_label, lobe_label, margin_label, plaque_echo_label, shape_label, side_label, surface_label,
    tirads_label,
};
use super::widgets::{number, wire};
use crate::i18n::*;
use crate::model::scores::{CarotidFinding, Finding, ImtClass, Plaque, ThyroidNodule};
use leptos::prelude::*;

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
            <td data-label=move || t_string!(i18n, scores.lobe)>{move || lobe_label(i18n, n.lobe)}</td>
            <td class="num nowrap" data-label=move || t_string!(i18n, scores.size_short)>{format!("{} mm", number(n.size_mm))}</td>
            <td data-label=move || t_string!(i18n, scores.descriptors)>{descriptors}</td>
            <td class="num" data-label=move || t_string!(i18n, scores.points)>{acr.points.total}</td>
            <td data-tr=level.number() data-label="ACR TI-RADS"><span class="tr-badge" data-tr=level.number()>{tirads_label(level)}</span></td>
            <td data-advice=wire(advice) data-label=move || t_string!(i18n, scores.advice)>{move || advice_label(i18n, advice)}</td>
            <td data-ctr=category.label() data-label="C-TIRADS">
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
            <td data-label=move || t_string!(i18n, scores.imt)>{move || match imt {
                Some((mm, class)) => format!("{} mm ({})", number(mm), imt_label(i18n, class)),
                None => "—".to_string(),
            }}</td>
            <td data-label=move || t_string!(i18n, scores.plaque)>{move || match &plaque {
                Some(p) => plaque_description(i18n, p),
                None => t_string!(i18n, scores.plaque_none).to_string(),
            }}</td>
            <td class="nowrap" data-label=move || t_string!(i18n, scores.velocities)>{velocities}</td>
            <td class="num" data-label=move || t_string!(i18n, scores.ratio)>{ratio}</td>
            {match sru {
                Some(r) => {
                    let grade = r.grade;
                    view! {
                        <td data-grade=wire(grade) data-label=move || t_string!(i18n, scores.sru)>
                            <span class="grade-badge" data-grade=wire(grade)>{move || grade_label(i18n, grade)}</span>
                            {(!r.concordant).then(|| view! { " "<span class="score-warning">{t!(i18n, scores.discordant_short)}</span> })}
                        </td>
                    }
                    .into_any()
                }
                None => view! { <td data-label=move || t_string!(i18n, scores.sru)>"—"</td> }.into_any(),
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
            <div class="table-wrap" tabindex="0">
                <table class="table score-table table-stack" data-testid="score-nodules">
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
            <div class="table-wrap" tabindex="0">
                <table class="table score-table table-stack" data-testid="score-carotids">
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
    use crate::components::scores::render;
    use crate::model::scores::{Composition, EchogenicFoci, Echogenicity, Margin};

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
}
