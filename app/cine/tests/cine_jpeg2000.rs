//! JPEG 2000 (lossless and lossy) against an independent decoder: pydicom with Pillow (the C
//! OpenJPEG library) decompresses each sample file to native pixel data; our pure-Rust decode
//! of the compressed file must show the same pixels as our decode of Pillow's output.
//!
//! Python packages come from PyPI into `SONOHUB_PYTHONPATH` (`.ci/tools test` installs
//! pydicom, Pillow and numpy there); the files are pydicom's test files in
//! `SONOHUB_DICOM_SAMPLES`. With `SONOHUB_REQUIRE_TOOLS=1` anything missing fails the test.

use cine::{CineError, Clip};
use std::path::PathBuf;
use std::process::Command;

fn required() -> bool {
    std::env::var("SONOHUB_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

fn setting(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|d| d.is_dir());
    if dir.is_none() {
        assert!(!required(), "{name} must name a folder (see .ci/tools)");
        eprintln!("note: {name} not set; skipping the JPEG 2000 comparison");
    }
    dir
}

/// Decompresses `input` with pydicom + Pillow into `output` (explicit VR little endian).
fn pillow_decompress(pythonpath: &PathBuf, input: &PathBuf, output: &PathBuf) {
    let script = r#"
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
ds.decompress(decoding_plugin="pillow")
ds.save_as(sys.argv[2], enforce_file_format=True)
"#;
    let o = Command::new("python3")
        .env("PYTHONPATH", pythonpath)
        .args(["-c", script])
        .arg(input)
        .arg(output)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "pydicom/Pillow could not decompress {}: {}",
        input.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn jpeg2000_samples_match_pillow() {
    let (Some(samples), Some(pythonpath)) = (
        setting("SONOHUB_DICOM_SAMPLES"),
        setting("SONOHUB_PYTHONPATH"),
    ) else {
        return;
    };
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("jpeg2000");
    std::fs::create_dir_all(&out).expect("temp dir");
    // (file, lossless): lossless files must match exactly; lossy ones are decoded by two
    // implementations of the same standard and may differ by rounding.
    let cases = [
        ("MR_small_jp2klossless.dcm", true),
        ("JPEG2000.dcm", true),
        ("examples_jpeg2k.dcm", true),
        ("693_J2KI.dcm", false),
    ];
    let mut report = Vec::new();
    for (name, lossless) in cases {
        let input = samples.join(name);
        let reference = out.join(name);
        pillow_decompress(&pythonpath, &input, &reference);
        let ours = Clip::parse(&std::fs::read(&input).expect("sample"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let theirs = Clip::parse(&std::fs::read(&reference).expect("reference"))
            .unwrap_or_else(|e| panic!("{name} (Pillow): {e}"));
        assert_eq!(ours.info().frames, theirs.info().frames, "{name}");
        for n in 0..ours.info().frames {
            let a = ours
                .decode_frame(n)
                .unwrap_or_else(|e| panic!("{name} #{n}: {e}"));
            let b = theirs.decode_frame(n).expect("reference decodes");
            assert_eq!((a.width, a.height), (b.width, b.height), "{name}");
            let max = a
                .rgba
                .iter()
                .zip(&b.rgba)
                .map(|(x, y)| x.abs_diff(*y))
                .max()
                .unwrap_or(0);
            report.push(format!(
                "{name} frame {n}: {} {} max diff {max}",
                ours.info().photometric,
                ours.info().transfer_syntax.name
            ));
            let allowed = if lossless { 0 } else { 2 };
            assert!(max <= allowed, "{name} frame {n}: max difference {max}");
        }
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn high_throughput_jpeg2000_is_named_when_refused() {
    // HTJ2K is not in the pure-Rust decoder: the message names it instead of showing nothing.
    let info = cine::TransferSyntaxInfo::from_uid("1.2.840.10008.1.2.4.201");
    match info.unsupported() {
        CineError::UnsupportedTransferSyntax { name, .. } => {
            assert!(name.contains("High-Throughput JPEG 2000"), "{name}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn damaged_jpeg2000_codestreams_fail_cleanly() {
    let Some(samples) = setting("SONOHUB_DICOM_SAMPLES") else {
        return;
    };
    let original = std::fs::read(samples.join("MR_small_jp2klossless.dcm")).expect("sample");
    // Scribble over the second half of the file (inside the codestream) in several patterns:
    // the decode may fail, but must say so rather than panic.
    for seed in 1..=8u8 {
        let mut bytes = original.clone();
        let half = bytes.len() / 2;
        for (i, b) in bytes[half..].iter_mut().enumerate() {
            if i % usize::from(seed * 3) == 0 {
                *b ^= 0x5A ^ seed;
            }
        }
        if let Ok(clip) = Clip::parse(&bytes) {
            let _ = clip.decode_frame(0);
        }
    }
}
