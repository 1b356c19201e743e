//! The scan logbook: `/logbook` (a learner's entries), `/logbook/new` and `/logbook/{id}/edit`
//! (recording a scan), `/logbook/{id}` (an entry, and the expert's review screen when they may
//! review it) and `/review` (the expert's queue).
mod editor;
mod entry;
mod list;
mod queue;
mod reading;

use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::Role;
use crate::model::competency::{EntryStatus, Grade, Verdict};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// Who may open an entry's page; the server decides which entries each of them reads.
const ENTRY_READERS: &[Role] = &[Role::Learner, Role::Expert, Role::Coordinator];

/// The translated status of an entry.
pub fn status_label(i18n: I18nContext<Locale>, status: EntryStatus) -> &'static str {
    match status {
        EntryStatus::Draft => t_string!(i18n, logbook.status_draft),
        EntryStatus::Submitted => t_string!(i18n, logbook.status_submitted),
        EntryStatus::Reviewed => t_string!(i18n, logbook.status_reviewed),
    }
}

/// The translated verdict.
pub fn verdict_label(i18n: I18nContext<Locale>, verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Agree => t_string!(i18n, logbook.verdict_agree),
        Verdict::Disagree => t_string!(i18n, logbook.verdict_disagree),
        Verdict::MissedFinding => t_string!(i18n, logbook.verdict_missed_finding),
        Verdict::TruePositive => t_string!(i18n, logbook.verdict_true_positive),
        Verdict::FalsePositive => t_string!(i18n, logbook.verdict_false_positive),
        Verdict::TrueNegative => t_string!(i18n, logbook.verdict_true_negative),
        Verdict::FalseNegative => t_string!(i18n, logbook.verdict_false_negative),
    }
}

/// The ACEP image-quality scale's wording at `grade`.
pub fn grade_wording(i18n: I18nContext<Locale>, grade: Grade) -> &'static str {
    match grade.value() {
        1 => t_string!(i18n, logbook.grade_1),
        2 => t_string!(i18n, logbook.grade_2),
        3 => t_string!(i18n, logbook.grade_3),
        4 => t_string!(i18n, logbook.grade_4),
        _ => t_string!(i18n, logbook.grade_5),
    }
}

/// `/logbook` for learners.
#[component]
pub fn LogbookPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.logbook).to_string() />
        <Guarded roles=&[Role::Learner] children=|_| view! { <list::Logbook /> }.into_any() />
    }
}

/// `/logbook/{id}`: the entry; the review screen for an expert who may review it.
#[component]
pub fn EntryPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.logbook_entry).to_string() />
        <Guarded roles=ENTRY_READERS children=|_| view! { <entry::Entry /> }.into_any() />
    }
}

/// `/logbook/new` and `/logbook/{id}/edit`: a learner records a scan or edits a draft.
#[component]
pub fn EntryEditorPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.logbook_editor).to_string() />
        <Guarded roles=&[Role::Learner] children=|user| view! { <editor::Editor user /> }.into_any() />
    }
}

/// `/review` for experts.
#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.review_queue).to_string() />
        <Guarded roles=&[Role::Expert] children=|_| view! { <queue::Queue /> }.into_any() />
    }
}
