//! The bank as a table (stem, kind, application, topic, author, use) with an application
//! filter; experts also get the links to write a question and to edit one.
use super::{NEW, edit_href};
use crate::api::cases::applications;
use crate::api::courses::question_bank;
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::quiz::QuestionSummary;
use crate::model::{Application, text_lang};
use crate::pages::courses::report::kind_label;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// Inline Markdown as it reads in a table cell: emphasis and code marks dropped, lines joined.
fn plain_text(markdown: &str) -> String {
    markdown
        .replace(['*', '`'], "")
        .replace("__", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first `n` characters of `text`, with an ellipsis when cut.
fn shortened(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The application's name in the page's language, its code when the catalogue lacks it.
fn application_name(i18n: I18nContext<Locale>, apps: &[Application], code: &str) -> String {
    apps.iter()
        .find(|a| a.code == code)
        .map_or_else(|| code.to_string(), |a| a.name(lang_code(i18n)).to_string())
}

fn question_row(
    i18n: I18nContext<Locale>,
    question: QuestionSummary,
    application: String,
    writer: bool,
) -> impl IntoView {
    let stem = plain_text(&question.stem);
    let edit_name = shortened(&stem, 40);
    let kind = question.kind.clone();
    let topic = if question.topic.is_empty() {
        "—".to_string()
    } else {
        question.topic.clone()
    };
    let href = edit_href(question.id.as_str());
    view! {
        <tr data-testid="question-row" data-kind=question.kind.clone()>
            <th scope="row">
                <span class="bank-stem" lang=text_lang(&stem) title=stem.clone()>{stem.clone()}</span>
            </th>
            <td data-label=move || t_string!(i18n, question_edit.col_kind)>{move || kind_label(i18n, &kind)}</td>
            <td data-label=move || t_string!(i18n, question_edit.col_application)>{application}</td>
            <td data-label=move || t_string!(i18n, question_edit.col_topic)>{topic}</td>
            <td data-label=move || t_string!(i18n, question_edit.col_author)>{question.author.clone()}</td>
            <td class="num" data-label=move || t_string!(i18n, question_edit.col_used)>{question.used_in}</td>
            {writer.then(|| view! {
                <td class="row-actions">
                    <a class="btn btn-small" href=href data-testid="question-edit"
                        aria-label=move || t_string!(i18n, question_edit.edit_named, stem = edit_name.clone()).to_string()>
                        {t!(i18n, question_edit.edit)}
                    </a>
                </td>
            })}
        </tr>
    }
}

/// The bank page's body. `writer`: the person may write questions (an expert).
#[component]
pub(super) fn Bank(writer: bool) -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(String::new());
    let apps = resource::new(|| (), |_| applications());
    let bank = resource::new(
        move || filter.get(),
        |code| question_bank((!code.is_empty()).then_some(code)),
    );
    let app_list = move || apps.get().and_then(Result::ok).unwrap_or_default();
    let new_href = move || {
        let code = filter.get();
        if code.is_empty() {
            edit_href(NEW)
        } else {
            format!("{}?application={code}", edit_href(NEW))
        }
    };
    view! {
        <section class="page question-bank">
            <header class="page-head">
                <h1>{t!(i18n, question_edit.bank_title)}</h1>
                <p class="muted">{t!(i18n, question_edit.bank_intro)}</p>
            </header>
            <div class="filters bank-filters">
                <Transition fallback=|| ()>
                    {move || apps.get().map(|res| view! {
                        <label>{t!(i18n, question_edit.filter_application)}
                            <select data-testid="bank-application" on:change=move |ev| filter.set(event_target_value(&ev))>
                                <option value="" selected=move || filter.get().is_empty()>{t!(i18n, question_edit.all_applications)}</option>
                                {res.unwrap_or_default().into_iter().map(|a| {
                                    let code = a.code.clone();
                            let value = a.code.clone();
                                    view! {
                                        <option value=value selected=move || filter.get() == code>
                                            {move || a.name(lang_code(i18n)).to_string()}
                                        </option>
                                    }
                                }).collect_view()}
                            </select>
                        </label>
                    })}
                </Transition>
                {writer.then(|| view! {
                    <a class="btn btn-primary bank-new" href=new_href data-testid="new-question">{t!(i18n, question_edit.new_question)}</a>
                })}
            </div>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || bank.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state" data-testid="bank-empty">
                            {move || if filter.get().is_empty() {
                                t_string!(i18n, question_edit.bank_empty)
                            } else {
                                t_string!(i18n, question_edit.bank_empty_filtered)
                            }}
                        </p>
                    }.into_any(),
                    Ok(list) => {
                        let apps = app_list();
                        let count = list.len();
                        view! {
                            <p class="muted small" aria-live="polite">{move || t_string!(i18n, question_edit.count, n = count).to_string()}</p>
                            <div class="table-wrap" tabindex="0">
                                <table class="table table-stack" data-testid="question-bank">
                                    <caption class="sr-only">{t!(i18n, question_edit.bank_caption)}</caption>
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, question_edit.col_stem)}</th>
                                        <th scope="col">{t!(i18n, question_edit.col_kind)}</th>
                                        <th scope="col">{t!(i18n, question_edit.col_application)}</th>
                                        <th scope="col">{t!(i18n, question_edit.col_topic)}</th>
                                        <th scope="col">{t!(i18n, question_edit.col_author)}</th>
                                        <th scope="col" class="num">{t!(i18n, question_edit.col_used)}</th>
                                        {writer.then(|| view! { <th scope="col"><span class="sr-only">{t!(i18n, question_edit.col_actions)}</span></th> })}
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|q| {
                                            let application = application_name(i18n, &apps, &q.application);
                                            question_row(i18n, q, application, writer)
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
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
    fn stems_read_as_plain_text() {
        assert_eq!(
            plain_text("**Morison** 陷窝\n有无 `游离液体`？"),
            "Morison 陷窝 有无 游离液体？"
        );
        assert_eq!(shortened("甲状腺结节", 3), "甲状腺…");
        assert_eq!(shortened("abc", 3), "abc");
    }
}
