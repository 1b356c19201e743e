//! Annotations drawn on a clip: arrows, ellipses, polygons and text, each shown on a range of
//! frames. Cases, lessons, questions and replays save and load this same model.
use serde::{Deserialize, Serialize};

/// A point in image pixels (column, row).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The drawn shape.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    /// From the tail to the head (the head has the arrowhead).
    Arrow { tail: Point, head: Point },
    /// Axis-aligned ellipse by centre and radii.
    Ellipse { center: Point, rx: f64, ry: f64 },
    /// Closed polygon, vertices in order.
    Polygon { points: Vec<Point> },
    /// A label anchored at its top-left corner.
    Text { at: Point, text: String },
}

impl Shape {
    /// The smallest axis-aligned box holding the shape: (left, top, right, bottom) in image
    /// pixels; a text label counts as its anchor point.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let span = |points: &[Point]| {
            points.iter().fold(
                (
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                ),
                |(l, t, r, b), p| (l.min(p.x), t.min(p.y), r.max(p.x), b.max(p.y)),
            )
        };
        match self {
            Shape::Arrow { tail, head } => span(&[*tail, *head]),
            Shape::Ellipse { center, rx, ry } => {
                (center.x - rx, center.y - ry, center.x + rx, center.y + ry)
            }
            Shape::Polygon { points } => span(points),
            Shape::Text { at, .. } => span(&[*at]),
        }
    }

    /// Whether the whole shape lies on an image of `width` × `height` pixels.
    pub fn fits(&self, width: u32, height: u32) -> bool {
        let (l, t, r, b) = self.bounds();
        l >= 0.0 && t >= 0.0 && r <= f64::from(width) && b <= f64::from(height)
    }
}

/// One annotation: a shape shown on frames `first..=last`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Annotation {
    pub shape: Shape,
    pub first_frame: u32,
    pub last_frame: u32,
    /// CSS colour; the viewer's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

impl Annotation {
    /// True when the annotation is shown on `frame`.
    pub fn visible_on(&self, frame: u32) -> bool {
        (self.first_frame..=self.last_frame).contains(&frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_fits_when_its_bounds_lie_on_the_image() {
        let ellipse = Shape::Ellipse {
            center: Point { x: 50.0, y: 40.0 },
            rx: 10.0,
            ry: 5.0,
        };
        assert_eq!(ellipse.bounds(), (40.0, 35.0, 60.0, 45.0));
        assert!(ellipse.fits(60, 45));
        assert!(!ellipse.fits(59, 45));
        let polygon = Shape::Polygon {
            points: vec![
                Point { x: -1.0, y: 0.0 },
                Point { x: 5.0, y: 5.0 },
                Point { x: 0.0, y: 9.0 },
            ],
        };
        assert!(!polygon.fits(100, 100));
    }

    #[test]
    fn annotations_round_trip_as_tagged_json() {
        let a = Annotation {
            shape: Shape::Arrow {
                tail: Point { x: 10.0, y: 20.0 },
                head: Point { x: 50.0, y: 60.0 },
            },
            first_frame: 3,
            last_frame: 9,
            color: None,
        };
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains(r#""kind":"arrow""#), "{json}");
        assert!(!json.contains("color"));
        assert_eq!(serde_json::from_str::<Annotation>(&json).unwrap(), a);
        assert!(a.visible_on(3) && a.visible_on(9) && !a.visible_on(2) && !a.visible_on(10));
    }
}
