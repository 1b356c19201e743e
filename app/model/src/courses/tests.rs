use super::*;
use std::collections::HashSet;

fn lesson(key: &str, required: bool) -> Lesson {
    Lesson {
        key: key.into(),
        title: format!("Lesson {key}"),
        required,
        body: LessonBody::Reading {
            markdown: "Text".into(),
        },
    }
}

fn module(key: &str, prerequisites: &[&str], lessons: Vec<Lesson>) -> Module {
    Module {
        key: key.into(),
        title: format!("Module {key}"),
        prerequisites: prerequisites.iter().map(|p| p.to_string()).collect(),
        lessons,
    }
}

fn course() -> CourseContent {
    CourseContent {
        title: "Emergency ultrasound".into(),
        summary: String::new(),
        application: None,
        self_enrol: true,
        modules: vec![
            module("efast", &[], vec![lesson("e1", true), lesson("e2", false)]),
            module("lung", &["efast"], vec![lesson("l1", true)]),
            module("aaa", &[], vec![lesson("a1", true)]),
        ],
    }
}

fn done(keys: &[&str]) -> HashSet<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

#[test]
fn a_module_opens_when_its_prerequisites_are_done() {
    use ModuleState::*;
    let c = course();
    assert_eq!(module_states(&c, &done(&[])), vec![Open, Locked, Open]);
    // Optional lessons do not hold a module back.
    assert_eq!(module_states(&c, &done(&["e1"])), vec![Done, Open, Open]);
    // Lessons done in a locked module (on an earlier version) do not open it.
    assert_eq!(module_states(&c, &done(&["l1"])), vec![Open, Locked, Open]);
}

#[test]
fn a_course_is_complete_when_every_module_is_done() {
    let c = course();
    let partial = completion(&c, &done(&["e1", "a1"]));
    assert_eq!((partial.required_done, partial.required), (2, 3));
    assert!(!partial.complete);
    let full = completion(&c, &done(&["e1", "l1", "a1"]));
    assert_eq!((full.required_done, full.required), (3, 3));
    assert!(full.complete);
}

#[test]
fn prerequisites_name_earlier_modules_only() {
    let mut c = course();
    assert_eq!(validate_course(&c), Ok(()));
    c.modules[0].prerequisites = vec!["lung".into()];
    assert_eq!(
        validate_course(&c),
        Err(crate::AppError::Invalid {
            field: "modules.0.prerequisites.0".into(),
            reason: crate::InvalidReason::Unknown
        })
    );
}

#[test]
fn keys_are_unique_and_titles_required() {
    let mut c = course();
    c.modules[1].lessons[0].key = "e1".into();
    assert_eq!(
        validate_course(&c),
        Err(crate::AppError::Invalid {
            field: "modules.1.lessons.0.key".into(),
            reason: crate::InvalidReason::Taken
        })
    );
    let mut c = course();
    c.modules[2].lessons[0].title = "  ".into();
    assert!(
        matches!(validate_course(&c), Err(crate::AppError::Invalid { field, .. }) if field == "modules.2.lessons.0.title")
    );
    let mut c = course();
    c.modules[2].key = "AAA module".into();
    assert!(
        matches!(validate_course(&c), Err(crate::AppError::Invalid { field, .. }) if field == "modules.2.key")
    );
    let mut c = course();
    c.modules[2].lessons.clear();
    assert!(
        matches!(validate_course(&c), Err(crate::AppError::Invalid { field, .. }) if field == "modules.2.lessons")
    );
}

#[test]
fn a_clip_lesson_names_a_well_formed_uid() {
    let mut c = course();
    c.modules[0].lessons[0].body = LessonBody::Clip {
        sop_uid: "1.2.3; DROP".into(),
        annotations: vec![],
        narration: String::new(),
    };
    assert!(
        matches!(validate_course(&c), Err(crate::AppError::Invalid { field, .. }) if field == "modules.0.lessons.0.body.sop_uid")
    );
}
