//! `/admin/sites`: the network's sites; admins rename and (de)activate them.
use super::guard::Guarded;
use crate::api::people::network_overview;
use crate::api::resource;
use crate::api::sites::UpdateSite;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::{Role, SiteKind, SitePeople};
use leptos::prelude::*;

#[component]
fn SiteRow(row: SitePeople) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<UpdateSite>::new();
    let site = row.site.clone();
    let editing = RwSignal::new(false);
    let name_zh = RwSignal::new(site.name_zh.clone());
    let name_en = RwSignal::new(site.name_en.clone());
    let active = RwSignal::new(site.active);
    let shown = RwSignal::new(site.clone());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = update.value().get() {
            shown.set(saved);
            editing.set(false);
        }
    });
    let people = row.learners + row.experts + row.coordinators + row.admins;
    let kind = site.kind;
    let id = site.id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch(UpdateSite {
            site_id: id.clone(),
            name_zh: name_zh.get_untracked(),
            name_en: name_en.get_untracked(),
            active: active.get_untracked(),
        });
    };
    let error = move || match update.value().get() {
        Some(Err(e)) => Some(error_message(i18n, &e)),
        _ => None,
    };
    view! {
        <tr data-code=site.code.clone() class:inactive=move || !shown.get().active>
            <td><code>{site.code.clone()}</code></td>
            <td>
                {move || match kind {
                    SiteKind::Hub => t_string!(i18n, site_kind.hub),
                    SiteKind::Community => t_string!(i18n, site_kind.community),
                }}
            </td>
            <td lang="zh">{move || shown.get().name_zh}</td>
            <td lang="en">{move || shown.get().name_en}</td>
            <td class="num">{people}</td>
            <td>
                {move || if shown.get().active { t_string!(i18n, people.active) } else { t_string!(i18n, people.disabled) }}
            </td>
            <td class="row-actions">
                <Show
                    when=move || editing.get()
                    fallback=move || view! {
                        <button type="button" class="btn btn-small" on:click=move |_| editing.set(true)>{t!(i18n, sites.edit)}</button>
                    }
                >
                    <form class="inline-form" on:submit=save.clone()>
                        <label>{t!(i18n, sites.name_zh)}<input bind:value=name_zh /></label>
                        <label>{t!(i18n, sites.name_en)}<input bind:value=name_en /></label>
                        <label class="check"><input type="checkbox" bind:checked=active />{t!(i18n, people.active)}</label>
                        <button class="btn btn-small btn-primary" type="submit">{t!(i18n, people.save)}</button>
                        <button class="btn btn-small btn-quiet" type="button" on:click=move |_| editing.set(false)>{t!(i18n, people.cancel)}</button>
                    </form>
                </Show>
                <small class="field-error" role="alert">{error}</small>
            </td>
        </tr>
    }
}

#[component]
fn Sites() -> impl IntoView {
    let i18n = use_i18n();
    let overview = resource::new(|| (), |_| network_overview());
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, sites.title)}</h1>
                <p class="muted">{t!(i18n, sites.intro)}</p>
            </header>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || overview.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table" data-testid="sites-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, sites.code)}</th>
                                        <th scope="col">{t!(i18n, sites.kind)}</th>
                                        <th scope="col">{t!(i18n, sites.name_zh)}</th>
                                        <th scope="col">{t!(i18n, sites.name_en)}</th>
                                        <th scope="col" class="num">{t!(i18n, sites.members)}</th>
                                        <th scope="col">{t!(i18n, people.status)}</th>
                                        <th scope="col">{t!(i18n, people.actions)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|row| view! { <SiteRow row /> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// `/admin/sites` for admins.
#[component]
pub fn SitesPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.sites).to_string() /> <Guarded roles=&[Role::Admin] children=|_| view! { <Sites /> }.into_any() /> }
}
