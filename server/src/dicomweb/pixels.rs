//! Where a stored instance's frames are: the image attributes frames are cut by, the media type
//! of each transfer syntax on the web (PS3.18 Table 8.7.3-5), and each frame's byte ranges in
//! the file (a native frame's slice of Pixel Data, or an encapsulated frame's fragments, found
//! through the Basic Offset Table or one fragment per frame), so a frame is read from the blob
//! store alone and byte for byte.
use anyhow::{Context, anyhow, bail};
use axum::body::Bytes;
use dicom_core::Tag;
use dicom_dictionary_std::{tags, uids};
use dicom_object::file::ReadPreamble;
use dicom_object::meta::FileMetaTable;
use dicom_object::{InMemDicomObject, OpenFileOptions};
use dicom_parser::StatefulDecode;
use dicom_parser::dataset::LazyDataToken;
use dicom_parser::dataset::lazy_read::LazyDataSetReader;
use dicom_transfer_syntax_registry::{TransferSyntaxIndex, TransferSyntaxRegistry};
use std::io::Cursor;
use std::ops::Range;

/// Explicit VR Big Endian: retired from the standard, still found in old files.
const EXPLICIT_VR_BIG_ENDIAN: &str = "1.2.840.10008.1.2.2";

/// How frames of one transfer syntax travel on the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct WebEncoding {
    /// The media type of a frame as stored, e.g. `image/jpeg`.
    pub media_type: &'static str,
    /// Other names clients use for it (`image/x-dicom-rle`, `image/jpx` for JPEG 2000).
    pub aliases: &'static [&'static str],
    /// Lossy compression: the stored frame is the best there is, so it is the default answer.
    pub lossy: bool,
    /// Uncompressed pixel data, served as Explicit VR Little Endian.
    pub native: bool,
    /// A video stream (MPEG-2, MPEG-4, HEVC): frames cannot be cut out of it.
    pub video: bool,
}

/// The web encoding of frames stored in `syntax`.
pub(super) fn web_encoding(syntax: &str) -> WebEncoding {
    let of = |media_type, aliases, lossy| WebEncoding {
        media_type,
        aliases,
        lossy,
        native: false,
        video: false,
    };
    match syntax {
        uids::IMPLICIT_VR_LITTLE_ENDIAN
        | uids::EXPLICIT_VR_LITTLE_ENDIAN
        | uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN
        | EXPLICIT_VR_BIG_ENDIAN => WebEncoding {
            native: true,
            ..of("application/octet-stream", &[], false)
        },
        uids::JPEG_BASELINE8_BIT | uids::JPEG_EXTENDED12_BIT => of("image/jpeg", &[], true),
        uids::JPEG_LOSSLESS | uids::JPEG_LOSSLESS_SV1 => of("image/jpeg", &[], false),
        uids::JPEGLS_LOSSLESS => of("image/jls", &["image/x-jls"], false),
        uids::JPEGLS_NEAR_LOSSLESS => of("image/jls", &["image/x-jls"], true),
        uids::JPEG2000_LOSSLESS => of("image/jp2", &["image/jpx"], false),
        uids::JPEG2000 => of("image/jp2", &["image/jpx"], true),
        uids::JPEG2000MC_LOSSLESS => of("image/jpx", &[], false),
        uids::JPEG2000MC => of("image/jpx", &[], true),
        uids::HTJ2K_LOSSLESS | uids::HTJ2K_LOSSLESS_RPCL => of("image/jphc", &[], false),
        uids::HTJ2K => of("image/jphc", &[], true),
        uids::RLE_LOSSLESS => of("image/dicom-rle", &["image/x-dicom-rle"], false),
        s if s.starts_with("1.2.840.10008.1.2.4.10") => WebEncoding {
            video: true,
            ..of("video/mp4", &[], true)
        },
        // Encapsulated uncompressed and anything newer: bytes, named by their syntax.
        _ => of("application/octet-stream", &[], false),
    }
}

/// The image attributes frames are cut and decoded by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ImageShape {
    pub rows: u32,
    pub columns: u32,
    pub frames: u32,
    pub bits_allocated: u16,
    pub samples_per_pixel: u16,
    pub photometric: String,
}

fn int<T: TryFrom<i64>>(obj: &InMemDicomObject, tag: Tag) -> Option<T> {
    let value = obj.element_opt(tag).ok().flatten()?.to_int::<i64>().ok()?;
    T::try_from(value).ok()
}

impl ImageShape {
    /// The shape of an image data set; `None` when it has no Rows and Columns (not an image).
    pub fn read(obj: &InMemDicomObject) -> Option<ImageShape> {
        let rows: u32 = int(obj, tags::ROWS).filter(|r| *r > 0)?;
        let columns: u32 = int(obj, tags::COLUMNS).filter(|c| *c > 0)?;
        let photometric = obj
            .element_opt(tags::PHOTOMETRIC_INTERPRETATION)
            .ok()
            .flatten()
            .and_then(|e| e.to_str().ok())
            .map(|s| s.trim().to_ascii_uppercase())
            .unwrap_or_default();
        Some(ImageShape {
            rows,
            columns,
            frames: int(obj, tags::NUMBER_OF_FRAMES)
                .filter(|f| *f > 0)
                .unwrap_or(1),
            bits_allocated: int(obj, tags::BITS_ALLOCATED).unwrap_or(8),
            samples_per_pixel: int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1),
            photometric,
        })
    }

    /// Bytes of one uncompressed frame (YBR_FULL_422 keeps two luma samples and one chroma
    /// pair per pixel pair).
    pub fn native_frame_len(&self) -> anyhow::Result<u64> {
        let (rows, columns) = (u64::from(self.rows), u64::from(self.columns));
        let samples = u64::from(self.samples_per_pixel);
        let bits = if self.photometric == "YBR_FULL_422" {
            rows * columns.div_ceil(2) * 4 * u64::from(self.bits_allocated)
        } else {
            rows * columns * samples * u64::from(self.bits_allocated)
        };
        if bits == 0 || bits % 8 != 0 {
            bail!(
                "frames of {} bits allocated are not whole bytes",
                self.bits_allocated
            );
        }
        Ok(bits / 8)
    }

    /// Whether a decoded frame as displayed is this image's own samples as interleaved 8-bit
    /// RGB: 8-bit colour other than a palette. Decoded monochrome is windowed for display and
    /// a palette is looked up, so those are not the stored values.
    pub fn decodes_to_rgb(&self) -> bool {
        self.samples_per_pixel == 3
            && self.bits_allocated == 8
            && matches!(
                self.photometric.as_str(),
                "RGB" | "YBR_FULL" | "YBR_FULL_422" | "YBR_RCT" | "YBR_ICT"
            )
    }
}

/// Where a stored instance's frames are.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FrameLayout {
    /// The stored transfer syntax.
    pub syntax: String,
    pub shape: ImageShape,
    pub frames: FrameBytes,
}

/// How to read the bytes of each frame.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum FrameBytes {
    /// The byte ranges of each frame in the file: one for native data, the frame's fragments
    /// for encapsulated data.
    InFile(Vec<Vec<Range<u64>>>),
    /// Native pixel data in a deflated or big endian data set: read by parsing the file.
    ByParsing,
}

impl super::cache::Weighed for std::sync::Arc<FrameLayout> {
    /// Roughly what the layout holds in memory, for the cache's budget.
    fn weight(&self) -> usize {
        match &self.frames {
            FrameBytes::InFile(frames) => {
                256 + frames
                    .iter()
                    .map(|f| 24 + f.len() * std::mem::size_of::<Range<u64>>())
                    .sum::<usize>()
            }
            FrameBytes::ByParsing => 256,
        }
    }
}

/// Where the `DICM` magic starts: after a 128-byte preamble, or at 0 without one.
fn magic_offset(bytes: &[u8]) -> anyhow::Result<usize> {
    if bytes.get(128..132) == Some(b"DICM") {
        Ok(128)
    } else if bytes.starts_with(b"DICM") {
        Ok(0)
    } else {
        bail!("not a DICOM file")
    }
}

/// The data set of a stored file up to (not including) its pixel data.
pub(super) fn header(
    bytes: &[u8],
) -> anyhow::Result<dicom_object::FileDicomObject<InMemDicomObject>> {
    let start = magic_offset(bytes)?;
    OpenFileOptions::new()
        .read_preamble(ReadPreamble::Never)
        .read_until(tags::PIXEL_DATA)
        .from_reader(&bytes[start..])
        .context("reading a stored instance")
}

/// Where the frames of the stored file `bytes` are; `None` when it holds no image.
pub(super) fn locate(bytes: &[u8]) -> anyhow::Result<Option<FrameLayout>> {
    let header = header(bytes)?;
    let Some(shape) = ImageShape::read(&header) else {
        return Ok(None);
    };
    let syntax = header.meta().transfer_syntax().to_string();
    let ts = TransferSyntaxRegistry
        .get(&syntax)
        .ok_or_else(|| anyhow!("unknown transfer syntax {syntax}"))?;
    if syntax == uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN || syntax == EXPLICIT_VR_BIG_ENDIAN {
        return Ok(Some(FrameLayout {
            syntax,
            shape,
            frames: FrameBytes::ByParsing,
        }));
    }
    let pixels = pixel_data(bytes, ts)?;
    let within = |r: &Range<u64>| r.end <= bytes.len() as u64;
    let complete = match &pixels {
        None => true,
        Some(PixelData::Native(value)) => within(value),
        Some(PixelData::Encapsulated(items)) => items.iter().all(within),
    };
    if !complete {
        bail!("the file ends inside its pixel data");
    }
    let frames = match pixels {
        None => return Ok(None),
        Some(PixelData::Native(value)) => native_frames(&value, &shape)?,
        Some(PixelData::Encapsulated(items)) => encapsulated_frames(bytes, &items, &shape)?,
    };
    Ok(Some(FrameLayout {
        syntax,
        shape,
        frames: FrameBytes::InFile(frames),
    }))
}

/// Each encapsulated frame's fragments, from the items of the Pixel Data (the Basic Offset
/// Table first).
fn encapsulated_frames(
    bytes: &[u8],
    items: &[Range<u64>],
    shape: &ImageShape,
) -> anyhow::Result<Vec<Vec<Range<u64>>>> {
    let (table, fragments) = items
        .split_first()
        .ok_or_else(|| anyhow!("encapsulated pixel data without items"))?;
    let offsets = offset_table(&bytes[to_usize(table)?])?;
    // A JPEG (SOI) or JPEG 2000 (SOC) codestream begins in fragment `i`.
    let codestream = |i: usize| {
        fragments.get(i).is_some_and(|r| {
            let head = to_usize(&(r.start..r.end.min(r.start + 2))).ok();
            head.and_then(|h| bytes.get(h))
                .is_some_and(|b| b == [0xFF, 0xD8] || b == [0xFF, 0x4F])
        })
    };
    frames_of_fragments(fragments, &offsets, shape.frames as usize, codestream)
        .map_err(|why| anyhow!("{why}"))
}

fn to_usize(range: &Range<u64>) -> anyhow::Result<Range<usize>> {
    Ok(usize::try_from(range.start)?..usize::try_from(range.end)?)
}

/// The top-level Pixel Data of a file: a native value, or the items of an encapsulated one
/// (the Basic Offset Table first), as byte ranges in the file.
#[derive(Debug, PartialEq)]
enum PixelData {
    Native(Range<u64>),
    Encapsulated(Vec<Range<u64>>),
}

/// Finds the top-level Pixel Data by walking the data set without reading values (an icon's
/// pixel data inside a sequence is not it).
fn pixel_data(
    bytes: &[u8],
    ts: &dicom_transfer_syntax_registry::TransferSyntax,
) -> anyhow::Result<Option<PixelData>> {
    let mut cursor = Cursor::new(bytes);
    cursor.set_position(magic_offset(bytes)? as u64);
    FileMetaTable::from_reader(&mut cursor).context("reading the file meta group")?;
    let mut reader = LazyDataSetReader::new_with_ts(cursor, ts).context("reading the data set")?;
    let mut depth = 0usize;
    let mut items: Option<Vec<Range<u64>>> = None;
    while let Some(token) = reader.advance() {
        let token = token.context("walking the data set")?;
        match token {
            LazyDataToken::SequenceStart { .. } => depth += 1,
            LazyDataToken::PixelSequenceStart => {
                if depth == 0 {
                    items = Some(Vec::new());
                }
                depth += 1;
            }
            LazyDataToken::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 0 && items.is_some() {
                    return Ok(items.map(PixelData::Encapsulated));
                }
            }
            LazyDataToken::ItemStart { .. } => {
                if let (Some(items), 1) = (items.as_mut(), depth) {
                    // Empty items have no value token: they stay an empty range.
                    items.push(0..0);
                }
            }
            LazyDataToken::LazyItemValue { len, decoder } => {
                let at = decoder.position();
                if let (Some(last), 1) = (items.as_mut().and_then(|i| i.last_mut()), depth) {
                    *last = at..at + u64::from(len);
                }
                let token = LazyDataToken::LazyItemValue { len, decoder };
                token.skip().context("skipping a fragment")?;
            }
            LazyDataToken::LazyValue { header, decoder } => {
                let at = decoder.position();
                if depth == 0 && header.tag == tags::PIXEL_DATA {
                    let len = header
                        .len
                        .get()
                        .ok_or_else(|| anyhow!("native Pixel Data of undefined length"))?;
                    return Ok(Some(PixelData::Native(at..at + u64::from(len))));
                }
                LazyDataToken::LazyValue { header, decoder }
                    .skip()
                    .context("skipping a value")?;
            }
            _ => {}
        }
    }
    Ok(None)
}

/// The Basic Offset Table's entries (empty when the table is).
fn offset_table(table: &[u8]) -> anyhow::Result<Vec<u32>> {
    if !table.len().is_multiple_of(4) {
        bail!("Basic Offset Table of {} bytes", table.len());
    }
    Ok(table
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// Each native frame's slice of the Pixel Data value at `value`.
fn native_frames(value: &Range<u64>, shape: &ImageShape) -> anyhow::Result<Vec<Vec<Range<u64>>>> {
    let len = shape.native_frame_len()?;
    let frames = u64::from(shape.frames);
    if value.end - value.start < len * frames {
        bail!(
            "Pixel Data holds {} bytes, fewer than {frames} frames of {len}",
            value.end - value.start
        );
    }
    Ok((0..frames)
        .map(|n| {
            let start = value.start + n * len;
            std::iter::once(start..start + len).collect()
        })
        .collect())
}

/// The fragments (value byte ranges) that make each of `frames` frames: all of them for a
/// single frame; by the Basic Offset Table when it has an entry per frame; one per frame when
/// there are as many; else split where a JPEG or JPEG 2000 codestream begins
/// (`codestream(i)`), as long as that gives exactly `frames` frames.
pub(super) fn frames_of_fragments(
    fragments: &[Range<u64>],
    offset_table: &[u32],
    frames: usize,
    codestream: impl Fn(usize) -> bool,
) -> Result<Vec<Vec<Range<u64>>>, String> {
    let Some(first) = fragments.first() else {
        return Err("encapsulated pixel data has no fragments".into());
    };
    if frames == 1 {
        return Ok(vec![fragments.to_vec()]);
    }
    if offset_table.len() == frames {
        // Offsets count from the first fragment's item header, headers included; value
        // starts are the same distance apart.
        let offsets: Vec<u64> = fragments.iter().map(|f| f.start - first.start).collect();
        let table: Vec<u64> = offset_table.iter().map(|o| u64::from(*o)).collect();
        let aligned = table.windows(2).all(|w| w[0] < w[1])
            && table.iter().all(|t| offsets.contains(t))
            && table.first() == Some(&0);
        if !aligned {
            return Err("the Basic Offset Table does not point at fragments".into());
        }
        return Ok(table
            .iter()
            .enumerate()
            .map(|(k, start)| {
                let end = table.get(k + 1).copied().unwrap_or(u64::MAX);
                fragments
                    .iter()
                    .zip(&offsets)
                    .filter(|(_, at)| (*start..end).contains(*at))
                    .map(|(f, _)| f.clone())
                    .collect()
            })
            .collect());
    }
    if fragments.len() == frames {
        return Ok(fragments.iter().map(|f| vec![f.clone()]).collect());
    }
    let mut split: Vec<Vec<Range<u64>>> = Vec::new();
    for (i, fragment) in fragments.iter().enumerate() {
        match split.last_mut() {
            Some(frame) if !codestream(i) => frame.push(fragment.clone()),
            _ => split.push(vec![fragment.clone()]),
        }
    }
    if split.len() == frames && codestream(0) {
        return Ok(split);
    }
    Err(format!(
        "{} fragments for {frames} frames and no usable Basic Offset Table",
        fragments.len()
    ))
}

/// Native frames `wanted` (0-based) of a deflated or big endian file, as little endian bytes.
pub(super) fn parse_native_frames(
    bytes: &[u8],
    shape: &ImageShape,
    wanted: &[usize],
) -> anyhow::Result<Vec<Bytes>> {
    let start = magic_offset(bytes)?;
    let obj = OpenFileOptions::new()
        .read_preamble(ReadPreamble::Never)
        .from_reader(&bytes[start..])
        .context("reading a stored instance")?;
    let pixels = obj
        .element(tags::PIXEL_DATA)
        .context("no Pixel Data")?
        .to_bytes()
        .context("Pixel Data is not a native value")?;
    let len = usize::try_from(shape.native_frame_len()?)?;
    wanted
        .iter()
        .map(|n| {
            let at = n * len;
            pixels
                .get(at..at + len)
                .map(Bytes::copy_from_slice)
                .ok_or_else(|| anyhow!("Pixel Data ends before frame {}", n + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fragments with these value lengths, laid out as items (8-byte headers) from `at`.
    fn fragments(at: u64, lens: &[u64]) -> Vec<Range<u64>> {
        let mut out = Vec::new();
        let mut item = at;
        for len in lens {
            out.push(item + 8..item + 8 + len);
            item += 8 + len;
        }
        out
    }

    #[test]
    fn the_offset_table_groups_fragments_into_frames() {
        let f = fragments(1000, &[100, 50, 200, 10]);
        // Frame 1: fragments 0 and 1; frame 2: fragments 2 and 3.
        let table = [0, 108 + 58];
        let frames = frames_of_fragments(&f, &table, 2, |_| false).unwrap();
        assert_eq!(
            frames,
            vec![
                vec![f[0].clone(), f[1].clone()],
                vec![f[2].clone(), f[3].clone()]
            ]
        );
        let table = [0, 100];
        assert!(
            frames_of_fragments(&f, &table, 2, |_| false).is_err(),
            "an offset inside a fragment"
        );
        assert!(frames_of_fragments(&f, &[0, 0], 2, |_| false).is_err());
    }

    #[test]
    fn without_an_offset_table_each_fragment_is_a_frame() {
        let f = fragments(0, &[10, 20, 30]);
        let frames = frames_of_fragments(&f, &[], 3, |_| false).unwrap();
        assert_eq!(
            frames,
            f.iter().map(|r| vec![r.clone()]).collect::<Vec<_>>()
        );
        assert_eq!(
            frames_of_fragments(&f, &[], 1, |_| false).unwrap(),
            vec![f.clone()],
            "a single frame takes every fragment"
        );
    }

    #[test]
    fn without_a_table_codestream_starts_split_the_frames() {
        let f = fragments(0, &[10, 20, 30, 40, 50]);
        let starts = [true, false, true, false, false];
        let frames = frames_of_fragments(&f, &[], 2, |i| starts[i]).unwrap();
        assert_eq!(frames[0], f[..2]);
        assert_eq!(frames[1], f[2..]);
        assert!(
            frames_of_fragments(&f, &[], 3, |i| starts[i]).is_err(),
            "two codestreams are not three frames"
        );
        assert!(frames_of_fragments(&[], &[], 1, |_| true).is_err());
    }

    #[test]
    fn native_frames_are_consecutive_slices() {
        let shape = ImageShape {
            rows: 2,
            columns: 3,
            frames: 2,
            bits_allocated: 8,
            samples_per_pixel: 3,
            photometric: "RGB".into(),
        };
        assert_eq!(
            native_frames(&(100..136), &shape).unwrap(),
            vec![vec![100..118], vec![118..136]]
        );
        assert!(native_frames(&(100..130), &shape).is_err());
        let ybr = ImageShape {
            photometric: "YBR_FULL_422".into(),
            ..shape.clone()
        };
        assert_eq!(ybr.native_frame_len().unwrap(), 2 * 2 * 4);
        assert!(shape.decodes_to_rgb());
        let grey = ImageShape {
            samples_per_pixel: 1,
            photometric: "MONOCHROME2".into(),
            ..shape
        };
        assert!(!grey.decodes_to_rgb());
    }

    /// The stored fragments of a clip as dicom-object reads them, for comparison.
    fn fragments_of(bytes: &[u8]) -> (Vec<Vec<u8>>, Vec<u32>) {
        let clip = cine::Clip::parse(bytes).unwrap();
        match clip.object().element(tags::PIXEL_DATA).unwrap().value() {
            dicom_core::value::Value::PixelSequence(seq) => {
                (seq.fragments().to_vec(), seq.offset_table().to_vec())
            }
            _ => panic!("encapsulated pixel data expected"),
        }
    }

    fn clip(syntax: cine::synth::SynthSyntax) -> Vec<u8> {
        cine::synth::synth_clip(&cine::synth::SynthOptions {
            width: 64,
            height: 48,
            frames: 5,
            syntax,
            ..Default::default()
        })
        .unwrap()
    }

    fn frame_bytes(bytes: &[u8], ranges: &[Range<u64>]) -> Vec<u8> {
        ranges
            .iter()
            .flat_map(|r| bytes[r.start as usize..r.end as usize].to_vec())
            .collect()
    }

    #[test]
    fn stored_clips_are_located_frame_by_frame() {
        use cine::synth::SynthSyntax;
        for syntax in [SynthSyntax::Jpeg, SynthSyntax::Rle] {
            let bytes = clip(syntax);
            let layout = locate(&bytes).unwrap().expect("an image");
            assert_eq!(layout.shape.frames, 5);
            let FrameBytes::InFile(frames) = &layout.frames else {
                panic!("in the file")
            };
            let (fragments, _) = fragments_of(&bytes);
            assert_eq!(fragments.len(), 5, "{syntax:?}: one fragment a frame");
            for (n, ranges) in frames.iter().enumerate() {
                assert_eq!(frame_bytes(&bytes, ranges), fragments[n], "{syntax:?} {n}");
            }
        }
        let bytes = clip(SynthSyntax::Rgb);
        let layout = locate(&bytes).unwrap().unwrap();
        let FrameBytes::InFile(frames) = &layout.frames else {
            panic!("in the file")
        };
        let clip = cine::Clip::parse(&bytes).unwrap();
        let pixels = clip
            .object()
            .element(tags::PIXEL_DATA)
            .unwrap()
            .to_bytes()
            .unwrap();
        let len = 64 * 48 * 3;
        assert_eq!(frame_bytes(&bytes, &frames[4]), pixels[4 * len..5 * len]);
    }

    #[test]
    fn deflated_and_big_endian_files_are_read_by_parsing() {
        let bytes = clip(cine::synth::SynthSyntax::Rgb);
        let native = cine::Clip::parse(&bytes).unwrap();
        let pixels = native
            .object()
            .element(tags::PIXEL_DATA)
            .unwrap()
            .to_bytes()
            .unwrap()
            .to_vec();
        for syntax in [
            uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
            EXPLICIT_VR_BIG_ENDIAN,
        ] {
            let mut obj = cine::Clip::parse(&bytes).unwrap().into_object();
            obj.meta_mut().transfer_syntax = syntax.to_string();
            let mut rewritten = Vec::new();
            obj.write_all(&mut rewritten).unwrap();
            let layout = locate(&rewritten).unwrap().unwrap();
            assert_eq!(layout.frames, FrameBytes::ByParsing, "{syntax}");
            let frames = parse_native_frames(&rewritten, &layout.shape, &[4, 0]).unwrap();
            let len = 64 * 48 * 3;
            assert_eq!(frames[0], pixels[4 * len..5 * len], "{syntax}");
            assert_eq!(frames[1], pixels[..len], "{syntax}");
            assert!(parse_native_frames(&rewritten, &layout.shape, &[5]).is_err());
        }
    }

    #[test]
    fn a_cut_file_is_an_error_never_a_panic() {
        let bytes = clip(cine::synth::SynthSyntax::Jpeg);
        for end in (0..bytes.len() - 1).step_by(97) {
            assert!(locate(&bytes[..end]).is_err(), "cut at {end}");
        }
        assert!(locate(&bytes).is_ok());
    }

    #[test]
    fn syntaxes_have_their_web_media_types() {
        assert_eq!(
            web_encoding(uids::JPEG_BASELINE8_BIT).media_type,
            "image/jpeg"
        );
        assert!(web_encoding(uids::JPEG_BASELINE8_BIT).lossy);
        assert!(!web_encoding(uids::JPEG_LOSSLESS_SV1).lossy);
        assert_eq!(
            web_encoding(uids::RLE_LOSSLESS).aliases,
            ["image/x-dicom-rle"]
        );
        assert!(web_encoding(EXPLICIT_VR_BIG_ENDIAN).native);
        assert!(web_encoding(uids::MPEG4HP41).video);
        assert_eq!(
            web_encoding(uids::ENCAPSULATED_UNCOMPRESSED_EXPLICIT_VR_LITTLE_ENDIAN).media_type,
            "application/octet-stream"
        );
    }
}
