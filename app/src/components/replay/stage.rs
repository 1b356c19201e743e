//! A replay over a screen recording (WebM or MP4) rather than a DICOM clip: the recording in a
//! `<video>` element, driven through the same [`ViewerLink`] as the cine viewer (frame reached,
//! play and pause, speed, loop, zoom and pan), with the drawings and pointers over it.
use super::media;
use crate::components::viewer::ViewerLink;
use crate::components::viewer::playback::{LoopMode, Schedule};
use crate::i18n::*;
use crate::model::Annotation;
use crate::model::replay::{Looping, ViewAt};
use leptos::prelude::*;

/// Frames the picture may be off a driven view before it is moved.
const DRIFT_FRAMES: u32 = 2;

fn loop_mode(looping: Looping) -> LoopMode {
    match looping {
        Looping::Loop => LoopMode::Loop,
        Looping::Bounce => LoopMode::Bounce,
        Looping::Once => LoopMode::Once,
    }
}

/// Shows `at` on the video: seeks only when more than a couple of frames off, so a view given
/// again to correct drift does not stutter. Returns the frame it shows.
fn apply(video: &web_sys::HtmlVideoElement, at: ViewAt, fps: f64, length_ms: f64) -> u32 {
    let frames = ((length_ms / 1000.0 * fps).round() as u32).max(1);
    let schedule = Schedule::new(frames, 1000.0 / fps, None);
    let mode = loop_mode(at.view.looping);
    let speed = at.view.speed.clamp(0.0625, 16.0);
    let (target, finished) = schedule.frame_at(
        at.view.frame.min(frames - 1),
        at.playing_for_ms as f64,
        speed,
        mode,
    );
    let shown = ((video.current_time() * fps).floor() as u32).min(frames - 1);
    let off = {
        let d = shown.abs_diff(target);
        d.min(frames.saturating_sub(d)) > DRIFT_FRAMES
    };
    // The middle of the frame, so rounding never lands on its neighbour.
    let target_s = (f64::from(target) + 0.5) / fps;
    if at.view.playing && !finished {
        video.set_loop(mode == LoopMode::Loop);
        if video.playback_rate() != speed {
            video.set_playback_rate(speed);
        }
        if off {
            video.set_current_time(target_s);
        }
        if video.paused() {
            let video = video.clone();
            leptos::task::spawn_local(async move {
                let _ = media::play(&video).await;
            });
        }
    } else {
        if !video.paused() {
            let _ = video.pause();
        }
        if shown != target || off {
            video.set_current_time(target_s);
        }
    }
    target
}

/// While the recording plays, follows its frame (the drawings show on their frames).
fn follow(
    video: NodeRef<leptos::html::Video>,
    frame: RwSignal<u32>,
    fps: f64,
    generation: StoredValue<u64>,
    run: u64,
) {
    if generation.try_get_value() != Some(run) {
        return;
    }
    let Some(el) = video.get_untracked() else {
        return;
    };
    let n = (el.current_time() * fps).floor() as u32;
    if frame.get_untracked() != n {
        frame.set(n);
    }
    if !el.paused() {
        request_animation_frame(move || follow(video, frame, fps, generation, run));
    }
}

#[component]
pub fn VideoStage(
    url: String,
    frame_rate: f64,
    link: ViewerLink,
    #[prop(into)] annotations: Signal<Vec<Annotation>>,
    /// Mirrors the frame on screen.
    frame: RwSignal<u32>,
    /// The recording's size in pixels, once known.
    size: RwSignal<(u32, u32)>,
    overlay: ViewFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let video = NodeRef::<leptos::html::Video>::new();
    let failed = RwSignal::new(None::<String>);
    let length_ms = StoredValue::new(None::<f64>);
    let object_url = StoredValue::new(None::<String>);
    let generation = StoredValue::new(0u64);
    let fps = if frame_rate.is_finite() && frame_rate > 0.0 {
        frame_rate
    } else {
        30.0
    };

    Effect::new(move |_| {
        let url = url.clone();
        leptos::task::spawn_local(async move {
            let Some(el) = video.get_untracked() else {
                return;
            };
            let loaded = match media::fetch_object_url(&url).await {
                Ok(u) => {
                    if object_url.try_set_value(Some(u.clone())).is_some() {
                        media::revoke(&u);
                        return;
                    }
                    media::prepare(&el, &u).await
                }
                Err(e) => Err(e),
            };
            match loaded {
                Ok(length) => {
                    length_ms.try_set_value(length);
                    size.try_set((el.video_width(), el.video_height()));
                    link.ready.try_set(true);
                }
                Err(e) => {
                    failed.try_set(Some(e));
                }
            }
        });
    });
    on_cleanup(move || {
        if let Some(Some(u)) = object_url.try_get_value() {
            media::revoke(&u);
        }
        generation.try_update_value(|g| *g += 1);
    });

    Effect::new(move |_| {
        let at = link.drive.get();
        if !link.ready.get() {
            return;
        }
        let (Some(at), Some(el)) = (at, video.get_untracked()) else {
            return;
        };
        // A recording whose length the browser never told plays as if ten minutes long.
        let length = length_ms.get_value().unwrap_or(600_000.0);
        let shown = apply(&el, at, fps, length);
        frame.set(shown);
        let run = generation.get_value() + 1;
        generation.set_value(run);
        if at.view.playing {
            request_animation_frame(move || follow(video, frame, fps, generation, run));
        }
    });

    let transform = move || {
        let view = link.drive.get().map(|at| at.view).unwrap_or_default();
        format!(
            "transform: translate({}%, {}%) scale({})",
            view.pan[0] * 100.0,
            view.pan[1] * 100.0,
            view.zoom.clamp(0.25, 16.0)
        )
    };
    let view_box = move || {
        let (w, h) = size.get();
        format!("0 0 {} {}", w.max(1), h.max(1))
    };
    let visible = move || {
        let f = frame.get();
        annotations
            .get()
            .iter()
            .filter(|a| a.visible_on(f))
            .map(crate::components::viewer::annotation_view)
            .collect_view()
    };
    view! {
        <div class="viewer replay-video">
            <div class="viewer-stage">
                <div class="viewer-layer" style=transform>
                    <video
                        node_ref=video
                        muted=true
                        playsinline=true
                        preload="auto"
                        aria-label=move || t_string!(i18n, replay_player.video_label)
                    ></video>
                    <svg class="viewer-overlay" viewBox=view_box preserveAspectRatio="none" aria-hidden="true">
                        {visible}
                        {overlay.run()}
                    </svg>
                </div>
                {move || failed.get().map(|detail| view! {
                    <div class="viewer-message viewer-error" role="alert">
                        {t_string!(i18n, replay_player.clip_failed, detail = detail).to_string()}
                    </div>
                })}
            </div>
        </div>
    }
}
