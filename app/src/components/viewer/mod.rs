//! The cine viewer: streams a DICOM clip, shows its first frame as soon as it is decoded,
//! decodes ahead within a memory budget in small slices between frames, and plays at the
//! clip's own rate. Controls: play/pause, step, first/last, scrub, speed, loop/bounce, zoom,
//! pan, fit, fullscreen, PNG export, keyboard and touch; calibrated distance and area; an
//! annotation layer.
mod annotate;
mod fetch;
pub mod playback;
mod render;

pub use fetch::read_file;

use crate::cine::{ClipInfo, ImagePoint, MeasureError};
use crate::components::viewer::playback::{LoopMode, SPEEDS, Schedule, clock};
use crate::i18n::*;
use crate::model::{Annotation, Point, Shape};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use render::ViewerError;
use std::sync::Arc;

/// Where the clip comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ClipSource {
    /// Fetched (and streamed) from this address.
    Url(String),
    /// A file the user opened; it never leaves the browser.
    Local { name: String, bytes: Arc<Vec<u8>> },
}

/// What the pointer does on the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Pan,
    Distance,
    Area,
    Arrow,
    Ellipse,
    Polygon,
    Text,
    /// A click answers a question: the page gets the image point and the frame on screen.
    Pick,
}

impl Tool {
    fn draws(self) -> bool {
        matches!(
            self,
            Tool::Arrow | Tool::Ellipse | Tool::Polygon | Tool::Text
        )
    }
}

/// Which decoder fills the frame cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decoder {
    /// `crate::cine` in wasm.
    #[default]
    Wasm,
    /// The browser's JPEG decoder (`createImageBitmap`).
    Browser,
    /// The browser's video decoder (WebCodecs), for H.264 clips.
    Video,
    /// None: native (uncompressed) pixel data, converted in wasm as each frame is drawn.
    Native,
}

/// How long the clip took to show, from its last byte (milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timing {
    pub first_frame_ms: Option<f64>,
    pub all_decoded_ms: Option<f64>,
}

/// Loading state shown over the image.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadState {
    Idle,
    Loading { received: u64, total: Option<u64> },
    Ready,
    Failed(ViewerError),
}

/// Lets a page follow what the viewer shows (recording a replay, the guiding side of a live
/// session) or drive it (replay playback, the guided side).
#[derive(Clone, Copy)]
pub struct ViewerLink {
    /// What is on screen after every change a person made (play, pause, seek, step, speed,
    /// loop, zoom, pan); written by the viewer, never while it applies `drive`.
    pub shown: RwSignal<crate::model::replay::View>,
    /// The pointer over the image in image pixels; `None` when it is elsewhere.
    pub pointer: RwSignal<Option<Point>>,
    /// A view to show, set by the page; applied when it changes and when the clip is ready.
    pub drive: RwSignal<Option<crate::model::replay::ViewAt>>,
    /// The page runs the transport: the viewer's play, step and scrub controls are disabled.
    pub locked: Signal<bool>,
    /// Written by the viewer: the clip is loaded and its first frame is on screen.
    pub ready: RwSignal<bool>,
    applying: StoredValue<bool>,
}

impl ViewerLink {
    pub fn new(locked: Signal<bool>) -> ViewerLink {
        ViewerLink {
            shown: RwSignal::new(Default::default()),
            pointer: RwSignal::new(None),
            drive: RwSignal::new(None),
            locked,
            ready: RwSignal::new(false),
            applying: StoredValue::new(false),
        }
    }
}

/// Everything the controls read and write; all `Copy` handles.
#[derive(Clone, Copy)]
pub(crate) struct ViewerState {
    pub load: RwSignal<LoadState>,
    pub info: RwSignal<Option<ClipInfo>>,
    pub frame: RwSignal<u32>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub mode: RwSignal<LoopMode>,
    pub decoded: RwSignal<u32>,
    pub dropped: RwSignal<u32>,
    pub zoom: RwSignal<f64>,
    pub pan: RwSignal<(f64, f64)>,
    pub tool: RwSignal<Tool>,
    pub points: RwSignal<Vec<ImagePoint>>,
    pub timing: RwSignal<Timing>,
    pub decoder: RwSignal<Decoder>,
    /// The annotations the drawing tools add to, when the viewer may edit them.
    pub editable: Option<RwSignal<Vec<Annotation>>>,
    /// Counts text annotations placed (their label field takes the focus).
    pub text_added: RwSignal<u32>,
    /// Where a click in the pick tool goes (image point, frame on screen).
    pub on_pick: Option<Callback<(Point, u32)>>,
    /// The page following or driving this viewer.
    pub link: Option<ViewerLink>,
    /// Key of this viewer's player in the page's player table.
    pub id: u64,
    pub generation: StoredValue<u64>,
    pub canvas: NodeRef<leptos::html::Canvas>,
}

fn translate_error(i18n: I18nContext<Locale>, err: &ViewerError) -> String {
    use crate::cine::CineError as C;
    match err {
        ViewerError::Fetch(detail) => {
            t_string!(i18n, viewer.err_fetch, detail = detail.clone()).to_string()
        }
        ViewerError::Cine(e) => match e {
            C::NotDicom => t_string!(i18n, viewer.err_not_dicom).to_string(),
            C::Truncated { .. } => t_string!(i18n, viewer.err_truncated).to_string(),
            C::NoPixelData => t_string!(i18n, viewer.err_no_pixels).to_string(),
            C::UnsupportedTransferSyntax { name, uid } => {
                t_string!(i18n, viewer.err_syntax, name = format!("{name} ({uid})")).to_string()
            }
            C::UnsupportedPhotometric { photometric } => {
                t_string!(i18n, viewer.err_photometric, name = photometric.clone()).to_string()
            }
            other => t_string!(i18n, viewer.err_decode, detail = other.to_string()).to_string(),
        },
    }
}

fn measure_error(i18n: I18nContext<Locale>, err: &MeasureError) -> String {
    match err {
        MeasureError::NotCalibrated { .. } => t_string!(i18n, viewer.uncalibrated),
        MeasureError::DifferentRegions => t_string!(i18n, viewer.across_regions),
        MeasureError::TooFewPoints { .. } => t_string!(i18n, viewer.more_points),
        MeasureError::NotFinite { .. } => t_string!(i18n, viewer.uncalibrated),
    }
    .to_string()
}

/// The measurement for the points placed so far, as text.
fn measurement_text(i18n: I18nContext<Locale>, st: ViewerState) -> Option<String> {
    let points = st.points.get();
    let info = st.info.get()?;
    let tool = st.tool.get();
    let result = match (tool, points.len()) {
        (Tool::Distance, 2) => {
            crate::cine::distance_mm(&info.regions, points[0], points[1]).map(|mm| {
                let value = if mm >= 10.0 {
                    format!("{:.2} cm", mm / 10.0)
                } else {
                    format!("{mm:.1} mm")
                };
                t_string!(i18n, viewer.distance_is, value = value).to_string()
            })
        }
        (Tool::Area, n) if n >= 3 => {
            crate::cine::polygon_area_mm2(&info.regions, &points).map(|mm2| {
                let value = if mm2 >= 100.0 {
                    format!("{:.2} cm²", mm2 / 100.0)
                } else {
                    format!("{mm2:.1} mm²")
                };
                t_string!(i18n, viewer.area_is, value = value).to_string()
            })
        }
        (Tool::Distance | Tool::Area, n) if n > 0 => {
            // Check the points placed so far, so the user learns at once when a spot
            // cannot be measured.
            match crate::cine::measure::calibrated_region_at(&info.regions, points[n - 1]) {
                None => Err(MeasureError::NotCalibrated { index: n - 1 }),
                Some(_) => return Some(t_string!(i18n, viewer.more_points).to_string()),
            }
        }
        _ => return None,
    };
    Some(result.unwrap_or_else(|e| measure_error(i18n, &e)))
}

/// An annotation as SVG in image pixels (the replay player's own stage draws them too).
pub(crate) fn annotation_view(a: &Annotation) -> AnyView {
    let color = a.color.clone().unwrap_or_else(|| "#ffd54f".to_string());
    match &a.shape {
        Shape::Arrow { tail, head } => {
            let (dx, dy) = (head.x - tail.x, head.y - tail.y);
            let len = dx.hypot(dy).max(1.0);
            let (ux, uy) = (dx / len, dy / len);
            let size = (len * 0.25).clamp(6.0, 18.0);
            let left = (
                head.x - ux * size - uy * size * 0.5,
                head.y - uy * size + ux * size * 0.5,
            );
            let right = (
                head.x - ux * size + uy * size * 0.5,
                head.y - uy * size - ux * size * 0.5,
            );
            let tip = format!(
                "{},{} {},{} {},{}",
                head.x, head.y, left.0, left.1, right.0, right.1
            );
            view! {
                <g class="ann ann-arrow">
                    <line x1=tail.x y1=tail.y x2=head.x y2=head.y stroke=color.clone() />
                    <polygon points=tip fill=color />
                </g>
            }
            .into_any()
        }
        Shape::Ellipse { center, rx, ry } => view! {
            <ellipse class="ann" cx=center.x cy=center.y rx=*rx ry=*ry stroke=color fill="none" />
        }
        .into_any(),
        Shape::Polygon { points } => {
            let pts = points
                .iter()
                .map(|p| format!("{},{}", p.x, p.y))
                .collect::<Vec<_>>()
                .join(" ");
            view! { <polygon class="ann" points=pts stroke=color fill="none" /> }.into_any()
        }
        Shape::Text { at, text } => view! {
            <text class="ann-text" x=at.x y=at.y fill=color>{text.clone()}</text>
        }
        .into_any(),
    }
}

/// A small control icon (inline SVG, so it renders with any font).
#[component]
fn Icon(name: &'static str) -> impl IntoView {
    let path = match name {
        "first" => "M6 5h2v14H6zM20 5v14L9 12z",
        "previous" => "M18 5v14L7 12z",
        "next" => "M6 5v14l11-7z",
        "last" => "M16 5h2v14h-2zM4 5v14l11-7z",
        "pause" => "M6 5h4v14H6zM14 5h4v14h-4z",
        "play" => "M7 4v16l13-8z",
        _ => "M4 4h6v2H6v4H4zM14 4h6v6h-2V6h-4zM4 14h2v4h4v2H4zM18 14h2v6h-6v-2h4z",
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path d=path fill="currentColor" />
        </svg>
    }
}

/// The viewer. `annotations` are drawn on the frames they cover; with `editable` as well, the
/// drawing tools (arrow, ellipse, polygon, text) add to that list, shown over `annotations`,
/// and a list below edits each of its annotations' frame range and label, ready for the owner
/// to save.
#[component]
pub fn CineViewer(
    #[prop(into)] source: Signal<Option<ClipSource>>,
    #[prop(into, optional)] annotations: Signal<Vec<Annotation>>,
    #[prop(optional)] editable: Option<RwSignal<Vec<Annotation>>>,
    /// A frame another part of the page asks for (0-based); applied once the clip is ready,
    /// then cleared.
    #[prop(optional)]
    jump_to: Option<RwSignal<Option<u32>>>,
    /// Mirrors the frame on screen, for pages that point at it (e.g. a comment's reference).
    #[prop(optional)]
    current_frame: Option<RwSignal<u32>>,
    /// With this, the viewer opens in the pick tool: a click (playing or paused) reports the
    /// image point and the frame on screen (a hotspot question's answer).
    #[prop(optional)]
    on_pick: Option<Callback<(Point, u32)>>,
    /// Mirrors the last calibrated distance measured, in millimetres (a measurement
    /// question's answer).
    #[prop(optional)]
    measured_mm: Option<RwSignal<Option<f64>>>,
    /// More SVG drawn over the image in image pixels (e.g. where learners clicked).
    #[prop(optional)]
    overlay: Option<ViewFn>,
    /// A page recording what the viewer shows, or driving it.
    #[prop(optional)]
    link: Option<ViewerLink>,
) -> impl IntoView {
    let i18n = use_i18n();
    let st = ViewerState {
        load: RwSignal::new(LoadState::Idle),
        info: RwSignal::new(None),
        frame: RwSignal::new(0),
        playing: RwSignal::new(false),
        speed: RwSignal::new(1.0),
        mode: RwSignal::new(LoopMode::Loop),
        decoded: RwSignal::new(0),
        dropped: RwSignal::new(0),
        zoom: RwSignal::new(1.0),
        pan: RwSignal::new((0.0, 0.0)),
        tool: RwSignal::new(if on_pick.is_some() {
            Tool::Pick
        } else {
            Tool::Pan
        }),
        points: RwSignal::new(Vec::new()),
        timing: RwSignal::new(Timing::default()),
        decoder: RwSignal::new(Decoder::Wasm),
        editable,
        text_added: RwSignal::new(0),
        on_pick,
        link,
        id: render::new_viewer_id(),
        generation: StoredValue::new(0),
        canvas: NodeRef::new(),
    };
    let root = NodeRef::<leptos::html::Div>::new();
    // With `editable`, the drawings being edited show over `annotations`, which stay read-only
    // (a live session: one's own drawings to edit, the other side's to see).
    let others = annotations;
    let annotations: Signal<Vec<Annotation>> = match editable {
        Some(list) => Signal::derive(move || {
            let mut all = others.get();
            all.extend(list.get());
            all
        }),
        None => others,
    };

    on_cleanup(move || render::drop_player(st.id));
    // The clip the player was last asked to load, so a frame request made while switching
    // clips waits for the new one instead of landing on the old.
    let shown = StoredValue::new(None::<ClipSource>);
    // Loading runs in the browser only: effects never run on the server.
    Effect::new(move |_| {
        if let Some(src) = source.get() {
            shown.set_value(Some(src.clone()));
            render::load(st, src);
        }
    });

    if let Some(out) = current_frame {
        Effect::new(move |_| out.set(st.frame.get()));
    }
    if let Some(out) = measured_mm {
        Effect::new(move |_| {
            let points = st.points.get();
            if st.tool.get() == Tool::Distance && points.len() == 2 {
                let mm = st.info.with(|i| {
                    i.as_ref().and_then(|i| {
                        crate::cine::distance_mm(&i.regions, points[0], points[1]).ok()
                    })
                });
                out.set(mm);
            }
        });
    }
    if let Some(request) = jump_to {
        Effect::new(move |_| {
            // Once the first frame is on screen: the loader draws frame 0 first, which would
            // otherwise cover a jump made the moment the clip was ready.
            if let Some(n) = request.get()
                && st.load.with(|l| *l == LoadState::Ready)
                && st.timing.with(|t| t.first_frame_ms.is_some())
                && shown.with_value(|s| *s == source.get())
            {
                render::seek(st, n);
                request.set(None);
            }
        });
    }

    if let Some(link) = link {
        Effect::new(move |_| {
            let ready = st.load.with(|l| *l == LoadState::Ready)
                && st.timing.with(|t| t.first_frame_ms.is_some());
            if link.ready.get_untracked() != ready {
                link.ready.set(ready);
            }
        });
        Effect::new(move |_| {
            let at = link.drive.get();
            let ready = st.load.with(|l| *l == LoadState::Ready)
                && st.timing.with(|t| t.first_frame_ms.is_some());
            if let (Some(at), true) = (at, ready) {
                render::apply_link(st, at);
            }
        });
    }
    let locked = move || link.is_some_and(|l| l.locked.get());

    let frames = move || st.info.with(|i| i.as_ref().map_or(1, |i| i.frames.max(1)));
    let schedule = Memo::new(move |_| {
        st.info.with(|i| {
            i.as_ref().map(|i| {
                Schedule::new(i.frames, i.frame_time_ms, i.frame_time_vector_ms.as_deref())
            })
        })
    });
    let time_text = move || {
        schedule.with(|s| match s {
            Some(s) => format!(
                "{} / {}",
                clock(s.start_of(st.frame.get())),
                clock(s.duration_ms())
            ),
            None => "0:00.0 / 0:00.0".to_string(),
        })
    };
    let fps_text = move || {
        st.info.with(|i| {
            i.as_ref()
                .map(|i| format!("{:.1} fps", 1000.0 / i.frame_time_ms.max(0.001)))
        })
    };
    let dims = move || {
        st.info
            .with(|i| i.as_ref().map_or((1, 1), |i| (i.columns, i.rows)))
    };
    let ready = move || st.load.with(|l| *l == LoadState::Ready);

    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        // Keys typed into a field (an annotation label, a frame number) belong to the field.
        let in_field = ev.target().is_some_and(|t| {
            use wasm_bindgen::JsCast;
            t.dyn_ref::<web_sys::HtmlInputElement>().is_some()
                || t.dyn_ref::<web_sys::HtmlSelectElement>().is_some()
                || t.dyn_ref::<web_sys::HtmlTextAreaElement>().is_some()
        });
        if in_field {
            return;
        }
        let transport = matches!(
            ev.key().as_str(),
            " " | "k" | "ArrowRight" | "ArrowLeft" | "Home" | "End"
        );
        if transport && locked() {
            return;
        }
        let handled = match ev.key().as_str() {
            " " | "k" => {
                render::toggle_play(st);
                true
            }
            "ArrowRight" => {
                render::step(st, 1);
                true
            }
            "ArrowLeft" => {
                render::step(st, -1);
                true
            }
            "Home" => {
                render::seek(st, 0);
                true
            }
            "End" => {
                render::seek(st, frames() - 1);
                true
            }
            "+" | "=" => {
                render::zoom_by(st, 1.25);
                true
            }
            "-" => {
                render::zoom_by(st, 1.0 / 1.25);
                true
            }
            "0" => {
                render::fit(st);
                true
            }
            "Escape" => {
                st.points.set(Vec::new());
                true
            }
            "Enter" if st.tool.get_untracked() == Tool::Polygon => {
                render::finish_polygon(st);
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };

    let transform = move || {
        let (x, y) = st.pan.get();
        format!(
            "transform: translate({x}px, {y}px) scale({})",
            st.zoom.get()
        )
    };
    let overlay_points = move || {
        let pts = st.points.get();
        let line = pts
            .iter()
            .map(|p| format!("{},{}", p.x, p.y))
            .collect::<Vec<_>>()
            .join(" ");
        let tool = st.tool.get();
        let closed = matches!(tool, Tool::Area | Tool::Polygon) && pts.len() >= 3;
        // An arrow or ellipse being dragged out: shown as it will be drawn.
        if let (Tool::Arrow | Tool::Ellipse, [from, to]) = (tool, pts.as_slice()) {
            let shape = if tool == Tool::Arrow {
                Shape::Arrow {
                    tail: Point {
                        x: from.x,
                        y: from.y,
                    },
                    head: Point { x: to.x, y: to.y },
                }
            } else {
                Shape::Ellipse {
                    center: Point {
                        x: from.x,
                        y: from.y,
                    },
                    rx: (to.x - from.x).abs(),
                    ry: (to.y - from.y).abs(),
                }
            };
            let draft = Annotation {
                shape,
                first_frame: 0,
                last_frame: 0,
                color: None,
            };
            return annotation_view(&draft);
        }
        view! {
            {if closed {
                view! { <polygon class="measure" points=line /> }.into_any()
            } else {
                view! { <polyline class="measure" points=line /> }.into_any()
            }}
            {pts
                .iter()
                .map(|p| view! { <circle class="measure-point" cx=p.x cy=p.y r="3" /> })
                .collect_view()}
        }
        .into_any()
    };
    let visible_annotations = move || {
        let f = st.frame.get();
        annotations
            .get()
            .iter()
            .filter(|a| a.visible_on(f))
            .map(annotation_view)
            .collect_view()
    };

    let tool_button = move |tool: Tool, label: fn(I18nContext<Locale>) -> &'static str| {
        view! {
            <button
                type="button"
                class="vbtn"
                class:active=move || st.tool.get() == tool
                aria-pressed=move || (st.tool.get() == tool).to_string()
                on:click=move |_| {
                    st.tool.set(tool);
                    st.points.set(Vec::new());
                }
            >
                {move || label(i18n)}
            </button>
        }
    };

    view! {
        <div
            class="viewer"
            node_ref=root
            tabindex="0"
            role="region"
            aria-label=move || t_string!(i18n, viewer.label)
            aria-keyshortcuts="Space K ArrowLeft ArrowRight Home End + - 0 Escape Enter"
            on:keydown=on_key
            data-frame=move || st.frame.get()
            data-frames=frames
            data-decoded=move || st.decoded.get()
            data-dropped=move || st.dropped.get()
            data-playing=move || st.playing.get().to_string()
            data-ready=move || ready().to_string()
            data-decoder=move || match st.decoder.get() { Decoder::Wasm => "wasm", Decoder::Browser => "browser", Decoder::Video => "video", Decoder::Native => "native" }
            data-first-frame-ms=move || st.timing.get().first_frame_ms.map(|ms| format!("{ms:.1}"))
            data-decoded-ms=move || st.timing.get().all_decoded_ms.map(|ms| format!("{ms:.1}"))
        >
            <div
                class="viewer-stage"
                class:measuring=move || st.tool.get() != Tool::Pan
                class:drawing=move || st.tool.get().draws()
                on:pointerdown=move |ev| render::pointer_down(st, ev)
                on:pointermove=move |ev| render::pointer_move(st, ev)
                on:pointerup=move |ev| render::pointer_up(st, ev)
                on:pointercancel=move |ev| render::pointer_cancel(st, ev)
                on:pointerleave=move |_| render::pointer_leave(st)
                on:dblclick=move |_| render::finish_polygon(st)
                on:wheel=move |ev| render::wheel(st, ev)
            >
                <div class="viewer-layer" style=transform>
                    <canvas
                        node_ref=st.canvas
                        width=move || dims().0
                        height=move || dims().1
                        aria-label=move || t_string!(i18n, viewer.image)
                    ></canvas>
                    <svg
                        class="viewer-overlay"
                        viewBox=move || format!("0 0 {} {}", dims().0, dims().1)
                        preserveAspectRatio="none"
                        aria-hidden="true"
                    >
                        {visible_annotations}
                        {overlay_points}
                        {overlay.map(|o| o.run())}
                    </svg>
                </div>
                {move || match st.load.get() {
                    LoadState::Idle => view! {
                        <p class="viewer-message">{t!(i18n, viewer.no_clip)}</p>
                    }.into_any(),
                    LoadState::Loading { received, total } => {
                        let pct = total.filter(|t| *t > 0).map(|t| (received as f64 / t as f64 * 100.0).min(100.0));
                        view! {
                            <div class="viewer-message" role="status">
                                <p>{t!(i18n, viewer.loading)}</p>
                                <progress max="100" value=pct.map(|p| p.to_string())></progress>
                                <p class="small">{format!("{:.1} MB", received as f64 / 1_048_576.0)}</p>
                            </div>
                        }.into_any()
                    }
                    LoadState::Failed(err) => view! {
                        <div class="viewer-message viewer-error" role="alert" data-testid="viewer-error">
                            {translate_error(i18n, &err)}
                        </div>
                    }.into_any(),
                    LoadState::Ready => ().into_any(),
                }}
            </div>
            <div class="viewer-controls">
                <div class="vgroup">
                    <button type="button" class="vbtn" disabled=move || !ready() || locked() on:click=move |_| render::seek(st, 0)
                        aria-label=move || t_string!(i18n, viewer.first) title=move || t_string!(i18n, viewer.first)><Icon name="first" /></button>
                    <button type="button" class="vbtn" disabled=move || !ready() || locked() on:click=move |_| render::step(st, -1)
                        aria-label=move || t_string!(i18n, viewer.previous) title=move || t_string!(i18n, viewer.previous)><Icon name="previous" /></button>
                    <button type="button" class="vbtn vbtn-play" disabled=move || !ready() || locked() on:click=move |_| render::toggle_play(st)
                        data-testid="play"
                        aria-label=move || if st.playing.get() { t_string!(i18n, viewer.pause) } else { t_string!(i18n, viewer.play) }>
                        {move || if st.playing.get() { view! { <Icon name="pause" /> } } else { view! { <Icon name="play" /> } }}
                    </button>
                    <button type="button" class="vbtn" disabled=move || !ready() || locked() on:click=move |_| render::step(st, 1)
                        aria-label=move || t_string!(i18n, viewer.next) title=move || t_string!(i18n, viewer.next)><Icon name="next" /></button>
                    <button type="button" class="vbtn" disabled=move || !ready() || locked() on:click=move |_| render::seek(st, frames() - 1)
                        aria-label=move || t_string!(i18n, viewer.last) title=move || t_string!(i18n, viewer.last)><Icon name="last" /></button>
                </div>
                <input
                    class="scrub"
                    type="range"
                    min="0"
                    max=move || frames() - 1
                    prop:value=move || st.frame.get()
                    disabled=move || !ready() || locked()
                    aria-label=move || t_string!(i18n, viewer.scrub)
                    aria-valuetext=move || t_string!(i18n, viewer.frame_of, n = st.frame.get() + 1, total = frames()).to_string()
                    on:input=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<u32>() {
                            render::seek(st, n);
                        }
                    }
                />
                <span class="vreadout" data-testid="frame-counter">
                    {move || format!("{} / {}", st.frame.get() + 1, frames())}
                </span>
                <span class="vreadout">{time_text}</span>
                <span class="vreadout muted-dark">{fps_text}</span>
                <label class="vgroup">
                    <span class="sr-only">{t!(i18n, viewer.speed)}</span>
                    <select
                        aria-label=move || t_string!(i18n, viewer.speed)
                        on:change=move |ev| {
                            if let Ok(s) = event_target_value(&ev).parse::<f64>() {
                                render::set_speed(st, s);
                            }
                        }
                    >
                        {SPEEDS
                            .iter()
                            .map(|s| view! { <option value=s.to_string() selected=*s == 1.0>{format!("{s}×")}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="vgroup">
                    <span class="sr-only">{t!(i18n, viewer.loop_mode)}</span>
                    <select
                        aria-label=move || t_string!(i18n, viewer.loop_mode)
                        on:change=move |ev| {
                            let mode = match event_target_value(&ev).as_str() {
                                "once" => LoopMode::Once,
                                "bounce" => LoopMode::Bounce,
                                _ => LoopMode::Loop,
                            };
                            render::set_mode(st, mode);
                        }
                    >
                        <option value="loop" selected=true>{t!(i18n, viewer.loop_forever)}</option>
                        <option value="bounce">{t!(i18n, viewer.bounce)}</option>
                        <option value="once">{t!(i18n, viewer.play_once)}</option>
                    </select>
                </label>
                <div class="vgroup">
                    <button type="button" class="vbtn" on:click=move |_| render::zoom_by(st, 1.0 / 1.25)
                        aria-label=move || t_string!(i18n, viewer.zoom_out)>"−"</button>
                    <button type="button" class="vbtn" on:click=move |_| render::fit(st)
                        aria-label=move || t_string!(i18n, viewer.fit)>{t!(i18n, viewer.fit)}</button>
                    <button type="button" class="vbtn" on:click=move |_| render::zoom_by(st, 1.25)
                        aria-label=move || t_string!(i18n, viewer.zoom_in)>"+"</button>
                    <button type="button" class="vbtn" on:click=move |_| render::fullscreen(root)
                        aria-label=move || t_string!(i18n, viewer.fullscreen)><Icon name="fullscreen" /></button>
                    <button type="button" class="vbtn" disabled=move || !ready() on:click=move |_| render::export_png(st)
                        aria-label=move || t_string!(i18n, viewer.export)>{t!(i18n, viewer.export)}</button>
                </div>
                <div class="vgroup" role="group" aria-label=move || t_string!(i18n, viewer.tools)>
                    {on_pick.map(|_| tool_button(Tool::Pick, |i| t_string!(i, viewer.tool_pick)))}
                    {tool_button(Tool::Pan, |i| t_string!(i, viewer.tool_pan))}
                    {tool_button(Tool::Distance, |i| t_string!(i, viewer.tool_distance))}
                    {tool_button(Tool::Area, |i| t_string!(i, viewer.tool_area))}
                </div>
                {editable.map(|_| view! {
                    <div class="vgroup" role="group" aria-label=move || t_string!(i18n, viewer.draw)>
                        {tool_button(Tool::Arrow, |i| t_string!(i, viewer.tool_arrow))}
                        {tool_button(Tool::Ellipse, |i| t_string!(i, viewer.tool_ellipse))}
                        {tool_button(Tool::Polygon, |i| t_string!(i, viewer.tool_polygon))}
                        {tool_button(Tool::Text, |i| t_string!(i, viewer.tool_text))}
                        <Show when=move || st.tool.get() == Tool::Polygon && st.points.with(|p| p.len() >= 3)>
                            <button type="button" class="vbtn" on:click=move |_| render::finish_polygon(st)>
                                {t!(i18n, viewer.finish_polygon)}
                            </button>
                        </Show>
                    </div>
                })}
            </div>
            <p class="viewer-status" aria-live="polite" data-testid="measurement">
                {move || measurement_text(i18n, st)}
            </p>
            <p class="viewer-meta">
                {move || st.info.get().map(|i| format!(
                    "{} × {} · {} · ",
                    i.columns, i.rows,
                    if i.regions.iter().any(|r| r.mm_per_pixel().is_some()) { t_string!(i18n, viewer.calibrated) } else { t_string!(i18n, viewer.not_calibrated) }
                ))}
                {move || t_string!(i18n, viewer.decoded, count = st.decoded.get()).to_string()}
            </p>
            // What a clinician does not need to read on every clip, one click away.
            <div class="viewer-more">
                <details>
                    <summary>{t!(i18n, viewer.shortcuts)}</summary>
                    <dl class="shortcuts">
                        <dt><kbd>"Space"</kbd>" "<kbd>"K"</kbd></dt><dd>{t!(i18n, viewer.key_play)}</dd>
                        <dt><kbd>"←"</kbd>" "<kbd>"→"</kbd></dt><dd>{t!(i18n, viewer.key_step)}</dd>
                        <dt><kbd>"Home"</kbd>" "<kbd>"End"</kbd></dt><dd>{t!(i18n, viewer.key_ends)}</dd>
                        <dt><kbd>"+"</kbd>" "<kbd>"−"</kbd></dt><dd>{t!(i18n, viewer.key_zoom)}</dd>
                        <dt><kbd>"0"</kbd></dt><dd>{t!(i18n, viewer.key_fit)}</dd>
                        <dt><kbd>"Esc"</kbd></dt><dd>{t!(i18n, viewer.key_cancel)}</dd>
                        <dt><kbd>"Enter"</kbd></dt><dd>{t!(i18n, viewer.key_finish)}</dd>
                    </dl>
                </details>
                <details>
                    <summary>{t!(i18n, viewer.technical)}</summary>
                    <p>
                        {move || st.info.get().map(|i| format!("{} · {}", i.photometric, i.transfer_syntax.name))}
                        {move || st.timing.get().all_decoded_ms.map(|ms| {
                            let ms = format!("{ms:.0}");
                            let decoder = match st.decoder.get() {
                                Decoder::Wasm => t_string!(i18n, viewer.decoder_wasm),
                                Decoder::Browser => t_string!(i18n, viewer.decoder_browser),
                                Decoder::Video => t_string!(i18n, viewer.decoder_video),
                                Decoder::Native => {
                                    let native = t_string!(i18n, viewer.decoder_native);
                                    return format!(" · {}", t_string!(i18n, viewer.ready_in, ms = ms, decoder = native));
                                }
                            };
                            format!(" · {}", t_string!(i18n, viewer.decoded_in, ms = ms, decoder = decoder))
                        })}
                    </p>
                </details>
            </div>
            {editable.map(|list| view! {
                <annotate::AnnotationList list=list frame=st.frame frames=Signal::derive(frames) text_added=st.text_added
                    on_jump=Callback::new(move |n| render::seek(st, n)) />
            })}
        </div>
    }
    .into_any()
}
