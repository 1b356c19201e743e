//! `/quizzes` and `/quizzes/{id}/analysis`: the quizzes course authors and coordinators
//! follow, and a quiz's item analysis laid out as Moodle's quiz statistics report (quiz
//! information, then one row per place in the quiz that opens onto its answers or clicks).
mod heatmap;
mod items;

use crate::api::courses::{get_quiz_report, quiz_list};
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::quiz::{QuizReport, QuizStatistics, QuizSummary};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A figure rounded to `decimals`, without the sign of a value that rounds to zero.
fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match text.strip_prefix('-') {
        Some(magnitude) if magnitude.chars().all(|c| c == '0' || c == '.') => magnitude.to_string(),
        _ => text,
    }
}

/// A percentage as Moodle's report prints it ("65.00%"), a dash when blank.
fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{}%", fixed(v, 2)))
}

/// Skewness and kurtosis: plain numbers to four decimals, a dash when blank.
fn moment(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |v| fixed(v, 4))
}

/// A question kind's name (`kind_name` in the model gives the wire names).
pub(super) fn kind_label(i18n: I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "single" => t_string!(i18n, quiz_report.kind_single).to_string(),
        "multiple" => t_string!(i18n, quiz_report.kind_multiple).to_string(),
        "true_false" => t_string!(i18n, quiz_report.kind_true_false).to_string(),
        "ordering" => t_string!(i18n, quiz_report.kind_ordering).to_string(),
        "hotspot" => t_string!(i18n, quiz_report.kind_hotspot).to_string(),
        "frame_selection" => t_string!(i18n, quiz_report.kind_frame_selection).to_string(),
        "measurement" => t_string!(i18n, quiz_report.kind_measurement).to_string(),
        other => other.to_string(),
    }
}

fn analysis_href(id: &str) -> String {
    format!("/quizzes/{id}/analysis")
}

fn quiz_row(i18n: I18nContext<Locale>, quiz: QuizSummary) -> impl IntoView {
    let edit_href = format!("/quizzes/{}/edit", quiz.id.as_str());
    let title = quiz.title.clone();
    view! {
        <tr data-testid="quiz-row">
            <th scope="row">
                <a href=analysis_href(quiz.id.as_str())>{quiz.title}</a>
            </th>
            <td class="num" data-label=move || t_string!(i18n, quiz_report.col_questions)>
                {quiz.questions}
            </td>
            <td class="num" data-label=move || t_string!(i18n, quiz_report.col_finished)>
                {quiz.finished_attempts}
            </td>
            <td>
                <a class="btn btn-small" href=edit_href data-testid="quiz-edit"
                    aria-label=move || t_string!(i18n, quiz_edit.edit_named, title = title.clone()).to_string()>
                    {t!(i18n, quiz_edit.edit)}
                </a>
            </td>
        </tr>
    }
}

#[component]
fn Quizzes() -> impl IntoView {
    let i18n = use_i18n();
    let quizzes = resource::new(|| (), |_| quiz_list());
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, quiz_report.list_title)}</h1>
                <p class="muted">{t!(i18n, quiz_report.list_intro)}</p>
                <p class="row-actions">
                    <a class="btn btn-primary" href="/quizzes/new/edit" data-testid="new-quiz">{t!(i18n, quiz_edit.new_quiz)}</a>
                    <a class="btn" href="/questions" data-testid="question-bank-link">{t!(i18n, quiz_edit.bank_link)}</a>
                </p>
            </header>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || quizzes.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state" data-testid="quizzes-empty">{t!(i18n, quiz_report.list_empty)}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table table-stack" data-testid="quiz-list">
                                <caption class="sr-only">{t!(i18n, quiz_report.list_caption)}</caption>
                                <thead><tr>
                                    <th scope="col">{t!(i18n, quiz_report.col_quiz)}</th>
                                    <th scope="col" class="num">{t!(i18n, quiz_report.col_questions)}</th>
                                    <th scope="col" class="num">{t!(i18n, quiz_report.col_finished)}</th>
                                    <th scope="col">{t!(i18n, quiz_edit.col_actions)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|quiz| quiz_row(i18n, quiz)).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// `/quizzes`: every quiz with its item analysis, for course authors and coordinators.
#[component]
pub fn QuizzesPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.quizzes).to_string() />
        <Guarded roles=super::AUTHORS children=|_| view! { <Quizzes /> }.into_any() />
    }
}

/// Moodle's "Quiz information" table.
fn quiz_information(i18n: I18nContext<Locale>, quiz: &QuizStatistics) -> impl IntoView {
    let rows: [(String, String); 9] = [
        (
            t_string!(i18n, quiz_report.attempts).to_string(),
            quiz.attempts.to_string(),
        ),
        (
            t_string!(i18n, quiz_report.mean).to_string(),
            percent(quiz.mean),
        ),
        (
            t_string!(i18n, quiz_report.median).to_string(),
            percent(quiz.median),
        ),
        (
            t_string!(i18n, quiz_report.sd).to_string(),
            percent(quiz.sd),
        ),
        (
            t_string!(i18n, quiz_report.skewness).to_string(),
            moment(quiz.skewness),
        ),
        (
            t_string!(i18n, quiz_report.kurtosis).to_string(),
            moment(quiz.kurtosis),
        ),
        (
            t_string!(i18n, quiz_report.alpha).to_string(),
            percent(quiz.alpha),
        ),
        (
            t_string!(i18n, quiz_report.error_ratio).to_string(),
            percent(quiz.error_ratio),
        ),
        (
            t_string!(i18n, quiz_report.standard_error).to_string(),
            percent(quiz.standard_error),
        ),
    ];
    view! {
        <div class="table-wrap quiz-info" tabindex="0">
            <table class="table" data-testid="quiz-information">
                <caption class="sr-only">{t!(i18n, quiz_report.quiz_info)}</caption>
                <tbody>
                    {rows.into_iter().map(|(name, value)| view! {
                        <tr><th scope="row">{name}</th><td class="num">{value}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="hint">{t!(i18n, quiz_report.percent_note)}</p>
    }
}

/// Links between first attempts and all attempts, so either view can be shared.
fn counting_switch(i18n: I18nContext<Locale>, id: &str, first_only: bool) -> impl IntoView {
    let first = analysis_href(id);
    let all = format!("{first}?all=1");
    let current = |on: bool| on.then_some("page");
    view! {
        <nav class="count-switch" aria-label=move || t_string!(i18n, quiz_report.counted)>
            <a href=first aria-current=current(first_only) data-testid="count-first">
                {t!(i18n, quiz_report.first_attempts)}
            </a>
            <a href=all aria-current=current(!first_only) data-testid="count-all">
                {t!(i18n, quiz_report.all_attempts)}
            </a>
        </nav>
        <p class="muted small">
            {move || if first_only {
                t_string!(i18n, quiz_report.counting_first)
            } else {
                t_string!(i18n, quiz_report.counting_all)
            }}
        </p>
    }
}

/// What the figures mean, folded away under the tables.
fn glossary(i18n: I18nContext<Locale>) -> impl IntoView {
    view! {
        <details class="panel report-glossary">
            <summary>{t!(i18n, quiz_report.glossary)}</summary>
            <ul>
                <li>{t!(i18n, quiz_report.glossary_facility)}</li>
                <li>{t!(i18n, quiz_report.glossary_discrimination)}</li>
                <li>{t!(i18n, quiz_report.glossary_efficiency)}</li>
                <li>{t!(i18n, quiz_report.glossary_weight)}</li>
                <li>{t!(i18n, quiz_report.glossary_alpha)}</li>
            </ul>
        </details>
    }
}

fn report_body(i18n: I18nContext<Locale>, report: QuizReport) -> impl IntoView {
    let id = report.quiz_id.as_str().to_string();
    let has_attempts = report.quiz.attempts > 0;
    view! {
        <header class="page-head">
            <p><a href="/quizzes">{t!(i18n, quiz_report.back)}</a></p>
            <h1>{report.title.clone()}</h1>
            <p class="muted">{t!(i18n, quiz_report.intro)}</p>
        </header>
        {counting_switch(i18n, &id, report.first_only)}
        {if has_attempts {
            view! {
                <section class="report-section" aria-labelledby="quiz-info-heading">
                    <h2 id="quiz-info-heading">{t!(i18n, quiz_report.quiz_info)}</h2>
                    {quiz_information(i18n, &report.quiz)}
                </section>
                <section class="report-section" aria-labelledby="structure-heading">
                    <h2 id="structure-heading">{t!(i18n, quiz_report.structure)}</h2>
                    <items::ItemTable items=report.items first_only=report.first_only />
                </section>
                {glossary(i18n)}
            }
            .into_any()
        } else {
            view! {
                <p class="empty-state" data-testid="report-empty">{t!(i18n, quiz_report.no_attempts)}</p>
            }
            .into_any()
        }}
    }
    .into_any()
}

#[component]
fn QuizReportView() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    // Blocking: an unknown quiz answers with a real 404 status.
    let report = resource::blocking(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                query.with(|q| q.get("all").as_deref() != Some("1")),
            )
        },
        |(id, first_only)| get_quiz_report(id, first_only),
    );
    view! {
        <section class="page quiz-report">
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || report.get().map(|res| match res {
                    Ok(report) => report_body(i18n, report).into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// `/quizzes/{id}/analysis[?all=1]`: a quiz's item analysis.
#[component]
pub fn QuizReportPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.quiz_report).to_string() />
        <Guarded roles=super::AUTHORS children=|_| view! { <QuizReportView /> }.into_any() />
    }
}
