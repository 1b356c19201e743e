//! `/courses/{id}/lessons/{key}`: one lesson (reading, annotated clip, library case, quiz or
//! replay) with "done" and the way to the previous and next lessons. A lesson of a locked
//! module is refused by the server, which the page shows with the way back to the outline.
use super::{TEACHING, percent};
use crate::api::courses::{LessonDone, StartAttempt, course_lesson};
use crate::api::replays::get_replay;
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::components::replay::{ReplayPlayer, parse_t};
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::courses::{CourseId, LessonContentView, LessonPage, QuizLesson};
use crate::model::quiz::GradingMethod;
use crate::model::replay::ReplayView;
use crate::model::{AppError, ReplayId, text_lang};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A replay lesson's replay, read with the lesson (`None`: the lesson names none).
type LessonReplay = Option<Result<ReplayView, AppError>>;

fn grading_label(i18n: leptos_i18n::I18nContext<Locale>, g: GradingMethod) -> &'static str {
    match g {
        GradingMethod::Highest => t_string!(i18n, courses.grading_highest),
        GradingMethod::Average => t_string!(i18n, courses.grading_average),
        GradingMethod::First => t_string!(i18n, courses.grading_first),
        GradingMethod::Last => t_string!(i18n, courses.grading_last),
    }
}

#[component]
fn Quiz(quiz: QuizLesson, course: CourseId, lesson: String) -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartAttempt>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            navigate(&format!("/attempts/{id}"), Default::default());
        }
    });
    let open = quiz.attempts.iter().any(|(_, _, finished, _)| !finished);
    let quiz_id = quiz.quiz_id.clone();
    let (questions, allowed, limit, grading, pass) = (
        quiz.questions,
        quiz.attempts_allowed,
        quiz.time_limit_secs,
        quiz.grading,
        quiz.pass_mark,
    );
    view! {
        <section class="panel quiz-lesson" data-testid="quiz-lesson">
            <h2 lang=text_lang(&quiz.title)>{quiz.title.clone()}</h2>
            <dl class="facts">
                <dt>{t!(i18n, courses.questions)}</dt><dd>{questions}</dd>
                <dt>{t!(i18n, courses.attempts_allowed)}</dt>
                <dd>{move || allowed.map(|n| n.to_string()).unwrap_or_else(|| t_string!(i18n, courses.unlimited).to_string())}</dd>
                <dt>{t!(i18n, courses.time_limit)}</dt>
                <dd>{move || limit.map(|s| t_string!(i18n, courses.minutes, n = s.div_ceil(60)).to_string()).unwrap_or_else(|| t_string!(i18n, courses.no_limit).to_string())}</dd>
                <dt>{t!(i18n, courses.grading)}</dt><dd>{move || grading_label(i18n, grading)}</dd>
                <dt>{t!(i18n, courses.pass_mark)}</dt><dd>{percent(pass)}</dd>
            </dl>
            {quiz.grade.map(|g| view! {
                <p data-testid="quiz-grade" class=if quiz.passed { "form-ok" } else { "form-error" }>
                    {move || if quiz.passed { t_string!(i18n, courses.passed_with, grade = percent(g)).to_string() } else { t_string!(i18n, courses.not_passed_with, grade = percent(g)).to_string() }}
                </p>
            })}
            {(!quiz.attempts.is_empty()).then(|| view! {
                <div class="table-wrap" tabindex="0">
                    <table class="table" data-testid="attempts">
                        <caption class="sr-only">{t!(i18n, courses.your_attempts)}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, courses.attempt)}</th>
                            <th scope="col">{t!(i18n, courses.grade)}</th>
                            <th scope="col"></th>
                        </tr></thead>
                        <tbody>{quiz.attempts.iter().cloned().map(|(id, n, finished, grade)| view! {
                            <tr>
                                <td>{n}</td>
                                <td>{move || match (finished, grade) {
                                    (true, Some(g)) => percent(g),
                                    (true, None) => "—".to_string(),
                                    (false, _) => t_string!(i18n, courses.in_progress).to_string(),
                                }}</td>
                                <td>{if finished {
                                    view! { <a href=format!("/attempts/{id}/review")>{t!(i18n, courses.review)}</a> }.into_any()
                                } else {
                                    view! { <a href=format!("/attempts/{id}")>{t!(i18n, courses.continue_attempt)}</a> }.into_any()
                                }}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                </div>
            })}
            <div class="form-actions">
                {quiz.may_start.then(|| view! {
                    <button type="button" class="btn btn-primary" data-testid="start-attempt"
                        disabled=move || start.pending().get()
                        on:click=move |_| {
                            start.dispatch(StartAttempt { quiz: quiz_id.clone(), course: Some(course.clone()), lesson: Some(lesson.clone()) });
                        }>
                        {move || if open { t_string!(i18n, courses.continue_attempt) } else { t_string!(i18n, courses.start_attempt) }}
                    </button>
                })}
                {(!quiz.may_start).then(|| view! { <p class="muted">{t!(i18n, courses.no_attempts_left)}</p> })}
                {move || match start.value().get() {
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                    _ => None,
                }}
            </div>
        </section>
    }
}

/// Which replay the page showed last and where it stood (ms): marking the lesson done reads
/// the lesson again, and the new player opens where the last one was.
#[derive(Clone, Copy)]
struct ReplayTime(RwSignal<Option<(ReplayId, u64)>>);

/// A replay lesson: the player (opening at `?t=`, as a comment's link asks) and the summary.
#[component]
fn ReplayLesson(replay: LessonReplay) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let kept = use_context::<ReplayTime>().map(|ReplayTime(t)| t);
    match replay {
        None => view! { <p class="empty-state">{t!(i18n, courses.replay_missing)}</p> }.into_any(),
        // Not the page's own error: the lesson is there, its replay is not (retired, say).
        Some(Err(error)) => view! {
            <p class="notice notice-error" role="alert">{error_message(i18n, &error)}</p>
        }
        .into_any(),
        Some(Ok(replay)) => {
            let id = replay.id.clone();
            let start_at = kept
                .and_then(|k| k.get_untracked())
                .and_then(|(shown, t)| (shown == id).then_some(t))
                .or_else(|| query.with_untracked(|q| q.get("t").and_then(|t| parse_t(&t))));
            let on_time = RwSignal::new(start_at.unwrap_or(0));
            if let Some(kept) = kept {
                Effect::new(move |_| kept.set(Some((id.clone(), on_time.get()))));
            }
            let summary = replay.summary_html.clone();
            view! {
                <div class="lesson-replay" data-testid="lesson-replay">
                    <ReplayPlayer replay start_at on_time />
                    {(!summary.is_empty()).then(|| view! {
                        <div class="prose" lang=text_lang(&summary) inner_html=summary.clone()></div>
                    })}
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn Body(view_: LessonContentView, replay: LessonReplay) -> impl IntoView {
    let i18n = use_i18n();
    match view_.page {
        LessonPage::Reading { html } => view! {
            <article class="prose lesson-reading" lang=text_lang(&html) inner_html=html.clone()></article>
        }
        .into_any(),
        LessonPage::Clip {
            sha,
            annotations,
            narration_html,
        } => {
            let source = Signal::derive(move || Some(ClipSource::Url(format!("/dicom/{sha}"))));
            view! {
                <div class="lesson-clip">
                    <CineViewer source annotations=Signal::derive(move || annotations.clone()) />
                    <div class="prose" lang=text_lang(&narration_html) inner_html=narration_html.clone()></div>
                </div>
            }
            .into_any()
        }
        LessonPage::Case {
            case_id,
            title,
            unknown,
        } => {
            let href = if unknown {
                format!("/cases/{case_id}/solve")
            } else {
                format!("/cases/{case_id}")
            };
            view! {
                <section class="panel">
                    <p>{move || if unknown { t_string!(i18n, courses.case_unknown_intro) } else { t_string!(i18n, courses.case_intro) }}</p>
                    <p><a class="btn" href=href data-testid="lesson-case">
                        {if title.is_empty() { view! { {t!(i18n, courses.open_case)} }.into_any() } else { view! { <span lang=text_lang(&title)>{title.clone()}</span> }.into_any() }}
                    </a></p>
                </section>
            }
            .into_any()
        }
        LessonPage::Quiz(quiz) => view! { <Quiz quiz course=view_.course_id.clone() lesson=view_.key.clone() /> }.into_any(),
        LessonPage::Replay { .. } => view! { <ReplayLesson replay /> }.into_any(),
    }
}

#[component]
fn Lesson(lesson: LessonContentView, replay: LessonReplay, refetch: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let done = ServerAction::<LessonDone>::new();
    Effect::new(move |_| {
        if matches!(done.value().get(), Some(Ok(_))) {
            refetch.run(());
        }
    });
    let course = lesson.course_id.clone();
    let link = move |key: &String| format!("/courses/{course}/lessons/{key}");
    let previous = lesson.previous.as_ref().map(&link);
    let next = lesson.next.as_ref().map(&link);
    let is_quiz = matches!(lesson.page, LessonPage::Quiz(_));
    let (course_id, key) = (lesson.course_id.0.clone(), lesson.key.clone());
    let finished = lesson.done;
    view! {
        <header class="page-head">
            <p class="breadcrumb">
                <a href=format!("/courses/{}", lesson.course_id) lang=text_lang(&lesson.course_title)>{lesson.course_title.clone()}</a>
                " › " <span lang=text_lang(&lesson.module_title)>{lesson.module_title.clone()}</span>
            </p>
            <h1 lang=text_lang(&lesson.title)>{lesson.title.clone()}</h1>
        </header>
        <Body view_=lesson.clone() replay />
        <nav class="lesson-nav" aria-label=move || t_string!(i18n, courses.lesson_nav)>
            {previous.map(|href| view! { <a class="btn" href=href rel="prev">{t!(i18n, courses.previous)}</a> })}
            {if finished {
                view! { <span class="badge badge-ok" data-testid="lesson-done">{t!(i18n, courses.lesson_done)}</span> }.into_any()
            } else if is_quiz {
                view! { <span class="small muted">{t!(i18n, courses.quiz_done_hint)}</span> }.into_any()
            } else {
                view! {
                    <button type="button" class="btn btn-primary" data-testid="mark-done" disabled=move || done.pending().get()
                        on:click=move |_| { done.dispatch(LessonDone { course: course_id.clone(), lesson: key.clone() }); }>
                        {t!(i18n, courses.mark_done)}
                    </button>
                }.into_any()
            }}
            {move || match done.value().get() {
                Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                _ => None,
            }}
            {next.map(|href| view! { <a class="btn" href=href rel="next">{t!(i18n, courses.next)}</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn LessonPage_() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let tick = RwSignal::new(0u32);
    let lesson = resource::blocking(
        move || {
            params.with(|p| {
                (
                    tick.get(),
                    p.get("id").unwrap_or_default(),
                    p.get("lesson").unwrap_or_default(),
                )
            })
        },
        |(_, course, lesson)| async move {
            let lesson = course_lesson(course, lesson).await?;
            // Read with the lesson, so the server renders the player and the browser hydrates it.
            let replay = match &lesson.page {
                LessonPage::Replay {
                    replay_id: Some(id),
                } => Some(get_replay(id.clone()).await),
                _ => None,
            };
            Ok::<_, AppError>((lesson, replay))
        },
    );
    let refetch = Callback::new(move |_| tick.update(|n| *n += 1));
    provide_context(ReplayTime(RwSignal::new(None)));
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || lesson.get().map(|res| match res {
                Ok((lesson, replay)) => view! { <Lesson lesson replay refetch /> }.into_any(),
                Err(error) => {
                    let back = params.with_untracked(|p| format!("/courses/{}", p.get("id").unwrap_or_default()));
                    view! {
                        <ErrorNotice error />
                        <p><a href=back>{t!(i18n, courses.back_to_course)}</a></p>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// `/courses/{id}/lessons/{key}`.
#[component]
pub fn LessonPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.lesson).to_string() />
        <section class="page lesson-page">
            <Guarded roles=TEACHING children=|_| view! { <LessonPage_ /> }.into_any() />
        </section>
    }
}
