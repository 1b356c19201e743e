//! The answer fields of the questions asked without a clip: options with their right-answer
//! marks (single and multiple answer), the true-or-false key, and ordering items written in
//! their right order.
use super::draft::{self, option_letter};
use crate::i18n::*;
use crate::model::quiz::{OrderingGrading, Partial, QuestionInput, QuestionKind};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// Fewer options or items than this make no question (the server refuses them too).
const FEWEST: usize = 2;

/// Longest option or item the editor takes.
const LABEL_MAX: &str = "500";

/// How many options or items there are: the lists are rebuilt when this changes, not on
/// every key typed into them.
fn label_count(question: RwSignal<QuestionInput>) -> Memo<usize> {
    Memo::new(move |_| question.with(|q| draft::labels(&q.kind).len()))
}

fn label_text(question: RwSignal<QuestionInput>, at: usize) -> String {
    question.with(|q| draft::labels(&q.kind).get(at).cloned().unwrap_or_default())
}

/// The button that adds a blank option or item.
fn add_button(
    i18n: I18nContext<Locale>,
    question: RwSignal<QuestionInput>,
    label: fn(I18nContext<Locale>) -> &'static str,
    testid: &'static str,
) -> AnyView {
    view! {
        <button type="button" class="btn btn-small" data-testid=testid
            on:click=move |_| question.update(|q| draft::add_label(&mut q.kind))>
            "+ "{move || label(i18n)}
        </button>
    }
    .into_any()
}

/// The options of a single-answer (`multiple` false: one radio marks the right option) or
/// multiple-answer question (a checkbox per right option, and the part-marks rule).
pub(super) fn options(
    i18n: I18nContext<Locale>,
    question: RwSignal<QuestionInput>,
    multiple: bool,
) -> AnyView {
    let count = label_count(question);
    let row = move |at: usize| {
        let letter = option_letter(at);
        let (name_text, name_right, name_remove) = (letter.clone(), letter.clone(), letter.clone());
        view! {
            <li class="option-row">
                <span class="option-letter" aria-hidden="true">{letter}</span>
                <input type="text" class="option-text" maxlength=LABEL_MAX aria-required="true"
                    data-testid=format!("option-text-{at}")
                    aria-label=move || t_string!(i18n, question_edit.option_n, n = name_text.clone()).to_string()
                    prop:value=move || label_text(question, at)
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        question.update(|q| draft::set_label(&mut q.kind, at, text));
                    } />
                <label class="check right-mark">
                    <input type=if multiple { "checkbox" } else { "radio" } name="question-right-option"
                        data-testid=format!("option-right-{at}")
                        aria-label=move || t_string!(i18n, question_edit.option_is_right, n = name_right.clone()).to_string()
                        prop:checked=move || question.with(|q| draft::is_right(&q.kind, at))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            question.update(|q| draft::set_right(&mut q.kind, at, on));
                        } />
                    <span>{t!(i18n, question_edit.right_answer)}</span>
                </label>
                <button type="button" class="btn btn-small btn-danger-text" disabled=move || count.get() <= FEWEST
                    data-testid=format!("option-remove-{at}")
                    aria-label=move || t_string!(i18n, question_edit.remove_option, n = name_remove.clone()).to_string()
                    on:click=move |_| question.update(|q| draft::remove_label(&mut q.kind, at))>
                    {t!(i18n, question_edit.remove)}
                </button>
            </li>
        }
    };
    let grading = move || {
        question.with(|q| match q.kind {
            QuestionKind::Multiple { grading, .. } => Some(grading),
            _ => None,
        })
    };
    let set_grading = move |value: String| {
        let partial = if value == "all_or_nothing" {
            Partial::AllOrNothing
        } else {
            Partial::Proportional
        };
        question.update(|q| {
            if let QuestionKind::Multiple { grading, .. } = &mut q.kind {
                *grading = partial;
            }
        });
    };
    view! {
        <p class="hint" id="question-options-hint">
            {move || if multiple { t_string!(i18n, question_edit.multiple_hint) } else { t_string!(i18n, question_edit.single_hint) }}
        </p>
        <ul class="option-list" aria-label=move || t_string!(i18n, question_edit.options) aria-describedby="question-options-hint">
            {move || (0..count.get()).map(row).collect_view()}
        </ul>
        <div class="form-actions">
            {add_button(i18n, question, |i| t_string!(i, question_edit.add_option), "add-option")}
        </div>
        {multiple.then(|| view! {
            <label class="field answer-setting">{t!(i18n, question_edit.partial)}
                <select data-testid="question-partial" on:change=move |ev| set_grading(event_target_value(&ev))>
                    <option value="proportional" selected=move || grading() == Some(Partial::Proportional)>{t!(i18n, question_edit.partial_proportional)}</option>
                    <option value="all_or_nothing" selected=move || grading() == Some(Partial::AllOrNothing)>{t!(i18n, question_edit.partial_all)}</option>
                </select>
            </label>
        })}
    }
    .into_any()
}

/// Whether the statement of a true-or-false question is true.
pub(super) fn true_false(i18n: I18nContext<Locale>, question: RwSignal<QuestionInput>) -> AnyView {
    let is = move |value: bool| {
        question.with(|q| matches!(q.kind, QuestionKind::TrueFalse { correct } if correct == value))
    };
    let set =
        move |value: bool| question.update(|q| q.kind = QuestionKind::TrueFalse { correct: value });
    view! {
        <fieldset class="choices">
            <legend>{t!(i18n, question_edit.tf_legend)}</legend>
            <label class="check">
                <input type="radio" name="question-true-false" data-testid="tf-true"
                    prop:checked=move || is(true) on:change=move |_| set(true) />
                {t!(i18n, attempt.true_)}
            </label>
            <label class="check">
                <input type="radio" name="question-true-false" data-testid="tf-false"
                    prop:checked=move || is(false) on:change=move |_| set(false) />
                {t!(i18n, attempt.false_)}
            </label>
        </fieldset>
    }
    .into_any()
}

/// The items of an ordering question, in their right order (learners see them shuffled), and
/// the part-marks rule.
pub(super) fn ordering(i18n: I18nContext<Locale>, question: RwSignal<QuestionInput>) -> AnyView {
    let count = label_count(question);
    let shift =
        move |at: usize, up: bool| question.update(|q| draft::move_label(&mut q.kind, at, up));
    let row = move |at: usize| {
        let n = at + 1;
        view! {
            <li class="order-item">
                <input type="text" class="order-text" maxlength=LABEL_MAX aria-required="true"
                    data-testid=format!("item-text-{at}")
                    aria-label=move || t_string!(i18n, question_edit.item_n, n = n).to_string()
                    prop:value=move || label_text(question, at)
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        question.update(|q| draft::set_label(&mut q.kind, at, text));
                    } />
                <button type="button" class="btn btn-small" disabled=at == 0
                    aria-label=move || t_string!(i18n, question_edit.move_up, n = n).to_string()
                    on:click=move |_| shift(at, true)>"↑"</button>
                <button type="button" class="btn btn-small" disabled=move || n >= count.get()
                    aria-label=move || t_string!(i18n, question_edit.move_down, n = n).to_string()
                    on:click=move |_| shift(at, false)>"↓"</button>
                <button type="button" class="btn btn-small btn-danger-text" disabled=move || count.get() <= FEWEST
                    aria-label=move || t_string!(i18n, question_edit.remove_item, n = n).to_string()
                    on:click=move |_| question.update(|q| draft::remove_label(&mut q.kind, at))>
                    {t!(i18n, question_edit.remove)}
                </button>
            </li>
        }
    };
    let grading = move || {
        question.with(|q| match q.kind {
            QuestionKind::Ordering { grading, .. } => Some(grading),
            _ => None,
        })
    };
    let set_grading = move |value: String| {
        let rule = match value.as_str() {
            "all_or_nothing" => OrderingGrading::AllOrNothing,
            "absolute_position" => OrderingGrading::AbsolutePosition,
            _ => OrderingGrading::RelativeNextExcludingLast,
        };
        question.update(|q| {
            if let QuestionKind::Ordering { grading, .. } = &mut q.kind {
                *grading = rule;
            }
        });
    };
    let rules = [
        ("all_or_nothing", OrderingGrading::AllOrNothing),
        ("absolute_position", OrderingGrading::AbsolutePosition),
        ("relative_next", OrderingGrading::RelativeNextExcludingLast),
    ];
    let rule_name = move |rule: OrderingGrading| match rule {
        OrderingGrading::AllOrNothing => t_string!(i18n, question_edit.grading_all),
        OrderingGrading::AbsolutePosition => t_string!(i18n, question_edit.grading_absolute),
        OrderingGrading::RelativeNextExcludingLast => {
            t_string!(i18n, question_edit.grading_relative)
        }
    };
    view! {
        <p class="hint" id="question-items-hint">{t!(i18n, question_edit.ordering_hint)}</p>
        <ol class="order-list" aria-label=move || t_string!(i18n, question_edit.items) aria-describedby="question-items-hint">
            {move || (0..count.get()).map(row).collect_view()}
        </ol>
        <div class="form-actions">
            {add_button(i18n, question, |i| t_string!(i, question_edit.add_item), "add-item")}
        </div>
        <label class="field answer-setting">{t!(i18n, question_edit.ordering_grading)}
            <select data-testid="question-ordering-grading" on:change=move |ev| set_grading(event_target_value(&ev))>
                {rules.into_iter().map(|(value, rule)| view! {
                    <option value=value selected=move || grading() == Some(rule)>{move || rule_name(rule)}</option>
                }).collect_view()}
            </select>
        </label>
    }
    .into_any()
}
