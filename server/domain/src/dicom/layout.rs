//! Where Pixel Data starts in a DICOM file, found by walking the top-level elements of an
//! explicit VR little endian data set with cine's header walk, without parsing values. Lets
//! header-only de-identification pass the pixels through untouched.
use cine::prescan::{DataSetEncoding, HeaderWalk, UNDEFINED_LENGTH};
use std::ops::ControlFlow;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Where the top-level Pixel Data element starts in `head` (a file from its preamble), when
/// the data set is explicit VR little endian and Pixel Data is found inside `head`.
pub fn pixel_data_offset(head: &[u8]) -> Option<usize> {
    const PREAMBLE: usize = 128;
    let from_magic = head.get(PREAMBLE..)?;
    if from_magic.get(..4)? != b"DICM" {
        return None;
    }
    // (0002,0000) UL: the length of the rest of the meta group, which must end where the
    // walk of its elements does.
    if u16_at(head, 132)? != 0x0002 || u16_at(head, 134)? != 0x0000 {
        return None;
    }
    let meta_end = 144usize.checked_add(u32_at(head, 140)? as usize)?;
    let walk = HeaderWalk::new(from_magic).ok()?;
    let explicit_le = walk.transfer_syntax().is_some()
        && walk.encoding() == DataSetEncoding::ExplicitVrLittleEndian;
    if !explicit_le || PREAMBLE + walk.data_set_at() != meta_end {
        return None;
    }
    walk.top_level(|element| match element.tag {
        (0x7FE0, 0x0010) => ControlFlow::Break(Some(PREAMBLE + element.at)),
        // Tags ascend: Pixel Data is not in this data set.
        (group, _) if group > 0x7FE0 => ControlFlow::Break(None),
        // Only sequences may run to a delimiter before Pixel Data.
        _ if element.len == UNDEFINED_LENGTH && !matches!(&element.vr, b"SQ" | b"UN") => {
            ControlFlow::Break(None)
        }
        _ => ControlFlow::Continue(()),
    })
    .ok()??
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

    fn rgb_clip() -> Vec<u8> {
        synth_clip(&SynthOptions {
            width: 32,
            height: 24,
            frames: 2,
            syntax: SynthSyntax::Rgb,
            ..SynthOptions::default()
        })
        .unwrap()
    }

    #[test]
    fn pixel_data_is_found_in_a_head_that_stops_inside_it() {
        let file = rgb_clip();
        let at = pixel_data_offset(&file).unwrap();
        // The Sequence of Ultrasound Regions before it is walked, not just skipped.
        let regions = file.windows(4).position(|w| w == [0x18, 0x00, 0x11, 0x60]);
        assert!(regions.is_some_and(|r| r < at));
        assert_eq!(pixel_data_offset(&file[..at + 12]), Some(at));
        assert_eq!(pixel_data_offset(&file[..at]), None);
        assert_eq!(pixel_data_offset(&file[..at - 1]), None);
    }

    #[test]
    fn only_explicit_vr_little_endian_data_sets_are_walked() {
        let file = rgb_clip();
        let named = |uid: &[u8; 20]| {
            let mut copy = file.clone();
            let at = copy
                .windows(20)
                .position(|w| w == b"1.2.840.10008.1.2.1\0")
                .expect("transfer syntax in the meta group");
            copy[at..at + 20].copy_from_slice(uid);
            pixel_data_offset(&copy)
        };
        assert!(named(b"1.2.840.10008.1.2.1\0").is_some());
        assert_eq!(named(b"1.2.840.10008.1.2\0\0\0"), None);
        assert_eq!(named(b"1.2.840.10008.1.2.2\0"), None);
        // The group length must agree with the meta group's elements.
        let mut wrong = file.clone();
        wrong[140] ^= 2;
        assert_eq!(pixel_data_offset(&wrong), None);
    }
}
