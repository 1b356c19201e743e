//! What a JPEG 2000 frame's main header promises, read before the frame is decoded.
//!
//! dicom-pixeldata's JPEG 2000 adapter copies every decoded sample into a buffer sized from the
//! data set (Rows × Columns × Samples per Pixel) without checking that the codestream agrees, and
//! indexes past its end when it does not: a panic, which in the browser's wasm (panic = abort)
//! stops the page. So the image size (SIZ) segment is read first and a frame whose components
//! would not fit is refused with an error. The sizes are those the decoder computes from SIZ
//! (ITU-T T.800 B.2): `ceil(Xsiz / XRsiz) − ceil(XOsiz / XRsiz)` columns per component, rows
//! likewise.

use crate::CineError;

/// The JP2 file format's signature box (T.800 I.5.1), which some writers put around the
/// codestream although DICOM asks for the bare codestream (PS3.5 8.2.4).
const JP2_SIGNATURE: [u8; 12] = [0, 0, 0, 12, b'j', b'P', b' ', b' ', 0x0D, 0x0A, 0x87, 0x0A];
/// Start of codestream then image and tile size: how every JPEG 2000 codestream begins.
const SOC_SIZ: [u8; 4] = [0xFF, 0x4F, 0xFF, 0x51];

/// Refuses JPEG 2000 frame `n` unless each of its components fits within a frame of `rows` ×
/// `columns` samples and it has no more components than `samples_per_pixel`.
pub(crate) fn check_fits(
    data: &[u8],
    rows: u32,
    columns: u32,
    samples_per_pixel: u16,
    n: u32,
) -> Result<(), CineError> {
    let refuse = |reason: String| CineError::Decode { frame: n, reason };
    let components = component_sizes(codestream(data, n)?)
        .ok_or_else(|| refuse("its JPEG 2000 image size (SIZ) segment is malformed".into()))?;
    if components.len() > usize::from(samples_per_pixel) {
        return Err(refuse(format!(
            "its JPEG 2000 codestream has {} components, the data set {samples_per_pixel} samples per pixel",
            components.len()
        )));
    }
    let (rows, columns) = (u64::from(rows), u64::from(columns));
    if let Some((w, h)) = components.iter().find(|(w, h)| *w > columns || *h > rows) {
        return Err(refuse(format!(
            "its JPEG 2000 codestream is {w} × {h} samples, larger than the {columns} × {rows} the data set declares"
        )));
    }
    Ok(())
}

/// The codestream inside `data`: all of it, or the contents of a JP2 file's `jp2c` box.
fn codestream(data: &[u8], n: u32) -> Result<&[u8], CineError> {
    if data.starts_with(&SOC_SIZ) {
        return Ok(data);
    }
    let not_j2k = || CineError::Decode {
        frame: n,
        reason: "it is not a JPEG 2000 codestream".into(),
    };
    if !data.starts_with(&JP2_SIGNATURE) {
        return Err(not_j2k());
    }
    let mut rest = data;
    while let Some((kind, contents, next)) = next_box(rest) {
        match &kind {
            b"jp2c" => return Ok(contents),
            // A palette turns one component into several after decoding: not what the data
            // set's Samples per Pixel can describe.
            b"jp2h" if boxes(contents).any(|(kind, _)| &kind == b"pclr") => {
                return Err(CineError::UnsupportedFeature {
                    feature: "a JPEG 2000 palette (JP2 pclr box) in a DICOM frame".into(),
                });
            }
            _ => {}
        }
        rest = next;
    }
    Err(not_j2k())
}

/// The boxes in `data`, in order, as (type, contents), stopping at the first malformed one.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        let (kind, contents, next) = next_box(data)?;
        data = next;
        Some((kind, contents))
    })
}

/// The first box of `data` (T.800 I.4): its type, its contents and what follows it.
fn next_box(data: &[u8]) -> Option<([u8; 4], &[u8], &[u8])> {
    let length = u32::from_be_bytes(data.get(..4)?.try_into().ok()?);
    let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
    let (header, total) = match length {
        0 => (8, data.len()),
        1 => {
            let long = u64::from_be_bytes(data.get(8..16)?.try_into().ok()?);
            (16, usize::try_from(long).ok()?)
        }
        length => (8, usize::try_from(length).ok()?),
    };
    if total < header {
        return None;
    }
    let contents = data.get(header..total)?;
    Some((kind, contents, &data[total..]))
}

/// Each component's decoded size (columns, rows) as the SIZ segment at the start of
/// `codestream` gives it; `None` when the segment is short or inconsistent.
fn component_sizes(codestream: &[u8]) -> Option<Vec<(u64, u64)>> {
    let siz = codestream.strip_prefix(&SOC_SIZ)?;
    let u16_at = |at: usize| Some(u16::from_be_bytes(siz.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| {
        Some(u64::from(u32::from_be_bytes(
            siz.get(at..at + 4)?.try_into().ok()?,
        )))
    };
    // Lsiz, Rsiz, then Xsiz, Ysiz, XOsiz, YOsiz (the tile fields that follow do not change
    // the image's size), then Csiz and three bytes per component.
    let length = usize::from(u16_at(0)?);
    let (x1, y1, x0, y0) = (u32_at(4)?, u32_at(8)?, u32_at(12)?, u32_at(16)?);
    let count = usize::from(u16_at(36)?);
    if count == 0 || length != 38 + 3 * count || x0 >= x1 || y0 >= y1 {
        return None;
    }
    (0..count)
        .map(|c| {
            let at = 38 + 3 * c;
            let (dx, dy) = (u64::from(*siz.get(at + 1)?), u64::from(*siz.get(at + 2)?));
            if dx == 0 || dy == 0 {
                return None;
            }
            Some((
                x1.div_ceil(dx) - x0.div_ceil(dx),
                y1.div_ceil(dy) - y0.div_ceil(dy),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOC and a SIZ segment for an image `x1` × `y1` from (`x0`, `y0`), one tile, with
    /// components subsampled by the given (XRsiz, YRsiz).
    fn header(x1: u32, y1: u32, x0: u32, y0: u32, components: &[(u8, u8)]) -> Vec<u8> {
        let mut out = SOC_SIZ.to_vec();
        let count = u16::try_from(components.len()).expect("a few components");
        out.extend_from_slice(&(38 + 3 * count).to_be_bytes());
        out.extend_from_slice(&0u16.to_be_bytes());
        for value in [x1, y1, x0, y0, x1, y1, 0, 0] {
            out.extend_from_slice(&value.to_be_bytes());
        }
        out.extend_from_slice(&count.to_be_bytes());
        for (dx, dy) in components {
            out.extend_from_slice(&[7, *dx, *dy]);
        }
        out
    }

    fn jp2(boxes: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut out = JP2_SIGNATURE.to_vec();
        for (kind, contents) in boxes {
            let length = u32::try_from(8 + contents.len()).expect("a small box");
            out.extend_from_slice(&length.to_be_bytes());
            out.extend_from_slice(*kind);
            out.extend_from_slice(contents);
        }
        out
    }

    fn reason(result: Result<(), CineError>) -> String {
        match result {
            Err(CineError::Decode { reason, .. }) => reason,
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn a_codestream_the_size_of_the_frame_passes() {
        assert!(check_fits(&header(64, 58, 0, 0, &[(1, 1)]), 58, 64, 1, 0).is_ok());
        let rgb = header(640, 480, 0, 0, &[(1, 1), (1, 1), (1, 1)]);
        assert!(check_fits(&rgb, 480, 640, 3, 0).is_ok());
        // Subsampled chroma and an image offset make components smaller, never larger.
        let subsampled = header(645, 483, 5, 3, &[(1, 1), (2, 2), (2, 2)]);
        assert!(check_fits(&subsampled, 480, 640, 3, 0).is_ok());
    }

    #[test]
    fn a_component_larger_than_the_frame_is_refused() {
        // The fuzzer's input: a 64 × 64 codestream in a data set of 58 rows of 64.
        let why = reason(check_fits(&header(64, 64, 0, 0, &[(1, 1)]), 58, 64, 1, 3));
        assert!(why.contains("64 × 64") && why.contains("64 × 58"), "{why}");
        // One column too many in a component, even when the total would fit.
        assert!(check_fits(&header(65, 10, 0, 0, &[(1, 1)]), 20, 64, 1, 0).is_err());
    }

    #[test]
    fn more_components_than_samples_per_pixel_are_refused() {
        let why = reason(check_fits(
            &header(8, 8, 0, 0, &[(1, 1), (1, 1)]),
            8,
            8,
            1,
            0,
        ));
        assert!(why.contains("2 components"), "{why}");
    }

    #[test]
    fn malformed_or_foreign_headers_are_refused() {
        for data in [
            Vec::new(),
            vec![0xFF, 0xD8, 0xFF, 0xE0],
            SOC_SIZ.to_vec(),
            header(8, 8, 0, 0, &[]),
            header(8, 8, 8, 0, &[(1, 1)]),
            header(8, 8, 0, 0, &[(0, 1)]),
            header(8, 8, 0, 0, &[(1, 1)])[..30].to_vec(),
        ] {
            assert!(check_fits(&data, 8, 8, 1, 0).is_err(), "{data:02x?}");
        }
    }

    #[test]
    fn a_jp2_file_is_read_through_to_its_codestream() {
        let fits = jp2(&[
            (b"jp2h", Vec::new()),
            (b"jp2c", header(8, 8, 0, 0, &[(1, 1)])),
        ]);
        assert!(check_fits(&fits, 8, 8, 1, 0).is_ok());
        let larger = jp2(&[(b"jp2c", header(16, 8, 0, 0, &[(1, 1)]))]);
        assert!(check_fits(&larger, 8, 8, 1, 0).is_err());
        let palette = jp2(&[
            (b"jp2h", jp2(&[(b"pclr", vec![0; 8])])[12..].to_vec()),
            (b"jp2c", header(8, 8, 0, 0, &[(1, 1)])),
        ]);
        assert!(matches!(
            check_fits(&palette, 8, 8, 3, 0),
            Err(CineError::UnsupportedFeature { .. })
        ));
        assert!(check_fits(&jp2(&[(b"jp2h", Vec::new())]), 8, 8, 1, 0).is_err());
    }
}
