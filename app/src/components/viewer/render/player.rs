//! A loaded clip's player: its frame cache within a memory budget, kept per viewer id.
//!
//! Every image handed to the canvas owns its pixels in JS memory. An `ImageData` made with
//! `ImageData::new_with_u8_clamped_array*` is a view on wasm memory: it reads whatever the
//! allocator later puts there once the Rust buffer is freed, and is detached (unusable) as
//! soon as wasm memory grows, which decoding the next frame often does.
use crate::cine::{CineError, Clip, ImagePoint, NativeClip};
use crate::components::viewer::ViewerState;
use crate::components::viewer::playback::Schedule;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Decoded frames kept at most (RGBA bytes); past it frames are decoded when shown.
pub(super) const FRAME_CACHE_BUDGET: usize = 768 << 20;

/// A decoded frame, ready to draw.
#[derive(Clone)]
pub(super) enum Cached {
    /// Decoded (or converted) in wasm, copied into JS memory.
    Pixels(web_sys::ImageData),
    /// Decoded by the browser.
    Bitmap(web_sys::ImageBitmap),
}

/// Where a player's frames come from.
pub(super) enum FrameSource {
    /// Decoded into the frame cache: by `Clip::decode_frame` in wasm, or by the browser.
    Decoded(Box<Clip>),
    /// Native pixel data, converted when a frame is drawn; nothing is cached.
    Native(Box<NativeFrames>),
}

/// A native clip and the one image its frames are converted into, reused from frame to frame.
pub(super) struct NativeFrames {
    clip: NativeClip<Arc<Vec<u8>>>,
    /// The frame last converted.
    rgba: Vec<u8>,
    /// A copy of `rgba` in JS memory, which `image` shows.
    pixels: js_sys::Uint8ClampedArray,
    image: web_sys::ImageData,
}

impl NativeFrames {
    /// Prepares the image frames are converted into; `None` when the browser refuses its size.
    pub(super) fn new(clip: NativeClip<Arc<Vec<u8>>>) -> Option<NativeFrames> {
        let (width, height) = (clip.info().columns, clip.info().rows);
        let pixels = js_sys::Uint8ClampedArray::new_with_length(width * height * 4);
        let image =
            web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(&pixels, width, height).ok()?;
        Some(NativeFrames {
            clip,
            rgba: Vec::new(),
            pixels,
            image,
        })
    }

    /// What the clip is.
    pub(super) fn info(&self) -> &crate::cine::ClipInfo {
        self.clip.info()
    }

    /// Converts frame `n` into the image and returns it, to be drawn before the next frame is
    /// converted into it.
    fn image(&mut self, n: u32) -> Result<web_sys::ImageData, CineError> {
        self.clip.decode_frame_into(n, &mut self.rgba)?;
        if self.rgba.len() != self.pixels.length() as usize {
            return Err(size_refused(n));
        }
        self.pixels.copy_from(&self.rgba);
        Ok(self.image.clone())
    }
}

/// A loaded clip and what has been decoded of it.
pub(super) struct Player {
    pub(super) source: FrameSource,
    pub(super) schedule: Schedule,
    pub(super) frames: Vec<Option<Cached>>,
    pub(super) cached_bytes: usize,
    pub(super) frame_bytes: usize,
    pub(super) next_to_decode: u32,
    /// When the last byte of the clip was in memory (performance.now()).
    pub(super) loaded_at: f64,
    /// Playback origin: the frame playing started from, and when (performance.now()).
    pub(super) play_from: u32,
    pub(super) play_started: f64,
    pub(super) last_drawn: Option<u32>,
    /// Pointer state for panning: last position while a button is down.
    pub(super) drag: Option<(f64, f64)>,
    /// Pointers down on the image (id, x, y), for two-finger pinch and pan.
    pub(super) pointers: Vec<(i32, f64, f64)>,
    /// A point placed by the pointer that then became the first finger of a pinch.
    pub(super) placed_by: Option<i32>,
    /// Where an arrow or ellipse drag started.
    pub(super) shape_from: Option<ImagePoint>,
    /// An H.264 clip: frames exist only once the browser's video decoder has produced them.
    pub(super) video: bool,
    /// The frame last decoded in wasm, before its copy into JS memory; reused frame to frame.
    pub(super) rgba: Vec<u8>,
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
    pub(super) static PLAYERS: RefCell<HashMap<u64, Player>> = RefCell::new(HashMap::new());
}

static NEXT_VIEWER: AtomicU64 = AtomicU64::new(1);

/// A fresh viewer id.
pub fn new_viewer_id() -> u64 {
    NEXT_VIEWER.fetch_add(1, Ordering::Relaxed)
}

/// Runs `f` on the viewer's player, if it has one.
pub(super) fn with_player<R>(st: ViewerState, f: impl FnOnce(&mut Player) -> R) -> Option<R> {
    PLAYERS.with(|players| players.borrow_mut().get_mut(&st.id).map(f))
}

/// Forgets the viewer's player (on unmount or before loading another clip).
pub fn drop_player(id: u64) {
    PLAYERS.with(|players| players.borrow_mut().remove(&id));
}

pub(super) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn size_refused(n: u32) -> CineError {
    CineError::Decode {
        frame: n,
        reason: "the browser refused the image size".into(),
    }
}

/// A decoded frame as an image owning a copy of its pixels.
fn image_data(rgba: &[u8], width: u32, height: u32) -> Option<web_sys::ImageData> {
    let pixels = js_sys::Uint8ClampedArray::from(rgba);
    web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(&pixels, width, height).ok()
}

impl Player {
    /// The image of frame `n`: from the cache, converted from native pixel data, or decoded in
    /// wasm (and cached within budget).
    pub(super) fn image(&mut self, n: u32) -> Result<Cached, CineError> {
        if let Some(Some(img)) = self.frames.get(n as usize) {
            return Ok(img.clone());
        }
        let clip = match &mut self.source {
            FrameSource::Native(native) => return native.image(n).map(Cached::Pixels),
            FrameSource::Decoded(clip) => clip,
        };
        clip.decode_frame_into(n, &mut self.rgba)?;
        let (width, height) = (clip.info().columns, clip.info().rows);
        let img =
            Cached::Pixels(image_data(&self.rgba, width, height).ok_or_else(|| size_refused(n))?);
        self.keep(n, img.clone());
        Ok(img)
    }

    /// Caches frame `n` when the budget allows.
    pub(super) fn keep(&mut self, n: u32, img: Cached) {
        let slot = &mut self.frames[n as usize];
        if slot.is_none() && self.cached_bytes + self.frame_bytes <= FRAME_CACHE_BUDGET {
            self.cached_bytes += self.frame_bytes;
            *slot = Some(img);
        } else if let Cached::Bitmap(b) = img {
            b.close();
        }
    }

    pub(super) fn budget_left(&self) -> bool {
        self.cached_bytes + self.frame_bytes <= FRAME_CACHE_BUDGET
    }

    /// Frames ready to draw at once: every frame of a native clip.
    pub(super) fn decoded_count(&self) -> u32 {
        match self.source {
            FrameSource::Native(_) => self.schedule.frames(),
            FrameSource::Decoded(_) => self.frames.iter().filter(|f| f.is_some()).count() as u32,
        }
    }
}
