//! Frame extraction and decompression: one frame's samples out of native, JPEG and RLE pixel
//! data, checked against the image attributes so malformed files give errors, never panics.
//!
//! JPEG is decoded here and RLE in [`super::rle`] rather than through dicom-pixeldata's
//! adapters: those copy into buffers sized from the DICOM header without checking the
//! codestream (a mismatched JPEG or a short RLE fragment panics) and label RLE YBR_FULL
//! output as RGB.
use super::color;
use super::error::CineError;
use super::info::{ClipInfo, Photometric};
use super::j2k;
use super::rle;
use dicom_core::value::Value as DicomValue;
use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;
use std::borrow::Cow;

/// How a transfer syntax's pixel data is turned into samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    /// Native (uncompressed) samples, including deflated and big endian data sets.
    Native,
    /// JPEG baseline, extended and lossless (jpeg-decoder).
    Jpeg,
    /// RLE Lossless (PS3.5 Annex G).
    Rle,
    /// Anything else dicom-pixeldata can decode with the enabled codecs.
    Registry,
    /// An MPEG-4 AVC/H.264 elementary stream: decoded by the browser's video decoder.
    Video,
    /// Nothing here can decode it.
    Unsupported,
}

/// One frame's samples before display: interleaved, little endian when 16-bit; borrowed from
/// the pixel data where native samples can be read in place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Samples<'a> {
    pub data: Cow<'a, [u8]>,
    /// 8 or 16.
    pub bits_allocated: u16,
    /// 1 or 3.
    pub samples_per_pixel: u16,
    /// Planar configuration 1 (RRR…GGG…BBB…).
    pub planar: bool,
    /// What the samples are now (a JPEG decoder may have converted YCbCr to RGB).
    pub photometric: Photometric,
}

impl Samples<'_> {
    /// The same samples, owning their bytes.
    pub(crate) fn into_owned(self) -> Samples<'static> {
        Samples {
            data: Cow::Owned(self.data.into_owned()),
            ..self
        }
    }
}

/// The pixel data value bytes of the frame `n`, borrowed where possible.
fn frame_fragment<'a>(
    fragments: &'a [Vec<u8>],
    offset_table: &[u32],
    frames: u32,
    n: u32,
    jpeg: bool,
) -> Result<Cow<'a, [u8]>, CineError> {
    let missing = || CineError::truncated(format!("no compressed data for frame {n}"));
    if fragments.is_empty() {
        return Err(missing());
    }
    if frames == 1 {
        return Ok(match fragments {
            [only] => Cow::Borrowed(only.as_slice()),
            many => Cow::Owned(many.concat()),
        });
    }
    if fragments.len() == frames as usize {
        return fragments
            .get(n as usize)
            .map(|f| Cow::Borrowed(f.as_slice()))
            .ok_or_else(missing);
    }
    // More fragments than frames: the Basic Offset Table says where each frame starts
    // (offsets count each fragment's 8-byte item header).
    if offset_table.len() == frames as usize {
        let start = u64::from(*offset_table.get(n as usize).ok_or_else(missing)?);
        let end = offset_table
            .get(n as usize + 1)
            .map_or(u64::MAX, |e| u64::from(*e));
        let mut at = 0u64;
        let mut out = Vec::new();
        for f in fragments {
            if at >= start && at < end {
                out.extend_from_slice(f);
            }
            at += 8 + f.len() as u64;
        }
        return if out.is_empty() {
            Err(missing())
        } else {
            Ok(Cow::Owned(out))
        };
    }
    // No usable offset table: a JPEG frame begins with a fragment starting with SOI.
    if jpeg {
        let mut frame = None::<usize>;
        let mut out = Vec::new();
        for f in fragments {
            if f.starts_with(&[0xFF, 0xD8]) {
                frame = Some(frame.map_or(0, |i| i + 1));
            }
            if frame == Some(n as usize) {
                out.extend_from_slice(f);
            }
        }
        if !out.is_empty() {
            return Ok(Cow::Owned(out));
        }
    }
    Err(CineError::malformed(format!(
        "{} fragments for {frames} frames and no usable offset table",
        fragments.len()
    )))
}

/// Bytes of one native frame: `rows × columns × samples × bytes` (YBR_FULL_422 stores two
/// luma and one chroma pair per pixel pair).
pub(crate) fn native_frame_len(info: &ClipInfo) -> usize {
    let bytes = usize::from(info.bits_allocated / 8);
    let rows = info.rows as usize;
    let cols = info.columns as usize;
    if info.photometric_kind() == Photometric::YbrFull422 {
        rows * cols.div_ceil(2) * 4 * bytes
    } else {
        rows * cols * usize::from(info.samples_per_pixel) * bytes
    }
}

/// Expands native YBR_FULL_422 (Y Y Cb Cr per pixel pair, 8-bit) into interleaved YBR_FULL.
fn expand_ybr_422(data: &[u8], rows: usize, cols: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows * cols * 3);
    for row in data.chunks_exact(cols.div_ceil(2) * 4).take(rows) {
        for (pair, quad) in row.chunks_exact(4).enumerate() {
            let [y0, y1, cb, cr] = [quad[0], quad[1], quad[2], quad[3]];
            out.extend_from_slice(&[y0, cb, cr]);
            if pair * 2 + 1 < cols {
                out.extend_from_slice(&[y1, cb, cr]);
            }
        }
    }
    out
}

/// The samples of frame `n` of native pixel data `pixels` (every frame, little endian, as
/// stored), read in place; YBR_FULL_422 is expanded to YBR_FULL.
pub(crate) fn native_samples<'a>(
    pixels: &'a [u8],
    info: &ClipInfo,
    n: u32,
) -> Result<Samples<'a>, CineError> {
    let len = native_frame_len(info);
    let start = len
        .checked_mul(n as usize)
        .ok_or_else(|| CineError::malformed("frame offset overflows"))?;
    let frame = pixels
        .get(start..start.saturating_add(len))
        .ok_or_else(|| CineError::truncated(format!("pixel data ends before frame {n}")))?;
    let photometric = info.photometric_kind();
    let samples = Samples {
        data: Cow::Borrowed(frame),
        bits_allocated: info.bits_allocated,
        samples_per_pixel: info.samples_per_pixel,
        planar: info.planar_configuration == 1,
        photometric,
    };
    if samples.photometric != Photometric::YbrFull422 {
        return Ok(samples);
    }
    if info.bits_allocated != 8 {
        return Err(CineError::UnsupportedBits {
            bits_allocated: info.bits_allocated,
            samples_per_pixel: info.samples_per_pixel,
        });
    }
    let full = expand_ybr_422(frame, info.rows as usize, info.columns as usize);
    Ok(Samples {
        data: Cow::Owned(full),
        planar: false,
        photometric: Photometric::YbrFull,
        ..samples
    })
}

/// The samples of frame `n` (0-based; the caller has checked the range).
pub(crate) fn frame_samples<'a>(
    obj: &'a DefaultDicomObject,
    info: &ClipInfo,
    n: u32,
) -> Result<Samples<'a>, CineError> {
    let pixel = obj
        .element_opt(tags::PIXEL_DATA)
        .ok()
        .flatten()
        .ok_or(CineError::NoPixelData)?;
    let photometric = info.photometric_kind();
    let base = |data: Vec<u8>| Samples {
        data: Cow::Owned(data),
        bits_allocated: info.bits_allocated,
        samples_per_pixel: info.samples_per_pixel,
        planar: info.planar_configuration == 1,
        photometric: photometric.clone(),
    };
    match (info.codec(), pixel.value()) {
        // Values the parser kept as bytes are read in place; others are converted once here.
        (Codec::Native, DicomValue::Primitive(p)) => match p.to_bytes() {
            Cow::Borrowed(all) => native_samples(all, info, n),
            Cow::Owned(all) => native_samples(&all, info, n).map(Samples::into_owned),
        },
        (Codec::Native, DicomValue::PixelSequence(seq)) => {
            // Encapsulated Uncompressed: one fragment per frame.
            let frame = frame_fragment(seq.fragments(), seq.offset_table(), info.frames, n, false)?;
            let len = native_frame_len(info);
            let frame = frame
                .get(..len)
                .ok_or_else(|| CineError::truncated(format!("frame {n} is short")))?;
            Ok(base(frame.to_vec()))
        }
        (Codec::Jpeg, DicomValue::PixelSequence(seq)) => {
            let data = frame_fragment(seq.fragments(), seq.offset_table(), info.frames, n, true)?;
            decode_jpeg(&data, info, n)
        }
        (Codec::Rle, DicomValue::PixelSequence(seq)) => {
            let data = frame_fragment(seq.fragments(), seq.offset_table(), info.frames, n, false)?;
            Ok(Samples {
                planar: false,
                ..base(rle::decode_rle(&data, info, n)?)
            })
        }
        (Codec::Registry, DicomValue::PixelSequence(_)) => decode_with_registry(obj, info, n),
        (Codec::Unsupported, _) => Err(info.transfer_syntax.unsupported()),
        (Codec::Video, _) => Err(CineError::UnsupportedFeature {
            feature: format!(
                "{} outside the browser (its video decoder plays these clips)",
                info.transfer_syntax.name
            ),
        }),
        (_, DicomValue::Sequence(_)) => Err(CineError::malformed("Pixel Data is a sequence")),
        (_, DicomValue::Primitive(_)) => Err(CineError::malformed(
            "compressed transfer syntax but Pixel Data is not encapsulated",
        )),
    }
}

/// Frame `n` of an 8-bit colour RLE clip decoded straight into `rgba` as displayed, replacing
/// what it held: nothing lies between its samples and the display but YBR to RGB, so no
/// samples buffer is made. `Ok(false)` for any other clip, which goes through
/// [`frame_samples`] and the colour conversion.
pub(crate) fn rle_rgba_into(
    obj: &DefaultDicomObject,
    info: &ClipInfo,
    n: u32,
    rgba: &mut Vec<u8>,
) -> Result<bool, CineError> {
    let photometric = info.photometric_kind();
    let colour = matches!(
        photometric,
        Photometric::Rgb | Photometric::YbrFull | Photometric::YbrFull422
    );
    if info.codec() != Codec::Rle || info.bits_allocated != 8 || !colour {
        return Ok(false);
    }
    let pixel = obj
        .element_opt(tags::PIXEL_DATA)
        .ok()
        .flatten()
        .ok_or(CineError::NoPixelData)?;
    let DicomValue::PixelSequence(seq) = pixel.value() else {
        return Ok(false);
    };
    let data = frame_fragment(seq.fragments(), seq.offset_table(), info.frames, n, false)?;
    rle::decode_rle_rgba_into(&data, info, n, rgba)?;
    if photometric != Photometric::Rgb {
        color::ybr_to_rgb_in_place(rgba);
    }
    Ok(true)
}

/// The JPEG codestream of frame `n` when a browser's own decoder (`createImageBitmap`) shows
/// the same colours as this module: 8-bit lossy JPEG whose markers say YCbCr (or grey
/// MONOCHROME2 needing no window). `None` when the frame must go through [`frame_samples`].
pub(crate) fn browser_jpeg(
    obj: &DefaultDicomObject,
    info: &ClipInfo,
    n: u32,
) -> Result<Option<Vec<u8>>, CineError> {
    if info.codec() != Codec::Jpeg {
        return Ok(None);
    }
    let pixel = obj
        .element_opt(tags::PIXEL_DATA)
        .ok()
        .flatten()
        .ok_or(CineError::NoPixelData)?;
    let DicomValue::PixelSequence(seq) = pixel.value() else {
        return Ok(None);
    };
    let data = frame_fragment(seq.fragments(), seq.offset_table(), info.frames, n, true)?;
    let Some(h) = read_jpeg_header(&data).filter(|h| h.found_frame) else {
        return Ok(None);
    };
    let size_ok = u32::from(h.width) == info.columns && u32::from(h.height) == info.rows;
    let ids = h.component_ids.as_slice();
    let colour_ok = match ids.len() {
        3 => match h.adobe_transform {
            Some(t) => t == 1,
            None => {
                ids != [b'R', b'G', b'B']
                    && (h.jfif || ids == [1, 2, 3] || info.photometric_kind() != Photometric::Rgb)
            }
        },
        1 => info.photometric_kind() == Photometric::Monochrome2 && info.voi_window.is_none(),
        _ => false,
    };
    let ok = size_ok && colour_ok && !h.lossless && h.precision == 8;
    Ok(ok.then(|| data.into_owned()))
}

/// Decodes through dicom-pixeldata's registry (codecs enabled by features beyond those above).
fn decode_with_registry(
    obj: &DefaultDicomObject,
    info: &ClipInfo,
    n: u32,
) -> Result<Samples<'static>, CineError> {
    use dicom_encoding::adapters::PixelDataObject;
    use dicom_pixeldata::PixelDecoder;
    if info.transfer_syntax.is_jpeg2000() {
        // The same frame bytes and attributes the registry's adapter reads; when one is
        // missing the adapter refuses the frame itself.
        let declared = (obj.rows(), obj.cols(), obj.samples_per_pixel());
        if let (Some(data), (Some(rows), Some(columns), Some(samples))) =
            (obj.frame_pixel_data(n), declared)
        {
            j2k::check_fits(&data, rows.into(), columns.into(), samples, n)?;
        }
    }
    let decoded = obj
        .decode_pixel_data_frame(n)
        .map_err(|e| CineError::Decode {
            frame: n,
            reason: e.to_string(),
        })?;
    let expected = info.rows as usize
        * info.columns as usize
        * usize::from(decoded.samples_per_pixel())
        * usize::from(decoded.bits_allocated().div_ceil(8));
    let data = decoded.data();
    if data.len() < expected {
        return Err(CineError::truncated(format!("frame {n} is short")));
    }
    Ok(Samples {
        data: Cow::Owned(data.get(..expected).map(<[u8]>::to_vec).unwrap_or_default()),
        bits_allocated: decoded.bits_allocated(),
        samples_per_pixel: decoded.samples_per_pixel(),
        planar: false,
        photometric: match Photometric::parse(decoded.photometric_interpretation().as_ref()) {
            // JPEG 2000 decoders undo the component transform themselves.
            Photometric::Other(name) if matches!(name.as_str(), "YBR_RCT" | "YBR_ICT") => {
                Photometric::Rgb
            }
            other => other,
        },
    })
}

/// What a JPEG codestream's headers say, read without decoding it.
#[derive(Debug, Default)]
struct JpegHeader {
    jfif: bool,
    adobe_transform: Option<u8>,
    precision: u8,
    height: u16,
    width: u16,
    component_ids: Vec<u8>,
    lossless: bool,
    found_frame: bool,
}

fn read_jpeg_header(data: &[u8]) -> Option<JpegHeader> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut h = JpegHeader::default();
    let mut at = 2usize;
    loop {
        // Skip fill bytes before a marker.
        while data.get(at) == Some(&0xFF) && data.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if *data.get(at)? != 0xFF {
            return None;
        }
        let marker = *data.get(at + 1)?;
        if marker == 0xDA || marker == 0xD9 {
            return Some(h);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            at += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([*data.get(at + 2)?, *data.get(at + 3)?]));
        let payload = data.get(at + 4..at + 2 + len)?;
        match marker {
            0xE0 => h.jfif |= payload.starts_with(b"JFIF\0"),
            0xEE if payload.starts_with(b"Adobe") => h.adobe_transform = payload.get(11).copied(),
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => {
                h.found_frame = true;
                h.lossless = matches!(marker, 0xC3 | 0xC7 | 0xCB | 0xCF);
                h.precision = *payload.first()?;
                h.height = u16::from_be_bytes([*payload.get(1)?, *payload.get(2)?]);
                h.width = u16::from_be_bytes([*payload.get(3)?, *payload.get(4)?]);
                let count = usize::from(*payload.get(5)?);
                h.component_ids = (0..count)
                    .map(|i| payload.get(6 + 3 * i).copied())
                    .collect::<Option<Vec<u8>>>()?;
            }
            _ => {}
        }
        at += 2 + len;
    }
}

fn jpeg_error(e: jpeg_decoder::Error, frame: u32) -> CineError {
    match e {
        jpeg_decoder::Error::Unsupported(feature) => CineError::UnsupportedFeature {
            feature: format!("JPEG {feature:?}"),
        },
        jpeg_decoder::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            CineError::truncated(format!("JPEG data of frame {frame}"))
        }
        other => CineError::Decode {
            frame,
            reason: other.to_string(),
        },
    }
}

/// Decodes one JPEG frame (baseline, extended 8-bit, lossless) after checking its header
/// against the DICOM attributes.
fn decode_jpeg(data: &[u8], info: &ClipInfo, n: u32) -> Result<Samples<'static>, CineError> {
    let bad = |reason: String| CineError::Decode { frame: n, reason };
    let h = read_jpeg_header(data)
        .filter(|h| h.found_frame)
        .ok_or_else(|| bad("no JPEG frame header".into()))?;
    if u32::from(h.width) != info.columns || u32::from(h.height) != info.rows {
        return Err(bad(format!(
            "JPEG is {}×{} but the DICOM header says {}×{}",
            h.width, h.height, info.columns, info.rows
        )));
    }
    let components = h.component_ids.len();
    if components != usize::from(info.samples_per_pixel) || !matches!(components, 1 | 3) {
        return Err(bad(format!(
            "JPEG has {components} components but Samples per Pixel is {}",
            info.samples_per_pixel
        )));
    }
    if !(2..=16).contains(&h.precision) {
        return Err(bad(format!("JPEG precision {} bits", h.precision)));
    }
    let photometric = info.photometric_kind();
    let mut decoder = jpeg_decoder::Decoder::new(data);
    let wide = h.precision > 8;
    let out_len = info.rows as usize * info.columns as usize * components * (1 + usize::from(wide));
    decoder.set_max_decoding_buffer_size(out_len.saturating_mul(2).max(1 << 16));
    // Lossy 3-component JPEG: the codestream's markers say whether it is YCbCr; when they say
    // nothing, the DICOM Photometric Interpretation decides (RGB means no transform).
    let converts_to_rgb = components == 3 && !h.lossless;
    if converts_to_rgb {
        use jpeg_decoder::ColorTransform;
        let ids = h.component_ids.as_slice();
        let transform = match h.adobe_transform {
            Some(0) => ColorTransform::RGB,
            Some(_) => ColorTransform::YCbCr,
            None if ids == [b'R', b'G', b'B'] => ColorTransform::RGB,
            None if h.jfif || ids == [1, 2, 3] => ColorTransform::YCbCr,
            None if photometric == Photometric::Rgb => ColorTransform::RGB,
            None => ColorTransform::YCbCr,
        };
        decoder.set_color_transform(transform);
    }
    let pixels = decoder.decode().map_err(|e| jpeg_error(e, n))?;
    if pixels.len() != out_len {
        return Err(bad(format!(
            "JPEG decoded to {} bytes, expected {out_len}",
            pixels.len()
        )));
    }
    Ok(Samples {
        data: Cow::Owned(pixels),
        bits_allocated: if wide { 16 } else { 8 },
        samples_per_pixel: info.samples_per_pixel,
        planar: false,
        photometric: if converts_to_rgb {
            Photometric::Rgb
        } else {
            photometric
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ybr_422_pairs_share_chroma() {
        let data = [10, 20, 100, 200, 30, 40, 110, 210];
        let full = expand_ybr_422(&data, 1, 4);
        assert_eq!(
            full,
            [10, 100, 200, 20, 100, 200, 30, 110, 210, 40, 110, 210]
        );
    }

    #[test]
    fn jpeg_header_reader_refuses_garbage() {
        assert!(read_jpeg_header(b"not a jpeg").is_none());
        assert!(read_jpeg_header(&[0xFF, 0xD8, 0xFF, 0xC0, 0x00]).is_none());
    }
}
