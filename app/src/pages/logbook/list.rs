//! `/logbook`: the learner's entries, newest scan first (a table on a desktop, a card per
//! entry on a phone), and the way to log a new scan.
use super::{status_label, verdict_label};
use crate::api::competency::{competency_applications, my_logbook};
use crate::api::resource;
use crate::components::errors::ErrorNotice;
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::AppError;
use crate::model::competency::{ApplicationForm, EntrySummary};
use leptos::prelude::*;

/// The application's name in the page's language, its code when it is not in the catalogue.
pub fn application_name(apps: &[ApplicationForm], code: &str, lang: &str) -> String {
    apps.iter()
        .find(|a| a.code == code)
        .map(|a| a.name(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// One entry as a table row (a card on a phone, through `table-stack`).
pub fn entry_row(entry: EntrySummary, app: String, show_learner: bool) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/logbook/{}", entry.id);
    let (site_zh, site_en) = (entry.site_zh.clone(), entry.site_en.clone());
    let status = entry.status;
    let verdict = entry.verdict;
    let second = entry.wants_second;
    let learner = entry.learner_name.clone();
    view! {
        <tr data-entry=entry.id.clone() data-status=status.as_str()>
            <td class="nowrap"><a href=href>{entry.scanned_on.to_string()}</a></td>
            {show_learner.then(|| view! { <td data-label=move || t_string!(i18n, logbook.learner)>{learner.clone()}</td> })}
            <td data-label=move || t_string!(i18n, logbook.application)>{app}</td>
            <td data-label=move || t_string!(i18n, logbook.site)>
                {move || if lang_code(i18n) == "zh" { site_zh.clone() } else { site_en.clone() }}
            </td>
            <td data-label=move || t_string!(i18n, logbook.status)>
                {move || status_label(i18n, status)}
                {second.then(|| view! { " " <span class="badge badge-second" data-testid="second-review">{t!(i18n, logbook.second_review)}</span> })}
            </td>
            <td class="num" data-label=move || t_string!(i18n, logbook.grade)>
                {entry.grade.map(|g| g.to_string()).unwrap_or_else(|| "—".into())}
            </td>
            <td data-label=move || t_string!(i18n, logbook.verdict)>
                {move || verdict.map(|v| verdict_label(i18n, v)).unwrap_or("—")}
            </td>
            <td class="num" data-label=move || t_string!(i18n, logbook.clips)>{entry.clips}</td>
        </tr>
    }
}

#[component]
pub(super) fn Logbook() -> impl IntoView {
    let i18n = use_i18n();
    let data = resource::new(
        || (),
        |_| async move { Ok::<_, AppError>((my_logbook().await?, competency_applications().await?)) },
    );
    view! {
        <section class="page logbook-page">
            <header class="page-head logbook-head">
                <div>
                    <h1>{t!(i18n, logbook.title)}</h1>
                    <p class="muted">{t!(i18n, logbook.intro)}</p>
                </div>
                <a class="btn btn-primary" href="/logbook/new" data-testid="log-scan">{t!(i18n, logbook.log_scan)}</a>
            </header>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || data.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok((entries, _)) if entries.is_empty() => view! {
                        <div class="empty-state" data-testid="logbook-empty"><p>{t!(i18n, logbook.empty)}</p></div>
                    }.into_any(),
                    Ok((entries, apps)) => view! {
                        <div class="table-wrap" tabindex="0">
                            <table class="table table-stack" data-testid="logbook">
                                <caption class="sr-only">{t!(i18n, logbook.title)}</caption>
                                <thead><tr>
                                    <th scope="col">{t!(i18n, logbook.scan_date)}</th>
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
                                        view! { {move || entry_row(e.clone(), name(), false)} }
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

#[cfg(test)]
mod tests {
    use super::application_name;
    use crate::model::competency::{ApplicationForm, ReviewForm};

    #[test]
    fn an_application_is_named_in_the_page_language_or_by_code() {
        let apps = vec![ApplicationForm {
            code: "efast".into(),
            name_zh: "扩展创伤超声".into(),
            name_en: "eFAST".into(),
            emergency: true,
            form: ReviewForm {
                fields: vec![],
                rubric: None,
            },
            retired: false,
        }];
        assert_eq!(application_name(&apps, "efast", "zh"), "扩展创伤超声");
        assert_eq!(application_name(&apps, "efast", "en"), "eFAST");
        assert_eq!(application_name(&apps, "gone", "en"), "gone");
    }
}
