//! The list under an editable viewer: one row per annotation with its kind, label (text),
//! frame range and removal. Fields commit on change, so typing never rebuilds the row.
use crate::i18n::*;
use crate::model::{Annotation, Shape};
use leptos::prelude::*;

fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, shape: &Shape) -> &'static str {
    match shape {
        Shape::Arrow { .. } => t_string!(i18n, viewer.tool_arrow),
        Shape::Ellipse { .. } => t_string!(i18n, viewer.tool_ellipse),
        Shape::Polygon { .. } => t_string!(i18n, viewer.tool_polygon),
        Shape::Text { .. } => t_string!(i18n, viewer.tool_text),
    }
}

/// Parses a 1-based frame number typed by the user into a 0-based index within the clip.
fn frame_index(value: &str, frames: u32) -> Option<u32> {
    let n: u32 = value.trim().parse().ok()?;
    (1..=frames.max(1)).contains(&n).then(|| n - 1)
}

/// Moves the first (or last) frame of annotation `index` to `n`, pushing the other end along
/// so the range never turns inside out.
fn set_end(list: RwSignal<Vec<Annotation>>, index: usize, first: bool, n: u32) {
    list.update(|l| {
        if let Some(a) = l.get_mut(index) {
            if first {
                a.first_frame = n;
                a.last_frame = a.last_frame.max(n);
            } else {
                a.last_frame = n;
                a.first_frame = a.first_frame.min(n);
            }
        }
    });
}

#[component]
pub fn AnnotationList(
    list: RwSignal<Vec<Annotation>>,
    frame: RwSignal<u32>,
    frames: Signal<u32>,
    text_added: RwSignal<u32>,
    on_jump: Callback<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    // A new text annotation's label field takes the focus once, so the user types at once.
    let focused = StoredValue::new(text_added.get_untracked());
    let row = move |(index, a): (usize, Annotation)| {
        let set_range = move |first: bool, value: String| {
            let total = frames.get_untracked();
            if let Some(n) = frame_index(&value, total) {
                set_end(list, index, first, n);
            } else {
                // Put back what was there: the field only ever shows a valid frame.
                list.update(|_| {});
            }
        };
        let here = move |first: bool| {
            set_end(list, index, first, frame.get_untracked());
        };
        let label = match &a.shape {
            Shape::Text { text, .. } => Some(text.clone()),
            _ => None,
        };
        let first = a.first_frame;
        let label_ref = NodeRef::<leptos::html::Input>::new();
        let last = index + 1 == list.with_untracked(Vec::len);
        if last && label.as_deref() == Some("") && focused.get_value() != text_added.get_untracked()
        {
            focused.set_value(text_added.get_untracked());
            Effect::new(move |_| {
                // As soon as the row is in the document, before the next key can arrive (the
                // press that placed the text does not move the focus: see `pointer_down`).
                if let Some(input) = label_ref.get() {
                    let _ = input.focus();
                }
            });
        }
        view! {
            <li data-kind=kind_label(i18n, &a.shape)>
                <button type="button" class="link" on:click=move |_| on_jump.run(first)
                    title=move || t_string!(i18n, viewer.show_frame)>
                    {format!("{}. {}", index + 1, kind_label(i18n, &a.shape))}
                </button>
                {label.map(|text| view! {
                    <input class="ann-label" type="text" maxlength="120" prop:value=text node_ref=label_ref
                        placeholder=move || t_string!(i18n, viewer.label_placeholder)
                        aria-label=move || t_string!(i18n, viewer.label_text)
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            list.update(|l| {
                                if let Some(Annotation { shape: Shape::Text { text, .. }, .. }) = l.get_mut(index) {
                                    *text = value.trim().to_string();
                                }
                            });
                        } />
                })}
                <label class="ann-range">
                    {t!(i18n, viewer.from_frame)}
                    <input type="number" min="1" max=move || frames.get() prop:value=a.first_frame + 1
                        on:change=move |ev| set_range(true, event_target_value(&ev)) />
                </label>
                <button type="button" class="vbtn small" on:click=move |_| here(true)
                    title=move || t_string!(i18n, viewer.from_here)>{t!(i18n, viewer.here)}</button>
                <label class="ann-range">
                    {t!(i18n, viewer.to_frame)}
                    <input type="number" min="1" max=move || frames.get() prop:value=a.last_frame + 1
                        on:change=move |ev| set_range(false, event_target_value(&ev)) />
                </label>
                <button type="button" class="vbtn small" on:click=move |_| here(false)
                    title=move || t_string!(i18n, viewer.to_here)>{t!(i18n, viewer.here)}</button>
                <button type="button" class="vbtn small danger"
                    aria-label=move || t_string!(i18n, viewer.remove_annotation)
                    on:click=move |_| list.update(|l| {
                        if index < l.len() {
                            l.remove(index);
                        }
                    })>"×"</button>
            </li>
        }
    };
    view! {
        <section class="ann-panel" aria-label=move || t_string!(i18n, viewer.annotations)>
            <h3>{t!(i18n, viewer.annotations)}</h3>
            {move || {
                let items = list.get();
                if items.is_empty() {
                    view! { <p class="muted-dark small">{t!(i18n, viewer.no_annotations)}</p> }.into_any()
                } else {
                    view! {
                        <ol class="ann-list">{items.into_iter().enumerate().map(row).collect_view()}</ol>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::frame_index;

    #[test]
    fn typed_frame_numbers_are_one_based_and_clamped_to_the_clip() {
        assert_eq!(frame_index("1", 10), Some(0));
        assert_eq!(frame_index(" 10 ", 10), Some(9));
        assert_eq!(frame_index("11", 10), None);
        assert_eq!(frame_index("0", 10), None);
        assert_eq!(frame_index("-3", 10), None);
        assert_eq!(frame_index("abc", 10), None);
    }
}
