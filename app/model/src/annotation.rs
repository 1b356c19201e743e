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
