//! The experts' side of the library: the workbench (every case by status), the queue of
//! published cases awaiting an outcome, version comparison; and the network's outcome tables
//! for everyone.
use super::{CaseCard, READERS, status_label};
use crate::api::cases::{
    applications, awaiting_follow_up, case_versions, case_workbench, compare_versions,
    network_outcomes,
};
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::components::scores::{grade_label, tirads_label};
use crate::i18n::*;
use crate::model::{CaseId, CaseStatus, Role};
use crate::pages::guard::Guarded;
use crate::pages::people::network_time;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
fn Workbench() -> impl IntoView {
    let i18n = use_i18n();
    let cases = resource::new(|| (), |_| case_workbench());
    let apps = resource::new(|| (), |_| applications());
    view! {
        <section class="page cases-page">
            <header class="page-head">
                <p><a href="/cases">{t!(i18n, cases.back)}</a></p>
                <h1>{t!(i18n, cases.workbench)}</h1>
                <p class="muted">{t!(i18n, cases.workbench_intro)}</p>
            </header>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || {
                    let apps = apps.get().and_then(Result::ok).unwrap_or_default();
                    cases.get().map(|res| match res {
                        Ok(list) if list.is_empty() => view! { <div class="empty-state"><p>{t!(i18n, cases.workbench_empty)}</p></div> }.into_any(),
                        Ok(list) => CaseStatus::ALL.into_iter().map(|status| {
                            let group: Vec<_> = list.iter().filter(|c| c.status == status).cloned().collect();
                            let apps = apps.clone();
                            (!group.is_empty()).then(|| view! {
                                <section class="panel" data-status=status.as_str()>
                                    <h2>{move || status_label(i18n, status)}" ("{group.len()}")"</h2>
                                    <ul class="case-grid">
                                        {group.into_iter().map(|case| {
                                            let href = format!("/cases/{}/edit", case.id.0);
                                            view! { <CaseCard case apps=apps.clone() href /> }
                                        }).collect_view()}
                                    </ul>
                                </section>
                            })
                        }).collect_view().into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

/// `/cases/work` for experts.
#[component]
pub fn WorkbenchPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.workbench).to_string() /> <Guarded roles=&[Role::Expert] children=|_| view! { <Workbench /> }.into_any() /> }
}

#[component]
fn Awaiting() -> impl IntoView {
    let i18n = use_i18n();
    let cases = resource::new(|| (), |_| awaiting_follow_up());
    let apps = resource::new(|| (), |_| applications());
    view! {
        <section class="page cases-page">
            <header class="page-head">
                <p><a href="/cases">{t!(i18n, cases.back)}</a></p>
                <h1>{t!(i18n, cases.awaiting)}</h1>
                <p class="muted">{t!(i18n, cases.awaiting_intro)}</p>
            </header>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || {
                    let apps = apps.get().and_then(Result::ok).unwrap_or_default();
                    cases.get().map(|res| match res {
                        Ok(list) if list.is_empty() => view! { <div class="empty-state"><p>{t!(i18n, cases.awaiting_empty)}</p></div> }.into_any(),
                        Ok(list) => view! {
                            <ul class="case-grid" data-testid="awaiting">
                                {list.into_iter().map(|case| view! { <CaseCard case apps=apps.clone() /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

/// `/cases/follow-ups` for experts.
#[component]
pub fn AwaitingPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.follow_ups).to_string() /> <Guarded roles=&[Role::Expert] children=|_| view! { <Awaiting /> }.into_any() /> }
}

/// A rate as a percentage, or a dash when there is nothing to divide.
fn percent(part: u32, whole: u32) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.0}%", f64::from(part) * 100.0 / f64::from(whole))
    }
}

#[component]
fn Outcomes() -> impl IntoView {
    let i18n = use_i18n();
    let tables = resource::new(|| (), |_| network_outcomes());
    view! {
        <section class="page cases-page">
            <header class="page-head">
                <p><a href="/cases">{t!(i18n, cases.back)}</a></p>
                <h1>{t!(i18n, cases.outcomes)}</h1>
                <p class="muted">{t!(i18n, cases.outcomes_intro)}</p>
            </header>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || tables.get().map(|res| match res {
                    Ok(t) => view! {
                        <section class="panel">
                            <h2>{t!(i18n, cases.concordance)}</h2>
                            <p data-testid="concordance-counts">
                                {move || t_string!(i18n, cases.concordance_counts, concordant = t.concordant, discordant = t.discordant, pending = t.pending)}
                            </p>
                        </section>
                        <section class="panel">
                            <h2>{t!(i18n, cases.tirads_table)}</h2>
                            <div class="table-wrap" tabindex="0">
                                <table class="table" data-testid="tirads-table">
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, cases.tirads)}</th>
                                        <th scope="col" class="num">{t!(i18n, cases.with_outcome)}</th>
                                        <th scope="col" class="num">{t!(i18n, cases.malignant)}</th>
                                        <th scope="col" class="num">{t!(i18n, cases.malignancy_rate)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {t.tirads.iter().map(|r| view! {
                                            <tr data-tr=r.level.number()>
                                                <th scope="row">{tirads_label(r.level)}</th>
                                                <td class="num">{r.cases}</td>
                                                <td class="num">{r.malignant}</td>
                                                <td class="num">{percent(r.malignant, r.cases)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <p class="muted small">{t!(i18n, cases.tirads_table_note)}</p>
                        </section>
                        <section class="panel">
                            <h2>{t!(i18n, cases.carotid_table)}</h2>
                            <div class="table-wrap" tabindex="0">
                                <table class="table" data-testid="carotid-table">
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, cases.grade)}</th>
                                        <th scope="col" class="num">{t!(i18n, cases.case_count)}</th>
                                        <th scope="col" class="num">{t!(i18n, cases.confirms)}</th>
                                        <th scope="col" class="num">{t!(i18n, cases.refutes)}</th>
                                        <th scope="col" class="num">{t!(i18n, cases.intervention)}</th>
                                        <th scope="col" class="num">{t!(i18n, cases.pending)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {t.carotid.iter().map(|r| {
                                            let g = r.grade;
                                            view! {
                                                <tr>
                                                    <th scope="row">{move || grade_label(i18n, g)}</th>
                                                    <td class="num">{r.cases}</td>
                                                    <td class="num">{r.confirmed}</td>
                                                    <td class="num">{r.not_confirmed}</td>
                                                    <td class="num">{r.intervention}</td>
                                                    <td class="num">{r.pending}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `/cases/outcomes` for everyone who reads the library.
#[component]
pub fn OutcomesPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.outcomes).to_string() /> <Guarded roles=READERS children=|_| view! { <Outcomes /> }.into_any() /> }
}

#[component]
fn Versions() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    // Blocking, as on the case page: an unknown case answers 404.
    let list = resource::blocking(id, |id| async move {
        case_versions(CaseId::from_path(&id)?).await
    });
    let picked = move || {
        query.with(|q| {
            (
                q.get("a").and_then(|v| v.parse::<u32>().ok()),
                q.get("b").and_then(|v| v.parse::<u32>().ok()),
            )
        })
    };
    let diff = resource::new(
        move || (id(), picked()),
        |(id, picked)| async move {
            match picked {
                (Some(a), Some(b)) => compare_versions(CaseId::from_path(&id)?, a, b)
                    .await
                    .map(Some),
                _ => Ok(None),
            }
        },
    );
    view! {
        <section class="page cases-page">
            <header class="page-head">
                <p><a href=move || format!("/cases/{}/edit", id())>{t!(i18n, cases.curation)}</a></p>
                <h1>{t!(i18n, cases.versions)}</h1>
            </header>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || list.get().map(|res| match res {
                    Ok(versions) if versions.is_empty() => view! { <p class="empty-state">{t!(i18n, cases.no_versions)}</p> }.into_any(),
                    Ok(versions) => {
                        let newest = versions.first().map(|v| v.version).unwrap_or(1);
                        view! {
                            <form class="panel inline-form" method="get">
                                <label class="field">{t!(i18n, cases.compare_from)}
                                    <select name="a">{versions.iter().map(|v| view! { <option value=v.version.to_string() selected=picked().0 == Some(v.version) || (picked().0.is_none() && v.version + 1 == newest)>{format!("v{}", v.version)}</option> }).collect_view()}</select>
                                </label>
                                <label class="field">{t!(i18n, cases.compare_to)}
                                    <select name="b">{versions.iter().map(|v| view! { <option value=v.version.to_string() selected=picked().1.unwrap_or(newest) == v.version>{format!("v{}", v.version)}</option> }).collect_view()}</select>
                                </label>
                                <button type="submit" class="btn btn-primary">{t!(i18n, cases.compare)}</button>
                            </form>
                            <ol class="history panel">
                                {versions.into_iter().map(|v| view! {
                                    <li>{format!("v{} · {} · {} · ", v.version, v.title, network_time(v.published_at))}{v.published_by}</li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || diff.get().map(|res| match res {
                    Ok(Some((a, b, changes))) => view! {
                        <section class="panel" data-testid="version-diff">
                            <h2>{format!("v{} → v{}", a.version, b.version)}</h2>
                            {changes.is_empty().then(|| view! { <p class="muted">{t!(i18n, cases.no_changes)}</p> })}
                            <table class="table diff">
                                <tbody>
                                    {changes.into_iter().map(|c| view! {
                                        <tr>
                                            <th scope="row">{crate::components::errors::field_label(i18n, &c.field)}</th>
                                            <td class="diff-before"><pre>{c.before}</pre></td>
                                            <td class="diff-after"><pre>{c.after}</pre></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `/cases/{id}/versions` for experts.
#[component]
pub fn VersionsPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.versions).to_string() /> <Guarded roles=&[Role::Expert] children=|_| view! { <Versions /> }.into_any() /> }
}
