//! `/admin/device-masks`: the device masks experts saved in the quarantine (where the image is
//! on every file of one scanner model and image size). Admins see how often each was used,
//! correct its image area, or retire it so later files of that device are held again.
use super::guard::Guarded;
use super::people::network_time;
use super::quarantine::{device_label, rect_size};
use crate::api::quarantine::{device_masks, edit_device_mask, retire_device_mask};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::{AppError, DeviceMaskView, MaskRect, Role};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// What an admin does with a mask.
#[derive(Debug, Clone)]
enum MaskDeed {
    Edit {
        id: String,
        keep: MaskRect,
        remove: Vec<MaskRect>,
    },
    Retire {
        id: String,
    },
}

impl MaskDeed {
    fn id(&self) -> &str {
        match self {
            MaskDeed::Edit { id, .. } | MaskDeed::Retire { id } => id,
        }
    }
}

/// What came of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MaskOutcome {
    /// Saved; this many held files of the device were released by it.
    Edited(u64),
    Retired,
}

async fn perform(deed: MaskDeed) -> Result<MaskOutcome, AppError> {
    match deed {
        MaskDeed::Edit { id, keep, remove } => edit_device_mask(id, keep, remove)
            .await
            .map(MaskOutcome::Edited),
        MaskDeed::Retire { id } => retire_device_mask(id).await.map(|()| MaskOutcome::Retired),
    }
}

fn outcome_message(i18n: I18nContext<Locale>, outcome: MaskOutcome) -> String {
    match outcome {
        MaskOutcome::Edited(0) => t_string!(i18n, device_masks.edited).to_string(),
        MaskOutcome::Edited(n) => t_string!(i18n, device_masks.edited_released, n = n).to_string(),
        MaskOutcome::Retired => t_string!(i18n, device_masks.retired_done).to_string(),
    }
}

/// `(x0, y0) – (x1, y1)`.
fn corners(r: MaskRect) -> String {
    format!("({}, {}) – ({}, {})", r.x0, r.y0, r.x1, r.y1)
}

/// The page's action, which mask it last acted on, and why that failed.
#[derive(Clone, Copy)]
struct MaskDesk {
    act: Action<MaskDeed, Result<MaskOutcome, AppError>>,
    acting_on: RwSignal<Option<String>>,
    failed: RwSignal<Option<AppError>>,
}

impl MaskDesk {
    fn dispatch(self, deed: MaskDeed) {
        self.failed.set(None);
        self.acting_on.set(Some(deed.id().to_string()));
        self.act.dispatch(deed);
    }
}

/// Four typed edges, checked against the image before they are sent.
#[component]
fn KeepForm(mask: DeviceMaskView, on_cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<MaskDesk>();
    let (columns, rows) = (mask.device.columns, mask.device.rows);
    let k = mask.keep;
    let edges = [k.x0, k.y0, k.x1, k.y1].map(|v| RwSignal::new(v.to_string()));
    let invalid = RwSignal::new(false);
    let id = mask.id.clone();
    let remove = mask.remove.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let v = edges.map(|e| e.get_untracked().trim().parse::<u32>().ok());
        let keep = match v {
            [Some(x0), Some(y0), Some(x1), Some(y1)] => MaskRect { x0, y0, x1, y1 },
            _ => {
                invalid.set(true);
                return;
            }
        };
        if !keep.fits(columns, rows) {
            invalid.set(true);
            return;
        }
        invalid.set(false);
        desk.dispatch(MaskDeed::Edit {
            id: id.clone(),
            keep,
            remove: remove.clone(),
        });
    };
    let field = move |i: usize, name: &'static str| {
        // x0 and x1 (even) run across the columns, y0 and y1 down the rows.
        let max = if i.is_multiple_of(2) { columns } else { rows }.saturating_sub(1);
        let label = move || match i {
            0 => t_string!(i18n, quarantine.left),
            1 => t_string!(i18n, quarantine.top),
            2 => t_string!(i18n, quarantine.right),
            _ => t_string!(i18n, quarantine.bottom),
        };
        view! {
            <label>
                <span>{label}" "<code>{name}</code></span>
                <input type="number" class="input-short" name=name min="0" max=max step="1" required
                    inputmode="numeric" data-testid=format!("mask-{name}") bind:value=edges[i] />
            </label>
        }
    };
    view! {
        <form class="inline-form" data-testid="mask-edit-form" on:submit=submit>
            {field(0, "x0")}
            {field(1, "y0")}
            {field(2, "x1")}
            {field(3, "y1")}
            <button type="submit" class="btn btn-primary btn-small" data-testid="mask-edit-save"
                disabled=move || desk.act.pending().get()>
                {t!(i18n, device_masks.save)}
            </button>
            <button type="button" class="btn btn-small" on:click=move |_| on_cancel.run(())>
                {t!(i18n, device_masks.cancel)}
            </button>
            <p class="hint field-wide">
                {move || t_string!(i18n, device_masks.edit_hint, w = columns, h = rows, n = mask.remove.len()).to_string()}
            </p>
            {move || invalid.get().then(|| view! {
                <p class="form-error field-wide" role="alert">{t!(i18n, device_masks.edit_invalid)}</p>
            })}
        </form>
    }
}

#[component]
fn MaskRow(mask: DeviceMaskView) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<MaskDesk>();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let active = mask.retired_at.is_none();
    let this = mask.id.clone();
    let row_error = Signal::derive(move || {
        (desk.acting_on.get().as_deref() == Some(this.as_str()))
            .then(|| desk.failed.get())
            .flatten()
    });
    let (w, h) = rect_size(mask.keep);
    let d = mask.device.clone();
    let created_by = mask.created_by.clone().unwrap_or_default();
    let changed = (mask.updated_at != mask.created_at).then(|| {
        (
            network_time(mask.updated_at),
            mask.updated_by.clone().unwrap_or_default(),
        )
    });
    let last_used = mask.last_used_at.map(network_time);
    let retired_at = mask.retired_at.map(network_time);
    let id = StoredValue::new(mask.id.clone());
    let retire = move |_| {
        confirming.set(false);
        desk.dispatch(MaskDeed::Retire { id: id.get_value() });
    };
    let form_mask = mask.clone();
    view! {
        <tr data-testid="mask-row" data-mask=mask.id.clone() data-status=if active { "active" } else { "retired" }
            class:inactive=!active>
            <td>
                <strong>{device_label(i18n, &d)}</strong>
                <small class="block muted">{format!("{} × {} px", d.columns, d.rows)}</small>
            </td>
            <td data-label=move || t_string!(i18n, device_masks.keep)>
                <span class="nowrap" data-testid="mask-keep">{corners(mask.keep)}</span>
                <small class="block muted">{format!("{w} × {h} px")}</small>
            </td>
            <td class="num" data-label=move || t_string!(i18n, device_masks.removed)>{mask.remove.len()}</td>
            <td data-label=move || t_string!(i18n, device_masks.created)>
                <span class="nowrap">{network_time(mask.created_at)}</span>
                <small class="block muted">{created_by}</small>
                {changed.map(|(at, by)| view! {
                    <small class="block muted">{move || t_string!(i18n, device_masks.changed, at = at.clone(), by = by.clone()).to_string()}</small>
                })}
            </td>
            <td data-label=move || t_string!(i18n, device_masks.uses)>
                <span data-testid="mask-uses">{mask.uses}</span>
                <small class="block muted">
                    {move || match &last_used {
                        Some(at) => t_string!(i18n, device_masks.last_used, at = at.clone()).to_string(),
                        None => t_string!(i18n, device_masks.never_used).to_string(),
                    }}
                </small>
            </td>
            <td data-label=move || t_string!(i18n, device_masks.status)>
                {match retired_at {
                    None => view! { <span class="badge badge-ok" data-testid="mask-status">{t!(i18n, device_masks.active)}</span> }.into_any(),
                    Some(at) => view! {
                        <span class="badge badge-retired" data-testid="mask-status">{t!(i18n, device_masks.retired)}</span>
                        <small class="block muted">{at}</small>
                    }.into_any(),
                }}
            </td>
            <td>
                <div class="row-actions">
                    {active.then(|| view! {
                        <button type="button" class="btn btn-small" data-testid="mask-edit" aria-expanded=move || editing.get().to_string()
                            on:click=move |_| { confirming.set(false); editing.update(|e| *e = !*e); }>
                            {t!(i18n, device_masks.edit)}
                        </button>
                        <button type="button" class="btn btn-small btn-quiet btn-danger-text" data-testid="mask-retire"
                            on:click=move |_| { editing.set(false); confirming.set(true); }>
                            {t!(i18n, device_masks.retire)}
                        </button>
                    })}
                </div>
            </td>
        </tr>
        {move || (editing.get() || confirming.get() || row_error.get().is_some()).then(|| {
            let form_mask = form_mask.clone();
            view! {
                <tr class="mask-detail">
                    <td colspan="7">
                        {editing.get().then(|| view! {
                            <KeepForm mask=form_mask on_cancel=Callback::new(move |()| editing.set(false)) />
                        })}
                        {confirming.get().then(|| view! {
                            <div class="confirm" role="group" aria-label=move || t_string!(i18n, device_masks.retire)>
                                <p>{t!(i18n, device_masks.retire_question)}</p>
                                <div class="row-actions">
                                    <button type="button" class="btn btn-danger btn-small" data-testid="mask-retire-confirm"
                                        disabled=move || desk.act.pending().get() on:click=retire>
                                        {t!(i18n, device_masks.retire_yes)}
                                    </button>
                                    <button type="button" class="btn btn-small" on:click=move |_| confirming.set(false)>
                                        {t!(i18n, device_masks.cancel)}
                                    </button>
                                </div>
                            </div>
                        })}
                        {move || row_error.get().map(|e| view! {
                            <p class="form-error" role="alert">{error_message(i18n, &e)}</p>
                        })}
                    </td>
                </tr>
            }
        })}
    }
    .into_any()
}

#[component]
fn DeviceMasks() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let masks = resource::new(move || reload.get(), |_| device_masks());
    let desk = MaskDesk {
        act: Action::new(|deed: &MaskDeed| perform(deed.clone())),
        acting_on: RwSignal::new(None),
        failed: RwSignal::new(None),
    };
    provide_context(desk);
    let done = RwSignal::new(None::<MaskOutcome>);
    Effect::new(move |_| match desk.act.value().get() {
        Some(Ok(outcome)) => {
            done.set(Some(outcome));
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => {
            done.set(None);
            desk.failed.set(Some(e));
        }
        None => {}
    });
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, device_masks.title)}</h1>
                <p class="muted">{t!(i18n, device_masks.intro)}</p>
            </header>
            <div role="status">
                {move || done.get().map(|o| view! {
                    <p class="notice notice-ok" data-testid="masks-result">{move || outcome_message(i18n, o)}</p>
                })}
            </div>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || masks.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state" data-testid="masks-empty">{t!(i18n, device_masks.empty)}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table table-stack" data-testid="device-masks">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, device_masks.device)}</th>
                                    <th scope="col">{t!(i18n, device_masks.keep)}</th>
                                    <th scope="col" class="num">{t!(i18n, device_masks.removed)}</th>
                                    <th scope="col">{t!(i18n, device_masks.created)}</th>
                                    <th scope="col">{t!(i18n, device_masks.uses)}</th>
                                    <th scope="col">{t!(i18n, device_masks.status)}</th>
                                    <th scope="col"><span class="sr-only">{t!(i18n, quarantine.actions)}</span></th>
                                </tr></thead>
                                <tbody>{list.into_iter().map(|mask| view! { <MaskRow mask /> }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// `/admin/device-masks` for admins.
#[component]
pub fn DeviceMasksPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.device_masks).to_string() />
        <Guarded roles=&[Role::Admin] children=|_| view! { <DeviceMasks /> }.into_any() />
    }
}
