//! `/courses`: the learner's courses (progress, due date, completion) and the courses open to
//! them; authors also see drafts and reach the quizzes' item analysis.
use super::{TEACHING, progress_text};
use crate::api::courses::course_catalogue;
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::courses::CourseCard;
use crate::model::{Permission, text_lang};
use crate::pages::guard::Guarded;
use crate::pages::people::network_date;
use leptos::prelude::*;

#[component]
fn Card(card: CourseCard) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/courses/{}", card.id);
    let progress = card.progress;
    let status = match (card.completed_at, progress, card.published) {
        (Some(at), _, _) => {
            view! { <span class="badge badge-ok">{move || t_string!(i18n, courses.completed_on, date = network_date(at)).to_string()}</span> }.into_any()
        }
        (None, Some(_), _) => view! { <span class="badge badge-app">{t!(i18n, courses.enrolled)}</span> }.into_any(),
        (None, None, false) => view! { <span class="badge badge-retired">{t!(i18n, courses.draft)}</span> }.into_any(),
        (None, None, true) if card.self_enrol => view! { <span class="badge">{t!(i18n, courses.open_enrolment)}</span> }.into_any(),
        (None, None, true) => ().into_any(),
    };
    let (modules, lessons) = (card.modules, card.lessons);
    view! {
        <li class="card course-card" data-course=card.id.0.clone()>
            <a href=href>
                <h3 lang=text_lang(&card.title)>{card.title.clone()}</h3>
                <p>{move || t_string!(i18n, courses.size, modules = modules, lessons = lessons).to_string()}</p>
                <p class="course-status">{status}</p>
                {progress.map(|p| view! {
                    <progress class="course-progress" max=p.required.max(1) value=p.required_done
                        aria-label=move || progress_text(i18n, p)></progress>
                    <p class="small">{move || progress_text(i18n, p)}</p>
                })}
                {card.due.clone().map(|due| view! {
                    <p class="small">{move || t_string!(i18n, courses.due, date = due.clone()).to_string()}</p>
                })}
            </a>
        </li>
    }
}

#[component]
fn Catalogue(author: bool) -> impl IntoView {
    let i18n = use_i18n();
    let cards = resource::new(|| (), |_| course_catalogue());
    view! {
        <header class="page-head">
            <h1>{t!(i18n, courses.title)}</h1>
            <p class="muted">{t!(i18n, courses.intro)}</p>
            {author.then(|| view! {
                <p class="form-actions">
                    <a class="btn btn-primary" href="/courses/new/edit" data-testid="new-course">{t!(i18n, course_edit.new_course)}</a>
                    <a href="/quizzes" data-testid="quizzes-link">{t!(i18n, courses.quizzes_link)}</a>
                </p>
            })}
        </header>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || cards.get().map(|res| match res {
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="empty-state">{t!(i18n, courses.none)}</p> }.into_any(),
                Ok(list) => {
                    let (mine, open): (Vec<_>, Vec<_>) = list.into_iter().partition(|c| c.progress.is_some());
                    view! {
                        {(!mine.is_empty()).then(|| view! {
                            <section aria-labelledby="my-courses">
                                <h2 id="my-courses">{t!(i18n, courses.mine)}</h2>
                                <ul class="cards" data-testid="my-courses">
                                    {mine.into_iter().map(|card| view! { <Card card /> }).collect_view()}
                                </ul>
                            </section>
                        })}
                        {(!open.is_empty()).then(|| view! {
                            <section aria-labelledby="other-courses">
                                <h2 id="other-courses">{t!(i18n, courses.others)}</h2>
                                <ul class="cards" data-testid="other-courses">
                                    {open.into_iter().map(|card| view! { <Card card /> }).collect_view()}
                                </ul>
                            </section>
                        })}
                    }.into_any()
                }
            })}
        </Transition>
    }
}

/// `/courses` for everyone who learns or teaches.
#[component]
pub fn CoursesPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.courses).to_string() />
        <section class="page">
            <Guarded roles=TEACHING children=|user| view! { <Catalogue author=user.may(Permission::AuthorCourses) /> }.into_any() />
        </section>
    }
}
