//! `/admin/archive`: the connection to the regional archive's DICOMweb service.
use super::guard::Guarded;
use crate::api::archive::{SaveArchiveSettings, TestArchive, archive_settings};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, archive_problem_message, error_message};
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::{ArchiveSettingsView, Role};
use leptos::prelude::*;

#[component]
fn ArchiveForm(current: ArchiveSettingsView) -> impl IntoView {
    let i18n = use_i18n();
    let base_url = RwSignal::new(current.base_url.clone());
    let auth = RwSignal::new(current.auth.as_str().to_string());
    let username = RwSignal::new(current.username.clone());
    let secret = RwSignal::new(String::new());
    let timeout = RwSignal::new(current.timeout_secs.to_string());
    let has_secret = RwSignal::new(current.has_secret);
    let save = ServerAction::<SaveArchiveSettings>::new();
    let test = ServerAction::<TestArchive>::new();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            has_secret.set(saved.has_secret);
            secret.set(String::new());
        }
    });
    let timeout_secs = move || timeout.get_untracked().trim().parse::<u32>().unwrap_or(0);
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveArchiveSettings {
            base_url: base_url.get_untracked(),
            auth: auth.get_untracked(),
            username: username.get_untracked(),
            secret: secret.get_untracked(),
            timeout_secs: timeout_secs(),
        });
    };
    let on_test = move |_| {
        test.dispatch(TestArchive {
            base_url: base_url.get_untracked(),
            auth: auth.get_untracked(),
            username: username.get_untracked(),
            secret: secret.get_untracked(),
            timeout_secs: timeout_secs(),
        });
    };
    let needs_user = move || auth.get() == "basic";
    let needs_secret = move || auth.get() != "none";
    view! {
        <form class="panel form-grid" on:submit=on_save data-testid="archive-form">
            <label class="field field-wide">{t!(i18n, field.base_url)}
                <input type="url" required bind:value=base_url name="base_url"
                    placeholder="http://pacs.hub.local:8042/dicom-web" />
            </label>
            <label class="field">{t!(i18n, field.auth)}
                <select bind:value=auth name="auth">
                    <option value="none">{t!(i18n, archive_admin.auth_none)}</option>
                    <option value="basic">{t!(i18n, archive_admin.auth_basic)}</option>
                    <option value="bearer">{t!(i18n, archive_admin.auth_bearer)}</option>
                </select>
            </label>
            <Show when=needs_user>
                <label class="field">{t!(i18n, field.archive_username)}
                    <input bind:value=username name="archive_username" autocomplete="off" />
                </label>
            </Show>
            <Show when=needs_secret>
                <label class="field">{t!(i18n, field.archive_secret)}
                    <input type="password" bind:value=secret name="archive_secret" autocomplete="new-password" />
                    {move || has_secret.get().then(|| view! { <small class="hint">{t!(i18n, archive_admin.secret_kept)}</small> })}
                </label>
            </Show>
            <label class="field">{t!(i18n, field.timeout_secs)}
                <span class="inline-form">
                    <input type="number" min="1" max="600" bind:value=timeout name="timeout_secs" class="input-short" />
                    {t!(i18n, archive_admin.seconds)}
                </span>
            </label>
            <div class="form-actions">
                <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>{t!(i18n, archive_admin.save)}</button>
                <button class="btn" type="button" on:click=on_test disabled=move || test.pending().get() data-testid="archive-test">
                    {move || if test.pending().get() { t_string!(i18n, archive_admin.testing) } else { t_string!(i18n, archive_admin.test) }}
                </button>
                {move || match save.value().get() {
                    Some(Ok(_)) => Some(view! { <span class="form-ok" role="status">{t!(i18n, archive_admin.saved)}</span> }.into_any()),
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }.into_any()),
                    None => None,
                }}
                {move || match test.value().get() {
                    Some(Ok(check)) if check.ok => Some(view! {
                        <span class="form-ok" role="status" data-testid="archive-test-result">{t_string!(i18n, archive_admin.test_ok, ms = check.millis)}</span>
                    }.into_any()),
                    Some(Ok(check)) => {
                        let problem = check.problem.map(|p| archive_problem_message(i18n, &p)).unwrap_or_default();
                        Some(view! {
                            <span class="form-error" role="alert" data-testid="archive-test-result">{t_string!(i18n, archive_admin.test_failed, problem = problem)}</span>
                        }.into_any())
                    }
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }.into_any()),
                    None => None,
                }}
            </div>
        </form>
    }
}

#[component]
fn ArchiveSettings() -> impl IntoView {
    let i18n = use_i18n();
    let current = resource::new(|| (), |_| archive_settings());
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, archive_admin.title)}</h1>
                <p class="muted">{t!(i18n, archive_admin.intro)}</p>
            </header>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || current.get().map(|res| match res {
                    Ok(current) => view! { <ArchiveForm current /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// `/admin/archive` for admins.
#[component]
pub fn ArchiveSettingsPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.archive).to_string() /> <Guarded roles=&[Role::Admin] children=|_| view! { <ArchiveSettings /> }.into_any() /> }
}
