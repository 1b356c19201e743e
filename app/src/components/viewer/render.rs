//! The browser side of the viewer: decoding into a frame cache, drawing, the playback loop and
//! pointer input. Runs only in the browser (from effects and event handlers).
use super::playback::{LoopMode, Schedule};
use super::{ClipSource, LoadState, Tool, ViewerState};
use crate::cine::{CineError, Clip, ImagePoint};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wasm_bindgen::{Clamped, JsCast};

/// Decoded frames kept at most (RGBA bytes); past it frames are decoded when shown.
const FRAME_CACHE_BUDGET: usize = 768 << 20;
/// Longest slice of decode-ahead work between two chances for input and drawing.
const DECODE_SLICE_MS: f64 = 8.0;

/// Why the viewer shows no image.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewerError {
    /// The download failed (network, HTTP status).
    Fetch(String),
    /// The file could not be parsed or decoded.
    Cine(CineError),
}

/// A loaded clip and what has been decoded of it.
pub struct Player {
    clip: Clip,
    schedule: Schedule,
    frames: Vec<Option<web_sys::ImageData>>,
    cached_bytes: usize,
    next_to_decode: u32,
    /// Playback origin: the frame playing started from, and when (performance.now()).
    play_from: u32,
    play_started: f64,
    last_drawn: Option<u32>,
    /// Pointer state for panning: last position while a button is down.
    drag: Option<(f64, f64)>,
}

thread_local! {
    /// The players of the viewers on this page, by viewer id. Kept outside the reactive
    /// graph: they hold browser objects that must never cross threads (the server renders
    /// viewers on any thread, and never creates a player).
    static PLAYERS: RefCell<HashMap<u64, Player>> = RefCell::new(HashMap::new());
}

static NEXT_VIEWER: AtomicU64 = AtomicU64::new(1);

/// A fresh viewer id.
pub fn new_viewer_id() -> u64 {
    NEXT_VIEWER.fetch_add(1, Ordering::Relaxed)
}

/// Runs `f` on the viewer's player, if it has one.
fn with_player<R>(st: ViewerState, f: impl FnOnce(&mut Player) -> R) -> Option<R> {
    PLAYERS.with(|players| players.borrow_mut().get_mut(&st.id).map(f))
}

/// Forgets the viewer's player (on unmount or before loading another clip).
pub fn drop_player(id: u64) {
    PLAYERS.with(|players| players.borrow_mut().remove(&id));
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn image_data(frame: &crate::cine::RgbaFrame) -> Option<web_sys::ImageData> {
    web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(&frame.rgba),
        frame.width,
        frame.height,
    )
    .ok()
}

impl Player {
    /// The image of frame `n`, decoding (and caching within budget) when needed.
    fn image(&mut self, n: u32) -> Result<web_sys::ImageData, CineError> {
        if let Some(Some(img)) = self.frames.get(n as usize) {
            return Ok(img.clone());
        }
        let frame = self.clip.decode_frame(n)?;
        let img = image_data(&frame).ok_or_else(|| CineError::Decode {
            frame: n,
            reason: "the browser refused the image size".into(),
        })?;
        if self.cached_bytes + frame.rgba.len() <= FRAME_CACHE_BUDGET {
            self.cached_bytes += frame.rgba.len();
            self.frames[n as usize] = Some(img.clone());
        }
        Ok(img)
    }

    fn decoded_count(&self) -> u32 {
        self.frames.iter().filter(|f| f.is_some()).count() as u32
    }
}

fn context(st: ViewerState) -> Option<web_sys::CanvasRenderingContext2d> {
    st.canvas
        .get_untracked()?
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into()
        .ok()
}

/// Draws frame `n`; failures show the error instead of a blank canvas.
fn draw(st: ViewerState, n: u32) {
    let result = with_player(st, |p| (p.image(n), p.decoded_count()));
    match result {
        Some((Ok(img), decoded)) => {
            if let Some(ctx) = context(st) {
                let _ = ctx.put_image_data(&img, 0.0, 0.0);
            }
            with_player(st, |p| p.last_drawn = Some(n));
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

/// Starts loading `src`, replacing whatever was shown.
pub fn load(st: ViewerState, src: ClipSource) {
    let generation = st.generation.get_value() + 1;
    st.generation.set_value(generation);
    st.playing.set(false);
    drop_player(st.id);
    st.info.set(None);
    st.frame.set(0);
    st.decoded.set(0);
    st.dropped.set(0);
    st.points.set(Vec::new());
    fit(st);
    st.load.set(LoadState::Loading {
        received: 0,
        total: None,
    });
    leptos::task::spawn_local(async move {
        let bytes = match src {
            ClipSource::Local { bytes, .. } => Ok(bytes.as_ref().clone()),
            ClipSource::Url(url) => {
                super::fetch::fetch_bytes(&url, move |received, total| {
                    if st.generation.get_value() == generation {
                        st.load.set(LoadState::Loading { received, total });
                    }
                })
                .await
            }
        };
        if st.generation.get_value() != generation {
            return;
        }
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                st.load.set(LoadState::Failed(ViewerError::Fetch(e)));
                return;
            }
        };
        let clip = match Clip::parse(&bytes) {
            Ok(c) => c,
            Err(e) => {
                st.load.set(LoadState::Failed(ViewerError::Cine(e)));
                return;
            }
        };
        drop(bytes);
        let info = clip.info().clone();
        let schedule = Schedule::new(
            info.frames,
            info.frame_time_ms,
            info.frame_time_vector_ms.as_deref(),
        );
        let player = Player {
            clip,
            schedule,
            frames: vec![None; info.frames as usize],
            cached_bytes: 0,
            next_to_decode: 1,
            play_from: 0,
            play_started: 0.0,
            last_drawn: None,
            drag: None,
        };
        PLAYERS.with(|players| players.borrow_mut().insert(st.id, player));
        st.info.set(Some(info));
        st.load.set(LoadState::Ready);
        // The first frame goes on screen before anything else is decoded; the canvas gets
        // its size from `info` on the next render, so draw once that has happened.
        request_animation_frame(move || {
            if st.generation.get_value() == generation {
                draw(st, 0);
                decode_ahead(st, generation);
            }
        });
    });
}

/// Decodes the next frames for at most one slice, then yields to input and drawing.
fn decode_ahead(st: ViewerState, generation: u64) {
    if st.generation.get_value() != generation {
        return;
    }
    let start = now();
    let more = with_player(st, |p| {
        while now() - start < DECODE_SLICE_MS {
            let n = p.next_to_decode;
            if n >= p.schedule.frames() || p.cached_bytes >= FRAME_CACHE_BUDGET {
                return Some((false, p.decoded_count()));
            }
            p.next_to_decode += 1;
            if p.frames[n as usize].is_none() && p.image(n).is_err() {
                // The error shows when the frame is drawn.
                continue;
            }
        }
        Some((true, p.decoded_count()))
    })
    .flatten();
    if let Some((more, decoded)) = more {
        st.decoded.set(decoded);
        if more {
            set_timeout(move || decode_ahead(st, generation), Duration::ZERO);
        }
    }
}

/// One animation frame of playback: show the frame due now.
fn tick(st: ViewerState, generation: u64) {
    if !st.playing.get_untracked() || st.generation.get_value() != generation {
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
        return;
    }
    request_animation_frame(move || tick(st, generation));
}

fn restart_clock(st: ViewerState) {
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
        return;
    }
    let frames = st
        .info
        .with_untracked(|i| i.as_ref().map_or(1, |i| i.frames));
    if st.mode.get_untracked() == LoopMode::Once && st.frame.get_untracked() + 1 >= frames {
        draw(st, 0);
    }
    restart_clock(st);
    st.playing.set(true);
    let generation = st.generation.get_value();
    request_animation_frame(move || tick(st, generation));
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
}

/// Changes what happens at the end.
pub fn set_mode(st: ViewerState, mode: LoopMode) {
    st.mode.set(mode);
    restart_clock(st);
}

/// Back to the whole image, centred.
pub fn fit(st: ViewerState) {
    st.zoom.set(1.0);
    st.pan.set((0.0, 0.0));
}

/// The image point under a pointer event.
fn image_point(st: ViewerState, ev: &web_sys::PointerEvent) -> Option<ImagePoint> {
    let canvas = st.canvas.get_untracked()?;
    let rect = canvas.get_bounding_client_rect();
    if rect.width() <= 0.0 || rect.height() <= 0.0 {
        return None;
    }
    let x = (ev.client_x() as f64 - rect.left()) * canvas.width() as f64 / rect.width();
    let y = (ev.client_y() as f64 - rect.top()) * canvas.height() as f64 / rect.height();
    Some(ImagePoint::new(x, y))
}

pub fn pointer_down(st: ViewerState, ev: web_sys::PointerEvent) {
    match st.tool.get_untracked() {
        Tool::Pan => {
            let at = (ev.client_x() as f64, ev.client_y() as f64);
            with_player(st, |p| p.drag = Some(at));
            if let Some(target) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = target.set_pointer_capture(ev.pointer_id());
            }
        }
        Tool::Distance => {
            if let Some(p) = image_point(st, &ev) {
                st.points.update(|pts| {
                    if pts.len() >= 2 {
                        pts.clear();
                    }
                    pts.push(p);
                });
            }
        }
        Tool::Area => {
            if let Some(p) = image_point(st, &ev) {
                st.points.update(|pts| pts.push(p));
            }
        }
    }
}

pub fn pointer_move(st: ViewerState, ev: web_sys::PointerEvent) {
    let at = (ev.client_x() as f64, ev.client_y() as f64);
    let moved = with_player(st, |p| {
        let (x0, y0) = p.drag?;
        p.drag = Some(at);
        Some((at.0 - x0, at.1 - y0))
    })
    .flatten();
    if let Some((dx, dy)) = moved {
        st.pan.update(|(x, y)| {
            *x += dx;
            *y += dy;
        });
    }
}

pub fn pointer_up(st: ViewerState, _ev: web_sys::PointerEvent) {
    with_player(st, |p| p.drag = None);
}

pub fn wheel(st: ViewerState, ev: web_sys::WheelEvent) {
    ev.prevent_default();
    let factor = if ev.delta_y() < 0.0 { 1.1 } else { 1.0 / 1.1 };
    st.zoom.update(|z| *z = (*z * factor).clamp(0.25, 16.0));
}

pub fn fullscreen(root: NodeRef<leptos::html::Div>) {
    if let Some(el) = root.get_untracked() {
        let document = web_sys::window().and_then(|w| w.document());
        if document
            .as_ref()
            .and_then(|d| d.fullscreen_element())
            .is_some()
        {
            if let Some(d) = document {
                d.exit_fullscreen();
            }
        } else {
            let _ = el.request_fullscreen();
        }
    }
}

/// Saves the frame on screen as a PNG file.
pub fn export_png(st: ViewerState) {
    let Some(canvas) = st.canvas.get_untracked() else {
        return;
    };
    let Ok(url) = canvas.to_data_url_with_type("image/png") else {
        return;
    };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(a) = document
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(&format!("frame-{}.png", st.frame.get_untracked() + 1));
        a.click();
    }
}
