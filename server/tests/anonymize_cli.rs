//! `sonohub anonymize` on a folder, as an expert runs it in batch: good files come out
//! de-identified under their pseudonymous patient key, bad files are named and written nowhere.
use std::process::Command;

fn sonohub(args: &[&str], secret: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sonohub"));
    cmd.args(args).env_remove("SONOHUB_SECRET");
    if let Some(s) = secret {
        cmd.env("SONOHUB_SECRET", s);
    }
    cmd.output().expect("run sonohub")
}

#[test]
fn a_folder_is_anonymised_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    let nested = input.join("series-2");
    std::fs::create_dir_all(&nested).unwrap();
    for (i, (path, syntax)) in [(input.join("a.dcm"), "jpeg"), (nested.join("b.dcm"), "rle")]
        .iter()
        .enumerate()
    {
        let seed = (i + 1).to_string();
        let out = sonohub(
            &[
                "dicom",
                "synth",
                "--out",
                path.to_str().unwrap(),
                "--frames",
                "3",
                "--width",
                "128",
                "--height",
                "96",
                "--syntax",
                syntax,
                "--seed",
                &seed,
            ],
            None,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::write(input.join("notes.txt"), "not an image").unwrap();
    let out_dir = dir.path().join("out");
    let args = [
        "anonymize",
        input.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ];

    // No secret: refused before anything is read.
    let out = sonohub(&args, None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("secret"));
    assert!(!out_dir.exists());

    let out = sonohub(&args, Some("a-long-enough-secret-for-tests"));
    assert!(
        !out.status.success(),
        "one input was refused, so the run fails"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let refused: Vec<_> = lines
        .iter()
        .filter(|l| l.get("refused").is_some())
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(refused[0]["input"].as_str().unwrap().ends_with("notes.txt"));
    assert!(
        refused[0]["refused"]
            .as_str()
            .unwrap()
            .contains("not a readable DICOM")
    );
    let written: Vec<_> = lines.iter().filter_map(|l| l["output"].as_str()).collect();
    assert_eq!(written.len(), 2);
    for path in written {
        let bytes = std::fs::read(path).expect("written");
        assert!(
            !bytes.windows(10).any(|w| w == b"SYNTH-0001"),
            "source patient ID left in {path}"
        );
        assert!(path.contains("/SH"), "stored under the patient key: {path}");
    }
    // Both synthetic clips are the same source patient: one key.
    let keys: std::collections::HashSet<_> = lines
        .iter()
        .filter_map(|l| l["patient_key"].as_str())
        .collect();
    assert_eq!(keys.len(), 1);
    // No temporary files are left behind.
    let leftovers = walk(&out_dir)
        .into_iter()
        .filter(|p| p.ends_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0);
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

/// Headers only: the pixel data is passed through by the kernel, and the file is exactly what
/// the full de-identification (without pixel cleaning) writes.
#[test]
fn headers_only_passes_the_pixels_through_and_matches_the_full_path() {
    use domain::dicom::{AnonymizeConfig, anonymize};
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let secret = "a-batch-secret-of-enough-length";
    for (seed, syntax) in ["jpeg", "rle", "rgb"].iter().enumerate() {
        let file = input.join(format!("{syntax}.dcm"));
        let seed = (seed + 10).to_string();
        let out = sonohub(
            &[
                "dicom",
                "synth",
                "--out",
                file.to_str().unwrap(),
                "--frames",
                "4",
                "--width",
                "96",
                "--height",
                "64",
                "--syntax",
                syntax,
                "--seed",
                &seed,
            ],
            None,
        );
        assert!(out.status.success());
    }
    let out_dir = dir.path().join("out");
    let run = sonohub(
        &[
            "anonymize",
            input.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--no-pixel-cleaning",
        ],
        Some(secret),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let cfg = AnonymizeConfig {
        secret: secret.as_bytes().to_vec(),
        clean_pixels: false,
        ..AnonymizeConfig::default()
    };
    for line in lines {
        let source = std::fs::read(line["input"].as_str().unwrap()).unwrap();
        let written = std::fs::read(line["output"].as_str().unwrap()).unwrap();
        let full = anonymize(&source, &cfg).expect("full path");
        let first = written.iter().zip(&full.bytes).position(|(a, b)| a != b);
        assert!(
            written == full.bytes,
            "{}: fast and full paths differ at {first:?} (lengths {} and {}), pixel data at {:?}",
            line["input"],
            written.len(),
            full.bytes.len(),
            domain::dicom::layout::pixel_data_offset(&written)
        );
        assert!(!String::from_utf8_lossy(&written).contains("SYNTHETIC^CLIP"));
        // The pixel data bytes are the source's, to the end of the file.
        let at = domain::dicom::layout::pixel_data_offset(&source).unwrap();
        assert!(written.ends_with(&source[at..]));
    }
}

/// A file whose SOP Instance UID is a standard-looking prefix with a path in it, one with no
/// UID, and the same file twice: each is refused by name, and nothing is written outside
/// `--out` or over another output.
#[test]
fn crafted_and_repeated_uids_are_refused_and_write_nowhere() {
    use dicom_core::{DataElement, PrimitiveValue, VR};
    use dicom_dictionary_std::tags;
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let good = input.join("good.dcm");
    let out = sonohub(
        &[
            "dicom",
            "synth",
            "--out",
            good.to_str().unwrap(),
            "--frames",
            "2",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::copy(&good, input.join("good-copy.dcm")).unwrap();
    for (name, sop) in [
        ("escape.dcm", "1.2.840.10008.1/../../../escaped"),
        ("blank.dcm", ""),
    ] {
        let mut obj = dicom_object::open_file(&good).unwrap();
        obj.put(DataElement::new(
            tags::SOP_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from(sop),
        ));
        obj.write_to_file(input.join(name)).unwrap();
    }
    let out_dir = dir.path().join("nested/out");
    let out = sonohub(
        &[
            "anonymize",
            input.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ],
        Some("a-long-enough-secret-for-tests"),
    );
    assert!(!out.status.success(), "refusals fail the run");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let refused = |file: &str| {
        lines
            .iter()
            .find(|l| l["input"].as_str().unwrap().ends_with(file))
            .and_then(|l| l["refused"].as_str())
            .map(str::to_string)
    };
    // Refused, whichever check sees it first (the path check, or the parser).
    assert!(refused("escape.dcm").is_some(), "{lines:?}");
    assert!(refused("blank.dcm").is_some(), "{lines:?}");
    let copies = [refused("good.dcm"), refused("good-copy.dcm")];
    assert_eq!(
        copies
            .iter()
            .filter(|r| r.as_deref().is_some_and(|r| r.contains("same instance")))
            .count(),
        1,
        "exactly one of the two copies is refused: {lines:?}"
    );
    // Only the one good output exists, and nothing landed beside or above `--out`.
    assert_eq!(walk(&out_dir).len(), 1, "{:?}", walk(&out_dir));
    assert_eq!(walk(dir.path()).len(), 5, "{:?}", walk(dir.path()));
}
