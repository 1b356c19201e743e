//! Whether a click lies inside a hotspot's shape. The edge counts as inside, so a learner who
//! clicks exactly on the drawn outline is right.
use crate::annotation::{Point, Shape};

/// Slack for binary rounding, in pixels (and, for ellipses, in units of the radius): a click
/// that is on an edge in exact arithmetic still counts as on it.
const SLACK: f64 = 1e-9;

/// True when `p` is inside `shape` or on its edge. Arrows and text have no inside.
pub(super) fn contains(shape: &Shape, p: Point) -> bool {
    match shape {
        Shape::Ellipse { center, rx, ry } => in_ellipse(*center, *rx, *ry, p),
        Shape::Polygon { points } => in_polygon(points, p),
        Shape::Arrow { .. } | Shape::Text { .. } => false,
    }
}

fn in_ellipse(center: Point, rx: f64, ry: f64, p: Point) -> bool {
    if !(rx > 0.0 && ry > 0.0) {
        return false;
    }
    let dx = (p.x - center.x) / rx;
    let dy = (p.y - center.y) / ry;
    dx * dx + dy * dy <= 1.0 + SLACK
}

fn in_polygon(vertices: &[Point], p: Point) -> bool {
    if vertices.len() < 3 {
        return false;
    }
    let edges = || {
        vertices
            .iter()
            .zip(vertices.iter().cycle().skip(1))
            .map(|(a, b)| (*a, *b))
    };
    if edges().any(|(a, b)| on_segment(a, b, p)) {
        return true;
    }
    // Even-odd rule: count the edges a ray from `p` towards +x crosses. Each edge is taken
    // half-open in y, so a ray through a vertex counts it once.
    edges()
        .filter(|(a, b)| (a.y > p.y) != (b.y > p.y))
        .filter(|(a, b)| p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y))
        .count()
        % 2
        == 1
}

/// True when `p` lies on the segment `a`–`b` (ends included).
fn on_segment(a: Point, b: Point, p: Point) -> bool {
    let (ex, ey) = (b.x - a.x, b.y - a.y);
    let (px, py) = (p.x - a.x, p.y - a.y);
    let length_squared = ex * ex + ey * ey;
    if length_squared == 0.0 {
        return px.hypot(py) <= SLACK;
    }
    let length = length_squared.sqrt();
    // The cross product is the length times the distance from the line; the dot product is
    // the length times how far along the edge `p` projects.
    let cross = ex * py - ey * px;
    let dot = ex * px + ey * py;
    cross.abs() <= SLACK * length
        && dot >= -SLACK * length
        && dot <= length_squared + SLACK * length
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn a_concave_polygon_excludes_its_notch() {
        // An L shape: the square 0..10 × 0..10 without its top-right quarter 5..10 × 0..5.
        let l = [
            pt(0.0, 0.0),
            pt(5.0, 0.0),
            pt(5.0, 5.0),
            pt(10.0, 5.0),
            pt(10.0, 10.0),
            pt(0.0, 10.0),
        ];
        assert!(in_polygon(&l, pt(2.0, 2.0)));
        assert!(in_polygon(&l, pt(8.0, 8.0)));
        assert!(!in_polygon(&l, pt(8.0, 2.0)), "the notch is outside");
        assert!(in_polygon(&l, pt(7.0, 5.0)), "the notch's edge is inside");
        assert!(in_polygon(&l, pt(5.0, 5.0)), "the reflex vertex is inside");
        // A ray from (−1, 5) passes through the vertex (5, 5) and along the edge to (10, 5).
        assert!(!in_polygon(&l, pt(-1.0, 5.0)));
        assert!(!in_polygon(&l, pt(11.0, 5.0)));
    }

    #[test]
    fn degenerate_shapes_contain_nothing() {
        assert!(!in_polygon(&[pt(0.0, 0.0), pt(10.0, 0.0)], pt(5.0, 0.0)));
        assert!(!in_ellipse(pt(0.0, 0.0), 0.0, 5.0, pt(0.0, 0.0)));
    }
}
