//! `/attempts/{id}/review`: a finished attempt with what the quiz's review options allow now:
//! the grade, each answer and its mark, the right answer (regions and frames drawn on the
//! clip) and the explanation. Authors and coordinators see everything.
use super::attempt::click_marker;
use super::{TEACHING, percent};
use crate::api::courses::attempt_review;
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::quiz::{
    Answer, FrameTarget, QuestionForLearner, QuestionKind, ReviewSlot, ReviewView, Tolerance,
};
use crate::model::{Annotation, text_lang};
use crate::pages::guard::Guarded;
use crate::pages::people::network_date;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

const KEY_COLOUR: &str = "#69f0ae";
const ANSWER_COLOUR: &str = "#00e5ff";

fn options_of(q: &QuestionForLearner) -> Vec<String> {
    match q {
        QuestionForLearner::Single { options } | QuestionForLearner::Multiple { options } => {
            options.clone()
        }
        QuestionForLearner::Ordering { items } => items.clone(),
        _ => Vec::new(),
    }
}

/// The learner's answer in words.
fn answer_text(i18n: leptos_i18n::I18nContext<Locale>, slot: &ReviewSlot) -> String {
    let shown = options_of(&slot.question);
    let pick = |i: &usize| shown.get(*i).cloned().unwrap_or_default();
    match &slot.answer {
        None => t_string!(i18n, review.no_answer).to_string(),
        Some(Answer::Choice(i)) => pick(i),
        Some(Answer::Choices(list)) => list.iter().map(pick).collect::<Vec<_>>().join("; "),
        Some(Answer::TrueFalse(b)) => if *b {
            t_string!(i18n, attempt.true_)
        } else {
            t_string!(i18n, attempt.false_)
        }
        .to_string(),
        Some(Answer::Order(list)) => list.iter().map(pick).collect::<Vec<_>>().join(" → "),
        Some(Answer::Click { x, y, frame }) => t_string!(
            i18n,
            attempt.clicked_at,
            frame = frame + 1,
            x = format!("{x:.0}"),
            y = format!("{y:.0}")
        )
        .to_string(),
        Some(Answer::Frame(f)) => t_string!(i18n, attempt.marked_frame, n = f + 1).to_string(),
        Some(Answer::FrameRange { start, end }) => {
            t_string!(i18n, attempt.marked_range, start = start + 1, end = end + 1).to_string()
        }
        Some(Answer::Measured { mm }) => format!("{mm:.1} mm"),
    }
}

/// The right answer in words.
fn key_text(i18n: leptos_i18n::I18nContext<Locale>, key: &QuestionKind) -> String {
    match key {
        QuestionKind::Single { options, correct } => {
            options.get(*correct).cloned().unwrap_or_default()
        }
        QuestionKind::Multiple {
            options, correct, ..
        } => correct
            .iter()
            .filter_map(|i| options.get(*i).cloned())
            .collect::<Vec<_>>()
            .join("; "),
        QuestionKind::TrueFalse { correct } => if *correct {
            t_string!(i18n, attempt.true_)
        } else {
            t_string!(i18n, attempt.false_)
        }
        .to_string(),
        QuestionKind::Ordering { items, .. } => items.join(" → "),
        QuestionKind::Hotspot { targets, .. } => {
            // One region per frame where the structure moves: said once, over its frames.
            let first = targets.iter().map(|t| t.first_frame).min().unwrap_or(0);
            let last = targets.iter().map(|t| t.last_frame).max().unwrap_or(0);
            t_string!(
                i18n,
                review.region_frames,
                first = first + 1,
                last = last + 1
            )
            .to_string()
        }
        QuestionKind::FrameSelection { target, tolerance } => match target {
            FrameTarget::Frame(f) => {
                t_string!(i18n, review.frame_within, n = f + 1, tolerance = *tolerance).to_string()
            }
            FrameTarget::Range { start, end } => t_string!(
                i18n,
                review.range_within,
                start = start + 1,
                end = end + 1,
                tolerance = *tolerance
            )
            .to_string(),
        },
        QuestionKind::Measurement {
            expected_mm,
            tolerance,
        } => match tolerance {
            Tolerance::Mm(t) => format!("{expected_mm:.1} mm ± {t:.1} mm"),
            Tolerance::Percent(p) => format!("{expected_mm:.1} mm ± {p:.0}%"),
        },
    }
}

/// The clip with the learner's click and the key's regions drawn on it.
fn clip_view(slot: &ReviewSlot) -> Option<AnyView> {
    let clip = slot.clip.clone()?;
    let frames = clip.frames;
    let mut marks: Vec<Annotation> = Vec::new();
    if let Some(QuestionKind::Hotspot { targets, .. }) = &slot.key {
        marks.extend(targets.iter().map(|t| Annotation {
            shape: t.shape.clone(),
            first_frame: t.first_frame,
            last_frame: t.last_frame,
            color: Some(KEY_COLOUR.into()),
        }));
    }
    let jump = RwSignal::new(None);
    match &slot.answer {
        Some(Answer::Click { x, y, frame }) => {
            marks.push(click_marker(*x, *y, frames, ANSWER_COLOUR));
            jump.set(Some(*frame));
        }
        Some(Answer::Frame(f)) | Some(Answer::FrameRange { start: f, .. }) => jump.set(Some(*f)),
        _ => {}
    }
    let url = format!("/dicom/{}", clip.sha);
    Some(view! {
        <CineViewer source=Signal::derive(move || Some(ClipSource::Url(url.clone()))) annotations=Signal::derive(move || marks.clone()) jump_to=jump />
    }.into_any())
}

#[component]
fn ReviewItem(item: ReviewSlot, n: usize) -> impl IntoView {
    let slot = item;
    let i18n = use_i18n();
    let mark = slot.mark;
    let verdict = mark.map(|m| {
        if m >= 1.0 {
            "right"
        } else if m > 0.0 {
            "partial"
        } else {
            "wrong"
        }
    });
    let answer = answer_text(i18n, &slot);
    let key = slot.key.as_ref().map(|k| key_text(i18n, k));
    let stem = slot.stem.clone();
    let max = slot.max_mark;
    view! {
        <section class="panel question review-slot" data-slot=slot.slot data-verdict=verdict.unwrap_or("hidden")>
            <h2 class="question-stem">
                <span class="question-n">{move || t_string!(i18n, attempt.question_n, n = n + 1).to_string()}</span>
                <span lang=text_lang(&stem) inner_html=stem.clone()></span>
            </h2>
            {clip_view(&slot)}
            <dl class="facts">
                {slot.answer.is_some().then(|| view! { <dt>{t!(i18n, review.your_answer)}</dt><dd lang=text_lang(&answer)>{answer.clone()}</dd> })}
                {mark.map(|m| view! {
                    <dt>{t!(i18n, review.mark)}</dt>
                    <dd class=match verdict { Some("right") => "form-ok", Some("partial") => "", _ => "form-error" } data-testid="slot-mark">
                        {format!("{:.2} / {:.2} · ", m * max, max)}
                        {move || match verdict { Some("right") => t_string!(i18n, review.right), Some("partial") => t_string!(i18n, review.partial), _ => t_string!(i18n, review.wrong) }}
                    </dd>
                })}
                {key.map(|k| view! { <dt>{t!(i18n, review.right_answer)}</dt><dd lang=text_lang(&k) data-testid="slot-key">{k.clone()}</dd> })}
            </dl>
            {slot.explanation.clone().filter(|e| !e.trim().is_empty()).map(|html| view! {
                <details class="explanation" open>
                    <summary>{t!(i18n, review.explanation)}</summary>
                    <div class="prose" lang=text_lang(&html) inner_html=html.clone()></div>
                </details>
            })}
        </section>
    }
}

#[component]
fn Review(review: ReviewView) -> impl IntoView {
    let i18n = use_i18n();
    let passed = review.passed;
    view! {
        <header class="page-head">
            {review.back.clone().map(|href| view! { <p class="breadcrumb"><a href=href>{t!(i18n, review.back)}</a></p> })}
            <h1 lang=text_lang(&review.quiz_title)>{review.quiz_title.clone()}</h1>
            <p class="muted">{format!("{} · ", review.learner)}{move || t_string!(i18n, attempt.number, n = review.number).to_string()}{format!(" · {}", network_date(review.finished_at))}</p>
        </header>
        <section class="panel" role="status" data-testid="review-summary">
            {review.grade.map(|g| view! {
                <p class="review-grade">{move || t_string!(i18n, review.grade, grade = percent(g)).to_string()}</p>
            })}
            {passed.map(|p| view! {
                <p class=if p { "form-ok" } else { "form-error" } data-testid="review-passed" data-passed=p.to_string()>
                    {move || if p { t_string!(i18n, review.passed) } else { t_string!(i18n, review.not_passed) }}
                </p>
            })}
            {review.timed_out.then(|| view! { <p class="muted">{t!(i18n, review.timed_out)}</p> })}
            {(!review.shows.marks).then(|| view! { <p class="muted">{t!(i18n, review.marks_later)}</p> })}
        </section>
        {review.slots.iter().cloned().enumerate().map(|(n, slot)| view! { <ReviewItem item=slot n /> }).collect_view()}
    }
    .into_any()
}

#[component]
fn ReviewPage_() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let review = resource::blocking(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        attempt_review,
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || review.get().map(|res| match res {
                Ok(review) => view! { <Review review /> }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </Transition>
    }
}

/// `/attempts/{id}/review`.
#[component]
pub fn ReviewPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.review).to_string() />
        <section class="page review-page">
            <Guarded roles=TEACHING children=|_| view! { <ReviewPage_ /> }.into_any() />
        </section>
    }
}
