//! `/logbook/{id}`: a logged scan — its clips in the cine viewer, the learner's answers
//! against the form, the reviews — and, for an expert who may review it, the review screen:
//! the ACEP grade, the rubric, the expert's own reading, the verdict proposed as they read.
use super::reading::{ReadingFields, answer_text};
use super::{grade_wording, status_label, verdict_label};
use crate::api::competency::{ReviewScan, logbook_entry};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, FieldError, error_message};
use crate::components::layout::lang_code;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::AppError;
use crate::model::competency::{
    EntryClip, EntryView, Grade, Interpretation, ReviewForm, ReviewInput, ReviewView, RubricScores,
    Verdict, VerdictSource, compare, proposed_verdict,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The verdict the comparison suggests, once the reviewer has answered every field.
pub fn proposal(
    form: &ReviewForm,
    learner: &Interpretation,
    reviewer: &Interpretation,
) -> Option<Verdict> {
    let answered = form
        .fields
        .iter()
        .all(|f| reviewer.answers.contains_key(&f.key));
    answered.then(|| proposed_verdict(&compare(form, learner, reviewer)))
}

#[component]
pub(super) fn Clips(clips: Vec<EntryClip>) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(0usize);
    let clips = StoredValue::new(clips);
    let count = clips.with_value(Vec::len);
    let source = Signal::derive(move || {
        clips.with_value(|c| {
            c.get(shown.get())
                .map(|c| ClipSource::Url(format!("/dicom/{}", c.blob_sha)))
        })
    });
    view! {
        <div class="logbook-clips">
            {if count == 0 {
                view! { <p class="empty-state">{t!(i18n, logbook.no_clips)}</p> }.into_any()
            } else {
                view! {
                    <CineViewer source />
                    <ol class="clip-strip" aria-label=move || t_string!(i18n, logbook.clips)>
                        {(0..count).map(|k| {
                            let (frames, w, h) = clips.with_value(|c| (c[k].frames, c[k].width, c[k].height));
                            view! {
                                <li class:selected=move || shown.get() == k>
                                    <button type="button" class="btn btn-small" aria-pressed=move || (shown.get() == k).to_string()
                                        on:click=move |_| shown.set(k)>
                                        {move || t_string!(i18n, logbook.clip_n, n = k + 1)}
                                    </button>
                                    <small class="muted">{move || t_string!(i18n, logbook.clip_facts, frames = frames, width = w, height = h)}</small>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </div>
    }
}

fn review_card(review: ReviewView, form: &ReviewForm) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let answers: Vec<(String, String)> = form
        .fields
        .iter()
        .map(|f| {
            (
                f.label.clone(),
                answer_text(review.interpretation.answers.get(&f.key)),
            )
        })
        .collect();
    let grade = review.grade;
    let verdict = review.verdict;
    let settled = review.verdict_source == VerdictSource::FollowUp;
    view! {
        <article class="panel review-card" data-testid="review">
            <h3>
                {review.reviewer_name.clone()}" · "{review.reviewed_on.to_string()}
                {review.second.then(|| view! { " " <span class="badge badge-second">{t!(i18n, logbook.second_review)}</span> })}
            </h3>
            <dl class="facts">
                <dt>{t!(i18n, logbook.grade)}</dt>
                <dd data-testid="review-grade">{grade.value()}" — "{move || grade_wording(i18n, grade)}</dd>
                <dt>{t!(i18n, logbook.verdict)}</dt>
                <dd data-testid="review-verdict">
                    {move || verdict_label(i18n, verdict)}
                    {settled.then(|| view! { " " <span class="badge badge-ok">{t!(i18n, logbook.settled_by_follow_up)}</span> })}
                </dd>
                {answers.into_iter().map(|(label, text)| view! { <dt>{label}</dt><dd>{text}</dd> }).collect_view()}
                {review.case_id.clone().map(|id| {
                    let title = review.case_title.clone().unwrap_or_else(|| id.clone());
                    view! { <dt>{t!(i18n, logbook.linked_case)}</dt><dd><a href=format!("/cases/{id}")>{title}</a></dd> }
                })}
            </dl>
            {(!review.feedback.is_empty()).then(|| view! {
                <h4>{t!(i18n, logbook.feedback)}</h4>
                <p class="review-feedback" data-testid="review-feedback">{review.feedback.clone()}</p>
            })}
        </article>
    }
}

#[component]
fn ReviewForm_(view: EntryView) -> impl IntoView {
    let i18n = use_i18n();
    let form = view.application.form.clone();
    let learner = view.interpretation.clone();
    let entry = view.summary.id.clone();
    let grade = RwSignal::new(None::<Grade>);
    let rubric = RwSignal::new(RubricScores::default());
    let reading = RwSignal::new(Interpretation::default());
    let verdict = RwSignal::new(None::<Verdict>);
    let feedback = RwSignal::new(String::new());
    let case_id = RwSignal::new(String::new());
    let want_second = RwSignal::new(false);
    let refused = RwSignal::new(None::<AppError>);
    let submit = ServerAction::<ReviewScan>::new();
    let stored_form = StoredValue::new(form.clone());
    let proposed =
        Memo::new(move |_| reading.with(|r| stored_form.with_value(|f| proposal(f, &learner, r))));
    let chosen = move || verdict.get().or_else(|| proposed.get());
    let error = Memo::new(move |_| {
        refused
            .get()
            .or_else(|| submit.value().get().and_then(Result::err))
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = submit.value().get() {
            navigate("/review", Default::default());
        }
    });
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(g) = grade.get_untracked() else {
            refused.set(Some(AppError::invalid(
                "grade",
                crate::model::InvalidReason::Required,
            )));
            return;
        };
        let Some(v) = chosen() else {
            refused.set(Some(AppError::invalid(
                "answers",
                crate::model::InvalidReason::Required,
            )));
            return;
        };
        refused.set(None);
        let case = case_id.get_untracked().trim().to_string();
        submit.dispatch(ReviewScan {
            input: ReviewInput {
                entry: entry.clone(),
                grade: g,
                rubric: rubric.get_untracked(),
                interpretation: reading.get_untracked(),
                verdict: v,
                feedback: feedback.get_untracked(),
                case_id: (!case.is_empty()).then_some(case),
                follow_up_id: None,
                want_second: want_second.get_untracked(),
            },
        });
    };
    let criteria = form.rubric.clone().map(|r| r.criteria).unwrap_or_default();
    view! {
        <form class="panel review-form" data-testid="review-form" on:submit=send>
            <h2>{t!(i18n, logbook.review_title)}</h2>
            <fieldset class="grade-scale">
                <legend>{t!(i18n, logbook.grade_legend)}</legend>
                {Grade::ALL.into_iter().map(|g| view! {
                    <label class="grade-option">
                        <input type="radio" name="grade" value=g.value() data-testid=format!("grade-{g}")
                            prop:checked=move || grade.get() == Some(g) on:change=move |_| grade.set(Some(g)) />
                        <span><strong>{g.value()}</strong>" "{move || grade_wording(i18n, g)}</span>
                    </label>
                }).collect_view()}
                <FieldError error name="grade" />
            </fieldset>
            {(!criteria.is_empty()).then(|| view! {
                <fieldset class="rubric">
                    <legend>{t!(i18n, logbook.rubric)}</legend>
                    {criteria.into_iter().map(|c| {
                        let key = c.key.clone();
                        view! {
                            <fieldset class="rubric-criterion">
                                <legend>{c.label.clone()}</legend>
                                {c.levels.into_iter().enumerate().map(|(i, level)| {
                                    let (k1, k2) = (key.clone(), key.clone());
                                    let i = u8::try_from(i).unwrap_or(u8::MAX);
                                    view! {
                                        <label class="check">
                                            <input type="radio" name=format!("rubric-{key}") value=i
                                                prop:checked=move || rubric.with(|r| r.0.get(&k1) == Some(&i))
                                                on:change=move |_| rubric.update(|r| { r.0.insert(k2.clone(), i); }) />
                                            {level}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                        }
                    }).collect_view()}
                    <FieldError error name="rubric" />
                </fieldset>
            })}
            <fieldset class="own-reading">
                <legend>{t!(i18n, logbook.own_reading)}</legend>
                <ReadingFields form=form.clone() reading prefix="review" />
                <FieldError error name="answers" />
            </fieldset>
            <div class="field">
                <label for="review-verdict">{t!(i18n, logbook.verdict)}</label>
                <select id="review-verdict" data-testid="review-verdict" aria-describedby="review-verdict-hint"
                    prop:value=move || chosen().map(|v| v.as_str()).unwrap_or("")
                    on:change=move |ev| verdict.set(Verdict::parse(&event_target_value(&ev)))>
                    <option value="">{move || t_string!(i18n, logbook.choose)}</option>
                    {Verdict::ALL.into_iter().map(|v| view! { <option value=v.as_str()>{move || verdict_label(i18n, v)}</option> }).collect_view()}
                </select>
                <p class="hint" id="review-verdict-hint" aria-live="polite">
                    {move || proposed.get().map(|v| t_string!(i18n, logbook.proposed, verdict = verdict_label(i18n, v)).to_string())
                        .unwrap_or_else(|| t_string!(i18n, logbook.proposed_after_reading).to_string())}
                </p>
            </div>
            <div class="field">
                <label for="review-feedback">{t!(i18n, logbook.feedback)}</label>
                <textarea id="review-feedback" rows="4" maxlength="4000" data-testid="review-feedback-input"
                    prop:value=move || feedback.get() on:input=move |ev| feedback.set(event_target_value(&ev))></textarea>
                <FieldError error name="feedback" />
            </div>
            <div class="field">
                <label for="review-case">{t!(i18n, logbook.linked_case_id)}</label>
                <input id="review-case" aria-describedby="review-case-hint" bind:value=case_id />
                <p class="hint" id="review-case-hint">{t!(i18n, logbook.linked_case_hint)}</p>
                <FieldError error name="case_id" />
            </div>
            <label class="check">
                <input type="checkbox" bind:checked=want_second />
                {t!(i18n, logbook.want_second)}
            </label>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="review-submit" disabled=move || submit.pending().get()>
                    {t!(i18n, logbook.submit_review)}
                </button>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{error_message(i18n, &e)}</p> })}
            </div>
        </form>
    }
    .into_any()
}

fn entry_view(view: EntryView) -> AnyView {
    let i18n = use_i18n();
    let form = view.application.form.clone();
    let app = view.application.clone();
    let summary = view.summary.clone();
    let status = summary.status;
    let (site_zh, site_en) = (summary.site_zh.clone(), summary.site_en.clone());
    let answers: Vec<(String, String)> = form
        .fields
        .iter()
        .map(|f| {
            (
                f.label.clone(),
                answer_text(view.interpretation.answers.get(&f.key)),
            )
        })
        .collect();
    let reviews: Vec<_> = view
        .reviews
        .iter()
        .cloned()
        .map(|r| review_card(r, &form))
        .collect();
    let has_reviews = !reviews.is_empty();
    let may_review = view.may_review;
    let may_edit = view.may_edit;
    let edit_href = format!("/logbook/{}/edit", summary.id);
    view! {
        <section class="page logbook-entry" data-testid="logbook-entry" data-status=status.as_str()>
            <header class="page-head">
                <h1>{move || app.name(lang_code(i18n)).to_string()}" · "{summary.scanned_on.to_string()}</h1>
                <p class="muted">
                    {summary.learner_name.clone()}" · "
                    {move || if lang_code(i18n) == "zh" { site_zh.clone() } else { site_en.clone() }}" · "
                    {move || status_label(i18n, status)}
                </p>
                {may_edit.then(|| view! { <a class="btn" href=edit_href>{t!(i18n, logbook.edit)}</a> })}
            </header>
            <div class:logbook-layout=may_review>
                <div class="logbook-main">
                    <Clips clips=view.clips.clone() />
                    <section class="panel">
                        <h2>{t!(i18n, logbook.learner_reading)}</h2>
                        <dl class="facts" data-testid="learner-answers">
                            <dt>{t!(i18n, logbook.indication)}</dt>
                            <dd>{if view.indication.is_empty() { "—".to_string() } else { view.indication.clone() }}</dd>
                            {answers.into_iter().map(|(label, text)| view! { <dt>{label}</dt><dd>{text}</dd> }).collect_view()}
                        </dl>
                    </section>
                    <section>
                        <h2>{t!(i18n, logbook.reviews)}</h2>
                        {if has_reviews {
                            reviews.collect_view().into_any()
                        } else {
                            view! { <p class="muted">{t!(i18n, logbook.no_reviews)}</p> }.into_any()
                        }}
                    </section>
                </div>
                {may_review.then(|| view! { <ReviewForm_ view=view.clone() /> })}
            </div>
        </section>
    }
    .into_any()
}

#[component]
pub(super) fn Entry() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    // Blocking: an entry the user may not read answers with a real 404.
    let data = resource::blocking(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        logbook_entry,
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || data.get().map(|res| match res {
                Ok(view) => entry_view(view),
                Err(error) => view! { <section class="page"><h1>{t!(i18n, logbook.entry_title)}</h1><ErrorNotice error /></section> }.into_any(),
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::competency::{Answer, FieldKind, FormField};

    fn efast() -> ReviewForm {
        ReviewForm {
            fields: vec![FormField {
                key: "w".into(),
                label: "windows".into(),
                kind: FieldKind::PerWindow {
                    windows: vec!["RUQ".into(), "pelvis".into()],
                    options: vec!["neg".into(), "pos".into()],
                    negative: vec!["neg".into()],
                },
            }],
            rubric: None,
        }
    }

    fn reading(ruq: &str, pelvis: &str) -> Interpretation {
        let mut r = Interpretation::default();
        r.answers.insert(
            "w".into(),
            Answer::PerWindow(
                [("RUQ".into(), ruq.into()), ("pelvis".into(), pelvis.into())].into(),
            ),
        );
        r
    }

    #[test]
    fn no_verdict_is_proposed_before_the_reviewer_has_read_every_field() {
        assert_eq!(
            proposal(&efast(), &reading("neg", "neg"), &Interpretation::default()),
            None
        );
    }

    #[test]
    fn the_proposal_follows_the_comparison() {
        let form = efast();
        let learner = reading("neg", "neg");
        assert_eq!(
            proposal(&form, &learner, &reading("neg", "neg")),
            Some(Verdict::Agree)
        );
        assert_eq!(
            proposal(&form, &learner, &reading("neg", "pos")),
            Some(Verdict::MissedFinding)
        );
        assert_eq!(
            proposal(&form, &reading("pos", "neg"), &learner),
            Some(Verdict::Disagree)
        );
    }
}
