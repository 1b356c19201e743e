//! The browser side of the viewer: decoding into a frame cache, drawing, the playback loop and
//! pointer input. Runs only in the browser (from effects and event handlers).
//!
//! Two decoders fill the cache. 8-bit lossy JPEG frames whose colours the browser renders the
//! same way go to the browser's own image decoder (`createImageBitmap`), which works on its
//! own threads, a few frames in flight at a time; everything else (and any frame the browser
//! refuses) is decoded by `crate::cine` in wasm, in short slices between animation frames.
use super::playback::{LoopMode, Schedule};
use super::{ClipSource, Decoder, LoadState, Tool, ViewerState};
use crate::cine::{CineError, Clip, ImagePoint};
use crate::model::{Annotation, Point, Shape};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_futures::JsFuture;

/// WebCodecs, which web-sys only offers behind `web_sys_unstable_apis`: the few members used.
mod webcodecs {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        pub type VideoDecoder;
        #[wasm_bindgen(constructor, catch)]
        pub fn new(init: &js_sys::Object) -> Result<VideoDecoder, JsValue>;
        #[wasm_bindgen(method, catch)]
        pub fn configure(this: &VideoDecoder, config: &js_sys::Object) -> Result<(), JsValue>;
        #[wasm_bindgen(method, catch)]
        pub fn decode(this: &VideoDecoder, chunk: &EncodedVideoChunk) -> Result<(), JsValue>;
        #[wasm_bindgen(method)]
        pub fn flush(this: &VideoDecoder) -> js_sys::Promise;
        #[wasm_bindgen(method, catch)]
        pub fn close(this: &VideoDecoder) -> Result<(), JsValue>;
        #[wasm_bindgen(method, getter, js_name = decodeQueueSize)]
        pub fn decode_queue_size(this: &VideoDecoder) -> u32;

        pub type EncodedVideoChunk;
        #[wasm_bindgen(constructor, catch)]
        pub fn new(init: &js_sys::Object) -> Result<EncodedVideoChunk, JsValue>;

        pub type VideoFrame;
        #[wasm_bindgen(method)]
        pub fn close(this: &VideoFrame);

        /// `createImageBitmap` takes video frames too.
        #[wasm_bindgen(js_name = createImageBitmap)]
        pub fn create_image_bitmap(source: &JsValue) -> js_sys::Promise;
    }

    /// True when this browser has WebCodecs' video decoder.
    pub fn available() -> bool {
        js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("VideoDecoder")).unwrap_or(false)
    }
}

/// Decoded frames kept at most (RGBA bytes); past it frames are decoded when shown.
const FRAME_CACHE_BUDGET: usize = 768 << 20;
/// Longest slice of decode-ahead work between two chances for input and drawing.
const DECODE_SLICE_MS: f64 = 8.0;
/// Frames handed to the browser's image decoder at once.
const BROWSER_DECODES_IN_FLIGHT: usize = 4;
/// Shorter drags than this (image pixels) draw no arrow or ellipse.
const MIN_SHAPE_PX: f64 = 3.0;

/// Why the viewer shows no image.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewerError {
    /// The download failed (network, HTTP status).
    Fetch(String),
    /// The file could not be parsed or decoded.
    Cine(CineError),
}

/// A decoded frame, ready to draw.
#[derive(Clone)]
enum Cached {
    /// Decoded in wasm.
    Pixels(web_sys::ImageData),
    /// Decoded by the browser.
    Bitmap(web_sys::ImageBitmap),
}

/// A loaded clip and what has been decoded of it.
pub struct Player {
    clip: Clip,
    schedule: Schedule,
    frames: Vec<Option<Cached>>,
    cached_bytes: usize,
    frame_bytes: usize,
    next_to_decode: u32,
    /// When the last byte of the clip was in memory (performance.now()).
    loaded_at: f64,
    /// Playback origin: the frame playing started from, and when (performance.now()).
    play_from: u32,
    play_started: f64,
    last_drawn: Option<u32>,
    /// Pointer state for panning: last position while a button is down.
    drag: Option<(f64, f64)>,
    /// Pointers down on the image (id, x, y), for two-finger pinch and pan.
    pointers: Vec<(i32, f64, f64)>,
    /// A point placed by the pointer that then became the first finger of a pinch.
    placed_by: Option<i32>,
    /// Where an arrow or ellipse drag started.
    shape_from: Option<ImagePoint>,
    /// An H.264 clip: frames exist only once the browser's video decoder has produced them.
    video: bool,
}

impl Drop for Player {
    fn drop(&mut self) {
        // Bitmaps hold decoded pixels outside the wasm heap until closed.
        for frame in self.frames.iter().flatten() {
            if let Cached::Bitmap(b) = frame {
                b.close();
            }
        }
    }
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
    /// The image of frame `n`, decoding it in wasm (and caching within budget) when needed.
    fn image(&mut self, n: u32) -> Result<Cached, CineError> {
        if let Some(Some(img)) = self.frames.get(n as usize) {
            return Ok(img.clone());
        }
        let frame = self.clip.decode_frame(n)?;
        let img = image_data(&frame).ok_or_else(|| CineError::Decode {
            frame: n,
            reason: "the browser refused the image size".into(),
        })?;
        let img = Cached::Pixels(img);
        self.keep(n, img.clone());
        Ok(img)
    }

    /// Caches frame `n` when the budget allows.
    fn keep(&mut self, n: u32, img: Cached) {
        let slot = &mut self.frames[n as usize];
        if slot.is_none() && self.cached_bytes + self.frame_bytes <= FRAME_CACHE_BUDGET {
            self.cached_bytes += self.frame_bytes;
            *slot = Some(img);
        } else if let Cached::Bitmap(b) = img {
            b.close();
        }
    }

    fn budget_left(&self) -> bool {
        self.cached_bytes + self.frame_bytes <= FRAME_CACHE_BUDGET
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

/// Draws frame `n`; failures show the error instead of a blank canvas. A video frame the
/// decoder has not produced yet leaves the picture as it is.
fn draw(st: ViewerState, n: u32) {
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
    st.timing.set(Default::default());
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
        let loaded_at = now();
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
        let browser = matches!(clip.browser_decodable_jpeg(0), Ok(Some(_)));
        let video = clip.video_stream();
        let player = Player {
            clip,
            schedule,
            frames: vec![None; info.frames as usize],
            cached_bytes: 0,
            frame_bytes: info.columns as usize * info.rows as usize * 4,
            next_to_decode: 1,
            loaded_at,
            play_from: 0,
            play_started: 0.0,
            last_drawn: None,
            drag: None,
            pointers: Vec::new(),
            placed_by: None,
            shape_from: None,
            video: video.is_some(),
        };
        PLAYERS.with(|players| players.borrow_mut().insert(st.id, player));
        st.decoder.set(if video.is_some() {
            Decoder::Video
        } else if browser {
            Decoder::Browser
        } else {
            Decoder::Wasm
        });
        st.info.set(Some(info));
        st.load.set(LoadState::Ready);
        // The first frame goes on screen before anything else is decoded; the canvas gets
        // its size from `info` on the next render, so draw once that has happened.
        request_animation_frame(move || {
            if st.generation.get_value() != generation {
                return;
            }
            if let Some(stream) = video {
                decode_video(st, generation, stream);
            } else if browser {
                leptos::task::spawn_local(decode_in_browser(st, generation));
            } else {
                draw(st, 0);
                decode_ahead(st, generation);
            }
        });
    });
}

/// Frame `n` as a JPEG blob for the browser's decoder, when the browser may decode it.
fn jpeg_blob(st: ViewerState, n: u32) -> Option<web_sys::Blob> {
    let jpeg = with_player(st, |p| p.clip.browser_decodable_jpeg(n).ok().flatten()).flatten()?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(jpeg.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/jpeg");
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// Decode-ahead through the browser's image decoder, a few frames in flight, in order; a
/// frame the browser cannot decode (or decodes to another size) is decoded in wasm instead.
async fn decode_in_browser(st: ViewerState, generation: u64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let (count, width, height) = st.info.with_untracked(|i| {
        i.as_ref()
            .map_or((0, 0, 0), |i| (i.frames, i.columns, i.rows))
    });
    let mut pending: VecDeque<(u32, Option<JsFuture>)> = VecDeque::new();
    let mut next = 0u32;
    loop {
        while pending.len() < BROWSER_DECODES_IN_FLIGHT
            && next < count
            && with_player(st, |p| p.budget_left()).unwrap_or(false)
        {
            let promise = jpeg_blob(st, next)
                .and_then(|blob| window.create_image_bitmap_with_blob(&blob).ok())
                .map(JsFuture::from);
            pending.push_back((next, promise));
            next += 1;
        }
        let Some((n, promise)) = pending.pop_front() else {
            break;
        };
        let bitmap = match promise {
            Some(p) => p
                .await
                .ok()
                .and_then(|v| v.dyn_into::<web_sys::ImageBitmap>().ok()),
            None => None,
        };
        if st.generation.get_value() != generation {
            if let Some(b) = bitmap {
                b.close();
            }
            return;
        }
        match bitmap {
            Some(b) if b.width() == width && b.height() == height => {
                with_player(st, |p| p.keep(n, Cached::Bitmap(b)));
            }
            other => {
                if let Some(b) = other {
                    b.close();
                }
                // The error, if any, shows when the frame is drawn.
                let _ = with_player(st, |p| p.image(n));
            }
        }
        if n == 0 {
            draw(st, 0);
        }
        if let Some(decoded) = with_player(st, |p| p.decoded_count()) {
            st.decoded.set(decoded);
        }
    }
    finished_decoding(st);
}

/// Shows why a video clip cannot play.
fn video_failed(st: ViewerState, reason: String) {
    st.playing.set(false);
    st.load.set(LoadState::Failed(ViewerError::Cine(
        CineError::UnsupportedFeature { feature: reason },
    )));
}

fn object(entries: &[(&str, wasm_bindgen::JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (key, value) in entries {
        let _ = js_sys::Reflect::set(&o, &(*key).into(), value);
    }
    o
}

/// Decodes an H.264 clip with the browser's video decoder (WebCodecs), which works on its own
/// threads; each picture comes back in display order and is kept as a bitmap frame.
fn decode_video(st: ViewerState, generation: u64, stream: Vec<u8>) {
    use wasm_bindgen::JsValue;
    use wasm_bindgen::closure::Closure;
    let Some(codec) = cine::video::codec_string(&stream) else {
        video_failed(st, "H.264 without a sequence parameter set".into());
        return;
    };
    if !webcodecs::available() {
        video_failed(
            st,
            "H.264 video in this browser (it has no WebCodecs video decoder)".into(),
        );
        return;
    }
    let (frames, frame_ms) = st.info.with_untracked(|i| {
        i.as_ref()
            .map_or((0, 33.3), |i| (i.frames, i.frame_time_ms))
    });
    let produced = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let on_frame = {
        let produced = produced.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |frame: JsValue| {
            let n = produced.get();
            produced.set(n + 1);
            let frame: webcodecs::VideoFrame = frame.unchecked_into();
            let keep = n < frames
                && st.generation.get_value() == generation
                && with_player(st, |p| p.budget_left()).unwrap_or(false);
            if !keep {
                frame.close();
                return;
            }
            let bitmap = JsFuture::from(webcodecs::create_image_bitmap(&frame));
            leptos::task::spawn_local(async move {
                let bitmap = bitmap.await;
                frame.close();
                let Ok(bitmap) = bitmap.and_then(|b| b.dyn_into::<web_sys::ImageBitmap>()) else {
                    return;
                };
                if st.generation.get_value() != generation {
                    bitmap.close();
                    return;
                }
                with_player(st, |p| p.keep(n, Cached::Bitmap(bitmap)));
                if n == 0 {
                    draw(st, 0);
                }
                if let Some(decoded) = with_player(st, |p| p.decoded_count()) {
                    st.decoded.set(decoded);
                    if decoded >= frames {
                        finished_decoding(st);
                    }
                }
            });
        })
    };
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let message = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        video_failed(
            st,
            format!("H.264 video: the browser's decoder stopped ({message})"),
        );
    });
    let init = object(&[
        ("output", on_frame.as_ref().clone()),
        ("error", on_error.as_ref().clone()),
    ]);
    // The decoder calls these for as long as it lives; it lives as long as the page.
    on_frame.forget();
    on_error.forget();
    let decoder = match webcodecs::VideoDecoder::new(&init) {
        Ok(d) => d,
        Err(_) => return video_failed(st, "H.264 video in this browser".into()),
    };
    // No description: the chunks are Annex B byte stream, parameter sets in band.
    if decoder
        .configure(&object(&[
            ("codec", codec.clone().into()),
            ("optimizeForLatency", true.into()),
        ]))
        .is_err()
    {
        return video_failed(st, format!("H.264 video ({codec}) in this browser"));
    }
    leptos::task::spawn_local(async move {
        let units = cine::video::access_units(&stream);
        for (i, unit) in units.iter().enumerate() {
            if st.generation.get_value() != generation {
                let _ = decoder.close();
                return;
            }
            // Keep the decoder's queue short so memory stays flat on long clips.
            while decoder.decode_queue_size() > 16 {
                sleep_ms(4).await;
            }
            let data = js_sys::Uint8Array::from(&stream[unit.bytes.clone()]);
            let chunk = webcodecs::EncodedVideoChunk::new(&object(&[
                ("type", if unit.key { "key" } else { "delta" }.into()),
                ("timestamp", ((i as f64) * frame_ms * 1000.0).round().into()),
                ("data", data.into()),
            ]));
            match chunk.map(|c| decoder.decode(&c)) {
                Ok(Ok(())) => {}
                _ => return video_failed(st, format!("H.264 video: picture {} is damaged", i + 1)),
            }
        }
        let _ = JsFuture::from(decoder.flush()).await;
        let _ = decoder.close();
        finished_decoding(st);
    });
}

/// Waits `ms` milliseconds.
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Records how long decoding the whole clip took (from the last byte).
fn finished_decoding(st: ViewerState) {
    let decoded = with_player(st, |p| (p.decoded_count(), now() - p.loaded_at));
    if let Some((count, ms)) = decoded {
        st.decoded.set(count);
        if st.timing.with_untracked(|t| t.all_decoded_ms.is_none()) {
            st.timing.update(|t| t.all_decoded_ms = Some(ms));
        }
    }
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
        } else {
            finished_decoding(st);
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

fn to_point(p: ImagePoint) -> Point {
    Point { x: p.x, y: p.y }
}

/// Adds an annotation shown on the whole clip (the list below the viewer narrows it).
fn add_annotation(st: ViewerState, shape: Shape) {
    let Some(target) = st.editable else {
        return;
    };
    let last = st
        .info
        .with_untracked(|i| i.as_ref().map_or(0, |i| i.frames.saturating_sub(1)));
    target.update(|list| {
        list.push(Annotation {
            shape,
            first_frame: 0,
            last_frame: last,
            color: None,
        })
    });
}

/// Closes the polygon being drawn into an annotation (three points at least).
pub fn finish_polygon(st: ViewerState) {
    let points = st.points.get_untracked();
    if st.tool.get_untracked() == Tool::Polygon && points.len() >= 3 {
        add_annotation(
            st,
            Shape::Polygon {
                points: points.into_iter().map(to_point).collect(),
            },
        );
        st.points.set(Vec::new());
    }
}

fn capture(ev: &web_sys::PointerEvent) {
    if let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        let _ = target.set_pointer_capture(ev.pointer_id());
    }
}

pub fn pointer_down(st: ViewerState, ev: web_sys::PointerEvent) {
    let id = ev.pointer_id();
    let at = (ev.client_x() as f64, ev.client_y() as f64);
    let fingers = with_player(st, |p| {
        p.pointers.retain(|(pid, _, _)| *pid != id);
        p.pointers.push((id, at.0, at.1));
        p.pointers.len()
    })
    .unwrap_or(0);
    capture(&ev);
    if fingers >= 2 {
        // A second finger: pinch and pan; undo whatever the first finger started.
        let placed = with_player(st, |p| {
            p.drag = None;
            p.shape_from = None;
            p.placed_by.take()
        })
        .flatten();
        if placed.is_some() {
            st.points.update(|pts| {
                pts.pop();
            });
        }
        return;
    }
    let point = image_point(st, &ev);
    match st.tool.get_untracked() {
        Tool::Pan => {
            with_player(st, |p| p.drag = Some(at));
        }
        Tool::Distance | Tool::Area | Tool::Polygon => {
            if let Some(pt) = point {
                let tool = st.tool.get_untracked();
                st.points.update(|pts| {
                    if tool == Tool::Distance && pts.len() >= 2 {
                        pts.clear();
                    }
                    pts.push(pt);
                });
                with_player(st, |p| p.placed_by = Some(id));
            }
        }
        Tool::Arrow | Tool::Ellipse => {
            if let Some(pt) = point {
                with_player(st, |p| p.shape_from = Some(pt));
                st.points.set(vec![pt, pt]);
            }
        }
        Tool::Text => {
            if let Some(pt) = point {
                // Counted first: the list's new row reads it to take the focus.
                st.text_added.update(|n| *n += 1);
                add_annotation(
                    st,
                    Shape::Text {
                        at: to_point(pt),
                        text: String::new(),
                    },
                );
            }
        }
    }
}

fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

pub fn pointer_move(st: ViewerState, ev: web_sys::PointerEvent) {
    let id = ev.pointer_id();
    let at = (ev.client_x() as f64, ev.client_y() as f64);
    // Two fingers: the change in their distance zooms, the move of their midpoint pans.
    let pinch = with_player(st, |p| {
        let [a, b] = p.pointers.get(..2)? else {
            return None;
        };
        let (a, b) = ((a.1, a.2), (b.1, b.2));
        let slot = p.pointers.iter_mut().find(|(pid, _, _)| *pid == id)?;
        (slot.1, slot.2) = at;
        let [c, d] = p.pointers.get(..2)? else {
            return None;
        };
        let (c, d) = ((c.1, c.2), (d.1, d.2));
        let before = distance(a, b);
        let scale = if before > 1.0 {
            distance(c, d) / before
        } else {
            1.0
        };
        let shift = ((c.0 + d.0 - a.0 - b.0) / 2.0, (c.1 + d.1 - a.1 - b.1) / 2.0);
        Some((scale, shift))
    })
    .flatten();
    if let Some((scale, (dx, dy))) = pinch {
        st.zoom.update(|z| *z = (*z * scale).clamp(0.25, 16.0));
        st.pan.update(|(x, y)| {
            *x += dx;
            *y += dy;
        });
        return;
    }
    with_player(st, |p| {
        if let Some(slot) = p.pointers.iter_mut().find(|(pid, _, _)| *pid == id) {
            (slot.1, slot.2) = at;
        }
    });
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
        return;
    }
    let drawing = with_player(st, |p| p.shape_from).flatten();
    if let (Some(from), Some(to)) = (drawing, image_point(st, &ev)) {
        st.points.set(vec![from, to]);
    }
}

pub fn pointer_up(st: ViewerState, ev: web_sys::PointerEvent) {
    let id = ev.pointer_id();
    let from = with_player(st, |p| {
        p.pointers.retain(|(pid, _, _)| *pid != id);
        p.drag = None;
        p.placed_by = None;
        p.shape_from.take()
    })
    .flatten();
    let (Some(from), Some(to)) = (from, image_point(st, &ev)) else {
        return;
    };
    st.points.set(Vec::new());
    if (to.x - from.x).hypot(to.y - from.y) < MIN_SHAPE_PX {
        return;
    }
    let shape = match st.tool.get_untracked() {
        Tool::Arrow => Shape::Arrow {
            tail: to_point(from),
            head: to_point(to),
        },
        Tool::Ellipse => Shape::Ellipse {
            center: to_point(from),
            rx: (to.x - from.x).abs().max(1.0),
            ry: (to.y - from.y).abs().max(1.0),
        },
        _ => return,
    };
    add_annotation(st, shape);
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

/// The pointer left without finishing (e.g. the browser took over a touch).
pub fn pointer_cancel(st: ViewerState, ev: web_sys::PointerEvent) {
    let id = ev.pointer_id();
    let drawing = with_player(st, |p| {
        p.pointers.retain(|(pid, _, _)| *pid != id);
        p.drag = None;
        p.placed_by = None;
        p.shape_from.take().is_some()
    });
    if drawing == Some(true) {
        st.points.set(Vec::new());
    }
}
