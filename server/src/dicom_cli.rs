//! `sonohub dicom …`: describe a clip, export a frame as displayed, synthesise clips; the same
//! decoding core the browser viewer runs.
use anyhow::{Context, Result};
use cine::synth::{Scene, SynthOptions, SynthSyntax, phantom_clip, synth_clip};
use cine::{Clip, RgbaFrame};
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options of `sonohub dicom`.
#[derive(Debug, Args)]
pub struct DicomArgs {
    #[command(subcommand)]
    pub command: DicomCommand,
}

/// The `sonohub dicom` subcommands.
#[derive(Debug, Subcommand)]
pub enum DicomCommand {
    /// Print what a clip is (size, frames, colour, transfer syntax, timing, regions) as JSON.
    Info {
        /// The DICOM file.
        file: PathBuf,
    },
    /// Write frame N (0-based) as displayed to a PNG file.
    Frame {
        /// The DICOM file.
        file: PathBuf,
        /// Frame number, from 0.
        n: u32,
        /// The PNG to write.
        out: PathBuf,
    },
    /// Write a synthetic ultrasound clip with known calibration (0.01 cm per pixel), or with
    /// `--scene` a simulated teaching scene with its ground truth.
    Synth {
        /// The DICOM file to write.
        #[arg(long)]
        out: PathBuf,
        /// Simulate this scene (B-mode phantom) instead of the plain test clip.
        #[arg(long, value_enum)]
        scene: Option<SceneArg>,
        /// With `--scene`: write the ground truth (outlines per frame, facts) as JSON here.
        #[arg(long, requires = "scene")]
        truth: Option<PathBuf>,
        /// Number of frames.
        #[arg(long, default_value_t = 30)]
        frames: u32,
        /// Columns.
        #[arg(long, default_value_t = 640)]
        width: u32,
        /// Rows.
        #[arg(long, default_value_t = 480)]
        height: u32,
        /// Pixel data encoding.
        #[arg(long, value_enum, default_value_t = SyntaxArg::Jpeg)]
        syntax: SyntaxArg,
        /// Frames per second, written as Frame Time.
        #[arg(long, default_value_t = 30.0)]
        fps: f64,
        /// Seed of the speckle pattern and UIDs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Leave out the Sequence of Ultrasound Regions, as older scanners and exports do
        /// (SonoHub then holds the file until an expert marks its image area).
        #[arg(long)]
        no_regions: bool,
        /// Manufacturer written in the header.
        #[arg(long)]
        manufacturer: Option<String>,
        /// Manufacturer's Model Name written in the header.
        #[arg(long)]
        model: Option<String>,
    },
}

/// Pixel data encodings `sonohub dicom synth` can write.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SyntaxArg {
    /// Uncompressed RGB, explicit VR little endian.
    Rgb,
    /// RLE Lossless.
    Rle,
    /// JPEG baseline, YBR_FULL_422.
    Jpeg,
}

impl From<SyntaxArg> for SynthSyntax {
    fn from(s: SyntaxArg) -> Self {
        match s {
            SyntaxArg::Rgb => SynthSyntax::Rgb,
            SyntaxArg::Rle => SynthSyntax::Rle,
            SyntaxArg::Jpeg => SynthSyntax::Jpeg,
        }
    }
}

/// Phantom scenes `sonohub dicom synth --scene` can simulate.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum SceneArg {
    /// Thyroid nodule with echogenic foci and comet tails.
    ThyroidNodule,
    /// Carotid long axis with a plaque, pulsating.
    CarotidPlaque,
    /// Free fluid appearing in Morison's pouch.
    MorisonFluid,
    /// Pleural line with sliding and A-lines.
    LungSliding,
    /// Pleural line with B-lines.
    BLines,
    /// Lung point moving with breathing.
    LungPoint,
    /// Beating heart with a pericardial effusion.
    PericardialEffusion,
    /// Abdominal aorta, transverse, known diameter.
    Aorta,
    /// Femoral vein collapsing under compression.
    VeinCompressible,
    /// Thrombosed femoral vein that does not collapse.
    VeinNonCompressible,
}

impl From<SceneArg> for Scene {
    fn from(s: SceneArg) -> Self {
        match s {
            SceneArg::ThyroidNodule => Scene::ThyroidNodule,
            SceneArg::CarotidPlaque => Scene::CarotidPlaque,
            SceneArg::MorisonFluid => Scene::MorisonFluid,
            SceneArg::LungSliding => Scene::LungSliding,
            SceneArg::BLines => Scene::BLines,
            SceneArg::LungPoint => Scene::LungPoint,
            SceneArg::PericardialEffusion => Scene::PericardialEffusion,
            SceneArg::Aorta => Scene::Aorta,
            SceneArg::VeinCompressible => Scene::VeinCompressible,
            SceneArg::VeinNonCompressible => Scene::VeinNonCompressible,
        }
    }
}

/// Runs one `sonohub dicom` subcommand.
pub fn run(args: DicomArgs) -> Result<()> {
    match args.command {
        DicomCommand::Info { file } => {
            let clip = open(&file)?;
            let json = serde_json::to_string_pretty(clip.info())?;
            writeln!(std::io::stdout(), "{json}")?;
        }
        DicomCommand::Frame { file, n, out } => {
            let clip = open(&file)?;
            let frame = clip
                .decode_frame(n)
                .with_context(|| format!("{}: frame {n}", file.display()))?;
            write_png(&frame, &out)?;
        }
        DicomCommand::Synth {
            out,
            scene,
            truth,
            frames,
            width,
            height,
            syntax,
            fps,
            seed,
            no_regions,
            manufacturer,
            model,
        } => {
            let options = SynthOptions {
                width,
                height,
                frames,
                syntax: syntax.into(),
                fps,
                seed,
            };
            let mut bytes = match scene {
                None => synth_clip(&options)?,
                Some(scene) => {
                    let phantom = phantom_clip(&options, scene.into())?;
                    if let Some(path) = &truth {
                        let json = serde_json::to_vec_pretty(&phantom.truth)?;
                        std::fs::write(path, json)
                            .with_context(|| format!("writing {}", path.display()))?;
                    }
                    phantom.dicom
                }
            };
            if no_regions {
                bytes = crate::demo_studies::without_regions(&bytes)?;
            }
            if manufacturer.is_some() || model.is_some() {
                bytes = with_device(&bytes, manufacturer.as_deref(), model.as_deref())?;
            }
            std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
        }
    }
    Ok(())
}

/// The clip with Manufacturer and Manufacturer's Model Name set.
fn with_device(clip: &[u8], manufacturer: Option<&str>, model: Option<&str>) -> Result<Vec<u8>> {
    use dicom_core::{DataElement, PrimitiveValue, VR};
    use dicom_dictionary_std::tags;
    let mut obj = dicom_object::OpenFileOptions::new()
        .from_reader(clip.get(128..).context("clip too short")?)
        .context("reading the synthetic clip")?;
    for (tag, value) in [
        (tags::MANUFACTURER, manufacturer),
        (tags::MANUFACTURER_MODEL_NAME, model),
    ] {
        if let Some(value) = value {
            obj.put(DataElement::new(tag, VR::LO, PrimitiveValue::from(value)));
        }
    }
    let mut out = Vec::new();
    obj.write_all(&mut out).context("writing the clip")?;
    Ok(out)
}

fn open(file: &Path) -> Result<Clip> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    Clip::parse(&bytes).with_context(|| file.display().to_string())
}

/// Writes an RGBA frame as an 8-bit RGBA PNG.
pub fn write_png(frame: &RgbaFrame, out: &Path) -> Result<()> {
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), frame.width, frame.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&frame.rgba)?;
    writer.finish()?;
    Ok(())
}
