//! `/admin/audit`: who did what, newest first, for admins.
use super::guard::Guarded;
use super::people::network_time;
use crate::api::audit::audit_log;
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::{AuditAction, AuditEvent, AuditVia, Role};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

fn action_label(i18n: I18nContext<Locale>, name: &str) -> String {
    let Some(action) = AuditAction::parse(name) else {
        // Written by a newer version: its stored name is better than nothing.
        return name.to_string();
    };
    match action {
        AuditAction::SignIn => t_string!(i18n, audit.sign_in),
        AuditAction::PasswordChanged => t_string!(i18n, audit.password_changed),
        AuditAction::PasswordReset => t_string!(i18n, audit.password_reset),
        AuditAction::UserCreated => t_string!(i18n, audit.user_created),
        AuditAction::UserEnabled => t_string!(i18n, audit.user_enabled),
        AuditAction::UserDisabled => t_string!(i18n, audit.user_disabled),
        AuditAction::SiteUpdated => t_string!(i18n, audit.site_updated),
        AuditAction::ArchiveConfigured => t_string!(i18n, audit.archive_configured),
        AuditAction::ImportStarted => t_string!(i18n, audit.import_started),
        AuditAction::ImportRetried => t_string!(i18n, audit.import_retried),
        AuditAction::ImportFinished => t_string!(i18n, audit.import_finished),
        AuditAction::InstanceRemasked => t_string!(i18n, audit.instance_remasked),
        AuditAction::CaseCreated => t_string!(i18n, audit.case_created),
        AuditAction::CaseTransition => t_string!(i18n, audit.case_transition),
        AuditAction::CaseFollowUp => t_string!(i18n, audit.case_follow_up),
        AuditAction::StudyExported => t_string!(i18n, audit.study_exported),
        AuditAction::HeldReleased => t_string!(i18n, audit.held_released),
        AuditAction::HeldDiscarded => t_string!(i18n, audit.held_discarded),
        AuditAction::DeviceMaskSaved => t_string!(i18n, audit.device_mask_saved),
        AuditAction::DeviceMaskEdited => t_string!(i18n, audit.device_mask_edited),
        AuditAction::DeviceMaskRetired => t_string!(i18n, audit.device_mask_retired),
        AuditAction::CourseSaved => t_string!(i18n, audit.course_saved),
        AuditAction::CoursePublished => t_string!(i18n, audit.course_published),
        AuditAction::QuestionSaved => t_string!(i18n, audit.question_saved),
        AuditAction::QuizSaved => t_string!(i18n, audit.quiz_saved),
        AuditAction::CohortSaved => t_string!(i18n, audit.cohort_saved),
        AuditAction::Enrolled => t_string!(i18n, audit.enrolled),
        AuditAction::DeviceMaskUsed => t_string!(i18n, audit.device_mask_used),
        AuditAction::DicomWebTokenIssued => t_string!(i18n, audit.dicomweb_token_issued),
        AuditAction::DicomWebTokenRevoked => t_string!(i18n, audit.dicomweb_token_revoked),
        AuditAction::GuidanceStarted => t_string!(i18n, audit.guidance_started),
        AuditAction::GuidanceRequested => t_string!(i18n, audit.guidance_requested),
        AuditAction::GuidanceInvited => t_string!(i18n, audit.guidance_invited),
        AuditAction::GuidanceAccepted => t_string!(i18n, audit.guidance_accepted),
        AuditAction::GuidanceDeclined => t_string!(i18n, audit.guidance_declined),
        AuditAction::GuidanceEnded => t_string!(i18n, audit.guidance_ended),
        AuditAction::GuidanceVoiceAttached => t_string!(i18n, audit.guidance_voice_attached),
        AuditAction::ApplicationSaved => t_string!(i18n, audit.application_saved),
        AuditAction::ApplicationRetired => t_string!(i18n, audit.application_retired),
        AuditAction::LogbookSubmitted => t_string!(i18n, audit.logbook_submitted),
        AuditAction::ScanReviewed => t_string!(i18n, audit.scan_reviewed),
        AuditAction::VerdictSettled => t_string!(i18n, audit.verdict_settled),
        AuditAction::CredentialRuleSaved => t_string!(i18n, audit.credential_rule_saved),
        AuditAction::CredentialAwarded => t_string!(i18n, audit.credential_awarded),
        AuditAction::CredentialRevoked => t_string!(i18n, audit.credential_revoked),
        AuditAction::ReplaySaved => t_string!(i18n, audit.replay_saved),
        AuditAction::ReplayTransition => t_string!(i18n, audit.replay_transition),
        AuditAction::ReplayDiscarded => t_string!(i18n, audit.replay_discarded),
        AuditAction::ReplayImported => t_string!(i18n, audit.replay_imported),
    }
    .to_string()
}

fn via_label(i18n: I18nContext<Locale>, via: AuditVia) -> String {
    match via {
        AuditVia::Web => t_string!(i18n, audit.via_web),
        AuditVia::DicomWeb => t_string!(i18n, audit.via_dicomweb),
        AuditVia::CStore => t_string!(i18n, audit.via_cstore),
        AuditVia::Job => t_string!(i18n, audit.via_job),
    }
    .to_string()
}

#[component]
fn AuditRows(events: Vec<AuditEvent>) -> impl IntoView {
    let i18n = use_i18n();
    events
        .into_iter()
        .map(|e| {
            let action = e.action.clone();
            let via = e.via;
            view! {
                <tr data-action=e.action.clone() data-via=via.as_str()>
                    <td class="nowrap">{network_time(e.at)}</td>
                    <td data-label=move || t_string!(i18n, audit.actor)><code>{e.actor.unwrap_or_default()}</code></td>
                    <td data-label=move || t_string!(i18n, audit.action)>{move || action_label(i18n, &action)}</td>
                    <td data-label=move || t_string!(i18n, audit.via)>{move || via_label(i18n, via)}</td>
                    <td data-label=move || t_string!(i18n, audit.subject)><code>{e.subject.unwrap_or_default()}</code></td>
                    <td data-label=move || t_string!(i18n, audit.detail)><code class="detail">{e.detail}</code></td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn Audit() -> impl IntoView {
    let i18n = use_i18n();
    let before = RwSignal::new(None::<i64>);
    let events = resource::new(move || before.get(), audit_log);
    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, audit.title)}</h1>
                <p class="muted">{t!(i18n, audit.intro)}</p>
            </header>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || events.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty-state">{t!(i18n, audit.empty)}</p> }.into_any(),
                    Ok(list) => {
                        let oldest = list.last().map(|e| e.at);
                        let full = list.len() == 50;
                        view! {
                            <div class="table-wrap" tabindex="0">
                                <table class="table table-stack" data-testid="audit-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, audit.when)}</th>
                                            <th scope="col">{t!(i18n, audit.actor)}</th>
                                            <th scope="col">{t!(i18n, audit.action)}</th>
                                            <th scope="col">{t!(i18n, audit.via)}</th>
                                            <th scope="col">{t!(i18n, audit.subject)}</th>
                                            <th scope="col">{t!(i18n, audit.detail)}</th>
                                        </tr>
                                    </thead>
                                    <tbody><AuditRows events=list /></tbody>
                                </table>
                            </div>
                            <p class="pager">
                                <button type="button" class="btn" disabled=before.get().is_none() on:click=move |_| before.set(None)>
                                    {t!(i18n, audit.newest)}
                                </button>
                                <button type="button" class="btn" disabled=!full on:click=move |_| before.set(oldest)>
                                    {t!(i18n, audit.older)}
                                </button>
                            </p>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/admin/audit` for admins.
#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.audit).to_string() /> <Guarded roles=&[Role::Admin] children=|_| view! { <Audit /> }.into_any() /> }
}
