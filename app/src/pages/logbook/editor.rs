//! `/logbook/new` and `/logbook/{id}/edit`: a learner records a scan — date, application, site,
//! indication, their reading in the application's fields — with its clips, picked from what
//! they imported before or uploaded here through the import pipeline (anonymised, pixels
//! cleaned), and saves it as a draft or submits it for review.
use super::entry::Clips;
use super::reading::ReadingFields;
use crate::api::competency::{
    competency_applications, logbook_clips, logbook_entry, save_logbook_entry,
};
use crate::api::resource;
use crate::api::sites::list_sites;
use crate::components::errors::{ErrorNotice, FieldError, concerns, import_failure_message};
use crate::components::layout::lang_code;
#[cfg(feature = "hydrate")]
use crate::components::upload::Sent;
use crate::i18n::*;
use crate::model::competency::{
    ApplicationForm, CivilDate, EntryClip, EntryInput, EntryView, Interpretation, MAX_CLIPS,
    MAX_INDICATION,
};
use crate::model::{AppError, CurrentUser, ImportFailure, InvalidReason, Site, SiteId};
use crate::pages::competency::today;
use crate::pages::people::network_time;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// What the editor opens with.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Loaded {
    apps: Vec<ApplicationForm>,
    sites: Vec<Site>,
    entry: Option<EntryView>,
    pickable: Vec<EntryClip>,
}

/// Where the upload of new clips stands.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Upload {
    Idle,
    Sending {
        done: usize,
        total: usize,
    },
    /// The files are in; the import pipeline is cleaning them.
    Importing,
    Finished(UploadOutcome),
}

/// What an upload brought, once the pipeline is through with it.
#[derive(Debug, Clone, PartialEq, Default)]
struct UploadOutcome {
    added: usize,
    /// Waiting in the quarantine for an expert to mark the image area.
    held: usize,
    /// Files refused, by name, with the reason when there is one.
    refused: Vec<(String, Option<ImportFailure>)>,
}

/// The clips of `pickable` that are not attached, in the order shown.
pub fn not_attached(pickable: &[EntryClip], attached: &[EntryClip]) -> Vec<EntryClip> {
    pickable
        .iter()
        .filter(|p| !attached.iter().any(|a| a.sop_uid == p.sop_uid))
        .cloned()
        .collect()
}

/// Adds the clips named by `sops` (found in `pickable`) after those attached, once each and
/// up to the most an entry may carry; returns how many were added.
pub fn attach(attached: &mut Vec<EntryClip>, pickable: &[EntryClip], sops: &[String]) -> usize {
    let mut added = 0;
    for sop in sops {
        if attached.len() >= MAX_CLIPS || attached.iter().any(|c| &c.sop_uid == sop) {
            continue;
        }
        if let Some(clip) = pickable.iter().find(|c| &c.sop_uid == sop) {
            attached.push(clip.clone());
            added += 1;
        }
    }
    added
}

/// The applications a new scan may be logged in, and the entry's own even if now retired.
fn choosable(apps: &[ApplicationForm], current: &str) -> Vec<ApplicationForm> {
    apps.iter()
        .filter(|a| !a.retired || a.code == current)
        .cloned()
        .collect()
}

#[component]
pub(super) fn Editor(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id"));
    let data = resource::new(
        move || id.clone(),
        |id| async move {
            let entry = match id {
                Some(id) => Some(logbook_entry(id).await?),
                None => None,
            };
            Ok::<_, AppError>(Loaded {
                apps: competency_applications().await?,
                sites: list_sites().await?,
                entry,
                pickable: logbook_clips().await?,
            })
        },
    );
    let own_site = user.site.id.to_string();
    view! {
        <section class="page logbook-editor">
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || data.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(Loaded { entry: Some(e), .. }) if !e.may_edit => view! {
                        <ErrorNotice error=AppError::invalid("status", InvalidReason::WrongState) />
                        <p><a href=format!("/logbook/{}", e.summary.id)>{t!(i18n, logbook.back_to_entry)}</a></p>
                    }.into_any(),
                    Ok(loaded) => editor_form(loaded, own_site.clone()),
                })}
            </Suspense>
        </section>
    }
}

fn editor_form(loaded: Loaded, own_site: String) -> AnyView {
    let i18n = use_i18n();
    let Loaded {
        apps,
        sites,
        entry,
        pickable,
    } = loaded;
    let first_app = apps
        .iter()
        .find(|a| !a.retired)
        .map(|a| a.code.clone())
        .unwrap_or_default();
    let entry_id = RwSignal::new(
        entry
            .as_ref()
            .map(|e| e.summary.id.clone())
            .unwrap_or_default(),
    );
    let application = RwSignal::new(
        entry
            .as_ref()
            .map(|e| e.summary.application.clone())
            .unwrap_or(first_app),
    );
    let scanned_on = RwSignal::new(
        entry
            .as_ref()
            .map(|e| e.summary.scanned_on)
            .unwrap_or_else(today)
            .to_string(),
    );
    let site_default = entry
        .as_ref()
        .and_then(|e| {
            sites
                .iter()
                .find(|s| s.code == e.summary.site_code)
                .map(|s| s.id.to_string())
        })
        .unwrap_or(own_site);
    let site = RwSignal::new(site_default);
    let indication = RwSignal::new(
        entry
            .as_ref()
            .map(|e| e.indication.clone())
            .unwrap_or_default(),
    );
    let reading = RwSignal::new(
        entry
            .as_ref()
            .map(|e| e.interpretation.clone())
            .unwrap_or_default(),
    );
    let attached = RwSignal::new(entry.as_ref().map(|e| e.clips.clone()).unwrap_or_default());
    let pickable = RwSignal::new(pickable);
    let upload = RwSignal::new(Upload::Idle);
    let error = RwSignal::new(None::<AppError>);
    let saved_note = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let apps = StoredValue::new(apps);
    let sites = StoredValue::new(sites);
    let files_input = NodeRef::<leptos::html::Input>::new();
    let chosen_files = RwSignal::new(0usize);
    let navigate = use_navigate();

    let input = move |submit: bool| -> Result<EntryInput, AppError> {
        let date = CivilDate::parse(scanned_on.get_untracked().trim())
            .map_err(|reason| AppError::invalid("scanned_on", reason))?;
        Ok(EntryInput {
            id: entry_id.get_untracked(),
            application: application.get_untracked(),
            scanned_on: date,
            site: Some(
                SiteId::parse(&site.get_untracked())
                    .map_err(|reason| AppError::invalid("site", reason))?,
            ),
            indication: indication.get_untracked(),
            interpretation: reading.get_untracked(),
            clips: attached.with_untracked(|c| c.iter().map(|c| c.sop_uid.clone()).collect()),
            submit,
        })
    };
    // Saves what the form holds; the entry's id once the server has it.
    let save = move |submit: bool| async move {
        let input = input(submit)?;
        let first = input.id.is_empty();
        let id = save_logbook_entry(input).await?;
        entry_id.set(id.clone());
        // A new draft gets its own address, so a reload edits it rather than starting again.
        #[cfg(feature = "hydrate")]
        if first && let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("/logbook/{id}/edit")),
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = first;
        Ok::<String, AppError>(id)
    };
    let on_save = {
        let navigate = navigate.clone();
        move |submit: bool| {
            let navigate = navigate.clone();
            busy.set(true);
            error.set(None);
            saved_note.set(false);
            leptos::task::spawn_local(async move {
                match save(submit).await {
                    Ok(id) if submit => navigate(&format!("/logbook/{id}"), Default::default()),
                    Ok(_) => saved_note.set(true),
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };
    let on_upload = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let files: Vec<web_sys::File> = files_input
                .get_untracked()
                .and_then(|i| i.files())
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
                .unwrap_or_default();
            if files.is_empty() {
                return;
            }
            busy.set(true);
            error.set(None);
            saved_note.set(false);
            leptos::task::spawn_local(async move {
                match upload_clips(i18n, files, save, upload).await {
                    Ok(outcome) => {
                        if let Ok(fresh) = logbook_clips().await {
                            pickable.set(fresh);
                        }
                        let added = pickable.with_untracked(|p| {
                            attached
                                .try_update(|a| attach(a, p, &outcome.1))
                                .unwrap_or(0)
                        });
                        let mut shown = outcome.0;
                        shown.added = added;
                        // The new clips are listed with the draft at once, so they stay with it.
                        if let Err(e) = save(false).await {
                            error.set(Some(e));
                        }
                        upload.set(Upload::Finished(shown));
                        if let Some(input) = files_input.get_untracked() {
                            input.set_value("");
                        }
                        chosen_files.set(0);
                    }
                    Err(e) => {
                        upload.set(Upload::Idle);
                        error.set(Some(e));
                    }
                }
                busy.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (files_input, pickable, save, upload);
    };

    let general_error = move || match error.get() {
        Some(AppError::Invalid { field, .. })
            if [
                "scanned_on",
                "site",
                "indication",
                "clips",
                "answers",
                "application",
            ]
            .iter()
            .any(|n| concerns(&field, n)) =>
        {
            None
        }
        Some(e) => Some(view! { <ErrorNotice error=e /> }),
        None => None,
    };
    let form_of = move |code: &str| {
        apps.with_value(|a| a.iter().find(|a| a.code == code).map(|a| a.form.clone()))
    };
    let is_new = entry.is_none();
    let on_save_draft = on_save.clone();
    let (min_date, max_date) = (today().plus_days(-3660).to_string(), today().to_string());

    view! {
        <header class="page-head">
            <div>
                <h1>{move || if is_new { t_string!(i18n, logbook.new_title) } else { t_string!(i18n, logbook.edit_title) }}</h1>
                <p class="muted">{t!(i18n, logbook.editor_intro)}</p>
            </div>
        </header>
        <form class="panel entry-form" data-testid="entry-form" novalidate
            on:submit=move |ev| { ev.prevent_default(); on_save(true); }>
            <div class="form-grid">
                <div class="field">
                    <label for="entry-application">{t!(i18n, logbook.application)}</label>
                    <select id="entry-application" data-testid="entry-application"
                        prop:value=move || application.get()
                        on:change=move |ev| {
                            application.set(event_target_value(&ev));
                            // Another application asks other questions.
                            reading.set(Interpretation::default());
                        }>
                        {move || {
                            let lang = lang_code(i18n);
                            apps.with_value(|a| choosable(a, &application.get_untracked()))
                                .into_iter()
                                .map(|a| view! { <option value=a.code.clone()>{a.name(lang).to_string()}</option> })
                                .collect_view()
                        }}
                    </select>
                    <FieldError error name="application" />
                </div>
                <div class="field">
                    <label for="entry-date">{t!(i18n, logbook.scan_date)}</label>
                    <input id="entry-date" type="date" data-testid="entry-date" required
                        min=min_date max=max_date
                        prop:value=move || scanned_on.get()
                        on:change=move |ev| scanned_on.set(event_target_value(&ev)) />
                    <FieldError error name="scanned_on" />
                </div>
                <div class="field">
                    <label for="entry-site">{t!(i18n, logbook.site)}</label>
                    <select id="entry-site" data-testid="entry-site"
                        prop:value=move || site.get()
                        on:change=move |ev| site.set(event_target_value(&ev))>
                        {move || {
                            let lang = lang_code(i18n);
                            let current = site.get_untracked();
                            sites.with_value(|s| {
                                s.iter()
                                    .filter(|s| s.active || s.id.to_string() == current)
                                    .map(|s| view! { <option value=s.id.to_string()>{format!("{} · {}", s.code, s.name(lang))}</option> })
                                    .collect_view()
                            })
                        }}
                    </select>
                    <FieldError error name="site" />
                </div>
            </div>
            <div class="field">
                <label for="entry-indication">{t!(i18n, logbook.indication)}</label>
                <textarea id="entry-indication" data-testid="entry-indication" rows="2"
                    maxlength=MAX_INDICATION aria-describedby="entry-indication-hint"
                    prop:value=move || indication.get()
                    on:input=move |ev| indication.set(event_target_value(&ev))></textarea>
                <p class="hint" id="entry-indication-hint">{t!(i18n, logbook.indication_hint)}</p>
                <FieldError error name="indication" />
            </div>
            <fieldset class="own-reading">
                <legend>{t!(i18n, logbook.your_reading)}</legend>
                {move || match form_of(&application.get()) {
                    Some(form) => view! { <ReadingFields form reading prefix="entry" /> }.into_any(),
                    None => view! { <p class="muted">{t!(i18n, logbook.choose_application)}</p> }.into_any(),
                }}
                <FieldError error name="answers" />
            </fieldset>

            <fieldset class="entry-clips" data-testid="entry-clips">
                <legend>{move || t_string!(i18n, logbook.attached_clips, n = attached.with(Vec::len), max = MAX_CLIPS)}</legend>
                {move || {
                    let clips = attached.get();
                    view! { <Clips clips /> }
                }}
                <ul class="clip-choices" data-testid="attached-clips">
                    {move || attached.get().into_iter().enumerate().map(|(k, clip)| {
                        let sop = clip.sop_uid.clone();
                        view! {
                            <li>
                                <span>{move || t_string!(i18n, logbook.clip_n, n = k + 1)}" · "
                                    {move || t_string!(i18n, logbook.clip_facts, frames = clip.frames, width = clip.width, height = clip.height)}</span>
                                <button type="button" class="btn btn-small"
                                    aria-label=move || t_string!(i18n, logbook.remove_clip, n = k + 1)
                                    on:click=move |_| attached.update(|a| a.retain(|c| c.sop_uid != sop))>
                                    {t!(i18n, logbook.remove)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <FieldError error name="clips" />

                <h3>{t!(i18n, logbook.upload_title)}</h3>
                <p class="hint" id="entry-upload-hint">{t!(i18n, logbook.upload_hint)}</p>
                <div class="inline-form">
                    <label class="file-pick">{t!(i18n, logbook.choose_files)}
                        <input type="file" multiple accept=".dcm,.zip,application/dicom,application/zip,*/*"
                            node_ref=files_input data-testid="entry-files" aria-describedby="entry-upload-hint"
                            on:change=move |_| chosen_files.set(files_input.get_untracked()
                                .and_then(|i| i.files()).map(|f| f.length() as usize).unwrap_or(0)) />
                    </label>
                    <button type="button" class="btn" data-testid="entry-upload"
                        disabled=move || busy.get() || chosen_files.get() == 0 on:click=on_upload>
                        {move || match chosen_files.get() {
                            0 => t_string!(i18n, logbook.upload).to_string(),
                            n => t_string!(i18n, logbook.upload_n, n = n).to_string(),
                        }}
                    </button>
                </div>
                <div role="status" aria-live="polite" data-testid="upload-state">
                    {move || match upload.get() {
                        Upload::Idle => None,
                        Upload::Sending { done, total } => Some(view! { <p>{t_string!(i18n, logbook.uploading, done = done, total = total)}</p> }.into_any()),
                        Upload::Importing => Some(view! { <p>{t!(i18n, logbook.importing)}</p> }.into_any()),
                        Upload::Finished(outcome) => Some(view! {
                            <p class="form-ok">{t_string!(i18n, logbook.upload_added, n = outcome.added)}</p>
                            {(outcome.held > 0).then(|| view! { <p class="status-warn">{t_string!(i18n, logbook.upload_held, n = outcome.held)}</p> })}
                            <ul class="upload-list">
                                {outcome.refused.into_iter().map(|(name, why)| view! {
                                    <li class="form-error">
                                        <span class="upload-name">{name}</span>" — "
                                        {why.map(|w| import_failure_message(i18n, &w))
                                            .unwrap_or_else(|| t_string!(i18n, studies.file_refused).to_string())}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()),
                    }}
                </div>

                <h3>{t!(i18n, logbook.pick_title)}</h3>
                {move || {
                    let free = not_attached(&pickable.get(), &attached.get());
                    if free.is_empty() {
                        view! { <p class="muted" data-testid="no-pickable">{t!(i18n, logbook.pick_none)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="clip-choices pickable" data-testid="pickable-clips">
                                {free.into_iter().map(|clip| {
                                    let sop = clip.sop_uid.clone();
                                    let when = network_time(clip.imported_at);
                                    let (frames, width, height) = (clip.frames, clip.width, clip.height);
                                    let label = when.clone();
                                    view! {
                                        <li data-sop=clip.sop_uid.clone()>
                                            <span>{t!(i18n, logbook.imported_at)}" "{when}" · "
                                                {move || t_string!(i18n, logbook.clip_facts, frames = frames, width = width, height = height)}</span>
                                            <button type="button" class="btn btn-small"
                                                disabled=move || attached.with(|a| a.len() >= MAX_CLIPS)
                                                aria-label=move || t_string!(i18n, logbook.add_clip, when = label.clone())
                                                on:click=move |_| { let one = [sop.clone()]; pickable.with_untracked(|p| attached.update(|a| { attach(a, p, &one); })); }>
                                                {t!(i18n, logbook.add)}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
            </fieldset>

            {general_error}
            {move || saved_note.get().then(|| view! { <p class="form-ok" role="status" data-testid="draft-saved">{t!(i18n, logbook.draft_saved)}</p> })}
            <div class="form-actions">
                <button type="button" class="btn" data-testid="save-draft" disabled=move || busy.get()
                    on:click=move |_| on_save_draft(false)>{t!(i18n, logbook.save_draft)}</button>
                <button type="submit" class="btn btn-primary" data-testid="submit-entry"
                    disabled=move || busy.get() || matches!(upload.get(), Upload::Sending { .. } | Upload::Importing)>
                    {t!(i18n, logbook.submit)}
                </button>
            </div>
        </form>
    }
    .into_any()
}

/// Uploads `files` into the entry (saving it first so it exists), waits for the import
/// pipeline, and says what it brought: the outcome and the SOP UIDs of the new clips.
#[cfg(feature = "hydrate")]
async fn upload_clips<F, Fut>(
    i18n: leptos_i18n::I18nContext<Locale>,
    files: Vec<web_sys::File>,
    save: F,
    state: RwSignal<Upload>,
) -> Result<(UploadOutcome, Vec<String>), AppError>
where
    F: Fn(bool) -> Fut,
    Fut: std::future::Future<Output = Result<String, AppError>>,
{
    use crate::api::archive::{close_upload, import_job_detail};
    use crate::api::competency::logbook_upload;
    use crate::components::upload::{relative_path, send_file, sleep_ms};
    use crate::model::{ItemStatus, JobStatus};

    let id = save(false).await?;
    let job = logbook_upload(id).await?;
    let total = files.len();
    let mut outcome = UploadOutcome::default();
    for (done, file) in files.iter().enumerate() {
        state.set(Upload::Sending { done, total });
        let name = relative_path(file).unwrap_or_else(|| file.name());
        if let Sent::Refused(why) = send_file(&format!("/upload/{job}"), file, &name, |_| ()).await
        {
            outcome.refused.push((name, why));
        }
    }
    close_upload(job.clone()).await?;
    state.set(Upload::Importing);
    let mut wait = 500;
    loop {
        let (detail, items) = import_job_detail(job.clone()).await?;
        if matches!(detail.status, JobStatus::Done | JobStatus::Failed) {
            if let Some(e) = detail.error {
                return Err(AppError::Refused(e));
            }
            let mut sops = Vec::new();
            for item in items {
                match item.status {
                    ItemStatus::Imported | ItemStatus::Duplicate => sops.extend(item.sop_uid),
                    ItemStatus::Held => outcome.held += 1,
                    ItemStatus::Failed => outcome.refused.push((
                        crate::pages::studies::item_label(i18n, &item.label),
                        item.error,
                    )),
                    ItemStatus::Pending => {}
                }
            }
            return Ok((outcome, sops));
        }
        sleep_ms(wait).await;
        wait = (wait * 3 / 2).min(3000);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(sop: &str) -> EntryClip {
        EntryClip {
            sop_uid: sop.into(),
            blob_sha: format!("sha-{sop}"),
            frames: 10,
            width: 640,
            height: 480,
            imported_at: 0,
        }
    }

    #[test]
    fn new_clips_join_once_after_those_attached() {
        let pickable = vec![clip("a"), clip("b"), clip("c")];
        let mut attached = vec![clip("b")];
        let added = attach(
            &mut attached,
            &pickable,
            &["a".into(), "b".into(), "a".into(), "gone".into()],
        );
        assert_eq!(added, 1);
        let order: Vec<_> = attached.iter().map(|c| c.sop_uid.as_str()).collect();
        assert_eq!(order, ["b", "a"]);
        assert_eq!(not_attached(&pickable, &attached), vec![clip("c")]);
    }

    #[test]
    fn no_more_clips_than_an_entry_may_carry() {
        let pickable: Vec<_> = (0..MAX_CLIPS + 3).map(|k| clip(&k.to_string())).collect();
        let sops: Vec<String> = pickable.iter().map(|c| c.sop_uid.clone()).collect();
        let mut attached = Vec::new();
        assert_eq!(attach(&mut attached, &pickable, &sops), MAX_CLIPS);
        assert_eq!(attached.len(), MAX_CLIPS);
    }

    #[test]
    fn a_retired_application_is_offered_only_to_its_own_entries() {
        let app = |code: &str, retired| ApplicationForm {
            code: code.into(),
            name_zh: code.into(),
            name_en: code.into(),
            emergency: false,
            form: crate::model::competency::ReviewForm {
                fields: vec![],
                rubric: None,
            },
            retired,
        };
        let apps = vec![app("efast", false), app("old", true)];
        assert_eq!(choosable(&apps, "efast").len(), 1);
        assert_eq!(choosable(&apps, "old").len(), 2);
    }
}
