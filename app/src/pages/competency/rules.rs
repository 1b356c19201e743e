//! `/competency/rules`: coordinators set each application's credential rule — reviewed scans,
//! the shares graded acceptable and agreeing, the courses and quizzes required, and renewal
//! (a period and the scans that carry the credential into the next one).
use super::percent;
use crate::api::competency::{SaveCredentialRule, competency_applications, credential_rules};
use crate::api::courses::{course_catalogue, quiz_list};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, FieldError};
use crate::components::layout::lang_code;
use crate::i18n::*;
use crate::model::competency::{
    ApplicationForm, CredentialRule, MAX_RENEWAL_DAYS, MAX_SCANS, MIN_RENEWAL_DAYS, RuleView,
};
use crate::model::{AppError, CourseId, InvalidReason, QuizId};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// A whole percentage typed by the coordinator as a share (0–1); none when it is not a number.
pub fn share_from_percent(text: &str) -> Option<f64> {
    let value: f64 = text.trim().trim_end_matches('%').trim().parse().ok()?;
    value.is_finite().then_some(value / 100.0)
}

/// A share as the whole percentage the form shows.
pub fn percent_text(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round() as i64)
    } else {
        format!("{p:.1}")
    }
}

/// The rule the form's texts describe; a field that is not a number is refused by name.
#[allow(clippy::too_many_arguments)]
pub fn rule_from_form(
    scans: &str,
    acceptable: &str,
    agreement: &str,
    courses: Vec<CourseId>,
    quizzes: Vec<QuizId>,
    renews: bool,
    renewal_days: &str,
    maintenance: &str,
) -> Result<CredentialRule, AppError> {
    let number = |field: &str, text: &str| {
        text.trim()
            .parse::<u32>()
            .map_err(|_| AppError::invalid(field, InvalidReason::BadFormat))
    };
    let share = |field: &str, text: &str| {
        share_from_percent(text).ok_or_else(|| AppError::invalid(field, InvalidReason::BadFormat))
    };
    Ok(CredentialRule {
        min_reviewed_scans: number("min_reviewed_scans", scans)?,
        min_acceptable_share: share("min_acceptable_share", acceptable)?,
        min_agreement: share("min_agreement", agreement)?,
        required_courses: courses,
        required_quizzes: quizzes,
        renewal_days: if renews {
            Some(number("renewal_days", renewal_days)?)
        } else {
            None
        },
        maintenance_scans: if renews {
            number("maintenance_scans", maintenance)?
        } else {
            0
        },
    })
}

/// A rule in one line, for the list.
fn rule_summary(i18n: I18nContext<Locale>, rule: &CredentialRule) -> String {
    let mut text = t_string!(
        i18n,
        rules.summary,
        scans = rule.min_reviewed_scans,
        acceptable = percent(Some(rule.min_acceptable_share)),
        agreement = percent(Some(rule.min_agreement))
    )
    .to_string();
    let separator = t_string!(i18n, rules.separator);
    let extra = rule.required_courses.len() + rule.required_quizzes.len();
    if extra > 0 {
        text.push_str(separator);
        text.push_str(&t_string!(i18n, rules.summary_required, n = extra));
    }
    if let Some(days) = rule.renewal_days {
        text.push_str(separator);
        text.push_str(&t_string!(
            i18n,
            rules.summary_renewal,
            days = days,
            scans = rule.maintenance_scans
        ));
    }
    text
}

#[component]
fn RuleForm(
    app: ApplicationForm,
    view: RuleView,
    courses: Vec<(CourseId, String)>,
    quizzes: Vec<(QuizId, String)>,
    saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rule = view.rule;
    let code = app.code.clone();
    let scans = RwSignal::new(rule.min_reviewed_scans.to_string());
    let acceptable = RwSignal::new(percent_text(rule.min_acceptable_share));
    let agreement = RwSignal::new(percent_text(rule.min_agreement));
    // The check lists hold ids as text; they become the rule's ids when it is saved.
    let course_ids = RwSignal::new(
        rule.required_courses
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
    );
    let quiz_ids = RwSignal::new(
        rule.required_quizzes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
    );
    let renews = RwSignal::new(rule.renewal_days.is_some());
    let renewal_days = RwSignal::new(rule.renewal_days.unwrap_or(365).to_string());
    let maintenance = RwSignal::new(rule.maintenance_scans.max(1).to_string());
    let refused = RwSignal::new(None::<AppError>);
    let save = ServerAction::<SaveCredentialRule>::new();
    let error = Memo::new(move |_| {
        refused
            .get()
            .or_else(|| save.value().get().and_then(Result::err))
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            saved.run(());
        }
    });
    let other_error = move || match error.get() {
        Some(AppError::Invalid { .. }) | None => None,
        Some(e) => Some(view! { <ErrorNotice error=e /> }),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match rule_from_form(
            &scans.get_untracked(),
            &acceptable.get_untracked(),
            &agreement.get_untracked(),
            course_ids
                .with_untracked(|ids| ids.iter().filter_map(|s| CourseId::parse(s).ok()).collect()),
            quiz_ids
                .with_untracked(|ids| ids.iter().filter_map(|s| QuizId::parse(s).ok()).collect()),
            renews.get_untracked(),
            &renewal_days.get_untracked(),
            &maintenance.get_untracked(),
        ) {
            Ok(rule) => {
                refused.set(None);
                save.dispatch(SaveCredentialRule {
                    application: code.clone(),
                    rule,
                });
            }
            Err(e) => refused.set(Some(e)),
        }
    };
    let app_code = StoredValue::new(app.code.clone());
    let id = move |name: &str| format!("rule-{}-{name}", app_code.get_value());
    let number = move |name: &'static str,
                       label: String,
                       hint: String,
                       value: RwSignal<String>,
                       min: u32,
                       max: u32| {
        let input_id = id(name);
        let hint_id = format!("{input_id}-hint");
        view! {
            <div class="field">
                <label for=input_id.clone()>{label}</label>
                <input id=input_id type="number" inputmode="numeric" min=min max=max step="1"
                    aria-describedby=hint_id.clone() data-testid=format!("rule-{name}")
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                <p class="hint" id=hint_id>{hint}</p>
                <FieldError error name=name />
            </div>
        }
    };
    let checks =
        |items: Vec<(String, String)>, name: &'static str, selected: RwSignal<Vec<String>>| {
            items
                .into_iter()
                .map(|(value, title)| {
                    let (v1, v2) = (value.clone(), value.clone());
                    view! {
                        <label class="check">
                            <input type="checkbox" value=value name=name
                                prop:checked=move || selected.with(|s| s.contains(&v1))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|s| {
                                        s.retain(|x| x != &v2);
                                        if on { s.push(v2.clone()); }
                                    });
                                } />
                            {title}
                        </label>
                    }
                })
                .collect_view()
        };
    let course_items: Vec<(String, String)> = courses
        .into_iter()
        .map(|(id, title)| (id.to_string(), title))
        .collect();
    let quiz_items: Vec<(String, String)> = quizzes
        .into_iter()
        .map(|(id, title)| (id.to_string(), title))
        .collect();
    let (has_courses, has_quizzes) = (!course_items.is_empty(), !quiz_items.is_empty());
    view! {
        <form class="rule-form" data-testid=format!("rule-form-{}", app.code) on:submit=submit novalidate>
            <div class="form-grid">
                {number("min_reviewed_scans", t_string!(i18n, rules.min_scans).to_string(),
                    t_string!(i18n, rules.min_scans_hint, max = MAX_SCANS).to_string(), scans, 1, MAX_SCANS)}
                {number("min_acceptable_share", t_string!(i18n, rules.acceptable).to_string(),
                    t_string!(i18n, rules.acceptable_hint).to_string(), acceptable, 0, 100)}
                {number("min_agreement", t_string!(i18n, rules.agreement).to_string(),
                    t_string!(i18n, rules.agreement_hint).to_string(), agreement, 0, 100)}
            </div>
            <fieldset>
                <legend>{t!(i18n, rules.courses)}</legend>
                {if has_courses { checks(course_items, "courses", course_ids).into_any() } else {
                    view! { <p class="muted">{t!(i18n, rules.no_courses)}</p> }.into_any() }}
                <FieldError error name="required_courses" />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, rules.quizzes)}</legend>
                {if has_quizzes { checks(quiz_items, "quizzes", quiz_ids).into_any() } else {
                    view! { <p class="muted">{t!(i18n, rules.no_quizzes)}</p> }.into_any() }}
                <FieldError error name="required_quizzes" />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, rules.renewal)}</legend>
                <label class="check">
                    <input type="checkbox" data-testid="rule-renews" prop:checked=move || renews.get()
                        on:change=move |ev| renews.set(event_target_checked(&ev)) />
                    {t!(i18n, rules.renews)}
                </label>
                <Show when=move || renews.get()>
                    <div class="form-grid">
                        {number("renewal_days", t_string!(i18n, rules.renewal_days).to_string(),
                            t_string!(i18n, rules.renewal_days_hint, min = MIN_RENEWAL_DAYS, max = MAX_RENEWAL_DAYS).to_string(),
                            renewal_days, MIN_RENEWAL_DAYS, MAX_RENEWAL_DAYS)}
                        {number("maintenance_scans", t_string!(i18n, rules.maintenance).to_string(),
                            t_string!(i18n, rules.maintenance_hint).to_string(), maintenance, 1, MAX_SCANS)}
                    </div>
                </Show>
            </fieldset>
            {other_error}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="rule-save"
                    disabled=move || save.pending().get()>{t!(i18n, rules.save)}</button>
            </div>
        </form>
    }
    .into_any()
}

/// `/competency/rules` for coordinators.
#[component]
pub fn RulesEditor() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let data = resource::new(
        move || version.get(),
        |_| async move {
            let apps = competency_applications().await?;
            let rules = credential_rules().await?;
            let courses = course_catalogue().await?;
            let quizzes = quiz_list().await?;
            Ok::<_, AppError>((
                apps,
                rules,
                courses
                    .into_iter()
                    .map(|c| (c.id, c.title))
                    .collect::<Vec<_>>(),
                quizzes
                    .into_iter()
                    .map(|q| (q.id, q.title))
                    .collect::<Vec<_>>(),
            ))
        },
    );
    let editing = RwSignal::new(None::<String>);
    let saved_note = RwSignal::new(None::<String>);
    view! {
        <section class="page competency-rules">
            <header class="page-head">
                <div>
                    <h1>{t!(i18n, rules.title)}</h1>
                    <p class="muted">{t!(i18n, rules.intro)}</p>
                </div>
                <a href="/competency">{t!(i18n, quality.back)}</a>
            </header>
            {move || saved_note.get().map(|name| view! {
                <p class="form-ok" role="status" data-testid="rule-saved">{t_string!(i18n, rules.saved, name = name)}</p>
            })}
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || data.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok((apps, rules, courses, quizzes)) => {
                        let lang = lang_code(i18n);
                        apps.into_iter().filter(|a| !a.retired).map(|app| {
                            let view = rules.iter().find(|r| r.application == app.code).cloned()
                                .unwrap_or(RuleView { application: app.code.clone(), rule: CredentialRule::default(), custom: false, updated_by: None, updated_at: None });
                            let name = app.name(lang).to_string();
                            let code = app.code.clone();
                            let (c1, c2) = (code.clone(), code.clone());
                            let summary = rule_summary(i18n, &view.rule);
                            let origin = match (&view.updated_by, view.updated_at) {
                                (Some(by), Some(at)) if view.custom => t_string!(i18n, rules.set_by, name = by.clone(), date = crate::pages::people::network_date(at)).to_string(),
                                _ => t_string!(i18n, rules.default_rule).to_string(),
                            };
                            let (courses, quizzes) = (courses.clone(), quizzes.clone());
                            let (app2, view2, name2) = (app.clone(), view.clone(), name.clone());
                            view! {
                                <article class="panel rule-card" data-application=code.clone()>
                                    <header class="rule-head">
                                        <h2>{name.clone()}</h2>
                                        <button type="button" class="btn btn-small" data-testid=format!("edit-rule-{code}")
                                            aria-expanded=move || (editing.get().as_deref() == Some(c1.as_str())).to_string()
                                            on:click=move |_| editing.update(|e| *e = if e.as_deref() == Some(c2.as_str()) { None } else { Some(c2.clone()) })>
                                            {t!(i18n, rules.edit)}
                                        </button>
                                    </header>
                                    <p data-testid="rule-summary">{summary}</p>
                                    <p class="small muted">{origin}</p>
                                    <Show when={let code = code.clone(); move || editing.get().as_deref() == Some(code.as_str())}>
                                        <RuleForm app=app2.clone() view=view2.clone() courses=courses.clone() quizzes=quizzes.clone()
                                            saved=Callback::new({let name = name2.clone(); move |_| {
                                                saved_note.set(Some(name.clone()));
                                                editing.set(None);
                                                version.update(|v| *v += 1);
                                            }}) />
                                    </Show>
                                </article>
                            }
                        }).collect_view().into_any()
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_read_as_shares() {
        assert_eq!(share_from_percent("80"), Some(0.8));
        assert_eq!(share_from_percent(" 75 % "), Some(0.75));
        assert_eq!(share_from_percent("eighty"), None);
        assert_eq!(percent_text(0.8), "80");
        assert_eq!(percent_text(0.825), "82.5");
    }

    #[test]
    fn the_form_names_the_field_it_cannot_read() {
        let read = |scans: &str, days: &str, renews| {
            rule_from_form(scans, "80", "80", vec![], vec![], renews, days, "10")
        };
        assert!(matches!(read("x", "365", false),
            Err(AppError::Invalid { field, .. }) if field == "min_reviewed_scans"));
        assert!(matches!(read("25", "soon", true),
            Err(AppError::Invalid { field, .. }) if field == "renewal_days"));
        // Without renewal the period's fields are not read at all.
        let rule = read("25", "soon", false).unwrap();
        assert_eq!(rule.renewal_days, None);
        assert_eq!(rule.maintenance_scans, 0);
        let rule = read("30", "365", true).unwrap();
        assert_eq!(
            (
                rule.min_reviewed_scans,
                rule.renewal_days,
                rule.maintenance_scans
            ),
            (30, Some(365), 10)
        );
    }
}
