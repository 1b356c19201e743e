//! The demo case library's data: `server/demo/cases/*.toml`, embedded in the binary, read into
//! [`DemoCase`]s and checked for what would trip the seed (a frame past a clip's end, an
//! account that does not exist, a follow-up the form would refuse), each problem named by
//! its file and case. The format is described in `server/demo/README.md`.
use super::{DemoCase, EXPERTS, Step};
use crate::demo_studies::{self, DemoExam, ExamClip};
use crate::seed::DEMO_ACCOUNTS;
use anyhow::{Context, Result, anyhow, bail};
use model::cases::{Call, CaseClip, CaseContent, FollowUpKind, PuzzleKind};
use model::scores::Finding;
use model::{AgeBand, Annotation, Difficulty, Point, Role, Sex, Shape, SiteId};
use serde::Deserialize;

/// The data files, by the name their errors give, in the order the library lists them.
const FILES: [(&str, &str); 3] = [
    (
        "demo/cases/thyroid.toml",
        include_str!("../../demo/cases/thyroid.toml"),
    ),
    (
        "demo/cases/carotid.toml",
        include_str!("../../demo/cases/carotid.toml"),
    ),
    (
        "demo/cases/emergency.toml",
        include_str!("../../demo/cases/emergency.toml"),
    ),
];

/// Annotation colours: findings in yellow, pointers in cyan, labels in green.
const FINDING: &str = "#ffd54f";
const POINTER: &str = "#4dd0e1";
const LABEL: &str = "#81c784";

/// Every demo case, in file order (thyroid first). The embedded files are checked by the
/// tests, so this cannot fail in a build that passed them.
pub(crate) fn library() -> Vec<DemoCase> {
    load().unwrap_or_else(|e| panic!("the embedded demo case library: {e:#}"))
}

/// Reads and checks every data file; the error names each problem's file and case.
pub(crate) fn load() -> Result<Vec<DemoCase>> {
    read(&FILES)
}

/// Reads `(file name, text)` data files as one library, each exam used by one case only.
fn read(files: &[(&str, &str)]) -> Result<Vec<DemoCase>> {
    let exams = demo_studies::exams()?;
    let mut cases: Vec<(&str, DemoCase)> = Vec::new();
    let mut problems = Vec::new();
    for (file, text) in files {
        match parse(file, text, &exams) {
            Ok(more) => {
                for case in more {
                    if let Some((_, first)) = cases.iter().find(|(_, c)| c.exam == case.exam) {
                        problems.push(format!(
                            "{file}, case «{}»: exam {} is taken by «{}»",
                            case.content.title, case.exam, first.content.title
                        ));
                    }
                    cases.push((file, case));
                }
            }
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    if problems.is_empty() {
        Ok(cases.into_iter().map(|(_, case)| case).collect())
    } else {
        Err(anyhow!(problems.join("\n")))
    }
}

/// A data file: its `[[case]]` blocks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<CaseEntry>,
}

/// One `[[case]]` block as written: the case editor's fields, the exam it is written over and
/// who writes it, then its scores, clips and story.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseEntry {
    exam: u32,
    author: String,
    application: String,
    title: String,
    age_band: AgeBand,
    sex: Sex,
    difficulty: Difficulty,
    impression_call: Option<Call>,
    #[serde(default)]
    tags: Vec<String>,
    history: String,
    findings: String,
    impression: String,
    diagnosis: String,
    #[serde(default)]
    differential: String,
    teaching_points: String,
    #[serde(default)]
    choices: Vec<String>,
    answer: Option<u32>,
    /// Kept as written until checked: a misspelt optional field must not vanish silently.
    #[serde(default, rename = "score")]
    scores: Vec<toml::Table>,
    #[serde(default, rename = "clip")]
    clips: Vec<ClipEntry>,
    #[serde(default)]
    story: Vec<Step>,
}

/// One `[[case.clip]]`: the exam's clip at the same position.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClipEntry {
    caption: String,
    key_frames: Vec<u32>,
    #[serde(default)]
    annotations: Vec<Mark>,
}

/// An annotation as written: a shape in image pixels, shown on frames `[first, last]`.
#[derive(Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case", deny_unknown_fields)]
enum Mark {
    Arrow {
        tail: [f64; 2],
        head: [f64; 2],
        frames: [u32; 2],
    },
    Ellipse {
        center: [f64; 2],
        rx: f64,
        ry: f64,
        frames: [u32; 2],
    },
    Text {
        at: [f64; 2],
        text: String,
        frames: [u32; 2],
    },
}

impl Mark {
    /// The annotation in the house colours: what is found, what points, what is written.
    fn annotation(self) -> Annotation {
        let at = |[x, y]: [f64; 2]| Point { x, y };
        let (shape, frames, color) = match self {
            Mark::Arrow { tail, head, frames } => (
                Shape::Arrow {
                    tail: at(tail),
                    head: at(head),
                },
                frames,
                POINTER,
            ),
            Mark::Ellipse {
                center,
                rx,
                ry,
                frames,
            } => (
                Shape::Ellipse {
                    center: at(center),
                    rx,
                    ry,
                },
                frames,
                FINDING,
            ),
            Mark::Text {
                at: anchor,
                text,
                frames,
            } => (
                Shape::Text {
                    at: at(anchor),
                    text,
                },
                frames,
                LABEL,
            ),
        };
        Annotation {
            shape,
            first_frame: frames[0],
            last_frame: frames[1],
            color: Some(color.to_string()),
        }
    }
}

/// Reads one data file against the demo exams.
fn parse(file: &str, text: &str, exams: &[DemoExam]) -> Result<Vec<DemoCase>> {
    let parsed: CaseFile = toml::from_str(text).map_err(|e| {
        // Name the case the error is in: the last `[[case]]` that starts before it.
        let case = e
            .span()
            .and_then(|span| {
                let number = text[..span.start]
                    .lines()
                    .filter(|line| line.trim() == "[[case]]")
                    .count();
                let raw: toml::Table = toml::from_str(text).ok()?;
                let title = raw.get("case")?.get(number.checked_sub(1)?)?.get("title")?;
                Some(format!(", case «{}»", title.as_str()?.trim()))
            })
            .unwrap_or_default();
        anyhow!("{file}{case}: {e}")
    })?;
    parsed
        .case
        .into_iter()
        .map(|entry| {
            let title = entry.title.trim().to_string();
            case(entry, exams).with_context(|| format!("{file}, case «{title}»"))
        })
        .collect()
}

/// One case, its references checked.
fn case(entry: CaseEntry, exams: &[DemoExam]) -> Result<DemoCase> {
    let Some(exam) = exams.get((entry.exam as usize).wrapping_sub(1)) else {
        bail!("exam {} is not in demo/studies.toml", entry.exam);
    };
    if entry.exam == demo_studies::SPARE_EXAM {
        bail!("exam {} is kept for the browser test", entry.exam);
    }
    let exam_clips = &exam.clips;
    if !EXPERTS.contains(&entry.author.as_str()) {
        bail!("the author {} is not a demo expert", entry.author);
    }
    if entry.clips.len() > exam_clips.len() {
        bail!(
            "{} clips, but exam {} has {}",
            entry.clips.len(),
            entry.exam,
            exam_clips.len()
        );
    }
    let mut clips = Vec::new();
    for (n, (clip, made)) in entry.clips.into_iter().zip(exam_clips).enumerate() {
        let past_end = |frame: u32| frame >= made.frames;
        if let Some(frame) = clip.key_frames.iter().find(|f| past_end(**f)) {
            bail!(
                "clip {n}: key frame {frame}, but the clip has {} frames",
                made.frames
            );
        }
        let annotations: Vec<Annotation> =
            clip.annotations.into_iter().map(Mark::annotation).collect();
        for a in &annotations {
            if a.first_frame > a.last_frame || past_end(a.last_frame) {
                bail!(
                    "clip {n}: an annotation on frames {}–{}, but the clip has {} frames",
                    a.first_frame,
                    a.last_frame,
                    made.frames
                );
            }
        }
        clips.push(CaseClip {
            sop_uid: String::new(),
            caption: clip.caption.trim().to_string(),
            key_frames: clip.key_frames,
            annotations,
        });
    }
    let scores = entry
        .scores
        .into_iter()
        .enumerate()
        .map(|(n, table)| finding(table).with_context(|| format!("[[case.score]] {}", n + 1)))
        .collect::<Result<Vec<_>>>()?;
    if let Some(answer) = entry.answer
        && answer as usize >= entry.choices.len()
    {
        bail!(
            "answer {answer}, but there are {} choices",
            entry.choices.len()
        );
    }
    let text = |t: String| t.trim().to_string();
    let content = CaseContent {
        title: text(entry.title),
        application: entry.application,
        age_band: entry.age_band,
        sex: entry.sex,
        origin_site: SiteId(String::new()),
        history: text(entry.history),
        findings: text(entry.findings),
        impression: text(entry.impression),
        impression_call: entry.impression_call,
        diagnosis: text(entry.diagnosis),
        differential: text(entry.differential),
        teaching_points: text(entry.teaching_points),
        difficulty: entry.difficulty,
        tags: entry.tags,
        scores,
        clips,
        choices: entry.choices,
        answer: entry.answer,
    };
    for (n, step) in entry.story.iter().enumerate() {
        check_step(step, &content, exam_clips)
            .with_context(|| format!("[[case.story]] {}", n + 1))?;
    }
    Ok(DemoCase {
        exam: entry.exam,
        author: entry.author,
        site: exam.site.clone(),
        content,
        story: entry.story,
    })
}

/// A score block as the model reads it, refusing fields the model does not know.
fn finding(table: toml::Table) -> Result<Finding> {
    let finding: Finding = toml::Value::Table(table.clone()).try_into()?;
    let known = toml::Value::try_from(&finding)?;
    if let Some(field) = unknown_field(&table, &known, "") {
        bail!("unknown field `{field}`");
    }
    Ok(finding)
}

/// The first key of `written` (dotted path) that `known` does not have.
fn unknown_field(written: &toml::Table, known: &toml::Value, path: &str) -> Option<String> {
    written.iter().find_map(|(key, value)| {
        let here = format!("{path}{key}");
        match (value, known.get(key)) {
            (_, None) => Some(here),
            (toml::Value::Table(inner), Some(known)) => {
                unknown_field(inner, known, &format!("{here}."))
            }
            _ => None,
        }
    })
}

/// The references of one story event: accounts, clip frames, the follow-up form's rules and
/// the kind of answer the case asks for.
fn check_step(step: &Step, content: &CaseContent, exam_clips: &[ExamClip]) -> Result<()> {
    let account = |name: &str, role: Option<Role>| -> Result<()> {
        let found = DEMO_ACCOUNTS
            .iter()
            .find(|(username, ..)| *username == name)
            .with_context(|| format!("{name} is not a demo account"))?;
        match role {
            Some(role) if found.2 != role => bail!("{name} is not a demo {}", role.as_str()),
            _ => Ok(()),
        }
    };
    let said = |what: &str, text: &str| -> Result<()> {
        if text.is_empty() {
            bail!("the {what} is empty");
        }
        Ok(())
    };
    match step {
        Step::Submit | Step::Publish | Step::Revise | Step::Edit(_) => Ok(()),
        Step::RequestChanges { comment } | Step::ReviewNote { comment } => said("comment", comment),
        Step::Retire { reason } => said("reason", reason),
        Step::FollowUp(outcome) => {
            outcome
                .input()
                .normalise()
                .map_err(|(field, reason)| anyhow!("follow-up {field}: {reason:?}"))?;
            match (outcome.kind, outcome.malignant) {
                (FollowUpKind::Fna, Some(_)) => {
                    bail!("an FNA's malignancy follows from its Bethesda category")
                }
                (kind, Some(_)) if !kind.is_pathology() => bail!(
                    "{} follow-ups say whether they confirm the impression, not whether it is \
                     malignant",
                    kind.as_str()
                ),
                _ => Ok(()),
            }
        }
        Step::Comment(post) => {
            account(&post.by, None)?;
            if let Some(expert) = &post.marked_by {
                account(expert, Some(Role::Expert))?;
            }
            said("comment", &post.body)?;
            match (post.clip, post.frame) {
                (None, None) => Ok(()),
                (Some(clip), Some(frame)) => {
                    if clip >= content.clips.len() {
                        bail!(
                            "a comment on clip {clip}, but the case has {} clips",
                            content.clips.len()
                        );
                    }
                    let frames = exam_clips[clip].frames;
                    if frame >= frames {
                        bail!(
                            "a comment on frame {frame} of clip {clip}, which has {frames} frames"
                        );
                    }
                    Ok(())
                }
                _ => bail!("a comment points at a clip and a frame, or at neither"),
            }
        }
        Step::Attempt(attempt) => {
            account(&attempt.by, Some(Role::Learner))?;
            let answer = attempt.input();
            said("impression", &answer.impression)?;
            let fits = match content.puzzle_kind() {
                PuzzleKind::Tirads(_) => {
                    answer.grade.is_none()
                        && answer.choice.is_none()
                        && answer.tirads.is_some_and(|level| (1..=5).contains(&level))
                }
                PuzzleKind::Stenosis(_) => {
                    answer.tirads.is_none() && answer.choice.is_none() && answer.grade.is_some()
                }
                PuzzleKind::Choice(_) => {
                    answer.tirads.is_none()
                        && answer.grade.is_none()
                        && answer
                            .choice
                            .is_some_and(|choice| (choice as usize) < content.choices.len())
                }
                PuzzleKind::FreeText => {
                    answer.tirads.is_none() && answer.grade.is_none() && answer.choice.is_none()
                }
            };
            if !fits {
                bail!(
                    "the answer does not fit the case's question ({:?})",
                    content.puzzle_kind()
                );
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error `parse` gives for data file `file` with `from` replaced by `to`.
    fn broken(file: usize, from: &str, to: &str) -> String {
        let (name, text) = FILES[file];
        assert!(text.contains(from), "{from}");
        let exams = demo_studies::exams().unwrap();
        match parse(name, &text.replacen(from, to, 1), &exams) {
            Ok(_) => panic!("{from} → {to} was accepted"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn every_data_file_parses_and_its_references_hold() {
        let exams = demo_studies::exams().unwrap();
        for (file, text) in FILES {
            let cases = parse(file, text, &exams).unwrap_or_else(|e| panic!("{e:#}"));
            assert!(!cases.is_empty(), "{file}");
        }
        assert_eq!(load().unwrap().len(), library().len());
    }

    #[test]
    fn a_wrong_reference_is_named_by_its_file_and_case() {
        const THYROID: &str = "demo/cases/thyroid.toml, case «右叶 TR5 实性极低回声结节";
        const CAROTID: &str = "demo/cases/carotid.toml, case «Soft hypoechoic plaque";
        for (file, from, to, problem) in [
            (
                0,
                "clip = 0\nframe = 14",
                "clip = 0\nframe = 28",
                "frame 28 of clip 0",
            ),
            (
                0,
                "clip = 1\nframe = 8",
                "clip = 2\nframe = 8",
                "comment on clip 2",
            ),
            (0, "clip = 1\nframe = 8", "frame = 8", "or at neither"),
            (
                0,
                "key_frames = [6, 14]",
                "key_frames = [6, 40]",
                "key frame 40",
            ),
            (0, "frames = [0, 27]", "frames = [0, 28]", "frames 0–28"),
            (0, "kind = \"fna\"", "kind = \"biopsy\"", "biopsy"),
            (0, "bethesda = 6\n", "", "bethesda: Required"),
            (
                0,
                "\"histopathology\"\nday = 35",
                "\"imaging\"\nday = 35",
                "imaging follow-ups",
            ),
            (
                0,
                "foci = [\"punctate\"]",
                "focci = [\"punctate\"]",
                "`focci`",
            ),
            (1, "echo = \"hypo\"", "echo = \"dark\"", "dark"),
            (1, "length_mm = 11", "lenght_mm = 11", "`plaque.lenght_mm`"),
            (
                0,
                "by = \"li.na\"",
                "by = \"li.nah\"",
                "li.nah is not a demo account",
            ),
            (
                0,
                "marked_by = \"wang.lei\"",
                "marked_by = \"li.na\"",
                "not a demo expert",
            ),
            (
                0,
                "author = \"chen.jing\"",
                "author = \"li.na\"",
                "author li.na",
            ),
            (0, "tirads = 4", "choice = 1", "does not fit"),
            (0, "exam = 5", "exam = 21", "exam 21"),
        ] {
            let error = broken(file, from, to);
            let case = [THYROID, CAROTID][file];
            assert!(error.starts_with(case), "{from}: {error}");
            assert!(error.contains(problem), "{from}: {error}");
        }
    }

    #[test]
    fn a_syntax_error_is_named_by_its_file_and_line() {
        let error = broken(0, "sex = \"female\"", "sex = female");
        assert!(error.starts_with("demo/cases/thyroid.toml"), "{error}");
        assert!(error.contains("line 16"), "{error}");
    }

    #[test]
    fn an_exam_is_used_by_one_case_only() {
        let mut files = FILES;
        let carotid = files[1].1.replacen("exam = 12", "exam = 11", 1);
        files[1].1 = &carotid;
        let error = format!("{:#}", read(&files).err().unwrap());
        assert_eq!(
            error,
            "demo/cases/carotid.toml, case «右侧颈内动脉 50–69% 狭窄：混合回声钙化斑块»: exam 11 is \
             taken by «Soft hypoechoic plaque in the left ICA, <50% stenosis»"
        );
    }
}
