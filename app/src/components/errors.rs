//! Turns an `AppError` into a translated sentence.
use crate::i18n::*;
use crate::model::{AppError, InvalidReason};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The translated label of a form field, by its wire name.
pub fn field_label(i18n: I18nContext<Locale>, field: &str) -> String {
    match field {
        "username" => t_string!(i18n, field.username),
        "display_name" => t_string!(i18n, field.display_name),
        "password" | "new_password" => t_string!(i18n, field.password),
        "current_password" => t_string!(i18n, field.current_password),
        "role" => t_string!(i18n, field.role),
        "site" => t_string!(i18n, field.site),
        "name_zh" => t_string!(i18n, field.name_zh),
        "name_en" => t_string!(i18n, field.name_en),
        _ => return field.to_string(),
    }
    .to_string()
}

/// The translated reason a field was refused.
pub fn reason_label(i18n: I18nContext<Locale>, reason: InvalidReason) -> String {
    match reason {
        InvalidReason::Required => t_string!(i18n, reason.required),
        InvalidReason::TooShort => t_string!(i18n, reason.too_short),
        InvalidReason::TooLong => t_string!(i18n, reason.too_long),
        InvalidReason::BadFormat => t_string!(i18n, reason.bad_format),
        InvalidReason::Taken => t_string!(i18n, reason.taken),
        InvalidReason::Unknown => t_string!(i18n, reason.unknown),
        InvalidReason::Wrong => t_string!(i18n, reason.wrong),
        InvalidReason::LastAdmin => t_string!(i18n, reason.last_admin),
    }
    .to_string()
}

/// The sentence a user sees for an error, in the current language.
pub fn error_message(i18n: I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Unauthenticated => t_string!(i18n, error.unauthenticated).to_string(),
        AppError::Forbidden => t_string!(i18n, error.forbidden).to_string(),
        AppError::NotFound(what) => {
            t_string!(i18n, error.not_found, what = what.clone()).to_string()
        }
        AppError::Invalid { field, reason } => {
            let field = field_label(i18n, field);
            let reason = reason_label(i18n, *reason);
            t_string!(i18n, error.invalid, field = field, reason = reason).to_string()
        }
        AppError::BadCredentials => t_string!(i18n, error.bad_credentials).to_string(),
        AppError::RateLimited => t_string!(i18n, error.rate_limited).to_string(),
        AppError::Internal => t_string!(i18n, error.internal).to_string(),
        AppError::Unavailable => t_string!(i18n, error.unavailable).to_string(),
    }
}

/// An error box with the translated message; offers sign-in when the session has gone.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let signed_out = error == AppError::Unauthenticated;
    let message = move || error_message(i18n, &error);
    view! {
        <div class="notice notice-error" role="alert">
            <p>{message}</p>
            {signed_out
                .then(|| {
                    view! { <a href="/login">{t!(i18n, error.sign_in_again)}</a> }
                })}
        </div>
    }
}
