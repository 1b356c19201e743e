//! A cheap walk over a Part 10 file's element headers, without decoding any value. Before the
//! real parse it checks that every declared length fits in the bytes that remain: a corrupted
//! length would otherwise make the parser reserve and zero gigabytes before noticing the file
//! is short (seconds natively, an out-of-memory trap in the browser). The walk reads headers
//! exactly as dicom-parser does (which VRs have a 16-bit length, the meta group by its group
//! length, either byte order, deflated data sets once inflated), since a header it read
//! differently would go unchecked. [`HeaderWalk`] lets other callers walk the same way, e.g.
//! the server finding where Pixel Data starts.
use super::error::CineError;
use super::info::EXPLICIT_VR_BIG_ENDIAN;
use dicom_core::Tag;
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_dictionary_std::{StandardDataDictionary, uids};
use std::io::Read;
use std::ops::ControlFlow;

/// The length of a value that runs to a delimiter (sequences, encapsulated pixel data).
pub const UNDEFINED_LENGTH: u32 = 0xFFFF_FFFF;
const MAX_DEPTH: u32 = 32;
/// The most a deflated data set may inflate to before it is refused unread (the server's
/// largest accepted object).
pub const MAX_INFLATED: usize = 512 << 20;

/// A data element's header as it stands in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementHeader {
    /// Group and element number.
    pub tag: (u16, u16),
    /// The VR as written; `UN` in an implicit VR data set.
    pub vr: [u8; 2],
    /// The declared value length, possibly [`UNDEFINED_LENGTH`].
    pub len: u32,
    /// Where the header starts, counted from the `DICM` magic.
    pub at: usize,
    /// Where the value starts, just after the header, counted from the `DICM` magic.
    pub value_at: usize,
}

/// How the data set after the meta group is encoded, as far as the walk is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSetEncoding {
    /// Explicit VR little endian (every encapsulated syntax uses it).
    ExplicitVrLittleEndian,
    /// Implicit VR little endian: lengths are walked, VRs are not known.
    ImplicitVrLittleEndian,
    /// Explicit VR big endian (retired, still sent by old machines).
    ExplicitVrBigEndian,
    /// Deflated explicit VR little endian: [`HeaderWalk::top_level`] does not walk it;
    /// [`check_lengths`] walks it once inflated.
    Deflated,
}

struct Walker<'a> {
    bytes: &'a [u8],
    at: usize,
    explicit: bool,
    big_endian: bool,
}

/// Whether an explicit VR header carries a 16-bit length (PS3.5 7.1.2). dicom-parser reads
/// every other VR, unknown ones included, with two reserved bytes and a 32-bit length.
fn short_length(vr: [u8; 2]) -> bool {
    matches!(
        &vr,
        b"AE"
            | b"AS"
            | b"AT"
            | b"CS"
            | b"DA"
            | b"DS"
            | b"DT"
            | b"FL"
            | b"FD"
            | b"IS"
            | b"LO"
            | b"LT"
            | b"PN"
            | b"SH"
            | b"SL"
            | b"SS"
            | b"ST"
            | b"TM"
            | b"UI"
            | b"UL"
            | b"US"
    )
}

/// The VR an implicit VR parser gives `tag`: OW for pixel and overlay data, the standard
/// dictionary's otherwise (its first choice where it allows two), UN for tags it does not know.
pub fn implicit_vr(group: u16, element: u16) -> [u8; 2] {
    if (group, element) == (0x7FE0, 0x0010) || (group >> 8 == 0x60 && element == 0x3000) {
        return *b"OW";
    }
    StandardDataDictionary
        .by_tag(Tag(group, element))
        .map_or(*b"UN", |entry| entry.vr().relaxed().to_bytes())
}

/// The size of one number of a binary VR: dicom-parser reads such a value as
/// `length / size` numbers, so a length that is not a multiple leaves bytes unread and every
/// later header is read from the wrong place (where no length check looked). 1 for the rest.
fn value_unit(vr: [u8; 2]) -> usize {
    match &vr {
        b"US" | b"SS" | b"OW" => 2,
        b"UL" | b"SL" | b"FL" | b"AT" | b"OL" | b"OF" => 4,
        b"FD" | b"OD" | b"SV" | b"UV" | b"OV" => 8,
        _ => 1,
    }
}

/// Refuses a value whose length is not a whole number of its VR's numbers (PS3.5 6.2).
pub fn check_unit(group: u16, element: u16, vr: [u8; 2], len: u32) -> Result<(), CineError> {
    let unit = value_unit(vr);
    if len != UNDEFINED_LENGTH && !(len as usize).is_multiple_of(unit) {
        return Err(CineError::malformed(format!(
            "element ({group:04X},{element:04X}) {} holds {len} bytes, not a multiple of {unit}",
            String::from_utf8_lossy(&vr)
        )));
    }
    Ok(())
}

pub(crate) fn too_long(group: u16, element: u16, len: u32, remaining: usize) -> CineError {
    CineError::truncated(format!(
        "element ({group:04X},{element:04X}) claims {len} bytes but only {remaining} remain"
    ))
}

impl Walker<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let b = self.bytes.get(at..at.checked_add(2)?)?;
        let b = [b[0], b[1]];
        Some(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let b = self.bytes.get(at..at.checked_add(4)?)?;
        let b = [b[0], b[1], b[2], b[3]];
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn short() -> CineError {
        CineError::truncated("the file ends inside an element header")
    }

    /// Walks data elements until `end` (or a delimiter when `end` is `None`), handing each
    /// header to `visit` before its value is skipped; `Ok(Some(b))` when `visit` stopped the
    /// walk with `b`.
    fn dataset<B>(
        &mut self,
        end: Option<usize>,
        depth: u32,
        visit: &mut dyn FnMut(&ElementHeader) -> ControlFlow<B>,
    ) -> Result<Option<B>, CineError> {
        if depth > MAX_DEPTH {
            return Err(CineError::malformed("sequences nested too deeply"));
        }
        loop {
            let limit = end.unwrap_or(self.bytes.len());
            // Stray padding shorter than an element header after the last element is harmless.
            if self.at >= limit || (depth == 0 && limit - self.at < 8) {
                return Ok(None);
            }
            let group = self.u16(self.at).ok_or_else(Self::short)?;
            let element = self.u16(self.at + 2).ok_or_else(Self::short)?;
            if group == 0xFFFE {
                // Item delimiter ends an undefined-length item.
                self.at += 8;
                if element == 0xE00D && end.is_none() {
                    return Ok(None);
                }
                continue;
            }
            let (vr, len, header) = if self.explicit {
                let vr = self
                    .bytes
                    .get(self.at + 4..self.at + 6)
                    .ok_or_else(Self::short)?;
                let vr = [vr[0], vr[1]];
                if short_length(vr) {
                    (
                        vr,
                        u32::from(self.u16(self.at + 6).ok_or_else(Self::short)?),
                        8,
                    )
                } else {
                    (vr, self.u32(self.at + 8).ok_or_else(Self::short)?, 12)
                }
            } else {
                (*b"UN", self.u32(self.at + 4).ok_or_else(Self::short)?, 8)
            };
            let parsed_vr = if self.explicit {
                vr
            } else {
                implicit_vr(group, element)
            };
            check_unit(group, element, parsed_vr, len)?;
            let found = ElementHeader {
                tag: (group, element),
                vr,
                len,
                at: self.at,
                value_at: self.at + header,
            };
            if let ControlFlow::Break(b) = visit(&found) {
                return Ok(Some(b));
            }
            self.at += header;
            if len == UNDEFINED_LENGTH {
                // Encapsulated pixel data, whose items are raw fragments; dicom-parser reads
                // any other element of undefined length as a sequence of data set items,
                // whatever its VR says (an OW or OB too).
                let dataset_items = (group, element) != (0x7FE0, 0x0010);
                self.items(None, dataset_items, depth + 1)?;
                continue;
            }
            let remaining = limit.saturating_sub(self.at);
            if len as usize > remaining {
                return Err(too_long(group, element, len, remaining));
            }
            let value_end = self.at + len as usize;
            // An implicit VR parser reads a dictionary sequence's items, and their elements'
            // lengths, whatever the sequence's own length says.
            if &parsed_vr == b"SQ" {
                self.items(Some(value_end), true, depth + 1)?;
            }
            self.at = value_end;
        }
    }

    /// Walks an item's data set, every element only checked.
    fn nested(&mut self, end: Option<usize>, depth: u32) -> Result<(), CineError> {
        self.dataset(end, depth, &mut |_| ControlFlow::<()>::Continue(()))
            .map(drop)
    }

    /// Walks items until `end` or the sequence delimiter.
    fn items(&mut self, end: Option<usize>, datasets: bool, depth: u32) -> Result<(), CineError> {
        if depth > MAX_DEPTH {
            return Err(CineError::malformed("sequences nested too deeply"));
        }
        loop {
            let limit = end.unwrap_or(self.bytes.len());
            if self.at >= limit {
                return match end {
                    Some(_) => Ok(()),
                    None => Err(CineError::truncated("a sequence is not closed")),
                };
            }
            let group = self.u16(self.at).ok_or_else(Self::short)?;
            let element = self.u16(self.at + 2).ok_or_else(Self::short)?;
            let len = self.u32(self.at + 4).ok_or_else(Self::short)?;
            self.at += 8;
            match (group, element) {
                (0xFFFE, 0xE0DD) => return Ok(()),
                (0xFFFE, 0xE000) if len == UNDEFINED_LENGTH && datasets => {
                    self.nested(None, depth + 1)?
                }
                (0xFFFE, 0xE000) => {
                    let remaining = limit.saturating_sub(self.at);
                    if len == UNDEFINED_LENGTH || len as usize > remaining {
                        return Err(too_long(group, element, len, remaining));
                    }
                    let item_end = self.at + len as usize;
                    if datasets {
                        self.nested(Some(item_end), depth + 1)?;
                    }
                    self.at = item_end;
                }
                _ => {
                    return Err(CineError::malformed(format!(
                        "({group:04X},{element:04X}) where a sequence item was expected"
                    )));
                }
            }
        }
    }
}

/// A file's meta group, read, with its data set ready to walk.
pub struct HeaderWalk<'a> {
    walker: Walker<'a>,
    transfer_syntax: Option<String>,
    encoding: DataSetEncoding,
}

impl<'a> HeaderWalk<'a> {
    /// Reads the meta group (always explicit VR little endian) of a file starting at its
    /// `DICM` magic; the data set is walked by [`HeaderWalk::top_level`]. As dicom-object
    /// does, the group runs as far as its group length (0002,0000) says, whatever the tags.
    pub fn new(from_magic: &'a [u8]) -> Result<Self, CineError> {
        if from_magic.len() < 4 {
            return Err(CineError::NotDicom);
        }
        let mut w = Walker {
            bytes: from_magic,
            at: 4,
            explicit: true,
            big_endian: false,
        };
        if (w.u16(4), w.u16(6), w.bytes.get(8..10), w.u16(10))
            != (Some(0x0002), Some(0x0000), Some(b"UL".as_slice()), Some(4))
        {
            return Err(CineError::malformed(
                "the file meta group does not start with its group length",
            ));
        }
        let group_length = w.u32(12).ok_or_else(Walker::short)? as usize;
        w.at = 16;
        let meta_end = w.at.saturating_add(group_length);
        let mut transfer_syntax = None;
        while w.at < meta_end {
            let element = w.u16(w.at + 2).ok_or_else(Walker::short)?;
            let vr = w.bytes.get(w.at + 4..w.at + 6).ok_or_else(Walker::short)?;
            let (len, header) = if short_length([vr[0], vr[1]]) {
                (u32::from(w.u16(w.at + 6).ok_or_else(Walker::short)?), 8)
            } else {
                (w.u32(w.at + 8).ok_or_else(Walker::short)?, 12)
            };
            let start = w.at + header;
            let value = w
                .bytes
                .get(start..start.saturating_add(len as usize))
                .ok_or_else(|| too_long(2, element, len, w.bytes.len().saturating_sub(start)))?;
            if w.u16(w.at) == Some(0x0002) && element == 0x0010 {
                transfer_syntax = Some(
                    String::from_utf8_lossy(value)
                        .trim_end_matches(['\0', ' '])
                        .to_string(),
                );
            }
            w.at = start + len as usize;
        }
        let encoding = match transfer_syntax.as_deref() {
            Some(uids::IMPLICIT_VR_LITTLE_ENDIAN) => DataSetEncoding::ImplicitVrLittleEndian,
            Some(EXPLICIT_VR_BIG_ENDIAN) => DataSetEncoding::ExplicitVrBigEndian,
            Some(uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) => DataSetEncoding::Deflated,
            _ => DataSetEncoding::ExplicitVrLittleEndian,
        };
        w.explicit = encoding != DataSetEncoding::ImplicitVrLittleEndian;
        w.big_endian = encoding == DataSetEncoding::ExplicitVrBigEndian;
        Ok(HeaderWalk {
            walker: w,
            transfer_syntax,
            encoding,
        })
    }

    /// The Transfer Syntax UID (0002,0010), without its padding, when the meta group has one.
    pub fn transfer_syntax(&self) -> Option<&str> {
        self.transfer_syntax.as_deref()
    }

    /// How the data set is encoded (explicit VR little endian when the meta group names no
    /// transfer syntax).
    pub fn encoding(&self) -> DataSetEncoding {
        self.encoding
    }

    /// Where the data set starts, just after the meta group, counted from the `DICM` magic.
    pub fn data_set_at(&self) -> usize {
        self.walker.at
    }

    /// Walks the data set's top-level elements in order, handing each header to `visit`
    /// before its value is skipped. Everything skipped, nested items included, must fit in the
    /// bytes given. `Ok(Some(b))` when `visit` stopped the walk with `Break(b)`; `Ok(None)` at
    /// the end of the data set, or at once when it is [`DataSetEncoding::Deflated`].
    pub fn top_level<B>(
        mut self,
        mut visit: impl FnMut(&ElementHeader) -> ControlFlow<B>,
    ) -> Result<Option<B>, CineError> {
        if self.encoding == DataSetEncoding::Deflated {
            return Ok(None);
        }
        self.walker.dataset(None, 0, &mut visit)
    }
}

/// Checks the element lengths of a file starting at its `DICM` magic, nested items included,
/// in every transfer syntax the parser reads: a deflated data set is inflated first (and
/// refused when it would inflate past [`MAX_INFLATED`]).
pub(crate) fn check_lengths(from_magic: &[u8]) -> Result<(), CineError> {
    let walk = HeaderWalk::new(from_magic)?;
    if walk.encoding != DataSetEncoding::Deflated {
        return walk
            .top_level(|_| ControlFlow::<()>::Continue(()))
            .map(drop);
    }
    let deflated = &from_magic[walk.data_set_at()..];
    let mut inflated = Vec::new();
    flate2::read::DeflateDecoder::new(deflated)
        .take(MAX_INFLATED as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|e| {
            CineError::malformed(format!("the deflated data set does not inflate: {e}"))
        })?;
    if inflated.len() > MAX_INFLATED {
        return Err(CineError::malformed(format!(
            "the deflated data set inflates past {} MiB",
            MAX_INFLATED >> 20
        )));
    }
    Walker {
        bytes: &inflated,
        at: 0,
        explicit: true,
        big_endian: false,
    }
    .nested(None, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A file from its `DICM` magic: the meta group naming `syntax`, then `data_set`.
    fn file(syntax: &str, data_set: &[u8]) -> Vec<u8> {
        let mut uid = syntax.as_bytes().to_vec();
        if uid.len() % 2 == 1 {
            uid.push(0);
        }
        let mut meta = vec![0x02, 0x00, 0x10, 0x00, b'U', b'I'];
        meta.extend((uid.len() as u16).to_le_bytes());
        meta.extend(uid);
        let mut out = b"DICM\x02\x00\x00\x00UL\x04\x00".to_vec();
        out.extend((meta.len() as u32).to_le_bytes());
        out.extend(meta);
        out.extend(data_set);
        out
    }

    /// An explicit VR header with a 32-bit length, in either byte order.
    fn long_header(tag: (u16, u16), vr: &[u8; 2], len: u32, big_endian: bool) -> Vec<u8> {
        let mut h = Vec::new();
        let (g, e, l) = if big_endian {
            (tag.0.to_be_bytes(), tag.1.to_be_bytes(), len.to_be_bytes())
        } else {
            (tag.0.to_le_bytes(), tag.1.to_le_bytes(), len.to_le_bytes())
        };
        h.extend(g);
        h.extend(e);
        h.extend(vr);
        h.extend([0, 0]);
        h.extend(l);
        h
    }

    fn claims_too_much(result: Result<(), CineError>) -> bool {
        matches!(result, Err(CineError::Truncated { what }) if what.contains("claims"))
    }

    #[test]
    fn a_well_formed_data_set_passes_in_every_byte_order_and_encoding() {
        let mut le = long_header((0x0009, 0x0010), b"OB", 4, false);
        le.extend(b"abcd");
        assert_eq!(
            check_lengths(&file(uids::EXPLICIT_VR_LITTLE_ENDIAN, &le)),
            Ok(())
        );
        let mut be = long_header((0x0009, 0x0010), b"OB", 4, true);
        be.extend(b"abcd");
        assert_eq!(check_lengths(&file(EXPLICIT_VR_BIG_ENDIAN, &be)), Ok(()));
        let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
        deflated.write_all(&le).unwrap();
        let deflated = deflated.finish().unwrap();
        assert_eq!(
            check_lengths(&file(uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, &deflated)),
            Ok(())
        );
    }

    /// The fuzzer's finding: big endian data sets were left unchecked, and a few bytes could
    /// make the parser reserve gigabytes.
    #[test]
    fn a_big_endian_length_past_the_end_is_refused() {
        let mut be = long_header((0x0009, 0x0010), b"OB", 0x9000_0000, true);
        be.extend(b"abcd");
        assert!(claims_too_much(check_lengths(&file(
            EXPLICIT_VR_BIG_ENDIAN,
            &be
        ))));
    }

    /// The other finding: a deflated data set is checked once inflated.
    #[test]
    fn a_deflated_length_past_the_end_is_refused() {
        let mut inner = long_header((0x0009, 0x0010), b"OB", 0x9000_0000, false);
        inner.extend(b"abcd");
        let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
        deflated.write_all(&inner).unwrap();
        let deflated = deflated.finish().unwrap();
        assert!(claims_too_much(check_lengths(&file(
            uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
            &deflated
        ))));
    }

    /// dicom-parser reads a VR it does not know with a 32-bit length; so must the walk.
    #[test]
    fn an_unknown_vr_has_a_long_length_as_the_parser_reads_it() {
        let header = long_header((0x0009, 0x0010), b"\x06?", 0x9000_0000, false);
        assert!(claims_too_much(check_lengths(&file(
            uids::EXPLICIT_VR_LITTLE_ENDIAN,
            &header
        ))));
    }

    /// An implicit VR sequence of defined length: its items' elements are checked too.
    #[test]
    fn elements_inside_an_implicit_sequence_are_checked() {
        // (0008,1115) Referenced Series Sequence, 16 bytes: one item holding an element that
        // claims 2 GB.
        let mut set = vec![0x08, 0x00, 0x15, 0x11];
        set.extend(16u32.to_le_bytes());
        set.extend([0xFE, 0xFF, 0x00, 0xE0]);
        set.extend(8u32.to_le_bytes());
        set.extend([0x08, 0x00, 0x18, 0x00]);
        set.extend(0x8000_0000u32.to_le_bytes());
        assert!(claims_too_much(check_lengths(&file(
            uids::IMPLICIT_VR_LITTLE_ENDIAN,
            &set
        ))));
    }

    /// The fuzzer's `ingest` finding: an OW element of undefined length that is not Pixel
    /// Data. dicom-parser reads its items as data sets, whatever the VR, so an element inside
    /// one that claims 4 GB must be refused; the walk had skipped the items as raw fragments.
    #[test]
    fn any_undefined_length_element_but_pixel_data_holds_data_set_items() {
        let item_holding = |tag: (u16, u16), vr: &[u8; 2]| {
            let mut set = long_header(tag, vr, UNDEFINED_LENGTH, false);
            set.extend([0xFE, 0xFF, 0x00, 0xE0]);
            set.extend(12u32.to_le_bytes());
            set.extend(long_header((0x0009, 0x0010), b"OB", 0xFF9D_FF9D, false));
            set.extend([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
            check_lengths(&file(uids::RLE_LOSSLESS, &set))
        };
        assert!(claims_too_much(item_holding((0x7FE0, 0x0810), b"OW")));
        assert!(claims_too_much(item_holding((0x0009, 0x1010), b"OB")));
        // Pixel Data's items are fragments: their bytes are pixels, never headers.
        assert_eq!(item_holding((0x7FE0, 0x0010), b"OB"), Ok(()));
    }

    /// The meta group runs as far as its group length says, as dicom-object reads it.
    #[test]
    fn a_meta_element_past_the_end_is_refused() {
        let mut bytes = b"DICM\x02\x00\x00\x00UL\x04\x00".to_vec();
        bytes.extend(20u32.to_le_bytes());
        bytes.extend(long_header((0x0002, 0x0002), b"XX", 0x8000_0000, false));
        assert!(claims_too_much(check_lengths(&bytes)));
        assert!(matches!(
            check_lengths(b"DICM\x08\x00\x00\x00UL\x04\x00\x00\x00\x00\x00"),
            Err(CineError::Malformed { .. })
        ));
    }

    /// A binary value whose length is not a whole number of its numbers: dicom-parser would
    /// leave its last bytes unread and read every later header from the wrong place, where a
    /// length nobody checked may claim gigabytes (the `dimse_command` finding, here for files).
    #[test]
    fn a_binary_value_of_a_partial_number_is_refused_in_either_vr_encoding() {
        // Implicit VR: (0028,0010) Rows is US by the dictionary; 3 bytes.
        let mut implicit = vec![0x28, 0x00, 0x10, 0x00];
        implicit.extend(3u32.to_le_bytes());
        implicit.extend([0, 2, 0]);
        implicit.extend([0x09, 0x00, 0x10, 0x00, 0, 0, 0, 0]);
        let refused = check_lengths(&file(uids::IMPLICIT_VR_LITTLE_ENDIAN, &implicit));
        assert!(
            matches!(&refused, Err(CineError::Malformed { reason }) if reason.contains("(0028,0010) US holds 3 bytes")),
            "{refused:?}"
        );
        // Explicit VR: an FD of 12 bytes.
        let mut explicit = vec![0x18, 0x00, 0x88, 0x00, b'F', b'D', 12, 0];
        explicit.extend([0; 12]);
        let refused = check_lengths(&file(uids::EXPLICIT_VR_LITTLE_ENDIAN, &explicit));
        assert!(
            matches!(&refused, Err(CineError::Malformed { reason }) if reason.contains("not a multiple of 8")),
            "{refused:?}"
        );
        // Whole numbers pass, and so does an odd string.
        let mut fine = vec![0x28, 0x00, 0x10, 0x00];
        fine.extend(2u32.to_le_bytes());
        fine.extend([0, 2]);
        fine.extend([0x10, 0x00, 0x10, 0x00, 3, 0, 0, 0, b'a', b'b', b'c']);
        assert_eq!(
            check_lengths(&file(uids::IMPLICIT_VR_LITTLE_ENDIAN, &fine)),
            Ok(())
        );
        assert_eq!(implicit_vr(0x0000, 0x0000), *b"UL");
        assert_eq!(implicit_vr(0x7FE0, 0x0010), *b"OW");
        assert_eq!(implicit_vr(0x0009, 0x1010), *b"UN");
    }
}
