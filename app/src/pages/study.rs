//! `/studies/{uid}`: one anonymised study, its images and the cine viewer on the one picked.
use super::guard::Guarded;
use crate::api::archive::study;
use crate::components::errors::ErrorNotice;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::{InstanceSummary, Role, StudyDetail};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A short name for a transfer syntax UID.
pub fn syntax_name(uid: &str) -> &str {
    match uid {
        "1.2.840.10008.1.2" => "Implicit VR LE",
        "1.2.840.10008.1.2.1" => "Explicit VR LE",
        "1.2.840.10008.1.2.1.99" => "Deflated",
        "1.2.840.10008.1.2.2" => "Explicit VR BE",
        "1.2.840.10008.1.2.4.50" => "JPEG baseline",
        "1.2.840.10008.1.2.4.51" => "JPEG extended",
        "1.2.840.10008.1.2.4.57" | "1.2.840.10008.1.2.4.70" => "JPEG lossless",
        "1.2.840.10008.1.2.4.90" => "JPEG 2000 lossless",
        "1.2.840.10008.1.2.4.91" => "JPEG 2000",
        "1.2.840.10008.1.2.5" => "RLE",
        "1.2.840.10008.1.2.4.102" | "1.2.840.10008.1.2.4.103" | "1.2.840.10008.1.2.4.104" => {
            "H.264"
        }
        other => other,
    }
}

#[component]
fn StudyView(detail: StudyDetail) -> impl IntoView {
    let i18n = use_i18n();
    let first = detail.instances.first().map(|i| i.url.clone());
    let current = RwSignal::new(first);
    let source = Signal::derive(move || current.get().map(ClipSource::Url));
    let row = move |inst: InstanceSummary| {
        let url = inst.url.clone();
        let selected = {
            let url = url.clone();
            Signal::derive(move || current.get().as_deref() == Some(url.as_str()))
        };
        let quality = match inst.psnr_db {
            Some(db) => t_string!(i18n, study.psnr, db = format!("{db:.1}")).to_string(),
            None => t_string!(i18n, study.lossless).to_string(),
        };
        view! {
            <tr data-sop=inst.sop_uid.clone() class:selected=selected>
                <td class="num">{inst.series_number.map(|n| n.to_string()).unwrap_or_default()}</td>
                <td class="num">{inst.number.map(|n| n.to_string()).unwrap_or_default()}</td>
                <td class="num">{format!("{}×{}", inst.width, inst.height)}</td>
                <td class="num">{inst.frames}</td>
                <td>{syntax_name(&inst.transfer_syntax).to_string()}</td>
                <td class="num">{format!("{:.1} MB", inst.size as f64 / 1_048_576.0)}</td>
                <td class="num">{inst.masked_pixels}</td>
                <td>{quality}</td>
                <td>
                    <button type="button" class="btn btn-small" class:btn-primary=selected
                        on:click=move |_| current.set(Some(url.clone()))>
                        {t!(i18n, study.view)}
                    </button>
                </td>
            </tr>
        }
    };
    let s = detail.study.clone();
    view! {
        <header class="page-head">
            <p><a href="/studies">{t!(i18n, study.back)}</a></p>
            <h1>{t!(i18n, study.title, key = s.patient_key.clone())}</h1>
            <dl class="facts">
                <dt>{t!(i18n, studies.patient_key)}</dt><dd><code>{s.patient_key.clone()}</code></dd>
                <dt>{t!(i18n, studies.shifted_date)}</dt><dd>{s.date.clone()}</dd>
                <dt>{t!(i18n, studies.modalities)}</dt><dd>{s.modalities.clone()}</dd>
                <dt>{t!(i18n, studies.description)}</dt><dd>{s.description.clone()}</dd>
            </dl>
            <p class="muted">{t!(i18n, study.date_note)}</p>
        </header>
        <div class="study-layout">
            <CineViewer source=source />
            <div class="table-wrap">
                <table class="table" data-testid="instances">
                    <caption class="sr-only">{t!(i18n, study.images)}</caption>
                    <thead><tr>
                        <th scope="col" class="num">{t!(i18n, studies.series)}</th>
                        <th scope="col" class="num">{t!(i18n, study.number)}</th>
                        <th scope="col" class="num">"px"</th>
                        <th scope="col" class="num">{t!(i18n, studies.frames)}</th>
                        <th scope="col">{t!(i18n, study.syntax)}</th>
                        <th scope="col" class="num">{t!(i18n, study.size)}</th>
                        <th scope="col" class="num">{t!(i18n, study.masked)}</th>
                        <th scope="col">{t!(i18n, study.quality)}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{detail.instances.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        </div>
    }
}

#[component]
fn Study() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let detail = Resource::new(
        move || params.with(|p| p.get("uid").unwrap_or_default()),
        study,
    );
    view! {
        <section class="page">
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || detail.get().map(|res| match res {
                    Ok(detail) => view! { <StudyView detail /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// `/studies/{uid}` for experts.
#[component]
pub fn StudyPage() -> impl IntoView {
    view! { <Guarded roles=&[Role::Expert] children=|_| view! { <Study /> }.into_any() /> }
}
