//! The case library over HTTP: the curation workflow and who may take each step, what
//! learners can and cannot see, malformed scores, follow-up concordance and the outcome
//! tables, Chinese substring search, consultation with frame references and notifications,
//! and unknown-case attempts.

use crate::common::{Client, TestApp, wait_for_job};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use model::{AuditAction, AuditVia};
use serde_json::{Value, json};

/// A demo server with one imported study (a 6-frame clip); returns the study's UID.
pub(crate) async fn app_with_study() -> (TestApp, String) {
    let app = TestApp::demo().await;
    let uid = study_into(&app).await;
    (app, uid)
}

/// Uploads and imports one 6-frame clip as chen.jing; returns its study's UID.
pub(crate) async fn study_into(app: &TestApp) -> String {
    let chen = app.signed_in("chen.jing").await;
    let (_, job) = chen.call("open_upload", &[]).await;
    let job = job.as_str().unwrap().to_string();
    let clip = synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 6,
        syntax: SynthSyntax::Rle,
        fps: 20.0,
        seed: 7,
    })
    .unwrap();
    let (status, body) = chen.upload(&job, clip, "application/dicom").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = chen.call("close_upload", &[("id", &job)]).await;
    assert_eq!(status, 200, "{body}");
    wait_for_job(&chen, &job).await;
    let (_, studies) = chen.call("list_studies", &[]).await;
    studies[0]["uid"].as_str().unwrap().to_string()
}

/// The working copy and its save stamp.
pub(crate) async fn work(expert: &Client, id: &str) -> (Value, i64) {
    let (status, body) = expert.call("case_in_curation", &[("id", id)]).await;
    assert_eq!(status, 200, "{body}");
    (
        body["content"].clone(),
        body["updated_at"].as_i64().unwrap(),
    )
}

pub(crate) async fn save(
    author: &Client,
    id: &str,
    content: &Value,
    updated_at: i64,
) -> (u16, Value) {
    author
        .call(
            "save_case",
            &[
                ("id", id),
                ("content", &content.to_string()),
                ("updated_at", &updated_at.to_string()),
            ],
        )
        .await
}

async fn step(expert: &Client, id: &str, step: &str, body: &str) -> (u16, Value) {
    expert
        .call(
            "case_transition",
            &[("id", id), ("step", step), ("body", body)],
        )
        .await
}

fn nodule(foci: Value) -> Value {
    json!({
        "kind": "thyroid_nodule", "label": "右叶中部", "lobe": "right", "size_mm": 14.0,
        "composition": "solid", "echogenicity": "very_hypo", "shape": "taller_than_wide",
        "margin": "irregular", "foci": foci
    })
}

/// Fills the teaching fields of a fresh draft.
fn filled(mut content: Value) -> Value {
    content["history"] = json!("女，45岁，体检发现甲状腺结节。");
    content["findings"] = json!("右叶中部实性极低回声结节，纵横比>1，边缘不规则，内见点状强回声。");
    content["impression"] = json!("甲状腺右叶结节，ACR TI-RADS 5类，考虑乳头状癌可能。");
    content["impression_call"] = json!("malignant");
    content["diagnosis"] = json!("甲状腺乳头状癌 papillary thyroid carcinoma");
    content["teaching_points"] = json!("- **纵横比>1** 是高度可疑征象");
    content["tags"] = json!(["微钙化", "microcalcification"]);
    content["scores"] = json!([nodule(json!(["punctate"]))]);
    content["clips"][0]["caption"] = json!("右叶横切面：极低回声结节伴微钙化");
    content
}

/// Starts a case from `study` as `expert`.
pub(crate) async fn create(
    expert: &Client,
    study: &str,
    title: &str,
    application: &str,
) -> (u16, Value) {
    expert
        .call(
            "create_case",
            &[
                ("study_uid", study),
                ("title", title),
                ("application", application),
            ],
        )
        .await
}

/// Creates, fills, submits (chen.jing) and publishes (wang.lei) a case; returns its id.
pub(crate) async fn published_case(
    chen: &Client,
    wang: &Client,
    study: &str,
    title: &str,
) -> String {
    let (status, id) = create(chen, study, title, "thyroid").await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_string();
    let (content, at) = work(chen, &id).await;
    let (status, body) = save(chen, &id, &filled(content), at).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(step(chen, &id, "submit", "").await.0, 200);
    let (status, body) = step(wang, &id, "publish", "").await;
    assert_eq!((status, body), (200, json!("published")));
    id
}

async fn search(client: &Client, query: Value) -> Value {
    let (status, body) = client.json("search_cases", json!({ "query": query })).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[test]
fn the_workflow_keeps_review_with_another_expert_and_learners_out() {
    with_room_to_render(workflow());
}

/// Runs a test that renders whole case pages. The server runs as in production, on a
/// multi-thread runtime; its workers get room for an unoptimised render of a case page,
/// which needs more than the default 2 MiB of stack.
fn with_room_to_render(test: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(Box::pin(test));
}

/// The people of the workflow and the case they work on.
struct Workflow {
    app: TestApp,
    chen: Client,
    wang: Client,
    learner: Client,
    id: String,
    /// The URL of the case's first clip.
    clip_url: String,
}

impl Workflow {
    /// Whether `client` may download the case's first clip.
    async fn fetches_clip(&self, client: &Client) -> u16 {
        let res = client.http.get(client.url(&self.clip_url)).send().await;
        res.unwrap().status().as_u16()
    }
}

async fn workflow() {
    let mut w = experts_start_a_draft().await;
    the_draft_stays_hidden_from_learners(&w).await;
    saves_are_checked_and_never_overwrite_a_newer_one(&w).await;
    review_stays_with_another_expert(&w).await;
    the_published_case_is_read_and_found(&w).await;
    a_revision_keeps_v1_until_v2_is_published(&mut w).await;
    a_retired_case_is_gone_for_learners(&w).await;
    every_step_is_audited_in_its_transaction(&w).await;
    w.app.started.stop().await.unwrap();
}

async fn experts_start_a_draft() -> Workflow {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let learner = app.signed_in("li.na").await;

    // Learners cannot start cases.
    let (_, body) = create(&learner, &study, "x", "thyroid").await;
    assert_eq!(body, "Forbidden");
    let (status, body) = create(&chen, &study, "x", "nope").await;
    assert_eq!(body["Invalid"]["field"], "application");
    assert_eq!(status, 422);

    let (status, id) = create(&chen, &study, "甲状腺右叶低回声结节", "thyroid").await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_string();
    let (_, detail) = chen.call("study", &[("uid", &study)]).await;
    let clip_url = detail["instances"][0]["url"].as_str().unwrap().to_string();
    Workflow {
        app,
        chen,
        wang,
        learner,
        id,
        clip_url,
    }
}

async fn the_draft_stays_hidden_from_learners(w: &Workflow) {
    let (learner, id) = (&w.learner, w.id.as_str());
    // A draft is invisible to learners through every function that could show it.
    // The HTTP status says the same as the body: refused or absent, never a server fault.
    for (endpoint, code, expected) in [
        ("case_in_curation", 403, json!("Forbidden")),
        ("case_versions", 403, json!("Forbidden")),
        ("published_case", 404, json!({ "NotFound": "case" })),
        ("unknown_case", 404, json!({ "NotFound": "case" })),
        ("case_comments", 404, json!({ "NotFound": "case" })),
    ] {
        let (status, body) = learner.call(endpoint, &[("id", id)]).await;
        assert_eq!((status, &body), (code, &expected), "{endpoint}");
    }
    // An id that cannot be one is refused as malformed before anything is read.
    let (status, body) = learner.call("published_case", &[("id", "1 OR 1=1")]).await;
    assert_eq!(
        (status, body),
        (
            422,
            json!({"Invalid": {"field": "request", "reason": "bad_format"}})
        )
    );
    // A page URL with such an id says "not found: case", in the reader's language.
    let html = learner
        .page("/cases/not-a-case-id")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("未找到：病例"), "{html}");
    assert_eq!(search(learner, json!({})).await["total"], 0);
    // Nor its images: learners fetch only the clips of published cases.
    assert_eq!(w.fetches_clip(learner).await, 404);
    assert_eq!(w.fetches_clip(&w.chen).await, 200);
}

async fn saves_are_checked_and_never_overwrite_a_newer_one(w: &Workflow) {
    let (chen, id) = (&w.chen, w.id.as_str());
    // Nothing to review yet: the teaching fields are required before submission.
    let (_, body) = step(chen, id, "submit", "").await;
    assert_eq!(body["Invalid"]["field"], "history");

    // A malformed score is refused with the field it is in.
    let (content, at) = work(chen, id).await;
    let mut bad = filled(content.clone());
    bad["scores"] = json!([nodule(json!([9]))]);
    let (_, body) = save(chen, id, &bad, at).await;
    assert_eq!(body["Invalid"]["field"], "scores.0.foci.0", "{body}");
    let mut bad = filled(content.clone());
    bad["scores"][0]["size_mm"] = json!(-3);
    let (_, body) = save(chen, id, &bad, at).await;
    assert_eq!(body["Invalid"]["field"], "scores.0.size_mm", "{body}");

    // Key frames and annotations must fall inside the clip (6 frames).
    let mut bad = filled(content.clone());
    bad["clips"][0]["key_frames"] = json!([2, 6]);
    let (_, body) = save(chen, id, &bad, at).await;
    assert_eq!(body["Invalid"]["field"], "clips", "{body}");
    let mut bad = filled(content.clone());
    bad["clips"][0]["annotations"] = json!([{ "shape": { "kind": "text", "at": { "x": 5, "y": 5 }, "text": "钙化" }, "first_frame": 3, "last_frame": 9 }]);
    let (_, body) = save(chen, id, &bad, at).await;
    assert_eq!(body["Invalid"]["field"], "clips", "{body}");

    // Only the author edits, and a stale editor does not overwrite a newer save.
    let (_, body) = save(&w.wang, id, &filled(content.clone()), at).await;
    assert_eq!(body, "Forbidden");
    let (status, saved_at) = save(chen, id, &filled(content.clone()), at).await;
    assert_eq!(status, 200, "{saved_at}");
    let (_, body) = save(chen, id, &filled(content.clone()), at).await;
    assert_eq!(body["Invalid"]["field"], "updated_at");
}

async fn review_stays_with_another_expert(w: &Workflow) {
    let (chen, wang, id) = (&w.chen, &w.wang, w.id.as_str());
    assert_eq!(step(chen, id, "submit", "").await.1, "in_review");
    // Under review: not editable, not approvable by its author, not by learners.
    let (content, at) = work(chen, id).await;
    let (_, body) = save(chen, id, &content, at).await;
    assert_eq!(body["Invalid"]["reason"], "wrong_state");
    let (_, body) = step(chen, id, "publish", "").await;
    assert_eq!(body["Invalid"]["reason"], "own_work");
    let (_, body) = step(&w.learner, id, "publish", "").await;
    assert_eq!(body, "Forbidden");
    assert_eq!(search(&w.learner, json!({})).await["total"], 0);

    // Changes need a reason; the author hears about them.
    let (_, body) = step(wang, id, "request_changes", " ").await;
    assert_eq!(body["Invalid"]["field"], "body");
    let (_, body) = step(wang, id, "request_changes", "请补充彩色多普勒所见").await;
    assert_eq!(body, "draft");
    let (_, unread) = chen.call("unread_notifications", &[]).await;
    assert!(unread.as_u64().unwrap() >= 1, "{unread}");
    let (_, notes) = chen.call("notifications", &[]).await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "changes_requested"),
        "{notes}"
    );

    assert_eq!(step(chen, id, "submit", "").await.1, "in_review");
    assert_eq!(step(wang, id, "publish", "").await.1, "published");
}

async fn the_published_case_is_read_and_found(w: &Workflow) {
    let learner = &w.learner;
    // Published: learners read it and find it by a Chinese substring of the findings.
    let (status, view) = learner.call("published_case", &[("id", &w.id)]).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["version"], 1);
    assert_eq!(view["clip_urls"][0][1], w.clip_url.as_str());
    assert_eq!(w.fetches_clip(learner).await, 200);
    other_clips_of_the_study_stay_unpublished(w).await;
    assert!(
        view["teaching_html"]
            .as_str()
            .unwrap()
            .contains("<strong>纵横比&gt;1</strong>")
    );
    let hits = search(learner, json!({ "text": "极低回声" })).await;
    assert_eq!(hits["total"], 1, "{hits}");
    assert_eq!(hits["cases"][0]["tirads"], "tr5");
    for (query, total) in [
        (json!({ "text": "Papillary" }), 1),
        // Terms too short for a trigram index: a substring test on both engines.
        (json!({ "text": "结节" }), 1),
        (json!({ "text": "钙" }), 1),
        (json!({ "text": "PA" }), 1),
        (json!({ "text": "斑块" }), 0),
        (json!({ "text": "甲状腺 微钙化" }), 1),
        (json!({ "text": "颈动脉" }), 0),
        (json!({ "tirads": 5, "application": "thyroid" }), 1),
        (json!({ "tirads": 3 }), 0),
        (json!({ "tag": "#微钙化" }), 1),
        (json!({ "text": "50%" }), 0),
    ] {
        assert_eq!(
            search(learner, query.clone()).await["total"],
            total,
            "{query}"
        );
    }
}

/// Clips of the case's study that the published version does not list stay closed to learners,
/// whatever their SOP UID looks like: empty (as any empty text in the case), or one that reads
/// as a pattern.
async fn other_clips_of_the_study_stay_unpublished(w: &Workflow) {
    let db = &w.app.started.state.db;
    let sha = w.clip_url.trim_start_matches("/dicom/");
    let published = domain::cases::blob_is_published(db, sha).await.unwrap();
    assert!(published, "the case's own clip");
    let (study, series): (String, String) =
        sqlx::query_as("SELECT study_uid, series_uid FROM instances WHERE blob_sha = $1")
            .bind(sha)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    for (n, sop) in ["", "%", "1.2._%"].into_iter().enumerate() {
        let other = format!("{n:064}");
        sqlx::query(
            "INSERT INTO instances (sop_uid, series_uid, study_uid, blob_sha, size, \
             transfer_syntax, created_at) VALUES ($1, $2, $3, $4, 1, '1.2.840.10008.1.2.1', 0)",
        )
        .bind(sop)
        .bind(&series)
        .bind(&study)
        .bind(&other)
        .execute(&db.pool)
        .await
        .unwrap();
        let published = domain::cases::blob_is_published(db, &other).await.unwrap();
        assert!(!published, "a clip with SOP UID {sop:?} is not in the case");
        sqlx::query("DELETE FROM instances WHERE blob_sha = $1")
            .bind(&other)
            .execute(&db.pool)
            .await
            .unwrap();
    }
}

async fn a_revision_keeps_v1_until_v2_is_published(w: &mut Workflow) {
    let (chen, wang, learner, id) = (&w.chen, &w.wang, &w.learner, w.id.as_str());
    // A revision keeps v1 visible until v2 is published; both versions are kept.
    assert_eq!(step(chen, id, "revise", "").await.1, "draft");
    let (mut content, at) = work(chen, id).await;
    content["title"] = json!("甲状腺右叶极低回声结节（修订）");
    assert_eq!(save(chen, id, &content, at).await.0, 200);
    let (_, view) = learner.call("published_case", &[("id", id)]).await;
    assert_eq!(view["content"]["title"], "甲状腺右叶低回声结节");
    assert_eq!(step(chen, id, "submit", "").await.1, "in_review");
    assert_eq!(step(wang, id, "publish", "").await.1, "published");
    let (_, view) = learner.call("published_case", &[("id", id)]).await;
    assert_eq!(
        (view["version"].clone(), view["content"]["title"].clone()),
        (json!(2), json!("甲状腺右叶极低回声结节（修订）"))
    );
    // The page itself is rendered on the server with the published text and the timeline.
    let html = learner
        .page(&format!("/cases/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("甲状腺右叶极低回声结节（修订）")
            && html.contains(r#"data-testid="timeline""#)
    );
    // Authored text says its language, whatever the interface's (WCAG 3.1.2).
    // (A text node may be followed by the marker comment Leptos hydrates it by.)
    assert!(
        [
            r#"lang="zh">甲状腺右叶极低回声结节（修订）</h1>"#,
            r#"lang="zh">甲状腺右叶极低回声结节（修订）<!></h1>"#,
        ]
        .iter()
        .any(|h1| html.contains(h1)),
        "{html}"
    );
    let (_, versions) = chen.call("case_versions", &[("id", id)]).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let (_, diff) = chen
        .call(
            "compare_versions",
            &[("id", id), ("before", "1"), ("after", "2")],
        )
        .await;
    let changes = diff[2].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{diff}");
    assert_eq!(changes[0]["field"], "title");
}

async fn a_retired_case_is_gone_for_learners(w: &Workflow) {
    let (wang, learner, id) = (&w.wang, &w.learner, w.id.as_str());
    let (_, body) = step(wang, id, "retire", "").await;
    assert_eq!(body["Invalid"]["field"], "body");
    assert_eq!(
        step(wang, id, "retire", "已有更典型病例").await.1,
        "retired"
    );
    let (_, body) = learner.call("published_case", &[("id", id)]).await;
    assert_eq!(body, json!({ "NotFound": "case" }));
    assert_eq!(search(learner, json!({ "text": "结节" })).await["total"], 0);
    assert_eq!(w.fetches_clip(learner).await, 404);
    let html = learner
        .page(&format!("/cases/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("极低回声结节") && !html.contains(r#"data-testid="timeline""#));
}

/// Each step that happened is in the audit log once, through the web, by its expert; the
/// refused ones are not.
async fn every_step_is_audited_in_its_transaction(w: &Workflow) {
    let of_case = w.app.audit_of(&w.id).await;
    let count = |action: AuditAction| {
        of_case
            .iter()
            .filter(|e| e.action == action.as_str())
            .count()
    };
    assert_eq!(count(AuditAction::CaseCreated), 1);
    // submit, request changes, submit, publish, revise, submit, publish, retire.
    assert_eq!(count(AuditAction::CaseTransition), 8);
    assert!(of_case.iter().all(|e| e.via == AuditVia::Web));
    let published_by: Vec<_> = of_case
        .iter()
        .filter(|e| e.detail.contains("\"publish\""))
        .map(|e| e.actor.as_deref())
        .collect();
    assert_eq!(published_by, [Some("wang.lei"), Some("wang.lei")]);
}

#[tokio::test]
async fn follow_ups_settle_concordance_and_fill_the_outcome_tables() {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let learner = app.signed_in("zhang.wei").await;
    let id = published_case(&chen, &wang, &study, "右叶结节 TR5").await;

    let (_, view) = learner.call("published_case", &[("id", &id)]).await;
    assert_eq!(view["concordance"], "pending");
    let (_, queue) = chen.call("awaiting_follow_up", &[]).await;
    assert!(queue.as_array().unwrap().iter().any(|c| c["id"] == id));
    let (_, body) = learner.call("awaiting_follow_up", &[]).await;
    assert_eq!(body, "Forbidden");

    let fna = |bethesda: Value, day: i64| json!({ "id": id, "input": { "kind": "fna", "day_offset": day, "bethesda": bethesda, "summary": "细针穿刺" } });
    let (_, body) = learner.json("add_follow_up", fna(json!(6), 9)).await;
    assert_eq!(body, "Forbidden");
    let (_, body) = wang.json("add_follow_up", fna(Value::Null, 9)).await;
    assert_eq!(body["Invalid"]["field"], "bethesda");
    let (_, body) = wang.json("add_follow_up", fna(json!(7), 9)).await;
    assert_eq!(body["Invalid"]["field"], "bethesda");

    // Bethesda VI settles malignancy: the malignant call is concordant.
    let (status, body) = wang.json("add_follow_up", fna(json!(6), 9)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["malignant"], true);
    let (_, view) = learner.call("published_case", &[("id", &id)]).await;
    assert_eq!(view["concordance"], "concordant");
    let hits = search(&learner, json!({ "has_pathology": true })).await;
    assert_eq!(hits["total"], 1);
    let (_, tables) = learner.call("network_outcomes", &[]).await;
    let tr5 = tables["tirads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["level"] == "tr5")
        .unwrap()
        .clone();
    assert_eq!(
        (tr5["cases"].clone(), tr5["malignant"].clone()),
        (json!(1), json!(1))
    );
    let (_, queue) = chen.call("awaiting_follow_up", &[]).await;
    assert!(!queue.as_array().unwrap().iter().any(|c| c["id"] == id));

    // Tissue outranks cytology: benign histology makes the impression discordant.
    let (status, body) = chen
        .json(
            "add_follow_up",
            json!({ "id": id, "input": { "kind": "histopathology", "day_offset": 40, "malignant": false, "summary": "结节性甲状腺肿" } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, view) = learner.call("published_case", &[("id", &id)]).await;
    assert_eq!(view["concordance"], "discordant");
    assert_eq!(view["follow_ups"].as_array().unwrap().len(), 2);
    assert_eq!(view["follow_ups"][1]["day_offset"], 40);
    let (_, tables) = learner.call("network_outcomes", &[]).await;
    assert_eq!(tables["discordant"], 1);
    let tr5 = tables["tirads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["level"] == "tr5")
        .unwrap()
        .clone();
    assert_eq!(
        (tr5["cases"].clone(), tr5["malignant"].clone()),
        (json!(1), json!(0))
    );
    app.started.stop().await.unwrap();
}

#[test]
fn consultation_points_at_frames_notifies_and_unknown_mode_records_attempts() {
    with_room_to_render(consultation_and_unknown_mode());
}

async fn consultation_and_unknown_mode() {
    let (app, study) = app_with_study().await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let learner = app.signed_in("li.na").await;
    let id = published_case(&chen, &wang, &study, "甲状腺结节会诊").await;
    let (_, view) = learner.call("published_case", &[("id", &id)]).await;
    let sop = view["clip_urls"][0][0].as_str().unwrap().to_string();

    // A question pointing at a frame; a frame past the clip's end is refused.
    let (_, body) = learner
        .call(
            "add_case_comment",
            &[
                ("id", &id),
                ("body", "第3帧这个强回声是钙化吗？"),
                ("sop_uid", &sop),
                ("frame", "99"),
            ],
        )
        .await;
    assert_eq!(body["Invalid"]["field"], "frame");
    let (status, question) = learner
        .call(
            "add_case_comment",
            &[
                ("id", &id),
                ("body", "第3帧这个强回声是钙化吗？"),
                ("sop_uid", &sop),
                ("frame", "2"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{question}");
    let (_, unread) = chen.call("unread_notifications", &[]).await;
    assert!(unread.as_u64().unwrap() >= 1);
    let (status, answer) = wang
        .call(
            "add_case_comment",
            &[("id", &id), ("body", "是点状强回声，无彗星尾，属微钙化。")],
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (_, notes) = learner.call("notifications", &[]).await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "reply"),
        "{notes}"
    );
    let answer_id = answer["id"].as_str().unwrap();
    let (_, body) = learner
        .call("mark_answer", &[("comment", answer_id), ("answer", "true")])
        .await;
    assert_eq!(body, "Forbidden");
    assert_eq!(
        chen.call("mark_answer", &[("comment", answer_id), ("answer", "true")])
            .await
            .0,
        200
    );
    let (_, thread) = learner.call("case_comments", &[("id", &id)]).await;
    assert_eq!(thread[0]["frame"], json!({ "sop_uid": sop, "frame": 2 }));
    assert_eq!(
        (
            thread[1]["is_answer"].clone(),
            thread[0]["is_answer"].clone()
        ),
        (json!(true), json!(false))
    );
    assert_eq!(
        learner.call("read_notification", &[("id", "")]).await.0,
        200
    );
    assert_eq!(learner.call("unread_notifications", &[]).await.1, 0);

    // Unknown-case mode: the puzzle withholds findings and diagnosis; the attempt is kept.
    let (_, puzzle) = learner.call("unknown_case", &[("id", &id)]).await;
    assert_eq!(puzzle["kind"], "tirads");
    let text = puzzle.to_string();
    // Nothing the author wrote about the images either: the caption names the finding.
    assert!(
        !text.contains("乳头状癌") && !text.contains("点状强回声") && !text.contains("微钙化"),
        "{text}"
    );
    let html = learner
        .page(&format!("/cases/{id}/solve"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-clip-index") && !html.contains("微钙化"));
    let (_, body) = learner
        .json(
            "solve_case",
            json!({ "id": id, "answer": { "impression": "  " } }),
        )
        .await;
    assert_eq!(body["Invalid"]["field"], "impression");
    let (status, reveal) = learner
        .json(
            "solve_case",
            json!({ "id": id, "answer": { "impression": "考虑恶性", "tirads": 4 } }),
        )
        .await;
    assert_eq!(status, 200, "{reveal}");
    assert_eq!(reveal["correct"], false);
    assert_eq!(reveal["expected"], json!({ "Tirads": "tr5" }));
    assert!(
        reveal["case"]["content"]["diagnosis"]
            .as_str()
            .unwrap()
            .contains("乳头状癌")
    );
    let (_, reveal) = learner
        .json(
            "solve_case",
            json!({ "id": id, "answer": { "impression": "乳头状癌", "tirads": 5 } }),
        )
        .await;
    assert_eq!(reveal["correct"], true);
    let (_, view) = learner.call("published_case", &[("id", &id)]).await;
    assert_eq!(view["my_attempts"], 2);
    app.started.stop().await.unwrap();
}
