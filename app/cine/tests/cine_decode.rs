//! The cine core on synthetic clips: description, calibration, measurement, and no panic on
//! truncated or corrupted files.

use cine::synth::{self, SynthOptions, SynthSyntax};
use cine::{CineError, Clip, ImagePoint, PhysicalUnits, SpatialFormat, TimingSource, distance_mm};

fn clip_bytes(syntax: SynthSyntax) -> Vec<u8> {
    synth::synth_clip(&SynthOptions {
        width: 96,
        height: 64,
        frames: 3,
        syntax,
        fps: 20.0,
        seed: 3,
    })
    .expect("synthesise")
}

#[test]
fn synthetic_clip_describes_itself() {
    for syntax in [SynthSyntax::Rgb, SynthSyntax::Rle, SynthSyntax::Jpeg] {
        let clip = Clip::parse(&clip_bytes(syntax)).expect("parse");
        let info = clip.info();
        assert_eq!((info.columns, info.rows, info.frames), (96, 64, 3));
        assert_eq!(info.timing_source, TimingSource::FrameTime);
        assert!((info.frame_time_ms - 50.0).abs() < 1e-6);
        assert_eq!(info.unsupported, None);
        assert_eq!(info.regions.len(), 1);
        let region = &info.regions[0];
        let layout = synth::layout(96, 64);
        assert_eq!((region.x0, region.y0, region.x1, region.y1), layout.region);
        assert_eq!(region.units_x, PhysicalUnits::Centimetre);
        assert_eq!(region.spatial_format, SpatialFormat::TwoD);
        assert_eq!(region.physical_delta_x, synth::SYNTH_CM_PER_PIXEL);
        // 50 pixels at 0.1 mm each is 5 mm; the banner is not calibrated.
        let y = f64::from(layout.region.1) + 10.0;
        let d = distance_mm(
            &info.regions,
            ImagePoint::new(10.0, y),
            ImagePoint::new(60.0, y),
        )
        .expect("measurable");
        assert!((d - 5.0).abs() < 1e-9, "{d}");
        assert!(
            distance_mm(
                &info.regions,
                ImagePoint::new(10.0, 1.0),
                ImagePoint::new(60.0, y)
            )
            .is_err()
        );
        let json = serde_json::to_value(info).expect("json");
        for key in [
            "rows",
            "columns",
            "frames",
            "photometric",
            "transfer_syntax",
            "frame_time_ms",
            "regions",
        ] {
            assert!(json.get(key).is_some(), "{key} missing from {json}");
        }
    }
}

#[test]
fn banner_and_vessel_come_out_as_drawn() {
    let clip = Clip::parse(&clip_bytes(SynthSyntax::Rle)).expect("parse");
    let frame = clip.decode_frame(1).expect("decode");
    let layout = synth::layout(96, 64);
    let px = |x: u32, y: u32| {
        let at = ((y * frame.width + x) * 4) as usize;
        [
            frame.rgba[at],
            frame.rgba[at + 1],
            frame.rgba[at + 2],
            frame.rgba[at + 3],
        ]
    };
    let [r, g, b] = synth::BANNER_BACKGROUND;
    assert_eq!(px(0, 0), [r, g, b, 255]);
    let (cx, cy) = layout.vessel_center;
    let v = synth::VESSEL_LUMEN;
    assert_eq!(px(cx as u32, cy as u32), [v, v, v, 255]);
    // Outside the sector, at the bottom corners, the image is black.
    assert_eq!(px(0, 63), [0, 0, 0, 255]);
}

#[test]
fn frames_past_the_end_are_refused() {
    let clip = Clip::parse(&clip_bytes(SynthSyntax::Rgb)).expect("parse");
    assert_eq!(
        clip.decode_frame(3),
        Err(CineError::FrameOutOfRange {
            frame: 3,
            frames: 3
        })
    );
}

#[test]
fn non_dicom_is_named() {
    assert_eq!(Clip::parse(b"hello").err(), Some(CineError::NotDicom));
    assert_eq!(Clip::parse(&[]).err(), Some(CineError::NotDicom));
}

/// Every prefix length and scattered byte corruption gives a result, never a panic.
#[test]
fn truncated_and_corrupted_files_never_panic() {
    for syntax in [SynthSyntax::Rgb, SynthSyntax::Rle, SynthSyntax::Jpeg] {
        let bytes = clip_bytes(syntax);
        let decode_all = |b: &[u8]| {
            if let Ok(clip) = Clip::parse(b) {
                for n in 0..clip.info().frames.min(4) {
                    let _ = clip.decode_frame(n);
                }
            }
        };
        let mut cut = 0;
        while cut < bytes.len() {
            decode_all(&bytes[..cut]);
            cut += 1 + cut / 6;
        }
        let truncated_pixel_data =
            Clip::parse(&bytes[..bytes.len() - 40]).and_then(|c| c.decode_frame(2));
        assert!(
            truncated_pixel_data.is_err(),
            "{syntax:?}: a cut file decoded"
        );
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..120 {
            let mut corrupt = bytes.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let at = (state % corrupt.len() as u64) as usize;
                corrupt[at] = (state >> 24) as u8;
            }
            decode_all(&corrupt);
        }
    }
}

#[test]
fn a_huge_declared_length_is_refused_before_parsing() {
    let mut bytes = clip_bytes(SynthSyntax::Rgb);
    let header = [0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0];
    let at = bytes
        .windows(8)
        .position(|w| w == header)
        .expect("pixel data header");
    bytes[at + 8..at + 12].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    match Clip::parse(&bytes) {
        Err(CineError::Truncated { what }) => assert!(what.contains("(7FE0,0010)"), "{what}"),
        other => panic!("expected truncated, got {other:?}"),
    }
}

#[test]
fn jpeg_frames_are_offered_to_the_browser_decoder() {
    let jpeg = Clip::parse(&clip_bytes(SynthSyntax::Jpeg)).expect("parse");
    let frame = jpeg
        .browser_decodable_jpeg(2)
        .expect("frame exists")
        .expect("JFIF YCbCr baseline is browser-decodable");
    assert!(frame.starts_with(&[0xFF, 0xD8]));
    let rle = Clip::parse(&clip_bytes(SynthSyntax::Rle)).expect("parse");
    assert_eq!(rle.browser_decodable_jpeg(0), Ok(None));
    assert!(jpeg.browser_decodable_jpeg(3).is_err());
}
