//! `/cases/{id}/solve`: unknown-case mode. The learner sees the history and the clips only,
//! commits an impression (and a TI-RADS level, stenosis grade or choice where it applies),
//! then the findings, diagnosis and outcome appear beside their answer.
use super::READERS;
use super::case::{CaseClips, CaseFacts, CaseText, Stage, Timeline, clips_of};
use crate::api::cases::{SolveCase, unknown_case};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::components::layout::lang_code;
use crate::components::scores::{grade_label, tirads_label};
use crate::i18n::*;
use crate::model::cases::{AttemptInput, CaseId, CasePuzzle, PuzzleKind, Reveal};
use crate::model::scores::{StenosisGrade, TiradsLevel};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
fn AnswerForm(puzzle: CasePuzzle, solve: ServerAction<SolveCase>) -> impl IntoView {
    let i18n = use_i18n();
    let impression = RwSignal::new(String::new());
    let choice = RwSignal::new(String::new());
    let kind = puzzle.kind.clone();
    let id = puzzle.id.clone();
    let submit = {
        let kind = kind.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let c = choice.get_untracked();
            solve.dispatch(SolveCase {
                id: id.clone(),
                answer: AttemptInput {
                    impression: impression.get_untracked(),
                    tirads: (kind == "tirads").then(|| c.parse().ok()).flatten(),
                    grade: (kind == "stenosis")
                        .then(|| StenosisGrade::parse(&c))
                        .flatten(),
                    choice: (kind == "choice").then(|| c.parse().ok()).flatten(),
                },
            });
        }
    };
    let structured = match kind.as_str() {
        "tirads" => Some(view! {
            <fieldset class="choices" data-testid="answer-tirads">
                <legend>{t!(i18n, cases.your_tirads)}</legend>
                {TiradsLevel::all().into_iter().map(|l| view! {
                    <label class="check"><input type="radio" name="structured" value=l.number().to_string()
                        on:change=move |_| choice.set(l.number().to_string()) />{tirads_label(l)}</label>
                }).collect_view()}
            </fieldset>
        }.into_any()),
        "stenosis" => Some(view! {
            <fieldset class="choices" data-testid="answer-grade">
                <legend>{t!(i18n, cases.your_grade)}</legend>
                {StenosisGrade::all().into_iter().map(|g| {
                    view! {
                        <label class="check"><input type="radio" name="structured" value=g.as_str()
                            on:change=move |_| choice.set(g.as_str().to_string()) />{move || grade_label(i18n, g)}</label>
                    }
                }).collect_view()}
            </fieldset>
        }.into_any()),
        "choice" => Some(view! {
            <fieldset class="choices" data-testid="answer-choice">
                <legend>{t!(i18n, cases.your_choice)}</legend>
                {puzzle.choices.iter().enumerate().map(|(i, text)| view! {
                    <label class="check"><input type="radio" name="structured" value=i.to_string()
                        on:change=move |_| choice.set(i.to_string()) />{text.clone()}</label>
                }).collect_view()}
            </fieldset>
        }.into_any()),
        _ => None,
    };
    let needs_choice = kind != "free";
    view! {
        <form class="panel answer-form" on:submit=submit data-testid="answer-form">
            <h2>{t!(i18n, cases.your_answer)}</h2>
            <label class="field">{t!(i18n, cases.your_impression)}
                <textarea rows="4" required bind:value=impression data-testid="answer-impression"></textarea>
            </label>
            {structured}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="answer-submit"
                    disabled=move || solve.pending().get() || impression.get().trim().is_empty() || (needs_choice && choice.get().is_empty())>
                    {t!(i18n, cases.commit)}
                </button>
                <small class="muted">{t!(i18n, cases.commit_hint)}</small>
                {move || match solve.value().get() {
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                    _ => None,
                }}
            </div>
        </form>
    }
}

/// The expected structured answer, as text.
fn expected_text(i18n: leptos_i18n::I18nContext<Locale>, reveal: &Reveal) -> String {
    match reveal.expected {
        PuzzleKind::Tirads(l) => tirads_label(l),
        PuzzleKind::Stenosis(g) => grade_label(i18n, g),
        PuzzleKind::Choice(i) => reveal
            .case
            .content
            .choices
            .get(i as usize)
            .cloned()
            .unwrap_or_default(),
        PuzzleKind::FreeText => String::new(),
    }
}

fn given_text(i18n: leptos_i18n::I18nContext<Locale>, reveal: &Reveal) -> String {
    let a = &reveal.attempt;
    match reveal.expected {
        PuzzleKind::Tirads(_) => a
            .tirads
            .and_then(TiradsLevel::from_number)
            .map(tirads_label)
            .unwrap_or_default(),
        PuzzleKind::Stenosis(_) => a.grade.map(|g| grade_label(i18n, g)).unwrap_or_default(),
        PuzzleKind::Choice(_) => a
            .choice
            .and_then(|i| reveal.case.content.choices.get(i as usize).cloned())
            .unwrap_or_default(),
        PuzzleKind::FreeText => String::new(),
    }
}

#[component]
fn RevealView(reveal: Reveal) -> impl IntoView {
    let i18n = use_i18n();
    let stage = Stage::new();
    let verdict = reveal.correct;
    let expected = {
        let r = reveal.clone();
        move || expected_text(i18n, &r)
    };
    let given = {
        let r = reveal.clone();
        move || given_text(i18n, &r)
    };
    let case = reveal.case.clone();
    view! {
        <section class="reveal" data-testid="reveal">
            <div class="panel compare">
                <h2>{t!(i18n, cases.reveal_title)}</h2>
                <div class="compare-grid">
                    <div>
                        <h3>{t!(i18n, cases.your_answer)}</h3>
                        <p class="prose" data-testid="reveal-mine">{reveal.attempt.impression.clone()}</p>
                        <p><strong>{given}</strong></p>
                    </div>
                    <div>
                        <h3>{t!(i18n, cases.expert_answer)}</h3>
                        <p class="prose" data-testid="reveal-impression">{case.content.impression.clone()}</p>
                        <p><strong data-testid="reveal-expected">{expected}</strong></p>
                    </div>
                </div>
                {verdict.map(|ok| view! {
                    <p class=if ok { "form-ok verdict" } else { "form-error verdict" } data-testid="verdict" data-correct=ok.to_string()>
                        {move || if ok { t_string!(i18n, cases.correct) } else { t_string!(i18n, cases.incorrect) }}
                    </p>
                })}
                <p class="muted">{t!(i18n, cases.attempt_recorded)}</p>
                <p><a href=format!("/cases/{}", case.id.0)>{t!(i18n, cases.open_case)}</a></p>
            </div>
            <div class="case-layout">
                <div class="case-main">
                    <CaseClips clips=clips_of(&case, true) stage />
                    <CaseText case=case.clone() />
                </div>
                <aside class="case-side">
                    <section class="panel">
                        <h2>{t!(i18n, cases.follow_ups)}</h2>
                        <Timeline follow_ups=case.follow_ups.clone() />
                    </section>
                    <CaseFacts case=case.clone() />
                </aside>
            </div>
        </section>
    }
}

#[component]
fn Puzzle(puzzle: CasePuzzle) -> impl IntoView {
    let i18n = use_i18n();
    let solve = ServerAction::<SolveCase>::new();
    let stage = Stage::new();
    let clips: Vec<_> = puzzle
        .clips
        .iter()
        .map(|url| (url.clone(), String::new(), Vec::new(), Vec::new()))
        .collect();
    let app = puzzle.application.clone();
    let sex = puzzle.sex;
    view! {
        <Show
            when=move || matches!(solve.value().get(), Some(Ok(_)))
            fallback={
                let puzzle = puzzle.clone();
                let clips = clips.clone();
                let app = app.clone();
                move || {
                    let app = app.clone();
                    view! {
                        <header class="page-head">
                            <h1>{t!(i18n, cases.unknown_title)}</h1>
                            <p class="muted">{t!(i18n, cases.unknown_intro)}</p>
                            <dl class="facts">
                                <dt>{t!(i18n, cases.application)}</dt><dd>{move || app.name(lang_code(i18n)).to_string()}</dd>
                                <dt>{t!(i18n, cases.patient)}</dt><dd>{format!("{} · ", puzzle.age_band.label())}{move || super::sex_label(i18n, sex)}</dd>
                            </dl>
                        </header>
                        <div class="case-layout">
                            <div class="case-main">
                                <CaseClips clips=clips.clone() stage />
                                <section class="case-section" data-testid="history">
                                    <h2>{t!(i18n, cases.history)}</h2>
                                    <p class="prose">{puzzle.history.clone()}</p>
                                </section>
                            </div>
                            <aside class="case-side">
                                <AnswerForm puzzle=puzzle.clone() solve />
                            </aside>
                        </div>
                    }
                    .into_any()
                }
            }
        >
            {move || match solve.value().get() {
                Some(Ok(reveal)) => view! { <RevealView reveal /> }.into_any(),
                _ => ().into_any(),
            }}
        </Show>
    }
}

#[component]
fn SolvePage_() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    // Blocking, as on the case page: an unknown case answers 404.
    let puzzle = resource::blocking(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        |id| async move { unknown_case(CaseId::from_path(&id)?).await },
    );
    view! {
        <section class="page case-page">
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || puzzle.get().map(|res| match res {
                    Ok(puzzle) => view! { <Puzzle puzzle /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `/cases/{id}/solve` for everyone who reads the library.
#[component]
pub fn SolvePage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.solve).to_string() /> <Guarded roles=READERS children=|_| view! { <SolvePage_ /> }.into_any() /> }
}
