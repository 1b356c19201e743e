//! `/courses/{id}/edit` (`new` for a new course): the course editor. Authors write the course
//! → modules → lessons of the working copy, save it, and publish it as the next version
//! (learners already enrolled keep theirs) or take it out of the catalogue. Clip lessons are
//! annotated on the cine viewer; case, clip and quiz lessons choose from what is published.
use super::kind_label;
use crate::api::cases::applications;
use crate::api::courses::{
    course_working_copy, publish_course, quiz_list, save_course, teaching_clips, unpublish_course,
};
use crate::api::replays::replay_list;
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::{PageTitle, lang_code};
use crate::components::replay::mmss;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::courses::{CourseContent, CourseId, CourseWork, Lesson, LessonBody, Module};
use crate::model::quiz::{QuizSummary, TeachingClip};
use crate::model::replay::ReplaySummary;
use crate::model::{AppError, Application, CaseId, CaseStatus, QuizId, text_lang};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_navigate, use_params_map};

/// What lessons may point at: published clips (and so their cases), quizzes, published
/// replays, applications.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Choices {
    clips: Vec<TeachingClip>,
    quizzes: Vec<QuizSummary>,
    replays: Vec<ReplaySummary>,
    apps: Vec<Application>,
}

impl Choices {
    /// Published cases, once each, in the clips' order (newest first).
    fn cases(&self) -> Vec<(CaseId, String)> {
        let mut seen = Vec::<(CaseId, String)>::new();
        for clip in &self.clips {
            if !seen.iter().any(|(id, _)| *id == clip.case_id) {
                seen.push((clip.case_id.clone(), clip.case_title.clone()));
            }
        }
        seen
    }

    fn clip(&self, sop: &str) -> Option<&TeachingClip> {
        self.clips.iter().find(|c| c.sop_uid == sop)
    }
}

/// The first key `prefix1`, `prefix2`, … not in `taken`.
fn free_key(prefix: &str, taken: &[&str]) -> String {
    (1..)
        .map(|n| format!("{prefix}{n}"))
        .find(|k| !taken.contains(&k.as_str()))
        .unwrap_or_default()
}

fn lesson_keys(c: &CourseContent) -> Vec<&str> {
    c.modules
        .iter()
        .flat_map(|m| &m.lessons)
        .map(|l| l.key.as_str())
        .collect()
}

fn new_lesson(c: &CourseContent, module_key: &str) -> Lesson {
    Lesson {
        key: free_key(&format!("{module_key}-"), &lesson_keys(c)),
        title: String::new(),
        required: true,
        body: LessonBody::Reading {
            markdown: String::new(),
        },
    }
}

fn new_module(c: &CourseContent) -> Module {
    let keys: Vec<&str> = c.modules.iter().map(|m| m.key.as_str()).collect();
    let key = free_key("m", &keys);
    let lesson = new_lesson(c, &key);
    Module {
        key,
        title: String::new(),
        prerequisites: Vec::new(),
        lessons: vec![lesson],
    }
}

fn new_course() -> CourseContent {
    let mut c = CourseContent {
        title: String::new(),
        summary: String::new(),
        application: None,
        self_enrol: false,
        modules: Vec::new(),
    };
    let module = new_module(&c);
    c.modules.push(module);
    c
}

/// A lesson body of `kind` with empty fields (the first published choice where one is
/// needed).
fn empty_body(kind: &str, choices: &Choices) -> LessonBody {
    match kind {
        "clip" => LessonBody::Clip {
            sop_uid: choices
                .clips
                .first()
                .map(|c| c.sop_uid.clone())
                .unwrap_or_default(),
            annotations: Vec::new(),
            narration: String::new(),
        },
        "case" => LessonBody::Case {
            case_id: choices
                .clips
                .first()
                .map(|c| c.case_id.clone())
                .unwrap_or_else(|| CaseId(String::new())),
            unknown: false,
        },
        "quiz" => LessonBody::Quiz {
            quiz_id: choices
                .quizzes
                .first()
                .map(|q| q.id.clone())
                .unwrap_or_else(|| QuizId(String::new())),
        },
        "replay" => LessonBody::Replay {
            replay_id: choices.replays.first().map(|r| r.id.0.clone()),
        },
        _ => LessonBody::Reading {
            markdown: String::new(),
        },
    }
}

/// Prerequisites may only name earlier modules: after a move, drop the ones that no longer do.
fn keep_prerequisites_earlier(c: &mut CourseContent) {
    let keys: Vec<String> = c.modules.iter().map(|m| m.key.clone()).collect();
    for (m, module) in c.modules.iter_mut().enumerate() {
        module.prerequisites.retain(|p| keys[..m].contains(p));
    }
}

/// A refusal of the course's own title or summary, named as the course's (the error labels
/// know `title` as a case's).
fn course_error(e: AppError) -> AppError {
    match e {
        AppError::Invalid { field, reason } if field == "title" || field == "summary" => {
            AppError::Invalid {
                field: format!("course.{field}"),
                reason,
            }
        }
        other => other,
    }
}

/// The field path of a refused save (`modules.1.lessons.0.title`), when there is one.
fn refused_field(result: Option<Result<(), AppError>>) -> Option<String> {
    match result {
        Some(Err(AppError::Invalid { field, .. })) => Some(field),
        _ => None,
    }
}

/// Shared state of the editor.
#[derive(Clone, Copy)]
struct Ed {
    content: RwSignal<CourseContent>,
    /// Bumped when modules or lessons are added, removed, moved or change kind: the outline
    /// is drawn again (typing in a field does not redraw it, so focus stays put).
    layout: RwSignal<u32>,
    /// The lesson whose clip is open for annotation.
    annotating: RwSignal<Option<(usize, usize)>>,
    /// The field the server refused.
    fault: Memo<Option<String>>,
    choices: StoredValue<Choices>,
}

impl Ed {
    fn restructure(&self, f: impl FnOnce(&mut CourseContent)) {
        self.content.update(f);
        self.annotating.set(None);
        self.layout.update(|n| *n += 1);
    }

    fn lesson<T>(&self, m: usize, l: usize, f: impl FnOnce(&Lesson) -> T) -> Option<T> {
        self.content.with(|c| {
            c.modules
                .get(m)
                .and_then(|module| module.lessons.get(l))
                .map(f)
        })
    }

    fn update_lesson(&self, m: usize, l: usize, f: impl FnOnce(&mut Lesson)) {
        self.content.update(|c| {
            if let Some(lesson) = c.modules.get_mut(m).and_then(|x| x.lessons.get_mut(l)) {
                f(lesson);
            }
        });
    }

    /// Whether the refused field lies under `prefix` (`modules.1`, `modules.1.lessons.0`).
    fn faulty(self, prefix: String) -> impl Fn() -> bool + Send + Sync + 'static {
        let fault = self.fault;
        move || {
            fault.with(|f| {
                f.as_deref().is_some_and(|f| {
                    f == prefix
                        || f.strip_prefix(prefix.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                })
            })
        }
    }
}

fn clip_label(i18n: I18nContext<Locale>, clip: &TeachingClip, n: usize) -> String {
    t_string!(
        i18n,
        course_edit.clip_option,
        case = clip.case_title.clone(),
        n = n,
        frames = clip.frames
    )
    .to_string()
}

/// The fields of a lesson's body, by kind.
fn body_fields(ed: Ed, m: usize, l: usize) -> AnyView {
    let i18n = use_i18n();
    let choices = ed.choices.get_value();
    let Some(body) = ed.lesson(m, l, |x| x.body.clone()) else {
        return ().into_any();
    };
    let id = format!("m{m}-l{l}");
    match body {
        LessonBody::Reading { .. } => view! {
            <label class="field field-wide">{t!(i18n, course_edit.markdown)}
                <textarea rows="8" data-testid=format!("lesson-markdown-{m}-{l}")
                    prop:value=move || ed.lesson(m, l, |x| match &x.body { LessonBody::Reading { markdown } => markdown.clone(), _ => String::new() }).unwrap_or_default()
                    on:input=move |ev| { let v = event_target_value(&ev); ed.update_lesson(m, l, |x| if let LessonBody::Reading { markdown } = &mut x.body { *markdown = v; }); }></textarea>
            </label>
            <p class="small muted field-wide">{t!(i18n, course_edit.markdown_hint)}</p>
        }
        .into_any(),
        LessonBody::Clip { sop_uid, .. } => {
            let count = move || {
                ed.lesson(m, l, |x| match &x.body {
                    LessonBody::Clip { annotations, .. } => annotations.len(),
                    _ => 0,
                })
                .unwrap_or(0)
            };
            let known = choices.clip(&sop_uid).is_some();
            let clips = choices.clips.clone();
            let mut n_in_case = std::collections::HashMap::<CaseId, usize>::new();
            let options = clips.into_iter().map(|clip| {
                let n = n_in_case.entry(clip.case_id.clone()).or_default();
                *n += 1;
                let label = { let clip = clip.clone(); let n = *n; move || clip_label(i18n, &clip, n) };
                let sop = clip.sop_uid.clone();
                let chosen = sop == sop_uid;
                view! { <option value=sop selected=chosen>{label}</option> }
            }).collect_view();
            view! {
                <label class="field field-wide">{t!(i18n, course_edit.clip)}
                    <select data-testid=format!("lesson-clip-{m}-{l}") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        ed.update_lesson(m, l, |x| if let LessonBody::Clip { sop_uid, annotations, .. } = &mut x.body { *sop_uid = v; annotations.clear(); });
                        ed.annotating.set(None);
                    }>
                        {(!known).then(|| view! { <option value="" selected=true>{t!(i18n, course_edit.choose_clip)}</option> })}
                        {options}
                    </select>
                </label>
                <label class="field field-wide">{t!(i18n, course_edit.narration)}
                    <textarea rows="4"
                        prop:value=move || ed.lesson(m, l, |x| match &x.body { LessonBody::Clip { narration, .. } => narration.clone(), _ => String::new() }).unwrap_or_default()
                        on:input=move |ev| { let v = event_target_value(&ev); ed.update_lesson(m, l, |x| if let LessonBody::Clip { narration, .. } = &mut x.body { *narration = v; }); }></textarea>
                </label>
                <div class="field-wide form-actions">
                    <button type="button" class="btn btn-small" data-testid=format!("annotate-{m}-{l}")
                        aria-expanded=move || (ed.annotating.get() == Some((m, l))).to_string()
                        on:click=move |_| ed.annotating.update(|a| *a = if *a == Some((m, l)) { None } else { Some((m, l)) })>
                        {move || if ed.annotating.get() == Some((m, l)) { t_string!(i18n, course_edit.annotate_close) } else { t_string!(i18n, course_edit.annotate_open) }}
                    </button>
                    <span class="small muted">{move || t_string!(i18n, course_edit.annotation_count, n = count()).to_string()}</span>
                </div>
                {move || (ed.annotating.get() == Some((m, l))).then(|| view! { <ClipAnnotator ed m l /> })}
            }
            .into_any()
        }
        LessonBody::Case { case_id, unknown } => {
            let cases = choices.cases();
            let known = cases.iter().any(|(id, _)| *id == case_id);
            view! {
                <label class="field field-wide">{t!(i18n, course_edit.case)}
                    <select data-testid=format!("lesson-case-{m}-{l}") on:change=move |ev| {
                        let v = CaseId(event_target_value(&ev));
                        ed.update_lesson(m, l, |x| if let LessonBody::Case { case_id, .. } = &mut x.body { *case_id = v; });
                    }>
                        {(!known).then(|| view! { <option value="" selected=true>{t!(i18n, course_edit.choose_case)}</option> })}
                        {cases.into_iter().map(|(cid, title)| {
                            let chosen = cid == case_id;
                            view! { <option value=cid.0.clone() selected=chosen>{title}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="check field-wide">
                    <input type="checkbox" prop:checked=unknown id=format!("{id}-unknown")
                        on:change=move |ev| { let on = event_target_checked(&ev); ed.update_lesson(m, l, |x| if let LessonBody::Case { unknown, .. } = &mut x.body { *unknown = on; }); } />
                    {t!(i18n, course_edit.unknown_case)}
                </label>
            }
            .into_any()
        }
        LessonBody::Quiz { quiz_id } => {
            let known = choices.quizzes.iter().any(|q| q.id == quiz_id);
            view! {
                <label class="field field-wide">{t!(i18n, course_edit.quiz)}
                    <select data-testid=format!("lesson-quiz-{m}-{l}") on:change=move |ev| {
                        let v = QuizId(event_target_value(&ev));
                        ed.update_lesson(m, l, |x| if let LessonBody::Quiz { quiz_id } = &mut x.body { *quiz_id = v; });
                    }>
                        {(!known).then(|| view! { <option value="" selected=true>{t!(i18n, course_edit.choose_quiz)}</option> })}
                        {choices.quizzes.iter().map(|q| {
                            let chosen = q.id == quiz_id;
                            let questions = q.questions;
                            let title = q.title.clone();
                            view! { <option value=q.id.0.clone() selected=chosen>{move || t_string!(i18n, course_edit.quiz_option, title = title.clone(), n = questions).to_string()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <p class="small field-wide">
                    {known.then(|| view! { <a href=format!("/quizzes/{}/edit", quiz_id.0)>{t!(i18n, course_edit.edit_quiz)}</a>" · " })}
                    <a href="/quizzes/new/edit">{t!(i18n, course_edit.new_quiz)}</a>
                </p>
            }
            .into_any()
        }
        LessonBody::Replay { replay_id } => {
            let replays = StoredValue::new(choices.replays.clone());
            let known = replay_id
                .as_ref()
                .is_some_and(|id| replays.with_value(|r| r.iter().any(|r| r.id.0 == *id)));
            let chosen = move || {
                let id = ed
                    .lesson(m, l, |x| match &x.body {
                        LessonBody::Replay { replay_id } => replay_id.clone(),
                        _ => None,
                    })
                    .flatten()?;
                replays.with_value(|r| r.iter().find(|r| r.id.0 == id).cloned())
            };
            let options = choices.replays.iter().map(|r| {
                let selected = replay_id.as_deref() == Some(r.id.as_str());
                let (title, duration) = (r.title.clone(), mmss(r.duration_ms));
                view! {
                    <option value=r.id.0.clone() selected=selected>
                        {move || t_string!(i18n, course_edit.replay_option, title = title.clone(), duration = duration.clone()).to_string()}
                    </option>
                }
            }).collect_view();
            view! {
                <label class="field field-wide">{t!(i18n, course_edit.replay)}
                    <select data-testid=format!("lesson-replay-{m}-{l}") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        ed.update_lesson(m, l, |x| if let LessonBody::Replay { replay_id } = &mut x.body {
                            *replay_id = (!v.is_empty()).then_some(v);
                        });
                    }>
                        {(!known).then(|| view! { <option value="" selected=true>{t!(i18n, course_edit.choose_replay)}</option> })}
                        {options}
                    </select>
                </label>
                {move || chosen().map(|r| {
                    let (title, duration, chapters) = (r.title.clone(), mmss(r.duration_ms), r.chapters);
                    let lang = text_lang(&title);
                    view! {
                        <p class="small field-wide" data-testid=format!("lesson-replay-chosen-{m}-{l}")>
                            <span lang=lang>
                                {move || t_string!(i18n, course_edit.replay_chosen, title = title.clone(), duration = duration.clone(), n = chapters).to_string()}
                            </span>
                            " · "
                            <a href=format!("/replays/{}", r.id)>{t!(i18n, course_edit.open_replay)}</a>
                        </p>
                    }
                })}
                {replays.with_value(Vec::is_empty).then(|| view! {
                    <p class="notice field-wide">{t!(i18n, course_edit.no_replays)}</p>
                })}
                <p class="small muted field-wide">{t!(i18n, course_edit.replay_hint)}</p>
            }
            .into_any()
        }
    }
}

/// The clip of a clip lesson on the viewer, its annotations drawn and edited in place.
#[component]
fn ClipAnnotator(ed: Ed, m: usize, l: usize) -> impl IntoView {
    let i18n = use_i18n();
    let (sop, marks) = ed
        .lesson(m, l, |x| match &x.body {
            LessonBody::Clip {
                sop_uid,
                annotations,
                ..
            } => (sop_uid.clone(), annotations.clone()),
            _ => (String::new(), Vec::new()),
        })
        .unwrap_or_default();
    let url = ed
        .choices
        .with_value(|c| c.clip(&sop).map(|clip| clip.url.clone()));
    let drawn = RwSignal::new(marks);
    Effect::new(move |_| {
        let list = drawn.get();
        ed.update_lesson(m, l, |x| {
            if let LessonBody::Clip { annotations, .. } = &mut x.body {
                *annotations = list;
            }
        });
    });
    match url {
        None => view! { <p class="notice field-wide">{t!(i18n, course_edit.choose_clip)}</p> }.into_any(),
        Some(url) => view! {
            <div class="field-wide lesson-annotator" data-testid="lesson-annotator">
                <p class="small muted">{t!(i18n, course_edit.annotate_hint)}</p>
                <CineViewer source=Signal::derive(move || Some(ClipSource::Url(url.clone()))) editable=drawn />
            </div>
        }
        .into_any(),
    }
}

const KINDS: [&str; 5] = ["reading", "clip", "case", "quiz", "replay"];

#[component]
fn LessonEditor(ed: Ed, m: usize, l: usize, last: bool) -> impl IntoView {
    let i18n = use_i18n();
    let kind = ed.lesson(m, l, |x| x.body.kind()).unwrap_or("reading");
    let prefix = format!("modules.{m}.lessons.{l}");
    let faulty = ed.faulty(prefix);
    let title_id = format!("lesson-title-{m}-{l}");
    view! {
        <li class="lesson-editor" class:has-fault=faulty data-testid=format!("lesson-{m}-{l}")>
            <fieldset class="form-grid">
                <legend>{move || t_string!(i18n, course_edit.lesson_n, n = l + 1).to_string()}</legend>
                <label class="field">{t!(i18n, course_edit.lesson_title)}
                    <input id=title_id data-testid=format!("lesson-title-{m}-{l}")
                        prop:value=move || ed.lesson(m, l, |x| x.title.clone()).unwrap_or_default()
                        on:input=move |ev| { let v = event_target_value(&ev); ed.update_lesson(m, l, |x| x.title = v); } />
                </label>
                <label class="field">{t!(i18n, course_edit.key)}
                    <input class="key-input" spellcheck="false" autocapitalize="off"
                        prop:value=move || ed.lesson(m, l, |x| x.key.clone()).unwrap_or_default()
                        on:input=move |ev| { let v = event_target_value(&ev); ed.update_lesson(m, l, |x| x.key = v); } />
                </label>
                <label class="field">{t!(i18n, course_edit.kind)}
                    <select data-testid=format!("lesson-kind-{m}-{l}") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let body = ed.choices.with_value(|c| empty_body(&v, c));
                        ed.restructure(|c| if let Some(x) = c.modules.get_mut(m).and_then(|x| x.lessons.get_mut(l)) { x.body = body; });
                    }>
                        {KINDS.into_iter().map(|k| view! { <option value=k selected=k == kind>{move || kind_label(i18n, k)}</option> }).collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || ed.lesson(m, l, |x| x.required).unwrap_or(true)
                        on:change=move |ev| { let on = event_target_checked(&ev); ed.update_lesson(m, l, |x| x.required = on); } />
                    {t!(i18n, course_edit.required)}
                </label>
                {body_fields(ed, m, l)}
                <div class="field-wide form-actions">
                    <button type="button" class="btn btn-small" disabled=l == 0
                        on:click=move |_| ed.restructure(|c| c.modules[m].lessons.swap(l - 1, l))>
                        {t!(i18n, course_edit.move_up)}
                    </button>
                    <button type="button" class="btn btn-small" disabled=last
                        on:click=move |_| ed.restructure(|c| c.modules[m].lessons.swap(l, l + 1))>
                        {t!(i18n, course_edit.move_down)}
                    </button>
                    <button type="button" class="btn btn-small btn-danger" data-testid=format!("remove-lesson-{m}-{l}")
                        on:click=move |_| ed.restructure(|c| { c.modules[m].lessons.remove(l); })>
                        {t!(i18n, course_edit.remove_lesson)}
                    </button>
                </div>
            </fieldset>
        </li>
    }
}

#[component]
fn ModuleEditor(ed: Ed, m: usize, last: bool) -> impl IntoView {
    let i18n = use_i18n();
    let faulty = ed.faulty(format!("modules.{m}"));
    let earlier: Vec<(String, String)> = ed.content.with_untracked(|c| {
        c.modules[..m]
            .iter()
            .map(|x| (x.key.clone(), x.title.clone()))
            .collect()
    });
    let lessons = ed.content.with_untracked(|c| c.modules[m].lessons.len());
    let module = move |f: fn(&Module) -> String| {
        ed.content
            .with(|c| c.modules.get(m).map(f).unwrap_or_default())
    };
    view! {
        <li class="panel module-editor" class:has-fault=faulty data-testid=format!("module-{m}")>
            <h2>{move || t_string!(i18n, course_edit.module_n, n = m + 1).to_string()}</h2>
            <div class="form-grid">
                <label class="field">{t!(i18n, course_edit.module_title)}
                    <input data-testid=format!("module-title-{m}")
                        prop:value=move || module(|x| x.title.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); ed.content.update(|c| if let Some(x) = c.modules.get_mut(m) { x.title = v; }); } />
                </label>
                <label class="field">{t!(i18n, course_edit.key)}
                    <input class="key-input" spellcheck="false" autocapitalize="off"
                        prop:value=move || module(|x| x.key.clone())
                        on:change=move |ev| {
                            // A renamed module stays the prerequisite of the modules that named it.
                            let new = event_target_value(&ev);
                            ed.restructure(|c| {
                                let old = std::mem::replace(&mut c.modules[m].key, new.clone());
                                for other in &mut c.modules {
                                    for p in &mut other.prerequisites {
                                        if *p == old { p.clone_from(&new); }
                                    }
                                }
                            });
                        } />
                </label>
                {(!earlier.is_empty()).then(|| view! {
                    <fieldset class="field-wide prerequisites">
                        <legend>{t!(i18n, course_edit.prerequisites)}</legend>
                        {earlier.into_iter().enumerate().map(|(n, (key, title))| {
                            let k = key.clone();
                            let label = if title.trim().is_empty() { key.clone() } else { title };
                            view! {
                                <label class="check">
                                    <input type="checkbox"
                                        prop:checked=move || ed.content.with(|c| c.modules.get(m).is_some_and(|x| x.prerequisites.contains(&k)))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let key = key.clone();
                                            ed.content.update(|c| {
                                                let p = &mut c.modules[m].prerequisites;
                                                p.retain(|x| *x != key);
                                                if on { p.push(key); }
                                            });
                                        } />
                                    {move || t_string!(i18n, course_edit.module_n, n = n + 1).to_string()}" · "{label}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                })}
            </div>
            <ol class="lesson-editors">
                {(0..lessons).map(|l| view! { <LessonEditor ed m l last=l + 1 == lessons /> }).collect_view()}
            </ol>
            <div class="form-actions">
                <button type="button" class="btn btn-small" data-testid=format!("add-lesson-{m}")
                    on:click=move |_| ed.restructure(|c| { let key = c.modules[m].key.clone(); let lesson = new_lesson(c, &key); c.modules[m].lessons.push(lesson); })>
                    {t!(i18n, course_edit.add_lesson)}
                </button>
                <button type="button" class="btn btn-small" disabled=m == 0
                    on:click=move |_| ed.restructure(|c| { c.modules.swap(m - 1, m); keep_prerequisites_earlier(c); })>
                    {t!(i18n, course_edit.move_up)}
                </button>
                <button type="button" class="btn btn-small" disabled=last
                    on:click=move |_| ed.restructure(|c| { c.modules.swap(m, m + 1); keep_prerequisites_earlier(c); })>
                    {t!(i18n, course_edit.move_down)}
                </button>
                <button type="button" class="btn btn-small btn-danger"
                    on:click=move |_| ed.restructure(|c| { let gone = c.modules.remove(m).key; for x in &mut c.modules { x.prerequisites.retain(|p| *p != gone); } })>
                    {t!(i18n, course_edit.remove_module)}
                </button>
            </div>
        </li>
    }
}

#[component]
fn Editor(id: Option<CourseId>, work: Option<CourseWork>, choices: Choices) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let content = RwSignal::new(work.as_ref().map_or_else(new_course, |w| w.content.clone()));
    let status = RwSignal::new(work.as_ref().map(|w| (w.published_version, w.listed)));
    let saved_id = StoredValue::new(id.clone());
    // Save, then (when asked) publish what was just saved: publishing takes the stored
    // working copy, so it is always the one on screen.
    let save = Action::new(move |publish: &bool| {
        let publish = *publish;
        let id = saved_id.get_value();
        let body = content.get_untracked();
        async move {
            let id = save_course(id, body).await?;
            let version = if publish {
                Some(publish_course(id.0.clone()).await?)
            } else {
                None
            };
            Ok::<_, AppError>((id, version))
        }
    });
    let unpublish = Action::new(move |_: &()| {
        let id = saved_id.get_value();
        async move {
            match id {
                Some(id) => unpublish_course(id.0).await,
                None => Ok(()),
            }
        }
    });
    let outcome = RwSignal::new(None::<Result<(), AppError>>);
    Effect::new(move |_| match save.value().get() {
        Some(Ok((id, version))) => {
            if let Some(v) = version {
                status.set(Some((Some(v), true)));
            } else if status.get_untracked().is_none() {
                status.set(Some((None, false)));
            }
            let new = saved_id.get_value().is_none();
            saved_id.set_value(Some(id.clone()));
            outcome.set(Some(Ok(())));
            if new {
                navigate(&format!("/courses/{id}/edit"), Default::default());
            }
        }
        Some(Err(e)) => outcome.set(Some(Err(course_error(e)))),
        None => {}
    });
    Effect::new(move |_| match unpublish.value().get() {
        Some(Ok(())) => {
            status.update(|s| {
                if let Some(s) = s {
                    s.1 = false;
                }
            });
            outcome.set(Some(Ok(())));
        }
        Some(Err(e)) => outcome.set(Some(Err(e))),
        None => {}
    });
    let fault = Memo::new(move |_| refused_field(outcome.get()));
    let ed = Ed {
        content,
        layout: RwSignal::new(0),
        annotating: RwSignal::new(None),
        fault,
        choices: StoredValue::new(choices.clone()),
    };
    let busy = move || save.pending().get() || unpublish.pending().get();
    let apps = choices.apps.clone();
    view! {
        <header class="page-head">
            <p class="breadcrumb">
                <a href="/courses">{t!(i18n, courses.title)}</a>
                {id.clone().map(|id| view! { " · " <a href=format!("/courses/{id}")>{t!(i18n, course_edit.open_course)}</a> })}
            </p>
            <h1>{move || {
                let title = content.with(|c| c.title.trim().to_string());
                if title.is_empty() { t_string!(i18n, course_edit.untitled).to_string() } else { title }
            }}</h1>
            <p data-testid="course-status">{move || match status.get() {
                None => t_string!(i18n, course_edit.status_new).to_string(),
                Some((None, _)) => t_string!(i18n, course_edit.status_draft).to_string(),
                Some((Some(v), true)) => t_string!(i18n, course_edit.status_listed, v = v).to_string(),
                Some((Some(v), false)) => t_string!(i18n, course_edit.status_unlisted, v = v).to_string(),
            }}</p>
            <p class="small muted">{t!(i18n, course_edit.versions_hint)}</p>
        </header>
        <fieldset class="panel form-grid" data-testid="course-form">
            <legend>{t!(i18n, course_edit.course)}</legend>
            <label class="field field-wide">{t!(i18n, course_edit.course_title)}
                <input data-testid="course-title" prop:value=move || content.with(|c| c.title.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); content.update(|c| c.title = v); } />
            </label>
            <label class="field">{t!(i18n, course_edit.application)}
                <select on:change=move |ev| { let v = event_target_value(&ev); content.update(|c| c.application = (!v.is_empty()).then_some(v)); }>
                    <option value="" selected=move || content.with(|c| c.application.is_none())>{t!(i18n, course_edit.no_application)}</option>
                    {apps.into_iter().map(|a| {
                        let code = a.code.clone();
                        let value = a.code.clone();
                        view! { <option value=value selected=move || content.with(|c| c.application.as_deref() == Some(code.as_str()))>{move || a.name(lang_code(i18n)).to_string()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="check">
                <input type="checkbox" data-testid="self-enrol" prop:checked=move || content.with(|c| c.self_enrol)
                    on:change=move |ev| { let on = event_target_checked(&ev); content.update(|c| c.self_enrol = on); } />
                {t!(i18n, course_edit.self_enrol)}
            </label>
            <label class="field field-wide">{t!(i18n, course_edit.summary)}
                <textarea rows="4" prop:value=move || content.with(|c| c.summary.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); content.update(|c| c.summary = v); }></textarea>
            </label>
        </fieldset>
        <ol class="module-editors" data-testid="modules-editor">
            {move || {
                ed.layout.get();
                let n = content.with_untracked(|c| c.modules.len());
                (0..n).map(|m| view! { <ModuleEditor ed m last=m + 1 == n /> }).collect_view()
            }}
        </ol>
        <p>
            <button type="button" class="btn" data-testid="add-module"
                on:click=move |_| ed.restructure(|c| { let module = new_module(c); c.modules.push(module); })>
                {t!(i18n, course_edit.add_module)}
            </button>
        </p>
        <div class="form-actions sticky-actions">
            <button type="button" class="btn btn-primary" data-testid="save-course" disabled=busy
                on:click=move |_| { save.dispatch(false); }>
                {t!(i18n, course_edit.save)}
            </button>
            <button type="button" class="btn" data-testid="publish-course" disabled=busy
                on:click=move |_| { save.dispatch(true); }>
                {t!(i18n, course_edit.save_publish)}
            </button>
            {move || status.get().is_some_and(|(_, listed)| listed).then(|| view! {
                <button type="button" class="btn btn-danger" data-testid="unpublish-course" disabled=busy
                    on:click=move |_| { unpublish.dispatch(()); }>
                    {t!(i18n, course_edit.unpublish)}
                </button>
            })}
            {move || match outcome.get() {
                Some(Ok(())) => Some(view! { <span class="form-ok" role="status" data-testid="course-saved">{t!(i18n, course_edit.saved)}</span> }.into_any()),
                Some(Err(e)) => Some(view! { <span class="form-error" role="alert" data-testid="course-error">{error_message(i18n, &e)}</span> }.into_any()),
                None => None,
            }}
        </div>
    }
    .into_any()
}

#[component]
fn CourseEdit_() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let data = resource::blocking(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        |id| async move {
            let id = match id.as_str() {
                "new" => None,
                other => Some(CourseId::from_path(other)?),
            };
            let work = match &id {
                Some(id) => Some(course_working_copy(id.0.clone()).await?),
                None => None,
            };
            let choices = Choices {
                clips: teaching_clips().await?,
                quizzes: quiz_list().await?,
                replays: replay_list()
                    .await?
                    .into_iter()
                    .filter(|r| r.status == CaseStatus::Published)
                    .collect(),
                apps: applications().await?,
            };
            Ok::<_, AppError>((id, work, choices))
        },
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || data.get().map(|res| match res {
                Ok((id, work, choices)) => view! { <Editor id work choices /> }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </Transition>
    }
}

/// `/courses/{id}/edit` for course authors.
#[component]
pub fn CourseEditPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.course_edit).to_string() />
        <section class="page course-edit">
            <Guarded roles=super::AUTHORS children=|_| view! { <CourseEdit_ /> }.into_any() />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InvalidReason;
    use crate::model::courses::validate_course;

    fn titled(mut c: CourseContent) -> CourseContent {
        c.title = "eFAST".into();
        for (m, module) in c.modules.iter_mut().enumerate() {
            module.title = format!("Module {m}");
            for lesson in &mut module.lessons {
                lesson.title = "Lesson".into();
                lesson.body = LessonBody::Reading {
                    markdown: "Text".into(),
                };
            }
        }
        c
    }

    #[test]
    fn a_new_course_lacks_only_what_the_author_must_write() {
        let c = new_course();
        assert_eq!(
            validate_course(&c),
            Err(AppError::Invalid {
                field: "title".into(),
                reason: InvalidReason::Required
            })
        );
        assert_eq!(validate_course(&titled(c)), Ok(()));
    }

    #[test]
    fn added_modules_and_lessons_get_keys_of_their_own() {
        let mut c = new_course();
        let second = new_module(&c);
        c.modules.push(second);
        let extra = new_lesson(&c, "m1");
        c.modules[0].lessons.push(extra);
        let keys: Vec<_> = c.modules.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["m1", "m2"]);
        assert_eq!(lesson_keys(&c), ["m1-1", "m1-2", "m2-1"]);
        assert_eq!(validate_course(&titled(c)), Ok(()));
    }

    #[test]
    fn a_module_moved_above_its_prerequisite_no_longer_names_it() {
        let mut c = new_course();
        let second = new_module(&c);
        c.modules.push(second);
        c.modules[1].prerequisites = vec!["m1".into()];
        c.modules.swap(0, 1);
        keep_prerequisites_earlier(&mut c);
        assert!(c.modules.iter().all(|m| m.prerequisites.is_empty()));
        assert_eq!(validate_course(&titled(c)), Ok(()));
    }

    #[test]
    fn the_course_title_is_named_as_the_course_s() {
        let refused = course_error(AppError::Invalid {
            field: "title".into(),
            reason: InvalidReason::Required,
        });
        assert_eq!(
            refused_field(Some(Err(refused))).as_deref(),
            Some("course.title")
        );
        let lesson = course_error(AppError::Invalid {
            field: "modules.0.lessons.1.title".into(),
            reason: InvalidReason::Required,
        });
        assert_eq!(
            refused_field(Some(Err(lesson))).as_deref(),
            Some("modules.0.lessons.1.title")
        );
    }
}
