//! The demo case library: teaching cases the demo experts write over the demo exams, driven
//! through the real curation workflow (review, publication, revision, retirement) with
//! follow-up outcomes, consultation threads and a few unknown-case attempts, so that every
//! page of the library has something true to life to show.
//!
//! The cases themselves live in one file per area ([`thyroid`], [`carotid`], [`emergency`]);
//! this module says what a demo case is and plays each one's story through `domain::cases`.
mod carotid;
mod emergency;
#[cfg(test)]
mod tests;
mod thyroid;

use crate::demo_studies;
use anyhow::{Context, Result, bail};
use domain::cases;
use domain::dicom::anonymize::uid_pseudonym;
use domain::imports::Importer;
use domain::{Db, sites, users};
use model::cases::{
    AttemptInput, CaseClip, CaseContent, FollowUpInput, FollowUpKind, FrameRef, Transition,
};
use model::scores::StenosisGrade;
use model::{AgeBand, Annotation, CurrentUser, Difficulty, Point, Sex, Shape, SiteId};
use std::collections::HashMap;
use std::time::Duration;

/// The two demo experts: each case's reviewer is the one who did not write it.
const EXPERTS: [&str; 2] = ["chen.jing", "wang.lei"];

/// How often the seed looks at the import queue, and when it stops waiting.
const POLL: Duration = Duration::from_millis(500);
const PATIENCE: Duration = Duration::from_secs(600);

/// One teaching case of the demo library and what happens to it.
pub(crate) struct DemoCase {
    /// The demo exam (`demo_studies::exams`, 1-based) whose anonymised study the case uses.
    pub exam: u32,
    /// The expert who writes and submits it.
    pub author: &'static str,
    /// Code of the site the exam was done at.
    pub site: &'static str,
    /// The authored content. Clip SOP UIDs and the origin site are left empty here and filled
    /// in from the imported study, clip by clip in the study's order.
    pub content: CaseContent,
    /// The case's curation and teaching life after its first save, in order.
    pub story: Vec<Step>,
}

/// One event in a demo case's life, done with the same backend call a person's click makes.
pub(crate) enum Step {
    /// The author submits the working copy for review.
    Submit,
    /// The other expert publishes what was submitted.
    Publish,
    /// The other expert sends the case back to the author with this comment.
    RequestChanges(&'static str),
    /// A review note from the other expert.
    ReviewNote(&'static str),
    /// The author reopens a published case as a draft (learners keep the published version).
    Revise,
    /// The author edits the working copy and saves it.
    Edit(fn(&mut CaseContent)),
    /// The author retires the case, giving the reason.
    Retire(&'static str),
    /// An expert (the author) records an outcome.
    FollowUp(FollowUpInput),
    /// A consultation comment.
    Comment(Post),
    /// A learner's committed unknown-case answer.
    Attempt(&'static str, AttemptInput),
}

/// A consultation comment, optionally pointing at a clip frame and marked as the answer.
pub(crate) struct Post {
    /// Username of the demo account that writes it.
    pub by: &'static str,
    /// The comment, in the case's language.
    pub body: &'static str,
    /// (index of the case's clip, 0-based frame).
    pub frame: Option<(usize, u32)>,
    /// The expert who marks this comment as the answer, if one does.
    pub marked_by: Option<&'static str>,
}

/// Every demo case, thyroid first.
pub(crate) fn library() -> Vec<DemoCase> {
    let mut all = thyroid::cases();
    all.extend(carotid::cases());
    all.extend(emergency::cases());
    all
}

/// How many cases the demo library holds once seeded (tests wait for all of them).
pub fn size() -> usize {
    library().len()
}

/// Seeds the library once the demo studies are imported; spawned at start in demo mode.
/// Does nothing when any case exists, so restarts and real use are left alone (a seed cut
/// short by a stop keeps what it made rather than doubling it on the next start).
pub async fn seed(db: Db, importer: Importer) {
    match run(&db, &importer).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(cases = n, "demo case library seeded"),
        Err(e) => tracing::warn!(
            error = format!("{e:#}"),
            "the demo case library was not seeded"
        ),
    }
}

async fn run(db: &Db, importer: &Importer) -> Result<usize> {
    if case_count(db).await? > 0 {
        return Ok(0);
    }
    let waited = std::time::Instant::now();
    while imports_pending(db).await? > 0 {
        if waited.elapsed() > PATIENCE {
            bail!("the demo studies were still importing after {PATIENCE:?}");
        }
        tokio::time::sleep(POLL).await;
    }
    // Checked again: someone may have made a case from a study while the seed waited.
    if case_count(db).await? > 0 {
        return Ok(0);
    }
    let people = people(db).await?;
    let mut seeded = 0;
    for case in library() {
        let title = case.content.title.clone();
        match play(db, importer, &people, case).await {
            Ok(()) => seeded += 1,
            Err(e) => tracing::warn!(case = title, error = format!("{e:#}"), "demo case skipped"),
        }
    }
    Ok(seeded)
}

async fn case_count(db: &Db) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cases")
        .fetch_one(&db.pool)
        .await?;
    Ok(n)
}

async fn imports_pending(db: &Db) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM import_jobs WHERE status IN ('receiving', 'queued', 'running')",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok(n)
}

/// The demo experts and learners as signed-in users, by username.
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

fn reviewer_of(author: &str) -> &'static str {
    if author == EXPERTS[0] {
        EXPERTS[1]
    } else {
        EXPERTS[0]
    }
}

/// Creates one case from its study and plays its story.
async fn play(
    db: &Db,
    importer: &Importer,
    people: &HashMap<&'static str, CurrentUser>,
    case: DemoCase,
) -> Result<()> {
    let person = |name: &str| {
        people
            .get(name)
            .with_context(|| format!("no demo account {name}"))
    };
    let author = person(case.author)?;
    let reviewer = person(reviewer_of(case.author))?;
    let study = uid_pseudonym(importer.secret(), &demo_studies::study_uid(case.exam));
    let id = cases::create(
        db,
        author,
        &study,
        &case.content.title,
        &case.content.application,
    )
    .await?;
    let id = id.0;
    let work = cases::work(db, &id).await?.context("the new case")?;
    // The study's clips, in the order the case's clips are written.
    let sops: Vec<String> = work.content.clips.into_iter().map(|c| c.sop_uid).collect();
    if sops.len() < case.content.clips.len() {
        bail!("exam {} has {} clips", case.exam, sops.len());
    }
    let site = sites::by_code(db, case.site)
        .await?
        .with_context(|| format!("no site {}", case.site))?;
    let mut content = case.content;
    content.origin_site = site.id;
    for (clip, sop) in content.clips.iter_mut().zip(&sops) {
        clip.sop_uid = sop.clone();
    }
    cases::save(db, author, &id, content, None).await?;
    for step in case.story {
        match step {
            Step::Submit => {
                cases::transition(db, author, &id, Transition::Submit, "").await?;
            }
            Step::Publish => {
                cases::transition(db, reviewer, &id, Transition::Publish, "").await?;
            }
            Step::RequestChanges(body) => {
                cases::transition(db, reviewer, &id, Transition::RequestChanges, body).await?;
            }
            Step::ReviewNote(body) => cases::review_comment(db, reviewer, &id, body).await?,
            Step::Revise => {
                cases::transition(db, author, &id, Transition::Revise, "").await?;
            }
            Step::Edit(edit) => {
                let mut content = cases::work(db, &id)
                    .await?
                    .context("the case being edited")?
                    .content;
                edit(&mut content);
                cases::save(db, author, &id, content, None).await?;
            }
            Step::Retire(reason) => {
                cases::transition(db, author, &id, Transition::Retire, reason).await?;
            }
            Step::FollowUp(input) => {
                cases::add_follow_up(db, author, &id, input).await?;
            }
            Step::Comment(post) => {
                let frame = match post.frame {
                    Some((clip, frame)) => Some(FrameRef {
                        sop_uid: sops.get(clip).context("no such clip")?.clone(),
                        frame,
                    }),
                    None => None,
                };
                let comment =
                    cases::add_comment(db, person(post.by)?, &id, post.body, frame).await?;
                if let Some(expert) = post.marked_by {
                    cases::mark_answer(db, person(expert)?, &comment.id, true).await?;
                }
            }
            Step::Attempt(learner, answer) => {
                cases::record_attempt(db, &id, &person(learner)?.id, answer)
                    .await?
                    .context("the case to attempt is not published")?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- writing helpers

/// Annotation colours: findings in yellow, pointers in cyan, measurements in green.
const FINDING: &str = "#ffd54f";
const POINTER: &str = "#4dd0e1";
const MEASURE: &str = "#81c784";

/// Content with every field empty, to be filled in with struct update syntax.
fn blank(application: &str) -> CaseContent {
    CaseContent {
        title: String::new(),
        application: application.to_string(),
        age_band: AgeBand::A40,
        sex: Sex::Unknown,
        origin_site: SiteId(String::new()),
        history: String::new(),
        findings: String::new(),
        impression: String::new(),
        impression_call: None,
        diagnosis: String::new(),
        differential: String::new(),
        teaching_points: String::new(),
        difficulty: Difficulty::Intermediate,
        tags: Vec::new(),
        scores: Vec::new(),
        clips: Vec::new(),
        choices: Vec::new(),
        answer: None,
    }
}

/// A clip of the case; its SOP UID is filled in when the case is seeded.
fn clip(caption: &str, key_frames: &[u32], annotations: Vec<Annotation>) -> CaseClip {
    CaseClip {
        sop_uid: String::new(),
        caption: caption.to_string(),
        key_frames: key_frames.to_vec(),
        annotations,
    }
}

fn mark(shape: Shape, frames: (u32, u32), color: &str) -> Annotation {
    Annotation {
        shape,
        first_frame: frames.0,
        last_frame: frames.1,
        color: Some(color.to_string()),
    }
}

fn at(x: f64, y: f64) -> Point {
    Point { x, y }
}

/// An arrow from `tail` to `head` (image pixels), shown on frames `first..=last`.
fn arrow(tail: (f64, f64), head: (f64, f64), frames: (u32, u32)) -> Annotation {
    mark(
        Shape::Arrow {
            tail: at(tail.0, tail.1),
            head: at(head.0, head.1),
        },
        frames,
        POINTER,
    )
}

/// An ellipse around a finding.
fn ring(center: (f64, f64), rx: f64, ry: f64, frames: (u32, u32)) -> Annotation {
    mark(
        Shape::Ellipse {
            center: at(center.0, center.1),
            rx,
            ry,
        },
        frames,
        FINDING,
    )
}

/// A text label anchored at its top-left corner.
fn label(anchor: (f64, f64), text: &str, frames: (u32, u32)) -> Annotation {
    mark(
        Shape::Text {
            at: at(anchor.0, anchor.1),
            text: text.to_string(),
        },
        frames,
        MEASURE,
    )
}

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| t.to_string()).collect()
}

/// A cytology result; malignancy follows from the category when it is saved.
fn fna(day: i32, bethesda: u8, summary: &str) -> Step {
    Step::FollowUp(FollowUpInput {
        kind: FollowUpKind::Fna,
        day_offset: day,
        bethesda: Some(bethesda),
        malignant: None,
        confirms: None,
        summary: summary.to_string(),
    })
}

/// A tissue diagnosis (surgery or histopathology) that settles benign versus malignant.
fn tissue(kind: FollowUpKind, day: i32, malignant: Option<bool>, summary: &str) -> Step {
    Step::FollowUp(FollowUpInput {
        kind,
        day_offset: day,
        bethesda: None,
        malignant,
        confirms: None,
        summary: summary.to_string(),
    })
}

/// An outcome that confirms (or not, or does not speak to) the ultrasound impression.
fn outcome(kind: FollowUpKind, day: i32, confirms: Option<bool>, summary: &str) -> Step {
    Step::FollowUp(FollowUpInput {
        kind,
        day_offset: day,
        bethesda: None,
        malignant: None,
        confirms,
        summary: summary.to_string(),
    })
}

/// A comment without a frame reference and nobody marking it.
fn say(by: &'static str, body: &'static str) -> Step {
    Step::Comment(Post {
        by,
        body,
        frame: None,
        marked_by: None,
    })
}

/// A comment pointing at frame `frame` of the case's clip `clip`.
fn point(by: &'static str, body: &'static str, clip: usize, frame: u32) -> Post {
    Post {
        by,
        body,
        frame: Some((clip, frame)),
        marked_by: None,
    }
}

/// A learner's unknown-case answer with a TI-RADS level.
fn guess_tirads(learner: &'static str, impression: &str, level: u8) -> Step {
    Step::Attempt(
        learner,
        AttemptInput {
            impression: impression.to_string(),
            tirads: Some(level),
            grade: None,
            choice: None,
        },
    )
}

/// A learner's unknown-case answer with a stenosis grade.
fn guess_grade(learner: &'static str, impression: &str, grade: StenosisGrade) -> Step {
    Step::Attempt(
        learner,
        AttemptInput {
            impression: impression.to_string(),
            tirads: None,
            grade: Some(grade),
            choice: None,
        },
    )
}

/// A learner's unknown-case answer picking one of the choices.
fn guess_choice(learner: &'static str, impression: &str, choice: u32) -> Step {
    Step::Attempt(
        learner,
        AttemptInput {
            impression: impression.to_string(),
            tirads: None,
            grade: None,
            choice: Some(choice),
        },
    )
}
