//! The scanner's point-spread function, applied in beam space as two 1-D convolutions: along
//! each line the two-way pulse, a Gaussian-modulated cosine carried in its analytic (complex)
//! form so the result is already the quadrature signal and envelope detection is its modulus;
//! across lines a Gaussian beam profile. Simplifications: one focus everywhere (constant beam
//! width in line units, so constant angular width in sectors), no side lobes, no loss of
//! pulse bandwidth with depth.

/// A complex beam-space signal: in-phase and quadrature parts, line by line.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Iq {
    pub re: Vec<f32>,
    pub im: Vec<f32>,
}

impl Iq {
    pub fn zeros(cells: usize) -> Self {
        Iq {
            re: vec![0.0; cells],
            im: vec![0.0; cells],
        }
    }
}

/// The two kernels.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Psf {
    /// Axial taps, centred: (re, im) of envelope × exp(i · carrier phase).
    axial: Vec<(f32, f32)>,
    /// Lateral taps, centred.
    lateral: Vec<f32>,
}

/// Sampled Gaussian over ±3σ (at least the centre tap), with σ in samples.
fn gaussian(sigma: f64) -> Vec<(f64, f64)> {
    let half = (3.0 * sigma).ceil().max(0.0) as i64;
    (-half..=half)
        .map(|k| {
            let k = k as f64;
            (k, (-k * k / (2.0 * sigma * sigma)).exp())
        })
        .collect()
}

impl Psf {
    /// Kernels for an axial envelope of σ `axial_sigma` samples, a carrier whose two-way
    /// period is `period` samples, and a beam of σ `lateral_sigma` lines.
    pub fn new(axial_sigma: f64, period: f64, lateral_sigma: f64) -> Self {
        let phase = std::f64::consts::TAU / period;
        let axial = gaussian(axial_sigma)
            .into_iter()
            .map(|(k, g)| {
                (
                    (g * (phase * k).cos()) as f32,
                    (g * (phase * k).sin()) as f32,
                )
            })
            .collect();
        let lateral = gaussian(lateral_sigma)
            .into_iter()
            .map(|(_, g)| g as f32)
            .collect();
        Psf { axial, lateral }
    }

    /// The PSF's energy: what an uncorrelated field of unit power comes out at (power).
    pub fn energy(&self) -> f64 {
        let a: f64 = self
            .axial
            .iter()
            .map(|(r, i)| f64::from(r * r + i * i))
            .sum();
        let l: f64 = self.lateral.iter().map(|g| f64::from(g * g)).sum();
        a * l
    }

    /// The envelope (modulus) of `iq` blurred by the PSF, on the same grid.
    pub fn envelope(&self, iq: &Iq, lines: usize, samples: usize) -> Vec<f32> {
        let axial = self.axial_pass(iq, lines, samples);
        let re = self.lateral_pass(&axial.re, lines, samples);
        let im = self.lateral_pass(&axial.im, lines, samples);
        re.iter().zip(&im).map(|(r, i)| r.hypot(*i)).collect()
    }

    /// Complex convolution along every line.
    fn axial_pass(&self, iq: &Iq, lines: usize, samples: usize) -> Iq {
        let mut out = Iq::zeros(lines * samples);
        let half = (self.axial.len() / 2) as isize;
        for l in 0..lines {
            let line = l * samples..(l + 1) * samples;
            let (re, im) = (&iq.re[line.clone()], &iq.im[line.clone()]);
            let (ore, oim) = (&mut out.re[line.clone()], &mut out.im[line]);
            for (k, &(hr, hi)) in self.axial.iter().enumerate() {
                let shift = k as isize - half;
                let (from, to) = overlap(shift, samples);
                for s in from..to {
                    let src = (s as isize - shift) as usize;
                    ore[s] += hr * re[src] - hi * im[src];
                    oim[s] += hr * im[src] + hi * re[src];
                }
            }
        }
        out
    }

    /// Real convolution across lines, whole lines at a time (contiguous, vectorisable).
    fn lateral_pass(&self, field: &[f32], lines: usize, samples: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; field.len()];
        let half = (self.lateral.len() / 2) as isize;
        for l in 0..lines {
            let dst = &mut out[l * samples..(l + 1) * samples];
            for (k, &g) in self.lateral.iter().enumerate() {
                let src = l as isize + k as isize - half;
                if src < 0 || src >= lines as isize {
                    continue;
                }
                let src = &field[src as usize * samples..(src as usize + 1) * samples];
                dst.iter_mut().zip(src).for_each(|(d, s)| *d += g * s);
            }
        }
        out
    }
}

/// The output range `from..to` where `out[s] += h · in[s - shift]` reads inside `0..n`.
fn overlap(shift: isize, n: usize) -> (usize, usize) {
    let from = shift.max(0) as usize;
    let to = (n as isize + shift.min(0)).max(0) as usize;
    (from.min(n), to)
}
