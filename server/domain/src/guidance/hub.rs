//! The live sessions' hub: for each live session, the connections of its two sides (and of
//! admins who watch), every event so far with its session time, and the state they fold to.
//! The WebSocket handler feeds it what a side sends; the hub checks it, records it and
//! passes it to the other side.
//!
//! One hub per server process, in memory: a deployment with several nodes needs sticky
//! routing by session (both sides on the node that holds it) or a shared bus between nodes,
//! which is out of scope here. A server restart loses the events of sessions live at the
//! time (their clock carries on from `started_at`, so later events still fit).
use model::guidance::{CLOSE_ENDED, CLOSE_REPLACED, ServerMessage};
use model::replay::{
    Action, Event, GUIDE, GUIDED, Limits, MAX_DURATION_MS, Participant, ReplayState, Timeline,
    validate,
};
use model::{ReplayId, SessionId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::mpsc;

/// Events after which pointer moves are still passed on but no longer recorded: about an hour
/// and a half of both pointers moving at the pages' 30 per second all the time.
pub const RECORDED_POINTER_EVENTS: usize = 400_000;
/// Most events one session records (the timeline's own limit is 500 000).
pub const MAX_SESSION_EVENTS: usize = 490_000;

/// What the hub asks a connection's writer to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// A JSON text frame.
    Text(String),
    /// A close frame with this code and reason; the writer stops after it.
    Close(u16, &'static str),
}

/// Where the hub sends a connection's frames (its writer task reads the other end).
pub type Outbox = mpsc::Sender<Outgoing>;

/// Frames waiting for one connection before it counts as stuck and is dropped (it reconnects
/// and catches up from its welcome).
pub const OUTBOX_FRAMES: usize = 512;

/// Why an event was not taken; the reason travels to the sender as `refused`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The guided side may not move the view now.
    NoControl,
    /// An admin watching may not act.
    Watching,
    /// The session is ending or ended.
    Ended,
    /// The session's timeline is full (events or duration).
    Full,
    /// The action does not fit the clip or the rules; the place in the event.
    Invalid(String),
}

impl Refusal {
    pub fn reason(&self) -> String {
        match self {
            Refusal::NoControl => "no_control".into(),
            Refusal::Watching => "watching".into(),
            Refusal::Ended => "ended".into(),
            Refusal::Full => "full".into(),
            Refusal::Invalid(at) => format!("invalid:{at}"),
        }
    }
}

/// What the hub needs to open a session's room: read from the database on the first join.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoomInfo {
    /// When the session went live, unix seconds: the session clock's zero.
    pub started_at: i64,
    pub limits: Limits,
    pub guided_may_control: bool,
}

struct Conn {
    id: u64,
    tx: Outbox,
}

struct Room {
    /// Session time at `since`.
    base_ms: u64,
    since: Instant,
    events: Vec<Event>,
    state: ReplayState,
    sides: [Option<Conn>; 2],
    watchers: Vec<Conn>,
    guided_may_control: bool,
    limits: Limits,
    /// Ending: the timeline is being saved, nothing more is taken.
    frozen: bool,
}

impl Room {
    fn new(info: RoomInfo) -> Room {
        let now_ms = i64::try_from(unix_ms()).unwrap_or(i64::MAX);
        let base_ms = u64::try_from(now_ms - info.started_at.saturating_mul(1000)).unwrap_or(0);
        Room {
            base_ms,
            since: Instant::now(),
            events: Vec::new(),
            state: ReplayState::default(),
            sides: [None, None],
            watchers: Vec::new(),
            guided_may_control: info.guided_may_control,
            limits: info.limits,
            frozen: false,
        }
    }

    fn now_ms(&self) -> u64 {
        self.base_ms + self.since.elapsed().as_millis() as u64
    }

    /// Sends to one side; a stuck or closed connection is dropped from the room.
    fn send_side(&mut self, side: usize, message: &Outgoing) {
        let stuck = self.sides[side]
            .as_ref()
            .is_some_and(|c| c.tx.try_send(message.clone()).is_err());
        if stuck {
            tracing::info!(side, "guidance connection stuck or gone; dropped");
            self.sides[side] = None;
            let other = 1 - side;
            self.send_side_quiet(other, &text(&ServerMessage::Peer { online: false }));
        }
    }

    /// Sends without reacting to a failure (the failure is found on the next send).
    fn send_side_quiet(&self, side: usize, message: &Outgoing) {
        if let Some(c) = &self.sides[side] {
            let _ = c.tx.try_send(message.clone());
        }
    }

    fn send_watchers(&mut self, message: &Outgoing) {
        self.watchers
            .retain(|c| c.tx.try_send(message.clone()).is_ok());
    }

    fn peer_online(&self, me: Option<Participant>) -> bool {
        match me {
            Some(p) => self.sides[1 - slot(p)].is_some(),
            None => self.sides.iter().all(Option::is_some),
        }
    }
}

fn slot(p: Participant) -> usize {
    if p == GUIDED { 1 } else { GUIDE as usize }
}

fn unix_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

fn text(message: &ServerMessage) -> Outgoing {
    // Our own types always serialise.
    Outgoing::Text(serde_json::to_string(message).unwrap_or_default())
}

/// A connection as the hub knows it: which session, which side, which socket.
#[derive(Debug, Clone, PartialEq)]
pub struct Seat {
    pub session: SessionId,
    /// `None`: an admin who watches.
    pub side: Option<Participant>,
    pub conn: u64,
}

/// The live sessions of this server. Cheap to clone: every clone is the same hub.
#[derive(Clone, Default)]
pub struct Hub {
    rooms: Arc<Mutex<HashMap<SessionId, Room>>>,
    next_conn: Arc<AtomicU64>,
}

impl Hub {
    fn rooms(&self) -> MutexGuard<'_, HashMap<SessionId, Room>> {
        // A panic while holding the lock leaves plain data behind; carry on with it.
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Seats a connection (`side` `None`: an admin watching) and sends it its welcome. A
    /// side that was already connected elsewhere is closed with [`CLOSE_REPLACED`]; the other
    /// side hears that this one is online.
    pub fn join(
        &self,
        session: &SessionId,
        side: Option<Participant>,
        info: RoomInfo,
        ice_servers: Vec<model::guidance::IceServer>,
        tx: Outbox,
    ) -> Seat {
        let conn = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let mut rooms = self.rooms();
        let room = rooms
            .entry(session.clone())
            .or_insert_with(|| Room::new(info));
        let welcome = text(&ServerMessage::Welcome {
            you: side,
            now_ms: room.now_ms(),
            events: room.events.clone(),
            peer_online: room.peer_online(side),
            guided_may_control: room.guided_may_control,
            ice_servers,
        });
        let _ = tx.try_send(welcome);
        match side {
            Some(p) => {
                let s = slot(p);
                if let Some(old) = room.sides[s].replace(Conn { id: conn, tx }) {
                    let _ = old
                        .tx
                        .try_send(Outgoing::Close(CLOSE_REPLACED, "opened elsewhere"));
                }
                room.send_side(1 - s, &text(&ServerMessage::Peer { online: true }));
            }
            None => room.watchers.push(Conn { id: conn, tx }),
        }
        Seat {
            session: session.clone(),
            side,
            conn,
        }
    }

    /// Unseats a connection that closed (unless a newer one of the same side took its seat);
    /// the other side hears it went. The room and its events stay for a reconnect.
    pub fn leave(&self, seat: &Seat) {
        let mut rooms = self.rooms();
        let Some(room) = rooms.get_mut(&seat.session) else {
            return;
        };
        match seat.side {
            Some(p) => {
                let s = slot(p);
                if room.sides[s].as_ref().is_some_and(|c| c.id == seat.conn) {
                    room.sides[s] = None;
                    room.send_side(1 - s, &text(&ServerMessage::Peer { online: false }));
                }
            }
            None => room.watchers.retain(|c| c.id != seat.conn),
        }
    }

    /// Takes one action of a side: checks it, records it at the session's time, acknowledges
    /// it to the sender and passes it to the other side and the watchers.
    pub fn act(&self, seat: &Seat, action: Action) -> Result<u64, Refusal> {
        let by = seat.side.ok_or(Refusal::Watching)?;
        let mut rooms = self.rooms();
        let room = rooms.get_mut(&seat.session).ok_or(Refusal::Ended)?;
        if room.frozen {
            return Err(Refusal::Ended);
        }
        if by == GUIDED && !room.guided_may_control && matches!(action, Action::View(_)) {
            return Err(Refusal::NoControl);
        }
        let t = room.now_ms();
        if t > MAX_DURATION_MS || room.events.len() >= MAX_SESSION_EVENTS {
            return Err(Refusal::Full);
        }
        let event = Event { t, by, action };
        check(&room.state, room.limits, &event)?;
        room.state.apply(&event);
        let out = text(&ServerMessage::Event {
            t,
            by,
            action: event.action.clone(),
        });
        let pointer = matches!(event.action, Action::Pointer { .. } | Action::PointerOut);
        if !pointer || room.events.len() < RECORDED_POINTER_EVENTS {
            room.events.push(event);
        }
        room.send_side(slot(by), &text(&ServerMessage::Ack { t }));
        room.send_side(1 - slot(by), &out);
        room.send_watchers(&out);
        Ok(t)
    }

    /// Passes WebRTC signalling to the other side, if it is there.
    pub fn signal(&self, seat: &Seat, data: serde_json::Value) {
        let Some(by) = seat.side else {
            return;
        };
        let mut rooms = self.rooms();
        if let Some(room) = rooms.get_mut(&seat.session) {
            room.send_side(1 - slot(by), &text(&ServerMessage::Signal { data }));
        }
    }

    /// The session's clock now (ms since it went live), if its room is open.
    pub fn now_ms(&self, session: &SessionId) -> Option<u64> {
        self.rooms().get(session).map(Room::now_ms)
    }

    /// Sends a message to one connection only (a pong, a refusal).
    pub fn reply(&self, seat: &Seat, message: &ServerMessage) {
        let rooms = self.rooms();
        let Some(room) = rooms.get(&seat.session) else {
            return;
        };
        let conn = match seat.side {
            Some(p) => room.sides[slot(p)].as_ref().filter(|c| c.id == seat.conn),
            None => room.watchers.iter().find(|c| c.id == seat.conn),
        };
        if let Some(c) = conn {
            let _ = c.tx.try_send(text(message));
        }
    }

    /// The guide allowed or withdrew the guided side's control: everyone hears it.
    pub fn set_control(&self, session: &SessionId, allowed: bool) {
        let mut rooms = self.rooms();
        if let Some(room) = rooms.get_mut(session) {
            room.guided_may_control = allowed;
            let out = text(&ServerMessage::Control {
                guided_may_control: allowed,
            });
            room.send_side(0, &out);
            room.send_side(1, &out);
            room.send_watchers(&out);
        }
    }

    /// Stops taking events and answers the timeline so far, ending now (`None` when nobody
    /// joined since the server started). [`Hub::thaw`] undoes it if saving fails.
    pub fn freeze(&self, session: &SessionId) -> Option<Timeline> {
        let mut rooms = self.rooms();
        let room = rooms.get_mut(session)?;
        room.frozen = true;
        Some(Timeline {
            duration_ms: room.now_ms().clamp(1, MAX_DURATION_MS),
            events: room.events.clone(),
        })
    }

    /// Takes events again after a failed end.
    pub fn thaw(&self, session: &SessionId) {
        if let Some(room) = self.rooms().get_mut(session) {
            room.frozen = false;
        }
    }

    /// The session ended: tells everyone connected which replay it became, closes their
    /// connections and forgets the room.
    pub fn finish(&self, session: &SessionId, replay_id: Option<ReplayId>) {
        let Some(mut room) = self.rooms().remove(session) else {
            return;
        };
        let out = text(&ServerMessage::Ended { replay_id });
        let close = Outgoing::Close(CLOSE_ENDED, "session ended");
        for side in 0..2 {
            room.send_side_quiet(side, &out);
            room.send_side_quiet(side, &close);
        }
        room.send_watchers(&out);
        room.send_watchers(&close);
    }

    /// Whether a side of the session is connected now.
    pub fn online(&self, session: &SessionId, side: Participant) -> bool {
        self.rooms()
            .get(session)
            .is_some_and(|r| r.sides[slot(side)].is_some())
    }
}

/// Checks one event against the clip and what is on screen: the model's timeline rules for
/// the action (frames on the clip, shapes on the image, speeds and zooms in range, text
/// lengths), and that an erased drawing of this side exists.
fn check(state: &ReplayState, limits: Limits, event: &Event) -> Result<(), Refusal> {
    if let Action::Erase { id } = event.action {
        let known = state.drawings.iter().any(|(k, _)| *k == (event.by, id));
        return if known {
            Ok(())
        } else {
            Err(Refusal::Invalid("id".into()))
        };
    }
    let alone = Timeline {
        duration_ms: event.t.max(1),
        events: vec![event.clone()],
    };
    validate(&alone, limits, "").map_err(|e| {
        // "events[0].frame" → "frame": the sender knows which event it sent.
        let at = e
            .path
            .strip_prefix("events[0].")
            .unwrap_or(&e.path)
            .to_string();
        Refusal::Invalid(at)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::replay::View;
    use model::{Annotation, Point, Shape};

    fn info() -> RoomInfo {
        RoomInfo {
            started_at: crate::now(),
            limits: Limits {
                frames: Some(6),
                size: Some((320, 240)),
                media_ms: None,
            },
            guided_may_control: false,
        }
    }

    fn read(rx: &mut mpsc::Receiver<Outgoing>) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        while let Ok(m) = rx.try_recv() {
            if let Outgoing::Text(t) = m {
                out.push(serde_json::from_str(&t).unwrap());
            }
        }
        out
    }

    fn arrow() -> Annotation {
        Annotation {
            shape: Shape::Arrow {
                tail: Point { x: 10.0, y: 10.0 },
                head: Point { x: 50.0, y: 40.0 },
            },
            first_frame: 0,
            last_frame: 5,
            color: None,
        }
    }

    #[test]
    fn events_reach_the_other_side_and_wait_in_the_welcome() {
        let hub = Hub::default();
        let id = SessionId(crate::new_id());
        let (gtx, mut grx) = mpsc::channel(64);
        let guide = hub.join(&id, Some(GUIDE), info(), vec![], gtx);
        let welcome = read(&mut grx);
        assert_eq!(welcome[0]["type"], "welcome");
        assert_eq!(welcome[0]["peer_online"], false);

        let (dtx, mut drx) = mpsc::channel(64);
        let doctor = hub.join(&id, Some(GUIDED), info(), vec![], dtx);
        assert_eq!(
            read(&mut grx)[0],
            serde_json::json!({"type": "peer", "online": true})
        );
        read(&mut drx);

        hub.act(&guide, Action::Pointer { x: 5.0, y: 6.0 }).unwrap();
        let got = read(&mut drx);
        assert_eq!(got[0]["type"], "event");
        assert_eq!(got[0]["action"]["kind"], "pointer");
        assert_eq!(read(&mut grx)[0]["type"], "ack");

        // The guided side may point and draw, but not move the view without control.
        hub.act(
            &doctor,
            Action::Draw {
                id: 1,
                annotation: arrow(),
            },
        )
        .unwrap();
        let view = Action::View(View::default());
        assert_eq!(hub.act(&doctor, view.clone()), Err(Refusal::NoControl));
        hub.set_control(&id, true);
        hub.act(&doctor, view).unwrap();

        // Out of the clip, unknown drawings: refused, nothing recorded.
        let past = Action::View(View {
            frame: 6,
            ..View::default()
        });
        assert!(matches!(hub.act(&guide, past), Err(Refusal::Invalid(at)) if at == "frame"));
        assert!(matches!(
            hub.act(&guide, Action::Erase { id: 1 }),
            Err(Refusal::Invalid(_))
        ));
        hub.act(&doctor, Action::Erase { id: 1 }).unwrap();

        hub.leave(&doctor);
        let (dtx, mut drx) = mpsc::channel(64);
        hub.join(&id, Some(GUIDED), info(), vec![], dtx);
        let welcome = &read(&mut drx)[0];
        assert_eq!(welcome["events"].as_array().unwrap().len(), 4);
        assert_eq!(welcome["you"], 1);
        assert_eq!(welcome["peer_online"], true);
        assert_eq!(welcome["guided_may_control"], true);
    }

    #[test]
    fn a_second_page_of_the_same_side_replaces_the_first() {
        let hub = Hub::default();
        let id = SessionId(crate::new_id());
        let (tx1, mut rx1) = mpsc::channel(64);
        let first = hub.join(&id, Some(GUIDE), info(), vec![], tx1);
        let (tx2, _rx2) = mpsc::channel(64);
        hub.join(&id, Some(GUIDE), info(), vec![], tx2);
        let mut closed = false;
        while let Ok(m) = rx1.try_recv() {
            closed |= m == Outgoing::Close(CLOSE_REPLACED, "opened elsewhere");
        }
        assert!(closed);
        // The old connection closing later does not unseat the new one.
        hub.leave(&first);
        assert!(hub.online(&id, GUIDE));
    }

    #[test]
    fn a_frozen_session_takes_nothing_and_finishing_tells_everyone() {
        let hub = Hub::default();
        let id = SessionId(crate::new_id());
        let (tx, mut rx) = mpsc::channel(64);
        let guide = hub.join(&id, Some(GUIDE), info(), vec![], tx);
        hub.act(&guide, Action::PointerOut).unwrap();
        let timeline = hub.freeze(&id).unwrap();
        assert_eq!(timeline.events.len(), 1);
        assert!(timeline.duration_ms >= 1);
        assert_eq!(hub.act(&guide, Action::PointerOut), Err(Refusal::Ended));
        hub.finish(&id, None);
        read(&mut rx);
        assert!(hub.now_ms(&id).is_none());
    }
}
