//! The learner's own progress: per application the status, each rule against the learner's
//! figure, the learning curve, and the certificate once credentialed. The standing and curve
//! pieces are shared with the coordinator's view of one learner.
use super::{RuleLines, StatusBadge};
use crate::api::competency::get_my_progress;
use crate::api::courses::course_catalogue;
use crate::api::resource;
use crate::components::charts::{LineChart, Reference, Series, integer_ticks};
use crate::components::errors::ErrorNotice;
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::competency::{CURVE_WINDOW, LearningCurve, Standing};
use leptos::prelude::*;

/// The learning curve of one application as a chart, with its numbers in a table under it.
#[component]
pub fn CurveChart(curve: LearningCurve, id: String) -> impl IntoView {
    let i18n = use_i18n();
    if curve.points.is_empty() {
        return view! { <p class="empty-state">{t!(i18n, credentials.curve_empty)}</p> }.into_any();
    }
    let n = curve.points.len() as u32;
    let last = curve.points[curve.points.len() - 1];
    let grades: Vec<(f64, Option<f64>)> = curve
        .points
        .iter()
        .map(|p| (f64::from(p.n), Some(f64::from(p.grade.value()))))
        .collect();
    let averages: Vec<(f64, Option<f64>)> = curve
        .points
        .iter()
        .map(|p| (f64::from(p.n), Some(p.moving_average)))
        .collect();
    let chart = move || {
        let series = vec![
            Series {
                label: t_string!(i18n, credentials.curve_grade).to_string(),
                class: "chart-s-grade",
                points: grades.clone(),
                dots: true,
            },
            Series {
                label: t_string!(i18n, credentials.curve_average, n = CURVE_WINDOW).to_string(),
                class: "chart-s-average",
                points: averages.clone(),
                dots: false,
            },
        ];
        let x_ticks = integer_ticks(1, n, 8)
            .into_iter()
            .map(|t| (f64::from(t), t.to_string()))
            .collect();
        let y_ticks = (1..=5).map(|g| (f64::from(g), g.to_string())).collect();
        view! {
            <LineChart
                id=id.clone()
                title=t_string!(i18n, credentials.curve_title).to_string()
                desc=t_string!(
                    i18n,
                    credentials.curve_desc,
                    n = n,
                    grade = last.grade.value(),
                    average = format!("{:.1}", last.moving_average)
                )
                .to_string()
                series
                x_domain=(1.0, f64::from(n.max(2)))
                y_domain=(1.0, 5.0)
                x_ticks
                y_ticks
                reference=Reference {
                    value: 3.0,
                    label: t_string!(i18n, credentials.curve_acceptable).to_string(),
                }
            />
        }
    };
    let rows = curve
        .points
        .iter()
        .map(|p| {
            let agrees = p.agrees;
            view! {
                <tr>
                    <td class="num" data-label=move || t_string!(i18n, credentials.scan_n)>{p.n}</td>
                    <td data-label=move || t_string!(i18n, credentials.reviewed_on)>{p.reviewed_on.to_string()}</td>
                    <td class="num" data-label=move || t_string!(i18n, credentials.curve_grade)>{p.grade.value()}</td>
                    <td data-label=move || t_string!(i18n, credentials.agrees)>
                        {move || if agrees { t_string!(i18n, credentials.yes) } else { t_string!(i18n, credentials.no) }}
                    </td>
                    <td class="num" data-label=move || t_string!(i18n, credentials.moving_average)>{format!("{:.2}", p.moving_average)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="curve" data-testid="learning-curve">
            {chart}
            <details class="chart-data">
                <summary>{t!(i18n, credentials.show_numbers)}</summary>
                <div class="table-wrap">
                    <table class="table table-stack">
                        <caption class="sr-only">{t!(i18n, credentials.curve_title)}</caption>
                        <thead>
                            <tr>
                                <th scope="col" class="num">{t!(i18n, credentials.scan_n)}</th>
                                <th scope="col">{t!(i18n, credentials.reviewed_on)}</th>
                                <th scope="col" class="num">{t!(i18n, credentials.curve_grade)}</th>
                                <th scope="col">{t!(i18n, credentials.agrees)}</th>
                                <th scope="col" class="num">{t!(i18n, credentials.moving_average)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </div>
    }
    .into_any()
}

/// The facts under a standing's heading: status, dates, entries logged and waiting.
#[component]
pub fn StandingFacts(standing: Standing) -> impl IntoView {
    let i18n = use_i18n();
    let e = &standing.evaluation;
    let valid_until = e.valid_until.map(|d| {
        view! { <dt>{t!(i18n, credentials.valid_until)}</dt><dd>{d.to_string()}</dd> }
    });
    let lapsed_on = e.lapsed_on.map(|d| {
        view! { <dt>{t!(i18n, credentials.lapsed_on)}</dt><dd>{d.to_string()}</dd> }
    });
    let award = standing.award.clone().map(|a| {
        let href = format!("/certificates/{}", a.code);
        view! {
            <dt>{t!(i18n, credentials.certificate)}</dt>
            <dd>
                <a href=href data-testid="certificate-link"><code>{a.code.clone()}</code></a>
                " · " {a.awarded_on.to_string()} " · " {a.awarded_by.clone()}
            </dd>
        }
    });
    view! {
        <dl class="facts standing-facts">
            <dt>{t!(i18n, credentials.status)}</dt>
            <dd><StatusBadge status=e.status /></dd>
            {valid_until}
            {lapsed_on}
            <dt>{t!(i18n, credentials.logged)}</dt>
            <dd>{t!(i18n, credentials.logged_waiting, logged = standing.logged, waiting = standing.waiting)}</dd>
            {award}
        </dl>
    }
    .into_any()
}

#[component]
fn StandingCard(
    standing: Standing,
    curve: Option<LearningCurve>,
    titles: Vec<(String, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (zh, en) = (
        standing.application_zh.clone(),
        standing.application_en.clone(),
    );
    let name = move || {
        if lang_code(i18n) == "zh" {
            zh.clone()
        } else {
            en.clone()
        }
    };
    let code = standing.application.clone();
    let lines = standing.evaluation.lines.clone();
    let mut titles = titles;
    titles.extend(standing.quiz_titles.iter().cloned());
    let curve = curve.unwrap_or(LearningCurve {
        learner_name: standing.learner_name.clone(),
        application: code.clone(),
        points: Vec::new(),
    });
    view! {
        <article class="panel standing" data-application=code.clone() data-testid="standing">
            <h2>{name}</h2>
            <StandingFacts standing />
            <h3>{t!(i18n, credentials.rules_heading)}</h3>
            <RuleLines lines titles />
            <h3>{t!(i18n, credentials.curve_title)}</h3>
            <CurveChart curve id=format!("curve-{code}") />
        </article>
    }
    .into_any()
}

/// `/competency` for a learner.
#[component]
pub fn MyProgressView() -> impl IntoView {
    let i18n = use_i18n();
    let progress = resource::new(|| (), |_| get_my_progress());
    // Course names for the rule lines; a rule still reads (by id) without them.
    let courses = resource::new(|| (), |_| course_catalogue());
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, credentials.my_title)}</h1>
                <p class="muted">{t!(i18n, credentials.my_intro)}</p>
            </header>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || {
                    let titles: Vec<(String, String)> = courses
                        .get()
                        .and_then(|r| r.ok())
                        .unwrap_or_default()
                        .into_iter()
                        .map(|c| (c.id.to_string(), c.title))
                        .collect();
                    progress.get().map(|res| match res {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(p) if p.standings.is_empty() => view! {
                            <div class="empty-state">
                                <p>{t!(i18n, credentials.my_empty)}</p>
                                <p><a href="/logbook">{t!(i18n, credentials.go_logbook)}</a></p>
                            </div>
                        }.into_any(),
                        Ok(p) => {
                            let curves = p.curves;
                            p.standings
                                .into_iter()
                                .map(|standing| {
                                    let curve = curves
                                        .iter()
                                        .find(|c| c.application == standing.application)
                                        .cloned();
                                    view! { <StandingCard standing curve titles=titles.clone() /> }
                                })
                                .collect_view()
                                .into_any()
                        }
                    })
                }}
            </Suspense>
        </section>
    }
    .into_any()
}
