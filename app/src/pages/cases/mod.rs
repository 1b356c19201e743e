//! `/cases`: the case library. Everyone signed in searches published cases (Chinese or
//! English substrings), filters and sorts them; experts also reach their workbench.
pub mod case;
pub mod edit;
pub mod solve;
pub mod work;

use super::guard::Guarded;
use crate::api::cases::{applications, search_cases};
use crate::api::resource;
use crate::api::sites::list_sites;
use crate::components::errors::ErrorNotice;
use crate::components::layout::PageTitle;
use crate::components::layout::lang_code;
use crate::components::scores::{grade_label, tirads_label};
use crate::i18n::*;
use crate::model::cases::{CaseQuery, CaseSort, CaseSummary, Concordance, FollowUpKind};
use crate::model::{Application, CaseStatus, Difficulty, Role, Sex, text_lang};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;

/// The roles that read the library (admins run the system, they do not learn from it).
pub const READERS: &[Role] = &[Role::Learner, Role::Expert, Role::Coordinator];

/// The name of an application code in the page's language.
pub fn app_name(apps: &[Application], code: &str, lang: &str) -> String {
    apps.iter()
        .find(|a| a.code == code)
        .map(|a| a.name(lang).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn difficulty_label(i18n: I18nContext<Locale>, d: Difficulty) -> String {
    match d {
        Difficulty::Basic => t_string!(i18n, cases.difficulty_basic),
        Difficulty::Intermediate => t_string!(i18n, cases.difficulty_intermediate),
        Difficulty::Advanced => t_string!(i18n, cases.difficulty_advanced),
    }
    .to_string()
}

pub fn status_label(i18n: I18nContext<Locale>, s: CaseStatus) -> String {
    match s {
        CaseStatus::Draft => t_string!(i18n, cases.status_draft),
        CaseStatus::InReview => t_string!(i18n, cases.status_in_review),
        CaseStatus::Published => t_string!(i18n, cases.status_published),
        CaseStatus::Retired => t_string!(i18n, cases.status_retired),
    }
    .to_string()
}

pub fn sex_label(i18n: I18nContext<Locale>, s: Sex) -> String {
    match s {
        Sex::Female => t_string!(i18n, cases.sex_female),
        Sex::Male => t_string!(i18n, cases.sex_male),
        Sex::Unknown => t_string!(i18n, cases.sex_unknown),
    }
    .to_string()
}

pub fn follow_kind_label(i18n: I18nContext<Locale>, k: FollowUpKind) -> String {
    match k {
        FollowUpKind::Fna => t_string!(i18n, cases.kind_fna),
        FollowUpKind::Histopathology => t_string!(i18n, cases.kind_histopathology),
        FollowUpKind::Surgery => t_string!(i18n, cases.kind_surgery),
        FollowUpKind::Imaging => t_string!(i18n, cases.kind_imaging),
        FollowUpKind::Clinical => t_string!(i18n, cases.kind_clinical),
    }
    .to_string()
}

pub fn concordance_label(i18n: I18nContext<Locale>, c: Concordance) -> String {
    match c {
        Concordance::Concordant => t_string!(i18n, cases.concordant),
        Concordance::Discordant => t_string!(i18n, cases.discordant),
        Concordance::Pending => t_string!(i18n, cases.pending),
    }
    .to_string()
}

/// Bethesda category in Roman numerals.
pub fn roman(n: u8) -> &'static str {
    ["", "I", "II", "III", "IV", "V", "VI"]
        .get(usize::from(n))
        .copied()
        .unwrap_or("")
}

/// One case in a list: title, application, level or grade, outcome marks and tags.
#[component]
pub fn CaseCard(
    case: CaseSummary,
    apps: Vec<Application>,
    #[prop(optional)] href: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = href.unwrap_or_else(|| format!("/cases/{}", case.id.0));
    let app = case.application.clone();
    let difficulty = case.difficulty;
    let status = case.status;
    let sex = case.sex;
    let tirads = case.tirads;
    let grade = case.grade;
    view! {
        <li class="case-card" data-case=case.id.0.clone()>
            <a class="case-card-link" href=href>
                <span class="case-card-title" lang=text_lang(&case.title)>{case.title.clone()}</span>
            </a>
            <div class="case-card-meta">
                <span class="badge badge-app">{move || app_name(&apps, &app, lang_code(i18n))}</span>
                <span class="badge">{move || difficulty_label(i18n, difficulty)}</span>
                {(status != CaseStatus::Published).then(|| view! {
                    <span class=format!("badge status-{}", status.as_str())>{move || status_label(i18n, status)}</span>
                })}
                {tirads.map(|l| view! { <span class="badge badge-level" data-tr=l.number()>{tirads_label(l)}</span> })}
                {grade.map(|g| view! { <span class="badge badge-level">{move || grade_label(i18n, g)}</span> })}
                {case.has_pathology.then(|| view! { <span class="badge badge-ok">{move || t_string!(i18n, cases.has_pathology_badge)}</span> })}
            </div>
            <p class="case-card-dx" lang=text_lang(&case.diagnosis)>{case.diagnosis.clone()}</p>
            <p class="muted small">
                {format!("{} · ", case.age_band.label())}{move || sex_label(i18n, sex)}
                // A case from no site (or no author on record) leaves no empty "· ·".
                {[case.site_code.as_str(), case.author_name.as_str()]
                    .into_iter()
                    .filter(|part| !part.trim().is_empty())
                    .map(|part| format!(" · {part}"))
                    .collect::<String>()}
                {move || t_string!(i18n, cases.card_counts, follow_ups = case.follow_ups, comments = case.comments)}
            </p>
            <TagLinks tags=case.tags.clone() />
        </li>
    }
}

/// A query value in a URL.
pub fn urlencode(s: &str) -> String {
    crate::pages::guard::percent_encode(s, b"")
}

/// A case's tags, each a link to the library filtered by it.
#[component]
pub fn TagLinks(tags: Vec<String>) -> impl IntoView {
    (!tags.is_empty()).then(|| {
        view! {
            <ul class="tags">
                {tags
                    .into_iter()
                    .map(|t| {
                        view! {
                            <li>
                                <a href=format!("/cases?tag={}", urlencode(&t))>{format!("#{t}")}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

/// The query the page's address describes.
fn query_from_url(get: impl Fn(&str) -> Option<String>) -> CaseQuery {
    let text = |k: &str| get(k).unwrap_or_default();
    CaseQuery {
        text: text("q"),
        application: text("app"),
        diagnosis: text("dx"),
        tirads: get("tr").and_then(|v| v.parse().ok()),
        has_pathology: match text("path").as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        difficulty: Difficulty::parse(&text("difficulty")),
        tag: text("tag"),
        site: text("site"),
        sort: CaseSort::parse(&text("sort")),
        page: get("page").and_then(|v| v.parse().ok()).unwrap_or(0),
    }
}

/// The address of a query (for pagination links).
fn url_of(q: &CaseQuery) -> String {
    let mut parts = Vec::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    };
    put("q", &q.text);
    put("app", &q.application);
    put("dx", &q.diagnosis);
    put("tr", &q.tirads.map(|t| t.to_string()).unwrap_or_default());
    put(
        "path",
        match q.has_pathology {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        },
    );
    put(
        "difficulty",
        q.difficulty.map(|d| d.as_str()).unwrap_or_default(),
    );
    put("tag", &q.tag);
    put("site", &q.site);
    if q.sort != CaseSort::Newest {
        put("sort", q.sort.as_str());
    }
    if q.page > 0 {
        put("page", &q.page.to_string());
    }
    if parts.is_empty() {
        "/cases".into()
    } else {
        format!("/cases?{}", parts.join("&"))
    }
}

#[component]
fn Library(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| query_from_url(|k| p.get(k))));
    let results = resource::new(move || query.get(), search_cases);
    let apps = resource::new(|| (), |_| applications());
    let sites = resource::new(|| (), |_| list_sites());
    let q = move || query.get();
    let selected = move |v: String, current: String| v == current;
    view! {
        <section class="page cases-page">
            <header class="page-head">
                <h1>{t!(i18n, cases.title)}</h1>
                <p class="muted">{t!(i18n, cases.intro)}</p>
                <nav class="subnav" aria-label=move || t_string!(i18n, cases.sections)>
                    {(role == Role::Expert).then(|| view! {
                        <a class="btn btn-small" href="/cases/work">{t!(i18n, cases.workbench)}</a>
                        <a class="btn btn-small" href="/cases/follow-ups">{t!(i18n, cases.awaiting)}</a>
                    })}
                    <a class="btn btn-small" href="/cases/outcomes">{t!(i18n, cases.outcomes)}</a>
                </nav>
            </header>
            <form class="panel case-search" method="get" action="/cases" role="search" data-testid="case-search">
                <label class="field field-wide">{t!(i18n, cases.search_label)}
                    <input type="search" name="q" prop:value=move || q().text placeholder=move || t_string!(i18n, cases.search_placeholder) data-testid="case-search-text" />
                </label>
                <div class="form-grid">
                    <label class="field">{t!(i18n, cases.application)}
                        <Suspense fallback=|| view! { <select disabled></select> }>
                            {move || apps.get().map(|res| {
                                let list = res.unwrap_or_default();
                                view! {
                                    <select name="app">
                                        <option value="">{t!(i18n, cases.any)}</option>
                                        {list.into_iter().map(|a| {
                                    let code = a.code.clone();
                                    let value = a.code.clone();
                                    view! { <option value=value selected=move || selected(code.clone(), q().application)>{move || a.name(lang_code(i18n)).to_string()}</option> }
                                }).collect_view()}
                                    </select>
                                }
                            })}
                        </Suspense>
                    </label>
                    <label class="field">{t!(i18n, cases.diagnosis)}
                        <input name="dx" prop:value=move || q().diagnosis />
                    </label>
                    <label class="field">{t!(i18n, cases.tirads)}
                        <select name="tr">
                            <option value="">{t!(i18n, cases.any)}</option>
                            {(1..=5u8).map(|n| view! { <option value=n.to_string() selected=move || q().tirads == Some(n)>{format!("TR{n}")}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">{t!(i18n, cases.has_pathology)}
                        <select name="path">
                            <option value="">{t!(i18n, cases.any)}</option>
                            <option value="yes" selected=move || q().has_pathology == Some(true)>{t!(i18n, cases.yes)}</option>
                            <option value="no" selected=move || q().has_pathology == Some(false)>{t!(i18n, cases.no)}</option>
                        </select>
                    </label>
                    <label class="field">{t!(i18n, cases.difficulty)}
                        <select name="difficulty">
                            <option value="">{t!(i18n, cases.any)}</option>
                            {Difficulty::ALL.into_iter().map(|d| view! { <option value=d.as_str() selected=move || q().difficulty == Some(d)>{move || difficulty_label(i18n, d)}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">{t!(i18n, cases.tag)}
                        <input name="tag" prop:value=move || q().tag />
                    </label>
                    <label class="field">{t!(i18n, cases.site)}
                        <Suspense fallback=|| view! { <select disabled></select> }>
                            {move || sites.get().map(|res| {
                                let list = res.unwrap_or_default();
                                view! {
                                    <select name="site">
                                        <option value="">{t!(i18n, cases.any)}</option>
                                        {list.into_iter().map(|s| {
                                    let code = s.code.clone();
                                    let value = s.code.clone();
                                    view! { <option value=value selected=move || selected(code.clone(), q().site)>{move || format!("{} · {}", s.code, s.name(lang_code(i18n)))}</option> }
                                }).collect_view()}
                                    </select>
                                }
                            })}
                        </Suspense>
                    </label>
                    <label class="field">{t!(i18n, cases.sort)}
                        <select name="sort">
                            <option value="newest" selected=move || q().sort == CaseSort::Newest>{t!(i18n, cases.sort_newest)}</option>
                            <option value="title" selected=move || q().sort == CaseSort::Title>{t!(i18n, cases.sort_title)}</option>
                            <option value="difficulty" selected=move || q().sort == CaseSort::Difficulty>{t!(i18n, cases.sort_difficulty)}</option>
                            <option value="discussed" selected=move || q().sort == CaseSort::Discussed>{t!(i18n, cases.sort_discussed)}</option>
                        </select>
                    </label>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="case-search-submit">{t!(i18n, cases.search)}</button>
                    <a class="btn btn-quiet" href="/cases">{t!(i18n, cases.clear)}</a>
                </div>
            </form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || {
                    let apps = apps.get().and_then(Result::ok).unwrap_or_default();
                    results.get().map(|res| match res {
                        Ok(page) if page.cases.is_empty() => view! {
                            <div class="empty-state" data-testid="case-results-empty"><p>{t!(i18n, cases.no_results)}</p></div>
                        }.into_any(),
                        Ok(page) => {
                            let current = query.get_untracked();
                            let pages = page.total.div_ceil(page.per_page.max(1));
                            let link = move |n: u32| url_of(&CaseQuery { page: n, ..current.clone() });
                            view! {
                                <p class="muted" role="status" data-testid="case-count">{t_string!(i18n, cases.found, n = page.total)}</p>
                                <ul class="case-grid" data-testid="case-results">
                                    {page.cases.into_iter().map(|case| view! { <CaseCard case apps=apps.clone() /> }).collect_view()}
                                </ul>
                                {(pages > 1).then(|| view! {
                                    <nav class="pager" aria-label=move || t_string!(i18n, cases.pages)>
                                        {(page.page > 0).then(|| view! { <a class="btn btn-small" rel="prev" href=link(page.page - 1)>{t!(i18n, cases.previous)}</a> })}
                                        <span>{t_string!(i18n, cases.page_of, page = page.page + 1, pages = pages)}</span>
                                        {(page.page + 1 < pages).then(|| view! { <a class="btn btn-small" rel="next" href=link(page.page + 1)>{t!(i18n, cases.next)}</a> })}
                                    </nav>
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

/// `/cases` for everyone who learns or teaches.
#[component]
pub fn CasesPage() -> impl IntoView {
    view! {
    <PageTitle page=|i| t_string!(i, page_title.cases).to_string() /> <Guarded roles=READERS children=|user| view! { <Library role=user.role /> }.into_any() /> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_round_trips_the_query() {
        let q = CaseQuery {
            text: "甲状腺 结节".into(),
            application: "thyroid".into(),
            tirads: Some(4),
            has_pathology: Some(true),
            sort: CaseSort::Title,
            page: 2,
            ..Default::default()
        };
        let url = url_of(&q);
        assert!(url.starts_with("/cases?q=%E7%94%B2"), "{url}");
        let pairs: Vec<(String, String)> = url["/cases?".len()..]
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                let bytes: Vec<u8> = {
                    let mut out = Vec::new();
                    let b = v.as_bytes();
                    let mut i = 0;
                    while i < b.len() {
                        if b[i] == b'%' {
                            out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                            i += 3;
                        } else {
                            out.push(b[i]);
                            i += 1;
                        }
                    }
                    out
                };
                (k.to_string(), String::from_utf8(bytes).unwrap())
            })
            .collect();
        let back = query_from_url(|k| pairs.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone()));
        assert_eq!(back, q);
    }
}
