//! H.264 clips through the browser's video decoder (WebCodecs), kept as bitmap frames.
use super::ViewerError;
use super::decode::finished_decoding;
use super::draw::draw;
use super::player::{Cached, with_player};
use crate::cine::CineError;
use crate::components::viewer::{LoadState, ViewerState};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
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
pub(super) fn decode_video(st: ViewerState, generation: u64, stream: Vec<u8>) {
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
