//! `/viewer`: any signed-in user opens the demo clips, or a local DICOM file that never
//! leaves the browser, in the cine viewer.
use super::guard::Guarded;
use crate::api::clips::demo_clips;
use crate::api::resource;
use crate::components::layout::PageTitle;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::DemoClip;
use leptos::prelude::*;
use std::sync::Arc;

#[component]
fn ViewerPage_() -> impl IntoView {
    let i18n = use_i18n();
    let clips = resource::new(|| (), |_| demo_clips());
    let source = RwSignal::new(None::<ClipSource>);
    let annotations = RwSignal::new(Vec::new());
    let open_local = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(bytes) = crate::components::viewer::read_file(&file).await {
                annotations.set(Vec::new());
                source.set(Some(ClipSource::Local {
                    name: file.name(),
                    bytes: Arc::new(bytes),
                }));
            }
        });
    };
    let clip_button = move |clip: DemoClip| {
        let url = clip.url.clone();
        let overlay = clip.annotations.clone();
        let selected = {
            let url = url.clone();
            move || matches!(source.get(), Some(ClipSource::Url(u)) if u == url)
        };
        let label = format!(
            "{} · {}×{} · {} · {} fps",
            clip.syntax, clip.width, clip.height, clip.frames, clip.fps
        );
        view! {
            <li>
                <button
                    type="button"
                    class="btn btn-small"
                    class:btn-primary=selected.clone()
                    aria-pressed=move || selected().to_string()
                    data-clip=clip.file.clone()
                    on:click=move |_| {
                        annotations.set(overlay.clone());
                        source.set(Some(ClipSource::Url(url.clone())));
                    }
                >
                    {clip.title(crate::components::layout::lang_code(i18n)).to_string()}
                </button>
                <small class="muted">{label}</small>
            </li>
        }
    };
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, viewer_page.title)}</h1>
                <p class="muted">{t!(i18n, viewer_page.intro)}</p>
            </header>
            <div class="viewer-page">
                <aside class="viewer-side">
                    <h2>{t!(i18n, viewer_page.demo_clips)}</h2>
                    <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                        {move || clips.get().map(|res| match res {
                            Ok(list) if !list.is_empty() => view! {
                                <ul class="clip-list">{list.into_iter().map(clip_button).collect_view()}</ul>
                            }.into_any(),
                            _ => view! { <p class="muted">{t!(i18n, viewer_page.none)}</p> }.into_any(),
                        })}
                    </Suspense>
                    <label class="file-pick">
                        {t!(i18n, viewer_page.open_local)}
                        <input type="file" accept=".dcm,application/dicom,*/*" on:change=open_local data-testid="local-file" />
                    </label>
                </aside>
                <CineViewer source=source editable=annotations />
            </div>
        </section>
    }
}

/// `/viewer` for every signed-in user.
#[component]
pub fn ViewerPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.viewer).to_string() /> <Guarded children=|_| view! { <ViewerPage_ /> }.into_any() /> }
}
