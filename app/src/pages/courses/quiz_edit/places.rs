//! The quiz's places in the editor: each a fixed question chosen from the bank (narrowed by
//! application and words) or a random draw by application and topic, moved and removed in place.
use super::draft::{PlaceDraft, plain_stem};
use super::{Place, QuizForm};
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::quiz::QuestionSummary;
use crate::model::{Application, QuestionId};
use crate::pages::courses::report::kind_label;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// An application's name in the page's language, its code if the catalogue lacks it.
fn application_name(i18n: I18nContext<Locale>, apps: &[Application], code: &str) -> String {
    apps.iter()
        .find(|a| a.code == code)
        .map_or_else(|| code.to_string(), |a| a.name(lang_code(i18n)).to_string())
}

/// The application select of a place: the catalogue, with how many bank questions each has.
fn application_options(
    i18n: I18nContext<Locale>,
    apps: StoredValue<Vec<Application>>,
    bank: StoredValue<Vec<QuestionSummary>>,
    selected: Signal<String>,
) -> impl IntoView {
    apps.get_value()
        .into_iter()
        .map(|a| {
            let code = a.code.clone();
            let value = a.code.clone();
            let count = bank.with_value(|b| b.iter().filter(|q| q.application == a.code).count());
            view! {
                <option value=value selected=move || selected.get() == code>
                    {move || format!("{} ({count})", a.name(lang_code(i18n)))}
                </option>
            }
        })
        .collect_view()
}

/// A fixed place: its question, chosen from the bank narrowed by application and words.
fn fixed_fields(
    place: Place,
    apps: StoredValue<Vec<Application>>,
    bank: StoredValue<Vec<QuestionSummary>>,
    start_filter: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = move || {
        place.draft.with(|d| match d {
            PlaceDraft::Fixed { question } => question.clone(),
            PlaceDraft::Random { .. } => None,
        })
    };
    let filter = RwSignal::new(start_filter);
    let search = RwSignal::new(String::new());
    let options = move || {
        let chosen = chosen();
        let app = filter.get();
        let words = search.get().trim().to_lowercase();
        bank.with_value(|list| {
            list.iter()
                .filter(|q| {
                    chosen.as_ref() == Some(&q.id)
                        || ((app.is_empty() || q.application == app)
                            && (words.is_empty()
                                || q.stem.to_lowercase().contains(&words)
                                || q.topic.to_lowercase().contains(&words)))
                })
                .map(|q| {
                    let id = q.id.clone();
                    let chosen = chosen.as_ref() == Some(&id);
                    let text = format!(
                        "{} — {} · {}",
                        plain_stem(&q.stem),
                        kind_label(i18n, &q.kind),
                        apps.with_value(|a| application_name(i18n, a, &q.application))
                    );
                    view! { <option value=id.0 selected=chosen>{text}</option> }
                })
                .collect_view()
        })
    };
    let choose = move |ev: leptos::ev::Event| {
        let question = QuestionId::parse(&event_target_value(&ev)).ok();
        place.draft.set(PlaceDraft::Fixed { question });
    };
    // What the chosen question is, or that it has left the bank.
    let about = move || {
        let id = chosen()?;
        let found = bank.with_value(|list| list.iter().find(|q| q.id == id).cloned());
        Some(match found {
            Some(q) => {
                let app = apps.with_value(|a| application_name(i18n, a, &q.application));
                let topic = if q.topic.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", q.topic)
                };
                let text = format!(
                    "{app}{topic} · {} · {}",
                    kind_label(i18n, &q.kind),
                    t_string!(i18n, quiz_edit.written_by, name = q.author.clone())
                );
                view! { <p class="hint field-wide" data-testid="pick-about">{text}</p> }.into_any()
            }
            None => view! {
                <p class="form-error field-wide" role="alert">{t!(i18n, quiz_edit.question_missing)}</p>
            }
            .into_any(),
        })
    };
    view! {
        <div class="form-grid">
            <label class="field">{t!(i18n, quiz_edit.filter_application)}
                <select data-testid="pick-filter" on:change=move |ev| filter.set(event_target_value(&ev))>
                    <option value="" selected=move || filter.get().is_empty()>{t!(i18n, quiz_edit.all_applications)}</option>
                    {application_options(i18n, apps, bank, filter.into())}
                </select>
            </label>
            <label class="field">{t!(i18n, quiz_edit.search)}
                <input type="search" data-testid="pick-search" bind:value=search />
            </label>
            <label class="field field-wide">{t!(i18n, quiz_edit.question)}
                <select data-testid="pick-question" on:change=choose>
                    <option value="" selected=move || chosen().is_none()>{t!(i18n, quiz_edit.choose_question)}</option>
                    {options}
                </select>
            </label>
            {about}
        </div>
    }
}

/// A random place: the application and optional topic a question is drawn from per attempt.
fn random_fields(
    place: Place,
    apps: StoredValue<Vec<Application>>,
    bank: StoredValue<Vec<QuestionSummary>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let application = Signal::derive(move || {
        place
            .draft
            .with(|d| d.application().unwrap_or_default().to_string())
    });
    let topic = move || {
        place.draft.with(|d| match d {
            PlaceDraft::Random { topic, .. } => topic.clone(),
            PlaceDraft::Fixed { .. } => String::new(),
        })
    };
    let set_application = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        place.draft.update(|d| {
            if let PlaceDraft::Random { application, .. } = d {
                *application = v;
            }
        });
    };
    let set_topic = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        place.draft.update(|d| {
            if let PlaceDraft::Random { topic, .. } = d {
                *topic = v;
            }
        });
    };
    let topics_id = format!("quiz-topics-{}", place.key);
    // The topics the bank has for the chosen application, offered as the author types.
    let topics = move || {
        let app = application.get();
        let mut list: Vec<String> = bank.with_value(|b| {
            b.iter()
                .filter(|q| q.application == app && !q.topic.is_empty())
                .map(|q| q.topic.clone())
                .collect()
        });
        list.sort();
        list.dedup();
        list.into_iter()
            .map(|t| view! { <option value=t></option> })
            .collect_view()
    };
    let pool = move || {
        let app = application.get();
        let topic = topic();
        let topic = topic.trim();
        bank.with_value(|b| {
            b.iter()
                .filter(|q| q.application == app && (topic.is_empty() || q.topic == topic))
                .count()
        })
    };
    view! {
        <div class="form-grid">
            <label class="field">{t!(i18n, quiz_edit.application)}
                <select data-testid="pick-application" on:change=set_application>
                    {application_options(i18n, apps, bank, application)}
                </select>
            </label>
            <label class="field">{t!(i18n, quiz_edit.topic)}
                <input data-testid="pick-topic" list=topics_id.clone() prop:value=topic on:input=set_topic />
                <datalist id=topics_id>{topics}</datalist>
            </label>
            {move || match pool() {
                0 => view! { <p class="form-error field-wide" role="status" data-testid="pick-pool">{t!(i18n, quiz_edit.draw_none)}</p> }.into_any(),
                n => view! { <p class="hint field-wide" data-testid="pick-pool">{t!(i18n, quiz_edit.draw_pool, n = n)}</p> }.into_any(),
            }}
        </div>
    }
}

/// One place of the list, with its buttons to move it and take it out.
#[component]
fn PlaceItem(
    place: Place,
    form: QuizForm,
    apps: StoredValue<Vec<Application>>,
    bank: StoredValue<Vec<QuestionSummary>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = place.key;
    let index = move || form.position(key);
    let count = move || form.places.with(Vec::len);
    let name = move || t_string!(i18n, quiz_edit.pick_n, n = index() + 1).to_string();
    let heading_id = format!("quiz-place-{key}");
    let labelled_by = heading_id.clone();
    let (fixed, fields) = match place.draft.get_untracked() {
        PlaceDraft::Fixed { question } => {
            // Start the filter at the chosen question's application, or the one in use.
            let start = question
                .and_then(|id| {
                    bank.with_value(|b| {
                        b.iter().find(|q| q.id == id).map(|q| q.application.clone())
                    })
                })
                .or_else(|| form.last_application())
                .unwrap_or_default();
            (true, fixed_fields(place, apps, bank, start).into_any())
        }
        PlaceDraft::Random { .. } => (false, random_fields(place, apps, bank).into_any()),
    };
    let kind = move || {
        if fixed {
            t_string!(i18n, quiz_edit.fixed)
        } else {
            t_string!(i18n, quiz_edit.random)
        }
    };
    view! {
        <li class="quiz-place" data-testid=move || format!("pick-{}", index()) data-pick=if fixed { "fixed" } else { "random" }
            aria-labelledby=labelled_by>
            <div class="quiz-place-head">
                <h3 id=heading_id>{name}" · "<span class="muted">{kind}</span></h3>
                <div class="row-actions">
                    <button type="button" class="btn btn-small" data-testid="pick-up"
                        disabled=move || index() == 0
                        aria-label=move || t_string!(i18n, quiz_edit.move_up_n, pick = name()).to_string()
                        on:click=move |_| form.shift(key, -1)>
                        {t!(i18n, quiz_edit.move_up)}
                    </button>
                    <button type="button" class="btn btn-small" data-testid="pick-down"
                        disabled=move || { index() + 1 >= count() }
                        aria-label=move || t_string!(i18n, quiz_edit.move_down_n, pick = name()).to_string()
                        on:click=move |_| form.shift(key, 1)>
                        {t!(i18n, quiz_edit.move_down)}
                    </button>
                    <button type="button" class="btn btn-small" data-testid="pick-remove"
                        aria-label=move || t_string!(i18n, quiz_edit.remove_n, pick = name()).to_string()
                        on:click=move |_| form.remove(key)>
                        {t!(i18n, quiz_edit.remove)}
                    </button>
                </div>
            </div>
            {fields}
        </li>
    }
}

/// The quiz's places in order, and the buttons that add one.
pub(super) fn places_section(
    form: QuizForm,
    apps: StoredValue<Vec<Application>>,
    bank: StoredValue<Vec<QuestionSummary>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let add_fixed = move |_| {
        form.add(PlaceDraft::Fixed { question: None });
    };
    let add_random = move |_| {
        // The application in use, else the first with questions to draw from.
        let application = form
            .last_application()
            .or_else(|| bank.with_value(|b| b.first().map(|q| q.application.clone())))
            .or_else(|| apps.with_value(|a| a.first().map(|a| a.code.clone())))
            .unwrap_or_default();
        form.add(PlaceDraft::Random {
            application,
            topic: String::new(),
        });
    };
    let bank_empty = bank.with_value(Vec::is_empty);
    view! {
        <section class="panel" aria-labelledby="quiz-places-heading" data-testid="quiz-picks">
            <h2 id="quiz-places-heading">{t!(i18n, quiz_edit.questions)}</h2>
            <p class="hint">{t!(i18n, quiz_edit.questions_hint)}</p>
            {bank_empty.then(|| view! {
                <div class="notice" data-testid="bank-empty">
                    <p>{t!(i18n, quiz_edit.bank_empty)}" "<a href="/questions">{t!(i18n, quiz_edit.open_bank)}</a></p>
                </div>
            })}
            <Show when=move || form.places.with(Vec::is_empty)>
                <p class="empty-state" data-testid="no-picks">{t!(i18n, quiz_edit.no_picks)}</p>
            </Show>
            <ol class="quiz-places">
                <For each=move || form.places.get() key=|place| place.key
                    children=move |place| view! { <PlaceItem place form apps bank /> } />
            </ol>
            <div class="form-actions">
                <button type="button" class="btn" data-testid="add-fixed" on:click=add_fixed>{t!(i18n, quiz_edit.add_fixed)}</button>
                <button type="button" class="btn" data-testid="add-random" on:click=add_random>{t!(i18n, quiz_edit.add_random)}</button>
            </div>
        </section>
    }
}
