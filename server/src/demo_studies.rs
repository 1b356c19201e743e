//! Demo studies: synthetic clips dressed as made-up patients' exams (names in Chinese and
//! Latin script, IDs, accession numbers, dates, the hospital) and sent through the real import
//! pipeline as an expert's upload, so the library shows what anonymisation leaves.
//!
//! Who the patients are and which clips each exam has is data, `server/demo/studies.toml`,
//! embedded in the binary; this module reads it, synthesises the clips and queues the upload.
use anyhow::{Context, Result, bail};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use domain::audit::Actor;
use domain::imports::Importer;
use domain::{Db, users};
use model::{ImportKind, JobLabel};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A made-up exam written over a synthetic clip.
#[derive(Debug, Clone)]
pub struct Exam {
    /// Person name with its ideographic group, e.g. `WANG^FANG=王^芳`.
    pub patient_name: String,
    pub patient_id: String,
    pub birth_date: String,
    pub sex: String,
    pub accession: String,
    pub study_date: String,
    /// `HHMMSS`, or empty.
    pub study_time: String,
    pub study_uid: String,
    pub series_uid: String,
    pub description: String,
    pub institution: String,
    pub manufacturer: String,
    pub model: String,
}

/// Writes `exam`'s identity over a synthetic clip as its instance `n` (UTF-8 character set).
pub fn dress(clip: &[u8], exam: &Exam, n: u32) -> Result<Vec<u8>> {
    let mut obj = dicom_object::OpenFileOptions::new()
        .from_reader(clip.get(128..).context("clip too short")?)
        .context("reading the synthetic clip")?;
    let sop = format!("{}.{n}", exam.series_uid);
    let mut put = |tag, vr, value: &str| {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    };
    put(tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 192");
    put(tags::PATIENT_NAME, VR::PN, &exam.patient_name);
    put(tags::PATIENT_ID, VR::LO, &exam.patient_id);
    put(tags::PATIENT_BIRTH_DATE, VR::DA, &exam.birth_date);
    put(tags::PATIENT_SEX, VR::CS, &exam.sex);
    put(tags::ACCESSION_NUMBER, VR::SH, &exam.accession);
    put(tags::STUDY_DATE, VR::DA, &exam.study_date);
    put(tags::SERIES_DATE, VR::DA, &exam.study_date);
    put(tags::STUDY_TIME, VR::TM, &exam.study_time);
    put(tags::SERIES_TIME, VR::TM, &exam.study_time);
    put(tags::CONTENT_DATE, VR::DA, &exam.study_date);
    put(tags::STUDY_DESCRIPTION, VR::LO, &exam.description);
    put(tags::INSTITUTION_NAME, VR::LO, &exam.institution);
    put(tags::MANUFACTURER, VR::LO, &exam.manufacturer);
    put(tags::MANUFACTURER_MODEL_NAME, VR::LO, &exam.model);
    put(tags::STUDY_INSTANCE_UID, VR::UI, &exam.study_uid);
    put(tags::SERIES_INSTANCE_UID, VR::UI, &exam.series_uid);
    put(tags::SOP_INSTANCE_UID, VR::UI, &sop);
    put(tags::INSTANCE_NUMBER, VR::IS, &n.to_string());
    put(tags::SERIES_NUMBER, VR::IS, "1");
    obj.meta_mut().media_storage_sop_instance_uid = sop;
    obj.meta_mut().update_information_group_length();
    let mut out = Vec::new();
    obj.write_all(&mut out)
        .context("writing the dressed clip")?;
    Ok(out)
}

/// The source Study Instance UID of demo exam `k` (before anonymisation).
pub fn study_uid(k: u32) -> String {
    format!("1.2.826.0.1.3680043.10.1024.{k}")
}

/// The demo exam no seeded case uses, kept for the browser test that creates a case: the eFAST
/// of 陈晓明 (exams 1–4 are the original studies library; every case has its own exam from 5 on).
pub const SPARE_EXAM: u32 = 4;

/// The exams as data: `server/demo/studies.toml`, described in its header.
const STUDIES: &str = include_str!("../demo/studies.toml");
/// The name errors give the data file.
const STUDIES_FILE: &str = "demo/studies.toml";

/// A demo exam: the identity written over its clips, where it was done and the clips.
#[derive(Debug, Clone)]
pub struct DemoExam {
    pub exam: Exam,
    /// Code of the network site the exam was done at (a seeded case's origin site).
    pub site: String,
    pub clips: Vec<ExamClip>,
}

/// One clip of a demo exam.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamClip {
    /// How the pixel data is stored; every case clip is JPEG, the cheapest to synthesise and
    /// to clean.
    #[serde(default = "jpeg")]
    pub syntax: SynthSyntax,
    /// Number of frames; case annotations and comments must point below it.
    pub frames: u32,
    /// Frames per second.
    pub fps: f64,
}

fn jpeg() -> SynthSyntax {
    SynthSyntax::Jpeg
}

/// `studies.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StudiesFile {
    manufacturer: String,
    sites: BTreeMap<String, Site>,
    exam: Vec<ExamBlock>,
}

/// Where exams are done, as the modality writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Site {
    institution: String,
    model: String,
}

/// One `[[exam]]` block.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExamBlock {
    number: u32,
    site: String,
    patient_name: String,
    patient_id: String,
    birth_date: String,
    sex: String,
    study_date: String,
    description: String,
    clips: Vec<ExamClip>,
}

/// The demo patients' exams and the clips of each, in upload order (exam `k` at `k - 1`).
///
/// Exams 1–4 keep their order and numbers (tests and the browser suite rely on them); exams
/// 5 onwards are the case library's, one per case (see `demo_cases`).
pub fn exams() -> Result<Vec<DemoExam>> {
    parse(STUDIES_FILE, STUDIES)
}

/// What is wrong with the `i`-th exam block (numbered `number`), if anything: its number, its
/// clips' (frames, fps), or its site (`Err(site)` when `sites_list` does not list it).
pub(crate) fn exam_problem(
    i: usize,
    number: u32,
    clips: &[(u32, f64)],
    site: Result<(), &String>,
    sites_list: &str,
) -> Option<String> {
    if number != i as u32 + 1 {
        Some(format!(
            "is number {}: exams are numbered 1, 2, … in order",
            i + 1
        ))
    } else if clips.is_empty() {
        Some("has no clip".to_string())
    } else if let Some((frames, fps)) = clips.iter().find(|(f, fps)| *f == 0 || *fps <= 0.0) {
        Some(format!("has a clip of {frames} frames at {fps} fps"))
    } else if let Err(site) = site {
        Some(format!(
            "is done at site {site}, which {sites_list} does not list"
        ))
    } else {
        None
    }
}

/// Reads a studies file, naming the file and the exam of the first thing that does not fit.
fn parse(file: &str, text: &str) -> Result<Vec<DemoExam>> {
    let studies: StudiesFile = toml::from_str(text).with_context(|| file.to_string())?;
    let mut exams = Vec::new();
    for (i, entry) in studies.exam.into_iter().enumerate() {
        let k = entry.number;
        let problem = exam_problem(
            i,
            k,
            &entry
                .clips
                .iter()
                .map(|c| (c.frames, c.fps))
                .collect::<Vec<_>>(),
            studies
                .sites
                .contains_key(&entry.site)
                .then_some(())
                .ok_or(&entry.site),
            "[sites]",
        );
        if let Some(problem) = problem {
            bail!("{file}: exam {k} ({}) {problem}", entry.patient_name);
        }
        let site = &studies.sites[&entry.site];
        let exam = Exam {
            accession: format!("US{}{k:03}", entry.study_date),
            study_uid: study_uid(k),
            series_uid: format!("{}.1", study_uid(k)),
            institution: site.institution.clone(),
            manufacturer: studies.manufacturer.clone(),
            model: site.model.clone(),
            patient_name: entry.patient_name,
            patient_id: entry.patient_id,
            birth_date: entry.birth_date,
            sex: entry.sex,
            study_date: entry.study_date,
            // Morning and afternoon clinics, a few exams an hour.
            study_time: format!("{:02}{:02}00", 8 + (k * 5) % 9, (k * 17) % 60),
            description: entry.description,
        };
        exams.push(DemoExam {
            exam,
            site: entry.site,
            clips: entry.clips,
        });
    }
    Ok(exams)
}

/// One clip to make: the exam it is dressed as, its instance number, how to synthesise it and
/// whether it keeps its Sequence of Ultrasound Regions.
#[derive(Debug, Clone)]
pub(crate) struct ClipOrder {
    pub exam: Exam,
    pub n: u32,
    pub options: SynthOptions,
    pub regions: bool,
}

impl ClipOrder {
    fn make(&self) -> Result<Vec<u8>> {
        let clip = synth_clip(&self.options)?;
        let clip = if self.regions {
            clip
        } else {
            without_regions(&clip)?
        };
        dress(&clip, &self.exam, self.n)
    }
}

/// The clip without its Sequence of Ultrasound Regions, as older scanners and exports write.
pub(crate) fn without_regions(clip: &[u8]) -> Result<Vec<u8>> {
    let mut obj = dicom_object::OpenFileOptions::new()
        .from_reader(clip.get(128..).context("clip too short")?)
        .context("reading the synthetic clip")?;
    obj.remove_element(tags::SEQUENCE_OF_ULTRASOUND_REGIONS);
    let mut out = Vec::new();
    obj.write_all(&mut out).context("writing the clip")?;
    Ok(out)
}

/// The library's clips, exams in upload order (640 × 480, seeded as before the library grew,
/// so the first four exams look the same).
pub(crate) fn library_clips() -> Result<Vec<ClipOrder>> {
    let mut work = Vec::new();
    for (k, DemoExam { exam, clips, .. }) in exams()?.into_iter().enumerate() {
        for (n, clip) in clips.into_iter().enumerate() {
            work.push(ClipOrder {
                exam: exam.clone(),
                n: n as u32 + 1,
                options: clip_options(&clip, 100 + (k * 10 + n) as u64),
                regions: true,
            });
        }
    }
    Ok(work)
}

/// How a demo clip is synthesised: 640 × 480 at its frames, rate and syntax.
pub(crate) fn clip_options(clip: &ExamClip, seed: u64) -> SynthOptions {
    SynthOptions {
        width: 640,
        height: 480,
        frames: clip.frames,
        syntax: clip.syntax,
        fps: clip.fps,
        seed,
    }
}

/// Synthesises and dresses clips, spread over the cores, in the order given.
pub(crate) fn synthesise(work: &[ClipOrder]) -> Result<Vec<Vec<u8>>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, work.len().max(1));
    let mut done: Vec<(usize, Result<Vec<u8>>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..work.len())
                        .step_by(threads)
                        .map(|i| (i, work[i].make()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![(0, Err(anyhow::anyhow!("a synthesis thread failed")))]
                })
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, file)| file).collect()
}

/// The machine each site's exams are done on: (institution, manufacturer, model) by site code.
pub(crate) fn sites() -> Result<BTreeMap<String, (String, String, String)>> {
    let studies: StudiesFile = toml::from_str(STUDIES).context(STUDIES_FILE)?;
    Ok(studies
        .sites
        .into_iter()
        .map(|(code, site)| {
            let device = (site.institution, studies.manufacturer.clone(), site.model);
            (code, device)
        })
        .collect())
}

/// Queues the demo studies as an upload by the first demo expert, once.
pub async fn seed(db: &Db, importer: &Importer) -> Result<()> {
    let (jobs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM import_jobs")
        .fetch_one(&db.pool)
        .await?;
    if jobs > 0 {
        return Ok(());
    }
    // The demo studies arrive as the first expert's upload, made by the seeding job.
    let actor = Actor {
        user: users::credentials(db, "chen.jing").await?.map(|c| c.id),
        via: model::AuditVia::Job,
    };
    let started = std::time::Instant::now();
    let files = tokio::task::spawn_blocking(|| synthesise(&library_clips()?)).await??;
    let synthesis_ms = started.elapsed().as_millis() as u64;
    let job = importer
        .open_inbox(&actor, ImportKind::Upload, &JobLabel::Upload)
        .await?;
    for file in &files {
        importer.add_file(&job, file, None).await?;
    }
    importer.close_inbox(&job, None).await?;
    tracing::info!(
        files = files.len(),
        synthesis_ms,
        "demo studies queued for import"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exams_keep_their_numbers_and_only_wang_fang_comes_twice() {
        let exams = exams().unwrap();
        for (i, DemoExam { exam, clips, .. }) in exams.iter().enumerate() {
            assert_eq!(
                exam.study_uid,
                study_uid(i as u32 + 1),
                "exams stay in k order"
            );
            assert!(!clips.is_empty());
        }
        assert_eq!(exams[SPARE_EXAM as usize - 1].exam.description, "eFAST");
        let mut patients: Vec<&str> = exams.iter().map(|e| e.exam.patient_id.as_str()).collect();
        patients.sort_unstable();
        patients.dedup();
        assert_eq!(patients.len(), exams.len() - 1);
        // Case clips are cheap: 24–32 frames.
        for DemoExam { exam, clips, .. } in &exams[4..] {
            for clip in clips {
                assert!((24..=32).contains(&clip.frames), "{}", exam.study_uid);
            }
        }
    }

    /// The file's problems are named by the file and the exam.
    #[test]
    fn a_broken_studies_file_names_the_exam() {
        let broken = |from: &str, to: &str| {
            assert!(STUDIES.contains(from), "{from}");
            let text = STUDIES.replacen(from, to, 1);
            format!("{:#}", parse("studies.toml", &text).unwrap_err())
        };
        let error = broken("number = 7\n", "number = 8\n");
        assert!(
            error.contains("studies.toml: exam 8 (HUANG^HAO=黄^浩) is number 7"),
            "{error}"
        );
        let error = broken("site = \"NM\"", "site = \"XX\"");
        assert!(error.contains("exam 7 (HUANG^HAO=黄^浩)"), "{error}");
        assert!(error.contains("site XX"), "{error}");
        let error = broken("description = \"Lung US\"", "descripton = \"Lung US\"");
        assert!(error.starts_with("studies.toml"), "{error}");
        assert!(error.contains("descripton"), "{error}");
    }
}
