//! Turns an `AppError` into a translated sentence.
use crate::i18n::*;
use crate::model::{AppError, ArchiveProblem, ImportFailure, InvalidReason};
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
        "base_url" => t_string!(i18n, field.base_url),
        "auth" => t_string!(i18n, field.auth),
        "archive_username" => t_string!(i18n, field.archive_username),
        "archive_secret" => t_string!(i18n, field.archive_secret),
        "timeout_secs" => t_string!(i18n, field.timeout_secs),
        "patient_id" => t_string!(i18n, field.patient_id),
        "patient_name" => t_string!(i18n, field.patient_name),
        "accession" => t_string!(i18n, field.accession),
        "date_from" => t_string!(i18n, field.date_from),
        "date_to" => t_string!(i18n, field.date_to),
        "modality" => t_string!(i18n, field.modality),
        "study_uids" => t_string!(i18n, field.study_uids),
        "rects" => t_string!(i18n, field.rects),
        "token_name" => t_string!(i18n, field.token_name),
        "token_holder" => t_string!(i18n, field.token_holder),
        "area" => t_string!(i18n, field.area),
        "device" => t_string!(i18n, field.device),
        "title" => t_string!(i18n, field.case_title),
        "history" => t_string!(i18n, field.case_history),
        "findings" => t_string!(i18n, field.case_findings),
        "impression" => t_string!(i18n, field.case_impression),
        "diagnosis" => t_string!(i18n, field.case_diagnosis),
        "differential" => t_string!(i18n, field.case_differential),
        "teaching_points" => t_string!(i18n, field.case_teaching_points),
        "tags" => t_string!(i18n, field.case_tags),
        "clips" => t_string!(i18n, field.case_clips),
        "choices" => t_string!(i18n, field.case_choices),
        "answer" => t_string!(i18n, field.case_answer),
        "application" => t_string!(i18n, field.case_application),
        "origin_site" => t_string!(i18n, field.case_origin_site),
        "status" => t_string!(i18n, field.case_status),
        "updated_at" => t_string!(i18n, field.case_updated_at),
        "body" => t_string!(i18n, field.case_body),
        "frame" => t_string!(i18n, field.case_frame),
        "bethesda" => t_string!(i18n, field.case_bethesda),
        "day_offset" => t_string!(i18n, field.case_day_offset),
        "summary" => t_string!(i18n, field.case_summary),
        "content" => t_string!(i18n, field.case_content),
        "text" => t_string!(i18n, field.case_text),
        "tirads" => t_string!(i18n, field.case_tirads),
        "age_band" => t_string!(i18n, field.case_age_band),
        "sex" => t_string!(i18n, field.case_sex),
        "impression_call" => t_string!(i18n, field.case_impression_call),
        "difficulty" => t_string!(i18n, field.case_difficulty),
        "scores" => t_string!(i18n, field.case_scores),
        "stem" => t_string!(i18n, field.question_stem),
        "topic" => t_string!(i18n, field.question_topic),
        "explanation" => t_string!(i18n, field.question_explanation),
        "clip" => t_string!(i18n, field.question_clip),
        "kind.options" => t_string!(i18n, field.question_options),
        "kind.correct" => t_string!(i18n, field.question_correct),
        "kind.items" => t_string!(i18n, field.question_items),
        "kind.frames" => t_string!(i18n, field.question_frames),
        "kind.targets" => t_string!(i18n, field.question_targets),
        "kind.target" | "kind.target.start" => t_string!(i18n, field.question_target),
        "kind.tolerance" => t_string!(i18n, field.question_tolerance),
        "kind.expected_mm" => t_string!(i18n, field.question_expected_mm),
        "picks" => t_string!(i18n, field.quiz_picks),
        "settings.attempts_allowed" => t_string!(i18n, field.quiz_attempts_allowed),
        "settings.time_limit_secs" => t_string!(i18n, field.quiz_time_limit),
        "settings.pass_mark" => t_string!(i18n, field.quiz_pass_mark),
        "settings.closes_at" => t_string!(i18n, field.quiz_closes_at),
        "code" => t_string!(i18n, applications.code),
        _ => {
            return score_field_label(i18n, field)
                .or_else(|| quiz_pick_label(i18n, field))
                .or_else(|| course_field_label(i18n, field))
                .or_else(|| question_field_label(i18n, field))
                .or_else(|| review_form_field_label(i18n, field))
                .unwrap_or_else(|| field.to_string());
        }
    }
    .to_string()
}

/// A question's indexed field path as the editor names it: `kind.options.2` "Option C",
/// `kind.correct.0` the right answers, `kind.items.1` "Item 2", `kind.targets.0.shape` (and
/// its parts) "Target 1", `kind.targets.0.last_frame` "Target 1's frames".
fn question_field_label(i18n: I18nContext<Locale>, field: &str) -> Option<String> {
    let rest = field.strip_prefix("kind.")?;
    let (list, rest) = rest.split_once('.')?;
    let (n, part) = rest.split_once('.').unwrap_or((rest, ""));
    let n: usize = n.parse().ok()?;
    Some(match (list, part) {
        ("options", _) => {
            let letter = crate::pages::courses::questions::option_letter(n);
            t_string!(i18n, field.question_option_n, n = letter).to_string()
        }
        ("correct", _) => t_string!(i18n, field.question_correct).to_string(),
        ("items", _) => t_string!(i18n, field.question_item_n, n = n + 1).to_string(),
        ("targets", "first_frame" | "last_frame") => {
            t_string!(i18n, field.question_target_frames, n = n + 1).to_string()
        }
        ("targets", _) => t_string!(i18n, field.question_target_n, n = n + 1).to_string(),
        _ => return None,
    })
}

/// A review form's field path (`fields.2.kind.options.1`, `rubric.criteria.0.levels`) as the
/// applications editor names it: "Field 3 · Options · line 2"; none for other paths.
fn review_form_field_label(i18n: I18nContext<Locale>, path: &str) -> Option<String> {
    if !path.starts_with("fields") && !path.starts_with("rubric") {
        return None;
    }
    let parts: Vec<&str> = path.split('.').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let part = parts[i];
        let next = parts.get(i + 1).and_then(|n| n.parse::<usize>().ok());
        let word = match part {
            "fields" => match next {
                Some(n) => {
                    i += 1;
                    t_string!(i18n, applications.field_n, n = n + 1).to_string()
                }
                None => t_string!(i18n, applications.fields).to_string(),
            },
            "criteria" => match next {
                Some(n) => {
                    i += 1;
                    t_string!(i18n, applications.criterion_n, n = n + 1).to_string()
                }
                None => t_string!(i18n, applications.rubric).to_string(),
            },
            "rubric" | "kind" => {
                i += 1;
                continue;
            }
            "key" => t_string!(i18n, applications.key).to_string(),
            "label" => t_string!(i18n, applications.label).to_string(),
            "options" => t_string!(i18n, applications.options).to_string(),
            "windows" => t_string!(i18n, applications.windows).to_string(),
            "negative" => t_string!(i18n, applications.negative).to_string(),
            "levels" => t_string!(i18n, applications.levels).to_string(),
            "min" => t_string!(i18n, applications.min).to_string(),
            "max" => t_string!(i18n, applications.max).to_string(),
            "positive_from" => t_string!(i18n, applications.positive_from).to_string(),
            other => match other.parse::<usize>() {
                Ok(n) => t_string!(i18n, applications.item_n, n = n + 1).to_string(),
                Err(_) => other.to_string(),
            },
        };
        out.push(word);
        i += 1;
    }
    Some(out.join(" · "))
}

/// A score's field path (`scores.0.size_mm`) as "Score 1 · size_mm" with the score editor's
/// own label for the field when it has one.
fn score_field_label(i18n: I18nContext<Locale>, field: &str) -> Option<String> {
    let rest = field.strip_prefix("scores.")?;
    let (n, path) = rest.split_once('.').unwrap_or((rest, ""));
    let n: usize = n.parse().ok()?;
    let score = t_string!(i18n, field.score_n, n = n + 1).to_string();
    Some(if path.is_empty() {
        score
    } else {
        format!(
            "{score} · {}",
            crate::components::scores::field_name(i18n, path)
        )
    })
}

/// A course editor's field path as the editor names it: `course.title` "Course title",
/// `modules.1.title` "Module 2 · Module title", `modules.0.lessons.2.body.markdown` "Module 1
/// · Lesson 3 · Text" (the editor numbers lessons within their module).
fn course_field_label(i18n: I18nContext<Locale>, field: &str) -> Option<String> {
    match field {
        "course.title" => return Some(t_string!(i18n, course_edit.course_title).to_string()),
        "course.summary" => return Some(t_string!(i18n, course_edit.summary).to_string()),
        "modules" => return Some(t_string!(i18n, courses.modules).to_string()),
        _ => {}
    }
    let rest = field.strip_prefix("modules.")?;
    let (m, rest) = rest.split_once('.').unwrap_or((rest, ""));
    let m: usize = m.parse().ok()?;
    let mut parts = vec![t_string!(i18n, course_edit.module_n, n = m + 1).to_string()];
    let part = match rest.split('.').collect::<Vec<_>>().as_slice() {
        [] | [""] => None,
        ["key"] => Some(t_string!(i18n, course_edit.key).to_string()),
        ["title"] => Some(t_string!(i18n, course_edit.module_title).to_string()),
        ["prerequisites", ..] => Some(t_string!(i18n, course_edit.prerequisites).to_string()),
        ["lessons"] => Some(t_string!(i18n, course_edit.lessons).to_string()),
        ["lessons", l, lesson @ ..] => {
            let l: usize = l.parse().ok()?;
            parts.push(t_string!(i18n, course_edit.lesson_n, n = l + 1).to_string());
            match lesson {
                ["key"] => Some(t_string!(i18n, course_edit.key).to_string()),
                ["title"] => Some(t_string!(i18n, course_edit.lesson_title).to_string()),
                ["body", "markdown"] => Some(t_string!(i18n, course_edit.markdown).to_string()),
                ["body", "sop_uid"] => Some(t_string!(i18n, course_edit.clip).to_string()),
                ["body", "narration"] => Some(t_string!(i18n, course_edit.narration).to_string()),
                ["body", "replay_id"] => Some(t_string!(i18n, course_edit.replay).to_string()),
                _ => None,
            }
        }
        _ => return None,
    };
    parts.extend(part);
    Some(parts.join(" · "))
}

/// A quiz's place (`picks.2`) as "Question 3".
fn quiz_pick_label(i18n: I18nContext<Locale>, field: &str) -> Option<String> {
    let n: usize = field.strip_prefix("picks.")?.parse().ok()?;
    Some(t_string!(i18n, field.quiz_pick_n, n = n + 1).to_string())
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
        InvalidReason::WrongState => t_string!(i18n, reason.wrong_state),
        InvalidReason::OwnWork => t_string!(i18n, reason.own_work),
        InvalidReason::NoAttemptsLeft => t_string!(i18n, reason.no_attempts_left),
        InvalidReason::TimeUp => t_string!(i18n, reason.time_up),
        InvalidReason::Locked => t_string!(i18n, reason.locked),
        InvalidReason::NotCalibrated => t_string!(i18n, reason.not_calibrated),
        InvalidReason::NotPublished => t_string!(i18n, reason.not_published),
        InvalidReason::PastEnd => t_string!(i18n, reason.past_end),
        InvalidReason::Unsupported => t_string!(i18n, reason.unsupported),
        InvalidReason::OutOfRange => t_string!(i18n, reason.out_of_range),
        InvalidReason::NotEligible => t_string!(i18n, reason.not_eligible),
    }
    .to_string()
}

/// Whether a refusal of `field` concerns the form control `name`: the field itself or a
/// part of it (`clips.2` concerns `clips`).
pub fn concerns(field: &str, name: &str) -> bool {
    field
        .strip_prefix(name)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// The reason `error` gives for refusing the control `name` (or a part of it), under the
/// control; nothing for any other error.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<AppError>>,
    name: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    move || match error.get() {
        Some(AppError::Invalid { field, reason }) if concerns(&field, name) => Some(view! {
            <p class="field-error" role="alert">{reason_label(i18n, reason)}</p>
        }),
        _ => None,
    }
}

/// What was not found, in the current language (the server names it in English).
fn what_label(i18n: I18nContext<Locale>, what: &str) -> String {
    match what {
        "case" => t_string!(i18n, error.what.case),
        "comment" => t_string!(i18n, error.what.comment),
        "import job" => t_string!(i18n, error.what.import_job),
        "instance" => t_string!(i18n, error.what.instance),
        "held file" => t_string!(i18n, error.what.held_file),
        "device mask" => t_string!(i18n, error.what.device_mask),
        "token" => t_string!(i18n, error.what.token),
        "site" => t_string!(i18n, error.what.site),
        "study" => t_string!(i18n, error.what.study),
        "upload" => t_string!(i18n, error.what.upload),
        "user" => t_string!(i18n, error.what.user),
        "version" => t_string!(i18n, error.what.version),
        "course" => t_string!(i18n, error.what.course),
        "lesson" => t_string!(i18n, error.what.lesson),
        "quiz" => t_string!(i18n, error.what.quiz),
        "question" => t_string!(i18n, error.what.question),
        "attempt" => t_string!(i18n, error.what.attempt),
        "replay" => t_string!(i18n, error.what.replay),
        "logbook entry" => t_string!(i18n, error.what.logbook_entry),
        "learner" => t_string!(i18n, error.what.learner),
        "application" => t_string!(i18n, error.what.application),
        "credential" => t_string!(i18n, error.what.credential),
        other => return other.to_string(),
    }
    .to_string()
}

/// The sentence a user sees for an error, in the current language.
pub fn error_message(i18n: I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Unauthenticated => t_string!(i18n, error.unauthenticated).to_string(),
        AppError::Forbidden => t_string!(i18n, error.forbidden).to_string(),
        AppError::NotFound(what) => {
            t_string!(i18n, error.not_found, what = what_label(i18n, what)).to_string()
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
        AppError::Archive(problem) => archive_problem_message(i18n, problem),
        AppError::Refused(failure) => import_failure_message(i18n, failure),
    }
}

/// Why the archive could not be used, in the current language.
pub fn archive_problem_message(i18n: I18nContext<Locale>, problem: &ArchiveProblem) -> String {
    match problem {
        ArchiveProblem::NotConfigured => {
            t_string!(i18n, archive_problem.not_configured).to_string()
        }
        ArchiveProblem::Unreachable => t_string!(i18n, archive_problem.unreachable).to_string(),
        ArchiveProblem::Timeout => t_string!(i18n, archive_problem.timeout).to_string(),
        ArchiveProblem::Refused => t_string!(i18n, archive_problem.refused).to_string(),
        ArchiveProblem::Status(code) => {
            t_string!(i18n, archive_problem.status, code = *code).to_string()
        }
        ArchiveProblem::BadAnswer => t_string!(i18n, archive_problem.bad_answer).to_string(),
    }
}

/// Why a file or instance was not imported, in the current language.
pub fn import_failure_message(i18n: I18nContext<Locale>, failure: &ImportFailure) -> String {
    match failure {
        ImportFailure::NotDicom => t_string!(i18n, import_failure.not_dicom).to_string(),
        ImportFailure::Damaged => t_string!(i18n, import_failure.damaged).to_string(),
        ImportFailure::NotAnImage => t_string!(i18n, import_failure.not_an_image).to_string(),
        ImportFailure::TooLarge(mb) => {
            t_string!(i18n, import_failure.too_large, mb = *mb).to_string()
        }
        ImportFailure::DeflateBomb => t_string!(i18n, import_failure.deflate_bomb).to_string(),
        ImportFailure::TooManyPixels(mp) => {
            t_string!(i18n, import_failure.too_many_pixels, mp = *mp).to_string()
        }
        ImportFailure::UnsafePath => t_string!(i18n, import_failure.unsafe_path).to_string(),
        ImportFailure::Unsupported(why) => {
            t_string!(i18n, import_failure.unsupported, why = why.clone()).to_string()
        }
        ImportFailure::NoImageArea => t_string!(i18n, import_failure.no_image_area).to_string(),
        ImportFailure::PhiFound(element) => {
            t_string!(i18n, import_failure.phi_found, element = element.clone()).to_string()
        }
        ImportFailure::PixelsNotBlank(frame) => {
            t_string!(i18n, import_failure.pixels_not_blank, frame = *frame + 1).to_string()
        }
        ImportFailure::Archive(problem) => archive_problem_message(i18n, problem),
        ImportFailure::Incomplete => t_string!(i18n, import_failure.incomplete).to_string(),
        ImportFailure::Storage => t_string!(i18n, import_failure.storage).to_string(),
    }
}

/// What the expert can do about a file or instance that was not imported, in the current
/// language: shown under the reason.
pub fn import_failure_hint(i18n: I18nContext<Locale>, failure: &ImportFailure) -> String {
    match failure {
        ImportFailure::NotDicom => t_string!(i18n, import_hint.not_dicom).to_string(),
        ImportFailure::Damaged => t_string!(i18n, import_hint.damaged).to_string(),
        ImportFailure::NotAnImage => t_string!(i18n, import_hint.not_an_image).to_string(),
        ImportFailure::TooLarge(mb) => t_string!(i18n, import_hint.too_large, mb = *mb).to_string(),
        ImportFailure::DeflateBomb => t_string!(i18n, import_hint.deflate_bomb).to_string(),
        ImportFailure::TooManyPixels(mp) => {
            t_string!(i18n, import_hint.too_many_pixels, mp = *mp).to_string()
        }
        ImportFailure::UnsafePath => t_string!(i18n, import_hint.unsafe_path).to_string(),
        ImportFailure::Unsupported(_) => t_string!(i18n, import_hint.unsupported).to_string(),
        ImportFailure::NoImageArea => t_string!(i18n, import_hint.no_image_area).to_string(),
        ImportFailure::PhiFound(element) => {
            t_string!(i18n, import_hint.phi_found, element = element.clone()).to_string()
        }
        ImportFailure::PixelsNotBlank(_) => {
            t_string!(i18n, import_hint.pixels_not_blank).to_string()
        }
        ImportFailure::Archive(_) => t_string!(i18n, import_hint.archive).to_string(),
        ImportFailure::Incomplete => t_string!(i18n, import_hint.incomplete).to_string(),
        ImportFailure::Storage => t_string!(i18n, import_hint.storage).to_string(),
    }
}

/// Set once a server call answers that the session has gone (expired, or signed out in
/// another tab): the header then stops showing the user as signed in.
#[derive(Clone, Copy)]
pub struct SessionLost(pub RwSignal<bool>);

/// An error box with the translated message and the way on: sign in again (back to this page)
/// when the session has gone, the home page when the page is not there or not for this role.
/// Rendered by the server (the page's own data failed), it also gives the response the status
/// a missing page or a refusal has (404, 403, 401), so nothing reads it as a working page.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let dead_end = matches!(
        error,
        AppError::Unauthenticated | AppError::Forbidden | AppError::NotFound(_)
    );
    #[cfg(feature = "ssr")]
    if dead_end && let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(error.status());
    }
    let signed_out = error == AppError::Unauthenticated;
    if signed_out && let Some(SessionLost(lost)) = use_context::<SessionLost>() {
        Effect::new(move |_| lost.set(true));
    }
    let pathname = leptos_router::hooks::use_location().pathname;
    let message = move || error_message(i18n, &error);
    view! {
        <div class="notice notice-error" role="alert">
            <p>{message}</p>
            {if signed_out {
                let href = move || crate::pages::guard::login_href(&pathname.get());
                Some(view! { <p><a class="btn" href=href>{t!(i18n, error.sign_in_again)}</a></p> }.into_any())
            } else if dead_end {
                Some(view! { <p><a href="/">{t!(i18n, error.back_home)}</a></p> }.into_any())
            } else {
                None
            }}
        </div>
    }
}
