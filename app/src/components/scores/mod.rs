//! Score editors and summaries for thyroid nodules and carotid findings.
//!
//! The editor recomputes ACR TI-RADS, C-TIRADS and the SRU grade on every change, so a case
//! author sees what a learner will be taught while describing the finding; the summary is the
//! read-only table a case page shows.
mod editors;
mod labels;
mod results;
mod summary;
mod widgets;

pub use editors::ScoreEditor;
pub use labels::{
    advice_label, ctirads_label, field_name, grade_label, imt_label, tirads_label, tirads_name,
};
pub use summary::ScoreSummary;

use crate::i18n::Locale;
use leptos_i18n::I18nContext;

type I18n = I18nContext<Locale>;

/// Renders a view inside the i18n provider, as a page would; the submodules' tests share it.
#[cfg(all(test, feature = "ssr"))]
fn render(view: impl FnOnce() -> leptos::prelude::AnyView + Send + 'static) -> String {
    use crate::i18n::*;
    use leptos::prelude::*;

    // The i18n provider starts an effect, which needs an executor even for a string render;
    // leptos does not expose one, but building a route list sets up leptos_axum's, as the
    // server does at start-up. Once per process: listing holds every resource in the process
    // while it runs (leptos#4773), which would stall another test's render.
    static EXECUTOR: std::sync::Once = std::sync::Once::new();
    EXECUTOR.call_once(|| {
        let _ = leptos_axum::generate_route_list(|| ());
    });
    let owner = Owner::new();
    owner.with(|| view! { <I18nContextProvider>{view()}</I18nContextProvider> }.to_html())
}
