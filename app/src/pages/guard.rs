//! Shows a page only to signed-in users of the allowed roles.
use crate::Me;
use crate::components::errors::ErrorNotice;
use crate::i18n::*;
use crate::model::{AppError, CurrentUser, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Percent-encodes `s` for a URL, leaving unreserved characters and those in `keep` as they are.
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b if keep.contains(&b) => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The sign-in address that brings the user back to `path` afterwards.
pub fn login_href(path: &str) -> String {
    format!("/login?next={}", percent_encode(path, b"/"))
}

/// Renders `children` for a signed-in user whose role is in `roles` (any role when empty).
#[component]
pub fn Guarded<F, V>(#[prop(optional)] roles: &'static [Role], children: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let Me(me) = expect_context::<Me>();
    let location = use_location();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
            {move || {
                me.get()
                    .map(|res| match res {
                        Ok(Some(user)) if roles.is_empty() || roles.contains(&user.role) => {
                            children(user).into_any()
                        }
                        Ok(Some(_)) => view! { <ErrorNotice error=AppError::Forbidden /> }.into_any(),
                        Ok(None) => {
                            let href = login_href(&location.pathname.get_untracked());
                            view! { <leptos_router::components::Redirect path=href /> }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
