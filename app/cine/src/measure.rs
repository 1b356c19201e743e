//! Calibrated measurement on an ultrasound image: distance in mm and area in mm² from the
//! region calibration, refusing to measure across regions or where nothing is calibrated.
use super::regions::UltrasoundRegion;
use serde::{Deserialize, Serialize};

/// A point in image pixel coordinates: pixel `(i, j)` covers `[i, i + 1) × [j, j + 1)`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct ImagePoint {
    /// Column coordinate.
    pub x: f64,
    /// Row coordinate.
    pub y: f64,
}

impl ImagePoint {
    /// The point at `(x, y)`.
    pub fn new(x: f64, y: f64) -> Self {
        ImagePoint { x, y }
    }
}

/// Why a measurement cannot be made; the viewer says so instead of showing a number.
#[derive(Debug, Clone, thiserror::Error, Serialize, Deserialize, PartialEq)]
pub enum MeasureError {
    /// The image has no calibrated (centimetre) region under this point.
    #[error("point {index} is not in a calibrated region")]
    NotCalibrated {
        /// Which point (0-based).
        index: usize,
    },
    /// The points lie in different regions (e.g. B-mode and Doppler).
    #[error("the points lie in different regions")]
    DifferentRegions,
    /// Too few points for the shape.
    #[error("{needed} points are needed, {got} given")]
    TooFewPoints {
        /// Minimum number of points.
        needed: usize,
        /// Number given.
        got: usize,
    },
    /// A coordinate is NaN or infinite.
    #[error("point {index} is not a finite position")]
    NotFinite {
        /// Which point (0-based).
        index: usize,
    },
}

/// The calibrated region under `p`: the smallest centimetre-calibrated region containing it.
pub fn calibrated_region_at(regions: &[UltrasoundRegion], p: ImagePoint) -> Option<usize> {
    regions
        .iter()
        .enumerate()
        .filter(|(_, r)| r.mm_per_pixel().is_some() && r.contains(p.x, p.y))
        .min_by_key(|(_, r)| r.pixel_area())
        .map(|(i, _)| i)
}

/// The one region all points share, with its mm per pixel along X and Y.
fn common_region(
    regions: &[UltrasoundRegion],
    points: &[ImagePoint],
) -> Result<(f64, f64), MeasureError> {
    let mut shared: Option<usize> = None;
    for (index, p) in points.iter().enumerate() {
        if !p.x.is_finite() || !p.y.is_finite() {
            return Err(MeasureError::NotFinite { index });
        }
        let here =
            calibrated_region_at(regions, *p).ok_or(MeasureError::NotCalibrated { index })?;
        match shared {
            None => shared = Some(here),
            Some(r) if r != here => return Err(MeasureError::DifferentRegions),
            Some(_) => {}
        }
    }
    shared
        .and_then(|i| regions.get(i))
        .and_then(UltrasoundRegion::mm_per_pixel)
        .ok_or(MeasureError::TooFewPoints {
            needed: 1,
            got: points.len(),
        })
}

/// Distance in millimetres between two points of the same calibrated region.
pub fn distance_mm(
    regions: &[UltrasoundRegion],
    a: ImagePoint,
    b: ImagePoint,
) -> Result<f64, MeasureError> {
    let (sx, sy) = common_region(regions, &[a, b])?;
    Ok(((b.x - a.x) * sx).hypot((b.y - a.y) * sy))
}

/// Area in mm² of a simple polygon (vertices in order) inside one calibrated region.
pub fn polygon_area_mm2(
    regions: &[UltrasoundRegion],
    vertices: &[ImagePoint],
) -> Result<f64, MeasureError> {
    if vertices.len() < 3 {
        return Err(MeasureError::TooFewPoints {
            needed: 3,
            got: vertices.len(),
        });
    }
    let (sx, sy) = common_region(regions, vertices)?;
    // Shoelace formula in pixels; a linear scale multiplies the area by sx·sy.
    let twice: f64 = vertices
        .iter()
        .zip(vertices.iter().cycle().skip(1))
        .map(|(p, q)| p.x * q.y - q.x * p.y)
        .sum();
    Ok(twice.abs() / 2.0 * sx * sy)
}

/// Area in mm² of the axis-aligned ellipse inscribed in the box with corners `a` and `b`,
/// both in the same calibrated region.
pub fn ellipse_area_mm2(
    regions: &[UltrasoundRegion],
    a: ImagePoint,
    b: ImagePoint,
) -> Result<f64, MeasureError> {
    let (sx, sy) = common_region(regions, &[a, b])?;
    let semi_x = (b.x - a.x).abs() / 2.0 * sx;
    let semi_y = (b.y - a.y).abs() / 2.0 * sy;
    Ok(std::f64::consts::PI * semi_x * semi_y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::{RawRegion, clip_region};

    /// A B-mode region at 0.01 cm/pixel (0.1 mm) beside a Doppler strip in sec and cm/sec.
    fn regions() -> Vec<UltrasoundRegion> {
        let bmode = RawRegion {
            x0: 0,
            y0: 0,
            x1: 399,
            y1: 299,
            spatial_format: 1,
            data_type: 1,
            units_x: 3,
            units_y: 3,
            physical_delta_x: 0.01,
            physical_delta_y: 0.02,
            ..Default::default()
        };
        let doppler = RawRegion {
            x0: 0,
            y0: 300,
            x1: 399,
            y1: 399,
            spatial_format: 3,
            data_type: 3,
            units_x: 4,
            units_y: 7,
            physical_delta_x: 0.005,
            physical_delta_y: 1.5,
            ..Default::default()
        };
        let second_bmode = RawRegion {
            x0: 400,
            ..bmode.clone()
        };
        [
            bmode,
            doppler,
            RawRegion {
                x1: 639,
                ..second_bmode
            },
        ]
        .iter()
        .filter_map(|r| clip_region(r, 640, 480))
        .collect()
    }

    fn p(x: f64, y: f64) -> ImagePoint {
        ImagePoint::new(x, y)
    }

    #[test]
    fn distance_uses_each_axis_calibration() {
        let r = regions();
        // 300 px along X at 0.1 mm.
        let d = distance_mm(&r, p(10.0, 10.0), p(310.0, 10.0)).expect("measurable");
        assert!((d - 30.0).abs() < 1e-9, "{d}");
        // 3-4-5 triangle: 30 px X (3 mm) and 20 px Y at 0.2 mm (4 mm).
        let d = distance_mm(&r, p(10.0, 10.0), p(40.0, 30.0)).expect("measurable");
        assert!((d - 5.0).abs() < 1e-9, "{d}");
    }

    #[test]
    fn polygon_area_of_a_rectangle_and_a_triangle() {
        let r = regions();
        // 100 × 50 px = 10 mm × 10 mm.
        let square = [p(0.0, 0.0), p(100.0, 0.0), p(100.0, 50.0), p(0.0, 50.0)];
        let a = polygon_area_mm2(&r, &square).expect("measurable");
        assert!((a - 100.0).abs() < 1e-9, "{a}");
        // Clockwise order gives the same area.
        let mut reversed = square;
        reversed.reverse();
        let b = polygon_area_mm2(&r, &reversed).expect("measurable");
        assert!((a - b).abs() < 1e-9);
        let triangle = [p(0.0, 0.0), p(100.0, 0.0), p(0.0, 50.0)];
        let t = polygon_area_mm2(&r, &triangle).expect("measurable");
        assert!((t - 50.0).abs() < 1e-9, "{t}");
    }

    #[test]
    fn ellipse_area_is_pi_a_b() {
        let r = regions();
        // Box 200 × 100 px: semi-axes 10 mm and 10 mm.
        let a = ellipse_area_mm2(&r, p(50.0, 50.0), p(250.0, 150.0)).expect("measurable");
        assert!((a - std::f64::consts::PI * 100.0).abs() < 1e-9, "{a}");
    }

    #[test]
    fn refuses_across_regions() {
        let r = regions();
        assert_eq!(
            distance_mm(&r, p(10.0, 10.0), p(10.0, 350.0)),
            Err(MeasureError::NotCalibrated { index: 1 })
        );
        assert_eq!(
            distance_mm(&r, p(10.0, 10.0), p(450.0, 10.0)),
            Err(MeasureError::DifferentRegions)
        );
        assert_eq!(
            polygon_area_mm2(&r, &[p(10.0, 10.0), p(390.0, 10.0), p(450.0, 100.0)]),
            Err(MeasureError::DifferentRegions)
        );
    }

    #[test]
    fn refuses_without_calibration_or_points() {
        assert_eq!(
            distance_mm(&[], p(1.0, 1.0), p(2.0, 2.0)),
            Err(MeasureError::NotCalibrated { index: 0 })
        );
        let r = regions();
        assert_eq!(
            distance_mm(&r, p(1.0, 1.0), p(700.0, 2.0)),
            Err(MeasureError::NotCalibrated { index: 1 })
        );
        assert_eq!(
            polygon_area_mm2(&r, &[p(1.0, 1.0), p(2.0, 2.0)]),
            Err(MeasureError::TooFewPoints { needed: 3, got: 2 })
        );
        assert_eq!(
            distance_mm(&r, p(f64::NAN, 1.0), p(2.0, 2.0)),
            Err(MeasureError::NotFinite { index: 0 })
        );
    }

    #[test]
    fn region_edges_follow_pixel_coverage() {
        let r = regions();
        // x = 399.9 is still in pixel 399 of the first region; x = 400 is the next region.
        assert_eq!(calibrated_region_at(&r, p(399.9, 5.0)), Some(0));
        assert_eq!(calibrated_region_at(&r, p(400.0, 5.0)), Some(2));
    }
}
