//! The question editor: what every question has (application, topic, stem, explanation), the
//! kind with its answer fields, and saving; a new question then moves to its own address.
use super::on_clip::ClipQuestion;
use super::{NEW, choices, draft, edit_href};
use crate::api::cases::applications;
use crate::api::courses::{SaveQuestion, question_for_editor, teaching_clips};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::quiz::{QuestionInput, TeachingClip, kind_name, needs_clip};
use crate::model::{AppError, Application, InvalidReason, QuestionId};
use crate::pages::courses::report::kind_label;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The longest stem and explanation the server takes (in bytes, as it counts them).
const STEM_MAX: &str = "4000";
const EXPLANATION_MAX: &str = "20000";
const TOPIC_MAX: &str = "64";

#[component]
fn Editor(
    id: Option<QuestionId>,
    question: Option<QuestionInput>,
    apps: Vec<Application>,
    clips: Vec<TeachingClip>,
    /// The application a new question starts in (the bank's filter).
    preset: Option<String>,
    /// The question was just created (the editor moved to its address).
    created: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let is_new = id.is_none();
    let start = question.unwrap_or_else(|| {
        let application = preset
            .filter(|code| apps.iter().any(|a| a.code == *code))
            .or_else(|| apps.first().map(|a| a.code.clone()))
            .unwrap_or_default();
        draft::new_question(application)
    });
    let question = RwSignal::new(start);
    let clips = StoredValue::new(clips);
    let kind = Memo::new(move |_| question.with(|q| kind_name(&q.kind)));
    let save = ServerAction::<SaveQuestion>::new();
    // What the editor itself refuses before asking the server.
    let refused = RwSignal::new(None::<AppError>);
    let error = Memo::new(move |_| {
        refused
            .get()
            .or_else(|| save.value().get().and_then(Result::err))
    });
    let invalid = Memo::new(move |_| match error.get() {
        Some(AppError::Invalid { field, .. }) => Some(field),
        _ => None,
    });
    let flag = move |field: &'static str| {
        move || {
            invalid
                .with(|f| f.as_deref() == Some(field))
                .then_some("true")
        }
    };

    let navigate = use_navigate();
    let shown = id.clone();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get()
            && Some(&saved) != shown.as_ref()
        {
            navigate(
                &format!("{}?saved=1", edit_href(saved.as_str())),
                Default::default(),
            );
        }
    });
    let id = StoredValue::new(id);
    let submit = move |as_new: bool| {
        let mut input = question.get_untracked();
        if !needs_clip(&input.kind) {
            input.clip = None;
        } else if input.clip.is_none() {
            // The server would first complain about the kind's fields that need the clip.
            refused.set(Some(AppError::invalid("clip", InvalidReason::Required)));
            return;
        }
        refused.set(None);
        save.dispatch(SaveQuestion {
            id: if as_new { None } else { id.get_value() },
            question: input,
        });
    };
    let change_kind = move |name: String| {
        let frames = question
            .with_untracked(|q| q.clip.clone())
            .and_then(|sop| {
                clips.with_value(|list| list.iter().find(|c| c.sop_uid == sop).map(|c| c.frames))
            })
            .unwrap_or(0);
        question.update(|q| q.kind = draft::blank_kind(&name, frames));
    };
    let answer = move || match kind.get() {
        "single" => choices::options(i18n, question, false),
        "multiple" => choices::options(i18n, question, true),
        "true_false" => choices::true_false(i18n, question),
        "ordering" => choices::ordering(i18n, question),
        on_clip => view! { <ClipQuestion question clips kind=on_clip invalid /> }.into_any(),
    };

    view! {
        <header class="page-head">
            <p><a href="/questions">{t!(i18n, question_edit.back)}</a></p>
            <h1>{move || if is_new { t_string!(i18n, question_edit.new_title) } else { t_string!(i18n, question_edit.title) }}</h1>
            <p class="muted">{t!(i18n, question_edit.intro)}</p>
        </header>
        <form class="question-editor" data-testid="question-form" on:submit=|ev| ev.prevent_default()>
            <fieldset class="panel form-grid">
                <legend>{t!(i18n, question_edit.basics)}</legend>
                <label class="field">{t!(i18n, question_edit.application)}
                    <select name="application" data-testid="question-application" aria-invalid=flag("application")
                        on:change=move |ev| { let code = event_target_value(&ev); question.update(|q| q.application = code); }>
                        {apps.into_iter().map(|a| {
                            let code = a.code.clone();
                            let value = a.code.clone();
                            view! {
                                <option value=value selected=move || question.with(|q| q.application == code)>
                                    {move || a.name(lang_code(i18n)).to_string()}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
                <div class="field">
                    <label for="question-kind">{t!(i18n, question_edit.kind)}</label>
                    <select id="question-kind" name="kind" data-testid="question-kind" aria-describedby="question-kind-hint"
                        on:change=move |ev| change_kind(event_target_value(&ev))>
                        {draft::KINDS.into_iter().map(|k| view! {
                            <option value=k selected=move || kind.get() == k>{move || kind_label(i18n, k)}</option>
                        }).collect_view()}
                    </select>
                    <p class="hint" id="question-kind-hint">{t!(i18n, question_edit.kind_hint)}</p>
                </div>
                <div class="field">
                    <label for="question-topic">{t!(i18n, question_edit.topic)}</label>
                    <input id="question-topic" name="topic" maxlength=TOPIC_MAX data-testid="question-topic"
                        aria-describedby="question-topic-hint" aria-invalid=flag("topic")
                        prop:value=move || question.with(|q| q.topic.clone())
                        on:input=move |ev| { let topic = event_target_value(&ev); question.update(|q| q.topic = topic); } />
                    <p class="hint" id="question-topic-hint">{t!(i18n, question_edit.topic_hint)}</p>
                </div>
                <div class="field field-wide">
                    <label for="question-stem">
                        {t!(i18n, question_edit.stem)}" "
                        <span class="required-note">{t!(i18n, question_edit.required)}</span>
                    </label>
                    <textarea id="question-stem" name="stem" rows="4" maxlength=STEM_MAX data-testid="question-stem"
                        aria-required="true" aria-describedby="question-stem-hint" aria-invalid=flag("stem")
                        prop:value=move || question.with(|q| q.stem.clone())
                        on:input=move |ev| { let stem = event_target_value(&ev); question.update(|q| q.stem = stem); }></textarea>
                    <p class="hint" id="question-stem-hint">{t!(i18n, question_edit.stem_hint)}</p>
                </div>
                <div class="field field-wide">
                    <label for="question-explanation">{t!(i18n, question_edit.explanation)}</label>
                    <textarea id="question-explanation" name="explanation" rows="4" maxlength=EXPLANATION_MAX
                        data-testid="question-explanation" aria-describedby="question-explanation-hint"
                        aria-invalid=flag("explanation")
                        prop:value=move || question.with(|q| q.explanation.clone())
                        on:input=move |ev| { let text = event_target_value(&ev); question.update(|q| q.explanation = text); }></textarea>
                    <p class="hint" id="question-explanation-hint">{t!(i18n, question_edit.explanation_hint)}</p>
                </div>
            </fieldset>
            <fieldset class="panel question-answer" data-kind=move || kind.get()>
                <legend>{t!(i18n, question_edit.answer)}</legend>
                {answer}
            </fieldset>
            <div class="form-actions sticky-actions">
                <button type="button" class="btn btn-primary" data-testid="question-save"
                    disabled=move || save.pending().get() on:click=move |_| submit(false)>
                    {t!(i18n, question_edit.save)}
                </button>
                {(!is_new).then(|| view! {
                    <button type="button" class="btn" data-testid="question-save-as-new"
                        disabled=move || save.pending().get() on:click=move |_| submit(true)>
                        {t!(i18n, question_edit.save_as_new)}
                    </button>
                })}
                <p class="save-state" aria-live="polite">
                    {move || match (error.get(), save.value().get()) {
                        (Some(e), _) => Some(view! {
                            <span class="form-error" role="alert" data-testid="question-error">{error_message(i18n, &e)}</span>
                        }.into_any()),
                        (None, Some(Ok(_))) => Some(view! {
                            <span class="form-ok" role="status" data-testid="question-saved">{t!(i18n, question_edit.saved)}</span>
                        }.into_any()),
                        (None, None) if created => Some(view! {
                            <span class="form-ok" role="status" data-testid="question-saved">{t!(i18n, question_edit.created)}</span>
                        }.into_any()),
                        _ => None,
                    }}
                </p>
            </div>
        </form>
    }
    .into_any()
}

/// Loads the question (none for [`NEW`]), the application catalogue and the teaching clips,
/// then shows the editor.
#[component]
pub(super) fn QuestionEditor() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    // Blocking: an unknown question answers with a real 404 status.
    let data = resource::blocking(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        |id| async move {
            let question = if id == NEW {
                None
            } else {
                Some(question_for_editor(id.clone()).await?)
            };
            let apps = applications().await?;
            let clips = teaching_clips().await?;
            Ok::<_, AppError>((id, question, apps, clips))
        },
    );
    view! {
        <section class="page question-edit">
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || data.get().map(|res| match res {
                    Ok((id, question, apps, clips)) => {
                        let id = (id != NEW).then(|| QuestionId::from_path(&id).ok()).flatten();
                        let preset = query.with_untracked(|q| q.get("application"));
                        let created = query.with_untracked(|q| q.get("saved").as_deref() == Some("1"));
                        view! { <Editor id question apps clips preset created /> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
