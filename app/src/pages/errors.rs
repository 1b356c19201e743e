//! The page shown for an unknown address.
use crate::components::layout::PageTitle;
use crate::i18n::*;
use leptos::prelude::*;

/// 404: says so, sets the status on the server, and offers the way home.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <PageTitle page=|i| t_string!(i, page_title.not_found).to_string() />
        <section class="page narrow">
            <h1>{t!(i18n, error.page_not_found)}</h1>
            <p>{t!(i18n, error.page_not_found_body)}</p>
            <p>
                <a class="btn" href="/">
                    {t!(i18n, error.back_home)}
                </a>
            </p>
        </section>
    }
}
