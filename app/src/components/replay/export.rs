//! The replay as a WebM video, made in the browser: every animation frame the picture (the
//! viewer's canvas or the screen recording), then the drawings and pointers, is painted on a
//! canvas of its own at the view's zoom and pan; the canvas's stream and the voices (routed
//! through WebAudio) are recorded by MediaRecorder while the replay plays through once at 1×.
use super::clock::percent;
use super::engine::Deck;
use super::media::{js_message, now, revoke};
use super::paint::{paint_annotation, paint_pointer, pointer_radius};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Where an export stands, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportState {
    Idle,
    /// Recording; the share played so far (percent).
    Running(u32),
    /// The video, as an object URL, and its size in bytes.
    Done {
        url: String,
        bytes: f64,
    },
    Failed(ExportError),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExportError {
    /// No MediaRecorder, or no WebM.
    Unsupported,
    /// The picture is not on screen yet.
    NotReady,
    /// What the browser said.
    Browser(String),
}

/// The picture the export copies from.
enum Picture {
    Canvas(web_sys::HtmlCanvasElement),
    Video(web_sys::HtmlVideoElement),
}

impl Picture {
    fn size(&self) -> (u32, u32) {
        match self {
            Picture::Canvas(c) => (c.width(), c.height()),
            Picture::Video(v) => (v.video_width(), v.video_height()),
        }
    }
}

/// A player's WebAudio graph: made on the first export and kept, because an element routed
/// through WebAudio is heard only through it from then on.
struct AudioGraph {
    ctx: web_sys::AudioContext,
    sources: Vec<(usize, web_sys::MediaElementAudioSourceNode)>,
}

struct Recording {
    deck: Deck,
    state: RwSignal<ExportState>,
    picture: Picture,
    size: (u32, u32),
    canvas: web_sys::HtmlCanvasElement,
    ctx: web_sys::CanvasRenderingContext2d,
    stream: web_sys::MediaStream,
    recorder: web_sys::MediaRecorder,
    audio: Option<web_sys::MediaStreamAudioDestinationNode>,
    chunks: Rc<RefCell<Vec<web_sys::Blob>>>,
    speed_before: f64,
    /// When the recorder started (performance.now()), for the file's duration.
    started: f64,
    cancelled: bool,
    _on_data: Closure<dyn FnMut(web_sys::BlobEvent)>,
    _on_stop: Closure<dyn FnMut()>,
}

thread_local! {
    static GRAPHS: RefCell<HashMap<u64, AudioGraph>> = RefCell::new(HashMap::new());
    static RECORDINGS: RefCell<HashMap<u64, Recording>> = RefCell::new(HashMap::new());
}

/// The WebM type this browser records, voices or not.
fn mime(with_voice: bool) -> Option<&'static str> {
    let wanted: &[&'static str] = if with_voice {
        &["video/webm;codecs=vp8,opus", "video/webm"]
    } else {
        &["video/webm;codecs=vp8", "video/webm"]
    };
    wanted
        .iter()
        .copied()
        .find(|m| web_sys::MediaRecorder::is_type_supported(m))
}

fn find_picture(root: &web_sys::Element) -> Option<Picture> {
    let el = root
        .query_selector(".replay-stage video, .replay-stage canvas")
        .ok()
        .flatten()?;
    match el.dyn_into::<web_sys::HtmlVideoElement>() {
        Ok(v) => Some(Picture::Video(v)),
        Err(el) => el
            .dyn_into::<web_sys::HtmlCanvasElement>()
            .ok()
            .map(Picture::Canvas),
    }
}

/// Routes the ready voices into a new stream destination (and on to the speakers).
fn voice_stream(
    deck: Deck,
    voices: &[(usize, web_sys::HtmlAudioElement)],
) -> Result<web_sys::MediaStreamAudioDestinationNode, JsValue> {
    GRAPHS.with(|graphs| {
        let mut graphs = graphs.borrow_mut();
        let graph = match graphs.entry(deck.id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(AudioGraph {
                ctx: web_sys::AudioContext::new()?,
                sources: Vec::new(),
            }),
        };
        let _ = graph.ctx.resume();
        let dest = graph.ctx.create_media_stream_destination()?;
        for (i, el) in voices {
            if !graph.sources.iter().any(|(k, _)| k == i) {
                let source = graph.ctx.create_media_element_source(el)?;
                source.connect_with_audio_node(&graph.ctx.destination())?;
                graph.sources.push((*i, source));
            }
        }
        for (_, source) in &graph.sources {
            source.connect_with_audio_node(&dest)?;
        }
        Ok(dest)
    })
}

/// Starts recording the replay from its start; `state` follows it.
pub fn start(deck: Deck, root: NodeRef<leptos::html::Div>, state: RwSignal<ExportState>) {
    if deck.exporting.get_untracked() {
        return;
    }
    if let ExportState::Done { url, .. } = state.get_untracked() {
        revoke(&url);
    }
    if let Err(e) = begin(deck, root, state) {
        state.set(ExportState::Failed(e));
    }
}

fn begin(
    deck: Deck,
    root: NodeRef<leptos::html::Div>,
    state: RwSignal<ExportState>,
) -> Result<(), ExportError> {
    let browser = |e: JsValue| ExportError::Browser(js_message(e));
    let window = web_sys::window().ok_or(ExportError::Unsupported)?;
    if !js_sys::Reflect::has(&window, &"MediaRecorder".into()).unwrap_or(false) {
        return Err(ExportError::Unsupported);
    }
    let root = root.get_untracked().ok_or(ExportError::NotReady)?;
    let picture = find_picture(&root).ok_or(ExportError::NotReady)?;
    let size = picture.size();
    if size.0 == 0 || size.1 == 0 {
        return Err(ExportError::NotReady);
    }
    let voices = deck.voice_elements();
    let mime = mime(!voices.is_empty()).ok_or(ExportError::Unsupported)?;
    let document = window.document().ok_or(ExportError::Unsupported)?;
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(browser)?
        .dyn_into()
        .map_err(|_| ExportError::Unsupported)?;
    // VP8 wants even sides.
    canvas.set_width(size.0 + size.0 % 2);
    canvas.set_height(size.1 + size.1 % 2);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(browser)?
        .ok_or(ExportError::Unsupported)?
        .dyn_into()
        .map_err(|_| ExportError::Unsupported)?;
    let stream = canvas
        .capture_stream_with_frame_request_rate(30.0)
        .map_err(browser)?;
    let audio = if voices.is_empty() {
        None
    } else {
        let dest = voice_stream(deck, &voices).map_err(browser)?;
        for track in dest.stream().get_audio_tracks() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                stream.add_track(&track);
            }
        }
        Some(dest)
    };
    let options = web_sys::MediaRecorderOptions::new();
    options.set_mime_type(mime);
    options.set_video_bits_per_second(2_500_000);
    let recorder =
        web_sys::MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options)
            .map_err(browser)?;
    let chunks = Rc::new(RefCell::new(Vec::new()));
    let on_data = {
        let chunks = chunks.clone();
        Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |ev: web_sys::BlobEvent| {
            if let Some(blob) = ev.data().filter(|b| b.size() > 0.0) {
                chunks.borrow_mut().push(blob);
            }
        })
    };
    let id = deck.id;
    // Not torn down inside its own call: the closure lives in the recording it removes.
    let on_stop = Closure::<dyn FnMut()>::new(move || {
        let ended = now();
        leptos::task::spawn_local(stopped(id, ended));
    });
    recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));

    // The transport belongs to the export: from the start, at 1×.
    let speed_before = deck.speed.get_untracked();
    deck.pause();
    deck.set_speed(1.0);
    deck.seek(0);
    RECORDINGS.with(|r| {
        r.borrow_mut().insert(
            id,
            Recording {
                deck,
                state,
                picture,
                size,
                canvas,
                ctx,
                stream,
                recorder: recorder.clone(),
                audio,
                chunks,
                speed_before,
                started: now(),
                cancelled: false,
                _on_data: on_data,
                _on_stop: on_stop,
            },
        )
    });
    compose(deck);
    if let Err(e) = recorder.start_with_time_slice(1000) {
        RECORDINGS.with(|r| r.borrow_mut().remove(&id));
        deck.set_speed(speed_before);
        return Err(browser(e));
    }
    deck.exporting.set(true);
    state.set(ExportState::Running(0));
    deck.on_frame.set_value(Some(on_frame));
    deck.play();
    Ok(())
}

/// Paints the picture, drawings and pointers now on screen onto the export's canvas.
fn compose(deck: Deck) {
    RECORDINGS.with(|r| {
        let r = r.borrow();
        let Some(rec) = r.get(&deck.id) else {
            return;
        };
        let ctx = &rec.ctx;
        let (w, h) = (f64::from(rec.size.0), f64::from(rec.size.1));
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.set_fill_style_str("#000");
        ctx.fill_rect(
            0.0,
            0.0,
            f64::from(rec.canvas.width()),
            f64::from(rec.canvas.height()),
        );
        // The view's zoom and pan, as the viewer applies them around the picture's centre.
        let view = deck.state.with_value(|s| s.view.unwrap_or_default());
        let zoom = view.zoom.clamp(0.25, 16.0);
        let _ = ctx.translate(w / 2.0 + view.pan[0] * w, h / 2.0 + view.pan[1] * h);
        let _ = ctx.scale(zoom, zoom);
        let _ = ctx.translate(-w / 2.0, -h / 2.0);
        let _ = match &rec.picture {
            Picture::Canvas(c) => ctx.draw_image_with_html_canvas_element(c, 0.0, 0.0),
            Picture::Video(v) => {
                ctx.draw_image_with_html_video_element_and_dw_and_dh(v, 0.0, 0.0, w, h)
            }
        };
        let frame = deck.frame.get_untracked();
        let line = (w.max(h) / 300.0).max(2.0);
        deck.drawings.with_untracked(|list| {
            for a in list.iter().filter(|a| a.visible_on(frame)) {
                paint_annotation(ctx, a, line);
            }
        });
        let r = pointer_radius(rec.size);
        for (slot, p) in deck.pointers.get_untracked().into_iter().enumerate() {
            if let Some(p) = p {
                paint_pointer(ctx, slot, p, r);
            }
        }
    });
}

/// Every animation frame of the export's playing: paint, count progress, stop at the end.
fn on_frame(deck: Deck, finished: bool) {
    compose(deck);
    let state = RECORDINGS.with(|r| r.borrow().get(&deck.id).map(|rec| rec.state));
    if let Some(state) = state {
        let done = ExportState::Running(percent(deck.t.get_untracked(), deck.duration_ms));
        if state.get_untracked() != done {
            state.set(done);
        }
    }
    if finished {
        // A moment more, so the last frame reaches the file.
        let id = deck.id;
        set_timeout(
            move || {
                RECORDINGS.with(|r| {
                    if let Some(rec) = r.borrow().get(&id) {
                        let _ = rec.recorder.stop();
                    }
                })
            },
            Duration::from_millis(300),
        );
    }
}

/// Stops an export under way and throws its video away.
pub fn cancel(deck: Deck) {
    let recorder = RECORDINGS.with(|r| {
        r.borrow_mut().get_mut(&deck.id).map(|rec| {
            rec.cancelled = true;
            rec.recorder.clone()
        })
    });
    deck.on_frame.set_value(None);
    deck.pause();
    if let Some(recorder) = recorder {
        let _ = recorder.stop();
    }
}

/// The recorded pieces as one WebM file that says how long it is (`ms`).
async fn video_file(chunks: &[web_sys::Blob], ms: f64) -> Result<web_sys::Blob, JsValue> {
    let parts = js_sys::Array::new();
    for blob in chunks {
        parts.push(blob);
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("video/webm");
    let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    match super::webm::with_duration(&bytes, ms) {
        Some(patched) => {
            let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(patched.as_slice()));
            web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        }
        None => Ok(blob),
    }
}

/// The recorder has stopped (at `ended`): hand over the file (unless cancelled) and give the
/// transport back.
async fn stopped(id: u64, ended: f64) {
    let Some(rec) = RECORDINGS.with(|r| r.borrow_mut().remove(&id)) else {
        return;
    };
    let deck = rec.deck;
    deck.on_frame.try_set_value(None);
    for track in rec.stream.get_tracks() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
    if let Some(dest) = &rec.audio {
        GRAPHS.with(|g| {
            if let Some(graph) = g.borrow().get(&id) {
                for (_, source) in &graph.sources {
                    let _ = source.disconnect_with_audio_node(dest);
                }
            }
        });
    }
    if deck.exporting.try_set(false).is_some() {
        // The player has gone: nothing to hand over.
        return;
    }
    deck.set_speed(rec.speed_before);
    if rec.cancelled {
        rec.state.set(ExportState::Idle);
        return;
    }
    let chunks = rec.chunks.borrow().clone();
    let made = video_file(&chunks, ended - rec.started)
        .await
        .and_then(|blob| {
            web_sys::Url::create_object_url_with_blob(&blob).map(|url| (url, blob.size()))
        });
    if rec.state.try_get_untracked().is_none() {
        // The player went while the file was put together.
        if let Ok((url, _)) = &made {
            revoke(url);
        }
        return;
    }
    rec.state.set(match made {
        Ok((url, bytes)) => ExportState::Done { url, bytes },
        Err(e) => ExportState::Failed(ExportError::Browser(js_message(e))),
    });
}

/// Forgets a player's recording and audio graph (it left the page).
pub fn drop_player(deck: Deck) {
    if let Some(rec) = RECORDINGS.with(|r| r.borrow_mut().remove(&deck.id)) {
        // Its handlers go with it, so the recorder must not call them.
        rec.recorder.set_ondataavailable(None);
        rec.recorder.set_onstop(None);
        let _ = rec.recorder.stop();
        for track in rec.stream.get_tracks() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                track.stop();
            }
        }
    }
    if let Some(graph) = GRAPHS.with(|g| g.borrow_mut().remove(&deck.id)) {
        let _ = graph.ctx.close();
    }
}
