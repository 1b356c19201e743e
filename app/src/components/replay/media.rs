//! Media elements for the replay (browser only): voices and screen recordings fetched whole
//! into object URLs, their length found, and waiting for an element's events.
//!
//! MediaRecorder's WebM files carry no cues and no duration. Chromium seeks them anyway (the
//! tone at each position was checked after seeks both ways, served with and without Range
//! and from a Blob), but over a response without Range a seek past the unknown end goes back
//! to the start, and `duration` stays infinite until the file has been read to its end. So
//! each file is fetched whole (voices are small Opus files) and played from an object URL,
//! and its length is found once by seeking far past the end, before the player says ready.
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `performance.now()` in ms (0 where there is no window).
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

pub fn js_message(err: JsValue) -> String {
    err.as_string()
        .or_else(|| {
            err.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .or_else(|| {
            js_sys::Reflect::get(&err, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "error".to_string())
}

/// Fetches `url` whole and returns an object URL for it (revoke it with [`revoke`]).
pub async fn fetch_object_url(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(js_message)?
        .dyn_into()
        .map_err(js_message)?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let blob: web_sys::Blob = JsFuture::from(response.blob().map_err(js_message)?)
        .await
        .map_err(js_message)?
        .dyn_into()
        .map_err(js_message)?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(js_message)
}

pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// An event name with the listener waiting for it.
type Listener = (&'static str, Closure<dyn FnMut()>);

/// Waits for the first of `names` to fire on `target`, or `timeout_ms`; says which
/// (`"timeout"` for the timeout).
pub async fn next_event(
    target: &web_sys::EventTarget,
    names: &[&'static str],
    timeout_ms: i32,
) -> &'static str {
    let mut resolve_fn = None::<js_sys::Function>;
    let promise = js_sys::Promise::new(&mut |resolve, _| resolve_fn = Some(resolve));
    let Some(resolve) = resolve_fn else {
        return "timeout";
    };
    let listeners: Vec<Listener> = names
        .iter()
        .map(|&name| {
            let resolve = resolve.clone();
            let listener = Closure::<dyn FnMut()>::new(move || {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(name));
            });
            (name, listener)
        })
        .collect();
    for (name, listener) in &listeners {
        let _ = target.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    }
    let timer = {
        let resolve = resolve.clone();
        Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str("timeout"));
        })
    };
    let handle = web_sys::window().and_then(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(
            timer.as_ref().unchecked_ref(),
            timeout_ms,
        )
        .ok()
    });
    let fired = JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string());
    if let (Some(w), Some(h)) = (web_sys::window(), handle) {
        w.clear_timeout_with_handle(h);
    }
    for (name, listener) in &listeners {
        let _ = target.remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
    }
    names
        .iter()
        .copied()
        .find(|n| fired.as_deref() == Some(*n))
        .unwrap_or("timeout")
}

/// Loads `src` into `el` and finds its length (ms; `None` if the browser never says); the
/// element is left at its start. Fails when the browser cannot play the file.
pub async fn prepare(el: &web_sys::HtmlMediaElement, src: &str) -> Result<Option<f64>, String> {
    el.set_preload("auto");
    el.set_src(src);
    el.load();
    if el.ready_state() < 1 {
        let fired = next_event(el, &["loadedmetadata", "error"], 30_000).await;
        if fired != "loadedmetadata" {
            let error = js_sys::Reflect::get(el, &"error".into()).ok();
            let message = error
                .and_then(|e| js_sys::Reflect::get(&e, &"message".into()).ok())
                .and_then(|m| m.as_string())
                .filter(|m| !m.is_empty());
            return Err(message.unwrap_or_else(|| fired.to_string()));
        }
    }
    let known = |d: f64| (d.is_finite() && d > 0.0).then_some(d * 1000.0);
    if let Some(ms) = known(el.duration()) {
        return Ok(Some(ms));
    }
    // A seek far past the end makes the browser read to the end and learn the duration.
    el.set_current_time(1.0e7);
    next_event(el, &["seeked", "error"], 10_000).await;
    let length = known(el.duration()).or_else(|| known(el.current_time()));
    el.set_current_time(0.0);
    next_event(el, &["seeked", "error"], 10_000).await;
    Ok(length)
}

/// Asks `el` to play; `Err(true)` when the browser refused (no user gesture yet), `Err(false)`
/// for any other failure (a pause that came first).
pub async fn play(el: &web_sys::HtmlMediaElement) -> Result<(), bool> {
    let Ok(promise) = el.play() else {
        return Err(false);
    };
    match JsFuture::from(promise).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let name = js_sys::Reflect::get(&e, &"name".into())
                .ok()
                .and_then(|n| n.as_string());
            Err(name.as_deref() == Some("NotAllowedError"))
        }
    }
}

/// Keeps the voice's pitch when its speed changes (the standard name, and Safari's).
pub fn keep_pitch(el: &web_sys::HtmlMediaElement) {
    for name in ["preservesPitch", "webkitPreservesPitch"] {
        let _ = js_sys::Reflect::set(el, &name.into(), &JsValue::TRUE);
    }
}
