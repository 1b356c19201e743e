//! Live guidance over HTTP: the session's WebSocket (`GET /guidance/{id}/ws`), through which
//! the two sides share what they do on the clip and signal their WebRTC voice call, and the
//! upload of a side's recorded voice once the session has ended (`POST /guidance/{id}/voice`).
//!
//! Only the session's two participants join (an admin may join to watch); for anyone else
//! the session does not exist (404, before any upgrade). A session that is not live answers
//! 409. The in-memory hub ([`domain::guidance::Hub`], one per server) holds each live
//! session's connections and events: a deployment with several nodes needs sticky routing
//! by session or a shared bus between nodes (out of scope).
//!
//! # Protocol
//!
//! JSON text frames (`model::guidance::{ClientMessage, ServerMessage}`); session times are
//! milliseconds since the session went live, on the server's clock.
//!
//! Client → server:
//! * `{"type":"event","action":{"kind":"pointer","x":..,"y":..}}` — something this side did;
//!   actions are the replay timeline's (`view`, `pointer`, `pointer_out`, `draw`, `erase`,
//!   `chapter`, `remark`). Checked like a timeline event (frame on the clip, shapes on the
//!   image, speed and zoom in range, text lengths, erased drawings exist); the guided side's
//!   `view` is refused unless the guide allowed it control. Pointers and drawings of both
//!   sides always pass.
//! * `{"type":"signal","data":{..}}` — WebRTC offer, answer or ICE candidate (an object),
//!   relayed verbatim to the other side when it is connected.
//! * `{"type":"ping","client_ms":..}` — answered with `pong` (clock offset and round trip).
//!
//! Server → client:
//! * `{"type":"welcome","you":0|1|null,"now_ms":..,"events":[..],"peer_online":..,
//!   "guided_may_control":..,"ice_servers":[..]}` — first on every connection: every event so
//!   far in timeline form, so a reconnecting page rebuilds its state (`you` is null for an
//!   admin who watches).
//! * `{"type":"event","t":..,"by":0|1,"action":{..}}` — the other side's event;
//!   `{"type":"ack","t":..}` — the sender's own event, recorded at `t`;
//!   `{"type":"refused","reason":"no_control"|"ended"|"full"|"watching"|"invalid:<field>"}`.
//! * `{"type":"signal","data":{..}}`, `{"type":"peer","online":bool}`,
//!   `{"type":"control","guided_may_control":bool}`, `{"type":"pong","client_ms":..,"now_ms":..}`.
//! * `{"type":"ended","replay_id":..}` — the guide ended it; the socket then closes with 4002.
//!
//! Close codes: 4001 the same side opened the session elsewhere (do not reconnect), 4002
//! ended, 1008 abuse. Abuse is a frame over [`MAX_MESSAGE_BYTES`], a binary or malformed
//! frame, more than [`BURST`] messages at once or [`PER_SECOND`] a second sustained (a pointer
//! at 60 Hz is well inside), or [`MAX_REFUSALS`] refused events. A connection that sends
//! nothing (not even a pong to the server's pings) for [`IDLE`] is closed.
use crate::http::ServerState;
use app::api::guard::SignedIn;
use axum::Json;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::guidance::{self, Hub, Joining, Outgoing, Seat};
use model::guidance::{CLOSE_ABUSE, ClientMessage, IceServer, ServerMessage};
use model::{AppError, SessionId};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Largest frame a client may send (a polygon of a few hundred points, an SDP offer).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Messages a client may send at once.
pub const BURST: f64 = 240.0;
/// Messages a second a client may keep sending.
pub const PER_SECOND: f64 = 120.0;
/// Refused events after which the connection is dropped.
pub const MAX_REFUSALS: u32 = 200;
/// How often the server pings, so dead connections are noticed.
const PING_EVERY: Duration = Duration::from_secs(20);
/// Silence after which a connection counts as dead.
pub const IDLE: Duration = Duration::from_secs(60);
/// How long a closing connection waits for the client's close.
const FAREWELL: Duration = Duration::from_secs(3);

fn refused(err: AppError) -> Response {
    (err.status(), Json(err)).into_response()
}

/// `GET /guidance/{id}/ws`: joins a live session (participants; admins watch).
pub async fn socket(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let user = match signed_in.user().await {
        Ok(Some(user)) => user,
        Ok(None) => return refused(AppError::Unauthenticated),
        Err(e) => return refused(e),
    };
    let id = match SessionId::from_path(&id) {
        Ok(id) => id,
        Err(e) => return refused(e),
    };
    let joining = match guidance::joining(&state.app.db, &user, &id).await {
        Ok(joining) => joining,
        Err(e) => {
            return match AppError::from(e) {
                // Known to this person, but not live: a conflict, not a missing session.
                AppError::Invalid { .. } => {
                    (StatusCode::CONFLICT, "the session is not live").into_response()
                }
                other => refused(other),
            };
        }
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let hub = state.app.guidance.clone();
    let ice = state.app.settings.ice_servers.clone();
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| run(socket, hub, id, joining, ice))
}

/// A token bucket: `BURST` messages at once, refilled at `PER_SECOND`.
struct Budget {
    tokens: f64,
    at: Instant,
}

impl Budget {
    fn new() -> Budget {
        Budget {
            tokens: BURST,
            at: Instant::now(),
        }
    }

    /// Spends one message; `false` when the budget is exhausted.
    fn spend(&mut self) -> bool {
        self.spend_at(Instant::now())
    }

    fn spend_at(&mut self, now: Instant) -> bool {
        let refill = now.duration_since(self.at).as_secs_f64() * PER_SECOND;
        self.tokens = (self.tokens + refill).min(BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

fn text(message: &ServerMessage) -> Message {
    Message::Text(serde_json::to_string(message).unwrap_or_default().into())
}

/// What to do after one client frame.
enum Next {
    Go,
    /// Close with this code and reason.
    Stop(u16, &'static str),
}

/// Handles one frame from the client.
fn handle(
    hub: &Hub,
    seat: &Seat,
    message: Message,
    budget: &mut Budget,
    refusals: &mut u32,
) -> (Next, Option<ServerMessage>) {
    if matches!(message, Message::Close(_)) {
        return (Next::Stop(1000, "bye"), None);
    }
    // Every frame counts, control frames too.
    if !budget.spend() {
        return (Next::Stop(CLOSE_ABUSE, "too many messages"), None);
    }
    let text = match message {
        Message::Text(text) => text,
        Message::Binary(_) => {
            return (Next::Stop(CLOSE_ABUSE, "binary frames are not taken"), None);
        }
        _ => return (Next::Go, None),
    };
    let Ok(message) = serde_json::from_str::<ClientMessage>(&text) else {
        return (Next::Stop(CLOSE_ABUSE, "malformed message"), None);
    };
    match message {
        ClientMessage::Event { action } => match hub.act(seat, action) {
            Ok(_) => (Next::Go, None),
            Err(refusal) => {
                *refusals += 1;
                if *refusals > MAX_REFUSALS {
                    return (Next::Stop(CLOSE_ABUSE, "too many refused events"), None);
                }
                let reason = refusal.reason();
                (Next::Go, Some(ServerMessage::Refused { reason }))
            }
        },
        ClientMessage::Signal { data } => {
            if !data.is_object() {
                return (
                    Next::Stop(CLOSE_ABUSE, "signal data must be an object"),
                    None,
                );
            }
            hub.signal(seat, data);
            (Next::Go, None)
        }
        ClientMessage::Ping { client_ms } => {
            let now_ms = hub.now_ms(&seat.session).unwrap_or_default();
            (Next::Go, Some(ServerMessage::Pong { client_ms, now_ms }))
        }
    }
}

/// One connection: seated in the hub, then reading the client's frames and writing what the
/// hub sends it until either side closes.
async fn run(
    mut socket: WebSocket,
    hub: Hub,
    session: SessionId,
    joining: Joining,
    ice: Vec<IceServer>,
) {
    let (tx, mut rx) = mpsc::channel(guidance::hub::OUTBOX_FRAMES);
    let seat = hub.join(&session, joining.side, joining.info, ice, tx);
    let mut budget = Budget::new();
    let mut refusals = 0u32;
    let mut heard = Instant::now();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let closing = loop {
        let out = tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(message)) = incoming else {
                    // Gone, or a frame over the size limit.
                    break None;
                };
                heard = Instant::now();
                match handle(&hub, &seat, message, &mut budget, &mut refusals) {
                    (Next::Go, reply) => reply.map(|r| text(&r)),
                    // The client said goodbye; its close is answered by the socket itself.
                    (Next::Stop(1000, _), _) => break None,
                    (Next::Stop(code, reason), _) => {
                        tracing::info!(session = %session, code, reason, "guidance connection dropped");
                        break Some((code, reason));
                    }
                }
            }
            outgoing = rx.recv() => match outgoing {
                Some(Outgoing::Text(t)) => Some(Message::Text(t.into())),
                Some(Outgoing::Close(code, reason)) => break Some((code, reason)),
                // The hub dropped this connection (it fell behind): it reconnects.
                None => break Some((1013, "fell behind; reconnect")),
            },
            _ = ping.tick() => {
                if heard.elapsed() > IDLE {
                    break Some((1001, "silent too long"));
                }
                Some(Message::Ping(Bytes::new()))
            }
        };
        if let Some(message) = out
            && socket.send(message).await.is_err()
        {
            break None;
        }
    };
    hub.leave(&seat);
    if let Some((code, reason)) = closing {
        farewell(socket, code, reason).await;
    }
}

/// Closes with `code` and waits a moment for the client's close, reading (and dropping)
/// whatever it still sends: closing the connection with its frames unread would reset it,
/// and the client would never see why it was closed.
async fn farewell(mut socket: WebSocket, code: u16, reason: &'static str) {
    if socket.send(close(code, reason)).await.is_err() {
        return;
    }
    let drained = async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(FAREWELL, drained).await;
}

/// `POST /guidance/{id}/voice`: a participant's recording of an ended session (Opus in WebM
/// or Ogg, the raw body), stored as replay media; answers the `MediaUpload` whose `media`
/// the page then attaches with `attach_session_voice`.
pub async fn upload_voice(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let user = match signed_in.user().await {
        Ok(Some(user)) => user,
        Ok(None) => return refused(AppError::Unauthenticated),
        Err(e) => return refused(e),
    };
    let id = match SessionId::from_path(&id) {
        Ok(id) => id,
        Err(e) => return refused(e),
    };
    let app = &state.app;
    match guidance::put_voice(&app.db, app.importer.blobs(), &user, &id, body.into()).await {
        Ok(upload) => Json(upload).into_response(),
        Err(e) => refused(AppError::from(e)),
    }
}

/// Paths that answer for themselves (401 rather than a redirect to sign-in).
pub fn is_guidance_path(path: &str) -> bool {
    path.strip_prefix("/guidance/")
        .is_some_and(|rest| rest.ends_with("/ws") || rest.ends_with("/voice"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pointer_at_60_hz_stays_inside_the_budget_and_a_flood_does_not() {
        // A minute of a pointer moving at 60 Hz, in simulated time.
        let mut budget = Budget::new();
        let start = budget.at;
        for i in 0..3600u64 {
            assert!(budget.spend_at(start + Duration::from_micros(i * 16_667)));
        }
        // A thousand messages at once: the burst passes, the rest does not.
        let mut flood = Budget::new();
        let now = flood.at;
        let taken = (0..1000).filter(|_| flood.spend_at(now)).count();
        assert_eq!(taken, BURST as usize);
    }

    #[test]
    fn socket_and_voice_paths_answer_for_themselves() {
        assert!(is_guidance_path(
            "/guidance/0190c1c2-0000-7000-8000-000000000001/ws"
        ));
        assert!(is_guidance_path(
            "/guidance/0190c1c2-0000-7000-8000-000000000001/voice"
        ));
        assert!(!is_guidance_path(
            "/guidance/0190c1c2-0000-7000-8000-000000000001"
        ));
        assert!(!is_guidance_path("/guidance"));
    }
}
