//! `sonohub dicom synth | info | frame` run as a user would, on a synthetic clip.
use std::process::Command;

fn sonohub(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sonohub"))
        .args(args)
        .output()
        .expect("run sonohub")
}

#[test]
fn synth_info_and_frame_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dcm = dir.path().join("clip.dcm");
    let png_path = dir.path().join("frame.png");
    let dcm_s = dcm.to_str().expect("utf-8 path");
    let out = sonohub(&[
        "dicom", "synth", "--out", dcm_s, "--frames", "4", "--width", "128", "--height", "96",
        "--syntax", "rle", "--fps", "50",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = sonohub(&["dicom", "info", dcm_s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert_eq!(info["rows"], 96);
    assert_eq!(info["columns"], 128);
    assert_eq!(info["frames"], 4);
    assert_eq!(info["photometric"], "RGB");
    assert_eq!(info["transfer_syntax"]["uid"], "1.2.840.10008.1.2.5");
    assert_eq!(info["transfer_syntax"]["name"], "RLE Lossless");
    assert_eq!(info["frame_time_ms"], 20.0);
    assert_eq!(info["regions"][0]["units_x"], "cm");
    assert_eq!(info["regions"][0]["physical_delta_x"], 0.01);

    let out = sonohub(&[
        "dicom",
        "frame",
        dcm_s,
        "3",
        png_path.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_path).expect("png written"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let png_info = reader.next_frame(&mut buf).expect("png data");
    assert_eq!((png_info.width, png_info.height), (128, 96));
    let clip = cine::Clip::parse(&std::fs::read(&dcm).expect("read")).expect("parse");
    let frame = clip.decode_frame(3).expect("decode");
    assert_eq!(&buf[..png_info.buffer_size()], frame.rgba.as_slice());
}

#[test]
fn errors_name_the_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let not_dicom = dir.path().join("note.txt");
    std::fs::write(&not_dicom, "not an image").expect("write");
    let out = sonohub(&["dicom", "info", not_dicom.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a DICOM file"));

    let dcm = dir.path().join("clip.dcm");
    let dcm_s = dcm.to_str().expect("utf-8");
    let out = sonohub(&[
        "dicom", "synth", "--out", dcm_s, "--frames", "2", "--width", "64", "--height", "48",
        "--syntax", "rgb",
    ]);
    assert!(out.status.success());
    let out = sonohub(&[
        "dicom",
        "frame",
        dcm_s,
        "2",
        dir.path().join("x.png").to_str().expect("utf-8"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("frame 2 does not exist"));
}
