//! The courses' teaching clips: phantom scenes rendered with their ground truth, dressed as
//! made-up exams, sent through the importer like every demo study (so they are anonymised
//! and get new UIDs) and published as short teaching cases, one expert writing and the other
//! publishing, so quizzes and clip lessons may use them.
use super::bank;
use super::data::TeachingClip;
use crate::demo_studies::{Exam, dress};
use anyhow::{Context, Result, bail};
use cine::synth::{PhantomTruth, Scene, SynthOptions, SynthSyntax, phantom_clip};
use domain::audit::Actor;
use domain::cases;
use domain::dicom::anonymize::uid_pseudonym;
use domain::imports::Importer;
use domain::{Db, sites};
use model::cases::{CaseClip, CaseContent, Transition};
use model::{CurrentUser, ImportKind, JobLabel, Sex};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Size of every teaching clip: modest, so the seed stays quick.
const WIDTH: u32 = 480;
const HEIGHT: u32 = 360;
const POLL: Duration = Duration::from_millis(300);
const PATIENCE: Duration = Duration::from_secs(300);

/// A teaching clip once published: its truth and where it is now.
pub(crate) struct Published {
    pub truth: PhantomTruth,
    /// The anonymised instance's SOP Instance UID.
    pub sop_uid: String,
    pub case_id: String,
}

/// How clip `clip` is synthesised.
pub fn options(clip: &TeachingClip) -> SynthOptions {
    SynthOptions {
        width: WIDTH,
        height: HEIGHT,
        frames: clip.frames,
        syntax: SynthSyntax::Jpeg,
        fps: clip.fps,
        seed: clip.seed,
    }
}

/// The source Study Instance UID of teaching clip `n` (before anonymisation).
fn study_uid(n: usize) -> String {
    format!("1.2.826.0.1.3680043.10.1024.700.{}", n + 1)
}

fn exam(clip: &TeachingClip, n: usize, institution: &str) -> Exam {
    Exam {
        patient_name: clip.patient_name.clone(),
        patient_id: clip.patient_id.clone(),
        birth_date: clip.birth_date.clone(),
        sex: clip.sex.clone(),
        accession: format!("TC{}{:03}", clip.study_date, n + 1),
        study_date: clip.study_date.clone(),
        study_time: format!("{:02}3000", 9 + n % 8),
        study_uid: study_uid(n),
        series_uid: format!("{}.1", study_uid(n)),
        description: format!("Teaching clip: {}", clip.scene.name()),
        institution: institution.to_string(),
        manufacturer: "SonoHub Demo".into(),
        model: "SH-P3".into(),
    }
}

/// The anonymised instance of a teaching clip's study, once imported.
#[derive(sqlx::FromRow)]
struct Instance {
    sop_uid: String,
    width: i64,
    height: i64,
    frames: i64,
}

async fn instance(db: &Db, study: &str) -> Result<Option<Instance>> {
    Ok(sqlx::query_as(
        "SELECT sop_uid, width, height, frames FROM instances WHERE study_uid = $1 LIMIT 1",
    )
    .bind(study)
    .fetch_optional(&db.pool)
    .await?)
}

async fn imports_pending(db: &Db) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM import_jobs WHERE status IN ('receiving', 'queued', 'running')",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok(n)
}

/// Renders, imports and publishes the teaching clips (those not imported or published by an
/// earlier, interrupted run are left as they are), by scene.
pub(crate) async fn publish_all(
    db: &Db,
    importer: &Importer,
    people: &HashMap<&'static str, CurrentUser>,
    clips: &[TeachingClip],
) -> Result<HashMap<Scene, Published>> {
    let studies: Vec<String> = (0..clips.len())
        .map(|n| uid_pseudonym(importer.secret(), &study_uid(n)))
        .collect();
    let mut missing = Vec::new();
    for (n, study) in studies.iter().enumerate() {
        if instance(db, study).await?.is_none() {
            missing.push(n);
        }
    }
    let devices = crate::demo_studies::sites()?;
    let orders: Vec<(TeachingClip, Exam)> = missing
        .iter()
        .map(|&n| {
            let clip = &clips[n];
            let institution = devices
                .get(&clip.site)
                .map_or("District Central Hospital", |(i, ..)| i.as_str());
            (clip.clone(), exam(clip, n, institution))
        })
        .collect();
    let started = Instant::now();
    let files = tokio::task::spawn_blocking(move || render(&orders)).await??;
    tracing::debug!(
        clips = files.len(),
        ms = started.elapsed().as_millis() as u64,
        "teaching clips rendered"
    );
    if !files.is_empty() {
        let actor = Actor {
            user: Some(people[super::EXPERTS[0]].id.clone()),
            via: model::AuditVia::Job,
        };
        let job = importer
            .open_inbox(&actor, ImportKind::Upload, &JobLabel::Upload)
            .await?;
        for file in &files {
            importer.add_file(&job, file, None).await?;
        }
        importer.close_inbox(&job, None).await?;
        let waited = Instant::now();
        while imports_pending(db).await? > 0 {
            if waited.elapsed() > PATIENCE {
                bail!("the teaching clips were still importing after {PATIENCE:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }
    let mut out = HashMap::new();
    for (n, clip) in clips.iter().enumerate() {
        let study = &studies[n];
        let found = instance(db, study)
            .await?
            .with_context(|| format!("teaching clip {} was not imported", clip.scene.name()))?;
        let truth = cine::synth::phantom_truth(&options(clip), clip.scene)?;
        if (found.width, found.height, found.frames)
            != (
                i64::from(truth.width),
                i64::from(truth.height),
                i64::from(truth.frames),
            )
        {
            bail!("teaching clip {} changed size on import", clip.scene.name());
        }
        let case_id = publish(db, people, clip, study, &found.sop_uid, &truth).await?;
        out.insert(
            clip.scene,
            Published {
                truth,
                sop_uid: found.sop_uid,
                case_id,
            },
        );
    }
    Ok(out)
}

/// Renders and dresses the clips on the blocking pool, two at a time.
fn render(orders: &[(TeachingClip, Exam)]) -> Result<Vec<Vec<u8>>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, orders.len().max(1));
    let mut done: Vec<(usize, Result<Vec<u8>>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..orders.len())
                        .step_by(threads)
                        .map(|i| {
                            let (clip, exam) = &orders[i];
                            let made = phantom_clip(&options(clip), clip.scene)
                                .map_err(anyhow::Error::from)
                                .and_then(|p| dress(&p.dicom, exam, 1));
                            (i, made)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec![(0, Err(anyhow::anyhow!("a render thread failed")))])
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, file)| file).collect()
}

/// The teaching case over a clip's study: made, saved, submitted and published, or the one
/// an earlier run made.
async fn publish(
    db: &Db,
    people: &HashMap<&'static str, CurrentUser>,
    clip: &TeachingClip,
    study: &str,
    sop_uid: &str,
    truth: &PhantomTruth,
) -> Result<String> {
    let existing: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT id, published_version FROM cases WHERE study_uid = $1 LIMIT 1")
            .bind(study)
            .fetch_optional(&db.pool)
            .await?;
    if let Some((id, Some(_))) = existing {
        return Ok(id);
    }
    let author = people
        .get(clip.author.as_str())
        .with_context(|| format!("no demo account {}", clip.author))?;
    let reviewer = &people[super::reviewer_of(&clip.author)];
    let id = match existing {
        Some((id, _)) => id,
        None => {
            cases::create(db, author, study, &clip.title, &clip.application)
                .await?
                .0
        }
    };
    let site = sites::by_code(db, &clip.site)
        .await?
        .with_context(|| format!("no site {}", clip.site))?;
    let key_frames = bank::visible_frames(truth, &clip.structure);
    let content = CaseContent {
        title: clip.title.clone(),
        application: clip.application.clone(),
        age_band: clip.age_band,
        sex: if clip.sex == "F" {
            Sex::Female
        } else {
            Sex::Male
        },
        origin_site: site.id,
        history: clip.history.clone(),
        findings: clip.findings.clone(),
        impression: clip.impression.clone(),
        impression_call: None,
        diagnosis: clip.diagnosis.clone(),
        differential: String::new(),
        teaching_points: clip.teaching_points.clone(),
        difficulty: clip.difficulty,
        tags: clip.tags.clone(),
        scores: Vec::new(),
        clips: vec![CaseClip {
            sop_uid: sop_uid.to_string(),
            caption: clip.caption.clone(),
            key_frames: key_frames.first().into_iter().copied().collect(),
            annotations: bank::annotations(truth, &clip.structure, &clip.label)?,
        }],
        choices: Vec::new(),
        answer: None,
    };
    cases::save(db, author, &id, content, None).await?;
    cases::transition(db, author, &id, Transition::Submit, "").await?;
    cases::transition(db, reviewer, &id, Transition::Publish, "").await?;
    Ok(id)
}
