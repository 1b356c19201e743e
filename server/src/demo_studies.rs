//! Demo studies: synthetic clips dressed as made-up patients' exams (names in Chinese and
//! Latin script, IDs, accession numbers, dates, the hospital) and sent through the real import
//! pipeline as an expert's upload, so the library shows what anonymisation leaves.
use anyhow::{Context, Result};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use domain::imports::Importer;
use domain::{Db, users};
use model::{ImportKind, JobLabel};

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

/// The source Study Instance UID of demo exam `k` (before anonymisation).
pub fn study_uid(k: u32) -> String {
    format!("1.2.826.0.1.3680043.10.1024.{k}")
}

/// The demo exam no seeded case uses, kept for the browser test that creates a case: the eFAST
/// of 陈晓明 (exams 1–4 are the original studies library; every case has its own exam from 5 on).
pub const SPARE_EXAM: u32 = 4;

/// The hub's name as the modality writes it.
const HUB: &str = "District Central Hospital 区中心医院";

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
        study_uid: study_uid(k),
        series_uid: format!("{}.1", study_uid(k)),
        description: description.to_string(),
        institution: HUB.to_string(),
        manufacturer: "SonoHub Synthetic".to_string(),
        model: "SH-US1".to_string(),
    }
}

impl Exam {
    /// The same exam done elsewhere: most case exams come from the community centres'
    /// portable machines, which is why the hub sees them at all.
    fn at(mut self, institution: &str, model: &str) -> Exam {
        self.institution = institution.to_string();
        self.model = model.to_string();
        self
    }
}

/// One clip of a demo exam.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExamClip {
    /// How the pixel data is stored.
    pub syntax: SynthSyntax,
    /// Number of frames; case annotations and comments must point below it.
    pub frames: u32,
    /// Frames per second.
    pub fps: f64,
}

/// A JPEG clip: every case clip is one, as they are the cheapest to synthesise and to clean.
fn jpeg(frames: u32, fps: f64) -> ExamClip {
    ExamClip {
        syntax: SynthSyntax::Jpeg,
        frames,
        fps,
    }
}

/// The demo patients' exams and the clips of each, in upload order.
///
/// Exams 1–4 keep their order and numbers (tests and the browser suite rely on them); exams
/// 5 onwards are the case library's, one per case (see `demo_cases`). Every patient except
/// 王芳 (exams 1 and 2) is a different person, so the library shows one repeated pseudonym.
/// Case clips stay at 24–32 frames: synthesis runs before the server listens.
pub fn exams() -> Vec<(Exam, Vec<ExamClip>)> {
    let community = |code: &str| match code {
        "DH" => "东湖街道社区卫生服务中心",
        "XC" => "西城街道社区卫生服务中心",
        "NM" => "南门街道社区卫生服务中心",
        "BG" => "北关街道社区卫生服务中心",
        "JB" => "江滨街道社区卫生服务中心",
        "QD" => "桥东街道社区卫生服务中心",
        "CN" => "城南街道社区卫生服务中心",
        "XH" => "新华街道社区卫生服务中心",
        "BH" => "滨河街道社区卫生服务中心",
        "CA" => "长安街道社区卫生服务中心",
        "HP" => "和平街道社区卫生服务中心",
        "QS" => "青山街道社区卫生服务中心",
        _ => HUB,
    };
    // The community centres' portable machine and the hub's cart-based one.
    let portable = "SH-P3";
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
                jpeg(40, 30.0),
                ExamClip {
                    syntax: SynthSyntax::Rle,
                    frames: 24,
                    fps: 25.0,
                },
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
            vec![jpeg(40, 30.0)],
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
            vec![jpeg(48, 30.0)],
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
            vec![jpeg(36, 20.0)],
        ),
        // Thyroid cases.
        (
            exam(
                "ZHAO^LI=赵^丽",
                "DH20240312",
                "19810623",
                "F",
                "20240312",
                5,
                "Thyroid US",
            )
            .at(community("DH"), portable),
            vec![jpeg(28, 25.0), jpeg(24, 25.0)],
        ),
        (
            exam(
                "SUN^XIUYING=孙^秀英",
                "XC20240408",
                "19690217",
                "F",
                "20240408",
                6,
                "Thyroid US",
            )
            .at(community("XC"), portable),
            vec![jpeg(24, 25.0)],
        ),
        (
            exam(
                "HUANG^HAO=黄^浩",
                "NM20240521",
                "19881105",
                "M",
                "20240521",
                7,
                "Thyroid US",
            )
            .at(community("NM"), portable),
            vec![jpeg(24, 25.0)],
        ),
        (
            exam(
                "ZHOU^TING=周^婷",
                "BG20240115",
                "19910730",
                "F",
                "20240115",
                8,
                "Thyroid US",
            )
            .at(community("BG"), portable),
            vec![jpeg(26, 25.0)],
        ),
        (
            exam(
                "XU^YAN=徐^燕",
                "JB20240627",
                "19980314",
                "F",
                "20240627",
                9,
                "Thyroid US",
            )
            .at(community("JB"), portable),
            vec![jpeg(24, 25.0)],
        ),
        (
            exam(
                "MA^GUIFANG=马^桂芳",
                "QD20240903",
                "19570909",
                "F",
                "20240903",
                10,
                "Thyroid US",
            )
            .at(community("QD"), portable),
            vec![jpeg(26, 25.0)],
        ),
        // Carotid cases.
        (
            exam(
                "ZHENG^JIANHUA=郑^建华",
                "CN20240219",
                "19660412",
                "M",
                "20240219",
                11,
                "Carotid duplex",
            )
            .at(community("CN"), portable),
            vec![jpeg(28, 30.0)],
        ),
        (
            exam(
                "HE^GUOQIANG=何^国强",
                "XH20240506",
                "19560101",
                "M",
                "20240506",
                12,
                "Carotid duplex",
            )
            .at(community("XH"), portable),
            vec![jpeg(28, 30.0)],
        ),
        (
            exam(
                "GUO^MINGDE=郭^明德",
                "HUB20240710",
                "19520318",
                "M",
                "20240710",
                13,
                "Carotid duplex",
            ),
            vec![jpeg(28, 30.0), jpeg(24, 30.0)],
        ),
        (
            exam(
                "LIANG^SHUFEN=梁^淑芬",
                "BH20240822",
                "19491127",
                "F",
                "20240822",
                14,
                "Carotid duplex",
            )
            .at(community("BH"), portable),
            vec![jpeg(28, 30.0)],
        ),
        (
            exam(
                "TANG^WEI=唐^伟",
                "CA20240116",
                "19780602",
                "M",
                "20240116",
                15,
                "Carotid duplex",
            )
            .at(community("CA"), portable),
            vec![jpeg(24, 30.0)],
        ),
        // Emergency point-of-care cases.
        (
            exam(
                "FENG^QIANG=冯^强",
                "QS20240429",
                "19960815",
                "M",
                "20240429",
                16,
                "eFAST",
            )
            .at(community("QS"), portable),
            vec![jpeg(30, 20.0)],
        ),
        (
            exam(
                "LIN^ZIHAO=林^子豪",
                "HP20241012",
                "20010221",
                "M",
                "20241012",
                17,
                "Lung US",
            )
            .at(community("HP"), portable),
            vec![jpeg(30, 20.0)],
        ),
        (
            exam(
                "CAO^YULAN=曹^玉兰",
                "HUB20240918",
                "19600504",
                "F",
                "20240918",
                18,
                "Focused cardiac",
            ),
            vec![jpeg(32, 30.0)],
        ),
        (
            exam(
                "LU^ZHIYUAN=陆^志远",
                "DH20241105",
                "19420710",
                "M",
                "20241105",
                19,
                "Aorta",
            )
            .at(community("DH"), portable),
            vec![jpeg(24, 20.0)],
        ),
        (
            exam(
                "SONG^LIPING=宋^丽萍",
                "XC20241128",
                "19700923",
                "F",
                "20241128",
                20,
                "Lower limb veins",
            )
            .at(community("XC"), portable),
            vec![jpeg(24, 20.0)],
        ),
    ]
}

/// Synthesises and dresses every demo clip, spread over the cores (exams in upload order).
fn synthesise() -> Result<Vec<Vec<u8>>> {
    let mut work = Vec::new();
    for (k, (exam, clips)) in exams().into_iter().enumerate() {
        for (n, clip) in clips.into_iter().enumerate() {
            let options = SynthOptions {
                width: 640,
                height: 480,
                frames: clip.frames,
                syntax: clip.syntax,
                fps: clip.fps,
                // Seeds as before the library grew, so the first four exams look the same.
                seed: 100 + (k * 10 + n) as u64,
            };
            work.push((exam.clone(), n as u32 + 1, options));
        }
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, work.len().max(1));
    let mut done: Vec<(usize, Result<Vec<u8>>)> = std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    (t..work.len())
                        .step_by(threads)
                        .map(|i| {
                            let (exam, n, options) = &work[i];
                            let made = synth_clip(options)
                                .map_err(anyhow::Error::from)
                                .and_then(|bytes| dress(&bytes, exam, *n));
                            (i, made)
                        })
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

/// Queues the demo studies as an upload by the first demo expert, once.
pub async fn seed(db: &Db, importer: &Importer) -> Result<()> {
    let (jobs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM import_jobs")
        .fetch_one(&db.pool)
        .await?;
    if jobs > 0 {
        return Ok(());
    }
    let expert = users::credentials(db, "chen.jing").await?.map(|c| c.id.0);
    let started = std::time::Instant::now();
    let files = tokio::task::spawn_blocking(synthesise).await??;
    let synthesis_ms = started.elapsed().as_millis() as u64;
    let job = importer
        .open_inbox(ImportKind::Upload, &JobLabel::Upload, expert.as_deref())
        .await?;
    for file in &files {
        importer.add_file(&job, file).await?;
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
        let exams = exams();
        for (i, (exam, clips)) in exams.iter().enumerate() {
            assert_eq!(
                exam.study_uid,
                study_uid(i as u32 + 1),
                "exams stay in k order"
            );
            assert!(!clips.is_empty());
        }
        assert_eq!(exams[SPARE_EXAM as usize - 1].0.description, "eFAST");
        let mut patients: Vec<&str> = exams.iter().map(|(e, _)| e.patient_id.as_str()).collect();
        patients.sort_unstable();
        patients.dedup();
        assert_eq!(patients.len(), exams.len() - 1);
        // Case clips are cheap: 24–32 frames.
        for (exam, clips) in &exams[4..] {
            for clip in clips {
                assert!((24..=32).contains(&clip.frames), "{}", exam.study_uid);
            }
        }
    }
}
