//! `/courses/{id}`: a course's outline as the signed-in person stands in it: modules open,
//! done or locked (with what unlocks them), lessons done, where to continue, the completion
//! record; enrolment where the course allows it; cohorts for authors and coordinators.
use super::{TEACHING, kind_label, percent, progress_text};
use crate::api::courses::{CreateCohort, EnrolSelf, course_cohorts, get_course};
use crate::api::resource;
use crate::api::sites::list_sites;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::courses::{
    CohortInput, CohortView, CourseId, CourseOverview, ModuleState, ModuleView,
};
use crate::model::{AppError, Permission, Site, text_lang};
use crate::pages::guard::Guarded;
use crate::pages::people::network_date;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
fn Module(course: CourseId, module: ModuleView, n: usize) -> impl IntoView {
    let i18n = use_i18n();
    let state = module.state;
    let locked = state == ModuleState::Locked;
    let needs = module.prerequisites.join("、");
    view! {
        <li class="module" data-module=module.key.clone() data-state=match state { ModuleState::Locked => "locked", ModuleState::Open => "open", ModuleState::Done => "done" }>
            <div class="module-head">
                <h3><span class="module-n">{n}". "</span><span lang=text_lang(&module.title)>{module.title.clone()}</span></h3>
                <span class=match state { ModuleState::Done => "badge badge-ok", ModuleState::Open => "badge badge-app", ModuleState::Locked => "badge badge-retired" }>
                    {move || match state {
                        ModuleState::Done => t_string!(i18n, courses.module_done),
                        ModuleState::Open => t_string!(i18n, courses.module_open),
                        ModuleState::Locked => t_string!(i18n, courses.module_locked),
                    }}
                </span>
            </div>
            {locked.then(|| view! { <p class="small muted">{move || t_string!(i18n, courses.unlocks_after, modules = needs.clone()).to_string()}</p> })}
            <ol class="lessons">
                {module.lessons.into_iter().map(|lesson| {
                    let kind = lesson.kind.clone();
                    let title = lesson.title.clone();
                    let href = format!("/courses/{course}/lessons/{}", lesson.key);
                    let done = lesson.done;
                    let required = lesson.required;
                    view! {
                        <li class="lesson" data-lesson=lesson.key.clone() data-done=done.to_string()>
                            <span class="lesson-tick" aria-hidden="true">{if done { "✓" } else { "○" }}</span>
                            {if locked {
                                view! { <span class="lesson-title muted" lang=text_lang(&title)>{title.clone()}</span> }.into_any()
                            } else {
                                view! { <a class="lesson-title" href=href lang=text_lang(&title)>{title.clone()}</a> }.into_any()
                            }}
                            <span class="badge">{move || kind_label(i18n, &kind)}</span>
                            {(!required).then(|| view! { <span class="small muted">{t!(i18n, courses.optional)}</span> })}
                            <span class="sr-only">{move || if done { t_string!(i18n, courses.lesson_done) } else { t_string!(i18n, courses.lesson_todo) }}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </li>
    }
}

#[component]
fn Completed(at: i64, score: Option<f64>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel completion" data-testid="completion" role="status">
            <h2>{t!(i18n, courses.completion_title)}</h2>
            <p>{move || t_string!(i18n, courses.completed_on, date = network_date(at)).to_string()}</p>
            {score.map(|s| view! { <p>{move || t_string!(i18n, courses.final_score, score = percent(s)).to_string()}</p> })}
        </section>
    }
}

#[component]
fn CohortForm(course: CourseId, sites: Sites, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateCohort>::new();
    let name = RwSignal::new(String::new());
    let site = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            name.set(String::new());
            on_done.run(());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let site = site.get_untracked();
        let due = due.get_untracked();
        create.dispatch(CreateCohort {
            course: course.clone(),
            cohort: CohortInput {
                name: name.get_untracked(),
                site: crate::model::SiteId::parse(&site).ok(),
                people: Vec::new(),
                due: (!due.is_empty()).then_some(due),
            },
        });
    };
    view! {
        <form class="form-grid" on:submit=submit data-testid="cohort-form">
            <label class="field">{t!(i18n, courses.cohort_name)}<input required bind:value=name /></label>
            <label class="field">{t!(i18n, courses.cohort_site)}
                <select bind:value=site>
                    <option value="">"—"</option>
                    <Transition>
                        {move || sites.get().and_then(Result::ok).map(|list| list.into_iter().filter(|s| s.active).map(|s| {
                            view! { <option value=s.id.0.clone()>{move || if crate::components::layout::lang_code(i18n) == "en" { s.name_en.clone() } else { s.name_zh.clone() }}</option> }
                        }).collect_view())}
                    </Transition>
                </select>
            </label>
            <label class="field">{t!(i18n, courses.cohort_due)}<input type="date" bind:value=due /></label>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>{t!(i18n, courses.cohort_create)}</button>
                {move || match create.value().get() {
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                    _ => None,
                }}
            </div>
        </form>
    }
}

type Sites = resource::Resource<Result<Vec<Site>, AppError>>;

/// The cohorts panel's data, loaded beside the course rather than inside its outline: a
/// resource made only once the course has arrived would be numbered differently on the server
/// (which renders the page more than once) and in the browser, which then hydrates it without
/// its data.
#[derive(Clone, Copy)]
struct CohortData {
    cohorts: resource::Resource<Result<Vec<CohortView>, AppError>>,
    /// The sites a new cohort may be for: for those who may enrol people.
    sites: Option<Sites>,
    tick: RwSignal<u32>,
}

#[component]
fn Cohorts(course: CourseId, data: CohortData) -> impl IntoView {
    let i18n = use_i18n();
    let CohortData {
        cohorts,
        sites,
        tick,
    } = data;
    view! {
        <section class="panel" data-testid="cohorts">
            <h2>{t!(i18n, courses.cohorts)}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || cohorts.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty-state">{t!(i18n, courses.no_cohorts)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table table-stack">
                                <thead><tr>
                                    <th scope="col">{t!(i18n, courses.cohort_name)}</th>
                                    <th scope="col">{t!(i18n, courses.cohort_site)}</th>
                                    <th scope="col">{t!(i18n, courses.cohort_due)}</th>
                                    <th scope="col" class="num">{t!(i18n, courses.members)}</th>
                                    <th scope="col" class="num">{t!(i18n, courses.completed_count)}</th>
                                </tr></thead>
                                <tbody>{list.into_iter().map(|c| view! {
                                    <tr>
                                        <td>{c.name.clone()}</td>
                                        <td data-label=move || t_string!(i18n, courses.cohort_site)>{
                                            // A cohort with no site is open to every site: shown as a dash, not an empty cell.
                                            let (zh, en) = (c.site.clone().unwrap_or_else(|| "—".into()), c.site_en.clone().unwrap_or_else(|| "—".into()));
                                            move || if crate::components::layout::lang_code(i18n) == "en" { en.clone() } else { zh.clone() }
                                        }</td>
                                        <td data-label=move || t_string!(i18n, courses.cohort_due)>{c.due.clone().unwrap_or_else(|| "—".into())}</td>
                                        <td class="num" data-label=move || t_string!(i18n, courses.members)>{c.members}</td>
                                        <td class="num" data-label=move || t_string!(i18n, courses.completed_count)>{c.completed}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
            {sites.map(|sites| view! {
                <h3>{t!(i18n, courses.new_cohort)}</h3>
                <CohortForm course=course.clone() sites on_done=Callback::new(move |_| tick.update(|n| *n += 1)) />
            })}
        </section>
    }
}

#[component]
fn Outline(
    course: CourseOverview,
    cohorts: Option<CohortData>,
    refetch: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let enrol = ServerAction::<EnrolSelf>::new();
    Effect::new(move |_| {
        if matches!(enrol.value().get(), Some(Ok(()))) {
            refetch.run(());
        }
    });
    let id = course.id.clone();
    let progress = course.progress;
    let resume = course
        .resume
        .clone()
        .map(|key| format!("/courses/{}/lessons/{key}", course.id));
    view! {
        <header class="page-head">
            <p class="breadcrumb"><a href="/courses">{t!(i18n, courses.title)}</a>
                {course.may_manage.then(|| view! { " · " <a href=format!("/courses/{}/edit", course.id) data-testid="edit-course">{t!(i18n, course_edit.edit_course)}</a> })}
            </p>
            <h1 lang=text_lang(&course.title)>{course.title.clone()}</h1>
            <div class="prose" lang=text_lang(&course.summary_html) inner_html=course.summary_html.clone()></div>
        </header>
        {course.completed.map(|(at, score)| view! { <Completed at score /> })}
        // The progress panel only when it has something to say: a coordinator or expert who is
        // not enrolled and may not enrol would otherwise get an empty box.
        {(course.enrolled || course.due.is_some() || course.newer_version || resume.is_some() || course.may_self_enrol).then(|| view! {
        <section class="panel course-progress-panel">
            {course.enrolled.then(|| view! {
                <progress class="course-progress" max=progress.required.max(1) value=progress.required_done
                    aria-label=move || progress_text(i18n, progress) data-testid="course-progress"></progress>
                <p data-testid="course-progress-text">{move || progress_text(i18n, progress)}</p>
            })}
            {course.due.clone().map(|due| view! { <p>{move || t_string!(i18n, courses.due, date = due.clone()).to_string()}</p> })}
            {course.newer_version.then(|| view! { <p class="small muted">{t!(i18n, courses.newer_version)}</p> })}
            <div class="form-actions">
                {resume.map(|href| view! { <a class="btn btn-primary" href=href data-testid="resume">{t!(i18n, courses.resume)}</a> })}
                {course.may_self_enrol.then(|| view! {
                    <button type="button" class="btn btn-primary" data-testid="enrol"
                        disabled=move || enrol.pending().get()
                        on:click=move |_| { enrol.dispatch(EnrolSelf { id: id.0.clone() }); }>
                        {t!(i18n, courses.enrol)}
                    </button>
                })}
                {move || match enrol.value().get() {
                    Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                    _ => None,
                }}
            </div>
        </section>
        })}
        <section aria-labelledby="modules-title">
            <h2 id="modules-title">{t!(i18n, courses.modules)}</h2>
            <ol class="modules" data-testid="modules">
                {course.modules.into_iter().enumerate().map(|(i, module)| view! { <Module course=course.id.clone() module n=i + 1 /> }).collect_view()}
            </ol>
        </section>
        {course.may_manage.then_some(cohorts).flatten().map(|data| view! { <Cohorts course=course.id.clone() data /> })}
    }
    .into_any()
}

#[component]
fn CoursePage_(may_author: bool, may_enrol: bool) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let tick = RwSignal::new(0u32);
    let course = resource::blocking(
        move || (tick.get(), params.with(|p| p.get("id").unwrap_or_default())),
        |(_, id)| get_course(id),
    );
    let cohorts = may_author.then(|| {
        let tick = RwSignal::new(0u32);
        CohortData {
            cohorts: resource::new(
                move || (tick.get(), params.with(|p| p.get("id").unwrap_or_default())),
                |(_, id)| course_cohorts(id),
            ),
            sites: may_enrol.then(|| resource::new(|| (), |_| list_sites())),
            tick,
        }
    });
    let refetch = Callback::new(move |_| tick.update(|n| *n += 1));
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || course.get().map(|res| match res {
                Ok(course) => view! { <Outline course cohorts refetch /> }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </Transition>
    }
}

/// `/courses/{id}`.
#[component]
pub fn CoursePage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.course).to_string() />
        <section class="page course-page">
            <Guarded roles=TEACHING children=|user| view! { <CoursePage_ may_author=user.may(Permission::AuthorCourses) may_enrol=user.may(Permission::ManageEnrolment) /> }.into_any() />
        </section>
    }
}
