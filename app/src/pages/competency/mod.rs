//! Competency: the learner's progress, the coordinator's grid and standings, a learner's
//! detail, quality control, credential rules and the review forms, and certificates (printable,
//! and verifiable by anyone holding the code). Shared here: status and rule wording, figures,
//! the period picker and today's date.
pub mod applications;
pub mod certificate;
pub mod csv;
pub mod grid;
pub mod learner;
pub mod progress;
pub mod quality;
pub mod rules;

use super::guard::Guarded;
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::Role;
use crate::model::competency::{CivilDate, CredentialStatus, Period, Rule, RuleLine};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

const EVERYONE: &[Role] = &[Role::Learner, Role::Expert, Role::Coordinator];

/// Today in the network's time zone, on the server's or the browser's clock.
pub fn today() -> CivilDate {
    #[cfg(feature = "ssr")]
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let secs = (js_sys::Date::now() / 1000.0) as i64;
    CivilDate::network_day(secs)
}

/// The Chinese or English name, by the page's language code.
pub fn by_lang(lang: &str, zh: &str, en: &str) -> String {
    if lang == "zh" { zh } else { en }.to_string()
}

/// A share (0–1) as a whole percentage, "—" when there is none.
pub fn percent(share: Option<f64>) -> String {
    match share {
        Some(s) => format!("{:.0}%", s * 100.0),
        None => "—".to_string(),
    }
}

/// The translated name of a status.
pub fn status_label(i18n: I18nContext<Locale>, status: CredentialStatus) -> String {
    match status {
        CredentialStatus::InTraining => t_string!(i18n, credentials.status_in_training),
        CredentialStatus::Eligible => t_string!(i18n, credentials.status_eligible),
        CredentialStatus::Credentialed => t_string!(i18n, credentials.status_credentialed),
        CredentialStatus::DueForRenewal => t_string!(i18n, credentials.status_due),
        CredentialStatus::Lapsed => t_string!(i18n, credentials.status_lapsed),
    }
    .to_string()
}

/// A status as a coloured badge with its name (the colour only repeats the word).
#[component]
pub fn StatusBadge(status: CredentialStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge cred-status cred-{}", status.as_str()) data-status=status.as_str()>
            {move || status_label(i18n, status)}
        </span>
    }
}

/// What a rule asks, in the reader's language (course and quiz titles found by `title`).
pub fn rule_text(
    i18n: I18nContext<Locale>,
    rule: &Rule,
    title: &dyn Fn(&str) -> Option<String>,
) -> String {
    match rule {
        Rule::ReviewedScans { actual, required } => t_string!(
            i18n,
            credentials.rule_reviewed,
            actual = *actual,
            required = *required
        )
        .to_string(),
        Rule::AcceptableShare {
            acceptable,
            reviewed,
            share,
            required,
        } => t_string!(
            i18n,
            credentials.rule_acceptable,
            share = percent(*share),
            count = *acceptable,
            reviewed = *reviewed,
            required = percent(Some(*required))
        )
        .to_string(),
        Rule::Agreement {
            agreeing,
            reviewed,
            share,
            required,
        } => t_string!(
            i18n,
            credentials.rule_agreement,
            share = percent(*share),
            count = *agreeing,
            reviewed = *reviewed,
            required = percent(Some(*required))
        )
        .to_string(),
        Rule::Course { course } => {
            let name = title(course.as_str()).unwrap_or_else(|| course.to_string());
            t_string!(i18n, credentials.rule_course, name = name).to_string()
        }
        Rule::Quiz { quiz } => {
            let name = title(quiz.as_str()).unwrap_or_else(|| quiz.to_string());
            t_string!(i18n, credentials.rule_quiz, name = name).to_string()
        }
        Rule::Maintenance {
            actual,
            required,
            from,
            until,
        } => t_string!(
            i18n,
            credentials.rule_maintenance,
            actual = *actual,
            required = *required,
            from = from.to_string(),
            until = until.to_string()
        )
        .to_string(),
    }
}

/// The rule lines of a standing: what each asks, the learner's figure, met or not.
#[component]
pub fn RuleLines(
    lines: Vec<RuleLine>,
    /// Course and quiz titles by id, where the page could read them.
    #[prop(optional)]
    titles: Vec<(String, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let title = move |id: &str| titles.iter().find(|(k, _)| k == id).map(|(_, v)| v.clone());
    let items = lines
        .into_iter()
        .map(|line| {
            let met = line.met;
            let text = rule_text(i18n, &line.rule, &title);
            view! {
                <li class="rule-line" class:rule-met=met class:rule-missed=!met data-met=met.to_string()>
                    <span class="rule-mark" aria-hidden="true">{if met { "✓" } else { "✗" }}</span>
                    <span class="rule-text">{text}</span>
                    <span class="rule-verdict">
                        {move || if met { t_string!(i18n, credentials.met) } else { t_string!(i18n, credentials.missed) }}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="rule-lines">{items}</ul> }.into_any()
}

/// The span a dashboard covers: the last few months to today, or chosen dates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PeriodChoice {
    LastMonths(u32),
    Between(CivilDate, CivilDate),
}

impl PeriodChoice {
    /// The dates, both included, as of `today`: "last 3 months" starts the day after the
    /// same day three months ago (about 91 days).
    pub fn period(self, today: CivilDate) -> Period {
        match self {
            PeriodChoice::LastMonths(months) => {
                let (y, m, d) = today.ymd();
                let total = y * 12 + (m - 1) - i64::from(months);
                let (py, pm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
                // The same day in the earlier month, or its last day (31 March → 28 February).
                let start = (0..4)
                    .find_map(|back| CivilDate::from_ymd(py, pm, d - back))
                    .unwrap_or(today);
                Period {
                    from: start.plus_days(1),
                    until: today,
                }
            }
            PeriodChoice::Between(from, until) => Period { from, until },
        }
    }
}

/// The period picker: last 3, 6 or 12 months, or from and until dates applied together.
#[component]
pub fn PeriodPicker(choice: RwSignal<PeriodChoice>) -> impl IntoView {
    let i18n = use_i18n();
    let selected = RwSignal::new(match choice.get_untracked() {
        PeriodChoice::LastMonths(n) => n.to_string(),
        PeriodChoice::Between(..) => "dates".to_string(),
    });
    let initial = choice.get_untracked().period(today());
    let from = RwSignal::new(initial.from.to_string());
    let until = RwSignal::new(initial.until.to_string());
    let error = RwSignal::new(false);
    let on_select = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        selected.set(value.clone());
        if let Ok(n) = value.parse::<u32>() {
            error.set(false);
            choice.set(PeriodChoice::LastMonths(n));
        }
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match (
            CivilDate::parse(&from.get_untracked()),
            CivilDate::parse(&until.get_untracked()),
        ) {
            (Ok(f), Ok(u)) if f <= u => {
                error.set(false);
                choice.set(PeriodChoice::Between(f, u));
            }
            _ => error.set(true),
        }
    };
    view! {
        <form class="filters period-picker" on:submit=apply data-testid="period">
            <label>
                {t!(i18n, credentials.period)}
                <select on:change=on_select prop:value=move || selected.get() data-testid="period-select">
                    <option value="3" selected=move || selected.get() == "3">{t!(i18n, credentials.last_3)}</option>
                    <option value="6" selected=move || selected.get() == "6">{t!(i18n, credentials.last_6)}</option>
                    <option value="12" selected=move || selected.get() == "12">{t!(i18n, credentials.last_12)}</option>
                    <option value="dates" selected=move || selected.get() == "dates">{t!(i18n, credentials.between_dates)}</option>
                </select>
            </label>
            <Show when=move || selected.get() == "dates">
                <label>
                    {t!(i18n, credentials.from)}
                    <input type="date" bind:value=from data-testid="period-from" />
                </label>
                <label>
                    {t!(i18n, credentials.until)}
                    <input type="date" bind:value=until data-testid="period-until" />
                </label>
                <div class="period-apply">
                    <button type="submit" class="btn">{t!(i18n, credentials.apply)}</button>
                </div>
            </Show>
            <p class="field-error" role="alert">
                {move || error.get().then(|| t_string!(i18n, credentials.bad_period))}
            </p>
        </form>
    }
    .into_any()
}

/// `/competency`: the learner's progress, the coordinator's dashboard, or the expert's way to
/// the review queue.
#[component]
pub fn CompetencyPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.competency).to_string() />
        <Guarded
            roles=EVERYONE
            children=|user| match user.role {
                Role::Learner => view! { <progress::MyProgressView /> }.into_any(),
                Role::Coordinator => view! { <grid::CoordinatorDashboard /> }.into_any(),
                _ => view! { <ExpertIntro /> }.into_any(),
            }
        />
    }
}

/// `/competency/quality`: site trends, reviewer workload and agreement. Coordinators only.
#[component]
pub fn QualityPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.competency_quality).to_string() />
        <Guarded roles=&[Role::Coordinator] children=|_| view! { <quality::QualityDashboard /> }.into_any() />
    }
}

/// `/competency/rules`: each application's credential rule. Coordinators only.
#[component]
pub fn RulesPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.competency_rules).to_string() />
        <Guarded roles=&[Role::Coordinator] children=|_| view! { <rules::RulesEditor /> }.into_any() />
    }
}

/// `/competency/applications`: the catalogue and each application's review form.
/// Coordinators only.
#[component]
pub fn ApplicationsPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.competency_applications).to_string() />
        <Guarded roles=&[Role::Coordinator] children=|_| view! { <applications::ApplicationsEditor /> }.into_any() />
    }
}

/// What a reviewer does for the credentials, and the way to the queue.
#[component]
fn ExpertIntro() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page narrow">
            <header class="page-head">
                <h1>{t!(i18n, credentials.title)}</h1>
            </header>
            <div class="panel">
                <p>{t!(i18n, credentials.expert_role)}</p>
                <p>{t!(i18n, credentials.expert_grade)}</p>
                <p>{t!(i18n, credentials.expert_second)}</p>
                <p><a class="btn btn-primary" href="/review">{t!(i18n, credentials.expert_go)}</a></p>
            </div>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> CivilDate {
        CivilDate::parse(s).unwrap()
    }

    #[test]
    fn last_months_run_to_today_from_the_day_after_the_same_day() {
        let p = PeriodChoice::LastMonths(3).period(day("2026-12-01"));
        assert_eq!(p.from, day("2026-09-02"));
        assert_eq!(p.until, day("2026-12-01"));
        let p = PeriodChoice::LastMonths(12).period(day("2026-01-15"));
        assert_eq!(p.from, day("2025-01-16"));
    }

    #[test]
    fn a_day_missing_in_the_earlier_month_falls_back_to_its_last_day() {
        let p = PeriodChoice::LastMonths(1).period(day("2026-03-31"));
        assert_eq!(p.from, day("2026-03-01"));
        let p = PeriodChoice::LastMonths(6).period(day("2026-08-31"));
        assert_eq!(p.from, day("2026-03-01"));
    }

    #[test]
    fn percentages_round_and_say_when_there_is_none() {
        assert_eq!(percent(Some(0.8)), "80%");
        assert_eq!(percent(Some(0.666)), "67%");
        assert_eq!(percent(None), "—");
    }
}
