//! The phantom simulator against its own ground truth: decoded pixels agree with what the
//! truth says is where (fluid, lumens and effusions dark, foci bright, the vein collapsed),
//! speckle and time-gain compensation behave, and clips are deterministic by seed.
use super::phantom::Simulator;
use super::probe::{ImageFrame, Mm, Probe};
use super::scenes::{Anatomy, Clock, Medium, Outlined, tissue};
use super::*;
use crate::{Clip, ImagePoint, distance_mm};

fn options(width: u32, height: u32, frames: u32, seed: u64) -> SynthOptions {
    SynthOptions {
        width,
        height,
        frames,
        syntax: SynthSyntax::Rgb,
        fps: 30.0,
        seed,
    }
}

/// A rendered clip: its decoded grey frames and its truth.
struct Rendered {
    width: u32,
    frames: Vec<Vec<u8>>,
    truth: PhantomTruth,
}

fn render(scene: Scene, opts: &SynthOptions) -> Rendered {
    let phantom = phantom_clip(opts, scene).expect("render");
    let clip = Clip::parse(&phantom.dicom).expect("parse");
    let frames = (0..opts.frames)
        .map(|n| {
            let rgba = clip.decode_frame(n).expect("decode").rgba;
            rgba.chunks_exact(4).map(|px| px[0]).collect()
        })
        .collect();
    Rendered {
        width: opts.width,
        frames,
        truth: phantom.truth,
    }
}

impl Rendered {
    fn outline(&self, name: &str, frame: u32) -> &Outline {
        self.truth
            .outline(name, frame)
            .unwrap_or_else(|| panic!("{name} missing in frame {frame}"))
    }

    /// Mean grey of the pixels of `frame` whose centres satisfy `inside`, and their count.
    fn mean(&self, frame: u32, inside: impl Fn(f64, f64) -> bool) -> (f64, usize) {
        let (sum, count) = self.frames[frame as usize]
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                let (x, y) = (i % self.width as usize, i / self.width as usize);
                inside(x as f64 + 0.5, y as f64 + 0.5)
            })
            .fold((0.0, 0), |(s, c), (_, v)| (s + f64::from(*v), c + 1));
        (sum / count.max(1) as f64, count)
    }

    /// Mean grey inside `outline`, and in a band `margin` pixels wide around its bounding box
    /// (outside it and outside every outline in `exclude`).
    fn inside_and_around(
        &self,
        frame: u32,
        o: &Outline,
        margin: f64,
        exclude: &[&Outline],
    ) -> (f64, f64) {
        let (x0, y0, x1, y1) = bounds(o);
        let (inside, n) = self.mean(frame, |x, y| o.contains(x, y));
        let (around, m) = self.mean(frame, |x, y| {
            let near = x > x0 - margin && x < x1 + margin && y > y0 - margin && y < y1 + margin;
            let region = y >= f64::from(self.truth.region.1);
            near && region
                && !(x > x0 && x < x1 && y > y0 && y < y1)
                && !exclude.iter().any(|e| e.contains(x, y))
        });
        assert!(n > 5 && m > 20, "too few pixels: {n} inside, {m} around");
        (inside, around)
    }
}

/// Bounding box of an outline in pixels.
fn bounds(o: &Outline) -> (f64, f64, f64, f64) {
    match o {
        Outline::Ellipse { cx, cy, rx, ry, .. } => {
            let r = rx.max(*ry);
            (cx - r, cy - r, cx + r, cy + r)
        }
        Outline::Polygon { points } => points.iter().fold(
            (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
            |(a, b, c, d), p| (a.min(p[0]), b.min(p[1]), c.max(p[0]), d.max(p[1])),
        ),
    }
}

#[test]
fn every_scene_decodes_with_its_calibration_and_banner() {
    for scene in Scene::ALL {
        let opts = options(160, 120, 3, 7);
        let phantom = phantom_clip(&opts, scene).expect("render");
        let clip = Clip::parse(&phantom.dicom).expect("parse");
        let info = clip.info();
        assert_eq!((info.columns, info.rows, info.frames), (160, 120, 3));
        let truth = &phantom.truth;
        let region = &info.regions[0];
        assert_eq!((region.x0, region.y0, region.x1, region.y1), truth.region);
        assert!((region.physical_delta_x * 10.0 - truth.mm_per_pixel).abs() < 1e-12);
        let y = f64::from(truth.region.1) + 20.0;
        let d = distance_mm(
            &info.regions,
            ImagePoint::new(10.0, y),
            ImagePoint::new(60.0, y),
        )
        .expect("measurable");
        assert!(
            (d - 50.0 * truth.mm_per_pixel).abs() < 1e-9,
            "{scene:?}: {d}"
        );
        let first = clip.decode_frame(0).expect("decode").rgba;
        let [r, g, b] = BANNER_BACKGROUND;
        assert_eq!(first[..4], [r, g, b, 255], "{scene:?} banner");
        assert!(truth.structures.iter().all(|s| s.outlines.len() == 3));
        let json = serde_json::to_string(truth).expect("json");
        assert!(
            json.contains(&format!("\"scene\":\"{}\"", scene.name())),
            "{json}"
        );
        let back: PhantomTruth = serde_json::from_str(&json).expect("back");
        let names = |t: &PhantomTruth| {
            t.structures
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!((back.scene, names(&back)), (scene, names(truth)));
    }
}

#[test]
fn free_fluid_is_absent_before_its_first_frame_and_dark_from_then_on() {
    let clip = render(Scene::MorisonFluid, &options(200, 160, 8, 3));
    let first = clip
        .truth
        .facts
        .fluid_first_frame
        .expect("fluid_first_frame");
    assert!(first > 0 && first < 7, "{first}");
    for n in 0..first {
        assert!(
            clip.truth.outline("free_fluid", n).is_none(),
            "fluid in frame {n}"
        );
    }
    let kidney = clip.outline("kidney", first).clone();
    for n in first..8 {
        let fluid = clip.outline("free_fluid", n);
        let (inside, around) = clip.inside_and_around(n, fluid, 12.0, &[&kidney]);
        assert!(
            inside < 0.5 * around,
            "frame {n}: fluid {inside:.0} vs liver {around:.0}"
        );
    }
    // Where the fluid will be, the frame before shows tissue.
    let fluid = clip.outline("free_fluid", first).clone();
    let (before, around) = clip.inside_and_around(first - 1, &fluid, 12.0, &[&kidney]);
    assert!(before > 0.6 * around, "before: {before:.0} vs {around:.0}");
    let thickness = clip
        .truth
        .facts
        .fluid_thickness_mm
        .as_ref()
        .expect("thickness");
    assert!(thickness[7] > thickness[first as usize], "{thickness:?}");
}

#[test]
fn lumens_and_effusion_are_darker_than_the_tissue_around_them() {
    for (scene, name) in [
        (Scene::Aorta, "aorta_lumen"),
        (Scene::CarotidPlaque, "lumen"),
        (Scene::VeinCompressible, "vein_lumen"),
        (Scene::VeinCompressible, "artery_lumen"),
    ] {
        let clip = render(scene, &options(200, 160, 1, 4));
        let o = clip.outline(name, 0);
        let (inside, around) = clip.inside_and_around(0, o, 8.0, &[]);
        assert!(
            inside < 0.35 * around,
            "{scene:?} {name}: {inside:.0} vs {around:.0}"
        );
    }
    let clip = render(Scene::PericardialEffusion, &options(200, 160, 1, 4));
    let (pericardium, heart) = (
        clip.outline("pericardium", 0),
        clip.outline("epicardium", 0),
    );
    let (effusion, _) = clip.mean(0, |x, y| {
        pericardium.contains(x, y) && !heart.contains(x, y)
    });
    let cavity = clip.outline("lv_cavity", 0);
    let (myocardium, _) = clip.mean(0, |x, y| heart.contains(x, y) && !cavity.contains(x, y));
    assert!(
        effusion < 0.35 * myocardium,
        "effusion {effusion:.0} vs myocardium {myocardium:.0}"
    );
}

#[test]
fn echogenic_foci_are_brighter_than_the_nodule() {
    let clip = render(Scene::ThyroidNodule, &options(320, 240, 1, 5));
    let nodule = clip.outline("nodule", 0);
    let bright: Vec<&Outline> = [
        "focus_1",
        "focus_2",
        "focus_3",
        "comet_tail_1",
        "comet_tail_2",
        "comet_tail_3",
    ]
    .iter()
    .map(|n| clip.outline(n, 0))
    .collect();
    let cysts = [clip.outline("cyst_1", 0), clip.outline("cyst_2", 0)];
    let (solid, _) = clip.mean(0, |x, y| {
        nodule.contains(x, y) && !cysts.iter().chain(&bright).any(|o| o.contains(x, y))
    });
    for focus in &bright[..3] {
        let (peak, n) = clip.mean(0, |x, y| focus.contains(x, y));
        assert!(
            n > 0 && peak > 1.6 * solid,
            "focus {peak:.0} vs nodule {solid:.0}"
        );
    }
    let (thyroid, _) = clip.mean(0, |x, y| {
        clip.outline("thyroid_lobe", 0).contains(x, y) && !nodule.contains(x, y)
    });
    assert!(
        solid < 0.85 * thyroid,
        "hypoechoic: {solid:.0} vs thyroid {thyroid:.0}"
    );
}

/// Mean grey in a vein-sized ellipse at the vein's centre, relative to tissue beside it.
fn vein_darkness(clip: &Rendered, frame: u32, rest: &Outline) -> f64 {
    let Outline::Ellipse { cx, cy, .. } = clip.outline("vein_lumen", frame) else {
        panic!("vein is an ellipse")
    };
    let Outline::Ellipse { rx, ry, .. } = rest else {
        panic!("vein is an ellipse")
    };
    let (cx, cy, rx, ry) = (*cx, *cy, rx * 0.8, ry * 0.8);
    let (inside, _) = clip.mean(frame, |x, y| {
        ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2) < 1.0
    });
    let (beside, _) = clip.mean(frame, |x, y| {
        (y - cy).abs() < ry && (x - (cx - 3.0 * rx)).abs() < rx
    });
    inside / beside
}

#[test]
fn the_compressible_vein_collapses_fully_and_the_thrombosed_one_does_not() {
    let open = render(Scene::VeinCompressible, &options(160, 120, 8, 6));
    let range = open
        .truth
        .facts
        .fully_compressed_frames
        .expect("compressed frames");
    assert!(
        range.first > 0 && range.last < 7 && range.first <= range.last,
        "{range:?}"
    );
    let rest = open.outline("vein_lumen", 0).clone();
    assert!(rest.area() > 50.0);
    for n in range.first..=range.last {
        assert!(open.outline("vein_lumen", n).area() < 1e-9, "frame {n}");
        let dark = vein_darkness(&open, n, &rest);
        assert!(
            dark > 0.7,
            "frame {n}: a collapsed vein shows tissue ({dark:.2})"
        );
    }
    assert!(vein_darkness(&open, 0, &rest) < 0.3);

    let clot = render(Scene::VeinNonCompressible, &options(160, 120, 8, 6));
    assert_eq!(clot.truth.facts.fully_compressed_frames, None);
    let rest = clot.outline("vein_lumen", 0).clone();
    for n in range.first..=range.last {
        let lumen = clot.outline("vein_lumen", n);
        assert!(lumen.area() > 0.6 * rest.area(), "frame {n}");
        let (inside, around) =
            clot.inside_and_around(n, lumen, 6.0, &[clot.outline("artery_lumen", n)]);
        assert!(
            inside < 0.8 * around,
            "frame {n}: thrombus {inside:.0} vs {around:.0}"
        );
    }
}

#[test]
fn the_aorta_measures_its_stated_diameter() {
    let opts = options(200, 160, 1, 11);
    let phantom = phantom_clip(&opts, Scene::Aorta).expect("render");
    let truth = &phantom.truth;
    let diameter = truth.facts.aorta_diameter_mm.expect("diameter");
    assert!((18.0..=48.0).contains(&diameter), "{diameter}");
    let Some(Outline::Ellipse { cx, cy, rx, ry, .. }) = truth.outline("aorta", 0) else {
        panic!("aorta outline")
    };
    assert!((rx - ry).abs() < 1e-9);
    let regions = Clip::parse(&phantom.dicom)
        .expect("parse")
        .info()
        .regions
        .clone();
    let measured = distance_mm(
        &regions,
        ImagePoint::new(cx - rx, *cy),
        ImagePoint::new(cx + rx, *cy),
    )
    .expect("measurable");
    assert!(
        (measured - diameter).abs() < 1e-6,
        "{measured} vs {diameter}"
    );
    let others: Vec<f64> = (1..6)
        .filter_map(|seed| phantom_truth(&options(200, 160, 1, seed), Scene::Aorta).ok())
        .filter_map(|t| t.facts.aorta_diameter_mm)
        .collect();
    assert!(others.iter().any(|d| *d != diameter), "{others:?}");
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = phantom_clip(&options(96, 80, 2, 9), Scene::LungSliding).expect("a");
    let b = phantom_clip(&options(96, 80, 2, 9), Scene::LungSliding).expect("b");
    let c = phantom_clip(&options(96, 80, 2, 10), Scene::LungSliding).expect("c");
    assert!(a.dicom == b.dicom);
    assert!(a.dicom != c.dicom);
}

#[test]
fn the_lung_point_moves_and_only_the_aerated_side_slides() {
    let clip = render(Scene::LungPoint, &options(160, 120, 8, 2));
    let xs = clip.truth.facts.lung_point_x.clone().expect("lung_point_x");
    assert_eq!(xs.len(), 8);
    let (lo, hi) = xs
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
    assert!(hi - lo > 5.0, "{xs:?}");
    // Frame to frame change under the pleura: the sliding side changes, the other does not.
    let pleura = bounds(clip.outline("pleural_line", 0));
    let changed = |keep: &dyn Fn(f64) -> bool| {
        let (mut sum, mut n) = (0.0, 0);
        for (i, (a, b)) in clip.frames[0].iter().zip(&clip.frames[4]).enumerate() {
            let (x, y) = ((i % 160) as f64 + 0.5, (i / 160) as f64 + 0.5);
            if keep(x) && y > pleura.1 - 2.0 && y < pleura.3 + 2.0 && x > pleura.0 && x < pleura.2 {
                sum += (f64::from(*a) - f64::from(*b)).abs();
                n += 1;
            }
        }
        sum / f64::from(n.max(1))
    };
    let sliding = changed(&|x| x > hi + 2.0);
    let still = changed(&|x| x < lo - 2.0);
    assert!(
        sliding > 2.0 * still.max(1.0),
        "sliding {sliding:.1} vs still {still:.1}"
    );
}

/// One homogeneous tissue filling a deep sector: for speckle and gain checks.
struct Uniform(Medium);

impl Anatomy for Uniform {
    fn probe(&self) -> Probe {
        Probe::curvilinear(3.5, 120.0, 60.0, 50.0)
    }

    fn medium(&self, _p: Mm, _t: &Clock) -> Medium {
        self.0
    }

    fn outlines(&self, _t: &Clock) -> Vec<Outlined> {
        Vec::new()
    }

    fn facts(&self, _clocks: &[Clock], _image: &ImageFrame) -> SceneFacts {
        SceneFacts::default()
    }
}

/// Mean and standard deviation of a centre column band at `from..to` of the region's depth.
fn band_stats(grey: &[u8], width: usize, from: f64, to: f64) -> (f64, f64) {
    let rows = grey.len() / width;
    let values: Vec<f64> = grey
        .chunks_exact(width)
        .enumerate()
        .filter(|(y, _)| (from..to).contains(&(*y as f64 / rows as f64)))
        .flat_map(|(_, row)| {
            row[width * 2 / 5..width * 3 / 5]
                .iter()
                .map(|v| f64::from(*v))
        })
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    (mean, var.sqrt())
}

#[test]
fn speckle_is_speckle_and_gain_compensates_attenuation() {
    let opts = options(240, 200, 1, 8);
    let liver = Uniform(tissue::LIVER);
    let grey = Simulator::new(&liver, &opts).region_grey(0);
    let width = 240;
    let bands =
        [(0.15, 0.3), (0.45, 0.6), (0.75, 0.9)].map(|(a, b)| band_stats(&grey, width, a, b));
    for (mean, std) in bands {
        // Log-compressed Rayleigh speckle: about 5.6 dB of spread, about 24 grey levels.
        assert!(
            (0.1..0.4).contains(&(std / mean)),
            "speckle {std:.1}/{mean:.1}"
        );
    }
    let means = bands.map(|(m, _)| m);
    let (lo, hi) = means
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), m| (a.min(*m), b.max(*m)));
    assert!(hi / lo < 1.2, "TGC leaves depth bands at {means:?}");
    // Tissue attenuating twice what the gain assumes darkens with depth.
    let dense = Uniform(Medium {
        atten: 1.0,
        ..tissue::LIVER
    });
    let grey = Simulator::new(&dense, &opts).region_grey(0);
    let (shallow, _) = band_stats(&grey, width, 0.15, 0.3);
    let (deep, _) = band_stats(&grey, width, 0.75, 0.9);
    assert!(
        deep < 0.7 * shallow,
        "uncompensated: {shallow:.0} → {deep:.0}"
    );
}
