//! The demo courses' data: `server/demo/courses/*.toml`, embedded in the binary and read with
//! serde. Nothing here holds a coordinate: the keys of clip questions name a structure or a
//! fact of the phantom's ground truth and are computed from it (see `bank`). The format is
//! described in `server/demo/README.md`.
use anyhow::{Context, Result, bail};
use cine::synth::Scene;
use model::quiz::{GradingMethod, OrderingGrading, Partial};
use model::{AgeBand, Difficulty};
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;

const CLIPS: (&str, &str) = (
    "demo/courses/clips.toml",
    include_str!("../../demo/courses/clips.toml"),
);
const QUESTIONS: (&str, &str) = (
    "demo/courses/questions.toml",
    include_str!("../../demo/courses/questions.toml"),
);
const COURSES: [(&str, &str); 2] = [
    (
        "demo/courses/zh.toml",
        include_str!("../../demo/courses/zh.toml"),
    ),
    (
        "demo/courses/en.toml",
        include_str!("../../demo/courses/en.toml"),
    ),
];
const LEARNERS: (&str, &str) = (
    "demo/courses/learners.toml",
    include_str!("../../demo/courses/learners.toml"),
);

/// Text as written, without the line breaks that open and close a multi-line string.
fn trimmed<'de, D: Deserializer<'de>>(text: D) -> Result<String, D::Error> {
    String::deserialize(text).map(|t| t.trim().to_string())
}

/// A teaching clip: a phantom scene dressed as an exam, and the case that publishes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TeachingClip {
    pub scene: Scene,
    pub seed: u64,
    pub frames: u32,
    pub fps: f64,
    /// Code of the site the exam is dressed as done at.
    pub site: String,
    /// The expert who writes the case; the other publishes it.
    pub author: String,
    pub application: String,
    /// DICOM identity, e.g. `ZHAO^LEI=赵^磊`; removed by the anonymiser.
    pub patient_name: String,
    pub patient_id: String,
    pub birth_date: String,
    /// DICOM sex, `M` or `F`.
    pub sex: String,
    pub study_date: String,
    pub age_band: AgeBand,
    pub difficulty: Difficulty,
    pub title: String,
    #[serde(deserialize_with = "trimmed")]
    pub history: String,
    #[serde(deserialize_with = "trimmed")]
    pub findings: String,
    #[serde(deserialize_with = "trimmed")]
    pub impression: String,
    pub diagnosis: String,
    #[serde(deserialize_with = "trimmed")]
    pub teaching_points: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub caption: String,
    /// The truth structure outlined on the case's clip (see `bank::target`).
    pub structure: String,
    /// The label written beside it.
    pub label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClipsFile {
    clip: Vec<TeachingClip>,
}

/// The stored name of a question kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KindName {
    Single,
    Multiple,
    TrueFalse,
    Ordering,
    Hotspot,
    FrameSelection,
    Measurement,
}

/// Which frame (or run of frames) of the truth a frame-selection question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FrameFact {
    /// `morison_fluid`: the first frame with free fluid.
    FluidFirstFrame,
    /// Vein scenes: the run of frames where the vein is fully compressed.
    FullyCompressedFrames,
    /// `lung_point`: the frame where the lung point lies furthest left.
    LungPointLeftmost,
}

/// Which measurement of the truth a measurement question expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MeasureFact {
    /// `morison_fluid`: the fluid stripe's thickness on the last frame.
    FluidThicknessLast,
    /// `aorta`: outer wall to outer wall.
    AortaDiameter,
    /// `pericardial_effusion`: the widest (posterior) gap at end-diastole.
    EffusionMax,
}

/// A question's words in one language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Words {
    #[serde(deserialize_with = "trimmed")]
    pub stem: String,
    /// Options (single, multiple) or items in the right order (ordering).
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(deserialize_with = "trimmed")]
    pub explanation: String,
}

/// One `[[question]]`: its kind and key (from the truth for clip questions), how the
/// simulated learners fare on it, and its words in both languages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuestionEntry {
    pub key: String,
    pub application: String,
    #[serde(default)]
    pub topic: String,
    pub kind: KindName,
    /// The teaching clip asked on.
    pub clip: Option<Scene>,
    /// Hotspot: the truth structure to click.
    pub structure: Option<String>,
    /// Hotspot: the structure a wrong click often lands on.
    pub lure: Option<String>,
    /// Frame selection: what to pick.
    pub frames: Option<FrameFact>,
    /// Measurement: what to measure.
    pub measure: Option<MeasureFact>,
    /// Frames (frame selection) or millimetres (measurement).
    pub tolerance: Option<f64>,
    /// Measurement: tolerance in percent of the expected value instead.
    pub tolerance_pct: Option<f64>,
    /// Single: the right option.
    pub answer: Option<usize>,
    /// Multiple: the right options.
    #[serde(default)]
    pub answers: Vec<usize>,
    /// True/false: whether the statement is true.
    pub statement: Option<bool>,
    /// Multiple: part marks.
    pub partial: Option<Partial>,
    /// Ordering: part marks.
    pub ordering: Option<OrderingGrading>,
    /// Choice questions: the plausible wrong option most wrong answers pick.
    pub lure_option: Option<usize>,
    /// Item-response difficulty b (ability scale, 0 average).
    pub difficulty: f64,
    /// Item-response discrimination a; negative for a trap stronger learners fall into.
    #[serde(default = "one")]
    pub discrimination: f64,
    pub zh: Words,
    pub en: Words,
}

fn one() -> f64 {
    1.0
}

impl QuestionEntry {
    /// The words in `language`.
    pub fn words(&self, language: Language) -> &Words {
        match language {
            Language::Zh => &self.zh,
            Language::En => &self.en,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionsFile {
    question: Vec<QuestionEntry>,
}

/// A course's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Language {
    Zh,
    En,
}

/// A course as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CourseEntry {
    pub language: Language,
    /// The expert who writes its questions, quizzes and the course and publishes it.
    pub author: String,
    pub title: String,
    #[serde(deserialize_with = "trimmed")]
    pub summary: String,
    #[serde(default)]
    pub self_enrol: bool,
    pub module: Vec<ModuleEntry>,
}

/// A module: a reading, a clip, a case and a quiz, keyed `{key}-reading` and so on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModuleEntry {
    pub key: String,
    pub title: String,
    pub application: String,
    #[serde(default)]
    pub prerequisites: Vec<String>,
    pub reading: ReadingEntry,
    pub clip: ClipLessonEntry,
    pub case: CaseLessonEntry,
    pub quiz: QuizEntry,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReadingEntry {
    pub title: String,
    #[serde(deserialize_with = "trimmed")]
    pub markdown: String,
}

/// A clip lesson: a teaching clip with its truth structure outlined and labelled.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClipLessonEntry {
    pub title: String,
    pub scene: Scene,
    pub structure: String,
    pub label: String,
    #[serde(deserialize_with = "trimmed")]
    pub narration: String,
}

/// A case lesson: the first published library case of the module's application.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseLessonEntry {
    pub title: String,
    #[serde(default)]
    pub unknown: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuizEntry {
    /// The lesson's title; the quiz is titled after the course and the module.
    pub title: String,
    /// Keys of `questions.toml`, in the quiz's order.
    pub questions: Vec<String>,
    pub attempts: u32,
    #[serde(default)]
    pub grading: GradingMethod,
    pub time_limit_secs: Option<u32>,
    pub pass_mark: f64,
}

/// The simulated learners' names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LearnersFile {
    /// Display names; learner `k` (from 1) is `sim.learnerNN`.
    pub names: Vec<String>,
    /// Seed of the abilities and answers.
    pub seed: u64,
    /// How many of the learners also enrol themselves in the English course.
    pub english: usize,
}

/// Everything the seed reads.
pub(crate) struct DemoCourses {
    pub clips: Vec<TeachingClip>,
    pub questions: Vec<QuestionEntry>,
    pub courses: Vec<CourseEntry>,
    pub learners: LearnersFile,
}

impl DemoCourses {
    pub fn question(&self, key: &str) -> Option<&QuestionEntry> {
        self.questions.iter().find(|q| q.key == key)
    }

    pub fn clip(&self, scene: Scene) -> Option<&TeachingClip> {
        self.clips.iter().find(|c| c.scene == scene)
    }
}

fn parse<T: serde::de::DeserializeOwned>((file, text): (&str, &str)) -> Result<T> {
    toml::from_str(text).with_context(|| file.to_string())
}

/// Reads and checks the data files, naming the file and entry of the first problem.
pub(crate) fn load() -> Result<DemoCourses> {
    let clips: ClipsFile = parse(CLIPS)?;
    let questions: QuestionsFile = parse(QUESTIONS)?;
    let courses = COURSES
        .iter()
        .map(|f| parse::<CourseEntry>(*f))
        .collect::<Result<Vec<_>>>()?;
    let data = DemoCourses {
        clips: clips.clip,
        questions: questions.question,
        courses,
        learners: parse(LEARNERS)?,
    };
    check(&data)?;
    Ok(data)
}

/// What the seed would otherwise only find against a database.
fn check(data: &DemoCourses) -> Result<()> {
    let experts = ["chen.jing", "wang.lei"];
    for clip in &data.clips {
        if !experts.contains(&clip.author.as_str()) {
            bail!(
                "clips.toml, {}: author {} is no demo expert",
                clip.scene.name(),
                clip.author
            );
        }
    }
    let mut keys = HashSet::new();
    for q in &data.questions {
        let at = format!("questions.toml, {}", q.key);
        if !keys.insert(q.key.as_str()) {
            bail!("{at}: the key is used twice");
        }
        if let Some(scene) = q.clip
            && data.clip(scene).is_none()
        {
            bail!("{at}: no teaching clip of scene {}", scene.name());
        }
        let needs_clip = matches!(
            q.kind,
            KindName::Hotspot | KindName::FrameSelection | KindName::Measurement
        );
        let fits = match q.kind {
            KindName::Single => q.answer.is_some_and(|a| a < q.zh.options.len()),
            KindName::Multiple => {
                !q.answers.is_empty()
                    && q.partial.is_some()
                    && q.answers.iter().all(|a| *a < q.zh.options.len())
            }
            KindName::TrueFalse => q.statement.is_some(),
            KindName::Ordering => q.ordering.is_some() && q.zh.options.len() >= 3,
            KindName::Hotspot => q.structure.is_some(),
            KindName::FrameSelection => q.frames.is_some() && q.tolerance.is_some(),
            KindName::Measurement => {
                q.measure.is_some() && (q.tolerance.is_some() != q.tolerance_pct.is_some())
            }
        };
        if !fits || (needs_clip && q.clip.is_none()) {
            bail!("{at}: the fields do not fit a {:?} question", q.kind);
        }
        if q.zh.options.len() != q.en.options.len() {
            bail!("{at}: zh and en have different numbers of options");
        }
        for words in [&q.zh, &q.en] {
            let distinct: HashSet<&String> = words.options.iter().collect();
            if distinct.len() != words.options.len() {
                bail!("{at}: two options read the same");
            }
            if words.explanation.is_empty() {
                bail!("{at}: no explanation");
            }
        }
    }
    for course in &data.courses {
        if !experts.contains(&course.author.as_str()) {
            bail!(
                "{}: author {} is no demo expert",
                course.title,
                course.author
            );
        }
        for module in &course.module {
            let at = format!("{}, module {}", course.title, module.key);
            if data.clip(module.clip.scene).is_none() {
                bail!(
                    "{at}: no teaching clip of scene {}",
                    module.clip.scene.name()
                );
            }
            for key in &module.quiz.questions {
                if data.question(key).is_none() {
                    bail!("{at}: no question {key}");
                }
            }
        }
    }
    if data.learners.names.is_empty() || data.learners.english > data.learners.names.len() {
        bail!("learners.toml: names and english do not fit");
    }
    Ok(())
}
