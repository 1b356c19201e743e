//! Synthetic ultrasound clips for demo mode, written once into the data folder and served at
//! `/demo-clips/` so the viewer has something to play before any archive is connected.
use anyhow::Context;
use cine::synth::{SynthOptions, SynthSyntax, layout, synth_clip};
use model::{Annotation, DemoClip, Point, Shape};
use std::path::{Path, PathBuf};

/// (file, title zh, title en, options)
fn catalogue() -> Vec<(&'static str, &'static str, &'static str, SynthOptions)> {
    let opts = |syntax, width, height, frames, fps, seed| SynthOptions {
        width,
        height,
        frames,
        syntax,
        fps,
        seed,
    };
    vec![
        (
            "vessel-jpeg-640x480.dcm",
            "搏动血管 · JPEG 100 帧",
            "Pulsating vessel · JPEG, 100 frames",
            opts(SynthSyntax::Jpeg, 640, 480, 100, 30.0, 7),
        ),
        (
            "vessel-rle-320x240.dcm",
            "搏动血管 · RLE 无损",
            "Pulsating vessel · RLE lossless",
            opts(SynthSyntax::Rle, 320, 240, 60, 25.0, 11),
        ),
        (
            "vessel-rgb-320x240.dcm",
            "搏动血管 · 未压缩 RGB",
            "Pulsating vessel · uncompressed RGB",
            opts(SynthSyntax::Rgb, 320, 240, 40, 15.0, 13),
        ),
    ]
}

/// The teaching overlay of a synthetic clip: the vessel circled and pointed at, labelled.
fn annotations(opts: &SynthOptions) -> Vec<Annotation> {
    let l = layout(opts.width, opts.height);
    let (cx, cy) = l.vessel_center;
    let r = l.vessel_radius * 1.35;
    let last = opts.frames.saturating_sub(1);
    let all = |shape| Annotation {
        shape,
        first_frame: 0,
        last_frame: last,
        color: None,
    };
    vec![
        all(Shape::Ellipse {
            center: Point { x: cx, y: cy },
            rx: r,
            ry: r,
        }),
        all(Shape::Arrow {
            tail: Point {
                x: cx + r * 2.2,
                y: cy - r * 1.6,
            },
            head: Point {
                x: cx + r * 0.8,
                y: cy - r * 0.8,
            },
        }),
        all(Shape::Text {
            at: Point {
                x: cx + r * 2.3,
                y: cy - r * 1.7,
            },
            text: "血管 vessel".to_string(),
        }),
    ]
}

/// The folder the clips live in.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("demo-clips")
}

/// Writes the clips that are missing (atomically) and describes all of them.
pub fn prepare(data_dir: &Path) -> anyhow::Result<Vec<DemoClip>> {
    let dir = folder(data_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut clips = Vec::new();
    for (file, title_zh, title_en, opts) in catalogue() {
        let path = dir.join(file);
        if !path.exists() {
            let bytes =
                synth_clip(&opts).map_err(|e| anyhow::anyhow!("synthesising {file}: {e}"))?;
            let tmp = dir.join(format!(".{file}.tmp"));
            std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &path)?;
        }
        clips.push(DemoClip {
            file: file.to_string(),
            url: format!("/demo-clips/{file}"),
            title_zh: title_zh.to_string(),
            title_en: title_en.to_string(),
            syntax: match opts.syntax {
                SynthSyntax::Jpeg => "JPEG",
                SynthSyntax::Rle => "RLE",
                SynthSyntax::Rgb => "RGB",
            }
            .to_string(),
            width: opts.width,
            height: opts.height,
            frames: opts.frames,
            fps: opts.fps,
            annotations: annotations(&opts),
        });
    }
    Ok(clips)
}
