//! `/questions`: the question bank; `/questions/{id}/edit` (`new` for a new question): the
//! question editor.
mod bank;
mod choices;
mod draft;
mod editor;
mod on_clip;

pub use draft::option_letter;

use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::Role;
use crate::pages::guard::Guarded;
use leptos::prelude::*;

/// The `id` of the editor's address for a question not yet saved.
const NEW: &str = "new";

/// The editor's address for question `id` (or [`NEW`]).
fn edit_href(id: &str) -> String {
    format!("/questions/{id}/edit")
}

/// `/questions` for course authors; experts also get the ways to write and edit questions.
#[component]
pub fn QuestionsPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.questions).to_string() />
        <Guarded roles=super::AUTHORS children=|user| view! { <bank::Bank writer=user.role == Role::Expert /> }.into_any() />
    }
}

/// `/questions/{id}/edit` for experts (who write questions).
#[component]
pub fn QuestionEditPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.question_edit).to_string() />
        <Guarded roles=&[Role::Expert] children=|_| view! { <editor::QuestionEditor /> }.into_any() />
    }
}
