//! The demo case library as people meet it after `serve --demo`: a learner finds published
//! thyroid, carotid and emergency cases in both languages, cannot open what is still in review
//! or a draft, sees the network's outcome table and an answered consultation; an expert sees
//! the curation states, a second version and the follow-up queue.

use crate::common::{Client, TestApp};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const EMERGENCY: [&str; 5] = ["efast", "lung", "cardiac", "aaa", "dvt"];
/// The server functions a reader opens a case and the outcome tables with.
const PUBLISHED_CASE: &str = "published_case";
const OUTCOMES: &str = "network_outcomes";

/// Every published case a reader can find, page by page.
async fn published(client: &Client) -> Vec<Value> {
    let mut cases = Vec::new();
    for page in 0.. {
        let (status, body) = client
            .json("search_cases", json!({ "query": { "page": page } }))
            .await;
        assert_eq!(status, 200, "{body}");
        let rows = body["cases"].as_array().cloned().unwrap_or_default();
        if rows.is_empty() {
            break;
        }
        cases.extend(rows);
    }
    cases
}

/// The expert's workbench: every case with its status.
async fn workbench(expert: &Client) -> Vec<Value> {
    let (status, body) = expert.call("case_workbench", &[]).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().cloned().unwrap_or_default()
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

#[tokio::test]
async fn demo_mode_seeds_a_curated_case_library() {
    let app = TestApp::with(|c| {
        c.demo = true;
        c.demo_clips = true;
    })
    .await;
    let learner = app.signed_in("li.na").await;
    let expert = app.signed_in("wang.lei").await;

    // The seed runs after the demo studies are imported; it is done when every case exists
    // (the last one is a draft with nothing after its creation) and enough are published.
    let deadline = Instant::now() + Duration::from_secs(180);
    let cases = loop {
        let cases = published(&learner).await;
        if cases.len() >= 12 && workbench(&expert).await.len() == server::demo_cases::size() {
            break cases;
        }
        assert!(
            Instant::now() < deadline,
            "only {} published cases after 3 minutes",
            cases.len()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };

    let in_area = |codes: &[&str]| {
        cases
            .iter()
            .filter(|c| codes.contains(&text(c, "application")))
            .count()
    };
    assert!(
        in_area(&["thyroid"]) >= 5,
        "thyroid: {}",
        in_area(&["thyroid"])
    );
    assert!(
        in_area(&["carotid"]) >= 3,
        "carotid: {}",
        in_area(&["carotid"])
    );
    assert!(
        in_area(&EMERGENCY) >= 3,
        "emergency: {}",
        in_area(&EMERGENCY)
    );
    assert!(
        cases.iter().any(|c| has_cjk(text(c, "title"))),
        "a case in Chinese"
    );
    assert!(
        cases.iter().any(|c| !has_cjk(text(c, "title"))),
        "a case in English"
    );
    assert!(cases.iter().all(|c| text(c, "status") == "published"));

    // A learner opens a published case; what is still being curated (or was withdrawn)
    // stays with the experts: the app's own NotFound, not a missing endpoint's page.
    let (code, view) = learner
        .call(PUBLISHED_CASE, &[("id", text(&cases[0], "id"))])
        .await;
    assert_eq!(code, 200, "{view}");
    let bench = workbench(&expert).await;
    for status in ["in_review", "draft", "retired"] {
        let case = bench
            .iter()
            .find(|c| text(c, "status") == status)
            .unwrap_or_else(|| panic!("no {status} case on the workbench"));
        let id = text(case, "id");
        let (_, body) = learner.call(PUBLISHED_CASE, &[("id", id)]).await;
        assert_eq!(body, json!({ "NotFound": "case" }), "the {status} case");
        assert!(cases.iter().all(|c| text(c, "id") != id));
    }
    let waiting = bench
        .iter()
        .find(|c| text(c, "status") == "in_review")
        .unwrap();
    assert!(text(waiting, "author_name").contains("陈静"), "{waiting}");

    // The outcome table has a TI-RADS level with proven malignancy.
    let (code, tables) = learner.call(OUTCOMES, &[]).await;
    assert_eq!(code, 200, "{tables}");
    assert!(
        tables["tirads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|row| row["malignant"].as_u64() > Some(0)),
        "{tables}"
    );

    // A consultation where a learner asked at a frame and an expert's answer, pointing at a
    // frame of one of the case's clips, was marked.
    let mut answered = 0;
    for case in &cases {
        let id = text(case, "id");
        let (code, thread) = learner.call("case_comments", &[("id", id)]).await;
        assert_eq!(code, 200, "{thread}");
        let thread = thread.as_array().cloned().unwrap_or_default();
        let asked = thread
            .iter()
            .any(|m| text(m, "author_role") == "learner" && !m["frame"].is_null());
        let Some(answer) = thread.iter().find(|m| m["is_answer"] == json!(true)) else {
            continue;
        };
        assert_eq!(text(answer, "author_role"), "expert", "{answer}");
        let (code, view) = learner.call(PUBLISHED_CASE, &[("id", id)]).await;
        assert_eq!(code, 200, "{view}");
        let clips: Vec<&str> = view["content"]["clips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| text(c, "sop_uid"))
            .collect();
        let frame = &answer["frame"];
        assert!(clips.contains(&text(frame, "sop_uid")), "{answer}");
        assert!(frame["frame"].as_u64().is_some(), "{answer}");
        if asked {
            answered += 1;
        }
    }
    assert!(answered >= 2, "{answered} answered consultations");

    // Experts see a case's second version and cases still waiting for an outcome.
    let mut revised = 0;
    for case in &cases {
        let (code, versions) = expert
            .call("case_versions", &[("id", text(case, "id"))])
            .await;
        assert_eq!(code, 200, "{versions}");
        if versions.as_array().unwrap().len() >= 2 {
            revised += 1;
        }
    }
    assert!(revised >= 1, "no case was published twice");
    let (code, queue) = expert.call("awaiting_follow_up", &[]).await;
    assert_eq!(code, 200, "{queue}");
    assert!(
        !queue.as_array().unwrap().is_empty(),
        "the follow-up queue is empty"
    );
}
