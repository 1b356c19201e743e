//! Certificates: `/certificates/{code}` printable for signed-in people, `/verify/{code}` and
//! `/verify` public, for anyone holding the paper to check where the credential stands today.
use super::{by_lang, percent};
use crate::api::competency::verify_credential;
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::{PageTitle, lang_code};
use crate::i18n::*;
use crate::model::AppError;
use crate::model::competency::{Certificate, CredentialStatus};
use crate::pages::guard::{Guarded, percent_encode};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_params_map;

/// The address anyone can check the certificate at, on `origin`.
fn verify_url(origin: &str, code: &str) -> String {
    format!("{origin}/verify/{}", percent_encode(code, b""))
}

/// The page's origin in the browser; on the server the path alone (the browser fills it in).
fn web_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Where the credential stands, as the verification page words it.
fn verdict(i18n: I18nContext<Locale>, c: &Certificate) -> (&'static str, String) {
    if c.revoked {
        return (
            "revoked",
            t_string!(i18n, credentials.verify_revoked).to_string(),
        );
    }
    match c.status {
        CredentialStatus::DueForRenewal => {
            ("due", t_string!(i18n, credentials.verify_due).to_string())
        }
        CredentialStatus::Lapsed => (
            "lapsed",
            t_string!(i18n, credentials.verify_lapsed).to_string(),
        ),
        _ => (
            "valid",
            t_string!(i18n, credentials.verify_valid).to_string(),
        ),
    }
}

fn certificate_body(i18n: I18nContext<Locale>, c: Certificate, printable: bool) -> AnyView {
    let lang = lang_code(i18n);
    let (kind, words) = verdict(i18n, &c);
    // The origin is only known in the browser: read after hydration, so both renders agree.
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| origin.set(web_origin()));
    let code = c.code.clone();
    let url = Signal::derive(move || verify_url(&origin.get(), &code));
    let valid_until = c.valid_until.map(|d| {
        view! { <dt>{t!(i18n, credentials.valid_until)}</dt><dd>{d.to_string()}</dd> }
    });
    view! {
        <p class=format!("verify-verdict verdict-{kind}") role="status" data-testid="verdict" data-verdict=kind>
            <span aria-hidden="true">{if kind == "valid" { "✓ " } else { "! " }}</span>
            {words}
        </p>
        <article class="certificate" data-testid="certificate">
            <p class="certificate-org">"SonoHub"</p>
            <h2 class="certificate-heading">{t!(i18n, credentials.certificate_heading)}</h2>
            <p class="certificate-name">{c.learner_name.clone()}</p>
            <p class="certificate-app">{by_lang(lang, &c.application_zh, &c.application_en)}</p>
            <dl class="facts">
                <dt>{t!(i18n, credentials.site)}</dt>
                <dd>{by_lang(lang, &c.site_zh, &c.site_en)}</dd>
                <dt>{t!(i18n, credentials.awarded_on)}</dt>
                <dd>{c.awarded_on.to_string()}</dd>
                <dt>{t!(i18n, credentials.awarded_by)}</dt>
                <dd>{c.awarded_by.clone()}</dd>
                {valid_until}
                <dt>{t!(i18n, credentials.record_at_award)}</dt>
                <dd>
                    {t!(
                        i18n,
                        credentials.record_line,
                        reviewed = c.reviewed_scans,
                        acceptable = percent(c.acceptable_share),
                        agreement = percent(c.agreement)
                    )}
                </dd>
                <dt>{t!(i18n, credentials.code)}</dt>
                <dd><code data-testid="code">{c.code.clone()}</code></dd>
                <dt>{t!(i18n, credentials.verify_at)}</dt>
                <dd><a href=url data-testid="verify-url">{url}</a></dd>
            </dl>
        </article>
        {printable.then(|| view! {
            <p class="no-print">
                <button type="button" class="btn btn-primary" on:click=move |_| {
                    if let Some(w) = web_sys::window() { let _ = w.print(); }
                }>{t!(i18n, credentials.print)}</button>
            </p>
        })}
    }
    .into_any()
}

/// The certificate by the code in the address; not found is said plainly on the public page.
#[component]
fn CertificateView(printable: bool) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let certificate = resource::blocking(
        move || params.with(|p| p.get("code").unwrap_or_default()),
        verify_credential,
    );
    view! {
        <section class=if printable { "page certificate-page" } else { "page narrow verify-page" }>
            <h1 class:no-print=printable>
                {move || if printable { t_string!(i18n, credentials.certificate) } else { t_string!(i18n, credentials.verify_title) }}
            </h1>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || certificate.get().map(|res| match res {
                    Ok(c) => certificate_body(i18n, c, printable),
                    Err(AppError::NotFound(_)) if !printable => view! {
                        <p class="verify-verdict verdict-none" role="status" data-testid="verdict" data-verdict="not_found">
                            {t!(i18n, credentials.verify_not_found)}
                        </p>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Suspense>
            {(!printable).then(|| view! { <VerifyForm /> })}
        </section>
    }
    .into_any()
}

/// A box to type a code in; goes to its verification page.
#[component]
fn VerifyForm() -> impl IntoView {
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let navigate = leptos_router::hooks::use_navigate();
    let go = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = code.get_untracked().trim().to_string();
        if !text.is_empty() {
            navigate(
                &format!("/verify/{}", percent_encode(&text, b"")),
                Default::default(),
            );
        }
    };
    view! {
        <form class="inline-form verify-form no-print" on:submit=go>
            <label>
                {t!(i18n, credentials.code)}
                <input type="text" bind:value=code autocomplete="off" data-testid="verify-code" />
            </label>
            <button type="submit" class="btn btn-primary">{t!(i18n, credentials.verify_button)}</button>
        </form>
    }
}

/// `/certificates/{code}`: the printable certificate, for anyone signed in.
#[component]
pub fn CertificatePage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.certificate).to_string() />
        <Guarded children=|_| view! { <CertificateView printable=true /> }.into_any() />
    }
}

/// `/verify/{code}`: where a credential stands, for anyone.
#[component]
pub fn VerifyPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.verify).to_string() />
        <CertificateView printable=false />
    }
}

/// `/verify`: type the code printed on a certificate.
#[component]
pub fn VerifyFormPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle page=|i| t_string!(i, page_title.verify).to_string() />
        <section class="page narrow verify-page">
            <h1>{t!(i18n, credentials.verify_title)}</h1>
            <p class="muted">{t!(i18n, credentials.verify_intro)}</p>
            <VerifyForm />
        </section>
    }
}
