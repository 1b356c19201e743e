//! `/replays/{id}`: one replay in its player (`?t=` in milliseconds starts it there), with its
//! summary, author, case and, for experts, the review steps its state allows: submit a draft,
//! publish (another expert than its author), return to draft, retire, discard or edit a draft.
//! `/replays/{id}/edit` opens a draft in the editor. A learner asking for a replay that is not
//! published is told it is not found, as for any address that does not exist.
use super::editor::{Editor, Work};
use super::{StatusBadge, WATCHERS, language_label, length_label, replay_error};
use crate::api::courses::teaching_clips;
use crate::api::replays::{discard_replay, get_replay, replay_transition};
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::components::replay::{ReplayPlayer, parse_t};
use crate::i18n::*;
use crate::model::replay::{ReplayClip, ReplayView};
use crate::model::{
    AppError, CaseId, CaseStatus, CurrentUser, Permission, ReplayId, Role, text_lang,
};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The replay player, starting at `start_at`. The editor's preview (`on_time` given: where it
/// stands decides where chapters and trims go) has no comments, for a recording not saved yet.
pub fn player(
    replay: ReplayView,
    start_at: Option<u64>,
    on_time: Option<RwSignal<u64>>,
) -> AnyView {
    match on_time {
        Some(on_time) => {
            view! { <ReplayPlayer replay start_at on_time comments=false /> }.into_any()
        }
        None => view! { <ReplayPlayer replay start_at /> }.into_any(),
    }
}

/// A review step as the server names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Submit,
    Publish,
    Return,
    Retire,
}

impl Step {
    fn action(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Publish => "publish",
            Step::Return => "return",
            Step::Retire => "retire",
        }
    }
}

/// The steps a replay in `status` offers an expert; publishing only to one who is not its
/// author (`can_publish`).
fn steps(status: CaseStatus, can_publish: bool) -> Vec<Step> {
    match status {
        CaseStatus::Draft => vec![Step::Submit],
        CaseStatus::InReview if can_publish => vec![Step::Publish, Step::Return],
        CaseStatus::InReview => vec![Step::Return],
        CaseStatus::Published => vec![Step::Retire],
        CaseStatus::Retired => Vec::new(),
    }
}

/// The review panel: the state, the steps it allows, discarding and editing a draft.
#[component]
fn Workflow(replay: ReplayView) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let id = replay.id.clone();
    let status = RwSignal::new(replay.status);
    let can_publish = RwSignal::new(replay.can_publish);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<AppError>);
    let confirming = RwSignal::new(false);
    let stored_id = StoredValue::new(id.clone());
    let take = move |step: Step| {
        let id = stored_id.get_value();
        busy.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            let moved = replay_transition(id.0.clone(), step.action().to_string()).await;
            match moved {
                // Who may publish now is the server's to say (it knows the author).
                Ok(now) => {
                    if let Ok(fresh) = get_replay(id.0.clone()).await {
                        can_publish.set(fresh.can_publish);
                    }
                    status.set(now);
                }
                Err(e) => failed.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let id_for_discard = id.clone();
    let discard = move |_| {
        let id = id_for_discard.clone();
        let navigate = navigate.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match discard_replay(id.0).await {
                Ok(()) => navigate("/replays", Default::default()),
                Err(e) => {
                    failed.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    let label = move |step: Step| match step {
        Step::Submit => t_string!(i18n, replays.do_submit),
        Step::Publish => t_string!(i18n, replays.do_publish),
        Step::Return => t_string!(i18n, replays.do_return),
        Step::Retire => t_string!(i18n, replays.do_retire),
    };
    let edit_href = format!("/replays/{id}/edit");
    view! {
        <section class="panel replay-workflow" aria-labelledby="replay-workflow-title" data-testid="replay-workflow">
            <h2 id="replay-workflow-title">{t!(i18n, replays.review)}</h2>
            <p>
                {t!(i18n, replays.state)}" "
                {move || { let status = status.get(); view! { <StatusBadge status /> } }}
            </p>
            {move || (status.get() == CaseStatus::InReview && !can_publish.get()).then(|| view! {
                <p class="muted" data-testid="publish-note">{t!(i18n, replays.publish_by_other)}</p>
            })}
            <div class="form-actions">
                {move || steps(status.get(), can_publish.get()).into_iter().map(|step| view! {
                    <button type="button" class="btn" class:btn-primary=matches!(step, Step::Submit | Step::Publish)
                        data-step=step.action() disabled=move || busy.get()
                        on:click=move |_| take(step)>
                        {move || label(step)}
                    </button>
                }).collect_view()}
                <Show when=move || status.get() == CaseStatus::Draft>
                    <a class="btn" href=edit_href.clone() data-testid="edit-replay">{t!(i18n, replays.edit)}</a>
                    <button type="button" class="btn btn-danger-text" data-testid="discard-replay"
                        disabled=move || busy.get() on:click=move |_| confirming.set(true)>
                        {t!(i18n, replays.discard)}
                    </button>
                </Show>
            </div>
            <Show when=move || confirming.get() && status.get() == CaseStatus::Draft>
                <div class="confirm" role="alertdialog" aria-labelledby="discard-question">
                    <p id="discard-question">{t!(i18n, replays.discard_question)}</p>
                    <div class="form-actions">
                        <button type="button" class="btn btn-danger" data-testid="discard-confirm"
                            disabled=move || busy.get() on:click=discard.clone()>
                            {t!(i18n, replays.discard_confirm)}
                        </button>
                        <button type="button" class="btn" on:click=move |_| confirming.set(false)>{t!(i18n, replays.keep)}</button>
                    </div>
                </div>
            </Show>
            {move || failed.get().map(|e| view! { <p class="form-error" role="alert" data-testid="workflow-error">{move || replay_error(i18n, &e)}</p> })}
        </section>
    }
}

#[component]
fn ReplayBody(replay: ReplayView, user: CurrentUser, start_at: Option<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let expert = user.may(Permission::RecordReplays);
    let language = replay.language.clone();
    let length = length_label(replay.timeline.duration_ms);
    let case = replay.case_id.clone().map(|id| {
        let title = replay.case_title.clone();
        (id, title)
    });
    view! {
        <header class="page-head replay-head">
            <p><a href="/replays">{t!(i18n, replays.back)}</a></p>
            <h1 data-testid="replay-title" lang=text_lang(&replay.title)>{replay.title.clone()}</h1>
            <dl class="facts replay-facts">
                {expert.then(|| view! {
                    <dt>{t!(i18n, replays.state)}</dt>
                    <dd><StatusBadge status=replay.status /></dd>
                })}
                <dt>{t!(i18n, replays.author)}</dt><dd>{replay.author.clone()}</dd>
                <dt>{t!(i18n, replays.col_length)}</dt><dd>{length}</dd>
                <dt>{t!(i18n, replays.language_field)}</dt><dd>{move || language_label(i18n, &language)}</dd>
                {case.map(|(id, title)| view! {
                    <dt>{t!(i18n, replays.case_field)}</dt>
                    <dd>
                        <a href=format!("/cases/{id}") data-testid="replay-case-link">
                            {match title {
                                Some(title) => {
                                    let lang = text_lang(&title);
                                    view! { <span lang=lang>{title}</span> }.into_any()
                                }
                                None => view! { {t!(i18n, replays.open_case)} }.into_any(),
                            }}
                        </a>
                    </dd>
                })}
            </dl>
        </header>
        <div class="replay-page-layout">
            <div class="replay-page-main">{player(replay.clone(), start_at, None)}</div>
            <div class="replay-page-side">
                {(!replay.summary_html.is_empty()).then(|| view! {
                    <section class="panel replay-summary">
                        <h2>{t!(i18n, replays.summary_field)}</h2>
                        <div class="prose" lang=text_lang(&replay.summary) inner_html=replay.summary_html.clone()></div>
                    </section>
                })}
                {expert.then(|| view! { <Workflow replay=replay.clone() /> })}
            </div>
        </div>
    }
}

fn replay_id() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()))
}

#[component]
fn ReplayPage_(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let id = replay_id();
    let query = use_query_map();
    // Blocking: an unknown replay, or a draft a learner asks for, answers with a real 404.
    let replay = resource::blocking(
        move || id.get(),
        |id| async move {
            ReplayId::from_path(&id)?;
            get_replay(id).await
        },
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || {
                let user = user.clone();
                let start_at = query.with_untracked(|q| q.get("t")).as_deref().and_then(parse_t);
                replay.get().map(|res| match res {
                    Ok(replay) => view! { <ReplayBody replay user start_at /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })
            }}
        </Transition>
    }
}

/// `/replays/{id}` for everyone who watches replays.
#[component]
pub fn ReplayPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.replay).to_string() />
        <section class="page replay-page">
            <Guarded roles=WATCHERS children=|user| view! { <ReplayPage_ user /> }.into_any() />
        </section>
    }
}

#[component]
fn ReplayEdit_() -> impl IntoView {
    let i18n = use_i18n();
    let id = replay_id();
    let data = resource::blocking(
        move || id.get(),
        |id| async move {
            ReplayId::from_path(&id)?;
            let replay = get_replay(id).await?;
            let clips = teaching_clips().await?;
            Ok::<_, AppError>((replay, clips))
        },
    );
    // A saved draft's voices are on the server already: nothing recorded waits here.
    let recording = super::held::Held::<web_sys::Blob>::new();
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || data.get().map(|res| match res {
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
                Ok((replay, clips)) => {
                    let back = view! { <p><a href=format!("/replays/{}", replay.id)>{t!(i18n, replays.back_to_replay)}</a></p> };
                    if !replay.can_edit || replay.status != CaseStatus::Draft {
                        return view! {
                            {back}
                            <h1 lang=text_lang(&replay.title)>{replay.title.clone()}</h1>
                            <p class="notice notice-error" role="alert">{t!(i18n, replays.only_drafts)}</p>
                        }.into_any();
                    }
                    if matches!(replay.clip, ReplayClip::Video { .. }) {
                        return view! {
                            {back}
                            <h1 lang=text_lang(&replay.title)>{replay.title.clone()}</h1>
                            <p class="notice notice-error" role="alert">{t!(i18n, replays.screen_recording_not_editable)}</p>
                        }.into_any();
                    }
                    let mut cases: Vec<(CaseId, String)> = Vec::new();
                    if let (Some(id), title) = (&replay.case_id, &replay.case_title) {
                        cases.push((id.clone(), title.clone().unwrap_or_else(|| id.0.clone())));
                    }
                    for c in clips {
                        if !cases.iter().any(|(id, _)| *id == c.case_id) {
                            cases.push((c.case_id, c.case_title));
                        }
                    }
                    let work = Work::from_view(&replay);
                    view! {
                        <header class="page-head">
                            {back}
                            <h1>{t!(i18n, replays.editor_title)}</h1>
                        </header>
                        <Editor work cases recording />
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// `/replays/{id}/edit` for experts.
#[component]
pub fn ReplayEditPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.replay_edit).to_string() />
        <section class="page replay-edit-page">
            <Guarded roles=&[Role::Expert] children=|_| view! { <ReplayEdit_ /> }.into_any() />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_author_is_not_offered_publishing() {
        assert_eq!(steps(CaseStatus::Draft, false), [Step::Submit]);
        assert_eq!(
            steps(CaseStatus::InReview, true),
            [Step::Publish, Step::Return]
        );
        assert_eq!(steps(CaseStatus::InReview, false), [Step::Return]);
        assert_eq!(steps(CaseStatus::Published, false), [Step::Retire]);
        assert!(steps(CaseStatus::Retired, true).is_empty());
    }
}
