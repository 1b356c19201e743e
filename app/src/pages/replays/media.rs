//! The browser's side of a replay's media: the microphone, MediaRecorder (Opus when the
//! browser has it), a level meter, object URLs for a voice not yet saved, and uploads of a raw
//! body with progress (voices to `POST /replays/media`, packages to `POST /replays/import`).
//! Called from event handlers only, which never run on the server.
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Why the recorder has no microphone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MicProblem {
    /// The person (or the browser's settings) said no.
    Refused,
    /// There is no microphone.
    Absent,
    /// The page cannot ask (an insecure address, an old browser).
    Unavailable,
    /// The microphone is there but could not be started (in use, a hardware fault).
    Failed,
}

/// The browser's clock in milliseconds (monotonic; the recorder's time base).
pub fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn error_name(e: &JsValue) -> Option<String> {
    js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
}

/// Asks for the microphone (`getUserMedia({audio: true})`).
pub async fn microphone() -> Result<web_sys::MediaStream, MicProblem> {
    let window = web_sys::window().ok_or(MicProblem::Unavailable)?;
    // `mediaDevices` is missing outside a secure context, so it is looked up, not assumed.
    let devices = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("mediaDevices"))
        .ok()
        .filter(|d| d.is_object())
        .ok_or(MicProblem::Unavailable)?
        .unchecked_into::<web_sys::MediaDevices>();
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    let asked = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| MicProblem::Unavailable)?;
    match JsFuture::from(asked).await {
        Ok(stream) => Ok(stream.unchecked_into()),
        Err(e) => Err(match error_name(&e).as_deref() {
            Some("NotAllowedError" | "SecurityError" | "PermissionDeniedError") => {
                MicProblem::Refused
            }
            Some("NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError") => {
                MicProblem::Absent
            }
            _ => MicProblem::Failed,
        }),
    }
}

/// The recording format: Opus in WebM, else what the browser offers.
fn voice_mime() -> Option<&'static str> {
    [
        "audio/webm;codecs=opus",
        "audio/ogg;codecs=opus",
        "audio/webm",
        "audio/mp4",
    ]
    .into_iter()
    .find(|m| web_sys::MediaRecorder::is_type_supported(m))
}

/// How loud the microphone is, from an analyser on the stream.
struct LevelMeter {
    context: web_sys::AudioContext,
    analyser: web_sys::AnalyserNode,
    samples: RefCell<Vec<u8>>,
}

impl LevelMeter {
    fn new(stream: &web_sys::MediaStream) -> Option<LevelMeter> {
        let context = web_sys::AudioContext::new().ok()?;
        // Made after an await, it may start suspended (no gesture on the stack any more).
        let _ = context.resume();
        let source = context.create_media_stream_source(stream).ok()?;
        let analyser = context.create_analyser().ok()?;
        analyser.set_fft_size(1024);
        source.connect_with_audio_node(&analyser).ok()?;
        let samples = RefCell::new(vec![128; analyser.fft_size() as usize]);
        Some(LevelMeter {
            context,
            analyser,
            samples,
        })
    }

    /// 0 (silence) to 1 (loud): the RMS of the last samples, scaled so speech fills most of it.
    fn level(&self) -> f64 {
        let mut samples = self.samples.borrow_mut();
        self.analyser.get_byte_time_domain_data(&mut samples);
        let n = samples.len().max(1) as f64;
        let power: f64 = samples
            .iter()
            .map(|&s| {
                let v = (f64::from(s) - 128.0) / 128.0;
                v * v
            })
            .sum::<f64>()
            / n;
        (power.sqrt() * 4.0).min(1.0)
    }
}

impl Drop for LevelMeter {
    fn drop(&mut self) {
        let _ = self.context.close();
    }
}

/// A voice being recorded.
pub struct VoiceRecorder {
    recorder: web_sys::MediaRecorder,
    stream: web_sys::MediaStream,
    chunks: Rc<RefCell<Vec<web_sys::Blob>>>,
    _on_data: Closure<dyn FnMut(web_sys::BlobEvent)>,
    meter: Option<LevelMeter>,
}

/// A finished voice recording.
pub struct RecordedVoice {
    pub blob: web_sys::Blob,
    pub mime: String,
}

impl VoiceRecorder {
    /// Starts recording `stream`, handing over its audio every second (so a long recording
    /// is not held in one piece until the end).
    pub fn start(stream: web_sys::MediaStream) -> Result<VoiceRecorder, JsValue> {
        VoiceRecorder::record(&stream).inspect_err(|_| stop_tracks(&stream))
    }

    fn record(stream: &web_sys::MediaStream) -> Result<VoiceRecorder, JsValue> {
        let stream = stream.clone();
        let recorder = match voice_mime() {
            Some(mime) => {
                let options = web_sys::MediaRecorderOptions::new();
                options.set_mime_type(mime);
                web_sys::MediaRecorder::new_with_media_stream_and_media_recorder_options(
                    &stream, &options,
                )?
            }
            None => web_sys::MediaRecorder::new_with_media_stream(&stream)?,
        };
        let chunks = Rc::new(RefCell::new(Vec::new()));
        let into = chunks.clone();
        let on_data =
            Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |e: web_sys::BlobEvent| {
                if let Some(data) = e.data()
                    && data.size() > 0.0
                {
                    into.borrow_mut().push(data);
                }
            });
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        let meter = LevelMeter::new(&stream);
        recorder.start_with_time_slice(1000)?;
        Ok(VoiceRecorder {
            recorder,
            stream,
            chunks,
            _on_data: on_data,
            meter,
        })
    }

    pub fn pause(&self) {
        let _ = self.recorder.pause();
    }

    pub fn resume(&self) {
        let _ = self.recorder.resume();
    }

    /// The microphone's level now, 0 to 1.
    pub fn level(&self) -> f64 {
        self.meter.as_ref().map_or(0.0, LevelMeter::level)
    }

    /// Stops, lets go of the microphone and answers the whole recording.
    pub async fn stop(self) -> Option<RecordedVoice> {
        let stopped = js_sys::Promise::new(&mut |resolve, _| {
            let done = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            self.recorder.set_onstop(Some(done.unchecked_ref()));
        });
        let running = self.recorder.state() != web_sys::RecordingState::Inactive;
        if running && self.recorder.stop().is_ok() {
            let _ = JsFuture::from(stopped).await;
        }
        self.release();
        let mime = self.recorder.mime_type();
        let mime = if mime.is_empty() {
            "audio/webm".to_string()
        } else {
            mime
        };
        let parts = js_sys::Array::new();
        for chunk in self.chunks.borrow().iter() {
            parts.push(chunk);
        }
        if parts.length() == 0 {
            return None;
        }
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&mime);
        let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options).ok()?;
        Some(RecordedVoice { blob, mime })
    }

    /// Lets go of the microphone (its light goes out) without waiting for the recording.
    pub fn release(&self) {
        stop_tracks(&self.stream);
    }
}

fn stop_tracks(stream: &web_sys::MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

/// An address the page's `<audio>` can play `blob` from until the page goes.
pub fn object_url(blob: &web_sys::Blob) -> Option<String> {
    web_sys::Url::create_object_url_with_blob(blob).ok()
}

/// Sends `body` as the raw body of a POST with XMLHttpRequest (fetch cannot report upload
/// progress), reporting the share sent; answers the status (0 when the network failed) and
/// the response text.
pub async fn post_body(
    url: &str,
    body: &web_sys::Blob,
    content_type: &str,
    progress: impl Fn(f64) + 'static,
) -> (u16, String) {
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        return (0, String::new());
    };
    if xhr.open("POST", url).is_err() {
        return (0, String::new());
    }
    let _ = xhr.set_request_header("content-type", content_type);
    let on_progress =
        Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress(e.loaded() / e.total());
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, _| {
        let end = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        xhr.set_onloadend(Some(end.unchecked_ref()));
    });
    if xhr.send_with_opt_blob(Some(body)).is_err() {
        return (0, String::new());
    }
    let _ = JsFuture::from(done).await;
    drop(on_progress);
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    (status, text)
}
