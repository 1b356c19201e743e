//! `/quizzes/{id}/edit` (`new` for a new quiz): the quiz editor. An author lists the quiz's
//! places in order — a fixed question from the bank, or one drawn per attempt by application
//! and topic — and sets Moodle's quiz settings and review options.
mod draft;
mod places;

use crate::api::cases::applications;
use crate::api::courses::{SaveQuiz, question_bank, quiz_for_editor};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::quiz::{
    GradingMethod, QuestionSummary, QuizInput, QuizSettings, ReviewOptions, ReviewShows,
};
use crate::model::{AppError, Application, QuizId};
use crate::pages::guard::Guarded;
use draft::{PlaceDraft, QuizDraft};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use places::places_section;

/// One place in the editor's list: a key that stays with it when it moves, and its content.
#[derive(Clone, Copy)]
struct Place {
    key: u32,
    draft: RwSignal<PlaceDraft>,
}

/// The editor's signals, one per field, so typing in one does not redraw the others.
#[derive(Clone, Copy)]
struct QuizForm {
    title: RwSignal<String>,
    places: RwSignal<Vec<Place>>,
    next_key: StoredValue<u32>,
    attempts: RwSignal<String>,
    time_limit: RwSignal<String>,
    pass_mark: RwSignal<String>,
    grading: RwSignal<GradingMethod>,
    shuffle_questions: RwSignal<bool>,
    shuffle_options: RwSignal<bool>,
    closes_at: RwSignal<String>,
    review: RwSignal<ReviewOptions>,
}

impl QuizForm {
    fn new(draft: QuizDraft) -> Self {
        let form = QuizForm {
            title: RwSignal::new(draft.title),
            places: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
            attempts: RwSignal::new(draft.attempts),
            time_limit: RwSignal::new(draft.time_limit),
            pass_mark: RwSignal::new(draft.pass_mark),
            grading: RwSignal::new(draft.grading),
            shuffle_questions: RwSignal::new(draft.shuffle_questions),
            shuffle_options: RwSignal::new(draft.shuffle_options),
            closes_at: RwSignal::new(draft.closes_at),
            review: RwSignal::new(draft.review),
        };
        for place in draft.places {
            form.add(place);
        }
        form
    }

    fn add(&self, draft: PlaceDraft) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        let place = Place {
            key,
            draft: RwSignal::new(draft),
        };
        self.places.update(|list| list.push(place));
    }

    /// Where the place with `key` stands now (from 0).
    fn position(&self, key: u32) -> usize {
        self.places
            .with(|list| list.iter().position(|p| p.key == key))
            .unwrap_or(0)
    }

    /// Moves a place `by` places up (negative) or down, if it can go there.
    fn shift(&self, key: u32, by: isize) {
        self.places.update(|list| {
            if let Some(at) = list.iter().position(|p| p.key == key) {
                let to = at.checked_add_signed(by).filter(|to| *to < list.len());
                if let Some(to) = to {
                    list.swap(at, to);
                }
            }
        });
    }

    fn remove(&self, key: u32) {
        self.places.update(|list| list.retain(|p| p.key != key));
    }

    /// The application of the last random place, to start a new place from.
    fn last_application(&self) -> Option<String> {
        self.places.with_untracked(|list| {
            list.iter().rev().find_map(|p| {
                p.draft
                    .with_untracked(|d| d.application().map(str::to_string))
            })
        })
    }

    /// Everything typed (tracked: a memo of it changes with any field).
    fn draft(&self) -> QuizDraft {
        QuizDraft {
            title: self.title.get(),
            places: self.places.get().iter().map(|p| p.draft.get()).collect(),
            attempts: self.attempts.get(),
            time_limit: self.time_limit.get(),
            pass_mark: self.pass_mark.get(),
            grading: self.grading.get(),
            shuffle_questions: self.shuffle_questions.get(),
            shuffle_options: self.shuffle_options.get(),
            closes_at: self.closes_at.get(),
            review: self.review.get(),
        }
    }
}

fn grading_value(g: GradingMethod) -> &'static str {
    match g {
        GradingMethod::Highest => "highest",
        GradingMethod::Average => "average",
        GradingMethod::First => "first",
        GradingMethod::Last => "last",
    }
}

fn grading_label(i18n: I18nContext<Locale>, g: GradingMethod) -> String {
    match g {
        GradingMethod::Highest => t_string!(i18n, quiz_edit.grading_highest),
        GradingMethod::Average => t_string!(i18n, quiz_edit.grading_average),
        GradingMethod::First => t_string!(i18n, quiz_edit.grading_first),
        GradingMethod::Last => t_string!(i18n, quiz_edit.grading_last),
    }
    .to_string()
}

const GRADING: [GradingMethod; 4] = [
    GradingMethod::Highest,
    GradingMethod::Average,
    GradingMethod::First,
    GradingMethod::Last,
];

/// A row of Moodle's review options: when the learner looks.
#[derive(Clone, Copy)]
enum ReviewWhen {
    Immediately,
    Later,
    AfterClose,
}

impl ReviewWhen {
    const ALL: [ReviewWhen; 3] = [
        ReviewWhen::Immediately,
        ReviewWhen::Later,
        ReviewWhen::AfterClose,
    ];

    fn name(self) -> &'static str {
        match self {
            ReviewWhen::Immediately => "immediately",
            ReviewWhen::Later => "later",
            ReviewWhen::AfterClose => "after-close",
        }
    }

    fn label(self, i18n: I18nContext<Locale>) -> String {
        match self {
            ReviewWhen::Immediately => t_string!(i18n, quiz_edit.review_immediately),
            ReviewWhen::Later => t_string!(i18n, quiz_edit.review_later),
            ReviewWhen::AfterClose => t_string!(i18n, quiz_edit.review_after_close),
        }
        .to_string()
    }

    fn of(self, review: &ReviewOptions) -> ReviewShows {
        match self {
            ReviewWhen::Immediately => review.immediately,
            ReviewWhen::Later => review.later,
            ReviewWhen::AfterClose => review.after_close,
        }
    }

    fn of_mut(self, review: &mut ReviewOptions) -> &mut ReviewShows {
        match self {
            ReviewWhen::Immediately => &mut review.immediately,
            ReviewWhen::Later => &mut review.later,
            ReviewWhen::AfterClose => &mut review.after_close,
        }
    }
}

/// A column of Moodle's review options: what the learner sees.
#[derive(Clone, Copy)]
enum ReviewPart {
    Marks,
    RightAnswer,
    Explanation,
}

impl ReviewPart {
    const ALL: [ReviewPart; 3] = [
        ReviewPart::Marks,
        ReviewPart::RightAnswer,
        ReviewPart::Explanation,
    ];

    fn name(self) -> &'static str {
        match self {
            ReviewPart::Marks => "marks",
            ReviewPart::RightAnswer => "right-answer",
            ReviewPart::Explanation => "explanation",
        }
    }

    fn label(self, i18n: I18nContext<Locale>) -> String {
        match self {
            ReviewPart::Marks => t_string!(i18n, quiz_edit.review_marks),
            ReviewPart::RightAnswer => t_string!(i18n, quiz_edit.review_right_answer),
            ReviewPart::Explanation => t_string!(i18n, quiz_edit.review_explanation),
        }
        .to_string()
    }

    fn of(self, shows: ReviewShows) -> bool {
        match self {
            ReviewPart::Marks => shows.marks,
            ReviewPart::RightAnswer => shows.right_answer,
            ReviewPart::Explanation => shows.explanation,
        }
    }

    fn of_mut(self, shows: &mut ReviewShows) -> &mut bool {
        match self {
            ReviewPart::Marks => &mut shows.marks,
            ReviewPart::RightAnswer => &mut shows.right_answer,
            ReviewPart::Explanation => &mut shows.explanation,
        }
    }
}

/// Attempts, grading, timing, passing and shuffling.
fn settings_section(form: QuizForm) -> impl IntoView {
    let i18n = use_i18n();
    let QuizForm {
        attempts,
        time_limit,
        pass_mark,
        grading,
        shuffle_questions,
        shuffle_options,
        closes_at,
        ..
    } = form;
    let set_grading = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if let Some(g) = GRADING.into_iter().find(|g| grading_value(*g) == v) {
            grading.set(g);
        }
    };
    view! {
        <fieldset class="panel form-grid" data-testid="quiz-settings">
            <legend>{t!(i18n, quiz_edit.settings)}</legend>
            <label class="field">{t!(i18n, quiz_edit.attempts)}
                <input type="number" min="1" step="1" inputmode="numeric" data-testid="attempts" bind:value=attempts />
                <span class="hint">{t!(i18n, quiz_edit.attempts_hint)}</span>
            </label>
            <label class="field">{t!(i18n, quiz_edit.grading)}
                <select data-testid="grading" on:change=set_grading>
                    {GRADING.into_iter().map(|g| view! {
                        <option value=grading_value(g) selected=move || grading.get() == g>{move || grading_label(i18n, g)}</option>
                    }).collect_view()}
                </select>
                <span class="hint">{t!(i18n, quiz_edit.grading_hint)}</span>
            </label>
            <label class="field">{t!(i18n, quiz_edit.time_limit)}
                <input type="number" min="1" step="any" inputmode="decimal" data-testid="time-limit" bind:value=time_limit />
                <span class="hint">{t!(i18n, quiz_edit.time_limit_hint)}</span>
            </label>
            <label class="field">{t!(i18n, quiz_edit.pass_mark)}
                <input type="number" min="0" max="100" step="any" inputmode="decimal" required data-testid="pass-mark" bind:value=pass_mark />
                <span class="hint">{t!(i18n, quiz_edit.pass_mark_hint)}</span>
            </label>
            <label class="field">{t!(i18n, quiz_edit.closes_at)}
                <input type="datetime-local" data-testid="closes-at" bind:value=closes_at />
                <span class="hint">{t!(i18n, quiz_edit.closes_at_hint)}</span>
            </label>
            <div class="field-wide quiz-checks">
                <label class="check">
                    <input type="checkbox" data-testid="shuffle-questions" bind:checked=shuffle_questions />
                    {t!(i18n, quiz_edit.shuffle_questions)}
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="shuffle-options" bind:checked=shuffle_options />
                    {t!(i18n, quiz_edit.shuffle_options)}
                </label>
            </div>
        </fieldset>
    }
}

/// Moodle's review options: when (rows) by what is shown (columns).
fn review_section(form: QuizForm) -> impl IntoView {
    let i18n = use_i18n();
    let review = form.review;
    view! {
        <section class="panel" aria-labelledby="quiz-review-heading">
            <h2 id="quiz-review-heading">{t!(i18n, quiz_edit.review)}</h2>
            <p class="hint">{t!(i18n, quiz_edit.review_hint)}</p>
            <div class="table-wrap">
                <table class="table quiz-review" data-testid="review-options">
                    <caption class="sr-only">{t!(i18n, quiz_edit.review)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, quiz_edit.review_when)}</th>
                        {ReviewPart::ALL.into_iter().map(|part| view! {
                            <th scope="col" class="quiz-review-cell">{move || part.label(i18n)}</th>
                        }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {ReviewWhen::ALL.into_iter().map(|when| view! {
                            <tr>
                                <th scope="row">{move || when.label(i18n)}</th>
                                {ReviewPart::ALL.into_iter().map(|part| view! {
                                    <td class="quiz-review-cell">
                                        <input type="checkbox"
                                            data-testid=format!("review-{}-{}", when.name(), part.name())
                                            aria-label=move || t_string!(i18n, quiz_edit.review_cell, when = when.label(i18n), part = part.label(i18n)).to_string()
                                            prop:checked=move || review.with(|r| part.of(when.of(r)))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                review.update(|r| *part.of_mut(when.of_mut(r)) = on);
                                            } />
                                    </td>
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Editor(
    id: Option<QuizId>,
    quiz: QuizInput,
    bank: Vec<QuestionSummary>,
    apps: Vec<Application>,
    save: ServerAction<SaveQuiz>,
) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = QuizDraft::from_quiz(&quiz);
    let form = QuizForm::new(loaded.clone());
    let bank = StoredValue::new(bank);
    let apps = StoredValue::new(apps);
    let draft = Memo::new(move |_| form.draft());
    // What the server holds: as loaded, then as last saved.
    let saved = RwSignal::new(loaded);
    let sent = StoredValue::new(None::<QuizDraft>);
    let refused = RwSignal::new(None::<AppError>);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get()
            && let Some(draft) = sent.get_value()
        {
            saved.set(draft);
        }
    });
    let id_for_save = id.clone();
    let do_save = move |_| {
        let now = draft.get_untracked();
        match now.to_quiz() {
            Ok(quiz) => {
                refused.set(None);
                sent.set_value(Some(now));
                save.dispatch(SaveQuiz {
                    id: id_for_save.clone(),
                    quiz,
                });
            }
            Err(e) => {
                save.clear();
                refused.set(Some(e));
            }
        }
    };
    let status = move || {
        if save.pending().get() {
            return Some(
                view! { <span class="muted" role="status">{t!(i18n, quiz_edit.saving)}</span> }
                    .into_any(),
            );
        }
        let error = refused
            .get()
            .or_else(|| save.value().get().and_then(Result::err));
        if let Some(e) = error {
            return Some(view! { <span class="form-error" role="alert" data-testid="quiz-error">{error_message(i18n, &e)}</span> }.into_any());
        }
        if draft.get() != saved.get() {
            Some(view! { <span class="muted" role="status" data-testid="quiz-unsaved">{t!(i18n, quiz_edit.unsaved)}</span> }.into_any())
        } else if matches!(save.value().get(), Some(Ok(_))) {
            Some(view! { <span class="form-ok" role="status" data-testid="quiz-saved">{t!(i18n, quiz_edit.saved)}</span> }.into_any())
        } else {
            None
        }
    };
    let is_new = id.is_none();
    let title = form.title;
    let heading = move || {
        let text = title.get();
        if text.trim().is_empty() {
            if is_new {
                t_string!(i18n, quiz_edit.new_title).to_string()
            } else {
                t_string!(i18n, quiz_edit.title).to_string()
            }
        } else {
            text
        }
    };
    view! {
        <header class="page-head">
            <p>
                <a href="/quizzes" data-testid="back-to-quizzes">{t!(i18n, quiz_edit.back)}</a>
                {id.map(|id| view! {
                    " · "<a href=format!("/quizzes/{}/analysis", id.as_str()) data-testid="quiz-analysis">{t!(i18n, quiz_edit.analysis)}</a>
                })}
            </p>
            <h1>{heading}</h1>
            <p class="muted">{t!(i18n, quiz_edit.intro)}</p>
        </header>
        <div class="panel form-grid">
            <label class="field field-wide">{t!(i18n, quiz_edit.quiz_title)}
                <input name="title" maxlength="200" required data-testid="quiz-title" bind:value=title />
            </label>
        </div>
        {places_section(form, apps, bank)}
        {settings_section(form)}
        {review_section(form)}
        <div class="form-actions sticky-actions">
            <button type="button" class="btn btn-primary" data-testid="quiz-save" disabled=move || save.pending().get() on:click=do_save>
                {t!(i18n, quiz_edit.save)}
            </button>
            {status}
        </div>
    }
    .into_any()
}

#[component]
fn QuizEditView() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let quiz_id = move || params.with(|p| p.get("id").unwrap_or_default());
    let save = ServerAction::<SaveQuiz>::new();
    // A new quiz, once saved, is edited at its own address (replacing /new in the history).
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get()
            && params.with_untracked(|p| p.get("id").as_deref() == Some("new"))
        {
            navigate(
                &format!("/quizzes/{}/edit", saved.as_str()),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    // Leaving for another quiz (or a new one) forgets this one's save result.
    Effect::new(move |previous: Option<String>| {
        let id = quiz_id();
        if previous.is_some_and(|p| p != id && p != "new") {
            save.clear();
        }
        id
    });
    // Blocking, as on the item analysis: an unknown quiz answers 404.
    let data = resource::blocking(quiz_id, |id| async move {
        let (id, quiz) = if id == "new" {
            (None, None)
        } else {
            let quiz = quiz_for_editor(id.clone()).await?;
            (Some(QuizId::from_path(&id)?), Some(quiz))
        };
        let bank = question_bank(None).await?;
        let apps = applications().await?;
        Ok::<_, AppError>((id, quiz, bank, apps))
    });
    view! {
        <section class="page quiz-edit">
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || data.get().map(|res| match res {
                    Ok((id, quiz, bank, apps)) => {
                        let quiz = quiz.unwrap_or_else(|| QuizInput {
                            title: String::new(),
                            picks: Vec::new(),
                            settings: QuizSettings::default(),
                        });
                        view! { <Editor id quiz bank apps save /> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// `/quizzes/{id}/edit` for course authors.
#[component]
pub fn QuizEditPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.quiz_edit).to_string() />
        <Guarded roles=super::AUTHORS children=|_| view! { <QuizEditView /> }.into_any() />
    }
}
