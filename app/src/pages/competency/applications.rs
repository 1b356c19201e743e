//! `/competency/applications`: coordinators add, rename and retire applications and set each
//! one's review form — the interpretation fields a learner answers and a reviewer answers
//! again (a choice, a choice per window, a level), the options that report no finding (so a
//! follow-up can settle a reading), and an optional image-quality rubric beside the ACEP scale.
use crate::api::competency::{RetireApplication, SaveApplication, competency_applications};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, field_label, reason_label};
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::AppError;
use crate::model::competency::{
    ApplicationForm, Criterion, FieldKind, FormField, ReviewForm, Rubric,
};
use leptos::prelude::*;

/// One line per item; blank lines dropped, each item trimmed.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A field as the form edits it: lists as text, one item per line.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDraft {
    pub key: String,
    pub label: String,
    /// `choice`, `per_window` or `level`.
    pub kind: String,
    pub options: String,
    pub windows: String,
    pub negative: String,
    pub min: String,
    pub max: String,
    pub positive_from: String,
}

impl FieldDraft {
    pub fn empty() -> FieldDraft {
        FieldDraft {
            key: String::new(),
            label: String::new(),
            kind: "choice".into(),
            options: String::new(),
            windows: String::new(),
            negative: String::new(),
            min: "1".into(),
            max: "5".into(),
            positive_from: String::new(),
        }
    }

    pub fn from_field(field: &FormField) -> FieldDraft {
        let mut draft = FieldDraft {
            key: field.key.clone(),
            label: field.label.clone(),
            ..FieldDraft::empty()
        };
        match &field.kind {
            FieldKind::Choice { options, negative } => {
                draft.options = options.join("\n");
                draft.negative = negative.join("\n");
            }
            FieldKind::PerWindow {
                windows,
                options,
                negative,
            } => {
                draft.kind = "per_window".into();
                draft.windows = windows.join("\n");
                draft.options = options.join("\n");
                draft.negative = negative.join("\n");
            }
            FieldKind::Level {
                min,
                max,
                positive_from,
            } => {
                draft.kind = "level".into();
                draft.min = min.to_string();
                draft.max = max.to_string();
                draft.positive_from = positive_from.map(|p| p.to_string()).unwrap_or_default();
            }
        }
        draft
    }

    /// The field, or the path of the part that is not a number.
    pub fn to_field(&self, at: usize) -> Result<FormField, AppError> {
        let level = |name: &str, text: &str| {
            text.trim().parse::<u8>().map_err(|_| {
                AppError::invalid(
                    &format!("fields.{at}.kind.{name}"),
                    crate::model::InvalidReason::BadFormat,
                )
            })
        };
        let kind = match self.kind.as_str() {
            "per_window" => FieldKind::PerWindow {
                windows: lines(&self.windows),
                options: lines(&self.options),
                negative: lines(&self.negative),
            },
            "level" => FieldKind::Level {
                min: level("min", &self.min)?,
                max: level("max", &self.max)?,
                positive_from: match self.positive_from.trim() {
                    "" => None,
                    text => Some(level("positive_from", text)?),
                },
            },
            _ => FieldKind::Choice {
                options: lines(&self.options),
                negative: lines(&self.negative),
            },
        };
        Ok(FormField {
            key: self.key.trim().to_string(),
            label: self.label.trim().to_string(),
            kind,
        })
    }
}

/// A rubric criterion as the form edits it.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionDraft {
    pub key: String,
    pub label: String,
    pub levels: String,
}

/// The review form the drafts describe (no rubric when it has no criteria).
pub fn form_from_drafts(
    fields: &[FieldDraft],
    criteria: &[CriterionDraft],
) -> Result<ReviewForm, AppError> {
    let fields = fields
        .iter()
        .enumerate()
        .map(|(i, f)| f.to_field(i))
        .collect::<Result<Vec<_>, _>>()?;
    let criteria: Vec<Criterion> = criteria
        .iter()
        .map(|c| Criterion {
            key: c.key.trim().to_string(),
            label: c.label.trim().to_string(),
            levels: lines(&c.levels),
        })
        .collect();
    Ok(ReviewForm {
        fields,
        rubric: (!criteria.is_empty()).then_some(Rubric { criteria }),
    })
}

#[component]
fn ApplicationEditor(
    /// None: a new application.
    app: Option<ApplicationForm>,
    taken: Vec<String>,
    saved: Callback<String>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let is_new = app.is_none();
    let code = RwSignal::new(app.as_ref().map(|a| a.code.clone()).unwrap_or_default());
    let name_zh = RwSignal::new(app.as_ref().map(|a| a.name_zh.clone()).unwrap_or_default());
    let name_en = RwSignal::new(app.as_ref().map(|a| a.name_en.clone()).unwrap_or_default());
    let emergency = RwSignal::new(app.as_ref().is_some_and(|a| a.emergency));
    let retired = app.as_ref().is_some_and(|a| a.retired);
    let fields = RwSignal::new(
        app.as_ref()
            .map(|a| {
                a.form
                    .fields
                    .iter()
                    .map(FieldDraft::from_field)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| vec![FieldDraft::empty()]),
    );
    let criteria = RwSignal::new(
        app.as_ref()
            .and_then(|a| a.form.rubric.as_ref())
            .map(|r| {
                r.criteria
                    .iter()
                    .map(|c| CriterionDraft {
                        key: c.key.clone(),
                        label: c.label.clone(),
                        levels: c.levels.join("\n"),
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    let refused = RwSignal::new(None::<AppError>);
    let save = ServerAction::<SaveApplication>::new();
    let error = Memo::new(move |_| {
        refused
            .get()
            .or_else(|| save.value().get().and_then(Result::err))
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            saved.run(name_zh.get_untracked());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = code.get_untracked().trim().to_string();
        if is_new && taken.contains(&c) {
            refused.set(Some(AppError::invalid(
                "code",
                crate::model::InvalidReason::Taken,
            )));
            return;
        }
        match form_from_drafts(&fields.get_untracked(), &criteria.get_untracked()) {
            Ok(form) => {
                refused.set(None);
                save.dispatch(SaveApplication {
                    input: ApplicationForm {
                        code: c,
                        name_zh: name_zh.get_untracked().trim().to_string(),
                        name_en: name_en.get_untracked().trim().to_string(),
                        emergency: emergency.get_untracked(),
                        form,
                        retired,
                    },
                });
            }
            Err(e) => refused.set(Some(e)),
        }
    };
    // A refusal is shown once, at the top, naming where it is.
    let problem = move || match error.get() {
        Some(AppError::Invalid { field, reason }) => Some(
            view! {
                <p class="field-error" role="alert" data-testid="application-error">
                    {field_label(i18n, &field)}"："{reason_label(i18n, reason)}
                </p>
            }
            .into_any(),
        ),
        Some(e) => Some(view! { <ErrorNotice error=e /> }.into_any()),
        None => None,
    };
    let text = move |id: String, label: String, value: RwSignal<String>, disabled: bool| {
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id.clone() data-testid=id disabled=disabled
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </div>
        }
    };
    let field_row = move |k: usize| {
        let get = move |f: fn(&FieldDraft) -> String| {
            move || fields.with(|v| v.get(k).map(f).unwrap_or_default())
        };
        let set = move |f: fn(&mut FieldDraft, String)| {
            move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                fields.update(|v| {
                    if let Some(d) = v.get_mut(k) {
                        f(d, value)
                    }
                })
            }
        };
        let id = move |name: &str| format!("field-{k}-{name}");
        let kind = move || fields.with(|v| v.get(k).map(|d| d.kind.clone()).unwrap_or_default());
        let count = move || fields.with(Vec::len);
        view! {
            <fieldset class="form-field-editor" data-testid=format!("form-field-{k}")>
                <legend>{move || t_string!(i18n, applications.field_n, n = k + 1)}</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for=id("key")>{t!(i18n, applications.key)}</label>
                        <input id=id("key") prop:value=get(|d| d.key.clone()) on:input=set(|d, v| d.key = v)
                            aria-describedby=id("key-hint") />
                        <p class="hint" id=id("key-hint")>{t!(i18n, applications.key_hint)}</p>
                    </div>
                    <div class="field">
                        <label for=id("label")>{t!(i18n, applications.label)}</label>
                        <input id=id("label") prop:value=get(|d| d.label.clone()) on:input=set(|d, v| d.label = v) />
                    </div>
                    <div class="field">
                        <label for=id("kind")>{t!(i18n, applications.kind)}</label>
                        <select id=id("kind") prop:value=kind on:change=set(|d, v| d.kind = v)>
                            <option value="choice">{t!(i18n, applications.kind_choice)}</option>
                            <option value="per_window">{t!(i18n, applications.kind_per_window)}</option>
                            <option value="level">{t!(i18n, applications.kind_level)}</option>
                        </select>
                    </div>
                </div>
                <Show when=move || kind() == "per_window">
                    <div class="field">
                        <label for=id("windows")>{t!(i18n, applications.windows)}</label>
                        <textarea id=id("windows") rows="4" aria-describedby=id("lines-hint")
                            prop:value=get(|d| d.windows.clone()) on:input=set(|d, v| d.windows = v)></textarea>
                    </div>
                </Show>
                <Show when=move || kind() != "level"
                    fallback=move || view! {
                        <div class="form-grid">
                            <div class="field">
                                <label for=id("min")>{t!(i18n, applications.min)}</label>
                                <input id=id("min") type="number" min="0" max="20" prop:value=get(|d| d.min.clone()) on:input=set(|d, v| d.min = v) />
                            </div>
                            <div class="field">
                                <label for=id("max")>{t!(i18n, applications.max)}</label>
                                <input id=id("max") type="number" min="1" max="20" prop:value=get(|d| d.max.clone()) on:input=set(|d, v| d.max = v) />
                            </div>
                            <div class="field">
                                <label for=id("positive")>{t!(i18n, applications.positive_from)}</label>
                                <input id=id("positive") type="number" min="0" max="20" aria-describedby=id("positive-hint")
                                    prop:value=get(|d| d.positive_from.clone()) on:input=set(|d, v| d.positive_from = v) />
                                <p class="hint" id=id("positive-hint")>{t!(i18n, applications.positive_hint)}</p>
                            </div>
                        </div>
                    }>
                    <div class="form-grid">
                        <div class="field">
                            <label for=id("options")>{t!(i18n, applications.options)}</label>
                            <textarea id=id("options") rows="4" aria-describedby=id("lines-hint")
                                prop:value=get(|d| d.options.clone()) on:input=set(|d, v| d.options = v)></textarea>
                        </div>
                        <div class="field">
                            <label for=id("negative")>{t!(i18n, applications.negative)}</label>
                            <textarea id=id("negative") rows="4" aria-describedby=id("negative-hint")
                                prop:value=get(|d| d.negative.clone()) on:input=set(|d, v| d.negative = v)></textarea>
                            <p class="hint" id=id("negative-hint")>{t!(i18n, applications.negative_hint)}</p>
                        </div>
                    </div>
                    <p class="hint" id=id("lines-hint")>{t!(i18n, applications.lines_hint)}</p>
                </Show>
                <div class="form-actions">
                    <button type="button" class="btn btn-small" disabled=move || k == 0
                        on:click=move |_| fields.update(|v| v.swap(k, k - 1))>{t!(i18n, applications.move_up)}</button>
                    <button type="button" class="btn btn-small" disabled=move || k + 1 >= count()
                        on:click=move |_| fields.update(|v| v.swap(k, k + 1))>{t!(i18n, applications.move_down)}</button>
                    <button type="button" class="btn btn-small" disabled=move || count() <= 1
                        on:click=move |_| fields.update(|v| { v.remove(k); })>{t!(i18n, applications.remove_field)}</button>
                </div>
            </fieldset>
        }
    };
    let criterion_row = move |k: usize| {
        let get = move |f: fn(&CriterionDraft) -> String| {
            move || criteria.with(|v| v.get(k).map(f).unwrap_or_default())
        };
        let set = move |f: fn(&mut CriterionDraft, String)| {
            move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                criteria.update(|v| {
                    if let Some(d) = v.get_mut(k) {
                        f(d, value)
                    }
                })
            }
        };
        let id = move |name: &str| format!("criterion-{k}-{name}");
        view! {
            <fieldset class="form-field-editor">
                <legend>{move || t_string!(i18n, applications.criterion_n, n = k + 1)}</legend>
                <div class="form-grid">
                    <div class="field">
                        <label for=id("key")>{t!(i18n, applications.key)}</label>
                        <input id=id("key") prop:value=get(|d| d.key.clone()) on:input=set(|d, v| d.key = v) />
                    </div>
                    <div class="field">
                        <label for=id("label")>{t!(i18n, applications.label)}</label>
                        <input id=id("label") prop:value=get(|d| d.label.clone()) on:input=set(|d, v| d.label = v) />
                    </div>
                </div>
                <div class="field">
                    <label for=id("levels")>{t!(i18n, applications.levels)}</label>
                    <textarea id=id("levels") rows="4" aria-describedby=id("levels-hint")
                        prop:value=get(|d| d.levels.clone()) on:input=set(|d, v| d.levels = v)></textarea>
                    <p class="hint" id=id("levels-hint")>{t!(i18n, applications.levels_hint)}</p>
                </div>
                <button type="button" class="btn btn-small"
                    on:click=move |_| criteria.update(|v| { v.remove(k); })>{t!(i18n, applications.remove_criterion)}</button>
            </fieldset>
        }
    };
    view! {
        <form class="panel application-form" data-testid="application-form" on:submit=submit novalidate>
            <h2>{move || if is_new { t_string!(i18n, applications.new_title) } else { t_string!(i18n, applications.edit_title) }}</h2>
            <div class="form-grid">
                {text("app-code".into(), t_string!(i18n, applications.code).to_string(), code, !is_new)}
                {text("app-name-zh".into(), t_string!(i18n, applications.name_zh).to_string(), name_zh, false)}
                {text("app-name-en".into(), t_string!(i18n, applications.name_en).to_string(), name_en, false)}
            </div>
            <p class="hint">{t!(i18n, applications.code_hint)}</p>
            <label class="check">
                <input type="checkbox" prop:checked=move || emergency.get() on:change=move |ev| emergency.set(event_target_checked(&ev)) />
                {t!(i18n, applications.emergency)}
            </label>
            <h3>{t!(i18n, applications.fields)}</h3>
            <p class="hint">{t!(i18n, applications.fields_hint)}</p>
            {move || (0..fields.with(Vec::len)).map(field_row).collect_view()}
            <button type="button" class="btn btn-small" data-testid="add-field"
                on:click=move |_| fields.update(|v| v.push(FieldDraft::empty()))>{t!(i18n, applications.add_field)}</button>
            <h3>{t!(i18n, applications.rubric)}</h3>
            <p class="hint">{t!(i18n, applications.rubric_hint)}</p>
            {move || (0..criteria.with(Vec::len)).map(criterion_row).collect_view()}
            <button type="button" class="btn btn-small"
                on:click=move |_| criteria.update(|v| v.push(CriterionDraft { key: String::new(), label: String::new(), levels: String::new() }))>
                {t!(i18n, applications.add_criterion)}
            </button>
            {problem}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="application-save"
                    disabled=move || save.pending().get()>{t!(i18n, applications.save)}</button>
                <button type="button" class="btn" on:click=move |_| cancel.run(())>{t!(i18n, applications.cancel)}</button>
            </div>
        </form>
    }
    .into_any()
}

/// `/competency/applications` for coordinators.
#[component]
pub fn ApplicationsEditor() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let apps = resource::new(move || version.get(), |_| competency_applications());
    // None: no editor open; Some(None): a new application; Some(Some(code)): that one.
    let editing = RwSignal::new(None::<Option<String>>);
    let note = RwSignal::new(None::<String>);
    let retire = ServerAction::<RetireApplication>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = retire.value().get() {
            version.update(|v| *v += 1);
        }
    });
    let saved = Callback::new(move |name: String| {
        note.set(Some(name));
        editing.set(None);
        version.update(|v| *v += 1);
    });
    let cancel = Callback::new(move |_| editing.set(None));
    view! {
        <section class="page competency-applications">
            <header class="page-head">
                <div>
                    <h1>{t!(i18n, applications.title)}</h1>
                    <p class="muted">{t!(i18n, applications.intro)}</p>
                </div>
                <button type="button" class="btn btn-primary" data-testid="new-application"
                    on:click=move |_| editing.set(Some(None))>{t!(i18n, applications.add)}</button>
            </header>
            {move || note.get().map(|name| view! {
                <p class="form-ok" role="status">{t_string!(i18n, applications.saved, name = name)}</p>
            })}
            {move || retire.value().get().and_then(Result::err).map(|e| view! { <ErrorNotice error=e /> })}
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || apps.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) => {
                        let lang = lang_code(i18n);
                        let taken: Vec<String> = list.iter().map(|a| a.code.clone()).collect();
                        let editor = match editing.get() {
                            Some(None) => Some(view! { <ApplicationEditor app=None taken=taken.clone() saved cancel /> }.into_any()),
                            _ => None,
                        };
                        let rows = list.into_iter().map(|app| {
                            let code = app.code.clone();
                            let open = editing.get() == Some(Some(code.clone()));
                            let (c1, c2) = (code.clone(), code.clone());
                            let retired = app.retired;
                            let fields = app.form.fields.len();
                            let criteria = app.form.rubric.as_ref().map_or(0, |r| r.criteria.len());
                            view! {
                                <article class="panel application-card" class:retired=retired data-application=code.clone()>
                                    <header class="rule-head">
                                        <h2>{app.name(lang).to_string()}" "<small class="muted"><code>{code.clone()}</code></small>
                                            {app.emergency.then(|| view! { " " <span class="badge badge-app">{t!(i18n, applications.emergency_badge)}</span> })}
                                            {retired.then(|| view! { " " <span class="badge badge-retired">{t!(i18n, applications.retired)}</span> })}
                                        </h2>
                                        <div class="form-actions">
                                            <button type="button" class="btn btn-small" data-testid=format!("edit-application-{code}")
                                                on:click=move |_| editing.set(Some(Some(c1.clone())))>{t!(i18n, applications.edit)}</button>
                                            <button type="button" class="btn btn-small" data-testid=format!("retire-application-{code}")
                                                on:click=move |_| { retire.dispatch(RetireApplication { code: c2.clone(), retired: !retired }); }>
                                                {move || if retired { t_string!(i18n, applications.restore) } else { t_string!(i18n, applications.retire) }}
                                            </button>
                                        </div>
                                    </header>
                                    <p class="small muted">{t_string!(i18n, applications.form_facts, fields = fields, criteria = criteria)}</p>
                                    {open.then(|| view! { <ApplicationEditor app=Some(app.clone()) taken=vec![] saved cancel /> })}
                                </article>
                            }
                        }).collect_view();
                        view! { {editor} {rows} }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_field_survives_the_form() {
        let fields = vec![
            FormField {
                key: "efast".into(),
                label: "Free fluid".into(),
                kind: FieldKind::PerWindow {
                    windows: vec!["RUQ".into(), "LUQ".into()],
                    options: vec!["positive".into(), "negative".into()],
                    negative: vec!["negative".into()],
                },
            },
            FormField {
                key: "tirads".into(),
                label: "TI-RADS".into(),
                kind: FieldKind::Level {
                    min: 1,
                    max: 5,
                    positive_from: Some(4),
                },
            },
            FormField {
                key: "plaque".into(),
                label: "Plaque".into(),
                kind: FieldKind::Choice {
                    options: vec!["none".into(), "present".into()],
                    negative: vec![],
                },
            },
        ];
        let drafts: Vec<FieldDraft> = fields.iter().map(FieldDraft::from_field).collect();
        let form = form_from_drafts(&drafts, &[]).unwrap();
        assert_eq!(form.fields, fields);
        assert_eq!(form.rubric, None);
    }

    #[test]
    fn lists_are_read_one_item_per_line() {
        assert_eq!(lines(" a \n\n b\r\nc "), ["a", "b", "c"]);
    }

    #[test]
    fn a_level_that_is_not_a_number_is_named_by_its_path() {
        let mut draft = FieldDraft::empty();
        draft.kind = "level".into();
        draft.max = "five".into();
        let refused = form_from_drafts(&[FieldDraft::empty(), draft], &[]).unwrap_err();
        assert!(matches!(refused, AppError::Invalid { field, .. } if field == "fields.1.kind.max"));
    }

    #[test]
    fn a_rubric_is_kept_only_with_criteria() {
        let c = CriterionDraft {
            key: "pouch".into(),
            label: "Morison's pouch".into(),
            levels: "not seen\npartly\nfully".into(),
        };
        let form = form_from_drafts(&[], &[c]).unwrap();
        assert_eq!(form.rubric.unwrap().criteria[0].levels.len(), 3);
    }
}
