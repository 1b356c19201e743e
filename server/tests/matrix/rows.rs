//! The expected matrix: one row per endpoint with what anonymous, learner, expert, coordinator
//! and admin are answered, in that order, and further cells for the owner of a record and for
//! people who are not. The codes read as a table:
//!
//! * `IN`: asked to sign in (401, or a page's redirect to `/login`);
//! * `NO`: refused for the role (403);
//! * `HID`: someone else's record, not revealed (404);
//! * `OK`: it works (2xx);
//! * `ACT`: authorised, refused only for what was asked (a bad value, a missing record, a
//!   wrong state), never 401/403/5xx;
//! * `ASK`: the code lets the caller act and that looks wrong; not asserted, printed with
//!   the row's doubt until someone decides.
mod routes;

use super::fixtures::{Fixtures, entry_input, thyroid_reading, today};
use super::{Call, Endpoint, Expect, Row};
use serde_json::{Value, json};

const IN: Expect = Expect::SignIn;
const NO: Expect = Expect::Refused;
const HID: Expect = Expect::Hidden;
const OK: Expect = Expect::Ok;
const ACT: Expect = Expect::Acts;
#[allow(dead_code, reason = "for the next row whose rule looks doubtful")]
const ASK: Expect = Expect::Questioned;

/// Everyone, signed in or not.
const ANYONE: [Expect; 5] = [OK, OK, OK, OK, OK];
/// Everyone signed in.
const SIGNED_IN: [Expect; 5] = [IN, OK, OK, OK, OK];
/// The teaching roles (admins run the network and do not use the teaching areas).
const TEACHING: [Expect; 5] = [IN, OK, OK, OK, NO];
const LEARNERS: [Expect; 5] = [IN, OK, NO, NO, NO];
const EXPERTS: [Expect; 5] = [IN, NO, OK, NO, NO];
const COORDINATORS: [Expect; 5] = [IN, NO, NO, OK, NO];
const ADMINS: [Expect; 5] = [IN, NO, NO, NO, OK];
/// Course authors: experts and coordinators.
const AUTHORS: [Expect; 5] = [IN, NO, OK, OK, NO];
/// Who sees the whole network: coordinators and admins.
const NETWORK: [Expect; 5] = [IN, NO, NO, OK, OK];

/// Why courses and quizzes edited by anyone are noted.
const SHARED_COURSES: &str = "courses and quizzes have no author of their own: any expert or \
    coordinator edits, publishes and withdraws anyone's (cases and questions stay their \
    author's)";

/// An id no record has.
const NOBODY: &str = "00000000-0000-7000-8000-000000000000";

fn row(endpoint: Endpoint, call: Call) -> Row {
    Row {
        endpoint,
        call,
        roles: None,
        people: Vec::new(),
        fresh: false,
        doubt: None,
    }
}

/// A server function called with form fields.
fn form(name: &str, fields: &[(&str, &str)]) -> Row {
    let fields = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    row(Endpoint::Function(name.into()), Call::Form(fields))
}

/// A server function called with JSON arguments.
fn json(name: &str, args: Value) -> Row {
    row(Endpoint::Function(name.into()), Call::Json(args))
}

/// A page route, fetched at `path`.
fn page(route: &str, path: impl Into<String>) -> Row {
    row(Endpoint::Page(route.into()), Call::Get(path.into()))
}

/// A plain `GET` route, fetched at `path`.
fn get(route: &str, path: impl Into<String>) -> Row {
    row(
        Endpoint::Http("GET".into(), route.into()),
        Call::Get(path.into()),
    )
}

/// A plain `POST` route, sent `body` at `path`.
fn post(route: &str, path: impl Into<String>, body: &[u8]) -> Row {
    row(
        Endpoint::Http("POST".into(), route.into()),
        Call::Post(path.into(), body.to_vec()),
    )
}

impl Row {
    /// What the five roles are answered.
    fn is(mut self, roles: [Expect; 5]) -> Row {
        self.roles = Some(roles);
        self
    }

    /// What a named account (an owner, or someone who is not) is answered.
    fn and(mut self, account: &'static str, expect: Expect) -> Row {
        self.people.push((account, expect));
        self
    }

    /// Each caller calls from a session of its own (the call ends or replaces it).
    fn fresh(mut self) -> Row {
        self.fresh = true;
        self
    }

    /// The rule asserted looks doubtful, for the reason given.
    fn doubt(mut self, why: &'static str) -> Row {
        self.doubt = Some(why);
        self
    }
}

/// The whole matrix over `f`'s records.
pub fn all(f: &Fixtures) -> Vec<Row> {
    let mut rows = Vec::new();
    rows.extend(accounts(f));
    rows.extend(archive(f));
    rows.extend(cases(f));
    rows.extend(competency(f));
    rows.extend(courses(f));
    rows.extend(guidance(f));
    rows.extend(replays(f));
    rows.extend(routes::pages(f));
    rows.extend(routes::files(f));
    rows.extend(routes::dicomweb(f));
    rows
}

/// Sign-in, people, sites, audit, tokens.
fn accounts(f: &Fixtures) -> Vec<Row> {
    let password = crate::common::DEMO_PASSWORD;
    vec![
        // Each caller's own session signs in as zhang.wei: from a client of its own.
        form(
            "login",
            &[("username", "zhang.wei"), ("password", password)],
        )
        .is(ANYONE)
        .fresh(),
        form("logout", &[]).is(ANYONE).fresh(),
        form("me", &[]).is(ANYONE),
        // The current password is wrong: refused at that field, after the caller is known.
        form(
            "change_password",
            &[
                ("current", "not-the-password"),
                ("new_password", "a-new-password-1"),
            ],
        )
        .is([IN, ACT, ACT, ACT, ACT]),
        form("people", &[]).is(NETWORK),
        form("network", &[]).is(NETWORK),
        form(
            "create_user",
            &[
                ("user[username]", "matrix.new"),
                ("user[display_name]", "Matrix New"),
                ("user[role]", "learner"),
                ("user[site_id]", &f.li_site),
                ("user[password]", "new-password-1"),
            ],
        )
        .is(ADMINS),
        form(
            "set_user_active",
            &[("user_id", &f.spare_user), ("active", "true")],
        )
        .is(ADMINS),
        form(
            "reset_password",
            &[
                ("user_id", &f.spare_user),
                ("new_password", "spare-password-2"),
            ],
        )
        .is(ADMINS),
        form("sites", &[]).is(SIGNED_IN),
        form(
            "update_site",
            &[
                ("site_id", &f.li_site),
                ("name_zh", "矩阵社区卫生服务中心"),
                ("name_en", "Matrix Community Health Centre"),
                ("active", "true"),
            ],
        )
        .is(ADMINS),
        form("audit", &[]).is(ADMINS),
        form("dicomweb_tokens", &[]).is(ADMINS),
        form(
            "issue_dicomweb_token",
            &[("name", "matrix viewer"), ("holder", "the matrix test")],
        )
        .is(ADMINS),
        form("revoke_dicomweb_token", &[("id", NOBODY)]).is([IN, NO, NO, NO, ACT]),
        form("demo_clips", &[]).is(SIGNED_IN),
    ]
}

/// The regional archive, imports, studies and the quarantine.
fn archive(f: &Fixtures) -> Vec<Row> {
    let connection = [
        ("base_url", "http://127.0.0.1:9"),
        ("auth", "none"),
        ("username", ""),
        ("secret", ""),
        ("timeout_secs", "2"),
    ];
    let area = json!({ "x0": 0, "y0": 30, "x1": 319, "y1": 239 });
    vec![
        form("archive_settings", &[]).is(ADMINS),
        form("save_archive_settings", &connection).is(ADMINS),
        form("test_archive", &connection).is(ADMINS),
        // A date that is not one: refused before the (absent) archive is asked.
        form(
            "search_archive",
            &[
                ("patient_id", ""),
                ("patient_name", ""),
                ("accession", ""),
                ("date_from", "not-a-date"),
                ("date_to", ""),
                ("modality", ""),
            ],
        )
        .is([IN, NO, ACT, NO, NO]),
        json("import_studies", json!({ "study_uids": [] })).is([IN, NO, ACT, NO, NO]),
        form("import_jobs", &[]).is(EXPERTS),
        // chen's job: every expert follows imports; a learner only her own uploads.
        form("import_job_detail", &[("id", &f.done_job)])
            .is([IN, HID, OK, HID, HID])
            .and("wang.lei", OK),
        form("retry_import", &[("id", &f.done_job)]).is([IN, NO, ACT, NO, NO]),
        form("list_studies", &[]).is(EXPERTS),
        form("study", &[("uid", &f.study)]).is(EXPERTS),
        form("open_upload", &[]).is(EXPERTS),
        // chen's upload: closed by chen only; a learner may close her own uploads.
        form("close_upload", &[("id", &f.closing_job)])
            .is([IN, HID, OK, NO, NO])
            .and("wang.lei", HID),
        json("remask_instance", json!({ "sop_uid": f.sop, "rects": [] })).is([IN, NO, ACT, NO, NO]),
        form("held_files", &[]).is(EXPERTS),
        form("get_held_file", &[("id", NOBODY)]).is([IN, NO, ACT, NO, NO]),
        json("release_held", json!({ "id": NOBODY, "area": area })).is([IN, NO, ACT, NO, NO]),
        form("discard_held", &[("id", NOBODY)]).is([IN, NO, ACT, NO, NO]),
        json("save_device_mask", json!({ "held": NOBODY, "area": area })).is([IN, NO, ACT, NO, NO]),
        form("device_masks", &[]).is(ADMINS),
        json(
            "edit_device_mask",
            json!({ "id": NOBODY, "keep": area, "remove": [] }),
        )
        .is([IN, NO, NO, NO, ACT]),
        form("retire_device_mask", &[("id", NOBODY)]).is([IN, NO, NO, NO, ACT]),
    ]
}

/// The case library: authoring, review, reading, unknowns, consultation, notifications.
fn cases(f: &Fixtures) -> Vec<Row> {
    let stamp = f.draft_stamp.to_string();
    vec![
        form("applications", &[]).is(SIGNED_IN),
        form(
            "create_case",
            &[
                ("study_uid", &f.study),
                ("title", "矩阵 new case"),
                ("application", "thyroid"),
            ],
        )
        .is(EXPERTS),
        // Drafts are read by every expert (review needs it), written by their author only.
        form("case_in_curation", &[("id", &f.draft_case)])
            .is(EXPERTS)
            .and("wang.lei", OK),
        form(
            "save_case",
            &[
                ("id", &f.draft_case),
                ("content", &f.draft_content),
                ("updated_at", &stamp),
            ],
        )
        .is(EXPERTS)
        .and("wang.lei", NO),
        // Withdrawing a draft is a wrong state for its author and refused to anyone else.
        form(
            "case_transition",
            &[("id", &f.draft_case), ("step", "withdraw"), ("body", "")],
        )
        .is([IN, NO, ACT, NO, NO])
        .and("wang.lei", NO),
        form(
            "review_comment",
            &[("id", &f.draft_case), ("body", "请补充横切面")],
        )
        .is(EXPERTS),
        json("search_cases", json!({ "query": { "page": 1 } })).is(SIGNED_IN),
        form("case_workbench", &[]).is(EXPERTS),
        form("published_case", &[("id", &f.case)]).is(SIGNED_IN),
        // A draft is nobody's to read outside curation.
        form("published_case", &[("id", &f.draft_case)])
            .and("li.na", HID)
            .and("wang.lei", HID),
        form("case_versions", &[("id", &f.case)]).is(EXPERTS),
        form(
            "compare_versions",
            &[("id", &f.case), ("before", "1"), ("after", "1")],
        )
        .is(EXPERTS),
        form("unknown_case", &[("id", &f.case)]).is(SIGNED_IN),
        form("unknown_case", &[("id", &f.draft_case)]).and("li.na", HID),
        json(
            "solve_case",
            json!({ "id": f.case, "answer": { "impression": "考虑恶性", "tirads": 4 } }),
        )
        .is(TEACHING),
        json(
            "add_follow_up",
            json!({ "id": f.case, "input": { "kind": "histopathology", "day_offset": 40,
                    "malignant": true, "summary": "乳头状癌" } }),
        )
        .is(EXPERTS),
        form("awaiting_follow_up", &[]).is(EXPERTS),
        form("network_outcomes", &[]).is(SIGNED_IN),
        form("case_comments", &[("id", &f.case)]).is(SIGNED_IN),
        form("case_comments", &[("id", &f.draft_case)]).and("li.na", HID),
        form(
            "add_case_comment",
            &[("id", &f.case), ("body", "同意，边缘不规则")],
        )
        .is(TEACHING),
        form(
            "mark_answer",
            &[("comment", &f.comment), ("answer", "true")],
        )
        .is(EXPERTS),
        form("notifications", &[]).is(SIGNED_IN),
        // Zero for a visitor: the header asks on every page.
        form("unread_notifications", &[]).is(ANYONE),
        form("read_notification", &[("id", "")]).is(SIGNED_IN),
    ]
}

/// Competency: applications, rules, the logbook, review, standings, awards, dashboards.
fn competency(f: &Fixtures) -> Vec<Row> {
    let code = f.application["code"].as_str().unwrap_or("thyroid");
    let period = json!({ "from": "2020-01-01", "until": today() });
    vec![
        form("competency_applications", &[]).is(SIGNED_IN),
        json("save_application", json!({ "input": f.application })).is(COORDINATORS),
        form(
            "retire_application",
            &[("code", code), ("retired", "false")],
        )
        .is(COORDINATORS),
        form("credential_rules", &[]).is(SIGNED_IN),
        json(
            "save_credential_rule",
            json!({ "application": "thyroid", "rule": {
                "min_reviewed_scans": 25, "min_acceptable_share": 0.8, "min_agreement": 0.8,
                "required_courses": [], "required_quizzes": [], "renewal_days": null,
                "maintenance_scans": 0 } }),
        )
        .is(COORDINATORS),
        form("my_logbook", &[]).is(LEARNERS),
        // li's submitted entry: hers, every reviewer's and the coordinators'.
        form("logbook_entry", &[("id", &f.entry)])
            .is([IN, OK, OK, OK, HID])
            .and("liu.yang", HID)
            .and("wang.lei", OK),
        // li's draft: hers alone until she submits it.
        form("logbook_entry", &[("id", &f.draft_entry)])
            .and("li.na", OK)
            .and("liu.yang", HID)
            .and("chen.jing", HID),
        json(
            "save_logbook_entry",
            entry_input(&f.draft_entry, false, json!({ "answers": {} })),
        )
        .is(LEARNERS)
        .and("liu.yang", HID),
        form("logbook_clips", &[]).is(LEARNERS),
        form("logbook_upload", &[("entry", &f.draft_entry)])
            .is(LEARNERS)
            .and("liu.yang", HID),
        json("review_queue", json!({ "filter": {} })).is(EXPERTS),
        json(
            "review_scan",
            json!({ "input": { "entry": f.entry, "grade": 4, "interpretation": thyroid_reading(),
                    "verdict": "agree", "feedback": "Measure in two planes." } }),
        )
        .is(EXPERTS),
        form("my_progress", &[]).is(LEARNERS),
        form(
            "learner_standing",
            &[("learner", &f.li), ("application", "thyroid")],
        )
        .is([IN, OK, HID, OK, HID])
        .and("liu.yang", HID),
        form(
            "learning_curve",
            &[("learner", &f.li), ("application", "thyroid")],
        )
        .is([IN, OK, HID, OK, HID])
        .and("liu.yang", HID),
        form("credential_standings", &[]).is(COORDINATORS),
        // Not eligible yet: refused at the rule, by a coordinator only.
        form(
            "award_credential",
            &[("learner", &f.li), ("application", "thyroid")],
        )
        .is([IN, NO, NO, ACT, NO]),
        form("revoke_credential", &[("code", "NO-SUCH-CODE")]).is([IN, NO, NO, ACT, NO]),
        // Public: anyone holding a certificate checks it (this code names none).
        form("verify_credential", &[("code", "NO-SUCH-CODE")]).is([ACT; 5]),
        json("competency_grid", json!({ "period": period })).is(COORDINATORS),
        json(
            "quality_report",
            json!({ "period": period, "application": null }),
        )
        .is(COORDINATORS),
    ]
}

/// Courses, quizzes, the question bank and attempts.
fn courses(f: &Fixtures) -> Vec<Row> {
    vec![
        form("course_catalogue", &[]).is(SIGNED_IN),
        form("get_course", &[("id", &f.course)]).is(SIGNED_IN),
        form(
            "course_lesson",
            &[("course", &f.course), ("lesson", "read")],
        )
        .is([IN, OK, OK, OK, NO]),
        // Before anyone else enrols: only those enrolled mark a lesson done.
        form("lesson_done", &[("course", &f.course), ("lesson", "read")])
            .is([IN, OK, NO, NO, NO])
            .and("zhang.wei", NO),
        form("enrol_self", &[("id", &f.course)]).is(TEACHING),
        form("course_working_copy", &[("id", &f.course)]).is(AUTHORS),
        // zhou's course: courses have no author of their own, any course author edits,
        // publishes and withdraws any of them.
        json(
            "save_course",
            json!({ "id": f.draft_course, "content": f.course_body }),
        )
        .is(AUTHORS)
        .doubt(SHARED_COURSES),
        form("publish_course", &[("id", &f.draft_course)]).is(AUTHORS),
        form("unpublish_course", &[("id", &f.draft_course)]).is(AUTHORS),
        form("course_cohorts", &[("id", &f.course)]).is(AUTHORS),
        json(
            "create_cohort",
            json!({ "course": f.course, "cohort": { "name": "Matrix 2", "site": null,
                    "people": [f.li], "due": null } }),
        )
        .is(COORDINATORS),
        // Authors (enrolled above) may try their quizzes.
        json(
            "start_attempt",
            json!({ "quiz": f.quiz, "course": f.course, "lesson": "quiz" }),
        )
        .is(TEACHING),
        // li's attempt is hers while it is open; authors review it once submitted.
        form("get_attempt", &[("id", &f.attempt)])
            .is([IN, OK, HID, HID, HID])
            .and("liu.yang", HID),
        json(
            "save_answer",
            json!({ "attempt": f.attempt, "slot": 0, "answer": { "choice": 1 } }),
        )
        .is([IN, OK, HID, HID, HID])
        .and("liu.yang", HID),
        form("submit_attempt", &[("id", &f.attempt)])
            .is([IN, OK, HID, HID, HID])
            .and("liu.yang", HID),
        form("attempt_review", &[("id", &f.attempt)])
            .is([IN, OK, OK, OK, HID])
            .and("liu.yang", HID),
        form("question_bank", &[]).is(AUTHORS),
        form("teaching_clips", &[]).is(AUTHORS),
        // chen's question: every question writer reads it, only chen changes it.
        form("question_for_editor", &[("id", &f.question)])
            .is(EXPERTS)
            .and("wang.lei", OK),
        json(
            "save_question",
            json!({ "id": f.question, "question": f.question_body }),
        )
        .is(EXPERTS)
        .and("wang.lei", NO),
        form("quiz_list", &[]).is(AUTHORS),
        form("quiz_for_editor", &[("id", &f.quiz)]).is(AUTHORS),
        // chen's quiz.
        json("save_quiz", json!({ "id": f.quiz, "quiz": f.quiz_body }))
            .is(AUTHORS)
            .and("wang.lei", OK)
            .doubt(SHARED_COURSES),
        form(
            "get_quiz_report",
            &[("id", &f.quiz), ("first_only", "false")],
        )
        .is(AUTHORS),
    ]
}

/// Live guidance sessions: chen guides li; liu.yang and wang.lei are in none of them.
fn guidance(f: &Fixtures) -> Vec<Row> {
    vec![
        form("guidance_sessions", &[]).is(SIGNED_IN),
        form("guidance_session", &[("id", &f.live_session)])
            .is([IN, OK, OK, HID, OK])
            .and("liu.yang", HID)
            .and("wang.lei", HID),
        form("guidance_clips", &[]).is([IN, OK, OK, NO, NO]),
        form("guidance_learners", &[]).is(EXPERTS),
        form("start_guidance", &[("sop_uid", &f.sop), ("learner", &f.li)]).is(EXPERTS),
        form("request_guidance", &[("sop_uid", &f.sop), ("note", "矩阵")]).is(LEARNERS),
        form("take_guidance", &[("id", &f.request)]).is(EXPERTS),
        // Only the invited learner answers; the guide may not answer for her.
        form(
            "answer_guidance",
            &[("id", &f.live_session), ("accept", "true")],
        )
        .is([IN, OK, NO, HID, NO])
        .and("liu.yang", HID),
        form(
            "set_guided_control",
            &[("id", &f.live_session), ("allowed", "true")],
        )
        .is([IN, NO, OK, NO, NO])
        .and("wang.lei", HID),
        form("end_guidance", &[("id", &f.ending_session)])
            .is(EXPERTS)
            .and("wang.lei", HID),
        form(
            "attach_session_voice",
            &[
                ("session_id", &f.ended_session),
                ("media", &f.voice),
                ("offset_ms", "0"),
            ],
        )
        .is([IN, ACT, OK, HID, NO])
        .and("liu.yang", HID),
    ]
}

/// Guidance replays and their review.
fn replays(f: &Fixtures) -> Vec<Row> {
    vec![
        form("replay_list", &[]).is(TEACHING),
        form("case_replays", &[("case_id", &f.case)]).is(TEACHING),
        form("get_replay", &[("id", &f.replay)]).is(TEACHING),
        // A draft: experts only.
        form("get_replay", &[("id", &f.draft_replay)])
            .and("li.na", HID)
            .and("zhou.min", HID)
            .and("wang.lei", OK),
        json("save_replay", f.draft_replay_body.clone()).is(EXPERTS),
        // Publishing one's own draft is not allowed (and it is not in review): a wrong state.
        form(
            "replay_transition",
            &[("id", &f.draft_replay), ("action", "publish")],
        )
        .is([IN, NO, ACT, NO, NO]),
        form("discard_replay", &[("id", &f.doomed_replay)]).is(EXPERTS),
        form("replay_comments", &[("id", &f.replay)]).is(TEACHING),
        form(
            "add_replay_comment",
            &[("id", &f.replay), ("t_ms", "200"), ("body", "看这里")],
        )
        .is(TEACHING),
    ]
}
