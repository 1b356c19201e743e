//! Where learners clicked on a hotspot question: the clip at the frame most clicks were made
//! on, a glow that builds up where clicks gather, each click marked by its shape (a ring inside
//! a target, a cross outside), the author's targets outlined, and the counts in words.
use crate::components::viewer::{CineViewer, ClipSource};
use crate::i18n::*;
use crate::model::Shape;
use crate::model::quiz::ClickMap;
use leptos::prelude::*;

/// The outline of a target region, in image pixels.
fn target_outline(shape: &Shape) -> Option<AnyView> {
    match shape {
        Shape::Ellipse { center, rx, ry } => Some(
            view! { <ellipse class="heat-target" cx=center.x cy=center.y rx=*rx ry=*ry /> }
                .into_any(),
        ),
        Shape::Polygon { points } => {
            let points = points
                .iter()
                .map(|p| format!("{},{}", p.x, p.y))
                .collect::<Vec<_>>()
                .join(" ");
            Some(view! { <polygon class="heat-target" points=points /> }.into_any())
        }
        Shape::Arrow { .. } | Shape::Text { .. } => None,
    }
}

/// The drawing over the frame: the glow, the targets, then a mark per click on top.
fn heat_layer(place: u32, map: &ClickMap) -> AnyView {
    let size = f64::from(map.width.max(map.height).max(1));
    // A glow about a twelfth of the image across: wide enough to merge with its neighbours,
    // narrow enough to keep two structures apart.
    let radius = (size * 0.04).max(6.0);
    let mark = (radius * 0.3).max(2.0);
    let gradient = format!("heat-glow-{place}");
    let fill = format!("url(#{gradient})");
    view! {
        <g class="heat-layer">
            <defs>
                <radialGradient id=gradient>
                    <stop offset="0" stop-color="#ff5722" stop-opacity="0.55" />
                    <stop offset="0.55" stop-color="#ffc107" stop-opacity="0.25" />
                    <stop offset="1" stop-color="#ffc107" stop-opacity="0" />
                </radialGradient>
            </defs>
            <g class="heat-glow">
                {map.clicks.iter().map(|&(x, y, _, _)| view! {
                    <circle cx=x cy=y r=radius fill=fill.clone() />
                }).collect_view()}
            </g>
            <g class="heat-targets">{map.targets.iter().filter_map(target_outline).collect_view()}</g>
            <g class="heat-marks">
                {map.clicks.iter().map(|&(x, y, _, right)| {
                    if right {
                        view! { <circle class="heat-right" cx=x cy=y r=mark /> }.into_any()
                    } else {
                        let d = format!(
                            "M{} {}L{} {}M{} {}L{} {}",
                            x - mark, y - mark, x + mark, y + mark,
                            x + mark, y - mark, x - mark, y + mark,
                        );
                        view! { <path class="heat-wrong" d=d /> }.into_any()
                    }
                }).collect_view()}
            </g>
        </g>
    }
    .into_any()
}

/// One symbol of the legend, drawn as on the map.
fn legend_symbol(kind: &'static str) -> impl IntoView {
    let shape = match kind {
        "glow" => {
            view! { <circle cx="10" cy="10" r="9" fill="#ffab40" opacity="0.8" /> }.into_any()
        }
        "right" => view! { <circle class="heat-right" cx="10" cy="10" r="5" /> }.into_any(),
        "wrong" => view! { <path class="heat-wrong" d="M5 5L15 15M15 5L5 15" /> }.into_any(),
        _ => view! { <rect class="heat-target" x="2" y="4" width="16" height="12" rx="5" /> }
            .into_any(),
    };
    view! {
        <svg class="heat-symbol" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">{shape}</svg>
    }
}

/// The clip with the clicks drawn over it, the counts, and the legend.
#[component]
pub fn ClickHeatMap(place: u32, map: ClickMap) -> impl IntoView {
    let i18n = use_i18n();
    let total = map.clicks.len();
    let inside = map.clicks.iter().filter(|click| click.3).count();
    let shown_frame = map.frame + 1;
    let url = format!("/dicom/{}", map.sha);
    let source = Signal::derive(move || Some(ClipSource::Url(url.clone())));
    let jump = RwSignal::new(Some(map.frame));
    let empty = map.clicks.is_empty();
    let overlay = ViewFn::from(move || heat_layer(place, &map));
    view! {
        <figure class="heat-map" data-testid="heat-map">
            <div class="heat-viewer">
                <CineViewer source jump_to=jump overlay />
            </div>
            <figcaption>
                <p class="heat-counts" data-testid="click-counts">
                    {move || if empty {
                        t_string!(i18n, quiz_report.no_clicks).to_string()
                    } else {
                        t_string!(i18n, quiz_report.clicks_summary, total = total, inside = inside).to_string()
                    }}
                </p>
                <p class="muted small">
                    {move || t_string!(i18n, quiz_report.shown_frame, frame = shown_frame).to_string()}
                </p>
                <ul class="heat-legend" aria-label=move || t_string!(i18n, quiz_report.legend)>
                    <li>{legend_symbol("glow")}{t!(i18n, quiz_report.legend_heat)}</li>
                    <li>{legend_symbol("right")}{t!(i18n, quiz_report.legend_right)}</li>
                    <li>{legend_symbol("wrong")}{t!(i18n, quiz_report.legend_wrong)}</li>
                    <li>{legend_symbol("target")}{t!(i18n, quiz_report.legend_target)}</li>
                </ul>
            </figcaption>
        </figure>
    }
    .into_any()
}
