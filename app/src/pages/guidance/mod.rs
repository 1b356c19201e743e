//! `/guidance`: live guidance sessions. Everyone sees their own sessions by what they need
//! (invitations to answer, open requests an expert may take, live ones to join, those that
//! wait, and past ones with their replay); experts start one on a teaching clip and invite a
//! learner, learners ask the hub for one. `/guidance/{id}` is the session itself (`live`).
pub mod live;
mod sync;
mod voice;
mod wire;

use crate::api::guidance::{
    RequestGuidance, StartGuidance, TakeGuidance, guidance_clips, guidance_learners,
    guidance_sessions,
};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::{PageTitle, lang_code};
use crate::i18n::*;
use crate::model::guidance::{SessionStatus, SessionSummary};
use crate::model::replay::{GUIDE, GUIDED};
use crate::model::{CurrentUser, Role, text_lang};
use crate::pages::guard::Guarded;
use crate::pages::people::network_time;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The translated name of a session's status.
pub(crate) fn status_label(i18n: I18nContext<Locale>, status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Requested => t_string!(i18n, guidance.status_requested),
        SessionStatus::Invited => t_string!(i18n, guidance.status_invited),
        SessionStatus::Live => t_string!(i18n, guidance.status_live),
        SessionStatus::Ended => t_string!(i18n, guidance.status_ended),
        SessionStatus::Declined => t_string!(i18n, guidance.status_declined),
    }
}

/// Which part of the list a session belongs in, for this person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Needs this person: an invitation to answer, a request to take.
    ForYou,
    Live,
    Waiting,
    Past,
}

fn group(s: &SessionSummary, role: Role) -> Group {
    match (s.status, s.me) {
        (SessionStatus::Live, _) => Group::Live,
        (SessionStatus::Invited, Some(GUIDED)) => Group::ForYou,
        (SessionStatus::Requested, None) if role == Role::Expert => Group::ForYou,
        (SessionStatus::Invited | SessionStatus::Requested, _) => Group::Waiting,
        (SessionStatus::Ended | SessionStatus::Declined, _) => Group::Past,
    }
}

#[component]
fn SessionItem(session: SessionSummary, role: Role, on_change: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let take = ServerAction::<TakeGuidance>::new();
    Effect::new(move |_| {
        if matches!(take.value().get(), Some(Ok(()))) {
            on_change.run(());
        }
    });
    let href = format!("/guidance/{}", session.id);
    let status = session.status;
    let people = format!(
        "{} → {}",
        session.guide.clone().unwrap_or_else(|| "—".into()),
        session.guided
    );
    let open_request =
        session.status == SessionStatus::Requested && session.me.is_none() && role == Role::Expert;
    let id = session.id.0.clone();
    let action = match (status, session.me) {
        (SessionStatus::Live, Some(_)) => Some(view! {
            <a class="btn btn-primary btn-small" href=href.clone() data-testid="join">{t!(i18n, guidance.join)}</a>
        }.into_any()),
        (SessionStatus::Live, None) => Some(view! {
            <a class="btn btn-small" href=href.clone()>{t!(i18n, guidance.watch)}</a>
        }.into_any()),
        (SessionStatus::Invited, Some(GUIDED)) => Some(view! {
            <a class="btn btn-primary btn-small" href=href.clone() data-testid="answer">{t!(i18n, guidance.answer)}</a>
        }.into_any()),
        _ if open_request => Some(view! {
            <button type="button" class="btn btn-primary btn-small" data-testid="take" disabled=move || take.pending().get()
                on:click=move |_| { take.dispatch(TakeGuidance { id: id.clone() }); }>
                {t!(i18n, guidance.take)}
            </button>
        }.into_any()),
        _ => None,
    };
    let replay = session
        .replay_id
        .clone()
        .filter(|_| session.me == Some(GUIDE))
        .map(|r| view! { <a href=format!("/replays/{r}")>{t!(i18n, guidance.open_replay)}</a> });
    let when = session
        .ended_at
        .or(session.started_at)
        .unwrap_or(session.created_at);
    view! {
        <li class="guidance-item" data-testid="guidance-item" data-status=status.as_str()>
            <div class="guidance-item-main">
                <a href=href class="guidance-item-title" lang=text_lang(&session.case_title)>{session.case_title.clone()}</a>
                <span class="badge" class:badge-app=status == SessionStatus::Live>{move || status_label(i18n, status)}</span>
                <p class="small muted">{people}" · "<time>{network_time(when)}</time></p>
                {(!session.note.is_empty()).then(|| view! { <p class="small" lang=text_lang(&session.note)>{session.note.clone()}</p> })}
            </div>
            <div class="guidance-item-actions">
                {action}
                {replay}
                {move || match take.value().get() {
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                    _ => None,
                }}
            </div>
        </li>
    }
}

#[component]
fn SessionGroup(
    title: fn(I18nContext<Locale>) -> &'static str,
    sessions: Vec<SessionSummary>,
    role: Role,
    on_change: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    (!sessions.is_empty()).then(|| {
        view! {
            <section class="panel guidance-group">
                <h2>{move || title(i18n)}</h2>
                <ul class="guidance-list">
                    {sessions.into_iter().map(|session| view! { <SessionItem session role on_change /> }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// An expert's form: a clip and the learner to invite.
#[component]
fn StartForm() -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartGuidance>::new();
    let clips = resource::new(|| (), |_| guidance_clips());
    let learners = resource::new(|| (), |_| guidance_learners());
    let clip = RwSignal::new(String::new());
    let learner = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            let _ = window().location().set_href(&format!("/guidance/{id}"));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start.dispatch(StartGuidance {
            sop_uid: clip.get_untracked(),
            learner: learner.get_untracked(),
        });
    };
    view! {
        <section class="panel">
            <h2>{t!(i18n, guidance.start_title)}</h2>
            <form class="form-grid guidance-form" on:submit=submit data-testid="start-form">
                <ClipField clip clips />
                <label class="field">{t!(i18n, guidance.learner)}
                    <select required bind:value=learner data-testid="learner">
                        <option value="">{t!(i18n, guidance.choose_learner)}</option>
                        <Transition>
                            {move || learners.get().and_then(Result::ok).map(|list| {
                                list.into_iter().map(|l| {
                                    let site = l.site.clone();
                                    let label = move || {
                                        let site = if lang_code(i18n) == "en" { site.1.clone() } else { site.0.clone() };
                                        format!("{} ({}) · {}", l.display_name, l.username, site)
                                    };
                                    view! { <option value=l.id.0.clone()>{label}</option> }
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                </label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="start" disabled=move || start.pending().get()>
                        {t!(i18n, guidance.start)}
                    </button>
                    {move || match start.value().get() {
                        Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                        _ => None,
                    }}
                </div>
            </form>
        </section>
    }
}

/// The clip of a published case a session is held on.
#[component]
fn ClipField(
    clip: RwSignal<String>,
    clips: resource::Resource<
        Result<Vec<crate::model::quiz::TeachingClip>, crate::model::AppError>,
    >,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">{t!(i18n, guidance.clip)}
            <select required bind:value=clip data-testid="clip">
                <option value="">{t!(i18n, guidance.choose_clip)}</option>
                <Transition>
                    {move || clips.get().and_then(Result::ok).map(|list| {
                        // Clips are listed case by case: number them within their case.
                        let mut n = 0;
                        let mut case = None;
                        list.into_iter().map(|c| {
                            n = if case.as_ref() == Some(&c.case_id) { n + 1 } else { 1 };
                            case = Some(c.case_id.clone());
                            let label = format!("{} · {} {}", c.case_title, t_string!(i18n, guidance.clip_n), n);
                            view! { <option value=c.sop_uid.clone()>{label}</option> }
                        }).collect_view()
                    })}
                </Transition>
            </select>
        </label>
    }
}

/// A learner's form: a clip and what they would like help with.
#[component]
fn RequestForm(on_change: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let request = ServerAction::<RequestGuidance>::new();
    let clips = resource::new(|| (), |_| guidance_clips());
    let clip = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(request.value().get(), Some(Ok(_))) {
            note.set(String::new());
            on_change.run(());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        request.dispatch(RequestGuidance {
            sop_uid: clip.get_untracked(),
            note: note.get_untracked(),
        });
    };
    view! {
        <section class="panel">
            <h2>{t!(i18n, guidance.request_title)}</h2>
            <form class="form-grid guidance-form" on:submit=submit data-testid="request-form">
                <ClipField clip clips />
                <label class="field field-wide">{t!(i18n, guidance.note)}
                    <textarea rows="3" maxlength="1000" bind:value=note placeholder=move || t_string!(i18n, guidance.note_hint)></textarea>
                </label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="request" disabled=move || request.pending().get()>
                        {t!(i18n, guidance.request)}
                    </button>
                    {move || match request.value().get() {
                        Some(Ok(_)) => Some(view! { <span class="form-ok" role="status">{t!(i18n, guidance.requested)}</span> }.into_any()),
                        Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }.into_any()),
                        None => None,
                    }}
                </div>
            </form>
        </section>
    }
}

#[component]
fn Sessions(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let tick = RwSignal::new(0u32);
    let sessions = resource::new(move || tick.get(), |_| guidance_sessions());
    let on_change = Callback::new(move |_| tick.update(|n| *n += 1));
    // Invitations and requests arrive while the page is open: look again now and then.
    Effect::new(move |_| {
        sessions.track();
        set_timeout(
            move || {
                tick.try_update(|n| *n += 1);
            },
            std::time::Duration::from_secs(15),
        );
    });
    let role = user.role;
    view! {
        <header class="page-head">
            <h1>{t!(i18n, guidance.title)}</h1>
            <p class="muted">{t!(i18n, guidance.intro)}</p>
        </header>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || sessions.get().map(|res| match res {
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <div class="empty-state"><p>{move || if role == Role::Expert { t_string!(i18n, guidance.empty_expert) } else { t_string!(i18n, guidance.empty_learner) }}</p></div>
                }.into_any(),
                Ok(list) => {
                    let pick = |g: Group| list.iter().filter(|s| group(s, role) == g).cloned().collect::<Vec<_>>();
                    let for_you_title: fn(I18nContext<Locale>) -> &'static str = if role == Role::Expert {
                        |i| t_string!(i, guidance.open_requests)
                    } else {
                        |i| t_string!(i, guidance.invitations)
                    };
                    view! {
                        <div data-testid="guidance-sessions">
                            <SessionGroup title=for_you_title sessions=pick(Group::ForYou) role on_change />
                            <SessionGroup title=|i| t_string!(i, guidance.live_now) sessions=pick(Group::Live) role on_change />
                            <SessionGroup title=|i| t_string!(i, guidance.waiting) sessions=pick(Group::Waiting) role on_change />
                            <SessionGroup title=|i| t_string!(i, guidance.past) sessions=pick(Group::Past) role on_change />
                        </div>
                    }.into_any()
                }
            })}
        </Transition>
        {match role {
            Role::Expert => Some(view! { <StartForm /> }.into_any()),
            Role::Learner => Some(view! { <RequestForm on_change /> }.into_any()),
            _ => None,
        }}
    }
}

/// `/guidance` for learners, experts and admins (who see every session).
#[component]
pub fn GuidancePage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.guidance).to_string() />
        <section class="page guidance-page">
            <Guarded roles=&[Role::Learner, Role::Expert, Role::Admin] children=|user| view! { <Sessions user /> }.into_any() />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SessionId;

    fn summary(status: SessionStatus, me: Option<u8>) -> SessionSummary {
        SessionSummary {
            id: SessionId("0190c1c2-0000-7000-8000-000000000001".into()),
            status,
            case_title: "RUQ".into(),
            guide: None,
            guided: "Li Na".into(),
            note: String::new(),
            me,
            created_at: 0,
            started_at: None,
            ended_at: None,
            replay_id: None,
        }
    }

    #[test]
    fn each_session_is_listed_where_its_person_acts_on_it() {
        use SessionStatus::*;
        let expert = Role::Expert;
        assert_eq!(
            group(&summary(Invited, Some(GUIDED)), Role::Learner),
            Group::ForYou
        );
        assert_eq!(
            group(&summary(Invited, Some(GUIDE)), expert),
            Group::Waiting
        );
        assert_eq!(
            group(&summary(Requested, None), expert),
            Group::ForYou,
            "an expert may take it"
        );
        assert_eq!(
            group(&summary(Requested, None), Role::Admin),
            Group::Waiting
        );
        assert_eq!(
            group(&summary(Requested, Some(GUIDED)), Role::Learner),
            Group::Waiting
        );
        assert_eq!(group(&summary(Live, Some(GUIDE)), expert), Group::Live);
        assert_eq!(
            group(&summary(Declined, Some(GUIDED)), Role::Learner),
            Group::Past
        );
    }
}
