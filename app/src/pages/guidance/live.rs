//! `/guidance/{id}`: one session. Before it is live: the invitation to accept or decline, or
//! a note that it waits. Live: the shared clip in the cine viewer with drawing tools, the
//! other side's pointer and drawings over it, the view following whoever steers, the voice
//! call with its state and a mute button, the guide's controls (let the doctor steer, end).
//! After the end: the replay draft and this side's voice being added to it.
use super::voice::{self, resume_audio};
use super::{status_label, sync, wire};
use crate::api::guidance::{AnswerGuidance, EndGuidance, SetGuidedControl, guidance_session};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::components::viewer::{CineViewer, ClipSource, ViewerLink};
use crate::i18n::*;
use crate::model::guidance::{SessionStatus, SessionView};
use crate::model::replay::{GUIDE, GUIDED, Participant, ReplayState};
use crate::model::{Annotation, ReplayId, Role, SessionId, text_lang};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The colour of the other side's drawings and pointer (cyan beside the viewer's amber).
const OTHER_COLOUR: &str = "#4fc3f7";

/// Where the page's WebSocket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Socket {
    Connecting,
    Live,
    Reconnecting,
    /// The same person opened the session in another window.
    Replaced,
    Closed,
}

/// The microphone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mic {
    Asking,
    On,
    Refused,
    Absent,
    /// The page cannot ask (an insecure address, an old browser).
    Unavailable,
    Failed,
}

/// The voice call with the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Call {
    Waiting,
    Connecting,
    Connected,
    Reconnecting,
    Off,
}

/// This side's recording on its way into the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VoiceSave {
    Idle,
    Saving,
    Saved,
    Failed,
    /// Nothing was recorded (no microphone).
    Nothing,
}

/// What the live page shows, written by the connection and the voice code.
#[derive(Clone, Copy)]
pub(super) struct LiveUi {
    /// `Some(side)` for a participant, `None` for an admin who watches (the outer option is
    /// how the connection code reads it).
    pub me: Option<Option<Participant>>,
    pub link: ViewerLink,
    /// This side's drawings (the viewer's editable list).
    pub mine: RwSignal<Vec<Annotation>>,
    /// Everything so far, folded.
    pub state: RwSignal<ReplayState>,
    pub socket: RwSignal<Socket>,
    pub peer_online: RwSignal<bool>,
    pub control: RwSignal<bool>,
    pub mic: RwSignal<Mic>,
    pub muted: RwSignal<bool>,
    pub call: RwSignal<Call>,
    pub audio_blocked: RwSignal<bool>,
    /// `Some(replay)` once the session ended.
    pub ended: RwSignal<Option<Option<ReplayId>>>,
    pub voice: RwSignal<VoiceSave>,
    /// The last refusal of one of this side's events.
    pub notice: RwSignal<Option<String>>,
}

fn side_name(i18n: leptos_i18n::I18nContext<Locale>, side: Participant) -> &'static str {
    if side == GUIDE {
        t_string!(i18n, guidance.the_expert)
    } else {
        t_string!(i18n, guidance.the_doctor)
    }
}

/// The state line: connection, the other side, the call, the microphone.
#[component]
fn StateBar(ui: LiveUi) -> impl IntoView {
    let i18n = use_i18n();
    let me = ui.me.flatten();
    let other = me.map(|m| 1 - m);
    let socket = move || match ui.socket.get() {
        Socket::Connecting => t_string!(i18n, guidance.socket_connecting),
        Socket::Live => t_string!(i18n, guidance.socket_live),
        Socket::Reconnecting => t_string!(i18n, guidance.socket_reconnecting),
        Socket::Replaced => t_string!(i18n, guidance.socket_replaced),
        Socket::Closed => t_string!(i18n, guidance.socket_closed),
    };
    let peer = move || {
        let online = ui.peer_online.get();
        match (other, online) {
            (Some(GUIDED), true) => t_string!(i18n, guidance.doctor_here),
            (Some(GUIDED), false) => t_string!(i18n, guidance.doctor_away),
            (Some(_), true) => t_string!(i18n, guidance.expert_here),
            (Some(_), false) => t_string!(i18n, guidance.expert_away),
            (None, true) => t_string!(i18n, guidance.both_here),
            (None, false) => t_string!(i18n, guidance.not_both_here),
        }
    };
    let call = move || match ui.call.get() {
        Call::Waiting => t_string!(i18n, guidance.call_waiting),
        Call::Connecting => t_string!(i18n, guidance.call_connecting),
        Call::Connected => t_string!(i18n, guidance.call_connected),
        Call::Reconnecting => t_string!(i18n, guidance.call_reconnecting),
        Call::Off => t_string!(i18n, guidance.call_off),
    };
    let mic = move || match ui.mic.get() {
        Mic::Asking => t_string!(i18n, guidance.mic_asking),
        Mic::On if ui.muted.get() => t_string!(i18n, guidance.mic_muted),
        Mic::On => t_string!(i18n, guidance.mic_on),
        Mic::Refused => t_string!(i18n, guidance.mic_refused),
        Mic::Absent => t_string!(i18n, guidance.mic_absent),
        Mic::Unavailable => t_string!(i18n, guidance.mic_unavailable),
        Mic::Failed => t_string!(i18n, guidance.mic_failed),
    };
    let mic_problem = move || !matches!(ui.mic.get(), Mic::Asking | Mic::On);
    view! {
        <div class="live-states" aria-label=move || t_string!(i18n, guidance.states) role="status" aria-live="polite">
            <span class="live-state" data-testid="socket-state" data-state=move || format!("{:?}", ui.socket.get()).to_lowercase()
                class:bad=move || ui.socket.get() != Socket::Live>{socket}</span>
            <span class="live-state" data-testid="peer-state" data-online=move || ui.peer_online.get().to_string()
                class:bad=move || !ui.peer_online.get()>{peer}</span>
            {me.map(|_| view! {
                <span class="live-state" data-testid="call-state" data-state=move || format!("{:?}", ui.call.get()).to_lowercase()
                    class:bad=move || ui.call.get() != Call::Connected>{call}</span>
                <span class="live-state" data-testid="mic-state" data-state=move || format!("{:?}", ui.mic.get()).to_lowercase()
                    class:bad=mic_problem>{mic}</span>
            })}
        </div>
    }
}

/// The guide's and the doctor's buttons.
#[component]
fn Controls(ui: LiveUi, key: StoredValue<Option<u64>>, session: SessionId) -> impl IntoView {
    let i18n = use_i18n();
    let me = ui.me.flatten();
    let set_control = ServerAction::<SetGuidedControl>::new();
    let end = ServerAction::<EndGuidance>::new();
    let confirming = RwSignal::new(false);
    let id = session.0.clone();
    let toggle = move |ev: leptos::ev::Event| {
        set_control.dispatch(SetGuidedControl {
            id: id.clone(),
            allowed: event_target_checked(&ev),
        });
    };
    let id = session.0.clone();
    let mute = move |_| {
        if let Some(k) = key.get_value() {
            voice::set_muted(k, !ui.muted.get_untracked());
        }
    };
    view! {
        <div class="live-controls">
            {me.map(|_| view! {
                <button type="button" class="btn" aria-pressed=move || ui.muted.get().to_string()
                    disabled=move || ui.mic.get() != Mic::On on:click=mute data-testid="mute">
                    {move || if ui.muted.get() { t_string!(i18n, guidance.unmute) } else { t_string!(i18n, guidance.mute) }}
                </button>
            })}
            <Show when=move || ui.audio_blocked.get()>
                <button type="button" class="btn" on:click=move |_| { resume_audio(); ui.audio_blocked.set(false); }>
                    {t!(i18n, guidance.hear_other)}
                </button>
            </Show>
            {(me == Some(GUIDE)).then(|| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || ui.control.get() on:change=toggle data-testid="allow-control" />
                    {t!(i18n, guidance.let_steer)}
                </label>
                {move || if confirming.get() {
                    let id = id.clone();
                    view! {
                        <span class="end-confirm" role="group" aria-label=move || t_string!(i18n, guidance.end_session)>
                            <button type="button" class="btn btn-danger" data-testid="end-confirm" disabled=move || end.pending().get()
                                on:click=move |_| { end.dispatch(EndGuidance { id: id.clone() }); }>
                                {t!(i18n, guidance.end_confirm)}
                            </button>
                            <button type="button" class="btn" on:click=move |_| confirming.set(false)>{t!(i18n, guidance.end_cancel)}</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-danger" data-testid="end-session" on:click=move |_| confirming.set(true)>
                            {t!(i18n, guidance.end_session)}
                        </button>
                    }.into_any()
                }}
                {move || {
                    let failed = end.value().get().and_then(Result::err);
                    failed
                        .or_else(|| set_control.value().get().and_then(Result::err))
                        .map(|e| view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> })
                }}
            })}
        </div>
    }
}

/// The ended session: the replay draft, and this side's voice going into it.
#[component]
fn Ended(ui: LiveUi, key: StoredValue<Option<u64>>, session: SessionId) -> impl IntoView {
    let i18n = use_i18n();
    let me = ui.me.flatten();
    // Which voices the replay holds, looked up again while they are being added.
    let tick = RwSignal::new(0u32);
    let id = session.0.clone();
    let view = resource::new(
        move || (tick.get(), id.clone()),
        |(_, id)| guidance_session(id),
    );
    Effect::new(move |_| {
        let have = view
            .get()
            .and_then(Result::ok)
            .map_or(0, |v| v.voices.len());
        if have < 2 && tick.get_untracked() < 40 {
            set_timeout(
                move || {
                    tick.try_update(|n| *n += 1);
                },
                std::time::Duration::from_secs(3),
            );
        }
    });
    let save_state = move || match ui.voice.get() {
        VoiceSave::Idle | VoiceSave::Saving => t_string!(i18n, guidance.voice_saving),
        VoiceSave::Saved => t_string!(i18n, guidance.voice_saved),
        VoiceSave::Failed => t_string!(i18n, guidance.voice_failed),
        VoiceSave::Nothing => t_string!(i18n, guidance.voice_nothing),
    };
    view! {
        <section class="panel live-ended" data-testid="session-ended" role="status">
            <h2>{t!(i18n, guidance.ended_title)}</h2>
            {move || ui.ended.get().flatten().map(|replay| if me == Some(GUIDE) {
                view! { <p><a href=format!("/replays/{replay}") data-testid="replay-link">{t!(i18n, guidance.open_replay)}</a></p> }.into_any()
            } else {
                view! { <p class="muted">{t!(i18n, guidance.replay_after_review)}</p> }.into_any()
            })}
            {me.map(|_| view! {
                <p data-testid="voice-status" data-state=move || format!("{:?}", ui.voice.get()).to_lowercase()>{save_state}</p>
                <Show when=move || ui.voice.get() == VoiceSave::Failed>
                    <button type="button" class="btn" on:click=move |_| { if let Some(k) = key.get_value() { voice::save(k); } }>
                        {t!(i18n, guidance.voice_retry)}
                    </button>
                </Show>
            })}
            <Transition>
                {move || view.get().and_then(Result::ok).map(|v| {
                    let n = v.voices.len();
                    let names = v.voices.iter().map(|p| side_name(i18n, *p)).collect::<Vec<_>>().join("、");
                    view! {
                        <p data-testid="replay-voices" data-count=n>
                            {move || t_string!(i18n, guidance.voices_in_replay, n = n).to_string()}
                            {(!names.is_empty()).then(|| format!(" ({names})"))}
                        </p>
                    }
                })}
            </Transition>
        </section>
    }
}

/// The live session: runs only in the browser (its connection starts in an effect).
#[component]
fn LiveSession(view: SessionView) -> impl IntoView {
    let i18n = use_i18n();
    let me = view.me;
    let control = RwSignal::new(view.guided_may_control);
    let locked =
        Signal::derive(move || me != Some(GUIDE) && !(me == Some(GUIDED) && control.get()));
    let ui = LiveUi {
        me: Some(me),
        link: ViewerLink::new(locked),
        mine: RwSignal::new(Vec::new()),
        state: RwSignal::new(ReplayState::default()),
        socket: RwSignal::new(Socket::Connecting),
        peer_online: RwSignal::new(false),
        control,
        mic: RwSignal::new(Mic::Asking),
        muted: RwSignal::new(false),
        call: RwSignal::new(Call::Waiting),
        audio_blocked: RwSignal::new(false),
        ended: RwSignal::new(None),
        voice: RwSignal::new(VoiceSave::Idle),
        notice: RwSignal::new(None),
    };
    let key = StoredValue::new(None::<u64>);
    let session = view.id.clone();
    let controls_session = view.id.clone();
    {
        let session = session.clone();
        Effect::new(move |_| {
            if key.get_value().is_none() {
                key.set_value(Some(wire::open(ui, session.clone())));
            }
        });
    }
    on_cleanup(move || {
        if let Some(k) = key.try_get_value().flatten() {
            wire::close(k);
        }
    });
    // What this side does goes out: the view (when it may steer), the pointer, drawings.
    Effect::new(move |first: Option<()>| {
        let shown = ui.link.shown.get();
        if first.is_some()
            && let Some(k) = key.get_value()
        {
            let may_steer = me == Some(GUIDE) || (me == Some(GUIDED) && control.get_untracked());
            wire::view(k, shown, may_steer);
        }
    });
    Effect::new(move |first: Option<()>| {
        let at = ui.link.pointer.get();
        if first.is_some()
            && me.is_some()
            && let Some(k) = key.get_value()
        {
            wire::pointer(k, at);
        }
    });
    Effect::new(move |_| {
        let now = ui.mine.get();
        if me.is_some()
            && let Some(k) = key.get_value()
        {
            wire::drawings(k, &now);
        }
    });
    // A refusal shows for a few seconds.
    Effect::new(move |_| {
        if ui.notice.get().is_some() {
            set_timeout(
                move || {
                    ui.notice.try_set(None);
                },
                std::time::Duration::from_secs(4),
            );
        }
    });

    let others = Signal::derive(move || {
        ui.state
            .with(|s| sync::others_drawings(s, me, OTHER_COLOUR))
    });
    let overlay = ViewFn::from(move || {
        view! {
            <g class="peer-pointers">
                {move || {
                    let pointers = ui.state.with(|s| s.pointers);
                    (0..2u8)
                        .filter(|side| Some(*side) != me)
                        .filter_map(|side| pointers[side as usize].map(|p| (side, p)))
                        .map(|(side, p)| view! {
                            <g class="peer-pointer" data-testid="peer-pointer" data-side=side>
                                <circle class="peer-pointer-ring" cx=p.x cy=p.y r="9" />
                                <circle class="peer-pointer-dot" cx=p.x cy=p.y r="2.5" />
                            </g>
                        })
                        .collect_view()
                }}
            </g>
        }
    });
    let source = {
        let url = view.clip_url.clone();
        Signal::derive(move || Some(ClipSource::Url(url.clone())))
    };
    let notice = move || {
        ui.notice.get().map(|reason| {
            let text = if reason == "no_control" {
                t_string!(i18n, guidance.refused_control)
            } else {
                t_string!(i18n, guidance.refused_other)
            };
            view! { <p class="live-notice" role="alert">{text}</p> }
        })
    };
    let steering = move || {
        if ui.ended.get().is_some() {
            return None;
        }
        Some(match me {
            Some(GUIDE) if control.get() => t_string!(i18n, guidance.doctor_steers),
            Some(GUIDE) => t_string!(i18n, guidance.you_steer),
            Some(_) if control.get() => t_string!(i18n, guidance.you_may_steer),
            Some(_) => t_string!(i18n, guidance.expert_steers),
            None => t_string!(i18n, guidance.watching),
        })
    };
    view! {
        <div class="live" data-testid="guidance-live" data-me=me.map_or("watch".to_string(), |m| m.to_string())>
            <StateBar ui />
            <Show when=move || ui.mic.get() == Mic::Refused || ui.mic.get() == Mic::Absent || ui.mic.get() == Mic::Unavailable || ui.mic.get() == Mic::Failed>
                <p class="live-notice" data-testid="mic-advice">{t!(i18n, guidance.no_voice_advice)}</p>
            </Show>
            <Show when=move || ui.socket.get() == Socket::Replaced>
                <p class="live-notice" role="alert">{t!(i18n, guidance.replaced_advice)}</p>
            </Show>
            {move || ui.ended.get().is_some().then(|| view! { <Ended ui key session=session.clone() /> })}
            <Show when=move || ui.ended.get().is_none()>
                <Controls ui key session=controls_session.clone() />
            </Show>
            <p class="live-steering muted">{steering}</p>
            {notice}
            <div class="live-viewer">
                {if me.is_some() {
                    view! { <CineViewer source link=ui.link editable=ui.mine annotations=others overlay=overlay.clone() /> }.into_any()
                } else {
                    view! { <CineViewer source link=ui.link annotations=others overlay=overlay.clone() /> }.into_any()
                }}
            </div>
            <audio id="guidance-remote-audio" autoplay aria-label=move || t_string!(i18n, guidance.remote_audio)></audio>
        </div>
    }
}

/// The page for a loaded session.
#[component]
fn Session(view: SessionView, tick: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let answer = ServerAction::<AnswerGuidance>::new();
    let refetch = move || {
        tick.try_update(|n| *n += 1);
    };
    Effect::new(move |_| {
        if matches!(answer.value().get(), Some(Ok(()))) {
            refetch();
        }
    });
    let status = view.status;
    let me = view.me;
    // Waiting for the other side to answer: look again now and then.
    if matches!(status, SessionStatus::Requested | SessionStatus::Invited) {
        Effect::new(move |_| {
            set_timeout(refetch, std::time::Duration::from_secs(5));
        });
    }
    let guide = view.guide.clone().unwrap_or_default();
    let id = view.id.0.clone();
    let people = format!(
        "{} → {}",
        view.guide.clone().unwrap_or_else(|| "—".into()),
        view.guided
    );
    let body = match status {
        SessionStatus::Live => view! { <LiveSession view=view.clone() /> }.into_any(),
        SessionStatus::Invited if me == Some(GUIDED) => {
            let (accept_id, decline_id) = (id.clone(), id.clone());
            view! {
                <section class="panel" data-testid="invitation">
                    <p>{move || t_string!(i18n, guidance.invited_you, expert = guide.clone()).to_string()}</p>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" data-testid="accept" disabled=move || answer.pending().get()
                            on:click=move |_| { answer.dispatch(AnswerGuidance { id: accept_id.clone(), accept: true }); }>
                            {t!(i18n, guidance.accept)}
                        </button>
                        <button type="button" class="btn" disabled=move || answer.pending().get()
                            on:click=move |_| { answer.dispatch(AnswerGuidance { id: decline_id.clone(), accept: false }); }>
                            {t!(i18n, guidance.decline)}
                        </button>
                    </div>
                    {move || match answer.value().get() {
                        Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{error_message(i18n, &e)}</p> }),
                        _ => None,
                    }}
                </section>
            }
            .into_any()
        }
        SessionStatus::Invited => {
            view! { <p class="panel" data-testid="waiting">{t!(i18n, guidance.waiting_accept)}</p> }
                .into_any()
        }
        SessionStatus::Requested => {
            view! { <p class="panel" data-testid="waiting">{t!(i18n, guidance.waiting_expert)}</p> }
                .into_any()
        }
        SessionStatus::Declined => {
            view! { <p class="panel">{t!(i18n, guidance.declined_text)}</p> }.into_any()
        }
        SessionStatus::Ended => {
            let replay = view.replay_id.clone();
            let n = view.voices.len();
            view! {
                <section class="panel live-ended" data-testid="session-ended">
                    <h2>{t!(i18n, guidance.ended_title)}</h2>
                    {replay.filter(|_| me == Some(GUIDE)).map(|r| view! { <p><a href=format!("/replays/{r}") data-testid="replay-link">{t!(i18n, guidance.open_replay)}</a></p> })}
                    <p data-testid="replay-voices" data-count=n>{move || t_string!(i18n, guidance.voices_in_replay, n = n).to_string()}</p>
                </section>
            }
            .into_any()
        }
    };
    view! {
        <header class="page-head">
            <p class="breadcrumb"><a href="/guidance">{t!(i18n, guidance.title)}</a></p>
            <h1 lang=text_lang(&view.case_title)>{view.case_title.clone()}</h1>
            <p class="muted">
                <span class="badge" data-testid="session-status">{move || status_label(i18n, status)}</span>
                " " {people}
            </p>
            {(!view.note.is_empty()).then(|| view! { <p class="live-note" lang=text_lang(&view.note)>{view.note.clone()}</p> })}
        </header>
        {body}
    }
}

#[component]
fn SessionPage_() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let tick = RwSignal::new(0u32);
    let session = resource::blocking(
        move || (tick.get(), params.with(|p| p.get("id").unwrap_or_default())),
        |(_, id)| guidance_session(id),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || session.get().map(|res| match res {
                Ok(view) => view! { <Session view tick /> }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </Transition>
    }
}

/// `/guidance/{id}`: the two participants, and admins who watch.
#[component]
pub fn SessionPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.guidance_session).to_string() />
        <section class="page guidance-page">
            <Guarded roles=&[Role::Learner, Role::Expert, Role::Admin] children=|_| view! { <SessionPage_ /> }.into_any() />
        </section>
    }
}
