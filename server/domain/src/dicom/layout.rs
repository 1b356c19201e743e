//! Where Pixel Data starts in a DICOM file, found by walking the top-level elements of an
//! explicit VR little endian data set without parsing values. Lets header-only
//! de-identification pass the pixels through untouched.

/// Explicit VR little endian data sets (every encapsulated syntax uses it).
const IMPLICIT_LE: &str = "1.2.840.10008.1.2";
const DEFLATED: &str = "1.2.840.10008.1.2.1.99";
const EXPLICIT_BE: &str = "1.2.840.10008.1.2.2";

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// VRs with a 2-byte reserved field and a 4-byte length.
fn long_vr(vr: &[u8]) -> bool {
    matches!(
        vr,
        b"OB"
            | b"OD"
            | b"OF"
            | b"OL"
            | b"OV"
            | b"OW"
            | b"SQ"
            | b"SV"
            | b"UC"
            | b"UN"
            | b"UR"
            | b"UT"
            | b"UV"
    )
}

/// Skips the items of an undefined-length sequence starting at `at`; returns the position after
/// its delimiter.
fn skip_items(b: &[u8], mut at: usize, depth: u32) -> Option<usize> {
    if depth > 16 {
        return None;
    }
    loop {
        let (group, element) = (u16_at(b, at)?, u16_at(b, at + 2)?);
        let len = u32_at(b, at + 4)?;
        at += 8;
        match (group, element) {
            (0xFFFE, 0xE0DD) => return Some(at),
            (0xFFFE, 0xE000) if len == u32::MAX => at = skip_elements(b, at, depth + 1)?,
            (0xFFFE, 0xE000) => at = at.checked_add(len as usize)?,
            _ => return None,
        }
    }
}

/// Skips the elements of an undefined-length item until its delimiter.
fn skip_elements(b: &[u8], mut at: usize, depth: u32) -> Option<usize> {
    loop {
        if u16_at(b, at)? == 0xFFFE && u16_at(b, at + 2)? == 0xE00D {
            return Some(at + 8);
        }
        at = next_element(b, at, depth)?.1;
    }
}

/// The tag at `at` and the position after its element.
fn next_element(b: &[u8], at: usize, depth: u32) -> Option<((u16, u16), usize)> {
    let tag = (u16_at(b, at)?, u16_at(b, at + 2)?);
    let vr = b.get(at + 4..at + 6)?;
    let (len, value) = if long_vr(vr) {
        (u32_at(b, at + 8)?, at + 12)
    } else {
        (u32::from(u16_at(b, at + 6)?), at + 8)
    };
    let end = if len == u32::MAX {
        if vr != b"SQ" && vr != b"UN" {
            return None;
        }
        skip_items(b, value, depth + 1)?
    } else {
        value.checked_add(len as usize)?
    };
    Some((tag, end))
}

/// Where the top-level Pixel Data element starts in `head` (a file from its preamble), when
/// the data set is explicit VR little endian and Pixel Data is found inside `head`.
pub fn pixel_data_offset(head: &[u8]) -> Option<usize> {
    if head.get(128..132)? != b"DICM" {
        return None;
    }
    // (0002,0000) UL: the length of the rest of the meta group.
    if u16_at(head, 132)? != 0x0002 || u16_at(head, 134)? != 0x0000 {
        return None;
    }
    let meta_end = 144usize.checked_add(u32_at(head, 140)? as usize)?;
    // The meta group is always explicit VR little endian: find the transfer syntax in it.
    let mut at = 144;
    let mut syntax = None;
    while at < meta_end {
        let (tag, end) = next_element(head, at, 0)?;
        if tag == (0x0002, 0x0010) {
            let len = usize::from(u16_at(head, at + 6)?);
            let value = head.get(at + 8..at + 8 + len)?;
            syntax = Some(
                String::from_utf8_lossy(value)
                    .trim_end_matches(['\0', ' '])
                    .to_string(),
            );
        }
        at = end;
    }
    if matches!(syntax?.as_str(), IMPLICIT_LE | DEFLATED | EXPLICIT_BE) {
        return None;
    }
    let mut at = meta_end;
    while at < head.len() {
        let (group, element) = (u16_at(head, at)?, u16_at(head, at + 2)?);
        if (group, element) == (0x7FE0, 0x0010) {
            return Some(at);
        }
        if group > 0x7FE0 {
            return None;
        }
        at = next_element(head, at, 0)?.1;
    }
    None
}

/// The length of the Pixel Data element whose header is `header` (its first 12 bytes), and
/// for encapsulated data the item headers read through `item_at` (8 bytes at an offset from
/// the element's start): `Some(len)` only when the element is well formed, so the caller can
/// check that it is the last thing in the file.
pub fn pixel_data_len(
    header: &[u8; 12],
    mut item_at: impl FnMut(u64) -> Option<[u8; 8]>,
) -> Option<u64> {
    let vr = &header[4..6];
    if vr != b"OB" && vr != b"OW" {
        return None;
    }
    let len = u32::from_le_bytes(header[8..12].try_into().ok()?);
    if len != u32::MAX {
        return Some(12 + u64::from(len));
    }
    let mut at = 12u64;
    for _ in 0..1_000_000 {
        let item = item_at(at)?;
        let group = u16::from_le_bytes([item[0], item[1]]);
        let element = u16::from_le_bytes([item[2], item[3]]);
        let n = u32::from_le_bytes(item[4..8].try_into().ok()?);
        at += 8;
        match (group, element) {
            (0xFFFE, 0xE0DD) => return Some(at),
            (0xFFFE, 0xE000) if n != u32::MAX => at += u64::from(n),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use cine::synth::{SynthOptions, SynthSyntax, synth_clip};

    #[test]
    fn pixel_data_is_found_and_runs_to_the_end_of_the_file() {
        for syntax in [SynthSyntax::Rgb, SynthSyntax::Rle, SynthSyntax::Jpeg] {
            let file = synth_clip(&SynthOptions {
                width: 64,
                height: 48,
                frames: 3,
                syntax,
                ..SynthOptions::default()
            })
            .unwrap();
            let at = pixel_data_offset(&file).unwrap_or_else(|| panic!("{syntax:?}: not found"));
            assert_eq!(&file[at..at + 4], &[0xE0, 0x7F, 0x10, 0x00], "{syntax:?}");
            let header: [u8; 12] = file[at..at + 12].try_into().unwrap();
            let len = pixel_data_len(&header, |off| {
                let o = at + off as usize;
                file.get(o..o + 8).and_then(|s| s.try_into().ok())
            })
            .expect("well formed");
            assert_eq!(at as u64 + len, file.len() as u64, "{syntax:?}");
        }
        assert_eq!(pixel_data_offset(b"not dicom"), None);
    }
}
