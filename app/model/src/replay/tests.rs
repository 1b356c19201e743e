use super::*;
use crate::{Annotation, InvalidReason, Point, Shape};

fn arrow(x: f64) -> Annotation {
    Annotation {
        shape: Shape::Arrow {
            tail: Point { x, y: 10.0 },
            head: Point {
                x: x + 20.0,
                y: 30.0,
            },
        },
        first_frame: 0,
        last_frame: 99,
        color: None,
    }
}

fn ev(t: u64, action: Action) -> Event {
    Event {
        t,
        by: GUIDE,
        action,
    }
}

fn view(frame: u32, playing: bool) -> Action {
    Action::View(View {
        frame,
        playing,
        ..View::default()
    })
}

/// A session: chapter, play, point, draw, pause on frame 40, change and erase a drawing,
/// the doctor points, a second chapter, a remark; pointer samples every 33 ms for a while.
fn session() -> Timeline {
    let mut events = vec![
        ev(
            0,
            Action::Chapter {
                title: "Window".into(),
            },
        ),
        ev(0, view(0, false)),
        ev(500, view(0, true)),
        ev(800, Action::Pointer { x: 50.0, y: 60.0 }),
        ev(
            1000,
            Action::Draw {
                id: 1,
                annotation: arrow(10.0),
            },
        ),
        ev(2000, view(40, false)),
        ev(
            2500,
            Action::Draw {
                id: 1,
                annotation: arrow(30.0),
            },
        ),
        ev(
            2600,
            Action::Draw {
                id: 2,
                annotation: arrow(70.0),
            },
        ),
        ev(3000, Action::Erase { id: 1 }),
        Event {
            t: 3100,
            by: GUIDED,
            action: Action::Pointer { x: 5.0, y: 6.0 },
        },
        ev(3200, Action::PointerOut),
        ev(
            4000,
            Action::Chapter {
                title: "Correction".into(),
            },
        ),
        ev(
            4500,
            Action::Remark {
                text: "tilt the probe".into(),
            },
        ),
        ev(5000, view(40, true)),
    ];
    for i in 0..600u64 {
        events.push(ev(
            5000 + i * 33,
            Action::Pointer {
                x: (i % 100) as f64,
                y: 20.0,
            },
        ));
    }
    Timeline {
        duration_ms: 30_000,
        events,
    }
}

#[test]
fn the_state_at_a_time_is_the_same_whether_played_to_or_sought() {
    let timeline = session();
    let replayer = Replayer::new(&timeline);
    let mut played = ReplayState::default();
    let mut t = 0;
    let mut previous = None;
    // Animation frames of 16 ms, with a seek back and forth in the middle of the pointer track.
    while t <= 30_000 {
        match previous {
            None => played = replayer.state_at(t),
            Some(p) => replayer.advance(&mut played, p, t),
        }
        assert_eq!(played, replayer.state_at(t), "at {t} ms");
        previous = Some(t);
        t += if t == 9_008 { 0 } else { 16 };
        if t == 9_008 {
            replayer.advance(&mut played, 9_008, 2_700);
            assert_eq!(played, replayer.state_at(2_700));
            t = 9_024;
            played = replayer.state_at(9_008);
            previous = Some(9_008);
        }
    }
}

#[test]
fn state_holds_view_pointers_drawings_and_chapters() {
    let replayer = Replayer::new(&session());
    let s = replayer.state_at(1_500);
    let v = s.view_at(1_500);
    assert!(v.view.playing);
    assert_eq!(v.playing_for_ms, 1_000, "playing since 500 ms");
    assert_eq!(s.pointers[0], Some(Point { x: 50.0, y: 60.0 }));
    assert_eq!(s.drawings.len(), 1);
    assert_eq!(s.chapter, Some(0));

    let s = replayer.state_at(2_700);
    assert_eq!(s.view_at(2_700).view.frame, 40);
    assert_eq!(s.view_at(2_700).playing_for_ms, 0, "paused");
    assert_eq!(
        s.drawings
            .iter()
            .map(|(k, a)| (k.1, a.clone()))
            .collect::<Vec<_>>(),
        vec![(1, arrow(30.0)), (2, arrow(70.0))],
        "a changed drawing keeps its place"
    );

    let s = replayer.state_at(3_150);
    assert_eq!(s.drawings.len(), 1, "drawing 1 erased at 3 s");
    assert_eq!(
        s.pointers[1],
        Some(Point { x: 5.0, y: 6.0 }),
        "the doctor's pointer"
    );
    let s = replayer.state_at(4_600);
    assert_eq!(s.pointers[0], None, "the expert's pointer left the image");
    assert_eq!(s.chapter, Some(1));
    assert_eq!(s.remark, Some(0));
    assert_eq!(
        replayer.state_at(0).chapter,
        Some(0),
        "a chapter at 0 is under way at 0"
    );
}

#[test]
fn a_trimmed_replay_opens_as_the_original_looked_at_its_start() {
    let timeline = session();
    let original = Replayer::new(&timeline);
    let trimmed = trim(&timeline, 1_500, 12_000);
    assert_eq!(trimmed.duration_ms, 10_500);
    let replayer = Replayer::new(&trimmed);
    for t in [0, 100, 1_000, 1_100, 1_600, 3_000, 9_000, 10_500] {
        let a = original.state_at(t + 1_500);
        let b = replayer.state_at(t);
        // What is shown: the frame playback starts from and how long it has run.
        let shown = |mut v: ViewAt| {
            v.view.played_ms = 0;
            v
        };
        assert_eq!(
            shown(a.view_at(t + 1_500)),
            shown(b.view_at(t)),
            "view at {t}"
        );
        assert_eq!(a.pointers, b.pointers, "pointers at {t}");
        assert_eq!(a.drawings, b.drawings, "drawings at {t}");
    }
    assert_eq!(
        trimmed.chapters(),
        vec![
            Chapter {
                t: 0,
                title: "Window".into()
            },
            Chapter {
                t: 2_500,
                title: "Correction".into()
            }
        ],
        "the chapter under way carries on from the new start"
    );
    assert!(trimmed.events.iter().all(|e| e.t <= trimmed.duration_ms));
    validate(&trimmed, Limits::default(), "").expect("a trimmed timeline is valid");
    // Trimming nothing off changes nothing that is shown.
    let whole = trim(&timeline, 0, 30_000);
    assert_eq!(whole.events.len(), timeline.events.len());
}

#[test]
fn drawing_diff_keeps_ids_and_says_what_changed() {
    let mut diff = DrawingDiff::default();
    assert_eq!(
        diff.update(&[arrow(1.0)]),
        vec![Action::Draw {
            id: 1,
            annotation: arrow(1.0)
        }]
    );
    assert_eq!(
        diff.update(&[arrow(1.0), arrow(2.0), arrow(3.0)]),
        vec![
            Action::Draw {
                id: 2,
                annotation: arrow(2.0)
            },
            Action::Draw {
                id: 3,
                annotation: arrow(3.0)
            }
        ]
    );
    assert_eq!(
        diff.update(&[arrow(1.0), arrow(2.0), arrow(3.0)]),
        vec![],
        "nothing changed"
    );
    // The middle one's frame range narrowed: the same id is redrawn.
    let mut narrowed = arrow(2.0);
    narrowed.last_frame = 9;
    assert_eq!(
        diff.update(&[arrow(1.0), narrowed.clone(), arrow(3.0)]),
        vec![Action::Draw {
            id: 2,
            annotation: narrowed.clone()
        }]
    );
    // Removed from the middle: the others keep their ids.
    assert_eq!(
        diff.update(&[arrow(1.0), arrow(3.0)]),
        vec![Action::Erase { id: 2 }]
    );
    // One gone and one new in the same change reads as the drawing being replaced in place.
    assert_eq!(
        diff.update(&[arrow(3.0), arrow(4.0)]),
        vec![Action::Draw {
            id: 1,
            annotation: arrow(4.0)
        }]
    );
    assert_eq!(
        diff.update(&[arrow(3.0), arrow(4.0), arrow(5.0)]),
        vec![Action::Draw {
            id: 4,
            annotation: arrow(5.0)
        }],
        "ids never repeat"
    );
    assert_eq!(
        diff.clear(),
        vec![
            Action::Erase { id: 3 },
            Action::Erase { id: 1 },
            Action::Erase { id: 4 }
        ]
    );
}

#[test]
fn validation_names_the_place_in_the_file() {
    let mut t = session();
    t.events.swap(3, 4);
    assert_eq!(
        validate(&t, Limits::default(), "timeline"),
        Err(TimelineError {
            path: "timeline.events[4].t".into(),
            reason: InvalidReason::BadFormat
        })
    );
    let t = session();
    let limits = Limits {
        frames: Some(30),
        size: Some((640, 480)),
        media_ms: Some(20_000),
    };
    assert_eq!(
        validate(&t, limits, "").unwrap_err(),
        TimelineError {
            path: "events[5].frame".into(),
            reason: InvalidReason::PastEnd
        },
        "frame 40 of a 30-frame clip"
    );
    let limits = Limits {
        frames: Some(100),
        size: Some((640, 480)),
        media_ms: Some(20_000),
    };
    let err = validate(&t, limits, "").unwrap_err();
    assert_eq!(
        err.reason,
        InvalidReason::PastEnd,
        "pointer samples after the voice ends"
    );
    assert!(err.path.ends_with(".t"), "{err:?}");
    let mut t = session();
    t.events.push(ev(29_000, Action::Erase { id: 7 }));
    assert_eq!(
        validate(&t, Limits::default(), "").unwrap_err(),
        TimelineError {
            path: format!("events[{}].id", t.events.len() - 1),
            reason: InvalidReason::Unknown
        }
    );
    let mut t = session();
    t.events.push(ev(31_000, Action::PointerOut));
    assert_eq!(
        validate(&t, Limits::default(), "").unwrap_err().reason,
        InvalidReason::PastEnd
    );
    validate(
        &session(),
        Limits {
            frames: Some(100),
            size: Some((640, 480)),
            media_ms: None,
        },
        "",
    )
    .expect("the session fits its clip");
}

fn manifest_json(events: &str) -> String {
    format!(
        r#"{{"format":"sonohub-replay","version":1,"title":"RUQ window","language":"en",
            "clip":{{"kind":"dicom","file":"clip.dcm"}},
            "voices":[{{"file":"voice.webm","speaker":"Dr Chen"}}],
            "timeline":{{"duration_ms":5000,"events":{events}}}}}"#
    )
}

#[test]
fn a_manifest_that_fails_its_schema_is_refused_at_the_path() {
    let good = manifest_json(
        r#"[{"t":0,"kind":"chapter","title":"Start"},{"t":10,"kind":"view","frame":3,"playing":true}]"#,
    );
    let m = parse_manifest(good.as_bytes()).expect("a good manifest");
    assert_eq!(m.timeline.events.len(), 2);
    assert_eq!(m.voices[0].offset_ms, 0);
    assert_eq!(
        m.timeline.events[1].action,
        view(3, true),
        "defaults fill speed, zoom, pan"
    );

    let bad_time = manifest_json(
        r#"[{"t":0,"kind":"chapter","title":"Start"},{"t":"soon","kind":"pointer_out"}]"#,
    );
    let err = parse_manifest(bad_time.as_bytes()).unwrap_err();
    assert!(err.path.starts_with("timeline.events[1]"), "{err:?}");

    let bad_kind = manifest_json(r#"[{"t":0,"kind":"wave"}]"#);
    let err = parse_manifest(bad_kind.as_bytes()).unwrap_err();
    assert!(err.path.starts_with("timeline.events[0]"), "{err:?}");

    let wrong_format = good.replace("sonohub-replay", "other");
    assert_eq!(
        parse_manifest(wrong_format.as_bytes()).unwrap_err().path,
        "format"
    );
    let future = good.replace(r#""version":1"#, r#""version":2"#);
    assert_eq!(
        parse_manifest(future.as_bytes()).unwrap_err().path,
        "version"
    );
    let err = parse_manifest(b"{not json").unwrap_err();
    assert_eq!(err.reason, InvalidReason::BadFormat);
}

#[test]
fn the_schema_names_every_event_kind_the_code_writes() {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let kinds: Vec<String> = schema["$defs"]["event"]["properties"]["kind"]["enum"]
        .as_array()
        .expect("event kinds")
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let written: Vec<String> = [
        view(0, false),
        Action::Pointer { x: 1.0, y: 1.0 },
        Action::PointerOut,
        Action::Draw {
            id: 1,
            annotation: arrow(1.0),
        },
        Action::Erase { id: 1 },
        Action::Chapter { title: "a".into() },
        Action::Remark { text: "b".into() },
    ]
    .iter()
    .map(|a| {
        serde_json::to_value(ev(0, a.clone())).unwrap()["kind"]
            .as_str()
            .unwrap()
            .to_string()
    })
    .collect();
    assert_eq!(kinds, written);
    let branches = schema["$defs"]["event"]["oneOf"].as_array().unwrap();
    assert_eq!(branches.len(), written.len(), "one schema branch per kind");
    assert_eq!(schema["properties"]["version"]["maximum"], FORMAT_VERSION);
    // What the code writes for a view event uses the schema's field names.
    let v = serde_json::to_value(ev(5, view(2, true))).unwrap();
    for field in [
        "t", "kind", "frame", "playing", "speed", "loop", "zoom", "pan",
    ] {
        assert!(v.get(field).is_some(), "{field} in {v}");
        assert!(
            field == "t" || field == "kind" || branches[0]["properties"].get(field).is_some(),
            "{field} documented"
        );
    }
}
