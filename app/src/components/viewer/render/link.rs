//! The viewer seen from outside: reporting what it shows after every change a person makes
//! (play, pause, seek, step, speed, loop, zoom, pan) and the pointer over the image, and
//! applying a view a page asks for (replay playback, the guided side of a session).
use super::draw::{draw, play, restart_clock};
use super::player::with_player;
use crate::components::viewer::playback::LoopMode;
use crate::components::viewer::{LoadState, ViewerState};
use crate::model::replay::{Looping, View, ViewAt};
use leptos::prelude::*;

/// Frames the picture may lag a driven view before it is put right (decoding hiccups).
const DRIFT_FRAMES: u32 = 2;

/// The size of the image on screen at zoom 1, in CSS pixels.
fn displayed_size(st: ViewerState) -> Option<(f64, f64)> {
    let canvas = st.canvas.get_untracked()?;
    let (w, h) = (canvas.offset_width() as f64, canvas.offset_height() as f64);
    (w > 0.0 && h > 0.0).then_some((w, h))
}

fn looping(mode: LoopMode) -> Looping {
    match mode {
        LoopMode::Loop => Looping::Loop,
        LoopMode::Bounce => Looping::Bounce,
        LoopMode::Once => Looping::Once,
    }
}

fn mode(looping: Looping) -> LoopMode {
    match looping {
        Looping::Loop => LoopMode::Loop,
        Looping::Bounce => LoopMode::Bounce,
        Looping::Once => LoopMode::Once,
    }
}

/// Tells the page what is on screen now, unless the page itself is driving the viewer.
pub(super) fn report(st: ViewerState) {
    let Some(link) = st.link else {
        return;
    };
    if link.applying.get_value() {
        return;
    }
    let (px, py) = st.pan.get_untracked();
    let pan = match displayed_size(st) {
        Some((w, h)) => [px / w, py / h],
        None => [0.0, 0.0],
    };
    let view = View {
        frame: st.frame.get_untracked(),
        playing: st.playing.get_untracked(),
        speed: st.speed.get_untracked(),
        looping: looping(st.mode.get_untracked()),
        zoom: st.zoom.get_untracked(),
        pan,
        played_ms: 0,
    };
    if link.shown.get_untracked() != view {
        link.shown.set(view);
    }
}

/// The pointer over the image, in image pixels (`None`: it left).
pub(super) fn report_pointer(st: ViewerState, at: Option<crate::model::Point>) {
    if let Some(link) = st.link
        && link.pointer.get_untracked() != at
    {
        link.pointer.set(at);
    }
}

fn wrapped_distance(a: u32, b: u32, frames: u32) -> u32 {
    let d = a.abs_diff(b);
    d.min(frames.saturating_sub(d))
}

/// Shows `at`: its zoom and pan, speed and loop, and the frame its playback has reached.
/// While it plays and the picture is within a couple of frames, the viewer's own clock keeps
/// playing (so a page may apply the same view again to correct drift without a stutter).
pub fn apply(st: ViewerState, at: ViewAt) {
    let Some(link) = st.link else {
        return;
    };
    if st.load.get_untracked() != LoadState::Ready {
        return;
    }
    link.applying.set_value(true);
    let view = at.view;
    let zoom = view.zoom.clamp(0.25, 16.0);
    if st.zoom.get_untracked() != zoom {
        st.zoom.set(zoom);
    }
    if let Some((w, h)) = displayed_size(st) {
        let pan = (view.pan[0] * w, view.pan[1] * h);
        if st.pan.get_untracked() != pan {
            st.pan.set(pan);
        }
    }
    let new_mode = mode(view.looping);
    let speed = view.speed.clamp(0.05, 16.0);
    let timing_changed = st.speed.get_untracked() != speed || st.mode.get_untracked() != new_mode;
    if timing_changed {
        st.speed.set(speed);
        st.mode.set(new_mode);
    }
    let target = with_player(st, |p| {
        let last = p.schedule.frames().saturating_sub(1);
        p.schedule.frame_at(
            view.frame.min(last),
            at.playing_for_ms as f64,
            speed,
            new_mode,
        )
    });
    if let Some((target, finished)) = target {
        let frames = st
            .info
            .with_untracked(|i| i.as_ref().map_or(1, |i| i.frames));
        let shown = st.frame.get_untracked();
        if view.playing && !finished {
            let off = wrapped_distance(shown, target, frames) > DRIFT_FRAMES;
            if off || !st.playing.get_untracked() {
                draw(st, target);
                play(st);
            } else if timing_changed {
                restart_clock(st);
            }
        } else {
            if st.playing.get_untracked() {
                st.playing.set(false);
            }
            if shown != target {
                draw(st, target);
            }
        }
    }
    link.applying.set_value(false);
}
