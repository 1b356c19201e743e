//! Checks on the demo library's data: what the seed cannot discover until it runs against a
//! database (a frame past a clip's end, a score that contradicts the report, a story that breaks
//! the workflow) fails here first.
use super::{DemoCase, Step, library, reviewer_of};
use crate::demo_studies;
use model::cases::{
    CaseContent, CaseStatus, Concordance, FollowUp, PuzzleKind, Transition, concordance,
};
use model::scores::{Finding, StenosisGrade, TiradsLevel, worst_grade};
use model::{Shape, SiteId};

const EMERGENCY: [&str; 5] = ["efast", "lung", "cardiac", "aaa", "dvt"];

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The case's content as saved (dummy clip and site ids), normalised as the backend does.
fn saved(content: &CaseContent) -> CaseContent {
    let mut content = content.clone();
    content.origin_site = SiteId("site".into());
    for (i, clip) in content.clips.iter_mut().enumerate() {
        clip.sop_uid = format!("sop{i}");
    }
    content
        .normalise()
        .unwrap_or_else(|(field, reason)| panic!("{field}: {reason:?}"))
}

/// What a case's story leaves behind, played against the workflow rules.
struct Ending {
    status: CaseStatus,
    publications: u32,
    changes_requested: bool,
    follow_ups: Vec<FollowUp>,
    content: CaseContent,
}

fn play(case: &DemoCase) -> Ending {
    let mut ending = Ending {
        status: CaseStatus::Draft,
        publications: 0,
        changes_requested: false,
        follow_ups: Vec::new(),
        content: saved(&case.content),
    };
    let title = &case.content.title;
    let go = |ending: &mut Ending, step: Transition| {
        let (from, to) = step.from_to();
        assert!(
            from.contains(&ending.status),
            "{title}: {step:?} from {:?}",
            ending.status
        );
        ending.status = to;
    };
    for step in &case.story {
        match step {
            Step::Submit => go(&mut ending, Transition::Submit),
            Step::Publish => {
                go(&mut ending, Transition::Publish);
                ending.publications += 1;
            }
            Step::RequestChanges { comment } => {
                assert!(!comment.trim().is_empty());
                go(&mut ending, Transition::RequestChanges);
                ending.changes_requested = true;
            }
            Step::ReviewNote { .. } => {}
            Step::Revise => go(&mut ending, Transition::Revise),
            Step::Edit(edit) => {
                assert_eq!(
                    ending.status,
                    CaseStatus::Draft,
                    "{title}: only drafts are edited"
                );
                edit.apply(&mut ending.content);
                ending.content = saved(&ending.content);
            }
            Step::Retire { reason } => {
                assert!(!reason.trim().is_empty());
                go(&mut ending, Transition::Retire);
            }
            Step::FollowUp(outcome) => {
                assert_ne!(ending.status, CaseStatus::Retired, "{title}");
                let input = outcome.input().normalise().expect("a valid follow-up");
                ending.follow_ups.push(FollowUp {
                    id: String::new(),
                    kind: input.kind,
                    day_offset: input.day_offset,
                    bethesda: input.bethesda,
                    malignant: input.malignant,
                    confirms: input.confirms,
                    summary: input.summary,
                    added_by: case.author.clone(),
                    created_at: 0,
                });
            }
            Step::Comment(_) | Step::Attempt(_) => {
                assert!(
                    ending.publications > 0,
                    "{title}: only published cases are discussed"
                );
                assert_ne!(ending.status, CaseStatus::Retired, "{title}");
            }
        }
    }
    ending
}

#[test]
fn every_case_saves_and_teaches_in_both_languages() {
    for case in library() {
        let c = saved(&case.content);
        let title = &c.title;
        for (field, text) in [
            ("history", &c.history),
            ("findings", &c.findings),
            ("impression", &c.impression),
            ("diagnosis", &c.diagnosis),
        ] {
            assert!(!text.is_empty(), "{title}: {field} is needed to submit");
        }
        // Teaching points: 3–5 top-level Markdown list items, some of them in bold.
        let points = c
            .teaching_points
            .lines()
            .filter(|l| {
                l.starts_with("- ")
                    || l.split_once(". ")
                        .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
            })
            .count();
        assert!(
            (3..=5).contains(&points),
            "{title}: {points} teaching points"
        );
        assert!(c.teaching_points.contains("**"), "{title}");
        assert!(c.tags.iter().any(|t| has_cjk(t)), "{title}: a Chinese tag");
        assert!(
            c.tags.iter().any(|t| !has_cjk(t)),
            "{title}: an English tag"
        );
        // The content's language is the title's.
        assert_eq!(has_cjk(title), has_cjk(&c.findings), "{title}");
    }
    let english = library()
        .iter()
        .filter(|c| !has_cjk(&c.content.title))
        .count();
    assert!(
        english >= 4 && english * 2 < library().len(),
        "{english} English cases"
    );
}

#[test]
fn each_case_has_its_own_exam_and_its_marks_fit_the_clips() {
    let exams = demo_studies::exams().expect("the demo exams");
    let mut used = Vec::new();
    for case in library() {
        let title = &case.content.title;
        assert!(
            case.exam >= 5 && case.exam != demo_studies::SPARE_EXAM,
            "{title}"
        );
        assert!(
            !used.contains(&case.exam),
            "{title}: exam {} is taken",
            case.exam
        );
        used.push(case.exam);
        let demo_studies::DemoExam { exam, clips, .. } = &exams[case.exam as usize - 1];
        assert_eq!(exam.study_uid, demo_studies::study_uid(case.exam));
        // A second clip is synthesised only for a case that uses it.
        assert_eq!(clips.len(), case.content.clips.len(), "{title}");
        for (clip, made) in case.content.clips.iter().zip(clips) {
            assert!(!clip.caption.is_empty(), "{title}");
            assert!((1..=3).contains(&clip.key_frames.len()), "{title}");
            assert!(clip.key_frames.iter().all(|f| *f < made.frames), "{title}");
            assert!((1..=3).contains(&clip.annotations.len()), "{title}");
            for a in &clip.annotations {
                assert!(
                    a.first_frame <= a.last_frame && a.last_frame < made.frames,
                    "{title}"
                );
                let points = match &a.shape {
                    Shape::Arrow { tail, head } => vec![*tail, *head],
                    Shape::Ellipse { center, rx, ry } => vec![
                        model::Point {
                            x: center.x - rx,
                            y: center.y - ry,
                        },
                        model::Point {
                            x: center.x + rx,
                            y: center.y + ry,
                        },
                    ],
                    Shape::Polygon { points } => points.clone(),
                    Shape::Text { at, .. } => vec![*at],
                };
                // Below the (blacked-out) banner and inside the 640 × 480 frame.
                assert!(
                    points
                        .iter()
                        .all(|p| (0.0..640.0).contains(&p.x) && (50.0..480.0).contains(&p.y)),
                    "{title}: {a:?}"
                );
            }
        }
        for step in &case.story {
            if let Step::Comment(post) = step
                && let Some((clip, frame)) = post.at()
            {
                assert!(
                    frame < clips[clip].frames,
                    "{title}: comment on frame {frame}"
                );
            }
        }
    }
    // Every exam after the original four belongs to a case.
    assert_eq!(used.len(), exams.len() - 4);
}

#[test]
fn scores_agree_with_the_written_report() {
    let expected_levels: [(u32, &[TiradsLevel]); 5] = [
        (5, &[TiradsLevel::Tr5]),
        (6, &[TiradsLevel::Tr3]),
        (7, &[TiradsLevel::Tr1]),
        (8, &[TiradsLevel::Tr4]),
        (10, &[TiradsLevel::Tr2, TiradsLevel::Tr4, TiradsLevel::Tr1]),
    ];
    for case in library() {
        let c = &case.content;
        let levels: Vec<TiradsLevel> = c
            .scores
            .iter()
            .filter_map(|f| match f {
                Finding::ThyroidNodule(n) => Some(n.acr().level),
                Finding::Carotid(_) => None,
            })
            .collect();
        if let Some((_, want)) = expected_levels.iter().find(|(exam, _)| *exam == case.exam) {
            assert_eq!(levels, want.to_vec(), "{}", c.title);
        } else {
            assert!(levels.is_empty(), "{}", c.title);
        }
        let text = format!("{}\n{}", c.findings, c.impression).replace(' ', "");
        for level in &levels {
            let n = level.number();
            assert!(
                text.contains(&format!("TR{n}")) || text.contains(&format!("TI-RADS{n}")),
                "{}: TR{n} is not in the report",
                c.title
            );
        }
        for finding in &c.scores {
            if let Finding::Carotid(side) = finding {
                let sru = side.sru().expect("graded");
                assert!(sru.concordant, "{}: velocities disagree", c.title);
            }
        }
        if let Some(grade) = worst_grade(&c.scores) {
            let said = match grade {
                StenosisGrade::Normal => "normal",
                StenosisGrade::Under50 => "<50",
                StenosisGrade::From50To69 => "50–69",
                StenosisGrade::Over70 => "≥70",
                StenosisGrade::NearOcclusion => "次全闭塞",
                StenosisGrade::Occlusion => "闭塞",
            };
            assert!(
                text.contains(said),
                "{}: {said} is not in the report",
                c.title
            );
        }
    }
}

#[test]
fn unknown_cases_without_a_score_ask_with_choices() {
    for case in library() {
        let c = &case.content;
        let kind = c.puzzle_kind();
        if EMERGENCY.contains(&c.application.as_str()) {
            assert!((3..=4).contains(&c.choices.len()), "{}", c.title);
            assert!(matches!(kind, PuzzleKind::Choice(_)), "{}", c.title);
        }
        assert!(
            !matches!(kind, PuzzleKind::FreeText),
            "{}: nothing to mark",
            c.title
        );
    }
}

#[test]
fn the_stories_cover_the_workflow_and_the_outcomes() {
    let cases = library();
    let endings: Vec<(&DemoCase, Ending)> = cases.iter().map(|c| (c, play(c))).collect();
    let count = |status| endings.iter().filter(|(_, e)| e.status == status).count();
    assert!(count(CaseStatus::Published) >= 12);
    assert_eq!(count(CaseStatus::Draft), 1);
    assert_eq!(count(CaseStatus::Retired), 1);
    let waiting: Vec<_> = endings
        .iter()
        .filter(|(_, e)| e.status == CaseStatus::InReview)
        .collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].0.author, "chen.jing");
    assert_eq!(reviewer_of("chen.jing"), "wang.lei");
    let published: Vec<_> = endings
        .iter()
        .filter(|(_, e)| e.status == CaseStatus::Published)
        .collect();
    assert!(
        published.iter().any(|(_, e)| e.publications == 2),
        "a version 2"
    );
    assert!(
        published.iter().any(|(_, e)| e.changes_requested),
        "a review round"
    );
    for expert in ["chen.jing", "wang.lei"] {
        assert!(published.iter().filter(|(c, _)| c.author == expert).count() >= 5);
    }
    let by_area = |codes: &[&str]| {
        published
            .iter()
            .filter(|(c, _)| codes.contains(&c.content.application.as_str()))
            .count()
    };
    assert!(by_area(&["thyroid"]) >= 5 && by_area(&["carotid"]) >= 3 && by_area(&EMERGENCY) >= 3);
    // Most published cases are settled; two or three wait for their outcome.
    let pending = published
        .iter()
        .filter(|(_, e)| {
            concordance(e.content.impression_call, &e.follow_ups) == Concordance::Pending
        })
        .count();
    assert!((2..=3).contains(&pending), "{pending} awaiting follow-up");
    assert!(published.iter().any(|(_, e)| {
        concordance(e.content.impression_call, &e.follow_ups) == Concordance::Discordant
    }));
    // At least two threads where a learner points at a frame and an expert's answer, also at a
    // frame, is marked.
    let threads = cases
        .iter()
        .filter(|c| {
            let posts: Vec<_> = c
                .story
                .iter()
                .filter_map(|s| match s {
                    Step::Comment(post) => Some(post),
                    _ => None,
                })
                .collect();
            let learner_asks = posts.iter().any(|p| {
                p.at().is_some() && ["li.na", "zhang.wei", "liu.yang"].contains(&p.by.as_str())
            });
            let expert_answers = posts.iter().any(|p| {
                p.at().is_some()
                    && p.marked_by.is_some()
                    && ["chen.jing", "wang.lei"].contains(&p.by.as_str())
            });
            learner_asks && expert_answers
        })
        .count();
    assert!(threads >= 2, "{threads} answered threads");
}
