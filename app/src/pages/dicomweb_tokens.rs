//! `/admin/dicomweb-tokens`: the read-only tokens DICOMweb viewers and services (an OHIF
//! viewer, a research workstation) use at `/dicom-web`. Admins issue one per person or service
//! by name, copy its secret once, see how much each is used, and revoke it.
use super::guard::Guarded;
use super::people::network_time;
use crate::api::resource;
use crate::api::tokens::{dicomweb_tokens, issue_dicomweb_token, revoke_dicomweb_token};
use crate::components::errors::{ErrorNotice, FieldError, error_message};
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::{AppError, DicomWebTokenView, IssuedToken, Role};
use leptos::prelude::*;

/// The form that issues a token, and the secret it showed last (once).
#[component]
fn IssueForm(issued: Action<(String, String), Result<IssuedToken, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let holder = RwSignal::new(String::new());
    let error = Signal::derive(move || issued.value().get().and_then(Result::err));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        issued.dispatch((name.get_untracked(), holder.get_untracked()));
    };
    // A token issued: the form empties for the next one.
    Effect::new(move |_| {
        if let Some(Ok(_)) = issued.value().get() {
            name.set(String::new());
            holder.set(String::new());
        }
    });
    view! {
        <form class="panel token-form" data-testid="token-form" on:submit=submit novalidate>
            <h2>{t!(i18n, dicomweb_tokens.issue_title)}</h2>
            <div class="form-grid">
                <label>
                    {t!(i18n, dicomweb_tokens.name)}
                    <input type="text" name="token_name" required maxlength="80" autocomplete="off"
                        aria-describedby="token-name-hint" data-testid="token-name"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    <small id="token-name-hint" class="hint">{t!(i18n, dicomweb_tokens.name_hint)}</small>
                    <FieldError error name="token_name" />
                </label>
                <label>
                    {t!(i18n, dicomweb_tokens.holder)}
                    <input type="text" name="token_holder" required maxlength="120" autocomplete="off"
                        aria-describedby="token-holder-hint" data-testid="token-holder"
                        prop:value=move || holder.get() on:input=move |ev| holder.set(event_target_value(&ev)) />
                    <small id="token-holder-hint" class="hint">{t!(i18n, dicomweb_tokens.holder_hint)}</small>
                    <FieldError error name="token_holder" />
                </label>
            </div>
            {move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. })).map(|e| view! {
                <p class="form-error" role="alert">{error_message(i18n, &e)}</p>
            })}
            <button type="submit" class="btn btn-primary" data-testid="token-issue" disabled=move || issued.pending().get()>
                {t!(i18n, dicomweb_tokens.issue)}
            </button>
        </form>
    }
}

/// The secret just issued, with a copy button; it is never shown again.
#[component]
fn Secret(issued: IssuedToken) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(None::<bool>);
    let field = NodeRef::<leptos::html::Input>::new();
    let secret = issued.secret.clone();
    let copy = move |_| {
        let secret = secret.clone();
        // Copy where the browser allows it (HTTPS or this machine); else select the text so
        // Ctrl+C copies it.
        #[cfg(feature = "hydrate")]
        {
            let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
            let select = move || {
                if let Some(input) = field.get_untracked() {
                    input.select();
                }
            };
            match clipboard {
                Some(clipboard) => leptos::task::spawn_local(async move {
                    let written =
                        wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&secret)).await;
                    if written.is_err() {
                        select();
                    }
                    copied.set(Some(written.is_ok()));
                }),
                None => {
                    select();
                    copied.set(Some(false));
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (secret, field);
    };
    let (name, holder) = (issued.token.name.clone(), issued.token.holder.clone());
    view! {
        <div class="notice notice-ok token-secret" data-testid="token-secret" role="status">
            <p><strong>{move || t_string!(i18n, dicomweb_tokens.issued, name = name.clone(), holder = holder.clone()).to_string()}</strong></p>
            <p>{t!(i18n, dicomweb_tokens.copy_now)}</p>
            <div class="secret-row">
                <input type="text" readonly class="mono" node_ref=field value=issued.secret.clone()
                    aria-label=move || t_string!(i18n, dicomweb_tokens.secret_label) data-testid="token-secret-value" />
                <button type="button" class="btn" on:click=copy data-testid="token-copy">{t!(i18n, dicomweb_tokens.copy)}</button>
            </div>
            <p class="hint" aria-live="polite">
                {move || copied.get().map(|ok| if ok {
                    t_string!(i18n, dicomweb_tokens.copied).to_string()
                } else {
                    t_string!(i18n, dicomweb_tokens.copy_by_hand).to_string()
                })}
            </p>
            <p class="hint">{t!(i18n, dicomweb_tokens.how_to_use)}</p>
        </div>
    }
}

/// One token's row, with its revoke button and confirmation.
#[component]
fn TokenRow(
    token: DicomWebTokenView,
    revoke: Action<String, Result<(), AppError>>,
    acting_on: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let id = token.id.clone();
    let row_error = {
        let id = id.clone();
        Signal::derive(move || {
            (acting_on.get().as_deref() == Some(id.as_str()))
                .then(|| revoke.value().get().and_then(Result::err))
                .flatten()
        })
    };
    let active = token.revoked_at.is_none();
    let created = network_time(token.created_at);
    let by = token.created_by.clone().unwrap_or_default();
    let last_used = token.last_used_at.map(network_time);
    let revoked = token.revoked_at.map(network_time);
    let do_revoke = {
        let id = id.clone();
        move |_| {
            acting_on.set(Some(id.clone()));
            revoke.dispatch(id.clone());
        }
    };
    view! {
        <tr data-testid="token-row" data-name=token.name.clone()>
            <th scope="row">
                {token.name.clone()}
                <small class="block muted mono">{t!(i18n, dicomweb_tokens.starts_with)}" "{token.hint.clone()}"…"</small>
            </th>
            <td data-label=move || t_string!(i18n, dicomweb_tokens.holder)>{token.holder.clone()}</td>
            <td data-label=move || t_string!(i18n, dicomweb_tokens.created)>
                {created}<small class="block muted">{by}</small>
            </td>
            <td class="num" data-label=move || t_string!(i18n, dicomweb_tokens.uses)>
                <span data-testid="token-uses">{token.uses}</span>
                <small class="block muted">
                    {move || match &last_used {
                        Some(at) => t_string!(i18n, dicomweb_tokens.last_used, at = at.clone()).to_string(),
                        None => t_string!(i18n, dicomweb_tokens.never_used).to_string(),
                    }}
                </small>
            </td>
            <td data-label=move || t_string!(i18n, dicomweb_tokens.status)>
                {match revoked {
                    None => view! { <span class="badge badge-ok" data-testid="token-status">{t!(i18n, dicomweb_tokens.active)}</span> }.into_any(),
                    Some(at) => view! {
                        <span class="badge badge-retired" data-testid="token-status">{t!(i18n, dicomweb_tokens.revoked)}</span>
                        <small class="block muted">{at}</small>
                    }.into_any(),
                }}
            </td>
            <td>
                {active.then(|| view! {
                    <button type="button" class="btn btn-small btn-quiet btn-danger-text" data-testid="token-revoke"
                        aria-expanded=move || confirming.get().to_string()
                        on:click=move |_| confirming.set(true)>
                        {t!(i18n, dicomweb_tokens.revoke)}
                        <span class="sr-only">" "{token.name.clone()}</span>
                    </button>
                })}
            </td>
        </tr>
        {move || (confirming.get() || row_error.get().is_some()).then(|| view! {
            <tr class="mask-detail">
                <td colspan="6">
                    {confirming.get().then(|| view! {
                        <div class="confirm" role="group" aria-label=move || t_string!(i18n, dicomweb_tokens.revoke)>
                            <p>{t!(i18n, dicomweb_tokens.revoke_question)}</p>
                            <div class="row-actions">
                                <button type="button" class="btn btn-danger btn-small" data-testid="token-revoke-confirm"
                                    disabled=move || revoke.pending().get() on:click=do_revoke.clone()>
                                    {t!(i18n, dicomweb_tokens.revoke_yes)}
                                </button>
                                <button type="button" class="btn btn-small" on:click=move |_| confirming.set(false)>
                                    {t!(i18n, dicomweb_tokens.cancel)}
                                </button>
                            </div>
                        </div>
                    })}
                    {move || row_error.get().map(|e| view! {
                        <p class="form-error" role="alert">{error_message(i18n, &e)}</p>
                    })}
                </td>
            </tr>
        })}
    }
    .into_any()
}

#[component]
fn Tokens() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let tokens = resource::new(move || reload.get(), |_| dicomweb_tokens());
    let issued = Action::new(|(name, holder): &(String, String)| {
        issue_dicomweb_token(name.clone(), holder.clone())
    });
    let revoke = Action::new(|id: &String| revoke_dicomweb_token(id.clone()));
    let acting_on = RwSignal::new(None::<String>);
    let revoked = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = issued.value().get() {
            revoked.set(false);
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            revoked.set(true);
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, dicomweb_tokens.title)}</h1>
                <p class="muted">{t!(i18n, dicomweb_tokens.intro)}</p>
            </header>
            <IssueForm issued />
            {move || issued.value().get().and_then(Result::ok).map(|issued| view! { <Secret issued /> })}
            <div role="status">
                {move || revoked.get().then(|| view! {
                    <p class="notice notice-ok" data-testid="token-revoked">{t!(i18n, dicomweb_tokens.revoked_done)}</p>
                })}
            </div>
            <h2>{t!(i18n, dicomweb_tokens.list_title)}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || tokens.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state" data-testid="tokens-empty">{t!(i18n, dicomweb_tokens.empty)}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table table-stack" data-testid="tokens">
                                <caption class="sr-only">{t!(i18n, dicomweb_tokens.list_title)}</caption>
                                <thead><tr>
                                    <th scope="col">{t!(i18n, dicomweb_tokens.name)}</th>
                                    <th scope="col">{t!(i18n, dicomweb_tokens.holder)}</th>
                                    <th scope="col">{t!(i18n, dicomweb_tokens.created)}</th>
                                    <th scope="col" class="num">{t!(i18n, dicomweb_tokens.uses)}</th>
                                    <th scope="col">{t!(i18n, dicomweb_tokens.status)}</th>
                                    <th scope="col"><span class="sr-only">{t!(i18n, quarantine.actions)}</span></th>
                                </tr></thead>
                                <tbody>{list.into_iter().map(|token| view! { <TokenRow token revoke acting_on /> }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// `/admin/dicomweb-tokens` for admins.
#[component]
pub fn DicomWebTokensPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.dicomweb_tokens).to_string() />
        <Guarded roles=&[Role::Admin] children=|_| view! { <Tokens /> }.into_any() />
    }
}
