//! The records the matrix's rows call about, made through the API as people make them: a
//! study chen.jing imported and a case from it that wang.lei published; chen's draft case,
//! replays and guidance sessions with li.na; li.na's logbook entries, her course, quiz attempt
//! and consultation comment; open upload jobs; a spare account for the admin rows.
use crate::cases::{app_with_study, published_case};
use crate::common::{Client, TestApp, wait_for_job};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use serde_json::{Value, json};

const VOICE_OGG: &[u8] = include_bytes!("../data/voice.ogg");

/// Ids of what the rows act on. "chen" is chen.jing (the expert column), "li" li.na (the
/// learner column); liu.yang and wang.lei own nothing.
pub struct Fixtures {
    /// The imported study, its one series and instance, and that instance's file hash.
    pub study: String,
    pub series: String,
    pub sop: String,
    pub blob: String,
    /// chen's finished upload job (the study's import).
    pub done_job: String,
    /// chen's upload jobs still receiving: one to send files to, one to close.
    pub open_job: String,
    pub closing_job: String,
    /// The published case (chen wrote it, wang published it).
    pub case: String,
    /// chen's draft case, its editor content and save stamp.
    pub draft_case: String,
    pub draft_content: String,
    pub draft_stamp: i64,
    /// li's comment on the published case.
    pub comment: String,
    /// A published replay on the instance with one voice, the voice's media hash, a draft
    /// with the same voice, and a draft to discard; all chen's.
    pub replay: String,
    pub voice: String,
    pub draft_replay: String,
    pub doomed_replay: String,
    /// The replay draft as saved, for the save row.
    pub draft_replay_body: Value,
    /// chen guides li: a live session, a live one to end, an ended one (for voices), and
    /// li's open request.
    pub live_session: String,
    pub ending_session: String,
    pub ended_session: String,
    pub request: String,
    /// li's submitted logbook entry (with one clip, whose file hash is `logbook_blob`) and
    /// her draft.
    pub entry: String,
    pub logbook_blob: String,
    pub draft_entry: String,
    /// li's id and site.
    pub li: String,
    pub li_site: String,
    /// An account the admin rows enable and reset.
    pub spare_user: String,
    /// A published, self-enrolment course li is enrolled in (lessons `read` and `quiz`), its
    /// quiz, the question chen wrote for it and li's open attempt; and a course never
    /// published.
    pub course: String,
    pub quiz: String,
    pub question: String,
    pub question_body: Value,
    pub quiz_body: Value,
    pub attempt: String,
    pub draft_course: String,
    pub course_body: Value,
    /// The first application with its review form, as coordinators edit it.
    pub application: Value,
}

/// Asserts a 200 and returns the body.
fn ok(what: &str, (status, body): (u16, Value)) -> Value {
    assert_eq!(status, 200, "{what}: {body}");
    body
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a string: {value}"))
        .to_string()
}

/// A timeline of a second: the clip plays, a pointer shows.
pub fn timeline() -> Value {
    json!({ "duration_ms": 1000, "events": [
        { "t": 0, "kind": "view", "frame": 0, "playing": true },
        { "t": 400, "kind": "pointer", "x": 160.0, "y": 120.0 },
    ] })
}

pub fn replay_draft(id: Option<&str>, sop: &str, voice: &str) -> Value {
    json!({ "id": id, "title": "矩阵 matrix replay", "summary": "", "language": "zh",
            "sop_uid": sop, "case_id": null,
            "voices": [{ "media": voice, "speaker": "Dr Chen", "by": 0, "offset_ms": 0 }],
            "timeline": timeline() })
}

/// A reading of a thyroid scan the review form accepts.
pub fn thyroid_reading() -> Value {
    json!({ "answers": {
        "tirads": { "level": 4 },
        "recommendation": { "choice": "细针穿刺 FNA" },
    } })
}

pub fn today() -> String {
    domain::competency::today().to_string()
}

pub fn entry_input(id: &str, submit: bool, reading: Value) -> Value {
    json!({ "input": {
        "id": id, "application": "thyroid", "scanned_on": today(),
        "indication": "颈部包块 neck lump", "interpretation": reading, "submit": submit,
    } })
}

/// Starts the demo server and makes every record the rows need.
pub async fn build() -> (TestApp, Fixtures) {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let li = app.signed_in("li.na").await;
    let zhou = app.signed_in("zhou.min").await;
    let admin = app.signed_in("admin").await;

    let detail = ok("study", chen.call("study", &[("uid", &study)]).await);
    let instance = &detail["instances"][0];
    let (sop, series) = (text(&instance["sop_uid"]), text(&instance["series_uid"]));
    let blob = text(&instance["url"])
        .trim_start_matches("/dicom/")
        .to_string();
    let jobs = ok("import_jobs", chen.call("import_jobs", &[]).await);
    let done_job = text(&jobs[0]["id"]);
    let open_job = text(&ok("open_upload", chen.call("open_upload", &[]).await));
    let closing_job = text(&ok("open_upload", chen.call("open_upload", &[]).await));

    let case = published_case(&chen, &wang, &study, "矩阵 published").await;
    let draft_case = text(&ok(
        "create_case",
        chen.call(
            "create_case",
            &[
                ("study_uid", &study),
                ("title", "矩阵 draft"),
                ("application", "thyroid"),
            ],
        )
        .await,
    ));
    let work = ok(
        "case_in_curation",
        chen.call("case_in_curation", &[("id", &draft_case)]).await,
    );
    let draft_content = work["content"].to_string();
    let draft_stamp = work["updated_at"].as_i64().unwrap();
    let comment = ok(
        "add_case_comment",
        li.call(
            "add_case_comment",
            &[("id", &case), ("body", "为什么是 TR5?")],
        )
        .await,
    );
    // Comment ids are numbers or strings as the database makes them; rows send them as text.
    let comment = match &comment["id"] {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    };

    let me = li.me().await;
    let li_id = text(&me["id"]);
    let li_site = text(&me["site"]["id"]);

    let (replay, voice, draft_replay, doomed_replay, draft_replay_body) =
        replays(&chen, &wang, &sop).await;
    let (live_session, ending_session, ended_session, request) =
        sessions(&chen, &li, &sop, &li_id).await;
    let (entry, logbook_blob, draft_entry) = logbook(&li).await;

    let spare = ok(
        "create_user",
        admin
            .call(
                "create_user",
                &[
                    ("user[username]", "matrix.spare"),
                    ("user[display_name]", "Matrix Spare"),
                    ("user[role]", "learner"),
                    ("user[site_id]", &li_site),
                    ("user[password]", "spare-password-1"),
                ],
            )
            .await,
    );
    let spare_user = text(&spare["id"]);

    let courses = courses(&chen, &zhou, &li, &sop, &li_site).await;
    let applications = ok(
        "competency_applications",
        zhou.call("competency_applications", &[]).await,
    );
    let fixtures = Fixtures {
        study,
        series,
        sop,
        blob,
        done_job,
        open_job,
        closing_job,
        case,
        draft_case,
        draft_content,
        draft_stamp,
        comment,
        replay,
        voice,
        draft_replay,
        doomed_replay,
        draft_replay_body,
        live_session,
        ending_session,
        ended_session,
        request,
        entry,
        logbook_blob,
        draft_entry,
        li: li_id,
        li_site,
        spare_user,
        course: courses.course,
        quiz: courses.quiz,
        question: courses.question,
        question_body: courses.question_body,
        quiz_body: courses.quiz_body,
        attempt: courses.attempt,
        draft_course: courses.draft_course,
        course_body: courses.course_body,
        application: applications[0].clone(),
    };
    (app, fixtures)
}

/// A published replay with a voice, a draft with the same voice, and a draft to discard.
async fn replays(
    chen: &Client,
    wang: &Client,
    sop: &str,
) -> (String, String, String, String, Value) {
    let res = chen
        .http
        .post(chen.url("/replays/media"))
        .header("content-type", "audio/ogg")
        .body(VOICE_OGG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "voice upload");
    let voice = text(&res.json::<Value>().await.unwrap()["media"]);
    let save = |draft: Value| async move {
        text(&ok(
            "save_replay",
            chen.json("save_replay", json!({ "draft": draft })).await,
        ))
    };
    let replay = save(replay_draft(None, sop, &voice)).await;
    let step = |who: &Client, action: &'static str| {
        let (who, replay) = (who.clone(), replay.clone());
        async move {
            ok(
                action,
                who.call("replay_transition", &[("id", &replay), ("action", action)])
                    .await,
            )
        }
    };
    step(chen, "submit").await;
    step(wang, "publish").await;
    let draft = save(replay_draft(None, sop, &voice)).await;
    let doomed = save(replay_draft(None, sop, &voice)).await;
    let body = json!({ "draft": replay_draft(Some(&draft), sop, &voice) });
    (replay, voice, draft, doomed, body)
}

/// chen invites li to sessions on the instance: one she accepts and chen ends, one live to
/// end in the matrix, one live; and li's open request.
async fn sessions(
    chen: &Client,
    li: &Client,
    sop: &str,
    li_id: &str,
) -> (String, String, String, String) {
    let live = |accept: bool| async move {
        let id = text(&ok(
            "start_guidance",
            chen.call("start_guidance", &[("sop_uid", sop), ("learner", li_id)])
                .await,
        ));
        if accept {
            ok(
                "answer_guidance",
                li.call("answer_guidance", &[("id", &id), ("accept", "true")])
                    .await,
            );
        }
        id
    };
    let ended = live(true).await;
    ok(
        "end_guidance",
        chen.call("end_guidance", &[("id", &ended)]).await,
    );
    let ending = live(true).await;
    let session = live(false).await;
    let request = text(&ok(
        "request_guidance",
        li.call(
            "request_guidance",
            &[("sop_uid", sop), ("note", "请帮我看看肝肾隐窝")],
        )
        .await,
    ));
    (session, ending, ended, request)
}

/// li's submitted entry with one clip uploaded through its own job, the clip's file hash,
/// and her draft without one.
async fn logbook(li: &Client) -> (String, String, String) {
    let entry = text(&ok(
        "save_logbook_entry",
        li.json(
            "save_logbook_entry",
            entry_input("", false, json!({ "answers": {} })),
        )
        .await,
    ));
    let job = text(&ok(
        "logbook_upload",
        li.call("logbook_upload", &[("entry", &entry)]).await,
    ));
    let clip = synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 4,
        syntax: SynthSyntax::Rle,
        fps: 20.0,
        seed: 41,
    })
    .unwrap();
    let (status, body) = li
        .upload_named(&job, "thyroid-left.dcm", clip, "application/dicom")
        .await;
    assert_eq!(status, 200, "{body}");
    ok(
        "close_upload",
        li.call("close_upload", &[("id", &job)]).await,
    );
    let (done, items) = wait_for_job(li, &job).await;
    assert_eq!(done["status"], "done", "{done} {items:?}");
    ok(
        "submit entry",
        li.json(
            "save_logbook_entry",
            entry_input(&entry, true, thyroid_reading()),
        )
        .await,
    );
    let view = ok(
        "logbook_entry",
        li.call("logbook_entry", &[("id", &entry)]).await,
    );
    let blob = text(&view["clips"][0]["blob_sha"]);
    let draft = text(&ok(
        "save_logbook_entry",
        li.json(
            "save_logbook_entry",
            entry_input("", false, json!({ "answers": {} })),
        )
        .await,
    ));
    (entry, blob, draft)
}

struct Courses {
    course: String,
    quiz: String,
    question: String,
    question_body: Value,
    quiz_body: Value,
    attempt: String,
    draft_course: String,
    course_body: Value,
}

/// chen's question and quiz; zhou's course around them, published with li's site enrolled,
/// and a course never published; li's attempt at the quiz.
async fn courses(chen: &Client, zhou: &Client, li: &Client, sop: &str, site: &str) -> Courses {
    let question_body = json!({
        "application": "efast", "topic": "morison", "stem": "Where is the free fluid?",
        "kind": { "kind": "single", "options": ["Liver", "Morison's pouch", "Spleen"], "correct": 1 },
        "explanation": "", "clip": sop,
    });
    let question = text(&ok(
        "save_question",
        chen.json(
            "save_question",
            json!({ "id": null, "question": question_body }),
        )
        .await,
    ));
    let quiz_body = json!({ "title": "Matrix quiz",
        "picks": [{ "pick": "fixed", "question": question }],
        "settings": { "attempts_allowed": null, "grading": "highest", "time_limit_secs": null,
                      "shuffle_questions": false, "shuffle_options": false, "pass_mark": 60.0 } });
    let quiz = text(&ok(
        "save_quiz",
        chen.json("save_quiz", json!({ "id": null, "quiz": quiz_body }))
            .await,
    ));
    let course_body = json!({
        "title": "Matrix course", "summary": "", "self_enrol": true,
        "modules": [
            { "key": "basics", "title": "Basics", "lessons": [
                { "key": "read", "title": "Windows", "body": { "kind": "reading", "markdown": "# RUQ" } },
                { "key": "quiz", "title": "Quiz", "body": { "kind": "quiz", "quiz_id": quiz } } ] }
        ]
    });
    let course = text(&ok(
        "save_course",
        zhou.json("save_course", json!({ "id": null, "content": course_body }))
            .await,
    ));
    ok(
        "publish_course",
        zhou.call("publish_course", &[("id", &course)]).await,
    );
    ok(
        "create_cohort",
        zhou.json(
            "create_cohort",
            json!({ "course": course, "cohort": { "name": "Matrix", "site": site, "due": null } }),
        )
        .await,
    );
    let attempt = text(&ok(
        "start_attempt",
        li.json(
            "start_attempt",
            json!({ "quiz": quiz, "course": course, "lesson": "quiz" }),
        )
        .await,
    ));
    let draft_course = text(&ok(
        "save_course",
        zhou.json("save_course", json!({ "id": null, "content": course_body }))
            .await,
    ));
    Courses {
        course,
        quiz,
        question,
        question_body,
        quiz_body,
        attempt,
        draft_course,
        course_body,
    }
}
