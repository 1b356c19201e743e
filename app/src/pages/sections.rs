//! The teaching areas. Each explains what will appear and who puts it there until it has content.
use super::guard::Guarded;
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::Role;
use leptos::prelude::*;

/// A teaching area of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Replays,
}

const TEACHING: &[Role] = &[Role::Learner, Role::Expert, Role::Coordinator];

/// The page of one teaching area.
#[allow(non_snake_case)]
pub fn SectionPage(section: Section) -> impl IntoView {
    let i18n = use_i18n();
    let title = move || match section {
        Section::Replays => t_string!(i18n, section.replays_title),
    };
    let empty = move || match section {
        Section::Replays => t_string!(i18n, section.replays_empty),
    };
    let page = move |i: leptos_i18n::I18nContext<Locale>| {
        match section {
            Section::Replays => t_string!(i, page_title.replays),
        }
        .to_string()
    };
    view! {
        <PageTitle page />
        <Guarded
            roles=TEACHING
            children=move |_| {
                view! {
                    <section class="page">
                        <h1>{title}</h1>
                        <div class="empty-state">
                            <p>{empty}</p>
                        </div>
                    </section>
                }
            }
        />
    }
}
