//! Demo studies: synthetic clips dressed as made-up patients' exams (names in Chinese and
//! Latin script, IDs, accession numbers, dates, the hospital) and sent through the real import
//! pipeline as an expert's upload, so the library shows what anonymisation leaves.
use anyhow::{Context, Result};
use app::backend::imports::Importer;
use app::backend::{Db, users};
use app::cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use app::model::{ImportKind, JobLabel};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;

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

fn exam(
    name: &str,
    id: &str,
    birth: &str,
    sex: &str,
    date: &str,
    k: u32,
    description: &str,
) -> Exam {
    Exam {
        patient_name: name.to_string(),
        patient_id: id.to_string(),
        birth_date: birth.to_string(),
        sex: sex.to_string(),
        accession: format!("US{date}{k:03}"),
        study_date: date.to_string(),
        study_uid: format!("1.2.826.0.1.3680043.10.1024.{k}"),
        series_uid: format!("1.2.826.0.1.3680043.10.1024.{k}.1"),
        description: description.to_string(),
        institution: "District Central Hospital 区中心医院".to_string(),
        manufacturer: "SonoHub Synthetic".to_string(),
        model: "SH-US1".to_string(),
    }
}

/// One clip of a demo exam: encoding, frames, frames per second.
type DemoClip = (SynthSyntax, u32, f64);

/// The demo patients' exams and the clips of each.
fn exams() -> Vec<(Exam, Vec<DemoClip>)> {
    let clip = |syntax, frames, fps| (syntax, frames, fps);
    vec![
        (
            exam(
                "WANG^FANG=王^芳",
                "HUB20240117",
                "19680412",
                "F",
                "20240117",
                1,
                "Thyroid US",
            ),
            vec![
                clip(SynthSyntax::Jpeg, 40, 30.0),
                clip(SynthSyntax::Rle, 24, 25.0),
            ],
        ),
        (
            exam(
                "WANG^FANG=王^芳",
                "HUB20240117",
                "19680412",
                "F",
                "20240722",
                2,
                "Thyroid US follow-up",
            ),
            vec![clip(SynthSyntax::Jpeg, 40, 30.0)],
        ),
        (
            exam(
                "LIU^JIANGUO=刘^建国",
                "HUB20240305",
                "19550120",
                "M",
                "20240305",
                3,
                "Carotid duplex",
            ),
            vec![clip(SynthSyntax::Jpeg, 48, 30.0)],
        ),
        (
            exam(
                "CHEN^XIAOMING=陈^晓明",
                "DH20240611",
                "19900908",
                "M",
                "20240611",
                4,
                "eFAST",
            ),
            vec![clip(SynthSyntax::Jpeg, 36, 20.0)],
        ),
    ]
}

/// Queues the demo studies as an upload by the first demo expert, once.
pub async fn seed(db: &Db, importer: &Importer) -> Result<()> {
    let (jobs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM import_jobs")
        .fetch_one(&db.pool)
        .await?;
    if jobs > 0 {
        return Ok(());
    }
    let expert = users::credentials(db, "chen.jing").await?.map(|c| c.id.0);
    let files = tokio::task::spawn_blocking(|| -> Result<Vec<Vec<u8>>> {
        let mut files = Vec::new();
        for (k, (exam, clips)) in exams().into_iter().enumerate() {
            for (n, (syntax, frames, fps)) in clips.into_iter().enumerate() {
                let bytes = synth_clip(&SynthOptions {
                    width: 640,
                    height: 480,
                    frames,
                    syntax,
                    fps,
                    seed: 100 + (k * 10 + n) as u64,
                })?;
                files.push(dress(&bytes, &exam, n as u32 + 1)?);
            }
        }
        Ok(files)
    })
    .await??;
    let job = importer
        .open_inbox(ImportKind::Upload, &JobLabel::Upload, expert.as_deref())
        .await?;
    for file in &files {
        importer.add_file(&job, file).await?;
    }
    importer.close_inbox(&job, None).await?;
    tracing::info!(files = files.len(), "demo studies queued for import");
    Ok(())
}
