//! The demo emergency-ultrasound courses: teaching clips rendered by the phantom simulator and
//! published as cases, a question bank whose keys come from the phantom's ground truth, one
//! course in Chinese and one in English (eFAST, lung, basic cardiac, AAA, DVT), cohorts of
//! the community centres, and simulated learners who work through them, so that progress
//! pages and the item analysis have a month of realistic work to show.
//!
//! The words are data, `server/demo/courses/*.toml` (read and checked by [`data`]); this module
//! plays them through the domain API after the demo case library is seeded.
pub(crate) mod answers;
mod bank;
mod clips;
mod data;
mod learners;
#[cfg(test)]
mod tests;

use anyhow::{Context, Result};
use cine::synth::{Scene, SynthOptions};
use domain::blobs::Blobs;
use domain::imports::Importer;
use domain::quizzes;
use domain::{Db, courses, users};
use model::courses::{CourseContent, Lesson, LessonBody, Module};
use model::quiz::{QuizInput, QuizPick, QuizSettings};
use model::{CaseId, CurrentUser};
use std::collections::HashMap;

use data::{CourseEntry, DemoCourses};
use learners::{Asked, Built, BuiltModule};

/// The two demo experts: a teaching case's reviewer is the one who did not write it.
const EXPERTS: [&str; 2] = ["chen.jing", "wang.lei"];

fn reviewer_of(author: &str) -> &'static str {
    if author == EXPERTS[0] {
        EXPERTS[1]
    } else {
        EXPERTS[0]
    }
}

/// The teaching clips' scenes and how each is synthesised (the tests recompute the truth).
pub fn teaching_clips() -> Vec<(Scene, SynthOptions)> {
    data::load()
        .map(|d| {
            d.clips
                .iter()
                .map(|c| (c.scene, clips::options(c)))
                .collect()
        })
        .unwrap_or_default()
}

/// How many simulated learners the seed makes.
pub fn simulated_learners() -> usize {
    data::load().map_or(0, |d| d.learners.names.len())
}

/// Seeds the courses once the demo case library is seeded; run at the end of its job. Does
/// nothing when any course exists, so restarts and real use are left alone.
pub async fn seed(db: &Db, importer: &Importer) {
    let started = std::time::Instant::now();
    match run(db, importer).await {
        Ok(None) => {}
        Ok(Some(counts)) => tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            learners = counts.learners,
            cohorts = counts.cohorts,
            attempts = counts.attempts,
            completed = counts.completed,
            "demo courses seeded"
        ),
        Err(e) => tracing::warn!(error = format!("{e:#}"), "the demo courses were not seeded"),
    }
}

async fn run(db: &Db, importer: &Importer) -> Result<Option<learners::Simulated>> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM courses")
        .fetch_one(&db.pool)
        .await?;
    if n > 0 {
        return Ok(None);
    }
    let data = data::load()?;
    let people = people(db).await?;
    let published = clips::publish_all(db, importer, &people, &data.clips).await?;
    let mut built = Vec::new();
    for course in &data.courses {
        built.push(build(db, importer.blobs(), &people, &data, course, &published).await?);
    }
    Ok(Some(learners::simulate(db, &people, &data, &built).await?))
}

/// The demo accounts as signed-in users, by username.
async fn people(db: &Db) -> Result<HashMap<&'static str, CurrentUser>> {
    let mut people = HashMap::new();
    for (username, ..) in crate::seed::DEMO_ACCOUNTS {
        let credentials = users::credentials(db, username)
            .await?
            .with_context(|| format!("the demo account {username} is missing"))?;
        let user = users::current(db, &credentials.id)
            .await?
            .with_context(|| format!("the demo account {username} is inactive"))?;
        people.insert(username, user);
    }
    Ok(people)
}

/// The first published library case of `application` that is not a teaching clip's.
async fn library_case(
    db: &Db,
    application: &str,
    published: &HashMap<Scene, clips::Published>,
) -> Result<Option<CaseId>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM cases WHERE application = $1 AND published_version IS NOT NULL \
         AND status <> 'retired' ORDER BY created_at, id",
    )
    .bind(application)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id,)| id)
        .find(|id| published.values().all(|p| &p.case_id != id))
        .map(CaseId))
}

/// Writes one course's questions and quizzes, then the course, and publishes it.
async fn build(
    db: &Db,
    blobs: &Blobs,
    people: &HashMap<&'static str, CurrentUser>,
    data: &DemoCourses,
    course: &CourseEntry,
    published: &HashMap<Scene, clips::Published>,
) -> Result<Built> {
    let author = people
        .get(course.author.as_str())
        .with_context(|| format!("no demo account {}", course.author))?;
    let mut modules = Vec::new();
    let mut built = Vec::new();
    for module in &course.module {
        let at = |what: &str| format!("{}, module {}: {what}", course.title, module.key);
        let mut asked = Vec::new();
        let mut picks = Vec::new();
        for key in &module.quiz.questions {
            let entry = data.question(key).context("checked by data::load")?;
            let clip = match entry.clip {
                Some(scene) => Some(published.get(&scene).context("a teaching clip")?),
                None => None,
            };
            let input = bank::input(
                entry,
                course.language,
                clip.map(|c| (&c.truth, c.sop_uid.as_str())),
            )
            .with_context(|| at(key))?;
            let id = quizzes::save_question(db, blobs, author, None, input.clone())
                .await
                .with_context(|| at(key))?;
            picks.push(QuizPick::Fixed { question: id });
            asked.push(Asked {
                entry: entry.clone(),
                input,
                truth: clip.map(|c| c.truth.clone()),
            });
        }
        let quiz = &module.quiz;
        let settings = QuizSettings {
            attempts_allowed: Some(quiz.attempts),
            grading: quiz.grading,
            time_limit_secs: quiz.time_limit_secs,
            shuffle_questions: false,
            shuffle_options: true,
            pass_mark: quiz.pass_mark,
            ..QuizSettings::default()
        };
        let quiz_id = quizzes::save_quiz(
            db,
            author,
            None,
            QuizInput {
                title: format!("{} · {}", module.title, quiz.title),
                picks,
                settings,
            },
        )
        .await
        .with_context(|| at("quiz"))?;
        let clip = published
            .get(&module.clip.scene)
            .context("a teaching clip")?;
        let case_id = match library_case(db, &module.application, published).await? {
            Some(id) => id,
            // Without the library (a seed cut short), the module's teaching case stands in.
            None => CaseId(clip.case_id.clone()),
        };
        let key = |kind: &str| format!("{}-{kind}", module.key);
        let lessons = vec![
            Lesson {
                key: key("reading"),
                title: module.reading.title.clone(),
                required: true,
                body: LessonBody::Reading {
                    markdown: module.reading.markdown.clone(),
                },
            },
            Lesson {
                key: key("clip"),
                title: module.clip.title.clone(),
                required: true,
                body: LessonBody::Clip {
                    sop_uid: clip.sop_uid.clone(),
                    annotations: bank::annotations(
                        &clip.truth,
                        &module.clip.structure,
                        &module.clip.label,
                    )?,
                    narration: module.clip.narration.clone(),
                },
            },
            Lesson {
                key: key("case"),
                title: module.case.title.clone(),
                required: true,
                body: LessonBody::Case {
                    case_id,
                    unknown: module.case.unknown,
                },
            },
            Lesson {
                key: key("quiz"),
                title: quiz.title.clone(),
                required: true,
                body: LessonBody::Quiz {
                    quiz_id: quiz_id.clone(),
                },
            },
        ];
        built.push(BuiltModule {
            lessons: lessons[..3].iter().map(|l| l.key.clone()).collect(),
            quiz: quiz_id,
            quiz_lesson: key("quiz"),
            attempts: quiz.attempts,
            pass_mark: quiz.pass_mark,
            questions: asked,
        });
        modules.push(Module {
            key: module.key.clone(),
            title: module.title.clone(),
            prerequisites: module.prerequisites.clone(),
            lessons,
        });
    }
    let content = CourseContent {
        title: course.title.clone(),
        summary: course.summary.clone(),
        application: None,
        self_enrol: course.self_enrol,
        modules,
    };
    let id = courses::create(db, author, content).await?;
    courses::publish(db, author, &id)
        .await
        .with_context(|| format!("publishing {}", course.title))?;
    Ok(Built {
        id,
        language: course.language,
        modules: built,
    })
}
