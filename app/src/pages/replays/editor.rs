//! The replay editor: what the recorder hands over after Stop, or a saved draft
//! (`/replays/{id}/edit`). Title, summary, language and library case; trimming to a stretch
//! (the voices shift with it, and a trim can be undone until the page is left); chapters
//! renamed, moved, added at the preview's time and removed; the preview in the replay player.
//! Saving uploads a voice not yet on the server first, then saves the draft; a refusal is
//! shown beside everything as it was, so nothing is lost.
use super::held::Held;
use super::import::refusal_of;
use super::media::post_body;
use super::{replay_error, time_label};
use crate::api::replays::save_replay;
use crate::i18n::*;
use crate::model::replay::{
    Chapter, MediaUpload, ReplayClip, ReplayDraft, ReplayView, Timeline, VoiceDraft, VoiceTrack,
    trim,
};
use crate::model::{AppError, CaseId, CaseStatus, ReplayId, text_lang};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// A voice in the editor: on the server already (`media` known) or just recorded (its
/// recording waits in the page until it is saved).
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceEdit {
    pub media: Option<String>,
    /// Where the preview plays it from (the server, or an object URL of the recording).
    pub url: String,
    pub mime: String,
    pub speaker: String,
    pub by: u8,
    pub offset_ms: i64,
}

/// What the editor opens with.
#[derive(Debug, Clone, PartialEq)]
pub struct Work {
    pub id: Option<ReplayId>,
    pub title: String,
    pub summary: String,
    pub language: String,
    pub sop_uid: String,
    pub clip: ReplayClip,
    pub case_id: Option<CaseId>,
    pub author: String,
    pub voices: Vec<VoiceEdit>,
    pub timeline: Timeline,
}

impl Work {
    /// A saved draft as the editor takes it (a voice's media is the last part of its address).
    pub fn from_view(v: &ReplayView) -> Work {
        let sop_uid = match &v.clip {
            ReplayClip::Dicom { sop_uid, .. } => sop_uid.clone(),
            ReplayClip::Video { .. } => String::new(),
        };
        Work {
            id: Some(v.id.clone()),
            title: v.title.clone(),
            summary: v.summary.clone(),
            language: v.language.clone(),
            sop_uid,
            clip: v.clip.clone(),
            case_id: v.case_id.clone(),
            author: v.author.clone(),
            voices: v
                .voices
                .iter()
                .map(|t| VoiceEdit {
                    media: media_of(&t.url),
                    url: t.url.clone(),
                    mime: t.mime.clone(),
                    speaker: t.speaker.clone(),
                    by: t.by,
                    offset_ms: t.offset_ms,
                })
                .collect(),
            timeline: v.timeline.clone(),
        }
    }
}

/// The media id in a voice's address (`/replays/{id}/media/{sha}`).
fn media_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The id an unsaved recording's preview carries (the player needs one; nothing is fetched
/// by it).
const UNSAVED: &str = "00000000-0000-0000-0000-000000000000";

/// The player's view of the work as it stands.
fn preview_of(work: &Work, title: String, timeline: Timeline, voices: &[VoiceEdit]) -> ReplayView {
    ReplayView {
        id: work
            .id
            .clone()
            .unwrap_or_else(|| ReplayId(UNSAVED.to_string())),
        title,
        summary: String::new(),
        summary_html: String::new(),
        language: work.language.clone(),
        status: CaseStatus::Draft,
        author: work.author.clone(),
        clip: work.clip.clone(),
        voices: voices
            .iter()
            .map(|v| VoiceTrack {
                url: v.url.clone(),
                mime: v.mime.clone(),
                speaker: v.speaker.clone(),
                by: v.by,
                offset_ms: v.offset_ms,
            })
            .collect(),
        timeline,
        case_id: work.case_id.clone(),
        case_title: None,
        can_edit: false,
        can_publish: false,
        updated_at: String::new(),
    }
}

/// The chapters in time order, each inside the replay.
fn tidy(mut chapters: Vec<Chapter>, duration_ms: u64) -> Vec<Chapter> {
    for c in &mut chapters {
        c.t = c.t.min(duration_ms);
    }
    chapters.sort_by_key(|c| c.t);
    chapters
}

/// Seconds typed in a field as milliseconds within `0..=max`.
fn ms_from_seconds(text: &str, max: u64) -> Option<u64> {
    let s: f64 = text.trim().replace(',', ".").parse().ok()?;
    s.is_finite()
        .then(|| ((s.max(0.0) * 1000.0).round() as u64).min(max))
}

fn seconds(ms: u64) -> String {
    format!("{:.1}", ms as f64 / 1000.0)
}

/// Where saving stands.
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Idle,
    Uploading(f64),
    Saving,
    Failed(AppError),
}

/// What is kept to undo a trim.
type Before = (Timeline, Vec<Chapter>, Vec<VoiceEdit>);

/// The editor. `cases` are the library cases a replay may be attached to; `recording` holds
/// a voice recorded in this page and not yet uploaded.
#[component]
pub fn Editor(
    work: Work,
    cases: Vec<(CaseId, String)>,
    recording: Held<web_sys::Blob>,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let new = work.id.is_none();
    let title = RwSignal::new(work.title.clone());
    let summary = RwSignal::new(work.summary.clone());
    let language = RwSignal::new(work.language.clone());
    let case = RwSignal::new(
        work.case_id
            .as_ref()
            .map(|c| c.0.clone())
            .unwrap_or_default(),
    );
    // The events without chapters, and the chapters beside them: the list edits those.
    let chapters = RwSignal::new(work.timeline.chapters());
    let base = RwSignal::new({
        let mut t = work.timeline.clone();
        t.set_chapters(&[]);
        t
    });
    let voices = RwSignal::new(work.voices.clone());
    let work = StoredValue::new(work);
    let undo = StoredValue::new(Vec::<Before>::new());
    let can_undo = RwSignal::new(false);
    let duration = Memo::new(move |_| base.with(|t| t.duration_ms));
    let trim_from = RwSignal::new(0u64);
    let trim_to = RwSignal::new(duration.get_untracked());
    // Where the preview stands, as the player reports it.
    let at = RwSignal::new(0u64);
    let whole = move || {
        let mut t = base.get_untracked();
        t.set_chapters(&chapters.get_untracked());
        t
    };
    let build = move || {
        work.with_value(|w| preview_of(w, title.get_untracked(), whole(), &voices.get_untracked()))
    };
    let preview = RwSignal::new(build());
    let preview_from = RwSignal::new(None::<u64>);
    // The player is built again when what it plays changes, at the time it had reached.
    let refresh = move || {
        preview_from.set(Some(at.get_untracked().min(duration.get_untracked())));
        preview.set(build());
    };

    let apply_trim = move |_| {
        let (from, to) = (trim_from.get_untracked(), trim_to.get_untracked());
        if from >= to {
            return;
        }
        undo.update_value(|u| {
            u.push((
                base.get_untracked(),
                chapters.get_untracked(),
                voices.get_untracked(),
            ))
        });
        can_undo.set(true);
        let mut cut = trim(&whole(), from, to);
        let kept = cut.chapters();
        cut.set_chapters(&[]);
        let length = cut.duration_ms;
        base.set(cut);
        chapters.set(kept);
        voices.update(|v| {
            for voice in v {
                voice.offset_ms -= from as i64;
            }
        });
        trim_from.set(0);
        trim_to.set(length);
        at.set(at.get_untracked().saturating_sub(from).min(length));
        refresh();
    };
    let undo_trim = move |_| {
        let Some((t, c, v)) = undo.try_update_value(|u| u.pop()).flatten() else {
            return;
        };
        can_undo.set(undo.with_value(|u| !u.is_empty()));
        let length = t.duration_ms;
        base.set(t);
        chapters.set(c);
        voices.set(v);
        trim_from.set(0);
        trim_to.set(length);
        refresh();
    };
    let trimmed_away = move || trim_from.get() > 0 || trim_to.get() < duration.get();

    let set_chapters = move |list: Vec<Chapter>| {
        chapters.set(tidy(list, duration.get_untracked()));
        refresh();
    };
    let add_chapter = move |_| {
        let mut list = chapters.get_untracked();
        let n = list.len() + 1;
        list.push(Chapter {
            t: at.get_untracked().min(duration.get_untracked()),
            title: t_string!(i18n, replays.chapter_n, n = n).to_string(),
        });
        set_chapters(list);
    };

    let saving = RwSignal::new(SaveState::Idle);
    let busy = move || matches!(saving.get(), SaveState::Uploading(_) | SaveState::Saving);
    let save = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            // A voice recorded here goes up first (once: a retry after a refused save keeps it).
            let waiting = voices.with_untracked(|v| v.iter().position(|v| v.media.is_none()));
            if let Some(i) = waiting {
                let Some(blob) = recording.get() else {
                    saving.set(SaveState::Failed(AppError::Invalid {
                        field: "media".into(),
                        reason: crate::model::InvalidReason::Required,
                    }));
                    return;
                };
                saving.set(SaveState::Uploading(0.0));
                let mime = voices.with_untracked(|v| v[i].mime.clone());
                let (status, body) = post_body("/replays/media", &blob, &mime, move |p| {
                    saving.set(SaveState::Uploading(p))
                })
                .await;
                let uploaded = (200..300)
                    .contains(&status)
                    .then(|| serde_json::from_str::<MediaUpload>(&body).ok())
                    .flatten();
                match uploaded {
                    Some(m) => voices.update(|v| {
                        v[i].media = Some(m.media);
                        v[i].mime = m.mime;
                    }),
                    None => {
                        saving.set(SaveState::Failed(refusal_of(status, &body, "media")));
                        return;
                    }
                }
            }
            saving.set(SaveState::Saving);
            let case_id = case.get_untracked();
            let draft = work.with_value(|w| ReplayDraft {
                id: w.id.clone(),
                title: title.get_untracked(),
                summary: summary.get_untracked(),
                language: language.get_untracked(),
                sop_uid: w.sop_uid.clone(),
                case_id: (!case_id.is_empty()).then_some(CaseId(case_id)),
                voices: voices.with_untracked(|v| {
                    v.iter()
                        .map(|v| VoiceDraft {
                            media: v.media.clone().unwrap_or_default(),
                            speaker: v.speaker.clone(),
                            by: v.by,
                            offset_ms: v.offset_ms,
                        })
                        .collect()
                }),
                timeline: whole(),
            });
            match save_replay(draft).await {
                Ok(id) => {
                    saving.set(SaveState::Idle);
                    navigate(&format!("/replays/{id}"), Default::default());
                }
                Err(e) => saving.set(SaveState::Failed(e)),
            }
        });
    };

    let cases = StoredValue::new(cases);
    let chapter_row = move |i: usize, c: Chapter| {
        let n = i + 1;
        view! {
            <li class="chapter-edit" data-chapter-t=c.t>
                <label class="field chapter-time">
                    {move || t_string!(i18n, replays.chapter_time, n = n)}
                    <input type="number" min="0" step="0.1" max=move || seconds(duration.get())
                        prop:value=seconds(c.t) data-testid=format!("chapter-time-{i}")
                        on:change=move |ev| {
                            if let Some(t) = ms_from_seconds(&event_target_value(&ev), duration.get_untracked()) {
                                let mut list = chapters.get_untracked();
                                if let Some(c) = list.get_mut(i) { c.t = t; }
                                set_chapters(list);
                            }
                        } />
                </label>
                <label class="field chapter-title">
                    {move || t_string!(i18n, replays.chapter_title, n = n)}
                    <input type="text" maxlength="200" required prop:value=c.title.clone()
                        lang=text_lang(&c.title) data-testid=format!("chapter-title-{i}")
                        on:change=move |ev| {
                            let mut list = chapters.get_untracked();
                            if let Some(c) = list.get_mut(i) { c.title = event_target_value(&ev); }
                            set_chapters(list);
                        } />
                </label>
                <button type="button" class="btn btn-small btn-danger-text"
                    aria-label=move || t_string!(i18n, replays.chapter_remove_n, n = n)
                    on:click=move |_| {
                        let mut list = chapters.get_untracked();
                        if i < list.len() { list.remove(i); }
                        set_chapters(list);
                    }>
                    {t!(i18n, replays.remove)}
                </button>
            </li>
        }
    };

    view! {
        <div class="replay-editor" data-testid="replay-editor">
            <div class="replay-editor-main">
                <section class="editor-preview" aria-labelledby="replay-preview-title">
                    <h2 id="replay-preview-title">{t!(i18n, replays.preview)}</h2>
                    {move || super::page::player(preview.get(), preview_from.get_untracked(), Some(at))}
                    <p class="muted small" data-testid="preview-time" data-t=move || at.get()>
                        {move || t_string!(i18n, replays.preview_at, t = time_label(at.get()), length = time_label(duration.get()))}
                    </p>
                </section>

                <section class="panel editor-trim" aria-labelledby="replay-trim-title">
                    <h2 id="replay-trim-title">{t!(i18n, replays.trim)}</h2>
                    <p class="muted">{t!(i18n, replays.trim_hint)}</p>
                    <div class="trim-row">
                        <label class="field">{t!(i18n, replays.trim_start)}
                            <input type="number" min="0" step="0.1" max=move || seconds(duration.get())
                                prop:value=move || seconds(trim_from.get()) data-testid="trim-start"
                                on:change=move |ev| { if let Some(t) = ms_from_seconds(&event_target_value(&ev), duration.get_untracked()) {
                                    trim_from.set(t.min(trim_to.get_untracked()));
                                } } />
                        </label>
                        <input type="range" class="trim-slider" min="0" step="100" max=move || duration.get()
                            prop:value=move || trim_from.get()
                            aria-label=move || t_string!(i18n, replays.trim_start_slider)
                            on:input=move |ev| { if let Ok(t) = event_target_value(&ev).parse::<u64>() {
                                trim_from.set(t.min(trim_to.get_untracked()));
                            } } />
                        <button type="button" class="btn btn-small" on:click=move |_| trim_from.set(at.get_untracked().min(trim_to.get_untracked()))>
                            {t!(i18n, replays.trim_start_here)}
                        </button>
                    </div>
                    <div class="trim-row">
                        <label class="field">{t!(i18n, replays.trim_end)}
                            <input type="number" min="0" step="0.1" max=move || seconds(duration.get())
                                prop:value=move || seconds(trim_to.get()) data-testid="trim-end"
                                on:change=move |ev| { if let Some(t) = ms_from_seconds(&event_target_value(&ev), duration.get_untracked()) {
                                    trim_to.set(t.max(trim_from.get_untracked()));
                                } } />
                        </label>
                        <input type="range" class="trim-slider" min="0" step="100" max=move || duration.get()
                            prop:value=move || trim_to.get()
                            aria-label=move || t_string!(i18n, replays.trim_end_slider)
                            on:input=move |ev| { if let Ok(t) = event_target_value(&ev).parse::<u64>() {
                                trim_to.set(t.max(trim_from.get_untracked()));
                            } } />
                        <button type="button" class="btn btn-small" on:click=move |_| trim_to.set(at.get_untracked().max(trim_from.get_untracked()))>
                            {t!(i18n, replays.trim_end_here)}
                        </button>
                    </div>
                    <p class="trim-summary" aria-live="polite">
                        {move || t_string!(i18n, replays.trim_keeps,
                            from = time_label(trim_from.get()),
                            to = time_label(trim_to.get()),
                            length = time_label(trim_to.get().saturating_sub(trim_from.get())))}
                    </p>
                    <div class="form-actions">
                        <button type="button" class="btn" data-testid="trim-apply"
                            disabled=move || { !trimmed_away() || trim_from.get() >= trim_to.get() }
                            on:click=apply_trim>
                            {t!(i18n, replays.trim_apply)}
                        </button>
                        <button type="button" class="btn btn-quiet" disabled=move || !can_undo.get() on:click=undo_trim>
                            {t!(i18n, replays.trim_undo)}
                        </button>
                    </div>
                </section>

                <section class="panel editor-chapters" aria-labelledby="replay-chapters-title">
                    <h2 id="replay-chapters-title">{t!(i18n, replays.chapters)}</h2>
                    {move || {
                        let list = chapters.get();
                        if list.is_empty() {
                            view! { <p class="muted">{t!(i18n, replays.no_chapters)}</p> }.into_any()
                        } else {
                            view! {
                                <ol class="chapter-edit-list" data-testid="chapter-list">
                                    {list.into_iter().enumerate().map(|(i, c)| chapter_row(i, c)).collect_view()}
                                </ol>
                            }.into_any()
                        }
                    }}
                    <button type="button" class="btn" data-testid="chapter-add" on:click=add_chapter>
                        {move || t_string!(i18n, replays.chapter_add_at, t = time_label(at.get()))}
                    </button>
                </section>

                <section class="panel editor-marks" aria-labelledby="replay-marks-title">
                    <h2 id="replay-marks-title">{t!(i18n, replays.marks)}</h2>
                    {move || {
                        let (drawings, remarks) = base.with(|t| (t.drawing_times(), t.remarks()));
                        if drawings.is_empty() && remarks.is_empty() {
                            return view! { <p class="muted">{t!(i18n, replays.no_marks)}</p> }.into_any();
                        }
                        view! {
                            <ul class="mark-list" data-testid="drawing-marks">
                                {drawings.into_iter().enumerate().map(|(n, (_, t))| view! {
                                    <li data-drawing-t=t>
                                        <span class="mark-time">{time_label(t)}</span>" "
                                        {move || t_string!(i18n, replays.drawing_n, n = n + 1)}
                                    </li>
                                }).collect_view()}
                                {remarks.into_iter().map(|(t, text)| view! {
                                    <li data-remark-t=t>
                                        <span class="mark-time">{time_label(t)}</span>" "
                                        {t!(i18n, replays.remark)}" · "<span lang=text_lang(&text)>{text.clone()}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            </div>

            <form class="panel editor-details" aria-labelledby="replay-details-title" data-testid="replay-details"
                on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                <h2 id="replay-details-title">{t!(i18n, replays.details)}</h2>
                <label class="field">{t!(i18n, replays.title_field)}
                    <input type="text" required maxlength="200" bind:value=title data-testid="replay-title" />
                </label>
                <label class="field">{t!(i18n, replays.summary_field)}
                    <textarea rows="6" maxlength="10000" bind:value=summary data-testid="replay-summary"></textarea>
                    <span class="hint">{t!(i18n, replays.summary_hint)}</span>
                </label>
                <label class="field">{t!(i18n, replays.language_field)}
                    <select bind:value=language data-testid="replay-language">
                        <option value="zh">{t!(i18n, lang_zh)}</option>
                        <option value="en">{t!(i18n, lang_en)}</option>
                    </select>
                </label>
                <label class="field">{t!(i18n, replays.case_field)}
                    <select bind:value=case data-testid="replay-case">
                        <option value="">{t!(i18n, replays.no_case)}</option>
                        {cases.with_value(|cases| cases.iter().map(|(id, name)| view! {
                            <option value=id.0.clone() lang=text_lang(name)>{name.clone()}</option>
                        }).collect_view())}
                    </select>
                </label>
                <p class="muted small">
                    {move || {
                        let n = voices.with(Vec::len);
                        if n == 0 { t_string!(i18n, replays.no_voice).to_string() } else { t_string!(i18n, replays.voices_n, n = n).to_string() }
                    }}
                </p>
                <div class="form-actions">
                    <button type="button" class="btn btn-primary" data-testid="save-replay" disabled=busy on:click=save>
                        {if new { t_string!(i18n, replays.save_new) } else { t_string!(i18n, replays.save) }}
                    </button>
                </div>
                {move || match saving.get() {
                    SaveState::Idle => None,
                    SaveState::Uploading(p) => Some(view! {
                        <p role="status" class="save-progress">
                            <label>{t!(i18n, replays.uploading_voice)}" "<progress max="1" value=p></progress></label>
                            " "{format!("{:.0} %", p * 100.0)}
                        </p>
                    }.into_any()),
                    SaveState::Saving => Some(view! { <p role="status" class="muted">{t!(i18n, replays.saving)}</p> }.into_any()),
                    SaveState::Failed(e) => Some(view! {
                        <div class="notice notice-error" role="alert" data-testid="replay-save-error">
                            <p>{t!(i18n, replays.not_saved)}</p>
                            <p>{move || replay_error(i18n, &e)}</p>
                        </div>
                    }.into_any()),
                }}
            </form>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voice_s_media_is_the_end_of_its_address() {
        assert_eq!(
            media_of("/replays/0190/media/ab12cd").as_deref(),
            Some("ab12cd")
        );
        assert_eq!(
            media_of("/replays/0190/media/ab12?x=1").as_deref(),
            Some("ab12")
        );
        assert_eq!(media_of("/replays/0190/media/"), None);
    }

    #[test]
    fn typed_seconds_stay_inside_the_replay() {
        assert_eq!(ms_from_seconds("1.25", 10_000), Some(1250));
        assert_eq!(ms_from_seconds("2,5", 10_000), Some(2500));
        assert_eq!(ms_from_seconds("-3", 10_000), Some(0));
        assert_eq!(ms_from_seconds("99", 10_000), Some(10_000));
        assert_eq!(ms_from_seconds("x", 10_000), None);
    }

    #[test]
    fn chapters_are_kept_in_order_and_inside() {
        let c = |t: u64, title: &str| Chapter {
            t,
            title: title.into(),
        };
        assert_eq!(
            tidy(vec![c(5000, "b"), c(90_000, "c"), c(1000, "a")], 60_000),
            [c(1000, "a"), c(5000, "b"), c(60_000, "c")]
        );
    }
}
