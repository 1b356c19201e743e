//! An interpretation against its review form: the pure edits the form's controls make, the
//! text an answer reads as, the controls themselves (a radio group for a choice, a window ×
//! option grid of radios, a select for a level) and the read-only answers.
use crate::i18n::*;
use crate::model::competency::{Answer, FieldKind, FormField, Interpretation, ReviewForm};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Answers a choice field with `option`.
pub fn set_choice(reading: &mut Interpretation, key: &str, option: &str) {
    reading
        .answers
        .insert(key.to_string(), Answer::Choice(option.to_string()));
}

/// Answers one window of a per-window field, keeping the other windows' answers.
pub fn set_window(reading: &mut Interpretation, key: &str, window: &str, option: &str) {
    let mut windows = match reading.answers.remove(key) {
        Some(Answer::PerWindow(windows)) => windows,
        _ => BTreeMap::new(),
    };
    windows.insert(window.to_string(), option.to_string());
    reading
        .answers
        .insert(key.to_string(), Answer::PerWindow(windows));
}

/// Answers a level field; an empty or unreadable choice clears the answer.
pub fn set_level(reading: &mut Interpretation, key: &str, level: &str) {
    match level.parse::<u8>() {
        Ok(level) => {
            reading
                .answers
                .insert(key.to_string(), Answer::Level(level));
        }
        Err(_) => {
            reading.answers.remove(key);
        }
    }
}

/// Whether `option` is the answer given for `window` (`None` for a choice field).
pub fn is_chosen(reading: &Interpretation, key: &str, window: Option<&str>, option: &str) -> bool {
    match (reading.answers.get(key), window) {
        (Some(Answer::Choice(value)), None) => value == option,
        (Some(Answer::PerWindow(values)), Some(w)) => values.get(w).is_some_and(|v| v == option),
        _ => false,
    }
}

/// An answer as one line of text (windows as `window: option`, joined by `; `).
pub fn answer_text(answer: Option<&Answer>) -> String {
    match answer {
        None => "—".to_string(),
        Some(Answer::Choice(value)) => value.clone(),
        Some(Answer::Level(level)) => level.to_string(),
        Some(Answer::PerWindow(values)) => values
            .iter()
            .map(|(w, v)| format!("{w}: {v}"))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn field_control(
    field: FormField,
    reading: RwSignal<Interpretation>,
    prefix: &'static str,
) -> AnyView {
    let i18n = use_i18n();
    let key = field.key.clone();
    let id = format!("{prefix}-{}", field.key);
    match field.kind {
        FieldKind::Choice { options, .. } => view! {
            <fieldset class="reading-field" data-field=key.clone()>
                <legend>{field.label.clone()}</legend>
                <div class="reading-options">
                    {options.into_iter().map(|option| {
                        let (k1, k2, o1, o2) = (key.clone(), key.clone(), option.clone(), option.clone());
                        view! {
                            <label class="check">
                                <input type="radio" name=id.clone() value=option.clone()
                                    prop:checked=move || reading.with(|r| is_chosen(r, &k1, None, &o1))
                                    on:change=move |_| reading.update(|r| set_choice(r, &k2, &o2)) />
                                {option}
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        }
        .into_any(),
        FieldKind::PerWindow { windows, options, .. } => {
            let options = StoredValue::new(options);
            view! {
                <fieldset class="reading-field" data-field=key.clone()>
                    <legend>{field.label.clone()}</legend>
                    <div class="window-grid">
                        {windows.into_iter().enumerate().map(|(w, window)| {
                            let name = format!("{id}-{w}");
                            let key = key.clone();
                            view! {
                                <fieldset class="window-row" data-window=window.clone()>
                                    <legend>{window.clone()}</legend>
                                    {options.get_value().into_iter().map(|option| {
                                        let (k1, k2) = (key.clone(), key.clone());
                                        let (w1, w2) = (window.clone(), window.clone());
                                        let (o1, o2) = (option.clone(), option.clone());
                                        view! {
                                            <label class="check">
                                                <input type="radio" name=name.clone() value=option.clone()
                                                    prop:checked=move || reading.with(|r| is_chosen(r, &k1, Some(&w1), &o1))
                                                    on:change=move |_| reading.update(|r| set_window(r, &k2, &w2, &o2)) />
                                                {option}
                                            </label>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            }
            .into_any()
        }
        FieldKind::Level { min, max, .. } => {
            let (k1, k2) = (key.clone(), key.clone());
            let current = move || match reading.with(|r| r.answers.get(&k1).cloned()) {
                Some(Answer::Level(level)) => level.to_string(),
                _ => String::new(),
            };
            view! {
                <div class="field reading-field" data-field=key.clone()>
                    <label for=id.clone()>{field.label.clone()}</label>
                    <select id=id.clone() prop:value=current
                        on:change=move |ev| { let v = event_target_value(&ev); reading.update(|r| set_level(r, &k2, &v)); }>
                        <option value="">{move || t_string!(i18n, logbook.choose)}</option>
                        {(min..=max).map(|level| view! { <option value=level.to_string()>{level}</option> }).collect_view()}
                    </select>
                </div>
            }
            .into_any()
        }
    }
}

/// The form's fields as controls writing `reading`; `prefix` keeps ids apart on a page.
#[component]
pub fn ReadingFields(
    form: ReviewForm,
    reading: RwSignal<Interpretation>,
    prefix: &'static str,
) -> impl IntoView {
    view! {
        <div class="reading-fields">
            {form.fields.into_iter().map(|f| field_control(f, reading, prefix)).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_answered_one_by_one_and_kept() {
        let mut reading = Interpretation::default();
        set_window(&mut reading, "efast", "RUQ", "negative");
        set_window(&mut reading, "efast", "pelvis", "positive");
        set_window(&mut reading, "efast", "RUQ", "positive");
        assert!(is_chosen(&reading, "efast", Some("RUQ"), "positive"));
        assert!(is_chosen(&reading, "efast", Some("pelvis"), "positive"));
        assert!(!is_chosen(&reading, "efast", Some("LUQ"), "positive"));
        assert_eq!(
            answer_text(reading.answers.get("efast")),
            "RUQ: positive; pelvis: positive"
        );
    }

    #[test]
    fn a_window_answer_replaces_an_answer_of_another_kind() {
        let mut reading = Interpretation::default();
        set_choice(&mut reading, "efast", "x");
        set_window(&mut reading, "efast", "RUQ", "negative");
        assert!(matches!(reading.answers.get("efast"), Some(Answer::PerWindow(w)) if w.len() == 1));
    }

    #[test]
    fn a_level_is_set_and_cleared_by_the_select() {
        let mut reading = Interpretation::default();
        set_level(&mut reading, "tirads", "4");
        assert_eq!(reading.answers.get("tirads"), Some(&Answer::Level(4)));
        set_level(&mut reading, "tirads", "");
        assert!(!reading.answers.contains_key("tirads"));
    }

    #[test]
    fn a_choice_is_chosen_only_without_a_window() {
        let mut reading = Interpretation::default();
        set_choice(&mut reading, "plaque", "none");
        assert!(is_chosen(&reading, "plaque", None, "none"));
        assert!(!is_chosen(&reading, "plaque", Some("none"), "none"));
        assert_eq!(answer_text(None), "—");
    }
}
