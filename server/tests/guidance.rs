//! Live guidance sessions over HTTP and WebSocket: who may start, answer, see and join a
//! session (a third person finds none, the socket included); the relay of pointers, drawings
//! and signalling between the two sides, the guided side's view refused without control,
//! and a reconnecting page catching up from its welcome; ending into a replay draft with the
//! server's timeline, to which each side adds its voice; requests taken by any expert; and a
//! connection that floods or sends garbage is dropped.

use crate::cases::{app_with_study, published_case};
use crate::common::{Client, TestApp};
use futures_util::{SinkExt, StreamExt};
use model::AuditAction;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

const VOICE_OGG: &[u8] = include_bytes!("data/voice.ogg");
const VOICE_WEBM: &[u8] = include_bytes!("data/voice.webm");

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the session's socket as `cookie`'s user: the socket, or the HTTP status refusing it.
async fn join(app: &TestApp, session: &str, cookie: &str) -> Result<Socket, u16> {
    let url = format!("ws://{}/guidance/{session}/ws", app.started.addr);
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("connecting: {other}"),
    }
}

/// The next JSON message (pings and pongs skipped); panics after five seconds of silence.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message within five seconds")
            .expect("the socket is open")
            .expect("a readable frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// The next message of `kind`, skipping others (acks, peers) on the way.
async fn next_of(socket: &mut Socket, kind: &str) -> Value {
    for _ in 0..50 {
        let m = next(socket).await;
        if m["type"] == kind {
            return m;
        }
    }
    panic!("no {kind} message");
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

async fn act(socket: &mut Socket, action: Value) {
    send(socket, json!({ "type": "event", "action": action })).await;
}

/// How the socket ends: the close code the server sent (None when it just went away).
async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("the socket closes within ten seconds");
        match next {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

fn arrow() -> Value {
    json!({ "shape": { "kind": "arrow", "tail": { "x": 40.0, "y": 40.0 }, "head": { "x": 90.0, "y": 80.0 } },
            "first_frame": 0, "last_frame": 5 })
}

/// A demo server with one published case (a 6-frame 320 × 240 clip); answers the app, the
/// two experts and the clip's SOP Instance UID.
async fn hub_with_clip() -> (TestApp, Client, Client, String) {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    published_case(&chen, &wang, &study, "右上腹 eFAST 肝肾隐窝").await;
    let (status, clips) = chen.call("guidance_clips", &[]).await;
    assert_eq!(status, 200, "{clips}");
    let sop = clips[0]["sop_uid"].as_str().unwrap().to_string();
    (app, chen, wang, sop)
}

async fn user_id(expert: &Client, username: &str) -> String {
    let (status, learners) = expert.call("guidance_learners", &[]).await;
    assert_eq!(status, 200, "{learners}");
    let found = learners
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["username"] == username)
        .unwrap_or_else(|| panic!("{username} among {learners}"));
    found["id"].as_str().unwrap().to_string()
}

/// chen.jing starts a session with li.na, who accepts; answers the session id.
async fn live_session(chen: &Client, li: &Client, sop: &str) -> String {
    let li_id = user_id(chen, "li.na").await;
    let (status, id) = chen
        .call("start_guidance", &[("sop_uid", sop), ("learner", &li_id)])
        .await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_string();
    let (status, body) = li
        .call("answer_guidance", &[("id", &id), ("accept", "true")])
        .await;
    assert_eq!(status, 200, "{body}");
    id
}

/// POSTs a recorded voice to the session's voice route; answers status and body.
async fn upload_voice(client: &Client, session: &str, bytes: &[u8], mime: &str) -> (u16, Value) {
    let res = client
        .http
        .post(client.url(&format!("/guidance/{session}/voice")))
        .header("content-type", mime)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn only_the_two_participants_see_and_join_and_the_guide_leads() {
    let (app, chen, wang, sop) = hub_with_clip().await;
    let li = app.signed_in("li.na").await;
    let zhang = app.signed_in("zhang.wei").await;

    // A learner cannot start one; an expert can, with a learner (not another expert).
    let li_id = user_id(&chen, "li.na").await;
    let (status, _) = li
        .call("start_guidance", &[("sop_uid", &sop), ("learner", &li_id)])
        .await;
    assert_eq!(status, 403);
    let wang_id =
        sqlx::query_as::<_, (String,)>("SELECT id FROM users WHERE username = 'wang.lei'")
            .fetch_one(&app.started.state.db.pool)
            .await
            .unwrap()
            .0;
    let (status, body) = chen
        .call(
            "start_guidance",
            &[("sop_uid", &sop), ("learner", &wang_id)],
        )
        .await;
    assert_eq!(
        (status, body["Invalid"]["field"].clone()),
        (422, json!("learner"))
    );
    let (status, body) = chen
        .call(
            "start_guidance",
            &[("sop_uid", "1.2.3.4"), ("learner", &li_id)],
        )
        .await;
    assert_eq!(
        (status, body["Invalid"]["reason"].clone()),
        (422, json!("not_published"))
    );

    let (status, id) = chen
        .call("start_guidance", &[("sop_uid", &sop), ("learner", &li_id)])
        .await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_string();
    let (_, mine) = li.call("guidance_sessions", &[]).await;
    assert_eq!(mine[0]["status"], "invited");
    assert_eq!(mine[0]["me"], 1);

    // Not live yet: the socket is refused with a conflict, not hidden.
    let (chen_cookie, li_cookie) = (
        app.session_cookie("chen.jing").await,
        app.session_cookie("li.na").await,
    );
    assert_eq!(join(&app, &id, &li_cookie).await.err(), Some(409));
    let (status, _) = li
        .call("answer_guidance", &[("id", &id), ("accept", "true")])
        .await;
    assert_eq!(status, 200);
    let (status, _) = li
        .call("answer_guidance", &[("id", &id), ("accept", "true")])
        .await;
    assert_eq!(status, 422, "accepted once only");

    // Anyone else: no such session, through every door.
    let zhang_cookie = app.session_cookie("zhang.wei").await;
    let wang_cookie = app.session_cookie("wang.lei").await;
    for (client, cookie) in [(&zhang, &zhang_cookie), (&wang, &wang_cookie)] {
        assert_eq!(client.call("guidance_session", &[("id", &id)]).await.0, 404);
        assert_eq!(join(&app, &id, cookie).await.err(), Some(404));
        let (_, list) = client.call("guidance_sessions", &[]).await;
        assert!(!list.to_string().contains(&id), "{list}");
    }
    assert_eq!(
        join(&app, &id, "sonohub_session=nobody").await.err(),
        Some(401)
    );
    let (status, view) = li.call("guidance_session", &[("id", &id)]).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(
        (view["me"].clone(), view["status"].clone()),
        (json!(1), json!("live"))
    );
    assert_eq!(view["frames"], 6);

    // Both join; the guide's pointer and drawing reach the doctor.
    let mut guide = join(&app, &id, &chen_cookie).await.unwrap();
    let welcome = next_of(&mut guide, "welcome").await;
    assert_eq!(
        (welcome["you"].clone(), welcome["peer_online"].clone()),
        (json!(0), json!(false))
    );
    let mut doctor = join(&app, &id, &li_cookie).await.unwrap();
    let welcome = next_of(&mut doctor, "welcome").await;
    assert_eq!(
        (welcome["you"].clone(), welcome["peer_online"].clone()),
        (json!(1), json!(true))
    );
    assert_eq!(next_of(&mut guide, "peer").await["online"], true);

    act(
        &mut guide,
        json!({ "kind": "pointer", "x": 120.5, "y": 88.0 }),
    )
    .await;
    let seen = next_of(&mut doctor, "event").await;
    assert_eq!(seen["by"], 0);
    assert_eq!(
        seen["action"],
        json!({ "kind": "pointer", "x": 120.5, "y": 88.0 })
    );
    let ack = next_of(&mut guide, "ack").await;
    assert_eq!(ack["t"], seen["t"]);
    act(
        &mut guide,
        json!({ "kind": "draw", "id": 1, "annotation": arrow() }),
    )
    .await;
    let seen = next_of(&mut doctor, "event").await;
    assert_eq!(
        (
            seen["action"]["kind"].clone(),
            seen["action"]["annotation"].clone()
        ),
        (json!("draw"), arrow())
    );

    // The doctor points and draws too, but moves the view only when allowed.
    act(
        &mut doctor,
        json!({ "kind": "pointer", "x": 10.0, "y": 12.0 }),
    )
    .await;
    assert_eq!(next_of(&mut guide, "event").await["by"], 1);
    let view = json!({ "kind": "view", "frame": 3, "playing": false });
    act(&mut doctor, view.clone()).await;
    assert_eq!(
        next_of(&mut doctor, "refused").await["reason"],
        "no_control"
    );
    assert_eq!(
        li.call("set_guided_control", &[("id", &id), ("allowed", "true")])
            .await
            .0,
        403,
        "only the guide hands over control"
    );
    let (status, _) = chen
        .call("set_guided_control", &[("id", &id), ("allowed", "true")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        next_of(&mut doctor, "control").await["guided_may_control"],
        true
    );
    act(&mut doctor, view).await;
    let seen = next_of(&mut guide, "event").await;
    assert_eq!(
        (seen["by"].clone(), seen["action"]["frame"].clone()),
        (json!(1), json!(3))
    );

    // Out of the clip or unknown: refused, nothing relayed.
    act(
        &mut guide,
        json!({ "kind": "view", "frame": 6, "playing": false }),
    )
    .await;
    assert_eq!(
        next_of(&mut guide, "refused").await["reason"],
        "invalid:frame"
    );
    act(&mut guide, json!({ "kind": "erase", "id": 7 })).await;
    assert_eq!(next_of(&mut guide, "refused").await["reason"], "invalid:id");
    act(
        &mut guide,
        json!({ "kind": "pointer", "x": 5000.0, "y": 1.0 }),
    )
    .await;
    assert_eq!(next_of(&mut guide, "refused").await["reason"], "invalid:x");

    // Signalling passes through as it was sent; pings are answered with the session clock.
    let offer = json!({ "kind": "offer", "round": 1, "sdp": "v=0\r\n" });
    send(&mut guide, json!({ "type": "signal", "data": offer })).await;
    assert_eq!(next_of(&mut doctor, "signal").await["data"], offer);
    send(&mut doctor, json!({ "type": "ping", "client_ms": 12.5 })).await;
    let pong = next_of(&mut doctor, "pong").await;
    assert_eq!(pong["client_ms"], 12.5);
    assert!(pong["now_ms"].as_u64().unwrap() >= seen["t"].as_u64().unwrap());

    // The doctor drops out; what happens meanwhile waits in the welcome of their return.
    doctor.close(None).await.unwrap();
    drop(doctor);
    assert_eq!(next_of(&mut guide, "peer").await["online"], false);
    act(
        &mut guide,
        json!({ "kind": "pointer", "x": 60.0, "y": 61.0 }),
    )
    .await;
    act(&mut guide, json!({ "kind": "erase", "id": 1 })).await;
    act(&mut guide, json!({ "kind": "pointer_out" })).await;
    for _ in 0..3 {
        next_of(&mut guide, "ack").await;
    }
    let mut doctor = join(&app, &id, &li_cookie).await.unwrap();
    let welcome = next_of(&mut doctor, "welcome").await;
    let events = welcome["events"].as_array().unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "pointer",
            "draw",
            "pointer",
            "view",
            "pointer",
            "erase",
            "pointer_out"
        ],
        "{welcome}"
    );
    assert_eq!(events[2]["by"], 1, "the doctor's own pointer");
    assert!(
        events
            .windows(2)
            .all(|w| w[0]["t"].as_u64() <= w[1]["t"].as_u64())
    );
    assert_eq!(welcome["peer_online"], true);
    assert_eq!(welcome["guided_may_control"], true);

    // A second page of the same side takes over; the first is told not to come back.
    let mut doctor_again = join(&app, &id, &li_cookie).await.unwrap();
    next_of(&mut doctor_again, "welcome").await;
    assert_eq!(close_code(&mut doctor).await, Some(4001));

    // Only the guide ends it; both hear which replay it became.
    assert_eq!(li.call("end_guidance", &[("id", &id)]).await.0, 403);
    let (status, replay) = chen.call("end_guidance", &[("id", &id)]).await;
    assert_eq!(status, 200, "{replay}");
    let replay = replay.as_str().unwrap().to_string();
    for socket in [&mut guide, &mut doctor_again] {
        assert_eq!(next_of(socket, "ended").await["replay_id"], replay.as_str());
        assert_eq!(close_code(socket).await, Some(4002));
    }
    assert_eq!(
        chen.call("end_guidance", &[("id", &id)]).await.0,
        422,
        "ended once"
    );
    assert_eq!(join(&app, &id, &chen_cookie).await.err(), Some(409));

    // The draft: the clip, the server's timeline as long as the session was live, the guide.
    let (status, draft) = chen.call("get_replay", &[("id", &replay)]).await;
    assert_eq!(status, 200, "{draft}");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["language"], "zh");
    assert!(
        draft["title"]
            .as_str()
            .unwrap()
            .starts_with("远程指导：右上腹 eFAST 肝肾隐窝 "),
        "{draft}"
    );
    assert_eq!(draft["author"], "陈静 Chen Jing");
    assert_eq!(draft["timeline"]["events"].as_array().unwrap().len(), 7);
    let last_t = draft["timeline"]["events"][6]["t"].as_u64().unwrap();
    assert!(draft["timeline"]["duration_ms"].as_u64().unwrap() >= last_t);
    let (session_id, kept): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT r.session_id, g.timeline FROM replays r JOIN guidance_sessions g ON g.replay_id = r.id \
         WHERE r.id = $1",
    )
    .bind(&replay)
    .fetch_one(&app.started.state.db.pool)
    .await
    .unwrap();
    assert_eq!(session_id.as_deref(), Some(id.as_str()));
    let kept: Value = serde_json::from_str(&kept.unwrap()).unwrap();
    assert_eq!(
        kept, draft["timeline"],
        "the server's copy is the replay's timeline"
    );
    assert_eq!(
        li.call("get_replay", &[("id", &replay)]).await.0,
        404,
        "a draft stays hidden"
    );

    // Each side adds the voice it recorded; nobody else can.
    let (status, doctors) = upload_voice(&li, &id, VOICE_WEBM, "audio/webm").await;
    assert_eq!(status, 200, "{doctors}");
    let (status, _) = upload_voice(&zhang, &id, VOICE_OGG, "audio/ogg").await;
    assert_eq!(status, 404);
    let (status, body) = upload_voice(&li, &id, b"RIFF....WAVEfmt ", "audio/wav").await;
    assert_eq!(
        (status, body["Invalid"]["reason"].clone()),
        (422, json!("unsupported"))
    );
    let doctors = doctors["media"].as_str().unwrap().to_string();
    let attach = |client: &Client, media: String, offset: &'static str| {
        let (client, id) = (client.clone(), id.clone());
        async move {
            client
                .call(
                    "attach_session_voice",
                    &[
                        ("session_id", &id),
                        ("media", &media),
                        ("offset_ms", offset),
                    ],
                )
                .await
        }
    };
    assert_eq!(attach(&zhang, doctors.clone(), "0").await.0, 404);
    let (status, body) = attach(&chen, doctors.clone(), "0").await;
    assert_eq!(
        (status, body["Invalid"]["field"].clone()),
        (422, json!("media")),
        "not chen's recording"
    );
    assert_eq!(attach(&li, doctors.clone(), "850").await.0, 200);
    assert_eq!(
        attach(&li, doctors.clone(), "850").await.0,
        200,
        "again: no second copy"
    );
    let (status, guides) = upload_voice(&chen, &id, VOICE_OGG, "audio/ogg").await;
    assert_eq!(status, 200, "{guides}");
    let (status, _) = attach(&chen, guides["media"].as_str().unwrap().to_string(), "-120").await;
    assert_eq!(status, 200);

    let (_, draft) = chen.call("get_replay", &[("id", &replay)]).await;
    let voices = draft["voices"].as_array().unwrap();
    assert_eq!(voices.len(), 2, "{draft}");
    assert_eq!(
        (
            voices[0]["speaker"].clone(),
            voices[0]["by"].clone(),
            voices[0]["offset_ms"].clone()
        ),
        (json!("李娜 Li Na"), json!(1), json!(850))
    );
    assert_eq!(
        (
            voices[1]["speaker"].clone(),
            voices[1]["by"].clone(),
            voices[1]["offset_ms"].clone()
        ),
        (json!("陈静 Chen Jing"), json!(0), json!(-120))
    );
    let (_, view) = li.call("guidance_session", &[("id", &id)]).await;
    assert_eq!(
        (view["status"].clone(), view["voices"].clone()),
        (json!("ended"), json!([1, 0]))
    );

    // Each step is in the audit trail, under the session.
    let actions: Vec<String> = app
        .audit_of(&id)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in [
        AuditAction::GuidanceStarted,
        AuditAction::GuidanceAccepted,
        AuditAction::GuidanceEnded,
        AuditAction::GuidanceVoiceAttached,
    ] {
        assert!(
            actions.contains(&action.as_str().to_string()),
            "{action:?} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_request_waits_for_any_expert_and_abuse_drops_the_connection() {
    let (app, chen, wang, sop) = hub_with_clip().await;
    let li = app.signed_in("li.na").await;

    // li.na asks; every expert sees the open request, the first to take it guides.
    assert_eq!(
        chen.call("request_guidance", &[("sop_uid", &sop), ("note", "")])
            .await
            .0,
        403,
        "experts guide, they do not ask"
    );
    let (status, id) = li
        .call(
            "request_guidance",
            &[("sop_uid", &sop), ("note", "找不到肝肾隐窝")],
        )
        .await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_string();
    for expert in [&chen, &wang] {
        let (_, list) = expert.call("guidance_sessions", &[]).await;
        let open = &list[0];
        assert_eq!(
            (open["status"].clone(), open["me"].clone()),
            (json!("requested"), Value::Null)
        );
        assert_eq!(open["note"], "找不到肝肾隐窝");
    }
    assert_eq!(
        wang.call("guidance_session", &[("id", &id)]).await.0,
        404,
        "not theirs yet"
    );
    assert_eq!(wang.call("take_guidance", &[("id", &id)]).await.0, 200);
    assert_eq!(
        chen.call("take_guidance", &[("id", &id)]).await.0,
        404,
        "taken: gone for chen"
    );
    let (_, view) = wang.call("guidance_session", &[("id", &id)]).await;
    assert_eq!(
        (view["status"].clone(), view["me"].clone()),
        (json!("invited"), json!(0))
    );
    assert_eq!(
        li.call("answer_guidance", &[("id", &id), ("accept", "false")])
            .await
            .0,
        200
    );
    let (_, view) = li.call("guidance_session", &[("id", &id)]).await;
    assert_eq!(view["status"], "declined");

    // A live session, and three ways to be dropped from it.
    let id = live_session(&chen, &li, &sop).await;
    let chen_cookie = app.session_cookie("chen.jing").await;

    let mut flood = join(&app, &id, &chen_cookie).await.unwrap();
    next_of(&mut flood, "welcome").await;
    for i in 0..2000 {
        let pointer = json!({ "type": "event", "action": { "kind": "pointer", "x": f64::from(i % 300), "y": 5.0 } });
        if flood
            .send(Message::Text(pointer.to_string().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(close_code(&mut flood).await, Some(1008), "a flood");

    let mut garbage = join(&app, &id, &chen_cookie).await.unwrap();
    next_of(&mut garbage, "welcome").await;
    garbage
        .send(Message::Text("{\"type\":\"nonsense\"}".into()))
        .await
        .unwrap();
    assert_eq!(
        close_code(&mut garbage).await,
        Some(1008),
        "a malformed message"
    );

    let mut oversize = join(&app, &id, &chen_cookie).await.unwrap();
    next_of(&mut oversize, "welcome").await;
    let huge =
        json!({ "type": "event", "action": { "kind": "remark", "text": "x".repeat(100_000) } });
    let _ = oversize.send(Message::Text(huge.to_string().into())).await;
    assert_ne!(
        close_code(&mut oversize).await,
        Some(1000),
        "a frame over the limit"
    );

    // Still usable afterwards: the hub kept the session.
    let mut guide = join(&app, &id, &chen_cookie).await.unwrap();
    let welcome = next_of(&mut guide, "welcome").await;
    assert!(
        welcome["events"].as_array().unwrap().len() >= 200,
        "the burst before the drop was taken"
    );
}
