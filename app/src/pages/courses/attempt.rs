//! `/attempts/{id}`: a quiz attempt. Each answer is saved as it is given (a click on the clip
//! while it plays or is paused, a frame marked while scrubbing, a calliper measurement, an
//! option, an order); the countdown runs on the server's clock and the attempt is submitted
//! when it ends. Nothing here knows the keys: the server marks.
use super::TEACHING;
use crate::api::courses::{SaveAnswer, SubmitAttempt, get_attempt};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::quiz::{Answer, AttemptSlot, AttemptView, FramePick, QuestionForLearner};
use crate::model::{Annotation, AttemptId, Point, Shape, text_lang};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A marker where the learner clicked, on every frame.
pub(super) fn click_marker(x: f64, y: f64, frames: u32, color: &str) -> Annotation {
    Annotation {
        shape: Shape::Ellipse {
            center: Point { x, y },
            rx: 6.0,
            ry: 6.0,
        },
        first_frame: 0,
        last_frame: frames.saturating_sub(1),
        color: Some(color.to_string()),
    }
}

fn clip_source(slot: &AttemptSlot) -> Signal<Option<ClipSource>> {
    let url = slot.clip.as_ref().map(|c| format!("/dicom/{}", c.sha));
    Signal::derive(move || url.clone().map(ClipSource::Url))
}

/// The widget for one question; `save` sends an answer.
fn widget(
    i18n: leptos_i18n::I18nContext<Locale>,
    slot: &AttemptSlot,
    save: Callback<Answer>,
) -> AnyView {
    let saved = slot.answer.clone();
    let name = format!("q{}", slot.slot);
    match &slot.question {
        QuestionForLearner::Single { options } => {
            let chosen = match saved {
                Some(Answer::Choice(i)) => Some(i),
                _ => None,
            };
            view! {
                <fieldset class="choices">
                    <legend class="sr-only">{t!(i18n, attempt.pick_one)}</legend>
                    {options.iter().enumerate().map(|(i, text)| view! {
                        <label class="check"><input type="radio" name=name.clone() checked=chosen == Some(i)
                            on:change=move |_| save.run(Answer::Choice(i)) /><span lang=text_lang(text)>{text.clone()}</span></label>
                    }).collect_view()}
                </fieldset>
            }
            .into_any()
        }
        QuestionForLearner::Multiple { options } => {
            let ticked = RwSignal::new(match saved {
                Some(Answer::Choices(list)) => list,
                _ => Vec::new(),
            });
            view! {
                <fieldset class="choices">
                    <legend class="sr-only">{t!(i18n, attempt.pick_any)}</legend>
                    {options.iter().enumerate().map(|(i, text)| view! {
                        <label class="check"><input type="checkbox" checked=ticked.with_untracked(|t| t.contains(&i))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                ticked.update(|t| { t.retain(|x| *x != i); if on { t.push(i); t.sort_unstable(); } });
                                save.run(Answer::Choices(ticked.get_untracked()));
                            } /><span lang=text_lang(text)>{text.clone()}</span></label>
                    }).collect_view()}
                </fieldset>
            }
            .into_any()
        }
        QuestionForLearner::TrueFalse => {
            let chosen = match saved {
                Some(Answer::TrueFalse(b)) => Some(b),
                _ => None,
            };
            view! {
                <fieldset class="choices">
                    <legend class="sr-only">{t!(i18n, attempt.pick_one)}</legend>
                    <label class="check"><input type="radio" name=name.clone() checked=chosen == Some(true)
                        on:change=move |_| save.run(Answer::TrueFalse(true)) />{t!(i18n, attempt.true_)}</label>
                    <label class="check"><input type="radio" name=name.clone() checked=chosen == Some(false)
                        on:change=move |_| save.run(Answer::TrueFalse(false)) />{t!(i18n, attempt.false_)}</label>
                </fieldset>
            }
            .into_any()
        }
        QuestionForLearner::Ordering { items } => ordering(i18n, items.clone(), saved, save),
        QuestionForLearner::Hotspot { frames } => hotspot(i18n, slot, *frames, saved, save),
        QuestionForLearner::FrameSelection { pick } => frame_pick(i18n, slot, *pick, saved, save),
        QuestionForLearner::Measurement => measurement(i18n, slot, saved, save),
    }
}

fn ordering(
    i18n: leptos_i18n::I18nContext<Locale>,
    items: Vec<String>,
    saved: Option<Answer>,
    save: Callback<Answer>,
) -> AnyView {
    let order = RwSignal::new(match saved {
        Some(Answer::Order(o)) if o.len() == items.len() => o,
        _ => (0..items.len()).collect(),
    });
    let n = items.len();
    let swap = move |at: usize, with: usize| {
        order.update(|o| o.swap(at, with));
        save.run(Answer::Order(order.get_untracked()));
    };
    view! {
        <div class="ordering">
            <ol class="order-list">
                {move || order.get().into_iter().enumerate().map(|(at, item)| {
                    let text = items[item].clone();
                    view! {
                        <li class="order-item">
                            <span class="order-text" lang=text_lang(&text)>{text.clone()}</span>
                            <button type="button" class="btn btn-small" disabled=at == 0 on:click=move |_| swap(at, at - 1)
                                aria-label=move || t_string!(i18n, attempt.move_up, item = text.clone()).to_string()>"↑"</button>
                            <button type="button" class="btn btn-small" disabled=at + 1 == n on:click=move |_| swap(at, at + 1)
                                aria-label={let text = items[item].clone(); move || t_string!(i18n, attempt.move_down, item = text.clone()).to_string()}>"↓"</button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <button type="button" class="btn btn-small" on:click=move |_| save.run(Answer::Order(order.get_untracked()))>
                {t!(i18n, attempt.keep_order)}
            </button>
        </div>
    }
    .into_any()
}

fn hotspot(
    i18n: leptos_i18n::I18nContext<Locale>,
    slot: &AttemptSlot,
    frames: u32,
    saved: Option<Answer>,
    save: Callback<Answer>,
) -> AnyView {
    let click = RwSignal::new(match saved {
        Some(Answer::Click { x, y, frame }) => Some((x, y, frame)),
        _ => None,
    });
    let on_pick = Callback::new(move |(p, frame): (Point, u32)| {
        click.set(Some((p.x, p.y, frame)));
        save.run(Answer::Click {
            x: p.x,
            y: p.y,
            frame,
        });
    });
    let marker = Signal::derive(move || {
        click
            .get()
            .map(|(x, y, _)| vec![click_marker(x, y, frames, "#00e5ff")])
            .unwrap_or_default()
    });
    view! {
        <div class="question-clip">
            <p class="small muted">{t!(i18n, attempt.hotspot_hint)}</p>
            <CineViewer source=clip_source(slot) annotations=marker on_pick />
            <p class="small" data-testid="hotspot-answer">{move || click.get().map(|(x, y, f)| t_string!(i18n, attempt.clicked_at, frame = f + 1, x = format!("{x:.0}"), y = format!("{y:.0}")).to_string())}</p>
        </div>
    }
    .into_any()
}

fn frame_pick(
    i18n: leptos_i18n::I18nContext<Locale>,
    slot: &AttemptSlot,
    pick: FramePick,
    saved: Option<Answer>,
    save: Callback<Answer>,
) -> AnyView {
    let current = RwSignal::new(0u32);
    let chosen = RwSignal::new(match saved {
        Some(Answer::Frame(f)) => Some((f, f)),
        Some(Answer::FrameRange { start, end }) => Some((start, end)),
        _ => None,
    });
    let jump = RwSignal::new(chosen.get_untracked().map(|(s, _)| s));
    let mark = move |which: u8| {
        let f = current.get_untracked();
        let (start, end) = match (which, chosen.get_untracked()) {
            (0, _) => (f, f),
            (1, Some((_, e))) => (f, e.max(f)),
            (1, None) => (f, f),
            (_, Some((s, _))) => (s.min(f), f),
            (_, None) => (f, f),
        };
        chosen.set(Some((start, end)));
        save.run(if pick == FramePick::Frame {
            Answer::Frame(f)
        } else {
            Answer::FrameRange { start, end }
        });
    };
    view! {
        <div class="question-clip">
            <p class="small muted">{move || if pick == FramePick::Frame { t_string!(i18n, attempt.frame_hint) } else { t_string!(i18n, attempt.range_hint) }}</p>
            <CineViewer source=clip_source(slot) current_frame=current jump_to=jump />
            <div class="form-actions">
                {if pick == FramePick::Frame {
                    view! { <button type="button" class="btn" data-testid="mark-frame" on:click=move |_| mark(0)>{move || t_string!(i18n, attempt.mark_frame, n = current.get() + 1).to_string()}</button> }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn" data-testid="mark-start" on:click=move |_| mark(1)>{move || t_string!(i18n, attempt.mark_start, n = current.get() + 1).to_string()}</button>
                        <button type="button" class="btn" data-testid="mark-end" on:click=move |_| mark(2)>{move || t_string!(i18n, attempt.mark_end, n = current.get() + 1).to_string()}</button>
                    }.into_any()
                }}
            </div>
            <p class="small" data-testid="frame-answer">{move || chosen.get().map(|(s, e)| if s == e {
                t_string!(i18n, attempt.marked_frame, n = s + 1).to_string()
            } else {
                t_string!(i18n, attempt.marked_range, start = s + 1, end = e + 1).to_string()
            })}</p>
        </div>
    }
    .into_any()
}

fn measurement(
    i18n: leptos_i18n::I18nContext<Locale>,
    slot: &AttemptSlot,
    saved: Option<Answer>,
    save: Callback<Answer>,
) -> AnyView {
    let measured = RwSignal::new(None::<f64>);
    let value = RwSignal::new(match saved {
        Some(Answer::Measured { mm }) => format!("{mm:.1}"),
        _ => String::new(),
    });
    Effect::new(move |_| {
        if let Some(mm) = measured.get() {
            value.set(format!("{mm:.1}"));
        }
    });
    let send = move || {
        if let Ok(mm) = value.get_untracked().trim().parse::<f64>() {
            save.run(Answer::Measured { mm });
        }
    };
    view! {
        <div class="question-clip">
            <p class="small muted">{t!(i18n, attempt.measure_hint)}</p>
            <CineViewer source=clip_source(slot) measured_mm=measured />
            <div class="form-actions">
                <label class="field field-inline">{t!(i18n, attempt.your_measurement)}
                    <input type="number" step="0.1" min="0" inputmode="decimal" bind:value=value data-testid="measured-mm" />
                    " mm"
                </label>
                <button type="button" class="btn" data-testid="save-measurement" on:click=move |_| send()>{t!(i18n, attempt.save_measurement)}</button>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn Question(
    attempt: AttemptId,
    item: AttemptSlot,
    n: usize,
    answered: RwSignal<Vec<bool>>,
) -> impl IntoView {
    let slot = item;
    let i18n = use_i18n();
    let action = ServerAction::<SaveAnswer>::new();
    let index = slot.slot;
    let save = Callback::new(move |answer: Answer| {
        action.dispatch(SaveAnswer {
            attempt: attempt.clone(),
            slot: index,
            answer,
        });
    });
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            answered.update(|a| {
                if let Some(x) = a.get_mut(n) {
                    *x = true
                }
            });
        }
    });
    let stem = slot.stem.clone();
    view! {
        <section class="panel question" data-slot=index data-kind=kind_name(&slot.question) aria-labelledby=format!("q{index}-stem")>
            <h2 id=format!("q{index}-stem") class="question-stem">
                <span class="question-n">{move || t_string!(i18n, attempt.question_n, n = n + 1).to_string()}</span>
                <span lang=text_lang(&stem) inner_html=stem.clone()></span>
            </h2>
            {widget(i18n, &slot, save)}
            <p class="save-state" aria-live="polite" data-testid="save-state">
                {move || match action.value().get() {
                    Some(Ok(())) => Some(view! { <span class="form-ok">{t!(i18n, attempt.saved)}</span> }.into_any()),
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }.into_any()),
                    None => None,
                }}
            </p>
        </section>
    }
}

fn kind_name(q: &QuestionForLearner) -> &'static str {
    match q {
        QuestionForLearner::Single { .. } => "single",
        QuestionForLearner::Multiple { .. } => "multiple",
        QuestionForLearner::TrueFalse => "true_false",
        QuestionForLearner::Ordering { .. } => "ordering",
        QuestionForLearner::Hotspot { .. } => "hotspot",
        QuestionForLearner::FrameSelection { .. } => "frame_selection",
        QuestionForLearner::Measurement => "measurement",
    }
}

/// Seconds left, counted down on the page from the server's clock.
#[component]
fn Countdown(deadline: i64, server_now: i64, on_end: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let left = RwSignal::new(deadline - server_now);
    Effect::new(move |_| {
        let started = js_sys_now();
        let ended = StoredValue::new(false);
        let handle = set_interval_with_handle(
            move || {
                let elapsed = ((js_sys_now() - started) / 1000.0) as i64;
                let remaining = deadline - server_now - elapsed;
                left.set(remaining.max(0));
                if remaining <= 0 && !ended.get_value() {
                    ended.set_value(true);
                    on_end.run(());
                }
            },
            std::time::Duration::from_millis(500),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    let text = move || {
        let s = left.get();
        format!("{}:{:02}", s / 60, s % 60)
    };
    view! {
        <p class="countdown" class:countdown-low=move || left.get() < 60 data-testid="countdown" role="timer"
            aria-label=move || t_string!(i18n, attempt.time_left).to_string()>
            {move || t_string!(i18n, attempt.time_left).to_string()}" "<strong>{text}</strong>
        </p>
    }
}

/// Milliseconds since the page loaded (the browser's monotonic clock).
fn js_sys_now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or_default()
}

#[component]
fn Attempt(attempt: AttemptView) -> impl IntoView {
    let i18n = use_i18n();
    let submit = ServerAction::<SubmitAttempt>::new();
    let navigate = leptos_router::hooks::use_navigate();
    let id = attempt.id.clone();
    let review = format!("/attempts/{}/review", attempt.id);
    Effect::new(move |_| {
        if matches!(submit.value().get(), Some(Ok(_))) {
            navigate(&review, Default::default());
        }
    });
    let answered = RwSignal::new(
        attempt
            .slots
            .iter()
            .map(|s| s.answer.is_some())
            .collect::<Vec<_>>(),
    );
    let confirming = RwSignal::new(false);
    let send = {
        let id = id.clone();
        move || {
            submit.dispatch(SubmitAttempt { id: id.0.clone() });
        }
    };
    let on_end = {
        let send = send.clone();
        Callback::new(move |_| send())
    };
    let unanswered = move || answered.with(|a| a.iter().filter(|x| !**x).count());
    view! {
        <header class="page-head attempt-head">
            <h1 lang=text_lang(&attempt.quiz_title)>{attempt.quiz_title.clone()}</h1>
            <p class="muted">{move || t_string!(i18n, attempt.number, n = attempt.number).to_string()}</p>
            {attempt.deadline.map(|deadline| view! { <Countdown deadline server_now=attempt.server_now on_end /> })}
        </header>
        <form class="attempt" on:submit=|ev| ev.prevent_default() data-testid="attempt">
            {attempt.slots.iter().cloned().enumerate().map(|(n, slot)| view! { <Question attempt=id.clone() item=slot n answered /> }).collect_view()}
        </form>
        <section class="panel submit-panel">
            <p>{move || t_string!(i18n, attempt.answered, done = answered.with(|a| a.iter().filter(|x| **x).count()), total = answered.with(Vec::len)).to_string()}</p>
            <Show when=move || confirming.get() fallback=move || view! {
                <button type="button" class="btn btn-primary" data-testid="submit-attempt" on:click=move |_| confirming.set(true)>{t!(i18n, attempt.submit)}</button>
            }>
                <p role="alert">{move || if unanswered() > 0 { t_string!(i18n, attempt.confirm_unanswered, n = unanswered()).to_string() } else { t_string!(i18n, attempt.confirm).to_string() }}</p>
                <div class="form-actions">
                    <button type="button" class="btn btn-primary" data-testid="confirm-submit" disabled=move || submit.pending().get()
                        on:click={let send = send.clone(); move |_| send()}>{t!(i18n, attempt.submit_now)}</button>
                    <button type="button" class="btn" on:click=move |_| confirming.set(false)>{t!(i18n, attempt.keep_going)}</button>
                </div>
            </Show>
            {move || match submit.value().get() {
                Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                _ => None,
            }}
        </section>
    }
    .into_any()
}

#[component]
fn AttemptPage_() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let attempt = resource::blocking(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        get_attempt,
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || attempt.get().map(|res| match res {
                Ok(attempt) => view! { <Attempt attempt /> }.into_any(),
                Err(error) => {
                    let review = params.with_untracked(|p| format!("/attempts/{}/review", p.get("id").unwrap_or_default()));
                    view! {
                        <ErrorNotice error />
                        <p><a href=review data-testid="to-review">{t!(i18n, attempt.to_review)}</a></p>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// `/attempts/{id}`.
#[component]
pub fn AttemptPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.attempt).to_string() />
        <section class="page attempt-page">
            <Guarded roles=TEACHING children=|_| view! { <AttemptPage_ /> }.into_any() />
        </section>
    }
}
