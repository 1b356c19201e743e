//! `/cases/{id}/edit`: curation. The author edits the draft (text, scores, clips with
//! annotations and key frames) and submits it; another expert requests changes or publishes;
//! the history of the review is kept beside it.
use super::{difficulty_label, sex_label, status_label};
use crate::api::archive::study;
use crate::api::cases::{CaseTransition, ReviewComment, SaveCase, applications, case_in_curation};
use crate::api::resource;
use crate::api::sites::list_sites;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::components::layout::lang_code;
use crate::components::scores::ScoreEditor;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::cases::{Call, CaseClip, CaseContent, CaseWork, ReviewAction, Transition};
use crate::model::{
    AgeBand, Annotation, CaseId, CaseStatus, CurrentUser, Difficulty, Role, Sex, SiteId,
    StudyDetail,
};
use crate::pages::guard::Guarded;
use crate::pages::people::network_time;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

type TextOf = fn(&CaseContent) -> &String;
type TextOfMut = fn(&mut CaseContent) -> &mut String;

/// A text field bound to one string of the content.
fn text_field(
    content: RwSignal<CaseContent>,
    label: String,
    get: TextOf,
    set: TextOfMut,
    rows: Option<u32>,
    name: &'static str,
) -> AnyView {
    let value = move || content.with(|c| get(c).clone());
    let input = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        content.update(|c| *set(c) = v);
    };
    match rows {
        Some(rows) => view! {
            <label class="field field-wide">{label}
                <textarea rows=rows name=name prop:value=value on:input=input></textarea>
            </label>
        }
        .into_any(),
        None => view! {
            <label class="field">{label}
                <input name=name prop:value=value on:input=input />
            </label>
        }
        .into_any(),
    }
}

fn review_label(i18n: leptos_i18n::I18nContext<Locale>, a: ReviewAction) -> String {
    match a {
        ReviewAction::Created => t_string!(i18n, cases.ev_created),
        ReviewAction::Submitted => t_string!(i18n, cases.ev_submitted),
        ReviewAction::Withdrawn => t_string!(i18n, cases.ev_withdrawn),
        ReviewAction::Commented => t_string!(i18n, cases.ev_commented),
        ReviewAction::ChangesRequested => t_string!(i18n, cases.ev_changes_requested),
        ReviewAction::Published => t_string!(i18n, cases.ev_published),
        ReviewAction::Revised => t_string!(i18n, cases.ev_revised),
        ReviewAction::Retired => t_string!(i18n, cases.ev_retired),
        ReviewAction::Reopened => t_string!(i18n, cases.ev_reopened),
    }
    .to_string()
}

fn transition_label(i18n: leptos_i18n::I18nContext<Locale>, t: Transition) -> String {
    match t {
        Transition::Submit => t_string!(i18n, cases.do_submit),
        Transition::Withdraw => t_string!(i18n, cases.do_withdraw),
        Transition::RequestChanges => t_string!(i18n, cases.do_request_changes),
        Transition::Publish => t_string!(i18n, cases.do_publish),
        Transition::Revise => t_string!(i18n, cases.do_revise),
        Transition::Retire => t_string!(i18n, cases.do_retire),
        Transition::Reopen => t_string!(i18n, cases.do_reopen),
    }
    .to_string()
}

/// The workflow steps this user may take now.
fn steps_for(work: &CaseWork, user: &CurrentUser) -> Vec<Transition> {
    let author = work.author_id == user.id;
    Transition::ALL
        .into_iter()
        .filter(|t| t.from_to().0.contains(&work.status))
        .filter(|t| {
            if author {
                !t.reviewer_only()
            } else {
                !t.author_only()
            }
        })
        .collect()
}

/// The review panel: history, a comment box and the workflow buttons.
#[component]
fn ReviewPanel(work: CaseWork, user: CurrentUser, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let step = ServerAction::<CaseTransition>::new();
    let comment = ServerAction::<ReviewComment>::new();
    let body = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(step.value().get(), Some(Ok(_)))
            || matches!(comment.value().get(), Some(Ok(())))
        {
            body.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let steps = steps_for(&work, &user);
    let id = work.id.clone();
    let own = work.author_id == user.id;
    let status = work.status;
    view! {
        <section class="panel review-panel" data-testid="review-panel">
            <h2>{t!(i18n, cases.review)}</h2>
            <p>
                <span class=format!("badge status-{}", status.as_str()) data-testid="case-status">{move || status_label(i18n, status)}</span>
                {work.published_version.map(|v| view! { <span class="muted">{move || t_string!(i18n, cases.published_version, v = v)}</span> })}
            </p>
            {(own && status == CaseStatus::InReview).then(|| view! { <p class="muted">{t!(i18n, cases.waiting_for_reviewer)}</p> })}
            <ol class="history">
                {work.history.iter().rev().map(|e| {
                    let action = e.action;
                    view! {
                        <li>
                            <strong>{move || review_label(i18n, action)}</strong>
                            {e.version.map(|v| format!(" v{v}"))}
                            " · "{e.actor_name.clone()}" · "<time>{network_time(e.at)}</time>
                            {(!e.body.is_empty()).then(|| view! { <p class="prose">{e.body.clone()}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <label class="field">{t!(i18n, cases.review_note)}
                <textarea rows="3" bind:value=body data-testid="review-body"></textarea>
            </label>
            <div class="form-actions">
                {
                    let id = id.clone();
                    view! {
                        <button type="button" class="btn" disabled=move || body.get().trim().is_empty()
                            on:click=move |_| { comment.dispatch(ReviewComment { id: id.clone(), body: body.get_untracked() }); }>
                            {t!(i18n, cases.add_review_comment)}
                        </button>
                    }
                }
                {steps.into_iter().map(|t| {
                    let id = id.clone();
                    let primary = matches!(t, Transition::Submit | Transition::Publish);
                    view! {
                        <button type="button" class="btn" class:btn-primary=primary data-step=format!("{t:?}").to_lowercase()
                            disabled=move || step.pending().get()
                            on:click=move |_| { step.dispatch(CaseTransition { id: id.clone(), step: t, body: body.get_untracked() }); }>
                            {move || transition_label(i18n, t)}
                        </button>
                    }
                }).collect_view()}
            </div>
            {move || match (step.value().get(), comment.value().get()) {
                (Some(Err(e)), _) | (_, Some(Err(e))) => Some(view! { <p class="form-error" role="alert">{error_message(i18n, &e)}</p> }),
                _ => None,
            }}
        </section>
    }
}

/// The clip table: include or leave out each image; mark key frames and annotations on the
/// one on screen.
#[component]
fn ClipPicker(
    content: RwSignal<CaseContent>,
    detail: StudyDetail,
    editable: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let instances = StoredValue::new(detail.instances.clone());
    let current = RwSignal::new(
        content
            .with_untracked(|c| c.clips.first().map(|c| c.sop_uid.clone()))
            .or_else(|| detail.instances.first().map(|i| i.sop_uid.clone())),
    );
    let drawn = RwSignal::new(Vec::<Annotation>::new());
    let frame = RwSignal::new(0u32);
    let jump = RwSignal::new(None::<u32>);
    let load_marks = move || {
        let sop = current.get_untracked();
        drawn.set(content.with_untracked(|c| {
            c.clips
                .iter()
                .find(|clip| Some(&clip.sop_uid) == sop.as_ref())
                .map(|clip| clip.annotations.clone())
                .unwrap_or_default()
        }));
    };
    load_marks();
    // Drawing edits the clip on screen, when it is part of the case.
    Effect::new(move |_| {
        let list = drawn.get();
        let sop = current.get_untracked();
        content.update(|c| {
            if let Some(clip) = c
                .clips
                .iter_mut()
                .find(|clip| Some(&clip.sop_uid) == sop.as_ref())
            {
                clip.annotations = list;
            }
        });
    });
    let source = Signal::derive(move || {
        let sop = current.get()?;
        instances.with_value(|list| {
            list.iter()
                .find(|i| i.sop_uid == sop)
                .map(|i| ClipSource::Url(i.url.clone()))
        })
    });
    let included =
        move |sop: &str| content.with(|c| c.clips.iter().any(|clip| clip.sop_uid == sop));
    let toggle = move |sop: String| {
        content.update(|c| {
            if let Some(pos) = c.clips.iter().position(|clip| clip.sop_uid == sop) {
                c.clips.remove(pos);
            } else {
                // Keep the study's order.
                let order = instances
                    .with_value(|list| list.iter().map(|i| i.sop_uid.clone()).collect::<Vec<_>>());
                c.clips.push(CaseClip {
                    sop_uid: sop.clone(),
                    caption: String::new(),
                    key_frames: Vec::new(),
                    annotations: Vec::new(),
                });
                c.clips
                    .sort_by_key(|clip| order.iter().position(|s| *s == clip.sop_uid));
            }
        });
        load_marks();
    };
    let on_screen_clip = move || {
        let sop = current.get()?;
        content.with(|c| c.clips.iter().position(|clip| clip.sop_uid == sop))
    };
    let add_key = move |_| {
        let f = frame.get_untracked();
        if let Some(k) = on_screen_clip() {
            content.update(|c| {
                let keys = &mut c.clips[k].key_frames;
                if !keys.contains(&f) {
                    keys.push(f);
                    keys.sort_unstable();
                }
            });
        }
    };
    let viewer = if editable {
        view! { <CineViewer source editable=drawn jump_to=jump current_frame=frame /> }.into_any()
    } else {
        view! { <CineViewer source annotations=Signal::derive(move || drawn.get()) jump_to=jump current_frame=frame /> }.into_any()
    };
    view! {
        <section class="panel clip-picker" data-testid="clip-picker">
            <h2>{t!(i18n, cases.clips)}</h2>
            <p class="muted">{t!(i18n, cases.clips_hint)}</p>
            {viewer}
            <Show when=move || on_screen_clip().is_some() fallback=move || view! { <p class="muted">{t!(i18n, cases.not_included)}</p> }>
                {move || on_screen_clip().map(|k| {
                    let keys = content.with(|c| c.clips[k].key_frames.clone());
                    view! {
                        <div class="form-grid">
                            <label class="field field-wide">{t!(i18n, cases.caption)}
                                <input prop:value=move || content.with(|c| c.clips.get(k).map(|c| c.caption.clone()).unwrap_or_default())
                                    disabled=!editable
                                    on:change=move |ev| { let v = event_target_value(&ev); content.update(|c| if let Some(clip) = c.clips.get_mut(k) { clip.caption = v; }); } />
                            </label>
                            <div class="field-wide key-frames">
                                {editable.then(|| view! { <button type="button" class="btn btn-small" on:click=add_key data-testid="add-key-frame">{t!(i18n, cases.add_key_frame)}</button> })}
                                {keys.into_iter().map(|f| view! {
                                    <span class="chip">
                                        <button type="button" class="link-button" on:click=move |_| jump.set(Some(f))>{move || t_string!(i18n, cases.key_frame, n = f + 1)}</button>
                                        {editable.then(|| view! {
                                            <button type="button" class="link-button" aria-label=move || t_string!(i18n, cases.remove)
                                                on:click=move |_| content.update(|c| if let Some(clip) = c.clips.get_mut(k) { clip.key_frames.retain(|x| *x != f); })>"×"</button>
                                        })}
                                    </span>
                                }).collect_view()}
                            </div>
                        </div>
                    }
                })}
            </Show>
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, cases.include)}</th>
                        <th scope="col" class="num">{t!(i18n, studies.series)}</th>
                        <th scope="col" class="num">{t!(i18n, studies.frames)}</th>
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>
                        {detail.instances.into_iter().enumerate().map(|(n, inst)| {
                            let sop = inst.sop_uid.clone();
                            let sop2 = sop.clone();
                            let sop3 = sop.clone();
                            let sop4 = sop.clone();
                            view! {
                                <tr class:selected=move || current.get().as_deref() == Some(sop4.as_str())>
                                    <td><input type="checkbox" disabled=!editable prop:checked=move || included(&sop)
                                        aria-label=move || t_string!(i18n, cases.include_n, n = n + 1)
                                        on:change=move |_| toggle(sop2.clone()) /></td>
                                    <td class="num">{inst.series_number.map(|n| n.to_string()).unwrap_or_default()}</td>
                                    <td class="num">{inst.frames}</td>
                                    <td><button type="button" class="btn btn-small"
                                        on:click=move |_| { current.set(Some(sop3.clone())); load_marks(); }>
                                        {t!(i18n, study.view)}
                                    </button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Editor(
    work: CaseWork,
    user: CurrentUser,
    detail: StudyDetail,
    apps: Vec<crate::model::Application>,
    sites: Vec<crate::model::Site>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editable = work.author_id == user.id && work.status == CaseStatus::Draft;
    let content = RwSignal::new(work.content.clone());
    let findings = RwSignal::new(work.content.scores.clone());
    Effect::new(move |_| {
        let list = findings.get();
        content.update(|c| c.scores = list);
    });
    let updated_at = RwSignal::new(work.updated_at);
    let save = ServerAction::<SaveCase>::new();
    Effect::new(move |_| {
        if let Some(Ok(at)) = save.value().get() {
            updated_at.set(at);
        }
    });
    let id = work.id.clone();
    let do_save = {
        let id = id.clone();
        move |_| {
            let json = content.with_untracked(|c| serde_json::to_string(c).unwrap_or_default());
            save.dispatch(SaveCase {
                id: id.clone(),
                content: json,
                updated_at: updated_at.get_untracked(),
            });
        }
    };
    let tags_text = RwSignal::new(work.content.tags.join(", "));
    let choices_text = RwSignal::new(work.content.choices.join("\n"));
    let field =
        move |label: String, get: TextOf, set: TextOfMut, rows: Option<u32>, name: &'static str| {
            text_field(content, label, get, set, rows, name)
        };
    view! {
        <header class="page-head">
            <p><a href="/cases/work">{t!(i18n, cases.back_work)}</a>
                {work.published_version.map(|_| {
                    // A retired case has no live published page: its versions are what is left.
                    if work.status == CaseStatus::Retired {
                        view! { " · " <a href=format!("/cases/{id}/versions")>{t!(i18n, cases.versions)}</a> }.into_any()
                    } else {
                        view! { " · " <a href=format!("/cases/{id}")>{t!(i18n, cases.open_published)}</a> }.into_any()
                    }
                })}
            </p>
            <h1>{move || content.with(|c| c.title.clone())}</h1>
            <p class="muted">{t!(i18n, cases.author)}": "{work.author_name.clone()}" · "{t!(i18n, cases.study)}": "<a href=format!("/studies/{}", work.study_uid)><code>{detail.study.patient_key.clone()}</code></a></p>
            {(!editable).then(|| view! { <p class="notice">{t!(i18n, cases.read_only)}</p> })}
        </header>
        <div class="edit-layout">
            <div class="edit-main">
                <fieldset class="panel form-grid" disabled=!editable data-testid="case-form">
                    <legend>{t!(i18n, cases.case_text)}</legend>
                    {field(t_string!(i18n, cases.case_title).to_string(), |c| &c.title, |c| &mut c.title, None, "title")}
                    <label class="field">{t!(i18n, cases.application)}
                                    <select name="application" on:change=move |ev| { let v = event_target_value(&ev); content.update(|c| c.application = v); }>
                                        {apps.clone().into_iter().map(|a| {
                                    let code = a.code.clone();
                                    let value = a.code.clone();
                                    view! { <option value=value selected=move || content.with(|c| c.application == code)>{move || a.name(lang_code(i18n)).to_string()}</option> }
                                }).collect_view()}
                                    </select>
                    </label>
                    <label class="field">{t!(i18n, cases.age_band)}
                        <select on:change=move |ev| if let Some(b) = AgeBand::parse(&event_target_value(&ev)) { content.update(|c| c.age_band = b); }>
                            {AgeBand::ALL.into_iter().map(|b| view! { <option value=b.label() selected=move || content.with(|c| c.age_band == b)>{b.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">{t!(i18n, cases.sex)}
                        <select on:change=move |ev| { let s = Sex::parse(&event_target_value(&ev)); content.update(|c| c.sex = s); }>
                            {Sex::ALL.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=move || content.with(|c| c.sex == s)>{move || sex_label(i18n, s)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">{t!(i18n, cases.site)}
                                    <select on:change=move |ev| { let v = event_target_value(&ev); content.update(|c| c.origin_site = SiteId(v)); }>
                                        {sites.clone().into_iter().map(|s| {
                                    let sid = s.id.clone();
                                    let value = s.id.0.clone();
                                    view! { <option value=value selected=move || content.with(|c| c.origin_site == sid)>{move || format!("{} · {}", s.code, s.name(lang_code(i18n)))}</option> }
                                }).collect_view()}
                                    </select>
                    </label>
                    <label class="field">{t!(i18n, cases.difficulty)}
                        <select on:change=move |ev| if let Some(d) = Difficulty::parse(&event_target_value(&ev)) { content.update(|c| c.difficulty = d); }>
                            {Difficulty::ALL.into_iter().map(|d| view! { <option value=d.as_str() selected=move || content.with(|c| c.difficulty == d)>{move || difficulty_label(i18n, d)}</option> }).collect_view()}
                        </select>
                    </label>
                    {field(t_string!(i18n, cases.history).to_string(), |c| &c.history, |c| &mut c.history, Some(4), "history")}
                    {field(t_string!(i18n, cases.findings).to_string(), |c| &c.findings, |c| &mut c.findings, Some(4), "findings")}
                    {field(t_string!(i18n, cases.impression).to_string(), |c| &c.impression, |c| &mut c.impression, Some(3), "impression")}
                    <label class="field">{t!(i18n, cases.impression_call)}
                        <select on:change=move |ev| { let v = event_target_value(&ev); content.update(|c| c.impression_call = Call::parse(&v)); }>
                            <option value="" selected=move || content.with(|c| c.impression_call.is_none())>{t!(i18n, cases.call_none)}</option>
                            <option value="benign" selected=move || content.with(|c| c.impression_call == Some(Call::Benign))>{t!(i18n, cases.benign)}</option>
                            <option value="malignant" selected=move || content.with(|c| c.impression_call == Some(Call::Malignant))>{t!(i18n, cases.malignant)}</option>
                        </select>
                    </label>
                    {field(t_string!(i18n, cases.final_diagnosis).to_string(), |c| &c.diagnosis, |c| &mut c.diagnosis, None, "diagnosis")}
                    {field(t_string!(i18n, cases.differential).to_string(), |c| &c.differential, |c| &mut c.differential, Some(3), "differential")}
                    {field(t_string!(i18n, cases.teaching_points_md).to_string(), |c| &c.teaching_points, |c| &mut c.teaching_points, Some(6), "teaching_points")}
                    <label class="field field-wide">{t!(i18n, cases.tags_hint)}
                        <input name="tags" bind:value=tags_text on:change=move |_| {
                            let tags = tags_text.get_untracked().split([',', '，', ';', '；']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
                            content.update(|c| c.tags = tags);
                        } />
                    </label>
                    <label class="field field-wide">{t!(i18n, cases.choices_hint)}
                        <textarea rows="4" name="choices" bind:value=choices_text on:change=move |_| {
                            let choices: Vec<String> = choices_text.get_untracked().lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
                            content.update(|c| { if c.answer.is_some_and(|a| a as usize >= choices.len()) { c.answer = None; } c.choices = choices; });
                        }></textarea>
                    </label>
                    <label class="field">{t!(i18n, cases.right_choice)}
                        <select name="answer" on:change=move |ev| { let v = event_target_value(&ev).parse().ok(); content.update(|c| c.answer = v); }>
                            <option value="">"—"</option>
                            {move || content.with(|c| c.choices.clone()).into_iter().enumerate().map(|(i, text)| view! {
                                <option value=i.to_string() selected=move || content.with(|c| c.answer == Some(i as u32))>{text}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </fieldset>
                <fieldset class="panel" disabled=!editable>
                    <legend>{t!(i18n, scores.title)}</legend>
                    <ScoreEditor findings />
                </fieldset>
                <ClipPicker content detail editable />
                {editable.then(|| view! {
                    <div class="form-actions sticky-actions">
                        <button type="button" class="btn btn-primary" data-testid="save-case" disabled=move || save.pending().get() on:click=do_save.clone()>{t!(i18n, cases.save)}</button>
                        {move || match save.value().get() {
                            Some(Ok(_)) => Some(view! { <span class="form-ok" role="status" data-testid="saved">{t!(i18n, cases.saved)}</span> }.into_any()),
                            Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }.into_any()),
                            None => None,
                        }}
                    </div>
                })}
            </div>
            <aside class="edit-side">
                <ReviewPanel work=work.clone() user reload />
            </aside>
        </div>
    }
}

#[component]
fn EditPage_(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let reload = RwSignal::new(0u32);
    // Blocking, as on the case page: an unknown case answers 404.
    let data = resource::blocking(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                reload.get(),
            )
        },
        |(id, _)| async move {
            let work = case_in_curation(CaseId::from_path(&id)?).await?;
            let detail = study(work.study_uid.clone()).await?;
            let apps = applications().await?;
            let sites = list_sites().await?;
            Ok::<_, crate::model::AppError>((work, detail, apps, sites))
        },
    );
    view! {
        <section class="page case-edit">
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || {
                    let user = user.clone();
                    data.get().map(|res| match res {
                        Ok((work, detail, apps, sites)) => view! { <Editor work user detail apps sites reload /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

/// `/cases/{id}/edit` for experts.
#[component]
pub fn EditPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.edit).to_string() /> <Guarded roles=&[Role::Expert] children=|user| view! { <EditPage_ user /> }.into_any() /> }
}
