//! Small form pieces the score editors share: number and enum inputs, checkboxes, wire names.
use super::I18n;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A number without trailing zeros ("10", "1.25").
pub(super) fn number(v: f64) -> String {
    let fixed = format!("{v:.2}");
    fixed
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// An enum's wire name, used as an `<option>` value and in `data-` attributes for tests.
pub(super) fn wire<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn from_wire<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// A `<select>` over an enum's values; the caller supplies the `<label for=id>`.
pub(super) fn choice<T>(
    i18n: I18n,
    id: String,
    options: Vec<T>,
    current: impl Fn() -> T + Copy + Send + Sync + 'static,
    set: impl Fn(T) + Copy + Send + Sync + 'static,
    name: fn(I18n, T) -> String,
) -> impl IntoView
where
    T: Copy + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    // `selected` renders the choice into server HTML; `prop:value` follows later changes.
    let initial = untrack(current);
    view! {
        <select id=id prop:value=move || wire(current())
            on:change=move |ev| {
                if let Some(v) = from_wire::<T>(&event_target_value(&ev)) {
                    set(v);
                }
            }>
            {options
                .into_iter()
                .map(|o| view! { <option value=wire(o) selected=o == initial>{move || name(i18n, o)}</option> })
                .collect_view()}
        </select>
    }
}

/// A number input bound to an optional value; an empty box means `None`. With `required`, an
/// emptied box is put back to the stored value when the author leaves it.
pub(super) fn number_input(
    id: String,
    step: &'static str,
    max: &'static str,
    required: bool,
    current: Memo<Option<f64>>,
    set: impl Fn(Option<f64>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Input>::new();
    let initial = current.get_untracked().map(number).unwrap_or_default();
    let shown = move || {
        let stored = current.get();
        // Keep the author's own text ("2.50", "") while it means the stored value, so that
        // redrawing never fights the keyboard.
        if let Some(input) = node.get_untracked() {
            let text = input.value();
            if parse_number(&text) == stored {
                return text;
            }
        }
        stored.map(number).unwrap_or_default()
    };
    view! {
        <input id=id type="number" inputmode="decimal" min="0" step=step max=max
            value=initial prop:value=shown node_ref=node
            on:input=move |ev| {
                // Half-typed numbers ("1.") read as empty; wait for `change` to clear a value.
                if let Some(v) = parse_number(&event_target_value(&ev)) {
                    set(Some(v));
                }
            }
            on:change=move |ev| {
                let parsed = parse_number(&event_target_value(&ev));
                if parsed.is_some() || !required {
                    set(parsed);
                } else if let Some(input) = node.get_untracked() {
                    input.set_value(&current.get_untracked().map(number).unwrap_or_default());
                }
            } />
    }
}

/// A labelled checkbox.
pub(super) fn check(
    id: String,
    text: impl IntoView + 'static,
    current: impl Fn() -> bool + Copy + Send + Sync + 'static,
    set: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let initial = untrack(current);
    let label_for = id.clone();
    view! {
        <label class="check" for=label_for>
            <input id=id type="checkbox" checked=initial prop:checked=current
                on:change=move |ev| set(event_target_checked(&ev)) />
            {text}
        </label>
    }
}
