//! The questions asked on a clip: the published clip they use, and on the viewer the hotspot
//! targets drawn, the answer frame or run of frames marked, or the length measured.
use super::draft;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::quiz::{FrameTarget, QuestionInput, QuestionKind, TeachingClip, Tolerance};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The clips grouped by case, in the server's order: the case title, then each clip with its
/// number within the case.
fn by_case(clips: &[TeachingClip]) -> Vec<(String, Vec<(usize, TeachingClip)>)> {
    let mut groups: Vec<(String, Vec<(usize, TeachingClip)>)> = Vec::new();
    let mut case = None;
    for clip in clips {
        if case.as_ref() != Some(&clip.case_id) {
            case = Some(clip.case_id.clone());
            groups.push((clip.case_title.clone(), Vec::new()));
        }
        if let Some((_, list)) = groups.last_mut() {
            list.push((list.len() + 1, clip.clone()));
        }
    }
    groups
}

/// The clip picker with the viewer and the answer fields of a hotspot, frame-selection or
/// measurement question (`kind`, by wire name). `invalid` is the field the last save was
/// refused for.
#[component]
pub(super) fn ClipQuestion(
    question: RwSignal<QuestionInput>,
    clips: StoredValue<Vec<TeachingClip>>,
    kind: &'static str,
    invalid: Memo<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = Memo::new(move |_| question.with(|q| q.clip.clone()));
    let clip = Memo::new(move |_| {
        let sop = chosen.get()?;
        clips.with_value(|list| list.iter().find(|c| c.sop_uid == sop).cloned())
    });
    let source = Signal::derive(move || clip.get().map(|c| ClipSource::Url(c.url)));
    // A saved question whose case has since been retired: its clip is no longer offered.
    let gone = move || chosen.with(Option::is_some) && clip.with(Option::is_none);
    let pick = move |sop: String| question.update(|q| q.clip = (!sop.is_empty()).then_some(sop));
    let groups = clips.with_value(|list| by_case(list));
    let no_clips = groups.is_empty();
    let answer = match kind {
        "hotspot" => hotspot(i18n, question, clip, source),
        "frame_selection" => frame_selection(i18n, question, source),
        _ => measurement(i18n, question, source),
    };
    view! {
        <div class="field field-wide clip-field">
            <label for="question-clip">
                {t!(i18n, question_edit.clip)}" "
                <span class="required-note">{t!(i18n, question_edit.required)}</span>
            </label>
            <select id="question-clip" data-testid="question-clip" aria-required="true" aria-describedby="question-clip-hint"
                aria-invalid=move || invalid.with(|f| f.as_deref() == Some("clip")).then_some("true")
                on:change=move |ev| pick(event_target_value(&ev))>
                <option value="" selected=move || chosen.with(Option::is_none)>{t!(i18n, question_edit.choose_clip)}</option>
                {move || gone().then(|| view! {
                    <option value=chosen.get().unwrap_or_default() selected=true>{t!(i18n, question_edit.clip_gone_option)}</option>
                })}
                {groups.into_iter().map(|(title, list)| view! {
                    <optgroup label=title>
                        {list.into_iter().map(|(n, c)| {
                            let sop = c.sop_uid.clone();
                            let frames = c.frames;
                            let size = format!("{}×{}", c.width, c.height);
                            view! {
                                <option value=c.sop_uid selected=move || chosen.with(|s| s.as_deref() == Some(sop.as_str()))>
                                    {move || t_string!(i18n, question_edit.clip_option, n = n, frames = frames, size = size.clone()).to_string()}
                                </option>
                            }
                        }).collect_view()}
                    </optgroup>
                }).collect_view()}
            </select>
            <p class="hint" id="question-clip-hint">{t!(i18n, question_edit.clip_hint)}</p>
        </div>
        {no_clips.then(|| view! { <p class="notice" data-testid="no-clips">{t!(i18n, question_edit.no_clips)}</p> })}
        {move || gone().then(|| view! { <p class="notice" role="alert">{t!(i18n, question_edit.clip_gone)}</p> })}
        <div class="clip-answer">{answer}</div>
    }
}

/// Hotspot: each ellipse or polygon drawn on the viewer is a target, shown on the frames the
/// viewer's own list gives it; the question's length is the clip's.
fn hotspot(
    i18n: I18nContext<Locale>,
    question: RwSignal<QuestionInput>,
    clip: Memo<Option<TeachingClip>>,
    source: Signal<Option<ClipSource>>,
) -> AnyView {
    let drawn = RwSignal::new(question.with_untracked(|q| match &q.kind {
        QuestionKind::Hotspot { targets, .. } => draft::annotations_from(targets),
        _ => Vec::new(),
    }));
    Effect::new(move |_| {
        let marks = drawn.get();
        let length = clip.with(|c| c.as_ref().map(|c| c.frames));
        question.update(|q| {
            if let QuestionKind::Hotspot { frames, targets } = &mut q.kind {
                if let Some(length) = length {
                    *frames = length;
                }
                *targets = draft::targets_from(&marks, *frames);
            }
        });
    });
    let targets = move || {
        question.with(|q| match &q.kind {
            QuestionKind::Hotspot { targets, .. } => targets.len(),
            _ => 0,
        })
    };
    let ignored = move || {
        drawn.with(|marks| {
            marks
                .iter()
                .filter(|a| !draft::is_target_shape(&a.shape))
                .count()
        })
    };
    view! {
        <p class="hint">{t!(i18n, question_edit.hotspot_hint)}</p>
        <CineViewer source editable=drawn />
        <p class="small" aria-live="polite" data-testid="hotspot-targets">
            {move || t_string!(i18n, question_edit.targets_count, n = targets()).to_string()}
        </p>
        {move || (ignored() > 0).then(|| view! {
            <p class="notice small" data-testid="ignored-marks">
                {move || t_string!(i18n, question_edit.ignored_marks, n = ignored()).to_string()}
            </p>
        })}
    }
    .into_any()
}

/// Frame selection: the author stops the clip on the answer and marks it (a frame, or the
/// start and end of a run), with a tolerance in frames.
fn frame_selection(
    i18n: I18nContext<Locale>,
    question: RwSignal<QuestionInput>,
    source: Signal<Option<ClipSource>>,
) -> AnyView {
    let current = RwSignal::new(0u32);
    let answer = Memo::new(move |_| {
        question.with(|q| match q.kind {
            QuestionKind::FrameSelection { target, .. } => Some(target),
            _ => None,
        })
    });
    // A saved answer is shown on screen once the clip is ready.
    let jump = RwSignal::new(answer.get_untracked().map(|t| draft::frame_span(t).0));
    let ranged = move || matches!(answer.get(), Some(FrameTarget::Range { .. }));
    let set_answer = move |new: FrameTarget| {
        question.update(|q| {
            if let QuestionKind::FrameSelection { target, .. } = &mut q.kind {
                *target = new;
            }
        });
    };
    let mark = move |start: Option<bool>| {
        if let Some(target) = answer.get_untracked() {
            set_answer(draft::mark_frame(target, current.get_untracked(), start));
        }
    };
    let set_mode = move |range: bool| {
        if let Some(target) = answer.get_untracked() {
            let (start, end) = draft::frame_span(target);
            set_answer(if range {
                FrameTarget::Range { start, end }
            } else {
                FrameTarget::Frame(start)
            });
        }
    };
    let tolerance = move || {
        question.with(|q| match q.kind {
            QuestionKind::FrameSelection { tolerance, .. } => tolerance,
            _ => 0,
        })
    };
    let set_tolerance = move |text: String| {
        let frames = text.trim().parse::<u32>().unwrap_or(0);
        question.update(|q| {
            if let QuestionKind::FrameSelection { tolerance, .. } = &mut q.kind {
                *tolerance = frames;
            }
        });
    };
    let here = move || current.get() + 1;
    let chosen = move || {
        answer.get().map(|target| match target {
            FrameTarget::Frame(f) => {
                t_string!(i18n, question_edit.chosen_frame, n = f + 1).to_string()
            }
            FrameTarget::Range { start, end } => t_string!(
                i18n,
                question_edit.chosen_range,
                start = start + 1,
                end = end + 1
            )
            .to_string(),
        })
    };
    view! {
        <p class="hint">{t!(i18n, question_edit.frame_hint)}</p>
        <CineViewer source current_frame=current jump_to=jump />
        <div class="form-actions frame-marks">
            {move || if ranged() {
                view! {
                    <button type="button" class="btn" data-testid="frame-start" on:click=move |_| mark(Some(true))>
                        {move || t_string!(i18n, question_edit.start_here, n = here()).to_string()}
                    </button>
                    <button type="button" class="btn" data-testid="frame-end" on:click=move |_| mark(Some(false))>
                        {move || t_string!(i18n, question_edit.end_here, n = here()).to_string()}
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <button type="button" class="btn" data-testid="frame-answer" on:click=move |_| mark(None)>
                        {move || t_string!(i18n, question_edit.this_frame, n = here()).to_string()}
                    </button>
                }
                .into_any()
            }}
        </div>
        <p class="frame-chosen" aria-live="polite">
            <strong data-testid="frame-chosen">{chosen}</strong>" "
            <button type="button" class="link-button" on:click=move |_| jump.set(answer.get_untracked().map(|t| draft::frame_span(t).0))>
                {t!(i18n, question_edit.show_answer_frame)}
            </button>
        </p>
        <div class="form-grid">
            <label class="field">{t!(i18n, question_edit.frame_mode)}
                <select data-testid="frame-mode" on:change=move |ev| set_mode(event_target_value(&ev) == "range")>
                    <option value="frame" selected=move || !ranged()>{t!(i18n, question_edit.mode_frame)}</option>
                    <option value="range" selected=ranged>{t!(i18n, question_edit.mode_range)}</option>
                </select>
            </label>
            <div class="field">
                <label for="question-frame-tolerance">{t!(i18n, question_edit.tolerance_frames)}</label>
                <input id="question-frame-tolerance" type="number" min="0" step="1" inputmode="numeric"
                    data-testid="frame-tolerance" aria-describedby="question-frame-tolerance-hint"
                    prop:value=move || tolerance().to_string()
                    on:change=move |ev| set_tolerance(event_target_value(&ev)) />
                <p class="hint" id="question-frame-tolerance-hint">{t!(i18n, question_edit.tolerance_frames_hint)}</p>
            </div>
        </div>
    }
    .into_any()
}

/// Measurement: the author measures with the calliper and takes the length (or types it),
/// with a tolerance in millimetres or percent.
fn measurement(
    i18n: I18nContext<Locale>,
    question: RwSignal<QuestionInput>,
    source: Signal<Option<ClipSource>>,
) -> AnyView {
    let measured = RwSignal::new(None::<f64>);
    // What was measured on the clip on screen: `None` before any measurement, `Some(None)`
    // when the viewer reported a distance it could not turn into millimetres (an
    // uncalibrated clip).
    let reading = RwSignal::new(None::<Option<f64>>);
    Effect::new(move |ran: Option<()>| {
        let mm = measured.get();
        if ran.is_some() {
            reading.set(Some(mm));
        }
    });
    // Another clip: what was measured on the last one no longer counts.
    Effect::new(move |_| {
        source.track();
        reading.set(None);
    });
    let (expected, tolerance) = question.with_untracked(|q| match q.kind {
        QuestionKind::Measurement {
            expected_mm,
            tolerance,
        } => (expected_mm, tolerance),
        _ => (0.0, Tolerance::Percent(10.0)),
    });
    let expected_text = RwSignal::new(draft::mm_text(expected));
    let tolerance_text = RwSignal::new(match tolerance {
        Tolerance::Mm(v) | Tolerance::Percent(v) => v.to_string(),
    });
    let percent = Memo::new(move |_| {
        question.with(|q| {
            matches!(
                q.kind,
                QuestionKind::Measurement {
                    tolerance: Tolerance::Percent(_),
                    ..
                }
            )
        })
    });
    let set_expected = move |mm: f64| {
        question.update(|q| {
            if let QuestionKind::Measurement { expected_mm, .. } = &mut q.kind {
                *expected_mm = mm;
            }
        });
    };
    let set_tolerance = move |in_percent: bool, value: f64| {
        question.update(|q| {
            if let QuestionKind::Measurement { tolerance, .. } = &mut q.kind {
                *tolerance = if in_percent {
                    Tolerance::Percent(value)
                } else {
                    Tolerance::Mm(value)
                };
            }
        });
    };
    let use_measurement = move |_| {
        if let Some(Some(mm)) = reading.get_untracked() {
            let mm = (mm * 10.0).round() / 10.0;
            expected_text.set(draft::mm_text(mm));
            set_expected(mm);
        }
    };
    view! {
        <p class="hint">{t!(i18n, question_edit.measure_hint)}</p>
        <CineViewer source measured_mm=measured />
        <p class="small" aria-live="polite" data-testid="measured">
            {move || match reading.get() {
                Some(Some(mm)) => view! {
                    <span>{move || t_string!(i18n, question_edit.measured, mm = format!("{mm:.1}")).to_string()}</span>
                }.into_any(),
                Some(None) => view! {
                    <span class="form-error" data-testid="not-calibrated">{t!(i18n, question_edit.not_calibrated)}</span>
                }.into_any(),
                None => view! { <span class="muted">{t!(i18n, question_edit.no_measurement)}</span> }.into_any(),
            }}
        </p>
        <div class="form-actions">
            <button type="button" class="btn" data-testid="use-measurement" disabled=move || !matches!(reading.get(), Some(Some(_)))
                on:click=use_measurement>
                {t!(i18n, question_edit.use_measurement)}
            </button>
        </div>
        <div class="form-grid">
            <label class="field">
                <span>{t!(i18n, question_edit.expected_mm)}" "<span class="required-note">{t!(i18n, question_edit.required)}</span></span>
                <input type="number" min="0" step="0.1" inputmode="decimal" aria-required="true" data-testid="expected-mm"
                    bind:value=expected_text
                    on:input=move |ev| set_expected(draft::parse_number(&event_target_value(&ev))) />
            </label>
            <label class="field">{t!(i18n, question_edit.tolerance_unit)}
                <select data-testid="tolerance-unit" on:change=move |ev| {
                    let value = draft::parse_number(&tolerance_text.get_untracked());
                    set_tolerance(event_target_value(&ev) == "percent", value);
                }>
                    <option value="percent" selected=move || percent.get()>{t!(i18n, question_edit.unit_percent)}</option>
                    <option value="mm" selected=move || !percent.get()>{t!(i18n, question_edit.unit_mm)}</option>
                </select>
            </label>
            <label class="field">
                {move || if percent.get() { t_string!(i18n, question_edit.tolerance_percent) } else { t_string!(i18n, question_edit.tolerance_mm) }}
                <input type="number" min="0" step="0.1" inputmode="decimal" data-testid="measure-tolerance"
                    bind:value=tolerance_text
                    on:input=move |ev| set_tolerance(percent.get_untracked(), draft::parse_number(&event_target_value(&ev))) />
            </label>
        </div>
    }
    .into_any()
}
