//! The home page: what to do next, per role; coordinators and admins also see the network.
use super::guard::Guarded;
use crate::api::people::network_overview;
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::components::layout::{lang_code, role_label};
use crate::i18n::*;
use crate::model::{CurrentUser, Role};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// One "next step" card: where it goes and what it says.
fn steps(i18n: I18nContext<Locale>, role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Learner => vec![
            (
                "/cases",
                t_string!(i18n, nav.cases),
                t_string!(i18n, home.learner_cases),
            ),
            (
                "/courses",
                t_string!(i18n, nav.courses),
                t_string!(i18n, home.learner_courses),
            ),
            (
                "/competency",
                t_string!(i18n, nav.competency),
                t_string!(i18n, home.learner_competency),
            ),
        ],
        Role::Expert => vec![
            (
                "/cases",
                t_string!(i18n, nav.cases),
                t_string!(i18n, home.expert_cases),
            ),
            (
                "/competency",
                t_string!(i18n, nav.competency),
                t_string!(i18n, home.expert_review),
            ),
            (
                "/replays",
                t_string!(i18n, nav.replays),
                t_string!(i18n, home.expert_replays),
            ),
        ],
        Role::Coordinator => vec![
            (
                "/competency",
                t_string!(i18n, nav.competency),
                t_string!(i18n, home.coordinator_competency),
            ),
            (
                "/courses",
                t_string!(i18n, nav.courses),
                t_string!(i18n, home.coordinator_courses),
            ),
            (
                "/people",
                t_string!(i18n, nav.people),
                t_string!(i18n, home.coordinator_people),
            ),
        ],
        Role::Admin => vec![
            (
                "/people",
                t_string!(i18n, nav.people),
                t_string!(i18n, home.admin_people),
            ),
            (
                "/admin/sites",
                t_string!(i18n, sites.title),
                t_string!(i18n, home.admin_sites),
            ),
        ],
    }
}

#[component]
fn NetworkTable() -> impl IntoView {
    let i18n = use_i18n();
    let overview = resource::new(|| (), |_| network_overview());
    view! {
        <section class="panel" aria-labelledby="network-h">
            <h2 id="network-h">{t!(i18n, home.people_by_site)}</h2>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || {
                    overview
                        .get()
                        .map(|res| match res {
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                            Ok(rows) => {
                                view! {
                                    <div class="table-wrap" tabindex="0">
                                        <table class="table" data-testid="network-table">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{t!(i18n, people.site)}</th>
                                                    <th scope="col" class="num">{t!(i18n, role.learner)}</th>
                                                    <th scope="col" class="num">{t!(i18n, role.expert)}</th>
                                                    <th scope="col" class="num">{t!(i18n, role.coordinator)}</th>
                                                    <th scope="col" class="num">{t!(i18n, role.admin)}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {rows
                                                    .into_iter()
                                                    .map(|row| {
                                                        let site = row.site.clone();
                                                        view! {
                                                            <tr>
                                                                <th scope="row">{move || site.name(lang_code(i18n)).to_string()}</th>
                                                                <td class="num">{row.learners}</td>
                                                                <td class="num">{row.experts}</td>
                                                                <td class="num">{row.coordinators}</td>
                                                                <td class="num">{row.admins}</td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn Home(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let role = user.role;
    let site = user.site.clone();
    let name = user.display_name.clone();
    view! {
        <section class="page" data-testid=format!("home-{}", role.as_str())>
            <header class="page-head">
                <h1>{move || t_string!(i18n, home.greeting, name = name.clone()).to_string()}</h1>
                <p class="muted">
                    {move || {
                        let site = site.name(lang_code(i18n)).trim();
                        let role = role_label(i18n, role);
                        if site.is_empty() { role.to_string() } else { format!("{role} · {site}") }
                    }}
                </p>
            </header>
            <h2>{t!(i18n, home.next_steps)}</h2>
            <ul class="cards">
                {move || {
                    steps(i18n, role)
                        .into_iter()
                        .map(|(href, title, body)| {
                            view! {
                                <li class="card">
                                    <a href=href>
                                        <h3>{title}</h3>
                                        <p>{body}</p>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {role.sees_everyone().then(|| view! { <NetworkTable /> })}
        </section>
    }
}

/// `/`: the signed-in user's home.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.home).to_string() /> <Guarded children=|user| view! { <Home user /> }.into_any() /> }
}
