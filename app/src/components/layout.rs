//! The page frame: header with the sections a role may use, language switch and sign-out.
use crate::Me;
use crate::components::errors::SessionLost;
use crate::i18n::*;
use crate::model::{CurrentUser, Role};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The document title, `SonoHub · <page>` in the current language (WCAG 2.4.2): each page
/// names itself, so tabs, history and screen readers tell the pages apart.
#[component]
pub fn PageTitle(
    page: impl Fn(I18nContext<Locale>) -> String + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    // As for the app's title: the server reads the text now (leptos_meta formats it outside
    // the page's reactive owner), the browser keeps it following the language switch.
    #[cfg(feature = "ssr")]
    let text = untrack(|| format!("SonoHub · {}", page(i18n)));
    #[cfg(not(feature = "ssr"))]
    let text = move || format!("SonoHub · {}", page(i18n));
    view! { <leptos_meta::Title text /> }
}

/// Moves focus to the new page's heading after a navigation inside the app (WCAG 2.4.3): a
/// screen reader then reads where the user landed, and the keyboard starts from the page, not
/// from the link clicked in the old one. Only the path counts: a search that changes the query
/// string keeps focus in the search box. The old page stays on screen while the new one's
/// code and data load, and the new heading may come only with its data, so for a few seconds
/// whichever `main h1` is on screen gets focus when nothing has it (the old heading, once
/// replaced, leaves focus on the body); once the user puts focus elsewhere, it stays there.
#[component]
pub fn FocusOnNavigate() -> impl IntoView {
    let pathname = leptos_router::hooks::use_location().pathname;
    Effect::new(move |previous: Option<String>| {
        let path = pathname.get();
        if previous.is_some_and(|p| p != path) {
            focus_heading(30, None);
        }
        path
    });
}

fn focus_heading(tries: u32, focused: Option<web_sys::HtmlElement>) {
    set_timeout(
        move || {
            use wasm_bindgen::JsCast;
            let document = document();
            let active = document.active_element();
            let on_body = match (&active, document.body()) {
                (None, _) => true,
                (Some(a), Some(body)) => body.is_same_node(Some(a)),
                (Some(_), None) => false,
            };
            let on_ours = match (&active, &focused) {
                (Some(a), Some(h)) => h.is_same_node(Some(a)),
                _ => false,
            };
            // Focus the user moved (into a field, onto a link) is theirs.
            if focused.is_some() && !on_body && !on_ours {
                return;
            }
            let heading = document
                .query_selector("main h1")
                .ok()
                .flatten()
                .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
            let focused = match heading {
                Some(h) if !active.as_ref().is_some_and(|a| h.is_same_node(Some(a))) => {
                    if !h.has_attribute("tabindex") {
                        let _ = h.set_attribute("tabindex", "-1");
                    }
                    let _ = h.focus();
                    Some(h)
                }
                Some(h) => Some(h),
                None => focused,
            };
            if tries > 0 {
                focus_heading(tries - 1, focused);
            }
        },
        std::time::Duration::from_millis(100),
    );
}

/// A header link: (path, label key) by role.
#[derive(Clone, Copy, PartialEq)]
enum NavItem {
    Cases,
    Courses,
    Replays,
    Guidance,
    Competency,
    Logbook,
    Review,
    Viewer,
    Studies,
    People,
    Admin,
}

impl NavItem {
    fn href(self) -> &'static str {
        match self {
            NavItem::Cases => "/cases",
            NavItem::Courses => "/courses",
            NavItem::Replays => "/replays",
            NavItem::Guidance => "/guidance",
            NavItem::Competency => "/competency",
            NavItem::Logbook => "/logbook",
            NavItem::Review => "/review",
            NavItem::Viewer => "/viewer",
            NavItem::Studies => "/studies",
            NavItem::People => "/people",
            NavItem::Admin => "/admin",
        }
    }

    fn label(self, i18n: I18nContext<Locale>) -> &'static str {
        match self {
            NavItem::Cases => t_string!(i18n, nav.cases),
            NavItem::Courses => t_string!(i18n, nav.courses),
            NavItem::Replays => t_string!(i18n, nav.replays),
            NavItem::Guidance => t_string!(i18n, nav.guidance),
            NavItem::Competency => t_string!(i18n, nav.competency),
            NavItem::Logbook => t_string!(i18n, nav.logbook),
            NavItem::Review => t_string!(i18n, nav.review),
            NavItem::Viewer => t_string!(i18n, nav.viewer),
            NavItem::Studies => t_string!(i18n, nav.studies),
            NavItem::People => t_string!(i18n, nav.people),
            NavItem::Admin => t_string!(i18n, nav.admin),
        }
    }

    /// The sections a role sees, in header order.
    fn for_role(role: Role) -> &'static [NavItem] {
        match role {
            Role::Learner => &[
                NavItem::Cases,
                NavItem::Courses,
                NavItem::Replays,
                NavItem::Guidance,
                NavItem::Competency,
                NavItem::Logbook,
                NavItem::Viewer,
            ],
            Role::Expert => &[
                NavItem::Cases,
                NavItem::Studies,
                NavItem::Courses,
                NavItem::Replays,
                NavItem::Guidance,
                NavItem::Competency,
                NavItem::Review,
                NavItem::Viewer,
            ],
            Role::Coordinator => &[
                NavItem::Cases,
                NavItem::Courses,
                NavItem::Replays,
                NavItem::Competency,
                NavItem::Viewer,
                NavItem::People,
            ],
            Role::Admin => &[NavItem::People, NavItem::Admin],
        }
    }
}

/// The translated name of a role.
pub fn role_label(i18n: I18nContext<Locale>, role: Role) -> &'static str {
    match role {
        Role::Learner => t_string!(i18n, role.learner),
        Role::Expert => t_string!(i18n, role.expert),
        Role::Coordinator => t_string!(i18n, role.coordinator),
        Role::Admin => t_string!(i18n, role.admin),
    }
}

/// The current UI language as the short code the data uses ("zh" or "en").
pub fn lang_code(i18n: I18nContext<Locale>) -> &'static str {
    match i18n.get_locale() {
        Locale::en => "en",
        Locale::zh => "zh",
    }
}

/// Keeps the reader's choice for a year on the whole site (`crate::LANGUAGE_COOKIE`), so the
/// server renders the next page in it.
fn remember_language(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let secure = window().location().protocol().is_ok_and(|p| p == "https:");
        let cookie = format!(
            "{}={}; path=/; max-age={}; samesite=lax{}",
            crate::LANGUAGE_COOKIE,
            locale.as_str(),
            365 * 24 * 3600,
            if secure { "; secure" } else { "" }
        );
        if let Ok(document) = document().dyn_into::<web_sys::HtmlDocument>() {
            let _ = document.set_cookie(&cookie);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let is = move |l: Locale| i18n.get_locale() == l;
    let choose = move |l: Locale| {
        i18n.set_locale(l);
        remember_language(l);
    };
    view! {
        <div class="lang-switch" role="group" aria-label=move || t_string!(i18n, nav.language)>
            <button
                type="button"
                lang="zh"
                class:active=move || is(Locale::zh)
                aria-pressed=move || is(Locale::zh).to_string()
                on:click=move |_| choose(Locale::zh)
            >
                "中文"
            </button>
            <button
                type="button"
                lang="en"
                class:active=move || is(Locale::en)
                aria-pressed=move || is(Locale::en).to_string()
                on:click=move |_| choose(Locale::en)
            >
                "English"
            </button>
        </div>
    }
}

#[component]
fn SignedInNav(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let current = move |href: &'static str| {
        let path = location.pathname.get();
        path == href || path.starts_with(&format!("{href}/"))
    };
    let sign_out = Action::new(|_: &()| crate::api::auth::logout());
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            let _ = window().location().set_href("/login");
        }
    });
    let items = NavItem::for_role(user.role);
    let role = user.role;
    let site = user.site.clone();
    view! {
        <nav class="nav" aria-label=move || t_string!(i18n, nav.main_navigation)>
            <ul>
                {items
                    .iter()
                    .map(|item| {
                        let item = *item;
                        view! {
                            <li>
                                <a
                                    href=item.href()
                                    aria-current=move || current(item.href()).then_some("page")
                                >
                                    {move || item.label(i18n)}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <div class="user-menu">
            <NotificationBell />
            <a class="user-chip" href="/profile" data-testid="user-chip">
                <span class="user-name">{user.display_name.clone()}</span>
                <span class="user-role">{move || role_label(i18n, role)}</span>
                <span class="user-site">{move || site.name(lang_code(i18n)).to_string()}</span>
            </a>
            <button type="button" class="btn btn-quiet" on:click=move |_| { sign_out.dispatch(()); }>
                {t!(i18n, nav.sign_out)}
            </button>
        </div>
    }
}

/// The unread-notification count, read again on every page change. It is fetched in the
/// browser after hydration (not as a resource), so the server's header never waits for it.
#[component]
fn NotificationBell() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let count = RwSignal::new(0u32);
    Effect::new(move |_| {
        location.pathname.track();
        leptos::task::spawn_local(async move {
            if let Ok(n) = crate::api::cases::unread_notifications().await {
                count.set(n);
            }
        });
    });
    view! {
        <a class="bell" href="/notifications" data-testid="bell" title=move || t_string!(i18n, notifications.title)>
            <svg class="bell-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" fill="currentColor" />
            </svg>
            <span class="sr-only">{move || t_string!(i18n, notifications.bell, n = count.get())}</span>
            <span class="bell-count" aria-hidden="true" data-testid="bell-count" class:hidden=move || count.get() == 0>{move || count.get()}</span>
        </a>
    }
}

/// The header on every page.
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let Me(me) = expect_context::<Me>();
    let SessionLost(lost) = expect_context::<SessionLost>();
    let pathname = leptos_router::hooks::use_location().pathname;
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_to_content)}</a>
        <header class="header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◐"</span>
                <span class="brand-name">"SonoHub"</span>
            </a>
            <Suspense fallback=|| ()>
                {move || {
                    let user = me.get().and_then(|r| r.ok().flatten())?;
                    // The session ended while this page was open: say so, not "signed in".
                    Some(if lost.get() {
                        let href = move || crate::pages::guard::login_href(&pathname.get());
                        view! { <a class="btn btn-quiet header-sign-in" href=href>{t!(i18n, nav.sign_in)}</a> }.into_any()
                    } else {
                        view! { <SignedInNav user /> }.into_any()
                    })
                }}
            </Suspense>
            <LanguageSwitch />
        </header>
    }
}
