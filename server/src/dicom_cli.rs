//! `sonohub dicom …`: describe a clip, export a frame as displayed, synthesise clips; the same
//! decoding core the browser viewer runs.
use anyhow::{Context, Result};
use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
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
    /// Write a synthetic ultrasound clip with known calibration (0.01 cm per pixel).
    Synth {
        /// The DICOM file to write.
        #[arg(long)]
        out: PathBuf,
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
            frames,
            width,
            height,
            syntax,
            fps,
            seed,
        } => {
            let bytes = synth_clip(&SynthOptions {
                width,
                height,
                frames,
                syntax: syntax.into(),
                fps,
                seed,
            })?;
            std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
        }
    }
    Ok(())
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
