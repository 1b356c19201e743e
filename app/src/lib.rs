//! SonoHub's web app: the shell, the router, pages, server functions and shared types.
#![recursion_limit = "512"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod api;
/// The cine decoding core (its own crate, `app/cine`, so the browser build can optimise it for speed).
pub use ::cine;
pub mod components;
#[cfg(feature = "ssr")]
pub mod csp;
/// Types shared with the server (its own crate, `app/model`, which the domain also uses).
pub use ::model;
pub mod pages;

use crate::i18n::*;
use components::errors::SessionLost;
use components::layout::{FocusOnNavigate, Header, HydrationMarker};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};
use model::{AppError, CurrentUser};

/// The signed-in user, loaded once per page load and shared by every page.
#[derive(Clone, Copy)]
pub struct Me(pub Resource<Result<Option<CurrentUser>, AppError>>);

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's policy names the nonce its hydration and streaming scripts carry.
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        let nonce = leptos::nonce::use_nonce();
        if let Ok(policy) = axum::http::HeaderValue::from_str(&csp::page_policy(nonce.as_deref())) {
            res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app: i18n, the current user, the header and the routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let me = Resource::new_blocking(|| (), |_| api::auth::who_am_i());
    provide_context(Me(me));
    provide_context(SessionLost(RwSignal::new(false)));

    // The language cookie belongs to the whole site (by default it would take the path of the
    // page where the language was chosen) and lasts a year, not one browser session.
    let cookie_options = leptos_i18n::context::CookieOptions::<Locale>::default()
        .path("/")
        .max_age(365 * 24 * 3600 * 1000_i64);

    view! {
        <I18nContextProvider cookie_options>
            <AppTitle />
            <HydrationMarker />
            <Router>
                <Header />
                <FocusOnNavigate />
                <main id="main" class="main" tabindex="-1">
                    <Routes fallback=pages::errors::NotFound>
                        <Route path=StaticSegment("") view=pages::home::HomePage />
                        <Route path=StaticSegment("login") view=pages::login::LoginPage />
                        <Route path=StaticSegment("profile") view=pages::profile::ProfilePage />
                        <Route path=StaticSegment("viewer") view=pages::viewer::ViewerPage />
                        <Route path=StaticSegment("people") view=pages::people::PeoplePage />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("sites"))
                            view=pages::sites::SitesPage
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("audit"))
                            view=pages::audit::AuditPage
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("archive"))
                            view=pages::archive_settings::ArchiveSettingsPage
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("device-masks"))
                            view=pages::device_masks::DeviceMasksPage
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("dicomweb-tokens"))
                            view=pages::dicomweb_tokens::DicomWebTokensPage
                        />
                        <Route path=StaticSegment("admin") view=pages::admin::AdminPage />
                        <Route path=StaticSegment("studies") view=pages::studies::StudiesPage />
                        <Route
                            path=StaticSegment("quarantine")
                            view=pages::quarantine::QuarantinePage
                        />
                        <Route
                            path=(StaticSegment("studies"), ParamSegment("uid"))
                            view=pages::study::StudyPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("cases") view=pages::cases::CasesPage />
                        <Route
                            path=(StaticSegment("cases"), StaticSegment("work"))
                            view=pages::cases::work::WorkbenchPage
                        />
                        <Route
                            path=(StaticSegment("cases"), StaticSegment("follow-ups"))
                            view=pages::cases::work::AwaitingPage
                        />
                        <Route
                            path=(StaticSegment("cases"), StaticSegment("outcomes"))
                            view=pages::cases::work::OutcomesPage
                        />
                        <Route
                            path=(StaticSegment("cases"), ParamSegment("id"))
                            view=pages::cases::case::CasePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("cases"), ParamSegment("id"), StaticSegment("edit"))
                            view=pages::cases::edit::EditPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("cases"), ParamSegment("id"), StaticSegment("solve"))
                            view=pages::cases::solve::SolvePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(
                                StaticSegment("cases"),
                                ParamSegment("id"),
                                StaticSegment("versions"),
                            )
                            view=pages::cases::work::VersionsPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=StaticSegment("notifications")
                            view=pages::notifications::NotificationsPage
                        />
                        <Route path=StaticSegment("quizzes") view=pages::courses::report::QuizzesPage />
                        <Route
                            path=(StaticSegment("quizzes"), ParamSegment("id"), StaticSegment("analysis"))
                            view=pages::courses::report::QuizReportPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("quizzes"), ParamSegment("id"), StaticSegment("edit"))
                            view=pages::courses::quiz_edit::QuizEditPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("questions") view=pages::courses::questions::QuestionsPage />
                        <Route
                            path=(StaticSegment("questions"), ParamSegment("id"), StaticSegment("edit"))
                            view=pages::courses::questions::QuestionEditPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("courses") view=pages::courses::catalogue::CoursesPage />
                        <Route
                            path=(StaticSegment("courses"), ParamSegment("id"), StaticSegment("edit"))
                            view=pages::courses::edit::CourseEditPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("courses"), ParamSegment("id"))
                            view=pages::courses::course::CoursePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(
                                StaticSegment("courses"),
                                ParamSegment("id"),
                                StaticSegment("lessons"),
                                ParamSegment("lesson"),
                            )
                            view=pages::courses::lesson::LessonPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("attempts"), ParamSegment("id"))
                            view=pages::courses::attempt::AttemptPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("attempts"), ParamSegment("id"), StaticSegment("review"))
                            view=pages::courses::review::ReviewPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("replays") view=pages::replays::ReplaysPage />
                        <Route
                            path=(StaticSegment("replays"), StaticSegment("new"))
                            view=pages::replays::recorder::RecorderPage
                        />
                        <Route
                            path=(StaticSegment("replays"), ParamSegment("id"))
                            view=pages::replays::page::ReplayPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("replays"), ParamSegment("id"), StaticSegment("edit"))
                            view=pages::replays::page::ReplayEditPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("guidance") view=pages::guidance::GuidancePage />
                        <Route
                            path=(StaticSegment("guidance"), ParamSegment("id"))
                            view=pages::guidance::live::SessionPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("logbook") view=pages::logbook::LogbookPage />
                        <Route
                            path=(StaticSegment("logbook"), StaticSegment("new"))
                            view=pages::logbook::EntryEditorPage
                        />
                        <Route
                            path=(StaticSegment("logbook"), ParamSegment("id"))
                            view=pages::logbook::EntryPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("logbook"), ParamSegment("id"), StaticSegment("edit"))
                            view=pages::logbook::EntryEditorPage
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("review") view=pages::logbook::ReviewQueuePage />
                        <Route
                            path=StaticSegment("competency")
                            view=pages::competency::CompetencyPage
                        />
                        <Route
                            path=(StaticSegment("competency"), StaticSegment("quality"))
                            view=pages::competency::QualityPage
                        />
                        <Route
                            path=(StaticSegment("competency"), StaticSegment("rules"))
                            view=pages::competency::RulesPage
                        />
                        <Route
                            path=(StaticSegment("competency"), StaticSegment("applications"))
                            view=pages::competency::ApplicationsPage
                        />
                        <Route
                            path=(
                                StaticSegment("competency"),
                                StaticSegment("learners"),
                                ParamSegment("learner"),
                                ParamSegment("application"),
                            )
                            view=pages::competency::learner::LearnerPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("certificates"), ParamSegment("code"))
                            view=pages::competency::certificate::CertificatePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=StaticSegment("verify")
                            view=pages::competency::certificate::VerifyFormPage
                        />
                        <Route
                            path=(StaticSegment("verify"), ParamSegment("code"))
                            view=pages::competency::certificate::VerifyPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </main>
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn AppTitle() -> impl IntoView {
    let i18n = use_i18n();
    // leptos_meta formats the title after the page has rendered, outside the page's reactive
    // owner: a closure reading the locale there panics on a worker thread that has no reactive
    // arena ("no Arena is active"), dropping the response. The server reads the title now;
    // the browser keeps it following the language switch.
    #[cfg(feature = "ssr")]
    let text = untrack(|| t_string!(i18n, app_name).to_string());
    #[cfg(not(feature = "ssr"))]
    let text = move || t_string!(i18n, app_name).to_string();
    view! { <Title text=text /> }
}

/// The browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
