//! The demo emergency-ultrasound courses as `serve --demo` leaves them: two published courses
//! of five modules, an eFAST quiz asking every kind of question, li.na enrolled with nothing
//! done, an item analysis with the shapes a real cohort gives (one trap question included),
//! and question keys that are right by construction against the phantom's ground truth.

use crate::common::TestApp;
use cine::synth::{Outline, PhantomTruth, Scene, phantom_truth};
use domain::{Db, courses, quizzes, users};
use model::courses::{CourseContent, LessonBody};
use model::quiz::{Answer, FrameTarget, ItemFlag, QuestionInput, QuestionKind, score};
use model::{CourseId, QuizId};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.unwrap();
    n
}

/// The published courses, by title.
async fn published(db: &Db) -> HashMap<String, (CourseId, CourseContent)> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM courses WHERE published_version IS NOT NULL")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let mut out = HashMap::new();
    for (id,) in rows {
        let id = CourseId(id);
        let content = courses::working_copy(db, &id).await.unwrap();
        out.insert(content.title.clone(), (id, content));
    }
    out
}

fn quiz_of(content: &CourseContent, module: &str) -> QuizId {
    let module = content.modules.iter().find(|m| m.key == module).unwrap();
    module
        .lessons
        .iter()
        .find_map(|l| match &l.body {
            LessonBody::Quiz { quiz_id } => Some(quiz_id.clone()),
            _ => None,
        })
        .unwrap()
}

async fn questions(db: &Db, quiz: &QuizId) -> Vec<QuestionInput> {
    let quiz = quizzes::quiz(db, quiz).await.unwrap().unwrap();
    let mut out = Vec::new();
    for pick in quiz.picks {
        let model::quiz::QuizPick::Fixed { question } = pick else {
            panic!("a random pick in a demo quiz");
        };
        out.push(quizzes::question(db, &question).await.unwrap().unwrap());
    }
    out
}

fn truth(scene: Scene) -> PhantomTruth {
    let (_, options) = server::demo_courses::teaching_clips()
        .into_iter()
        .find(|(s, _)| *s == scene)
        .unwrap();
    phantom_truth(&options, scene).unwrap()
}

fn click(kind: &QuestionKind, x: f64, y: f64, frame: u32) -> f64 {
    score(kind, &Answer::Click { x, y, frame })
        .unwrap()
        .fraction
}

#[tokio::test]
async fn demo_mode_seeds_emergency_courses_with_a_month_of_learners() {
    let began = Instant::now();
    let app = TestApp::with(|c| {
        c.demo = true;
        c.demo_clips = true;
    })
    .await;
    let db = &app.started.state.db;

    // The seed is done when its last step, dating the learners' work weeks back, has run.
    // Generous: in `make test` every other suite runs beside it on two cores.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut library_done = None;
    loop {
        if library_done.is_none()
            && count(db, "SELECT COUNT(*) FROM cases").await >= server::demo_cases::size() as i64
        {
            library_done = Some(began.elapsed());
        }
        let attempts = count(db, "SELECT COUNT(*) FROM quiz_attempts").await;
        let recent = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM quiz_attempts WHERE started_at > {}",
                domain::now() - 3600
            ),
        )
        .await;
        if attempts >= 30 && recent == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the demo courses were not seeded in time ({attempts} attempts)"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "case library seeded after {library_done:?}, courses after {:?}",
        began.elapsed()
    );

    // The demo replays, seeded after the courses: three published for learners, in Chinese
    // and English, one from a live session with both voices.
    let deadline = Instant::now() + Duration::from_secs(120);
    while count(
        db,
        "SELECT COUNT(*) FROM replays WHERE status = 'published'",
    )
    .await
        < 3
    {
        assert!(
            Instant::now() < deadline,
            "the demo replays were not seeded in time"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let li_na = users::credentials(db, "li.na").await.unwrap().unwrap();
    let li_na = users::current(db, &li_na.id).await.unwrap().unwrap();
    let replays = domain::replays::list(db, &li_na).await.unwrap();
    assert_eq!(replays.len(), 3, "{replays:?}");
    let languages: BTreeSet<&str> = replays.iter().map(|r| r.language.as_str()).collect();
    assert_eq!(languages, BTreeSet::from(["en", "zh"]));
    let session = replays
        .iter()
        .find(|r| r.from_session)
        .expect("a live-session replay");
    assert_eq!(session.voices, 2);
    for r in &replays {
        assert!(r.chapters >= 3 && r.case_id.is_some(), "{r:?}");
        let view = domain::replays::view(db, &li_na, &r.id).await.unwrap();
        assert!(view.timeline.drawing_times().len() >= 2, "{}", r.title);
    }

    // Both courses published, five modules each, every lesson kind but replay.
    let courses = published(db).await;
    assert_eq!(courses.len(), 2, "{:?}", courses.keys());
    let (zh, zh_content) = &courses["急诊超声基础"];
    let (_, en_content) = &courses["Emergency ultrasound essentials"];
    for content in [zh_content, en_content] {
        assert_eq!(content.modules.len(), 5, "{}", content.title);
        let kinds: BTreeSet<&str> = content
            .modules
            .iter()
            .flat_map(|m| &m.lessons)
            .map(|l| l.body.kind())
            .collect();
        assert_eq!(
            kinds,
            BTreeSet::from(["case", "clip", "quiz", "reading"]),
            "{}",
            content.title
        );
        assert!(
            content.modules[1..]
                .iter()
                .all(|m| m.prerequisites == ["efast"])
        );
    }
    assert!(en_content.self_enrol);

    // The eFAST quiz asks all seven kinds.
    let efast = quiz_of(zh_content, "efast");
    let asked = questions(db, &efast).await;
    let kinds: BTreeSet<&str> = asked
        .iter()
        .map(|q| model::quiz::kind_name(&q.kind))
        .collect();
    assert_eq!(kinds.len(), 7, "{kinds:?}");

    // li.na is enrolled through her centre's cohort and has done nothing.
    let li_na = users::credentials(db, "li.na").await.unwrap().unwrap();
    let li_na = users::current(db, &li_na.id).await.unwrap().unwrap();
    let overview = courses::overview(db, &li_na, zh).await.unwrap();
    assert!(overview.enrolled);
    assert!(overview.due.is_some(), "a cohort's due date");
    assert_eq!(overview.progress.required_done, 0);
    let tried = count(
        db,
        &format!(
            "SELECT COUNT(*) FROM quiz_attempts WHERE user_id = '{}'",
            li_na.id.0
        ),
    )
    .await;
    assert_eq!(tried, 0);
    // (Read from the tables: `domain::courses::cohorts` asks for a column sites does not have.)
    let in_course = |what: &str| format!("SELECT COUNT(*) FROM {what} AND course_id = '{}'", zh.0);
    let cohorts = count(db, &in_course("cohorts WHERE due_date IS NOT NULL")).await;
    assert!(cohorts >= 2, "{cohorts} cohorts");
    let completed = count(db, &in_course("enrolments WHERE completed_at IS NOT NULL")).await;
    let enrolled = count(db, &in_course("enrolments WHERE 1 = 1")).await;
    println!(
        "{enrolled} enrolled in {cohorts} cohorts, {completed} completed; {} questions, {} \
         quizzes, {} finished attempts, {} learners",
        count(db, "SELECT COUNT(*) FROM questions").await,
        count(db, "SELECT COUNT(*) FROM quizzes").await,
        count(
            db,
            "SELECT COUNT(*) FROM quiz_attempts WHERE finished_at IS NOT NULL"
        )
        .await,
        count(db, "SELECT COUNT(*) FROM users WHERE username LIKE 'sim.%'").await,
    );
    assert!(completed > 0 && completed < enrolled);

    // The item analysis has a cohort's shapes.
    let report = quizzes::report(db, &efast, true).await.unwrap();
    println!(
        "{} — {} first attempts, alpha {:?}",
        report.title, report.quiz.attempts, report.quiz.alpha
    );
    println!(
        "{:<4} {:<16} {:>9} {:>9} {:>9}  flags",
        "#", "kind", "facility", "disc.idx", "disc.eff"
    );
    let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    for item in &report.items {
        let s = &item.statistics;
        println!(
            "{:<4} {:<16} {:>9} {:>9} {:>9}  {:?}",
            item.place,
            item.kind,
            show(s.facility),
            show(s.discrimination_index),
            show(s.discriminative_efficiency),
            s.flags
        );
    }
    assert!(report.quiz.attempts >= 30, "{}", report.quiz.attempts);
    assert!(
        report.items.iter().any(|i| i
            .statistics
            .flags
            .contains(&ItemFlag::NegativeDiscrimination)),
        "no trap question"
    );
    let positive = report
        .items
        .iter()
        .filter(|i| i.statistics.discrimination_index.is_some_and(|d| d > 0.0))
        .count();
    assert!(positive >= 5, "{positive} items discriminate positively");
    let facilities: Vec<f64> = report
        .items
        .iter()
        .filter_map(|i| i.statistics.facility)
        .collect();
    let (low, high) = facilities
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), f| (l.min(*f), h.max(*f)));
    assert!(high - low > 20.0, "facilities {facilities:?}");

    // Hotspot keys are right by construction: the structure's centre on one of its frames
    // scores, a click 10 px outside its outline does not.
    let morison = truth(Scene::MorisonFluid);
    let fluid = asked
        .iter()
        .find(|q| matches!(q.kind, QuestionKind::Hotspot { .. }))
        .unwrap();
    let first = morison.facts.fluid_first_frame.unwrap();
    for frame in [first, morison.frames - 1] {
        let Some(Outline::Polygon { points }) = morison.outline("free_fluid", frame) else {
            panic!("the fluid outline");
        };
        // The crescent's centre: halfway across the stripe at the middle of its arc.
        let n = points.len();
        let (outer, inner) = (points[n / 4], points[n - 1 - n / 4]);
        let centre = ((outer[0] + inner[0]) / 2.0, (outer[1] + inner[1]) / 2.0);
        assert_eq!(
            click(&fluid.kind, centre.0, centre.1, frame),
            1.0,
            "frame {frame}"
        );
        // Ten pixels beyond the stripe's outer edge, away from the kidney.
        let (dx, dy) = (outer[0] - inner[0], outer[1] - inner[1]);
        let len = dx.hypot(dy);
        let out = (outer[0] + dx / len * 10.0, outer[1] + dy / len * 10.0);
        assert_eq!(
            click(&fluid.kind, out.0, out.1, frame),
            0.0,
            "frame {frame}"
        );
    }
    if first > 0 {
        let middle = morison.outline("free_fluid", morison.frames - 1).unwrap();
        let Outline::Polygon { points } = middle else {
            unreachable!()
        };
        let n = points.len();
        let (outer, inner) = (points[n / 4], points[n - 1 - n / 4]);
        let centre = ((outer[0] + inner[0]) / 2.0, (outer[1] + inner[1]) / 2.0);
        assert_eq!(
            click(&fluid.kind, centre.0, centre.1, 0),
            0.0,
            "no fluid yet"
        );
    }
    let aorta_truth = truth(Scene::Aorta);
    let aaa = questions(db, &quiz_of(zh_content, "aaa")).await;
    let aorta = aaa
        .iter()
        .find(|q| matches!(q.kind, QuestionKind::Hotspot { .. }))
        .unwrap();
    for frame in 0..aorta_truth.frames {
        let Some(Outline::Ellipse { cx, cy, rx, .. }) = aorta_truth.outline("aorta", frame) else {
            panic!("the aorta outline");
        };
        assert_eq!(click(&aorta.kind, *cx, *cy, frame), 1.0);
        assert_eq!(click(&aorta.kind, cx + rx + 10.0, *cy, frame), 0.0);
    }
    // The measurement expects the truth's diameter.
    let measured = aaa
        .iter()
        .find(|q| matches!(q.kind, QuestionKind::Measurement { .. }))
        .unwrap();
    let diameter = aorta_truth.facts.aorta_diameter_mm.unwrap();
    assert_eq!(
        score(&measured.kind, &Answer::Measured { mm: diameter })
            .unwrap()
            .fraction,
        1.0
    );

    // The frame-selection answers from the truth score.
    let frame_question = asked
        .iter()
        .find(|q| matches!(q.kind, QuestionKind::FrameSelection { .. }))
        .unwrap();
    assert_eq!(
        score(&frame_question.kind, &Answer::Frame(first))
            .unwrap()
            .fraction,
        1.0
    );
    let dvt = questions(db, &quiz_of(zh_content, "dvt")).await;
    let run = truth(Scene::VeinCompressible)
        .facts
        .fully_compressed_frames
        .unwrap();
    let range = dvt
        .iter()
        .find(|q| {
            matches!(
                q.kind,
                QuestionKind::FrameSelection {
                    target: FrameTarget::Range { .. },
                    ..
                }
            )
        })
        .unwrap();
    let answer = Answer::FrameRange {
        start: run.first,
        end: run.last,
    };
    assert_eq!(score(&range.kind, &answer).unwrap().fraction, 1.0);
    println!("test done after {:?}", began.elapsed());
}
