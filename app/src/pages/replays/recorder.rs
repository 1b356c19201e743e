//! `/replays/new`: recording a replay. The expert picks a teaching clip, then records the
//! microphone (MediaRecorder, Opus) and everything done on the viewer (play, pause, seek,
//! speed, loop, zoom, pan, the pointer, drawings) as timeline events in recording time, with
//! chapters and remarks added on the way. Without a microphone it records the timeline alone.
//! Stop hands the recording to the editor in the same page; nothing is stored before Save.
use super::capture::Capture;
use super::editor::{Editor, VoiceEdit, Work};
use super::held::Held;
use super::media::{MicProblem, VoiceRecorder, object_url, wall_ms};
use super::time_label;
use crate::api::cases::applications;
use crate::api::courses::teaching_clips;
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::{PageTitle, lang_code};
use crate::components::viewer::{CineViewer, ClipSource, ViewerLink};
use crate::i18n::*;
use crate::model::quiz::TeachingClip;
use crate::model::replay::{Chapter, ReplayClip, View};
use crate::model::{AppError, Application, CaseId, CurrentUser, Role, text_lang};
use crate::pages::cases::app_name;
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use std::time::Duration;

/// Where the recorder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Ready,
    /// Asking for the microphone.
    Starting,
    Recording,
    Paused,
    Stopping,
}

/// Clips listed at once in the picker (the search narrows them).
const LISTED: usize = 60;

/// The library cases the clips come from, once each.
fn cases_of(clips: &[TeachingClip]) -> Vec<(CaseId, String)> {
    let mut cases = Vec::<(CaseId, String)>::new();
    for c in clips {
        if !cases.iter().any(|(id, _)| *id == c.case_id) {
            cases.push((c.case_id.clone(), c.case_title.clone()));
        }
    }
    cases
}

/// Whether `clip` answers the search `query` (its case's title or its application's code or
/// name, any case).
fn matches(clip: &TeachingClip, app: &str, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    query.is_empty()
        || clip.case_title.to_lowercase().contains(&query)
        || clip
            .application
            .as_deref()
            .is_some_and(|a| a.to_lowercase().contains(&query))
        || app.to_lowercase().contains(&query)
}

#[component]
fn ClipPicker(
    clips: Vec<TeachingClip>,
    apps: Vec<Application>,
    chosen: RwSignal<Option<TeachingClip>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let clips = StoredValue::new(clips);
    let apps = StoredValue::new(apps);
    let app_of = move |clip: &TeachingClip| {
        clip.application
            .as_deref()
            .map(|code| apps.with_value(|a| app_name(a, code, lang_code(i18n))))
            .unwrap_or_default()
    };
    let found = move || {
        let q = query.get();
        clips.with_value(|c| {
            c.iter()
                .filter(|clip| matches(clip, &app_of(clip), &q))
                .take(LISTED)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="panel clip-picker" aria-labelledby="clip-picker-title">
            <h2 id="clip-picker-title">{t!(i18n, replays.pick_clip)}</h2>
            <p class="muted">{t!(i18n, replays.pick_clip_hint)}</p>
            <label class="field clip-search">{t!(i18n, replays.clip_search)}
                <input type="search" bind:value=query data-testid="clip-search" />
            </label>
            {move || {
                let list = found();
                if list.is_empty() {
                    return view! { <p class="empty-state" data-testid="no-clips">{t!(i18n, replays.no_clips)}</p> }.into_any();
                }
                view! {
                    <ul class="clip-choices" data-testid="clip-choices">
                        {list.into_iter().map(|clip| {
                            let app = app_of(&clip);
                            let pick = clip.clone();
                            view! {
                                <li>
                                    <button type="button" class="btn clip-choice" data-sop=clip.sop_uid.clone()
                                        on:click=move |_| chosen.set(Some(pick.clone()))>
                                        <span class="clip-choice-title" lang=text_lang(&clip.case_title)>{clip.case_title.clone()}</span>
                                        <small class="muted">
                                            {app}" · "{move || t_string!(i18n, replays.frames_n, n = clip.frames)}
                                        </small>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// Why there is no microphone, and what to do.
fn mic_problem_text(i18n: leptos_i18n::I18nContext<Locale>, p: MicProblem) -> &'static str {
    match p {
        MicProblem::Refused => t_string!(i18n, replays.mic_refused),
        MicProblem::Absent => t_string!(i18n, replays.mic_absent),
        MicProblem::Unavailable => t_string!(i18n, replays.mic_unavailable),
        MicProblem::Failed => t_string!(i18n, replays.mic_failed),
    }
}

/// The viewer with the recording controls, over one clip.
#[component]
fn Recording(
    clip: TeachingClip,
    user: CurrentUser,
    chosen: RwSignal<Option<TeachingClip>>,
    recording: Held<web_sys::Blob>,
    on_done: Callback<Work>,
) -> impl IntoView {
    let i18n = use_i18n();
    let source = Signal::derive({
        let url = clip.url.clone();
        move || Some(ClipSource::Url(url.clone()))
    });
    let editable = RwSignal::new(Vec::new());
    let link = ViewerLink::new(Signal::stored(false));
    let frame = RwSignal::new(0u32);
    let phase = RwSignal::new(Phase::Ready);
    let capture = StoredValue::new(None::<Capture>);
    let voice = Held::<VoiceRecorder>::new();
    let with_voice = RwSignal::new(false);
    let elapsed = RwSignal::new(0u64);
    let level = RwSignal::new(0.0f64);
    let problem = RwSignal::new(None::<MicProblem>);
    let chapters = RwSignal::new(Vec::<Chapter>::new());
    let remark = RwSignal::new(String::new());
    let remarks = RwSignal::new(0u32);
    let ticker = StoredValue::new(None::<IntervalHandle>);
    let active = move || matches!(phase.get_untracked(), Phase::Recording | Phase::Paused);
    // What the viewer shows now: its last reported view at the frame on screen (a playing
    // clip has moved on from the frame of the last change).
    let view_now = move || View {
        frame: frame.get_untracked(),
        played_ms: 0,
        ..link.shown.get_untracked()
    };
    let record = move |f: &mut dyn FnMut(&mut Capture, f64)| {
        capture.update_value(|c| {
            if let Some(c) = c {
                f(c, wall_ms());
            }
        });
    };

    // Every change a person makes on the viewer, while recording.
    Effect::new(move |_| {
        let view = link.shown.get();
        if active() {
            record(&mut |c, wall| c.view(wall, view));
        }
    });
    Effect::new(move |_| {
        editable.track();
        if active() {
            editable.with_untracked(|list| record(&mut |c, wall| c.drawings(wall, list)));
        }
    });
    fn flush_later(capture: StoredValue<Option<Capture>>, wait: u64) {
        set_timeout(
            move || {
                let again = capture
                    .try_update_value(|c| c.as_mut().and_then(|c| c.flush_pointer(wall_ms())))
                    .flatten();
                if let Some(wait) = again {
                    flush_later(capture, wait);
                }
            },
            Duration::from_millis(wait),
        );
    }
    Effect::new(move |_| {
        let at = link.pointer.get();
        if active() {
            let wait = capture
                .try_update_value(|c| c.as_mut().and_then(|c| c.pointer(wall_ms(), at)))
                .flatten();
            if let Some(wait) = wait {
                flush_later(capture, wait);
            }
        }
    });

    let tick = move || {
        if let Some(n) = capture.with_value(|c| c.as_ref().map(|c| c.now(wall_ms()))) {
            elapsed.set(n);
        }
        let lvl = voice.with(|v| v.map_or(0.0, VoiceRecorder::level));
        level.set(if phase.get_untracked() == Phase::Recording {
            lvl
        } else {
            0.0
        });
    };
    let stop_ticker = move || {
        if let Some(handle) = ticker.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    on_cleanup(move || {
        stop_ticker();
        if let Some(v) = voice.take() {
            v.release();
        }
    });

    let begin = move |wanted: bool| {
        phase.set(Phase::Starting);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let mut recorder = None;
            if wanted {
                let started = match super::media::microphone().await {
                    Ok(stream) => VoiceRecorder::start(stream).map_err(|_| MicProblem::Failed),
                    Err(p) => Err(p),
                };
                match started {
                    Ok(r) => recorder = Some(r),
                    Err(p) => {
                        problem.set(Some(p));
                        phase.set(Phase::Ready);
                        return;
                    }
                }
            }
            // Time 0 is when the voice starts: what is on screen then is the opening state.
            let started = Capture::start(wall_ms(), view_now(), &editable.get_untracked());
            capture.set_value(Some(started));
            with_voice.set(recorder.is_some());
            voice.set(recorder);
            elapsed.set(0);
            phase.set(Phase::Recording);
            if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(100)) {
                ticker.set_value(Some(handle));
            }
        });
    };
    let pause = move |_| {
        voice.with(|v| {
            if let Some(v) = v {
                v.pause()
            }
        });
        record(&mut |c, wall| c.pause(wall));
        phase.set(Phase::Paused);
        tick();
    };
    let resume = move |_| {
        voice.with(|v| {
            if let Some(v) = v {
                v.resume()
            }
        });
        let view = view_now();
        record(&mut |c, wall| c.resume(wall, view));
        phase.set(Phase::Recording);
    };
    let add_chapter = move |_| {
        let n = chapters.with_untracked(Vec::len) + 1;
        let title = t_string!(i18n, replays.chapter_n, n = n).to_string();
        let mut t = 0;
        record(&mut |c, wall| {
            c.chapter(wall, title.clone());
            t = c.now(wall);
        });
        chapters.update(|list| list.push(Chapter { t, title }));
    };
    let add_remark = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = remark.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        record(&mut |c, wall| c.remark(wall, &text));
        remarks.update(|n| *n += 1);
        remark.set(String::new());
    };
    let clip_for_work = StoredValue::new(clip.clone());
    let speaker = StoredValue::new(user.display_name.clone());
    let stop = move |_| {
        let Some(finished) = capture.try_update_value(Option::take).flatten() else {
            return;
        };
        phase.set(Phase::Stopping);
        stop_ticker();
        let wall = wall_ms();
        let timeline = finished.finish(wall, |n| {
            t_string!(i18n, replays.chapter_n, n = n).to_string()
        });
        let speaker = speaker.get_value();
        let recorder = voice.take();
        leptos::task::spawn_local(async move {
            let recorded = match recorder {
                Some(r) => r.stop().await,
                None => None,
            };
            let voices = recorded
                .and_then(|r| {
                    let url = object_url(&r.blob)?;
                    recording.set(Some(r.blob));
                    Some(vec![VoiceEdit {
                        media: None,
                        url,
                        mime: r.mime,
                        speaker: speaker.clone(),
                        by: crate::model::replay::GUIDE,
                        offset_ms: 0,
                    }])
                })
                .unwrap_or_default();
            let clip = clip_for_work.get_value();
            on_done.run(Work {
                id: None,
                title: String::new(),
                summary: String::new(),
                language: if lang_code(i18n) == "en" { "en" } else { "zh" }.to_string(),
                sop_uid: clip.sop_uid.clone(),
                clip: ReplayClip::Dicom {
                    sop_uid: clip.sop_uid.clone(),
                    url: clip.url.clone(),
                },
                case_id: Some(clip.case_id.clone()),
                author: speaker,
                voices,
                timeline,
            });
        });
    };

    let status = move || match phase.get() {
        Phase::Ready => t_string!(i18n, replays.status_ready),
        Phase::Starting => t_string!(i18n, replays.status_starting),
        Phase::Recording if with_voice.get() => t_string!(i18n, replays.status_recording),
        Phase::Recording => t_string!(i18n, replays.status_recording_silent),
        Phase::Paused => t_string!(i18n, replays.status_paused),
        Phase::Stopping => t_string!(i18n, replays.status_stopping),
    };
    let phase_name = move || format!("{:?}", phase.get()).to_lowercase();
    view! {
        <div class="recorder-head">
            <p class="recorder-clip">
                {t!(i18n, replays.recording_over)}" "
                <strong lang=text_lang(&clip.case_title)>{clip.case_title.clone()}</strong>
            </p>
            <button type="button" class="btn btn-small" data-testid="change-clip"
                disabled=move || phase.get() != Phase::Ready
                on:click=move |_| chosen.set(None)>
                {t!(i18n, replays.change_clip)}
            </button>
        </div>
        <div class="recorder-layout" data-phase=phase_name>
            <div class="recorder-stage">
                <CineViewer source editable link current_frame=frame />
            </div>
            <aside class="panel recorder-controls" aria-labelledby="recorder-controls-title" data-testid="recorder">
                <h2 id="recorder-controls-title">{t!(i18n, replays.recorder)}</h2>
                <p class="recorder-status" role="status" data-testid="recorder-status">
                    <span class="rec-dot" class:on=move || phase.get() == Phase::Recording aria-hidden="true"></span>
                    {status}
                </p>
                <p class="recorder-timer">
                    <span class="sr-only">{t!(i18n, replays.elapsed)}" "</span>
                    <output data-testid="recording-timer" data-ms=move || elapsed.get()>{move || time_label(elapsed.get())}</output>
                </p>
                <Show when=move || with_voice.get() && matches!(phase.get(), Phase::Recording | Phase::Paused)>
                    <label class="level-meter">{t!(i18n, replays.mic_level)}
                        <meter min="0" max="1" low="0.05" high="0.85" optimum="0.4" value=move || level.get()></meter>
                    </label>
                </Show>
                <div class="recorder-buttons">
                    <Show when=move || matches!(phase.get(), Phase::Ready | Phase::Starting)>
                        <button type="button" class="btn btn-primary btn-record" data-testid="record-start"
                            disabled=move || phase.get() == Phase::Starting
                            on:click=move |_| begin(true)>
                            {t!(i18n, replays.record)}
                        </button>
                    </Show>
                    <Show when=move || phase.get() == Phase::Recording>
                        <button type="button" class="btn" data-testid="record-pause" on:click=pause>{t!(i18n, replays.pause)}</button>
                    </Show>
                    <Show when=move || phase.get() == Phase::Paused>
                        <button type="button" class="btn" data-testid="record-resume" on:click=resume>{t!(i18n, replays.resume)}</button>
                    </Show>
                    <Show when=move || matches!(phase.get(), Phase::Recording | Phase::Paused)>
                        <button type="button" class="btn btn-danger" data-testid="record-stop" on:click=stop>{t!(i18n, replays.stop)}</button>
                    </Show>
                </div>
                {move || problem.get().map(|p| view! {
                    <div class="notice notice-error mic-problem" role="alert" data-testid="mic-problem">
                        <p>{move || mic_problem_text(i18n, p)}</p>
                        <div class="form-actions">
                            <button type="button" class="btn" on:click=move |_| begin(true)>{t!(i18n, replays.mic_retry)}</button>
                            <button type="button" class="btn btn-primary" data-testid="record-silent" on:click=move |_| begin(false)>
                                {t!(i18n, replays.record_silent)}
                            </button>
                        </div>
                    </div>
                })}
                <p class="hint">{t!(i18n, replays.recorder_hint)}</p>

                <div class="recorder-marks" hidden=move || !matches!(phase.get(), Phase::Recording | Phase::Paused)>
                    <button type="button" class="btn" data-testid="add-chapter" on:click=add_chapter>
                        {t!(i18n, replays.chapter_here)}
                    </button>
                    <ol class="recorder-chapters" data-testid="recorder-chapters">
                        {move || chapters.get().into_iter().enumerate().map(|(i, c)| {
                            let n = i + 1;
                            view! {
                                <li>
                                    <span class="mark-time">{time_label(c.t)}</span>
                                    <input type="text" maxlength="200" prop:value=c.title.clone()
                                        aria-label=move || t_string!(i18n, replays.chapter_title, n = n)
                                        on:change=move |ev| {
                                            let title = event_target_value(&ev);
                                            record(&mut |cap, _| cap.rename_chapter(i, title.clone()));
                                            chapters.update(|list| if let Some(c) = list.get_mut(i) { c.title = title.clone(); });
                                        } />
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    <form class="remark-form" on:submit=add_remark>
                        <label class="field">{t!(i18n, replays.remark_field)}
                            <input type="text" maxlength="2000" bind:value=remark data-testid="remark-text" />
                        </label>
                        <button type="submit" class="btn btn-small">{t!(i18n, replays.remark_add)}</button>
                    </form>
                    <p class="muted small">{move || t_string!(i18n, replays.remarks_n, n = remarks.get())}</p>
                </div>
            </aside>
        </div>
    }
}

#[component]
fn Recorder_(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let data = resource::new(
        || (),
        |_| async move { Ok::<_, AppError>((teaching_clips().await?, applications().await?)) },
    );
    let chosen = RwSignal::new(None::<TeachingClip>);
    let finished = RwSignal::new(None::<Work>);
    let recording = Held::<web_sys::Blob>::new();
    let on_done = Callback::new(move |work: Work| finished.set(Some(work)));
    // Leaving the page lets go of the recording (only a browser ever has one).
    on_cleanup(move || {
        recording.set(None);
        if let Some(work) = finished.try_get_untracked().flatten() {
            for voice in work.voices.iter().filter(|v| v.media.is_none()) {
                crate::components::replay::revoke(&voice.url);
            }
        }
    });
    let user = StoredValue::new(user);
    view! {
        <header class="page-head">
            <p><a href="/replays">{t!(i18n, replays.back)}</a></p>
            <h1>{move || if finished.with(Option::is_some) { t_string!(i18n, replays.editor_new_title) } else { t_string!(i18n, replays.recorder_title) }}</h1>
        </header>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || data.get().map(|res| match res {
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
                Ok((clips, apps)) => {
                    let cases = cases_of(&clips);
                    let clips = StoredValue::new(clips);
                    let apps = StoredValue::new(apps);
                    view! {
                        {move || match (finished.get(), chosen.get()) {
                            (Some(work), _) => view! { <Editor work cases=cases.clone() recording /> }.into_any(),
                            (None, Some(clip)) => view! {
                                <Recording clip user=user.get_value() chosen recording on_done />
                            }.into_any(),
                            (None, None) => view! {
                                <ClipPicker clips=clips.get_value() apps=apps.get_value() chosen />
                            }.into_any(),
                        }}
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// `/replays/new` for experts.
#[component]
pub fn RecorderPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.replay_new).to_string() />
        <section class="page recorder-page">
            <Guarded roles=&[Role::Expert] children=|user| view! { <Recorder_ user /> }.into_any() />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(case: &str, title: &str, app: Option<&str>) -> TeachingClip {
        TeachingClip {
            case_id: CaseId(case.into()),
            case_title: title.into(),
            application: app.map(str::to_string),
            sop_uid: format!("1.2.{case}"),
            url: String::new(),
            frames: 10,
            width: 640,
            height: 480,
        }
    }

    #[test]
    fn clips_are_found_by_case_title_or_application() {
        let c = clip("a", "右上腹 Morison 积液", Some("efast"));
        assert!(matches(&c, "eFAST 创伤超声", ""));
        assert!(matches(&c, "eFAST 创伤超声", "morison"));
        assert!(matches(&c, "eFAST 创伤超声", "创伤"));
        assert!(matches(&c, "", "EFAST"));
        assert!(!matches(&c, "eFAST", "颈动脉"));
    }

    #[test]
    fn each_case_is_offered_once() {
        let clips = [
            clip("a", "A", None),
            clip("b", "B", None),
            clip("a", "A", None),
        ];
        let cases = cases_of(&clips);
        assert_eq!(
            cases.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            ["A", "B"]
        );
    }
}
