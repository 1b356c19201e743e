//! The matrix's rows for what is not a server function: pages, files and uploads, DICOMweb.
// The row builders, the answer codes and the fixtures, as the server function rows use them.
use super::*;

/// Every page; a page's own data is checked by the rows of its server functions.
pub(super) fn pages(f: &Fixtures) -> Vec<Row> {
    const GUIDES: [Expect; 5] = [IN, OK, OK, NO, OK];
    const LEARNER_PAGE: [Expect; 5] = [IN, OK, NO, OK, NO];
    vec![
        page("/", "/").is(SIGNED_IN),
        // Signed in, the sign-in page sends one on (303 home).
        page("/login", "/login").is([OK, ACT, ACT, ACT, ACT]),
        page("/profile", "/profile").is(SIGNED_IN),
        page("/viewer", "/viewer").is(SIGNED_IN),
        page("/people", "/people").is(NETWORK),
        page("/admin", "/admin").is(ADMINS),
        page("/admin/sites", "/admin/sites").is(ADMINS),
        page("/admin/audit", "/admin/audit").is(ADMINS),
        page("/admin/archive", "/admin/archive").is(ADMINS),
        page("/admin/device-masks", "/admin/device-masks").is(ADMINS),
        page("/admin/dicomweb-tokens", "/admin/dicomweb-tokens").is(ADMINS),
        page("/studies", "/studies").is(EXPERTS),
        page("/studies/{uid}", format!("/studies/{}", f.study)).is(EXPERTS),
        page("/quarantine", "/quarantine").is(EXPERTS),
        page("/cases", "/cases").is(TEACHING),
        page("/cases/work", "/cases/work").is(EXPERTS),
        page("/cases/follow-ups", "/cases/follow-ups").is(EXPERTS),
        page("/cases/outcomes", "/cases/outcomes").is(TEACHING),
        page("/cases/{id}", format!("/cases/{}", f.case)).is(TEACHING),
        page("/cases/{id}/edit", format!("/cases/{}/edit", f.draft_case)).is(EXPERTS),
        page("/cases/{id}/solve", format!("/cases/{}/solve", f.case)).is(TEACHING),
        page(
            "/cases/{id}/versions",
            format!("/cases/{}/versions", f.case),
        )
        .is(EXPERTS),
        page("/notifications", "/notifications").is(SIGNED_IN),
        page("/quizzes", "/quizzes").is(AUTHORS),
        page(
            "/quizzes/{id}/analysis",
            format!("/quizzes/{}/analysis", f.quiz),
        )
        .is(AUTHORS),
        page("/quizzes/{id}/edit", format!("/quizzes/{}/edit", f.quiz)).is(AUTHORS),
        page("/questions", "/questions").is(AUTHORS),
        page(
            "/questions/{id}/edit",
            format!("/questions/{}/edit", f.question),
        )
        .is(EXPERTS),
        page("/courses", "/courses").is(TEACHING),
        page("/courses/{id}", format!("/courses/{}", f.course)).is(TEACHING),
        page("/courses/{id}/edit", format!("/courses/{}/edit", f.course)).is(AUTHORS),
        page(
            "/courses/{id}/lessons/{lesson}",
            format!("/courses/{}/lessons/read", f.course),
        )
        .is(TEACHING),
        page("/attempts/{id}", format!("/attempts/{}", f.attempt)).is([IN, OK, HID, HID, NO]),
        page(
            "/attempts/{id}/review",
            format!("/attempts/{}/review", f.attempt),
        )
        .is(TEACHING),
        page("/replays", "/replays").is(TEACHING),
        page("/replays/new", "/replays/new").is(EXPERTS),
        page("/replays/{id}", format!("/replays/{}", f.replay)).is(TEACHING),
        page(
            "/replays/{id}/edit",
            format!("/replays/{}/edit", f.draft_replay),
        )
        .is(EXPERTS),
        page("/guidance", "/guidance").is(GUIDES),
        page("/guidance/{id}", format!("/guidance/{}", f.live_session)).is([IN, OK, OK, NO, OK]),
        page("/logbook", "/logbook").is(LEARNERS),
        page("/logbook/new", "/logbook/new").is(LEARNERS),
        page("/logbook/{id}", format!("/logbook/{}", f.entry)).is(TEACHING),
        page(
            "/logbook/{id}/edit",
            format!("/logbook/{}/edit", f.draft_entry),
        )
        .is(LEARNERS),
        page("/review", "/review").is(EXPERTS),
        page("/competency", "/competency").is(TEACHING),
        page("/competency/quality", "/competency/quality").is(COORDINATORS),
        page("/competency/rules", "/competency/rules").is(COORDINATORS),
        page("/competency/applications", "/competency/applications").is(COORDINATORS),
        page(
            "/competency/learners/{learner}/{application}",
            format!("/competency/learners/{}/thyroid", f.li),
        )
        .is(LEARNER_PAGE),
        page("/certificates/{code}", "/certificates/NO-SUCH-CODE").is([IN, ACT, ACT, ACT, ACT]),
        // Public: whoever holds a certificate checks it.
        page("/verify", "/verify").is([OK; 5]),
        page("/verify/{code}", "/verify/NO-SUCH-CODE").is([ACT; 5]),
    ]
}

/// Files and uploads outside the server functions.
pub(super) fn files(f: &Fixtures) -> Vec<Row> {
    let not_dicom = b"not a DICOM file".as_slice();
    vec![
        get("/healthz", "/healthz").is(ANYONE),
        get("/healthz/live", "/healthz/live").is(ANYONE),
        get("/healthz/ready", "/healthz/ready").is(ANYONE),
        // A published case's clip: whoever reads the library.
        get("/dicom/{sha}", format!("/dicom/{}", f.blob)).is(SIGNED_IN),
        // li's logbook clip: hers, the curators' and the coordinators'.
        get("/dicom/{sha}", format!("/dicom/{}", f.logbook_blob))
            .and("li.na", OK)
            .and("liu.yang", HID)
            .and("chen.jing", OK)
            .and("zhou.min", OK)
            .and("admin", HID),
        get("/held/{item}", format!("/held/{NOBODY}")).is([IN, NO, ACT, NO, NO]),
        // chen's open upload: a learner's role may upload (to her own logbook jobs) but not
        // into his; nor may another expert.
        post(
            "/upload/{job}",
            format!("/upload/{}", f.open_job),
            not_dicom,
        )
        .is([IN, HID, OK, NO, NO])
        .and("wang.lei", HID),
        post("/replays/media", "/replays/media", not_dicom).is([IN, NO, ACT, NO, NO]),
        post("/replays/import", "/replays/import", not_dicom).is([IN, NO, ACT, NO, NO]),
        get(
            "/replays/{id}/media/{sha}",
            format!("/replays/{}/media/{}", f.replay, f.voice),
        )
        .is(TEACHING),
        get(
            "/replays/{id}/media/{sha}",
            format!("/replays/{}/media/{}", f.draft_replay, f.voice),
        )
        .and("li.na", HID)
        .and("wang.lei", OK),
        get(
            "/replays/{id}/package",
            format!("/replays/{}/package", f.replay),
        )
        .is(TEACHING),
        get(
            "/replays/{id}/package",
            format!("/replays/{}/package", f.draft_replay),
        )
        .and("li.na", HID)
        .and("wang.lei", OK),
        // Without an upgrade the socket is refused as a bad request, after who may join.
        get(
            "/guidance/{id}/ws",
            format!("/guidance/{}/ws", f.live_session),
        )
        .is([IN, ACT, ACT, HID, ACT])
        .and("liu.yang", HID)
        .and("wang.lei", HID),
        post(
            "/guidance/{id}/voice",
            format!("/guidance/{}/voice", f.ended_session),
            not_dicom,
        )
        .is([IN, ACT, ACT, HID, NO])
        .and("liu.yang", HID),
        get("/pkg/{*file}", "/pkg/sonohub.js").is([ACT; 5]),
        get("/demo-clips/{*file}", "/demo-clips/none.dcm")
            .is([Expect::SentToSignIn, ACT, ACT, ACT, ACT])
            .doubt(
                "a signed-out fetch of a demo clip is redirected to the sign-in page \
                 instead of answering 401 as the other file routes do",
            ),
    ]
}

/// DICOMweb: experts' sessions (and tokens) only.
pub(super) fn dicomweb(f: &Fixtures) -> Vec<Row> {
    let study = format!("/dicom-web/studies/{}", f.study);
    let series = format!("{study}/series/{}", f.series);
    let instance = format!("{series}/instances/{}", f.sop);
    let frames = format!("{instance}/frames/1");
    let routes: Vec<(&str, String)> = vec![
        (
            "/dicom-web",
            format!(
                "/dicom-web?requestType=WADO&studyUID={}&seriesUID={}&objectUID={}",
                f.study, f.series, f.sop
            ),
        ),
        ("/dicom-web/studies", "/dicom-web/studies".into()),
        ("/dicom-web/series", "/dicom-web/series".into()),
        ("/dicom-web/instances", "/dicom-web/instances".into()),
        ("/dicom-web/studies/{study}", study.clone()),
        (
            "/dicom-web/studies/{study}/metadata",
            format!("{study}/metadata"),
        ),
        (
            "/dicom-web/studies/{study}/rendered",
            format!("{study}/rendered"),
        ),
        (
            "/dicom-web/studies/{study}/thumbnail",
            format!("{study}/thumbnail"),
        ),
        (
            "/dicom-web/studies/{study}/series",
            format!("{study}/series"),
        ),
        (
            "/dicom-web/studies/{study}/instances",
            format!("{study}/instances"),
        ),
        ("/dicom-web/studies/{study}/series/{series}", series.clone()),
        (
            "/dicom-web/studies/{study}/series/{series}/metadata",
            format!("{series}/metadata"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/rendered",
            format!("{series}/rendered"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/thumbnail",
            format!("{series}/thumbnail"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances",
            format!("{series}/instances"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances/{instance}",
            instance.clone(),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances/{instance}/metadata",
            format!("{instance}/metadata"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances/{instance}/rendered",
            format!("{instance}/rendered"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances/{instance}/thumbnail",
            format!("{instance}/thumbnail"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances/{instance}/bulkdata/{tag}",
            format!("{instance}/bulkdata/00100010"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances/{instance}/frames/{frames}",
            frames.clone(),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances/{instance}/frames/{frames}/rendered",
            format!("{frames}/rendered"),
        ),
        (
            "/dicom-web/studies/{study}/series/{series}/instances/{instance}/frames/{frames}/thumbnail",
            format!("{frames}/thumbnail"),
        ),
    ];
    routes
        .into_iter()
        .map(|(route, path)| {
            // The synthetic clip has no bulk data: that one is a 404 of the route itself.
            let expert = if route.ends_with("{tag}") { ACT } else { OK };
            get(route, path).is([IN, NO, expert, NO, NO])
        })
        .collect()
}
