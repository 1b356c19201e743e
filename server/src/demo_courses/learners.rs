//! The simulated learners: accounts at the community centres, enrolled by the coordinator's
//! cohorts, working through the Chinese course (some also through the English one) with the
//! same calls a person's clicks make, and then moved back in time over the past weeks so
//! the progress pages and item analysis look like a cohort that has been at it for a month.
use super::answers::{self, Rng};
use super::data::{DemoCourses, Language, QuestionEntry};
use anyhow::{Context, Result};
use cine::synth::PhantomTruth;
use domain::courses;
use domain::quizzes::attempts;
use domain::{Db, auth, now, sites, users};
use model::courses::CohortInput;
use model::quiz::QuestionInput;
use model::{CohortId, CourseId, CurrentUser, QuizId, Role, SiteKind, UserId};
use std::collections::HashMap;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
/// The cohorts were formed this long ago.
const COHORTS_AGO: i64 = 35 * DAY;
/// Nothing is dated later than this before the real now.
const LATEST: i64 = 2 * HOUR;

/// A published course as the seed made it.
pub(crate) struct Built {
    pub id: CourseId,
    pub language: Language,
    pub modules: Vec<BuiltModule>,
}

pub(crate) struct BuiltModule {
    /// Keys of the lessons done by reading or watching (reading, clip, case), in order.
    pub lessons: Vec<String>,
    pub quiz: QuizId,
    pub quiz_lesson: String,
    pub attempts: u32,
    pub pass_mark: f64,
    pub questions: Vec<Asked>,
}

/// A quiz question with what the simulation needs to answer it.
pub(crate) struct Asked {
    pub entry: QuestionEntry,
    pub input: QuestionInput,
    pub truth: Option<PhantomTruth>,
}

/// What the simulation made.
#[derive(Debug, Default)]
pub(crate) struct Simulated {
    pub learners: usize,
    pub cohorts: usize,
    pub attempts: usize,
    pub completed: usize,
}

/// A timestamp to set once everything is made.
enum Stamp {
    Cohort {
        id: CohortId,
        at: i64,
    },
    Enrolled {
        course: CourseId,
        user: UserId,
        at: i64,
    },
    Lesson {
        course: CourseId,
        user: UserId,
        key: String,
        at: i64,
    },
    Attempt {
        id: model::AttemptId,
        started: i64,
        finished: i64,
    },
}

/// `YYYY-MM-DD` of a Unix time (UTC).
fn date(at: i64) -> String {
    let d = time::OffsetDateTime::from_unix_timestamp(at)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The short name of a community centre: 东湖 of 东湖街道社区卫生服务中心.
fn short(name_zh: &str) -> &str {
    name_zh.split("街道").next().unwrap_or(name_zh)
}

/// Creates the learners, the cohorts and the course work, then dates it all.
pub(crate) async fn simulate(
    db: &Db,
    people: &HashMap<&'static str, CurrentUser>,
    data: &DemoCourses,
    built: &[Built],
) -> Result<Simulated> {
    let mut out = Simulated::default();
    let zh = built
        .iter()
        .find(|b| b.language == Language::Zh)
        .context("no Chinese course")?;
    let en = built.iter().find(|b| b.language == Language::En);
    let community: Vec<model::Site> = sites::list(db)
        .await?
        .into_iter()
        .filter(|s| s.kind == SiteKind::Community && s.active)
        .collect();
    anyhow::ensure!(!community.is_empty(), "no community centre");
    let hash = auth::hash_password(crate::seed::DEMO_PASSWORD.to_string()).await?;
    let mut learners: Vec<(CurrentUser, f64)> = Vec::new();
    let mut rng = Rng::new(data.learners.seed);
    for (k, name) in data.learners.names.iter().enumerate() {
        let username = format!("sim.learner{:02}", k + 1);
        let site = &community[k % community.len()];
        users::insert(
            db,
            users::InsertUser {
                username: &username,
                display_name: name,
                role: Role::Learner,
                site_id: &site.id,
                password_hash: &hash,
            },
        )
        .await?;
        let credentials = users::credentials(db, &username)
            .await?
            .with_context(|| format!("the learner {username}"))?;
        let user = users::current(db, &credentials.id)
            .await?
            .with_context(|| format!("the learner {username} is inactive"))?;
        learners.push((user, rng.normal()));
    }
    out.learners = learners.len();

    // One cohort per half of the network's community centres, the first due sooner.
    let start = now() - COHORTS_AGO;
    let coordinator = people.get("zhou.min").context("no coordinator")?;
    let mut stamps = Vec::new();
    let half = community.len().div_ceil(2);
    for (g, group) in community.chunks(half).enumerate() {
        let mut members = Vec::new();
        for site in group {
            let at_site = users::list(db, Some(&site.id), Some(Role::Learner)).await?;
            members.extend(at_site.into_iter().filter(|u| u.active).map(|u| u.id));
        }
        let names: Vec<&str> = group.iter().map(|s| short(&s.name_zh)).collect();
        let input = CohortInput {
            name: format!("第{}组：{}", ["一", "二"][g.min(1)], names.join("、")),
            site: None,
            people: members,
            due: Some(date(now() + [10, 31][g.min(1)] * DAY)),
        };
        let id = courses::create_cohort(db, coordinator, &zh.id, input).await?;
        stamps.push(Stamp::Cohort { id, at: start });
        out.cohorts += 1;
    }

    for (k, (user, theta)) in learners.iter().enumerate() {
        stamps.push(Stamp::Enrolled {
            course: zh.id.clone(),
            user: user.id.clone(),
            at: start,
        });
        // Two learners have not begun yet.
        if k % 18 == 17 {
            continue;
        }
        let begin = start + DAY + (rng.range(0.0, 7.0) * DAY as f64) as i64;
        // Stronger learners mean to finish the course; the others get as far as they get.
        let modules = if *theta > 0.0 { 5 } else { 1 + rng.below(5) };
        let work = Work {
            db,
            user,
            theta: *theta,
        };
        let (made, done) = work
            .course(zh, modules, begin, &mut rng, &mut stamps)
            .await?;
        out.attempts += made;
        out.completed += usize::from(done);
    }
    if let Some(en) = en {
        // Some learners also take the English course, enrolling themselves later on.
        for (user, theta) in learners.iter().rev().take(data.learners.english) {
            courses::enrol_self(db, user, &en.id).await?;
            let begin = start + 12 * DAY + (rng.range(0.0, 10.0) * DAY as f64) as i64;
            stamps.push(Stamp::Enrolled {
                course: en.id.clone(),
                user: user.id.clone(),
                at: begin - HOUR,
            });
            let work = Work {
                db,
                user,
                theta: *theta,
            };
            let modules = 1 + rng.below(2);
            let (made, done) = work
                .course(en, modules, begin, &mut rng, &mut stamps)
                .await?;
            out.attempts += made;
            out.completed += usize::from(done);
        }
    }
    backdate(db, &stamps).await?;
    Ok(out)
}

/// One learner working through a course.
struct Work<'a> {
    db: &'a Db,
    user: &'a CurrentUser,
    theta: f64,
}

impl Work<'_> {
    /// Works through the first `modules` modules from `begin`, stopping at a module not
    /// passed or at the present; returns the attempts made and whether the course was
    /// completed.
    async fn course(
        &self,
        course: &Built,
        modules: usize,
        begin: i64,
        rng: &mut Rng,
        stamps: &mut Vec<Stamp>,
    ) -> Result<(usize, bool)> {
        let mut at = begin + (rng.range(8.0, 20.0) * HOUR as f64) as i64 % DAY;
        let mut made = 0;
        let mut passed_all = true;
        for module in course.modules.iter().take(modules) {
            if at > now() - LATEST - 3 * HOUR {
                passed_all = false;
                break;
            }
            for key in &module.lessons {
                courses::mark_done(self.db, self.user, &course.id, key).await?;
                stamps.push(Stamp::Lesson {
                    course: course.id.clone(),
                    user: self.user.id.clone(),
                    key: key.clone(),
                    at,
                });
                at += (rng.range(6.0, 20.0) * 60.0) as i64;
            }
            let mut passed = false;
            let mut theta = self.theta;
            for number in 1..=module.attempts {
                let (grade, finished) =
                    self.attempt(course, module, theta, at, rng, stamps).await?;
                made += 1;
                at = finished;
                if grade >= module.pass_mark {
                    stamps.push(Stamp::Lesson {
                        course: course.id.clone(),
                        user: self.user.id.clone(),
                        key: module.quiz_lesson.clone(),
                        at: finished,
                    });
                    passed = true;
                    break;
                }
                // Most who fail try again a day or two later, having looked at the review.
                if number == module.attempts || rng.unit() < 0.2 {
                    break;
                }
                theta += 0.6;
                at += DAY + (rng.range(0.0, 1.0) * DAY as f64) as i64;
            }
            if !passed {
                passed_all = false;
                break;
            }
            at += (rng.range(1.0, 3.5) * DAY as f64) as i64;
        }
        Ok((made, passed_all && modules >= course.modules.len()))
    }

    /// Takes the module's quiz once; returns the grade in percent and when it was finished.
    async fn attempt(
        &self,
        course: &Built,
        module: &BuiltModule,
        theta: f64,
        started: i64,
        rng: &mut Rng,
        stamps: &mut Vec<Stamp>,
    ) -> Result<(f64, i64)> {
        let from = (&course.id, module.quiz_lesson.as_str());
        let id = attempts::start(self.db, self.user, &module.quiz, Some(from)).await?;
        let view = attempts::view(self.db, self.user, &id).await?;
        // The attempt shows each stem rendered from its Markdown.
        for slot in &view.slots {
            let asked = module
                .questions
                .iter()
                .find(|q| domain::cases::render_inline_markdown(&q.input.stem) == slot.stem)
                .context("a slot with a question the seed did not write")?;
            let right = rng.unit() < answers::p_right(&asked.entry, theta);
            let answer = answers::author_answer(
                &asked.input.kind,
                &asked.entry,
                asked.truth.as_ref(),
                right,
                rng,
            )?;
            let shown = answers::to_shown(&asked.input.kind, answer, &slot.question);
            attempts::answer(self.db, self.user, &id, slot.slot, shown).await?;
        }
        let grade = attempts::submit(self.db, self.user, &id).await?;
        let took = (rng.range(4.0, 13.0) * 60.0) as i64;
        stamps.push(Stamp::Attempt {
            id,
            started,
            finished: started + took,
        });
        Ok((grade, started + took))
    }
}

/// Dates everything made, in one transaction: cohorts and enrolments weeks ago, lessons and
/// attempts on the days they were worked on, answers during their attempt, completions at
/// the last lesson.
async fn backdate(db: &Db, stamps: &[Stamp]) -> Result<()> {
    let mut tx = db.begin_write().await?;
    for stamp in stamps {
        match stamp {
            Stamp::Cohort { id, at } => {
                sqlx::query("UPDATE cohorts SET created_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id.as_str())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE enrolments SET enrolled_at = $1 WHERE cohort_id = $2")
                    .bind(at)
                    .bind(id.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            Stamp::Enrolled { course, user, at } => {
                sqlx::query(
                    "UPDATE enrolments SET enrolled_at = $1 WHERE course_id = $2 AND user_id = $3",
                )
                .bind(at)
                .bind(course.as_str())
                .bind(user.as_str())
                .execute(&mut *tx)
                .await?;
            }
            Stamp::Lesson {
                course,
                user,
                key,
                at,
            } => {
                sqlx::query(
                    "UPDATE lesson_progress SET done_at = $1 \
                     WHERE course_id = $2 AND user_id = $3 AND lesson_key = $4",
                )
                .bind(at)
                .bind(course.as_str())
                .bind(user.as_str())
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
            Stamp::Attempt {
                id,
                started,
                finished,
            } => {
                sqlx::query(
                    "UPDATE quiz_attempts SET started_at = $1, finished_at = $2, \
                     deadline = CASE WHEN deadline IS NULL THEN NULL \
                     ELSE $1 + (deadline - started_at) END WHERE id = $3",
                )
                .bind(started)
                .bind(finished)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE attempt_slots SET answered_at = $1 + 50 * (slot + 1) \
                     WHERE attempt_id = $2 AND answered_at IS NOT NULL",
                )
                .bind(started)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    sqlx::query(
        "UPDATE enrolments SET completed_at = (SELECT MAX(p.done_at) FROM lesson_progress p \
         WHERE p.course_id = enrolments.course_id AND p.user_id = enrolments.user_id) \
         WHERE completed_at IS NOT NULL",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
