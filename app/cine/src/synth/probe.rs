//! Transducer geometry and scan conversion. Echoes are simulated in beam space (scan lines ×
//! range samples); this module says where each beam sample lies in the body (millimetres,
//! x lateral, z depth below the skin at the probe's centre) for a linear, curvilinear or
//! phased array, and which beam samples each image pixel reads (bilinear, after log
//! compression, as scanners do). Simplifications: straight beams from a single virtual
//! apex, no steering, no beam divergence beyond what the line spacing gives.
use serde::{Deserialize, Serialize};

/// A point in the body, millimetres: `x` lateral (image right positive), `z` depth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Mm {
    pub x: f64,
    pub z: f64,
}

impl Mm {
    pub const fn new(x: f64, z: f64) -> Self {
        Mm { x, z }
    }
}

/// The shape of the field of view.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// Parallel vertical lines: a rectangle.
    Linear,
    /// Lines fanning out from a curved face: a sector with a rounded top.
    Curvilinear,
    /// Lines fanning out from a point: a sector.
    Phased,
}

/// A transducer: its field of view and centre frequency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Probe {
    pub kind: ProbeKind,
    /// Centre frequency in MHz (sets the pulse, the beam width and the attenuation).
    pub mhz: f64,
    /// Imaging depth in mm.
    pub depth: f64,
    /// Linear: the array width in mm. Sectors: the field of view's full angle in degrees.
    pub span: f64,
    /// Curvilinear: radius of the probe face in mm (0 for the others).
    pub radius: f64,
}

/// Speed of sound in soft tissue, mm/µs.
const SOUND_MM_PER_US: f64 = 1.54;

impl Probe {
    /// A linear array `width` mm wide.
    pub const fn linear(mhz: f64, depth: f64, width: f64) -> Self {
        Probe {
            kind: ProbeKind::Linear,
            mhz,
            depth,
            span: width,
            radius: 0.0,
        }
    }

    /// A curvilinear array with a `radius` mm face and a `degrees` field of view.
    pub const fn curvilinear(mhz: f64, depth: f64, degrees: f64, radius: f64) -> Self {
        Probe {
            kind: ProbeKind::Curvilinear,
            mhz,
            depth,
            span: degrees,
            radius,
        }
    }

    /// A phased array with a `degrees` field of view.
    pub const fn phased(mhz: f64, depth: f64, degrees: f64) -> Self {
        Probe {
            kind: ProbeKind::Phased,
            mhz,
            depth,
            span: degrees,
            radius: 0.0,
        }
    }

    /// Wavelength in mm.
    pub fn wavelength(&self) -> f64 {
        SOUND_MM_PER_US / self.mhz
    }

    fn half_angle(&self) -> f64 {
        self.span.to_radians() / 2.0
    }

    /// Body position of beam coordinates `u` (0..1 across the lines) and `r` (0..1 down the
    /// range).
    pub fn body(&self, u: f64, r: f64) -> Mm {
        if self.kind == ProbeKind::Linear {
            return Mm::new((u - 0.5) * self.span, r * self.depth);
        }
        let theta = (u * 2.0 - 1.0) * self.half_angle();
        let rho = self.radius + r * self.depth;
        Mm::new(rho * theta.sin(), rho * theta.cos() - self.radius)
    }

    /// Beam coordinates `(u, r)` of a body position, `None` outside the field of view.
    pub fn beam(&self, p: Mm) -> Option<(f64, f64)> {
        let (u, r) = if self.kind == ProbeKind::Linear {
            (p.x / self.span + 0.5, p.z / self.depth)
        } else {
            let (x, z) = (p.x, p.z + self.radius);
            let u = x.atan2(z) / self.half_angle() / 2.0 + 0.5;
            (u, (x.hypot(z) - self.radius) / self.depth)
        };
        ((0.0..=1.0).contains(&u) && (0.0..=1.0).contains(&r)).then_some((u, r))
    }

    /// The beam's lateral σ in lines of a `lines`-line grid: a focused linear array at
    /// f-number 4 (constant width in mm), a 20 mm sector aperture (constant angle).
    pub fn lateral_sigma_lines(&self, lines: usize) -> f64 {
        const FWHM_TO_SIGMA: f64 = 2.355;
        let (width, spacing) = match self.kind {
            ProbeKind::Linear => (self.wavelength() * 4.0, self.span),
            _ => (self.wavelength() / 20.0, self.span.to_radians()),
        };
        width / FWHM_TO_SIGMA / (spacing / (lines - 1) as f64)
    }

    /// Width of the field of view at the deepest range, mm (the arc for sectors).
    pub fn widest(&self) -> f64 {
        match self.kind {
            ProbeKind::Linear => self.span,
            _ => self.span.to_radians() * (self.radius + self.depth),
        }
    }

    /// Area of the field of view, mm².
    pub fn area(&self) -> f64 {
        match self.kind {
            ProbeKind::Linear => self.span * self.depth,
            _ => {
                let far = self.radius + self.depth;
                self.half_angle() * (far * far - self.radius * self.radius)
            }
        }
    }

    /// The body box holding the field of view: (min, max) corners.
    pub fn bounds(&self) -> (Mm, Mm) {
        let mut lo = Mm::new(f64::INFINITY, f64::INFINITY);
        let mut hi = Mm::new(f64::NEG_INFINITY, f64::NEG_INFINITY);
        for i in 0..=8 {
            for j in 0..=8 {
                let p = self.body(f64::from(i) / 8.0, f64::from(j) / 8.0);
                (lo.x, lo.z) = (lo.x.min(p.x), lo.z.min(p.z));
                (hi.x, hi.z) = (hi.x.max(p.x), hi.z.max(p.z));
            }
        }
        (lo, hi)
    }

    /// Lateral distance between neighbouring lines at range fraction `r`, as a fraction of
    /// [`Probe::widest`] (1 for linear arrays, growing with range for sectors).
    pub fn lateral_scale(&self, r: f64) -> f64 {
        match self.kind {
            ProbeKind::Linear => 1.0,
            _ => (self.radius + r * self.depth) / (self.radius + self.depth),
        }
    }
}

/// The beam-space grid: `lines` scan lines of `samples` range samples, stored line by line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct BeamGrid {
    pub lines: usize,
    pub samples: usize,
}

impl BeamGrid {
    /// A grid fine enough for an image region `height` pixels high at `mm_per_px`: one and a
    /// half range samples per pixel row, a line per two and a half pixels of the widest arc.
    pub fn for_image(probe: &Probe, height: u32, mm_per_px: f64) -> Self {
        let samples = (height as usize * 3 / 2).clamp(32, 1024);
        let lines = ((probe.widest() / mm_per_px / 2.5) as usize).clamp(16, 256);
        BeamGrid { lines, samples }
    }

    pub fn cells(&self) -> usize {
        self.lines * self.samples
    }

    /// `u` of line `l` and `r` of sample `s`.
    pub fn beam_of(&self, l: usize, s: usize) -> (f64, f64) {
        (
            l as f64 / (self.lines - 1) as f64,
            s as f64 / (self.samples - 1) as f64,
        )
    }

    /// The nearest cell of beam coordinates, and the sample's range offset from it in samples.
    pub fn nearest(&self, u: f64, r: f64) -> (usize, f64) {
        let l = (u * (self.lines - 1) as f64).round() as usize;
        let exact = r * (self.samples - 1) as f64;
        let s = exact.round();
        (l * self.samples + s as usize, exact - s)
    }
}

/// Which beam samples each pixel of the image region reads, computed once per clip.
#[derive(Debug, Clone)]
pub(super) struct ScanMap {
    /// Per pixel, row by row: the top-left cell and the bilinear fractions, `None` outside.
    taps: Vec<Option<(u32, f32, f32)>>,
    samples: usize,
}

/// Where the image region lies: its size in pixels, its scale, and the pixel (continuous
/// coordinates, pixel `i` spans `[i, i + 1)`) of the body origin (skin, probe centre).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct ImageFrame {
    pub width: u32,
    pub height: u32,
    pub mm_per_px: f64,
    pub origin: (f64, f64),
}

impl ImageFrame {
    /// The body position of continuous image coordinates.
    pub fn body(&self, x: f64, y: f64) -> Mm {
        Mm::new(
            (x - self.origin.0) * self.mm_per_px,
            (y - self.origin.1) * self.mm_per_px,
        )
    }

    /// The continuous image coordinates of a body position.
    pub fn pixel(&self, p: Mm) -> (f64, f64) {
        (
            self.origin.0 + p.x / self.mm_per_px,
            self.origin.1 + p.z / self.mm_per_px,
        )
    }
}

impl ScanMap {
    /// The map for a region image `frame` of a probe's beam grid; the region's rows start at
    /// image row `top`.
    pub fn new(probe: &Probe, grid: BeamGrid, frame: &ImageFrame, top: u32) -> Self {
        let mut taps = Vec::with_capacity(frame.width as usize * frame.height as usize);
        let (ls, ss) = ((grid.lines - 1) as f64, (grid.samples - 1) as f64);
        for y in top..top + frame.height {
            for x in 0..frame.width {
                let p = frame.body(f64::from(x) + 0.5, f64::from(y) + 0.5);
                taps.push(probe.beam(p).map(|(u, r)| {
                    let (fl, fs) = ((u * ls).min(ls - 1.0), (r * ss).min(ss - 1.0));
                    let at = fl as usize * grid.samples + fs as usize;
                    (at as u32, fl.fract() as f32, fs.fract() as f32)
                }));
            }
        }
        ScanMap {
            taps,
            samples: grid.samples,
        }
    }

    /// The region's pixels (grey, row by row) from a log-compressed beam grid; black outside
    /// the field of view.
    pub fn convert(&self, grey: &[f32]) -> Vec<u8> {
        let at = |i: usize| grey.get(i).copied().unwrap_or(0.0);
        self.taps
            .iter()
            .map(|tap| match *tap {
                None => 0,
                Some((i, fl, fs)) => {
                    let i = i as usize;
                    let near = at(i) * (1.0 - fs) + at(i + 1) * fs;
                    let next = i + self.samples;
                    let far = at(next) * (1.0 - fs) + at(next + 1) * fs;
                    (near * (1.0 - fl) + far * fl).round().clamp(0.0, 255.0) as u8
                }
            })
            .collect()
    }
}
