//! `/notifications`: replies, answers and review news about the cases a user takes part in.
use super::guard::Guarded;
use crate::api::cases::{ReadNotification, notifications};
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::cases::Notification;
use crate::pages::people::network_time;
use leptos::prelude::*;

fn kind_text(i18n: leptos_i18n::I18nContext<Locale>, n: &Notification) -> String {
    let who = n.actor_name.clone();
    match n.kind.as_str() {
        "reply" => t_string!(i18n, notifications.reply, who = who),
        "answer" => t_string!(i18n, notifications.answer, who = who),
        "review" => t_string!(i18n, notifications.review, who = who),
        "submitted" => t_string!(i18n, notifications.submitted, who = who),
        "published" => t_string!(i18n, notifications.published, who = who),
        "changes_requested" => t_string!(i18n, notifications.changes_requested, who = who),
        _ => t_string!(i18n, notifications.other, who = who),
    }
    .to_string()
}

/// Where a notification leads: curation news to the editor, the rest to the case page.
fn target(n: &Notification) -> String {
    match n.kind.as_str() {
        "review" | "submitted" | "changes_requested" => format!("/cases/{}/edit", n.case_id.0),
        _ => format!("/cases/{}", n.case_id.0),
    }
}

#[component]
fn Notifications() -> impl IntoView {
    let i18n = use_i18n();
    let read = ServerAction::<ReadNotification>::new();
    let list = resource::new(move || read.version().get(), |_| notifications());
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, notifications.title)}</h1>
                <div class="form-actions">
                    <button type="button" class="btn btn-small" on:click=move |_| { read.dispatch(ReadNotification { id: String::new() }); }>
                        {t!(i18n, notifications.mark_all)}
                    </button>
                </div>
            </header>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || list.get().map(|res| match res {
                    Ok(items) if items.is_empty() => view! { <div class="empty-state"><p>{t!(i18n, notifications.empty)}</p></div> }.into_any(),
                    Ok(items) => view! {
                        <ul class="notifications" data-testid="notifications">
                            {items.into_iter().map(|n| {
                                let href = target(&n);
                                let id = n.id.clone();
                                let text = kind_text(i18n, &n);
                                view! {
                                    <li class:unread=!n.read>
                                        <a href=href on:click=move |_| { read.dispatch(ReadNotification { id: id.clone() }); }>
                                            <strong>{text}</strong>" · "{n.case_title.clone()}
                                        </a>
                                        <p class="muted">{n.excerpt.clone()}</p>
                                        <time class="muted small">{network_time(n.created_at)}</time>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `/notifications` for everyone signed in.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.notifications).to_string() /> <Guarded children=|_| view! { <Notifications /> }.into_any() /> }
}
