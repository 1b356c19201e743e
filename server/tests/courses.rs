//! Courses and quizzes over HTTP: a question's key (right option, region, frame, tolerance,
//! expected value, explanation) never reaches a learner before they submit; attempt limits
//! and the time limit are the server's; a locked module's lessons are refused; passing the
//! quiz completes the course with a score; authors review every attempt and read the item
//! analysis; bad questions are refused at their field.

use crate::cases::{app_with_study, published_case};
use crate::common::{Client, TestApp};
use serde_json::{Value, json};

/// Markers that must not appear in anything a learner reads before submitting.
const SECRET_EXPLANATION: &str = "EXPLAINED-AFTER-SUBMIT";
const SECRET_X: f64 = 123.456;
const SECRET_MM: f64 = 17.25;

/// The clip of the published case (its one instance).
async fn published_clip(chen: &Client, case: &str) -> String {
    let (status, body) = chen.call("case_in_curation", &[("id", case)]).await;
    assert_eq!(status, 200, "{body}");
    body["content"]["clips"][0]["sop_uid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn question(kind: Value, clip: Option<&str>) -> Value {
    json!({
        "application": "efast", "topic": "morison", "stem": "Where is the free fluid?",
        "kind": kind, "explanation": SECRET_EXPLANATION, "clip": clip,
    })
}

async fn save_question(chen: &Client, q: Value) -> (u16, Value) {
    chen.json("save_question", json!({ "id": null, "question": q }))
        .await
}

/// One question of each kind on the case's 6-frame, 320 × 240 clip; returns their ids.
async fn bank(chen: &Client, clip: &str) -> Vec<String> {
    let kinds = [
        (
            json!({ "kind": "single", "options": ["Liver", "Morison's pouch", "Spleen"], "correct": 1 }),
            None,
        ),
        (
            json!({ "kind": "multiple", "options": ["RUQ", "LUQ", "Pelvis", "Neck"], "correct": [0, 1, 2], "grading": "proportional" }),
            None,
        ),
        (json!({ "kind": "true_false", "correct": false }), None),
        (
            json!({ "kind": "ordering", "items": ["RUQ", "LUQ", "Pelvis", "Subxiphoid"], "grading": "absolute_position" }),
            None,
        ),
        (
            json!({ "kind": "hotspot", "frames": 6, "targets": [
            { "shape": { "kind": "ellipse", "center": { "x": SECRET_X, "y": 120.0 }, "rx": 20.0, "ry": 15.0 }, "first_frame": 2, "last_frame": 4 }
        ] }),
            Some(clip),
        ),
        (
            json!({ "kind": "frame_selection", "target": { "frame": 3 }, "tolerance": 1 }),
            Some(clip),
        ),
        (
            json!({ "kind": "measurement", "expected_mm": SECRET_MM, "tolerance": { "mm": 1.5 } }),
            Some(clip),
        ),
    ];
    let mut ids = Vec::new();
    for (kind, clip) in kinds {
        let (status, id) = save_question(chen, question(kind, clip)).await;
        assert_eq!(status, 200, "{id}");
        ids.push(id.as_str().unwrap().to_string());
    }
    ids
}

async fn save_quiz(author: &Client, questions: &[String], settings: Value) -> String {
    let picks: Vec<Value> = questions
        .iter()
        .map(|q| json!({ "pick": "fixed", "question": q }))
        .collect();
    let (status, id) = author
        .json("save_quiz", json!({ "id": null, "quiz": { "title": "eFAST quiz", "picks": picks, "settings": settings } }))
        .await;
    assert_eq!(status, 200, "{id}");
    id.as_str().unwrap().to_string()
}

fn settings(attempts: Option<u32>, limit: Option<u32>) -> Value {
    json!({ "attempts_allowed": attempts, "grading": "highest", "time_limit_secs": limit,
            "shuffle_questions": true, "shuffle_options": true, "pass_mark": 60.0 })
}

/// A course: module 1 a reading, module 2 (after module 1) the quiz; published, with li.na
/// enrolled through a cohort of her site. Returns the course id.
async fn course(coordinator: &Client, quiz: &str) -> String {
    let content = json!({
        "title": "Emergency ultrasound", "summary": "eFAST **first**", "self_enrol": false,
        "modules": [
            { "key": "basics", "title": "Basics", "lessons": [
                { "key": "read", "title": "Windows", "body": { "kind": "reading", "markdown": "# RUQ\n<script>x()</script>" } } ] },
            { "key": "efast", "title": "eFAST", "prerequisites": ["basics"], "lessons": [
                { "key": "quiz", "title": "eFAST quiz", "body": { "kind": "quiz", "quiz_id": quiz } } ] }
        ]
    });
    let (status, id) = coordinator
        .json("save_course", json!({ "id": null, "content": content }))
        .await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_string();
    let (status, body) = coordinator.call("publish_course", &[("id", &id)]).await;
    assert_eq!((status, body), (200, json!(1)));
    id
}

async fn enrol_li_na(app: &TestApp, coordinator: &Client, course: &str) {
    let (site,): (String,) = sqlx::query_as("SELECT site_id FROM users WHERE username = 'li.na'")
        .fetch_one(&app.started.state.db.pool)
        .await
        .unwrap();
    let (status, body) = coordinator
        .json("create_cohort", json!({ "course": course, "cohort": { "name": "DH spring", "site": site, "due": "2027-03-31" } }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, cohorts) = coordinator.call("course_cohorts", &[("id", course)]).await;
    assert_eq!(status, 200, "{cohorts}");
    assert_eq!(cohorts[0]["name"], "DH spring");
    assert_eq!(
        cohorts[0]["members"], 1,
        "li.na, the one learner of her site"
    );
    assert!(
        cohorts[0]["site"].as_str().unwrap().contains("社区"),
        "{cohorts}"
    );
}

fn assert_keyless(what: &str, body: &str) {
    for secret in [
        SECRET_EXPLANATION,
        "123.456",
        "17.25",
        "\"correct\"",
        "\"targets\"",
        "\"tolerance\"",
        "expected_mm",
        "\"seed\"",
    ] {
        assert!(!body.contains(secret), "{what} leaks {secret}: {body}");
    }
}

/// The right answer to each question as the learner saw it (shown positions).
fn right_answer(slot: &Value) -> Value {
    let q = &slot["question"];
    let shown = |list: &str, wanted: &[&str]| -> Vec<usize> {
        let items: Vec<&str> = q[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        wanted
            .iter()
            .map(|w| items.iter().position(|i| i == w).unwrap())
            .collect()
    };
    match q["kind"].as_str().unwrap() {
        "single" => json!({ "choice": shown("options", &["Morison's pouch"])[0] }),
        "multiple" => json!({ "choices": shown("options", &["RUQ", "LUQ", "Pelvis"]) }),
        "true_false" => json!({ "true_false": false }),
        "ordering" => json!({ "order": shown("items", &["RUQ", "LUQ", "Pelvis", "Subxiphoid"]) }),
        "hotspot" => json!({ "click": { "x": SECRET_X + 19.0, "y": 120.0, "frame": 4 } }),
        "frame_selection" => json!({ "frame": 2 }),
        "measurement" => json!({ "measured": { "mm": SECRET_MM - 1.5 } }),
        other => panic!("{other}"),
    }
}

async fn answer_all(learner: &Client, attempt: &str) {
    let (status, view) = learner.call("get_attempt", &[("id", attempt)]).await;
    assert_eq!(status, 200, "{view}");
    for slot in view["slots"].as_array().unwrap() {
        let (status, body) = learner
            .json(
                "save_answer",
                json!({ "attempt": attempt, "slot": slot["slot"], "answer": right_answer(slot) }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn a_learner_takes_the_course_and_never_sees_a_key_before_submitting() {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let zhou = app.signed_in("zhou.min").await;
    let li = app.signed_in("li.na").await;
    let case = published_case(&chen, &wang, &study, "FAST 阳性").await;
    let clip = published_clip(&chen, &case).await;
    let questions = bank(&chen, &clip).await;
    let quiz = save_quiz(&chen, &questions, settings(Some(2), None)).await;
    let course = course(&zhou, &quiz).await;
    enrol_li_na(&app, &zhou, &course).await;

    // The quiz's module waits for the reading; the server refuses its lesson and its quiz.
    let (status, outline) = li.call("get_course", &[("id", &course)]).await;
    assert_eq!(status, 200, "{outline}");
    assert_eq!(outline["modules"][1]["state"], "locked");
    assert_eq!(outline["due"], "2027-03-31");
    assert_eq!(outline["resume"], "read");
    let (status, body) = li
        .call("course_lesson", &[("course", &course), ("lesson", "quiz")])
        .await;
    assert_eq!(
        (status, &body["Invalid"]["reason"]),
        (422, &json!("locked")),
        "{body}"
    );
    let start = json!({ "quiz": quiz, "course": course, "lesson": "quiz" });
    let (status, body) = li.json("start_attempt", start.clone()).await;
    assert_eq!(status, 422, "{body}");
    // The reading is sanitised; marking it done opens the quiz.
    let (_, reading) = li
        .call("course_lesson", &[("course", &course), ("lesson", "read")])
        .await;
    assert!(!reading.to_string().contains("<script"), "{reading}");
    let (status, done) = li
        .call("lesson_done", &[("course", &course), ("lesson", "read")])
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["complete"], false);

    // The lesson, the attempt and the attempt's page carry no key.
    let (status, lesson) = li
        .call("course_lesson", &[("course", &course), ("lesson", "quiz")])
        .await;
    assert_eq!(status, 200, "{lesson}");
    assert_keyless("the quiz lesson", &lesson.to_string());
    let (status, attempt) = li.json("start_attempt", start.clone()).await;
    assert_eq!(status, 200, "{attempt}");
    let attempt = attempt.as_str().unwrap().to_string();
    let (status, view) = li.call("get_attempt", &[("id", &attempt)]).await;
    assert_eq!(status, 200, "{view}");
    assert_keyless("the attempt", &view.to_string());
    assert_eq!(view["slots"].as_array().unwrap().len(), 7);
    assert!(
        view["slots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["clip"]["frames"] == 6)
    );
    // Nor does a review before submitting, or another learner's look at the attempt.
    let (status, _) = li.call("attempt_review", &[("id", &attempt)]).await;
    assert_eq!(status, 422);
    let zhang = app.signed_in("zhang.wei").await;
    let (status, body) = zhang.call("get_attempt", &[("id", &attempt)]).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = zhang.call("attempt_review", &[("id", &attempt)]).await;
    assert_eq!(status, 404, "{body}");

    // Starting again resumes the open attempt; an answer of the wrong type is refused.
    let (_, again) = li.json("start_attempt", start.clone()).await;
    assert_eq!(again, json!(attempt));
    let (status, body) = li
        .json(
            "save_answer",
            json!({ "attempt": attempt, "slot": 0, "answer": { "order": [9, 9] } }),
        )
        .await;
    assert_eq!(
        (status, &body["Invalid"]["field"]),
        (422, &json!("answer")),
        "{body}"
    );

    // Every answer right (at each tolerance's edge), submitted: 100%, the course complete.
    answer_all(&li, &attempt).await;
    let (status, grade) = li.call("submit_attempt", &[("id", &attempt)]).await;
    assert_eq!((status, grade), (200, json!(100.0)));
    let (_, review) = li.call("attempt_review", &[("id", &attempt)]).await;
    assert_eq!(review["grade"], 100.0);
    assert!(
        review["slots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["mark"] == 1.0),
        "{review}"
    );
    assert!(review.to_string().contains(SECRET_EXPLANATION));
    let (_, outline) = li.call("get_course", &[("id", &course)]).await;
    assert_eq!(outline["progress"]["complete"], true, "{outline}");
    assert_eq!(outline["completed"][1], 100.0, "{outline}");
    // An answer after submitting is refused.
    let (status, _) = li
        .json(
            "save_answer",
            json!({ "attempt": attempt, "slot": 0, "answer": { "choice": 0 } }),
        )
        .await;
    assert_eq!(status, 422);

    // The quiz's author reads the learner's attempt whole, and the item analysis.
    let (status, review) = chen.call("attempt_review", &[("id", &attempt)]).await;
    assert_eq!(status, 200, "{review}");
    assert_eq!(review["learner"], "李娜 Li Na");
    let (status, report) = chen
        .call("get_quiz_report", &[("id", &quiz), ("first_only", "true")])
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["quiz"]["attempts"], 1);
    assert_eq!(report["items"].as_array().unwrap().len(), 7);
    let hotspot = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "hotspot")
        .unwrap();
    assert_eq!(
        hotspot["clicks"]["clicks"][0],
        json!([SECRET_X + 19.0, 120.0, 4, true])
    );
    assert_eq!(hotspot["clicks"]["frame"], 4);
    // Learners do not read the analysis.
    let (status, _) = li
        .call("get_quiz_report", &[("id", &quiz), ("first_only", "true")])
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn attempts_are_limited_and_time_is_kept_by_the_server() {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let li = app.signed_in("li.na").await;
    let case = published_case(&chen, &wang, &study, "FAST").await;
    let clip = published_clip(&chen, &case).await;
    let questions = bank(&chen, &clip).await;
    let quiz = save_quiz(&chen, &questions[..3], settings(Some(1), Some(600))).await;
    let start = json!({ "quiz": quiz, "course": null, "lesson": null });
    let (status, attempt) = li.json("start_attempt", start.clone()).await;
    assert_eq!(status, 200, "{attempt}");
    let attempt = attempt.as_str().unwrap().to_string();
    let (_, view) = li.call("get_attempt", &[("id", &attempt)]).await;
    let deadline = view["deadline"].as_i64().unwrap();
    assert_eq!(deadline - view["started_at"].as_i64().unwrap(), 600);

    // The time runs out (the deadline is moved back rather than waited for): an answer is
    // refused, the attempt is closed and graded as it stood.
    let (status, _) = li
        .json(
            "save_answer",
            json!({ "attempt": attempt, "slot": 0, "answer": right_answer(&view["slots"][0]) }),
        )
        .await;
    assert_eq!(status, 200);
    sqlx::query("UPDATE quiz_attempts SET deadline = deadline - 601 WHERE id = $1")
        .bind(&attempt)
        .execute(&app.started.state.db.pool)
        .await
        .unwrap();
    let (status, body) = li
        .json(
            "save_answer",
            json!({ "attempt": attempt, "slot": 1, "answer": right_answer(&view["slots"][1]) }),
        )
        .await;
    assert_eq!(
        (status, &body["Invalid"]["reason"]),
        (422, &json!("time_up")),
        "{body}"
    );
    let (status, review) = li.call("attempt_review", &[("id", &attempt)]).await;
    assert_eq!(status, 200, "{review}");
    assert_eq!(review["timed_out"], true);
    let grade = review["grade"].as_f64().unwrap();
    assert!((grade - 100.0 / 3.0).abs() < 1e-9, "{grade}");

    // One attempt allowed: a second is refused.
    let (status, body) = li.json("start_attempt", start).await;
    assert_eq!(
        (status, &body["Invalid"]["reason"]),
        (422, &json!("no_attempts_left")),
        "{body}"
    );
}

#[tokio::test]
async fn questions_are_refused_at_their_field() {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let li = app.signed_in("li.na").await;
    let hotspot = |x: f64| {
        json!({ "kind": "hotspot", "frames": 6, "targets": [
        { "shape": { "kind": "ellipse", "center": { "x": x, "y": 100.0 }, "rx": 20.0, "ry": 10.0 }, "first_frame": 0, "last_frame": 5 }] })
    };
    // The study is not in a published case yet.
    let (_, studies) = chen.call("list_studies", &[]).await;
    let (status, detail) = chen
        .call("study", &[("uid", studies[0]["uid"].as_str().unwrap())])
        .await;
    assert_eq!(status, 200, "{detail}");
    let sop = detail["instances"][0]["sop_uid"].as_str().unwrap();
    let (status, body) = save_question(&chen, question(hotspot(100.0), Some(sop))).await;
    assert_eq!(
        (status, &body["Invalid"]),
        (422, &json!({ "field": "clip", "reason": "not_published" })),
        "{body}"
    );
    let case = published_case(&chen, &wang, &study, "FAST").await;
    let clip = published_clip(&chen, &case).await;
    // A region beyond the 320-pixel-wide frame.
    let (status, body) = save_question(&chen, question(hotspot(310.0), Some(&clip))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["Invalid"]["field"], "kind.targets.0.shape");
    // A negative tolerance; a frame beyond the clip; no clip for a clip question.
    let (status, body) = save_question(
        &chen,
        question(
            json!({ "kind": "measurement", "expected_mm": 10.0, "tolerance": { "mm": -1.0 } }),
            Some(&clip),
        ),
    )
    .await;
    assert_eq!(
        (status, &body["Invalid"]["field"]),
        (422, &json!("kind.tolerance")),
        "{body}"
    );
    let (status, body) = save_question(
        &chen,
        question(
            json!({ "kind": "frame_selection", "target": { "frame": 6 }, "tolerance": 0 }),
            Some(&clip),
        ),
    )
    .await;
    assert_eq!(
        (status, &body["Invalid"]["field"]),
        (422, &json!("kind.target")),
        "{body}"
    );
    let (status, body) = save_question(&chen, question(hotspot(100.0), None)).await;
    assert_eq!(
        (status, &body["Invalid"]),
        (422, &json!({ "field": "clip", "reason": "required" })),
        "{body}"
    );
    // Learners and coordinators do not write questions.
    let (status, _) = save_question(&li, question(hotspot(100.0), Some(&clip))).await;
    assert_eq!(status, 403);
    let zhou = app.signed_in("zhou.min").await;
    let (status, _) = save_question(&zhou, question(hotspot(100.0), Some(&clip))).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn editors_open_what_authors_wrote_and_what_they_may_build_on() {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let zhou = app.signed_in("zhou.min").await;
    let li = app.signed_in("li.na").await;
    // Nothing is published yet: nothing to build a question or a clip lesson on.
    let (status, clips) = chen.call("teaching_clips", &[]).await;
    assert_eq!((status, clips), (200, json!([])));
    let case = published_case(&chen, &wang, &study, "FAST").await;
    let clip = published_clip(&chen, &case).await;
    let (status, clips) = zhou.call("teaching_clips", &[]).await;
    assert_eq!(status, 200, "{clips}");
    let listed = clips.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{clips}");
    assert_eq!(listed[0]["sop_uid"], json!(clip));
    assert_eq!(listed[0]["case_id"], json!(case));
    assert_eq!(
        (
            &listed[0]["frames"],
            &listed[0]["width"],
            &listed[0]["height"]
        ),
        (&json!(6), &json!(320), &json!(240))
    );
    // The listed address serves the clip itself.
    let url = listed[0]["url"].as_str().unwrap();
    let res = chen.page(url).await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[128..132], b"DICM");

    // The quiz editor opens the quiz as it was saved.
    let ids = bank(&chen, &clip).await;
    let mut picks: Vec<Value> = ids[..2]
        .iter()
        .map(|q| json!({ "pick": "fixed", "question": q }))
        .collect();
    picks.push(json!({ "pick": "random", "application": "efast", "topic": "morison" }));
    let quiz =
        json!({ "title": "Mixed", "picks": picks, "settings": settings(Some(2), Some(600)) });
    let (status, id) = zhou
        .json("save_quiz", json!({ "id": null, "quiz": quiz }))
        .await;
    assert_eq!(status, 200, "{id}");
    let quiz_id = id.as_str().unwrap();
    let (status, opened) = chen.call("quiz_for_editor", &[("id", quiz_id)]).await;
    assert_eq!(status, 200, "{opened}");
    assert_eq!(opened["picks"], quiz["picks"]);
    assert_eq!(opened["settings"]["attempts_allowed"], 2);
    assert_eq!(opened["settings"]["time_limit_secs"], 600);

    // The course editor says where publication stands: draft, listed, taken out.
    let id = course(&zhou, quiz_id).await;
    let (status, work) = chen.call("course_working_copy", &[("id", &id)]).await;
    assert_eq!(status, 200, "{work}");
    assert_eq!(
        (&work["published_version"], &work["listed"]),
        (&json!(1), &json!(true))
    );
    assert_eq!(
        work["content"]["modules"][1]["prerequisites"],
        json!(["basics"])
    );
    let (status, _) = zhou.call("unpublish_course", &[("id", &id)]).await;
    assert_eq!(status, 200);
    let (_, work) = zhou.call("course_working_copy", &[("id", &id)]).await;
    assert_eq!(
        (&work["published_version"], &work["listed"]),
        (&json!(1), &json!(false))
    );

    // Learners open none of it.
    for (endpoint, arg) in [
        ("teaching_clips", None),
        ("quiz_for_editor", Some(quiz_id)),
        ("course_working_copy", Some(id.as_str())),
    ] {
        let form: Vec<(&str, &str)> = arg.map(|a| ("id", a)).into_iter().collect();
        let (status, _) = li.call(endpoint, &form).await;
        assert_eq!(status, 403, "{endpoint}");
    }
}

#[tokio::test]
async fn a_site_cohort_takes_in_learners_who_join_the_site_later() {
    let app = TestApp::demo().await;
    let chen = app.signed_in("chen.jing").await;
    let zhou = app.signed_in("zhou.min").await;
    let admin = app.signed_in("admin").await;
    let (status, q) = save_question(
        &chen,
        question(json!({ "kind": "true_false", "correct": true }), None),
    )
    .await;
    assert_eq!(status, 200, "{q}");
    let quiz = save_quiz(
        &zhou,
        &[q.as_str().unwrap().to_string()],
        settings(None, None),
    )
    .await;
    let course = course(&zhou, &quiz).await;
    enrol_li_na(&app, &zhou, &course).await;

    // A learner whose account is made at li.na's site after the cohort.
    let (site,): (String,) = sqlx::query_as("SELECT site_id FROM users WHERE username = 'li.na'")
        .fetch_one(&app.started.state.db.pool)
        .await
        .unwrap();
    let (status, created) = admin
        .call(
            "create_user",
            &[
                ("user[username]", "zhao.xue"),
                ("user[display_name]", "赵雪 Zhao Xue"),
                ("user[role]", "learner"),
                ("user[site_id]", &site),
                ("user[password]", "first-day-password"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let (_, cohorts) = zhou.call("course_cohorts", &[("id", &course)]).await;
    assert_eq!(cohorts[0]["members"], 2, "{cohorts}");
    let zhao = app.client();
    zhao.sign_in("zhao.xue", "first-day-password").await;
    let (status, cards) = zhao.call("course_catalogue", &[]).await;
    assert_eq!(status, 200, "{cards}");
    assert_eq!(cards[0]["id"], json!(course));
    assert_eq!(cards[0]["due"], "2027-03-31");
    assert_eq!(cards[0]["progress"]["required_done"], 0);

    // A learner of another site is not taken in (the course is not open to self-enrolment).
    let zhang = app.signed_in("zhang.wei").await;
    let (_, cards) = zhang.call("course_catalogue", &[]).await;
    assert_eq!(cards, json!([]));
    let (_, cohorts) = zhou.call("course_cohorts", &[("id", &course)]).await;
    assert_eq!(cohorts[0]["members"], 2, "{cohorts}");
}
