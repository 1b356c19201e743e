//! The demo case library: teaching cases the demo experts write over the demo exams, driven
//! through the real curation workflow (review, publication, revision, retirement) with
//! follow-up outcomes, consultation threads and a few unknown-case attempts, so that every
//! page of the library has something true to life to show.
//!
//! The cases are data, `server/demo/cases/*.toml` (read and checked by [`library`]); this
//! module says what a demo case and its story are and plays each story through `domain::cases`.
mod library;
#[cfg(test)]
mod tests;

use crate::demo_studies;
use anyhow::{Context, Result, bail};
use domain::cases;
use domain::dicom::anonymize::uid_pseudonym;
use domain::imports::Importer;
use domain::{Db, sites, users};
use model::CurrentUser;
use model::cases::{AttemptInput, CaseContent, FollowUpInput, FollowUpKind, FrameRef, Transition};
use model::scores::StenosisGrade;
use serde::{Deserialize, Deserializer};
use std::collections::HashMap;
use std::time::Duration;

pub(crate) use library::library;

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
    pub author: String,
    /// Code of the site the exam was done at.
    pub site: String,
    /// The authored content. Clip SOP UIDs and the origin site are left empty here and filled
    /// in from the imported study, clip by clip in the study's order.
    pub content: CaseContent,
    /// The case's curation and teaching life after its first save, in order.
    pub story: Vec<Step>,
}

/// One event in a demo case's life (a `[[case.story]]` block), done with the same backend
/// call a person's click makes.
#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Step {
    /// The author submits the working copy for review.
    Submit,
    /// The other expert publishes what was submitted.
    Publish,
    /// The other expert sends the case back to the author with this comment.
    RequestChanges {
        #[serde(deserialize_with = "trimmed")]
        comment: String,
    },
    /// A review note from the other expert.
    ReviewNote {
        #[serde(deserialize_with = "trimmed")]
        comment: String,
    },
    /// The author reopens a published case as a draft (learners keep the published version).
    Revise,
    /// The author edits the working copy and saves it.
    Edit(Edit),
    /// The author retires the case, giving the reason.
    Retire {
        #[serde(deserialize_with = "trimmed")]
        reason: String,
    },
    /// The author records an outcome.
    FollowUp(Outcome),
    /// A consultation comment.
    Comment(Post),
    /// A learner's committed unknown-case answer.
    Attempt(Attempt),
}

/// What an edit changes: the fields given replace the working copy's, a teaching point and
/// tags can be added at the end.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Edit {
    title: Option<String>,
    history: Option<String>,
    findings: Option<String>,
    impression: Option<String>,
    diagnosis: Option<String>,
    differential: Option<String>,
    teaching_points: Option<String>,
    /// One more teaching point, on a line of its own after the others.
    add_teaching_point: Option<String>,
    #[serde(default)]
    add_tags: Vec<String>,
}

impl Edit {
    /// Makes the edit on `content`, as the author would in the editor.
    pub(crate) fn apply(&self, content: &mut CaseContent) {
        for (field, new) in [
            (&mut content.title, &self.title),
            (&mut content.history, &self.history),
            (&mut content.findings, &self.findings),
            (&mut content.impression, &self.impression),
            (&mut content.diagnosis, &self.diagnosis),
            (&mut content.differential, &self.differential),
            (&mut content.teaching_points, &self.teaching_points),
        ] {
            if let Some(new) = new {
                *field = new.trim().to_string();
            }
        }
        if let Some(point) = &self.add_teaching_point {
            let points = content.teaching_points.trim_end();
            content.teaching_points = format!("{points}\n{}", point.trim());
        }
        content.tags.extend(self.add_tags.iter().cloned());
    }
}

/// A follow-up outcome as the author enters it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Outcome {
    kind: FollowUpKind,
    /// Days after the exam.
    day: i32,
    /// Bethesda category I–VI of a cytology (FNA) result; malignancy follows from it.
    bethesda: Option<u8>,
    /// Whether tissue (histopathology, surgery) showed malignancy.
    malignant: Option<bool>,
    /// Whether the outcome bears out the ultrasound impression, when it speaks to it.
    confirms: Option<bool>,
    #[serde(deserialize_with = "trimmed")]
    summary: String,
}

impl Outcome {
    /// What the follow-up form sends.
    pub(crate) fn input(&self) -> FollowUpInput {
        FollowUpInput {
            kind: self.kind,
            day_offset: self.day,
            bethesda: self.bethesda,
            malignant: self.malignant,
            confirms: self.confirms,
            summary: self.summary.clone(),
        }
    }
}

/// A consultation comment, optionally pointing at a clip frame and marked as the answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Post {
    /// Username of the demo account that writes it.
    pub by: String,
    /// The comment, in the case's language.
    #[serde(deserialize_with = "trimmed")]
    pub body: String,
    /// Index (0-based) of the case's clip the comment points at, with `frame`.
    pub clip: Option<usize>,
    /// The frame (0-based) of that clip.
    pub frame: Option<u32>,
    /// The expert who marks this comment as the answer, if one does.
    pub marked_by: Option<String>,
}

impl Post {
    /// (clip index, frame) when the comment points at a frame.
    pub(crate) fn at(&self) -> Option<(usize, u32)> {
        self.clip.zip(self.frame)
    }
}

/// A learner's unknown-case answer: the impression and the structured part the case asks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Attempt {
    /// Username of the learner.
    pub by: String,
    #[serde(deserialize_with = "trimmed")]
    impression: String,
    tirads: Option<u8>,
    grade: Option<StenosisGrade>,
    choice: Option<u32>,
}

impl Attempt {
    /// What the unknown-case page sends.
    pub(crate) fn input(&self) -> AttemptInput {
        AttemptInput {
            impression: self.impression.clone(),
            tirads: self.tirads,
            grade: self.grade,
            choice: self.choice,
        }
    }
}

/// Text as written, without the line breaks that open and close a multi-line string.
fn trimmed<'de, D: Deserializer<'de>>(text: D) -> Result<String, D::Error> {
    String::deserialize(text).map(|t| t.trim().to_string())
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
    crate::demo_courses::seed(&db, &importer).await;
    crate::demo_replays::seed(&db, &importer).await;
    crate::demo_competency::seed(&db).await;
}

async fn run(db: &Db, importer: &Importer) -> Result<usize> {
    if case_count(db).await? > 0 {
        return Ok(0);
    }
    let library = library::load()?;
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
    for case in library {
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
    let author = person(&case.author)?;
    let reviewer = person(reviewer_of(&case.author))?;
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
    let site = sites::by_code(db, &case.site)
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
            Step::RequestChanges { comment } => {
                cases::transition(db, reviewer, &id, Transition::RequestChanges, &comment).await?;
            }
            Step::ReviewNote { comment } => {
                cases::review_comment(db, reviewer, &id, &comment).await?;
            }
            Step::Revise => {
                cases::transition(db, author, &id, Transition::Revise, "").await?;
            }
            Step::Edit(edit) => {
                let mut content = cases::work(db, &id)
                    .await?
                    .context("the case being edited")?
                    .content;
                edit.apply(&mut content);
                cases::save(db, author, &id, content, None).await?;
            }
            Step::Retire { reason } => {
                cases::transition(db, author, &id, Transition::Retire, &reason).await?;
            }
            Step::FollowUp(outcome) => {
                cases::add_follow_up(db, author, &id, outcome.input()).await?;
            }
            Step::Comment(post) => {
                let frame = match post.at() {
                    Some((clip, frame)) => Some(FrameRef {
                        sop_uid: sops.get(clip).context("no such clip")?.clone(),
                        frame,
                    }),
                    None => None,
                };
                let comment =
                    cases::add_comment(db, person(&post.by)?, &id, &post.body, frame).await?;
                if let Some(expert) = &post.marked_by {
                    cases::mark_answer(db, person(expert)?, &comment.id, true).await?;
                }
            }
            Step::Attempt(attempt) => {
                cases::record_attempt(db, &id, &person(&attempt.by)?.id, attempt.input())
                    .await?
                    .context("the case to attempt is not published")?;
            }
        }
    }
    Ok(())
}
