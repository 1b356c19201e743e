//! Decode correctness against an independent decoder: frames from `cine` compared with
//! dcmtk's `dcmj2pnm` on synthetic clips and on real sample files.
//!
//! dcmtk comes from Debian (`apt-get install dcmtk`). The real samples are pydicom's test files
//! (PyPI `pydicom`, folder `pydicom/data/test_files`), found through `SONOHUB_DICOM_SAMPLES`.
//! With `SONOHUB_REQUIRE_TOOLS=1` a missing tool or sample folder fails the test instead of
//! skipping it.

use cine::synth::{self, SynthOptions, SynthSyntax};
use cine::{CineError, Clip, RgbaFrame};
use std::path::{Path, PathBuf};
use std::process::Command;

fn required() -> bool {
    std::env::var("SONOHUB_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// True when `dcmj2pnm` runs; otherwise fails (required) or prints why the test skips.
fn have_dcmtk() -> bool {
    let ok = Command::new("dcmj2pnm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !required(),
            "dcmtk (dcmj2pnm) is required but not installed"
        );
        eprintln!("note: dcmtk not installed; skipping the comparison (apt-get install dcmtk)");
    }
    ok
}

/// An image read back from dcmtk: width, height, samples per pixel, samples.
struct Pnm {
    width: usize,
    height: usize,
    channels: usize,
    data: Vec<u8>,
}

fn parse_pnm(bytes: &[u8]) -> Pnm {
    // Header: magic, width, height, maxval, each separated by whitespace, then one byte.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if bytes[at] == b'#' {
            while bytes[at] != b'\n' {
                at += 1;
            }
            continue;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).to_string());
    }
    let channels = match fields[0].as_str() {
        "P5" => 1,
        "P6" => 3,
        other => panic!("unexpected PNM {other}"),
    };
    assert_eq!(fields[3], "255", "8-bit PNM expected");
    let width: usize = fields[1].parse().expect("width");
    let height: usize = fields[2].parse().expect("height");
    Pnm {
        width,
        height,
        channels,
        data: bytes[at + 1..at + 1 + width * height * channels].to_vec(),
    }
}

/// Frame `n` (0-based) of `file` as dcmj2pnm renders it.
fn dcmtk_frame(file: &Path, n: u32, window: &[&str]) -> Result<Pnm, String> {
    let out = std::env::temp_dir().join(format!(
        "sonohub-dcmtk-{}-{}-{n}.pnm",
        std::process::id(),
        file.file_name().and_then(|f| f.to_str()).unwrap_or("x")
    ));
    let o = Command::new("dcmj2pnm")
        .args(["+F", &(n + 1).to_string()])
        .args(window)
        .arg("+op")
        .arg(file)
        .arg(&out)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).to_string());
    }
    let bytes = std::fs::read(&out).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&out);
    Ok(parse_pnm(&bytes))
}

/// Mean and maximum absolute difference between our frame and dcmtk's.
fn difference(ours: &RgbaFrame, theirs: &Pnm) -> (f64, u8) {
    assert_eq!(
        (ours.width as usize, ours.height as usize),
        (theirs.width, theirs.height),
        "size"
    );
    let mut sum = 0u64;
    let mut max = 0u8;
    let mut count = 0u64;
    for (px, rgba) in ours.rgba.chunks_exact(4).enumerate() {
        for (c, ours) in rgba.iter().take(3).enumerate() {
            let theirs = if theirs.channels == 1 {
                theirs.data[px]
            } else {
                theirs.data[px * 3 + c]
            };
            let d = ours.abs_diff(theirs);
            sum += u64::from(d);
            max = max.max(d);
            count += 1;
        }
    }
    (sum as f64 / count as f64, max)
}

fn write_synth(test: &str, syntax: SynthSyntax, frames: u32) -> (PathBuf, SynthOptions) {
    let opts = SynthOptions {
        width: 160,
        height: 120,
        frames,
        syntax,
        fps: 25.0,
        seed: 7,
    };
    let bytes = synth::synth_clip(&opts).expect("synthesise");
    let path = std::env::temp_dir().join(format!(
        "sonohub-synth-{}-{test}-{syntax:?}.dcm",
        std::process::id()
    ));
    std::fs::write(&path, bytes).expect("write");
    (path, opts)
}

fn rgb_of(frame: &RgbaFrame) -> Vec<u8> {
    frame
        .rgba
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect()
}

#[test]
fn synthetic_lossless_clips_round_trip_exactly() {
    for syntax in [SynthSyntax::Rgb, SynthSyntax::Rle] {
        let (path, opts) = write_synth("round-trip", syntax, 6);
        let clip = Clip::parse(&std::fs::read(&path).expect("read")).expect("parse");
        assert_eq!(clip.info().frames, 6);
        assert!((clip.info().frame_time_ms - 40.0).abs() < 1e-6);
        for n in [0, 3, 5] {
            let frame = clip.decode_frame(n).expect("decode");
            assert_eq!(
                rgb_of(&frame),
                synth::frame_rgb(&opts, n),
                "{syntax:?} frame {n}"
            );
        }
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn synthetic_jpeg_stays_close_to_the_source() {
    let (path, opts) = write_synth("jpeg", SynthSyntax::Jpeg, 4);
    let clip = Clip::parse(&std::fs::read(&path).expect("read")).expect("parse");
    assert_eq!(clip.info().photometric, "YBR_FULL_422");
    for n in 0..4 {
        let ours = rgb_of(&clip.decode_frame(n).expect("decode"));
        let source = synth::frame_rgb(&opts, n);
        let mean = ours
            .iter()
            .zip(&source)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / ours.len() as f64;
        assert!(mean < 6.0, "frame {n}: mean difference {mean}");
    }
    // The banner's flat background survives compression within a few levels.
    let frame = clip.decode_frame(0).expect("decode");
    let at = (2 * frame.width as usize + 2) * 4;
    for (c, want) in synth::BANNER_BACKGROUND.iter().enumerate() {
        assert!(
            frame.rgba[at + c].abs_diff(*want) <= 4,
            "banner channel {c}"
        );
    }
    let _ = std::fs::remove_file(path);
}

#[test]
fn synthetic_clips_match_dcmtk() {
    if !have_dcmtk() {
        return;
    }
    for (syntax, lossless) in [
        (SynthSyntax::Rgb, true),
        (SynthSyntax::Rle, true),
        (SynthSyntax::Jpeg, false),
    ] {
        let (path, _) = write_synth("dcmtk", syntax, 5);
        let clip = Clip::parse(&std::fs::read(&path).expect("read")).expect("parse");
        for n in [0, 4] {
            let ours = clip.decode_frame(n).expect("decode");
            let theirs = dcmtk_frame(&path, n, &[]).expect("dcmj2pnm");
            let (mean, max) = difference(&ours, &theirs);
            eprintln!("synthetic {syntax:?} frame {n}: mean {mean:.3} max {max}");
            if lossless {
                assert_eq!(max, 0, "{syntax:?} frame {n} differs from dcmtk");
            } else {
                assert!(
                    mean < 1.0 && max <= 8,
                    "{syntax:?} frame {n}: mean {mean} max {max}"
                );
            }
        }
        let _ = std::fs::remove_file(path);
    }
}

/// How a sample must compare with dcmtk.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Lossless: identical to dcmtk (max difference 0).
    Exact,
    /// Lossless but YBR-converted in floating point (dcmtk uses integer tables): off by at most 1.
    WithinOne,
    /// Lossy JPEG: mean below 1, max below 10 (IDCT implementations differ).
    Lossy,
}

/// pydicom test files, what they are, and how close we must be.
const SAMPLES: &[(&str, Expect)] = &[
    ("SC_rgb_small_odd.dcm", Expect::Exact),
    ("SC_rgb_small_odd_big_endian.dcm", Expect::Exact),
    ("SC_rgb_rle.dcm", Expect::Exact),
    ("SC_rgb_rle_2frame.dcm", Expect::Exact),
    ("SC_rgb_rle_16bit.dcm", Expect::Exact),
    ("SC_rgb_rle_16bit_2frame.dcm", Expect::Exact),
    ("SC_ybr_full_422_uncompressed.dcm", Expect::WithinOne),
    ("SC_rgb_jpeg_dcmtk.dcm", Expect::Lossy),
    ("SC_rgb_dcmtk_+eb+cy+np.dcm", Expect::Lossy),
    ("SC_rgb_dcmtk_+eb+cy+n1.dcm", Expect::Lossy),
    ("SC_rgb_dcmtk_+eb+cy+n2.dcm", Expect::Lossy),
    ("SC_rgb_dcmtk_+eb+cy+s2.dcm", Expect::Lossy),
    ("SC_rgb_dcmtk_+eb+cy+s4.dcm", Expect::Lossy),
    ("SC_rgb_dcmtk_+eb+cr.dcm", Expect::Lossy),
    ("SC_rgb_jpeg_gdcm.dcm", Expect::Lossy),
    ("SC_rgb_jpeg_lossy_gdcm.dcm", Expect::Lossy),
    ("SC_rgb_small_odd_jpeg.dcm", Expect::Lossy),
    ("SC_jpeg_no_color_transform.dcm", Expect::Lossy),
    ("SC_jpeg_no_color_transform_2.dcm", Expect::Lossy),
    ("SC_rgb_jpeg_app14_dcmd.dcm", Expect::Lossy),
    ("examples_rgb_color.dcm", Expect::Exact),
    ("examples_ybr_color.dcm", Expect::Lossy),
    ("examples_palette.dcm", Expect::Exact),
    ("MR_small.dcm", Expect::Exact),
    ("MR_small_RLE.dcm", Expect::Exact),
    ("MR_small_bigendian.dcm", Expect::Exact),
    ("MR_small_expb.dcm", Expect::Exact),
    ("MR_small_implicit.dcm", Expect::Exact),
    ("CT_small.dcm", Expect::Exact),
    ("image_dfl.dcm", Expect::Exact),
    ("ExplVR_BigEnd.dcm", Expect::Exact),
];

fn samples_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SONOHUB_DICOM_SAMPLES").map(PathBuf::from);
    match dir {
        Some(d) if d.is_dir() => Some(d),
        _ => {
            assert!(
                !required(),
                "SONOHUB_DICOM_SAMPLES must name pydicom's test_files folder"
            );
            eprintln!(
                "note: SONOHUB_DICOM_SAMPLES not set; skipping real samples \
                 (pip download --no-deps pydicom; unzip; point it at pydicom/data/test_files)"
            );
            None
        }
    }
}

#[test]
fn real_samples_match_dcmtk() {
    let Some(dir) = samples_dir() else { return };
    if !have_dcmtk() {
        return;
    }
    let mut failures = Vec::new();
    for (name, expect) in SAMPLES {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let clip = match Clip::parse(&bytes) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: parse: {e}"));
                continue;
            }
        };
        let info = clip.info();
        let window: &[&str] = if info.samples_per_pixel == 1 && info.photometric != "PALETTE COLOR"
        {
            if info.voi_window.is_some() {
                &["+Wi", "1"]
            } else {
                &["+Wm"]
            }
        } else {
            &[]
        };
        for n in 0..info.frames.min(3) {
            let ours = match clip.decode_frame(n) {
                Ok(f) => f,
                Err(e) => {
                    failures.push(format!("{name} frame {n}: {e}"));
                    continue;
                }
            };
            let theirs = match dcmtk_frame(&path, n, window) {
                Ok(t) => t,
                Err(e) => {
                    failures.push(format!("{name} frame {n}: dcmj2pnm failed: {e}"));
                    continue;
                }
            };
            let (mean, max) = difference(&ours, &theirs);
            let ok = match expect {
                Expect::Exact => max == 0,
                Expect::WithinOne => max <= 1,
                Expect::Lossy => mean < 1.0 && max < 10,
            };
            eprintln!(
                "{name:40} {:28} {:12} {}-bit frame {n}: mean {mean:.3} max {max} {}",
                info.transfer_syntax.name,
                info.photometric,
                info.bits_allocated,
                if ok { "ok" } else { "MISMATCH" }
            );
            if !ok {
                failures.push(format!(
                    "{name} frame {n}: mean {mean:.3} max {max} ({expect:?})"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn unsupported_and_broken_samples_say_why() {
    let Some(dir) = samples_dir() else { return };
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    match Clip::parse(&read("MR_small_jpeg_ls_lossless.dcm")).and_then(|c| c.decode_frame(0)) {
        Err(CineError::UnsupportedTransferSyntax { name, .. }) => assert!(name.contains("JPEG-LS")),
        other => panic!("JPEG-LS: {other:?}"),
    }
    match Clip::parse(&read("rtdose.dcm")).and_then(|c| c.decode_frame(0)) {
        Err(CineError::UnsupportedBits {
            bits_allocated: 32, ..
        }) => {}
        other => panic!("32-bit dose: {other:?}"),
    }
    assert!(matches!(
        Clip::parse(&read("MR_truncated.dcm")).and_then(|c| c.decode_frame(0)),
        Err(CineError::Truncated { .. })
    ));
    assert!(matches!(
        Clip::parse(&read("no_meta.dcm")),
        Err(CineError::NotDicom)
    ));
}

/// Runs a dcmtk tool, panicking with its message when it fails.
fn dcmtk(tool: &str, args: &[&str], input: &Path, output: &Path) {
    let o = Command::new(tool)
        .args(args)
        .arg(input)
        .arg(output)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        o.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Rewrites a synthetic RGB clip's pixel data and colour attributes.
fn derive(
    source: &Path,
    out: &Path,
    photometric: &str,
    samples_per_pixel: u16,
    planar: u16,
    transform: impl Fn(&[u8]) -> Vec<u8>,
) {
    use dicom_core::value::PrimitiveValue;
    use dicom_core::{DataElement, VR};
    use dicom_dictionary_std::tags;
    let mut obj = dicom_object::open_file(source).expect("open synthetic clip");
    let rgb = obj
        .element(tags::PIXEL_DATA)
        .expect("pixel data")
        .to_bytes()
        .expect("bytes")
        .into_owned();
    let rows = usize::from(
        obj.element(tags::ROWS)
            .expect("rows")
            .to_int::<u16>()
            .expect("rows"),
    );
    let cols = usize::from(
        obj.element(tags::COLUMNS)
            .expect("columns")
            .to_int::<u16>()
            .expect("columns"),
    );
    let frame_len = rows * cols * 3;
    let mut data: Vec<u8> = rgb.chunks_exact(frame_len).flat_map(&transform).collect();
    if data.len() % 2 == 1 {
        data.push(0);
    }
    let mut put = |tag, vr, value: PrimitiveValue| {
        obj.put(DataElement::new(tag, vr, value));
    };
    put(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, photometric.into());
    put(tags::SAMPLES_PER_PIXEL, VR::US, samples_per_pixel.into());
    put(tags::PLANAR_CONFIGURATION, VR::US, planar.into());
    put(tags::PIXEL_DATA, VR::OB, PrimitiveValue::from(data));
    if samples_per_pixel == 1 {
        obj.remove_element(tags::PLANAR_CONFIGURATION);
    }
    obj.write_to_file(out).expect("write derived clip");
}

fn to_planar(frame: &[u8]) -> Vec<u8> {
    (0..3)
        .flat_map(|c| frame.iter().skip(c).step_by(3).copied())
        .collect()
}

fn to_ybr_full(frame: &[u8]) -> Vec<u8> {
    frame
        .chunks_exact(3)
        .flat_map(|p| {
            let (r, g, b) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
            let y = 0.299 * r + 0.587 * g + 0.114 * b;
            let cb = -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0;
            let cr = 0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0;
            [y, cb, cr].map(|v| v.round().clamp(0.0, 255.0) as u8)
        })
        .collect()
}

fn to_grey(frame: &[u8]) -> Vec<u8> {
    frame.chunks_exact(3).map(|p| p[0]).collect()
}

/// Layouts the samples above do not cover, made from a synthetic clip (planar configuration
/// 1, YBR_FULL, MONOCHROME1) or encoded by dcmtk itself (RLE, JPEG lossless, 16-bit JPEG).
#[test]
fn derived_layouts_match_dcmtk() {
    if !have_dcmtk() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("sonohub-derived-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (rgb, _) = write_synth("derived", SynthSyntax::Rgb, 3);
    let p = |name: &str| dir.join(name);
    derive(&rgb, &p("planar.dcm"), "RGB", 3, 1, to_planar);
    derive(&rgb, &p("ybr_full.dcm"), "YBR_FULL", 3, 0, to_ybr_full);
    derive(&rgb, &p("ybr_full_planar.dcm"), "YBR_FULL", 3, 1, |f| {
        to_planar(&to_ybr_full(f))
    });
    derive(&rgb, &p("mono1.dcm"), "MONOCHROME1", 1, 0, to_grey);
    derive(&rgb, &p("mono2.dcm"), "MONOCHROME2", 1, 0, to_grey);
    dcmtk("dcmcrle", &[], &rgb, &p("rgb_dcmtk_rle.dcm"));
    dcmtk("dcmcrle", &[], &p("ybr_full.dcm"), &p("ybr_full_rle.dcm"));
    dcmtk("dcmcrle", &[], &p("mono1.dcm"), &p("mono1_rle.dcm"));
    dcmtk("dcmcjpeg", &["+e1"], &rgb, &p("rgb_jpeg_sv1.dcm"));
    dcmtk("dcmcjpeg", &["+el"], &rgb, &p("rgb_jpeg_lossless.dcm"));
    dcmtk(
        "dcmcjpeg",
        &["+eb"],
        &p("mono2.dcm"),
        &p("mono2_jpeg_baseline.dcm"),
    );
    dcmtk(
        "dcmcjpeg",
        &["+eb"],
        &rgb,
        &p("rgb_jpeg_baseline_dcmtk.dcm"),
    );
    let mut cases = vec![
        ("planar.dcm", Expect::Exact),
        ("ybr_full.dcm", Expect::WithinOne),
        ("ybr_full_planar.dcm", Expect::WithinOne),
        ("mono1.dcm", Expect::Exact),
        ("mono2.dcm", Expect::Exact),
        ("rgb_dcmtk_rle.dcm", Expect::Exact),
        ("ybr_full_rle.dcm", Expect::WithinOne),
        ("mono1_rle.dcm", Expect::Exact),
        ("rgb_jpeg_sv1.dcm", Expect::Exact),
        ("rgb_jpeg_lossless.dcm", Expect::Exact),
        ("mono2_jpeg_baseline.dcm", Expect::Lossy),
        ("rgb_jpeg_baseline_dcmtk.dcm", Expect::Lossy),
    ];
    // 16-bit monochrome through JPEG lossless, from a real 16-bit image.
    if let Some(samples) = std::env::var_os("SONOHUB_DICOM_SAMPLES").map(PathBuf::from) {
        let mr = samples.join("MR_small.dcm");
        if mr.is_file() {
            dcmtk("dcmcjpeg", &["+e1"], &mr, &p("mr16_jpeg_sv1.dcm"));
            dcmtk("dcmcjpeg", &["+el"], &mr, &p("mr16_jpeg_lossless.dcm"));
            cases.push(("mr16_jpeg_sv1.dcm", Expect::Exact));
            cases.push(("mr16_jpeg_lossless.dcm", Expect::Exact));
        }
    }
    let mut failures = Vec::new();
    for (name, expect) in cases {
        let path = p(name);
        let clip = Clip::parse(&std::fs::read(&path).expect("read")).expect("parse");
        let info = clip.info();
        let window: &[&str] = match (info.samples_per_pixel, info.voi_window) {
            (1, Some(_)) => &["+Wi", "1"],
            (1, None) => &["+Wm"],
            _ => &[],
        };
        for n in 0..info.frames.min(2) {
            let ours = clip
                .decode_frame(n)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let theirs = dcmtk_frame(&path, n, window).unwrap_or_else(|e| panic!("{name}: {e}"));
            let (mean, max) = difference(&ours, &theirs);
            let ok = match expect {
                Expect::Exact => max == 0,
                Expect::WithinOne => max <= 1,
                Expect::Lossy => mean < 1.0 && max < 10,
            };
            eprintln!(
                "{name:28} {:52} {:12} planar {} {}-bit frame {n}: mean {mean:.3} max {max} {}",
                info.transfer_syntax.name,
                info.photometric,
                info.planar_configuration,
                info.bits_allocated,
                if ok { "ok" } else { "MISMATCH" }
            );
            if !ok {
                failures.push(format!(
                    "{name} frame {n}: mean {mean:.3} max {max} ({expect:?})"
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(rgb);
    assert!(failures.is_empty(), "{failures:#?}");
}
