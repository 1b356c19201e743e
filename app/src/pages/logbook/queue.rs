//! `/review`: the scans waiting for the signed-in expert's review, oldest first, by site,
//! application and how long they have waited; second-review requests marked.
use super::list::{application_name, entry_row};
use crate::api::competency::{competency_applications, review_queue};
use crate::api::resource;
use crate::api::sites::list_sites;
use crate::components::errors::ErrorNotice;
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::competency::QueueFilter;
use crate::model::{AppError, SiteId};
use leptos::prelude::*;

/// The queue's filters as the selects hold them (empty: any).
fn filter_of(site: &str, application: &str, min_age: &str) -> QueueFilter {
    QueueFilter {
        site: (!site.is_empty()).then(|| SiteId(site.to_string())),
        application: (!application.is_empty()).then(|| application.to_string()),
        min_age_days: min_age.trim().parse().ok(),
    }
}

#[component]
pub(super) fn Queue() -> impl IntoView {
    let i18n = use_i18n();
    let site = RwSignal::new(String::new());
    let application = RwSignal::new(String::new());
    let min_age = RwSignal::new(String::new());
    let choices = resource::new(
        || (),
        |_| async move { Ok::<_, AppError>((list_sites().await?, competency_applications().await?)) },
    );
    let queue = resource::new(
        move || filter_of(&site.get(), &application.get(), &min_age.get()),
        review_queue,
    );
    view! {
        <section class="page review-queue-page">
            <header class="page-head">
                <h1>{t!(i18n, logbook.queue_title)}</h1>
                <p class="muted">{t!(i18n, logbook.queue_intro)}</p>
            </header>
            <Transition fallback=|| ()>
                {move || choices.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok((sites, apps)) => view! {
                        <form class="filters" on:submit=|ev| ev.prevent_default()>
                            <label>{t!(i18n, logbook.site)}
                                <select name="site" bind:value=site>
                                    <option value="">{t!(i18n, logbook.any)}</option>
                                    {sites.into_iter().map(|s| {
                                        let id = s.id.0.clone();
                                        view! { <option value=id>{move || s.name(lang_code(i18n)).to_string()}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>{t!(i18n, logbook.application)}
                                <select name="application" bind:value=application>
                                    <option value="">{t!(i18n, logbook.any)}</option>
                                    {apps.into_iter().map(|a| {
                                        let code = a.code.clone();
                                        view! { <option value=code>{move || a.name(lang_code(i18n)).to_string()}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>{t!(i18n, logbook.min_age)}
                                <input type="number" name="min_age" min="0" class="input-short" bind:value=min_age />
                            </label>
                        </form>
                    }.into_any(),
                })}
            </Transition>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || queue.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(entries) if entries.is_empty() => view! {
                        <div class="empty-state" data-testid="queue-empty"><p>{t!(i18n, logbook.queue_empty)}</p></div>
                    }.into_any(),
                    Ok(entries) => {
                        let apps = choices.get().and_then(Result::ok).map(|(_, a)| a).unwrap_or_default();
                        view! {
                            <div class="table-wrap" tabindex="0">
                                <table class="table table-stack" data-testid="queue">
                                    <caption class="sr-only">{t!(i18n, logbook.queue_title)}</caption>
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, logbook.scan_date)}</th>
                                        <th scope="col">{t!(i18n, logbook.learner)}</th>
                                        <th scope="col">{t!(i18n, logbook.application)}</th>
                                        <th scope="col">{t!(i18n, logbook.site)}</th>
                                        <th scope="col">{t!(i18n, logbook.status)}</th>
                                        <th scope="col" class="num">{t!(i18n, logbook.grade)}</th>
                                        <th scope="col">{t!(i18n, logbook.verdict)}</th>
                                        <th scope="col" class="num">{t!(i18n, logbook.clips)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {entries.into_iter().map(|e| {
                                            let apps = apps.clone();
                                            let code = e.application.clone();
                                            let name = move || application_name(&apps, &code, lang_code(i18n));
                                            view! { {move || entry_row(e.clone(), name(), true)} }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_filters_mean_any() {
        assert_eq!(filter_of("", "", ""), QueueFilter::default());
        let f = filter_of("s1", "efast", " 3 ");
        assert_eq!(f.site, Some(SiteId("s1".into())));
        assert_eq!(f.application.as_deref(), Some("efast"));
        assert_eq!(f.min_age_days, Some(3));
        assert_eq!(filter_of("", "", "-1").min_age_days, None);
    }
}
