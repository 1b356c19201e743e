//! Importing a replay package (a zip of `replay.json` and its media) recorded elsewhere: sent
//! as it is to `POST /replays/import` with progress; a refusal names the file and the place in
//! it, and the chosen file stays so the expert can try again.
use super::held::Held;
use super::media::post_body;
use crate::components::errors::{error_message, reason_label};
use crate::i18n::*;
use crate::model::{AppError, InvalidReason};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_navigate;

/// The sentence for a refused package. The server names a file of the package, and the path
/// inside it after a colon (`replay.json:timeline.events[3].t`); a file alone that is
/// `required` is missing from the package.
pub fn import_refusal(i18n: I18nContext<Locale>, err: &AppError) -> String {
    let AppError::Invalid { field, reason } = err else {
        return error_message(i18n, err);
    };
    let (file, path) = field.split_once(':').unwrap_or((field.as_str(), ""));
    let file = match file {
        "package" | "" => t_string!(i18n, replays.package).to_string(),
        file => file.to_string(),
    };
    if path.is_empty() && *reason == InvalidReason::Required {
        return t_string!(i18n, replays.import_missing_file, file = file).to_string();
    }
    let place = if path.is_empty() {
        file
    } else {
        format!("{file} · {path}")
    };
    let reason = reason_label(i18n, *reason);
    t_string!(i18n, error.invalid, field = place, reason = reason).to_string()
}

/// What the server's answer to a refused upload says: its `AppError`, or one made from the
/// status when the body is not one (a proxy's "too large" is charged to `sent`, the field of
/// what was sent; a dropped connection is `Unavailable`).
pub fn refusal_of(status: u16, body: &str, sent: &str) -> AppError {
    if let Ok(err) = serde_json::from_str::<AppError>(body) {
        return err;
    }
    match status {
        0 => AppError::Unavailable,
        413 => AppError::Invalid {
            field: sent.into(),
            reason: InvalidReason::TooLong,
        },
        401 => AppError::Unauthenticated,
        403 => AppError::Forbidden,
        _ => AppError::Internal,
    }
}

/// The import panel of the list, for experts.
#[component]
pub fn ImportPanel() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let input = NodeRef::<leptos::html::Input>::new();
    // The chosen file itself stays in the browser (kept here and in its input) for a retry.
    let file = Held::<web_sys::File>::new();
    on_cleanup(move || file.set(None));
    let chosen = RwSignal::new(None::<(String, f64)>);
    let sending = RwSignal::new(None::<f64>);
    let refused = RwSignal::new(None::<AppError>);
    let pick = move |_| {
        let picked = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|list| list.get(0));
        chosen.set(picked.as_ref().map(|f| (f.name(), f.size())));
        file.set(picked);
        refused.set(None);
    };
    let send = move |_| {
        let Some(zip) = file.get() else {
            return;
        };
        let navigate = navigate.clone();
        sending.set(Some(0.0));
        refused.set(None);
        leptos::task::spawn_local(async move {
            let (status, body) = post_body("/replays/import", &zip, "application/zip", move |p| {
                sending.set(Some(p))
            })
            .await;
            sending.set(None);
            let id = (200..300)
                .contains(&status)
                .then(|| serde_json::from_str::<serde_json::Value>(&body).ok())
                .flatten()
                .and_then(|v| v["id"].as_str().map(str::to_string));
            match id {
                Some(id) => navigate(&format!("/replays/{id}"), Default::default()),
                None => refused.set(Some(refusal_of(status, &body, "package"))),
            }
        });
    };
    view! {
        <section class="panel replay-import" data-testid="replay-import" aria-labelledby="replay-import-title">
            <h2 id="replay-import-title">{t!(i18n, replays.import_title)}</h2>
            <p class="muted">{t!(i18n, replays.import_hint)}</p>
            <div class="inline-form">
                <label class="file-pick">{t!(i18n, replays.import_choose)}
                    <input type="file" accept=".zip,application/zip" node_ref=input on:change=pick
                        data-testid="import-file" />
                </label>
                <button type="button" class="btn btn-primary" data-testid="import-start"
                    disabled=move || chosen.get().is_none() || sending.get().is_some()
                    on:click=send>
                    {move || if refused.get().is_some() { t_string!(i18n, replays.import_retry) } else { t_string!(i18n, replays.import_start) }}
                </button>
            </div>
            {move || chosen.get().map(|(name, size)| view! {
                <p class="import-chosen">
                    <span class="upload-name">{name}</span>" "
                    <small class="muted">{format!("{:.1} MB", size / 1_048_576.0)}</small>
                </p>
            })}
            {move || sending.get().map(|p| view! {
                <p role="status" class="import-progress">
                    <label>
                        {t!(i18n, replays.import_sending)}" "
                        <progress max="1" value=p></progress>
                    </label>
                    " "{format!("{:.0} %", p * 100.0)}
                </p>
            })}
            {move || refused.get().map(|e| view! {
                <div class="notice notice-error" role="alert" data-testid="import-error">
                    <p>{t!(i18n, replays.import_refused)}</p>
                    <p class="import-reason">{move || import_refusal(i18n, &e)}</p>
                </div>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_read_from_the_body_or_made_from_the_status() {
        let body =
            r#"{"Invalid":{"field":"replay.json:timeline.events[3].t","reason":"past_end"}}"#;
        assert_eq!(
            refusal_of(422, body, "package"),
            AppError::Invalid {
                field: "replay.json:timeline.events[3].t".into(),
                reason: InvalidReason::PastEnd
            }
        );
        assert_eq!(refusal_of(0, "", "package"), AppError::Unavailable);
        assert_eq!(
            refusal_of(413, "Payload Too Large", "package"),
            AppError::Invalid {
                field: "package".into(),
                reason: InvalidReason::TooLong
            }
        );
        assert_eq!(refusal_of(502, "<html>", "package"), AppError::Internal);
    }
}
