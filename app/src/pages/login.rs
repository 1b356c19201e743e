//! Sign-in.
use crate::api::auth::Login;
use crate::components::errors::error_message;
use crate::components::layout::PageTitle;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Where to go after signing in: a local path only, never another site.
pub fn safe_next(next: Option<String>) -> String {
    // Browsers drop tabs and line breaks from a URL and read `\` as `/`, so `/<tab>/host` and
    // `/\host` become the other site's `//host`: such a path is refused whole, as is any
    // control character or space, which a path of ours never has.
    let ours = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n
                .chars()
                .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    };
    match next {
        Some(n) if ours(&n) => n,
        _ => "/".to_string(),
    }
}

/// The sign-in form. Checks for empty fields before sending; errors are translated.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next"));
    let login = ServerAction::<Login>::new();
    // The fields are read when the form is sent, never written: bound to signals, hydration
    // would set them to the signals' empty values and wipe what was typed while the app loaded
    // on a slow link.
    let username = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    let value =
        |field: NodeRef<leptos::html::Input>| field.get().map(|i| i.value()).unwrap_or_default();
    let missing = RwSignal::new(false);

    Effect::new(move |_| {
        if let Some(Ok(_)) = login.value().get() {
            let _ = window().location().set_href(&next());
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (username, password) = (value(username), value(password));
        if username.trim().is_empty() || password.is_empty() {
            missing.set(true);
            return;
        }
        missing.set(false);
        login.dispatch(Login { username, password });
    };
    let error = move || {
        if missing.get() {
            return Some(t_string!(i18n, login.required).to_string());
        }
        match login.value().get() {
            Some(Err(e)) => Some(error_message(i18n, &e)),
            _ => None,
        }
    };

    view! {
        <PageTitle page=|i| t_string!(i, page_title.login).to_string() />
        <section class="page login-page">
            <div class="login-card">
                <h1>{t!(i18n, login.title)}</h1>
                <p class="muted">{t!(i18n, app_tagline)}</p>
                <form method="post" action="/api/login" on:submit=on_submit novalidate>
                    <label for="username">{t!(i18n, login.username)}</label>
                    <input
                        id="username"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        node_ref=username
                    />
                    <label for="password">{t!(i18n, login.password)}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        node_ref=password
                    />
                    <p class="form-error" role="alert" data-testid="login-error">
                        {error}
                    </p>
                    <button class="btn btn-primary" type="submit" disabled=move || login.pending().get()>
                        {move || {
                            if login.pending().get() {
                                t_string!(i18n, login.submitting)
                            } else {
                                t_string!(i18n, login.submit)
                            }
                        }}
                    </button>
                </form>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/people?x=1".into())), "/people?x=1");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        for sneaky in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil",
            "/ /evil",
            "/a\\b",
        ] {
            assert_eq!(safe_next(Some(sneaky.into())), "/", "{sneaky:?}");
        }
        assert_eq!(safe_next(Some("/cases/x?q=%09".into())), "/cases/x?q=%09");
        assert_eq!(safe_next(None), "/");
    }
}
