//! Hand-written SVG charts (a line chart and a horizontal bar chart) for the dashboards: no
//! JavaScript library, drawn the same by the server and the browser. Each chart is an image
//! with a title and a description for screen readers; the page shows the same numbers in a
//! table next to it.
use leptos::prelude::*;

/// The drawing area of every chart, in SVG user units; CSS scales it to the page's width.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 260.0;
/// Room left for the axes' labels: left, right, top, bottom.
const PAD: (f64, f64, f64, f64) = (44.0, 16.0, 14.0, 34.0);

/// A linear map from a data range onto a pixel range (the pixel range may run backwards, as
/// the y axis does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Scale {
    /// `domain` onto `range`; an empty domain (one value) is widened by one each way so that a
    /// single point lands in the middle instead of dividing by zero.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Scale {
        let (lo, hi) = domain;
        let domain = if (hi - lo).abs() < f64::EPSILON {
            (lo - 1.0, hi + 1.0)
        } else {
            domain
        };
        Scale { domain, range }
    }

    pub fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// A number as SVG writes it: at most one decimal, no "-0".
pub fn coord(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// The path through the points with a value, lifting the pen over the gaps (a month with no
/// reviews breaks the line rather than drawing through zero).
pub fn line_path(points: &[(f64, Option<f64>)], x: Scale, y: Scale) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for &(px, py) in points {
        match py {
            Some(py) => {
                if !d.is_empty() {
                    d.push(' ');
                }
                d.push(if pen_down { 'L' } else { 'M' });
                d.push_str(&coord(x.map(px)));
                d.push(' ');
                d.push_str(&coord(y.map(py)));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

/// Up to `count` evenly spaced whole-number ticks from `lo` to `hi` (both included).
pub fn integer_ticks(lo: u32, hi: u32, count: u32) -> Vec<u32> {
    if hi <= lo {
        return vec![lo];
    }
    let step = (hi - lo).div_ceil(count.max(2) - 1).max(1);
    let mut ticks: Vec<u32> = (lo..=hi).step_by(step as usize).collect();
    if ticks.last() != Some(&hi) {
        ticks.push(hi);
    }
    ticks
}

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    /// The CSS class that colours it (and dashes it: colour is never the only difference).
    pub class: &'static str,
    pub points: Vec<(f64, Option<f64>)>,
    /// Draw a dot at each point (single scans), not only the line.
    pub dots: bool,
}

/// A horizontal line across the chart, such as "3 = acceptable".
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub value: f64,
    pub label: String,
}

/// A line chart with its axes, an optional reference line and a legend under it.
#[component]
pub fn LineChart(
    /// Unique on the page: the title's and description's ids hang off it.
    id: String,
    title: String,
    desc: String,
    series: Vec<Series>,
    x_domain: (f64, f64),
    y_domain: (f64, f64),
    /// Positions and labels on the x axis.
    x_ticks: Vec<(f64, String)>,
    y_ticks: Vec<(f64, String)>,
    #[prop(optional)] reference: Option<Reference>,
) -> impl IntoView {
    let (left, right, top, bottom) = PAD;
    let x = Scale::new(x_domain, (left, WIDTH - right));
    let y = Scale::new(y_domain, (HEIGHT - bottom, top));
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let grid = y_ticks
        .iter()
        .map(|(v, label)| {
            let py = coord(y.map(*v));
            view! {
                <line class="chart-grid" x1=coord(left) x2=coord(WIDTH - right) y1=py.clone() y2=py.clone() />
                <text class="chart-tick" x=coord(left - 6.0) y=py text-anchor="end" dominant-baseline="middle">{label.clone()}</text>
            }
        })
        .collect_view();
    let x_labels = x_ticks
        .iter()
        .map(|(v, label)| {
            view! {
                <text class="chart-tick" x=coord(x.map(*v)) y=coord(HEIGHT - bottom + 18.0) text-anchor="middle">{label.clone()}</text>
            }
        })
        .collect_view();
    let reference_line = reference.clone().map(|r| {
        let py = coord(y.map(r.value));
        view! {
            <line class="chart-reference" x1=coord(left) x2=coord(WIDTH - right) y1=py.clone() y2=py.clone() />
            <text class="chart-reference-label" x=coord(WIDTH - right - 4.0) y=coord(y.map(r.value) - 5.0) text-anchor="end">{r.label}</text>
        }
    });
    let lines = series
        .iter()
        .map(|s| {
            let d = line_path(&s.points, x, y);
            let dots = s.dots.then(|| {
                s.points
                    .iter()
                    .filter_map(|(px, py)| py.map(|py| (*px, py)))
                    .map(|(px, py)| {
                        view! { <circle class=format!("chart-dot {}", s.class) cx=coord(x.map(px)) cy=coord(y.map(py)) r="3.5" /> }
                    })
                    .collect_view()
            });
            view! {
                <path class=format!("chart-line {}", s.class) d=d fill="none" />
                {dots}
            }
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|s| {
            view! {
                <li>
                    <svg class="chart-swatch" viewBox="0 0 24 10" width="24" height="10" aria-hidden="true">
                        <line class=format!("chart-line {}", s.class) x1="0" x2="24" y1="5" y2="5" />
                    </svg>
                    {s.label.clone()}
                </li>
            }
        })
        .collect_view();
    let reference_legend = reference.map(|r| {
        view! {
            <li>
                <svg class="chart-swatch" viewBox="0 0 24 10" width="24" height="10" aria-hidden="true">
                    <line class="chart-reference" x1="0" x2="24" y1="5" y2="5" />
                </svg>
                {r.label}
            </li>
        }
    });
    view! {
        <figure class="chart">
            <svg
                class="chart-svg"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-labelledby=labelled
                preserveAspectRatio="xMidYMid meet"
            >
                <title id=title_id>{title}</title>
                <desc id=desc_id>{desc}</desc>
                {grid}
                <line class="chart-axis" x1=coord(left) x2=coord(left) y1=coord(top) y2=coord(HEIGHT - bottom) />
                <line class="chart-axis" x1=coord(left) x2=coord(WIDTH - right) y1=coord(HEIGHT - bottom) y2=coord(HEIGHT - bottom) />
                {x_labels}
                {reference_line}
                {lines}
            </svg>
            <ul class="chart-legend">{legend}{reference_legend}</ul>
        </figure>
    }
    .into_any()
}

/// One bar of a bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The figure as the page words it ("12", "85%").
    pub shown: String,
}

/// The width of each bar (in SVG units) against the longest, for `span` units of room.
pub fn bar_widths(bars: &[Bar], span: f64) -> Vec<f64> {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    bars.iter()
        .map(|b| {
            if max > 0.0 {
                (b.value.max(0.0) / max) * span
            } else {
                0.0
            }
        })
        .collect()
}

/// A horizontal bar chart: one labelled bar per row, its figure at its end.
#[component]
pub fn BarChart(id: String, title: String, desc: String, bars: Vec<Bar>) -> impl IntoView {
    const ROW: f64 = 26.0;
    const LABEL: f64 = 150.0;
    const FIGURE: f64 = 60.0;
    let height = (bars.len() as f64 * ROW + 8.0).max(ROW);
    let widths = bar_widths(&bars, WIDTH - LABEL - FIGURE);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let rows = bars
        .into_iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (bar, w))| {
            let top = 4.0 + i as f64 * ROW;
            view! {
                <text class="chart-tick" x=coord(LABEL - 8.0) y=coord(top + ROW / 2.0) text-anchor="end" dominant-baseline="middle">{bar.label}</text>
                <rect class="chart-bar" x=coord(LABEL) y=coord(top + 4.0) width=coord(w) height=coord(ROW - 8.0) rx="2" />
                <text class="chart-tick" x=coord(LABEL + w + 6.0) y=coord(top + ROW / 2.0) dominant-baseline="middle">{bar.shown}</text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg class="chart-svg" viewBox=format!("0 0 {WIDTH} {}", coord(height)) role="img" aria-labelledby=labelled>
                <title id=title_id>{title}</title>
                <desc id=desc_id>{desc}</desc>
                {rows}
            </svg>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_maps_ends_and_runs_backwards_for_the_y_axis() {
        let y = Scale::new((1.0, 5.0), (226.0, 14.0));
        assert_eq!(y.map(1.0), 226.0);
        assert_eq!(y.map(5.0), 14.0);
        assert_eq!(y.map(3.0), 120.0);
    }

    #[test]
    fn a_single_value_domain_puts_the_point_in_the_middle() {
        let x = Scale::new((1.0, 1.0), (0.0, 100.0));
        assert_eq!(x.map(1.0), 50.0);
        assert!(x.map(1.0).is_finite());
    }

    #[test]
    fn coordinates_keep_one_decimal_and_never_read_minus_zero() {
        assert_eq!(coord(12.0), "12");
        assert_eq!(coord(12.345), "12.3");
        assert_eq!(coord(-0.01), "0");
        assert_eq!(coord(-3.25), "-3.3");
    }

    #[test]
    fn the_line_lifts_the_pen_over_gaps() {
        let x = Scale::new((0.0, 4.0), (0.0, 40.0));
        let y = Scale::new((0.0, 10.0), (100.0, 0.0));
        let points = [
            (0.0, Some(0.0)),
            (1.0, Some(5.0)),
            (2.0, None),
            (3.0, Some(10.0)),
            (4.0, Some(5.0)),
        ];
        assert_eq!(line_path(&points, x, y), "M0 100 L10 50 M30 0 L40 50");
    }

    #[test]
    fn a_line_without_values_draws_nothing() {
        let s = Scale::new((0.0, 1.0), (0.0, 1.0));
        assert_eq!(line_path(&[(0.0, None), (1.0, None)], s, s), "");
    }

    #[test]
    fn ticks_cover_both_ends() {
        assert_eq!(integer_ticks(1, 5, 5), vec![1, 2, 3, 4, 5]);
        assert_eq!(integer_ticks(1, 25, 6), vec![1, 6, 11, 16, 21, 25]);
        assert_eq!(integer_ticks(1, 1, 6), vec![1]);
    }

    #[test]
    fn bars_are_sized_against_the_longest_and_an_all_zero_chart_is_flat() {
        let bar = |v: f64| Bar {
            label: String::new(),
            value: v,
            shown: String::new(),
        };
        assert_eq!(bar_widths(&[bar(2.0), bar(4.0)], 100.0), vec![50.0, 100.0]);
        assert_eq!(bar_widths(&[bar(0.0), bar(0.0)], 100.0), vec![0.0, 0.0]);
    }
}
