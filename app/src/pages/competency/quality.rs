//! `/competency/quality`: the network's quality control over a period — each site's mean
//! grade and interpretation agreement per month against the hub's, the reviewers' workload
//! and turnaround, and how far reviewer pairs agree (Cohen's kappa, weighted for the grade).
//! Every table exports as CSV.
use super::csv::CsvButton;
use super::{PeriodChoice, PeriodPicker, by_lang, percent, today};
use crate::api::competency::{competency_applications, get_quality_report};
use crate::api::resource;
use crate::components::charts::{Bar, BarChart, LineChart, Reference, Series};
use crate::components::errors::ErrorNotice;
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::competency::{QualityReport, ReviewerLoad, ReviewerPair, SiteMonth, SiteTrend};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// Every month any site has figures for, in order (`YYYY-MM`).
pub fn months_of(trends: &[SiteTrend]) -> Vec<String> {
    let mut months: Vec<String> = trends
        .iter()
        .flat_map(|t| t.months.iter().map(|m| m.month.clone()))
        .collect();
    months.sort();
    months.dedup();
    months
}

/// A site's figures over the whole period: scans reviewed, mean grade and agreement, each
/// month weighted by its scans.
pub fn period_figures(months: &[SiteMonth]) -> (u32, Option<f64>, Option<f64>) {
    let reviewed: u32 = months.iter().map(|m| m.reviewed).sum();
    let weighted = |value: fn(&SiteMonth) -> Option<f64>| {
        let (sum, n) = months
            .iter()
            .fold((0.0, 0u32), |(sum, n), m| match value(m) {
                Some(v) => (sum + v * f64::from(m.reviewed), n + m.reviewed),
                None => (sum, n),
            });
        (n > 0).then(|| sum / f64::from(n))
    };
    (
        reviewed,
        weighted(|m| m.mean_grade),
        weighted(|m| m.agreement),
    )
}

/// The value a month has for one figure, in the order of `months` (none where no scan was
/// reviewed that month).
fn series_points(
    trend: &SiteTrend,
    months: &[String],
    value: fn(&SiteMonth) -> Option<f64>,
) -> Vec<(f64, Option<f64>)> {
    months
        .iter()
        .enumerate()
        .map(|(i, month)| {
            let v = trend
                .months
                .iter()
                .find(|m| &m.month == month)
                .and_then(value);
            (i as f64, v)
        })
        .collect()
}

/// Month labels for the x axis: every month when few, otherwise every other one.
fn month_ticks(months: &[String]) -> Vec<(f64, String)> {
    let step = if months.len() > 8 { 2 } else { 1 };
    months
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, m)| (i as f64, m.get(2..).unwrap_or(m).to_string()))
        .collect()
}

fn optional(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{v:.digits$}"))
}

/// The site × month table as CSV rows.
pub fn trend_rows(i18n: I18nContext<Locale>, trends: &[SiteTrend]) -> Vec<Vec<String>> {
    let lang = lang_code(i18n);
    let mut rows = vec![vec![
        t_string!(i18n, credentials.site).to_string(),
        t_string!(i18n, quality.month).to_string(),
        t_string!(i18n, quality.reviewed).to_string(),
        t_string!(i18n, quality.mean_grade).to_string(),
        t_string!(i18n, quality.agreement).to_string(),
    ]];
    for trend in trends {
        for m in &trend.months {
            rows.push(vec![
                by_lang(lang, &trend.site.name_zh, &trend.site.name_en),
                m.month.clone(),
                m.reviewed.to_string(),
                optional(m.mean_grade, 2),
                optional(m.agreement, 3),
            ]);
        }
    }
    rows
}

/// The reviewers' table as CSV rows.
pub fn reviewer_rows(i18n: I18nContext<Locale>, reviewers: &[ReviewerLoad]) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        t_string!(i18n, quality.reviewer).to_string(),
        t_string!(i18n, quality.reviews).to_string(),
        t_string!(i18n, quality.second_reviews).to_string(),
        t_string!(i18n, quality.median_hours).to_string(),
        t_string!(i18n, quality.p90_hours).to_string(),
    ]];
    rows.extend(reviewers.iter().map(|r| {
        vec![
            r.name.clone(),
            r.reviews.to_string(),
            r.second_reviews.to_string(),
            optional(r.median_hours, 1),
            optional(r.p90_hours, 1),
        ]
    }));
    rows
}

/// The reviewer pairs' table as CSV rows.
pub fn pair_rows(i18n: I18nContext<Locale>, pairs: &[ReviewerPair]) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        t_string!(i18n, quality.first_reviewer).to_string(),
        t_string!(i18n, quality.second_reviewer).to_string(),
        t_string!(i18n, quality.pairs).to_string(),
        t_string!(i18n, quality.verdict_kappa).to_string(),
        t_string!(i18n, quality.grade_kappa).to_string(),
        t_string!(i18n, quality.grade_kappa_linear).to_string(),
        t_string!(i18n, quality.grade_kappa_quadratic).to_string(),
    ]];
    rows.extend(pairs.iter().map(|p| {
        let a = &p.agreement;
        vec![
            p.first.clone(),
            p.second.clone(),
            a.pairs.to_string(),
            optional(a.verdict_kappa, 2),
            optional(a.grade_kappa, 2),
            optional(a.grade_kappa_linear, 2),
            optional(a.grade_kappa_quadratic, 2),
        ]
    }));
    rows
}

/// One site's two charts against the hub: mean grade and agreement per month.
fn site_charts(i18n: I18nContext<Locale>, report: &QualityReport, site_id: &str) -> AnyView {
    let months = months_of(&report.trends);
    let Some(site) = report.trends.iter().find(|t| t.site.id.as_str() == site_id) else {
        return ().into_any();
    };
    if months.is_empty() {
        return view! { <p class="empty-state">{t!(i18n, quality.no_reviews)}</p> }.into_any();
    }
    let lang = lang_code(i18n);
    let hub = report.trends.iter().find(|t| t.site.hub);
    let site_name = by_lang(lang, &site.site.name_zh, &site.site.name_en);
    let x_domain = (0.0, (months.len().max(2) - 1) as f64);
    let ticks = month_ticks(&months);
    let chart = |id: &str,
                 title: String,
                 value: fn(&SiteMonth) -> Option<f64>,
                 y_domain: (f64, f64),
                 y_ticks: Vec<(f64, String)>,
                 reference: Option<Reference>| {
        let mut series = vec![Series {
            label: site_name.clone(),
            class: "chart-s-site",
            points: series_points(site, &months, value),
            dots: true,
        }];
        if let Some(hub) = hub.filter(|h| h.site.id != site.site.id) {
            series.push(Series {
                label: by_lang(lang, &hub.site.name_zh, &hub.site.name_en),
                class: "chart-s-hub",
                points: series_points(hub, &months, value),
                dots: true,
            });
        }
        let desc = t_string!(
            i18n,
            quality.chart_desc,
            site = site_name.clone(),
            from = months[0].clone(),
            until = months[months.len() - 1].clone()
        )
        .to_string();
        match reference {
            Some(reference) => view! {
                <LineChart id=id.to_string() title desc series x_domain y_domain x_ticks=ticks.clone() y_ticks reference />
            }
            .into_any(),
            None => view! {
                <LineChart id=id.to_string() title desc series x_domain y_domain x_ticks=ticks.clone() y_ticks />
            }
            .into_any(),
        }
    };
    let grade = chart(
        "qc-grade",
        t_string!(i18n, quality.grade_chart, site = site_name.clone()).to_string(),
        |m| m.mean_grade,
        (1.0, 5.0),
        (1..=5).map(|g| (f64::from(g), g.to_string())).collect(),
        Some(Reference {
            value: 3.0,
            label: t_string!(i18n, credentials.curve_acceptable).to_string(),
        }),
    );
    let agreement = chart(
        "qc-agreement",
        t_string!(i18n, quality.agreement_chart, site = site_name.clone()).to_string(),
        |m| m.agreement.map(|a| a * 100.0),
        (0.0, 100.0),
        [0, 25, 50, 75, 100]
            .into_iter()
            .map(|p| (f64::from(p), format!("{p}%")))
            .collect(),
        None,
    );
    view! { <div class="chart-pair">{grade}{agreement}</div> }.into_any()
}

fn sites_table(
    i18n: I18nContext<Locale>,
    report: &QualityReport,
    charted: Signal<String>,
    chosen: RwSignal<String>,
) -> AnyView {
    let lang = lang_code(i18n);
    let hub = report
        .trends
        .iter()
        .find(|t| t.site.hub)
        .map(|t| period_figures(&t.months));
    let rows = report
        .trends
        .iter()
        .map(|t| {
            let (reviewed, grade, agreement) = period_figures(&t.months);
            let lower = |site: Option<f64>, hub: Option<f64>, margin: f64| {
                matches!((site, hub), (Some(s), Some(h)) if s + margin < h)
            };
            let grade_low = !t.site.hub && lower(grade, hub.and_then(|h| h.1), 0.25);
            let agreement_low = !t.site.hub && lower(agreement, hub.and_then(|h| h.2), 0.05);
            let id = t.site.id.to_string();
            let name = by_lang(lang, &t.site.name_zh, &t.site.name_en);
            view! {
                <tr data-site=t.site.code.clone() class:row-selected={let id = id.clone(); move || charted.get() == id}>
                    <th scope="row">
                        <button type="button" class="link-button" on:click={let id = id.clone(); move |_| chosen.set(id.clone())}
                            aria-pressed={let id = id.clone(); move || (charted.get() == id).to_string()}>
                            {name}
                        </button>
                        {t.site.hub.then(|| view! { " " <span class="badge">{t!(i18n, quality.hub)}</span> })}
                    </th>
                    <td class="num" data-label=move || t_string!(i18n, quality.reviewed)>{reviewed}</td>
                    <td class="num" class:qc-worse=grade_low data-label=move || t_string!(i18n, quality.mean_grade)>
                        {optional(grade, 2)}
                        {grade_low.then(|| view! { " " <span class="sr-only">{t!(i18n, quality.below_hub)}</span><span class="cmp-mark cmp-worse" aria-hidden="true">"▼"</span> })}
                    </td>
                    <td class="num" class:qc-worse=agreement_low data-label=move || t_string!(i18n, quality.agreement)>
                        {percent(agreement)}
                        {agreement_low.then(|| view! { " " <span class="sr-only">{t!(i18n, quality.below_hub)}</span><span class="cmp-mark cmp-worse" aria-hidden="true">"▼"</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table table-stack" data-testid="qc-sites">
                <caption class="sr-only">{t!(i18n, quality.sites_title)}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, credentials.site)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.reviewed)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.mean_grade)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.agreement)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn reviewers_view(i18n: I18nContext<Locale>, reviewers: Vec<ReviewerLoad>) -> AnyView {
    if reviewers.is_empty() {
        return view! { <p class="empty-state">{t!(i18n, quality.no_reviews)}</p> }.into_any();
    }
    let bars = reviewers
        .iter()
        .map(|r| Bar {
            label: r.name.clone(),
            value: f64::from(r.reviews + r.second_reviews),
            shown: (r.reviews + r.second_reviews).to_string(),
        })
        .collect::<Vec<_>>();
    let total: u32 = reviewers.iter().map(|r| r.reviews + r.second_reviews).sum();
    let rows = reviewers
        .into_iter()
        .map(|r| view! {
            <tr>
                <th scope="row">{r.name.clone()}</th>
                <td class="num" data-label=move || t_string!(i18n, quality.reviews)>{r.reviews}</td>
                <td class="num" data-label=move || t_string!(i18n, quality.second_reviews)>{r.second_reviews}</td>
                <td class="num" data-label=move || t_string!(i18n, quality.median_hours)>{optional(r.median_hours, 1)}</td>
                <td class="num" data-label=move || t_string!(i18n, quality.p90_hours)>{optional(r.p90_hours, 1)}</td>
            </tr>
        })
        .collect_view();
    view! {
        <BarChart id="qc-load".to_string()
            title=t_string!(i18n, quality.load_chart).to_string()
            desc=t_string!(i18n, quality.load_desc, n = total).to_string()
            bars />
        <div class="table-wrap" tabindex="0">
            <table class="table table-stack" data-testid="qc-reviewers">
                <caption class="sr-only">{t!(i18n, quality.reviewers_title)}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, quality.reviewer)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.reviews)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.second_reviews)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.median_hours)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.p90_hours)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn pairs_view(i18n: I18nContext<Locale>, pairs: Vec<ReviewerPair>) -> AnyView {
    if pairs.is_empty() {
        return view! { <p class="empty-state">{t!(i18n, quality.no_pairs)}</p> }.into_any();
    }
    let rows = pairs
        .into_iter()
        .map(|p| {
            let a = p.agreement.clone();
            // Below 0.4 is at best fair agreement (Landis and Koch): worth a calibration session.
            let weak = a.grade_kappa_linear.is_some_and(|k| k < 0.4);
            view! {
                <tr class:row-warn=weak>
                    <th scope="row">{p.first.clone()}" · "{p.second.clone()}</th>
                    <td class="num" data-label=move || t_string!(i18n, quality.pairs)>{a.pairs}</td>
                    <td class="num" data-label=move || t_string!(i18n, quality.verdict_kappa)>{optional(a.verdict_kappa, 2)}</td>
                    <td class="num" data-label=move || t_string!(i18n, quality.grade_kappa)>{optional(a.grade_kappa, 2)}</td>
                    <td class="num" data-label=move || t_string!(i18n, quality.grade_kappa_linear)>
                        {optional(a.grade_kappa_linear, 2)}
                        {weak.then(|| view! { " " <span class="badge badge-warn">{t!(i18n, quality.weak)}</span> })}
                    </td>
                    <td class="num" data-label=move || t_string!(i18n, quality.grade_kappa_quadratic)>{optional(a.grade_kappa_quadratic, 2)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table table-stack" data-testid="qc-pairs">
                <caption class="sr-only">{t!(i18n, quality.pairs_title)}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, quality.pair)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.pairs)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.verdict_kappa)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.grade_kappa)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.grade_kappa_linear)}</th>
                    <th scope="col" class="num">{t!(i18n, quality.grade_kappa_quadratic)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="hint">{t!(i18n, quality.kappa_hint)}</p>
    }
    .into_any()
}

/// `/competency/quality` for coordinators.
#[component]
pub fn QualityDashboard() -> impl IntoView {
    let i18n = use_i18n();
    let choice = RwSignal::new(PeriodChoice::LastMonths(12));
    let application = RwSignal::new(String::new());
    let chosen = RwSignal::new(String::new());
    let apps = resource::new(|| (), |_| competency_applications());
    let report = resource::new(
        move || (choice.get(), application.get()),
        |(c, a)| get_quality_report(c.period(today()), (!a.is_empty()).then_some(a)),
    );
    let csv = move |rows: fn(I18nContext<Locale>, &QualityReport) -> Vec<Vec<String>>| {
        move || {
            report
                .get_untracked()
                .and_then(|r| r.ok())
                .map(|r| rows(i18n, &r))
                .unwrap_or_default()
        }
    };
    view! {
        <section class="page competency-quality">
            <header class="page-head">
                <div>
                    <h1>{t!(i18n, quality.title)}</h1>
                    <p class="muted">{t!(i18n, quality.intro)}</p>
                </div>
                <a href="/competency">{t!(i18n, quality.back)}</a>
            </header>
            <div class="filters">
                <PeriodPicker choice />
                <label>
                    {t!(i18n, credentials.application)}
                    <select data-testid="qc-application" prop:value=move || application.get()
                        on:change=move |ev| application.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, credentials.all_applications)}</option>
                        // Read inside a boundary, as every resource is: one read outside
                        // any leaves the server render waiting on a wakeup it may not get.
                        <Transition fallback=|| ()>{move || apps.get().and_then(|r| r.ok()).map(|apps| {
                            let lang = lang_code(i18n);
                            apps.into_iter().filter(|a| !a.retired).map(|a| view! {
                                <option value=a.code.clone()>{a.name(lang).to_string()}</option>
                            }).collect_view()
                        })}</Transition>
                    </select>
                </label>
            </div>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || report.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(r) => {
                        // Until one is picked, the charts show the first community site.
                        // (Derived, not set here: writing a signal while rendering re-runs
                        // the boundary under the server's render.)
                        let first = r.trends.iter().find(|t| !t.site.hub).map(|t| t.site.id.to_string()).unwrap_or_default();
                        let charted = Signal::derive(move || {
                            let picked = chosen.get();
                            if picked.is_empty() { first.clone() } else { picked }
                        });
                        let waiting = r.waiting;
                        let shown = t_string!(i18n, credentials.period_shown, from = r.period.from.to_string(), until = r.period.until.to_string()).to_string();
                        let (reviewers, pairs) = (r.reviewers.clone(), r.pairs.clone());
                        let report = StoredValue::new(r);
                        view! {
                            <p class="muted" data-testid="period-shown">{shown}" · "
                                <a href="/review">{t_string!(i18n, quality.waiting, n = waiting)}</a></p>
                            <h2>{t!(i18n, quality.sites_title)}</h2>
                            <p class="hint">{t!(i18n, quality.sites_hint)}</p>
                            {report.with_value(|r| sites_table(i18n, r, charted, chosen))}
                            <div data-testid="qc-charts">
                                {move || report.with_value(|r| site_charts(i18n, r, &charted.get()))}
                            </div>
                            <h2>{t!(i18n, quality.reviewers_title)}</h2>
                            {reviewers_view(i18n, reviewers)}
                            <h2>{t!(i18n, quality.pairs_title)}</h2>
                            {pairs_view(i18n, pairs)}
                <p class="csv-row">
                                <CsvButton name="site-trends.csv".to_string()
                                    rows=csv(|i, r| trend_rows(i, &r.trends))
                                    what=Signal::derive(move || t_string!(i18n, quality.sites_title).to_string()) />
                                " "
                                <CsvButton name="reviewer-workload.csv".to_string()
                                    rows=csv(|i, r| reviewer_rows(i, &r.reviewers))
                                    what=Signal::derive(move || t_string!(i18n, quality.reviewers_title).to_string()) />
                                " "
                                <CsvButton name="reviewer-agreement.csv".to_string()
                                    rows=csv(|i, r| pair_rows(i, &r.pairs))
                                    what=Signal::derive(move || t_string!(i18n, quality.pairs_title).to_string()) />
                            </p>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(month: &str, reviewed: u32, grade: Option<f64>, agreement: Option<f64>) -> SiteMonth {
        SiteMonth {
            month: month.into(),
            reviewed,
            mean_grade: grade,
            agreement,
        }
    }

    #[test]
    fn the_period_weights_each_month_by_its_scans() {
        let months = [
            month("2026-10", 10, Some(4.0), Some(0.9)),
            month("2026-11", 30, Some(3.0), Some(0.5)),
        ];
        let (reviewed, grade, agreement) = period_figures(&months);
        assert_eq!(reviewed, 40);
        assert!((grade.unwrap() - 3.25).abs() < 1e-9);
        assert!((agreement.unwrap() - 0.6).abs() < 1e-9);
        assert_eq!(period_figures(&[]), (0, None, None));
    }

    #[test]
    fn a_month_without_scans_is_a_gap_in_the_line() {
        let site = |months| SiteTrend {
            site: crate::model::competency::GridSite {
                id: crate::model::SiteId("00000000-0000-4000-8000-000000000001".into()),
                code: "QS".into(),
                name_zh: "青山".into(),
                name_en: "Qingshan".into(),
                hub: false,
            },
            months,
        };
        let a = site(vec![
            month("2026-09", 3, Some(3.0), None),
            month("2026-11", 2, Some(4.0), None),
        ]);
        let b = site(vec![month("2026-10", 1, Some(2.0), None)]);
        let months = months_of(&[a.clone(), b]);
        assert_eq!(months, ["2026-09", "2026-10", "2026-11"]);
        assert_eq!(
            series_points(&a, &months, |m| m.mean_grade),
            vec![(0.0, Some(3.0)), (1.0, None), (2.0, Some(4.0))]
        );
    }

    #[test]
    fn many_months_label_every_other_one() {
        let months: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}")).collect();
        let ticks = month_ticks(&months);
        assert_eq!(ticks.len(), 6);
        assert_eq!(ticks[0], (0.0, "26-01".to_string()));
    }
}
