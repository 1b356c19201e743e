//! Competency over HTTP: a learner logs a scan with a clip uploaded through the import
//! pipeline and submits it; only other people's experts review it (blind second reviews);
//! coordinators set rules, see the grid and award credentials only to eligible learners; the
//! certificate verifies while signed out; a follow-up on the linked case flips the verdict;
//! the dashboards' numbers equal what is computed by hand on this small fixture.

use crate::cases::{app_with_study, published_case};
use crate::common::{Client, wait_for_job};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use serde_json::{Value, json};

fn thyroid_reading(tirads: u8, recommendation: &str) -> Value {
    json!({ "answers": {
        "tirads": { "level": tirads },
        "recommendation": { "choice": recommendation },
    } })
}

/// Today in the network's time zone, as the server dates reviews.
fn today() -> String {
    domain::competency::today().to_string()
}

/// Saves an entry (new when `id` is empty); returns status and body.
async fn save_entry(learner: &Client, id: &str, submit: bool, reading: Value) -> (u16, Value) {
    learner
        .json(
            "save_logbook_entry",
            json!({ "input": {
                "id": id, "application": "thyroid", "scanned_on": today(),
                "indication": "颈部包块 neck lump", "interpretation": reading, "submit": submit,
            } }),
        )
        .await
}

/// A draft with one clip uploaded through its own import job; returns the entry id.
async fn draft_with_clip(learner: &Client, seed: u64) -> String {
    let (status, id) = save_entry(learner, "", false, json!({ "answers": {} })).await;
    assert_eq!(status, 200, "a half-filled draft is kept: {id}");
    let id = id.as_str().unwrap().to_string();
    upload_into(learner, &id, seed).await;
    id
}

/// Uploads one synthetic clip (`seed` decides its pixels) into the draft `id` and waits for
/// the import pipeline.
async fn upload_into(learner: &Client, id: &str, seed: u64) {
    let (status, job) = learner.call("logbook_upload", &[("entry", id)]).await;
    assert_eq!(status, 200, "{job}");
    let job = job.as_str().unwrap().to_string();
    let clip = synth_clip(&SynthOptions {
        width: 320,
        height: 240,
        frames: 4,
        syntax: SynthSyntax::Rle,
        fps: 20.0,
        seed,
    })
    .unwrap();
    let (status, body) = learner
        .upload_named(&job, "thyroid-left.dcm", clip, "application/dicom")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(learner.call("close_upload", &[("id", &job)]).await.0, 200);
    let (job, items) = wait_for_job(learner, &job).await;
    assert_eq!(job["status"], "done", "{job} {items:?}");
}

/// The SOP UIDs of an entry's clips, in order.
async fn clip_sops(client: &Client, entry: &str) -> Vec<String> {
    let (status, view) = client.call("logbook_entry", &[("id", entry)]).await;
    assert_eq!(status, 200, "{view}");
    view["clips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sop_uid"].as_str().unwrap().to_string())
        .collect()
}

/// Saves the draft `id` with exactly `clips`.
async fn save_with_clips(learner: &Client, id: &str, clips: &[&str], submit: bool) -> (u16, Value) {
    learner
        .json(
            "save_logbook_entry",
            json!({ "input": {
                "id": id, "application": "thyroid", "scanned_on": today(),
                "indication": "颈部包块", "interpretation": thyroid_reading(4, "细针穿刺 FNA"),
                "clips": clips, "submit": submit,
            } }),
        )
        .await
}

#[tokio::test]
async fn the_editor_list_of_clips_is_what_goes_to_review() {
    let (app, _study) = app_with_study().await;
    let li = app.signed_in("li.na").await;
    let zhang = app.signed_in("zhang.wei").await;

    // An upload into a draft whose clips were never listed shows up in it.
    let entry = draft_with_clip(&li, 31).await;
    let first = clip_sops(&li, &entry).await;
    assert_eq!(first.len(), 1);
    let a = first[0].clone();
    // Once listed, the list is the entry's: a second upload waits among the pickable clips.
    assert_eq!(save_with_clips(&li, &entry, &[&a], false).await.0, 200);
    upload_into(&li, &entry, 32).await;
    assert_eq!(clip_sops(&li, &entry).await, std::slice::from_ref(&a));
    let (_, pickable) = li.call("logbook_clips", &[]).await;
    let pickable: Vec<&str> = pickable
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sop_uid"].as_str().unwrap())
        .collect();
    assert!(pickable.contains(&a.as_str()), "{pickable:?}");
    let b = pickable
        .iter()
        .find(|s| **s != a)
        .expect("the second upload is pickable");
    let b = b.to_string();
    // The same clip twice is refused, naming the second.
    let (status, body) = save_with_clips(&li, &entry, &[&a, &a], false).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("clips.1"), "{body}");
    // A clip taken out stays out when the entry goes to review.
    assert_eq!(save_with_clips(&li, &entry, &[&b], true).await.0, 200);
    assert_eq!(clip_sops(&li, &entry).await, [b]);

    // Someone else's clip is not attachable, until they upload the same file themselves (a
    // duplicate of what was imported is theirs to log).
    let (status, other) = save_entry(&zhang, "", false, json!({ "answers": {} })).await;
    assert_eq!(status, 200);
    let other = other.as_str().unwrap().to_string();
    let (status, body) = save_with_clips(&zhang, &other, &[&a], false).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("clips.0"), "{body}");
    upload_into(&zhang, &other, 31).await;
    assert_eq!(save_with_clips(&zhang, &other, &[&a], false).await.0, 200);
    assert_eq!(clip_sops(&zhang, &other).await, [a]);
}

async fn review(
    expert: &Client,
    entry: &str,
    grade: u8,
    verdict: &str,
    extra: Value,
) -> (u16, Value) {
    let mut input = json!({
        "entry": entry, "grade": grade, "interpretation": thyroid_reading(4, "细针穿刺 FNA"),
        "verdict": verdict, "feedback": "Nodule well shown; measure in two planes.",
    });
    if let (Value::Object(input), Value::Object(extra)) = (&mut input, extra) {
        input.extend(extra);
    }
    expert.json("review_scan", json!({ "input": input })).await
}

fn period() -> Value {
    let today = domain::competency::today();
    json!({ "from": today.plus_days(-365).to_string(), "until": today.to_string() })
}

#[tokio::test]
async fn a_scan_goes_from_the_logbook_through_review_to_a_verified_credential() {
    let (app, study) = app_with_study().await;
    let li = app.signed_in("li.na").await;
    let zhang = app.signed_in("zhang.wei").await;
    let chen = app.signed_in("chen.jing").await;
    let wang = app.signed_in("wang.lei").await;
    let zhou = app.signed_in("zhou.min").await;

    // Only learners log scans; nothing is submitted without a clip or a whole reading.
    let (status, _) = save_entry(&chen, "", false, json!({ "answers": {} })).await;
    assert_eq!(status, 403, "experts do not keep a logbook");
    let (status, body) = save_entry(&li, "", true, thyroid_reading(4, "细针穿刺 FNA")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("clips"), "{body}");
    let entry = draft_with_clip(&li, 11).await;
    let (status, body) = save_entry(&li, &entry, true, json!({ "answers": {} })).await;
    assert_eq!(status, 422, "an unanswered form is not submitted: {body}");
    let (status, body) = save_entry(&li, &entry, true, thyroid_reading(9, "细针穿刺 FNA")).await;
    assert_eq!(status, 422, "TI-RADS 9 does not exist: {body}");
    let (status, body) = save_entry(&li, &entry, true, thyroid_reading(4, "细针穿刺 FNA")).await;
    assert_eq!(status, 200, "{body}");
    let (_, view) = li.call("logbook_entry", &[("id", &entry)]).await;
    assert_eq!(view["summary"]["status"], "submitted");
    assert_eq!(view["clips"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(view["may_edit"], false, "submitted entries are not edited");
    let sha = view["clips"][0]["blob_sha"].as_str().unwrap().to_string();
    assert_eq!(li.page(&format!("/dicom/{sha}")).await.status(), 200);
    assert_eq!(zhang.page(&format!("/dicom/{sha}")).await.status(), 404);

    // Another learner cannot read it; reviewers and coordinators can.
    assert_eq!(zhang.call("logbook_entry", &[("id", &entry)]).await.0, 404);
    assert_eq!(zhang.call("my_logbook", &[]).await.1, json!([]));
    let (status, view) = chen.call("logbook_entry", &[("id", &entry)]).await;
    assert_eq!((status, view["may_review"].clone()), (200, json!(true)));
    assert_eq!(zhou.call("logbook_entry", &[("id", &entry)]).await.0, 200);

    // The queue; learners and coordinators do not review; a grade outside 1–5 is refused.
    let (status, queue) = chen.json("review_queue", json!({ "filter": {} })).await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let (status, queue) = chen
        .json(
            "review_queue",
            json!({ "filter": { "application": "carotid" } }),
        )
        .await;
    assert_eq!((status, queue), (200, json!([])));
    assert_eq!(
        li.json("review_queue", json!({ "filter": {} })).await.0,
        403
    );
    assert_eq!(review(&zhou, &entry, 4, "agree", json!({})).await.0, 403);
    assert_eq!(review(&li, &entry, 4, "agree", json!({})).await.0, 403);
    let (status, _) = review(&chen, &entry, 6, "agree", json!({})).await;
    assert_ne!(status, 200, "grade 6 is refused");

    // The first review, linked to a library case; a second review is asked for.
    let case = published_case(&chen, &wang, &study, "Thyroid nodule TR4").await;
    let (status, body) = review(
        &chen,
        &entry,
        4,
        "agree",
        json!({ "case_id": case, "want_second": true }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = review(&chen, &entry, 4, "agree", json!({})).await;
    assert_eq!(status, 422, "nobody reviews one scan twice: {body}");

    // The learner sees the feedback; the second reviewer is blind until they review.
    let (_, view) = li.call("logbook_entry", &[("id", &entry)]).await;
    assert_eq!(view["summary"]["status"], "reviewed");
    assert_eq!(view["summary"]["grade"], 4);
    assert_eq!(
        view["reviews"][0]["feedback"],
        "Nodule well shown; measure in two planes."
    );
    let (_, view) = wang.call("logbook_entry", &[("id", &entry)]).await;
    assert_eq!(view["may_review"], true);
    assert_eq!(view["reviews"], json!([]), "the second review is blind");
    let (status, body) = review(&wang, &entry, 3, "disagree", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (_, view) = li.call("logbook_entry", &[("id", &entry)]).await;
    assert_eq!(
        view["reviews"].as_array().unwrap().len(),
        1,
        "the learner's feedback is the first review"
    );

    // Rules: impossible thresholds are refused at their field.
    let rule = |scans: i64, share: f64| {
        json!({ "application": "thyroid", "rule": {
            "min_reviewed_scans": scans, "min_acceptable_share": share, "min_agreement": 0.8,
            "required_courses": [], "required_quizzes": [], "renewal_days": null,
            "maintenance_scans": 0 } })
    };
    let (status, body) = zhou.json("save_credential_rule", rule(1, 1.5)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("min_acceptable_share"), "{body}");
    let (status, _) = zhou.json("save_credential_rule", rule(0, 0.8)).await;
    assert_eq!(status, 422, "a rule that asks for no scan is refused");
    assert_eq!(chen.json("save_credential_rule", rule(1, 0.8)).await.0, 403);

    // Under the default rule (25 scans) she is not eligible: the award is refused.
    let li_id = li.me().await["id"].as_str().unwrap().to_string();
    let (status, body) = zhou
        .call(
            "award_credential",
            &[("learner", &li_id), ("application", "thyroid")],
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("not_eligible"), "{body}");
    assert_eq!(zhou.json("save_credential_rule", rule(1, 0.8)).await.0, 200);
    let (status, standing) = li
        .call(
            "learner_standing",
            &[("learner", &li_id), ("application", "thyroid")],
        )
        .await;
    assert_eq!(status, 200, "{standing}");
    assert_eq!(standing["evaluation"]["status"], "eligible");
    // The coordinator's list reads every pair at once: it agrees with her own standing.
    let (status, list) = zhou
        .call("credential_standings", &[("application", "thyroid")])
        .await;
    assert_eq!(status, 200, "{list}");
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["learner"] == li_id.as_str())
        .expect("li.na is in the standings");
    assert_eq!(row["evaluation"], standing["evaluation"]);
    assert_eq!(row["learner_name"], standing["learner_name"]);
    assert_eq!(row["site_code"], standing["site_code"]);
    assert_eq!(
        li.call("credential_standings", &[]).await.0,
        403,
        "learners do not read the standings"
    );
    let zhang_id = zhang.me().await["id"].as_str().unwrap().to_string();
    assert_eq!(
        zhang
            .call(
                "learner_standing",
                &[("learner", &li_id), ("application", "thyroid")]
            )
            .await
            .0,
        404,
        "learners see only their own standing"
    );
    let (status, _) = zhou
        .call(
            "award_credential",
            &[("learner", &zhang_id), ("application", "thyroid")],
        )
        .await;
    assert_eq!(status, 422, "zhang.wei logged nothing");
    assert_eq!(
        chen.call(
            "award_credential",
            &[("learner", &li_id), ("application", "thyroid")]
        )
        .await
        .0,
        403,
        "experts do not award"
    );
    let (status, code) = zhou
        .call(
            "award_credential",
            &[("learner", &li_id), ("application", "thyroid")],
        )
        .await;
    assert_eq!(status, 200, "{code}");
    let code = code.as_str().unwrap().to_string();

    // The certificate verifies for anyone, by its code in any case and spacing.
    let stranger = app.client();
    let lower = code.to_lowercase().replace('-', " ");
    let (status, cert) = stranger
        .call("verify_credential", &[("code", &lower)])
        .await;
    assert_eq!(status, 200, "{cert}");
    assert_eq!(cert["code"], code);
    assert_eq!(cert["status"], "credentialed");
    assert_eq!(cert["revoked"], false);
    assert_eq!(cert["reviewed_scans"], 1);
    assert_eq!(
        stranger.page(&format!("/verify/{code}")).await.status(),
        200
    );
    let (status, _) = stranger
        .call("verify_credential", &[("code", "2345-6789-ABCD")])
        .await;
    assert_eq!(status, 404);

    let li_site = li.me().await["site"]["code"].clone();
    // The grid: her site's thyroid cell, and the hub's figures beside it.
    let (status, grid) = zhou
        .json("competency_grid", json!({ "period": period() }))
        .await;
    assert_eq!(status, 200, "{grid}");
    let site = grid["sites"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["code"] == li_site)
        .unwrap();
    let thyroid = grid["applications"]
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a["code"] == "thyroid")
        .unwrap();
    let cell = &grid["cells"][site][thyroid];
    assert_eq!(
        (
            cell["reviewed"].clone(),
            cell["acceptable"].clone(),
            cell["agreeing"].clone(),
            cell["credentialed"].clone()
        ),
        (json!(1), json!(1), json!(1), json!(1)),
        "{cell}"
    );
    assert_eq!(grid["sites"].as_array().unwrap().len(), 14);
    assert_eq!(grid["sites"][0]["hub"], true, "the hub comes first");
    assert_eq!(
        chen.json("competency_grid", json!({ "period": period() }))
            .await
            .0,
        403
    );
    let (status, _) = zhou
        .json(
            "competency_grid",
            json!({ "period": { "from": today(), "until": "2020-01-01" } }),
        )
        .await;
    assert_eq!(status, 422, "a period that ends before it starts");

    // Quality: the month's mean grade, chen's load, the chen–wang pair.
    let (status, report) = zhou
        .json(
            "quality_report",
            json!({ "period": period(), "application": "thyroid" }),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    let month = &today()[..7];
    let trend = report["trends"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["site"]["code"] == li_site)
        .unwrap();
    let this_month = trend["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == month)
        .unwrap();
    assert_eq!(this_month["reviewed"], 1);
    assert_eq!(this_month["mean_grade"], 4.0);
    assert_eq!(this_month["agreement"], 1.0);
    let loads = report["reviewers"].as_array().unwrap();
    let chen_load = loads.iter().find(|r| r["reviews"] == 1).unwrap();
    assert_eq!(chen_load["second_reviews"], 0);
    assert!(loads.iter().any(|r| r["second_reviews"] == 1));
    assert_eq!(report["pairs"][0]["agreement"]["pairs"], 1);

    // A follow-up settles the finding: FNA Bethesda II (benign) makes her positive call a
    // false positive, and her agreement falls below the rule.
    let (status, body) = chen
        .json(
            "add_follow_up",
            json!({ "id": case, "input": { "kind": "fna", "day_offset": 14, "bethesda": 2,
                    "summary": "Benign follicular nodule" } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, view) = li.call("logbook_entry", &[("id", &entry)]).await;
    assert_eq!(view["reviews"][0]["verdict"], "false_positive", "{view}");
    assert_eq!(view["reviews"][0]["verdict_source"], "follow_up");
    assert_eq!(view["reviews"][0]["reviewer_verdict"], "agree");
    assert_eq!(view["summary"]["verdict"], "false_positive");
    let (_, grid) = zhou
        .json("competency_grid", json!({ "period": period() }))
        .await;
    assert_eq!(grid["cells"][site][thyroid]["agreeing"], 0);
    let settled = app.audit_of(&entry).await;
    assert!(
        settled
            .iter()
            .any(|e| e.action == model::AuditAction::VerdictSettled.as_str()),
        "{settled:?}"
    );

    // Withdrawn: the certificate says so.
    assert_eq!(
        zhou.call("revoke_credential", &[("code", &code)]).await.0,
        200
    );
    let (_, cert) = stranger.call("verify_credential", &[("code", &code)]).await;
    assert_eq!(cert["revoked"], true);
}
