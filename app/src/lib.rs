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
pub mod split;

use crate::api::resource;
use crate::i18n::*;
use components::errors::SessionLost;
use components::layout::{FocusOnNavigate, Header};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};
use model::{AppError, CurrentUser};

/// The cookie that remembers the language a reader chose with the header's switch, over the
/// browser's: the switch writes it, the server reads it before rendering (leptos_i18n's own
/// cookie support would bring a cookie parser and a date library into the first download).
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

/// The language tag a `LANGUAGE_COOKIE` value names, when it is one of the app's languages.
pub fn chosen_language(cookie_value: &str) -> Option<&'static str> {
    cookie_value
        .trim()
        .parse::<Locale>()
        .ok()
        .map(|locale| locale.as_str())
}

/// The signed-in user, loaded once per page load and shared by every page.
#[derive(Clone, Copy)]
pub struct Me(pub resource::Resource<Result<Option<CurrentUser>, AppError>>);

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
    let me = resource::blocking(|| (), |_| api::auth::who_am_i());
    provide_context(Me(me));
    provide_context(SessionLost(RwSignal::new(false)));

    view! {
        <I18nContextProvider>
            <AppTitle />
            <Router>
                <Header />
                <FocusOnNavigate />
                <main id="main" class="main" tabindex="-1">
                    <Routes fallback=pages::errors::NotFound>
                        <Route path=StaticSegment("") view={Lazy::<split::Home>::new()} />
                        <Route path=StaticSegment("login") view=pages::login::LoginPage />
                        <Route path=StaticSegment("profile") view={Lazy::<split::Profile>::new()} />
                        <Route path=StaticSegment("viewer") view={Lazy::<split::Viewer>::new()} />
                        <Route path=StaticSegment("people") view={Lazy::<split::People>::new()} />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("sites"))
                            view={Lazy::<split::Sites>::new()}
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("audit"))
                            view={Lazy::<split::Audit>::new()}
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("archive"))
                            view={Lazy::<split::ArchiveSettings>::new()}
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("device-masks"))
                            view={Lazy::<split::DeviceMasks>::new()}
                        />
                        <Route
                            path=(StaticSegment("admin"), StaticSegment("dicomweb-tokens"))
                            view={Lazy::<split::DicomWebTokens>::new()}
                        />
                        <Route path=StaticSegment("admin") view={Lazy::<split::Admin>::new()} />
                        <Route path=StaticSegment("studies") view={Lazy::<split::Studies>::new()} />
                        <Route
                            path=StaticSegment("quarantine")
                            view={Lazy::<split::Quarantine>::new()}
                        />
                        <Route
                            path=(StaticSegment("studies"), ParamSegment("uid"))
                            view={Lazy::<split::Study>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("cases") view={Lazy::<split::Cases>::new()} />
                        <Route
                            path=(StaticSegment("cases"), StaticSegment("work"))
                            view={Lazy::<split::Workbench>::new()}
                        />
                        <Route
                            path=(StaticSegment("cases"), StaticSegment("follow-ups"))
                            view={Lazy::<split::Awaiting>::new()}
                        />
                        <Route
                            path=(StaticSegment("cases"), StaticSegment("outcomes"))
                            view={Lazy::<split::Outcomes>::new()}
                        />
                        <Route
                            path=(StaticSegment("cases"), ParamSegment("id"))
                            view={Lazy::<split::Case>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("cases"), ParamSegment("id"), StaticSegment("edit"))
                            view={Lazy::<split::CaseEdit>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("cases"), ParamSegment("id"), StaticSegment("solve"))
                            view={Lazy::<split::Solve>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(
                                StaticSegment("cases"),
                                ParamSegment("id"),
                                StaticSegment("versions"),
                            )
                            view={Lazy::<split::Versions>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=StaticSegment("notifications")
                            view={Lazy::<split::Notifications>::new()}
                        />
                        <Route path=StaticSegment("quizzes") view={Lazy::<split::Quizzes>::new()} />
                        <Route
                            path=(StaticSegment("quizzes"), ParamSegment("id"), StaticSegment("analysis"))
                            view={Lazy::<split::QuizReport>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("quizzes"), ParamSegment("id"), StaticSegment("edit"))
                            view={Lazy::<split::QuizEdit>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("questions") view={Lazy::<split::Questions>::new()} />
                        <Route
                            path=(StaticSegment("questions"), ParamSegment("id"), StaticSegment("edit"))
                            view={Lazy::<split::QuestionEdit>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("courses") view={Lazy::<split::Courses>::new()} />
                        <Route
                            path=(StaticSegment("courses"), ParamSegment("id"), StaticSegment("edit"))
                            view={Lazy::<split::CourseEdit>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("courses"), ParamSegment("id"))
                            view={Lazy::<split::Course>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(
                                StaticSegment("courses"),
                                ParamSegment("id"),
                                StaticSegment("lessons"),
                                ParamSegment("lesson"),
                            )
                            view={Lazy::<split::Lesson>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("attempts"), ParamSegment("id"))
                            view={Lazy::<split::Attempt>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("attempts"), ParamSegment("id"), StaticSegment("review"))
                            view={Lazy::<split::AttemptReview>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("replays") view={Lazy::<split::Replays>::new()} />
                        <Route
                            path=(StaticSegment("replays"), StaticSegment("new"))
                            view={Lazy::<split::Recorder>::new()}
                        />
                        <Route
                            path=(StaticSegment("replays"), ParamSegment("id"))
                            view={Lazy::<split::Replay>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("replays"), ParamSegment("id"), StaticSegment("edit"))
                            view={Lazy::<split::ReplayEdit>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("guidance") view={Lazy::<split::Guidance>::new()} />
                        <Route
                            path=(StaticSegment("guidance"), ParamSegment("id"))
                            view={Lazy::<split::GuidanceSession>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("logbook") view={Lazy::<split::Logbook>::new()} />
                        <Route
                            path=(StaticSegment("logbook"), StaticSegment("new"))
                            view={Lazy::<split::LogbookNew>::new()}
                        />
                        <Route
                            path=(StaticSegment("logbook"), ParamSegment("id"))
                            view={Lazy::<split::LogbookEntry>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("logbook"), ParamSegment("id"), StaticSegment("edit"))
                            view={Lazy::<split::LogbookEdit>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route path=StaticSegment("review") view={Lazy::<split::ReviewQueue>::new()} />
                        <Route
                            path=StaticSegment("competency")
                            view={Lazy::<split::Competency>::new()}
                        />
                        <Route
                            path=(StaticSegment("competency"), StaticSegment("quality"))
                            view={Lazy::<split::Quality>::new()}
                        />
                        <Route
                            path=(StaticSegment("competency"), StaticSegment("rules"))
                            view={Lazy::<split::Rules>::new()}
                        />
                        <Route
                            path=(StaticSegment("competency"), StaticSegment("applications"))
                            view={Lazy::<split::Applications>::new()}
                        />
                        <Route
                            path=(
                                StaticSegment("competency"),
                                StaticSegment("learners"),
                                ParamSegment("learner"),
                                ParamSegment("application"),
                            )
                            view={Lazy::<split::Learner>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(StaticSegment("certificates"), ParamSegment("code"))
                            view={Lazy::<split::Certificate>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=StaticSegment("verify")
                            view={Lazy::<split::VerifyForm>::new()}
                        />
                        <Route
                            path=(StaticSegment("verify"), ParamSegment("code"))
                            view={Lazy::<split::Verify>::new()}
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

/// The browser entry point: hydrates the server-rendered page once the wasm module of the
/// page's group (`split`) has loaded, then marks `<body data-hydrated="true">` so tests know
/// clicks will land.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let body = document().body().expect("a page has a body");
        let app = leptos::mount::hydrate_from_async(body.clone(), App).await;
        app.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
