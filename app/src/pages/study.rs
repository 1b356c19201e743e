//! `/studies/{uid}`: one anonymised study, its images and the cine viewer on the one picked.
use super::guard::Guarded;
use crate::api::archive::{RemaskInstance, study};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::{Annotation, InstanceSummary, MaskRect, Role, Shape, StudyDetail};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The pixel rectangle around a drawn shape, clipped to a `width`×`height` image; arrows and
/// text mark things rather than cover them.
pub fn cover(a: &Annotation, width: u32, height: u32) -> Option<MaskRect> {
    let (x0, y0, x1, y1) = match &a.shape {
        Shape::Ellipse { center, rx, ry } => {
            (center.x - rx, center.y - ry, center.x + rx, center.y + ry)
        }
        Shape::Polygon { points } if !points.is_empty() => points.iter().fold(
            (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
            |(a, b, c, d), p| (a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y)),
        ),
        _ => return None,
    };
    let clamp = |v: f64, max: u32| v.floor().clamp(0.0, f64::from(max.saturating_sub(1))) as u32;
    let clamp_up = |v: f64, max: u32| v.ceil().clamp(0.0, f64::from(max.saturating_sub(1))) as u32;
    (x1 >= 0.0 && y1 >= 0.0 && x0 < f64::from(width) && y0 < f64::from(height)).then(|| MaskRect {
        x0: clamp(x0, width),
        y0: clamp(y0, height),
        x1: clamp_up(x1, width),
        y1: clamp_up(y1, height),
    })
}

/// The page's re-cleaning action: it outlives the study view, which is rebuilt when the
/// study is read again after a re-cleaning (new blob addresses).
#[derive(Clone, Copy)]
struct Remasking(ServerAction<RemaskInstance>);

#[component]
fn MaskPanel(
    current: Signal<Option<InstanceSummary>>,
    drawn: RwSignal<Vec<Annotation>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let remask = expect_context::<Remasking>().0;
    let rects = move || {
        let Some(inst) = current.get() else {
            return Vec::new();
        };
        drawn
            .get()
            .iter()
            .filter_map(|a| cover(a, inst.width, inst.height))
            .collect::<Vec<_>>()
    };
    let apply = move |_| {
        if let Some(inst) = current.get_untracked() {
            remask.dispatch(RemaskInstance {
                sop_uid: inst.sop_uid,
                rects: rects(),
            });
        }
    };
    view! {
        <section class="panel" data-testid="mask-panel">
            <h2>{t!(i18n, study.mask_title)}</h2>
            <p class="muted">{t!(i18n, study.mask_hint)}</p>
            <div class="form-actions">
                <button type="button" class="btn btn-primary" data-testid="mask-apply"
                    disabled=move || rects().is_empty() || remask.pending().get() on:click=apply>
                    {move || t_string!(i18n, study.mask_apply, n = rects().len())}
                </button>
                {move || remask.pending().get().then(|| view! { <span role="status">{t!(i18n, study.mask_working)}</span> })}
                {move || match remask.value().get() {
                    Some(Ok(())) => Some(view! { <span class="form-ok" role="status">{t!(i18n, study.mask_done)}</span> }.into_any()),
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }.into_any()),
                    None => None,
                }}
            </div>
        </section>
    }
}

/// Starts a teaching case from this study and opens its editor.
#[component]
fn NewCaseForm(study_uid: String) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<crate::api::cases::CreateCase>::new();
    // Read in the browser: a resource nested in the study's own would not hydrate.
    let apps = RwSignal::new(Vec::<crate::model::Application>::new());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = crate::api::cases::applications().await {
                apps.set(list);
            }
        });
    });
    let title = RwSignal::new(String::new());
    let application = RwSignal::new("thyroid".to_string());
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/cases/{}/edit", id.0), Default::default());
        }
    });
    view! {
        <form class="panel inline-form" data-testid="new-case"
            on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(crate::api::cases::CreateCase {
                    study_uid: study_uid.clone(),
                    title: title.get_untracked(),
                    application: application.get_untracked(),
                });
            }>
            <h2>{t!(i18n, cases.new_case)}</h2>
            <label class="field">{t!(i18n, cases.case_title)}
                <input required bind:value=title name="title" data-testid="new-case-title" />
            </label>
            <label class="field">{t!(i18n, cases.application)}
                            <select bind:value=application name="application">
                                {move || apps.get().into_iter().map(|a| { let value = a.code.clone(); view! {
                            <option value=value>{move || a.name(crate::components::layout::lang_code(i18n)).to_string()}</option>
                        }}).collect_view()}
                            </select>
            </label>
            <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>{t!(i18n, cases.create)}</button>
            {move || match create.value().get() {
                Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                _ => None,
            }}
        </form>
    }
}

#[component]
fn StudyView(detail: StudyDetail, current_sop: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    if current_sop
        .get_untracked()
        .is_none_or(|sop| !detail.instances.iter().any(|i| i.sop_uid == sop))
    {
        current_sop.set(detail.instances.first().map(|i| i.sop_uid.clone()));
    }
    let instances = StoredValue::new(detail.instances.clone());
    let current = Signal::derive(move || {
        let sop = current_sop.get()?;
        instances.with_value(|list| list.iter().find(|i| i.sop_uid == sop).cloned())
    });
    let source = Signal::derive(move || current.get().map(|i| ClipSource::Url(i.url)));
    let drawn = RwSignal::new(Vec::<Annotation>::new());
    let row = move |inst: InstanceSummary| {
        let sop = inst.sop_uid.clone();
        let selected = {
            let sop = sop.clone();
            Signal::derive(move || current_sop.get().as_deref() == Some(sop.as_str()))
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
                <td>{cine::TransferSyntaxInfo::short_name(&inst.transfer_syntax).to_string()}</td>
                <td class="num">{format!("{:.1} MB", inst.size as f64 / 1_048_576.0)}</td>
                <td class="num">{inst.masked_pixels}</td>
                <td>{quality}</td>
                <td>
                    <button type="button" class="btn btn-small" class:btn-primary=selected
                        on:click=move |_| { drawn.set(Vec::new()); current_sop.set(Some(sop.clone())); }>
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
            <NewCaseForm study_uid=s.uid.clone() />
            <CineViewer source=source editable=drawn />
            <MaskPanel current drawn />
            <div class="table-wrap" tabindex="0">
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
    let reload = RwSignal::new(0u32);
    let remask = ServerAction::<RemaskInstance>::new();
    provide_context(Remasking(remask));
    Effect::new(move |_| {
        if let Some(Ok(())) = remask.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let current_sop = RwSignal::new(None::<String>);
    // Blocking: an unknown study answers 404 (see the case page).
    let detail = resource::blocking(
        move || {
            (
                params.with(|p| p.get("uid").unwrap_or_default()),
                reload.get(),
            )
        },
        |(uid, _)| study(uid),
    );
    view! {
        <section class="page">
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || detail.get().map(|res| match res {
                    Ok(detail) => view! { <StudyView detail current_sop /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `/studies/{uid}` for experts.
#[component]
pub fn StudyPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.study).to_string() /> <Guarded roles=&[Role::Expert] children=|_| view! { <Study /> }.into_any() /> }
}
