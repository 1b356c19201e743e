//! `/studies`: experts search the regional archive and import from it, upload files, follow
//! the import jobs, and open the anonymised studies.
use super::guard::Guarded;
use super::people::{network_date, network_time};
use crate::api::archive::{
    ImportStudies, RetryImport, import_job_detail, import_jobs, list_studies, search_archive,
};
#[cfg(feature = "hydrate")]
use crate::api::archive::{close_upload, open_upload};
use crate::api::resource;
use crate::components::errors::{
    ErrorNotice, error_message, import_failure_hint, import_failure_message,
};
use crate::components::layout::PageTitle;
use crate::components::upload::relative_path;
#[cfg(feature = "hydrate")]
use crate::components::upload::{Sent, send_file};
use crate::i18n::*;
use crate::model::{
    AppError, ArchiveStudy, ImportFailure, ImportItem, ImportJob, ItemLabel, ItemStatus, JobId,
    JobLabel, JobStatus, Role,
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// Bumped whenever an import starts, so the job list refreshes at once.
#[derive(Clone, Copy)]
struct JobsChanged(RwSignal<u32>);

#[component]
fn ArchiveSearch() -> impl IntoView {
    let i18n = use_i18n();
    let changed = expect_context::<JobsChanged>().0;
    let patient_id = RwSignal::new(String::new());
    let patient_name = RwSignal::new(String::new());
    let accession = RwSignal::new(String::new());
    let date_from = RwSignal::new(String::new());
    let date_to = RwSignal::new(String::new());
    let modality = RwSignal::new("US".to_string());
    let search = Action::new(|q: &[String; 6]| {
        let q = q.clone();
        async move {
            search_archive(
                q[0].clone(),
                q[1].clone(),
                q[2].clone(),
                q[3].clone(),
                q[4].clone(),
                q[5].clone(),
            )
            .await
        }
    });
    let selected = RwSignal::new(Vec::<String>::new());
    let import = ServerAction::<ImportStudies>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = import.value().get() {
            selected.set(Vec::new());
            changed.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        selected.set(Vec::new());
        search.dispatch([
            patient_id.get_untracked(),
            patient_name.get_untracked(),
            accession.get_untracked(),
            date_from.get_untracked(),
            date_to.get_untracked(),
            modality.get_untracked(),
        ]);
    };
    let row = move |s: ArchiveStudy| {
        let uid = s.study_uid.clone();
        let checked = {
            let uid = uid.clone();
            move || selected.get().contains(&uid)
        };
        let toggle = move |_| {
            let uid = uid.clone();
            selected.update(|v| {
                if let Some(i) = v.iter().position(|u| *u == uid) {
                    v.remove(i);
                } else {
                    v.push(uid);
                }
            })
        };
        let imported = s.imported_as.clone();
        view! {
            <tr data-study=s.study_uid.clone()>
                <td>
                    <input type="checkbox" prop:checked=checked on:change=toggle
                        aria-label=move || t_string!(i18n, studies.select) />
                </td>
                <td>{s.patient_name.clone()}</td>
                <td><code>{s.patient_id.clone()}</code></td>
                <td>{s.accession.clone()}</td>
                <td class="nowrap">{s.date.clone()}</td>
                <td>{s.modalities.replace('\\', ", ")}</td>
                <td>{s.description.clone()}</td>
                <td class="num">{s.instances}</td>
                <td>
                    {imported.map(|uid| view! {
                        <a class="badge badge-ok" href=format!("/studies/{uid}")>{t!(i18n, studies.imported)}</a>
                    })}
                </td>
            </tr>
        }
    };
    view! {
        <section class="panel" data-testid="archive-search">
            <h2>{t!(i18n, studies.search_title)}</h2>
            <form class="form-grid" on:submit=submit>
                <label class="field">{t!(i18n, field.patient_id)}<input bind:value=patient_id name="patient_id" /></label>
                <label class="field">{t!(i18n, field.patient_name)}<input bind:value=patient_name name="patient_name" /></label>
                <label class="field">{t!(i18n, field.accession)}<input bind:value=accession name="accession" /></label>
                <label class="field">{t!(i18n, field.date_from)}<input type="date" bind:value=date_from name="date_from" /></label>
                <label class="field">{t!(i18n, field.date_to)}<input type="date" bind:value=date_to name="date_to" /></label>
                <label class="field">{t!(i18n, field.modality)}
                    <select bind:value=modality name="modality">
                        <option value="US">"US"</option>
                        <option value="">{t!(i18n, studies.any_modality)}</option>
                    </select>
                </label>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || search.pending().get()>
                        {move || if search.pending().get() { t_string!(i18n, studies.searching) } else { t_string!(i18n, studies.search) }}
                    </button>
                    <small class="muted">{t!(i18n, studies.results_note)}</small>
                </div>
            </form>
            {move || search.value().get().map(|res| match res {
                Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="empty-state">{t!(i18n, studies.no_results)}</p> }.into_any(),
                Ok(list) => view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table" data-testid="archive-results">
                            <thead><tr>
                                <th scope="col"><span class="sr-only">{t!(i18n, studies.select)}</span></th>
                                <th scope="col">{t!(i18n, field.patient_name)}</th>
                                <th scope="col">{t!(i18n, field.patient_id)}</th>
                                <th scope="col">{t!(i18n, field.accession)}</th>
                                <th scope="col">{t!(i18n, studies.date)}</th>
                                <th scope="col">{t!(i18n, studies.modalities)}</th>
                                <th scope="col">{t!(i18n, studies.description)}</th>
                                <th scope="col" class="num">{t!(i18n, studies.images)}</th>
                                <th scope="col"></th>
                            </tr></thead>
                            <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </div>
                    <div class="form-actions">
                        <button class="btn btn-primary" type="button" data-testid="import-selected"
                            disabled=move || selected.get().is_empty() || import.pending().get()
                            on:click=move |_| { import.dispatch(ImportStudies { study_uids: selected.get_untracked() }); }>
                            {move || t_string!(i18n, studies.import_selected, n = selected.get().len())}
                        </button>
                        {move || match import.value().get() {
                            Some(Ok(_)) => Some(view! { <span class="form-ok" role="status">{t!(i18n, studies.import_started)}</span> }.into_any()),
                            Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }.into_any()),
                            None => None,
                        }}
                    </div>
                }.into_any(),
            })}
        </section>
    }
}

/// One file of an upload as the page tracks it.
#[derive(Debug, Clone, PartialEq)]
struct UploadFile {
    name: String,
    size: f64,
    /// 0…1 of the bytes sent.
    sent: f64,
    state: UploadState,
}

#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum UploadState {
    Waiting,
    Sending,
    Sent,
    Refused(Option<ImportFailure>),
}

#[component]
fn UploadPanel() -> impl IntoView {
    let folder_input = NodeRef::<leptos::html::Input>::new();
    // Not in the DOM typings: set it once the input exists.
    Effect::new(move |_| {
        if let Some(input) = folder_input.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    let i18n = use_i18n();
    let changed = expect_context::<JobsChanged>().0;
    let files = RwSignal::new(Vec::<UploadFile>::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let finished = RwSignal::new(None::<usize>);
    // The browser's File objects stay in their input; the signal keeps what is shown and
    // which input was used last.
    let files_input = NodeRef::<leptos::html::Input>::new();
    let from_folder = RwSignal::new(false);
    let chosen_files = move || -> Vec<web_sys::File> {
        let input = if from_folder.get_untracked() {
            folder_input.get_untracked()
        } else {
            files_input.get_untracked()
        };
        input
            .and_then(|i| i.files())
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default()
    };
    let pick = move |folder: bool| {
        from_folder.set(folder);
        let chosen = chosen_files();
        files.set(
            chosen
                .iter()
                .map(|f| UploadFile {
                    name: relative_path(f).unwrap_or_else(|| f.name()),
                    size: f.size(),
                    sent: 0.0,
                    state: UploadState::Waiting,
                })
                .collect(),
        );
        finished.set(None);
        error.set(None);
    };
    #[cfg(not(feature = "hydrate"))]
    let _ = (changed, error, finished, chosen_files);
    let start = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let chosen = chosen_files();
            if chosen.is_empty() {
                return;
            }
            busy.set(true);
            error.set(None);
            let job = match open_upload().await {
                Ok(job) => job,
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                    return;
                }
            };
            changed.update(|n| *n += 1);
            let set = move |i: usize, f: &dyn Fn(&mut UploadFile)| {
                files.update(|v| {
                    if let Some(file) = v.get_mut(i) {
                        f(file)
                    }
                })
            };
            let mut sent = 0;
            for (i, file) in chosen.iter().enumerate() {
                set(i, &|f| f.state = UploadState::Sending);
                let name = relative_path(file).unwrap_or_else(|| file.name());
                let outcome = send_file(&format!("/upload/{job}"), file, &name, move |p| {
                    files.update(|v| {
                        if let Some(f) = v.get_mut(i) {
                            f.sent = p
                        }
                    })
                })
                .await;
                if matches!(outcome, Sent::Accepted) {
                    sent += 1;
                }
                set(i, &|f| {
                    f.state = match &outcome {
                        Sent::Accepted => {
                            f.sent = 1.0;
                            UploadState::Sent
                        }
                        Sent::Refused(why) => UploadState::Refused(why.clone()),
                    };
                });
            }
            if let Err(e) = close_upload(job).await {
                error.set(Some(e));
            }
            finished.set(Some(sent));
            busy.set(false);
            changed.update(|n| *n += 1);
        });
    };
    let done_count = move || {
        files
            .get()
            .iter()
            .filter(|f| matches!(f.state, UploadState::Sent | UploadState::Refused(_)))
            .count()
    };
    view! {
        <section class="panel" data-testid="upload">
            <h2>{t!(i18n, studies.upload_title)}</h2>
            <p class="muted">{t!(i18n, studies.upload_hint)}</p>
            <div class="inline-form">
                <label class="file-pick">{t!(i18n, studies.choose_files)}
                    <input type="file" multiple accept=".dcm,.zip,application/dicom,application/zip,*/*"
                        node_ref=files_input on:change=move |_| pick(false) data-testid="upload-files" />
                </label>
                <label class="file-pick">{t!(i18n, studies.choose_folder)}
                    <input type="file" multiple node_ref=folder_input on:change=move |_| pick(true) data-testid="upload-folder" />
                </label>
                <button class="btn btn-primary" type="button" data-testid="upload-start"
                    disabled=move || busy.get() || files.get().is_empty() on:click=start>
                    {t!(i18n, studies.upload)}
                </button>
            </div>
            {move || busy.get().then(|| view! {
                <p role="status">{t_string!(i18n, studies.uploading, done = done_count(), total = files.get().len())}</p>
            })}
            {move || finished.get().map(|n| view! {
                <p class="form-ok" role="status">{t_string!(i18n, studies.upload_done, n = n)}</p>
            })}
            {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
            <ul class="upload-list">
                {move || files.get().into_iter().map(|f| {
                    let (label, class) = match &f.state {
                        UploadState::Waiting => (t_string!(i18n, studies.file_waiting).to_string(), "muted"),
                        UploadState::Sending => (format!("{:.0} %", f.sent * 100.0), ""),
                        UploadState::Sent => (t_string!(i18n, studies.file_sent).to_string(), "form-ok"),
                        UploadState::Refused(why) => (
                            match why {
                                Some(w) => format!("{} — {}", t_string!(i18n, studies.file_refused), import_failure_message(i18n, w)),
                                None => t_string!(i18n, studies.file_refused).to_string(),
                            },
                            "form-error",
                        ),
                    };
                    view! {
                        <li>
                            <span class="upload-name">{f.name.clone()}</span>
                            <small class="muted">{format!("{:.1} MB", f.size / 1_048_576.0)}</small>
                            <progress max="1" value=f.sent></progress>
                            <small class=class>{label}</small>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

fn job_label(i18n: I18nContext<Locale>, label: &JobLabel) -> String {
    match label {
        JobLabel::Archive { studies } => {
            t_string!(i18n, studies.job_archive, n = *studies).to_string()
        }
        JobLabel::Upload => t_string!(i18n, studies.job_upload).to_string(),
        JobLabel::Cstore { calling_ae } => {
            t_string!(i18n, studies.job_cstore, ae = calling_ae.clone()).to_string()
        }
    }
}

fn status_label(i18n: I18nContext<Locale>, status: JobStatus) -> &'static str {
    match status {
        JobStatus::Receiving => t_string!(i18n, studies.status_receiving),
        JobStatus::Queued => t_string!(i18n, studies.status_queued),
        JobStatus::Running => t_string!(i18n, studies.status_running),
        JobStatus::Done => t_string!(i18n, studies.status_done),
        JobStatus::Failed => t_string!(i18n, studies.status_failed),
    }
}

/// Which file or instance an item is: the name it was sent with (`archive.zip › dir/a.dcm`)
/// when the server gave it to this viewer, else its number.
pub(crate) fn item_label(i18n: I18nContext<Locale>, label: &ItemLabel) -> String {
    let n = |v: &Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "–".into());
    match label {
        ItemLabel::Instance { series, number } => t_string!(
            i18n,
            studies.item_instance,
            series = n(series),
            number = n(number)
        )
        .to_string(),
        ItemLabel::File(k) => t_string!(i18n, studies.item_file, n = *k).to_string(),
        ItemLabel::Named { .. } => label.file_name().unwrap_or_default(),
    }
}

#[component]
fn JobItems(id: JobId) -> impl IntoView {
    let i18n = use_i18n();
    let tick = expect_context::<JobsChanged>().0;
    let detail = resource::new(
        move || (id.clone(), tick.get()),
        |(id, _)| import_job_detail(id),
    );
    let item = move |it: ImportItem| {
        let hint = it
            .error
            .as_ref()
            .filter(|_| it.status == ItemStatus::Failed)
            .map(|e| import_failure_hint(i18n, e));
        let held = (it.status == ItemStatus::Held).then(|| {
            view! {
                <a class="hint block" href="/quarantine">{t!(i18n, studies.item_held_hint)}</a>
            }
        });
        let (text, class) = match it.status {
            ItemStatus::Pending => (t_string!(i18n, studies.item_pending).to_string(), "muted"),
            ItemStatus::Imported => (
                t_string!(i18n, studies.item_imported).to_string(),
                "form-ok",
            ),
            ItemStatus::Duplicate => (t_string!(i18n, studies.item_duplicate).to_string(), "muted"),
            ItemStatus::Held => (
                t_string!(i18n, studies.item_held).to_string(),
                "status-warn",
            ),
            ItemStatus::Failed => (
                it.error
                    .as_ref()
                    .map(|e| import_failure_message(i18n, e))
                    .unwrap_or_else(|| t_string!(i18n, studies.item_failed).to_string()),
                "form-error",
            ),
        };
        view! {
            <li data-status=it.status.as_str()>
                <span class="item-name">{item_label(i18n, &it.label)}</span>
                // One flex item, so the hint sits under its reason.
                <span>
                    <small class=class>{text}</small>
                    {hint.map(|h| view! { <small class="hint block">{h}</small> })}
                    {held}
                </span>
            </li>
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || detail.get().map(|res| match res {
                Ok((_, items)) => view! { <ul class="job-items">{items.into_iter().map(item).collect_view()}</ul> }.into_any(),
                Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn JobRow(job: ImportJob) -> impl IntoView {
    let i18n = use_i18n();
    // Open or closed lives with the panel, by job: the list is rebuilt on every reload.
    let OpenJobs(opened) = expect_context::<OpenJobs>();
    let this = job.id.clone();
    let open = Signal::derive(move || opened.with(|o| o.contains(&this)));
    let toggle = {
        let id = job.id.clone();
        move || {
            opened.update(|o| {
                if !o.remove(&id) {
                    o.insert(id.clone());
                }
            })
        }
    };
    let retry = ServerAction::<RetryImport>::new();
    let changed = expect_context::<JobsChanged>().0;
    Effect::new(move |_| {
        if let Some(Ok(())) = retry.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let settled = job.imported + job.duplicate + job.failed + job.held;
    // Every text below reads the locale inside a closure, so the row follows a language switch.
    let status = job.status;
    let (total, imported, duplicate, failed, held, pending) = (
        job.total,
        job.imported,
        job.duplicate,
        job.failed,
        job.held,
        job.pending,
    );
    let label = job.label.clone();
    let error = job.error.clone();
    let id = job.id.clone();
    let can_retry =
        job.status == JobStatus::Failed && matches!(job.label, JobLabel::Archive { .. });
    view! {
        <tr data-job=job.id.to_string() data-status=job.status.as_str()>
            <td class="nowrap">{network_time(job.created_at)}</td>
            <td data-label=move || t_string!(i18n, studies.what)>{move || job_label(i18n, &label)}</td>
            <td data-label=move || t_string!(i18n, studies.status)>
                {move || {
                    // Finished, but not everything got in: not the plain green "Done". Held
                    // files still wait for an image area, so such a job is not finished yet.
                    let text = match (status, held, failed) {
                        (JobStatus::Done, 0, 0) => None,
                        (JobStatus::Done, 0, failed) => Some(t_string!(i18n, studies.status_done_refused, failed = failed, total = total).to_string()),
                        (JobStatus::Done, held, 0) => Some(t_string!(i18n, studies.status_done_held, imported = imported, held = held, total = total).to_string()),
                        (JobStatus::Done, held, failed) => Some(t_string!(i18n, studies.status_done_held_refused, imported = imported, held = held, failed = failed, total = total).to_string()),
                        _ => None,
                    };
                    match text {
                        Some(text) => view! { <span class="status-warn">{text}</span> }.into_any(),
                        None => status_label(i18n, status).into_any(),
                    }
                }}
                {error.map(|e| view! { <small class="form-error block">{move || import_failure_message(i18n, &e)}</small> })}
            </td>
            <td data-label=move || t_string!(i18n, studies.progress)>
                <progress max=total.max(1) value=settled class:progress-warn={failed + held > 0}></progress>
                <small class="block">{move || t_string!(i18n, studies.counts, imported = imported, duplicate = duplicate, failed = failed, pending = pending)}</small>
                {(held > 0).then(|| view! {
                    <a class="block status-warn" href="/quarantine" data-testid="job-held">{move || t_string!(i18n, studies.job_held, n = held)}</a>
                })}
            </td>
            // A flex `td` is no table cell and stops short of the row: the box goes inside.
            <td>
                <div class="row-actions">
                    {job.studies.first().cloned().map(|uid| view! {
                        <a class="btn btn-small" href=format!("/studies/{uid}")>{t!(i18n, studies.open)}</a>
                    })}
                    <button
                        type="button"
                        class="btn btn-small btn-quiet"
                        aria-expanded=move || open.get().to_string()
                        on:click=move |_| toggle()
                    >
                        {move || if open.get() { t_string!(i18n, studies.hide) } else { t_string!(i18n, studies.details) }}
                    </button>
                    {can_retry.then(|| {
                        let id = id.clone();
                        view! {
                            <button type="button" class="btn btn-small" on:click=move |_| { retry.dispatch(RetryImport { id: id.clone() }); }>
                                {t!(i18n, studies.retry)}
                            </button>
                        }
                    })}
                </div>
            </td>
        </tr>
        {
            let id = job.id.clone();
            move || open.get().then(|| view! { <tr class="job-detail"><td colspan="5"><JobItems id=id.clone() /></td></tr> })
        }
    }
}

/// The jobs whose details are open.
#[derive(Clone, Copy)]
struct OpenJobs(RwSignal<std::collections::HashSet<JobId>>);

#[component]
fn JobsPanel() -> impl IntoView {
    let i18n = use_i18n();
    provide_context(OpenJobs(RwSignal::new(std::collections::HashSet::new())));
    let changed = expect_context::<JobsChanged>().0;
    let jobs = resource::new(move || changed.get(), |_| import_jobs());
    // While anything is still running, look again every two seconds.
    Effect::new(move |_| {
        let active = jobs
            .get()
            .and_then(Result::ok)
            .is_some_and(|list| list.iter().any(|j| j.status.is_active()));
        if active {
            set_timeout(
                move || changed.update(|n| *n += 1),
                std::time::Duration::from_secs(2),
            );
        }
    });
    view! {
        <section class="panel" data-testid="jobs">
            <div class="panel-head">
                <h2>{t!(i18n, studies.jobs_title)}</h2>
                <a class="small" href="/quarantine" data-testid="quarantine-link">{t!(i18n, studies.quarantine_link)}</a>
            </div>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || jobs.get().map(|res| match res {
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty-state">{t!(i18n, studies.no_jobs)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table table-stack">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, studies.started)}</th>
                                    <th scope="col">{t!(i18n, studies.what)}</th>
                                    <th scope="col">{t!(i18n, studies.status)}</th>
                                    <th scope="col">{t!(i18n, studies.progress)}</th>
                                    <th scope="col"></th>
                                </tr></thead>
                                <tbody>{list.into_iter().map(|job| view! { <JobRow job /> }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Library() -> impl IntoView {
    let i18n = use_i18n();
    let changed = expect_context::<JobsChanged>().0;
    let studies = resource::new(move || changed.get(), |_| list_studies(None));
    view! {
        <section class="panel" data-testid="library">
            <h2>{t!(i18n, studies.library_title)}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || studies.get().map(|res| match res {
                    Err(e) => view! { <ErrorNotice error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty-state">{t!(i18n, studies.library_empty)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table table-stack">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, studies.patient_key)}</th>
                                    <th scope="col">{t!(i18n, studies.shifted_date)}</th>
                                    <th scope="col">{t!(i18n, studies.modalities)}</th>
                                    <th scope="col">{t!(i18n, studies.description)}</th>
                                    <th scope="col" class="num">{t!(i18n, studies.series)}</th>
                                    <th scope="col" class="num">{t!(i18n, studies.images)}</th>
                                    <th scope="col" class="num">{t!(i18n, studies.frames)}</th>
                                    <th scope="col">{t!(i18n, studies.imported_at)}</th>
                                    <th scope="col"></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr data-study=s.uid.clone()>
                                            <td><code>{s.patient_key.clone()}</code></td>
                                            <td class="nowrap" data-label=move || t_string!(i18n, studies.shifted_date)>{s.date.clone()}</td>
                                            <td data-label=move || t_string!(i18n, studies.modalities)>{s.modalities.clone()}</td>
                                            <td data-label=move || t_string!(i18n, studies.description)>{s.description.clone()}</td>
                                            <td class="num" data-label=move || t_string!(i18n, studies.series)>{s.series}</td>
                                            <td class="num" data-label=move || t_string!(i18n, studies.images)>{s.instances}</td>
                                            <td class="num" data-label=move || t_string!(i18n, studies.frames)>{s.frames}</td>
                                            <td class="nowrap" data-label=move || t_string!(i18n, studies.imported_at)>{network_date(s.created_at)}</td>
                                            <td><a class="btn btn-small" href=format!("/studies/{}", s.uid)>{t!(i18n, studies.open)}</a></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Studies() -> impl IntoView {
    let i18n = use_i18n();
    provide_context(JobsChanged(RwSignal::new(0)));
    view! {
        <section class="page studies-page">
            <header class="page-head">
                <h1>{t!(i18n, studies.title)}</h1>
                <p class="muted">{t!(i18n, studies.intro)}</p>
            </header>
            <ArchiveSearch />
            <UploadPanel />
            <JobsPanel />
            <Library />
        </section>
    }
}

/// `/studies` for experts.
#[component]
pub fn StudiesPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.studies).to_string() /> <Guarded roles=&[Role::Expert] children=|_| view! { <Studies /> }.into_any() /> }
}
