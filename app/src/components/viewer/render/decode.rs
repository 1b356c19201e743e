//! Loading a clip and filling its frame cache: in wasm between frames, or by the browser. A
//! native (uncompressed) clip has no cache: its frames are converted as they are drawn.
use super::ViewerError;
use super::draw::draw;
use super::input::fit;
use super::player::{
    Cached, FRAME_CACHE_BUDGET, FrameSource, NativeFrames, PLAYERS, Player, drop_player, now,
    with_player,
};
use super::video::decode_video;
use crate::cine::{CineError, Clip, NativeClip};
use crate::components::viewer::playback::Schedule;
use crate::components::viewer::{ClipSource, Decoder, LoadState, ViewerState};
use leptos::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Longest slice of decode-ahead work between two chances for input and drawing.
const DECODE_SLICE_MS: f64 = 8.0;
/// Frames handed to the browser's image decoder at once.
const BROWSER_DECODES_IN_FLIGHT: usize = 4;

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
            ClipSource::Local { bytes, .. } => Ok(bytes),
            ClipSource::Url(url) => {
                crate::components::viewer::fetch::fetch_bytes(&url, move |received, total| {
                    if st.generation.get_value() == generation {
                        st.load.set(LoadState::Loading { received, total });
                    }
                })
                .await
                .map(Arc::new)
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
        let source = match open(bytes) {
            Ok(s) => s,
            Err(e) => {
                st.load.set(LoadState::Failed(ViewerError::Cine(e)));
                return;
            }
        };
        let (info, browser, video) = match &source {
            FrameSource::Native(native) => (native.info().clone(), false, None),
            FrameSource::Decoded(clip) => (
                clip.info().clone(),
                matches!(clip.browser_decodable_jpeg(0), Ok(Some(_))),
                clip.video_stream(),
            ),
        };
        let native = matches!(source, FrameSource::Native(_));
        let schedule = Schedule::new(
            info.frames,
            info.frame_time_ms,
            info.frame_time_vector_ms.as_deref(),
        );
        let player = Player {
            source,
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
            rgba: Vec::new(),
        };
        PLAYERS.with(|players| players.borrow_mut().insert(st.id, player));
        st.decoder.set(if native {
            Decoder::Native
        } else if video.is_some() {
            Decoder::Video
        } else if browser {
            Decoder::Browser
        } else {
            Decoder::Wasm
        });
        st.info.set(Some(info));
        st.load.set(LoadState::Ready);
        if native {
            // Every frame can be drawn now that the header is read.
            finished_decoding(st);
        }
        // The first frame goes on screen before anything else is decoded; the canvas gets
        // its size from `info` on the next render, so draw once that has happened.
        request_animation_frame(move || {
            if st.generation.try_get_value() != Some(generation) {
                return;
            }
            if let Some(stream) = video {
                decode_video(st, generation, stream);
            } else if browser {
                leptos::task::spawn_local(decode_in_browser(st, generation));
            } else {
                draw(st, 0);
                if !native {
                    decode_ahead(st, generation);
                }
            }
        });
    });
}

/// Reads a native clip's header only, keeping its bytes for drawing; parses any other clip
/// whole, to be decoded, and lets its bytes go.
fn open(bytes: Arc<Vec<u8>>) -> Result<FrameSource, CineError> {
    if let Some(clip) = NativeClip::parse(bytes.clone())? {
        let (width, height) = (clip.info().columns, clip.info().rows);
        return NativeFrames::new(clip)
            .map(|frames| FrameSource::Native(Box::new(frames)))
            .ok_or_else(|| CineError::UnsupportedFeature {
                feature: format!("a {width}×{height} image in this browser"),
            });
    }
    Clip::parse(&bytes).map(|clip| FrameSource::Decoded(Box::new(clip)))
}

/// Frame `n` as a JPEG blob for the browser's decoder, when the browser may decode it.
fn jpeg_blob(st: ViewerState, n: u32) -> Option<web_sys::Blob> {
    let jpeg = with_player(st, |p| match &p.source {
        FrameSource::Decoded(clip) => clip.browser_decodable_jpeg(n).ok().flatten(),
        FrameSource::Native(_) => None,
    })
    .flatten()?;
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

/// Records how long decoding the whole clip took (from the last byte).
pub(super) fn finished_decoding(st: ViewerState) {
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
    if st.generation.try_get_value() != Some(generation) {
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
