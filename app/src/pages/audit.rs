//! `/admin/audit`: who did what, newest first, for admins.
use super::guard::Guarded;
use super::people::network_time;
use crate::api::audit::audit_log;
use crate::components::errors::ErrorNotice;
use crate::i18n::*;
use crate::model::{AuditEvent, Role};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

fn action_label(i18n: I18nContext<Locale>, action: &str) -> String {
    match action {
        "sign_in" => t_string!(i18n, audit.sign_in),
        "user_created" => t_string!(i18n, audit.user_created),
        "user_enabled" => t_string!(i18n, audit.user_enabled),
        "user_disabled" => t_string!(i18n, audit.user_disabled),
        "password_reset" => t_string!(i18n, audit.password_reset),
        "password_changed" => t_string!(i18n, audit.password_changed),
        "site_updated" => t_string!(i18n, audit.site_updated),
        other => return other.to_string(),
    }
    .to_string()
}

#[component]
fn AuditRows(events: Vec<AuditEvent>) -> impl IntoView {
    let i18n = use_i18n();
    events
        .into_iter()
        .map(|e| {
            let action = e.action.clone();
            view! {
                <tr data-action=e.action.clone()>
                    <td class="nowrap">{network_time(e.at)}</td>
                    <td><code>{e.actor.unwrap_or_default()}</code></td>
                    <td>{move || action_label(i18n, &action)}</td>
                    <td><code>{e.subject.unwrap_or_default()}</code></td>
                    <td><code class="detail">{e.detail}</code></td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn Audit() -> impl IntoView {
    let i18n = use_i18n();
    let before = RwSignal::new(None::<i64>);
    let events = Resource::new(move || before.get(), audit_log);
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, audit.title)}</h1>
                <p class="muted">{t!(i18n, audit.intro)}</p>
            </header>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || events.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty-state">{t!(i18n, audit.empty)}</p> }.into_any(),
                    Ok(list) => {
                        let oldest = list.last().map(|e| e.at);
                        let full = list.len() == 50;
                        view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="audit-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, audit.when)}</th>
                                            <th scope="col">{t!(i18n, audit.actor)}</th>
                                            <th scope="col">{t!(i18n, audit.action)}</th>
                                            <th scope="col">{t!(i18n, audit.subject)}</th>
                                            <th scope="col">{t!(i18n, audit.detail)}</th>
                                        </tr>
                                    </thead>
                                    <tbody><AuditRows events=list /></tbody>
                                </table>
                            </div>
                            <p class="pager">
                                <button type="button" class="btn" disabled=before.get().is_none() on:click=move |_| before.set(None)>
                                    {t!(i18n, audit.newest)}
                                </button>
                                <button type="button" class="btn" disabled=!full on:click=move |_| before.set(oldest)>
                                    {t!(i18n, audit.older)}
                                </button>
                            </p>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/admin/audit` for admins.
#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <Guarded roles=&[Role::Admin] children=|_| view! { <Audit /> }.into_any() /> }
}
