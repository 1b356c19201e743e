//! `/competency/learners/{learner}/{application}`: one learner's standing in one application
//! and the learning curve, for the learner and coordinators; coordinators award or revoke.
use super::grid::AwardButton;
use super::progress::{CurveChart, StandingFacts};
use super::{RuleLines, by_lang};
use crate::api::competency::{get_learning_curve, learner_standing, revoke_credential};
use crate::api::resource;
use crate::components::errors::{ErrorNotice, error_message};
use crate::components::layout::{PageTitle, lang_code};
use crate::i18n::*;
use crate::model::competency::Standing;
use crate::model::{Permission, Role};
use crate::pages::guard::Guarded;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Withdraws a credential after a second press (it cannot be undone from here).
#[component]
fn RevokeButton(code: String) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    let revoke = Action::new(move |_: &()| revoke_credential(code.clone()));
    view! {
        {move || match revoke.value().get() {
            Some(Ok(())) => view! { <p class="form-ok" role="status">{t!(i18n, credentials.revoked_done)}</p> }.into_any(),
            other => {
                let error = match other {
                    Some(Err(e)) => Some(error_message(i18n, &e)),
                    _ => None,
                };
                view! {
                    <div class="row-actions">
                        <Show
                            when=move || asking.get()
                            fallback=move || view! {
                                <button type="button" class="btn btn-small btn-danger-text" on:click=move |_| asking.set(true)>
                                    {t!(i18n, credentials.revoke)}
                                </button>
                            }
                        >
                            <span>{t!(i18n, credentials.revoke_confirm_q)}</span>
                            <button type="button" class="btn btn-small btn-danger" data-testid="revoke" on:click=move |_| { revoke.dispatch(()); }>
                                {t!(i18n, credentials.revoke_confirm)}
                            </button>
                            <button type="button" class="btn btn-small btn-quiet" on:click=move |_| asking.set(false)>
                                {t!(i18n, credentials.cancel)}
                            </button>
                        </Show>
                        <small class="field-error" role="alert">{error}</small>
                    </div>
                }.into_any()
            }
        }}
    }
}

fn standing_body(standing: Standing, coordinator: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (zh, en) = (
        standing.application_zh.clone(),
        standing.application_en.clone(),
    );
    let name = standing.learner_name.clone();
    let heading = move || {
        let app = by_lang(lang_code(i18n), &zh, &en);
        t_string!(
            i18n,
            credentials.learner_heading,
            name = name.clone(),
            application = app
        )
        .to_string()
    };
    let actions = coordinator.then(|| {
        let award = standing.evaluation.awardable.then(|| {
            view! {
                <AwardButton
                    learner=standing.learner.to_string()
                    application=standing.application.clone()
                    name=standing.learner_name.clone()
                />
            }
        });
        let revoke = standing
            .award
            .clone()
            .filter(|_| standing.evaluation.status.holds_credential())
            .map(|a| view! { <RevokeButton code=a.code /> });
        view! { <div class="panel standing-actions">{award}{revoke}</div> }
    });
    let lines = standing.evaluation.lines.clone();
    let titles = standing.quiz_titles.clone();
    view! {
        <header class="page-head">
            <h1>{heading}</h1>
            <p><a href="/competency">{t!(i18n, credentials.back)}</a></p>
        </header>
        <div class="panel">
            <StandingFacts standing />
            <h2>{t!(i18n, credentials.rules_heading)}</h2>
            <RuleLines lines titles />
        </div>
        {actions}
    }
}

#[component]
fn LearnerView(coordinator: bool) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let key = move || {
        params.with(|p| {
            (
                p.get("learner").unwrap_or_default(),
                p.get("application").unwrap_or_default(),
            )
        })
    };
    // Blocking: someone else's learner answers with a real 404.
    let standing = resource::blocking(key, |(l, a)| learner_standing(l, a));
    let curve = resource::new(key, |(l, a)| get_learning_curve(l, a));
    view! {
        <section class="page">
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || standing.get().map(|res| match res {
                    Err(error) => view! { <h1>{t!(i18n, credentials.learner_title)}</h1><ErrorNotice error /> }.into_any(),
                    Ok(s) => standing_body(s, coordinator).into_any(),
                })}
                <h2>{t!(i18n, credentials.curve_title)}</h2>
                {move || curve.get().map(|res| match res {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(c) => view! { <CurveChart curve=c id="curve".to_string() /> }.into_any(),
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

/// `/competency/learners/{learner}/{application}` for the learner and coordinators.
#[component]
pub fn LearnerPage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.competency_learner).to_string() />
        <Guarded
            roles=&[Role::Learner, Role::Coordinator]
            children=|user| view! { <LearnerView coordinator=user.may(Permission::ManageCredentials) /> }.into_any()
        />
    }
}
