//! The demo courses' data against the phantom's truth, without a database: every file reads,
//! every question's key builds and fits its clip, and the simulated answers earn what they
//! are meant to.
use super::answers::{self, Rng};
use super::data::{self, Language};
use super::{bank, clips};
use cine::synth::phantom_truth;
use model::quiz::{QuestionKind, needs_clip, score, validate};
use std::collections::HashMap;

#[test]
fn every_question_builds_from_the_truth_and_answers_mark_as_meant() {
    let data = data::load().unwrap();
    let truths: HashMap<_, _> = data
        .clips
        .iter()
        .map(|c| (c.scene, phantom_truth(&clips::options(c), c.scene).unwrap()))
        .collect();
    let mut rng = Rng::new(1);
    for entry in &data.questions {
        let truth = entry.clip.map(|s| &truths[&s]);
        for language in [Language::Zh, Language::En] {
            let input = bank::input(entry, language, truth.map(|t| (t, "1.2.3"))).unwrap();
            validate(&input.kind).unwrap_or_else(|e| panic!("{}: {e:?}", entry.key));
            assert_eq!(
                needs_clip(&input.kind),
                input.clip.is_some(),
                "{}",
                entry.key
            );
            if let QuestionKind::Hotspot { targets, frames } = &input.kind {
                let t = truth.unwrap();
                assert_eq!(*frames, t.frames);
                assert!(!targets.is_empty(), "{}", entry.key);
                for target in targets {
                    assert!(target.shape.fits(t.width, t.height), "{}", entry.key);
                }
            }
            for right in [true, false] {
                for _ in 0..20 {
                    let answer =
                        answers::author_answer(&input.kind, entry, truth, right, &mut rng).unwrap();
                    let mark = score(&input.kind, &answer).unwrap().fraction;
                    assert_eq!(mark == 1.0, right, "{} {answer:?}", entry.key);
                }
            }
        }
    }
}

#[test]
fn every_course_has_five_modules_and_the_efast_quiz_every_kind() {
    let data = data::load().unwrap();
    assert_eq!(data.courses.len(), 2);
    for course in &data.courses {
        assert_eq!(course.module.len(), 5, "{}", course.title);
        let efast = &course.module[0];
        let kinds: std::collections::HashSet<_> = efast
            .quiz
            .questions
            .iter()
            .map(|k| data.question(k).unwrap().kind)
            .collect();
        assert_eq!(kinds.len(), 7, "{}", course.title);
        assert!(course.module.iter().any(|m| m.case.unknown));
    }
}

#[test]
fn clip_annotations_come_from_the_truth() {
    let data = data::load().unwrap();
    for clip in &data.clips {
        let truth = phantom_truth(&clips::options(clip), clip.scene).unwrap();
        let notes = bank::annotations(&truth, &clip.structure, &clip.label).unwrap();
        assert!(notes.len() >= 2, "{}", clip.scene.name());
    }
}
