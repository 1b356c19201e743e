//! The coordinator's `/competency`: the site × application grid over a period, each cell
//! compared with the hub's figure, and the learners' standings with the award button.
use super::csv::CsvButton;
use super::{PeriodChoice, PeriodPicker, StatusBadge, by_lang, percent, status_label, today};
use crate::api::competency::{award_credential, competency_grid, credential_standings};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::competency::{Grid, GridCell, Rule, Standing};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// Within this many percentage points of the hub counts as similar.
pub const SIMILAR_BAND: f64 = 0.05;

/// How a site's figure stands against the hub's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Better,
    Similar,
    Worse,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Better => "better",
            Comparison::Similar => "similar",
            Comparison::Worse => "worse",
        }
    }

    /// The mark shown next to the figure, so colour is never the only signal.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Better => "▲",
            Comparison::Similar => "≈",
            Comparison::Worse => "▼",
        }
    }
}

/// A share against the hub's: none when either has nothing reviewed.
pub fn compare(site: Option<f64>, hub: Option<f64>) -> Option<Comparison> {
    let diff = site? - hub?;
    Some(if diff > SIMILAR_BAND + 1e-9 {
        Comparison::Better
    } else if diff < -SIMILAR_BAND - 1e-9 {
        Comparison::Worse
    } else {
        Comparison::Similar
    })
}

/// A whole cell against the hub's: worse if either share is worse (it wants a look), better
/// if one is better and none worse, otherwise similar.
pub fn compare_cell(cell: &GridCell, hub: &GridCell) -> Option<Comparison> {
    let a = compare(cell.acceptable_share(), hub.acceptable_share());
    let b = compare(cell.agreement(), hub.agreement());
    match (a, b) {
        (None, None) => None,
        _ if a == Some(Comparison::Worse) || b == Some(Comparison::Worse) => {
            Some(Comparison::Worse)
        }
        _ if a == Some(Comparison::Better) || b == Some(Comparison::Better) => {
            Some(Comparison::Better)
        }
        _ => Some(Comparison::Similar),
    }
}

fn comparison_label(i18n: I18nContext<Locale>, c: Comparison) -> String {
    match c {
        Comparison::Better => t_string!(i18n, credentials.cmp_better),
        Comparison::Similar => t_string!(i18n, credentials.cmp_similar),
        Comparison::Worse => t_string!(i18n, credentials.cmp_worse),
    }
    .to_string()
}

/// A share with its mark against the hub and the mark's words for screen readers.
fn compared_share(
    i18n: I18nContext<Locale>,
    label: String,
    share: Option<f64>,
    c: Option<Comparison>,
) -> impl IntoView {
    view! {
        <span class="cell-line">
            {label} " " {percent(share)}
            {c.map(|c| view! {
                <span class=format!("cmp-mark cmp-{}", c.as_str()) aria-hidden="true">{c.symbol()}</span>
                <span class="sr-only">{format!("（{}）", comparison_label(i18n, c))}</span>
            })}
        </span>
    }
}

fn grid_table(i18n: I18nContext<Locale>, grid: Grid) -> AnyView {
    let lang = lang_code(i18n);
    let heads = grid
        .applications
        .iter()
        .map(|a| view! { <th scope="col">{a.name(lang).to_string()}</th> })
        .collect_view();
    let rows = grid
        .sites
        .iter()
        .zip(grid.cells.iter())
        .map(|(site, cells)| {
            let hub_row = site.hub;
            let tds = cells
                .iter()
                .zip(grid.hub.iter())
                .zip(grid.applications.iter())
                .map(|((cell, hub), app)| {
                    let c = if hub_row { None } else { compare_cell(cell, hub) };
                    let class = match c {
                        Some(c) => format!("grid-cell cmp-{}", c.as_str()),
                        None if hub_row => "grid-cell cmp-hub".to_string(),
                        None => "grid-cell".to_string(),
                    };
                    let (acc, agr) = if hub_row {
                        (None, None)
                    } else {
                        (
                            compare(cell.acceptable_share(), hub.acceptable_share()),
                            compare(cell.agreement(), hub.agreement()),
                        )
                    };
                    view! {
                        <td class=class data-label=app.name(lang).to_string() data-application=app.code.clone()>
                            <span class="cell-line cell-main">{t_string!(i18n, credentials.cell_reviewed, n = cell.reviewed).to_string()}</span>
                            {compared_share(i18n, t_string!(i18n, credentials.cell_acceptable).to_string(), cell.acceptable_share(), acc)}
                            {compared_share(i18n, t_string!(i18n, credentials.cell_agreement).to_string(), cell.agreement(), agr)}
                            <span class="cell-line">{t_string!(i18n, credentials.cell_credentialed, n = cell.credentialed).to_string()}</span>
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr data-site=site.code.clone() class:hub-row=hub_row>
                    <th scope="row">
                        {by_lang(lang, &site.name_zh, &site.name_en)}
                        {hub_row.then(|| view! { <span class="badge badge-app">{t_string!(i18n, credentials.hub).to_string()}</span> })}
                    </th>
                    {tds}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=t_string!(i18n, credentials.grid_title).to_string()>
            <table class="table table-stack competency-grid" data-testid="grid">
                <thead>
                    <tr>
                        <th scope="col">{t_string!(i18n, credentials.site).to_string()}</th>
                        {heads}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <ul class="grid-legend" aria-label=t_string!(i18n, credentials.legend).to_string()>
            {[Comparison::Better, Comparison::Similar, Comparison::Worse].into_iter().map(|c| view! {
                <li class=format!("cmp-{}", c.as_str())>
                    <span class=format!("cmp-mark cmp-{}", c.as_str()) aria-hidden="true">{c.symbol()}</span>
                    " " {comparison_label(i18n, c)}
                </li>
            }).collect_view()}
            <li class="muted">{t_string!(i18n, credentials.legend_band, band = (SIMILAR_BAND * 100.0).round()).to_string()}</li>
        </ul>
        <p class="took muted" data-testid="took">
            <small>{t_string!(i18n, credentials.took, ms = grid.took_ms).to_string()}</small>
        </p>
    }
    .into_any()
}

/// The grid as CSV, one line per site and application.
pub fn grid_rows(i18n: I18nContext<Locale>, grid: &Grid) -> Vec<Vec<String>> {
    let lang = lang_code(i18n);
    let mut rows = vec![vec![
        t_string!(i18n, credentials.site_code).to_string(),
        t_string!(i18n, credentials.site).to_string(),
        t_string!(i18n, credentials.application).to_string(),
        t_string!(i18n, credentials.reviewed).to_string(),
        t_string!(i18n, credentials.acceptable).to_string(),
        t_string!(i18n, credentials.acceptable_share).to_string(),
        t_string!(i18n, credentials.agreeing).to_string(),
        t_string!(i18n, credentials.agreement).to_string(),
        t_string!(i18n, credentials.credentialed).to_string(),
        t_string!(i18n, credentials.against_hub).to_string(),
    ]];
    for (site, cells) in grid.sites.iter().zip(&grid.cells) {
        for ((cell, hub), app) in cells.iter().zip(&grid.hub).zip(&grid.applications) {
            let against = if site.hub {
                t_string!(i18n, credentials.hub).to_string()
            } else {
                compare_cell(cell, hub)
                    .map(|c| comparison_label(i18n, c))
                    .unwrap_or_default()
            };
            rows.push(vec![
                site.code.clone(),
                by_lang(lang, &site.name_zh, &site.name_en),
                app.name(lang).to_string(),
                cell.reviewed.to_string(),
                cell.acceptable.to_string(),
                percent(cell.acceptable_share()),
                cell.agreeing.to_string(),
                percent(cell.agreement()),
                cell.credentialed.to_string(),
                against,
            ]);
        }
    }
    rows
}

/// The learner's figures a standings row shows: reviewed scans, acceptable share, agreement.
fn figures(standing: &Standing) -> (u32, Option<f64>, Option<f64>) {
    let (mut reviewed, mut acceptable, mut agreement) = (0, None, None);
    for line in &standing.evaluation.lines {
        match line.rule {
            Rule::ReviewedScans { actual, .. } => reviewed = actual,
            Rule::AcceptableShare { share, .. } => acceptable = share,
            Rule::Agreement { share, .. } => agreement = share,
            _ => {}
        }
    }
    (reviewed, acceptable, agreement)
}

pub fn standings_rows(i18n: I18nContext<Locale>, list: &[Standing]) -> Vec<Vec<String>> {
    let lang = lang_code(i18n);
    let mut rows = vec![vec![
        t_string!(i18n, credentials.learner).to_string(),
        t_string!(i18n, credentials.site_code).to_string(),
        t_string!(i18n, credentials.application).to_string(),
        t_string!(i18n, credentials.status).to_string(),
        t_string!(i18n, credentials.reviewed).to_string(),
        t_string!(i18n, credentials.acceptable_share).to_string(),
        t_string!(i18n, credentials.agreement).to_string(),
        t_string!(i18n, credentials.logged).to_string(),
        t_string!(i18n, credentials.waiting).to_string(),
        t_string!(i18n, credentials.code).to_string(),
    ]];
    for s in list {
        let (reviewed, acceptable, agreement) = figures(s);
        rows.push(vec![
            s.learner_name.clone(),
            s.site_code.clone(),
            if lang == "zh" {
                s.application_zh.clone()
            } else {
                s.application_en.clone()
            },
            status_label(i18n, s.evaluation.status),
            reviewed.to_string(),
            percent(acceptable),
            percent(agreement),
            s.logged.to_string(),
            s.waiting.to_string(),
            s.award.as_ref().map(|a| a.code.clone()).unwrap_or_default(),
        ]);
    }
    rows
}

/// The award button of an eligible learner, then the new code and its certificate.
#[component]
pub fn AwardButton(learner: String, application: String, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let award = Action::new(move |_: &()| award_credential(learner.clone(), application.clone()));
    let pending = award.pending();
    view! {
        {move || match award.value().get() {
            Some(Ok(code)) => view! {
                <span class="award-done" role="status">
                    {t!(i18n, credentials.awarded)} " "
                    <a href=format!("/certificates/{code}") data-testid="new-certificate"><code>{code.clone()}</code></a>
                </span>
            }.into_any(),
            other => {
                let error = match other {
                    Some(Err(e)) => Some(error_message(i18n, &e)),
                    _ => None,
                };
                let name = name.clone();
                view! {
                    <button
                        type="button"
                        class="btn btn-small btn-primary"
                        data-testid="award"
                        disabled=move || pending.get()
                        aria-label=move || t_string!(i18n, credentials.award_who, name = name.clone())
                        on:click=move |_| { award.dispatch(()); }
                    >
                        {t!(i18n, credentials.award)}
                    </button>
                    <small class="field-error" role="alert">{error}</small>
                }.into_any()
            }
        }}
    }
}

fn standings_table(i18n: I18nContext<Locale>, list: Vec<Standing>) -> AnyView {
    if list.is_empty() {
        return view! { <p class="empty-state">{t!(i18n, credentials.standings_empty)}</p> }
            .into_any();
    }
    let rows = list
        .into_iter()
        .map(|s| {
            let (reviewed, acceptable, agreement) = figures(&s);
            let href = format!("/competency/learners/{}/{}", s.learner, s.application);
            let (zh, en) = (s.application_zh.clone(), s.application_en.clone());
            let app_name = move || if lang_code(i18n) == "zh" { zh.clone() } else { en.clone() };
            let action = if s.evaluation.awardable {
                view! { <AwardButton learner=s.learner.to_string() application=s.application.clone() name=s.learner_name.clone() /> }.into_any()
            } else if let Some(a) = s.award.clone() {
                view! { <a href=format!("/certificates/{}", a.code)><code>{a.code.clone()}</code></a> }.into_any()
            } else {
                ().into_any()
            };
            view! {
                <tr
                    data-status=s.evaluation.status.as_str()
                    data-learner=s.learner.to_string()
                    data-application=s.application.clone()
                    data-testid="standing-row"
                >
                    <th scope="row"><a href=href>{s.learner_name.clone()}</a></th>
                    <td data-label=move || t_string!(i18n, credentials.site_code)><code>{s.site_code.clone()}</code></td>
                    <td data-label=move || t_string!(i18n, credentials.application)>{app_name}</td>
                    <td data-label=move || t_string!(i18n, credentials.status)><StatusBadge status=s.evaluation.status /></td>
                    <td class="num" data-label=move || t_string!(i18n, credentials.reviewed)>{reviewed}</td>
                    <td class="num" data-label=move || t_string!(i18n, credentials.acceptable_share)>{percent(acceptable)}</td>
                    <td class="num" data-label=move || t_string!(i18n, credentials.agreement)>{percent(agreement)}</td>
                    <td class="num" data-label=move || t_string!(i18n, credentials.waiting)>{s.waiting}</td>
                    <td class="row-actions" data-label=move || t_string!(i18n, credentials.actions)>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=t_string!(i18n, credentials.standings_title).to_string()>
            <table class="table table-stack" data-testid="standings">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, credentials.learner)}</th>
                        <th scope="col">{t!(i18n, credentials.site_code)}</th>
                        <th scope="col">{t!(i18n, credentials.application)}</th>
                        <th scope="col">{t!(i18n, credentials.status)}</th>
                        <th scope="col" class="num">{t!(i18n, credentials.reviewed)}</th>
                        <th scope="col" class="num">{t!(i18n, credentials.acceptable_share)}</th>
                        <th scope="col" class="num">{t!(i18n, credentials.agreement)}</th>
                        <th scope="col" class="num">{t!(i18n, credentials.waiting)}</th>
                        <th scope="col">{t!(i18n, credentials.actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `/competency` for a coordinator.
#[component]
pub fn CoordinatorDashboard() -> impl IntoView {
    let i18n = use_i18n();
    let choice = RwSignal::new(PeriodChoice::LastMonths(6));
    let grid = resource::new(move || choice.get(), |c| competency_grid(c.period(today())));
    let site = RwSignal::new(String::new());
    let application = RwSignal::new(String::new());
    let standings = resource::new(
        move || (site.get(), application.get()),
        |(s, a)| credential_standings(Some(s), Some(a)),
    );
    let grid_csv = move || {
        grid.get_untracked()
            .and_then(|r| r.ok())
            .map(|g| grid_rows(i18n, &g))
            .unwrap_or_default()
    };
    let standings_csv = move || {
        standings
            .get_untracked()
            .and_then(|r| r.ok())
            .map(|l| standings_rows(i18n, &l))
            .unwrap_or_default()
    };
    // The filters' choices come with the grid (its sites, the applications in use).
    let options = move || grid.get().and_then(|r| r.ok());
    view! {
        <section class="page competency-dashboard">
            <header class="page-head">
                <h1>{t!(i18n, credentials.dashboard_title)}</h1>
                <p class="muted">{t!(i18n, credentials.dashboard_intro)}</p>
                <nav class="page-links" aria-label=move || t_string!(i18n, credentials.more)>
                    <a href="/competency/quality" data-testid="to-quality">{t!(i18n, quality.title)}</a>
                    <a href="/competency/rules" data-testid="to-rules">{t!(i18n, rules.title)}</a>
                    <a href="/competency/applications" data-testid="to-applications">{t!(i18n, applications.title)}</a>
                </nav>
            </header>
            <h2>{t!(i18n, credentials.grid_title)}</h2>
            <PeriodPicker choice />
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || grid.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(g) => {
                        let caption = t_string!(i18n, credentials.period_shown, from = g.period.from.to_string(), until = g.period.until.to_string()).to_string();
                        view! {
                            <p class="muted" data-testid="period-shown">{caption}</p>
                            {grid_table(i18n, g)}
                        }.into_any()
                    }
                })}
            </Transition>
            <p>
                <CsvButton
                    name="competency-grid.csv".to_string()
                    rows=grid_csv
                    what=Signal::derive(move || t_string!(i18n, credentials.grid_title).to_string())
                />
            </p>

            <h2>{t!(i18n, credentials.standings_title)}</h2>
            <div class="filters">
                <label>
                    {t!(i18n, credentials.site)}
                    <select data-testid="standings-site" on:change=move |ev| site.set(event_target_value(&ev)) prop:value=move || site.get()>
                        <option value="">{t!(i18n, credentials.all_sites)}</option>
                        <Transition fallback=|| ()>{move || options().map(|g| {
                            let lang = lang_code(i18n);
                            g.sites.into_iter().map(|s| view! {
                                <option value=s.id.to_string()>{by_lang(lang, &s.name_zh, &s.name_en)}</option>
                            }).collect_view()
                        })}</Transition>
                    </select>
                </label>
                <label>
                    {t!(i18n, credentials.application)}
                    <select data-testid="standings-application" on:change=move |ev| application.set(event_target_value(&ev)) prop:value=move || application.get()>
                        <option value="">{t!(i18n, credentials.all_applications)}</option>
                        <Transition fallback=|| ()>{move || options().map(|g| {
                            let lang = lang_code(i18n);
                            g.applications.into_iter().map(|a| view! {
                                <option value=a.code.clone()>{a.name(lang).to_string()}</option>
                            }).collect_view()
                        })}</Transition>
                    </select>
                </label>
            </div>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || standings.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) => standings_table(i18n, list),
                })}
            </Transition>
            <p>
                <CsvButton
                    name="credential-standings.csv".to_string()
                    rows=standings_csv
                    what=Signal::derive(move || t_string!(i18n, credentials.standings_title).to_string())
                />
            </p>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(reviewed: u32, acceptable: u32, agreeing: u32) -> GridCell {
        GridCell {
            reviewed,
            acceptable,
            agreeing,
            credentialed: 0,
        }
    }

    #[test]
    fn shares_within_five_points_of_the_hub_are_similar() {
        assert_eq!(compare(Some(0.80), Some(0.84)), Some(Comparison::Similar));
        assert_eq!(compare(Some(0.85), Some(0.80)), Some(Comparison::Similar));
        assert_eq!(compare(Some(0.86), Some(0.80)), Some(Comparison::Better));
        assert_eq!(compare(Some(0.70), Some(0.80)), Some(Comparison::Worse));
    }

    #[test]
    fn nothing_reviewed_on_either_side_compares_to_nothing() {
        assert_eq!(compare(None, Some(0.8)), None);
        assert_eq!(compare(Some(0.8), None), None);
        assert_eq!(compare_cell(&cell(0, 0, 0), &cell(10, 8, 8)), None);
    }

    #[test]
    fn a_cell_is_worse_when_either_share_is_worse() {
        let hub = cell(10, 8, 8);
        assert_eq!(
            compare_cell(&cell(10, 10, 6), &hub),
            Some(Comparison::Worse)
        );
        assert_eq!(
            compare_cell(&cell(10, 10, 8), &hub),
            Some(Comparison::Better)
        );
        assert_eq!(
            compare_cell(&cell(20, 16, 16), &hub),
            Some(Comparison::Similar)
        );
    }
}
