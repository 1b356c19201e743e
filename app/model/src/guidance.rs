//! Live guidance sessions: an expert guides a community doctor on a shared clip. What the
//! pages and server functions exchange, and the messages of the session's WebSocket
//! (`GET /guidance/{id}/ws`; the protocol is described in the server's `guidance_ws` module).
use crate::replay::{Action, Event, Participant};
use crate::{ReplayId, SessionId, UserId};
use serde::{Deserialize, Serialize};

/// Longest note a learner writes when asking for guidance, in characters.
pub const MAX_NOTE: usize = 1000;

/// Where a session stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// A learner asked the hub for guidance; any expert may take it.
    Requested,
    /// An expert started it (or took a request); the learner has not answered yet.
    Invited,
    /// Both may join.
    Live,
    /// Over; its replay draft holds the timeline and the voices.
    Ended,
    /// The learner declined (or withdrew their request).
    Declined,
}

impl SessionStatus {
    pub const ALL: [SessionStatus; 5] = [
        SessionStatus::Requested,
        SessionStatus::Invited,
        SessionStatus::Live,
        SessionStatus::Ended,
        SessionStatus::Declined,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Requested => "requested",
            SessionStatus::Invited => "invited",
            SessionStatus::Live => "live",
            SessionStatus::Ended => "ended",
            SessionStatus::Declined => "declined",
        }
    }

    pub fn parse(name: &str) -> Option<SessionStatus> {
        SessionStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A STUN or TURN server the browsers' WebRTC uses (`RTCIceServer`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IceServer {
    /// `stun:host:port`, `turn:host:port?transport=udp`, ...
    #[serde(deserialize_with = "one_or_many")]
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// `"urls"` may be one address or a list, as in the browser's `RTCIceServer`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Urls {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Urls::deserialize(d)? {
        Urls::One(url) => vec![url],
        Urls::Many(urls) => urls,
    })
}

/// A session in the signed-in person's list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionSummary {
    pub id: SessionId,
    pub status: SessionStatus,
    pub case_title: String,
    /// The guiding expert's name (none yet for an open request).
    pub guide: Option<String>,
    pub guided: String,
    pub note: String,
    /// The signed-in person's part in it (`None`: an expert seeing an open request, an admin).
    pub me: Option<Participant>,
    /// Unix seconds.
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub replay_id: Option<ReplayId>,
}

/// One session with what its live page needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionView {
    pub id: SessionId,
    pub status: SessionStatus,
    pub case_title: String,
    pub sop_uid: String,
    /// Where the viewer fetches the clip.
    pub clip_url: String,
    pub frames: u32,
    pub width: u32,
    pub height: u32,
    pub guide: Option<String>,
    pub guided: String,
    pub note: String,
    /// The signed-in person's part (`None`: an admin, who may only watch).
    pub me: Option<Participant>,
    pub guided_may_control: bool,
    pub ice_servers: Vec<IceServer>,
    pub replay_id: Option<ReplayId>,
    /// Participants whose voice the replay draft already holds.
    pub voices: Vec<Participant>,
}

/// A learner an expert may invite.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LearnerChoice {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    /// The site's name in Chinese and English (`zh`, `en`).
    pub site: (String, String),
}

/// What a client sends over the session's WebSocket.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Something this side did on the clip.
    Event { action: Action },
    /// WebRTC signalling (offer, answer, ICE candidate), relayed as it is to the other side.
    Signal { data: serde_json::Value },
    /// Measures the round trip; answered by `pong`.
    Ping { client_ms: f64 },
}

/// What the server sends over the session's WebSocket.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The first message of every connection: who this side is, the session clock, every
    /// event so far (a reconnecting page rebuilds its state from them).
    Welcome {
        /// `None` for an admin who watches.
        you: Option<Participant>,
        now_ms: u64,
        events: Vec<Event>,
        peer_online: bool,
        guided_may_control: bool,
        ice_servers: Vec<IceServer>,
    },
    /// What the other side did, at session time `t`.
    Event {
        t: u64,
        by: Participant,
        action: Action,
    },
    /// The sender's own event was recorded at session time `t`.
    Ack {
        t: u64,
    },
    /// The sender's event was not taken (no control, out of range, too long).
    Refused {
        reason: String,
    },
    /// Signalling from the other side.
    Signal {
        data: serde_json::Value,
    },
    /// The other side came or went.
    Peer {
        online: bool,
    },
    /// The guide allowed or withdrew the guided side's control of the view.
    Control {
        guided_may_control: bool,
    },
    Pong {
        client_ms: f64,
        now_ms: u64,
    },
    /// The guide ended the session; its replay draft.
    Ended {
        replay_id: Option<ReplayId>,
    },
}

/// The WebSocket close code telling a page that it was opened again elsewhere (it does not
/// reconnect, or the two would take turns pushing each other out).
pub const CLOSE_REPLACED: u16 = 4001;
/// Close code: the session ended (no reconnect).
pub const CLOSE_ENDED: u16 = 4002;
/// Close code: the connection broke the rules (size, rate, malformed frames).
pub const CLOSE_ABUSE: u16 = 1008;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::Action;

    #[test]
    fn messages_read_as_the_protocol_writes_them() {
        let m: ClientMessage =
            serde_json::from_str(r#"{"type":"event","action":{"kind":"pointer","x":3.0,"y":4.5}}"#)
                .unwrap();
        assert_eq!(
            m,
            ClientMessage::Event {
                action: Action::Pointer { x: 3.0, y: 4.5 }
            }
        );
        let m: ClientMessage =
            serde_json::from_str(r#"{"type":"signal","data":{"sdp":"v=0","type":"offer"}}"#)
                .unwrap();
        assert!(matches!(m, ClientMessage::Signal { .. }));
        let out = serde_json::to_value(ServerMessage::Event {
            t: 12,
            by: 0,
            action: Action::PointerOut,
        })
        .unwrap();
        assert_eq!(
            out,
            serde_json::json!({"type": "event", "t": 12, "by": 0, "action": {"kind": "pointer_out"}})
        );
    }

    #[test]
    fn ice_servers_take_one_url_or_several() {
        let servers: Vec<IceServer> = serde_json::from_str(
            r#"[{"urls":"stun:stun.example.org:3478"},
                {"urls":["turn:t.example.org:3478"],"username":"u","credential":"p"}]"#,
        )
        .unwrap();
        assert_eq!(servers[0].urls, vec!["stun:stun.example.org:3478"]);
        assert_eq!(servers[1].username.as_deref(), Some("u"));
    }

    #[test]
    fn statuses_round_trip() {
        for s in SessionStatus::ALL {
            assert_eq!(SessionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(SessionStatus::parse("paused"), None);
    }
}
