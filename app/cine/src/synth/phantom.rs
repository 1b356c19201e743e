//! The B-mode phantom simulator: random point scatterers (amplitude from the scene's tissue
//! at their position, carried by its motion) are summed into a beam-space grid with the
//! phase of their exact range, attenuated along each line and compensated by time-gain
//! compensation for average soft tissue, blurred by the point-spread function, envelope
//! detected, log compressed to 8 bits and scan converted into the image region under the
//! usual fake banner. Simplifications: no diffraction or focusing beyond the PSF, no
//! refraction or multiple scattering (reverberation artefacts come from the scene), one
//! frequency, straight rays.
use super::probe::{BeamGrid, ImageFrame, Mm, Probe, ScanMap};
use super::psf::{Iq, Psf};
use super::rng::{self, SplitMix};
use super::scenes::{Anatomy, Clock, Medium, Scene};
use super::truth::{PhantomTruth, StructureTrack};
use super::writer::{self, Calibration, ClipHeader};
use super::{SynthLayout, SynthOptions, banner_pixel, layout};
use crate::error::CineError;

/// Scatterers per beam-space cell on average (the PSF spans several cells, so speckle is
/// fully developed wherever the grid is finer than the PSF).
const SCATTERERS_PER_CELL: f64 = 1.0;
/// Grey level of liver-like tissue at its mean power.
const TISSUE_GREY: f32 = 120.0;
/// Displayed dynamic range, dB.
const DYNAMIC_RANGE_DB: f32 = 60.0;
/// Electronic noise relative to liver-like tissue, dB.
const NOISE_DB: f64 = -48.0;
/// The attenuation the time-gain compensation assumes, dB/(cm·MHz).
const TGC_DB_PER_CM_MHZ: f64 = 0.5;
/// Tissue placed around the field of view so motion brings speckle in, mm.
const MARGIN_MM: f64 = 6.0;

/// A synthetic clip and its ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Phantom {
    /// The DICOM Part 10 file.
    pub dicom: Vec<u8>,
    /// What is where, frame by frame.
    pub truth: PhantomTruth,
}

/// A point scatterer: where it rests and its complex reflectivity (unit mean power).
#[derive(Debug, Clone, Copy)]
struct Scatterer {
    rest: Mm,
    re: f32,
    im: f32,
}

/// Everything fixed for a clip: geometry, scatterers, kernels, scan conversion.
pub(super) struct Simulator<'a> {
    anatomy: &'a dyn Anatomy,
    opts: SynthOptions,
    layout: SynthLayout,
    image: ImageFrame,
    probe: Probe,
    grid: BeamGrid,
    scatterers: Vec<Scatterer>,
    /// Body position of every beam cell.
    cells: Vec<Mm>,
    /// Per range sample: 1/√(cell area), so brightness does not depend on cell size.
    cell_norm: Vec<f32>,
    psf: Psf,
    scan: ScanMap,
    /// Envelope RMS of liver-like tissue after the PSF.
    reference: f32,
    /// RMS of the electronic noise per cell and quadrature component.
    noise: f32,
}

/// The image region of a clip for a probe: the old clips' layout, scaled to the depth.
fn image_frame(l: &SynthLayout, probe: &Probe) -> ImageFrame {
    let (x0, y0, x1, y1) = l.region;
    let height = y1 + 1 - y0;
    ImageFrame {
        width: x1 + 1 - x0,
        height,
        mm_per_px: probe.depth / f64::from(height),
        origin: l.apex,
    }
}

fn scatterers(probe: &Probe, count: usize, seed: u64) -> (Vec<Scatterer>, f64) {
    let (lo, hi) = probe.bounds();
    let (lo, hi) = (
        Mm::new(lo.x - MARGIN_MM, lo.z - MARGIN_MM),
        Mm::new(hi.x + MARGIN_MM, hi.z + MARGIN_MM),
    );
    let mut rng = SplitMix::new(seed, 1);
    let points = (0..count)
        .map(|_| Scatterer {
            rest: Mm::new(rng.range(lo.x, hi.x), rng.range(lo.z, hi.z)),
            re: (rng.normal() * std::f64::consts::FRAC_1_SQRT_2) as f32,
            im: (rng.normal() * std::f64::consts::FRAC_1_SQRT_2) as f32,
        })
        .collect();
    let density = count as f64 / ((hi.x - lo.x) * (hi.z - lo.z));
    (points, density)
}

impl<'a> Simulator<'a> {
    /// The simulator of `anatomy` for a clip of `opts`' size, rate and seed.
    pub fn new(anatomy: &'a dyn Anatomy, opts: &SynthOptions) -> Self {
        let probe = anatomy.probe();
        let layout = layout(opts.width, opts.height);
        let image = image_frame(&layout, &probe);
        let grid = BeamGrid::for_image(&probe, image.height, image.mm_per_px);
        let box_ratio = {
            let (lo, hi) = probe.bounds();
            (hi.x - lo.x + 2.0 * MARGIN_MM) * (hi.z - lo.z + 2.0 * MARGIN_MM) / probe.area()
        };
        let count = (SCATTERERS_PER_CELL * grid.cells() as f64 * box_ratio) as usize;
        let (scatterers, density) = scatterers(&probe, count, opts.seed);
        let dr = probe.depth / (grid.samples - 1) as f64;
        let lambda = probe.wavelength();
        let psf = Psf::new(
            (0.5 * lambda / dr).max(0.5),
            lambda / 2.0 / dr,
            probe.lateral_sigma_lines(grid.lines).max(0.5),
        );
        let cell_norm = (0..grid.samples)
            .map(|s| {
                let (_, r) = grid.beam_of(0, s);
                let spacing = probe.widest() * probe.lateral_scale(r) / (grid.lines - 1) as f64;
                (1.0 / (dr * spacing).max(dr * dr * 0.5).sqrt()) as f32
            })
            .collect();
        Simulator {
            anatomy,
            opts: opts.clone(),
            reference: (density * psf.energy()).sqrt() as f32,
            noise: (density.sqrt() * 10f64.powf(NOISE_DB / 20.0) / 2f64.sqrt()) as f32,
            scan: ScanMap::new(&probe, grid, &image, layout.region.1),
            layout,
            image,
            probe,
            grid,
            scatterers,
            cells: (0..grid.cells())
                .map(|at| {
                    let (u, r) = grid.beam_of(at / grid.samples, at % grid.samples);
                    probe.body(u, r)
                })
                .collect(),
            cell_norm,
            psf,
        }
    }

    /// The tissue in every beam cell at time `t`.
    fn tissue(&self, t: &Clock) -> Vec<Medium> {
        self.cells
            .iter()
            .map(|p| self.anatomy.medium(*p, t))
            .collect()
    }

    /// Sums every scatterer into its nearest cell, with the phase of its exact range and the
    /// echo of the tissue there.
    fn splat(&self, iq: &mut Iq, tissue: &[Medium], t: &Clock) {
        let samples_per_period =
            self.probe.wavelength() / 2.0 * (self.grid.samples - 1) as f64 / self.probe.depth;
        let radians_per_sample = std::f64::consts::TAU / samples_per_period;
        for s in &self.scatterers {
            let Some((u, r)) = self.probe.beam(self.anatomy.carry(s.rest, t)) else {
                continue;
            };
            let (at, offset) = self.grid.nearest(u, r);
            let echo = tissue[at].echo;
            if echo == 0.0 {
                continue;
            }
            let (sin, cos) = (-radians_per_sample * offset).sin_cos();
            let (sin, cos) = (sin as f32, cos as f32);
            let a = echo * self.cell_norm[at % self.grid.samples];
            iq.re[at] += a * (s.re * cos - s.im * sin);
            iq.im[at] += a * (s.re * sin + s.im * cos);
        }
    }

    /// Two-way attenuation through the tissue on each line, less the time-gain compensation.
    fn attenuate(&self, iq: &mut Iq, tissue: &[Medium]) {
        let samples = self.grid.samples;
        let cm_per_sample = self.probe.depth / (samples - 1) as f64 / 10.0;
        let db_per_step = (2.0 * self.probe.mhz * cm_per_sample) as f32;
        let tgc = TGC_DB_PER_CM_MHZ as f32;
        for (line, media) in tissue.chunks_exact(samples).enumerate() {
            let mut net_db = 0.0f32;
            for (s, m) in media.iter().enumerate() {
                net_db += db_per_step * (tgc - m.atten);
                let gain = 10f32.powf(net_db / 20.0);
                let at = line * samples + s;
                iq.re[at] *= gain;
                iq.im[at] *= gain;
            }
        }
    }

    /// Receiver noise, fresh every frame.
    fn add_noise(&self, iq: &mut Iq, frame: u32) {
        let mut rng = SplitMix::new(self.opts.seed, 2 + u64::from(frame));
        for (re, im) in iq.re.iter_mut().zip(iq.im.iter_mut()) {
            *re += self.noise * rng.centred();
            *im += self.noise * rng.centred();
        }
    }

    /// The log-compressed beam-space image of frame `n`.
    fn beam_grey(&self, n: u32) -> Vec<f32> {
        let t = clock(&self.opts, n);
        let tissue = self.tissue(&t);
        let mut iq = Iq::zeros(self.grid.cells());
        self.splat(&mut iq, &tissue, &t);
        self.attenuate(&mut iq, &tissue);
        self.add_noise(&mut iq, n);
        let envelope = self.psf.envelope(&iq, self.grid.lines, self.grid.samples);
        let per_db = 255.0 / DYNAMIC_RANGE_DB;
        envelope
            .iter()
            .map(|e| (TISSUE_GREY + per_db * 20.0 * (e / self.reference).log10()).max(0.0))
            .collect()
    }

    /// The image region of frame `n`, grey, row by row.
    pub fn region_grey(&self, n: u32) -> Vec<u8> {
        self.scan.convert(&self.beam_grey(n))
    }

    /// Frame `n` as interleaved RGB: banner, a black gap, the image region.
    fn frame_rgb(&self, n: u32) -> Vec<u8> {
        let (w, h) = (self.opts.width as usize, self.opts.height as usize);
        let top = self.layout.region.1 as usize;
        let banner = self.layout.banner_height;
        let mut out = vec![0u8; w * h * 3];
        for (i, px) in out
            .chunks_exact_mut(3)
            .enumerate()
            .take(w * banner as usize)
        {
            px.copy_from_slice(&banner_pixel((i % w) as u32, (i / w) as u32, banner));
        }
        let region = self.region_grey(n);
        for (px, v) in out[top * w * 3..].chunks_exact_mut(3).zip(region) {
            px.fill(v);
        }
        out
    }

    /// All frames, rendered on every available core.
    fn frames_rgb(&self) -> Vec<Vec<u8>> {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let frames: Vec<u32> = (0..self.opts.frames).collect();
        let chunk = frames.len().div_ceil(workers).max(1);
        std::thread::scope(|scope| {
            let jobs: Vec<_> = frames
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || part.iter().map(|&n| self.frame_rgb(n)).collect::<Vec<_>>())
                })
                .collect();
            jobs.into_iter()
                .flat_map(|job| {
                    job.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    }

    fn header<'d>(&self, scene: Scene, description: &'d str) -> ClipHeader<'d> {
        let o = &self.opts;
        let uid_seed = SplitMix::new(o.seed, 0x5CE0 + scene as u64).next_u64();
        ClipHeader {
            width: o.width,
            height: o.height,
            frames: o.frames,
            fps: o.fps,
            syntax: o.syntax,
            uids: [1, 2, 3].map(|kind| rng::uid(uid_seed, (o.width, o.height, o.frames), kind)),
            patient: ("SYNTHETIC^PHANTOM", "SYNTH-0002"),
            series_description: Some(description),
            calibration: Calibration {
                region: self.layout.region,
                reference: self.layout.apex,
                cm_per_pixel: self.image.mm_per_px / 10.0,
            },
        }
    }
}

/// The ground truth: the anatomy's outlines and facts, in the pixels of a clip of `opts`.
fn truth(anatomy: &dyn Anatomy, scene: Scene, opts: &SynthOptions) -> PhantomTruth {
    let probe = anatomy.probe();
    let layout = layout(opts.width, opts.height);
    let image = image_frame(&layout, &probe);
    let clocks: Vec<Clock> = (0..opts.frames).map(|n| clock(opts, n)).collect();
    let per_frame: Vec<_> = clocks.iter().map(|t| anatomy.outlines(t)).collect();
    let names = per_frame.first().map(|f| f.iter().map(|(name, _)| *name));
    let structures = names
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, name)| StructureTrack {
            name: name.to_string(),
            outlines: per_frame
                .iter()
                .map(|f| {
                    f.get(i)
                        .and_then(|(_, o)| o.as_ref())
                        .map(|o| o.to_pixels(&image))
                })
                .collect(),
        })
        .collect();
    PhantomTruth {
        scene,
        seed: opts.seed,
        width: opts.width,
        height: opts.height,
        frames: opts.frames,
        fps: opts.fps,
        probe: probe.kind,
        mm_per_pixel: image.mm_per_px,
        region: layout.region,
        origin: [image.origin.0, image.origin.1],
        structures,
        facts: anatomy.facts(&clocks, &image),
    }
}

fn clock(opts: &SynthOptions, frame: u32) -> Clock {
    Clock {
        frame,
        frames: opts.frames,
        fps: opts.fps,
    }
}

/// The ground truth of `scene` at `opts`' size, rate and seed, without rendering.
pub fn phantom_truth(opts: &SynthOptions, scene: Scene) -> Result<PhantomTruth, CineError> {
    writer::check_size(opts.width, opts.height, opts.frames, opts.fps)?;
    Ok(truth(scene.anatomy(opts.seed).as_ref(), scene, opts))
}

/// Renders `scene` as a DICOM clip of `opts`' size, rate, syntax and seed (same seed, same
/// bytes), with its ground truth.
pub fn phantom_clip(opts: &SynthOptions, scene: Scene) -> Result<Phantom, CineError> {
    writer::check_size(opts.width, opts.height, opts.frames, opts.fps)?;
    let anatomy = scene.anatomy(opts.seed);
    let sim = Simulator::new(anatomy.as_ref(), opts);
    let description = format!("Phantom: {}", scene.name());
    let dicom = writer::write_clip(
        &sim.header(scene, &description),
        sim.frames_rgb().into_iter(),
    )?;
    Ok(Phantom {
        dicom,
        truth: truth(anatomy.as_ref(), scene, opts),
    })
}
