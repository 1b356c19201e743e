//! Shapes the scenes are built from, in body millimetres: rotated ellipses, and outlines of
//! them for the ground truth. Rotation turns the x axis towards +z (clockwise on screen).
use super::super::probe::Mm;
use super::super::truth::Outline;

/// A rotated ellipse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(in super::super) struct Ellipse {
    pub centre: Mm,
    pub rx: f64,
    pub ry: f64,
    /// Radians.
    pub rotation: f64,
}

impl Ellipse {
    /// An ellipse aligned with the axes.
    pub const fn new(centre: Mm, rx: f64, ry: f64) -> Self {
        Ellipse {
            centre,
            rx,
            ry,
            rotation: 0.0,
        }
    }

    /// A circle.
    pub const fn circle(centre: Mm, r: f64) -> Self {
        Ellipse::new(centre, r, r)
    }

    /// The same ellipse turned by `radians`.
    pub const fn rotated(self, radians: f64) -> Self {
        Ellipse {
            rotation: radians,
            ..self
        }
    }

    /// `p` in the ellipse's own axes, scaled so the boundary is the unit circle.
    pub fn local(&self, p: Mm) -> (f64, f64) {
        let (dx, dz) = (p.x - self.centre.x, p.z - self.centre.z);
        if self.rotation == 0.0 {
            return (dx / self.rx, dz / self.ry);
        }
        let (s, c) = self.rotation.sin_cos();
        let (u, v) = (dx * c + dz * s, -dx * s + dz * c);
        (u / self.rx, v / self.ry)
    }

    /// Normalised radius: below 1 inside, 1 on the boundary (infinite off a flat ellipse).
    pub fn rho(&self, p: Mm) -> f64 {
        let (u, v) = self.local(p);
        let r = u.hypot(v);
        if r.is_nan() { f64::INFINITY } else { r }
    }

    /// Whether `p` lies inside.
    pub fn contains(&self, p: Mm) -> bool {
        self.rho(p) < 1.0
    }

    /// The ellipse grown by `d` mm on both radii.
    pub fn grown(&self, d: f64) -> Self {
        Ellipse {
            rx: self.rx + d,
            ry: self.ry + d,
            ..*self
        }
    }

    /// The point at parameter angle `phi` scaled by `scale` (1 on the boundary).
    pub fn point(&self, phi: f64, scale: f64) -> Mm {
        let (u, v) = (self.rx * scale * phi.cos(), self.ry * scale * phi.sin());
        let (s, c) = self.rotation.sin_cos();
        Mm::new(self.centre.x + u * c - v * s, self.centre.z + u * s + v * c)
    }

    /// The ground-truth outline (millimetres).
    pub fn outline(&self) -> Outline {
        Outline::Ellipse {
            cx: self.centre.x,
            cy: self.centre.z,
            rx: self.rx,
            ry: self.ry,
            rotation_deg: self.rotation.to_degrees(),
        }
    }
}

/// A polygon outline through body points.
pub(in super::super) fn polygon(points: impl IntoIterator<Item = Mm>) -> Outline {
    Outline::Polygon {
        points: points.into_iter().map(|p| [p.x, p.z]).collect(),
    }
}
