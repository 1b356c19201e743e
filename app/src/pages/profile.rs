//! `/profile`: one's own account, and changing one's password.
use super::guard::Guarded;
use crate::api::auth::ChangePassword;
use crate::components::errors::error_message;
use crate::components::layout::PageTitle;
use crate::components::layout::{lang_code, role_label};
use crate::i18n::*;
use crate::model::CurrentUser;
use leptos::prelude::*;

#[component]
fn Profile(me: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    let current = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new_password.set(String::new());
        }
    });
    let role = me.role;
    let site = me.site.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(ChangePassword {
            current: current.get_untracked(),
            new_password: new_password.get_untracked(),
        });
    };
    view! {
        <section class="page narrow">
            <h1>{t!(i18n, profile.title)}</h1>
            <dl class="facts">
                <dt>{t!(i18n, people.display_name)}</dt>
                <dd>{me.display_name.clone()}</dd>
                <dt>{t!(i18n, people.username)}</dt>
                <dd><code>{me.username.clone()}</code></dd>
                <dt>{t!(i18n, people.role)}</dt>
                <dd>{move || role_label(i18n, role)}</dd>
                <dt>{t!(i18n, people.site)}</dt>
                <dd>{move || site.name(lang_code(i18n)).to_string()}</dd>
            </dl>
            <form class="panel form-grid" on:submit=submit>
                <h2>{t!(i18n, profile.change_password)}</h2>
                <div class="field">
                    <label for="pw-current">{t!(i18n, profile.current_password)}</label>
                    <input id="pw-current" type="password" autocomplete="current-password" bind:value=current />
                </div>
                <div class="field">
                    <label for="pw-new">{t!(i18n, profile.new_password)}</label>
                    <input id="pw-new" type="password" autocomplete="new-password" bind:value=new_password />
                    <small class="hint">{t!(i18n, people.password_hint)}</small>
                </div>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || change.pending().get()>
                        {t!(i18n, people.save)}
                    </button>
                    <p class="form-error" role="alert">
                        {move || match change.value().get() {
                            Some(Err(e)) => Some(error_message(i18n, &e)),
                            _ => None,
                        }}
                    </p>
                    <p class="form-ok" role="status">
                        {move || matches!(change.value().get(), Some(Ok(()))).then(|| t_string!(i18n, profile.changed))}
                    </p>
                </div>
            </form>
        </section>
    }
}

/// `/profile` for every signed-in user.
#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.profile).to_string() /> <Guarded children=|me| view! { <Profile me /> }.into_any() /> }
}
