//! The live page's voice: the microphone (recorded from the moment the page joins, for the
//! replay), the WebRTC call with the other side (the WebSocket carries its signalling; the
//! guide makes the offer whenever both are connected, again after any reconnect), mute, and
//! after the end the upload of this side's recording into the session's replay draft.
//!
//! Signalling messages (`data` of a `signal`): `{"kind":"offer"|"answer","round":n,"sdp":..}`
//! and `{"kind":"ice","round":n,"candidate":{..}}`; `round` numbers the guide's offers, so
//! answers and candidates of a call that was replaced are ignored.
use super::live::{Call, Mic, VoiceSave};
use super::wire::{self, local_ms, with};
use crate::model::guidance::IceServer;
use crate::model::replay::{GUIDE, MediaUpload};
use leptos::prelude::{GetUntracked, Set};
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MediaRecorder, MediaStream, MediaStreamTrack, RtcPeerConnection, RtcPeerConnectionState,
    RtcRtpTransceiver, RtcRtpTransceiverDirection,
};

/// The page's microphone, recording and call.
#[derive(Default)]
pub(super) struct Voice {
    pub ice_servers: Vec<IceServer>,
    mic: Option<MediaStream>,
    recorder: Option<Recorder>,
    peer: Option<Peer>,
    /// The guide's offer number (the guided side adopts the guide's).
    round: u32,
    /// A finished recording not yet in the replay (kept for another try).
    pending: Option<(web_sys::Blob, i64)>,
}

struct Recorder {
    recorder: MediaRecorder,
    chunks: Rc<RefCell<Vec<web_sys::Blob>>>,
    /// Local time the recording started.
    started: Rc<Cell<Option<f64>>>,
    _on_data: Closure<dyn FnMut(JsValue)>,
    _on_start: Closure<dyn FnMut(JsValue)>,
}

struct Peer {
    pc: RtcPeerConnection,
    round: u32,
    transceiver: Option<RtcRtpTransceiver>,
    /// The other side's description is set (candidates may be added).
    described: bool,
    waiting: Vec<serde_json::Value>,
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Peer {
    fn close(self) {
        self.pc.set_onicecandidate(None);
        self.pc.set_ontrack(None);
        self.pc.set_onconnectionstatechange(None);
        self.pc.close();
    }
}

impl Voice {
    /// Ends everything: the call, the recording (discarded), the microphone.
    pub fn shut_down(&mut self) {
        if let Some(peer) = self.peer.take() {
            peer.close();
        }
        if let Some(r) = self.recorder.take() {
            let _ = r.recorder.stop();
        }
        self.release();
    }

    fn release(&mut self) {
        if let Some(mic) = self.mic.take() {
            for track in mic.get_tracks().iter() {
                if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                    track.stop();
                }
            }
        }
    }

    fn track(&self) -> Option<MediaStreamTrack> {
        self.mic
            .as_ref()
            .and_then(|m| m.get_audio_tracks().get(0).dyn_into().ok())
    }
}

fn js(value: &serde_json::Value) -> Option<JsValue> {
    js_sys::JSON::parse(&value.to_string()).ok()
}

fn from_js(value: &JsValue) -> Option<serde_json::Value> {
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

fn error_name(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}

/// Asks for the microphone; with it, starts recording and hands it to the call.
pub(super) fn start_microphone(key: u64) {
    leptos::task::spawn_local(async move {
        let asked = microphone().await;
        let Some(ui) = with(key, |rt| rt.ui) else {
            // The page left meanwhile: let go at once.
            if let Ok(stream) = asked {
                for t in stream.get_tracks().iter() {
                    if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
                        t.stop();
                    }
                }
            }
            return;
        };
        match asked {
            Ok(stream) => {
                let recorder = Recorder::start(&stream);
                with(key, |rt| {
                    rt.voice.mic = Some(stream);
                    rt.voice.recorder = recorder;
                    let muted = rt.ui.muted.get_untracked();
                    if let Some(track) = rt.voice.track() {
                        track.set_enabled(!muted);
                        if let Some(t) = rt.voice.peer.as_ref().and_then(|p| p.transceiver.clone())
                        {
                            let _ = t.sender().replace_track(Some(&track));
                        }
                    }
                });
                ui.mic.set(Mic::On);
            }
            Err(problem) => ui.mic.set(problem),
        }
    });
}

async fn microphone() -> Result<MediaStream, Mic> {
    let window = web_sys::window().ok_or(Mic::Unavailable)?;
    // `mediaDevices` is missing outside a secure context (plain http on another address).
    let devices = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("mediaDevices"))
        .ok()
        .filter(|d| d.is_object())
        .ok_or(Mic::Unavailable)?
        .unchecked_into::<web_sys::MediaDevices>();
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    let asked = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| Mic::Unavailable)?;
    match JsFuture::from(asked).await {
        Ok(stream) => Ok(stream.unchecked_into()),
        Err(e) => Err(match error_name(&e).as_str() {
            "NotAllowedError" | "SecurityError" => Mic::Refused,
            "NotFoundError" | "OverconstrainedError" => Mic::Absent,
            _ => Mic::Failed,
        }),
    }
}

impl Recorder {
    /// Records `stream` as Opus (WebM or Ogg), handing over its audio every second.
    fn start(stream: &MediaStream) -> Option<Recorder> {
        let mime = [
            "audio/webm;codecs=opus",
            "audio/ogg;codecs=opus",
            "audio/webm",
        ]
        .into_iter()
        .find(|m| MediaRecorder::is_type_supported(m));
        let recorder = match mime {
            Some(mime) => {
                let options = web_sys::MediaRecorderOptions::new();
                options.set_mime_type(mime);
                MediaRecorder::new_with_media_stream_and_media_recorder_options(stream, &options)
                    .ok()?
            }
            None => MediaRecorder::new_with_media_stream(stream).ok()?,
        };
        let chunks = Rc::new(RefCell::new(Vec::new()));
        let into = chunks.clone();
        let on_data = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let e: web_sys::BlobEvent = e.unchecked_into();
            if let Some(data) = e.data().filter(|d| d.size() > 0.0) {
                into.borrow_mut().push(data);
            }
        });
        let started = Rc::new(Cell::new(None));
        let at = started.clone();
        let on_start = Closure::<dyn FnMut(JsValue)>::new(move |_| at.set(Some(local_ms())));
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        recorder.set_onstart(Some(on_start.as_ref().unchecked_ref()));
        recorder.start_with_time_slice(1000).ok()?;
        Some(Recorder {
            recorder,
            chunks,
            started,
            _on_data: on_data,
            _on_start: on_start,
        })
    }

    /// Stops and answers the whole recording with the local time it started.
    async fn stop(self) -> Option<(web_sys::Blob, f64)> {
        let stopped = js_sys::Promise::new(&mut |resolve, _| {
            let done = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            self.recorder.set_onstop(Some(done.unchecked_ref()));
        });
        if self.recorder.state() != web_sys::RecordingState::Inactive
            && self.recorder.stop().is_ok()
        {
            let _ = JsFuture::from(stopped).await;
        }
        let started = self.started.get()?;
        let parts = js_sys::Array::new();
        for chunk in self.chunks.borrow().iter() {
            parts.push(chunk);
        }
        if parts.length() == 0 {
            return None;
        }
        let mime = self.recorder.mime_type();
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(if mime.is_empty() { "audio/webm" } else { &mime });
        let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options).ok()?;
        Some((blob, started))
    }
}

fn call_state(state: RtcPeerConnectionState) -> Call {
    match state {
        RtcPeerConnectionState::Connected => Call::Connected,
        RtcPeerConnectionState::Disconnected | RtcPeerConnectionState::Failed => Call::Reconnecting,
        RtcPeerConnectionState::Closed => Call::Waiting,
        _ => Call::Connecting,
    }
}

/// A new peer connection for call `round`, its handlers reporting to the page.
fn new_peer(key: u64, round: u32, ice: &[IceServer]) -> Option<Peer> {
    let config = js(&json!({ "iceServers": ice }))?;
    let pc = RtcPeerConnection::new_with_configuration(config.unchecked_ref()).ok()?;
    let on_ice = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let e: web_sys::RtcPeerConnectionIceEvent = e.unchecked_into();
        if let Some(candidate) = e.candidate().and_then(|c| from_js(&c.to_json())) {
            wire::send_signal(
                key,
                json!({ "kind": "ice", "round": round, "candidate": candidate }),
            );
        }
    });
    let on_track = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let e: web_sys::RtcTrackEvent = e.unchecked_into();
        let stream = e
            .streams()
            .get(0)
            .dyn_into::<MediaStream>()
            .ok()
            .or_else(|| {
                let stream = MediaStream::new().ok()?;
                stream.add_track(&e.track());
                Some(stream)
            });
        if let Some(stream) = stream {
            play_remote(key, &stream);
        }
    });
    let this = pc.clone();
    let on_state = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let state = this.connection_state();
        let guide_retries = with(key, |rt| {
            if rt.voice.round != round {
                return false;
            }
            rt.ui.call.set(call_state(state));
            state == RtcPeerConnectionState::Failed && rt.ui.me == Some(Some(GUIDE))
        });
        if guide_retries == Some(true) {
            call(key);
        }
    });
    pc.set_onicecandidate(Some(on_ice.as_ref().unchecked_ref()));
    pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
    pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
    Some(Peer {
        pc,
        round,
        transceiver: None,
        described: false,
        waiting: Vec::new(),
        _handlers: vec![on_ice, on_track, on_state],
    })
}

fn play_remote(key: u64, stream: &MediaStream) {
    let audio = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("guidance-remote-audio"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlMediaElement>().ok());
    let Some(audio) = audio else {
        return;
    };
    audio.set_src_object(Some(stream));
    if let Ok(playing) = audio.play() {
        leptos::task::spawn_local(async move {
            // Autoplay refused until the person touches the page: say so, offer a button.
            let blocked = JsFuture::from(playing).await.is_err();
            with(key, |rt| rt.ui.audio_blocked.set(blocked));
        });
    }
}

/// Starts the remote audio again after the browser blocked it (a click handler calls this).
pub(super) fn resume_audio() {
    let audio = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("guidance-remote-audio"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlMediaElement>().ok());
    if let Some(audio) = audio {
        let _ = audio.play();
    }
}

/// The guide calls: a new connection and offer (also after any reconnect of either side).
pub(super) fn call(key: u64) {
    let made = with(key, |rt| {
        if let Some(old) = rt.voice.peer.take() {
            old.close();
        }
        rt.voice.round += 1;
        let round = rt.voice.round;
        let mut peer = new_peer(key, round, &rt.voice.ice_servers)?;
        let init = web_sys::RtcRtpTransceiverInit::new();
        init.set_direction(RtcRtpTransceiverDirection::Sendrecv);
        let transceiver = peer.pc.add_transceiver_with_str_and_init("audio", &init);
        if let Some(track) = rt.voice.track() {
            let _ = transceiver.sender().replace_track(Some(&track));
        }
        peer.transceiver = Some(transceiver);
        let pc = peer.pc.clone();
        rt.voice.peer = Some(peer);
        rt.ui.call.set(Call::Connecting);
        Some((pc, round))
    })
    .flatten();
    let Some((pc, round)) = made else {
        return;
    };
    leptos::task::spawn_local(async move {
        let Ok(offer) = JsFuture::from(pc.create_offer()).await else {
            return;
        };
        if JsFuture::from(pc.set_local_description(offer.unchecked_ref()))
            .await
            .is_err()
        {
            return;
        }
        let sdp = js_sys::Reflect::get(&offer, &JsValue::from_str("sdp"))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        wire::send_signal(key, json!({ "kind": "offer", "round": round, "sdp": sdp }));
    });
}

/// The other side went: the call waits for it to come back (the guide calls again then).
pub(super) fn peer_gone(key: u64) {
    with(key, |rt| {
        if let Some(peer) = rt.voice.peer.take() {
            peer.close();
        }
        rt.ui.call.set(Call::Waiting);
    });
}

/// This page's socket dropped: the call's signalling is gone with it.
pub(super) fn socket_lost(key: u64) {
    with(key, |rt| {
        if rt.voice.peer.is_some() {
            rt.ui.call.set(Call::Reconnecting);
        }
    });
}

/// Signalling from the other side.
pub(super) fn signal(key: u64, data: serde_json::Value) {
    let round = data["round"].as_u64().unwrap_or(0) as u32;
    match data["kind"].as_str() {
        Some("offer") => answer(
            key,
            round,
            data["sdp"].as_str().unwrap_or_default().to_string(),
        ),
        Some("answer") => {
            let sdp = data["sdp"].as_str().unwrap_or_default().to_string();
            let pc = with(key, |rt| {
                rt.voice
                    .peer
                    .as_ref()
                    .filter(|p| p.round == round)
                    .map(|p| p.pc.clone())
            })
            .flatten();
            if let Some(pc) = pc {
                leptos::task::spawn_local(async move {
                    describe(key, &pc, round, "answer", &sdp).await;
                });
            }
        }
        Some("ice") => {
            let candidate = data["candidate"].clone();
            with(key, |rt| {
                let Some(peer) = rt.voice.peer.as_mut().filter(|p| p.round == round) else {
                    return;
                };
                if peer.described {
                    add_candidate(&peer.pc, &candidate);
                } else {
                    peer.waiting.push(candidate);
                }
            });
        }
        _ => {}
    }
}

fn add_candidate(pc: &RtcPeerConnection, candidate: &serde_json::Value) {
    if let Some(init) = js(candidate) {
        let _ = pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(init.unchecked_ref()));
    }
}

/// Sets the other side's description, then adds the candidates that came before it.
async fn describe(key: u64, pc: &RtcPeerConnection, round: u32, kind: &str, sdp: &str) -> bool {
    let Some(description) = js(&json!({ "type": kind, "sdp": sdp })) else {
        return false;
    };
    if JsFuture::from(pc.set_remote_description(description.unchecked_ref()))
        .await
        .is_err()
    {
        return false;
    }
    with(key, |rt| {
        if let Some(peer) = rt.voice.peer.as_mut().filter(|p| p.round == round) {
            peer.described = true;
            for c in peer.waiting.drain(..) {
                add_candidate(&peer.pc, &c);
            }
        }
    });
    true
}

/// The guided side answers an offer on a connection of its own.
fn answer(key: u64, round: u32, sdp: String) {
    let made = with(key, |rt| {
        if let Some(old) = rt.voice.peer.take() {
            old.close();
        }
        rt.voice.round = round;
        let peer = new_peer(key, round, &rt.voice.ice_servers)?;
        let pc = peer.pc.clone();
        rt.voice.peer = Some(peer);
        rt.ui.call.set(Call::Connecting);
        Some(pc)
    })
    .flatten();
    let Some(pc) = made else {
        return;
    };
    leptos::task::spawn_local(async move {
        if !describe(key, &pc, round, "offer", &sdp).await {
            return;
        }
        // Send this side's microphone on the offered audio line.
        with(key, |rt| {
            let transceiver = pc
                .get_transceivers()
                .get(0)
                .dyn_into::<RtcRtpTransceiver>()
                .ok();
            if let Some(t) = &transceiver {
                t.set_direction(RtcRtpTransceiverDirection::Sendrecv);
                if let Some(track) = rt.voice.track() {
                    let _ = t.sender().replace_track(Some(&track));
                }
            }
            if let Some(peer) = rt.voice.peer.as_mut().filter(|p| p.round == round) {
                peer.transceiver = transceiver;
            }
        });
        let Ok(answer) = JsFuture::from(pc.create_answer()).await else {
            return;
        };
        if JsFuture::from(pc.set_local_description(answer.unchecked_ref()))
            .await
            .is_err()
        {
            return;
        }
        let sdp = js_sys::Reflect::get(&answer, &JsValue::from_str("sdp"))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        wire::send_signal(key, json!({ "kind": "answer", "round": round, "sdp": sdp }));
    });
}

/// Mutes or unmutes this side's microphone (the recording then holds silence).
pub(super) fn set_muted(key: u64, muted: bool) {
    with(key, |rt| {
        if let Some(track) = rt.voice.track() {
            track.set_enabled(!muted);
        }
        rt.ui.muted.set(muted);
    });
}

/// The session ended: hang up, stop recording, and put the recording into the replay.
pub(super) fn finish(key: u64) {
    let recorder = with(key, |rt| {
        if let Some(peer) = rt.voice.peer.take() {
            peer.close();
        }
        rt.ui.call.set(Call::Off);
        rt.voice.recorder.take()
    })
    .flatten();
    let Some(recorder) = recorder else {
        with(key, |rt| rt.ui.voice.set(VoiceSave::Nothing));
        return;
    };
    leptos::task::spawn_local(async move {
        let recording = recorder.stop().await;
        let pending = with(key, |rt| {
            rt.voice.release();
            let (blob, started) = recording?;
            let offset = rt.clock.session_ms(started)?.round() as i64;
            rt.voice.pending = Some((blob, offset));
            Some(())
        })
        .flatten();
        if pending.is_some() {
            save(key);
        } else {
            with(key, |rt| rt.ui.voice.set(VoiceSave::Nothing));
        }
    });
}

/// Uploads the finished recording and adds it to the replay (again after a failure).
pub(super) fn save(key: u64) {
    let Some(Some((blob, offset, session, ui))) = with(key, |rt| {
        let (blob, offset) = rt.voice.pending.clone()?;
        Some((blob, offset, rt.session.clone(), rt.ui))
    }) else {
        return;
    };
    ui.voice.set(VoiceSave::Saving);
    leptos::task::spawn_local(async move {
        let url = format!("/guidance/{}/voice", session.as_str());
        let (status, text) = post_blob(&url, &blob).await;
        let upload = (status == 200)
            .then(|| serde_json::from_str::<MediaUpload>(&text).ok())
            .flatten();
        let Some(upload) = upload else {
            ui.voice.set(VoiceSave::Failed);
            return;
        };
        let attached =
            crate::api::guidance::attach_session_voice(session.0.clone(), upload.media, offset)
                .await;
        if attached.is_ok() {
            with(key, |rt| rt.voice.pending = None);
            ui.voice.set(VoiceSave::Saved);
        } else {
            ui.voice.set(VoiceSave::Failed);
        }
    });
}

/// POSTs `blob` as the raw body; answers the status (0 when the network failed) and text.
async fn post_blob(url: &str, blob: &web_sys::Blob) -> (u16, String) {
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        return (0, String::new());
    };
    if xhr.open("POST", url).is_err() {
        return (0, String::new());
    }
    let _ = xhr.set_request_header("content-type", &blob.type_());
    let done = js_sys::Promise::new(&mut |resolve, _| {
        let end = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        xhr.set_onloadend(Some(end.unchecked_ref()));
    });
    if xhr.send_with_opt_blob(Some(blob)).is_err() {
        return (0, String::new());
    }
    let _ = JsFuture::from(done).await;
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    (status, text)
}
