//! The live page's connection to its session: the WebSocket (reconnecting by itself with
//! backoff and catching up from each welcome), the session clock from pings, and what goes
//! out (views, the pointer at most 30 times a second, drawing changes) and comes in (the other
//! side's events folded into the page's state and applied to the viewer).
//!
//! Everything here runs in the browser, from effects and event handlers: the page's JS
//! objects live in a table on the browser's one thread, keyed by a number that the page's
//! reactive code holds (so nothing here needs to be `Send`).
use super::live::{LiveUi, Socket};
use super::sync::{Clock, Drawings, Throttle, drawings_of, fold};
use super::voice::{self, Voice};
use crate::model::guidance::{CLOSE_ENDED, CLOSE_REPLACED, ClientMessage, ServerMessage};
use crate::model::replay::{Action, Event, GUIDE, View};
use crate::model::{Annotation, Point, ReplayId, SessionId};
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// How often the page pings (clock and liveness).
const PING_EVERY_MS: i32 = 5_000;
/// How often a followed view that is playing is put right against drift.
const DRIFT_EVERY_MS: i32 = 2_000;
/// Longest wait between reconnection attempts.
const MAX_BACKOFF_MS: f64 = 10_000.0;

/// The open socket with the listeners it keeps alive.
type OpenSocket = (web_sys::WebSocket, Vec<Closure<dyn FnMut(JsValue)>>);

/// Everything a live page holds in the browser.
pub(super) struct Runtime {
    pub ui: LiveUi,
    pub session: SessionId,
    ws: Option<OpenSocket>,
    attempt: u32,
    pub clock: Clock,
    drawings: Drawings,
    throttle: Throttle,
    /// The latest pointer held back by the rate limit, and whether a send is scheduled.
    held_pointer: Option<Option<Point>>,
    pointer_scheduled: bool,
    /// The view on screen was last set by the other side (so it is kept in step).
    following: bool,
    /// The person has changed the view at least once on this page.
    moved: bool,
    pub voice: Voice,
    timers: Vec<(i32, Closure<dyn FnMut()>)>,
    /// The session is over here (ended, replaced, or the page left): no reconnecting.
    finished: bool,
}

thread_local! {
    static LIVE: RefCell<HashMap<u64, Runtime>> = RefCell::new(HashMap::new());
    static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// Runs `f` on the page's runtime, if it is still open.
pub(super) fn with<R>(key: u64, f: impl FnOnce(&mut Runtime) -> R) -> Option<R> {
    LIVE.with(|table| {
        let Ok(mut table) = table.try_borrow_mut() else {
            leptos::logging::warn!("guidance: the live table is busy");
            return None;
        };
        table.get_mut(&key).map(f)
    })
}

/// The browser's monotonic clock, in milliseconds.
pub(super) fn local_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn set_timeout(ms: i32, f: impl FnOnce() + 'static) {
    let f = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms);
    }
}

fn every(ms: i32, f: impl FnMut() + 'static) -> Option<(i32, Closure<dyn FnMut()>)> {
    let f = Closure::<dyn FnMut()>::new(f);
    let id = web_sys::window()?
        .set_interval_with_callback_and_timeout_and_arguments_0(f.as_ref().unchecked_ref(), ms)
        .ok()?;
    Some((id, f))
}

/// Opens the page's connection to `session` and asks for the microphone; answers the key
/// the page's handlers use.
pub(super) fn open(ui: LiveUi, session: SessionId) -> u64 {
    let key = NEXT.with(|n| {
        let k = n.get();
        n.set(k + 1);
        k
    });
    let runtime = Runtime {
        ui,
        session,
        ws: None,
        attempt: 0,
        clock: Clock::default(),
        drawings: Drawings::default(),
        throttle: Throttle::default(),
        held_pointer: None,
        pointer_scheduled: false,
        following: false,
        moved: false,
        voice: Voice::default(),
        timers: Vec::new(),
        finished: false,
    };
    LIVE.with(|t| t.borrow_mut().insert(key, runtime));
    let ping = every(PING_EVERY_MS, move || ping(key));
    let drift = every(DRIFT_EVERY_MS, move || keep_in_step(key));
    with(key, |rt| rt.timers.extend(ping.into_iter().chain(drift)));
    connect(key);
    if ui.me.flatten().is_some() {
        voice::start_microphone(key);
    }
    key
}

/// The page is leaving: closes the socket and the call, lets go of the microphone.
pub(super) fn close(key: u64) {
    let runtime = LIVE.with(|t| t.try_borrow_mut().ok().and_then(|mut t| t.remove(&key)));
    let Some(mut rt) = runtime else {
        return;
    };
    rt.finished = true;
    stop_timers(&mut rt);
    if let Some((ws, _)) = rt.ws.take() {
        let _ = ws.close_with_code(1000);
    }
    rt.voice.shut_down();
}

fn stop_timers(rt: &mut Runtime) {
    if let Some(w) = web_sys::window() {
        for (id, _) in rt.timers.drain(..) {
            w.clear_interval_with_handle(id);
        }
    }
}

fn socket_url(session: &SessionId) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!(
        "{scheme}://{}/guidance/{}/ws",
        location.host().ok()?,
        session.as_str()
    ))
}

fn connect(key: u64) {
    let Some((url, ui)) = with(key, |rt| (socket_url(&rt.session), rt.ui)) else {
        return;
    };
    let Some(ws) = url.and_then(|u| web_sys::WebSocket::new(&u).ok()) else {
        reconnect_later(key);
        return;
    };
    ui.socket
        .set(if ui.socket.get_untracked() == Socket::Connecting {
            Socket::Connecting
        } else {
            Socket::Reconnecting
        });
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let e: web_sys::MessageEvent = e.unchecked_into();
        let Some(text) = e.data().as_string() else {
            return;
        };
        match serde_json::from_str::<ServerMessage>(&text) {
            Ok(message) => receive(key, message),
            Err(err) => leptos::logging::warn!("guidance: unreadable message: {err}"),
        }
    });
    let this = ws.clone();
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let e: web_sys::CloseEvent = e.unchecked_into();
        closed(key, &this, e.code());
    });
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    with(key, |rt| {
        if let Some((old, _)) = rt.ws.replace((ws, vec![on_message, on_close])) {
            old.set_onclose(None);
            let _ = old.close();
        }
    });
}

/// The socket closed: unless the session is over here, try again after a while.
fn closed(key: u64, ws: &web_sys::WebSocket, code: u16) {
    let current = with(key, |rt| {
        let current = rt.ws.as_ref().is_some_and(|(w, _)| w == ws);
        if current {
            rt.ws = None;
        }
        (current, rt.finished, rt.ui)
    });
    let Some((true, finished, ui)) = current else {
        return;
    };
    voice::socket_lost(key);
    if finished {
        return;
    }
    match code {
        CLOSE_REPLACED => {
            with(key, |rt| rt.finished = true);
            ui.socket.set(Socket::Replaced);
        }
        // `ended` came just before; nothing more to do here.
        CLOSE_ENDED => {}
        _ => {
            ui.socket.set(Socket::Reconnecting);
            ui.peer_online.set(false);
            reconnect_later(key);
        }
    }
}

/// Waits (longer after each failure), asks the server where the session stands, and joins
/// again while it is live; an ended session ends the page's part (and saves its voice).
fn reconnect_later(key: u64) {
    let Some(attempt) = with(key, |rt| {
        rt.attempt += 1;
        rt.attempt
    }) else {
        return;
    };
    let wait = (500.0 * 2f64.powi(attempt.min(8) as i32)).min(MAX_BACKOFF_MS)
        + js_sys::Math::random() * 300.0;
    set_timeout(wait as i32, move || {
        let Some(session) = with(key, |rt| rt.session.clone()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            use crate::model::guidance::SessionStatus;
            match crate::api::guidance::guidance_session(session.0).await {
                Ok(view) if view.status == SessionStatus::Live => connect(key),
                Ok(view) if view.status == SessionStatus::Ended => ended(key, view.replay_id),
                // Offline still: keep trying.
                Err(crate::model::AppError::Unavailable) => reconnect_later(key),
                // Not live (declined meanwhile) or no longer this person's to see.
                _ => {
                    if let Some(ui) = with(key, |rt| {
                        rt.finished = true;
                        rt.ui
                    }) {
                        ui.socket.set(Socket::Closed);
                    }
                }
            }
        });
    });
}

impl Runtime {
    fn send(&self, message: &ClientMessage) {
        let Some((ws, _)) = &self.ws else {
            return;
        };
        if ws.ready_state() != web_sys::WebSocket::OPEN {
            return;
        }
        if let Ok(text) = serde_json::to_string(message) {
            let _ = ws.send_with_str(&text);
        }
    }

    fn send_action(&self, action: Action) {
        self.send(&ClientMessage::Event { action });
    }

    /// The session's time now, once the clock is known.
    pub fn session_now(&self) -> Option<u64> {
        self.clock
            .session_ms(local_ms())
            .map(|ms| ms.max(0.0) as u64)
    }
}

/// Sends WebRTC signalling to the other side.
pub(super) fn send_signal(key: u64, data: serde_json::Value) {
    with(key, |rt| rt.send(&ClientMessage::Signal { data }));
}

fn ping(key: u64) {
    with(key, |rt| {
        rt.send(&ClientMessage::Ping {
            client_ms: local_ms(),
        })
    });
}

/// Shows the state's view at the session's time now.
fn drive(rt: &Runtime) {
    let now = rt.session_now().unwrap_or(0);
    let at = rt
        .ui
        .state
        .with_untracked(|s| s.view.map(|_| s.view_at(now)));
    if at.is_some() {
        rt.ui.link.drive.set(at);
    }
}

/// Puts a followed, playing view right again (the two clocks drift apart slowly).
fn keep_in_step(key: u64) {
    with(key, |rt| {
        let playing = rt
            .ui
            .state
            .with_untracked(|s| s.view.is_some_and(|v| v.playing));
        if rt.following && playing {
            drive(rt);
        }
    });
}

fn receive(key: u64, message: ServerMessage) {
    match message {
        ServerMessage::Welcome {
            you,
            now_ms,
            events,
            peer_online,
            guided_may_control,
            ice_servers,
        } => welcome(
            key,
            you,
            now_ms,
            events,
            peer_online,
            guided_may_control,
            ice_servers,
        ),
        ServerMessage::Event { t, by, action } => {
            let is_view = matches!(action, Action::View(_));
            with(key, |rt| {
                rt.ui.state.update(|s| s.apply(&Event { t, by, action }));
                if is_view {
                    rt.following = true;
                    drive(rt);
                }
            });
        }
        ServerMessage::Ack { .. } => {}
        ServerMessage::Refused { reason } => {
            with(key, |rt| rt.ui.notice.set(Some(reason)));
        }
        ServerMessage::Signal { data } => voice::signal(key, data),
        ServerMessage::Peer { online } => {
            let me = with(key, |rt| {
                rt.ui.peer_online.set(online);
                rt.ui.me
            });
            if online && me.flatten() == Some(Some(GUIDE)) {
                voice::call(key);
            } else if !online {
                voice::peer_gone(key);
            }
        }
        ServerMessage::Control { guided_may_control } => {
            with(key, |rt| rt.ui.control.set(guided_may_control));
        }
        ServerMessage::Pong { client_ms, now_ms } => {
            with(key, |rt| rt.clock.pong(client_ms, now_ms, local_ms()));
        }
        ServerMessage::Ended { replay_id } => ended(key, replay_id),
    }
}

fn welcome(
    key: u64,
    you: Option<u8>,
    now_ms: u64,
    events: Vec<Event>,
    peer_online: bool,
    guided_may_control: bool,
    ice_servers: Vec<crate::model::guidance::IceServer>,
) {
    let state = fold(&events);
    let last_view_by = events
        .iter()
        .rev()
        .find(|e| matches!(e.action, Action::View(_)))
        .map(|e| e.by);
    let restore = with(key, |rt| {
        rt.attempt = 0;
        rt.clock.welcome(now_ms, local_ms());
        rt.voice.ice_servers = ice_servers;
        let server_mine = you.map(|me| drawings_of(&state, me)).unwrap_or_default();
        let (restore, missed) = rt.drawings.meet(&server_mine);
        for action in missed {
            rt.send_action(action);
        }
        let ui = rt.ui;
        ui.state.set(state);
        ui.peer_online.set(peer_online);
        ui.control.set(guided_may_control);
        ui.socket.set(Socket::Live);
        // The guide's own view wins over a stale copy; otherwise the page shows the session's.
        let mine_newer = you == Some(GUIDE) && rt.moved;
        if mine_newer {
            let shown = ui.link.shown.get_untracked();
            rt.send_action(Action::View(shown));
        } else if last_view_by.is_some() {
            rt.following = last_view_by != you;
            drive(rt);
        }
        rt.send(&ClientMessage::Ping {
            client_ms: local_ms(),
        });
        restore
    })
    .flatten();
    if let Some(drawings) = restore
        && let Some(ui) = with(key, |rt| rt.ui)
    {
        ui.mine.set(drawings);
    }
    if you == Some(GUIDE) && peer_online {
        voice::call(key);
    }
}

/// The session ended (heard live, or found out on coming back): no more reconnecting; the
/// page's recording goes to the replay.
pub(super) fn ended(key: u64, replay_id: Option<ReplayId>) {
    let first = with(key, |rt| {
        let first = rt.ui.ended.get_untracked().is_none();
        rt.finished = true;
        stop_timers(rt);
        if let Some((ws, _)) = rt.ws.take() {
            let _ = ws.close_with_code(1000);
        }
        rt.ui.ended.set(Some(replay_id));
        rt.ui.socket.set(Socket::Closed);
        first
    });
    if first == Some(true) {
        voice::finish(key);
    }
}

/// The pointer moved (or left the image): sent at most 30 times a second, the last one
/// always.
pub(super) fn pointer(key: u64, at: Option<Point>) {
    let schedule = with(key, |rt| {
        let now = local_ms();
        if rt.throttle.pass(now) {
            rt.held_pointer = None;
            rt.send_action(pointer_action(at));
            None
        } else {
            rt.held_pointer = Some(at);
            if rt.pointer_scheduled {
                None
            } else {
                rt.pointer_scheduled = true;
                Some(rt.throttle.due(now))
            }
        }
    })
    .flatten();
    if let Some(wait) = schedule {
        set_timeout(wait.ceil() as i32, move || {
            with(key, |rt| {
                rt.pointer_scheduled = false;
                if let Some(at) = rt.held_pointer.take() {
                    rt.throttle.mark(local_ms());
                    rt.send_action(pointer_action(at));
                }
            });
        });
    }
}

fn pointer_action(at: Option<Point>) -> Action {
    match at {
        Some(p) => Action::Pointer { x: p.x, y: p.y },
        None => Action::PointerOut,
    }
}

/// The person changed the view: sent when this side may steer it.
pub(super) fn view(key: u64, view: View, may_steer: bool) {
    with(key, |rt| {
        rt.moved = true;
        if may_steer {
            rt.following = false;
            rt.send_action(Action::View(view));
        }
    });
}

/// This side's drawings changed: the draws and erases go out.
pub(super) fn drawings(key: u64, now: &[Annotation]) {
    with(key, |rt| {
        for action in rt.drawings.changed(now) {
            rt.send_action(action);
        }
    });
}
