//! `/quarantine`: files held because nothing says where their live image is (no Sequence of
//! Ultrasound Regions, no device mask). An expert checks SonoHub's proposed image area on the
//! clip, corrects it, and releases the file with it, saves it as the mask of the file's device
//! (releasing every held file of that device), or discards the file.
use super::guard::Guarded;
use super::people::network_time;
use super::studies::item_label;
use super::study::cover;
use crate::api::quarantine::{discard_held, held_files, release_held, save_device_mask};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::{
    Annotation, AppError, AreaProposal, Device, HeldDevice, HeldFile, ImportKind, MaskRect,
    NoAreaReason, Point, Role, Shape,
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The image area's outline: amber, apart from the viewer's yellow drawings and blue
/// measurements.
const AREA_COLOR: &str = "#ffb300";

/// The area as the viewer draws it: a rectangle through its corner pixels, on every frame
/// (`cover` reads exactly `rect` back from it).
fn area_annotation(rect: MaskRect, frames: u32) -> Annotation {
    let (x0, y0) = (f64::from(rect.x0), f64::from(rect.y0));
    let (x1, y1) = (f64::from(rect.x1), f64::from(rect.y1));
    Annotation {
        shape: Shape::Polygon {
            points: vec![
                Point { x: x0, y: y0 },
                Point { x: x1, y: y0 },
                Point { x: x1, y: y1 },
                Point { x: x0, y: y1 },
            ],
        },
        first_frame: 0,
        last_frame: frames.saturating_sub(1),
        color: Some(AREA_COLOR.to_string()),
    }
}

/// The image area marked on the clip: the rectangle around the last ellipse or polygon drawn
/// (arrows and text point at things, they cover nothing).
fn drawn_area(list: &[Annotation], columns: u32, rows: u32) -> Option<MaskRect> {
    list.iter().rev().find_map(|a| cover(a, columns, rows))
}

/// One edge of the area, as typed in its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Left,
    Top,
    Right,
    Bottom,
}

impl Edge {
    fn of(self, r: MaskRect) -> u32 {
        match self {
            Edge::Left => r.x0,
            Edge::Top => r.y0,
            Edge::Right => r.x1,
            Edge::Bottom => r.y1,
        }
    }
}

/// `rect` with one edge moved to `value` (kept inside a `columns` × `rows` image), pushing the
/// opposite edge along so the rectangle never turns inside out.
fn move_edge(rect: MaskRect, edge: Edge, value: u32, columns: u32, rows: u32) -> MaskRect {
    let (max_x, max_y) = (columns.saturating_sub(1), rows.saturating_sub(1));
    let mut r = rect;
    match edge {
        Edge::Left => {
            r.x0 = value.min(max_x);
            r.x1 = r.x1.max(r.x0);
        }
        Edge::Top => {
            r.y0 = value.min(max_y);
            r.y1 = r.y1.max(r.y0);
        }
        Edge::Right => {
            r.x1 = value.min(max_x);
            r.x0 = r.x0.min(r.x1);
        }
        Edge::Bottom => {
            r.y1 = value.min(max_y);
            r.y0 = r.y0.min(r.y1);
        }
    }
    r
}

/// The whole image, where typing starts when nothing is marked yet.
fn whole_image(columns: u32, rows: u32) -> MaskRect {
    MaskRect {
        x0: 0,
        y0: 0,
        x1: columns.saturating_sub(1),
        y1: rows.saturating_sub(1),
    }
}

/// Width and height of `rect` in pixels, edges included.
pub(crate) fn rect_size(r: MaskRect) -> (u32, u32) {
    (r.x1.saturating_sub(r.x0) + 1, r.y1.saturating_sub(r.y0) + 1)
}

/// The share of a `columns` × `rows` image inside `rect`, in per cent.
fn share_percent(rect: MaskRect, columns: u32, rows: u32) -> f64 {
    let image = u64::from(columns) * u64::from(rows);
    if image == 0 {
        return 0.0;
    }
    rect.area() as f64 * 100.0 / image as f64
}

/// A device by its header's manufacturer and model ("unnamed device" when it gives neither).
pub(crate) fn device_label(i18n: I18nContext<Locale>, d: &Device) -> String {
    let name = format!("{} {}", d.manufacturer.trim(), d.model.trim());
    match name.trim() {
        "" => t_string!(i18n, quarantine.unnamed_device).to_string(),
        name => name.to_string(),
    }
}

fn kind_label(i18n: I18nContext<Locale>, kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Upload => t_string!(i18n, quarantine.from_upload),
        ImportKind::Archive => t_string!(i18n, quarantine.from_archive),
        ImportKind::Cstore => t_string!(i18n, quarantine.from_cstore),
    }
}

fn no_area_reason(i18n: I18nContext<Locale>, reason: NoAreaReason) -> &'static str {
    match reason {
        NoAreaReason::SingleFrame => t_string!(i18n, quarantine.reason_single_frame),
        NoAreaReason::Static => t_string!(i18n, quarantine.reason_static),
        NoAreaReason::NoCoherentArea => t_string!(i18n, quarantine.reason_no_coherent_area),
        NoAreaReason::EverythingMoves => t_string!(i18n, quarantine.reason_everything_moves),
        NoAreaReason::Undecodable => t_string!(i18n, quarantine.reason_undecodable),
    }
}

/// What an expert does with a held file.
#[derive(Debug, Clone)]
enum Deed {
    Release { id: String, area: MaskRect },
    SaveMask { id: String, area: MaskRect },
    Discard { id: String },
}

/// What came of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Released,
    /// The device mask was saved; this many held files were released.
    MaskSaved(u64),
    Discarded,
}

async fn perform(deed: Deed) -> Result<Outcome, AppError> {
    match deed {
        Deed::Release { id, area } => release_held(id, area).await.map(|()| Outcome::Released),
        Deed::SaveMask { id, area } => save_device_mask(id, area).await.map(Outcome::MaskSaved),
        Deed::Discard { id } => discard_held(id).await.map(|()| Outcome::Discarded),
    }
}

fn outcome_message(i18n: I18nContext<Locale>, outcome: Outcome) -> String {
    match outcome {
        Outcome::Released => t_string!(i18n, quarantine.done_released).to_string(),
        Outcome::MaskSaved(n) => t_string!(i18n, quarantine.done_mask, n = n).to_string(),
        Outcome::Discarded => t_string!(i18n, quarantine.done_discarded).to_string(),
    }
}

/// The page's shared handles: the one action, the open file, and why the last deed failed.
#[derive(Clone, Copy)]
struct Desk {
    act: Action<Deed, Result<Outcome, AppError>>,
    selected: RwSignal<Option<String>>,
    failed: RwSignal<Option<AppError>>,
    done: RwSignal<Option<Outcome>>,
}

impl Desk {
    fn open(self, id: String) {
        self.done.set(None);
        self.failed.set(None);
        self.selected.set(Some(id));
    }

    fn dispatch(self, deed: Deed) {
        self.failed.set(None);
        self.act.dispatch(deed);
    }
}

/// One device's held files.
#[component]
fn DeviceGroup(group: HeldDevice) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let name = device_label(i18n, &group.device);
    let device_attr = name.clone();
    let size = format!("{} × {}", group.device.columns, group.device.rows);
    let count = group.files.len();
    // Right after a mask is saved its files are still listed, released: that is no news.
    let mask_missed = group.mask.is_some() && group.files.iter().any(|f| !f.released);
    let row = move |f: HeldFile| {
        let id = f.id.clone();
        let open = {
            let id = id.clone();
            Signal::derive(move || desk.selected.get().as_deref() == Some(id.as_str()))
        };
        let kind = f.job_kind;
        view! {
            <tr data-held=f.id.clone() data-released=f.released.to_string() class:selected=open>
                <td class="item-name">{item_label(i18n, &f.label)}</td>
                <td data-label=move || t_string!(i18n, quarantine.from)>{move || kind_label(i18n, kind)}</td>
                <td class="nowrap" data-label=move || t_string!(i18n, quarantine.held_since)>{network_time(f.held_at)}</td>
                <td class="num" data-label=move || t_string!(i18n, studies.frames)>{f.frames}</td>
                <td data-label=move || t_string!(i18n, studies.status)>
                    {if f.released {
                        view! { <span class="form-ok">{t!(i18n, quarantine.released_queued)}</span> }.into_any()
                    } else {
                        view! { <span class="status-warn">{t!(i18n, quarantine.held)}</span> }.into_any()
                    }}
                </td>
                <td>
                    <div class="row-actions">
                        {(!f.released).then(|| view! {
                            <button type="button" class="btn btn-small" class:btn-primary=open data-testid="held-open"
                                on:click=move |_| desk.open(id.clone())>
                                {t!(i18n, quarantine.mark_area)}
                            </button>
                        })}
                    </div>
                </td>
            </tr>
        }
    };
    view! {
        <section class="panel held-device" data-testid="held-device" data-device=device_attr>
            <h2>{name}</h2>
            <p class="muted" data-testid="held-count">
                {move || t_string!(i18n, quarantine.device_facts, size = size.clone(), n = count).to_string()}
            </p>
            {mask_missed.then(|| view! { <p class="hint">{t!(i18n, quarantine.mask_exists)}</p> })}
            <div class="table-wrap" tabindex="0">
                <table class="table table-stack">
                    <thead><tr>
                        <th scope="col">{t!(i18n, quarantine.file)}</th>
                        <th scope="col">{t!(i18n, quarantine.from)}</th>
                        <th scope="col">{t!(i18n, quarantine.held_since)}</th>
                        <th scope="col" class="num">{t!(i18n, studies.frames)}</th>
                        <th scope="col">{t!(i18n, studies.status)}</th>
                        <th scope="col"><span class="sr-only">{t!(i18n, quarantine.actions)}</span></th>
                    </tr></thead>
                    <tbody>{group.files.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        </section>
    }
}

/// What SonoHub proposes for the file, or why it proposes nothing.
#[component]
fn ProposalNote(proposal: Result<AreaProposal, NoAreaReason>) -> impl IntoView {
    let i18n = use_i18n();
    match proposal {
        Ok(p) => {
            let confidence = format!("{:.0}", p.confidence.clamp(0.0, 1.0) * 100.0);
            let shape = move || {
                if p.sector {
                    t_string!(i18n, quarantine.shape_sector)
                } else {
                    t_string!(i18n, quarantine.shape_rectangle)
                }
            };
            view! {
                <div class="proposal" data-testid="proposal" data-proposed="true">
                    <p>{move || t_string!(i18n, quarantine.proposed, shape = shape(), confidence = confidence.clone()).to_string()}</p>
                    <p class="hint">{t!(i18n, quarantine.proposed_check)}</p>
                </div>
            }
            .into_any()
        }
        Err(reason) => view! {
            <div class="proposal proposal-none" data-testid="proposal" data-proposed="false">
                <p class="status-warn">{move || t_string!(i18n, quarantine.no_proposal, reason = no_area_reason(i18n, reason)).to_string()}</p>
                <p class="hint">{t!(i18n, quarantine.draw_it)}</p>
            </div>
        }
        .into_any(),
    }
}

/// The open file: its clip with the area drawn on it, the area's edges, and what to do.
#[component]
fn Workspace(
    file: HeldFile,
    released: Signal<bool>,
    device_waiting: Signal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let (columns, rows) = (file.device.columns, file.device.rows);
    let frames = file.frames.max(1);
    let drawn = RwSignal::new(
        file.proposal
            .map(|p| vec![area_annotation(p.rect, frames)])
            .unwrap_or_default(),
    );
    let area = Memo::new(move |_| drawn.with(|l| drawn_area(l, columns, rows)));
    // What is kept is a rectangle: a drawn ellipse or free polygon gives way to the rectangle
    // around it, so the clip shows exactly what will be kept.
    Effect::new(move |_| {
        let Some(rect) = area.get() else {
            return;
        };
        let wanted = area_annotation(rect, frames);
        let shown = drawn.with_untracked(|l| {
            l.iter()
                .rev()
                .find(|a| cover(a, columns, rows).is_some())
                .map(|a| a.shape.clone())
        });
        if shown.as_ref() != Some(&wanted.shape) {
            drawn.set(vec![wanted]);
        }
    });
    let url = format!("/held/{}", file.id);
    let source = Signal::derive(move || Some(ClipSource::Url(url.clone())));

    let edge_field = move |edge: Edge, name: &'static str| {
        let max = match edge {
            Edge::Left | Edge::Right => columns.saturating_sub(1),
            Edge::Top | Edge::Bottom => rows.saturating_sub(1),
        };
        let label = move || match edge {
            Edge::Left => t_string!(i18n, quarantine.left),
            Edge::Top => t_string!(i18n, quarantine.top),
            Edge::Right => t_string!(i18n, quarantine.right),
            Edge::Bottom => t_string!(i18n, quarantine.bottom),
        };
        let value = move || {
            area.get()
                .map(|r| edge.of(r).to_string())
                .unwrap_or_default()
        };
        let change = move |ev: leptos::ev::Event| {
            let input = event_target::<web_sys::HtmlInputElement>(&ev);
            match input.value().trim().parse::<u32>() {
                Ok(v) => {
                    let from = area
                        .get_untracked()
                        .unwrap_or_else(|| whole_image(columns, rows));
                    let rect = move_edge(from, edge, v, columns, rows);
                    drawn.set(vec![area_annotation(rect, frames)]);
                    // The field shows the edge as kept (a value past the image is clamped).
                    input.set_value(&edge.of(rect).to_string());
                }
                // Not a pixel position: put back the edge as it is.
                Err(_) => input.set_value(
                    &area
                        .get_untracked()
                        .map(|r| edge.of(r).to_string())
                        .unwrap_or_default(),
                ),
            }
        };
        view! {
            <label class="field">
                <span>{label}" "<code>{name}</code></span>
                <input type="number" name=name min="0" max=max step="1" inputmode="numeric"
                    data-testid=format!("area-{name}") prop:value=value on:change=change />
            </label>
        }
    };
    let size_text = move || match area.get() {
        Some(r) => {
            let (w, h) = rect_size(r);
            let share = format!("{:.0}", share_percent(r, columns, rows));
            t_string!(i18n, quarantine.area_size, w = w, h = h, share = share).to_string()
        }
        None => t_string!(i18n, quarantine.no_area_yet).to_string(),
    };

    let busy = desk.act.pending();
    let ready = move || area.get().is_some() && !busy.get() && !released.get();
    let id = StoredValue::new(file.id.clone());
    let release = move |_| {
        if let Some(area) = area.get_untracked() {
            desk.dispatch(Deed::Release {
                id: id.get_value(),
                area,
            });
        }
    };
    let save_mask = move |_| {
        if let Some(area) = area.get_untracked() {
            desk.dispatch(Deed::SaveMask {
                id: id.get_value(),
                area,
            });
        }
    };
    let confirming = RwSignal::new(false);
    let discard = move |_| {
        confirming.set(false);
        desk.dispatch(Deed::Discard { id: id.get_value() });
    };
    // The server refuses a mask for a file that names no device: it would fit every such file.
    let named = !(file.device.manufacturer.is_empty() && file.device.model.is_empty());
    let device = format!("{} {}×{}", device_label(i18n, &file.device), columns, rows);
    let label = item_label(i18n, &file.label);
    let heading = NodeRef::<leptos::html::H2>::new();
    // Opening a file moves the focus (and the page) to it.
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    view! {
        <section class="held-work" data-testid="held-workspace" data-held=file.id.clone()>
            <div class="held-work-head">
                <h2 tabindex="-1" node_ref=heading>
                    {t!(i18n, quarantine.work_title)}" "<span class="item-name">{label}</span>
                </h2>
                <button type="button" class="btn btn-small btn-quiet" on:click=move |_| desk.selected.set(None)>
                    {t!(i18n, quarantine.close)}
                </button>
            </div>
            <div class="held-layout">
                <CineViewer source editable=drawn />
                <div class="panel held-panel">
                    <dl class="facts">
                        <dt>{t!(i18n, quarantine.device)}</dt><dd>{device.clone()}</dd>
                        <dt>{t!(i18n, studies.frames)}</dt><dd>{file.frames}</dd>
                        <dt>{t!(i18n, quarantine.modality)}</dt><dd>{file.modality.clone()}" · "{file.photometric.clone()}</dd>
                        <dt>{t!(i18n, quarantine.held_since)}</dt><dd>{network_time(file.held_at)}</dd>
                    </dl>
                    <ProposalNote proposal=file.proposal />
                    <fieldset class="area-fields">
                        <legend>{t!(i18n, quarantine.area_legend)}</legend>
                        <div class="area-grid">
                            {edge_field(Edge::Left, "x0")}
                            {edge_field(Edge::Top, "y0")}
                            {edge_field(Edge::Right, "x1")}
                            {edge_field(Edge::Bottom, "y1")}
                        </div>
                        <p class="area-size" data-testid="area-size" aria-live="polite">{size_text}</p>
                        <p class="hint">{t!(i18n, quarantine.area_hint)}</p>
                    </fieldset>
                    <div class="held-actions">
                        <button type="button" class="btn btn-primary" data-testid="release-held"
                            disabled=move || !ready() on:click=release>
                            {t!(i18n, quarantine.release)}
                        </button>
                        <button type="button" class="btn" data-testid="save-device-mask"
                            disabled=move || !ready() || !named on:click=save_mask>
                            {move || t_string!(i18n, quarantine.save_mask, device = device.clone(), n = device_waiting.get()).to_string()}
                        </button>
                        {(!named).then(|| view! { <p class="hint">{t!(i18n, quarantine.unnamed_no_mask)}</p> })}
                        {move || if confirming.get() {
                            view! {
                                <div class="confirm" role="group" aria-labelledby="discard-question">
                                    <p id="discard-question">{t!(i18n, quarantine.discard_question)}</p>
                                    <div class="row-actions">
                                        <button type="button" class="btn btn-danger" data-testid="discard-confirm"
                                            disabled=move || busy.get() on:click=discard>
                                            {t!(i18n, quarantine.discard_yes)}
                                        </button>
                                        <button type="button" class="btn" on:click=move |_| confirming.set(false)>
                                            {t!(i18n, quarantine.discard_no)}
                                        </button>
                                    </div>
                                </div>
                            }.into_any()
                        } else {
                            view! {
                                <button type="button" class="btn btn-quiet btn-danger-text" data-testid="discard-held"
                                    disabled=move || busy.get() || released.get() on:click=move |_| confirming.set(true)>
                                    {t!(i18n, quarantine.discard)}
                                </button>
                            }.into_any()
                        }}
                        <p class="form-status" role="status">
                            {move || busy.get().then(|| t_string!(i18n, quarantine.working))}
                            {move || released.get().then(|| t_string!(i18n, quarantine.released_queued))}
                        </p>
                        {move || desk.failed.get().map(|e| view! {
                            <p class="form-error" role="alert" data-testid="held-error">{error_message(i18n, &e)}</p>
                        })}
                    </div>
                </div>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Quarantine() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let held = resource::new(move || reload.get(), |_| held_files());
    let desk = Desk {
        act: Action::new(|deed: &Deed| perform(deed.clone())),
        selected: RwSignal::new(None),
        failed: RwSignal::new(None),
        done: RwSignal::new(None),
    };
    provide_context(desk);
    Effect::new(move |_| match desk.act.value().get() {
        Some(Ok(outcome)) => {
            desk.done.set(Some(outcome));
            desk.selected.set(None);
            reload.update(|n| *n += 1);
        }
        Some(Err(e)) => desk.failed.set(Some(e)),
        None => {}
    });
    // Released files wait for the importer: look again every two seconds until they are gone.
    Effect::new(move |_| {
        let waiting = held
            .get()
            .and_then(Result::ok)
            .is_some_and(|groups| groups.iter().any(|g| g.files.iter().any(|f| f.released)));
        if waiting {
            set_timeout(
                move || reload.update(|n| *n += 1),
                std::time::Duration::from_secs(2),
            );
        }
    });
    // The newest list, kept while the next one is read, for the open file.
    let latest = RwSignal::new(Vec::<HeldDevice>::new());
    Effect::new(move |_| {
        if let Some(Ok(groups)) = held.get() {
            latest.set(groups);
        }
    });
    let current = Memo::new(move |_| {
        let id = desk.selected.get()?;
        latest.with(|groups| {
            groups
                .iter()
                .find_map(|g| g.files.iter().find(|f| f.id == id).cloned())
        })
    });
    let current_id = Memo::new(move |_| current.with(|f| f.as_ref().map(|f| f.id.clone())));
    let released = Signal::derive(move || current.with(|f| f.as_ref().is_some_and(|f| f.released)));
    // Held files of the open file's device that a device mask would release.
    let device_waiting = Signal::derive(move || {
        let Some(device) = current.with(|f| f.as_ref().map(|f| f.device.clone())) else {
            return 0;
        };
        latest.with(|groups| {
            groups
                .iter()
                .filter(|g| g.device == device)
                .flat_map(|g| &g.files)
                .filter(|f| !f.released)
                .count()
        })
    });
    let result = NodeRef::<leptos::html::Div>::new();
    // A deed done closes the file: the focus goes to what came of it.
    Effect::new(move |_| {
        if desk.done.get().is_some()
            && let Some(el) = result.get_untracked()
        {
            let _ = el.focus();
        }
    });
    view! {
        <section class="page quarantine-page">
            <header class="page-head">
                <h1>{t!(i18n, quarantine.title)}</h1>
                <p>{t!(i18n, quarantine.intro)}</p>
                <p class="muted">{t!(i18n, quarantine.intro_mask)}</p>
            </header>
            <div role="status" tabindex="-1" node_ref=result class="held-result">
                {move || desk.done.get().map(|o| view! {
                    <p class="notice notice-ok" data-testid="quarantine-result">{move || outcome_message(i18n, o)}</p>
                })}
            </div>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || held.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(groups) if groups.is_empty() => view! {
                        <div class="empty-state" data-testid="held-empty">
                            <p>{t!(i18n, quarantine.empty)}</p>
                            <p><a href="/studies">{t!(i18n, quarantine.to_studies)}</a></p>
                        </div>
                    }.into_any(),
                    Ok(groups) => groups.into_iter().map(|group| view! { <DeviceGroup group /> }).collect_view().into_any(),
                })}
            </Transition>
            {move || current_id.get().and_then(|_| current.get_untracked()).map(|file| view! {
                <Workspace file released device_waiting />
            })}
        </section>
    }
    .into_any()
}

/// `/quarantine` for experts.
#[component]
pub fn QuarantinePage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.quarantine).to_string() />
        <Guarded roles=&[Role::Expert] children=|_| view! { <Quarantine /> }.into_any() />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: MaskRect = MaskRect {
        x0: 40,
        y0: 26,
        x1: 280,
        y1: 239,
    };

    #[test]
    fn the_drawn_area_reads_back_exactly_and_the_last_covering_shape_counts() {
        let a = area_annotation(R, 12);
        assert_eq!((a.first_frame, a.last_frame), (0, 11));
        assert_eq!(drawn_area(std::slice::from_ref(&a), 320, 240), Some(R));
        let ellipse = Annotation {
            shape: Shape::Ellipse {
                center: Point { x: 100.0, y: 100.0 },
                rx: 20.5,
                ry: 10.0,
            },
            first_frame: 0,
            last_frame: 11,
            color: None,
        };
        let arrow = Annotation {
            shape: Shape::Arrow {
                tail: Point { x: 1.0, y: 1.0 },
                head: Point { x: 300.0, y: 200.0 },
            },
            ..ellipse.clone()
        };
        let list = vec![a, ellipse, arrow];
        assert_eq!(
            drawn_area(&list, 320, 240),
            Some(MaskRect {
                x0: 79,
                y0: 90,
                x1: 121,
                y1: 110
            })
        );
        assert_eq!(drawn_area(&list[2..], 320, 240), None);
    }

    #[test]
    fn a_typed_edge_stays_in_the_image_and_pushes_the_opposite_edge() {
        assert_eq!(move_edge(R, Edge::Left, 10, 320, 240).x0, 10);
        let past = move_edge(R, Edge::Right, 999, 320, 240);
        assert_eq!((past.x0, past.x1), (40, 319));
        let pushed = move_edge(R, Edge::Top, 239, 320, 240);
        assert_eq!((pushed.y0, pushed.y1), (239, 239));
        let pulled = move_edge(R, Edge::Right, 5, 320, 240);
        assert_eq!((pulled.x0, pulled.x1), (5, 5));
        assert!(move_edge(R, Edge::Bottom, 0, 320, 240).fits(320, 240));
    }

    #[test]
    fn the_share_is_of_the_whole_image() {
        assert_eq!(share_percent(whole_image(320, 240), 320, 240), 100.0);
        assert_eq!(rect_size(R), (241, 214));
        let half = MaskRect {
            x0: 0,
            y0: 0,
            x1: 159,
            y1: 239,
        };
        assert_eq!(share_percent(half, 320, 240), 50.0);
        assert_eq!(share_percent(half, 0, 0), 0.0);
    }
}
