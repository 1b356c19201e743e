//! `/cases/{id}`: a published case: the clips in the viewer with their marks and key frames,
//! the history, findings, scores, the follow-up timeline and the consultation.
use super::{READERS, concordance_label, difficulty_label, follow_kind_label, roman, sex_label};
use crate::api::cases::{AddCaseComment, AddFollowUp, MarkAnswer, case_comments, published_case};
use crate::api::replays::case_replays;
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::components::layout::lang_code;
use crate::components::replay::mmss;
use crate::components::scores::ScoreSummary;
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::cases::{CaseComment, CaseView, FollowUp, FollowUpInput, FollowUpKind};
use crate::model::replay::ReplaySummary;
use crate::model::{AppError, CaseId, CurrentUser, Role, text_lang};
use crate::pages::guard::Guarded;
use crate::pages::people::network_time;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Which clip is on screen and where the page asked it to go.
#[derive(Clone, Copy)]
pub struct Stage {
    pub clip: RwSignal<usize>,
    pub jump: RwSignal<Option<u32>>,
    pub frame: RwSignal<u32>,
}

impl Stage {
    pub fn new() -> Stage {
        Stage {
            clip: RwSignal::new(0),
            jump: RwSignal::new(None),
            frame: RwSignal::new(0),
        }
    }

    /// Shows clip `clip` at `frame`.
    pub fn go(self, clip: usize, frame: u32) {
        self.show(clip);
        self.jump.set(Some(frame));
    }

    /// Shows clip `clip` (from wherever it is; the same clip is not reloaded).
    pub fn show(self, clip: usize) {
        if self.clip.get_untracked() != clip {
            self.clip.set(clip);
        }
    }
}

impl Default for Stage {
    fn default() -> Self {
        Stage::new()
    }
}

/// The viewer over a case's clips with the clip list and key-frame buttons.
#[component]
pub fn CaseClips(
    /// (URL, caption, key frames, annotations) per clip.
    clips: Vec<(String, String, Vec<u32>, Vec<crate::model::Annotation>)>,
    stage: Stage,
) -> impl IntoView {
    let i18n = use_i18n();
    let clips = StoredValue::new(clips);
    let source = Memo::new(move |_| {
        clips.with_value(|c| {
            c.get(stage.clip.get())
                .map(|(url, ..)| ClipSource::Url(url.clone()))
        })
    });
    let annotations = Memo::new(move |_| {
        clips.with_value(|c| {
            c.get(stage.clip.get())
                .map(|c| c.3.clone())
                .unwrap_or_default()
        })
    });
    let count = clips.with_value(Vec::len);
    // The first clip starts downloading with the page, while the app is still loading; the
    // viewer's fetch then takes the preloaded response instead of asking again.
    let preload = clips.with_value(|c| c.first().map(|(url, ..)| url.clone()));
    view! {
        {preload.map(|href| view! { <link rel="preload" href=href r#as="fetch" crossorigin="anonymous" fetchpriority="high" /> })}
        <div class="case-viewer">
            <CineViewer source annotations jump_to=stage.jump current_frame=stage.frame />
            <ol class="clip-strip" aria-label=move || t_string!(i18n, cases.clips)>
                {(0..count).map(|k| {
                    let (caption, keys) = clips.with_value(|c| (c[k].1.clone(), c[k].2.clone()));
                    let caption_lang = text_lang(&caption);
                    view! {
                        <li class:selected=move || stage.clip.get() == k>
                            <button type="button" class="btn btn-small" data-clip-index=k
                                aria-pressed=move || (stage.clip.get() == k).to_string()
                                on:click=move |_| stage.show(k)>
                                {move || t_string!(i18n, cases.clip_n, n = k + 1)}
                            </button>
                            <span class="clip-caption" lang=caption_lang>{caption}</span>
                            {(!keys.is_empty()).then(|| view! {
                                <span class="key-frames">
                                    {keys.into_iter().map(|f| view! {
                                        <button type="button" class="link-button" data-key-frame=f
                                            on:click=move |_| stage.go(k, f)>
                                            {move || t_string!(i18n, cases.key_frame, n = f + 1)}
                                        </button>
                                    }).collect_view()}
                                </span>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </div>
    }
}

/// The follow-up timeline, earliest first, with the day offsets from the index exam.
#[component]
pub fn Timeline(follow_ups: Vec<FollowUp>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol class="timeline" data-testid="timeline">
            <li class="timeline-index">
                <span class="timeline-day">{t!(i18n, cases.day_zero)}</span>
                <span>{t!(i18n, cases.index_exam)}</span>
            </li>
            {follow_ups.into_iter().map(|f| {
                let kind = f.kind;
                let verdict = match (f.malignant, f.confirms) {
                    (Some(true), _) => Some(("badge badge-bad", t_string!(i18n, cases.malignant).to_string())),
                    (Some(false), _) => Some(("badge badge-ok", t_string!(i18n, cases.benign).to_string())),
                    (None, Some(true)) => Some(("badge badge-ok", t_string!(i18n, cases.confirms).to_string())),
                    (None, Some(false)) => Some(("badge badge-bad", t_string!(i18n, cases.refutes).to_string())),
                    _ => None,
                };
                view! {
                    <li data-kind=kind.as_str()>
                        <span class="timeline-day">{move || t_string!(i18n, cases.day_n, n = f.day_offset)}</span>
                        <div>
                            <strong>{move || follow_kind_label(i18n, kind)}</strong>
                            {f.bethesda.map(|b| view! { <span class="badge">{format!("Bethesda {}", roman(b))}</span> })}
                            {verdict.map(|(class, text)| view! { <span class=class>{text}</span> })}
                            <p>{f.summary.clone()}</p>
                            <small class="muted">{f.added_by.clone()}</small>
                        </div>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn FollowUpForm(case_id: CaseId, on_added: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddFollowUp>::new();
    let kind = RwSignal::new("fna".to_string());
    let day = RwSignal::new(String::new());
    let bethesda = RwSignal::new("2".to_string());
    let verdict = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            summary.set(String::new());
            day.set(String::new());
            on_added.run(());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let kind = FollowUpKind::parse(&kind.get_untracked()).unwrap_or(FollowUpKind::Clinical);
        let v = verdict.get_untracked();
        add.dispatch(AddFollowUp {
            id: case_id.clone(),
            input: FollowUpInput {
                kind,
                day_offset: day.get_untracked().trim().parse().unwrap_or(-1),
                bethesda: (kind == FollowUpKind::Fna)
                    .then(|| bethesda.get_untracked().parse().ok())
                    .flatten(),
                malignant: match (kind.is_pathology(), v.as_str()) {
                    (true, "malignant") => Some(true),
                    (true, "benign") => Some(false),
                    _ => None,
                },
                confirms: match (
                    matches!(kind, FollowUpKind::Imaging | FollowUpKind::Clinical),
                    v.as_str(),
                ) {
                    (true, "confirms") => Some(true),
                    (true, "refutes") => Some(false),
                    _ => None,
                },
                summary: summary.get_untracked(),
            },
        });
    };
    let is = move |k: &str| kind.get() == k;
    view! {
        <form class="panel form-grid" on:submit=submit data-testid="follow-up-form">
            <h3 class="field-wide">{t!(i18n, cases.add_follow_up)}</h3>
            <label class="field">{t!(i18n, cases.follow_kind)}
                <select on:change=move |ev| { kind.set(event_target_value(&ev)); verdict.set(String::new()); } prop:value=move || kind.get()>
                    {FollowUpKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{move || follow_kind_label(i18n, k)}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">{t!(i18n, cases.day_offset)}
                <input type="number" min="0" max="3650" required bind:value=day />
            </label>
            <Show when=move || is("fna")>
                <label class="field">{t!(i18n, cases.bethesda)}
                    <select bind:value=bethesda>
                        {(1..=6u8).map(|b| view! { <option value=b.to_string()>{format!("{} ", roman(b))}{move || bethesda_name(i18n, b)}</option> }).collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=move || is("histopathology") || is("surgery")>
                <label class="field">{t!(i18n, cases.tissue_result)}
                    <select bind:value=verdict>
                        <option value="">{t!(i18n, cases.not_settled)}</option>
                        <option value="benign">{t!(i18n, cases.benign)}</option>
                        <option value="malignant">{t!(i18n, cases.malignant)}</option>
                    </select>
                </label>
            </Show>
            <Show when=move || is("imaging") || is("clinical")>
                <label class="field">{t!(i18n, cases.confirms_question)}
                    <select bind:value=verdict>
                        <option value="">{t!(i18n, cases.not_settled)}</option>
                        <option value="confirms">{t!(i18n, cases.confirms)}</option>
                        <option value="refutes">{t!(i18n, cases.refutes)}</option>
                    </select>
                </label>
            </Show>
            <label class="field field-wide">{t!(i18n, cases.follow_summary)}
                <textarea rows="3" required bind:value=summary></textarea>
            </label>
            <div class="form-actions field-wide">
                <button type="submit" class="btn btn-primary" disabled=move || add.pending().get()>{t!(i18n, cases.add_follow_up)}</button>
                {move || match add.value().get() {
                    Some(Ok(_)) => Some(view! { <span class="form-ok" role="status">{t!(i18n, cases.follow_added)}</span> }.into_any()),
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }.into_any()),
                    None => None,
                }}
            </div>
        </form>
    }
}

/// The Bethesda category's name.
pub fn bethesda_name(i18n: leptos_i18n::I18nContext<Locale>, b: u8) -> String {
    match b {
        1 => t_string!(i18n, cases.bethesda_1),
        2 => t_string!(i18n, cases.bethesda_2),
        3 => t_string!(i18n, cases.bethesda_3),
        4 => t_string!(i18n, cases.bethesda_4),
        5 => t_string!(i18n, cases.bethesda_5),
        _ => t_string!(i18n, cases.bethesda_6),
    }
    .to_string()
}

/// The consultation: comments (with frame references that move the viewer) and a new one.
#[component]
fn Consultation(
    case: CaseView,
    comments: Vec<CaseComment>,
    user: CurrentUser,
    stage: Stage,
) -> impl IntoView {
    let i18n = use_i18n();
    // The thread arrives with the page; after a post or a marked answer it is read again in
    // the browser (a resource nested this deep would not hydrate).
    let comments = RwSignal::new(comments);
    let failed = RwSignal::new(None::<crate::model::AppError>);
    let id = StoredValue::new(case.id.clone());
    let refresh = move || {
        let id = id.get_value();
        leptos::task::spawn_local(async move {
            match case_comments(id).await {
                Ok(list) => comments.set(list),
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    let add = ServerAction::<AddCaseComment>::new();
    let mark = ServerAction::<MarkAnswer>::new();
    let body = RwSignal::new(String::new());
    let refer = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            body.set(String::new());
            refer.set(false);
            refresh();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = mark.value().get() {
            refresh();
        }
    });
    let sops: Vec<String> = case.clip_urls.iter().map(|(sop, _)| sop.clone()).collect();
    let sops = StoredValue::new(sops);
    let case_id = case.id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (sop_uid, frame) = if refer.get_untracked() {
            (
                sops.with_value(|s| s.get(stage.clip.get_untracked()).cloned()),
                Some(stage.frame.get_untracked()),
            )
        } else {
            (None, None)
        };
        add.dispatch(AddCaseComment {
            id: case_id.clone(),
            body: body.get_untracked(),
            sop_uid,
            frame,
        });
    };
    let expert = user.role == Role::Expert;
    let comment_view = move |c: CaseComment| {
        let frame_ref = c.frame.clone().and_then(|f| {
            sops.with_value(|s| s.iter().position(|sop| *sop == f.sop_uid))
                .map(|k| (k, f.frame))
        });
        let cid = c.id.clone();
        let answer = c.is_answer;
        view! {
            <li class="comment" class:answer=answer data-comment=c.id.clone()>
                <header>
                    <strong>{c.author_name.clone()}</strong>
                    <span class="muted small">{move || crate::components::layout::role_label(i18n, c.author_role)}</span>
                    <time class="muted small">{network_time(c.created_at)}</time>
                    {answer.then(|| view! { <span class="badge badge-ok" data-testid="answer-badge">{t!(i18n, cases.answer)}</span> })}
                </header>
                <p class="comment-body" lang=text_lang(&c.body)>{c.body.clone()}</p>
                <div class="comment-actions">
                    {frame_ref.map(|(k, f)| view! {
                        <button type="button" class="btn btn-small frame-ref" data-frame-ref=f
                            on:click=move |_| stage.go(k, f)>
                            {move || t_string!(i18n, cases.frame_ref, clip = k + 1, frame = f + 1)}
                        </button>
                    })}
                    {expert.then(|| {
                        let cid = cid.clone();
                        view! {
                            <button type="button" class="btn btn-small btn-quiet"
                                on:click=move |_| { mark.dispatch(MarkAnswer { comment: cid.clone(), answer: !answer }); }>
                                {move || if answer { t_string!(i18n, cases.unmark_answer) } else { t_string!(i18n, cases.mark_answer) }}
                            </button>
                        }
                    })}
                </div>
            </li>
        }
    };
    view! {
        <section class="panel" data-testid="consultation">
            <h2>{t!(i18n, cases.consultation)}</h2>
            {move || {
                let list = comments.get();
                if list.is_empty() {
                    view! { <p class="muted">{t!(i18n, cases.no_comments)}</p> }.into_any()
                } else {
                    view! { <ol class="comments">{list.into_iter().map(comment_view).collect_view()}</ol> }.into_any()
                }
            }}
            {move || failed.get().map(|error| view! { <ErrorNotice error /> })}
            <form class="comment-form" on:submit=submit>
                <label class="field">{t!(i18n, cases.your_comment)}
                    <textarea rows="3" required bind:value=body data-testid="comment-body"></textarea>
                </label>
                <label class="check">
                    <input type="checkbox" bind:checked=refer />
                    {move || t_string!(i18n, cases.refer_frame, clip = stage.clip.get() + 1, frame = stage.frame.get() + 1)}
                </label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || add.pending().get()>{t!(i18n, cases.post_comment)}</button>
                    {move || match add.value().get() {
                        Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                        _ => None,
                    }}
                </div>
            </form>
        </section>
    }
}

/// The case's sections as text; teaching points are sanitised HTML.
#[component]
pub fn CaseText(case: CaseView) -> impl IntoView {
    let i18n = use_i18n();
    let c = case.content.clone();
    let section = |title: String, body: String, testid: &'static str| {
        let body_lang = text_lang(&body);
        (!body.is_empty()).then(|| {
            view! {
                <section class="case-section" data-testid=testid>
                    <h2>{title}</h2>
                    <p class="prose" lang=body_lang>{body}</p>
                </section>
            }
        })
    };
    view! {
        {section(t_string!(i18n, cases.history).to_string(), c.history.clone(), "history")}
        {section(t_string!(i18n, cases.findings).to_string(), c.findings.clone(), "findings")}
        {section(t_string!(i18n, cases.impression).to_string(), c.impression.clone(), "impression")}
        {section(t_string!(i18n, cases.final_diagnosis).to_string(), c.diagnosis.clone(), "diagnosis")}
        {(!case.differential_html.is_empty()).then(|| view! {
            <section class="case-section teaching" data-testid="differential">
                <h2>{t!(i18n, cases.differential)}</h2>
                <div class="prose" lang=text_lang(&case.differential_html) inner_html=case.differential_html.clone()></div>
            </section>
        })}
        {(!c.scores.is_empty()).then(|| view! {
            <section class="case-section">
                <h2>{t!(i18n, scores.title)}</h2>
                <ScoreSummary findings=c.scores.clone() />
            </section>
        })}
        {(!case.teaching_html.is_empty()).then(|| view! {
            <section class="case-section teaching">
                <h2>{t!(i18n, cases.teaching_points)}</h2>
                <div class="prose" lang=text_lang(&case.teaching_html) inner_html=case.teaching_html.clone()></div>
            </section>
        })}
    }
}

/// The facts line: application, patient, origin, author, version.
#[component]
pub fn CaseFacts(case: CaseView) -> impl IntoView {
    let i18n = use_i18n();
    let c = case.content.clone();
    let app = case.application.clone();
    let (site_zh, site_en) = (case.site_name_zh.clone(), case.site_name_en.clone());
    view! {
        <dl class="facts">
            <dt>{t!(i18n, cases.application)}</dt><dd>{move || app.name(lang_code(i18n)).to_string()}</dd>
            <dt>{t!(i18n, cases.patient)}</dt><dd>{format!("{} · ", c.age_band.label())}{move || sex_label(i18n, c.sex)}</dd>
            <dt>{t!(i18n, cases.site)}</dt><dd>{move || if lang_code(i18n) == "zh" { site_zh.clone() } else { site_en.clone() }}</dd>
            <dt>{t!(i18n, cases.difficulty)}</dt><dd>{move || difficulty_label(i18n, c.difficulty)}</dd>
            <dt>{t!(i18n, cases.author)}</dt><dd>{case.author_name.clone()}</dd>
            <dt>{t!(i18n, cases.version)}</dt><dd>{format!("v{} · {}", case.version, crate::pages::people::network_date(case.published_at))}</dd>
        </dl>
    }
}

/// The clips of a case view as the viewer wants them.
pub fn clips_of(
    case: &CaseView,
    with_marks: bool,
) -> Vec<(String, String, Vec<u32>, Vec<crate::model::Annotation>)> {
    case.clip_urls
        .iter()
        .filter_map(|(sop, url)| {
            let clip = case.content.clips.iter().find(|c| &c.sop_uid == sop)?;
            Some((
                url.clone(),
                clip.caption.clone(),
                if with_marks {
                    clip.key_frames.clone()
                } else {
                    Vec::new()
                },
                if with_marks {
                    clip.annotations.clone()
                } else {
                    Vec::new()
                },
            ))
        })
        .collect()
}

/// The guidance replays attached to the case, each a link to its player; nothing when there
/// are none. A failure to list them is said here and leaves the rest of the case readable.
#[component]
fn CaseReplays(replays: Result<Vec<ReplaySummary>, AppError>) -> impl IntoView {
    let i18n = use_i18n();
    match replays {
        Ok(list) if list.is_empty() => ().into_any(),
        Ok(list) => view! {
            <section class="panel case-replays" data-testid="case-replays">
                <h2>{t!(i18n, replay_player.case_replays)}</h2>
                <p class="small muted">{t!(i18n, replay_player.case_replays_intro)}</p>
                <ul class="replay-links">
                    {list.into_iter().map(|r| {
                        let (duration, chapters, live) = (mmss(r.duration_ms), r.chapters, r.from_session);
                        view! {
                            <li data-replay=r.id.0.clone()>
                                <a href=format!("/replays/{}", r.id) lang=text_lang(&r.title)>{r.title.clone()}</a>
                                <span class="small muted">
                                    {move || t_string!(i18n, replay_player.duration, time = duration.clone()).to_string()}
                                    " · "
                                    {move || t_string!(i18n, replay_player.chapter_count, n = chapters).to_string()}
                                    {live.then(|| view! { " · " {t!(i18n, replay_player.live_session)} })}
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
        .into_any(),
        Err(e) => view! {
            <p class="form-error" role="alert">
                {move || t_string!(i18n, replay_player.case_replays_failed, reason = error_message(i18n, &e)).to_string()}
            </p>
        }
        .into_any(),
    }
}

#[component]
fn CaseBody(
    case: CaseView,
    comments: Vec<CaseComment>,
    replays: Result<Vec<ReplaySummary>, AppError>,
    user: CurrentUser,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let stage = Stage::new();
    let expert = user.role == Role::Expert;
    let id = case.id.clone();
    let concordance = case.concordance;
    let on_added = Callback::new(move |_| reload.update(|n| *n += 1));
    view! {
        <header class="page-head">
            <p><a href="/cases">{t!(i18n, cases.back)}</a></p>
            <h1 data-testid="case-title" lang=text_lang(&case.content.title)>{case.content.title.clone()}</h1>
            <CaseFacts case=case.clone() />
            <super::TagLinks tags=case.content.tags.clone() />
            <div class="form-actions">
                <a class="btn btn-primary" href=format!("/cases/{id}/solve") data-testid="solve-link">
                    {if case.my_attempts == 0 { t_string!(i18n, cases.solve) } else { t_string!(i18n, cases.solve_again) }}
                </a>
                {expert.then(|| view! {
                    <a class="btn" href=format!("/cases/{id}/edit")>{t!(i18n, cases.curation)}</a>
                    <a class="btn" href=format!("/cases/{id}/versions")>{t!(i18n, cases.versions)}</a>
                })}
            </div>
        </header>
        <div class="case-layout">
            <div class="case-main">
                <CaseClips clips=clips_of(&case, true) stage />
                <CaseText case=case.clone() />
            </div>
            <aside class="case-side">
                <CaseReplays replays />
                <section class="panel">
                    <h2>{t!(i18n, cases.follow_ups)}</h2>
                    <p>
                        {t!(i18n, cases.concordance)}": "
                        <span class=format!("badge concordance-{concordance:?}").to_lowercase() data-testid="concordance">
                            {move || concordance_label(i18n, concordance)}
                        </span>
                    </p>
                    <Timeline follow_ups=case.follow_ups.clone() />
                    {expert.then(|| view! { <FollowUpForm case_id=id.clone() on_added /> })}
                </section>
                <Consultation case=case.clone() comments user stage />
            </aside>
        </div>
    }
}

#[component]
fn CasePage_(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let reload = RwSignal::new(0u32);
    // Blocking: the server waits for the case before it answers, so an unknown case gets a
    // real 404 status (a streamed page has sent its 200 by the time the data arrives).
    let case = resource::blocking(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                reload.get(),
            )
        },
        |(id, _)| async move {
            let id = CaseId::from_path(&id)?;
            let case = published_case(id.clone()).await?;
            let comments = case_comments(id.clone()).await?;
            // The case reads without its replays: their failure stays in their section.
            let replays = case_replays(id.0).await;
            Ok::<_, crate::model::AppError>((case, comments, replays))
        },
    );
    view! {
        <section class="page case-page">
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || {
                    let user = user.clone();
                    case.get().map(|res| match res {
                        Ok((case, comments, replays)) => view! { <CaseBody case comments replays user reload /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

/// `/cases/{id}` for everyone who reads the library.
#[component]
pub fn CasePage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.case).to_string() /> <Guarded roles=READERS children=|user| view! { <CasePage_ user /> }.into_any() /> }
}
