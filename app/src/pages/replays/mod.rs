//! `/replays`: guidance replays, a clip with the voices and the viewer's timeline of an
//! expert's guidance. Everyone who learns watches the published ones; experts also see drafts
//! and those in review, record one over a teaching clip (`/replays/new`), import a package,
//! edit a draft (`/replays/{id}/edit`) and move replays through review (`/replays/{id}`).
mod capture;
mod editor;
mod held;
mod import;
mod media;
pub mod page;
pub mod recorder;

use crate::api::cases::applications;
use crate::api::replays::replay_list;
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message, field_label, reason_label};
use crate::components::layout::{PageTitle, lang_code};
use crate::components::viewer::playback::clock;
use crate::i18n::*;
use crate::model::replay::ReplaySummary;
use crate::model::{AppError, Application, CaseStatus, CurrentUser, Permission, Role, text_lang};
use crate::pages::cases::{app_name, status_label};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The roles that watch replays (admins run the system, they do not learn from it).
const WATCHERS: &[Role] = &[Role::Learner, Role::Expert, Role::Coordinator];

/// A replay's length as the lists show it, `m:ss` (rounded to the second).
pub fn length_label(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A time in a replay to the tenth of a second, `m:ss.t`.
pub fn time_label(ms: u64) -> String {
    clock(ms as f64)
}

/// The spoken language's name.
fn language_label(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "en" => t_string!(i18n, lang_en).to_string(),
        _ => t_string!(i18n, lang_zh).to_string(),
    }
}

/// A place in a saved replay as the editor names it: `title` "Title", `voices[0].speaker`
/// "Voice 1 · speaker", `timeline.events[3].t` "Timeline · events[3].t".
pub fn replay_field_label(i18n: I18nContext<Locale>, field: &str) -> String {
    match field {
        "title" => return t_string!(i18n, replays.title_field).to_string(),
        "summary" => return t_string!(i18n, replays.summary_field).to_string(),
        "language" => return t_string!(i18n, replays.language_field).to_string(),
        "case_id" => return t_string!(i18n, replays.case_field).to_string(),
        "sop_uid" | "clip" => return t_string!(i18n, replays.clip_field).to_string(),
        "media" => return t_string!(i18n, replays.voice_recording).to_string(),
        "package" => return t_string!(i18n, replays.package).to_string(),
        _ => {}
    }
    if let Some(rest) = field.strip_prefix("voices[")
        && let Some((n, part)) = rest.split_once(']')
        && let Ok(n) = n.parse::<usize>()
    {
        let voice = t_string!(i18n, replays.voice_n, n = n + 1).to_string();
        let part = part.trim_start_matches('.');
        return match part {
            "" => voice,
            "speaker" => format!("{voice} · {}", t_string!(i18n, replays.speaker)),
            "offset_ms" => format!("{voice} · {}", t_string!(i18n, replays.voice_offset)),
            "media" => format!("{voice} · {}", t_string!(i18n, replays.voice_recording)),
            other => format!("{voice} · {other}"),
        };
    }
    if let Some(path) = field.strip_prefix("timeline") {
        let path = path.trim_start_matches('.');
        let timeline = t_string!(i18n, replays.timeline).to_string();
        return if path.is_empty() {
            timeline
        } else {
            format!("{timeline} · {path}")
        };
    }
    field_label(i18n, field)
}

/// The sentence for a refusal of the recorder's or editor's work, its field named as the
/// editor shows it.
pub fn replay_error(i18n: I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Invalid { field, reason } => {
            let field = replay_field_label(i18n, field);
            let reason = reason_label(i18n, *reason);
            t_string!(i18n, error.invalid, field = field, reason = reason).to_string()
        }
        other => error_message(i18n, other),
    }
}

/// A status badge (experts see every state; readers only published replays).
#[component]
fn StatusBadge(status: CaseStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge replay-status status-{}", status.as_str()) data-status=status.as_str()>
            {move || status_label(i18n, status)}
        </span>
    }
}

fn replay_row(
    i18n: I18nContext<Locale>,
    r: ReplaySummary,
    apps: StoredValue<Vec<Application>>,
    expert: bool,
) -> impl IntoView {
    let status = r.status;
    let app = r.application.clone();
    let case_label = move || {
        let app = app.clone();
        let lang = lang_code(i18n);
        match app {
            Some(code) => apps.with_value(|a| app_name(a, &code, lang)),
            None => t_string!(i18n, replays.open_case).to_string(),
        }
    };
    let language = r.language.clone();
    let from_session = r.from_session;
    view! {
        <tr data-replay=r.id.to_string() data-status=status.as_str()>
            <th scope="row" class="replay-title-cell">
                <a href=format!("/replays/{}", r.id) lang=text_lang(&r.title)>{r.title.clone()}</a>
                {(expert && status != CaseStatus::Published).then(|| view! { " " <StatusBadge status /> })}
                <small class="muted block">{r.author.clone()}</small>
            </th>
            <td class="num" data-label=move || t_string!(i18n, replays.col_length)>{length_label(r.duration_ms)}</td>
            <td class="num" data-label=move || t_string!(i18n, replays.col_chapters)>{r.chapters}</td>
            <td class="num" data-label=move || t_string!(i18n, replays.col_voices)>{r.voices}</td>
            <td data-label=move || t_string!(i18n, replays.col_language)>{move || language_label(i18n, &language)}</td>
            <td data-label=move || t_string!(i18n, replays.col_source)>
                {move || if from_session {
                    t_string!(i18n, replays.from_session)
                } else {
                    t_string!(i18n, replays.from_recording)
                }}
            </td>
            <td data-label=move || t_string!(i18n, replays.col_case)>
                {r.case_id.clone().map(|id| view! { <a href=format!("/cases/{id}")>{case_label}</a> })}
            </td>
        </tr>
    }
}

#[component]
fn ReplayList(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let expert = user.may(Permission::RecordReplays);
    let list = resource::new(
        || (),
        |_| async move {
            let list = replay_list().await?;
            let apps = applications().await?;
            Ok::<_, AppError>((list, apps))
        },
    );
    view! {
        <header class="page-head replays-head">
            <h1>{t!(i18n, replays.title)}</h1>
            <p class="muted">{t!(i18n, replays.intro)}</p>
            {expert.then(|| view! {
                <div class="form-actions">
                    <a class="btn btn-primary" href="/replays/new" data-testid="record-replay">{t!(i18n, replays.record_new)}</a>
                </div>
            })}
        </header>
        {expert.then(|| view! { <import::ImportPanel /> })}
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || list.get().map(|res| match res {
                Ok((list, _)) if list.is_empty() => view! {
                    <div class="empty-state" data-testid="replays-empty">
                        <p>{move || if expert { t_string!(i18n, replays.empty_expert) } else { t_string!(i18n, replays.empty_learner) }}</p>
                        {expert.then(|| view! { <p><a class="btn" href="/replays/new">{t!(i18n, replays.record_new)}</a></p> })}
                    </div>
                }.into_any(),
                Ok((list, apps)) => {
                    let apps = StoredValue::new(apps);
                    view! {
                        <div class="table-wrap">
                            <table class="table table-stack replay-table" data-testid="replay-list">
                                <caption class="sr-only">{t!(i18n, replays.title)}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, replays.col_title)}</th>
                                        <th scope="col" class="num">{t!(i18n, replays.col_length)}</th>
                                        <th scope="col" class="num">{t!(i18n, replays.col_chapters)}</th>
                                        <th scope="col" class="num">{t!(i18n, replays.col_voices)}</th>
                                        <th scope="col">{t!(i18n, replays.col_language)}</th>
                                        <th scope="col">{t!(i18n, replays.col_source)}</th>
                                        <th scope="col">{t!(i18n, replays.col_case)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|r| replay_row(i18n, r, apps, expert)).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </Transition>
    }
}

/// `/replays` for everyone who learns or teaches.
#[component]
pub fn ReplaysPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.replays).to_string() />
        <section class="page replays-page">
            <Guarded roles=WATCHERS children=|user| view! { <ReplayList user /> }.into_any() />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_as_minutes_and_seconds() {
        assert_eq!(length_label(0), "0:00");
        assert_eq!(length_label(59_499), "0:59");
        assert_eq!(length_label(59_500), "1:00");
        assert_eq!(length_label(754_000), "12:34");
        assert_eq!(length_label(3_723_000), "1:02:03");
        assert_eq!(time_label(12_340), "0:12.3");
    }
}
