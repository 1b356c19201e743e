//! Putting frames on the canvas: one frame, the playback loop and the transport controls.
use super::ViewerError;
use super::player::{Cached, now, with_player};
use crate::components::viewer::playback::LoopMode;
use crate::components::viewer::{LoadState, ViewerState};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

fn context(st: ViewerState) -> Option<web_sys::CanvasRenderingContext2d> {
    st.canvas
        .get_untracked()?
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// Draws frame `n`; failures show the error instead of a blank canvas. A video frame the
/// decoder has not produced yet leaves the picture as it is.
pub(super) fn draw(st: ViewerState, n: u32) {
    let waiting = with_player(st, |p| {
        p.video && p.frames.get(n as usize).is_some_and(Option::is_none)
    });
    if waiting == Some(true) {
        return;
    }
    let result = with_player(st, |p| (p.image(n), p.decoded_count()));
    match result {
        Some((Ok(img), decoded)) => {
            if let Some(ctx) = context(st) {
                let _ = match &img {
                    Cached::Pixels(data) => ctx.put_image_data(data, 0.0, 0.0),
                    Cached::Bitmap(bitmap) => ctx.draw_image_with_image_bitmap(bitmap, 0.0, 0.0),
                };
            }
            let first = with_player(st, |p| {
                let first = p.last_drawn.is_none();
                p.last_drawn = Some(n);
                first.then(|| now() - p.loaded_at)
            })
            .flatten();
            if let Some(ms) = first {
                st.timing.update(|t| t.first_frame_ms = Some(ms));
            }
            st.frame.set(n);
            st.decoded.set(decoded);
        }
        Some((Err(e), _)) => {
            st.playing.set(false);
            st.load.set(LoadState::Failed(ViewerError::Cine(e)));
        }
        None => {}
    }
}

/// One animation frame of playback: show the frame due now.
fn tick(st: ViewerState, generation: u64) {
    // A viewer taken off the page while playing still has this frame scheduled.
    if st.generation.try_get_value() != Some(generation) || !st.playing.get_untracked() {
        return;
    }
    let speed = st.speed.get_untracked();
    let mode = st.mode.get_untracked();
    let due = with_player(st, |p| {
        let (frame, finished) =
            p.schedule
                .frame_at(p.play_from, now() - p.play_started, speed, mode);
        (frame, finished, p.last_drawn)
    });
    let Some((frame, finished, last)) = due else {
        return;
    };
    if Some(frame) != last {
        // Frames that fell due but never reached the screen count as dropped.
        if let Some(last) = last
            && frame > last + 1
            && mode != LoopMode::Bounce
        {
            st.dropped.update(|d| *d += frame - last - 1);
        }
        draw(st, frame);
    }
    if finished {
        st.playing.set(false);
        super::link::report(st);
        return;
    }
    request_animation_frame(move || tick(st, generation));
}

pub(super) fn restart_clock(st: ViewerState) {
    let from = st.frame.get_untracked();
    with_player(st, |p| {
        p.play_from = from;
        p.play_started = now();
    });
}

/// Plays or pauses.
pub fn toggle_play(st: ViewerState) {
    if st.load.get_untracked() != LoadState::Ready {
        return;
    }
    if st.playing.get_untracked() {
        st.playing.set(false);
        super::link::report(st);
        return;
    }
    let frames = st
        .info
        .with_untracked(|i| i.as_ref().map_or(1, |i| i.frames));
    if st.mode.get_untracked() == LoopMode::Once && st.frame.get_untracked() + 1 >= frames {
        draw(st, 0);
    }
    play(st);
    super::link::report(st);
}

/// Plays from the frame on screen.
pub(super) fn play(st: ViewerState) {
    restart_clock(st);
    if !st.playing.get_untracked() {
        st.playing.set(true);
        let generation = st.generation.get_value();
        request_animation_frame(move || tick(st, generation));
    }
}

/// Pauses and shows frame `n` (clamped to the clip).
pub fn seek(st: ViewerState, n: u32) {
    st.playing.set(false);
    let frames = st
        .info
        .with_untracked(|i| i.as_ref().map_or(0, |i| i.frames));
    if frames > 0 {
        draw(st, n.min(frames - 1));
    }
    super::link::report(st);
}

/// Pauses and moves `delta` frames.
pub fn step(st: ViewerState, delta: i64) {
    let n = (st.frame.get_untracked() as i64 + delta).max(0);
    seek(st, n as u32);
}

/// Changes the speed without a jump in the picture.
pub fn set_speed(st: ViewerState, speed: f64) {
    st.speed.set(speed);
    restart_clock(st);
    super::link::report(st);
}

/// Changes what happens at the end.
pub fn set_mode(st: ViewerState, mode: LoopMode) {
    st.mode.set(mode);
    restart_clock(st);
    super::link::report(st);
}
