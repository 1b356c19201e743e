//! The replay player: a guidance replay's clip in the cine viewer (or its screen recording),
//! driven from the timeline, with the voices, the drawings and both participants' pointers in
//! step; its own transport (play, seek, speed, chapters), remarks as captions, comments at a
//! time point, and the replay exported as a WebM video made in the browser.
//!
//! Test hooks on the player's root: `data-replay-t` (the time shown, ms), `data-playing`,
//! `data-drawings` (drawings on the frame on screen), `data-audio-t` (the master voice's time
//! on the timeline, ms, while one is in its span), `data-chapter` (index of the chapter under
//! way), `data-ready` (`true` once the clip and the voices can play).
mod clock;
mod comments;
mod engine;
mod export;
mod media;
mod paint;
mod stage;
mod webm;

pub use clock::{mmss, parse_t};
pub use media::revoke;

use crate::components::viewer::{CineViewer, ClipSource, ViewerLink};
use crate::i18n::*;
use crate::model::replay::Action;
use crate::model::replay::{GUIDED, ReplayClip, ReplayView, Replayer};
use crate::model::text_lang;
use clock::{KEY_STEP_MS, SPEEDS, VoiceSpan, remark_shown, stepped};
use engine::{Deck, VoiceLoad};
use export::{ExportError, ExportState};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use paint::{pointer_mark, pointer_radius, swatch};

fn slot(by: u8) -> usize {
    usize::from(by == GUIDED)
}

/// A play or pause icon (inline SVG, as the viewer's).
fn play_icon(playing: bool) -> impl IntoView {
    let path = if playing {
        "M6 5h4v14H6zM14 5h4v14h-4z"
    } else {
        "M7 4v16l13-8z"
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path d=path fill="currentColor" />
        </svg>
    }
}

/// Whether a key press belongs to a control that uses it itself.
fn typed_into_control(ev: &leptos::ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target().is_some_and(|t| {
        t.dyn_ref::<web_sys::HtmlInputElement>().is_some()
            || t.dyn_ref::<web_sys::HtmlSelectElement>().is_some()
            || t.dyn_ref::<web_sys::HtmlTextAreaElement>().is_some()
            || t.dyn_ref::<web_sys::HtmlButtonElement>().is_some()
            || t.dyn_ref::<web_sys::HtmlAnchorElement>().is_some()
    })
}

fn export_error(i18n: I18nContext<Locale>, e: &ExportError) -> String {
    match e {
        ExportError::Unsupported => t_string!(i18n, replay_player.export_unsupported).to_string(),
        ExportError::NotReady => t_string!(i18n, replay_player.export_not_ready).to_string(),
        ExportError::Browser(detail) => {
            t_string!(i18n, replay_player.export_failed, detail = detail.clone()).to_string()
        }
    }
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

/// The export button, its progress and cancel, the finished file, and the package link.
#[component]
fn ExportControls(
    deck: Deck,
    root: NodeRef<leptos::html::Div>,
    id: String,
    ready: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(ExportState::Idle);
    on_cleanup(move || {
        if let Some(ExportState::Done { url, .. }) = state.try_get_untracked() {
            media::revoke(&url);
        }
    });
    let running = Memo::new(move |_| matches!(state.get(), ExportState::Running(_)));
    let percent = move || match state.get() {
        ExportState::Running(pct) => pct,
        _ => 100,
    };
    let file_name = format!("replay-{id}.webm");
    let package = format!("/replays/{id}/package");
    view! {
        <div class="replay-export" data-export=move || match state.get() {
            ExportState::Idle => "idle",
            ExportState::Running(_) => "running",
            ExportState::Done { .. } => "done",
            ExportState::Failed(_) => "failed",
        }>
            // The progress is drawn once per export and only its numbers follow (the cancel
            // button keeps the focus); the rest is drawn again when the export's state changes.
            {move || if running.get() {
                view! {
                    <div class="replay-export-progress">
                        <progress max="100" value=percent aria-label=move || t_string!(i18n, replay_player.export_progress)></progress>
                        <span>{move || t_string!(i18n, replay_player.exporting, percent = percent()).to_string()}</span>
                        <button type="button" class="vbtn" data-testid="replay-export-cancel"
                            on:click=move |_| export::cancel(deck)>
                            {t!(i18n, replay_player.cancel)}
                        </button>
                    </div>
                }.into_any()
            } else {
                let file_name = file_name.clone();
                view! {
                    <button type="button" class="vbtn" data-testid="replay-export"
                        title=move || t_string!(i18n, replay_player.export_hint)
                        disabled=move || !ready.get()
                        on:click=move |_| export::start(deck, root, state)>
                        {t!(i18n, replay_player.export)}
                    </button>
                    {match state.get() {
                        ExportState::Done { url, bytes } => Some(view! {
                            <a class="vbtn replay-download" href=url download=file_name data-testid="replay-download">
                                {move || t_string!(i18n, replay_player.download_video, size = megabytes(bytes)).to_string()}
                            </a>
                        }.into_any()),
                        ExportState::Failed(e) => Some(view! {
                            <span class="replay-alert" role="alert">{move || export_error(i18n, &e)}</span>
                        }.into_any()),
                        _ => None,
                    }}
                }.into_any()
            }}
            <a class="vbtn" href=package download data-testid="replay-package" rel="external">
                {t!(i18n, replay_player.package)}
            </a>
        </div>
    }
}

/// The replay player. `start_at` (ms, e.g. from `?t=`) is where it opens; `on_time`, when
/// given, mirrors the time shown (ms); `comments` adds the comments at a time point below.
#[component]
pub fn ReplayPlayer(
    replay: ReplayView,
    #[prop(optional_no_strip)] start_at: Option<u64>,
    #[prop(optional)] on_time: Option<RwSignal<u64>>,
    #[prop(default = true)] comments: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    // The replay owns the transport: the viewer's own play, step and scrub are off.
    let link = ViewerLink::new(Signal::stored(true));
    let duration = replay.timeline.duration_ms;
    let spans = replay
        .voices
        .iter()
        .map(|v| VoiceSpan {
            offset_ms: v.offset_ms as f64,
            length_ms: None,
        })
        .collect();
    let deck = Deck::new(
        Replayer::new(&replay.timeline),
        duration,
        spans,
        start_at.unwrap_or(0),
        link,
        on_time,
    );
    let root = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((0u32, 0u32));
    let ready = Memo::new(move |_| {
        link.ready.get()
            && deck
                .voices
                .with(|v| v.iter().all(|s| *s != VoiceLoad::Loading))
    });

    // Voices load in the browser only (effects never run on the server).
    let urls: Vec<String> = replay.voices.iter().map(|v| v.url.clone()).collect();
    Effect::new(move |_| {
        for (i, url) in urls.iter().cloned().enumerate() {
            leptos::task::spawn_local(deck.load_voice(i, url));
        }
    });
    on_cleanup(move || {
        deck.shut();
        export::drop_player(deck);
    });
    // The picture's size, for the pointer marks: the viewer's canvas once a frame is on it.
    Effect::new(move |_| {
        if link.ready.get()
            && size.get_untracked() == (0, 0)
            && let Some(canvas) = root
                .get_untracked()
                .and_then(|r| r.query_selector(".replay-stage canvas").ok().flatten())
        {
            let w = canvas.get_attribute("width").and_then(|w| w.parse().ok());
            let h = canvas.get_attribute("height").and_then(|h| h.parse().ok());
            if let (Some(w), Some(h)) = (w, h) {
                size.set((w, h));
            }
        }
    });

    let overlay = ViewFn::from(move || {
        move || {
            let r = pointer_radius(size.get());
            deck.pointers
                .get()
                .into_iter()
                .enumerate()
                .filter_map(|(slot, p)| p.map(|p| pointer_mark(slot, p, r)))
                .collect_view()
        }
    });
    let drawings = Signal::from(deck.drawings);
    let stage = match replay.clip.clone() {
        ReplayClip::Dicom { url, .. } => view! {
            <CineViewer
                source=Signal::derive(move || Some(ClipSource::Url(url.clone())))
                annotations=drawings
                overlay
                link
                current_frame=deck.frame
            />
        }
        .into_any(),
        ReplayClip::Video {
            url, frame_rate, ..
        } => view! {
            <stage::VideoStage url frame_rate link annotations=drawings frame=deck.frame size overlay />
        }
        .into_any(),
    };

    let chapters = replay.timeline.chapters();
    let remarks = replay.timeline.remarks();
    let remark_times: Vec<u64> = remarks.iter().map(|(t, _)| *t).collect();
    // Memoised: the caption is a live region, redrawn only when the remark shown changes.
    let shown_remark =
        Memo::new(move |_| remark_shown(&remark_times, deck.remark.get(), deck.t.get()));
    let caption = move || shown_remark.get().and_then(|i| remarks.get(i).cloned());

    // Who appears: the participants who speak, point or draw.
    let mut legend: Vec<(usize, Vec<String>)> = Vec::new();
    let mut note = |slot: usize, speaker: Option<&str>| {
        let at = match legend.iter().position(|(s, _)| *s == slot) {
            Some(at) => at,
            None => {
                legend.push((slot, Vec::new()));
                legend.len() - 1
            }
        };
        if let Some(name) = speaker.map(str::trim).filter(|n| !n.is_empty())
            && !legend[at].1.iter().any(|n| n == name)
        {
            legend[at].1.push(name.to_string());
        }
    };
    for v in &replay.voices {
        note(slot(v.by), Some(&v.speaker));
    }
    for e in &replay.timeline.events {
        if matches!(e.action, Action::Pointer { .. } | Action::Draw { .. }) {
            note(slot(e.by), None);
        }
    }
    legend.sort_by_key(|(s, _)| *s);

    let speakers: Vec<String> = replay.voices.iter().map(|v| v.speaker.clone()).collect();
    let failed_voices = move || {
        deck.voices.with(|v| {
            v.iter()
                .enumerate()
                .filter(|(_, s)| **s == VoiceLoad::Failed)
                .map(|(i, _)| speakers.get(i).cloned().unwrap_or_default())
                .collect::<Vec<_>>()
        })
    };

    let seek = move |t: u64| {
        if !deck.exporting.get_untracked() {
            deck.seek(t);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if typed_into_control(&ev) || deck.exporting.get_untracked() || !ready.get_untracked() {
            return;
        }
        if matches!(ev.key().as_str(), " " | "k") {
            ev.prevent_default();
            deck.toggle();
        }
    };
    let on_seek_key = move |ev: leptos::ev::KeyboardEvent| {
        let delta = match ev.key().as_str() {
            "ArrowLeft" | "ArrowDown" => -KEY_STEP_MS,
            "ArrowRight" | "ArrowUp" => KEY_STEP_MS,
            _ => return,
        };
        ev.prevent_default();
        seek(stepped(deck.t.get_untracked(), delta, duration));
    };
    let audio_refs = deck.audio.get_value();
    let voices = replay.voices.clone();
    let id = replay.id.0.clone();

    view! {
        <div
            class="replay"
            node_ref=root
            role="region"
            aria-label=move || t_string!(i18n, replay_player.label)
            on:keydown=on_key
            data-replay-id=id.clone()
            data-replay-t=move || deck.t.get()
            data-playing=move || deck.playing.get().to_string()
            data-drawings=move || {
                let f = deck.frame.get();
                deck.drawings.with(|d| d.iter().filter(|a| a.visible_on(f)).count())
            }
            data-audio-t=move || deck.audio_t.get()
            data-chapter=move || deck.chapter.get()
            data-ready=move || ready.get().to_string()
        >
            <div class="replay-player">
                <div class="replay-stage">{stage}</div>
                <p class="replay-caption" aria-live="polite" data-testid="replay-remark">
                    {move || caption().map(|(_, text)| view! { <span lang=text_lang(&text)>{text.clone()}</span> })}
                </p>
                <div class="replay-transport viewer-controls">
                    <button type="button" class="vbtn vbtn-play" data-testid="replay-play"
                        disabled=move || !ready.get() || deck.exporting.get()
                        aria-label=move || if deck.playing.get() { t_string!(i18n, replay_player.pause) } else { t_string!(i18n, replay_player.play) }
                        on:click=move |_| deck.toggle()>
                        {move || play_icon(deck.playing.get())}
                    </button>
                    <input
                        class="scrub replay-seek"
                        type="range"
                        min="0"
                        max=duration
                        step="1"
                        data-testid="replay-seek"
                        prop:value=move || deck.t.get()
                        disabled=move || deck.exporting.get()
                        aria-label=move || t_string!(i18n, replay_player.position)
                        aria-valuetext=move || mmss(deck.t.get())
                        on:input=move |ev| {
                            if let Ok(t) = event_target_value(&ev).parse::<u64>() {
                                seek(t);
                            }
                        }
                        on:keydown=on_seek_key
                    />
                    <span class="vreadout" data-testid="replay-time">
                        {move || format!("{} / {}", mmss(deck.t.get()), mmss(duration))}
                    </span>
                    <label class="vgroup">
                        <span class="sr-only">{t!(i18n, replay_player.speed)}</span>
                        <select
                            data-testid="replay-speed"
                            aria-label=move || t_string!(i18n, replay_player.speed)
                            disabled=move || deck.exporting.get()
                            prop:value=move || deck.speed.get().to_string()
                            on:change=move |ev| {
                                if let Ok(s) = event_target_value(&ev).parse::<f64>() {
                                    deck.set_speed(s);
                                }
                            }
                        >
                            {SPEEDS
                                .iter()
                                .map(|s| view! { <option value=s.to_string() selected=*s == 1.0>{format!("{s}×")}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <ExportControls deck root id=id.clone() ready />
                </div>
                {move || deck.blocked.get().then(|| view! {
                    <p class="replay-alert" role="alert">{t!(i18n, replay_player.sound_blocked)}</p>
                })}
                {move || {
                    let failed = failed_voices();
                    (!failed.is_empty()).then(|| view! {
                        <p class="replay-alert" role="alert">
                            {move || t_string!(i18n, replay_player.voice_failed, speaker = failed.join(", ")).to_string()}
                        </p>
                    })
                }}
                <div class="replay-side">
                    {(!chapters.is_empty()).then(|| view! {
                        <nav class="replay-chapters" aria-label=move || t_string!(i18n, replay_player.chapters)>
                            <h3>{t!(i18n, replay_player.chapters)}</h3>
                            <ol>
                                {chapters.iter().enumerate().map(|(i, c)| {
                                    let t = c.t;
                                    view! {
                                        <li>
                                            <button type="button" class="replay-chapter" data-chapter=i
                                                aria-current=move || (deck.chapter.get() == Some(i)).then_some("true")
                                                disabled=move || deck.exporting.get()
                                                on:click=move |_| seek(t)>
                                                <span class="vreadout">{mmss(t)}</span>
                                                " "
                                                <span lang=text_lang(&c.title)>{c.title.clone()}</span>
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </nav>
                    })}
                    {(!legend.is_empty()).then(|| view! {
                        <div class="replay-legend">
                            <h3>{t!(i18n, replay_player.legend)}</h3>
                            <ul>
                                {legend.into_iter().map(|(slot, names)| view! {
                                    <li data-participant=slot>
                                        {swatch(slot)}
                                        <span>{move || if slot == 0 { t_string!(i18n, replay_player.guide) } else { t_string!(i18n, replay_player.guided) }}</span>
                                        {(!names.is_empty()).then(|| view! { <span class="replay-speakers">{names.join(", ")}</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        </div>
                    })}
                    <p class="small muted-dark replay-keys">{t!(i18n, replay_player.keys)}</p>
                </div>
                {voices.into_iter().zip(audio_refs).map(|(v, node_ref)| view! {
                    <audio node_ref=node_ref preload="auto" data-speaker=v.speaker data-offset=v.offset_ms></audio>
                }).collect_view()}
            </div>
            {comments.then(|| view! { <comments::ReplayComments id=replay.id.clone() deck root /> })}
        </div>
    }
    .into_any()
}
